"""Spoken digits from waveforms: "zero" to "nine" said by voices never heard in training.

Data: synthesised once with Debian's ``espeak-ng`` and cached (``~/.cache/seqtune/
spoken_digits``, or ``$XDG_CACHE_HOME/seqtune/spoken_digits``): 8 English accents x 16
voice variants x 10 digits x 3 takes (speed and pitch vary per take) = 3,840 clips.
Holding out random clips is too easy (the same voice is in training), so the test set
holds out whole voice variants: whisper, croak, klatt2 and f5 are never heard in
training. Settings are chosen the same way on validation: trials are scored on three
further training variants held out from the search's training part.

Features: 13 MFCCs per 10 ms frame computed with TensorFlow's signal ops (STFT, mel
filter bank, log, DCT); clips keep their own lengths (a ragged list into seqtune,
padding masked). Baselines: logistic regression and an RBF SVC on each clip's MFCC
mean and standard deviation, their C chosen on the same validation variants.

    python recipes/spoken_digits.py [--quick] [--out DIR]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import _common as C

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc"]
TRAIN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "klatt"]
TEST_VARIANTS = ["whisper", "croak", "klatt2", "f5"]
VALIDATION_VARIANTS = ["m7", "f4", "klatt"]  # held out inside training to choose settings
TAKES = [(130, 35), (165, 50), (200, 65)]  # (words per minute, pitch 0-99) of each take
INSTALL_ESPEAK = "apt-get update && apt-get install -y espeak-ng   (Debian/Ubuntu; macOS: brew install espeak-ng)"


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "seqtune" / "spoken_digits"


def synthesise(accents, variants, takes, digits=DIGITS):
    """Paths and labels of the clips, generating the ones not cached yet."""
    espeak = shutil.which("espeak-ng")
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    clips, made = [], 0
    for accent in accents:
        for variant in variants:
            for speed, pitch in takes:
                for digit in digits:
                    path = folder / f"{accent}+{variant}_s{speed}_p{pitch}_{digit}.wav"
                    if not path.exists():
                        if espeak is None:
                            C.missing("This recipe synthesises its clips with the program 'espeak-ng', "
                                      "which is not installed.", install=INSTALL_ESPEAK)
                        partial = path.with_suffix(".part")  # never leave a half-written clip
                        subprocess.run([espeak, "-v", f"{accent}+{variant}", "-s", str(speed), "-p",
                                        str(pitch), "-w", str(partial), digit], check=True,
                                       capture_output=True)
                        partial.replace(path)
                        made += 1
                    clips.append((path, digit, variant))
    return clips, made


def read_wav(path):
    """Samples in [-1, 1] and the rate, leading and trailing silence trimmed."""
    import numpy as np

    with wave.open(str(path)) as f:
        rate = f.getframerate()
        audio = np.frombuffer(f.readframes(f.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    loud = np.flatnonzero(np.abs(audio) > 0.02 * np.abs(audio).max())
    return audio[loud[0]: loud[-1] + 1], rate


def mfcc_frames(audio, rate, n_mfcc=13):
    """(frames, n_mfcc) MFCCs: 25 ms windows every 10 ms, 40 mel bands up to 8 kHz."""
    import tensorflow as tf

    frame, step = int(0.025 * rate), int(0.010 * rate)
    audio = tf.concat([audio, tf.zeros(max(0, frame - len(audio)))], 0)  # at least one frame
    spectrum = tf.abs(tf.signal.stft(audio, frame_length=frame, frame_step=step, fft_length=1024))
    mel = tf.signal.linear_to_mel_weight_matrix(40, spectrum.shape[-1], rate, 60.0, 8000.0)
    log_mel = tf.math.log(tf.tensordot(spectrum ** 2, mel, 1) + 1e-6)
    return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[:, :n_mfcc].numpy()


def main(argv=None) -> int:
    args = C.parse_args("spoken_digits", __doc__.splitlines()[0], argv)
    if shutil.which("espeak-ng") is None and not cache_dir().exists():
        C.missing("This recipe synthesises its clips with the program 'espeak-ng', which is not installed.",
                  install=INSTALL_ESPEAK)
    if args.quick:  # 2 accents, 6 variants (2 held out), 2 takes: 240 clips
        accents, train_variants, test_variants = ACCENTS[:2], ["m1", "m3", "f2", "klatt"], ["f5", "whisper"]
        validation_variants, takes = ["klatt"], TAKES[::2]
    else:
        accents, train_variants, test_variants = ACCENTS, TRAIN_VARIANTS, TEST_VARIANTS
        validation_variants, takes = VALIDATION_VARIANTS, TAKES
    with C.timed() as t:
        clips, made = synthesise(accents, train_variants + test_variants, takes)
    print(f"{len(clips)} clips ({made} synthesised now in {t.seconds:.0f} s, the rest cached in {cache_dir()})",
          flush=True)

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from seqtune import AutoSequenceClassifier

    with C.timed() as t:
        X = [mfcc_frames(*read_wav(path)) for path, _, _ in clips]
    y = np.array([digit for _, digit, _ in clips])
    variant = np.array([v for _, _, v in clips])
    test = np.isin(variant, test_variants)
    X_train = [x for x, held in zip(X, test) if not held]
    X_test = [x for x, held in zip(X, test) if held]
    y_train, y_test = y[~test], y[test]
    # One validation fold inside the training split: whole voice variants, as in the test.
    validation = PredefinedSplit(np.where(np.isin(variant[~test], validation_variants), 0, -1))
    lengths = [len(x) for x in X]
    print(f"MFCCs in {t.seconds:.0f} s: {min(lengths)}-{max(lengths)} frames of {X[0].shape[1]}; "
          f"{len(X_train)} training clips ({', '.join(train_variants)}), {len(X_test)} test clips "
          f"(unheard variants {', '.join(test_variants)})", flush=True)

    # Baselines on each clip's summary: MFCC mean and standard deviation over time.
    def summary(clips_):
        return np.array([np.concatenate([c.mean(axis=0), c.std(axis=0)]) for c in clips_])

    S_train, S_test = summary(X_train), summary(X_test)
    rows = []
    for name, model, grid in (
        ("logistic regression (MFCC mean+std)", LogisticRegression(max_iter=5000),
         {"logisticregression__C": [0.1, 1.0, 10.0]}),
        ("RBF SVC (MFCC mean+std)", SVC(kernel="rbf"), {"svc__C": [1.0, 10.0, 100.0]}),
    ):
        search = GridSearchCV(make_pipeline(StandardScaler(), model), grid, cv=validation, n_jobs=1)
        with C.timed() as t:
            search.fit(S_train, y_train)
        setting = ", ".join(f"{k.split('__')[1]}={v:g}" for k, v in search.best_params_.items())
        rows.append({"model": name, "test_accuracy": search.score(S_test, y_test), "fit_s": t.seconds,
                     "setting": setting})

    if args.quick:
        search = dict(tuner="random", max_trials=3, max_epochs=2,
                      space={"layers": 1, "units": [16, 32], "bidirectional": False, "dropout": 0.0,
                             "learning_rate": 3e-3, "batch_size": 32})
    else:
        search = dict(tuner="random", max_trials=8, max_epochs=20,
                      space={"layers": [1, 2], "units": [32, 64, 128], "bidirectional": [False, True],
                             "dropout": [0.0, 0.2], "learning_rate": [1e-3, 3e-3], "batch_size": 32})
    auto = AutoSequenceClassifier(cells=("lstm", "gru"), cv=validation, cost="latency", tolerance=0.01,
                                  seed=args.seed, directory=str(args.out / "search"), project_name=args.name,
                                  overwrite=True, estimator_params=C.SAME_BUDGET, verbose=args.verbose,
                                  **search)
    with C.timed() as t:
        auto.fit(X_train, y_train)
    return C.finish_classification(
        args, auto, X_test, y_test, rows, t.seconds,
        data={"name": "espeak-ng spoken digits", "espeak_ng": espeak_version(), "clips": len(clips),
              "accents": accents, "train_variants": train_variants, "test_variants": test_variants,
              "validation_variants": validation_variants, "takes": [list(t) for t in takes],
              "train": len(X_train), "test": len(X_test)},
        title=f"Spoken digits, test accuracy ({len(X_test)} clips of unheard voice variants)",
        front_label="validation accuracy on unheard variants")


def espeak_version() -> str:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return "not installed (cached clips)"
    return subprocess.run([espeak, "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
