"""The Dask row source: a fit's rows stay in the cluster's blocks.

Imported only when a fit or a prediction is given a Dask array. The EM and
Lloyd loops are the in-memory ones; here each pass maps every row block
through the same block function (on an in-memory source of that block, chunk
by chunk), adds the results up as a binary tree on the cluster, and brings
only the totals (arrays of size K x d (x d)) to the client. Per-row values
carried between passes (K-means labels) stay on the workers.

Whatever Dask scheduler is active computes the graph: the threaded default, a
``distributed.LocalCluster`` or a remote ``distributed.Client``.
"""

import operator

import dask
import dask.array as da
import numpy as np

from ._rows import NO_CARRY, InMemoryRows, add, column_range, frame_from_summary


# ---------------------------------------------------------------- input
def as_row_blocks(X, sample_weight=None):
    """A float Dask array split by rows only, and matching weights.

    Returns
    -------
    X : dask.array.Array of shape (n_samples, n_features)
    sample_weight : dask.array.Array of shape (n_samples,) or None

    Raises
    ------
    ValueError
        For frames, unknown chunk sizes, wrong dimensions or weights.
    """
    if not isinstance(X, da.Array):
        raise ValueError("Pass a dask.array.Array (for a Dask DataFrame use "
                         "df.to_dask_array(lengths=True)).")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got {X.ndim}-D.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() or build "
                         "it with to_dask_array(lengths=True).")
    if np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError("X has complex values; clustering needs real numbers.")
    X = X.astype(float)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    if sample_weight is not None:
        sample_weight = da.asarray(sample_weight).astype(float)
        if sample_weight.shape != (X.shape[0],):
            raise ValueError(f"sample_weight must have shape ({X.shape[0]},); got "
                             f"{sample_weight.shape}.")
        sample_weight = sample_weight.rechunk((X.chunks[0],))
    return X, sample_weight


