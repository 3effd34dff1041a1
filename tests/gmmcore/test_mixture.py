import warnings

import numpy as np
import pytest
from scipy import special, stats
from sklearn import mixture

import gmmcore
from gmmcore import gaussian
from gmmcore.mixture import _responsibilities

from .data import DATASETS, anisotropic, iris

COVARIANCE_TYPE = list(gmmcore.COVARIANCE_TYPES)
RTOL = 1e-8


def _start(X, n_components, covariance_type, seed=0):
    """Initial parameters that both implementations are given."""
    ref = mixture.GaussianMixture(
        n_components, covariance_type=covariance_type, init_params="random_from_data",
        max_iter=1, random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X)
    return {"weights_init": ref.weights_, "means_init": ref.means_,
            "precisions_init": ref.precisions_}


def _both(X, covariance_type, n_components=3, max_iter=25):
    kwargs = dict(n_components=n_components, covariance_type=covariance_type, tol=0.0,
                  max_iter=max_iter, **_start(X, n_components, covariance_type))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (gmmcore.GaussianMixture(**kwargs).fit(X),
                mixture.GaussianMixture(**kwargs).fit(X))


PROBA_ATOL = 1e-9  # responsibilities, absolute: a relative error of 1e-30 means nothing


def _assert_same_model(ours, ref, X):
    """Every fitted attribute and prediction at the tolerance the README states."""
    np.testing.assert_allclose(ours.lower_bounds_, ref.lower_bounds_, rtol=RTOL)
    np.testing.assert_allclose(ours.lower_bound_, ref.lower_bound_, rtol=RTOL)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=RTOL,
                                   atol=1e-300, err_msg=name)
        assert getattr(ours, name).shape == getattr(ref, name).shape, name
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0,
                               atol=PROBA_ATOL)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=RTOL)
    np.testing.assert_allclose(ours.score(X), ref.score(X), rtol=RTOL)
    np.testing.assert_allclose(ours.bic(X), ref.bic(X), rtol=RTOL)
    np.testing.assert_allclose(ours.aic(X), ref.aic(X), rtol=RTOL)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.converged_ == ref.converged_


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_agrees_with_sklearn_from_same_start(dataset, covariance_type):
    X = DATASETS[dataset]()
    ours, ref = _both(X, covariance_type)
    assert len(ours.lower_bounds_) == len(ref.lower_bounds_) == 25
    _assert_same_model(ours, ref, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
@pytest.mark.parametrize("dataset", ["iris", "anisotropic", "far_from_origin"])
def test_integer_weights_agree_with_sklearn_on_repeated_rows(dataset, covariance_type):
    X = DATASETS[dataset]()
    counts = np.random.RandomState(2).randint(0, 4, size=len(X))
    repeated = np.repeat(X, counts, axis=0)
    kwargs = dict(n_components=3, covariance_type=covariance_type, tol=0.0, max_iter=25,
                  **_start(repeated, 3, covariance_type))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gmmcore.GaussianMixture(**kwargs).fit(X, sample_weight=counts)
        ref = mixture.GaussianMixture(**kwargs).fit(repeated)
    _assert_same_model(ours, ref, repeated)


@pytest.mark.parametrize("init_params", gmmcore.INIT_PARAMS)
def test_same_seed_same_initialisation_as_sklearn(init_params):
    X = anisotropic()
    kwargs = dict(n_components=3, init_params=init_params, random_state=7, max_iter=3, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gmmcore.GaussianMixture(**kwargs).fit(X)
        ref = mixture.GaussianMixture(**kwargs).fit(X)
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=1e-8)


def test_converges_like_sklearn_with_tol():
    X = iris()
    kwargs = dict(n_components=3, tol=1e-3, **_start(X, 3, "full"))
    ours = gmmcore.GaussianMixture(**kwargs).fit(X)
    ref = mixture.GaussianMixture(**kwargs).fit(X)
    assert ours.converged_ and ref.converged_
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_log_density_matches_scipy(covariance_type):
    X = anisotropic()
    model = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    full = gaussian.full_covariances(model.covariances_, covariance_type, 3, X.shape[1])
    naive = np.column_stack([
        stats.multivariate_normal(mean, cov).logpdf(X) for mean, cov in zip(model.means_, full)
    ])
    ours = gaussian.log_gaussian_prob(
        X, model.means_, model.precisions_cholesky_, covariance_type
    )
    np.testing.assert_allclose(ours, naive, rtol=1e-10)
    expected = np.log(np.exp(naive) @ model.weights_)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
@pytest.mark.parametrize("variance", [1e-3, 1e-12, 1e-150])
def test_a_narrow_component_off_centre_keeps_its_log_density(covariance_type, variance):
    # The one-product form cancels near a narrow mean away from the frame's centre.
    means = np.array([[1.0, 1.0], [2.0, 2.0]])
    shapes = np.array([np.eye(2), np.eye(2)])
    if covariance_type == "full":
        shapes[0] = [[1.0, 0.5], [0.5, 1.0]]
    elif covariance_type == "tied":  # one covariance: both components narrow
        shapes[:] = [[1.0, 0.5], [0.5, 1.0]]
    full = shapes * np.array([variance, variance if covariance_type == "tied" else 1.0])[
        :, None, None]
    covariances = {"full": full, "diag": full[:, [0, 1], [0, 1]],
                   "spherical": full[:, 0, 0], "tied": full[0]}[covariance_type]
    model = gmmcore.GaussianMixture.from_parameters(
        weights=[0.5, 0.5], means=means, covariances=covariances,
        covariance_type=covariance_type)
    X = np.array([[1.0, 1.0], [1.0 + 3e-3 * variance**0.5, 1.0], [2.0, 2.5]])
    log_densities = np.column_stack([
        stats.multivariate_normal(mean, cov).logpdf(X) for mean, cov in zip(means, full)])
    expected = np.logaddexp(*(np.log(0.5) + log_densities).T)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-9)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1],
                               np.exp(np.log(0.5) + log_densities[:, 1] - expected),
                               rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("correlation", [0.9, 1 - 1e-9])
