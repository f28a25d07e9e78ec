"""The kinds of effect, each a frozen value naming what the host is asked to do. Private:
exported by :mod:`billrules.effects` (see it), which loads this module when a kind is first
named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import attrs
from moneyed import Money

from billrules import _validate as v
from billrules._effect import Effect
from billrules.errors import InvalidInput, InvalidType

__all__ = [
    "CancelBilling",
    "CancelSubscription",
    "ChargePaymentMethod",
    "DeactivateUser",
    "DebitBalance",
    "DeleteAccount",
    "HideBanner",
    "PurgeData",
    "ReassignLeads",
    "RecordCancellation",
    "RecordDeletionOutcome",
    "RemoveFromCallQueue",
    "RenewSubscription",
    "RestoreAccount",
    "RetryCharge",
    "RevokeAccess",
    "ScheduleDeletion",
    "SendEmail",
    "SetAccess",
    "SetAccountStatus",
    "SetEmailOptOut",
    "SetLicenceCount",
    "ShowBanner",
    "WriteOffInvoice",
]


def _email_details(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return v.details_of(value, "SendEmail.details")


def _banner_details(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return v.details_of(value, "ShowBanner.details")


#: A role or an access level, as ``SetAccess.access`` names them: a snake_case name.
_NAME: Final = re.compile(r"[a-z]+(?:_[a-z]+)*")
_NAME_PATTERN: Final = f"^{_NAME.pattern}$"


def _access(value: Mapping[str, str]) -> Mapping[str, str]:
    """``SetAccess.access``: role names to access-level names, frozen."""
    if not isinstance(value, Mapping):
        raise InvalidType("SetAccess.access", f"must be a mapping, not {type(value).__name__}")
    if not value:
        raise InvalidInput("SetAccess.access", "must name at least one role")
    for role, level in value.items():
        if not (isinstance(role, str) and _NAME.fullmatch(role)):
            raise InvalidInput("SetAccess.access", "a role must be a snake_case name")
        if not isinstance(level, str):
            raise InvalidType(
                f"SetAccess.access[{role}]", f"must be a str, not {type(level).__name__}"
            )
        if not _NAME.fullmatch(level):
            raise InvalidInput(f"SetAccess.access[{role}]", "must be a snake_case name")
    return v.FrozenMapping({str(role): str(level) for role, level in value.items()})


@attrs.frozen(kw_only=True)
class SendEmail(Effect):
    """Send the email ``template`` to ``to`` (a user id, or a role such as ``"owner"``)."""

    template: str = attrs.field(validator=v.text)
    to: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=_email_details,
        hash=False,
    )


@attrs.frozen(kw_only=True)
class ShowBanner(Effect):
    """Show the banner ``banner`` to every user of the account, with its ``details``."""

    banner: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=_banner_details,
        hash=False,
    )


@attrs.frozen(kw_only=True)
class SetAccess(Effect):
    """Give each role the access ``access`` names (role → access level): what each user now
    sees, from the dunning stage ``stage`` on (DUN-1), or full access again once the debt is
    paid (``stage`` ``None``, DUN-2). It tells the host what to enforce; it changes no fact."""

    stage: str | None = attrs.field(default=None, validator=v.optional_identifier)
    access: Mapping[str, str] = attrs.field(
        converter=_access,
        hash=False,
        metadata={
            "json_schema": {
                "minProperties": 1,
                "propertyNames": {"pattern": _NAME_PATTERN},
                "additionalProperties": {"type": "string", "pattern": _NAME_PATTERN},
                "description": "Each role's access level, by role (snake_case names).",
            }
        },
    )


@attrs.frozen(kw_only=True)
class HideBanner(Effect):
    """Stop showing the banner ``banner``."""

    banner: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class CancelBilling(Effect):
    """Cancel the scheduled or submitted billing (invoice) ``invoice_id``."""

    invoice_id: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class ChargePaymentMethod(Effect):
    """Charge ``amount`` for ``invoice_id`` to the stored payment method ``method_id``."""

    amount: Money = attrs.field(validator=v.positive_money)
    method_id: str = attrs.field(validator=v.identifier)
    invoice_id: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class DebitBalance(Effect):
    """Draw ``amount`` from the prepaid balance for ``description`` (BAL-7).

    Its ``occasion`` is the id of the ledger entry that records the draw (a monthly charge's
    ``charge-YYYY-MM``, :func:`billrules.balance.charge_month`): the host carries it out by
    adding that entry to the account's ledger (``ledger.add(result.charge)``), which refuses
    an id already there, so the balance is drawn once.
    """

    amount: Money = attrs.field(validator=v.positive_money)
    description: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class SetLicenceCount(Effect):
    """Set the number of licences (seats) to ``count``."""

    count: int = attrs.field(validator=v.integer(minimum=0))


@attrs.frozen(kw_only=True)
class SetAccountStatus(Effect):
    """Set the account's status to ``status`` (for example ``"DELETE"``)."""

    status: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class RecordCancellation(Effect):
    """Record the cancellation's date and reason (and free feedback) on the account."""

    reason: str = attrs.field(validator=v.text)
    feedback: str = attrs.field(default="", validator=v.instance_of(str))


@attrs.frozen(kw_only=True)
class SetEmailOptOut(Effect):
    """Record whether the customer opts out of further email."""

    opt_out: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class DeactivateUser(Effect):
    """Deactivate the user ``user_id``."""

    user_id: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class RevokeAccess(Effect):
    """Revoke every user's access to the account."""


