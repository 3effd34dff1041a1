"""What a viewer waits for, in real Chromium, beside the floor: a trivial app of the same shape.

Starts a fresh ``streamlit run`` of ``bench/floor_app.py`` (a K slider and a
covariance-type menu in the sidebar, two WebGL Plotly scatter charts of 600
points, nothing computed) and of ``app.py`` on free loopback ports, drives
Debian's Chromium through Playwright (the browser test's set-up) and times:

- cold start: a fresh server, navigation -> the first chart drawn (and every
  chart drawn, and the page idle);
- K changed with the keyboard on the slider, the covariance type changed from
  its menu, and a switch to every page -> every chart redrawn, and the page idle;
- the step-through's Play: iterations shown per second;
- server-side (AppTest, no browser) for uploads of 10k, 200k and 1M rows x 3:
  upload -> Compare page, K change, covariance-type change.

A script injected into the page reads, after every DOM change (at most once an
animation frame), what each visible chart shows: its title and every trace's
name, length and sampled values, colours and symbols. A chart counts as drawn
when Plotly has laid out traces that hold data; a change as redrawn when the
charts' data differ from before and then stop changing (no DOM mutation, no
websocket message, no stale element for a second). Each time runs from the
input event (the key press or click, by its own timestamp) to the last change
of what the page shows; idle is the last DOM mutation or websocket message.
No fixed sleeps. Beside each time, the CPU seconds the server (with its
worker) and Chromium spent from the input to idle: steadier than wall-clock
time on a shared machine. Every figure is the median of ``--repeat`` fresh
servers (floor and app alternate, so drift hits both), with its ratio to the
floor's and the issue's target.

    python -m bench.browser_latency                  # everything, 5 repeats
    python -m bench.browser_latency --repeat 3 --skip-uploads
    python -m bench.browser_latency --skip-browser   # only the server-side uploads

Not part of the test suite.
"""

import argparse
import io
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from bench.load_test import ROOT, start_server

FLOOR_APP = "bench/floor_app.py"
APP = "app.py"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
QUIET_MS = 1000  # nothing changed on the page for this long: it is idle
TIMEOUT_MS = 120_000
K_LABEL = "Number of clusters K"
COV_LABEL = "GMM covariance type"
NEW_COVARIANCE = "diag"
# (sidebar link, heading) of every page the app's navigation lists, in order, then back.
APP_PAGES = [("Data", "Data"), ("Responsibilities", "Responsibilities"),
             ("Convergence", "Convergence"), ("EM step-through", "EM step by step"),
             ("Why this cluster?", "Why this cluster?"), ("Outliers", "Which points don't belong?"),
             ("Density and distance", "Density and distance"), ("3-D view", "3-D view"),
             ("Choose K", "Choose K"), ("How it works", "How it works"),
             ("Compare", "K-means vs Gaussian mixture")]
FLOOR_PAGES = [("Second page", "Floor, second page"), ("Compare", "Floor")]

