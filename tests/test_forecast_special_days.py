"""Special days from the scenario file to the models: holidays, events with an uplift, New Year's Eve."""

import numpy as np
import pandas as pd
import pytest

from forecasting.driver import forecast
from forecasting.special_days import Event, SpecialDays
from scenarios.config import scenario_from_mapping
from scenarios.demo_data import demo_history
from scenarios.errors import InputError
from scenarios.pipeline import forecast_demand
from scenarios.progress import Progress

TZ = "Europe/London"


def hourly(weeks=4, seed=0):
    index = pd.date_range(pd.Timestamp("2024-02-05", tz=TZ), periods=weeks * 168, freq="h")
    local = index.tz_localize(None)
    rate = 6 + 4 * np.sin(2 * np.pi * (local.hour.to_numpy() - 8) / 24)
    calls = np.random.default_rng(seed).poisson(rate)
    return pd.DataFrame({"queue": "999", "interval_start": index, "calls": calls, "aht": 300.0})


def test_an_event_with_an_uplift_raises_the_forecast_in_its_window_only():
    hist = hourly()
    match = Event.on("2024-03-06", "18:00", "22:00", "match", uplift=0.5)  # inside the 7-day horizon
    plain = forecast(hist, 7, ["harmonic_glm"], backtest_origins=0, special_days=SpecialDays(country=None))
    event = forecast(hist, 7, ["harmonic_glm"], backtest_origins=0,
                     special_days=SpecialDays(country=None, events=(match,)))
    local = pd.DatetimeIndex(event.forecast["interval_start"]).tz_localize(None)
    inside = (local >= match.start) & (local < match.end)
    ratio = event.forecast["calls"].to_numpy() / plain.forecast["calls"].to_numpy()
    assert inside.sum() == 4
    np.testing.assert_allclose(ratio[inside], 1.5, rtol=1e-9)
    np.testing.assert_allclose(ratio[~inside], 1.0, rtol=1e-9)


def test_new_years_eve_is_visible_in_the_demo_forecast():
    # The demo force has 2.5 x the usual 999 calls from 22:00 to 04:00 on New Year's Eve; a
    # harmonic GLM learns it from the year before, although its shape window is half a year.
    hist = demo_history(seed=3, days=420, end="2026-12-28")
    runs = {}
    for nye in (True, False):
        scenario = scenario_from_mapping({"forecast": {"horizon_days": 7, "models": ["harmonic_glm"],
                                                       "backtest_origins": 0, "new_years_eve": nye}})
        fc = forecast_demand(scenario, hist, Progress(quiet=True).begin("forecast")).forecast
        rows = fc[fc["queue"] == "999"]
        runs[nye] = pd.Series(rows["calls"].to_numpy(), index=pd.DatetimeIndex(rows["interval_start"]).tz_localize(None))
    ratio = runs[True] / runs[False]
    night = (ratio.index >= "2026-12-31 22:00") & (ratio.index < "2027-01-01 04:00")
    assert 1.8 < ratio[night].mean() < 3.2
    assert np.abs(ratio[~night & (ratio.index < "2026-12-31 20:00")] - 1).max() < 0.05
    evening = runs[True]["2026-12-31 22:00":"2027-01-01 03:45"].mean()
    assert evening > 1.8 * runs[True]["2026-12-30 22:00":"2026-12-31 03:45"].mean()


@pytest.mark.parametrize("forecast_section, fragment", [
    ({"holidays_country": "XX"}, "Country XX"),
    ({"events": [{"name": "match", "start": "2026-05-01 18:00"}]}, "events[0]: missing key 'end'"),
    ({"events": [{"name": "m", "start": "2026-05-01 18:00", "end": "2026-05-01 22:00", "uplif": 1}]},
     "events[0]: unknown key 'uplif'"),
    ({"events": [{"name": "m", "start": "2026-05-01 18:00", "end": "2026-05-01 17:00"}]}, "is not after start"),
    ({"events": [{"name": "m", "start": "2026-05-01 18:00", "end": "2026-05-01 22:00", "uplift": "lots"}]},
     "uplift must be a number"),
])
def test_bad_special_days_in_a_scenario_are_named(forecast_section, fragment):
    with pytest.raises(InputError) as err:
        scenario_from_mapping({"forecast": forecast_section}, where="plan.toml")
    assert "plan.toml: [forecast]" in str(err.value) and fragment in str(err.value)


def test_scenario_special_days_reach_the_settings():
    scenario = scenario_from_mapping({"forecast": {"holidays_country": "US-PA", "new_years_eve": False, "events": [
        {"name": "parade", "start": "2026-07-04 10:00", "end": "2026-07-04 14:00", "uplift": 0.2}]}})
    special = scenario.forecast.special_days([2026])
    assert (special.country, special.subdiv) == ("US", "PA")
    assert [e.name for e in special.events] == ["parade"]
    assert scenario_from_mapping({"forecast": {"holidays_country": "none"}}).forecast.special_days([2026]).country is None
    default = scenario_from_mapping({}).forecast.special_days([2025, 2026])
    assert (default.country, default.subdiv) == ("GB", "ENG")
    assert [e.start for e in default.events] == [pd.Timestamp("2025-12-31 20:00"), pd.Timestamp("2026-12-31 20:00")]


def test_the_windows_a_chart_marks_are_the_holidays_and_events_in_range_by_name():
    from forecasting.special_days import special_days_from_settings

    special = special_days_from_settings("GB-ENG", [{"name": "Cup final", "start": "2026-12-27 14:00",
                                                     "end": "2026-12-27 18:00"}], nye_years=[2026])
    marks = special.windows("2026-12-20", "2027-01-02 23:45")
    names = [name for _, _, name in marks]
    assert {"Christmas Day", "Boxing Day", "Cup final", "New Year's Eve", "New Year's Day"} <= set(names)
    assert [m[0] for m in marks] == sorted(m[0] for m in marks)
    eve = next(m for m in marks if m[2] == "New Year's Eve")
    assert (eve[0], eve[1]) == (pd.Timestamp("2026-12-31 20:00"), pd.Timestamp("2027-01-01 04:00"))
    assert special.windows("2027-03-01", "2027-03-10") == []


def test_the_demand_chart_shades_each_special_day_on_the_local_clock():
    from scenarios.report.charts import demand_chart

    times = pd.date_range("2026-12-24", "2026-12-26 23:45", freq="15min", tz="Europe/London")
    forecast = pd.DataFrame({"queue": "999", "interval_start": times, "calls": 5.0,
                             **{c: 5.0 for c in ("calls_p2.5", "calls_p10", "calls_p90", "calls_p97.5")}})
    history = forecast.iloc[:0][["queue", "interval_start", "calls"]]
    marks = [(pd.Timestamp("2026-12-25"), pd.Timestamp("2026-12-26"), "Christmas Day"),
             (pd.Timestamp("2027-05-01"), pd.Timestamp("2027-05-02"), "out of range")]
    fig = demand_chart(history, forecast, "999", marks=marks)
    assert [a.text for a in fig.layout.annotations] == ["Christmas Day"]
    shape = fig.layout.shapes[0]
    assert pd.Timestamp(shape.x0) == pd.Timestamp("2026-12-25", tz="Europe/London")
