"""Data: how the file was read, a preview, per-column summary and a scatter matrix."""

import pandas as pd
import streamlit as st

from dashboard import charts, compare
from dashboard.text import escape
from dashboard.ui import entry, state, widgets

entry.ensure_entry_point()

SUMMARY_ROWS = 100_000  # the summary table reads at most this many rows
SPLOM_COLUMNS = 6  # a scatter matrix of more panels is unreadable

cur = state.current()
data = cur.data
X = cur.comparison.X

st.title("Data")
st.caption(escape(data.description, 400))
if data.report:
    with st.expander("How the file was read", expanded=True):
        for line in data.report:
            st.markdown("- " + escape(line, 400))
if cur.comparison.rows is not None:
    st.info(f"The app works on a uniform random sample of {len(X):,} of the "
            f"{len(data.X):,} rows (see the Compare page); this page shows that sample.")

frame = pd.DataFrame(X, columns=list(cur.columns))
labels = cur.shown_labels
if labels is not None:
    frame.insert(0, "true label", labels)
st.subheader(f"Preview ({len(frame):,} rows)" + (" — standardised" if cur.settings.standardize
                                                  else ""))
st.dataframe(frame.head(200), width="stretch", height=260)

st.subheader("Summary per column")
summary = frame[list(cur.columns)]
if len(summary) > SUMMARY_ROWS:
    summary = summary.iloc[compare.uniform_sample(len(summary), SUMMARY_ROWS, 0)]
    st.caption(f"Computed on a uniform random sample of {SUMMARY_ROWS:,} rows.")
st.dataframe(summary.describe().T, width="stretch")

st.subheader("Scatter matrix")
shown = list(cur.columns[:SPLOM_COLUMNS])
if len(cur.columns) > SPLOM_COLUMNS:
    st.caption(f"The first {SPLOM_COLUMNS} of the {len(cur.columns)} features; choose others in "
               "the sidebar's Feature columns.")
widgets.plot(st, charts.scatter_matrix(X[:, :len(shown)], shown, labels), key="data_splom")
