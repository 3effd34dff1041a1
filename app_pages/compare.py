"""Compare: K-means and the GMM side by side on the same data."""

import pandas as pd
import streamlit as st

from dashboard import charts, compare, export, ui

cur = ui.current()
c = cur.comparison

st.title("K-means vs Gaussian mixture")
st.caption(cur.data.description)
ui.show_fit_messages(c)

summary = compare.agreement(c)
if summary is not None:
    a, b, d = st.columns(3)
    a.metric("Points assigned differently",
             f"{summary['n_disagree']:,} ({100 * summary['share_disagree']:.1f}%)",
             help=f"Out of {len(c.X):,} points, after matching cluster numbers.")
    b.metric("Agreement: adjusted Rand index", f"{summary['ari']:.3f}",
             help="1 means identical clusterings; 0 is what chance gives.")
    d.metric("Agreement: normalised mutual information", f"{summary['nmi']:.3f}",
             help="1 means identical clusterings; 0 means unrelated.")
    st.markdown(
        "K-means measures plain Euclidean distance to a centroid; the GMM weighs distance by "
        "each cluster's spread and shape (Mahalanobis distance) and by its mixing weight. "
        "Ringed points are where that changes the answer."
    )

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.kmeans_figure(c, cur.view), width="stretch", key="compare_kmeans")
with right:
    if c.gmm is not None:
        st.plotly_chart(charts.gmm_figure(c, cur.view), width="stretch", key="compare_gmm")

notes = [cur.view.note]
if not cur.view.is_exact and len(cur.columns) > 2:
    notes.append("With more than two features, the shaded regions are those of the models' "
                 "2-D projections onto this view; the fits use every feature.")
st.caption(" ".join(n for n in notes if n))

st.subheader("Metrics")
table = pd.DataFrame(ui.metrics_rows(cur)).set_index("metric")
st.dataframe(table.map(compare.format_value), width="stretch")

frame = export.results_frame(c, cur.columns, cur.labels)
st.download_button(
    "Download data with both models' labels and responsibilities (CSV)",
    export.to_csv_bytes(frame), file_name="kmeans_vs_gmm.csv", mime="text/csv",
    key="compare_download_csv",
)
