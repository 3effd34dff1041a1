"""The reference for latency: a trivial Streamlit app of the Compare page's shape.

A wide page with a sidebar of the same kinds of widgets, a title, two Plotly
scatter charts of 300 points and a small table, with no computation to speak
of. ``python -m bench.load_test --table`` measures it in the same run as the
app, so the app's page loads are reported as a multiple of what Streamlit
itself costs on this machine at that moment.
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Trivial reference", layout="wide")

with st.sidebar:
    st.selectbox("Dataset", ["blobs", "moons", "iris"])
    st.slider("K", 1, 12, 3)
    st.selectbox("Covariance type", ["full", "tied", "diag", "spherical"])
    st.checkbox("Standardise features", value=True)
    st.number_input("Seed", 0, 100, 0)
    st.radio("View", ["PCA", "Features"], horizontal=True)

st.title("Trivial reference")
st.markdown("Two scatter charts and a table, nothing computed.")

rng = np.random.default_rng(0)
points = rng.normal(size=(300, 2))
labels = rng.integers(0, 3, 300)
left, right = st.columns(2)
for column, name in ((left, "K-means"), (right, "GMM")):
    figure = go.Figure(go.Scattergl(x=points[:, 0], y=points[:, 1], mode="markers",
                                    marker={"color": labels}))
    figure.update_layout(title=name, height=420)
    column.plotly_chart(figure, use_container_width=True)
st.dataframe(pd.DataFrame({"metric": ["ARI", "NMI", "silhouette"], "K-means": [0.5, 0.6, 0.4],
                           "GMM": [0.7, 0.7, 0.3]}))
