import warnings

import numpy as np
import pytest
from sklearn import cluster

import gmmcore
from gmmcore import kmeans
from gmmcore.kmeans import _first_nearest, _labels_of, nearest_centers

from .data import DATASETS, anisotropic, iris


@pytest.mark.parametrize("dataset", list(DATASETS))
@pytest.mark.parametrize("n_clusters", [2, 3, 5, 9])
def test_lloyd_agrees_with_sklearn_from_same_centres(dataset, n_clusters):
    X = DATASETS[dataset]()
    init = X[np.random.RandomState(n_clusters).choice(len(X), n_clusters, replace=False)]
    ours = gmmcore.KMeans(n_clusters, init=init, max_iter=300).fit(X)
    ref = cluster.KMeans(n_clusters, init=init, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)
    assert ours.n_iter_ == ref.n_iter_


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_same_seed_same_result_as_sklearn(init):
    X = iris()
    ours = gmmcore.KMeans(4, init=init, n_init=3, random_state=0).fit(X)
    ref = cluster.KMeans(4, init=init, n_init=3, random_state=0).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-9)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


def test_sample_weight_equals_repeated_rows():
    X = anisotropic()
    counts = np.random.RandomState(1).randint(0, 4, size=len(X))
    init = X[:3]
    weighted = gmmcore.KMeans(3, init=init).fit(X, sample_weight=counts)
    repeated = gmmcore.KMeans(3, init=init).fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, rtol=1e-10)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-10)
    ref = cluster.KMeans(3, init=init, n_init=1).fit(X, sample_weight=counts)
    np.testing.assert_allclose(weighted.cluster_centers_, ref.cluster_centers_, rtol=1e-9)


def test_inertias_decrease_and_end_at_inertia():
    X = anisotropic()
    model = gmmcore.KMeans(6, init="random", random_state=3, n_init=1, tol=0).fit(X)
    assert len(model.inertias_) == model.n_iter_
    assert np.all(np.diff(model.inertias_) <= 1e-9)
    assert model.inertias_[-1] == pytest.approx(model.inertia_, rel=1e-9)
    assert model.converged_


def test_empty_cluster_moves_to_farthest_point_like_sklearn():
    X = np.array([[0.0, 0], [0.1, 0], [0.2, 0], [10, 0], [10.1, 0], [30, 0]])
    init = np.array([[0.1, 0], [10, 0], [100, 100]])  # the third attracts nobody
    ours = gmmcore.KMeans(3, init=init).fit(X)
    ref = cluster.KMeans(3, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert sorted(np.bincount(ours.labels_)) == [1, 2, 3]


@pytest.mark.parametrize("seed", [20, 24, 28])
def test_a_cluster_emptied_mid_fit_gets_the_farthest_row_like_sklearn(seed, monkeypatch):
    # Passes after the first update the clusters' sums with the rows that changed label;
    # a row moved into an emptied cluster must send the next pass back to full sums.
    rng = np.random.RandomState(seed)
    X = rng.randint(0, 20, size=(12, 1)).astype(float)
    init = rng.uniform(0, 20, size=(6, 1))
    moved_rows = []
    new_centers = kmeans._new_centers

    def spy(*args):
        centers, moved = new_centers(*args)
        moved_rows.append(moved)
        return centers, moved
    monkeypatch.setattr(kmeans, "_new_centers", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gmmcore.KMeans(6, init=init, n_init=1).fit(X)
        ref = cluster.KMeans(6, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert any(moved_rows[1:])  # after the first pass
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-12)
    assert ours.n_iter_ == ref.n_iter_


def test_updated_sums_give_the_full_sums_results():
    X = anisotropic()
    init = X[np.random.RandomState(5).choice(len(X), 7, replace=False)]
    updated = gmmcore.KMeans(7, init=init, tol=0).fit(X)
    new_centers = kmeans._new_centers
    with pytest.MonkeyPatch.context() as patch:  # as if rows moved each time: full sums
        patch.setattr(kmeans, "_new_centers", lambda *args: (new_centers(*args)[0], True))
        full = gmmcore.KMeans(7, init=init, tol=0).fit(X)
    assert updated.n_iter_ == full.n_iter_ > 3
    np.testing.assert_array_equal(updated.labels_, full.labels_)
    np.testing.assert_allclose(updated.cluster_centers_, full.cluster_centers_, rtol=1e-12)
    assert updated.inertias_ == pytest.approx(full.inertias_, rel=1e-12)


def test_fewer_distinct_points_than_clusters_warns():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 10, axis=0)
    with pytest.warns(gmmcore.ConvergenceWarning, match="distinct clusters"):
        model = gmmcore.KMeans(3, random_state=0).fit(X)
    assert np.isfinite(model.cluster_centers_).all()


def test_predict_transform_and_ties():
    X = iris()
    model = gmmcore.KMeans(3, random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    distances = model.transform(X)
    assert distances.shape == (150, 3)
    np.testing.assert_array_equal(distances.argmin(axis=1), model.labels_)
    assert model.fit_predict(X).shape == (150,)
    # Exact ties go to the lower index, as argmin does.
    labels, _ = nearest_centers(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0], [-1.0, 0.0]]))
    assert labels[0] == 0


@pytest.mark.parametrize("n_clusters", [1, 3, 8, 11])
def test_first_nearest_matches_argmin(n_clusters):
    dist = np.random.RandomState(0).randint(0, 4, size=(n_clusters, 500)).astype(float)
    np.testing.assert_array_equal(_first_nearest(dist, dist.min(axis=0)), dist.argmin(axis=0))


@pytest.mark.parametrize("n_clusters", [1, 2, 8, 255, 256, 257, 300])
def test_labels_of_a_one_hot_matrix_are_its_argmax(n_clusters):
    labels = np.random.RandomState(1).randint(0, n_clusters, size=2000)
    labels[:n_clusters] = np.arange(min(n_clusters, 2000))  # every cluster, the last too
    one_hot = labels == np.arange(n_clusters)[:, None]
    found = _labels_of(one_hot)
    assert found.dtype == np.int32
    np.testing.assert_array_equal(found, labels)


def test_warning_free_on_normal_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gmmcore.KMeans(3, random_state=0).fit(iris())


def test_a_row_exactly_between_centres_goes_to_the_lower_index():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.0], [1.0, 5.0], [4.0, 4.0]])
    centers = np.array([[2.0, 0.0], [0.0, 0.0], [1.0, 5.0]])
    labels, sq = nearest_centers(X, centers)
    np.testing.assert_array_equal(labels, [1, 0, 0, 2, 2])  # row 2 ties 0 and 1: 0
    np.testing.assert_allclose(sq, [0.0, 0.0, 1.0, 0.0, 10.0])
    model = gmmcore.KMeans(3, init=centers, n_init=1, max_iter=1).fit(X)
    np.testing.assert_array_equal(model.predict(X[:3]), model.labels_[:3])
