"""Which points don't belong? K-means' distance against the mixture's density, row by row.

K-means flags the rows farthest from every centroid (Euclidean distance, one
cut for every cluster); the Gaussian mixture flags the rows of lowest
log-density, which weighs distance by each cluster's own spread, shape and
weight. Both flag the same share of rows, so their choices can be compared
one for one, and against the true outliers when the data has them (the
generator labels its background rows :data:`dashboard.generate.OUTLIER_LABEL`).
Plain functions over a :class:`dashboard.compare.Comparison`; no Streamlit.
"""

from dataclasses import dataclass

import numpy as np

from gmmcore import center_distances, flag_share, outlier_scores

from .compare import Comparison
from .explain import mixture_terms
from .generate import OUTLIER_LABEL

WIDE = 1.5  # a cluster this many times the median cluster's spread is wide (1 / WIDE: tight)
ELONGATED = 2.0  # longest over shortest axis from which a cluster is called elongated
METHODS = {"kmeans": "K-means", "gmm": "GMM"}


@dataclass(frozen=True)
class Scores:
    """Both methods' view of every row of a comparison.

    Attributes
    ----------
    distance : ndarray of shape (n_samples,)
        Euclidean distance to the nearest K-means centroid (in the fitted
        units: standardised when the settings say so).
    nearest : ndarray of shape (n_samples,)
        That centroid's cluster (0-based), K-means' label.
    log_density : ndarray of shape (n_samples,)
        ``log p(x)`` under the mixture (``GaussianMixture.score_samples``).
    gmm_cluster : ndarray of shape (n_samples,)
        The mixture's most probable cluster, numbered to match K-means'.
    """

    distance: np.ndarray
    nearest: np.ndarray
    log_density: np.ndarray
    gmm_cluster: np.ndarray


def scores(comparison: Comparison):
    """Every row's distance to its nearest centroid and its log-density.

    Parameters
    ----------
    comparison : Comparison
        With both models (``comparison.gmm`` not None).

    Returns
    -------
    Scores
    """
    distance, nearest = center_distances(comparison.kmeans, comparison.X)
    log_density = -outlier_scores(comparison.gmm, comparison.X)
    return Scores(distance, nearest, log_density, comparison.gmm_labels)


@dataclass(frozen=True)
class Flags:
    """The rows each method flags at one share.

    Attributes
    ----------
    share : float
        Fraction of the rows each method flags.
    kmeans, gmm : ndarray of shape (n_samples,), dtype bool
    kmeans_cut : float
        K-means flags every row at least this far from its nearest centroid.
    gmm_cut : float
        The GMM flags every row whose log-density is at most this.
    """

    share: float
    kmeans: np.ndarray
    gmm: np.ndarray
    kmeans_cut: float
    gmm_cut: float

    @property
    def both(self):
        return self.kmeans & self.gmm

    @property
    def only_kmeans(self):
        return self.kmeans & ~self.gmm

    @property
    def only_gmm(self):
        return self.gmm & ~self.kmeans

    @property
    def one_only(self):
        """Rows exactly one method flags (ringed in the charts), shape (n_samples,)."""
        return self.kmeans ^ self.gmm

    @property
    def either(self):
        return self.kmeans | self.gmm

    def counts(self):
        """How many rows each method flags, both, and each alone."""
        return {"kmeans": int(self.kmeans.sum()), "gmm": int(self.gmm.sum()),
                "both": int(self.both.sum()), "only_kmeans": int(self.only_kmeans.sum()),
                "only_gmm": int(self.only_gmm.sum())}


def flag(s: Scores, share):
    """The ``share`` of rows farthest from every centroid, and the ``share`` least
    probable under the mixture (:func:`gmmcore.flag_share`: ``ceil(share * n)`` each).

    Returns
    -------
    Flags
    """
    kmeans, kmeans_cut = flag_share(s.distance, share)
    gmm, gmm_cut = flag_share(-s.log_density, share)
    return Flags(float(share), kmeans, gmm, kmeans_cut, -gmm_cut)


def true_outliers(labels):
    """The rows whose true label is :data:`OUTLIER_LABEL`, or None when there are none.

    Parameters
    ----------
    labels : ndarray of shape (n_samples,) or None
    """
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.dtype.kind not in "UO":  # numeric labels name no outliers
        return None
    truth = labels == OUTLIER_LABEL
    return truth if truth.any() else None


def precision_recall(flags: Flags, truth):
    """How well each method's flags find the true outliers.

    Parameters
    ----------
    flags : Flags
    truth : ndarray of shape (n_samples,), dtype bool

    Returns
    -------
    rows : list of dict
        Per method: ``method``, ``flagged``, ``true outliers flagged``,
        ``precision`` (share of its flags that are true outliers; NaN when it
        flags nothing) and ``recall`` (share of the true outliers it flags).
    """
    rows = []
    for key, name in METHODS.items():
        mask = getattr(flags, key)
        hits = int((mask & truth).sum())
        rows.append({"method": name, "flagged": int(mask.sum()), "true outliers flagged": hits,
                     "precision": hits / mask.sum() if mask.any() else float("nan"),
                     "recall": hits / truth.sum()})
    return rows


