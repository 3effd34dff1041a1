"""Geometry behind the 3-D view, the density contours and the distance rings.

Plain NumPy (and scikit-learn's PCA, as the 2-D view uses); no Streamlit, no
Plotly. Every map from feature space to a chart is a :class:`compare.View`
``y = (x - offset) @ A.T`` with orthonormal rows in ``A`` (principal
components, or chosen features), so

* a component N(μ, Σ) seen on the chart's axes is exactly N(Aμ, AΣAᵀ): its
  marginal, whose density the contours show and whose ellipse (ellipsoid) at
  Mahalanobis distance r is the shadow of the full-dimensional one;
* a Euclidean ball of radius r projects to a disc (ball) of the same radius.
"""

import numpy as np
from scipy.special import gammainc, logsumexp
from sklearn.decomposition import PCA

from gmmcore import gaussian

from .compare import Comparison, View

# The density grid: at most this many log-density values are computed and sent per
# chart (grid cells x contour layers), and a side of at most DENSITY_GRID cells; the
# resolution follows from these before anything is computed.
DENSITY_VALUES = 60_000
DENSITY_GRID = 120
DENSITY_MIN_GRID = 40
DENSITY_LEVELS = 12  # contour lines between the peak and the floor
SPHERE_LAT, SPHERE_LON = 14, 24  # ellipsoid mesh resolution: 14 x 24 vertices
RING_LEVELS = (1, 2, 3)


# ------------------------------------------------------------------- 3-D views
def pca_view3(X):
    """The view onto the first three principal components of ``X`` (n_features >= 3).

    Returns
    -------
    compare.View
        With ``A`` of shape (3, n_features).
    """
    pca = PCA(n_components=3, random_state=0).fit(X)
    share = 100 * pca.explained_variance_ratio_
    return View(pca.components_, pca.mean_, ("PC 1", "PC 2", "PC 3"),
                f"PC 1, PC 2 and PC 3 explain {share[0]:.0f}%, {share[1]:.0f}% and "
                f"{share[2]:.0f}% of the variance ({share.sum():.0f}% together).")


def feature_view3(columns, axes):
    """The view onto three of the features, ``axes`` (names in ``columns``)."""
    columns = list(columns)
    A = np.zeros((3, len(columns)))
    for i, name in enumerate(axes):
        A[i, columns.index(name)] = 1
    return View(A, np.zeros(len(columns)), tuple(axes))


def three_axes(columns, axes):
    """Three distinct features for the 3-D view: ``axes`` where they are valid, the
    first unused columns otherwise.

    Parameters
    ----------
    columns : sequence of str
        The features in use (at least three).
    axes : sequence of str or None
        The wanted x, y and z.

    Returns
    -------
    chosen : tuple of str
        Three distinct names of ``columns``.
    changed : bool
        True when some of ``axes`` could not be used.
    """
    chosen = []
    for name in axes:
        if name in columns and name not in chosen:
            chosen.append(name)
    spare = iter(c for c in columns if c not in chosen)
    while len(chosen) < 3:
        chosen.append(next(spare))
    return tuple(chosen), tuple(chosen) != tuple(axes)


def ellipsoid_mesh(mean, covariance, radius, n_lat=SPHERE_LAT, n_lon=SPHERE_LON):
    """The surface at Mahalanobis distance ``radius`` of a 3-D Gaussian, as triangles.

    A latitude-longitude unit sphere mapped through ``mean + radius * L u`` with
    ``L L^T = covariance`` (eigen-decomposition, so a flat component stays drawable).

    Parameters
    ----------
    mean : ndarray of shape (3,)
    covariance : ndarray of shape (3, 3)
    radius : float

    Returns
    -------
    vertices : ndarray of shape (n_vertices, 3)
        ``(v - mean)^T covariance^{-1} (v - mean) = radius**2`` for every vertex.
    triangles : ndarray of shape (n_triangles, 3)
        Vertex indices (Plotly's Mesh3d ``i``, ``j``, ``k``).
    """
    values, vectors = np.linalg.eigh(covariance)
    scale = vectors * np.sqrt(np.clip(values, 0, None))
    theta = np.linspace(0, np.pi, n_lat)[1:-1]  # poles added once each
    phi = np.linspace(0, 2 * np.pi, n_lon, endpoint=False)
    ring = np.stack([np.outer(np.sin(theta), np.cos(phi)), np.outer(np.sin(theta), np.sin(phi)),
                     np.outer(np.cos(theta), np.ones_like(phi))], axis=-1).reshape(-1, 3)
    unit = np.vstack([[0.0, 0.0, 1.0], ring, [0.0, 0.0, -1.0]])
    vertices = mean + radius * unit @ scale.T
    return vertices, _sphere_triangles(len(theta), n_lon)


