"""The ``seqtune`` command. Heavy imports (scikit-learn, TensorFlow) happen inside sub-commands,
so ``seqtune --help`` answers at once."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from seqtune._cli_data import load_data
from seqtune._cli_series import load_series


def _quiet_tensorflow() -> None:
    # The command line owns its process, so it may hush TensorFlow's C++ start-up logs and its
    # Python warnings (e.g. "triggered tf.function retracing": every trial builds new models).
    import logging

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def _search_space(args) -> dict:
    """The search space given by the command's options (--max-units, --max-layers, --batch-sizes; demo's own)."""
    space = dict(getattr(args, "space", None) or {})
    if args.max_units is not None:
        low = min(8, max(1, args.max_units // 2))  # 8 units, or half of a narrower maximum
        space["units"] = (low, args.max_units, "log")
    if args.max_layers is not None:
        space["layers"] = (1, args.max_layers) if args.max_layers > 1 else 1
    if args.batch_sizes is not None:
        space["batch_size"] = args.batch_sizes if len(args.batch_sizes) > 1 else args.batch_sizes[0]
    if getattr(args, "tuner", None) == "grid":
        # A grid walks finite lists: each range it cannot walk becomes the values its error suggests.
        from seqtune.space import grid_space, resolve_space

        space = grid_space(resolve_space(space))
    return space


def _run_search(args, X, y) -> int:
    import numpy as np
    from sklearn.model_selection import train_test_split

    from seqtune import AutoSequenceClassifier, AutoSequenceRegressor

    task = args.task
    if task == "auto":
        task = "regress" if np.asarray(y).dtype.kind == "f" and len(np.unique(y)) > 20 else "classify"
    if task == "regress" and np.asarray(y).dtype.kind not in "iuf":
        raise ValueError("--task regress needs numeric targets; they hold labels such as "
                         f"{np.asarray(y)[0]!r}. Use --task classify.")
    if task == "classify":
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                f"The target has {len(labels)} distinct values and {int((counts < 2).sum())} of them occur only "
                "once: a classifier needs at least 2 samples a class to hold some out. If the target is a "
                "quantity, pass --task regress.")
        n_test = int(np.ceil(args.test_fraction * len(y)))
        if min(n_test, len(y) - n_test) < len(labels):
            raise ValueError(
                f"{len(y)} samples of {len(labels)} classes cannot be split by --test-fraction "
                f"{args.test_fraction:g} into a training and a test part that each hold every class "
                f"({n_test} test sample(s)). Give more samples, or a --test-fraction that leaves each part "
                f"at least {len(labels)}.")
    cls = AutoSequenceClassifier if task == "classify" else AutoSequenceRegressor
    stratify = y if task == "classify" else None
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=args.test_fraction,
                                                        random_state=args.seed, stratify=stratify)
    space = _search_space(args)
    auto = cls(tuner=args.tuner, max_trials=args.max_trials, max_epochs=args.max_epochs, cost=args.cost,
               tolerance=args.tolerance, seed=args.seed, directory=args.directory,
               project_name=args.project_name, overwrite=args.overwrite, space=space or None,
               verbose=args.verbose)
    minutes = _search(auto, f"Searching {args.tuner} over LSTM and GRU on {len(X_train)} training sequences "
                            f"(search folder {os.path.join(args.directory, args.project_name)})", X_train, y_train)
    if minutes is None:
        return 0
    _print_front(auto, f"{auto._score_name} vs {auto.cost_column_}")
    name = "accuracy" if task == "classify" else "R^2"
    print(f"chosen model refit on all training data: test {name} {auto.score(X_test, y_test):.4f}")
    plot = auto.plot_pareto(args.plot or os.path.join(auto.search_dir_, "pareto.png"))
    print(f"Pareto plot: {plot}")
    print(f"search took {minutes:.1f} min; `seqtune report {auto.search_dir_}` shows it again.")
    return 0


def _run_forecast_search(args, y, X=None) -> int:
    import numpy as np

    from seqtune import AutoSequenceForecaster
    from seqtune._time_index import with_missing_steps_xy
    from seqtune.baselines import SeasonalNaiveForecaster
    from seqtune.inputs import input_notes_hidden
    from seqtune.metrics import mase

    if args.horizon < 1:
        raise ValueError(f"--horizon must be an int >= 1; got {args.horizon}.")
    # The forecaster inserts the time steps the file skips (fill): hold out and score by those steps.
    y, X = with_missing_steps_xy(y, X, args.fill)
    _check_whole_series(y, X, args.fill)
    n_test = max(args.horizon, int(round(len(y) * args.test_fraction)))
    if len(y) - n_test < 3:  # fewer time stamps tell no frequency
        raise ValueError(f"the series has {len(y)} steps: too short to hold out {n_test} for the test and "
                         "train on the rest.")
    train = y.iloc[:-n_test]
    train_X = None if X is None else X.iloc[:-n_test]
    space = _search_space(args)
    auto = AutoSequenceForecaster(
        horizon=args.horizon, tuner=args.tuner, max_trials=args.max_trials, max_epochs=args.max_epochs,
        cost=args.cost, tolerance=args.tolerance, seed=args.seed, directory=args.directory,
        project_name=args.project_name, overwrite=args.overwrite, space=space or None, verbose=args.verbose,
        estimator_params={"fill": args.fill} if args.fill else None)
    covariates = "" if X is None else f" with {X.shape[1]} known covariate(s) ({', '.join(map(str, X.columns))})"
    minutes = _search(auto, f"Searching {args.tuner} over LSTM and GRU forecasters of {args.horizon} step(s) on "
                            f"{len(train)} observations{covariates}, the last {n_test} held out (search folder "
                            f"{os.path.join(args.directory, args.project_name)})", train, X=train_X)
    if minutes is None:
        return 0
    _print_front(auto, f"MASE on the validation tail, negated, vs {auto.cost_column_}")
    # The held-out steps, forecast every `horizon` steps from the true history, by the chosen
    # model and by seasonal naive with the same season. With covariates, only origins whose
    # whole horizon lies in the file (the model needs the covariates of every step it forecasts).
    season = auto.best_estimator_.season_
    ours, base = [], []
    with input_notes_hidden():  # the search showed its notes on the series (one repeating exactly, say)
        naive = SeasonalNaiveForecaster(season=season, fill=args.fill).fit(train)
        scale = train.interpolate() if args.fill else train
        last_origin = len(y) if X is None else len(y) - args.horizon + 1
        for origin in range(len(train), last_origin, args.horizon):
            history, actual = y.iloc[:origin], np.asarray(y.iloc[origin: origin + args.horizon], dtype=float)
            known = ~np.isnan(actual.reshape(len(actual), -1)).any(axis=1)  # missing test values are left out
            if not known.any():
                continue
            steps = len(actual)
            forecast = auto.predict(y=history, X=None if X is None else X.iloc[: origin + args.horizon])
            naive_forecast = naive.predict(horizon=args.horizon, y=history)
            ours.append(mase(actual[known], np.asarray(forecast)[:steps][known], scale, season=season))
            base.append(mase(actual[known], np.asarray(naive_forecast)[:steps][known], scale, season=season))
    print(f"chosen model refit on the training part: test MASE {np.mean(ours):.4f} "
          f"(seasonal naive, season {season}: {np.mean(base):.4f}) over {len(ours)} origin(s)")
    plot = auto.plot_pareto(args.plot or os.path.join(auto.search_dir_, "pareto.png"))
    print(f"Pareto plot: {plot}")
    print(f"search took {minutes:.1f} min; `seqtune report {auto.search_dir_}` shows it again.")
    return 0


def _check_whole_series(y, X, fill) -> None:
    """Refuse, before the search, what the held-out part would only show after it: time stamps off the
    series' grid, and (without --fill) empty cells."""
    import numpy as np

    from seqtune._time_index import index_info

    index_info(y.index, len(y), "y")
    if fill:
        return
    for what, values in [(f"--target {y.name!r}", y.to_frame())] + ([] if X is None else [("--features", X)]):
        missing = values.isna()
        empty = missing.to_numpy().any(axis=1)
        if empty.any():
            columns = values.columns[missing.any()].tolist()
            raise ValueError(f"{what} has {int(empty.sum())} row(s) with an empty cell (first at "
                             f"{y.index[np.flatnonzero(empty)[0]]}, in {', '.join(map(repr, columns))}); pass "
                             "--fill ffill or --fill interpolate to fill them, or fill them in the file.")


