"""What the server computes for a viewer, decided before it runs.

A hosted demo serves everyone from one Python process, so every expensive
action has a budget. Before a fit (or a batch of fits: the Choose K grid,
restarts) the app estimates its cost from rows x features x K x n_init x
iterations (x d for full and tied covariances) and, when that is over the
budget, says what it will do instead and does it: fewer initialisations, a
uniform sample of the rows to fit (every shown row still labelled), a sample
of rows to show, fewer grid cells. Every fit also stops at a wall-clock limit
and says so. History kept for the step-through is capped in bytes.

The limits are in one place (:class:`Limits`); whoever hosts the app can
override each with an environment variable (``KMGMM_FIT_SECONDS=10``) or in
``.streamlit/secrets.toml`` (``[limits]`` ``fit_seconds = 10``).
"""

import os
from dataclasses import dataclass, fields, replace

# Seconds per row, per component and per unit of a pass's width (see
# ``_em_width``), measured per iteration on the README's 2-core machine for
# d = 2 to 100 and K = 5 to 12, then taken 1.5 times (a hosted server is busier).
EM_SECONDS = 6e-10
LLOYD_SECONDS = 6e-10
TYPICAL_ITERATIONS = 50  # most fits converge sooner; the time limit covers the others
LLOYD_OVERHEAD = 1.5e-4  # seconds per Lloyd iteration whatever the rows


@dataclass(frozen=True)
class Limits:
    """The server's budgets; each field can be overridden by whoever hosts the app.

    Attributes
    ----------
    fit_seconds : float
        Estimated time allowed for the fits of one view (both models, all
        initialisations); also each fit's wall-clock stop.
    grid_seconds : float
        Estimated time allowed for the Choose K grid.
    pass_seconds : float
        Estimated time allowed for one pass labelling every shown row; above
        it the app shows a uniform sample of the rows.
    history_mb : float
        Memory for one fit's per-iteration parameters (the step-through).
    fit_cache_mb, upload_cache_mb, figure_cache_mb : float
        Memory all sessions' cached fits, parsed uploads and figures may hold.
    min_fit_rows : int
        The smallest sample the app fits when it samples rows.
    """

    fit_seconds: float = 6.0
    grid_seconds: float = 12.0
    pass_seconds: float = 1.5
    history_mb: float = 16.0
    fit_cache_mb: float = 600.0
    upload_cache_mb: float = 400.0
    figure_cache_mb: float = 150.0
    min_fit_rows: int = 2000

    @classmethod
    def from_settings(cls, secrets=None, environ=None):
        """Defaults, then ``secrets`` (a mapping, e.g. ``st.secrets["limits"]``), then
        environment variables ``KMGMM_<FIELD>``; values that do not parse as
        positive numbers are ignored."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            for raw in ((secrets or {}).get(f.name), environ.get("KMGMM_" + f.name.upper())):
                if raw is None:
                    continue
                try:
                    value = f.type(raw) if callable(f.type) else float(raw)
                except (TypeError, ValueError):
                    continue
                if value > 0:
                    values[f.name] = value
        return replace(cls(), **values)


# Linux gives a process of niceness 0 about nine times the CPU of one of 10 when both
# want it.
HEAVY_WORKER_NICENESS = 10


def start_heavy_worker():
    """Initialise the heavy-work process: scheduled below the server (niceness
    ``HEAVY_WORKER_NICENESS``), so its passes use both cores while no page needs them
    and give way to everyone's page runs when one does; then import what its jobs
    run (pandas, SciPy, gmmcore: about a second), so that a job started once the
    process is up does not wait for them."""
    os.nice(HEAVY_WORKER_NICENESS)
    from . import choose_k, compare, ingest  # noqa: F401


def _em_width(n_features, covariance_type):
    """Work per row and component of one EM pass, in units of EM_SECONDS."""
    d = n_features
    return d * d / 4 + 8 * d + 8 if covariance_type in ("full", "tied") else 2 * d + 16


def em_pass_seconds(n_rows, n_features, k, covariance_type):
    """Estimated seconds of one EM pass (E-step and M-step statistics)."""
    return EM_SECONDS * n_rows * k * _em_width(n_features, covariance_type)


def lloyd_pass_seconds(n_rows, n_features, k):
    """Estimated seconds of one Lloyd pass."""
    return LLOYD_SECONDS * n_rows * k * (n_features + 8)


def pass_seconds(n_rows, n_features, k, covariance_type):
    """One pass of both models over ``n_rows`` rows."""
    return (em_pass_seconds(n_rows, n_features, k, covariance_type)
            + lloyd_pass_seconds(n_rows, n_features, k))


def em_iteration_overhead(k, covariance_type):
    """Seconds an EM iteration costs whatever the rows: Python, one factorisation per
    component (measured on iris with K = 12, taken 1.5 times)."""
    return 1.5e-4 + (4.5e-5 if covariance_type in ("full", "tied") else 1e-5) * k


def fit_seconds(n_rows, n_features, settings, n_init):
    """Estimated seconds of both fits: ``n_init`` runs of EM and of Lloyd.

    EM is assumed to run ``TYPICAL_ITERATIONS`` (or ``max_iter`` when ``tol`` is 0:
    then it never converges early); Lloyd stops when no label changes.
    """
    k, ct = settings.k, settings.covariance_type
    em_iterations = settings.max_iter if settings.tol == 0 else \
        min(settings.max_iter, TYPICAL_ITERATIONS)
    lloyd_iterations = min(settings.max_iter, TYPICAL_ITERATIONS)
    em = em_pass_seconds(n_rows, n_features, k, ct) + em_iteration_overhead(k, ct)
    lloyd = lloyd_pass_seconds(n_rows, n_features, k) + LLOYD_OVERHEAD
    return n_init * (em_iterations * em + lloyd_iterations * lloyd)


def history_entry_bytes(n_features, k, covariance_type):
    """Bytes of one iteration of both models' recorded parameters."""
    cov = {"full": k * n_features * n_features, "tied": n_features * n_features,
           "diag": k * n_features, "spherical": k}[covariance_type]
    return 8 * (cov + 2 * k * n_features + k)


