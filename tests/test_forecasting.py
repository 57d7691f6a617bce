"""SequenceForecaster: future indexes, exogenous inputs, quantiles, several series, scikit-learn
integration, persistence and the errors bad input gets. Real (tiny) Keras models throughout."""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import seqtune
from seqtune.baselines import NaiveForecaster, SeasonalNaiveForecaster
from seqtune.forecasting import SequenceForecaster
from seqtune.metrics import mae, mase

TINY = dict(lookback=12, horizon=4, units=4, epochs=2, n_models=1, random_state=0)
# Two members side by side: where members, targets and quantiles are laid out in one output.
ENSEMBLE = {**TINY, "n_models": 2}


def seasonal(n=150, period=12, seed=0):
    """A noisy seasonal series with a slow trend."""
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(scale=0.1, size=n)
    return 10 + 0.01 * t + np.sin(2 * np.pi * t / period) + noise


@pytest.fixture(scope="module")
def daily():
    y = pd.Series(seasonal(), index=pd.date_range("2024-01-01", periods=150, freq="D"), name="sales")
    return y, SequenceForecaster(**TINY).fit(y)


def test_a_short_continuation_read_from_a_file_is_scored_on_the_fitted_frequency(daily):
    """Dates read from a CSV carry no freq, and pandas infers none from fewer than 3: score on the next one
    or two days (a search's held-out tail) failed, saying the timestamps lay on no regular grid."""
    y, fc = daily
    future = pd.Series([10.0, 10.5], index=pd.date_range(y.index[-1], periods=3, freq="D")[1:])
    from_file = pd.Series(future.to_numpy(), index=pd.DatetimeIndex(list(future.index)))
    assert from_file.index.freq is None
    for steps in (1, 2):
        assert fc.score(from_file[:steps]) == fc.score(future[:steps])
    with pytest.raises(ValueError, match=r"2 time stamp\(s\): too few .* not consecutive steps of the fitted "
                                         r"series' frequency \(D\)"):  # not on the fitted grid
        fc.score(pd.Series([10.0, 10.5], index=pd.DatetimeIndex([future.index[0], future.index[0] + pd.Timedelta("5h")])))
    # a day missing from a continuation too short to read its grid from: filled where fill says so
    days = pd.date_range(y.index[-1], periods=6, freq="D")[1:]
    gappy = pd.Series([10.0, 10.5, 11.0, 11.5], index=pd.DatetimeIndex(list(days.delete(1))))
    filled = clone(fc).set_params(fill="ffill").fit(y)
    assert filled.score(gappy) == filled.score(pd.Series([10.0, 10.0, 10.5, 11.0, 11.5], index=days))


# ------------------------------------------------------------------ future index
def test_daily_series_forecast_continues_the_index(daily):
    y, fc = daily
    pred = fc.predict()
    expected = pd.date_range("2024-05-30", periods=4, freq="D")
    pd.testing.assert_index_equal(pred.index, expected.as_unit(y.index.unit))
    assert pred.index.freq == "D"
    assert isinstance(pred, pd.Series) and pred.name == "sales"
    assert np.all(np.isfinite(pred.to_numpy()))
    assert len(fc.predict(horizon=2)) == 2
    np.testing.assert_allclose(fc.predict(horizon=2).to_numpy(), pred.to_numpy()[:2])


CUSTOM_HOURS = pd.offsets.CustomBusinessHour(start=["08:00", "13:00"], end=["10:00", "15:00"], weekmask="Mon Tue",
                                             holidays=["2024-01-09"])


@pytest.mark.parametrize(
    "index, expected",
    [
        (pd.date_range("2024-03-01", periods=40, freq="h"), pd.date_range("2024-03-02 16:00", periods=4, freq="h")),
        (pd.date_range("2020-01-01", periods=40, freq="MS"), pd.date_range("2023-05-01", periods=4, freq="MS")),
        (pd.period_range("1990Q1", periods=40, freq="Q"), pd.period_range("2000Q1", periods=4, freq="Q")),
        (pd.period_range("1700", periods=40, freq="Y"), pd.period_range("1740", periods=4, freq="Y")),
        (pd.RangeIndex(40), pd.RangeIndex(40, 44)),
        (pd.RangeIndex(100, 180, 2), pd.RangeIndex(180, 188, 2)),
        # custom business days keep their days off: Good Friday and Easter Monday 2020, a Sun-Thu week
        (pd.bdate_range(end="2020-04-09", periods=40, freq="C", holidays=["2020-04-10", "2020-04-13"]),
         pd.DatetimeIndex(["2020-04-14", "2020-04-15", "2020-04-16", "2020-04-17"])),
        (pd.bdate_range("2024-01-07", periods=40, freq="C", weekmask="Sun Mon Tue Wed Thu"),
         pd.DatetimeIndex(["2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06"])),
        # business hours keep their opening times, not pandas' default 09:00-17:00 (the expected index is
        # pandas' own continuation of the grid)
        (pd.date_range("2024-01-01 08:00", periods=40, freq=pd.offsets.BusinessHour(start="08:00", end="12:00")),
         pd.DatetimeIndex(["2024-01-15 08:00", "2024-01-15 09:00", "2024-01-15 10:00", "2024-01-15 11:00"])),
        (pd.date_range("2024-01-01 08:00", periods=40, freq=CUSTOM_HOURS),
         pd.date_range("2024-01-01 08:00", periods=44, freq=CUSTOM_HOURS)[40:]),
    ],
    ids=["hourly", "month-start", "quarterly-period", "yearly-period", "range", "range-step-2", "holidays",
         "weekmask", "business-hours", "custom-business-hours"],
)
def test_forecast_from_a_new_history_gets_its_future_index(daily, index, expected):
    _, fc = daily
    y = pd.Series(seasonal(40), index=index)
    pred = fc.predict(y=y)
    if isinstance(expected, pd.DatetimeIndex):
        expected = expected.as_unit(index.unit)
    pd.testing.assert_index_equal(pred.index, expected, exact=True, check_names=False)
    assert getattr(pred.index, "freq", None) == getattr(index, "freq", None)


def test_offsets_without_a_string_of_their_own_are_continued_or_refused(daily):
    """Week() (no weekday) was stored as "W", read back as W-SUN: forecasts of a Monday series fell on Sundays
    13 days on. DateOffset(months=2) trained, then predict failed in pandas' to_offset."""
    _, fc = daily
    for freq in (pd.offsets.Week(), pd.DateOffset(months=2)):
        index = pd.date_range("2021-01-04", periods=44, freq=freq)
        pred = fc.predict(y=pd.Series(seasonal(40), index=index[:40]))
        pd.testing.assert_index_equal(pred.index, index[40:].as_unit(index.unit), check_exact=True, exact=False)
    with pytest.raises(ValueError, match="frequency <Easter.*cannot store to continue it"):
        SequenceForecaster(**TINY).fit(pd.Series(seasonal(30), index=pd.date_range("2000", periods=30,
                                                                                  freq=pd.offsets.Easter())))


def test_timezone_and_dataframe_targets_are_kept():
    idx = pd.date_range("2024-03-30", periods=120, freq="h", tz="Europe/Paris")
    y = pd.DataFrame({"a": seasonal(120), "b": seasonal(120, seed=1)}, index=idx)
    fc = SequenceForecaster(**ENSEMBLE).fit(y)
    pred = fc.predict()
    assert list(pred.columns) == ["a", "b"]
    pd.testing.assert_index_equal(pred.index, pd.date_range(idx[-1], periods=5, freq="h")[1:])
    assert str(pred.index.tz) == "Europe/Paris"


