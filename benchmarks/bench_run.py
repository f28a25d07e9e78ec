"""The run over many accounts (X-8): accounts per second, memory, and the cost of parsing and keying.

Run with ``python benchmarks/bench_run.py [--count 100000] [--skip-dask]``. Not a test: it
prints figures. Every figure is measured in this run, over the same generated accounts
(``billrules.testing.population_lines``, seed 1, a one-day window), and every side is first
checked to give the same output as one process:

- accounts per second: one process; ``workers=2``; a Dask ``LocalCluster`` with two worker
  processes (one partition per chunk of lines);
- the per-account cost of the run (parse, evaluate, key, write JSON Lines) against a one-day
  ``timeline`` call alone on accounts already parsed (target: at most 2.5×), median
  of five rounds over the first 2,000 accounts;
- the per-account cost of the run writing the accounts too (``--accounts-out``: records with
  the account after its effects, each account line written back) against the same run without
  it (target: at most 30% more) and against a one-day ``timeline`` alone, medians of five
  rounds over the first 2,000 accounts, on two one-day windows: the benchmark's, and one
  holding the 1st of the month (monthly charges: many accounts change); both sides are first
  checked to give the same effects;
- the peak memory (the high-water mark of RSS, ``VmHWM``) of a process running 10,000 and
  ``--count`` accounts, each in a fresh interpreter reading its accounts from a file and
  writing the effects to another: it must not grow with the count.

Reading the account JSON alone, against a base revision in the same run and split into
parsing, vetting and building: ``benchmarks/bench_read.py``.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from billrules.cli._accounts import Originals
from billrules.policy import DEFAULT_POLICY
from billrules.run import due, due_bag, file_lines, lines
from billrules.serialize import account_from_json
from billrules.testing import population_lines
from billrules.timeline import timeline

START = datetime(2024, 5, 8, tzinfo=UTC)
END = START + timedelta(days=1)
SAMPLE = 2_000
ROUNDS = 5

_MEMORY_CHILD = """
import resource, sys
from datetime import datetime, timedelta, UTC
from billrules.policy import DEFAULT_POLICY
from billrules.run import due, lines
start = datetime(2024, 5, 8, tzinfo=UTC)
with open(sys.argv[1], "rb") as source, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in lines(due(source, DEFAULT_POLICY, start=start, end=start + timedelta(days=1))):
        out.write(line)
# VmHWM is this image's own peak; ru_maxrss can carry the forking parent's across exec.
with open("/proc/self/status", encoding="ascii") as status:
    peak = [line.split()[1] for line in status if line.startswith("VmHWM:")]
