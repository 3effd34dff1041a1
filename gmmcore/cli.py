"""Command line for big fits on Dask: ``python -m gmmcore fit`` and ``python -m gmmcore predict``.

    python -m gmmcore fit "logs/*.parquet" --k 5 --covariance-type full --out model.json
    python -m gmmcore fit data.csv --k 3 --columns x y z --scheduler tcp://10.0.0.5:8786 ...
    python -m gmmcore predict "logs/*.parquet" --model model.json --out labels.parquet

DATA is a CSV/TSV or Parquet file, a glob of them, or a Parquet directory, read
with ``dask.dataframe``; the rows never gather on this machine. The model file
is the dashboard's JSON format (:mod:`gmmcore.io`): its "Load a fitted model"
option opens it. Needs ``pip install "dask[dataframe]" distributed`` (see
requirements-dask.txt).
"""

import argparse
import contextlib
import sys
import time
from pathlib import Path

import numpy as np

from . import io
from .gaussian import COVARIANCE_TYPES
from .kmeans import KMeans
from .mixture import INIT_PARAMS, GaussianMixture

CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def _dask():
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SystemExit("gmmcore's command line needs Dask: pip install -r "
                         "requirements-dask.txt") from exc
    return dd


def read_table(data):
    """A Dask DataFrame of CSV/TSV or Parquet ``data`` (file, glob or Parquet folder)."""
    dd = _dask()
    path = Path(data)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        sep = "\t" if suffix == ".tsv" else ","
        return dd.read_csv(data, sep=sep, blocksize="64MB")
    if suffix in (".parquet", ".pq") or path.is_dir():
        return dd.read_parquet(data)
    raise SystemExit(f"{data}: expected .csv, .tsv, .txt or .parquet files (or a Parquet "
                     "folder).")


def feature_frame(frame, columns):
    """The numeric feature columns (all of them unless ``columns``), rows with NaN dropped."""
    if columns:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise SystemExit(f"No column(s) {', '.join(missing)} in the data; it has "
                             f"{', '.join(map(str, frame.columns))}.")
        chosen = list(columns)
    else:
        chosen = list(frame.select_dtypes("number").columns)
        if not chosen:
            raise SystemExit("The data has no numeric columns; name them with --columns.")
    return frame[chosen].astype(float).dropna(), chosen


@contextlib.contextmanager
def scheduler(spec):
    """Run Dask on ``spec``: 'threads' (default), 'processes', 'local:N' (a
    LocalCluster of N worker processes) or a distributed scheduler address."""
    import dask

    if spec in (None, "threads", "processes", "synchronous"):
        with dask.config.set(scheduler=spec or "threads"):
            yield f"Dask's {spec or 'threads'} scheduler"
        return
    from distributed import Client, LocalCluster

    if spec.startswith("local:"):
        n_workers = int(spec.split(":", 1)[1])
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield f"a LocalCluster of {n_workers} worker processes ({client.dashboard_link})"
        return
    with Client(spec) as client:
        yield f"the cluster at {spec} ({len(client.scheduler_info()['workers'])} workers)"


def _standardization(X):
    import dask

    mean, std = dask.compute(X.mean(axis=0), X.std(axis=0))
    return {"standardize": {"mean": mean.tolist(),
                            "scale": np.where(std > 0, std, 1.0).tolist()}}