def test_numpy_in_numpy_out():
    y = seasonal(100)
    fc = SequenceForecaster(**TINY).fit(y)
    pred = fc.predict()
    assert isinstance(pred, np.ndarray) and pred.shape == (4,)
    two = SequenceForecaster(**TINY).fit(np.column_stack([y, -y]))
    assert two.predict().shape == (4, 2)
    assert two.n_targets_ == 2


# ---------------------------------------------------------------- quantiles
def test_the_point_forecast_of_quantiles_is_their_median():
    from seqtune._series import point_forecast

    outputs = np.array([[1.0, 2.0, 4.0]])
    assert point_forecast(outputs, (0.1, 0.5, 0.9))[0] == 2.0
    assert point_forecast(outputs[:, [0, 2]], (0.1, 0.9))[0] == 2.5  # was the first of the tied two, 1.0
    assert point_forecast(outputs, (0.2, 0.4, 0.9))[0] == pytest.approx(2.0 + 2.0 * 0.1 / 0.5)
    assert point_forecast(outputs, (0.7, 0.8, 0.9))[0] == 1.0  # all above the median: the nearest
    assert point_forecast(outputs[:, :1], None)[0] == 1.0


def test_a_band_without_its_median_is_scored_at_its_centre():
    """score() of quantiles=(0.1, 0.9) was the MASE of the 0.1 quantile, and the correction weight kept the
    band above the anchor (42% of airline's test year fell below the 0.1 quantile)."""
    y = pd.Series(seasonal(124), index=pd.period_range("2000-01", periods=124, freq="M"))
    fc = SequenceForecaster(**{**TINY, "quantiles": (0.1, 0.9)}).fit(y[:120])
    centre = fc.predict().to_numpy().mean(axis=1)
    assert fc.score(y[120:]) == pytest.approx(-np.mean(np.abs(centre - y[120:].to_numpy())) / fc.mase_scale_[0])


def test_quantile_forecasts_are_monotone_columns():
    y = pd.Series(seasonal(120), index=pd.period_range("2000-01", periods=120, freq="M"))
    fc = SequenceForecaster(**{**ENSEMBLE, "quantiles": (0.1, 0.5, 0.9)}).fit(y)
    pred = fc.predict()
    assert list(pred.columns) == ["q0.1", "q0.5", "q0.9"]
    pd.testing.assert_index_equal(pred.index, pd.period_range("2010-01", periods=4, freq="M"))
    values = pred.to_numpy()
    assert np.all(np.diff(values, axis=1) >= 0)
    assert fc.predict(y=y.to_numpy()).shape == (4, 3)
    after = pd.Series(seasonal(130)[120:], index=pd.period_range("2010-01", periods=10, freq="M"))
    assert -fc.score(after) > 0
    with pytest.raises(ValueError, match="y starts at 2010-03, but score compares.*starts at 2010-01"):
        fc.score(after[2:])
    naive = SeasonalNaiveForecaster(season=12).fit(y)  # the baseline's score checks the same
    assert -naive.score(after) > 0
    with pytest.raises(ValueError, match="y starts at 2010-03, but score compares.*starts at 2010-01"):
        naive.score(after[2:])


def test_pinball_loss_is_registered_for_safe_loading():
    import keras

    from seqtune._losses import PinballLoss

    loss = PinballLoss([0.1, 0.9])
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert isinstance(again, PinballLoss) and again.quantiles == [0.1, 0.9]
    # at q=0.5 the pinball loss is half the absolute error
    half = PinballLoss([0.5])(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]]))
    assert float(half) == pytest.approx(1.0)


# --------------------------------------------------------------- exogenous X
@pytest.fixture(scope="module")
def with_exog():
    idx = pd.date_range("2024-01-01", periods=124, freq="D")
    X = pd.DataFrame({"promo": (np.arange(124) % 7 == 0).astype(float)}, index=idx)
    y = pd.Series(seasonal(124) + 2 * X["promo"].to_numpy(), index=idx)
    fc = SequenceForecaster(**TINY).fit(y[:120], X[:120])
    return y, X, fc


def test_known_future_covariates(with_exog):
    y, X, fc = with_exog
    pred = fc.predict(X=X)  # a longer frame is aligned by index
    pd.testing.assert_index_equal(pred.index, y.index[120:], check_names=False)
    np.testing.assert_allclose(fc.predict(X=X.to_numpy()[120:]).to_numpy(), pred.to_numpy())
    assert fc.n_exog_ == 1


def test_missing_future_covariates_are_refused(with_exog):
    y, X, fc = with_exog
    with pytest.raises(ValueError, match="X is None.*1 exogenous feature"):
        fc.predict()
    with pytest.raises(ValueError, match="does not cover the forecast horizon.*2 of the 4"):
        fc.predict(X=X[:122])
    with pytest.raises(ValueError, match=r"X has 3 rows; expected 4"):
        fc.predict(X=X.to_numpy()[120:123])


def test_exogenous_frames_are_read_by_column_name(with_exog, tmp_path):
    y, X, _ = with_exog
    X2 = X.assign(temp=np.sin(np.arange(len(X)) / 5.0))
    fc = SequenceForecaster(**TINY).fit(y[:120], X2[:120])
    assert fc.exog_columns_ == ["promo", "temp"]
    expected = fc.predict(X=X2)
    pd.testing.assert_series_equal(fc.predict(X=X2[["temp", "promo"]]), expected)  # any column order
    pd.testing.assert_series_equal(fc.predict(X=X2.assign(extra=1.0)), expected)   # extra columns unused
    with pytest.raises(ValueError, match=r"X has no column\(s\) \['temp'\]; .*\['promo', 'temp'\]"):
        fc.predict(X=X2.rename(columns={"temp": "temperature"}))
    fc.save(tmp_path / "named.seqtune")
    pd.testing.assert_series_equal(seqtune.load(tmp_path / "named.seqtune").predict(X=X2[["temp", "promo"]]),
                                   expected)


def test_exogenous_x_of_the_wrong_length_is_refused_at_fit(with_exog):
    y, X, _ = with_exog
    with pytest.raises(ValueError, match=r"X has 100 rows; expected 120"):
        SequenceForecaster(**TINY).fit(y[:120].to_numpy(), X.to_numpy()[:100])
    with pytest.raises(ValueError, match="X does not cover the history of y"):
        SequenceForecaster(**TINY).fit(y[:120], X[10:120])
    # rows that cannot match y's time stamps at all are named for why, not listed as missing
    unlike = {
        "naive against a time zone": (y[:120].tz_localize("UTC"), X[:120], r"X's time stamps are naive but y's are "
                                      r"in time zone UTC; localize or convert"),
        "another kind of index": (y[:120].to_period(), X[:120], r"X is indexed by a DatetimeIndex but y by a "
                                  r"PeriodIndex"),
        "step numbers": (y[:120], X[:120].reset_index(drop=True), r"X is indexed by a RangeIndex but y by a "
                         r"DatetimeIndex"),
    }
    for case, (target, features, match) in unlike.items():
        with pytest.raises(ValueError, match=match):
            SequenceForecaster(**TINY).fit(target, features)
    with pytest.raises(TypeError, match=r"X holds values that are not numbers \(column\(s\) \['city'\]\).*get_dummies"):
        SequenceForecaster(**TINY).fit(y[:120], X[:120].assign(city="Paris"))


