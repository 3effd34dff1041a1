"""Memory of one viewer's worst allowed upload, measured in a fresh process.

Builds a CSV just under the upload limit (random floats), then does what the
app does for it -- parse (``dashboard.ingest``), fit both models within the
budget (``dashboard.compare``), build the Compare page's two figures -- and
reports the peak resident memory above the process's baseline after each
step, and what stays held afterwards (the parsed data and the fit, which the
app keeps in its caches and the viewer's session).

    python -m bench.worst_case_memory [--rows 238000] [--columns 20] [--k 12]

Not part of the test suite.
"""

import argparse
import gc
import resource
import time
from pathlib import Path

import numpy as np


def rss_mib():
    """Current resident memory of this process, MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mib():
    """Peak resident memory of this process so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_bytes(n_rows, n_columns, limit_bytes, seed=0):
    """A CSV of random floats with a header, cut to stay under ``limit_bytes``."""
    X = np.random.RandomState(seed).normal(size=(n_rows, n_columns)) * 100
    header = ",".join(f"v{j}" for j in range(n_columns))
    body = "\n".join(",".join(f"{v:.6f}" for v in row) for row in X)
    raw = (header + "\n" + body + "\n").encode()
    if len(raw) > limit_bytes:
        raw = raw[: raw.rfind(b"\n", 0, limit_bytes) + 1]
    return raw


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=238_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--k", type=int, default=12)
    parser.add_argument("--covariance-type", default="full")
    args = parser.parse_args()

    from dashboard import budget, charts, compare, ingest

    raw = csv_bytes(args.rows, args.columns, ingest.MAX_UPLOAD_MB * 2**20 - 4096)
    gc.collect()
    base = rss_mib()
    steps = []

    def step(name, func):
        started = time.perf_counter()
        value = func()
        gc.collect()
        steps.append((name, time.perf_counter() - started, peak_mib() - base, rss_mib() - base))
        return value

    result = step("parse", lambda: ingest.ingest(raw))
    X = result.features.to_numpy()
    raw = None  # the parsed table replaces the bytes
    settings = compare.Settings(k=args.k, covariance_type=args.covariance_type)
    c = step("fit (planned)", lambda: compare.compare(X, settings, budget.Limits()))
    view = compare.pca_view(c.X)
    step("figures", lambda: (charts.kmeans_figure(c, view), charts.gmm_figure(c, view)))
    print(f"python -m bench.worst_case_memory --rows {args.rows} --columns {args.columns} "
          f"--k {args.k} --covariance-type {args.covariance_type}")
    print(f"file {ingest.MAX_UPLOAD_MB} MB limit: {X.shape[0]:,} rows x {X.shape[1]} columns; "
          f"plan: {c.plan.n_rows:,} rows shown, {c.plan.n_fit:,} fitted, n_init {c.plan.n_init}")
    print("\n| step | seconds | peak above baseline, MiB | held after the step, MiB |")
    print("|---|---:|---:|---:|")
    for name, seconds, peak, held in steps:
        print(f"| {name} | {seconds:.1f} | {peak:.0f} | {held:.0f} |")


if __name__ == "__main__":
    main()
