"""Model selection: BIC, AIC and ICL over K x covariance type, and the K-means elbow.

Results are plain dicts of NumPy arrays, ready to chart.
"""

import warnings

import numpy as np

from .gaussian import COVARIANCE_TYPES
from .kmeans import KMeans
from .mixture import GaussianMixture


def icl(model, X):
    """Integrated completed likelihood (Biernacki et al., 2000); lower is better.

    BIC plus twice the entropy of the hard (MAP) classification:
    ``ICL = BIC - 2 * sum_i log max_k r_ik``.

    Parameters
    ----------
    model : fitted GaussianMixture
    X : array-like of shape (n_samples, n_features)
    """
    resp = model.predict_proba(X)
    log_max = np.log(np.clip(resp.max(axis=1), np.finfo(float).tiny, None))
    return model.bic(X) - 2 * log_max.sum()


def score_model(X, n_components, covariance_type, **gmm_params):
    """Fit one mixture and score it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    covariance_type : str
    **gmm_params
        Passed to :class:`GaussianMixture`.

    Returns
    -------
    scores : dict
        ``bic``, ``aic``, ``icl``, ``log_likelihood`` (mean per row),
        ``n_parameters`` and ``converged``.

    Raises
    ------
    ValueError
        When the mixture cannot be fitted (too few rows, a collapsed component).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GaussianMixture(
            n_components, covariance_type=covariance_type, **gmm_params
        ).fit(X)
    return {
        "bic": model.bic(X),
        "aic": model.aic(X),
        "icl": icl(model, X),
        "log_likelihood": model.score(X),
        "n_parameters": model.n_parameters(),
        "converged": model.converged_,
    }


def select_models(
    X,
    k_range,
    covariance_types=COVARIANCE_TYPES,
    *,
    progress=None,
    score=score_model,
    **gmm_params,
):
    """Fit a mixture for every K and covariance type and score each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_range : iterable of int
    covariance_types : sequence of str
    progress : callable, optional
        Called as ``progress(done, total)`` after every fit.
    score : callable, default=score_model
        ``score(X, k, covariance_type, **gmm_params)`` returning the dict
        :func:`score_model` returns; a caching wrapper can stand in.
    **gmm_params
        Passed to :class:`GaussianMixture` (``random_state``, ``n_init``, ...).

    Returns
    -------
    result : dict
        ``k`` (n_k,), ``covariance_types`` (list), and arrays of shape
        (n_types, n_k): ``bic``, ``aic``, ``icl``, ``log_likelihood`` (mean per
        row), ``n_parameters``, ``converged``; ``errors`` maps (type, k) to the
        message of a fit that failed (its scores are NaN); ``best`` is the
        (covariance_type, k) with the lowest BIC.
    """
    X = np.asarray(X, dtype=float)
    ks = np.array(sorted(set(int(k) for k in k_range)))
    shape = (len(covariance_types), len(ks))
    scores = {name: np.full(shape, np.nan) for name in
              ("bic", "aic", "icl", "log_likelihood", "n_parameters")}
    converged = np.zeros(shape, dtype=bool)
    errors = {}
    total, done = shape[0] * shape[1], 0
    for i, covariance_type in enumerate(covariance_types):
        for j, k in enumerate(ks):
            try:
                cell = score(X, int(k), covariance_type, **gmm_params)
            except ValueError as exc:
                errors[(covariance_type, int(k))] = str(exc)
            else:
                for name in scores:
                    scores[name][i, j] = cell[name]
                converged[i, j] = cell["converged"]
            done += 1
            if progress is not None:
                progress(done, total)
    best = None
    if np.isfinite(scores["bic"]).any():
        i, j = np.unravel_index(np.nanargmin(scores["bic"]), shape)
        best = (covariance_types[i], int(ks[j]))
    return {
        "k": ks,
        "covariance_types": list(covariance_types),
        **scores,
        "converged": converged,
        "errors": errors,
        "best": best,
    }


def kmeans_elbow(X, k_range, *, progress=None, **kmeans_params):
    """K-means inertia for every K (the elbow curve).

    Returns
    -------
    result : dict
        ``k`` (n_k,), ``inertia`` (n_k,) and ``labels`` (list of (n_samples,)
        arrays, for silhouettes).
    """
    X = np.asarray(X, dtype=float)
    ks = np.array(sorted(set(int(k) for k in k_range)))
    inertia = np.empty(len(ks))
    labels = []
    for j, k in enumerate(ks):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = KMeans(k, **kmeans_params).fit(X)
        inertia[j] = model.inertia_
        labels.append(model.labels_)
        if progress is not None:
            progress(j + 1, len(ks))
    return {"k": ks, "inertia": inertia, "labels": labels}
