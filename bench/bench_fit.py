"""gmmcore vs scikit-learn, side by side in one process: time per fit and peak memory.

Both fit the same data from the same initial parameters with ``tol=0`` and a
fixed number of iterations, so they do exactly the same work. Prints a
Markdown table of milliseconds per fit (best of ``--repeat``), the speed-up
(scikit-learn time / gmmcore time) and the peak memory each allocates
(tracemalloc, measured in a separate untimed run).

Usage (from the repository root): python -m bench.bench_fit [--iters 20] [--repeat 3] [--quick]
"""

import argparse
import time
import tracemalloc
import warnings
from functools import partial

import numpy as np
from sklearn import cluster, mixture

import gmmcore

SIZES = [(1_000_000, 2, 5), (100_000, 10, 8)]


def make_data(n_samples, n_features, n_components, seed=0):
    """Anisotropic Gaussian blobs, shape (n_samples, n_features)."""
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-10, 10, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    shear = rng.normal(size=(n_components, n_features, n_features))
    noise = rng.normal(size=(n_samples, n_features))
    return centers[labels] + np.einsum("nd,nde->ne", noise, shear[labels])


def start_from(X, n_components, covariance_type):
    """Initial weights, means and precisions from a short k-means, shared by both fits."""
    ref = mixture.GaussianMixture(
        n_components, covariance_type=covariance_type, max_iter=1, random_state=0
    ).fit(X[:20_000])
    return {
        "weights_init": ref.weights_,
        "means_init": ref.means_,
        "precisions_init": ref.precisions_,
    }


def _fit(estimator, kwargs, X):
    return estimator(**kwargs).fit(X)


def best_time(fit, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fit()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_mib(fit):
    tracemalloc.start()
    fit()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bench_gmm(X, n_components, iters, repeat):
    rows = []
    for covariance_type in gmmcore.COVARIANCE_TYPES:
        kwargs = dict(
            n_components=n_components, covariance_type=covariance_type, tol=0.0,
            max_iter=iters, **start_from(X, n_components, covariance_type),
        )
        ours = partial(_fit, gmmcore.GaussianMixture, kwargs, X)
        theirs = partial(_fit, mixture.GaussianMixture, kwargs, X)
        t_ours, t_theirs = best_time(ours, repeat), best_time(theirs, repeat)
        rows.append((f"GaussianMixture {covariance_type}", t_ours, t_theirs,
                     peak_mib(ours), peak_mib(theirs)))
    return rows


def bench_kmeans(X, n_clusters, iters, repeat):
    init = X[np.random.RandomState(1).choice(len(X), n_clusters, replace=False)]
    kwargs = dict(n_clusters=n_clusters, init=init, n_init=1, max_iter=iters, tol=0.0)
    ours = partial(_fit, gmmcore.KMeans, kwargs, X)
    theirs = partial(_fit, cluster.KMeans, {**kwargs, "algorithm": "lloyd"}, X)
    t_ours, t_theirs = best_time(ours, repeat), best_time(theirs, repeat)
    return [("KMeans (Lloyd)", t_ours, t_theirs, peak_mib(ours), peak_mib(theirs))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"{args.iters} iterations per fit, tol=0, best of {args.repeat}\n")
    print("| n x d, K | model | gmmcore ms | scikit-learn ms | speed-up | "
          "gmmcore peak MiB | scikit-learn peak MiB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for n, d, k in SIZES:
        n = n // 10 if args.quick else n
        X = make_data(n, d, k)
        for name, t_ours, t_theirs, m_ours, m_theirs in (
            bench_gmm(X, k, args.iters, args.repeat) + bench_kmeans(X, k, args.iters, args.repeat)
        ):
            print(f"| {n:,} x {d}, {k} | {name} | {1e3 * t_ours:.0f} | {1e3 * t_theirs:.0f} | "
                  f"{t_theirs / t_ours:.2f}x | {m_ours:.0f} | {m_theirs:.0f} |", flush=True)


if __name__ == "__main__":
    main()
