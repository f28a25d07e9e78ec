"""The hand-written baseline of ``bench_explain.py``: the answers of ``explain`` from plain
values, the default policy hard-wired. Not part of the test suite.

For each role present: the access level (DUN-1, default schedule, month_start anchor), the
collections level (OVD-3, with OVD-9's stricter of the two), topping up (BAL-1), requesting
cancellation (CAN-1 … CAN-3), manual deletion (DEL-2), cancelling a pending deletion (DEL-3),
removing the default method (PM-2), removable seats (SEAT-2). For the account: the outstanding
amount (INV-3), the history count (INV-1), the balance (BAL-3), inactivity eligibility
(DEL-1), whether a scheduled deletion goes ahead (DEL-7), nothing scheduled (CAN-9), nothing
overdue and whether plan changes are allowed (OVD-3, OVD-4), and the first five events of the
next 400 days (X-5) with their instants, lived as the run lives them (X-9): each monthly charge
(BAL-4, BAL-5), deletion scheduled (DEL-1) and final action (OVD-5) changes the facts the
events after it follow from (the dunning that a charge starts, the deletion a charge makes
eligible, the renewals a cancelled subscription stops). No messages, no reasons, no effects:
that is what billrules adds.
"""

from __future__ import annotations

import calendar
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from billrules.account import Account
from billrules.invoices import Invoice

_LEVELS = (
    ("full", "full", "full"),
    ("full_with_reminder", "full_with_reminder", "full"),
    ("payment_page_only", "payment_page_only", "full"),
    ("blocked", "blocked", "blocked"),
)
_FIRST_DAYS = (1, 4, 7, 10)
_ROLE_INDEX = {"owner": 0, "admin": 1, "staff": 2}


#: The default collections ladder (OVD-3): each role's level from days 0, 10, 14 and 21.
_OVERDUE_LEVELS = (
    ("full_with_reminder", "full_with_reminder", "full"),
    ("full_with_reminder", "full_with_reminder", "full"),
    ("payment_page_only", "payment_page_only", "blocked"),
    ("payment_page_only", "payment_page_only", "blocked"),
)
_SEVERITY = {"full": 0, "full_with_reminder": 1, "payment_page_only": 2, "blocked": 3}


def _overdue_stage(due: list[Invoice], hold: datetime | None, at: datetime, zone: ZoneInfo) -> int:
    """The collections stage at ``at`` (OVD-3, OVD-8): -1 when nothing is overdue."""
    oldest = None
    for i in due:
        if i.due_at < at and (
            oldest is None
            or (i.due_at, i.issued_at, i.id) < (oldest.due_at, oldest.issued_at, oldest.id)
        ):
            oldest = i
    if oldest is None:
        return -1
    age = (at.astimezone(zone).date() - oldest.due_at.astimezone(zone).date()).days
    stage = 3 if age >= 21 else 2 if age >= 14 else 1 if age >= 10 else 0
    return 0 if stage and hold is not None and at < hold else stage


def _stage_of(day: int) -> int:
    return 3 if day >= 10 else 2 if day >= 7 else 1 if day >= 4 else 0


def _add_days(at: datetime, days: int, zone: ZoneInfo) -> datetime:
    local = at.astimezone(zone)
    wall = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC).astimezone(zone)


