"""An area is a value: an area built in this file, registered in a registry of its own, is
asked by ``explain`` and ``timeline``, written and read as JSON, described by the schemas and
listed by the catalogue check, with no other file edited (DESIGN.md, "The area contract", 8).

The toy area: loyalty points that expire ``expiry_days`` after the account was created.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import resources
from zoneinfo import ZoneInfo

import attrs
import pytest

from billrules._plain import PlainDataError
from billrules.account import Account
from billrules.area import Area
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Question, Reason, ReasonCode
from billrules.errors import InvalidInput, InvalidType
from billrules.evaluation import AREAS, Registry
from billrules.i18n import missing_messages, render
from billrules.i18n._catalogue import english_entries
from billrules.policy import DEFAULT_POLICY
from billrules.report import Report, explain
from billrules.roles import Role
from billrules.schema import json_schema
from billrules.serialize import account_from_json, from_json, to_dict, to_json
from billrules.timeline import Timeline, timeline

NAME = "loyalty"


class LoyaltyCode(ReasonCode, area=NAME):
    """The toy area's reasons."""

    POINTS_EXPIRE = "points_expire", "LOY-1", "The loyalty points expire on {day}."
    POINTS_KEPT = "points_kept", "LOY-1", "The loyalty points are kept until {day}."


class LoyaltyQuestion(Question, area=NAME):
    """The toy area's question."""

    KEEP_POINTS = "keep_points", "Points are kept until {day}.", "The points have expired."


class LoyaltyKind(StrEnum):
    """The toy area's one kind of transition."""

    POINTS_EXPIRED = "points_expired"


@attrs.frozen
class LoyaltyPolicy:
    """How long points last."""

    expiry_days: int = 30


class LoyaltyContract:
    """The toy area's contract functions (LOY-1: points expire ``expiry_days`` after the
    account was created)."""

    @staticmethod
    def _expiry(created: datetime, policy: LoyaltyPolicy) -> datetime:
        return created + timedelta(days=policy.expiry_days)

    @staticmethod
    def transitions(
        facts: datetime,
        policy: LoyaltyPolicy,
        /,
        *,
        start: datetime,
        end: datetime,
        zone: ZoneInfo,
    ) -> Iterator[Transition]:
        at = LoyaltyContract._expiry(facts, policy)
        if start <= at < end:
            reason = Reason(
                code=LoyaltyCode.POINTS_EXPIRE, details={"day": at.astimezone(zone).date()}
            )
            yield Transition(at=at, area=NAME, kind=LoyaltyKind.POINTS_EXPIRED, reasons=(reason,))

    @staticmethod
    def findings(
        facts: datetime, policy: LoyaltyPolicy, /, *, at: datetime, zone: ZoneInfo
    ) -> tuple[Finding, ...]:
        expiry = LoyaltyContract._expiry(facts, policy)
        day = expiry.astimezone(zone).date()
        if at < expiry:
            decision = Decision.allow(Reason(code=LoyaltyCode.POINTS_KEPT, details={"day": day}))
        else:
            decision = Decision.deny(Reason(code=LoyaltyCode.POINTS_EXPIRE, details={"day": day}))
        return (
            Finding(
                area=NAME,
                question=LoyaltyQuestion.KEEP_POINTS,
                decision=decision,
                details={"day": day},
            ),
        )

    @staticmethod
    def role_findings(
        facts: datetime,
        policy: LoyaltyPolicy,
        /,
        *,
        role: Role,
        at: datetime,
        zone: ZoneInfo,
    ) -> tuple[Finding, ...]:
        return ()


LOYALTY = Area(
    name=NAME,
    prefix="LOY",
    codes=LoyaltyCode,
    questions=LoyaltyQuestion,
    kinds=LoyaltyKind,
    policy=LoyaltyPolicy,
    contract=LoyaltyContract(),
    colour="#ff00aa",
)

#: The default registry with the toy area last: its facts are the account's creation, its
#: policy one of its own (the bundle has no field for it).
REGISTRY = AREAS.with_area(
    LOYALTY, facts=lambda ev: ev.account.created_at, policy=lambda bundle: LoyaltyPolicy()
)

AT = datetime.fromisoformat("2024-05-08T09:00:00+03:00")


@pytest.fixture(scope="module")
def account() -> Account:
    text = (resources.files("billrules") / "examples" / "delinquent.json").read_text("utf-8")
    return account_from_json(text)


@pytest.fixture(scope="module")
def expiry(account: Account) -> datetime:
    return account.created_at + timedelta(days=30)


def test_the_toy_area_is_asked_by_explain(account: Account) -> None:
    """explain with the registry lists the toy area's account finding after every other
    area's, and the default registry does not know it."""
    at = account.created_at + timedelta(days=1)
    report = explain(account, DEFAULT_POLICY, at, areas=REGISTRY)
    ours = [finding for finding in report.account if finding.area == NAME]
    assert [(f.question, f.allowed, [r.code for r in f.reasons]) for f in ours] == [
        (LoyaltyQuestion.KEEP_POINTS, True, ["points_kept"])
    ]
    assert report.account[-1] is ours[0]
    assert ours[0].rules == ("LOY-1",)
    default = explain(account, DEFAULT_POLICY, at)
    assert [f for f in default.account if f.area == NAME] == []
    assert default.account == report.account[:-1]
    assert any(event.area == NAME for event in report.next_events)


