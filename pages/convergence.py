"""Convergence: EM's log-likelihood and Lloyd's inertia, iteration by iteration."""

import numpy as np
import streamlit as st

from dashboard import charts, explain
from dashboard.ui import cached, entry, widgets

entry.ensure_entry_point()

RESTART_COLUMNS = {
    "log likelihood": st.column_config.NumberColumn(format="%.6f"),
    "inertia": st.column_config.NumberColumn(format="%.6g"),
    "gap to best": st.column_config.NumberColumn(format="%.3g"),
    "ARI vs best": st.column_config.NumberColumn(format="%.3f"),
}

cur = widgets.page_start("Convergence")
c = cur.comparison
s = cur.settings
left, right = st.columns(2)
with left:
    if c.gmm is not None and not hasattr(c.gmm, "lower_bounds_"):
        st.info("The loaded model file does not record the mixture's iterations.")
    elif c.gmm is not None:
        widgets.plot(st, charts.gmm_convergence_figure(c.gmm.lower_bounds_, c.gmm.converged_),
                key="conv_gmm")
        gains = np.diff(c.gmm.lower_bounds_, prepend=np.nan)
        widgets.plot(st, charts.change_figure(gains, s.tol, "GMM: change in log-likelihood",
                                         f"tol = {s.tol:g}"),
                key="conv_gmm_change")
        outcome = "converged" if c.gmm.converged_ else "did not converge"
        st.caption(f"EM stops when the mean log-likelihood changes by less than tol "
                   f"({s.tol:g}) or after max_iter ({s.max_iter}) iterations; it ran "
                   f"{c.gmm.n_iter_} and {outcome}.")
with right:
    widgets.plot(st, charts.kmeans_convergence_figure(c.kmeans.inertias_, c.kmeans.converged_),
            key="conv_kmeans")
    if hasattr(c.kmeans, "history_"):
        history = np.asarray(c.kmeans.history_)
        shifts = ((np.diff(history, axis=0)) ** 2).sum(axis=(1, 2))
        kmeans_tol = c.kmeans.tol * float(np.mean(c.X.var(axis=0)))
        widgets.plot(st, charts.change_figure(shifts, kmeans_tol, "K-means: squared centroid shift",
                                         f"tol ({c.kmeans.tol:g}) × mean variance"),
                key="conv_kmeans_change")
    st.caption("Lloyd's algorithm stops when no label changes, or when the centroids move "
               f"less than tol ({c.kmeans.tol:g}) times the mean feature variance.")

st.header("Restarts")
if not explain.has_restarts(c):
    st.caption("The loaded model file does not keep its restarts.")
    st.stop()
runs = len(c.kmeans.restarts_)
if runs == 1 and s.n_init == 1:
    st.markdown("Each fit starts from one initialisation. Run several (the best one is kept) "
                "to see how much the starting point matters.")
    st.button("Run 10 restarts", key="conv_restarts", on_click=widgets.set_restarts, args=(10,),
              help="Sets the sidebar's Restarts (n_init) to 10 and fits again.")
    st.stop()
st.markdown(f"Both methods ran from {runs} initialisations and kept the best: the "
            "highest final log-likelihood for the GMM, the lowest inertia for K-means. "
            "*ARI vs best* is 1 when a restart ends in the same clustering as the best.")
left, right = st.columns(2)
if c.gmm is not None:
    gmm_runs = cached.per_fit(cur, explain.gmm_restarts)
    widgets.plot(left, charts.restart_curves_figure(
            gmm_runs, "log_likelihood", "GMM: every restart's log-likelihood",
            "mean log-likelihood"), key="conv_gmm_restarts")
    left.dataframe(explain.restart_table(gmm_runs, "log_likelihood"), hide_index=True,
                   width="stretch", column_config=RESTART_COLUMNS)
kmeans_runs = cached.per_fit(cur, explain.kmeans_restarts)
widgets.plot(right, charts.restart_curves_figure(
        kmeans_runs, "inertia", "K-means: every restart's inertia", "inertia"),
        key="conv_kmeans_restarts")
right.dataframe(explain.restart_table(kmeans_runs, "inertia"), hide_index=True, width="stretch",
                column_config=RESTART_COLUMNS)
