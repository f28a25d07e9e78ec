"""The ``billrules`` command: what is the state of this account, why, and what happens next.

Usage::

    billrules --version            # prints "billrules 0.1.0"
    billrules explain  [ACCOUNT.json | --example NAME] [--at INSTANT] [--policy FILE]
                       [--format text|json]
    billrules timeline [ACCOUNT.json | --example NAME] --end INSTANT [--start INSTANT]
                       [--policy FILE] [--format text|json]
    billrules run ACCOUNTS.jsonl --start INSTANT --end INSTANT [--workers N] [--policy FILE]
                  [--out FILE] [--accounts-out FILE]
    billrules import stripe FILE --zone ZONE --owner ID [--admin ID] [--staff ID] [--strict]
                     [--out ACCOUNT.json] [--seat-price PRICE_ID] [--prepaid] [--at INSTANT]
                     [--format text|json]     # docs/import-stripe.md
    python -m billrules            # explain the bundled example account

``ACCOUNT.json`` is an account snapshot in the format of ``docs/account-json.md``. Without it,
the command runs on a bundled example (:data:`EXAMPLES`), ``--example NAME``: ``delinquent``
(the default), the seed's delinquent prepaid account in Kyiv, whose balance turned negative
with the monthly charge of 1 May 2024, seen on the 8th at 09:00 local time (when the admin can
open only the payment page, DUN-1); or ``overdue``, a postpaid account in New York whose invoice
of 49.00 USD, due on 1 May 2024, failed to charge at 09:00, seen at noon (its retries, the
collections ladder and the final action ahead, OVD-1 … OVD-5). An account file and
``--example`` together are refused. ``--policy`` reads a policy file (``.json`` or ``.toml``,
see :mod:`billrules.policy`); without it the seeds' policy applies.

Instants are ISO 8601 with an offset (``2024-05-08T09:00:00+03:00`` or ``...Z``); a naive one is
refused (X-3). This is the one place in billrules that reads the clock: for an account file,
``--at`` (and ``--start``) default to the current time. For a bundled example they default to
its own instant, so its output never changes.

Files: an account or policy file is read only if it is a regular file of at most 10 MiB
(:data:`MAX_FILE_BYTES`, checked before reading; a directory, a FIFO or a device such as
``/dev/zero`` is refused without waiting on it), as UTF-8 text (a leading byte-order mark is
ignored). What a file may hold is limited too (nesting, integer length, duplicate keys: see
``docs/account-json.md``).

Output never fails the command: text the terminal cannot encode is written with backslash
escapes, and a reader that stops early (``billrules explain | head``) is not an error.

Exit status: 0 on success; 2 on bad input (a missing or unreadable file, malformed JSON or TOML,
an unknown field, a naive instant, an unknown zone, a value breaking a rule, an account file
with ``--example``; for ``run``, an output that is the accounts file or that cannot be written,
an ``--accounts-out`` that is the effects' output), with a one-line
message on stderr that names the file and the field, and no traceback; 70 (``EX_SOFTWARE``) if
billrules itself fails, with one line naming the exception type (never its message, which could
repeat the input) and asking for a report; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import stat
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final, NoReturn, TextIO, TypeVar

from tqdm import tqdm

from billrules import __version__ as _package_version
from billrules._redact import masked
from billrules.account import Account
from billrules.cli import _examples, _import
from billrules.cli._accounts import Originals as _Originals
from billrules.cli._accounts import output as _accounts_output
from billrules.cli._instants import instant as _instant
from billrules.cli._out import InputError as _InputError
from billrules.cli._out import output as _output
from billrules.cli._out import quiet_stdout as _quiet_stdout
from billrules.cli._out import reason as _reason
from billrules.cli._out import refuse_same_outputs as _refuse_same_outputs
from billrules.errors import BillRulesError, LocaleFallback
from billrules.i18n import LOCALES, render
from billrules.policy import DEFAULT_POLICY, Policy, policy_from_json, policy_from_toml
from billrules.report import Report, explain
from billrules.run import due, file_lines, lines
from billrules.schema import NAMES, schema_text
from billrules.serialize import account_from_json
from billrules.timeline import Timeline, timeline

__all__ = [
    "EXAMPLES",
    "EXAMPLE_AT",
    "EXAMPLE_FILE",
    "MAX_FILE_BYTES",
    "main",
]

#: Every bundled example by its name (``--example NAME``): its file inside the ``billrules``
#: package (``file``), its own instant (``at``) and what it shows (``about``).
EXAMPLES: Final = _examples.EXAMPLES

#: The default bundled example account's file (``delinquent``), inside the ``billrules``
#: package.
EXAMPLE_FILE: Final = EXAMPLES[_examples.DEFAULT].file

#: The default bundled example's own instant: the 8th of the month, 09:00 in Kyiv, a week
#: after the monthly charge of the 1st turned the balance negative (DUN-1: the admin sees only
#: the payment page, the staff keep access).
EXAMPLE_AT: Final = EXAMPLES[_examples.DEFAULT].at

#: The largest account or policy file the command reads: 10 MiB.
MAX_FILE_BYTES: Final = 10 * 1024 * 1024

_LIMIT_TEXT: Final = "10 MiB"

#: The most worker processes ``billrules run --workers`` takes.
_MOST_WORKERS: Final = 256

_T = TypeVar("_T")

#: The library's parameter names and the options that give them.
_OPTIONS: Final = {"at": "--at", "start": "--start", "end": "--end"}

_PROG: Final = "billrules"

#: Exit statuses: bad input, a failure of billrules itself (``EX_SOFTWARE``), interrupted.
_BAD_INPUT: Final = 2
_INTERNAL: Final = 70
_INTERRUPTED: Final = 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        _complain(f"{message} (see {self.prog} --help)")
        self.exit(_BAD_INPUT)


def _parser() -> _Parser:
    parser = _Parser(
        prog=_PROG,
        description=(
            "Explain a billing account: every decision for every role, with reasons and rule "
            "IDs, and what happens next. Without a command, explains the bundled example."
        ),
        epilog=f"Bundled examples (explain or timeline --example NAME): {_examples.help_text()}.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{_PROG} {_version()}",
        help="print the installed billrules' version and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    explain_ = commands.add_parser(
        "explain",
        help="every decision for every role at one instant, and what happens next",
        description="Every decision for every role at one instant, and what happens next.",
    )
    _account_argument(explain_)
    explain_.add_argument(
        "--at",
        metavar="INSTANT",
        help="the instant to explain, ISO 8601 with an offset (default: now for an account "
        "file, a bundled example's own instant for it: see --example)",
    )
    _common_options(explain_)
    timeline_ = commands.add_parser(
        "timeline",
        help="what happens to the account and when, between two instants",
        description="Every event of the account in [--start, --end), in time order.",
    )
    _account_argument(timeline_)
    timeline_.add_argument(
        "--end",
        metavar="INSTANT",
        required=True,
        help="the end of the window (excluded), ISO 8601 with an offset",
    )
    timeline_.add_argument(
        "--start",
        metavar="INSTANT",
        help="the start of the window (included; default: now for an account file, a "
        "bundled example's own instant for it: see --example)",
    )
    _common_options(timeline_)
    _run_parser(commands)
    _import.add_parser(commands)
    schema_ = commands.add_parser(
        "schema",
        help="print a published JSON Schema (2020-12)",
        description="Print the JSON Schema (draft 2020-12) of one of billrules' JSON forms.",
    )
    schema_.add_argument("name", choices=NAMES, help="which document")
    return parser


def _version() -> str:
    """The installed distribution's version; the package's ``__version__`` if it is not
    installed (run from a source tree)."""
    try:
        return importlib.metadata.version(_PROG)
    except importlib.metadata.PackageNotFoundError:
        return _package_version


def _run_parser(commands: Any) -> None:
    run_ = commands.add_parser(
        "run",
        help="every effect due for many accounts in [--start, --end), as JSON Lines",
        description=(
            "Every keyed effect due in [--start, --end) for each account of a JSON Lines "
            "file (one account snapshot per line), as JSON Lines: one effect per line, and one "
            "account_error line per account that cannot be read. The summary goes to stderr. "
            "With --accounts-out, also the accounts as the window leaves them (its effects "
            "applied): the next window's input, for a nightly job."
        ),
    )
    run_.add_argument("accounts", metavar="ACCOUNTS.jsonl", help="account snapshots, one per line")
    run_.add_argument(
        "--start", metavar="INSTANT", required=True, help="the window's start (included)"
    )
    run_.add_argument("--end", metavar="INSTANT", required=True, help="the window's end (excluded)")
    run_.add_argument(
        "--workers", type=_positive, default=1, metavar="N", help="processes to use (default 1)"
    )
    run_.add_argument(
        "--policy",
        metavar="FILE",
        help="a policy file, .json or .toml (default: the seeds' policy)",
    )
    run_.add_argument("--out", metavar="FILE", help="write the effects there (default: stdout)")
    run_.add_argument(
        "--accounts-out",
        metavar="FILE",
        help="also write each account after its effects in the window, one account JSON "
        "line per input line, in order (a line the window did not change, or could not "
        "read, is written back as it was): the input of the next window, which starts at "
        "this --end; written whole at the end of a complete run, or not at all",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= _MOST_WORKERS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {_MOST_WORKERS}")
    return int(text)


def _account_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "account",
        metavar="ACCOUNT.json",
        nargs="?",
        help="an account snapshot in JSON (default: a bundled example account, see --example)",
    )
    parser.add_argument(
        "--example",
        choices=tuple(_examples.EXAMPLES),
        metavar="NAME",
        help="explain a bundled example account instead of ACCOUNT.json, at its own instant "
        f"unless told otherwise: {_examples.help_text()}",
    )


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="a policy file, .json or .toml (default: the seeds' policy)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for programs",
    )
    parser.add_argument(
        "--locale",
        default="en",
        metavar="LOCALE",
        help=f"the language of the text: {', '.join(LOCALES)} (default en; uk_UA works too; "
        "another falls back to English with a warning; json output is locale-free)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``billrules`` command; the exit status is returned, not raised.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``). No arguments
            at all explain the bundled example.

    Returns:
        0 on success, 2 on bad input (the one-line message is on stderr), 70 if billrules
        itself failed (one line naming the exception type), 130 when interrupted.
    """
    arguments = list(sys.argv[1:] if argv is None else argv) or ["explain"]
    try:
        return _main(arguments)
    except KeyboardInterrupt:
        return _INTERRUPTED
    except Exception as error:  # a bug of billrules: one line, never the message (see above)
        _complain(
            f"internal error ({type(error).__name__}); "
            "please report it with the command that caused it",
            prefix="",
        )
        return _INTERNAL


