"""Property-based tests (Hypothesis) of what visitors control: uploads, model files, links.

Each of ``ingest``, ``read_model_file`` and ``from_query`` promises never to
raise and to answer with either a usable result or a message; these tests feed
them arbitrary and hostile inputs and check the shape of every answer.
"""

import contextlib
import copy
import dataclasses
import functools
import json
import warnings
from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gmmcore
from dashboard import datasets, generate, ingest, links, loaded
from dashboard import settings as dashboard_settings
from gmmcore import io
from gmmcore.settings import MAX_K, SETTINGS

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")


def _note(outcome):
    """Count an outcome in Hypothesis' statistics (--hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(outcome)


# ============================================================== ingest
def _check_ingest_result(result):
    """Either a refusal with a message, or a clean finite float64 table with its extras."""
    assert isinstance(result, ingest.IngestResult)
    assert isinstance(result.report, list)
    assert all(isinstance(line, str) for line in result.report)
    if result.error is not None:
        assert isinstance(result.error, str) and result.error.strip()
        assert result.features is None
        _note("ingest: refused")
        return
    _note("ingest: loaded")
    features, extra = result.features, result.extra
    assert isinstance(features, pd.DataFrame)
    assert isinstance(extra, pd.DataFrame)
    assert features.shape[0] >= 1 and features.shape[1] >= 1
    assert (features.dtypes == np.float64).all(), features.dtypes
    assert np.isfinite(features.to_numpy()).all()
    names = list(features.columns)
    assert all(isinstance(name, str) for name in names), names
    assert len(set(names)) == len(names), names
    assert len(extra) == len(features)
    assert extra.index.equals(features.index)
    everything = names + list(extra.columns)
    assert len(set(everything)) == len(everything), everything


@FAST
@given(raw=st.binary(max_size=3000), missing=st.sampled_from(["drop", "mean"]))
@example(raw=b"", missing="drop")
@example(raw=b"\xff\xfe", missing="drop")
@example(raw=b"\xff\xfea\x00,\x00", missing="drop")
@example(raw=b"a,b\n1,2\n3", missing="drop")
@example(raw=b'"', missing="drop")
@example(raw=b"[" * 3000, missing="drop")
def test_ingest_any_bytes_refuses_or_gives_a_clean_table(raw, missing):
    _check_ingest_result(ingest.ingest(raw, missing=missing))


HOSTILE_HEADERS = (
    "[click](http://x)", "<img src=x>", "=SUM(A1)", "+cmd|' /C calc'!A0", "@SUM(1)",
    '"quoted"', 'say "hi"', "two\nlines", "cr\rline", "", "  ", "a,b", "x;y", "tab\there",
    "pipe|name", "nan", "NA", "-", "1", "3,14", "1 234", "column 1", "column 1 (2)", "x (2)",
    "é", "\u202eevil", "<script>alert(1)</script>", "x" * 300, "\ufeffbom",
)
ODD_CELLS = tuple(sorted(ingest.MISSING_TOKENS | ingest.INFINITE_TOKENS)) + (
    "NaN", "NULL", "Inf", "-Infinity", "1e400", "-1e400", "1e200", "1e150", "0x1F", "1_000",
    "\u0661\u0662", "+", "e5", "--1", "1..2", ",5", ".5", "5.", "1,2,3", "1.2.3", "1 2",
    "1\u00a0234", "1\u202f234,5", "(12)", "12%", "$3", "=1+1", "\u2212" + "3",
)


NUMBER_STYLES = ("dot", "comma", "grouped", "grouped_dot", "grouped_space", "mixed")


def _number_texts(style="mixed"):
    """Numbers as text: repr floats, integers, decimal commas, thousands separators."""
    floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
    grouped = st.integers(1000, 10**9).map(lambda v: f"{v:,}")
    fraction = st.integers(0, 999)
    styles = {
        "dot": st.one_of(floats.map(repr), st.integers(-10**7, 10**7).map(str)),
        "comma": floats.map(lambda v: repr(v).replace(".", ",")),  # 3,14
        "grouped": st.one_of(grouped, st.tuples(grouped, fraction).map(
            lambda t: f"{t[0]}.{t[1]}")),  # 1,234,567 and 1,234.5
        "grouped_dot": st.one_of(grouped.map(lambda s: s.replace(",", ".")), st.tuples(
            grouped, fraction).map(lambda t: f"{t[0].replace(',', '.')},{t[1]}")),  # 1.234,5
        "grouped_space": st.one_of(grouped.map(lambda s: s.replace(",", " ")),
                                   grouped.map(lambda s: s.replace(",", "\u00a0"))),
    }
    if style == "mixed":
        return st.one_of(*styles.values())
    return styles[style]


def _long_field():
    return st.builds(lambda char, n: char * n, st.sampled_from(["9", "x", " ", ",", '"']),
                     st.sampled_from([1000, 5000, 99_000, 100_001, 120_000]))


def _cells(kind, style="mixed"):
    if kind == "numbers":
        return st.one_of(*[_number_texts(style)] * 8, st.sampled_from(ODD_CELLS))
    if kind == "text":
        return st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE_HEADERS))
    return st.one_of(*[_number_texts(style)] * 3, st.sampled_from(ODD_CELLS),
                     st.text(max_size=8), st.sampled_from(HOSTILE_HEADERS))


def _render(cell, delimiter, quote_anyway):
    special = delimiter in cell or any(c in cell for c in '"\n\r') or \
        (delimiter.isspace() and any(c.isspace() for c in cell))
    if special or quote_anyway:
        return '"' + cell.replace('"', '""') + '"'
    return cell


@st.composite
def csv_like_bytes(draw):
    """A table as a visitor might upload it: any delimiter, header, numbers and encoding."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " ", "   "]))
    n_cols = draw(st.integers(1, 6))
    n_rows = draw(st.integers(0, 15))
    kinds = draw(st.lists(st.sampled_from(["numbers"] * 5 + ["text", "anything"]),
                          min_size=n_cols, max_size=n_cols))
    style = draw(st.sampled_from(NUMBER_STYLES))
    rows = []
    if draw(st.booleans()):
        header = st.one_of(st.sampled_from(HOSTILE_HEADERS), st.text(max_size=12))
        rows.append(draw(st.lists(header, min_size=n_cols, max_size=n_cols)))
    for _ in range(n_rows):
        row = [draw(_cells(kind, style)) for kind in kinds]
        if draw(st.integers(0, 9)) == 0:  # a ragged row
            row = row[:draw(st.integers(0, n_cols))] + draw(st.lists(_cells("anything"),
                                                                      max_size=2))
        if draw(st.integers(0, 19)) == 0:  # a very long field
            row[draw(st.integers(0, len(row) - 1)) if row else 0:] = [draw(_long_field())]
        rows.append(row)
    quote_all = draw(st.booleans())
    lines = [delimiter.join(_render(c, delimiter, quote_all and draw(st.booleans()))
                            for c in row) for row in rows]
    if draw(st.integers(0, 4)) == 0:
        lines.insert(0, draw(st.sampled_from(["Exported by Tool v1", "Title: data", "",
                                              "# comment", "sep=;"])))
    if draw(st.integers(0, 4)) == 0 and lines:
        lines.insert(draw(st.integers(0, len(lines))), "")  # a blank line somewhere
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@FAST
@given(raw=csv_like_bytes(), missing=st.sampled_from(["drop", "mean"]))
def test_ingest_csv_like_text_refuses_or_gives_a_clean_table(raw, missing):
    _check_ingest_result(ingest.ingest(raw, missing=missing))