# ------------------------------------------------------------ several series
def test_list_of_series_trains_one_global_model():
    a = pd.Series(seasonal(80), index=pd.date_range("2024-01-01", periods=80, freq="D"))
    b = pd.Series(5 * seasonal(60, seed=3), index=pd.date_range("2024-03-01", periods=60, freq="D"))
    fc = SequenceForecaster(**TINY).fit([a, b])
    out = fc.predict()
    assert isinstance(out, list) and len(out) == 2
    assert out[0].index[0] == pd.Timestamp("2024-03-21") and out[1].index[0] == pd.Timestamp("2024-04-30")
    assert out[1].mean() > 2 * out[0].mean()  # each series keeps its own scale


def test_each_series_of_a_list_keeps_its_name(tmp_path):
    """Every forecast of a list of named Series carried the first one's name."""
    idx = pd.date_range("2024-01-01", periods=60, freq="D")
    named = [pd.Series(seasonal(60, seed=i), index=idx, name=name) for i, name in enumerate(["north", "south"])]
    fc = SequenceForecaster(**TINY).fit(named)
    assert [out.name for out in fc.predict()] == ["north", "south"]
    assert [out.name for out in fc.predict(y=named[::-1])] == ["south", "north"]
    fc.save(tmp_path / "fc.seqtune")
    assert [out.name for out in seqtune.load(tmp_path / "fc.seqtune").predict()] == ["north", "south"]


def test_a_short_series_that_cuts_everyones_automatic_lookback_is_named():
    long, short = seasonal(144), seasonal(14, seed=1)
    params = {**TINY, "lookback": "auto", "epochs": 1}
    with pytest.warns(UserWarning, match=r"y series 2 has only 14 time steps.*lookback of every series to 5 "
                                         r"steps \(the median series allows"):
        fc = SequenceForecaster(**params).fit([long, long, short])
    assert fc.lookback_ == 5
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="y series", category=UserWarning)
        SequenceForecaster(**params).fit([long, long[:130]])  # the shorter one leaves room for the lookback


def test_long_frame_with_id_column():
    frames = []
    for key, start in (("north", "2024-01-01"), ("south", "2024-01-05")):
        idx = pd.date_range(start, periods=60, freq="D", name="day")
        frames.append(pd.DataFrame({"store": key, "sales": seasonal(60, seed=len(frames))}, index=idx))
    long = pd.concat(frames)
    fc = SequenceForecaster(**TINY, id_column="store").fit(long)
    pred = fc.predict()
    assert list(pred.columns) == ["store", "sales"]
    assert pred.index.name == "day"
    assert pred.groupby("store").size().to_dict() == {"north": 4, "south": 4}
    assert pred.loc[pred.store == "south"].index[0] == pd.Timestamp("2024-03-05")
    # a row without an id was dropped by the grouping (with fill=, silently, its value interpolated over)
    gap = long.copy()
    gap.iloc[70, 0] = None
    for fill in (None, "interpolate"):
        with pytest.raises(ValueError, match=r"y's id_column 'store' is missing in 1 row\(s\) \(first at index "
                                             r"2024-01-15"):
            SequenceForecaster(**TINY, id_column="store", fill=fill).fit(gap)


def test_columns_of_one_name_are_refused():
    """Two target columns of one name (pd.concat of two series named alike) failed inside pandas."""
    idx = pd.date_range("2024-01-01", periods=60, freq="D")
    y = pd.concat([pd.Series(seasonal(60), index=idx, name="gdp"), pd.Series(seasonal(60, 1), index=idx, name="gdp")],
                  axis=1)
    with pytest.raises(ValueError, match=r"y has more than one column named \['gdp'\]; expected a name of its own"):
        SequenceForecaster(**TINY).fit(y)
    X = pd.DataFrame(np.ones((64, 2)), index=pd.date_range("2024-01-01", periods=64, freq="D"), columns=["t", "t"])
    with pytest.raises(ValueError, match=r"X has more than one column named \['t'\]"):
        SequenceForecaster(**TINY).fit(y.iloc[:, :1], X)


def test_tuple_and_time_stamp_labels_survive_predict_and_save(tmp_path):
    idx = pd.date_range("2024-01-01", periods=60, freq="D")
    # tuple ids of a long frame: predict wrote a tuple into the id column as a row's worth of values
    long = pd.concat([pd.DataFrame({"sid": [key] * 60, "v": seasonal(60, seed=seed)}, index=idx)
                      for seed, key in enumerate([("store", 1), ("store", 2)])])
    by_tuple = SequenceForecaster(**TINY, id_column="sid").fit(long)
    assert by_tuple.predict()["sid"].tolist() == [("store", 1)] * 4 + [("store", 2)] * 4
    assert by_tuple.predict(y=long[long.sid == ("store", 2)])["sid"].tolist() == [("store", 2)] * 4
    # save() stored tuple labels as lists (MultiIndex columns came back transposed) and refused a
    # Timestamp name (a row of a wide frame, df.loc[date])
    stamp = pd.Timestamp("2023-12-31", tz="Europe/Berlin")
    cases = {
        "multiindex columns": pd.DataFrame({("a", "x"): seasonal(60), ("a", "y"): seasonal(60, seed=1)}, index=idx),
        "tuple name": pd.Series(seasonal(60), index=idx, name=("a", "x")),
        "time stamp name": pd.Series(seasonal(60), index=idx, name=stamp),
        "tuple ids": long,
    }
    for case, y in cases.items():
        fc = by_tuple if case == "tuple ids" else SequenceForecaster(**TINY).fit(y)
        fc.save(tmp_path / "fc.seqtune")
        expected, loaded = fc.predict(), seqtune.load(tmp_path / "fc.seqtune").predict()
        if case == "multiindex columns":
            assert loaded.columns.tolist() == expected.columns.tolist() == [("a", "x"), ("a", "y")]
        elif case == "tuple ids":
            assert loaded["sid"].tolist() == expected["sid"].tolist()
        else:
            assert loaded.name == expected.name == y.name, case
            assert str(getattr(loaded.name, "tz", None)) == str(getattr(y.name, "tz", None))


# ------------------------------------------------------------------ scikit-learn
def test_changing_horizon_or_n_models_after_fit_is_refused_until_the_next_fit():
    """Found by an exploratory run: predict reshaped the fitted network's output by the new horizon."""
    y = seasonal(90)
    fc = SequenceForecaster(**TINY).fit(y)
    before = fc.predict()
    for change in ({"horizon": 6}, {"n_models": 3}):
        fc.set_params(**change)
        name, value = next(iter(change.items()))
        with pytest.raises(ValueError, match=rf"{name}={value} \(fitted with {TINY[name]}\) was set after fit"):
            fc.predict()
        with pytest.raises(ValueError, match="was set after fit"):
            fc.score(seasonal(94)[90:])
        fc.set_params(**{name: TINY[name]})
    np.testing.assert_array_equal(fc.predict(), before)
    assert fc.set_params(horizon=6).fit(y).predict().shape == (6,)


def test_without_early_stopping_every_window_trains():
    class Recording(SequenceForecaster):
        def _train(self, train, val, *args, **kwargs):
            self.windows_seen_ = (len(train[0]), None if val is None else len(val[0]))
            return super()._train(train, val, *args, **kwargs)

    y, n_windows = seasonal(90), 90 - TINY["lookback"] - TINY["horizon"] + 1
    assert Recording(**TINY, early_stopping=False).fit(y).windows_seen_ == (n_windows, None)
    trained, validated = Recording(**TINY, refit=False).fit(y).windows_seen_
    assert validated >= 1 and trained + validated < n_windows  # held out, and the overlap dropped


