"""Input detection and validation: every accepted kind, and only clear errors for the rest."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seqtune.inputs import length_bucket, pad, to_sequences


def test_integers_are_token_ids_whatever_holds_them():
    counts = np.random.default_rng(0).integers(0, 20, size=(6, 4))
    # pandas' nullable Int64 and object arrays of ints were read as numbers, int64 ones as token ids
    for X in [counts, pd.DataFrame(counts), pd.DataFrame(counts).astype("Int64"), counts.astype(object),
              counts.tolist()]:
        with pytest.warns(UserWarning, match="read as token ids"):
            seqs = to_sequences(X)
        assert seqs.kind == "tokens"
        np.testing.assert_array_equal(seqs.values, counts)
    np.testing.assert_array_equal(to_sequences(pd.DataFrame(counts).astype("Int64"), input_type="tokens").values,
                                  counts)
    with pytest.raises(ValueError, match=r"expects integer token ids; got columns of dtype \['Float64'\]"):
        to_sequences(pd.DataFrame(counts).astype("Float64"), input_type="tokens")  # said "got dtype None"


def test_an_empty_token_sequence_is_named_as_empty():
    """[] is float64 to NumPy: input_type='tokens' said it expected integer arrays, got float64 ones."""
    for input_type in ("tokens", "auto"):
        with pytest.raises(ValueError, match="1 zero-length sequence.*first at index 1"):
            to_sequences([[1, 2], [], [3]], input_type=input_type)


def test_a_list_of_empty_sequences_of_one_shape_is_named_by_index():
    """A list whose arrays are all (0, n_features) stacks to 3-D; it was named by the stacked shape (1, 0, 2)."""
    with pytest.raises(ValueError, match=r"2 zero-length sequence.*first at index 0"):
        to_sequences([np.zeros((0, 2)), np.zeros((0, 2))])
    with pytest.raises(ValueError, match=r"has shape \(2, 0, 2\)"):  # an array is still named by its shape
        to_sequences(np.zeros((2, 0, 2)))


@pytest.mark.parametrize("X", [
    np.array([["2024-01-01T00:00", "2024-01-01T00:01"]] * 3, dtype="datetime64[m]"),
    np.array([["2024-01-01T00:00", "2024-01-01T00:01"]] * 3, dtype="datetime64[m]")[:, :, None],
    np.ones((3, 2), dtype="timedelta64[s]"),
    [np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")] * 2 + [np.array(["2024-01-01"], "datetime64[D]")],
], ids=["2-D", "3-D", "timedelta", "ragged"])
def test_time_stamps_are_refused_in_every_layout(X):
    """Arrays of them were cast to float32, merging distinct minutes; lists were refused."""
    with pytest.raises(TypeError, match=r"has dtype (datetime|timedelta)64.*expected numbers"):
        to_sequences(X)


@pytest.mark.parametrize("column", [
    pd.date_range("2024-01-01", periods=6), pd.date_range("2024-01-01", periods=6, tz="UTC"),
    pd.to_timedelta(np.arange(6), unit="s"),
], ids=["naive", "time zone", "duration"])
def test_a_column_of_time_stamps_among_steps_is_named(column):
    """Beside numeric columns the frame became an object array: NumPy's DTypePromotionError or pandas'
    TypeError on float(Timestamp) came out instead of seqtune's refusal."""
    X = pd.DataFrame(np.ones((6, 3)), columns=["t0", "t1", "t2"]).assign(recorded=column)
    with pytest.raises(TypeError, match=r"column\(s\) of time stamps or durations \['recorded'\]"):
        to_sequences(X)


