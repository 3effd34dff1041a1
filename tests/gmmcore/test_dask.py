"""gmmcore on Dask arrays: the same fit as in memory, on a LocalCluster of two processes."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gmmcore

from .data import anisotropic, iris

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
COVARIANCE_TYPE = list(gmmcore.COVARIANCE_TYPES)


@pytest.fixture(scope="module")
def client():
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          distributed.Client(cluster) as client):
        yield client


def _weights(n):
    return np.random.RandomState(1).randint(1, 4, n).astype(float)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPE)
def test_mixture_on_the_cluster_equals_the_in_memory_fit(client, covariance_type):
    X = iris()
    w = _weights(len(X))
    params = dict(covariance_type=covariance_type, random_state=0, tol=1e-6, max_iter=500,
                  keep_history=True)
    memory = gmmcore.GaussianMixture(3, **params).fit(X, sample_weight=w)
    # 15 row blocks, weights split differently: the blocks are realigned.
    dask_fit = gmmcore.GaussianMixture(3, **params).fit(
        da.from_array(X, chunks=(10, 4)), sample_weight=da.from_array(w, chunks=7))
    assert dask_fit.n_iter_ == memory.n_iter_
    assert dask_fit.lower_bounds_ == pytest.approx(memory.lower_bounds_, rel=1e-10)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(dask_fit, name), getattr(memory, name), rtol=1e-8,
                                   atol=1e-12, err_msg=name)
    assert len(dask_fit.history_) == len(memory.history_)


def test_mixture_from_given_initial_parameters_and_lazy_predictions(client):
    X = anisotropic()
    start = dict(weights_init=[0.2, 0.3, 0.5], means_init=[[-3, 3], [0, 0], [2, -2]])
    memory = gmmcore.GaussianMixture(3, tol=1e-8, random_state=0, **start).fit(X)
    Xd = da.from_array(X, chunks=(37, 2))
    dask_fit = gmmcore.GaussianMixture(3, tol=1e-8, random_state=0, **start).fit(Xd)
    np.testing.assert_allclose(dask_fit.means_, memory.means_, rtol=1e-8)
    proba = dask_fit.predict_proba(Xd)
    assert isinstance(proba, da.Array) and proba.chunks[0] == Xd.chunks[0]
    np.testing.assert_allclose(proba.compute(), memory.predict_proba(X), atol=1e-9)
    np.testing.assert_array_equal(dask_fit.predict(Xd).compute(), memory.predict(X))
    np.testing.assert_allclose(dask_fit.score_samples(Xd).compute(), memory.score_samples(X),
                               rtol=1e-9)
    assert dask_fit.score(Xd) == pytest.approx(memory.score(X), rel=1e-10)


def test_kmeans_on_the_cluster_equals_the_in_memory_fit(client):
    X = anisotropic()
    w = _weights(len(X))
    init = X[[0, 150, 300]] * 1.1
    memory = gmmcore.KMeans(3, init=init, tol=0, keep_history=True).fit(X, sample_weight=w)
    dask_fit = gmmcore.KMeans(3, init=init, tol=0, keep_history=True).fit(
        da.from_array(X, chunks=(50, 2)), sample_weight=da.from_array(w, chunks=50))
    # tol=0: only the "no label changed" rule can stop it, on both sources alike.
    assert dask_fit.n_iter_ == memory.n_iter_ < 300 and dask_fit.converged_
    assert dask_fit.stop_reason_ == memory.stop_reason_ == "converged"
    np.testing.assert_allclose(dask_fit.cluster_centers_, memory.cluster_centers_, rtol=1e-10)
    assert dask_fit.inertia_ == pytest.approx(memory.inertia_, rel=1e-10)
    np.testing.assert_allclose(dask_fit.inertias_, memory.inertias_, rtol=1e-10)
    np.testing.assert_array_equal(dask_fit.labels_.compute(), memory.labels_)


def test_sampled_initialisation_on_many_blocks_finds_the_clusters(monkeypatch):
    # The threaded scheduler (no client): init on a sample, EM over 15 blocks.
    from gmmcore import _dask, kmeans, mixture

    monkeypatch.setattr(kmeans, "INIT_SAMPLE_SIZE", 1000)
    monkeypatch.setattr(mixture, "INIT_SAMPLE_SIZE", 1000)
    sample_sizes = []
    sample = _dask.DaskRows.sample

    def recording_sample(self, size, rng):
        rows = sample(self, size, rng)
        sample_sizes.append(rows.n_samples)
        return rows

    monkeypatch.setattr(_dask.DaskRows, "sample", recording_sample)
    rng = np.random.RandomState(0)
    centres = np.array([[0, 0], [6, 0], [0, 6]])
    X = np.vstack([c + rng.normal(size=(1500, 2)) for c in centres])
    for init in gmmcore.INIT_PARAMS:
        fit = gmmcore.GaussianMixture(3, init_params=init, random_state=0, max_iter=300).fit(
            da.from_array(X, chunks=(300, 2)))
        memory = gmmcore.GaussianMixture(3, init_params=init, random_state=0,
                                         max_iter=300).fit(X)
        assert fit.lower_bound_ == pytest.approx(memory.lower_bound_, abs=1e-2), init
    km = gmmcore.KMeans(3, random_state=0).fit(da.from_array(X, chunks=(300, 2)))
    # The initialisations really saw a sample (about 1,000 of the 4,500 rows).
    assert len(sample_sizes) == len(gmmcore.INIT_PARAMS) + 1
    assert all(700 < n < 1300 for n in sample_sizes), sample_sizes
    found = km.cluster_centers_[np.lexsort(np.round(km.cluster_centers_).T[::-1])]
    np.testing.assert_allclose(found, centres[np.lexsort(centres.T[::-1])], atol=0.1)


@pytest.mark.parametrize("make, message", [
    (lambda: da.from_array(np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]), chunks=2),
     "must be finite"),
    (lambda: da.ones((10, 2), chunks=5)[da.ones(10, chunks=5) > 0], "unknown chunk sizes"),
    (lambda: da.ones(10, chunks=5), "must be 2-D"),
])
def test_bad_dask_input_is_refused_in_words(make, message):
    with pytest.raises(ValueError, match=message):
        gmmcore.GaussianMixture(2).fit(make())


@pytest.mark.parametrize("make", [
    lambda covariance_type=covariance_type: gmmcore.GaussianMixture(
        3, covariance_type=covariance_type, random_state=0)
    for covariance_type in COVARIANCE_TYPE] + [lambda: gmmcore.KMeans(3, random_state=0)])
def test_predictions_on_dask_rows_with_nan_raise_when_computed(client, make):
    model = make().fit(anisotropic())
    X = np.random.RandomState(0).normal(size=(4000, 2))
    X[3500, 1] = np.nan
    lazy = da.from_array(X, chunks=(1000, 2))
    methods = ["predict"] + [m for m in ("predict_proba", "score_samples", "transform")
                             if hasattr(model, m)]
    for method in methods:
        result = getattr(model, method)(lazy)  # lazy: nothing is read yet
        with pytest.raises(ValueError, match=r"a block of X contains NaN or infinite values "
                                             r"in 1 row\(s\)"):
            result.compute()


# -------------------------------------------------------------- command line
def _run(*args):
    done = subprocess.run([sys.executable, "-m", "gmmcore", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_cli_fits_parquet_on_the_cluster_and_predicts(client, tmp_path):
    X = anisotropic()
    frame = pd.DataFrame(X, columns=["x1", "x2"])
    frame["site"] = "a"
    for i in range(5):
        frame.iloc[i::5].to_parquet(tmp_path / f"part{i}.parquet")
    model_path = tmp_path / "model.json"
    address = client.scheduler.address
    out = _run("fit", tmp_path / "*.parquet", "--k", 3, "--covariance-type", "tied",
               "--standardize", "--scheduler", address, "--out", model_path)
    assert f"{len(X)} rows x 2 columns (x1, x2) in 5 blocks" in out
    assert "iteration    1  mean log-likelihood" in out and "wrote" in out
    document = json.loads(model_path.read_text())
    models = gmmcore.models_from_dict(document)
    assert models["columns"] == ["x1", "x2"] and document["settings"]["n_samples"] == len(X)
    assert models["gmm"].covariance_type == "tied" and models["kmeans"] is not None

    rows = pd.concat(pd.read_parquet(tmp_path / f"part{i}.parquet") for i in range(5))
    Z = gmmcore.io.apply_preprocessing(rows[["x1", "x2"]].to_numpy(), models["preprocessing"])
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    memory = gmmcore.GaussianMixture(
        3, covariance_type="tied", means_init=models["gmm"].history_[0]["means"],
        weights_init=models["gmm"].history_[0]["weights"],
        precisions_init=np.linalg.inv(models["gmm"].history_[0]["covariances"]),
    ).fit(Z)
    np.testing.assert_allclose(models["gmm"].means_, memory.means_, rtol=1e-7, atol=1e-10)

    labels_path = tmp_path / "labels.parquet"
    _run("predict", tmp_path / "*.parquet", "--model", model_path, "--out", labels_path)
    labelled = pd.read_parquet(labels_path)
    assert len(labelled) == len(X) and {"site", "gmm_cluster", "gmm_p_cluster_3", "gmm_uncertainty",
                                     "kmeans_cluster"} <= set(labelled.columns)
    expected = models["gmm"].predict(gmmcore.io.apply_preprocessing(
        labelled[["x1", "x2"]].to_numpy(), models["preprocessing"])) + 1
    np.testing.assert_array_equal(labelled["gmm_cluster"], expected)


def test_cli_reads_csv_and_explains_bad_columns(tmp_path):
    pd.DataFrame(iris(), columns=list("abcd")).to_csv(tmp_path / "iris.csv", index=False)
    out = _run("fit", tmp_path / "iris.csv", "--k", 2, "--columns", "a", "c", "--no-kmeans",
               "--out", tmp_path / "m.json")
    assert "150 rows x 2 columns (a, c)" in out
    assert gmmcore.models_from_dict(json.loads((tmp_path / "m.json").read_text()))[
        "kmeans"] is None
    done = subprocess.run([sys.executable, "-m", "gmmcore", "fit", str(tmp_path / "iris.csv"),
                           "--k", "2", "--columns", "zz", "--out", str(tmp_path / "x.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "No column(s) zz in the data" in done.stderr


def _fails(*args):
    done = subprocess.run([sys.executable, "-m", "gmmcore", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stderr


def test_cli_refuses_bad_paths_before_any_work_and_overwrites_only_when_told(tmp_path):
    data = tmp_path / "iris.csv"
    pd.DataFrame(iris(), columns=list("abcd")).to_csv(data, index=False)
    model = tmp_path / "m.json"
    assert "no such file, folder or glob match" in _fails(
        "fit", tmp_path / "missing*.csv", "--k", 2, "--out", model)
    assert "is not a writable folder" in _fails(
        "fit", data, "--k", 2, "--out", tmp_path / "no" / "such" / "dir" / "m.json")
    assert "must be a whole number from 1 to 12" in _fails("fit", data, "--k", 50, "--out",
                                                           model)
    _run("fit", data, "--k", 2, "--no-kmeans", "--out", model)
    assert "already exists" in _fails("fit", data, "--k", 2, "--out", model)
    _run("fit", data, "--k", 3, "--no-kmeans", "--out", model, "--overwrite")
    assert json.loads(model.read_text())["settings"]["k"] == 3

    labels = tmp_path / "labels.parquet"
    _run("predict", data, "--model", model, "--out", labels)
    assert "already exists" in _fails("predict", data, "--model", model, "--out", labels)
    _run("predict", data, "--model", model, "--out", labels, "--overwrite")
    assert len(pd.read_parquet(labels)) == len(iris())  # the old parts are gone
    assert "cannot read --model" in _fails("predict", data, "--model", tmp_path / "none.json",
                                           "--out", tmp_path / "other.parquet")