def _search(auto, announcement: str, *data, **fit_params) -> float | None:
    """Announce and run the search: the minutes it took, or None in a worker (it stops when no trial is left)."""
    with _chief_speaks():
        print(announcement, flush=True)
    start = time.perf_counter()
    auto.fit(*data, **fit_params)
    if auto.search_role_ == "worker":
        print("worker finished: no more trials to run", flush=True)
        return None
    return (time.perf_counter() - start) / 60


def _print_front(auto, axes: str) -> None:
    from seqtune.report import format_table

    print(f"\nPareto front ({axes}):")
    print(format_table(auto.pareto_front_))
    print(f"\n{auto.explanation_}")


def _launch_workers(args) -> int | None:
    """With --workers N (and not already inside a distributed run), start chief + N workers."""
    from seqtune import distributed

    if not args.workers or distributed.role() != "single":
        return None
    argv, skip = [], False
    for item in args.argv:  # the same command, minus --workers N / --workers=N
        if skip or item.startswith("--workers="):
            skip = False
            continue
        if item == "--workers":
            skip = True
            continue
        argv.append(item)
    command = [sys.executable, "-m", "seqtune.cli", *argv]
    print(f"Starting a keras-tuner chief and {args.workers} worker(s) on 127.0.0.1", flush=True)
    return distributed.launch(command, args.workers)


