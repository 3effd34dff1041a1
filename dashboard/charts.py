"""Plotly figure builders: result objects in, ``go.Figure`` out; no Streamlit.

Cluster j has the same colour in every chart (:func:`cluster_color`). Scatter
plots use WebGL (``go.Scattergl``) and show at most ``MAX_POINTS`` rows, saying
so in the title when they thin the data; fits always use every row.
"""

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from gmmcore import gaussian

from .compare import Comparison, View

PALETTE = qualitative.D3 + qualitative.Dark24
MAX_POINTS = 20_000
GRID_SIZE = 160
DISAGREE_COLOR = "#ff2bd6"
REGION_OPACITY = 0.16


def cluster_color(j):
    """The colour of cluster ``j`` (0-based) in every chart."""
    return PALETTE[j % len(PALETTE)]


def display_rows(n_samples, max_points=MAX_POINTS, seed=0):
    """Indices of the rows to draw: all of them, or a fixed random subset.

    Returns
    -------
    rows : ndarray of shape (min(n_samples, max_points),)
    """
    if n_samples <= max_points:
        return np.arange(n_samples)
    return np.sort(np.random.RandomState(seed).choice(n_samples, max_points, replace=False))


def _shown_note(n_shown, n_samples):
    if n_shown == n_samples:
        return ""
    return f" (showing {n_shown:,} of {n_samples:,} points; the fit used all)"


