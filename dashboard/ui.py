"""The one dashboard module that imports Streamlit: sidebar, defaults, cached wrappers.

``app.py`` calls :func:`render_sidebar` on every run (so the widgets keep their
values on every page) and :func:`prepare_current`, which stores the one
fitted :class:`Current` for this run in ``st.session_state``; pages read it
with :func:`current`.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

import gmmcore

from . import choose_k, compare, datasets, explain, ingest, links, loaded
from .links import MAX_K, MODEL, UPLOAD

NO_LABELS = "(none)"
DEFAULTS = {
    "dataset": datasets.DEFAULT,
    "standardize": False,
    "k": 3,
    "covariance_type": "full",
    "init": "kmeans",
    "seed": 0,
    "n_init": 1,
    "max_iter": 100,
    "tol": 1e-3,
    "reg_covar": 1e-6,
    "view": "pca",
    "missing": "drop",
}
COVARIANCE_HELP = {
    "full": "full — every cluster has its own shape and tilt",
    "tied": "tied — all clusters share one shape and tilt",
    "diag": "diag — own axis-aligned spread per cluster",
    "spherical": "spherical — round clusters, own size each",
}


@dataclass(frozen=True)
class ActiveData:
    """The dataset in use: built-in or the last upload that loaded."""

    key: str
    title: str
    X: np.ndarray
    columns: tuple
    labels: np.ndarray | None
    description: str
    digest: str
    report: tuple = ()
    extra: object = None  # pandas.DataFrame of non-numeric columns, uploads only


@dataclass
class Current:
    """Everything a page needs for this run."""

    data: ActiveData
    columns: tuple
    settings: compare.Settings
    view: compare.View
    comparison: compare.Comparison
    labels: np.ndarray | None
    view_choice: tuple = ()
    labels_key: str = ""  # which labels: "builtin" or the upload's chosen column

    @property
    def fit_key(self):
        """What the fit depends on: data digest, columns and settings (hashable)."""
        return (self.data.digest, self.columns, self.settings)


# ------------------------------------------------------------------ cached work
# Every cache is bounded in entries and, except the built-in datasets, in age: a
# hosted demo serves many sessions from one process. Uploads are the large
# entries, so their caches hold few.
CACHE_TTL = 3600  # seconds


# The built-in data and the fits are shared between sessions, not copied into each
# run (st.cache_resource): their arrays are made read-only so none can change them.
@st.cache_resource(max_entries=16, show_spinner=False)
def builtin_data(key):
    d = datasets.load(key)
    return ActiveData(key, d.name, d.X, d.columns, d.labels, d.description,
                      compare.data_digest(d.X, d.labels))


@st.cache_data(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def ingest_upload(digest, missing, _raw):
    """Parse an upload; cached by the SHA-256 of its full bytes (``_raw`` is not hashed)."""
    return ingest.ingest(_raw, missing=missing)


@st.cache_resource(max_entries=16, ttl=CACHE_TTL, show_spinner=False)
def fit_comparison(digest, columns, settings, _X):
    """Both fits for one dataset (by digest), column choice and settings."""
    comparison = compare.compare(_X, settings)
    for array in (comparison.X, comparison.kmeans_labels, comparison.gmm_labels,
                  comparison.resp):
        if array is not None:
            array.flags.writeable = False
    return comparison


@st.cache_data(max_entries=32, ttl=CACHE_TTL, show_spinner=False)
def _metrics_rows(digest, columns, settings, labels_key, _comparison, _labels):
    return compare.metrics_table(_comparison, _labels)


def metrics_rows(cur):
    """The Compare page's metrics for this run, computed once per fit and label choice.

    Silhouettes and scores over all rows take a while on large data, so they
    are cached with the fit's key rather than recomputed on every rerun.
    """
    return _metrics_rows(*cur.fit_key, cur.labels_key, cur.comparison, cur.labels)


@st.cache_data(max_entries=32, ttl=CACHE_TTL, show_spinner=False)
def _per_fit(name, digest, columns, settings, _func, _comparison):
    return _func(_comparison)


@st.cache_resource(max_entries=64, ttl=CACHE_TTL, show_spinner=False)
def _figure(name, fit_key, view_choice, args, _builder, _comparison, _view):
    return _builder(_comparison, _view, *args)


def figure(cur, builder, *args):
    """``builder(comparison, view, *args)`` for this run's fit and view, built once.

    Plotly figures are slow to build and quick to send, so they are built once
    per fit, view and ``args`` (hashable) and shared between sessions: treat
    the result as read-only.
    """
    return _figure(builder.__qualname__, cur.fit_key, cur.view_choice, args, builder,
                   cur.comparison, cur.view)


def per_fit(cur, func):
    """``func(comparison)`` for this run's fit, computed once per fit and cached.

    ``func`` is one of :mod:`dashboard.explain`'s summaries; its qualified name
    and the fit's key make the cache key.
    """
    return _per_fit(func.__qualname__, *cur.fit_key, func, cur.comparison)


@st.cache_data(max_entries=16, ttl=CACHE_TTL, show_spinner=False)
def view_for(digest, columns, standardize, view, x, y, _X):
    if len(columns) == 1:
        return compare.one_feature_view(columns[0])
    if len(columns) == 2:
        return compare.feature_view(columns, columns[0], columns[1])
    if view == "features":
        return compare.feature_view(columns, x, y)
    return compare.pca_view(_X)


# -------------------------------------------------------------------- sidebar
def init_defaults():
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def _dataset_title(key):
    return {UPLOAD: "Upload a CSV file…", MODEL: "Load a fitted model…"}.get(
        key) or datasets.titles()[key]


def _on_dataset_change():
    st.session_state.pop("columns", None)
    st.session_state.pop("view_x", None)
    st.session_state.pop("view_y", None)
    key = st.session_state["dataset"]
    if key in datasets.BUILTIN:
        st.session_state["k"] = datasets.load(key).suggested_k


def _upload_data(raw, name, missing):
    digest = hashlib.sha256(raw).hexdigest()
    result = ingest_upload(digest, missing, raw)
    if not result.ok:
        return None, result.error
    if len(result.features) < max(2, st.session_state["k"]):
        return None, (f"The file has {len(result.features)} usable row(s), fewer than "
                      f"K = {st.session_state['k']}. Upload more rows or choose a smaller K.")
    frame = result.features
    data = ActiveData(UPLOAD, f"Upload: {name}", frame.to_numpy(), tuple(frame.columns), None,
                      f"{name}: {frame.shape[0]:,} rows, {frame.shape[1]} numeric columns.",
                      digest + missing, tuple(result.report), result.extra)
    return data, None


def _data_section():
    sb = st.sidebar
    sb.header("Data")
    sb.selectbox("Dataset", list(datasets.BUILTIN) + [UPLOAD, MODEL], key="dataset",
                 format_func=_dataset_title, on_change=_on_dataset_change)
    choice = st.session_state["dataset"]
    if choice == MODEL:
        return _model_source()
    if choice != UPLOAD:
        st.session_state["last_builtin"] = choice
        return builtin_data(choice)

    upload = sb.file_uploader(
        "CSV or TSV file", type=["csv", "tsv", "txt"], key="upload",
        help=f"Up to {ingest.MAX_UPLOAD_MB} MB, {ingest.MAX_ROWS:,} rows and "
             f"{ingest.MAX_COLUMNS} columns. Numeric columns become features.")
    sb.radio("Missing or infinite values", ["drop", "mean"], key="missing", horizontal=True,
             format_func=lambda v: "drop the rows" if v == "drop" else "use the column mean")
    sb.caption(f"Limits: {ingest.MAX_UPLOAD_MB} MB, {ingest.MAX_ROWS:,} rows, "
               f"{ingest.MAX_COLUMNS} columns. The file stays in your session only.")
    if upload is not None:
        data, error = _upload_data(upload.getvalue(), upload.name, st.session_state["missing"])
        if error:
            sb.error(error)
        else:
            st.session_state["uploaded_data"] = data
    data = st.session_state.get("uploaded_data")
    if data is None:
        return _last_builtin("No file loaded yet")
    if upload is None:
        sb.caption(f"Showing the last file you loaded ({data.title[8:]}).")
    return data


@st.cache_resource(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def _read_model_file(digest, name, _raw):
    return loaded.read_model_file(_raw, name)


def _model_source():
    """Sidebar for "Load a fitted model": the model JSON and a sample of its data.

    Returns the sample as the active data (the loaded models are kept in
    ``st.session_state["loaded_models"]``), or the last built-in dataset while
    no model is loaded.
    """
    sb = st.sidebar
    model_file = sb.file_uploader(
        "Model file (JSON)", type=["json"], key="model_file",
        help="Saved by the Compare page (Both fitted models) or by `python -m gmmcore fit`.")
    sample_file = sb.file_uploader(
        "A sample of its data (CSV, optional)", type=["csv", "tsv", "txt"], key="model_sample",
        help=f"Without one, {loaded.DRAWN_ROWS:,} rows are drawn from the mixture.")
    if model_file is not None:
        raw = model_file.getvalue()
        model_digest = hashlib.sha256(raw).hexdigest()
        models, error = _read_model_file(model_digest, model_file.name, raw)
        if error:
            sb.error(error)
        else:
            data, error = _model_sample(models, model_digest, model_file.name, sample_file)
            if error:
                sb.error(error)
            else:
                st.session_state["loaded_models"] = models
                st.session_state["model_data"] = data
    data = st.session_state.get("model_data")
    return _last_builtin("No model loaded yet") if data is None else data


def _last_builtin(why):
    """The built-in dataset shown last, said so in the sidebar, while nothing is loaded."""
    fallback = st.session_state.get("last_builtin", datasets.DEFAULT)
    st.sidebar.info(f"{why}: showing '{datasets.titles()[fallback]}'.")
    return builtin_data(fallback)


def _model_sample(models, model_digest, model_name, sample_file):
    """The rows to show a loaded model on: the uploaded sample, or rows it draws."""
    if sample_file is None:
        if models.gmm is None:
            return None, "This model file has no mixture to draw rows from: upload a sample."
        X, what = loaded.drawn_sample(models), f"{loaded.DRAWN_ROWS:,} rows drawn from the model"
        sample_digest = "drawn"
    else:
        raw = sample_file.getvalue()
        sample_digest = hashlib.sha256(raw).hexdigest()
        result = ingest_upload(sample_digest, "drop", raw)
        if not result.ok:
            return None, result.error
        X, error = loaded.sample_columns(result.features, models)
        if error:
            return None, error
        what = f"{len(X):,} rows of {sample_file.name}"
    description = (f"The models of {model_name} ({models.source}), shown on {what}. Nothing is "
                   "refitted: change the model by fitting again.")
    return ActiveData(MODEL, f"Model: {model_name}", X, models.columns, None, description,
                      f"model:{model_digest}:{sample_digest}"), None


def _label_choice(data):
    """True labels: built-in ones, or a column of the upload the user picks."""
    if data.key != UPLOAD:
        return data.labels, data.columns  # built-in labels; none for a loaded model
    options = [NO_LABELS] + list(data.extra.columns) + list(data.columns)
    if st.session_state.get("label_column") not in options:
        st.session_state["label_column"] = NO_LABELS
    choice = st.sidebar.selectbox("True labels column (optional)", options, key="label_column",
                                  help="Used only to score both methods, never to fit.")
    if choice == NO_LABELS:
        return None, data.columns
    if choice in data.extra.columns:
        return data.extra[choice].astype(str).to_numpy(), data.columns
    j = data.columns.index(choice)
    return data.X[:, j].astype(str), tuple(c for c in data.columns if c != choice)


def _feature_section(data, feature_columns):
    sb = st.sidebar
    if st.session_state.get("columns") is None or not set(
            st.session_state["columns"]) <= set(feature_columns):
        st.session_state["columns"] = list(feature_columns)
    chosen = sb.multiselect("Feature columns", list(feature_columns), key="columns")
    if not chosen:
        sb.warning("Choose at least one column; using all of them meanwhile.")
        chosen = list(feature_columns)
    sb.toggle("Standardise features", key="standardize",
              help="Scale every column to mean 0 and variance 1 before fitting.")
    return tuple(c for c in feature_columns if c in chosen)


def _model_section(n_rows):
    sb = st.sidebar
    sb.header("Models")
    top = max(1, min(MAX_K, n_rows))
    st.session_state["k"] = min(st.session_state["k"], top)
    sb.slider("Number of clusters K", 1, top, key="k")
    sb.selectbox("GMM covariance type", list(gmmcore.COVARIANCE_TYPES), key="covariance_type",
                 format_func=COVARIANCE_HELP.get)
    sb.selectbox("GMM initialisation", list(gmmcore.INIT_PARAMS), key="init")
    sb.number_input("Random seed", 0, 2**31 - 1, step=1, key="seed")
    with sb.expander("Advanced"):
        st.number_input("Restarts (n_init)", 1, 20, step=1, key="n_init")
        st.number_input("Max iterations", 1, 1000, step=10, key="max_iter")
        st.number_input("Tolerance (tol)", 0.0, 1.0, step=1e-4, format="%.0e", key="tol")
        st.number_input("Covariance regularisation (reg_covar)", 0.0, 10.0, step=1e-6,
                        format="%.0e", key="reg_covar")
    return compare.Settings(
        k=int(st.session_state["k"]), covariance_type=st.session_state["covariance_type"],
        init=st.session_state["init"], seed=int(st.session_state["seed"]),
        standardize=bool(st.session_state["standardize"]),
        n_init=int(st.session_state["n_init"]), max_iter=int(st.session_state["max_iter"]),
        tol=float(st.session_state["tol"]), reg_covar=float(st.session_state["reg_covar"]),
    )


def _view_section(columns):
    if len(columns) <= 2:
        return "features", columns[0], columns[-1]
    sb = st.sidebar
    sb.header("2-D view")
    sb.radio("Show", ["pca", "features"], key="view", format_func=lambda v: {
        "pca": "first two principal components", "features": "two of the features"}[v])
    if st.session_state.get("view_x") not in columns:
        st.session_state["view_x"] = columns[0]
    if st.session_state.get("view_y") not in columns:
        st.session_state["view_y"] = columns[1]
    if st.session_state["view"] == "features":
        sb.selectbox("Horizontal axis", columns, key="view_x")
        sb.selectbox("Vertical axis", columns, key="view_y")
    return st.session_state["view"], st.session_state["view_x"], st.session_state["view_y"]


def render_sidebar():
    """Draw the shared controls and return (data, columns, labels, settings, view choice)."""
    init_defaults()
    _apply_link_once()
    _link_notices()
    data = _data_section()
    labels, feature_columns = _label_choice(data)
    if data.key == MODEL:
        columns = data.columns
        settings = st.session_state["loaded_models"].settings
        st.sidebar.header("Models")
        st.sidebar.caption(f"The loaded file's models: K = {settings.k}, "
                           f"{settings.covariance_type} covariance. Nothing is refitted here.")
    else:
        columns = _feature_section(data, feature_columns)
        settings = _model_section(len(data.X))
    view_choice = _view_section(columns)
    _share_section(feature_columns)
    return data, columns, labels, settings, view_choice


# ---------------------------------------------------------------- shareable links
def _apply_link_once():
    """On a session's first run, take the settings the URL asks for."""
    if st.session_state.get("_link_applied"):
        return
    st.session_state["_link_applied"] = True
    state, notices = links.from_query(st.query_params.to_dict(), DEFAULTS)
    st.session_state.update(state)
    st.session_state["_link_notices"] = notices


