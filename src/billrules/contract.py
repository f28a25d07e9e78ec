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

Every question is ``can_<verb>(facts, policy, *, <its own arguments>, at, zone) -> Decision``,
the facts and the policy positional, the policy required, ``at`` and ``zone`` keyword-only. A
question leaves an argument out only where no rule it decides can ever depend on it;
:data:`QUESTION_SHAPES` says which, and the rule that makes it so (a test checks every
question's signature against it):

==========================================  ========================================================
question                                    arguments left out (and why)
==========================================  ========================================================
``balance.can_top_up(*, role)``             facts, policy, at, zone: BAL-1 reads only the role
``cancellation.can_change_request_state``   policy, at, zone: CAN-5's states and moves are the
                                            rule itself, read from the request's state alone
``cancellation.can_complete_cancellation``  policy, at, zone: CAN-9 reads only whether a billing
                                            of the account is still scheduled
``cancellation.can_request_cancellation``   at, zone: CAN-1 reads the stored status and CAN-3
                                            every bill still due, past its due date or not
``deletion.can_cancel``                     —
``deletion.can_delete_manually(*, role)``   facts, policy, at, zone: DEL-2 reads only the role
``deletion.can_go_ahead``                   at: DEL-7 asks at the scheduled deletion instant,
                                            which the facts hold
``deletion.can_restore``                    —
``deletion.can_schedule``                   —
``dunning.can_use_product``                 —
``invoices.can_change_status``              policy, at, zone: INV-2's table of moves is the rule
                                            itself, read from the stored status alone
``invoices.can_download``                   at: INV-6 reads the stored status; INV-1's cutoff is
                                            a fixed date, not a span back from now
``invoices.can_view``                       at: INV-1's cutoff is a fixed date, compared with the
                                            local issue date, not a span back from now
``overdue.can_add_seats``                   —
``overdue.can_change_plan``                 —
``overdue.can_record_attempt``              policy, at, zone: OVD-1 and OVD-6 read only the
                                            invoice's stored status
``overdue.can_use_product``                 —
``overdue.can_write_off``                   policy, at, zone: OVD-6 reads only the invoice's
                                            stored status (INV-2's table)
``payment_methods.can_add``                 —
``payment_methods.can_remove``              policy, at, zone: PM-2 and PM-3 read only which
                                            method is the default ("at any time")
``payment_methods.can_set_default``         policy: PM-4 reads only the method's expiry (the
                                            accepted brands, PM-8, are checked when it is added)
``seats.can_add_user``                      policy, at, zone: SEAT-2 counts the pool's free
                                            seats (the one knob, proration, prices seats)
``seats.can_delete_user``                   policy, at, zone: SEAT-1 reads only who is seated
``seats.can_remove_seats``                  policy, at, zone: SEAT-2 and SEAT-3 count the pool's
                                            unoccupied seats
``subscriptions.can_cancel``                —
``subscriptions.can_change_plan``           —
==========================================  ========================================================

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

__all__ = ["ARGUMENTS", "QUESTION_SHAPES", "Finding", "Shape", "Suspension", "Transition"]


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
_new = object.__new__


def trusted_transition(
    at: datetime,
    area: str,
    kind: str,
    reasons: tuple[Reason, ...],
    effects: tuple[Effect, ...] = (),
) -> Transition:
    """The :class:`Transition` an area builds from checked values (an instant inside the
    calendar, its own name and kind, tuples of reasons and effects): nothing is checked again
    (DESIGN.md, "Checked once"). Private to the areas."""
    transition = _new(Transition)
    _set_at(transition, at)
    _set_area(transition, area)
    _set_kind(transition, kind)
    _set_reasons(transition, reasons)
    _set_effects(transition, effects)
    return transition


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
        if question.area and question.area != area:
            raise InvalidInput("Finding.area", f"has no question {question.value!r}")
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


def trusted_finding(
    area: str,
    question: Question,
    decision: Decision,
    details: Mapping[str, Any] = NO_DETAILS,
) -> Finding:
    """The :class:`Finding` an area builds from checked values (its own name and question, a
    decision, details holding the summary's fields): nothing is checked again (DESIGN.md,
    "Checked once"). Private to the areas. Details given as any mapping but a
    ``FrozenMapping`` are converted as the constructor converts them."""
    finding = _new(Finding)
    _set_finding_area(finding, area)
    _set_question(finding, question)
    _set_decision(finding, decision)
    _set_details(
        finding,
        details
        if details is NO_DETAILS or type(details) is v.FrozenMapping
        else _to_details(details),
    )
    return finding


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


#: The arguments every question takes unless its shape leaves one out: the facts and the
#: policy (positional), the instant and the account's zone (keyword-only).
ARGUMENTS: Final = ("facts", "policy", "at", "zone")


@attrs.frozen
class Shape:
    """Which of :data:`ARGUMENTS` a question takes: all but those it leaves out.

    Attributes:
        left_out: Each argument left out, with the rule that makes it needless.
    """

    left_out: Mapping[str, str] = attrs.field(default=NO_DETAILS, hash=False)

    @property
    def takes(self) -> tuple[str, ...]:
        """The arguments taken, in the order of :data:`ARGUMENTS`."""
        return tuple(name for name in ARGUMENTS if name not in self.left_out)


_FULL: Final = Shape()


def _without(reason: str, *names: str) -> Shape:
    return Shape(v.FrozenMapping(dict.fromkeys(names, reason)))


#: Every area question's shape, by ``"<area>.<question>"`` (DESIGN.md, the area contract 3).
QUESTION_SHAPES: Final[Mapping[str, Shape]] = v.FrozenMapping(
    {
        "balance.can_top_up": _without(
            "BAL-1 reads only the role", "facts", "policy", "at", "zone"
        ),
        "cancellation.can_change_request_state": _without(
            "CAN-5's states and moves are the rule itself, read from the request's state alone",
            "policy",
            "at",
            "zone",
        ),
        "cancellation.can_complete_cancellation": _without(
            "CAN-9 reads only whether a billing of the account is still scheduled",
            "policy",
            "at",
            "zone",
        ),
        "cancellation.can_request_cancellation": _without(
            "CAN-1 reads the stored status and CAN-3 every bill still due, past its due date or "
            "not",
            "at",
            "zone",
        ),
        "deletion.can_cancel": _FULL,
        "deletion.can_delete_manually": _without(
            "DEL-2 reads only the role", "facts", "policy", "at", "zone"
        ),
        "deletion.can_go_ahead": _without(
            "DEL-7 asks at the scheduled deletion instant, which the facts hold", "at"
        ),
        "deletion.can_restore": _FULL,
        "deletion.can_schedule": _FULL,
        "dunning.can_use_product": _FULL,
        "invoices.can_change_status": _without(
            "INV-2's table of moves is the rule itself, read from the stored status alone",
            "policy",
            "at",
            "zone",
        ),
        "invoices.can_download": _without(
            "INV-6 reads the stored status; INV-1's cutoff is a fixed date, not a span back "
            "from now",
            "at",
        ),
        "invoices.can_view": _without(
            "INV-1's cutoff is a fixed date, compared with the local issue date, not a span "
            "back from now",
            "at",
        ),
        "overdue.can_add_seats": _FULL,
        "overdue.can_change_plan": _FULL,
        "overdue.can_record_attempt": _without(
            "OVD-1 and OVD-6 read only the invoice's stored status", "policy", "at", "zone"
        ),
        "overdue.can_use_product": _FULL,
        "overdue.can_write_off": _without(
            "OVD-6 reads only the invoice's stored status (INV-2's table)", "policy", "at", "zone"
        ),
        "payment_methods.can_add": _FULL,
        "payment_methods.can_remove": _without(
            'PM-2 and PM-3 read only which method is the default ("at any time")',
            "policy",
            "at",
            "zone",
        ),
        "payment_methods.can_set_default": _without(
            "PM-4 reads only the method's expiry (the accepted brands, PM-8, are checked when "
            "it is added)",
            "policy",
        ),
        "seats.can_add_user": _without(
            "SEAT-2 counts the pool's free seats (the one knob, proration, prices seats)",
            "policy",
            "at",
            "zone",
        ),
        "seats.can_delete_user": _without(
            "SEAT-1 reads only who is seated", "policy", "at", "zone"
        ),
        "seats.can_remove_seats": _without(
            "SEAT-2 and SEAT-3 count the pool's unoccupied seats", "policy", "at", "zone"
        ),
        "subscriptions.can_cancel": _FULL,
        "subscriptions.can_change_plan": _FULL,
    }
)
