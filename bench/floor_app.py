"""The floor for browser latency: the least a Streamlit app of the Compare page's shape costs.

A wide page with a K slider and a covariance-type menu in the sidebar and two
WebGL Plotly scatter charts of 600 points, coloured by the nearest of K fixed
centres (so every change of K or of the menu changes both charts' data),
nothing else computed; a second page of the same shape, so a page switch can
be timed too. ``python -m bench.browser_latency`` drives it in Chromium beside
``app.py`` and reports the app's times as multiples of this app's.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

N_POINTS = 600
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def charts(title):
    """Two WebGL scatter charts of the same 600 points, coloured by the nearest of K
    centres; the covariance-type menu picks the marker symbol."""
    st.title(title)
    rng = np.random.default_rng(0)
    points = rng.normal(size=(N_POINTS, 2))
    k = st.session_state["k"]
    labels = ((points[:, None, :] - points[None, :k, :]) ** 2).sum(axis=2).argmin(axis=1)
    symbol = ["circle", "square", "diamond", "cross"][
        COVARIANCE_TYPES.index(st.session_state["covariance_type"])]
    left, right = st.columns(2)
    for column, name in ((left, "K-means"), (right, "GMM")):
        figure = go.Figure(go.Scattergl(x=points[:, 0], y=points[:, 1], mode="markers",
                                        marker={"color": labels, "symbol": symbol}))
        figure.update_layout(title=f"{name}, K = {k}", height=460)
        column.plotly_chart(figure, width="stretch", key=f"{title}_{name}")


def first_page():
    charts("Floor")


def second_page():
    charts("Floor, second page")


st.set_page_config(page_title="Floor", layout="wide")
page = st.navigation([st.Page(first_page, title="Compare", default=True),
                      st.Page(second_page, title="Second page", url_path="second")])
with st.sidebar:
    st.slider("Number of clusters K", 1, 12, 3, key="k")
    st.selectbox("GMM covariance type", COVARIANCE_TYPES, key="covariance_type")
page.run()
