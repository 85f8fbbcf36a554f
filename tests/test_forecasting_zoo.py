"""One accuracy story per model of the zoo, each against something known independently of the code."""

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.models import (
    Combination,
    DoubleSeasonalHoltWinters,
    FactorModel,
    HarmonicARMA,
    HarmonicGLM,
    Harmonics,
    SeasonalAverage,
    make_model,
)
from forecasting.models.dshw import initial_states
from forecasting.clock import Periods
from forecasting.special_days import Event, SpecialDays, new_years_eves

DAY, WEEK = 24, 168
HOURLY = Periods(pd.Timedelta("1h"))


def hourly(values, start="2024-01-01"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="1h"))


def test_poisson_glm_recovers_known_fourier_coefficients():
    t = np.arange(26 * WEEK)  # 2024-01-01 is a Monday, so slot of the week = t mod 168
    true = {"b0": 1.5, "sin_d": 0.5, "cos_d": -0.3, "sin_w": 0.2}
    log_rate = true["b0"] + true["sin_d"] * np.sin(2 * np.pi * t / DAY) + true["cos_d"] * np.cos(2 * np.pi * t / DAY)
    log_rate += true["sin_w"] * np.sin(2 * np.pi * t / WEEK)
    y = hourly(np.random.default_rng(0).poisson(np.exp(log_rate)))
    model = HarmonicGLM(harmonics=Harmonics(1, 1, (0, 0)), half_life_weeks=None, special_days=None).fit(y)
    b0, sin_d, cos_d, sin_w, cos_w = model.coefficients
    # Standard errors are ~0.005 at this volume; allow several.
    assert b0 == pytest.approx(1.5, abs=0.03)
    assert sin_d == pytest.approx(0.5, abs=0.03)
    assert cos_d == pytest.approx(-0.3, abs=0.03)
    assert sin_w == pytest.approx(0.2, abs=0.03)
    assert cos_w == pytest.approx(0.0, abs=0.03)


def test_collapsing_identical_rows_gives_the_same_glm_as_the_full_data():
    import statsmodels.api as sm

    from forecasting.models.harmonic_glm import _glm

    rng = np.random.default_rng(1)
    t = np.arange(6 * WEEK)
    X = np.column_stack([np.ones(len(t)), np.sin(2 * np.pi * t / DAY), np.cos(2 * np.pi * t / WEEK)])
    y = rng.poisson(np.exp(X @ [1.0, 0.4, -0.2])).astype(float)
    weights = 0.5 ** ((len(t) - t) / WEEK)
    full = sm.GLM(y, X, family=sm.families.Poisson(), var_weights=weights).fit().params
    np.testing.assert_allclose(_glm(y, X, np.zeros(len(t)), weights, "poisson", "test"), full, rtol=1e-6)
    # Labelled groups (the slot of the week identifies this design) give the same estimate.
    np.testing.assert_allclose(_glm(y, X, np.zeros(len(t)), weights, "poisson", "test", t % WEEK), full, rtol=1e-6)


def test_the_glms_design_groups_collapse_only_identical_rows(monkeypatch):
    # With holidays, an estimated event and an event with a given uplift (an offset), the fit on
    # collapsed groups equals the fit with every row its own group.
    from forecasting.models import harmonic_glm

    index = pd.date_range("2024-01-01", "2024-03-31 23:00", freq="1h")
    events = _match_days() + (Event.on("2024-03-02", "10:00", "16:00", "fair", uplift=0.5),)
    special = SpecialDays(country="GB", subdiv="ENG", events=events)
    rate = (6.0 + 3 * np.sin(2 * np.pi * np.arange(len(index)) / DAY)) * special.multiplier(index)
    y = pd.Series(np.random.default_rng(4).poisson(rate).astype(float), index=index)
    grouped = HarmonicGLM(special_days=special).fit(y).coefficients
    monkeypatch.setattr(harmonic_glm, "_design_groups", lambda index, *args: np.arange(len(index)))
    ungrouped = HarmonicGLM(special_days=special).fit(y).coefficients
    np.testing.assert_allclose(grouped, ungrouped, rtol=1e-6, atol=1e-9)


