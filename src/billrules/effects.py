"""Effects: what the host application is asked to do (X-2).

billrules never sends an email, deletes an account or cancels a billing. An operation that
calls for something to happen returns effect values; the host carries them out. Every effect
is a frozen value with the instant it is due (``at``) and the rule that called for it
(``rule``), so it can be logged, queued, compared and replayed.

>>> from datetime import datetime, UTC
>>> from billrules.effects import CancelBilling
>>> effect = CancelBilling(at=datetime(2024, 5, 1, tzinfo=UTC), rule="CAN-7", invoice_id="inv-9")
>>> effect.kind, effect.invoice_id
('cancel_billing', 'inv-9')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs
from moneyed import Money

from billrules import _validate as v

__all__ = [
    "CancelBilling",
    "ChargePaymentMethod",
    "DeactivateUser",
    "DebitBalance",
    "DeleteAccount",
    "Effect",
    "HideBanner",
    "PurgeData",
    "ReassignLeads",
    "RecordCancellation",
    "RemoveFromCallQueue",
    "RestoreAccount",
    "RevokeAccess",
    "SendEmail",
    "SetAccountStatus",
    "SetEmailOptOut",
    "SetLicenceCount",
    "ShowBanner",
]


@attrs.frozen(kw_only=True)
class Effect:
    """The base of every effect: when it is due and which rule called for it (X-2)."""

    kind: ClassVar[str] = "effect"

    at: datetime = attrs.field(validator=v.instant)
    rule: str = attrs.field(validator=v.text)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


@attrs.frozen(kw_only=True)
class SendEmail(Effect):
    """Send the email ``template`` to ``to`` (a user id, or a role such as ``"owner"``)."""

    template: str = attrs.field(validator=v.text)
    to: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=v.to_frozen_mapping(),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        hash=False,
    )


@attrs.frozen(kw_only=True)
class ShowBanner(Effect):
    """Show the banner ``banner`` to every user of the account, with its ``details``."""

    banner: str = attrs.field(validator=v.text)
    details: Mapping[str, Any] = attrs.field(
        factory=dict,
        converter=v.to_frozen_mapping(),  # type: ignore[misc]  # mypy's attrs plugin reads no attrs.Converter
        hash=False,
    )


@attrs.frozen(kw_only=True)
class HideBanner(Effect):
    """Stop showing the banner ``banner``."""

    banner: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class CancelBilling(Effect):
    """Cancel the scheduled or submitted billing (invoice) ``invoice_id``."""

    invoice_id: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class ChargePaymentMethod(Effect):
    """Charge ``amount`` for ``invoice_id`` to the stored payment method ``method_id``."""

    amount: Money = attrs.field(validator=v.positive_money)
    method_id: str = attrs.field(validator=v.text)
    invoice_id: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class DebitBalance(Effect):
    """Draw ``amount`` from the prepaid balance for ``description``."""

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

    user_id: str = attrs.field(validator=v.text)


@attrs.frozen(kw_only=True)
class RevokeAccess(Effect):
    """Revoke every user's access to the account."""


@attrs.frozen(kw_only=True)
class ReassignLeads(Effect):
    """Reassign the account's leads to another agent (``to_agent``, or the host's choice)."""

    to_agent: str | None = attrs.field(default=None, validator=v.optional_text)


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