def test_the_toy_area_is_merged_into_the_timeline(account: Account, expiry: datetime) -> None:
    """The toy area's transition sits in time order among the others, and nothing else of
    the timeline changes."""
    start, end = account.created_at, account.created_at + timedelta(days=120)
    ours = timeline(account, DEFAULT_POLICY, start=start, end=end, areas=REGISTRY)
    default = timeline(account, DEFAULT_POLICY, start=start, end=end)
    added = [event for event in ours.events if event.area == NAME]
    assert [(e.at, e.kind, e.rules, e.codes) for e in added] == [
        (expiry, "points_expired", ("LOY-1",), ("points_expire",))
    ]
    assert [e for e in ours.events if e.area != NAME] == list(default.events)
    assert [e.at for e in ours.events] == sorted(e.at for e in ours.events)
    assert "#ff00aa" not in default._repr_svg_()


def test_the_toy_area_round_trips_through_json(account: Account) -> None:
    """A timeline with the toy area's transition is written with the area of each reason, and
    read back equal with the registry; the default registry refuses the unknown code,
    naming its path."""
    start, end = account.created_at, account.created_at + timedelta(days=60)
    ours = timeline(account, DEFAULT_POLICY, start=start, end=end, areas=REGISTRY)
    data = to_dict(ours)
    toy = [event for event in data["events"] if event["area"] == NAME]
    assert [reason["area"] for event in toy for reason in event["reasons"]] == [NAME]
    assert toy[0]["reasons"][0]["code"] == "points_expire"
    text = to_json(ours)
    assert from_json(Timeline, text, areas=REGISTRY) == ours
    with pytest.raises(PlainDataError) as refused:
        from_json(Timeline, text)
    assert refused.value.field.endswith(".code")
    assert "points_expire" in str(refused.value)
    report = explain(account, DEFAULT_POLICY, start + timedelta(days=1), areas=REGISTRY)
    assert from_json(Report, to_json(report), areas=REGISTRY) == report


def test_the_schemas_describe_the_toy_area() -> None:
    """The schemas made with the registry list the toy area's codes, questions and name; the
    shipped ones (the default registry) do not."""
    ours = json.dumps(json_schema("report", areas=REGISTRY))
    shipped = json.dumps(json_schema("report"))
    for word in ('"points_expire"', '"points_kept"', '"keep_points"', '"loyalty"'):
        assert word in ours
        assert word not in shipped


def test_the_catalogue_check_lists_the_toy_area_s_messages() -> None:
    """The catalogue check names every message the toy area needs in Ukrainian (and none for
    the default registry); its sentences fall back to English until translated."""
    expected = [
        ("reason|loyalty", "points_expire"),
        ("reason|loyalty", "points_kept"),
        ("yes|loyalty", "keep_points"),
        ("no|loyalty", "keep_points"),
        ("kind|loyalty", "points_expired"),
    ]
    assert list(missing_messages("uk", areas=REGISTRY)) == expected
    assert missing_messages("uk") == ()
    assert missing_messages("en", areas=REGISTRY) == ()
    entries = {(entry.context, entry.id) for entry in english_entries(REGISTRY)}
    assert set(expected) <= entries
    reason = Reason(code=LoyaltyCode.POINTS_EXPIRE, details={"day": AT.date()})
    assert render(reason, locale="uk") == reason.message


def test_a_registry_refuses_an_area_twice_or_a_prefix_twice() -> None:
    """Two areas of one name, or two areas with one rule prefix, cannot be registered."""
    with pytest.raises(InvalidInput) as twice:
        REGISTRY.with_area(LOYALTY, facts=lambda ev: None)
    assert twice.value.field == f"Registry.entries[{len(AREAS) + 1}]"

    class PointsCode(ReasonCode, area="points"):
        EARNED = "points_earned", "LOY-2", "Points were earned."

    same_prefix = attrs.evolve(LOYALTY, name="points", codes=PointsCode, questions=None, kinds=None)
    with pytest.raises(InvalidInput) as prefix:
        Registry(()).with_area(LOYALTY, facts=lambda ev: None).with_area(
            same_prefix, facts=lambda ev: None
        )
    assert prefix.value.field == "Registry.entries[1]"
    assert "prefix" in str(prefix.value)


def test_an_area_refuses_enums_of_another_area() -> None:
    """An area's enums must declare the area's name: another area's codes are refused, naming
    the field."""
    with pytest.raises(InvalidInput) as refused:
        attrs.evolve(LOYALTY, codes=AREAS["dunning"].codes)
    assert refused.value.field == "Area.codes"
    with pytest.raises(InvalidType) as not_an_enum:
        attrs.evolve(LOYALTY, kinds=str)
    assert not_an_enum.value.field == "Area.kinds"
    with pytest.raises(InvalidInput) as prefix:
        attrs.evolve(LOYALTY, prefix="LOYAL")
    assert prefix.value.field == "Area.codes"
    assert "LOY-1" in str(prefix.value)
    with pytest.raises(InvalidInput) as colour:
        attrs.evolve(LOYALTY, colour='red" onload="x')
    assert colour.value.field == "Area.colour"
