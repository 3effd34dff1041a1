"""gmmcore from two source trees in one process: EM iterations and predictions, alternately.

Usage (from the repository root)::

    python -m bench.ab_trees --before PATH [--after .] [--covariance diag tied]
                             [--size 100000 10 8] [--repeat 20]

``PATH`` is another checkout of this repository (e.g. ``git worktree add /tmp/before
<commit>``). Each tree's ``gmmcore`` is copied under a name of its own into a temporary
directory and imported there, so both run in this one process, on the same data
(``bench.bench_fit.make_data``) from the same start, one call of the one after one call of
the other: a slow spell of this shared machine falls on both. Every timed call waits
``bench_fit.SETTLE_SECONDS`` first (see that module). Printed per covariance type: the
marginal ms per EM iteration ((fit of 11 - fit of 1) / 10, best of 4) and the best of
``--repeat`` single calls of ``predict_proba`` and ``score_samples``, with the largest
difference between the trees' outputs (the same work, to rounding).
"""

import argparse
import importlib
import shlex
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from bench.bench_fit import make_data, start_from, timed

EM_ITERS = 10
EM_REPEAT = 4


def import_tree(tree, name, directory):
    """``tree``'s gmmcore imported as the package ``name`` (copied into ``directory``)."""
    shutil.copytree(Path(tree) / "gmmcore", Path(directory) / name,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return importlib.import_module(name)


def em_ms(package, X, n_components, covariance_type, start):
    """Marginal ms per EM iteration, best of :data:`EM_REPEAT` (each fit timed alone)."""
    def fit(max_iter):
        return package.GaussianMixture(n_components, covariance_type=covariance_type,
                                       max_iter=max_iter, tol=0.0, random_state=0,
                                       **start).fit(X)
    fit(1)
    short = min(timed(lambda: fit(1))[0] for _ in range(EM_REPEAT))
    long = min(timed(lambda: fit(EM_ITERS + 1))[0] for _ in range(EM_REPEAT))
    return 1e3 * (long - short) / EM_ITERS, fit(EM_ITERS + 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="checkout to compare against")
    parser.add_argument("--after", default=".", help="checkout measured as 'after'")
    parser.add_argument("--covariance", nargs="+", default=["full", "tied", "diag", "spherical"])
    parser.add_argument("--size", nargs=3, type=int, default=[100_000, 10, 8],
                        metavar=("N", "D", "K"))
    parser.add_argument("--repeat", type=int, default=20, help="best of R prediction calls")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never converges
    n, d, k = args.size
    X = make_data(n, d, k)
    print(f"`python -m bench.ab_trees {shlex.join(sys.argv[1:])}`\n")
    print(f"{n:,} x {d}, K = {k}; before = {args.before}, after = {args.after}\n")
    print("| covariance | measure | before ms | after ms | before / after | max abs diff |")
    print("|---|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as directory:
        sys.path.insert(0, directory)
        trees = {"before": import_tree(args.before, "gmmcore_before", directory),
                 "after": import_tree(args.after, "gmmcore_after", directory)}
        for covariance_type in args.covariance:
            start = start_from(X, k, covariance_type)
            em, models = {}, {}
            for name, package in trees.items():
                em[name], models[name] = em_ms(package, X, k, covariance_type, start)
            diff = np.abs(models["before"].means_ - models["after"].means_).max()
            print(f"| {covariance_type} | EM iteration | {em['before']:.2f} | {em['after']:.2f} "
                  f"| {em['before'] / em['after']:.2f}x | {diff:.1e} (means) |")
            for method in ("predict_proba", "score_samples"):
                calls = {name: getattr(model, method) for name, model in models.items()}
                seconds = {name: [] for name in calls}
                for _ in range(args.repeat):
                    for name, call in calls.items():
                        seconds[name].append(timed(lambda call=call: call(X))[0])
                best = {name: 1e3 * min(times) for name, times in seconds.items()}
                diff = np.abs(calls["before"](X) - calls["after"](X)).max()
                print(f"| {covariance_type} | {method} | {best['before']:.2f} | "
                      f"{best['after']:.2f} | {best['before'] / best['after']:.2f}x | "
                      f"{diff:.1e} |")


if __name__ == "__main__":
    main()
