"""The real app (AppTest) against what a hostile visitor sends: everything ends in a clear
message or a correct result, nothing is rendered from user text, budgets hold."""

import json
import os
import re
import runpy
import time

import numpy as np
import pytest

import gmmcore
from dashboard import budget, datasets, generate
from dashboard.ui import cached, sidebar, state

from .conftest import APP, PAGES, AppSession, new_session

ALERTS = ("error", "warning", "info", "success")
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\s*\(")
UNESCAPED_TAG = re.compile(r"(?<!\\)<\s*[a-zA-Z/]")


def _current(at):
    return at.session_state["_current"]


def _texts(at):
    """Every Markdown string the run rendered (main area and sidebar)."""
    out = []
    for kind in ("markdown", "caption", *ALERTS):
        out += [el.value for el in at.get(kind)]
        out += [el.value for el in at.sidebar.get(kind)]
    return out


def _assert_nothing_renders_from_user_text(at):
    assert not at.exception, [e.value for e in at.exception]
    for text in _texts(at):
        assert not UNESCAPED_LINK.search(text), text
        assert not UNESCAPED_TAG.search(text), text


def _upload(at, name, raw):
    at.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader(key="upload").set_value((name, raw, "text/csv")).run()
    return at


@pytest.fixture
def tight_limits(monkeypatch):
    """A server whose fits may take one second: the budget's fallbacks in a fast test."""
    monkeypatch.setenv("KMGMM_FIT_SECONDS", "1")
    state.limits.clear()
    cached._caches.clear()
    yield state.limits()
    monkeypatch.delenv("KMGMM_FIT_SECONDS")
    state.limits.clear()
    cached._caches.clear()


def test_file_names_headers_and_title_lines_are_shown_as_text(app):
    name = "[Session expired, click here](https://evil.example).csv"
    rows = "\n".join(f"{i % 7},{(i * 3) % 11}" for i in range(40))
    raw = ("Report ![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)>\n"
           "[a](https://evil.example),<b>b</b>\n" + rows + "\n").encode()
    _upload(app, name, raw)
    assert _current(app).data.columns == ("[a](https://evil.example)", "<b>b</b>")
    for page in PAGES:
        app.switch_page(page).run()
        _assert_nothing_renders_from_user_text(app)
    assert any("evil.example" in text.replace("\\", "") for text in _texts(app))  # as text


def test_a_hostile_link_is_explained_in_text():
    at = AppSession(APP, default_timeout=120)
    at.query_params["k"] = "[click](https://evil.example)"
    at.query_params["columns"] = "<img src=x>"
    at.query_params["dataset"] = "iris"
    at.run()
    _assert_nothing_renders_from_user_text(at)
    assert len(at.sidebar.warning) == 2


def test_the_expensive_link_and_upload_finish_within_the_budget(tight_limits):
    at = AppSession(APP, default_timeout=120)
    for name, value in dict(dataset="upload", k="12", max_iter="1000", tol="0",
                            reg_covar="1", n_init="20").items():
        at.query_params[name] = value
    at.run()
    rng = np.random.RandomState(0)
    header = ",".join(f"c{j}" for j in range(100))
    body = "\n".join(",".join(f"{v:.4f}" for v in row) for row in rng.normal(size=(200, 100)))
    started = time.perf_counter()
    at.file_uploader(key="upload").set_value(("wide.csv", (header + "\n" + body).encode(),
                                              "text/csv")).run()
    elapsed = time.perf_counter() - started
    assert not at.exception
    c = _current(at).comparison
    assert c.settings.k == 12 and c.settings.n_init == 20
    assert elapsed < 20
    notes = " ".join(w.value for w in at.warning)
    assert "restarts" in notes and "stops after" in notes
    assert len(c.gmm.restarts_) < 20
    entry = 8 * (12 * 100 * 100 + 2 * 12 * 100 + 12)
    assert len(c.gmm.history_) * entry <= tight_limits.history_mb * 2**20


def test_extreme_magnitudes_are_refused_or_fitted():
    at = new_session()
    previous = _current(at).data.digest
    big = "a,b\n" + "\n".join(f"{i}e300,{i % 3}" for i in range(1, 30))
    _upload(at, "big.csv", big.encode())
    assert any("cannot be squared" in e.value.replace("\\", "") for e in at.sidebar.error)
    assert _current(at).data.digest == previous
    tiny = "a,b\n" + "\n".join(f"{1 + i % 5}e-170,{1 + (i * 7) % 5}e-170" for i in range(40))
    at.file_uploader(key="upload").set_value(("tiny.csv", tiny.encode(), "text/csv")).run()
    assert _current(at).data.X.max() < 1e-160
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page


def _model_bytes(**changes):
    X = datasets.load("anisotropic").X
    document = gmmcore.models_to_dict(gmm=gmmcore.GaussianMixture(3, random_state=0).fit(X),
                                      kmeans=gmmcore.KMeans(3, random_state=0).fit(X),
                                      columns=["x1", "x2"])
    document.update(changes)
    return json.dumps(document).encode()


def _load_model(at, raw):
    at.selectbox(key="dataset").set_value("model").run()
    at.file_uploader(key="model_file").set_value(("m.json", raw, "application/json")).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("raw, message", [
    (_model_bytes(settings={"seed": "__import__('os')"}), "seed must be a whole number"),
    (_model_bytes(settings={"n_init": 1e9}), "n_init must be a whole number"),
    (_model_bytes(columns=["x", "x"]), "columns must not repeat"),
    (b"[" * 100_000, "nests"),
    (_model_bytes(settings={"data": "[click](https://evil.example)"}), None),
])
def test_a_hostile_model_file_keeps_the_loaded_model(app, raw, message):
    _load_model(app, _model_bytes())
    loaded_digest = _current(app).data.digest
    _load_model(app, raw)
    errors = [e.value.replace("\\", "") for e in app.sidebar.error]
    if message is None:  # a valid file whose text is hostile: shown, escaped
        assert not errors
        _assert_nothing_renders_from_user_text(app)
        return
    assert any(message in e for e in errors), errors
    assert _current(app).data.digest == loaded_digest


def test_a_model_built_from_parameters_shows_on_every_page(app):
    gmm = gmmcore.GaussianMixture.from_parameters(
        [0.3, 0.7], [[0.0, 0.0], [4.0, 1.0]], np.array([np.eye(2), [[2, 0.5], [0.5, 1]]]))
    _load_model(app, json.dumps(gmmcore.models_to_dict(gmm=gmm, columns=["u", "v"])).encode())
    assert _current(app).data.key == "model"
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, [e.value for e in app.exception])