# Injected before any page script: watches what the page shows on every animation frame.
MONITOR = """(() => {
  const B = window.__bench = {state: null, stateAt: 0, firstDrawn: null, lastMutation: 0,
                              lastMessage: 0, bytes: 0, inputs: [], titles: []};
  const Native = window.WebSocket;
  const Watched = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', e => {
      B.lastMessage = performance.now();
      const d = e.data;
      B.bytes += d.byteLength || d.size || d.length || 0;
    });
    return ws;
  };
  Watched.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Watched[k] = Native[k];
  window.WebSocket = Watched;
  for (const type of ['keydown', 'click'])
    window.addEventListener(type, e => B.inputs.push(e.timeStamp), true);
  B.dirty = true;
  new MutationObserver(() => { B.lastMutation = performance.now(); B.dirty = true; })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const sample = a => {
    if (a === undefined || a === null) return null;
    if (typeof a !== 'object' || a.length === undefined) return a;
    const n = a.length;
    return n ? [n, a[0], a[n >> 1], a[n - 1]] : [0];
  };
  const points = t => ['x', 'z', 'values', 'dimensions'].some(k => t[k] && t[k].length);
  const chart = gd => {
    const data = gd._fullData, layout = gd._fullLayout;
    // Drawn: Plotly has laid out its traces, and some of them hold data.
    if (!data || !layout || !gd.calcdata || !data.some(points)) return null;
    // (this app's charts title themselves with an annotation named 'title')
    const named = (layout.annotations || []).find(a => a.name === 'title');
    const title = named ? named.text : layout.title && layout.title.text;
    return JSON.stringify([title, data.map(t => [t.type, t.name, sample(t.x), sample(t.y),
      sample(t.z), t.marker ? [sample(t.marker.color), sample(t.marker.symbol),
                               sample(t.marker.size)] : null])]);
  };
  B.snapshot = () => {
    const h1 = document.querySelector('h1');
    return {h1: h1 ? h1.innerText : null,
            charts: Array.from(document.querySelectorAll('.js-plotly-plot'))
              .filter(gd => gd.offsetParent !== null).map(chart)};
  };
  B.lastInput = () => B.inputs.length ? B.inputs[B.inputs.length - 1] : null;
  B.busyAt = () => Math.max(B.stateAt, B.lastMutation, B.lastMessage);
  B.quiet = ms => performance.now() - B.busyAt() >= ms
    && !document.querySelector('[data-stale="true"]');
  const tick = () => {
    // What a chart shows changes with its DOM (SVG), so the page is read again only then.
    if (!B.dirty) { requestAnimationFrame(tick); return; }
    B.dirty = false;
    const snap = B.snapshot();
    const s = JSON.stringify(snap);
    if (s !== B.state) {
      B.state = s;
      B.stateAt = performance.now();
      B.titles.push([B.stateAt, snap.charts.length ? snap.charts[0] : null]);
      if (B.titles.length > 400) B.titles.shift();
    }
    if (B.firstDrawn === null && snap.charts.some(c => c !== null)) B.firstDrawn = B.stateAt;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""

# Predicates on the page's snapshot ``s``; ``a`` is their argument.
DRAWN = "(s, a) => s.charts.length >= a && s.charts.every(c => c !== null)"
CHANGED = """(s, a) => s.charts.length === a.length && s.charts.every(c => c !== null)
    && s.charts.some((c, i) => c !== a[i])"""
ON_PAGE = "(s, a) => s.h1 !== null && s.h1.includes(a) && s.charts.every(c => c !== null)"


TICKS = os.sysconf("SC_CLK_TCK")


def _descendants(pid):
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        kids = [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _descendants(k)]


def _cpu_seconds(pids):
    """User + system CPU seconds of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICKS


def _processes(server):
    """(server and its children, Chromium's processes): whose CPU time each figure
    reports beside the wall-clock time, steadier than it on a shared machine."""
    server_pids = [server.pid, *_descendants(server.pid)]
    chromium = []
    for pid in _descendants(os.getpid()):
        try:
            if pid not in server_pids and b"chromium" in Path(f"/proc/{pid}/cmdline").read_bytes():
                chromium.append(pid)
        except OSError:
            pass
    return server_pids, chromium


def _chromium():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise SystemExit("Debian's chromium is needed: apt-get install -y chromium")
    return path


def _settle(page, predicate, arg):
    """Wait until ``predicate(snapshot, arg)`` holds and the page has been quiet for
    ``QUIET_MS``; returns (last change of what it shows, idle), in page milliseconds."""
    page.wait_for_function(
        "([p, a, q]) => { const B = window.__bench; return B && (new Function('return ' + p))()"
        "(B.snapshot(), a) && B.quiet(q); }",
        arg=[predicate, arg, QUIET_MS], timeout=TIMEOUT_MS, polling=100)
    return page.evaluate("() => [window.__bench.stateAt, window.__bench.busyAt()]")


def _snapshot(page):
    return page.evaluate("() => window.__bench.snapshot()")


def _timed(page, server, action, predicate, arg):
    """Do ``action()``, wait for ``predicate``; seconds from the input event to the
    last change of what the page shows, to idle, MB received meanwhile, and the
    CPU seconds the server and Chromium spent from the action to idle (with the
    second of quiet that tells idle, in which both do next to nothing)."""
    page.evaluate("() => { window.__bench.inputs = []; window.__bench.bytes = 0; }")
    server_pids, chromium = _processes(server)
    cpu = _cpu_seconds(server_pids), _cpu_seconds(chromium)
    action()
    shown, idle = _settle(page, predicate, arg)
    server_pids = [*server_pids, *_descendants(server.pid)]  # (a worker may have started)
    cpu = _cpu_seconds(set(server_pids)) - cpu[0], _cpu_seconds(chromium) - cpu[1]
    _no_exception(page)
    t0, received = page.evaluate("() => [window.__bench.lastInput(), window.__bench.bytes]")
    return {"redrawn": (shown - t0) / 1e3, "idle": (idle - t0) / 1e3, "mb": received / 2**20,
            "server cpu": cpu[0], "browser cpu": cpu[1]}


