import pytest

from dashboard import compare, datasets


@pytest.fixture(scope="module")
def aniso():
    """The sheared blobs fitted at K = 3, on their two features: (dataset, comparison, view)."""
    d = datasets.load("anisotropic")
    c = compare.compare(d.X, compare.Settings(k=3))
    return d, c, compare.feature_view(d.columns, "x1", "x2")
