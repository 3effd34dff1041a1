"""Plotly figure builders: result objects in, ``go.Figure`` out; no Streamlit.

Cluster j has the same colour and marker symbol in every chart
(:func:`cluster_color`, :func:`cluster_symbol`; colour-blind-safe, see
:mod:`dashboard.palette`). Scatter plots show at most ``MAX_POINTS`` rows,
saying so in the title when they thin the data (fits always use every row); up
to ``SVG_MAX_POINTS`` points they are drawn as SVG, beyond it with WebGL
(``go.Scattergl``): a WebGL chart costs a browser a quarter of a second to set
up, far more than SVG markers for a few thousand points. Layouts set no
background or text colour, so charts follow the app's light or dark theme;
outlines and guides are mid-tone (``palette.NEUTRAL``), legible on both.
"""

import base64
import functools
import io

import numpy as np
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, sample_colorscale
from plotly.subplots import make_subplots  # (elbow_figure's second axis)

from gmmcore import gaussian, nearest_centers

from .choose_k import best_cell
from .compare import Comparison, View
from .explain import GMMStep, KMeansStep, PointExplanation
from .outliers import METHODS, Flags, Scores
from .palette import CLUSTER_COLORS, DISAGREE_COLOR, NEUTRAL, cluster_symbol
from .text import plotly_text

PALETTE = CLUSTER_COLORS
MAX_POINTS = 20_000
SVG_MAX_POINTS = 2000
MAX_LABEL_COLOURS = 24
GRID_SIZE = 120  # region cells across the data's wider side: ~3 px each on a half-page chart
# Equal axes stretch one axis's range to the plot's shape; the decision regions are computed
# far enough beyond the data to fill plots from 0.75 to 1.6 times as wide as tall.
REGION_ASPECTS = (0.75, 1.6)
# Okabe–Ito vermillion, blue and reddish purple; every category also has its own symbol.
OUTLIER_COLOR = "#D55E00"
TYPICAL_COLOR = "#a3acb9"
OUTLINE_WIDTH = 1.0
REGION_OPACITY = 0.16


def cluster_color(j):
    """The colour of cluster ``j`` (0-based) in every chart."""
    return PALETTE[j % len(PALETTE)]


def _sequential_scale(name="Plasma", low=0.3, high=0.75, n=8):
    """Plotly's continuous scale ``name`` cut to ``[low, high]``: Plasma's darkest
    purple vanishes on a dark background and its yellow on white; from 0.3 to 0.75
    both ends keep over 2:1 contrast on either."""
    stops = np.linspace(0, 1, n)
    colors = sample_colorscale(name, list(low + (high - low) * stops))
    return [[float(t), c] for t, c in zip(stops, colors)]


SEQUENTIAL = _sequential_scale()


@functools.lru_cache(maxsize=16)
def display_rows(n_samples, max_points=MAX_POINTS, seed=0):
    """Indices of the rows to draw: all of them, or a fixed random subset (computed
    once for each size and shared: read-only).

    Returns
    -------
    rows : ndarray of shape (min(n_samples, max_points),)
    """
    if n_samples <= max_points:
        rows = np.arange(n_samples)
    else:
        rows = np.sort(np.random.RandomState(seed).choice(n_samples, max_points, replace=False))
    rows.flags.writeable = False
    return rows


def scatter_type(n_points):
    """The trace class for a scatter of ``n_points`` markers on one chart: SVG
    (``go.Scatter``) up to ``SVG_MAX_POINTS``, WebGL (``go.Scattergl``) beyond."""
    return go.Scatter if n_points <= SVG_MAX_POINTS else go.Scattergl


def unchecked(graph_object, *args, **properties):
    """``graph_object(*args, **properties)`` (a Plotly trace or figure class) without
    Plotly's check of every property.

    Plotly checks each property as it is set, and a checking figure checks every
    trace again as it is added: most of the Compare figures' build time, paid on
    every control change (22 -> 13 ms for the pair). Only for figures made of our
    own values; the tests compare each one with what Plotly's checks make of it.
    """
    return graph_object(*args, **properties, _validate=False)


def _shown_note(n_shown, n_samples):
    if n_shown == n_samples:
        return ""
    return f"showing {n_shown:,} of {n_samples:,} points; the fit used all"


def _joined(*parts):
    return "; ".join(p for p in parts if p)


TOOLBAR_PX = 34  # kept free above the title: Plotly's toolbar stays there on touch screens
# Margins that already hold what Chromium lays out in them (Streamlit's theme, tick
# labels of a few characters, a half-width chart in a 1400 px window): Plotly widens a
# margin too small for its axes or legend by drawing the whole figure again, and did on
# every K change (0.69 -> 0.60 s to redraw both Compare charts: bench/browser_series.py).
# Longer tick labels or a narrower chart still widen them: correct, only slower.
Y_AXIS_PX = 76  # tick labels and title of the y axis (72 px measured)
X_AXIS_PX = 76  # the same under the x axis
LEGEND_ROW_PX = 19
LEGEND_PAD_PX = 10
LEGEND_PER_ROW = 2  # what the margin under a chart is sized for
LEGEND_ENTRY_PX = 140  # two entries a row fit a half-width chart's plot (Plotly's limit)


def _legend_entries(fig):
    """How many entries the legend shows (one per legend group)."""
    groups = set()
    for trace in fig.data:
        if trace.showlegend is False or trace.type in ("heatmap", "histogram2d"):
            continue
        groups.add(trace.legendgroup or trace.name or id(trace))
    return len(groups)


def _axis_names(fig):
    """Layout names of the figure's axes (``xaxis``, ``yaxis``, ``yaxis2``...)."""
    return [key for key in fig.layout if key[:5] in ("xaxis", "yaxis")
            and (len(key) == 5 or key[5:].isdigit())]


def _merged(current, changes):
    """``current`` (a dict) with ``changes`` merged in, nested dicts key by key."""
    out = dict(current)
    for key, value in changes.items():
        old = out.get(key)
        out[key] = _merged(old, value) if isinstance(value, dict) and isinstance(old, dict) \
            else value
    return out


def _update_layout(fig, changes):
    """``fig.update_layout(changes)`` at a fraction of its cost.

    Each top-level property is set once, what the figure already had merged in;
    Plotly's own update checks the path of every nested key, which made the
    layout most of a figure's build time.
    """
    for key, value in changes.items():
        current = fig.layout[key]
        if isinstance(value, dict) and hasattr(current, "to_plotly_json"):
            value = _merged(current.to_plotly_json(), value)
        fig.layout[key] = value
    return fig


