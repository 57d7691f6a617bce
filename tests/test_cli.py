"""The seqtune command: fast help, tune on a file, report from disk, clear errors."""

import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from seqtune.cli import main

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_import_and_help_do_not_import_tensorflow():
    code = ("import sys, seqtune, seqtune.cli; seqtune.cli.build_parser(); "
            "print(sorted(m for m in ('tensorflow', 'keras', 'sklearn', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert out.stdout.strip() == "[]"
    start = time.perf_counter()
    helped = subprocess.run([sys.executable, "-m", "seqtune.cli", "--help"], capture_output=True,
                            text=True, env=ENV)
    assert helped.returncode == 0 and "demo" in helped.stdout and "report" in helped.stdout
    assert time.perf_counter() - start < 5  # generous: the bench measures the real figure


def test_tune_on_npz_then_report_from_disk(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5, 2)).astype("float32")
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    np.savez(tmp_path / "data.npz", X=X, y=y)
    tune_args = ["tune", "--data", str(tmp_path / "data.npz"), "--tuner", "random", "--max-trials", "2",
                 "--max-epochs", "1", "--max-units", "8", "--max-layers", "1",
                 "--directory", str(tmp_path / "runs"), "--project-name", "cli"]
    code = main(tune_args)
    out = capsys.readouterr().out
    assert code == 0
    assert "Pareto front" in out and "chosen" in out and "test accuracy" in out
    assert (tmp_path / "runs" / "cli" / "pareto.png").exists()
    code = main(["report", str(tmp_path / "runs" / "cli"), "--plot", str(tmp_path / "again.png")])
    out = capsys.readouterr().out
    assert code == 0 and "2 trials (2 completed)" in out and "chosen" in out
    assert (tmp_path / "again.png").read_bytes()[:4] == b"\x89PNG"
    # reading a search back needs neither TensorFlow nor Keras (seconds saved on every report)
    code = ("import sys; from seqtune.report import report_search; "
            f"report_search({str(tmp_path / 'runs' / 'cli')!r}); "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert out.returncode == 0 and out.stdout.strip().endswith("[]"), out.stderr[-2000:]
    with pytest.raises(SystemExit, match="2"):
        main(["report", str(tmp_path / "runs" / "cli"), "--tolerance", "nan"])
    assert "argument --tolerance: expected a number >= 0; got nan" in capsys.readouterr().err
    summary = tmp_path / "runs" / "cli" / "seqtune_summary.json"  # as a search picked by a cost function
    summary.write_text(json.dumps({**json.loads(summary.read_text()), "cost": "custom_cost"}))
    assert main(["report", str(tmp_path / "runs" / "cli")]) == 2
    assert "custom cost function ('custom_cost')" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "runs" / "cli"), "--cost", "params"]) == 0
    # a search interrupted before its summary: the score is still named after the estimator searched
    capsys.readouterr()
    summary.unlink()
    assert main(["report", str(tmp_path / "runs" / "cli")]) == 0
    assert "Pareto front (accuracy vs latency_ms" in capsys.readouterr().out
    # Another split of the same file is refused with the command's options (project_name=None is Python's)
    assert main([*tune_args, "--test-fraction", "0.3"]) == 2
    err = capsys.readouterr().err
    assert "was run with other data" in err and "another --test-fraction or --seed is other data" in err
    assert "project_name=None" not in err and "overwrite=True" not in err
    # A read-only search folder: tune gave keras-tuner's and TensorFlow's tracebacks, report one while
    # writing its default plot there.
    from tests.conftest import as_plain_user

    folder = tmp_path / "runs" / "cli"
    (folder / "pareto.png").unlink()
    folder.chmod(0o555)
    try:
        tune = subprocess.run(as_plain_user([sys.executable, "-m", "seqtune.cli", *tune_args]), capture_output=True,
                              text=True, env=ENV, timeout=300, check=False)
        report = subprocess.run(as_plain_user([sys.executable, "-m", "seqtune.cli", "report", str(folder), "--cost",
                                               "params"]),
                                capture_output=True, text=True, env=ENV, timeout=300, check=False)
    finally:
        folder.chmod(0o755)
    assert tune.returncode == 2 and "Traceback" not in tune.stderr, tune.stderr[-2000:]
    assert f"seqtune: error: The search folder {folder} cannot be written (it is read-only" in tune.stderr
    assert report.returncode == 0 and "chosen" in report.stdout, report.stderr[-2000:]
    assert "the plot was not written" in report.stderr and "Traceback" not in report.stderr
    # A trial a killed search left RUNNING read as "1 running", as if still in progress
    record = next(folder.glob("trial_*/trial.json"))
    record.write_text(json.dumps({**json.loads(record.read_text()), "status": "RUNNING"}))
    assert main(["report", str(folder), "--cost", "params", "--plot", str(tmp_path / "p.png")]) == 0
    out = capsys.readouterr().out
    assert "1 unfinished (running, or interrupted)" in out and "1 running" not in out


