"""How the code is organised: imports form a tree, heavy libraries load only when used,
results do not depend on the number of threads."""

import ast
import os
import platform
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import gmmcore

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gmmcore"


def _gmmcore_imports(path):
    """The gmmcore modules a file imports, at module level or inside functions."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif node.level == 0 and (node.module or "").startswith("gmmcore."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("gmmcore."))
    return found


def _import_graph():
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem not in ("__init__",
                                                                          "__main__")}
    return {name: _gmmcore_imports(path) & set(modules) for name, path in modules.items()}


def test_the_import_graph_has_no_cycle():
    graph = _import_graph()
    state = {}

    def visit(node, path):
        if state.get(node) == "open":
            raise AssertionError("import cycle: " + " -> ".join(path + [node]))
        if state.get(node) == "done":
            return
        state[node] = "open"
        for child in sorted(graph[node]):
            visit(child, path + [node])
        state[node] = "done"

    for node in graph:
        visit(node, [])


def test_serialisation_imports_the_estimators_never_the_reverse():
    graph = _import_graph()
    assert {"mixture", "kmeans"} <= graph["io"]
    assert not any("io" in graph[name] for name in ("mixture", "kmeans", "_rows", "_dask"))
    assert "_dask" not in graph["_rows"] and not graph["_dask"] & {"mixture", "kmeans"}


def _run_python(code):
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_dask_and_pandas_load_only_for_dask_input():
    out = _run_python(
        "import sys, numpy as np, gmmcore\n"
        "X = np.random.RandomState(0).normal(size=(300, 2))\n"
        "gmmcore.GaussianMixture(2, random_state=0).fit(X).predict(X)\n"
        "gmmcore.KMeans(2, random_state=0).fit(X)\n"
        "print(sorted(m for m in ('dask', 'pandas', 'sklearn', 'streamlit') if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_dashboard_logic_modules_never_import_streamlit():
    modules = sorted(p.stem for p in (ROOT / "dashboard").glob("*.py") if p.stem != "__init__")
    assert {"compare", "charts", "ingest", "budget", "settings", "links"} <= set(modules)
    out = _run_python(
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('dashboard.' + name)\n"
        "print('streamlit' in sys.modules)"
    )
    assert out.strip() == "False"


def test_the_dashboard_imports_no_private_gmmcore_name():
    for path in list((ROOT / "dashboard").rglob("*.py")) + list((ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gmmcore"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private and "._" not in node.module, (path, node.module, private)


def _many_chunks(n=150_000, seed=0):
    rng = np.random.RandomState(seed)
    centres = np.array([[0, 0, 0], [5, 1, 0], [0, 6, 2], [4, 4, 4]])
    return centres[rng.randint(4, size=n)] + rng.normal(size=(n, 3))


@pytest.mark.parametrize("covariance_type", gmmcore.COVARIANCE_TYPES)
def test_results_are_bit_identical_for_one_and_two_threads(covariance_type):
    X = _many_chunks()
    w = np.random.RandomState(1).randint(1, 4, len(X)).astype(float)
    fits = []
    for n_threads in (1, 2):
        with gmmcore.thread_limit(n_threads), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gmm = gmmcore.GaussianMixture(4, covariance_type=covariance_type, random_state=0,
                                          max_iter=15).fit(X, sample_weight=w)
            km = gmmcore.KMeans(4, random_state=0, max_iter=15).fit(X, sample_weight=w)
            fits.append((gmm, km, gmm.predict_proba(X)))
    (g1, k1, p1), (g2, k2, p2) = fits
    assert g1.lower_bounds_ == g2.lower_bounds_
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_array_equal(getattr(g1, name), getattr(g2, name), err_msg=name)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_array_equal(k1.cluster_centers_, k2.cluster_centers_)
    np.testing.assert_array_equal(k1.labels_, k2.labels_)
    assert k1.inertias_ == k2.inertias_ and k1.n_iter_ == k2.n_iter_


def test_thread_limit_is_checked_and_scoped():
    with pytest.raises(ValueError, match="n_threads"), gmmcore.thread_limit(0):
        pass
    from gmmcore._rows import current_threads

    before = current_threads()
    with gmmcore.thread_limit(1):
        assert current_threads() == 1
    assert current_threads() == before


@pytest.mark.parametrize("estimator", [gmmcore.KMeans(3, random_state=0),
                                       gmmcore.GaussianMixture(3, random_state=0)])
def test_a_fit_never_wakes_blas_threads(monkeypatch, estimator):
    """Every BLAS call of a fit, the input's summary included, runs on one BLAS thread
    (idle OpenBLAS threads spin for 0.1 s after a call on several, on the passes' cores)."""
    from threadpoolctl import threadpool_info

    from gmmcore import _rows

    seen = []
    summary = _rows.column_summary

    def recording(*args):
        seen.append(max(lib["num_threads"] for lib in threadpool_info()
                        if lib["user_api"] == "blas"))
        return summary(*args)

    monkeypatch.setattr(_rows, "column_summary", recording)
    estimator.fit(_many_chunks(20_000))
    assert seen == [1]


def test_small_products_equal_one_product_in_every_block_layout():
    from gmmcore._rows import SMALL_PRODUCT, small_products

    rng = np.random.RandomState(0)
    a = rng.normal(size=(8, 10))
    step = SMALL_PRODUCT // a.size
    rows = rng.normal(size=(10, 3 * step + 7))
    for b in (rows, rows[:, 5:], rows[:, :step], rows[:, :1]):  # views with a row stride too
        np.testing.assert_allclose(small_products(a, b), a @ b, rtol=1e-13, atol=1e-13)
    out = np.full((8, rows.shape[1]), np.nan)
    assert small_products(a, rows, out) is out and np.isfinite(out).all()


@pytest.mark.parametrize("keep_transposed", [True, False])
def test_a_block_with_room_has_the_framed_rows_on_top(keep_transposed):
    from gmmcore._rows import InMemoryRows

    X = np.random.RandomState(0).normal(loc=5.0, scale=1e200, size=(50, 3))
    source = InMemoryRows(X, keep_transposed=keep_transposed)
    framed = ((X - source.shift) / source.scale).T
    assert source.scale != 1.0
    for rows in (slice(0, 50), slice(7, 19)):
        np.testing.assert_array_equal(source.block(rows), framed[:, rows])
        with_room = source.block(rows, room=4)
        assert with_room.shape == (3 + 4, rows.stop - rows.start)
        np.testing.assert_array_equal(with_room[:3], framed[:, rows])


def test_a_failing_task_stops_every_thread_before_its_error_is_raised():
    import time

    from gmmcore._rows import run_tasks

    started = []

    def task(item):
        started.append(item)
        if item == 3:
            raise ValueError("task 3 failed")
        time.sleep(0.005)
        return item

    with gmmcore.thread_limit(2), pytest.raises(ValueError, match="task 3 failed"):
        run_tasks(task, list(range(200)))
    count = len(started)
    time.sleep(0.05)
    assert len(started) == count < 10  # nothing started after the failure, or after the raise
    with gmmcore.thread_limit(2):
        assert run_tasks(lambda item: item * 2, list(range(50))) == list(range(0, 100, 2))


def _freed_memory_kept(tune):
    """Free bytes a fresh process's heaps gained by freeing a 4 MiB array (glibc's mallinfo2):
    about 4 MiB when it kept the block, about 0 when it gave it back to the system."""
    script = (
        "import ctypes, numpy as np\n"
        "from gmmcore._rows import keep_freed_memory\n"
        f"assert keep_freed_memory() is {tune}\n"
        "class Info(ctypes.Structure):\n"
        "    _fields_ = [(n, ctypes.c_size_t) for n in ('arena', 'ordblks', 'smblks', 'hblks',"
        " 'hblkhd', 'usmblks', 'fsmblks', 'uordblks', 'fordblks', 'keepcost')]\n"
        "mallinfo2 = ctypes.CDLL(None).mallinfo2\n"
        "mallinfo2.restype = Info\n"
        "before = mallinfo2().fordblks\n"
        "a = np.ones(1 << 19); del a\n"
        "print(mallinfo2().fordblks - before)\n"
    )
    env = {**os.environ, "GMMCORE_MALLOC_TUNING": "1" if tune else "0"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).parents[2], check=True)
    return int(out.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc")
def test_freed_blocks_stay_with_the_process_once_tuned():
    """Blocks' temporaries freed on one thread are reused, not handed back to the system
    and faulted in again on the next pass (see gmmcore._rows.keep_freed_memory)."""
    assert _freed_memory_kept(tune=True) >= 3 << 20  # (some of it may fill earlier holes)
    assert _freed_memory_kept(tune=False) < 1 << 20
