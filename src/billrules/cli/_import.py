"""``billrules import stripe``: a Stripe customer's objects into an account file. Private.

The file is one JSON object holding the customer's objects as Stripe's API returns them
(``docs/import-stripe.md``)::

    {"customer": {...},
     "payment_methods": [...] or {"object": "list", "data": [...], "has_more": false},
     "invoices": ..., "balance_transactions": ...,
     "subscription": {...} or null}

Only ``customer`` is required. A Stripe list object with ``has_more`` true is refused: the
rest of its pages were not fetched, and an import that silently misses invoices is a guess.
The host's inputs (IMP-2) are options: ``--zone``, the users (``--owner`` once, ``--admin``
and ``--staff`` as often as needed), ``--seat-price``, ``--prepaid``, ``--currency``,
``--account-id``, ``--at``.

The account JSON goes to ``--out`` (a temporary file beside it, renamed when complete) or to
stdout; the report goes to stderr, as text or, with ``--format json``, as the JSON document
of the ``import_report`` schema. Lenient by default (exit 0 with a report that may list
concepts left out); ``--strict`` refuses at the first concept that cannot map (exit 2, the
Stripe field path on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from billrules import _loads
from billrules._redact import masked, shown
from billrules.account import User
from billrules.cli._instants import instant
from billrules.cli._out import InputError
from billrules.cli._out import output as _output
from billrules.errors import BillRulesError
from billrules.importers.stripe import StripeImport, UnmappedStripeData, account_from_stripe
from billrules.roles import Role
from billrules.serialize import account_to_json

#: The keys of the file: the customer's objects, as the arguments of ``account_from_stripe``.
KEYS: Final = ("customer", "payment_methods", "invoices", "subscription", "balance_transactions")
_LISTS: Final = ("payment_methods", "invoices", "balance_transactions")

#: The importer's parameters and the options that give them.
_OPTIONS: Final = {
    "zone": "--zone",
    "users": "--owner/--admin/--staff",
    "Account.users": "--owner/--admin/--staff",
    "seat_price": "--seat-price",
    "account_id": "--account-id",
    "currency": "--currency",
    "at": "--at",
}

#: The role options, in the order their users are listed.
_ROLES: Final = (("owner", Role.OWNER), ("admin", Role.ADMIN), ("staff", Role.STAFF))

Read = Callable[[str, str], str]
Write = Callable[[str], None]


def add_parser(commands: Any) -> None:
    """``billrules import stripe FILE ...`` under the command's subparsers."""
    import_ = commands.add_parser(
        "import",
        help="a payment processor's objects into an account JSON, with a report",
        description="Read a payment processor's objects into an account JSON (IMP-1 … IMP-5).",
    )
    sources = import_.add_subparsers(dest="source", required=True, metavar="SOURCE")
    stripe = sources.add_parser(
        "stripe",
        help="one Stripe customer's objects (docs/import-stripe.md)",
        description=(
            "Read one Stripe customer's objects (a JSON file: customer, payment_methods, "
            "invoices, subscription, balance_transactions) into an account JSON, written to "
            "--out or stdout; the report of what was left out and of the cross-checks goes to "
            "stderr. Nothing is guessed: the zone and the users are yours to give."
        ),
    )
    stripe.add_argument("file", metavar="FILE", help="the customer's Stripe objects, JSON")
    stripe.add_argument(
        "--zone", required=True, metavar="ZONE", help="the account's IANA time zone"
    )
    stripe.add_argument("--owner", required=True, metavar="ID", help="the owner's user id")
    for option, what in (("--admin", "an admin's"), ("--staff", "a staff member's")):
        stripe.add_argument(
            option, action="append", default=[], metavar="ID", help=f"{what} user id (repeat)"
        )
    stripe.add_argument(
        "--strict",
        action="store_true",
        help="refuse at the first concept that cannot map, naming its field (default: "
        "lenient, leave it out and report it)",
    )
    stripe.add_argument(
        "--out", metavar="ACCOUNT.json", help="write the account there (default: stdout)"
    )
    stripe.add_argument(
        "--seat-price",
        metavar="PRICE_ID",
        help="the price whose quantity is the seats (each user occupies one)",
    )
    stripe.add_argument(
        "--prepaid",
        action="store_true",
        help="the customer's balance is a prepaid ledger (default: it is left out)",
    )
    stripe.add_argument(
        "--currency",
        metavar="CODE",
        help="the currency of a customer Stripe gives none (one never billed)",
    )
    stripe.add_argument("--account-id", metavar="ID", help="the account's id (default: cus_...)")
    stripe.add_argument(
        "--at",
        metavar="INSTANT",
        help="when the objects were read, for the cross-checks (default: now)",
    )
    stripe.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="the report on stderr: text for people (default), json for programs",
    )


def command(options: argparse.Namespace, read: Read, say: Write) -> int:
    """Run ``billrules import stripe``; bad input raises :class:`InputError` (exit 2)."""
    source = options.file
    at = instant(options.at, "--at", datetime.now(UTC))
    users = _users(options)
    text = read(source, "Stripe file")
    objects = stripe_objects(text, source)
    try:
        found = account_from_stripe(
            **objects,
            zone=options.zone,
            users=users,
            seat_price=options.seat_price,
            account_id=options.account_id,
            currency=options.currency,
            prepaid=options.prepaid,
            at=at,
            mode="strict" if options.strict else "lenient",
        )
    except BillRulesError as error:
        raise _input_error(error, source, options.account_id is not None) from None
    data = account_to_json(found.account).encode("utf-8")
    # Written whole or not at all; a failed write is bad input, a closed stdout is not.
    with _output(options.out, source, os.stat(source), "--out", what="Stripe file") as write:
        write(data)
    say(report_text(found) if options.format == "text" else report_json(found))
    return 0


