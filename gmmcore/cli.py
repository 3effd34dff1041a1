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
import glob
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from . import io
from .kmeans import KMeans
from .mixture import GaussianMixture
from .settings import FIT_SETTINGS, MAX_FEATURES

CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def _dask():
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SystemExit("gmmcore's command line needs Dask: pip install -r "
                         "requirements-dask.txt") from exc
    return dd


def check_input(data):
    """Refuse a DATA that names no file, glob match or folder, before any work."""
    if not glob.glob(str(data)):
        raise SystemExit(f"error: {data}: no such file, folder or glob match.")


def check_output(out, overwrite):
    """Refuse an ``--out`` that exists (unless ``overwrite``) or cannot be written, first."""
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())) and not overwrite:
        raise SystemExit(f"error: {out} already exists; choose another --out or pass "
                         "--overwrite to replace it.")
    parent = out.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise SystemExit(f"error: cannot write {out}: {parent} is not a writable folder.")


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


def fit(args):
    """Fit the mixture (and K-means) on DATA and write the model JSON."""
    check_input(args.data)
    check_output(args.out, args.overwrite)
    frame, columns = feature_frame(read_table(args.data), args.columns)
    if len(columns) > MAX_FEATURES:
        raise SystemExit(f"error: {len(columns)} feature columns; the limit is {MAX_FEATURES}. "
                         "Name fewer with --columns.")
    with scheduler(args.scheduler) as where:
        X = frame.to_dask_array(lengths=True)
        if not args.no_persist:
            X = X.persist()
        n_samples = X.shape[0]
        print(f"{args.data}: {n_samples:,} rows x {len(columns)} columns "
              f"({', '.join(columns)}) in {X.numblocks[0]} blocks, on {where}", flush=True)
        preprocessing = io.standardization(X) if args.standardize else {}
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
    if len(part) == 0:  # Dask's metadata: empty columns of the right types
        X = np.zeros((1, len(columns)))
        for name, values in io.prediction_columns(models["gmm"], models["kmeans"], X).items():
            out[name] = values[:0]
        return out
    X = io.apply_preprocessing(part[columns].to_numpy(dtype=float), models["preprocessing"])
    for name, values in io.prediction_columns(models["gmm"], models["kmeans"], X).items():
        out[name] = values
    return out


def predict(args):
    """Write DATA with labels and responsibilities from a model JSON to Parquet."""
    check_input(args.data)
    check_output(args.out, args.overwrite)
    try:
        models = io.loads(Path(args.model).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise SystemExit(f"error: cannot read --model {args.model}: {exc.strerror}.") from None
    frame = read_table(args.data)
    _, columns = feature_frame(frame, models["columns"])  # checks the columns exist
    frame = frame.dropna(subset=columns)
    meta = _predict_partition(frame._meta, models, columns)
    with scheduler(args.scheduler):
        labelled = frame.map_partitions(_predict_partition, models, columns, meta=meta)
        if Path(args.out).exists():  # --overwrite was given (check_output)
            shutil.rmtree(args.out) if Path(args.out).is_dir() else Path(args.out).unlink()
        labelled.to_parquet(args.out, write_index=False)
    print(f"wrote {args.out}")
    return 0


def _setting_type(setting):
    """An argparse ``type`` that parses through the settings table."""
    def parse(text):
        try:
            return setting.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = setting.name
    return parse


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m gmmcore", description=__doc__.split(
        "\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    f = commands.add_parser("fit", help="fit a Gaussian mixture (and K-means) on DATA")
    f.add_argument("data", help="CSV/TSV/Parquet file, glob or Parquet folder")
    for setting in FIT_SETTINGS:
        if setting.name == "standardize":
            continue
        flag = "--" + {"covariance_type": "covariance-type"}.get(
            setting.name, setting.name.replace("_", "-"))
        f.add_argument(flag, type=_setting_type(setting), required=setting.name == "k",
                       default=None if setting.name == "k" else setting.default,
                       metavar=setting.name.upper(),
                       help=f"{setting.help} {setting.expected[0].upper()}"
                            f"{setting.expected[1:]}" + (
                                "" if setting.name == "k" else f"; default {setting.default}")
                            + ("; run on a random sample of at most 100,000 rows"
                               if setting.name == "init" else "") + ".")
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
    f.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    f.set_defaults(run=fit)

    p = commands.add_parser("predict", help="label DATA with a fitted model")
    p.add_argument("data")
    p.add_argument("--model", required=True, help="model JSON from fit or the dashboard")
    p.add_argument("--scheduler")
    p.add_argument("--out", required=True, help="Parquet folder to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    p.set_defaults(run=predict)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