TITLE_PX = 16
SUBTITLE_PX = 12


def _title_annotations(title, subtitle, left, top):
    """The title (bold) and subtitle as annotations at the chart's top left, under the
    toolbar's room, for margins of ``left`` and ``top`` pixels.

    Not ``layout.title``: Streamlit's theme makes a chart's title bold as the chart
    mounts and once more just after (``<b><b>...``), and that change made Plotly draw
    every chart a second time; the Compare page's K change redrew both charts in
    0.40 s without it against 0.55 s (``bench/browser_series.py``).
    """
    common = {"xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left",
              "yanchor": "top", "xshift": 6 - left, "showarrow": False, "align": "left"}
    out = [common | {"name": "title", "text": f"<b>{title}</b>", "font": {"size": TITLE_PX},
                     "yshift": top - TOOLBAR_PX + 4}]
    if subtitle:
        out.append(common | {"name": "subtitle", "text": subtitle,
                             "font": {"size": SUBTITLE_PX}, "yshift": top - TOOLBAR_PX - 29})
    return out


def _named_annotation(fig, name):
    """The annotation :func:`_title_annotations` named ``name``, or None."""
    return next((a for a in fig.layout.annotations if a.name == name), None)


def title_text(fig, which="title"):
    """A figure's title (or, with ``which="subtitle"``, its subtitle) as set by
    :func:`_layout`, without the bold tags; '' when it has none."""
    annotation = _named_annotation(fig, which)
    if annotation is None:
        return ""
    return annotation.text[3:-4] if which == "title" else annotation.text


def _retitle(fig, title):
    """Give a figure laid out by :func:`_layout` another title."""
    _named_annotation(fig, "title").text = f"<b>{title}</b>"
    return fig


def _layout(fig, title, axis_titles, *, subtitle="", height=480, legend=True,
            equal_axes=False, box=None):
    """Title, axes and legend laid out so that none covers another or the data.

    The title sits at the top left below room for Plotly's toolbar; a subtitle
    says what was left out; the legend runs horizontally under the plot, in a
    bottom margin sized for its entries, so it never covers the title or points.
    """
    rows = -(-_legend_entries(fig) // LEGEND_PER_ROW) if legend else 0
    top = TOOLBAR_PX + 28 + (20 if subtitle else 0)
    axes = axis_titles is not None  # (a 3-D scene has none in the margins)
    bottom = (X_AXIS_PX if axes else 10) + (LEGEND_ROW_PX * rows + LEGEND_PAD_PX if rows else 0)
    left = Y_AXIS_PX if axes else 10
    changes = {
        # First: an animation's frames update annotations index by index.
        "annotations": [*_title_annotations(title, subtitle, left, top),
                         *(a.to_plotly_json() for a in fig.layout.annotations)],
        "height": height + bottom,
        "margin": {"l": left, "r": 10, "t": top, "b": bottom},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "xref": "container",
                   "y": 0, "yanchor": "bottom", "yref": "container",
                   "entrywidth": LEGEND_ENTRY_PX, "entrywidthmode": "pixels",
                   "tracegroupgap": 0},
        "showlegend": legend,
    }
    if not axes:  # a 3-D scene titles its own axes
        _update_layout(fig, changes)
        return fig
    # Axis titles can be a file's column names: shown literally, never as HTML.
    x_axis = {"title": {"text": plotly_text(axis_titles[0])}}
    y_axis = {"title": {"text": plotly_text(axis_titles[1])}}
    if equal_axes:
        # Equal units on both axes, so Euclidean distance looks like distance. The ranges
        # stretch to fit the plot: constraining the domain instead makes Streamlit's chart
        # redraw itself some ten times as each pass changes the size the next one sees.
        x_axis["constrain"] = "range"
        y_axis |= {"scaleanchor": "x", "scaleratio": 1, "constrain": "range"}
    if box is not None:  # the data, not the decision regions computed around it
        x_axis["range"] = [float(box[0][0]), float(box[1][0])]
        y_axis["range"] = [float(box[0][1]), float(box[1][1])]
    for name in _axis_names(fig):
        changes[name] = x_axis if name.startswith("x") else y_axis
    _update_layout(fig, changes)
    return fig


# --------------------------------------------------------------- geometry
def ellipse_points(mean, covariance, n_sigma, n_points=90):
    """Outline of the ``n_sigma`` ellipse of a 2-D Gaussian, shape (n_points + 1, 2)."""
    values, vectors = np.linalg.eigh(covariance)
    values = np.clip(values, 0, None)
    t = np.linspace(0, 2 * np.pi, n_points + 1)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    return mean + n_sigma * (circle * np.sqrt(values)) @ vectors.T


def data_box(xy, pad=0.08):
    """The plotted points' bounding box with a margin: the axes' ranges (equal axes
    stretch one of them to the plot's shape).

    Returns
    -------
    lo, hi : ndarray of shape (2,)
    """
    # Column by column: NumPy's reduction over the first axis of an (n, 2) array is
    # some 40 times slower (50 ms at a million points).
    lo = np.array([column.min() for column in xy.T])
    hi = np.array([column.max() for column in xy.T])
    span = np.where(hi > lo, hi - lo, 1.0)
    return lo - pad * span, hi + pad * span


def _grid(xy, size=GRID_SIZE, aspects=REGION_ASPECTS):
    """Cell centres over :func:`data_box` and as far beyond as equal axes stretch it in
    a plot ``aspects[0]`` to ``aspects[1]`` times as wide as tall; square cells,
    ``size`` across the box's wider side."""
    lo, hi = data_box(xy)
    span = hi - lo
    cover = np.array([max(span[0], span[1] * aspects[1]), max(span[1], span[0] / aspects[0])])
    n = np.ceil(cover / (span.max() / size)).astype(int)
    middle = (lo + hi) / 2
    xs = np.linspace(middle[0] - cover[0] / 2, middle[0] + cover[0] / 2, n[0])
    ys = np.linspace(middle[1] - cover[1] / 2, middle[1] + cover[1] / 2, n[1])
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
    xs : ndarray of shape (n_x,)
    ys : ndarray of shape (n_y,)
    labels : ndarray of shape (n_y, n_x)
    """
    return nearest_center_regions(view, xy, comparison.kmeans.cluster_centers_)


def nearest_center_regions(view: View, xy, centers):
    """Nearest of ``centers`` (n_clusters, n_features) for every grid cell, as
    :func:`kmeans_regions` returns it."""
    xs, ys, grid = _grid(xy)
    if view.A.shape[1] <= 2:
        labels, _ = nearest_centers(_grid_to_features(view, grid), centers)
    else:
        c2 = view.means(centers)
        labels = ((grid[:, None, :] - c2[None]) ** 2).sum(axis=2).argmin(axis=1)
    return xs, ys, labels.reshape(len(ys), len(xs))


def gmm_regions(comparison: Comparison, view: View, xy):
    """Cluster of every grid cell under the GMM (matched numbering): exact for 2-D
    data, the regions of the mixture's 2-D marginal in the view otherwise.

    Returns
    -------
    xs : ndarray of shape (n_x,)
    ys : ndarray of shape (n_y,)
    labels : ndarray of shape (n_y, n_x)
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