def test_a_smaller_correction_weight_must_err_clearly_less_on_validation():
    from seqtune._forecast_network import best_correction_weight

    predicted = np.ones((8, 3, 1, 1))  # scaled corrections of 1; the truth is a share of them
    assert best_correction_weight(predicted, np.zeros((8, 3, 1)), None) == 0.0
    assert best_correction_weight(predicted, np.full((8, 3, 1), 0.85), None) == 0.75  # 0.10 against 0.15
    assert best_correction_weight(predicted, np.full((8, 3, 1), 0.873), None) == 1.0  # 0.123 against 0.127
    quantiles = np.concatenate([predicted - 5, predicted, predicted + 5], axis=-1)  # scored by the median
    assert best_correction_weight(quantiles, np.zeros((8, 3, 1)), [0.1, 0.5, 0.9]) == 0.0


def test_corrections_that_worsen_the_anchor_on_validation_are_held_back():
    """An exact season: the seasonal-naive anchor makes no error, so whatever the network adds worsens it on
    the validation windows and "auto" keeps none of it (found on airline passengers, bench/RESULTS.md)."""
    y = np.tile([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], 20)
    auto = SequenceForecaster(**{**TINY, "normalize": "seasonal"}, season=6).fit(y)
    assert auto.correction_weight_ == 0.0
    np.testing.assert_allclose(auto.predict(), [3.0, 1.0, 4.0, 1.0])  # the anchor alone
    whole = SequenceForecaster(**{**TINY, "normalize": "seasonal"}, season=6, correction_weight=1.0).fit(y)
    assert whole.correction_weight_ == 1.0 and np.abs(whole.predict() - [3.0, 1.0, 4.0, 1.0]).max() > 1e-3
    # the weight survives saving
    assert pickle.loads(pickle.dumps(auto)).correction_weight_ == 0.0


def test_a_held_back_correction_moves_the_quantile_band_with_the_point_forecast():
    from seqtune._forecast_network import weigh_correction

    corrections = np.array([[-2.0, 1.0, 5.0]])  # scaled corrections of q0.1, q0.5, q0.9
    np.testing.assert_allclose(weigh_correction(corrections, 0.0, [0.1, 0.5, 0.9]), [[-3.0, 0.0, 4.0]])
    np.testing.assert_allclose(weigh_correction(corrections, 0.5, [0.1, 0.5, 0.9]), [[-2.5, 0.5, 4.5]])
    np.testing.assert_allclose(weigh_correction(corrections[:, 1:2], 0.25, None), [[0.25]])
    # end to end: "auto" keeps none of the correction; the band was the anchor, of zero width
    y = np.tile([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], 20)
    auto = SequenceForecaster(**{**TINY, "normalize": "seasonal"}, season=6, quantiles=(0.1, 0.5, 0.9)).fit(y)
    assert auto.correction_weight_ == 0.0
    forecast = np.asarray(auto.predict())
    np.testing.assert_allclose(forecast[:, 1], [3.0, 1.0, 4.0, 1.0], atol=1e-5)  # the median is the anchor
    assert (forecast[:, 2] - forecast[:, 0] > 1e-4).all()


def test_clone_and_grid_search_with_time_series_split():
    y = pd.Series(seasonal(90), index=pd.RangeIndex(90))
    fc = SequenceForecaster(lookback=8, horizon=4, units=3, epochs=1, n_models=1, random_state=0)
    assert clone(fc).get_params() == fc.get_params()
    search = GridSearchCV(fc, {"units": [2, 3]}, cv=TimeSeriesSplit(n_splits=2, test_size=8)).fit(y)
    assert set(search.cv_results_["param_units"]) == {2, 3}
    assert np.all(search.cv_results_["mean_test_score"] < 0)
    assert len(search.best_estimator_.predict()) == 4


def test_score_is_negative_mase_of_rolling_forecasts():
    y = seasonal(110)
    fc = SequenceForecaster(**{**TINY, "season": 12}).fit(y[:100])
    # one forecast of the whole held-out part: score is exactly -MASE of it
    assert fc.score(y[100:104]) == pytest.approx(-mase(y[100:104], fc.predict(), y[:100], season=12))
    # longer: forecasts every horizon steps, each from the true history (the last ends with y)
    held = y[100:110]
    parts = [fc.predict(y=y[:100]), fc.predict(y=y[:104]), fc.predict(y=y[:106])[2:]]
    expected = mase(held, np.concatenate(parts), y[:100], season=12)
    assert fc.score(held) == pytest.approx(-expected)


def test_the_default_forecast_of_a_seasonal_series_beats_the_naive_one():
    y = seasonal(300, period=12)
    train, test = y[:-12], y[-12:]
    fc = SequenceForecaster(lookback=24, horizon=12, units=16, epochs=15, n_models=1, random_state=0).fit(train)
    naive = NaiveForecaster().fit(train).predict(horizon=12)
    assert fc.season_ == 12
    assert mae(test, fc.predict()) < 0.6 * mae(test, naive)  # measured 0.17


@pytest.mark.slow  # about 35 s on 2 cores
def test_the_network_learns_a_seasonal_pattern_without_a_seasonal_anchor():
    y = seasonal(300, period=12)
    train, test = y[:-12], y[-12:]
    fc = SequenceForecaster(lookback=24, horizon=12, units=16, epochs=40, patience=40, n_models=2,
                            normalize="last", random_state=0).fit(train)
    naive = NaiveForecaster().fit(train).predict(horizon=12)
    assert mae(test, fc.predict()) < 0.6 * mae(test, naive)  # measured 0.14


def test_refit_trains_on_every_window_for_the_validated_epochs():
    y = seasonal(120)
    params = {**TINY, "epochs": 6, "patience": 2}
    fc = SequenceForecaster(**params).fit(y)
    val = fc.history_["val_loss"]
    assert fc.best_epoch_ == int(np.argmin(val)) + 1
    assert len(fc.history_["refit_loss"]) == fc.best_epoch_
    plain = SequenceForecaster(**params, refit=False).fit(y)
    assert "refit_loss" not in plain.history_
    # The refit model saw the validation tail, so its forecast differs.
    assert not np.allclose(fc.predict(), plain.predict())


def test_seasonal_normalisation_anchors_on_the_seasonal_naive_forecast():
    y = seasonal(100, period=12)
    fc = SequenceForecaster(**{**TINY, "horizon": 15, "lookback": 24}, normalize="seasonal", season=12).fit(y)
    _, anchor = fc._inputs(fc.tails_, 0)
    naive = SeasonalNaiveForecaster(season=12).fit(y).predict(horizon=15)
    np.testing.assert_allclose(anchor[0, :, 0], naive)
    assert np.all(np.isfinite(fc.predict()))


def test_drift_normalisation_anchors_on_the_seasonal_naive_forecast_plus_the_trend():
    from seqtune._windows import window_inputs

    def anchor(series, lookback, season):
        past = series[None, 36 - lookback:36, None]
        return window_inputs(past, np.zeros(1), np.ones(1), normalize="drift", season=season, horizon=15)[1][0, :, 0]

    t = np.arange(60.0)
    trended = 0.5 * t + np.sin(2 * np.pi * t / 12)
    np.testing.assert_allclose(anchor(trended, 24, 12), trended[36:51], atol=1e-9)  # two seasons: their means
    line = 0.5 * t
    np.testing.assert_allclose(anchor(line, 24, 1), line[36:51], atol=1e-9)  # no season: last minus first
    np.testing.assert_allclose(anchor(line, 18, 12), line[36:51], atol=1e-9)  # under two seasons: the same
    seasonal_only = np.sin(2 * np.pi * t / 12)
    np.testing.assert_allclose(anchor(seasonal_only, 24, 12), seasonal_only[36:51], atol=1e-9)  # no trend added
    fc = SequenceForecaster(**{**TINY, "horizon": 6}, normalize="drift").fit(seasonal(100) + np.arange(100.0))
    assert np.all(np.isfinite(fc.predict()))


