"""Page widgets and their callbacks; messages from the fit shown as text.

Session keys of page-only widgets start with the page's name
(``steps_gmm_t``, ``choose_k_range``, ``inspect_row``...).
"""

import streamlit as st

from .. import explain, shapes
from ..settings import VIEW3D_AXES, by_key
from ..text import escape
from . import cached, sidebar
from .state import current


def page_start(title, *, needs_mixture=False):
    """The page's title and the fit's messages; returns this run's ``Current``.

    A page that only explains the mixture stops here when there is none (the
    message above says why).
    """
    cur = current()
    st.title(title)
    show_fit_messages(cur.comparison)
    _offer_standardising(cur)
    if needs_mixture and cur.comparison.gmm is None:
        st.stop()
    return cur


def _standardise():
    st.session_state["standardize"] = True


def _offer_standardising(cur):
    """Say when the features' scales differ a lot, with a button that standardises them."""
    if cur.settings.standardize or cur.data.key == "model":
        return
    advice = cached.scale_advice(cur)
    if advice:
        st.warning(escape(advice, 600), icon=":material/straighten:")
        st.button("Standardise the features", key="standardise_now", on_click=_standardise,
                  icon=":material/tune:",
                  help="Turns on the sidebar's Standardise features: every column scaled "
                       "to mean 0 and variance 1 before fitting.")


def show_fit_messages(comparison):
    """The fit's warnings, errors and budget notes, in words, above a page's charts."""
    if comparison.gmm_error:
        st.error("The Gaussian mixture could not be fitted: " + escape(comparison.gmm_error, 600)
                 + " K-means is shown on its own meanwhile.")
    for note in dict.fromkeys(comparison.warnings):
        st.warning(escape(note, 600))


def plot(where, fig, *, key, **kwargs):
    """Show a Plotly figure full width, its toolbar's camera saving a crisp PNG
    named after the chart.

    Parameters
    ----------
    where : streamlit module or container
    fig : plotly.graph_objects.Figure
    key : str
        Widget key; also the PNG's file name.
    **kwargs
        Passed to ``st.plotly_chart`` (e.g. ``on_select``).
    """
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "png", "filename": key, "scale": 2}}
    return where.plotly_chart(fig, width="stretch", key=key, config=config, **kwargs)


# ------------------------------------------------------------- step-through
def iteration_slider(name, n_iter, label):
    """Slider over iterations 0..n_iter (the chart's own Play button animates them
    in the browser: :func:`dashboard.charts.animated`)."""
    key_t = f"steps_{name}_t"
    st.session_state[key_t] = min(int(st.session_state.get(key_t, 0)), n_iter)
    if n_iter == 0:
        st.caption("No iteration was recorded (the fit stopped at its initialisation, or the "
                   "file keeps none).")
        return 0
    return st.slider(label, 0, n_iter, key=key_t,
                     help="0 is the initialisation; each step is one full iteration.")


# ------------------------------------------------------------- inspected row
def inspected_row(cur):
    """The row the inspector and the math page show: the user's choice for this
    fit, else :func:`explain.default_point`."""
    if st.session_state.get("inspect_fit") != cur.fit_key:
        st.session_state["inspect_fit"] = cur.fit_key
        # A row a link asked for is kept for the fit the link opens on.
        if not st.session_state.pop("inspect_row_from_link", False):
            st.session_state["inspect_row_value"] = explain.default_point(cur.comparison)
    row = int(st.session_state["inspect_row_value"])
    return min(max(row, 0), len(cur.comparison.X) - 1)


def set_inspected_row(row):
    st.session_state["inspect_row_value"] = int(row)


def _row_input_changed():
    set_inspected_row(st.session_state["inspect_row"])


def row_input(cur):
    """Number input for the inspected row, kept across pages; returns the row."""
    st.session_state["inspect_row"] = inspected_row(cur)
    n = len(cur.comparison.X)
    st.number_input(f"Row (0 to {n - 1:,})", 0, n - 1, step=1, key="inspect_row",
                    on_change=_row_input_changed,
                    help="The data row explained here, numbered from 0 in the order the "
                         "app holds them; kept from page to page. Clicking a point on the "
                         "Why this cluster? chart picks it too.")
    return inspected_row(cur)


