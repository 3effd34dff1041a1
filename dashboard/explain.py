"""Why the two methods decide as they do, as plain arrays for the pages and tests.

EM and Lloyd replayed iteration by iteration from the fitted models' history,
one point's log-density broken into its terms, every restart compared with
the best, and one M-step written out the way the formulas read.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

import gmmcore
from gmmcore import gaussian, nearest_centers

from .compare import Comparison
from .scores import adjusted_rand_score


# ------------------------------------------------------------ mixture terms
@dataclass(frozen=True)
class MixtureTerms:
    """The pieces of ``log(weight_k * N(x | mean_k, cov_k))`` for some rows.

    Attributes
    ----------
    sq_mahalanobis : ndarray of shape (n_rows, n_components)
        ``(x - mean_k)^T cov_k^{-1} (x - mean_k)``.
    log_det : ndarray of shape (n_components,)
        ``log |cov_k|``.
    log_weight : ndarray of shape (n_components,)
    n_features : int
    """

    sq_mahalanobis: np.ndarray
    log_det: np.ndarray
    log_weight: np.ndarray
    n_features: int

    @property
    def log_constant(self):
        """``-d/2 log(2 pi)``, the same for every component."""
        return -0.5 * self.n_features * np.log(2 * np.pi)

    @property
    def log_joint(self):
        """``log weight_k + log N(x | k)``, shape (n_rows, n_components)."""
        return (self.log_constant - 0.5 * self.log_det - 0.5 * self.sq_mahalanobis
                + self.log_weight)

    @property
    def log_likelihood(self):
        """``log p(x)`` of every row, shape (n_rows,)."""
        return logsumexp(self.log_joint, axis=1)

    @property
    def resp(self):
        """Responsibilities, shape (n_rows, n_components); rows sum to 1."""
        joint = self.log_joint
        return np.exp(joint - logsumexp(joint, axis=1)[:, None])


def mixture_terms(X, weights, means, covariances, covariance_type):
    """Split every row's mixture log-density into its terms.

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_features)
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray
        Shape per ``covariance_type`` as ``GaussianMixture.covariances_``.
    covariance_type : str

    Returns
    -------
    MixtureTerms
    """
    n_components, n_features = means.shape
    prec_chol = gaussian.precision_cholesky(covariances, covariance_type)
    half_log_det_precision = gaussian.log_det_cholesky(prec_chol, covariance_type, n_features)
    return MixtureTerms(
        sq_mahalanobis=gaussian.mahalanobis_sq(X, means, prec_chol, covariance_type),
        log_det=np.broadcast_to(-2.0 * half_log_det_precision, (n_components,)).copy(),
        log_weight=np.log(weights),
        n_features=n_features,
    )


def _matched_terms(comparison: Comparison, X):
    """Terms of the fitted mixture for rows ``X``, components in matched order."""
    return mixture_terms(X, comparison.gmm_weights, comparison.gmm_means,
                         comparison.gmm_covariances, "full")


# ----------------------------------------------------------- step through
@dataclass(frozen=True)
class GMMStep:
    """The mixture at one EM iteration, components in matched order.

    Attributes
    ----------
    t : int
        0 is the initialisation; ``n_iter`` the fitted model.
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
    previous_means : ndarray of shape (n_components, n_features) or None
        The means at ``t - 1``.
    resp : ndarray of shape (n_rows, n_components)
        Responsibilities of the requested rows under these parameters.
    """

    t: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    previous_means: np.ndarray | None
    resp: np.ndarray


@dataclass(frozen=True)
class KMeansStep:
    """K-means at one Lloyd iteration.

    Attributes
    ----------
    t : int
    centers : ndarray of shape (n_clusters, n_features)
    previous_centers : ndarray of shape (n_clusters, n_features) or None
    labels : ndarray of shape (n_rows,)
        Nearest centre of each requested row.
    """

    t: int
    centers: np.ndarray
    previous_centers: np.ndarray | None
    labels: np.ndarray


def _matched_history(comparison: Comparison, t):
    params = comparison.gmm.history_[t]
    order = comparison.order
    return (params["weights"][order], params["means"][order],
            comparison.matched_covariances(params["covariances"]))


def gmm_step(comparison: Comparison, t, rows):
    """The mixture after ``t`` EM iterations and the responsibilities of ``rows``.

    Parameters
    ----------
    comparison : Comparison
        With a fitted GMM (its ``history_`` is kept by :func:`compare.compare`).
    t : int
        0 <= t <= ``gmm.n_iter_``.
    rows : ndarray of int
        The rows to colour.

    Returns
    -------
    GMMStep
    """
    weights, means, covariances = _matched_history(comparison, t)
    previous = _matched_history(comparison, t - 1)[1] if t > 0 else None
    terms = mixture_terms(comparison.X[rows], weights, means, covariances, "full")
    return GMMStep(t, weights, means, covariances, previous, terms.resp)


def kmeans_step(comparison: Comparison, t, rows):
    """The centroids after ``t`` Lloyd iterations and the nearest one of every row."""
    history = comparison.kmeans.history_
    labels, _ = nearest_centers(comparison.X[rows], history[t])
    return KMeansStep(t, history[t], history[t - 1] if t > 0 else None, labels)


def gmm_log_likelihood_path(comparison: Comparison):
    """Mean log-likelihood of the parameters at iterations 0..n_iter, shape (n_iter + 1,).

    ``lower_bounds_[t]`` is measured with the parameters of iteration t; the
    last entry is the fitted model's own score.
    """
    gmm = comparison.gmm
    return np.append(gmm.lower_bounds_, gmm.score(comparison.X))


def kmeans_inertia_path(comparison: Comparison):
    """Inertia of the centroids at iterations 0..n_iter, shape (n_iter + 1,)."""
    km = comparison.kmeans
    return np.append(km.inertias_, km.inertia_)


# ---------------------------------------------------------- point inspector
@dataclass(frozen=True)
class PointExplanation:
    """One row seen by both methods, clusters in matched order.

    Attributes
    ----------
    row : int
    sq_euclidean : ndarray of shape (n_clusters,)
        Squared distance to each K-means centroid.
    sq_euclidean_gmm : ndarray of shape (n_clusters,)
        Squared distance to each GMM mean.
    terms : MixtureTerms
        For this one row.
    """

    row: int
    sq_euclidean: np.ndarray
    sq_euclidean_gmm: np.ndarray
    terms: MixtureTerms

    @property
    def kmeans_pick(self):
        return int(np.argmin(self.sq_euclidean))

    @property
    def gmm_pick(self):
        return int(np.argmax(self.terms.log_joint[0]))

    @property
    def resp(self):
        return self.terms.resp[0]

    def table(self):
        """One dict per cluster: every term that goes into both decisions."""
        t = self.terms
        return [
            {
                "cluster": j + 1,
                "K-means: squared distance": self.sq_euclidean[j],
                "GMM: squared Mahalanobis": t.sq_mahalanobis[0, j],
                "−½ Mahalanobis": -0.5 * t.sq_mahalanobis[0, j],
                "−½ log|Σ|": -0.5 * t.log_det[j],
                "log weight": t.log_weight[j],
                "log weight + log density": t.log_joint[0, j],
                "responsibility": self.resp[j],
            }
            for j in range(len(self.sq_euclidean))
        ]

    def contributions(self, a, b):
        """How much each term favours cluster ``b`` over ``a`` (log-density units).

        Returns
        -------
        dict
            ``distance``, ``size`` and ``weight``; they sum to the difference
            of the two clusters' log weight + log density.
        """
        t = self.terms
        return {
            "distance": -0.5 * (t.sq_mahalanobis[0, b] - t.sq_mahalanobis[0, a]),
            "size": -0.5 * (t.log_det[b] - t.log_det[a]),
            "weight": t.log_weight[b] - t.log_weight[a],
        }


def explain_point(comparison: Comparison, row):
    """Both methods' view of one row.

    Parameters
    ----------
    comparison : Comparison
        With a fitted GMM.
    row : int

    Returns
    -------
    PointExplanation
    """
    x = comparison.X[row]
    return PointExplanation(
        row=int(row),
        sq_euclidean=((comparison.kmeans.cluster_centers_ - x) ** 2).sum(axis=1),
        sq_euclidean_gmm=((comparison.gmm_means - x) ** 2).sum(axis=1),
        terms=_matched_terms(comparison, x[None, :]),
    )


def default_point(comparison: Comparison):
    """The row to inspect first: the disagreement the GMM is surest about, else the
    row it is least sure about."""
    if comparison.resp is None:
        return 0
    confidence = comparison.resp.max(axis=1)
    disagree = np.flatnonzero(comparison.disagree)
    if disagree.size:
        return int(disagree[np.argmax(confidence[disagree])])
    return int(np.argmin(confidence))


def _num(value):
    return f"{value:.3g}"


def explain_in_words(e: PointExplanation):
    """Which cluster each method picks and which term made the GMM differ.

    Returns
    -------
    sentences : list of str
        Markdown, cluster numbers 1-based.
    """
    a, b = e.kmeans_pick, e.gmm_pick
    r = e.resp
    if a == b:
        second = int(np.argsort(e.terms.log_joint[0])[-2]) if len(r) > 1 else a
        return [
            f"Both methods pick **cluster {a + 1}**: its K-means centroid is the nearest "
            f"(squared distance {_num(e.sq_euclidean[a])}) and the GMM gives it "
            f"{r[a]:.1%} of the point.",
            "" if second == a else
            f"The GMM's runner-up is cluster {second + 1} with {r[second]:.1%}.",
        ]
    sentences = [
        f"**K-means picks cluster {a + 1}**: its centroid is the nearest (squared distance "
        f"{_num(e.sq_euclidean[a])}, against {_num(e.sq_euclidean[b])} to cluster {b + 1}).",
    ]
    parts = {name: value + 0.0 for name, value in e.contributions(a, b).items()}
    main = max(parts, key=parts.get)
    m = e.terms.sq_mahalanobis[0]
    if main == "distance":
        g = e.sq_euclidean_gmm
        why = (f"measured in each cluster's own spread (squared Mahalanobis distance) the "
               f"point is {_num(m[b])} from cluster {b + 1} against {_num(m[a])} from "
               f"cluster {a + 1}")
        if g[b] >= g[a]:
            why += (f", although in plain distance it is nearer cluster {a + 1}'s mean: "
                    f"cluster {b + 1} is wider in this direction, so the same distance "
                    "counts for less")
        else:
            why += (f"; the GMM has also put cluster {b + 1}'s mean nearer the point "
                    f"(squared distance {_num(g[b])} against {_num(g[a])})")
    elif main == "size":
        why = (f"cluster {b + 1} is more compact (log|Σ| {_num(e.terms.log_det[b])} against "
               f"{_num(e.terms.log_det[a])}), so its density is more concentrated here")
    else:
        w = np.exp(e.terms.log_weight)
        why = (f"cluster {b + 1} holds more of the data (weight {w[b]:.2f} against "
               f"{w[a]:.2f}), so the GMM expects points from it more often")
    sentences.append(f"**The GMM picks cluster {b + 1}** ({r[b]:.1%}, against {r[a]:.1%} "
                     f"for cluster {a + 1}): {why}.")
    sentences.append(
        f"In log-density units, cluster {b + 1} gains {parts['distance']:+.3g} from the "
        f"distance term, {parts['size']:+.3g} from the size term and {parts['weight']:+.3g} "
        f"from the weight over cluster {a + 1}."
    )
    return sentences


# ------------------------------------------------------------------ restarts
def has_restarts(comparison: Comparison):
    """True when both models keep every initialisation (a loaded model file does not)."""
    return hasattr(comparison.kmeans, "restarts_") and (
        comparison.gmm is None or hasattr(comparison.gmm, "restarts_"))


def recorded_steps(model):
    """The last iteration whose parameters ``model.history_`` kept (0 is the start).

    Usually ``n_iter_``; fewer when the memory budget capped the history.
    """
    return min(len(model.history_) - 1, model.n_iter_)


def has_history(comparison: Comparison):
    """True when both models kept their parameters at every iteration."""
    return hasattr(comparison.kmeans, "history_") and (
        comparison.gmm is None or hasattr(comparison.gmm, "history_"))


def gmm_restarts(comparison: Comparison):
    """Every GMM initialisation next to the best one.

    Returns
    -------
    rows : list of dict
        ``restart`` (1-based), ``log_likelihood`` (final mean), ``n_iter``,
        ``converged``, ``ari_vs_best`` (on at most AGREEMENT_ROWS rows), ``best``, ``curve``
        (mean log-likelihood per iteration).
    """
    gmm = comparison.gmm
    X = _agreement_rows(comparison)
    best_labels = gmm.predict(X)
    best = int(np.argmax([r["lower_bound"] for r in gmm.restarts_]))
    rows = []
    for i, run in enumerate(gmm.restarts_):
        model = gmmcore.GaussianMixture.from_parameters(
            run["weights"], run["means"], run["covariances"], gmm.covariance_type)
        rows.append({
            "restart": i + 1,
            "log_likelihood": float(run["lower_bound"]),
            "n_iter": run["n_iter"],
            "converged": run["converged"],
            "ari_vs_best": float(adjusted_rand_score(best_labels, model.predict(X))),
            "best": i == best,
            "curve": np.asarray(run["lower_bounds"]),
        })
    return rows


def kmeans_restarts(comparison: Comparison):
    """Every K-means run next to the best one.

    Returns
    -------
    rows : list of dict
        ``restart``, ``inertia``, ``n_iter``, ``converged``, ``ari_vs_best``,
        ``best`` and ``curve`` (inertia per iteration).
    """
    km = comparison.kmeans
    X = _agreement_rows(comparison)
    best_labels = km.predict(X)
    best = int(np.argmin([r["inertia"] for r in km.restarts_]))
    rows = []
    for i, run in enumerate(km.restarts_):
        labels, _ = nearest_centers(X, run["centers"])
        rows.append({
            "restart": i + 1,
            "inertia": float(run["inertia"]),
            "n_iter": run["n_iter"],
            "converged": run["converged"],
            "ari_vs_best": float(adjusted_rand_score(best_labels, labels)),
            "best": i == best,
            "curve": np.asarray(run["inertias"]),
        })
    return rows


AGREEMENT_ROWS = 20_000  # restarts are compared on at most this many rows


def _agreement_rows(comparison: Comparison):
    """The rows on which restarts are compared with the best: all, or a fixed sample."""
    X = comparison.X
    if len(X) <= AGREEMENT_ROWS:
        return X
    return X[np.random.RandomState(0).choice(len(X), AGREEMENT_ROWS, replace=False)]


def restart_table(runs, value_key):
    """Rows for a table, one per restart, without the curves.

    Parameters
    ----------
    runs : list of dict
        As :func:`gmm_restarts` or :func:`kmeans_restarts` return.
    value_key : str
        ``'log_likelihood'`` or ``'inertia'``.
    """
    best = next(r[value_key] for r in runs if r["best"])
    return [
        {"restart": r["restart"], value_key.replace("_", " "): r[value_key],
         "gap to best": abs(r[value_key] - best), "iterations": r["n_iter"],
         "converged": r["converged"], "ARI vs best": r["ari_vs_best"],
         "best": "★" if r["best"] else ""}
        for r in runs
    ]


# ------------------------------------------------------------------ M-step
def m_step(X, resp, covariance_type, reg_covar):
    """One M-step written as the textbook formulas read.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    covariance_type : str
    reg_covar : float

    Returns
    -------
    dict
        ``nk`` (n_components,), ``weights`` (n_components,), ``means``
        (n_components, n_features) and ``covariances`` (shape per type).
    """
    n_samples, n_features = X.shape
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    scatter = np.stack([
        (resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / nk[k]
        for k in range(len(nk))
    ])
    eye = np.eye(n_features)
    covariances = {
        "full": lambda: scatter + reg_covar * eye,
        "tied": lambda: (nk[:, None, None] * scatter).sum(axis=0) / nk.sum() + reg_covar * eye,
        "diag": lambda: np.diagonal(scatter, axis1=1, axis2=2) + reg_covar,
        "spherical": lambda: np.diagonal(scatter, axis1=1, axis2=2).mean(axis=1) + reg_covar,
    }[covariance_type]()
    return {"nk": nk, "weights": nk / n_samples, "means": means, "covariances": covariances}


def next_m_step(comparison: Comparison):
    """The M-step one more EM iteration would take from the fitted model.

    Returns
    -------
    dict
        As :func:`m_step`, components in matched order, plus
        ``full_covariances`` of shape (n_components, n_features, n_features).
    """
    gmm = comparison.gmm
    update = m_step(comparison.X, comparison.resp, gmm.covariance_type, gmm.reg_covar)
    update["full_covariances"] = gaussian.full_covariances(
        update["covariances"], gmm.covariance_type, gmm.n_components, comparison.X.shape[1])
    return update


# -------------------------------------------------------------- distance rings
def _band(value, noun):
    """Where a distance falls among the rings at 1, 2 and 3, in words."""
    if value <= 1:
        return f"inside the 1 {noun}"
    if value <= 3:
        low = int(np.floor(value)) if value < 3 else 2
        return f"between the {low} and {low + 1} {noun}s"
    return f"beyond the 3 {noun}"


def rings_in_words(row, cluster, euclidean, mahalanobis, unit="spread", picks=None,
                   other=None):
    """Where one row lies among cluster ``cluster``'s circles and ellipses, in words.

    Parameters
    ----------
    row, cluster : int
        ``cluster`` 0-based.
    euclidean : float
        Distance to the K-means centroid, in ring units (K-means' spread ``s``, or the
        data's units when ``unit == "data"``).
    mahalanobis : float
        Mahalanobis distance to the GMM mean.
    unit : {'spread', 'data'}
    picks : (int, int), optional
        The clusters K-means and the GMM put the row in (0-based).
    other : (int, float, float), optional
        Another cluster (0-based) with the row's distances to it, in the same units:
        the other method's pick, when the two disagree.

    Returns
    -------
    sentences : list of str
        Markdown.
    """
    j = cluster + 1
    suffix = " s" if unit == "spread" else ""
    sentences = [
        f"Row {row} is **{euclidean:.2f}{suffix}** from centroid {j} "
        f"({_band(euclidean, 'circle')}) and at Mahalanobis distance **{mahalanobis:.2f}** "
        f"from mean {j} ({_band(mahalanobis, 'ellipse')})."]
    if unit == "spread":
        if euclidean > 1.25 * mahalanobis:
            sentences.append(
                f"Cluster {j} is wider than K-means' round clusters in the row's direction: "
                "the point is *far* for K-means and *near* for the GMM.")
        elif mahalanobis > 1.25 * euclidean:
            sentences.append(
                f"Cluster {j} is narrower than K-means' round clusters in the row's direction: "
                "the point is *near* for K-means and *far* for the GMM.")
        else:
            sentences.append("Both measures put it at about the same distance.")
    if picks is not None:
        a, b = picks
        sentences.append(f"K-means puts it in cluster {a + 1}, the GMM in cluster {b + 1}."
                         if a != b else f"Both methods put it in cluster {a + 1}.")
    if other is not None:
        k, e_other, m_other = other
        sentences.append(f"For comparison, cluster {k + 1}: {e_other:.2f}{suffix} from its "
                         f"centroid, Mahalanobis distance {m_other:.2f} from its mean.")
    return sentences


# ---------------------------------------------------------------- precisions
@dataclass(frozen=True)
class PrecisionTerms:
    """One component in precision form, and one row's distance computed through it.

    Attributes
    ----------
    covariance : ndarray of shape (n_features, n_features)
        Σ.
    precision : ndarray of shape (n_features, n_features)
        Λ = Σ⁻¹, from the stored factor: ``factor @ factor.T``.
    factor : ndarray of shape (n_features, n_features)
        The triangular factor gmmcore stores (``precisions_cholesky_``), Λ = L Lᵀ.
    half_log_det : float
        ½ log|Λ| = Σ log L_ii.
    residual : ndarray of shape (n_features,)
        x − μ.
    whitened : ndarray of shape (n_features,)
        Lᵀ (x − μ); its squared length is the squared Mahalanobis distance.
    """

    covariance: np.ndarray
    precision: np.ndarray
    factor: np.ndarray
    half_log_det: float
    residual: np.ndarray
    whitened: np.ndarray

    @property
    def beta(self):
        """β = 1/σ² of the first feature on its own (its marginal variance σ² = Σ₁₁)."""
        return 1.0 / self.covariance[0, 0]

    @property
    def sq_mahalanobis(self):
        """(x − μ)ᵀ Λ (x − μ) = ‖Lᵀ(x − μ)‖²."""
        return float(self.whitened @ self.whitened)


def stored_factor(gmm, k, n_features):
    """Component ``k``'s precision factor as gmmcore stores it, as a full matrix
    (diagonal for diag and spherical), shape (n_features, n_features)."""
    factor = gmm.precisions_cholesky_
    return {
        "full": lambda: factor[k],
        "tied": lambda: factor,
        "diag": lambda: np.diag(factor[k]),
        "spherical": lambda: factor[k] * np.eye(n_features),
    }[gmm.covariance_type]()


def precision_terms(comparison: Comparison, cluster, row):
    """Cluster ``cluster`` (matched numbering) in precision form, with row ``row``.

    Returns
    -------
    PrecisionTerms
    """
    X = comparison.X
    k = comparison.order[cluster]
    factor = np.array(stored_factor(comparison.gmm, k, X.shape[1]), dtype=float)
    residual = X[row] - comparison.gmm_means[cluster]
    return PrecisionTerms(
        covariance=comparison.gmm_covariances[cluster],
        precision=factor @ factor.T,
        factor=factor,
        half_log_det=float(np.log(np.abs(np.diag(factor))).sum()),
        residual=residual,
        whitened=factor.T @ residual,
    )


def precision_costs(n_samples, n_features, n_components, n_iter):
    """Arithmetic of the E-step's distances over a whole fit, two ways.

    *Stored precision factor*: one Cholesky factorisation per component per
    iteration (about d³/3 multiply-adds), then Lᵀ(x − μ) per point (a triangular
    matrix-vector product, about d²/2). *A solve per point*: Σ y = x − μ solved
    afresh for every point (a factorisation, d³/3, and two triangular solves, d²).

    Returns
    -------
    dict
        ``factorisations`` (count), ``stored`` and ``per_point`` (multiply-adds),
        ``ratio`` (per_point / stored).
    """
    d = float(n_features)
    runs = float(n_components) * max(int(n_iter), 1)
    stored = runs * (d**3 / 3 + n_samples * d * d / 2)
    per_point = runs * n_samples * (d**3 / 3 + d * d)
    return {"factorisations": int(runs), "stored": stored, "per_point": per_point,
            "ratio": per_point / stored}


def in_words(count):
    """A large count for a sentence: ``3,400``, ``1.2 million``, ``45 billion``."""
    for size, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if count >= size:
            return f"{count / size:,.{1 if count < 10 * size else 0}f} {name}"
    return f"{count:,.0f}"
