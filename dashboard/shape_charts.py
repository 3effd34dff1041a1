"""Figures of the models' shapes: the 3-D view, the mixture's density contours and
the Euclidean circles next to the Mahalanobis ellipses; no Streamlit.

Builders take a :class:`compare.Comparison` and a :class:`compare.View` and
return a ``go.Figure``, like those of :mod:`dashboard.charts` (same colours,
symbols, thinning and layout); the geometry is in :mod:`dashboard.shapes`.
"""

import numpy as np
import plotly.graph_objects as go

from . import shapes
from .charts import (
    MAX_POINTS,
    SEQUENTIAL,
    _centers_trace,
    _disagreement,
    _grid,
    _joined,
    _layout,
    _point_traces,
    _shown_note,
    cluster_color,
    display_rows,
    ellipse_points,
)
from .compare import Comparison, View
from .palette import DISAGREE_COLOR, NEUTRAL, cluster_symbol
from .text import plotly_text

MAX_POINTS_3D = 10_000  # a 3-D scatter stays smooth to rotate up to about this many
ELLIPSOIDS = ((1, 0.30), (2, 0.12))  # (Mahalanobis distance, opacity)
RING_DASHES = {1: "solid", 2: "dash", 3: "dot"}
GRID_LINE = NEUTRAL  # no panes: the theme's background shows through, mid-grey grid
MAX_ASPECT = 4  # spans differing more than this are drawn in a cube (Plotly's "auto" rule)
STAR = "#FFD400"


# ------------------------------------------------------------------------ 3-D
def _points_3d(xyz, labels, rows, n_clusters, prefix):
    """One 3-D trace of points per cluster, in its colour and symbol."""
    traces = []
    for j in range(n_clusters):
        mine = rows[labels[rows] == j]
        traces.append(go.Scatter3d(
            x=xyz[mine, 0], y=xyz[mine, 1], z=xyz[mine, 2], mode="markers",
            name=f"{prefix} {j + 1}", customdata=mine,
            marker={"color": cluster_color(j), "symbol": cluster_symbol(j, three_d=True),
                    "size": 3},
            hovertemplate="row %{customdata}<extra>" + f"{prefix} {j + 1}" + "</extra>",
        ))
    return traces


def _rings_3d(xyz, disagree, rows):
    """An open ring round every shown point the two methods assign differently."""
    mine = rows[disagree[rows]]
    n = int(disagree.sum())
    return go.Scatter3d(
        x=xyz[mine, 0], y=xyz[mine, 1], z=xyz[mine, 2], mode="markers", hoverinfo="skip",
        name=f"ringed: differ, {n:,} ({n / max(len(disagree), 1):.0%})",
        marker={"symbol": "circle-open", "size": 9, "color": DISAGREE_COLOR},
    )


def _centers_3d(centers, name, symbol):
    """GMM means as large markers in their cluster's colour."""
    return go.Scatter3d(
        x=centers[:, 0], y=centers[:, 1], z=centers[:, 2], mode="markers", name=name,
        marker={"symbol": symbol, "size": 12,
                "color": [cluster_color(j) for j in range(len(centers))]},
        text=[str(j + 1) for j in range(len(centers))],
        hovertemplate="cluster %{text}<extra>" + name + "</extra>",
    )


def _crosses_3d(centers, arms, name):
    """K-means centroids as solid three-armed crosses (× in 2-D) in their cluster's
    colour: meshes, since a scene draws marker symbols as font glyphs and its lines
    one pixel wide in many browsers.

    ``arms`` (3,) is each arm's half-length along x, y and z."""
    traces = []
    for j, center in enumerate(centers):
        v, tri = shapes.cross_mesh(center, arms)
        traces.append(go.Mesh3d(
            x=v[:, 0], y=v[:, 1], z=v[:, 2], i=tri[:, 0], j=tri[:, 1], k=tri[:, 2],
            color=cluster_color(j), opacity=1.0, flatshading=True, name=name,
            legendgroup=name, showlegend=j == 0,
            hovertemplate=f"cluster {j + 1}<extra>{name}</extra>"))
    return traces


