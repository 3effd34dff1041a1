"""K-means vs Gaussian mixtures: the entry point.

Renders the shared sidebar (so its widgets keep their values on every page),
fits both models once for the current settings, then runs the chosen page.
"""

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="K-means vs GMM", page_icon=":material/scatter_plot:",
                   layout="wide")

PAGES = [
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/table_chart:"),
    st.Page("pages/responsibilities.py", title="Responsibilities", icon=":material/percent:"),
    st.Page("pages/convergence.py", title="Convergence", icon=":material/trending_down:"),
]

page = st.navigation(PAGES)
ui.prepare_current()
page.run()
