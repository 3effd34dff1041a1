"""The real app in Debian's Chromium: every page draws, widgets work, an upload loads.

Starts ``streamlit run app.py`` headless on a free loopback port and drives it
with Playwright. Screenshots go to tests/app/output/. Without Chromium the test
is skipped outside CI and fails under CI.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = ["Compare", "Data", "Responsibilities", "Convergence", "Outliers"]
OUTLIERS_HEADING = "Which points don't belong?"


def _chromium():
    path = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
    if path:
        return path
    message = "Debian's chromium is not installed (apt-get install -y chromium)."
    if os.environ.get("CI"):
        pytest.fail(message + " CI must install it: see scripts/test.sh.")
    pytest.skip(message)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    return proc, url


def _stop_server(proc):
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server():
    proc, url = _start_server()
    yield url
    _stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _wait_until_drawn(page, n_charts):
    """Wait for the script run to end and Plotly to draw ``n_charts`` (counted as Plotly's
    ``.main-svg`` layers, two or three per chart) in charts that hold data.

    Only charts with data count: the hidden empty chart a session's first run sends
    (``entry.preload_charts``) has three layers, and counted it let a page that was
    still fitting (Choose K's grid in the worker) pass for drawn.
    """
    page.wait_for_function(
        "n => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".filter(gd => (gd._fullData || []).length && (gd.calcdata || []).length)"
        ".reduce((layers, gd) => layers + gd.querySelectorAll('.main-svg').length, 0) >= n",
        arg=n_charts, timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(500)


def _assert_no_exception(page, where):
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: {boxes.first.inner_text()}"


def _shot(page, name):
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _show_sidebar(page):
    """Open the sidebar where the layout collapses it (a phone): it is then off screen,
    which Playwright still counts as visible."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.is_visible():
        expand.click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=stSidebar]')"
            ".getBoundingClientRect().left >= 0")


def _choose(page, label, option):
    box = _sidebar(page).locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.click()
    page.get_by_role("option", name=option).click()


# Every page, opened first on a fresh server by its deep link with settings: Streamlit
# runs such a link through pages/ straight to the page file, which hands the run to
# app.py (dashboard.ui.entry). (page path, heading, charts drawn)
DEEP_LINKS = [
    ("compare", "K-means vs Gaussian mixture", 2),
    ("data", "Data", 1),
    ("responsibilities", "Responsibilities", 3),
    ("convergence", "Convergence", 4),
    ("steps", "EM step by step", 4),
    ("inspect", "Why this cluster?", 2),
    ("outliers", OUTLIERS_HEADING, 3),
    ("choose_k", "Choose K", 3),
    ("math", "How it works", 0),
    ("density", "Density and distance", 3),
    ("view3d", "3-D view", 2),
]


def _check_deep_link(page, path, heading, n_charts):
    page.wait_for_function(
        "h => document.querySelector('h1') && "
        "document.querySelector('h1').innerText.includes(h)", arg=heading,
        timeout=180_000)  # eleven first runs at once on a fresh server, two shared cores
    _wait_until_drawn(page, n_charts)
    _assert_no_exception(page, path)
    sidebar = _sidebar(page)
    k_slider = sidebar.locator('[data-testid="stSlider"]').filter(has_text="clusters K")
    assert k_slider.get_by_role("slider").input_value() == "4", path
    page.wait_for_url(re.compile(r".*[?&]cov=diag(&|$)"))  # the link's settings are in use
    assert sidebar.get_by_role("link", name="Choose K").count() == 1  # the app's own nav
    assert page.locator(".js-plotly-plot .main-svg").count() >= n_charts, path


def test_every_page_opens_first_by_its_deep_link_on_a_fresh_server(browser):
    # A fresh server, and every page's first visit by its deep link with settings, all at
    # once: the first ones reach the page files in Streamlit's old multipage mode.
    proc, url = _start_server()
    try:
        pages = []
        for path, _, _ in DEEP_LINKS:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"{url}/{path}?dataset=iris&k=4&cov=diag&seed=2")
            pages.append(page)
        for page, (path, heading, n_charts) in zip(pages, DEEP_LINKS):
            _check_deep_link(page, path, heading, n_charts)
            page.close()
    finally:
        _stop_server(proc)


