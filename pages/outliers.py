"""Outliers: which points don't belong, by distance (K-means) and by density (the GMM)."""

import pandas as pd
import streamlit as st

from dashboard import compare, export, outliers
from dashboard.settings import by_key
from dashboard.ui import cached, entry, sidebar, widgets

entry.ensure_entry_point()

TABLE_ROWS = 1000  # flagged rows shown in the table; the download has them all
CSV_NAME = "kmeans_vs_gmm_outliers.csv"

cur = widgets.page_start("Which points don't belong?", needs_mixture=True)
c = cur.comparison
st.markdown(
    "**K-means** flags the points farthest from every centroid: one distance cut for every "
    "cluster. The **Gaussian mixture** flags the least probable points: its log-density "
    "weighs distance by each cluster's own spread, shape and weight. A point can be far from "
    "every centroid yet well explained by a wide cluster, or close to a centroid yet "
    "improbable under a tight one. Both methods flag the same share of rows.")

share_control = by_key("outliers_share")
percent = widgets.outlier_share(share_control)
scores = cached.outlier_scores(cur)
flags = cached.outlier_flags(cur, percent / 100)
truth = outliers.true_outliers(cur.shown_labels)
if truth is not None:
    true_pct = min(max(round(100 * truth.mean(), 1), share_control.setting.low),
                   share_control.setting.high)
    st.button(f"Flag the true share of outliers ({100 * truth.mean():.1f} %)",
              key="outliers_true_share", on_click=widgets.set_share,
              args=(share_control.key, true_pct), disabled=abs(true_pct - percent) < 1e-9,
              icon=":material/target:")

counts = flags.counts()
shown = [("K-means flags", f"{counts['kmeans']:,}", "Rows at or beyond its distance cut."),
         ("GMM flags", f"{counts['gmm']:,}", "Rows at or below its log-density cut."),
         ("Both flag", f"{counts['both']:,}", "Rows both methods flag."),
         ("Only one flags (ringed)", f"{counts['only_kmeans'] + counts['only_gmm']:,}",
          f"K-means alone {counts['only_kmeans']:,}, the GMM alone {counts['only_gmm']:,}.")]
for column, (label, value, help_text) in zip(st.columns(len(shown)), shown):
    column.metric(label, value, help=help_text)

for chart_key in ("outliers_kmeans", "outliers_gmm", "outliers_scores"):
    clicked = widgets.clicked_row(chart_key)
    if clicked is not None:
        widgets.set_outlier_row(clicked)
table = outliers.table(c, scores, flags, cur.columns, sidebar.fitted_features(cur), cur.labels,
                       max_rows=TABLE_ROWS)
chosen = widgets.selected_table_row("outliers_table", table)
if chosen is not None:
    widgets.set_outlier_row(chosen)
row = widgets.outlier_row(cur, outliers.default_row(scores, flags))

kmeans_fig, gmm_fig, scores_fig = cached.outlier_figures(cur, flags.share, row)
left, right = st.columns(2)
widgets.plot(left, kmeans_fig, key="outliers_kmeans", on_select="rerun",
             selection_mode="points")
widgets.plot(right, gmm_fig, key="outliers_gmm", on_select="rerun", selection_mode="points")
notes = [cur.view.note, "Click a point to explain it below."]
if cur.view.A.shape[1] == 2:
    notes.append("The dashed line is each method's cut: a circle round every centroid for "
                 "K-means, a density contour for the mixture.")
elif len(cur.columns) > 2:
    notes.append("Scores use every feature; the view is a projection, so a flagged point can "
                 "sit among others here.")
st.caption(" ".join(n for n in notes if n))
widgets.plot(st, scores_fig, key="outliers_scores", on_select="rerun", selection_mode="points")

if truth is not None:
    st.subheader("Against the true outliers")
    quality = pd.DataFrame(outliers.precision_recall(flags, truth)).set_index("method")
    st.dataframe(quality.map(compare.format_value), width="stretch")
    background = " (the generator's uniform background)" if cur.data.key == "generated" else ""
    st.caption(f"The data has {int(truth.sum()):,} rows whose true label is 'outlier'"
               f"{background}. Precision: the share of a method's flags that are true "
               "outliers; recall: the share of the true outliers it flags. Outliers that fall "
               "inside a cluster look like its points to both methods.")

st.subheader(f"Row {row}: why each method flags it or not")
explain_col, values_col = st.columns([3, 2])
with values_col:
    widgets.outlier_row_input(cur, row)
    features = sidebar.fitted_features(cur)
    loaded_row = row if c.rows is None else int(c.rows[row])
    values = pd.Series(features[loaded_row], index=list(cur.columns), name=f"row {row}")
    st.dataframe(values.to_frame().T, width="stretch")
    widgets.inspector_button(cur, row, "outliers_to_inspector")
with explain_col:
    for sentence in outliers.explain_row(c, scores, flags, row):
        st.markdown(sentence)

st.subheader(f"Flagged rows ({int(flags.either.sum()):,})")
if flags.either.sum() > TABLE_ROWS:
    st.caption(f"The {TABLE_ROWS:,} least probable are shown; the download has all of them.")
st.dataframe(table, hide_index=True, width="stretch", key="outliers_table", on_select="rerun",
             selection_mode="single-row",
             column_config={"K-means distance": st.column_config.NumberColumn(format="%.4g"),
                            "GMM log-density": st.column_config.NumberColumn(format="%.4g")})
st.caption("Click a column's header to sort; select a row to explain it above.")
st.download_button(
    "Flagged rows with both scores (CSV)",
    lambda: export.to_csv_bytes(outliers.table(c, scores, flags, cur.columns, features,
                                               cur.labels)),
    file_name=CSV_NAME, mime="text/csv", key="outliers_download_csv", icon=":material/table:",
    on_click="ignore")
