"""What leaves the app: the data with both models' results as formula-safe CSV,
the fitted models as JSON (loadable by ``gmmcore``), and a script that refits them."""

from dataclasses import asdict

import numpy as np
import pandas as pd

import gmmcore
from gmmcore import io

CSV_NAME = "kmeans_vs_gmm.csv"
JSON_NAME = "kmeans_vs_gmm_models.json"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    """``value`` with a leading quote if a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def results_frame(comparison, columns, labels=None, features=None):
    """The data with K-means label, GMM label, responsibilities and uncertainty.

    Parameters
    ----------
    comparison : dashboard.compare.Comparison
    columns : sequence of str
        Names of the feature columns of ``comparison.X``.
    labels : ndarray of shape (n_samples,), optional
        True labels, written as a column when given.
    features : ndarray of shape (n_samples, n_features), optional
        The rows as the user gave them (before standardising); default
        ``comparison.X``.

    Returns
    -------
    frame : pandas.DataFrame
        Clusters are numbered from 1, GMM clusters matched to K-means'.
    """
    frame = pd.DataFrame(comparison.X if features is None else features,
                         columns=list(columns))
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


def reproduce_script(columns, settings, csv_name=CSV_NAME):
    """A Python script that refits both models with gmmcore from the downloaded CSV.

    Parameters
    ----------
    columns : sequence of str
    settings : dashboard.compare.Settings

    Returns
    -------
    str
    """
    s = settings
    lines = [
        f"# Refit the dashboard's models with gmmcore {gmmcore.__version__}:",
        f"# pip install numpy pandas, and gmmcore from this project; {csv_name} beside it.",
        "import numpy as np",
        "import pandas as pd",
        "",
        "import gmmcore",
        "",
        f"frame = pd.read_csv({csv_name!r})",
        "# Row-major like the app's array, so column sums round the same way.",
        f"X = np.ascontiguousarray(frame[{[safe_text(str(c)) for c in columns]!r}], "
        "dtype=float)",
    ]
    if s.standardize:
        lines += [
            "std = X.std(axis=0)",
            "X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)  # standardised, as in "
            "the app",
        ]
    lines += [
        "",
        f"kmeans = gmmcore.KMeans({s.k}, n_init={s.n_init}, max_iter={max(s.max_iter, 1)}, "
        f"random_state={s.seed}).fit(X)",
        "gmm = gmmcore.GaussianMixture(",
        f"    {s.k}, covariance_type={s.covariance_type!r}, init_params={s.init!r}, "
        f"random_state={s.seed},",
        f"    n_init={s.n_init}, max_iter={s.max_iter}, tol={s.tol!r}, "
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
