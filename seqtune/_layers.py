"""seqtune's custom Keras layers and text standardization, registered so saved models load in safe mode."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="seqtune")
class NaNPaddingMask(keras.layers.Layer):
    """Mask the time steps that are padding (all features NaN) and zero them.

    seqtune pads numeric sequences of different lengths with NaN, a value its
    input validation refuses in real data, so padding is never confused with a
    real time step whose features happen to be 0 (which ``keras.layers.Masking``
    would hide).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return ops.logical_not(ops.all(ops.isnan(inputs), axis=-1))

    def call(self, inputs):
        return ops.where(ops.isnan(inputs), ops.zeros_like(inputs), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="seqtune")
class FeatureStandardize(keras.layers.Layer):
    """Each feature minus its training mean, divided by its training standard deviation
    (1 where that is 0); NaN padding stays NaN.

    Unlike ``keras.layers.Normalization``, which divides by at least 1e-7 and so turns a
    feature on a tiny scale (standard deviation 1e-9, say) into a near-constant, any
    positive spread that float32 holds is scaled to 1. The statistics are given (in
    float64, from ``fit``) and kept in the configuration.
    """

    def __init__(self, mean, variance, **kwargs):
        super().__init__(**kwargs)
        self.mean = [float(v) for v in np.ravel(mean)]
        self.variance = [float(v) for v in np.ravel(variance)]
        std = np.sqrt(np.asarray(self.variance, dtype=np.float64))
        # float32's smallest normal number: a spread below it has no inverse in float32
        std = np.where(std > np.finfo(np.float32).tiny, std, 1.0)
        self._offset = np.asarray(self.mean, dtype=np.float32)
        self._inverse_std = (1.0 / std).astype(np.float32)

    def call(self, inputs):
        return (inputs - ops.cast(self._offset, inputs.dtype)) * ops.cast(self._inverse_std, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "variance": self.variance}


@keras.saving.register_keras_serializable(package="seqtune")
class SequenceStandardize(keras.layers.Layer):
    """Each sequence, feature by feature, minus its own mean over its steps, divided by its own
    standard deviation (1 where that is 0); NaN padding is left out of both and stays NaN.

    For collections whose sequences differ in level or scale by orders of magnitude (the
    same shape recorded at other gains, say), where one training mean and variance leave
    most sequences near a constant. The absolute level and scale are lost to the model.
    """

    def call(self, inputs):
        valid = ops.logical_not(ops.isnan(inputs))
        count = ops.maximum(ops.sum(ops.cast(valid, inputs.dtype), axis=1, keepdims=True), 1.0)
        zeroed = ops.where(valid, inputs, ops.zeros_like(inputs))
        mean = ops.sum(zeroed, axis=1, keepdims=True) / count
        centred = ops.where(valid, inputs - mean, ops.zeros_like(inputs))
        # Squares of float32 values over 1e19 overflow and under 1e-19 vanish (every such sequence came out
        # flat): square them relative to the sequence's largest deviation.
        largest = ops.max(ops.abs(centred), axis=1, keepdims=True)
        largest = ops.where(largest > 0, largest, ops.ones_like(largest))
        std = largest * ops.sqrt(ops.sum(ops.square(centred / largest), axis=1, keepdims=True) / count)
        return (inputs - mean) / ops.where(std > 0, std, ops.ones_like(std))

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="seqtune")
class StepFrames(keras.layers.Layer):
    """Every ``length`` consecutive time steps joined into one step of ``length`` x features.

    A recurrent layer learns long univariate series far better, and faster, from a
    few dozen frames of many values than from hundreds of single values (see
    ``frame_length`` in the estimators). A sequence's last frame, when it holds fewer
    than ``length`` real steps, is completed with zeros (after standardization, the
    training mean), the same whether the sequence is alone or padded in a batch; a
    frame of NaN padding only stays NaN, for :class:`NaNPaddingMask` to mask.
    """

    def __init__(self, length: int, **kwargs):
        super().__init__(**kwargs)
        self.length = int(length)

    def call(self, inputs):
        k, features = self.length, inputs.shape[-1]
        batch, steps = ops.shape(inputs)[0], ops.shape(inputs)[1]
        frames = (steps + k - 1) // k
        padded = ops.pad(inputs, [[0, 0], [0, k - 1], [0, 0]], constant_values=float("nan"))
        grouped = ops.reshape(padded[:, : frames * k], (batch, frames, k, features))
        missing = ops.isnan(grouped)
        padding = ops.all(missing, axis=(2, 3), keepdims=True)
        filled = ops.where(missing, ops.zeros_like(grouped), grouped)
        grouped = ops.where(padding, ops.full_like(grouped, float("nan")), filled)
        return ops.reshape(grouped, (batch, frames, k * features))

    def compute_output_shape(self, input_shape):
        batch, steps, features = input_shape
        frames = None if steps is None else -(-steps // self.length)
        return (batch, frames, self.length * features)

    def get_config(self):
        return {**super().get_config(), "length": self.length}


@keras.saving.register_keras_serializable(package="seqtune")
class WindowValues(keras.layers.Layer):
    """The first ``steps`` time steps of the first ``channels`` features, flattened.

    The forecaster's linear skip reads the target channels of the window this way
    (known future covariates, appended after the window, are left out).
    """

    def __init__(self, steps: int, channels: int, **kwargs):
        super().__init__(**kwargs)
        self.steps = int(steps)
        self.channels = int(channels)

    def call(self, inputs):
        return ops.reshape(inputs[:, : self.steps, : self.channels], (-1, self.steps * self.channels))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.steps * self.channels)

    def get_config(self):
        return {**super().get_config(), "steps": self.steps, "channels": self.channels}


