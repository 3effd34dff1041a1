"""How it works: the formulas behind both methods, next to this fit's numbers."""

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import explain
from dashboard import mathtext as tex
from dashboard.text import escape
from dashboard.ui import cached, entry, widgets

entry.ensure_entry_point()

SMALL = 4  # largest number of features written out inside formulas

cur = widgets.page_start("How it works", needs_mixture=True)
c = cur.comparison
s = cur.settings
X = c.X
n, d = X.shape
names = list(cur.columns)

weights, means, covs = c.gmm_weights, c.gmm_means, c.gmm_covariances
k_range = range(s.k)
clusters = [f"cluster {j + 1}" for j in k_range]

st.header("1. The Gaussian density")
st.markdown("One feature, one bell curve: a mean μ says where it peaks, a variance σ² how "
            "wide it is. The further x is from μ *in units of σ*, the lower the density.")
st.latex(r"\mathcal{N}(x \mid \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}}"
         r"\exp\!\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)")
st.markdown(f"In this fit, cluster 1 along **{escape(names[0])}** has "
            f"μ = {means[0, 0]:.4g} and σ² = {covs[0, 0, 0]:.4g}.")

st.header("2. Many features: mean vector and covariance matrix")
st.markdown("With d features the mean becomes a vector μ and the variance a d × d "
            "**variance-covariance matrix** Σ: variances on the diagonal, covariances (how two "
            "features move together) off it. Its inverse turns distance into *Mahalanobis* "
            "distance, and its determinant |Σ| measures the cluster's volume.")
st.latex(r"\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \Sigma) = (2\pi)^{-d/2}\,|\Sigma|^{-1/2}"
         r"\exp\!\left(-\tfrac12 (\mathbf{x}-\boldsymbol\mu)^\top \Sigma^{-1}"
         r"(\mathbf{x}-\boldsymbol\mu)\right), \qquad "
         r"\Sigma_{ij} = \mathbb{E}\big[(x_i-\mu_i)(x_j-\mu_j)\big]")
j = st.selectbox("Component", list(k_range), format_func=lambda v: clusters[v],
                 key="math_component",
                 help="The mixture component whose numbers the formulas below show.")
left, right = st.columns(2)
left.markdown(f"**Mean μ of cluster {j + 1}**")
left.dataframe(pd.DataFrame({"μ": means[j]}, index=names), width="stretch")
right.markdown(f"**Covariance Σ of cluster {j + 1}** ({s.covariance_type})")
right.dataframe(pd.DataFrame(covs[j], index=names, columns=names), width="stretch")
if d <= SMALL:
    st.latex(rf"\boldsymbol\mu_{{{j + 1}}} = {tex.vector(means[j])}, \qquad "
             rf"\Sigma_{{{j + 1}}} = {tex.matrix(covs[j])}")

st.header("3. A mixture of K Gaussians")
st.markdown("The data is modelled as coming from K Gaussians; a point is drawn from "
            "component k with probability π_k, the **mixing weight** (the weights sum to 1).")
st.latex(r"p(\mathbf{x}) = \sum_{k=1}^{K} \pi_k\, \mathcal{N}(\mathbf{x} \mid "
         r"\boldsymbol\mu_k, \Sigma_k), \qquad \sum_k \pi_k = 1")
st.dataframe(pd.DataFrame({"weight π": weights, "points (n × π)": weights * n},
                          index=clusters).T, width="stretch")

st.header("4. Why K-means and the GMM disagree")
st.markdown("K-means minimises the plain squared distance to the nearest centroid: every "
            "direction counts the same, every cluster is as wide as every other. The GMM "
            "divides the squared distance by the cluster's variance (in many dimensions: "
            "multiplies by Σ⁻¹), so a point far from a wide cluster's centre can still belong "
            "to it; it also adds the size term and the mixing weight.")
st.latex(r"\text{K-means: } \min \sum_i \lVert \mathbf{x}_i - \boldsymbol\mu_{c(i)} "
         r"\rVert^2 \qquad\text{GMM, one feature: } \frac{(x-\mu_k)^2}{\sigma_k^2} "
         r"\qquad\text{GMM: } (\mathbf{x}-\boldsymbol\mu_k)^\top \Sigma_k^{-1}"
         r"(\mathbf{x}-\boldsymbol\mu_k)")
row = widgets.row_input(cur)
e = explain.explain_point(c, row)
st.dataframe(pd.DataFrame({
    "squared distance to K-means centroid": e.sq_euclidean,
    "squared Mahalanobis distance to GMM mean": e.terms.sq_mahalanobis[0],
}, index=clusters).T, width="stretch")
st.caption(f"Row {row}: K-means picks cluster {e.kmeans_pick + 1}, the GMM cluster "
           f"{e.gmm_pick + 1}. The 'Why this cluster?' page explains every term.")

