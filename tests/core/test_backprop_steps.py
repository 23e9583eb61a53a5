"""The Backprop tab's backward pass one node at a time (core/backprop_steps.py): the
chain rule written out, the = bug and the zeroing lesson on top of micrograd's engine."""

from __future__ import annotations

import math

import pytest

from playground.core import backprop_steps as steps
from playground.core.backprop_steps import BackwardStepper
from playground.core.expressions import EXAMPLES, parse
from playground.core.micrograd import Value


def test_stepper_writes_the_chain_rule():
    built = parse(EXAMPLES["neuron: o = tanh(x1*w1 + x2*w2 + b)"]).build()
    stepper = BackwardStepper(built.root)
    first = stepper.step()
    assert first.node is built.root and built.root.grad == 1.0
    sentences = [t.sentence for s in stepper.run() for t in s.terms]
    assert "grad(x1) += grad(x1*w1) * w1 = 0.5 * -3 = -1.5" in sentences
    assert stepper.done and stepper.step() is None
    # the same grads as backward()
    grads = {k: v.grad for k, v in built.leaves.items()}
    again = parse(EXAMPLES["neuron: o = tanh(x1*w1 + x2*w2 + b)"]).build()
    again.root.backward()
    assert grads == {k: v.grad for k, v in again.leaves.items()}


def test_stepper_bug_mode_overwrites():
    built = parse("a = 3.0\nb = a + a").build()
    steps = BackwardStepper(built.root, accumulate=False).run()
    assert built.leaves["a"].grad == 1.0
    assert steps[-1].terms[-1].sentence.startswith("grad(a) = grad(b) * 1")


def test_numerical_check_flags_the_bug():
    expr = parse(EXAMPLES["f = (a*b) * (a+b)"])
    values = dict(expr.defaults)
    numeric = steps.numerical_grads(expr.value_of, values, h=1e-6)
    right = expr.build(values)
    right.root.backward()
    wrong = expr.build(values)
    BackwardStepper(wrong.root, accumulate=False).run()
    for name in values:
        assert right.leaves[name].grad == pytest.approx(numeric[name], abs=1e-4)
    assert any(abs(wrong.leaves[n].grad - numeric[n]) > 1e-2 for n in values)


def test_trace_describes_nodes_and_edges(lecture_graph):
    L, _ = lecture_graph()
    L.backward()
    nodes = steps.trace(L)
    assert len(nodes) == 7 and nodes[-1].data == -8.0 and nodes[-1].op == "*"
    leaves = {n.label: n for n in nodes if not n.children}
    assert leaves["a"].grad == 6.0
    assert len(steps.edges(nodes)) == 6
    twice = steps.trace(parse("a = 1; b = a + a").build().root)
    assert len(steps.edges(twice)) == 2  # a is used twice


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_stepper_gives_backwards_numbers_to_the_bit(name):
    stepped, plain = parse(EXAMPLES[name]).build(), parse(EXAMPLES[name]).build()
    BackwardStepper(stepped.root).run()
    plain.root.backward()
    assert [v.grad for v in steps.build_topo(stepped.root)] == [
        v.grad for v in steps.build_topo(plain.root)
    ]


def test_a_second_pass_without_zeroing_doubles_the_leaves(lecture_graph):
    L, v = lecture_graph()
    BackwardStepper(L).run()
    BackwardStepper(L).run()  # each pass starts the inner nodes from 0: only leaves add up
    assert [v[k].grad for k in "abcf"] == [12.0, -8.0, -4.0, 8.0]


def test_local_derivatives_come_from_each_nodes_backward():
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    a.grad, b.grad = 0.25, 0.5  # put back afterwards
    assert steps.local_derivatives(a * b) == (-2.0, 3.0)
    assert steps.local_derivatives(a / b) == (1 / -2.0, -3.0 / 4.0)
    assert steps.local_derivatives(a - b) == (1.0, -1.0)
    assert steps.local_derivatives(a**3) == (27.0,)
    assert steps.local_derivatives(a.tanh()) == (1 - math.tanh(3.0) ** 2,)
    assert (a.grad, b.grad) == (0.25, 0.5)
    # a node using one child twice: one local derivative per use
    assert steps.local_derivatives(a + a) == (1.0, 1.0)
    assert steps.local_derivatives(a * a) == (3.0, 3.0)
    assert steps.local_derivatives(a - a) == (1.0, -1.0)
    assert steps.local_derivatives(a / a) == (1 / 3.0, -3.0 / 9.0)
    assert a.grad == 0.25
    x = Value(2.0, label="x")
    sentences = [t.sentence for s in BackwardStepper(x * x).run() for t in s.terms]
    assert sentences == [
        "grad(x) += grad(*→4) * x = 1 * 2 = 2",
        "grad(x) += grad(*→4) * x = 1 * 2 = 2   (now 4)",
    ]
