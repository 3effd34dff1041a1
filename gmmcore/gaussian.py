"""Gaussian densities for the four covariance types, as in scikit-learn.

Every covariance type has the same small set of functions with the same
signature, picked from a dict by ``covariance_type``. Precisions are stored as
Cholesky factors ``L`` with ``precision = L @ L.T``; the shapes are

=========== =============================== ===============================
type        covariances                     precisions_cholesky
=========== =============================== ===============================
full        (n_components, n_features, n_features)  same
tied        (n_features, n_features)        same
diag        (n_components, n_features)      same
spherical   (n_components,)                 same
=========== =============================== ===============================

Spherical reuses diag by broadcasting its single variance over the features.
"""

import numpy as np
from scipy import linalg

from ._rows import sum_products

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
LOG_2PI = np.log(2 * np.pi)


class CollapsedComponentError(ValueError):
    """A component's covariance stopped being positive definite.

    Attributes
    ----------
    components : list of int
        The components (0-based) whose covariance could not be factorised, when known.
    """

    def __init__(self, components=()):
        self.components = list(components)
        which = (
            f"component(s) {', '.join(str(k) for k in self.components)} "
            if self.components
            else "some components "
        )
        super().__init__(
            f"Fitting the mixture model failed because {which}have an ill-defined "
            "covariance: they collapsed onto a single point or a line (duplicate rows, "
            "collinear features or more components than clusters in the data). Try to "
            "decrease the number of components, increase reg_covar, use a diagonal "
            "covariance, or scale the input data."
        )


# ---------------------------------------------------------------- precisions
def _cholesky_lower(matrix, component=None):
    try:
        return linalg.cholesky(matrix, lower=True, check_finite=False)
    except (linalg.LinAlgError, ValueError):
        raise CollapsedComponentError([] if component is None else [component]) from None


def _precision_cholesky_full(covariances):
    n_features = covariances.shape[-1]
    eye = np.eye(n_features)
    out = np.empty_like(covariances)
    for k, cov in enumerate(covariances):
        cov_chol = _cholesky_lower(cov, k)
        out[k] = linalg.solve_triangular(cov_chol, eye, lower=True, check_finite=False).T
    return out


def _precision_cholesky_tied(covariance):
    cov_chol = _cholesky_lower(covariance)
    eye = np.eye(covariance.shape[0])
    return linalg.solve_triangular(cov_chol, eye, lower=True, check_finite=False).T


def _precision_cholesky_diag(covariances):
    bad = np.flatnonzero(np.atleast_2d(covariances <= 0).reshape(len(covariances), -1).any(1))
    if bad.size or not np.isfinite(covariances).all():
        raise CollapsedComponentError(bad.tolist())
    return 1.0 / np.sqrt(covariances)


_PRECISION_CHOLESKY = {
    "full": _precision_cholesky_full,
    "tied": _precision_cholesky_tied,
    "diag": _precision_cholesky_diag,
    "spherical": _precision_cholesky_diag,
}


def precision_cholesky(covariances, covariance_type):
    """Cholesky factors of the precisions from covariances.

    Raises
    ------
    CollapsedComponentError
        When a covariance is not positive definite.
    """
    if not np.isfinite(covariances).all():
        raise CollapsedComponentError()
    return _PRECISION_CHOLESKY[covariance_type](covariances)


def _flip(a):
    return a[..., ::-1, ::-1]


def _upper_cholesky_of_precision(precision):
    # precision = U U.T with U upper triangular, as scikit-learn stores it (#26415).
    return _flip(_cholesky_lower(_flip(precision)))


def precision_cholesky_from_precisions(precisions, covariance_type):
    """Cholesky factors from precision matrices (used for ``precisions_init``)."""
    if covariance_type == "full":
        return np.stack([_upper_cholesky_of_precision(p) for p in precisions])
    if covariance_type == "tied":
        return _upper_cholesky_of_precision(precisions)
    return np.sqrt(precisions)


def precisions_from_cholesky(prec_chol, covariance_type):
    """Precision matrices ``L @ L.T`` (or squares for diag and spherical)."""
    if covariance_type == "full":
        return prec_chol @ np.swapaxes(prec_chol, 1, 2)
    if covariance_type == "tied":
        return prec_chol @ prec_chol.T
    return prec_chol**2