# A chart's title: the annotation named "title" that charts._layout adds (bold).
TITLE_OF = ("(gd => ((gd._fullLayout.annotations || []).find(a => a.name === 'title')"
            " || {text: ''}).text)")


def _chart_title(page, index):
    return page.evaluate(
        f"i => {TITLE_OF}(document.querySelectorAll('.js-plotly-plot')[i])", index)


def test_step_through_slider_and_a_click_on_the_inspector(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server + "/steps")
    _wait_until_drawn(page, 4)
    _assert_no_exception(page, "EM step-through")
    assert "EM: initialisation" in _chart_title(page, 0)
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="EM iteration")
    slider.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"() => {TITLE_OF}(document.querySelectorAll('.js-plotly-plot')[0])"
        ".includes('EM: iteration 2 of')", timeout=60_000)
    _wait_until_drawn(page, 4)
    _assert_no_exception(page, "EM step-through slider")
    _shot(page, "steps")

    _sidebar(page).get_by_role("link", name="Why this cluster?").click()
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "Why this cluster?")
    # Click the right-most point of cluster 2: an isolated point, so the click is its own.
    target = page.evaluate("""() => {
        const gd = document.querySelectorAll('.js-plotly-plot')[0];
        const t = gd._fullData.find(d => d.name === 'GMM 2');
        let i = 0;
        for (let j = 1; j < t.x.length; j++) if (t.x[j] > t.x[i]) i = j;
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        return {x: box.left + xa._offset + xa.l2p(t.x[i]),
                y: box.top + ya._offset + ya.l2p(t.y[i]), row: t.customdata[i]};
    }""")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function(
        f"row => {TITLE_OF}(document.querySelectorAll('.js-plotly-plot')[0])"
        ".includes('now: row ' + row + ')')", arg=target["row"], timeout=60_000)
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "inspector click")
    row_input = page.locator('[data-testid="stNumberInput"]').filter(has_text="Row").locator(
        "input")
    assert row_input.input_value() == str(target["row"])
    _shot(page, "inspect")

    for name, n_charts in (("Choose K", 3), ("How it works", 0)):
        _sidebar(page).get_by_role("link", name=name).click()
        page.wait_for_function(
            "name => document.querySelector('h1') && "
            "document.querySelector('h1').innerText.includes(name)", arg=name, timeout=60_000)
        _wait_until_drawn(page, n_charts)
        _assert_no_exception(page, name)
        _shot(page, name.lower().replace(" ", "_"))
    page.close()


# Counts the websocket messages the page receives (a run of the app sends several).
COUNT_MESSAGES = """(() => {
  const Native = window.WebSocket;
  window.__messages = 0;
  const Counted = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', () => { window.__messages += 1; });
    return ws;
  };
  Counted.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Counted[k] = Native[k];
  window.WebSocket = Counted;
})();"""
TRACES = """i => document.querySelectorAll('.js-plotly-plot')[i]._fullData
    .map(t => [t.name, t.x ? t.x.length : 0, t.marker ? String(t.marker.color) : ''])"""


def _traces(page, index):
    return page.evaluate(TRACES, index)