class _MaskedPooling(keras.layers.Layer):
    """A pooling over time steps that reads the mask of padding steps and passes none on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="seqtune")
class MaskedGlobalMaxPooling(_MaskedPooling):
    """The maximum over time steps of every feature, padding steps excluded.

    ``keras.layers.GlobalMaxPooling1D`` ignores the mask, so a padded batch would
    let padding steps win the maximum; here they never do.
    """

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        lowest = ops.full_like(inputs, float(np.finfo(np.float32).min))
        maxima = ops.max(ops.where(keep, inputs, lowest), axis=1)
        # A sequence that is all padding (token ids all 0) has no step to take: zeros, as a
        # recurrent layer's last state would be, not float32's lowest value (the loss became NaN).
        return ops.where(ops.any(keep, axis=1), maxima, ops.zeros_like(maxima))


@keras.saving.register_keras_serializable(package="seqtune")
class MaskedGlobalAveragePooling(_MaskedPooling):
    """The mean over time steps of every feature, padding steps excluded.

    ``keras.layers.GlobalAveragePooling1D`` divides by the number of kept steps, which is 0 for a
    sequence that is all padding (an empty document's token ids): its output, and the loss, became
    NaN. Such a sequence gets zeros here, as :class:`MaskedGlobalMaxPooling` gives it.
    """

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        return ops.sum(inputs * keep, axis=1) / ops.maximum(ops.sum(keep, axis=1), 1.0)


@keras.saving.register_keras_serializable(package="seqtune")
class MaskedFinalStates(_MaskedPooling):
    """The recurrent layer's final state, read from its outputs at every step.

    The forward direction ends at the last kept step; with ``bidirectional=True`` the second half of the
    features is the backward direction, which ends at the first kept step. These are the states a layer
    returns without ``return_sequences``, so the final state can sit beside a pooling of the same outputs.
    A sequence that is all padding gets zeros.
    """

    def __init__(self, bidirectional: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.bidirectional = bool(bidirectional)

    def call(self, inputs, mask=None):
        if mask is None:
            last, first = inputs[:, -1], (inputs[:, 0] if self.bidirectional else None)
        else:
            kept = ops.cast(mask, "int32")
            steps = ops.shape(inputs)[1]
            last = _take_step(inputs, steps - 1 - ops.cast(ops.argmax(ops.flip(kept, axis=1), axis=1), "int32"))
            first = _take_step(inputs, ops.cast(ops.argmax(kept, axis=1), "int32")) if self.bidirectional else None
        states = last
        if self.bidirectional:
            half = inputs.shape[-1] // 2
            states = ops.concatenate([last[:, :half], first[:, half:]], axis=-1)
        if mask is None:
            return states
        return ops.where(ops.any(ops.cast(mask, "bool"), axis=1, keepdims=True), states, ops.zeros_like(states))

    def get_config(self):
        return {**super().get_config(), "bidirectional": self.bidirectional}


def _take_step(inputs, steps):
    """``inputs[i, steps[i]]`` for every row i of a (batch, steps, features) tensor."""
    index = ops.expand_dims(ops.expand_dims(steps, -1), -1)
    return ops.squeeze(ops.take_along_axis(inputs, index, axis=1), axis=1)


@keras.saving.register_keras_serializable(package="seqtune")
class TextIds(keras.layers.Layer):
    """Token ids of vectorized text as the estimators feed them to the network.

    Cut to the first ``max_length`` steps, and a text without a single token (empty, or
    all punctuation) as one unknown token (id 1) rather than a row of padding, which the
    network never saw in training. Used in the string-taking model that ``save`` exports.
    """

    def __init__(self, max_length=None, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def call(self, ids):
        ids = ops.pad(ids, [[0, 0], [0, 1]])  # at least one step, even if every text is empty
        if self.max_length is not None:
            ids = ids[:, : self.max_length]
        empty = ops.all(ops.equal(ids, 0), axis=1, keepdims=True)
        unknown = ops.concatenate([ops.ones_like(ids[:, :1]), ops.zeros_like(ids[:, 1:])], axis=1)
        return ops.where(empty, unknown, ids)

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}


# Keras' default strips ASCII punctuation only; these are Unicode's punctuation (curly quotes,
# guillemets, CJK full stops, ...) plus the ASCII symbols Keras also strips.
_PUNCTUATION = r"[\p{P}$+<=>^`|~]"
# Spaces Keras' split does not see: no-break (French « a », "a !"), thin, ideographic,
# zero-width spaces and line separators; and control characters (\x85 from Windows-1252 text
# read as Latin-1, \x1c..\x1e), which a vocabulary file's lines would otherwise break a word on.
_OTHER_SPACES = r"[\p{Z}\p{Cc}\x{200B}\x{FEFF}]"  # FEFF: a byte-order mark, zero-width
# Chinese and Japanese are written without spaces: each of their characters is a token; so is
# each emoji or other symbol, which would otherwise stick to the word it touches ("fun😀").
_OWN_TOKENS = r"(\p{Han}|\p{Hiragana}|\p{Katakana}|\p{So})"


@keras.saving.register_keras_serializable(package="seqtune")
def standardize_text(texts):
    """How the estimators' ``TextVectorization`` standardizes text before splitting on spaces.

    Keras' ``"lower_and_strip_punctuation"`` for every script: lower-cases all letters
    (``"Über"`` and ``"über"`` are one word; Keras lower-cases ASCII only), removes
    Unicode punctuation (« » “ ” 。), reads every Unicode space and control character
    (NUL too) and a byte-order mark as a space, and puts spaces around each Chinese or Japanese character and each
    emoji or symbol, so text written without spaces is read a character a token rather
    than a sentence a token. ASCII text gives the words Keras' default gives (and splits
    on control characters, which Keras would keep inside a word). Not done: Unicode
    normalization (a precomposed and a decomposed "é" are two words) and word
    segmentation of Thai, Lao, Khmer or Burmese (pass such text with spaces between words).
    """
    import tensorflow as tf

    texts = tf.convert_to_tensor(texts, dtype=tf.string)  # Keras gives NumPy str arrays off TensorFlow
    # Spaces first: lower() with an encoding ends a string at its first NUL character.
    texts = tf.strings.regex_replace(texts, _OTHER_SPACES, " ")
    texts = tf.strings.lower(texts, encoding="utf-8")
    texts = tf.strings.regex_replace(texts, _PUNCTUATION, "")
    return tf.strings.regex_replace(texts, _OWN_TOKENS, r" \1 ")