def test_trend_normalisation_anchors_on_the_windows_line_and_mean_seasonal_profile():
    from seqtune._windows import window_anchor

    def anchor(series, lookback, season, horizon=15):
        past = series[None, 36 - lookback:36, None]
        return window_anchor(past, 0.0, normalize="trend", season=season, horizon=horizon)[1][0, :, 0]

    t = np.arange(60.0)
    # a line and a season of two harmonics continue exactly: the season does not tilt the fitted line
    steady = 0.5 * t + np.sin(2 * np.pi * t / 12) + np.cos(2 * np.pi * t / 4)
    for lookback in (24, 30, 36):
        np.testing.assert_allclose(anchor(steady, lookback, 12), steady[36:51], atol=1e-9)
    np.testing.assert_allclose(anchor(0.5 * t + 3, 20, 1), 0.5 * t[36:51] + 3, atol=1e-9)  # no season: the line
    # noise: the averaged profile and line forecast closer than one repeated season plus the drift
    rng = np.random.default_rng(0)
    noisy = steady[None, :] + rng.normal(scale=0.5, size=(200, 60))
    errors = {normalize: np.abs(window_anchor(noisy[:, 12:36, None], 0.0, normalize=normalize, season=12,
                                              horizon=12)[1][:, :, 0] - steady[36:48]).mean()
              for normalize in ("drift", "trend")}
    assert errors["trend"] < 0.9 * errors["drift"]  # measured: 0.82 of it
    # a window under two seasons falls back to the drift anchor
    np.testing.assert_allclose(anchor(steady, 18, 12), window_anchor(steady[None, 18:36, None], 0.0, normalize="drift",
                                                                     season=12, horizon=15)[1][0, :, 0])
    fc = SequenceForecaster(**{**TINY, "lookback": 24, "horizon": 6}, normalize="trend").fit(steady)
    assert fc.normalize_ == "trend" and np.all(np.isfinite(fc.predict()))


def test_auto_normalisation_takes_the_trend_only_where_it_forecasts_better():
    t = np.arange(150)
    noise = np.random.default_rng(0).normal(scale=0.1, size=150)
    cycle = np.sin(2 * np.pi * t / 12) + noise
    for y, expected in ((cycle + 0.3 * t, "drift"), (cycle, "seasonal")):
        fc = SequenceForecaster(**TINY)
        fc._prepare(y)  # decided from the windows, before any training
        assert fc.normalize_ == expected
    assert SequenceForecaster(**TINY, normalize="seasonal").fit(cycle + 0.3 * t).normalize_ == "seasonal"


def test_auto_normalisation_follows_the_recent_trend_past_an_old_downturn():
    """Like US nonfarm employment: steady growth, a two-year fall, steady growth again. Judged over every
    window, the fall's turning points outweighed the growth and "auto" dropped the trend (the naive
    forecast, 4.5x drift's error on four yearly backtest folds)."""
    t = np.arange(108)
    y = 100 + np.cumsum(np.where((t >= 12) & (t < 36), -2.0, 0.2))
    fc = SequenceForecaster(horizon=12)
    fc._prepare(y + np.random.default_rng(0).normal(scale=0.05, size=108))
    assert fc.normalize_ == "drift"


def test_linear_skip_only_when_windows_outnumber_its_weights():
    def skip(y, **params):  # the decision is made from the windows, before any training
        fc = SequenceForecaster(**TINY, **params)
        fc._prepare(y)
        return fc.linear_skip_

    assert skip(seasonal(80))  # 49 training windows, 12 * 4 = 48 weights
    assert not skip(seasonal(50))  # 25 training windows
    assert not skip(np.column_stack([seasonal(80), seasonal(80, period=6)]))  # 12 * 4 * 2 * 2 = 192 weights
    assert skip(seasonal(50), linear_skip=True) and not skip(seasonal(80), linear_skip=False)
    fitted = SequenceForecaster(**TINY).fit(seasonal(80))
    assert "linear_skip" in [layer.name for layer in fitted.model_.layers]
    assert "linear_skip" not in [layer.name for layer in SequenceForecaster(**TINY).fit(seasonal(50)).model_.layers]


def test_a_series_in_tiny_units_forecasts_like_the_same_series_in_unit_units():
    # a standard deviation under 1e-12 was taken for a constant series (scale 1): the network's
    # output was added in absolute units, 1e8 times the series, and score() called it excellent
    y = seasonal(80)
    unit = SequenceForecaster(**TINY).fit(y)
    tiny = SequenceForecaster(**TINY).fit(y * 1e-15)
    np.testing.assert_allclose(tiny.predict() / 1e-15, unit.predict(), rtol=1e-4)
    assert tiny.score(y[-40:] * 1e-15) == pytest.approx(unit.score(y[-40:]), rel=1e-4)


def test_numpy_integer_sizes_from_a_grid():
    fc = SequenceForecaster(**{**TINY, "horizon": np.int64(3), "n_models": np.int64(2)}).fit(seasonal(60))
    assert fc.predict().shape == (3,)


def test_same_seed_same_forecast():
    y = seasonal(80)
    a = SequenceForecaster(**TINY).fit(y).predict()
    b = SequenceForecaster(**TINY).fit(y).predict()
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ persistence
def test_pickle_joblib_save_load_identical(with_exog, tmp_path):
    y, X, fc = with_exog
    expected = fc.predict(X=X)
    for again in (pickle.loads(pickle.dumps(fc)), joblib.load(joblib.dump(fc, tmp_path / "f.joblib")[0])):
        pd.testing.assert_series_equal(again.predict(X=X), expected)
    fc.save(tmp_path / "fc.seqtune")
    loaded = seqtune.load(tmp_path / "fc.seqtune")
    assert type(loaded) is SequenceForecaster and loaded.get_params() == fc.get_params()
    pd.testing.assert_series_equal(loaded.predict(X=X), expected)
    pickle.loads(pickle.dumps(SequenceForecaster()))  # unfitted too


def test_quantile_forecaster_saves_and_loads(tmp_path):
    y = seasonal(150)  # 27 validation windows: calibrated
    fc = SequenceForecaster(**{**ENSEMBLE, "quantiles": (0.2, 0.8)}).fit(y)
    fc.save(tmp_path / "q.seqtune")
    loaded = seqtune.load(tmp_path / "q.seqtune")
    assert loaded.quantiles == (0.2, 0.8)
    np.testing.assert_array_equal(loaded.quantile_shift_, fc.quantile_shift_)
    np.testing.assert_array_equal(loaded.predict(), fc.predict())