def _match_days():
    """A recurring event on irregular evenings (so it is not a weekly pattern), the last one in the future."""
    days = ["2024-02-03", "2024-02-21", "2024-03-09", "2024-03-27", "2024-04-13", "2024-05-01", "2024-05-15"]
    return tuple(Event.on(d, "18:00", "22:00", "match") for d in days)


def test_an_event_in_the_history_is_learnt_and_raises_the_forecast_in_its_next_window():
    index = pd.date_range("2024-01-01", "2024-05-13 23:00", freq="1h")
    special = SpecialDays(country=None, events=_match_days())
    inside = special.regressors(index)["event:match"].to_numpy() > 0
    base = 6.0 + 3 * np.sin(2 * np.pi * np.arange(len(index)) / DAY)
    y = pd.Series(np.random.default_rng(2).poisson(base * np.where(inside, 2.0, 1.0)).astype(float), index=index)
    with_events = HarmonicGLM(special_days=special).fit(y).predict(3 * DAY)["calls"]
    without = HarmonicGLM(special_days=None).fit(y).predict(3 * DAY)["calls"]
    window = (with_events.index >= "2024-05-15 18:00") & (with_events.index < "2024-05-15 22:00")
    ratio = with_events[window].sum() / without[window].sum()
    assert ratio == pytest.approx(2.0, rel=0.2)
    assert with_events[~window].sum() == pytest.approx(without[~window].sum(), rel=0.05)


def test_a_one_off_event_with_an_expected_uplift_multiplies_its_window_only():
    y = hourly(np.random.default_rng(3).poisson(5.0 + 2 * np.sin(2 * np.pi * np.arange(6 * WEEK) / DAY)))
    concert = Event.on("2024-02-13", "19:00", "23:00", "concert", uplift=0.5)
    for cls in (HarmonicGLM, HarmonicARMA):
        plain = cls(special_days=SpecialDays(country=None)).fit(y).predict(2 * DAY)["calls"]
        lifted = cls(special_days=SpecialDays(country=None, events=(concert,))).fit(y).predict(2 * DAY)["calls"]
        inside = (plain.index >= concert.start) & (plain.index < concert.end)
        assert inside.sum() == 4
        np.testing.assert_allclose(lifted[inside], 1.5 * plain[inside], rtol=1e-9 if cls is HarmonicGLM else 0.02)
        np.testing.assert_allclose(lifted[~inside], plain[~inside], rtol=1e-9, atol=1e-9)


def test_bank_holidays_come_from_the_holidays_package_for_the_chosen_country():
    index = pd.date_range("2024-12-24", "2024-12-27", freq="6h", inclusive="left")
    england = SpecialDays(country="GB", subdiv="ENG").regressors(index)["holiday"]
    assert england["2024-12-25"].eq(1).all() and england["2024-12-26"].eq(1).all() and england["2024-12-24"].eq(0).all()
    assert SpecialDays(country="US").regressors(index)["holiday"].sum() == 4  # Christmas only
    with pytest.raises(ForecastError, match="special days: Country XX not available"):
        SpecialDays(country="XX")
    with pytest.raises(ForecastError, match="end .* is not after start"):
        Event("match", "2024-01-01 20:00", "2024-01-01 18:00")
    assert Event.on("2024-12-31", "20:00", "04:00", "NYE").end == pd.Timestamp("2025-01-01 04:00")


def test_regression_with_arma_errors_recovers_the_autocorrelation_of_the_errors():
    rng = np.random.default_rng(4)
    n = 8 * WEEK
    noise = np.zeros(n)
    shocks = rng.normal(0, 2.0, n)
    for t in range(1, n):
        noise[t] = 0.8 * noise[t - 1] + shocks[t]
    y = hourly(40 + 10 * np.sin(2 * np.pi * np.arange(n) / DAY) + noise)
    model = HarmonicARMA(order=(1, 0), harmonics=Harmonics(1, 0, (0, 0)), half_life_weeks=None, arma_weeks=8, special_days=None).fit(y)
    assert model.arma.params[0] == pytest.approx(0.8, abs=0.05)
    # The first hour ahead carries most of the last error; a day ahead, none of it.
    mean = model.predict(DAY)["calls"].to_numpy()
    seasonal = 40 + 10 * np.sin(2 * np.pi * np.arange(n, n + DAY) / DAY)
    assert mean[0] - seasonal[0] == pytest.approx(0.8 * noise[-1], abs=1.5)
    assert abs(mean[-1] - seasonal[-1]) < 1.0