def _sphere_triangles(n_rings, n_lon):
    """Triangles of a sphere of ``n_rings`` latitude rings of ``n_lon`` vertices
    between a north pole (vertex 0) and a south pole (the last vertex)."""
    def at(r, c):
        return 1 + r * n_lon + c % n_lon
    south = 1 + n_rings * n_lon
    tris = [(0, at(0, c), at(0, c + 1)) for c in range(n_lon)]
    for r in range(n_rings - 1):
        for c in range(n_lon):
            tris += [(at(r, c), at(r + 1, c), at(r + 1, c + 1)),
                     (at(r, c), at(r + 1, c + 1), at(r, c + 1))]
    tris += [(south, at(n_rings - 1, c + 1), at(n_rings - 1, c)) for c in range(n_lon)]
    return np.array(tris)


def circle_points(center, radius, n_points=120):
    """A circle of ``radius`` round a 2-D ``center``, shape (n_points + 1, 2), closed."""
    t = np.linspace(0, 2 * np.pi, n_points + 1)
    return np.asarray(center) + radius * np.column_stack([np.cos(t), np.sin(t)])


# ------------------------------------------------------------------ distances
def kmeans_spread(comparison: Comparison):
    """K-means' common spread ``s``: the standard deviation of the one round Gaussian
    every K-means cluster implicitly is, ``s^2 = sum ||x - c(x)||^2 / (n d)``.

    Euclidean distance in units of ``s`` is Mahalanobis distance under that model,
    so circles at 1, 2, 3 ``s`` are K-means' counterparts of the GMM's ellipses.
    """
    X = comparison.X
    diff = X - comparison.kmeans.cluster_centers_[comparison.kmeans_labels]
    return float(np.sqrt(np.einsum("nd,nd->", diff, diff) / X.size)) or 1.0


def distances_to_cluster(comparison: Comparison, j, rows=None):
    """Full-dimensional distances of rows to cluster ``j`` (matched numbering).

    Parameters
    ----------
    comparison : Comparison
    j : int
    rows : ndarray of int, optional
        The rows (default: all).

    Returns
    -------
    euclidean : ndarray of shape (n_rows,)
        To K-means' centroid ``j``, in the data's units.
    mahalanobis : ndarray of shape (n_rows,)
        To the GMM's mean ``j`` under its covariance.
    """
    X = comparison.X if rows is None else comparison.X[rows]
    euclidean = np.linalg.norm(X - comparison.kmeans.cluster_centers_[j], axis=1)
    cov = comparison.gmm_covariances[j]
    prec_chol = gaussian.precision_cholesky(cov[None], "full")
    mahalanobis = np.sqrt(gaussian.mahalanobis_sq(X, comparison.gmm_means[j][None],
                                                  prec_chol, "full")[:, 0])
    return euclidean, mahalanobis


# ---------------------------------------------------------------- density grid
def density_grid_size(n_layers):
    """Side of the density grid for ``n_layers`` contour layers (the mixture, plus one
    per component when they are drawn), decided before anything is computed."""
    side = int(np.sqrt(DENSITY_VALUES / max(n_layers, 1)))
    return int(np.clip(side, DENSITY_MIN_GRID, DENSITY_GRID))


