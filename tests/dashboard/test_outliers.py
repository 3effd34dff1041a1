"""The outlier page's logic and figures: scores and flags against scikit-learn's models on
the same fitted parameters, precision and recall, the table, the sentences, fig.data."""

import dataclasses
import functools
import math
import re

import numpy as np
import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.metrics import precision_score, recall_score
from sklearn.mixture import GaussianMixture as SKGaussianMixture

from dashboard import charts, compare, export, generate, outliers
from dashboard.generate import PRESETS, Recipe


@functools.cache
def _fit(preset="overlapping", covariance_type="full", standardize=False, **changes):
    recipe = Recipe.checked({**dataclasses.asdict(PRESETS[preset].recipe), **changes}) \
        if changes else PRESETS[preset].recipe
    d = generate.dataset(recipe)
    c = compare.compare(d.X, compare.Settings(k=recipe.clusters, covariance_type=covariance_type,
                                              standardize=standardize))
    return d, c


def _sklearn_scores(c):
    """Both scores from scikit-learn's models holding the fitted parameters."""
    km = SKKMeans(c.kmeans.n_clusters)
    km.cluster_centers_, km.n_features_in_, km._n_threads = c.kmeans.cluster_centers_, \
        c.X.shape[1], 1
    gmm = SKGaussianMixture(c.gmm.n_components, covariance_type=c.gmm.covariance_type)
    gmm.weights_, gmm.means_ = c.gmm.weights_, c.gmm.means_
    gmm.covariances_, gmm.precisions_cholesky_ = c.gmm.covariances_, c.gmm.precisions_cholesky_
    return km.transform(c.X).min(axis=1), km.predict(c.X), gmm.score_samples(c.X)


def _top(values, share):
    flagged = np.zeros(len(values), dtype=bool)
    flagged[np.argsort(-values)[:math.ceil(share * len(values) - 1e-9)]] = True
    return flagged


