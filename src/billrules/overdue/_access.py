"""The overdue area's questions: :func:`can_use_product` (OVD-3, OVD-8, OVD-9),
:func:`can_change_plan` and :func:`can_add_seats` (OVD-3). Private."""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from billrules import _time
from billrules import _validate as v
from billrules._check import checked, unchecked
from billrules._redact import shown
from billrules.balance import BalanceFacts
from billrules.decisions import Decision, Reason, trusted_decision, trusted_reason
from billrules.dunning import AccessLevel
from billrules.errors import InvalidInput
from billrules.overdue._codes import OverdueCode
from billrules.overdue._facts import OverdueFacts
from billrules.overdue._ladder import State, state_at
from billrules.overdue._policy import OverduePolicy
from billrules.roles import Role

#: DUN-1's meanings: who may still use the product (a reminder is no restriction of use).
_USABLE: Final = frozenset({AccessLevel.FULL, AccessLevel.FULL_WITH_REMINDER})

_from_ledger: Final = BalanceFacts.from_ledger


#: Each role by itself and by its value, and each level's and role's text (dict lookups are
#: the cheapest on the path every request takes).
_ROLES: Final[dict[object, Role]] = {**{role: role for role in Role}, **{r.value: r for r in Role}}
_TEXT: Final[dict[object, str]] = {
    **{level: level.value for level in AccessLevel},
    **{role: role.value for role in Role},
}


def _role(value: Role | str) -> Role:
    try:
        found = _ROLES.get(value)
    except TypeError:  # unhashable
        found = None
    if found is None:
        raise InvalidInput("role", f"unknown role {shown(value)}")
    return found


#: OVD-3: nothing overdue, full access (one reason, built once).
_NOTHING: Final = trusted_reason(
    OverdueCode.NOTHING_OVERDUE, v.FrozenMapping({"level": str(AccessLevel.FULL)})
)


def _clear(state: State | None, facts: OverdueFacts, policy: OverduePolicy) -> Reason:
    if state is None:
        return _NOTHING
    threshold = policy.threshold(facts.currency.code)
    return trusted_reason(
        OverdueCode.BELOW_THRESHOLD,
        {"level": str(AccessLevel.FULL), "amount": state.amount, "threshold": threshold},
    )


def stage_reasons(
    state: State,
    index: int,
    policy: OverduePolicy,
    role: Role,
    level: AccessLevel,
    facts: OverdueFacts,
) -> tuple[Reason, ...]:
    """Why ``role`` gets ``level`` in ``state``'s stage, the ``index``-th (OVD-3), a hold
    (OVD-8), and what lifts it (OVD-4)."""
    stage = policy.stages[index]
    amount = state.amount
    first = trusted_reason(
        OverdueCode.OVERDUE_STAGE,
        v.FrozenMapping(
            {
                "level": _TEXT[level],
                "stage": stage.name,
                "first_day": stage.first_day,
                "role": _TEXT[role],
                "amount": amount,
                "since": state.since,
                "age": state.age,
                "invoice_ids": tuple([invoice.id for invoice in state.overdue]),
            }
        ),
    )
    lifts = trusted_reason(OverdueCode.PAYMENT_LIFTS, v.FrozenMapping({"amount": amount}))
    if state.held:
        held = trusted_reason(
            OverdueCode.HELD,
            v.FrozenMapping({"hold_until": facts.hold_until, "stage": stage.name}),
        )
        return (first, held, lifts)
    return (first, lifts)


def use_product(
    facts: OverdueFacts, policy: OverduePolicy, role: Role, at: datetime, zone: ZoneInfo
) -> tuple[Decision, State | None]:
    """:func:`can_use_product`'s body, with the state it read (for the finding's details)."""
    state = state_at(facts, policy, at, zone)
    if state is None or state.index is None:
        level = AccessLevel.FULL
        reasons: tuple[Reason, ...] = (_clear(state, facts, policy),)
    else:
        level = policy.stages[state.index].access[role]
        reasons = stage_reasons(state, state.index, policy, role, level, facts)
    ledger = facts.ledger
    if ledger is not None:
        # Loaded on use: an account without a ledger never needs dunning's question.
        from billrules.dunning import can_use_product as dunning_use

        debt = unchecked(dunning_use)(
            _from_ledger(ledger, at), facts.dunning, role=role, at=at, zone=zone
        )
        first = debt.reasons[0].details
        owed = first.get("level")
        if owed is not None and owed != AccessLevel.FULL:
            # OVD-9: both restrict, or only the debt does: the stricter level, and why.
            debt_level = AccessLevel(owed)
            strict = max(level, debt_level, key=lambda found: found.severity)
            wins = trusted_reason(
                OverdueCode.STRICTER_WINS,
                {
                    "level": str(strict),
                    "role": str(role),
                    "dunning_level": str(debt_level),
                    "dunning_stage": first.get("stage"),
                },
            )
            ordered = (wins, *reasons) if strict is not level else (*reasons, wins)
            return trusted_decision(strict in _USABLE, ordered), state
    return trusted_decision(level in _USABLE, reasons), state


