import numpy as np
import pytest

import gmmcore

from .data import anisotropic, iris


def test_grid_has_every_k_and_type_and_matches_single_fits():
    X = iris()
    result = gmmcore.select_models(X, range(1, 5), random_state=0)
    assert list(result["k"]) == [1, 2, 3, 4]
    assert result["bic"].shape == (4, 4)
    i, j = result["covariance_types"].index("diag"), 2
    model = gmmcore.GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    assert result["bic"][i, j] == pytest.approx(model.bic(X))
    assert result["aic"][i, j] == pytest.approx(model.aic(X))
    # ICL is BIC plus twice the entropy of the hard classification.
    resp = model.predict_proba(X)
    entropy = -np.log(resp.max(axis=1)).sum()
    assert result["icl"][i, j] == pytest.approx(model.bic(X) + 2 * entropy, rel=1e-10)
    best = result["best"]
    bi = result["covariance_types"].index(best[0])
    bj = list(result["k"]).index(best[1])
    assert result["bic"][bi, bj] == np.nanmin(result["bic"])


def test_progress_is_reported_for_every_fit():
    calls = []
    gmmcore.select_models(anisotropic(), [2, 3], ["full", "diag"], random_state=0,
                          progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_failed_fits_are_nan_with_a_message():
    X = np.repeat([[0.0, 0.0], [5.0, 5.0]], 10, axis=0)
    result = gmmcore.select_models(X, [1, 3], ["full"], reg_covar=0.0, random_state=0)
    assert np.isnan(result["bic"][0, 1])
    assert ("full", 3) in result["errors"]


def test_elbow_inertia_decreases():
    result = gmmcore.kmeans_elbow(anisotropic(), range(1, 6), random_state=0)
    assert np.all(np.diff(result["inertia"]) < 0)
    assert len(result["labels"]) == 5


def test_a_caching_score_function_stands_in_for_the_fits():
    X = iris()
    calls = []

    def score(X, k, covariance_type, **params):
        calls.append((k, covariance_type, params["random_state"]))
        return gmmcore.score_model(X, k, covariance_type, **params)

    result = gmmcore.select_models(X, [2, 3], ["full", "diag"], score=score, random_state=1)
    direct = gmmcore.select_models(X, [2, 3], ["full", "diag"], random_state=1)
    assert sorted(calls) == [(2, "diag", 1), (2, "full", 1), (3, "diag", 1), (3, "full", 1)]
    np.testing.assert_array_equal(result["bic"], direct["bic"])
    assert result["best"] == direct["best"]