def _ellipsoid_traces(means, covariances):
    """Translucent 1σ and 2σ ellipsoids (Mahalanobis distance 1 and 2) per component."""
    traces = []
    for radius, opacity in ELLIPSOIDS:
        for j in range(len(means)):
            v, tri = shapes.ellipsoid_mesh(means[j], covariances[j], radius)
            traces.append(go.Mesh3d(
                x=v[:, 0], y=v[:, 1], z=v[:, 2], i=tri[:, 0], j=tri[:, 1], k=tri[:, 2],
                color=cluster_color(j), opacity=opacity, hoverinfo="skip",
                name=f"{radius}σ ellipsoid", legendgroup=f"{radius}σ", showlegend=j == 0,
                lighting={"ambient": 0.75, "diffuse": 0.4, "specular": 0.05},
            ))
    return traces


def _stretched(spans):
    """Whether the scene is drawn as a cube rather than to scale: when the axes' spans
    differ more than ``MAX_ASPECT``-fold (or one is zero)."""
    spans = np.asarray(spans, dtype=float)
    return bool(spans.min() * MAX_ASPECT < spans.max())


def _scene(axis_titles, spans):
    """Scene axes titled literally, without panes; to scale (the longest axis filling
    the box) unless the axes' spans differ more than ``MAX_ASPECT``-fold."""
    def axis(title):
        return {"title": {"text": plotly_text(title)}, "showbackground": False,
                "gridcolor": GRID_LINE, "zerolinecolor": GRID_LINE, "linecolor": GRID_LINE}
    spans = np.asarray(spans, dtype=float)
    flat = _stretched(spans) or spans.max() <= 0  # (all points at one place: a cube)
    ratio = np.ones(3) if flat else spans / spans.max()
    return {"xaxis": axis(axis_titles[0]), "yaxis": axis(axis_titles[1]),
            "zaxis": axis(axis_titles[2]), "aspectmode": "manual",
            "aspectratio": dict(zip("xyz", (float(r) for r in ratio))),
            "camera": {"eye": {"x": 1.9, "y": 1.9, "z": 1.25}}}


def _layout_3d(fig, title, view3: View, xyz, subtitle):
    spans = np.ptp(xyz, axis=0) if len(xyz) else np.ones(3)
    scene = _scene(view3.axis_titles, spans)
    if _stretched(spans):
        subtitle = _joined(subtitle, "axes stretched to a cube (their spans differ over "
                                     f"{MAX_ASPECT}-fold)")
    fig = _layout(fig, title, None, subtitle=subtitle, height=560)
    # uirevision: a rotation survives reruns (a toggle, another page and back).
    fig.update_layout(scene=scene, uirevision="view3d")
    return fig


def _points_and_rings_3d(comparison: Comparison, view3: View, labels, name, outline,
                         max_points):
    """A 3-D figure of the drawn rows coloured by ``labels``, disagreements ringed.

    Returns
    -------
    fig : plotly.graph_objects.Figure
    xyz : ndarray of shape (n_samples, 3)
        Every row on the three axes.
    rows : ndarray of shape (n_drawn,)
        The rows drawn.
    """
    xyz = view3.points(comparison.X)
    rows = display_rows(len(xyz), max_points)
    fig = go.Figure(_points_3d(xyz, labels, rows, comparison.settings.k, name))
    disagree = _disagreement(comparison, outline)
    if disagree is not None:
        fig.add_trace(_rings_3d(xyz, disagree, rows))
    return fig, xyz, rows