def _both_ways(raw, missing="drop"):
    """``ingest`` as it reads a file, and as it reads it with its fast path for plain
    numeric files turned off."""
    fast = ingest.ingest(raw, missing=missing)
    with mock.patch.object(ingest, "_plain_head", lambda text, max_rows: None):
        slow = ingest.ingest(raw, missing=missing)
    return fast, slow


def _assert_same_result(fast, slow):
    assert (fast.error, fast.report) == (slow.error, slow.report)
    for name in ("features", "extra", "table"):
        a, b = getattr(fast, name), getattr(slow, name)
        if a is None or b is None:
            assert a is b is None, name
        else:
            pd.testing.assert_frame_equal(a, b, check_column_type=False, obj=name)
    np.testing.assert_array_equal(fast.row_numbers, slow.row_numbers)
    assert fast.excluded == slow.excluded


@FAST
@given(raw=csv_like_bytes(), missing=st.sampled_from(["drop", "mean"]))
def test_the_fast_path_for_plain_numbers_reads_any_text_as_the_cell_by_cell_path(raw, missing):
    _assert_same_result(*_both_ways(raw, missing))


@st.composite
def numeric_tables(draw, min_cols=1):
    """(X, header): 2-30 rows of 1-5 non-constant columns, names unlike numbers."""
    n_rows = draw(st.integers(2, 30))
    n_cols = draw(st.integers(min_cols, 5))
    X = draw(hnp.arrays(np.float64, (n_rows, n_cols),
                        elements=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)))
    for j in range(n_cols):  # constant columns are (rightly) left out: make none
        if np.unique(X[:, j]).size == 1:
            X[0, j] = X[0, j] + 1.0
    names = [f"c{i}{text}" for i, text in enumerate(draw(st.lists(
        st.text(alphabet="abcdefghij_", max_size=6), min_size=n_cols, max_size=n_cols)))]
    return X, names