# ------------------------------------------------------------------ scores, flags
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_scores_and_flags_match_scikit_learn(covariance_type):
    _, c = _fit("overlapping", covariance_type)
    s = outliers.scores(c)
    distance, nearest, log_density = _sklearn_scores(c)
    np.testing.assert_allclose(s.distance, distance, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(s.nearest, nearest)
    np.testing.assert_array_equal(s.nearest, c.kmeans_labels)
    np.testing.assert_allclose(s.log_density, log_density, rtol=1e-9)
    np.testing.assert_array_equal(s.gmm_cluster, c.gmm_labels)
    for share in (0.005, 0.03, 0.25):
        f = outliers.flag(s, share)
        np.testing.assert_array_equal(f.kmeans, _top(distance, share))
        np.testing.assert_array_equal(f.gmm, _top(-log_density, share))
        n_flagged = math.ceil(share * len(c.X) - 1e-9)
        assert f.counts()["kmeans"] == f.counts()["gmm"] == n_flagged
        assert (s.distance[f.kmeans] >= f.kmeans_cut).all()
        assert (s.distance[~f.kmeans] <= f.kmeans_cut).all()
        assert (s.log_density[f.gmm] <= f.gmm_cut).all()
        assert (s.log_density[~f.gmm] >= f.gmm_cut).all()


def test_the_sets_partition_into_both_and_each_alone():
    _, c = _fit()
    f = outliers.flag(outliers.scores(c), 0.05)
    counts = f.counts()
    assert counts["both"] + counts["only_kmeans"] == counts["kmeans"]
    assert counts["both"] + counts["only_gmm"] == counts["gmm"]
    np.testing.assert_array_equal(f.one_only, f.only_kmeans | f.only_gmm)
    assert not (f.only_kmeans & f.only_gmm).any()
    words = outliers.flagged_by(f)
    assert set(words[f.both]) == {"both"} and set(words[~f.either]) == {""}
    assert set(words[f.only_gmm]) <= {"GMM only"}


def test_precision_and_recall_against_the_generator_s_outliers():
    d, c = _fit("overlapping", outlier_pct=10.0, points=1000)
    truth = outliers.true_outliers(d.labels)
    assert truth.sum() == 100
    f = outliers.flag(outliers.scores(c), 0.1)
    rows = {r["method"]: r for r in outliers.precision_recall(f, truth)}
    for name, mask in (("K-means", f.kmeans), ("GMM", f.gmm)):
        assert rows[name]["precision"] == pytest.approx(precision_score(truth, mask))
        assert rows[name]["recall"] == pytest.approx(recall_score(truth, mask))
        assert rows[name]["flagged"] == 100
        assert rows[name]["true outliers flagged"] == int((truth & mask).sum())
    # Uniform background over a box around clusters is mostly far out: both find most.
    assert min(rows["K-means"]["recall"], rows["GMM"]["recall"]) > 0.5


def test_true_outliers_only_where_the_labels_name_them():
    assert outliers.true_outliers(None) is None
    assert outliers.true_outliers(np.array([1, 2, 3])) is None
    assert outliers.true_outliers(np.array(["a", "b"])) is None
    np.testing.assert_array_equal(outliers.true_outliers(np.array(["a", "outlier", "a"])),
                                  [False, True, False])


def test_nothing_flagged_gives_nan_precision_not_an_error():
    f = outliers.Flags(0.0, np.zeros(4, bool), np.zeros(4, bool), math.inf, -math.inf)
    rows = outliers.precision_recall(f, np.array([True, False, False, False]))
    assert math.isnan(rows[0]["precision"]) and rows[0]["recall"] == 0


def test_the_first_row_shown_is_one_the_methods_disagree_on():
    _, c = _fit()
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    assert f.one_only.any() and f.one_only[outliers.default_row(s, f)]
    agree = outliers.Flags(0.05, f.both, f.both, f.kmeans_cut, f.gmm_cut)
    assert outliers.default_row(s, agree) == int(np.argmin(s.log_density))


# ------------------------------------------------------------------ the table
def test_the_table_lists_the_flagged_rows_least_probable_first():
    d, c = _fit()
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    table = outliers.table(c, s, f, d.columns, d.X, d.labels)
    assert len(table) == f.either.sum()
    assert list(table.columns) == ["row", "flagged by", "K-means distance", "K-means cluster",
                                   "GMM log-density", "GMM cluster", "true label", "x1", "x2"]
    assert set(table["row"]) == set(np.flatnonzero(f.either))
    assert (np.diff(table["GMM log-density"]) >= 0).all()
    first = table.iloc[0]
    row = int(first["row"])
    assert first["K-means distance"] == s.distance[row]
    assert first["K-means cluster"] == c.kmeans_labels[row] + 1
    assert first["GMM cluster"] == c.gmm_labels[row] + 1
    assert first["true label"] == d.labels[row] and first["x1"] == d.X[row, 0]
    assert len(outliers.table(c, s, f, d.columns, d.X, max_rows=5)) == 5


def test_the_table_gives_source_rows_and_data_units_when_sampled_and_standardised():
    d = generate.dataset(Recipe(points=5000, outlier_pct=2.0))
    c = compare.compare(d.X, compare.Settings(k=3, standardize=True),
                        compare.budget.Limits(pass_seconds=1e-5, min_fit_rows=2000))
    assert c.rows is not None and len(c.X) < 5000
    s = outliers.scores(c)
    f = outliers.flag(s, 0.02)
    table = outliers.table(c, s, f, ("row", "x2"), d.X, d.labels)
    assert list(table.columns[:2]) == ["row", "source_row"] and "row (feature)" in table
    np.testing.assert_array_equal(table["source_row"], c.rows[table["row"]])
    np.testing.assert_array_equal(table["row (feature)"], d.X[table["source_row"], 0])
    np.testing.assert_array_equal(table["true label"], d.labels[table["source_row"]])


def test_the_csv_of_flagged_rows_is_formula_safe():
    d, c = _fit()
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    columns = ("=HYPERLINK(\"https://evil.example\")", "@x2")
    raw = export.to_csv_bytes(outliers.table(c, s, f, columns, d.X, d.labels)).decode()
    header = raw.splitlines()[0]
    assert "'=HYPERLINK" in header and "'@x2" in header
    assert len(raw.splitlines()) == f.either.sum() + 1


# ------------------------------------------------------------------ in words
def _numbers(text):
    return text.replace("−", "-")


def test_the_numbers_behind_the_sentences():
    _, c = _fit("unequal_variance", outlier_pct=5.0)
    s = outliers.scores(c)
    row = int(np.argmin(s.log_density))
    v = outliers.row_view(c, s, row)
    k = c.order[v.gmm_cluster]
    assert v.mahalanobis ** 2 == pytest.approx(c.gmm.mahalanobis(c.X[row:row + 1])[0, k])
    covariance = c.gmm_covariances[v.gmm_cluster]
    assert v.spread == pytest.approx(np.linalg.det(covariance) ** (1 / 4))
    assert v.euclidean_to_mean == pytest.approx(np.linalg.norm(c.X[row] - c.gmm.means_[k]))
    mine = s.distance[c.kmeans_labels == v.nearest]
    assert v.typical_distance == pytest.approx(np.sqrt(np.mean(mine ** 2)))
    values = np.linalg.eigvalsh(covariance)
    assert v.elongation == pytest.approx(np.sqrt(values[-1] / values[0]))


@pytest.mark.parametrize("which", ["only_kmeans", "only_gmm", "both", "neither"])
def test_each_sentence_says_what_each_method_does_and_why(which):
    _, c = _fit("overlapping", points=2000)
    s = outliers.scores(c)
    f = outliers.flag(s, 0.03)
    mask = ~f.either if which == "neither" else getattr(f, which)
    row = int(np.flatnonzero(mask)[0])
    kmeans, gmm, contrast = outliers.explain_row(c, s, f, row)
    assert kmeans.startswith("**K-means flags it.**" if f.kmeans[row]
                             else "**K-means does not flag it.**")
    assert gmm.startswith("**The GMM flags it.**" if f.gmm[row]
                          else "**The GMM does not flag it.**")
    assert f"{s.distance[row]:.3g}" in kmeans and f"{f.kmeans_cut:.3g}" in kmeans
    assert f"{s.log_density[row]:.4g}" in _numbers(gmm) and f"{f.gmm_cut:.4g}" in gmm
    assert f"cluster {c.gmm_labels[row] + 1}" in gmm and "standard deviations" in gmm
    expected = {"only_kmeans": "far from every centroid", "only_gmm": "yet improbable",
                "both": "Both methods agree", "neither": "Both methods find it typical"}
    assert expected[which] in contrast
    for sentence in (kmeans, gmm, contrast):  # no Markdown but the bold verdicts
        assert not re.search(r"[\[\]<>`$]", sentence)


def test_distances_are_said_to_be_standardised_when_they_are():
    _, c = _fit("overlapping", standardize=True)
    s = outliers.scores(c)
    f = outliers.flag(s, 0.03)
    assert "(in standardised units)" in outliers.explain_row(c, s, f, 0)[0]


def test_a_tight_cluster_s_edge_is_improbable_while_a_wide_cluster_s_is_not():
    # A wide and a tight cluster: at the same share the GMM flags more rows of the tight
    # cluster's edge than K-means does, and K-means more of the wide cluster's.
    d, c = _fit("unequal_variance", points=3000)
    s = outliers.scores(c)
    f = outliers.flag(s, 0.03)
    wide, tight = "cluster 1", "cluster 3"  # the generator's widest and narrowest
    assert (d.labels[f.kmeans] == wide).sum() > (d.labels[f.gmm] == wide).sum()
    assert (d.labels[f.gmm] == tight).sum() > (d.labels[f.kmeans] == tight).sum()


# ------------------------------------------------------------------ figures
def _traces(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_the_outlier_figure_shows_the_method_s_flags_and_rings_the_disagreements(method):
    d, c = _fit()
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    view = compare.feature_view(d.columns, "x1", "x2")
    row = outliers.default_row(s, f)
    fig = charts.outlier_figure(c, view, s, f, method, selected=row)
    mine = getattr(f, method)
    name = outliers.METHODS[method]
    (flagged,) = _traces(fig, f"flagged by {name}: {int(mine.sum())}")
    (typical,) = _traces(fig, "not flagged")
    (ringed,) = _traces(fig, f"only one flags: {int(f.one_only.sum())}")
    assert sorted(flagged.customdata) == list(np.flatnonzero(mine))
    assert sorted(typical.customdata) == list(np.flatnonzero(~mine))
    assert len(ringed.x) == f.one_only.sum()
    np.testing.assert_allclose(np.column_stack([flagged.x, flagged.y]), d.X[flagged.customdata])
    score = s.distance if method == "kmeans" else s.log_density
    np.testing.assert_allclose(flagged.text.astype(float), score[flagged.customdata], rtol=1e-3)
    (contour,) = [t for t in fig.data if t.type == "contour"]
    cut = f.kmeans_cut if method == "kmeans" else f.gmm_cut
    assert contour.contours.start == contour.contours.end == cut
    (star,) = _traces(fig, f"row {row}")
    assert (star.x[0], star.y[0]) == tuple(d.X[row])
    centres = _traces(fig, "centroids" if method == "kmeans" else "means")
    assert len(centres) == 1 and len(centres[0].x) == 3
    assert (len(_traces(fig, "1σ")) == 3) == (method == "gmm")
    assert charts.title_text(fig) == charts.OUTLIER_TITLES[method]


def test_the_kmeans_cut_contour_is_the_distance_to_the_nearest_centroid():
    d, c = _fit()
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    fig = charts.outlier_figure(c, compare.feature_view(d.columns, "x1", "x2"), s, f, "kmeans")
    (contour,) = [t for t in fig.data if t.type == "contour"]
    gx, gy = np.meshgrid(contour.x, contour.y)
    centres = c.kmeans.cluster_centers_
    expected = np.sqrt(((np.stack([gx, gy], axis=-1)[:, :, None, :] - centres) ** 2)
                       .sum(axis=-1).min(axis=-1))
    np.testing.assert_allclose(contour.z, expected, rtol=1e-9, atol=1e-9)


def test_a_projected_view_has_no_cut_line_and_every_flagged_row_is_drawn():
    d = generate.dataset(Recipe(points=3000, features=4, outlier_pct=3.0))
    c = compare.compare(d.X, compare.Settings(k=3))
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    fig = charts.outlier_figure(c, compare.pca_view(c.X), s, f, "gmm", max_points=400)
    assert not [t for t in fig.data if t.type == "contour"]
    (flagged,) = _traces(fig, "flagged by GMM")
    assert len(flagged.x) == f.gmm.sum()  # thinning never hides a flagged row
    assert "showing" in charts.title_text(fig, "subtitle")


def test_an_unknown_method_is_refused():
    d, c = _fit()
    s = outliers.scores(c)
    with pytest.raises(ValueError, match="kmeans, gmm"):
        charts.outlier_figure(c, compare.feature_view(d.columns, "x1", "x2"), s,
                              outliers.flag(s, 0.05), "dbscan")


def test_the_scores_figure_plots_both_scores_with_both_cuts():
    _, c = _fit()
    s = outliers.scores(c)
    f = outliers.flag(s, 0.05)
    fig = charts.outlier_scores_figure(s, f, selected=3)
    counts = f.counts()
    expected = {"neither": int((~f.either).sum()), "both": counts["both"],
                "K-means only": counts["only_kmeans"], "GMM only": counts["only_gmm"]}
    for category, n in expected.items():
        (trace,) = _traces(fig, f"flagged by {category}: {n}")
        assert len(trace.x) == n
        rows = np.asarray(trace.customdata, dtype=int)
        np.testing.assert_allclose(trace.x, s.distance[rows])
        np.testing.assert_allclose(trace.y, s.log_density[rows])
    vertical, horizontal = fig.layout.shapes
    assert vertical.x0 == vertical.x1 == f.kmeans_cut
    assert horizontal.y0 == horizontal.y1 == f.gmm_cut
    (star,) = _traces(fig, "row 3")
    assert (star.x[0], star.y[0]) == (s.distance[3], s.log_density[3])