def test_dshw_recovers_the_parameters_of_a_series_generated_by_its_own_equations():
    rng = np.random.default_rng(5)
    alpha, delta, omega, phi = 0.1, 0.2, 0.3, 0.5
    weeks = 16
    t = np.arange(weeks * WEEK)
    level, daily = 30.0, 8 * np.sin(2 * np.pi * np.arange(DAY) / DAY)
    weekly = np.repeat([2, 2, 2, 2, 1, -4, -5], DAY).astype(float)
    y, previous = np.zeros(len(t)), 0.0
    for i in t:
        d, w = i % DAY, i % WEEK
        base = level + daily[d] + weekly[w]
        error = phi * previous + rng.normal(0, 1.0)  # AR(1) one-step errors
        y[i] = base + error
        level += alpha * error
        daily[d] += delta * (1 - alpha) * error
        weekly[w] += omega * (1 - alpha) * error
        previous = error
    model = DoubleSeasonalHoltWinters(fit_weeks=weeks, init_weeks=4).fit(hourly(y))
    fitted = model.params
    assert fitted["alpha"] == pytest.approx(alpha, abs=0.05)
    assert fitted["delta"] == pytest.approx(delta, abs=0.1)
    assert fitted["omega"] == pytest.approx(omega, abs=0.1)
    assert fitted["phi"] == pytest.approx(phi, abs=0.1)


def test_dshw_initial_states_split_a_profile_into_level_daily_and_weekly_parts():
    daily = np.sin(2 * np.pi * np.arange(DAY) / DAY)
    weekly = np.repeat([1, 1, 1, 1, 1, -2.5, -2.5], DAY)
    values = np.tile(10 + np.tile(daily, 7) + weekly, 2)
    level, d, w = initial_states(values, HOURLY, 2)
    assert level == pytest.approx(10.0)
    np.testing.assert_allclose(d, daily, atol=1e-12)
    np.testing.assert_allclose(w, weekly, atol=1e-12)


def rank_two_days(n_days, shock_day=None, shock=1.0, rng=None, poisson=True):
    """Counts whose root (+1/4) is exactly rank 2: a daily profile scaled by weekday, plus an evening factor.

    With ``rng``, each day's scale also varies at random (sd 10%) and counts are Poisson around the rate.
    """
    slot = np.arange(DAY)
    profile = 2.0 + 1.5 * np.sin(np.pi * slot / DAY)
    evening = np.where(slot >= 17, 1.0, 0.0)
    dow = (pd.Timestamp("2024-01-01").day_of_week + np.arange(n_days)) % 7
    scale, late = np.where(dow >= 5, 0.8, 1.0), np.where(dow == 4, 0.8, 0.2)
    if rng is not None:
        scale = scale * rng.normal(1.0, 0.1, n_days)
    if shock_day is not None:
        scale[shock_day] *= shock
    roots = scale[:, None] * profile[None, :] + late[:, None] * evening[None, :]
    rate = roots**2 - 0.25
    return rng.poisson(rate).astype(float) if rng is not None and poisson else rate


def test_factor_model_reproduces_a_rank_two_day_by_interval_matrix():
    counts = rank_two_days(6 * 7 + 7)
    history = hourly(counts[:42].ravel())
    out = FactorModel(factors=2, fit_weeks=6).fit(history).predict(7 * DAY)["calls"].to_numpy()
    np.testing.assert_allclose(out, counts[42:].ravel(), rtol=1e-6)


