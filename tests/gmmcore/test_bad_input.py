import warnings

import numpy as np
import pytest

import gmmcore

from .data import anisotropic

ESTIMATORS = [
    lambda: gmmcore.GaussianMixture(3, random_state=0),
    lambda: gmmcore.KMeans(3, random_state=0),
]


@pytest.mark.parametrize("make", ESTIMATORS)
@pytest.mark.parametrize("X,match", [
    (np.array([[1.0, np.nan], [2, 3], [4, 5], [6, 7]]), "NaN or infinite"),
    (np.array([[1.0, np.inf], [2, 3], [4, 5], [6, 7]]), "NaN or infinite"),
    (np.empty((0, 2)), "minimum of 1 is required"),
    (np.empty((5, 0)), "no features"),
    (np.arange(5.0), "reshape"),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), "use fewer"),
    ([["a", "b"], ["c", "d"], ["e", "f"]], "numeric"),
])
def test_bad_data_is_a_clear_value_error(make, X, match):
    with pytest.raises(ValueError, match=match):
        make().fit(X)


@pytest.mark.parametrize("kwargs,match", [
    ({"covariance_type": "fulll"}, "'full', 'tied', 'diag', 'spherical'"),
    ({"init_params": "magic"}, "init_params"),
    ({"n_components": 0}, "n_components"),
    ({"reg_covar": -1.0}, "reg_covar"),
    ({"tol": float("nan")}, "tol"),
    ({"max_iter": 1.5}, "max_iter"),
    ({"weights_init": [0.5, 0.6, 0.1]}, "sum to 1"),
    ({"means_init": np.zeros((2, 2))}, "means_init"),
    ({"precisions_init": np.ones(3), "covariance_type": "full"}, "precisions_init"),
    ({"random_state": "seed"}, "random_state"),
])
def test_bad_options_are_clear_value_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gmmcore.GaussianMixture(**{"n_components": 3, **kwargs}).fit(anisotropic())


def test_kmeans_bad_init_is_a_value_error():
    with pytest.raises(ValueError, match="init"):
        gmmcore.KMeans(3, init="nearest").fit(anisotropic())
    with pytest.raises(ValueError, match="shape"):
        gmmcore.KMeans(3, init=np.zeros((2, 2))).fit(anisotropic())


def test_unfitted_use_says_fit_first():
    with pytest.raises(ValueError, match="fit"):
        gmmcore.GaussianMixture(2).predict(anisotropic())
    with pytest.raises(ValueError, match="fit"):
        gmmcore.KMeans(2).predict(anisotropic())


@pytest.mark.parametrize("make", ESTIMATORS + [
    lambda covariance_type=covariance_type: gmmcore.GaussianMixture(
        3, covariance_type=covariance_type, random_state=0)
    for covariance_type in ("tied", "diag", "spherical")])
def test_nan_anywhere_in_a_large_input_to_predictions_is_a_clear_value_error(make):
    # Predictions check each block of rows as they read it, or (the mixture's
    # one-product form) find them in the log-densities they spoil.
    rng = np.random.RandomState(0)
    model = make().fit(rng.normal(size=(300, 3)))
    X = rng.normal(size=(50_000, 3))
    X[[10, 49_999], [0, 2]] = [np.nan, -np.inf]
    methods = ["predict", "score"] + [m for m in ("predict_proba", "score_samples", "transform")
                                      if hasattr(model, m)]
    for method in methods:
        with pytest.raises(ValueError, match=r"X contains NaN or infinite values in 2 row\(s\)"):
            getattr(model, method)(X)


def test_wrong_feature_count_at_predict():
    model = gmmcore.GaussianMixture(2, random_state=0).fit(anisotropic())
    with pytest.raises(ValueError, match="features"):
        model.predict(np.zeros((3, 5)))


def _fit_valid_or_clear_error(X, **kwargs):
    """A finite model, or a ValueError that says what to change; nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = gmmcore.GaussianMixture(random_state=0, **kwargs).fit(X)
        except ValueError as exc:
            assert "reg_covar" in str(exc) or "fewer" in str(exc)
            return None
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        assert np.isfinite(getattr(model, name)).all(), name
    assert np.isfinite(model.lower_bound_)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    return model


@pytest.mark.parametrize("covariance_type", gmmcore.COVARIANCE_TYPES)
@pytest.mark.parametrize("case", [
    "identical_rows", "two_distinct_points", "collinear", "constant_column", "float32",
    "list", "near_1e150", "huge_column",
])
def test_degenerate_data_gives_valid_model_or_clear_error(case, covariance_type):
    base = anisotropic()
    X = {
        "identical_rows": np.ones((50, 2)),
        "two_distinct_points": np.repeat([[0.0, 0.0], [5.0, 5.0]], 20, axis=0),
        "collinear": np.column_stack([base[:, 0], 2 * base[:, 0] + 1]),
        "constant_column": np.column_stack([base, np.full(len(base), 7.0)]),
        "float32": base.astype(np.float32),
        "list": base.tolist(),
        "near_1e150": base * 1e150,
        "huge_column": np.column_stack([base[:, 0] * 1e12, base[:, 1]]),
    }[case]
    _fit_valid_or_clear_error(X, n_components=3, covariance_type=covariance_type)
    _fit_valid_or_clear_error(X, n_components=3, covariance_type=covariance_type,
                              reg_covar=0.0)


def test_collapse_without_regularisation_names_the_fix():
    X = np.repeat([[0.0, 0.0], [5.0, 5.0], [9.0, 1.0]], 10, axis=0)
    with pytest.raises(gmmcore.CollapsedComponentError, match="increase reg_covar"):
        gmmcore.GaussianMixture(3, reg_covar=0.0, random_state=0).fit(X)
