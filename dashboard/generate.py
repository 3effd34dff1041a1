"""Make your own data: Gaussian clusters of chosen sizes, spreads and shapes, plus outliers.

A teacher turns one knob (how sheared, how unequal in size or spread, how far
apart, how many background outliers) and watches K-means and the mixture part
ways. Every setting is in the settings table (:data:`dashboard.settings.GENERATOR`),
so a link carries it; the data is a pure function of the settings (a
:class:`Recipe`), generated with NumPy in blocks: 1,000,000 rows x 10 features
take about 0.2 s (``python -m bench.bench_generate``).

How the clusters are built
--------------------------
- **Sizes**: fall geometrically from cluster 1 to the last, the first
  ``size_ratio`` times the last (equal at 1); every cluster keeps a point.
- **Spread**: cluster j's standard deviation (root mean square over its axes)
  falls geometrically from ``sqrt(spread_ratio)`` (cluster 1) to
  ``1 / sqrt(spread_ratio)`` (the last).
- **Shape**: along its own axes a cluster's standard deviations fall
  geometrically from the longest to the shortest, ``elongation`` times less;
  the axes are then turned: all by ``angle`` degrees in the x1-x2 plane
  (``rotation = 'shared'``), each by its own random rotation (``'random'``),
  or not at all (``'none'``).
- **Centres**: spread out by farthest-point sampling over random candidates,
  then scaled so the two closest clusters (relative to their spreads) are
  ``separation`` mean standard deviations apart.
- **Outliers**: ``outlier_pct`` percent of the rows drawn uniformly over the
  box that holds every cluster to 3 standard deviations, widened by 20 % each
  side; their true label is :data:`OUTLIER_LABEL`.

Each part draws from its own random stream, so changing the number of points
or outliers leaves the centres and shapes where they were.
"""

import contextlib
import functools
import math
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

try:  # installed with scikit-learn; without it BLAS keeps its own threads
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

from .datasets import Dataset
from .settings import GENERATOR

KEY = "generated"
OUTLIER_LABEL = "outlier"
BLOCK_ROWS = 1 << 16  # rows drawn and transformed at once (cache-sized temporaries)
CANDIDATES = 256  # random candidate positions the centres are chosen among
BOX_SIGMAS = 3.0
BOX_PAD = 0.2

_TABLE = {s.name: s for s in GENERATOR}


@dataclass(frozen=True)
class Recipe:
    """Every setting of the generator; defaults and ranges from the settings table.

    Attributes
    ----------
    clusters : int
    points : int
        Rows in total, outliers included.
    size_ratio : float
        Largest cluster's points over the smallest's.
    features : int
    separation : float
        Distance between the closest centres, in mean standard deviations.
    spread_ratio : float
        Widest cluster's standard deviation over the narrowest's.
    elongation : float
        Longest axis' standard deviation over the shortest, in every cluster.
    rotation : {'shared', 'random', 'none'}
    angle : float
        Degrees, for ``rotation = 'shared'``.
    outlier_pct : float
        Percent of the rows drawn uniformly instead of from a cluster.
    seed : int
    """

    clusters: int = _TABLE["clusters"].default
    points: int = _TABLE["points"].default
    size_ratio: float = _TABLE["size_ratio"].default
    features: int = _TABLE["features"].default
    separation: float = _TABLE["separation"].default
    spread_ratio: float = _TABLE["spread_ratio"].default
    elongation: float = _TABLE["elongation"].default
    rotation: str = _TABLE["rotation"].default
    angle: float = _TABLE["angle"].default
    outlier_pct: float = _TABLE["outlier_pct"].default
    seed: int = _TABLE["seed"].default

    @classmethod
    def checked(cls, values):
        """A recipe from setting names to values (text or numbers), each checked
        against the settings table; names not given take their defaults.

        Raises
        ------
        ValueError
            Naming the first value outside its range and what is allowed.
        """
        unknown = set(values) - set(_TABLE)
        if unknown:
            raise ValueError(f"Unknown generator setting(s): {', '.join(sorted(unknown))}; "
                             f"the settings are {', '.join(_TABLE)}.")
        return cls(**{name: _TABLE[name].parse(value) for name, value in values.items()})

    @classmethod
    def from_state(cls, state, prefix="gen_"):
        """The recipe held in a mapping of session keys (``gen_clusters``, ...)."""
        return cls.checked({f.name: state[prefix + f.name] for f in fields(cls)
                            if prefix + f.name in state})

    def as_state(self, prefix="gen_"):
        """The recipe as session values by key (``gen_clusters``, ...)."""
        return {prefix + name: value for name, value in asdict(self).items()}

    @property
    def n_outliers(self):
        return int(round(self.points * self.outlier_pct / 100))

    @property
    def columns(self):
        return tuple(f"x{i + 1}" for i in range(self.features))


