"""Every sidebar setting in one table: session key, link parameter, widget label, range.

The fit settings (K, covariance type, initialisation, seed, standardise,
n_init, max_iter, tol, reg_covar) come from :mod:`gmmcore.settings`, the same
table the command line and the model-file reader use; this module adds what
only the dashboard has (the 2-D view, the data generator's settings, each
page's own state) and how each setting appears in the sidebar and in a link.
The widgets take their ranges from here, the link parser its parsers, so a
link can never set what a widget would not allow.
"""

from dataclasses import dataclass

from gmmcore.settings import FIT_SETTINGS, MAX_FEATURES, MAX_K, Setting

__all__ = ["CONTROLS", "DEFAULTS", "GENERATOR", "GENERATOR_CONTROLS", "MAX_FEATURES", "MAX_K",
           "PAGE_CONTROLS", "STEP_TABS", "VIEW3D_AXES", "Control", "by_key", "by_query"]


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

# "Make your own data": every setting of the generator (dashboard.generate), so that a
# link reproduces the exact data. Written to links only while the generator is the dataset.
# The defaults are the generator's "sheared" preset.
GENERATOR = (
    Setting("clusters", "int", 3, 1, 8, help="How many Gaussian clusters to draw."),
    Setting("points", "int", 600, 20, 1_000_000,
            help="Rows in total, background outliers included."),
    Setting("size_ratio", "float", 1.0, 1.0, 50.0,
            help="Points in the largest cluster over points in the smallest (1: equal "
                 "sizes). Sizes fall geometrically from cluster 1 to the last."),
    Setting("features", "int", 2, 2, 10, help="Columns of the data (x1, x2, ...)."),
    Setting("separation", "float", 3.0, 0.0, 10.0,
            help="Distance between the two closest centres, in units of those clusters' "
                 "mean standard deviation: below about 2 they overlap, above 5 they are well "
                 "apart; 0 puts every centre at the same place."),
    Setting("spread_ratio", "float", 1.0, 1.0, 20.0,
            help="Standard deviation of the widest cluster over that of the narrowest (1: all "
                 "alike). Cluster 1 is the widest."),
    Setting("elongation", "float", 6.0, 1.0, 20.0,
            help="Shear: each cluster's spread along its longest axis over its shortest (1: "
                 "round)."),
    Setting("rotation", "choice", "shared", choices=("shared", "random", "none"),
            help="How the long axes point: all at the same angle, each its own random "
                 "direction, or along x1."),
    Setting("angle", "float", 60.0, 0.0, 180.0,
            help="With a shared rotation: the angle of every long axis from x1, in degrees "
                 "(in the x1-x2 plane)."),
    Setting("outlier_pct", "float", 0.0, 0.0, 50.0,
            help="Share of the rows, in percent, drawn uniformly over a box around the "
                 "clusters instead; their true label is 'outlier'."),
    Setting("seed", "int", 2, 0, 2**31 - 1, help="Random seed of the generator."),
)
GENERATOR_LABELS = {
    "clusters": "Clusters", "points": "Points in total", "size_ratio": "Size ratio (largest / "
    "smallest)", "features": "Features", "separation": "Separation",
    "spread_ratio": "Spread ratio (widest / narrowest)",
    "elongation": "Elongation (shear)", "rotation": "Rotation of the long axes",
    "angle": "Shared angle (degrees)", "outlier_pct": "Background outliers (% of rows)",
    "seed": "Data seed",
}
GENERATOR_CONTROLS = tuple(Control("gen_" + s.name, "gen_" + s.name, s,
                                   GENERATOR_LABELS[s.name]) for s in GENERATOR)
DEFAULTS = {c.key: c.default for c in CONTROLS + GENERATOR_CONTROLS}

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
    Control("outliers_share", "flag_pct",
            Setting("flag_pct", "float", 2.0, 0.1, 50.0,
                    help="Each method flags this share of the rows, in percent: those "
                         "farthest from every centroid (K-means) and those least probable "
                         "under the mixture (GMM)."),
            "Flag the least typical rows (% of rows)"),
    Control("outliers_row_value", "orow",
            # No default, as "row": the outlier page's first point depends on the fit.
            Setting("orow", "int", None, 0, 10**7, help="The row the outlier page explains."),
            "Row"),
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


ALL_CONTROLS = CONTROLS + GENERATOR_CONTROLS + PAGE_CONTROLS


def by_key(key):
    """The control whose session key is ``key``."""
    return next(c for c in ALL_CONTROLS if c.key == key)


def by_query(name):
    """The control whose link parameter is ``name``, or None."""
    return next((c for c in ALL_CONTROLS if c.query == name), None)
