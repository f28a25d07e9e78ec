"""One account, every area: the :class:`Account` snapshot and the facts each area reads from it.

An :class:`Account` gathers what a host knows about one customer account — identity, time
zone, status, users with their last logins, the prepaid ledger, invoices and payments, the
wallet, the seats, the subscription, a cancellation request and a deletion schedule. The
functions below derive each area's own facts from it, so every area answers from the same
snapshot (X-1 … X-5 across areas).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency

from billrules import _money, _time
from billrules import _validate as v
from billrules._check import checked, trusted, unchecked
from billrules.balance import BalanceFacts, Ledger, balance_at
from billrules.cancellation import (
    AccountState,
    AccountStatus,
    CancellationRequest,
)
from billrules.deletion import AccountActivity, DeletionSchedule
from billrules.errors import InvalidInput
from billrules.invoices import (
    Invoice,
    Payment,
)
from billrules.payment_methods import Wallet
from billrules.roles import Role
from billrules.seats import SeatPool
from billrules.subscriptions import Subscription

__all__ = [
    "Account",
    "User",
    "account_state",
    "activity",
    "balance_facts",
]

#: The balance area's public function, its body: the ledger and the instant were checked when
#: they entered (the account's own checks, and account_state's).
_balance_at = unchecked(balance_at)


@attrs.frozen(kw_only=True)
class User:
    """A user of the account: id, role and the instant of the last login (``None``: never)."""

    id: str = attrs.field(validator=v.identifier)
    role: Role = attrs.field(converter=v.ToEnum[Role])
    last_login_at: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )


def _zone(value: ZoneInfo | str) -> ZoneInfo:
    return _time.to_zone(value, "Account.zone")


def _currency(value: Currency | str) -> Currency:
    return _money.to_currency(value, "Account.currency")


# A reader gives the zone and the currency themselves (checked once).
v.settled_by_reading(_zone, ZoneInfo)
v.settled_by_reading(_currency, Currency)


@attrs.frozen(kw_only=True)
class Account:
    """A snapshot of one account's facts across every area.

    Attributes:
        id: The host's identifier.
        zone: The account's time zone: days and "day of month" are counted in it (X-3).
        currency: The account's currency; every amount must be in it (X-4).
        status: The account's status (CAN-1).
        created_at: When the account was created (DEL-1).
        users: The users, exactly one of them the owner, with their last logins.
        ledger: The prepaid balance ledger (BAL-*, DUN-*); ``None`` for a postpaid account.
        invoices: Invoices (INV-*); payments: payments received (INV-5).
        wallet: Stored payment methods (PM-*).
        seats: The seat pool (SEAT-*), if the plan sells seats.
        subscription: The subscription (SUB-*), if any.
        cancellation_request: A cancellation request (CAN-4, CAN-5), if one was made.
        deletion_schedule: An inactivity or manual deletion schedule (DEL-3 … DEL-7), if any.
        hold_until: Until when support promised to hold collections (OVD-8): the overdue
            stage stays ``past_due`` and retries and the final action wait until then.
    """

    id: str = attrs.field(validator=v.identifier)
    zone: ZoneInfo = attrs.field(converter=_zone)
    currency: Currency = attrs.field(converter=_currency)
    status: AccountStatus = attrs.field(
        default=AccountStatus.ACTIVE,
        converter=v.ToEnum[AccountStatus],
    )
    created_at: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    users: tuple[User, ...] = attrs.field(converter=v.ToTuple[User])
    ledger: Ledger | None = attrs.field(default=None, validator=v.instance_of((Ledger, type(None))))
    invoices: tuple[Invoice, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[Invoice],
    )
    payments: tuple[Payment, ...] = attrs.field(
        default=(),
        converter=v.ToTuple[Payment],
    )
    wallet: Wallet = attrs.field(factory=Wallet, validator=v.instance_of(Wallet))
    seats: SeatPool | None = attrs.field(
        default=None, validator=v.instance_of((SeatPool, type(None)))
    )
    subscription: Subscription | None = attrs.field(
        default=None, validator=v.instance_of((Subscription, type(None)))
    )
    cancellation_request: CancellationRequest | None = attrs.field(
        default=None, validator=v.instance_of((CancellationRequest, type(None)))
    )
    deletion_schedule: DeletionSchedule | None = attrs.field(
        default=None, validator=v.instance_of((DeletionSchedule, type(None)))
    )
    hold_until: datetime | None = attrs.field(
        eq=_time.instant_key, default=None, validator=v.optional_instant
    )

    def __attrs_post_init__(self) -> None:
        owners = [user for user in self.users if user.role is Role.OWNER]
        if len(owners) != 1:
            raise InvalidInput("Account.users", f"must hold exactly one owner, not {len(owners)}")
        ids = [user.id for user in self.users]
        if len(set(ids)) != len(ids):
            raise InvalidInput("Account.users", "user ids must be unique")
        if self.ledger is not None and self.ledger.currency != self.currency:
            raise InvalidInput(
                "Account.ledger",
                f"is in {self.ledger.currency.code}, expected {self.currency.code}",
            )
        for index, invoice in enumerate(self.invoices):
            _money.require_currency(
                invoice.amount, self.currency, f"Account.invoices[{index}].amount"
            )
        for index, payment in enumerate(self.payments):
            _money.require_currency(
                payment.amount, self.currency, f"Account.payments[{index}].amount"
            )
        invoice_ids = [invoice.id for invoice in self.invoices]
        if len(set(invoice_ids)) != len(invoice_ids):
            raise InvalidInput("Account.invoices", "invoice ids must be unique")

    @property
    def owner(self) -> User:
        """The account's owner."""
        return next(user for user in self.users if user.role is Role.OWNER)


