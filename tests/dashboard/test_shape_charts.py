"""The 3-D view, the density contours and the distance rings, checked on fig.data."""

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.spatial.distance import mahalanobis
from scipy.stats import chi2
from sklearn.decomposition import PCA

import gmmcore
from dashboard import charts, compare, datasets, explain, shape_charts, shapes


@pytest.fixture(scope="module")
def iris():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3))
    return d, c


def _named(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def _maha_sq(points, mean, cov):
    diff = np.asarray(points) - mean
    return np.einsum("nd,de,ne->n", diff, np.linalg.inv(cov), diff)


def _random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


# ------------------------------------------------------------------- geometry
def test_ellipsoid_mesh_lies_at_the_mahalanobis_radius_and_is_closed():
    rng = np.random.RandomState(0)
    mean, cov = rng.normal(size=3), _random_spd(rng, 3)
    for radius in (1, 2):
        vertices, triangles = shapes.ellipsoid_mesh(mean, cov, radius)
        np.testing.assert_allclose(_maha_sq(vertices, mean, cov), radius**2, rtol=1e-9)
        # A closed surface: every edge is shared by exactly two triangles, and
        # vertices - edges + faces = 2 (a sphere).
        edges = {}
        for tri in triangles:
            for a, b in ((tri[0], tri[1]), (tri[1], tri[2]), (tri[2], tri[0])):
                key = (min(a, b), max(a, b))
                edges[key] = edges.get(key, 0) + 1
        assert set(edges.values()) == {2}
        assert len(vertices) - len(edges) + len(triangles) == 2
        assert triangles.min() == 0 and triangles.max() == len(vertices) - 1


def test_a_flat_component_still_gives_a_drawable_ellipsoid():
    vertices, _ = shapes.ellipsoid_mesh(np.zeros(3), np.diag([1.0, 1.0, 0.0]), 1)
    assert np.isfinite(vertices).all()
    np.testing.assert_allclose(vertices[:, 2], 0, atol=1e-12)


def test_cross_mesh_is_centred_with_the_arms_asked_for():
    center, arms = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.2, 0.1])
    vertices, triangles = shapes.cross_mesh(center, arms)
    np.testing.assert_allclose(vertices.mean(axis=0), center)
    np.testing.assert_allclose(vertices.max(axis=0) - center, arms)
    assert triangles.shape == (36, 3) and triangles.max() == 23


def test_three_axes_keeps_valid_distinct_choices_and_fills_the_rest():
    columns = ("a", "b", "c", "d")
    assert shapes.three_axes(columns, ("d", "a", "b")) == (("d", "a", "b"), False)
    assert shapes.three_axes(columns, ("a", "a", "zzz")) == (("a", "b", "c"), True)
    assert shapes.three_axes(columns, (None, None, None)) == (("a", "b", "c"), True)


def test_pca_view3_is_sklearns_first_three_components(iris):
    _, c = iris
    view = shapes.pca_view3(c.X)
    pca = PCA(3).fit(c.X)
    np.testing.assert_allclose(np.abs(view.A), np.abs(pca.components_), atol=1e-10)
    np.testing.assert_allclose(view.A @ view.A.T, np.eye(3), atol=1e-12)
    assert view.axis_titles == ("PC 1", "PC 2", "PC 3") and "variance" in view.note


def test_ellipsoid_mass_is_the_chi_squared_distribution():
    for r in (1, 2, 3):
        for d in (2, 3, 5):
            assert shapes.ellipsoid_mass(r, d) == pytest.approx(chi2.cdf(r * r, d))


def test_density_grid_resolution_is_bounded_before_computing():
    for layers in range(1, 14):
        side = shapes.density_grid_size(layers)
        assert shapes.DENSITY_MIN_GRID <= side <= shapes.DENSITY_GRID
        assert side * side * layers <= max(shapes.DENSITY_VALUES,
                                           shapes.DENSITY_MIN_GRID**2 * layers)


def test_kmeans_spread_is_the_root_of_inertia_per_value(aniso):
    d, c, _ = aniso
    s = shapes.kmeans_spread(c)
    assert s == pytest.approx(np.sqrt(c.kmeans.inertia_ / c.X.size), rel=1e-9)


