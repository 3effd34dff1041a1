"""Load test: N concurrent sessions against ``streamlit run app.py``, in Streamlit's protocol.

Each simulated viewer opens the websocket a browser opens (``/_stcore/stream``),
sends the ``BackMsg.rerun_script`` a page load sends, and reads ``ForwardMsg``s
until ``script_finished``: the time between is what a viewer waits for the page
with its charts. A dozen headless browsers on a 2-core machine would measure
the browsers, not the server; this measures the server.

    python -m bench.load_test                      # starts a server, 20 sessions x 3 runs
    python -m bench.load_test --sessions 40 --runs 5
    python -m bench.load_test --url http://host:8501 --path /compare?dataset=iris
    python -m bench.load_test --table              # the README table, beside a trivial app

Reports p50/p95/max of the run time, failures (exceptions shown on the page,
errors, timeouts) and the server's peak resident memory (when it started the
server, or with ``--pid``). ``--table`` runs the README's scenarios against
the app and against ``bench/trivial_app.py`` (a trivial Streamlit app of the
same shape) in the same run, each on a fresh server, and prints the app's
times as multiples of the trivial app's. Not part of the test suite.
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
FINISHED_OK = ForwardMsg.FINISHED_SUCCESSFULLY


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app="app.py", root=ROOT):
    """``streamlit run <app>`` in the checkout ``root`` on a free loopback port; returns
    (process, base URL)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", app, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("streamlit did not start")


