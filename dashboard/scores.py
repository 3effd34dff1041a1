"""Clustering scores and label matching: scikit-learn's and SciPy's, imported on first use.

Importing scikit-learn (and the parts of SciPy it pulls in) takes about a second, most
of a fresh server's first page: these wrappers defer it to the first score a page
shows, which Compare computes after its charts are drawn.
"""

import numpy as np


def adjusted_rand_score(labels_true, labels_pred):
    """``sklearn.metrics.adjusted_rand_score`` as a float."""
    from sklearn.metrics import adjusted_rand_score as ari

    return float(ari(labels_true, labels_pred))


def normalized_mutual_info_score(labels_true, labels_pred):
    """``sklearn.metrics.normalized_mutual_info_score`` (arithmetic mean) as a float."""
    from sklearn.metrics import normalized_mutual_info_score as nmi

    return float(nmi(labels_true, labels_pred))


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
    from sklearn.metrics import silhouette_score

    return [float(silhouette_score(X, labels, sample_size=sample_size,
                                   random_state=random_state)) for labels in label_sets]


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
