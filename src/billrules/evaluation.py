"""One account at one instant, evaluated once: the registry of areas and what they share.

:data:`AREAS` lists the areas in the order the timeline and the report use. Each entry names
the area, its module (which follows the area contract of :mod:`billrules.contract`) and how
its facts are read from an :class:`Evaluation`; the area's policy is the field of the same name
in :class:`~billrules.policy.Policy`. Adding an area is its module, one line here and one
field in ``Policy``.

An :class:`Evaluation` computes what several questions share for one account at one instant —
the ledger, the cancellation area's account state with the balance at that instant, the
deletion facts, the invoices, the subscription with the spans in which other areas stop its
billing — once, when first read, and hands each area its own facts. It decides nothing.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from billrules import (
    _time,
    balance,
    cancellation,
    deletion,
    dunning,
    invoices,
    payment_methods,
    seats,
    subscriptions,
)
from billrules import _validate as v
from billrules._check import unchecked
from billrules.account import Account, account_state, activity
from billrules.contract import Finding, Suspension, Transition
from billrules.effects import Effect
from billrules.errors import InvalidInput, InvalidType
from billrules.policy import Policy
from billrules.roles import Role

__all__ = ["AREAS", "Area", "Evaluation"]


#: What every area module defines (``suspensions`` only where an area stops billing).
_CONTRACT: Final = ("transitions", "findings", "role_findings")


@attrs.frozen
class Area:
    """One registered area: its name (also its field in ``Policy``), module and facts.

    ``facts`` reads the area's facts from an :class:`Evaluation`; ``None`` means the account
    has nothing in this area (no seats, no subscription…), so the area is not asked. The
    contract's functions are read from the module once; an evaluation calls their bodies,
    since every value it passes was checked when the account and the policy were built.
    """

    name: str
    module: ModuleType
    facts: Callable[[Evaluation], Any]
    transitions: Callable[..., Iterator[Transition]] = attrs.field(init=False)
    findings: Callable[..., tuple[Finding, ...]] = attrs.field(init=False)
    role_findings: Callable[..., tuple[Finding, ...]] = attrs.field(init=False)
    suspensions: Callable[..., tuple[Suspension, ...]] | None = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        v.require(self.name, str, "Area.name")
        module = v.require(self.module, ModuleType, "Area.module")
        if not callable(self.facts):
            raise InvalidType("Area.facts", f"must be callable, not {type(self.facts).__name__}")
        for part in _CONTRACT:
            if not callable(getattr(module, part, None)):
                raise InvalidInput("Area.module", f"must define {part} (the area contract)")
        object.__setattr__(self, "transitions", unchecked(module.transitions))
        object.__setattr__(self, "findings", unchecked(module.findings))
        object.__setattr__(self, "role_findings", unchecked(module.role_findings))
        stops = getattr(module, "suspensions", None)
        object.__setattr__(self, "suspensions", None if stops is None else unchecked(stops))

    def policy(self, policy: Policy) -> Any:
        """The area's own policy in the bundle."""
        return getattr(policy, self.name)


