"""seqtune.metrics and seqtune.baselines: values checked by hand, clear errors, the backtest."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from seqtune.baselines import NaiveForecaster, SeasonalNaiveForecaster
from seqtune.forecasting import SequenceForecaster
from seqtune.metrics import backtest, coverage, mae, mase, pinball_loss, rmse, smape


# ----------------------------------------------------------------------- metrics
def test_point_metrics_by_hand():
    y, p = [1.0, 2.0, 4.0], [2.0, 2.0, 1.0]
    assert mae(y, p) == pytest.approx(4 / 3)
    assert rmse(y, p) == pytest.approx(np.sqrt(10 / 3))
    assert smape(y, p) == pytest.approx(100 * np.mean([2 / 3, 0, 6 / 5]))
    assert smape([0.0, 1.0], [0.0, 1.0]) == 0.0  # 0/0 counts as no error
    assert mae(pd.Series(y), np.array(p).reshape(-1, 1)) == pytest.approx(4 / 3)


def test_mase_scales_by_the_seasonal_naive_error():
    train = np.array([1.0, 5.0, 2.0, 6.0, 3.0, 7.0])
    # naive (lag 1) in-sample error: mean |diff| = 4 - ... = (4+3+4+3+4)/5 = 3.6
    assert mase([10.0, 10.0], [9.0, 12.0], train) == pytest.approx(1.5 / 3.6)
    # lag 2: differences are all 1
    assert mase([10.0, 10.0], [9.0, 12.0], train, season=2) == pytest.approx(1.5)
    # several columns: each scaled by its own training error, then averaged
    two = np.column_stack([train, 2 * train])
    value = mase(np.array([[10.0, 20.0]]), np.array([[9.0, 18.0]]), two, season=2)
    assert value == pytest.approx(np.mean([1 / 1, 2 / 2]))


def test_pinball_and_coverage_by_hand():
    y = np.array([0.0, 10.0])
    q = np.array([[1.0, 2.0], [8.0, 12.0]])  # quantiles 0.1 and 0.9
    # y=0: q0.1=1 -> 0.9*1; q0.9=2 -> 0.1*2 ; y=10: q0.1=8 -> 0.1*2; q0.9=12 -> 0.1*2
    assert pinball_loss(y, q, [0.1, 0.9]) == pytest.approx(np.mean([0.9, 0.2, 0.2, 0.2]))
    assert pinball_loss(y, np.zeros((2, 1)), [0.5]) == pytest.approx(mae(y, [0, 0]) / 2)
    assert coverage(y, q[:, 0], q[:, 1]) == 0.5
    # a (n, n_targets * n_quantiles) table as predict returns for several targets
    two = np.column_stack([y, y])
    assert pinball_loss(two, np.column_stack([q, q]), [0.1, 0.9]) == pytest.approx(0.375)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mae([1, 2], [1, 2, 3]), r"y_true has shape \(2,\) but y_pred has shape \(3,\)"),
        (lambda: rmse([1, np.nan], [1, 2]), "y_true contains NaN"),
        (lambda: mase([1], [1], [3, 3, 3]), r"MASE scale is 0"),
        (lambda: mase([1], [1], [1, 2], season=2), r"expected more than season=2"),
        (lambda: pinball_loss([1, 2], [[1, 2], [1, 2]], [0.5, 1.5]), "strictly between 0 and 1"),
        (lambda: pinball_loss([1, 2], [1, 2], [0.1, 0.9]), r"expected \(2, 2\)"),
        (lambda: coverage([1, 2], [3, 3], [0, 0]), "lower is above upper"),
    ],
)
def test_metric_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------- baselines
def test_seasonal_naive_repeats_the_last_season_with_the_future_index():
    y = pd.Series([1.0, 2, 3, 1, 2, 3, 1, 2], index=pd.date_range("2024-01-01", periods=8, freq="MS"))
    fc = SeasonalNaiveForecaster(season=3).fit(y)
    pred = fc.predict(horizon=4)
    assert pred.tolist() == [3.0, 1.0, 2.0, 3.0]
    pd.testing.assert_index_equal(pred.index, pd.date_range("2024-09-01", periods=4, freq="MS").as_unit(y.index.unit))
    assert NaiveForecaster().fit(y).predict(horizon=2).tolist() == [2.0, 2.0]
    assert clone(NaiveForecaster(fill="ffill")).get_params() == {"fill": "ffill", "id_column": None}


def test_baselines_detect_the_season_and_take_many_forms():
    t = np.arange(96)
    y = np.sin(2 * np.pi * t / 12) + 0.01 * np.random.default_rng(0).normal(size=96)
    fc = SeasonalNaiveForecaster().fit(y)
    assert fc.season_ == 12
    np.testing.assert_allclose(fc.predict(horizon=12), y[-12:])
    out = SeasonalNaiveForecaster(season=2).fit([y[:50], y[:60]]).predict(horizon=3)
    assert isinstance(out, list) and [len(o) for o in out] == [3, 3]
    long = pd.DataFrame({"id": ["a"] * 5 + ["b"] * 5, "v": np.arange(10.0)},
                        index=pd.RangeIndex(5).append(pd.RangeIndex(5)))
    pred = NaiveForecaster(id_column="id").fit(long).predict(horizon=2)
    assert pred["v"].tolist() == [4.0, 4.0, 9.0, 9.0] and pred.index.tolist() == [5, 6, 5, 6]
    assert NaiveForecaster().fit(y).predict(horizon=1, y=np.array([7.0, 8.0])).tolist() == [8.0]


def test_season_prefers_a_nearly_as_strong_divisor_of_the_highest_peak():
    from seqtune._seasonality import autocorrelation, dominant_period

    t = np.arange(480)
    y = (np.sin(2 * np.pi * t / 12) + 0.4 * np.sin(2 * np.pi * t / 48)).reshape(-1, 1)
    acf = autocorrelation(y[:, 0] - y.mean(), 60)
    assert acf[48] > acf[12] > 0.9 * acf[48]  # the longer lag is the highest peak, the annual one nearly as high
    assert dominant_period([y], 128) == 12
    # a weak shorter cycle does not take over from a strong longer one
    z = (np.sin(2 * np.pi * t / 24) + 0.3 * np.sin(2 * np.pi * t / 6)).reshape(-1, 1)
    assert dominant_period([z], 128) == 24


def test_a_broad_seasonal_peak_is_not_placed_a_step_short():
    from seqtune._seasonality import dominant_period

    # a noisy daily cycle of 48 half-hours: the biased autocorrelation's taper put its peak at 47
    t = np.arange(600)
    noisy = np.sin(2 * np.pi * t / 48) + np.random.default_rng(0).normal(0, 0.3, 600)
    assert dominant_period([noisy[:, None]], 128) == 48
    assert SeasonalNaiveForecaster().fit(noisy).season_ == 48


def test_no_season_in_noise_trends_or_a_slowly_falling_autocorrelation():
    from seqtune._seasonality import dominant_period

    rng = np.random.default_rng(0)
    for _ in range(20):  # white noise: before the correction for testing every lag, most showed a "season"
        assert dominant_period([rng.normal(size=(200, 1))], 128) == 1
    t = np.arange(36.0)
    sales = (100 + 3 * t + 0.4 * t**2 + 40 * rng.normal(size=36)).reshape(-1, 1)  # short, trending
    assert dominant_period([sales], 128) == 1
    # daily temperatures over four years: the annual cycle is longer than the lags searched, and
    # the autocorrelation falls slowly with small wiggles, none of them a season
    days = np.arange(1461.0)
    temps = (15 + 8 * np.sin(2 * np.pi * days / 365.25) + 2 * rng.normal(size=1461)).reshape(-1, 1)
    assert dominant_period([temps], 128) == 1
    wave = (np.sin(2 * np.pi * t / 12) + 0.2 * rng.normal(size=36)).reshape(-1, 1)  # three cycles are enough
    assert dominant_period([wave], 128) == 12


def test_a_season_survives_a_shift_of_the_level_and_random_walks_get_none():
    """A lasting step of three seasonal ranges hid the season (the detrended autocorrelation then falls slowly,
    no peak standing out): the forecaster fell back on the last value, 46% worse than seasonal naive on the
    airline passengers. The differences keep the season, and random walks gain none from them."""
    from seqtune._seasonality import dominant_period

    rng = np.random.default_rng(0)
    t = np.arange(240)
    monthly = 5 * np.sin(2 * np.pi * t / 12) + rng.normal(size=240)
    for step in (30.0, 100.0, -60.0):  # 3 to 10 seasonal ranges, up or down
        shifted = monthly + step * (t >= 150)
        assert dominant_period([shifted[:, None]], 128) == 12, step
        assert SeasonalNaiveForecaster().fit(shifted).season_ == 12
    # random walks: reading their differences adds no season to what the detrended walk shows (about one in
    # twenty shows one by chance: bench/bench_seasons.py)
    from seqtune._seasonality import FALSE_SEASON_RATE, _acf_period, _detrended

    for _ in range(40):
        walk = np.cumsum(rng.normal(size=int(rng.integers(60, 400))))[:, None]
        assert dominant_period([walk], 128) == _acf_period([_detrended(walk)], 128, FALSE_SEASON_RATE)


def test_baseline_score_is_negative_mase():
    y = np.arange(20.0)
    fc = NaiveForecaster().fit(y[:15])
    assert fc.score(y[15:]) == pytest.approx(-mase(y[15:], np.full(5, 14.0), y[:15]))
    # horizon=2: SequenceForecaster.score's protocol, forecasts from steps 15, 17 and 18 (the last ends with y)
    rolling = np.array([14.0, 14.0, 16.0, 16.0, 17.0])
    assert fc.score(y[15:], horizon=2) == pytest.approx(-mase(y[15:], rolling, y[:15]))
    assert fc.score(y[15:], horizon=50) == fc.score(y[15:])
    with pytest.raises(ValueError, match="season must be an int >= 1; got 0"):
        SeasonalNaiveForecaster(season=0).fit(y)
    with pytest.raises(ValueError, match=r"expected at least season=30"):
        SeasonalNaiveForecaster(season=30).fit(y)


# ---------------------------------------------------------------------- backtest
def test_backtest_rows_and_values_for_a_baseline():
    y = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-01", periods=40, freq="D"))
    table = backtest(NaiveForecaster(), y, cv=3, horizon=5)
    assert table["fold"].tolist() == [0, 1, 2]
    assert table["train_size"].tolist() == [25, 30, 35]
    assert table["test_start"].tolist() == list(pd.to_datetime(["2024-01-26", "2024-01-31", "2024-02-05"]))
    # naive on a line with slope 1: errors 1..5 (MAE 3), in-sample naive error 1
    np.testing.assert_allclose(table["mae"], 3.0)
    np.testing.assert_allclose(table["mase"], 3.0)
    assert table.attrs["season"] == 1  # a line has no season
    # season="auto" scales by the seasonal-naive error of the detected period, the forecaster's own
    wave = np.sin(2 * np.pi * np.arange(120) / 12) + 0.02 * np.arange(120)
    auto = backtest(NaiveForecaster(), wave, cv=2, horizon=6)
    assert auto.attrs["season"] == 12
    expected = mase(wave[108:114], np.full(6, wave[107]), wave[:108], season=12)
    assert auto["mase"].iloc[0] == pytest.approx(expected)
    assert backtest(NaiveForecaster(), wave, cv=2, horizon=6, season=1).attrs["season"] == 1
    with pytest.raises(ValueError, match="season must be an int >= 1 or 'auto'"):
        backtest(NaiveForecaster(), wave, cv=2, horizon=6, season=0)
    with pytest.warns(UserWarning, match="test folds hold up to 4 steps.*first horizon=3 steps"):
        custom = backtest(NaiveForecaster(), y, cv=TimeSeriesSplit(n_splits=2, test_size=4), horizon=3)
    assert custom["horizon"].tolist() == [3, 3]
    one = backtest(NaiveForecaster(), y, cv=1, horizon=5)  # one fold: the last 5 steps
    assert one["train_size"].tolist() == [35] and one["mae"].tolist() == [3.0]
    with pytest.raises(ValueError, match="cv must be a number of folds >= 1 or a splitter.*got 0"):
        backtest(NaiveForecaster(), y, cv=0, horizon=5)
    with pytest.raises(ValueError, match="gap=0"):
        backtest(NaiveForecaster(), y, cv=TimeSeriesSplit(n_splits=2, test_size=4, gap=2), horizon=3)
    with pytest.raises(ValueError, match="horizon is None"):
        backtest(NaiveForecaster(), y, cv=2)
    long = pd.DataFrame({"id": ["a"] * 20 + ["b"] * 20, "v": np.arange(40.0)},
                        index=pd.RangeIndex(20).append(pd.RangeIndex(20)))
    with pytest.raises(TypeError, match=r"long frame of several \(non-numeric column\(s\) \['id'\]\)"):
        backtest(NaiveForecaster(), long, cv=2, horizon=3)
    with pytest.raises(TypeError, match=r"long frame of several \(its index repeats\)"):
        backtest(NaiveForecaster(), long.assign(id=[0] * 20 + [1] * 20), cv=2, horizon=3)


def test_backtest_with_missing_values_and_skipped_steps():
    index = pd.date_range("2024-01-01", periods=60, freq="D")
    y = pd.Series(np.arange(60.0), index=index)
    y.iloc[[10, 55]] = np.nan  # one in the history, one in the last fold's test steps
    gappy = y.drop(index[[20, 21]])
    with pytest.raises(ValueError, match=r"y contains 2 NaN value\(s\); give the forecaster fill="):
        backtest(NaiveForecaster(), y, cv=2, horizon=5)
    table = backtest(NaiveForecaster(fill="interpolate"), gappy, cv=2, horizon=5)
    # folds count the steps of the daily grid (the two skipped days inserted), not the rows
    assert table["test_start"].tolist() == list(pd.to_datetime(["2024-02-20", "2024-02-25"]))
    # naive on a line with slope 1: errors 1..5, the NaN step (error 1) left out of the last fold
    assert table["mae"].tolist() == pytest.approx([3.0, (2 + 3 + 4 + 5) / 4])
    np.testing.assert_allclose(table["mase"], table["mae"])  # scale: the filled history's steps of 1


def test_backtest_of_a_quantile_forecaster_with_exogenous_features():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 1))
    y = np.sin(np.arange(90) / 3) + 0.5 * X[:, 0]
    fc = SequenceForecaster(lookback=6, horizon=3, units=3, epochs=1, n_models=1, quantiles=(0.1, 0.5, 0.9),
                            random_state=0)
    table = backtest(fc, y, X, cv=2)
    assert list(table.columns) == ["fold", "train_size", "test_start", "horizon", "mae", "rmse", "smape",
                                   "mase", "fit_seconds", "pinball", "coverage"]
    assert table["horizon"].tolist() == [3, 3]
    assert table["coverage"].between(0, 1).all() and (table["pinball"] > 0).all()


def test_a_series_that_repeats_exactly_at_its_season_is_scaled_by_the_naive_error():
    season = np.tile([1.0, 5.0, 2.0, 7.0], 6) + 1e3  # float rounding leaves lag-4 changes of ~1e-13 at most
    with pytest.warns(UserWarning, match="repeats exactly every 4 steps"):
        # errors of 1 against the lag-1 scale (was 1 / 0, or 1 / float rounding: about 1e13)
        assert mase([2.0, 6.0], [1.0, 5.0], season, season=4) == pytest.approx(1 / np.abs(np.diff(season)).mean())
    with pytest.warns(UserWarning, match="repeats exactly"):
        fc = SeasonalNaiveForecaster(season=4).fit(season)  # score() and search trials were NaN
    assert fc.score(season[:4] + 1.0) == pytest.approx(-1 / np.abs(np.diff(season)).mean())


def test_backtest_of_a_constant_stretch_reports_nan_mase_and_the_other_metrics():
    with pytest.warns(UserWarning, match="MASE is undefined"):
        table = backtest(NaiveForecaster(), pd.Series(np.ones(30)), cv=2, horizon=3)
    assert len(table) == 2 and table["mase"].isna().all()
    assert (table["mae"] == 0).all() and (table["rmse"] == 0).all()
    with pytest.raises(ValueError, match="scale is 0"):
        mase([1.0], [1.0], np.ones(5))  # the metric on its own still refuses
    # score's MASE is undefined likewise: NaN with a warning, not the MAE in the series' units
    naive = NaiveForecaster().fit(np.full(50, 5e6))
    with pytest.warns(UserWarning, match="MASE scale is undefined: the score is NaN"):
        assert np.isnan(naive.score(np.full(3, 5e6 + 1000)))
    assert naive.fit(np.arange(50.0)).score(np.arange(50.0, 53.0)) == pytest.approx(-2.0)  # errors 1, 2, 3
