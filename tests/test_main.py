"""`python -m billrules` prints the worked invoices example."""

from __future__ import annotations

import subprocess
import sys

import pytest

from billrules.__main__ import main


def test_main_explains_history_cutoff_and_outstanding(capsys: pytest.CaptureFixture[str]) -> None:
    """INV-1, INV-3, INV-5: the example shows the cutoff, the rows, and the outstanding amount."""
    assert 0 == main()
    out = capsys.readouterr().out
    assert "self-service history starts 2021-01-01" in out
    assert "INV-2020-12 is not listed" in out
    assert "Outstanding: 98.00 USD on INV-2024-04, INV-2024-05" in out
    assert "credit left: 0.00 USD" in out


def test_module_runs_as_a_program() -> None:
    """The README's first command: `python -m billrules` exits 0 and prints the example."""
    done = subprocess.run(
        [sys.executable, "-m", "billrules"], capture_output=True, text=True, check=False
    )
    assert (0, "") == (done.returncode, done.stderr)
    assert "Invoice history" in done.stdout
