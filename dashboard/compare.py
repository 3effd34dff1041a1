"""One dataset + settings -> both fitted models, matched labels and metrics.

Plain functions and frozen dataclasses: the Streamlit layer caches them, the
tests call them directly.
"""

import hashlib
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

import gmmcore
from gmmcore import io
from gmmcore.settings import SETTINGS as _FIT

from . import budget
from .scores import (
    adjusted_rand_score,
    ari_and_nmi,
    best_assignment,
    n_distinct,
    normalized_mutual_info_score,
    principal_components,
    silhouette_scores,
)

SILHOUETTE_SAMPLE = 3000


@dataclass(frozen=True)
class Settings:
    """Everything the sidebar decides about a fit (hashable, so it can key a cache).

    Defaults and allowed values come from :mod:`gmmcore.settings`.
    """

    k: int = _FIT["k"].default
    covariance_type: str = _FIT["covariance_type"].default
    init: str = _FIT["init"].default
    seed: int = _FIT["seed"].default
    standardize: bool = _FIT["standardize"].default
    n_init: int = _FIT["n_init"].default
    max_iter: int = _FIT["max_iter"].default
    tol: float = _FIT["tol"].default
    reg_covar: float = _FIT["reg_covar"].default

    @classmethod
    def checked(cls, values):
        """Settings from a mapping of names to values, each checked against the table.

        Raises
        ------
        ValueError
            Naming the first value outside the table's range.
        """
        return cls(**{name: _FIT[name].parse(value) for name, value in values.items()
                      if name in _FIT})


@dataclass
class Comparison:
    """Both fitted models on one dataset, with GMM labels matched to K-means'.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data as fitted (standardised when the settings say so).
    settings : Settings
    kmeans : gmmcore.KMeans or None
        None when no model could be fitted at all; ``kmeans_error`` says why.
    gmm : gmmcore.GaussianMixture or None
        None when the mixture could not be fitted; ``gmm_error`` says why.
    kmeans_labels, gmm_labels : ndarray of shape (n_samples,)
        ``gmm_labels`` use K-means' numbering (Hungarian matching), so cluster
        j means the same group in both.
    order : ndarray of shape (n_components,)
        GMM component shown as cluster j is ``gmm`` component ``order[j]``.
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities, columns in matched order.
    warnings : list of str
        What went wrong or looks degenerate, in words for the user.
    rows : ndarray of shape (n_samples,) or None
        Which rows of the data as loaded ``X`` holds (None: all, in order).
    plan : budget.FitPlan or None
        How the fits ran (samples, restarts, time limit) and why.
    """

    X: np.ndarray
    settings: Settings
    kmeans: gmmcore.KMeans
    gmm: gmmcore.GaussianMixture | None
    kmeans_labels: np.ndarray
    gmm_labels: np.ndarray | None
    order: np.ndarray | None
    resp: np.ndarray | None
    kmeans_seconds: float
    gmm_seconds: float
    gmm_error: str | None = None
    warnings: list = field(default_factory=list)
    rows: np.ndarray | None = None
    plan: budget.FitPlan | None = None
    kmeans_error: str | None = None

    @property
    def disagree(self):
        """Rows the two methods put in different (matched) clusters, shape (n_samples,)."""
        if self.gmm_labels is None:
            return np.zeros(len(self.X), dtype=bool)
        return self.kmeans_labels != self.gmm_labels

    @property
    def gmm_means(self):
        """GMM means in matched order, shape (n_components, n_features)."""
        return self.gmm.means_[self.order]

    @property
    def gmm_covariances(self):
        """GMM covariances as full matrices in matched order, (K, n_features, n_features)."""
        return self.matched_covariances(self.gmm.covariances_)

    def matched_covariances(self, covariances):
        """Covariances in the GMM's own shape and order (``covariances_`` or a
        ``history_`` entry's) as full matrices in matched order."""
        full = gmmcore.gaussian.full_covariances(
            covariances, self.gmm.covariance_type, self.gmm.n_components, self.X.shape[1])
        return full[self.order]

    @property
    def gmm_weights(self):
        return self.gmm.weights_[self.order]


def data_digest(*arrays):
    """SHA-256 of the arrays' bytes, shapes and dtypes: a cache key for data."""
    h = hashlib.sha256()
    for a in arrays:
        if a is None:
            h.update(b"none")
            continue
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype}{a.shape}".encode())
        h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    return h.hexdigest()


