"""CurvePlot: plain axis numbers, a legend that keeps clear of the data."""

from __future__ import annotations

import numpy as np

from playground.ui.widgets.curves import HEADROOM, CurvePlot


def test_axes_show_no_si_prefix_artefacts(qtbot):
    plot = CurvePlot("Accuracy", "epoch", "accuracy", stepped=True)
    qtbot.addWidget(plot)
    plot.add_curve("train", "#0072B2")
    plot.append("train", np.linspace(0.0, 0.002, 20), np.linspace(0.0, 0.003, 20))
    plot.clear_curves()  # as a restart does
    plot.append("train", [0.001], [0.002])
    for name in ("bottom", "left"):
        assert "x0.001" not in plot.getAxis(name).labelString()
        assert "(" not in plot.getAxis(name).labelString()


def test_the_y_range_leaves_headroom_for_the_legend(qtbot):
    plot = CurvePlot("Loss", stepped=True)
    qtbot.addWidget(plot)
    plot.add_curve("train", "#0072B2")
    plot.append("train", np.arange(1, 50), 2.0 / np.arange(1, 50))
    _, (y0, y1) = plot.plotItem.vb.viewRange()
    assert y1 >= 2.0 * HEADROOM * 0.99
    plot.resize(400, 300)
    plot.show()
    vb, legend = plot.plotItem.vb, plot.plotItem.legend

    def legend_in_lower_half() -> bool:
        box = legend.mapRectToScene(legend.boundingRect())
        return box.center().y() > vb.sceneBoundingRect().center().y()

    qtbot.waitUntil(lambda: legend.isVisible())
    assert not legend_in_lower_half()  # losses fall: the legend sits top right
    plot.set_y_limits(0, 1)  # accuracies rise: it moves to the bottom right
    qtbot.waitUntil(legend_in_lower_half)


def test_one_pinned_curve_is_named_in_the_legend_more_are_keyed_by_the_table(qtbot):
    plot = CurvePlot("Loss", stepped=True)
    qtbot.addWidget(plot)
    plot.add_curve("train", "#0072B2")
    legend = plot.plotItem.legend

    def names() -> list[str]:
        return [label.text for _, label in legend.items]

    plot.set_overlay("a", [1, 2], [1.0, 0.5], "#CC79A7", "run 1")
    assert names() == ["train", "run 1"]
    plot.set_overlay("b", [1, 2], [1.0, 0.4], "#009E73", "run 2")
    assert names() == ["train"]
    plot.set_overlay("a", [1, 2], [1.0, 0.5], "#CC79A7", "run 1", visible=False)
    assert names() == ["train", "run 2"]
    plot.remove_overlay("b")
    assert names() == ["train"]
