"""A model's settings declared once in the core, read by the ui's state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from playground.core import schema
from playground.core.schema import option


@dataclass(frozen=True)
class NetConfig:
    hidden: tuple = option((8, 8), item=int, lo=1, hi=32, max_len=4, shape=True, doc="units")
    activation: str = option("tanh", choices=("tanh", "relu"), shape=True)
    lr: float = option(0.03, lo=1e-5, hi=10.0, doc="step size")

    def __post_init__(self) -> None:
        schema.validate(self, "Net", rules=self.rules)

    @staticmethod
    def rules(c: NetConfig) -> list[str]:
        return ["relu needs a hidden layer"] if c.activation == "relu" and not c.hidden else []


def test_options_declare_kind_limits_and_role_once():
    found = schema.options(NetConfig)
    assert list(found) == ["hidden", "activation", "lr"]
    assert found["hidden"].kind is tuple and found["hidden"].item is int
    assert found["hidden"].shape and not found["lr"].shape
    assert found["activation"].choices == ("tanh", "relu")
    assert schema.default(NetConfig, "lr") == 0.03


def test_validate_coerces_and_lists_every_problem_in_one_error():
    c = NetConfig(hidden=[4, "2"], lr="0.5")
    assert c.hidden == (4, 2) and c.lr == 0.5
    with pytest.raises(ValueError) as e:
        NetConfig(hidden=(0,), activation="sigmoid")
    text = str(e.value)
    assert text.startswith("Invalid Net settings:")
    assert "hidden: 0 is below the minimum 1" in text
    assert "activation: 'sigmoid' is not one of tanh, relu" in text
    with pytest.raises(ValueError, match="relu needs a hidden layer"):
        NetConfig(hidden=(), activation="relu")


def test_coerce_refuses_what_is_not_the_kind():
    opt = schema.options(NetConfig)["lr"]
    for bad in ("fast", float("nan"), True):
        with pytest.raises(ValueError, match="lr: expected"):
            schema.coerce("lr", opt, bad)
