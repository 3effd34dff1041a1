"""GaussianMixture and KMeans on Dask arrays: the data stays where it is.

Imported only when ``fit`` is given a Dask array. Every EM or Lloyd iteration
maps each block of rows to small sufficient statistics (for EM: the weighted
log-likelihood, Σr, Σr·x and Σr·xxᵀ per component; for Lloyd: counts, sums,
inertia and the farthest rows), adds them up on the cluster and updates the
parameters on the client, which only ever holds arrays of size K x d (x d).
The same block functions run the in-memory fits, so both give the same numbers
up to the order of additions.

Whatever Dask scheduler is active computes the graph: the threaded default, a
``distributed.LocalCluster`` or a remote ``distributed.Client``.
"""

import dask
import dask.array as da
import numpy as np

from ._validation import check_random_state
from .kmeans import _INITS, assign_t
from .mixture import _power_of_two_scale, e_step_sums

INIT_SAMPLE_SIZE = 100_000


# ---------------------------------------------------------------- input
def as_row_blocks(X, sample_weight=None):
    """A float Dask array split by rows only, and matching weights.

    Returns
    -------
    X : dask.array.Array of shape (n_samples, n_features)
    sample_weight : dask.array.Array of shape (n_samples,)

    Raises
    ------
    ValueError
        For frames, unknown chunk sizes, wrong dimensions or weights.
    """
    if not isinstance(X, da.Array):
        raise ValueError("Pass a dask.array.Array (for a Dask DataFrame use "
                         "df.to_dask_array(lengths=True)).")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got {X.ndim}-D.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() or build "
                         "it with to_dask_array(lengths=True).")
    X = X.astype(float)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    n_samples = X.shape[0]
    if sample_weight is None:
        sample_weight = da.ones(n_samples, chunks=(X.chunks[0],))
    else:
        sample_weight = da.asarray(sample_weight).astype(float)
        if sample_weight.shape != (n_samples,):
            raise ValueError(f"sample_weight must have shape ({n_samples},); got "
                             f"{sample_weight.shape}.")
        sample_weight = sample_weight.rechunk((X.chunks[0],))
    return X, sample_weight


def _pairs(X, sample_weight):
    """(rows block, weights block) delayed pairs, one per row block."""
    return list(zip(X.to_delayed().ravel(), sample_weight.to_delayed().ravel()))


def _reduce(parts, merge):
    """Merge delayed block results pairwise, as a binary tree, and compute the total.

    ``merge(a, b=None)`` combines two results (one, for an odd one out).
    """
    while len(parts) > 1:
        parts = [dask.delayed(merge)(*parts[i:i + 2]) for i in range(0, len(parts), 2)]
    (total,) = dask.compute(parts[0])
    return total


def _add(a, b=None):
    if b is None:
        return a
    return tuple(x + y for x, y in zip(a, b))


def _column_stats(block, weights):
    if not np.isfinite(block).all() or not np.isfinite(weights).all():
        raise ValueError("X and sample_weight must be finite: drop or fill NaN and infinite "
                         "values first (e.g. dataframe.dropna()).")
    if (weights < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    return (weights.sum(), weights @ block, block.sum(axis=0), block.min(axis=0),
            block.max(axis=0))


def _merge_stats(a, b=None):
    if b is None:
        return a
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], np.minimum(a[3], b[3]),
            np.maximum(a[4], b[4]))


def column_summary(X, sample_weight):
    """One pass: total weight, weighted column sums, plain column sums, min and max."""
    parts = [dask.delayed(_column_stats)(b, w) for b, w in _pairs(X, sample_weight)]
    return _reduce(parts, _merge_stats)


def _sample_rows(X, sample_weight, size, rng):
    """A uniform random sample of about ``size`` rows, brought to the client."""
    n_samples = X.shape[0]
    if n_samples <= size:
        return dask.compute(X, sample_weight)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    keep = da.random.RandomState(seed).random_sample(n_samples, chunks=X.chunks[0])
    keep = keep < size / n_samples
    return dask.compute(X[keep], sample_weight[keep])


# --------------------------------------------------------------- mixtures
def _mixture_block(block, weights, shift, scale, params, covariance_type):
    X_t = np.ascontiguousarray(((block - shift) / scale).T)
    return e_step_sums(X_t, weights, params, covariance_type)


def fit_mixture(model, X, sample_weight=None):
    """Fit ``model`` (a GaussianMixture) by EM on a Dask array, in place.

    The initial parameters come from ``weights_init``/``means_init``/
    ``precisions_init`` when given, otherwise from ``init_params`` run on a
    random sample of at most ``INIT_SAMPLE_SIZE`` rows.
    """
    X, sample_weight = as_row_blocks(X, sample_weight)
    n_samples, n_features = X.shape
    model._check_parameters(n_samples, n_features)
    total_weight, weighted_sum, _, lo, hi = column_summary(X, sample_weight)
    shift = np.clip(weighted_sum / total_weight, lo, hi)
    scale = _power_of_two_scale(max(np.abs(lo - shift).max(), np.abs(hi - shift).max()))
    model._shift, model._scale = shift, scale
    pairs = _pairs(X, sample_weight)

    def e_step(params):
        parts = [dask.delayed(_mixture_block)(b, w, shift, scale, params, model.covariance_type)
                 for b, w in pairs]
        log_norm, *moments = _reduce(parts, _add)
        return log_norm / total_weight, tuple(moments)

    def initial_parameters(rng):
        sample, weights = _sample_rows(X, sample_weight, INIT_SAMPLE_SIZE, rng)
        return model._initial_parameters((sample - shift) / scale, weights, rng)

    model._fit_restarts(e_step, initial_parameters, n_features)


