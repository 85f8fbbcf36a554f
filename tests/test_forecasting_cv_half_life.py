"""The harmonic GLM's half-life chosen by time-series cross-validation inside the training data."""

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.models import HarmonicGLM, Harmonics

DAY, WEEK = 24, 168
SHAPE = Harmonics(6, 2, (2, 2))  # ~37 coefficients: estimation noise that a longer memory averages out


def hourly(values):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range("2024-01-01", periods=len(values), freq="1h"))


def _model(**kw):
    return HarmonicGLM(harmonics=SHAPE, special_days=None, cv_half_lives=(1.0, 16.0), cv_weeks=2, **kw)


def test_a_profile_that_moved_recently_picks_the_short_half_life():
    # The daily peak moves from 06:00 to 18:00 four weeks before the end: a long memory keeps
    # forecasting the old peak, so the held-out weeks favour the short half-life.
    rng = np.random.default_rng(3)
    t = np.arange(20 * WEEK)
    old, new = 20 + 12 * np.sin(2 * np.pi * t / DAY), 20 - 12 * np.sin(2 * np.pi * t / DAY)
    y = hourly(rng.poisson(np.where(t < 16 * WEEK, old, new)))
    assert _model().fit(y).chosen_half_life == 1.0


def test_a_stable_profile_picks_the_long_half_life_which_averages_more_noise():
    # Same profile throughout: more weeks mean less estimation noise, and the paired held-out
    # errors show it.
    rng = np.random.default_rng(4)
    t = np.arange(20 * WEEK)
    y = hourly(rng.poisson(5 + 3 * np.sin(2 * np.pi * t / DAY)))
    model = _model().fit(y)
    assert model.chosen_half_life == 16.0
    fixed = HarmonicGLM(harmonics=SHAPE, special_days=None, half_life_weeks=16.0).fit(y)
    np.testing.assert_allclose(model.predict(DAY)["calls"], fixed.predict(DAY)["calls"], rtol=1e-9)


def test_bad_cross_validation_settings_name_the_setting():
    with pytest.raises(ForecastError, match="cv_half_lives"):
        HarmonicGLM(cv_half_lives=(4.0, -1.0))
    with pytest.raises(ForecastError, match="cv_weeks"):
        HarmonicGLM(cv_half_lives=(4.0, 8.0), cv_weeks=0)


def test_a_cross_validated_glm_keeps_the_model_contract():
    from functools import partial

    from forecasting.conformance import check_model

    assert check_model(partial(HarmonicGLM, special_days=None, cv_half_lives=(4.0, 16.0), cv_weeks=1)) == []
