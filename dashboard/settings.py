"""Every sidebar setting in one table: session key, link parameter, widget label, range.

The fit settings (K, covariance type, initialisation, seed, standardise,
n_init, max_iter, tol, reg_covar) come from :mod:`gmmcore.settings`, the same
table the command line and the model-file reader use; this module adds what
only the dashboard has (the 2-D view) and how each setting appears in the
sidebar and in a link. The widgets take their ranges from here, the link
parser its parsers, so a link can never set what a widget would not allow.
"""

from dataclasses import dataclass

from gmmcore.settings import FIT_SETTINGS, MAX_FEATURES, MAX_K, Setting

__all__ = ["CONTROLS", "DEFAULTS", "MAX_FEATURES", "MAX_K", "PAGE_CONTROLS", "STEP_TABS",
           "VIEW3D_AXES", "Control", "by_key", "by_query"]


@dataclass(frozen=True)
class Control:
    """A setting as the dashboard shows and links it.

    Attributes
    ----------
    key : str
        Its ``st.session_state`` key (also the widget key).
    query : str
        Its URL query parameter.
    setting : gmmcore.settings.Setting
        Type, default and allowed values.
    label : str
        The widget's label.
    in_every_link : bool
        Written to every link; otherwise only when not the default.
    """

    key: str
    query: str
    setting: Setting
    label: str
    in_every_link: bool = False

    @property
    def default(self):
        return self.setting.default


_FIT = {s.name: s for s in FIT_SETTINGS}
VIEW = Setting("view", "choice", "pca", choices=("pca", "features"),
               help="What the 2-D charts show when there are more than two features.")

CONTROLS = (
    Control("k", "k", _FIT["k"], "Number of clusters K", True),
    Control("covariance_type", "cov", _FIT["covariance_type"], "GMM covariance type", True),
    Control("init", "init", _FIT["init"], "GMM initialisation", True),
    Control("seed", "seed", _FIT["seed"], "Random seed", True),
    Control("standardize", "standardize", _FIT["standardize"], "Standardise features", True),
    Control("n_init", "n_init", _FIT["n_init"], "Restarts (n_init)"),
    Control("max_iter", "max_iter", _FIT["max_iter"], "Max iterations"),
    Control("tol", "tol", _FIT["tol"], "Tolerance (tol)"),
    Control("reg_covar", "reg_covar", _FIT["reg_covar"], "Covariance regularisation (reg_covar)"),
    Control("view", "view", VIEW, "Show"),
)
DEFAULTS = {c.key: c.default for c in CONTROLS}

# What a page shows, kept in links too, so a link reopens exactly the same view.
STEP_TABS = {"em": "Gaussian mixture (EM)", "lloyd": "K-means (Lloyd)"}
PAGE_CONTROLS = (
    Control("inspect_row_value", "row",
            # No default: the inspector's first row depends on the fit, so a chosen row
            # always goes into the link.
            Setting("row", "int", None, 0, 10**7, help="The row the inspector explains."),
            "Row"),
    Control("steps_gmm_t", "em_step",
            Setting("em_step", "int", 0, 0, 1000, help="The EM iteration shown."), "EM iteration"),
    Control("steps_kmeans_t", "lloyd_step",
            Setting("lloyd_step", "int", 0, 0, 1000, help="The Lloyd iteration shown."),
            "Lloyd iteration"),
    Control("steps_tab_choice", "tab",
            Setting("tab", "choice", "em", choices=tuple(STEP_TABS),
                    help="Which algorithm the step-through shows."), "Algorithm"),
    Control("choose_k_criterion", "criterion",
            Setting("criterion", "choice", "bic", choices=("bic", "aic", "icl"),
                    help="The criterion Choose K ranks models by."), "Criterion"),
    Control("choose_k_min", "kmin", Setting("kmin", "int", 1, 1, MAX_K), "Smallest K"),
    Control("choose_k_max", "kmax", Setting("kmax", "int", 8, 1, MAX_K), "Largest K"),
    Control("view3d_axes", "view3d",
            Setting("view3d", "choice", "pca", choices=("pca", "features"),
                    help="What the 3-D view's axes show: the first three principal "
                         "components, or three of the features (x3, y3, z3 in a link)."),
            "Axes"),
    # No default: the first cluster shown depends on the fit (the inspected row's).
    Control("density_cluster", "cluster",
            Setting("cluster", "int", None, 1, MAX_K,
                    help="The cluster whose circles and ellipses are drawn."), "Cluster"),
    Control("density_components", "components",
            Setting("components", "bool", False,
                    help="Also draw every component's own log-density (weighted by its "
                         "mixing weight), dotted in its colour."),
            "Show each component's density too"),
    Control("density_unit", "unit",
            Setting("unit", "choice", "spread", choices=("spread", "data"),
                    help="The circles' radii: 1, 2, 3 times K-means' common spread s (the "
                         "round Gaussian K-means implicitly fits), or 1, 2, 3 in the "
                         "data's own units."),
            "Circle radii"),
)
VIEW3D_AXES = ("view3d_x", "view3d_y", "view3d_z")  # session keys; x3, y3, z3 in links


def by_key(key):
    """The control whose session key is ``key``."""
    return next(c for c in CONTROLS + PAGE_CONTROLS if c.key == key)


def by_query(name):
    """The control whose link parameter is ``name``, or None."""
    return next((c for c in CONTROLS + PAGE_CONTROLS if c.query == name), None)