def standardize(X):
    """Columns scaled to zero mean and unit variance (constant columns only centred)."""
    return io.apply_preprocessing(X, io.standardization(X))


def match_labels(reference, labels, n_clusters):
    """Renumber ``labels`` to agree as much as possible with ``reference``.

    Hungarian matching on the contingency table.

    Returns
    -------
    order : ndarray of shape (n_clusters,)
        Cluster j of the result is cluster ``order[j]`` of ``labels``.
    matched : ndarray of shape (n_samples,)
        ``labels`` renumbered.
    """
    table = np.bincount(np.asarray(reference) * n_clusters + labels,
                        minlength=n_clusters * n_clusters).reshape(n_clusters, n_clusters)
    order = best_assignment(table)
    inverse = np.empty(n_clusters, dtype=int)
    inverse[order] = np.arange(n_clusters)
    return order, inverse[labels]


def gmm_params(settings, plan=None):
    """Constructor arguments of :class:`gmmcore.GaussianMixture` the settings give,
    other than K and the covariance type (restarts and time limit as planned)."""
    return {
        "init_params": settings.init, "random_state": settings.seed,
        "n_init": settings.n_init if plan is None else plan.n_init,
        "max_iter": settings.max_iter, "tol": settings.tol, "reg_covar": settings.reg_covar,
        "max_time": None if plan is None else plan.max_time,
    }


def kmeans_model(settings, k=None, keep_history=False, plan=None):
    """The unfitted :class:`gmmcore.KMeans` the settings describe (``k`` overrides K)."""
    return gmmcore.KMeans(
        settings.k if k is None else k,
        n_init=settings.n_init if plan is None else plan.n_init,
        max_iter=max(settings.max_iter, 1), random_state=settings.seed,
        keep_history=keep_history, max_time=None if plan is None else plan.max_time,
    )


