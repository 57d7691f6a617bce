"""Training throughput of seqtune's default configuration against plain PyTorch, measured in one run.

Trains the same network on the same data on both sides -- one LSTM or GRU layer, a
Dense/Linear head on the last hidden state, Adam(1e-3), batch 64, shuffled every
epoch, no validation pass -- and prints, for each cell:

* steady-state training throughput in samples/s (epochs 2..E, so the first epoch,
  where Keras traces and possibly XLA-compiles, is excluded on both sides) of
  ``SequenceClassifier`` (or ``SequenceRegressor``) and of a hand-written PyTorch
  loop, and the ratio seqtune / PyTorch (target >= 1.0);
* the first epoch's time and the whole-fit throughput (model building, compilation
  and every epoch included) of both sides;
* with ``--keras``, the same figures for a hand-written Keras model (Keras' own layers,
  same jit_compile choice as seqtune, or XLA on with ``--keras-xla``), to separate seqtune's
  wrapper and its fused layers (``seqtune/_fused_rnn.py``) from Keras;
* with ``--breakdown`` (torch backend only), where the time between seqtune and PyTorch
  goes: seqtune's own Keras model trained by the PyTorch loop above (``torch.optim.Adam``
  on the model's variables, no Keras trainer), then the same with every layer's ``call``
  run directly in order (no ``Layer.__call__``: no mask, name-scope or dtype machinery).
  The first leaves the cost of Keras' trainer (data adapter, loss and metric objects,
  optimizer, callbacks), the second that of calling layers through Keras.

seqtune side: ``SequenceClassifier(cell=..., units=64, epochs=E, batch_size=64,
early_stopping=False, validation_fraction=0.0, frame_length=1, pooling="last", random_state=0)``
(``frame_length=1``: the recurrent layer reads every one of the T steps, as PyTorch's
does; the default reads a series this long in frames of 4 steps, a cheaper model
whose throughput is not the comparison; ``pooling="last"``: the head reads the final
state, as PyTorch's does, where the default also reads the maximum and mean); every other
parameter keeps its default (``standardize=True``: a standardization layer;
``jit_compile="auto"``: XLA on CPU for fits of at least 250,000 sample-steps).
Epochs are timed by a Keras callback passed through ``callbacks=``.
PyTorch side: ``torch.nn.LSTM`` / ``torch.nn.GRU`` (batch_first=True) after the same
fixed standardization, ``nn.Linear``, ``torch.optim.Adam``, a DataLoader-free loop over
shuffled mini-batches, ``torch.set_num_threads(os.cpu_count())``, no ``torch.compile``.
Each figure is the median of ``--repeat`` fits; the two sides alternate, so machine
noise falls on both, and garbage is collected before every timed fit. The Keras backend is whatever ``KERAS_BACKEND`` selects.

Run: ``python bench/bench_torch.py`` (``--quick`` for a smoke run; ``--cell lstm|gru|both``;
``--task classify|regress``; ``--epochs``; ``--repeat``; ``--keras``; ``--keras-xla``; ``--breakdown``). Needs PyTorch:
``pip install -e '.[bench]'`` or ``pip install torch --index-url https://download.pytorch.org/whl/cpu``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _timing import epoch_timer  # the script's own folder is on sys.path

if importlib.util.find_spec("torch") is not None:
    # PyTorch's CUDA wheels bring Triton, which crashes the process (segmentation fault) when first
    # imported after TensorFlow or JAX; torch.optim imports it through torch._dynamo (seen with
    # torch 2.14.1): import it before either.
    import torch._dynamo  # noqa: F401

# --breakdown's sides: seqtune's model in the PyTorch loop, through model(x) (True: each layer's call()).
BREAKDOWN = {"model+loop": False, "calls+loop": True}
BREAKDOWN_MEANING = {"model+loop": "seqtune's Keras model called by the PyTorch loop (no Keras trainer)",
                     "calls+loop": "its layers' call() run in order by the PyTorch loop (no Layer.__call__)"}

TORCH_HINT = ("bench_torch.py needs PyTorch, which is not installed. Install the CPU build with\n"
              "    pip install torch --index-url https://download.pytorch.org/whl/cpu\n"
              "or the project's extra: pip install -e '.[bench]'")


# ---------------------------------------------------------------------------- timing
def run_record(fit_seconds: float, epoch_seconds: list, final_loss: float) -> dict:
    return {"fit": fit_seconds, "epochs": list(epoch_seconds), "loss": final_loss}


# --------------------------------------------------------------------------- seqtune
def seqtune_fit(cell, X, y, *, task, units, epochs, batch, seed, **options) -> tuple[dict, object]:
    """seqtune's fit of PyTorch's model; ``options`` (estimator parameters) override the choices that make it so."""
    from seqtune import SequenceClassifier, SequenceRegressor

    estimator = SequenceClassifier if task == "classify" else SequenceRegressor
    timer = epoch_timer()
    same_model = {"frame_length": 1,  # the same model as PyTorch's: every step (the default reads frames)
                  "pooling": "last"}  # ... and a head on the final state (the default adds its max and mean)
    est = estimator(cell=cell, units=units, epochs=epochs, batch_size=batch,
                    early_stopping=False, validation_fraction=0.0, callbacks=[timer],
                    random_state=seed, verbose=0, **{**same_model, **options})
    start = time.perf_counter()
    est.fit(X, y)
    fit_seconds = time.perf_counter() - start
    return run_record(fit_seconds, timer.seconds, est.history_["loss"][-1]), est


# ----------------------------------------------------------- hand-written Keras (optional)
def keras_fit(cell, X, y, *, task, units, epochs, batch, seed, jit) -> dict:
    import keras

    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    n_features = X.shape[-1]
    flat = X.reshape(-1, n_features)
    rnn = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    inputs = keras.Input((None, n_features))
    x = keras.layers.Normalization(mean=flat.mean(axis=0), variance=flat.var(axis=0))(inputs)
    x = rnn(units)(x)
    if task == "classify":
        outputs = keras.layers.Dense(int(y.max()) + 1, activation="softmax")(x)
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        outputs = keras.layers.Dense(1)(x)
        loss, metrics = "mse", None
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(1e-3), loss, metrics=metrics, jit_compile=jit)
    timer = epoch_timer()
    target = y.astype("int32") if task == "classify" else ((y - y.mean()) / y.std()).astype("float32")
    model.fit(X, target, batch_size=batch, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
    return run_record(time.perf_counter() - start, timer.seconds, timer.losses[-1])


# --------------------------------------------------------------------------- PyTorch
def torch_targets(y, task):
    """(targets, outputs of the head, loss function) of the PyTorch side."""
    import torch
    from torch import nn

    if task == "classify":
        return torch.from_numpy(y.astype(np.int64)), int(y.max()) + 1, nn.CrossEntropyLoss()
    return torch.from_numpy(((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1)), 1, nn.MSELoss()


def torch_fit(cell, X, y, *, task, units, epochs, batch, seed, device="cpu") -> dict:
    """Plain PyTorch's fit on ``device``, where the data is put first."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    start = time.perf_counter()
    n_features = X.shape[-1]
    flat = X.reshape(-1, n_features)
    targets, n_out, loss_fn = torch_targets(y, task)
    inputs = torch.from_numpy(X)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            # The same fixed standardization as seqtune's standardization layer.
            self.register_buffer("mean", torch.from_numpy(flat.mean(axis=0)))
            self.register_buffer("scale", torch.from_numpy(np.sqrt(flat.var(axis=0))))
            self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](n_features, units, batch_first=True)
            self.head = nn.Linear(units, n_out)

        def forward(self, x):
            out, _ = self.rnn((x - self.mean) / self.scale)
            return self.head(out[:, -1])

    return torch_loop(Net().to(device), inputs.to(device), targets.to(device), loss_fn, epochs=epochs, batch=batch,
                      seed=seed, start=start)