def _niceness_and_threads():
    from gmmcore._rows import available_threads
    return os.nice(0), available_threads()


def test_heavy_work_runs_in_the_worker_below_the_server_with_the_same_result():
    from dashboard import compare
    d = datasets.load("anisotropic")
    settings = compare.Settings(k=4, covariance_type="full")
    here = compare.compare(d.X, settings)
    there = cached._heavy(compare.compare, d.X, settings)
    assert cached._heavy(os.getpid) != os.getpid()
    # Both cores when they are free, but scheduled below the server's page runs.
    assert cached._heavy(_niceness_and_threads) == (
        min(os.nice(0) + budget.HEAVY_WORKER_NICENESS, 19), _niceness_and_threads()[1])
    np.testing.assert_array_equal(there.gmm_labels, here.gmm_labels)
    np.testing.assert_array_equal(there.kmeans_labels, here.kmeans_labels)
    np.testing.assert_allclose(there.resp, here.resp, rtol=0, atol=0)


def test_a_large_upload_is_parsed_in_the_worker_like_here(monkeypatch):
    from dashboard import ingest
    raw = ("a,b,label\n" + "\n".join(f"{i},{i % 13 * 0.5},x{i % 3}" for i in range(3000))
           ).encode()
    monkeypatch.setattr(cached, "HEAVY_UPLOAD_MB", 0)
    monkeypatch.setattr(cached, "_heavy", _counting(cached._heavy, calls := []))
    there = cached.ingest_upload(cached.digest_of(raw), "drop", raw)
    here = ingest.ingest(raw, missing="drop")
    assert calls == [ingest.ingest]
    assert there.features.equals(here.features) and there.report == here.report
    assert not there.features.to_numpy().flags.writeable


def _counting(func, calls):
    def counted(target, *args, **kwargs):
        calls.append(target)
        return func(target, *args, **kwargs)
    return counted


def test_the_worker_imports_the_app_without_running_it(monkeypatch):
    # Streamlit installs app.py as __main__, so spawn's worker imports it as __mp_main__.
    def must_not_run():
        raise AssertionError("the app ran in the worker process")
    monkeypatch.setattr(sidebar, "prepare_current", must_not_run)
    module = runpy.run_path(str(APP), run_name="__mp_main__")
    assert callable(module["main"])
    with pytest.raises(AssertionError, match="ran in the worker"):
        runpy.run_path(str(APP), run_name="__main__")


def test_a_hostile_generator_link_is_refused_in_words():
    at = AppSession(APP, default_timeout=120)
    hostile = dict(gen_points="1000000000", gen_clusters="99", gen_features="-1",
                   gen_separation="nan", gen_rotation="[click](https://evil.example)",
                   gen_outlier_pct="<img src=x onerror=alert(1)>", gen_seed="9" * 30,
                   gen_size_ratio="1e308")
    at.query_params["dataset"] = "generated"
    for name, value in hostile.items():
        at.query_params[name] = value
    at.run()
    _assert_nothing_renders_from_user_text(at)
    notices = [re.sub(r"\\(.)", r"\1", w.value) for w in at.sidebar.warning]
    assert len(notices) == len(hostile)
    assert "The link's gen_points='1000000000' is not a whole number from 20 to 1,000,000; " \
           "using 600." in notices
    assert "The link's gen_clusters='99' is not a whole number from 1 to 8; using 3." in notices
    cur = _current(at)
    assert cur.data.key == "generated" and cur.data.X.shape == (600, 2)  # the defaults
    np.testing.assert_array_equal(cur.data.X, generate.dataset(generate.Recipe()).X)
    for page in PAGES:
        at.switch_page(page).run()
        _assert_nothing_renders_from_user_text(at)


def test_the_largest_generated_set_is_fitted_within_the_budget(tight_limits):
    at = AppSession(APP, default_timeout=300)
    for name, value in dict(dataset="generated", k="8", gen_clusters="8",
                            gen_points="1000000", gen_features="10", gen_outlier_pct="2.0",
                            n_init="5").items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    c = _current(at).comparison
    assert _current(at).data.X.shape == (1_000_000, 10)
    assert c.plan.n_fit < 1_000_000 and c.plan.n_init < 5
    notes = " ".join(w.value for w in at.warning)
    assert "uniform random sample" in notes and "restarts" in notes
    at.switch_page("pages/outliers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 3