@FAST
@given(table=numeric_tables(), delimiter=st.sampled_from([",", ";", "\t", "|", " "]),
       encoding=st.sampled_from(ENCODINGS), newline=st.sampled_from(["\n", "\r\n"]))
def test_ingest_reads_a_well_formed_table_back_exactly(table, delimiter, encoding, newline):
    X, names = table
    lines = [delimiter.join(names)] + [delimiter.join(repr(float(v)) for v in row) for row in X]
    raw = (newline.join(lines) + newline).encode(encoding)
    result = ingest.ingest(raw)
    assert result.ok, result.error
    assert list(result.features.columns) == names
    assert result.features.shape == X.shape
    np.testing.assert_allclose(result.features.to_numpy(), X, rtol=1e-15, atol=0)
    assert result.extra.shape == (len(X), 0)


@FAST
@given(table=numeric_tables(), delimiter=st.sampled_from([",", ";", "\t", "|", " "]),
       header=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]),
       number=st.sampled_from([repr, lambda v: f"{v:.6g}", lambda v: f" {v:.3e} "]),
       title=st.sampled_from(["", "Exported_by_Tool_v1\n", "\n\n"]))
def test_plain_numeric_files_take_the_fast_path_to_the_same_table(table, delimiter, header,
                                                                 newline, number, title):
    X, names = table
    lines = [delimiter.join(names)] * header + [
        delimiter.join(number(float(v)).strip() if delimiter == " " else number(float(v))
                       for v in row) for row in X]
    if X.shape[1] == 1 and title.strip():
        title = ""  # (a one-column file cannot tell a title line from its header)
    raw = (title + newline.join(lines) + newline).encode()
    read = []
    with mock.patch.object(ingest, "_read_plain_numbers",
                           lambda *args, f=ingest._read_plain_numbers: read.append(f(*args))
                           or read[-1]):
        fast, slow = _both_ways(raw)
    _assert_same_result(fast, slow)
    assert isinstance(read[0], pd.DataFrame)  # the fast path read it
    assert fast.ok or "No usable numeric column" in fast.error  # (constant once rounded)


@FAST
@given(table=numeric_tables(min_cols=2), delimiter=st.sampled_from([";", "\t", "|"]),
       encoding=st.sampled_from(ENCODINGS))
def test_ingest_reads_decimal_commas_back_exactly(table, delimiter, encoding):
    """A spreadsheet's export in a comma-decimal locale (``2,5;1e-05``).

    Two columns at least: a one-column file of ``2,5`` lines has no delimiter to
    tell a decimal comma from a comma-separated pair of integers.
    """
    X, names = table
    lines = [delimiter.join(names)] + [
        delimiter.join(repr(float(v)).replace(".", ",") for v in row) for row in X]
    result = ingest.ingest(("\n".join(lines) + "\n").encode(encoding))
    assert result.ok, result.error
    assert list(result.features.columns) == names
    np.testing.assert_allclose(result.features.to_numpy(), X, rtol=1e-15, atol=0)


# ============================================================== model files
def _small_data():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal([0, 0], 0.5, (20, 2)), rng.normal([4, 1], 0.8, (20, 2)),
                      rng.normal([1, 5], 0.3, (20, 2))])


