"""gmmcore vs scikit-learn side by side: cost per iteration, predictions, memory, ceilings.

Everything runs in one process, one library after the other on the same data.

Usage (from the repository root)::

    python -m bench.bench_fit [--iters 10] [--repeat 3] [--predict-calls 3]
                              [--predict-repeat 5] [--quick]

What is timed
-------------
Both libraries start from the same given parameters (``weights_init``, ``means_init``,
``precisions_init``; scikit-learn with ``init_params="random_from_data"``, its cheapest
initialisation, which the given parameters override; scikit-learn >= 1.4 skips it
altogether when all three are given, older versions run it) with ``tol=0``. A fit also
does work that is not an iteration (input checks, gmmcore's framed, transposed copy of
the rows, scikit-learn's final E-step), so the cost of an iteration is measured as a
marginal time: ``(fit with max_iter=N+1 - fit with max_iter=1) / N``, each fit the best
of R (short and long fits alternate, after one untimed fit of 1 iteration).
K-means is measured the same way from the same ``init`` array, on a single Gaussian
cloud so the labels keep changing and both libraries run every iteration.

Every timed call starts on a quiet machine: after a BLAS call on several threads,
OpenBLAS's idle threads spin for about 2**28 cycles (0.1 s here) waiting for more work,
and libgomp's (scikit-learn's OpenMP) for a while too, on the cores the next call needs.
Timed back to back, each library's calls would pay for the spinning that the other's
(or its own) previous call left; so every timed call waits ``SETTLE_SECONDS`` first,
busy (an idle CPU of this virtual machine is slow to wake: after ``time.sleep`` both
libraries' calls measured up to 1.6x slower, gmmcore's more).

Sections
--------
1. GaussianMixture, every covariance type, at 1,000,000 x 2 (K = 5) and 100,000 x 10
   (K = 8): ms per EM iteration, the ratio scikit-learn / gmmcore, both n_iter_ and the
   largest difference between the fitted means (relative to the largest mean).
2. ``predict_proba`` and ``score_samples`` on all rows with the models of section 1
   (same start, same iterations, so the same parameters to rounding), timed as the
   iterations are: the marginal cost of a call, ``(C + 1 calls back to back - 1 call) / C``,
   each the best of P (both libraries the same C and P; P at least ``--predict-repeat``,
   raised for quick calls, see :func:`prediction_repeats`). The first call after a pause
   also pays for waking up: the second core, the caches (the input then comes from
   memory), the pool's thread. That costs both libraries about the same time (0.3-0.6 ms
   here), a tenth of gmmcore's 3 ms call at 100,000 x 10 and a hundredth of
   scikit-learn's; the single call after the pause is printed beside it.
3. KMeans (Lloyd) ms per iteration over 30 iterations (fit of 31 minus fit of 1),
   against scikit-learn's ``algorithm="lloyd"``, with ``"elkan"`` for reference.
4. Peak memory of a whole fit (N+1 iterations) at the largest size, GMM full and KMeans:
   tracemalloc, in separate untimed runs; it counts NumPy's allocations (not the input,
   which exists before, nor buffers C code takes with malloc).
5. This machine's ceilings (memory bandwidth of a 400 MB ``np.copyto``, DGEMM GFLOP/s of
   a 2000 x 2000 product on every core, ``np.exp`` on 10 M float64 with 1 and 2 threads),
   and what every pass achieves against them.

Work model per iteration (n rows, d features, K components)
-----------------------------------------------------------
- flops of the matrix products (a multiply-add counts 2), as a straightforward
  implementation does them:

  * full:      E-step (x - mu_k)^T L_k for every k, 2nKd^2; M-step sum r x x^T, 2nKd^2,
    and sum r x, 2nKd: 4nKd^2 + 2nKd
  * tied:      x^T L once, 2nd^2; sum x x^T, 2nd^2; sum r x, 2nKd: 4nd^2 + 2nKd
  * diag:      x^2 and x against K precision-weighted vectors, 4nKd; sum r x and
    sum r x^2, 4nKd: 8nKd
  * spherical: x against the K means, 2nKd; sum r x, 2nKd: 4nKd
  * KMeans:    x against the K centres, 2nKd
- bytes: the data read once, 8nd (the n x K responsibilities are not counted);
- exp evaluations: nK (none for KMeans).

Each percentage is (work / ceiling) / measured time per iteration: the share of the
iteration the ceiling alone would need for that work. 100% on one of them means the
pass runs at that ceiling; small numbers on all three mean time goes elsewhere (NumPy
temporaries, reductions over short axes, Python overhead).
"""

