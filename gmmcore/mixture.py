"""GaussianMixture fitted by EM, with scikit-learn's API and numbers.

Each EM iteration is one pass over the rows in cache-sized chunks: the E-step
of a chunk is followed at once by its share of the M-step's sufficient
statistics (weighted counts, sums and second moments), so the responsibility
matrix of all rows never exists at once. Rows are centred (and, for extreme
magnitudes, scaled by a power of two) before fitting; the fitted attributes
are given back in the caller's units.
"""

import time
import warnings

import numpy as np
from scipy.special import logsumexp

from . import gaussian, io
from ._chunks import map_reduce_rows, row_chunks, single_threaded_blas
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
from .kmeans import KMeans, kmeans_plusplus

INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")
_EPS10 = 10 * np.finfo(np.float64).eps


# ------------------------------------------------------------ initial responsibilities
def _resp_kmeans(X, n_components, rng, sample_weight):
    labels = KMeans(n_clusters=n_components, n_init=1, random_state=rng)
    labels = labels.fit(X, sample_weight=sample_weight).labels_
    resp = np.zeros((len(X), n_components))
    resp[np.arange(len(X)), labels] = 1
    return resp


def _resp_kmeans_plusplus(X, n_components, rng, sample_weight):
    _, indices = kmeans_plusplus(X, n_components, random_state=rng, sample_weight=sample_weight)
    resp = np.zeros((len(X), n_components))
    resp[indices, np.arange(n_components)] = 1
    return resp


def _resp_random(X, n_components, rng, sample_weight):
    resp = rng.uniform(size=(len(X), n_components))
    resp /= resp.sum(axis=1)[:, None]
    return resp


def _resp_random_from_data(X, n_components, rng, sample_weight):
    resp = np.zeros((len(X), n_components))
    indices = rng.choice(len(X), size=n_components, replace=False)
    resp[indices, np.arange(n_components)] = 1
    return resp


_INITIAL_RESP = {
    "kmeans": _resp_kmeans,
    "k-means++": _resp_kmeans_plusplus,
    "random": _resp_random,
    "random_from_data": _resp_random_from_data,
}


# ----------------------------------------------------------------- data frame
def _frame(X, sample_weight):
    """Shift and power-of-two scale that keep the arithmetic accurate.

    Returns
    -------
    shift : ndarray of shape (n_features,)
    scale : float
        1.0 unless the centred values are beyond 1e50 or below 1e-50, where
        squares would overflow or underflow; a power of two keeps every
        product exact.
    """
    shift = np.average(X, axis=0, weights=sample_weight)
    # Averaging can round to a value just outside the data; keep it inside.
    shift = np.clip(shift, X.min(axis=0), X.max(axis=0))
    return shift, _power_of_two_scale(np.abs(X - shift).max())


def _power_of_two_scale(largest):
    """1.0, or the power of two nearest ``largest`` when it is beyond 1e±50."""
    if largest > 1e50 or 0 < largest < 1e-50:
        return float(2.0 ** np.round(np.log2(largest)))
    return 1.0


