"""Which rows a fitted model finds unusual: per-row outlier scores and the rows flagged.

The two models see "unusual" differently. K-means knows only its centres, so a
row is unusual by its Euclidean distance to the nearest one; a Gaussian mixture
weighs distance by every component's own spread and shape and by its weight,
so a row is unusual by its low log-density ``log p(x)``. A row can be far from
every centre yet well explained by a wide component, or close to a centre yet
improbable under a tight one.

>>> scores = outlier_scores(gmm, X)   # higher is more unusual: -log p(x)
>>> flagged, cut = flag_share(scores, 0.01)   # the 1 % most unusual rows
"""

import math

import numpy as np

from ._validation import check_is_fitted
from .kmeans import KMeans, nearest_centers
from .mixture import GaussianMixture

__all__ = ["center_distances", "flag_share", "outlier_scores"]


def center_distances(kmeans, X):
    """Euclidean distance of every row to its nearest centre, and that centre.

    The row-wise minimum of ``kmeans.transform(X)``, computed without the
    (n_samples, n_clusters) matrix.

    Parameters
    ----------
    kmeans : KMeans
        Fitted.
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    distances : ndarray of shape (n_samples,)
    nearest : ndarray of shape (n_samples,), dtype intp
        Index of the nearest centre (ties to the lower index), as ``predict``.
    """
    check_is_fitted(kmeans, "cluster_centers_")
    nearest, sq_distances = nearest_centers(X, kmeans.cluster_centers_)
    return np.sqrt(sq_distances), nearest


def outlier_scores(model, X):
    """How unusual every row is under a fitted model: higher is more unusual.

    Parameters
    ----------
    model : KMeans or GaussianMixture
        Fitted.
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        K-means: the Euclidean distance to the nearest centre. Gaussian
        mixture: minus the log-density, ``-model.score_samples(X)`` (``inf``
        for a row too far for its density to be represented).

    Raises
    ------
    TypeError
        For any other model.
    """
    if isinstance(model, KMeans):
        return center_distances(model, X)[0]
    if isinstance(model, GaussianMixture):
        return -np.asarray(model.score_samples(X), dtype=float)
    raise TypeError(f"outlier_scores takes a fitted KMeans or GaussianMixture, not "
                    f"{type(model).__name__}.")


def flag_share(scores, share):
    """The ``share`` of rows with the highest scores.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Higher is more unusual (:func:`outlier_scores`); NaN counts as most unusual.
    share : float
        In [0, 1]. ``ceil(share * n_samples)`` rows are flagged, so any share
        above 0 flags at least one row; among equal scores the earlier rows go first.

    Returns
    -------
    flagged : ndarray of shape (n_samples,), dtype bool
    cut : float
        The lowest flagged score: every row scoring above it is flagged
        (``inf`` when nothing is flagged).
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1:
        raise ValueError(f"scores must be one value per row, shape (n_samples,); got shape "
                         f"{scores.shape}.")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be a fraction from 0 to 1; got {share!r}.")
    n_flagged = min(len(scores), math.ceil(share * len(scores) - 1e-9))
    flagged = np.zeros(len(scores), dtype=bool)
    if n_flagged == 0:
        return flagged, math.inf
    order = np.argsort(-np.where(np.isnan(scores), np.inf, scores), kind="stable")
    flagged[order[:n_flagged]] = True
    last = scores[order[n_flagged - 1]]
    return flagged, math.inf if np.isnan(last) else float(last)
