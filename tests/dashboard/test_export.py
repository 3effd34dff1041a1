import io

import pandas as pd

from dashboard import compare, datasets, export


def test_formula_cells_are_neutralised():
    frame = pd.DataFrame({"x": [1.0, -2.0], "note": ["=SUM(A1)", "plain"],
                          "@odd": ["+cmd", "-1+1"]})
    out = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)))
    assert out["note"].tolist() == ["'=SUM(A1)", "plain"]
    assert out["'@odd"].tolist() == ["'+cmd", "'-1+1"]
    assert out["x"].tolist() == [1.0, -2.0]


def test_results_frame_columns():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3))
    frame = export.results_frame(c, d.columns, d.labels)
    assert list(frame.columns[:4]) == list(d.columns)
    for name in ["true_label", "kmeans_cluster", "gmm_cluster", "p_cluster_1", "p_cluster_3",
                 "uncertainty"]:
        assert name in frame.columns
    assert frame["kmeans_cluster"].min() == 1
    assert ((frame[["p_cluster_1", "p_cluster_2", "p_cluster_3"]].sum(axis=1) - 1).abs()
            < 1e-9).all()
