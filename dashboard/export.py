"""What leaves the app: CSV of the data with both models' results, formula-safe."""

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame):
    """Text cells that a spreadsheet would run as a formula, prefixed with a quote.

    Numbers are left alone (a negative number is not a formula); only text
    cells starting with ``= + - @``, a tab or a carriage return change.
    """
    frame = frame.copy()
    for name in frame.columns:
        if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name]):
            frame[name] = frame[name].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    safe_names = [("'" + n) if str(n).startswith(FORMULA_PREFIXES) else n for n in frame.columns]
    frame.columns = safe_names
    return frame


def results_frame(comparison, columns, labels=None):
    """The fitted data with K-means label, GMM label, responsibilities and uncertainty.

    Parameters
    ----------
    comparison : dashboard.compare.Comparison
    columns : sequence of str
        Names of the feature columns of ``comparison.X``.
    labels : ndarray of shape (n_samples,), optional
        True labels, written as a column when given.

    Returns
    -------
    frame : pandas.DataFrame
        Clusters are numbered from 1, GMM clusters matched to K-means'.
    """
    frame = pd.DataFrame(comparison.X, columns=list(columns))
    if labels is not None:
        frame["true_label"] = np.asarray(labels).astype(str)
    frame["kmeans_cluster"] = comparison.kmeans_labels + 1
    if comparison.gmm_labels is not None:
        frame["gmm_cluster"] = comparison.gmm_labels + 1
        for j in range(comparison.resp.shape[1]):
            frame[f"p_cluster_{j + 1}"] = comparison.resp[:, j]
        frame["uncertainty"] = 1 - comparison.resp.max(axis=1)
    return frame


def to_csv_bytes(frame):
    """UTF-8 CSV bytes with formula-like text cells neutralised."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")