def cmd_tune(args) -> int:
    """Run a cost-aware search on a file or a bundled dataset."""
    if args.project_name is None:
        # One folder per data file: searching another file never meets the first one's trials,
        # and running the same command again resumes.
        args.project_name = Path(args.data).stem if args.data else args.dataset
    from seqtune._search_folder import check_project_name

    check_project_name(args.project_name)  # before the search is announced in it
    launched = _launch_workers(args)
    if launched is not None:
        return launched
    _quiet_tensorflow()
    with _chief_speaks():
        data = load_series(args) if args.task == "forecast" else load_data(args)
    if args.task == "forecast":
        return _run_forecast_search(args, *data)
    return _run_search(args, *data)


def _chief_speaks():
    """Hush what a worker prints before its trials: it reads the same data as the chief, whose output
    has announced it (the lines about the file, and the search's own line) already."""
    import contextlib
    import io

    from seqtune import distributed

    if distributed.role() != "worker":
        return contextlib.nullcontext()
    return contextlib.redirect_stdout(io.StringIO())


def cmd_demo(args) -> int:
    """The quick start: a Hyperband search over LSTM and GRU on the bundled digits sequences."""
    args.dataset, args.data, args.task = "digits", None, "classify"
    return cmd_tune(args)


def cmd_report(args) -> int:
    from seqtune._search_folder import is_writable
    from seqtune.report import report_search

    plot = args.plot
    if plot is None:
        # The report reads the search; only its default plot goes into the folder.
        if os.path.isdir(args.directory) and not is_writable(Path(args.directory)):
            print(f"seqtune: the plot was not written: {args.directory} is read-only to this user; pass "
                  "--plot PATH to write it elsewhere.", file=sys.stderr)
        else:
            plot = os.path.join(args.directory, "pareto.png")
    report_search(args.directory, cost=args.cost, tolerance=args.tolerance, plot=plot)
    return 0


def recipes_dir():
    """The ``recipes/`` folder of a source checkout (they are scripts, not library code)."""
    folder = Path(__file__).resolve().parent.parent / "recipes"
    return folder if folder.is_dir() else None


