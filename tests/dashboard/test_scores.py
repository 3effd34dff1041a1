"""The NumPy clustering scores agree with scikit-learn's and SciPy's."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from sklearn import metrics
from sklearn.decomposition import PCA

from dashboard import compare, datasets, scores

labels = st.integers(2, 120).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 5), min_size=n, max_size=n),
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)))


@settings(max_examples=200, deadline=None)
@given(labels)
def test_ari_and_nmi_agree_with_scikit_learn(pair):
    a, b = pair
    for x, y in ((a, b), (a, a), (b, a)):
        assert scores.adjusted_rand_score(x, y) == pytest.approx(
            metrics.adjusted_rand_score(x, y), abs=1e-12)
        assert scores.normalized_mutual_info_score(x, y) == pytest.approx(
            metrics.normalized_mutual_info_score(x, y), abs=1e-12)


@pytest.mark.parametrize("n,sample_size", [(150, None), (700, None), (700, 300), (5000, 3000)])
def test_silhouette_agrees_with_scikit_learn_on_the_same_sample(n, sample_size):
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 3)) + np.repeat(np.eye(3) * 4, -(-n // 3), axis=0)[:n]
    labels = rng.integers(0, 3, n)
    ours = scores.silhouette_score(X, labels, sample_size=sample_size, random_state=0,
                                   block_rows=97)
    assert ours == pytest.approx(metrics.silhouette_score(
        X, labels, sample_size=sample_size, random_state=0), abs=1e-10)
    other = (labels + (X[:, 0] > 0)) % 3
    assert scores.silhouette_scores(X, [labels, other], sample_size=sample_size) == [
        pytest.approx(ours, abs=1e-12), pytest.approx(metrics.silhouette_score(
            X, other, sample_size=sample_size, random_state=0), abs=1e-10)]


def test_silhouette_refuses_one_label_like_scikit_learn():
    with pytest.raises(ValueError, match="Number of labels is 1"):
        scores.silhouette_score(np.arange(10.0)[:, None], np.zeros(10))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12).flatmap(
    lambda k: st.lists(st.integers(0, 40), min_size=k * k, max_size=k * k)))
def test_best_assignment_reaches_scipys_optimum(values):
    k = int(round(len(values) ** 0.5))
    weights = np.array(values).reshape(k, k)
    columns = scores.best_assignment(weights)
    assert sorted(columns) == list(range(k))
    rows, cols = linear_sum_assignment(-weights)
    assert weights[np.arange(k), columns].sum() == weights[rows, cols].sum()


def test_principal_components_are_scikit_learns():
    rng = np.random.default_rng(0)
    for X in (datasets.load("iris").X, rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5)),
              rng.normal(size=(8, 12))):
        components, mean, share = compare.principal_components(X)
        pca = PCA(2).fit(X)
        np.testing.assert_allclose(components, pca.components_, atol=1e-10)
        np.testing.assert_allclose(mean, pca.mean_)
        np.testing.assert_allclose(share, pca.explained_variance_ratio_, atol=1e-12)
