"""Make your own data: sizes, proportions, spreads, shapes, outliers, seeds, presets,
refusals, links, and the budget for big generated sets."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import budget, compare, generate, links
from dashboard import settings as dashboard_settings
from dashboard.generate import OUTLIER_LABEL, PRESETS, Recipe

LINK_DEFAULTS = {"dataset": "anisotropic", **dashboard_settings.DEFAULTS}


def _rms_std(covariance):
    """A cluster's standard deviation as the generator defines it: sqrt(trace / d)."""
    return math.sqrt(np.trace(covariance) / len(covariance))


def _empirical(g):
    """Per-cluster sample covariances, (clusters, features, features)."""
    return np.stack([np.cov(g.X[g.y == j].T) for j in range(g.recipe.clusters)])


# ------------------------------------------------------------------ sizes
def test_sizes_add_up_and_every_row_has_its_label():
    g = generate.generate(Recipe(clusters=5, points=10_001, size_ratio=4.0, outlier_pct=7.5))
    n_out = round(10_001 * 0.075)
    assert g.X.shape == (10_001, 2) and g.y.shape == (10_001,)
    assert g.sizes.sum() + n_out == 10_001
    assert np.bincount(g.y[g.y >= 0]).tolist() == g.sizes.tolist()
    assert (g.y == -1).sum() == n_out
    labels = g.labels
    assert set(labels) == {f"cluster {j}" for j in range(1, 6)} | {OUTLIER_LABEL}
    assert (labels == OUTLIER_LABEL).sum() == n_out
    assert np.isfinite(g.X).all()


def test_an_equal_split_differs_by_at_most_one_point():
    sizes = generate.cluster_sizes(1003, 7, 1.0)
    assert sizes.sum() == 1003 and sizes.max() - sizes.min() <= 1


@pytest.mark.parametrize("ratio", [1.5, 10.0, 50.0])
@pytest.mark.parametrize("k", [2, 3, 8])
def test_the_size_ratio_is_the_largest_over_the_smallest(k, ratio):
    sizes = generate.cluster_sizes(1_000_000, k, ratio)
    assert sizes.sum() == 1_000_000
    assert sizes[0] / sizes[-1] == pytest.approx(ratio, rel=1e-3)
    assert (np.diff(sizes) <= 0).all()  # falling from cluster 1 to the last
    # Geometric: every neighbour pair in the same proportion.
    np.testing.assert_allclose(sizes[1:] / sizes[:-1], ratio ** (-1 / (k - 1)), rtol=2e-3)


def test_a_tiny_set_still_gives_every_cluster_a_point():
    sizes = generate.cluster_sizes(20, 8, 50.0)
    assert sizes.sum() == 20 and sizes.min() >= 1
    g = generate.generate(Recipe(clusters=8, points=20, size_ratio=50.0, outlier_pct=50.0))
    assert set(np.unique(g.y)) == set(range(-1, 8))


def test_one_cluster():
    g = generate.generate(Recipe(clusters=1, points=500, features=3))
    assert (g.y == 0).all() and g.centers.shape == (1, 3)


# ------------------------------------------------------------------ spreads and shapes
@pytest.mark.parametrize("spread_ratio", [1.0, 3.0, 12.0])
def test_spread_ratio_is_the_widest_over_the_narrowest(spread_ratio):
    g = generate.generate(Recipe(clusters=4, points=200_000, features=3, spread_ratio=spread_ratio,
                                 elongation=3.0, rotation="random", separation=8.0, seed=5))
    stds = np.array([_rms_std(c) for c in g.covariances])
    assert stds.max() / stds.min() == pytest.approx(spread_ratio, rel=1e-12)
    assert stds[0] == stds.max()  # cluster 1 is the widest
    assert math.prod(stds) == pytest.approx(1.0)  # geometric mean 1
    measured = np.array([_rms_std(c) for c in _empirical(g)])
    assert measured.max() / measured.min() == pytest.approx(spread_ratio, rel=0.02)
    np.testing.assert_allclose(measured, stds, rtol=0.02)


