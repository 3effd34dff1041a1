import base64
import dataclasses
import io
import json

import numpy as np
import plotly.colors
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image
from plotly.colors import hex_to_rgb
from sklearn import metrics

import gmmcore
from dashboard import budget, charts, choose_k, compare, datasets, explain, mathtext


@pytest.fixture(scope="module")
def iris():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3))
    return d, c, compare.pca_view(c.X)


def _regions(fig):
    """A still figure's decision regions read back from its layout image: cell centres
    xs (n_x,), ys (n_y,), labels (n_y, n_x) with row 0 the lowest y, and the picture."""
    (image,) = [im for im in fig.layout.images if im.name == "decision regions"]
    assert image.source.startswith("data:image/png;base64,")
    assert (image.xref, image.yref, image.layer) == ("x", "y", "below")
    picture = Image.open(io.BytesIO(base64.b64decode(image.source.split(",", 1)[1])))
    assert picture.mode == "P"
    labels = np.asarray(picture)[::-1]
    n_y, n_x = labels.shape
    xs = image.x + image.sizex / n_x * (np.arange(n_x) + 0.5)
    ys = image.y - image.sizey + image.sizey / n_y * (np.arange(n_y) + 0.5)
    return xs, ys, labels, picture


def _by_name(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def test_kmeans_figure_points_centroids_and_regions(aniso):
    d, c, view = aniso
    fig = charts.kmeans_figure(c, view)
    assert isinstance(fig, go.Figure)
    points = _by_name(fig, "K-means ")
    # 600 points: SVG markers (a WebGL chart costs more to set up than it saves here).
    assert len(points) == 3 and all(isinstance(t, go.Scatter) for t in points)
    assert sum(len(t.x) for t in points) == len(d.X)
    for j, t in enumerate(points):
        assert t.marker.color == charts.cluster_color(j)
        np.testing.assert_array_equal(c.kmeans_labels[t.customdata], j)
    centroids = _by_name(fig, "centroids")[0]
    np.testing.assert_allclose(np.column_stack([centroids.x, centroids.y]),
                               c.kmeans.cluster_centers_)
    # For 2-D data the regions are exact: each cell is its centre's nearest centroid.
    xs, ys, labels = charts.kmeans_regions(c, view, view.points(c.X))
    gx, gy = np.meshgrid(xs, ys)
    np.testing.assert_array_equal(
        labels.ravel(), c.kmeans.predict(np.column_stack([gx.ravel(), gy.ravel()])))
    # They are drawn as a picture under the plot, a pixel per cell centred on its cell,
    # each in its cluster's colour, translucent.
    assert not [t for t in fig.data if isinstance(t, go.Heatmap)]
    image_xs, image_ys, image_labels, picture = _regions(fig)
    np.testing.assert_array_equal(image_labels, labels)
    np.testing.assert_allclose(image_xs, xs, rtol=0, atol=1e-9 * np.ptp(xs))
    np.testing.assert_allclose(image_ys, ys, rtol=0, atol=1e-9 * np.ptp(ys))
    assert picture.getpalette()[:9] == [v for j in range(3)
                                        for v in plotly.colors.hex_to_rgb(charts.cluster_color(j))]
    assert picture.info["transparency"] == bytes([round(255 * charts.REGION_OPACITY)] * 3)
    assert fig.layout.xaxis.title.text == "x1" and fig.layout.yaxis.title.text == "x2"
    assert fig.layout.yaxis.scaleanchor == "x"
    # Equal axes by stretching the ranges, not the plot's box (which makes Streamlit's
    # chart redraw itself several times over).
    assert fig.layout.yaxis.constrain == fig.layout.xaxis.constrain == "range"


def test_regions_fill_every_plot_shape_the_equal_axes_can_take(aniso):
    d, c, view = aniso
    xy = view.points(c.X)
    lo, hi = charts.data_box(xy)
    for fig in (charts.kmeans_figure(c, view), charts.gmm_figure(c, view)):
        xs, ys, _, _ = _regions(fig)
        # The axes show the data; the regions reach as far as equal axes can stretch
        # that view in a plot 0.75 to 1.6 times as wide as tall.
        assert fig.layout.xaxis.range == (lo[0], hi[0])
        assert fig.layout.yaxis.range == (lo[1], hi[1])
        span = hi - lo
        low_aspect, high_aspect = charts.REGION_ASPECTS
        assert xs[-1] - xs[0] >= span[1] * high_aspect * 0.999
        assert ys[-1] - ys[0] >= span[0] / low_aspect * 0.999
        cells = np.diff(xs)[0], np.diff(ys)[0]
        assert cells[0] == pytest.approx(cells[1], rel=0.05)  # square cells


def test_many_points_are_drawn_with_webgl_few_with_svg():
    assert charts.scatter_type(charts.SVG_MAX_POINTS) is go.Scatter
    assert charts.scatter_type(charts.SVG_MAX_POINTS + 1) is go.Scattergl
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(1500, 2)), rng.normal(5, size=(1500, 2))])
    c = compare.compare(X, compare.Settings(k=2))
    view = compare.feature_view(("a", "b"), "a", "b")
    for fig in (charts.kmeans_figure(c, view), charts.gmm_figure(c, view)):
        points = [t for t in fig.data if (t.name or "").startswith(("K-means ", "GMM "))]
        assert points and all(isinstance(t, go.Scattergl) for t in points)
        assert sum(len(t.x) for t in points) == len(X)


