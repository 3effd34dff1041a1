"""Model selection for the "Choose K" page: the fit settings each grid cell
uses, K-means' elbow and silhouette per K, and the recommended model."""

import warnings
from dataclasses import replace

import numpy as np

from .compare import Settings, kmeans_model, silhouette


def grid_settings(settings: Settings, plan=None):
    """The settings with K and the covariance type blanked (what a grid depends on), and
    the restarts the grid's plan runs."""
    n_init = settings.n_init if plan is None else plan.n_init
    return replace(settings, k=0, covariance_type="", n_init=n_init)


def kmeans_scores(X, k, settings: Settings, plan=None):
    """K-means with ``k`` clusters: its inertia and mean silhouette.

    Returns
    -------
    dict
        ``inertia`` (float) and ``silhouette`` (float, NaN for one cluster).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = kmeans_model(settings, k, plan=plan).fit(X)
    score = silhouette(X, model.labels_)
    return {"inertia": model.inertia_, "silhouette": np.nan if score is None else score}


def best_cell(scores):
    """Index (type, K) of the lowest score in a (n_types, n_k) grid; None if all NaN."""
    if not np.isfinite(scores).any():
        return None
    i, j = np.unravel_index(np.nanargmin(scores), scores.shape)
    return int(i), int(j)


def recommended(result, criterion):
    """The (covariance_type, k) with the lowest ``criterion`` ('bic', 'aic', 'icl'),
    or None when every fit failed."""
    cell = best_cell(result[criterion])
    if cell is None:
        return None
    return result["covariance_types"][cell[0]], int(result["k"][cell[1]])