def _dismiss_link_notices():
    st.session_state["_link_notices"] = []


def _link_notices():
    notices = st.session_state.get("_link_notices")
    if not notices:
        return
    with st.sidebar.container(border=True):
        for notice in notices:
            st.warning(notice, icon=":material/link_off:")
        st.button("OK", key="link_notices_ok", on_click=_dismiss_link_notices)


def _share_section(feature_columns):
    """Keep the URL in step with the sidebar and offer the link to copy."""
    query = links.to_query(st.session_state, DEFAULTS, feature_columns)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    with st.sidebar.popover("Share this view", icon=":material/link:", width="stretch"):
        st.markdown("Anyone opening this link sees this page with these settings:")
        st.code(links.share_url(st.context.url, query), language=None, wrap_lines=True)
        st.caption("Use the copy icon at the right of the link.")
        if st.session_state["dataset"] in (UPLOAD, MODEL):
            st.warning("Uploaded data is never put in a link: whoever opens it must upload "
                       "the file again.")


def prepare_current():
    """Render the sidebar, fit (cached) and keep the result for the pages of this run."""
    data, columns, labels, settings, (view, x, y) = render_sidebar()
    X = _columns_of(data, columns)
    with st.spinner("Fitting K-means and the Gaussian mixture…"):
        if data.key == MODEL:
            comparison = _loaded_comparison(data.digest, st.session_state["loaded_models"], X)
        else:
            comparison = fit_comparison(data.digest, columns, settings, X)
        shown = view_for(data.digest, columns, settings.standardize, view, x, y,
                         comparison.X)
    labels_key = "builtin" if data.key != UPLOAD else st.session_state.get("label_column", "")
    st.session_state["_current"] = Current(data, columns, settings, shown, comparison, labels,
                                           (view, x, y), labels_key)


