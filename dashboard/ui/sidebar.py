"""The shared sidebar, drawn by ``app.py`` on every run, and this run's fit.

The widgets take their ranges from the settings table (:mod:`dashboard.settings`),
so they accept exactly what links and model files may set. Everything a
visitor uploaded (file names, headers) is shown escaped.
"""

import streamlit as st

from .. import compare, datasets, export, generate, links, loaded
from ..links import GENERATED, MODEL, UPLOAD
from ..settings import GENERATOR_CONTROLS, MAX_K, by_key
from ..text import escape
from . import cached, link_sync
from .state import DEFAULTS, ActiveData, Current, init_defaults, set_current

NO_LABELS = "(none)"
COVARIANCE_HELP = {
    "full": "full — every cluster has its own shape and tilt",
    "tied": "tied — all clusters share one shape and tilt",
    "diag": "diag — own axis-aligned spread per cluster",
    "spherical": "spherical — round clusters, own size each",
}


def _dataset_title(key):
    return {GENERATED: "Make your own data…", UPLOAD: "Upload a CSV file…",
            MODEL: "Load a fitted model…"}.get(key) or datasets.titles()[key]


def _on_dataset_change():
    for key in ("columns", "view_x", "view_y"):
        st.session_state.pop(key, None)
    key = st.session_state["dataset"]
    if key in datasets.BUILTIN:
        st.session_state["k"] = datasets.load(key).suggested_k
    elif key == GENERATED:
        st.session_state["k"] = st.session_state["gen_clusters"]


def _digest(upload):
    """SHA-256 of an uploaded file's bytes, computed once per upload (its ``file_id``),
    not on every rerun while the file stays in the uploader."""
    digests = st.session_state.setdefault("_upload_digests", {})
    if upload.file_id not in digests:
        if len(digests) >= 16:  # a session uploading file after file: keep it small
            digests.clear()
        digests[upload.file_id] = cached.digest_of(upload.getvalue())
    return digests[upload.file_id]


def _upload_data(upload, missing):
    raw, name, digest = upload.getvalue(), upload.name, _digest(upload)
    result = cached.ingest_upload(digest, missing, raw)
    if not result.ok:
        return None, result.error
    if len(result.features) < max(2, st.session_state["k"]):
        return None, (f"The file has {len(result.features)} usable row(s), fewer than "
                      f"K = {st.session_state['k']}. Upload more rows or choose a smaller K.")
    frame = result.features
    data = ActiveData(UPLOAD, f"Upload: {name}", frame.to_numpy(), tuple(frame.columns), None,
                      f"{name}: {frame.shape[0]:,} rows, {frame.shape[1]} numeric columns.",
                      digest + missing, tuple(result.report), result.extra,
                      export.SourceRows.of(result))
    return data, None


def _data_section():
    sb = st.sidebar
    sb.header("Data")
    sb.selectbox("Dataset", list(links.DATASETS), key="dataset",
                 format_func=_dataset_title, on_change=_on_dataset_change)
    choice = st.session_state["dataset"]
    if choice == MODEL:
        return _model_source()
    if choice == GENERATED:
        return _generator_source()
    if choice != UPLOAD:
        st.session_state["last_builtin"] = choice
        return cached.builtin_data(choice)

    from .. import ingest  # (pandas) only once someone uploads

    cached.warm_up()  # large files are parsed in the heavy-work process: start it now
    upload = sb.file_uploader(
        "CSV or TSV file", type=["csv", "tsv", "txt"], key="upload",
        help=f"Up to {ingest.MAX_UPLOAD_MB} MB, {ingest.MAX_ROWS:,} rows and "
             f"{ingest.MAX_COLUMNS} columns. Numeric columns become features.")
    sb.radio("Missing or infinite values", ["drop", "mean"], key="missing", horizontal=True,
             format_func=lambda v: "drop the rows" if v == "drop" else "use the column mean",
             help="What to do with a row that has an empty, non-numeric or infinite value.")
    sb.caption(f"Limits: {ingest.MAX_UPLOAD_MB} MB, {ingest.MAX_ROWS:,} rows, "
               f"{ingest.MAX_COLUMNS} columns. The file stays in your session only.")
    if upload is not None:
        size = upload.size
        with st.spinner(f"Reading {escape(upload.name, 80)} ({size / 2**20:.1f} MB, "
                        f"{ingest.read_seconds(size):.0f} s at most for a file this size)…"):
            data, error = _upload_data(upload, st.session_state["missing"])
        if error:
            sb.error(escape(error, 1000))
        else:
            st.session_state["uploaded_data"] = data
            link_sync.forget_notice(links.UPLOAD_NOTICE)
    data = st.session_state.get("uploaded_data")
    if data is None:
        return _last_builtin("No file loaded yet")
    if upload is None:
        sb.caption(f"Showing the last file you loaded ({escape(data.title[8:])}).")
    return data


