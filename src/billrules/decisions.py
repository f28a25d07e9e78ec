"""Decisions: the answer to every question billrules is asked (X-1).

A :class:`Decision` says whether something is allowed and why: a tuple of :class:`Reason`
values, each with a stable machine-readable ``code`` (a member of its area's
:class:`ReasonCode` enum), the ``rule`` ID from the policy catalogue that the code declares and
the structured ``details`` (the facts it used). The human sentence, :attr:`Reason.message`, is rendered from
the code's template and the details when it is read, never when the reason is built.
Operations ask their own question first and raise :class:`PolicyViolation` carrying the very
same decision when it refuses.

>>> from billrules import Decision, Reason, ReasonCode
>>> class Code(ReasonCode):
...     OWNER_ONLY = "owner_only", "CAN-1", "Only the owner may cancel, not the {role}."
>>> why = Reason(code=Code.OWNER_ONLY, details={"role": "admin"})
>>> decision = Decision.refuse(why)
>>> decision.allowed, decision.codes, decision.rules
(False, ('owner_only',), ('CAN-1',))
>>> decision.message
'Only the owner may cancel, not the admin.'
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Final, Self

import attrs
from moneyed import Money

from billrules import _money
from billrules._redact import shown
from billrules._validate import TEXT_SCHEMA, FrozenMapping, frozen_mapping, require
from billrules.errors import BillRulesError, InvalidInput, InvalidType

__all__ = [
    "Decision",
    "PolicyViolation",
    "Question",
    "Reason",
    "ReasonCode",
]


#: A template parsed once: each literal part, then the field it is followed by and its spec.
Template = tuple[tuple[str, str | None, str], ...]


class _Sentence(string.Formatter):
    """Formats a template's named fields for a human sentence.

    Money is written at its currency's minor unit with its code (``19.00 USD``, X-4); dates
    and instants in ISO 8601; enum members by their value; tuples joined with commas, mappings
    as ``key: value`` pairs so joined; ``None`` as ``none``. Two format specs: ``{n:day|days}`` writes the singular or the plural word
    for the integer ``n``, and ``{level:words}`` writes a snake_case value with spaces.
    """

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        """The field's value; a part a nested field names that is not there reads as ``None``.

        A reason's details hold every top-level field (checked when the reason is built), so
        only an index into a detail (``{access[owner]}``) can be missing: it renders as
        ``none`` rather than failing the whole sentence.
        """
        try:
            return super().get_field(field_name, args, kwargs)
        except (LookupError, AttributeError, TypeError):
            return None, field_name

    def compile(self, template: str) -> Template:
        """``template`` parsed once: its literal parts, fields and specs.

        Raises:
            ValueError: the template is malformed (an unmatched brace, a field in a spec).
        """
        parts: list[tuple[str, str | None, str]] = []
        for literal, field, spec, _ in self.parse(template):
            if spec and "{" in spec:
                raise ValueError("a template's spec cannot hold a field")
            parts.append((literal, field, spec or ""))
        return tuple(parts)

    def fill(self, template: Template, details: Mapping[str, Any]) -> str:
        """A compiled template with its fields taken from ``details`` (as :meth:`vformat`)."""
        pieces: list[str] = []
        for literal, field, spec in template:
            pieces.append(literal)
            if field is not None:
                value = (
                    details[field] if field in details else self.get_field(field, (), details)[0]
                )
                pieces.append(self.format_field(value, spec))
        return "".join(pieces)

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            return one if value == 1 else other
        text = _word(value)
        if format_spec == "words":
            return text.replace("_", " ")
        return format(text, format_spec) if format_spec else text


def _word(value: object) -> str:
    if isinstance(value, str):
        return str.__str__(value)  # an enum member's value, not its repr
    if isinstance(value, Money):
        return _money.in_words(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (tuple, list, frozenset)):
        return ", ".join(_word(item) for item in value)
    if isinstance(value, Mapping):  # each value as a sentence writes it, never a repr
        return ", ".join(f"{key}: {_word(item)}" for key, item in value.items())
    if value is None:
        return "none"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


_SENTENCE = _Sentence()


def sentence(template: str, details: Mapping[str, Any]) -> str:
    """``template`` with its named fields taken from ``details`` (see :class:`ReasonCode`).

    >>> sentence("{n} {n:day|days} to pay {amount}.", {"n": 2, "amount": Money("5", "EUR")})
    '2 days to pay 5.00 EUR.'
    """
    return _SENTENCE.vformat(template, (), details)


def _fields(template: str) -> frozenset[str]:
    """The named fields a template reads: ``{amount}``, ``{days:day|days}``, ``{access[owner]}``
    read ``amount``, ``days`` and ``access``."""
    return frozenset(
        name.partition("[")[0].partition(".")[0]
        for _, name, _, _ in _SENTENCE.parse(template)
        if name
    )


def missing_fields(fields: frozenset[str], details: Mapping[str, Any]) -> list[str]:
    """The fields a sentence needs that ``details`` lacks, sorted (empty: it renders)."""
    return sorted(field for field in fields if field not in details)


#: A rule ID: one word, as the policy catalogue writes them (``DUN-1``, ``X-7``).
_RULE_ID: Final = re.compile(r"\S+")


class ReasonCode(StrEnum):
    """The base of every area's reason codes: a closed set of stable snake_case codes.

    Each member is declared with its code, the rule ID that gives it and its English sentence
    template, whose named fields are the keys of the reason's ``details``::

        class CancellationCode(ReasonCode):
            OWNER_ONLY = "owner_only", "CAN-1", "Only the owner may request cancellation."

    The member *is* the code (``Code.OWNER_ONLY == "owner_only"``); ``rule`` is its rule ID,
    which every :class:`Reason` of the code carries, and ``template`` its sentence, rendered by
    :attr:`Reason.message`.

    Raises:
        InvalidInput: a member is not declared with a code, a rule and a template, or its
            rule is not a rule ID (one word, such as ``DUN-1``), as when the template is
            written in its place.
        InvalidType: a member's rule is not a str.
    """

    #: The area whose codes these are: ``class DunningCode(ReasonCode, area="dunning")``.
    area: str
    rule: str
    template: str
    fields: frozenset[str]
    _parts: Template

    def __init_subclass__(cls, *, area: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        type.__setattr__(cls, "area", area)

    def __new__(cls, value: str, *declared: str) -> Self:
        where = f"{cls.__name__}({shown(value)})"
        if len(declared) != 2:
            raise InvalidInput(
                where,
                "must be declared as its code, rule ID and template, such as "
                "'owner_only', 'CAN-1', 'Only the owner may cancel.'",
            )
        # Not named as the members' attributes: mypy takes such a local for an enum member.
        rule_id, sentence_template = declared
        if type(rule_id) is not str:
            raise InvalidType(f"{where}.rule", f"must be a str, not {type(rule_id).__name__}")
        if not _RULE_ID.fullmatch(rule_id):
            raise InvalidInput(
                f"{where}.rule",
                f"must be a rule ID such as 'DUN-1' (one word), not {shown(rule_id)}",
            )
        member = str.__new__(cls, value)
        member._value_ = value
        member.rule = rule_id
        member.template = sentence_template
        member.fields = _fields(sentence_template)
        member._parts = _SENTENCE.compile(sentence_template)  # parsed once: messages render on read
        return member

    def render(self, details: Mapping[str, Any]) -> str:
        """The English sentence for ``details``."""
        return _SENTENCE.fill(self._parts, details)


class Question(StrEnum):
    """The base of every area's questions, as :class:`~billrules.contract.Finding` names them.

    Each member is declared with its snake_case name and two sentence templates: the answer's
    summary when it is a yes and when it is a no (fields from the finding's ``details``)::

        class SeatsQuestion(Question):
            REMOVE_SEATS = "remove_seats", "{removable} of {total} seats can be removed.", ""

    An empty "no" template means the "yes" template serves both answers.
    """

    #: The area whose questions these are: ``class SeatQuestion(Question, area="seats")``.
    area: str
    yes: str
    no: str
    fields: frozenset[str]
    _yes: Template
    _no: Template

    def __init_subclass__(cls, *, area: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        type.__setattr__(cls, "area", area)

    def __new__(cls, value: str, yes: str = "", no: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.yes = yes
        member.no = no or yes
        member.fields = _fields(yes) | _fields(member.no)
        member._yes = _SENTENCE.compile(yes)  # parsed once: summaries render on read
        member._no = _SENTENCE.compile(member.no)
        return member

    def summary(self, allowed: bool, details: Mapping[str, Any]) -> str:
        """The English summary of an answer."""
        return _SENTENCE.fill(self._yes if allowed else self._no, details)


# The bases belong to no area (a subclass names its own).
type.__setattr__(ReasonCode, "area", "")
type.__setattr__(Question, "area", "")

_to_details = frozen_mapping("Reason.details")

#: The details of a reason that has none (a mapping is never changed, so one is shared).
NO_DETAILS: Final[Mapping[str, Any]] = FrozenMapping({})

_set = object.__setattr__


def _details(value: object) -> Mapping[str, Any]:
    if type(value) is FrozenMapping:
        return value  # already frozen: reasons built once and shared keep their details
    return _to_details(value)


def _check_rule(code: ReasonCode, rule: object) -> None:
    """Refuse a rule given for ``code`` that is not the one the code declares."""
    if not isinstance(rule, str):
        raise InvalidType("Reason.rule", f"must be a str, not {type(rule).__name__}")
    if str.__str__(rule) != code.rule:
        raise InvalidInput(
            "Reason.rule",
            f"is {shown(rule)}, but the code {code.value!r} is given under rule {code.rule}",
        )


@attrs.frozen(kw_only=True, init=False)
class Reason:
    """Why a decision came out as it did.

    Attributes:
        code: A member of the deciding area's :class:`ReasonCode` enum (``"outstanding_balance"``);
            never localised.
        rule: The rule ID in the policy catalogue that decided (``"CAN-3"``): the one the
            code declares. It may be left out; given, it must be the code's (a reason read
            back from JSON names its rule, and one naming another is refused).
        details: The facts the rule used, by name (amounts, dates, ids): at least the fields
            of the code's sentence, so the sentence always renders.
    """

    code: ReasonCode
    rule: str = attrs.field(metadata={"json_schema": TEXT_SCHEMA})
    details: Mapping[str, Any] = attrs.field(hash=False, repr=False)

    def __init__(
        self,
        *,
        code: ReasonCode,
        rule: str | None = None,
        details: Mapping[str, Any] = NO_DETAILS,
    ) -> None:
        # Written by hand rather than by attrs: every question builds reasons, so the common
        # case (a code, no rule, a dict or no details) is tested first and cheaply.
        if not isinstance(code, ReasonCode):
            require(code, ReasonCode, "Reason.code")
        if rule is not None and rule is not code.rule:
            _check_rule(code, rule)
        if details is not NO_DETAILS:
            details = _details(details)
        if code.fields and not code.fields <= details.keys():
            raise InvalidInput(
                "Reason.details",
                f"lacks {', '.join(missing_fields(code.fields, details))}, "
                f"which the sentence of {code.value!r} needs",
            )
        _set_code(self, code)
        _set_rule(self, code.rule)
        _set_details(self, details)

    @property
    def message(self) -> str:
        """One human sentence, rendered from the code's template and the details."""
        return self.code.render(self.details)


