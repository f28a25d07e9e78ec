"""X-8: the run over many accounts — streamed, its effects keyed (X-6), the same in one process,
several, or Dask."""

from __future__ import annotations

import io
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

from billrules import DEFAULT_POLICY, apply
from billrules.errors import InvalidInput, NaiveDatetimeError
from billrules.run import (
    AccountDue,
    AccountError,
    RunSummary,
    Unreadable,
    due,
    due_bag,
    file_lines,
    lines,
    read_bag,
)
from billrules.serialize import account_from_json, account_to_json
from billrules.testing import accounts, population, population_lines
from billrules.timeline import timeline

AS_OF = datetime(2024, 5, 8, tzinfo=UTC)
DAY = timedelta(days=1)
CARD = "4111 1111 1111 1111"


def _keys(records):
    return [
        effect.key
        for record in records
        if isinstance(record, AccountDue)
        for effect in record.effects
    ]


def test_each_account_yields_its_timeline_in_the_window_in_input_order():
    texts = list(population_lines(40, seed=3, as_of=AS_OF))
    records = list(due(texts, DEFAULT_POLICY, start=AS_OF, end=AS_OF + 10 * DAY))
    assert [record.line for record in records] == list(range(1, 41))
    assert [record.account_id for record in records] == [f"acct-{n:07d}" for n in range(40)]
    for record, data in zip(records, population(40, seed=3, as_of=AS_OF), strict=True):
        assert isinstance(record, AccountDue)
        from billrules.serialize import account_from_mapping

        expected = timeline(
            account_from_mapping(data), DEFAULT_POLICY, start=AS_OF, end=AS_OF + 10 * DAY
        )
        assert record.transitions == expected.events
        assert all(effect.account == record.account_id for effect in record.effects)
    assert sum(len(record.effects) for record in records) > 0


def test_accounts_mappings_and_text_give_the_same_records():
    data = list(population(15, seed=5, as_of=AS_OF))
    from billrules.serialize import account_from_mapping

    values = [account_from_mapping(item) for item in data]
    window = {"start": AS_OF, "end": AS_OF + 10 * DAY}
    from_text = list(due([json.dumps(item) for item in data], DEFAULT_POLICY, **window))
    assert list(due(data, DEFAULT_POLICY, **window)) == from_text
    assert list(due(values, DEFAULT_POLICY, **window)) == from_text
    assert (
        list(due([json.dumps(item).encode() for item in data], DEFAULT_POLICY, **window))
        == from_text
    )


def test_the_summary_counts_accounts_transitions_effects_and_errors():
    texts = [*population_lines(30, seed=2, as_of=AS_OF), "not json\n", "\n"]
    run = due(texts, DEFAULT_POLICY, start=AS_OF, end=AS_OF + 7 * DAY)
    assert run.summary == RunSummary()
    records = list(run)
    found = [record for record in records if isinstance(record, AccountDue)]
    assert run.summary == RunSummary(
        accounts=31,
        transitions=sum(len(record.transitions) for record in found),
        effects=sum(len(record.effects) for record in found),
        errors=1,
    )
    assert run.summary.effects > 0


def _bad_lines():
    # An inactive account scheduled for deletion: its reminders and deletion are effects.
    good = next(data for data in population(50, seed=9, as_of=AS_OF) if data["deletion_schedule"])
    unknown = {**good, "id": "has-unknown", "colour": "blue"}
    naive = {**good, "id": "naive", "created_at": "2024-01-10T10:00:00"}
    card = {**good, "id": "carded", "users": [{"id": CARD, "role": "owner"}]}
    card_id = {**good, "id": CARD}
    return [
        '{"id": "truncated", ',
        json.dumps(unknown),
        json.dumps(naive),
        json.dumps(card),
        json.dumps(card_id),
        "[1, 2]",
        json.dumps(good),
    ]


