"""What a hostile visitor sends, refused or made harmless: budgets, caches, escaping,
generated code, model files."""

import ast
import json
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

import gmmcore
from dashboard import budget, compare, datasets, export, loaded
from dashboard.cache import ByteCache, deep_nbytes
from dashboard.text import escape, plotly_text

HOSTILE = [
    "[Session expired, click here](https://evil.example/login)",
    "![tracker](https://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)>",
    ":red[alarm] :material/warning:",
    "$\\href{https://evil.example}{x}$",
    "**bold** _it_ `code` # heading",
]


# ------------------------------------------------------------------ escaping
@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_markdown_left(text):
    out = escape(text)
    unescaped = [c for i, c in enumerate(out) if c in "[]()!<>:$*_`#" and
                 (i == 0 or out[i - 1] != "\\")]
    assert not unescaped, out
    assert out.replace("\\", "") == text.replace("\\", "")  # shown literally


def test_escape_bounds_length_and_strips_control_characters():
    out = escape("a\u202eb\nc" + "x" * 1000, max_length=20)
    assert "\u202e" not in out and "\n" not in out and len(out.replace("\\", "")) == 20


def test_plotly_text_shows_tags_literally():
    assert plotly_text('<a href="https://evil.example">x</a>') == \
        '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'


# --------------------------------------------------------- generated code
ALLOWED_CALLS = {"pd.read_csv", "np.ascontiguousarray", "np.where", "gmmcore.KMeans",
                 "gmmcore.GaussianMixture", "print", "X.std", "X.mean", "gmm.predict",
                 "gmm.predict_proba", "gmm.score", "fit"}
ALLOWED_NODES = (ast.Module, ast.Import, ast.ImportFrom, ast.alias, ast.Assign, ast.Expr,
                 ast.Call, ast.Attribute, ast.Name, ast.Load, ast.Store, ast.Constant,
                 ast.keyword, ast.List, ast.Tuple, ast.Subscript, ast.BinOp, ast.Sub, ast.Div,
                 ast.Compare, ast.Gt)


def _call_name(func):
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        return func.attr  # gmmcore.KMeans(...).fit
    return ast.unparse(func)


