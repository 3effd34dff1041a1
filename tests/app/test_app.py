"""The real app through Streamlit's AppTest: every page, the widgets, uploads, sessions."""

import base64
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import gmmcore
from dashboard import compare, datasets, export, generate, outliers
from dashboard.ui import entry

from ..upload_corpus import CASES
from .conftest import APP, PAGES, AppSession, new_session


def _current(at):
    return at.session_state["_current"]


def _plain(text):
    """Markdown text as shown: backslash escapes (user text is escaped) removed."""
    return re.sub(r"\\(.)", r"\1", text)


def _no_errors(at):
    assert not at.exception, [_plain(e.value) for e in at.exception]


def _metric(at, label):
    return next(_plain(m.value) for m in at.metric if m.label == label)


def _plotly_specs(at):
    """The page's charts (not the hidden one a session's first run sends to preload Plotly)."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")
            if not el.proto.id.endswith(entry.PRELOAD_KEY)]


def _title(spec, which="title"):
    """A chart's title (or subtitle) from its JSON: the annotations charts._layout adds."""
    for annotation in spec["layout"].get("annotations", []):
        if annotation.get("name") == which:
            text = annotation["text"]
            return text[3:-4] if which == "title" else text
    return ""


def test_landing_page_shows_both_methods_disagreeing(app):
    cur = _current(app)
    assert cur.data.key == datasets.DEFAULT
    n_diff = int(cur.comparison.disagree.sum())
    assert n_diff > 0
    assert _metric(app, "Points assigned differently").startswith(f"{n_diff:,}")
    specs = _plotly_specs(app)
    assert len(specs) == 2
    titles = [_title(s) for s in specs]
    assert titles[0].startswith("K-means") and titles[1].startswith("GMM")
    assert not app.error
    # What the app is, then each method against the truth beside their agreement.
    assert app.markdown[0].value.startswith("**K-means** puts every point")
    assert float(_metric(app, "GMM vs the true labels (ARI)")) > float(
        _metric(app, "K-means vs the true labels (ARI)")) + 0.1
    assert float(_metric(app, "K-means vs GMM (ARI)")) < 1


def test_the_outline_toggle_hides_and_shows_the_disagreements(app):
    def outlined():
        return [t["name"] for s in _plotly_specs(app) for t in s["data"]
                if t.get("name", "").startswith("outlined: differ")]

    n_diff = int(_current(app).comparison.disagree.sum())
    assert len(outlined()) == 2 and all(f", {n_diff} (" in name for name in outlined())
    app.toggle(key="compare_outline").set_value(False).run()
    _no_errors(app)
    assert outlined() == []
    assert sum(len(_array(t["x"])) for t in _plotly_specs(app)[0]["data"]
               if t.get("name", "").startswith("K-means ")) == len(_current(app).comparison.X)


def test_compare_offers_joinable_data_and_profiles(app):
    keys = {b.key for b in app.get("download_button")}
    assert {"compare_download_csv", "compare_download_profile"} <= keys
    assert any("source_row" in _plain(c.value) and "excluded_because" in _plain(c.value)
               for c in app.caption)
    # The profile table is drawn only while its expander is open (less for the browser
    # to draw on every change); opening it reruns the page with the table.
    assert not app.dataframe
    app.session_state["compare_profile_open"] = True
    app.run()
    frames = [df.value for df in app.dataframe]
    assert any({"method", "cluster", "points", "share"} <= set(f.columns) for f in frames)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_default_data(app, page):
    app.switch_page(page).run()
    _no_errors(app)
    assert not app.error
    assert app.title[0].value


@pytest.mark.parametrize("key", list(datasets.BUILTIN))
def test_every_builtin_dataset_on_every_page(app, key):
    app.selectbox(key="dataset").set_value(key).run()
    _no_errors(app)
    assert _current(app).data.key == key
    for page in PAGES[1:]:
        app.switch_page(page).run()
        _no_errors(app)


def test_changing_k_changes_the_result(app):
    before = _metric(app, "Points assigned differently")
    app.slider(key="k").set_value(5).run()
    _no_errors(app)
    cur = _current(app)
    assert cur.settings.k == 5 and cur.comparison.resp.shape[1] == 5
    gmm_traces = [t for t in _plotly_specs(app)[1]["data"] if t.get("name", "").startswith("GMM ")]
    assert len(gmm_traces) == 5
    assert _metric(app, "Points assigned differently") != before


def test_changing_covariance_type_changes_the_result(app):
    app.selectbox(key="covariance_type").set_value("spherical").run()
    _no_errors(app)
    gmm = _current(app).comparison.gmm
    assert gmm.covariance_type == "spherical" and gmm.covariances_.shape == (3,)
    title = _title(_plotly_specs(app)[1])
    assert "spherical" in title