def cmd_recipes(args) -> int:
    """List the recipes, or run one as a script (passing --quick / --out through)."""
    import subprocess

    folder = recipes_dir()
    if folder is None:
        raise FileNotFoundError("the recipes live in the recipes/ folder of seqtune's source checkout, which a "
                                "non-editable install does not keep: in the checkout, run "
                                "pip install -e \".[cpu,recipes]\"")
    scripts = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if args.action == "list":
        for script in scripts:
            text = script.read_text()
            doc = text.split('"""')[1].strip().splitlines()[0] if '"""' in text else ""
            print(f"{script.stem:<22} {doc}")
        return 0
    names = {p.stem: p for p in scripts}
    if args.name is None:
        raise ValueError(f"name the recipe to run: seqtune recipes run NAME (available: {', '.join(names)})")
    if args.name not in names:
        raise ValueError(f"no recipe {args.name!r}; available: {', '.join(names)}")
    command = [sys.executable, str(names[args.name])] + (["--quick"] if args.quick else [])
    if args.out:
        command += ["--out", args.out]
    return subprocess.call(command + getattr(args, "recipe_options", []))


def cmd_train(args) -> int:
    """Train and evaluate one SequenceClassifier on a bundled dataset."""
    _quiet_tensorflow()
    from sklearn.model_selection import train_test_split

    from seqtune import SequenceClassifier
    from seqtune.datasets import load

    X, y = load(args.dataset)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    clf = SequenceClassifier(cell=args.cell, units=args.units, epochs=args.epochs, random_state=0,
                             verbose=1 if args.verbose else 0)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(f"{args.dataset}: {len(X_train)} training / {len(X_test)} test sequences")
    print(f"{clf.cell.upper()}({clf.units}) trained {clf.n_iter_} epochs in {seconds:.1f} s")
    print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
    return 0


