"""A fitted model opened in the dashboard: a model JSON (from the Compare page's
download or ``python -m gmmcore fit``) and a sample of its data to show it on.

Model files come from visitors, so :func:`read_model_file` trusts nothing: it
decodes the bytes, parses the JSON, checks every field with
:func:`gmmcore.io.check_document`, then the dashboard's own limits (K,
features, settings within the settings table), and answers with models or a
message naming the first bad field, never an exception.
"""

import json
import warnings
from dataclasses import dataclass

import numpy as np

import gmmcore
from gmmcore import io
from gmmcore.settings import MAX_FEATURES, MAX_K, parse_settings

from . import budget, compare

DRAWN_ROWS = 2000
MAX_MODEL_MB = 20


@dataclass(frozen=True)
class LoadedModels:
    """A model file's contents.

    Attributes
    ----------
    gmm : gmmcore.GaussianMixture or None
    kmeans : gmmcore.KMeans or None
    columns : tuple of str
    preprocessing : dict
    settings : compare.Settings
    source : str
        Where the models were fitted, in words (quotes the file: show escaped).
    """

    gmm: object
    kmeans: object
    columns: tuple
    preprocessing: dict
    settings: compare.Settings
    source: str


def decode_json_bytes(raw):
    """Text of a JSON file: UTF-8 (with or without BOM) or UTF-16 with BOM.

    Raises
    ------
    ValueError
        For bytes in no such encoding.
    """
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise ValueError(f"it is not {encoding.upper().replace('-SIG', '')} text; save it "
                         "again as UTF-8 JSON") from None


def read_model_file(raw, name="model file"):
    """Parse and check a model JSON.

    Parameters
    ----------
    raw : bytes or str
    name : str
        The file's name, for messages.

    Returns
    -------
    models : LoadedModels or None
    error : str or None
        What is wrong with the file, naming the first bad field.
    """
    try:
        return _read(raw), None
    except ValueError as exc:
        return None, f"{name} could not be used: {exc}"
    except (TypeError, KeyError, IndexError, AttributeError, OverflowError, MemoryError,
            RecursionError, np.linalg.LinAlgError) as exc:
        # A case the checks did not foresee: refuse the file rather than fail.
        return None, f"{name} could not be used ({type(exc).__name__}); it is not a valid " \
            "gmmcore models document."


def _read(raw):
    if len(raw) > MAX_MODEL_MB * 2**20:
        raise ValueError(f"it is {len(raw) / 2**20:.1f} MB; the limit is {MAX_MODEL_MB} MB "
                         "(save it without its iteration history: --no-history)")
    text = decode_json_bytes(raw) if isinstance(raw, bytes) else raw
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError("it nests lists or objects too deeply to be a models "
                         "document") from None
    k, d = io.check_document(document)
    if k > MAX_K:
        raise ValueError(f"its models have K = {k}; the dashboard shows K up to {MAX_K}")
    if d > MAX_FEATURES:
        raise ValueError(f"its models have {d} features; the dashboard shows up to "
                         f"{MAX_FEATURES}")
    stored = document.get("settings") or {}
    values, errors = parse_settings(stored)
    if errors:
        raise ValueError(f"settings: {errors[0]}")
    parts = io.models_from_dict(document)
    gmm, kmeans = parts["gmm"], parts["kmeans"]
    values.update(k=k, covariance_type=gmm.covariance_type if gmm is not None else "full",
                  standardize=bool(parts["preprocessing"].get("standardize")))
    settings = compare.Settings.checked(values)
    columns = tuple(parts["columns"] or (f"x{i + 1}" for i in range(d)))
    return LoadedModels(gmm, kmeans, columns, parts["preprocessing"], settings,
                        _source(stored))


def _source(stored):
    rows, data = stored.get("n_samples"), stored.get("data")
    if isinstance(rows, int) and not isinstance(rows, bool) and rows > 0:
        where = data[:120] if isinstance(data, str) and data.strip() else "the data"
        return f"fitted on {rows:,} rows of {where}"
    return "fitted in the dashboard"


def drawn_sample(models, n_rows=DRAWN_ROWS, seed=0):
    """Rows drawn from the mixture, in the data's own units (before preprocessing).

    Returns
    -------
    X : ndarray of shape (n_rows, n_features)
    """
    gmm = models.gmm
    sampler = gmmcore.GaussianMixture.from_parameters(
        gmm.weights_, gmm.means_, gmm.covariances_, gmm.covariance_type, random_state=seed)
    X, _ = sampler.sample(n_rows)
    standardize = models.preprocessing.get("standardize")
    if standardize:
        X = X * np.asarray(standardize["scale"]) + np.asarray(standardize["mean"])
    return X


def sample_columns(features, models):
    """The model's columns out of an uploaded sample (a pandas DataFrame).

    Returns
    -------
    X : ndarray or None
    error : str or None
    """
    missing = [c for c in models.columns if c not in features.columns]
    if missing:
        return None, (f"The sample lacks the model's column(s) {', '.join(missing)}; it has "
                      f"{', '.join(map(str, features.columns))}.")
    return features[list(models.columns)].to_numpy(dtype=float), None


def comparison_for(models, X, limits=budget.Limits()):
    """Both loaded models shown on the sample ``X`` (data units), nothing refitted
    except K-means when the file has none; within the server's budget.

    Returns
    -------
    compare.Comparison
    """
    settings = models.settings
    plan = budget.plan_fit(len(X), X.shape[1], settings, limits)
    rows = None
    if plan.n_rows < len(X):
        rows = compare.uniform_sample(len(X), plan.n_rows, 0)
        X = X[rows]
    X_model = io.apply_preprocessing(X, models.preprocessing)
    notes = list(plan.notes[:1])
    kmeans = models.kmeans
    if kmeans is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmeans = compare.kmeans_model(settings, keep_history=plan.history,
                                          plan=plan).fit(X_model)
        notes.append("The model file has no K-means model: K-means was fitted on the sample "
                     "shown here.")
    return compare.assemble(X_model, settings, kmeans, models.gmm, notes, rows=rows, plan=plan,
                            columns=models.columns)
