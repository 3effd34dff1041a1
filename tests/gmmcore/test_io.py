"""Fitted models as JSON documents and back: the same predictions, clear errors."""

import json

import numpy as np
import pytest

import gmmcore
from gmmcore import io

from .data import anisotropic, iris

COVARIANCE_TYPE = list(gmmcore.COVARIANCE_TYPES)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_json_round_trip_gives_the_same_predictions(covariance_type):
    X = iris()
    gmm = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0,
                                  keep_history=True).fit(X)
    kmeans = gmmcore.KMeans(3, random_state=0, keep_history=True).fit(X)
    text = io.dumps(gmmcore.models_to_dict(gmm=gmm, kmeans=kmeans, columns=list("abcd"),
                                           settings={"note": np.float64(1.5)},
                                           include_history=True))
    loaded = io.loads(text)
    np.testing.assert_array_equal(loaded["gmm"].predict(X), gmm.predict(X))
    np.testing.assert_allclose(loaded["gmm"].predict_proba(X), gmm.predict_proba(X),
                               atol=1e-12)
    np.testing.assert_allclose(loaded["gmm"].score_samples(X), gmm.score_samples(X),
                               rtol=1e-12)
    np.testing.assert_array_equal(loaded["gmm"].covariances_, gmm.covariances_)
    assert loaded["gmm"].lower_bounds_ == gmm.lower_bounds_
    assert loaded["gmm"].n_iter_ == gmm.n_iter_ and loaded["gmm"].converged_
    assert len(loaded["gmm"].history_) == len(gmm.history_)
    np.testing.assert_array_equal(loaded["gmm"].history_[1]["means"], gmm.history_[1]["means"])
    np.testing.assert_array_equal(loaded["kmeans"].predict(X), kmeans.labels_)
    np.testing.assert_array_equal(np.array(loaded["kmeans"].history_), np.array(kmeans.history_))
    assert loaded["kmeans"].inertia_ == kmeans.inertia_
    assert loaded["columns"] == list("abcd") and loaded["settings"] == {"note": 1.5}
    assert json.loads(text)["gmmcore_version"] == gmmcore.__version__


def test_a_loaded_model_refits_like_the_original_settings():
    X = anisotropic()
    gmm = gmmcore.GaussianMixture(3, covariance_type="tied", random_state=3, tol=1e-5).fit(X)
    loaded = io.mixture_from_dict(json.loads(json.dumps(io.mixture_to_dict(gmm))))
    assert (loaded.covariance_type, loaded.tol, loaded.random_state) == ("tied", 1e-5, 3)


def test_a_kmeans_with_array_init_saves_its_init():
    X = anisotropic()
    init = X[[0, 100, 200]]
    model = gmmcore.KMeans(3, init=init).fit(X)
    document = json.loads(io.dumps(gmmcore.models_to_dict(kmeans=model)))
    np.testing.assert_array_equal(document["kmeans"]["params"]["init"], init)
    again = io.kmeans_from_dict(document["kmeans"])
    np.testing.assert_array_equal(again.init, init)
    np.testing.assert_array_equal(again.fit(X).cluster_centers_, model.cluster_centers_)


def test_preprocessing_is_recorded_and_applied():
    X = anisotropic() * [1.0, 100.0] + 7
    record = io.standardization(X)
    Z = io.apply_preprocessing(X, record)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1)
    constant = np.column_stack([X[:, 0], np.full(len(X), 3.0)])
    np.testing.assert_array_equal(io.apply_preprocessing(constant, io.standardization(
        constant))[:, 1], 0.0)
    np.testing.assert_array_equal(io.apply_preprocessing(X, {}), X)


def test_non_finite_values_become_null():
    gmm = gmmcore.GaussianMixture(2, max_iter=0, random_state=0).fit(iris())
    assert gmm.lower_bound_ == -np.inf  # no EM iteration ran
    text = io.dumps(gmmcore.models_to_dict(gmm=gmm))
    assert json.loads(text)["gmm"]["lower_bound"] is None
    assert np.isnan(io.loads(text)["gmm"].lower_bound_)


