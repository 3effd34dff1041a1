"""scikit-learn's estimator conventions without importing scikit-learn.

``get_params``, ``set_params`` and a ``repr`` that shows the parameters that
differ from their defaults come from the constructor's signature, as in
``sklearn.base.BaseEstimator``; ``sklearn.base.clone``, ``GridSearchCV`` and
``Pipeline`` use them. Every estimator declares its parameters' constraints in
one table, ``_parameter_constraints``, checked at the start of ``fit``.
"""

import inspect

import numpy as np


class BaseEstimator:
    """Parameters from the constructor's signature, validated from one table."""

    _parameter_constraints: dict = {}
    _estimator_type = None

    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values()
                      if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep=True):
        """The constructor's parameters and their values.

        Parameters
        ----------
        deep : bool, default=True
            Accepted for scikit-learn compatibility; no parameter is an estimator.

        Returns
        -------
        params : dict
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set constructor parameters; unknown names raise a ValueError.

        Returns
        -------
        self
        """
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{name!r} is not a parameter of {type(self).__name__}; "
                                 f"use one of {', '.join(valid)}.")
            setattr(self, name, value)
        return self

    def _validate_params(self):
        """Check every constructor parameter against ``_parameter_constraints``."""
        for name, check in self._parameter_constraints.items():
            check(getattr(self, name), name)

    def __repr__(self):
        defaults = {p.name: p.default for p in
                    inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{name}={_short_repr(value)}" for name, value in self.get_params().items()
                   if _differs(value, defaults.get(name))]
        return f"{type(self).__name__}({', '.join(changed)})"

    _transformer = False  # has transform() and fit_transform()

    def __sklearn_tags__(self):
        # Called only by scikit-learn, so importing it here costs gmmcore nothing.
        from sklearn.utils import Tags, TargetTags, TransformerTags

        return Tags(estimator_type=self._estimator_type, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags() if self._transformer else None)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "n_features_in_")


def _differs(value, default):
    if value is default:
        return False
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return True
    try:
        return bool(value != default)
    except (TypeError, ValueError):
        return True


def _short_repr(value):
    if isinstance(value, np.ndarray):
        return np.array2string(value, threshold=6, separator=", ", precision=4)
    return repr(value)
