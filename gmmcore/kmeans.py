"""K-means by Lloyd's algorithm, with scikit-learn's API, stopping rule and numbers.

Lloyd's loop is written once, over a row source (:mod:`gmmcore._rows`): every
iteration is one pass in which each block of rows is assigned to its nearest
centre (one matrix product per block) and reduced to per-cluster weights,
sums, its inertia and how many labels changed. The labels are carried from
pass to pass, so the loop stops, as scikit-learn's does, when no label changes
or when the centres move less than ``tol``. The same loop fits an in-memory
array (blocks on a thread pool) and a Dask array (blocks on the cluster).
"""

import time
import warnings

import numpy as np

from ._base import BaseEstimator
from ._rows import (
    InMemoryRows,
    chunk_slices,
    run_tasks,
    single_threaded_blas,
    small_products,
    sum_products,
)
from ._sources import prediction_rows, rows_of
from ._validation import (
    ConvergenceWarning,
    check_array,
    check_int,
    check_is_fitted,
    check_option,
    check_random_state,
    check_sample_weight,
    history_limit,
    integer,
    is_dask_collection,
    optional_array,
    real,
    seed,
)

INIT_SAMPLE_SIZE = 100_000  # rows an initialisation sees on a Dask array
STOP_REASONS = ("converged", "max_iter", "time_limit")


# --------------------------------------------------------------- initialisation
def _squared_distances_t(centers, xt, x_squared_norms):
    """Squared distances of centres to transposed rows, (n_centers, n_rows), >= 0.

    Evaluated in scikit-learn's order (``-2 c.x + |c|^2 + |x|^2``), so seeds match, and
    in place (multiplying by -2 is exact).
    """
    d = centers @ xt
    d *= -2.0
    d += np.einsum("ij,ij->i", centers, centers)[:, None]
    d += x_squared_norms[None, :]
    return np.maximum(d, 0, out=d)


def _kmeans_plusplus_t(xt, sample_weight, n_clusters, rng):
    """Indices of greedy k-means++ seeds of transposed rows ``xt`` (n_features, n_samples).

    Draws the same random numbers as scikit-learn's ``_kmeans_plusplus``.
    """
    n_samples = xt.shape[1]
    x_squared_norms = np.einsum("ij,ij->j", xt, xt)
    n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.intp)
    indices[0] = rng.choice(n_samples, p=sample_weight / sample_weight.sum())
    closest = _squared_distances_t(xt[:, indices[0]][None, :], xt, x_squared_norms)[0]
    potential = closest @ sample_weight
    cumulative = np.empty(n_samples)
    for c in range(1, n_clusters):
        targets = rng.uniform(size=n_local_trials) * potential
        np.multiply(sample_weight, closest, out=cumulative)
        candidates = np.searchsorted(np.cumsum(cumulative, out=cumulative), targets)
        np.clip(candidates, None, n_samples - 1, out=candidates)
        trial = _squared_distances_t(xt[:, candidates].T, xt, x_squared_norms)
        np.minimum(closest, trial, out=trial)
        trial_potential = trial @ sample_weight
        best = int(np.argmin(trial_potential))
        potential = trial_potential[best]
        closest = trial[best].copy()  # (a view would keep all the trials alive)
        indices[c] = candidates[best]
    return indices


def kmeans_plusplus(X, n_clusters, *, random_state=None, sample_weight=None):
    """Greedy k-means++ seeding, drawing the same random numbers as scikit-learn.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
        From 1 to the number of rows with a positive weight.
    random_state : int, RandomState or None
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,)
        The rows of ``X`` chosen as centres.
    """
    X = check_array(X)
    sample_weight = check_sample_weight(sample_weight, len(X))
    n_positive = int(np.count_nonzero(sample_weight))
    check_int(n_clusters, "n_clusters", 1)
    if n_clusters > n_positive:
        raise ValueError(f"n_clusters={n_clusters} but X has {n_positive} row(s) with a "
                         "positive weight; use fewer clusters or more data.")
    rng = check_random_state(random_state)
    # Centred as KMeans does, so the seeds equal those of a fit.
    xt = np.ascontiguousarray((X - X.mean(axis=0)).T)
    indices = _kmeans_plusplus_t(xt, sample_weight, n_clusters, rng)
    return X[indices].copy(), indices


