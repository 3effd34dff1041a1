"""GaussianMixture on Dask vs in memory vs scikit-learn: time per EM iteration and peak memory.

    python -m bench.bench_dask                          # 1 M and 10 M rows x 4 features
    python -m bench.bench_dask --rows 1e6 1e7 --out-of-core 1e8

Every variant runs in its own process (so peak memory is its own), fits K = 5
full-covariance components for a fixed number of iterations (``tol=0``) from the
same initial parameters, and reports seconds per iteration and peak resident
memory per process:

- ``dask``: gmmcore on a ``distributed.LocalCluster`` of 2 worker processes, the
  data generated on and kept by the workers (``persist``); the client holds only
  K x d x d arrays.
- ``memory``: gmmcore on one in-memory NumPy array.
- ``sklearn``: scikit-learn's GaussianMixture on the same array.
- ``out-of-core`` (``--out-of-core N``): gmmcore on the LocalCluster reading a
  Parquet dataset from disk on every iteration (no persist), for N rows that need
  not fit in memory.

Not part of the test suite.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_FEATURES = 4
K = 5
ITERATIONS = 5
BLOCK_ROWS = 500_000


def _centres():
    return np.random.RandomState(0).uniform(-8, 8, size=(K, N_FEATURES))


def _block(seed, n_rows):
    """Rows of a 5-component mixture, generated the same on any machine."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(K, size=n_rows)
    return _centres()[labels] + rng.standard_normal((n_rows, N_FEATURES))


def _start():
    """The initial parameters every variant starts from."""
    means = _centres() + 0.5
    return {"weights_init": np.full(K, 1 / K), "means_init": means,
            "precisions_init": np.repeat(np.eye(N_FEATURES)[None], K, axis=0)}


def _peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _numpy_data(n_rows):
    blocks = [_block(i, min(BLOCK_ROWS, n_rows - start))
              for i, start in enumerate(range(0, n_rows, BLOCK_ROWS))]
    return np.concatenate(blocks)


def _timed_fit(model, X):
    t0 = time.perf_counter()
    model.fit(X)
    return (time.perf_counter() - t0) / model.n_iter_


def run_memory(n_rows):
    import gmmcore

    X = _numpy_data(n_rows)
    model = gmmcore.GaussianMixture(K, tol=0, max_iter=ITERATIONS, **_start())
    return {"seconds_per_iteration": _timed_fit(model, X), "peak_mib": {"process": _peak_mib()}}


def run_sklearn(n_rows):
    import warnings

    from sklearn.mixture import GaussianMixture

    X = _numpy_data(n_rows)
    model = GaussianMixture(K, tol=0, max_iter=ITERATIONS, **_start())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds = _timed_fit(model, X)
    return {"seconds_per_iteration": seconds, "peak_mib": {"process": _peak_mib()}}


def _cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="8GiB")
    return cluster, Client(cluster)


def _worker_peaks(client):
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {f"worker {i + 1}": v for i, v in enumerate(peaks.values())}


def run_dask(n_rows):
    import dask
    import dask.array as da

    import gmmcore

    cluster, client = _cluster()
    try:
        sizes = [min(BLOCK_ROWS, n_rows - s) for s in range(0, n_rows, BLOCK_ROWS)]
        blocks = [da.from_delayed(dask.delayed(_block)(i, n), (n, N_FEATURES), dtype=float)
                  for i, n in enumerate(sizes)]
        X = da.concatenate(blocks).persist()
        dask.compute(X.sum())  # generated on the workers before timing
        model = gmmcore.GaussianMixture(K, tol=0, max_iter=ITERATIONS, **_start())
        seconds = _timed_fit(model, X)
        return {"seconds_per_iteration": seconds,
                "peak_mib": {"client": _peak_mib(), **_worker_peaks(client)}}
    finally:
        client.close()
        cluster.close()


def write_parquet(n_rows, folder):
    """The benchmark data as Parquet files of BLOCK_ROWS rows, written block by block."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    for i, start in enumerate(range(0, n_rows, BLOCK_ROWS)):
        path = folder / f"part{i:05d}.parquet"
        if not path.exists():
            block = _block(i, min(BLOCK_ROWS, n_rows - start))
            pd.DataFrame(block, columns=[f"x{j}" for j in range(N_FEATURES)]).to_parquet(path)


def run_out_of_core(n_rows, folder):
    import dask.dataframe as dd

    import gmmcore

    write_parquet(n_rows, Path(folder))
    cluster, client = _cluster()
    try:
        X = dd.read_parquet(folder).to_dask_array(lengths=True)
        model = gmmcore.GaussianMixture(K, tol=0, max_iter=2, **_start())
        seconds = _timed_fit(model, X)
        size_gb = sum(p.stat().st_size for p in Path(folder).glob("*.parquet")) / 1e9
        return {"seconds_per_iteration": seconds, "parquet_gb": size_gb,
                "peak_mib": {"client": _peak_mib(), **_worker_peaks(client)}}
    finally:
        client.close()
        cluster.close()


VARIANTS = {"dask": run_dask, "memory": run_memory, "sklearn": run_sklearn}


def _in_subprocess(variant, n_rows, extra=()):
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_dask", "--variant", variant, "--rows", str(n_rows),
         *extra], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(n_rows, variant, result):
    if "error" in result:
        return f"| {n_rows:,} | {variant} | failed: {result['error'][:60]} | |"
    peaks = ", ".join(f"{k} {v:,.0f}" for k, v in result["peak_mib"].items())
    return f"| {n_rows:,} | {variant} | {result['seconds_per_iteration']:.2f} | {peaks} |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--out-of-core", type=float, help="rows for the on-disk run")
    parser.add_argument("--parquet-dir", default=str(Path(tempfile.gettempdir()) /
                                                     "gmmcore_bench_parquet"))
    parser.add_argument("--variant", choices=[*VARIANTS, "out-of-core"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:  # one measurement, in this process
        n_rows = int(args.rows[0])
        result = (run_out_of_core(n_rows, args.parquet_dir) if args.variant == "out-of-core"
                  else VARIANTS[args.variant](n_rows))
        print(json.dumps(result))
        return 0
    print(f"K = {K} full covariance, {N_FEATURES} features, {ITERATIONS} EM iterations from "
          "the same start")
    print("| rows | variant | s / iteration | peak MiB per process |")
    print("|---:|---|---:|---|")
    for n_rows in (int(r) for r in args.rows):
        for variant in VARIANTS:
            print(_row(n_rows, variant, _in_subprocess(variant, n_rows)), flush=True)
    if args.out_of_core:
        n_rows = int(args.out_of_core)
        result = _in_subprocess("out-of-core", n_rows, ["--parquet-dir", args.parquet_dir])
        print(_row(n_rows, "dask, Parquet on disk", result) +
              (f" ({result['parquet_gb']:.1f} GB)" if "parquet_gb" in result else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
