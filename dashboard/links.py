"""Shareable links: the sidebar settings as URL query parameters, and back.

The page is the URL's path (``st.navigation``); everything else the sidebar
decides is a query parameter. Reading a link never fails: a value that does not
parse or is out of range is replaced by the default and explained in a notice.
Uploaded data is never part of a link.
"""

from collections import ChainMap
from urllib.parse import urlencode, urlsplit

from . import datasets, generate
from .settings import (
    CONTROLS,
    GENERATOR_CONTROLS,
    MAX_K,
    PAGE_CONTROLS,
    STEP_TABS,
    VIEW3D_AXES,
    by_key,
)

UPLOAD = "upload"
MODEL = "model"
GENERATED = generate.KEY
DATASETS = (*datasets.BUILTIN, GENERATED, UPLOAD, MODEL)  # what a link's dataset may name

# query parameter -> sidebar session key: the table's controls, then the
# dataset-dependent ones.
AXES_3D = dict(zip(("x3", "y3", "z3"), VIEW3D_AXES))
PARAMS = {"dataset": "dataset", **{c.query: c.key for c in CONTROLS},
          **{c.query: c.key for c in GENERATOR_CONTROLS},
          "columns": "columns", "x": "view_x", "y": "view_y",
          **{c.query: c.key for c in PAGE_CONTROLS}, **AXES_3D}
COLUMN_NAMES = ("x", "y", *AXES_3D)  # parameters holding a column's name
ALWAYS = ("dataset", *(c.query for c in CONTROLS if c.in_every_link))
GENERATOR_PARAMS = tuple(c.query for c in GENERATOR_CONTROLS)
UPLOAD_NOTICE = ("This link was made while viewing an uploaded file, and links never carry "
                 "uploaded data: upload the file again to see it. The link's other settings "
                 "are applied.")
MODEL_NOTICE = ("This link was made while viewing a loaded model file, and links never carry "
                "files: load the model again to see it.")
MAX_SHOWN = 60  # characters of a bad value quoted back in a notice

__all__ = ["ALWAYS", "DATASETS", "GENERATED", "MAX_K", "MODEL", "PARAMS", "UPLOAD",
           "from_query", "share_url", "to_query"]


def _quote(value):
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 4] + "...'"


def to_query(state, defaults, all_columns):
    """The query parameters that reproduce the sidebar ``state``.

    Parameters
    ----------
    state : Mapping
        Sidebar session values by session key.
    defaults : Mapping
        Default values by session key; advanced settings equal to them are
        left out to keep links short.
    all_columns : sequence of str
        The dataset's columns; ``columns`` is written only for a subset of a
        built-in dataset.

    Returns
    -------
    dict of str to str
    """
    query = {}
    state = ChainMap(_page_state(state), state)
    for name, key in PARAMS.items():
        value = state.get(key)
        default = defaults.get(key, _default_of(key))
        if value is None or _left_out(name, value, state, default, all_columns):
            continue
        if name == "columns":
            query[name] = ",".join(value)
        elif name == "dataset" or name in COLUMN_NAMES:
            query[name] = str(value)
        else:
            query[name] = by_key(key).setting.text(value)
    return query


def _default_of(key):
    try:
        return by_key(key).default
    except StopIteration:
        return None


def _page_state(state):
    """Page settings kept under widget keys, as the table's controls name them."""
    derived = {}
    if state.get("choose_k_range"):
        derived["choose_k_min"], derived["choose_k_max"] = state["choose_k_range"]
    label = state.get("steps_tab")
    if label in STEP_TABS.values():
        derived["steps_tab_choice"] = next(k for k, v in STEP_TABS.items() if v == label)
    return derived


def _left_out(name, value, state, default, all_columns):
    if (name == "columns" or name in COLUMN_NAMES) and state.get("dataset") in (UPLOAD, MODEL):
        return True  # a file's column names never enter a link
    if name == "columns":
        return list(value) == list(all_columns)
    if name in ("x", "y"):
        return state.get("view") != "features"
    if name in GENERATOR_PARAMS:  # all of them with generated data (the exact data), else none
        return state.get("dataset") != GENERATED
    if name in AXES_3D:
        return state.get("view3d_axes") != "features"
    return name not in ALWAYS and value == default