# ------------------------------------------------------------------ presets
@dataclass(frozen=True)
class Preset:
    """A named recipe that shows one classic case."""

    title: str
    recipe: Recipe
    what: str


def _round(**changes):
    """Round clusters (elongation 1) with ``changes``: a preset names everything it needs
    beyond the table's defaults (which are the sheared preset)."""
    return replace(Recipe(), elongation=1.0, **changes)


PRESETS = {
    "sheared": Preset(
        "Sheared (elongated, parallel)",
        Recipe(clusters=3, points=600, separation=3.0, elongation=6.0, rotation="shared",
               angle=60.0, seed=2),
        "Three long, parallel clusters side by side. K-means' round cells cut across "
        "them; a full-covariance GMM follows their shape. Turn the elongation down to 1 and "
        "both agree."),
    "unequal_variance": Preset(
        "Unequal variance",
        _round(clusters=3, points=600, separation=3.5, spread_ratio=6.0, seed=3),
        "One wide cluster beside tighter ones. K-means gives the wide cluster's edge to its "
        "neighbours; the GMM's variance weighting keeps it whole."),
    "unequal_sizes": Preset(
        "Unequal sizes",
        _round(clusters=3, points=700, size_ratio=10.0, separation=5.0, spread_ratio=5.0,
               seed=3),
        "One big, wide cluster and two small, tight ones. K-means moves centroids into the "
        "big cluster and splits it; the GMM's weights let a cluster be small."),
    "round": Preset(
        "Round and well separated",
        _round(clusters=4, points=600, separation=8.0, seed=0),
        "Equal, round, far-apart clusters: the case where both methods agree."),
    "overlapping": Preset(
        "Overlapping",
        replace(Recipe(), clusters=3, points=600, separation=2.0, elongation=2.0,
                rotation="random", outlier_pct=3.0, seed=2),
        "Clusters that overlap, with 3 % background outliers: no method can be right "
        "everywhere, and the two disagree where the clusters meet."),
}
DEFAULT_PRESET = "sheared"  # the settings table's defaults are this preset
CUSTOM = "custom"


def matching_preset(recipe):
    """The key of the preset ``recipe`` is, or :data:`CUSTOM`."""
    return next((key for key, p in PRESETS.items() if p.recipe == recipe), CUSTOM)


# ------------------------------------------------------------------ the parts
def cluster_sizes(n_points, n_clusters, size_ratio):
    """Points per cluster, falling geometrically so the first has ``size_ratio`` times
    the last's share, rounded to sum to ``n_points`` (largest remainders); each gets
    at least one.

    Returns
    -------
    sizes : ndarray of shape (n_clusters,), dtype int64
    """
    if n_points < n_clusters:
        raise ValueError(f"{n_points} points cannot make {n_clusters} clusters; ask for at "
                         "least one point per cluster.")
    steps = np.arange(n_clusters) / max(n_clusters - 1, 1)
    share = size_ratio ** -steps
    share /= share.sum()
    extra = n_points - n_clusters  # one point each first, the rest by share
    exact = share * extra
    sizes = np.floor(exact).astype(np.int64)
    left = extra - int(sizes.sum())
    sizes[np.argsort(-(exact - sizes), kind="stable")[:left]] += 1
    return sizes + 1


