"""Flat records, one per simulated call (schema.CALL_COLUMNS), built with numpy after the run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema as S
from .arrivals import CallDraws
from .behaviour import CALLBACK_FAILS, KINDS, NO_CALLBACK
from .model import Outcome
from .timeline import Timeline


def callback_state(calls: CallDraws, outcome: Outcome) -> np.ndarray:
    return np.zeros(len(calls), np.int8) if outcome.callback is None else outcome.callback


def call_outcomes(calls: CallDraws, outcome: Outcome):
    """answered, abandoned and wait per call (see Outcome for who counts as abandoned).

    A caller who took a callback did not abandon: answered (wait = time to the callback) if it
    reached them, unresolved (wait NaN) if it failed or was never made.
    """
    state = callback_state(calls, outcome)
    answered = (outcome.server >= 0) & (state != CALLBACK_FAILS)
    abandoned = (outcome.server < 0) & (state == NO_CALLBACK) & np.isfinite(calls.patience)
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
        S.KIND: pd.Categorical.from_codes(_kind(calls)[keep], categories=list(KINDS)),
        S.CALLBACK: callback_state(calls, outcome)[keep] != NO_CALLBACK,
    }, columns=list(S.CALL_COLUMNS))


def _kind(calls: CallDraws) -> np.ndarray:
    return np.zeros(len(calls), np.int8) if calls.kind is None else calls.kind
