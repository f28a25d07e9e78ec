"""The shared shape of every area's answers: :class:`Transition` and :class:`Finding`.

Every area (``invoices``, ``payment_methods``, ``seats``, ``cancellation``, ``dunning``,
``balance``, ``deletion``, ``subscriptions``) exposes the same parts with the same signatures
(DESIGN.md, "The area contract"):

========================  ===================================================================
``can_<verb>``            a question: ``(facts, policy, *, ...) -> Decision``
``<verb>``                an operation: new facts (and effects); refused with
                          :class:`~billrules.decisions.PolicyViolation`
``transitions``           ``(facts, policy, *, start, end, zone) -> Iterator[Transition]``:
                          what the area makes happen in ``[start, end)``, in time order, lazily
``findings``              ``(facts, policy, *, at, zone) -> tuple[Finding, ...]``: the
                          account-wide answers :func:`~billrules.report.explain` lists
``role_findings``         ``(facts, policy, *, role, at, zone) -> tuple[Finding, ...]``: what
                          a user with ``role`` may do
``suspensions``            (only areas that stop billing) ``(facts, policy, *, zone) ->
                          tuple[Suspension, ...]``: when nothing renews, and by which rule
``<Area>Code``            the area's :class:`~billrules.decisions.ReasonCode` enum
``<Area>Question``        the area's :class:`~billrules.decisions.Question` enum
========================  ===================================================================

>>> from datetime import datetime, UTC
>>> from billrules.decisions import Reason, ReasonCode
>>> class Code(ReasonCode):
...     DUE = "invoice_due", "INV-2", "Invoice {invoice_id} is due."
>>> change = Transition(
...     at=datetime(2024, 5, 1, tzinfo=UTC), area="invoices", kind="invoice_overdue",
...     reasons=(Reason(code=Code.DUE, details={"invoice_id": "inv-1"}),),
... )
>>> change.rules, change.description
(('INV-2',), 'Invoice inv-1 is due.')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from billrules import _time
from billrules import _validate as v
from billrules.decisions import NO_DETAILS, Decision, Question, Reason, missing_fields
from billrules.effects import Effect
from billrules.errors import InvalidInput, InvalidType

__all__ = ["Finding", "Suspension", "Transition"]


#: An area's name or a transition's kind: a snake_case identifier (no digits, so no card
#: number can hide in one).
_IDENTIFIER: Final = re.compile(r"[a-z]+(?:_[a-z]+)*")
#: The JSON Schema of such a name (an area, a transition's kind).
_NAME_SCHEMA: Final = {
    "json_schema": {
        "pattern": f"^{_IDENTIFIER.pattern}$",
        "description": "A snake_case name of letters.",
    }
}


def _identifier(value: object, where: str) -> str:
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value):
        return value
    if not isinstance(value, str):
        raise InvalidType(where, f"must be a str, not {type(value).__name__}")
    raise InvalidInput(where, "must be a snake_case name of letters (such as 'dunning_stage')")


def _reasons(value: object) -> tuple[Reason, ...]:
    if type(value) is tuple and all(type(reason) is Reason for reason in value):
        return value  # the common case, checked first
    found: tuple[Reason, ...] = v.tuple_of(Reason, "Transition.reasons")(value)
    return found


def _effects(value: object) -> tuple[Effect, ...]:
    if type(value) is tuple and all(isinstance(effect, Effect) for effect in value):
        return value  # the common case, checked first
    found: tuple[Effect, ...] = v.tuple_of(Effect, "Transition.effects")(value)
    return found


@attrs.frozen(kw_only=True, init=False)
class Transition:
    """One thing an area makes happen to the account at one instant (X-5).

    Attributes:
        at: When it happens.
        area: The area whose rules call for it (``"dunning"``, ``"deletion"``…).
        kind: A stable snake_case name, a member of the area's kind enum
            (``"dunning_stage"``, ``"renewal"``, ``"account_deleted"``).
        reasons: Why, with the rules and the details; the description is their sentences.
        effects: What the host is asked to do at ``at`` (X-2); often empty.
    """

    at: datetime = attrs.field(eq=_time.instant_key)
    area: str = attrs.field(metadata=_NAME_SCHEMA)
    kind: str = attrs.field(metadata=_NAME_SCHEMA)
    reasons: tuple[Reason, ...]
    effects: tuple[Effect, ...] = ()

    def __init__(
        self,
        *,
        at: datetime,
        area: str,
        kind: str,
        reasons: tuple[Reason, ...],
        effects: tuple[Effect, ...] = (),
    ) -> None:
        # Written by hand: the timeline builds one per transition; common cases test cheaply.
        _set_at(self, _time.require_aware(at, "Transition.at"))
        _set_area(self, _identifier(area, "Transition.area"))
        _set_kind(self, _identifier(kind, "Transition.kind"))
        _set_reasons(self, _reasons(reasons))
        _set_effects(self, _effects(effects))

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs behind it, in order, without repeats."""
        return tuple(dict.fromkeys(reason.rule for reason in self.reasons))

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes that describe it, in order."""
        return tuple(str(reason.code) for reason in self.reasons)

    @property
    def description(self) -> str:
        """The reasons' sentences, rendered when read."""
        return " ".join(reason.message for reason in self.reasons)