def cluster_stds(n_clusters, spread_ratio):
    """Each cluster's standard deviation (root mean square over its axes), from
    ``sqrt(spread_ratio)`` down to ``1 / sqrt(spread_ratio)``, shape (n_clusters,)."""
    steps = np.arange(n_clusters) / max(n_clusters - 1, 1)
    return spread_ratio ** (0.5 - steps) if n_clusters > 1 else np.ones(1)


def axis_scales(n_features, elongation):
    """Standard deviations along a cluster's own axes, longest first, ``elongation``
    times the shortest, with root mean square 1, shape (n_features,)."""
    steps = np.arange(n_features) / (n_features - 1)
    scales = elongation ** (0.5 - steps)
    return scales / np.sqrt(np.mean(scales**2))


def _random_rotation(n_features, rng):
    """A uniformly random orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    return q * np.sign(np.diag(r))


def rotations(recipe, rng):
    """Each cluster's axes as the columns of an orthogonal matrix,
    shape (clusters, features, features)."""
    k, d = recipe.clusters, recipe.features
    if recipe.rotation == "random":
        return np.stack([_random_rotation(d, rng) for _ in range(k)])
    turn = np.eye(d)
    if recipe.rotation == "shared":
        a = math.radians(recipe.angle)
        turn[:2, :2] = [[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]
    return np.broadcast_to(turn, (k, d, d)).copy()


def place_centers(n_features, stds, separation, rng):
    """Cluster centres spread out by farthest-point sampling, scaled so that the
    closest two, relative to their spreads, are ``separation`` apart:
    ``min over pairs of |c_a - c_b| / ((std_a + std_b) / 2) == separation``.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        Centred on the origin.
    """
    k = len(stds)
    candidates = rng.uniform(-1.0, 1.0, size=(CANDIDATES, n_features))
    chosen = [0]
    nearest = np.linalg.norm(candidates - candidates[0], axis=1)
    for _ in range(k - 1):
        chosen.append(int(nearest.argmax()))
        nearest = np.minimum(nearest, np.linalg.norm(candidates - candidates[chosen[-1]],
                                                     axis=1))
    unit = candidates[chosen]
    if k == 1:
        return np.zeros((1, n_features))
    a, b = np.triu_indices(k, 1)
    needed = (stds[a] + stds[b]) / 2 / np.linalg.norm(unit[a] - unit[b], axis=1)
    centers = separation * needed.max() * unit
    return centers - centers.mean(axis=0)


def outlier_box(centers, covariances):
    """Low and high corners of the box outliers are drawn from, shape (2, n_features):
    every cluster to ``BOX_SIGMAS`` standard deviations along each feature, widened by
    ``BOX_PAD`` of its width on each side."""
    reach = BOX_SIGMAS * np.sqrt(np.diagonal(covariances, axis1=1, axis2=2))
    low, high = (centers - reach).min(axis=0), (centers + reach).max(axis=0)
    pad = BOX_PAD * (high - low)
    return np.stack([low - pad, high + pad])


@dataclass(frozen=True)
class Generated:
    """Generated rows and the truth behind them.

    Attributes
    ----------
    recipe : Recipe
    X : ndarray of shape (points, features)
        Rows in random order.
    y : ndarray of shape (points,), dtype int8
        Cluster of every row (0-based), -1 for a background outlier.
    centers : ndarray of shape (clusters, features)
    covariances : ndarray of shape (clusters, features, features)
    sizes : ndarray of shape (clusters,)
    box : ndarray of shape (2, features)
        Low and high corners of the outliers' box.
    """

    recipe: Recipe
    X: np.ndarray
    y: np.ndarray
    centers: np.ndarray
    covariances: np.ndarray
    sizes: np.ndarray
    box: np.ndarray

    @property
    def labels(self):
        """True labels as text: 'cluster 1', ... and :data:`OUTLIER_LABEL`, (points,)."""
        names = np.array([f"cluster {j + 1}" for j in range(self.recipe.clusters)]
                         + [OUTLIER_LABEL])
        return names[self.y]


@functools.cache
def _blas_controller():
    return None if ThreadpoolController is None else ThreadpoolController()


def _one_blas_thread():
    """BLAS on one thread while the blocks are drawn: their products are skinny
    (65,536 x d by d x d), and OpenBLAS splitting them over threads on a busy machine
    made generation three times slower (``python -m bench.bench_generate``)."""
    controller = _blas_controller()
    return contextlib.nullcontext() if controller is None else \
        controller.limit(limits=1, user_api="blas")


def generate(recipe):
    """Draw the rows a :class:`Recipe` describes.

    Returns
    -------
    Generated
    """
    with _one_blas_thread():
        return _generate(recipe)


def _generate(recipe):
    k, d, n = recipe.clusters, recipe.features, recipe.points
    streams = [np.random.default_rng(s)
               for s in np.random.SeedSequence(recipe.seed).spawn(4)]
    stds = cluster_stds(k, recipe.spread_ratio)
    turns = rotations(recipe, streams[1])
    # x = center + R diag(std * scales) z: columns of each factor are a cluster's axes.
    factors = turns * (stds[:, None] * axis_scales(d, recipe.elongation))[:, None, :]
    covariances = factors @ factors.transpose(0, 2, 1)
    centers = place_centers(d, stds, recipe.separation, streams[0])
    sizes = cluster_sizes(n - recipe.n_outliers, k, recipe.size_ratio)
    order = streams[2].permutation(n)  # row order[i] is the i-th point drawn
    X = np.empty((n, d))
    y = np.full(n, -1, dtype=np.int8)
    start = 0
    for j in range(k):
        for block in range(start, start + sizes[j], BLOCK_ROWS):
            rows = order[block:min(block + BLOCK_ROWS, start + sizes[j])]
            z = streams[2].standard_normal((len(rows), d))
            X[rows] = z @ factors[j].T + centers[j]
        y[order[start:start + sizes[j]]] = j
        start += sizes[j]
    box = outlier_box(centers, covariances)
    X[order[start:]] = streams[3].uniform(box[0], box[1], size=(n - start, d))
    return Generated(recipe, X, y, centers, covariances, sizes, box)


def describe(recipe, sizes):
    """What the data is, in one or two sentences."""
    k = recipe.clusters
    counts = ", ".join(f"{s:,}" for s in sizes) if k <= 4 else \
        f"{sizes[0]:,} down to {sizes[-1]:,}"
    shape = "round" if recipe.elongation == 1 else \
        f"elongation {recipe.elongation:g} " + {
            "shared": f"(long axes at {recipe.angle:g}°)",
            "random": "(each tilted at random)", "none": "(long axes along x1)"}[recipe.rotation]
    outliers = f", plus {recipe.n_outliers:,} background outliers" if recipe.n_outliers else ""
    return (f"Generated: {k} Gaussian cluster{'s' if k > 1 else ''} of {counts} points in "
            f"{recipe.features} features{outliers}. Separation {recipe.separation:g}, spread "
            f"ratio {recipe.spread_ratio:g}, {shape}; seed {recipe.seed}.")


def dataset(recipe):
    """The generated rows as a :class:`dashboard.datasets.Dataset` (arrays read-only)."""
    g = generate(recipe)
    labels = g.labels
    for array in (g.X, labels):
        array.flags.writeable = False
    preset = matching_preset(recipe)
    title = "Make your own data" + ("" if preset == CUSTOM else f": {PRESETS[preset].title}")
    return Dataset(title, g.X, recipe.columns, labels, describe(recipe, g.sizes),
                   recipe.clusters)


def cache_key(recipe):
    """A text naming the data exactly (the generator is deterministic): a cache key."""
    return KEY + ":" + ",".join(f"{name}={value!r}" for name, value in asdict(recipe).items())
