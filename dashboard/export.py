"""What leaves the app: the data with both models' results as formula-safe CSV,
the fitted models as JSON (loadable by ``gmmcore``), and a script that refits them."""

import re
from dataclasses import asdict

import numpy as np
import pandas as pd

import gmmcore
from gmmcore import io

from . import compare

CSV_NAME = "kmeans_vs_gmm.csv"
JSON_NAME = "kmeans_vs_gmm_models.json"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralise_formulas(frame):
    """Text cells that a spreadsheet would run as a formula, prefixed with a quote.

    Numbers are left alone (a negative number is not a formula); only text
    cells starting with ``= + - @``, a tab or a carriage return change.
    """
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


def results_frame(comparison, columns, labels=None, features=None):
    """The data with both models' labels, the responsibilities and the uncertainty.

    Parameters
    ----------
    comparison : dashboard.compare.Comparison
    columns : sequence of str
        Names of the feature columns of ``comparison.X``.
    labels : ndarray of shape (n_loaded,), optional
        True labels of the data as loaded, written as a column when given
        (numbers stay numbers).
    features : ndarray of shape (n_loaded, n_features), optional
        The rows as the user gave them (before standardising); default
        ``comparison.X``.

    Returns
    -------
    frame : pandas.DataFrame
        One row per row the app worked on (all, or its uniform sample), with
        ``row`` (0-based position in the data as loaded). Clusters are numbered
        from 1, GMM clusters matched to K-means'; columns as
        :func:`gmmcore.io.result_columns` names them.
    """
    rows = comparison.rows
    shown = comparison.X if features is None else features if rows is None else features[rows]
    frame = pd.DataFrame(shown, columns=list(columns))
    frame.insert(0, "row", np.arange(len(shown)) if rows is None else rows)
    if labels is not None:
        labels = np.asarray(labels)
        frame["true_label"] = labels if rows is None else labels[rows]
    for name, values in io.result_columns(comparison.kmeans_labels, comparison.resp).items():
        frame[name] = values
    return frame


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