@st.cache_resource(max_entries=4, ttl=CACHE_TTL, show_spinner=False)
def _loaded_comparison(digest, _models, _X):
    return loaded.comparison_for(_models, _X)


def _columns_of(data, columns):
    return data.X[:, [data.columns.index(c) for c in columns]]


def fitted_features(cur):
    """This run's chosen columns as loaded, before any standardising, (n_samples, n_features)."""
    return _columns_of(cur.data, cur.columns)


def current():
    """The :class:`Current` that ``app.py`` prepared for this run."""
    return st.session_state["_current"]


def show_fit_messages(comparison):
    """The fit's warnings and errors, in words, above a page's charts."""
    if comparison.gmm_error:
        st.error("The Gaussian mixture could not be fitted: " + comparison.gmm_error
                 + " K-means is shown on its own meanwhile.")
    for note in dict.fromkeys(comparison.warnings):
        st.warning(note)


# ------------------------------------------------------------- page helpers
def plot(where, fig, *, key, **kwargs):
    """Show a Plotly figure full width, its toolbar's camera saving a crisp PNG
    named after the chart.

    Parameters
    ----------
    where : streamlit module or container
    fig : plotly.graph_objects.Figure
    key : str
        Widget key; also the PNG's file name.
    **kwargs
        Passed to ``st.plotly_chart`` (e.g. ``on_select``).
    """
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "filename": key, "scale": 2}}
    return where.plotly_chart(fig, width="stretch", key=key, config=config, **kwargs)



