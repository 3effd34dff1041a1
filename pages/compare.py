"""Compare: K-means and the GMM side by side on the same data."""

import streamlit as st

from dashboard import charts, compare, export
from dashboard.text import escape
from dashboard.ui import cached, entry, sidebar, widgets

entry.ensure_entry_point()

cur = widgets.page_start("K-means vs Gaussian mixture")
c = cur.comparison
st.markdown(
    "**K-means** puts every point with the nearest centroid by plain distance; a **Gaussian "
    "mixture** weighs distance by each cluster's own spread and shape, and by its size. "
    "Try another dataset, K or covariance type in the sidebar and watch where they part ways."
)
st.caption(escape(cur.data.description, 400))

headline = cached.headline(cur)
if headline is not None:
    shown = [("Points assigned differently",
              f"{headline['n_disagree']:,} ({100 * headline['share_disagree']:.1f}%)",
              f"Out of {len(c.X):,} points, after matching cluster numbers.")]
    if "ari_kmeans_truth" in headline:
        shown += [("K-means vs the true labels (ARI)", f"{headline['ari_kmeans_truth']:.3f}",
                   "Adjusted Rand index: 1 is a perfect match, 0 what chance gives."),
                  ("GMM vs the true labels (ARI)", f"{headline['ari_gmm_truth']:.3f}",
                   "Adjusted Rand index: 1 is a perfect match, 0 what chance gives.")]
    shown.append(("K-means vs GMM (ARI)", f"{headline['ari']:.3f}",
                  "How alike the two clusterings are: 1 identical, 0 unrelated."))
    for column, (label, value, help_text) in zip(st.columns(len(shown)), shown):
        column.metric(label, value, help=help_text)

outline = st.toggle("Outline the points the two methods assign differently", value=True,
                    key="compare_outline",
                    help="A thin magenta outline round every point whose K-means cluster "
                         "and GMM cluster differ (after matching numbers); its fill keeps "
                         "its own cluster's colour and symbol.")
# Both figures built before either is sent, so the browser draws them together.
figures = [cached.figure(cur, charts.kmeans_figure, outline),
           None if c.gmm is None else cached.figure(cur, charts.gmm_figure, outline)]
left, right = st.columns(2)
with left:
    widgets.plot(st, figures[0], key="compare_kmeans")
with right:
    if figures[1] is not None:
        widgets.plot(st, figures[1], key="compare_gmm")

notes = [cur.view.note]
if not cur.view.is_exact and len(cur.columns) > 2:
    notes.append("With more than two features, the shaded regions are those of the models' "
                 "2-D projections onto this view; the fits use every feature.")
st.caption(" ".join(n for n in notes if n))

st.subheader("Metrics")
st.table([{name: compare.format_value(value) if name != "metric" else value
           for name, value in row.items()} for row in cached.metrics_rows(cur)])

features = sidebar.fitted_features(cur)
profiles = cached.profiles(cur, features)
profile_box = st.expander("Per-cluster profile: size, mean and spread of every feature",
                          key="compare_profile_open", on_change="rerun")
if profile_box.open:  # drawn only while open
    with profile_box:
        st.dataframe(profiles, hide_index=True, width="stretch")
        st.caption("In the data's own units (before standardising), for the rows shown.")

st.subheader("Take it away")
csv_col, profile_col, json_col, py_col = st.columns(4)
csv_col.download_button(
    "Data with labels and responsibilities (CSV)",
    lambda: export.to_csv_bytes(export.results_frame(c, cur.columns, cur.labels, features,
                                                     cur.data.source)),
    file_name=export.CSV_NAME, mime="text/csv", key="compare_download_csv",
    icon=":material/table:", width="stretch", on_click="ignore")
profile_col.download_button(
    "Per-cluster profile (CSV)", lambda: export.to_csv_bytes(profiles),
    file_name=export.PROFILE_NAME, mime="text/csv", key="compare_download_profile",
    icon=":material/summarize:", width="stretch", on_click="ignore")
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
st.caption("The data CSV has every row of your file in its order (`source_row`) with all its "
           "columns, and both methods' results joined on: `kmeans_cluster`, `gmm_cluster` "
           "(numbered to match K-means'), `gmm_p_cluster_1`, ... and `gmm_uncertainty`; rows "
           "left out are kept with empty results and `excluded_because`. The JSON loads back "
           "with `gmmcore.models_from_dict(json.load(f))`. Every chart exports a PNG from its "
           "toolbar (camera icon).")
script_box = st.expander("The script", key="compare_script_open", on_change="rerun")
if script_box.open:  # drawn only while open
    with script_box:
        st.code(script, language="python")
