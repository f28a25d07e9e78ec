"""Compare ``import billrules`` with importing its runtime dependencies alone.

Run with ``python benchmarks/bench_import.py``. Not a test: it prints figures. Each variant
runs in a fresh interpreter with ``-X importtime`` several times; the figure is the median of
the cumulative microseconds of the top-level imports. Target: billrules ≤ 1.3x the deps.

``import billrules`` loads its names lazily (PEP 562), so it is also timed with the first use
of one area (``billrules.Invoice``) and of everything (``billrules.explain``), which is what a
backend pays before its first answer, and with each area package imported on its own
(``import billrules.dunning``…). Target for every area: at most 2x the dependencies.

The variants are run in turns (one run of each, then again), so a busy machine slows them
alike: the ratios to the dependencies are the figures to compare, not the milliseconds.

Both sides are timed as installed: with their bytecode compiled (``pip`` compiles the
dependencies' on install; the project's is compiled here first, and ``PYTHONDONTWRITEBYTECODE``
is cleared for the runs), so compiling source is not what is timed.
"""

from __future__ import annotations

import compileall
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

RUNS = 15
VARIANTS = {
    "attrs + dateutil + moneyed": "import attrs, dateutil.relativedelta, moneyed",
    "billrules": "import billrules",
    "billrules + one area": "import billrules; billrules.Invoice",
    "billrules + every area": "import billrules; billrules.explain",
    **{
        f"billrules.{area}": f"import billrules.{area}"
        for area in (
            "balance",
            "cancellation",
            "deletion",
            "dunning",
            "invoices",
            "payment_methods",
            "seats",
            "subscriptions",
        )
    },
}


def cumulative_us(code: str) -> int:
    """The summed cumulative import time (µs) of the top-level imports of ``code``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    total = 0
    for line in run.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and not match.group(2):  # top level only: no indentation before the name
            total += int(match.group(1))
    return total


def main() -> None:
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "src", quiet=1)
    runs: dict[str, list[int]] = {name: [] for name in VARIANTS}
    for _ in range(RUNS):
        for name, code in VARIANTS.items():
            runs[name].append(cumulative_us(code))
    medians = {}
    for name, values in runs.items():
        values.sort()
        medians[name] = statistics.median(values)
        print(f"{name:<28} median {medians[name] / 1000:7.1f} ms  (min {values[0] / 1000:.1f})")
    deps = medians["attrs + dateutil + moneyed"]
    for name in list(VARIANTS)[1:]:
        target = "1.3x" if name == "billrules" else "2x"
        print(f"ratio {name} / deps: {medians[name] / deps:.2f}x (target <= {target})")


if __name__ == "__main__":
    main()
