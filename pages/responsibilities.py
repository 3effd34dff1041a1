"""Responsibilities: how sure the GMM is about every point."""

import streamlit as st

from dashboard import charts
from dashboard.ui import entry, widgets

entry.ensure_entry_point()

cur = widgets.page_start("Responsibilities", needs_mixture=True)
c = cur.comparison
st.markdown(
    "A GMM does not just pick a cluster: it gives every point a probability for each "
    "component (its *responsibility*). K-means has no such notion — each point belongs "
    "to exactly one centroid."
)
widgets.plot(st, charts.responsibility_heatmap(c.resp), key="resp_heatmap")
left, right = st.columns(2)
with left:
    widgets.plot(st, charts.uncertainty_figure(cur.view, c.X, c.resp), key="resp_uncertainty")
with right:
    widgets.plot(st, charts.max_responsibility_histogram(c.resp), key="resp_histogram")
