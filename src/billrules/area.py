"""An area as a value: what it is called, what it says, what it is asked, and its contract.

Each area package declares one :class:`Area` (``billrules.dunning.AREA``…): its name, the
prefix of its rule IDs, its reason-code, question and transition-kind enums, its policy type,
the values its sentences name in the reader's words, and its contract functions (the
:class:`AreaContract` protocol: ``transitions``, ``findings``, ``role_findings``, and
``suspensions`` where the area stops billing). The registry
(:data:`billrules.evaluation.AREAS`) pairs each declaration with how its facts are read from an
evaluation; every list of areas above the areas (the timeline, ``explain``, JSON, the schemas,
the catalogues, the test strategies) derives from it.

>>> from billrules.dunning import AREA
>>> AREA.name, AREA.prefix, AREA.codes.__name__, AREA.kinds.__name__
('dunning', 'DUN', 'DunningCode', 'DunningKind')
>>> AREA.codes.STAGE_BEGINS.area
'dunning'
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

import attrs

from billrules.contract import Finding, Suspension, Transition
from billrules.decisions import Question, ReasonCode
from billrules.errors import InvalidInput, InvalidType
from billrules.roles import Role

__all__ = ["Area", "AreaContract"]


def _declared(package: str) -> Area:
    """The area the package ``package`` declares (how a declared area is unpickled)."""
    area: Area = getattr(importlib.import_module(package), "AREA")  # noqa: B009 - a module's name
    return area


def _rebuilt(fields: dict[str, Any]) -> Area:
    """An area from its fields (how a host's area is unpickled)."""
    return Area(**fields)


class AreaContract(Protocol):
    """The functions every area defines (DESIGN.md, "The area contract"), as the registry
    calls them: with the area's facts and policy, on values already checked."""

    def transitions(
        self, facts: Any, policy: Any, /, *, start: datetime, end: datetime, zone: ZoneInfo
    ) -> Iterator[Transition]:
        """What the area makes happen in ``[start, end)``, in time order, lazily."""

    def findings(
        self, facts: Any, policy: Any, /, *, at: datetime, zone: ZoneInfo
    ) -> tuple[Finding, ...]:
        """The account-wide answers :func:`~billrules.report.explain` lists."""

    def role_findings(
        self, facts: Any, policy: Any, /, *, role: Role, at: datetime, zone: ZoneInfo
    ) -> tuple[Finding, ...]:
        """What a user with ``role`` may do."""


#: Where an area stops billing: ``(facts, policy, *, zone) -> tuple[Suspension, ...]``.
Suspensions = Callable[..., tuple[Suspension, ...]]

_NAME: Final = re.compile(r"[a-z]+(?:_[a-z]+)*")
_PREFIX: Final = re.compile(r"[A-Z]+")
_COLOUR: Final = re.compile(r"#[0-9a-f]{6}")
#: A term: an enum's value (``not_scheduled_yet``, ``DELETE``), letters only, so no card
#: number can hide in one.
_TERM: Final = re.compile(r"[A-Za-z]+(?:_[A-Za-z]+)*")


def _name(area: Area, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidType("Area.name", f"must be a str, not {type(value).__name__}")
    if not _NAME.fullmatch(value):
        raise InvalidInput("Area.name", "must be a snake_case name of letters")


def _prefix(area: Area, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidType("Area.prefix", f"must be a str, not {type(value).__name__}")
    if not _PREFIX.fullmatch(value):
        raise InvalidInput("Area.prefix", "must be capital letters (such as 'DUN')")


def _enum_of(base: type[StrEnum], where: str, *, optional: bool) -> Callable[..., None]:
    def check(area: Area, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not (isinstance(value, type) and issubclass(value, base) and value is not base):
            raise InvalidType(where, f"must be a subclass of {base.__name__}")
        declared = getattr(value, "area", area.name)
        if declared != area.name:
            raise InvalidInput(where, f"declares area {declared!r}, not {area.name!r}")

    return check


def _rules(area: Area, attribute: attrs.Attribute[Any], value: type[ReasonCode]) -> None:
    """Every code's rule is one of the area's (its prefix) or a cross-cutting one (``X-``)."""
    for code in value:
        if not code.rule.startswith((f"{area.prefix}-", "X-")):
            raise InvalidInput(
                "Area.codes",
                f"{code.value} declares rule {code.rule}, not one of {area.prefix}-… or X-…",
            )


def _contract(area: Area, attribute: attrs.Attribute[Any], value: object) -> None:
    for part in ("transitions", "findings", "role_findings"):
        if not callable(getattr(value, part, None)):
            raise InvalidInput("Area.contract", f"must define {part} (the area contract)")


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidType("Area.terms", f"must be strings, not {type(values).__name__}")
    found = tuple(values)
    for index, value in enumerate(found):
        if not isinstance(value, str):
            raise InvalidType(f"Area.terms[{index}]", f"must be a str, not {type(value).__name__}")
        if not _TERM.fullmatch(value):
            raise InvalidInput(f"Area.terms[{index}]", "must be a name of letters and underscores")
    return found


def _policy(area: Area, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, type):
        raise InvalidType("Area.policy", f"must be a class, not {type(value).__name__}")


def _bands(area: Area, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidType("Area.bands", f"must be a bool, not {type(value).__name__}")


def _colour(area: Area, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidType("Area.colour", f"must be a str, not {type(value).__name__}")
    if not _COLOUR.fullmatch(value):
        raise InvalidInput("Area.colour", "must be a colour such as '#e65100'")


def _suspensions(area: Area, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise InvalidType("Area.suspensions", "must be callable or None")


@attrs.frozen(kw_only=True)
class Area:
    """One area, declared once in its package.

    Attributes:
        name: The area's snake_case name: its field in ``Policy`` and ``Account``, the
            ``area`` of its transitions, findings and reasons.
        prefix: The prefix of its rule IDs (``"DUN"`` for ``DUN-1``…).
        codes: Its :class:`~billrules.decisions.ReasonCode` enum (declared with ``area=name``).
        questions: Its :class:`~billrules.decisions.Question` enum, or ``None``.
        kinds: The enum of its transitions' kinds, or ``None`` when it has no transitions.
        policy: The type of its policy (``DunningPolicy``…).
        contract: Its contract functions (a module or any value with them).
        suspensions: Where it stops billing, or ``None``.
        terms: The values its sentences name that a reader's language writes in its own words
            (``{field:term}``).
        bands: Whether the timeline's picture draws its transitions as the band of stages
            under the ticks (each lasting until the area's next transition).
        colour: The colour of its ticks on the timeline's picture.
    """

    name: str = attrs.field(validator=_name)
    prefix: str = attrs.field(validator=_prefix)
    codes: type[ReasonCode] = attrs.field(
        validator=[_enum_of(ReasonCode, "Area.codes", optional=False), _rules]
    )
    questions: type[Question] | None = attrs.field(
        validator=_enum_of(Question, "Area.questions", optional=True)
    )
    kinds: type[StrEnum] | None = attrs.field(
        validator=_enum_of(StrEnum, "Area.kinds", optional=True)
    )
    policy: type = attrs.field(validator=_policy)
    contract: AreaContract = attrs.field(validator=_contract)
    suspensions: Suspensions | None = attrs.field(default=None, validator=_suspensions)
    terms: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    bands: bool = attrs.field(default=False, validator=_bands)
    colour: str = attrs.field(default="#424242", validator=_colour)

    def __reduce__(self) -> tuple[Any, ...]:
        # An area a package declares is that package's ``AREA``: it pickles (and copies) by
        # the package's name. Another holds its host's contract, pickled as that is.
        package = self.codes.__module__.rpartition(".")[0]
        module = sys.modules.get(package)
        if package and module is not None and getattr(module, "AREA", None) is self:
            return (_declared, (package,))
        fields = {field.name: getattr(self, field.name) for field in attrs.fields(Area)}
        return (_rebuilt, (fields,))

    def enums(self) -> tuple[type[StrEnum], ...]:
        """Its code, question and kind enums, those it has."""
        return tuple(e for e in (self.codes, self.questions, self.kinds) if e is not None)
