"""The notebook in docs/notebooks runs from top to bottom, so it cannot go stale (X-1, X-5, DUN-1, DEL-1, OVD-3)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "explore-policies.ipynb"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_notebook_runs_and_shows_the_month_and_the_deletion() -> None:
    """X-1, X-5, DUN-1, DEL-1: every cell runs; the month table, the report, a finding's and a
    decision's reasons (code, rule, sentence) and both timelines (text, HTML and SVG) show."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    texts = []
    kinds = set()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert "error" != output["output_type"], output
            texts.append(output.get("text", ""))
            kinds.update(output.get("data", {}))
    text = "\n".join(texts)
    assert "  10  blocked" in text
    assert "eligible: True" in text
    assert "  [DUN-1] dunning_stage: The balance is negative: stage payment_page_only" in text
    assert "  [DEL-1] no_recent_login: No user has logged in during the last 30 days" in text
    assert "('account_deleted', '2024-06-19')" in text
    # OVD-1, OVD-3, OVD-5: the postpaid example's month, and the staff blocked on the 16th.
    assert "May 11 00:00  overdue_stage      warning" in text
    assert "May 22 00:00  final_action" in text
    assert "staff on the 16th: False blocked ('OVD-3', 'OVD-4')" in text
    assert "('account_deleted', '2024-06-23')" in text
    assert {"text/html", "image/svg+xml"} <= kinds