def _init_kmeans_plusplus(source, n_clusters, rng):
    indices = _kmeans_plusplus_t(source.block(slice(None)), source.weights, n_clusters, rng)
    return source.rows(indices)


def _init_random(source, n_clusters, rng):
    p = source.weights / source.weights.sum()
    return source.rows(rng.choice(source.n_samples, size=n_clusters, replace=False, p=p))


_INITS = {"k-means++": _init_kmeans_plusplus, "random": _init_random}


# ------------------------------------------------------------------ assignment
# Index of the lowest set bit of every byte: the first cluster whose bit is set.
_FIRST_SET_BIT = np.array(
    [(v & -v).bit_length() - 1 if v else 0 for v in range(256)], dtype=np.intp
)


def _first_nearest(dist, nearest):
    """Index of the first row of ``dist`` (K, n) equal to ``nearest`` (n,).

    Equal to ``dist.argmin(axis=0)``, ties going to the lower index, but for up
    to 8 clusters it packs one bit per cluster into a byte and looks the answer
    up, which is several times faster than NumPy's argmin over a short axis.
    """
    n_clusters = len(dist)
    if n_clusters > 8:
        return dist.argmin(axis=0)
    code = np.zeros(dist.shape[1], dtype=np.uint8)
    for k in range(n_clusters - 1, -1, -1):
        code <<= 1
        code |= dist[k] == nearest
    return _FIRST_SET_BIT[code]


def _nearest_one_hot(xt, centers):
    """One-hot nearest centre of transposed rows and ``|c|^2 - 2 x.c`` for it.

    Parameters
    ----------
    xt : ndarray of shape (n_features, n_rows)
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    one_hot : ndarray of shape (n_clusters, n_rows), dtype bool
        True at the nearest centre; ties go to the lower index.
    partial : ndarray of shape (n_rows,)
        Add ``|x|^2`` for the squared distance.
    """
    # (K, n) layout: the minimum over clusters runs along long rows.
    dist = small_products(-2.0 * centers, xt)
    dist += np.einsum("ij,ij->i", centers, centers)[:, None]
    nearest = dist.min(axis=0)
    one_hot = dist == nearest
    if np.count_nonzero(one_hot) != one_hot.shape[1]:  # a row exactly between two centres
        one_hot = _first_nearest(dist, nearest) == np.arange(len(dist))[:, None]
    return one_hot, nearest


def _labels_of(one_hot):
    """Cluster index of every column of a (K, n) boolean one-hot array, shape (n,), int32.

    The sum of ``k * one_hot[k]`` over k in bytes, one call: for up to 256 clusters
    some six times faster than a product with the one-hot matrix as floats, and thirty
    times faster than an argmax over the short axis.
    """
    n_clusters = len(one_hot)
    if n_clusters > 256:
        return (np.arange(n_clusters, dtype=float) @ one_hot.astype(float)).astype(np.int32)
    return np.einsum("k,kn->n", np.arange(n_clusters, dtype=np.uint8),
                     one_hot.view(np.uint8)).astype(np.int32)


def _assign_t(xt, centers):
    """Nearest centre of transposed rows, (n_rows,) int32, and ``|c|^2 - 2 x.c`` for it."""
    one_hot, partial = _nearest_one_hot(xt, centers)
    return _labels_of(one_hot), partial


def nearest_centers(X, centers):
    """Nearest of ``centers`` for every row of ``X``, and the squared distance to it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)

    Returns
    -------
    labels : ndarray of shape (n_samples,), dtype intp
        Ties go to the lower index.
    sq_distances : ndarray of shape (n_samples,)
    """
    X = check_array(X)
    centers = check_array(centers, name="centers")
    if centers.shape[1] != X.shape[1]:
        raise ValueError(f"centers have {centers.shape[1]} features but X has {X.shape[1]}.")
    shift = centers.mean(axis=0)  # centred: |x|^2 - 2 x.c + |c|^2 stays accurate
    source = InMemoryRows(X, frame=(shift, 1.0), keep_transposed=False)
    framed = centers - shift
    labels = np.empty(len(X), dtype=np.intp)
    distances = np.empty(len(X))

    def task(rows):
        labels[rows], distances[rows] = _labels_and_distances(source.block(rows), framed)
    with single_threaded_blas():
        run_tasks(task, chunk_slices(len(X), _assign_bytes(len(centers))))
    return labels, distances