@functools.cache
def _valid_documents():
    """One valid models document per covariance type, as plain JSON values (fitted once)."""
    X = _small_data()
    preprocessing = io.standardization(X)
    Z = io.apply_preprocessing(X, preprocessing)
    documents = []
    for covariance_type in gmmcore.COVARIANCE_TYPES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", gmmcore.ConvergenceWarning)
            gmm = gmmcore.GaussianMixture(3, covariance_type=covariance_type, random_state=0,
                                          max_iter=20, keep_history=True).fit(Z)
            kmeans = gmmcore.KMeans(3, random_state=0, keep_history=True).fit(Z)
        document = gmmcore.models_to_dict(
            gmm=gmm, kmeans=kmeans, columns=["width", "height"], preprocessing=preprocessing,
            settings={"k": 3, "covariance_type": covariance_type, "init": "kmeans", "seed": 0,
                      "standardize": True, "n_init": 1, "max_iter": 20, "tol": 1e-3,
                      "reg_covar": 1e-6, "n_samples": len(X), "data": "three blobs"},
            include_history=True)
        documents.append(json.loads(io.dumps(document)))
    return tuple(documents)


def _check_read(raw):
    """``read_model_file`` answers models xor a message; models that load predict."""
    answer = loaded.read_model_file(raw, "m.json")
    assert isinstance(answer, tuple) and len(answer) == 2
    models, error = answer
    if models is None:
        assert isinstance(error, str) and error.strip()
        _note("model file: refused")
        return None
    _note("model file: loaded")
    assert error is None
    assert isinstance(models, loaded.LoadedModels)
    gmm, kmeans = models.gmm, models.kmeans
    assert gmm is not None or kmeans is not None
    for field in dataclasses.fields(models.settings):
        value = getattr(models.settings, field.name)
        assert SETTINGS[field.name].parse(value) == value, (field.name, value)
    k = models.settings.k
    assert 1 <= k <= MAX_K
    d = gmm.n_features_in_ if gmm is not None else kmeans.n_features_in_
    assert len(models.columns) == d
    assert all(isinstance(c, str) and c.strip() for c in models.columns)
    sample = np.random.default_rng(0).standard_normal((6, d))
    if gmm is not None:
        assert gmm.n_components == k
        assert models.settings.covariance_type == gmm.covariance_type
        X = np.vstack([sample, gmm.means_, (gmm.means_ + gmm.means_[::-1]) / 2])
        resp = gmm.predict_proba(X)
        assert resp.shape == (len(X), k)
        assert np.isfinite(resp).all(), resp
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-9)
        labels = gmm.predict(X)
        assert ((labels >= 0) & (labels < k)).all()
    if kmeans is not None:
        assert kmeans.cluster_centers_.shape == (k, d)
        centers = kmeans.cluster_centers_
        X = np.vstack([sample, centers, (centers + centers[::-1]) / 2])
        labels = kmeans.predict(X)
        assert labels.shape == (len(X),)
        assert ((labels >= 0) & (labels < k)).all()
    return models


def test_the_valid_documents_load():
    for document in _valid_documents():
        models = _check_read(json.dumps(document).encode())
        assert models is not None
        assert models.gmm is not None and models.kmeans is not None
        assert models.columns == ("width", "height")


@FAST
@given(raw=st.binary(max_size=3000))
@example(raw=b"[" * 100_000)
@example(raw=b'{"a":' * 50_000)
@example(raw=b"\xff\xfe[\x00")
@example(raw=b"\xef\xbb\xbf{}")
@example(raw=b"NaN")
def test_read_model_file_any_bytes(raw):
    _check_read(raw)


_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                          st.text(max_size=10))


def _json_values(max_leaves=25):
    return st.recursive(_JSON_SCALARS, lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children,
                                                        max_size=5)), max_leaves=max_leaves)


