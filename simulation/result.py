"""What a simulation run returns: flat tables plus the summaries computed from them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .config import SimulationConfig
from .kpi import pooled_intervals, summarize


@dataclass(frozen=True)
class SimulationResult:
    """calls (schema.CALL_COLUMNS), kpi (KPI_COLUMNS) and occupancy (OCCUPANCY_COLUMNS), all
    after warm-up, with replications numbered from 0."""

    calls: pd.DataFrame
    kpi: pd.DataFrame
    occupancy: pd.DataFrame
    config: SimulationConfig

    def summary(self) -> pd.DataFrame:
        """Per queue over the horizon: means and 95% confidence intervals (SUMMARY_COLUMNS)."""
        return summarize(self.kpi, self.occupancy, self.config)

    def intervals(self) -> pd.DataFrame:
        """Per queue and interval, replications pooled (INTERVAL_KPI_COLUMNS), for kpi_intervals.csv."""
        return pooled_intervals(self.kpi, self.occupancy, self.config.replications)