def test_a_k_change_redraws_both_charts_and_play_runs_in_the_browser(server, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.add_init_script(COUNT_MESSAGES)
    page = context.new_page()
    page.goto(server)
    _wait_until_drawn(page, 2)
    before = [_traces(page, 0), _traces(page, 1)]
    assert sum(name.startswith("K-means ") for name, _, _ in before[0]) == 3
    k_slider = _sidebar(page).locator('[data-testid="stSlider"]').filter(has_text="clusters K")
    k_slider.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    # Both charts are drawn again from new data: four clusters each.
    page.wait_for_function(
        """() => [0, 1].every(i => {
            const gd = document.querySelectorAll('.js-plotly-plot')[i];
            return gd && gd._fullData && gd._fullData.filter(
                t => /^(K-means|GMM) \\d+$/.test(t.name)).length === 4; })""",
        timeout=60_000)
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "K change")
    after = [_traces(page, 0), _traces(page, 1)]
    assert after[0] != before[0] and after[1] != before[1]
    assert sum(name.startswith("GMM ") for name, _, _ in after[1]) == 4

    _sidebar(page).get_by_role("link", name="EM step-through").click()
    page.wait_for_function(
        "() => document.querySelector('h1') && "
        "document.querySelector('h1').innerText.includes('EM step by step')", timeout=60_000)
    _wait_until_drawn(page, 2)
    first = _traces(page, 0)
    assert "EM: initialisation" in _chart_title(page, 0)
    messages = page.evaluate("() => window.__messages")
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Play").first.click()
    page.wait_for_function(
        f"() => {TITLE_OF}(document.querySelectorAll('.js-plotly-plot')[0])"
        ".includes('(final)')", timeout=60_000)
    # What the chart shows moved on (colours and ellipses of the last iteration), and the
    # server was not asked for anything while it played.
    assert _traces(page, 0) != first
    assert page.evaluate("() => window.__messages") == messages
    _assert_no_exception(page, "Play")
    context.close()


def test_every_page_draws_and_an_upload_loads(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server)
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "Compare")
    assert page.get_by_text("Points assigned differently").count() == 1
    _shot(page, "compare")

    charts_per_page = {"Data": 1, "Responsibilities": 3, "Outliers": 3, "Convergence": 4}
    for name, n_charts in charts_per_page.items():
        _sidebar(page).get_by_role("link", name=name).click()
        page.wait_for_url(re.compile(f"/{name.lower()}(\\?|$)"))  # the query holds settings
        _wait_until_drawn(page, n_charts)
        _assert_no_exception(page, name)
        _shot(page, name.lower())

    # A sidebar widget keeps its value from page to page.
    _sidebar(page).locator('[data-testid="stNumberInputStepUp"]').first.click()
    _wait_until_drawn(page, 4)
    _sidebar(page).get_by_role("link", name="Compare").click()
    _wait_until_drawn(page, 2)
    seed = _sidebar(page).locator('[data-testid="stNumberInput"] input').first
    assert seed.input_value() == "1"

    _choose(page, "Dataset", "Upload a CSV file…")
    page.locator('input[type="file"]').set_input_files(files=[{
        "name": "measurements.csv", "mimeType": "text/csv",
        "buffer": ("width;height\n" + "\n".join(
            f"{i % 7},{i % 3};{(i * 7) % 11},5" for i in range(60))).encode(),
    }])
    page.wait_for_function(
        "() => document.body.innerText.includes('Upload: measurements.csv')"
        " || document.body.innerText.includes('measurements.csv: 60 rows')", timeout=60_000)
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "upload")
    assert page.get_by_text("measurements.csv: 60 rows, 2 numeric columns.").count() == 1
    _shot(page, "upload")
    page.close()


def _click_point(page, chart, trace_name):
    """Click the right-most point of trace ``trace_name`` in chart number ``chart``;
    returns its row (first of its customdata)."""
    page.locator(".js-plotly-plot").nth(chart).scroll_into_view_if_needed()
    target = page.evaluate("""([index, name]) => {
        const gd = document.querySelectorAll('.js-plotly-plot')[index];
        const t = gd._fullData.find(d => d.name.startsWith(name));
        let i = 0;
        for (let j = 1; j < t.x.length; j++) if (t.x[j] > t.x[i]) i = j;
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        const c = t.customdata[i];
        const row = typeof c === 'number' ? c : c[0];
        return {x: box.left + xa._offset + xa.l2p(t.x[i]),
                y: box.top + ya._offset + ya.l2p(t.y[i]), row: row};
    }""", [chart, trace_name])
    page.mouse.click(target["x"], target["y"])
    return int(target["row"])