def test_only_the_work_a_change_needs_is_redone(app, monkeypatch):
    fits = {"kmeans": 0, "gmm": 0}
    for name in fits:
        def counted(*args, _fit=getattr(compare, f"fit_{name}"), _name=name, **kwargs):
            fits[_name] += 1
            return _fit(*args, **kwargs)
        monkeypatch.setattr(compare, f"fit_{name}", counted)

    def fitted_since(before):
        return {name: fits[name] - before[name] for name in fits}

    app.selectbox(key="dataset").set_value("iris").run()
    app.number_input(key="seed").set_value(17).run()  # a fit no other test asks for
    before = dict(fits)
    app.selectbox(key="covariance_type").set_value("tied").run()
    _no_errors(app)
    assert fitted_since(before) == {"kmeans": 0, "gmm": 1}  # the mixture alone
    assert _current(app).comparison.gmm.covariance_type == "tied"
    before = dict(fits)
    app.radio(key="view").set_value("features").run()
    app.selectbox(key="view_x").set_value("petal length").run()
    app.toggle(key="compare_outline").set_value(False).run()
    app.selectbox(key="covariance_type").set_value("full").run()  # fitted before: cached
    _no_errors(app)
    assert fitted_since(before) == {"kmeans": 0, "gmm": 0}
    app.slider(key="k").set_value(4).run()
    assert fitted_since(before) == {"kmeans": 1, "gmm": 1}


def test_widgets_keep_their_values_across_pages(app):
    app.slider(key="k").set_value(4).run()
    app.switch_page("pages/convergence.py").run()
    _no_errors(app)
    assert app.title[0].value == "Convergence"
    assert _current(app).settings.k == 4


def test_advanced_settings_and_views(app):
    app.selectbox(key="dataset").set_value("iris").run()
    app.number_input(key="n_init").set_value(3).run()
    app.number_input(key="max_iter").set_value(5).run()
    app.toggle(key="standardize").set_value(True).run()
    _no_errors(app)
    cur = _current(app)
    assert cur.comparison.gmm.n_init == 3 and cur.comparison.gmm.n_iter_ <= 5
    np.testing.assert_allclose(cur.comparison.X.std(axis=0), 1)
    app.radio(key="view").set_value("features").run()
    app.selectbox(key="view_x").set_value("petal length").run()
    _no_errors(app)
    assert _plotly_specs(app)[0]["layout"]["xaxis"]["title"]["text"] == "petal length"


def test_gmm_failure_shows_a_message_not_a_traceback(app):
    # Three distinct points repeated: without regularisation a component must collapse.
    rows = "\n".join(["0,0", "5,5", "9,1"] * 20)
    _upload(app, "repeats.csv", ("a,b\n" + rows + "\n").encode())
    app.number_input(key="reg_covar").set_value(0.0).run()
    _no_errors(app)
    assert _current(app).comparison.gmm is None
    errors = [_plain(e.value) for e in app.error]
    assert any(e.startswith("The Gaussian mixture could not be fitted") and "reg_covar" in e
               for e in errors), errors
    assert len(_plotly_specs(app)) == 1  # K-means is shown on its own
    for page in PAGES:
        app.switch_page(page).run()
        _no_errors(app)


def _upload(at, name, raw):
    at.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader(key="upload").set_value((name, raw, "text/csv")).run()
    return at


ALL_PAGES_FOR = {"plain.csv", "one_column.csv", "text_label_column.csv", "missing_values.csv",
                 "spaces.txt"}


@pytest.mark.parametrize("name,raw,expect", CASES, ids=[c[0] for c in CASES])
def test_upload_corpus_through_the_app(app, name, raw, expect):
    previous = _current(app).data
    _upload(app, name, raw)
    _no_errors(app)
    data = _current(app).data
    if expect[0] == "refuse":
        assert any(expect[1].lower() in _plain(e.value).lower() for e in app.error), \
            [_plain(e.value) for e in app.error]
        assert data.digest == previous.digest  # the previous data stays active
        return
    _, n_rows, n_cols, _ = expect
    assert not app.error, [_plain(e.value) for e in app.error]
    assert data.X.shape == (n_rows, n_cols)
    assert data.report
    # Every page for a few shapes of data; the Data page (how it was read) for all.
    pages = PAGES if name in ALL_PAGES_FOR else ["pages/data.py"]
    for page in pages:
        app.switch_page(page).run()
        _no_errors(app)


def test_refused_upload_keeps_the_earlier_upload():
    at = new_session()
    good = CASES[0]
    _upload(at, good[0], good[1])
    digest = _current(at).data.digest
    at.file_uploader(key="upload").set_value(("bad.csv", b"", "text/csv")).run()
    _no_errors(at)
    assert any("empty" in _plain(e.value) for e in at.error)
    assert _current(at).data.digest == digest


def test_upload_with_fewer_rows_than_k_is_refused(app):
    _upload(app, "tiny.csv", b"a,b\n1,2\n3,5\n")
    _no_errors(app)
    assert any("fewer than" in _plain(e.value) for e in app.error)
    assert _current(app).data.key != "upload"


def test_label_column_scores_the_upload(app):
    raw = next(c[1] for c in CASES if c[0] == "text_label_column.csv")
    _upload(app, "species.csv", raw)
    app.selectbox(key="label_column").set_value("species").run()
    _no_errors(app)
    cur = _current(app)
    assert cur.labels is not None and set(cur.labels) == {"setosa", "virginica"}


