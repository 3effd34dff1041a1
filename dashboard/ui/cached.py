"""Cached work shared by every session: datasets, parsed uploads, fits, figures, grids.

Fits and their figures are shared read-only between sessions (the same data
and settings give the same result), held in caches bounded in bytes and age
(:class:`dashboard.cache.ByteCache`); each fit runs within the budget that
:mod:`dashboard.budget` plans for it.
"""

import dataclasses
import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import streamlit as st

import gmmcore

from .. import (
    charts,
    choose_k,
    compare,
    datasets,
    explain,
    export,
    generate,
    ingest,
    loaded,
    outliers,
)
from ..budget import grid_seconds, plan_fit, plan_grid, start_heavy_worker
from ..cache import ByteCache
from .state import CACHE_TTL, ActiveData, limits

MB = 2**20
PARSE_SLOTS = 1  # uploads parsed at once: each needs several times its size while parsed
HEAVY_SECONDS = 1.0  # work estimated above this runs in the heavy-work process
HEAVY_UPLOAD_MB = 5  # uploads larger than this are parsed in the heavy-work process


@st.cache_resource(show_spinner=False)
def _caches():
    """The process's byte-bounded caches (one set for all sessions)."""
    lim = limits()
    return {
        "fits": ByteCache(lim.fit_cache_mb * MB, CACHE_TTL),
        "uploads": ByteCache(lim.upload_cache_mb * MB, CACHE_TTL),
        "figures": ByteCache(lim.figure_cache_mb * MB, CACHE_TTL),
        "small": ByteCache(64 * MB, CACHE_TTL),
    }


def _read_only(*arrays):
    for array in arrays:
        if isinstance(array, np.ndarray):
            array.flags.writeable = False


@st.cache_resource(max_entries=16, show_spinner=False)
def builtin_data(key):
    """A built-in dataset (generated once per process, shared read-only)."""
    d = datasets.load(key)
    return ActiveData(key, d.name, d.X, d.columns, d.labels, d.description,
                      compare.data_digest(d.X, d.labels))


GENERATE_ALONE = 100_000  # values; larger generated sets are made one at a time, as uploads


def generated_data(recipe):
    """The rows of "Make your own data" for ``recipe`` (a ``generate.Recipe``), cached
    (bounded in bytes, with the parsed uploads) and shared read-only. The generator is
    deterministic, so the recipe itself is the data's digest."""
    def build():
        if recipe.points * recipe.features > GENERATE_ALONE:
            with _parse_slots():
                d = generate.dataset(recipe)
        else:
            d = generate.dataset(recipe)
        return ActiveData(generate.KEY, d.name, d.X, d.columns, d.labels, d.description,
                          generate.cache_key(recipe))
    return _caches()["uploads"].get(("generated", recipe), build)


def digest_of(raw):
    """SHA-256 of the full bytes of an upload: its cache key."""
    return hashlib.sha256(raw).hexdigest()


@st.cache_resource(show_spinner=False)
def _parse_slots():
    """Bounds how many uploads the process parses at once (their peak memory adds up)."""
    return threading.BoundedSemaphore(PARSE_SLOTS)


@st.cache_resource(show_spinner=False)
def _heavy_pool():
    """One worker process for the expensive computations of every session.

    Its own interpreter, scheduled below the server (see
    :func:`budget.start_heavy_worker`): the server's interpreter (and its GIL) stays
    free for everyone's page runs while a large fit or grid computes, and such
    computations run one at a time.
    """
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_heavy_worker)


@st.cache_resource(show_spinner=False)
def _heavy_worker_started():
    """Start the heavy-work process once, without waiting for it (see :func:`warm_up`)."""
    return _heavy_pool().submit(os.getpid)


def warm_up():
    """Start the heavy-work process now, before it is needed: called when a visitor
    chooses to upload, so their file is parsed without waiting a second or two for
    the process to start and import pandas and gmmcore."""
    future = _heavy_worker_started()
    if future.done() and future.exception() is not None:  # a pool that broke since
        _heavy_worker_started.clear()


def _heavy(func, *args, **kwargs):
    """``func(*args, **kwargs)`` in the heavy-work process; says so while it waits its turn."""
    try:
        future = _heavy_pool().submit(func, *args, **kwargs)
        try:
            return future.result(timeout=0.2)
        except FuturesTimeout:
            pass
        if not future.running():
            waiting = ("Another viewer's large computation is running on this server; "
                       "yours starts as soon as it ends…") if _heavy_worker_started().done() \
                else "Starting the server's worker for large computations…"
            with st.spinner(waiting):
                while not future.running() and not future.done():
                    wait([future], timeout=0.2)
        return future.result()
    except BrokenProcessPool:  # the worker died (e.g. out of memory): start afresh
        _heavy_pool.clear()
        raise RuntimeError("The server's worker for large computations stopped; reload the "
                           "page to try again, with a smaller K or fewer rows.") from None