@checked
def can_use_product(
    facts: OverdueFacts,
    policy: OverduePolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> Decision:
    """Whether a user with ``role`` may use the product at ``at``, and at which access level.
    Decides OVD-3, OVD-4, OVD-8 and OVD-9.

    Nothing overdue (or less than the policy's threshold): full access (``nothing_overdue``,
    ``below_threshold``). Otherwise the stage of the oldest overdue invoice's age gives the
    role's level (``overdue_stage``, with ``level``, ``stage``, ``age``, ``since``, ``amount``
    and ``invoice_ids`` in its details), capped at the first stage while a hold lasts
    (``held``), and paying what is overdue lifts it (``payment_lifts``). Where the prepaid
    balance is negative too and dunning restricts the role, it gets the stricter of the two
    levels: ``stricter_wins`` names dunning's stage and level (first when dunning's is the
    stricter, last otherwise), and the report shows dunning's own ``use_product`` beside it
    (OVD-9). The first reason always carries the ``level``.
    Allowed at ``full`` or ``full_with_reminder``, as DUN-1.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInput: unknown role.
    """
    return use_product(facts, policy, _role(role), at, _time.to_zone(zone))[0]


def change(
    facts: OverdueFacts, policy: OverduePolicy, at: datetime, zone: ZoneInfo
) -> tuple[Decision, State | None]:
    """Whether plan changes and seat additions are refused at ``at`` (OVD-3), and the state."""
    state = state_at(facts, policy, at, zone)
    if state is None or state.index is None:
        return trusted_decision(True, (_clear(state, facts, policy),)), state
    stage = policy.stages[state.index]
    if stage.blocks_changes:
        reason = trusted_reason(
            OverdueCode.CHANGES_REFUSED, {"stage": stage.name, "amount": state.amount}
        )
        return trusted_decision(False, (reason,)), state
    reason = trusted_reason(OverdueCode.CHANGES_ALLOWED, {"stage": stage.name})
    return trusted_decision(True, (reason,)), state


@checked
def can_change_plan(
    facts: OverdueFacts, policy: OverduePolicy, *, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether the plan may be changed at ``at``. Decides OVD-3.

    Refused (``changes_refused``) from the first stage that blocks changes (default:
    ``warning``, day 10) until what is overdue is paid.
    """
    return change(facts, policy, at, _time.to_zone(zone))[0]


@checked
def can_add_seats(
    facts: OverdueFacts, policy: OverduePolicy, *, at: datetime, zone: ZoneInfo | str
) -> Decision:
    """Whether seats may be added at ``at``. Decides OVD-3 (as :func:`can_change_plan`)."""
    return change(facts, policy, at, _time.to_zone(zone))[0]


def access_at(
    facts: OverdueFacts, policy: OverduePolicy, index: int | None, at: datetime, zone: ZoneInfo
) -> tuple[v.FrozenMapping[str, str], str | None]:
    """Each role's access from ``at`` on, with collections at stage ``index`` (``None``:
    nothing restricted), as the host is asked to enforce it: where the prepaid balance is
    negative too, the stricter of the overdue and the dunning level (OVD-9). Also dunning's
    stage then, if it restricts anyone."""
    stage = None if index is None else policy.stages[index]
    levels = {role: AccessLevel.FULL if stage is None else stage.access[role] for role in Role}
    dunning_stage: str | None = None
    ledger = facts.ledger
    if ledger is not None:
        from billrules.dunning import can_use_product as dunning_use

        debt = _from_ledger(ledger, at)
        if debt.debt_started_at is not None:
            ask = unchecked(dunning_use)
            for role in Role:
                first = ask(debt, facts.dunning, role=role, at=at, zone=zone).reasons[0]
                owed = AccessLevel(first.details.get("level", AccessLevel.FULL))
                if owed.severity > levels[role].severity:
                    levels[role] = owed
                if owed is not AccessLevel.FULL:
                    dunning_stage = first.details.get("stage")
    return v.FrozenMapping({role.value: level.value for role, level in levels.items()}), (
        dunning_stage
    )
