"""A stateful machine over the deletion schedule (DEL-1 … DEL-7): schedule, cancel, login,
top-up, time advance and restore, run as a host's cron job would."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from moneyed import Money

from billrules.balance import Ledger, LedgerEntry
from billrules.decisions import PolicyViolation
from billrules.deletion import (
    AccountActivity,
    DeletionFacts,
    DeletionPolicy,
    DeletionSchedule,
    DeletionScheduleKind,
    DeletionState,
    can_cancel,
    can_restore,
    can_schedule,
    cancel,
    deadlines,
    delete_manually,
    effects_due,
    restore,
    schedule,
    state_at,
)
from billrules.effects import DeleteAccount, Effect, PurgeData, RestoreAccount, ScheduleDeletion
from billrules.roles import Role
from billrules.testing._core import zones

POLICY = DeletionPolicy()


def _own(effects: Iterable[Effect], schedule: DeletionSchedule | None) -> list[Effect]:
    """The effects of ``schedule``: those before the run schedules another deletion once this
    one is over (DEL-1 again; the host would apply it, X-9, and this machine follows one
    schedule)."""
    own: list[Effect] = []
    for effect in effects:
        if (
            isinstance(effect, ScheduleDeletion)
            and schedule is not None
            and effect.at != schedule.scheduled_at
        ):
            break
        own.append(effect)
    return own


class DeletionMachine(RuleBasedStateMachine):
    """DEL-1 … DEL-7: the schedule's state follows the transition table, every effect is
    returned exactly once by consecutive windows, and refused operations change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.schedule: DeletionSchedule | None = None
        self.emitted: list[Effect] = []
        self.window_start = datetime(2024, 1, 1, tzinfo=UTC)

    @initialize(
        zone=zones(),
        days=st.integers(min_value=0, max_value=366),
        hours=st.integers(min_value=0, max_value=48),
        manual=st.booleans(),
    )
    def open_account(self, zone, days, hours, manual):
        self.zone = zone
        self.manual = manual
        created = (datetime(2024, 1, 1, 9, tzinfo=UTC) + timedelta(days=days)).astimezone(zone)
        self.activity = AccountActivity(created_at=created, ledger=Ledger(currency="USD"))
        self.now = created + timedelta(days=40, hours=hours)
        self.window_start = self.now

    # Time and the host's cron job ----------------------------------------------------------

    def _run_cron(self, until: datetime) -> None:
        if self.schedule is not None:
            self.emitted.extend(
                effects_due(
                    DeletionFacts(activity=self.activity, schedule=self.schedule),
                    POLICY,
                    start=self.window_start,
                    end=until,
                    zone=self.zone,
                    account="acme",
                )
            )
        self.window_start = until

    @rule(hours=st.integers(min_value=1, max_value=15 * 24))
    def advance(self, hours):
        self.now += timedelta(hours=hours)
        self._run_cron(self.now)

    @precondition(lambda self: self.schedule is not None)
    @rule(nudge=st.sampled_from((timedelta(0), timedelta(seconds=-1), timedelta(seconds=1))))
    def advance_to_next_deadline(self, nudge):
        when = deadlines(
            DeletionFacts(activity=self.activity, schedule=self.schedule), POLICY, zone=self.zone
        )
        upcoming = [
            at
            for at in (*(i for _, i in when.reminders), when.deletion_at, when.purge_at)
            if at + nudge > self.now
        ]
        if upcoming:
            self.now = min(upcoming) + nudge
            self._run_cron(self.now)

    # The account's activity -----------------------------------------------------------------

    @rule()
    def login(self):
        self.activity = self.activity.with_login(self.now)

    @rule(cents=st.integers(min_value=-2_000, max_value=2_000))
    def change_balance(self, cents):
        # The balance becomes ``cents`` from now on: one adjustment by the difference.
        target = Money(Decimal(cents).scaleb(-2), "USD")
        change = target - self.activity.balance_at(self.now)
        entry = LedgerEntry(
            id=f"e{len(self.activity.ledger.entries)}",
            kind="adjustment",
            at=self.now,
            amount=change,
        )
        self.activity = self.activity.with_entry(entry)

    # The schedule ---------------------------------------------------------------------------

    @precondition(lambda self: self.schedule is None)
    @rule()
    def schedule_automatic(self):
        decision = can_schedule(
            DeletionFacts(activity=self.activity), POLICY, at=self.now, zone=self.zone
        )
        if decision.allowed:
            self.schedule = schedule(
                DeletionFacts(activity=self.activity), POLICY, at=self.now, zone=self.zone
            ).schedule
        else:
            with pytest.raises(PolicyViolation) as excinfo:
                schedule(DeletionFacts(activity=self.activity), POLICY, at=self.now, zone=self.zone)
            assert decision == excinfo.value.decision

    @precondition(lambda self: self.schedule is None and self.manual)
    @rule(role=st.sampled_from(Role))
    def schedule_by_owner(self, role):
        if role is Role.OWNER:
            self.schedule = delete_manually(
                DeletionFacts(activity=self.activity),
                POLICY,
                at=self.now,
                zone=self.zone,
                role=role,
            ).schedule
        else:
            with pytest.raises(PolicyViolation):
                delete_manually(
                    DeletionFacts(activity=self.activity),
                    POLICY,
                    at=self.now,
                    zone=self.zone,
                    role=role,
                )

    @precondition(lambda self: self.schedule is not None)
    @rule(role=st.sampled_from(Role))
    def owner_cancels(self, role):
        before = self.schedule
        decision = can_cancel(
            DeletionFacts(activity=self.activity, schedule=before),
            POLICY,
            at=self.now,
            zone=self.zone,
            role=role,
        )
        pending = self._state() is DeletionState.PENDING
        assert (pending and role is Role.OWNER) == decision.allowed
        if decision.allowed:
            self.schedule = cancel(
                DeletionFacts(activity=self.activity, schedule=before),
                POLICY,
                at=self.now,
                zone=self.zone,
                role=role,
            ).schedule
        else:
            with pytest.raises(PolicyViolation) as excinfo:
                cancel(
                    DeletionFacts(activity=self.activity, schedule=before),
                    POLICY,
                    at=self.now,
                    zone=self.zone,
                    role=role,
                )
            assert decision == excinfo.value.decision
            assert before == self.schedule

    @precondition(lambda self: self.schedule is not None)
    @rule()
    def support_restores(self):
        before = self.schedule
        when = deadlines(
            DeletionFacts(activity=self.activity, schedule=before), POLICY, zone=self.zone
        )
        decision = can_restore(
            DeletionFacts(activity=self.activity, schedule=before),
            POLICY,
            at=self.now,
            zone=self.zone,
        )
        deleted = self._state() is DeletionState.DELETED
        assert deleted == decision.allowed
        if deleted:
            assert when.deletion_at <= self.now < when.purge_at
            self.schedule = restore(
                DeletionFacts(activity=self.activity, schedule=before),
                POLICY,
                at=self.now,
                zone=self.zone,
            ).schedule
        else:
            with pytest.raises(PolicyViolation) as excinfo:
                restore(
                    DeletionFacts(activity=self.activity, schedule=before),
                    POLICY,
                    at=self.now,
                    zone=self.zone,
                )
            assert decision == excinfo.value.decision

    # Invariants -----------------------------------------------------------------------------

    def _state(self) -> DeletionState | None:
        assert self.schedule is not None
        return state_at(
            DeletionFacts(activity=self.activity, schedule=self.schedule),
            POLICY,
            at=self.now,
            zone=self.zone,
        )

    def _expected_state(self) -> DeletionState | None:
        """An independent reading of DEL-3, DEL-6, DEL-7 from the record and the instants."""
        sched = self.schedule
        assert sched is not None
        when = deadlines(
            DeletionFacts(activity=self.activity, schedule=sched), POLICY, zone=self.zone
        )
        if self.now < sched.scheduled_at:
            return None
        if sched.cancelled_at is not None:
            return DeletionState.CANCELLED
        if self.now < when.deletion_at:
            return DeletionState.PENDING
        if sched.kind is DeletionScheduleKind.AUTOMATIC and not (
            can_schedule(
                DeletionFacts(activity=self.activity), POLICY, at=when.deletion_at, zone=self.zone
            ).allowed
        ):
            return DeletionState.KEPT
        if sched.restored_at is not None:
            return DeletionState.RESTORED
        return DeletionState.DELETED if self.now < when.purge_at else DeletionState.PURGED

    @invariant()
    def state_follows_the_rules(self):
        if self.schedule is not None:
            state = self._state()
            event(f"state {state}")
            assert self._expected_state() == state

    @invariant()
    def every_effect_exactly_once(self):
        if self.schedule is None:
            assert [] == self.emitted
            return
        whole = effects_due(
            DeletionFacts(activity=self.activity, schedule=self.schedule),
            POLICY,
            start=self.schedule.scheduled_at,
            end=self.window_start,
            zone=self.zone,
            account="acme",
        )
        assert _own(whole, self.schedule) == _own(self.emitted, self.schedule)

    @invariant()
    def no_deletion_after_cancel_or_keep(self):
        kinds = [type(e) for e in _own(self.emitted, self.schedule)]
        assert kinds.count(DeleteAccount) <= 1
        assert kinds.count(PurgeData) + kinds.count(RestoreAccount) <= kinds.count(DeleteAccount)
        if self.schedule is not None and self.schedule.cancelled_at is not None:
            assert DeleteAccount not in kinds


# Thirty steps reach the purge (advances of up to 15 days, or straight to the next deadline);
# the other settings come from the active profile.
DeletionMachine.TestCase.settings = settings(stateful_step_count=30)
TestDeletionMachine = DeletionMachine.TestCase