def _discrete_colorscale(n_clusters, alpha):
    scale = []
    for j in range(n_clusters):
        color = "rgba({}, {}, {}, {})".format(*hex_to_rgb(cluster_color(j)), alpha)
        scale += [[j / n_clusters, color], [(j + 1) / n_clusters, color]]
    return scale


def _regions_trace(xs, ys, labels, n_clusters):
    """The decision regions as a heatmap trace, for animations (their frames change
    traces); a still figure draws them as a picture (:func:`_regions_image`)."""
    # Translucent by its colours' alpha, not the trace's opacity: the same picture, and a
    # K change redrew 0.05-0.07 s sooner in Chromium (floor app showing these figures,
    # 7 fresh servers each: 0.57 against 0.62 s; a covariance change 0.52 against 0.59 s).
    return unchecked(
        go.Heatmap, x=xs, y=ys,
        z=labels.astype(np.min_scalar_type(n_clusters)),  # a byte a cell sent, not eight
        zmin=-0.5, zmax=n_clusters - 0.5,
        zsmooth="fast",  # one pixel per cell, scaled: a third less drawing than cell by cell
        colorscale=_discrete_colorscale(n_clusters, REGION_OPACITY), showscale=False,
        hoverinfo="skip", name="decision regions",
    )


def _regions_png(labels, n_clusters):
    """A PNG of one pixel per cell in its cluster's colour, translucent by
    ``REGION_OPACITY``; the first row of ``labels`` (the lowest y) at the bottom.

    Parameters
    ----------
    labels : ndarray of shape (n_y, n_x)

    Returns
    -------
    png : bytes
    """
    from PIL import Image  # (Pillow, which Streamlit also uses)

    rows = np.ascontiguousarray(labels[::-1], dtype=np.uint8)
    image = Image.frombytes("P", (rows.shape[1], rows.shape[0]), rows.tobytes())
    image.putpalette(b"".join(bytes(hex_to_rgb(cluster_color(j))) for j in range(n_clusters)))
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=bytes([round(255 * REGION_OPACITY)] * n_clusters))
    return out.getvalue()


def _regions_image(xs, ys, labels, n_clusters):
    """The decision regions as a layout image under the plot, each cell's centre at
    (xs[i], ys[j]).

    A picture, not a heatmap trace: Chromium then has no cell to colour on every draw
    (a K change on the Compare page redrew in 0.516 s against 0.555 s, median of 30
    changes on 6 fresh servers each, ``bench/browser_series.py``).
    """
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    source = "data:image/png;base64," + base64.b64encode(_regions_png(labels, n_clusters)).decode()
    return {"source": source, "xref": "x", "yref": "y", "x": float(xs[0] - dx / 2),
            "y": float(ys[-1] + dy / 2), "sizex": float(xs[-1] - xs[0] + dx),
            "sizey": float(ys[-1] - ys[0] + dy), "sizing": "stretch", "xanchor": "left",
            "yanchor": "top", "layer": "below", "name": "decision regions"}


def _point_traces(xy, labels, rows, n_clusters, prefix, outlined=None):
    """One WebGL trace of points per cluster; ``outlined`` (per row) draws a thin outline
    round a point while its fill keeps its cluster's colour."""
    traces = []
    scatter = scatter_type(len(rows))
    for j in range(n_clusters):
        mine = rows[labels[rows] == j]
        marker = {"color": cluster_color(j), "symbol": cluster_symbol(j), "size": 6,
                  "opacity": 0.85}
        if outlined is not None:
            marker["line"] = {"color": DISAGREE_COLOR,
                              "width": np.where(outlined[mine], OUTLINE_WIDTH, 0.0)}
            marker["size"] = np.where(outlined[mine], 8, 6)
        traces.append(unchecked(
            scatter, x=xy[mine, 0], y=xy[mine, 1], mode="markers", name=f"{prefix} {j + 1}",
            marker=marker, customdata=mine,
            hovertemplate="row %{customdata}<extra>" + f"{prefix} {j + 1}" + "</extra>",
        ))
    return traces


def _disagree_legend(disagree):
    """A legend entry (no points) for the outlined points: how many, what share."""
    n = int(disagree.sum())
    return unchecked(
        go.Scatter, x=[None], y=[None], mode="markers", hoverinfo="skip",
        name=f"outlined: differ, {n:,} ({n / max(len(disagree), 1):.0%})",
        marker={"size": 8, "color": "rgba(0,0,0,0)",
                "line": {"color": DISAGREE_COLOR, "width": 2}},
    )


def _disagreement(comparison, outline):
    """Rows to outline (those the methods assign differently), or None."""
    return comparison.disagree if outline and comparison.gmm_labels is not None else None


def _centers_trace(centers_xy, name, symbol):
    n = len(centers_xy)
    return unchecked(
        go.Scatter, x=centers_xy[:, 0], y=centers_xy[:, 1], mode="markers", name=name,
        marker={"symbol": symbol, "size": 18, "color": [cluster_color(j) for j in range(n)],
                "line": {"width": 2, "color": NEUTRAL}},
        hovertemplate="cluster %{text}<extra>" + name + "</extra>",
        text=[str(j + 1) for j in range(n)],
    )


def _ellipse_traces(means_xy, covariances_xy):
    """1σ (solid) and 2σ (dashed) outlines of every component in the view."""
    traces = []
    for j in range(len(means_xy)):
        for n_sigma, dash in ((1, "solid"), (2, "dash")):
            outline = ellipse_points(means_xy[j], covariances_xy[j], n_sigma)
            traces.append(unchecked(
                go.Scatter, x=outline[:, 0], y=outline[:, 1], mode="lines", hoverinfo="skip",
                line={"color": cluster_color(j), "width": 2, "dash": dash},
                name=f"{n_sigma}σ", legendgroup=f"{n_sigma}σ", showlegend=j == 0,
            ))
    return traces


