"""Hostile load: normal viewers of the Compare page while other visitors do the expensive things.

One run against one freshly started ``streamlit run app.py``, in Streamlit's own
protocol (see :mod:`bench.load_test`):

1. warm-up: N viewers load the Compare page (``/``) ``--runs`` times each, alone;
2. the same N viewers keep loading it, in a closed loop, while hostile sessions
   (``--hostile`` of each kind) open the expensive links (the Compare page with
   K = 12, 20 restarts, 1000 iterations, tol = 0, and the Choose K grid) and
   upload the largest CSV the limits allow (close to 50 MB) through the sidebar's
   file uploader, then let the page fit it with K = 12 and full covariances.

    python -m bench.hostile_load                        # 20 viewers, 2 hostile of each kind
    python -m bench.hostile_load --sessions 4 --runs 1 --hostile 1

Reports the viewers' p50/p95/max page-load time and failures without and with
the hostile sessions, the server's resident memory, and for each hostile
request how long the server took to finish (or refuse) it and what the page
said (its alerts: budget notes, warnings, errors). Hostile sessions after the
first of a kind add ``seed=<i>`` to their link and upload a different file, as
a visitor would to get past the shared caches. Not part of the test suite.
"""

import argparse
import asyncio
import math
import os
import re
import shlex
import statistics
import sys
import time
import urllib.request
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np
import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.load_test import FINISHED_OK, _rss_bytes, percentile, start_server
from dashboard import ingest

NORMAL_PATH = "/"
LINKS = {
    "expensive link": "/?dataset=iris&k=12&n_init=20&max_iter=1000&tol=0&reg_covar=1",
    "Choose K link": "/choose_k?dataset=iris&k=12&n_init=20&max_iter=1000&tol=0",
}
UPLOAD_PATH = "/?dataset=upload&k=12&cov=full"
UPLOADER_KEY = "upload"  # the sidebar's file uploader (dashboard/ui/sidebar.py)
XSRF_COOKIE = "_streamlit_xsrf"
MULTIPART_MARGIN = 4096  # bytes left under the limit for the multipart framing
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
ALERT_KINDS = {1: "error", 2: "warning", 3: "info", 4: "success"}
CAPTION = Markdown.CAPTION
MIB = 2**20


class ProtocolError(RuntimeError):
    """The server did not answer as Streamlit's protocol says it should."""


# ------------------------------------------------------------------ one session
@dataclass
class Run:
    """One page load as a viewer saw it.

    Attributes
    ----------
    seconds : float
        Request to the final ``script_finished`` (NaN when it never came).
    problem : str or None
        An exception shown on the page, an error finish status, a timeout.
    charts : int
        Plotly charts received.
    alerts : list of (str, str)
        (error|warning|info|success, text) of every alert element.
    captions : list of str
        The text of every caption (the data's description is one).
    """

    seconds: float
    problem: str | None = None
    charts: int = 0
    alerts: list = field(default_factory=list)
    captions: list = field(default_factory=list)


@dataclass
class Session:
    """An open websocket session and what the server has told it about itself."""

    ws: object
    base_url: str
    session_id: str | None = None
    query: str = ""
    uploaders: dict = field(default_factory=dict)  # widget id -> label


@asynccontextmanager
async def open_session(base_url, timeout):
    """Open ``/_stcore/stream`` as a browser tab does (no pings: browsers send none)."""
    ws_url = f"ws://{urlsplit(base_url).netloc}/_stcore/stream"
    try:
        ws = await asyncio.wait_for(websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=base_url, max_size=None,
            ping_interval=None), timeout)
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        raise ProtocolError(f"websocket handshake with {ws_url} failed: "
                            f"{type(exc).__name__}: {exc}") from exc
    try:
        yield Session(ws, base_url)
    finally:
        await ws.close()


def rerun_message(session, path_and_query, widgets=None, query=None):
    """The ``BackMsg.rerun_script`` a browser sends to load ``path_and_query``.

    ``widgets`` are ``WidgetState`` protos (a widget the user changed); ``query``
    overrides the query string (a rerun keeps the URL the server last set).
    """
    path, _, link_query = path_and_query.partition("?")
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = link_query if query is None else query
    state.page_name = path.strip("/")
    state.context_info.url = session.base_url + path_and_query
    for widget in widgets or ():
        state.widget_states.widgets.append(widget)
    return msg.SerializeToString()


