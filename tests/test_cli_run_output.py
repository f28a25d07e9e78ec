"""`billrules run` never loses or destroys data (issue 18, class 1): an output that is the input
is refused, --out is replaced whole or not at all, and a write that fails is exit 2 with one
line, never an "internal error"."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from billrules import cli
from billrules.cli import main
from billrules.testing import population_lines

AS_OF = datetime(2024, 5, 8, tzinfo=UTC)
WINDOW = ["--start", "2024-05-01T00:00:00Z", "--end", "2024-05-15T00:00:00Z"]


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.jsonl"
    path.write_text("".join(population_lines(40, seed=3, as_of=AS_OF)), encoding="utf-8")
    return path


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("billrules: error: ")
    assert "internal error" not in lines[0]
    return lines[0]


def _run_command(arguments: list[str], **kwargs) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "billrules", "run", *arguments],
        capture_output="stdout" not in kwargs,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        **kwargs,
    )


@pytest.mark.parametrize("alias", ["same", "dot", "symlink", "hardlink"])
def test_run_refuses_out_that_is_the_input(accounts_file, capsys, monkeypatch, alias):
    before = accounts_file.read_bytes()
    folder = accounts_file.parent
    monkeypatch.chdir(folder)
    out = {
        "same": str(accounts_file),
        "dot": f"./{accounts_file.name}",
        "symlink": "link.jsonl",
        "hardlink": "hard.jsonl",
    }[alias]
    if alias == "symlink":
        os.symlink(accounts_file.name, folder / "link.jsonl")
    if alias == "hardlink":
        os.link(accounts_file, folder / "hard.jsonl")
    listing = sorted(os.listdir(folder))
    assert main(["run", str(accounts_file), *WINDOW, "--out", out]) == 2
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert line.startswith(f"billrules: error: --out: {out}: is the accounts file")
    assert captured.out == ""
    assert accounts_file.read_bytes() == before
    assert sorted(os.listdir(folder)) == listing  # no temporary file left either


def test_run_refuses_a_stdout_that_is_the_input(accounts_file):
    before = accounts_file.read_bytes()
    with accounts_file.open("ab") as appended:
        done = _run_command([str(accounts_file), *WINDOW], stdout=appended, stderr=subprocess.PIPE)
    assert done.returncode == 2
    line = _one_error_line(done.stderr.decode())
    assert "the output (stdout) is the accounts file" in line
    assert accounts_file.read_bytes() == before


def test_run_replaces_out_whole_keeping_its_mode_and_leaves_no_temporary_file(
    accounts_file, capsys
):
    out = accounts_file.parent / "effects.jsonl"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    assert main(["run", str(accounts_file), *WINDOW, "--out", str(out)]) == 0
    written = out.read_text(encoding="utf-8").splitlines()
    assert written
    assert written[0] != "old"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(path.name for path in accounts_file.parent.iterdir()) == [
        "accounts.jsonl",
        "effects.jsonl",
    ]
    assert "billrules: run: 40 accounts" in capsys.readouterr().err


def test_run_gives_a_new_out_the_mode_the_umask_allows(accounts_file):
    out = accounts_file.parent / "new.jsonl"
    previous = os.umask(0o027)
    try:
        assert main(["run", str(accounts_file), *WINDOW, "--out", str(out)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_run_through_a_symlinked_out_replaces_the_file_it_names(accounts_file):
    target = accounts_file.parent / "effects.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = accounts_file.parent / "latest.jsonl"
    link.symlink_to(target.name)
    assert main(["run", str(accounts_file), *WINDOW, "--out", str(link)]) == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith('{"kind":')


def test_a_run_that_fails_half_way_leaves_the_old_out_as_it_was(accounts_file, monkeypatch):
    out = accounts_file.parent / "effects.jsonl"
    out.write_text("old\n", encoding="utf-8")

    def failing(records):
        yield '{"kind": "half"}\n'
        raise RuntimeError("a bug half way")

    monkeypatch.setattr(cli, "lines", failing)
    assert main(["run", str(accounts_file), *WINDOW, "--out", str(out)]) == 70
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(path.name for path in accounts_file.parent.iterdir()) == [
        "accounts.jsonl",
        "effects.jsonl",
    ]


def test_a_full_disk_at_the_end_is_exit_2_and_keeps_the_old_out(accounts_file, monkeypatch, capsys):
    out = accounts_file.parent / "effects.jsonl"
    out.write_text("old\n", encoding="utf-8")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert main(["run", str(accounts_file), *WINDOW, "--out", str(out)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"billrules: error: --out: {out}: cannot write: No space left on device"
    assert out.read_text(encoding="utf-8") == "old\n"
    assert len(list(accounts_file.parent.iterdir())) == 2


def test_a_folder_that_refuses_the_temporary_file_is_exit_2(accounts_file, monkeypatch, capsys):
    folder = accounts_file.parent / "read-only"
    folder.mkdir()
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if str(path).startswith(str(folder)) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    out = folder / "effects.jsonl"
    assert main(["run", str(accounts_file), *WINDOW, "--out", str(out)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"billrules: error: --out: {out}: cannot write: Permission denied"
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_exit_2(accounts_file):
    folder = accounts_file.parent / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = _run_command([str(accounts_file), *WINDOW, "--out", str(folder / "x.jsonl")])
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2
    assert "cannot write: Permission denied" in _one_error_line(done.stderr.decode())


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_out_dev_full_is_exit_2_with_one_line(accounts_file):
    done = _run_command([str(accounts_file), *WINDOW, "--out", "/dev/full"])
    assert done.returncode == 2
    line = _one_error_line(done.stderr.decode())
    assert line == "billrules: error: --out: /dev/full: cannot write: No space left on device"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_stdout_on_a_full_disk_is_exit_2_with_one_line(accounts_file):
    with open("/dev/full", "wb") as full:
        done = _run_command([str(accounts_file), *WINDOW], stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    line = _one_error_line(done.stderr.decode())  # nothing more: no "Exception ignored"
    assert line == "billrules: error: the output (stdout): cannot write: No space left on device"


def test_out_that_is_a_directory_is_refused(accounts_file, capsys):
    assert main(["run", str(accounts_file), *WINDOW, "--out", str(accounts_file.parent)]) == 2
    assert _one_error_line(capsys.readouterr().err).endswith(": is a directory")


def test_a_fifo_out_is_written_in_place(accounts_file):
    fifo = accounts_file.parent / "effects.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        done = _run_command([str(accounts_file), *WINDOW, "--out", str(fifo)])
    finally:
        reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    expected = _run_command([str(accounts_file), *WINDOW]).stdout
    assert received == [expected]
    assert expected
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_empty_out_is_refused_as_empty_not_as_the_current_folder(accounts_file, capsys):
    """X-8: ``--out ""`` names no file: exit 2, saying so (not "is a directory")."""
    assert main(["run", str(accounts_file), *WINDOW, "--out", ""]) == 2
    assert _one_error_line(capsys.readouterr().err).endswith(
        "--out: the path is empty; name a file"
    )