def test_compare_figures_are_what_plotlys_checks_make_of_them(aniso, iris):
    # Built without Plotly's checks (charts.unchecked), for speed: rebuilt with every
    # property checked (an unknown one raises), each is the same figure.
    for _, c, view in (aniso, iris):
        for outline in (True, False):
            for build in (charts.kmeans_figure, charts.gmm_figure):
                fig = build(c, view, outline)
                checked = go.Figure(fig.to_plotly_json())
                assert (json.loads(pio.to_json(checked, validate=False))
                        == json.loads(pio.to_json(fig, validate=False)))


def test_gmm_figure_ellipses_and_disagreement(aniso):
    d, c, view = aniso
    fig = charts.gmm_figure(c, view)
    points = _by_name(fig, "GMM ")
    for j, t in enumerate(points):
        assert t.marker.color == charts.cluster_color(j)
        np.testing.assert_array_equal(c.gmm_labels[t.customdata], j)
    ellipses = [t for t in fig.data if t.name in ("1σ", "2σ")]
    assert len(ellipses) == 6
    one = np.column_stack([ellipses[0].x, ellipses[0].y])
    # Points on the 1σ outline are at Mahalanobis distance 1 from the mean.
    diff = one - c.gmm_means[0]
    maha = np.einsum("nd,de,ne->n", diff, np.linalg.inv(c.gmm_covariances[0]), diff)
    np.testing.assert_allclose(maha, 1.0, rtol=1e-6)
    legend = _by_name(fig, "outlined: differ")[0]
    assert f", {int(c.disagree.sum())} (" in legend.name
    outlined = np.concatenate([c.disagree[t.customdata] for t in points])
    widths = np.concatenate([t.marker.line.width for t in points])
    np.testing.assert_array_equal(widths > 0, outlined)
    xs, ys, labels = charts.gmm_regions(c, view, view.points(c.X))
    gx, gy = np.meshgrid(xs, ys)
    raw = c.gmm.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    np.testing.assert_array_equal(labels.ravel(), np.argsort(c.order)[raw])
    np.testing.assert_array_equal(_regions(fig)[2], labels)


def test_both_clusterings_stay_visible_with_40_percent_disagreement(aniso):
    d, c, view = aniso
    rng = np.random.RandomState(0)
    flip = rng.rand(len(c.X)) < 0.4
    labels = c.kmeans_labels.copy()
    labels[flip] = (labels[flip] + 1) % 3  # the methods disagree on 40 % of the rows
    busy = dataclasses.replace(c, gmm_labels=labels)
    share = busy.disagree.mean()
    assert 0.38 < share < 0.42
    for figure, prefix, own in ((charts.kmeans_figure, "K-means ", c.kmeans_labels),
                                (charts.gmm_figure, "GMM ", labels)):
        fig = figure(busy, view)
        points = _by_name(fig, prefix)
        # Every point keeps its own cluster's colour; disagreements add only an outline.
        assert sum(len(t.x) for t in points) == len(c.X)
        for j, t in enumerate(points):
            assert t.marker.color == charts.cluster_color(j)
            np.testing.assert_array_equal(own[t.customdata], j)
            np.testing.assert_array_equal(t.marker.line.width > 0, busy.disagree[t.customdata])
        assert f"{share:.0%})" in _by_name(fig, "outlined")[0].name
        plain = figure(busy, view, False)
        assert not _by_name(plain, "outlined")
        assert all(t.marker.line.width is None for t in _by_name(plain, prefix))


