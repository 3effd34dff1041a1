import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard import charts, compare, datasets


@pytest.fixture(scope="module")
def aniso():
    d = datasets.load("anisotropic")
    c = compare.compare(d.X, compare.Settings(k=3))
    return d, c, compare.feature_view(d.columns, "x1", "x2")


@pytest.fixture(scope="module")
def iris():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3))
    return d, c, compare.pca_view(c.X)


def _by_name(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def test_kmeans_figure_points_centroids_and_regions(aniso):
    d, c, view = aniso
    fig = charts.kmeans_figure(c, view)
    assert isinstance(fig, go.Figure)
    points = _by_name(fig, "K-means ")
    assert len(points) == 3 and all(isinstance(t, go.Scattergl) for t in points)
    assert sum(len(t.x) for t in points) == len(d.X)
    for j, t in enumerate(points):
        assert t.marker.color == charts.cluster_color(j)
        np.testing.assert_array_equal(c.kmeans_labels[t.customdata], j)
    centroids = _by_name(fig, "centroids")[0]
    np.testing.assert_allclose(np.column_stack([centroids.x, centroids.y]),
                               c.kmeans.cluster_centers_)
    regions = fig.data[0]
    assert isinstance(regions, go.Heatmap)
    # For 2-D data the regions are exact: each cell is its centre's nearest centroid.
    z = np.asarray(regions.z)
    gx, gy = np.meshgrid(regions.x, regions.y)
    np.testing.assert_array_equal(
        z.ravel(), c.kmeans.predict(np.column_stack([gx.ravel(), gy.ravel()])))
    assert fig.layout.xaxis.title.text == "x1" and fig.layout.yaxis.title.text == "x2"
    assert fig.layout.yaxis.scaleanchor == "x"


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
    ring = _by_name(fig, "assigned differently")[0]
    assert len(ring.x) == c.disagree.sum()
    assert f"({int(c.disagree.sum())})" in ring.name
    z = np.asarray(fig.data[0].z)
    gx, gy = np.meshgrid(fig.data[0].x, fig.data[0].y)
    raw = c.gmm.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    np.testing.assert_array_equal(z.ravel(), np.argsort(c.order)[raw])


def test_projected_views_for_many_features(iris):
    d, c, view = iris
    for fig in (charts.kmeans_figure(c, view), charts.gmm_figure(c, view)):
        assert fig.layout.xaxis.title.text == "PC 1"
        assert np.asarray(fig.data[0].z).shape == (charts.GRID_SIZE, charts.GRID_SIZE)
        assert set(np.unique(fig.data[0].z)) <= {0, 1, 2}


def test_large_data_is_thinned_for_display_with_a_note():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (30_000, 2)), rng.normal(6, 1, (30_000, 2))])
    c = compare.compare(X, compare.Settings(k=2))
    fig = charts.kmeans_figure(c, compare.feature_view(("a", "b"), "a", "b"), max_points=5000)
    assert sum(len(t.x) for t in _by_name(fig, "K-means ")) == 5000
    assert "showing 5,000 of 60,000" in fig.layout.title.text


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
    assert "200 of 600" in fig.layout.title.text


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


def test_ellipse_points_radius():
    pts = charts.ellipse_points(np.zeros(2), np.diag([4.0, 1.0]), 2)
    np.testing.assert_allclose(np.abs(pts[:, 0]).max(), 4.0, rtol=1e-3)
    np.testing.assert_allclose(np.abs(pts[:, 1]).max(), 2.0, rtol=1e-3)