def test_a_thin_correlated_component_keeps_its_log_density_far_along_and_across(correlation):
    # x'Px summed from |x|'|P||x|-sized terms loses eps * cond(P) of itself: an almost
    # singular precision must not go through the one-product form.
    rng = np.random.RandomState(0)
    n_components, n_features = 6, 3
    means = rng.normal(scale=1e-4, size=(n_components, n_features))  # all near the frame's centre
    covariances = np.array([np.eye(n_features)] * n_components)
    covariances[0] = np.full((n_features, n_features), correlation) + (1 - correlation) * np.eye(
        n_features)
    weights = np.full(n_components, 1 / n_components)
    model = gmmcore.GaussianMixture.from_parameters(weights, means, covariances, "full")
    along, across = np.ones(n_features), np.array([1.0, -1.0, 0.0])
    steps = np.array([(t, 0.0) for t in (0.0, 1.0, 30.0)] + [(0.0, s) for s in (1e-5, 1e-3)])
    X = means[0] + steps @ np.array([along, across])
    # Component 0 by its eigenvalues 1 - c (across, d - 1 times) and 1 - c + c d (along),
    # exact where scipy's eigendecomposition of the almost singular matrix is not.
    thin, wide = 1 - correlation, 1 - correlation + correlation * n_features
    distances = steps[:, 0] ** 2 * n_features / wide + steps[:, 1] ** 2 * 2 / thin
    thin_log_density = -0.5 * (distances + n_features * np.log(2 * np.pi)
                               + (n_features - 1) * np.log(thin) + np.log(wide))
    log_densities = np.column_stack([thin_log_density] + [
        stats.multivariate_normal(mean, np.eye(n_features)).logpdf(X) for mean in means[1:]])
    expected = np.log(np.exp(log_densities) @ weights)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=RTOL)


