"""Every page runs through the entry point, whichever way Streamlit starts it.

``app.py`` runs the chosen page inside :func:`run_page`. With a ``pages/``
folder beside ``app.py``, Streamlit 1.67 serves a fresh server's first deep
link (``/convergence``) in its old multipage mode, straight to the page file;
:func:`ensure_entry_point`, called first by every page file, notices that and
hands the run to ``app.py`` (which draws the sidebar and runs that page).

:func:`preload_charts` sends a hidden empty chart on a session's first run,
before the app imports its numerics: the browser then fetches and compiles
Plotly's 4.6 MB of JavaScript while the server imports and fits, instead of
after the first real chart arrives.
"""

import contextvars
import runpy
from pathlib import Path

import streamlit as st

ENTRY_POINT = Path(__file__).resolve().parents[2] / "app.py"
PRELOAD_KEY = "preload_charts"
# Hides the preloading chart (Streamlit gives an element with a key the class st-key-<key>).
PRELOAD_CSS = f".st-key-{PRELOAD_KEY} {{ display: none; }}"
_inside_entry_point = contextvars.ContextVar("inside_entry_point", default=False)


def preload_charts():
    """On a session's first run, a hidden empty Plotly chart, so the browser loads the
    chart library while this run imports and fits (see :data:`PRELOAD_CSS`).

    Returns
    -------
    streamlit placeholder
        Sent on every run (so the page's elements keep their places); empty it
        once the page is drawn (:func:`run_page` does).
    """
    slot = st.empty()
    if not st.session_state.get("_charts_preloaded"):
        st.session_state["_charts_preloaded"] = True
        import plotly.graph_objects as go

        slot.plotly_chart(go.Figure(layout={"height": 10}), key=PRELOAD_KEY,
                          config={"staticPlot": True})
    return slot


def run_page(page, preloading=None):
    """Run ``page`` (from ``st.navigation``) as the entry point's page, then remove the
    chart :func:`preload_charts` sent (its ``preloading`` placeholder)."""
    token = _inside_entry_point.set(True)
    try:
        page.run()
    finally:
        _inside_entry_point.reset(token)
        if preloading is not None:
            preloading.empty()


def ensure_entry_point():
    """Run the entry point instead when Streamlit started this page file on its own."""
    if _inside_entry_point.get():
        return
    runpy.run_path(str(ENTRY_POINT), run_name="__main__")
    st.stop()