@dataclass(frozen=True)
class FitPlan:
    """How the fits of one view will run, and why.

    Attributes
    ----------
    n_rows : int
        Rows the app works on and shows: all, or a uniform sample.
    n_fit : int
        Rows both models are fitted on (a uniform sample of the shown rows
        when fewer); every shown row is then labelled.
    n_init : int
        Initialisations actually run.
    history : int
        Iterations of parameters kept for the step-through (from iteration 0).
    max_time : float
        Each fit's wall-clock stop, in seconds.
    notes : tuple of str
        What the app changed and why, in words for the user.
    estimated_seconds : float
        The expected cost of the fits as planned (typical iterations).
    """

    n_rows: int
    n_fit: int
    n_init: int
    history: int
    max_time: float
    notes: tuple = ()
    estimated_seconds: float = 0.0


def _seconds(value):
    return f"{value:,.0f} s" if value >= 10 else f"{value:.1f} s"


def plan_fit(n_rows, n_features, settings, limits=Limits()):
    """The plan for fitting both models with ``settings`` on ``n_rows`` x ``n_features``.

    Parameters
    ----------
    n_rows, n_features : int
    settings : dashboard.compare.Settings
    limits : Limits

    Returns
    -------
    FitPlan
    """
    k, ct = settings.k, settings.covariance_type
    notes = []
    shown = n_rows
    per_pass = pass_seconds(n_rows, n_features, k, ct)
    if per_pass > limits.pass_seconds and n_rows > limits.min_fit_rows:
        shown = max(limits.min_fit_rows, int(n_rows * limits.pass_seconds / per_pass))
        notes.append(
            f"Labelling all {n_rows:,} rows with K = {k} and {n_features} features "
            f"({ct} covariance) would take about {_seconds(per_pass)} per pass, so the app "
            f"works on a uniform random sample of {shown:,} rows (the same sample for every "
            "page and download).")

    def cost(rows, n_init):
        return fit_seconds(rows, n_features, settings, n_init)

    budget = limits.fit_seconds
    n_init = settings.n_init
    if cost(shown, n_init) > budget and n_init > 1:
        n_init = max(1, int(budget // cost(shown, 1)))
        notes.append(f"{settings.n_init} restarts would take about "
                     f"{_seconds(cost(shown, settings.n_init))}; the app runs {n_init}.")
    n_fit = shown
    if cost(shown, n_init) > budget and shown > limits.min_fit_rows:
        per_row = (cost(shown, n_init) - cost(0, n_init)) / shown
        room = budget - cost(0, n_init)
        n_fit = max(limits.min_fit_rows, min(shown, int(room / per_row) if room > 0 else 0))
        notes.append(f"Fitting {shown:,} rows would take about {_seconds(cost(shown, n_init))}:"
                     f" both models are fitted on a uniform random sample of {n_fit:,} rows, "
                     "then every row is labelled.")
    if cost(n_fit, n_init) > budget:
        notes.append(f"These settings (max_iter = {settings.max_iter:,}, tol = "
                     f"{settings.tol:g}) could take about {_seconds(cost(n_fit, n_init))}; "
                     f"each fit stops after {_seconds(budget)} and says so if it had not "
                     "converged.")
    entry = history_entry_bytes(n_features, k, ct)
    history = int(max(2, min(settings.max_iter + 1, limits.history_mb * 2**20 // entry)))
    return FitPlan(shown, n_fit, n_init, history, budget, tuple(notes),
                   min(cost(n_fit, n_init), 2 * budget))


def grid_seconds(plan, n_features, settings):
    """Estimated seconds of a planned Choose K grid (all its cells)."""
    return sum(fit_seconds(plan.n_rows, n_features, replace(settings, k=k, covariance_type=ct),
                           plan.n_init) for k in plan.ks for ct in plan.covariance_types)


@dataclass(frozen=True)
class GridPlan:
    """How the Choose K grid will run.

    Attributes
    ----------
    ks : tuple of int
        The K values fitted (the asked range, or its smaller part).
    covariance_types : tuple of str
    n_rows : int
        Rows the grid's fits use: all, or a uniform sample.
    n_init : int
    max_time : float
        Each cell's wall-clock stop.
    notes : tuple of str
    """

    ks: tuple
    covariance_types: tuple
    n_rows: int
    n_init: int
    max_time: float
    notes: tuple = ()


def plan_grid(n_rows, n_features, ks, settings, covariance_types, limits=Limits()):
    """The plan for the Choose K grid: K in ``ks`` x ``covariance_types``.

    Returns
    -------
    GridPlan
    """
    ks = tuple(int(k) for k in ks)

    def cost(rows, n_init, chosen):
        return sum(fit_seconds(rows, n_features, replace(settings, k=k, covariance_type=ct),
                               n_init) for k in chosen for ct in covariance_types)

    notes = []
    n_init, rows, chosen = settings.n_init, n_rows, ks
    if cost(rows, n_init, chosen) > limits.grid_seconds and n_init > 1:
        n_init = 1
        notes.append(f"The grid runs one initialisation per cell instead of {settings.n_init}.")
    if cost(rows, n_init, chosen) > limits.grid_seconds and rows > limits.min_fit_rows:
        rows = max(limits.min_fit_rows,
                   int(rows * limits.grid_seconds / cost(rows, n_init, chosen)))
        notes.append(f"The grid's fits use a uniform random sample of {rows:,} of the "
                     f"{n_rows:,} rows (criteria are computed on that sample).")
    while len(chosen) > 1 and cost(rows, n_init, chosen) > limits.grid_seconds:
        chosen = chosen[:-1]
    if chosen != ks:
        notes.append(f"K above {chosen[-1]} would take too long with these data; the grid "
                     f"stops at K = {chosen[-1]}.")
    n_cells = len(chosen) * len(covariance_types)
    if cost(rows, n_init, chosen) > limits.grid_seconds:
        notes.append(f"Each of the {n_cells} fits stops after "
                     f"{_seconds(limits.grid_seconds / n_cells)} (tol = {settings.tol:g} lets "
                     "EM run long).")
    return GridPlan(chosen, tuple(covariance_types), rows, n_init,
                    limits.grid_seconds / n_cells, tuple(notes))
