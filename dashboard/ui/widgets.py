"""Page widgets and their callbacks; messages from the fit shown as text.

Session keys of page-only widgets start with the page's name
(``steps_gmm_t``, ``choose_k_range``, ``inspect_row``...).
"""

import streamlit as st

from .. import explain
from ..text import escape
from . import cached
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
                  icon=":material/tune:")


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
                    on_change=_row_input_changed)
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


# ------------------------------------------------------------- callbacks
def use_model(k, covariance_type):
    """Button callback: put a model's K and covariance type into the sidebar."""
    st.session_state["k"] = int(k)
    st.session_state["covariance_type"] = covariance_type


def set_restarts(n_init):
    """Button callback: the sidebar's Restarts (n_init)."""
    st.session_state["n_init"] = int(n_init)