st.header("5. EM, the E-step: responsibilities")
st.markdown("Given the current parameters, the E-step asks every component how likely it "
            "is to have produced each point, and normalises: the **responsibility** r_ik.")
st.latex(r"r_{ik} = \frac{\pi_k\,\mathcal{N}(\mathbf{x}_i \mid \boldsymbol\mu_k, \Sigma_k)}"
         r"{\sum_{j=1}^{K} \pi_j\,\mathcal{N}(\mathbf{x}_i \mid \boldsymbol\mu_j, \Sigma_j)}")
log_density = e.terms.log_joint[0] - e.terms.log_weight
log_joint = e.terms.log_joint[0]
total = e.terms.log_likelihood[0]
st.markdown(f"Worked for row {row}:")
if d <= SMALL:
    st.latex(rf"\mathbf{{x}}_{{{row}}} = {tex.vector(X[row])}")
terms = " + ".join(rf"{tex.number(weights[k], 3)} \cdot {tex.number_from_log(log_density[k])}"
                   for k in k_range)
st.latex(rf"\sum_j \pi_j \mathcal{{N}}(\mathbf{{x}} \mid j) = {terms} = "
         rf"{tex.number_from_log(total)}")
for k in k_range:
    st.latex(rf"r_{{{k + 1}}} = \frac{{{tex.number(weights[k], 3)} \cdot "
             rf"{tex.number_from_log(log_density[k])}}}{{{tex.number_from_log(total)}}} = "
             rf"{tex.number(e.resp[k], 3)}")

st.header("6. EM, the M-step: new parameters")
st.markdown("The M-step refits every component to the points, each point counted with "
            "its responsibility: a weighted count, a weighted mean and a weighted covariance "
            f"(plus reg_covar = {s.reg_covar:g} on the diagonal, so it stays invertible).")
st.latex(r"N_k = \sum_i r_{ik}, \quad \pi_k = \frac{N_k}{n}, \quad "
         r"\boldsymbol\mu_k = \frac{1}{N_k}\sum_i r_{ik}\,\mathbf{x}_i, \quad "
         r"\Sigma_k = \frac{1}{N_k}\sum_i r_{ik}(\mathbf{x}_i-\boldsymbol\mu_k)"
         r"(\mathbf{x}_i-\boldsymbol\mu_k)^\top + \epsilon I")
if s.covariance_type != "full":
    st.caption({"tied": "Tied: one Σ for all, the N_k-weighted average of the components' Σ_k.",
                "diag": "Diag: only the diagonal of Σ_k is kept.",
                "spherical": "Spherical: Σ_k = σ_k² I with σ_k² the mean of the diagonal."}
               [s.covariance_type])
update = cached.per_fit(cur, explain.next_m_step)
new_cov = update["full_covariances"][j]
st.markdown(f"Applied to cluster {j + 1} with the fitted model's responsibilities — the step "
            "one more iteration would take:")
st.latex(rf"N_{{{j + 1}}} = {tex.number(update['nk'][j])}, \quad "
         rf"\pi_{{{j + 1}}} = {tex.number(update['weights'][j])}"
         + (rf", \quad \boldsymbol\mu_{{{j + 1}}} = {tex.vector(update['means'][j])}, \quad "
            rf"\Sigma_{{{j + 1}}} = {tex.matrix(new_cov)}" if d <= SMALL else ""))
shift = float(np.linalg.norm(update["means"][j] - means[j]))
st.caption(f"The mean would move by {shift:.3g} (Euclidean): "
           + ("EM has converged, so the parameters barely change."
              if c.gmm.converged_ else "EM stopped at max_iter, so they still move."))

st.header("7. The log-likelihood EM climbs")
st.markdown("Without regularisation each E-step + M-step pair never lowers the "
            "log-likelihood of the data. The small reg_covar added to every variance makes the "
            "M-step maximise a slightly different objective, so the log-likelihood can then dip "
            "by a tiny amount; EM stops when it changes by less than tol.")
st.latex(r"\log L = \sum_{i=1}^{n} \log \sum_{k=1}^{K} \pi_k\, \mathcal{N}(\mathbf{x}_i "
         r"\mid \boldsymbol\mu_k, \Sigma_k)")
mean_ll = cached.per_fit(cur, explain.gmm_log_likelihood_path)[-1]
st.markdown(f"This fit: {c.gmm.n_iter_} iterations and a mean log-likelihood per point of "
            f"{mean_ll:.6g}, so log L = {n * mean_ll:,.6g} over {n:,} points (tol = "
            f"{s.tol:g}). The Convergence and EM step-through pages show it iteration by "
            "iteration.")

