"""GaussianMixture fitted by EM, with scikit-learn's API and numbers.

The EM loop is written once, over a row source (:mod:`gmmcore._rows`): each
iteration is one pass in which every block of rows gets its E-step and is
folded at once into the M-step's sufficient statistics (weighted counts, sums
and second moments), so the responsibility matrix of all rows never exists.
Rows are centred (and, for extreme magnitudes, scaled by a power of two)
before fitting; the fitted attributes are given back in the caller's units.
"""

import time
import warnings

import numpy as np

from . import gaussian
from ._base import BaseEstimator
from ._rows import (
    CHUNK_BUDGET,
    SMALL_PRODUCT,
    NonFiniteRows,
    power_of_two_scale,
    single_threaded_blas,
    sum_products,
)
from ._sources import prediction_rows, rows_of
from ._validation import (
    ConvergenceWarning,
    check_int,
    check_is_fitted,
    check_option,
    check_random_state,
    history_limit,
    integer,
    one_of,
    optional_array,
    real,
    seed,
)
from .kmeans import INIT_SAMPLE_SIZE, KMeans, _history_limit, _kmeans_plusplus_t

INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")
STOP_REASONS = ("converged", "max_iter", "time_limit", "given")
_EPS10 = 10 * np.finfo(np.float64).eps
LARGEST_SPREAD = 1e153  # beyond, squared distances and variances near float64's limit
SMALLEST_SPREAD = 1e-150  # below, variances underflow unless reg_covar dominates
HUGE_ROW = 1e150  # rows beyond this (fitting frame) are scored without squaring x alone


# ------------------------------------------------------------ block statistics
# Full blocks make a few small products per component, whose set-up outweighs the cache
# misses of larger blocks: they get blocks about four times the cache budget (measured
# at 100,000 x 10, K = 8: EM and predictions 1.3-2x faster than at 1x).
_FULL_BLOCKS_FACTOR = 4
# Diag, spherical and tied blocks are two products (n_components x q) by (q x rows), z's
# q features (see gaussian.expanded_rows), and OpenBLAS's small-matrix kernels take them
# without packing up to SMALL_PRODUCT; one row more makes each product slower. Their
# blocks are as large as that allows (measured one EM pass on one thread: 5,952 rows at
# 100,000 x 10, K = 8 diag, 4.1 ms against 5.4 ms at 6,000; spherical 3.3 ms at 9,500
# rows against 3.5 ms at 5,041 and 4.2 ms at 10,417; tied, two threads, 2.8 ms at 10,416
# rows against 3.0 ms at 8,456).
_SMALL_PRODUCT_BLOCKS = ("diag", "spherical", "tied")


