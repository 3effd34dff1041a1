"""What leaves the app: the data with both models' results as formula-safe CSV,
the fitted models as JSON (loadable by ``gmmcore``), and a script that refits them.

pandas is imported where a table is built, not with this module: the Compare
page imports it, and a fresh server's first charts should not wait for pandas.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

import gmmcore
from gmmcore import io

from . import compare

if TYPE_CHECKING:
    import pandas as pd

CSV_NAME = "kmeans_vs_gmm.csv"
JSON_NAME = "kmeans_vs_gmm_models.json"
PROFILE_NAME = "kmeans_vs_gmm_cluster_profiles.csv"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralise_formulas(frame):
    """Text cells that a spreadsheet would run as a formula, prefixed with a quote.

    Numbers are left alone (a negative number is not a formula); only text
    cells starting with ``= + - @``, a tab or a carriage return change.
    """
    import pandas as pd

    frame = frame.copy()
    for name in frame.columns:
        if frame[name].dtype == object or pd.api.types.is_string_dtype(frame[name]):
            frame[name] = frame[name].map(safe_text)
    frame.columns = [safe_text(str(n)) for n in frame.columns]
    return frame


def safe_text(value):
    """``value`` with a leading quote if a spreadsheet would run it as a formula.

    A plain number written as text (``-1.5``) is not a formula and stays as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) \
            and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


@dataclass(frozen=True)
class SourceRows:
    """An uploaded file as read: what exports join their results back onto.

    Attributes
    ----------
    table : pandas.DataFrame
        Every data row of the file in its order, every column.
    row_numbers : ndarray of shape (n_rows,)
        The row of ``table`` each row of the loaded data came from.
    excluded : dict of int to str
        Rows of ``table`` left out of the data, and why.
    """

    table: pd.DataFrame
    row_numbers: np.ndarray
    excluded: dict

    @classmethod
    def of(cls, result):
        """The source rows of an ``ingest.IngestResult``."""
        return cls(result.table, result.row_numbers, dict(result.excluded))


NOT_SHOWN = "not in the uniform random sample the app worked on"


def results_frame(comparison, columns, labels=None, features=None, source=None):
    """The data with both models' labels, the responsibilities and the uncertainty.

    Parameters
    ----------
    comparison : dashboard.compare.Comparison
    columns : sequence of str
        Names of the feature columns of ``comparison.X``.
    labels : ndarray of shape (n_loaded,), optional
        True labels of the data as loaded, written as a column when given
        (numbers stay numbers). Not needed with ``source`` (its table has them).
    features : ndarray of shape (n_loaded, n_features), optional
        The rows as the user gave them (before standardising); default
        ``comparison.X``.
    source : SourceRows, optional
        For an uploaded file: the result is then every row of the file in its
        order (``source_row``), every column, and the results joined on, empty
        for a row left out, with ``excluded_because`` saying why.

    Returns
    -------
    frame : pandas.DataFrame
        Clusters are numbered from 1, GMM clusters matched to K-means'; columns
        as :func:`gmmcore.io.result_columns` names them.
    """
    import pandas as pd

    results = io.result_columns(comparison.kmeans_labels, comparison.resp)
    if source is not None:
        return _joined_to_source(comparison, results, source)
    rows = comparison.rows
    shown = comparison.X if features is None else features if rows is None else features[rows]
    frame = pd.DataFrame(shown, columns=list(columns))
    frame.insert(0, "row", np.arange(len(shown)) if rows is None else rows)
    if labels is not None:
        labels = np.asarray(labels)
        frame["true_label"] = labels if rows is None else labels[rows]
    for name, values in results.items():
        frame[name] = values
    return frame


def _joined_to_source(comparison, results, source):
    import pandas as pd

    positions = source.row_numbers if comparison.rows is None else \
        source.row_numbers[comparison.rows]
    frame = source.table.copy()
    frame.insert(0, "source_row", np.arange(len(frame)))
    for name, values in results.items():
        column = pd.Series(pd.NA, index=frame.index,
                           dtype="Int64" if name.endswith("_cluster") else "Float64")
        column.iloc[positions] = values
        frame[name] = column
    why = pd.Series("", index=frame.index, dtype=object)
    why.iloc[np.setdiff1d(source.row_numbers, positions)] = NOT_SHOWN
    for row, reason in source.excluded.items():
        why.iloc[row] = reason
    frame["excluded_because"] = why
    return frame