def _schema_like():
    """JSON that looks like a models document, so the checks beyond ``format`` run."""
    anything = _json_values(12)
    matrix = st.lists(st.lists(st.floats(-10, 10), min_size=1, max_size=3), min_size=1,
                      max_size=4)
    gmm = st.fixed_dictionaries({"estimator": st.just("GaussianMixture")}, optional={
        "params": st.fixed_dictionaries({}, optional={
            "covariance_type": st.sampled_from(list(gmmcore.COVARIANCE_TYPES)) | anything,
            "n_components": anything, "tol": anything, "random_state": anything}),
        "weights": st.lists(st.floats(0, 1), max_size=4) | anything,
        "means": matrix | anything, "covariances": anything, "converged": anything,
        "n_iter": anything, "lower_bound": anything, "lower_bounds": anything,
        "history": anything, "n_features_in": anything})
    kmeans = st.fixed_dictionaries({"estimator": st.just("KMeans")}, optional={
        "params": st.fixed_dictionaries({}, optional={
            "n_clusters": anything, "init": anything | matrix, "n_init": anything}),
        "cluster_centers": matrix | anything, "converged": anything, "n_iter": anything,
        "inertia": anything, "inertias": anything, "history": anything,
        "n_features_in": anything})
    return st.fixed_dictionaries({"format": st.just(io.FORMAT)}, optional={
        "gmm": gmm | anything, "kmeans": kmeans | anything, "columns": anything,
        "preprocessing": anything, "settings": anything})


@FAST
@given(document=st.one_of(_json_values(), _schema_like()),
       as_text=st.booleans())
def test_read_model_file_any_json(document, as_text):
    text = json.dumps(document)  # NaN and Infinity literals included: json.loads reads them
    _check_read(text if as_text else text.encode())


def _draw_path(data, document):
    """A field or leaf of a JSON document, chosen by walking down from the top: every
    level (top-level fields, model parts, parameters, array entries) is reached often."""
    path, node = (), document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return path
        key = data.draw(st.sampled_from(keys), label="step")
        path, node = (*path, key), node[key]
        if not isinstance(node, dict | list) or data.draw(st.integers(0, 3), label="stop") == 0:
            return path


def _deep_list(depth):
    value = [1.0]
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, 1, -1, 2, 13, 1e308, -1e308, 1e-320, 1e-300,
                     2**53 + 1, 10**400, -(10**400), "", " ", "x", "full", "1", "nan",
                     "GaussianMixture", "KMeans", io.FORMAT, "<img src=x>", [], {}, [[]],
                     [None], [1, "a"], [[1, 2], [3]], [[1.0, 2.0], [2.0, 1.0]], {"a": 1},
                     float("nan"), float("inf"), float("-inf")]),
    st.integers(), st.floats(), st.text(max_size=20), st.floats(-10, 10),
    st.integers(1, 400).map(_deep_list),
    st.lists(st.floats(), max_size=5),
    st.lists(st.lists(st.floats(-10, 10), min_size=1, max_size=3), max_size=4),
    st.integers(1, 15).map(lambda k: [[float(i), 0.0] for i in range(k)]),
)
SCALE_FACTORS = (-1.0, 0.0, 1e-200, 1e-20, 1e20, 1e150, 1e200, 1 + 1e-9, 1 + 1e-6, 2.0)


def _set(document, path, value=None, delete=False):
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _get(document, path):
    for step in path:
        document = document[step]
    return document


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_read_model_file_mutated_documents(data):
    documents = _valid_documents()
    document = copy.deepcopy(documents[data.draw(st.integers(0, len(documents) - 1),
                                                 label="covariance type")])
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = _draw_path(data, document)
        if not path:
            break
        how = data.draw(st.sampled_from(["replace", "replace", "delete", "scale"]),
                        label="how")
        old = _get(document, path)
        if how == "scale" and isinstance(old, float | int) and not isinstance(old, bool):
            factor = data.draw(st.sampled_from(SCALE_FACTORS), label="factor")
            # An int already beyond float64 cannot be scaled: it stays, hostile enough.
            with contextlib.suppress(OverflowError):
                _set(document, path, old * factor)
        elif how == "delete":
            _set(document, path, None, delete=True)
        else:
            _set(document, path, data.draw(HOSTILE_VALUES, label="value"))
    _check_read(json.dumps(document).encode())


MEAN_MAGNITUDES = (1.0, 1e-150, 1e50, 1e100, 1e150, 1e152)
VARIANCE_MAGNITUDES = (1.0, 1e-300, 1e-200, 1e-100, 1e-10, 1e100, 1e200, 1e300)