def ingest_upload(digest, missing, raw):
    """Parse an upload; cached by the SHA-256 of its full bytes. Large ones are parsed
    in the heavy-work process (their peak memory stays out of the server's), small
    ones here, at most ``PARSE_SLOTS`` at a time."""

    def parse():
        if len(raw) > HEAVY_UPLOAD_MB * MB:
            result = _heavy(ingest.ingest, raw, missing=missing)
        else:
            with _parse_slots():
                result = ingest.ingest(raw, missing=missing)
        if result.features is not None:
            _read_only(result.features.to_numpy())
        return result
    return _caches()["uploads"].get(("upload", digest, missing), parse)


def read_model_file(digest, name, raw):
    """A model file checked and loaded, or its error; cached by its bytes' digest."""
    return _caches()["small"].get(("model", digest, name),
                                  lambda: loaded.read_model_file(raw, name))


def fit_comparison(digest, columns, settings, X):
    """Both fits for one dataset (by digest), column choice and settings, within budget.

    K-means is cached on its own, by what it depends on: changing only the
    mixture's settings (covariance type, initialisation, tol, reg_covar) fits
    the mixture alone.
    """
    def fit():
        plan = plan_fit(len(X), X.shape[1], settings, limits())
        kmeans_key = ("kmeans", digest, columns, compare.kmeans_inputs(settings, plan))
        if plan.estimated_seconds <= HEAVY_SECONDS:
            kmeans = _caches()["fits"].get(
                kmeans_key, lambda: compare.kmeans_fit(X, settings, limits(), plan))
            comparison = compare.compare(X, settings, limits(), columns, kmeans)
        else:
            # Fitted in the heavy-work process, labelled here: the rows and the per-row
            # results stay in this process rather than crossing twice (72 MB at 1,000,000
            # rows x 3, K = 4: a third of a second).
            kmeans = _caches()["fits"].peek(kmeans_key)
            fits = _heavy(compare.fit_models, X, settings, limits(),
                          None if kmeans is None else dataclasses.replace(kmeans, labels=None))
            if kmeans is None:  # fitted there with the mixture, in one trip
                kmeans = _caches()["fits"].get(kmeans_key, lambda: fits.kmeans)
            comparison = compare.compare(X, settings, limits(), columns,
                                         fits=dataclasses.replace(fits, kmeans=kmeans))
        _read_only(comparison.X, comparison.kmeans_labels, comparison.gmm_labels,
                   comparison.resp)
        return comparison
    return _caches()["fits"].get(("fit", digest, columns, settings), fit)


def loaded_comparison(digest, models, X):
    """A loaded model file shown on its sample (nothing refitted but a missing K-means)."""
    return _caches()["fits"].get(("loaded", digest),
                                 lambda: loaded.comparison_for(models, X, limits()))


def view_for(digest, columns, view, x, y, X):
    """The 2-D view of the fitted rows: the features themselves, two of them, or PCA."""
    def build():
        if len(columns) == 1:
            return compare.one_feature_view(columns[0])
        if len(columns) == 2:
            return compare.feature_view(columns, columns[0], columns[1])
        if view == "features":
            return compare.feature_view(columns, x, y)
        return compare.pca_view(X)
    return _caches()["small"].get(("view", digest, columns, view, x, y), build)


def per_fit(cur, func):
    """``func(comparison)`` for this run's fit, computed once per fit and cached.

    ``func`` is one of :mod:`dashboard.explain`'s summaries; its qualified name
    and the fit's key make the cache key.
    """
    return _caches()["small"].get((func.__qualname__, *cur.fit_key),
                                  lambda: func(cur.comparison))


def metrics_rows(cur):
    """The Compare page's metrics for this run, computed once per fit and label choice."""
    return _caches()["small"].get(
        ("metrics", *cur.fit_key, cur.labels_key),
        lambda: compare.metrics_table(cur.comparison, cur.shown_labels))


def headline(cur):
    """The Compare page's top numbers for this run (cached per fit and label choice)."""
    return _caches()["small"].get(("headline", *cur.fit_key, cur.labels_key),
                                  lambda: compare.headline(cur.comparison, cur.shown_labels))


def profiles(cur, features):
    """The per-cluster profile of this run's fit (cached per fit)."""
    return _caches()["small"].get(("profiles", *cur.fit_key),
                                  lambda: export.cluster_profiles(cur.comparison, cur.columns,
                                                                  features))


def scale_advice(cur):
    """The scale advice for this run's data and columns (cached per data and columns)."""
    def advice():
        columns = [cur.data.columns.index(c) for c in cur.columns]
        return compare.scale_advice(cur.data.X[:, columns], cur.columns)
    return _caches()["small"].get(("scale", cur.data.digest, cur.columns), advice)


def figure(cur, builder, *args):
    """``builder(comparison, view, *args)`` for this run's fit and view, built once.

    Plotly figures are slow to build and quick to send, so they are built once
    per fit, view and ``args`` (hashable) and shared between sessions: treat
    the result as read-only.
    """
    key = (builder.__qualname__, cur.fit_key, cur.view_choice, args)
    return _caches()["figures"].get(key, lambda: builder(cur.comparison, cur.view, *args))


