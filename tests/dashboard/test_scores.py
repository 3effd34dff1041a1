"""The score wrappers: label matching reaches the optimum, silhouettes share one sample."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics

from dashboard import compare, scores


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6).flatmap(
    lambda k: st.lists(st.integers(0, 40), min_size=k * k, max_size=k * k)))
def test_best_assignment_is_a_best_permutation(values):
    k = int(round(len(values) ** 0.5))
    weights = np.array(values).reshape(k, k)
    columns = scores.best_assignment(weights)
    assert sorted(columns) == list(range(k))
    best = max(sum(weights[i, p[i]] for i in range(k)) for p in itertools.permutations(range(k)))
    assert weights[np.arange(k), columns].sum() == best


def test_silhouettes_of_two_labellings_use_the_same_sample():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 3))
    a, b = (X[:, 0] > 0).astype(int), (X[:, 1] > 0).astype(int)
    ka, kb = compare.silhouettes(X, a, b, sample_size=300, seed=4)
    assert ka == pytest.approx(metrics.silhouette_score(X, a, sample_size=300, random_state=4))
    assert kb == pytest.approx(metrics.silhouette_score(X, b, sample_size=300, random_state=4))
    assert compare.silhouettes(X, a, np.zeros(5000), None, sample_size=300, seed=4) == [
        ka, None, None]