def _users(options: argparse.Namespace) -> tuple[User, ...]:
    """The users the options name: the owner first, then the admins, then the staff."""
    users: list[User] = []
    for option, role in _ROLES:
        given = getattr(options, option)
        for user_id in [given] if isinstance(given, str) else given:
            try:
                users.append(User(id=user_id, role=role))
            except BillRulesError as error:
                raise InputError(f"--{option}: {getattr(error, 'problem', error)}") from None
    return tuple(users)


def _input_error(error: BillRulesError, source: str, account_id: bool) -> InputError:
    """The importer's error as one line: a host input names its option; a Stripe field
    path names the file first, and strict mode's code ends the line."""
    field = getattr(error, "field", "")
    problem = getattr(error, "problem", str(error))
    if field == "Account.id":  # the account's id: --account-id, else the customer's
        field = "account_id" if account_id else "customer.id"
    if field in _OPTIONS:
        return InputError(f"{_OPTIONS[field]}: {problem}")
    code = f" ({error.code})" if isinstance(error, UnmappedStripeData) else ""
    return InputError(f"{source}: {field}: {problem}{code}")


def stripe_objects(text: str, source: str) -> dict[str, Any]:
    """The arguments of ``account_from_stripe`` the file's JSON ``text`` holds.

    Raises:
        InputError: malformed JSON, a file that is not one object of :data:`KEYS`, a missing
            customer, a list that is not a list (or a Stripe list object with ``has_more``),
            a subscription that is not one object; each naming ``source`` and the key.
    """
    try:
        data = _loads.vetted_json(text, "(Stripe file)")
    except BillRulesError as error:
        field = getattr(error, "field", "")
        problem = getattr(error, "problem", str(error))
        where = source if field.startswith("(") else f"{source}: {field}"
        raise InputError(f"{where}: {problem}") from None
    if not isinstance(data, dict):
        raise InputError(
            f"{source}: must be a JSON object of the customer's objects: {', '.join(KEYS)}"
        )
    for key in data:
        if key not in KEYS:
            raise InputError(
                f"{source}: {shown(key)}: unknown field; known fields are {', '.join(KEYS)}"
            )
    if data.get("customer") is None:
        raise InputError(f"{source}: customer: is required (the Customer object)")
    objects: dict[str, Any] = {"customer": data["customer"]}
    for key in _LISTS:
        objects[key] = _list(data.get(key), key, source)
    objects["subscription"] = _subscription(data.get("subscription"), source)
    return objects


def _list(value: object, key: str, source: str) -> list[Any]:
    """A plain list, or a Stripe list object's ``data`` (every page: ``has_more`` false)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and value.get("object") == "list":
        if value.get("has_more") is True:
            raise InputError(
                f"{source}: {key}.has_more: is true: the list holds one page; fetch every page "
                "(auto-pagination) and give them all"
            )
        data = value.get("data")
        if isinstance(data, list):
            return data
        raise InputError(f"{source}: {key}.data: must be a list of {key.replace('_', ' ')}")
    raise InputError(
        f"{source}: {key}: must be a list, or a Stripe list object "
        '({"object": "list", "data": [...]}), not ' + _kind(value)
    )


def _subscription(value: object, source: str) -> Any:
    """One subscription object, ``None``, or a Stripe list object of at most one."""
    if isinstance(value, Mapping) and value.get("object") == "list":
        found = _list(value, "subscription", source)
        if len(found) > 1:
            raise InputError(
                f"{source}: subscription.data: holds {len(found)} subscriptions; an account has "
                "one: give the one to import"
            )
        return found[0] if found else None
    if value is None or isinstance(value, Mapping):
        return value
    raise InputError(f"{source}: subscription: must be a Subscription object or null")


def _kind(value: object) -> str:
    return {str: "text", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), "an object" if isinstance(value, Mapping) else type(value).__name__
    )


def report_text(found: StripeImport) -> str:
    """The report for people: a summary line, then one line per issue."""
    left_out, checks = len(found.left_out), len(found.cross_checks)
    lines = [
        f"billrules: import stripe: account {found.account.id}: "
        f"{left_out} {'concept' if left_out == 1 else 'concepts'} left out (IMP-4), "
        f"{checks} {'disagreement' if checks == 1 else 'disagreements'} (IMP-5)"
    ]
    for issue in found.report:
        kind = "cross-check" if issue.cross_check else "left out"
        on = f" ({issue.object_id})" if issue.object_id is not None else ""
        lines.append(f"  {kind}: {issue.code.value} at {issue.path}{on}: {issue.detail}")
    return "".join(masked(line, fewest=12) + "\n" for line in lines)


def report_json(found: StripeImport) -> str:
    """The report for programs: the ``import_report`` document, indented, one trailing line."""
    return json.dumps(found.report_json(), indent=2, ensure_ascii=False) + "\n"
