"""The rows of a fit: one small interface over an in-memory array or a Dask array.

The EM and Lloyd loops never touch their data directly; they ask a row source:

- its summary: ``n_samples``, ``n_features``, ``total_weight`` and the fitting
  frame (the centring ``shift`` and power-of-two ``scale``);
- ``sample(size, rng)``: an in-memory source of rows to initialise from;
- ``map_reduce(block_fn, row_bytes, ...)``: one pass, every block of rows mapped
  to partial sums that are added up (optionally carrying a per-row value, such
  as K-means labels, from one pass to the next);
- ``map(row_fn, row_bytes, ...)``: per-row results (lazy on Dask).

Blocks are handed over transposed and in the fitting frame, ``xt`` of shape
(n_features, n_rows), with their weights normalised to mean 1, so every
reduction over components runs along long contiguous rows.

This module holds the in-memory source: blocks are cache-sized row chunks,
mapped on a thread pool shared by every fit in the process (NumPy and BLAS
release the GIL) and combined in chunk order, so results are bit-identical for
any number of threads. ``_dask.py`` holds the Dask source.
"""

import contextlib
import contextvars
import ctypes
import functools
import itertools
import os
import platform
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._validation import check_finite

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - optional speed-up
    ThreadpoolController = None

CHUNK_BUDGET = 1 << 21  # bytes of temporaries per chunk: about an L2 cache
MAX_CHUNK_ROWS = 1 << 16
MIN_CHUNK_ROWS = 1024
NO_CARRY = object()

_threads = contextvars.ContextVar("gmmcore_threads", default=None)
_pool = None
_pool_lock = threading.Lock()
_worker = threading.local()


class NonFiniteRows(Exception):
    """Raised by a row function whose rows hold NaN or infinities (see
    :meth:`InMemoryRows.map`)."""