PLAY_SECONDS = 0.8


def _playing_key(name):
    return f"steps_{name}_playing"


def _toggle_play(name, n_iter):
    key_t = f"steps_{name}_t"
    playing = not st.session_state.get(_playing_key(name), False)
    st.session_state[_playing_key(name)] = playing
    if playing and st.session_state.get(key_t, 0) >= n_iter:
        st.session_state[key_t] = 0


def play_button(name, n_iter):
    """A Play / Pause button for an iteration slider; returns the autoplay interval
    (seconds, for ``st.fragment(run_every=...)``) or None when paused."""
    playing = st.session_state.get(_playing_key(name), False)
    st.button("Pause" if playing else "Play", key=f"steps_{name}_play",
              icon=":material/pause:" if playing else ":material/play_arrow:",
              on_click=_toggle_play, args=(name, n_iter),
              help="Step through the iterations automatically.")
    return PLAY_SECONDS if playing else None


def iteration_slider(name, n_iter, label):
    """Slider over iterations 0..n_iter that advances by one per autoplay tick.

    Call inside the fragment that :func:`play_button`'s interval reruns. At the
    last iteration, playing stops and the whole page reruns so the button says
    Play again.
    """
    key_t = f"steps_{name}_t"
    t = min(int(st.session_state.get(key_t, 0)), n_iter)
    if st.session_state.get(_playing_key(name), False):
        if t >= n_iter:
            st.session_state[_playing_key(name)] = False
            st.rerun(scope="app")
        t += 1
    st.session_state[key_t] = t
    if n_iter == 0:
        st.caption("The fit stopped at its initialisation (max_iter = 0).")
        return 0
    return st.slider(label, 0, n_iter, key=key_t,
                     help="0 is the initialisation; each step is one full iteration.")


