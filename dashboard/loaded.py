"""A fitted model opened in the dashboard: a model JSON (from the Compare page's
download or ``python -m gmmcore fit``) and a sample of its data to show it on."""

import warnings
from dataclasses import dataclass, fields

import numpy as np

import gmmcore
from gmmcore import io

from . import compare

DRAWN_ROWS = 2000


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
        Where the models were fitted, in words.
    """

    gmm: object
    kmeans: object
    columns: tuple
    preprocessing: dict
    settings: compare.Settings
    source: str


def read_model_file(raw, name="model file"):
    """Parse a model JSON.

    Returns
    -------
    models : LoadedModels or None
    error : str or None
        What is wrong with the file, in words.
    """
    try:
        parts = io.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"{name} could not be read: {exc}"
    gmm, kmeans = parts["gmm"], parts["kmeans"]
    if gmm is None and kmeans is None:
        return None, f"{name} holds no model."
    n_features = (gmm or kmeans).n_features_in_
    columns = tuple(parts["columns"] or (f"x{i + 1}" for i in range(n_features)))
    if len(columns) != n_features:
        return None, (f"{name} names {len(columns)} columns but its models have "
                      f"{n_features} features.")
    stored = parts["settings"]
    known = {f.name for f in fields(compare.Settings)}
    settings = compare.Settings(**{
        **{k: v for k, v in stored.items() if k in known},
        "k": (gmm.n_components if gmm is not None else kmeans.n_clusters),
        "covariance_type": gmm.covariance_type if gmm is not None else "full",
        "standardize": bool(parts["preprocessing"].get("standardize")),
    })
    rows = stored.get("n_samples")
    source = (f"fitted on {rows:,} rows of {stored.get('data', 'the data')}" if rows
              else "fitted in the dashboard")
    return LoadedModels(gmm, kmeans, columns, parts["preprocessing"], settings, source), None


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


def comparison_for(models, X):
    """Both loaded models shown on the sample ``X`` (data units), nothing refitted
    except K-means when the file has none.

    Returns
    -------
    compare.Comparison
    """
    X_model = io.apply_preprocessing(X, models.preprocessing)
    notes = []
    kmeans = models.kmeans
    if kmeans is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmeans = compare.kmeans_model(models.settings, keep_history=True).fit(X_model)
        notes.append("The model file has no K-means model: K-means was fitted on the sample "
                     "shown here.")
    return compare.assemble(X_model, models.settings, kmeans, models.gmm, notes)