def kmeans_3d_figure(comparison: Comparison, view3: View, outline=True,
                     max_points=MAX_POINTS_3D):
    """K-means in three dimensions: labels and centroids; with ``outline``, a ring
    round every point the GMM assigns differently.

    Parameters
    ----------
    comparison : Comparison
    view3 : View
        With ``A`` of shape (3, n_features) (:func:`shapes.pca_view3`,
        :func:`shapes.feature_view3`).
    outline : bool
    max_points : int
    """
    X = comparison.X
    fig, xyz, rows = _points_and_rings_3d(comparison, view3, comparison.kmeans_labels,
                                          "K-means", outline, max_points)
    spans = np.ptp(xyz[rows], axis=0) if len(rows) else np.ones(3)
    arms = 0.07 * (spans if _stretched(spans) else np.full(3, spans.max()))
    fig.add_traces(_crosses_3d(view3.means(comparison.kmeans.cluster_centers_), arms,
                               "centroids"))
    return _layout_3d(fig, "K-means in 3-D (Euclidean distance)", view3, xyz[rows],
                      _joined("centroids as crosses", _shown_note(len(rows), len(X))))


def gmm_3d_figure(comparison: Comparison, view3: View, outline=True, ellipsoids=True,
                  max_points=MAX_POINTS_3D):
    """The GMM in three dimensions: labels (matched colours), means and the 1σ and 2σ
    ellipsoids of every component's covariance projected onto the three axes.

    Parameters
    ----------
    comparison : Comparison
        With a fitted mixture.
    view3 : View
        With ``A`` of shape (3, n_features).
    outline, ellipsoids : bool
    max_points : int
    """
    X = comparison.X
    fig, xyz, rows = _points_and_rings_3d(comparison, view3, comparison.gmm_labels, "GMM",
                                          outline, max_points)
    means = view3.means(comparison.gmm_means)
    if ellipsoids:
        fig.add_traces(_ellipsoid_traces(means, view3.covariances(comparison.gmm_covariances)))
    fig.add_trace(_centers_3d(means, "means", "diamond"))
    return _layout_3d(fig, f"GMM ({comparison.settings.covariance_type} covariance) in 3-D",
                      view3, xyz[rows],
                      _joined("means ◆" + (", 1σ and 2σ ellipsoids" if ellipsoids else ""),
                              _shown_note(len(rows), len(X))))


# -------------------------------------------------------------------- density
def _contour(xs, ys, z, levels, **kwargs):
    start, end, size = levels
    return go.Contour(x=xs, y=ys, z=z, contours={"start": start, "end": end, "size": size,
                                                 "coloring": "lines"}, **kwargs)


def density_figure(comparison: Comparison, view: View, components=False,
                   max_points=MAX_POINTS):
    """Contours of the mixture's log-density on the 2-D view, as in scikit-learn's
    "density estimation for a Gaussian mixture" example, over the GMM's clusters.

    Two features: ``gmm.score_samples`` on a grid. More: the log-density of the two
    plotted coordinates (each component projected, N(Aμ, AΣAᵀ)). The grid's
    resolution is fixed by :func:`shapes.density_grid_size` before computing.

    Parameters
    ----------
    comparison : Comparison
        With a fitted mixture.
    view : View
    components : bool
        Also each component's ``log π_k + log N_k`` (dotted, in its colour) at the same
        levels: the mixture's line follows whichever component dominates.
    max_points : int
    """
    X, k = comparison.X, comparison.settings.k
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    side = shapes.density_grid_size(1 + (k if components else 0))
    # A square grid over the data's box: side x side cells, as the budget planned.
    xs, ys, grid = _grid(xy, side, aspects=(1.0, 1.0))
    mixture, per_component = shapes.log_density_grid(comparison, view, grid)
    at_points, _ = shapes.log_density_grid(comparison, view, xy[rows])
    levels = shapes.contour_levels(mixture, at_points)
    fig = go.Figure(_point_traces(xy, comparison.gmm_labels, rows, k, "GMM"))
    if components:
        for j in range(k):
            fig.add_trace(_contour(
                xs, ys, per_component[:, j].reshape(len(ys), len(xs)), levels,
                colorscale=[[0, cluster_color(j)], [1, cluster_color(j)]], showscale=False,
                line={"width": 1.2, "dash": "dot"}, name=f"component {j + 1}: log πN",
                showlegend=True, hoverinfo="skip"))
    fig.add_trace(_contour(
        xs, ys, mixture.reshape(len(ys), len(xs)), levels, colorscale=SEQUENTIAL,
        line={"width": 1.5}, opacity=0.8, name="mixture log-density", showlegend=True,
        colorbar={"title": {"text": "log p(x)"}},
        hovertemplate="log p = %{z:.3f}<extra>mixture</extra>"))
    fig.add_trace(_centers_trace(view.means(comparison.gmm_means), "means", "diamond"))
    where = ("log p(x)" if view.is_exact else
             f"log-density of ({plotly_text(view.axis_titles[0])}, "
             f"{plotly_text(view.axis_titles[1])}): every component projected")
    return _layout(fig, "Mixture log-density", view.axis_titles,
                   subtitle=_joined(f"{where}; a line every {levels[2]:.3g}",
                                    _shown_note(len(rows), len(X))),
                   height=500, equal_axes=True)


