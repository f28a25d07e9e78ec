"""One account at one instant, evaluated once: the registry of areas and what they share.

:data:`AREAS` is the registry: the areas in the order the timeline and the report use, each
its declaration (:class:`billrules.area.Area`, in its package) with how its facts are read
from an :class:`Evaluation`; the area's policy is the field of the same name in
:class:`~billrules.policy.Policy`. It is the one place that names every area: adding an area
is its package, one line here, and its fields in ``Policy`` and ``Account``. A
:class:`Registry` is a value: a host adds its own area with :meth:`Registry.with_area` and
passes the result where it is needed.

An :class:`Evaluation` computes what several questions share for one account at one instant —
the ledger, the cancellation area's account state with the balance at that instant, the
deletion facts, the invoices, the subscription with the spans in which other areas stop its
billing — once, when first read, and hands each area its own facts. It decides nothing.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs

from billrules import (
    _apply as _applying,
)
from billrules import (
    _time,
    balance,
    cancellation,
    deletion,
    dunning,
    invoices,
    overdue,
    payment_methods,
    seats,
    subscriptions,
)
from billrules._check import trusted, unchecked
from billrules._redact import shown
from billrules.account import Account, account_state, activity
from billrules.area import Area
from billrules.contract import Finding, Suspension, Transition, trusted_transition
from billrules.effects import Effect
from billrules.errors import InvalidInput, InvalidType
from billrules.policy import Policy
from billrules.roles import Role

__all__ = ["AREAS", "Evaluation", "Registered", "Registry", "UnknownArea"]


def _an_area(entry: Registered, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Area):
        raise InvalidType("Registered.area", f"must be an Area, not {type(value).__name__}")


def _callable(where: str, *, optional: bool = False) -> Callable[..., None]:
    def check(entry: Registered, attribute: attrs.Attribute[Any], value: object) -> None:
        if not (callable(value) or (optional and value is None)):
            raise InvalidType(where, f"must be callable, not {type(value).__name__}")

    return check


#: The areas the policy bundle has a field for.
_POLICY_FIELDS: Final = frozenset(field.name for field in attrs.fields(Policy))


@attrs.frozen
class Registered:
    """One area of a registry: its declaration, how its facts are read from an evaluation,
    and which policy of the bundle is its own.

    ``facts`` reads the area's facts from an :class:`Evaluation`; ``None`` means the account
    has nothing in this area (no seats, no subscription…), so the area is not asked.
    ``policy`` picks the area's policy from the bundle (by default the field of the area's
    name). The contract's functions are read from the declaration once; an evaluation calls
    their bodies, since every value it passes was checked when the account and the policy
    were built.
    """

    area: Area = attrs.field(validator=_an_area)
    facts: Callable[[Evaluation], Any] = attrs.field(validator=_callable("Registered.facts"))
    policy_of: Callable[[Policy], Any] | None = attrs.field(
        default=None, validator=_callable("Registered.policy_of", optional=True)
    )
    transitions: Callable[..., Iterator[Transition]] = attrs.field(init=False, eq=False)
    findings: Callable[..., tuple[Finding, ...]] = attrs.field(init=False, eq=False)
    role_findings: Callable[..., tuple[Finding, ...]] = attrs.field(init=False, eq=False)
    suspensions: Callable[..., tuple[Suspension, ...]] | None = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.policy_of is None and self.area.name not in _POLICY_FIELDS:
            raise InvalidInput(
                "policy",
                f"the policy bundle has no field {self.area.name!r}: say how the area's policy"
                " is picked (policy=lambda bundle: ...)",
            )
        contract = self.area.contract
        object.__setattr__(self, "transitions", unchecked(contract.transitions))
        object.__setattr__(self, "findings", unchecked(contract.findings))
        object.__setattr__(self, "role_findings", unchecked(contract.role_findings))
        stops = self.area.suspensions
        object.__setattr__(self, "suspensions", None if stops is None else unchecked(stops))

    @property
    def name(self) -> str:
        """The area's name."""
        return self.area.name

    def policy(self, policy: Policy) -> Any:
        """The area's own policy in the bundle."""
        if self.policy_of is not None:
            return self.policy_of(policy)
        return getattr(policy, self.area.name)


class UnknownArea(InvalidInput, KeyError):
    """No area of the registry has the name asked for."""

    def __str__(self) -> str:
        return InvalidInput.__str__(self)


_T = TypeVar("_T")


def _entries(entries: Iterable[Registered]) -> tuple[Registered, ...]:
    if not isinstance(entries, Iterable) or isinstance(entries, (str, bytes)):
        raise InvalidType("Registry.entries", f"must be areas, not {type(entries).__name__}")
    return tuple(entries)


