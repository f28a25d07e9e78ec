"""An area is a value: an area built in this file, registered in a registry of its own, is
asked by ``explain`` and ``timeline``, written and read as JSON, described by the schemas and
listed by the catalogue check, with no other file edited (DESIGN.md, "The area contract", 8).

The toy area: loyalty points that expire ``expiry_days`` after the account was created.
"""

from __future__ import annotations

import copy
import functools
import json
import pickle
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import resources
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from billrules._plain import PlainDataError
from billrules.account import Account
from billrules.area import Area
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Question, Reason, ReasonCode
from billrules.effects import HideBanner
from billrules.errors import InvalidInput, InvalidType
from billrules.evaluation import AREAS, Registry
from billrules.i18n import missing_messages, render
from billrules.i18n._catalogue import english_entries
from billrules.policy import DEFAULT_POLICY
from billrules.report import Report, explain
from billrules.roles import Role
from billrules.run import due
from billrules.schema import json_schema
from billrules.serialize import account_from_json, from_dict, from_json, to_dict, to_json
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
            decision = Decision.refuse(Reason(code=LoyaltyCode.POINTS_EXPIRE, details={"day": day}))
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
        REGISTRY.with_area(LOYALTY, facts=lambda ev: None, policy=lambda bundle: LoyaltyPolicy())
    assert twice.value.field == f"Registry.entries[{len(AREAS) + 1}]"

    class PointsCode(ReasonCode, area="points"):
        EARNED = "points_earned", "LOY-2", "Points were earned."

    same_prefix = attrs.evolve(LOYALTY, name="points", codes=PointsCode, questions=None, kinds=None)
    with pytest.raises(InvalidInput) as prefix:
        Registry(()).with_area(
            LOYALTY, facts=lambda ev: None, policy=lambda bundle: LoyaltyPolicy()
        ).with_area(same_prefix, facts=lambda ev: None, policy=lambda bundle: LoyaltyPolicy())
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


def test_the_toy_area_refuses_once_its_points_expired(account: Account, expiry: datetime) -> None:
    """After the expiry, the toy area's finding is a refusal with its reason and rule."""
    report = explain(account, DEFAULT_POLICY, expiry + timedelta(hours=1), areas=REGISTRY)
    (ours,) = [finding for finding in report.account if finding.area == NAME]
    assert (False, ("LOY-1",)) == (ours.allowed, ours.rules)
    assert "The points have expired." == ours.summary


def test_a_registry_keeps_what_is_derived_from_it(account: Account) -> None:
    """The readers and schemas of a registry are made once and kept with it, not in a cache
    of the process: a hundred registries leave nothing behind, and a contract that cannot be
    hashed (a namespace) is fine."""
    text = to_json(explain(account, DEFAULT_POLICY, account.created_at, areas=REGISTRY))
    for _ in range(3):
        registry = AREAS.with_area(
            attrs.evolve(LOYALTY, contract=SimpleNamespace(**vars(LoyaltyContract))),
            facts=lambda ev: ev.account.created_at,
            policy=lambda bundle: LoyaltyPolicy(),
        )
        assert from_json(Report, text, areas=registry) == from_json(Report, text, areas=REGISTRY)
        assert "points_kept" in json.dumps(json_schema("report", areas=registry))
        assert ["serialize.hooks"] == list(registry.derived)
    assert not hasattr(from_json, "cache_info")


def test_a_host_area_without_a_policy_field_must_say_how_its_policy_is_picked() -> None:
    """The bundle has no field for a host's area: with_area without policy= is refused at once,
    naming the argument, rather than failing later inside explain."""
    with pytest.raises(InvalidInput) as refused:
        AREAS.with_area(LOYALTY, facts=lambda ev: ev.account.created_at)
    assert "policy" == refused.value.field


