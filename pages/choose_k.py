"""Choose K: information criteria over K x covariance type, and K-means' elbow."""

import streamlit as st

from dashboard import charts, choose_k
from dashboard.settings import MAX_K
from dashboard.text import escape
from dashboard.ui import cached, entry, state, widgets

entry.ensure_entry_point()

cur = state.current()
c = cur.comparison
n_rows = len(c.X)

st.title("Choose K")
st.markdown(
    "A mixture with more components always fits the data better; the information criteria "
    "charge for every extra parameter. **BIC** charges log(n) per parameter, **AIC** 2, and "
    "**ICL** is BIC plus a charge for overlapping clusters. Lower is better. Every fit uses "
    "the sidebar's initialisation, seed, restarts and tolerance."
)

top = max(1, min(MAX_K, n_rows))
st.session_state.setdefault("choose_k_range", (st.session_state.get("choose_k_min", 1),
                                               st.session_state.get("choose_k_max", 8)))
lo, hi = st.session_state["choose_k_range"]
st.session_state["choose_k_range"] = (min(lo, hi, top), min(hi, top))
a, b = st.columns([3, 2])
ks_range = a.slider("Range of K", 1, top, key="choose_k_range") if top > 1 else (1, 1)
criterion = b.radio("Criterion", list(charts.CRITERIA), key="choose_k_criterion",
                    format_func=charts.CRITERIA.get, horizontal=True)
ks = list(range(ks_range[0], ks_range[1] + 1))

bar = st.progress(0.0, text="Fitting the models…")
gmm, kmeans, plan = cached.model_grid(
    cur, ks, lambda done, total: bar.progress(done / total, text=f"Fitted {done} of {total} "
                                                              "models…"))
bar.empty()
for note in plan.notes:
    st.info(note)
best = choose_k.recommended(gmm, criterion)

left, right = st.columns(2)
widgets.plot(left, charts.selection_lines(gmm, criterion), key="choose_k_lines")
widgets.plot(right, charts.elbow_figure(kmeans["k"], kmeans["inertia"], kmeans["silhouette"]),
             key="choose_k_elbow")
widgets.plot(st, charts.selection_heatmap(gmm, criterion), key="choose_k_heatmap")

if best is None:
    st.error("No mixture could be fitted in this range. Try standardising the features, a "
             "larger reg_covar or a smaller K.")
else:
    covariance_type, k = best
    label = charts.CRITERIA[criterion]
    low_type, low_k = choose_k.lowest(gmm, criterion)
    current = (c.settings.covariance_type, c.settings.k)
    rule = (f"the simplest model (fewest parameters) whose {label} is within "
            f"{choose_k.MARGIN} of the lowest; a smaller difference is not 'very strong' "
            "evidence on Kass and Raftery's scale")
    lowest_note = "" if (low_type, low_k) == best else \
        f" The lowest {label} is at K = {low_k}, {low_type} covariance."
    st.success(f"Recommended: **K = {k}, {covariance_type} covariance** — {rule}."
               + lowest_note + (" The sidebar already uses it." if current == best else ""))
    st.button(f"Use K = {k} and {covariance_type} covariance in the sidebar",
              key="choose_k_use", on_click=widgets.use_model, args=(k, covariance_type),
              disabled=current == best, type="primary",
              help="Puts this K and covariance type into the sidebar and fits them.")
for (covariance_type, k), message in gmm["errors"].items():
    st.caption(f"K = {k}, {covariance_type}: could not be fitted — {escape(message, 400)}")
