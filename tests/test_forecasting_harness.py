"""The rolling-origin harness: lead buckets, scores a researcher can recompute, honesty, DM test, calibration."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from forecasting import metrics
from forecasting.calibration import GRID, CalibrationSettings, RollingCalibrator, apply_multipliers
from forecasting.dm import dm_test
from forecasting.errors import ForecastError
from forecasting.harness import LEADERBOARD_COLUMNS, HarnessSettings, add_total, run_backtest
from forecasting.leads import assign_buckets
from scenarios.demo_data import demo_history

QUICK = dict(origins=5, horizon_days=8, warmup_origins=3)


# ----- metrics
def test_pinball_of_the_median_is_half_the_mae():
    actual = np.array([3.0, 0.0, 7.0, 2.0])
    median = np.array([1.0, 2.0, 7.5, 2.0])
    assert metrics.pinball(actual, {0.5: median}) == pytest.approx(metrics.mae(actual, median) / 2)


def test_mase_of_a_forecast_as_good_as_last_weeks_in_sample_is_one():
    # Period 2; in-sample seasonal differences |3-1|, |1-3| ... all 2: scale 2. MAE 2 -> MASE 1.
    train = [1, 3, 3, 1, 1, 3]
    scale = metrics.seasonal_naive_scale(train, 2)
    assert scale == pytest.approx(2.0)
    assert metrics.mase([5, 5], [3, 7], scale) == pytest.approx(1.0)


def test_coverage_counts_the_bounds_as_inside():
    assert metrics.coverage([0, 1, 2, 3], [0, 1.5, 0, 0], [0, 2, 2, 2.5]) == pytest.approx(0.5)


# ----- Diebold-Mariano
def test_dm_at_one_step_is_the_one_sample_t_test():
    # HLN's correction at h = 1 turns DM into the one-sample t statistic on n - 1 df.
    d = np.random.default_rng(3).normal(0.3, 1.0, 40)
    result = dm_test(d, h=1)
    reference = stats.ttest_1samp(d, 0.0)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-10)
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-8)


def test_dm_at_four_steps_matches_a_hac_regression_with_rectangular_weights():
    rng = np.random.default_rng(7)
    noise = rng.normal(size=203)
    d = 0.2 + noise[3:] + 0.6 * noise[2:-1] + 0.3 * noise[1:-2]  # MA(2): an h = 3-step error
    n, h = len(d), 4
    ols = sm.OLS(d, np.ones(n)).fit(cov_type="HAC", cov_kwds={"maxlags": h - 1, "kernel": "uniform",
                                                              "use_correction": False})
    expected = ols.tvalues[0] * math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    result = dm_test(d, h=h)
    assert result.statistic == pytest.approx(expected, rel=1e-8)
    assert result.pvalue == pytest.approx(2 * stats.t.sf(abs(expected), n - 1), rel=1e-6)


def test_dm_says_nothing_about_a_constant_differential():
    assert math.isnan(dm_test(np.ones(30), h=1).statistic)


# ----- lead buckets
def test_buckets_split_at_local_midnight_and_the_intraday_issue_time():
    index = pd.date_range("2026-06-01", "2026-06-10", freq="15min", inclusive="left", tz="Europe/London")
    pairs = assign_buckets(index, pd.Timestamp("2026-06-02"), intraday_hour=8, horizon_days=8)
    by = {b: rows["interval_start"] for b, rows in pairs.groupby("horizon")}
    assert by["day_ahead"].min() == pd.Timestamp("2026-06-02 00:00", tz="Europe/London")
    assert by["day_ahead"].max() == pd.Timestamp("2026-06-02 23:45", tz="Europe/London")
    assert by["week_ahead"].min() == pd.Timestamp("2026-06-03 00:00", tz="Europe/London")
    assert by["week_ahead"].max() == pd.Timestamp("2026-06-08 23:45", tz="Europe/London")
    assert by["rest_of_day"].min() == pd.Timestamp("2026-06-02 08:00", tz="Europe/London")
    assert len(by["rest_of_day"]) == 64
    assert list(by["weeks_2_6"].dt.date.unique()) == [pd.Timestamp("2026-06-09").date()]  # cut at 8 days


@pytest.mark.parametrize("day, intervals", [("2026-03-29", 92), ("2026-10-25", 100), ("2026-10-26", 96)])
def test_day_ahead_holds_the_real_intervals_of_a_clock_change_day(day, intervals):
    index = pd.date_range(pd.Timestamp("2026-03-20", tz="Europe/London"),
                          pd.Timestamp("2026-11-05", tz="Europe/London"), freq="15min", inclusive="left")
    pairs = assign_buckets(index, pd.Timestamp(day), horizon_days=1)
    day_ahead = pairs[pairs["horizon"] == "day_ahead"]["interval_start"]
    assert len(day_ahead) == intervals
    assert (day_ahead.dt.tz_localize(None).dt.normalize() == pd.Timestamp(day)).all()


# ----- the harness on data whose answers we can work out
@pytest.fixture(scope="module")
def small_history():
    return demo_history(days=63, end="2026-11-02", seed=4)


def test_seasonal_naive_day_ahead_error_is_the_change_since_last_week(small_history):
    """A researcher can recompute the leaderboard: seasonal naive's day-ahead error at origin D
    is calls(D) - calls(D - 7 days), interval by interval (no clock change in these weeks)."""
    hist = small_history[small_history["interval_start"] < pd.Timestamp("2026-10-20", tz="Europe/London")]
    report = run_backtest(hist, ["seasonal_naive"], HarnessSettings(refit_every_days=0, **QUICK))
    row = report.leaderboard.set_index(["queue", "level", "horizon"]).loc[("999", "interval", "day_ahead")]
    calls = hist[hist["queue"] == "999"].set_index("interval_start")["calls"].astype(float)
    origins = pd.date_range(end="2026-10-12", periods=5, freq="D", tz="Europe/London")  # last leaves 8 days
    errors = np.concatenate([calls[o:o + pd.Timedelta("23h45min")].to_numpy()
                             - calls[o - pd.Timedelta(days=7):o - pd.Timedelta(days=7) + pd.Timedelta("23h45min")].to_numpy()
                             for o in origins])
    assert row["origins"] == 5 and row["n"] == 5 * 96
    assert row["mae"] == pytest.approx(np.abs(errors).mean())
    assert row["rmse"] == pytest.approx(np.sqrt((errors**2).mean()))
    assert row["rmse_ratio"] == pytest.approx(1.0)
    hourly = errors.reshape(-1, 4).sum(axis=1)
    hour = report.leaderboard.set_index(["queue", "level", "horizon"]).loc[("999", "hour", "day_ahead")]
    assert hour["rmse"] == pytest.approx(np.sqrt((hourly**2).mean()))
    assert set(LEADERBOARD_COLUMNS) <= set(report.leaderboard.columns)


def test_forecasts_never_see_data_after_they_are_issued(small_history):
    """Poison every interval from a cut onwards: forecasts issued before the cut (means, quantiles
    and calibration) must not change, so a harness that leaked the future would be caught."""
    settings = HarnessSettings(refit_every_days=0, keep_forecasts=("rest_of_day", "day_ahead"), **QUICK)
    clean = run_backtest(small_history, ["seasonal_naive", "seasonal_average"], settings).forecasts
    cut = pd.Timestamp("2026-10-24", tz="Europe/London")
    poisoned = small_history.copy()
    late = poisoned["interval_start"] >= cut
    poisoned.loc[late, "calls"] = poisoned.loc[late, "calls"] * 50 + 1000
    dirty = run_backtest(poisoned, ["seasonal_naive", "seasonal_average"], settings).forecasts
    issued_before = pd.to_datetime(clean["origin"]).dt.tz_localize("Europe/London") < cut
    columns = [c for c in clean.columns if c.startswith("calls")]
    assert issued_before.sum() > 0 and (~issued_before).sum() > 0
    pd.testing.assert_frame_equal(clean.loc[issued_before, columns], dirty.loc[issued_before, columns])
    # ... while those issued after it do see it (their spread is fitted on the poisoned days).
    after = ~issued_before & (clean["horizon"] == "day_ahead")
    assert not np.allclose(clean.loc[after, "calls_p90"], dirty.loc[after, "calls_p90"])


def test_a_slow_refit_is_scored_from_its_last_fit(small_history):
    """With refits a week apart, the forecasts between refits come from the older fit."""
    settings = HarnessSettings(refit_every_days=7, calibrate=False, **QUICK)
    report = run_backtest(small_history[small_history["queue"] == "999"], ["seasonal_naive"], settings)
    row = report.leaderboard.iloc[0]
    assert row["refit_every_days"] == 7
    assert row["fits"] == 2  # 8 origins (3 warm-up + 5) one day apart: refits at the first and eighth
    fc = report.forecasts[report.forecasts["horizon"] == "day_ahead"]
    assert not fc["calls"].isna().any()


def test_total_queue_sums_the_queues(small_history):
    total = add_total(small_history)
    per = small_history.groupby("interval_start")["calls"].sum()
    got = total[total["queue"] == "ALL"].set_index("interval_start")["calls"]
    pd.testing.assert_series_equal(got, per, check_names=False)


def test_too_short_history_says_how_long_it_must_be(small_history):
    with pytest.raises(ForecastError, match=r"needs? at least \d+ days"):
        run_backtest(small_history, ["seasonal_naive"], HarnessSettings(origins=84))


# ----- calibration
def test_calibration_widens_intervals_that_were_twice_too_narrow():
    rng = np.random.default_rng(11)
    n = 4000
    mean = np.full(n, 50.0)
    actual = rng.normal(50.0, 4.0, n)
    qs = (0.1, 0.9)
    narrow = np.column_stack([mean + stats.norm.ppf(q) * 2.0 for q in qs])  # sd 2 claimed, 4 real
    calibrator = RollingCalibrator(qs, CalibrationSettings(window_days=100, min_pairs=100))
    calibrator.add(np.repeat(np.arange(40), 100), actual, mean, narrow)
    multipliers = calibrator.multipliers(40)
    assert multipliers == pytest.approx([2.0, 2.0], rel=0.08)
    fresh = rng.normal(50.0, 4.0, n)
    calibrated = apply_multipliers(mean, narrow, multipliers)
    assert metrics.coverage(fresh, calibrated[:, 0], calibrated[:, 1]) == pytest.approx(0.8, abs=0.025)
    assert metrics.coverage(fresh, narrow[:, 0], narrow[:, 1]) < 0.55


def test_calibration_uses_only_days_before_the_origin():
    calibrator = RollingCalibrator((0.9,), CalibrationSettings(window_days=10, min_pairs=10))
    mean, upper = np.full(50, 5.0), np.full(50, 6.0)
    # Day 20: every actual is 7.5, above the 90% quantile 6 (= 5 + 1 x 1); it takes s >= 2.5 to cover.
    calibrator.add(np.full(50, 20), np.full(50, 7.5), mean, upper[:, None])
    assert calibrator.multipliers(20) == pytest.approx([1.0])  # day 20 itself is not yet known
    assert calibrator.multipliers(21)[0] == pytest.approx(GRID[GRID >= 2.5].min())
    assert calibrator.multipliers(31) == pytest.approx([1.0])  # out of the 10-day window again


def test_a_model_needing_more_history_than_the_first_origin_has_is_left_out(small_history, monkeypatch):
    from forecasting import models as registry
    from forecasting.models import SeasonalAverage

    class LongMemory(SeasonalAverage):
        name = "long_memory"

        def min_length(self, periods):
            return 365 * periods.day

    monkeypatch.setitem(registry.REGISTRY, "long_memory", LongMemory)
    messages = []
    report = run_backtest(small_history[small_history["queue"] == "999"], ["seasonal_naive", "long_memory"],
                          HarnessSettings(**QUICK), progress=messages.append)
    assert set(report.leaderboard["model"]) == {"seasonal_naive"}
    assert any("skipping long_memory: needs 365 days" in m for m in messages)


def test_calibration_brings_small_count_intervals_to_nominal_coverage():
    """At 0.3-3 calls an interval, exact Poisson quantiles over-cover (integer outcomes; a lower
    bound of 0 is never missed). Calibrating each interval's two bounds together fixes coverage."""
    from forecasting.calibration import fit_multipliers
    from forecasting.models.predictive import Dispersion

    rng = np.random.default_rng(1)
    mean = rng.uniform(0.3, 3.0, 20000)
    qs = (0.025, 0.1, 0.5, 0.9, 0.975)
    exact = Dispersion().quantiles(mean, qs)  # the true distribution's (jittered) quantiles
    past, fresh = rng.poisson(mean), rng.poisson(mean)
    assert metrics.coverage(fresh, exact[:, 1], exact[:, 3]) > 0.84
    calibrated = apply_multipliers(mean, exact, fit_multipliers(past.astype(float), mean, exact, qs))
    assert metrics.coverage(fresh, calibrated[:, 1], calibrated[:, 3]) == pytest.approx(0.80, abs=0.02)
    assert metrics.coverage(fresh, calibrated[:, 0], calibrated[:, 4]) == pytest.approx(0.95, abs=0.02)


