"""Data: preview, per-column summary and a scatter matrix."""

import pandas as pd
import streamlit as st

from dashboard import charts, ui

cur = ui.current()
data = cur.data
X = cur.comparison.X

st.title("Data")
st.caption(data.description)
if data.report:
    with st.expander("How the file was read", expanded=True):
        for line in data.report:
            st.markdown(f"- {line}")

frame = pd.DataFrame(X, columns=list(cur.columns))
if cur.labels is not None:
    frame.insert(0, "true label", cur.labels)
st.subheader(f"Preview ({len(frame):,} rows)" + (" — standardised" if cur.settings.standardize
                                                  else ""))
st.dataframe(frame.head(200), width="stretch", height=260)

st.subheader("Summary per column")
st.dataframe(frame[list(cur.columns)].describe().T, width="stretch")

st.subheader("Scatter matrix")
ui.plot(st, charts.scatter_matrix(X, cur.columns, cur.labels), key="data_splom")