def cluster_profiles(comparison, columns, features):
    """Per method and cluster: size, share, and each feature's mean and spread.

    Parameters
    ----------
    comparison : dashboard.compare.Comparison
    columns : sequence of str
    features : ndarray of shape (n_loaded, n_features)
        The rows in their original units (before standardising).

    Returns
    -------
    profile : pandas.DataFrame
        One row per (method, cluster): ``method``, ``cluster`` (from 1),
        ``points``, ``share``, then ``<feature> mean`` and ``<feature> std``.
    """
    import pandas as pd

    shown = features if comparison.rows is None else features[comparison.rows]
    labelings = [("K-means", comparison.kmeans_labels)]
    if comparison.gmm_labels is not None:
        labelings.append(("GMM", comparison.gmm_labels))
    rows = []
    for method, labels in labelings:
        for j in range(comparison.settings.k):
            mine = shown[labels == j]
            row = {"method": method, "cluster": j + 1, "points": len(mine),
                   "share": len(mine) / len(shown)}
            for i, name in enumerate(columns):
                values = mine[:, i]
                row[f"{name} mean"] = values.mean() if len(values) else np.nan
                row[f"{name} std"] = values.std() if len(values) else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def to_csv_bytes(frame):
    """UTF-8 CSV bytes with formula-like text cells neutralised."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")


def models_document(comparison, columns, features):
    """Both fitted models, their settings and preprocessing as a JSON-ready dict.

    Parameters
    ----------
    comparison : dashboard.compare.Comparison
    columns : sequence of str
    features : ndarray of shape (n_samples, n_features)
        The rows before standardising (to record the standardisation).

    Returns
    -------
    dict
        A :mod:`gmmcore.io` document; ``gmmcore.models_from_dict`` loads it.
        ``settings["gmm_cluster_order"][j]`` is the GMM component the app
        shows as cluster j + 1.
    """
    settings = asdict(comparison.settings)
    if comparison.order is not None:
        settings["gmm_cluster_order"] = comparison.order
    return io.models_to_dict(
        gmm=comparison.gmm, kmeans=comparison.kmeans, columns=columns,
        preprocessing=io.standardization(features) if comparison.settings.standardize else None,
        settings=settings, include_history=True,
    )


def models_json_bytes(comparison, columns, features):
    """:func:`models_document` as UTF-8 JSON."""
    return io.dumps(models_document(comparison, columns, features)).encode("utf-8")


def reproduce_script(columns, settings, csv_name=CSV_NAME, n_init=None):
    """A Python script that refits both models with gmmcore from the downloaded CSV.

    Every value written into the script is checked against the settings table
    and written with ``repr``, so the script holds only the expected calls
    and literals whatever the settings or column names were.

    Parameters
    ----------
    columns : sequence of str
    settings : dashboard.compare.Settings
    csv_name : str
    n_init : int, optional
        The initialisations the app ran, when its budget lowered them.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When a setting is outside the table's range.
    """
    s = compare.Settings.checked(asdict(settings))
    n_init = s.n_init if n_init is None else compare.Settings.checked({"n_init": n_init}).n_init
    names = [safe_text(str(c)) for c in columns]
    lines = [
        f"# Refit the dashboard's models with gmmcore {gmmcore.__version__}:",
        "# pip install numpy pandas, and gmmcore from this project; the CSV beside it.",
        "import numpy as np",
        "import pandas as pd",
        "",
        "import gmmcore",
        "",
        f"frame = pd.read_csv({str(csv_name)!r})",
        "# Row-major like the app's array, so column sums round the same way.",
        f"X = np.ascontiguousarray(frame[{names!r}], dtype=float)",
    ]
    if s.standardize:
        lines += [
            "std = X.std(axis=0)",
            "X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)  # standardised, as in "
            "the app",
        ]
    lines += [
        "",
        f"kmeans = gmmcore.KMeans({s.k!r}, n_init={n_init!r}, max_iter={s.max_iter!r}, "
        f"random_state={s.seed!r}).fit(X)",
        "gmm = gmmcore.GaussianMixture(",
        f"    {s.k!r}, covariance_type={s.covariance_type!r}, init_params={s.init!r}, "
        f"random_state={s.seed!r},",
        f"    n_init={n_init!r}, max_iter={s.max_iter!r}, tol={s.tol!r}, "
        f"reg_covar={s.reg_covar!r},",
        ").fit(X)",
        "",
        "print('K-means inertia:', kmeans.inertia_)",
        "print('GMM weights:', gmm.weights_)",
        "print('GMM means:', gmm.means_, sep='\\n')",
        "print('GMM mean log-likelihood:', gmm.score(X))",
        "kmeans_labels, gmm_labels = kmeans.labels_, gmm.predict(X)",
        "responsibilities = gmm.predict_proba(X)",
        "# The app numbers GMM clusters from 1 and renumbers them to match K-means' clusters",
        "# (the CSV's gmm_cluster); gmm_labels here are gmmcore's own component numbers.",
    ]
    return "\n".join(lines) + "\n"
