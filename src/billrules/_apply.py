"""The account after the host carried out effects (X-9). Private: :func:`billrules.apply` is
the public name.

An effect that changes a fact of the account says so as data (the ledger entry a
``DebitBalance`` records, the schedule a ``ScheduleDeletion`` opens…), and :func:`apply`
makes that change. Effects that only tell the outside world (emails, banners, access to
enforce, a deletion or a purge the host executes) change nothing in the account: what they
report already follows from its facts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs

from billrules import _money, _time
from billrules._redact import shown
from billrules.account import Account
from billrules.balance import EntryKind, LedgerEntry
from billrules.cancellation import AccountStatus
from billrules.deletion import DeletionSchedule, DeletionScheduleKind
from billrules.effects import Effect
from billrules.errors import BillRulesError, InvalidInput, InvalidType
from billrules.invoices import InvoiceStatus, change_status
from billrules.subscriptions import apply_pending_change

__all__ = ["apply", "changes_facts"]


@functools.cache
def _fact_kinds() -> frozenset[type[Effect]]:
    """The kinds of effect whose change the areas must see at once: the timeline evaluates
    the account again after one (loaded when first asked). ``RenewSubscription`` is not one:
    the plan it records is the one the facts already give from that renewal on (SUB-3)."""
    from billrules import effects

    return frozenset(
        {
            effects.DebitBalance,
            effects.ScheduleDeletion,
            effects.RecordDeletionOutcome,
            effects.SetAccountStatus,
            effects.SetLicenceCount,
            effects.DeactivateUser,
            effects.CancelBilling,
            effects.CancelSubscription,
            effects.WriteOffInvoice,
        }
    )


def changes_facts(effects: Iterable[Effect]) -> bool:
    """Whether any of ``effects`` is of a kind whose change the areas must see at once (the
    timeline evaluates the account again after it; see :func:`_fact_kinds`)."""
    kinds = _fact_kinds()
    return any(type(effect) in kinds for effect in effects)


#: The account's fields that effects change, named as ``Account`` names them.
_FIELDS: Final = attrs.fields(Account)
_SEATS: Final = _FIELDS.seats.name
_INVOICES: Final = _FIELDS.invoices.name


class _Changes:
    """The account's fields as effects change them, one effect at a time."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.fields: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        return self.fields[name] if name in self.fields else getattr(self.account, name)

    def set(self, name: str, value: Any) -> None:
        self.fields[name] = value


def _debit(changes: _Changes, effect: Any, where: str) -> None:
    """BAL-4, BAL-7: the ledger entry the debit records, keyed by its id (the occasion)."""
    ledger = changes.get("ledger")
    if ledger is None:
        raise InvalidInput(
            f"{where}", "a balance debit needs a prepaid ledger; the account has none"
        )
    ident = effect.occasion
    if ident is None:
        raise InvalidInput(f"{where}.occasion", "names the ledger entry to add; it is missing")
    if any(entry.id == ident for entry in ledger.entries):
        return  # already recorded: carried out once
    _money.require_currency(effect.amount, ledger.currency, f"{where}.amount")
    entry = LedgerEntry(
        id=ident,
        kind=EntryKind.CHARGE,
        at=effect.at,
        amount=-effect.amount,
        description=effect.description,
    )
    changes.set("ledger", ledger.add(entry))


def _schedule(changes: _Changes, effect: Any, where: str) -> None:
    """DEL-1, DEL-2, DEL-3: the deletion schedule opened at the effect's instant.

    The run asks for a schedule only when the account has none, or when the one it has is
    over (cancelled, kept or restored) before the effect's instant: the new one replaces an
    older schedule. An effect older than the account's schedule belongs to a schedule it
    replaced: applied again, it changes nothing.
    """
    kind = DeletionScheduleKind(effect.deletion_kind)
    current: DeletionSchedule | None = changes.get("deletion_schedule")
    if current is not None:
        opened, asked = current.scheduled_at, effect.at
        if opened > asked:
            return  # a schedule since replaced
        if opened == asked:
            if current.kind is kind:
                return  # already recorded
            raise InvalidInput(where, "another deletion is already scheduled on the account")
        if current.kind is DeletionScheduleKind.MANUAL and not _over(current):
            # The owner's deletion (DEL-2) is never kept (DEL-7): until cancelled or
            # restored, it stands.
            raise InvalidInput(where, "the owner's deletion is scheduled on the account")
    changes.set("deletion_schedule", DeletionSchedule(scheduled_at=effect.at, kind=kind))