def test_factor_model_updating_from_the_morning_pulls_the_afternoon_towards_what_today_shows():
    counts = rank_two_days(43, shock_day=42, shock=1.4, rng=np.random.default_rng(8))  # today is 40% busier
    rate = rank_two_days(43, shock_day=42, shock=1.4, rng=np.random.default_rng(8), poisson=False)[42]
    today = hourly(counts[42], start=pd.Timestamp("2024-01-01") + pd.Timedelta(days=42))
    history = hourly(counts[:42].ravel())
    plain = FactorModel(factors=2, fit_weeks=6).fit(history).predict(DAY)["calls"].to_numpy()
    updated = FactorModel(factors=2, fit_weeks=6).fit(history).update(today.iloc[:10]).predict(DAY - 10)
    assert updated.index[0] == today.index[10]
    afternoon = rate[10:]
    before = np.abs(plain[10:] - afternoon).mean()
    after = np.abs(updated["calls"].to_numpy() - afternoon).mean()
    assert after < 0.6 * before
    # Fitting on history that ends at 10:00 is the same as fitting on whole days and updating.
    same = FactorModel(factors=2, fit_weeks=6).fit(pd.concat([history, today.iloc[:10]])).predict(DAY - 10)
    np.testing.assert_allclose(same["calls"], updated["calls"], rtol=1e-9)


def test_update_refuses_slots_that_do_not_continue_the_history():
    history = hourly(rank_two_days(42).ravel())
    model = FactorModel(fit_weeks=6).fit(history)
    later = hourly([1.0, 2.0], start=history.index[-1] + pd.Timedelta(hours=3))
    with pytest.raises(ForecastError, match="update needs slots continuing from"):
        model.update(later)


def test_a_mean_combination_is_the_average_of_its_members_forecasts():
    y = hourly(np.random.default_rng(6).poisson(5 + 3 * np.sin(2 * np.pi * np.arange(6 * WEEK) / DAY)))
    combo = Combination(members=("seasonal_average_8w", "factor_svd"), how="mean").fit(y).predict(DAY)["calls"]
    members = [make_model(m).fit(y).predict(DAY)["calls"] for m in ("seasonal_average_8w", "factor_svd")]
    np.testing.assert_allclose(combo, (members[0] + members[1]) / 2)
    with pytest.raises(ForecastError, match="unknown member model"):
        Combination(members=("seasonal_average_8w", "prophet"))


def test_smoothing_the_seasonal_average_weights_neighbours_a_quarter_each_and_wraps_the_week():
    y = hourly(np.random.default_rng(7).poisson(5, 3 * WEEK))
    raw = SeasonalAverage(weeks=3).fit(y).predict(WEEK)["calls"].to_numpy()
    smooth = SeasonalAverage(weeks=3, smooth=3).fit(y).predict(WEEK)["calls"].to_numpy()
    expected = 0.25 * np.roll(raw, 1) + 0.5 * raw + 0.25 * np.roll(raw, -1)
    np.testing.assert_allclose(smooth, expected)


def test_make_model_hands_special_days_to_the_models_that_use_them():
    special = SpecialDays(country="US", subdiv="PA")
    assert make_model("harmonic_glm", special_days=special).special_days is special
    assert make_model("unobserved_components", special_days=special).special_days is special
    assert not hasattr(make_model("seasonal_naive", special_days=special), "special_days")
    combo = make_model("combo_mean", special_days=special)
    assert all(m.special_days is special for m in combo._models() if getattr(m, "uses_special_days", False))


def test_day_level_ar1_recovers_the_persistence_of_busy_days_and_carries_the_last_day_forward():
    # Daily log level u(d) = 0.7 u(d-1) + N(0, 0.2^2) on a daily shape, at ~500 calls a day so
    # Poisson noise hardly attenuates the slope.
    rng = np.random.default_rng(11)
    days = 16 * 7
    u = np.zeros(days)
    for d in range(1, days):
        u[d] = 0.7 * u[d - 1] + rng.normal(0, 0.2)
    shape = 20 + 8 * np.sin(2 * np.pi * np.arange(DAY) / DAY)
    y = hourly(rng.poisson(np.outer(np.exp(u), shape).ravel()))
    plain = HarmonicGLM(special_days=None, half_life_weeks=None).fit(y)
    model = HarmonicGLM(special_days=None, half_life_weeks=None, day_level="ar1", level_days=days).fit(y)
    level = model._level
    assert 0.5 < level.phi < 0.85
    # The last day's ratio, computed here from the data and the plain GLM's fit.
    last = slice(len(y) - DAY, len(y))
    ratio = np.log((y.to_numpy()[last].sum() + 0.5) / (plain._fit_values[last].sum() + 0.5))
    assert level.ratio == pytest.approx(ratio, abs=1e-9)
    shift = np.log(model.predict(3 * DAY)["calls"].to_numpy() / plain.predict(3 * DAY)["calls"].to_numpy())
    for k in range(3):  # day k + 1 after the last: phi^(k+1) of the last day's log ratio
        np.testing.assert_allclose(shift[k * DAY:(k + 1) * DAY], level.phi ** (k + 1) * ratio, atol=1e-9)