def test_a_text_or_category_column_among_steps_is_named_not_read_as_text():
    """It was "X is a 2-D table of strings", with advice about joining words, the column unnamed."""
    X = pd.DataFrame(np.ones((6, 4)), columns=["t0", "t1", "t2", "t3"])
    for extra in (["patient_a"] * 6, pd.Categorical(["left", "right"] * 3)):
        with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['extra'\] beside numeric ones"):
            to_sequences(X.assign(extra=extra))
    # numbers written as text are numbers; a table of text alone is still read (and refused) as text
    assert to_sequences(X.assign(extra=["1.5"] * 6)).values.shape == (6, 5, 1)
    with pytest.raises(TypeError, match="2-D table of strings"):
        to_sequences(pd.DataFrame({"a": ["x y"] * 6, "b": ["z"] * 6}))


def test_sequences_all_of_zero_length_are_named_so():
    """A list of empty sequences became an (n, 0) table: scikit-learn's "Found array with 0 feature(s)" alone."""
    for X in ([[]], [[], []], np.empty((12, 0))):
        with pytest.raises(ValueError, match=r"all of zero length: every sequence needs at least one time step "
                                             r"\(found array with 0 feature\(s\) \(shape=\(\d+, 0\)\)"):
            to_sequences(X)


def test_ragged_lists_are_not_text():
    with pytest.raises(TypeError, match="input_type='text' expects a 1-D sequence of str; got list"):
        to_sequences([[1, 2], [3]], input_type="text")  # NumPy's "inhomogeneous shape" error before


def test_kinds_are_detected():
    assert to_sequences(np.zeros((4, 3, 2))).kind == "numeric"
    two_d = to_sequences(np.zeros((4, 3)))
    assert two_d.kind == "numeric" and two_d.values.shape == (4, 3, 1) and two_d.layout == "2d"
    assert to_sequences(np.ones((4, 3), dtype=int)).kind == "tokens"
    assert to_sequences(np.ones((4, 3), dtype=int), input_type="numeric").kind == "numeric"
    ragged = to_sequences([np.zeros((2, 3)), np.zeros((5, 3))])
    assert ragged.kind == "numeric" and ragged.ragged and list(ragged.lengths()) == [2, 5]
    assert to_sequences([np.array([1, 2]), np.array([3])]).kind == "tokens"
    assert to_sequences(["a b", "c"]).kind == "text"
    assert to_sequences(pd.Series(["a b", "c"])).kind == "text"
    assert to_sequences(np.array(["a b", "c"])).kind == "text"
    same_length_list = to_sequences([np.zeros((3, 2)), np.ones((3, 2))])
    assert not same_length_list.ragged and same_length_list.values.shape == (2, 3, 2)


def test_padding_and_buckets():
    padded = pad([np.ones((2, 1)), np.ones((4, 1))], 3, kind="numeric", n_features=1)
    assert np.isnan(padded[0, 2, 0]) and padded.shape == (2, 3, 1)  # truncated to 3, NaN-padded
    tokens = pad([np.array([5, 6]), np.array([7])], 3, kind="tokens")
    assert tokens.tolist() == [[5, 6, 0], [7, 0, 0]]
    sizes = [length_bucket(n) for n in range(1, 2000)]
    assert all(b >= n for n, b in zip(range(1, 2000), sizes))
    assert all(b <= max(4, 1.5 * n) for n, b in zip(range(1, 2000), sizes))
    assert len(set(sizes)) < 25  # few distinct shapes, few compilations


