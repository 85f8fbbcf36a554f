"""Where the public data sets used by the tests live.

CONTROLROOM_SHARED_DATA if set; otherwise ``shared/data`` beside the checkout, as on the
project's machines; otherwise /work/shared/data (a checkout cloned elsewhere on those machines).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _find() -> Path:
    candidates = [os.environ.get("CONTROLROOM_SHARED_DATA"),
                  Path(__file__).resolve().parents[2] / "shared" / "data",
                  "/work/shared/data"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


SHARED_DATA = _find()


def shared_file(name: str) -> Path:
    """The data file, or skip the test saying which file is missing."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real data set {path} is absent (set CONTROLROOM_SHARED_DATA to its folder)")
    return path