def baseline(a: Account, at: datetime) -> tuple[Any, ...]:
    """The same answers as :func:`answers` of a Report, from plain values."""
    zone = a.zone
    # Ledger: running balance, debt periods.
    periods: list[list[Any]] = []
    balance = Decimal(0)
    changes: list[tuple[datetime, Decimal]] = []
    if a.ledger is not None:
        started = None
        for when, group in itertools.groupby(a.ledger.entries, key=lambda e: e.at):
            balance += sum((e.amount.amount for e in group), Decimal(0))
            changes.append((when, balance))
            if balance < 0 and started is None:
                started = when
            elif balance >= 0 and started is not None:
                periods.append([started, when])
                started = None
        if started is not None:
            periods.append([started, None])
    bal_at = Decimal(0)
    for when, value in changes:
        if when > at:
            break
        bal_at = value
    debt = None
    for started, ended in periods:
        if started <= at and (ended is None or at < ended):
            debt = started
    stage = -1
    if debt is not None:
        today = at.astimezone(zone).date()
        debt_day = debt.astimezone(zone).date()
        stage = (
            3
            if (today.year, today.month) != (debt_day.year, debt_day.month)
            else _stage_of(today.day)
        )
    due = [i for i in a.invoices if i.status in ("submitted", "failed") and i.amount_due.amount > 0]
    owed = sum((i.amount_due.amount for i in due), Decimal(0))
    roles_present = {u.role for u in a.users}
    # Deletion.
    logins = sorted(
        u.last_login_at
        for u in a.users
        if u.last_login_at is not None and u.last_login_at >= a.created_at
    )
    created_day = a.created_at.astimezone(zone).date()

    def eligible(when: datetime) -> bool:
        day = when.astimezone(zone).date()
        if (day - created_day).days <= 40:
            return False
        last = None
        for login in logins:
            if login > when:
                break
            last = login
        if last is not None and (day - last.astimezone(zone).date()).days <= 30:
            return False
        value = Decimal(0)
        for change_at, change in changes:
            if change_at > when:
                break
            value = change
        return value <= 0

    s = a.deletion_schedule
    pending = goes_ahead = None
    if s is not None:
        deletion_at = _add_days(s.scheduled_at, 10, zone)
        goes_ahead = eligible(deletion_at)
        pending = s.scheduled_at <= at < deletion_at
    # Collections (OVD-3, OVD-9): only when some invoice has money due.
    collections = _overdue_stage(due, a.hold_until, at, zone) if due else None
    roles = []
    for role in ("owner", "admin", "staff"):
        if role not in roles_present:
            continue
        level = "full" if stage < 0 else _LEVELS[stage][_ROLE_INDEX[role]]
        overdue_level = None
        if collections is not None:
            overdue_level = (
                "full" if collections < 0 else _OVERDUE_LEVELS[collections][_ROLE_INDEX[role]]
            )
            # A prepaid debt too: the stricter of the two (OVD-9).
            if level != "full" and (collections < 0 or _SEVERITY[level] > _SEVERITY[overdue_level]):
                overdue_level = level
        roles.append(
            (
                role,
                level,
                overdue_level,
                None if a.ledger is None else role != "staff",  # BAL-1, prepaid only
                role == "owner"
                and a.status == "active"
                and not due
                and (a.ledger is None or bal_at >= 0),
                role == "owner",
                None if s is None else (role == "owner" and pending),
                None if a.wallet.default_id is None else False,
                None if a.seats is None else a.seats.total - len(a.seats.occupants),
            )
        )
    cutoff = date(2021, 1, 1)
    issued = [i for i in a.invoices if i.status != "scheduled" and i.issued_at <= at]
    listed = sum(1 for i in issued if i.issued_at.astimezone(zone).date() >= cutoff)
    # The next events of the 400 days from ``at``, lived.
    events = _Forecast(a, due, logins).first(at, at + timedelta(days=400), 5)
    return (
        tuple(roles),
        owed,
        listed,
        len(issued) - listed,
        None if a.ledger is None else bal_at,
        eligible(at),
        goes_ahead,
        not any(i.status == "scheduled" for i in a.invoices),
        None if collections is None else collections < 0,
        None if collections is None else collections < 1,
        events,
    )


# --------------------------------------------------------------------------------------------
# The baseline's forecast: the next events, each change of facts made before the next.

#: The registry's order of areas (billrules.evaluation.AREAS) for transitions at one instant.
_RANK = {
    "dunning": 0,
    "balance": 1,
    "invoices": 2,
    "overdue": 3,
    "cancellation": 4,
    "subscriptions": 5,
    "deletion": 6,
}
_MOMENT = timedelta(microseconds=1)
_TARIFF = Decimal("-19.00")  # BAL-5, drawn on each local 1st (BAL-4)
_RETRY_GAPS = (1, 8, 4, 7)  # OVD-1
_HARD_DECLINES = frozenset(
    ("fraudulent", "invalid_account", "lost_card", "pickup_card", "restricted_card", "stolen_card")
)
#: The transitions whose changes the forecast makes before going on (X-9).
_CHANGING = frozenset(("monthly_charge", "deletion_scheduled", "final_action"))

