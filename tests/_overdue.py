"""The issue's collections example, for the overdue tests: account ``ny-overdue`` in New York,
a 49.00 USD invoice issued 2024-04-24 and due 2024-05-01 at local midnight, its automatic
charge declined softly at 09:00 that day, a valid default card (OVD-1 … OVD-9)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from moneyed import Money

from billrules.account import Account, User
from billrules.contract import Transition
from billrules.invoices import ChargeAttempt, Invoice
from billrules.overdue import OverdueFacts, OverduePolicy, role_findings, transitions
from billrules.payment_methods import PaymentMethod, Wallet
from billrules.subscriptions import Subscription

NY = ZoneInfo("America/New_York")
USD49 = Money("49.00", "USD")
DEFAULT = OverduePolicy()


def ny(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A 2024 local instant in New York."""
    return datetime(2024, month, day, hour, minute, tzinfo=NY)


def card(method_id: str = "pm-visa", *, exp_year: int = 2030, exp_month: int = 12) -> PaymentMethod:
    return PaymentMethod(
        id=method_id,
        kind="card",
        brand="visa",
        last4="4242",
        exp_month=exp_month,
        exp_year=exp_year,
    )


def failed(at: datetime, code: str | None = "insufficient_funds", **more: Any) -> ChargeAttempt:
    return ChargeAttempt(
        at=at,
        outcome="failed",
        decline_code=code,
        method_id=more.pop("method_id", "pm-visa"),
        **more,
    )


ISSUED = ny(4, 24)
DUE = ny(5, 1)
START = ny(4, 20)
END = ny(6, 30)


def invoice(
    id_: str = "inv-2024-05",
    *,
    issued: datetime = ISSUED,
    due: datetime = DUE,
    amount: Money = USD49,
    attempts: Iterable[ChargeAttempt] | None = None,
    **more: Any,
) -> Invoice:
    return Invoice(
        id=id_,
        status=more.pop("status", "failed"),
        amount=amount,
        issued_at=issued,
        due_at=due,
        attempts=tuple(attempts) if attempts is not None else (failed(ny(5, 1, 9)),),
        **more,
    )


INVOICE = invoice()
WALLET = Wallet(methods=(card(),), default_id="pm-visa")
SUBSCRIPTION = Subscription(plan="Growth", anchor=date(2024, 4, 1), period="monthly")

#: The issue's account, as /tmp/ny.py builds it.
ACCOUNT = Account(
    id="ny-overdue",
    zone=NY,
    currency="USD",
    created_at=datetime(2024, 1, 10, tzinfo=NY),
    users=(
        User(id="u-owner", role="owner", last_login_at=ny(4, 30, 12)),
        User(id="u-staff", role="staff", last_login_at=ny(4, 30, 12)),
    ),
    invoices=(INVOICE,),
    wallet=WALLET,
    subscription=SUBSCRIPTION,
)


def facts(**changes: Any) -> OverdueFacts:
    """The example's overdue facts, with ``changes``."""
    base = OverdueFacts(
        currency="USD", invoices=(INVOICE,), wallet=WALLET, subscription=SUBSCRIPTION
    )
    return attrs.evolve(base, **changes)


def of_account(account: Account) -> OverdueFacts:
    """What the overdue area reads of ``account`` (as :mod:`billrules.evaluation` builds it)."""
    return OverdueFacts(
        currency=account.currency,
        invoices=account.invoices,
        wallet=account.wallet,
        hold_until=account.hold_until,
        subscription=account.subscription,
        ledger=account.ledger,
    )


def window(
    found: OverdueFacts,
    policy: OverduePolicy = DEFAULT,
    start: datetime = START,
    end: datetime = END,
    zone: ZoneInfo | str = NY,
) -> list[Transition]:
    return list(transitions(found, policy, start=start, end=end, zone=zone))


def kinds(found: Iterable[Transition], kind: str) -> list[Transition]:
    return [transition for transition in found if transition.kind == kind]


def stage_at(
    found: OverdueFacts, at: datetime, policy: OverduePolicy = DEFAULT, zone: ZoneInfo | str = NY
) -> str | None:
    """The stage the ``use_product`` finding names at ``at`` (``None``: nothing restricted)."""
    (finding,) = role_findings(found, policy, role="owner", at=at, zone=zone)
    stage = finding.details["stage"]
    assert stage is None or isinstance(stage, str)
    return stage