# ------------------------------------------------------------------------ 3-D
@pytest.mark.parametrize("which", ["pca", "features"])
def test_gmm_3d_ellipsoids_are_the_projected_covariances(iris, which):
    d, c = iris
    view3 = (shapes.pca_view3(c.X) if which == "pca"
             else shapes.feature_view3(d.columns, ("petal width", "sepal length", "petal length")))
    fig = shape_charts.gmm_3d_figure(c, view3)
    points = [t for t in fig.data if (t.name or "").startswith("GMM ")]
    assert len(points) == 3 and all(isinstance(t, go.Scatter3d) for t in points)
    assert sum(len(t.x) for t in points) == len(c.X)
    for j, t in enumerate(points):
        assert t.marker.color == charts.cluster_color(j)
        np.testing.assert_array_equal(c.gmm_labels[t.customdata], j)
    means = view3.means(c.gmm_means)
    covs = view3.covariances(c.gmm_covariances)  # A Σ Aᵀ
    for radius in (1, 2):
        meshes = _named(fig, f"{radius}σ ellipsoid")
        assert len(meshes) == 3 and all(isinstance(m, go.Mesh3d) for m in meshes)
        assert [m.showlegend for m in meshes] == [True, False, False]
        for j, mesh in enumerate(meshes):
            assert mesh.color == charts.cluster_color(j) and 0 < mesh.opacity < 1
            vertices = np.column_stack([mesh.x, mesh.y, mesh.z])
            np.testing.assert_allclose(_maha_sq(vertices, means[j], covs[j]), radius**2,
                                       rtol=1e-8)
    centers = _named(fig, "means")[0]
    np.testing.assert_allclose(np.column_stack([centers.x, centers.y, centers.z]), means)
    scene = fig.layout.scene
    assert scene.xaxis.title.text == view3.axis_titles[0]
    assert scene.zaxis.title.text == view3.axis_titles[2]
    assert fig.layout.uirevision  # a rotation survives reruns
    plain = shape_charts.gmm_3d_figure(c, view3, outline=True, ellipsoids=False)
    assert not [t for t in plain.data if t.type == "mesh3d"]


def test_with_three_features_the_ellipsoid_is_the_full_covariance():
    d = datasets.load("iris")
    X = d.X[:, :3]
    c = compare.compare(X, compare.Settings(k=2))
    view3 = shapes.feature_view3(d.columns[:3], d.columns[:3])
    mesh = _named(shape_charts.gmm_3d_figure(c, view3), "1σ ellipsoid")[0]
    vertices = np.column_stack([mesh.x, mesh.y, mesh.z])
    np.testing.assert_allclose(_maha_sq(vertices, c.gmm_means[0], c.gmm_covariances[0]), 1,
                               rtol=1e-8)


def test_kmeans_3d_centroid_crosses_rings_and_labels(iris):
    _, c = iris
    view3 = shapes.pca_view3(c.X)
    fig = shape_charts.kmeans_3d_figure(c, view3)
    points = _named(fig, "K-means ")
    assert sum(len(t.x) for t in points) == len(c.X)
    for j, t in enumerate(points):
        np.testing.assert_array_equal(c.kmeans_labels[t.customdata], j)
        assert t.marker.symbol == charts.cluster_symbol(j, three_d=True)
    crosses = _named(fig, "centroids")
    assert len(crosses) == 3 and all(isinstance(t, go.Mesh3d) for t in crosses)
    centroids = view3.means(c.kmeans.cluster_centers_)
    for j, cross in enumerate(crosses):
        np.testing.assert_allclose(np.column_stack([cross.x, cross.y, cross.z]).mean(axis=0),
                                   centroids[j], atol=1e-12)
        assert cross.color == charts.cluster_color(j)
    rings = _named(fig, "ringed: differ")[0]
    n = int(c.disagree.sum())
    assert len(rings.x) == n and f", {n} (" in rings.name
    assert rings.marker.symbol == "circle-open"
    ringed = np.column_stack([rings.x, rings.y, rings.z])
    np.testing.assert_allclose(ringed, view3.points(c.X[c.disagree]))
    assert not _named(shape_charts.kmeans_3d_figure(c, view3, outline=False), "ringed")


