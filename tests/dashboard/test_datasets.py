import numpy as np
import pytest

from dashboard import compare, datasets


@pytest.mark.parametrize("key", list(datasets.BUILTIN))
def test_builtin_datasets_are_complete(key):
    d = datasets.load(key)
    assert d.X.ndim == 2 and d.X.shape[1] == len(d.columns)
    assert np.isfinite(d.X).all()
    assert d.labels is not None and len(d.labels) == len(d.X)
    assert 2 <= d.suggested_k <= 6 and d.description


@pytest.mark.parametrize("key", list(datasets.BUILTIN))
def test_datasets_are_deterministic(key):
    # Generated afresh (not the cached object) and compared with the cached one.
    fresh = datasets.BUILTIN[key]()
    np.testing.assert_array_equal(fresh.X, datasets.load(key).X)
    np.testing.assert_array_equal(fresh.labels, datasets.load(key).labels)


def test_cached_datasets_are_read_only():
    with pytest.raises(ValueError, match="read-only"):
        datasets.load("iris").X[0, 0] = 1.0


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ValueError, match="iris"):
        datasets.load("nope")


@pytest.mark.parametrize("key,gmm_wins", [
    ("anisotropic", True), ("unequal_variance", True), ("iris", True),
    ("unequal_sizes", True),
])
def test_showcase_datasets_show_the_difference(key, gmm_wins):
    d = datasets.load(key)
    c = compare.compare(d.X, compare.Settings(k=d.suggested_k))
    table = {r["metric"]: r for r in compare.metrics_table(c, d.labels)}
    ari = table["ARI vs true labels"]
    assert (ari["GMM"] > ari["K-means"] + 0.1) == gmm_wins
    assert c.disagree.sum() > 0


def test_round_blobs_both_methods_agree():
    d = datasets.load("round_blobs")
    c = compare.compare(d.X, compare.Settings(k=4))
    assert c.disagree.sum() == 0
    assert compare.agreement(c)["ari"] == pytest.approx(1.0)


def test_titles_are_the_datasets_names_without_generating_them(monkeypatch):
    assert datasets.titles() == {key: datasets.load(key).name for key in datasets.BUILTIN}
    monkeypatch.setattr(datasets, "load", lambda key: pytest.fail("generated " + key))
    assert set(datasets.titles()) == set(datasets.BUILTIN)
