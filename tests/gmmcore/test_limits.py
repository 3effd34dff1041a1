"""What a fit may cost and what it refuses: time limits, history caps, hostile inputs."""

import time
import warnings

import numpy as np
import pytest

import gmmcore

from .data import anisotropic, iris

COVARIANCE_TYPE = list(gmmcore.COVARIANCE_TYPES)


def test_a_mixture_stops_at_its_time_limit_and_says_so():
    X = anisotropic()
    started = time.perf_counter()
    with pytest.warns(gmmcore.ConvergenceWarning, match="before the time limit"):
        model = gmmcore.GaussianMixture(3, tol=0, max_iter=100_000, n_init=50, max_time=0.3,
                                        random_state=0, init_params="random").fit(X)
    assert time.perf_counter() - started < 3
    assert model.stop_reason_ == "time_limit" and not model.converged_
    assert model.n_iter_ < 100_000 and len(model.restarts_) < 50
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1)


def test_kmeans_stops_at_its_time_limit_and_says_so():
    X = np.random.RandomState(0).normal(size=(20_000, 2))
    model = gmmcore.KMeans(8, tol=0, max_iter=100_000, n_init=20, max_time=0.0,
                           random_state=0).fit(X)
    assert model.stop_reason_ == "time_limit" and not model.converged_
    assert len(model.restarts_) == 1 and model.n_iter_ == 1
    assert model.labels_.shape == (20_000,)