# The slots' own setters: cheaper than object.__setattr__ on a frozen class's hot path.
_set_at = Transition.__dict__["at"].__set__
_set_area = Transition.__dict__["area"].__set__
_set_kind = Transition.__dict__["kind"].__set__
_set_reasons = Transition.__dict__["reasons"].__set__
_set_effects = Transition.__dict__["effects"].__set__

_to_details = v.frozen_mapping("Finding.details")


@attrs.frozen(kw_only=True, init=False)
class Finding:
    """One answer in a report: an area's question, its decision and its summary (X-1).

    Attributes:
        area: The area asked (``"dunning"``, ``"balance"``, ``"deletion"``…).
        question: A member of the area's :class:`~billrules.decisions.Question` enum.
        decision: The area's own decision, unchanged.
        details: The fields of the summary sentence.
    """

    area: str = attrs.field(metadata=_NAME_SCHEMA)
    question: Question
    decision: Decision
    details: Mapping[str, Any] = attrs.field(hash=False, repr=False)

    def __init__(
        self,
        *,
        area: str,
        question: Question,
        decision: Decision,
        details: Mapping[str, Any] = NO_DETAILS,
    ) -> None:
        # Written by hand: explain builds a few dozen; common cases test cheaply.
        v.require(question, Question, "Finding.question")
        if type(decision) is not Decision:
            v.require(decision, Decision, "Finding.decision")
        if details is not NO_DETAILS and type(details) is not v.FrozenMapping:
            details = _to_details(details)
        if question.fields and not question.fields <= details.keys():
            raise InvalidInput(
                "Finding.details",
                f"lacks {', '.join(missing_fields(question.fields, details))}, "
                f"which the summary of {question.value!r} needs",
            )
        _set_finding_area(self, _identifier(area, "Finding.area"))
        _set_question(self, question)
        _set_decision(self, decision)
        _set_details(self, details)

    @property
    def allowed(self) -> bool:
        """The answer."""
        return self.decision.allowed

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs behind it, in order, without repeats."""
        return self.decision.rules

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The area's reasons."""
        return self.decision.reasons

    @property
    def summary(self) -> str:
        """A human sentence stating the answer, rendered when read."""
        return self.question.summary(self.decision.allowed, self.details)


_set_finding_area = Finding.__dict__["area"].__set__
_set_question = Finding.__dict__["question"].__set__
_set_decision = Finding.__dict__["decision"].__set__
_set_details = Finding.__dict__["details"].__set__


def _optional_end(instance: Suspension, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    v.instant(instance, attribute, value)
    if isinstance(value, datetime) and value < instance.start:
        raise InvalidInput("Suspension.end", "must not be before start")


@attrs.frozen(kw_only=True)
class Suspension:
    """A span in which the account is not billed, as one area's rule says (CAN-6, DEL-6…).

    An area that stops billing says when (its ``suspensions``); the subscription area renews
    nothing inside one. The rule ID is data here: the area that decided it is named by it.

    Attributes:
        start: The first instant without billing (included).
        end: When billing resumes (excluded); ``None``: it never does.
        rule: The rule that stops billing.
    """

    start: datetime = attrs.field(eq=_time.instant_key, validator=v.instant)
    end: datetime | None = attrs.field(eq=_time.instant_key, default=None, validator=_optional_end)
    rule: str = attrs.field(validator=v.identifier)

    def covers(self, at: datetime) -> bool:
        """Whether ``at`` falls inside the span."""
        return self.start <= at and (self.end is None or at < self.end)