@checked
def balance_facts(account: Account, at: datetime) -> BalanceFacts:
    """The prepaid balance and the start of the current debt at ``at`` (BAL-3, DUN-1).

    An account without a ledger has a zero balance and no debt.
    """
    _time.require_aware(at, "at")
    if account.ledger is None:
        return BalanceFacts(balance=_money.zero(account.currency))
    return BalanceFacts.from_ledger(account.ledger, at)


@checked
def activity(account: Account) -> AccountActivity:
    """The activity facts the deletion rules read (DEL-1, DEL-7): creation, logins, ledger.

    Logins are the users' last logins (one recorded before the account's creation, imported
    from an older system, is not activity of this account and is left out); the balance is
    the account's prepaid ledger (an empty one in the account's currency when there is none).
    """
    logins = tuple(
        sorted(
            u.last_login_at
            for u in account.users
            if u.last_login_at is not None and u.last_login_at >= account.created_at
        )
    )
    ledger = account.ledger if account.ledger is not None else Ledger(currency=account.currency)
    # Built from the account's checked fields: nothing is checked again (Checked once).
    return trusted(AccountActivity, created_at=account.created_at, logins=logins, ledger=ledger)


@checked
def account_state(account: Account, *, at: datetime) -> AccountState:
    """The cancellation area's facts at ``at``: status, invoices, licences, the request, if
    any, and a prepaid account's balance at that instant, so a negative balance counts as
    outstanding (CAN-3).

    ``at`` is required: the answer to "may the owner cancel?" depends on the instant (a
    prepaid debt is outstanding from the instant the balance turns negative).
    """
    prepaid = None
    if account.ledger is not None:
        prepaid = _balance_at(account.ledger, at=at)
    # Built from the account's checked fields: nothing is checked again (Checked once).
    return trusted(
        AccountState,
        status=account.status,
        currency=account.currency,
        invoices=account.invoices,
        licence_count=account.seats.total if account.seats is not None else 0,
        prepaid_balance=prepaid,
        request=account.cancellation_request,
    )