def test_projected_views_for_many_features(iris):
    d, c, view = iris
    for fig in (charts.kmeans_figure(c, view), charts.gmm_figure(c, view)):
        assert fig.layout.xaxis.title.text == "PC 1"
        xs, ys, labels, _ = _regions(fig)
        assert labels.shape == (len(ys), len(xs))
        assert charts.GRID_SIZE <= max(len(xs), len(ys)) <= 2 * charts.GRID_SIZE
        assert set(np.unique(labels)) <= {0, 1, 2}


def test_large_data_is_thinned_for_display_with_a_note():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (30_000, 2)), rng.normal(6, 1, (30_000, 2))])
    c = compare.compare(X, compare.Settings(k=2))
    fig = charts.kmeans_figure(c, compare.feature_view(("a", "b"), "a", "b"), max_points=5000)
    assert sum(len(t.x) for t in _by_name(fig, "K-means ")) == 5000
    assert "showing 5,000 of 60,000" in charts.title_text(fig, "subtitle")


def test_responsibility_heatmap_sorted_and_thinned(aniso):
    _, c, _ = aniso
    fig = charts.responsibility_heatmap(c.resp, max_rows=200)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (200, 3)
    assigned = z.argmax(axis=1)
    assert np.all(np.diff(assigned) >= 0)
    for j in range(3):
        top = z[assigned == j].max(axis=1)
        assert np.all(np.diff(top) <= 1e-12)
    assert "200 of 600" in charts.title_text(fig, "subtitle")


def test_uncertainty_and_histogram(aniso):
    _, c, view = aniso
    fig = charts.uncertainty_figure(view, c.X, c.resp)
    np.testing.assert_allclose(fig.data[0].marker.color, 1 - c.resp.max(axis=1))
    hist = charts.max_responsibility_histogram(c.resp)
    np.testing.assert_allclose(hist.data[0].x, c.resp.max(axis=1))


def test_convergence_figures(aniso):
    _, c, _ = aniso
    fig = charts.gmm_convergence_figure(c.gmm.lower_bounds_, c.gmm.converged_)
    np.testing.assert_allclose(fig.data[0].y, c.gmm.lower_bounds_)
    assert any("converged" in a.text for a in fig.layout.annotations)
    change = charts.change_figure(np.diff(c.gmm.lower_bounds_, prepend=np.nan), 1e-3,
                                  "change", "tol")
    assert change.layout.yaxis.type == "log"
    assert len(change.layout.shapes) == 1
    km = charts.kmeans_convergence_figure(c.kmeans.inertias_, True)
    np.testing.assert_allclose(km.data[0].y, c.kmeans.inertias_)


def test_scatter_matrix_coloured_by_label():
    d = datasets.load("iris")
    fig = charts.scatter_matrix(d.X, d.columns, d.labels)
    assert len(fig.data) == 3 and all(isinstance(t, go.Splom) for t in fig.data)
    assert [dim.label for dim in fig.data[0].dimensions] == list(d.columns)
    plain = charts.scatter_matrix(d.X, d.columns)
    assert len(plain.data) == 1


def test_two_features_are_a_plain_scatter_and_one_a_histogram():
    # Plotly draws nothing for a two-dimension scatter matrix without its upper half.
    d = datasets.load("anisotropic")
    pair = charts.scatter_matrix(d.X, d.columns, d.labels)
    assert all(isinstance(t, go.Scatter) for t in pair.data) and len(pair.data) == 3
    assert sum(len(t.x) for t in pair.data) == len(d.X)
    assert pair.layout.xaxis.title.text == "x1" and pair.layout.yaxis.title.text == "x2"
    single = charts.scatter_matrix(d.X[:, :1], d.columns[:1])
    assert isinstance(single.data[0], go.Histogram) and len(single.data[0].x) == len(d.X)


def test_ellipse_points_radius():
    pts = charts.ellipse_points(np.zeros(2), np.diag([4.0, 1.0]), 2)
    np.testing.assert_allclose(np.abs(pts[:, 0]).max(), 4.0, rtol=1e-3)
    np.testing.assert_allclose(np.abs(pts[:, 1]).max(), 2.0, rtol=1e-3)