def test_bad_accounts_become_error_records_and_the_run_goes_on():
    records = list(due(_bad_lines(), DEFAULT_POLICY, start=AS_OF, end=AS_OF + DAY))
    errors = records[:6]
    assert all(isinstance(record, AccountError) for record in errors)
    assert [record.line for record in records] == [1, 2, 3, 4, 5, 6, 7]
    truncated, unknown, naive, carded, card_id, listed = errors
    assert truncated.field == "(account line)"
    assert truncated.account_id is None
    assert (unknown.account_id, unknown.field) == ("has-unknown", "colour")
    assert "unknown field" in unknown.message
    assert (naive.account_id, naive.field) == ("naive", "created_at")
    assert "timezone-aware" in naive.message
    assert carded.account_id == "carded"
    assert carded.field.startswith("users[0]")
    assert card_id.account_id is None
    assert "must be a JSON object" in listed.message
    assert isinstance(records[6], AccountDue)
    written = "".join(lines(records))
    digits = CARD.replace(" ", "")
    assert digits not in written.replace(" ", "")
    assert CARD not in written


def test_error_lines_are_tagged_and_effect_lines_carry_key_and_account():
    records = list(due(_bad_lines(), DEFAULT_POLICY, start=AS_OF - 40 * DAY, end=AS_OF + 40 * DAY))
    output = [json.loads(line) for line in lines(records)]
    errors = [item for item in output if item["kind"] == "account_error"]
    assert [item["line"] for item in errors] == [1, 2, 3, 4, 5, 6]
    assert set(errors[1]) == {"kind", "line", "account", "field", "message"}
    effects = [item for item in output if item["kind"] != "account_error"]
    assert effects
    assert all(item["account"] == records[6].account_id and item["key"] for item in effects)


def test_an_unreadable_item_is_an_error_on_its_line():
    (record,) = due(
        [Unreadable("the line is longer than 10 MiB")], DEFAULT_POLICY, start=AS_OF, end=AS_OF
    )
    assert record == AccountError(
        line=1, account_id=None, field="(account line)", message="the line is longer than 10 MiB"
    )


def test_arguments_are_checked_before_anything_is_read():
    with pytest.raises(InvalidInput) as raised:
        due([], DEFAULT_POLICY, start=AS_OF, end=AS_OF - DAY)
    assert raised.value.field == "end"
    with pytest.raises(NaiveDatetimeError):
        due([], DEFAULT_POLICY, start=AS_OF.replace(tzinfo=None), end=AS_OF)
    with pytest.raises(InvalidInput) as raised:
        due([], DEFAULT_POLICY, start=AS_OF, end=AS_OF, workers=0)
    assert raised.value.field == "workers"
    with pytest.raises(InvalidInput) as raised:
        due([], DEFAULT_POLICY, start=AS_OF, end=AS_OF, chunk=0)
    assert raised.value.field == "chunk"


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(1, 60 * 24 - 1), max_size=5),
)
def test_any_partition_of_a_window_into_runs_gives_each_key_once(seed, cuts):
    """X-6, X-8, X-9: runs over any partition of a window, each run's effects applied to the
    accounts before the next (as a host does night by night), give each key of the run over
    the whole window exactly once. Over fixed accounts they need not: a run's effects (a
    monthly charge, a deletion scheduled) change what the next run holds."""
    texts = list(population_lines(12, seed=seed, as_of=AS_OF))
    start, end = AS_OF - 30 * DAY, AS_OF + 30 * DAY
    instants = [start, *sorted(start + timedelta(hours=cut) for cut in set(cuts)), end]
    whole = _keys(due(texts, DEFAULT_POLICY, start=start, end=end))
    pieces = []
    for lo, hi in itertools.pairwise(instants):
        records = list(due(texts, DEFAULT_POLICY, start=lo, end=hi))
        pieces.extend(_keys(records))
        texts = [
            account_to_json(apply(account_from_json(text), record.effects))
            if isinstance(record, AccountDue)
            else text
            for text, record in zip(texts, records, strict=True)
        ]
    assert sorted(pieces) == sorted(whole)
    assert len(set(whole)) == len(whole)