def projected_mixture(comparison: Comparison, view: View):
    """The mixture as seen on the view's axes: weights, means and covariances of its
    marginal, components in matched order.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_axes)
    covariances : ndarray of shape (n_components, n_axes, n_axes)
        ``A Σ_k A^T``, with a tiny ridge where a component is flat along the view.
    """
    means = view.means(comparison.gmm_means)
    covs = view.covariances(comparison.gmm_covariances)
    ridge = 1e-12 * np.trace(covs, axis1=1, axis2=2).max()
    return comparison.gmm_weights, means, covs + max(ridge, 1e-300) * np.eye(covs.shape[-1])


def component_log_densities(points, weights, means, covariances):
    """``log π_k + log N(y | m_k, C_k)`` of every point, shape (n_points, n_components)."""
    prec_chol = gaussian.precision_cholesky(covariances, "full")
    return gaussian.log_gaussian_prob(points, means, prec_chol, "full") + np.log(weights)


def log_density_grid(comparison: Comparison, view: View, grid):
    """The mixture's log-density on the view's plane at ``grid`` points.

    For two-feature data this is ``gmm.score_samples`` of the grid points (the
    view is the data); with more features, the log-density of the two plotted
    coordinates (the mixture's 2-D marginal).

    Parameters
    ----------
    grid : ndarray of shape (n_points, 2)

    Returns
    -------
    mixture : ndarray of shape (n_points,)
    components : ndarray of shape (n_points, n_components)
        Each component's ``log π_k + log N_k``; ``logsumexp`` over them is ``mixture``.
    """
    weights, means, covs = projected_mixture(comparison, view)
    components = component_log_densities(grid, weights, means, covs)
    return logsumexp(components, axis=1), components


def contour_levels(log_density_grid_values, log_density_points, n_levels=DENSITY_LEVELS):
    """Evenly spaced contour levels from near the peak down to where the data thins out.

    Parameters
    ----------
    log_density_grid_values : ndarray
        The log-density on the grid (its maximum is the peak).
    log_density_points : ndarray
        The log-density at the shown data points; the floor is their 2nd percentile,
        so the lines cover where the points are.

    Returns
    -------
    start, end, size : float
        Plotly's ``contours`` (lines at start, start + size, ..., end).
    """
    top = float(np.max(log_density_grid_values))
    floor = float(np.percentile(log_density_points, 2)) if len(log_density_points) else top - 10
    floor = min(floor, top - 1e-6 * max(abs(top), 1.0))
    size = (top - floor) / n_levels
    return floor, top - size / 2, size


def ellipsoid_mass(radius, n_dims):
    """Share of a Gaussian's mass within Mahalanobis distance ``radius`` in ``n_dims``
    dimensions: the chi-squared distribution function, P(χ²_d <= r²)."""
    return float(gammainc(n_dims / 2, radius**2 / 2))


_CUBE = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=float)
_CUBE_TRIANGLES = np.array([  # two per face of the cube above
    (0, 1, 3), (0, 3, 2), (4, 6, 7), (4, 7, 5), (0, 4, 5), (0, 5, 1),
    (2, 3, 7), (2, 7, 6), (0, 2, 6), (0, 6, 4), (1, 5, 7), (1, 7, 3)])


def cross_mesh(center, arms, thickness=0.25):
    """A solid three-armed cross (a 3-D ×) as triangles: three thin boxes along x, y
    and z through ``center``.

    Parameters
    ----------
    center : ndarray of shape (3,)
    arms : ndarray of shape (3,)
        Half-length of the arm along each axis.
    thickness : float
        An arm's half-width as a share of its half-length.

    Returns
    -------
    vertices : ndarray of shape (24, 3)
    triangles : ndarray of shape (36, 3)
    """
    arms = np.asarray(arms, dtype=float)
    vertices, triangles = [], []
    for axis in range(3):
        half = thickness * arms.copy()
        half[axis] = arms[axis]
        vertices.append(np.asarray(center) + _CUBE * half)
        triangles.append(_CUBE_TRIANGLES + 8 * axis)
    return np.vstack(vertices), np.vstack(triangles)
