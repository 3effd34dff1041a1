"""The settings of a fit, with their defaults and allowed ranges: one table.

The dashboard's widgets and links, the model-file reader and the command line
all take values through this table, so no entry point can reach a value the
others refuse. The limits are those of an interactive tool (K up to 12,
1,000 iterations, 20 initialisations); the estimators themselves accept more.
"""

import math
import numbers
from dataclasses import dataclass

from .gaussian import COVARIANCE_TYPES
from .mixture import INIT_PARAMS

MAX_K = 12
MAX_FEATURES = 100


@dataclass(frozen=True)
class Setting:
    """One setting: its type, default and allowed values.

    Attributes
    ----------
    name : str
        Its key in settings dicts and model files.
    kind : {'int', 'float', 'bool', 'choice'}
    default : object
    low, high : float, optional
        Inclusive bounds of an int or float.
    choices : tuple of str
        The allowed values of a choice.
    help : str
        One line for users.
    """

    name: str
    kind: str
    default: object
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    help: str = ""

    @property
    def expected(self):
        """What a valid value looks like, in words."""
        if self.kind == "int":
            return f"a whole number from {self.low:,} to {self.high:,}"
        if self.kind == "float":
            return f"a number from {self.low:g} to {self.high:g}"
        if self.kind == "bool":
            return "1 or 0 (true or false)"
        return "one of " + ", ".join(self.choices)

    def parse(self, value):
        """``value`` (text from a link or a command line, or a JSON value) checked.

        Returns
        -------
        The value as its kind's Python type.

        Raises
        ------
        ValueError
            Saying what was expected.
        """
        try:
            parsed = _PARSERS[self.kind](self, value)
        except (TypeError, ValueError, OverflowError):
            parsed = None
        if parsed is None:
            raise ValueError(f"{self.name} must be {self.expected}; got {_short(value)}.")
        return parsed

    def text(self, value):
        """``value`` as the text a link or a command line carries."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "float":
            return repr(float(value))
        return str(value)


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_int(setting, value):
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.lstrip("+-").isdigit() and len(text) < 20 else None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value) if setting.low <= value <= setting.high else None


def _parse_float(setting, value):
    if isinstance(value, str):
        value = float(value.strip()) if len(value) < 40 else None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) and setting.low <= value <= setting.high else None


def _parse_bool(setting, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"1": True, "true": True, "yes": True, "on": True,
                "0": False, "false": False, "no": False, "off": False}.get(value.strip().lower())
    return None


def _parse_choice(setting, value):
    return value if isinstance(value, str) and value in setting.choices else None


_PARSERS = {"int": _parse_int, "float": _parse_float, "bool": _parse_bool,
            "choice": _parse_choice}

FIT_SETTINGS = (
    Setting("k", "int", 3, 1, MAX_K,
            help="Number of clusters (K-means) and of components (the mixture)."),
    Setting("covariance_type", "choice", "full", choices=COVARIANCE_TYPES,
            help="The shape every mixture component may take."),
    Setting("init", "choice", "kmeans", choices=INIT_PARAMS,
            help="How the mixture's first parameters are chosen."),
    Setting("seed", "int", 0, 0, 2**31 - 1, help="Random seed of both initialisations."),
    Setting("standardize", "bool", False,
            help="Scale every column to mean 0 and variance 1 before fitting."),
    Setting("n_init", "int", 1, 1, 20,
            help="Initialisations to run; the best one is kept (both methods)."),
    Setting("max_iter", "int", 100, 1, 1000, help="Most EM (and Lloyd) iterations per run."),
    Setting("tol", "float", 1e-3, 0.0, 1.0,
            help="EM stops when the mean log-likelihood gains less than this."),
    Setting("reg_covar", "float", 1e-6, 0.0, 10.0,
            help="Added to every variance so covariances stay invertible."),
)
SETTINGS = {s.name: s for s in FIT_SETTINGS}


def parse_settings(values):
    """The known settings among ``values`` checked against the table.

    Parameters
    ----------
    values : Mapping
        Setting names to values (others are ignored).

    Returns
    -------
    settings : dict
        Every table setting: the given value when valid, else its default.
    errors : list of str
        One sentence per value that was refused.
    """
    settings, errors = {}, []
    for setting in FIT_SETTINGS:
        settings[setting.name] = setting.default
        if setting.name in values:
            try:
                settings[setting.name] = setting.parse(values[setting.name])
            except ValueError as exc:
                errors.append(str(exc))
    return settings, errors
