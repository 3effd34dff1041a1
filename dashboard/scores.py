"""Clustering scores and label matching in NumPy: what the pages show, without scikit-learn.

Importing scikit-learn (and the parts of SciPy it pulls in) costs about a
second, most of a fresh server's first page. These give the same numbers as
``sklearn.metrics.adjusted_rand_score``, ``normalized_mutual_info_score``
(arithmetic normalisation) and ``silhouette_score`` (the same random sample),
and the optimum of ``scipy.optimize.linear_sum_assignment``; the tests check
each against them.
"""

import math

import numpy as np


def _codes(labels):
    """Labels as integer codes 0..n_classes-1 (in sorted order of the labels), and the
    number of classes."""
    labels = np.asarray(labels).ravel()
    if labels.dtype.kind in "iu" and len(labels) and labels.min() >= 0 \
            and labels.max() < 4 * len(labels) + 64:
        # Cluster numbers: counted, not sorted (a million labels in milliseconds).
        present = np.bincount(labels) > 0
        code = np.cumsum(present) - 1
        return code[labels], int(present.sum())
    uniques, codes = np.unique(labels, return_inverse=True)
    return codes.ravel(), len(uniques)


def contingency(labels_true, labels_pred):
    """Counts of rows per (true class, predicted cluster), shape (n_classes, n_clusters)."""
    true, n_true = _codes(labels_true)
    pred, n_pred = _codes(labels_pred)
    if len(true) != len(pred):
        raise ValueError(f"labels of different lengths: {len(true)} and {len(pred)}.")
    return np.bincount(true * n_pred + pred, minlength=n_true * n_pred).reshape(n_true, n_pred)


def adjusted_rand_score(labels_true, labels_pred):
    """Adjusted Rand index: 1 for identical partitions, about 0 for unrelated ones.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)

    Returns
    -------
    float
    """
    table = contingency(labels_true, labels_pred).astype(np.int64)
    n = int(table.sum())
    sum_squares = int((table**2).sum())
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    # Ordered pairs of rows: together in both (tp), in the prediction only (fp), in the
    # truth only (fn), in neither (tn), as sklearn.metrics.pair_confusion_matrix counts them.
    tp = sum_squares - n
    fp = int((table @ cols).sum()) - sum_squares
    fn = int((table.T @ rows).sum()) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(counts):
    counts = counts[counts > 0].astype(np.float64)
    if counts.size <= 1:
        return 0.0
    total = counts.sum()
    return float(-np.sum((counts / total) * (np.log(counts) - math.log(total))))


def normalized_mutual_info_score(labels_true, labels_pred):
    """Mutual information over the mean of the two entropies (scikit-learn's default).

    Returns
    -------
    float
        1 for identical partitions, 0 for independent ones.
    """
    table = contingency(labels_true, labels_pred)
    n_true, n_pred = table.shape
    if n_true == n_pred == 1 or n_true == n_pred == 0:
        return 1.0
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    if len(rows) == 1 or len(cols) == 1:
        return 0.0
    i, j = np.nonzero(table)
    values = table[i, j].astype(np.float64)
    total = values.sum()
    share = values / total
    outer = rows[i].astype(np.int64) * cols[j].astype(np.int64)
    log_outer = -np.log(outer) + math.log(rows.sum()) + math.log(cols.sum())
    mi = share * (np.log(values) - math.log(total)) + share * log_outer
    mi = float(np.clip(np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi).sum(), 0, None))
    if mi == 0:
        return 0.0
    return mi / ((_entropy(rows) + _entropy(cols)) / 2)


def n_distinct(labels):
    """How many different labels there are."""
    return _codes(labels)[1]


def silhouette_score(X, labels, sample_size=None, random_state=0, block_rows=512):
    """Mean silhouette of the rows (Euclidean), on a random sample of ``sample_size``
    rows drawn as scikit-learn draws it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    sample_size : int, optional
    random_state : int
    block_rows : int
        Rows of the distance matrix held at once.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        With fewer than 2 or more than n_samples - 1 distinct labels.
    """
    return silhouette_scores(X, [labels], sample_size, random_state, block_rows)[0]