@settings(max_examples=10, deadline=None)
@given(st.lists(accounts(), min_size=1, max_size=4))
def test_generated_accounts_run_as_their_timelines(values):
    texts = [account_to_json(account) for account in values]
    for account, record in zip(
        values, due(texts, DEFAULT_POLICY, start=AS_OF, end=AS_OF + 60 * DAY), strict=True
    ):
        assert isinstance(record, AccountDue)
        assert (
            record.transitions
            == timeline(account, DEFAULT_POLICY, start=AS_OF, end=AS_OF + 60 * DAY).events
        )


def test_two_worker_processes_give_the_same_records_in_the_same_order():
    texts = [
        *population_lines(120, seed=11, as_of=AS_OF),
        "oops\n",
        *population_lines(7, seed=12, as_of=AS_OF),
    ]
    window = {"start": AS_OF - 5 * DAY, "end": AS_OF + 5 * DAY}
    one = list(due(texts, DEFAULT_POLICY, **window))
    two = list(due(texts, DEFAULT_POLICY, **window, workers=2, chunk=16))
    assert two == one
    assert list(lines(two)) == list(lines(one))
    assert any(isinstance(record, AccountError) and record.line == 121 for record in two)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_dask_local_cluster_gives_what_one_process_gives(tmp_path):
    import dask.bag as bag_module
    import distributed

    path = tmp_path / "accounts.jsonl"
    path.write_text("".join([*population_lines(60, seed=4, as_of=AS_OF), "{]\n"]), encoding="utf-8")
    window = {"start": AS_OF - 5 * DAY, "end": AS_OF + 5 * DAY}
    with path.open("rb") as source:
        expected = [
            line.removesuffix("\n")
            for line in lines(due(file_lines(source), DEFAULT_POLICY, **window))
        ]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        bag = read_bag(str(path))
        result = due_bag(bag, DEFAULT_POLICY, **window).compute()
        # A bag of text lines (dask's own reader) gives the same for a file of valid UTF-8.
        assert (
            due_bag(bag_module.read_text(str(path)), DEFAULT_POLICY, **window).compute() == result
        )
        assert len(client.scheduler_info()["workers"]) == 2
        due_bag(bag, DEFAULT_POLICY, **window).to_textfiles(str(tmp_path / "out" / "*.jsonl"))
    assert result == expected
    assert json.loads(result[-1])["line"] == 61
    written = "".join(
        path.read_text(encoding="utf-8") for path in sorted((tmp_path / "out").glob("*.jsonl"))
    )
    assert written.splitlines() == expected


