import dataclasses
import io
import json

import numpy as np
import pandas as pd
import pytest

import gmmcore
from dashboard import compare, datasets, export


def test_formula_cells_are_neutralised():
    frame = pd.DataFrame({"x": [1.0, -2.0], "note": ["=SUM(A1)", "plain"],
                          "@odd": ["+cmd", "-1+1"], "label": ["-1.0", "+2e3"]})
    out = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)), dtype=str)
    assert out["note"].tolist() == ["'=SUM(A1)", "plain"]
    assert out["'@odd"].tolist() == ["'+cmd", "'-1+1"]
    assert out["x"].tolist() == ["1.0", "-2.0"]
    assert out["label"].tolist() == ["-1.0", "+2e3"]  # plain numbers are not formulas


def test_numeric_true_labels_stay_numbers():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3))
    labels = np.where(d.X[:, 0] > 5.8, -1.0, 2.0)
    csv = export.to_csv_bytes(export.results_frame(c, d.columns, labels)).decode()
    out = pd.read_csv(io.StringIO(csv))
    assert out["true_label"].dtype == float
    np.testing.assert_array_equal(out["true_label"], labels)
    assert "'-1.0" not in csv


def test_results_frame_columns():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3))
    frame = export.results_frame(c, d.columns, d.labels)
    assert list(frame.columns[:5]) == ["row", *d.columns]
    assert frame["row"].tolist() == list(range(len(d.X)))
    for name in ["true_label", "kmeans_cluster", "gmm_cluster", "gmm_p_cluster_1",
                 "gmm_p_cluster_3", "gmm_uncertainty"]:
        assert name in frame.columns
    assert frame["kmeans_cluster"].min() == 1
    probabilities = frame[["gmm_p_cluster_1", "gmm_p_cluster_2", "gmm_p_cluster_3"]]
    assert ((probabilities.sum(axis=1) - 1).abs() < 1e-9).all()


@pytest.fixture(scope="module", params=[False, True], ids=["raw", "standardised"])
def fitted(request):
    d = datasets.load("unequal_variance")
    features = d.X * [1.0, 50.0] + [0.0, 1e3]  # different scales, so standardising matters
    settings = compare.Settings(k=3, covariance_type="diag", standardize=request.param,
                                n_init=2, seed=5)
    return d, features, compare.compare(features, settings)


def test_csv_has_the_data_as_loaded(fitted):
    d, features, c = fitted
    frame = pd.read_csv(io.BytesIO(export.to_csv_bytes(
        export.results_frame(c, d.columns, d.labels, features))))
    np.testing.assert_array_equal(frame[list(d.columns)].to_numpy(), features)
    np.testing.assert_array_equal(frame["gmm_cluster"], c.gmm_labels + 1)
    np.testing.assert_allclose(frame["gmm_uncertainty"], 1 - c.resp.max(axis=1))


def test_models_json_loads_back_with_the_same_predictions(fitted):
    d, features, c = fitted
    document = json.loads(export.models_json_bytes(c, d.columns, features))
    loaded = gmmcore.models_from_dict(document)
    X = gmmcore.io.apply_preprocessing(features, loaded["preprocessing"])
    np.testing.assert_array_equal(X, c.X)
    order = loaded["settings"]["gmm_cluster_order"]
    np.testing.assert_array_equal(np.argsort(order)[loaded["gmm"].predict(X)], c.gmm_labels)
    np.testing.assert_allclose(loaded["gmm"].predict_proba(X)[:, order], c.resp, atol=1e-12)
    np.testing.assert_array_equal(loaded["kmeans"].predict(X), c.kmeans_labels)
    assert loaded["columns"] == list(d.columns)
    assert loaded["settings"]["covariance_type"] == "diag" and loaded["settings"]["seed"] == 5
    assert document["gmmcore_version"] == gmmcore.__version__
    assert len(loaded["gmm"].history_) == c.gmm.n_iter_ + 1


