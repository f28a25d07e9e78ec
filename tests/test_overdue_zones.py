"""Collections in held-out time zones (X-3, OVD-1, OVD-3, OVD-5, OVD-8): zones none of the
strategies draw, whose clocks change at local midnight — a gap swallows it (America/Sao_Paulo
2018-11-04, America/Havana 2024-03-10, Asia/Beirut 2024-03-31, America/Santiago 2024-09-08) or
it repeats or the date goes back (America/Havana 2024-11-03, Asia/Beirut 2024-10-27,
America/Santiago 2024-04-07). Stages begin at the first instant of the right local date,
retries keep the local wall time, and a wall time a gap skips is normalized (read with the
offset before the gap)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from _overdue import card, kinds, stage_at, window
from billrules.invoices import ChargeAttempt, Invoice
from billrules.overdue import OverdueFacts, OverduePolicy
from billrules.payment_methods import Wallet

MICRO = timedelta(microseconds=1)


def _utc(at: datetime) -> datetime:
    """The instant in UTC: an aware datetime in a fold never equals one of another zone
    (PEP 495), so instants are compared in UTC."""
    return at.astimezone(UTC)


#: (zone, the local date whose midnight the clock change touches, the first instant of that
#: date, read independently from the zone's rules, in UTC).
DAYS = [
    ("America/Sao_Paulo", date(2018, 11, 4), datetime(2018, 11, 4, 3, tzinfo=UTC)),  # gap
    ("America/Havana", date(2024, 3, 10), datetime(2024, 3, 10, 5, tzinfo=UTC)),  # gap
    ("America/Havana", date(2024, 11, 3), datetime(2024, 11, 3, 4, tzinfo=UTC)),  # repeats
    ("Asia/Beirut", date(2024, 3, 31), datetime(2024, 3, 30, 22, tzinfo=UTC)),  # gap
    ("Asia/Beirut", date(2024, 10, 27), datetime(2024, 10, 26, 22, tzinfo=UTC)),  # goes back
    ("America/Santiago", date(2024, 9, 8), datetime(2024, 9, 8, 4, tzinfo=UTC)),  # gap
    ("America/Santiago", date(2024, 4, 7), datetime(2024, 4, 7, 4, tzinfo=UTC)),  # goes back
]
HELD_OUT = sorted({zone for zone, _, _ in DAYS})
WALLET = Wallet(methods=(card(),), default_id="pm-visa")


def _facts(due: datetime, first_attempt: datetime, **more) -> OverdueFacts:
    invoice = Invoice(
        id="inv-1",
        status="failed",
        amount=Money("49.00", "USD"),
        issued_at=due - timedelta(days=7),
        due_at=due,
        attempts=(
            ChargeAttempt(
                at=first_attempt,
                outcome="failed",
                decline_code="insufficient_funds",
                method_id="pm-visa",
            ),
        ),
    )
    return OverdueFacts(currency="USD", invoices=(invoice,), wallet=WALLET, **more)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """A plain day's local midnight (the days used here have one)."""
    at = datetime.combine(day, time(), tzinfo=zone)
    assert at.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == at.replace(tzinfo=None)
    return at


@pytest.mark.parametrize(("name", "day", "first"), DAYS, ids=[f"{z}-{d}" for z, d, _ in DAYS])
@pytest.mark.parametrize(("stage", "first_day"), [("warning", 10), ("blocked", 14), ("final", 21)])
def test_a_stage_begins_at_the_first_instant_of_its_local_date(
    name, day, first, stage, first_day
) -> None:
    """OVD-3, X-3: due at local midnight ``first_day`` days before the day the clock changes
    at midnight: the stage's overdue_stage transition is at that day's first instant (after a
    gap, its end; where midnight repeats, the first one); the stage just before it is the
    previous one; on ``final``, the final action is at that instant too (OVD-5)."""
    zone = ZoneInfo(name)
    due = _midnight(day - timedelta(days=first_day), zone)
    found = _facts(due, due + timedelta(hours=9))
    transitions = window(
        found, start=due - timedelta(days=1), end=due + timedelta(days=40), zone=zone
    )
    (entered,) = [
        t for t in kinds(transitions, "overdue_stage") if t.reasons[0].details["stage"] == stage
    ]
    assert _utc(entered.at) == first
    assert entered.at.astimezone(zone).date() == day
    assert stage_at(found, first, zone=zone) == stage
    assert stage_at(found, first.astimezone(UTC) - MICRO, zone=zone) != stage
    if stage == "final":
        (final,) = kinds(transitions, "final_action")
        assert _utc(final.at) == first
        assert _utc(final.effects[0].at) == first


@pytest.mark.parametrize(("name", "day", "first"), DAYS, ids=[f"{z}-{d}" for z, d, _ in DAYS])
def test_a_retry_keeps_the_local_wall_time_across_the_change(name, day, first) -> None:
    """OVD-1, X-3: the first attempt at 09:00 local the day before the change: the retry one
    day later is at 09:00 local again (another UTC offset); the next, 8 days on, too."""
    zone = ZoneInfo(name)
    before = datetime.combine(day - timedelta(days=1), time(9), tzinfo=zone)
    found = _facts(_midnight(day - timedelta(days=2), zone), before)
    retries = kinds(
        window(found, start=before, end=before + timedelta(days=30), zone=zone), "charge_retry"
    )
    assert [t.at.astimezone(zone).replace(tzinfo=None) for t in retries[:2]] == [
        datetime.combine(day, time(9)),
        datetime.combine(day + timedelta(days=8), time(9)),
    ]
    assert retries[0].at.utcoffset() != before.utcoffset()


