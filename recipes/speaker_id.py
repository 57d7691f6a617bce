"""Speaker identification from speech frames: JapaneseVowels, ragged sequences straight into seqtune.

Data: UCI JapaneseVowels as shipped inside ``sktime`` (no download): 9 male speakers
uttering the vowels /ae/, each utterance 7 to 29 frames of 12 LPC cepstrum
coefficients. The official split: 270 training and 370 test utterances.

seqtune: an ``AutoSequenceClassifier`` search over LSTM and GRU stacks on the list of
(frames, 12) arrays of different lengths (padding and masking are automatic).
Baseline: 1-nearest-neighbour with dynamic time warping (full window, squared
Euclidean frame distance, raw coefficients), written below in NumPy.

    python recipes/speaker_id.py [--quick] [--out DIR]
"""

from __future__ import annotations

import sys

import _common as C


def load_japanese_vowels(split: str):
    """(list of (t_i, 12) float arrays, labels) for the official ``"train"`` or ``"test"`` split."""
    C.require("sktime", "it ships the JapaneseVowels data")
    import numpy as np
    from sktime.datasets import load_japanese_vowels as load

    frame, labels = load(split=split, return_X_y=True)  # one row an utterance, one cell a Series
    X = [np.stack([frame.iloc[i, j].to_numpy(dtype=np.float32) for j in range(frame.shape[1])], axis=1)
         for i in range(len(frame))]
    return X, np.asarray(labels).astype(str)


def dtw_1nn(X_train, y_train, X_test):
    """1-NN labels by dynamic time warping, vectorised over the training sequences."""
    import numpy as np

    lengths = np.array([len(x) for x in X_train])
    width, n_features = lengths.max(), X_train[0].shape[1]
    padded = np.zeros((len(X_train), width, n_features))
    for k, x in enumerate(X_train):
        padded[k, : len(x)] = x
    # Padding only reaches cells right of a sequence's end, which the DP never reads back.
    predictions = []
    for query in X_test:
        cost = ((query[None, :, None, :] - padded[:, None, :, :]) ** 2).sum(-1)  # (n, m, width)
        acc = np.empty_like(cost)
        acc[:, 0, :] = np.cumsum(cost[:, 0, :], axis=1)
        for i in range(1, len(query)):
            acc[:, i, 0] = acc[:, i - 1, 0] + cost[:, i, 0]
            for j in range(1, width):
                best = np.minimum(np.minimum(acc[:, i - 1, j - 1], acc[:, i - 1, j]), acc[:, i, j - 1])
                acc[:, i, j] = cost[:, i, j] + best
        distance = acc[np.arange(len(X_train)), len(query) - 1, lengths - 1]
        predictions.append(y_train[np.argmin(distance)])
    return np.array(predictions)


def main(argv=None) -> int:
    args = C.parse_args("speaker_id", __doc__.splitlines()[0], argv)
    X_train, y_train = load_japanese_vowels("train")
    X_test, y_test = load_japanese_vowels("test")

    import numpy as np

    from seqtune import AutoSequenceClassifier

    lengths = [len(x) for x in X_train + X_test]
    print(f"JapaneseVowels: {len(X_train)} training / {len(X_test)} test utterances, "
          f"{len(np.unique(y_train))} speakers, {min(lengths)}-{max(lengths)} frames of "
          f"{X_train[0].shape[1]} coefficients", flush=True)

    rows = []
    with C.timed() as t:
        predicted = dtw_1nn(X_train, y_train, X_test)
    rows.append({"model": "1-NN DTW", "test_accuracy": float(np.mean(predicted == y_test)),
                 "fit_s": t.seconds, "setting": "full window, squared Euclidean"})

    if args.quick:
        search = dict(tuner="random", max_trials=3, max_epochs=2, cv=None,
                      space={"layers": 1, "units": [16, 32], "bidirectional": False, "dropout": 0.0,
                             "learning_rate": 3e-3, "batch_size": 32})
    else:
        # Only 270 training utterances: score each trial by 3-fold cross-validation, since
        # one error on a single 20% hold-out moves its accuracy by almost 2 points.
        search = dict(tuner="random", max_trials=8, max_epochs=40, cv=3,
                      space={"layers": [1, 2], "units": [32, 64, 128], "bidirectional": [False, True],
                             "dropout": [0.0, 0.2], "learning_rate": [1e-3, 3e-3], "batch_size": 16})
    auto = AutoSequenceClassifier(cells=("lstm", "gru"), cost="latency", tolerance=0.01, seed=args.seed,
                                  directory=str(args.out / "search"), project_name=args.name,
                                  overwrite=True, estimator_params=C.SAME_BUDGET, verbose=args.verbose,
                                  **search)
    with C.timed() as t:
        auto.fit(X_train, y_train)
    return C.finish_classification(
        args, auto, X_test, y_test, rows, t.seconds,
        data={"name": "JapaneseVowels (UCI, via sktime)", "speakers": int(len(np.unique(y_train))),
              "train": len(X_train), "test": len(X_test), "frames": [min(lengths), max(lengths)]},
        title=f"JapaneseVowels speaker, test accuracy ({len(X_test)} utterances, official split)")


if __name__ == "__main__":
    sys.exit(main())