def _row_bytes(n_components, n_features, covariance_type):
    """Bytes of temporaries one row is counted for in an EM pass (sizes the blocks)."""
    if covariance_type in _SMALL_PRODUCT_BLOCKS:
        rows = max(SMALL_PRODUCT // (n_components * gaussian.expanded_width(
            n_features, covariance_type)), 1)
        return -(-CHUNK_BUDGET // rows)  # chunk_slices then gives at most ``rows`` rows
    needed = 8 * (n_components * (2 * n_features + 3) + 2 * n_features)
    return max(needed // _FULL_BLOCKS_FACTOR, 1)


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
        sum_products(resp_t, xt),
        gaussian.second_moment_t(xt, resp_t, sample_weight, covariance_type),
    )


# np.exp of float64 slows down several times when a value of a block is below about -708
# (results below the normal range: tens of times for subnormal results), as happens to far
# components of well-separated clusters (a third of all entries at 1,000,000 x 2, K = 5).
# Relative weights below exp(-700) ~ 1e-304 of a row's largest are raised to it instead:
# sums over components cannot see them (1 + K * 1e-304 is 1), and every other entry is
# unchanged.
_EXP_FLOOR = -700.0


def _exp_floored(shifted):
    """``exp`` of log-weights shifted to a largest of 0 per row, in place; entries below
    :data:`_EXP_FLOOR` give exp(_EXP_FLOOR)."""
    np.maximum(shifted, _EXP_FLOOR, out=shifted)
    np.exp(shifted, out=shifted)


# Log-densities within +-600 are exponentiated as they are, without a shift by each row's
# largest: every exp is a normal float64, and neither a sum over components (below
# 1e308 up to 1e47 components) nor a row's weight divided by it (weights are at most the
# number of rows) overflows.
_UNSHIFTED_RANGE = 600.0


def _in_unshifted_range(log_prob):
    """Whether every entry is within +-:data:`_UNSHIFTED_RANGE` (NaN and infinities are not)."""
    return bool(log_prob.min() >= -_UNSHIFTED_RANGE and log_prob.max() <= _UNSHIFTED_RANGE)


def _responsibilities(log_prob, log_weights, sample_weight=None, normalise=True, out=None,
                      in_range=None):
    """Responsibilities and log-normalisers of a transposed block, in place.

    Parameters
    ----------
    log_prob : ndarray of shape (n_components, n_rows)
        Component log-densities; overwritten by the responsibilities.
    log_weights : ndarray of shape (n_components, 1) or None
        Added to ``log_prob`` first (None: already included).
    sample_weight : ndarray of shape (n_rows,), optional
        Multiplies every row's responsibilities (in the same pass as normalising them).
    normalise : bool, default=True
        False: ``resp`` is left as exp(log_prob), shifted by each row's largest where
        that is needed to stay in float64's range, not normalised (when only
        ``log_norm`` is wanted).
    out : ndarray of shape (n_components, n_rows), optional
        Receives the responsibilities (``log_prob`` is then only scratch); ``log_norm``
        is not computed (None).
    in_range : bool, optional
        Whether the log-weights (``log_prob`` plus ``log_weights``) are already known
        to pass :func:`_in_unshifted_range`; None: they are tested here.

    Returns
    -------
    resp : ndarray of shape (n_components, n_rows)
    log_norm : ndarray of shape (n_rows,) or None
        log of sum_k weight_k p_k(x) for every row.
    """
    resp = log_prob
    if log_weights is not None:
        resp += log_weights
    col_max, lost = None, None
    if in_range if in_range is not None else _in_unshifted_range(resp):
        np.exp(resp, out=resp)  # no shift needed
    else:
        col_max = resp.max(axis=0)
        # A row so far from every component that no density is representable (-inf, or
        # NaN from an overflow) gets equal responsibilities and a log-likelihood of -inf.
        # One sum tells whether there is any (it may also overflow: then the rows are
        # looked at).
        if not np.isfinite(col_max.sum()):
            lost = ~np.isfinite(col_max)
            resp[:, lost] = 0.0
            col_max[lost] = 0.0
        resp -= col_max
        _exp_floored(resp)
    col_sum = resp.sum(axis=0)
    log_norm = None
    if out is None:
        log_norm = np.log(col_sum)
        if col_max is not None:
            log_norm += col_max
        if lost is not None:
            log_norm[lost] = -np.inf
    if normalise:
        # A multiplication by 1 / sum (times the weight) is cheaper than a division.
        factor = np.divide(1.0 if sample_weight is None else sample_weight, col_sum, out=col_sum)
        resp = np.multiply(resp, factor, out=resp if out is None else out)
    return resp, log_norm


def em_pass(params, covariance_type, unit_weights=False):
    """The block function of one EM iteration from ``params`` (fitting frame).

    Each block's E-step is folded at once into the M-step's sums; the sums of
    blocks add up to the sums of their union. The log-densities and the sums are
    one matrix product each when that is accurate (and, full, smaller; see
    :func:`gaussian.expanded_rows` and :func:`gaussian.use_expanded`).

    Returns
    -------
    block : callable
        ``block(xt, w)`` -> (weighted sum of the rows' log-likelihoods, nk,
        sum r x, second moment).
    """
    weights, means, _, prec_chol = params
    log_weights = np.log(weights)[:, None]
    expanded = gaussian.use_expanded(means, prec_chol, covariance_type)
    if expanded:
        A = gaussian.expanded_coefficients(means, prec_chol, covariance_type, np.log(weights))

    def block(xt, w):
        row_weights = None if unit_weights else w
        if expanded:
            z = gaussian.expanded_rows(xt, covariance_type, prec_chol)
            resp_t, log_norm = _responsibilities(A @ z, None, row_weights)
        else:
            resp_t, log_norm = _responsibilities(
                gaussian.log_gaussian_prob_t(xt, means, prec_chol, covariance_type),
                log_weights, row_weights)
        total = float(log_norm.sum() if unit_weights else np.dot(log_norm, w))
        if expanded:
            return (total, *gaussian.expanded_moments(resp_t, z, xt.shape[0], covariance_type,
                                                      row_weights))
        return (total, *_moments(xt, resp_t, w, covariance_type))

    return block


def _label_moments(n_components, covariance_type):
    """Block function: the M-step statistics of hard labels (carried per row)."""
    def block(xt, w, labels):
        resp_t = np.zeros((n_components, len(w)))
        resp_t[labels, np.arange(len(w))] = w
        return _moments(xt, resp_t, w, covariance_type), labels
    return block


def _random_moments(n_components, covariance_type, rng):
    """Block function: the M-step statistics of uniform random responsibilities.

    Run in row order on one thread, it draws the random numbers in the order
    scikit-learn does for the whole (n_samples, n_components) matrix.
    """
    def block(xt, w):
        resp = rng.uniform(size=(len(w), n_components))
        resp /= resp.sum(axis=1)[:, None]
        resp_t = resp.T * w
        return _moments(xt, resp_t, w, covariance_type)
    return block


def _row_moments(source, indices, covariance_type):
    """The M-step statistics of one component per chosen row (``indices``)."""
    xt = source.rows(indices).T
    w = source.weights[indices]
    return _moments(xt, np.diag(w), w, covariance_type)


# -------------------------------------------------------------- initialisation
def _init_kmeans(model, source, rng, deadline):
    km = KMeans(model.n_components, n_init=1, random_state=rng,
                max_time=None if deadline is None else max(deadline - time.perf_counter(), 0))
    labels = km._fit_source(source)
    row_bytes = 8 * model.n_components * (source.n_features + 2)
    return source.map_reduce(_label_moments(model.n_components, model.covariance_type),
                             row_bytes, carry=labels)[0]


def _init_kmeans_plusplus(model, source, rng, deadline):
    indices = _kmeans_plusplus_t(source.block(slice(None)), source.weights, model.n_components,
                                 rng)
    return _row_moments(source, indices, model.covariance_type)


def _init_random(model, source, rng, deadline):
    row_bytes = 8 * model.n_components * (source.n_features + 2)
    return source.map_reduce(_random_moments(model.n_components, model.covariance_type, rng),
                             row_bytes, sequential=True)


def _init_random_from_data(model, source, rng, deadline):
    w = source.weights
    # Rows of weight 0 never seed a component; unweighted draws match scikit-learn's.
    p = None if np.all(w == w[0]) else w / w.sum()
    indices = rng.choice(source.n_samples, size=model.n_components, replace=False, p=p)
    return _row_moments(source, indices, model.covariance_type)


_INITIAL_MOMENTS = {
    "kmeans": _init_kmeans,
    "k-means++": _init_kmeans_plusplus,
    "random": _init_random,
    "random_from_data": _init_random_from_data,
}


def _check_covariance_shape(array, covariance_type, n_components, n_features, name):
    shape = gaussian.covariance_shape(covariance_type, n_components, n_features)
    if array.shape != shape:
        raise ValueError(f"{name} for covariance_type={covariance_type!r} must have shape "
                         f"{shape}; got {array.shape}.")


def _check_weights(weights, n_components, name):
    w = np.asarray(weights, dtype=float)
    if w.shape != (n_components,) or not np.isfinite(w).all() or (w < 0).any() \
            or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"{name} must be {n_components} non-negative numbers that sum to 1.")
    return w


