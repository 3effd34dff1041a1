"""GaussianMixture on Dask vs in memory vs scikit-learn: time per EM iteration and peak memory.

    python -m bench.bench_dask                          # 1 M and 10 M rows x 4 features
    python -m bench.bench_dask --rows 1e6 1e7 --out-of-core 1e8 [--iters 5] [--repeat 3]

Every variant runs in its own process (so peak memory is its own), fits K = 5
full-covariance components with ``tol=0`` from the same given initial parameters
(``weights_init``, ``means_init``, ``precisions_init``; scikit-learn with
``init_params="random_from_data"``, its cheapest initialisation, which the given
parameters override; scikit-learn >= 1.4 skips it altogether when all three are given),
and reports peak resident memory per process and seconds per iteration as a marginal
cost: (fit with ``max_iter=N+1`` - fit with ``max_iter=1``) / N, each fit the best of R
after one untimed fit of 1 iteration. The difference removes what a fit does besides
iterating: input checks, gmmcore's pass for the fitting frame (and its transposed copy
in memory), scikit-learn's final E-step. The variants:

- ``dask``: gmmcore on a ``distributed.LocalCluster`` of 2 worker processes, the
  data generated on and kept by the workers (``persist``); the client holds only
  K x d x d arrays.
- ``memory``: gmmcore on one in-memory NumPy array.
- ``sklearn``: scikit-learn's GaussianMixture on the same array.
- ``out-of-core`` (``--out-of-core N``): gmmcore on the LocalCluster reading a
  Parquet dataset from disk on every pass (no persist), for N rows that need not fit
  in memory; its marginal is over one iteration (fit of 2 minus fit of 1), once,
  without a warm-up.

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
ITERATIONS = 5  # N: marginal over N iterations (fit of N+1 minus fit of 1)
REPEAT = 3  # R: best of R for every fit
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


def _gmmcore_model(max_iter):
    """gmmcore's GaussianMixture from the given start."""
    import gmmcore

    return gmmcore.GaussianMixture(K, tol=0, max_iter=max_iter, random_state=0, **_start())


def _sklearn_model(max_iter):
    """scikit-learn's GaussianMixture from the same start, with its cheapest initialisation."""
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(K, tol=0, max_iter=max_iter, init_params="random_from_data",
                           random_state=0, **_start())


def _peak_mib():
    """Peak resident memory of this process, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _numpy_data(n_rows):
    blocks = [_block(i, min(BLOCK_ROWS, n_rows - start))
              for i, start in enumerate(range(0, n_rows, BLOCK_ROWS))]
    return np.concatenate(blocks)


def _fit_seconds(make, max_iter, X):
    """(seconds, fitted model) of one fit with ``max_iter`` iterations."""
    model = make(max_iter)
    t0 = time.perf_counter()
    model.fit(X)
    return time.perf_counter() - t0, model


def _marginal(make, X, iters, repeat, warm_up=True):
    """Seconds per iteration: (fit of iters + 1 minus fit of 1) / iters, each best of ``repeat``.

    Returns
    -------
    result : dict
        ``seconds_per_iteration``, the best ``fit_seconds`` of the short and long fits
        and the long fit's ``n_iter``.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never converges
        if warm_up:
            _fit_seconds(make, 1, X)
        short, long = [], []
        for _ in range(repeat):
            short.append(_fit_seconds(make, 1, X)[0])
            seconds, model = _fit_seconds(make, iters + 1, X)
            long.append(seconds)
    return {"seconds_per_iteration": (min(long) - min(short)) / iters,
            "fit_seconds": [min(short), min(long)], "n_iter": int(model.n_iter_)}


def run_memory(n_rows, iters, repeat):
    """gmmcore on one in-memory NumPy array."""
    X = _numpy_data(n_rows)
    result = _marginal(_gmmcore_model, X, iters, repeat)
    return {**result, "peak_mib": {"process": _peak_mib()}}


def run_sklearn(n_rows, iters, repeat):
    """scikit-learn on the same in-memory array."""
    X = _numpy_data(n_rows)
    result = _marginal(_sklearn_model, X, iters, repeat)
    return {**result, "peak_mib": {"process": _peak_mib()}}


def _cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit="8GiB")
    return cluster, Client(cluster)