# ---------------------------------------------------------- distance pictures
def ring_unit(comparison: Comparison, unit):
    """The length of one Euclidean ring step: K-means' spread ``s`` or 1 (data units).

    Returns
    -------
    length : float
    label : str
        How the rings are labelled ("s" or "").
    """
    return (shapes.kmeans_spread(comparison), " s") if unit == "spread" else (1.0, "")


def _euclidean_rings(comparison, view, j, unit):
    length, label = ring_unit(comparison, unit)
    center = view.means(comparison.kmeans.cluster_centers_[j:j + 1])[0]
    return center, [(r, shapes.circle_points(center, r * length), f"{r}{label}")
                    for r in shapes.RING_LEVELS]


def _mahalanobis_rings(comparison, view, j):
    mean = view.means(comparison.gmm_means[j:j + 1])[0]
    cov = view.covariances(comparison.gmm_covariances[j:j + 1])[0]
    return mean, [(r, ellipse_points(mean, cov, r, 120), str(r)) for r in shapes.RING_LEVELS]


def _ring_traces(rings, color):
    traces = []
    for r, outline, label in rings:
        traces.append(go.Scatter(
            x=outline[:, 0], y=outline[:, 1], mode="lines", hoverinfo="skip",
            line={"color": color, "width": 2, "dash": RING_DASHES[r]},
            name=f"distance {label}"))
        top = int(np.argmax(outline[:, 1]))
        traces.append(go.Scatter(
            x=[outline[top, 0]], y=[outline[top, 1]], mode="text", text=[label],
            textposition="top center", showlegend=False, hoverinfo="skip"))
    return traces


def _range(*arrays, pad=0.05):
    points = np.vstack(arrays)
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.column_stack([lo - pad * span, hi + pad * span])