def test_special_days_reach_the_models_in_the_backtest(small_history):
    # An event with a known uplift on the last scored day: the harmonic GLM's day_ahead forecast of
    # that day is 1.5 x the one without it inside the window and unchanged outside.
    from forecasting.special_days import Event, SpecialDays

    hist = small_history[small_history["queue"] == "999"]
    event = Event.on("2026-10-25", "18:00", "22:00", "match", uplift=0.5)
    kept = {}
    for events in ((), (event,)):
        settings = HarnessSettings(refit_every_days=0, origins=2, horizon_days=8, warmup_origins=0, calibrate=False,
                                   special_days=SpecialDays(country=None, events=events))
        pairs = run_backtest(hist, ["harmonic_glm"], settings).forecasts
        pairs = pairs[(pairs["model"] == "harmonic_glm") & (pairs["horizon"] == "day_ahead")]
        kept[len(events)] = pairs.set_index(["origin", "interval_start"])["calls"]
    ratio = kept[1] / kept[0]
    local = ratio.index.get_level_values("interval_start").tz_convert("Europe/London").tz_localize(None)
    inside = (local >= event.start) & (local < event.end)
    assert inside.sum() == 16
    np.testing.assert_allclose(ratio[inside], 1.5, rtol=1e-9)
    np.testing.assert_allclose(ratio[~inside], 1.0, rtol=1e-9)


def test_two_workers_give_the_same_scores_as_one(small_history):
    settings = dict(refit_every_days=0, **QUICK)
    timing = ["fit_seconds", "predict_seconds"]
    one = run_backtest(small_history, ["seasonal_naive", "seasonal_average"], HarnessSettings(**settings))
    messages = []
    two = run_backtest(small_history, ["seasonal_naive", "seasonal_average"], HarnessSettings(workers=2, **settings),
                       progress=messages.append)
    pd.testing.assert_frame_equal(one.leaderboard.drop(columns=timing), two.leaderboard.drop(columns=timing))
    pd.testing.assert_frame_equal(one.forecasts, two.forecasts)
    assert any("'101'" in m for m in messages) and any("'999'" in m for m in messages)  # progress relayed
