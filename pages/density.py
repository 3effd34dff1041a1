"""Density and distance: the mixture's log-density, and Euclidean circles next to
Mahalanobis ellipses for one cluster."""

import streamlit as st

from dashboard import explain, shape_charts, shapes
from dashboard.ui import cached, entry, widgets

entry.ensure_entry_point()

cur = widgets.page_start("Density and distance", needs_mixture=True)
c = cur.comparison
if len(cur.columns) < 2:
    st.info("This page draws in a plane and needs two or more features; with one, a circle "
            "and an ellipse are both intervals: the Why this cluster? page gives every "
            "distance.", icon=":material/blur_on:")
    st.stop()
projected = not cur.view.is_exact

st.markdown(
    "A Gaussian mixture is a **density**: every point of space gets a likelihood, high near "
    "the means and falling off along each component's own shape. K-means has no density; it "
    "only measures plain distance to the nearest centroid."
)
st.subheader("The mixture's log-density")
components = widgets.page_toggle("density_components")
widgets.plot(st, cached.figure(cur, shape_charts.density_figure, components),
             key="density_contours")
st.caption(
    "Contour lines of log p(x), evenly spaced from near the peak down to where the data thins "
    "out (as in scikit-learn's density estimation example); hover anywhere for the value."
    + (f" {cur.view.note} With more than two features the lines are the log-density of the "
       "two plotted coordinates: every component projected, N(Aμ, AΣAᵀ), which is the "
       "mixture's exact 2-D marginal; the fits use every feature." if projected else ""))

st.subheader("Near for one, far for the other")
st.markdown(
    "K-means measures plain (Euclidean) distance: its levels are **circles** round each "
    "centroid, the same in every direction and for every cluster — as if every cluster were "
    "the same round Gaussian of spread *s*. The GMM measures **Mahalanobis** distance, in "
    "units of the cluster's own spread along each direction: its levels are **ellipses**. "
    "The rings mark distance 1, 2 and 3 for both."
)
row_column, cluster_column, unit_column = st.columns(3)
with row_column:
    row = widgets.row_input(cur)
with cluster_column:
    cluster = widgets.density_cluster(cur, row)
with unit_column:
    unit = widgets.page_radio("density_unit", {"spread": "K-means' spread s",
                                               "data": "the data's units"}.get)
left, right = st.columns(2)
widgets.plot(left, cached.figure(cur, shape_charts.distance_figure, cluster, row, "euclidean",
                                 unit), key="density_euclidean")
widgets.plot(right, cached.figure(cur, shape_charts.distance_figure, cluster, row,
                                  "mahalanobis", unit), key="density_mahalanobis")
spread = cached.per_fit(cur, shapes.kmeans_spread)
euclidean, mahalanobis = shapes.distances_to_cluster(c, cluster, [row])
length = spread if unit == "spread" else 1.0
picks = (int(c.kmeans_labels[row]), int(c.gmm_labels[row]))
other = next((p for p in picks if p != cluster), None)
if other is not None:
    e_other, m_other = shapes.distances_to_cluster(c, other, [row])
    other = (other, e_other[0] / length, m_other[0])
for sentence in explain.rings_in_words(row, cluster, euclidean[0] / length, mahalanobis[0],
                                       unit, picks, other):
    st.markdown(sentence)
st.caption(
    f"K-means' spread s = {spread:.3g}"
    + (" (standardised units)" if c.settings.standardize else "")
    + ": the square root of its inertia per row and feature. "
    + (f"{cur.view.note} With {len(cur.columns)} features the circles and ellipses are the "
       "shadows of the full-dimensional ball and ellipsoid on this plane (the PCA plane or "
       "the two features chosen in the sidebar): a ball projects to a disc of the same "
       "radius, an ellipsoid to the ellipse of its projected covariance AΣAᵀ. Distances in "
       "the sentences and hovers are full-dimensional; a point's distance on the plane is at "
       "most its full distance." if projected else ""))