# --------------------------------------------- step-through, inspector, Choose K
def test_mixed_colors_blend_the_cluster_colours():
    resp = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    colors = charts.mixed_colors(resp)
    first = hex_to_rgb(charts.cluster_color(0))
    second = hex_to_rgb(charts.cluster_color(1))
    assert colors[0] == "rgb({},{},{})".format(*first)
    assert colors[1] == "rgb({},{},{})".format(*second)
    middle = np.rint((np.array(first) + np.array(second)) / 2).astype(int)
    assert colors[2] == "rgb({},{},{})".format(*middle)


def test_gmm_step_figure_shows_the_parameters_of_that_iteration(aniso):
    d, c, view = aniso
    rows = charts.display_rows(len(c.X), 500)
    step = explain.gmm_step(c, 1, rows)
    fig = charts.gmm_step_figure(view, c.X, rows, step, c.gmm.n_iter_)
    points = fig.data[0]
    assert len(points.x) == len(rows) == 500
    assert points.marker.color == tuple(charts.mixed_colors(step.resp))
    means = next(t for t in fig.data if t.name == "means")
    np.testing.assert_allclose(np.column_stack([means.x, means.y]), step.means)
    before = _by_name(fig, "means before")[0]
    np.testing.assert_allclose(np.column_stack([before.x, before.y]), step.previous_means)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 3
    np.testing.assert_allclose([(a.ax, a.ay, a.x, a.y) for a in arrows],
                               np.hstack([step.previous_means, step.means]))
    outline = _by_name(fig, "1σ")[0]
    P = np.linalg.inv(step.covariances[0])
    diff = np.column_stack([outline.x, outline.y]) - step.means[0]
    np.testing.assert_allclose(np.einsum("ij,jk,ik->i", diff, P, diff), 1.0, rtol=1e-6)
    assert "iteration 1 of" in charts.title_text(fig)
    start = charts.gmm_step_figure(view, c.X, rows, explain.gmm_step(c, 0, rows), 5)
    assert "initialisation" in charts.title_text(start)
    assert not [a for a in start.layout.annotations if a.showarrow]  # no arrows yet
    assert "500 of 600" in charts.title_text(start, "subtitle")


