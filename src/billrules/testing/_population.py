"""Synthetic customer bases: N account snapshots with a realistic mix, seeded (X-8).

:func:`population` yields account JSON mappings (the documented account format,
``docs/account-json.md``) and :func:`population_lines` the same as JSON Lines, one account per
line, for the run over many accounts (:mod:`billrules.run`), its benchmark and its docs. The
same ``seed`` and ``as_of`` give the same accounts, in any process.

The mix, around the instant ``as_of``:

=====================  ======  ===========================================================
kind                   share   what the account is
=====================  ======  ===========================================================
``prepaid``            35 %    paid ahead, charged on the 1st, balance positive
``prepaid_in_debt``    20 %    the last charge left the balance negative: dunning stages
``inactive``           15 %    no login for months, its inactivity deletion scheduled
``renewing``           20 %    postpaid, a subscription renewing (some with a plan change)
``cancelling``         10 %    a cancellation request waiting for its deactivation date
=====================  ======  ===========================================================

>>> from datetime import datetime, UTC
>>> accounts = list(population(5, seed=7, as_of=datetime(2024, 5, 8, tzinfo=UTC)))
>>> [account["id"] for account in accounts]
['acct-0000000', 'acct-0000001', 'acct-0000002', 'acct-0000003', 'acct-0000004']
>>> accounts == list(population(5, seed=7, as_of=datetime(2024, 5, 8, tzinfo=UTC)))
True
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from billrules._check import checked
from billrules.errors import InvalidInput

__all__ = ["KINDS", "population", "population_lines"]

#: The kinds of account, with their share of a population (they add up to 100).
KINDS: Final = (
    ("prepaid", 35),
    ("prepaid_in_debt", 20),
    ("inactive", 15),
    ("renewing", 20),
    ("cancelling", 10),
)

_ZONES: Final = ("Europe/Kyiv", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC")
_CURRENCIES: Final = ("USD", "EUR", "UAH")
_REASONS: Final = ("too_expensive", "missing_features", "switched_service", "unused", "other")
_PERIODS: Final = ("monthly", "monthly", "monthly", "quarterly", "yearly")


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def _money(amount: int, currency: str) -> str:
    return f"{amount}.00 {currency}"


def _first_of_month(instant: datetime, months_back: int) -> datetime:
    year, month = instant.year, instant.month - months_back
    while month < 1:
        month += 12
        year -= 1
    return instant.replace(year=year, month=month, day=1, hour=0, minute=0, second=0)


def _users(rng: random.Random, ident: str, last_login: datetime | None) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = [
        {"id": f"{ident}-owner", "role": "owner", "last_login_at": _opt(last_login)}
    ]
    for n in range(rng.randrange(0, 4)):
        role = "admin" if n == 0 else "staff"
        users.append({"id": f"{ident}-u{n}", "role": role, "last_login_at": _opt(last_login)})
    return users


def _opt(instant: datetime | None) -> str | None:
    return None if instant is None else _iso(instant)


def _ledger(
    rng: random.Random, currency: str, zone: ZoneInfo, as_of: datetime, months: int, debt: bool
) -> dict[str, Any]:
    """A paid-ahead ledger: a top-up, then the monthly base tariff on each 1st."""
    tariff = rng.choice((9, 19, 29, 49))
    local = as_of.astimezone(zone)
    first = _first_of_month(local, months)
    charges = months  # one per month boundary since the account began
    paid = tariff * charges + (-rng.randrange(1, tariff) if debt else rng.randrange(5, 60))
    entries: list[dict[str, Any]] = [
        {
            "id": "pay-1",
            "kind": "payment",
            "at": _iso(first + timedelta(hours=10)),
            "amount": _money(paid, currency),
            "description": "Top-up by card",
        }
    ]
    for n in range(1, charges + 1):
        at = _first_of_month(local, months - n)
        entries.append(
            {
                "id": f"charge-{n}",
                "kind": "charge",
                "at": _iso(at),
                "amount": _money(-tariff, currency),
                "description": f"Usage of month {n}",
                "lines": [
                    {
                        "item": "base_tariff",
                        "description": "Base tariff",
                        "amount": _money(tariff, currency),
                    }
                ],
            }
        )
    return {"currency": currency, "entries": entries}


def _account(rng: random.Random, position: int, kind: str, as_of: datetime) -> dict[str, Any]:
    ident = f"acct-{position:07d}"
    zone_name = rng.choice(_ZONES)
    zone = ZoneInfo(zone_name)
    currency = rng.choice(_CURRENCIES)
    months = rng.randrange(2, 13)
    created = _first_of_month(as_of.astimezone(zone), months) + timedelta(hours=9)
    recent = as_of - timedelta(days=rng.randrange(0, 6), minutes=rng.randrange(0, 1440))
    account: dict[str, Any] = {
        "id": ident,
        "zone": zone_name,
        "currency": currency,
        "status": "active",
        "created_at": _iso(created),
        "users": _users(rng, ident, recent),
        "ledger": None,
        "invoices": [],
        "payments": [],
        "subscription": None,
        "cancellation_request": None,
        "deletion_schedule": None,
    }
    if kind in ("prepaid", "prepaid_in_debt"):
        account["ledger"] = _ledger(rng, currency, zone, as_of, months, kind == "prepaid_in_debt")
    elif kind == "inactive":
        months = max(months, 5)
        created = _first_of_month(as_of.astimezone(zone), months) + timedelta(hours=9)
        account["created_at"] = _iso(created)
        last = created + timedelta(days=rng.randrange(1, 20))
        account["users"] = _users(rng, ident, last)
        scheduled = as_of - timedelta(days=rng.randrange(0, 20), hours=rng.randrange(0, 24))
        account["deletion_schedule"] = {"scheduled_at": _iso(scheduled), "kind": "automatic"}
    else:
        account["subscription"] = _subscription(rng, ident, zone, as_of, created, kind)
        if kind == "cancelling":
            requested = as_of - timedelta(days=rng.randrange(0, 10), hours=rng.randrange(1, 24))
            account["cancellation_request"] = {
                "reason": rng.choice(_REASONS),
                "requested_at": _iso(requested),
                "deactivates_at": _iso(requested + timedelta(days=rng.randrange(1, 30))),
            }
    return account


def _subscription(
    rng: random.Random, ident: str, zone: ZoneInfo, as_of: datetime, created: datetime, kind: str
) -> dict[str, Any]:
    anchor: date = (created + timedelta(days=rng.randrange(0, 28))).astimezone(zone).date()
    subscription: dict[str, Any] = {
        "plan": rng.choice(("Solo", "Team", "Business")),
        "anchor": anchor.isoformat(),
        "period": rng.choice(_PERIODS),
        "contacts": [f"{ident}-owner"],
    }
    if kind == "renewing" and rng.random() < 0.2:
        requested = as_of - timedelta(days=rng.randrange(1, 10))
        subscription["pending_change"] = {
            "to_plan": "Solo",
            "kind": "downgrade",
            "requested_at": _iso(requested),
            "takes_effect_on": (as_of.astimezone(zone).date() + timedelta(days=20)).isoformat(),
        }
    return subscription


@checked
def population(count: int, *, seed: int = 0, as_of: datetime) -> Iterator[dict[str, Any]]:
    """``count`` account JSON mappings with the mix of :data:`KINDS`, around ``as_of``.

    Lazy: one account at a time, so a population of millions takes no memory. Accounts are
    named ``acct-0000000``, ``acct-0000001`` …; the kind of each is drawn with the shares of
    :data:`KINDS`, from ``random.Random(seed)`` (the same everywhere).

    Raises:
        InvalidInput: ``count`` is negative.
        NaiveDatetimeError: ``as_of`` has no time zone.
    """
    if count < 0:
        raise InvalidInput("count", "must not be negative")
    return _population(count, seed, as_of.astimezone(UTC))


def _population(count: int, seed: int, as_of: datetime) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    names = [name for name, _ in KINDS]
    weights = [share for _, share in KINDS]
    for position in range(count):
        kind = rng.choices(names, weights)[0]
        yield _account(rng, position, kind, as_of)


@checked
def population_lines(count: int, *, seed: int = 0, as_of: datetime) -> Iterator[str]:
    """:func:`population` as JSON Lines: one compact account JSON per line, with its newline."""
    for account in population(count, seed=seed, as_of=as_of):
        yield json.dumps(account, ensure_ascii=False, separators=(",", ":")) + "\n"