# --------------------------------------------------------------- scatter plots
def kmeans_figure(comparison: Comparison, view: View, outline=True, max_points=MAX_POINTS):
    """K-means labels, centroids and Euclidean (Voronoi) decision regions; with
    ``outline``, the points the GMM assigns differently are outlined."""
    X, labels, k = comparison.X, comparison.kmeans_labels, comparison.settings.k
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    outlined = _disagreement(comparison, outline)
    fig = unchecked(go.Figure)
    fig.add_layout_image(_regions_image(*kmeans_regions(comparison, view, xy), k))
    fig.add_traces(_point_traces(xy, labels, rows, k, "K-means", outlined))
    if outlined is not None:
        fig.add_trace(_disagree_legend(outlined))
    fig.add_trace(_centers_trace(view.means(comparison.kmeans.cluster_centers_),
                                 "centroids", "x"))
    return _layout(fig, "K-means (Euclidean distance)", view.axis_titles,
                   subtitle=_joined("nearest centroid", _shown_note(len(rows), len(X))),
                   height=460, equal_axes=True, box=data_box(xy))


def gmm_figure(comparison: Comparison, view: View, outline=True, max_points=MAX_POINTS):
    """GMM labels, means, 1σ and 2σ ellipses and decision regions (matched colours);
    with ``outline``, the points K-means assigns differently are outlined."""
    X, k = comparison.X, comparison.settings.k
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    outlined = _disagreement(comparison, outline)
    fig = unchecked(go.Figure)
    fig.add_layout_image(_regions_image(*gmm_regions(comparison, view, xy), k))
    fig.add_traces(_point_traces(xy, comparison.gmm_labels, rows, k, "GMM", outlined))
    if outlined is not None:
        fig.add_trace(_disagree_legend(outlined))
    means = view.means(comparison.gmm_means)
    fig.add_traces(_ellipse_traces(means, view.covariances(comparison.gmm_covariances)))
    fig.add_trace(_centers_trace(means, "means", "diamond"))
    return _layout(fig, f"GMM ({comparison.settings.covariance_type} covariance)",
                   view.axis_titles,
                   subtitle=_joined("most probable component", _shown_note(len(rows), len(X))),
                   height=460, equal_axes=True, box=data_box(xy))


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
              else f"; {len(order):,} of {len(resp):,} rows shown, evenly spaced")
    return _layout(fig, "Responsibilities", ("component", "points"),
                   subtitle="rows sorted by cluster, then confidence" + n_note, height=520,
                   legend=False)


def uncertainty_figure(view: View, X, resp, max_points=MAX_POINTS):
    """Scatter coloured by 1 − max responsibility (0: certain, up to 1 − 1/K)."""
    xy = view.points(X)
    rows = display_rows(len(X), max_points)
    uncertainty = 1 - resp.max(axis=1)
    fig = go.Figure(scatter_type(len(rows))(
        x=xy[rows, 0], y=xy[rows, 1], mode="markers",
        marker={"color": uncertainty[rows], "colorscale": SEQUENTIAL, "cmin": 0,
                "cmax": 1 - 1 / resp.shape[1], "size": 6,
                "colorbar": {"title": {"text": "1 − max P"}}},
        customdata=np.column_stack([rows, uncertainty[rows]]),
        hovertemplate="row %{customdata[0]}<br>uncertainty %{customdata[1]:.3f}<extra></extra>",
    ))
    return _layout(fig, "Uncertainty of the GMM assignment", view.axis_titles,
                   subtitle=_shown_note(len(rows), len(X)), legend=False, equal_axes=True)


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


# ---------------------------------------------------------------- step through
def mixed_colors(resp):
    """Each row's colour as the responsibility-weighted blend of the cluster colours.

    Parameters
    ----------
    resp : ndarray of shape (n_rows, n_components)

    Returns
    -------
    colors : list of str
        ``'rgb(r,g,b)'``; a point shared half and half gets the mid colour.
    """
    rgb = np.array([hex_to_rgb(cluster_color(j)) for j in range(resp.shape[1])], dtype=float)
    blend = np.rint(resp @ rgb).astype(int)
    return [f"rgb({r},{g},{b})" for r, g, b in blend]


def _movement(fig, previous_xy, current_xy, name):
    """Faint previous positions and an arrow from each to its new position (none
    before the first step: the trace is there, empty, so every iteration's figure
    has the same traces and can be one frame of an animation)."""
    if previous_xy is None:
        previous_xy = np.empty((0, 2))
    fig.add_trace(go.Scatter(
        x=previous_xy[:, 0], y=previous_xy[:, 1], mode="markers", name=name,
        marker={"symbol": "circle", "size": 12, "opacity": 0.35,
                "color": [cluster_color(j) for j in range(len(previous_xy))],
                "line": {"width": 1, "color": NEUTRAL}},
        hoverinfo="skip",
    ))
    for j, (start, end) in enumerate(zip(previous_xy, current_xy)):
        fig.add_annotation(x=end[0], y=end[1], ax=start[0], ay=start[1], xref="x", yref="y",
                           axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2,
                           arrowwidth=2, arrowcolor=cluster_color(j), text="")


def _step_title(method, t, n_iter):
    if t == 0:
        return f"{method}: initialisation (iteration 0 of {n_iter})"
    return f"{method}: iteration {t} of {n_iter}" + (" (final)" if t == n_iter else "")


def gmm_step_figure(view: View, X, rows, step: GMMStep, n_iter, *, validate=True,
                    figure=go.Figure):
    """The mixture at one EM iteration.

    Points (``rows`` of ``X``) take the blend of their responsibilities'
    colours; the means carry 1σ and 2σ ellipses, with the previous means faint
    and arrows to where the M-step moved them. ``validate=False`` skips
    Plotly's checks (four times faster: for :func:`step_frame`); ``figure`` is
    the class built (:class:`AnimatedFigure` for :func:`animated`).
    """
    xy = view.points(X[rows])
    # Our own rgb() strings, one a point: Plotly's check of each (most of the figure's
    # build time) is skipped.
    fig = figure(unchecked(
        scatter_type(len(rows)), x=xy[:, 0], y=xy[:, 1], mode="markers",
        name="points (colour: responsibilities)",
        marker={"color": mixed_colors(step.resp), "size": 6, "opacity": 0.85},
        customdata=np.column_stack([rows, step.resp.max(axis=1)]),
        hovertemplate="row %{customdata[0]}<br>largest responsibility "
                      "%{customdata[1]:.2f}<extra></extra>",
    ), _validate=validate)
    means = view.means(step.means)
    fig.add_traces(_ellipse_traces(means, view.covariances(step.covariances)))
    _movement(fig, None if step.previous_means is None else view.means(step.previous_means),
              means, "means before this step")
    fig.add_trace(_centers_trace(means, "means", "diamond"))
    return _layout(fig, _step_title("EM", step.t, n_iter), view.axis_titles,
                   subtitle=_shown_note(len(rows), len(X)), height=460, equal_axes=True)