def _at_least(minimum: int):
    """An argparse type: an int >= ``minimum`` (checked while parsing, before any work starts)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an int >= {minimum}; got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an int >= {minimum}; got {value}")
        return value

    return parse


def _batch_sizes(text: str) -> list:
    """An argparse type: comma-separated ints >= 1 (``"16,32"``)."""
    parse = _at_least(1)
    parts = [part.strip() for part in text.split(",")]
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a trailing comma ("16,32,") is harmless
    if "" in parts:  # "16,,32" is more likely a size left out than a stray comma
        raise argparse.ArgumentTypeError(f"expected comma-separated ints >= 1 such as 16,32; got {text!r}")
    return sorted(set(parse(part) for part in parts))


def _fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1 (exclusive); got {value:g}")
    return value


def _plot_path(text: str) -> str:
    """An argparse type: a file name matplotlib can write (a typo found before the search, not after)."""
    from seqtune.report import check_plot_path

    try:
        check_plot_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _tolerance(text: str) -> float:
    """An argparse type: a tolerance as the estimators take it (``_params.check_tolerance``)."""
    from seqtune import _params as P

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0; got {text!r}") from None
    try:
        P.check_tolerance(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0; got {text}") from None
    return value


def _search_options(parser, *, tuner="hyperband", max_epochs=20, max_trials=20, project=None, max_units=None,
                    max_layers=None):
    """The search's options; ``max_units``/``max_layers`` None leave the default search space's."""
    from seqtune.space import DEFAULT_SPACE  # standard library only: --help stays quick

    parser.add_argument("--tuner", default=tuner, choices=["hyperband", "bayesian", "random", "grid"])
    parser.add_argument("--max-trials", type=_at_least(1), default=max_trials,
                        help=f"trials for random/bayesian/grid (Hyperband derives its own; default {max_trials})")
    parser.add_argument("--max-epochs", type=_at_least(1), default=max_epochs,
                        help=f"epochs of a fully trained trial (default {max_epochs})")
    parser.add_argument("--max-units", type=_at_least(1), default=max_units,
                        help=f"widest layer searched (default {max_units or DEFAULT_SPACE['units'][1]})")
    parser.add_argument("--max-layers", type=_at_least(1), default=max_layers,
                        help=f"deepest stack searched (default {max_layers or DEFAULT_SPACE['layers'][1]})")
    parser.add_argument("--batch-sizes", type=_batch_sizes, default=None,
                        help="batch sizes searched, comma-separated (default 32,64,128)")
    parser.add_argument("--cost", default="latency", choices=["latency", "fit_time", "params", "memory"])
    parser.add_argument("--tolerance", type=_tolerance, default=0.01,
                        help="pick the cheapest front model within this much of the best score")
    parser.add_argument("--test-fraction", type=_fraction, default=0.2,
                        help="held out for the final test score (between 0 and 1)")
    parser.add_argument("--seed", type=_at_least(0), default=0)
    parser.add_argument("--directory", default="seqtune_runs")
    parser.add_argument("--project-name", default=project,
                        help="search folder inside DIRECTORY (default: the data file's name, or the dataset's)")
    parser.add_argument("--overwrite", action="store_true", help="start over instead of resuming")
    parser.add_argument("--plot", type=_plot_path, default=None,
                        help="plot file, its format by its extension (default: DIRECTORY/PROJECT/pareto.png)")
    parser.add_argument("--verbose", type=_at_least(0), default=1,
                        help="0 no trial lines (the front, the pick and the test score still print), "
                             "1 a line per trial, 2 epochs too")
    parser.add_argument("--workers", type=_at_least(0), default=0,
                        help="run trials in N worker processes (keras-tuner's distributed mode)")


class _StrictParser(argparse.ArgumentParser):
    """A command's parser: an option is named in full (``--max-trial`` is not taken for ``--max-trials``, which a
    search may ignore: it would start a search of another size without a word)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqtune",
        description="scikit-learn estimators over Keras LSTM/GRU stacks, with cost-aware tuning.",
        allow_abbrev=False,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_StrictParser)
    parser.commands = sub.choices  # main() reports a command's unknown options with that command's usage

    demo = sub.add_parser("demo", help="quick start: search LSTM vs GRU on the bundled digits (~3 min)")
    # A space small enough for a few minutes on 2 cores: up to 2 layers of up to 64 units.
    _search_options(demo, max_epochs=12, project="digits_demo", max_units=64, max_layers=2)
    demo.set_defaults(func=cmd_demo,
                      space={"learning_rate": (1e-3, 2e-2, "log")})

    tune = sub.add_parser("tune", help="run a cost-aware search on a file or a bundled dataset")
    source = tune.add_mutually_exclusive_group()
    source.add_argument("--dataset", default="digits", help="bundled dataset (default: digits)")
    source.add_argument("--data", help=".npz with arrays X and y, or .csv/.tsv: one row a sequence (rows may end "
                        "early), or one text column of documents; a file without a header row takes its "
                        "labels from the first column (the UCR archive's layout)")
    tune.add_argument("--target", default="target",
                      help="label column of a .csv/.tsv (a number from 0 in a file without header), or the series "
                           "with --task forecast (default: target)")
    tune.add_argument("--task", default="auto", choices=["auto", "classify", "regress", "forecast"],
                      help="forecast: search forecasters of one series (a .csv column)")
    tune.add_argument("--horizon", type=_at_least(1), default=1, help="steps forecast at once (--task forecast)")
    tune.add_argument("--time-column", default=None,
                      help="time column of the series: dates, or evenly spaced numbers such as years "
                           "(--task forecast)")
    tune.add_argument("--features", default=None,
                      help="comma-separated columns of known covariates (--task forecast): their values must be "
                           "known ahead, for every forecast step")
    tune.add_argument("--fill", default=None, choices=["ffill", "interpolate"],
                      help="how to fill missing values of the series (--task forecast; default: refuse them)")
    _search_options(tune)
    tune.set_defaults(func=cmd_tune)

    report = sub.add_parser("report", help="table, front and plot of a search folder (no retraining)")
    report.add_argument("directory", help="the search folder, e.g. seqtune_runs/data")
    report.add_argument("--cost", default=None, choices=["latency", "fit_time", "params", "memory"])
    report.add_argument("--tolerance", type=_tolerance, default=None)
    report.add_argument("--plot", type=_plot_path, default=None,
                        help="plot file, its format by its extension (default: DIRECTORY/pareto.png)")
    report.set_defaults(func=cmd_report)

    recipes = sub.add_parser("recipes", help="list or run the end-to-end recipes (NLP, speech, forecasting)")
    recipes.add_argument("action", choices=["list", "run"])
    recipes.add_argument("name", nargs="?", help="recipe to run (see: seqtune recipes list)")
    recipes.add_argument("--quick", action="store_true", help="a smoke run of about 2 minutes")
    recipes.add_argument("--out", default=None, help="output folder (JSON, PNG)")
    recipes.epilog = ("Other options after the recipe's name go to the recipe (e.g. --seed 1; each recipe's own "
                      "options: python recipes/NAME.py --help in a checkout).")
    recipes.set_defaults(func=cmd_recipes)

    train = sub.add_parser("train", help="train and evaluate one model on a bundled dataset")
    train.add_argument("--dataset", default="digits", help="bundled dataset (default: digits)")
    train.add_argument("--cell", default="gru", choices=["lstm", "gru"])
    train.add_argument("--units", type=int, default=64)
    train.add_argument("--epochs", type=int, default=30)
    train.add_argument("--verbose", action="store_true", help="one line per epoch")
    train.set_defaults(func=cmd_train)
    return parser