def fit(args):
    """Fit the mixture (and K-means) on DATA and write the model JSON."""
    frame, columns = feature_frame(read_table(args.data), args.columns)
    with scheduler(args.scheduler) as where:
        X = frame.to_dask_array(lengths=True)
        if not args.no_persist:
            X = X.persist()
        n_samples = X.shape[0]
        print(f"{args.data}: {n_samples:,} rows x {len(columns)} columns "
              f"({', '.join(columns)}) in {X.numblocks[0]} blocks, on {where}", flush=True)
        preprocessing = _standardization(X) if args.standardize else {}
        if preprocessing:
            X = io.apply_preprocessing(X, preprocessing)
        started = time.perf_counter()
        gmm = GaussianMixture(
            args.k, covariance_type=args.covariance_type, init_params=args.init,
            random_state=args.seed, n_init=args.n_init, max_iter=args.max_iter, tol=args.tol,
            reg_covar=args.reg_covar, keep_history=args.history, verbose=1,
        ).fit(X)
        print(f"GaussianMixture: {gmm.n_iter_} iterations, "
              f"{'converged' if gmm.converged_ else 'did not converge'}, mean log-likelihood "
              f"{gmm.lower_bound_:.8g}, {time.perf_counter() - started:.1f} s", flush=True)
        kmeans = None
        if not args.no_kmeans:
            started = time.perf_counter()
            kmeans = KMeans(args.k, n_init=args.n_init, max_iter=max(args.max_iter, 1),
                            random_state=args.seed, keep_history=args.history).fit(X)
            print(f"KMeans: {kmeans.n_iter_} iterations, inertia {kmeans.inertia_:.8g}, "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
    settings = {"k": args.k, "covariance_type": args.covariance_type, "init": args.init,
                "seed": args.seed, "standardize": args.standardize, "n_init": args.n_init,
                "max_iter": args.max_iter, "tol": args.tol, "reg_covar": args.reg_covar,
                "data": str(args.data), "n_samples": int(n_samples)}
    document = io.models_to_dict(gmm=gmm, kmeans=kmeans, columns=columns,
                                 preprocessing=preprocessing, settings=settings,
                                 include_history=args.history)
    Path(args.out).write_text(io.dumps(document))
    print(f"wrote {args.out}")
    return 0


def _predict_partition(part, models, columns):
    """Labels, responsibilities and uncertainty for one pandas partition."""
    out = part.copy()
    X = io.apply_preprocessing(part[columns].to_numpy(dtype=float), models["preprocessing"])
    gmm = models["gmm"]
    if gmm is not None:
        resp = gmm.predict_proba(X) if len(X) else np.empty((0, gmm.n_components))
        out["gmm_cluster"] = resp.argmax(axis=1) + 1
        for j in range(gmm.n_components):
            out[f"p_cluster_{j + 1}"] = resp[:, j]
        out["uncertainty"] = 1 - resp.max(axis=1) if len(X) else np.empty(0)
    if models["kmeans"] is not None:
        out["kmeans_cluster"] = (models["kmeans"].predict(X) + 1) if len(X) else np.empty(0,
                                                                                       int)
    return out


def predict(args):
    """Write DATA with labels and responsibilities from a model JSON to Parquet."""
    models = io.loads(Path(args.model).read_text())
    frame = read_table(args.data)
    _, columns = feature_frame(frame, models["columns"])  # checks the columns exist
    frame = frame.dropna(subset=columns)
    meta = _predict_partition(frame._meta, models, columns)
    with scheduler(args.scheduler):
        labelled = frame.map_partitions(_predict_partition, models, columns, meta=meta)
        labelled.to_parquet(args.out, write_index=False)
    print(f"wrote {args.out}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m gmmcore", description=__doc__.split(
        "\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    f = commands.add_parser("fit", help="fit a Gaussian mixture (and K-means) on DATA")
    f.add_argument("data", help="CSV/TSV/Parquet file, glob or Parquet folder")
    f.add_argument("--k", type=int, required=True, help="number of components")
    f.add_argument("--covariance-type", choices=COVARIANCE_TYPES, default="full")
    f.add_argument("--init", choices=INIT_PARAMS, default="kmeans",
                   help="initialisation, run on a random sample of at most 100,000 rows")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--n-init", type=int, default=1)
    f.add_argument("--max-iter", type=int, default=100)
    f.add_argument("--tol", type=float, default=1e-3)
    f.add_argument("--reg-covar", type=float, default=1e-6)
    f.add_argument("--columns", nargs="+", help="feature columns (default: every numeric one)")
    f.add_argument("--standardize", action="store_true",
                   help="scale every column to mean 0, variance 1 first")
    f.add_argument("--no-kmeans", action="store_true", help="fit only the mixture")
    f.add_argument("--history", action=argparse.BooleanOptionalAction, default=True,
                   help="keep every iteration's parameters in the model file")
    f.add_argument("--no-persist", action="store_true",
                   help="re-read DATA every iteration instead of keeping it in the workers' "
                        "memory (for data larger than the cluster's memory)")
    f.add_argument("--scheduler", help="threads (default), processes, local:N or an address")
    f.add_argument("--out", required=True, help="model JSON to write")
    f.set_defaults(run=fit)

    p = commands.add_parser("predict", help="label DATA with a fitted model")
    p.add_argument("data")
    p.add_argument("--model", required=True, help="model JSON from fit or the dashboard")
    p.add_argument("--scheduler")
    p.add_argument("--out", required=True, help="Parquet folder to write")
    p.set_defaults(run=predict)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