import argparse
import datetime
import os
import platform
import shlex
import sys
import time
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import scipy
import sklearn
from sklearn import cluster, mixture
from threadpoolctl import threadpool_info, threadpool_limits

import gmmcore
from gmmcore._rows import available_threads

SIZES = [(1_000_000, 2, 5), (100_000, 10, 8)]
KMEANS_ITERS = 30
BANDWIDTH_FLOATS = 50_000_000  # 400 MB
DGEMM_SIZE = 2000
EXP_FLOATS = 10_000_000
SETTLE_SECONDS = 0.3  # idle BLAS and OpenMP threads have stopped spinning by then
# Predictions: both libraries get the same P, raised for quick calls (a 3 ms call is easily
# spoiled by one interruption among the C + 1 back to back; with P = 5 one run gave 7.2x
# where the others gave 9.1-12x).
PREDICT_BUDGET_SECONDS = 6.0
PREDICT_MOST_REPEATS = 10


# ------------------------------------------------------------------ data
def sizes(quick):
    """(n, d, K) of every benchmark size, a tenth of the rows with ``quick``."""
    return [(n // 10 if quick else n, d, k) for n, d, k in SIZES]


def make_data(n_samples, n_features, n_components, seed=0):
    """Anisotropic Gaussian blobs, shape (n_samples, n_features)."""
    rng = np.random.RandomState(seed)
    centers = rng.uniform(-10, 10, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    shear = rng.normal(size=(n_components, n_features, n_features))
    noise = rng.normal(size=(n_samples, n_features))
    return centers[labels] + np.einsum("nd,nde->ne", noise, shear[labels])


def make_cloud(n_samples, n_features, seed=0):
    """One standard Gaussian cloud: K-means on it keeps moving its labels for long."""
    return np.random.RandomState(seed).standard_normal((n_samples, n_features))


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


# ------------------------------------------------------------------ models
def gmm_makers(n_components, covariance_type, start):
    """``{library: max_iter -> unfitted GaussianMixture}`` from the same given start."""
    common = dict(n_components=n_components, covariance_type=covariance_type, tol=0.0,
                  random_state=0, **start)
    return {
        "gmmcore": lambda m: gmmcore.GaussianMixture(max_iter=m, **common),
        "sklearn": lambda m: mixture.GaussianMixture(
            max_iter=m, init_params="random_from_data", **common),
    }


def kmeans_makers(n_clusters, init):
    """``{variant: max_iter -> unfitted KMeans}`` from the same ``init`` array."""
    common = dict(n_clusters=n_clusters, init=init, n_init=1, tol=0.0)
    return {
        "gmmcore": lambda m: gmmcore.KMeans(max_iter=m, **common),
        "lloyd": lambda m: cluster.KMeans(max_iter=m, algorithm="lloyd", **common),
        "elkan": lambda m: cluster.KMeans(max_iter=m, algorithm="elkan", **common),
    }


# ------------------------------------------------------------------ timing
def timed(fn):
    """(seconds, result) of one call of ``fn()``, started after ``SETTLE_SECONDS`` of
    waiting (see the module docstring)."""
    settle = time.perf_counter() + SETTLE_SECONDS
    while time.perf_counter() < settle:
        pass
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def best_of(fn, repeat):
    """(best seconds over ``repeat`` calls, result of the last call)."""
    times, result = [], None
    for _ in range(repeat):
        seconds, result = timed(fn)
        times.append(seconds)
    return min(times), result


def marginal_seconds(short, long, count, repeat):
    """(best ``long()`` - best ``short()``) / ``count``, each the best of ``repeat``, the
    two alternating so that a slow spell of the machine affects both.

    Returns
    -------
    seconds : float
    best_short : float
    result : the last ``long()``'s result
    """
    shorts, longs, result = [], [], None
    for _ in range(repeat):
        shorts.append(timed(short)[0])
        seconds, result = timed(long)
        longs.append(seconds)
    return (min(longs) - min(shorts)) / count, min(shorts), result


def marginal(make, X, iters, repeat):
    """Seconds per iteration: (fit of iters + 1 minus fit of 1) / iters, best of ``repeat``
    (after one untimed fit of 1 iteration).

    Returns
    -------
    seconds : float
    model : the last model fitted with ``iters + 1`` iterations
    """
    make(1).fit(X)
    seconds, _, model = marginal_seconds(lambda: make(1).fit(X),
                                         lambda: make(iters + 1).fit(X), iters, repeat)
    return seconds, model


def marginal_calls(fn, calls, repeat):
    """Seconds per call in a run of back-to-back calls, (``calls`` + 1 calls - 1 call) /
    ``calls``, best of ``repeat`` (see :func:`marginal_seconds`).

    Returns
    -------
    seconds : float
    single : float
        The best single call (each after ``SETTLE_SECONDS``).
    result : the last call's result
    """
    seconds, single, results = marginal_seconds(
        fn, lambda: [fn() for _ in range(calls + 1)], calls, repeat)
    return seconds, single, results[-1]


def peak_mib(fn):
    """Peak MiB that tracemalloc sees allocated during ``fn()``."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------ sections
def bench_gmm(datasets, iters, repeat):
    """Section 1: marginal ms per EM iteration for every size and covariance type.

    Yields
    ------
    row : dict
        One per (size, covariance type), with the fitted models under ``models``.
    """
    for (n, d, k), X in datasets.items():
        for covariance_type in gmmcore.COVARIANCE_TYPES:
            makers = gmm_makers(k, covariance_type, start_from(X, k, covariance_type))
            seconds, models = {}, {}
            for library, make in makers.items():
                seconds[library], models[library] = marginal(make, X, iters, repeat)
            yield {"size": (n, d, k), "covariance_type": covariance_type,
                   "seconds": seconds, "models": models}


def means_difference(models):
    """max |gmmcore mean - scikit-learn mean| / max |scikit-learn mean|."""
    ours, theirs = models["gmmcore"].means_, models["sklearn"].means_
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def prediction_repeats(slowest, calls, repeat):
    """P for one prediction: at least ``repeat``, more (up to :data:`PREDICT_MOST_REPEATS`)
    while the slower library's repetitions (two pauses and C + 2 calls each) stay within
    :data:`PREDICT_BUDGET_SECONDS`."""
    fits = int(PREDICT_BUDGET_SECONDS / (2 * SETTLE_SECONDS + (calls + 2) * slowest))
    return max(repeat, min(fits, PREDICT_MOST_REPEATS))


def bench_predictions(gmm_rows, datasets, calls, repeat):
    """Section 2: predict_proba and score_samples on all rows, marginal seconds per call
    (see :func:`marginal_calls`; yields)."""
    for row in gmm_rows:
        X = datasets[row["size"]]
        for method in ("predict_proba", "score_samples"):
            fns = {library: partial(getattr(model, method), X)
                   for library, model in row["models"].items()}
            slowest = max(timed(fn)[0] for fn in fns.values())  # (an untimed warm-up too)
            n_repeat = prediction_repeats(slowest, calls, repeat)
            seconds, single, outputs = {}, {}, {}
            for library, fn in fns.items():
                seconds[library], single[library], outputs[library] = marginal_calls(
                    fn, calls, n_repeat)
            diff = float(np.abs(outputs["gmmcore"] - outputs["sklearn"]).max())
            yield {**row, "method": method, "seconds": seconds, "single": single,
                   "repeats": n_repeat, "max_diff": diff}


def bench_kmeans(iters, repeat, quick):
    """Section 3: marginal ms per Lloyd iteration on one Gaussian cloud per size (yields)."""
    for n, d, k in sizes(quick):
        X = make_cloud(n, d)
        init = X[np.random.RandomState(1).choice(n, k, replace=False)]
        seconds, models = {}, {}
        for variant, make in kmeans_makers(k, init).items():
            seconds[variant], models[variant] = marginal(make, X, iters, repeat)
        differing = int(np.count_nonzero(models["gmmcore"].labels_ != models["lloyd"].labels_))
        yield {"size": (n, d, k), "seconds": seconds, "differing": differing,
               "n_iter": {v: m.n_iter_ for v, m in models.items()}}


def bench_memory(iters, quick):
    """Section 4: peak MiB of a whole fit (iters + 1 iterations) at the largest size (yields)."""
    n, d, k = sizes(quick)[0]
    X = make_data(n, d, k)
    cloud = make_cloud(n, d)
    init = cloud[np.random.RandomState(1).choice(n, k, replace=False)]
    gmm = gmm_makers(k, "full", start_from(X, k, "full"))
    yield {"name": f"GaussianMixture full, {n:,} x {d}, K = {k}",
           "mib": {lib: peak_mib(lambda m=make: m(iters + 1).fit(X))
                   for lib, make in gmm.items()}}
    km = kmeans_makers(k, init)
    yield {"name": f"KMeans (Lloyd), {n:,} x {d}, K = {k}",
           "mib": {lib: peak_mib(lambda m=km[v]: m(KMEANS_ITERS + 1).fit(cloud))
                   for lib, v in (("gmmcore", "gmmcore"), ("sklearn", "lloyd"))}}


# ------------------------------------------------------------------ ceilings
def on_halves(pool, fn, *arrays):
    """``fn(*halves)`` on two threads of ``pool``, each over one half of every array."""
    mid = len(arrays[0]) // 2
    parts = [pool.submit(fn, *(a[:mid] for a in arrays)),
             pool.submit(fn, *(a[mid:] for a in arrays))]
    for part in parts:
        part.result()


def _copy(dst, src):
    np.copyto(dst, src)


def _exp(x, out):
    np.exp(x, out=out)


def bandwidth_gbs(repeat):
    """GB/s of a 400 MB np.copyto, counting bytes read + written, on 1 and 2 threads."""
    src = np.ones(BANDWIDTH_FLOATS)
    dst = np.zeros_like(src)
    _copy(dst, src)  # pages touched before timing
    moved = 2 * src.nbytes / 1e9
    one = best_of(lambda: _copy(dst, src), repeat)[0]
    with ThreadPoolExecutor(2) as pool:
        two = best_of(lambda: on_halves(pool, _copy, dst, src), repeat)[0]
    return moved / one, moved / two


def dgemm_gflops(repeat):
    """GFLOP/s of a DGEMM_SIZE^2 float64 matrix product, BLAS on every core."""
    rng = np.random.RandomState(0)
    a, b = rng.standard_normal((2, DGEMM_SIZE, DGEMM_SIZE))
    with threadpool_limits(limits=available_threads(), user_api="blas"):
        a @ b  # noqa: B018 (warm-up)
        seconds = best_of(lambda: a @ b, repeat)[0]
    return 2 * DGEMM_SIZE**3 / seconds / 1e9


def exp_rates(repeat):
    """np.exp evaluations per second on EXP_FLOATS values in [-30, 0], 1 and 2 threads."""
    x = np.random.RandomState(0).uniform(-30, 0, EXP_FLOATS)
    out = np.empty_like(x)
    _exp(x, out)
    one = best_of(lambda: _exp(x, out), repeat)[0]
    with ThreadPoolExecutor(2) as pool:
        two = best_of(lambda: on_halves(pool, _exp, x, out), repeat)[0]
    return EXP_FLOATS / one, EXP_FLOATS / two


def measure_ceilings(repeat):
    """The machine's ceilings: bandwidth (B/s), DGEMM (flop/s) and exp (per s), best of all."""
    bw = bandwidth_gbs(repeat)
    gflops = dgemm_gflops(repeat)
    exps = exp_rates(repeat)
    return {"bandwidth": bw, "gflops": gflops, "exp": exps,
            "rates": {"flops": gflops * 1e9, "bytes": max(bw) * 1e9, "exps": max(exps)}}


def em_work(n, d, k, covariance_type):
    """The work model of one EM iteration: {flops, bytes, exps} (see the module docstring)."""
    flops = {
        "full": 4 * n * k * d * d + 2 * n * k * d,
        "tied": 4 * n * d * d + 2 * n * k * d,
        "diag": 8 * n * k * d,
        "spherical": 4 * n * k * d,
    }[covariance_type]
    return {"flops": flops, "bytes": 8 * n * d, "exps": n * k}


def kmeans_work(n, d, k):
    """The work model of one Lloyd iteration: {flops, bytes, exps}."""
    return {"flops": 2 * n * k * d, "bytes": 8 * n * d, "exps": 0}


def utilisation(work, seconds, rates):
    """Percent of every ceiling a pass of ``work`` taking ``seconds`` achieves."""
    return {key: 100 * work[key] / rates[key] / seconds for key in work}


# ------------------------------------------------------------------ printing
def command_line():
    """The command as it was run."""
    return shlex.join(["python", "-m", "bench.bench_fit", *sys.argv[1:]])


def table(title, header, results, cells, text_columns=1, note=""):
    """Print a Markdown table under its title, ``note`` and the exact command.

    A row is printed as soon as ``results`` yields its result; the first
    ``text_columns`` columns are left-aligned. Returns the results as a list.
    """
    print(f"\n### {title}\n")
    if note:
        print(f"{note}\n")
    print(f"`{command_line()}`\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < text_columns else "---:" for i in range(len(header)))
          + "|", flush=True)
    done = []
    for result in results:
        for row in cells(result):
            print("| " + " | ".join(str(cell) for cell in row) + " |", flush=True)
        done.append(result)
    return done


def size_label(size):
    """'1,000,000 x 2, K = 5'."""
    n, d, k = size
    return f"{n:,} x {d}, K = {k}"


def ms(seconds):
    """Milliseconds with 3 significant digits."""
    return f"{1e3 * seconds:.3g}"


def ratio(seconds):
    """scikit-learn / gmmcore."""
    return f"{seconds['sklearn'] / seconds['gmmcore']:.2f}x"


def load_average():
    """The system's load averages, to see whether something else ran meanwhile."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def print_header(args):
    """Date, versions, BLAS and threads, and what is timed."""
    print(f"# gmmcore vs scikit-learn, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"\n`{command_line()}`\n")
    print(f"- Python {platform.python_version()}, NumPy {np.__version__}, SciPy "
          f"{scipy.__version__}, scikit-learn {sklearn.__version__}, gmmcore "
          f"{gmmcore.__version__}; {platform.machine()}, {available_threads()} CPUs; "
          f"gmmcore passes on {available_threads()} threads")
    for lib in threadpool_info():
        details = [lib["internal_api"]] + [
            str(lib[key]) for key in ("version", "architecture", "threading_layer")
            if lib.get(key) and lib[key] != "unknown"]
        print(f"- {lib['user_api'].upper()}: {' '.join(details)}, {lib['num_threads']} "
              f"threads, {lib['filepath']}")
    print(f"- Load average (1, 5, 15 min) at start: {load_average()}")
    print(f"- Timed: marginal time of N={args.iters} iterations from the same given start: fit "
          f"of N+1 iterations minus fit of 1, best of R={args.repeat}; scikit-learn "
          "init_params='random_from_data'")
    print(f"- Predictions: marginal time of a call, C={args.predict_calls} back to back minus "
          f"1 call, divided by C, best of P >= {args.predict_repeat}")
    print(f"- KMeans: N={KMEANS_ITERS} (fit of {KMEANS_ITERS + 1} minus fit of 1), tol=0, "
          "n_init=1, the same init array")
    sys.stdout.flush()


def print_gmm(results, iters):
    """Section 1 table, printed as the results come; returns them."""
    return table(
        f"1. GaussianMixture: ms per EM iteration (marginal over {iters} iterations, tol=0)",
        ["n x d, K", "covariance", "gmmcore ms/iter", "scikit-learn ms/iter",
         "ratio sklearn/gmmcore", "n_iter_ gmmcore / sklearn",
         "means: max abs diff / max abs mean"],
        results,
        lambda r: [[size_label(r["size"]), r["covariance_type"], ms(r["seconds"]["gmmcore"]),
                    ms(r["seconds"]["sklearn"]), ratio(r["seconds"]),
                    f"{r['models']['gmmcore'].n_iter_} / {r['models']['sklearn'].n_iter_}",
                    f"{means_difference(r['models']):.1e}"]],
        text_columns=2,
        note="Both libraries from the same weights_init / means_init / precisions_init; the "
             "last two columns check that they did the same iterations to the same means.")


def print_predictions(results, calls, repeat):
    """Section 2 table."""
    return table(
        f"2. Predictions on all rows, models of section 1 (same parameters): ms per call, "
        f"marginal over C={calls} back-to-back calls, best of P",
        ["n x d, K", "covariance", "method", "gmmcore ms", "scikit-learn ms",
         "ratio sklearn/gmmcore", "one call after a pause: gmmcore / sklearn ms (ratio)",
         "P", "max abs diff of outputs"],
        results,
        lambda r: [[size_label(r["size"]), r["covariance_type"], r["method"],
                    ms(r["seconds"]["gmmcore"]), ms(r["seconds"]["sklearn"]),
                    ratio(r["seconds"]),
                    f"{ms(r['single']['gmmcore'])} / {ms(r['single']['sklearn'])} "
                    f"({ratio(r['single'])})",
                    str(r["repeats"]), f"{r['max_diff']:.1e}"]],
        note=f"(C + 1 calls back to back minus 1 call) / C, each timed after "
             f"{SETTLE_SECONDS} s of waiting; the one call after a pause also pays for "
             "waking the second core, the caches and the thread pool. P: at least "
             f"{repeat}, more (up to {PREDICT_MOST_REPEATS}) while the slower library's "
             f"repetitions take {PREDICT_BUDGET_SECONDS:g} s; the same for both.",
        text_columns=3)


def print_kmeans(results):
    """Section 3 table."""
    return table(
        f"3. KMeans on one Gaussian cloud: ms per iteration (marginal over {KMEANS_ITERS} "
        "iterations, tol=0)",
        ["n x d, K", "gmmcore ms/iter", "sklearn lloyd ms/iter", "ratio lloyd/gmmcore",
         "sklearn elkan ms/iter (reference)", "n_iter_ gmmcore / lloyd / elkan",
         "labels differing gmmcore vs lloyd"],
        results,
        lambda r: [[size_label(r["size"]), ms(r["seconds"]["gmmcore"]),
                    ms(r["seconds"]["lloyd"]),
                    f"{r['seconds']['lloyd'] / r['seconds']['gmmcore']:.2f}x",
                    ms(r["seconds"]["elkan"]),
                    " / ".join(str(r["n_iter"][v]) for v in ("gmmcore", "lloyd", "elkan")),
                    f"{r['differing']:,}"]],
        note="Same init array, n_init=1; both must report n_iter_ = "
             f"{KMEANS_ITERS + 1} (labels still changing, every iteration run).")


def print_memory(results, iters):
    """Section 4 table."""
    return table(
        f"4. Peak memory of a whole fit (tracemalloc, untimed run; GMM {iters + 1} "
        f"iterations, KMeans {KMEANS_ITERS + 1}; the input array is not counted)",
        ["fit", "gmmcore peak MiB", "scikit-learn peak MiB", "ratio sklearn/gmmcore"],
        results,
        lambda r: [[r["name"], f"{r['mib']['gmmcore']:.0f}", f"{r['mib']['sklearn']:.0f}",
                    f"{r['mib']['sklearn'] / r['mib']['gmmcore']:.2f}x"]],
        note="tracemalloc counts NumPy's allocations during the fit, not buffers that C or "
             "Cython code takes with malloc (scikit-learn's K-means chunk buffers).")


def print_ceilings(ceilings):
    """Section 5a: the ceilings table."""
    bw, exps = ceilings["bandwidth"], ceilings["exp"]
    rows = [[f"memory bandwidth, np.copyto of {8 * BANDWIDTH_FLOATS / 1e6:.0f} MB "
             "(GB/s, read + written; 2 threads over halves)", f"{bw[0]:.1f}", f"{bw[1]:.1f}"],
            [f"DGEMM {DGEMM_SIZE} x {DGEMM_SIZE} float64 (GFLOP/s, BLAS on every core)", "",
             f"{ceilings['gflops']:.1f}"],
            [f"np.exp on {EXP_FLOATS / 1e6:.0f} M float64 in [-30, 0] (M evaluations/s; "
             "2 threads over halves)", f"{exps[0] / 1e6:.0f}", f"{exps[1] / 1e6:.0f}"]]
    table("5a. This machine's ceilings, measured now (best of R)",
          ["ceiling", "1 thread", f"{available_threads()} threads"], rows, lambda r: [r])


def print_utilisation(gmm_rows, kmeans_rows, ceilings):
    """Section 5b: percent of every ceiling per pass and library."""
    rates = ceilings["rates"]
    passes = [(f"EM {r['covariance_type']} n={r['size'][0]:,} d={r['size'][1]} "
               f"K={r['size'][2]}", em_work(*r["size"], r["covariance_type"]), r["seconds"])
              for r in gmm_rows]
    passes += [(f"KMeans n={r['size'][0]:,} d={r['size'][1]} K={r['size'][2]}",
                kmeans_work(*r["size"]),
                {"gmmcore": r["seconds"]["gmmcore"], "sklearn lloyd": r["seconds"]["lloyd"]})
               for r in kmeans_rows]
    table("5b. Share of this machine's ceilings each pass achieves",
          ["pass", "library", "ms/iter", "GFLOP / MB / M exp per iter", "% of DGEMM",
           "% of bandwidth", "% of exp throughput"],
          passes, lambda p: _utilisation_lines(*p, rates), text_columns=2,
          note="% = (work per iteration / ceiling) / measured ms per iteration, i.e. the "
               "share of an iteration that the ceiling alone would need for that work. Work "
               "model (see the script's docstring): flops of the matrix products (multiply-add "
               "= 2; full 4nKd^2 + 2nKd, tied 4nd^2 + 2nKd, diag 8nKd, spherical 4nKd, KMeans "
               "2nKd) against DGEMM; bytes = the data read once, 8nd, against the best "
               "bandwidth of 5a; nK exp evaluations against the best exp rate of 5a.")


def _utilisation_lines(name, work, seconds, rates):
    """Rows of the utilisation table for one pass, one per library."""
    lines = []
    for library, t in seconds.items():
        pct = utilisation(work, t, rates)
        lines.append([name, library, ms(t),
                      f"{work['flops'] / 1e9:.3g} / {work['bytes'] / 1e6:.3g} / "
                      f"{work['exps'] / 1e6:.3g}",
                      f"{pct['flops']:.1f}%", f"{pct['bytes']:.1f}%",
                      f"{pct['exps']:.1f}%" if work["exps"] else "-"])
    return lines


# ------------------------------------------------------------------ main
def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=10,
                        help="N: marginal time of N iterations (fit of N+1 minus fit of 1)")
    parser.add_argument("--repeat", type=int, default=3, help="R: best of R for every fit")
    parser.add_argument("--predict-calls", type=int, default=3,
                        help="C: marginal time of a call among C + 1 back to back")
    parser.add_argument("--predict-repeat", type=int, default=5,
                        help="P: best of at least P for every timing of predictions")
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    args = parser.parse_args()
    if min(args.iters, args.repeat, args.predict_calls, args.predict_repeat) < 1:
        parser.error("--iters, --repeat, --predict-calls and --predict-repeat must be at "
                     "least 1")
    return args


def main():
    """Run every section and print its table."""
    args = parse_args()
    warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never converges
    print_header(args)
    datasets = {size: make_data(*size) for size in sizes(args.quick)}
    gmm_rows = print_gmm(bench_gmm(datasets, args.iters, args.repeat), args.iters)
    print_predictions(bench_predictions(gmm_rows, datasets, args.predict_calls,
                                        args.predict_repeat),
                      args.predict_calls, args.predict_repeat)
    kmeans_rows = print_kmeans(bench_kmeans(KMEANS_ITERS, args.repeat, args.quick))
    print_memory(bench_memory(args.iters, args.quick), args.iters)
    ceilings = measure_ceilings(args.repeat)
    print_ceilings(ceilings)
    print_utilisation(gmm_rows, kmeans_rows, ceilings)
    print(f"\nLoad average (1, 5, 15 min) at the end: {load_average()}")


if __name__ == "__main__":
    main()
