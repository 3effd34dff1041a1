"""Built-in datasets: iris and synthetic cases where K-means and a GMM disagree (or agree).

Every dataset is generated or bundled with scikit-learn (imported when a
dataset is first made), needs no download and keeps its true labels so both
methods can be scored.
"""

import functools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """A table of numeric features with optional true labels.

    Attributes
    ----------
    name : str
    X : ndarray of shape (n_samples, n_features)
    columns : tuple of str
        Feature names, one per column of ``X``.
    labels : ndarray of shape (n_samples,) or None
        True classes as strings, when known.
    description : str
        One or two sentences on what the data shows.
    suggested_k : int
    """

    name: str
    X: np.ndarray
    columns: tuple
    labels: np.ndarray | None
    description: str
    suggested_k: int


def make_blobs(*args, **kwargs):
    """``sklearn.datasets.make_blobs``, imported on first use (not on a page that needs
    no built-in dataset beyond one already cached)."""
    from sklearn.datasets import make_blobs as blobs

    return blobs(*args, **kwargs)


def make_moons(*args, **kwargs):
    """``sklearn.datasets.make_moons``, imported on first use."""
    from sklearn.datasets import make_moons as moons

    return moons(*args, **kwargs)


def _iris():
    from sklearn import datasets as skdatasets  # only for iris: it holds the file

    bunch = skdatasets.load_iris()
    names = tuple(n.replace(" (cm)", "") for n in bunch.feature_names)
    return Dataset(
        TITLES["iris"], bunch.data, names, bunch.target_names[bunch.target],
        "Fisher's 150 flowers, 4 measurements, 3 species. Versicolor and virginica overlap; "
        "a full-covariance GMM separates them better than K-means.", 3,
    )


def _anisotropic():
    X, y = make_blobs(n_samples=600, centers=3, random_state=170)
    X = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])
    return Dataset(
        TITLES["anisotropic"], X, ("x1", "x2"), _names(y),
        "Three elongated, tilted clusters. K-means' Euclidean distance cuts across them; "
        "a full-covariance GMM follows their shape.", 3,
    )


def _unequal_variance():
    X, y = make_blobs(
        n_samples=600, centers=3, cluster_std=[1.0, 2.5, 0.5], random_state=170
    )
    return Dataset(
        TITLES["unequal_variance"], X, ("x1", "x2"), _names(y),
        "One wide cluster beside two tight ones. K-means gives the wide cluster's edge to "
        "its neighbours; the GMM's variance weighting keeps it whole.", 3,
    )


def _unequal_sizes():
    X, y = make_blobs(
        n_samples=[600, 60, 30], centers=[[0, 0], [6, 1], [4, -5]],
        cluster_std=[2.0, 0.6, 0.5], random_state=0,
    )
    return Dataset(
        TITLES["unequal_sizes"], X, ("x1", "x2"), _names(y),
        "600, 60 and 30 points. K-means moves centroids into the big cluster and splits it; "
        "the GMM's mixing weights and variances let a cluster be small and tight.", 3,
    )


def _round_blobs():
    X, y = make_blobs(n_samples=600, centers=4, cluster_std=0.8, random_state=8)
    return Dataset(
        TITLES["round_blobs"], X, ("x1", "x2"), _names(y),
        "Four round, equal, well-separated clusters: the case where both methods agree.", 4,
    )


def _moons():
    X, y = make_moons(n_samples=600, noise=0.07, random_state=0)
    return Dataset(
        TITLES["moons"], X, ("x1", "x2"), _names(y),
        "Two interleaved crescents. Neither method's model fits curved clusters, so both "
        "cut them; more components than classes helps the GMM describe the shape.", 2,
    )


def _names(y):
    return np.array([f"class {v}" for v in y])


TITLES = {  # shown in the dataset menu, which must not generate every dataset to list it
    "anisotropic": "Anisotropic (sheared) blobs",
    "iris": "Iris",
    "unequal_variance": "Blobs of unequal variance",
    "unequal_sizes": "Unequal cluster sizes",
    "round_blobs": "Well-separated round blobs",
    "moons": "Two moons (non-Gaussian)",
}
BUILTIN = {
    "anisotropic": _anisotropic,
    "iris": _iris,
    "unequal_variance": _unequal_variance,
    "unequal_sizes": _unequal_sizes,
    "round_blobs": _round_blobs,
    "moons": _moons,
}
DEFAULT = "anisotropic"


@functools.cache
def load(key):
    """The built-in dataset ``key`` (one of :data:`BUILTIN`).

    Generated once per process and shared: its arrays are read-only.
    """
    if key not in BUILTIN:
        raise ValueError(f"Unknown dataset {key!r}; choose one of {', '.join(BUILTIN)}.")
    data = BUILTIN[key]()
    for array in (data.X, data.labels):
        if array is not None:
            array.flags.writeable = False
    return data


def titles():
    """Display title of every built-in dataset, by key (none of them generated)."""
    return {key: TITLES.get(key) or load(key).name for key in BUILTIN}