@pytest.mark.parametrize("rotation", ["shared", "random", "none"])
@pytest.mark.parametrize("features", [2, 5])
def test_elongation_is_the_longest_axis_over_the_shortest(rotation, features):
    g = generate.generate(Recipe(clusters=3, points=150_000, features=features, elongation=6.0,
                                 rotation=rotation, angle=30.0, separation=6.0, seed=1))
    for true, measured in zip(g.covariances, _empirical(g)):
        values = np.linalg.eigvalsh(true)
        assert math.sqrt(values[-1] / values[0]) == pytest.approx(6.0)
        values = np.linalg.eigvalsh(measured)
        assert math.sqrt(values[-1] / values[0]) == pytest.approx(6.0, rel=0.03)


def _long_axis_angle(covariance):
    """Angle of the longest axis in the x1-x2 plane, in degrees within [0, 180)."""
    vector = np.linalg.eigh(covariance[:2, :2])[1][:, -1]
    return math.degrees(math.atan2(vector[1], vector[0])) % 180


def test_rotation_shared_turns_every_cluster_by_the_angle():
    g = generate.generate(Recipe(clusters=4, elongation=4.0, rotation="shared", angle=35.0))
    for covariance in g.covariances:
        assert _long_axis_angle(covariance) == pytest.approx(35.0)
    np.testing.assert_allclose(g.covariances / g.covariances[0, 0, 0],
                               np.broadcast_to(g.covariances[0] / g.covariances[0, 0, 0],
                                               g.covariances.shape))


def test_rotation_none_keeps_the_axes_along_the_features():
    g = generate.generate(Recipe(clusters=3, features=4, elongation=4.0, rotation="none"))
    for covariance in g.covariances:
        np.testing.assert_allclose(covariance, np.diag(np.diag(covariance)), atol=1e-15)
        assert np.argmax(np.diag(covariance)) == 0  # the long axis along x1


def test_rotation_random_gives_each_cluster_its_own_direction():
    g = generate.generate(Recipe(clusters=6, elongation=4.0, rotation="random", seed=3))
    angles = sorted(_long_axis_angle(c) for c in g.covariances)
    assert max(np.diff(angles)) > 5 and len({round(a) for a in angles}) == 6


def test_round_clusters_have_identity_shape():
    g = generate.generate(Recipe(clusters=3, features=3, elongation=1.0, spread_ratio=1.0))
    for covariance in g.covariances:
        np.testing.assert_allclose(covariance, np.eye(3), atol=1e-12)


# ------------------------------------------------------------------ centres
@pytest.mark.parametrize("separation", [0.5, 2.0, 7.5])
def test_separation_is_the_closest_pair_in_mean_standard_deviations(separation):
    g = generate.generate(Recipe(clusters=6, features=3, spread_ratio=4.0,
                                 separation=separation, seed=9))
    stds = np.array([_rms_std(c) for c in g.covariances])
    a, b = np.triu_indices(6, 1)
    gaps = np.linalg.norm(g.centers[a] - g.centers[b], axis=1) / ((stds[a] + stds[b]) / 2)
    assert gaps.min() == pytest.approx(separation)
    np.testing.assert_allclose(g.centers.mean(axis=0), 0, atol=1e-12)


def test_separation_zero_puts_every_centre_together():
    g = generate.generate(Recipe(clusters=3, separation=0.0, spread_ratio=5.0))
    np.testing.assert_array_equal(g.centers, 0)


def test_more_separation_lets_both_methods_find_the_clusters():
    def ari_kmeans(separation):
        g = generate.generate(Recipe(clusters=3, points=900, separation=separation,
                                     elongation=1.0, seed=4))
        c = compare.compare(g.X, compare.Settings(k=3))
        return compare.headline(c, g.labels)["ari_kmeans_truth"]
    assert ari_kmeans(0.5) < 0.3 < 0.99 < ari_kmeans(8.0)


