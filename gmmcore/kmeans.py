"""K-means by Lloyd's algorithm, with scikit-learn's API, stopping rule and numbers.

Assignment runs over cache-sized row chunks (one matrix product per chunk);
centre sums are weighted bincounts. Rows are centred before fitting, as
scikit-learn does, which keeps ``|x|^2 - 2 x.c + |c|^2`` accurate.
"""

import functools
import warnings

import numpy as np

from . import io
from ._chunks import row_chunks, single_threaded_blas
from ._validation import (
    ConvergenceWarning,
    check_array,
    check_fitted_input,
    check_float,
    check_int,
    check_is_fitted,
    check_option,
    check_random_state,
    check_sample_weight,
    is_dask_collection,
)


# --------------------------------------------------------------- initialisation
def kmeans_plusplus(X, n_clusters, *, random_state=None, sample_weight=None):
    """Greedy k-means++ seeding, drawing the same random numbers as scikit-learn.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    random_state : int, RandomState or None
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,)
        The rows of ``X`` chosen as centres.
    """
    rng = check_random_state(random_state)
    n_samples = len(X)
    sample_weight = check_sample_weight(sample_weight, n_samples)
    n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=int)
    indices[0] = rng.choice(n_samples, p=sample_weight / sample_weight.sum())
    closest = _squared_distances(X[indices[0]][None], X)[0]
    potential = closest @ sample_weight
    for c in range(1, n_clusters):
        targets = rng.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(sample_weight * closest), targets)
        np.clip(candidates, None, n_samples - 1, out=candidates)
        trial = np.minimum(closest, _squared_distances(X[candidates], X))
        trial_potential = trial @ sample_weight
        best = int(np.argmin(trial_potential))
        potential = trial_potential[best]
        closest = trial[best]
        indices[c] = candidates[best]
    return X[indices].copy(), indices


def _squared_distances(centers, X):
    """Squared distances, shape (n_centers, n_samples), never below zero."""
    d = (X * X).sum(axis=1)[None, :] - 2 * (centers @ X.T)
    d += (centers * centers).sum(axis=1)[:, None]
    return np.maximum(d, 0, out=d)


def _init_kmeans_plusplus(X, n_clusters, rng, sample_weight):
    return kmeans_plusplus(X, n_clusters, random_state=rng, sample_weight=sample_weight)[0]


def _init_random(X, n_clusters, rng, sample_weight):
    p = sample_weight / sample_weight.sum()
    return X[rng.choice(len(X), size=n_clusters, replace=False, p=p)].copy()


_INITS = {"k-means++": _init_kmeans_plusplus, "random": _init_random}


# ------------------------------------------------------------------ Lloyd steps
def _nearest_centres(x_mean, centers, X):
    """Labels of rows ``X`` (n, d) for centres given in the caller's units."""
    return assign(X - x_mean, centers - x_mean)[0]


def assign(X, centers):
    """Nearest centre of every row and the squared distance to it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    labels : ndarray of shape (n_samples,), dtype intp
    min_distances : ndarray of shape (n_samples,)
    """
    X_t = np.ascontiguousarray(X.T)
    labels, partial = assign_t(X_t, centers)
    partial += np.einsum("ij,ij->j", X_t, X_t)
    return labels, np.maximum(partial, 0, out=partial)


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


def assign_t(X_t, centers):
    """Nearest centres of transposed rows, without the |x|^2 term.

    Parameters
    ----------
    X_t : ndarray of shape (n_features, n_samples)
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    labels : ndarray of shape (n_samples,), dtype intp
    partial : ndarray of shape (n_samples,)
        ``|c|^2 - 2 x.c`` for the nearest centre; add ``|x|^2`` for the distance.
    """
    n_samples = X_t.shape[1]
    n_clusters = len(centers)
    labels = np.empty(n_samples, dtype=np.intp)
    partial = np.empty(n_samples)
    minus_two_centers = -2.0 * centers
    center_norms = (centers * centers).sum(axis=1)[:, None]
    for rows in row_chunks(n_samples, 8 * (n_clusters + 2), budget=1 << 18):
        # (K, n) layout: the minimum over clusters runs along long rows.
        dist = minus_two_centers @ X_t[:, rows]
        dist += center_norms
        nearest = dist.min(axis=0)
        labels[rows] = _first_nearest(dist, nearest)
        partial[rows] = nearest
    return labels, partial


class _LloydData:
    """The rows in the layout Lloyd's loop needs, computed once per fit.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,)
    """

    def __init__(self, X, sample_weight):
        self.X = X
        self.X_t = np.ascontiguousarray(X.T)
        self.x_squared_norms = np.einsum("ij,ij->j", self.X_t, self.X_t)
        self.unweighted = bool((sample_weight == 1).all())
        self.sample_weight = sample_weight
        self.weighted_rows = self.X_t if self.unweighted else self.X_t * sample_weight
        self.weighted_norms = float(self.x_squared_norms @ sample_weight)

    def inertia_of(self, partial):
        """Weighted sum of squared distances given :func:`assign_t`'s ``partial``."""
        return max(float(partial @ self.sample_weight) + self.weighted_norms, 0.0)

    def cluster_sums(self, labels, n_clusters):
        """Weights and weighted sums of rows per cluster: (K,), (K, n_features)."""
        weights = (
            np.bincount(labels, minlength=n_clusters).astype(float)
            if self.unweighted
            else np.bincount(labels, weights=self.sample_weight, minlength=n_clusters)
        )
        sums = np.stack(
            [np.bincount(labels, weights=row, minlength=n_clusters)
             for row in self.weighted_rows],
            axis=1,
        )
        return weights, sums


