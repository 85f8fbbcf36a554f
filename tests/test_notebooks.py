"""The notebooks run top to bottom, so what they show users is what the code does.

A notebook that reads a public data set names it in its metadata (``controlroom.data``); it is
skipped with a reason when the data folder is absent, and finds the folder through
CONTROLROOM_SHARED_DATA, which this test sets for the kernel.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from shared_data import SHARED_DATA, shared_file

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch, tmp_path):
    nb = nbformat.read(path, as_version=4)
    for name in nb.metadata.get("controlroom", {}).get("data", []):
        shared_file(name)
    monkeypatch.setenv("CONTROLROOM_SHARED_DATA", str(SHARED_DATA))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the files a notebook writes go where pytest cleans up
    # run from the repository root so the packages import from this tree
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parents[1])}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors


def test_there_is_a_notebook_for_each_user():
    assert {"pipeline.ipynb", "planner.ipynb", "finance.ipynb", "researcher.ipynb"} <= {p.name for p in NOTEBOOKS}