def inspected_row(cur):
    """The row the inspector and the math page show: the user's choice for this
    fit, else :func:`explain.default_point`."""
    if st.session_state.get("inspect_fit") != cur.fit_key:
        st.session_state["inspect_fit"] = cur.fit_key
        st.session_state["inspect_row_value"] = explain.default_point(cur.comparison)
    return int(st.session_state["inspect_row_value"])


def set_inspected_row(row):
    st.session_state["inspect_row_value"] = int(row)


def _row_input_changed():
    set_inspected_row(st.session_state["inspect_row"])


def row_input(cur):
    """Number input for the inspected row, kept across pages; returns the row."""
    st.session_state["inspect_row"] = inspected_row(cur)
    n = len(cur.comparison.X)
    st.number_input(f"Row (0 to {n - 1:,})", 0, n - 1, step=1, key="inspect_row",
                    on_change=_row_input_changed)
    return inspected_row(cur)


def clicked_row(chart_key):
    """The row of a point the user just clicked on chart ``chart_key``, else None.

    The chart must carry the row number first in its points' ``customdata``.
    A click is reported once; the chart keeps its selection across reruns.
    """
    event = st.session_state.get(chart_key)
    points = [] if not event else event.get("selection", {}).get("points", [])
    rows = [p["customdata"] for p in points if p.get("customdata") is not None]
    rows = [r[0] if isinstance(r, list | tuple) else r for r in rows]
    if not rows or rows == st.session_state.get(f"{chart_key}_handled"):
        return None
    st.session_state[f"{chart_key}_handled"] = rows
    return int(rows[0])


