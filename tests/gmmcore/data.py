"""Small datasets the core tests share: each is a case where the numbers are easy to get wrong."""

import numpy as np
from sklearn.datasets import load_iris, make_blobs


def iris():
    return load_iris().data


def anisotropic():
    X, _ = make_blobs(n_samples=400, centers=3, random_state=170)
    return X @ np.array([[0.6, -0.6], [-0.4, 0.8]])


def unequal_variance():
    X, _ = make_blobs(n_samples=400, centers=3, cluster_std=[1.0, 2.5, 0.5], random_state=170)
    return X


def one_dimensional():
    rng = np.random.RandomState(3)
    return np.concatenate([rng.normal(-2, 0.5, 150), rng.normal(1, 1.5, 250)])[:, None]


def far_from_origin():
    X, _ = make_blobs(n_samples=300, centers=3, n_features=3, random_state=4)
    return X + 1e3


DATASETS = {
    "iris": iris,
    "anisotropic": anisotropic,
    "unequal_variance": unequal_variance,
    "one_dimensional": one_dimensional,
    "far_from_origin": far_from_origin,
}