@pytest.mark.parametrize("correlation", [0.9, 1 - 1e-9])
def test_a_thin_tied_covariance_keeps_its_log_densities_far_along_and_across(correlation):
    # Tied goes through the one-product form however thin its precision: its quadratic
    # feature |L'x|^2 is a sum of squares, not x'Px summed from |x|'|P||x|-sized terms.
    rng = np.random.RandomState(0)
    n_components, n_features = 6, 3
    means = rng.normal(scale=1e-4, size=(n_components, n_features))
    covariance = np.full((n_features, n_features), correlation) + (1 - correlation) * np.eye(
        n_features)
    weights = np.full(n_components, 1 / n_components)
    model = gmmcore.GaussianMixture.from_parameters(weights, means, covariance, "tied")
    assert gaussian.use_expanded(model._params[1], model._params[3], "tied")
    along = np.ones(n_features) / np.sqrt(n_features)
    across = np.array([1.0, -1.0, 0.0]) / np.sqrt(2)
    steps = np.array([(t, 0.0) for t in (0.0, 1.0, 30.0)] + [(0.0, s) for s in (1e-5, 1e-3)])
    X = means[0] + steps @ np.array([along, across])
    # Exact by the eigenvalues: 1 - c across (d - 1 times) and 1 - c + c d along.
    thin, wide = 1 - correlation, 1 - correlation + correlation * n_features
    offsets = X[:, None, :] - means[None]
    on_axis = offsets @ along
    off_axis = offsets - on_axis[..., None] * along
    distances = on_axis**2 / wide + (off_axis**2).sum(axis=2) / thin
    log_densities = -0.5 * (distances + n_features * np.log(2 * np.pi)
                            + (n_features - 1) * np.log(thin) + np.log(wide))
    expected = special.logsumexp(log_densities, axis=1, b=weights)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=RTOL)