# ------------------------------------------------------------- model selection
@st.cache_data(max_entries=2000, ttl=CACHE_TTL, show_spinner=False)
def _gmm_cell(digest, columns, settings, k, covariance_type, _X):
    return gmmcore.score_model(_X, k, covariance_type, **compare.gmm_params(settings))


@st.cache_data(max_entries=500, ttl=CACHE_TTL, show_spinner=False)
def _kmeans_cell(digest, columns, settings, k, _X):
    return choose_k.kmeans_scores(_X, k, settings)


def model_grid(cur, ks):
    """BIC/AIC/ICL for every K in ``ks`` x covariance type, and K-means' inertia
    and silhouette per K, each cell fitted once and cached across sessions.

    Shows a progress bar while cells are fitted.

    Returns
    -------
    gmm : dict
        As :func:`gmmcore.select_models` returns it.
    kmeans : dict
        ``k``, ``inertia`` and ``silhouette`` arrays of shape (n_k,).
    """
    X = cur.comparison.X
    key = (*cur.fit_key[:2], choose_k.grid_settings(cur.settings))
    bar = st.progress(0.0, text="Fitting the models…")
    n_gmm = len(ks) * len(gmmcore.COVARIANCE_TYPES)
    total = n_gmm + len(ks)

    def progress(done, _):
        bar.progress(done / total, text=f"Fitted {done} of {total} models…")

    gmm = gmmcore.select_models(
        X, ks, progress=progress,
        score=lambda X, k, covariance_type, **_: _gmm_cell(*key, k, covariance_type, X))
    cells = []
    for j, k in enumerate(ks):
        cells.append(_kmeans_cell(*key, int(k), X))
        progress(n_gmm + j + 1, total)
    bar.empty()
    kmeans = {"k": np.asarray(ks),
              "inertia": np.array([c["inertia"] for c in cells]),
              "silhouette": np.array([c["silhouette"] for c in cells])}
    return gmm, kmeans


def use_model(k, covariance_type):
    """Button callback: put a model's K and covariance type into the sidebar."""
    st.session_state["k"] = int(k)
    st.session_state["covariance_type"] = covariance_type


def set_restarts(n_init):
    """Button callback: the sidebar's Restarts (n_init)."""
    st.session_state["n_init"] = int(n_init)