def test_tune_a_forecaster_on_a_csv_series(tmp_path, capsys):
    t = np.arange(160)
    rng = np.random.default_rng(0)
    promo = (rng.random(len(t)) < 0.1).astype(float)  # a covariate known ahead, which lifts sales on its day
    frame = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=len(t), freq="D").astype(str),
                          "promo": promo,
                          "sales": 10 + np.sin(2 * np.pi * t / 7) + 0.5 * promo
                          + 0.1 * rng.normal(size=len(t))})
    frame.loc[40, "sales"] = np.nan
    frame.loc[150, "sales"] = np.nan  # in the held-out part: left out of the test score
    frame = frame.drop(index=[145])  # a day missing from the file, in the held-out part
    frame.to_csv(tmp_path / "sales.csv", index=False)
    args = ["tune", "--task", "forecast", "--data", str(tmp_path / "sales.csv"), "--target", "sales",
            "--time-column", "day", "--horizon", "7", "--tuner", "random", "--max-trials", "1", "--max-epochs", "1",
            "--max-units", "4", "--max-layers", "1", "--directory", str(tmp_path / "runs"), "--project-name", "fc"]
    assert main(args) == 2
    err = capsys.readouterr().err
    # a skipped day and empty cells are refused unless --fill says how to fill them; the first found is named
    assert "skips 1 time step(s) of its D grid (first missing: 2024-05-25" in err
    assert "--fill interpolate" in err and "fill='" not in err and "asfreq" not in err  # options, not Python
    assert main(args + ["--fill", "interpolate", "--features", "promo"]) == 0
    out = capsys.readouterr().out
    assert "with 1 known covariate(s) (promo)" in out
    assert "Pareto front" in out and "chosen" in out and "MASE" in out and "-MASE" not in out.split("Pareto")[-1]
    # 32 held-out days: origins every 7 days whose whole horizon has covariates (the 5th would need 3 more)
    assert "test MASE" in out and "seasonal naive, season 7" in out and "over 4 origin(s)" in out
    assert (tmp_path / "runs" / "fc" / "pareto.png").exists()
    assert main(["tune", "--task", "forecast", "--data", str(tmp_path / "sales.csv"), "--target", "nope"]) == 2
    assert "--target 'nope' is not a column" in capsys.readouterr().err
    assert main(args[:5] + ["--target", "sales", "--features", "promo,price"]) == 2
    assert "--features 'price' is not a column" in capsys.readouterr().err


