"""Shareable links: the sidebar settings as URL query parameters, and back.

The page is the URL's path (``st.navigation``); everything else the sidebar
decides is a query parameter. Reading a link never fails: a value that does not
parse or is out of range is replaced by the default and explained in a notice.
Uploaded data is never part of a link.
"""

from urllib.parse import urlencode, urlsplit

import gmmcore

from . import datasets

UPLOAD = "upload"
MODEL = "model"
MAX_K = 12

# query parameter -> sidebar session key
PARAMS = {
    "dataset": "dataset", "k": "k", "cov": "covariance_type", "init": "init", "seed": "seed",
    "standardize": "standardize", "columns": "columns", "n_init": "n_init",
    "max_iter": "max_iter", "tol": "tol", "reg_covar": "reg_covar", "view": "view",
    "x": "view_x", "y": "view_y",
}
ALWAYS = ("dataset", "k", "cov", "init", "seed", "standardize")
UPLOAD_NOTICE = ("This link was made while viewing an uploaded file, and links never carry "
                 "uploaded data: upload the file again to see it. The link's other settings "
                 "are applied.")
MODEL_NOTICE = ("This link was made while viewing a loaded model file, and links never carry "
                "files: load the model again to see it.")


def _int_in(lo, hi):
    def parse(text):
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError
        return value
    parse.expected = f"a whole number from {lo} to {hi}"
    return parse


def _float_in(lo, hi):
    def parse(text):
        value = float(text)
        if not lo <= value <= hi:  # also refuses NaN
            raise ValueError
        return value
    parse.expected = f"a number from {lo:g} to {hi:g}"
    return parse


def _one_of(options):
    def parse(text):
        if text not in options:
            raise ValueError
        return text
    parse.expected = "one of " + ", ".join(options)
    return parse


def _flag(text):
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError


_flag.expected = "1 or 0"

PARSERS = {
    "k": _int_in(1, MAX_K),
    "cov": _one_of(gmmcore.COVARIANCE_TYPES),
    "init": _one_of(gmmcore.INIT_PARAMS),
    "seed": _int_in(0, 2**31 - 1),
    "standardize": _flag,
    "n_init": _int_in(1, 20),
    "max_iter": _int_in(1, 1000),
    "tol": _float_in(0.0, 1.0),
    "reg_covar": _float_in(0.0, 10.0),
    "view": _one_of(("pca", "features")),
}


def _text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


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
    for name, key in PARAMS.items():
        value = state.get(key)
        if value is None or _left_out(name, value, state, defaults.get(key), all_columns):
            continue
        query[name] = ",".join(value) if name == "columns" else _text(value)
    return query


def _left_out(name, value, state, default, all_columns):
    if name == "columns":
        return state.get("dataset") in (UPLOAD, MODEL) or list(value) == list(all_columns)
    if name in ("x", "y"):
        return state.get("view") != "features"
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
    dataset = query.get("dataset")
    if dataset is not None:
        if dataset in datasets.BUILTIN or dataset in (UPLOAD, MODEL):
            state["dataset"] = dataset
        else:
            notices.append(f"The link's dataset={dataset!r} is not one of "
                           f"{', '.join(datasets.BUILTIN)}; showing the default dataset.")
        notices += {UPLOAD: [UPLOAD_NOTICE], MODEL: [MODEL_NOTICE]}.get(dataset, [])
    chosen = state.get("dataset", datasets.DEFAULT)
    builtin = datasets.load(chosen) if chosen in datasets.BUILTIN else None
    if builtin is not None:
        defaults = {**defaults, "k": builtin.suggested_k}
        state["k"] = builtin.suggested_k
    for name, parse in PARSERS.items():
        if name not in query:
            continue
        key = PARAMS[name]
        try:
            state[key] = parse(query[name].strip())
        except ValueError:
            notices.append(f"The link's {name}={query[name]!r} is not {parse.expected}; using "
                           f"{_text(defaults.get(key))}.")
    if builtin is not None:
        _columns_from_query(query, builtin.columns, state, notices)
    return state, notices


def _columns_from_query(query, columns, state, notices):
    if "columns" in query:
        asked = [c for c in query["columns"].split(",") if c]
        known = [c for c in columns if c in asked]
        unknown = [c for c in asked if c not in columns]
        if unknown:
            notices.append(f"The link names column(s) {', '.join(map(repr, unknown))} that "
                           f"this dataset does not have ({', '.join(columns)}); "
                           + ("ignoring them." if known else "using all columns."))
        if known:
            state["columns"] = known
    for name in ("x", "y"):
        if name in query:
            if query[name] in columns:
                state[PARAMS[name]] = query[name]
            else:
                notices.append(f"The link's {name}={query[name]!r} is not a column of this "
                               "dataset; using the first columns.")


def share_url(base_url, query):
    """The link to share: ``base_url`` (scheme, host and page path) plus ``query``."""
    base = base_url or ""
    if base and not urlsplit(base).path:
        base += "/"
    return base + ("?" + urlencode(query) if query else "")