def covariances_from_cholesky(prec_chol, covariance_type):
    """Covariances that the precision Cholesky factors describe."""
    if covariance_type in ("full", "tied"):
        inv = np.linalg.inv(prec_chol)
        return np.swapaxes(inv, -1, -2) @ inv
    return 1.0 / prec_chol**2


def log_det_cholesky(prec_chol, covariance_type, n_features):
    """Log-determinant of each factor, i.e. half the log-det of each precision.

    Returns
    -------
    log_det : ndarray of shape (n_components,) or float for tied
    """
    if covariance_type == "full":
        return np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diag(prec_chol)).sum()
    if covariance_type == "diag":
        return np.log(prec_chol).sum(axis=1)
    return n_features * np.log(prec_chol)


# ---------------------------------------------------------- distances
# The kernels work on transposed blocks: ``xt`` is (n_features, n_rows) and
# results are (n_components, n_rows), so every reduction over components or
# features runs along long contiguous rows instead of short ones.
def _mahalanobis_full(xt, means, prec_chol):
    n_components, n_features = means.shape
    # One matrix product against all factors stacked: (K*d, d) @ (d, n).
    stacked = np.swapaxes(prec_chol, 1, 2).reshape(n_components * n_features, n_features)
    offsets = np.einsum("kd,kde->ke", means, prec_chol).reshape(-1, 1)
    y = stacked @ xt
    y -= offsets
    y = y.reshape(n_components, n_features, -1)
    return np.einsum("kdn,kdn->kn", y, y)


def _mahalanobis_tied(xt, means, prec_chol):
    y = (prec_chol.T @ xt)[None, :, :] - (means @ prec_chol)[:, :, None]
    y *= y
    return y.sum(axis=1)


def _mahalanobis_diag(xt, means, prec_chol):
    # prec (x - mu)^2 summed feature by feature: exact near a narrow mean, where the
    # expanded prec (x^2 - 2 mu x + mu^2) cancels (the fast path, see use_expanded).
    dist = np.zeros((means.shape[0], xt.shape[1]))
    for j in range(xt.shape[0]):
        term = xt[j][None, :] - means[:, j, None]
        term *= term
        term *= prec_chol[:, j, None] ** 2
        dist += term
    return dist


def _mahalanobis_spherical(xt, means, prec_chol):
    return _mahalanobis_diag(xt, means, np.broadcast_to(prec_chol[:, None], means.shape))


_MAHALANOBIS = {
    "full": _mahalanobis_full,
    "tied": _mahalanobis_tied,
    "diag": _mahalanobis_diag,
    "spherical": _mahalanobis_spherical,
}


def mahalanobis_sq_t(xt, means, prec_chol, covariance_type):
    """Squared Mahalanobis distances of every column of ``xt`` to every mean.

    Parameters
    ----------
    xt : ndarray of shape (n_features, n_samples)
        The rows, transposed.
    means : ndarray of shape (n_components, n_features)
    prec_chol : ndarray, shape per covariance type (see module docstring)
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    dist : ndarray of shape (n_components, n_samples)
    """
    return _MAHALANOBIS[covariance_type](xt, means, prec_chol)


def mahalanobis_sq(X, means, prec_chol, covariance_type):
    """Squared Mahalanobis distances, shape (n_samples, n_components)."""
    return mahalanobis_sq_t(X.T, means, prec_chol, covariance_type).T


def log_gaussian_prob_t(xt, means, prec_chol, covariance_type):
    """Log-density of every column of ``xt`` under every component.

    Returns
    -------
    log_prob : ndarray of shape (n_components, n_samples)
    """
    n_features = xt.shape[0]
    log_prob = mahalanobis_sq_t(xt, means, prec_chol, covariance_type)
    const = -0.5 * n_features * LOG_2PI + log_det_cholesky(prec_chol, covariance_type, n_features)
    log_prob *= -0.5
    log_prob += np.reshape(const, (-1, 1))
    return log_prob


def log_gaussian_prob(X, means, prec_chol, covariance_type):
    """Log-density of every row under every component, shape (n_samples, n_components)."""
    return log_gaussian_prob_t(X.T, means, prec_chol, covariance_type).T