@st.composite
def extreme_documents(draw):
    """Models documents with parameters of extreme but accepted magnitudes (means up to
    ±1.5e152, variances from 1e-300 to 1e306): the fields a visitor can set to any value
    the checks let through."""
    covariance_type = draw(st.sampled_from(list(gmmcore.COVARIANCE_TYPES)))
    k = draw(st.one_of(st.integers(1, 4), st.integers(MAX_K, MAX_K + 2)))  # beyond: refused
    d = draw(st.integers(1, 3))
    unit = st.floats(-1.5, 1.5, allow_nan=False)
    means = np.array(draw(hnp.arrays(np.float64, (k, d), elements=unit)))
    means *= draw(st.sampled_from(MEAN_MAGNITUDES))
    v = draw(st.sampled_from(VARIANCE_MAGNITUDES))
    positive = st.floats(0.1, 10.0)
    if covariance_type in ("spherical", "diag"):
        covariances = draw(hnp.arrays(np.float64, (k,) if covariance_type == "spherical"
                                      else (k, d), elements=positive)) * v
    else:
        factors = draw(hnp.arrays(np.float64, (k if covariance_type == "full" else 1, d, d),
                                  elements=st.floats(-1.0, 1.0)))
        factors = np.tril(factors, -1) + np.eye(d) * draw(st.floats(0.5, 2.0))
        covariances = factors @ np.swapaxes(factors, 1, 2) * v
        covariances = (covariances + np.swapaxes(covariances, 1, 2)) / 2
        if covariance_type == "tied":
            covariances = covariances[0]
    raw_weights = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k)))
    centers = np.array(draw(hnp.arrays(np.float64, (k, d), elements=unit)))
    centers *= draw(st.sampled_from(MEAN_MAGNITUDES))
    gmm = {"estimator": "GaussianMixture",
           "params": {"n_components": k, "covariance_type": covariance_type},
           "weights": (raw_weights / raw_weights.sum()).tolist(), "means": means.tolist(),
           "covariances": covariances.tolist(), "n_features_in": d}
    kmeans = {"estimator": "KMeans", "params": {"n_clusters": k},
              "cluster_centers": centers.tolist(), "n_features_in": d}
    parts = draw(st.sampled_from([("gmm",), ("kmeans",), ("gmm", "kmeans")]))
    return {"format": io.FORMAT, "columns": [f"x{i}" for i in range(d)],
            "settings": {"k": min(k, MAX_K)}, "gmm": gmm if "gmm" in parts else None,
            "kmeans": kmeans if "kmeans" in parts else None}


def _one_mixture(covariance_type, means, covariances):
    k = len(means)
    return {"format": io.FORMAT, "gmm": {
        "estimator": "GaussianMixture", "params": {"covariance_type": covariance_type},
        "weights": [1 / k] * k, "means": means, "covariances": covariances}}


@FAST
@given(document=extreme_documents())
@example(document=_one_mixture("full", [[1e50]], [[[1e-300]]]))
@example(document=_one_mixture("diag", [[0.0], [1e150]], [[1e-10], [1e-10]]))
def test_read_model_file_extreme_parameters(document):
    _check_read(json.dumps(document).encode())


# ============================================================== links
LINK_DEFAULTS = {"dataset": datasets.DEFAULT, **dashboard_settings.DEFAULTS}
ALL_COLUMNS = sorted({c for key in datasets.BUILTIN for c in datasets.load(key).columns}
                     | {f"x{i}" for i in range(1, 12)})
LINKED_CONTROLS = dashboard_settings.CONTROLS + dashboard_settings.GENERATOR_CONTROLS
CONTROL_KEYS = {c.key: c for c in LINKED_CONTROLS + dashboard_settings.PAGE_CONTROLS}
INTERESTING_VALUES = (
    *links.DATASETS, "IRIS", " iris", "0", "1", "3", "12", "13", "20", "1000000", "1000001",
    "shared", "random", "none", "50", "50.5", "180",
    "-1", "+3", " 3 ", "3.0", "1e3", "1e9", "nan", "inf", "-inf", "1e-3", "0.0", "-0.0", "1e-400",
    "true", "yes", "off", "TRUE", "2", "full", "diag", "tied", "spherical", "kmeans", "random",
    "k-means++", "random_from_data", "pca", "features", "\u0663", "\u00b2", "1_0", "0x10",
    "2147483647", "2147483648", "9" * 19, "9" * 25, "1" * 39, "1" * 45, "", ",", ",,x1,",
)


