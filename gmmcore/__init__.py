"""gmmcore: Gaussian mixtures (EM) and K-means in NumPy, agreeing with scikit-learn.

Public API
----------
GaussianMixture, KMeans, kmeans_plusplus, nearest_centers
select_models, score_model, kmeans_elbow (model selection over K and covariance types)
outlier_scores, center_distances, flag_share (per-row outlier scores; see gmmcore.outliers)
models_to_dict, models_from_dict (fitted models as JSON-ready documents; see gmmcore.io)
thread_limit (cap the threads of gmmcore's passes; or set GMMCORE_NUM_THREADS)
"""

from ._rows import thread_limit
from ._validation import ConvergenceWarning, NotFittedError
from ._version import __version__
from .gaussian import COVARIANCE_TYPES, CollapsedComponentError
from .io import models_from_dict, models_to_dict
from .kmeans import KMeans, kmeans_plusplus, nearest_centers
from .mixture import INIT_PARAMS, GaussianMixture
from .outliers import center_distances, flag_share, outlier_scores
from .selection import icl, kmeans_elbow, score_model, select_models

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_PARAMS",
    "CollapsedComponentError",
    "ConvergenceWarning",
    "GaussianMixture",
    "KMeans",
    "NotFittedError",
    "__version__",
    "center_distances",
    "flag_share",
    "icl",
    "kmeans_elbow",
    "kmeans_plusplus",
    "models_from_dict",
    "models_to_dict",
    "nearest_centers",
    "outlier_scores",
    "score_model",
    "select_models",
    "thread_limit",
]