def from_query(query, defaults):
    """Sidebar values a link asks for, and notices for what it asked wrongly.

    Parameters
    ----------
    query : Mapping of str to str
        The link's query parameters (unknown ones are ignored).
    defaults : Mapping
        Default values by session key, used in the notices.

    Returns
    -------
    state : dict
        Session values by session key, only for parameters present and valid.
    notices : list of str
        One sentence per value that was replaced by its default.
    """
    state, notices = {}, []
    query = {str(k): str(v) for k, v in query.items()}
    dataset = query.get("dataset")
    if dataset is not None:
        if dataset in DATASETS:
            state["dataset"] = dataset
        else:
            notices.append(f"The link's dataset={_quote(dataset)} is not one of "
                           f"{', '.join(DATASETS)}; showing the default dataset.")
        notices += {UPLOAD: [UPLOAD_NOTICE], MODEL: [MODEL_NOTICE]}.get(dataset, [])
    _parse_controls(query, GENERATOR_CONTROLS, defaults, state, notices)
    chosen = state.get("dataset", datasets.DEFAULT)
    suggested_k, columns = _dataset_shape(chosen, state)
    if suggested_k is not None:
        defaults = {**defaults, "k": suggested_k}
        state["k"] = suggested_k
    _parse_controls(query, CONTROLS + PAGE_CONTROLS, defaults, state, notices)
    if columns is not None:
        _columns_from_query(query, columns, state, notices)
    return state, notices


def _parse_controls(query, controls, defaults, state, notices):
    """Each of ``controls`` the query sets, parsed into ``state``; a notice for each refusal."""
    for control in controls:
        if control.query not in query:
            continue
        try:
            state[control.key] = control.setting.parse(query[control.query])
        except ValueError:
            default = defaults.get(control.key, control.default)
            fallback = ("the page's own choice" if default is None
                        else control.setting.text(default))
            notices.append(f"The link's {control.query}={_quote(query[control.query])} is not "
                           f"{control.setting.expected}; using {fallback}.")


def _dataset_shape(chosen, state):
    """The suggested K and the column names of a built-in or generated dataset
    (None, None for a file: its columns are never in a link)."""
    if chosen in datasets.BUILTIN:
        builtin = datasets.load(chosen)
        return builtin.suggested_k, builtin.columns
    if chosen == GENERATED:
        recipe = generate.Recipe.from_state(state)  # the link's generator settings, all valid
        return recipe.clusters, recipe.columns
    return None, None


def _columns_from_query(query, columns, state, notices):
    if "columns" in query:
        asked = [c for c in query["columns"].split(",") if c]
        known = [c for c in columns if c in asked]
        unknown = [c for c in asked if c not in columns]
        if unknown:
            notices.append(f"The link names column(s) {', '.join(map(_quote, unknown[:5]))} "
                           f"that this dataset does not have ({', '.join(columns)}); "
                           + ("ignoring them." if known else "using all columns."))
        if known:
            state["columns"] = known
    for name in COLUMN_NAMES:
        if name in query:
            if query[name] in columns:
                state[PARAMS[name]] = query[name]
            else:
                notices.append(f"The link's {name}={_quote(query[name])} is not a column of "
                               "this dataset; using the first columns.")
    axes = [query[name] for name in AXES_3D if query.get(name) in columns]
    if len(set(axes)) < len(axes):
        notices.append("The link's x3, y3 and z3 repeat a feature; each 3-D axis needs its "
                       "own, so a repeated one is replaced by another feature.")


def share_url(base_url, query):
    """The link to share: ``base_url`` (scheme, host and page path) plus ``query``."""
    base = base_url or ""
    if base and not urlsplit(base).path:
        base += "/"
    return base + ("?" + urlencode(query) if query else "")
