"""Combinations in the backtest harness: built from the members' forecasts, equal to the model run alone."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from forecasting.clock import infer_interval, to_wall_clock
from forecasting.harness import HarnessSettings, run_backtest
from forecasting.models import REGISTRY, Combination, ForecastModel, SeasonalAverage, SkillCombination, make_model
from forecasting.schema import quantile_column
from scenarios.demo_data import demo_history

QUICK = dict(origins=4, horizon_days=8, warmup_origins=2, calibrate=False, refit_every_days=0)


@pytest.fixture(scope="module")
def history():
    rows = demo_history(days=63, end="2026-11-02", seed=4)
    return rows[rows["queue"] == "999"]


def _standalone(history, name, origin_day, hours):
    """The combination fitted alone on the history before the origin's midnight, for the next ``hours``."""
    real = history.set_index("interval_start")["calls"].astype(float)
    cut = pd.Timestamp(origin_day, tz=real.index.tz)
    train = to_wall_clock(real[real.index < cut], infer_interval(real.index))
    return make_model(name).fit(train).predict(hours * 4)


@pytest.mark.parametrize("name, members, how", [
    ("my_median", ("seasonal_naive", "seasonal_naive_daily", "seasonal_average"), "median"),
    ("my_mean", ("seasonal_average_8w", "factor_svd"), "mean"),
])
def test_a_combination_scored_in_the_harness_is_the_one_fitted_alone(history, monkeypatch, name, members, how):
    # A researcher's own combination of registered models: the harness builds it from the members'
    # forecasts (never calling its fit) and gets what fitting it alone gives, quantiles included.
    monkeypatch.setitem(REGISTRY, name, partial(Combination, members=members, how=how, name=name))
    fits = []
    original = Combination._fit
    monkeypatch.setattr(Combination, "_fit", lambda self, y, p: fits.append(1) or original(self, y, p))
    settings = HarnessSettings(keep_forecasts=("day_ahead",), **QUICK)
    report = run_backtest(history, [name], settings)
    assert not fits
    assert set(report.leaderboard["model"]) == {"seasonal_naive", name}  # members not asked for are not scored
    pairs = report.forecasts[report.forecasts["model"] == name]
    origin = sorted(pairs["origin"].unique())[1]
    got = pairs[pairs["origin"] == origin]
    expected = _standalone(history, name, origin, 24)
    columns = ["calls", *(quantile_column(q) for q in settings.quantiles)]
    assert len(got) == 96
    np.testing.assert_allclose(got[columns].to_numpy(), expected[columns].to_numpy(), rtol=1e-9, atol=1e-9)


def test_members_refitted_on_different_days_make_the_combination_refit_them_itself(history, monkeypatch):
    # One member refits weekly, the other at every issue: there is no common fit to combine, so the
    # combination fits its members itself (and is still scored).
    monkeypatch.setitem(REGISTRY, "my_mix", partial(Combination, members=("seasonal_naive", "seasonal_average"),
                                                     name="my_mix"))
    monkeypatch.setattr(SeasonalAverage, "refit_days", 7)
    fits = []
    combo_fit = Combination._fit
    monkeypatch.setattr(Combination, "_fit", lambda self, y, p: fits.append(1) or combo_fit(self, y, p))
    settings = HarnessSettings(**{**QUICK, "refit_every_days": None})
    board = run_backtest(history, ["seasonal_average", "my_mix"], settings).leaderboard
    policy = board.groupby("model")["refit_every_days"].first()
    assert policy["seasonal_naive"] == 0 and policy["seasonal_average"] == 7
    assert fits and board.loc[board["model"] == "my_mix", "rmse"].notna().all()


def test_registered_models_declare_their_refit_cadence_so_it_does_not_depend_on_load():
    assert all(make_model(name).refit_days is not None for name in REGISTRY)


# ----- weighted by recent skill
class Flat(ForecastModel):
    """A clearly bad member: the history's mean everywhere (no daily cycle)."""

    name = "flat"

    def min_length(self, periods):
        return periods.day

    def _fit(self, y, periods):
        self._level = float(np.nanmean(y.to_numpy(dtype=float)))
        return np.full(len(y), self._level)

    def _predict_mean(self, horizon):
        return np.full(horizon, self._level)


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def test_a_skill_combination_gives_a_clearly_bad_member_a_small_weight(monkeypatch):
    monkeypatch.setitem(REGISTRY, "flat", Flat)
    t = np.arange(10 * 168)
    rate = 30 + 28 * np.sin(2 * np.pi * t / 24)
    y = pd.Series(np.random.default_rng(5).poisson(rate).astype(float),
                  index=pd.date_range("2024-01-01", periods=len(t), freq="h"))
    train, test = y.iloc[:-168], y.iloc[-168:].to_numpy()
    combo = SkillCombination(members=("seasonal_average", "flat")).fit(train)
    assert combo.weights["flat"] < 0.2
    got = combo.predict(168)["calls"]
    members = {m: make_model(m).fit(train).predict(168)["calls"] for m in ("seasonal_average", "flat")}
    assert _rmse(got, test) <= max(_rmse(f, test) for f in members.values())
    assert _rmse(got, test) < _rmse((members["seasonal_average"] + members["flat"]) / 2, test)  # beats equal weights
    # Weights are the shrunk inverse MSEs: with equal errors they are equal, with none they are equal.
    assert combo.weights_from_errors(np.full((2, 5), 3.0)) == pytest.approx([0.5, 0.5])
    assert combo.weights_from_errors(np.full((2, 5), np.nan)) == pytest.approx([0.5, 0.5])
    shrink = 2 / (2 + 1)
    assert combo.weights_from_errors(np.array([[1.0], [3.0]])) == pytest.approx(
        [(1 - shrink) * 0.75 + shrink / 2, (1 - shrink) * 0.25 + shrink / 2])


def test_skill_weights_in_the_harness_use_only_days_before_the_issue(history, monkeypatch):
    """Poison the data from a cut on: weights issued before it stay, later ones move; the worse member
    (on this demo queue flat's MSE is about 1.5x the seasonal average's) gets the smaller weight and
    the combination is no worse than it."""
    monkeypatch.setitem(REGISTRY, "flat", Flat)
    monkeypatch.setitem(REGISTRY, "my_skill", partial(SkillCombination, members=("seasonal_average", "flat"),
                                                       name="my_skill"))
    settings = HarnessSettings(**{**QUICK, "origins": 6, "warmup_origins": 6})
    clean = run_backtest(history, ["flat", "my_skill"], settings)
    cut = pd.Timestamp("2026-10-24", tz="Europe/London")
    poisoned = history.copy()
    late = poisoned["interval_start"] >= cut
    poisoned.loc[late, "calls"] = poisoned.loc[late, "calls"] * 3 + 20
    dirty = run_backtest(poisoned, ["flat", "my_skill"], settings)
    before = pd.to_datetime(clean.weights["issued"]) < cut.tz_localize(None)
    assert before.sum() > 0 and (~before).sum() > 0
    pd.testing.assert_frame_equal(clean.weights[before], dirty.weights[before])
    assert not np.allclose(clean.weights.loc[~before, "weight"], dirty.weights.loc[~before, "weight"])
    scored = clean.weights[clean.weights["member"] == "flat"].tail(12)
    assert (scored["weight"] < 0.45).all()
    board = clean.leaderboard.set_index(["model", "level", "horizon"])["rmse"]
    assert board[("my_skill", "interval", "day_ahead")] <= board[("flat", "interval", "day_ahead")]
