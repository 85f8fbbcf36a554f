"""Flat records, one per simulated call (schema.CALL_COLUMNS), built with numpy after the run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema as S
from .arrivals import CallDraws
from .model import Outcome
from .timeline import Timeline


def call_outcomes(calls: CallDraws, outcome: Outcome):
    """answered, abandoned and wait per call (see Outcome for who counts as abandoned)."""
    answered = outcome.server >= 0
    abandoned = ~answered & np.isfinite(calls.patience)
    wait = np.where(answered, outcome.answered_at - calls.arrival, np.where(abandoned, calls.patience, np.nan))
    return answered, abandoned, wait


def calls_frame(replication: int, calls: CallDraws, outcome: Outcome, timeline: Timeline,
                queue_names: tuple[str, ...], staff_names: tuple[str, ...], first_interval: int) -> pd.DataFrame:
    """The calls that arrived from ``first_interval`` on (earlier ones were warm-up)."""
    answered, abandoned, wait = call_outcomes(calls, outcome)
    keep = calls.interval >= first_interval
    call_id = np.flatnonzero(keep)
    return pd.DataFrame({
        S.REPLICATION: np.full(len(call_id), replication, dtype=np.int64),
        S.CALL_ID: call_id,
        S.QUEUE: pd.Categorical.from_codes(calls.queue[keep], categories=list(queue_names)),
        S.ARRIVAL: timeline.timestamps(calls.arrival[keep]),
        S.INTERVAL_START: timeline.starts.take(calls.interval[keep]),
        S.WAIT: wait[keep],
        S.ANSWERED: answered[keep],
        S.ABANDONED: abandoned[keep],
        S.HANDLE: np.where(answered, calls.handle, np.nan)[keep],
        S.STAFF_ID: pd.Categorical.from_codes(outcome.server[keep] + 1, categories=["", *staff_names]),
        S.PATIENCE: calls.patience[keep],
    }, columns=list(S.CALL_COLUMNS))