def _labels_and_distances(xt, centers):
    labels, partial = _assign_t(xt, centers)
    partial += np.einsum("ij,ij->j", xt, xt)
    return labels, np.maximum(partial, 0, out=partial)


# An assignment pass makes a dozen NumPy calls per chunk, each short at a chunk of the
# cache budget, and the threads hand the GIL to each other between them: chunks four
# times larger make a Lloyd pass 1.5x faster on two threads at 1,000,000 x 2, K = 5
# (4.1 against 6.4 ms; 1.13 against 1.19 ms at 100,000 x 10, K = 8).
_ASSIGN_CHUNK_FACTOR = 4


def _assign_bytes(n_clusters):
    """Bytes of temporaries per row of an assignment pass counted against the chunk
    budget (sizes the chunks)."""
    return 8 * (n_clusters + 4) // _ASSIGN_CHUNK_FACTOR


# ------------------------------------------------------------------ Lloyd's loop
def _lloyd_pass(centers, unit_weights, update=False):
    """The block function of one Lloyd iteration from ``centers`` (fitting frame).

    It returns ((weight per cluster, weighted sums per cluster, inertia minus the
    rows' weighted squared norms, number of labels that changed), labels): the
    labels are carried to the next pass. With ``update`` (and the previous pass's
    labels), the weights and sums are the change from that pass's, made by the rows
    whose label changed alone: late passes move few rows, and the product of a
    one-hot matrix with every row is most of a pass at ten features.
    """

    def block(xt, w, previous):
        one_hot, partial = _nearest_one_hot(xt, centers)
        labels = _labels_of(one_hot)
        partial_inertia = float(partial.sum()) if unit_weights else float(np.dot(partial, w))
        if previous is None:
            return (*_weights_and_sums(one_hot.astype(float), xt, w, unit_weights),
                    partial_inertia, len(labels)), labels
        moved = np.flatnonzero(labels != previous)
        if update:
            change = np.zeros((len(centers), len(moved)))
            columns = np.arange(len(moved))
            change[labels[moved], columns] = 1.0  # +1 at a moved row's new cluster,
            change[previous[moved], columns] -= 1.0  # -1 at its old one
            stats = _weights_and_sums(change, xt[:, moved], w[moved], unit_weights)
        else:
            stats = _weights_and_sums(one_hot.astype(float), xt, w, unit_weights)
        return (*stats, partial_inertia, len(moved)), labels

    return block


def _weights_and_sums(one_hot, xt, w, unit_weights):
    """Cluster weights (K,) and weighted sums (K, d) of the rows a (K, n) matrix assigns:
    products with it, one pass each, where a bincount per feature would make d + 1
    (``np.dot`` rather than ``@``, which keeps the GIL for so small a result)."""
    return np.dot(one_hot, w), sum_products(one_hot, xt if unit_weights else xt * w)


def _squared_norms(xt, w):
    """Block function: the weighted sum of the rows' squared norms (constant over a fit)."""
    return (float(np.einsum("ij,ij->j", xt, xt) @ w),)


def _farthest_pass(centers, n_rows):
    """Block function: the ``n_rows`` rows farthest from their nearest centre.

    Returns (distances, framed rows, weights, labels) of at most ``n_rows``
    rows, farthest first; :func:`_keep_farthest` merges two blocks' results.
    """
    def block(xt, w):
        labels, distances = _labels_and_distances(xt, centers)
        far = np.argsort(-distances, kind="stable")[:n_rows]
        return distances[far], xt[:, far].T, w[far], labels[far]
    return block


def _keep_farthest(a, b):
    distances = np.concatenate([a[0], b[0]])
    far = np.argsort(-distances, kind="stable")[:len(a[0])]
    return tuple(np.concatenate([x, y])[far] for x, y in zip(a, b))