print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _write_population(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.writelines(population_lines(count, seed=1, as_of=START))


def _run_lines(texts: list[str], workers: int) -> list[str]:
    return list(lines(due(texts, DEFAULT_POLICY, start=START, end=END, workers=workers)))


def _timed(function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def _dask(path: Path) -> tuple[list[str], float]:
    import dask.bag
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        # Warm the workers (imports) before timing, as the process pool's start is timed too.
        dask.bag.from_sequence([1, 2], npartitions=2).map(lambda x: x).compute()
        bag = dask.bag.read_text(str(path), blocksize=4_000_000)
        started = time.perf_counter()
        result = due_bag(bag, DEFAULT_POLICY, start=START, end=END).compute()
        return result, time.perf_counter() - started


def _per_account(texts: list[str]) -> None:
    sample = texts[:SAMPLE]
    accounts = [account_from_json(text) for text in sample]
    run_times, timeline_times = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _line in lines(due(sample, DEFAULT_POLICY, start=START, end=END)):
            pass
        run_times.append((time.perf_counter() - started) / len(sample))
        started = time.perf_counter()
        for account in accounts:
            for event in timeline(account, DEFAULT_POLICY, start=START, end=END).events:
                for effect in event.effects:
                    _ = effect.key
        timeline_times.append((time.perf_counter() - started) / len(sample))
    parse_times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for text in sample:
            account_from_json(text)
        parse_times.append((time.perf_counter() - started) / len(sample))
    run, alone = statistics.median(run_times), statistics.median(timeline_times)
    parse = statistics.median(parse_times)
    print(
        f"per account (median of {ROUNDS} rounds over {len(sample)}): run {run * 1e6:.1f} µs "
        f"vs one-day timeline alone {alone * 1e6:.1f} µs = {run / alone:.2f}x (target <= 2.5x); "
        f"reading the account JSON alone {parse * 1e6:.1f} µs (target <= 100 µs; bench_read.py"
        " compares it with a base revision side by side)"
    )


def _effects_only(data: bytes, start: datetime, end: datetime, sink: list[bytes]) -> None:
    """The command's path without ``--accounts-out``: lines in, effect lines out."""
    for line in lines(due(file_lines(io.BytesIO(data)), DEFAULT_POLICY, start=start, end=end)):
        sink.append(line.encode("utf-8"))


def _with_accounts(
    data: bytes, start: datetime, end: datetime, sink: list[bytes], kept: list[bytes]
) -> None:
    """The command's path with ``--accounts-out`` (:mod:`billrules.cli._accounts`)."""
    originals = Originals(io.BytesIO(data), "accounts")
    items = originals.lines(10 * 1024 * 1024, "10 MiB", None)
    records = due(items, DEFAULT_POLICY, start=start, end=end, applied=True)
    for line in lines(originals.stored(records, kept.append)):
        sink.append(line.encode("utf-8"))
    originals.finish(kept.append)


def _accounts_out(texts: list[str]) -> None:
    sample = texts[:SAMPLE]
    data = "".join(sample).encode("utf-8")
    for start in (START, datetime(2024, 5, 31, 12, tzinfo=UTC)):
        end = start + timedelta(days=1)
        accounts = [account_from_json(text) for text in sample]
        plain: list[bytes] = []
        _effects_only(data, start, end, plain)
        effects: list[bytes] = []
        kept: list[bytes] = []
        _with_accounts(data, start, end, effects, kept)
        assert effects == plain, "--accounts-out changes the effects"
        changed = sum(1 for old, new in zip(data.splitlines(True), kept, strict=True) if old != new)
        without, with_, alone = [], [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            _effects_only(data, start, end, [])
            without.append((time.perf_counter() - started) / len(sample))
            started = time.perf_counter()
            _with_accounts(data, start, end, [], [])
            with_.append((time.perf_counter() - started) / len(sample))
            started = time.perf_counter()
            for account in accounts:
                for event in timeline(account, DEFAULT_POLICY, start=start, end=end).events:
                    for effect in event.effects:
                        _ = effect.key
            alone.append((time.perf_counter() - started) / len(sample))
        a, b, c = (statistics.median(times) for times in (without, with_, alone))
        print(
            f"accounts output, window from {start:%Y-%m-%d %H:%M} ({changed} of {len(sample)} "
            f"accounts changed, {len(plain)} effect lines): run {a * 1e6:.1f} µs, with "
            f"--accounts-out {b * 1e6:.1f} µs = +{(b / a - 1) * 100:.0f}% (target <= 30%); "
            f"one-day timeline alone {c * 1e6:.1f} µs (run {a / c:.2f}x, with accounts "
            f"{b / c:.2f}x)"
        )


def _memory(path: Path, count: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, str(path), str(Path(scratch) / "out.jsonl")],
            capture_output=True,
            text=True,
            check=True,
        )
    return int(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument(
        "--accounts-only", action="store_true", help="measure the accounts output alone"
    )
    options = parser.parse_args()
    count = options.count
    if options.accounts_only:
        _accounts_out(list(population_lines(SAMPLE, seed=1, as_of=START)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "accounts.jsonl"
        _write_population(path, count)
        small = Path(scratch) / "small.jsonl"
        _write_population(small, 10_000)
        print(f"{count} accounts, one-day window, {os.cpu_count()} CPUs")
        for label, file, n in (("10,000", small, 10_000), (f"{count:,}", path, count)):
            rss = _memory(file, n)
            print(f"peak RSS of one process over {label} accounts: {rss / 1024:.1f} MiB")
        texts = path.read_text(encoding="utf-8").splitlines(keepends=True)
        _per_account(texts)
        _accounts_out(texts)
        one, seconds = _timed(_run_lines, texts, 1)
        print(f"one process: {count / seconds:,.0f} accounts/s ({seconds:.1f} s, {len(one)} lines)")
        two, seconds = _timed(_run_lines, texts, 2)
        assert two == one, "workers=2 differs from one process"
        print(f"workers=2:   {count / seconds:,.0f} accounts/s ({seconds:.1f} s)")
        if not options.skip_dask:
            on_dask, seconds = _dask(path)
            # Error lines would count lines per partition; the generated accounts have none.
            assert [line + "\n" for line in on_dask] == one, "Dask differs from one process"
            print(
                f"Dask LocalCluster, 2 workers: {count / seconds:,.0f} accounts/s ({seconds:.1f} s)"
            )
        del texts
    print(
        f"(this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