# ------------------------------------------------------------------ outliers
def test_outliers_are_uniform_over_the_box_around_the_clusters():
    g = generate.generate(Recipe(clusters=3, points=100_000, features=3, outlier_pct=20.0,
                                 seed=8))
    out = g.X[g.y == -1]
    assert len(out) == 20_000
    low, high = g.box
    assert (out >= low).all() and (out <= high).all()
    # Uniform: every coordinate's mean and variance those of the uniform distribution.
    np.testing.assert_allclose(out.mean(axis=0), (low + high) / 2, atol=0.01 * (high - low).max())
    np.testing.assert_allclose(out.var(axis=0), (high - low) ** 2 / 12, rtol=0.03)
    # The box holds every cluster to 3 standard deviations and more: nearly all its points.
    clustered = g.X[g.y >= 0]
    outside = ((clustered < low) | (clustered > high)).any(axis=1)
    assert outside.mean() < 0.005
    reach = 3 * np.sqrt(np.diagonal(g.covariances, axis1=1, axis2=2))
    assert (low < (g.centers - reach).min(axis=0)).all()
    assert ((g.centers + reach).max(axis=0) < high).all()


def test_outliers_share_rounds_to_whole_rows():
    assert Recipe(points=999, outlier_pct=0.1).n_outliers == 1
    assert Recipe(points=20, outlier_pct=50.0).n_outliers == 10
    assert Recipe(points=600).n_outliers == 0


# ------------------------------------------------------------------ seeds
def test_the_same_recipe_gives_the_same_rows():
    recipe = Recipe(clusters=4, points=5000, features=4, rotation="random", outlier_pct=5.0,
                    seed=11)
    a, b = generate.generate(recipe), generate.generate(recipe)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    other = generate.generate(dataclasses.replace(recipe, seed=12))
    assert not np.array_equal(a.X, other.X)


def test_rows_come_in_random_order():
    g = generate.generate(Recipe(clusters=2, points=1000))
    assert 0.3 < (np.diff(g.y) != 0).mean() < 0.7  # not in blocks of one cluster


def test_one_knob_leaves_the_rest_of_the_picture_alone():
    base = Recipe(clusters=3, points=2000, elongation=3.0, rotation="random", seed=6)
    g = generate.generate(base)
    more = generate.generate(dataclasses.replace(base, points=5000, outlier_pct=10.0))
    np.testing.assert_array_equal(g.centers, more.centers)
    np.testing.assert_array_equal(g.covariances, more.covariances)
    wider = generate.generate(dataclasses.replace(base, separation=6.0))
    np.testing.assert_array_equal(g.covariances, wider.covariances)
    np.testing.assert_allclose(wider.centers, g.centers * 2, rtol=1e-12)  # default 3 -> 6


# ------------------------------------------------------------------ dataset, presets
def test_the_dataset_is_read_only_and_describes_itself():
    d = generate.dataset(Recipe(clusters=4, points=800, features=3, outlier_pct=5.0))
    assert d.columns == ("x1", "x2", "x3") and d.suggested_k == 4
    assert d.X.shape == (800, 3) and len(d.labels) == 800
    with pytest.raises(ValueError, match="read-only"):
        d.X[0, 0] = 1.0
    assert d.description.startswith("Generated: 4 Gaussian clusters of 190, 190, 190, 190 "
                                     "points in 3 features, plus 40 background outliers.")
    assert d.name == "Make your own data"


