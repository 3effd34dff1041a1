"""EM step-through: the mixture and K-means replayed iteration by iteration."""

import numpy as np
import streamlit as st

from dashboard import charts, explain
from dashboard.settings import STEP_TABS
from dashboard.ui import cached, entry, widgets

entry.ensure_entry_point()

STEP_POINTS = 3000

cur = widgets.page_start("EM step by step")
c = cur.comparison
rows = charts.display_rows(len(c.X), STEP_POINTS)
if not explain.has_history(c):
    st.info("This model was saved without its iterations: fit with `python -m gmmcore fit "
            "--history` (the default) or download it from the Compare page to step through it.")
    st.stop()
st.markdown(
    "Both algorithms alternate two steps from a starting guess (iteration 0). "
    "**EM**: the E-step gives every point a responsibility for each component "
    "(colours blend where a point is shared); the M-step moves each mean to the "
    "responsibility-weighted average and refits its covariance. **Lloyd's K-means**: each "
    "point goes wholly to its nearest centroid, then each centroid moves to the mean of its "
    "points. Faint markers and arrows show where the last step moved them. **▶ Play** on "
    "the chart runs the iterations from the one the slider shows to the last, in your "
    "browser."
)


def show_gmm():
    n_iter = c.gmm.n_iter_
    t = widgets.iteration_slider("gmm", explain.recorded_steps(c.gmm), "EM iteration")
    step = explain.gmm_step(c, t, rows)
    path = cached.per_fit(cur, explain.gmm_log_likelihood_path)
    left, right = st.columns([3, 2])
    figure = charts.animated(
        charts.gmm_step_figure(cur.view, c.X, rows, step, n_iter, figure=charts.AnimatedFigure),
        cached.step_frames(cur, "gmm", rows, t), t)
    widgets.plot(left, figure, key="steps_gmm_chart")
    widgets.plot(right, charts.step_curve_figure(path, t, "Mean log-likelihood",
                                            "mean log-likelihood", charts.cluster_color(0)),
            key="steps_gmm_curve")
    gain = "" if t == 0 else f", {path[t] - path[t - 1]:+.4g} since iteration {t - 1}"
    right.markdown(f"**Iteration {t}**: mean log-likelihood {path[t]:.6g}{gain}.")
    right.dataframe(
        {"cluster": np.arange(1, c.settings.k + 1), "weight": step.weights,
         "points (sum of responsibilities)": np.round(step.weights * len(c.X), 1)},
        hide_index=True, width="stretch")


def show_kmeans():
    n_iter = c.kmeans.n_iter_
    t = widgets.iteration_slider("kmeans", explain.recorded_steps(c.kmeans), "Lloyd iteration")
    step = explain.kmeans_step(c, t, rows)
    path = explain.kmeans_inertia_path(c)
    left, right = st.columns([3, 2])
    figure = charts.animated(
        charts.kmeans_step_figure(cur.view, c.X, rows, step, n_iter,
                                  figure=charts.AnimatedFigure),
        cached.step_frames(cur, "kmeans", rows, t), t)
    widgets.plot(left, figure, key="steps_kmeans_chart")
    widgets.plot(right, charts.step_curve_figure(path, t, "Inertia", "inertia",
                                            charts.cluster_color(2)),
            key="steps_kmeans_curve")
    change = "" if t == 0 else f", {path[t] - path[t - 1]:+.4g} since iteration {t - 1}"
    right.markdown(f"**Iteration {t}**: inertia {path[t]:.6g}{change}.")


# The open tab is kept in the session (and so in links); only its content runs.
gmm_tab, kmeans_tab = st.tabs(
    list(STEP_TABS.values()), key="steps_tab", on_change="rerun",
    default=STEP_TABS.get(st.session_state.get("steps_tab_choice"), STEP_TABS["em"]))
if gmm_tab.open is not False:
    with gmm_tab:
        if c.gmm is None:
            st.info("The Gaussian mixture could not be fitted with these settings.")
        else:
            st.fragment(show_gmm)()  # moving the slider reruns only this
if kmeans_tab.open is not False:
    with kmeans_tab:
        st.fragment(show_kmeans)()
if not cur.view.is_exact and len(cur.columns) > 2:
    st.caption(f"{cur.view.note} Ellipses and regions are those of the models projected "
               "onto this view; the fits use every feature.")