def _assert_only_expected_code(script):
    tree = ast.parse(script)
    for node in ast.walk(tree):
        assert isinstance(node, ALLOWED_NODES), ast.dump(node)
        if isinstance(node, ast.Call):
            assert _call_name(node.func) in ALLOWED_CALLS, ast.unparse(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            assert all(a.name in ("numpy", "pandas", "gmmcore") for a in node.names)


@pytest.mark.parametrize("columns", [
    ["x", "y"],
    ["'); import os; os.system('echo pwned'); ('", 'a"b', "c\nd", "=cmd|' /C calc'!A0"],
])
def test_the_refit_script_holds_only_the_expected_calls_and_literals(columns):
    settings = compare.Settings(k=4, covariance_type="tied", standardize=True, tol=1e-5)
    script = export.reproduce_script(columns, settings, csv_name="x'); import os; ('.csv")
    _assert_only_expected_code(script)
    assert "import os" not in ast.unparse(ast.parse(script)).replace("'", "\"").split(
        "pd.read_csv")[0]


@pytest.mark.parametrize("field, value", [
    ("seed", "__import__('os').system('echo pwned')"), ("n_init", 10**9), ("k", 99),
    ("max_iter", "1e9"), ("tol", float("nan")), ("covariance_type", "full'); import os; ('"),
])
def test_the_refit_script_refuses_settings_outside_the_table(field, value):
    with pytest.raises(ValueError, match=field):
        export.reproduce_script(["x"], replace(compare.Settings(), **{field: value}))


# ------------------------------------------------------------------ budgets
def test_a_small_fit_runs_as_asked():
    plan = budget.plan_fit(600, 2, compare.Settings(n_init=3))
    assert (plan.n_rows, plan.n_fit, plan.n_init, plan.notes) == (600, 600, 3, ())


@pytest.mark.parametrize("n_rows, n_features, settings", [
    (200, 100, compare.Settings(k=12, max_iter=1000, tol=0, reg_covar=1, n_init=20)),
    (250_000, 100, compare.Settings(k=12, n_init=20, max_iter=1000, tol=0)),
    (1_000_000, 10, compare.Settings(k=12, n_init=20)),
])
def test_an_expensive_fit_is_planned_within_the_budget(n_rows, n_features, settings):
    limits = budget.Limits()
    plan = budget.plan_fit(n_rows, n_features, settings, limits)
    assert plan.notes  # the app says what it does instead
    assert plan.estimated_seconds <= limits.fit_seconds * 1.01 or plan.n_fit <= limits.min_fit_rows
    assert budget.pass_seconds(plan.n_rows, n_features, settings.k,
                               settings.covariance_type) <= limits.pass_seconds * 1.01
    entry = budget.history_entry_bytes(n_features, settings.k, settings.covariance_type)
    assert plan.history * entry <= limits.history_mb * 2**20
    assert plan.max_time == limits.fit_seconds


def test_the_grid_is_planned_within_its_budget():
    limits = budget.Limits()
    settings = compare.Settings(n_init=20, max_iter=1000)
    plan = budget.plan_grid(500_000, 50, range(1, 13), settings, gmmcore.COVARIANCE_TYPES,
                            limits)
    assert plan.n_init == 1 and plan.n_rows < 500_000 and plan.notes
    small = budget.plan_grid(150, 4, range(1, 9), compare.Settings(), gmmcore.COVARIANCE_TYPES)
    assert small.ks == tuple(range(1, 9)) and small.n_rows == 150 and not small.notes


def test_limits_come_from_secrets_then_environment():
    limits = budget.Limits.from_settings({"fit_seconds": "3", "grid_seconds": "bad"},
                                         {"KMGMM_FIT_SECONDS": "9", "KMGMM_HISTORY_MB": "-1"})
    assert limits.fit_seconds == 9.0 and limits.grid_seconds == budget.Limits().grid_seconds
    assert limits.history_mb == budget.Limits().history_mb


def test_a_fit_follows_its_plan_and_says_so():
    X = np.random.RandomState(0).normal(size=(200, 100))
    settings = compare.Settings(k=12, max_iter=1000, tol=0, reg_covar=1, n_init=20)
    limits = budget.Limits(fit_seconds=1.0)
    started = time.perf_counter()
    c = compare.compare(X, settings, limits)
    assert time.perf_counter() - started < 12
    assert len(c.gmm.restarts_) <= c.plan.n_init < 20
    assert len(c.gmm.history_) <= c.plan.history
    assert any("restarts" in note for note in c.warnings)


def test_a_big_upload_is_fitted_on_a_sample_and_every_row_labelled():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(30_000, 2)), rng.normal(6, 1, size=(30_000, 2))])
    limits = budget.Limits(fit_seconds=0.05, min_fit_rows=1000)
    c = compare.compare(X, compare.Settings(k=2), limits)
    assert c.plan.n_fit < len(X) == c.plan.n_rows
    assert len(c.kmeans_labels) == len(X) and c.resp.shape == (len(X), 2)
    assert any("uniform random sample" in note for note in c.warnings)


# -------------------------------------------------------------------- caches
def test_the_byte_cache_evicts_the_least_recently_used():
    cache = ByteCache(max_bytes=3 * 8000 + 500)
    for key in "abc":
        cache.get(key, lambda: np.zeros(1000))
    cache.get("a", lambda: pytest.fail("recomputed"))  # a is now the most recent
    cache.get("d", lambda: np.zeros(1000))
    assert cache.total_bytes <= cache.max_bytes and len(cache) == 3
    computed = []
    cache.get("b", lambda: computed.append(1) or np.zeros(1000))
    assert computed == [1]  # b was evicted
    cache.get("huge", lambda: np.zeros(10**6))
    assert "huge" not in cache._entries and cache.total_bytes <= cache.max_bytes


