"""gmmcore: Gaussian mixtures (EM) and K-means in NumPy, agreeing with scikit-learn.

Public API
----------
GaussianMixture, KMeans, kmeans_plusplus
select_models, score_model, kmeans_elbow (model selection over K and covariance types)
models_to_dict, models_from_dict (fitted models as JSON-ready documents; see gmmcore.io)
"""

from ._validation import ConvergenceWarning, NotFittedError
from .gaussian import COVARIANCE_TYPES, CollapsedComponentError
from .io import models_from_dict, models_to_dict
from .kmeans import KMeans, kmeans_plusplus
from .mixture import INIT_PARAMS, GaussianMixture
from .selection import icl, kmeans_elbow, score_model, select_models

__version__ = "0.1.0"

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_PARAMS",
    "CollapsedComponentError",
    "ConvergenceWarning",
    "GaussianMixture",
    "KMeans",
    "NotFittedError",
    "icl",
    "kmeans_elbow",
    "kmeans_plusplus",
    "models_from_dict",
    "models_to_dict",
    "score_model",
    "select_models",
]
