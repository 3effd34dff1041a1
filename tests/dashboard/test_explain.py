"""The computations behind the step-through, the inspector, restarts and the math page."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn import metrics

import gmmcore
from dashboard import compare, datasets, explain

COVARIANCE_TYPES = list(gmmcore.COVARIANCE_TYPES)


@pytest.fixture(scope="module", params=COVARIANCE_TYPES)
def fitted(request):
    d = datasets.load("anisotropic")
    return compare.compare(d.X, compare.Settings(k=3, covariance_type=request.param, n_init=3))


@pytest.fixture(scope="module")
def iris():
    d = datasets.load("iris")
    return compare.compare(d.X, compare.Settings(k=3, n_init=4, seed=3))


def test_mixture_terms_match_scipy_densities(fitted):
    c = fitted
    g = c.gmm
    terms = explain.mixture_terms(c.X, g.weights_, g.means_, g.covariances_, g.covariance_type)
    full = gmmcore.gaussian.full_covariances(g.covariances_, g.covariance_type, 3, 2)
    for k in range(3):
        expected = multivariate_normal(g.means_[k], full[k]).logpdf(c.X) + np.log(g.weights_[k])
        np.testing.assert_allclose(terms.log_joint[:, k], expected, rtol=1e-10)
    np.testing.assert_allclose(np.exp(-0.5 * terms.log_det), np.sqrt(1 / np.linalg.det(full)),
                               rtol=1e-10)


def test_inspector_terms_sum_to_score_samples_and_predict_proba(fitted):
    c = fitted
    for row in (0, explain.default_point(c), len(c.X) - 1):
        e = explain.explain_point(c, row)
        np.testing.assert_allclose(e.terms.log_likelihood, c.gmm.score_samples(c.X[[row]]),
                                   rtol=1e-12)
        np.testing.assert_allclose(e.resp, c.resp[row], atol=1e-12)
        table = e.table()
        summed = [r["−½ Mahalanobis"] + r["−½ log|Σ|"] + r["log weight"] + e.terms.log_constant
                  for r in table]
        np.testing.assert_allclose(summed, [r["log weight + log density"] for r in table])
        np.testing.assert_allclose(logsumexp(summed), c.gmm.score_samples(c.X[[row]])[0])
        assert e.gmm_pick == c.gmm_labels[row]
        assert e.kmeans_pick == c.kmeans_labels[row]
        np.testing.assert_allclose(
            e.terms.sq_mahalanobis[0], c.gmm.mahalanobis(c.X[[row]])[0, c.order], rtol=1e-9)


def test_contributions_add_up_to_the_gmm_margin(fitted):
    c = fitted
    e = explain.explain_point(c, explain.default_point(c))
    a, b = e.kmeans_pick, e.gmm_pick
    parts = e.contributions(a, b)
    joint = e.terms.log_joint[0]
    assert sum(parts.values()) == pytest.approx(joint[b] - joint[a], abs=1e-9)


def test_default_point_is_a_disagreement_when_there_is_one(fitted):
    c = fitted
    row = explain.default_point(c)
    if c.disagree.any():
        assert c.disagree[row]
        assert c.resp[row].max() == c.resp[c.disagree].max(axis=1).max()
    else:
        assert row == int(np.argmin(c.resp.max(axis=1)))


def test_words_name_both_picks_and_the_deciding_term():
    d = datasets.load("unequal_variance")
    c = compare.compare(d.X, compare.Settings(k=3))
    e = explain.explain_point(c, explain.default_point(c))
    a, b = e.kmeans_pick, e.gmm_pick
    assert a != b
    words = explain.explain_in_words(e)
    assert f"K-means picks cluster {a + 1}" in words[0]
    assert f"The GMM picks cluster {b + 1}" in words[1]
    assert "Mahalanobis" in words[1]
    assert "distance term" in words[2]
    agree = int(np.flatnonzero(~c.disagree)[0])
    words = explain.explain_in_words(explain.explain_point(c, agree))
    assert words[0].startswith(f"Both methods pick **cluster {c.kmeans_labels[agree] + 1}**")


def test_weight_term_is_named_when_it_decides():
    # Hand-set models: two round components of one size, weights 0.9 and 0.1, and a
    # point nearer the light one's mean, so only the weight can make the GMM differ.
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (900, 2)), rng.normal(1.0, 1, (100, 2)), [[0.6, 0.6]]])
    c = compare.compare(X, compare.Settings(k=2))
    c.gmm = gmmcore.GaussianMixture.from_parameters([0.9, 0.1], [[0, 0], [1.0, 1.0]],
                                                    [1.0, 1.0], "spherical")
    c.order = np.array([0, 1])
    c.kmeans.cluster_centers_ = np.array([[-0.5, -0.5], [1.0, 1.0]])
    e = explain.explain_point(c, len(X) - 1)
    assert (e.kmeans_pick, e.gmm_pick) == (1, 0)
    assert "holds more of the data (weight 0.90 against 0.10)" in explain.explain_in_words(e)[1]


def test_gmm_steps_replay_the_fit(fitted):
    c = fitted
    g = c.gmm
    rows = np.arange(len(c.X))
    first = explain.gmm_step(c, 0, rows)
    assert first.previous_means is None
    np.testing.assert_allclose(first.means, g.history_[0]["means"][c.order])
    last = explain.gmm_step(c, g.n_iter_, rows)
    np.testing.assert_allclose(last.resp, c.resp, atol=1e-10)
    np.testing.assert_allclose(last.means, c.gmm_means)
    np.testing.assert_allclose(last.covariances, c.gmm_covariances)
    np.testing.assert_allclose(last.previous_means, g.history_[-2]["means"][c.order])
    path = explain.gmm_log_likelihood_path(c)
    assert len(path) == g.n_iter_ + 1
    for t in (0, 1, g.n_iter_):
        step = explain.gmm_step(c, t, rows)
        terms = explain.mixture_terms(c.X, step.weights, step.means, step.covariances, "full")
        assert terms.log_likelihood.mean() == pytest.approx(path[t], rel=1e-10)
    assert np.all(np.diff(path) >= -1e-10)


def test_kmeans_steps_replay_the_fit(fitted):
    c = fitted
    km = c.kmeans
    rows = np.arange(len(c.X))
    path = explain.kmeans_inertia_path(c)
    assert len(path) == km.n_iter_ + 1
    for t in range(km.n_iter_ + 1):
        step = explain.kmeans_step(c, t, rows)
        inertia = ((c.X - step.centers[step.labels]) ** 2).sum()
        assert inertia == pytest.approx(path[t], rel=1e-10)
    np.testing.assert_array_equal(explain.kmeans_step(c, km.n_iter_, rows).labels, km.labels_)
    assert np.all(np.diff(path) <= 1e-9)


def test_m_step_reproduces_the_next_iteration(fitted):
    c = fitted
    g = c.gmm
    for t in range(min(3, g.n_iter_)):
        params = g.history_[t]
        resp = explain.mixture_terms(c.X, params["weights"], params["means"],
                                     params["covariances"], g.covariance_type).resp
        update = explain.m_step(c.X, resp, g.covariance_type, g.reg_covar)
        following = g.history_[t + 1]
        np.testing.assert_allclose(update["weights"], following["weights"], rtol=1e-9)
        np.testing.assert_allclose(update["means"], following["means"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(update["covariances"], following["covariances"], rtol=1e-9)


def test_next_m_step_is_in_matched_order(fitted):
    c = fitted
    update = explain.next_m_step(c)
    assert update["full_covariances"].shape == (3, 2, 2)
    np.testing.assert_allclose(update["means"], c.gmm_means, atol=0.05)
    np.testing.assert_allclose(update["nk"].sum(), len(c.X))


def test_restarts_report_every_run_and_agreement_with_the_best(iris):
    c = iris
    runs = explain.gmm_restarts(c)
    assert [r["restart"] for r in runs] == [1, 2, 3, 4]
    assert sum(r["best"] for r in runs) == 1
    best = next(r for r in runs if r["best"])
    assert best["log_likelihood"] == pytest.approx(c.gmm.lower_bound_)
    assert best["ari_vs_best"] == pytest.approx(1.0)
    assert all(r["log_likelihood"] <= best["log_likelihood"] for r in runs)
    for run, raw in zip(runs, c.gmm.restarts_):
        assert len(run["curve"]) == raw["n_iter"]
        model = gmmcore.GaussianMixture.from_parameters(raw["weights"], raw["means"],
                                                        raw["covariances"])
        assert run["ari_vs_best"] == pytest.approx(
            metrics.adjusted_rand_score(c.gmm.predict(c.X), model.predict(c.X)))
    km_runs = explain.kmeans_restarts(c)
    assert len(km_runs) == 4
    km_best = next(r for r in km_runs if r["best"])
    assert km_best["inertia"] == pytest.approx(c.kmeans.inertia_)
    assert all(r["inertia"] >= km_best["inertia"] for r in km_runs)
    table = explain.restart_table(km_runs, "inertia")
    assert [r["best"] for r in table].count("★") == 1
    assert min(r["gap to best"] for r in table) == 0
    assert "curve" not in table[0]


# ------------------------------------------------------------------ precisions
def test_precision_terms_use_the_stored_factor_for_every_covariance_type(fitted):
    c = fitted
    row = explain.default_point(c)
    for j in range(3):
        p = explain.precision_terms(c, j, row)
        cov = c.gmm_covariances[j]
        np.testing.assert_allclose(p.precision, np.linalg.inv(cov), rtol=1e-8, atol=1e-10)
        # The factor is triangular (diagonal for diag and spherical) and Λ = L Lᵀ.
        assert np.allclose(np.tril(p.factor, -1), 0) or np.allclose(np.triu(p.factor, 1), 0)
        np.testing.assert_allclose(p.factor @ p.factor.T, p.precision)
        assert p.half_log_det == pytest.approx(-0.5 * np.linalg.slogdet(cov)[1], rel=1e-10)
        assert p.beta == pytest.approx(1 / cov[0, 0])
        # ‖Lᵀ(x − μ)‖² is the squared Mahalanobis distance the inspector shows.
        expected = explain.explain_point(c, row).terms.sq_mahalanobis[0, j]
        assert p.sq_mahalanobis == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(p.residual, c.X[row] - c.gmm_means[j])


def test_precision_costs_count_one_factorisation_per_component_and_iteration():
    costs = explain.precision_costs(n_samples=1000, n_features=6, n_components=4, n_iter=10)
    assert costs["factorisations"] == 40
    assert costs["stored"] == pytest.approx(40 * (6**3 / 3 + 1000 * 36 / 2))
    assert costs["per_point"] == pytest.approx(40 * 1000 * (6**3 / 3 + 36))
    assert costs["ratio"] == pytest.approx(costs["per_point"] / costs["stored"])
    # The gap grows with the number of features.
    assert (explain.precision_costs(1000, 20, 4, 10)["ratio"]
            > explain.precision_costs(1000, 2, 4, 10)["ratio"] > 1)


def test_counts_in_words():
    assert explain.in_words(3400) == "3,400"
    assert explain.in_words(1_234_567) == "1.2 million"
    assert explain.in_words(45e9) == "45 billion"