def _final_pass(centers, relabel):
    """Block function: labels (kept, or recomputed when ``relabel``) and the exact inertia."""
    def block(xt, w, previous):
        labels = _assign_t(xt, centers)[0].astype(np.int32) if relabel else previous
        diff = xt - centers[labels].T
        return (float(np.einsum("ij,ij->j", diff, diff) @ w),), labels
    return block


def _new_centers(source, weight_in, sums, old_centers):
    """Weighted means; empty clusters take the rows farthest from their centre.

    As scikit-learn: the farthest rows move, farthest first, into the empty
    clusters, taking their weight out of the cluster they left.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    moved_rows : bool
        Whether rows moved into empty clusters (the weights and sums then no longer
        follow the labels the pass carried).
    """
    weight_in, sums = weight_in.copy(), sums.copy()
    empty = np.flatnonzero(weight_in == 0)
    moved_rows = False
    if empty.size:
        distances, rows, weights, labels = source.map_reduce(
            _farthest_pass(old_centers, empty.size), _assign_bytes(len(old_centers)),
            merge=_keep_farthest)
        if distances.size and distances.max() > 0:
            moved_rows = True
            for cluster, row, weight, old in zip(empty, rows, weights, labels):
                sums[old] -= row * weight
                weight_in[old] -= weight
                sums[cluster] = row * weight
                weight_in[cluster] = weight
    centers = old_centers.copy()
    filled = weight_in > 0
    centers[filled] = sums[filled] / weight_in[filled, None]
    return centers, moved_rows


def lloyd(source, centers, *, max_iter=300, tol=0.0, keep_history=False, deadline=None):
    """Lloyd's algorithm over a row source, from ``centers``, with scikit-learn's stopping rule.

    Stops when no label changes, when the summed squared centre shift is at
    most ``tol`` (in the frame's units), after ``max_iter`` iterations, or at
    ``deadline`` (a ``time.perf_counter()`` value).

    Parameters
    ----------
    source : row source
    centers : ndarray of shape (n_clusters, n_features)
        In the source's fitting frame.
    keep_history : bool or int
        Record the centres at iteration 0, 1, ... (at most this many when an int).

    Returns
    -------
    result : dict
        ``centers``, ``inertia`` (exact, of the final labels), ``inertias`` (the
        objective at every assignment step), ``n_iter``, ``stop_reason``,
        ``history`` (or None) and ``labels`` (the source's carried labels).
    """
    limit = _history_limit(keep_history)
    history = [centers.copy()] if limit else None
    inertias = []
    labels = None
    strict = False
    stop_reason = "max_iter"
    n_iter = 0
    unit = bool(getattr(source, "unit_weights", False))
    (squared_norms,) = source.map_reduce(_squared_norms, 8 * source.n_features)
    totals = None  # (weights, sums) of the carried labels, when updates can follow them
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
        # Unit weights only: their counts stay whole numbers, so an emptied cluster's
        # weight is exactly 0 however many updates it took.
        update = unit and totals is not None
        stats, labels = source.map_reduce(_lloyd_pass(centers, unit, update),
                                          _assign_bytes(len(centers)), carry=labels)
        weight_in, sums = stats[0], stats[1]
        if update:
            weight_in, sums = totals[0] + weight_in, totals[1] + sums
        inertias.append(max(stats[2] + squared_norms, 0.0))
        new_centers, moved_rows = _new_centers(source, weight_in, sums, centers)
        totals = None if moved_rows else (weight_in, sums)
        shift = float(((new_centers - centers) ** 2).sum())
        centers = new_centers
        if history is not None and len(history) < limit:
            history.append(centers.copy())
        if n_iter > 1 and stats[3] == 0:
            strict = True
            stop_reason = "converged"
            break
        if shift <= tol:
            stop_reason = "converged"
            break
        if deadline is not None and time.perf_counter() > deadline:
            stop_reason = "time_limit"
            break
    (inertia,), labels = source.map_reduce(_final_pass(centers, not strict),
                                           _assign_bytes(len(centers)), carry=labels)
    return {"centers": centers, "inertia": inertia, "inertias": inertias, "n_iter": n_iter,
            "stop_reason": stop_reason, "history": history, "labels": labels}