# ------------------------------------------------------------- make your own data
GENERATOR_STEPS = {"points": 100, "size_ratio": 0.5, "separation": 0.1, "spread_ratio": 0.5,
                   "elongation": 0.5, "angle": 5.0, "outlier_pct": 0.5}
ROTATIONS = {"shared": "shared angle", "random": "random per cluster", "none": "along x1"}


def keep_state(keys):
    """Keep the values of widgets ``keys`` (session keys) whether or not this run draws
    them: Streamlit forgets the value of a widget that a run does not draw (or, after
    ``st.switch_page``, of every widget), unless the run sets it first."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def keep_sidebar():
    """Keep every sidebar setting across a ``st.switch_page``: call it in a widget callback
    (before the run draws the sidebar) of the run that switches."""
    keep_state((*DEFAULTS, "columns", "view_x", "view_y", "label_column"))


def keep_generator_settings():
    """Keep the generator's settings while its widgets are not drawn (another dataset, or
    the angle without a shared rotation)."""
    keep_state(c.key for c in GENERATOR_CONTROLS)


def _apply_preset():
    preset = st.session_state["gen_preset"]
    if preset in generate.PRESETS:
        recipe = generate.PRESETS[preset].recipe
        st.session_state.update(recipe.as_state())
        st.session_state["k"] = recipe.clusters


def _clusters_changed():
    st.session_state["k"] = st.session_state["gen_clusters"]


def _preset_title(key):
    return "Custom (your settings)" if key == generate.CUSTOM else generate.PRESETS[key].title


def _recipe():
    """The generator's settings in this session, checked against the settings table."""
    try:
        return generate.Recipe.from_state(st.session_state)
    except ValueError as exc:  # not reachable through widgets or links; reset, say why
        st.sidebar.error(escape(exc, 400) + " The generator's settings were reset.")
        st.session_state.update(generate.Recipe().as_state())
        return generate.Recipe()


def _generator_widget(where, control):
    s, name = control.setting, control.setting.name
    kwargs = {"key": control.key, "help": s.help}
    if name == "rotation":
        where.radio(control.label, list(s.choices), format_func=ROTATIONS.get, horizontal=True,
                    **kwargs)
    elif name in ("points", "seed"):
        where.number_input(control.label, int(s.low), int(s.high),
                           step=GENERATOR_STEPS.get(name, 1), **kwargs)
    elif s.kind == "int":
        where.slider(control.label, int(s.low), int(s.high),
                     on_change=_clusters_changed if name == "clusters" else None, **kwargs)
    else:
        where.slider(control.label, float(s.low), float(s.high), step=GENERATOR_STEPS[name],
                     **kwargs)