@attrs.frozen
class Registry:
    """The areas an evaluation asks, in the order of the timeline and the report.

    A value, not a global to register into: :data:`AREAS` is the default, and a host (or a
    test) builds another with :meth:`with_area` and passes it where it is needed
    (``explain(..., areas=...)``, ``timeline(..., areas=...)``, ``serialize``, ``schema``).

    Raises:
        InvalidInput: two areas share a name or a rule prefix.
    """

    entries: tuple[Registered, ...] = attrs.field(converter=_entries)
    rank: Mapping[str, int] = attrs.field(init=False, eq=False, repr=False)
    #: What the layers above derive from this registry (its readers, its schemas), made once
    #: when first asked and kept with it: a registry's lifetime bounds them.
    derived: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        names: dict[str, int] = {}
        prefixes: set[str] = set()
        for index, entry in enumerate(self.entries):
            if not isinstance(entry, Registered):
                raise InvalidType(f"Registry.entries[{index}]", "must be a Registered area")
            if entry.name in names:
                raise InvalidInput(f"Registry.entries[{index}]", "names an area already there")
            if entry.area.prefix in prefixes:
                raise InvalidInput(f"Registry.entries[{index}]", "uses a rule prefix already there")
            names[entry.name] = index
            prefixes.add(entry.area.prefix)
        object.__setattr__(self, "rank", MappingProxyType(names))

    def __iter__(self) -> Iterator[Registered]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def areas(self) -> tuple[Area, ...]:
        """The declarations, in order."""
        return tuple(entry.area for entry in self.entries)

    @property
    def names(self) -> tuple[str, ...]:
        """The areas' names, in order."""
        return tuple(entry.name for entry in self.entries)

    def __getitem__(self, name: str) -> Area:
        """The area called ``name``.

        Raises:
            UnknownArea: no area of the registry has that name (a ``KeyError`` too).
        """
        index = self.rank.get(name) if isinstance(name, str) else None
        if index is None:
            raise UnknownArea(
                "name", f"no area {shown(name)}; the areas are {', '.join(self.names)}"
            )
        return self.entries[index].area

    def derive(self, key: str, make: Callable[[Registry], _T]) -> _T:
        """``make(self)``, made once per registry and kept with it (for the layers above)."""
        found = self.derived.get(key)
        if found is None:
            found = self.derived.setdefault(key, make(self))
        made: _T = found
        return made

    def __reduce__(self) -> str | tuple[Any, ...]:
        # The default registry pickles by name; another holds its host's functions, which
        # pickle (or not) as those do.
        if self is AREAS:
            return "AREAS"
        return (Registry, (self.entries,))

    def with_area(
        self,
        area: Area,
        *,
        facts: Callable[[Evaluation], Any],
        policy: Callable[[Policy], Any] | None = None,
    ) -> Registry:
        """This registry with ``area`` added last, its facts read by ``facts`` and its policy
        picked by ``policy`` (by default the bundle's field of the area's name)."""
        return Registry((*self.entries, Registered(area, facts, policy)))