# The slots' own setters: cheaper than object.__setattr__ on a frozen class's hot path.
_set_code = Reason.__dict__["code"].__set__
_set_rule = Reason.__dict__["rule"].__set__
_set_details = Reason.__dict__["details"].__set__
_new = object.__new__


def trusted_reason(code: ReasonCode, details: Mapping[str, Any] = NO_DETAILS) -> Reason:
    """The :class:`Reason` of ``code`` with ``details``, built by the library from checked
    values: nothing is checked again (DESIGN.md, "Checked once"). Private to the areas.

    The caller vouches that ``details`` hold every field of the code's sentence. Details given
    as a :class:`FrozenMapping` are kept as they are; any other mapping is converted as the
    constructor converts it, so the reason is the one ``Reason(code=code, details=details)``
    builds.
    """
    reason = _new(Reason)
    _set_code(reason, code)
    _set_rule(reason, code.rule)
    _set_details(
        reason,
        details if details is NO_DETAILS or type(details) is FrozenMapping else _details(details),
    )
    return reason


def _reasons(value: object) -> tuple[Reason, ...]:
    if type(value) is tuple and all(type(reason) is Reason for reason in value):
        return value  # the common case, checked first
    if not isinstance(value, (tuple, list)):
        raise InvalidType("Decision.reasons", f"must be a tuple, not {type(value).__name__}")
    for reason in value:
        if not isinstance(reason, Reason):
            raise InvalidType(
                "Decision.reasons", f"must hold Reason values, not {type(reason).__name__}"
            )
    return tuple(value)