def _update_centers(data, labels, partial, old_centers):
    """New centres as weighted means; empty clusters take the farthest rows.

    Follows scikit-learn: the rows farthest from their (old) centre move, in
    order of distance, into the empty clusters.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    """
    weight_in, sums = data.cluster_sums(labels, len(old_centers))
    empty = np.flatnonzero(weight_in == 0)
    if empty.size:
        distances = partial + data.x_squared_norms
        if distances.max() > 0:
            far = np.argpartition(distances, -empty.size)[: -empty.size - 1 : -1]
            for cluster, row in zip(empty, far):
                weight = data.sample_weight[row]
                old = labels[row]
                sums[old] -= data.X[row] * weight
                sums[cluster] = data.X[row] * weight
                weight_in[cluster] = weight
                weight_in[old] -= weight
    centers = old_centers.copy()
    filled = weight_in > 0
    centers[filled] = sums[filled] / weight_in[filled, None]
    return centers


def lloyd(X, sample_weight, centers, *, max_iter=300, tol=0.0, keep_history=False):
    """Lloyd's algorithm from ``centers`` with scikit-learn's stopping rule.

    Stops when the labels no longer change, or when the summed squared centre
    shift is at most ``tol`` (already scaled to the data).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,)
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    result : dict
        ``centers``, ``labels``, ``inertia``, ``inertias`` (objective after every
        assignment step), ``n_iter``, ``converged`` and, with ``keep_history``,
        ``history`` (centres at iteration 0, 1, ...).
    """
    data = _LloydData(X, sample_weight)
    labels_old = None
    history = [centers.copy()] if keep_history else None
    inertias = []
    strict = converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (n_iter is read after the loop)
        labels, partial = assign_t(data.X_t, centers)
        inertias.append(data.inertia_of(partial))
        new_centers = _update_centers(data, labels, partial, centers)
        shift = float(((new_centers - centers) ** 2).sum())
        centers = new_centers
        if history is not None:
            history.append(centers.copy())
        if labels_old is not None and np.array_equal(labels, labels_old):
            strict = converged = True
            break
        if shift <= tol:
            converged = True
            break
        labels_old = labels
    if not strict:
        labels, _ = assign_t(data.X_t, centers)
    diff = X - centers[labels]
    inertia = float(np.einsum("ij,ij->i", diff, diff) @ sample_weight)
    return {
        "centers": centers,
        "labels": labels,
        "inertia": inertia,
        "inertias": inertias,
        "n_iter": n_iter,
        "converged": converged,
        "history": history,
    }