def _main(arguments: list[str]) -> int:
    try:
        options = _parser().parse_args(arguments)
    except SystemExit as exit_:  # --help, or a usage error already printed on one line
        return exit_.code if isinstance(exit_.code, int) else _BAD_INPUT
    try:
        if options.command == "run":
            return _batch(options)
        if options.command == "import":
            return _import.command(options, _read, lambda text: _write(sys.stderr, text))
        if options.command == "schema":
            output = schema_text(options.name).rstrip("\n")
        else:
            output = _run(options)
    except (_InputError, BillRulesError) as error:
        _complain(str(error))
        return _BAD_INPUT
    try:
        _write(sys.stdout, output + "\n")
    except BrokenPipeError:
        # The reader stopped early (``billrules explain | head``): not an error of the input.
        _quiet_stdout()
    return 0


def _complain(message: str, prefix: str = "error: ") -> None:
    """Write ``billrules: error: MESSAGE`` on stderr: one line, card-like digit runs masked."""
    line = masked(" ".join(message.split()), fewest=12)
    _write(sys.stderr, f"{_PROG}: {prefix}{line}\n")


def _write(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream``, escaping what its encoding cannot hold (never failing)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # pragma: no cover - a stream naming an encoding Python does not know
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    stream.write(text)
    stream.flush()


def _run(options: argparse.Namespace) -> str:
    account, default_at = _load_account(options.account, options.example)
    policy = _load_policy(options.policy)
    try:
        return _answer(options, account, policy, default_at)
    except BillRulesError as error:
        # The library names its parameters (``at``); the user typed the options (``--at``).
        field = getattr(error, "field", "")
        if field not in _OPTIONS:
            raise
        raise _InputError(f"{_OPTIONS[field]}: {getattr(error, 'problem', error)}") from None


def _answer(
    options: argparse.Namespace, account: Account, policy: Policy, default_at: datetime
) -> str:
    if options.command == "explain":
        at = _instant(options.at, "--at", default_at)
        report = explain(account, policy, at)
        return _render(options, report, report.to_dict)
    start = _instant(options.start, "--start", default_at)
    end = _instant(options.end, "--end", default_at)
    if end < start:
        raise _InputError(f"--end: must not be before --start ({start.isoformat()})")
    tl = timeline(account, policy, start=start, end=end)
    return _render(options, tl, tl.to_dict)


def _render(
    options: argparse.Namespace, value: Report | Timeline, data: Callable[[], dict[str, Any]]
) -> str:
    if options.format == "json":
        return json.dumps(data(), indent=2, ensure_ascii=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LocaleFallback)
        text = render(value, locale=options.locale)
    for warning in caught:
        _complain(str(warning.message), prefix="warning: ")
    return text


def _batch(options: argparse.Namespace) -> int:
    """``billrules run``: stream the accounts' effects as JSON Lines; the summary on stderr.

    The output is UTF-8 whatever the terminal's encoding (JSON Lines are UTF-8). A reader that
    stops early (``billrules run ... | head``) ends the run quietly, as for ``explain``. An
    output that is the accounts file is refused before anything is read or written; ``--out``
    is written whole or not at all (:func:`_output`); a write that fails is bad input (exit 2,
    one line), not a failure of billrules. ``--accounts-out`` is written the same way, after
    ``--out`` (the effects are complete before the accounts that carry them are stored), and
    only when the run is complete: an output closed early leaves it as it was (exit 2).
    """
    start = _instant(options.start, "--start", datetime.now(UTC))
    end = _instant(options.end, "--end", start)
    if end < start:
        raise _InputError(f"--end: must not be before --start ({start.isoformat()})")
    policy = _load_policy(options.policy)
    source = _open_lines(options.accounts)
    keep = options.accounts_out is not None
    with source:
        read = os.fstat(source.fileno())
        if keep:
            _refuse_same_outputs(options.accounts_out, options.out)
        started = time.monotonic()
        closed = False
        where = f"--out: {options.out}" if options.out is not None else "the output (stdout)"
        with (
            _accounts_output(options.accounts_out, options.accounts, read) as store,
            _output(options.out, options.accounts, read) as write,
            _progress(read.st_size) as bar,
        ):
            originals = _Originals(source, options.accounts)
            if keep:
                items = originals.lines(MAX_FILE_BYTES, _LIMIT_TEXT, bar.update)
            else:
                items = file_lines(source, MAX_FILE_BYTES, _LIMIT_TEXT, bar.update)
            try:
                records = due(
                    items, policy, start=start, end=end, workers=options.workers, applied=keep
                )
            except BillRulesError as error:
                field = getattr(error, "field", "")
                raise _InputError(f"--{field}: {getattr(error, 'problem', error)}") from None
            stored = originals.stored(records, store) if store is not None else records
            try:
                for line in lines(stored):
                    data = line.encode("utf-8")
                    try:
                        write(data)
                    except BrokenPipeError:
                        raise
                    except OSError as error:
                        if options.out is None:
                            _quiet_stdout()  # what stdout still holds must not fail at exit
                        raise _InputError(f"{where}: cannot write: {_reason(error)}") from None
                if store is not None and options.out is None:  # delivered before it is stored
                    sys.stdout.flush()
                    getattr(sys.stdout, "buffer", sys.stdout).flush()
            except BrokenPipeError:
                if options.out is None:
                    _quiet_stdout()
                closed = True
            if closed and keep:
                raise _InputError(
                    f"--accounts-out: {options.accounts_out}: not written: the output was "
                    "closed before the run ended"
                )
            if store is not None:
                originals.finish(store)
    seconds = time.monotonic() - started
    summary = records.summary
    rate = summary.accounts / seconds if seconds > 0 else 0.0
    _write(
        sys.stderr,
        f"{_PROG}: run: {summary.accounts} accounts, {summary.transitions} transitions, "
        f"{summary.effects} effects, {summary.errors} errors in {seconds:.1f} s "
        f"({rate:.0f} accounts/s){'; the output was closed early' if closed else ''}\n",
    )
    return 0


def _open_lines(path: str) -> BinaryIO:
    """The regular file ``path``, opened for reading in binary (a FIFO or device is refused)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise _InputError(f"{path}: cannot read the accounts file: {_reason(error)}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _InputError(f"{path}: cannot read the accounts file: not a regular file")
    return os.fdopen(descriptor, "rb")


def _progress(size: int) -> Any:
    """A progress bar over the file's bytes on stderr, shown only on a terminal."""
    return tqdm(
        total=size,
        unit="B",
        unit_scale=True,
        desc="accounts",
        disable=not sys.stderr.isatty(),
        file=sys.stderr,
    )


def _load_account(path: str | None, example: str | None) -> tuple[Account, datetime]:
    """The account to explain, and the instant ``--at``/``--start`` default to for it: the
    file ``path``, or the bundled ``example`` (the default one when neither is given)."""
    if path is None:
        name = _examples.DEFAULT if example is None else example
        text = _examples.read(name)
        return _parse(account_from_json, text, f"(bundled example {name})"), EXAMPLES[name].at
    if example is not None:
        raise _InputError(f"--example: not with an account file ({path}): give one or the other")
    text = _read(path, "account file")
    # The CLI is the one place allowed to read the clock (DESIGN.md, "Rules of the house").
    return _parse(account_from_json, text, path), datetime.now(UTC)


def _load_policy(path: str | None) -> Policy:
    if path is None:
        return DEFAULT_POLICY
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return _parse(policy_from_json, _read(path, "policy file"), path)
    if suffix == ".toml":
        return _parse(policy_from_toml, _read(path, "policy file"), path)
    raise _InputError(f"--policy: {path}: must be a .json or .toml file, not {suffix or 'none'}")


def _read(path: str, what: str) -> str:
    """The text of the regular file ``path``, of at most :data:`MAX_FILE_BYTES`, as UTF-8.

    The file is opened without blocking (a FIFO with no writer does not hang the command) and
    checked with ``fstat`` before anything is read: a directory, a FIFO, a socket or a device
    (``/dev/zero`` never ends) is refused, and so is a file larger than the limit.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise _InputError(f"{path}: cannot read the {what}: {error.strerror or error}") from None
    try:
        data = _read_regular(descriptor, path, what)
    except OSError as error:
        raise _InputError(f"{path}: cannot read the {what}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _InputError(
            f"{path}: the {what} is not UTF-8 text (invalid byte at offset {error.start})"
        ) from None


def _read_regular(descriptor: int, path: str, what: str) -> bytes:
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise _InputError(f"{path}: cannot read the {what}: {kind}")
    if info.st_size > MAX_FILE_BYTES:
        raise _InputError(f"{path}: the {what} is larger than {_LIMIT_TEXT}")
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(descriptor, MAX_FILE_BYTES + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_FILE_BYTES:  # it grew after fstat
            raise _InputError(f"{path}: the {what} is larger than {_LIMIT_TEXT}")
    return b"".join(chunks)


def _parse(load: Callable[[str], _T], text: str, source: str) -> _T:
    """``load(text)``; a billrules error becomes one naming ``source`` (the file) first."""
    try:
        return load(text)
    except BillRulesError as error:
        field = getattr(error, "field", "")
        problem = getattr(error, "problem", str(error))
        # "(account file)", "(top level)" and the parameter ``text`` are the file as a whole.
        whole = field.startswith("(") or field == "text"
        where = source if whole else f"{source}: {field}"
        raise _InputError(f"{where}: {problem}") from None
