"""Row chunking, a map-reduce over chunks, and single-threaded BLAS for it.

Every pass over the data works on blocks of rows small enough that their
temporaries stay in cache; each block yields partial sums that are added up.
The same shape of computation lets a distributed engine run the blocks.

The blocks' matrix products are skinny (a few hundred by a few thousand);
OpenBLAS splits those over threads and loses more in synchronisation than it
gains, so the passes run with BLAS on one thread when ``threadpoolctl`` (an
optional dependency, installed with scikit-learn) is available.
"""

from contextlib import nullcontext

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional speed-up
    threadpool_limits = None


def single_threaded_blas():
    """A context in which BLAS uses one thread (a no-op without threadpoolctl)."""
    if threadpool_limits is None:
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def row_chunks(n_samples, row_bytes, budget=1 << 21):
    """Slices of rows whose temporaries take about ``budget`` bytes (stay in cache).

    Parameters
    ----------
    n_samples : int
    row_bytes : int
        Bytes of temporaries one row needs.
    budget : int
        Target bytes per chunk.

    Returns
    -------
    chunks : list of slice
    """
    size = int(min(max(budget // max(row_bytes, 1), 1024), 1 << 16))
    return [slice(start, min(start + size, n_samples)) for start in range(0, n_samples, size)]


def map_reduce_rows(func, chunks):
    """Element-wise sums of the tuples ``func(chunk)`` returns over ``chunks``.

    Parameters
    ----------
    func : callable
        Takes a slice, returns a tuple of numbers or arrays.
    chunks : list of slice

    Returns
    -------
    totals : tuple
    """
    totals = None
    for part in map(func, chunks):
        totals = list(part) if totals is None else [t + p for t, p in zip(totals, part)]
    return tuple(totals)