def _outcome(changes: _Changes, effect: Any, where: str) -> None:
    """DEL-7: the schedule records that the account was kept at its deletion instant."""
    current: DeletionSchedule | None = changes.get("deletion_schedule")
    if current is None:
        raise InvalidInput(where, "no deletion is scheduled on the account")
    if effect.at < current.scheduled_at:
        return  # the outcome of a schedule since replaced
    if not (current.cancelled_at is None and current.restored_at is None) or (
        current.kind is DeletionScheduleKind.MANUAL
    ):
        raise InvalidInput(where, "the deletion scheduled on the account is not one DEL-7 keeps")
    if current.kept_at is not None:
        if _time.instant_key(current.kept_at) == _time.instant_key(effect.at):
            return  # already recorded
        raise InvalidInput(where, "the schedule already records another outcome")
    changes.set(
        "deletion_schedule",
        attrs.evolve(current, kept_at=effect.at, kept_because=effect.kept_because),
    )


def _over(schedule: DeletionSchedule) -> bool:
    """Whether the schedule records its end: cancelled, kept or restored (DEL-3, DEL-6, DEL-7)."""
    return (
        schedule.cancelled_at is not None
        or schedule.kept_at is not None
        or schedule.restored_at is not None
    )


def _status(changes: _Changes, effect: Any, where: str) -> None:
    """CAN-7: the account's status."""
    try:
        status = AccountStatus(effect.status)
    except ValueError:
        raise InvalidInput(f"{where}.status", "is no account status") from None
    if status is not changes.get("status"):
        changes.set("status", status)


def _seats(changes: _Changes, where: str) -> Any:
    pool = changes.get(_SEATS)
    if pool is None:
        raise InvalidInput(where, "the account has no seat pool")
    return pool


def _licences(changes: _Changes, effect: Any, where: str) -> None:
    """SEAT-5, CAN-7: the number of licences; none left frees every seat (the back office's
    cancellation). Fewer licences than occupied seats otherwise is refused: which users lose
    theirs is the host's choice (``DeactivateUser`` first)."""
    pool = _seats(changes, where)
    count = effect.count
    if pool.total == count:
        return
    if count == 0:
        changes.set(_SEATS, attrs.evolve(pool, total=0, occupants=()))
    elif count < len(pool.occupants):
        raise InvalidInput(
            f"{where}.count", "is below the occupied seats: deactivate their users first"
        )
    else:
        changes.set(_SEATS, attrs.evolve(pool, total=count))


def _deactivate(changes: _Changes, effect: Any, where: str) -> None:
    """SEAT-5: the user no longer occupies a seat."""
    pool = _seats(changes, where)
    if effect.user_id in pool.occupants:
        occupants = tuple(user for user in pool.occupants if user != effect.user_id)
        changes.set(_SEATS, attrs.evolve(pool, occupants=occupants))


def _cancel_billing(changes: _Changes, effect: Any, where: str) -> None:
    """CAN-7, INV-2: the billing is cancelled."""
    invoices = changes.get(_INVOICES)
    for index, invoice in enumerate(invoices):
        if invoice.id == effect.invoice_id:
            if invoice.status is InvoiceStatus.CANCELLED:
                return  # already recorded
            cancelled = change_status(invoice, to=InvoiceStatus.CANCELLED, at=effect.at)
            changes.set(_INVOICES, (*invoices[:index], cancelled, *invoices[index + 1 :]))
            return
    raise InvalidInput(f"{where}.invoice_id", f"no invoice {shown(effect.invoice_id)}")


def _write_off(changes: _Changes, effect: Any, where: str) -> None:
    """OVD-6: the invoice is written off (``uncollectible``)."""
    invoices = changes.get(_INVOICES)
    for index, invoice in enumerate(invoices):
        if invoice.id == effect.invoice_id:
            if invoice.status is InvoiceStatus.UNCOLLECTIBLE:
                return  # already recorded
            if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED):
                return  # settled since: nothing left to write off
            written = change_status(invoice, to=InvoiceStatus.UNCOLLECTIBLE, at=effect.at)
            changes.set(_INVOICES, (*invoices[:index], written, *invoices[index + 1 :]))
            return
    raise InvalidInput(f"{where}.invoice_id", f"no invoice {shown(effect.invoice_id)}")


def _end_subscription(changes: _Changes, effect: Any, where: str) -> None:
    """OVD-5: the subscription ends at the effect's instant (an end already earlier stands)."""
    sub = changes.get("subscription")
    if sub is None:
        raise InvalidInput(where, "the account has no subscription")
    if sub.ends_at is not None and not _time.before(effect.at, sub.ends_at):
        return  # it ends then already, or before
    changes.set("subscription", attrs.evolve(sub, ends_at=effect.at))


