"""Shareable links: settings -> query parameters -> the same settings, bad values explained."""

import pytest

from dashboard import datasets, links

DEFAULTS = {"dataset": datasets.DEFAULT, "standardize": False, "k": 3,
            "covariance_type": "full", "init": "kmeans", "seed": 0, "n_init": 1,
            "max_iter": 100, "tol": 1e-3, "reg_covar": 1e-6, "view": "pca"}


def _state(**changes):
    return {**DEFAULTS, **changes}


def test_a_view_survives_the_round_trip():
    iris = datasets.load("iris")
    state = _state(dataset="iris", k=5, covariance_type="diag", init="random", seed=42,
                   standardize=True, columns=["sepal length", "petal width"], n_init=4,
                   tol=1e-5, reg_covar=0.01, view="features", view_x="petal width",
                   view_y="sepal length")
    query = links.to_query(state, DEFAULTS, iris.columns)
    assert all(isinstance(v, str) for v in query.values())
    back, notices = links.from_query(query, DEFAULTS)
    assert notices == []
    for key in ("dataset", "k", "covariance_type", "init", "seed", "standardize", "columns",
                "n_init", "tol", "reg_covar", "view", "view_x", "view_y"):
        assert back[key] == state[key], key


def test_links_stay_short_for_default_settings():
    query = links.to_query(_state(), DEFAULTS, datasets.load(datasets.DEFAULT).columns)
    assert set(query) == set(links.ALWAYS)
    assert query["standardize"] == "0" and query["cov"] == "full"


@pytest.mark.parametrize("name, value, fragment", [
    ("k", "abc", "k='abc' is not a whole number from 1 to 12; using 3"),
    ("k", "999", "k='999' is not a whole number from 1 to 12"),
    ("k", "0", "k='0'"),
    ("cov", "nonsense", "cov='nonsense' is not one of full, tied, diag, spherical; using full"),
    ("init", "magic", "init='magic'"),
    ("seed", "-1", "seed='-1'"),
    ("standardize", "maybe", "standardize='maybe' is not 1 or 0 (true or false); using 0"),
    ("tol", "nan", "tol='nan' is not a number from 0 to 1"),
    ("max_iter", "1e9", "max_iter='1e9'"),
    ("view", "3d", "view='3d'"),
])
def test_bad_values_fall_back_with_a_notice(name, value, fragment):
    state, notices = links.from_query({"dataset": "iris", name: value}, DEFAULTS)
    assert len(notices) == 1 and fragment in notices[0]
    assert links.PARAMS[name] not in state or name == "k"
    assert state["dataset"] == "iris"


def test_unknown_dataset_and_columns_are_explained():
    state, notices = links.from_query({"dataset": "../../etc/passwd"}, DEFAULTS)
    assert "dataset" not in state and "is not one of" in notices[0]
    state, notices = links.from_query({"dataset": "iris", "columns": "nope,petal width"},
                                      DEFAULTS)
    assert state["columns"] == ["petal width"] and "'nope'" in notices[0]
    state, notices = links.from_query({"dataset": "iris", "columns": "nope"}, DEFAULTS)
    assert "columns" not in state and "using all columns" in notices[0]


def test_an_upload_link_says_to_upload_again_and_keeps_the_other_settings():
    state = _state(dataset="upload", k=4, columns=["a", "b"])
    query = links.to_query(state, DEFAULTS, ["a", "b", "c"])
    assert query["dataset"] == "upload" and "columns" not in query
    back, notices = links.from_query(query, DEFAULTS)
    assert back["dataset"] == "upload" and back["k"] == 4
    assert notices == [links.UPLOAD_NOTICE]


def test_an_upload_link_carries_none_of_the_file_s_column_names():
    state = _state(dataset="upload", view="features", view_x="secret_a", view_y="secret_b",
                   columns=["secret_a", "secret_b"])
    query = links.to_query(state, DEFAULTS, ["secret_a", "secret_b", "secret_c"])
    assert not {"x", "y", "columns"} & set(query)
    assert "secret" not in links.share_url("https://demo.example/", query)


def test_a_dataset_without_k_takes_its_suggested_k():
    state, _ = links.from_query({"dataset": "iris"}, DEFAULTS)
    assert state["k"] == datasets.load("iris").suggested_k


def test_share_url():
    assert links.share_url("https://demo.example/steps", {"k": "3", "cov": "full"}) == \
        "https://demo.example/steps?k=3&cov=full"
    assert links.share_url(None, {"dataset": "a b"}) == "?dataset=a+b"
    assert links.share_url("http://host:8501", {"k": "2"}) == "http://host:8501/?k=2"


# ------------------------------------------------------- 3-D view and density page
def test_3d_axes_and_the_density_page_survive_the_round_trip():
    iris = datasets.load("iris")
    state = _state(dataset="iris", view3d_axes="features", view3d_x="petal width",
                   view3d_y="sepal length", view3d_z="petal length", density_cluster=2,
                   density_components=True, density_unit="data")
    query = links.to_query(state, DEFAULTS, iris.columns)
    assert query["view3d"] == "features" and query["x3"] == "petal width"
    assert query["cluster"] == "2" and query["components"] == "1" and query["unit"] == "data"
    back, notices = links.from_query(query, DEFAULTS)
    assert notices == []
    for key in ("view3d_axes", "view3d_x", "view3d_y", "view3d_z", "density_cluster",
                "density_components", "density_unit"):
        assert back[key] == state[key], key


def test_3d_axes_leave_the_link_when_unused_or_from_a_file():
    iris = datasets.load("iris")
    pca = _state(dataset="iris", view3d_axes="pca", view3d_x="petal width",
                 view3d_y="sepal length", view3d_z="petal length", density_unit="spread",
                 density_components=False)
    query = links.to_query(pca, DEFAULTS, iris.columns)
    assert not {"view3d", "x3", "y3", "z3", "unit", "components"} & set(query)
    upload = _state(dataset="upload", view3d_axes="features", view3d_x="secret column",
                    view3d_y="b", view3d_z="c")
    query = links.to_query(upload, DEFAULTS, ("secret column", "b", "c"))
    assert query["view3d"] == "features" and not {"x3", "y3", "z3"} & set(query)


@pytest.mark.parametrize("query, fragment", [
    ({"view3d": "sideways"}, "view3d='sideways' is not one of pca, features; using pca"),
    ({"x3": "wingspan"}, "x3='wingspan' is not a column of this dataset"),
    ({"x3": "petal width", "y3": "petal width"}, "x3, y3 and z3 repeat a feature"),
    ({"cluster": "13"}, "cluster='13' is not a whole number from 1 to 12"),
    ({"cluster": "-1"}, "cluster='-1'"),
    ({"components": "perhaps"}, "components='perhaps' is not 1 or 0"),
    ({"unit": "furlongs"}, "unit='furlongs' is not one of spread, data; using spread"),
])
def test_bad_3d_and_density_values_are_explained(query, fragment):
    state, notices = links.from_query({"dataset": "iris", **query}, DEFAULTS)
    assert len(notices) == 1 and fragment in notices[0], notices
    bad = next(iter(query))
    if bad != "x3" or "y3" not in query:
        assert links.PARAMS[bad] not in state


def test_a_bad_value_for_a_setting_without_default_names_the_fallback_in_words():
    state, notices = links.from_query({"dataset": "iris", "cluster": "0"}, DEFAULTS)
    assert state.get("density_cluster") is None
    assert any("cluster='0'" in n and "using the page's own choice" in n for n in notices)
    assert not any("None" in n for n in notices)