# ------------------------------------------------ all components in one product
# The log-density is linear in a few per-row features,
#     log N(x | k) = A_k . z(x),   z(x) = [x, x^2, 1] (diag), [x, |x|^2, 1] (spherical),
#                                  [x, x_i x_j for i <= j, 1] (full)
#                                  or [x, |L'x|^2, 1] (tied, L the precision's factor),
# so all components' log-densities are one matrix product, and the M-step's sums
# (sum r x, the second moment, and sum r from the row of ones) are one more product
# with the same z (tied: its second moment, sum w x x', takes no responsibilities).
EXPANDED = ("diag", "spherical", "full", "tied")
# The expanded form adds -x'Px / 2 + mu'Px - mu'Pmu / 2; near a mean it loses about
# eps * |mu|'|P||mu| to cancellation. Past this, (x - mu)'P(x - mu) is formed directly.
EXPANSION_LIMIT = 1e8
# Far from a full component's mean the sum x'Px of |x|'|P||x|-sized terms loses up to
# eps * cond(P) of itself; past this condition number, the direct form is used.
EXPANSION_CONDITION_LIMIT = 1e6


def _quadratic_width(n_features, covariance_type):
    return {"diag": n_features, "spherical": 1, "tied": 1,
            "full": n_features * (n_features + 1) // 2}[covariance_type]


def _expanded_is_smaller(n_components, n_features):
    # z of a full mixture has d (d + 1) / 2 products per row; the direct form makes
    # K * d. Measured at 100,000 x 10: one product is faster from K = 6 on.
    return _quadratic_width(n_features, "full") <= n_components * n_features


def _axis_precisions(prec_chol, covariance_type):
    """Diag and spherical precisions, (n_components, n_features) or (n_components, 1)."""
    return prec_chol**2 if covariance_type == "diag" else (prec_chol**2)[:, None]


def use_expanded(means, prec_chol, covariance_type):
    """Whether the one-product form is accurate (and, for full, smaller) for these
    parameters in the fitting frame.

    Diag and spherical: ``prec * mu^2`` summed over the features stays below
    :data:`EXPANSION_LIMIT` (log-densities then within about 1e-8 of the direct
    form). Full: ``|mu|'|P||mu|`` below the same limit, every precision's condition
    number below :data:`EXPANSION_CONDITION_LIMIT`, and ``z`` no wider than the
    direct form's products. Tied: ``|(|L|'|mu|)|^2`` below the limit (the quadratic
    feature is a sum of squares, exact to rounding however thin the precision; near a
    mean it cancels against the linear part, which carries the rounding of ``L'x``).
    """
    n_components, n_features = means.shape
    if covariance_type == "tied":
        with np.errstate(over="ignore"):
            near_mean = ((np.abs(means) @ np.abs(prec_chol)) ** 2).sum(axis=1)
        return bool(near_mean.max() <= EXPANSION_LIMIT)
    if covariance_type == "full":
        if not _expanded_is_smaller(n_components, n_features):
            return False
        precisions = precisions_from_cholesky(prec_chol, covariance_type)
        abs_means = np.abs(means)
        with np.errstate(over="ignore", invalid="ignore"):
            near_mean = np.einsum("ki,kij,kj->k", abs_means, np.abs(precisions), abs_means)
            condition = np.linalg.cond(precisions)
        return bool(near_mean.max() <= EXPANSION_LIMIT
                    and condition.max() <= EXPANSION_CONDITION_LIMIT)
    precisions = _axis_precisions(prec_chol, covariance_type)
    with np.errstate(over="ignore"):
        return bool((precisions * means**2).sum(axis=1).max() <= EXPANSION_LIMIT)


def expanded_width(n_features, covariance_type):
    """Features of ``z``: 2 d + 1 for diag, d + 2 for spherical and tied,
    d + d (d + 1) / 2 + 1 for full."""
    return n_features + _quadratic_width(n_features, covariance_type) + 1


def expanded_rows(xt, covariance_type, prec_chol=None):
    """``z`` of transposed rows, shape (:func:`expanded_width`, n_rows) (``prec_chol``:
    tied only, see :func:`fill_expanded`)."""
    n_features, n_rows = xt.shape
    z = np.empty((expanded_width(n_features, covariance_type), n_rows))
    z[:n_features] = xt
    return fill_expanded(z, n_features, covariance_type, prec_chol)


def fill_expanded(z, n_features, covariance_type, prec_chol=None):
    """``z`` completed in place from the transposed rows in its first ``n_features``.

    Parameters
    ----------
    z : ndarray of shape (:func:`expanded_width`, n_rows)
    n_features : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    prec_chol : ndarray of shape (n_features, n_features), optional
        Tied only: the precision's factor ``L``, whose ``|L'x|^2`` is the row's
        quadratic feature.

    Returns
    -------
    z : the same array
    """
    xt = z[:n_features]
    if covariance_type == "diag":
        np.multiply(xt, xt, out=z[n_features:-1])
    elif covariance_type == "spherical":
        np.einsum("ij,ij->j", xt, xt, out=z[n_features])
    elif covariance_type == "tied":
        whitened = np.dot(prec_chol.T, xt)
        np.einsum("ij,ij->j", whitened, whitened, out=z[n_features])
    else:  # x_i x_j for i <= j, in the order of np.triu_indices
        start = n_features
        for i in range(n_features):
            np.multiply(xt[i], xt[i:], out=z[start:start + n_features - i])
            start += n_features - i
    z[-1] = 1.0
    return z


def _quadratic_coefficients(precisions, covariance_type, n_components):
    """Coefficients of z's quadratic features, (n_components, quadratic width), from the
    precisions as :func:`expanded_coefficients` holds them."""
    if covariance_type == "tied":  # -|L'x|^2 / 2 for every component
        return np.full((n_components, 1), -0.5)
    if covariance_type != "full":
        return -0.5 * precisions
    # x'Px = sum_i P_ii x_i^2 + 2 sum_{i<j} P_ij x_i x_j
    rows, cols = np.triu_indices(precisions.shape[-1])
    return precisions[:, rows, cols] * np.where(rows == cols, -0.5, -1.0)


def expanded_coefficients(means, prec_chol, covariance_type, log_weights=0.0):
    """``A`` (n_components, q) with log(weight_k) + log N(x | k) = A_k . z."""
    n_components, n_features = means.shape
    if covariance_type == "full":
        precisions = precisions_from_cholesky(prec_chol, covariance_type)
        linear = np.einsum("kij,kj->ki", precisions, means)
    elif covariance_type == "tied":
        precisions = precisions_from_cholesky(prec_chol, covariance_type)
        linear = means @ precisions
    else:
        precisions = _axis_precisions(prec_chol, covariance_type)
        linear = means * precisions
    constant = (-0.5 * (means * linear).sum(axis=1) - 0.5 * n_features * LOG_2PI
                + log_det_cholesky(prec_chol, covariance_type, n_features) + log_weights)
    return np.hstack([linear, _quadratic_coefficients(precisions, covariance_type, n_components),
                      constant[:, None]])


def _symmetric_from_upper(upper, n_features):
    """(n_components, d (d + 1) / 2) upper triangles in np.triu_indices order ->
    (n_components, d, d) symmetric matrices."""
    rows, cols = np.triu_indices(n_features)
    full = np.empty((len(upper), n_features, n_features))
    full[:, rows, cols] = upper
    full[:, cols, rows] = upper
    return full


def expanded_moments(resp, z, n_features, covariance_type, sample_weight=None):
    """(nk, sum r x, second moment) of a block from its ``z``: one matrix product (and,
    tied, one more for sum w x x').

    Parameters
    ----------
    resp : ndarray of shape (n_components, n_rows)
        Responsibilities times sample weights.
    z : ndarray of shape (q, n_rows)
    n_features : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    sample_weight : ndarray of shape (n_rows,), optional
        Tied only; None: every row counts once.

    Returns
    -------
    nk : ndarray of shape (n_components,)
    sum_x : ndarray of shape (n_components, n_features)
    moment : ndarray, see :func:`second_moment_t`
    """
    sums = sum_products(resp, z)
    moment = sums[:, n_features:-1]
    if covariance_type == "tied":
        xt = z[:n_features]
        moment = sum_products(xt if sample_weight is None else xt * sample_weight, xt)
    elif covariance_type == "full":
        moment = _symmetric_from_upper(moment, n_features)
    elif covariance_type == "spherical":
        moment = moment[:, 0]
    return sums[:, -1], sums[:, :n_features], moment


# ----------------------------------------------------- M-step statistics
def _second_moment_full(xt, resp, sample_weight):
    n_features, n_rows = xt.shape
    # All components in one product: (K*d, n) @ (n, d).
    weighted = (resp[:, None, :] * xt[None, :, :]).reshape(-1, n_rows)
    return sum_products(weighted, xt).reshape(-1, n_features, n_features)


def _second_moment_tied(xt, resp, sample_weight):
    return sum_products(xt * sample_weight, xt)


def _second_moment_diag(xt, resp, sample_weight):
    return sum_products(resp, xt * xt)


def _second_moment_spherical(xt, resp, sample_weight):
    return np.dot(resp, np.einsum("ij,ij->j", xt, xt))


_SECOND_MOMENT = {
    "full": _second_moment_full,
    "tied": _second_moment_tied,
    "diag": _second_moment_diag,
    "spherical": _second_moment_spherical,
}


def second_moment_t(xt, resp, sample_weight, covariance_type):
    """The second-moment sufficient statistic of a block of rows.

    Parameters
    ----------
    xt : ndarray of shape (n_features, n_rows)
        The rows, transposed.
    resp : ndarray of shape (n_components, n_rows)
        Responsibilities already multiplied by the sample weights.
    sample_weight : ndarray of shape (n_rows,)
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    moment : ndarray
        full: (n_components, n_features, n_features) of sum r x x^T;
        tied: (n_features, n_features) of sum w x x^T;
        diag: (n_components, n_features) of sum r x^2;
        spherical: (n_components,) of sum r |x|^2.
    """
    return _SECOND_MOMENT[covariance_type](xt, resp, sample_weight)


def _covariances_full(nk, means, moment, reg_covar):
    cov = moment / nk[:, None, None] - means[:, :, None] * means[:, None, :]
    cov[:, np.arange(means.shape[1]), np.arange(means.shape[1])] += reg_covar
    return cov


def _covariances_tied(nk, means, moment, reg_covar):
    cov = (moment - (nk * means.T) @ means) / nk.sum()
    cov.flat[:: len(cov) + 1] += reg_covar
    return cov


def _covariances_diag(nk, means, moment, reg_covar):
    return moment / nk[:, None] - means**2 + reg_covar


def _covariances_spherical(nk, means, moment, reg_covar):
    # The mean over features of the diagonal covariances, from sum r |x|^2.
    return (moment / nk - (means**2).sum(axis=1)) / means.shape[1] + reg_covar


_COVARIANCES = {
    "full": _covariances_full,
    "tied": _covariances_tied,
    "diag": _covariances_diag,
    "spherical": _covariances_spherical,
}


def covariances_from_moments(nk, means, moment, reg_covar, covariance_type):
    """M-step covariances from the weighted counts, means and second moment.

    Parameters
    ----------
    nk : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    moment : ndarray, see :func:`second_moment_t`
    reg_covar : float
        Added to every variance so covariances stay positive definite.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    """
    return _COVARIANCES[covariance_type](nk, means, moment, reg_covar)


def covariance_shape(covariance_type, n_components, n_features):
    """The shape of ``covariances_`` (and ``precisions_``) for a covariance type."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]


def n_covariance_parameters(covariance_type, n_components, n_features):
    """Free parameters of the covariances (for BIC and AIC)."""
    return {
        "full": n_components * n_features * (n_features + 1) // 2,
        "tied": n_features * (n_features + 1) // 2,
        "diag": n_components * n_features,
        "spherical": n_components,
    }[covariance_type]


def n_parameters(covariance_type, n_components, n_features):
    """Free parameters of a mixture: covariances, means and weights (which sum to one)."""
    cov = n_covariance_parameters(covariance_type, n_components, n_features)
    return cov + n_features * n_components + n_components - 1



def full_covariances(covariances, covariance_type, n_components, n_features):
    """Every component's covariance as a full matrix, whatever the type.

    Returns
    -------
    covariances : ndarray of shape (n_components, n_features, n_features)
    """
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if covariance_type == "diag":
        return covariances[:, :, None] * np.eye(n_features)
    return covariances[:, None, None] * np.eye(n_features)
