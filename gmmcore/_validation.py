"""Input checks shared by the estimators: arrays, options, random states."""

import numbers

import numpy as np


class ConvergenceWarning(UserWarning):
    """Raised as a warning when an iterative fit stopped before converging."""


class NotFittedError(ValueError, AttributeError):
    """Raised when a method needs a fitted estimator."""


def check_array(X, *, name="X", min_samples=1, finite=True):
    """Return ``X`` as a finite 2-D float64 array or raise a helpful ValueError.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Lists, float32 and integer arrays are accepted and converted.
    name : str
        The argument's name, used in messages.
    min_samples : int
        The least number of rows accepted.
    finite : bool, default=True
        False: NaN and infinities are left for the caller to find with
        :func:`check_finite` (a prediction does, block by block, as it reads the rows).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float64
    """
    if type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(f"Sparse input is not supported: pass a dense array ({name}.toarray()).")
    try:
        X = np.asarray(X)
        if X.dtype.kind == "c":
            raise ValueError(
                f"Complex data not supported: {name} has complex values; clustering needs real "
                f"numbers: pass {name}.real or {name}.imag (or both as separate columns).")
        X = X.astype(np.float64, copy=False)
    except TypeError as exc:  # e.g. a dict among the values
        raise TypeError(f"{name} must be numeric; convert or drop the non-numeric columns "
                        f"first ({exc}).") from None
    except ValueError as exc:
        if "Complex data" in str(exc):
            raise
        raise ValueError(
            f"{name} must be numeric; convert or drop the non-numeric columns first ({exc})."
        ) from None
    if X.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features) but is 1-D. Reshape your data: use "
            f"{name}.reshape(-1, 1) for a single feature or {name}.reshape(1, -1) for one sample."
        )
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features); got {X.ndim} dimensions.")
    n_samples, n_features = X.shape
    if n_features == 0:
        raise ValueError(f"{name} has no features: 0 feature(s) (shape={X.shape}) while a "
                         "minimum of 1 is required. Give it at least one column.")
    if n_samples < min_samples:
        raise ValueError(
            f"{name} has {n_samples} sample(s) (shape={X.shape}) while a minimum of "
            f"{min_samples} is required."
        )
    if finite:
        check_finite(X, name)
    return np.ascontiguousarray(X)


def check_finite(X, name="X"):
    """Raise a ValueError that counts the rows of ``X`` with NaN or infinite values, if any.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    name : str
    """
    if not np.isfinite(X).all():
        n_bad = int(np.count_nonzero(~np.isfinite(X).all(axis=1)))
        raise ValueError(
            f"{name} contains NaN or infinite values in {n_bad} row(s); drop those rows "
            "or impute the missing values before fitting."
        )


def check_sample_weight(sample_weight, n_samples):
    """Return non-negative finite weights of shape (n_samples,), ones when None.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
    n_samples : int

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,), dtype float64
    """
    if sample_weight is None:
        return np.ones(n_samples)
    try:
        w = np.asarray(sample_weight)
        if w.dtype.kind == "c":
            raise TypeError
        w = w.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise ValueError("sample_weight must be real numbers, one per row.") from None
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per row; got {w.shape}."
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    if w.sum() <= 0:
        raise ValueError("sample_weight sums to zero; give at least one row a positive weight.")
    return w


# ----------------------------------------------------- parameter constraints
# Each returns a check ``check(value, name)`` that raises a ValueError saying
# what is allowed; the estimators list them in ``_parameter_constraints``.
def integer(minimum, maximum=None):
    """Check: an integer (not a bool) in [minimum, maximum]."""
    def check(value, name):
        check_int(value, name, minimum)
        if maximum is not None and value > maximum:
            raise ValueError(f"{name} must be an integer from {minimum} to {maximum}; "
                             f"got {value!r}.")
    return check


def real(minimum=0.0, *, allow_none=False):
    """Check: a finite real number >= minimum (or None when allowed)."""
    def check(value, name):
        if allow_none and value is None:
            return
        check_float(value, name, minimum)
    return check


def one_of(allowed):
    """Check: one of the strings ``allowed``."""
    def check(value, name):
        check_option(value, name, allowed)
    return check


def history_limit(value, name):
    """Check: False, True, or the largest number of iterations to record (>= 1)."""
    if isinstance(value, bool | np.bool_):
        return
    check_int(value, name, 1)


def seed(value, name):
    """Check: None, an integer >= 0 or a ``numpy.random.RandomState``."""
    check_random_state(value)


def optional_array(value, name):
    """Check: None or numbers (shapes are checked against the data in ``fit``)."""
    if value is None:
        return
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must be real numbers; got complex values.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers or None.") from None
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite.")


def check_option(value, name, allowed):
    """Raise a ValueError naming the allowed values when ``value`` is not one of them."""
    if isinstance(value, str) and value in allowed:
        return value
    choices = ", ".join(repr(a) for a in allowed)
    raise ValueError(f"{name}={value!r} is not supported; use one of {choices}.")


def check_int(value, name, minimum):
    """Return ``value`` as an int at least ``minimum`` or raise a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def check_float(value, name, minimum=0.0):
    """Return ``value`` as a finite float at least ``minimum`` or raise a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number >= {minimum}; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return float(value)


def check_random_state(seed):
    """Turn ``seed`` (None, int or RandomState) into a ``np.random.RandomState``.

    RandomState rather than Generator so that the same seed draws the same
    numbers as scikit-learn's estimators.
    """
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if not 0 <= seed < 2**32:
            raise ValueError(f"random_state={seed!r} must be between 0 and 2**32 - 1.")
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"random_state={seed!r} cannot seed a RandomState; use None or an integer.")


def check_is_fitted(estimator, fitted_attribute):
    """Raise NotFittedError when ``estimator`` has no ``fitted_attribute`` yet."""
    if not hasattr(estimator, fitted_attribute):
        name = type(estimator).__name__
        raise NotFittedError(f"This {name} is not fitted yet; call fit(X) before using it.")


def is_dask_collection(X):
    """True for a Dask array or frame, checked without importing Dask."""
    return type(X).__module__.partition(".")[0] == "dask" and hasattr(X, "__dask_graph__")