def test_the_defaults_are_the_sheared_preset_and_every_preset_is_in_range():
    assert Recipe() == PRESETS[generate.DEFAULT_PRESET].recipe
    assert generate.matching_preset(Recipe()) == generate.DEFAULT_PRESET
    assert generate.matching_preset(Recipe(seed=99)) == generate.CUSTOM
    assert set(PRESETS) == {"sheared", "unequal_variance", "unequal_sizes", "round",
                            "overlapping"}
    for key, preset in PRESETS.items():
        recipe = preset.recipe
        assert Recipe.checked(dataclasses.asdict(recipe)) == recipe, key
        assert Recipe.from_state(recipe.as_state()) == recipe, key
        assert generate.dataset(recipe).name.endswith(preset.title)


def _aris(recipe):
    d = generate.dataset(recipe)
    c = compare.compare(d.X, compare.Settings(k=d.suggested_k))
    h = compare.headline(c, d.labels)
    return h["ari_kmeans_truth"], h["ari_gmm_truth"], h["n_disagree"]


@pytest.mark.parametrize("key", ["sheared", "unequal_variance", "unequal_sizes"])
def test_the_showcase_presets_show_the_gmm_winning(key):
    kmeans, gmm, n_disagree = _aris(PRESETS[key].recipe)
    assert gmm > 0.9 and gmm > kmeans + 0.15 and n_disagree > 0


def test_round_and_well_separated_both_methods_agree():
    kmeans, gmm, n_disagree = _aris(PRESETS["round"].recipe)
    assert kmeans == gmm == 1.0 and n_disagree == 0


def test_overlapping_neither_method_is_right_everywhere():
    recipe = PRESETS["overlapping"].recipe
    kmeans, gmm, n_disagree = _aris(recipe)
    assert max(kmeans, gmm) < 0.6 and n_disagree > 0.1 * recipe.points
    assert recipe.n_outliers == 18


def test_turning_the_shear_down_makes_the_methods_agree():
    sheared = PRESETS["sheared"].recipe
    _, _, before = _aris(sheared)
    _, _, after = _aris(dataclasses.replace(sheared, elongation=1.0, separation=6.0))
    assert before > 30 and after == 0


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize("name, value, message", [
    ("points", 10**9, "points must be a whole number from 20 to 1,000,000"),
    ("points", "1e6", "points must be a whole number"),
    ("points", 19, "from 20"),
    ("clusters", 0, "clusters must be a whole number from 1 to 8"),
    ("clusters", 9, "clusters must be"),
    ("features", 1, "features must be a whole number from 2 to 10"),
    ("features", 11, "features must be"),
    ("separation", -1, "separation must be a number from 0 to 10"),
    ("separation", float("nan"), "separation must be"),
    ("spread_ratio", 0.5, "spread_ratio must be a number from 1 to 20"),
    ("size_ratio", "inf", "size_ratio must be a number from 1 to 50"),
    ("elongation", 21, "elongation must be"),
    ("rotation", "spiral", "rotation must be one of shared, random, none"),
    ("angle", 181, "angle must be a number from 0 to 180"),
    ("outlier_pct", 51, "outlier_pct must be a number from 0 to 50"),
    ("seed", -1, "seed must be"),
    ("seed", 2**31, "seed must be"),
])
def test_values_outside_the_table_are_refused_in_words(name, value, message):
    with pytest.raises(ValueError, match=message):
        Recipe.checked({name: value})


def test_an_unknown_setting_is_refused_naming_the_settings():
    with pytest.raises(ValueError, match="Unknown generator setting.*points"):
        Recipe.checked({"rows": 5})


def test_cluster_sizes_refuses_fewer_points_than_clusters():
    with pytest.raises(ValueError, match="at least one point per cluster"):
        generate.cluster_sizes(3, 4, 1.0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({
    s.name: (st.integers(int(s.low), min(int(s.high), 3000)) if s.kind == "int"
             else st.floats(s.low, s.high) if s.kind == "float"
             else st.sampled_from(s.choices))
    for s in dashboard_settings.GENERATOR}))