def test_two_sessions_see_only_their_own_upload():
    rng = np.random.RandomState(5)
    first = "a,b\n" + "\n".join(f"{x:.6f},{y:.6f}" for x, y in rng.uniform(1, 9, (50, 2)))
    second = "a,b\n" + "\n".join(f"{x:.6f},{y:.6f}" for x, y in rng.uniform(1, 9, (50, 2)))
    assert len(first) == len(second)
    one = _upload(new_session(), "one.csv", first.encode())
    two = _upload(new_session(), "two.csv", second.encode())
    x_one, x_two = _current(one).data.X, _current(two).data.X
    assert x_one.shape == x_two.shape == (50, 2)
    assert not np.allclose(x_one, x_two)
    one.run()
    np.testing.assert_array_equal(_current(one).data.X, x_one)
    np.testing.assert_allclose(_current(one).comparison.X, x_one)
    np.testing.assert_allclose(_current(two).comparison.X, x_two)


def test_an_upload_is_hashed_once_not_on_every_rerun(monkeypatch):
    from dashboard.ui import cached
    raw = ("a,b\n" + "".join(f"{i},{i % 7}\n" for i in range(60))).encode()
    at = _upload(new_session(), "once.csv", raw)
    calls = []
    original = cached.digest_of
    monkeypatch.setattr(cached, "digest_of", lambda data: calls.append(1) or original(data))
    for page in ("data", "compare", "convergence"):
        _on_page(at, page)
    assert not at.exception and calls == []
    at.file_uploader(key="upload").set_value(("again.csv", raw + b"60,4\n", "text/csv")).run()
    assert len(calls) == 1 and len(_current(at).data.X) == 61


# ---------------------------------------------- step-through, inspector, Choose K
def _on_page(at, page):
    """Run ``page`` again (with any widget values set since the last run)."""
    return at.switch_page(f"pages/{page}.py").run()