def clicked_row(chart_key):
    """The row of a point the user just clicked on chart ``chart_key``, else None.

    The chart must carry the row number first in its points' ``customdata``.
    A click is reported once; the chart keeps its selection across reruns.
    """
    event = st.session_state.get(chart_key)
    points = [] if not event else event.get("selection", {}).get("points", [])
    rows = [p["customdata"] for p in points if p.get("customdata") is not None]
    rows = [r[0] if isinstance(r, list | tuple) else r for r in rows]
    if not rows or rows == st.session_state.get(f"{chart_key}_handled"):
        return None
    st.session_state[f"{chart_key}_handled"] = rows
    try:
        row = int(rows[0])
    except (TypeError, ValueError):
        return None
    return row if 0 <= row < len(current().comparison.X) else None


def inspector_button(cur, row, key):
    """A button that opens ``row`` of this fit on the "Why this cluster?" page."""
    st.button(f"Open row {row} in “Why this cluster?”", key=key, icon=":material/help:",
              on_click=_prepare_inspector, args=(cur.fit_key, row),
              help="Every term of both methods' cluster choice for this point.")
    if st.session_state.pop("_open_inspector", False):
        st.switch_page("pages/inspect.py")


def _prepare_inspector(fit_key, row):
    # In a callback, before any widget of the run exists: the sidebar's values can be
    # set so that they survive st.switch_page.
    st.session_state["inspect_fit"] = fit_key
    set_inspected_row(row)
    sidebar.keep_sidebar()
    st.session_state["_open_inspector"] = True


def selected_table_row(table_key, frame):
    """The ``row`` of the table row the user just selected in ``st.dataframe`` ``table_key``
    (positions count in ``frame``'s order, whatever the user sorted), else None; a
    selection is reported once."""
    event = st.session_state.get(table_key)
    positions = [] if not event else list(event.get("selection", {}).get("rows", []))
    if not positions or positions == st.session_state.get(f"{table_key}_handled"):
        return None
    st.session_state[f"{table_key}_handled"] = positions
    position = positions[0]
    return int(frame["row"].iloc[position]) if 0 <= position < len(frame) else None


# ------------------------------------------------------------- outlier page
def outlier_share(control):
    """The outlier page's share slider (percent), its value kept across pages and in
    links under ``control.key``; returns the share in percent."""
    s = control.setting
    value = st.session_state.setdefault(control.key, s.default)
    st.session_state[control.key + "_slider"] = min(max(float(value), s.low), s.high)
    st.slider(control.label, float(s.low), float(s.high), step=0.1, format="%.1f %%",
              key=control.key + "_slider", help=s.help, on_change=_copy_widget,
              args=(control.key + "_slider", control.key))
    return float(st.session_state[control.key])


def _copy_widget(widget_key, value_key):
    st.session_state[value_key] = st.session_state[widget_key]


def set_share(key, percent):
    """Button callback: the outlier page's share, in percent."""
    st.session_state[key] = float(percent)


def outlier_row(cur, default):
    """The row the outlier page explains: the one chosen for this fit (by a click, the
    table, the row input or a link), else ``default``."""
    if st.session_state.get("outliers_fit") != cur.fit_key:
        st.session_state["outliers_fit"] = cur.fit_key
        # A row a link asked for is kept for the fit the link opens on.
        if not st.session_state.pop("outliers_row_from_link", False):
            st.session_state["outliers_row_value"] = None
    row = st.session_state.get("outliers_row_value")
    if row is None:
        return int(default)
    return min(max(int(row), 0), len(cur.comparison.X) - 1)


def set_outlier_row(row):
    st.session_state["outliers_row_value"] = int(row)


