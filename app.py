"""K-means vs Gaussian mixtures: the entry point.

Renders the shared sidebar (so its widgets keep their values on every page),
fits both models once for the current settings, then runs the chosen page.
"""

import streamlit as st

from dashboard.ui import entry, sidebar

st.set_page_config(page_title="K-means vs GMM", page_icon=":material/scatter_plot:",
                   layout="wide")

PAGES = [
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:"),
    st.Page("pages/responsibilities.py", title="Responsibilities", icon=":material/percent:"),
    st.Page("pages/convergence.py", title="Convergence", icon=":material/trending_down:"),
    st.Page("pages/steps.py", title="EM step-through", icon=":material/step:"),
    st.Page("pages/inspect.py", title="Why this cluster?", icon=":material/help:"),
    st.Page("pages/choose_k.py", title="Choose K", icon=":material/query_stats:"),
    st.Page("pages/math.py", title="How it works", icon=":material/function:"),
]

# Our own constant CSS: long formulas scroll sideways instead of being cut at the edge.
st.html("<style>.katex-display { overflow-x: auto; overflow-y: hidden; }</style>")

page = st.navigation(PAGES)
sidebar.prepare_current()
entry.run_page(page)