def test_make_your_own_data_and_its_outliers(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server)
    _wait_until_drawn(page, 2)
    _choose(page, "Dataset", "Make your own data…")
    page.wait_for_function(
        "() => document.body.innerText.includes('Generator settings')", timeout=60_000)
    _choose(page, "Start from a preset", "Overlapping")
    page.wait_for_url(re.compile(r".*[?&]gen_outlier_pct=3\.0(&|$)"))
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "generator")
    assert page.get_by_text("Generated: 3 Gaussian clusters of 194, 194, 194 points").count() == 1
    _shot(page, "generator")

    _sidebar(page).get_by_role("link", name="Outliers").click()
    page.wait_for_function(
        "h => document.querySelector('h1') && document.querySelector('h1').innerText"
        ".includes(h)", arg=OUTLIERS_HEADING, timeout=60_000)
    _wait_until_drawn(page, 3)
    _assert_no_exception(page, "Outliers")
    assert page.get_by_text("Against the true outliers").count() == 1
    assert "K-means: farthest from every centroid" in _chart_title(page, 0)
    # Click a point the GMM flags: the page explains that row.
    row = _click_point(page, 1, "flagged by GMM")
    page.wait_for_function(
        "r => document.body.innerText.includes('Row ' + r + ': why each method')", arg=row,
        timeout=60_000)
    _wait_until_drawn(page, 3)
    _assert_no_exception(page, "outlier click")
    assert page.get_by_text("The GMM flags it.").count() == 1
    _shot(page, "outliers")
    # ... and opens it in the inspector, the generated data still in use.
    page.get_by_role("button", name=f"Open row {row} in “Why this cluster?”").click()
    page.wait_for_function(
        "r => document.querySelectorAll('.js-plotly-plot').length && "
        f"{TITLE_OF}(document.querySelectorAll('.js-plotly-plot')[0])"
        ".includes('now: row ' + r + ')')", arg=row, timeout=60_000)
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "inspector from the outlier page")
    assert page.get_by_text("Generator settings").count() == 1
    page.wait_for_url(re.compile(rf".*/inspect\?.*row={row}(&|$)"))
    page.close()


def test_downloads_png_export_and_a_shared_link(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page.goto(server + "/?dataset=iris&k=4&cov=diag&seed=3")
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "link")

    with page.expect_download() as info:
        page.get_by_role("button", name="Data with labels and responsibilities (CSV)").click()
    csv = Path(info.value.path()).read_text()
    header = csv.splitlines()[0].split(",")
    assert header[:5] == ["row", "sepal length", "sepal width", "petal length", "petal width"]
    assert {"kmeans_cluster", "gmm_cluster", "gmm_p_cluster_4", "gmm_uncertainty"} <= set(header)
    assert len(csv.splitlines()) == 151

    with page.expect_download() as info:
        page.get_by_role("button", name="Both fitted models (JSON)").click()
    document = json.loads(Path(info.value.path()).read_text())
    assert document["format"] == "gmmcore.models/1"
    assert document["gmm"]["params"]["covariance_type"] == "diag"
    assert len(document["gmm"]["weights"]) == 4

    # Plotly's own PNG export, on the WebGL GMM chart.
    chart = page.locator(".js-plotly-plot").nth(1)
    chart.hover()
    with page.expect_download() as info:
        chart.get_by_role("button", name="Download plot as a PNG").click()
    assert info.value.suggested_filename == "compare_gmm.png"
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The link to share reproduces the view in a new session.
    _sidebar(page).get_by_role("button", name="Share this view").click()
    link = page.locator('[data-testid="stPopoverBody"] code').inner_text().strip()
    assert link.startswith(server + "/?") and "k=4" in link and "cov=diag" in link
    other = browser.new_page(viewport={"width": 1500, "height": 1100})
    other.goto(link)
    _wait_until_drawn(other, 2)
    _assert_no_exception(other, "shared link")
    assert "diag covariance" in _chart_title(other, 1)
    other.close()
    page.close()