def test_kmeans_step_figure_regions_follow_the_centroids_of_that_iteration(aniso):
    d, c, view = aniso
    rows = np.arange(len(c.X))
    step = explain.kmeans_step(c, 0, rows)
    fig = charts.kmeans_step_figure(view, c.X, rows, step, c.kmeans.n_iter_)
    regions = fig.data[0]
    xs, ys = np.meshgrid(regions.x, regions.y)
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    nearest = ((grid[:, None] - step.centers[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(np.asarray(regions.z).ravel(), nearest)
    for j, trace in enumerate(_by_name(fig, "K-means ")):
        np.testing.assert_array_equal(step.labels[trace.customdata], j)
    # Nothing before the first step (the trace is there, empty, for the animation).
    assert len(_by_name(fig, "centroids before")[0].x) == 0
    assert not [a for a in fig.layout.annotations if a.showarrow]


def _frame_applied(base, frame):
    """``base``'s JSON with an animation frame applied as Plotly.animate applies it."""
    out = json.loads(pio.to_json(base, validate=False))
    for i, part in zip(frame["traces"], frame["data"]):
        for key, value in part.items():
            if key == "marker":
                out["data"][i]["marker"]["color"] = value["color"]
            elif key != "type":
                out["data"][i][key] = value
    out["layout"]["annotations"] = frame["layout"]["annotations"]  # (the title among them)
    return out


def _decoded(value):
    """Plotly JSON with its binary arrays decoded, for comparing values."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    if isinstance(value, dict):  # (an empty list is the same as no value)
        return {k: _decoded(v) for k, v in value.items() if not (isinstance(v, list) and not v)}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def _assert_close(a, b, path=""):
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            _assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-6, atol=1e-9, err_msg=path)
    elif isinstance(a, list) and a and isinstance(a[0], dict):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_close(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


@pytest.mark.parametrize("method", ["gmm", "kmeans"])
def test_play_frames_turn_one_iteration_into_each_next(aniso, method):
    d, c, view = aniso
    rows = charts.display_rows(len(c.X), 500)
    n_iter = (c.gmm if method == "gmm" else c.kmeans).n_iter_

    def figure(t, **kwargs):
        if method == "gmm":
            return charts.gmm_step_figure(view, c.X, rows, explain.gmm_step(c, t, rows),
                                          n_iter, **kwargs)
        return charts.kmeans_step_figure(view, c.X, rows, explain.kmeans_step(c, t, rows),
                                         n_iter, **kwargs)

    # Plotly's checks skipped give the same figure; every iteration has the same traces.
    for t in (0, 1, n_iter):
        _assert_close(_decoded(json.loads(pio.to_json(figure(t, validate=False)))),
                      _decoded(json.loads(pio.to_json(figure(t)))), f"t={t}")
        assert [tr.name for tr in figure(t).data] == [tr.name for tr in figure(0).data]
    frames = [charts.step_frame(figure(t, validate=False), t) for t in range(n_iter + 1)]
    fig = charts.animated(figure(1, figure=charts.AnimatedFigure), frames, 1)
    spec = json.loads(pio.to_json(fig, validate=False))
    go.Figure(spec)  # frames, buttons and all: a figure Plotly accepts
    assert [f["name"] for f in spec["frames"]] == [str(t) for t in range(n_iter + 1)]
    play, pause = spec["layout"]["updatemenus"][0]["buttons"]
    assert play["args"][0] == [str(t) for t in range(2, n_iter + 1)]
    assert play["args"][1]["frame"]["duration"] == charts.FRAME_MS
    # Each frame applied to the figure of iteration 1 gives that iteration's figure.
    base = figure(1)
    for t, frame in zip(range(n_iter + 1), spec["frames"]):
        _assert_close(_decoded(_frame_applied(base, frame)),
                      _decoded(json.loads(pio.to_json(figure(t), validate=False))), f"t={t}")
    # Frames carry only what changes: the mixture's points keep their places.
    if method == "gmm":
        assert set(spec["frames"][2]["data"][0]) == {"type", "marker", "customdata"}
    assert len(pio.to_json(fig, validate=False)) < 12 * len(pio.to_json(base, validate=False))


def test_step_curve_marks_the_iteration():
    fig = charts.step_curve_figure([-3.0, -2.5, -2.4], 1, "title", "ll", "red")
    assert list(fig.data[0].x) == [0, 1, 2]
    assert (fig.data[1].x[0], fig.data[1].y[0]) == (1, -2.5)


def test_inspector_figure_stars_the_row_and_joins_it_to_every_centre(aniso):
    d, c, view = aniso
    e = explain.explain_point(c, explain.default_point(c))
    fig = charts.inspector_figure(c, view, e)
    star = _by_name(fig, f"row {e.row}")[0]
    assert (star.x[0], star.y[0]) == tuple(c.X[e.row])
    lines = _by_name(fig, "to GMM means")[0]
    ends = np.array([(x, y) for x, y in zip(lines.x, lines.y) if x is not None])[1::2]
    np.testing.assert_allclose(ends, c.gmm_means)
    # Clicking a point must report its row: every point trace carries the rows.
    for trace in _by_name(fig, "GMM "):
        assert len(trace.customdata) == len(trace.x)
    assert fig.layout.clickmode == "event+select"


def test_terms_figure_stacks_to_the_log_density(aniso):
    d, c, view = aniso
    e = explain.explain_point(c, 5)
    np.testing.assert_allclose(charts.kmeans_terms_figure(e).data[0].y, e.sq_euclidean)
    fig = charts.gmm_terms_figure(e)
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    stacked = np.sum([t.y for t in bars], axis=0)
    np.testing.assert_allclose(stacked, e.terms.log_joint[0])
    np.testing.assert_allclose(_by_name(fig, "total")[0].y, e.terms.log_joint[0])
    assert fig.layout.barmode == "relative"
    assert f"cluster {e.gmm_pick + 1}" in charts.title_text(fig, "subtitle")


def test_restart_curves_bold_the_best():
    runs = [{"restart": 1, "best": False, "curve": np.array([1.0, 2.0]), "inertia": 2.0},
            {"restart": 2, "best": True, "curve": np.array([1.5, 1.0, 0.5]), "inertia": 0.5}]
    fig = charts.restart_curves_figure(runs, "inertia", "t", "inertia")
    assert [t.name for t in fig.data] == ["restart 1", "restart 2 (best)"]
    assert fig.data[1].line.width > fig.data[0].line.width
    assert list(fig.data[1].x) == [1, 2, 3]


@pytest.fixture(scope="module")
def grid(iris):
    d, c, view = iris
    return gmmcore.select_models(c.X, [1, 2, 3, 4], random_state=0)


def test_selection_charts_mark_the_best_model(grid):
    for criterion in charts.CRITERIA:
        best_type, best_k = choose_k.lowest(grid, criterion)
        i = grid["covariance_types"].index(best_type)
        j = list(grid["k"]).index(best_k)
        assert grid[criterion][i, j] == np.nanmin(grid[criterion])
        lines = charts.selection_lines(grid, criterion)
        assert [t.name for t in lines.data[:4]] == grid["covariance_types"]
        star = _by_name(lines, "best")[0]
        assert (star.x[0], star.y[0]) == (best_k, grid[criterion][i, j])
        heat = charts.selection_heatmap(grid, criterion)
        shape = heat.layout.shapes[0]
        assert (shape.x0 + 0.5, shape.y0 + 0.5) == (j, i)
        assert heat.layout.xaxis.type == "category"


def test_the_recommendation_is_the_simplest_model_close_to_the_lowest():
    result = {"k": np.array([1, 2, 3, 4]), "covariance_types": ["full", "diag"],
              "bic": np.array([[500.0, 300.0, 210.0, 200.0], [400.0, 305.0, 203.0, 199.0]]),
              "n_parameters": np.array([[5, 11, 17, 23], [4, 9, 14, 19]])}
    assert choose_k.lowest(result, "bic") == ("diag", 4)
    # Within 10 of 199: (full, 4) 200, (diag, 3) 203, (diag, 4) 199 -> fewest parameters.
    assert choose_k.recommended(result, "bic") == ("diag", 3)
    assert choose_k.recommended(result, "bic", margin=0) == ("diag", 4)


def test_failed_cells_show_as_failed_and_no_best_when_all_fail():
    result = {"k": np.array([1, 2]), "covariance_types": ["full"],
              "bic": np.array([[np.nan, np.nan]])}
    assert choose_k.recommended(result, "bic") is None
    fig = charts.selection_heatmap(result, "bic")
    assert list(fig.data[0].text[0]) == ["failed", "failed"]
    assert not fig.layout.shapes


def test_elbow_figure_has_inertia_and_silhouette_axes():
    fig = charts.elbow_figure([1, 2, 3], [10.0, 4.0, 3.0], [np.nan, 0.6, 0.5])
    assert [t.name for t in fig.data] == ["inertia", "mean silhouette"]
    assert fig.data[1].yaxis == "y2"
    assert "silhouette" in fig.layout.yaxis2.title.text
    assert fig.layout.yaxis.title.text == "inertia"


def test_the_grid_scores_k_means_at_every_k_as_scikit_learn_does():
    # The grid shares one matrix of distances between its K; no K's score may change.
    X = datasets.load("anisotropic").X
    settings = choose_k.grid_settings(compare.Settings(k=3))
    plan = budget.plan_grid(len(X), X.shape[1], (1, 2, 3, 4), settings, ("full",))
    _, kmeans = choose_k.grid_scores(X, settings, plan)
    assert list(kmeans["k"]) == [1, 2, 3, 4]
    for k, inertia, score in zip(kmeans["k"][1:], kmeans["inertia"][1:],
                                 kmeans["silhouette"][1:]):
        model = compare.kmeans_model(settings, int(k), plan=plan).fit(X)
        assert inertia == model.inertia_
        assert 0 < score < 1
        assert score == pytest.approx(metrics.silhouette_score(X, model.labels_), rel=1e-12)
    assert np.isnan(kmeans["silhouette"][0])  # one cluster has no silhouette
    assert np.all(np.diff(kmeans["inertia"]) < 0)


def test_latex_numbers():
    assert mathtext.number(0.5) == "0.5"
    assert mathtext.number(1.23456e-7) == r"1.235 \times 10^{-7}"
    assert mathtext.number_from_log(np.log(0.25)) == "0.25"
    assert mathtext.number_from_log(-1000.0) == r"5.08 \times 10^{-435}"
    assert mathtext.number_from_log(-np.inf) == "0"
    assert mathtext.matrix(np.eye(2)) == r"\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}"
    assert mathtext.vector([1, 2]) == r"\begin{pmatrix}1 \\ 2\end{pmatrix}"
