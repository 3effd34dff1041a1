"""Control changes in a row, in Chromium: the app (and other checkouts of it) beside the floor.

``bench.browser_latency`` times one K change and one covariance change per fresh
server, which resolves about 0.1 s on this shared machine. This takes ``--changes``
changes in a row on each of ``--repeat`` fresh servers per app (K 3 -> 4 -> 5 ...,
or the covariance type full -> diag -> full ...), apps alternating so that drift
hits all alike, and prints for each app the median time from the input event to
every chart redrawn, its quartiles, its ratio to the floor's, and the server's
CPU seconds per change. ``--tree`` adds ``app.py`` of another checkout (a
``git worktree`` of an earlier commit, say), for a before/after in one run.

    python -m bench.browser_series                       # 6 servers x 5 K changes each
    python -m bench.browser_series --change covariance
    python -m bench.browser_series --tree /tmp/before

Not part of the test suite.
"""

import argparse
import statistics
import sys
from pathlib import Path

from bench import browser_latency as bl
from bench.load_test import ROOT

COVARIANCES = ["diag", "full"]


def _series(browser, app, root, changes, change):
    """Seconds to every chart redrawn and server CPU seconds, for each change on one server."""
    proc, page, _ = bl._cold_start(browser, app, root)
    times, cpu = [], []
    try:
        for i in range(changes):
            before = bl._snapshot(page)["charts"]
            if change == "k":
                def action():
                    bl._press_k(page)
            else:
                def action(option=COVARIANCES[i % 2]):
                    bl._choose_covariance(page, option)
            result = bl._timed(page, proc, action, bl.CHANGED, before)
            times.append(result["redrawn"])
            cpu.append(result["server cpu"])
    finally:
        page.context.close()
        proc.terminate()
        proc.wait(timeout=30)
    return times, cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=6, help="fresh servers per app")
    parser.add_argument("--changes", type=int, default=5, help="changes per server")
    parser.add_argument("--change", choices=["k", "covariance"], default="k")
    parser.add_argument("--tree", action="append", default=[], type=Path,
                        help="another checkout whose app.py runs beside this one's")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    apps = [("floor", bl.FLOOR_APP, ROOT), ("app", bl.APP, ROOT)]
    apps += [(f"app at {tree}", bl.APP, tree) for tree in args.tree]
    times = {name: [] for name, _, _ in apps}
    cpu = {name: [] for name, _, _ in apps}
    print("Command: `python -m bench.browser_series " + " ".join(argv or sys.argv[1:])
          + f"`  ({args.repeat} fresh servers x {args.changes} {args.change} changes per app)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bl._chromium(), args=bl.CHROMIUM_ARGS)
        for run in range(args.repeat):
            for name, app, root in apps:
                t, c = _series(browser, app, root, args.changes, args.change)
                times[name] += t
                cpu[name] += c
                print(f"  run {run + 1}/{args.repeat} {name}: "
                      + ", ".join(f"{x:.2f}" for x in t), flush=True)
        browser.close()
    floor = statistics.median(times["floor"])
    print(f"\n| {args.change} change, every chart redrawn | median | quartiles | ratio to the "
          "floor | server CPU s per change |")
    print("|---|---:|---:|---:|---:|")
    for name, _, _ in apps:
        q1, median, q3 = statistics.quantiles(times[name], n=4)
        print(f"| {name} | {median:.3f} s | {q1:.3f}–{q3:.3f} s | {median / floor:.2f}x | "
              f"{statistics.median(cpu[name]):.2f} |")


if __name__ == "__main__":
    main()
