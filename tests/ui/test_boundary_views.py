"""The Decision boundary tab's views at any size: edges drawn in turns, heatmaps redrawn only
where they changed, the plane's picture made in the job's thread (no timings here)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.core.toy.config import FEATURE_LABELS, FEATURES
from playground.ui.widgets.network import NetworkView, _EdgePicture, edge_curves
from playground.ui.widgets.plane import PlaneView, contour_segments, grid_axes, plane_picture

FEATURE_LIST = [(k, FEATURE_LABELS[k]) for k in FEATURES]


@pytest.fixture
def big(qtbot):
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(640, 700)
    view.show()
    view.set_architecture(FEATURE_LIST, ("x1", "x2"), (32,) * 6, ["p"])
    return view


def weights(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=(b, a)).astype(np.float32), rng.normal(size=b).astype(np.float32))
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def pictures(view):
    return [pic for layer in view._edge_layers for pic in layer.pictures]


def test_a_big_network_draws_its_edges_in_turns(qtbot, big):
    assert big.edge_count() == 2 * 32 + 5 * 32 * 32 + 32
    pics = pictures(big)
    assert len(pics) > 7  # dense columns are split into several pictures
    assert all(len(p.segments) <= _EdgePicture.MAX_EDGES for p in pics)
    qtbot.waitUntil(lambda: not any(p.dirty for p in pics), timeout=10000)
    assert all(p.item.isVisible() for p in pics)
    big.show_weights(weights([2, *(32,) * 6, 1]))
    assert any(p.dirty for p in pics)  # new pens: drawn by the timer, a few at a time
    qtbot.waitUntil(lambda: not any(p.dirty for p in pics), timeout=10000)
    layer = big._edge_layers[1]
    W = big._weights[1][0]
    assert np.array_equal(layer.keys, NetworkView._key(W).ravel())


def test_an_edge_is_found_under_the_mouse_and_its_curve_is_its_path(qtbot, big):
    small = NetworkView()
    qtbot.addWidget(small)
    small.resize(640, 700)
    small.set_architecture(FEATURE_LIST, ("x1", "x2"), (4, 2), ["p"])
    for key in [(0, 3, 1), (1, 1, 2), (2, 0, 1)]:
        point = small.edge(*key).path().pointAtPercent(0.2)
        assert small._edge_layers[key[0]].edge_at(point) == key[1:]
    point = big.edge(2, 5, 7).path().pointAtPercent(0.5)
    assert big._edge_layers[2].edge_at(point) is not None  # one of those crossing there
    assert big._edge_layers[2].edge_at(type(point)(point.x(), point.y() + 900)) is None
    curve = edge_curves(np.array([[0.0, 0.0]]), np.array([[10.0, 4.0]]))[0, 0]
    assert np.allclose(curve[0], [0, 0]) and np.allclose(curve[-1], [10, 4])
    assert np.allclose(curve[len(curve) // 2], [5, 2])  # the S-curve's middle


def test_heatmaps_are_redrawn_only_where_they_changed_and_in_turns(big):
    rng = np.random.default_rng(1)
    maps = rng.normal(size=(32, 100 * 100)).astype(np.float32)
    assert big.show_maps(1, maps, 100, 0.0, 1.0) == 32
    assert big.show_maps(1, maps, 100, 0.0, 1.0) == 0  # nothing changed
    maps[3] += 0.5
    assert big.show_maps(1, maps, 100, 0.0, 1.0) == 1
    other = rng.normal(size=(32, 100 * 100)).astype(np.float32)
    assert big.show_maps(1, other, 100, 0.0, 1.0, limit=10) == 10
    assert big.show_maps(1, other, 100, 0.0, 1.0, limit=10) == 10  # the next ten
    assert big.show_maps(1, other, 100, 0.0, 1.0) == 12  # the rest
    assert all(n.pixmap is not None for n in big._nodes[1])


def test_the_boundary_only_looks_at_cells_it_crosses():
    xs, ys = grid_axes((-6, 6, -6, 6), 100)
    X, Y = np.meshgrid(xs, ys)
    sx, sy = contour_segments(X**2 + Y**2 - 9.0, xs, ys)  # a circle of radius 3
    assert len(sx) > 50 and len(sx) % 2 == 0
    assert np.allclose(np.hypot(sx, sy), 3.0, atol=0.05)
    assert contour_segments(np.ones((100, 100)), xs, ys)[0].size == 0


def test_the_plane_uses_the_picture_made_in_the_jobs_thread(qtbot):
    plane = PlaneView()
    qtbot.addWidget(plane)
    ext = (0.0, 10.0, 0.0, 10.0)
    plane.set_extent(ext, "a", "b", 100)
    xs, ys = grid_axes(ext, 100)
    X, _ = np.meshgrid(xs, ys)
    p1 = (X.ravel() > 5).astype(np.float32)
    probs = np.stack([1 - p1, p1], 1)
    picture = plane_picture(probs, ext, 100)
    picture["image"] = np.zeros_like(picture["image"])  # marked: is this what is drawn?
    plane.show_probs(probs, picture)
    assert plane.image.image.max() == 0
    plane.set_discretize(True)  # the picture's colours are continuous: made here instead
    assert plane.image.image.max() > 0
    wrong = plane_picture(probs, (-6.0, 6.0, -6.0, 6.0), 100)  # another extent: not used
    plane.show_probs(probs, wrong)
    drawn = plane.boundary.getData()[0]
    assert np.array_equal(drawn, plane_picture(probs, ext, 100)["boundary"][0])


def test_the_grid_pass_gives_every_neuron_like_the_model_does():
    import torch

    from playground.core import toy

    ext = toy.extent("fruit")
    model = toy.ToyModel(toy.ToyConfig(hidden=(8, 8), activation="tanh", extent=ext))
    grid = toy.make_grid(ext, 20)
    maps = toy.neuron_maps(model, grid)
    with torch.no_grad():
        h = model.inputs(grid)
        for i, (W, b) in enumerate(model.layers[:-1]):
            h = torch.tanh(h @ W + b)
            assert np.allclose(maps[i + 1], h.T.numpy(), atol=1e-5)
    assert np.allclose(maps[-1][0], model.predict_proba(grid)[:, 1], atol=1e-5)


def test_the_boundary_tab_asks_for_sixty_frames_a_second_and_other_tabs_keep_forty(qtbot):
    from playground.ui.tabs.boundary import BoundaryTab
    from playground.ui.worker import FAST_FRAME_MS, FRAME_MS, Worker

    assert Worker().frame_ms == FRAME_MS == 25
    tab = BoundaryTab()
    qtbot.addWidget(tab)
    assert tab.session.worker.frame_ms == FAST_FRAME_MS == 16
    tab.shutdown()


def test_maps_are_thinned_in_the_job_to_what_a_node_shows(big):
    from playground.ui.tabs.boundary.job import thin_maps

    maps = np.arange(3 * 100 * 100, dtype=np.float32).reshape(3, 100 * 100)
    small = thin_maps(maps, 100, 5)
    assert small.shape == (3, 20 * 20)
    assert np.array_equal(small.reshape(3, 20, 20), maps.reshape(3, 100, 100)[:, ::5, ::5])
    assert thin_maps(maps, 100, 1) is maps
    step = big.map_step(1, 100)  # 6x32's nodes are small: a coarse step
    assert step > 1
    thinned = thin_maps(np.random.default_rng(0).normal(size=(32, 100 * 100)), 100, step)
    side = int(np.sqrt(thinned.shape[1]))
    assert big.show_maps(1, thinned, side, 0.0, 1.0) == 32  # drawn as they come
    assert big.map_step(1, side) == 1
