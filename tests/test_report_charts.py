"""Charts meet the data a bad day produces, not only a good one."""

import numpy as np
import pandas as pd

from scenarios.report.charts import kpi_heatmap


def test_a_heatmap_of_a_metric_with_no_value_anywhere_is_drawn_blank_rather_than_failing():
    # An interval nobody answered has no wait or occupancy: a whole queue of them is possible.
    starts = pd.date_range("2026-03-02", periods=8, freq="15min")
    kpi = pd.DataFrame({"queue": "999", "interval_start": starts, "occupancy": np.nan})
    fig = kpi_heatmap(kpi, "999", "occupancy")
    assert fig.data[0].zmin is None
    kpi["occupancy"] = np.linspace(0.2, 0.9, 8)
    assert kpi_heatmap(kpi, "999", "occupancy").data[0].zmin == 0.2
