"""The payment-methods area's part of the area contract: :func:`role_findings` (PM-2, PM-3),
:func:`findings` and :func:`transitions` (none).

Part of :mod:`billrules.payment_methods`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules.contract import Finding, Transition
from billrules.payment_methods._facts import Wallet
from billrules.payment_methods._policy import PaymentMethodPolicy
from billrules.roles import Role

_to_role = v.enum_member(Role, "role")


@checked
def findings(
    wallet: Wallet, policy: PaymentMethodPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answers of the payment-methods area: none (every answer is a role's).

    Decides no rule; see :func:`role_findings`.
    """
    _time.to_zone(zone)
    return ()


@checked
def role_findings(
    wallet: Wallet,
    policy: PaymentMethodPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do with the wallet. Decides PM-2 and PM-3.

    With a default method, one finding: whether it can be removed (``remove_default_method``,
    :func:`~billrules.payment_methods.can_remove` of the default: never, PM-2). The answer
    is the same for every role, so it is built once per wallet. An empty wallet gives none.

    >>> from datetime import datetime, UTC
    >>> from billrules.payment_methods import (
    ...     PaymentMethod, PaymentMethodPolicy, Wallet, role_findings)
    >>> visa = PaymentMethod(id="pm-1", kind="card", brand="visa", last4="4242",
    ...                      exp_month=12, exp_year=2030)
    >>> (finding,) = role_findings(Wallet(methods=(visa,), default_id="pm-1"),
    ...                            PaymentMethodPolicy(), role="admin",
    ...                            at=datetime(2024, 5, 1, tzinfo=UTC), zone="UTC")
    >>> finding.allowed, finding.summary, finding.rules
    (False, 'The default payment method cannot be removed.', ('PM-2',))
    """
    if type(role) is not Role:
        _to_role(role)
    _time.to_zone(zone)
    return wallet._role_findings


@checked
def transitions(
    wallet: Wallet,
    policy: PaymentMethodPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """What the payment-methods area makes happen in ``[start, end)``: nothing.

    Decides no rule: no payment-method rule is driven by time (an expired card stays stored,
    PM-4 only refuses to make it the default).

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    _time.to_zone(zone)
    return iter(())
