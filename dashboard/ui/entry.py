"""Every page runs through the entry point, whichever way Streamlit starts it.

``app.py`` runs the chosen page inside :func:`run_page`. With a ``pages/``
folder beside ``app.py``, Streamlit 1.67 serves a fresh server's first deep
link (``/convergence``) in its old multipage mode, straight to the page file;
:func:`ensure_entry_point`, called first by every page file, notices that and
hands the run to ``app.py`` (which draws the sidebar and runs that page).
"""

import contextvars
import runpy
from pathlib import Path

import streamlit as st

ENTRY_POINT = Path(__file__).resolve().parents[2] / "app.py"
_inside_entry_point = contextvars.ContextVar("inside_entry_point", default=False)


def run_page(page):
    """Run ``page`` (from ``st.navigation``) as the entry point's page."""
    token = _inside_entry_point.set(True)
    try:
        page.run()
    finally:
        _inside_entry_point.reset(token)


def ensure_entry_point():
    """Run the entry point instead when Streamlit started this page file on its own."""
    if _inside_entry_point.get():
        return
    runpy.run_path(str(ENTRY_POINT), run_name="__main__")
    st.stop()