def distance_figure(comparison: Comparison, view: View, cluster, row=None, kind="euclidean",
                    unit="spread", max_points=MAX_POINTS):
    """One half of the picture at the heart of the app, for cluster ``cluster``.

    ``kind="euclidean"``: K-means' labels and the circles of Euclidean distance 1, 2
    and 3 (× K-means' spread ``s``, or in the data's units) round its centroid.
    ``kind="mahalanobis"``: the GMM's labels and the ellipses of Mahalanobis
    distance 1, 2 and 3 round its mean. Both halves share their axes' ranges; every
    point's hover gives both full-dimensional distances, and ``row`` is starred.

    With more than two features the rings are the shadows of the d-dimensional
    ball and ellipsoid on the view's plane (a ball projects to a disc of the same
    radius, an ellipsoid to the ellipse of AΣAᵀ); a point's distance in the plane is
    at most its full distance.

    Parameters
    ----------
    comparison : Comparison
        With a fitted mixture.
    view : View
    cluster : int
        0-based, matched numbering.
    row : int, optional
    kind : {'euclidean', 'mahalanobis'}
    unit : {'spread', 'data'}
    max_points : int
    """
    X, k, j = comparison.X, comparison.settings.k, int(cluster)
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    length, label = ring_unit(comparison, unit)
    centroid, circles = _euclidean_rings(comparison, view, j, unit)
    mean, ellipses = _mahalanobis_rings(comparison, view, j)
    euclidean = kind == "euclidean"
    labels = comparison.kmeans_labels if euclidean else comparison.gmm_labels
    fig = go.Figure(_point_traces(xy, labels, rows, k, "K-means" if euclidean else "GMM"))
    e_dist, m_dist = shapes.distances_to_cluster(comparison, j, rows)
    for trace in fig.data:
        mine = np.asarray(trace.customdata, dtype=int)
        at = np.searchsorted(rows, mine)  # rows is sorted
        trace.customdata = np.column_stack([mine, e_dist[at] / length, m_dist[at]])
        trace.hovertemplate = (
            "row %{customdata[0]}<br>Euclidean distance to centroid " + f"{j + 1}: "
            "%{customdata[1]:.2f}" + label + "<br>Mahalanobis distance to mean "
            + f"{j + 1}: " + "%{customdata[2]:.2f}<extra>" + trace.name + "</extra>")
    center, rings = (centroid, circles) if euclidean else (mean, ellipses)
    fig.add_traces(_ring_traces(rings, cluster_color(j)))
    name = "centroid" if euclidean else "mean"
    fig.add_trace(go.Scatter(
        x=[center[0]], y=[center[1]], mode="markers", name=f"{name} {j + 1}",
        marker={"symbol": "x" if euclidean else "diamond", "size": 18,
                "color": cluster_color(j), "line": {"width": 2, "color": NEUTRAL}},
        hovertemplate=f"{name} of cluster {j + 1}<extra></extra>"))
    if row is not None:
        _star_row(fig, comparison, view, j, int(row), length, label, euclidean)
    box = _range(xy[rows], *(r[1] for r in circles + ellipses))
    if euclidean:
        title = f"K-means: Euclidean distance to centroid {j + 1}"
        what = (f"circles at 1, 2, 3 × s = {length:.3g} (K-means' spread)" if label else
                "circles of radius 1, 2, 3 (the data's units)")
    else:
        title = f"GMM: Mahalanobis distance to mean {j + 1}"
        what = "ellipses at Mahalanobis distance 1, 2, 3"
    if not view.is_exact:
        what += ", projected onto this view"
    fig = _layout(fig, title, view.axis_titles,
                  subtitle=_joined(what, _shown_note(len(rows), len(X))), height=460,
                  equal_axes=True)
    fig.update_xaxes(range=list(box[0]))
    fig.update_yaxes(range=list(box[1]))
    return fig


def _star_row(fig, comparison, view, j, row, length, label, euclidean):
    """The inspected row, starred, with its distance in this half's measure."""
    point = view.points(comparison.X[row][None, :])[0]
    e_dist, m_dist = shapes.distances_to_cluster(comparison, j, np.array([row]))
    distance = f"{e_dist[0] / length:.2f}{label}" if euclidean else f"{m_dist[0]:.2f}"
    fig.add_trace(go.Scatter(
        x=[point[0]], y=[point[1]], mode="markers", name=f"row {row}: {distance}",
        marker={"symbol": "star", "size": 20, "color": STAR, "line": {"width": 2,
                                                                       "color": NEUTRAL}},
        hovertemplate=f"row {row}<br>Euclidean distance to centroid {j + 1}: "
                      f"{e_dist[0] / length:.2f}{label}<br>Mahalanobis distance to mean "
                      f"{j + 1}: {m_dist[0]:.2f}<extra></extra>"))