def _layout(fig, title, axis_titles, *, height=480, legend=True, equal_axes=False):
    fig.update_layout(
        title={"text": title, "x": 0.01, "y": 0.98, "yanchor": "top"},
        height=height,
        margin={"l": 10, "r": 10, "t": 90 if legend else 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        showlegend=legend,
    )
    fig.update_xaxes(title_text=axis_titles[0])
    fig.update_yaxes(title_text=axis_titles[1])
    if equal_axes:
        # Equal units on both axes, so Euclidean distance looks like distance.
        fig.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain")
        fig.update_xaxes(constrain="domain")
    return fig


# --------------------------------------------------------------- geometry
def ellipse_points(mean, covariance, n_sigma, n_points=90):
    """Outline of the ``n_sigma`` ellipse of a 2-D Gaussian, shape (n_points + 1, 2)."""
    values, vectors = np.linalg.eigh(covariance)
    values = np.clip(values, 0, None)
    t = np.linspace(0, 2 * np.pi, n_points + 1)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    return mean + n_sigma * (circle * np.sqrt(values)) @ vectors.T


def _grid(xy, size=GRID_SIZE, pad=0.08):
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    xs, ys = np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def _grid_to_features(view, grid):
    """Feature-space points behind grid points of an exact (2-D or 1-D) view."""
    return view.offset + grid @ view.A


def kmeans_regions(comparison: Comparison, view: View, xy):
    """Cluster of every grid cell under K-means: exact Voronoi cells for 2-D data,
    those of the centroids projected into the view otherwise.

    Returns
    -------
    xs, ys : ndarray of shape (GRID_SIZE,)
    labels : ndarray of shape (GRID_SIZE, GRID_SIZE)
    """
    xs, ys, grid = _grid(xy)
    if view.A.shape[1] <= 2:
        labels = comparison.kmeans.predict(_grid_to_features(view, grid))
    else:
        c2 = view.means(comparison.kmeans.cluster_centers_)
        labels = ((grid[:, None, :] - c2[None]) ** 2).sum(axis=2).argmin(axis=1)
    return xs, ys, labels.reshape(len(ys), len(xs))


def gmm_regions(comparison: Comparison, view: View, xy):
    """Cluster of every grid cell under the GMM (matched numbering): exact for 2-D
    data, the regions of the mixture's 2-D marginal in the view otherwise.

    Returns
    -------
    xs, ys : ndarray of shape (GRID_SIZE,)
    labels : ndarray of shape (GRID_SIZE, GRID_SIZE)
    """
    xs, ys, grid = _grid(xy)
    if view.A.shape[1] <= 2:
        raw = comparison.gmm.predict(_grid_to_features(view, grid))
        inverse = np.argsort(comparison.order)
        labels = inverse[raw]
    else:
        means = view.means(comparison.gmm_means)
        covs = view.covariances(comparison.gmm_covariances)
        covs = covs + 1e-12 * np.trace(covs, axis1=1, axis2=2)[:, None, None] * np.eye(2)
        prec_chol = gaussian.precision_cholesky(covs, "full")
        log_prob = gaussian.log_gaussian_prob(grid, means, prec_chol, "full")
        labels = (log_prob + np.log(comparison.gmm_weights)).argmax(axis=1)
    return xs, ys, labels.reshape(len(ys), len(xs))


def _discrete_colorscale(n_clusters):
    scale = []
    for j in range(n_clusters):
        scale += [[j / n_clusters, cluster_color(j)], [(j + 1) / n_clusters, cluster_color(j)]]
    return scale


def _regions_trace(xs, ys, labels, n_clusters):
    return go.Heatmap(
        x=xs, y=ys, z=labels, zmin=-0.5, zmax=n_clusters - 0.5,
        colorscale=_discrete_colorscale(n_clusters), showscale=False,
        opacity=REGION_OPACITY, hoverinfo="skip", name="decision regions",
    )


def _point_traces(xy, labels, rows, n_clusters, prefix):
    traces = []
    for j in range(n_clusters):
        mine = rows[labels[rows] == j]
        traces.append(go.Scattergl(
            x=xy[mine, 0], y=xy[mine, 1], mode="markers", name=f"{prefix} {j + 1}",
            marker={"color": cluster_color(j), "size": 6, "opacity": 0.85},
            customdata=mine, hovertemplate="row %{customdata}<extra>" + f"{prefix} {j + 1}"
            + "</extra>",
        ))
    return traces


def _disagree_trace(xy, disagree, rows):
    shown = rows[disagree[rows]]
    return go.Scattergl(
        x=xy[shown, 0], y=xy[shown, 1], mode="markers",
        name=f"assigned differently ({int(disagree.sum()):,})",
        marker={"symbol": "circle-open", "size": 11, "color": DISAGREE_COLOR,
                "line": {"width": 1.5}},
        customdata=shown, hovertemplate="row %{customdata}: the methods disagree<extra></extra>",
    )


def _centers_trace(centers_xy, name, symbol):
    n = len(centers_xy)
    return go.Scatter(
        x=centers_xy[:, 0], y=centers_xy[:, 1], mode="markers", name=name,
        marker={"symbol": symbol, "size": 18, "color": [cluster_color(j) for j in range(n)],
                "line": {"width": 2, "color": "#222"}},
        hovertemplate="cluster %{text}<extra>" + name + "</extra>",
        text=[str(j + 1) for j in range(n)],
    )


# --------------------------------------------------------------- scatter plots
def kmeans_figure(comparison: Comparison, view: View, max_points=MAX_POINTS):
    """K-means labels, centroids and Euclidean (Voronoi) decision regions."""
    X, labels, k = comparison.X, comparison.kmeans_labels, comparison.settings.k
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    fig = go.Figure()
    fig.add_trace(_regions_trace(*kmeans_regions(comparison, view, xy), k))
    for trace in _point_traces(xy, labels, rows, k, "K-means"):
        fig.add_trace(trace)
    if comparison.gmm_labels is not None:
        fig.add_trace(_disagree_trace(xy, comparison.disagree, rows))
    fig.add_trace(_centers_trace(view.means(comparison.kmeans.cluster_centers_),
                                 "centroids", "x"))
    title = "K-means: nearest centroid (Euclidean)" + _shown_note(len(rows), len(X))
    return _layout(fig, title, view.axis_titles, height=540, equal_axes=True)


def gmm_figure(comparison: Comparison, view: View, max_points=MAX_POINTS):
    """GMM labels, means, 1σ and 2σ ellipses and decision regions (matched colours)."""
    X, k = comparison.X, comparison.settings.k
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    fig = go.Figure()
    fig.add_trace(_regions_trace(*gmm_regions(comparison, view, xy), k))
    for trace in _point_traces(xy, comparison.gmm_labels, rows, k, "GMM"):
        fig.add_trace(trace)
    fig.add_trace(_disagree_trace(xy, comparison.disagree, rows))
    means = view.means(comparison.gmm_means)
    covs = view.covariances(comparison.gmm_covariances)
    for j in range(k):
        for n_sigma, dash in ((1, "solid"), (2, "dash")):
            outline = ellipse_points(means[j], covs[j], n_sigma)
            fig.add_trace(go.Scatter(
                x=outline[:, 0], y=outline[:, 1], mode="lines", hoverinfo="skip",
                line={"color": cluster_color(j), "width": 2, "dash": dash},
                name=f"{n_sigma}σ", legendgroup=f"{n_sigma}σ", showlegend=j == 0,
            ))
    fig.add_trace(_centers_trace(means, "means", "diamond"))
    title = (f"GMM ({comparison.settings.covariance_type} covariance): most probable "
             "component" + _shown_note(len(rows), len(X)))
    return _layout(fig, title, view.axis_titles, height=540, equal_axes=True)


# ------------------------------------------------------------ responsibilities
def responsibility_order(resp):
    """Rows sorted by assigned component, then by confidence (most certain first)."""
    labels = resp.argmax(axis=1)
    return np.lexsort((-resp.max(axis=1), labels))


def responsibility_heatmap(resp, max_rows=2000):
    """Heatmap of the responsibility matrix, points x components.

    Rows are sorted by assigned component then confidence, and evenly thinned
    to ``max_rows`` for display (the title says how many are shown).
    """
    order = responsibility_order(resp)
    if len(order) > max_rows:
        order = order[np.linspace(0, len(order) - 1, max_rows).astype(int)]
    k = resp.shape[1]
    fig = go.Figure(go.Heatmap(
        z=resp[order], x=[f"cluster {j + 1}" for j in range(k)], y=np.arange(len(order)),
        zmin=0, zmax=1, colorscale="Viridis", colorbar={"title": {"text": "P(cluster | x)"}},
        customdata=np.repeat(order[:, None], k, axis=1),
        hovertemplate="row %{customdata}<br>%{x}: %{z:.3f}<extra></extra>",
    ))
    fig.update_yaxes(showticklabels=False, autorange="reversed")
    n_note = ("" if len(order) == len(resp)
              else f" ({len(order):,} of {len(resp):,} rows shown, evenly spaced)")
    return _layout(fig, "Responsibilities, rows sorted by cluster then confidence" + n_note,
                   ("component", "points"), height=520, legend=False)


def uncertainty_figure(view: View, X, resp, max_points=MAX_POINTS):
    """Scatter coloured by 1 − max responsibility (0: certain, up to 1 − 1/K)."""
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    uncertainty = 1 - resp.max(axis=1)
    fig = go.Figure(go.Scattergl(
        x=xy[rows, 0], y=xy[rows, 1], mode="markers",
        marker={"color": uncertainty[rows], "colorscale": "Plasma", "cmin": 0,
                "cmax": 1 - 1 / resp.shape[1], "size": 6,
                "colorbar": {"title": {"text": "1 − max P"}}},
        customdata=np.column_stack([rows, uncertainty[rows]]),
        hovertemplate="row %{customdata[0]}<br>uncertainty %{customdata[1]:.3f}<extra></extra>",
    ))
    return _layout(fig, "Uncertainty of the GMM assignment" + _shown_note(len(rows), len(X)),
                   view.axis_titles, legend=False, equal_axes=True)


def max_responsibility_histogram(resp):
    """Histogram of every row's largest responsibility."""
    top = resp.max(axis=1)
    fig = go.Figure(go.Histogram(
        x=top, xbins={"start": 1 / resp.shape[1], "end": 1.0 + 1e-9,
                      "size": (1 - 1 / resp.shape[1]) / 40},
        marker={"color": cluster_color(0)}, name="rows",
    ))
    share = float(np.mean(top > 0.9))
    return _layout(fig, f"Largest responsibility per point ({100 * share:.0f}% above 0.9)",
                   ("max P(cluster | x)", "points"), height=360, legend=False)


# ------------------------------------------------------------------ convergence
def _iteration_curve(values, converged, title, axis_titles, color):
    """A per-iteration curve with where the algorithm stopped, and why, marked."""
    values = np.asarray(values, dtype=float)
    iters = np.arange(1, len(values) + 1)
    fig = go.Figure(go.Scatter(x=iters, y=values, mode="lines+markers", line={"color": color},
                               name=axis_titles[1]))
    if len(values):
        fig.add_vline(x=len(values), line={"dash": "dot", "color": "gray"},
                      annotation_text=("converged" if converged else "stopped at max_iter")
                      + f" (iteration {len(values)})", annotation_position="top left")
    return _layout(fig, title, axis_titles, height=380, legend=False)


def gmm_convergence_figure(lower_bounds, converged):
    """Mean log-likelihood per EM iteration (``GaussianMixture.lower_bounds_``)."""
    return _iteration_curve(lower_bounds, converged, "GMM: mean log-likelihood per EM iteration",
                            ("EM iteration", "mean log-likelihood"), cluster_color(0))


def kmeans_convergence_figure(inertias, converged):
    """K-means inertia after every assignment step (``KMeans.inertias_``)."""
    return _iteration_curve(inertias, converged, "K-means: inertia per Lloyd iteration",
                            ("Lloyd iteration", "inertia (sum of squared distances)"),
                            cluster_color(2))


def change_figure(values, tol, label, tol_label):
    """Absolute change per iteration on a log axis, with the tolerance drawn.

    Parameters
    ----------
    values : sequence of float
        The change at iterations 1, 2, ... (first may be inf/NaN and is skipped).
    """
    values = np.abs(np.asarray(values, dtype=float))
    iters = np.arange(1, len(values) + 1)
    finite = np.isfinite(values) & (values > 0)
    fig = go.Figure(go.Scatter(x=iters[finite], y=values[finite], mode="lines+markers",
                               line={"color": cluster_color(1)}, name=label))
    if tol > 0:
        fig.add_hline(y=tol, line={"dash": "dash", "color": "gray"},
                      annotation_text=tol_label, annotation_position="bottom right")
    fig.update_yaxes(type="log")
    return _layout(fig, label, ("iteration", "absolute change (log scale)"),
                   height=320, legend=False)


# ----------------------------------------------------------------- data page
def scatter_matrix(X, columns, labels=None, max_points=5000):
    """Scatter matrix (WebGL splom) of the features, coloured by true labels when known."""
    rows = display_rows(len(X), max_points)
    dims = [{"label": name, "values": X[rows, i]} for i, name in enumerate(columns)]
    if labels is None:
        fig = go.Figure(go.Splom(dimensions=dims, marker={"size": 4, "color": cluster_color(0)},
                                 diagonal_visible=False, showupperhalf=False))
    else:
        fig = go.Figure()
        classes = np.unique(labels[rows])
        for j, cls in enumerate(classes):
            mine = labels[rows] == cls
            fig.add_trace(go.Splom(
                dimensions=[{"label": d["label"], "values": d["values"][mine]} for d in dims],
                name=str(cls), marker={"size": 4, "color": cluster_color(j), "opacity": 0.8},
                diagonal_visible=False, showupperhalf=False,
            ))
    size = max(420, min(160 * len(columns), 900))
    title = "Scatter matrix" + ("" if labels is None else ", coloured by true label")
    fig = _layout(fig, title + _shown_note(len(rows), len(X)), ("", ""), height=size)
    return fig