def kmeans_step_figure(view: View, X, rows, step: KMeansStep, n_iter, *, validate=True,
                       figure=go.Figure):
    """K-means at one Lloyd iteration: nearest-centroid regions and labels of the
    centroids at that iteration, previous centroids faint with arrows
    (``validate`` and ``figure`` as for :func:`gmm_step_figure`)."""
    xy = view.points(X[rows])
    k = len(step.centers)
    fig = figure(_regions_trace(*nearest_center_regions(view, view.points(X), step.centers),
                                   k), _validate=validate)
    for trace in _point_traces(xy, step.labels, np.arange(len(rows)), k, "K-means"):
        trace.customdata = rows[trace.customdata]
        fig.add_trace(trace)
    centers = view.means(step.centers)
    _movement(fig, None if step.previous_centers is None else view.means(step.previous_centers),
              centers, "centroids before this step")
    fig.add_trace(_centers_trace(centers, "centroids", "x"))
    return _layout(fig, _step_title("Lloyd", step.t, n_iter), view.axis_titles,
                   subtitle=_shown_note(len(rows), len(X)), height=460, equal_axes=True,
                   box=data_box(view.points(X)))


FRAME_MS = 100  # while playing, one iteration every 0.1 s at most (a frame takes longer to draw)
MAX_FRAME_POINTS = 30_000  # markers x frames an animation carries (about 1 MB of JSON)
BUTTON_ROW_PX = 36


