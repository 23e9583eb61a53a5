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


def test_the_legend_is_a_row_above_the_plot_area_and_covers_no_curve(qtbot):
    """Issue 18: legends covered curves (Boundary and Digits accuracy plots).  The legend
    sits between the title and the plot area, at any size, with or without a pinned run."""
    plot = CurvePlot("Accuracy", "epoch", "accuracy", stepped=True)
    qtbot.addWidget(plot)
    plot.add_curve("train (batches)", "#0072B2")
    plot.add_curve("test", "#D55E00", symbol="o")
    plot.set_y_limits(0, 1)
    plot.append("train (batches)", np.linspace(0, 1, 50), np.linspace(0.1, 1.0, 50))
    plot.show()
    vb, legend, title = plot.plotItem.vb, plot.plotItem.legend, plot.plotItem.titleLabel

    def boxes():
        return [item.mapRectToScene(item.boundingRect()) for item in (legend, vb, title)]

    for width, pinned in ((420, 0), (420, 1), (210, 0), (210, 1), (150, 1)):
        if pinned:
            plot.set_overlay("a", [0, 1], [0.2, 0.9], "#CC79A7", "run 1 (lr 0.05)")
        else:
            plot.remove_overlay("a")
        plot.resize(width, 260)
        qtbot.waitUntil(lambda w=width: plot.width() == w)
        qtbot.wait(20)
        legend_box, data_box, title_box = boxes()
        assert legend_box.height() > 0 and len(legend.items) == 2 + pinned
        assert legend_box.bottom() <= data_box.top() + 0.5, (width, pinned)  # above the data
        assert legend_box.top() >= title_box.bottom() - 0.5  # under the title
        assert legend_box.left() >= 0 and legend_box.right() <= width  # whole, not cut
    assert legend.columnCount < 3  # 150 pixels: the entries wrap onto more rows
    plot.resize(600, 260)
    qtbot.waitUntil(lambda: legend.columnCount == 3)  # room again: one row


def test_the_y_range_keeps_a_little_room_above_the_data(qtbot):
    plot = CurvePlot("Loss", stepped=True)
    qtbot.addWidget(plot)
    plot.add_curve("train", "#0072B2")
    plot.append("train", np.arange(1, 50), 2.0 / np.arange(1, 50))
    _, (y0, y1) = plot.plotItem.vb.viewRange()
    assert y0 <= 0 and 2.0 * HEADROOM * 0.99 <= y1 <= 3.0


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