@pytest.mark.parametrize(
    "X,error,match",
    [
        (None, ValueError, "X is None"),
        ("text", TypeError, "single string"),
        (np.zeros(5), ValueError, "1D array"),
        (np.zeros((2, 2, 2, 2)), ValueError, "4 dimensions"),
        (np.zeros((0, 3, 2)), ValueError, "0 sample"),
        (np.zeros((3, 0, 2)), ValueError, "at least one time step"),
        ([np.zeros((2, 2)), np.zeros((0, 2))], ValueError, "zero-length"),
        ([np.zeros((2, 2)), np.zeros((3, 3))], ValueError, "different numbers of features"),
        # channels first (JapaneseVowels' 12 coefficients x its steps): the transpose is suggested
        ([np.zeros((12, 7)), np.zeros((12, 9))], ValueError, r"features \[7, 9\].*12 rows.*\[x\.T for x in X\]"),
        ([np.zeros((2, 2)), "abc"], TypeError, "string inside a list"),
        ([np.zeros((2, 2, 2)), np.zeros((3, 2, 2))], ValueError, "must be 2-D"),
        (np.array(["a", 1], dtype=object), TypeError, "mixing strings"),
        (["good", None, "bad"], TypeError, r"1 of them are missing \(None/NaN/NA, first at position 1\)"),
        (pd.Series(["a", "b", np.nan]), TypeError, "fillna"),
        ({"a": 1}, TypeError, "not supported"),
        ([b"good film", b"bad"], TypeError, r"X holds bytes \(first at position 0\).*decode\('utf-8'\)"),
        (np.array(["good", b"bad"], dtype=object), TypeError, r"bytes \(first at position 1\)"),
        (np.array(["café".encode(), b"bad"]), TypeError, r"NumPy array of bytes.*np.char.decode"),
        (np.array([b"ascii only"]), TypeError, r"NumPy array of bytes"),
        (pd.Series([np.ones((3, 2))] * 3 + [np.nan]), TypeError, r"X\[3\] is missing \(nan\) where a sequence"),
        ([np.ones((3, 2)), None], TypeError, r"X\[1\] is missing \(None\)"),
        ([["good", "film"], ["bad", "day"]], TypeError, r"2-D table of strings \(shape \(2, 2\)\).*' '.join\(words\)"),
        ([["good", "film"], ["bad"]], TypeError, r"X\[0\] is a sequence of strings.*' '.join\(words\)"),
        (pd.DataFrame({"title": ["a", "b"], "body": ["c d", "e"]}), TypeError, r"2-D table of strings.*df\['title'\]"),
        (["good", b"caf\xe9".decode("utf-8", "surrogateescape")], ValueError,
         r"X\[1\] is not valid Unicode text \(surrogates not allowed at character 3.*errors='replace'"),
        (np.array([[np.nan, 1.0]]), ValueError, r"X contains 1 NaN value\(s\) \(first at sample 0, step 0\)"),
        (np.array([[1.0, 2.0], [3.0, np.nan]]), ValueError,  # a table of rows that end early (UCR's unequal lengths)
         r"NaN at the end of 1 row\(s\) \(first: row 1\).*\[row\[~np.isnan\(row\)\] for row in X\]"),
        (np.array([[1.0, np.nan, 2.0]]), ValueError, r"first at sample 0, step 1\).*Fill them"),
        (np.where(np.arange(12).reshape(2, 3, 2) == 9, np.nan, 1.0), ValueError,
         r"X contains 1 NaN value\(s\) \(first at sample 1, step 1, feature 1\)"),
        ([np.ones((3, 2)), np.array([[1.0, 2.0], [np.nan, 1.0]])], ValueError,
         r"X\[1\] contains 1 NaN value\(s\) \(first at step 1, feature 0\)"),
        (np.array([[1.0, np.inf]]), ValueError,
         r"X contains 1 infinite value\(s\) or value\(s\) beyond float32's range .*first at sample 0, step 1: inf"),
        (np.where(np.arange(12).reshape(2, 3, 2) == 10, 1e300, 1.0), ValueError,
         r"beyond float32's range .*first at sample 1, step 2, feature 0: 1e\+300\).*rescale"),
        ([np.ones((3, 2)), np.array([[1.0, -np.inf], [1.0, 1.0]])], ValueError,
         r"X\[1\] contains 1 infinite .*first at step 0, feature 1: -inf"),
        (pd.DataFrame([[1.0, 2.0, 3.0], [4.0, None, 6.0]], dtype="Float64"), ValueError,  # pandas' nullable pd.NA
         r"X contains 1 NaN value\(s\) \(first at sample 1, step 1\)"),
        (pd.DataFrame([[1, 2, 3], [4, 5, None]], dtype="Int64"), ValueError, r"NaN at the end of 1 row\(s\) \(first: row 1\)"),
        ([np.ones((3, 2)), np.array([[1.0, pd.NA]], dtype=object)], ValueError,
         r"X\[1\] contains 1 NaN value\(s\) \(first at step 0, feature 1\)"),
        (np.ones((2, 3), complex), ValueError, r"X holds complex numbers \(dtype complex128\)"),
        ([np.ones((3, 2)), np.ones((2, 2), np.complex64)], ValueError, r"X\[1\] holds complex numbers \(dtype complex64\)"),
    ],
)
def test_malformed_inputs_get_clear_errors(X, error, match):
    with pytest.raises(error, match=match):
        to_sequences(X)


