"""Why this cluster? One point, every term that decides it, for both methods."""

import pandas as pd
import streamlit as st

from dashboard import charts, compare, explain
from dashboard.ui import entry, widgets

entry.ensure_entry_point()

cur = widgets.page_start("Why this cluster?", needs_mixture=True)
c = cur.comparison

clicked = widgets.clicked_row("inspect_chart")
if clicked is not None:
    widgets.set_inspected_row(clicked)

left, right = st.columns([3, 2])
with right:
    st.markdown("Click a point in the chart, or type its row number. The first point shown "
                "is one where the two methods disagree.")
    row = widgets.row_input(cur)
    e = explain.explain_point(c, row)
    for sentence in explain.explain_in_words(e):
        if sentence:
            st.markdown(sentence)
    values = pd.Series(c.X[row], index=list(cur.columns), name=f"row {row}")
    st.dataframe(values.to_frame().T, width="stretch")
with left:
    widgets.plot(st, charts.inspector_figure(c, cur.view, e), key="inspect_chart",
            on_select="rerun", selection_mode="points")

kmeans_terms, gmm_terms = st.columns([2, 3])
widgets.plot(kmeans_terms, charts.kmeans_terms_figure(e), key="inspect_terms_kmeans")
widgets.plot(gmm_terms, charts.gmm_terms_figure(e), key="inspect_terms_gmm")
st.markdown(
    "K-means picks the cluster with the smallest squared distance. The GMM picks the "
    "largest **log weight + log density**: minus half the squared Mahalanobis distance (the "
    "distance measured in the cluster's own spread), minus half the log-determinant of its "
    "covariance (wide clusters spread their density thin), plus the log of its mixing weight."
)
table = pd.DataFrame(e.table()).set_index("cluster")
st.dataframe(table.map(compare.format_value), width="stretch")