def test_errors_are_one_clear_line(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "No search directory" in capsys.readouterr().err
    (tmp_path / "bad.npz").write_bytes(b"")
    np.savez(tmp_path / "bad.npz", X=np.zeros((3, 2)))
    assert main(["tune", "--data", str(tmp_path / "bad.npz")]) == 2
    assert "needs arrays 'X' and 'y'" in capsys.readouterr().err
    # These came as the libraries' words, naming no file: "Object arrays cannot be loaded when
    # allow_pickle=False", "'utf-8' codec can't decode byte 0xe9", "No columns to parse from file".
    ragged = np.empty(2, dtype=object)
    ragged[:] = [np.zeros(3), np.zeros(4)]
    np.savez(tmp_path / "ragged.npz", X=ragged, y=np.array([0, 1]))
    (tmp_path / "latin1.csv").write_bytes("text,label\ncaf\u00e9 cr\u00e8me,1\n".encode("latin-1"))
    (tmp_path / "empty.csv").write_text("")
    for args, message in [
        (["--data", str(tmp_path / "ragged.npz")], "ragged.npz: array 'X' holds Python objects"),
        (["--data", str(tmp_path / "latin1.csv")], "latin1.csv is not UTF-8 text (byte 0xe9 at position 14)"),
        (["--task", "forecast", "--data", str(tmp_path / "empty.csv")], "empty.csv: the file is empty; expected a header"),
    ]:
        assert main(["tune", *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"seqtune: error: --data {tmp_path / message}" in err, err


def test_a_missing_library_is_one_clear_line(tmp_path, capsys, tensorflow_absent):
    """Raw text without TensorFlow (the JAX or torch backend) ended the command in a traceback."""
    pd.DataFrame({"text": ["good day", "bad day"] * 10, "label": [0, 1] * 10}).to_csv(tmp_path / "news.csv", index=False)
    assert main(["tune", "--data", str(tmp_path / "news.csv"), "--target", "label", "--max-trials", "1",
                 "--max-epochs", "1", "--directory", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "seqtune: error: X holds raw text" in err and "needs TensorFlow" in err, err


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["tune", "--help"], ["report", "--help"]])
def test_every_help_page(args):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0


def test_the_demo_help_names_the_demo_defaults(capsys):
    """Found by an exploratory run: `seqtune demo --help` named the tune command's defaults (128 units,
    3 layers), not the 64 and 2 the demo searches."""
    from seqtune.cli import build_parser

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "widest layer searched (default 64)" in out and "deepest stack searched (default 2)" in out
    assert "trial (default 12)" in out
    demo = build_parser().parse_args(["demo"])
    assert (demo.max_units, demo.max_layers, demo.max_epochs) == (64, 2, 12)
    with pytest.raises(SystemExit):
        main(["tune", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "widest layer searched (default 128)" in out and "deepest stack searched (default 3)" in out


def test_recipes_list_names_every_recipe(capsys):
    from seqtune.cli import recipes_dir

    assert main(["recipes", "list"]) == 0
    out = capsys.readouterr().out
    for script in recipes_dir().glob("[!_]*.py"):
        assert script.stem in out
    assert main(["recipes", "run", "no_such_recipe"]) == 2
    assert "no recipe 'no_such_recipe'" in capsys.readouterr().err


def test_a_recipes_own_options_reach_it(capfd):
    """`seqtune recipes run forecasting --only sunspots` was refused: only --quick and --out were passed on."""
    assert main(["recipes", "run", "forecasting", "--only", "nowhere"]) == 2  # the recipe's own parser refuses it
    err = capfd.readouterr().err
    assert "argument --only: invalid choice: 'nowhere'" in err and "python recipes/forecasting.py" in err


@pytest.mark.parametrize("argv, usage, unknown", [
    (["tune", "--max-trial", "3"], "seqtune tune", "--max-trial 3"),  # was --max-trials, which Hyperband ignores
    (["tune", "--tunr", "random"], "seqtune tune", "--tunr random"),  # was reported with the top level's usage
    (["report", "runs/x", "--max-trials", "3"], "seqtune report", "--max-trials 3"),
])
def test_unknown_or_shortened_options_are_refused_with_the_commands_usage(argv, usage, unknown, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"{usage}: error: unrecognized arguments: {unknown}" in err
    assert f"usage: {usage}" in err


def test_a_csv_of_documents_or_of_rows_that_end_early(tmp_path, capsys):
    from seqtune._cli_data import csv_sequences as _csv_sequences

    ragged = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan], "c": [5.0, np.nan]})
    rows = _csv_sequences(ragged, "r.csv")
    assert [list(r) for r in rows] == [[1.0, 3.0, 5.0], [2.0]]
    with pytest.raises(ValueError, match="row 0 has an empty cell before its last value"):
        _csv_sequences(pd.DataFrame({"a": [1.0], "b": [np.nan], "c": [2.0]}), "r.csv")
    with pytest.raises(ValueError, match=r"column\(s\) \['words'\] are not numeric"):
        _csv_sequences(pd.DataFrame({"words": ["x"], "n": [1.0]}), "r.csv")
    texts = ["good match and a late goal", "shares fell on the market", "a great win", "bank rates rise"] * 10
    pd.DataFrame({"text": texts, "topic": ["sport", "business"] * 20}).to_csv(tmp_path / "docs.csv", index=False)
    code = main(["tune", "--data", str(tmp_path / "docs.csv"), "--target", "topic", "--tuner", "random",
                 "--max-trials", "1", "--max-epochs", "1", "--max-units", "8", "--max-layers", "1",
                 "--directory", str(tmp_path / "runs")])
    assert code == 0 and "test accuracy" in capsys.readouterr().out
    # without --project-name the search folder is named after the data file: another file gets its own
    assert (tmp_path / "runs" / "docs" / "seqtune_search.json").exists()
    code = main(["tune", "--data", str(tmp_path / "docs.csv"), "--target", "topic", "--task", "regress",
                 "--directory", str(tmp_path / "runs"), "--project-name", "docs2"])
    assert code == 2 and "--task regress needs numeric targets" in capsys.readouterr().err


def test_folder_refusals_name_the_options(tmp_path, capsys):
    """The command line's refusals named the Python arguments (overwrite=True, project_name), and a bad
    --project-name was announced as the search folder before it was refused."""
    np.savez(tmp_path / "d.npz", X=np.zeros((20, 4, 1)), y=np.arange(20) % 2)
    (tmp_path / "runs" / "d").mkdir(parents=True)
    (tmp_path / "runs" / "d" / "notes.txt").write_text("mine")
    base = ["tune", "--data", str(tmp_path / "d.npz"), "--directory", str(tmp_path / "runs")]
    assert main([*base, "--overwrite"]) == 2
    out, err = capsys.readouterr()
    assert "--overwrite included. Choose another --project-name or --directory." in err and "=True" not in err
    assert (tmp_path / "runs" / "d" / "notes.txt").read_text() == "mine"
    assert main([*base, "--project-name", "../x"]) == 2
    out, err = capsys.readouterr()
    assert "--project-name '../x' must be a plain folder name" in err and "Searching" not in out


@pytest.mark.parametrize("option, value, message", [
    ("--plot", "front.jpgg", "ends in .jpgg, which matplotlib cannot write"),
    ("--plot", ".", "is a folder; expected a file name"),
    ("--tolerance", "-1", "expected a number >= 0; got -1"),
])
def test_a_bad_plot_path_or_tolerance_is_refused_before_the_search(tmp_path, capsys, option, value, message):
    """A --plot typo was reported after every trial and the refit had run (and the run exited 2)."""
    with pytest.raises(SystemExit, match="2"):
        main(["tune", "--dataset", "digits", "--directory", str(tmp_path), "--tuner", "random", "--max-trials",
              "1", "--max-epochs", "1", option, value])  # a quick search, were the check late again
    out, err = capsys.readouterr()
    assert f"argument {option}: " in err and message in err and "Searching" not in out
    assert not any(tmp_path.iterdir())


def test_a_tsv_without_header_takes_labels_from_its_first_column(tmp_path, capsys):
    from argparse import Namespace

    from seqtune._cli_data import load_data as _load_data

    # the UCR archive's layout: tab-separated, no header, the label first, rows of different lengths
    (tmp_path / "ucr.tsv").write_text("1\t0.5\t0.25\t1.5\n2\t-1.0\t2.0\t\n1\t3.0\t0.0\t1.0\n")
    X, y = _load_data(Namespace(data=str(tmp_path / "ucr.tsv"), target="target"))
    assert y.tolist() == [1, 2, 1] and [len(row) for row in X] == [3, 2, 3]
    assert list(X[0]) == [0.5, 0.25, 1.5]
    assert "no header row: labels from its first column" in capsys.readouterr().out
    X, y = _load_data(Namespace(data=str(tmp_path / "ucr.tsv"), target="2"))  # a column by its number
    assert y.tolist() == [0.25, 2.0, 0.0] and list(X[0]) == [1.0, 0.5, 1.5]
    with pytest.raises(ValueError, match=r"--target '3': 1 row\(s\) of .* have no value \(first: data row 1"):
        _load_data(Namespace(data=str(tmp_path / "ucr.tsv"), target="3"))
    with pytest.raises(ValueError, match="no header row, so --target is a column number from 0 to 3"):
        _load_data(Namespace(data=str(tmp_path / "ucr.tsv"), target="label"))
    # a file with a header row reads its names, whatever the separator
    (tmp_path / "named.tsv").write_text("a\tb\tlabel\n1\t2\tx\n3\t4\ty\n")
    X, y = _load_data(Namespace(data=str(tmp_path / "named.tsv"), target="label"))
    assert y.tolist() == ["x", "y"] and X.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="the file is empty"):
        _load_data(Namespace(data=str(tmp_path / "empty.csv"), target="target"))
    # headerless files that failed: rows ending early without separators, a first row padded with empty
    # cells (read as a header), string labels (read as a header)
    layouts = {"no trailing commas": ("0,0.1,0.2\n1,0.5\n0,0.1,0.2,0.3\n", [0, 1, 0], [2, 1, 3]),
               "padded first row": ("0,0.1,,\n1,0.5,0.4,0.3\n", [0, 1], [1, 3]),
               "string labels": ("up,0.1,0.2\ndown,0.3,0.2\n", ["up", "down"], [2, 2])}
    for name, (text, labels, lengths) in layouts.items():
        (tmp_path / "rows.csv").write_text(text)
        X, y = _load_data(Namespace(data=str(tmp_path / "rows.csv"), target="target"))
        assert y.tolist() == labels and [len(row) for row in X] == lengths, name
    # a header that numbers the steps, or names --target, stays a header
    (tmp_path / "steps.csv").write_text("label,0,1,2\nup,0.1,0.2,0.3\ndown,0.3,0.2,0.1\n")
    X, y = _load_data(Namespace(data=str(tmp_path / "steps.csv"), target="label"))
    assert y.tolist() == ["up", "down"] and X.shape == (2, 3)
    (tmp_path / "named.csv").write_text("kind,3.5,7\nup,0.1,0.2\ndown,0.3,0.2\n")
    assert _load_data(Namespace(data=str(tmp_path / "named.csv"), target="kind"))[1].tolist() == ["up", "down"]


def test_a_csv_written_with_its_pandas_index_leaves_the_row_numbers_out(tmp_path, capsys):
    """df.to_csv() writes the index as a first column without a name: the row numbers were read as every
    sequence's first step (data that follows the file's order, a leak where rows are sorted by label)."""
    from argparse import Namespace

    from seqtune._cli_data import load_data as _load_data

    frame = pd.DataFrame(np.arange(12.0).reshape(4, 3) / 10, columns=["s0", "s1", "s2"]).assign(label=list("abab"))
    for index, name in ((None, "row numbers"), (["p1", "p2", "p3", "p4"], "row names")):
        if index is not None:
            frame.index = index
        frame.to_csv(tmp_path / "indexed.csv")
        X, y = _load_data(Namespace(data=str(tmp_path / "indexed.csv"), target="label"))
        assert X.shape == (4, 3) and X[0].tolist() == [0.0, 0.1, 0.2] and y.tolist() == list("abab"), name
        assert "the first column has no name and numbers the rows" in capsys.readouterr().out
    # a first column without a name that holds measurements stays a step
    (tmp_path / "blank.csv").write_text(",s1,label\n0.5,1.0,a\n0.2,2.0,b\n")
    X, _ = _load_data(Namespace(data=str(tmp_path / "blank.csv"), target="label"))
    assert X.tolist() == [[0.5, 1.0], [0.2, 2.0]] and "numbers the rows" not in capsys.readouterr().out


def test_words_that_pandas_reads_as_missing_stay_labels_and_documents(tmp_path, capsys):
    """"NA" (North America) as a label, "None" or "null" as a document: pandas read them as missing, so a label
    column of "EU" and "NA" failed in NumPy ('<' not supported between float and str) and such documents
    became empty without a word. Numbers keep the markers as missing (R writes NA)."""
    from argparse import Namespace

    from seqtune._cli_data import load_data as _load_data

    documents = ["great film", "None", "NA", "null", "nan", "", "awful film", "N/A"]
    pd.DataFrame({"text": documents, "region": ["EU", "NA"] * 4}).to_csv(tmp_path / "docs.csv", index=False)
    X, y = _load_data(Namespace(data=str(tmp_path / "docs.csv"), target="region"))
    assert X == documents and y.tolist() == ["EU", "NA"] * 4
    assert "1 empty cell(s) of column 'text' read as empty documents" in capsys.readouterr().out
    (tmp_path / "r.csv").write_text("s0,s1,s2,label\n0.5,1.5,NA,1\n0.25,NA,,0\n1.0,2.0,3.0,NA\n")
    with pytest.raises(ValueError, match=r"--target 'label': 1 row\(s\) of .* have no value \(first: data row 2"):
        _load_data(Namespace(data=str(tmp_path / "r.csv"), target="label"))
    (tmp_path / "r.csv").write_text("s0,s1,s2,label\n0.5,1.5,NA,1\n0.25,NA,,0\n")
    X, y = _load_data(Namespace(data=str(tmp_path / "r.csv"), target="label"))
    assert [list(row) for row in X] == [[0.5, 1.5], [0.25]] and y.tolist() == [1, 0]


def test_a_text_column_under_a_blank_header_is_read_and_semicolons_are_named(tmp_path, capsys):
    """Distinct documents under a blank header cell were taken for a pandas index and dropped, leaving
    sequences of zero length; a file separated by semicolons was told only that --target is not a column."""
    from argparse import Namespace

    from seqtune._cli_data import load_data as _load_data

    (tmp_path / "docs.csv").write_text(",label\ngood film one,pos\nbad film two,neg\ngreat film three,pos\n")
    X, y = _load_data(Namespace(data=str(tmp_path / "docs.csv"), target="label"))
    assert X == ["good film one", "bad film two", "great film three"] and y.tolist() == ["pos", "neg", "pos"]
    assert "numbers the rows" not in capsys.readouterr().out
    (tmp_path / "semicolons.csv").write_text("text;label\ngood film;pos\nbad film;neg\n")  # a European export
    with pytest.raises(ValueError, match=r"\(columns: text;label\)\. The header looks separated by ';': a \.csv"):
        _load_data(Namespace(data=str(tmp_path / "semicolons.csv"), target="label"))


def test_a_date_column_with_a_repeated_row_or_changing_utc_offsets_still_indexes_the_series(tmp_path):
    """Both were dropped without a word (the series numbered 0..n-1, a repeated row trained as a step), and
    --time-column gave pandas' advice to pass utc=True for offsets that change with summer time."""
    from argparse import Namespace

    from seqtune._cli_series import load_series as _load_series

    def load(frame, name):
        frame.to_csv(tmp_path / name, index=False)
        return _load_series(Namespace(data=str(tmp_path / name), target="v", time_column=None, features=None))[0]

    days = pd.date_range("2024-01-01", periods=30, freq="D")
    plain = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": np.arange(30.0)})
    y = load(pd.concat([plain.iloc[:10], plain.iloc[[9]], plain.iloc[10:]]), "repeated.csv")
    assert y.index.name == "day" and y.index.duplicated().sum() == 1  # the forecaster refuses it by its date
    # pandas' own export of a series in a zone with summer time: "+01:00" rows, then "+02:00" ones
    for freq, expected in (("D", pd.date_range("2024-03-20", periods=30, freq="D", name="day")),
                           ("h", pd.date_range("2024-03-30 22:00", periods=30, freq="h", tz="UTC", name="day"))):
        local = pd.date_range("2024-03-20" if freq == "D" else "2024-03-30 23:00", periods=30, freq=freq,
                              tz="Europe/Berlin")
        y = load(pd.DataFrame({"day": local.astype(str), "v": np.arange(30.0)}), f"zone_{freq}.csv")
        assert y.index.equals(expected), freq  # daily: its local dates; hourly: the instants, in UTC


def test_a_numeric_time_column_is_a_numeric_index(tmp_path):
    from argparse import Namespace

    from seqtune._cli_series import load_series as _load_series

    pd.DataFrame({"year": range(1900, 1960), "flow": np.arange(60.0)}).to_csv(tmp_path / "flow.csv", index=False)
    y, X = _load_series(Namespace(data=str(tmp_path / "flow.csv"), target="flow", time_column="year", features=None))
    assert X is None and list(y.index[:2]) == [1900, 1901] and y.index.name == "year"


def test_a_single_column_of_dates_is_the_time_index_without_time_column(tmp_path, capsys):
    from argparse import Namespace

    from seqtune._cli_series import load_series as _load_series

    days = pd.date_range("2020-01-01", periods=30).strftime("%Y-%m-%d")
    frame = pd.DataFrame({"day": days, "store": ["a"] * 30, "sales": np.arange(30.0)})
    frame.to_csv(tmp_path / "sales.csv", index=False)
    args = Namespace(data=str(tmp_path / "sales.csv"), target="sales", time_column=None, features=None)
    y, _ = _load_series(args)
    assert isinstance(y.index, pd.DatetimeIndex) and y.index[0] == pd.Timestamp("2020-01-01")
    assert "Time stamps from column 'day'" in capsys.readouterr().out
    frame.assign(shipped=days).to_csv(tmp_path / "two.csv", index=False)  # two date columns: no guess
    with pytest.raises(ValueError, match=r"columns 'day', 'shipped' hold dates: name the one .* --time-column"):
        _load_series(Namespace(**{**vars(args), "data": str(tmp_path / "two.csv")}))
    # month names repeat every year: pandas reads them as dates of year 1, which cannot index the series
    months = pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%b")
    frame.assign(day=months).to_csv(tmp_path / "months.csv", index=False)
    y, _ = _load_series(Namespace(**{**vars(args), "data": str(tmp_path / "months.csv")}))
    assert isinstance(y.index, pd.RangeIndex) and len(y) == 30


def test_dates_a_series_cannot_be_indexed_by_are_named_by_their_line(tmp_path):
    """A blank or impossible date made the column silently not the time index (its season and frequency unread);
    with --time-column, a blank one sorted last and was scored as the day after the series ended, and pandas'
    four lines of advice came for a bad one. Stacked series were read as one series, joined end to end."""
    from argparse import Namespace

    from seqtune._cli_series import load_series as _load_series

    days = pd.date_range("2020-01-01", periods=30).strftime("%Y-%m-%d").to_series(index=range(30))
    frame = pd.DataFrame({"day": days, "sales": np.arange(30.0)})

    def load(frame, time_column=None):
        frame.to_csv(tmp_path / "s.csv", index=False)
        return _load_series(Namespace(data=str(tmp_path / "s.csv"), target="sales", time_column=time_column,
                                      features=None))

    for time_column in (None, "day"):
        what = "column 'day'" if time_column is None else "--time-column 'day'"
        with pytest.raises(ValueError, match=rf"{what} is empty on line 12; its other rows read as dates"):
            load(frame.assign(day=days.mask(days.index == 10)), time_column)
        with pytest.raises(ValueError, match=rf"{what} holds '2020-02-30', which reads as no date, on line 3"):
            load(frame.assign(day=days.where(days.index != 1, "2020-02-30")), time_column)
    stacked = pd.concat([frame.assign(store=name, sales=frame["sales"] + k) for k, name in enumerate("ab")])
    for time_column in (None, "day"):
        with pytest.raises(ValueError, match=r"the time stamps repeat \(60 rows, 30 distinct times\) and column "
                                             r"'store' tells 2 series apart \('a', 'b', ...\).*one 'store'"):
            load(stacked, time_column)
    amended = pd.concat([frame.assign(store="a"), frame.assign(store="b").iloc[[5]]])  # a row written twice
    assert load(amended, "day")[0].index.duplicated().sum() == 1  # not several series: the forecaster names the date
    with pytest.raises(ValueError, match=r"--target 'sales' holds '1,250.5' on line 4, which is not a number.*"
                                         r"no thousands separators"):
        load(frame.astype({"sales": object}).assign(sales=lambda f: f["sales"].where(f.index != 2, "1,250.5")))
    frame.to_csv(tmp_path / "semi.csv", index=False, sep=";")
    with pytest.raises(ValueError, match=r"--target 'sales' is not a column.*header looks separated by ';'"):
        _load_series(Namespace(data=str(tmp_path / "semi.csv"), target="sales", time_column=None, features=None))


def test_the_held_out_part_is_checked_before_the_search(tmp_path, capsys):
    """An empty cell in the held-out part was found after the whole search, whose settings --fill then changes."""
    t = np.arange(60)
    frame = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=60).strftime("%Y-%m-%d"),
                          "sales": 10 + np.sin(2 * np.pi * t / 7)})
    frame.loc[55, "sales"] = np.nan
    frame.to_csv(tmp_path / "sales.csv", index=False)
    args = ["tune", "--task", "forecast", "--data", str(tmp_path / "sales.csv"), "--target", "sales", "--horizon",
            "7", "--directory", str(tmp_path / "runs")]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert "Searching" not in out and "seqtune: error: --target 'sales' has 1 row(s) with an empty cell (first " \
        "at 2024-02-25 00:00:00, in 'sales'); pass --fill ffill or --fill interpolate" in err
    frame.iloc[:5].to_csv(tmp_path / "short.csv", index=False)
    assert main(["tune", "--task", "forecast", "--data", str(tmp_path / "short.csv"), "--target", "sales",
                 "--horizon", "3"]) == 2
    assert "the series has 5 steps: too short to hold out 3 for the test and train on the rest" in \
        capsys.readouterr().err