def _renew(changes: _Changes, effect: Any, where: str) -> None:
    """SUB-3: at the renewal where the pending plan change takes effect, its plan is the one
    in force from then on."""
    sub = changes.get("subscription")
    if sub is None:
        raise InvalidInput(where, "the account has no subscription")
    change = sub.pending_change
    if change is None or change.to_plan != effect.plan:
        return
    renewed = apply_pending_change(sub, at=effect.at, zone=changes.account.zone)
    if renewed is not sub:
        changes.set("subscription", renewed)


_Apply = Callable[[_Changes, Any, str], None]


@functools.cache
def _appliers() -> dict[type[Effect], _Apply]:
    from billrules import effects

    return {
        effects.DebitBalance: _debit,
        effects.ScheduleDeletion: _schedule,
        effects.RecordDeletionOutcome: _outcome,
        effects.SetAccountStatus: _status,
        effects.SetLicenceCount: _licences,
        effects.DeactivateUser: _deactivate,
        effects.CancelBilling: _cancel_billing,
        effects.RenewSubscription: _renew,
        effects.WriteOffInvoice: _write_off,
        effects.CancelSubscription: _end_subscription,
    }


#: What a refusal of one effect names: the effect's place in the list.
_WHERE: Final = "effects[{index}]"


def apply(account: Account, effects: Iterable[Effect]) -> Account:
    """``account`` with the changes of ``effects`` made, in order (X-9). Pure and idempotent.

    Each effect that changes a fact carries the change as data: a ``DebitBalance`` adds the
    charge entry its occasion names to the ledger (BAL-4, BAL-7); a ``ScheduleDeletion``
    opens the deletion schedule (DEL-1, DEL-3); a ``RecordDeletionOutcome`` records that the
    account was kept (DEL-7); ``SetAccountStatus``, ``SetLicenceCount``, ``DeactivateUser``
    and ``CancelBilling`` set the status, the licences, the seat's occupant and the billing's
    status (CAN-7, SEAT-5, INV-2); a ``RenewSubscription`` at which a pending plan change
    takes effect makes its plan the one in force (SUB-3); a ``CancelSubscription`` ends the
    subscription at its instant and a ``WriteOffInvoice`` makes the invoice ``uncollectible``
    (OVD-5, OVD-6). A ``RetryCharge`` changes nothing: its outcome is the processor's, recorded
    with :func:`billrules.overdue.record_attempt`. An effect whose change is already in the facts (the entry
    id is there, the schedule is the same) changes nothing, so applying the same effects
    twice gives the same account. Every other effect (emails, banners, access, the deletion
    and purge the host executes) changes nothing in the account. Nothing changes, the very
    ``account`` is returned.

    Raises:
        InvalidType: ``account`` is not an :class:`~billrules.account.Account`, or an item
            of ``effects`` is not an effect.
        InvalidInput: an effect names another account (or none): ``effects[i].account``;
            or its change cannot be made, named ``effects[i]`` or one of its fields: a debit
            on an account without a ledger or without its occasion, a billing the account
            does not have (to cancel or write off), a subscription to end on an account
            without one, another kind of schedule at the same instant or over the owner's
            deletion, an outcome without a schedule DEL-7 could keep or against another one
            recorded, a renewal without a subscription, an unknown status, fewer licences
            than occupied seats. Nothing is applied then.
        CurrencyMismatch: a debit is not in the ledger's currency (``effects[i].amount``).
        PolicyViolation: a ``CancelBilling`` of a billing INV-2 does not let go to
            ``cancelled`` (a paid invoice), or a ``WriteOffInvoice`` of one it does not let
            become ``uncollectible`` (a scheduled invoice; OVD-6).
    """
    if not isinstance(account, Account):
        raise InvalidType("account", f"must be an Account, not {type(account).__name__}")
    if isinstance(effects, (str, bytes)) or not isinstance(effects, Iterable):
        raise InvalidType("effects", f"must be effects, not {type(effects).__name__}")
    changes = _Changes(account)
    appliers = _appliers()
    for index, effect in enumerate(effects):
        where = _WHERE.format(index=index)
        if not isinstance(effect, Effect):
            raise InvalidType(where, f"must be an Effect, not {type(effect).__name__}")
        if effect.account != account.id:
            raise InvalidInput(
                f"{where}.account",
                "names another account" if effect.account is not None else "names no account",
            )
        applier = appliers.get(type(effect))
        if applier is not None:
            try:
                applier(changes, effect, where)
            except BillRulesError:
                raise
            except (ValueError, TypeError) as error:  # pragma: no cover - a defect, named
                raise InvalidInput(where, f"cannot be applied: {type(error).__name__}") from None
    if not changes.fields:
        return account
    return attrs.evolve(account, **changes.fields)