def _history_limit(keep_history):
    """How many iterations to record: 0 for none, ``inf`` for all."""
    if keep_history is True:
        return np.inf
    return int(keep_history or 0)


def _check_init(value, name):
    if isinstance(value, str):
        check_option(value, name, tuple(_INITS))
    else:
        optional_array(value, name)


def _check_n_init(value, name):
    if value != "auto":
        check_int(value, name, 1)


class KMeans(BaseEstimator):
    """K-means clustering (Lloyd), following ``sklearn.cluster.KMeans``.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {'k-means++', 'random'} or array of shape (n_clusters, n_features)
    n_init : int or 'auto', default='auto'
        Runs from different seeds; 'auto' is 1 for k-means++ or an array and 10
        for 'random'. The run with the lowest inertia wins.
    max_iter : int, default=300
    tol : float, default=1e-4
        Relative to the mean feature variance, as in scikit-learn.
    random_state : int, RandomState or None, default=None
    keep_history : bool or int, default=False
        Record the centres at every iteration of the best run in ``history_``
        (an int: at most that many, from the start).
    max_time : float or None, default=None
        Seconds the fit may take; at that time it stops (``converged_`` False,
        ``stop_reason_`` 'time_limit') and skips the remaining runs.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
        Weighted sum of squared distances to the closest centre.
    inertias_ : list of float
        The objective after every assignment step of the best run.
    n_iter_ : int
    converged_ : bool
    stop_reason_ : {'converged', 'max_iter', 'time_limit'}
    restarts_ : list of dict
        ``inertias``, ``inertia``, ``n_iter``, ``converged``, ``centers`` per run.
    history_ : list of ndarray
        With ``keep_history``: centres at iteration 0 (the start), 1, ...
    n_features_in_ : int
    """

    _estimator_type = "clusterer"
    _transformer = True
    _parameter_constraints = {
        "n_clusters": integer(1),
        "init": _check_init,
        "n_init": _check_n_init,
        "max_iter": integer(1),
        "tol": real(0.0),
        "random_state": seed,
        "keep_history": history_limit,
        "max_time": real(0.0, allow_none=True),
    }

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300,
                 tol=1e-4, random_state=None, keep_history=False, max_time=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.keep_history = keep_history
        self.max_time = max_time

    def _n_runs(self):
        if not isinstance(self.init, str):
            return 1
        if self.n_init == "auto":
            return 1 if self.init == "k-means++" else 10
        return self.n_init

    def _check_data(self, source):
        k = self.n_clusters
        if source.n_samples < k:
            raise ValueError(f"X has {source.n_samples} usable row(s) but n_clusters={k}; "
                             "use fewer clusters or more data.")
        if not isinstance(self.init, str):
            init = np.asarray(self.init, dtype=float)
            if init.shape != (k, source.n_features):
                raise ValueError(f"init as an array must have shape ({k}, "
                                 f"{source.n_features}); got {init.shape}.")
        if source.spread is not None and source.spread > np.sqrt(1e307 / source.n_samples):
            raise ValueError(
                f"X has values {source.spread:.3g} apart: their summed squared distances "
                "exceed the largest float. Divide the data by a constant or standardise it first.")

    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X``.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : KMeans
        """
        self._validate_params()
        with single_threaded_blas():  # (see single_threaded_blas: the source's summary too)
            source = rows_of(X, sample_weight)
            labels = self._fit_source(source)
            self.labels_ = source.gather(labels)
        if not is_dask_collection(X):
            self._warn_if_fewer_clusters()
        return self

    def _fit_source(self, source):
        """Fit on a row source; returns the best run's carried labels."""
        self._check_data(source)
        rng = check_random_state(self.random_state)
        tol = source.mean_variance() * self.tol if self.tol else 0.0
        deadline = None if self.max_time is None else time.perf_counter() + self.max_time
        self._shift, self._scale = source.shift, source.scale
        self._weight_scale = source.total_weight / source.n_samples
        best = None
        self.restarts_ = []
        for _ in range(self._n_runs()):
            if isinstance(self.init, str):
                sample = source.sample(INIT_SAMPLE_SIZE, rng)
                centers = _INITS[self.init](sample, self.n_clusters, rng)
            else:
                centers = self._to_frame(np.asarray(self.init, dtype=float))
            run = lloyd(source, centers, max_iter=self.max_iter, tol=tol,
                        keep_history=self.keep_history, deadline=deadline)
            best = self._record_run(run, best)
            if run["stop_reason"] == "time_limit":
                break
        self._set_fitted(best, source.n_features)
        return best["labels"]

    def _to_frame(self, centers):
        return (centers - self._shift) / self._scale

    def _to_user(self, centers):
        return centers * self._scale + self._shift

    def _user_inertia(self, inertia):
        return float(inertia * self._scale**2 * self._weight_scale)

    def _record_run(self, run, best):
        """Add a Lloyd run (as :func:`lloyd` returns it) to ``restarts_``.

        Returns
        -------
        best : dict
            ``run`` if its inertia is the lowest so far, else ``best``.
        """
        self.restarts_.append({
            "inertias": [self._user_inertia(v) for v in run["inertias"]],
            "inertia": self._user_inertia(run["inertia"]),
            "n_iter": run["n_iter"],
            "converged": run["stop_reason"] == "converged",
            "centers": self._to_user(run["centers"]),
        })
        return run if best is None or run["inertia"] < best["inertia"] else best

    def _set_fitted(self, best, n_features):
        """The fitted attributes of the best run (all but ``labels_``)."""
        self.n_features_in_ = n_features
        self.cluster_centers_ = self._to_user(best["centers"])
        self.inertia_ = self._user_inertia(best["inertia"])
        self.inertias_ = [self._user_inertia(v) for v in best["inertias"]]
        self.n_iter_ = best["n_iter"]
        self.stop_reason_ = best["stop_reason"]
        self.converged_ = self.stop_reason_ == "converged"
        if best["history"] is not None:
            self.history_ = [self._to_user(c) for c in best["history"]]

    def _warn_if_fewer_clusters(self):
        distinct = np.count_nonzero(np.bincount(self.labels_, minlength=self.n_clusters))
        if distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than "
                f"n_clusters ({self.n_clusters}): X has fewer distinct points than "
                "clusters. Use a smaller n_clusters.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def fit_predict(self, X, y=None, sample_weight=None):
        """Cluster ``X`` and return ``labels_``, shape (n_samples,)."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def _prediction_rows(self, X):
        check_is_fitted(self, "cluster_centers_")
        return prediction_rows(X, (self._shift, self._scale), self.n_features_in_,
                               type(self).__name__)

    def predict(self, X):
        """Nearest centre of every row, shape (n_samples,); lazy for a Dask array."""
        source = self._prediction_rows(X)
        centers = self._to_frame(self.cluster_centers_)
        return source.map(lambda xt: _assign_t(xt, centers)[0], _assign_bytes(self.n_clusters),
                          dtype=np.intp)

    def fit_transform(self, X, y=None, sample_weight=None):
        """Cluster ``X`` and return its distances to the centres, (n_samples, n_clusters)."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def transform(self, X):
        """Euclidean distance of every row to every centre, shape (n_samples, n_clusters)."""
        source = self._prediction_rows(X)
        centers = self._to_frame(self.cluster_centers_)
        scale = self._scale

        def distances(xt):
            d = (-2.0 * centers) @ xt
            d += np.einsum("ij,ij->i", centers, centers)[:, None]
            d += np.einsum("ij,ij->j", xt, xt)[None, :]
            return np.sqrt(np.maximum(d, 0, out=d)) * scale
        return source.map(distances, _assign_bytes(self.n_clusters), width=self.n_clusters)

    def score(self, X, y=None):
        """Opposite of the inertia of ``X`` under the fitted centres."""
        source = self._prediction_rows(X)
        centers = self._to_frame(self.cluster_centers_)
        distances = source.map(lambda xt: _labels_and_distances(xt, centers)[1],
                               _assign_bytes(self.n_clusters))
        return -float(distances.sum()) * self._scale**2