def test_a_host_s_decorators_on_its_contract_are_kept(account: Account) -> None:
    """Only billrules' own argument checks are taken off the areas' functions: a host's
    decorator (tracing, here) still runs."""
    calls: list[str] = []

    def traced(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(function.__name__)
            return function(*args, **kwargs)

        return wrapper

    contract = SimpleNamespace(
        transitions=traced(LoyaltyContract.transitions),
        findings=traced(LoyaltyContract.findings),
        role_findings=traced(LoyaltyContract.role_findings),
    )
    registry = AREAS.with_area(
        attrs.evolve(LOYALTY, contract=contract),
        facts=lambda ev: ev.account.created_at,
        policy=lambda bundle: LoyaltyPolicy(),
    )
    explain(account, DEFAULT_POLICY, account.created_at, areas=registry)
    assert "findings" in calls
    assert "role_findings" in calls


def test_the_picture_draws_a_host_area_in_its_colour(account: Account) -> None:
    """The timeline made with a registry draws each area as that registry declares it; the
    style is not data (neither compared nor written)."""
    start, end = account.created_at, account.created_at + timedelta(days=60)
    ours = timeline(account, DEFAULT_POLICY, start=start, end=end, areas=REGISTRY)
    assert 'fill="#ff00aa"' in ours._repr_svg_() or 'stroke="#ff00aa"' in ours._repr_svg_()
    assert "style" not in to_dict(ours)
    assert from_json(Timeline, to_json(ours), areas=REGISTRY) == ours


def test_a_finding_under_another_area_is_refused(account: Account) -> None:
    """A finding names the area whose question it answers: built or read under another area,
    it is refused naming the field."""
    report = explain(account, DEFAULT_POLICY, account.created_at, areas=REGISTRY)
    (ours,) = [finding for finding in report.account if finding.area == NAME]
    with pytest.raises(InvalidInput) as built:
        attrs.evolve(ours, area="seats")
    assert "Finding.area" == built.value.field
    data = {**to_dict(ours), "area": "seats"}
    with pytest.raises(PlainDataError) as read:
        from_dict(Finding, data, areas=REGISTRY)
    assert "area" == read.value.field


def test_areas_and_the_default_registry_pickle_and_copy() -> None:
    """A declared area, and the default registry, are values: they pickle and copy as
    themselves."""
    assert pickle.loads(pickle.dumps(AREAS)) is AREAS
    assert copy.deepcopy(AREAS) is AREAS
    for area in AREAS.areas:
        assert pickle.loads(pickle.dumps(area)) is area


def test_an_unknown_area_name_is_a_key_error_that_names_no_value() -> None:
    """AREAS[name] for a name no area has: a billrules error that is a KeyError too, without
    repeating the name (it could be anything a caller passes)."""
    with pytest.raises(KeyError) as refused:
        AREAS["4242424242424242"]
    assert isinstance(refused.value, InvalidInput)
    assert "4242" not in str(refused.value)


def test_the_catalogue_check_refuses_what_is_not_a_registry() -> None:
    """missing_messages checks its areas as every other entry point does."""
    with pytest.raises(InvalidType) as refused:
        missing_messages("uk", areas=AREAS.areas)  # type: ignore[arg-type]
    assert "areas" == refused.value.field


def test_the_run_asks_the_toy_area(account: Account, expiry: datetime) -> None:
    """run.due with the registry gives each account the toy area's transitions, as timeline
    does; workers receive the registry (here one they cannot import, so its chunk is read in
    the parent) and give the same records."""
    start, end = expiry - timedelta(days=1), expiry + timedelta(days=1)
    (record,) = list(due([account], DEFAULT_POLICY, start=start, end=end, areas=REGISTRY))
    assert [(t.area, t.kind) for t in record.transitions if t.area == NAME] == [
        (NAME, "points_expired")
    ]
    expected = timeline(account, DEFAULT_POLICY, start=start, end=end, areas=REGISTRY).events
    assert expected == record.transitions
    two = list(
        due([account, account], DEFAULT_POLICY, start=start, end=end, areas=REGISTRY, workers=2)
    )
    assert [r.transitions for r in two] == [record.transitions, record.transitions]
    (plain,) = list(due([account], DEFAULT_POLICY, start=start, end=end))
    assert [t for t in plain.transitions if t.area == NAME] == []


def test_a_host_s_own_kind_of_transition_keeps_its_kind_with_its_effects(
    account: Account, expiry: datetime
) -> None:
    """X-6: the evaluation stamps the account on a transition's effects; a host area's own
    subclass of Transition comes back as that subclass, with its own fields, effects or not."""

    @attrs.frozen(kw_only=True, init=False)
    class Tagged(Transition):
        note: str = "kept"

        def __init__(self, *, note: str = "kept", **fields: Any) -> None:
            super().__init__(**fields)
            object.__setattr__(self, "note", note)

    class TaggingContract(LoyaltyContract):
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
            for made in LoyaltyContract.transitions(facts, policy, start=start, end=end, zone=zone):
                yield Tagged(
                    at=made.at,
                    area=made.area,
                    kind=made.kind,
                    reasons=made.reasons,
                    effects=(HideBanner(at=made.at, rule="LOY-1", banner="points"),),
                )

    registry = AREAS.with_area(
        attrs.evolve(LOYALTY, contract=TaggingContract()),
        facts=lambda ev: ev.account.created_at,
        policy=lambda bundle: LoyaltyPolicy(),
    )
    start, end = expiry - timedelta(days=1), expiry + timedelta(days=1)
    (ours,) = [
        event
        for event in timeline(account, DEFAULT_POLICY, start=start, end=end, areas=registry).events
        if event.area == NAME
    ]
    assert (Tagged, "kept") == (type(ours), ours.note)
    assert [account.id] == [effect.account for effect in ours.effects]


def test_a_schema_handed_out_is_the_caller_s_to_change() -> None:
    """json_schema returns a copy: changing it changes no later schema."""
    first = json_schema("decision")
    first["$defs"]["Reason"]["properties"]["code"]["enum"].append("zzz")
    assert "zzz" not in json.dumps(json_schema("decision"))


def test_a_code_declared_wrongly_is_refused_without_echoing_it() -> None:
    """A reason code declared without its rule is refused when the enum is defined, naming
    the member, without repeating a value that could be a card number."""
    with pytest.raises(InvalidInput) as refused:
        ReasonCode("Codes", [("CARD", ("4242424242424242",))])  # type: ignore[call-overload]
    assert "4242" not in str(refused.value)
