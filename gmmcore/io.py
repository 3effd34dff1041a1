"""Fitted models as plain JSON-ready dicts, and back, checked field by field.

One document format serves the dashboard's download and the command line:

    {"format": "gmmcore.models/1", "gmmcore_version": "...",
     "columns": [...], "preprocessing": {...}, "settings": {...},
     "gmm": {...}, "kmeans": {...}}

Arrays are nested lists of floats; Python's float repr round-trips them
exactly. Reading a document checks every field's type, shape, range and
consistency and names the first bad field (:func:`check_document`), so a
document that passes loads into models that predict.

This module imports the estimators; they never import it.
"""

import json
import numbers

import numpy as np

from . import gaussian
from ._rows import frame_from_summary
from ._validation import is_dask_collection
from ._version import __version__
from .kmeans import KMeans
from .mixture import LARGEST_SPREAD, GaussianMixture

FORMAT = "gmmcore.models/1"
LARGEST_VALUE = LARGEST_SPREAD  # means, centres and standard deviations in a document
_MIXTURE_PARAMS = ("n_components", "covariance_type", "tol", "reg_covar", "max_iter", "n_init",
                   "init_params", "random_state")
_KMEANS_PARAMS = ("n_clusters", "init", "n_init", "max_iter", "tol", "random_state")