def _in_options(message: str) -> str:
    """The library's hints name its Python arguments; here they are options."""
    from seqtune._search_folder import RESUME_ADVICE

    message = message.replace(RESUME_ADVICE, "pass another --project-name, or --overwrite to start over. The search "
                              "runs on the training part of --data: another --test-fraction or --seed is other data.")
    for python, option in (("overwrite=True (--overwrite)", "--overwrite"), ("overwrite=True", "--overwrite"),
                           ("project_name (--project-name)", "--project-name"),
                           ("project_name or directory", "--project-name or --directory"),
                           ("another project_name", "another --project-name"), ("project_name=", "--project-name ")):
        message = message.replace(python, option)
    for name in ("max_epochs", "max_trials"):
        option = "--" + name.replace("_", "-")
        message = re.sub(rf"\b{name}=(\d+)", rf"{option} \1", message)
        message = re.sub(rf"\b{name}\b", option, message)
    message = re.sub(r"\btuner='(\w+)'", r"--tuner \1", message)
    message = re.sub(r"fill='(\w+)'", r"--fill \1", message)
    # pandas remedies for an irregular series: the file is what the command line can change
    message = re.sub(r", or do it yourself: \w+\.asfreq\(.*?\) and fill the NaN\.", ".", message)
    return re.sub(r"Put them on one: \w+\.to_period\(.*?fill the gaps\.",
                  "Put them on one in the file: one row a step, every row stamped at the same place in its step "
                  "(a monthly series on the 1st of each month, say).", message)


def main(argv=None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "command", None) == "recipes" and args.action == "run":
            args.recipe_options = extra  # the recipe's own options (--seed, --only, ...)
        else:  # as parse_args, but with the command's usage, not the top level's
            (parser.commands.get(getattr(args, "command", None)) or parser).error(
                f"unrecognized arguments: {' '.join(extra)}")
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    import warnings

    # One line a warning, as the errors below: Python's default format shows the seqtune script's own
    # line ("sys.exit(main())"), which says nothing to someone at the command line.
    default_format = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *_, **__: (f"seqtune: {category.__name__}: "
                                                                  f"{_in_options(str(message))}\n")
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError, PermissionError, RuntimeError, ImportError) as exc:
        # ImportError: a library the data needs is not installed (TensorFlow for raw text off its backend)
        print(f"seqtune: error: {_in_options(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nseqtune: interrupted; finished trials are kept on disk and the search resumes "
              "when run again.", file=sys.stderr)
        return 130
    finally:
        warnings.formatwarning = default_format


if __name__ == "__main__":
    sys.exit(main())