async def receive(session, timeout):
    """The next ``ForwardMsg``, noting the session id, URL and file uploaders it carries."""
    raw = await asyncio.wait_for(session.ws.recv(), timeout)
    msg = ForwardMsg()
    msg.ParseFromString(raw)
    kind = msg.WhichOneof("type")
    if kind == "new_session" and msg.new_session.initialize.session_id:
        session.session_id = msg.new_session.initialize.session_id
    elif kind == "page_info_changed":
        session.query = msg.page_info_changed.query_string
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        if element.WhichOneof("type") == "file_uploader":
            session.uploaders[element.file_uploader.id] = element.file_uploader.label
    return msg


def plain(markdown):
    """Text the app escaped for Markdown (``3\\,636 rows\\.``), unescaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _note_element(element, run):
    """Count a chart, keep an alert's or caption's text, or record an exception."""
    kind = element.WhichOneof("type")
    if kind == "plotly_chart":
        run.charts += 1
    elif kind == "alert":
        run.alerts.append((ALERT_KINDS.get(element.alert.format, "alert"),
                           plain(element.alert.body)))
    elif kind == "markdown" and element.markdown.element_type == CAPTION:
        run.captions.append(plain(element.markdown.body))
    elif kind == "exception" and run.problem is None:
        run.problem = (f"exception: {element.exception.type}: "
                       f"{element.exception.message[:200]}")


async def load(session, request, timeout):
    """Send one rerun and read until its run finishes (after any reruns it asked for).

    Parameters
    ----------
    session : Session
    request : bytes
        A serialized ``BackMsg`` (:func:`rerun_message`).
    timeout : float
        Seconds to wait for each message.

    Returns
    -------
    Run
    """
    t0 = time.perf_counter()
    await session.ws.send(request)
    run = Run(math.nan)
    while True:
        msg = await receive(session, timeout)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            _note_element(msg.delta.new_element, run)
        elif kind == "script_finished" and msg.script_finished != EARLY_FOR_RERUN:
            if msg.script_finished != FINISHED_OK and run.problem is None:
                run.problem = f"script finished with status {msg.script_finished}"
            run.seconds = time.perf_counter() - t0
            return run


# --------------------------------------------------------------- normal viewers
async def viewer(base_url, runs, timeout, keep_going, out):
    """One browser tab on the Compare page: at least ``runs`` loads, then on while
    ``keep_going()``; reconnects after a failure (a viewer reloading the tab)."""
    done = 0
    while done < runs or keep_going():
        try:
            async with open_session(base_url, timeout) as session:
                request = rerun_message(session, NORMAL_PATH)
                while done < runs or keep_going():
                    out.append(await load(session, request, timeout))
                    done += 1
        except (ProtocolError, OSError, TimeoutError, websockets.WebSocketException) as exc:
            out.append(Run(math.nan, f"{type(exc).__name__}: {exc}"[:200]))
            done += 1


async def viewers(base_url, sessions, runs, timeout, keep_going=lambda: False):
    """``sessions`` concurrent viewers; returns (their runs, wall-clock seconds)."""
    out = []
    t0 = time.perf_counter()
    await asyncio.gather(*(viewer(base_url, runs, timeout, keep_going, out)
                           for _ in range(sessions)))
    return out, time.perf_counter() - t0


# -------------------------------------------------------------- hostile visitors
@dataclass
class Hostile:
    """One hostile request and what came of it.

    Attributes
    ----------
    kind : str
    target : str
        The link opened (for an upload: the page and the file).
    seconds : float
        Until the server finished the page (or refused); NaN if it never did.
    outcome : str
    alerts : list of (str, str)
    detail : str
        Where the time went (an upload: sending the file, then the run).
    """

    kind: str
    target: str
    seconds: float = math.nan
    outcome: str = "not run"
    alerts: list = field(default_factory=list)
    detail: str = ""


def outcome_of(run):
    """In words: ok, an error shown, or the run's problem."""
    if run.problem:
        return run.problem
    errors = [text for kind, text in run.alerts if kind == "error"]
    if errors:
        return "error shown: " + errors[0][:120]
    return f"ok, {run.charts} chart(s)"


async def open_link(result, base_url, path, timeout):
    """A new session opening ``path``: the link's settings apply on its first run."""
    async with open_session(base_url, timeout) as session:
        run = await load(session, rerun_message(session, path), timeout)
    result.seconds, result.outcome, result.alerts = run.seconds, outcome_of(run), run.alerts


