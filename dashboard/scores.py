"""Clustering scores and label matching: scikit-learn's and SciPy's, imported on first use.

Thin wrappers, so that a module which only might score (a chart, a page that needs
no score) does not import scikit-learn (about a second) for it.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np


def adjusted_rand_score(labels_true, labels_pred):
    """``sklearn.metrics.adjusted_rand_score`` as a float."""
    from sklearn.metrics import adjusted_rand_score as ari

    return float(ari(labels_true, labels_pred))


def normalized_mutual_info_score(labels_true, labels_pred):
    """``sklearn.metrics.normalized_mutual_info_score`` (arithmetic mean) as a float."""
    from sklearn.metrics import normalized_mutual_info_score as nmi

    return float(nmi(labels_true, labels_pred))


def ari_and_nmi(labels_a, labels_b):
    """:func:`adjusted_rand_score` and :func:`normalized_mutual_info_score` of the same
    two labellings, side by side on two threads: most of each is sorting the labels,
    which releases the GIL (0.20 s -> 0.12 s at a million rows).

    Returns
    -------
    ari, nmi : float
    """
    with ThreadPoolExecutor(max_workers=1) as other:
        ari = other.submit(adjusted_rand_score, labels_a, labels_b)
        nmi = normalized_mutual_info_score(labels_a, labels_b)
        return ari.result(), nmi


def n_distinct(labels):
    """How many different labels there are."""
    return len(np.unique(labels))


def silhouette_scores(X, label_sets, sample_size=None, random_state=0):
    """``sklearn.metrics.silhouette_score`` of several labellings of the same rows, each
    on the same random sample of ``sample_size`` rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    label_sets : sequence of array-like of shape (n_samples,)

    Returns
    -------
    list of float
    """
    from sklearn.metrics import pairwise_distances, silhouette_score
    from sklearn.utils import check_random_state

    # The sample scikit-learn's ``sample_size`` draws, and its distances computed once
    # for every labelling rather than once each (as large as the one block
    # scikit-learn's own chunked computation holds for a sample this size).
    rows = slice(None) if sample_size is None else \
        check_random_state(random_state).permutation(len(X))[:sample_size]
    distances = pairwise_distances(X[rows])
    return [float(silhouette_score(distances, np.asarray(labels)[rows], metric="precomputed"))
            for labels in label_sets]


def best_assignment(weights):
    """Rows matched to distinct columns so that the matched weights sum to the most
    (``scipy.optimize.linear_sum_assignment``).

    Parameters
    ----------
    weights : ndarray of shape (n, n)

    Returns
    -------
    columns : ndarray of shape (n,)
        Row i is matched to column ``columns[i]``.
    """
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(np.asarray(weights), maximize=True)
    columns = np.empty(len(rows), dtype=int)
    columns[rows] = cols
    return columns


def principal_components(X, n_components=2):
    """The first principal axes of ``X`` (``sklearn.decomposition.PCA``).

    Returns
    -------
    components : ndarray of shape (n_components, n_features)
    mean : ndarray of shape (n_features,)
    explained_variance_ratio : ndarray of shape (n_components,)
    """
    from sklearn.decomposition import PCA

    pca = PCA(n_components=n_components, random_state=0).fit(X)
    return pca.components_, pca.mean_, pca.explained_variance_ratio_
