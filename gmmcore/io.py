"""Fitted models as plain JSON-ready dicts, and back.

One document format serves the dashboard's download and the command line:

    {"format": "gmmcore.models/1", "gmmcore_version": "...",
     "columns": [...], "preprocessing": {...}, "settings": {...},
     "gmm": GaussianMixture.to_dict(), "kmeans": KMeans.to_dict()}

Arrays are nested lists of floats; Python's float repr round-trips them exactly.
"""

import json

import numpy as np

from ._validation import is_dask_collection

FORMAT = "gmmcore.models/1"


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


def standardization(X):
    """The preprocessing record of column standardisation fitted on ``X``.

    Returns
    -------
    dict
        ``{"standardize": {"mean": [...], "scale": [...]}}``; constant columns
        get scale 1 (they are only centred).
    """
    X = np.asarray(X, dtype=float)
    std = X.std(axis=0)
    return {"standardize": {"mean": X.mean(axis=0).tolist(),
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
    from . import __version__

    return plain({
        "format": FORMAT,
        "gmmcore_version": __version__,
        "columns": None if columns is None else list(columns),
        "preprocessing": preprocessing or {},
        "settings": settings or {},
        "gmm": None if gmm is None else gmm.to_dict(include_history=include_history),
        "kmeans": None if kmeans is None else kmeans.to_dict(include_history=include_history),
    })


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
        When the document is not a gmmcore models document.
    """
    from .kmeans import KMeans
    from .mixture import GaussianMixture

    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"Not a gmmcore models document: expected \"format\": \"{FORMAT}\". "
                         "Use a file saved by the dashboard or `python -m gmmcore fit`.")
    return {
        "gmm": None if not document.get("gmm") else GaussianMixture.from_dict(document["gmm"]),
        "kmeans": None if not document.get("kmeans") else KMeans.from_dict(document["kmeans"]),
        "columns": document.get("columns"),
        "preprocessing": document.get("preprocessing") or {},
        "settings": document.get("settings") or {},
    }


def dumps(document):
    """The document as JSON text (floats exact, no NaN literals)."""
    return json.dumps(document, indent=1, allow_nan=False)


def loads(text):
    """Parse JSON text and load its models (see :func:`models_from_dict`)."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"The model file is not valid JSON ({exc}).") from exc
    return models_from_dict(document)