def worst_csv(seed, max_bytes, n_columns, max_rows):
    """Random floats ('123.456789') as CSV bytes: as many rows as fit in ``max_bytes``.

    Returns
    -------
    payload : bytes
    n_rows : int
    """
    rng = np.random.default_rng(seed)
    # Not x1, x2...: the built-in datasets' names, which the sidebar would keep as the
    # column choice, fitting two columns of the upload instead of all of them.
    header = (",".join(f"v{j + 1}" for j in range(n_columns)) + "\n").encode()
    width = 10  # characters of a cell, then its separator
    n_rows = min(max_rows, (max_bytes - len(header)) // (n_columns * (width + 1)))
    cells = rng.integers(ord("0"), ord("9") + 1, size=(n_rows, n_columns, width + 1),
                         dtype=np.uint8)
    cells[:, :, 3] = ord(".")
    cells[:, :, width] = ord(",")
    cells[:, -1, width] = ord("\n")
    return header + cells.tobytes(), n_rows


def xsrf_cookie(base_url, timeout):
    """The XSRF cookie the server sets (on any page or health check), or None when off."""
    with urllib.request.urlopen(base_url + "/_stcore/health", timeout=timeout) as response:
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            if name.strip() == XSRF_COOKIE:
                return rest.split(";")[0]
    return None


def _put_file(url, name, payload, cookie, timeout):
    """PUT the file as the browser does (multipart, XSRF cookie echoed in a header)."""
    headers = {"Cookie": f"{XSRF_COOKIE}={cookie}", "X-Xsrftoken": cookie} if cookie else {}
    response = requests.put(url, files={"file": (name, payload, "text/csv")},
                            headers=headers, timeout=timeout)
    return response.status_code, response.text[:200]


async def _file_urls(session, name, timeout):
    """Ask the server where to upload ``name`` (``BackMsg.file_urls_request``)."""
    msg = BackMsg()
    request_id = uuid.uuid4().hex
    msg.file_urls_request.request_id = request_id
    msg.file_urls_request.file_names.append(name)
    msg.file_urls_request.session_id = session.session_id
    await session.ws.send(msg.SerializeToString())
    while True:  # between runs nothing else should come; whatever does is not needed
        reply = await receive(session, timeout)
        if (reply.WhichOneof("type") == "file_urls_response"
                and reply.file_urls_response.response_id == request_id):
            response = reply.file_urls_response
            if response.error_msg or not response.file_urls:
                raise ProtocolError(f"no upload URL: {response.error_msg or 'empty reply'}")
            return response.file_urls[0]


def _uploader_state(widget_id, name, size, urls):
    """The ``WidgetState`` a browser sends once the file is on the server."""
    widget = WidgetState(id=widget_id)
    info = widget.file_uploader_state_value.uploaded_file_info.add()
    info.name, info.size, info.file_id = name, size, urls.file_id
    info.file_urls.CopyFrom(FileURLs(file_id=urls.file_id, upload_url=urls.upload_url,
                                     delete_url=urls.delete_url))
    return widget


def _find_uploader(session):
    """The id of the sidebar's CSV uploader (widget ids of keyed widgets end in the key)."""
    ids = [i for i in session.uploaders if i.endswith("-" + UPLOADER_KEY)] or list(
        session.uploaders)
    if not ids:
        raise ProtocolError(f"no file_uploader element on {UPLOAD_PATH}")
    return ids[0]


async def upload(result, base_url, payload, name, cookie, timeout):
    """Open ``UPLOAD_PATH``, upload ``payload`` into the sidebar's uploader, let it run."""
    async with open_session(base_url, timeout) as session:
        first = await load(session, rerun_message(session, UPLOAD_PATH), timeout)
        if session.session_id is None:
            raise ProtocolError("the server sent no new_session.initialize.session_id")
        widget_id = _find_uploader(session)
        t0 = time.perf_counter()
        urls = await _file_urls(session, name, timeout)
        status, body = await asyncio.to_thread(
            _put_file, base_url + urls.upload_url, name, payload, cookie, timeout)
        sent = time.perf_counter() - t0
        if status >= 300:
            result.seconds, result.outcome = sent, f"refused: HTTP {status} {body}"
            result.detail = f"first run {first.seconds:.1f} s"
            return
        widget = _uploader_state(widget_id, name, len(payload), urls)
        run = await load(session, rerun_message(session, UPLOAD_PATH, [widget], session.query),
                         timeout)
    result.seconds, result.outcome, result.alerts = sent + run.seconds, outcome_of(run), \
        run.alerts
    loaded = next((c for c in run.captions if c.startswith(name + ":")), "no data caption")
    result.detail = (f"first run (no file) {first.seconds:.1f} s; upload {sent:.1f} s, "
                     f"then the run {run.seconds:.1f} s; the page says \"{loaded}\"")


async def hostile(result, job, deadline, timeout):
    """Run one hostile ``job`` into ``result``, within ``deadline`` seconds in all."""
    t0 = time.perf_counter()
    try:
        await asyncio.wait_for(job, deadline)
    except TimeoutError:
        result.seconds = time.perf_counter() - t0
        result.outcome = (f"timeout: not finished after {deadline:.0f} s"
                          if result.seconds >= deadline - 0.5 else
                          f"timeout: no message for {timeout:.0f} s")
    except (ProtocolError, OSError, websockets.WebSocketException,
            requests.RequestException) as exc:
        result.seconds = time.perf_counter() - t0
        result.outcome = f"failed: {type(exc).__name__}: {exc}"[:200]
    return result


def hostile_jobs(base_url, n_each, files, cookie, timeout):
    """(result, coroutine) for ``n_each`` requests of every kind."""
    jobs = []
    for kind, link in LINKS.items():
        for i in range(n_each):
            path = link if i == 0 else f"{link}&seed={i}"
            result = Hostile(kind, path)
            jobs.append((result, open_link(result, base_url, path, timeout)))
    for i, (payload, n_rows, n_columns) in enumerate(files):
        name = f"worst_{i + 1}.csv"
        result = Hostile("upload", f"{UPLOAD_PATH} + {name} ({len(payload) / MIB:.1f} MiB, "
                                   f"{n_rows:,} rows x {n_columns} columns)")
        jobs.append((result, upload(result, base_url, payload, name, cookie, timeout)))
    return jobs


# ------------------------------------------------------------------- the run
class Memory:
    """The server's resident memory, sampled every 50 ms: peak per phase."""

    def __init__(self, pid):
        self.pid, self.phase, self.peaks = pid, None, {}
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._watch())

    def now(self):
        return _rss_bytes(self.pid)

    async def _watch(self):
        while not self._stop.is_set():
            if self.phase:
                self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), self.now())
            await asyncio.sleep(0.05)

    async def stop(self):
        self._stop.set()
        await self._task