@attrs.frozen(kw_only=True)
class ReassignLeads(Effect):
    """Reassign the account's leads to another agent (``to_agent``, or the host's choice)."""

    to_agent: str | None = attrs.field(default=None, validator=v.optional_identifier)


@attrs.frozen(kw_only=True)
class RemoveFromCallQueue(Effect):
    """Remove the account's leads from the call queue."""


@attrs.frozen(kw_only=True)
class DeleteAccount(Effect):
    """Delete the account: it becomes inaccessible; its data are retained until purged."""


@attrs.frozen(kw_only=True)
class PurgeData(Effect):
    """Purge the account's retained data for good."""


@attrs.frozen(kw_only=True)
class RestoreAccount(Effect):
    """Restore a deleted account from its retained data."""


#: ``ScheduleDeletion.deletion_kind``: why it was scheduled (the deletion area's
#: ``DeletionScheduleKind`` values).
_DELETION_KINDS: Final = ("automatic", "manual")


def _deletion_kind(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidType(
            "ScheduleDeletion.deletion_kind", f"must be a str, not {type(value).__name__}"
        )
    if value not in _DELETION_KINDS:
        raise InvalidInput("ScheduleDeletion.deletion_kind", "must be 'automatic' or 'manual'")


def _kept_because(value: object) -> tuple[str, ...]:
    codes = v.tuple_of(str, "RecordDeletionOutcome.kept_because")(value)
    if not codes:
        raise InvalidInput("RecordDeletionOutcome.kept_because", "must name at least one code")
    for index, code in enumerate(codes):
        if not _NAME.fullmatch(code):
            raise InvalidInput(
                f"RecordDeletionOutcome.kept_because[{index}]", "must be a snake_case name"
            )
    return codes


@attrs.frozen(kw_only=True)
class ScheduleDeletion(Effect):
    """Record on the account that its deletion is scheduled at ``at`` (DEL-1, DEL-3; DEL-2 for
    a ``manual`` one): the account's ``deletion_schedule`` from now on. The run asks for it
    when an account becomes eligible; :func:`billrules.apply` records it."""

    deletion_kind: str = attrs.field(
        default="automatic",
        validator=_deletion_kind,
        metadata={"json_schema": {"enum": list(_DELETION_KINDS)}},
    )


@attrs.frozen(kw_only=True)
class RecordDeletionOutcome(Effect):
    """Record on the deletion schedule that the account was kept at ``at``, its deletion
    instant, because it was no longer eligible (DEL-7): ``kept_because`` names the DEL-1
    conditions no longer met. :func:`billrules.apply` records it."""

    kept_because: tuple[str, ...] = attrs.field(
        converter=_kept_because,
        metadata={
            "json_schema": {
                "minItems": 1,
                "items": {"type": "string", "pattern": _NAME_PATTERN},
            }
        },
    )


@attrs.frozen(kw_only=True)
class RenewSubscription(Effect):
    """Bill the subscription's next period: renewal ``index`` (from 1) of the plan ``plan``
    (SUB-1). At the renewal where a pending plan change takes effect (SUB-3), ``plan`` is the
    new plan, and :func:`billrules.apply` records it as the plan in force."""

    plan: str = attrs.field(validator=v.identifier)
    index: int = attrs.field(validator=v.integer(minimum=1))


@attrs.frozen(kw_only=True)
class RetryCharge(Effect):
    """Charge ``amount`` still due on the invoice ``invoice_id`` to the default payment method
    ``method_id``: automatic attempt ``attempt`` (from 2; OVD-1, OVD-2). Its outcome is a new
    fact only the processor knows: the host records it on the invoice
    (:func:`billrules.overdue.record_attempt`); :func:`billrules.apply` changes nothing."""

    invoice_id: str = attrs.field(validator=v.identifier)
    attempt: int = attrs.field(validator=v.integer(minimum=2))
    method_id: str = attrs.field(validator=v.identifier)
    amount: Money = attrs.field(validator=v.positive_money)


@attrs.frozen(kw_only=True)
class CancelSubscription(Effect):
    """End the subscription at ``at`` for ``reason`` (OVD-5's ``payment_failed``): an
    involuntary cancellation, not a customer's request (CAN-1, CAN-3 do not apply).
    :func:`billrules.apply` records it as the subscription's ``ends_at``."""

    reason: str = attrs.field(validator=v.identifier)


@attrs.frozen(kw_only=True)
class WriteOffInvoice(Effect):
    """Write the invoice ``invoice_id`` off: its status becomes ``uncollectible`` (OVD-6). It
    stays payable. :func:`billrules.apply` records it."""

    invoice_id: str = attrs.field(validator=v.identifier)


# Shown, pickled and documented as ``billrules.effects`` exports them.
for _kind in (
    SendEmail,
    ShowBanner,
    HideBanner,
    CancelBilling,
    ChargePaymentMethod,
    DebitBalance,
    SetLicenceCount,
    SetAccountStatus,
    RecordCancellation,
    RecordDeletionOutcome,
    RenewSubscription,
    ScheduleDeletion,
    SetEmailOptOut,
    DeactivateUser,
    RevokeAccess,
    ReassignLeads,
    RemoveFromCallQueue,
    DeleteAccount,
    PurgeData,
    RestoreAccount,
    RetryCharge,
    CancelSubscription,
    WriteOffInvoice,
):
    _kind.__module__ = "billrules.effects"
