import numpy as np
import pytest
from sklearn import metrics

import gmmcore
from dashboard import compare, datasets


def _cmp(key="anisotropic", **settings):
    d = datasets.load(key)
    return d, compare.compare(d.X, compare.Settings(**{"k": d.suggested_k, **settings}))


def test_match_labels_finds_the_permutation():
    reference = np.array([0, 0, 1, 1, 2, 2, 2])
    labels = np.array([2, 2, 0, 0, 1, 1, 0])
    order, matched = compare.match_labels(reference, labels, 3)
    np.testing.assert_array_equal(matched, [0, 0, 1, 1, 2, 2, 1])
    np.testing.assert_array_equal(order, [2, 0, 1])


def test_matched_labels_and_responsibilities_agree():
    _, c = _cmp()
    assert c.gmm_labels.shape == c.kmeans_labels.shape
    np.testing.assert_array_equal(c.resp.argmax(axis=1), c.gmm_labels)
    np.testing.assert_allclose(c.resp.sum(axis=1), 1.0)
    np.testing.assert_allclose(c.gmm_means, c.gmm.means_[c.order])
    # Matching can only increase agreement between the two labelings.
    raw = c.gmm.predict(c.X)
    assert (c.gmm_labels == c.kmeans_labels).sum() >= (raw == c.kmeans_labels).sum()


def test_disagree_count_matches_metrics():
    _, c = _cmp()
    summary = compare.agreement(c)
    assert summary["n_disagree"] == int((c.kmeans_labels != c.gmm_labels).sum())
    assert summary["ari"] == pytest.approx(
        metrics.adjusted_rand_score(c.kmeans_labels, c.gmm_labels))


def test_metrics_table_has_every_metric():
    d, c = _cmp("iris")
    names = [row["metric"] for row in compare.metrics_table(c, d.labels)]
    for name in ["ARI vs true labels", "NMI vs true labels", "Silhouette", "K-means inertia",
                 "Mean log-likelihood", "BIC", "AIC", "Iterations", "Converged",
                 "Fit time (ms)"]:
        assert name in names
    table = {row["metric"]: row for row in compare.metrics_table(c, d.labels)}
    assert table["BIC"]["GMM"] == pytest.approx(c.gmm.bic(c.X))
    assert table["K-means inertia"]["K-means"] == pytest.approx(c.kmeans.inertia_)


def test_settings_change_the_fit():
    _, full = _cmp(covariance_type="full")
    _, spherical = _cmp(covariance_type="spherical")
    assert full.gmm.covariances_.shape != spherical.gmm.covariances_.shape
    _, k4 = _cmp(k=4)
    assert k4.resp.shape[1] == 4


def test_standardize_scales_columns():
    d, c = _cmp("iris", standardize=True)
    np.testing.assert_allclose(c.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(c.X.std(axis=0), 1)


def test_gmm_failure_keeps_kmeans_and_explains():
    X = np.repeat([[0.0, 0.0], [5.0, 5.0], [9.0, 1.0]], 10, axis=0)
    c = compare.compare(X, compare.Settings(k=3, reg_covar=0.0))
    assert c.gmm is None and "reg_covar" in c.gmm_error
    assert c.kmeans_labels.shape == (30,)
    rows = compare.metrics_table(c)
    assert {r["metric"]: r for r in rows}["Converged"]["GMM"] == "failed"


def test_degenerate_data_gives_a_note():
    X = np.vstack([np.random.RandomState(0).normal(size=(50, 2)), np.ones((30, 2)) * 8])
    c = compare.compare(X, compare.Settings(k=3))
    assert c.gmm is not None
    assert any("flat" in n or "collapsed" in n for n in c.warnings)


def test_fewer_distinct_points_than_k_warns():
    X = np.repeat([[0.0, 0.0], [4.0, 4.0]], 10, axis=0)
    c = compare.compare(X, compare.Settings(k=3))
    assert any("distinct" in n for n in c.warnings)


def test_views_project_points_means_and_covariances():
    d, c = _cmp("iris")
    view = compare.pca_view(c.X)
    xy = view.points(c.X)
    assert xy.shape == (150, 2)
    np.testing.assert_allclose(xy.mean(axis=0), 0, atol=1e-12)
    cov2 = view.covariances(c.gmm_covariances)
    assert cov2.shape == (3, 2, 2)
    assert (np.linalg.eigvalsh(cov2) > 0).all()
    fv = compare.feature_view(d.columns, "petal length", "sepal width")
    np.testing.assert_array_equal(fv.points(c.X), c.X[:, [2, 1]])
    assert not fv.is_exact
    assert compare.feature_view(("a", "b"), "a", "b").is_exact


def test_data_digest_changes_with_content():
    a = np.zeros((5, 2))
    b = a.copy()
    b[3, 1] = 1e-300
    assert compare.data_digest(a) != compare.data_digest(b)
    assert compare.data_digest(a) == compare.data_digest(a.copy())


def test_format_value():
    assert compare.format_value(None) == ""
    assert compare.format_value(0.123456) == "0.1235"
    assert compare.format_value(1234567.8) == "1,234,568"
    assert compare.format_value(np.int64(12345)) == "12,345"
    assert compare.format_value("yes") == "yes"


def test_history_is_kept_for_replay():
    _, c = _cmp()
    assert len(c.gmm.history_) == c.gmm.n_iter_ + 1
    assert len(c.kmeans.history_) == c.kmeans.n_iter_ + 1
    assert isinstance(c.gmm, gmmcore.GaussianMixture)


def test_scale_advice_names_the_features_and_the_ratio():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(0, 1e4, 300), rng.normal(0, 1.0, 300)])
    advice = compare.scale_advice(X, ("income", "rooms"))
    assert "about 10,000-fold" in advice
    assert "'income'" in advice and "'rooms'" in advice and "Standardise" in advice
    assert compare.scale_advice(X / [1e4, 1], ("income", "rooms")) is None


def test_a_flat_cluster_is_blamed_on_its_real_cause():
    rng = np.random.RandomState(0)
    centres = rng.normal(0, 3e4, size=(3, 1))
    x = np.concatenate([c + rng.normal(0, 1e3, 200) for c in centres[:, 0]])
    X = np.column_stack([x, rng.normal(0, 1.0, 600)])  # 'rooms' spreads 10,000 times less
    c = compare.compare(X, compare.Settings(k=3), columns=("income", "rooms"))
    notes = " ".join(c.warnings)
    assert "nearly flat" in notes and "thin along 'rooms'" in notes and "Standardise" in notes
    assert "repeat" not in notes

    repeated = np.repeat([[0.0, 0.0], [5.0, 5.0], [9.0, 1.0], [3.0, 7.0]], 50, axis=0)
    repeated = repeated + np.r_[np.zeros((150, 2)), rng.normal(0, 1, (50, 2))]
    c = compare.compare(repeated, compare.Settings(k=4), columns=("a", "b"))
    assert "distinct values (repeated rows)" in " ".join(c.warnings)