@pytest.mark.parametrize("covariance_type", gaussian.EXPANDED)
def test_the_one_product_form_is_the_direct_form(covariance_type):
    rng = np.random.RandomState(3)
    n_components, n_features, n_rows = 8, 5, 400
    means = rng.normal(size=(n_components, n_features))
    factors = rng.normal(size=(n_components, n_features, n_features))
    full = factors @ np.swapaxes(factors, 1, 2) + np.eye(n_features)
    covariances = {"full": full, "diag": np.diagonal(full, axis1=1, axis2=2).copy(),
                   "spherical": full[:, 0, 0].copy(), "tied": full[0]}[covariance_type]
    prec_chol = gaussian.precision_cholesky(covariances, covariance_type)
    assert gaussian.use_expanded(means, prec_chol, covariance_type)
    xt = rng.normal(scale=3.0, size=(n_features, n_rows))
    z = gaussian.expanded_rows(xt, covariance_type, prec_chol)
    assert z.shape == (gaussian.expanded_width(n_features, covariance_type), n_rows)
    log_weights = np.log(rng.dirichlet(np.ones(n_components)))
    A = gaussian.expanded_coefficients(means, prec_chol, covariance_type, log_weights)
    direct = gaussian.log_gaussian_prob_t(xt, means, prec_chol, covariance_type)
    np.testing.assert_allclose(A @ z, direct + log_weights[:, None], rtol=1e-12, atol=1e-10)
    resp = rng.uniform(size=(n_components, n_rows))
    sample_weight = rng.uniform(size=n_rows)
    nk, sum_x, moment = gaussian.expanded_moments(resp, z, n_features, covariance_type,
                                                  sample_weight)
    np.testing.assert_allclose(nk, resp.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(sum_x, resp @ xt.T, rtol=1e-12)
    np.testing.assert_allclose(
        moment, gaussian.second_moment_t(xt, resp, sample_weight, covariance_type),
        rtol=1e-12)


def test_full_mixtures_use_the_one_product_form_only_where_it_is_smaller_and_accurate():
    rng = np.random.RandomState(4)
    means = rng.normal(size=(8, 10))
    prec_chol = np.array([np.eye(10)] * 8)
    assert gaussian.use_expanded(means, prec_chol, "full")
    assert not gaussian.use_expanded(means[:3], prec_chol[:3], "full")  # z wider than K d
    assert not gaussian.use_expanded(means * 1e5, prec_chol, "full")  # cancels near a mean
    thin = prec_chol.copy()
    thin[2, 0, 0] = 1e4  # condition number 1e8
    assert not gaussian.use_expanded(means, thin, "full")


def test_tied_mixtures_use_the_one_product_form_where_it_does_not_cancel_near_a_mean():
    rng = np.random.RandomState(4)
    means = rng.normal(size=(8, 10))
    assert gaussian.use_expanded(means, np.eye(10), "tied")
    assert not gaussian.use_expanded(means * 1e5, np.eye(10), "tied")
    thin = np.eye(10)
    thin[0, 0] = 1e3  # condition number 1e6, but a sum of squares: only the means matter
    assert gaussian.use_expanded(means, thin, "tied")
    far_along_the_thin_axis = means.copy()
    far_along_the_thin_axis[:, 0] += 100.0
    assert not gaussian.use_expanded(far_along_the_thin_axis, thin, "tied")


@pytest.mark.parametrize("centre", [0, -590, -690, 590, 690, -2000, 5000])
@pytest.mark.parametrize("n_components", [1, 8, 40_000])
def test_responsibilities_and_normalisers_are_softmax_and_logsumexp(centre, n_components):
    # Log-densities near 0 skip the shift by the row's largest; far ones need it.
    rng = np.random.RandomState(5)
    log_prob = centre + rng.uniform(-9, 9, size=(n_components, 50))
    expected_norm = special.logsumexp(log_prob, axis=0)
    resp, log_norm = _responsibilities(log_prob.copy(), None)
    np.testing.assert_allclose(log_norm, expected_norm, rtol=1e-14)
    np.testing.assert_allclose(resp, special.softmax(log_prob, axis=0), rtol=1e-12,
                               atol=1e-300)
    weights = rng.uniform(size=50)
    weighted, _ = _responsibilities(log_prob.copy(), None, sample_weight=weights)
    np.testing.assert_allclose(weighted.sum(axis=0), weights, rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_a_row_beyond_float64_s_squares_has_density_zero_without_warnings(covariance_type):
    model = gmmcore.GaussianMixture(2, covariance_type=covariance_type,
                                    random_state=0).fit(anisotropic())
    X = np.array([[1e160, -1e160], [1e100, 1e100], [0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores, resp = model.score_samples(X), model.predict_proba(X)
    assert scores[0] == -np.inf and np.isfinite(scores[1:]).all()
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_mahalanobis_is_the_variance_weighted_distance(covariance_type):
    X = anisotropic()
    model = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    full = gaussian.full_covariances(model.covariances_, covariance_type, 3, 2)
    diff = X[:, None, :] - model.means_[None]
    naive = np.einsum("nkd,kde,nke->nk", diff, np.linalg.inv(full), diff)
    np.testing.assert_allclose(model.mahalanobis(X), naive, rtol=1e-8)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_responsibilities_sum_to_one_and_bound_never_decreases(covariance_type):
    X = anisotropic()
    model = gmmcore.GaussianMixture(
        4, covariance_type=covariance_type, random_state=1, tol=0, max_iter=60,
        init_params="random",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gmmcore.ConvergenceWarning)
        model.fit(X)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.diff(model.lower_bounds_) >= -1e-10)


def test_tied_equals_full_with_shared_weighted_covariance():
    X = anisotropic()
    tied = gmmcore.GaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    resp = tied.predict_proba(X)
    # The tied M-step is the full M-step's covariances averaged with weights nk.
    start = {"weights_init": tied.weights_, "means_init": tied.means_,
             "precisions_init": np.broadcast_to(tied.precisions_, (3, 2, 2)).copy()}
    one_full = gmmcore.GaussianMixture(3, covariance_type="full", max_iter=1, tol=0, **start)
    one_tied = gmmcore.GaussianMixture(3, covariance_type="tied", max_iter=1, tol=0,
                                       **{**start, "precisions_init": tied.precisions_})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one_full.fit(X)
        one_tied.fit(X)
    nk = resp.sum(axis=0)
    pooled = np.einsum("k,kde->de", nk / nk.sum(), one_full.covariances_)
    np.testing.assert_allclose(one_tied.covariances_, pooled, rtol=1e-6)


def test_diag_is_diagonal_of_full_and_spherical_its_mean():
    # From axis-aligned starting covariances the E-steps of the three types are the same,
    # so after one M-step diag keeps the diagonal of full and spherical its mean.
    X = iris()
    variances = np.array([[0.5, 0.2, 0.8, 0.1], [0.3, 0.3, 0.4, 0.2], [0.6, 0.1, 0.2, 0.3]])
    start = {"weights_init": [0.2, 0.3, 0.5], "means_init": X[[0, 60, 120]]}
    fits = {}
    for covariance_type, precisions in (
            ("full", np.array([np.diag(1 / v) for v in variances])),
            ("diag", 1 / variances), ("spherical", 1 / variances.mean(axis=1))):
        if covariance_type == "spherical":
            start_means = {**start, "precisions_init": precisions}
            fits["spherical_start"] = gmmcore.GaussianMixture(
                3, covariance_type="spherical", max_iter=1, tol=0, **start_means)
            continue
        model = gmmcore.GaussianMixture(3, covariance_type=covariance_type, max_iter=1, tol=0,
                                        precisions_init=precisions, **start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits[covariance_type] = model.fit(X)
    full_diagonal = np.diagonal(fits["full"].covariances_, axis1=1, axis2=2)
    np.testing.assert_allclose(fits["diag"].covariances_, full_diagonal, rtol=1e-12)
    np.testing.assert_allclose(fits["diag"].means_, fits["full"].means_, rtol=1e-12)
    np.testing.assert_allclose(fits["diag"].weights_, fits["full"].weights_, rtol=1e-12)
    # Spherical from the mean variances: its covariance is the mean of its own diagonal M-step.
    spherical = fits["spherical_start"]
    diag_twin = gmmcore.GaussianMixture(
        3, covariance_type="diag", max_iter=1, tol=0, **start,
        precisions_init=np.repeat(1 / variances.mean(axis=1)[:, None], 4, axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spherical.fit(X)
        diag_twin.fit(X)
    np.testing.assert_allclose(spherical.covariances_, diag_twin.covariances_.mean(axis=1),
                               rtol=1e-12)


@pytest.mark.parametrize("covariance_type,expected", [
    ("full", 3 * 10 + 3 * 4 + 2), ("tied", 10 + 12 + 2), ("diag", 12 + 12 + 2),
    ("spherical", 3 + 12 + 2),
])
def test_bic_parameter_counts(covariance_type, expected):
    X = iris()
    model = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    assert model.n_parameters() == expected
    n = len(X)
    assert model.bic(X) == pytest.approx(-2 * model.score(X) * n + expected * np.log(n))
    assert model.aic(X) == pytest.approx(-2 * model.score(X) * n + 2 * expected)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_sample_draws_from_the_model(covariance_type):
    X = anisotropic()
    model = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    draws, labels = model.sample(60_000)
    assert draws.shape == (60_000, 2)
    np.testing.assert_allclose(np.bincount(labels, minlength=3) / 60_000, model.weights_,
                               atol=0.01)
    full = gaussian.full_covariances(model.covariances_, covariance_type, 3, 2)
    for k in range(3):
        np.testing.assert_allclose(draws[labels == k].mean(axis=0), model.means_[k],
                                   atol=0.05 * np.sqrt(full[k].max()) + 0.02)
        np.testing.assert_allclose(np.cov(draws[labels == k].T), full[k], rtol=0.1,
                                   atol=0.05 * full[k].max())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_integer_weights_equal_repeated_rows(covariance_type):
    X = anisotropic()[:150]
    counts = np.random.RandomState(0).randint(0, 4, size=len(X))
    start = _start(X, 3, covariance_type)
    kwargs = dict(n_components=3, covariance_type=covariance_type, tol=0, max_iter=20, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = gmmcore.GaussianMixture(**kwargs).fit(X, sample_weight=counts)
        repeated = gmmcore.GaussianMixture(**kwargs).fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(weighted.lower_bounds_, repeated.lower_bounds_, rtol=1e-9)
    np.testing.assert_allclose(weighted.means_, repeated.means_, rtol=1e-8)
    np.testing.assert_allclose(weighted.covariances_, repeated.covariances_, rtol=1e-7)


def test_history_replays_em():
    X = anisotropic()
    model = gmmcore.GaussianMixture(3, random_state=0, keep_history=True, max_iter=8, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X)
    assert len(model.history_) == model.n_iter_ + 1 == 9
    last = model.history_[-1]
    np.testing.assert_allclose(last["means"], model.means_)
    np.testing.assert_allclose(last["covariances"], model.covariances_)
    np.testing.assert_allclose(last["weights"], model.weights_)
    # Iteration t's lower bound is the log-likelihood of the parameters at t - 1.
    replay = gmmcore.GaussianMixture(
        3, max_iter=0, weights_init=model.history_[3]["weights"],
        means_init=model.history_[3]["means"],
        precisions_init=np.linalg.inv(model.history_[3]["covariances"]),
    ).fit(X)
    assert replay.score(X) == pytest.approx(model.lower_bounds_[3], rel=1e-9)


def test_restarts_keep_every_initialisation():
    X = anisotropic()
    model = gmmcore.GaussianMixture(3, n_init=4, random_state=0, init_params="random").fit(X)
    assert len(model.restarts_) == 4
    best = max(r["lower_bound"] for r in model.restarts_)
    assert model.lower_bound_ == pytest.approx(best)
    assert all(len(r["lower_bounds"]) == r["n_iter"] for r in model.restarts_)


def test_huge_magnitudes_give_the_same_model_scaled():
    X = anisotropic()
    scale = 1e150
    big = gmmcore.GaussianMixture(3, random_state=0, reg_covar=0).fit(X * scale)
    small = gmmcore.GaussianMixture(3, random_state=0, reg_covar=0).fit(X)
    assert np.isfinite(big.means_).all() and np.isfinite(big.covariances_).all()
    np.testing.assert_allclose(big.means_ / scale, small.means_, rtol=1e-6)
    np.testing.assert_allclose(big.covariances_ / scale**2, small.covariances_, rtol=1e-6)
    np.testing.assert_array_equal(big.predict(X * scale), small.predict(X))
    assert big.lower_bound_ == pytest.approx(small.lower_bound_ - 2 * np.log(scale), rel=1e-9)


def test_tiny_magnitudes_give_a_finite_model():
    # reg_covar is in the data's units, so it swamps data of size 1e-150.
    X = anisotropic() * 1e-150
    model = gmmcore.GaussianMixture(3, random_state=0).fit(X)
    assert np.isfinite(model.means_).all() and np.isfinite(model.lower_bound_)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
@pytest.mark.parametrize("scale", [1.0, 1e150])
def test_from_parameters_predicts_like_the_fitted_model(covariance_type, scale):
    X = anisotropic() * scale
    fitted = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0,
                                     reg_covar=0).fit(X)
    rebuilt = gmmcore.GaussianMixture.from_parameters(
        fitted.weights_, fitted.means_, fitted.covariances_, covariance_type)
    np.testing.assert_allclose(rebuilt.score_samples(X), fitted.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(rebuilt.predict_proba(X), fitted.predict_proba(X), atol=1e-10)
    np.testing.assert_allclose(rebuilt.precisions_cholesky_, fitted.precisions_cholesky_,
                               rtol=1e-10)
    assert rebuilt.bic(X) == pytest.approx(fitted.bic(X), rel=1e-10)


@pytest.mark.parametrize("bad, message", [
    ({"weights": [0.5, 0.6]}, "^weights must be 2 non-negative numbers that sum to 1"),
    ({"means": [0.0, 1.0]}, "means must have shape"),
    ({"covariances": np.ones((2, 3, 3))}, "covariances for covariance_type='full' must have"),
    ({"covariances": np.array([np.eye(2), -np.eye(2)])}, "covariances must be positive definite"),
    ({"covariances": np.array([np.eye(2), [[1, 0.5], [0, 1]]])}, "covariances must be symmetric"),
])
def test_from_parameters_refuses_bad_parameters_in_words(bad, message):
    params = {"weights": [0.5, 0.5], "means": [[0.0, 0.0], [1.0, 1.0]],
              "covariances": np.array([np.eye(2), np.eye(2)])} | bad
    with pytest.raises(ValueError, match=message):
        gmmcore.GaussianMixture.from_parameters(**params)
