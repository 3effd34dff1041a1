"""K-means vs Gaussian mixtures: the entry point.

Renders the shared sidebar (so its widgets keep their values on every page),
fits both models once for the current settings, then runs the chosen page.
"""

import streamlit as st

from dashboard.ui import entry

PAGES = [  # (file, title, icon); the first is the default page
    ("pages/compare.py", "Compare", ":material/compare:"),
    ("pages/data.py", "Data", ":material/table_chart:"),
    ("pages/responsibilities.py", "Responsibilities", ":material/percent:"),
    ("pages/convergence.py", "Convergence", ":material/trending_down:"),
    ("pages/steps.py", "EM step-through", ":material/step:"),
    ("pages/inspect.py", "Why this cluster?", ":material/help:"),
    ("pages/outliers.py", "Outliers", ":material/crisis_alert:"),
    ("pages/density.py", "Density and distance", ":material/blur_on:"),
    ("pages/view3d.py", "3-D view", ":material/view_in_ar:"),
    ("pages/choose_k.py", "Choose K", ":material/query_stats:"),
    ("pages/math.py", "How it works", ":material/function:"),
]


def main():
    """One run of the app: page config, navigation, the sidebar's fit, the chosen page."""
    st.set_page_config(page_title="K-means vs GMM", page_icon=":material/scatter_plot:",
                       layout="wide")
    # Our own constant CSS: long formulas scroll sideways instead of being cut at the edge.
    st.html("<style>.katex-display { overflow-x: auto; overflow-y: hidden; } "
            f"{entry.PRELOAD_CSS}</style>")
    preloading = entry.preload_charts()
    from dashboard.ui import sidebar  # NumPy, SciPy, Plotly: while the browser loads Plotly

    page = st.navigation([st.Page(path, title=title, icon=icon, default=path == PAGES[0][0])
                          for path, title, icon in PAGES])
    sidebar.prepare_current()
    entry.run_page(page, preloading)


# Streamlit runs this file as __main__; the heavy-work process, started by spawn, imports
# it as __mp_main__ and must not run the app.
if __name__ == "__main__":
    main()