def torch_loop(model, inputs, targets, loss_fn, *, epochs, batch, seed, start, parameters=None) -> dict:
    """The hand-written training loop: shuffled mini-batches, Adam(1e-3), the mean loss read every epoch
    (on the inputs' device)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    n = len(inputs)
    optimizer = torch.optim.Adam(model.parameters() if parameters is None else parameters, lr=1e-3)
    epoch_seconds, mean_loss = [], float("nan")
    for _ in range(epochs):
        epoch_start = time.perf_counter()
        order = torch.randperm(n, generator=generator).to(inputs.device)
        total = torch.zeros((), device=inputs.device)
        for i in range(0, n, batch):
            index = order[i : i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(inputs[index]), targets[index])
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(index)
        mean_loss = float(total) / n
        epoch_seconds.append(time.perf_counter() - epoch_start)
    return run_record(time.perf_counter() - start, epoch_seconds, mean_loss)


def keras_model_in_torch_loop(model, X, y, *, task, epochs, batch, seed, direct: bool) -> dict:
    """seqtune's Keras ``model`` trained by :func:`torch_loop` (torch backend): no Keras trainer.

    ``direct``: run each layer's ``call`` in order instead of the model (a chain of layers
    without masks, which the default network on equal-length series is).
    """
    import inspect

    import torch

    layers = model.layers[1:]
    if direct and any(layer.input is not before.output for before, layer in zip(model.layers, layers)):
        raise ValueError("--breakdown needs the model to be a chain of layers")
    takes_training = ["training" in inspect.signature(layer.call).parameters for layer in layers]

    def forward(x):
        if not direct:
            return model(x, training=True)
        for layer, training in zip(layers, takes_training):
            x = layer.call(x, training=True) if training else layer.call(x)
        return x

    targets, _, loss_fn = torch_targets(y, task)
    if task == "classify":  # the Keras head gives probabilities, PyTorch's loss takes logits
        def loss_fn(probabilities, labels):
            return torch.nn.functional.nll_loss(torch.log(probabilities.clamp_min(1e-7)), labels)

    start = time.perf_counter()
    return torch_loop(forward, torch.from_numpy(X), targets, loss_fn, epochs=epochs, batch=batch, seed=seed,
                      start=start, parameters=[v.value for v in model.trainable_variables])


# --------------------------------------------------------------------------- summary
def summarize(runs: list, n: int, epochs: int) -> dict:
    """Medians over repeats: steady-state and whole-fit samples/s, first-epoch seconds."""
    steady = [n * (epochs - 1) / sum(r["epochs"][1:]) for r in runs if len(r["epochs"]) > 1]
    return {
        "steady": statistics.median(steady) if steady else None,
        "whole": statistics.median(n * len(r["epochs"]) / r["fit"] for r in runs),
        "first": statistics.median(r["epochs"][0] for r in runs),
        "setup": statistics.median(r["fit"] - sum(r["epochs"]) for r in runs),
        "loss": statistics.median(r["loss"] for r in runs),
    }


def versions() -> str:
    from importlib import metadata

    import keras
    import torch

    tf = next((f"TensorFlow {metadata.version(d)}" for d in ("tensorflow", "tensorflow-cpu")
               if _installed(metadata, d)), "TensorFlow not installed")
    return (f"Keras {keras.__version__} (backend {keras.backend.backend()}), {tf}, "
            f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads), os.cpu_count()={os.cpu_count()}")


def _installed(metadata, dist: str) -> bool:
    try:
        metadata.version(dist)
        return True
    except metadata.PackageNotFoundError:
        return False


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    parser.add_argument("--cell", default="both", choices=["lstm", "gru", "both"])
    parser.add_argument("--task", default="classify", choices=["classify", "regress"],
                        help="3-class classification (SequenceClassifier) or regression (SequenceRegressor)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per fit (default 3; 1 with --quick); steady state needs >= 2")
    parser.add_argument("--repeat", type=int, default=None, help="fits per side and cell (default 3; 1 with --quick)")
    parser.add_argument("--keras", action="store_true", help="also time a hand-written Keras model")
    parser.add_argument("--keras-xla", action="store_true",
                        help="compile the hand-written Keras model with XLA (default: seqtune's choice)")
    parser.add_argument("--breakdown", action="store_true",
                        help="torch backend: also time seqtune's model in the PyTorch loop, through Keras and not")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("torch") is None:
        sys.exit(TORCH_HINT)
    if args.breakdown and os.environ.get("KERAS_BACKEND") != "torch":
        sys.exit("--breakdown runs seqtune's Keras model in a PyTorch loop: set KERAS_BACKEND=torch")

    n, t, f, units, epochs = (256, 20, 4, 16, 1) if args.quick else (4096, 100, 8, 64, 3)
    epochs = args.epochs or epochs
    repeat = args.repeat or (1 if args.quick else 3)
    batch, seed, n_classes = 64, 0, 3
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, t, f)).astype("float32")
    y = (rng.integers(0, n_classes, size=n) if args.task == "classify"
         else rng.normal(size=n).astype("float32"))
    cells = ["lstm", "gru"] if args.cell == "both" else [args.cell]

    import torch

    torch.set_num_threads(os.cpu_count())
    common = dict(task=args.task, units=units, epochs=epochs, batch=batch, seed=seed)
    # Warm-up on a slice: imports, runtime start-up and first-call costs of both libraries.
    small = dict(common, epochs=1)
    for cell in cells:
        seqtune_fit(cell, X[:128], y[:128], **small)
        torch_fit(cell, X[:128], y[:128], **small)

    results = {}
    for cell in cells:
        runs = {side: [] for side in ("seqtune", "PyTorch", "Keras", *BREAKDOWN)}
        xla = None
        for r in range(repeat):
            # Alternate which side goes first, so slow spells of the machine fall on both.
            order = ["seqtune", "PyTorch"] if r % 2 == 0 else ["PyTorch", "seqtune"]
            for side in order:
                gc.collect()  # so neither side pays for collecting the other's garbage
                if side == "seqtune":
                    record, est = seqtune_fit(cell, X, y, **common)
                    xla = bool(getattr(est, "jit_compiled_", False))
                else:
                    record = torch_fit(cell, X, y, **common)
                runs[side].append(record)
            if args.keras:
                gc.collect()
                runs["Keras"].append(keras_fit(cell, X, y, **common, jit=xla or args.keras_xla))
            if args.breakdown:  # the last seqtune fit's model, trained on by the PyTorch loop
                for side, direct in BREAKDOWN.items():
                    gc.collect()
                    runs[side].append(keras_model_in_torch_loop(est.model_, X, y, task=args.task, epochs=epochs,
                                                                batch=batch, seed=seed, direct=direct))
        results[cell] = ({side: summarize(rs, n, epochs) for side, rs in runs.items() if rs}, xla)

    task = f"{n_classes}-class classification" if args.task == "classify" else "regression"
    steady = epochs > 1
    print(f"data: {n} sequences x {t} steps x {f} features (random normal, seed {seed}), {task}, "
          f"1 recurrent layer of {units} units, Adam(1e-3), batch {batch}, {epochs} epoch(s), "
          f"no validation; median of {repeat} fit(s) per side")
    print(versions())
    what = ("steady state, epochs 2..%d" % epochs) if steady else "whole fit, 1 epoch: no steady state"
    print(f"\ntraining throughput, samples/s ({what})")
    sides = ["seqtune", "PyTorch"] + (["Keras"] if args.keras else []) + (list(BREAKDOWN) if args.breakdown else [])
    header = "cell  " + "".join(f"{s:>12}" for s in sides) + "   seqtune/PyTorch" + (
        "   seqtune/Keras" if args.keras else "") + "   seqtune XLA"
    print(header)
    key = "steady" if steady else "whole"
    for cell, (summary, xla) in results.items():
        rates = [summary[s][key] for s in sides]
        line = f"{cell.upper():<6}" + "".join(f"{r:>12,.0f}" for r in rates)
        line += f"   {rates[0] / rates[1]:>14.2f}x"
        if args.keras:
            line += f"   {rates[0] / rates[2]:>12.2f}x"
        print(line + f"   {'on' if xla else 'off':>11}")
        if args.keras:
            print(f"{'':6}Keras = keras.layers.{cell.upper()}, XLA {'on' if xla or args.keras_xla else 'off'}")
        if args.breakdown:
            print(f"{'':6}" + "  ".join(f"{side}/PyTorch = {summary[side][key] / summary['PyTorch'][key]:.2f}x"
                                        for side in BREAKDOWN))
    print("target: seqtune/PyTorch >= 1.0x (steady state)")
    if args.breakdown:
        print("breakdown: " + "; ".join(f"{side} = {what}" for side, what in BREAKDOWN_MEANING.items()))

    print("\nper fit: first epoch s | set-up s (build, compile, data; outside epochs) | "
          "whole-fit samples/s | final training loss")
    for cell, (summary, _) in results.items():
        for s in sides:
            m = summary[s]
            print(f"{cell.upper():<6}{s:<11} first epoch {m['first']:7.3f} s | set-up {m['setup']:6.3f} s | "
                  f"whole fit {m['whole']:9,.0f}/s | loss {m['loss']:.4f}")
        whole = summary["seqtune"]["whole"] / summary["PyTorch"]["whole"]
        print(f"{'':6}whole-fit ratio seqtune/PyTorch = {whole:.2f}x")


if __name__ == "__main__":
    main()