async def benchmark(args, base_url, pid, files):
    """Warm-up without, then the same viewers with the hostile sessions; returns a dict."""
    memory = Memory(pid)
    out = {"rss_start": memory.now()}
    try:
        memory.phase = "warm"
        first, _ = await viewers(base_url, 1, 1, args.timeout)
        if first[0].problem:
            raise ProtocolError(f"the first page load failed: {first[0].problem}")
        out["first"] = first[0].seconds
        out["warm"], out["warm_wall"] = await viewers(base_url, args.sessions, args.runs,
                                                      args.timeout)
        out["rss_warm"] = memory.now()
        cookie = await asyncio.to_thread(xsrf_cookie, base_url, args.timeout)
        out["xsrf"] = cookie is not None
        memory.phase = "hostile"
        # A visitor's browser waits as long as the run takes: no per-message timeout
        # shorter than the request's own.
        jobs = hostile_jobs(base_url, args.hostile, files, cookie, args.hostile_timeout)
        finished = asyncio.Event()

        async def all_hostile():
            await asyncio.sleep(args.hostile_delay)
            try:
                return await asyncio.gather(*(
                    hostile(r, job, args.hostile_timeout, args.timeout) for r, job in jobs))
            finally:
                finished.set()

        out["hostile"], (out["loaded"], out["loaded_wall"]) = await asyncio.gather(
            all_hostile(), viewers(base_url, args.sessions, args.runs, args.timeout,
                                   lambda: not finished.is_set()))
        memory.phase = "after"
        await asyncio.sleep(args.settle)
        out["rss_end"] = memory.now()
    finally:
        await memory.stop()
    out["peaks"] = memory.peaks
    return out


# ------------------------------------------------------------------- the report
def _cell(text, limit=None):
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if limit is None or len(text) <= limit else text[:limit - 1] + "…"


def _mib(n_bytes):
    return f"{n_bytes / MIB:.0f} MiB"