def silhouette_scores(X, label_sets, sample_size=None, random_state=0, block_rows=512):
    """:func:`silhouette_score` of several labellings of the same rows, on the same
    sample, each distance computed once.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    label_sets : sequence of array-like of shape (n_samples,)

    Returns
    -------
    list of float
    """
    X = np.asarray(X, dtype=np.float64)
    label_sets = [np.asarray(labels) for labels in label_sets]
    if sample_size is not None:
        rows = np.random.RandomState(random_state).permutation(len(X))[:sample_size]
        X, label_sets = X[rows], [labels[rows] for labels in label_sets]
    clusterings = []
    for labels in label_sets:
        codes, n_labels = _codes(labels)
        if not 2 <= n_labels <= len(X) - 1:
            raise ValueError(f"Number of labels is {n_labels}. Valid values are 2 to "
                             f"n_samples - 1 (inclusive)")
        members = np.zeros((len(X), n_labels))
        members[np.arange(len(X)), codes] = 1.0
        clusterings.append((codes, np.bincount(codes, minlength=n_labels), members,
                            np.empty(len(X)), np.empty(len(X))))
    sq_norms = np.einsum("ij,ij->i", X, X)
    for start in range(0, len(X), block_rows):
        stop = min(start + block_rows, len(X))
        block = np.arange(stop - start)
        # |x|^2 - 2 x.y + |y|^2, as scikit-learn's euclidean_distances computes it.
        d2 = sq_norms[start:stop, None] - 2 * X[start:stop] @ X.T + sq_norms[None, :]
        np.maximum(d2, 0, out=d2)
        d2[block, np.arange(start, stop)] = 0
        dist = np.sqrt(d2)
        for codes, freqs, members, intra, inter in clusterings:
            per_cluster = dist @ members  # summed distance to each cluster's rows
            own = codes[start:stop]
            intra[start:stop] = per_cluster[block, own]
            per_cluster[block, own] = np.inf
            inter[start:stop] = (per_cluster / freqs).min(axis=1)
    means = []
    for codes, freqs, _, intra, inter in clusterings:
        with np.errstate(divide="ignore", invalid="ignore"):
            intra /= (freqs - 1)[codes]
            values = (inter - intra) / np.maximum(intra, inter)
        means.append(float(np.mean(np.nan_to_num(values))))
    return means


def best_assignment(weights):
    """Rows matched to distinct columns so that the matched weights sum to the most.

    The Hungarian method with potentials (O(n^3)); for the K <= 12 clusters the
    app matches, microseconds.

    Parameters
    ----------
    weights : ndarray of shape (n, n)

    Returns
    -------
    columns : ndarray of shape (n,)
        Row i is matched to column ``columns[i]``.
    """
    cost = -np.asarray(weights, dtype=np.float64)
    n = cost.shape[0]
    if cost.shape != (n, n):
        raise ValueError(f"weights must be square, got shape {cost.shape}.")
    u, v = np.zeros(n + 1), np.zeros(n + 1)
    match = np.zeros(n + 1, dtype=int)  # match[j]: row (1-based) holding column j
    way = np.zeros(n + 1, dtype=int)
    for i in range(1, n + 1):
        match[0], j0 = i, 0
        slack = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while match[j0] != 0:
            used[j0] = True
            i0 = match[j0]
            free = ~used[1:]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (reduced < slack[1:])
            slack[1:][better] = reduced[better]
            way[1:][better] = j0
            candidates = np.where(free, slack[1:], np.inf)
            j1 = int(candidates.argmin()) + 1
            delta = candidates[j1 - 1]
            u[match[used]] += delta
            v[used] -= delta
            slack[~used] -= delta
            j0 = j1
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    columns = np.empty(n, dtype=int)
    columns[match[1:] - 1] = np.arange(n)
    return columns