@pytest.mark.parametrize("freq, fmt, first", [
    ("MS", "%d/%m/%Y", "2020-01-01"),  # monthly, day first: read month first they were January 1st to 12th
    ("D", "%d/%m/%Y", "2020-01-01"),  # daily, day first: "13/01/2020" is no date month first
    ("D", "%m/%d/%Y", "2020-01-01"),  # daily, month first (pandas' own reading) stays month first
    ("D", "%d/%m/%Y", "2020-01-13"),  # daily, day first from a first row pandas reads day first: announced too
])
def test_dates_are_read_day_first_where_only_that_makes_a_regular_series(tmp_path, capsys, freq, fmt, first):
    from argparse import Namespace

    from seqtune._cli_series import load_series as _load_series

    stamps = pd.date_range(first, periods=40, freq=freq)
    pd.DataFrame({"when": stamps.strftime(fmt), "v": np.arange(40.0)}).to_csv(tmp_path / "s.csv", index=False)
    y, _ = _load_series(Namespace(data=str(tmp_path / "s.csv"), target="v", time_column=None, features=None))
    assert y.index.equals(pd.DatetimeIndex(stamps, name="when"))
    assert ("read day first" in capsys.readouterr().out) == fmt.startswith("%d")


def test_a_series_the_season_repeats_exactly_is_searched_and_warned_about_once_in_one_line(tmp_path):
    """Every trial's MASE was NaN (the seasonal-naive scale is 0): 'Every trial of the search failed'."""
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": 100 + 10 * np.sin(2 * np.pi * np.arange(120) / 7)}).to_csv(
        tmp_path / "weekly.csv", index=False)
    proc = subprocess.run([sys.executable, "-m", "seqtune.cli", "tune", "--task", "forecast", "--data",
                           str(tmp_path / "weekly.csv"), "--target", "v", "--horizon", "3", "--tuner", "random",
                           "--max-trials", "1", "--max-epochs", "1", "--max-units", "4", "--max-layers", "1",
                           "--directory", str(tmp_path / "runs"), "--seed", "3"],
                          capture_output=True, text=True, env=ENV, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "chosen model refit on the training part: test MASE" in proc.stdout
    # once: the search, its trials, its refit and the test forecasts each computed the MASE's scale (21 times)
    assert proc.stderr.count("y repeats exactly every 7 steps") == 1
    assert "seqtune: InputWarning: y repeats exactly every 7 steps" in proc.stderr
    assert "sys.exit(main())" not in proc.stderr  # the script's own line, under every warning
    refused = subprocess.run([sys.executable, "-m", "seqtune.cli", "tune", "--seed", "-5"], capture_output=True,
                             text=True, env=ENV)
    assert refused.returncode == 2 and "--seed: expected an int >= 0; got -5" in refused.stderr


def test_a_file_listing_the_newest_rows_first_is_sorted_by_time(tmp_path, capsys):
    from argparse import Namespace

    from seqtune._cli_series import load_series as _load_series

    stamps = pd.date_range("2020-01-01", periods=30, freq="D")
    frame = pd.DataFrame({"day": stamps.strftime("%Y-%m-%d"), "v": np.arange(30.0), "promo": np.arange(30) % 2})
    frame.iloc[::-1].to_csv(tmp_path / "newest_first.csv", index=False)
    y, X = _load_series(Namespace(data=str(tmp_path / "newest_first.csv"), target="v", time_column="day",
                                  features="promo"))
    assert y.tolist() == list(range(30)) and X["promo"].tolist() == [0, 1] * 15  # rows kept together
    assert "Rows sorted by 'day'" in capsys.readouterr().out


def test_tune_runs_a_grid_and_names_a_quantity_target(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5, 2)).astype("float32")
    np.savez(tmp_path / "data.npz", X=X, y=(X[:, :, 0].sum(axis=1) > 0).astype(int))
    # the grid walks finite lists: the log ranges of units and learning rate become a few values
    code = main(["tune", "--data", str(tmp_path / "data.npz"), "--tuner", "grid", "--max-trials", "1",
                 "--max-epochs", "1", "--max-units", "8", "--max-layers", "1", "--directory", str(tmp_path / "runs")])
    assert code == 0 and "test accuracy" in capsys.readouterr().out
    # an integer target of distinct values is a quantity, not 60 classes of one sample
    np.savez(tmp_path / "counts.npz", X=X, y=np.arange(60))
    code = main(["tune", "--data", str(tmp_path / "counts.npz"), "--directory", str(tmp_path / "runs")])
    assert code == 2 and "pass --task regress" in capsys.readouterr().err