def _query_values():
    return st.one_of(st.text(max_size=30), st.sampled_from(INTERESTING_VALUES),
                     st.lists(st.sampled_from([*ALL_COLUMNS, "", " x1", "nope"]),
                              max_size=6).map(",".join))


@FAST
@given(query=st.dictionaries(st.one_of(st.sampled_from(sorted(links.PARAMS)),
                                       st.text(max_size=8)),
                             _query_values(), max_size=10))
def test_from_query_never_fails_and_keeps_values_in_range(query):
    state, notices = links.from_query(query, LINK_DEFAULTS)
    assert isinstance(state, dict) and isinstance(notices, list)
    assert all(isinstance(n, str) and n for n in notices)
    assert set(state) <= set(links.PARAMS.values()), state
    for key, value in state.items():
        if key in CONTROL_KEYS:
            parsed = CONTROL_KEYS[key].setting.parse(value)
            assert parsed == value and type(parsed) is type(value), (key, value)
    chosen = state.get("dataset", datasets.DEFAULT)
    assert chosen in links.DATASETS
    if "dataset" in query and query["dataset"] != chosen:
        assert "dataset" not in state
    columns = datasets.load(chosen).columns if chosen in datasets.BUILTIN else \
        generate.Recipe.from_state(state).columns if chosen == links.GENERATED else ()
    if "columns" in state:
        assert state["columns"], state
        assert set(state["columns"]) <= set(columns), (state["columns"], columns)
        assert len(set(state["columns"])) == len(state["columns"])
    for key in ("view_x", "view_y"):
        if key in state:
            assert state[key] in columns
    for control in LINKED_CONTROLS:  # each asked value is taken or explained
        if control.query not in query:
            continue
        try:
            expected = control.setting.parse(query[control.query])
        except ValueError:
            assert any(f"{control.query}=" in n for n in notices), (control.query, notices)
        else:
            assert state[control.key] == expected


def _draw_value(setting):
    if setting.kind == "int":
        return st.integers(int(setting.low), int(setting.high))
    if setting.kind == "float":
        return st.floats(setting.low, setting.high, allow_nan=False)
    if setting.kind == "bool":
        return st.booleans()
    return st.sampled_from(setting.choices)


@st.composite
def sidebar_states(draw):
    dataset = draw(st.sampled_from([*datasets.BUILTIN, links.GENERATED]))
    state = {"dataset": dataset}
    for control in LINKED_CONTROLS:
        state[control.key] = draw(_draw_value(control.setting), label=control.key)
    all_columns = list(datasets.load(dataset).columns if dataset in datasets.BUILTIN
                       else generate.Recipe.from_state(state).columns)
    # The multiselect keeps the order of clicks; the sidebar uses the dataset's order.
    columns = draw(st.permutations(all_columns))[:draw(st.integers(1, len(all_columns)))]
    state["columns"] = columns
    if state["view"] == "features":
        state["view_x"] = draw(st.sampled_from(columns))
        state["view_y"] = draw(st.sampled_from(columns))
    return state, all_columns


@FAST
@given(drawn=sidebar_states())
def test_links_round_trip_every_valid_state(drawn):
    state, all_columns = drawn
    query = links.to_query(state, LINK_DEFAULTS, all_columns)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    back, notices = links.from_query(query, LINK_DEFAULTS)
    assert notices == []
    assert back["dataset"] == state["dataset"]
    for control in dashboard_settings.CONTROLS:
        got = back.get(control.key, LINK_DEFAULTS[control.key])
        assert got == state[control.key], (control.key, got, state[control.key])
    if state["dataset"] == links.GENERATED:  # every generator setting, exactly
        assert generate.Recipe.from_state(back) == generate.Recipe.from_state(state)
    assert back.get("columns", all_columns) == [c for c in all_columns if c in state["columns"]]
    for key in ("view_x", "view_y"):
        assert back.get(key) == state.get(key), key

