"""Model selection for the "Choose K" page: the fit settings each grid cell
uses, K-means' elbow and silhouette per K, and the recommended model."""

import warnings
from dataclasses import replace

import numpy as np

import gmmcore

from .compare import Settings, gmm_params, kmeans_model, silhouettes


def grid_settings(settings: Settings, plan=None):
    """The settings with K and the covariance type blanked (what a grid depends on), and
    the restarts the grid's plan runs."""
    n_init = settings.n_init if plan is None else plan.n_init
    return replace(settings, k=0, covariance_type="", n_init=n_init)


def _kmeans(X, k, settings, plan):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return kmeans_model(settings, k, plan=plan).fit(X)


def grid_scores(X, settings: Settings, plan, progress=None):
    """Every cell of a planned Choose K grid: the mixtures' criteria and K-means' scores.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
        The rows the grid uses (the plan's sample).
    settings : Settings
        As :func:`grid_settings` gives them.
    plan : budget.GridPlan
    progress : callable, optional
        ``progress(done, total)`` after every fit.

    Returns
    -------
    gmm : dict
        As :func:`gmmcore.select_models` returns it.
    kmeans : dict
        ``k``, ``inertia`` and ``silhouette`` arrays of shape (n_k,).
    """
    n_gmm = len(plan.ks) * len(plan.covariance_types)
    total = n_gmm + len(plan.ks)
    gmm = gmmcore.select_models(
        X, plan.ks, plan.covariance_types,
        progress=(lambda done, _: progress(done, total)) if progress else None,
        **gmm_params(settings, plan))
    models = []
    for j, k in enumerate(plan.ks):
        models.append(_kmeans(X, k, settings, plan))
        if progress:
            progress(n_gmm + j + 1, total)
    # Every K's silhouette on the same sample, from one matrix of its distances.
    scores = silhouettes(X, *(model.labels_ for model in models))
    kmeans = {"k": np.asarray(plan.ks),
              "inertia": np.array([model.inertia_ for model in models]),
              "silhouette": np.array([np.nan if s is None else s for s in scores])}
    return gmm, kmeans


def best_cell(scores):
    """Index (type, K) of the lowest score in a (n_types, n_k) grid; None if all NaN."""
    if not np.isfinite(scores).any():
        return None
    i, j = np.unravel_index(np.nanargmin(scores), scores.shape)
    return int(i), int(j)


MARGIN = 10  # a criterion difference below 10 is not "very strong" evidence (Kass & Raftery)


def lowest(result, criterion):
    """The (covariance_type, k) with the lowest ``criterion``, or None when all failed."""
    cell = best_cell(result[criterion])
    if cell is None:
        return None
    return result["covariance_types"][cell[0]], int(result["k"][cell[1]])


def recommended(result, criterion, margin=MARGIN):
    """The simplest model whose ``criterion`` is within ``margin`` of the lowest.

    A lower BIC by less than 10 is not "very strong" evidence on Kass and
    Raftery's (1995) scale, so among those models the one with the fewest free
    parameters is recommended (ties: the lower criterion).

    Parameters
    ----------
    result : dict
        As :func:`gmmcore.select_models` returns it (with ``n_parameters``).
    criterion : {'bic', 'aic', 'icl'}
    margin : float

    Returns
    -------
    (covariance_type, k) or None
        None when every fit failed.
    """
    scores = result[criterion]
    if not np.isfinite(scores).any():
        return None
    close = np.isfinite(scores) & (scores <= np.nanmin(scores) + margin)
    candidates = np.argwhere(close)
    params = np.asarray(result["n_parameters"])
    i, j = min(candidates, key=lambda c: (params[c[0], c[1]], scores[c[0], c[1]]))
    return result["covariance_types"][i], int(result["k"][j])
