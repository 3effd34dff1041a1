"""3-D view: K-means and the GMM side by side in three dimensions, rotatable."""

import streamlit as st

from dashboard import shape_charts, shapes
from dashboard.ui import cached, entry, widgets

entry.ensure_entry_point()

cur = widgets.page_start("3-D view")
c = cur.comparison
if len(cur.columns) < 3:
    st.info(f"The 3-D view needs three or more features; this data uses {len(cur.columns)}. "
            "Choose a dataset with more (iris has four) or more Feature columns in the "
            "sidebar.", icon=":material/view_in_ar:")
    st.stop()

st.markdown(
    "The same two clusterings as on Compare, in three dimensions: drag a chart to rotate it, "
    "scroll to zoom, double-click to reset. K-means' clusters are the regions nearest each "
    "centroid (the solid crosses); the GMM's are shaped by each component's covariance, "
    "drawn as translucent ellipsoids round its mean (◆)."
)
axes = widgets.view3d_axes(cur)
left_option, right_option = st.columns(2)
outline = left_option.toggle("Ring the points the two methods assign differently", value=True,
                             key="view3d_rings",
                             help="A magenta ring round every point whose K-means cluster "
                                  "and GMM cluster differ (after matching numbers).")
ellipsoids = right_option.toggle("Show the 1σ and 2σ ellipsoids", value=True,
                                 key="view3d_ellipsoids",
                                 help="Surfaces at Mahalanobis distance 1 and 2 from each "
                                      "mean: every component's covariance projected onto "
                                      "the three axes shown.")
left, right = st.columns(2)
widgets.plot(left, cached.figure_3d(cur, axes, shape_charts.kmeans_3d_figure, outline),
             key="view3d_kmeans")
if c.gmm is not None:
    widgets.plot(right, cached.figure_3d(cur, axes, shape_charts.gmm_3d_figure, outline,
                                         ellipsoids), key="view3d_gmm")

view3 = cached.view3d_for(cur, axes)
one, two = (100 * shapes.ellipsoid_mass(r, 3) for r in (1, 2))
notes = [view3.note,
         f"In three dimensions a Gaussian holds {one:.0f}% of its mass within its 1σ "
         f"ellipsoid and {two:.0f}% within 2σ."]
if len(cur.columns) > 3:
    notes.append(f"With {len(cur.columns)} features, each ellipsoid is the shadow of the "
                 "component's full ellipsoid on these three axes (its covariance projected, "
                 "AΣAᵀ); the fits use every feature.")
st.caption(" ".join(n for n in notes if n))