def test_day_level_uses_whole_days_when_history_starts_and_ends_mid_day():
    # Same process as above, cut to start at 05:00 and end at 08:00: the last whole day is the
    # one before, and today's remaining hours get phi^1 of its ratio.
    rng = np.random.default_rng(12)
    days = 60
    u = np.zeros(days)
    for d in range(1, days):
        u[d] = 0.7 * u[d - 1] + rng.normal(0, 0.2)
    shape = 20 + 8 * np.sin(2 * np.pi * np.arange(DAY) / DAY)
    y = hourly(rng.poisson(np.outer(np.exp(u), shape).ravel())).iloc[5:-16]
    plain = HarmonicGLM(special_days=None, half_life_weeks=None).fit(y)
    model = HarmonicGLM(special_days=None, half_life_weeks=None, day_level="ar1").fit(y)
    level = model._level
    assert level.last_day == y.index[-1].normalize() - pd.Timedelta(days=1)
    whole = (y.index >= level.last_day) & (y.index < level.last_day + pd.Timedelta(days=1))
    ratio = np.log((y[whole].sum() + 0.5) / (plain._fit_values[whole].sum() + 0.5))
    assert level.ratio == pytest.approx(ratio, abs=1e-9)
    shift = np.log(model.predict(DAY)["calls"].to_numpy() / plain.predict(DAY)["calls"].to_numpy())
    np.testing.assert_allclose(shift[:16], level.phi * ratio, atol=1e-9)  # rest of today
    np.testing.assert_allclose(shift[16:], level.phi ** 2 * ratio, atol=1e-9)  # tomorrow


def test_harmonic_arma_learns_new_years_eve_from_a_year_back():
    # NYE 2023 trebles calls 20:00-04:00; the 26-week window never holds it, yet the forecast over
    # NYE 2024 shows it (learnt from the whole history), and the old window-only estimate does not.
    index = pd.date_range("2023-11-01", "2024-12-30 23:00", freq="1h")
    special = SpecialDays(country=None, events=new_years_eves([2023, 2024]))
    inside = special.regressors(index).to_numpy()[:, 0] > 0
    t = np.arange(len(index))
    base = (8.0 + 4 * np.sin(2 * np.pi * t / DAY)) * (1 + 0.1 * t / len(t))  # growing 10% over the span
    y = pd.Series(np.random.default_rng(8).poisson(base * np.where(inside, 3.0, 1.0)).astype(float), index=index)
    model = HarmonicARMA(special_days=special).fit(y)
    with_nye = model.predict(3 * DAY)["calls"]
    without = HarmonicARMA(special_days=None).fit(y).predict(3 * DAY)["calls"]
    window_only = HarmonicARMA(special_days=special, special="window").fit(y).predict(3 * DAY)["calls"]
    night = (with_nye.index >= "2024-12-31 20:00") & (with_nye.index < "2025-01-01 04:00")
    assert model.special_ratios["event:New Year's Eve"] == pytest.approx(3.0, rel=0.1)
    assert with_nye[night].sum() / without[night].sum() == pytest.approx(3.0, rel=0.15)
    assert window_only[night].sum() / without[night].sum() == pytest.approx(1.0, rel=0.05)
    assert with_nye[~night].sum() == pytest.approx(without[~night].sum(), rel=0.05)