def test_values_beyond_float32_are_refused_before_the_cast_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's "overflow encountered in cast" would be one
        with pytest.raises(ValueError, match="beyond float32's range"):
            to_sequences(np.full((2, 3, 1), 1e39))


def test_sparse_input_is_refused_clearly():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="Sparse input is not supported"):
        to_sequences(scipy_sparse.csr_matrix(np.eye(3)))


_dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_, np.complex64, object, "U3"])
# What a user's object array holds. Hypothesis' own object cells include things like
# range(0, 2492715859), which any library materialises as 20 GB and which killed a CI worker.
_object_cells = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.complex_numbers(), st.text(max_size=4),
    st.lists(st.floats(), max_size=4), st.builds(range, st.integers(0, 5)),
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))


@st.composite
def _arrays(draw):
    dtype = draw(_dtypes)
    return draw(hnp.arrays(dtype=dtype, shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
                           elements=_object_cells if dtype is object else None, fill=None))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_arrays())
def test_any_array_is_either_accepted_or_refused_with_value_or_type_error(X):
    try:
        seqs = to_sequences(X)
    except (ValueError, TypeError):
        return
    assert seqs.kind in ("numeric", "tokens", "text")
    if seqs.kind == "numeric":
        values = seqs.values if isinstance(seqs.values, np.ndarray) else np.concatenate(seqs.values)
        assert np.isfinite(values).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=5), st.integers(), st.floats(allow_nan=True), st.none(),
                          st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3)),
                min_size=1, max_size=6))
def test_any_list_is_either_accepted_or_refused_with_value_or_type_error(X):
    try:
        to_sequences(X)
    except (ValueError, TypeError):
        pass


def test_column_layouts_users_pass_are_read_as_their_content():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(n, 2)) for n in (3, 5, 4)]
    # a pandas Series (or 1-D object array) of sequences is a list of sequences
    for column in (pd.Series(arrays), np.array(arrays + [None], dtype=object)[:3]):
        seqs = to_sequences(column)
        assert seqs.kind == "numeric" and seqs.ragged and [len(s) for s in seqs.values] == [3, 5, 4]
    same = to_sequences(pd.Series([np.arange(4.0), np.arange(4.0) + 1]))
    assert same.kind == "numeric" and np.asarray(same.values).shape == (2, 4, 1)
    # a one-column table of strings is text
    for table in (pd.DataFrame({"text": ["good movie", "bad"]}), np.array([["good movie"], ["bad"]])):
        assert to_sequences(table).kind == "text"
    # negative integers in a list are numbers, as in a 2-D array (token ids are non-negative)
    assert to_sequences([np.array([1, -2, 3]), np.array([-1, 0])]).kind == "numeric"
    assert to_sequences(np.array([[1, -2], [3, 0]])).kind == "numeric"
    with pytest.raises(ValueError, match="negative token ids"):
        to_sequences([np.array([1, -2, 3]), np.array([-1, 0])], input_type="tokens")
    # pandas' NA in text is named as missing
    with pytest.raises(TypeError, match="1 of them are missing"):
        to_sequences(pd.Series(["good", pd.NA, "bad"], dtype="string"))