#: An event of the forecast: instant, area rank, order in the area, kind, what it is about.
Event = tuple[datetime, int, int, str, str]


class _Forecast:
    """One account's facts as the forecast changes them: the ledger with the charges made,
    the deletion schedule, the end of the subscription."""

    def __init__(self, a: Account, due: list[Invoice], logins: list[datetime]) -> None:
        self.a = a
        self.zone = a.zone
        self.due = sorted(
            due, key=lambda i: (i.due_at.astimezone(UTC), i.issued_at.astimezone(UTC), i.id)
        )
        self.logins = logins
        self.created_day = a.created_at.astimezone(a.zone).date()
        self.entries: list[tuple[datetime, Decimal]] | None = None
        self.charged: set[datetime] = set()
        if a.ledger is not None:
            self.entries = [(e.at, e.amount.amount) for e in a.ledger.entries]
            self.charged = {e.at for e in a.ledger.entries if e.kind == "charge"}
        s = a.deletion_schedule
        self.scheduled = None if s is None else s.scheduled_at
        self.sub_ends = None if a.subscription is None else a.subscription.ends_at
        r = a.cancellation_request
        self.deactivates = None if r is None or r.state == "withdrawn" else r.deactivates_at

    def first(self, at: datetime, end: datetime, count: int) -> tuple[tuple[datetime, str], ...]:
        """The first ``count`` events of ``[at, end)``."""
        found: list[tuple[datetime, str]] = []
        start = at
        given_at: datetime | None = None  # the instant of the last event given
        given: set[tuple[str, str]] = set()  # those given at that instant
        while True:
            for when, _, _, kind, about in sorted(self.events(start, end)):
                if when == given_at:
                    if (kind, about) in given:
                        continue  # given before the facts changed at this instant
                    given.add((kind, about))
                else:
                    given_at, given = when, {(kind, about)}
                found.append((when, kind))
                if len(found) == count:
                    return tuple(found)
                if kind in _CHANGING and self.change(when, kind):
                    start = when
                    break
            else:
                return tuple(found)

    def change(self, when: datetime, kind: str) -> bool:
        """Make the change ``kind`` makes at ``when``; whether the facts changed."""
        if kind == "monthly_charge":
            assert self.entries is not None
            self.entries.append((when, _TARIFF))
            self.entries.sort(key=lambda e: e[0])
            self.charged.add(when)
            return True
        if kind == "deletion_scheduled":
            if self.scheduled == when:
                return False
            self.scheduled = when
            return True
        # final_action (OVD-5): the subscription is cancelled, unless it ended before.
        if self.a.subscription is not None and (self.sub_ends is None or self.sub_ends >= when):
            changed = self.sub_ends != when
            self.sub_ends = when
            return changed
        return False

    # The facts read --------------------------------------------------------------------------

    def balance_at(self, when: datetime) -> Decimal:
        value = Decimal(0)
        for entry_at, amount in self.entries or ():
            if entry_at > when:
                break
            value += amount
        return value

    def eligible(self, when: datetime) -> bool:
        """DEL-1 at ``when``."""
        zone = self.zone
        day = when.astimezone(zone).date()
        if (day - self.created_day).days <= 40:
            return False
        last = None
        for login in self.logins:
            if login > when:
                break
            last = login
        if last is not None and (day - last.astimezone(zone).date()).days <= 30:
            return False
        return self.balance_at(when) <= 0

    def deleted_from(self) -> datetime | None:
        """When the scheduled deletion deletes the account (DEL-6, DEL-7), if it does."""
        if self.scheduled is None:
            return None
        deletion_at = _add_days(self.scheduled, 10, self.zone)
        return deletion_at if self.eligible(deletion_at) else None

    def suspended(self, when: datetime) -> bool:
        deleted = self.deleted_from()
        return (deleted is not None and when >= deleted) or (
            self.deactivates is not None and when >= self.deactivates
        )

    # Each area's events from ``start`` --------------------------------------------------------

    def events(self, start: datetime, end: datetime) -> list[Event]:
        return [
            *self.dunning(start, end),
            *self.charge(start, end),
            *(
                (i.due_at, _RANK["invoices"], 0, "invoice_overdue", i.id)
                for i in self.due
                if start <= i.due_at < end
            ),
            *self.overdue(start, end),
            *(
                [(self.deactivates, _RANK["cancellation"], 0, "cancellation_effective", "")]
                if self.deactivates is not None and start <= self.deactivates < end
                else []
            ),
            *self.renewals(start, end),
            *self.deletion(start, end),
        ]

    def dunning(self, start: datetime, end: datetime) -> list[Event]:
        """DUN-1, DUN-2: each debt's stages and its end."""
        if self.entries is None:
            return []
        zone = self.zone
        periods: list[tuple[datetime, datetime | None]] = []
        balance = Decimal(0)
        started = None
        for when, group in itertools.groupby(self.entries, key=lambda e: e[0]):
            balance += sum((amount for _, amount in group), Decimal(0))
            if balance < 0 and started is None:
                started = when
            elif balance >= 0 and started is not None:
                periods.append((started, when))
                started = None
        if started is not None:
            periods.append((started, None))
        found: list[Event] = []
        rank = _RANK["dunning"]
        for started, ended in periods:
            debt_day = started.astimezone(zone).date()
            times = [started]
            for index in range(_stage_of(debt_day.day) + 1, 4):
                times.append(_midnight(debt_day.replace(day=_FIRST_DAYS[index]), zone))
            for t in times:
                if start <= t < end and (ended is None or t < ended):
                    found.append((t, rank, 0, "dunning_stage", ""))
            if ended is not None and start <= ended < end:
                found.append((ended, rank, 0, "dunning_lifted", ""))
        return found

    def charge(self, start: datetime, end: datetime) -> list[Event]:
        """BAL-4, BAL-5: the next month to charge (once made, the forecast goes on)."""
        if self.entries is None:
            return []
        zone = self.zone
        created = self.a.created_at
        begins = max(start, created)
        first = begins.astimezone(zone).date().replace(day=1)
        at = _midnight(first, zone)
        if at < begins:
            first = _add_months(first, 1)
            at = _midnight(first, zone)
        while at < end:
            if at > created and at not in self.charged and not self.suspended(at):
                return [(at, _RANK["balance"], 0, "monthly_charge", "")]
            first = _add_months(first, 1)
            at = _midnight(first, zone)
        return []

    def overdue(self, start: datetime, end: datetime) -> list[Event]:
        """OVD-1 … OVD-7 under the default policy: the ladder from the oldest invoice due,
        the final action and its notice, each failed charge and the retries to come (no
        hold, OVD-8: the pool has none)."""
        due = self.due
        if not due:
            return []
        zone = self.zone
        rank = _RANK["overdue"]
        found: list[tuple[datetime, int, int, str, str]] = []
        begun = due[0].due_at
        day0 = begun.astimezone(zone).date()
        changes = [begun] + [_midnight(day0 + timedelta(days=d), zone) for d in (10, 14, 21)]
        final = changes[-1]
        for index, t in enumerate(changes):
            if start <= t < end:
                found.append((t, rank, 0, "overdue_stage", str(index)))
        if start <= final < end:
            found.append((final, rank, 1, "final_action", ""))
        notice = max(_add_days(final, -3, zone), begun)
        if notice < final and start <= notice < end:
            found.append((notice, rank, 2, "final_notice", ""))
        # OVD-9: each of dunning's changes while collections restrict, but at a stage change
        # of collections, restates the stricter access.
        for t, *_ in self.dunning(start, end):
            if t >= begun and t not in changes:
                found.append((t, rank, 6, "access_combined", ""))
        wallet = self.a.wallet
        for invoice in due:
            tried = [attempt for attempt in invoice.attempts if attempt.automatic]
            for number, made in enumerate(tried, 1):
                if made.outcome == "failed" and start <= made.at < end:
                    found.append((made.at, rank, 3, "charge_failed", f"{invoice.id}/{number}"))
            if not tried or tried[-1].outcome != "failed":
                continue
            since = invoice.attempts[invoice.attempts.index(tried[-1]) :]
            if any(a.outcome == "failed" and a.decline_code in _HARD_DECLINES for a in since):
                continue  # OVD-2: a hard decline at the last automatic attempt or after it
            previous = tried[-1].at
            wall = tried[0].at.astimezone(zone).time()  # the first attempt's wall time
            for number in range(len(tried), len(_RETRY_GAPS) + 1):
                day = previous.astimezone(zone).date() + timedelta(days=_RETRY_GAPS[number - 1])
                at = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC).astimezone(zone)
                if at >= final or at >= end:
                    break
                if wallet.default_id is None:
                    if at >= start:
                        found.append((at, rank, 5, "retry_blocked", invoice.id))
                    break
                if at >= start:
                    found.append((at, rank, 4, "charge_retry", f"{invoice.id}/{number + 1}"))
                previous = at
        return found

    def renewals(self, start: datetime, end: datetime) -> list[Event]:
        """SUB-1, SUB-2: renewals until the subscription ends or the account stops."""
        sub = self.a.subscription
        if sub is None:
            return []
        zone = self.zone
        rank = _RANK["subscriptions"]
        found: list[Event] = []
        ends = self.sub_ends
        if ends is not None and start <= ends < end:
            found.append((ends, rank, 0, "subscription_ends", ""))
        deleted = self.deleted_from()
        local = start.astimezone(zone).date()
        n = max((local.year - sub.anchor.year) * 12 + local.month - sub.anchor.month - 1, 1)
        while True:
            when = _midnight(_add_months(sub.anchor, n), zone)
            if (
                when >= end
                or (ends is not None and when >= ends)
                or (self.deactivates is not None and when >= self.deactivates)
                or (deleted is not None and when >= deleted)
            ):
                break
            if when >= start:
                found.append((when, rank, 0, "renewal", str(n)))
                if len(found) > 5:
                    break
            n += 1
        return found

    def deletion(self, start: datetime, end: datetime) -> list[Event]:
        """DEL-1 … DEL-7: the schedule's events, then a new schedule once it is over."""
        zone = self.zone
        since = start
        found: list[Event] = []
        s = self.scheduled
        if s is not None:
            deletion_at = _add_days(s, 10, zone)
            goes = self.eligible(deletion_at)
            events = [
                (s, "deletion_scheduled"),
                (_add_days(s, 7, zone), "deletion_reminder"),
                (_add_days(s, 9, zone), "deletion_reminder"),
                (deletion_at, "account_deleted" if goes else "deletion_kept"),
            ]
            if goes:
                events.append((_add_days(s, 30, zone), "data_purged"))
            rank = _RANK["deletion"]
            found = [(t, rank, 0, k, str(s)) for t, k in events if start <= t < end]
            if goes or deletion_at >= end:
                return found
            since = max(start, deletion_at, s + _MOMENT)  # kept: DEL-1 again after it
        onset = self.first_eligible(since, end)
        if onset is not None:
            found.append((onset, _RANK["deletion"], 0, "deletion_scheduled", str(onset)))
        return found

    def first_eligible(self, start: datetime, end: datetime) -> datetime | None:
        """The first instant of ``[start, end)`` at which the account becomes eligible."""
        zone = self.zone
        first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        tried = set()
        for since, count in ((self.a.created_at, 40), *((login, 30) for login in self.logins)):
            day = since.astimezone(zone).date() + timedelta(days=count + 1)
            if first <= day <= last:
                tried.add(_midnight(day, zone))
        for entry_at, _ in self.entries or ():
            tried.add(entry_at)
        created = self.a.created_at
        for instant in sorted(t for t in tried if start <= t < end):
            before = instant.astimezone(UTC) - _MOMENT
            if self.eligible(instant) and not (before >= created and self.eligible(before)):
                return instant
        return None
