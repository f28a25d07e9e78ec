"""`billrules run --accounts-out` (issue 20, "the nightly job in one call"; X-9): each account
read, after its effects in the window are applied, written in the input's order, so the next
window starts from the facts this one made; written whole at the end or not at all."""

from __future__ import annotations

import errno
import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billrules import DEFAULT_POLICY, apply, cli
from billrules.cli import main
from billrules.run import AccountDue, AccountError, due
from billrules.serialize import account_from_json, account_to_mapping
from billrules.testing import population_lines

AS_OF = datetime(2024, 3, 1, tzinfo=UTC)
#: Holds the 1st of June (monthly charges) and the first instant at which some accounts
#: become eligible for deletion (the run schedules it, DEL-1).
START = datetime(2024, 5, 29, tzinfo=UTC)
DAYS = 5
END = START + timedelta(days=DAYS)


def _window(start: datetime, end: datetime) -> list[str]:
    return ["--start", start.isoformat(), "--end", end.isoformat()]


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.jsonl"
    path.write_text("".join(population_lines(60, seed=5, as_of=AS_OF)), encoding="utf-8")
    return path


def _command(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "billrules", "run", *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )


def _run(accounts: Path, out: Path, kept: Path, start: datetime, end: datetime, *more: str):
    done = _command(
        [str(accounts), *_window(start, end), "--out", str(out), "--accounts-out", str(kept), *more]
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _keys(effects: list[dict[str, object]]) -> list[object]:
    return [effect["key"] for effect in effects]


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("billrules: error: ")
    assert "internal error" not in lines[0]
    return lines[0]


def test_a_second_run_over_the_same_window_adds_no_effect_and_changes_no_account(
    accounts_file, tmp_path
):
    """X-9, X-6: once the window's effects are applied, running it again finds nothing new:
    its keys are among the first run's, and the accounts it writes are its input, unchanged."""
    first = _run(accounts_file, tmp_path / "e1.jsonl", tmp_path / "a1.jsonl", START, END)
    kinds = {effect["kind"] for effect in first}
    assert {"debit_balance", "schedule_deletion"} <= kinds  # the window does change facts
    before = (tmp_path / "a1.jsonl").read_bytes()
    assert before != accounts_file.read_bytes()
    second = _run(tmp_path / "a1.jsonl", tmp_path / "e2.jsonl", tmp_path / "a2.jsonl", START, END)
    assert set(_keys(second)) <= set(_keys(first))
    assert "debit_balance" not in {effect["kind"] for effect in second}
    assert (tmp_path / "a2.jsonl").read_bytes() == before
    assert (tmp_path / "a1.jsonl").read_bytes() == before  # the input is never written


def test_accounts_out_holds_each_account_after_its_effects_in_the_input_order(
    accounts_file, tmp_path
):
    """Each line is the account read with its window's effects applied (billrules.apply),
    read back equal; an account the window did not change is its input line, byte for byte."""
    kept = tmp_path / "kept.jsonl"
    _run(accounts_file, tmp_path / "effects.jsonl", kept, START, END)
    read = accounts_file.read_text(encoding="utf-8").splitlines(keepends=True)
    written = kept.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(written) == len(read)
    records = list(due(read, DEFAULT_POLICY, start=START, end=END))
    changed = 0
    for line, after, record in zip(read, written, records, strict=True):
        assert isinstance(record, AccountDue)
        account = account_from_json(line)
        expected = apply(account, record.effects)
        assert account_from_json(after) == expected
        if expected is account:
            assert after == line
        else:
            changed += 1
            assert after.endswith("\n")
            assert after.count("\n") == 1
    assert changed > 0


def test_night_by_night_ends_with_the_effects_of_one_run(accounts_file, tmp_path):
    """X-9: five one-day windows, each reading the previous night's accounts, give the effects
    of one five-day run: the same keys, each once."""
    whole = _run(accounts_file, tmp_path / "whole.jsonl", tmp_path / "whole-a.jsonl", START, END)
    nights: list[dict[str, object]] = []
    accounts = accounts_file
    for day in range(DAYS):
        kept = tmp_path / f"night{day}-a.jsonl"
        first, last = START + timedelta(days=day), START + timedelta(days=day + 1)
        nights += _run(accounts, tmp_path / f"night{day}.jsonl", kept, first, last)
        accounts = kept
    assert sorted(_keys(nights)) == sorted(_keys(whole))
    assert len(set(_keys(nights))) == len(nights)
    assert accounts.read_bytes() == (tmp_path / "whole-a.jsonl").read_bytes()


def test_accounts_out_with_workers_is_what_one_process_writes(accounts_file, tmp_path):
    one = _run(accounts_file, tmp_path / "e1.jsonl", tmp_path / "a1.jsonl", START, END)
    two = _run(
        accounts_file, tmp_path / "e2.jsonl", tmp_path / "a2.jsonl", START, END, "--workers", "2"
    )
    assert two == one
    assert (tmp_path / "a2.jsonl").read_bytes() == (tmp_path / "a1.jsonl").read_bytes()


def test_lines_the_run_cannot_read_are_written_back_byte_for_byte(accounts_file, tmp_path):
    """Nothing is lost: a broken account line, a line that is not UTF-8, a blank line and a
    CRLF line the window does not change come back as they were, on their own lines."""
    good = accounts_file.read_bytes().splitlines(keepends=True)
    odd = [b'{"id": "broken"\n', b"\xff{\n", b" \t\n", good[0].replace(b"\n", b"\r\n")]
    source = tmp_path / "odd.jsonl"
    source.write_bytes(b"".join([*odd, *good[1:], b"\n", b'{"id": "last"']))
    kept = tmp_path / "kept.jsonl"
    effects = _run(source, tmp_path / "effects.jsonl", kept, START, END)
    written = kept.read_bytes().splitlines(keepends=True)
    assert written[:4] == odd
    assert written[-2:] == [b"\n", b'{"id": "last"']
    assert len(written) == len(good) + 5
    errors = [effect["line"] for effect in effects if effect["kind"] == "account_error"]
    assert errors == [1, 2, len(good) + 5]


def test_a_line_over_the_size_limit_is_copied_back_whole(accounts_file, tmp_path, monkeypatch):
    """A line too long to read is an error record, and is copied from the file unchanged,
    never held whole."""
    monkeypatch.setattr(cli, "MAX_FILE_BYTES", 100)
    long = b'{"id": "' + b"x" * 5000 + b'"}\n'
    source = tmp_path / "long.jsonl"
    source.write_bytes(b'{"id": "a"}\n' + long + b"\n")
    kept = tmp_path / "kept.jsonl"
    args = ["run", str(source), *_window(START, END), "--out", str(tmp_path / "e.jsonl")]
    assert main([*args, "--accounts-out", str(kept)]) == 0
    assert kept.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("alias", ["same", "symlink"])
def test_run_refuses_accounts_out_that_is_the_input(accounts_file, capsys, monkeypatch, alias):
    before = accounts_file.read_bytes()
    folder = accounts_file.parent
    monkeypatch.chdir(folder)
    target = accounts_file.name
    if alias == "symlink":
        os.symlink(accounts_file.name, folder / "link.jsonl")
        target = "link.jsonl"
    listing = sorted(os.listdir(folder))
    status = main(["run", str(accounts_file), *_window(START, END), "--accounts-out", target])
    assert status == 2
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert line.startswith(f"billrules: error: --accounts-out: {target}: is the accounts file")
    assert captured.out == ""
    assert accounts_file.read_bytes() == before
    assert sorted(os.listdir(folder)) == listing


@pytest.mark.parametrize("alias", ["same", "symlink", "new"])
def test_run_refuses_accounts_out_that_is_the_out_file(accounts_file, capsys, alias):
    folder = accounts_file.parent
    out = folder / "effects.jsonl"
    if alias != "new":
        out.write_text("old\n", encoding="utf-8")
    kept = out
    if alias == "symlink":
        kept = folder / "link.jsonl"
        kept.symlink_to(out.name)
    listing = sorted(os.listdir(folder))
    arguments = ["run", str(accounts_file), *_window(START, END), "--out", str(out)]
    assert main([*arguments, "--accounts-out", str(kept)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"billrules: error: --accounts-out: {kept}: is the --out file")
    assert sorted(os.listdir(folder)) == listing
    if alias != "new":
        assert out.read_text(encoding="utf-8") == "old\n"


def test_a_run_that_fails_half_way_leaves_the_old_accounts_out(accounts_file, monkeypatch):
    folder = accounts_file.parent
    kept = folder / "kept.jsonl"
    kept.write_text("old accounts\n", encoding="utf-8")

    def failing(records):
        for _ in zip(range(10), records, strict=False):
            yield '{"kind": "half"}\n'
        raise RuntimeError("a bug half way")

    monkeypatch.setattr(cli, "lines", failing)
    arguments = ["run", str(accounts_file), *_window(START, END), "--out", str(folder / "e")]
    assert main([*arguments, "--accounts-out", str(kept)]) == 70
    assert kept.read_text(encoding="utf-8") == "old accounts\n"
    assert sorted(path.name for path in folder.iterdir()) == ["accounts.jsonl", "kept.jsonl"]


def test_a_full_disk_for_accounts_out_is_exit_2_naming_it(accounts_file, monkeypatch, capsys):
    folder = accounts_file.parent
    kept = folder / "kept.jsonl"
    kept.write_text("old accounts\n", encoding="utf-8")
    real_fsync = os.fsync
    calls = []

    def full_the_second_time(descriptor: int) -> None:  # --out is synced first, then accounts
        calls.append(descriptor)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", full_the_second_time)
    arguments = ["run", str(accounts_file), *_window(START, END), "--out", str(folder / "e")]
    assert main([*arguments, "--accounts-out", str(kept)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == (
        f"billrules: error: --accounts-out: {kept}: cannot write: No space left on device"
    )
    assert kept.read_text(encoding="utf-8") == "old accounts\n"
    assert sorted(path.name for path in folder.iterdir()) == ["accounts.jsonl", "e", "kept.jsonl"]


def test_an_output_closed_early_leaves_accounts_out_unwritten(accounts_file, tmp_path):
    """The accounts carry the window's effects: stored without all of them delivered, the
    host would lose effects. So a reader that stops early leaves --accounts-out as it was."""
    kept = tmp_path / "kept.jsonl"
    kept.write_text("old accounts\n", encoding="utf-8")
    command = [sys.executable, "-m", "billrules", "run", str(accounts_file)]
    command += [*_window(START, END), "--accounts-out", str(kept)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # the reader is gone before the first effect
        err = process.stderr.read().decode()
        status = process.wait()
    assert status == 2
    line = _one_error_line(err)
    assert line.startswith(f"billrules: error: --accounts-out: {kept}: not written")
    assert kept.read_text(encoding="utf-8") == "old accounts\n"


class TestAppliedRecords:
    """The library side: ``due(..., applied=True)``."""

    def test_applied_is_the_account_after_its_effects_or_none(self, accounts_file):
        texts = accounts_file.read_text(encoding="utf-8").splitlines()
        records = list(due(texts, DEFAULT_POLICY, start=START, end=END, applied=True))
        plain = list(due(texts, DEFAULT_POLICY, start=START, end=END))
        assert [r.effects for r in records] == [r.effects for r in plain]
        assert all(record.applied is None for record in plain)
        for text, record in zip(texts, records, strict=True):
            account = account_from_json(text)
            expected = apply(account, record.effects)
            assert record.applied == (None if expected is account else expected)
        assert any(record.applied is not None for record in records)

    def test_applied_records_from_workers_are_those_of_one_process(self, accounts_file):
        texts = accounts_file.read_text(encoding="utf-8").splitlines()
        one = list(due(texts, DEFAULT_POLICY, start=START, end=END, applied=True))
        two = list(
            due(texts, DEFAULT_POLICY, start=START, end=END, applied=True, workers=2, chunk=16)
        )
        assert two == one

    def test_an_account_in_error_has_no_applied_account(self):
        records = list(due(['{"id": "x"'], DEFAULT_POLICY, start=START, end=END, applied=True))
        assert [type(record) for record in records] == [AccountError]


def _nights(texts: list[str], instants: list[datetime]) -> tuple[list[str], list[str]]:
    """The keys of runs over consecutive windows, each reading the accounts the previous one
    left (``applied``, as ``--accounts-out`` writes them), and the accounts left at the end."""
    keys: list[str] = []
    for start, end in itertools.pairwise(instants):
        left = []
        for text, record in zip(
            texts, due(texts, DEFAULT_POLICY, start=start, end=end, applied=True), strict=True
        ):
            assert isinstance(record, AccountDue)
            keys += [effect.key for effect in record.effects]
            after = record.applied
            left.append(text if after is None else json.dumps(account_to_mapping(after)))
        texts = left
    return keys, texts


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(1, 20 * 24 - 1), max_size=4))
def test_any_partition_of_a_window_into_applied_runs_gives_each_key_once(seed, cuts):
    """X-9, X-6: runs over any partition of a window, each reading the accounts the previous
    run left, give the keys of one run over the window, each once, and leave the accounts one
    run leaves."""
    texts = list(population_lines(12, seed=seed, as_of=AS_OF))
    start, end = START - timedelta(days=10), START + timedelta(days=10)
    instants = [start, *sorted(start + timedelta(hours=cut) for cut in set(cuts)), end]
    whole, left = _nights(texts, [start, end])
    pieces, left_by_pieces = _nights(texts, instants)
    assert sorted(pieces) == sorted(whole)
    assert len(set(whole)) == len(whole)
    assert [account_from_json(text) for text in left_by_pieces] == [
        account_from_json(text) for text in left
    ]