def _generator_source():
    """Sidebar for "Make your own data": a preset, every setting, and the generated rows."""
    sb = st.sidebar
    st.session_state["gen_preset"] = generate.matching_preset(_recipe())
    sb.selectbox("Start from a preset", [*generate.PRESETS, generate.CUSTOM], key="gen_preset",
                 format_func=_preset_title, on_change=_apply_preset,
                 help="Each preset shows one classic case; then turn one knob below.")
    if st.session_state["gen_preset"] in generate.PRESETS:
        sb.caption(generate.PRESETS[st.session_state["gen_preset"]].what)
    with sb.expander("Generator settings", expanded=True):
        for control in GENERATOR_CONTROLS:
            if control.key == "gen_angle" and st.session_state["gen_rotation"] != "shared":
                continue
            _generator_widget(st, control)
    recipe = _recipe()
    with st.spinner(f"Generating {recipe.points:,} rows…"):
        return cached.generated_data(recipe)


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
        model_digest = _digest(model_file)
        models, error = cached.read_model_file(model_digest, model_file.name,
                                               model_file.getvalue())
        if error:
            sb.error(escape(error, 1000))
        else:
            data, error = _model_sample(models, model_digest, model_file.name, sample_file)
            if error:
                sb.error(escape(error, 1000))
            else:
                st.session_state["loaded_models"] = models
                st.session_state["model_data"] = data
                link_sync.forget_notice(links.MODEL_NOTICE)
    data = st.session_state.get("model_data")
    return _last_builtin("No model loaded yet") if data is None else data


def _last_builtin(why):
    """The built-in dataset shown last, said so in the sidebar, while nothing is loaded."""
    fallback = st.session_state.get("last_builtin")
    fallback = fallback if fallback in datasets.BUILTIN else datasets.DEFAULT
    st.sidebar.info(f"{why}: showing '{datasets.titles()[fallback]}'.")
    return cached.builtin_data(fallback)


def _model_sample(models, model_digest, model_name, sample_file):
    """The rows to show a loaded model on: the uploaded sample, or rows it draws."""
    if sample_file is None:
        if models.gmm is None:
            return None, "This model file has no mixture to draw rows from: upload a sample."
        X, what = loaded.drawn_sample(models), f"{loaded.DRAWN_ROWS:,} rows drawn from the model"
        sample_digest = "drawn"
    else:
        sample_digest = _digest(sample_file)
        result = cached.ingest_upload(sample_digest, "drop", sample_file.getvalue())
        if not result.ok:
            return None, result.error
        X, error = loaded.sample_columns(result.features, models)
        if error:
            return None, error
        what = f"{len(X):,} rows of {sample_file.name}"
    description = (f"The models of {model_name} ({models.source}), shown on {what}. Nothing is "
                   "refitted: change the model by fitting again.")
    source = None if sample_file is None else export.SourceRows.of(result)
    return ActiveData(MODEL, f"Model: {model_name}", X, models.columns, None, description,
                      f"model:{model_digest}:{sample_digest}", source=source), None


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
    return data.X[:, j], tuple(c for c in data.columns if c != choice)


def _feature_section(data, feature_columns):
    sb = st.sidebar
    chosen = st.session_state.get("columns")
    first_data = st.session_state.get("columns_of") is None  # a link may have chosen columns
    new_data = st.session_state.get("columns_of") != data.digest
    # New data starts with all its columns, even if the last data had the same names.
    if (new_data and not first_data) or not chosen or not set(chosen) <= set(feature_columns):
        st.session_state["columns"] = list(feature_columns)
    st.session_state["columns_of"] = data.digest
    chosen = sb.multiselect("Feature columns", list(feature_columns), key="columns",
                            help="The columns both models are fitted on.")
    if not chosen:
        sb.warning("Choose at least one column; using all of them meanwhile.")
        chosen = list(feature_columns)
    control = by_key("standardize")
    sb.toggle(control.label, key="standardize", help=control.setting.help)
    return tuple(c for c in feature_columns if c in chosen)


def _number_input(where, key, step, fmt=None):
    control = by_key(key)
    s = control.setting
    low, high = (s.low, s.high) if s.kind == "int" else (float(s.low), float(s.high))
    where.number_input(control.label, low, high, step=step, key=key, help=s.help,
                       **({"format": fmt} if fmt else {}))