def test_3d_thins_large_data_says_so_and_stretches_only_when_it_must():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (8000, 3)), rng.normal(6, 1, (8000, 3))])
    c = compare.compare(X, compare.Settings(k=2))
    view3 = shapes.feature_view3(("a", "b", "c"), ("a", "b", "c"))
    fig = shape_charts.kmeans_3d_figure(c, view3, max_points=5000)
    assert sum(len(t.x) for t in _named(fig, "K-means ")) == 5000
    assert "showing 5,000 of 16,000" in charts.title_text(fig, "subtitle")
    ratio = fig.layout.scene.aspectratio
    assert "stretched" not in charts.title_text(fig, "subtitle")
    assert max(ratio.x, ratio.y, ratio.z) == pytest.approx(1)
    flat = compare.compare(X * [1, 1, 0.01], compare.Settings(k=2))
    fig = shape_charts.kmeans_3d_figure(flat, view3)
    assert "stretched to a cube" in charts.title_text(fig, "subtitle")
    assert fig.layout.scene.aspectratio.z == 1


def test_3d_axis_titles_from_a_file_are_text():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(200, 3))
    names = ("<b>bold</b>", "a&b", "plain")
    c = compare.compare(X, compare.Settings(k=2))
    fig = shape_charts.gmm_3d_figure(c, shapes.feature_view3(names, names))
    assert fig.layout.scene.xaxis.title.text == "&lt;b&gt;bold&lt;/b&gt;"
    assert fig.layout.scene.yaxis.title.text == "a&amp;b"


# -------------------------------------------------------------------- density
def _grid_of(trace):
    gx, gy = np.meshgrid(trace.x, trace.y)
    return np.column_stack([gx.ravel(), gy.ravel()])


def test_density_contours_are_score_samples_on_the_grid(aniso):
    d, c, view = aniso
    fig = shape_charts.density_figure(c, view)
    contour = _named(fig, "mixture log-density")[0]
    assert isinstance(contour, go.Contour) and contour.contours.coloring == "lines"
    z = np.asarray(contour.z)
    side = shapes.density_grid_size(1)
    assert z.shape == (side, side)
    np.testing.assert_allclose(z.ravel(), c.gmm.score_samples(_grid_of(contour)), rtol=1e-9,
                               atol=1e-9)
    # Levels from the data's floor up to just below the peak, evenly spaced.
    levels = contour.contours
    assert levels.start < levels.end < z.max() and levels.size > 0
    at_points = c.gmm.score_samples(c.X)
    assert levels.start == pytest.approx(np.percentile(at_points, 2))
    assert not _named(fig, "component ")
    assert fig.layout.yaxis.scaleanchor == "x"


def test_per_component_contours_add_up_to_the_mixture(aniso):
    d, c, view = aniso
    fig = shape_charts.density_figure(c, view, components=True)
    parts = _named(fig, "component ")
    assert len(parts) == 3
    mixture = np.asarray(_named(fig, "mixture log-density")[0].z)
    stacked = np.stack([np.asarray(t.z) for t in parts])
    np.testing.assert_allclose(np.logaddexp.reduce(stacked, axis=0), mixture, atol=1e-9)
    side = shapes.density_grid_size(4)
    assert mixture.shape == (side, side)
    for j, t in enumerate(parts):
        assert t.colorscale[0][1] == charts.cluster_color(j) and t.line.dash == "dot"
        # Component j's contour is log π_j + log N_j at every grid point.
        grid = _grid_of(t)
        expected = np.log(c.gmm_weights[j]) + gmmcore.GaussianMixture.from_parameters(
            [1.0], c.gmm_means[j:j + 1], c.gmm_covariances[j:j + 1], "full").score_samples(grid)
        np.testing.assert_allclose(np.asarray(t.z).ravel(), expected, atol=1e-9)


def test_projected_density_is_the_marginal_mixture(iris):
    _, c = iris
    view = compare.pca_view(c.X)
    fig = shape_charts.density_figure(c, view)
    contour = _named(fig, "mixture log-density")[0]
    marginal = gmmcore.GaussianMixture.from_parameters(
        c.gmm_weights, view.means(c.gmm_means), view.covariances(c.gmm_covariances), "full")
    np.testing.assert_allclose(np.asarray(contour.z).ravel(),
                               marginal.score_samples(_grid_of(contour)), rtol=1e-7)
    # Monte Carlo: the 2-D view of the mixture's samples follows that density.
    samples = view.points(c.gmm.sample(20000)[0])
    assert marginal.score(samples) == pytest.approx(
        np.mean(shapes.log_density_grid(c, view, samples)[0]), abs=1e-9)
    assert "every component projected" in charts.title_text(fig, "subtitle")