def test_the_script_refits_the_same_models_from_the_csv(fitted, tmp_path, monkeypatch):
    d, features, c = fitted
    frame = export.results_frame(c, d.columns, d.labels, features)
    (tmp_path / export.CSV_NAME).write_bytes(export.to_csv_bytes(frame))
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(export.reproduce_script(d.columns, c.settings), namespace)  # noqa: S102
    np.testing.assert_array_equal(namespace["kmeans_labels"], c.kmeans_labels)
    np.testing.assert_array_equal(namespace["gmm"].means_, c.gmm.means_)
    np.testing.assert_array_equal(namespace["responsibilities"][:, c.order], c.resp)


def test_script_uses_the_csv_header_of_formula_like_names():
    script = export.reproduce_script(["=a", "b"], compare.Settings())
    assert "frame[[\"'=a\", 'b']]" in script


def _upload(text):
    from dashboard import ingest

    result = ingest.ingest(text.encode())
    assert result.ok, result.error
    return result


def test_an_upload_exports_every_row_in_order_with_its_columns_and_why():
    rows = ["id,a,b,city"] + [f"{100 + i},{(i * 7) % 10},{(i * 3) % 11},c{i % 4}"
                              for i in range(40)]
    rows[5] = "104,NA,3,oslo"
    result = _upload("\n".join(rows) + "\n")
    features = result.features.to_numpy()
    c = compare.compare(features, compare.Settings(k=2))
    frame = export.results_frame(c, tuple(result.features.columns), features=features,
                                 source=export.SourceRows.of(result))
    out = pd.read_csv(io.BytesIO(export.to_csv_bytes(frame)))
    assert len(out) == 40 and out["source_row"].tolist() == list(range(40))
    assert list(out.columns[:5]) == ["source_row", "id", "a", "b", "city"]
    assert out.loc[4, "city"] == "oslo" and np.isnan(out.loc[4, "kmeans_cluster"])
    assert out.loc[4, "excluded_because"] == "missing or infinite value in 'a'"
    kept = out.drop(index=4)
    np.testing.assert_array_equal(kept["kmeans_cluster"], c.kmeans_labels + 1)
    np.testing.assert_array_equal(kept["gmm_cluster"], c.gmm_labels + 1)
    assert kept["excluded_because"].isna().all()  # empty for rows that were used


def test_rows_outside_the_sample_the_app_worked_on_say_so():
    result = _upload("a,b\n" + "\n".join(f"{i % 7},{(i * 5) % 9}" for i in range(300)) + "\n")
    features = result.features.to_numpy()
    full = compare.compare(features, compare.Settings(k=2))
    rows = np.arange(0, 300, 3)
    sampled = dataclasses.replace(full, X=full.X[rows], kmeans_labels=full.kmeans_labels[rows],
                                  gmm_labels=full.gmm_labels[rows], resp=full.resp[rows],
                                  rows=rows)
    frame = export.results_frame(sampled, ("a", "b"), features=features,
                                 source=export.SourceRows.of(result))
    assert len(frame) == 300
    assert (frame["excluded_because"][frame["source_row"] % 3 != 0] == export.NOT_SHOWN).all()
    assert frame["kmeans_cluster"].notna().sum() == 100


def test_cluster_profiles_in_the_data_s_units():
    d = datasets.load("iris")
    c = compare.compare(d.X, compare.Settings(k=3, standardize=True))
    profile = export.cluster_profiles(c, d.columns, d.X)
    assert len(profile) == 6 and set(profile["method"]) == {"K-means", "GMM"}
    for method, labels in (("K-means", c.kmeans_labels), ("GMM", c.gmm_labels)):
        mine = profile[profile["method"] == method]
        assert mine["points"].sum() == 150
        first = mine[mine["cluster"] == 1].iloc[0]
        np.testing.assert_allclose(first["petal length mean"], d.X[labels == 0, 2].mean())
        np.testing.assert_allclose(first["petal length std"], d.X[labels == 0, 2].std())


def test_the_headline_compares_each_method_with_the_truth():
    d = datasets.load("anisotropic")
    c = compare.compare(d.X, compare.Settings(k=3))
    top = compare.headline(c, d.labels)
    assert top["ari_gmm_truth"] > top["ari_kmeans_truth"] + 0.1
    assert 0 < top["ari"] < 1 and top["n_disagree"] == int(c.disagree.sum())
    assert "ari_kmeans_truth" not in compare.headline(c)
