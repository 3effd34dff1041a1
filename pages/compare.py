"""Compare: K-means and the GMM side by side on the same data."""

import pandas as pd
import streamlit as st

from dashboard import charts, compare, export
from dashboard.text import escape
from dashboard.ui import cached, entry, sidebar, state, widgets

entry.ensure_entry_point()

cur = state.current()
c = cur.comparison

st.title("K-means vs Gaussian mixture")
st.caption(escape(cur.data.description, 400))
widgets.show_fit_messages(c)

summary = cached.per_fit(cur, compare.agreement)
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
    widgets.plot(st, cached.figure(cur, charts.kmeans_figure), key="compare_kmeans")
with right:
    if c.gmm is not None:
        widgets.plot(st, cached.figure(cur, charts.gmm_figure), key="compare_gmm")

notes = [cur.view.note]
if not cur.view.is_exact and len(cur.columns) > 2:
    notes.append("With more than two features, the shaded regions are those of the models' "
                 "2-D projections onto this view; the fits use every feature.")
st.caption(" ".join(n for n in notes if n))

st.subheader("Metrics")
table = pd.DataFrame(cached.metrics_rows(cur)).set_index("metric")
st.dataframe(table.map(compare.format_value), width="stretch")

st.subheader("Take it away")
features = sidebar.fitted_features(cur)
csv_col, json_col, py_col = st.columns(3)
csv_col.download_button(
    "Data with labels and responsibilities (CSV)",
    lambda: export.to_csv_bytes(export.results_frame(c, cur.columns, cur.labels, features)),
    file_name=export.CSV_NAME, mime="text/csv", key="compare_download_csv",
    icon=":material/table:", width="stretch", on_click="ignore")
json_col.download_button(
    "Both fitted models (JSON)",
    lambda: export.models_json_bytes(c, cur.columns, features),
    file_name=export.JSON_NAME, mime="application/json", key="compare_download_json",
    icon=":material/data_object:", width="stretch", on_click="ignore")
script = export.reproduce_script(cur.columns, c.settings, n_init=c.plan.n_init if c.plan else None)
py_col.download_button(
    "Python script that refits them", script, file_name="refit_kmeans_vs_gmm.py",
    mime="text/x-python", key="compare_download_py", icon=":material/code:",
    width="stretch", on_click="ignore")
st.caption("The CSV has your columns as loaded (before standardising), the true labels when "
           "known, both clusters (GMM clusters numbered to match K-means'), every "
           "responsibility and the uncertainty. The JSON loads back with "
           "`gmmcore.models_from_dict(json.load(f))`. Every chart exports a PNG from its "
           "toolbar (camera icon).")
with st.expander("The script"):
    st.code(script, language="python")