def test_files_too_small_to_search_are_named(tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("a,b,target\n")
    assert main(["tune", "--data", str(tmp_path / "empty.csv"), "--directory", str(tmp_path / "runs")]) == 2
    assert "the file has no rows (columns: a, b, target)" in capsys.readouterr().err
    (tmp_path / "tiny.csv").write_text("x,target\n1,0\n2,1\n3,0\n4,1\n")
    assert main(["tune", "--data", str(tmp_path / "tiny.csv"), "--directory", str(tmp_path / "runs")]) == 2
    assert "4 samples of 2 classes cannot be split by --test-fraction 0.2" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_max_units_and_max_layers_each_narrow_the_space_on_their_own():
    from seqtune.cli import _search_space, build_parser

    def space(*options):
        return _search_space(build_parser().parse_args(["tune", "--dataset", "digits", *options]))

    assert space("--max-layers", "1") == {"layers": 1}
    assert space("--max-layers", "2") == {"layers": (1, 2)}
    assert space("--max-units", "16") == {"units": (8, 16, "log")}
    assert space("--batch-sizes", "16,4, 16") == {"batch_size": [4, 16]}
    assert space("--batch-sizes", "8") == {"batch_size": 8}
    assert space("--batch-sizes", "8,16,") == {"batch_size": [8, 16]}
    assert space() == {}


@pytest.mark.parametrize("option, value, message", [
    ("--max-layers", "0", "expected an int >= 1; got 0"),
    ("--max-units", "x", "expected an int >= 1; got 'x'"),
    ("--max-epochs", "0", "expected an int >= 1; got 0"),
    ("--workers", "-1", "expected an int >= 0; got -1"),
    ("--test-fraction", "1.5", r"expected a number between 0 and 1 \(exclusive\); got 1.5"),
    ("--batch-sizes", "16,0", "expected an int >= 1; got 0"),
    ("--batch-sizes", ",", "expected comma-separated ints >= 1 such as 16,32; got ','"),
    ("--batch-sizes", "16,,32", "expected comma-separated ints >= 1 such as 16,32; got '16,,32'"),
])
def test_bad_numbers_are_refused_while_parsing_before_any_work(option, value, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["tune", "--dataset", "digits", option, value])
    err = capsys.readouterr()
    assert exit_.value.code == 2 and re.search(f"argument {option}: {message}", err.err)
    assert "Searching" not in err.out and "Starting" not in err.out


def test_the_librarys_hints_name_options_on_the_command_line():
    """The too-few-gradient-steps warning said "Raise max_epochs" to a user who had typed --max-epochs."""
    from seqtune._training import warn_if_trials_train_too_little
    from seqtune.cli import _in_options

    with pytest.warns(UserWarning) as seen:
        warn_if_trials_train_too_little(76, [32, 64], 1)
    message = _in_options(str(seen[0].message))
    assert "Raise --max-epochs (to" in message and "--max-epochs 1)" in message and "max_epochs" not in message