class GaussianMixture:
    """Gaussian mixture fitted by expectation-maximisation.

    The constructor, fitted attributes and numbers follow
    ``sklearn.mixture.GaussianMixture``; from the same initial parameters the
    two agree to rounding.

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    tol : float, default=1e-3
        EM stops when the mean log-likelihood gains less than this.
    reg_covar : float, default=1e-6
        Added to the variances so covariances stay positive definite.
    max_iter : int, default=100
    n_init : int, default=1
        Initialisations to run; the one with the highest final lower bound wins.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
    weights_init : array-like of shape (n_components,), default=None
    means_init : array-like of shape (n_components, n_features), default=None
    precisions_init : array-like, default=None
        Shape per covariance type as ``precisions_``.
    random_state : int, RandomState or None, default=None
    keep_history : bool, default=False
        Record the parameters at every iteration of the best initialisation in
        ``history_`` (starting with the initial ones).
    verbose : int, default=0
        Print the mean log-likelihood, its change and the time at every iteration.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_, precisions_, precisions_cholesky_ : ndarray
        Shapes per covariance type as in scikit-learn.
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean log-likelihood of the best initialisation at its last E-step.
    lower_bounds_ : list of float
        Mean log-likelihood at every E-step of the best initialisation.
    restarts_ : list of dict
        One per initialisation: ``lower_bounds``, ``n_iter``, ``converged`` and
        its final ``weights``, ``means``, ``covariances``.
    history_ : list of dict
        With ``keep_history``: ``weights``, ``means``, ``covariances`` at
        iteration 0 (the start), 1, ..., ``n_iter_``.
    n_features_in_ : int
    """

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        keep_history=False,
        verbose=0,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.keep_history = keep_history
        self.verbose = verbose

    @classmethod
    def from_parameters(cls, weights, means, covariances, covariance_type="full", **params):
        """A fitted mixture with the given parameters, ready to predict and score.

        Parameters
        ----------
        weights : array-like of shape (n_components,)
            Non-negative, summing to 1.
        means : array-like of shape (n_components, n_features)
        covariances : array-like
            Shape per ``covariance_type`` as ``covariances_``.
        covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        **params
            Other constructor parameters, kept for reference.

        Returns
        -------
        model : GaussianMixture
            With ``weights_``, ``means_``, ``covariances_`` and the precisions
            set; no fitting attributes such as ``lower_bounds_``. The weights
            and means are also its ``weights_init`` and ``means_init``, so a
            later ``fit`` starts from them.
        """
        means = np.asarray(means, dtype=float)
        if means.ndim != 2:
            raise ValueError(f"means must have shape (n_components, n_features); got "
                             f"{means.shape}.")
        model = cls(len(means), covariance_type=covariance_type, weights_init=weights,
                    means_init=means, **params)
        check_option(covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
        model._check_initial_values(means.shape[1])
        covariances = np.asarray(covariances, dtype=float)
        model._check_covariance_shape(covariances, means.shape[1], "covariances")
        weights = np.asarray(weights, dtype=float)
        model._shift = weights @ means
        spread = max(np.abs(means - model._shift).max(), np.sqrt(np.abs(covariances).max()))
        model._scale = _power_of_two_scale(spread)
        frame_covariances = covariances / model._scale**2
        model.n_features_in_ = means.shape[1]
        model._set_parameters((
            weights, (means - model._shift) / model._scale, frame_covariances,
            gaussian.precision_cholesky(frame_covariances, covariance_type),
        ))
        return model

    _PARAMS = ("n_components", "covariance_type", "tol", "reg_covar", "max_iter", "n_init",
               "init_params", "random_state")

    def to_dict(self, include_history=False):
        """The fitted mixture as a JSON-ready dict (see :mod:`gmmcore.io`).

        Parameters
        ----------
        include_history : bool, default=False
            Also keep ``history_`` (per-iteration parameters), when recorded.

        Returns
        -------
        dict
            ``estimator``, ``params`` (constructor), ``weights``, ``means``,
            ``covariances``, ``n_features_in``, and the fit's ``converged``,
            ``n_iter``, ``lower_bound``, ``lower_bounds`` when known.
        """
        check_is_fitted(self, "means_")
        params = {name: getattr(self, name) for name in self._PARAMS}
        if not isinstance(params["random_state"], int | None):
            params["random_state"] = None
        out = {
            "estimator": "GaussianMixture",
            "params": params,
            "weights": self.weights_,
            "means": self.means_,
            "covariances": self.covariances_,
            "n_features_in": self.n_features_in_,
        }
        for name in ("converged", "n_iter", "lower_bound", "lower_bounds"):
            if hasattr(self, name + "_"):
                out[name] = getattr(self, name + "_")
        if include_history and hasattr(self, "history_"):
            out["history"] = self.history_
        return io.plain(out)

    @classmethod
    def from_dict(cls, data):
        """The mixture :meth:`to_dict` describes, ready to predict.

        Raises
        ------
        ValueError
            When a part is missing or the parameters are not a valid mixture.
        """
        try:
            params = {k: v for k, v in data["params"].items()
                      if k in cls._PARAMS and k != "n_components"}
            weights, means, covariances = data["weights"], data["means"], data["covariances"]
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"The GaussianMixture part lacks {exc}; save it again with "
                             "to_dict().") from exc
        model = cls.from_parameters(weights, means, covariances, **params)
        if "converged" in data:
            model.converged_ = bool(data["converged"])
            model.n_iter_ = int(data["n_iter"])
            model.lower_bound_ = _float(data["lower_bound"])
            model.lower_bounds_ = [_float(v) for v in data["lower_bounds"]]
        if data.get("history"):
            model.history_ = [
                {key: np.asarray(step[key], dtype=float)
                 for key in ("weights", "means", "covariances")}
                for step in data["history"]
            ]
        return model

    def __repr__(self):
        return (
            f"GaussianMixture(n_components={self.n_components}, "
            f"covariance_type={self.covariance_type!r})"
        )

    # ------------------------------------------------------------- checks
    def _check_parameters(self, n_samples, n_features):
        check_int(self.n_components, "n_components", 1)
        check_option(self.covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
        check_float(self.tol, "tol")
        check_float(self.reg_covar, "reg_covar")
        check_int(self.max_iter, "max_iter", 0)
        check_int(self.n_init, "n_init", 1)
        check_option(self.init_params, "init_params", INIT_PARAMS)
        if n_samples < self.n_components:
            raise ValueError(
                f"X has {n_samples} usable row(s) but n_components={self.n_components}; "
                "use fewer components or more data."
            )
        self._check_initial_values(n_features)

    def _check_initial_values(self, n_features):
        k = self.n_components
        if self.weights_init is not None:
            w = np.asarray(self.weights_init, dtype=float)
            if w.shape != (k,) or (w < 0).any() or not np.isclose(w.sum(), 1.0):
                raise ValueError(
                    f"weights_init must be {k} non-negative numbers that sum to 1."
                )
        if self.means_init is not None:
            m = np.asarray(self.means_init, dtype=float)
            if m.shape != (k, n_features) or not np.isfinite(m).all():
                raise ValueError(
                    f"means_init must be finite with shape ({k}, {n_features}); got {m.shape}."
                )
        if self.precisions_init is not None:
            p = np.asarray(self.precisions_init, dtype=float)
            self._check_covariance_shape(p, n_features, "precisions_init")
            if self.covariance_type in ("full", "tied"):
                if not np.allclose(p, np.swapaxes(p, -1, -2)) or (
                    np.linalg.eigvalsh(p).min() <= 0
                ):
                    raise ValueError("precisions_init must be symmetric positive definite.")
            elif (p <= 0).any():
                raise ValueError("precisions_init must be positive.")

    def _check_covariance_shape(self, array, n_features, name):
        k = self.n_components
        shape = {
            "full": (k, n_features, n_features),
            "tied": (n_features, n_features),
            "diag": (k, n_features),
            "spherical": (k,),
        }[self.covariance_type]
        if array.shape != shape:
            raise ValueError(
                f"{name} for covariance_type={self.covariance_type!r} must have shape "
                f"{shape}; got {array.shape}."
            )

    def _to_frame(self, X):
        X = check_fitted_input(X, self, "means_")
        return (X - self._shift) / self._scale

    # ------------------------------------------------------------ EM core
    def _initial_parameters(self, X, sample_weight, rng):
        """Initial (weights, means, covariances, prec_chol) in the fitting frame."""
        weights = means = covariances = prec_chol = None
        if self.weights_init is None or self.means_init is None or self.precisions_init is None:
            resp = _INITIAL_RESP[self.init_params](X, self.n_components, rng, sample_weight)
            resp_t = resp.T * sample_weight
            nk, means, covariances = self._estimate_gaussian(
                _moments(X.T, resp_t, sample_weight, self.covariance_type)
            )
            weights = nk / sample_weight.sum()
            if self.precisions_init is None:
                prec_chol = gaussian.precision_cholesky(covariances, self.covariance_type)
        if self.weights_init is not None:
            weights = np.array(self.weights_init, dtype=float)
        if self.means_init is not None:
            means = (np.asarray(self.means_init, dtype=float) - self._shift) / self._scale
        if self.precisions_init is not None:
            precisions = np.asarray(self.precisions_init, dtype=float) * self._scale**2
            prec_chol = gaussian.precision_cholesky_from_precisions(
                precisions, self.covariance_type
            )
            covariances = gaussian.covariances_from_cholesky(prec_chol, self.covariance_type)
        return weights, means, covariances, prec_chol

    def _estimate_gaussian(self, moments):
        """Counts, means and covariances from summed sufficient statistics."""
        nk, sum_x, moment = moments
        nk = nk + _EPS10
        means = sum_x / nk[:, None]
        covariances = gaussian.covariances_from_moments(
            nk, means, moment, self.reg_covar / self._scale**2, self.covariance_type
        )
        return nk, means, covariances

    def _m_step(self, moments):
        nk, means, covariances = self._estimate_gaussian(moments)
        prec_chol = gaussian.precision_cholesky(covariances, self.covariance_type)
        return nk / nk.sum(), means, covariances, prec_chol

    def _e_step_moments(self, X_t, sample_weight, params):
        """One pass: E-step of every chunk and the M-step statistics it adds up to.

        Parameters
        ----------
        X_t : ndarray of shape (n_features, n_samples)
            The rows in the fitting frame, transposed.
        sample_weight : ndarray of shape (n_samples,)
        params : tuple
            (weights, means, covariances, prec_chol) in the fitting frame.

        Returns
        -------
        log_prob_norm : float
            Weighted mean log-likelihood of the rows under ``params``.
        moments : tuple
            (nk of shape (n_components,), sum r x of shape (n_components, n_features),
            second moment as :func:`gaussian.second_moment`).
        """
        total, *moments = e_step_sums(X_t, sample_weight, params, self.covariance_type)
        return total / sample_weight.sum(), tuple(moments)

    def _run_em(self, e_step, params):
        """EM from ``params`` until ``tol`` or ``max_iter``.

        Parameters
        ----------
        e_step : callable
            ``e_step(params) -> (mean log-likelihood, moments)`` over all rows.
        params : tuple
            Initial parameters in the fitting frame.

        Returns
        -------
        params, lower_bounds, converged, n_iter, history
        """
        history = [params] if self.keep_history else None
        lower_bounds = []
        lower_bound = -np.inf
        converged = False
        n_iter = 0
        started = time.perf_counter()
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 (read after the loop)
            previous = lower_bound
            lower_bound, moments = e_step(params)
            params = self._m_step(moments)
            lower_bounds.append(lower_bound)
            if history is not None:
                history.append(params)
            if self.verbose:
                print(f"  iteration {n_iter:4d}  mean log-likelihood "
                      f"{self._to_user_log_likelihood(lower_bound):.8g}  change "
                      f"{lower_bound - previous:.3g}  {time.perf_counter() - started:.2f} s",
                      flush=True)
            if abs(lower_bound - previous) < self.tol:
                converged = True
                break
        return params, lower_bounds, converged, n_iter, history

    # ------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Fit the mixture by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights; an integer weight counts as that many
            copies of the row.

        Returns
        -------
        self : GaussianMixture
        """
        self.fit_predict(X, sample_weight=sample_weight)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit the mixture and return the component of every row.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        if is_dask_collection(X):
            from . import _dask

            _dask.fit_mixture(self, X, sample_weight)
            return self.predict(X)
        X = check_array(X)
        n_samples, n_features = X.shape
        self._check_parameters(n_samples, n_features)
        sample_weight = check_sample_weight(sample_weight, n_samples)
        self._shift, self._scale = _frame(X, sample_weight)
        X = (X - self._shift) / self._scale
        X_t = np.ascontiguousarray(X.T)
        self._fit_restarts(
            lambda params: self._e_step_moments(X_t, sample_weight, params),
            lambda rng: self._initial_parameters(X, sample_weight, rng),
            n_features,
        )
        return self._weighted_log_prob_frame(X).argmax(axis=1)

    def _fit_restarts(self, e_step, initial_parameters, n_features):
        """EM from ``n_init`` initialisations; the best becomes the fitted model.

        Parameters
        ----------
        e_step : callable
            As :meth:`_run_em` takes it.
        initial_parameters : callable
            ``initial_parameters(rng)`` -> parameters in the fitting frame.
        n_features : int
        """
        rng = check_random_state(self.random_state)
        best = None
        self.restarts_ = []
        for i in range(self.n_init):
            if self.verbose:
                print(f"initialisation {i + 1} of {self.n_init}", flush=True)
            start = initial_parameters(rng)
            with single_threaded_blas():
                params, lower_bounds, converged, n_iter, history = self._run_em(e_step, start)
            lower_bound = lower_bounds[-1] if lower_bounds else -np.inf
            self.restarts_.append(
                {
                    "lower_bounds": self._to_user_log_likelihood(np.array(lower_bounds)),
                    "lower_bound": self._to_user_log_likelihood(lower_bound),
                    "n_iter": n_iter,
                    "converged": converged,
                    **self._user_parameters(params),
                }
            )
            if best is None or lower_bound > best[0] or best[0] == -np.inf:
                best = (lower_bound, params, lower_bounds, converged, n_iter, history)

        lower_bound, params, lower_bounds, converged, n_iter, history = best
        if not converged and self.max_iter > 0:
            warnings.warn(
                "Best initialisation did not converge. Increase max_iter or tol, try "
                "another initialisation, or check for degenerate data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.n_features_in_ = n_features
        self._set_parameters(params)
        self.converged_ = converged
        self.n_iter_ = n_iter
        self.lower_bound_ = self._to_user_log_likelihood(lower_bound)
        self.lower_bounds_ = list(self._to_user_log_likelihood(np.array(lower_bounds)))
        if history is not None:
            self.history_ = [self._user_parameters(p) for p in history]

    # -------------------------------------------------- frame conversions
    def _to_user_log_likelihood(self, value):
        return value - self._n_features_frame * np.log(self._scale)

    @property
    def _n_features_frame(self):
        return len(self._shift)

    def _user_parameters(self, params):
        weights, means, covariances, _ = params
        return {
            "weights": weights.copy(),
            "means": means * self._scale + self._shift,
            "covariances": covariances * self._scale**2,
        }

    def _set_parameters(self, params):
        self._params = params
        weights, means, covariances, prec_chol = params
        self.weights_ = weights.copy()
        self.means_ = means * self._scale + self._shift
        self.covariances_ = covariances * self._scale**2
        self.precisions_cholesky_ = prec_chol / self._scale
        self.precisions_ = gaussian.precisions_from_cholesky(
            self.precisions_cholesky_, self.covariance_type
        )

    # ------------------------------------------------------------ inference
    def _weighted_log_prob_frame(self, X):
        """log(weight_k) + log N(x | component k) for rows in the fitting frame.

        Computed in row chunks so the temporaries stay small.

        Returns
        -------
        log_prob : ndarray of shape (n_samples, n_components)
        """
        weights, means, _, prec_chol = self._params
        n_samples, n_features = X.shape
        offset = np.log(weights) - n_features * np.log(self._scale)
        out = np.empty((n_samples, self.n_components))
        row_bytes = _row_bytes(self.n_components, n_features, self.covariance_type)
        for rows in row_chunks(n_samples, row_bytes):
            out[rows] = gaussian.log_gaussian_prob(X[rows], means, prec_chol,
                                                   self.covariance_type)
        out += offset
        return out

    def _weighted_log_prob(self, X):
        return self._weighted_log_prob_frame(self._to_frame(X))

    def score_samples(self, X):
        """Log-likelihood of every row.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            A lazy Dask array for Dask input (as ``predict`` and
            ``predict_proba``).
        """
        if is_dask_collection(X):
            return _map_rows(X, self.score_samples)
        return logsumexp(self._weighted_log_prob(X), axis=1)

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of ``X``."""
        return float(self.score_samples(X).mean())

    def predict(self, X):
        """Most probable component of every row, shape (n_samples,)."""
        if is_dask_collection(X):
            return _map_rows(X, self.predict, dtype=np.intp)
        return self._weighted_log_prob(X).argmax(axis=1)

    def predict_proba(self, X):
        """Responsibilities, shape (n_samples, n_components); rows sum to 1."""
        if is_dask_collection(X):
            return _map_rows(X, self.predict_proba, self.n_components)
        log_prob = self._weighted_log_prob(X)
        return np.exp(log_prob - logsumexp(log_prob, axis=1)[:, None])

    def mahalanobis(self, X):
        """Squared variance-weighted distances to every component mean.

        What the mixture sees where K-means sees squared Euclidean distance.

        Returns
        -------
        dist : ndarray of shape (n_samples, n_components)
        """
        X = self._to_frame(X)
        _, means, _, prec_chol = self._params
        return gaussian.mahalanobis_sq(X, means, prec_chol, self.covariance_type)

    def _n_parameters(self):
        return gaussian.n_parameters(
            self.covariance_type, self.n_components, self.n_features_in_
        )

    def bic(self, X):
        """Bayesian information criterion on ``X``; lower is better."""
        n_samples = len(X)
        return -2 * self.score(X) * n_samples + self._n_parameters() * np.log(n_samples)

    def aic(self, X):
        """Akaike information criterion on ``X``; lower is better."""
        return -2 * self.score(X) * len(X) + 2 * self._n_parameters()

    def sample(self, n_samples=1):
        """Draw rows from the fitted mixture.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            The component each row was drawn from.
        """
        check_is_fitted(self, "means_")
        n_samples = check_int(n_samples, "n_samples", 1)
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        n_features = self.n_features_in_
        covariances = gaussian.full_covariances(
            self.covariances_, self.covariance_type, self.n_components, n_features
        )
        draws = [
            mean + rng.standard_normal((count, n_features)) @ np.linalg.cholesky(cov).T
            for mean, cov, count in zip(self.means_, covariances, counts)
        ]
        labels = np.repeat(np.arange(self.n_components), counts)
        return np.vstack(draws), labels


def _moments(xt, resp_t, sample_weight, covariance_type):
    """Sufficient statistics of a block: (nk, sum r x, second moment).

    Parameters
    ----------
    xt : ndarray of shape (n_features, n_rows)
    resp_t : ndarray of shape (n_components, n_rows)
        Responsibilities times sample weights.
    sample_weight : ndarray of shape (n_rows,)
    covariance_type : str
    """
    return (
        resp_t.sum(axis=1),
        resp_t @ xt.T,
        gaussian.second_moment_t(xt, resp_t, sample_weight, covariance_type),
    )


def _row_bytes(n_components, n_features, covariance_type):
    """Bytes of temporaries one row needs in an EM pass (sizes the chunks)."""
    per_component = {"full": 2 * n_features, "tied": n_features}.get(covariance_type, 1)
    return 8 * (n_components * (per_component + 3) + 2 * n_features)


def e_step_sums(X_t, sample_weight, params, covariance_type):
    """E-step of transposed rows folded into the M-step's sums, in cache-sized chunks.

    The unit of work of an EM pass, in memory or on one block of a Dask array.

    Parameters
    ----------
    X_t : ndarray of shape (n_features, n_rows)
        Rows in the fitting frame, transposed.
    sample_weight : ndarray of shape (n_rows,)
    params : tuple
        (weights, means, covariances, prec_chol) in the fitting frame.
    covariance_type : str

    Returns
    -------
    sums : tuple
        (weighted sum of the rows' log-likelihoods, nk, sum r x, second moment);
        sums of blocks add up to the sums of their union.
    """
    weights, means, _, prec_chol = params
    n_features, n_rows = X_t.shape
    log_weights = np.log(weights)[:, None]

    def chunk_sums(rows):
        xt = X_t[:, rows]
        resp_t, log_norm = _responsibilities(
            gaussian.log_gaussian_prob_t(xt, means, prec_chol, covariance_type), log_weights
        )
        w = sample_weight[rows]
        resp_t *= w
        return (log_norm @ w, *_moments(xt, resp_t, w, covariance_type))

    row_bytes = _row_bytes(len(weights), n_features, covariance_type)
    return map_reduce_rows(chunk_sums, row_chunks(n_rows, row_bytes))


def _map_rows(X, func, n_columns=None, dtype=float):
    from ._dask import map_rows

    return map_rows(X, func, n_columns, dtype)


def _float(value):
    """A JSON number back to float (None, written for NaN or infinity, -> NaN)."""
    return np.nan if value is None else float(value)


def _responsibilities(log_prob, log_weights):
    """Responsibilities and log-normalisers of a transposed block, in place.

    Parameters
    ----------
    log_prob : ndarray of shape (n_components, n_rows)
        Component log-densities; overwritten by the responsibilities.
    log_weights : ndarray of shape (n_components, 1)

    Returns
    -------
    resp : ndarray of shape (n_components, n_rows)
    log_norm : ndarray of shape (n_rows,)
        log of sum_k weight_k p_k(x) for every row.
    """
    resp = log_prob
    resp += log_weights
    col_max = resp.max(axis=0)
    resp -= col_max
    np.exp(resp, out=resp)
    col_sum = resp.sum(axis=0)
    resp /= col_sum
    return resp, np.log(col_sum) + col_max