# ------------------------------------------------------------- outliers
def outlier_scores(cur):
    """Both methods' per-row scores for this run's fit (one pass each), computed once per fit."""
    return _caches()["fits"].get(("outlier_scores", *cur.fit_key),
                                 lambda: outliers.scores(cur.comparison))


def outlier_flags(cur, share):
    """The rows each method flags at ``share`` (a fraction), once per fit and share."""
    return _caches()["small"].get(("outlier_flags", *cur.fit_key, share),
                                  lambda: outliers.flag(outlier_scores(cur), share))


def outlier_figures(cur, share, row):
    """The outlier page's three figures (K-means' flags, the GMM's, both scores), built
    once per fit, view, share and starred row and shared between sessions."""
    def build():
        s, flags = outlier_scores(cur), outlier_flags(cur, share)
        return (charts.outlier_figure(cur.comparison, cur.view, s, flags, "kmeans", row),
                charts.outlier_figure(cur.comparison, cur.view, s, flags, "gmm", row),
                charts.outlier_scores_figure(s, flags, row))
    return _caches()["figures"].get(("outliers", cur.fit_key, cur.view_choice, share, row),
                                    build)


def step_frames(cur, method, rows, start):
    """Animation frames (:func:`dashboard.charts.step_frame`) of the step-through from
    iteration ``start``: as many of the following iterations as one animation carries.
    Each iteration's frame is built once per fit and view and shared.

    Parameters
    ----------
    cur : state.Current
    method : {'gmm', 'kmeans'}
    rows : ndarray of int
        The rows the step figures show.
    start : int

    Returns
    -------
    list of dict
    """
    c = cur.comparison
    model = c.gmm if method == "gmm" else c.kmeans
    last = explain.recorded_steps(model)
    count = charts.max_frames(len(rows))
    first = start if start < last else 0  # at the end, Play starts again from the start
    return [_caches()["figures"].get(("frame", method, cur.fit_key, cur.view_choice, len(rows),
                                      t), lambda t=t: _step_frame(cur, method, rows, t, last))
            for t in range(first, min(last, first + count - 1) + 1)]


def _step_frame(cur, method, rows, t, last):
    c = cur.comparison
    if method == "gmm":
        fig = charts.gmm_step_figure(cur.view, c.X, rows, explain.gmm_step(c, t, rows),
                                     c.gmm.n_iter_, validate=False)
    else:
        fig = charts.kmeans_step_figure(cur.view, c.X, rows, explain.kmeans_step(c, t, rows),
                                        c.kmeans.n_iter_, validate=False)
    return charts.step_frame(fig, t)


# ------------------------------------------------------------- model selection
def model_grid(cur, ks, progress=None):
    """BIC/AIC/ICL for every K in ``ks`` x covariance type, and K-means' inertia and
    silhouette per K, within the grid's budget; computed once per data, columns and
    settings and cached.

    Parameters
    ----------
    cur : state.Current
    ks : sequence of int
    progress : callable, optional
        ``progress(done, total)`` after every cell (when the grid runs in this process).

    Returns
    -------
    gmm, kmeans : dict
        As :func:`dashboard.choose_k.grid_scores` returns them.
    plan : budget.GridPlan
    """
    X = cur.comparison.X
    settings = cur.settings
    plan = plan_grid(len(X), X.shape[1], ks, settings, gmmcore.COVARIANCE_TYPES, limits())
    rows = compare.uniform_sample(len(X), plan.n_rows, settings.seed)
    X_grid = X if plan.n_rows >= len(X) else X[rows]
    grid_settings = choose_k.grid_settings(settings, plan)
    estimate = grid_seconds(plan, X_grid.shape[1], grid_settings)

    def compute():
        if estimate <= HEAVY_SECONDS:
            return choose_k.grid_scores(X_grid, grid_settings, plan, progress)
        return _heavy(choose_k.grid_scores, X_grid, grid_settings, plan)

    gmm, kmeans = _caches()["small"].get(("grid", *cur.fit_key[:2], grid_settings, plan),
                                         compute)
    return gmm, kmeans, plan


# ------------------------------------------------------------------- 3-D view
def view3d_for(cur, axes):
    """The 3-D view of this run's fitted rows: the first three principal components
    (``axes == ("pca",)``) or three features (``("features", x, y, z)``); computed once
    per data, columns and choice and cached."""
    from .. import shapes  # (scikit-learn's PCA) only once someone opens the 3-D view

    def build():
        if axes[0] == "pca":
            return shapes.pca_view3(cur.comparison.X)
        return shapes.feature_view3(cur.columns, axes[1:])
    return _caches()["small"].get(("view3d", *cur.fit_key, axes), build)


def figure_3d(cur, axes, builder, *args):
    """``builder(comparison, view3, *args)`` for this run's fit and 3-D ``axes``
    (as :func:`view3d_for` takes them), built once and shared like :func:`figure`."""
    key = (builder.__qualname__, cur.fit_key, axes, args)
    return _caches()["figures"].get(
        key, lambda: builder(cur.comparison, view3d_for(cur, axes), *args))