def map_rows(X, func, n_columns=None, dtype=float):
    """``func`` applied to every row block of a Dask array, lazily.

    Parameters
    ----------
    func : callable
        NumPy rows (n, d) -> (n,) or (n, n_columns).
    n_columns : int, optional
        Width of the result; None for one value per row.
    """
    X, _ = as_row_blocks(X)
    if n_columns is None:
        return X.map_blocks(func, drop_axis=1, dtype=dtype)
    return X.map_blocks(func, chunks=(X.chunks[0], (n_columns,)), dtype=dtype)


# ---------------------------------------------------------------- K-means
def _lloyd_block(block, weights, x_mean, centers, n_far):
    """Labels-free sufficient statistics of one Lloyd step on one block.

    Returns
    -------
    tuple
        (weight per cluster, weighted sums per cluster, inertia, farthest
        candidates: distances, rows, weights, labels — at most ``n_far``).
    """
    xc = block - x_mean
    X_t = np.ascontiguousarray(xc.T)
    labels, partial = assign_t(X_t, centers)
    distances = np.maximum(partial + np.einsum("ij,ij->j", X_t, X_t), 0)
    k = len(centers)
    weight_in = np.bincount(labels, weights=weights, minlength=k)
    sums = np.stack([np.bincount(labels, weights=row * weights, minlength=k) for row in X_t],
                    axis=1)
    far = np.argsort(-distances, kind="stable")[:n_far]
    return (weight_in, sums, float(distances @ weights),
            (distances[far], xc[far], weights[far], labels[far]))


def _merge_lloyd(a, b=None):
    if b is None:
        return a
    candidates = tuple(np.concatenate([x, y]) for x, y in zip(a[3], b[3]))
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], candidates)


def _new_centers(stats, old_centers):
    """Weighted means; empty clusters take the farthest rows, as in the in-memory Lloyd."""
    weight_in, sums, _, (distances, rows, weights, labels) = stats
    weight_in, sums = weight_in.copy(), sums.copy()
    empty = np.flatnonzero(weight_in == 0)
    if empty.size and distances.max() > 0:
        order = np.argsort(-distances, kind="stable")[: empty.size]
        for cluster, i in zip(empty, order):
            old = labels[i]
            sums[old] -= rows[i] * weights[i]
            weight_in[old] -= weights[i]
            sums[cluster] = rows[i] * weights[i]
            weight_in[cluster] = weights[i]
    centers = old_centers.copy()
    filled = weight_in > 0
    centers[filled] = sums[filled] / weight_in[filled, None]
    return centers


def _lloyd_pass(pairs, x_mean, centers):
    parts = [dask.delayed(_lloyd_block)(b, w, x_mean, centers, len(centers)) for b, w in pairs]
    return _reduce(parts, _merge_lloyd)


def _lloyd(pairs, x_mean, centers, max_iter, tol, keep_history):
    history = [centers.copy()] if keep_history else None
    inertias = []
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
        stats = _lloyd_pass(pairs, x_mean, centers)
        inertias.append(stats[2])
        new_centers = _new_centers(stats, centers)
        shift = float(((new_centers - centers) ** 2).sum())
        centers = new_centers
        if history is not None:
            history.append(centers.copy())
        # Labels that did not change give the same means: shift 0 <= tol, so this
        # also stops where the in-memory Lloyd's "labels unchanged" test does.
        if shift <= tol:
            converged = True
            break
    inertia = _lloyd_pass(pairs, x_mean, centers)[2]
    return {"centers": centers, "inertia": inertia, "inertias": inertias, "n_iter": n_iter,
            "converged": converged, "history": history}


def _variance_block(block, mean):
    return (((block - mean) ** 2).sum(axis=0),)


def fit_kmeans(model, X, sample_weight=None):
    """Fit ``model`` (a KMeans) by Lloyd's algorithm on a Dask array, in place.

    k-means++ and random initialisations run on a random sample of at most
    ``INIT_SAMPLE_SIZE`` rows; ``labels_`` is a lazy Dask array.
    """
    X, sample_weight = as_row_blocks(X, sample_weight)
    n_samples, n_features = X.shape
    n_init = model._check_parameters(n_samples, n_features)
    _, _, plain_sum, _, _ = column_summary(X, sample_weight)
    x_mean = plain_sum / n_samples
    parts = [dask.delayed(_variance_block)(b, x_mean) for b in X.to_delayed().ravel()]
    (squares,) = _reduce(parts, _add)
    tol = float(np.mean(squares / n_samples) * model.tol) if model.tol else 0.0
    pairs = _pairs(X, sample_weight)
    rng = check_random_state(model.random_state)

    best = None
    model.restarts_ = []
    for _ in range(n_init):
        if isinstance(model.init, str):
            sample, weights = _sample_rows(X, sample_weight, INIT_SAMPLE_SIZE, rng)
            centers = _INITS[model.init](sample - x_mean, model.n_clusters, rng, weights)
        else:
            centers = np.asarray(model.init, dtype=float) - x_mean
        run = _lloyd(pairs, x_mean, centers, model.max_iter, tol, model.keep_history)
        best = model._record_run(run, x_mean, best)
    model._set_fitted(best, x_mean, n_features)
    model.labels_ = model.predict(X)
    return model