# ------------------------------------------------------------------ the first look
LAYOUT = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
    const box = el => el ? el.getBoundingClientRect() : null;
    const meets = (a, b) => !!(a && b && a.width > 0 && b.width > 0 && a.left < b.right
        && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
    const svg = box(gd.querySelector('.main-svg'));
    const titleIndex = (gd._fullLayout.annotations || []).findIndex(a => a.name === 'title');
    const title = box(gd.querySelector(`.infolayer .annotation[data-index="${titleIndex}"]`));
    const legend = box(gd.querySelector('.infolayer .legend'));
    const plots = Array.from(gd.querySelectorAll('.nsewdrag')).map(box);
    const data = gd._fullData || [];
    const points = data.filter(t => t.visible !== false).some(t =>
        (t.x && t.x.length) || (t.z && t.z.length) || (t.dimensions && t.dimensions.length));
    return {
        title: titleIndex < 0 ? '' : gd._fullLayout.annotations[titleIndex].text,
        titleMeetsLegend: meets(title, legend),
        legendCoversData: plots.some(p => meets(legend, p)),
        titleMeetsToolbar: meets(title, box(gd.querySelector('.modebar'))),
        titleClipped: !!(title && svg
            && (title.left < svg.left - 1 || title.right > svg.right + 1)),
        drawn: points && (gd.calcdata || []).length > 0,
        top: box(gd).top,
    };
})"""
SIZES = {"laptop": (1400, 1000), "small laptop": (1280, 720), "phone": (390, 844)}
NAV_LINKS = ["Compare", "Data", "Responsibilities", "Convergence", "EM step-through",
             "Why this cluster?", "Outliers", "Choose K", "How it works",
             "Density and distance", "3-D view"]


def _page_with_errors(browser, width, height):
    """A new page that records every JavaScript error it throws."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def _open(page, url, heading, n_charts):
    page.goto(url)
    page.wait_for_function(
        "h => document.querySelector('h1') && "
        "document.querySelector('h1').innerText.includes(h)", arg=heading, timeout=90_000)
    _wait_until_drawn(page, n_charts)


def _assert_charts_drawn(page, where):
    assert not page.errors, f"{where}: {page.errors}"
    _assert_no_exception(page, where)
    for chart in page.evaluate(LAYOUT):
        assert chart["drawn"], f"{where}: chart {chart['title']!r} drew nothing"


PAGE_LINKS = [("", "K-means vs Gaussian mixture", 2), ("data", "Data", 1),
              ("responsibilities", "Responsibilities", 3), ("convergence", "Convergence", 4),
              ("steps", "EM step by step", 2), ("inspect", "Why this cluster?", 3),
              ("outliers", OUTLIERS_HEADING, 3), ("choose_k", "Choose K", 3),
              ("math", "How it works", 0), ("density", "Density and distance", 3),
              ("view3d", "3-D view", 2)]