def _document(**changes):
    """A valid two-model document (K = 2, d = 2) with parts replaced by ``changes``."""
    gmm = {"estimator": "GaussianMixture", "params": {"covariance_type": "full"},
           "weights": [0.5, 0.5], "means": [[0, 0], [1, 1]],
           "covariances": [[[1, 0], [0, 1]], [[2, 0.5], [0.5, 1]]], "n_features_in": 2,
           "converged": True, "n_iter": 2, "lower_bound": -1.0, "lower_bounds": [-2.0, -1.0]}
    kmeans = {"estimator": "KMeans", "params": {"n_clusters": 2},
              "cluster_centers": [[0, 0], [1, 1]], "inertia": 3.0, "inertias": [4.0],
              "n_iter": 1, "converged": True}
    document = {"format": io.FORMAT, "columns": ["a", "b"], "gmm": gmm, "kmeans": kmeans}
    for path, value in changes.items():
        *parents, last = path.split("__")
        where = document
        for key in parents:
            where = where[key]
        if value is _DROP:
            del where[last]
        else:
            where[last] = value
    return json.dumps(document)


_DROP = object()


def test_the_reference_document_is_valid():
    models = io.loads(_document())
    assert models["gmm"].n_components == models["kmeans"].n_clusters == 2
    np.testing.assert_array_equal(models["kmeans"].predict(np.array([[0.1, 0], [2, 2]])), [0, 1])


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ('{"format": "something else"}', "Not a gmmcore models document"),
    ("[1, 2]", "must be a JSON object"),
    ("[" * 100_000 + "]" * 100_000, "nests"),
    ('{"format": "gmmcore.models/1", "gmm": {"params": {}}}', 'gmm.estimator must be'),
    (_document(kmeans__cluster_centers=[[1, None], [0, 0]]), "kmeans.cluster_centers must hold"),
    (_document(gmm__covariances=[[[1, 0], [0, 1]], [[-1, 0], [0, 1]]]),
     r"gmm.covariances\[1\] must be positive definite"),
    (_document(gmm__covariances=[[[1, 0.5], [0, 1]], [[1, 0], [0, 1]]]),
     r"gmm.covariances\[0\] must be symmetric"),
    (_document(gmm__n_iter=None), "gmm.n_iter must be a whole number"),
    (_document(gmm__n_iter=_DROP), "gmm.n_iter must be a whole number"),
    (_document(gmm__lower_bounds=_DROP), "gmm.lower_bounds must"),
    (_document(kmeans__inertias=5), "kmeans.inertias must"),
    (_document(columns=5), "columns must be a list of 2 names"),
    (_document(columns=["a", "a"]), "columns must not repeat"),
    (_document(settings=[1, 2]), "settings must be a JSON object"),
    (_document(kmeans__params__n_clusters="x"), "kmeans.params.n_clusters"),
    (_document(kmeans__cluster_centers=[[0, 0], [1, 1], [2, 2]]),
     "kmeans.params.n_clusters is 2 but there are 3 centres"),
    (_document(kmeans__cluster_centers=[[0, 0], [1, 1], [2, 2]], kmeans__params__n_clusters=3),
     "same number of clusters"),
    (_document(kmeans__cluster_centers=[[0, 0, 0], [1, 1, 1]]), "same number of features"),
    (_document(gmm__means=[[0, 0], [1e200, 1]]), "gmm.means has values beyond"),
    (_document(gmm__weights=[0.5, 0.6]), "gmm.weights must be non-negative and sum to 1"),
    (_document(gmm__params__covariance_type="round"), "covariance_type"),
    (_document(gmm__history=[{"weights": [0.5, 0.5], "means": [[0, 0]],
                              "covariances": []}]), r"gmm.history\[0\].means must have shape"),
    (_document(gmm=_DROP, kmeans=_DROP), "holds no model"),
])
def test_bad_documents_are_refused_in_words(text, message):
    with pytest.raises(ValueError, match=message):
        io.loads(text)