@attrs.frozen(kw_only=True)
class Evaluation:
    """What the areas share for ``account`` under ``policy`` at ``at``, computed once.

    The instant must be aware and the arguments checked by the caller (the public functions
    of :mod:`billrules.timeline` and :mod:`billrules.report` are).
    """

    account: Account
    policy: Policy
    at: datetime
    areas: Registry = attrs.field(factory=lambda: AREAS)

    @property
    def zone(self) -> ZoneInfo:
        """The account's zone: local dates are counted in it."""
        return self.account.zone

    @functools.cached_property
    def ledger(self) -> balance.Ledger:
        """The prepaid ledger, or an empty one for a postpaid account: the one the deletion
        area's activity reads, built once for both."""
        ledger = self.account.ledger
        if ledger is not None:
            return ledger
        return self.deletion_facts.activity.ledger

    @functools.cached_property
    def state(self) -> cancellation.AccountState:
        """The cancellation area's facts, with the balance at ``at``."""
        return _account_state(self.account, at=self.at)

    @functools.cached_property
    def deletion_facts(self) -> deletion.DeletionFacts:
        """The deletion area's facts: the account's activity, and the schedule."""
        # Built by its constructor: it checks the schedule against the account's creation,
        # which nothing before it does (a check across the account's own facts).
        return deletion.DeletionFacts(
            activity=_activity(self.account), schedule=self.account.deletion_schedule
        )

    @functools.cached_property
    def invoice_facts(self) -> invoices.InvoiceFacts:
        """The invoices and payments, in the account's currency."""
        account = self.account
        return trusted(
            invoices.InvoiceFacts,
            currency=account.currency,
            invoices=account.invoices,
            payments=account.payments,
        )

    @functools.cached_property
    def overdue_facts(self) -> overdue.OverdueFacts | None:
        """What collections read: the invoices with their attempts, the wallet, the hold, the
        subscription, and a prepaid ledger with its dunning schedule (OVD-9); ``None`` when no
        invoice has money due, so nothing can ever be overdue under these facts."""
        account = self.account
        if not any(invoice.amount_due.amount > 0 for invoice in account.invoices):
            return None
        return trusted(
            overdue.OverdueFacts,
            currency=account.currency,
            invoices=account.invoices,
            wallet=account.wallet,
            hold_until=account.hold_until,
            subscription=account.subscription,
            ledger=account.ledger,
            dunning=self.policy.dunning,
        )

    @functools.cached_property
    def suspensions(self) -> tuple[Suspension, ...]:
        """The spans in which the areas that stop billing say nothing is billed."""
        found: list[Suspension] = []
        for area in self.areas:
            stops = area.suspensions
            facts = None if stops is None else area.facts(self)
            if stops is not None and facts is not None:
                found.extend(stops(facts, area.policy(self.policy), zone=self.zone))
        return tuple(found)

    @functools.cached_property
    def prepaid_facts(self) -> balance.PrepaidFacts | None:
        """The balance area's facts: the ledger, the creation, the spans not billed; ``None``
        for a postpaid account."""
        ledger = self.account.ledger
        if ledger is None:
            return None
        return trusted(
            balance.PrepaidFacts,
            ledger=ledger,
            created_at=self.account.created_at,
            suspensions=self.suspensions,
        )

    @functools.cached_property
    def subscription_facts(self) -> subscriptions.SubscriptionFacts | None:
        """The subscription with the spans in which it is not billed, if there is one."""
        sub = self.account.subscription
        if sub is None:
            return None
        return trusted(
            subscriptions.SubscriptionFacts, subscription=sub, suspensions=self.suspensions
        )

    @functools.cached_property
    def present(self) -> tuple[tuple[Registered, Any, Any], ...]:
        """Each area the account has facts in, with those facts and the area's policy."""
        found = []
        bundle = self.policy
        for area in self.areas.entries:
            facts = area.facts(self)
            if facts is not None:
                pick = area.policy_of
                policy = getattr(bundle, area.area.name) if pick is None else pick(bundle)
                found.append((area, facts, policy))
        return tuple(found)

    def facts(self) -> Iterator[tuple[Registered, Any, Any]]:
        """Each area the account has facts in, with those facts and the area's policy."""
        return iter(self.present)

    def findings(self) -> tuple[Finding, ...]:
        """Every area's account-wide findings at ``at``, in the registry's order."""
        at, zone = self.at, self.account.zone
        found: list[Finding] = []
        for area, facts, policy in self.present:
            found.extend(area.findings(facts, policy, at=at, zone=zone))
        return tuple(found)

    def role_findings(self, role: Role) -> tuple[Finding, ...]:
        """What a user with ``role`` may do at ``at``, area by area."""
        at, zone = self.at, self.account.zone
        found: list[Finding] = []
        for area, facts, policy in self.present:
            found.extend(area.role_findings(facts, policy, role=role, at=at, zone=zone))
        return tuple(found)

    def transitions(self, end: datetime) -> Iterator[Transition]:
        """Every area's transitions in ``[at, end)``, in time order, as the account lives
        them: the facts each one changes are changed before the next is computed (X-9).

        The areas' transitions are merged lazily in time order (:meth:`merged`). When one
        carries an effect that changes a fact (a monthly charge, a deletion scheduled…), the
        account with that change made (:func:`billrules.apply`) is evaluated again from that
        instant, so every area sees it: the charge on the 1st starts dunning's stages, a
        deletion stops the charges. What was already given at that instant is not given
        again. A host that runs the window night by night and applies each night's effects
        sees the same transitions, in the same order (X-9), with the same keys (X-6).
        """
        return _lived(self, end)

    def merged(self, end: datetime) -> Iterator[Transition]:
        """Every area's transitions in ``[at, end)`` from these facts alone, merged lazily in
        time order.

        At one instant the registry's order of areas decides; within an area, the area's own.
        Their effects carry the account's id (``Effect.account``, X-6); the areas' own
        transitions are account-free.
        """
        at, zone = self.at, self.account.zone
        streams = [
            area.transitions(facts, policy, start=at, end=end, zone=zone)
            for area, facts, policy in self.present
        ]
        return _merged(streams, self.areas.rank, self.account.id)

    def upcoming(self, count: int, days: int) -> tuple[Transition, ...]:
        """The first ``count`` transitions of the ``days`` days from ``at``, computed lazily.

        The window ends where the calendar does (:data:`billrules._time.LAST_INSTANT`).
        """
        at = self.at
        room = max(_time.LAST_INSTANT - at, timedelta(0))  # local instants reach past it
        end = at + min(timedelta(days=min(days, room.days + 1)), room)
        return tuple(itertools.islice(self.transitions(end), count))