def test_every_chart_draws_for_every_dataset_and_upload(server, browser):
    from dashboard import datasets

    page = _page_with_errors(browser, 1400, 1000)
    # The Data page's chart changes most with the data (its Compare charts are checked by
    # the layout test and the AppTest suite).
    for key in datasets.BUILTIN:
        _open(page, f"{server}/data?dataset={key}", "Data", 1)
        _assert_charts_drawn(page, f"{key} /data")
    rng = np.random.RandomState(0)
    for n_features in (2, 3, 10):
        header = ",".join(f"f{j}" for j in range(n_features))
        body = "\n".join(",".join(f"{v:.4f}" for v in row)
                         for row in rng.normal(size=(120, n_features)) + [[0] * n_features])
        _open(page, f"{server}/?dataset=upload", "K-means vs Gaussian mixture", 2)
        page.locator('input[type="file"]').set_input_files(files=[{
            "name": f"upload_{n_features}.csv", "mimeType": "text/csv",
            "buffer": (header + "\n" + body + "\n").encode()}])
        page.wait_for_function(
            "n => document.body.innerText.includes(n)", arg=f"upload_{n_features}.csv: 120 rows",
            timeout=60_000)
        pages = PAGE_LINKS if n_features == 10 else PAGE_LINKS[1:2]
        for name, heading, n_charts in pages:
            link = NAV_LINKS[PAGE_LINKS.index((name, heading, n_charts))]
            _sidebar(page).get_by_role("link", name=link).click()
            page.wait_for_function(
                "h => document.querySelector('h1') && "
                "document.querySelector('h1').innerText.includes(h)", arg=heading,
                timeout=90_000)
            _wait_until_drawn(page, n_charts)
            _assert_charts_drawn(page, f"{n_features}-feature upload /{name}")
    page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_titles_legends_and_data_never_overlap(server, browser, size):
    width, height = SIZES[size]
    page = _page_with_errors(browser, width, height)
    # K = 7 gives the Compare charts long legends.
    for path, heading, n_charts in [("", "K-means vs Gaussian mixture", 2),
                                    ("inspect", "Why this cluster?", 3),
                                    ("outliers", OUTLIERS_HEADING, 3),
                                    ("convergence", "Convergence", 4),
                                    ("choose_k", "Choose K", 3)]:
        _open(page, f"{server}/{path}?dataset=unequal_variance&k=7&n_init=2", heading,
              n_charts)
        _assert_charts_drawn(page, f"{size} /{path}")
        for chart in page.evaluate(LAYOUT):
            where = f"{size} /{path} {chart['title']!r}"
            assert not chart["titleMeetsLegend"], where
            assert not chart["legendCoversData"], where
            assert not chart["titleMeetsToolbar"], where
            assert not chart["titleClipped"], where
        if path == "" and size != "phone":
            first = page.evaluate(LAYOUT)[0]
            assert first["top"] < height * 0.75, f"{size}: the first chart is below the fold"
        if path == "":
            _shot(page, f"compare_{size.replace(' ', '_')}")
    page.close()


