"""Property-based tests (Hypothesis) of the estimators on arbitrary finite data.

For any finite array, any K and covariance type, a fit either refuses the data
with a ValueError or gives finite parameters whose predictions are proper
probabilities; predictions never depend on the order of the rows.
"""

import warnings

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import gmmcore

COVARIANCE_TYPE = list(gmmcore.COVARIANCE_TYPES)
EXTREME_FACTORS = (1e-200, 1e-100, 1e100, 1e147, 1e150, 1e200)
PROPERTY = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def finite_arrays(draw):
    """(X, permutation): 1-60 rows, 1-4 features, values within ±1e6, some rows (or all)
    scaled by extreme factors, duplicates and constant columns included."""
    n_rows = draw(st.integers(1, 60), label="n_rows")
    n_features = draw(st.integers(1, 4), label="n_features")
    value = st.one_of(st.floats(-1e6, 1e6, allow_nan=False),
                      st.sampled_from([0.0, 1.0, -1.0, 1e-300, 5e-324]))
    rows = draw(st.lists(st.lists(value, min_size=n_features, max_size=n_features),
                         min_size=1, max_size=n_rows), label="distinct rows")
    # Repeat drawn rows to reach n_rows: duplicates are common in real data.
    picks = draw(st.lists(st.integers(0, len(rows) - 1), min_size=n_rows, max_size=n_rows),
                 label="row picks")
    X = np.array([rows[i] for i in picks], dtype=float).reshape(n_rows, n_features)
    how = draw(st.sampled_from(["none", "none", "rows", "all"]), label="scaling")
    if how == "all":
        X = X * draw(st.sampled_from(EXTREME_FACTORS), label="factor")
    elif how == "rows":
        factors = draw(st.lists(st.sampled_from((1.0, 1.0, *EXTREME_FACTORS)),
                                min_size=n_rows, max_size=n_rows), label="row factors")
        X = X * np.array(factors)[:, None]
    assert np.isfinite(X).all()
    perm = np.array(draw(st.permutations(range(n_rows)), label="permutation"), dtype=int)
    return X, perm


def _quietly(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gmmcore.ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args)


@PROPERTY
@given(data=finite_arrays(), k=st.integers(1, 5), covariance_type=st.sampled_from(
    COVARIANCE_TYPE))
def test_mixture_fits_finite_or_refuses_and_ignores_row_order(data, k, covariance_type):
    X, perm = data
    model = gmmcore.GaussianMixture(k, covariance_type=covariance_type, random_state=0,
                                    max_iter=30)
    try:
        _quietly(model.fit, X)
    except ValueError as exc:
        event(f"refused ({type(exc).__name__})")
        return  # refusing the data (with a message) is allowed; any other exception is not
    event("fitted")
    d = X.shape[1]
    assert model.weights_.shape == (k,) and model.means_.shape == (k, d)
    assert np.isfinite(model.weights_).all(), model.weights_
    assert np.isfinite(model.means_).all(), model.means_
    assert np.isfinite(model.covariances_).all(), model.covariances_
    np.testing.assert_allclose(model.weights_.sum(), 1.0, rtol=1e-9)

    resp = _quietly(model.predict_proba, X)
    assert resp.shape == (len(X), k)
    assert np.isfinite(resp).all(), resp
    assert ((resp >= 0) & (resp <= 1 + 1e-12)).all()
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-9)

    labels = _quietly(model.predict, X)
    assert ((labels >= 0) & (labels < k)).all()
    np.testing.assert_array_equal(_quietly(model.predict, X[perm]), labels[perm])
    np.testing.assert_allclose(_quietly(model.predict_proba, X[perm]), resp[perm],
                               rtol=1e-9, atol=1e-12)


@PROPERTY
@given(data=finite_arrays(), k=st.integers(1, 5))
def test_kmeans_fits_finite_or_refuses_and_ignores_row_order(data, k):
    X, perm = data
    model = gmmcore.KMeans(k, random_state=0, max_iter=50)
    try:
        _quietly(model.fit, X)
    except ValueError as exc:
        event(f"refused ({type(exc).__name__})")
        return
    event("fitted")
    d = X.shape[1]
    assert model.cluster_centers_.shape == (k, d)
    assert np.isfinite(model.cluster_centers_).all(), model.cluster_centers_
    assert model.labels_.shape == (len(X),)
    assert ((model.labels_ >= 0) & (model.labels_ < k)).all()
    assert np.isfinite(model.inertia_) and model.inertia_ >= 0

    labels = _quietly(model.predict, X)
    assert ((labels >= 0) & (labels < k)).all()
    np.testing.assert_array_equal(_quietly(model.predict, X[perm]), labels[perm])
