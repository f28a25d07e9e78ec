"""The ``billrules`` command: explain and timeline on the bundled example, on the documented
account JSON, and on broken input (exit status 2, a one-line message, no traceback)."""

from __future__ import annotations

import errno
import importlib
import importlib.metadata
import io
import json
import os
import re
import runpy
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from billrules import cli
from billrules.cli import EXAMPLE_AT, MAX_FILE_BYTES, main
from billrules.errors import CurrencyMismatch
from billrules.policy import DEFAULT_POLICY, policy_to_json, policy_to_toml
from billrules.report import explain
from billrules.run import due, lines
from billrules.serialize import account_from_json
from billrules.testing import population_lines
from billrules.timeline import timeline

DOC = Path(__file__).resolve().parent.parent / "docs" / "account-json.md"
NEW_YORK = ZoneInfo("America/New_York")
#: When the documented account is explained: five days after its deletion was scheduled.
DOC_AT = "2024-04-30T12:00:00-04:00"
#: Seconds a run of the command may take before a test fails (a hang is a failure, not a wait).
TIMEOUT = 30


def documented_account(directory: Path) -> Path:
    """The ```json block of docs/account-json.md, written to a file in ``directory``."""
    blocks = re.findall(r"^```json\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    assert 1 == len(blocks)
    path = directory / "quiet-ny.json"
    path.write_text(blocks[0], encoding="utf-8")
    return path


def billrules(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m billrules ARGS`` in a fresh interpreter, output decoded as UTF-8.

    A run longer than :data:`TIMEOUT` seconds fails the test (``TimeoutExpired``).
    """
    return subprocess.run(
        [sys.executable, "-m", "billrules", *map(str, args)],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUTF8": "1", **(env or {})},
        check=False,
        timeout=TIMEOUT,
    )


def assert_input_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit status 2, nothing on stdout, one line on stderr holding every fragment."""
    assert (2, "") == (done.returncode, done.stdout)
    assert "Traceback" not in done.stderr
    assert 1 == done.stderr.count("\n"), done.stderr
    assert done.stderr.endswith("\n")
    assert done.stderr.startswith("billrules: error: ")
    for fragment in fragments:
        assert fragment in done.stderr


class TestBundledExample:
    def test_no_arguments_explain_the_delinquent_account_on_the_8th(self) -> None:
        """DUN-1: `python -m billrules` explains the seed's account on the 8th at 09:00 in Kyiv:
        the admin can open only the payment page, the staff keep access; DUN-2: account-wide,
        paying the whole debt lifts the restrictions."""
        done = billrules()
        assert (0, "") == (done.returncode, done.stderr)
        lines = done.stdout.splitlines()
        assert lines[0].startswith("Account kyiv-delinquent (Europe/Kyiv) at 2024-05-08 09:00")
        admin = done.stdout.split("\nadmin:\n")[1].split("\nstaff:\n")[0]
        staff = done.stdout.split("\nstaff:\n")[1].split("\naccount:\n")[0]
        assert "payment page only" in admin.splitlines()[0]
        assert "Access: full" in staff.splitlines()[0]
        assert "-33.00 USD" in done.stdout
        account = done.stdout.split("\naccount:\n")[1].split("\nnext:\n")[0]
        assert account.splitlines()[0].startswith("  [no ] dunning.debt_paid: ")
        assert "paying 33.00 USD in full lifts every restriction. [DUN-2]" in account

    def test_explain_json_is_the_library_report(self) -> None:
        """X-1: `explain --format json` prints exactly explain(...).to_dict() at the example's
        own instant."""
        done = billrules("explain", "--format", "json")
        assert (0, "") == (done.returncode, done.stderr)
        data = json.loads(done.stdout)
        assert ("kyiv-delinquent", EXAMPLE_AT.isoformat()) == (data["account_id"], data["at"])

    def test_timeline_shows_the_blocking_stage_on_the_10th(self) -> None:
        """DUN-1, DUN-4, X-5: from the 8th the next stage is the block on the 10th, then the
        renewal on the 1st."""
        done = billrules("timeline", "--end", "2024-06-01T00:00:01+03:00", "--format", "json")
        assert (0, "") == (done.returncode, done.stderr)
        events = [(event["at"], event["kind"]) for event in json.loads(done.stdout)["events"]]
        assert ("2024-05-10T00:00:00+03:00", "dunning_stage") == events[0]
        assert ("2024-06-01T00:00:00+03:00", "renewal") == events[-1]


class TestDocumentedAccount:
    def test_explain_the_account_from_the_docs(self, tmp_path: Path) -> None:
        """DEL-1, DEL-4, DEL-6: the documented account, scheduled for deletion, is explained with
        its reminders, deletion and purge coming next."""
        done = billrules("explain", documented_account(tmp_path), "--at", DOC_AT)
        assert (0, "") == (done.returncode, done.stderr)
        assert done.stdout.startswith("Account quiet-ny (America/New_York) at 2024-04-30 12:00")
        next_part = done.stdout.split("\nnext:\n")[1]
        assert "2024-05-02 10:00  deletion_reminder" in next_part
        assert "2024-05-05 10:00  account_deleted" in next_part

    def test_cli_json_equals_the_library(self, tmp_path: Path) -> None:
        """X-1, X-5: the command's JSON is the library's explain and timeline, unchanged."""
        path = documented_account(tmp_path)
        account = account_from_json(path.read_text(encoding="utf-8"))
        at = datetime.fromisoformat(DOC_AT)
        end = datetime(2024, 6, 1, tzinfo=NEW_YORK)
        report = billrules("explain", path, "--at", DOC_AT, "--format", "json")
        assert explain(account, DEFAULT_POLICY, at).to_dict() == json.loads(report.stdout)
        events = billrules(
            "timeline", path, "--start", DOC_AT, "--end", end.isoformat(), "--format", "json"
        )
        assert timeline(account, DEFAULT_POLICY, start=at, end=end).to_dict() == json.loads(
            events.stdout
        )

    def test_a_policy_file_changes_the_timeline(self, tmp_path: Path) -> None:
        """DEL-6: with a policy file keeping data 5 days instead of 20, the purge comes on the
        10th; the .toml and .json forms agree."""
        path = documented_account(tmp_path)
        (tmp_path / "short.toml").write_text("[deletion]\nretention_days = 5\n", encoding="utf-8")
        (tmp_path / "short.json").write_text('{"deletion": {"retention_days": 5}}', "utf-8")
        outputs = []
        for policy in ("short.toml", "short.json"):
            done = billrules(
                "timeline",
                path,
                "--start",
                DOC_AT,
                "--end",
                "2024-06-01T00:00:00-04:00",
                "--policy",
                tmp_path / policy,
            )
            assert (0, "") == (done.returncode, done.stderr)
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1]
        assert re.search(r"^  2024-05-10 10:00  deletion\s+data_purged", outputs[0], re.M)


class TestBrokenInput:
    """Each bad input: exit status 2, one line on stderr naming the file and field, no trace."""

    def test_malformed_json(self, tmp_path: Path) -> None:
        """Malformed JSON names the file and the line."""
        path = tmp_path / "broken.json"
        path.write_text('{\n  "id": "acme",\n  "zone" "Europe/Kyiv"\n}', encoding="utf-8")
        assert_input_error(billrules("explain", path), "broken.json: malformed JSON at line 3")

    def test_unknown_field(self, tmp_path: Path) -> None:
        """An unknown key names its path (a misspelt last_login is not silently "never")."""
        path = documented_account(tmp_path)
        text = path.read_text(encoding="utf-8").replace('"last_login_at": null', '"last_login": 1')
        path.write_text(text, encoding="utf-8")
        assert_input_error(billrules("explain", path), "users[2].last_login: unknown field")

    def test_naive_at(self) -> None:
        """X-3: a naive --at is refused, with the fix."""
        assert_input_error(
            billrules("explain", "--at", "2024-05-08T09:00"),
            "--at: must be timezone-aware",
            "add an offset",
        )

    def test_naive_instant_in_the_file(self, tmp_path: Path) -> None:
        """X-3: a naive instant inside the account names its path."""
        path = documented_account(tmp_path)
        text = path.read_text(encoding="utf-8").replace("10:00:00-05:00", "10:00:00")
        path.write_text(text, encoding="utf-8")
        assert_input_error(billrules("explain", path, "--at", DOC_AT), "created_at: must be")

    def test_unknown_zone(self, tmp_path: Path) -> None:
        """X-3: an unknown zone names the zone field."""
        path = documented_account(tmp_path)
        text = path.read_text(encoding="utf-8").replace("America/New_York", "America/New_Yrok")
        path.write_text(text, encoding="utf-8")
        assert_input_error(billrules("explain", path), "zone: unknown time zone")

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing account file is named, with the system's reason."""
        assert_input_error(
            billrules("explain", tmp_path / "nope.json"),
            "nope.json: cannot read the account file: No such file or directory",
        )

    def test_bad_policy_file(self, tmp_path: Path) -> None:
        """DUN-3: a policy file's error names its path: dunning.stages[2].first_dy."""
        text = policy_to_toml(DEFAULT_POLICY)
        head, stage_0, stage_1, rest = text.split("first_day", 3)
        policy = tmp_path / "policy.toml"
        policy.write_text("first_day".join([head, stage_0, stage_1]) + "first_dy" + rest, "utf-8")
        done = billrules("timeline", "--end", "2024-06-01T00:00Z", "--policy", policy)
        assert_input_error(done, "policy.toml: dunning.stages[2].first_dy: unknown field")

    def test_usage_error_is_one_line_too(self) -> None:
        """An unknown command or a missing --end is a usage error on one line, exit 2."""
        assert_input_error(billrules("explian"), "invalid choice: 'explian'")
        assert_input_error(billrules("timeline"), "--end")


class TestMainInProcess:
    """The same command through main(argv), for the branches the subprocesses do not measure."""

    def run(self, capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, Any, str]:
        status = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        try:
            return status, json.loads(out), err
        except json.JSONDecodeError:
            return status, out, err

    def test_no_arguments_is_explain_on_the_example(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """DUN-1: main([]) is `explain` on the bundled example at its own instant."""
        status, out, err = self.run(capsys)
        assert (0, "") == (status, err)
        assert out.startswith("Account kyiv-delinquent (Europe/Kyiv) at 2024-05-08 09:00")

    def test_an_account_file_defaults_to_the_current_time(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """For a file, --at and --start default to the current instant (the CLI reads the
        clock, the library never does): an aware instant in the output."""
        path = documented_account(tmp_path)
        status, data, _ = self.run(capsys, "explain", path, "--format", "json")
        assert 0 == status
        assert datetime.fromisoformat(data["at"]).tzinfo is not None
        status, data, _ = self.run(
            capsys, "timeline", path, "--end", "2100-01-01T00:00Z", "--format", "json"
        )
        assert 0 == status
        assert datetime.fromisoformat(data["start"]).tzinfo is not None

    def test_end_before_start(self, capsys: pytest.CaptureFixture[str]) -> None:
        """X-5: a window ending before it starts is bad input naming --end."""
        status, _, err = self.run(capsys, "timeline", "--end", "2024-05-01T00:00:00+03:00")
        assert 2 == status
        assert err.startswith("billrules: error: --end: must not be before --start")

    def test_library_errors_name_the_option(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An instant the rules refuse (before the account existed) names --at, not `at`."""
        status, _, err = self.run(capsys, "explain", "--at", "2020-01-01T00:00:00Z")
        assert 2 == status
        assert err.startswith("billrules: error: --at: must not be before the account's creation")

    def test_any_library_error_is_one_line(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Whatever billrules error the rules raise (here a policy that does not fit the
        account), the command reports it on one line with exit status 2."""

        def refuse(*args: object) -> None:
            raise CurrencyMismatch("policy.balance.base_tariff", "is in USD, expected EUR")

        monkeypatch.setattr(cli, "explain", refuse)
        status, _, err = self.run(capsys, "explain")
        assert (2, "billrules: error: policy.balance.base_tariff: is in USD, expected EUR\n") == (
            status,
            err,
        )

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--at", "tomorrow"], "--at: is not an ISO 8601 instant: 'tomorrow'"),
            (["--at", "2024-05-08"], "--at: must be timezone-aware"),
            (["--policy", "policy.yaml"], "--policy: policy.yaml: must be a .json or .toml"),
            (["--policy", "policy"], "must be a .json or .toml file, not none"),
            (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        ],
    )
    def test_bad_options(
        self, capsys: pytest.CaptureFixture[str], args: list[str], message: str
    ) -> None:
        """Bad option values exit 2 with a one-line message naming the option."""
        status, out, err = self.run(capsys, "explain", *args)
        assert (2, "") == (status, out)
        assert 1 == err.count("\n")
        assert message in err

    def test_unreadable_files(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A directory or a non-UTF-8 file is named, not a traceback."""
        status, _, err = self.run(capsys, "explain", tmp_path)
        assert 2 == status
        assert "cannot read the account file" in err
        latin = tmp_path / "latin.toml"
        latin.write_bytes(b"# caf\xe9\n")
        status, _, err = self.run(capsys, "explain", "--policy", latin)
        assert 2 == status
        assert "latin.toml: the policy file is not UTF-8 text" in err

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("a.json", "[]", "a.json: an account must be an object"),
            ("a.json", '{"id": 1}', "a.json: id: must be a string, not int"),
            ("p.json", '{"deletion": {"notice_days": -1}}', "p.json: deletion.notice_days: "),
            ("p.json", '{"deletion": ', "p.json: malformed JSON at line 1"),
            ("p.toml", "[deletion\n", "p.toml: malformed TOML: "),
        ],
    )
    def test_bad_files(
        self,
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        name: str,
        content: str,
        message: str,
    ) -> None:
        """A bad account or policy file names the file, then the field path or the line."""
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        args = [path] if name.startswith("a.") else ["--policy", path]
        status, out, err = self.run(capsys, "explain", *args)
        assert (2, "") == (status, out)
        assert 1 == err.count("\n")
        assert f"billrules: error: {tmp_path / message}" in err

    def test_a_json_policy_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """DUN-3: a JSON policy file moving the block to day 8 shows in the explanation."""
        policy = tmp_path / "policy.json"
        stages = json.loads(policy_to_json(DEFAULT_POLICY))
        stages["dunning"]["stages"][-1]["first_day"] = 8
        policy.write_text(json.dumps({"dunning": stages["dunning"]}), encoding="utf-8")
        status, data, _ = self.run(capsys, "explain", "--policy", policy, "--format", "json")
        assert 0 == status
        owner = data["roles"][0]
        assert "owner" == owner["role"]
        dunning = next(f for f in owner["findings"] if f["area"] == "dunning")
        assert "blocked" in dunning["summary"]

    def test_python_m_billrules_runs_main(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """`python -m billrules` is main(): its exit status becomes the process's (the
        subprocess tests run it for real; this one runs the file where coverage sees it)."""
        module = importlib.import_module("billrules.__main__")
        assert main is module.main
        monkeypatch.setattr(sys, "argv", ["billrules", "explain", "--at", "2024-05-08T09:00"])
        with pytest.raises(SystemExit) as excinfo:
            runpy.run_path(str(module.__file__), run_name="__main__")
        assert 2 == excinfo.value.code

    def test_help_exits_zero(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help prints the usage and succeeds."""
        status, out, _ = self.run(capsys, "--help")
        assert 0 == status
        assert "explain" in out
        assert "timeline" in out

    def test_a_closed_pipe_is_not_an_error(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """`billrules explain | head` stops reading early: exit 0, no traceback."""

        class ClosedPipe(io.StringIO):
            def __init__(self, fd: int) -> None:
                super().__init__()
                self.fd = fd

            def write(self, text: str) -> int:
                raise BrokenPipeError

            def fileno(self) -> int:
                return self.fd

        with (tmp_path / "out").open("w") as sink:
            monkeypatch.setattr(sys, "stdout", ClosedPipe(sink.fileno()))
            assert 0 == main(["explain"])


class TestWindowOptions:
    """One window everywhere: `--start INSTANT` and `--end INSTANT`, the library's `start=`
    and `end=`, for `timeline` and `run` alike; the old names are refused (exit 2)."""

    START = "2024-05-08T09:00:00+03:00"
    END = "2024-06-01T00:00:01+03:00"

    def test_timeline_takes_start_and_end(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """X-5: `timeline ACCOUNT --start S --end E` prints the library's
        timeline(account, policy, start=S, end=E)."""
        path = documented_account(tmp_path)
        start, end = "2024-04-01T00:00:00-04:00", "2024-08-01T00:00:00-04:00"
        status = main(["timeline", str(path), "--start", start, "--end", end, "--format", "json"])
        out, err = capsys.readouterr()
        assert (0, "") == (status, err)
        account = account_from_json(path.read_text(encoding="utf-8"))
        expected = timeline(
            account,
            DEFAULT_POLICY,
            start=datetime.fromisoformat(start),
            end=datetime.fromisoformat(end),
        ).to_dict()
        assert expected["events"]
        assert expected == json.loads(out)

    def test_run_takes_start_and_end(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """X-8: `run --start S --end E` writes the effects of due(start=S, end=E)."""
        texts = list(population_lines(30, seed=5, as_of=datetime.fromisoformat(self.START)))
        accounts = tmp_path / "accounts.jsonl"
        accounts.write_text("".join(texts), encoding="utf-8")
        out = tmp_path / "effects.jsonl"
        status = main(
            ["run", str(accounts), "--start", self.START, "--end", self.END, "--out", str(out)]
        )
        _, err = capsys.readouterr()
        assert 0 == status, err
        window = {
            "start": datetime.fromisoformat(self.START),
            "end": datetime.fromisoformat(self.END),
        }
        expected = "".join(lines(due(texts, DEFAULT_POLICY, **window)))
        assert expected
        assert expected == out.read_text(encoding="utf-8")

    @pytest.mark.parametrize(
        "args",
        [
            ["timeline", "--from", START, "--end", END],
            ["timeline", "--start", START, "--end", END, "--until", END],
            ["timeline", "--since", START, "--end", END],
            ["run", "accounts.jsonl", "--since", START, "--start", START, "--end", END],
            ["run", "accounts.jsonl", "--start", START, "--end", END, "--until", END],
            ["run", "accounts.jsonl", "--from", START, "--start", START, "--end", END],
        ],
        ids=lambda args: (
            f"{args[0]}-{next(a for a in args if a in ('--from', '--since', '--until'))}"
        ),
    )
    def test_the_old_window_options_are_refused(
        self, capsys: pytest.CaptureFixture[str], args: list[str]
    ) -> None:
        """`--from`, `--since` and `--until` are gone: a usage error naming the option, exit 2,
        nothing run or written."""
        old = next(arg for arg in args if arg in ("--from", "--since", "--until"))
        status = main(args)
        out, err = capsys.readouterr()
        assert (2, "") == (status, out)
        assert 1 == err.count("\n")
        assert err.startswith("billrules: error: unrecognized arguments: ")
        assert old in err

    @pytest.mark.parametrize(
        ("args", "missing"),
        [
            (["timeline", "--from", START, "--until", END], "--end"),
            (["run", "accounts.jsonl", "--since", START, "--until", END], "--start, --end"),
        ],
    )
    def test_only_the_old_names_is_a_missing_window(
        self, capsys: pytest.CaptureFixture[str], args: list[str], missing: str
    ) -> None:
        """A command line still written with the old names is told which new options it
        lacks (exit 2)."""
        status = main(args)
        _, err = capsys.readouterr()
        assert 2 == status
        assert f"the following arguments are required: {missing}" in err

    @pytest.mark.parametrize("command", ["timeline", "run"])
    def test_the_help_names_start_and_end_only(
        self, capsys: pytest.CaptureFixture[str], command: str
    ) -> None:
        """`billrules timeline --help` and `billrules run --help` name the window `[--start,
        --end)` and never the old options."""
        assert 0 == main([command, "--help"])
        out = capsys.readouterr().out
        assert "--start INSTANT" in out
        assert "--end INSTANT" in out
        assert "[--start, --end)" in " ".join(out.split())
        assert not re.search(r"--(from|since|until)\b", out)


def _deep(path: Path) -> str:
    path.write_text('{"users": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    return "users" + "[0]" * 31 + ": nesting deeper than 32 levels"


def _long_integer(path: Path) -> str:
    text = documented_account(path.parent).read_text(encoding="utf-8")
    path.write_text(text.replace('"total": 3', '"total": ' + "9" * 5000), encoding="utf-8")
    return "seats.total: is an integer of more than 40 digits"


def _duplicate_key(path: Path) -> str:
    path.write_text('{"id": "acme", "users": [{"id": "x", "id": "y"}]}', encoding="utf-8")
    return "users[0].id: appears twice in the same object"


def _invalid_utf8(path: Path) -> str:
    path.write_bytes(b'{"id": "caf\xe9"}')
    return "the account file is not UTF-8 text (invalid byte at offset 11)"


def _oversized(path: Path) -> str:
    with path.open("wb") as file:  # sparse: nothing is written, nothing must be read
        file.truncate(MAX_FILE_BYTES + 1)
    return "the account file is larger than 10 MiB"


def _fifo(path: Path) -> str:
    os.mkfifo(path)  # nobody ever writes to it: reading it would wait forever
    return "cannot read the account file: not a regular file"


def _directory(path: Path) -> str:
    path.mkdir()
    return "cannot read the account file: a directory"


def _lone_surrogate(path: Path) -> str:
    path.write_text('{"id": "acme", "users": [{"id": "\\ud800"}]}', encoding="utf-8")
    return "users[0].id: holds a lone surrogate"


def _nan(path: Path) -> str:
    path.write_text('{"id": "acme", "users": [], "created_at": NaN}', encoding="utf-8")
    return "created_at: is NaN or an infinity"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
class TestHostileFiles:
    """A file built to break the reader: exit 2, one line naming the file, no traceback, no hang
    (each run is bounded by TIMEOUT)."""

    @pytest.mark.parametrize(
        "make",
        [
            _deep,
            _long_integer,
            _duplicate_key,
            _invalid_utf8,
            _oversized,
            _fifo,
            _directory,
            _lone_surrogate,
            _nan,
        ],
    )
    def test_each_hostile_file_is_one_line(
        self, tmp_path: Path, make: Callable[[Path], str]
    ) -> None:
        """Deep nesting, a 5,000-digit integer, a duplicate key, invalid UTF-8, a sparse file
        over 10 MiB, a FIFO nobody writes to, a directory, a lone surrogate and NaN are each
        refused on one line naming the file and where the problem is."""
        path = tmp_path / "hostile.json"
        fragment = make(path)
        assert_input_error(billrules("explain", path, "--at", DOC_AT), f"{path}: {fragment}")

    @pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
    def test_dev_zero_is_not_read(self) -> None:
        """A device that never ends is refused without reading it."""
        assert_input_error(
            billrules("explain", "/dev/zero"),
            "/dev/zero: cannot read the account file: not a regular file",
        )

    def test_a_byte_order_mark_is_accepted(self, tmp_path: Path) -> None:
        """DEL-1: the documented account saved with a UTF-8 byte-order mark is explained."""
        path = documented_account(tmp_path)
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        done = billrules("explain", path, "--at", DOC_AT)
        assert (0, "") == (done.returncode, done.stderr)
        assert done.stdout.startswith("Account quiet-ny (America/New_York) at 2024-04-30 12:00")


class TestOutput:
    """Printing never kills the command."""

    def test_a_terminal_that_cannot_encode_gets_escapes(self, tmp_path: Path) -> None:
        """An account id in Cyrillic printed to an ASCII-only stdout: escapes, exit 0."""
        path = documented_account(tmp_path)
        path.write_text(path.read_text("utf-8").replace("quiet-ny", "тихий"), "utf-8")
        done = billrules("explain", path, "--at", DOC_AT, env={"PYTHONIOENCODING": "ascii"})
        assert (0, "") == (done.returncode, done.stderr)
        assert done.stdout.startswith("Account \\u0442\\u0438\\u0445\\u0438\\u0439 ")

    def test_a_closed_stdout_pipe_is_not_an_error(self) -> None:
        """`billrules timeline ... | head -0`: the reader is gone before the output; exit 0,
        nothing on stderr."""
        process = subprocess.Popen(
            [sys.executable, "-m", "billrules", "timeline", "--end", "2034-01-01T00:00Z"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None
        process.stdout.close()
        _, err = process.communicate(timeout=TIMEOUT)
        assert (0, b"") == (process.returncode, err)

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["explain", "--at", "9999-12-31T23:59:59+00:00"], "--at: must be in the years"),
            (["timeline", "--end", "9999-12-31T23:59:59+00:00"], "--end: must be in the years"),
            (["explain", "--zone", "Europe/Kyiv"], "unrecognized arguments: --zone"),
        ],
    )
    def test_calendar_ends_and_unknown_options(self, args: list[str], message: str) -> None:
        """X-3: an instant at the end of the calendar, or an option that does not exist, is bad
        input on one line, exit 2."""
        assert_input_error(billrules(*args), message)


class TestFilesInProcess:
    """The file checks through main(argv), where coverage sees them."""

    def run(self, capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
        status = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        if status:
            assert "" == out  # a refusal prints nothing on stdout
        return status, err

    def test_oversized_and_missing_files(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """A file over 10 MiB is refused by its size; a missing one names the system's reason."""
        path = tmp_path / "big.json"
        with path.open("wb") as file:
            file.truncate(MAX_FILE_BYTES + 1)
        status, err = self.run(capsys, "explain", path)
        assert (2, f"billrules: error: {path}: the account file is larger than 10 MiB\n") == (
            status,
            err,
        )
        status, err = self.run(capsys, "explain", tmp_path / "nope.json")
        assert 2 == status
        assert "nope.json: cannot read the account file: No such file or directory\n" in err

    def test_a_file_growing_after_its_size_was_read(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """The size limit holds even if the file grows between fstat and read: at most
        MAX_FILE_BYTES + 1 bytes are read."""
        path = tmp_path / "growing.json"
        with path.open("wb") as file:
            file.truncate(MAX_FILE_BYTES + 1)
        empty = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        monkeypatch.setattr(os, "fstat", lambda descriptor: empty)
        status, err = self.run(capsys, "explain", path)
        assert (2, f"billrules: error: {path}: the account file is larger than 10 MiB\n") == (
            status,
            err,
        )

    def test_a_read_error_is_named(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """An I/O error while reading is bad input naming the file and the system's reason."""
        path = documented_account(tmp_path)

        def fail(descriptor: int, size: int) -> bytes:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "read", fail)
        status, err = self.run(capsys, "explain", path)
        assert 2 == status
        assert f"{path}: cannot read the account file: Input/output error\n" in err

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("x = " + "[" * 100 + "]" * 100, "p.toml: line 1: nesting deeper than 32 levels"),
            ("[deletion]\nnotice_days = " + "1" * 5000, "p.toml: line 2: a number of more than"),
            ("\ufeff[deletion]\nnotice_days = nan", "p.toml: deletion.notice_days: is NaN"),
        ],
    )
    def test_hostile_policy_files(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
    ) -> None:
        """A TOML policy nested too deep or holding a 5,000-digit number names the line; NaN
        names its path (past a byte-order mark)."""
        path = tmp_path / "p.toml"
        path.write_text(content, encoding="utf-8")
        status, err = self.run(capsys, "explain", "--policy", path)
        assert 2 == status
        assert 1 == err.count("\n")
        assert f"{tmp_path / message}" in err

    def test_a_card_number_in_a_file_is_never_repeated(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """PM-6: a card number as the zone, as a key, or a long digit run typed as an option,
        is refused without being repeated."""
        path = documented_account(tmp_path)
        text = path.read_text("utf-8")
        for changed in (
            text.replace('"America/New_York"', '"4242424242424242"'),
            text.replace('"id": "quiet-ny"', '"4242 4242 4242 4242": "quiet-ny"'),
            text.replace('"America/New_York"', '"4242424242424241"'),  # fails Luhn, still hidden
        ):
            path.write_text(changed, "utf-8")
            status, err = self.run(capsys, "explain", path)
            assert 2 == status
            assert "42424" not in err.replace(str(tmp_path), "")
        status, err = self.run(capsys, "explain", "--at", "4242 4242 4242 4242")
        assert (2, "billrules: error: --at: is not an ISO 8601 instant: '•••' ") == (
            status,
            err[: len("billrules: error: --at: is not an ISO 8601 instant: '•••' ")],
        )

    def test_a_long_option_value_is_cut(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An option value of 300 characters is echoed cut, on one line."""
        status, err = self.run(capsys, "explain", "--at", "x" * 300)
        assert 2 == status
        assert "'" + "x" * 40 + "…'" in err
        assert "x" * 41 not in err

    def test_a_bug_is_one_line_and_exit_70(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failure of billrules itself is one line naming the exception type, never its
        message (which could repeat the input), and exit status 70."""

        def broken(*args: object) -> None:
            raise RuntimeError("4242424242424242")

        monkeypatch.setattr(cli, "explain", broken)
        status, err = self.run(capsys, "explain")
        assert 70 == status
        assert (
            "billrules: internal error (RuntimeError); please report it with the command that "
            "caused it\n"
        ) == err

    def test_an_interrupt_is_exit_130(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Ctrl-C stops the command quietly with the shell's status for an interrupt."""

        def interrupted(*args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "explain", interrupted)
        assert (130, "") == self.run(capsys, "explain")

    def test_an_ascii_stdout_gets_escapes(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Text the output encoding cannot hold is written with backslash escapes."""
        path = documented_account(tmp_path)
        path.write_text(path.read_text("utf-8").replace("quiet-ny", "тихий"), "utf-8")
        sink = io.BytesIO()
        stdout = io.TextIOWrapper(sink, encoding="ascii")
        monkeypatch.setattr(sys, "stdout", stdout)
        assert 0 == main(["explain", str(path), "--at", DOC_AT])
        assert sink.getvalue().startswith(b"Account \\u0442\\u0438\\u0445\\u0438\\u0439 (")


def test_the_schema_command_prints_a_schema_that_validates_the_documented_account(capsys):
    """`billrules schema account` prints a JSON Schema (2020-12) that the account example of
    docs/account-json.md satisfies, and that refuses the example with a naive instant."""
    import jsonschema  # type: ignore[import-untyped]  # a dev dependency without stubs

    assert main(["schema", "account"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    page = (Path(__file__).parent.parent / "docs" / "account-json.md").read_text(encoding="utf-8")
    example = json.loads(
        re.search(r"<!-- schema: account -->\n```json\n(.*?)^```$", page, re.M | re.S)[1]
    )
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors(example)) == []
    naive = {**example, "created_at": "2024-01-10T10:00:00"}
    assert list(validator.iter_errors(naive))


def test_the_schema_command_refuses_an_unknown_name(capsys):
    assert main(["schema", "invoice-ish"]) == 2
    assert "invalid choice" in capsys.readouterr().err


class TestVersion:
    """`billrules --version` prints the installed version and exits 0."""

    def test_version_prints_the_installed_distributions_version(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert 0 == main(["--version"])
        out, err = capsys.readouterr()
        assert (f"billrules {importlib.metadata.version('billrules')}\n", "") == (out, err)

    def test_version_falls_back_to_the_package_version_when_not_installed(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import billrules

        def missing(name: str) -> str:
            raise importlib.metadata.PackageNotFoundError(name)

        monkeypatch.setattr(importlib.metadata, "version", missing)
        assert 0 == main(["--version"])
        assert f"billrules {billrules.__version__}\n" == capsys.readouterr().out

    def test_python_m_billrules_version(self) -> None:
        done = billrules("--version")
        expected = f"billrules {importlib.metadata.version('billrules')}\n"
        assert (0, expected, "") == (done.returncode, done.stdout, done.stderr)

    def test_version_is_in_the_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["--help"])
        assert "--version" in capsys.readouterr().out
