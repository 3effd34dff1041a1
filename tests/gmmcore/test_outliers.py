"""Per-row outlier scores and flags against scikit-learn's models given the same parameters."""

import math

import numpy as np
import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.mixture import GaussianMixture as SKGaussianMixture

import gmmcore
from gmmcore import center_distances, flag_share, outlier_scores

from .data import DATASETS

COVARIANCE_TYPES = gmmcore.COVARIANCE_TYPES


def _with_outliers(X, seed=0, share=0.05):
    """``X`` plus a share of rows drawn uniformly over a box twice its size."""
    rng = np.random.RandomState(seed)
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    extra = rng.uniform(low - span / 2, high + span / 2, size=(int(share * len(X)), X.shape[1]))
    return np.vstack([X, extra])


def sklearn_mixture(gmm):
    """scikit-learn's GaussianMixture holding the fitted parameters of ``gmm``."""
    sk = SKGaussianMixture(gmm.n_components, covariance_type=gmm.covariance_type)
    sk.weights_, sk.means_ = gmm.weights_, gmm.means_
    sk.covariances_, sk.precisions_cholesky_ = gmm.covariances_, gmm.precisions_cholesky_
    sk.n_features_in_ = gmm.means_.shape[1]
    return sk


def sklearn_kmeans(km):
    """scikit-learn's KMeans holding the fitted centres of ``km``."""
    sk = SKKMeans(km.n_clusters)
    sk.cluster_centers_ = km.cluster_centers_
    sk.n_features_in_ = km.cluster_centers_.shape[1]
    sk._n_threads = 1
    return sk


def sklearn_flags(scores, share):
    """The ceil(share * n) highest-scoring rows, by scikit-learn's scores and NumPy's sort."""
    n_flagged = math.ceil(share * len(scores) - 1e-9)
    flagged = np.zeros(len(scores), dtype=bool)
    flagged[np.argsort(scores)[::-1][:n_flagged]] = True
    return flagged


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_mixture_scores_and_flags_match_scikit_learn(name, covariance_type):
    X = _with_outliers(np.asarray(DATASETS[name](), dtype=float))
    gmm = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    sk = sklearn_mixture(gmm)
    scores = outlier_scores(gmm, X)
    np.testing.assert_allclose(scores, -sk.score_samples(X), rtol=1e-9, atol=1e-9)
    for share in (0.01, 0.05, 0.2):
        flagged, cut = flag_share(scores, share)
        np.testing.assert_array_equal(flagged, sklearn_flags(-sk.score_samples(X), share))
        assert cut == scores[flagged].min() and (scores[~flagged] <= cut).all()


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_kmeans_distances_and_flags_match_scikit_learn(name):
    X = _with_outliers(np.asarray(DATASETS[name](), dtype=float))
    km = gmmcore.KMeans(3, random_state=0).fit(X)
    sk = sklearn_kmeans(km)
    distances, nearest = center_distances(km, X)
    np.testing.assert_allclose(distances, sk.transform(X).min(axis=1), rtol=1e-9,
                               atol=1e-9 * np.abs(X).max())
    np.testing.assert_array_equal(nearest, sk.predict(X))
    np.testing.assert_array_equal(nearest, km.predict(X))
    np.testing.assert_allclose(distances, km.transform(X).min(axis=1), rtol=1e-9,
                               atol=1e-9 * np.abs(X).max())
    np.testing.assert_array_equal(outlier_scores(km, X), distances)
    for share in (0.01, 0.05, 0.2):
        flagged, cut = flag_share(distances, share)
        np.testing.assert_array_equal(flagged, sklearn_flags(sk.transform(X).min(axis=1), share))
        assert cut == distances[flagged].min()


def test_flag_share_counts_rounds_up_and_breaks_ties_by_row():
    scores = np.array([1.0, 5.0, 5.0, 2.0, 5.0, 0.0])
    flagged, cut = flag_share(scores, 2 / 6)
    assert flagged.tolist() == [False, True, True, False, False, False] and cut == 5.0
    assert flag_share(scores, 0.01)[0].sum() == 1  # any share above 0 flags a row
    assert flag_share(np.arange(600.0), 0.02)[0].sum() == 12  # 0.02 * 600 is not 13
    none, cut = flag_share(scores, 0.0)
    assert not none.any() and cut == math.inf
    assert flag_share(scores, 1.0)[0].all()


def test_flag_share_puts_unrepresentable_rows_first():
    flagged, cut = flag_share(np.array([1.0, np.nan, np.inf, 3.0]), 0.5)
    assert flagged.tolist() == [False, True, True, False] and cut == math.inf


@pytest.mark.parametrize("share, scores, message", [
    (1.5, np.zeros(3), "share must be a fraction from 0 to 1"),
    (-0.1, np.zeros(3), "share must be"),
    (0.1, np.zeros((3, 2)), "one value per row"),
])
def test_flag_share_refuses_bad_input(share, scores, message):
    with pytest.raises(ValueError, match=message):
        flag_share(scores, share)


def test_scores_need_a_fitted_model_of_a_known_kind():
    X = DATASETS["iris"]()
    with pytest.raises(gmmcore.NotFittedError):
        outlier_scores(gmmcore.KMeans(2), X)
    with pytest.raises(TypeError, match="KMeans or GaussianMixture"):
        outlier_scores(object(), X)


def test_a_new_point_far_out_is_flagged_by_both():
    fitted_on = DATASETS["unequal_variance"]()
    X = np.vstack([fitted_on, [[100.0, 100.0]]])
    for model in (gmmcore.KMeans(3, random_state=0), gmmcore.GaussianMixture(3, random_state=0)):
        flagged, _ = flag_share(outlier_scores(model.fit(fitted_on), X), 1 / len(X))
        assert np.flatnonzero(flagged).tolist() == [len(X) - 1]