class KMeans:
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
    keep_history : bool, default=False
        Record the centres at every iteration of the best run in ``history_``.

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
    restarts_ : list of dict
        ``inertias``, ``inertia``, ``n_iter``, ``converged``, ``centers`` per run.
    history_ : list of ndarray
        With ``keep_history``: centres at iteration 0 (the start), 1, ...
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        keep_history=False,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.keep_history = keep_history

    def to_dict(self, include_history=False):
        """The fitted centres and fit summary as a JSON-ready dict (see :mod:`gmmcore.io`).

        Parameters
        ----------
        include_history : bool, default=False
            Also keep ``history_`` (the centres at every iteration), when recorded.
        """
        check_is_fitted(self, "cluster_centers_")
        random_state = self.random_state if isinstance(self.random_state, int) else None
        history = getattr(self, "history_", None) if include_history else None
        return io.plain({
            "estimator": "KMeans",
            "params": {"n_clusters": self.n_clusters,
                       "init": self.init if isinstance(self.init, str) else "k-means++",
                       "n_init": self.n_init, "max_iter": self.max_iter, "tol": self.tol,
                       "random_state": random_state},
            "cluster_centers": self.cluster_centers_,
            "n_features_in": self.n_features_in_,
            "inertia": self.inertia_,
            "inertias": self.inertias_,
            "n_iter": self.n_iter_,
            "converged": self.converged_,
        } | ({"history": history} if history is not None else {}))

    @classmethod
    def from_dict(cls, data):
        """The K-means model :meth:`to_dict` describes, ready to predict.

        Raises
        ------
        ValueError
            When a part is missing or the centres are not a finite 2-D array.
        """
        try:
            model = cls(**data["params"])
            centers = np.asarray(data["cluster_centers"], dtype=float)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"The KMeans part is incomplete or malformed ({exc}); save it "
                             "again with to_dict().") from exc
        if centers.ndim != 2 or not np.isfinite(centers).all():
            raise ValueError("KMeans cluster_centers must be a finite (n_clusters, n_features) "
                             "array.")
        model.cluster_centers_ = centers
        model.n_features_in_ = centers.shape[1]
        model._x_mean = centers.mean(axis=0)
        model.inertia_ = data.get("inertia")
        model.inertias_ = list(data.get("inertias") or [])
        model.n_iter_ = data.get("n_iter")
        model.converged_ = data.get("converged")
        if data.get("history"):
            model.history_ = [np.asarray(c, dtype=float) for c in data["history"]]
        return model

    def __repr__(self):
        return f"KMeans(n_clusters={self.n_clusters})"

    def _check_parameters(self, n_samples, n_features):
        k = check_int(self.n_clusters, "n_clusters", 1)
        check_int(self.max_iter, "max_iter", 1)
        check_float(self.tol, "tol")
        if n_samples < k:
            raise ValueError(
                f"X has {n_samples} usable row(s) but n_clusters={k}; "
                "use fewer clusters or more data."
            )
        if isinstance(self.init, str):
            check_option(self.init, "init", tuple(_INITS))
            if self.n_init == "auto":
                return 1 if self.init == "k-means++" else 10
            return check_int(self.n_init, "n_init", 1)
        init = np.asarray(self.init, dtype=float)
        if init.shape != (k, n_features) or not np.isfinite(init).all():
            raise ValueError(
                f"init as an array must be finite with shape ({k}, {n_features}); "
                f"got {init.shape}."
            )
        return 1

    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : KMeans
        """
        if is_dask_collection(X):
            from . import _dask

            return _dask.fit_kmeans(self, X, sample_weight)
        X = check_array(X)
        n_init = self._check_parameters(*X.shape)
        sample_weight = check_sample_weight(sample_weight, len(X))
        rng = check_random_state(self.random_state)
        x_mean = X.mean(axis=0)
        X = X - x_mean
        tol = float(np.mean(X.var(axis=0)) * self.tol) if self.tol else 0.0

        best = None
        self.restarts_ = []
        for _ in range(n_init):
            if isinstance(self.init, str):
                centers = _INITS[self.init](X, self.n_clusters, rng, sample_weight)
            else:
                centers = np.asarray(self.init, dtype=float) - x_mean
            with single_threaded_blas():
                run = lloyd(
                    X, sample_weight, centers,
                    max_iter=self.max_iter, tol=tol, keep_history=self.keep_history,
                )
            best = self._record_run(run, x_mean, best)

        distinct = len(np.unique(best["labels"]))
        if distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than "
                f"n_clusters ({self.n_clusters}): X has fewer distinct points than "
                "clusters. Use a smaller n_clusters.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._set_fitted(best, x_mean, X.shape[1])
        self.labels_ = best["labels"]
        return self

    def _record_run(self, run, x_mean, best):
        """Add a Lloyd run (as :func:`lloyd` returns it, centred) to ``restarts_``.

        Returns
        -------
        best : dict
            ``run`` if its inertia is the lowest so far, else ``best``.
        """
        self.restarts_.append(
            {key: run[key] for key in ("inertias", "inertia", "n_iter", "converged")}
            | {"centers": run["centers"] + x_mean}
        )
        return run if best is None or run["inertia"] < best["inertia"] else best

    def _set_fitted(self, best, x_mean, n_features):
        """The fitted attributes of the best run (all but ``labels_``)."""
        self.n_features_in_ = n_features
        self._x_mean = x_mean
        self.cluster_centers_ = best["centers"] + x_mean
        self.inertia_ = best["inertia"]
        self.inertias_ = best["inertias"]
        self.n_iter_ = best["n_iter"]
        self.converged_ = best["converged"]
        if best["history"] is not None:
            self.history_ = [c + x_mean for c in best["history"]]

    def fit_predict(self, X, y=None, sample_weight=None):
        """Cluster ``X`` and return ``labels_``, shape (n_samples,)."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def _checked(self, X):
        return check_fitted_input(X, self, "cluster_centers_")

    def predict(self, X):
        """Nearest centre of every row, shape (n_samples,); lazy for a Dask array."""
        if is_dask_collection(X):
            from ._dask import map_rows

            # Only the centres travel to the workers, not the model (whose labels_
            # may itself be a Dask array).
            check_is_fitted(self, "cluster_centers_")
            nearest = functools.partial(_nearest_centres, self._x_mean, self.cluster_centers_)
            return map_rows(X, nearest, dtype=np.intp)
        X = self._checked(X)
        return _nearest_centres(self._x_mean, self.cluster_centers_, X)

    def transform(self, X):
        """Euclidean distance of every row to every centre, shape (n_samples, n_clusters)."""
        X = self._checked(X)
        diff = X[:, None, :] - self.cluster_centers_[None, :, :]
        return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))

    def score(self, X, y=None):
        """Opposite of the inertia of ``X`` under the fitted centres."""
        X = self._checked(X)
        return -float(assign(X - self._x_mean, self.cluster_centers_ - self._x_mean)[1].sum())