def test_every_recipe_in_range_generates_what_it_says(values):
    recipe = Recipe.checked(values)
    g = generate.generate(recipe)
    assert g.X.shape == (recipe.points, recipe.features) and np.isfinite(g.X).all()
    assert (g.y == -1).sum() == recipe.n_outliers
    assert np.bincount(g.y[g.y >= 0], minlength=recipe.clusters).tolist() == g.sizes.tolist()
    assert g.sizes.min() >= 1
    np.testing.assert_allclose(g.covariances, g.covariances.transpose(0, 2, 1))
    assert (np.linalg.eigvalsh(g.covariances) > 0).all()


# ------------------------------------------------------------------ links
def _generated_state(**changes):
    state = {**LINK_DEFAULTS, "dataset": links.GENERATED, "k": 3}
    state.update({f"gen_{k}": v for k, v in changes.items()})
    return state


def test_a_link_carries_every_generator_setting_and_reproduces_the_data():
    state = _generated_state(clusters=5, points=12_345, size_ratio=3.5, features=4,
                             separation=2.25, spread_ratio=1.5, elongation=7.0,
                             rotation="random", angle=12.5, outlier_pct=2.5, seed=77)
    columns = Recipe.from_state(state).columns
    query = links.to_query(state, LINK_DEFAULTS, columns)
    assert {f"gen_{s.name}" for s in dashboard_settings.GENERATOR} <= set(query)
    back, notices = links.from_query(query, LINK_DEFAULTS)
    assert notices == []
    assert Recipe.from_state(back) == Recipe.from_state(state)
    again = generate.generate(Recipe.from_state(back))
    np.testing.assert_array_equal(again.X, generate.generate(Recipe.from_state(state)).X)


def test_a_link_leaves_the_generator_out_for_other_data():
    query = links.to_query({**LINK_DEFAULTS, "gen_points": 5000}, LINK_DEFAULTS,
                           ("x1", "x2"))
    assert not any(name.startswith("gen_") for name in query)


def test_a_generated_link_takes_k_from_its_clusters_and_knows_its_columns():
    state, notices = links.from_query({"dataset": "generated", "gen_clusters": "5",
                                       "gen_features": "4", "columns": "x2,x4", "x": "x4",
                                       "view": "features"}, LINK_DEFAULTS)
    assert notices == [] and state["k"] == 5
    assert state["columns"] == ["x2", "x4"] and state["view_x"] == "x4"
    state, notices = links.from_query({"dataset": "generated", "columns": "x9"}, LINK_DEFAULTS)
    assert "columns" not in state and "'x9'" in notices[0]


def test_a_hostile_generator_link_is_refused_in_words():
    query = {"dataset": "generated", "gen_points": "1000000000", "gen_clusters": "99",
             "gen_features": "-1", "gen_separation": "nan", "gen_spread_ratio": "1e400",
             "gen_rotation": "<img src=x onerror=alert(1)>", "gen_outlier_pct": "200",
             "gen_seed": "9" * 30, "gen_angle": "[a](https://evil.example)"}
    state, notices = links.from_query(query, LINK_DEFAULTS)
    assert len(notices) == len(query) - 1
    assert not any(key.startswith("gen_") for key in state)
    assert Recipe.from_state(state) == Recipe()
    assert state["k"] == Recipe().clusters
    assert any("gen_points='1000000000' is not a whole number from 20 to 1,000,000; using 600."
               in n for n in notices), notices
    assert any("gen_clusters='99' is not a whole number from 1 to 8; using 3." in n
               for n in notices)


# ------------------------------------------------------------------ budget
def test_a_big_generated_set_is_planned_within_the_fit_budget():
    d = generate.dataset(Recipe(clusters=8, points=1_000_000, features=10))
    limits = budget.Limits()
    settings_ = compare.Settings(k=8, n_init=5)
    plan = budget.plan_fit(len(d.X), d.X.shape[1], settings_, limits)
    assert plan.n_fit < len(d.X) and plan.n_init < 5
    assert plan.estimated_seconds <= 2 * limits.fit_seconds
    assert any("uniform random sample" in note for note in plan.notes)
