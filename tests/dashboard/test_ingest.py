import numpy as np
import pytest

from dashboard import ingest

from ..upload_corpus import CASES


@pytest.mark.parametrize("name,raw,expect", CASES, ids=[c[0] for c in CASES])
def test_corpus_outcome(name, raw, expect):
    result = ingest.ingest(raw)
    if expect[0] == "refuse":
        assert not result.ok and result.features is None
        assert expect[1].lower() in result.error.lower()
        return
    _, n_rows, n_cols, phrase = expect
    assert result.ok, result.error
    assert result.features.shape == (n_rows, n_cols)
    assert result.features.dtypes.eq(np.float64).all()
    assert np.isfinite(result.features.to_numpy()).all()
    assert len(result.extra) == n_rows
    report = " ".join(result.report) + " " + " ".join(result.features.columns) + " " + " ".join(
        result.extra.columns)
    assert phrase.lower() in report.lower()


def test_values_are_parsed_exactly():
    raw = b"a;b\n1.234,5;-0,25\n2,0;1e3\n"
    frame = ingest.ingest(raw).features
    np.testing.assert_array_equal(frame.to_numpy(), [[1234.5, -0.25], [2.0, 1000.0]])


def test_no_header_keeps_the_first_row():
    frame = ingest.ingest(b"1,2\n3,4\n5,6\n").features
    assert list(frame.columns) == ["column 1", "column 2"]
    assert frame.iloc[0].tolist() == [1.0, 2.0]


def test_duplicate_and_blank_names_made_unique():
    frame = ingest.ingest(b"a,a,,a\n1,2,3,4\n2,3,4,6\n").features
    assert list(frame.columns) == ["a", "a (2)", "column 3", "a (3)"]


def test_mean_imputation_replaces_missing_and_infinite():
    result = ingest.ingest(b"a,b\n1,10\n,20\n3,inf\n5,30\n", missing="mean")
    np.testing.assert_allclose(result.features["a"], [1, 3, 3, 5])
    np.testing.assert_allclose(result.features["b"], [10, 20, 20, 30])
    assert any("column's mean" in line for line in result.report)


def test_text_columns_kept_as_label_candidates():
    result = ingest.ingest(b"x,y,kind\n1,2,cat\n2,3,dog\n3,5,cat\n")
    assert list(result.extra.columns) == ["kind"]
    assert result.extra["kind"].tolist() == ["cat", "dog", "cat"]


def test_limits_are_checked_before_parsing():
    big = b"a,b\n" + b"1,2\n" * 100
    assert "limit" in ingest.ingest(big, max_bytes=100).error
    assert "limit" in ingest.ingest(big, max_rows=50).error
    assert "limit" in ingest.ingest(b"a,b,c\n1,2,3\n", max_columns=2).error


def test_large_file_loads():
    rows = np.random.RandomState(0).normal(size=(200_000, 4))
    raw = ("a,b,c,d\n" + "\n".join(",".join(f"{v:.5f}" for v in r) for r in rows)).encode()
    result = ingest.ingest(raw)
    assert result.features.shape == (200_000, 4)
    np.testing.assert_allclose(result.features.to_numpy(), rows, atol=1e-5)