def _rss_bytes(pid):
    """Resident memory of a process and its children, from /proc (Linux)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _children(pid):
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(c) for c in text.split()]
    return kids + [g for k in kids for g in _children(k)]


async def _watch_memory(pid, peak, stop):
    while not stop.is_set():
        peak[0] = max(peak[0], _rss_bytes(pid))
        await asyncio.sleep(0.05)


def _rerun_message(path_and_query, base_url):
    path, _, query = path_and_query.partition("?")
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_name = path.strip("/")
    state.context_info.url = base_url + path_and_query
    return msg.SerializeToString()


async def _one_run(ws, request, timeout):
    """Send one rerun and read until it finishes.

    Returns
    -------
    seconds : float
    problem : str or None
    n_charts : int
    """
    t0 = time.perf_counter()
    await ws.send(request)
    n_charts, problem = 0, None
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element.WhichOneof("type")
            if element == "plotly_chart":
                n_charts += 1
            elif element == "exception":
                problem = "exception: " + msg.delta.new_element.exception.message[:200]
        elif kind == "script_finished":
            if msg.script_finished != FINISHED_OK and problem is None:
                problem = f"script finished with status {msg.script_finished}"
            return time.perf_counter() - t0, problem, n_charts


async def viewer(base_url, path, runs, timeout, results):
    """One browser tab: connect, then ``runs`` page loads in a row."""
    parts = urlsplit(base_url)
    ws_url = f"ws://{parts.netloc}/_stcore/stream"
    request = _rerun_message(path, base_url)
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"],
                                      origin=base_url, max_size=None) as ws:
            for _ in range(runs):
                results.append(await _one_run(ws, request, timeout))
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        results.append((float("nan"), f"{type(exc).__name__}: {exc}", 0))


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def run(base_url, path, sessions, runs, timeout, pid):
    results = []
    peak, stop = [0], asyncio.Event()
    watcher = asyncio.create_task(_watch_memory(pid, peak, stop)) if pid else None
    baseline = _rss_bytes(pid) if pid else 0
    t0 = time.perf_counter()
    await asyncio.gather(*(viewer(base_url, path, runs, timeout, results)
                           for _ in range(sessions)))
    wall = time.perf_counter() - t0
    stop.set()
    if watcher:
        await watcher
    return results, wall, baseline, peak[0]


def report(results, wall, sessions, runs, baseline, peak):
    times = [t for t, problem, _ in results if problem is None]
    problems = [p for _, p, _ in results if p is not None]
    charts = {c for t, p, c in results if p is None}
    lines = [f"{sessions} concurrent sessions x {runs} runs: {len(results)} runs in "
             f"{wall:.1f} s"]
    if times:
        lines.append(f"run time  p50 {statistics.median(times):.2f} s   "
                     f"p95 {percentile(times, 95):.2f} s   max {max(times):.2f} s   "
                     f"(charts per run: {sorted(charts)})")
    lines.append(f"failures  {len(problems)}" + (f": {problems[:3]}" if problems else ""))
    if peak:
        lines.append(f"server memory  {baseline / 2**20:.0f} MiB before, "
                     f"{peak / 2**20:.0f} MiB peak")
    return "\n".join(lines)


TRIVIAL_APP = "bench/trivial_app.py"
# (sessions, runs, warm, app page, label): the README's table.
SCENARIOS = [
    (20, 3, True, "/", "Compare (default view)"),
    (20, 3, False, "/", "Compare (default view)"),
    (40, 3, True, "/", "Compare (default view)"),
    (20, 3, True, "/steps", "EM step-through"),
]


def measure(app, path, sessions, runs, warm, timeout=60.0):
    """One scenario on a fresh server of ``app``: (times of the good runs, failures,
    memory before, memory peak)."""
    proc, base_url = start_server(app)
    try:
        if warm:
            asyncio.run(run(base_url, path, 1, 1, timeout, None))
        results, _, before, peak = asyncio.run(
            run(base_url, path, sessions, runs, timeout, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    times = [t for t, problem, _ in results if problem is None]
    return times, len(results) - len(times), before, peak


def table():
    """The README table: every scenario against the app and the trivial app."""
    lines = ["| sessions x page loads | page | p50 | p95 | max | failures | server memory "
             "| trivial app p50 / p95 | p50, p95 vs trivial |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for sessions, runs, warm, path, label in SCENARIOS:
        ref, ref_failed, _, _ = measure(TRIVIAL_APP, "/", sessions, runs, warm)
        times, failed, before, peak = measure("app.py", path, sessions, runs, warm)
        if not times or not ref:
            lines.append(f"| {sessions} x {runs} | {label} | every run failed |")
            continue
        p50, p95 = statistics.median(times), percentile(times, 95)
        r50, r95 = statistics.median(ref), percentile(ref, 95)
        lines.append(
            f"| {sessions} x {runs}, {'warm' if warm else 'fresh server'} | {label} "
            f"| {p50:.2f} s | {p95:.2f} s | {max(times):.2f} s | {failed + ref_failed} "
            f"| {before / 2**20:.0f} → {peak / 2**20:.0f} MiB | {r50:.2f} s / {r95:.2f} s "
            f"| {p50 / r50:.1f}x, {p95 / r95:.1f}x |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running app (default: start one)")
    parser.add_argument("--pid", type=int, help="server process id, for memory")
    parser.add_argument("--path", default="/", help="page path and query, e.g. /steps?k=4")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="page loads per session")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per message")
    parser.add_argument("--warm", action="store_true",
                        help="one session first, so the caches are warm")
    parser.add_argument("--table", action="store_true",
                        help="the README table: every scenario, the app beside a trivial app")
    args = parser.parse_args(argv)
    if args.table:
        print(f"Command: `python -m bench.load_test --table`  ({os.cpu_count()} cores; "
              f"each line: a fresh server of {TRIVIAL_APP}, then a fresh server of app.py)\n")
        print(table())
        return 0
    proc = None
    if args.url:
        base_url, pid = args.url.rstrip("/"), args.pid
    else:
        proc, base_url = start_server()
        pid = proc.pid
    try:
        if args.warm:
            asyncio.run(run(base_url, args.path, 1, 1, args.timeout, None))
        results, wall, baseline, peak = asyncio.run(
            run(base_url, args.path, args.sessions, args.runs, args.timeout, pid))
        print(f"{base_url}{args.path}  ({os.cpu_count()} cores)")
        print(report(results, wall, args.sessions, args.runs, baseline, peak))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
