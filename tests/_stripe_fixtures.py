"""Stripe's own example objects (tests/fixtures/stripe, from stripe/openapi's fixtures3.json,
MIT; README.md there lists every placeholder adjusted) and variants built from them."""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

from billrules.account import User
from billrules.importers.stripe import StripeImport, account_from_stripe

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "stripe"
CUSTOMER_ID = "cus_QXg1o8vcGmoR32"
METHOD_ID = "pm_1Pgc75B7WZ01zgkWlHVgdEGJ"
INVOICE_ID = "in_1Pgc6tB7WZ01zgkWu9fdqL6I"
SUBSCRIPTION_ID = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"
PRICE_ID = "price_1PgafmB7WZ01zgkW6dKueIc5"
OWNER = User(id="jenny", role="owner")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of the fixture ``name`` (``customer``, ``invoice``…)."""
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def variant(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``base`` with top-level ``changes`` (a value of ``...`` removes the key)."""
    made = copy.deepcopy(base)
    for key, value in changes.items():
        if value is ...:
            made.pop(key, None)
        else:
            made[key] = value
    return made


def quiet_customer() -> dict[str, Any]:
    """The fixture customer without the concepts the report names (its placeholder discount,
    its balance), so one test's concept is the only one reported."""
    return variant(load("customer"), discount=None, balance=0)


def card(wallet: str | None = None, **changes: Any) -> dict[str, Any]:
    """The fixture payment method, its card's wallet ``wallet`` (the fixture's is ``link``)."""
    method = variant(load("payment_method"), **changes)
    method["card"]["wallet"] = None if wallet is None else {"dynamic_last4": None, "type": wallet}
    return method


def invoice(**changes: Any) -> dict[str, Any]:
    """The fixture invoice (a draft, API shape from 2025-03-31) with ``changes``."""
    return variant(load("invoice"), **changes)


def open_invoice(**changes: Any) -> dict[str, Any]:
    """The fixture invoice finalised: open at 2024-07-26, due at once, 10.00 USD due."""
    base = invoice(
        status="open",
        due_date=None,
        status_transitions={
            "finalized_at": 1721954054,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
    )
    return variant(base, **changes)


def quiet_subscription(name: str = "subscription", **changes: Any) -> dict[str, Any]:
    """The fixture subscription (``subscription`` or ``subscription_before_2025_03_31``)
    without its placeholder pause, with ``changes``."""
    return variant(load(name), pause_collection=None, **changes)


def imported(mode: str = "lenient", **given: Any) -> StripeImport:
    """An import (IMP-4: ``mode``) of ``given`` objects for the fixture customer, New York, one owner."""
    arguments: dict[str, Any] = {
        "customer": quiet_customer(),
        "zone": "America/New_York",
        "users": [OWNER],
        "mode": mode,
    }
    arguments.update(given)
    return account_from_stripe(**arguments)


def codes(result: StripeImport) -> list[tuple[str, str]]:
    return [(issue.code.value, issue.path) for issue in result.report]