def outlier_row_input(cur, row):
    """Number input for the outlier page's row; returns the row to explain."""
    st.session_state["outliers_row"] = row
    n = len(cur.comparison.X)
    st.number_input(f"Row (0 to {n - 1:,})", 0, n - 1, step=1, key="outliers_row",
                    on_change=lambda: set_outlier_row(st.session_state["outliers_row"]))
    return row


# ------------------------------------------------------------- callbacks
def use_model(k, covariance_type):
    """Button callback: put a model's K and covariance type into the sidebar."""
    st.session_state["k"] = int(k)
    st.session_state["covariance_type"] = covariance_type


def set_restarts(n_init):
    """Button callback: the sidebar's Restarts (n_init)."""
    st.session_state["n_init"] = int(n_init)


# ----------------------------------------------------------------- 3-D view
AXIS_LABELS = ("x axis (left–right)", "y axis (front–back)", "z axis (up–down)")


def _swap_axis(changed):
    """Selectbox callback: choosing a feature another axis shows swaps the two, so
    the three axes stay distinct and no choice is silently undone."""
    previous = st.session_state.get("view3d_previous", {})
    new = st.session_state[changed]
    for key in VIEW3D_AXES:
        if key != changed and st.session_state.get(key) == new and changed in previous:
            st.session_state[key] = previous[changed]
    st.session_state["view3d_previous"] = {k: st.session_state.get(k) for k in VIEW3D_AXES}


def view3d_axes(cur):
    """The 3-D view's axes: a radio (principal components or features) and, for
    features, one selectbox per axis; returns the axes as :func:`cached.view3d_for`
    takes them, ``("pca",)`` or ``("features", x, y, z)``."""
    control = by_key("view3d_axes")
    st.radio(control.label, list(control.setting.choices), key="view3d_axes", horizontal=True,
             format_func={"pca": "first three principal components",
                          "features": "three of the features"}.get,
             help=control.setting.help)
    wanted = tuple(st.session_state.get(key) for key in VIEW3D_AXES)
    chosen, changed = shapes.three_axes(cur.columns, wanted)
    if changed and all(wanted):
        st.caption("Each axis needs its own feature: showing "
                   + ", ".join(escape(c, 80) for c in chosen) + ".")
    for key, name in zip(VIEW3D_AXES, chosen):
        st.session_state[key] = name
    st.session_state["view3d_previous"] = dict(zip(VIEW3D_AXES, chosen))
    if st.session_state["view3d_axes"] == "pca":
        return ("pca",)
    for column, key, label in zip(st.columns(3), VIEW3D_AXES, AXIS_LABELS):
        column.selectbox(label, list(cur.columns), key=key, on_change=_swap_axis, args=(key,),
                         help="Choosing a feature another axis shows swaps the two.")
    return ("features", *(st.session_state[key] for key in VIEW3D_AXES))


# ----------------------------------------------------------------- density page
def density_cluster(cur, row):
    """The cluster whose distance rings are drawn: the user's choice for this fit,
    else the GMM's cluster for ``row`` (where K-means and the GMM part ways)."""
    k = cur.comparison.settings.k
    if st.session_state.get("density_fit") != cur.fit_key:
        st.session_state["density_fit"] = cur.fit_key
        if not st.session_state.pop("density_cluster_from_link", False):
            st.session_state["density_cluster"] = int(cur.comparison.gmm_labels[row]) + 1
    value = int(st.session_state.get("density_cluster") or 1)
    st.session_state["density_cluster"] = min(max(value, 1), k)
    control = by_key("density_cluster")
    return st.selectbox(control.label, list(range(1, k + 1)), key="density_cluster",
                        format_func=lambda j: f"cluster {j}", help=control.setting.help) - 1


def page_toggle(key):
    """A page's toggle from the settings table (label, help; default False)."""
    control = by_key(key)
    return st.toggle(control.label, key=key, help=control.setting.help)


def page_radio(key, format_func):
    """A page's horizontal radio from the settings table."""
    control = by_key(key)
    return st.radio(control.label, list(control.setting.choices), key=key, horizontal=True,
                    format_func=format_func, help=control.setting.help)