def max_frames(n_points):
    """How many iterations one animation of ``n_points`` markers carries."""
    return max(2, MAX_FRAME_POINTS // max(n_points, 1))


def step_frame(fig, t):
    """What changes from one iteration to the next in a step figure, as the Plotly
    animation frame named ``str(t)``: every trace's coordinates (and values, and
    per-point colours), the title and the arrows.

    Parameters
    ----------
    fig : go.Figure
        :func:`gmm_step_figure` or :func:`kmeans_step_figure` of iteration ``t``
        (each iteration's figure has the same traces).
    t : int

    Returns
    -------
    dict
    """
    data = []
    for trace in fig.data:
        spec = trace.to_plotly_json()
        part = {name: spec[name] for name in ("type", "x", "y", "z", "customdata")
                if name in spec}
        color = (spec.get("marker") or {}).get("color")
        if isinstance(color, list | tuple | np.ndarray):
            part["marker"] = {"color": color}
        data.append(part)
    return {"name": str(t), "data": data, "traces": list(range(len(data))),
            "layout": {"annotations": [a.to_plotly_json() for a in fig.layout.annotations]}}


def _compact(value):
    """A frame's part with its float arrays in single precision (ample for a chart) and
    every array as Plotly's binary typed array (base64), as Plotly writes a figure's
    own: a tenth of the size of the numbers written out."""
    from _plotly_utils.utils import to_typed_array_spec

    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_compact(item) for item in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return to_typed_array_spec(value.astype(np.float32) if value.dtype == np.float64
                                   else value)
    return value


class AnimatedFigure(go.Figure):
    """A ``go.Figure`` whose animation frames (:func:`animated`) are kept as plain
    dicts and added to its JSON.

    Plotly would check every colour of every frame, which takes longer than
    building them; the frames are our own, and the tests check them as Plotly
    would.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "raw_frames", [])  # (Plotly refuses new attributes)

    def to_dict(self):
        out = super().to_dict()
        return out | {"frames": self.raw_frames} if self.raw_frames else out


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.all(a == b))
    return a == b


def _changing_only(fig, frames):
    """The frames without what none of them changes from ``fig`` (the trace keeps it)."""
    base = [trace.to_plotly_json() for trace in fig.data]
    changing = [set() for _ in base]
    for frame in frames:
        for i, part in enumerate(frame["data"]):
            for key, value in part.items():
                old = (base[i].get("marker") or {}).get("color") if key == "marker" \
                    else base[i].get(key)
                new = value["color"] if key == "marker" else value
                if key != "type" and not _same(new, old):
                    changing[i].add(key)
    return [frame | {"data": [_compact({key: value for key, value in part.items()
                                        if key == "type" or key in changing[i]})
                              for i, part in enumerate(frame["data"])]}
            for frame in frames]


def animated(fig, frames, t):
    """The step figure of iteration ``t`` with a Play button that shows the next
    iterations one after the other in the browser (no trip to the server per
    iteration), and a Pause button.

    Parameters
    ----------
    fig : AnimatedFigure
        The step figure of iteration ``t`` (built with ``figure=AnimatedFigure``);
        given its frames and buttons, and returned.
    frames : list of dict
        :func:`step_frame` of consecutive iterations, ``t`` among them (or not: then
        Play starts from the first frame).
    t : int

    Returns
    -------
    AnimatedFigure
        Play shows the frames after ``t`` (from the first again when ``t`` is the
        last), one every ``FRAME_MS`` milliseconds; each frame carries only what
        changes between iterations.
    """
    names = [frame["name"] for frame in frames]
    after = names[names.index(str(t)) + 1:] if str(t) in names else names
    settings = {"frame": {"duration": FRAME_MS, "redraw": True},
                "transition": {"duration": 0}, "mode": "immediate"}
    buttons = [
        {"label": "▶ Play", "method": "animate", "args": [after or names, settings]},
        {"label": "❚❚ Pause", "method": "animate",
         "args": [[None], {"frame": {"duration": 0, "redraw": False},
                           "transition": {"duration": 0}, "mode": "immediate"}]},
    ]
    object.__setattr__(fig, "raw_frames", _changing_only(fig, frames))
    return _update_layout(fig, {
        "margin": {"t": fig.layout.margin.t + BUTTON_ROW_PX},
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False,
                         "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom",
                         "pad": {"b": 6}, "buttons": buttons}],
    })


def step_curve_figure(values, t, title, y_title, color):
    """A curve over iterations 0..n with iteration ``t`` marked."""
    values = np.asarray(values, dtype=float)
    iters = np.arange(len(values))
    fig = go.Figure(go.Scatter(x=iters, y=values, mode="lines+markers", name=y_title,
                               line={"color": color}))
    fig.add_trace(go.Scatter(
        x=[t], y=[values[t]], mode="markers", name=f"iteration {t}",
        marker={"size": 16, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": NEUTRAL}},
    ))
    fig.add_vline(x=t, line={"dash": "dot", "color": "gray"})
    return _layout(fig, title, ("iteration (0 = initialisation)", y_title), height=300,
                   legend=False)


# ---------------------------------------------------------------- inspector
def inspector_figure(comparison: Comparison, view: View, explanation: PointExplanation,
                     max_points=MAX_POINTS):
    """The GMM scatter with the inspected row starred and joined to every
    K-means centroid (dotted) and GMM mean (solid)."""
    fig = gmm_figure(comparison, view, True, max_points)
    point = view.points(comparison.X[explanation.row][None, :])[0]
    for centers, dash, name in (
        (view.means(comparison.kmeans.cluster_centers_), "dot", "to K-means centroids"),
        (view.means(comparison.gmm_means), "solid", "to GMM means"),
    ):
        x, y = [], []
        for c in centers:
            x += [point[0], c[0], None]
            y += [point[1], c[1], None]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, hoverinfo="skip",
                                 line={"color": NEUTRAL, "width": 1.5, "dash": dash}))
    fig.add_trace(go.Scatter(
        x=[point[0]], y=[point[1]], mode="markers", name=f"row {explanation.row}",
        marker={"symbol": "star", "size": 22, "color": "#ffd400",
                "line": {"width": 2, "color": NEUTRAL}},
        hovertemplate=f"row {explanation.row}<extra></extra>",
    ))
    _retitle(fig, f"Click a point to inspect it (now: row {explanation.row})")
    fig.update_layout(clickmode="event+select")
    return fig


def kmeans_terms_figure(explanation: PointExplanation):
    """K-means' decision for one row: the squared distance to each centroid (lowest wins)."""
    k = len(explanation.sq_euclidean)
    names = [f"cluster {j + 1}" for j in range(k)]
    fig = go.Figure(go.Bar(x=names, y=explanation.sq_euclidean,
                           marker={"color": [cluster_color(j) for j in range(k)]},
                           name="squared distance to centroid",
                           hovertemplate="%{x}: %{y:.4g}<extra></extra>"))
    return _layout(fig, "K-means: squared distance",
                   ("", "squared distance to the centroid"),
                   subtitle=f"lowest wins: cluster {explanation.kmeans_pick + 1}",
                   height=360, legend=False)


def gmm_terms_figure(explanation: PointExplanation):
    """The GMM's decision for one row: log weight + log density as stacked terms per
    cluster (highest wins), the total marked."""
    t = explanation.terms
    k = len(explanation.sq_euclidean)
    names = [f"cluster {j + 1}" for j in range(k)]
    # Each term has its own fill pattern too, so the legend does not rest on colour alone.
    parts = (
        ("−½ × squared Mahalanobis distance", -0.5 * t.sq_mahalanobis[0], "#0072B2", ""),
        ("−½ log|Σ| (size)", -0.5 * t.log_det, "#D55E00", "/"),
        ("log weight", t.log_weight, "#009E73", "x"),
        ("constant −d/2 log 2π", np.full(k, t.log_constant), "#999999", "."),
    )
    fig = go.Figure()
    for name, values, color, pattern in parts:
        fig.add_trace(go.Bar(x=names, y=values, name=name,
                             marker={"color": color, "pattern": {"shape": pattern}},
                             hovertemplate="%{x}: %{y:.4g}<extra>" + name + "</extra>"))
    fig.add_trace(go.Scatter(
        x=names, y=t.log_joint[0], mode="markers+text", name="total",
        text=[f"{v:.3g}" for v in t.log_joint[0]], textposition="bottom center",
        marker={"symbol": "line-ew-open", "size": 30, "line": {"width": 3, "color": NEUTRAL}},
        hovertemplate="%{x}: total %{y:.4g}<extra></extra>"))
    fig.update_layout(barmode="relative")
    return _layout(fig, "GMM: log weight + log density", ("", "log-density units"),
                   subtitle=f"highest wins: cluster {explanation.gmm_pick + 1}", height=360)


# ------------------------------------------------------------------- restarts
def restart_curves_figure(runs, value_key, title, y_title):
    """Every restart's per-iteration curve, the best one bold.

    Parameters
    ----------
    runs : list of dict
        As :func:`explain.gmm_restarts` or :func:`explain.kmeans_restarts` return.
    value_key : str
        ``'log_likelihood'`` or ``'inertia'``, shown in the hover.
    """
    fig = go.Figure()
    for run in runs:
        curve = run["curve"]
        fig.add_trace(go.Scatter(
            x=np.arange(1, len(curve) + 1), y=curve, mode="lines",
            name=f"restart {run['restart']}" + (" (best)" if run["best"] else ""),
            line={"color": cluster_color(run["restart"] - 1),
                  "width": 4 if run["best"] else 1.5},
            opacity=1.0 if run["best"] else 0.7,
            hovertemplate=f"restart {run['restart']}<br>iteration %{{x}}: %{{y:.6g}}<br>"
                          f"final {value_key.replace('_', ' ')} {run[value_key]:.6g}"
                          "<extra></extra>",
        ))
    return _layout(fig, title, ("iteration", y_title), height=400)


# ----------------------------------------------------------------- choose K
CRITERIA = {"bic": "BIC", "aic": "AIC", "icl": "ICL"}
LINE_DASHES = ("solid", "dash", "dot", "dashdot")


def selection_lines(result, criterion):
    """mclust-style chart: the criterion against K, one line per covariance type,
    the best model starred (lower is better)."""
    fig = go.Figure()
    ks = result["k"]
    scores = result[criterion]
    for i, name in enumerate(result["covariance_types"]):
        # Dash and marker differ too: the four lines never rest on colour alone.
        fig.add_trace(go.Scatter(x=ks, y=scores[i], mode="lines+markers", name=name,
                                 line={"color": cluster_color(i), "dash": LINE_DASHES[i % 4]},
                                 marker={"symbol": cluster_symbol(i), "size": 8},
                                 connectgaps=False))
    best = best_cell(scores)
    if best is not None:
        i, j = best
        fig.add_trace(go.Scatter(
            x=[ks[j]], y=[scores[i, j]], mode="markers+text", name="best",
            text=[f"best: K = {ks[j]}, {result['covariance_types'][i]}"],
            textposition="top center",
            marker={"symbol": "star", "size": 20, "color": "#ffd400",
                    "line": {"width": 2, "color": NEUTRAL}}))
    fig.update_xaxes(dtick=1)
    label = CRITERIA[criterion]
    return _layout(fig, f"{label} by number of components", ("number of components K", label),
                   subtitle="lower is better", height=420)


def selection_heatmap(result, criterion):
    """The criterion as a covariance type x K heatmap, each cell written as its distance
    from the best (0, outlined), which reads at a glance where large totals do not."""
    scores = result[criterion]
    ks = [str(k) for k in result["k"]]
    types = result["covariance_types"]
    best_score = np.nanmin(scores) if np.isfinite(scores).any() else np.nan
    text = [["failed" if not np.isfinite(v) else "best" if v == best_score
             else f"+{v - best_score:,.0f}" for v in row] for row in scores]
    label = CRITERIA[criterion]
    fig = go.Figure(go.Heatmap(
        z=scores, x=ks, y=types, text=text, texttemplate="%{text}",
        textfont={"size": 13}, colorscale="Viridis_r", colorbar={"title": {"text": label}},
        customdata=scores, hovertemplate="K = %{x}, %{y}: " + label
        + " %{customdata:,.1f} (%{text})<extra></extra>",
    ))
    best = best_cell(scores)
    if best is not None:
        i, j = best
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5,
                      line={"color": "#ff2bd6", "width": 4})
    fig = _layout(fig, f"{label} for every K and covariance type",
                  ("number of components K", "covariance type"),
                  subtitle=f"each cell: its {label} minus the lowest (outlined)", height=320,
                  legend=False)
    # Category axes, so cell (i, j) spans j ± 0.5 whatever the K values are.
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def elbow_figure(ks, inertia, silhouette):
    """K-means inertia (the elbow) and mean silhouette against K."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=ks, y=inertia, mode="lines+markers", name="inertia",
                             line={"color": cluster_color(2)}), secondary_y=False)
    fig.add_trace(go.Scatter(x=ks, y=silhouette, mode="lines+markers",
                             name="mean silhouette", line={"color": cluster_color(1),
                                                           "dash": "dash"}),
                  secondary_y=True)
    fig.update_xaxes(dtick=1)
    fig = _layout(fig, "K-means: elbow and silhouette", ("number of clusters K", "inertia"),
                  subtitle="look for the bend in the inertia", height=420)
    fig.update_yaxes(title_text="mean silhouette (higher is better)", secondary_y=True,
                     showgrid=False)
    return fig


# ----------------------------------------------------------------- data page
def _label_groups(labels, rows):
    """(name, mask over ``rows``, colour) per true-label class; one group without labels
    (or with more classes than colours: an ID-like column)."""
    if labels is None or len(np.unique(labels[rows])) > MAX_LABEL_COLOURS:
        return [("rows", np.ones(len(rows), dtype=bool), cluster_color(0), cluster_symbol(0))]
    shown = labels[rows]
    return [(plotly_text(cls), shown == cls, cluster_color(j), cluster_symbol(j))
            for j, cls in enumerate(np.unique(shown))]


def scatter_matrix(X, columns, labels=None, max_points=5000):
    """The features against each other, coloured by true labels when known.

    Three or more features: a WebGL scatter matrix (lower half). Two: a plain
    scatter (Plotly cannot draw a two-dimension matrix with only its lower
    half). One: a histogram.
    """
    rows = display_rows(len(X), max_points)
    groups = _label_groups(labels, rows)
    names = [plotly_text(c) for c in columns]
    fig = go.Figure()
    for name, mine, color, symbol in groups:
        values = X[rows][mine]
        if len(columns) == 1:
            fig.add_trace(go.Histogram(x=values[:, 0], name=name, marker={"color": color},
                                       opacity=0.75))
        elif len(columns) == 2:
            fig.add_trace(scatter_type(len(rows))(
                x=values[:, 0], y=values[:, 1], mode="markers", name=name,
                marker={"size": 5, "color": color, "symbol": symbol, "opacity": 0.8}))
        else:
            fig.add_trace(go.Splom(
                dimensions=[{"label": n, "values": values[:, i]} for i, n in enumerate(names)],
                name=name, marker={"size": 4, "color": color, "symbol": symbol,
                                   "opacity": 0.8},
                diagonal_visible=False, showupperhalf=False))
    if len(columns) == 1:
        fig.update_layout(barmode="overlay")
    titles = (columns[0], "rows") if len(columns) == 1 else \
        (columns[0], columns[1]) if len(columns) == 2 else ("", "")
    height = 420 if len(columns) <= 2 else max(420, min(160 * len(columns), 900))
    title = {1: "Distribution", 2: "The two features"}.get(len(columns), "Scatter matrix")
    title += "" if len(groups) == 1 else ", coloured by true label"
    return _layout(fig, title, titles, subtitle=_shown_note(len(rows), len(X)), height=height,
                   legend=len(groups) > 1)


# ------------------------------------------------------------------ outliers
OUTLIER_TITLES = {"kmeans": "K-means: farthest from every centroid",
                  "gmm": "GMM: least probable under the mixture"}
CATEGORY_COLORS = {"both": OUTLIER_COLOR, "K-means only": "#0072B2", "GMM only": "#CC79A7"}
CATEGORY_SYMBOLS = {"neither": "circle", "both": "diamond", "K-means only": "triangle-up",
                    "GMM only": "square"}


def outlier_rows(flags: Flags, n_samples, max_points=MAX_POINTS):
    """Rows an outlier chart draws: a fixed random subset, plus every flagged row (up to
    ``max_points`` of them), sorted, shape (n_drawn,)."""
    marked = np.flatnonzero(flags.either)[:max_points]
    return np.union1d(display_rows(n_samples, max_points), marked)


def _cut_contour(comparison: Comparison, view: View, xy, method, cut):
    """The line where the method's score crosses its cut (exact 2-D views only), or None:
    circles round the centroids for K-means, density contours for the mixture."""
    if view.A.shape[1] != 2 or not np.isfinite(cut):
        return None
    xs, ys, grid = _grid(xy)
    points = _grid_to_features(view, grid)
    if method == "kmeans":
        z = np.sqrt(nearest_centers(points, comparison.kmeans.cluster_centers_)[1])
    else:
        z = comparison.gmm.score_samples(points)
    return go.Contour(
        x=xs, y=ys, z=z.reshape(len(ys), len(xs)), showscale=False, hoverinfo="skip",
        contours={"start": cut, "end": cut, "size": 1.0, "coloring": "lines"},
        colorscale=[[0, OUTLIER_COLOR], [1, OUTLIER_COLOR]],  # the lines' colour
        line={"width": 1.5, "dash": "dash"}, name="the cut", showlegend=True)


def _selected_trace(point, row):
    return go.Scatter(
        x=[point[0]], y=[point[1]], mode="markers", name=f"row {row}",
        marker={"symbol": "star", "size": 20, "color": "#ffd400",
                "line": {"width": 2, "color": NEUTRAL}},
        hovertemplate=f"row {row}<extra></extra>")


def outlier_figure(comparison: Comparison, view: View, scores: Scores, flags: Flags, method,
                   selected=None, max_points=MAX_POINTS):
    """One method's flagged rows on the 2-D view.

    Rows it flags are vermillion diamonds, the others grey dots; every row that only one of the two
    methods flags is ringed (in both methods' charts, so the two show the same
    rings); with 2-D data a dashed line marks the cut (a circle round every
    centroid for K-means, a density contour for the mixture).

    Parameters
    ----------
    comparison : Comparison
    view : View
    scores : Scores
    flags : Flags
    method : {'kmeans', 'gmm'}
    selected : int, optional
        A row to star.
    max_points : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    X = comparison.X
    xy = view.points(X)
    rows = outlier_rows(flags, len(X), max_points)
    mine = getattr(flags, method)
    score, score_name, cut = (scores.distance, "distance", flags.kmeans_cut) if \
        method == "kmeans" else (scores.log_density, "log-density", flags.gmm_cut)
    fig = go.Figure()
    contour = _cut_contour(comparison, view, xy, method, cut)
    if contour is not None:
        fig.add_trace(contour)
    n_flagged = int(mine.sum())
    for name, chosen, marker in (
        ("not flagged", rows[~mine[rows]], {"color": TYPICAL_COLOR, "size": 5, "opacity": 0.7,
                         "symbol": "circle"}),
        (f"flagged by {METHODS[method]}: {n_flagged:,}", rows[mine[rows]],
         {"color": OUTLIER_COLOR, "size": 8, "opacity": 0.95, "symbol": "diamond"}),
    ):
        # The row alone in customdata: a click reports it (2-D customdata reaches
        # Streamlit's selection event as an object, not a list).
        fig.add_trace(go.Scattergl(
            x=xy[chosen, 0], y=xy[chosen, 1], mode="markers", name=name, marker=marker,
            customdata=chosen, text=np.char.mod("%.4g", score[chosen]),
            hovertemplate="row %{customdata}<br>" + score_name + " %{text}<extra></extra>"))
    ringed = rows[flags.one_only[rows]]
    fig.add_trace(go.Scattergl(
        x=xy[ringed, 0], y=xy[ringed, 1], mode="markers", hoverinfo="skip",
        name=f"only one flags: {int(flags.one_only.sum()):,}",
        marker={"symbol": "circle-open", "size": 15, "color": DISAGREE_COLOR,
                "line": {"width": 2, "color": DISAGREE_COLOR}}))
    if method == "kmeans":
        fig.add_trace(_centers_trace(view.means(comparison.kmeans.cluster_centers_),
                                     "centroids", "x"))
    else:
        means = view.means(comparison.gmm_means)
        fig.add_traces(_ellipse_traces(means, view.covariances(comparison.gmm_covariances)))
        fig.add_trace(_centers_trace(means, "means", "diamond"))
    if selected is not None:
        fig.add_trace(_selected_trace(xy[selected], selected))
    fig.update_layout(clickmode="event+select")
    rule = f"cut: distance ≥ {cut:.3g}" if method == "kmeans" else \
        f"cut: log-density ≤ {cut:.4g}"
    return _layout(fig, OUTLIER_TITLES[method], view.axis_titles,
                   subtitle=_joined(f"{n_flagged:,} rows ({100 * flags.share:.3g} %)", rule,
                                    _shown_note(len(rows), len(X))),
                   height=460, equal_axes=True)