def plain(value):
    """``value`` with NumPy arrays and scalars as lists and Python numbers, and
    NaN or infinite floats as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None  # JSON has no NaN or infinity
    return value


# ------------------------------------------------------------ preprocessing
def standardization(X):
    """The preprocessing record of column standardisation fitted on ``X``.

    The one definition of standardising used by the dashboard, its exports
    and the command line.

    Parameters
    ----------
    X : array-like or dask.array.Array of shape (n_samples, n_features)

    Returns
    -------
    dict
        ``{"standardize": {"mean": [...], "scale": [...]}}``; constant columns
        get scale 1 (they are only centred).
    """
    if is_dask_collection(X):
        import dask

        mean, std = dask.compute(X.mean(axis=0), X.std(axis=0))
    else:
        X = np.asarray(X, dtype=float)
        mean, std = X.mean(axis=0), X.std(axis=0)
    return {"standardize": {"mean": np.asarray(mean, dtype=float).tolist(),
                            "scale": np.where(std > 0, std, 1.0).tolist()}}


def apply_preprocessing(X, preprocessing):
    """Transform raw rows as the document's ``preprocessing`` says (or leave them).

    Parameters
    ----------
    X : array-like or dask.array.Array of shape (n_samples, n_features)
    preprocessing : dict or None

    Returns
    -------
    X : ndarray (or lazy Dask array) of shape (n_samples, n_features)
    """
    if not is_dask_collection(X):  # a Dask array stays lazy and distributed
        X = np.asarray(X, dtype=float)
    standardize = (preprocessing or {}).get("standardize")
    if not standardize:
        return X
    return (X - np.asarray(standardize["mean"])) / np.asarray(standardize["scale"])


def prediction_columns(gmm=None, kmeans=None, X=None, order=None):
    """The per-row results of both models, as named columns.

    The one definition of the prediction output used by the dashboard's CSV
    and by ``python -m gmmcore predict``.

    Parameters
    ----------
    gmm : GaussianMixture, optional
    kmeans : KMeans, optional
    X : ndarray of shape (n_samples, n_features)
        Rows as the models expect them (preprocessed).
    order : ndarray of shape (n_components,), optional
        Mixture component shown as cluster j + 1 (the dashboard matches its
        numbering to K-means'); default the model's own order.

    Returns
    -------
    columns : dict of str to ndarray of shape (n_samples,)
        ``kmeans_cluster`` and ``gmm_cluster`` (numbered from 1),
        ``gmm_p_cluster_1``, ... (responsibilities) and ``gmm_uncertainty``
        (1 - the largest responsibility).
    """
    resp = None
    if gmm is not None:
        resp = gmm.predict_proba(X)
        if order is not None:
            resp = resp[:, order]
    return result_columns(None if kmeans is None else kmeans.predict(X), resp)


def result_columns(kmeans_labels=None, resp=None):
    """Per-row results as named columns (the output format of every prediction).

    Parameters
    ----------
    kmeans_labels : ndarray of shape (n_samples,), optional
        0-based nearest centres.
    resp : ndarray of shape (n_samples, n_components), optional
        Responsibilities, columns in the order clusters are numbered.

    Returns
    -------
    columns : dict of str to ndarray of shape (n_samples,)
    """
    columns = {}
    if kmeans_labels is not None:
        columns["kmeans_cluster"] = np.asarray(kmeans_labels) + 1
    if resp is not None:
        columns["gmm_cluster"] = resp.argmax(axis=1) + 1
        for j in range(resp.shape[1]):
            columns[f"gmm_p_cluster_{j + 1}"] = resp[:, j]
        columns["gmm_uncertainty"] = 1 - resp.max(axis=1)
    return columns


# ------------------------------------------------------------ models -> dicts
def mixture_to_dict(model, include_history=False):
    """A fitted GaussianMixture as a JSON-ready dict.

    Parameters
    ----------
    include_history : bool, default=False
        Also keep ``history_`` (per-iteration parameters), when recorded.
    """
    params = {name: getattr(model, name) for name in _MIXTURE_PARAMS}
    if not isinstance(params["random_state"], int | None):
        params["random_state"] = None
    out = {"estimator": "GaussianMixture", "params": params, "weights": model.weights_,
           "means": model.means_, "covariances": model.covariances_,
           "n_features_in": model.n_features_in_}
    for name in ("converged", "n_iter", "lower_bound", "lower_bounds"):
        out[name] = getattr(model, name + "_")
    if include_history and hasattr(model, "history_"):
        out["history"] = model.history_
    return plain(out)


def kmeans_to_dict(model, include_history=False):
    """A fitted KMeans as a JSON-ready dict (an array ``init`` is written as its centres)."""
    random_state = model.random_state if isinstance(model.random_state, int) else None
    out = {"estimator": "KMeans",
           "params": {"n_clusters": model.n_clusters,
                      "init": model.init if isinstance(model.init, str)
                      else np.asarray(model.init, dtype=float),
                      "n_init": model.n_init, "max_iter": model.max_iter, "tol": model.tol,
                      "random_state": random_state},
           "cluster_centers": model.cluster_centers_, "n_features_in": model.n_features_in_,
           "inertia": model.inertia_, "inertias": model.inertias_, "n_iter": model.n_iter_,
           "converged": model.converged_}
    if include_history and hasattr(model, "history_"):
        out["history"] = model.history_
    return plain(out)


def models_to_dict(*, gmm=None, kmeans=None, columns=None, preprocessing=None, settings=None,
                   include_history=False):
    """One JSON-ready document holding fitted models and how to apply them.

    Parameters
    ----------
    gmm : GaussianMixture, optional
    kmeans : KMeans, optional
    columns : sequence of str, optional
        Feature names, in the order the models expect.
    preprocessing : dict, optional
        As :func:`standardization` returns, when the models were fitted on
        transformed data.
    settings : dict, optional
        Anything else worth keeping (the dashboard's sidebar settings).
    include_history : bool, default=False
        Keep the models' per-iteration parameters (``history_``).

    Returns
    -------
    dict
    """
    return plain({
        "format": FORMAT,
        "gmmcore_version": __version__,
        "columns": None if columns is None else list(columns),
        "preprocessing": preprocessing or {},
        "settings": settings or {},
        "gmm": None if gmm is None else mixture_to_dict(gmm, include_history),
        "kmeans": None if kmeans is None else kmeans_to_dict(kmeans, include_history),
    })


# ------------------------------------------------------------ checking a document
class _Bad(ValueError):
    """A field of a document that is not as the format says."""


def _object(value, path):
    if not isinstance(value, dict):
        raise _Bad(f"{path} must be a JSON object; got {type(value).__name__}.")
    return value


def _integer(value, path, low=0, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < low or (high is not None and value > high):
        where = f"from {low}" + ("" if high is None else f" to {high}")
        raise _Bad(f"{path} must be a whole number {where}; got {_show(value)}.")
    return int(value)


def _boolean(value, path):
    if not isinstance(value, bool):
        raise _Bad(f"{path} must be true or false; got {_show(value)}.")
    return value


def _number(value, path, nullable=False):
    if value is None and nullable:
        return np.nan
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not np.isfinite(float(value)):
        raise _Bad(f"{path} must be a finite number; got {_show(value)}.")
    return float(value)


def _show(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _numbers(value, path, shape, nullable=False):
    """A nested list of finite numbers of exactly ``shape``, as a float array."""
    if nullable and isinstance(value, list):
        value = [np.nan if v is None else v for v in value]
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise _Bad(f"{path} must be a list of numbers of shape {shape}.") from None
    if array.dtype.kind not in "iuf" or (array.dtype.kind != "f" and array.size and
                                         np.abs(array).max() > 2**53):
        raise _Bad(f"{path} must hold only numbers (shape {shape}).")
    if array.shape != tuple(shape):
        raise _Bad(f"{path} must have shape {tuple(shape)}; got {array.shape}.")
    array = array.astype(float)
    if not nullable and not np.isfinite(array).all():
        raise _Bad(f"{path} must be finite numbers.")
    return array


def _bounded(array, path, largest=LARGEST_VALUE):
    if array.size and np.abs(array).max() > largest:
        raise _Bad(f"{path} has values beyond ±{largest:g}; rescale the data before fitting.")
    return array


def _vectors(value, path):
    """A non-empty list of equal-length, bounded vectors (means, centres): (K, d)."""
    if not isinstance(value, list) or not value or not isinstance(value[0], list):
        raise _Bad(f"{path} must be a list of vectors, one per cluster.")
    k, d = len(value), len(value[0])
    if d == 0:
        raise _Bad(f"{path} must have at least one feature.")
    _bounded(_numbers(value, path, (k, d)), path)
    return k, d


def _check_covariances(value, path, covariance_type, k, d):
    cov = _numbers(value, path, gaussian.covariance_shape(covariance_type, k, d))
    matrices = cov if covariance_type == "full" else cov[None] if covariance_type == "tied" \
        else None
    if matrices is None:
        if (cov <= 0).any():
            bad = int(np.flatnonzero((cov <= 0).reshape(len(cov), -1).any(axis=1))[0])
            raise _Bad(f"{path}[{bad}] must be positive variances.")
        _bounded(np.sqrt(cov), path)
        if cov.min() < 1e-300:
            raise _Bad(f"{path} has variances below 1e-300; rescale the data before fitting.")
        return cov
    for j, m in enumerate(matrices):
        where = f"{path}[{j}]" if covariance_type == "full" else path
        if np.abs(m - m.T).max() > 1e-8 * np.abs(m).max():
            raise _Bad(f"{where} must be symmetric.")
        _bounded(np.sqrt(np.abs(np.diag(m))), where)
        if np.linalg.eigvalsh(m).min() <= 0 or np.diag(m).min() < 1e-300:
            raise _Bad(f"{where} must be positive definite (a covariance matrix).")
    return cov


def _check_params(params, path, constraints, names):
    params = _object(params, path)
    clean = {}
    for name in names:
        if name in params:
            try:
                constraints[name](params[name], name)
            except (ValueError, TypeError) as exc:
                raise _Bad(f"{path}.{name}: {exc}") from None
            clean[name] = params[name]
    return clean


def _check_fit_record(part, path, n_iter_key="n_iter"):
    """``converged``, ``n_iter`` of a model part, when it records its fit."""
    if "converged" not in part and n_iter_key not in part:
        return None
    converged = _boolean(part.get("converged"), f"{path}.converged")
    n_iter = _integer(part.get(n_iter_key), f"{path}.{n_iter_key}")
    return converged, n_iter


def _history(part, path, record):
    """A model part's ``history`` (steps to check): a list of at most n_iter + 1 steps."""
    history = part.get("history") or []
    if not isinstance(history, list) or (record is not None and len(history) > record[1] + 1):
        raise _Bad(f"{path}.history must be a list of at most n_iter + 1 steps.")
    return history


def _check_mixture(part):
    path = "gmm"
    part = _object(part, path)
    if part.get("estimator") != "GaussianMixture":
        raise _Bad(f'{path}.estimator must be "GaussianMixture".')
    params = _check_params(part.get("params"), f"{path}.params",
                           GaussianMixture._parameter_constraints, _MIXTURE_PARAMS)
    covariance_type = params.get("covariance_type")
    if covariance_type not in gaussian.COVARIANCE_TYPES:
        raise _Bad(f"{path}.params.covariance_type must be one of "
                   f"{', '.join(gaussian.COVARIANCE_TYPES)}.")
    k, d = _vectors(part.get("means"), f"{path}.means")
    weights = _numbers(part.get("weights"), f"{path}.weights", (k,))
    if (weights < 0).any() or not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-6):
        raise _Bad(f"{path}.weights must be non-negative and sum to 1.")
    _check_covariances(part.get("covariances"), f"{path}.covariances", covariance_type, k, d)
    if "n_components" in params and params["n_components"] != k:
        raise _Bad(f"{path}.params.n_components is {params['n_components']} but there are "
                   f"{k} means.")
    if "n_features_in" in part and part["n_features_in"] != d:
        raise _Bad(f"{path}.n_features_in must be {d}, the length of each mean.")
    record = _check_fit_record(part, path)
    if record is not None:
        n_iter = record[1]
        _number(part.get("lower_bound"), f"{path}.lower_bound", nullable=True)
        _numbers(part.get("lower_bounds"), f"{path}.lower_bounds", (n_iter,), nullable=True)
    for t, step in enumerate(_history(part, path, record)):
        where = f"{path}.history[{t}]"
        step = _object(step, where)
        _numbers(step.get("weights"), f"{where}.weights", (k,))
        _bounded(_numbers(step.get("means"), f"{where}.means", (k, d)), f"{where}.means")
        _check_covariances(step.get("covariances"), f"{where}.covariances", covariance_type,
                           k, d)
    return k, d


def _check_kmeans(part):
    path = "kmeans"
    part = _object(part, path)
    if part.get("estimator") != "KMeans":
        raise _Bad(f'{path}.estimator must be "KMeans".')
    params = _check_params(part.get("params"), f"{path}.params", KMeans._parameter_constraints,
                           _KMEANS_PARAMS)
    k, d = _vectors(part.get("cluster_centers"), f"{path}.cluster_centers")
    if "n_clusters" in params and params["n_clusters"] != k:
        raise _Bad(f"{path}.params.n_clusters is {params['n_clusters']} but there are {k} "
                   "centres.")
    if not isinstance(params.get("init", "k-means++"), str):
        _numbers(params["init"], f"{path}.params.init", (k, d))
    if "n_features_in" in part and part["n_features_in"] != d:
        raise _Bad(f"{path}.n_features_in must be {d}, the length of each centre.")
    record = _check_fit_record(part, path)
    if record is not None:
        inertia = _number(part.get("inertia"), f"{path}.inertia", nullable=True)
        if inertia < 0:
            raise _Bad(f"{path}.inertia must not be negative.")
        _numbers(part.get("inertias"), f"{path}.inertias", (record[1],), nullable=True)
    for t, step in enumerate(_history(part, path, record)):
        _bounded(_numbers(step, f"{path}.history[{t}]", (k, d)), f"{path}.history[{t}]")
    return k, d


def check_document(document):
    """Check a models document field by field.

    Raises
    ------
    ValueError
        Naming the first field that is missing, of the wrong type, shape or
        range, or inconsistent with another (K and features of both models,
        the columns and the preprocessing record).
    """
    document = _object(document, "The document")
    if document.get("format") != FORMAT:
        raise _Bad(f'Not a gmmcore models document: expected "format": "{FORMAT}". Use a '
                   "file saved by the dashboard or `python -m gmmcore fit`.")
    gmm, kmeans = document.get("gmm"), document.get("kmeans")
    if not gmm and not kmeans:
        raise _Bad("The document holds no model (neither gmm nor kmeans).")
    shapes = {}
    if gmm:
        shapes["gmm"] = _check_mixture(gmm)
    if kmeans:
        shapes["kmeans"] = _check_kmeans(kmeans)
    if len(set(shapes.values())) > 1:
        (k1, d1), (k2, d2) = shapes["gmm"], shapes["kmeans"]
        what = "clusters" if k1 != k2 else "features"
        raise _Bad(f"gmm and kmeans must have the same number of {what}: the mixture has "
                   f"{k1} components of {d1} features, K-means {k2} centres of {d2}.")
    k, d = next(iter(shapes.values()))
    columns = document.get("columns")
    if columns is not None:
        if not isinstance(columns, list) or len(columns) != d:
            raise _Bad(f"columns must be a list of {d} names, one per feature.")
        for i, name in enumerate(columns):
            if not isinstance(name, str) or not name.strip() or len(name) > 200:
                raise _Bad(f"columns[{i}] must be a non-empty name of at most 200 characters.")
        if len(set(columns)) != len(columns):
            raise _Bad("columns must not repeat a name.")
    preprocessing = document.get("preprocessing") or {}
    standardize = _object(preprocessing, "preprocessing").get("standardize")
    if standardize:
        standardize = _object(standardize, "preprocessing.standardize")
        _bounded(_numbers(standardize.get("mean"), "preprocessing.standardize.mean", (d,)),
                 "preprocessing.standardize.mean")
        scale = _numbers(standardize.get("scale"), "preprocessing.standardize.scale", (d,))
        if (scale <= 0).any() or scale.max() > LARGEST_VALUE or scale.min() < 1e-150:
            raise _Bad("preprocessing.standardize.scale must be positive numbers between "
                       "1e-150 and 1e150.")
    _object(document.get("settings") or {}, "settings")
    return k, d


# ------------------------------------------------------------ dicts -> models
def mixture_from_dict(data):
    """The GaussianMixture a checked ``gmm`` part describes, ready to predict."""
    params = {k: v for k, v in data["params"].items() if k in _MIXTURE_PARAMS
              and k not in ("n_components", "covariance_type")}
    model = GaussianMixture.from_parameters(
        data["weights"], data["means"], data["covariances"],
        data["params"]["covariance_type"], **params)
    if "converged" in data:
        model.converged_ = bool(data["converged"])
        model.stop_reason_ = "converged" if model.converged_ else "max_iter"
        model.n_iter_ = int(data["n_iter"])
        model.lower_bound_ = np.nan if data.get("lower_bound") is None \
            else float(data["lower_bound"])
        model.lower_bounds_ = [np.nan if v is None else float(v) for v in data["lower_bounds"]]
    if data.get("history"):
        model.history_ = [{key: np.asarray(step[key], dtype=float)
                           for key in ("weights", "means", "covariances")}
                          for step in data["history"]]
    return model


def kmeans_from_dict(data):
    """The KMeans a checked ``kmeans`` part describes, ready to predict."""
    params = {k: v for k, v in data["params"].items() if k in _KMEANS_PARAMS}
    if not isinstance(params.get("init", ""), str):
        params["init"] = np.asarray(params["init"], dtype=float)
    model = KMeans(**params)
    centers = np.asarray(data["cluster_centers"], dtype=float)
    model.cluster_centers_ = centers
    model.n_features_in_ = centers.shape[1]
    shift = centers.mean(axis=0)
    model._shift, model._scale, _ = frame_from_summary(shift, centers.min(axis=0),
                                                       centers.max(axis=0))
    model._weight_scale = 1.0
    model.inertia_ = np.nan if data.get("inertia") is None else float(data["inertia"])
    model.inertias_ = [np.nan if v is None else float(v) for v in data.get("inertias") or []]
    model.n_iter_ = int(data.get("n_iter") or 0)
    model.converged_ = bool(data.get("converged"))
    model.stop_reason_ = "converged" if model.converged_ else "max_iter"
    if data.get("history"):
        model.history_ = [np.asarray(c, dtype=float) for c in data["history"]]
    return model


def models_from_dict(document):
    """The models of a :func:`models_to_dict` document, ready to predict.

    Returns
    -------
    dict
        ``gmm`` and ``kmeans`` (estimators or None), ``columns``,
        ``preprocessing`` and ``settings`` as stored.

    Raises
    ------
    ValueError
        When the document is not a valid gmmcore models document; the message
        names the first bad field.
    """
    check_document(document)
    return {
        "gmm": mixture_from_dict(document["gmm"]) if document.get("gmm") else None,
        "kmeans": kmeans_from_dict(document["kmeans"]) if document.get("kmeans") else None,
        "columns": document.get("columns"),
        "preprocessing": document.get("preprocessing") or {},
        "settings": document.get("settings") or {},
    }


def dumps(document):
    """The document as JSON text (floats exact, no NaN literals)."""
    return json.dumps(document, indent=1, allow_nan=False)


def loads(text):
    """Parse JSON text and load its models (see :func:`models_from_dict`).

    Raises
    ------
    ValueError
        For text that is not JSON (nesting too deep included) or not a valid
        models document.
    """
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"The model file is not valid JSON ({exc}).") from None
    except RecursionError:
        raise ValueError("The model file nests its lists or objects too deeply to be a "
                         "models document.") from None
    return models_from_dict(document)
