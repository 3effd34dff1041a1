"""The Choose K grid before and after: gmmcore from two source trees, side by side.

Usage (from the repository root)::

    python -m bench.choose_k_grid --before PATH [--after .] [--rows 200000] [--repeat 3]

``PATH`` is another checkout of this repository (e.g. ``git worktree add /tmp/before
<commit>``). For every tree, a fresh interpreter imports that tree's gmmcore and times
the grid the Choose K page fits: GaussianMixture for K = 1..8 and the four covariance
types (one k-means++ initialisation each, ``random_state=0``) plus K-means for K = 1..8,
on the same rows (a 200,000 x 4 mixture of five Gaussians, like an upload). The trees
run alternately, best of ``--repeat``; the ratio before / after is printed.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

GRID = """
import json, sys, time
import numpy as np
import gmmcore
rng = np.random.default_rng(0)
n = {rows}
centres = rng.normal(scale=4.0, size=(5, 4))
X = np.concatenate([rng.normal(size=(n // 5, 4)) * rng.uniform(0.5, 2.0, 4) + c
                    for c in centres])
start = time.perf_counter()
gmm = gmmcore.select_models(X, range(1, 9), random_state=0, n_init=1)
middle = time.perf_counter()
gmmcore.kmeans_elbow(X, range(1, 9), random_state=0, n_init=1)
end = time.perf_counter()
print(json.dumps({{"gmm": middle - start, "kmeans": end - middle,
                   "bic": np.nan_to_num(gmm["bic"]).tolist()}}))
"""


def run_grid(tree, rows):
    """Seconds of the GMM grid and the K-means elbow, using ``tree``'s gmmcore."""
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
    out = subprocess.run([sys.executable, "-c", GRID.format(rows=rows)], env=env,
                         capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="checkout to compare against")
    parser.add_argument("--after", default=".", help="checkout measured as 'after'")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best = {"before": None, "after": None}
    for _ in range(args.repeat):
        for name in best:
            result = run_grid(getattr(args, name), args.rows)
            if best[name] is None or result["gmm"] + result["kmeans"] < (
                    best[name]["gmm"] + best[name]["kmeans"]):
                best[name] = result
    print("$ python -m bench.choose_k_grid " + " ".join(sys.argv[1:]))
    print(f"Choose K grid, {args.rows:,} x 4 rows, K = 1..8 x 4 covariance types + K-means "
          f"(best of {args.repeat}, {time.strftime('%Y-%m-%d')})")
    print("| | before | after | before / after |")
    print("|---|---:|---:|---:|")
    for part in ("gmm", "kmeans"):
        b, a = best["before"][part], best["after"][part]
        print(f"| {'32 mixtures' if part == 'gmm' else '8 K-means'} | {b:.2f} s | {a:.2f} s "
              f"| {b / a:.1f}x |")
    b = best["before"]["gmm"] + best["before"]["kmeans"]
    a = best["after"]["gmm"] + best["after"]["kmeans"]
    print(f"| whole grid | {b:.2f} s | {a:.2f} s | {b / a:.1f}x |")
    bic_before, bic_after = (np.array(best[name]["bic"]) for name in ("before", "after"))
    print("Same work: largest relative BIC difference between the trees "
          f"{np.max(np.abs(bic_before - bic_after) / np.abs(bic_before)):.1e}")


if __name__ == "__main__":
    main()