def test_quantile_calibration_hits_the_levels_on_the_validation_windows():
    from sklearn.base import clone

    y = seasonal(300, seed=3)
    levels = (0.1, 0.5, 0.9)
    # refit=False: the network that predicts is the one whose validation windows set the shifts.
    fc = SequenceForecaster(**{**TINY, "quantiles": levels, "refit": False}).fit(y)
    assert fc.quantile_shift_.shape == (4, 1, 3)
    twin = clone(fc)
    _, (x_val, y_val), _ = twin._prepare(y)  # the same validation windows, without training
    twin.model_ = fc.model_
    shift = fc.quantile_shift_[:, 0]  # (step, quantile)
    # bands only widen, the median stays
    assert np.all(shift[:, 0] <= 0) and np.all(shift[:, 1] == 0) and np.all(shift[:, 2] >= 0)
    assert np.any(shift != 0)
    actual = y_val[:, :4].reshape(len(x_val), 4, 1)
    below = (actual[..., None] <= twin._scaled_outputs(x_val) + fc.quantile_shift_).mean(axis=0)[:, 0]
    tolerance = 1.5 / len(x_val)  # np.quantile interpolates between validation windows
    moved = shift != 0
    # where a quantile moved, its share of validation outcomes below it is its level ...
    np.testing.assert_allclose(below[moved], np.broadcast_to(levels, below.shape)[moved], atol=tolerance)
    # ... and elsewhere it was already wide enough
    assert np.all(below[:, 0][~moved[:, 0]] <= 0.1 + tolerance)
    assert np.all(below[:, 2][~moved[:, 2]] >= 0.9 - tolerance)
    raw = SequenceForecaster(**{**TINY, "quantiles": levels, "refit": False, "calibrate_quantiles": False}).fit(y)
    assert not hasattr(raw, "quantile_shift_")
    # the same network (same seed): forecasts differ by the shifts, in the series' units (kept in order)
    expected = np.sort(raw.predict() + fc.quantile_shift_[:, 0] * fc.scale_[0], axis=1)
    np.testing.assert_allclose(fc.predict(), expected, atol=1e-5)
    assert not np.allclose(fc.predict(), raw.predict(), atol=1e-3)


def test_linear_skip_loads_in_safe_mode(tmp_path):
    fc = SequenceForecaster(**TINY, linear_skip=True).fit(seasonal(80))
    fc.save(tmp_path / "skip.seqtune")
    loaded = seqtune.load(tmp_path / "skip.seqtune")  # safe mode: no Lambda layers to refuse
    assert loaded.linear_skip_
    np.testing.assert_array_equal(loaded.predict(), fc.predict())


# ----------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"horizon": 0}, ValueError, r"horizon must be an int >= 1; got 0"),
        ({"horizon": 2.5}, TypeError, r"horizon must be an int"),
        ({"cell": "rnn"}, ValueError, r"cell='rnn' is not one of \('lstm', 'gru'\)"),
        ({"quantiles": (0.1, 1.2)}, ValueError, r"quantiles must lie strictly between 0 and 1.*1.2"),
        ({"quantiles": (0.9, 0.1)}, ValueError, r"quantiles must be strictly increasing; got \[0.9, 0.1\]"),
        ({"quantiles": "0.5"}, TypeError, r"quantiles must be a non-empty sequence"),
        ({"lookback": 0}, ValueError, r"lookback must be an int >= 1"),
        ({"n_models": 0}, ValueError, r"n_models must be an int >= 1"),
        ({"fill": "zero"}, ValueError, r"fill='zero' is not one of \('ffill', 'interpolate'\)"),
        ({"normalize": "max"}, ValueError, r"normalize='max' is not one of"),
        ({"refit": "yes"}, TypeError, r"refit must be True or False"),
        ({"correction_weight": "Auto"}, ValueError, r"correction_weight must be 'auto' or a float in \[0, 1\]"),
        ({"correction_weight": 1.5}, ValueError, r"correction_weight must be in \[0, 1\]; got 1.5"),
    ],
)
def test_bad_parameters_are_refused_at_fit(params, error, match):
    fc = SequenceForecaster(**{**TINY, **params})  # __init__ only stores
    with pytest.raises(error, match=match):
        fc.fit(seasonal(60))


def test_series_too_short():
    with pytest.raises(ValueError, match=r"y has 10 time steps; expected at least lookback \+ horizon = 12 \+ 4 = 16"):
        SequenceForecaster(**TINY).fit(seasonal(10))
    # a lookback the user never set is explained as the automatic one
    with pytest.raises(ValueError, match=r"= 1 \+ 12 = 13 .*with the automatic lookback, 1 here.*shorter horizon, or"):
        SequenceForecaster(**{**TINY, "lookback": "auto", "horizon": 12}).fit(seasonal(10))


def test_a_series_of_one_or_two_time_stamps_is_too_short_not_a_numerical_error():
    """One point raised LinAlgError from season detection; two gave advice on frequencies."""
    one = pd.Series([3.0], index=pd.date_range("2020-01-01", periods=1, freq="D"))
    with pytest.raises(ValueError, match=r"y has 1 time steps; expected at least lookback \+ horizon"):
        SequenceForecaster(**{**TINY, "lookback": "auto", "horizon": 1}).fit(one)
    two = pd.Series([3.0, 4.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02"]))
    with pytest.raises(ValueError, match=r"y has 2 time stamp\(s\): too few .*a forecaster needs a longer"):
        SequenceForecaster(**{**TINY, "lookback": "auto", "horizon": 1}).fit(two)


def test_a_bool_column_is_read_as_a_bool_series_is():
    flags = np.sin(np.arange(80) / 3) > 0
    params = {**TINY, "n_models": 1, "epochs": 1}
    frame = SequenceForecaster(**params).fit(pd.DataFrame({"open": flags})).predict()
    series = SequenceForecaster(**params).fit(pd.Series(flags, name="open")).predict()
    np.testing.assert_allclose(frame["open"].to_numpy(), series.to_numpy())


def test_a_time_column_is_pointed_to_the_index():
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=60), "sales": seasonal(60)})
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['date'\].*make the time column the index: "
                                        r"\.set_index\('date'\)"):
        SequenceForecaster(**TINY).fit(frame)


def test_nan_in_target_is_refused_or_filled():
    idx = pd.date_range("2024-01-01", periods=60, freq="D")
    y = pd.Series(seasonal(60), index=idx)
    y.iloc[[5, 6]] = np.nan
    with pytest.raises(ValueError, match=r"y contains 2 NaN value\(s\) \(first at 2024-01-06.*fill='ffill' or fill='interpolate'"):
        SequenceForecaster(**TINY).fit(y)
    fc = SequenceForecaster(**TINY, fill="interpolate").fit(y)
    assert np.all(np.isfinite(fc.predict()))
    np.testing.assert_allclose(fc.tails_[0, :, 0], y.to_numpy()[-12:])


def test_the_rows_of_a_table_given_as_lists_are_read_as_series_with_a_warning():
    """array.tolist() of a (steps, targets) table was silently read as one short series a row."""
    from seqtune._series import read_target

    table = np.column_stack([seasonal(40), seasonal(40, seed=1)])
    with pytest.warns(UserWarning, match=r"list of 40 lists of 2 values each.*pass np.asarray\(y\)"):
        assert len(read_target(table.tolist()).values) == 40
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a few long series as lists are what the list form is for
        assert len(read_target([seasonal(40).tolist(), seasonal(40, seed=1).tolist()]).values) == 2


def test_values_whose_squares_overflow_are_refused():
    """1e160 trained silently and forecast NaN: the series' spread, which scales it, was infinite."""
    y = pd.Series(seasonal(60) * 1e160, index=pd.date_range("2024-01-01", periods=60, freq="D"))
    with pytest.raises(ValueError, match=r"y holds values beyond \+-1e\+150 .*Rescale them"):
        SequenceForecaster(**TINY).fit(y)
    fc = SequenceForecaster(**TINY).fit(y / 1e155)
    assert np.all(np.isfinite(fc.predict()))


