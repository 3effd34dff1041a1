"""How fast "Make your own data" draws its rows, up to the largest set it allows.

Times ``dashboard.generate.generate`` (the rows and their true labels as codes)
and ``dashboard.generate.dataset`` (plus the labels as text, as the app keeps
them) for a few recipes, each run several times in this process: best and
median wall-clock seconds, median CPU seconds, and the peak traced memory of
one run.

    python -m bench.bench_generate [--repeat 7]

Not part of the test suite (no timing assertions there).
"""

import argparse
import statistics
import time
import tracemalloc

from dashboard import generate
from dashboard.generate import Recipe

RECIPES = {
    "1,000,000 x 10, 8 clusters, random rotations, 5 % outliers": Recipe(
        clusters=8, points=1_000_000, features=10, size_ratio=5.0, spread_ratio=4.0,
        elongation=4.0, rotation="random", outlier_pct=5.0),
    "1,000,000 x 10, 1 cluster": Recipe(clusters=1, points=1_000_000, features=10),
    "1,000,000 x 2, sheared preset's shape": Recipe(points=1_000_000),
    "600 x 2, sheared preset": generate.PRESETS["sheared"].recipe,
}


def _times(func, repeat):
    """Best and median wall-clock seconds, and median CPU seconds of this process (on a
    shared machine the CPU time says what the work costs, the wall time what others left)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), statistics.median(wall), statistics.median(cpu)


def _peak_mib(func):
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"`python -m bench.bench_generate --repeat {args.repeat}`\n")
    print("| recipe | generate: best / median wall s, median CPU s | dataset (labels as text): "
          "best / median wall s, median CPU s | peak traced MiB (dataset) |")
    print("|---|---:|---:|---:|")
    for name, recipe in RECIPES.items():
        g = _times(lambda r=recipe: generate.generate(r), args.repeat)
        d = _times(lambda r=recipe: generate.dataset(r), args.repeat)
        peak = _peak_mib(lambda r=recipe: generate.dataset(r))
        print(f"| {name} | {g[0]:.3f} / {g[1]:.3f}, {g[2]:.3f} | {d[0]:.3f} / {d[1]:.3f}, "
              f"{d[2]:.3f} | {peak:.0f} |")

if __name__ == "__main__":
    main()