def _array(value):
    """A Plotly JSON array, plain or binary-encoded (``bdata``)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _titles(at):
    return [_title(s) for s in _plotly_specs(at)]


def test_step_through_slider_moves_the_iteration(app):
    _on_page(app, "steps")
    _no_errors(app)
    n_iter = _current(app).comparison.gmm.n_iter_
    assert _titles(app)[0] == f"EM: initialisation (iteration 0 of {n_iter})"
    app.slider(key="steps_gmm_t").set_value(3)
    _on_page(app, "steps")
    _no_errors(app)
    assert _titles(app)[0] == f"EM: iteration 3 of {n_iter}"
    assert any("**Iteration 3**" in _plain(m.value) for m in app.markdown)
    assert len(_titles(app)) == 2  # only the open tab's charts are built
    assert app.query_params["em_step"] == "3"


def test_play_animates_the_iterations_in_the_browser_from_the_slider(app):
    _on_page(app, "steps")
    n_iter = _current(app).comparison.gmm.n_iter_
    app.slider(key="steps_gmm_t").set_value(2)
    _on_page(app, "steps")
    _no_errors(app)
    spec = _plotly_specs(app)[0]
    assert _title(spec) == f"EM: iteration 2 of {n_iter}"
    # One frame per iteration from the slider's to the last: Play shows them in the
    # browser, no run of the script per iteration.
    frames = spec["frames"]
    assert [f["name"] for f in frames] == [str(t) for t in range(2, n_iter + 1)]
    assert _title(frames[-1]) == f"EM: iteration {n_iter} of {n_iter} (final)"
    play, pause = spec["layout"]["updatemenus"][0]["buttons"]
    assert play["label"].endswith("Play") and play["method"] == "animate"
    assert play["args"][0] == [str(t) for t in range(3, n_iter + 1)]
    assert pause["args"][0] == [None]
    colours = [f["data"][0]["marker"]["color"] for f in frames]
    assert colours[0] != colours[-1]  # the responsibilities change as EM runs
    # At the last iteration Play starts again from the initialisation.
    app.slider(key="steps_gmm_t").set_value(n_iter)
    _on_page(app, "steps")
    spec = _plotly_specs(app)[0]
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["args"][0][0] == "0"
    assert spec["frames"][0]["name"] == "0"


def test_inspector_starts_on_a_disagreement_and_follows_the_row_number(app):
    _on_page(app, "inspect")
    _no_errors(app)
    c = _current(app).comparison
    row = app.number_input(key="inspect_row").value
    assert c.disagree[row]
    text = " ".join(_plain(m.value) for m in app.markdown)
    assert f"K-means picks cluster {c.kmeans_labels[row] + 1}" in text
    assert f"The GMM picks cluster {c.gmm_labels[row] + 1}" in text
    agree = int(np.flatnonzero(~c.disagree)[0])
    app.number_input(key="inspect_row").set_value(agree)
    _on_page(app, "inspect")
    _no_errors(app)
    assert any(_plain(m.value).startswith("Both methods pick") for m in app.markdown)
    assert f"now: row {agree}" in _titles(app)[0]
    # The math page works the E-step for the same row.
    _on_page(app, "math")
    _no_errors(app)
    assert app.number_input(key="inspect_row").value == agree
    assert any(f"\\mathbf{{x}}_{{{agree}}}" in latex.value for latex in app.latex)


def test_choose_k_grid_and_button_set_the_sidebar(app):
    app.selectbox(key="dataset").set_value("iris").run()
    app.selectbox(key="covariance_type").set_value("spherical").run()
    _on_page(app, "choose_k")
    _no_errors(app)
    specs = _plotly_specs(app)
    assert [t["name"] for t in specs[0]["data"][:4]] == ["full", "tied", "diag", "spherical"]
    assert list(_array(specs[0]["data"][0]["x"])) == list(range(1, 9))  # the default range
    button = app.button(key="choose_k_use")
    label = button.label
    button.click()
    _on_page(app, "choose_k")
    _no_errors(app)
    settings = _current(app).settings
    assert label == f"Use K = {settings.k} and {settings.covariance_type} covariance in the sidebar"
    assert settings.covariance_type != "spherical"
    assert app.button(key="choose_k_use").disabled
    assert any("within 10 of the lowest" in _plain(m.value) for m in app.success)
    app.radio(key="choose_k_criterion").set_value("aic")
    _on_page(app, "choose_k")
    assert _titles(app)[0].startswith("AIC by number of components")


def test_restarts_button_runs_ten_and_shows_each(app):
    _on_page(app, "convergence")
    app.button(key="conv_restarts").click()
    _on_page(app, "convergence")
    _no_errors(app)
    assert _current(app).settings.n_init == 10
    names = [t["name"] for t in _plotly_specs(app)[4]["data"]]
    assert len(names) == 10 and sum("(best)" in n for n in names) == 1
    tables = [df.value for df in app.dataframe]
    assert [len(t) for t in tables[-2:]] == [10, 10]


# --------------------------------------------------------------- shareable links
def _session_from_link(**query):
    at = AppSession(Path(APP), default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    _no_errors(at)
    return at


def test_a_link_reproduces_the_view():
    at = _session_from_link(dataset="iris", k="4", cov="tied", init="random", seed="7",
                            standardize="1", columns="sepal length,petal length,petal width",
                            view="features", x="petal width", y="sepal length")
    cur = _current(at)
    assert cur.data.key == "iris"
    assert cur.columns == ("sepal length", "petal length", "petal width")
    assert cur.settings == compare.Settings(k=4, covariance_type="tied", init="random",
                                            seed=7, standardize=True)
    assert _plotly_specs(at)[0]["layout"]["xaxis"]["title"]["text"] == "petal width"
    assert not at.warning
    # The same link in a second session gives the same fit.
    again = _current(_session_from_link(**dict(at.query_params)))
    np.testing.assert_array_equal(again.comparison.gmm_labels, cur.comparison.gmm_labels)


def test_bad_link_values_fall_back_to_defaults_with_a_notice():
    at = _session_from_link(dataset="nowhere", k="abc", cov="nonsense", seed="-3")
    cur = _current(at)
    assert cur.data.key == datasets.DEFAULT
    assert cur.settings == compare.Settings()
    notices = [_plain(w.value) for w in at.warning]
    assert any("k='abc'" in n for n in notices) and any("cov='nonsense'" in n for n in notices)
    assert any("dataset='nowhere'" in n for n in notices)
    assert any("seed='-3'" in n for n in notices)
    at.button(key="link_notices_ok").click().run()
    assert not at.warning
    assert _session_from_link(k="999").session_state["k"] == 3


def test_a_link_reopens_the_page_state():
    at = _session_from_link(dataset="iris", k="3", row="10", em_step="2", tab="lloyd",
                            lloyd_step="1", kmin="2", kmax="5", criterion="aic")
    at.switch_page("pages/inspect.py").run()
    _no_errors(at)
    assert at.number_input(key="inspect_row").value == 10
    assert "now: row 10)" in _titles(at)[0]
    at.switch_page("pages/steps.py").run()
    _no_errors(at)
    assert _titles(at)[0].startswith("Lloyd: iteration 1 of")
    at.switch_page("pages/choose_k.py").run()
    _no_errors(at)
    assert at.slider(key="choose_k_range").value == (2, 5)
    assert _titles(at)[0].startswith("AIC by number of components")
    for name, value in dict(row="10", tab="lloyd", kmin="2", kmax="5", criterion="aic").items():
        assert at.query_params[name] == value, name


def test_changing_a_widget_updates_the_link(app):
    assert app.query_params["dataset"] == datasets.DEFAULT
    app.slider(key="k").set_value(5).run()
    app.selectbox(key="covariance_type").set_value("diag").run()
    assert app.query_params["k"] == "5" and app.query_params["cov"] == "diag"
    app.number_input(key="n_init").set_value(3).run()
    assert app.query_params["n_init"] == "3"


def test_an_upload_link_asks_for_the_file_again():
    at = _session_from_link(dataset="upload", k="2")
    assert any("upload the file again" in _plain(w.value) for w in at.warning)
    assert at.session_state["dataset"] == "upload" and _current(at).settings.k == 2
    assert "columns" not in at.query_params


# ------------------------------------------------------------ loading a fitted model
def _load_model(at, document, sample=None):
    at.selectbox(key="dataset").set_value("model").run()
    at.file_uploader(key="model_file").set_value(
        ("model.json", json.dumps(document).encode(), "application/json"))
    if sample is not None:
        at.file_uploader(key="model_sample").set_value(("sample.csv", sample, "text/csv"))
    at.run()
    _no_errors(at)
    return at


def test_a_downloaded_model_opens_on_every_page_with_its_sample(app):
    app.selectbox(key="dataset").set_value("unequal_variance").run()
    app.toggle(key="standardize").set_value(True).run()
    original = _current(app)
    c = original.comparison
    features = original.data.X
    document = json.loads(export.models_json_bytes(c, original.columns, features))
    sample = export.to_csv_bytes(export.results_frame(c, original.columns, None, features))
    _load_model(app, document, sample)
    cur = _current(app)
    assert cur.data.key == "model" and cur.settings.k == c.settings.k
    np.testing.assert_allclose(cur.comparison.X, c.X, atol=1e-12)
    np.testing.assert_array_equal(cur.comparison.gmm_labels, c.gmm_labels)
    np.testing.assert_allclose(cur.comparison.resp, c.resp, atol=1e-12)
    assert "Nothing is refitted" in " ".join(_plain(m.value) for m in app.sidebar.caption)
    for page in PAGES:
        app.switch_page(page).run()
        _no_errors(app)
    _on_page(app, "steps")
    assert "EM: initialisation" in _titles(app)[0]


def test_a_model_from_the_command_line_opens_with_drawn_rows(app, tmp_path):
    import pandas as pd

    from gmmcore import cli

    data = tmp_path / "logs.parquet"
    pd.DataFrame(datasets.load("anisotropic").X, columns=["u", "v"]).to_parquet(data)
    assert cli.main(["fit", str(data), "--k", "3", "--standardize", "--out",
                     str(tmp_path / "model.json")]) == 0
    _load_model(app, json.loads((tmp_path / "model.json").read_text()))
    cur = _current(app)
    assert cur.data.X.shape == (2000, 2) and cur.columns == ("u", "v")
    assert f"fitted on 600 rows of {data}" in cur.data.description
    assert cur.settings.standardize and cur.comparison.gmm.n_iter_ >= 1
    for page in PAGES:
        app.switch_page(page).run()
        _no_errors(app)
    _on_page(app, "steps")
    assert "EM: initialisation" in _titles(app)[0]


def test_a_mixture_only_file_fits_kmeans_on_the_sample_and_has_no_steps(app):
    gmm = gmmcore.GaussianMixture(3, random_state=0).fit(datasets.load("anisotropic").X)
    _load_model(app, gmmcore.models_to_dict(gmm=gmm, columns=["u", "v"]))
    assert any("K-means was fitted on the sample" in _plain(w.value) for w in app.warning)
    for page in PAGES:
        app.switch_page(page).run()
        _no_errors(app)
    _on_page(app, "steps")
    assert any("saved without its iterations" in _plain(i.value) for i in app.info)


@pytest.mark.parametrize("raw, message", [
    (b"{not json", "is not valid JSON"),
    (json.dumps({"format": "gmmcore.models/1"}).encode(), "holds no model"),
])
def test_a_bad_model_file_is_explained_and_nothing_breaks(app, raw, message):
    app.selectbox(key="dataset").set_value("model").run()
    app.file_uploader(key="model_file").set_value(("m.json", raw, "application/json")).run()
    _no_errors(app)
    assert any(message in _plain(e.value) for e in app.error)
    assert _current(app).data.key == datasets.DEFAULT


def test_a_sample_without_the_model_columns_is_refused(app):
    gmm = gmmcore.GaussianMixture(2, random_state=0).fit(datasets.load("iris").X)
    document = gmmcore.models_to_dict(gmm=gmm, columns=["a", "b", "c", "d"])
    _load_model(app, document, b"a,b,z\n1,2,3\n4,5,6\n")
    assert any("lacks the model's column(s) c, d" in _plain(e.value) for e in app.error)


def test_an_upload_with_the_same_column_names_uses_all_its_columns(app):
    # The default dataset has columns x1, x2; the upload has x1, x2, x3.
    rows = "\n".join(f"{i % 7},{(i * 3) % 11},{(i * 5) % 13}" for i in range(60))
    _upload(app, "same_names.csv", ("x1,x2,x3\n" + rows + "\n").encode())
    _no_errors(app)
    assert _current(app).columns == ("x1", "x2", "x3")
    assert _current(app).comparison.X.shape == (60, 3)


def test_very_different_scales_are_pointed_out_with_a_button_that_standardises(app):
    rng = np.random.RandomState(0)
    rows = "\n".join(f"{a:.1f},{b:.4f}" for a, b in zip(rng.normal(5e4, 1e4, 80),
                                                       rng.normal(3, 1, 80)))
    _upload(app, "houses.csv", ("income,rooms\n" + rows + "\n").encode())
    _no_errors(app)
    warnings_text = " ".join(_plain(w.value) for w in app.warning)
    assert "scales differ about" in warnings_text and "'income'" in warnings_text
    app.button(key="standardise_now").click().run()
    _no_errors(app)
    assert _current(app).settings.standardize
    assert not any("scales differ" in _plain(w.value) for w in app.warning)


# ------------------------------------------------------------ make your own data
def _headline_aris(at):
    return (float(_metric(at, "K-means vs the true labels (ARI)")),
            float(_metric(at, "GMM vs the true labels (ARI)")))


def test_make_your_own_data_from_the_sidebar(app):
    app.selectbox(key="dataset").set_value("generated").run()
    _no_errors(app)
    cur = _current(app)
    recipe = generate.PRESETS["sheared"].recipe
    assert cur.data.key == "generated" and cur.data.X.shape == (600, 2)
    np.testing.assert_array_equal(cur.data.X, generate.dataset(recipe).X)
    assert app.selectbox(key="gen_preset").value == "sheared"
    assert any("Three long, parallel clusters" in _plain(c.value) for c in app.sidebar.caption)
    kmeans, gmm = _headline_aris(app)
    assert gmm > kmeans + 0.15
    # Turn one knob: no shear, and the two methods agree; the preset is now custom.
    app.slider(key="gen_elongation").set_value(1.0).run()
    app.slider(key="gen_separation").set_value(8.0).run()
    _no_errors(app)
    assert app.selectbox(key="gen_preset").value == generate.CUSTOM
    assert _metric(app, "Points assigned differently").startswith("0 ")
    assert app.query_params["gen_elongation"] == "1.0"
    # More clusters: K follows; a preset resets every setting.
    app.slider(key="gen_clusters").set_value(5).run()
    assert _current(app).settings.k == 5 and len(set(_current(app).data.labels)) == 5
    app.selectbox(key="gen_preset").set_value("round").run()
    _no_errors(app)
    assert _current(app).settings.k == 4 and app.slider(key="gen_elongation").value == 1.0
    assert _headline_aris(app) == (1.0, 1.0)
    # Another dataset and back: the generator's settings are kept.
    app.selectbox(key="dataset").set_value("iris").run()
    app.selectbox(key="dataset").set_value("generated").run()
    assert app.selectbox(key="gen_preset").value == "round"


def test_the_angle_is_kept_while_its_slider_is_hidden(app):
    app.selectbox(key="dataset").set_value("generated").run()
    app.slider(key="gen_angle").set_value(120.0).run()
    app.radio(key="gen_rotation").set_value("random").run()
    _no_errors(app)
    assert "gen_angle" not in [s.key for s in app.sidebar.slider]
    app.radio(key="gen_rotation").set_value("shared").run()
    assert app.slider(key="gen_angle").value == 120.0


def test_a_big_generated_set_shows_every_page(app):
    app.selectbox(key="dataset").set_value("generated").run()
    app.number_input(key="gen_points").set_value(200_000).run()
    app.slider(key="gen_features").set_value(5).run()
    _no_errors(app)
    cur = _current(app)
    assert cur.data.X.shape == (200_000, 5) and cur.columns == tuple(f"x{i}" for i in range(1, 6))
    for page in ("data", "outliers"):
        _on_page(app, page)
        _no_errors(app)


def test_a_generator_link_reproduces_the_data_and_the_fit():
    query = dict(dataset="generated", k="4", cov="diag", seed="5", gen_clusters="4",
                 gen_points="1500", gen_size_ratio="3.5", gen_features="3",
                 gen_separation="2.75", gen_spread_ratio="2.0", gen_elongation="3.0",
                 gen_rotation="random", gen_outlier_pct="4.0", gen_seed="17")
    at = _session_from_link(**query)
    cur = _current(at)
    recipe = generate.Recipe.checked({name[4:]: value for name, value in query.items()
                                      if name.startswith("gen_")})
    np.testing.assert_array_equal(cur.data.X, generate.dataset(recipe).X)
    np.testing.assert_array_equal(cur.data.labels, generate.dataset(recipe).labels)
    assert cur.settings == compare.Settings(k=4, covariance_type="diag", seed=5)
    assert app_value(at, "gen_separation") == 2.75 and not at.warning
    linked = {name[4:]: value for name, value in at.query_params.items()
              if name.startswith("gen_")}
    assert len(linked) == 11 and generate.Recipe.checked(linked) == recipe
    again = _current(_session_from_link(**dict(at.query_params)))
    np.testing.assert_array_equal(again.data.X, cur.data.X)
    np.testing.assert_array_equal(again.comparison.gmm_labels, cur.comparison.gmm_labels)
    np.testing.assert_array_equal(again.comparison.kmeans_labels, cur.comparison.kmeans_labels)


def app_value(at, key):
    return at.session_state[key]


# ------------------------------------------------------------------- outliers
def _outlier_session(**query):
    at = _session_from_link(dataset="generated", **query)
    at.switch_page("pages/outliers.py").run()
    _no_errors(at)
    return at


def test_the_outlier_page_shows_both_flagged_sets_and_the_truth():
    at = _outlier_session(gen_outlier_pct="5.0", gen_points="1000", gen_elongation="2.0",
                          gen_rotation="random")
    c = _current(at).comparison
    scores = outliers.scores(c)
    flags = outliers.flag(scores, 0.02)
    counts = flags.counts()
    assert _metric(at, "K-means flags") == _metric(at, "GMM flags") == "20"
    assert _metric(at, "Both flag") == str(counts["both"])
    assert _metric(at, "Only one flags (ringed)") == str(counts["only_kmeans"]
                                                          + counts["only_gmm"])
    specs = _plotly_specs(at)
    assert [_title(s) for s in specs] == [
        "K-means: farthest from every centroid", "GMM: least probable under the mixture",
        "Both scores for every row"]
    names = [t.get("name", "") for t in specs[0]["data"]]
    assert "flagged by K-means: 20" in names and "the cut" in names
    # Precision and recall against the generator's 50 outliers.
    quality = next(df.value for df in at.dataframe if "precision" in df.value.columns)
    truth = outliers.true_outliers(_current(at).labels)
    expected = outliers.precision_recall(flags, truth)
    assert quality.loc["GMM", "recall"] == compare.format_value(expected[1]["recall"])
    # The table of flagged rows, least probable first, with both scores.
    table = next(df.value for df in at.dataframe if "GMM log-density" in df.value.columns)
    assert len(table) == flags.either.sum() and table["row"].iloc[0] == scores.log_density.argmin()
    assert "outliers_download_csv" in {b.key for b in at.get("download_button")}
    # The sentences for the first row: one the two methods disagree on.
    row = at.number_input(key="outliers_row").value
    assert flags.one_only[row]
    text = [_plain(m.value) for m in at.markdown]
    assert any(t.startswith("**K-means flags it.**") or t.startswith("**K-means does not")
               for t in text)
    assert any(t.startswith("So it is") for t in text)
    # Flag the true share: 5 % of the rows.
    at.button(key="outliers_true_share").click()
    _on_page(at, "outliers")
    _no_errors(at)
    assert _metric(at, "GMM flags") == "50" and at.query_params["flag_pct"] == "5.0"
    assert at.button(key="outliers_true_share").disabled


def test_the_outlier_page_explains_a_chosen_row_and_opens_it_in_the_inspector():
    at = _outlier_session(gen_outlier_pct="3.0")
    at.number_input(key="outliers_row").set_value(42)
    _on_page(at, "outliers")
    _no_errors(at)
    assert any(s.value == "Row 42: why each method flags it or not" for s in at.subheader)
    assert at.query_params["orow"] == "42"
    for spec in _plotly_specs(at):  # the row starred in every chart
        assert any(t.get("name") == "row 42" for t in spec["data"])
    at.button(key="outliers_to_inspector").click()
    _on_page(at, "outliers")
    _no_errors(at)
    assert at.title[0].value == "Why this cluster?"
    assert at.number_input(key="inspect_row").value == 42
    assert _current(at).data.key == "generated"  # the sidebar survived the switch
    assert at.session_state["gen_outlier_pct"] == 3.0


def test_an_outlier_link_reopens_the_share_and_the_row():
    at = _outlier_session(flag_pct="7.5", orow="11")
    assert at.slider(key="outliers_share_slider").value == 7.5
    assert at.number_input(key="outliers_row").value == 11
    assert _metric(at, "GMM flags") == str(math.ceil(0.075 * 600))
    at = _outlier_session(flag_pct="99", orow="-4")
    notices = [_plain(w.value) for w in at.sidebar.warning]
    assert any("flag_pct='99' is not a number from 0.1 to 50" in n for n in notices)
    assert any("orow='-4'" in n for n in notices)
    assert at.slider(key="outliers_share_slider").value == 2.0


@pytest.mark.parametrize("query", [
    dict(gen_clusters="1", gen_points="300"),
    dict(gen_clusters="8", gen_points="20", gen_size_ratio="50", gen_outlier_pct="50"),
    dict(gen_features="10", gen_rotation="random", gen_elongation="20", gen_spread_ratio="20",
         gen_separation="0", gen_points="2000"),
], ids=["one_cluster", "tiny_and_half_outliers", "ten_features_concentric"])
def test_generated_edge_cases_on_every_page(query):
    at = _session_from_link(dataset="generated", **query)
    cur = _current(at)
    assert cur.settings.k == int(query.get("gen_clusters", 3))
    assert cur.data.X.shape == (int(query["gen_points"]), int(query.get("gen_features", 2)))
    for page in PAGES:
        at.switch_page(page).run()
        _no_errors(at)
        assert not at.error, [_plain(e.value) for e in at.error]


# ------------------------------------------------------- 3-D view, density and distance
def _traces(spec, kind):
    return [t for t in spec["data"] if t["type"] == kind]


def test_3d_view_shows_both_methods_with_three_or_more_features(app):
    app.selectbox(key="dataset").set_value("iris").run()
    _on_page(app, "view3d")
    _no_errors(app)
    c = _current(app).comparison
    kmeans, gmm = _plotly_specs(app)
    assert _title(kmeans).startswith("K-means in 3-D")
    assert _title(gmm).startswith("GMM (full covariance) in 3-D")
    points = [t for t in _traces(gmm, "scatter3d") if t["name"].startswith("GMM ")]
    assert sum(len(_array(t["x"])) for t in points) == len(c.X) == 150
    assert len(_traces(gmm, "mesh3d")) == 2 * 3  # 1σ and 2σ per component
    assert len(_traces(kmeans, "mesh3d")) == 3  # the centroids' crosses
    assert any(t["name"].startswith("ringed: differ") for t in _traces(gmm, "scatter3d"))
    assert gmm["layout"]["scene"]["xaxis"]["title"]["text"] == "PC 1"
    assert any("PC 1, PC 2 and PC 3 explain" in _plain(c.value) for c in app.caption)
    # The toggles drop the ellipsoids and the rings.
    app.toggle(key="view3d_ellipsoids").set_value(False)
    app.toggle(key="view3d_rings").set_value(False)
    _on_page(app, "view3d")
    _no_errors(app)
    kmeans, gmm = _plotly_specs(app)
    assert not _traces(gmm, "mesh3d")
    assert not any(t["name"].startswith("ringed") for t in _traces(kmeans, "scatter3d"))


def test_3d_view_on_three_chosen_features_keeps_them_distinct_and_linked(app):
    app.selectbox(key="dataset").set_value("iris").run()
    _on_page(app, "view3d")
    app.radio(key="view3d_axes").set_value("features")
    _on_page(app, "view3d")
    _no_errors(app)
    scene = _plotly_specs(app)[1]["layout"]["scene"]
    assert [scene[a]["title"]["text"] for a in ("xaxis", "yaxis", "zaxis")] == [
        "sepal length", "sepal width", "petal length"]
    # Choosing for z the feature x shows swaps the two.
    app.selectbox(key="view3d_z").set_value("sepal length")
    _on_page(app, "view3d")
    _no_errors(app)
    scene = _plotly_specs(app)[1]["layout"]["scene"]
    assert [scene[a]["title"]["text"] for a in ("xaxis", "yaxis", "zaxis")] == [
        "petal length", "sepal width", "sepal length"]
    assert app.query_params["view3d"] == "features"
    assert (app.query_params["x3"], app.query_params["z3"]) == ("petal length", "sepal length")
    # The link reopens the same axes in a new session.
    again = _session_from_link(**{k: app.query_params[k] for k in app.query_params})
    again.switch_page("pages/view3d.py").run()
    _no_errors(again)
    scene = _plotly_specs(again)[0]["layout"]["scene"]
    assert scene["xaxis"]["title"]["text"] == "petal length"


def test_3d_view_explains_itself_with_fewer_than_three_features(app):
    _on_page(app, "view3d")
    _no_errors(app)
    assert not _plotly_specs(app)
    assert any("needs three or more features" in _plain(i.value) for i in app.info)


def test_density_page_contours_and_the_distance_picture(app):
    _on_page(app, "density")
    _no_errors(app)
    c = _current(app).comparison
    density, euclidean, mahalanobis = _plotly_specs(app)
    assert _title(density) == "Mixture log-density"
    contours = _traces(density, "contour")
    assert [t["name"] for t in contours] == ["mixture log-density"]
    # On two-feature data the contour values are the mixture's own log-density.
    z = np.asarray(_array(contours[0]["z"]), dtype=float)
    x, y = _array(contours[0]["x"]), _array(contours[0]["y"])
    gx, gy = np.meshgrid(x, y)
    np.testing.assert_allclose(z.ravel(), c.gmm.score_samples(
        np.column_stack([gx.ravel(), gy.ravel()])), rtol=1e-9, atol=1e-9)
    # The cluster shown first is the GMM's for the inspected row, where the methods differ.
    row = app.number_input(key="inspect_row").value
    cluster = app.selectbox(key="density_cluster").value
    assert c.disagree[row] and cluster == c.gmm_labels[row] + 1
    assert _title(euclidean) == (
        f"K-means: Euclidean distance to centroid {cluster}")
    assert _title(mahalanobis) == f"GMM: Mahalanobis distance to mean {cluster}"
    text = " ".join(_plain(m.value) for m in app.markdown)
    assert f"Row {row} is " in text and "from centroid" in text and "Mahalanobis distance" in text
    assert (f"K-means puts it in cluster {c.kmeans_labels[row] + 1}, the GMM in cluster "
            f"{c.gmm_labels[row] + 1}") in text
    # Each component's density, another cluster, the data's units.
    app.toggle(key="density_components").set_value(True)
    app.selectbox(key="density_cluster").set_value(1)
    app.radio(key="density_unit").set_value("data")
    _on_page(app, "density")
    _no_errors(app)
    density, euclidean, _ = _plotly_specs(app)
    assert len(_traces(density, "contour")) == 1 + c.settings.k
    assert _title(euclidean).endswith("centroid 1")
    assert "radius 1, 2, 3 (the data's units)" in _title(euclidean, "subtitle")
    assert (app.query_params["cluster"], app.query_params["components"],
            app.query_params["unit"]) == ("1", "1", "data")


def test_density_page_states_the_projection_with_more_features():
    at = _session_from_link(dataset="iris", k="3", cluster="2", row="60")
    at.switch_page("pages/density.py").run()
    _no_errors(at)
    assert at.selectbox(key="density_cluster").value == 2  # the link's, not the default
    captions = " ".join(_plain(c.value) for c in at.caption)
    assert "PC 1 and PC 2 explain" in captions
    assert "shadows of the full-dimensional ball and ellipsoid" in captions
    assert "exact 2-D marginal" in captions
    specs = _plotly_specs(at)
    assert "every component projected" in _title(specs[0], "subtitle")
    assert "projected onto this view" in _title(specs[1], "subtitle")


def test_how_it_works_shows_the_precision_with_this_fits_numbers(app):
    _on_page(app, "math")
    _no_errors(app)
    c = _current(app).comparison
    cov = c.gmm_covariances[0]
    text = " ".join(_plain(m.value) for m in app.markdown)
    assert f"β = 1/σ² = {1 / cov[0, 0]:.4g}" in text
    assert "factorised **once per iteration**" in text
    assert f"{c.settings.k * c.gmm.n_iter_:,} factorisations" in text
    latex = " ".join(item.value for item in app.latex)
    assert r"\Lambda = \Sigma^{-1}" in latex and r"L^\top" in latex
    precision = np.linalg.inv(cov)
    assert f"{precision[0, 0]:.4g}" in latex
