"""Decisions: the answer to every question billrules is asked (X-1).

A :class:`Decision` says whether something is allowed and why: a tuple of :class:`Reason`
values, each with a stable machine-readable ``code``, the ``rule`` ID from the policy
catalogue, a human ``message`` and the structured ``details`` (the facts it used).
Operations ask their own question first and raise :class:`PolicyViolation` carrying the very
same decision when it refuses.

>>> from billrules import Decision, Reason
>>> why = Reason(code="owner_only", rule="CAN-1", message="Only the owner may cancel.")
>>> decision = Decision.refuse(why)
>>> decision.allowed, decision.codes, decision.rules
(False, ('owner_only',), ('CAN-1',))
>>> decision.message
'Only the owner may cancel.'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from billrules._validate import frozen_mapping
from billrules.errors import BillRulesError, InvalidInput, InvalidType

__all__ = ["Decision", "PolicyViolation", "Reason"]


_to_details = frozen_mapping("Reason.details")


def _details(value: object) -> Mapping[str, Any]:
    return _to_details(value)


def _non_empty_str(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if type(value) is str and value and not value.isspace():
        return  # the common case, checked first: every question builds reasons
    where = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, str):
        raise InvalidType(where, f"must be a str, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInput(where, "must not be empty")


@attrs.frozen(kw_only=True)
class Reason:
    """Why a decision came out as it did.

    Attributes:
        code: A stable identifier for programs (``"outstanding_balance"``); never localised.
        rule: The rule ID in the policy catalogue that decided (``"CAN-3"``).
        message: One human sentence.
        details: The facts the rule used, by name (amounts, dates, ids).
    """

    code: str = attrs.field(validator=_non_empty_str)
    rule: str = attrs.field(validator=_non_empty_str)
    message: str = attrs.field(validator=_non_empty_str)
    details: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_details, hash=False, repr=False
    )


def _reasons(value: object) -> tuple[Reason, ...]:
    if not isinstance(value, (tuple, list)):
        raise InvalidType("Decision.reasons", f"must be a tuple, not {type(value).__name__}")
    for reason in value:
        if not isinstance(reason, Reason):
            raise InvalidType(
                "Decision.reasons", f"must hold Reason values, not {type(reason).__name__}"
            )
    return tuple(value)


def _bool(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidType("Decision.allowed", f"must be a bool, not {type(value).__name__}")


@attrs.frozen(kw_only=True)
class Decision:
    """The answer to a question: ``allowed`` and the ``reasons`` behind it (X-1).

    A refusal always carries at least one reason. An allowance may carry reasons too (the
    conditions that were met), which is how reports explain a "yes".
    """

    allowed: bool = attrs.field(validator=_bool)
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_reasons)

    def __attrs_post_init__(self) -> None:
        if not self.allowed and not self.reasons:
            raise InvalidInput("Decision.reasons", "a refusal needs at least one reason")

    @classmethod
    def allow(cls, *reasons: Reason) -> Decision:
        """An allowance, optionally explained by the conditions that were met."""
        return cls(allowed=True, reasons=reasons)

    @classmethod
    def refuse(cls, reason: Reason, *more: Reason) -> Decision:
        """A refusal with at least one reason."""
        return cls(allowed=False, reasons=(reason, *more))

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(reason.code for reason in self.reasons)

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

        >>> from billrules import Decision, Reason
        >>> Decision.allow().require()  # nothing happens
        >>> Decision.refuse(Reason(code="no", rule="X-1", message="No.")).require()
        Traceback (most recent call last):
        ...
        billrules.decisions.PolicyViolation: No. [X-1]
        """
        if not self.allowed:
            raise PolicyViolation(self)


class PolicyViolation(BillRulesError):
    """An operation was refused; ``decision`` is the very value its question returns (X-1)."""

    decision: Decision

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.message} [{', '.join(decision.rules)}]")

    def __reduce__(self) -> tuple[type[PolicyViolation], tuple[Decision]]:
        return (type(self), (self.decision,))