def _column_stats(block, weights):
    if not np.isfinite(block).all() or not np.isfinite(weights).all():
        raise ValueError("X and sample_weight must be finite: drop or fill NaN and infinite "
                         "values first (e.g. dataframe.dropna()).")
    if (weights < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    return (weights.sum(), weights @ block, *column_range(block.T))


def _merge_stats(a, b):
    return a[0] + b[0], a[1] + b[1], np.minimum(a[2], b[2]), np.maximum(a[3], b[3])


def _block_weights(block, weights):
    return np.ones(len(block)) if weights is None else weights


def _block_source(block, weights, frame, factor):
    return InMemoryRows(block, _block_weights(block, weights) * factor, frame=frame,
                        weights_normalised=True)


def _reduce_block(block, weights, frame, factor, block_fn, row_bytes, merge):
    return _block_source(block, weights, frame, factor).map_reduce(
        block_fn, row_bytes, merge=merge, sequential=True)


def _reduce_block_carry(block, weights, frame, factor, block_fn, row_bytes, merge, previous):
    return _block_source(block, weights, frame, factor).map_reduce(
        block_fn, row_bytes, carry=previous, merge=merge, sequential=True)


def _map_block(block, frame, row_fn, row_bytes, width, dtype, into, room, row_fn_checks):
    source = InMemoryRows(block, frame=frame, keep_transposed=False,
                          check_finite="a block of X")
    return source.map(row_fn, row_bytes, width, dtype, sequential=True, into=into, room=room,
                      row_fn_checks=row_fn_checks)


def _tree(parts, merge):
    """Merge delayed block results pairwise, as a binary tree, and compute the total."""
    while len(parts) > 1:
        merged = [dask.delayed(merge)(a, b) for a, b in zip(parts[::2], parts[1::2])]
        parts = merged + parts[len(merged) * 2:]
    (total,) = dask.compute(parts[0])
    return total


class DaskRows:
    """A row source over a Dask array chunked by rows (see :mod:`gmmcore._rows`).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
    sample_weight : array-like of shape (n_samples,), optional
    frame : (shift, scale), optional
        Given for predictions; computed (one pass) for a fit.
    min_scale : float
    """

    unit_weights = False

    def __init__(self, X, sample_weight=None, *, frame=None, min_scale=0.0):
        X, sample_weight = as_row_blocks(X, sample_weight)
        self._X = X
        self.n_samples, self.n_features = X.shape
        self.unit_weights = sample_weight is None
        weights = [None] * X.numblocks[0] if sample_weight is None else \
            list(sample_weight.to_delayed().ravel())
        self._pairs = list(zip(X.to_delayed().ravel(), weights))
        self.spread = None
        self.total_weight = float(self.n_samples)
        if frame is None:
            parts = [dask.delayed(_column_stats)(b, _block_weights_delayed(b, w))
                     for b, w in self._pairs]
            self.total_weight, weighted_sum, lo, hi = _tree(parts, _merge_stats)
            if self.total_weight <= 0:
                raise ValueError("sample_weight sums to zero; give at least one row a "
                                 "positive weight.")
            *frame, self.spread = frame_from_summary(weighted_sum / self.total_weight, lo, hi,
                                                     min_scale)
        self.shift, self.scale = frame
        self._factor = self.n_samples / self.total_weight

    def sample(self, size, rng):
        """A uniform random sample of about ``size`` rows, as an in-memory source."""
        X = self._X
        weights = da.concatenate([
            da.from_delayed(dask.delayed(_block_weights)(b, w), shape=(m,), dtype=float)
            for (b, w), m in zip(self._pairs, X.chunks[0])])
        if self.n_samples > size:  # else all rows, and no random number drawn
            seed = int(rng.randint(np.iinfo(np.int32).max))
            keep = da.random.RandomState(seed).random_sample(self.n_samples, chunks=X.chunks[0])
            keep = keep < size / self.n_samples
            X, weights = X[keep], weights[keep]
        rows, weights = dask.compute(X, weights)
        return InMemoryRows(rows, weights * self._factor, frame=(self.shift, self.scale),
                            weights_normalised=True)

    def mean_variance(self):
        """Mean over the columns of their (unweighted) variance, in the frame."""
        def sums(xt, w):
            return xt.sum(axis=1), np.einsum("ij,ij->i", xt, xt)
        total, squares = self.map_reduce(sums, 16 * self.n_features)
        mean = total / self.n_samples
        return float(np.mean(squares / self.n_samples - mean**2))

    def map_reduce(self, block_fn, row_bytes, *, carry=NO_CARRY, merge=add, sequential=False):
        """One pass over every block (see ``InMemoryRows.map_reduce``).

        With ``carry``, the per-row values stay on the workers: the carry is a
        list of persisted per-block results.
        """
        frame = (self.shift, self.scale)
        if carry is NO_CARRY:
            return _tree([dask.delayed(_reduce_block)(b, w, frame, self._factor, block_fn,
                                                      row_bytes, merge)
                          for b, w in self._pairs], merge)
        previous = [None] * len(self._pairs) if carry is None else carry
        outs = dask.persist(*[
            dask.delayed(_reduce_block_carry)(b, w, frame, self._factor, block_fn, row_bytes,
                                              merge, p)
            for (b, w), p in zip(self._pairs, previous)])
        results = [dask.delayed(operator.getitem)(o, 0) for o in outs]
        return _tree(results, merge), [dask.delayed(operator.getitem)(o, 1) for o in outs]

    def map(self, row_fn, row_bytes, width=None, dtype=float, into=False, room=0,
            row_fn_checks=False):
        """``row_fn`` on every block, lazily: a Dask array of per-row results (see
        ``InMemoryRows.map``; rows with NaN or infinities raise when computed)."""
        args = (_map_block, (self.shift, self.scale), row_fn, row_bytes, width, dtype, into,
                room, row_fn_checks)
        if width is None:
            return self._X.map_blocks(*args, drop_axis=1, dtype=dtype)
        return self._X.map_blocks(*args, chunks=(self._X.chunks[0], (width,)), dtype=dtype)

    def gather(self, carry):
        """Carried per-row values as one lazy Dask array."""
        return da.concatenate([da.from_delayed(c, shape=(m,), dtype=np.int32)
                               for c, m in zip(carry, self._X.chunks[0])])


def _block_weights_delayed(block, weights):
    return dask.delayed(_block_weights)(block, weights)
