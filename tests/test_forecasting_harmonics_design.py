"""The Fourier design, computed once per slot of the week, equals the formulas row by row."""

import numpy as np
import pandas as pd

from forecasting.clock import Periods
from forecasting.models import Harmonics


def test_design_columns_are_the_sines_and_cosines_of_each_rows_slot_of_the_week():
    periods = Periods(pd.Timedelta("15min"))
    # Ten days starting on a Thursday at 13:45, with a gap: rows repeat slots and skip some.
    index = pd.date_range("2024-03-07 13:45", periods=960, freq="15min").delete(range(100, 300))
    X = Harmonics(daily=2, weekly=1, interaction=(1, 1)).design(index, periods)
    minutes = (index.day_of_week * 1440 + index.hour * 60 + index.minute).to_numpy()
    d, w = 2 * np.pi * minutes / 1440, 2 * np.pi * minutes / (7 * 1440)
    expected = np.column_stack([np.sin(d), np.sin(2 * d), np.cos(d), np.cos(2 * d), np.sin(w), np.cos(w),
                                np.sin(d) * np.sin(w), np.sin(d) * np.cos(w), np.cos(d) * np.sin(w), np.cos(d) * np.cos(w)])
    np.testing.assert_allclose(X, expected, atol=1e-12)
