"""The ``billrules`` command: what is the state of this account, why, and what happens next.

Usage::

    billrules explain  [ACCOUNT.json] [--at INSTANT] [--policy FILE] [--format text|json]
    billrules timeline [ACCOUNT.json] --until INSTANT [--from INSTANT] [--policy FILE]
                       [--format text|json]
    python -m billrules            # explain the bundled example account

``ACCOUNT.json`` is an account snapshot in the format of ``docs/account-json.md``. Without it,
the command runs on the bundled example: the seed's delinquent prepaid account in Kyiv, whose
balance turned negative with the monthly charge of 1 May 2024, seen on the 8th at 09:00 local
time (when the admin can open only the payment page, DUN-1). ``--policy`` reads a policy file
(``.json`` or ``.toml``, see :mod:`billrules.policy`); without it the seeds' policy applies.

Instants are ISO 8601 with an offset (``2024-05-08T09:00:00+03:00`` or ``...Z``); a naive one is
refused (X-3). This is the one place in billrules that reads the clock: for an account file,
``--at`` (and ``--from``) default to the current time. For the bundled example they default to
its own instant, so its output never changes.

Exit status: 0 on success; 2 on bad input (a missing or unreadable file, malformed JSON or TOML,
an unknown field, a naive instant, an unknown zone, a value breaking a rule), with a one-line
message on stderr that names the file and the field, and no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final, NoReturn, TypeVar

from billrules.account import Account, explain
from billrules.errors import BillRulesError
from billrules.policy import DEFAULT_POLICY, Policy, policy_from_json, policy_from_toml
from billrules.serialize import account_from_json
from billrules.timeline import timeline

__all__ = [
    "EXAMPLE_AT",
    "EXAMPLE_FILE",
    "main",
]

#: The bundled example account's file, inside the ``billrules`` package.
EXAMPLE_FILE: Final = "examples/delinquent.json"

#: The bundled example's own instant: the 8th of the month, 09:00 in Kyiv, a week after the
#: monthly charge of the 1st turned the balance negative (DUN-1: the admin sees only the
#: payment page, the staff keep access).
EXAMPLE_AT: Final = datetime.fromisoformat("2024-05-08T09:00:00+03:00")

_T = TypeVar("_T")

#: The library's parameter names and the options that give them.
_OPTIONS: Final = {"at": "--at", "start": "--from", "end": "--until"}

_PROG: Final = "billrules"
_EXAMPLE_LABEL: Final = "(bundled example)"


class _InputError(Exception):
    """Bad input found by the command itself; ``str`` is the one-line message."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{_PROG}: error: {message} (see {self.prog} --help)\n")


def _parser() -> _Parser:
    parser = _Parser(
        prog=_PROG,
        description=(
            "Explain a billing account: every decision for every role, with reasons and rule "
            "IDs, and what happens next. Without a command, explains the bundled example."
        ),
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
        "file, 2024-05-08T09:00:00+03:00 for the bundled example)",
    )
    _common_options(explain_)
    timeline_ = commands.add_parser(
        "timeline",
        help="what happens to the account and when, between two instants",
        description="Every event of the account in [--from, --until), in time order.",
    )
    _account_argument(timeline_)
    timeline_.add_argument(
        "--until",
        metavar="INSTANT",
        required=True,
        help="the end of the window (excluded), ISO 8601 with an offset",
    )
    timeline_.add_argument(
        "--from",
        dest="start",
        metavar="INSTANT",
        help="the start of the window (included; default: now for an account file, "
        "2024-05-08T09:00:00+03:00 for the bundled example)",
    )
    _common_options(timeline_)
    return parser


def _account_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "account",
        metavar="ACCOUNT.json",
        nargs="?",
        help="an account snapshot in JSON (default: the bundled example account)",
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``billrules`` command; the exit status is returned, not raised.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``). No arguments
            at all explain the bundled example.

    Returns:
        0 on success, 2 on bad input (the one-line message is on stderr).
    """
    arguments = list(sys.argv[1:] if argv is None else argv) or ["explain"]
    try:
        options = _parser().parse_args(arguments)
    except SystemExit as exit_:  # --help, or a usage error already printed on one line
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        output = _run(options)
    except (_InputError, BillRulesError) as error:
        print(f"{_PROG}: error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    try:
        print(output, flush=True)
    except BrokenPipeError:
        # The reader stopped early (``billrules explain | head``): not an error of the input.
        # Point stdout at devnull so that Python's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _run(options: argparse.Namespace) -> str:
    account, default_at = _load_account(options.account)
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
        return _render(options.format, str(report), report.to_dict())
    start = _instant(options.start, "--from", default_at)
    end = _instant(options.until, "--until", default_at)
    if end < start:
        raise _InputError(f"--until: must not be before --from ({start.isoformat()})")
    tl = timeline(account, policy, start, end)
    return _render(options.format, str(tl), tl.to_dict())


def _render(format_: str, text: str, data: dict[str, Any]) -> str:
    if format_ == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    return text


def _load_account(path: str | None) -> tuple[Account, datetime]:
    """The account to explain, and the instant ``--at``/``--from`` default to for it."""
    if path is None:
        text = resources.files("billrules").joinpath(EXAMPLE_FILE).read_text(encoding="utf-8")
        return _parse(account_from_json, text, _EXAMPLE_LABEL), EXAMPLE_AT
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
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise _InputError(f"{path}: cannot read the {what}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise _InputError(f"{path}: the {what} is not UTF-8 text") from None


def _parse(load: Callable[[str], _T], text: str, source: str) -> _T:
    """``load(text)``; a billrules error becomes one naming ``source`` (the file) first."""
    try:
        return load(text)
    except BillRulesError as error:
        field = getattr(error, "field", "")
        problem = getattr(error, "problem", str(error))
        where = source if field.startswith("(") else f"{source}: {field}"
        raise _InputError(f"{where}: {problem}") from None


def _instant(value: str | None, option: str, default: datetime) -> datetime:
    """The aware instant ``value`` names, or ``default`` when the option was not given."""
    if value is None:
        return default
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _InputError(
            f"{option}: is not an ISO 8601 instant: {value!r} "
            "(for example 2024-05-08T09:00:00+03:00)"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _InputError(
            f"{option}: must be timezone-aware (a naive datetime has no instant): {value!r}; "
            "add an offset, for example 2024-05-08T09:00:00+03:00 or 2024-05-08T06:00:00Z"
        )
    return parsed