st.header("8. Precision: β = 1/σ² and Λ = Σ⁻¹")
p = explain.precision_terms(c, j, row)
st.markdown("The tutorial this app grew from writes the Gaussian with its **precision** "
            "β = 1/σ² instead of its variance, \"a more efficient way when we evaluate the "
            "PDF often\": every evaluation then multiplies by β instead of dividing by σ².")
st.latex(r"\mathcal{N}(x \mid \mu, \beta^{-1}) = \sqrt{\frac{\beta}{2\pi}}\,"
         r"\exp\!\left(-\frac{\beta}{2}(x-\mu)^2\right), \qquad \beta = \frac{1}{\sigma^2}")
st.markdown(f"Cluster {j + 1} along **{escape(names[0])}** on its own: "
            f"σ² = {p.covariance[0, 0]:.4g}, so β = 1/σ² = {p.beta:.4g}.")
st.markdown("With d features the precision is a matrix, **Λ = Σ⁻¹**, and the density needs "
            "neither an inverse nor a determinant of Σ: |Σ|^(−½) is |Λ|^(½).")
st.latex(r"\mathcal{N}(\mathbf{x} \mid \boldsymbol\mu, \Lambda^{-1}) = (2\pi)^{-d/2}\,"
         r"|\Lambda|^{1/2}\exp\!\left(-\tfrac12 (\mathbf{x}-\boldsymbol\mu)^\top \Lambda\,"
         r"(\mathbf{x}-\boldsymbol\mu)\right), \qquad \Lambda = \Sigma^{-1}")
if d <= SMALL:
    st.latex(rf"\Lambda_{{{j + 1}}} = \Sigma_{{{j + 1}}}^{{-1}} = {tex.matrix(p.precision)}")
else:
    st.markdown(f"**Precision Λ of cluster {j + 1}**")
    st.dataframe(pd.DataFrame(p.precision, index=names, columns=names), width="stretch")
if d > 1:
    st.caption(f"Λ₁₁ = {p.precision[0, 0]:.4g} is not β = {p.beta:.4g} unless "
               f"{escape(names[0])} is uncorrelated with the other features: Λ₁₁ is the "
               "precision of the first feature *given* the others (1/Λ₁₁ is its variance "
               "once they are known), β that of the feature on its own.")
st.markdown("gmmcore (like scikit-learn) stores neither Σ nor Λ for the E-step but a "
            "triangular factor **L** of the precision, Λ = L Lᵀ (`precisions_cholesky_`). "
            "The log-determinant is then a sum over its diagonal and the squared Mahalanobis "
            "distance the squared length of one vector:")
st.latex(r"\Lambda = L L^\top, \qquad \tfrac12 \log|\Lambda| = \sum_i \log L_{ii}, \qquad "
         r"(\mathbf{x}-\boldsymbol\mu)^\top \Lambda (\mathbf{x}-\boldsymbol\mu) = "
         r"\big\lVert L^\top (\mathbf{x}-\boldsymbol\mu) \big\rVert^2")
if d <= SMALL:
    st.latex(rf"L_{{{j + 1}}} = {tex.matrix(p.factor)}, \qquad \tfrac12 \log|\Lambda_{{{j + 1}}}|"
             rf" = {tex.number(p.half_log_det)}")
    st.latex(rf"L_{{{j + 1}}}^\top(\mathbf{{x}}_{{{row}}} - \boldsymbol\mu_{{{j + 1}}}) = "
             rf"{tex.vector(p.whitened)}, \qquad \lVert\cdot\rVert^2 = "
             rf"{tex.number(p.sq_mahalanobis)}")
else:
    st.markdown(f"For cluster {j + 1}: ½ log|Λ| = Σ log Lᵢᵢ = {p.half_log_det:.4g}; for row "
                f"{row}, ‖Lᵀ(x − μ)‖² = {p.sq_mahalanobis:.4g}.")
st.caption(f"The same squared Mahalanobis distance as in section 4's table for row {row} and "
           f"cluster {j + 1}.")
costs = explain.precision_costs(n, d, s.k, c.gmm.n_iter_)
st.markdown(
    "**Why EM stores precisions.** Every E-step needs every point's distance to every "
    "component. Solving Σ y = x − μ afresh for each point costs a factorisation of Σ per "
    "point; with the precision's factor stored, each component is factorised **once per "
    "iteration** and each point costs one triangular matrix-vector product, done for all "
    "points at once as a single matrix multiplication — and the determinant comes free from "
    f"L's diagonal. For this fit ({n:,} points, d = {d}, K = {s.k}, {c.gmm.n_iter_} "
    f"iterations): {costs['factorisations']:,} factorisations and about "
    f"{explain.in_words(costs['stored'])} multiply-adds, against about "
    f"{explain.in_words(costs['per_point'])} with a solve "
    f"per point — {costs['ratio']:.1f} times more.")