@pytest.mark.parametrize(
    ("name", "day", "wall", "expected"),
    [
        # A gap at midnight: 00:30 does not exist; read with the offset before, it is 01:30.
        (
            "America/Sao_Paulo",
            date(2018, 11, 4),
            time(0, 30),
            datetime(2018, 11, 4, 3, 30, tzinfo=UTC),
        ),
        ("Asia/Beirut", date(2024, 3, 31), time(0, 30), datetime(2024, 3, 30, 22, 30, tzinfo=UTC)),
        (
            "America/Santiago",
            date(2024, 9, 8),
            time(0, 30),
            datetime(2024, 9, 8, 4, 30, tzinfo=UTC),
        ),
        # Midnight repeats: the first 00:30.
        (
            "America/Havana",
            date(2024, 11, 3),
            time(0, 30),
            datetime(2024, 11, 3, 4, 30, tzinfo=UTC),
        ),
        (
            "Asia/Beirut",
            date(2024, 10, 26),
            time(23, 30),
            datetime(2024, 10, 26, 20, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_wall_time_the_change_skips_or_repeats_is_normalized(name, day, wall, expected) -> None:
    """OVD-1, X-3: a retry whose wall time falls in a gap is read with the offset before the
    gap (00:30 becomes 01:30 after a 1-hour gap at midnight); in a fold, the first of the two."""
    zone = ZoneInfo(name)
    attempt = datetime.combine(day - timedelta(days=1), wall, tzinfo=zone)
    found = _facts(_midnight(day - timedelta(days=2), zone), attempt)
    (retry, *_) = kinds(
        window(found, start=attempt, end=attempt + timedelta(days=3), zone=zone), "charge_retry"
    )
    assert _utc(retry.at) == expected
    assert _utc(retry.effects[0].at) == expected


@pytest.mark.parametrize(("name", "day", "first"), DAYS, ids=[f"{z}-{d}" for z, d, _ in DAYS])
def test_a_hold_ending_on_the_day_gives_the_clocks_stage(name, day, first) -> None:
    """OVD-8, X-3: held until the changing day's first instant, 15 days after the due date:
    past_due until then, blocked from it (the stage the clock says)."""
    zone = ZoneInfo(name)
    due = _midnight(day - timedelta(days=15), zone)
    found = _facts(due, due + timedelta(hours=9), hold_until=first)
    assert stage_at(found, first.astimezone(UTC) - MICRO, zone=zone) == "past_due"
    assert stage_at(found, first, zone=zone) == "blocked"
    stages = kinds(
        window(found, start=due, end=due + timedelta(days=40), zone=zone), "overdue_stage"
    )
    assert [(_utc(t.at), t.reasons[0].details["stage"]) for t in stages][1] == (first, "blocked")


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    st.sampled_from(DAYS),
    st.integers(-25, 3),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from(((1, 8, 4, 7), (1, 1, 1), (2, 5))),
)
def test_held_out_zones_stage_starts_and_retry_wall_times(case, shift, minute, gaps) -> None:
    """OVD-1, OVD-3, X-3 property over the held-out zones: with the due date and the first
    attempt's wall time anywhere near a change at midnight, every stage after the first begins
    at the first instant of its local date (the instant a microsecond before is on the day
    before), and every retry is at the first attempt's wall time on its local date (a retry
    moved out of a gap does not move the later ones), or, where that wall time does not
    exist, at it read with the offset before the gap."""
    name, day, _ = case
    zone = ZoneInfo(name)
    due = (
        _midnight(day + timedelta(days=shift), zone)
        if shift != 0
        else datetime.combine(day, time(), tzinfo=zone)
    )
    wall = time(minute // 60, minute % 60)
    attempt = datetime.combine(due.date() + timedelta(days=1), wall, tzinfo=zone)
    attempt = attempt.astimezone(UTC).astimezone(zone)  # a real instant (a gap normalized)
    found = _facts(due.astimezone(UTC).astimezone(zone), attempt)
    transitions = window(
        found,
        OverduePolicy(retry_gaps=gaps),
        start=due - timedelta(days=1),
        end=due + timedelta(days=60),
        zone=zone,
    )
    for stage in kinds(transitions, "overdue_stage")[1:]:
        local = stage.at.astimezone(zone).date()
        assert (stage.at.astimezone(UTC) - MICRO).astimezone(zone).date() < local
    previous = attempt.astimezone(zone).time()
    for retry in kinds(transitions, "charge_retry"):
        local = retry.at.astimezone(zone)
        intended = datetime.combine(local.date(), previous, tzinfo=zone)
        exists = intended.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == intended.replace(
            tzinfo=None
        )
        if exists:
            assert local.time() == previous
        # In UTC: the first of two where the wall time repeats; the offset before a gap.
        assert _utc(retry.at) == _utc(intended)


def test_retries_after_a_gap_return_to_the_first_attempts_wall_time() -> None:
    """OVD-1, X-3: first attempt 2018-11-03 00:00 in Sao Paulo; the retry of 4 Nov falls in
    the midnight gap and is normalized to 01:00; the next, 8 days later (12 Nov, a plain day),
    is at the same local wall time as the first attempt, 00:00 (-02:00)."""
    zone = ZoneInfo("America/Sao_Paulo")
    attempt = datetime(2018, 11, 3, tzinfo=zone)
    found = _facts(datetime(2018, 11, 2, tzinfo=zone), attempt)
    retries = kinds(
        window(found, start=attempt, end=attempt + timedelta(days=30), zone=zone), "charge_retry"
    )
    assert [_utc(t.at) for t in retries[:2]] == [
        datetime(2018, 11, 4, 3, tzinfo=UTC),
        datetime(2018, 11, 12, 2, tzinfo=UTC),
    ]