#: The registered areas, in the order of the timeline and the report: the one place that
#: names every area.
AREAS: Final[Registry] = Registry(
    (
        Registered(dunning.AREA, lambda ev: ev.ledger),
        Registered(balance.AREA, lambda ev: ev.prepaid_facts),
        Registered(invoices.AREA, lambda ev: ev.invoice_facts),
        Registered(overdue.AREA, lambda ev: ev.overdue_facts),
        Registered(cancellation.AREA, lambda ev: ev.state),
        Registered(subscriptions.AREA, lambda ev: ev.subscription_facts),
        Registered(deletion.AREA, lambda ev: ev.deletion_facts),
        Registered(payment_methods.AREA, lambda ev: ev.account.wallet),
        Registered(seats.AREA, lambda ev: ev.account.seats),
    )
)

_apply: Final = _applying.apply
_changes_facts: Final = _applying.changes_facts
_account_state: Final[Callable[..., cancellation.AccountState]] = unchecked(account_state)
_activity: Final[Callable[[Account], deletion.AccountActivity]] = unchecked(activity)


def _lived(evaluation: Evaluation, end: datetime) -> Iterator[Transition]:
    """:meth:`Evaluation.transitions`: the merged transitions, the account evaluated again
    after each one that changes its facts."""
    current = evaluation
    given_at: datetime | None = None  # the instant of the last transition given
    given: list[Transition] = []  # those given at that instant
    while True:
        for transition in current.merged(end):
            if transition.at == given_at:
                if transition in given:
                    continue  # given before the facts changed at this instant
                given.append(transition)
            else:
                given_at, given = transition.at, [transition]
            yield transition
            effects = transition.effects
            if effects and _changes_facts(effects):
                account = _apply(current.account, effects)
                if account is not current.account:
                    current = Evaluation(
                        account=account,
                        policy=current.policy,
                        at=transition.at,
                        areas=current.areas,
                    )
                    break
        else:
            return


def _merged(
    streams: list[Iterator[Transition]], rank: Mapping[str, int], account: str
) -> Iterator[Transition]:
    """``streams`` merged lazily in time order, at one instant by ``rank`` of their area (an
    area not ranked last), then by stream, with the account's id on their effects (X-6).

    What ``heapq.merge`` gives with that key, for the few streams of an evaluation: each is
    advanced only when its head is taken, and a transition without effects passes as it is.
    """
    last = len(rank)
    heads: list[list[Any]] = []
    for order, stream in enumerate(streams):
        taking = iter(stream)
        first = next(taking, None)
        if first is not None:
            heads.append([first.at, rank.get(first.area, last), order, first, taking])
    while heads:
        # Lists compare item by item: the instant, the rank, then the stream (never equal).
        head = min(heads) if len(heads) > 1 else heads[0]
        transition: Transition = head[3]
        yield _stamp(transition, account) if transition.effects else transition
        following = next(head[4], None)
        if following is None:
            heads.remove(head)  # two heads differ by their stream before a transition is compared
        else:
            head[0] = following.at
            head[1] = rank.get(following.area, last)
            head[3] = following


def _stamp(transition: Transition, account: str) -> Transition:
    """``transition`` with the account's id on its effects (X-6)."""
    if type(transition) is not Transition:
        # A host area's own kind of transition: copied as attrs copies it, kind and all.
        effects = tuple([_with_account(e, account) for e in transition.effects])
        return attrs.evolve(transition, effects=effects)
    return trusted_transition(
        transition.at,
        transition.area,
        transition.kind,
        transition.reasons,
        tuple([_with_account(e, account) for e in transition.effects]),
    )


def _with_account(effect: Effect, account: str) -> Effect:
    """A copy of ``effect`` naming ``account``: what ``attrs.evolve(effect, account=account)``
    gives, at a third of its cost. Its fields were checked when the effect was built, the
    account's id when the account was, so nothing is checked again."""
    kind = type(effect)
    copy = object.__new__(kind)
    for field in kind.__attrs_attrs__:  # attrs.fields(kind), without its checks
        object.__setattr__(copy, field.name, getattr(effect, field.name))
    object.__setattr__(copy, "account", account)
    return copy