MARGINS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
    const L = gd._fullLayout;
    const svg = gd.querySelector('.main-svg').getBoundingClientRect();
    const legend = gd.querySelector('.infolayer .legend').getBoundingClientRect();
    return {asked: [L.margin.l, L.margin.b], drawn: [L._size.l, L._size.b],
            plotHeight: L._size.h, legendInside: legend.bottom <= svg.bottom + 1};
})"""


def test_compare_charts_keep_the_margins_they_ask_for(server, browser):
    # Plotly widens a margin its axes or legend do not fit in by drawing the figure a
    # second time: on a laptop the Compare charts' margins already hold them, so both
    # charts are drawn once, their plots the same height, their legends whole.
    width, height = SIZES["laptop"]
    page = _page_with_errors(browser, width, height)
    for k in (3, 7):
        _open(page, f"{server}/?k={k}", "K-means vs Gaussian mixture", 2)
        charts = page.evaluate(MARGINS)
        for chart in charts:
            assert chart["drawn"] == chart["asked"], f"K = {k}: {chart}"
            assert chart["legendInside"], f"K = {k}: {chart}"
        assert charts[0]["plotHeight"] == charts[1]["plotHeight"], f"K = {k}: {charts}"
    assert not page.errors
    page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_shared_link_reopens_the_page_state(server, browser, size):
    width, height = SIZES[size]
    page = _page_with_errors(browser, width, height)
    _open(page, f"{server}/inspect?dataset=iris&k=3&row=10", "Why this cluster?", 3)
    assert "now: row 10)" in _chart_title(page, 0)
    _show_sidebar(page)
    _sidebar(page).get_by_role("button", name="Share this view").click()
    link = page.locator('[data-testid="stPopoverBody"] code').inner_text().strip()
    assert "row=10" in link and "/inspect?" in link
    other = _page_with_errors(browser, width, height)
    _open(other, link, "Why this cluster?", 3)
    assert "now: row 10)" in _chart_title(other, 0)
    _open(other, f"{server}/steps?dataset=iris&tab=lloyd&lloyd_step=2", "EM step by step", 2)
    assert "Lloyd: iteration 2 of" in _chart_title(other, 0)
    _open(other, f"{server}/choose_k?dataset=iris&kmin=2&kmax=5&criterion=aic", "Choose K", 3)
    assert "AIC by number of components" in _chart_title(other, 0)
    assert not page.errors and not other.errors
    page.close()
    other.close()


# ------------------------------------------------------------ 3-D view, density, themes
def _plotly(page, index, expression):
    """``expression`` (JavaScript, of ``gd``) on the index-th chart of the page."""
    return page.evaluate(f"i => {{ const gd = document.querySelectorAll('.js-plotly-plot')[i]; "
                         f"return {expression}; }}", index)


def test_the_3d_view_rotates_and_the_density_page_draws(server, browser):
    page = _page_with_errors(browser, 1400, 1000)
    _open(page, f"{server}/view3d?dataset=iris", "3-D view", 2)
    _assert_charts_drawn(page, "/view3d")
    for i in (0, 1):
        assert _plotly(page, i, "!!gd._fullLayout.scene && !!gd.querySelector('canvas')"), i
    types = _plotly(page, 1, "gd._fullData.map(t => t.type)")
    assert types.count("mesh3d") == 6 and "scatter3d" in types  # 1σ and 2σ per component
    assert "GMM (full covariance) in 3-D" in _chart_title(page, 1)
    # Drag across the GMM chart: its camera turns.
    before = _plotly(page, 1, "gd._fullLayout.scene.camera.eye")
    box = page.locator(".js-plotly-plot").nth(1).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 15 * step, y + 4 * step)
        page.wait_for_timeout(30)
    page.mouse.up()
    page.wait_for_function(
        "eye => { const now = document.querySelectorAll('.js-plotly-plot')[1]"
        "._fullLayout.scene.camera.eye;"
        " return Math.abs(now.x - eye.x) + Math.abs(now.y - eye.y) > 0.05; }",
        arg=before, timeout=20_000)
    assert not page.errors, page.errors
    _shot(page, "view3d")
    # Three features of the user's choice, from a link.
    _open(page, f"{server}/view3d?dataset=iris&view3d=features&x3=petal%20width"
                "&y3=sepal%20length&z3=petal%20length", "3-D view", 2)
    assert _plotly(page, 0, "gd._fullLayout.scene.xaxis.title.text") == "petal width"

    _open(page, f"{server}/density?dataset=iris", "Density and distance", 3)
    _assert_charts_drawn(page, "/density")
    assert "contour" in _plotly(page, 0, "gd._fullData.map(t => t.type)")
    assert "Mixture log-density" in _chart_title(page, 0)
    assert "K-means: Euclidean distance to centroid" in _chart_title(page, 1)
    assert "GMM: Mahalanobis distance to mean" in _chart_title(page, 2)
    assert (_plotly(page, 1, "gd._fullLayout.xaxis.range")
            == _plotly(page, 2, "gd._fullLayout.xaxis.range"))
    assert page.get_by_text("shadows of the full-dimensional ball").count() == 1
    _shot(page, "density")
    page.close()


# Contrast of every piece of text on screen against what is painted under it: HTML
# text by its computed colour, Plotly's SVG text by its fill, a 3-D scene's WebGL axis
# text by its font colour; colours blended with their alpha, any CSS colour syntax
# read through a canvas.
CONTRAST = """() => {
  const ctx = Object.assign(document.createElement('canvas'), {width: 1, height: 1})
    .getContext('2d', {willReadFrequently: true});
  const parse = c => {
    if (!c || c === 'none') return null;
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = 'rgba(0,0,0,0)'; ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (fg, bg) => [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
  const lum = c => { const l = c.map(v => { v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const app = parse(getComputedStyle(document.querySelector('.stApp')).backgroundColor);
  const onScreen = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
      && r.right > 0 && r.left < innerWidth; };
  const background = el => {  // what is painted under el's centre, down to the app's
    const r = el.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
    const layers = [];
    for (const e of document.elementsFromPoint(x, y)) {
      if (e === el || el.contains(e)) continue;
      const b = parse(getComputedStyle(e).backgroundColor);
      if (b && b[3] > 0) layers.push(b);
      if (b && b[3] >= 1) break;
    }
    let base = app.slice(0, 3);
    for (const b of layers.reverse()) base = over(b, base.concat([1]));
    return base;
  };
  const texts = [];
  for (const el of document.querySelectorAll(
      '[data-testid="stMain"] *, [data-testid="stSidebar"] *')) {
    if (el.closest('.js-plotly-plot')) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !onScreen(el)
        || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const bg = background(el);
    texts.push({text: el.textContent.trim().slice(0, 40),
                ratio: ratio(over(parse(getComputedStyle(el).color), bg.concat([1])), bg)});
  }
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    if (!onScreen(gd)) continue;
    const bg = over(parse(gd._fullLayout.paper_bgcolor), background(gd).concat([1]));
    const scene = gd._fullLayout.scene;
    if (scene) for (const a of ['xaxis', 'yaxis', 'zaxis']) {
      for (const font of [scene[a].tickfont, scene[a].title.font]) {
        texts.push({text: 'scene ' + a, ratio: ratio(over(parse(font.color), bg.concat([1])), bg)});
      }
    }
    for (const t of gd.querySelectorAll('text')) {
      if (!t.textContent.trim() || !onScreen(t) || t.closest('.hoverlayer')) continue;
      const s = getComputedStyle(t);
      const fg = parse(s.fill);
      if (!fg) continue;
      fg[3] *= (+s.fillOpacity || 1) * (+s.opacity || 1);
      texts.push({text: t.textContent.trim().slice(0, 40),
                  ratio: ratio(over(fg, bg.concat([1])), bg)});
    }
  }
  return {app: app, luminance: lum(app.slice(0, 3)), texts: texts};
}"""
MIN_CONTRAST = 3.0  # WCAG's floor for large text; Streamlit's own light chart labels: 3.7


def _unreadable(page):
    """Texts on screen below MIN_CONTRAST, the app's background luminance and how many
    texts were checked."""
    found = page.evaluate(CONTRAST)
    low = [(t["text"], round(t["ratio"], 2)) for t in found["texts"]
           if t["ratio"] < MIN_CONTRAST]
    return low, found["luminance"], len(found["texts"])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_compare_and_the_new_views_are_readable_in_both_themes(server, browser, theme):
    # Without a theme in .streamlit/config.toml Streamlit follows the viewer's system
    # setting, which the browser emulates here.
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, color_scheme=theme)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    for path, heading, n_charts in (("", "K-means vs Gaussian mixture", 2),
                                    ("density", "Density and distance", 3),
                                    ("view3d", "3-D view", 2)):
        _open(page, f"{server}/{path}?dataset=iris&k=3", heading, n_charts)
        _assert_charts_drawn(page, f"{theme} /{path}")
        _shot(page, f"{path or 'compare'}_{theme}")
        checked = 0
        for _ in range(4):  # the page, screen by screen
            low, luminance, n = _unreadable(page)
            assert (luminance < 0.05) if theme == "dark" else (luminance > 0.9), luminance
            assert not low, f"{theme} /{path}: unreadable text {low[:10]}"
            checked += n
            page.mouse.move(900, 500)
            page.mouse.wheel(0, 900)
            page.wait_for_timeout(400)
        assert checked > 50, checked
    assert not page.errors, page.errors
    page.close()