def test_the_byte_cache_computes_a_key_once_for_concurrent_callers():
    cache = ByteCache(max_bytes=10**6)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return np.ones(10)

    threads = [threading.Thread(target=cache.get, args=("k", slow)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]


def test_the_byte_cache_peeks_without_computing():
    cache = ByteCache(max_bytes=10**6, ttl=0.05)
    assert cache.peek("k") is None and len(cache) == 0
    cache.get("k", lambda: 1)
    assert cache.peek("k") == 1
    time.sleep(0.1)
    assert cache.peek("k") is None


def test_the_byte_cache_forgets_old_entries():
    cache = ByteCache(max_bytes=10**6, ttl=0.05)
    cache.get("k", lambda: 1)
    time.sleep(0.1)
    assert cache.get("k", lambda: 2) == 2


def test_deep_nbytes_counts_a_fit():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings())
    size = deep_nbytes(c)
    assert size > c.X.nbytes + c.resp.nbytes + sum(
        h["covariances"].nbytes for h in c.gmm.history_)


# --------------------------------------------------------------- model files
def _document(**changes):
    gmm = gmmcore.GaussianMixture(3, random_state=0).fit(datasets.load("anisotropic").X)
    km = gmmcore.KMeans(3, random_state=0).fit(datasets.load("anisotropic").X)
    document = gmmcore.models_to_dict(gmm=gmm, kmeans=km, columns=["x1", "x2"],
                                      settings={"k": 3, "seed": 0, "n_init": 1})
    for path, value in changes.items():
        *parents, last = path.split("__")
        where = document
        for key in parents:
            where = where[key]
        where[last] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize("raw, message", [
    (_document(settings__seed="__import__('os').system('x')"), "seed must be a whole number"),
    (_document(settings__n_init=1e9), "n_init must be a whole number from 1 to 20"),
    (_document(settings__max_iter=10**9), "max_iter must be a whole number"),
    (_document(gmm__n_iter=None), "gmm.n_iter"),
    (_document(kmeans__inertias=5), "kmeans.inertias"),
    (_document(columns=5), "columns must be a list"),
    (_document(settings=[1, 2]), "settings must be a JSON object"),
    (_document(kmeans__params__n_clusters="x"), "kmeans.params.n_clusters"),
    (_document(columns=["x1", "x1"]), "columns must not repeat"),
    (_document(gmm__means=[[1e200, 0], [0, 0], [1, 1]]), "gmm.means has values beyond"),
    (b"[" * 100_000 + b"]" * 100_000, "nests"),
    (b"\xff\xfe{\x00{", "not UTF-16 text"),
    (b"x" * (loaded.MAX_MODEL_MB * 2**20 + 1), "the limit is 20 MB"),
])
def test_hostile_model_files_are_refused_naming_the_field(raw, message):
    models, error = loaded.read_model_file(raw, "m.json")
    assert models is None and message in error, error


def test_a_model_with_more_clusters_than_the_dashboard_shows_is_refused():
    X = datasets.load("iris").X
    document = gmmcore.models_to_dict(gmm=gmmcore.GaussianMixture(13, random_state=0).fit(X))
    models, error = loaded.read_model_file(json.dumps(document).encode())
    assert models is None and "K = 13" in error


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_model_files_in_other_encodings_load(encoding):
    raw = _document().decode().encode(encoding)
    models, error = loaded.read_model_file(raw)
    assert error is None and models.settings.k == 3


def test_a_model_from_parameters_loads_and_shows():
    gmm = gmmcore.GaussianMixture.from_parameters(
        [0.5, 0.5], [[0.0, 0.0], [4.0, 4.0]], np.array([np.eye(2), np.eye(2)]))
    raw = json.dumps(gmmcore.models_to_dict(gmm=gmm, columns=["a", "b"])).encode()
    models, error = loaded.read_model_file(raw)
    assert error is None and models.gmm.n_iter_ == 0
    c = loaded.comparison_for(models, loaded.drawn_sample(models))
    assert c.kmeans is not None and c.resp.shape == (loaded.DRAWN_ROWS, 2)