def _model_section(n_rows):
    sb = st.sidebar
    sb.header("Models")
    top = max(1, min(MAX_K, n_rows))
    st.session_state["k"] = min(st.session_state["k"], top)
    k = by_key("k")
    sb.slider(k.label, 1, top, key="k", help=k.setting.help)
    for key, help_text in (("covariance_type", COVARIANCE_HELP.get), ("init", None)):
        control = by_key(key)
        sb.selectbox(control.label, list(control.setting.choices), key=key,
                     format_func=help_text or str, help=control.setting.help)
    _number_input(sb, "seed", 1)
    with sb.expander("Advanced"):
        _number_input(st, "n_init", 1)
        _number_input(st, "max_iter", 10)
        _number_input(st, "tol", 1e-4, "%.0e")
        _number_input(st, "reg_covar", 1e-6, "%.0e")
    return compare.Settings.checked({
        name: st.session_state[name] for name in (
            "k", "covariance_type", "init", "seed", "standardize", "n_init", "max_iter", "tol",
            "reg_covar")})


def _view_section(columns):
    if len(columns) <= 2:
        return "features", columns[0], columns[-1]
    sb = st.sidebar
    sb.header("2-D view")
    sb.radio(by_key("view").label, ["pca", "features"], key="view", format_func=lambda v: {
        "pca": "first two principal components", "features": "two of the features"}[v],
        help=by_key("view").setting.help)
    if st.session_state.get("view_x") not in columns:
        st.session_state["view_x"] = columns[0]
    if st.session_state.get("view_y") not in columns:
        st.session_state["view_y"] = columns[1]
    if st.session_state["view"] == "features":
        sb.selectbox("Horizontal axis", columns, key="view_x",
                     help="The feature along the 2-D charts' horizontal axis.")
        sb.selectbox("Vertical axis", columns, key="view_y",
                     help="The feature along the 2-D charts' vertical axis.")
    return st.session_state["view"], st.session_state["view_x"], st.session_state["view_y"]


def render_sidebar():
    """Draw the shared controls and return (data, columns, labels, settings, view choice)."""
    init_defaults()
    link_sync.apply_link_once()
    keep_generator_settings()
    notices = st.sidebar.container()
    data = _data_section()
    link_sync.show_notices(notices)
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
    link_sync.share_section(feature_columns)
    return data, columns, labels, settings, view_choice


def _columns_of(data, columns):
    if tuple(columns) == tuple(data.columns):
        return data.X  # every column: no copy (60 ms a run at 1,000,000 rows x 3)
    return data.X[:, [data.columns.index(c) for c in columns]]


def fitted_features(cur):
    """This run's chosen columns as loaded, before any standardising, (n_samples, n_features)."""
    return _columns_of(cur.data, cur.columns)


def prepare_current():
    """Render the sidebar, fit (cached, within budget) and keep the result for this run."""
    data, columns, labels, settings, (view, x, y) = render_sidebar()
    X = _columns_of(data, columns)
    with st.spinner("Fitting K-means and the Gaussian mixture…"):
        if data.key == MODEL:
            comparison = cached.loaded_comparison(data.digest,
                                                  st.session_state["loaded_models"], X)
        else:
            comparison = cached.fit_comparison(data.digest, columns, settings, X)
    if comparison.kmeans is None:
        st.error("The data could not be clustered: " + escape(comparison.kmeans_error, 1000))
        st.stop()
    rows = None if comparison.rows is None else compare.data_digest(comparison.rows)
    shown = cached.view_for((data.digest, settings.standardize, rows), columns, view, x, y,
                            comparison.X)
    labels_key = "builtin" if data.key != UPLOAD else st.session_state.get("label_column", "")
    set_current(Current(data, columns, settings, shown, comparison, labels, (view, x, y),
                        labels_key))