@pytest.mark.parametrize(
    "index, match",
    [
        (pd.date_range("2024-01-01", periods=60, freq="D")[::-1], r"y has an unsorted index.*sort_index"),
        (pd.DatetimeIndex(["2024-01-01"] * 2).append(pd.date_range("2024-01-02", periods=58)),
         r"y has a duplicated index"),
        (pd.date_range("2024-01-01", periods=61, freq="D").delete(30),
         r"y skips 1 time step\(s\) of its D grid \(first missing: 2024-01-31.*fill='interpolate'"),
        (pd.date_range("1950-01-01", periods=61, freq="MS").delete(50),  # months differ in length
         r"y skips 1 time step\(s\) of its MS grid \(first missing: 1954-03-01.*y.asfreq\('MS'\)"),
        (pd.DatetimeIndex(np.cumsum([0, *range(1, 60)]) * pd.Timedelta("1h") + pd.Timestamp("2024-01-01")),
         r"none can be inferred: its timestamps lie on no regular grid"),
        (pd.Index(np.r_[0:30, 31:61]), r"numeric index with uneven steps.*only on a DatetimeIndex or PeriodIndex"),
        # NaT sorts last: it was called "unsorted", and sort_index() did not mend it
        (pd.date_range("2024-01-01", periods=60, freq="D").insert(30, pd.NaT).delete(31),
         r"y's index has a missing time stamp \(NaT\) at position 30"),
    ],
    ids=["unsorted", "duplicated", "gap", "monthly-gap", "irregular", "integer-gap", "nat"],
)
def test_bad_index_is_refused(index, match):
    with pytest.raises(ValueError, match=match):
        SequenceForecaster(**TINY).fit(pd.Series(seasonal(60), index=index))


def test_fill_inserts_the_steps_a_datetime_index_skips():
    index = pd.date_range("1950-01-01", periods=73, freq="MS")
    y = pd.Series(seasonal(73), index=index).drop(index[[30, 31, 50]])
    X = pd.DataFrame({"x": np.arange(73.0)}, index=index).drop(index[[31, 60]])  # its own gaps
    X_future = pd.DataFrame({"x": np.arange(73.0, 77.0)}, index=pd.date_range("1956-02-01", periods=4, freq="MS"))
    fc = SequenceForecaster(**TINY, fill="interpolate").fit(y, X)
    assert fc.target_meta_["index"][0]["freq"] == "MS"
    pred = fc.predict(X=pd.concat([X, X_future]))
    pd.testing.assert_index_equal(pred.index, X_future.index, check_names=False)
    # the gap is filled between its neighbours
    filled = pd.Series(seasonal(73), index=index)
    filled.iloc[[30, 31, 50]] = np.nan
    np.testing.assert_allclose(fc.tails_[0, :, 0], filled.interpolate().to_numpy()[-12:])


def test_too_few_training_windows_are_announced():
    with pytest.warns(UserWarning, match=r"y gives only 3 training window\(s\) of lookback 1 \+ horizon 12"):
        SequenceForecaster(**{**TINY, "horizon": 12, "lookback": "auto"}).fit(seasonal(15))


@pytest.mark.parametrize("dtype", ["int64", "float64"])  # statsmodels' Nile data has float years
def test_a_year_column_left_among_the_targets_is_pointed_out(dtype):
    nile = pd.DataFrame({"year": np.arange(1871, 1971).astype(dtype), "volume": 1000 + 100 * seasonal(100)})
    with pytest.warns(UserWarning, match=r"column 'year' counts up by 1 every row.*y.set_index\('year'\)"):
        SequenceForecaster(**TINY).fit(nile)


def test_nullable_columns_with_missing_values_are_filled():
    frame = pd.DataFrame({"a": seasonal(60), "b": seasonal(60) * 2}).astype("Float64")
    frame.loc[[5, 9], "a"] = pd.NA  # several nullable columns: NumPy sees objects and pd.NA
    with pytest.raises(ValueError, match=r"y contains 2 NaN value\(s\)"):
        SequenceForecaster(**TINY).fit(frame)
    fc = SequenceForecaster(**TINY, fill="interpolate").fit(frame)
    assert np.all(np.isfinite(fc.predict().to_numpy(dtype=float)))


def test_a_period_index_of_several_months_a_step_continues():
    y = pd.Series(seasonal(60), index=pd.period_range("2000-01", periods=60, freq="2M"))
    pred = SequenceForecaster(**TINY).fit(y).predict()
    assert pred.index[0] == pd.Period("2010-01", freq="2M") and pred.index[1] == pd.Period("2010-03", freq="2M")


def test_the_season_fits_in_the_lookback():
    # Two cycles of 40 steps in 84: the longest automatic lookback is (84 - 10) // 2 = 37 steps,
    # so a season of 40 could anchor no window; the detected season stays within the lookback.
    t = np.arange(84)
    y = np.sin(2 * np.pi * t / 40) + 0.05 * np.random.default_rng(0).normal(size=84)
    fc = SequenceForecaster(**{**TINY, "lookback": "auto", "season": "auto", "horizon": 10}).fit(y)
    assert fc.season_ <= fc.lookback_ <= 37
    with pytest.warns(UserWarning, match=r"season=40 is longer than lookback=20.*normalize='last'"):
        SequenceForecaster(**{**TINY, "lookback": 20, "season": 40, "horizon": 10}).fit(y)


@pytest.mark.parametrize("date_format", ["%Y-%m-%d", "%m/%d/%Y"])  # ISO sorts as text; US dates do not
def test_dates_as_strings_get_a_conversion_hint_not_a_sorting_one(date_format):
    index = pd.date_range("2020-09-01", periods=60, freq="D").strftime(date_format)  # read_csv without parse_dates
    first = index[0]
    with pytest.raises(TypeError, match=rf"index of strings \(e.g. '{first}'\).*y.index = pd.to_datetime\(y.index\)"):
        SequenceForecaster(**TINY).fit(pd.Series(seasonal(60), index=index))


def test_period_index_with_gaps_is_filled_on_request():
    index = pd.period_range("2000-01", periods=72, freq="M")
    y = pd.Series(seasonal(72), index=index).drop(index[[20, 21, 40]])
    with pytest.raises(ValueError, match=r"PeriodIndex with gaps.*fill='interpolate'.*pd.period_range"):
        SequenceForecaster(**TINY).fit(y)
    fc = SequenceForecaster(**TINY, fill="interpolate").fit(y)
    pd.testing.assert_index_equal(fc.predict().index, pd.period_range("2006-01", periods=4, freq="M"))


def test_monthly_values_stamped_mid_month_get_the_to_period_hint():
    y = pd.Series(seasonal(60), index=pd.date_range("2000-01-01", periods=60, freq="MS") + pd.Timedelta(days=14))
    with pytest.raises(ValueError, match=r"y.to_period\('M'\)"):
        SequenceForecaster(**TINY).fit(y)
    fc = SequenceForecaster(**TINY).fit(y.to_period("M"))
    assert str(fc.predict().index[0]) == "2005-01"


def test_predict_errors(daily):
    y, fc = daily
    with pytest.raises(ValueError, match=r"horizon=5 is more than the 4 steps this model forecasts"):
        fc.predict(horizon=5)
    with pytest.raises(ValueError, match=r"y has 5 time steps; expected at least lookback=12"):
        fc.predict(y=y[:5])
    with pytest.raises(ValueError, match=r"y has 2 target column\(s\); this model was fitted on 1"):
        fc.predict(y=np.ones((20, 2)))
    with pytest.raises(ValueError, match="fitted without exogenous features"):
        fc.predict(X=np.ones((4, 1)))
    with pytest.raises(TypeError, match=r"y has dtype <U1.*expected numbers"):
        SequenceForecaster(**TINY).fit(np.array(list("abcdefghijklmnopqrstuvwxyz")))


def test_unfitted_predict_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SequenceForecaster().predict()


