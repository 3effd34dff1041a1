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

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = ["Compare", "Data", "Responsibilities", "Convergence"]


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
    """Wait for the script run to end and Plotly to draw ``n_charts`` charts."""
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=n_charts,
        timeout=60_000)
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
    ("choose_k", "Choose K", 3),
    ("math", "How it works", 0),
]


def _check_deep_link(page, path, heading, n_charts):
    page.wait_for_function(
        "h => document.querySelector('h1') && "
        "document.querySelector('h1').innerText.includes(h)", arg=heading, timeout=90_000)
    _wait_until_drawn(page, n_charts)
    _assert_no_exception(page, path)
    sidebar = _sidebar(page)
    k_slider = sidebar.locator('[data-testid="stSlider"]').filter(has_text="clusters K")
    assert k_slider.get_by_role("slider").input_value() == "4", path
    page.wait_for_url(re.compile(r".*[?&]cov=diag(&|$)"))  # the link's settings are in use
    assert sidebar.get_by_role("link", name="Choose K").count() == 1  # the app's own nav
    assert page.locator(".js-plotly-plot .main-svg").count() >= n_charts, path


def test_every_page_opens_first_by_its_deep_link_on_a_fresh_server(browser):
    # One fresh server per page, all opened at once (the 2 cores work in parallel).
    servers = [_start_server() for _ in DEEP_LINKS]
    try:
        pages = []
        for (path, _, _), (_, url) in zip(DEEP_LINKS, servers):
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"{url}/{path}?dataset=iris&k=4&cov=diag&seed=2")
            pages.append(page)
        for page, (path, heading, n_charts) in zip(pages, DEEP_LINKS):
            _check_deep_link(page, path, heading, n_charts)
            page.close()
    finally:
        for proc, _ in servers:
            _stop_server(proc)


def _chart_title(page, index):
    return page.evaluate(
        "i => document.querySelectorAll('.js-plotly-plot')[i]._fullLayout.title.text", index)


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
        "() => document.querySelectorAll('.js-plotly-plot')[0]._fullLayout.title.text"
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
        "row => document.querySelectorAll('.js-plotly-plot')[0]._fullLayout.title.text"
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


def test_every_page_draws_and_an_upload_loads(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(server)
    _wait_until_drawn(page, 2)
    _assert_no_exception(page, "Compare")
    assert page.get_by_text("Points assigned differently").count() == 1
    _shot(page, "compare")

    charts_per_page = {"Data": 1, "Responsibilities": 3, "Convergence": 4}
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