@attrs.frozen(kw_only=True)
class Evaluation:
    """What the areas share for ``account`` under ``policy`` at ``at``, computed once.

    The instant must be aware and the arguments checked by the caller (the public functions
    of :mod:`billrules.timeline` and :mod:`billrules.report` are).
    """

    account: Account
    policy: Policy
    at: datetime

    @property
    def zone(self) -> ZoneInfo:
        """The account's zone: local dates are counted in it."""
        return self.account.zone

    @functools.cached_property
    def ledger(self) -> balance.Ledger:
        """The prepaid ledger, or an empty one for a postpaid account."""
        account = self.account
        if account.ledger is not None:
            return account.ledger
        return balance.Ledger(currency=account.currency)

    @functools.cached_property
    def state(self) -> cancellation.AccountState:
        """The cancellation area's facts, with the balance at ``at``."""
        return _account_state(self.account, at=self.at)

    @functools.cached_property
    def deletion_facts(self) -> deletion.DeletionFacts:
        """The deletion area's facts: activity from the same ledger, and the schedule."""
        return deletion.DeletionFacts(
            activity=_activity(self.account), schedule=self.account.deletion_schedule
        )

    @functools.cached_property
    def invoice_facts(self) -> invoices.InvoiceFacts:
        """The invoices and payments, in the account's currency."""
        account = self.account
        return invoices.InvoiceFacts(
            currency=account.currency, invoices=account.invoices, payments=account.payments
        )

    @functools.cached_property
    def suspensions(self) -> tuple[Suspension, ...]:
        """The spans in which the areas that stop billing say nothing is billed."""
        found: list[Suspension] = []
        for area in AREAS:
            stops = area.suspensions
            facts = None if stops is None else area.facts(self)
            if stops is not None and facts is not None:
                found.extend(stops(facts, area.policy(self.policy), zone=self.zone))
        return tuple(found)

    @functools.cached_property
    def subscription_facts(self) -> subscriptions.SubscriptionFacts | None:
        """The subscription with the spans in which it is not billed, if there is one."""
        sub = self.account.subscription
        if sub is None:
            return None
        return subscriptions.SubscriptionFacts(subscription=sub, suspensions=self.suspensions)

    @functools.cached_property
    def present(self) -> tuple[tuple[Area, Any, Any], ...]:
        """Each area the account has facts in, with those facts and the area's policy."""
        found = []
        for area in AREAS:
            facts = area.facts(self)
            if facts is not None:
                found.append((area, facts, area.policy(self.policy)))
        return tuple(found)

    def facts(self) -> Iterator[tuple[Area, Any, Any]]:
        """Each area the account has facts in, with those facts and the area's policy."""
        return iter(self.present)

    def findings(self) -> tuple[Finding, ...]:
        """Every area's account-wide findings at ``at``, in the registry's order."""
        return tuple(
            finding
            for area, facts, policy in self.facts()
            for finding in area.findings(facts, policy, at=self.at, zone=self.zone)
        )

    def role_findings(self, role: Role) -> tuple[Finding, ...]:
        """What a user with ``role`` may do at ``at``, area by area."""
        return tuple(
            finding
            for area, facts, policy in self.facts()
            for finding in area.role_findings(facts, policy, role=role, at=self.at, zone=self.zone)
        )

    def transitions(self, end: datetime) -> Iterator[Transition]:
        """Every area's transitions in ``[at, end)``, merged lazily in time order.

        At one instant the registry's order of areas decides; within an area, the area's own.
        Their effects carry the account's id (``Effect.account``, X-6); the areas' own
        transitions are account-free.
        """
        streams = [
            area.transitions(facts, policy, start=self.at, end=end, zone=self.zone)
            for area, facts, policy in self.facts()
        ]
        return _stamped(heapq.merge(*streams, key=_order), self.account.id)

    def upcoming(self, count: int, days: int) -> tuple[Transition, ...]:
        """The first ``count`` transitions of the ``days`` days from ``at``, computed lazily.

        The window ends where the calendar does (:data:`billrules._time.LAST_INSTANT`).
        """
        at = self.at
        room = max(_time.LAST_INSTANT - at, timedelta(0))  # local instants reach past it
        end = at + min(timedelta(days=min(days, room.days + 1)), room)
        return tuple(itertools.islice(self.transitions(end), count))


#: The registered areas, in the order of the timeline and the report.
AREAS: Final[tuple[Area, ...]] = (
    Area("dunning", dunning, lambda ev: ev.ledger),
    Area("balance", balance, lambda ev: ev.account.ledger),
    Area("invoices", invoices, lambda ev: ev.invoice_facts),
    Area("cancellation", cancellation, lambda ev: ev.state),
    Area("subscriptions", subscriptions, lambda ev: ev.subscription_facts),
    Area("deletion", deletion, lambda ev: ev.deletion_facts),
    Area("payment_methods", payment_methods, lambda ev: ev.account.wallet),
    Area("seats", seats, lambda ev: ev.account.seats),
)

_account_state: Final[Callable[..., cancellation.AccountState]] = unchecked(account_state)
_activity: Final[Callable[[Account], deletion.AccountActivity]] = unchecked(activity)

_RANK: Final = {area.name: index for index, area in enumerate(AREAS)}


def _order(transition: Transition) -> tuple[datetime, int]:
    return transition.at, _RANK[transition.area]


def _stamped(transitions: Iterator[Transition], account: str) -> Iterator[Transition]:
    """``transitions`` with the account's id on their effects (X-6), lazily; a transition
    without effects passes as it is."""
    for transition in transitions:
        if transition.effects:
            yield attrs.evolve(
                transition,
                effects=tuple(_with_account(e, account) for e in transition.effects),
            )
        else:
            yield transition


def _with_account(effect: Effect, account: str) -> Effect:
    """A copy of ``effect`` naming ``account``: what ``attrs.evolve(effect, account=account)``
    gives, at a third of its cost. Its fields were checked when the effect was built, the
    account's id when the account was, so nothing is checked again."""
    kind = type(effect)
    copy = object.__new__(kind)
    for field in attrs.fields(kind):
        object.__setattr__(copy, field.name, getattr(effect, field.name))
    object.__setattr__(copy, "account", account)
    return copy
