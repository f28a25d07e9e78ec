"""The nightly job against one run (X-9, X-6): ``billrules run`` day by day with
``--accounts-out`` ends with the effect keys of one run over the whole window.

Run with ``python benchmarks/bench_nightly.py [--count 10000] [--days 30] [--workers 2]``. Not
a test: it prints figures. Over generated accounts (``billrules.testing.population_lines``,
seed 7, as of 2024-05-20), it runs the command once over ``--days`` days, then once per day,
each night reading the accounts the previous night wrote; it checks that the nights' effect
keys are those of the one run, each once, and that the last night's accounts are the ones the
one run leaves, and prints the counts and the times.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from billrules.testing import population_lines

START = datetime(2024, 5, 20, tzinfo=UTC)


def _run(
    accounts: Path, start: datetime, end: datetime, out: Path, after: Path, workers: int
) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "billrules",
            "run",
            str(accounts),
            "--start",
            start.isoformat(),
            "--end",
            end.isoformat(),
            "--out",
            str(out),
            "--accounts-out",
            str(after),
            "--workers",
            str(workers),
        ],
        check=True,
        stderr=subprocess.DEVNULL,  # each night's summary line
    )


def _keys(path: Path) -> list[str]:
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("key"):
                found.append(record["key"])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        accounts = root / "accounts.jsonl"
        accounts.write_text(
            "".join(line + "\n" for line in population_lines(args.count, seed=7, as_of=START)),
            encoding="utf-8",
        )
        end = START + timedelta(days=args.days)
        began = time.perf_counter()
        _run(accounts, START, end, root / "once.jsonl", root / "once-accounts.jsonl", args.workers)
        once_seconds = time.perf_counter() - began
        once = _keys(root / "once.jsonl")
        nightly: list[str] = []
        current = accounts
        began = time.perf_counter()
        for day in range(args.days):
            night = START + timedelta(days=day)
            after = root / f"night-{day}-accounts.jsonl"
            out = root / f"night-{day}.jsonl"
            _run(current, night, night + timedelta(days=1), out, after, args.workers)
            nightly.extend(_keys(out))
            current = after
        nights_seconds = time.perf_counter() - began
        same_accounts = current.read_bytes() == (root / "once-accounts.jsonl").read_bytes()
        kinds = collections.Counter(
            json.loads(line)["kind"]
            for line in (root / "once.jsonl").read_text(encoding="utf-8").splitlines()
        )
    print(f"{args.count} accounts, {args.days} days, workers={args.workers}")
    print(f"one run: {len(once)} effects in {once_seconds:.1f} s")
    print(f"{args.days} nights: {len(nightly)} effects in {nights_seconds:.1f} s")
    print(
        f"same keys: {sorted(once) == sorted(nightly)}; each once: {len(set(nightly)) == len(nightly)}"
    )
    print(f"same final accounts: {same_accounts}")
    print("effects by kind:", dict(sorted(kinds.items())))
    ok = sorted(once) == sorted(nightly) and len(set(nightly)) == len(nightly) and same_accounts
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