def load_row(label, runs, sessions, before, peak):
    """A Markdown row: p50/p95/max of the successful loads, failures, memory."""
    times = [r.seconds for r in runs if r.problem is None]
    failures = sum(r.problem is not None for r in runs)
    stats = ((f"{statistics.median(times):.2f} s", f"{percentile(times, 95):.2f} s",
              f"{max(times):.2f} s") if times else ("–", "–", "–"))
    return (f"| {label} | {sessions} x {len(runs) / sessions:.1f} ({len(runs)}) | "
            + " | ".join(stats) + f" | {failures} | {_mib(before)} → {_mib(peak)} peak |")


def alert_summary(alerts, limit=160):
    """The page's alerts in one table cell."""
    if not alerts:
        return "–"
    return "; ".join(f"{kind}: {_cell(text, limit)}" for kind, text in alerts)


def report(args, out, command):
    """The whole report, in Markdown."""
    peaks = out["peaks"]
    n_hostile = len(out["hostile"])
    lines = [
        f"Command: `{command}`  ({os.cpu_count()} cores; server started fresh, first page "
        f"load {out['first']:.2f} s)",
        "",
        "| phase | sessions x loads per session (loads) | p50 | p95 | max | failures | "
        "server memory |",
        "|---|---|---:|---:|---:|---:|---:|",
        load_row("warm-up, no hostile sessions", out["warm"], args.sessions,
                 out["rss_start"], peaks.get("warm", 0)),
        load_row(f"with {n_hostile} hostile sessions", out["loaded"], args.sessions,
                 out["rss_warm"], peaks.get("hostile", 0)),
        "",
        f"Server memory: {_mib(out['rss_start'])} at start, {_mib(out['rss_warm'])} after "
        f"the warm-up, {_mib(peaks.get('hostile', 0))} peak with the hostile sessions, "
        f"{_mib(out['rss_end'])} {args.settle:.0f} s after they finished. Walls: warm-up "
        f"{out['warm_wall']:.1f} s, hostile phase {out['loaded_wall']:.1f} s. XSRF cookie "
        f"{'set and sent' if out['xsrf'] else 'not set by the server'}.",
        "",
        "| hostile request | target | time | outcome | what the page said |",
        "|---|---|---:|---|---|",
    ]
    for h in out["hostile"]:
        lines.append(f"| {h.kind} | `{_cell(h.target)}` | {h.seconds:.1f} s | "
                     f"{_cell(h.outcome, 160)} | {alert_summary(h.alerts)} |")
    details = [f"- {h.kind} `{h.target}`: {h.detail}" for h in out["hostile"] if h.detail]
    failures = [r.problem for r in out["warm"] + out["loaded"] if r.problem]
    if details:
        lines += ["", *details]
    if failures:
        lines += ["", f"Viewer failures ({len(failures)}), first ones:",
                  *(f"- {_cell(p, 200)}" for p in failures[:5])]
    return "\n".join(lines)


# ------------------------------------------------------------------- main
def prepare_files(args):
    """One worst-case CSV per hostile upload, each different (no shared cache)."""
    limit = min(ingest.MAX_UPLOAD_MB * MIB, args.upload_mb * MIB) - MULTIPART_MARGIN
    columns = min(args.upload_columns, ingest.MAX_COLUMNS)
    files = []
    for i in range(args.hostile):
        payload, n_rows = worst_csv(i, limit, columns, ingest.MAX_ROWS)
        files.append((payload, n_rows, columns))
    return files


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="normal viewers")
    parser.add_argument("--runs", type=int, default=3,
                        help="page loads per viewer in the warm-up (and at least as many after)")
    parser.add_argument("--hostile", type=int, default=2, help="hostile sessions of each kind")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per message")
    parser.add_argument("--hostile-timeout", type=float, default=300.0,
                        help="seconds for one hostile request, all in all")
    parser.add_argument("--hostile-delay", type=float, default=1.0,
                        help="seconds the viewers run before the hostile sessions start")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="seconds after the hostile phase before the last memory reading")
    parser.add_argument("--upload-mb", type=float, default=ingest.MAX_UPLOAD_MB,
                        help="size of each uploaded file (at most the app's limit)")
    parser.add_argument("--upload-columns", type=int, default=20)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    command = shlex.join(["python", "-m", "bench.hostile_load",
                          *(sys.argv[1:] if argv is None else argv)])
    files = prepare_files(args)
    proc, base_url = start_server()
    try:
        out = asyncio.run(benchmark(args, base_url, proc.pid, files))
    except ProtocolError as exc:
        raise SystemExit(f"hostile_load: {exc}") from None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except Exception:  # noqa: BLE001 - a server that will not stop is killed
            proc.kill()
            proc.wait(timeout=10)
    print(report(args, out, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