def outlier_scores_figure(scores: Scores, flags: Flags, selected=None, max_points=MAX_POINTS):
    """Both scores of every row against each other: K-means' distance across, the
    mixture's log-density up, each method's cut drawn, rows coloured by who flags them.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    n = len(scores.distance)
    rows = outlier_rows(flags, n, max_points)
    category = np.full(n, "neither", dtype=object)
    category[flags.only_kmeans] = "K-means only"
    category[flags.only_gmm] = "GMM only"
    category[flags.both] = "both"
    fig = go.Figure()
    for name, color in (("neither", TYPICAL_COLOR), *CATEGORY_COLORS.items()):
        chosen = rows[category[rows] == name]
        count = int((category == name).sum())
        fig.add_trace(go.Scattergl(
            x=scores.distance[chosen], y=scores.log_density[chosen], mode="markers",
            name=f"flagged by {name}: {count:,}",
            marker={"color": color, "symbol": CATEGORY_SYMBOLS[name],
                    "size": 5 if name == "neither" else 7,
                    "opacity": 0.7 if name == "neither" else 0.95},
            customdata=chosen,
            hovertemplate="row %{customdata}<br>distance %{x:.4g}<br>log-density %{y:.4g}"
                          "<extra></extra>"))
    if np.isfinite(flags.kmeans_cut):
        fig.add_vline(x=flags.kmeans_cut, line={"dash": "dash", "color": OUTLIER_COLOR})
    if np.isfinite(flags.gmm_cut):
        fig.add_hline(y=flags.gmm_cut, line={"dash": "dot", "color": OUTLIER_COLOR})
    if selected is not None:
        fig.add_trace(_selected_trace((scores.distance[selected], scores.log_density[selected]),
                                      selected))
    fig.update_layout(clickmode="event+select")
    return _layout(fig, "Both scores for every row",
                   ("K-means: distance to the nearest centroid", "GMM: log-density"),
                   subtitle=_joined("right of the dashed line K-means flags, below the dotted "
                                    "line the GMM", _shown_note(len(rows), n)), height=420)