# ------------------------------------------------------------- real data (slow)
@pytest.mark.slow
def test_beats_seasonal_naive_on_sunspots():
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.sunspots.load_pandas().data
    y = pd.Series(data.SUNACTIVITY.to_numpy(), index=pd.period_range("1700", periods=len(data), freq="Y"))
    train, test = y[:-30], y[-30:]
    fc = SequenceForecaster(horizon=30, random_state=0).fit(train)
    naive = SeasonalNaiveForecaster(season=11).fit(train).predict(horizon=30)
    ours = mase(test, fc.predict(), train, season=11)
    assert ours < mase(test, naive, train, season=11)


@pytest.mark.slow
def test_beats_seasonal_naive_on_seattle_hourly_temperatures():
    vega = pytest.importorskip("vega_datasets")
    y = vega.local_data.seattle_temps().set_index("date")["temp"].asfreq("h")
    days = 7
    train = y[: -24 * days]
    fc = SequenceForecaster(horizon=24, fill="interpolate", random_state=0).fit(train)
    naive = SeasonalNaiveForecaster(season=24, fill="interpolate").fit(train)
    ours, base = [], []
    for d in range(days):
        history = y[: len(train) + 24 * d]
        actual = y[len(history): len(history) + 24]
        scale_train = train.interpolate()
        ours.append(mase(actual, fc.predict(y=history), scale_train, season=24))
        base.append(mase(actual, naive.predict(horizon=24, y=history), scale_train, season=24))
    assert np.mean(ours) < np.mean(base)


def test_an_index_of_date_objects_is_refused_with_the_conversion():
    import datetime

    days = pd.Index([datetime.date(2000, 1, d) for d in range(1, 31)], dtype=object)
    with pytest.raises(TypeError, match=r"holds dates as objects.*y.index = pd.to_datetime\(y.index\)"):
        SequenceForecaster(**TINY).fit(pd.Series(np.arange(30.0), index=days))


def test_a_history_at_another_frequency_warns_at_predict():
    """Found by an exploratory run: a monthly model forecast a weekly history's weeks without a word."""
    import warnings

    values = seasonal(90)
    fc = SequenceForecaster(**TINY).fit(pd.Series(values, index=pd.date_range("2000-01-01", periods=90, freq="MS")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # months as periods are the same steps
        fc.predict(y=pd.Series(values, index=pd.period_range("2000-01", periods=90, freq="M")))
    weekly = pd.Series(values, index=pd.date_range("2000-01-02", periods=90, freq="W-SUN"))
    with pytest.warns(UserWarning, match="y is sampled at frequency W-SUN, but this model was fitted on series at MS"):
        forecast = fc.predict(y=weekly)
    assert forecast.index.freqstr == "W-SUN"


def test_a_fit_that_fails_leaves_the_forecaster_as_it_was(daily):
    y, fc = daily
    fc = clone(fc).fit(y)
    before = fc.predict()
    broken = y.copy()
    broken.iloc[40] = np.nan
    with pytest.raises(ValueError, match="missing"):
        fc.fit(broken)
    pd.testing.assert_series_equal(fc.predict(), before)


def test_target_columns_are_matched_by_name_at_predict_and_score():
    index = pd.date_range("2024-01-01", periods=120, freq="D")
    frame = pd.DataFrame({"small": seasonal(120), "large": 1000 + 100 * seasonal(120, seed=1)}, index=index)
    fc = SequenceForecaster(**TINY).fit(frame[:110])
    pd.testing.assert_frame_equal(fc.predict(y=frame[["large", "small"]]), fc.predict(y=frame))
    assert fc.score(frame[110:][["large", "small"]]) == fc.score(frame[110:])
    with pytest.raises(ValueError, match=r"target columns \['x', 'y'\].*fitted on \['small', 'large'\]"):
        fc.predict(y=frame.set_axis(["x", "y"], axis=1))
    # NumPy has no names: columns are positions, as in fit
    assert fc.predict(y=frame.to_numpy()).shape == (4, 2)


def test_a_float_time_index_aligns_future_covariates_despite_rounding():
    t = np.arange(110) * 0.1  # X's label 10.100000000000001 is the forecast step 10.0 + 0.1
    X = pd.DataFrame({"u": np.cos(np.arange(110) / 4)}, index=t)
    y = pd.Series(seasonal(110), index=t)
    fc = SequenceForecaster(**TINY).fit(y[:100], X[:100])
    pred = fc.predict(X=X)
    np.testing.assert_allclose(pred.index.to_numpy(), t[100:104])
    with pytest.raises(ValueError, match="does not cover the forecast horizon"):
        fc.predict(X=X.iloc[:102])
    # without covariates the labels carry the step's digits, not float error (12.200000000000001)
    tenths = pd.Series(seasonal(122), index=np.round(np.arange(122) * 0.1, 10))
    assert SequenceForecaster(**TINY).fit(tenths).predict().index.tolist() == [12.2, 12.3, 12.4, 12.5]


def test_predict_warns_when_the_history_looks_like_another_series(daily):
    y, fc = daily
    with pytest.warns(UserWarning, match=r"y looks unlike the training series.*fit on it"):
        fc.predict(y=y / 100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # its own history, and its continuation, do not warn
        fc.predict(y=y)
        fc.predict(y=y.iloc[-40:] + 0.5)


def test_xla_is_chosen_by_the_work_of_one_member():
    """XLA's compilation grows with the ensemble's members, as the time it saves a batch does: the work of one
    member decides. Counted with its 5 members, a series of sunspots' size was compiled, and its whole default
    fit ran 1.23x slower than without XLA (bench/bench_forecast_xla.py)."""
    import keras

    from seqtune._forecast_data import FORECAST_JIT_MIN_WORK
    from seqtune._fused_rnn import _tensorflow_on_cpu

    if keras.backend.backend() != "tensorflow" or not _tensorflow_on_cpu():
        pytest.skip("'auto' compiles by the work on TensorFlow without a GPU")
    y = seasonal(300)
    fc = SequenceForecaster(horizon=12, lookback=24, random_state=0)
    train = fc._prepare(y)[0][0]
    steps_a_member = len(train) * train.shape[1] * fc.epochs
    assert steps_a_member < FORECAST_JIT_MIN_WORK < steps_a_member * fc.n_models
    assert not fc.jit_compiled_
    fc.set_params(epochs=int(np.ceil(1.2 * FORECAST_JIT_MIN_WORK / (len(train) * train.shape[1]))))._prepare(y)
    assert fc.jit_compiled_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_refit_trains_the_same_network_again_from_its_first_state(monkeypatch):
    """The refit restarts the early-stopped network from the weights, dropout seeds and optimizer state it was
    built with, so its traced (or XLA-compiled) train step is reused (bench/bench_forecast_refit.py); it trains
    exactly what a new network of the same seed trains on every window."""
    y = seasonal(120)
    options = dict(lookback=12, horizon=4, units=4, n_models=2, jit_compile=False, random_state=0)
    built = []
    new_model = SequenceForecaster._new_model
    monkeypatch.setattr(SequenceForecaster, "_new_model", lambda self, n: built.append(n) or new_model(self, n))
    fc = SequenceForecaster(**options, epochs=8, patience=2).fit(y)
    assert len(built) == 1 and "refit_loss" in fc.history_
    again = SequenceForecaster(**options, epochs=fc.best_epoch_, early_stopping=False,
                               correction_weight=fc.correction_weight_).fit(y)
    assert again.history_["loss"] == fc.history_["refit_loss"]
    for refit, fresh in zip(fc.model_.get_weights(), again.model_.get_weights()):
        np.testing.assert_array_equal(refit, fresh)
    np.testing.assert_array_equal(np.asarray(fc.predict()), np.asarray(again.predict()))