@attrs.frozen(kw_only=True, init=False)
class Decision:
    """The answer to a question: ``allowed`` and the ``reasons`` behind it (X-1).

    A refusal always carries at least one reason. An allowance may carry reasons too (the
    conditions that were met), which is how reports explain a "yes".
    """

    allowed: bool
    reasons: tuple[Reason, ...] = ()

    def __init__(self, *, allowed: bool, reasons: tuple[Reason, ...] = ()) -> None:
        if type(allowed) is not bool:
            raise InvalidType("Decision.allowed", f"must be a bool, not {type(allowed).__name__}")
        reasons = _reasons(reasons)
        if not allowed and not reasons:
            raise InvalidInput("Decision.reasons", "a refusal needs at least one reason")
        _set_allowed(self, allowed)
        _set_reasons(self, reasons)

    @classmethod
    def allow(cls, *reasons: Reason) -> Decision:
        """An allowance, optionally explained by the conditions that were met."""
        return cls(allowed=True, reasons=reasons)

    @classmethod
    def refuse(cls, reason: Reason, *more: Reason) -> Decision:
        """A refusal with at least one reason."""
        return cls(allowed=False, reasons=(reason, *more))

    @classmethod
    def all_of(cls, *checks: tuple[bool, Reason]) -> Decision:
        """Allowed when every condition holds; each ``(met, reason)`` pair gives its reason.

        The reasons of every condition are kept, met or not, in order, so a refusal also
        says which conditions were met.

        >>> class Code(ReasonCode):
        ...     OLD = "old_enough", "DEL-1", "Old enough."
        ...     IDLE = "still_active", "DEL-1", "Still active."
        >>> decision = Decision.all_of(
        ...     (True, Reason(code=Code.OLD)),
        ...     (False, Reason(code=Code.IDLE)),
        ... )
        >>> decision.allowed, decision.codes
        (False, ('old_enough', 'still_active'))
        """
        if not checks:
            raise InvalidInput("checks", "at least one condition is needed")
        return cls(
            allowed=all(met for met, _ in checks), reasons=tuple(reason for _, reason in checks)
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(str(reason.code) for reason in self.reasons)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs behind the reasons, in order, without repeats."""
        return tuple(dict.fromkeys(reason.rule for reason in self.reasons))

    @property
    def message(self) -> str:
        """The reasons' sentences joined into one text."""
        return " ".join(reason.message for reason in self.reasons)

    def require(self) -> None:
        """Raise :class:`PolicyViolation` carrying this decision if it is a refusal.

        >>> class Code(ReasonCode):
        ...     NO = "no", "X-1", "No."
        >>> Decision.allow().require()  # nothing happens
        >>> Decision.refuse(Reason(code=Code.NO)).require()
        Traceback (most recent call last):
        ...
        billrules.decisions.PolicyViolation: No. [X-1]
        """
        if not self.allowed:
            raise PolicyViolation(self)


_set_allowed = Decision.__dict__["allowed"].__set__
_set_reasons = Decision.__dict__["reasons"].__set__


def trusted_decision(allowed: bool, reasons: tuple[Reason, ...]) -> Decision:
    """The :class:`Decision` ``allowed`` with ``reasons`` (a tuple of reasons, at least one
    for a refusal), built by the library from checked values: nothing is checked again
    (DESIGN.md, "Checked once"). Private to the areas."""
    decision = _new(Decision)
    _set_allowed(decision, allowed)
    _set_reasons(decision, reasons)
    return decision


class PolicyViolation(BillRulesError):
    """An operation was refused; ``decision`` is the very value its question returns (X-1)."""

    decision: Decision

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.message} [{', '.join(decision.rules)}]")

    def __reduce__(self) -> tuple[type[PolicyViolation], tuple[Decision]]:
        return (type(self), (self.decision,))
