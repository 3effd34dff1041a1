"""gmmcore from two source trees in one process: EM iterations and predictions, alternately.

Usage (from the repository root)::

    python -m bench.ab_trees --before PATH [--after .] [--covariance diag tied]
                             [--size 100000 10 8] [--repeat 20]

``PATH`` is another checkout of this repository (e.g. ``git worktree add /tmp/before
<commit>``). Each tree's ``gmmcore`` is copied under a name of its own into a temporary
directory and imported there, so both run in this one process, on the same data
(``bench.bench_fit.make_data``) from the same start, the trees taking turns call by call
(fit by fit): a slow spell of this shared machine falls on both. Each tree's package
starts its own thread pool, so their threads wait side by side. Every timed call waits
``bench_fit.SETTLE_SECONDS`` first (see that module). Printed per covariance type: the
marginal ms per EM iteration ((fit of 11 - fit of 1) / 10, best of 4) and the best of
``--repeat`` single calls of ``predict_proba`` and ``score_samples``, with the largest
difference between the trees' outputs (the same work, to rounding); then K-means's
marginal ms per Lloyd iteration on one Gaussian cloud (``bench_fit.make_cloud``).
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

from bench.bench_fit import KMEANS_ITERS, make_cloud, make_data, start_from, timed

EM_ITERS = 10
EM_REPEAT = 4


def import_tree(tree, name, directory):
    """``tree``'s gmmcore imported as the package ``name`` (copied into ``directory``)."""
    shutil.copytree(Path(tree) / "gmmcore", Path(directory) / name,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return importlib.import_module(name)


def marginal_ms(fits, iters):
    """Marginal ms per iteration of every tree's ``fit(max_iter)``: (fit of iters + 1 - fit
    of 1) / iters, best of :data:`EM_REPEAT`, the trees taking turns; and their long fits."""
    short = {name: [] for name in fits}
    long = {name: [] for name in fits}
    for fit in fits.values():
        fit(1)
    for _ in range(EM_REPEAT):
        for name, fit in fits.items():
            short[name].append(timed(lambda fit=fit: fit(1))[0])
            long[name].append(timed(lambda fit=fit: fit(iters + 1))[0])
    return ({name: 1e3 * (min(long[name]) - min(short[name])) / iters for name in fits},
            {name: fit(iters + 1) for name, fit in fits.items()})


def mixture_fits(trees, X, n_components, covariance_type, start):
    """``{tree: max_iter -> fitted GaussianMixture}`` from the same given start."""
    return {name: (lambda max_iter, package=package: package.GaussianMixture(
        n_components, covariance_type=covariance_type, max_iter=max_iter, tol=0.0,
        random_state=0, **start).fit(X)) for name, package in trees.items()}


def kmeans_fits(trees, X, init):
    """``{tree: max_iter -> fitted KMeans}`` from the same ``init`` array."""
    return {name: (lambda max_iter, package=package: package.KMeans(
        len(init), init=init, n_init=1, tol=0.0, max_iter=max_iter).fit(X))
        for name, package in trees.items()}


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
            em, models = marginal_ms(
                mixture_fits(trees, X, k, covariance_type, start_from(X, k, covariance_type)),
                EM_ITERS)
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
        cloud = make_cloud(n, d)  # (as bench_fit: the labels keep moving)
        init = cloud[np.random.RandomState(1).choice(n, k, replace=False)]
        lloyd, fits = marginal_ms(kmeans_fits(trees, cloud, init), KMEANS_ITERS)
        diff = np.abs(fits["before"].cluster_centers_ - fits["after"].cluster_centers_).max()
        print(f"| K-means | Lloyd iteration | {lloyd['before']:.2f} | {lloyd['after']:.2f} | "
              f"{lloyd['before'] / lloyd['after']:.2f}x | {diff:.1e} (centres) |")


if __name__ == "__main__":
    main()