def _worker_peaks(client):
    """Peak resident memory of every worker process, MiB."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {f"worker {i + 1}": v for i, v in enumerate(peaks.values())}


def run_dask(n_rows, iters, repeat):
    """gmmcore on a LocalCluster, the data generated on and persisted by the workers."""
    import dask
    import dask.array as da

    cluster, client = _cluster()
    try:
        sizes = [min(BLOCK_ROWS, n_rows - s) for s in range(0, n_rows, BLOCK_ROWS)]
        blocks = [da.from_delayed(dask.delayed(_block)(i, n), (n, N_FEATURES), dtype=float)
                  for i, n in enumerate(sizes)]
        X = da.concatenate(blocks).persist()
        dask.compute(X.sum())  # generated on the workers before timing
        result = _marginal(_gmmcore_model, X, iters, repeat)
        return {**result, "peak_mib": {"client": _peak_mib(), **_worker_peaks(client)}}
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
    """gmmcore on a LocalCluster reading Parquet from disk on every pass (no persist)."""
    import dask.dataframe as dd

    write_parquet(n_rows, Path(folder))
    cluster, client = _cluster()
    try:
        X = dd.read_parquet(folder).to_dask_array(lengths=True)
        result = _marginal(_gmmcore_model, X, iters=1, repeat=1, warm_up=False)
        size_gb = sum(p.stat().st_size for p in Path(folder).glob("*.parquet")) / 1e9
        return {**result, "parquet_gb": size_gb,
                "peak_mib": {"client": _peak_mib(), **_worker_peaks(client)}}
    finally:
        client.close()
        cluster.close()


VARIANTS = {"dask": run_dask, "memory": run_memory, "sklearn": run_sklearn}


def _in_subprocess(variant, n_rows, extra=()):
    """Run one variant in a new process; its result as a dict (or ``{"error": ...}``)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_dask", "--variant", variant, "--rows", str(n_rows),
         *extra], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(n_rows, variant, result):
    """One Markdown table row."""
    if "error" in result:
        return f"| {n_rows:,} | {variant} | failed: {result['error'][:60]} | | | |"
    peaks = ", ".join(f"{k} {v:,.0f}" for k, v in result["peak_mib"].items())
    short, long = result["fit_seconds"]
    return (f"| {n_rows:,} | {variant} | {result['seconds_per_iteration']:.3f} | "
            f"{short:.2f} / {long:.2f} | {result['n_iter']} | {peaks} |")


def main(argv=None):
    """Every variant in its own process, one table row each (or, with --variant, one run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 1e7])
    parser.add_argument("--out-of-core", type=float, help="rows for the on-disk run")
    parser.add_argument("--iters", type=int, default=ITERATIONS,
                        help="N: marginal time of N iterations (fit of N+1 minus fit of 1)")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="R: best of R for every fit")
    parser.add_argument("--parquet-dir", default=str(Path(tempfile.gettempdir()) /
                                                     "gmmcore_bench_parquet"))
    parser.add_argument("--variant", choices=[*VARIANTS, "out-of-core"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:  # one measurement, in this process
        n_rows = int(args.rows[0])
        result = (run_out_of_core(n_rows, args.parquet_dir) if args.variant == "out-of-core"
                  else VARIANTS[args.variant](n_rows, args.iters, args.repeat))
        print(json.dumps(result))
        return 0
    print(f"K = {K} full covariance, {N_FEATURES} features, tol=0, every variant in its own "
          "process from the same given start (weights_init, means_init, precisions_init; "
          "scikit-learn init_params='random_from_data').")
    print(f"s / iteration = marginal time of N={args.iters} iterations: (fit of N+1 iterations "
          f"minus fit of 1) / N, each fit best of R={args.repeat} after an untimed fit of 1"
          + ("; the Parquet run: fit of 2 minus fit of 1, once." if args.out_of_core else "."))
    print("\n| rows | variant | s / iteration (marginal) | fit of 1 / fit of N+1 (s) | "
          "n_iter_ of N+1 | peak MiB per process |")
    print("|---:|---|---:|---:|---:|---|", flush=True)
    extra = ["--iters", str(args.iters), "--repeat", str(args.repeat)]
    for n_rows in (int(r) for r in args.rows):
        for variant in VARIANTS:
            print(_row(n_rows, variant, _in_subprocess(variant, n_rows, extra)), flush=True)
    if args.out_of_core:
        n_rows = int(args.out_of_core)
        result = _in_subprocess("out-of-core", n_rows, ["--parquet-dir", args.parquet_dir])
        size = f" ({result['parquet_gb']:.1f} GB)" if "parquet_gb" in result else ""
        print(_row(n_rows, f"dask, Parquet on disk{size}", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