def _no_exception(page):
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        raise SystemExit("the app showed an exception: " + boxes.first.inner_text())


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def _press_k(page):
    slider = _sidebar(page).locator('[data-testid="stSlider"]').filter(has_text=K_LABEL)
    slider.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")


def _choose_covariance(page, option=NEW_COVARIANCE):
    box = _sidebar(page).locator('[data-testid="stSelectbox"]').filter(has_text=COV_LABEL)
    box.click()
    page.get_by_role("option", name=option).first.click()


def _switch(page, link):
    _sidebar(page).get_by_role("link", name=link, exact=True).click()


def _cold_start(browser, app, root=ROOT):
    """A fresh server of ``app`` (in the checkout ``root``), one new visitor:
    (server, page, figures)."""
    proc, url = start_server(app, root)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(MONITOR)
    page = context.new_page()
    server_pids, chromium = _processes(proc)
    cpu = _cpu_seconds(server_pids), _cpu_seconds(chromium)
    page.goto(url, wait_until="commit")
    n = 2
    page.wait_for_function(
        f"() => window.__bench && ({DRAWN})(window.__bench.snapshot(), {n})",
        timeout=TIMEOUT_MS, polling=50)
    shown, idle = _settle(page, DRAWN, n)
    _no_exception(page)
    server_pids, now_chromium = _processes(proc)  # (the new page's renderer counts whole)
    cpu = _cpu_seconds(server_pids) - cpu[0], _cpu_seconds(now_chromium) - cpu[1]
    first = page.evaluate("() => window.__bench.firstDrawn")
    return proc, page, {"cold: first chart drawn": first / 1e3,
                        "cold: every chart drawn": shown / 1e3, "cold: idle": idle / 1e3,
                        "cold: server cpu": cpu[0], "cold: browser cpu": cpu[1]}


def _play_rate(page):
    """Open the step-through, press the chart's Play: iterations shown per second."""
    _switch(page, "EM step-through")
    _settle(page, ON_PAGE, "EM step by step")
    page.evaluate("() => { window.__bench.titles = []; window.__bench.inputs = []; }")
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Play").first.click()
    page.wait_for_function(
        "() => window.__bench.titles.some(([t, c]) => c && c.includes('(final)'))",
        timeout=TIMEOUT_MS, polling=100)
    titles, t0 = page.evaluate("() => [window.__bench.titles, window.__bench.lastInput()]")
    seen = {}
    for at, chart in titles:
        # The iteration a chart shows, from its title (bold).
        title = "" if chart is None else re.sub(r"</?b>", "", json.loads(chart)[0] or "")
        if at >= t0 and "iteration" in title and title not in seen:
            seen[title] = at
    times = sorted(seen.values())
    if len(times) < 3:
        return {"play: iterations per second": float("nan")}
    return {"play: iterations per second": (len(times) - 1) / ((times[-1] - times[0]) / 1e3),
            "play: first step shown": (times[0] - t0) / 1e3}


def measure(browser, app):
    """Every browser figure for one fresh server of ``app`` (floor or app)."""
    proc, page, out = _cold_start(browser, app)
    try:
        before = _snapshot(page)["charts"]
        out |= {f"K change: {k}": v for k, v in
                _timed(page, proc, lambda: _press_k(page), CHANGED, before).items()}
        before = _snapshot(page)["charts"]
        out |= {f"covariance change: {k}": v for k, v in
                _timed(page, proc, lambda: _choose_covariance(page), CHANGED, before).items()}
        for link, heading in (FLOOR_PAGES if app == FLOOR_APP else APP_PAGES):
            result = _timed(page, proc, lambda link=link: _switch(page, link), ON_PAGE,
                            heading)
            out |= {f"page switch to {heading}: {k}": v for k, v in result.items()}
        if app == APP:
            out |= _play_rate(page)
    finally:
        page.context.close()
        proc.terminate()
        proc.wait(timeout=30)
    return out