# ----------------------------------------------------------- distance pictures
@pytest.mark.parametrize("unit", ["spread", "data"])
def test_euclidean_circles_have_radius_r_round_the_centroid(aniso, unit):
    d, c, view = aniso
    j, row = 2, 5
    fig = shape_charts.distance_figure(c, view, j, row, "euclidean", unit)
    length = shapes.kmeans_spread(c) if unit == "spread" else 1.0
    center = c.kmeans.cluster_centers_[j]
    rings = _named(fig, "distance ")
    assert len(rings) == 3
    for r, ring in zip((1, 2, 3), rings):
        outline = np.column_stack([ring.x, ring.y])
        np.testing.assert_allclose(np.linalg.norm(outline - center, axis=1), r * length,
                                   rtol=1e-12)
        assert ring.line.color == charts.cluster_color(j)
    marker = _named(fig, f"centroid {j + 1}")[0]
    np.testing.assert_allclose([marker.x[0], marker.y[0]], center)
    assert charts.title_text(fig) == f"K-means: Euclidean distance to centroid {j + 1}"
    if unit == "spread":
        assert f"s = {length:.3g}" in charts.title_text(fig, "subtitle")


def test_mahalanobis_ellipses_lie_at_distance_r_round_the_mean(aniso):
    d, c, view = aniso
    j = 1
    fig = shape_charts.distance_figure(c, view, j, None, "mahalanobis")
    for r, ring in zip((1, 2, 3), _named(fig, "distance ")):
        outline = np.column_stack([ring.x, ring.y])
        np.testing.assert_allclose(_maha_sq(outline, c.gmm_means[j], c.gmm_covariances[j]),
                                   r * r, rtol=1e-9)
    assert not _named(fig, "row ")


def test_both_halves_share_their_axes_and_hover_full_distances(iris):
    _, c = iris
    view = compare.pca_view(c.X)
    j, row = 1, 77
    left = shape_charts.distance_figure(c, view, j, row, "euclidean")
    right = shape_charts.distance_figure(c, view, j, row, "mahalanobis")
    assert left.layout.xaxis.range == right.layout.xaxis.range
    assert left.layout.yaxis.range == right.layout.yaxis.range
    s = shapes.kmeans_spread(c)
    inverse = np.linalg.inv(c.gmm_covariances[j])
    for fig, prefix, labels in ((left, "K-means ", c.kmeans_labels),
                                (right, "GMM ", c.gmm_labels)):
        traces = _named(fig, prefix)
        assert sum(len(t.x) for t in traces) == len(c.X)
        for k, t in enumerate(traces):
            data = np.asarray(t.customdata)
            rows = data[:, 0].astype(int)
            np.testing.assert_array_equal(labels[rows], k)
            # Full-dimensional distances, not those on the plane.
            np.testing.assert_allclose(
                data[:, 1], np.linalg.norm(c.X[rows] - c.kmeans.cluster_centers_[j], axis=1) / s)
            np.testing.assert_allclose(
                data[:, 2], [mahalanobis(x, c.gmm_means[j], inverse) for x in c.X[rows]])
        star = _named(fig, f"row {row}")[0]
        np.testing.assert_allclose([star.x[0], star.y[0]], view.points(c.X[row:row + 1])[0])
    assert "projected onto this view" in charts.title_text(left, "subtitle")
    # A ball projects to a disc of the same radius: the plane's circles have radius r s.
    circle = _named(left, "distance 2")[0]
    center = view.means(c.kmeans.cluster_centers_[j:j + 1])[0]
    np.testing.assert_allclose(np.linalg.norm(np.column_stack([circle.x, circle.y]) - center,
                                              axis=1), 2 * s)


def test_rings_in_words_places_the_row_and_says_which_method_finds_it_near():
    words = explain.rings_in_words(12, 0, 2.5, 1.2, "spread", (1, 0), (1, 0.8, 3.9))
    assert words[0] == ("Row 12 is **2.50 s** from centroid 1 (between the 2 and 3 circles) "
                        "and at Mahalanobis distance **1.20** from mean 1 (between the 1 and 2 "
                        "ellipses).")
    assert "*far* for K-means and *near* for the GMM" in words[1]
    assert words[2] == "K-means puts it in cluster 2, the GMM in cluster 1."
    assert "cluster 2: 0.80 s from its centroid, Mahalanobis distance 3.90" in words[3]
    near = explain.rings_in_words(3, 1, 0.5, 3.5, "data")
    assert "inside the 1 circle" in near[0] and "beyond the 3 ellipse" in near[0]
    assert len(near) == 1  # in the data's units the two numbers are not compared