# ------------------------------------------------------------------ threads
def available_threads():
    """Threads gmmcore may use: ``GMMCORE_NUM_THREADS`` or the CPUs this process may run on."""
    env = os.environ.get("GMMCORE_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def current_threads():
    """Threads the passes of this thread's fits use now (see :func:`thread_limit`)."""
    asked = _threads.get()
    most = available_threads()
    return most if asked is None else max(1, min(asked, most))


@contextlib.contextmanager
def thread_limit(n_threads):
    """Run gmmcore's passes on at most ``n_threads`` threads inside the block.

    The limit belongs to the calling thread (and asyncio task), so concurrent
    users of one process can set their own. ``GMMCORE_NUM_THREADS`` caps it
    for the whole process. Results do not depend on the number of threads.

    Examples
    --------
    >>> with gmmcore.thread_limit(1):
    ...     GaussianMixture(3).fit(X)
    """
    if isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1:
        raise ValueError(f"n_threads must be an integer >= 1; got {n_threads!r}.")
    token = _threads.set(n_threads)
    try:
        yield
    finally:
        _threads.reset(token)


@contextlib.contextmanager
def single_threaded_blas():
    """A context in which BLAS uses one thread (a no-op without ``threadpoolctl``).

    The blocks' matrix products are skinny (a few by a few thousand); OpenBLAS
    splits those over threads and loses more in synchronisation than it gains,
    and the blocks themselves already run on every core.

    A fit enters it before anything else, its input's summary included: after a
    call on several threads, OpenBLAS's idle threads spin for about 2**28 cycles
    (0.1 s) waiting for more work, on the cores the passes need. One
    ``X.T @ weights`` outside made the next 0.1 s of Lloyd passes twice as slow
    (100,000 x 10, K = 8: 2.2 against 1.2 ms per iteration on two threads).

    Only libraries not on one thread already are switched, and back on leaving,
    one C call each: threadpoolctl's ``limit`` asks every library for its whole
    state twice, 15-40 us, a tenth of a 100,000-row prediction's time before its
    first block.
    """
    switched = [(library, n) for library in _blas_libraries()
                if (n := library.get_num_threads()) != 1]
    for library, _ in switched:
        library.set_num_threads(1)
    try:
        yield
    finally:
        for library, n in switched:
            library.set_num_threads(n)


@functools.cache
def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries, found once (finding them
    is slow); empty without threadpoolctl."""
    if ThreadpoolController is None:
        return ()
    return tuple(library for library in ThreadpoolController().lib_controllers
                 if library.user_api == "blas")


# glibc hands memory blocks above 128 KB back to the system as soon as they are freed
# (unmapped, or trimmed off the top of a heap). Its dynamic threshold, which stops that
# for a program that keeps allocating blocks of one size, does not hold once two threads
# free blocks' temporaries: every pass then faults its temporaries' pages in afresh, and
# every unmapping interrupts the other core to flush its TLB, which is costly in a VM.
# Measured on two threads over 8 x 5,883 blocks: np.exp 6.1 ms with glibc's defaults
# against 0.9 ms with these (1.7 ms on one thread). Freed memory up to the trim threshold
# per heap stays with the process, to be reused.
MALLOC_MMAP_THRESHOLD = 8 << 20
MALLOC_TRIM_THRESHOLD = 32 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers


def keep_freed_memory():
    """Set glibc's malloc thresholds to :data:`MALLOC_MMAP_THRESHOLD` and
    :data:`MALLOC_TRIM_THRESHOLD` for the whole process (on glibc only).

    Done once, when the first pass starts its threads; ``GMMCORE_MALLOC_TUNING=0``
    leaves the C library's settings alone.

    Returns
    -------
    changed : bool
    """
    if os.environ.get("GMMCORE_MALLOC_TUNING", "").strip() == "0":
        return False
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    return bool(mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD))


def _shared_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            keep_freed_memory()
            _pool = ThreadPoolExecutor(max_workers=available_threads(),
                                       thread_name_prefix="gmmcore",
                                       initializer=_mark_worker)
        return _pool


def _mark_worker():
    _worker.active = True


def run_tasks(task, items, sequential=False):
    """``[task(item) for item in items]``, on up to :func:`current_threads` threads.

    Every thread (the calling one included) takes the next item not yet taken, so a
    thread slowed down (by another process, or waiting for the GIL) takes fewer; the
    results come back in the order of ``items`` whatever the thread count and whoever
    ran them. Tasks started from inside a task run in its thread (no nested pools).
    """
    n_threads = 1 if sequential or getattr(_worker, "active", False) else current_threads()
    n_threads = min(n_threads, len(items))
    if n_threads <= 1:
        return [task(item) for item in items]
    results = [None] * len(items)
    taken = itertools.count()  # next() on it is atomic: one item per call, never twice
    failed = threading.Event()  # a task raised: the other threads take no more items

    def work():
        try:
            while not failed.is_set() and (i := next(taken)) < len(items):
                results[i] = task(items[i])
        except BaseException:
            failed.set()
            raise

    futures = [_shared_pool().submit(work) for _ in range(n_threads - 1)]
    _worker.active = True
    try:
        work()
    finally:
        _worker.active = False
        # Every thread is done with the items before this returns or raises.
        for future in futures:
            if not future.cancel():  # (one still queued behind other fits' tasks: not needed)
                future.exception()
    for future in futures:
        if not future.cancelled():
            future.result()
    return results


def sum_products(a, b):
    """``a @ b.T`` for the sums over a block's rows: a (p, m) and b (q, m) give (p, q).

    Through ``np.dot``, which releases the GIL: ``@`` keeps it when the result is small
    (a block's (K, d) sums over thousands of rows), and the other threads' blocks then
    wait for it. ``b`` is often a block of the transposed rows, a view with a row stride;
    ``np.dot(b, a.T)`` gives it to BLAS as it is (``np.dot(a, b.T)`` would copy it first),
    and its transpose equals ``a @ b.T`` for the shapes measured.
    """
    return np.dot(b, a.T).T


# OpenBLAS (on AVX-512 CPUs) multiplies an (m, k) by a (k, n) matrix with m * n * k at
# most this in its small-matrix kernels, without packing the operands first: per column,
# K-means' distance product (8 x 10 by 10 x n) takes 3.6 ns up to n = 12,500 against
# 5.7 ns past it.
SMALL_PRODUCT = 1_000_000


def small_products(a, b, out=None):
    """``a @ b`` in column blocks small enough for BLAS's small-matrix kernels.

    Parameters
    ----------
    a : ndarray of shape (m, k)
        Small (a few centres or components by their coefficients).
    b : ndarray of shape (k, n)
        Long (a block of transposed rows); may be a strided view.
    out : ndarray of shape (m, n), optional

    Returns
    -------
    out : ndarray of shape (m, n)
    """
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]))
    step = max(SMALL_PRODUCT // max(a.size, 1), 1)
    for start in range(0, b.shape[1], step):
        np.matmul(a, b[:, start:start + step], out=out[:, start:start + step])
    return out


# ------------------------------------------------------------------ merging
def add(a, b):
    """Element-wise sum of two tuples of numbers or arrays."""
    return tuple(x + y for x, y in zip(a, b))


def fold(merge, parts):
    """``merge`` applied left to right over ``parts`` (a fixed order)."""
    total = parts[0]
    for part in parts[1:]:
        total = merge(total, part)
    return total


def chunk_slices(n_rows, row_bytes, budget=CHUNK_BUDGET):
    """Slices of rows whose temporaries take about ``budget`` bytes.

    Parameters
    ----------
    n_rows : int
    row_bytes : int
        Bytes of temporaries one row needs in the pass.

    Returns
    -------
    chunks : list of slice
    """
    size = int(min(max(budget // max(row_bytes, 1), MIN_CHUNK_ROWS), MAX_CHUNK_ROWS))
    # As many chunks as that takes, of equal size: no short last chunk, so two threads
    # share few chunks evenly.
    size = -(-n_rows // -(-n_rows // size)) if n_rows else size
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


# ------------------------------------------------------------------ the frame
def power_of_two_scale(spread, min_scale=0.0):
    """1.0, or a power of two near ``spread`` when it is beyond 1e±50 (or below ``min_scale``).

    Dividing by a power of two is exact, so the fitting frame changes no digit;
    it keeps squares of the values inside the float range.
    """
    scale = 1.0
    if spread > 1e50 or 0 < spread < 1e-50:
        scale = float(2.0 ** np.round(np.log2(spread)))
    if scale < min_scale:
        scale = float(2.0 ** np.ceil(np.log2(min_scale)))
    return scale


def column_summary(xt, weights):
    """Weighted mean, minimum and maximum of every feature of transposed rows.

    One 1-D reduction per feature: NumPy reduces a (n_samples, n_features) array
    over its first axis row by row, some 40 times slower at two or three features.

    Parameters
    ----------
    xt : ndarray of shape (n_features, n_samples)
        May be a strided view (``X.T``).
    weights : ndarray of shape (n_samples,)

    Returns
    -------
    weighted_mean, lo, hi : ndarray of shape (n_features,)
    """
    return ((xt @ weights) / weights.sum(), *column_range(xt))


def column_range(xt):
    """Minimum and maximum of every feature of transposed rows (n_features, n_samples),
    one 1-D reduction per feature (see :func:`column_summary`).

    Returns
    -------
    lo, hi : ndarray of shape (n_features,)
    """
    return (np.array([feature.min() for feature in xt]),
            np.array([feature.max() for feature in xt]))


def frame_from_summary(weighted_mean, lo, hi, min_scale=0.0):
    """The fitting frame (shift, scale) from column summaries.

    Parameters
    ----------
    weighted_mean, lo, hi : ndarray of shape (n_features,)
        Weighted mean, minimum and maximum of every column.
    min_scale : float
        A lower bound on the scale (the mixture keeps ``reg_covar / scale**2``
        representable).

    Returns
    -------
    shift : ndarray of shape (n_features,)
    scale : float
    spread : float
        The largest distance of a value from the shift, in data units.
    """
    # Averaging can round to a value just outside the data; keep it inside.
    shift = np.clip(weighted_mean, lo, hi)
    spread = float(max(np.abs(lo - shift).max(), np.abs(hi - shift).max()))
    return shift, power_of_two_scale(spread, min_scale), spread


def normalised_weights(sample_weight, n_samples):
    """Weights scaled to mean 1 (so regularising counts is relative to the data)."""
    total = float(sample_weight.sum())
    if np.all(sample_weight == 1):
        return sample_weight, total
    return sample_weight * (n_samples / total), total


# ------------------------------------------------------------------ in memory
class InMemoryRows:
    """An in-memory row source.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Checked, finite float64 rows in data units.
    sample_weight : ndarray of shape (n_samples,), optional
        Checked non-negative weights; ones when None.
    frame : (shift, scale), optional
        The fitting frame; computed from the rows when not given.
    min_scale : float
        See :func:`frame_from_summary`.
    keep_transposed : bool, default=True
        Keep the framed rows transposed, for repeated passes (a fit). Without
        it each pass frames and transposes its chunks (a prediction).
    weights_normalised : bool, default=False
        The weights are already normalised (a block of a larger source).
    check_finite : str, optional
        ``X`` is not checked for NaN and infinities yet: every block checks its rows
        as it frames them and raises :func:`gmmcore._validation.check_finite`'s error
        about ``X`` under this name (a prediction then reads its rows from memory
        once, not twice).

    Attributes
    ----------
    n_samples, n_features : int
    total_weight : float
        Sum of the weights as given.
    weights : ndarray of shape (n_samples,)
        Normalised to mean 1.
    shift : ndarray of shape (n_features,)
    scale : float
    spread : float or None
        The largest distance of a value from the shift (data units), when the
        frame was computed here.
    """

    def __init__(self, X, sample_weight=None, *, frame=None, min_scale=0.0,
                 keep_transposed=True, weights_normalised=False, check_finite=None):
        self.n_samples, self.n_features = X.shape
        self._check_finite_as = check_finite
        if sample_weight is None:  # every row counts once: nothing to check or normalise
            self.total_weight, self.unit_weights = float(self.n_samples), True
        else:
            if weights_normalised:  # part of a larger source, normalised as a whole
                self.weights, self.total_weight = sample_weight, float(self.n_samples)
            else:
                self.weights, self.total_weight = normalised_weights(sample_weight,
                                                                     self.n_samples)
            self.unit_weights = (self.total_weight == self.n_samples
                                 and bool(np.all(self.weights == 1)))
        self.spread = None
        self._X = X
        self._xt = None
        if keep_transposed:
            self._xt = np.empty((self.n_features, self.n_samples))
            for rows in chunk_slices(self.n_samples, 8 * self.n_features):
                self._xt[:, rows] = X[rows].T
        if frame is None:
            summary = column_summary(X.T if self._xt is None else self._xt, self.weights)
            *frame, self.spread = frame_from_summary(*summary, min_scale)
        self.shift, self.scale = frame
        if self._xt is not None:  # framed in place
            self._xt -= self.shift[:, None]
            if self.scale != 1.0:
                self._xt /= self.scale

    @functools.cached_property
    def weights(self):
        """Ones, made when first asked for (a prediction never does)."""
        return np.ones(self.n_samples)

    def _framed(self, rows):
        rows = rows - self.shift
        if self.scale != 1.0:
            rows /= self.scale
        return rows

    def block(self, rows, room=0, check=True):
        """Rows ``rows`` (a slice) framed and transposed, (n_features + room, n_rows).

        The last ``room`` rows are left uninitialised for the caller to fill (features
        computed from the rows, written beside them without copying the rows again).
        ``check=False`` skips the check for NaN and infinities (see :meth:`map`).
        """
        if self._xt is not None and not room:
            return self._xt[:, rows]
        chunk = self._X[rows]
        out = np.empty((self.n_features + room, len(chunk)))
        xt = out[:self.n_features]
        np.subtract(chunk.T, self.shift[:, None], out=xt)  # frame and transpose in one pass
        if self.scale != 1.0:
            xt /= self.scale
        if check and self._check_finite_as is not None and not np.isfinite(xt).all():
            check_finite(self._X, self._check_finite_as)  # raises, counting the rows
        return out

    def rows(self, index):
        """Framed rows at integer positions ``index``, shape (len(index), n_features)."""
        if self._xt is not None:
            return self._xt[:, index].T.copy()
        return self._framed(self._X[index])

    def sample(self, size, rng):
        """Rows to initialise from: in memory, all of them (scikit-learn's behaviour)."""
        return self

    def mean_variance(self):
        """Mean over the columns of their (unweighted) variance, in the frame."""
        if self._xt is not None:
            return float(np.mean(np.var(self._xt, axis=1)))
        return float(np.mean(np.var(self._framed(self._X), axis=0)))

    def map_reduce(self, block_fn, row_bytes, *, carry=NO_CARRY, merge=add, sequential=False):
        """One pass: ``block_fn`` on every chunk, results merged in chunk order.

        Parameters
        ----------
        block_fn : callable
            ``block_fn(xt, w)`` -> tuple, or with ``carry``
            ``block_fn(xt, w, previous)`` -> (tuple, per-row array) where
            ``previous`` is this chunk's part of ``carry`` (None on the first pass).
        row_bytes : int
            Bytes of temporaries per row (sizes the chunks).
        carry : ndarray of shape (n_samples,) or None, optional
            A per-row value from the previous pass.
        merge : callable, default=add
            Combines two chunk results.
        sequential : bool, default=False
            Run the chunks in order on this thread (for passes that draw
            random numbers).

        Returns
        -------
        result : tuple
            And, with ``carry``, the new per-row array.
        """
        chunks = chunk_slices(self.n_samples, row_bytes)
        if carry is NO_CARRY:
            def task(rows):
                return block_fn(self.block(rows), self.weights[rows])
            return fold(merge, run_tasks(task, chunks, sequential))

        def carried(rows):
            return block_fn(self.block(rows), self.weights[rows],
                            None if carry is None else carry[rows])
        parts = run_tasks(carried, chunks, sequential)
        return fold(merge, [p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def map(self, row_fn, row_bytes, width=None, dtype=float, sequential=False, into=False,
            room=0, row_fn_checks=False):
        """``row_fn(xt)`` for every chunk, as one array of per-row results.

        Parameters
        ----------
        row_fn : callable
            Transposed framed rows (n_features, m) -> (m,), or (width, m) when
            ``width`` is given (results stay in the blocks' layout).
        into : bool, default=False
            ``row_fn(xt, out)`` writes its results into ``out``, its chunk's part of
            the output, instead of returning them (saves a copy).
        room : int, default=0
            ``xt`` has this many more rows, uninitialised (see :meth:`block`).
        row_fn_checks : bool, default=False
            ``row_fn`` raises :class:`NonFiniteRows` when its rows hold NaN or
            infinities (it can tell from its own results, which they spoil): the
            blocks are then not checked as they are read, and the source raises
            its error about the input instead.

        Returns
        -------
        out : ndarray of shape (n_samples,) or (n_samples, width)
            With ``width``, the transpose of a C-ordered (width, n_samples)
            array (Fortran order), so no block is transposed to be stored.
        """
        shape = (self.n_samples,) if width is None else (width, self.n_samples)
        out = np.empty(shape, dtype=dtype)

        def task(rows):
            block = self.block(rows, room, check=not row_fn_checks)
            try:
                if into:
                    row_fn(block, out[..., rows])
                else:
                    out[..., rows] = row_fn(block)
            except NonFiniteRows:
                check_finite(self._X, self._check_finite_as or "X")  # raises, counting
                raise
        # The blocks already run on every core: BLAS inside them stays on one thread.
        with single_threaded_blas():
            run_tasks(task, chunk_slices(self.n_samples, row_bytes), sequential)
        return out if width is None else out.T

    @staticmethod
    def gather(carry):
        """A carried per-row array as the caller sees it (here: itself)."""
        return carry
