"""Which row source holds an input: an in-memory array or a Dask array.

Dask is imported only when the input is a Dask collection.
"""

from ._rows import InMemoryRows
from ._validation import check_array, check_sample_weight, is_dask_collection


def rows_of(X, sample_weight=None, *, min_scale=0.0, min_samples=1):
    """The row source of a fit's input, checked.

    Parameters
    ----------
    X : array-like or dask.array.Array of shape (n_samples, n_features)
    sample_weight : array-like of shape (n_samples,), optional
    min_scale : float
        Passed to the frame (see :func:`gmmcore._rows.frame_from_summary`).
    min_samples : int
        The least number of rows accepted.

    Returns
    -------
    InMemoryRows or gmmcore._dask.DaskRows
    """
    if is_dask_collection(X):
        from ._dask import DaskRows

        return DaskRows(X, sample_weight, min_scale=min_scale)
    X = check_array(X, min_samples=min_samples)
    return InMemoryRows(X, check_sample_weight(sample_weight, len(X)), min_scale=min_scale)


def prediction_rows(X, frame, n_features, owner, name="X"):
    """Rows to predict on in a fitted model's frame (not copied or transposed as a whole).

    Raises
    ------
    ValueError
        When ``X`` has another number of features than the model.
    """
    if is_dask_collection(X):
        from ._dask import DaskRows

        source = DaskRows(X, None, frame=frame)
    else:
        source = InMemoryRows(check_array(X, name=name, finite=False), frame=frame,
                              keep_transposed=False, check_finite=name)
    if source.n_features != n_features:
        raise ValueError(f"{name} has {source.n_features} features, but {owner} is expecting "
                         f"{n_features} features as input; give it the columns it was fitted "
                         "on.")
    return source