@pytest.mark.parametrize("cap", [1, 3])
def test_history_can_be_capped(cap):
    X = anisotropic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gmm = gmmcore.GaussianMixture(3, tol=0, max_iter=10, keep_history=cap,
                                      random_state=0).fit(X)
        km = gmmcore.KMeans(3, tol=0, max_iter=10, keep_history=cap, random_state=0).fit(X)
        everything = gmmcore.GaussianMixture(3, tol=0, max_iter=10, keep_history=True,
                                             random_state=0).fit(X)
    assert len(gmm.history_) == cap and len(km.history_) == cap
    assert len(everything.history_) == 11
    for step, kept in zip(everything.history_, gmm.history_):
        np.testing.assert_array_equal(step["means"], kept["means"])


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_uniformly_tiny_weights_give_the_unweighted_fit(covariance_type):
    X = iris()
    kwargs = dict(covariance_type=covariance_type, random_state=0, tol=0, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = gmmcore.GaussianMixture(3, **kwargs).fit(X)
        tiny = gmmcore.GaussianMixture(3, **kwargs).fit(X, sample_weight=np.full(len(X), 1e-15))
    np.testing.assert_allclose(tiny.means_, plain.means_, rtol=1e-10)
    np.testing.assert_allclose(tiny.covariances_, plain.covariances_, rtol=1e-9)
    np.testing.assert_allclose(tiny.lower_bounds_, plain.lower_bounds_, rtol=1e-12)


def test_random_from_data_never_seeds_a_component_on_a_zero_weight_row():
    X = anisotropic()
    w = np.zeros(len(X))
    w[:5] = 1.0  # only five rows count
    for seed in range(20):
        model = gmmcore.GaussianMixture(3, init_params="random_from_data", random_state=seed,
                                        max_iter=0).fit(X, sample_weight=w)
        start = model.means_
        assert all(np.isclose(X[:5], m).all(axis=1).any() for m in start), seed


def test_random_init_counts_rows_by_their_weight():
    # The same random responsibilities for every row, then a weighted M-step.
    X = anisotropic()
    w = np.random.RandomState(3).randint(0, 3, len(X)).astype(float)
    model = gmmcore.GaussianMixture(3, init_params="random", random_state=5, max_iter=0,
                                    covariance_type="diag").fit(X, sample_weight=w)
    resp = np.random.RandomState(5).uniform(size=(len(X), 3))
    resp /= resp.sum(axis=1)[:, None]
    weighted = resp * w[:, None]
    nk = weighted.sum(axis=0)
    np.testing.assert_allclose(model.means_, weighted.T @ X / nk[:, None], rtol=1e-10)
    np.testing.assert_allclose(model.weights_, nk / nk.sum(), rtol=1e-10)


@pytest.mark.parametrize("estimator", [gmmcore.GaussianMixture, gmmcore.KMeans])
def test_complex_input_is_refused(estimator):
    X = anisotropic() + 1j
    with pytest.raises(ValueError, match="complex"):
        estimator(2).fit(X)


@pytest.mark.parametrize("n_clusters, message", [
    (0, "n_clusters must be an integer >= 1"), (-1, "n_clusters must be an integer >= 1"),
    (401, "n_clusters=401 but X has 400 row"), (2.5, "n_clusters must be an integer"),
])
def test_kmeans_plusplus_validates_like_the_estimators(n_clusters, message):
    with pytest.raises(ValueError, match=message):
        gmmcore.kmeans_plusplus(anisotropic(), n_clusters, random_state=0)


def test_kmeans_plusplus_gives_distinct_rows():
    X = anisotropic()
    centers, indices = gmmcore.kmeans_plusplus(X, 10, random_state=0)
    assert len(set(indices.tolist())) == 10
    np.testing.assert_array_equal(centers, X[indices])


@pytest.mark.parametrize("exponent", [-300, -170, -100, 0, 100, 150, 153, 160, 200, 300])
@pytest.mark.parametrize("reg_covar", [1e-6, 0.0])
def test_any_magnitude_fits_or_is_refused_in_words(exponent, reg_covar):
    X = anisotropic() * 10.0**exponent
    for make in (lambda: gmmcore.GaussianMixture(3, random_state=0, reg_covar=reg_covar),
                 lambda: gmmcore.KMeans(3, random_state=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = make().fit(X)
            except ValueError as exc:
                assert "Divide the data" in str(exc) or "Multiply the data" in str(exc)
                assert abs(exponent) >= 150
                continue
        params = ([model.weights_, model.means_, model.covariances_]
                  if isinstance(model, gmmcore.GaussianMixture) else [model.cluster_centers_])
        assert all(np.isfinite(p).all() for p in params)
        if isinstance(model, gmmcore.KMeans) or reg_covar == 0:
            # (a reg_covar far above the data's variance rightly merges everything)
            assert len(np.unique(model.predict(X))) >= 2


def test_from_parameters_has_the_fitted_attributes_pages_read():
    model = gmmcore.GaussianMixture.from_parameters(
        [0.5, 0.5], [[0.0, 0.0], [3.0, 3.0]], np.array([np.eye(2), np.eye(2)]))
    assert model.n_iter_ == 0 and model.converged_ is False
    assert model.stop_reason_ == "given" and model.lower_bounds_ == []
    assert model.predict(np.array([[0.1, 0.0], [2.9, 3.1]])).tolist() == [0, 1]


def test_unknown_and_bad_parameters_are_refused_before_any_work():
    with pytest.raises(ValueError, match="max_time"):
        gmmcore.GaussianMixture(2, max_time=-1).fit(anisotropic())
    with pytest.raises(ValueError, match="keep_history"):
        gmmcore.KMeans(2, keep_history=-3).fit(anisotropic())
    with pytest.raises(ValueError, match="not a parameter of GaussianMixture"):
        gmmcore.GaussianMixture().set_params(n_clusters=3)


@pytest.mark.parametrize("init_params", gmmcore.INIT_PARAMS)
def test_fit_never_holds_an_n_by_k_array(init_params):
    """Peak traced memory of a fit at 200,000 x 2, K = 5: the data once in the fitting
    frame, a few per-row vectors (weights, labels; k-means++ seeding's distances to its
    2 + ln K candidates) and per-block temporaries -- below the README's bound."""
    import tracemalloc

    rng = np.random.RandomState(0)
    n, k = 200_000, 5
    X = rng.normal(size=(n, 2)) + rng.randint(0, k, size=(n, 1)) * 4
    model = gmmcore.GaussianMixture(k, init_params=init_params, random_state=0, max_iter=5,
                                    tol=0)
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20  # README: "at most 20 MiB"; scikit-learn's fit peaks at 51 MiB
    assert not hasattr(model, "labels_")  # fit computes no labels (fit_predict does)
