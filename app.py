"""K-means vs Gaussian mixtures: the entry point.

Renders the shared sidebar (so its widgets keep their values on every page),
fits both models once for the current settings, then runs the chosen page.
"""

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="K-means vs GMM", page_icon=":material/scatter_plot:",
                   layout="wide")

# The page scripts live in app_pages/, not pages/: with a pages/ folder beside it,
# Streamlit 1.67 runs a deep link such as /convergence in its old multipage mode,
# straight to the page script without this entry point, until some session has
# loaded the root page.
PAGES = [
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare:", default=True),
    st.Page("app_pages/data.py", title="Data", icon=":material/table_chart:"),
    st.Page("app_pages/responsibilities.py", title="Responsibilities", icon=":material/percent:"),
    st.Page("app_pages/convergence.py", title="Convergence", icon=":material/trending_down:"),
    st.Page("app_pages/steps.py", title="EM step-through", icon=":material/step:"),
    st.Page("app_pages/inspect.py", title="Why this cluster?", icon=":material/help:"),
    st.Page("app_pages/choose_k.py", title="Choose K", icon=":material/query_stats:"),
    st.Page("app_pages/math.py", title="How it works", icon=":material/function:"),
]

page = st.navigation(PAGES)
ui.prepare_current()
page.run()