def browser_figures(repeat):
    """Median of ``repeat`` fresh servers of each app, alternating: {app: {name: value}}."""
    from playwright.sync_api import sync_playwright

    runs = {FLOOR_APP: [], APP: []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            warm, page, _ = _cold_start(browser, FLOOR_APP)  # Chromium's own first start
            page.context.close()
            warm.terminate()
            warm.wait(timeout=30)
            for i in range(repeat):
                for app in (FLOOR_APP, APP):
                    runs[app].append(measure(browser, app))
                    print(f"  run {i + 1}/{repeat} {app}: " + ", ".join(
                        f"{k} {v:.2f}" for k, v in runs[app][-1].items()
                        if "mb" not in k and "idle" not in k), file=sys.stderr, flush=True)
        finally:
            browser.close()
    return {app: {k: statistics.median(r[k] for r in results) for k in results[0]}
            for app, results in runs.items()}


# ------------------------------------------------------------------ server side
UPLOAD_ROWS = (10_000, 200_000, 1_000_000)


def upload_csv(n_rows, seed):
    """A CSV of ``n_rows`` x 3 from three Gaussian clusters, 6 significant digits
    (1,000,000 rows: about 26 MB, as in the issue)."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0, 0.0], [6.0, 2.0, -3.0], [-4.0, 5.0, 2.0]])
    X = centers[rng.integers(0, 3, n_rows)] + rng.normal(scale=[1.0, 2.0, 0.7],
                                                        size=(n_rows, 3))
    out = io.StringIO()
    out.write("x,y,z\n")
    np.savetxt(out, X, fmt="%.6g", delimiter=",")
    return out.getvalue().encode()


def _new_app_test():
    from tests.app.conftest import AppSession  # lands every run on the page with its sidebar

    at = AppSession(ROOT / APP, default_timeout=600)
    at.run()
    return at


def _timed_run(element):
    """Seconds of ``element.run()`` (a widget whose value was just set)."""
    t0 = time.perf_counter()
    at = element.run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise SystemExit(f"the app raised: {at.exception}")
    return seconds


def upload_run(n_rows, seed):
    """One session: upload -> Compare page, then K 3 -> 4, then the covariance type
    full -> diag; seconds of each whole script run."""
    from dashboard.ui import cached

    raw = upload_csv(n_rows, seed)
    at = _new_app_test()
    at.selectbox(key="dataset").set_value("upload").run()
    # Choosing "Upload" starts the heavy-work process; a visitor picking a file takes
    # longer than it needs to start, so the upload is timed once it is up.
    cached._heavy_worker_started().result(timeout=120)
    name = f"upload_{n_rows}.csv"
    return {
        "upload -> Compare": _timed_run(
            at.file_uploader(key="upload").set_value((name, raw, "text/csv"))),
        "K change": _timed_run(at.slider(key="k").set_value(4)),
        "covariance change": _timed_run(
            at.selectbox(key="covariance_type").set_value(NEW_COVARIANCE)),
    }


def upload_figures(repeat):
    """Server-side seconds (AppTest: the whole script, figures built and serialised, no
    browser) per upload size, each a median of ``repeat`` fresh files: {rows: {name: s}}."""
    os.chdir(ROOT)
    out = {}
    for n_rows in UPLOAD_ROWS:
        runs = []
        for i in range(repeat):
            runs.append(upload_run(n_rows, seed=1000 * i + n_rows % 997))
            print(f"  upload {n_rows:,} rows, run {i + 1}/{repeat}: " + ", ".join(
                f"{k} {v:.2f} s" for k, v in runs[-1].items()), file=sys.stderr, flush=True)
        out[n_rows] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return out


# ------------------------------------------------------------------ the report
def _ratio(value, floor):
    return value / floor if floor and np.isfinite(floor) and floor > 0 else float("nan")


def _verdict(value, target, higher_is_better=False):
    if target is None or not np.isfinite(value):
        return ""
    ok = value >= target if higher_is_better else value <= target
    return ("≥ " if higher_is_better else "≤ ") + f"{target:g}" + (" ✓" if ok else " ✗")


COLD_TARGET = 1.3  # x the floor
CHANGE_TARGET = 1.2  # x the floor
PLAY_TARGET = 5.0  # iterations per second


def browser_table(figures):
    """The browser figures, the app beside the floor: wall-clock seconds (median),
    their ratio, and the CPU seconds server + Chromium spent (steadier on a busy
    machine)."""
    floor, app = figures[FLOOR_APP], figures[APP]
    lines = ["| in Chromium, built-in data | floor app | this app | ratio | target "
             "| CPU s floor (server + browser) | CPU s this app | CPU ratio |",
             "|---|---:|---:|---:|---|---:|---:|---:|"]

    def cpu(figs, prefix):
        server, browser = figs.get(f"{prefix}: server cpu"), figs.get(f"{prefix}: browser cpu")
        return None if server is None else (server, browser)

    def row(label, floor_key, app_key, target=None, cpu_keys=None):
        f, a = floor[floor_key], app[app_key]
        ratio = _ratio(a, f)
        cells = [label, f"{f:.2f} s", f"{a:.2f} s", f"{ratio:.2f}x", _verdict(ratio, target)]
        fc, ac = (cpu(floor, cpu_keys[0]), cpu(app, cpu_keys[1])) if cpu_keys else (None, None)
        if fc and ac:
            cells += [f"{fc[0]:.2f} + {fc[1]:.2f}", f"{ac[0]:.2f} + {ac[1]:.2f}",
                      f"{_ratio(sum(ac), sum(fc)):.2f}x"]
        else:
            cells += ["", "", ""]
        lines.append("| " + " | ".join(cells) + " |")

    row("fresh server, navigation → first chart drawn", "cold: first chart drawn",
        "cold: first chart drawn", COLD_TARGET, ("cold", "cold"))
    row("fresh server, navigation → every chart drawn", "cold: every chart drawn",
        "cold: every chart drawn")
    row("fresh server, navigation → idle", "cold: idle", "cold: idle")
    for name, key in (("K changed with the keyboard", "K change"),
                      ("covariance type changed", "covariance change")):
        row(f"{name} → every chart redrawn", f"{key}: redrawn", f"{key}: redrawn",
            CHANGE_TARGET, (key, key))
        row(f"{name} → idle", f"{key}: idle", f"{key}: idle")
    floor_switch = "page switch to Floor, second page"
    for _, heading in APP_PAGES:
        row(f"page switch to {heading} → every chart drawn", f"{floor_switch}: redrawn",
            f"page switch to {heading}: redrawn", None,
            (floor_switch, f"page switch to {heading}"))
        row(f"page switch to {heading} → idle", f"{floor_switch}: idle",
            f"page switch to {heading}: idle")
    rate = app["play: iterations per second"]
    lines.append(f"| step-through Play: iterations shown per second | | {rate:.1f} /s | | "
                 f"{_verdict(rate, PLAY_TARGET, higher_is_better=True)} | | | |")
    for label, key in (("data received for a K change", "K change: mb"),
                       ("data received for a covariance change", "covariance change: mb")):
        lines.append(f"| {label} | {floor[key]:.2f} MB | {app[key]:.2f} MB | "
                     f"{_ratio(app[key], floor[key]):.1f}x | | | | |")
    return "\n".join(lines)


UPLOAD_TARGETS = {1_000_000: {"upload -> Compare": 3.0, "K change": 1.5,
                              "covariance change": 1.5}}


def upload_table(figures):
    """Server-side seconds per upload size, with the targets at 1,000,000 rows."""
    names = ("upload -> Compare", "K change", "covariance change")
    lines = ["| server-side (AppTest), uploaded CSV | upload → Compare page | K 3 → 4 "
             "| covariance full → diag |", "|---|---:|---:|---:|"]
    for n_rows, f in figures.items():
        targets = UPLOAD_TARGETS.get(n_rows, {})
        cells = [f"{f[name]:.2f} s" + (f" ({_verdict(f[name], targets[name])})"
                                       if name in targets else "") for name in names]
        lines.append(f"| {n_rows:,} rows x 3 ({_megabytes(n_rows)}) | " + " | ".join(cells)
                     + " |")
    return "\n".join(lines)


def _megabytes(n_rows):
    """About how large the CSV of ``n_rows`` is (from the size of 10,000 of its rows)."""
    sample = min(n_rows, 10_000)
    return f"{len(upload_csv(sample, 0)) * n_rows / sample / 2**20:.1f} MB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5,
                        help="fresh servers per app (medians are reported)")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-uploads", action="store_true")
    args = parser.parse_args(argv)
    command = "python -m bench.browser_latency" + (" " + " ".join(argv or sys.argv[1:])
                                                    if (argv or sys.argv[1:]) else "")
    print(f"Command: `{command}`  ({os.cpu_count()} cores; medians of {args.repeat} fresh "
          f"servers each, {FLOOR_APP} and {APP} alternating)\n", flush=True)
    if not args.skip_browser:
        print(browser_table(browser_figures(args.repeat)) + "\n", flush=True)
    if not args.skip_uploads:
        print(upload_table(upload_figures(args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
