"""Session defaults, the server's limits, and what a page needs for this run.

``app.py`` prepares one :class:`Current` per run (``sidebar.prepare_current``)
and keeps it in ``st.session_state``; pages read it with :func:`current`.
Nothing here is a module-level mutable: the app serves many sessions at once.
"""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from .. import budget, compare, datasets
from ..settings import DEFAULTS as CONTROL_DEFAULTS

DEFAULTS = {"dataset": datasets.DEFAULT, **CONTROL_DEFAULTS, "missing": "drop"}
CACHE_TTL = 3600  # seconds


@dataclass(frozen=True)
class ActiveData:
    """The dataset in use: built-in, the last upload that loaded, or a loaded model's sample."""

    key: str
    title: str
    X: np.ndarray
    columns: tuple
    labels: np.ndarray | None
    description: str
    digest: str
    report: tuple = ()
    extra: object = None  # pandas.DataFrame of non-numeric columns, uploads only
    source: object = None  # export.SourceRows of an uploaded file: what exports join onto


@dataclass
class Current:
    """Everything a page needs for this run."""

    data: ActiveData
    columns: tuple
    settings: compare.Settings
    view: compare.View
    comparison: compare.Comparison
    labels: np.ndarray | None
    view_choice: tuple = ()
    labels_key: str = ""  # which labels: "builtin" or the upload's chosen column

    @property
    def fit_key(self):
        """What the fit depends on: data digest, columns and settings (hashable)."""
        return (self.data.digest, self.columns, self.settings)

    @property
    def shown_labels(self):
        """True labels of the rows the comparison shows (its sample, when it sampled)."""
        rows = self.comparison.rows
        if self.labels is None or rows is None:
            return self.labels
        return self.labels[rows]


def init_defaults():
    """Give every sidebar setting its default on a session's first run."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def current():
    """The :class:`Current` that ``app.py`` prepared for this run."""
    return st.session_state["_current"]


def set_current(cur):
    st.session_state["_current"] = cur


@st.cache_resource(show_spinner=False)
def limits():
    """The server's budgets: defaults, ``[limits]`` in secrets.toml, then ``KMGMM_*``
    environment variables."""
    try:
        secrets = dict(st.secrets.get("limits", {}))
    except Exception:  # noqa: BLE001 - no secrets file is the usual case
        secrets = {}
    return budget.Limits.from_settings(secrets)