def test_the_command_runs_a_generated_file(tmp_path):
    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text(
        "".join(population_lines(200, seed=21, as_of=AS_OF)) + "nope\n", encoding="utf-8"
    )
    out = tmp_path / "effects.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "billrules",
            "run",
            str(accounts_file),
            "--start",
            "2024-05-01T00:00:00Z",
            "--end",
            "2024-05-15T00:00:00Z",
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 0, done.stderr
    summary = done.stderr.strip().splitlines()[-1]
    assert summary.startswith("billrules: run: 201 accounts, ")
    assert " 1 errors in " in summary
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written[-1]["kind"] == "account_error"
    assert written[-1]["line"] == 201
    effects = written[:-1]
    assert effects
    from billrules.effects import Effect
    from billrules.serialize import from_dict

    for item in effects:
        assert from_dict(Effect, item).key == item["key"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--start", "2024-05-01T00:00:00", "--end", "2024-05-02T00:00:00Z"],
            "--start: must be timezone-aware",
        ),
        (
            ["--start", "2024-05-02T00:00:00Z", "--end", "2024-05-01T00:00:00Z"],
            "--end: must not be before --start",
        ),
        (
            [
                "--start",
                "2024-05-01T00:00:00Z",
                "--end",
                "2024-05-02T00:00:00Z",
                "--workers",
                "0",
            ],
            "--workers",
        ),
    ],
)
def test_the_command_refuses_bad_arguments_with_exit_status_2(tmp_path, capsys, arguments, message):
    from billrules.cli import main

    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text("", encoding="utf-8")
    assert main(["run", str(accounts_file), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_the_command_refuses_a_missing_file_and_a_directory(tmp_path, capsys):
    from billrules.cli import main

    window = ["--start", "2024-05-01T00:00:00Z", "--end", "2024-05-02T00:00:00Z"]
    assert main(["run", str(tmp_path / "absent.jsonl"), *window]) == 2
    assert "cannot read the accounts file" in capsys.readouterr().err
    assert main(["run", str(tmp_path), *window]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_the_command_writes_to_stdout_and_skips_nothing_but_blank_lines(tmp_path, capsys):
    from billrules.cli import main

    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text("\n".join(population_lines(5, seed=1, as_of=AS_OF)), encoding="utf-8")
    status = main(
        [
            "run",
            str(accounts_file),
            "--start",
            "2024-04-01T00:00:00Z",
            "--end",
            "2024-06-01T00:00:00Z",
        ]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert "billrules: run: 5 accounts" in captured.err
    assert all(
        json.loads(line)["account"].startswith("acct-") for line in captured.out.splitlines()
    )


def test_an_over_long_line_is_an_error_record_and_the_next_line_is_read(
    tmp_path, capsys, monkeypatch
):
    from billrules import cli

    monkeypatch.setattr(cli, "MAX_FILE_BYTES", 2_000)
    monkeypatch.setattr(cli, "_LIMIT_TEXT", "2,000 bytes")
    good = next(data for data in population(50, seed=9, as_of=AS_OF) if data["deletion_schedule"])
    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text(
        '{"id": "' + "x" * 5_000 + '"}\n' + json.dumps(good) + "\n", encoding="utf-8"
    )
    window = ["--start", "2024-04-01T00:00:00Z", "--end", "2024-07-01T00:00:00Z"]
    assert cli.main(["run", str(accounts_file), *window]) == 0
    first, *rest = capsys.readouterr().out.splitlines()
    assert json.loads(first) == {
        "kind": "account_error",
        "line": 1,
        "account": None,
        "field": "(account line)",
        "message": "the line is longer than 2,000 bytes",
    }
    assert rest
    assert all(json.loads(line)["account"] == good["id"] for line in rest)


def test_the_stream_reads_ahead_a_bounded_amount_in_one_process_and_with_workers():
    """Records come out while the input is still being read: one process reads one account
    ahead of its output; two workers at most two chunks each."""
    consumed = []

    def source():
        for n, text in enumerate(population_lines(400, seed=8, as_of=AS_OF)):
            consumed.append(n)
            yield text

    run = due(source(), DEFAULT_POLICY, start=AS_OF, end=AS_OF + DAY)
    assert next(run).line == 1
    assert len(consumed) == 1
    consumed.clear()
    run = due(source(), DEFAULT_POLICY, start=AS_OF, end=AS_OF + DAY, workers=2, chunk=20)
    assert next(run).line == 1
    assert len(consumed) <= 2 * 2 * 20 + 1
    assert [record.line for record in run] == list(range(2, 401))


def test_memory_does_not_grow_with_the_number_of_accounts():
    """The peak of memory allocated while a run streams 1,000 accounts stays near that of 100,
    and far below what holding them would take (their lines alone are ~1.4 MB, the accounts
    ~15 KB each): nothing is kept per account."""
    import tracemalloc

    def peak(count):
        tracemalloc.start()
        try:
            for _line in lines(
                due(
                    population_lines(count, seed=5, as_of=AS_OF),
                    DEFAULT_POLICY,
                    start=AS_OF,
                    end=AS_OF + DAY,
                )
            ):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(50)  # compile the readers and fill the library's constant caches first
    small, large = peak(100), peak(1_000)
    assert large < 3 * small
    assert large < 1_000_000


def test_an_error_record_keeps_a_safe_id_even_when_vetting_refuses_the_line():
    good = json.loads(next(population_lines(1, seed=3, as_of=AS_OF)))
    nan = json.dumps({**good, "status": "active"}).replace('"active"', "NaN")
    surrogate_id = json.dumps({**good, "id": "\ud800"})
    (first, second) = due([nan, surrogate_id], DEFAULT_POLICY, start=AS_OF, end=AS_OF)
    assert (first.account_id, first.field) == (good["id"], "status")
    assert second.account_id is None


def test_the_command_stops_quietly_when_its_reader_does(tmp_path):
    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text(
        "".join(population_lines(3_000, seed=2, as_of=AS_OF)), encoding="utf-8"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "billrules",
            "run",
            str(accounts_file),
            "--start",
            "2024-04-01T00:00:00Z",
            "--end",
            "2024-07-01T00:00:00Z",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()
    _, errors = process.communicate(timeout=120)
    assert json.loads(first)["key"].startswith("eff_")
    assert process.returncode == 0, errors
    assert b"the output was closed early" in errors
    assert b"internal error" not in errors


def test_the_command_names_its_options_in_errors(tmp_path, capsys):
    from billrules.cli import main

    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text("", encoding="utf-8")
    assert (
        main(
            [
                "run",
                str(accounts_file),
                "--start",
                "9500-01-01T00:00:00Z",
                "--end",
                "9500-01-02T00:00:00Z",
            ]
        )
        == 2
    )
    assert "billrules: error: --start: must be in the years 1000 to 8999" in capsys.readouterr().err


def test_population_is_seeded_and_valid(tmp_path: Path):
    a = list(population_lines(300, seed=13, as_of=AS_OF))
    assert a == list(population_lines(300, seed=13, as_of=AS_OF))
    assert a != list(population_lines(300, seed=14, as_of=AS_OF))
    records = list(due(a, DEFAULT_POLICY, start=AS_OF, end=AS_OF + 30 * DAY))
    assert not [record for record in records if isinstance(record, AccountError)]
    kinds = {str(change.kind) for record in records for change in record.transitions}
    assert {"deletion_reminder", "renewal", "cancellation_effective"} <= kinds
    with pytest.raises(InvalidInput):
        population(-1, as_of=AS_OF)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    """The bar (over the file's bytes) is drawn on stderr when it is a terminal, never into a
    redirected stderr; the summary line comes last either way."""
    from billrules import cli

    accounts_file = tmp_path / "accounts.jsonl"
    accounts_file.write_text("".join(population_lines(30, seed=1, as_of=AS_OF)), encoding="utf-8")
    window = ["--start", "2024-05-01T00:00:00Z", "--end", "2024-05-02T00:00:00Z"]
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["run", str(accounts_file), *window]) == 0
    shown = terminal.getvalue()
    assert "accounts: 100%" in shown
    assert shown.rstrip().splitlines()[-1].startswith("billrules: run: 30 accounts")
    monkeypatch.undo()
    assert cli.main(["run", str(accounts_file), *window]) == 0
    err = capsys.readouterr().err
    assert "%" not in err
    assert err.startswith("billrules: run: 30 accounts")


def test_a_ten_megabyte_account_id_is_an_error_record_not_copied_into_effect_lines():
    """X-8: an account id over 256 characters is an error record naming ``id``, without the
    id, so it is never copied into every effect line."""
    window = {"start": AS_OF - 30 * DAY, "end": AS_OF + 60 * DAY}
    for text in population_lines(200, seed=1, as_of=AS_OF):
        (record,) = due([text], DEFAULT_POLICY, **window)
        if record.effects:
            break
    data = json.loads(text)
    data["id"] = "a" * 10_000_000
    (record,) = due([json.dumps(data)], DEFAULT_POLICY, **window)
    assert isinstance(record, AccountError)
    assert record.field == "id"
    assert record.account_id is None
    (line,) = lines([record])
    assert len(line) < 1_000
