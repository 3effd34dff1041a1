"""gmmcore's estimators follow scikit-learn's conventions, so its tools work with them."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import gmmcore

from .data import anisotropic, iris

# The scikit-learn checks that cannot apply to gmmcore, and why.
DOES_NOT_APPLY = {
    "check_estimators_unfitted": (
        "wants scikit-learn's own NotFittedError class; gmmcore raises gmmcore.NotFittedError "
        "(a ValueError and AttributeError, like scikit-learn's) without importing scikit-learn"),
    "check_sample_weight_equivalence_on_dense_data": (
        "random initialisations draw differently for weighted and repeated rows (scikit-learn "
        "marks the same check as failing for its KMeans); from the same start, integer "
        "weights equal repeated rows: test_integer_weights_equal_repeated_rows"),
}


@pytest.mark.parametrize("estimator", [gmmcore.GaussianMixture(n_components=2, random_state=0),
                                       gmmcore.KMeans(n_clusters=3, random_state=0)],
                         ids=["GaussianMixture", "KMeans"])
def test_scikit_learn_estimator_checks(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None,
                                  expected_failed_checks=DOES_NOT_APPLY)
    failed = {r["check_name"]: str(r["exception"]).splitlines()[:1] for r in results
              if r["status"] == "failed"}
    assert not failed
    assert len(results) > 40


def test_clone_get_params_set_params_and_repr():
    model = gmmcore.GaussianMixture(4, covariance_type="diag", tol=1e-5, random_state=3)
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    assert repr(model) == ("GaussianMixture(covariance_type='diag', n_components=4, "
                           "random_state=3, tol=1e-05)")
    assert model.set_params(n_components=2) is model and model.n_components == 2
    assert repr(gmmcore.KMeans()) == "KMeans()"
    assert set(gmmcore.KMeans().get_params()) == {
        "n_clusters", "init", "n_init", "max_iter", "tol", "random_state", "keep_history",
        "max_time"}


def test_grid_search_picks_the_number_of_components_by_log_likelihood():
    X = anisotropic()
    search = GridSearchCV(gmmcore.GaussianMixture(random_state=0),
                          {"n_components": [1, 2, 3], "covariance_type": ["full", "spherical"]},
                          cv=3).fit(X)
    assert search.best_params_ == {"n_components": 3, "covariance_type": "full"}
    assert search.best_estimator_.n_features_in_ == 2


def test_a_pipeline_standardises_then_clusters():
    X = iris() * [1.0, 10.0, 100.0, 1000.0]
    pipeline = make_pipeline(StandardScaler(), gmmcore.GaussianMixture(3, random_state=0))
    labels = pipeline.fit(X).predict(X)
    direct = gmmcore.GaussianMixture(3, random_state=0).fit(StandardScaler().fit_transform(X))
    np.testing.assert_array_equal(labels, direct.predict(StandardScaler().fit_transform(X)))
    km = make_pipeline(StandardScaler(), gmmcore.KMeans(3, random_state=0)).fit(X)
    assert km[-1].cluster_centers_.shape == (3, 4)