def _check_means(means, n_components, n_features, name):
    m = np.asarray(means, dtype=float)
    if m.shape != (n_components, n_features) or not np.isfinite(m).all():
        raise ValueError(f"{name} must be finite with shape ({n_components}, {n_features}); "
                         f"got {m.shape}.")
    return m


def _smallest_variance(covariances, covariance_type):
    """The smallest variance in any direction of any component."""
    if covariance_type in ("full", "tied"):
        return float(np.linalg.eigvalsh(covariances).min())
    return float(covariances.min())


def _check_symmetric_positive(p, covariance_type, name):
    """Covariance or precision matrices: symmetric positive definite (or positive)."""
    if not np.isfinite(p).all():
        raise ValueError(f"{name} must be finite.")
    if covariance_type in ("full", "tied"):
        scale = np.abs(p).max(axis=(-2, -1), keepdims=True)
        if (np.abs(p - np.swapaxes(p, -1, -2)) > 1e-8 * scale).any():
            raise ValueError(f"{name} must be symmetric.")
        if np.linalg.eigvalsh(p).min() <= 0:
            raise ValueError(f"{name} must be positive definite.")
    elif (p <= 0).any():
        raise ValueError(f"{name} must be positive.")


class GaussianMixture(BaseEstimator):
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
    keep_history : bool or int, default=False
        Record the parameters at every iteration of the best initialisation in
        ``history_``, starting with the initial ones (an int: at most that many).
    max_time : float or None, default=None
        Seconds the fit may take, initialisations included. At that time EM
        stops (``converged_`` False, ``stop_reason_`` 'time_limit') and the
        remaining initialisations are skipped.
    verbose : int, default=0
        Print the mean log-likelihood, its change and the time at every iteration.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_, precisions_, precisions_cholesky_ : ndarray
        Shapes per covariance type as in scikit-learn.
    converged_ : bool
    stop_reason_ : {'converged', 'max_iter', 'time_limit', 'given'}
        Why EM stopped ('given': built by :meth:`from_parameters`).
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

    _estimator_type = "DensityEstimator"
    _parameter_constraints = {
        "n_components": integer(1),
        "covariance_type": one_of(gaussian.COVARIANCE_TYPES),
        "tol": real(0.0),
        "reg_covar": real(0.0),
        "max_iter": integer(0),
        "n_init": integer(1),
        "init_params": one_of(INIT_PARAMS),
        "weights_init": optional_array,
        "means_init": optional_array,
        "precisions_init": optional_array,
        "random_state": seed,
        "keep_history": history_limit,
        "max_time": real(0.0, allow_none=True),
        "verbose": integer(0),
    }

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
        max_time=None,
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
        self.max_time = max_time
        self.verbose = verbose

    @classmethod
    def from_parameters(cls, weights, means, covariances, covariance_type="full", **params):
        """A mixture with the given parameters, ready to predict and score.

        Parameters
        ----------
        weights : array-like of shape (n_components,)
            Non-negative, summing to 1.
        means : array-like of shape (n_components, n_features)
        covariances : array-like
            Shape per ``covariance_type`` as ``covariances_``; symmetric
            positive definite.
        covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        **params
            Other constructor parameters, kept for reference.

        Returns
        -------
        model : GaussianMixture
            With the fitted attributes set (``n_iter_`` 0, ``converged_``
            False, ``stop_reason_`` 'given', no ``lower_bounds_`` entries).
            The weights and means are also its ``weights_init`` and
            ``means_init``, so a later ``fit`` starts from them.
        """
        check_option(covariance_type, "covariance_type", gaussian.COVARIANCE_TYPES)
        means = np.asarray(means, dtype=float)
        if means.ndim != 2:
            raise ValueError(f"means must have shape (n_components, n_features); got "
                             f"{means.shape}.")
        n_components, n_features = means.shape
        weights = _check_weights(weights, n_components, "weights")
        means = _check_means(means, n_components, n_features, "means")
        covariances = np.asarray(covariances, dtype=float)
        _check_covariance_shape(covariances, covariance_type, n_components, n_features,
                                "covariances")
        _check_symmetric_positive(covariances, covariance_type, "covariances")
        model = cls(n_components, covariance_type=covariance_type, weights_init=weights,
                    means_init=means, **params)
        model._validate_params()
        shift = weights @ means
        spread = max(float(np.abs(means - shift).max()),
                     float(np.sqrt(np.abs(covariances).max())))
        if spread > LARGEST_SPREAD:
            raise ValueError(f"The means or covariances span {spread:.3g}: squared distances "
                             "would exceed the largest float. Rescale the model.")
        smallest = _smallest_variance(covariances, covariance_type)
        if np.log10(smallest) - 2 * np.log10(spread) < -250:
            raise ValueError(
                f"The smallest variance ({smallest:.3g}) is too small next to the spread of the "
                f"means ({spread:.3g}): the densities cannot be evaluated in floating point. "
                "Rescale the data or use a larger reg_covar.")
        model._shift = shift
        model._scale = scale = power_of_two_scale(spread)
        frame_covariances = covariances / scale**2
        model.n_features_in_ = n_features
        model._set_parameters((
            weights, (means - shift) / scale, frame_covariances,
            gaussian.precision_cholesky(frame_covariances, covariance_type),
        ))
        model.converged_ = False
        model.stop_reason_ = "given"
        model.n_iter_ = 0
        model.lower_bound_ = np.nan
        model.lower_bounds_ = []
        return model

    # ------------------------------------------------------------- checks
    def _check_data(self, source):
        k = self.n_components
        if source.n_samples < k:
            raise ValueError(f"X has {source.n_samples} usable row(s) but n_components={k}; "
                             "use fewer components or more data.")
        spread = source.spread
        if spread is not None and spread > LARGEST_SPREAD:
            raise ValueError(
                f"X has values {spread:.3g} apart: their squares exceed the largest float. "
                "Divide the data by a constant or standardise it first.")
        if spread is not None and 0 < spread < SMALLEST_SPREAD and self.reg_covar == 0:
            raise ValueError(
                f"X varies by at most {spread:.3g}: its variances are below the smallest "
                "float. Multiply the data by a constant or standardise it first (or set "
                "reg_covar > 0).")
        self._check_initial_values(source.n_features)

    def _check_initial_values(self, n_features):
        k = self.n_components
        if self.weights_init is not None:
            _check_weights(self.weights_init, k, "weights_init")
        if self.means_init is not None:
            _check_means(self.means_init, k, n_features, "means_init")
        if self.precisions_init is not None:
            p = np.asarray(self.precisions_init, dtype=float)
            _check_covariance_shape(p, self.covariance_type, k, n_features, "precisions_init")
            _check_symmetric_positive(p, self.covariance_type, "precisions_init")

    # ------------------------------------------------------------ EM core
    def _initial_parameters(self, source, rng, deadline):
        """Initial (weights, means, covariances, prec_chol) in the fitting frame."""
        weights = means = covariances = prec_chol = None
        if self.weights_init is None or self.means_init is None or self.precisions_init is None:
            sample = source.sample(INIT_SAMPLE_SIZE, rng)
            moments = _INITIAL_MOMENTS[self.init_params](self, sample, rng, deadline)
            nk, means, covariances = self._estimate_gaussian(moments)
            weights = nk / sample.n_samples
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
            nk, means, moment, self._frame_reg_covar, self.covariance_type
        )
        return nk, means, covariances

    @property
    def _frame_reg_covar(self):
        return self.reg_covar / self._scale / self._scale

    def _m_step(self, moments):
        nk, means, covariances = self._estimate_gaussian(moments)
        prec_chol = gaussian.precision_cholesky(covariances, self.covariance_type)
        return nk / nk.sum(), means, covariances, prec_chol

    def _run_em(self, source, params, deadline):
        """EM from ``params`` until ``tol``, ``max_iter`` or ``deadline``.

        Returns
        -------
        params, lower_bounds, stop_reason, n_iter, history
        """
        limit = _history_limit(self.keep_history)
        history = [params] if limit else None
        row_bytes = _row_bytes(self.n_components, source.n_features, self.covariance_type)
        lower_bounds = []
        lower_bound = -np.inf
        stop_reason = "max_iter"
        n_iter = 0
        started = time.perf_counter()
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 (read after the loop)
            previous = lower_bound
            total, *moments = source.map_reduce(
                em_pass(params, self.covariance_type, bool(source.unit_weights)), row_bytes)
            lower_bound = total / source.n_samples
            params = self._m_step(moments)
            lower_bounds.append(lower_bound)
            if history is not None and len(history) < limit:
                history.append(params)
            if self.verbose:
                print(f"  iteration {n_iter:4d}  mean log-likelihood "
                      f"{self._to_user_log_likelihood(lower_bound):.8g}  change "
                      f"{lower_bound - previous:.3g}  {time.perf_counter() - started:.2f} s",
                      flush=True)
            if abs(lower_bound - previous) < self.tol:
                stop_reason = "converged"
                break
            if deadline is not None and time.perf_counter() > deadline:
                stop_reason = "time_limit"
                break
        return params, lower_bounds, stop_reason, n_iter, history

    # ------------------------------------------------------------- fitting
    def fit(self, X, y=None, sample_weight=None):
        """Fit the mixture by EM.

        Parameters
        ----------
        X : array-like or dask.array.Array of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights; an integer weight counts as that many
            copies of the row.

        Returns
        -------
        self : GaussianMixture
        """
        self._validate_params()
        min_scale = np.sqrt(self.reg_covar) * 1e-50
        with single_threaded_blas():  # (see single_threaded_blas: the source's summary too)
            source = rows_of(X, sample_weight, min_scale=min_scale)
            self._check_data(source)
            self._shift, self._scale = source.shift, source.scale
            self._fit_restarts(source)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit the mixture and return the component of every row.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.fit(X, sample_weight=sample_weight).predict(X)

    def _fit_restarts(self, source):
        """EM from ``n_init`` initialisations; the best becomes the fitted model."""
        rng = check_random_state(self.random_state)
        deadline = None if self.max_time is None else time.perf_counter() + self.max_time
        best = None
        self.restarts_ = []
        for i in range(self.n_init):
            if self.verbose:
                print(f"initialisation {i + 1} of {self.n_init}", flush=True)
            start = self._initial_parameters(source, rng, deadline)
            params, lower_bounds, stop_reason, n_iter, history = self._run_em(
                source, start, deadline)
            lower_bound = lower_bounds[-1] if lower_bounds else -np.inf
            self.restarts_.append({
                "lower_bounds": self._to_user_log_likelihood(np.array(lower_bounds)),
                "lower_bound": self._to_user_log_likelihood(lower_bound),
                "n_iter": n_iter,
                "converged": stop_reason == "converged",
                **self._user_parameters(params),
            })
            if best is None or lower_bound > best[0] or best[0] == -np.inf:
                best = (lower_bound, params, lower_bounds, stop_reason, n_iter, history)
            if stop_reason == "time_limit":
                break

        lower_bound, params, lower_bounds, stop_reason, n_iter, history = best
        if stop_reason != "converged" and self.max_iter > 0:
            warnings.warn(
                "Best initialisation did not converge"
                + (" before the time limit (max_time)" if stop_reason == "time_limit" else "")
                + ". Increase max_iter or tol, try another initialisation, or check for "
                "degenerate data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.n_features_in_ = source.n_features
        self._set_parameters(params)
        self.stop_reason_ = stop_reason
        self.converged_ = stop_reason == "converged"
        self.n_iter_ = n_iter
        self.lower_bound_ = self._to_user_log_likelihood(lower_bound)
        self.lower_bounds_ = list(self._to_user_log_likelihood(np.array(lower_bounds)))
        if history is not None:
            self.history_ = [self._user_parameters(p) for p in history]

    # -------------------------------------------------- frame conversions
    def _to_user_log_likelihood(self, value):
        return value - len(self._shift) * np.log(self._scale)

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
        # Worked out once here, not on every prediction (a dozen small NumPy calls).
        self._coefficients = (
            gaussian.expanded_coefficients(means, prec_chol, self.covariance_type,
                                           np.log(weights))
            if gaussian.use_expanded(means, prec_chol, self.covariance_type) else None)

    # ------------------------------------------------------------ inference
    def _prediction_rows(self, X):
        check_is_fitted(self, "means_")
        return prediction_rows(X, (self._shift, self._scale), self.n_features_in_,
                               type(self).__name__)

    def _weighted_log_prob_fn(self):
        """``block -> (log(weight_k) + log N(x | k), in_range)`` in the fitting frame.

        The function holds only the parameters, not the model, so it travels to
        Dask workers cheaply.

        Returns
        -------
        weighted_log_prob : callable
            Takes a block of (n_features + room, n_rows): the transposed framed rows
            and ``room`` rows of scratch below them, where the one-product form
            builds ``z`` (see :meth:`InMemoryRows.block`). Gives the
            (n_components, n_rows) log-weights and whether they pass
            :func:`_in_unshifted_range` (None: not tested). Raises
            :class:`NonFiniteRows` for rows with NaN or infinities (a source's
            ``map(..., row_fn_checks=True)``).
        room : int
        """
        check_is_fitted(self, "means_")
        weights, means, _, prec_chol = self._params
        covariance_type = self.covariance_type
        n_features = means.shape[1]
        log_weights = np.log(weights)[:, None]
        A = self._coefficients
        expanded = A is not None
        room = gaussian.expanded_width(n_features, covariance_type) - n_features if expanded else 0

        def weighted_log_prob(block):
            xt = block[:n_features]
            if expanded:
                with np.errstate(over="ignore", invalid="ignore"):
                    z = gaussian.fill_expanded(block, n_features, covariance_type, prec_chol)
                    log_prob = A @ z
                # NaN or infinities among the rows, or squares beyond float64, leave NaN
                # or infinities in the product: in range, it needs no other check.
                if _in_unshifted_range(log_prob):
                    return log_prob, True
            if not np.isfinite(xt).all():
                raise NonFiniteRows
            # Rows so far out that x^2 overflows would give inf - inf in the one product;
            # z holds the squares (diag, full) or squared norms (spherical; tied: |L'x|^2)
            # to check.
            if expanded and z[n_features:-1].max() < HUGE_ROW**2:
                return log_prob, False
            with np.errstate(over="ignore"):  # a distance beyond float64: log-density -inf
                log_prob = gaussian.log_gaussian_prob_t(xt, means, prec_chol, covariance_type)
            log_prob += log_weights
            return log_prob, None
        return weighted_log_prob, room

    def _map(self, X, row_fn, width=None, dtype=float, into=False, room=0,
             row_fn_checks=False):
        source = self._prediction_rows(X)
        row_bytes = _row_bytes(self.n_components, self.n_features_in_, self.covariance_type)
        return source.map(row_fn, row_bytes, width, dtype, into=into, room=room,
                          row_fn_checks=row_fn_checks)

    def score_samples(self, X):
        """Log-likelihood of every row.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
            A lazy Dask array for Dask input (as ``predict`` and
            ``predict_proba``).
        """
        offset = len(self._shift) * np.log(self._scale)
        weighted_log_prob, room = self._weighted_log_prob_fn()

        def row_fn(block):
            log_prob, in_range = weighted_log_prob(block)
            log_norm = _responsibilities(log_prob, None, normalise=False, in_range=in_range)[1]
            log_norm -= offset
            return log_norm
        return self._map(X, row_fn, room=room, row_fn_checks=True)

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of ``X``."""
        return float(self.score_samples(X).mean())

    def predict(self, X):
        """Most probable component of every row, shape (n_samples,)."""
        weighted_log_prob, room = self._weighted_log_prob_fn()

        def row_fn(block):
            log_prob, in_range = weighted_log_prob(block)
            if not in_range:
                log_prob[np.isnan(log_prob)] = -np.inf  # (an overflow far from every component)
            return log_prob.argmax(axis=0)
        return self._map(X, row_fn, dtype=np.intp, room=room, row_fn_checks=True)

    def predict_proba(self, X):
        """Responsibilities, shape (n_samples, n_components); rows sum to 1."""
        weighted_log_prob, room = self._weighted_log_prob_fn()

        def row_fn(block, out):
            log_prob, in_range = weighted_log_prob(block)
            _responsibilities(log_prob, None, out=out, in_range=in_range)
        return self._map(X, row_fn, self.n_components, into=True, room=room, row_fn_checks=True)

    def mahalanobis(self, X):
        """Squared variance-weighted distances to every component mean.

        What the mixture sees where K-means sees squared Euclidean distance.

        Returns
        -------
        dist : ndarray of shape (n_samples, n_components)
        """
        _, means, _, prec_chol = self._params
        return self._map(X, lambda xt: gaussian.mahalanobis_sq_t(
            xt, means, prec_chol, self.covariance_type), self.n_components)

    def n_parameters(self):
        """Free parameters of the fitted mixture (covariances, means and weights)."""
        return gaussian.n_parameters(
            self.covariance_type, self.n_components, self.n_features_in_
        )

    def bic(self, X):
        """Bayesian information criterion on ``X``; lower is better."""
        n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
        return -2 * self.score(X) * n_samples + self.n_parameters() * np.log(n_samples)

    def aic(self, X):
        """Akaike information criterion on ``X``; lower is better."""
        n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
        return -2 * self.score(X) * n_samples + 2 * self.n_parameters()

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