def _ranks(values):
    """Rank of every value from the highest (0) to the lowest (1), shape (n_samples,)."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values)) / max(len(values) - 1, 1)
    return ranks


def default_row(s: Scores, flags: Flags):
    """The row the page explains first: among the rows only one method flags, the one
    the two methods rank most differently; else the least probable row."""
    one_only = flags.one_only
    if not one_only.any():
        return int(np.argmin(s.log_density))
    gap = np.abs(_ranks(s.distance) - _ranks(-s.log_density))
    return int(np.flatnonzero(one_only)[np.argmax(gap[one_only])])


def flagged_by(flags: Flags):
    """Which method flags every row, in words ('' for neither), shape (n_samples,)."""
    words = np.full(len(flags.kmeans), "", dtype=object)
    words[flags.only_kmeans] = "K-means only"
    words[flags.only_gmm] = "GMM only"
    words[flags.both] = "both"
    return words


def table(comparison: Comparison, s: Scores, flags: Flags, columns, features=None,
          labels=None, max_rows=None):
    """The rows either method flags, least probable first, with both scores.

    Parameters
    ----------
    comparison : Comparison
    s : Scores
    flags : Flags
    columns : sequence of str
        Feature names.
    features : ndarray of shape (n_loaded, n_features), optional
        The rows as loaded (before standardising); default ``comparison.X``.
    labels : ndarray of shape (n_loaded,), optional
        True labels of the rows as loaded.
    max_rows : int, optional
        Only the first (least probable) rows.

    Returns
    -------
    pandas.DataFrame
        ``row`` (as the other pages number rows), ``source_row`` when the app
        works on a sample, ``flagged by``, ``K-means distance``, ``K-means
        cluster``, ``GMM log-density``, ``GMM cluster`` (clusters from 1),
        ``true label`` when known, then every feature in the data's units.
    """
    rows = np.flatnonzero(flags.either)
    rows = rows[np.argsort(s.log_density[rows], kind="stable")][:max_rows]
    import pandas as pd  # only where a table is built: not on a fresh server's first page

    frame = pd.DataFrame({"row": rows})
    loaded = rows if comparison.rows is None else comparison.rows[rows]
    if comparison.rows is not None:
        frame["source_row"] = loaded
    frame["flagged by"] = flagged_by(flags)[rows]
    frame["K-means distance"] = s.distance[rows]
    frame["K-means cluster"] = s.nearest[rows] + 1
    frame["GMM log-density"] = s.log_density[rows]
    frame["GMM cluster"] = s.gmm_cluster[rows] + 1
    if labels is not None:
        frame["true label"] = np.asarray(labels)[loaded]
    values = comparison.X[rows] if features is None else np.asarray(features)[loaded]
    for i, name in enumerate(columns):
        frame[f"{name} (feature)" if name in frame.columns else name] = values[:, i]
    return frame


# ------------------------------------------------------------------ in words
@dataclass(frozen=True)
class RowView:
    """What decides whether each method flags one row.

    Attributes
    ----------
    row : int
    distance : float
        To the nearest centroid.
    nearest : int
        That centroid's cluster (0-based).
    typical_distance : float
        Root mean square distance of that K-means cluster's rows to its centroid.
    farther_share : float
        Share of the rows farther from their nearest centroid.
    log_density : float
    gmm_cluster : int
        The mixture's most probable cluster for the row (matched, 0-based).
    mahalanobis : float
        The row's distance to that cluster's mean in the cluster's own standard
        deviations (square root of the squared Mahalanobis distance).
    euclidean_to_mean : float
        The plain distance to that mean.
    spread : float
        That cluster's geometric-mean standard deviation ``|cov|^(1 / 2d)``.
    median_spread : float
        The median of every cluster's spread.
    elongation : float
        That cluster's longest over shortest standard deviation.
    """

    row: int
    distance: float
    nearest: int
    typical_distance: float
    farther_share: float
    log_density: float
    gmm_cluster: int
    mahalanobis: float
    euclidean_to_mean: float
    spread: float
    median_spread: float
    elongation: float


def row_view(comparison: Comparison, s: Scores, row):
    """The numbers :func:`explain_row` puts in words, for one row."""
    row = int(row)
    j, c = int(s.nearest[row]), int(s.gmm_cluster[row])
    x = comparison.X[row:row + 1]
    covariances = comparison.gmm_covariances
    terms = mixture_terms(x, comparison.gmm_weights, comparison.gmm_means, covariances, "full")
    spreads = np.exp(terms.log_det / (2 * x.shape[1]))
    values = np.linalg.eigvalsh(covariances[c])
    in_cluster = s.distance[s.nearest == j]
    return RowView(
        row=row, distance=float(s.distance[row]), nearest=j,
        typical_distance=float(np.sqrt(np.mean(in_cluster**2))),
        farther_share=float(np.mean(s.distance > s.distance[row])),
        log_density=float(s.log_density[row]), gmm_cluster=c,
        mahalanobis=float(np.sqrt(max(terms.sq_mahalanobis[0, c], 0.0))),
        euclidean_to_mean=float(np.linalg.norm(x[0] - comparison.gmm_means[c])),
        spread=float(spreads[c]), median_spread=float(np.median(spreads)),
        elongation=float(np.sqrt(values[-1] / max(values[0], 1e-300))))


def _spread_words(v: RowView):
    ratio = v.spread / v.median_spread
    size = "wide" if ratio >= WIDE else "tight" if ratio <= 1 / WIDE else "of typical size"
    words = (f"cluster {v.gmm_cluster + 1} is {size} (its spread, {v.spread:.3g}, is "
             f"{ratio:.2g} times the median cluster's)")
    if v.elongation >= ELONGATED:
        words += f" and elongated ({v.elongation:.2g} times longer than wide)"
    return words


def explain_row(comparison: Comparison, s: Scores, flags: Flags, row):
    """Why each method flags ``row`` or not: its distance, its density, its cluster's
    spread, in sentences (Markdown, numbers only: no user text).

    Returns
    -------
    list of str
        K-means' reason, the GMM's reason, and what the difference means.
    """
    v = row_view(comparison, s, row)
    units = " (in standardised units)" if comparison.settings.standardize else ""
    pct = f"{100 * flags.share:.3g} %"
    if flags.kmeans[v.row]:
        kmeans = (f"**K-means flags it.** It lies {v.distance:.3g}{units} from the nearest "
                  f"centroid (cluster {v.nearest + 1}), at or beyond the cut of "
                  f"{flags.kmeans_cut:.3g} that marks the {pct} of rows farthest from every "
                  f"centroid; only {100 * v.farther_share:.2g} % lie farther. K-means uses "
                  "that one cut for every cluster: the rows of cluster "
                  f"{v.nearest + 1} lie {v.typical_distance:.3g} from its centroid on average "
                  "(root mean square).")
    else:
        kmeans = (f"**K-means does not flag it.** It lies {v.distance:.3g}{units} from the "
                  f"nearest centroid (cluster {v.nearest + 1}), inside the cut of "
                  f"{flags.kmeans_cut:.3g} that K-means applies to every cluster alike (the "
                  f"rows of cluster {v.nearest + 1} lie {v.typical_distance:.3g} from it on "
                  "average).")
    where = (f"it lies {v.mahalanobis:.2g} of cluster {v.gmm_cluster + 1}'s standard deviations "
             f"from its mean (Mahalanobis distance; {v.euclidean_to_mean:.3g} in plain "
             "distance)")
    if flags.gmm[v.row]:
        gmm = (f"**The GMM flags it.** Its log-density, {v.log_density:.4g}, is at or below "
               f"the cut of {flags.gmm_cut:.4g} that marks the {pct} least probable rows: "
               f"{where}, and {_spread_words(v)}.")
    else:
        gmm = (f"**The GMM does not flag it.** Its log-density, {v.log_density:.4g}, is above "
               f"the cut of {flags.gmm_cut:.4g}: {where}, and {_spread_words(v)}.")
    return [kmeans, gmm, _contrast(v, flags)]


def _contrast(v: RowView, flags: Flags):
    c = v.gmm_cluster + 1
    if flags.only_kmeans[v.row]:
        return (f"So it is far from every centroid, yet cluster {c}'s own spread explains it: "
                "the mixture measures distance in each cluster's standard deviations, so a "
                "wide or long cluster makes distant points probable.")
    if flags.only_gmm[v.row]:
        m = f"{v.mahalanobis:.2g}"
        if v.spread <= v.median_spread / WIDE:
            reason = f"cluster {c} is tight, so {m} of its standard deviations is a long way"
        elif v.elongation >= ELONGATED:
            reason = (f"cluster {c} is narrow across its long axis, and the point lies {m} of "
                      "its standard deviations out")
        else:
            reason = f"measured in cluster {c}'s own standard deviations the point lies {m} out"
        return (f"So it is close enough to a centroid in plain distance, yet improbable: "
                f"{reason}. K-means, with one cut for every cluster, does not see it.")
    if flags.both[v.row]:
        return "Both methods agree that it does not belong."
    return "Both methods find it typical at this share."
