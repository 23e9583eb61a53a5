"""The state object, its bindings to widgets and the run session shared by every tab."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSlider, QSpinBox

from playground.core.training import LiveSettings, Snapshot
from playground.ui.binding import bind
from playground.ui.session import Session, format_seconds
from playground.ui.state import State, setting


@dataclass
class Demo(State):
    lr: float = setting(0.03, "Learning rate", lo=1e-5, hi=10.0, live=True)
    hidden: tuple = setting((4, 2), "Hidden layers", item=int, lo=1, hi=8, max_len=6, shape=True)
    act: str = setting("tanh", "Activation", choices=("tanh", "relu"), shape=True)
    noise: float = setting(0.1, "Noise", lo=0.0, hi=0.5)
    points: int = setting(400, "Points", lo=10, hi=1000)
    show_test: bool = setting(True, "Show test points")


def test_fields_validate_and_notify_once_per_change():
    s = Demo()
    heard = []
    s.connect(lambda name, value: heard.append((name, value)))
    s.lr = 0.1
    s.lr = 0.1  # unchanged: silent
    with pytest.raises(ValueError, match="lr"):
        s.lr = 100.0
    with pytest.raises(ValueError, match="act"):
        s.act = "sigmoid"
    with pytest.raises(ValueError, match="hidden"):
        s.hidden = (4, 0)
    s.update(points=50, noise=0.2)
    assert heard == [("lr", 0.1), ("points", 50), ("noise", 0.2)]
    with pytest.raises(ValueError, match="points"):
        s.update(noise=0.3, points="many")  # nothing changes when one value is bad
    assert s.noise == 0.2


def test_round_trip_through_a_dict_and_strict_loading():
    s = Demo(lr=0.5, hidden=(8,), act="relu")
    d = s.to_dict()
    assert d["hidden"] == [8]
    t = Demo.from_dict(d)
    assert t == s
    assert t.shape_key() != Demo().shape_key()
    for bad in ({"lr": "fast"}, {"lr": float("nan")}, {"hidden": [1, 2.5]}, {"points": True}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Demo.from_dict(bad)
    assert Demo.from_dict({"lr": "fast", "points": 20}, strict=False).points == 20


def test_qsettings_round_trip_keeps_types(tmp_path):
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    Demo(lr=0.3, hidden=(3, 3, 3), show_test=False).save(qs)
    qs.setValue("points", "not json")  # a damaged value keeps the default
    qs.sync()
    s = Demo()
    s.restore(QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    assert (s.lr, s.hidden, s.show_test, s.points) == (0.3, (3, 3, 3), False, 400)


def test_widgets_follow_the_state_without_echo(qtbot):
    s = Demo()
    spin, combo, box, slider, count = (
        QDoubleSpinBox(),
        QComboBox(),
        QCheckBox(),
        QSlider(),
        QSpinBox(),
    )
    for w in (spin, combo, box, slider, count):
        qtbot.addWidget(w)
    spin.setDecimals(5)
    bind(s, "lr", spin)
    bind(s, "act", combo)  # items from the choices
    bind(s, "show_test", box)
    bind(s, "noise", slider, scale=100)
    bind(s, "points", count)
    assert [combo.itemText(i) for i in range(combo.count())] == ["tanh", "relu"]
    assert (spin.value(), box.isChecked(), slider.value(), count.maximum()) == (
        0.03,
        True,
        10,
        1000,
    )
    heard = []
    s.connect(lambda name, value: heard.append(name))
    s.update(lr=0.2, act="relu", noise=0.25)  # state -> widgets
    assert (spin.value(), combo.currentText(), slider.value()) == (0.2, "relu", 25)
    assert heard == ["lr", "act", "noise"]  # no echo from the widgets
    slider.setValue(40)  # widget -> state
    box.setChecked(False)
    combo.setCurrentIndex(0)
    assert (s.noise, s.show_test, s.act) == (0.4, False, "tanh")


def _counting_job(n, seen):
    for i in range(1, n + 1):
        seen.append(i)
        yield Snapshot(step=i, total=n, metrics={"loss": 1.0 / i})


def test_session_play_step_reset_and_shape_change(qtbot):
    from PySide6.QtCore import QObject

    owner = QObject()
    starts = []
    seen: list[int] = []

    def start(fresh):
        starts.append(fresh)
        seen.clear()
        return _counting_job(10**6, seen)

    session = Session(owner, start)
    session.step(3)
    qtbot.waitUntil(lambda: len(seen) >= 3)
    qtbot.wait(50)
    assert starts == [True] and len(seen) == 3 and session.state == "paused"
    session.play()  # goes on with the same job
    qtbot.waitUntil(lambda: len(seen) > 100)
    assert starts == [True]
    session.shape_changed("the hidden layers")  # running: a fresh job at once
    assert starts == [True, True] and session.running
    assert "afresh" in session.notice
    session.pause()
    session.shape_changed("the activation")  # paused: the next Play starts fresh
    assert session.fresh_pending and "Play starts a new model" in session.notice
    session.play()
    assert starts == [True, True, True] and session.notice == ""
    session.stop()
    session.play()  # after stop: a job again, continuing (not fresh)
    assert starts[-1] is False
    session.reset()
    assert session.fresh_pending and session.state == "idle"
    session.shutdown()


def test_session_pushes_live_settings_and_paces_views(qtbot):
    from PySide6.QtCore import QObject

    owner = QObject()
    s = Demo()
    session = Session(owner, lambda fresh: _counting_job(10**6, []))
    session.live = LiveSettings(lr=s.lr)
    session.follow_live(s)
    s.lr = 0.5
    s.points = 20  # not live
    assert session.live.as_dict() == {"lr": 0.5}
    session.play()
    qtbot.waitUntil(lambda: session.running)
    assert session.due("plot", "slow") and not session.due("plot", "slow")
    session.pause()
    assert session.due("plot", "slow")  # paused: always draw
    session.shutdown()
    assert format_seconds(5) == "5 s" and format_seconds(125) == "2 min 5 s"


def test_progress_units_are_plural_english():
    from playground.ui.session import plural

    assert [plural(u) for u in ("epoch", "step", "batch")] == ["epochs", "steps", "batches"]


def test_a_state_takes_its_model_fields_from_the_core_config():
    from playground.core.schema import option
    from playground.ui.state import from_core

    @dataclass(frozen=True)
    class NetConfig:  # a core config: no labels, no widgets
        hidden: tuple = option((8, 8), item=int, lo=1, hi=32, max_len=4, shape=True, doc="units")
        lr: float = option(0.03, lo=1e-5, hi=10.0)

    @dataclass
    class NetState(State, core=NetConfig):
        hidden: tuple = from_core("Hidden layers")
        lr: float = from_core("Learning rate", live=True, default=0.1)
        page: str = setting("train", "Page", choices=("train", "test"))

    spec = NetState.spec("hidden")
    assert (spec.label, spec.item, spec.lo, spec.hi, spec.max_len) == (
        "Hidden layers",
        int,
        1,
        32,
        4,
    )
    assert spec.shape and spec.tip == "units"  # the core's doc is the tooltip unless one is given
    assert NetState.spec("lr").live and NetState().lr == 0.1 and NetState().hidden == (8, 8)
    assert NetState.core_fields() == ("hidden", "lr")
    state = NetState()
    with pytest.raises(ValueError, match="hidden: 99 is above the maximum 32"):
        state.hidden = (99,)
    assert NetConfig(**state.core_values()).lr == 0.1
    with pytest.raises(TypeError, match="declares no option 'hiden'"):

        @dataclass
        class Misspelt(State, core=NetConfig):
            hiden: tuple = from_core("Hidden")
