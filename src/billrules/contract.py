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
...     DUE = "invoice_due", "Invoice {invoice_id} is due."
>>> change = Transition(
...     at=datetime(2024, 5, 1, tzinfo=UTC), area="invoices", kind="invoice_overdue",
...     reasons=(Reason(code=Code.DUE, rule="INV-2", details={"invoice_id": "inv-1"}),),
... )
>>> change.rules, change.description
(('INV-2',), 'Invoice inv-1 is due.')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from billrules import _validate as v
from billrules.decisions import Decision, Question, Reason
from billrules.effects import Effect
from billrules.errors import InvalidInput, InvalidType

__all__ = ["Finding", "Suspension", "Transition"]


def _reasons(value: object) -> tuple[Reason, ...]:
    if type(value) is tuple and all(type(reason) is Reason for reason in value):
        return value  # the common case, checked first
    return v.tuple_of(Reason, "Transition.reasons")(value)


def _effects(value: object) -> tuple[Effect, ...]:
    if type(value) is tuple and not value:
        return value
    return v.tuple_of(Effect, "Transition.effects")(value)


@attrs.frozen(kw_only=True)
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

    at: datetime = attrs.field(validator=v.instant)
    area: str = attrs.field(validator=v.text)
    kind: str = attrs.field(validator=v.text)
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)
    effects: tuple[Effect, ...] = attrs.field(default=(), converter=_effects)

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


def _question(instance: object, attribute: attrs.Attribute[Question], value: object) -> None:
    if not isinstance(value, Question):
        raise InvalidType(
            "Finding.question", f"must be a Question member, not {type(value).__name__}"
        )


def _decision(instance: object, attribute: attrs.Attribute[Decision], value: object) -> None:
    if not isinstance(value, Decision):
        raise InvalidType("Finding.decision", f"must be a Decision, not {type(value).__name__}")


_to_details = v.frozen_mapping("Finding.details")


def _details(value: object) -> Mapping[str, Any]:
    if type(value) is v.FrozenMapping:
        return value
    return _to_details(value)


@attrs.frozen(kw_only=True)
class Finding:
    """One answer in a report: an area's question, its decision and its summary (X-1).

    Attributes:
        area: The area asked (``"dunning"``, ``"balance"``, ``"deletion"``…).
        question: A member of the area's :class:`~billrules.decisions.Question` enum.
        decision: The area's own decision, unchanged.
        details: The fields of the summary sentence.
    """

    area: str = attrs.field(validator=v.text)
    question: Question = attrs.field(validator=_question)
    decision: Decision = attrs.field(validator=_decision)
    details: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_details, hash=False, repr=False
    )

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

    start: datetime = attrs.field(validator=v.instant)
    end: datetime | None = attrs.field(default=None, validator=_optional_end)
    rule: str = attrs.field(validator=v.text)

    def covers(self, at: datetime) -> bool:
        """Whether ``at`` falls inside the span."""
        return self.start <= at and (self.end is None or at < self.end)