def _fit(make, X):
    """``make().fit(X)`` with its warnings as text: (model or None, error or None, notes)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = make().fit(X)
        except ValueError as exc:
            return None, str(exc), []
    return model, None, list(dict.fromkeys(str(w.message) for w in caught))


def fit_kmeans(X, settings, plan=None):
    """K-means with the sidebar's K, seed and iteration limits, history kept as planned.

    Returns
    -------
    model : KMeans or None
    error : str or None
    notes : list of str
    """
    history = True if plan is None else plan.history
    return _fit(lambda: kmeans_model(settings, keep_history=history, plan=plan), X)


def fit_gmm(X, settings, plan=None):
    """The Gaussian mixture the settings describe, history kept as planned.

    Returns
    -------
    model : GaussianMixture or None
    error : str or None
        The reason it could not be fitted, in words for the user.
    notes : list of str
        Warnings raised while fitting.
    """
    history = True if plan is None else plan.history
    return _fit(lambda: gmmcore.GaussianMixture(
        settings.k, covariance_type=settings.covariance_type, keep_history=history,
        **gmm_params(settings, plan)), X)


def uniform_sample(n_rows, size, seed):
    """Sorted indices of a uniform random sample of ``size`` of ``n_rows`` rows (all when
    ``size >= n_rows``)."""
    if size >= n_rows:
        return np.arange(n_rows)
    return np.sort(np.random.RandomState(seed).choice(n_rows, size, replace=False))


@dataclass(frozen=True)
class KMeansFit:
    """K-means as a plan fits it, and its labels of every shown row: what a change
    of the mixture's settings (covariance type, initialisation, tol, reg_covar)
    reuses instead of fitting K-means again.

    Attributes
    ----------
    model : gmmcore.KMeans or None
    error : str or None
        Why no model could be fitted.
    notes : tuple of str
    seconds : float
    labels : ndarray of shape (n_shown,) or None
    """

    model: gmmcore.KMeans | None
    error: str | None
    notes: tuple
    seconds: float
    labels: np.ndarray | None


def kmeans_inputs(settings, plan):
    """Everything :func:`kmeans_fit` depends on besides the data (hashable)."""
    return (settings.k, settings.seed, settings.standardize, settings.max_iter, plan.n_rows,
            plan.n_fit, plan.n_init, plan.history, plan.max_time)


def prepared_rows(X, settings, plan):
    """The rows a plan works on: standardised if asked, sampled as planned.

    Returns
    -------
    X : ndarray of shape (plan.n_rows, n_features)
        The rows shown.
    rows : ndarray of shape (plan.n_rows,) or None
        Which rows of the input they are (None: all, in order).
    X_fit : ndarray of shape (plan.n_fit, n_features)
        The rows both models are fitted on.
    """
    X = standardize(X) if settings.standardize else np.asarray(X, dtype=float)
    rows = None
    if plan.n_rows < len(X):
        rows = uniform_sample(len(X), plan.n_rows, settings.seed)
        X = X[rows]
    return X, rows, X[uniform_sample(len(X), plan.n_fit, settings.seed + 1)]


def _timed_kmeans(X, X_fit, settings, plan):
    t0 = time.perf_counter()
    model, error, notes = fit_kmeans(X_fit, settings, plan)
    seconds = time.perf_counter() - t0
    return KMeansFit(model, error, tuple(notes), seconds,
                     None if model is None else model.predict(X))


def kmeans_fit(X, settings, limits=budget.Limits(), plan=None):
    """K-means alone, on the rows :func:`compare` would fit it on (``plan`` as it plans).

    Returns
    -------
    KMeansFit
    """
    plan = plan or budget.plan_fit(len(X), X.shape[1], settings, limits)
    X, _, X_fit = prepared_rows(X, settings, plan)
    return _timed_kmeans(X, X_fit, settings, plan)


@dataclass(frozen=True)
class Fits:
    """Both models as fitted, without anything per row: what :func:`assemble` needs
    besides the rows, small enough to send back from another process.

    Attributes
    ----------
    kmeans : KMeansFit
    gmm : gmmcore.GaussianMixture or None
    gmm_error : str or None
    notes : tuple of str
    gmm_seconds : float
    plan : budget.FitPlan
    """

    kmeans: KMeansFit
    gmm: gmmcore.GaussianMixture | None
    gmm_error: str | None
    notes: tuple
    gmm_seconds: float
    plan: budget.FitPlan


def _fit_models(X, X_fit, settings, plan, kmeans):
    if kmeans is None:
        kmeans = _timed_kmeans(X, X_fit, settings, plan)
    t0 = time.perf_counter()
    gmm, error, gmm_notes = (None, kmeans.error, []) if kmeans.model is None else \
        fit_gmm(X_fit, settings, plan)
    seconds = time.perf_counter() - t0
    notes = (list(plan.notes) + list(kmeans.notes) + gmm_notes
             + _history_notes(kmeans.model, gmm, plan))
    return Fits(kmeans, gmm, error, tuple(notes), seconds, plan)


def fit_models(X, settings, limits=budget.Limits(), kmeans=None):
    """Both models fitted as :func:`compare` fits them, nothing labelled yet.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    settings : Settings
    limits : budget.Limits
    kmeans : KMeansFit, optional
        K-means already fitted (:func:`kmeans_fit`, same data and
        :func:`kmeans_inputs`); fitted here otherwise.

    Returns
    -------
    Fits
    """
    plan = budget.plan_fit(len(X), X.shape[1], settings, limits)
    X, _, X_fit = prepared_rows(X, settings, plan)
    return _fit_models(X, X_fit, settings, plan, kmeans)


def compare(X, settings, limits=budget.Limits(), columns=None, kmeans=None, fits=None):
    """Fit both models on ``X`` within the server's budget and match their clusters.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Raw features; standardised here when ``settings.standardize``.
    settings : Settings
    limits : budget.Limits
    columns : sequence of str, optional
        Feature names, for the notes.
    kmeans : KMeansFit, optional
        K-means already fitted by :func:`kmeans_fit` for the same data and
        :func:`kmeans_inputs`; fitted here otherwise.
    fits : Fits, optional
        Both models already fitted by :func:`fit_models` (then only labelled here).

    Returns
    -------
    Comparison
        On every row, or on the uniform sample the plan chose (``rows``).
    """
    plan = budget.plan_fit(len(X), X.shape[1], settings, limits) if fits is None else fits.plan
    X, rows, X_fit = prepared_rows(X, settings, plan)
    if fits is None:
        fits = _fit_models(X, X_fit, settings, plan, kmeans)
    km = fits.kmeans
    return assemble(X, settings, km.model, fits.gmm, fits.notes, (km.seconds, fits.gmm_seconds),
                    fits.gmm_error, rows=rows, plan=plan, kmeans_error=km.error,
                    columns=columns, kmeans_labels=km.labels)


def _history_notes(kmeans, gmm, plan):
    """Say when the step-through has fewer iterations than the fit ran."""
    notes = []
    for name, model in (("EM", gmm), ("Lloyd", kmeans)):
        kept = len(getattr(model, "history_", [])) - 1
        if model is not None and 0 <= kept < model.n_iter_:
            notes.append(f"{name} ran {model.n_iter_} iterations; to bound memory the "
                         f"step-through keeps the first {kept}.")
    return notes


def assemble(X, settings, kmeans, gmm, notes=(), seconds=(0.0, 0.0), gmm_error=None, *,
             rows=None, plan=None, kmeans_error=None, columns=None, kmeans_labels=None):
    """A :class:`Comparison` of two fitted models on ``X`` (as they were fitted).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The rows in the models' feature space.
    settings : Settings
    kmeans : gmmcore.KMeans or None
    gmm : gmmcore.GaussianMixture or None
    notes : sequence of str
    seconds : (float, float)
        Fit times of K-means and of the mixture.
    gmm_error : str, optional
        Why there is no mixture.
    rows : ndarray, optional
        Which rows of the data as loaded ``X`` holds.
    plan : budget.FitPlan, optional
    kmeans_error : str, optional
        Why there is no model at all.
    columns : sequence of str, optional
        Feature names, for the notes.
    kmeans_labels : ndarray of shape (n_samples,), optional
        ``kmeans.predict(X)``, when already known.
    """
    notes = list(dict.fromkeys(notes))
    extra = {"rows": rows, "plan": plan, "warnings": notes}
    if kmeans is None:
        empty = np.zeros(len(X), dtype=int)
        return Comparison(X, settings, None, None, empty, None, None, None, *seconds,
                          gmm_error=gmm_error, kmeans_error=kmeans_error, **extra)
    if kmeans_labels is None:
        kmeans_labels = kmeans.predict(X)
    if gmm is None:
        return Comparison(X, settings, kmeans, None, kmeans_labels, None, None, None,
                          *seconds, gmm_error=gmm_error, **extra)
    resp = gmm.predict_proba(X)
    order, gmm_labels = match_labels(kmeans_labels, resp.argmax(axis=1), gmm.n_components)
    resp = resp[:, order]
    extra["warnings"] = notes + degenerate_notes(gmm, X, order, gmm_labels, columns)
    return Comparison(X, settings, kmeans, gmm, kmeans_labels, gmm_labels, order, resp,
                      *seconds, **extra)


SCALE_RATIO = 100  # feature spreads differing more than this dominate distances


def _about(ratio):
    """A ratio to two significant digits, for sentences: 10,012 -> '10,000'."""
    return f"{float(f'{ratio:.2g}'):,.0f}"


def _feature_name(columns, i):
    return f"'{columns[i]}'" if columns is not None else f"feature {i + 1}"


def scale_advice(X, columns=None):
    """A sentence when the features' spreads differ more than ``SCALE_RATIO``-fold.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features as loaded (not standardised).

    Returns
    -------
    str or None
    """
    if X.shape[1] < 2 or len(X) < 2:
        return None
    std = X.std(axis=0)
    if not (std > 0).all() or std.max() / std.min() <= SCALE_RATIO:
        return None
    wide, narrow = int(std.argmax()), int(std.argmin())
    return (f"The features' scales differ about {_about(std.max() / std.min())}-fold "
            f"({_feature_name(columns, wide)} spreads {std[wide]:.3g}, "
            f"{_feature_name(columns, narrow)} {std[narrow]:.3g}), so distances are dominated "
            f"by {_feature_name(columns, wide)}. Standardise the features to weigh them "
            "equally.")


def degenerate_notes(gmm, X, order, labels=None, columns=None):
    """Plain-language notes on components that collapsed, emptied or flattened, each
    naming the cause found in the data, in matched numbering.

    Parameters
    ----------
    gmm : GaussianMixture
    X : ndarray of shape (n_samples, n_features)
    order : ndarray of shape (n_components,)
    labels : ndarray of shape (n_samples,), optional
        The GMM's matched labels (to look at each cluster's rows).
    columns : sequence of str, optional
    """
    notes = []
    n_samples = len(X)
    full = gmmcore.gaussian.full_covariances(
        gmm.covariances_, gmm.covariance_type, gmm.n_components, X.shape[1])
    # The largest variance column by column: NumPy's variance over the first axis of
    # (n, d) is several times slower (36 against 6 ms at a million rows x 3).
    spread = max(float(column.var()) for column in X.T) if n_samples > 1 else 1.0
    for j, k in enumerate(order):
        if gmm.weights_[k] * n_samples < 1.5:
            notes.append(
                f"Cluster {j + 1} of the GMM holds less than two points' weight: it has "
                "collapsed. Try a smaller K or a larger reg_covar."
            )
            continue
        values, vectors = np.linalg.eigh(full[k])
        if values[0] < 1e-6 * max(spread, 1e-300):
            rows = X if labels is None else X[labels == j]
            notes.append(f"Cluster {j + 1} of the GMM is nearly flat: "
                         + _flat_cause(rows, X, values, vectors[:, 0], columns))
    return notes


def _flat_cause(rows, X, values, flattest, columns):
    """Why a component's covariance is nearly singular, in words with what to do."""
    distinct = len(np.unique(rows, axis=0)) if len(rows) else 0
    if len(rows) and distinct <= max(2, len(rows) // 2):
        return (f"its {len(rows):,} points take only {distinct:,} distinct values (repeated "
                "rows). Try a smaller K, a larger reg_covar or a spherical covariance.")
    std = X.std(axis=0)
    axis = int(np.abs(flattest).argmax())
    if std.min() > 0 and std.max() / std[axis] > SCALE_RATIO and abs(flattest[axis]) > 0.9:
        return (f"it is thin along {_feature_name(columns, axis)}, whose values spread "
                f"{_about(std.max() / std[axis])} times less than "
                f"{_feature_name(columns, int(std.argmax()))}'s. Standardise the features.")
    return (f"its points lie close to a line or plane (they spread "
            f"{_about(np.sqrt(values[-1] / max(values[0], 1e-300)))} times less in one direction "
            "than in another). Try a diagonal covariance, a smaller K or a larger reg_covar.")


def agreement(comparison):
    """How much the two methods agree: ARI, NMI and the count of differing points.

    Returns
    -------
    summary : dict or None
        ``ari``, ``nmi``, ``n_disagree``, ``share_disagree``; None without a GMM.
    """
    c = comparison
    if c.gmm_labels is None:
        return None
    n_disagree = int(c.disagree.sum())
    ari, nmi = ari_and_nmi(c.kmeans_labels, c.gmm_labels)
    return {
        "ari": ari,
        "nmi": nmi,
        "n_disagree": n_disagree,
        "share_disagree": n_disagree / len(c.X),
    }


def headline(comparison, true_labels=None):
    """What the Compare page says first: how far the methods agree, and when the true
    labels are known how far each agrees with them.

    Returns
    -------
    dict or None
        :func:`agreement`'s keys, plus ``ari_kmeans_truth`` and ``ari_gmm_truth``
        with true labels; None without a mixture.
    """
    summary = agreement(comparison)
    if summary is None or true_labels is None:
        return summary
    return summary | {
        "ari_kmeans_truth": float(adjusted_rand_score(true_labels,
                                                               comparison.kmeans_labels)),
        "ari_gmm_truth": float(adjusted_rand_score(true_labels, comparison.gmm_labels)),
    }


def metrics_table(comparison, true_labels=None):
    """Per-method metrics for the table under the two scatter plots.

    Returns
    -------
    rows : list of dict
        Each with ``metric``, ``K-means`` and ``GMM`` (numbers, text or None where
        a metric does not apply to a method).
    """
    c = comparison
    X = c.X
    gmm_labels = c.gmm_labels
    rows = []
    if true_labels is not None:
        rows.append(_row("ARI vs true labels",
                         adjusted_rand_score(true_labels, c.kmeans_labels),
                         None if gmm_labels is None
                         else adjusted_rand_score(true_labels, gmm_labels)))
        rows.append(_row("NMI vs true labels",
                         normalized_mutual_info_score(true_labels, c.kmeans_labels),
                         None if gmm_labels is None
                         else normalized_mutual_info_score(true_labels, gmm_labels)))
    rows.append(_row("Silhouette", *silhouettes(X, c.kmeans_labels, gmm_labels)))
    rows.append(_row("K-means inertia", c.kmeans.inertia_, None))
    if c.gmm is not None:
        n = len(X)
        mean_ll = c.gmm.score(X)
        n_parameters = c.gmm.n_parameters()
        rows.append(_row("Mean log-likelihood", None, mean_ll))
        rows.append(_row("BIC", None, -2 * mean_ll * n + n_parameters * np.log(n)))
        rows.append(_row("AIC", None, -2 * mean_ll * n + 2 * n_parameters))
    rows.append(_row("Iterations", c.kmeans.n_iter_, None if c.gmm is None else c.gmm.n_iter_))
    rows.append(_row("Converged", stopped_because(c.kmeans),
                     "failed" if c.gmm is None else stopped_because(c.gmm)))
    rows.append(_row("Fit time (ms)", 1e3 * c.kmeans_seconds, 1e3 * c.gmm_seconds))
    return rows


def format_value(value):
    """A metric as display text: '' for missing, 4 significant digits for floats."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    return str(value)


def _row(name, kmeans_value, gmm_value):
    return {"metric": name, "K-means": kmeans_value, "GMM": gmm_value}


def stopped_because(model):
    """Whether a fit converged, and if not why it stopped, in words."""
    reason = getattr(model, "stop_reason_", None)
    return {"converged": "yes", "max_iter": "no: stopped at max_iter",
            "time_limit": "no: stopped at the time limit",
            "given": "not fitted here (loaded)"}.get(reason, "yes" if model.converged_ else "no")


def silhouettes(X, *label_sets, sample_size=SILHOUETTE_SAMPLE, seed=0):
    """Mean silhouette of several labellings, on the same fixed random sample for large
    data; None for a labelling with one cluster (or one per row)."""
    size = sample_size if len(X) > sample_size else None
    scored = [labels is not None and 2 <= n_distinct(labels) < len(X) for labels in label_sets]
    values = iter(silhouette_scores(X, [labels for labels, ok in zip(label_sets, scored) if ok],
                                    sample_size=size, random_state=seed) if any(scored) else [])
    return [next(values) if ok else None for ok in scored]


# ------------------------------------------------------------------ 2-D views
@dataclass(frozen=True)
class View:
    """A linear map from feature space to the two plotted axes: ``xy = (X - offset) @ A.T``.

    Attributes
    ----------
    A : ndarray of shape (2, n_features)
    offset : ndarray of shape (n_features,)
    axis_titles : tuple of str
    note : str
        Said under the charts (e.g. variance the components explain).
    """

    A: np.ndarray
    offset: np.ndarray
    axis_titles: tuple
    note: str = ""

    def points(self, X):
        """Plotted coordinates of rows, shape (n_samples, 2)."""
        return (X - self.offset) @ self.A.T

    def means(self, means):
        """Plotted coordinates of means, shape (n_components, 2)."""
        return (means - self.offset) @ self.A.T

    def covariances(self, covariances):
        """Covariances of the plotted coordinates, shape (n_components, 2, 2)."""
        return self.A @ covariances @ self.A.T

    @property
    def is_exact(self):
        """True when the view shows all the features (the data is 2-D)."""
        return self.A.shape[1] == 2 and np.allclose(np.abs(self.A), np.eye(2))


def feature_view(columns, x, y):
    """The view onto two original features ``x`` and ``y`` (names in ``columns``)."""
    columns = list(columns)
    A = np.zeros((2, len(columns)))
    A[0, columns.index(x)] = 1
    A[1, columns.index(y)] = 1
    return View(A, np.zeros(len(columns)), (x, y))


def pca_view(X):
    """The view onto the first two principal components of ``X`` (n_features >= 2)."""
    components, mean, share = principal_components(X)
    return View(
        components, mean, ("PC 1", "PC 2"),
        f"PC 1 and PC 2 explain {100 * share[0]:.0f}% and {100 * share[1]:.0f}% of the "
        "variance.",
    )


def one_feature_view(column):
    """A 1-D dataset plotted against a zero second axis."""
    return View(np.array([[1.0], [0.0]]), np.zeros(1), (column, ""))
