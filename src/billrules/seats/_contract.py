"""The seats area's contract: findings, role findings, transitions. Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from billrules import _time
from billrules import _validate as v
from billrules._check import checked
from billrules.contract import Finding, Transition
from billrules.roles import Role
from billrules.seats._facts import SeatPool
from billrules.seats._policy import SeatPolicy

# --------------------------------------------------------------------------------------------
# The area contract

_to_role = v.enum_member(Role, "role")


@checked
def findings(
    pool: SeatPool, policy: SeatPolicy, *, at: datetime, zone: ZoneInfo | str
) -> tuple[Finding, ...]:
    """The account-wide answers of the seats area: none (every answer is a role's).

    Decides no rule; see :func:`role_findings`.
    """
    _time.to_zone(zone)
    return ()


@checked
def role_findings(
    pool: SeatPool,
    policy: SeatPolicy,
    *,
    role: Role | str,
    at: datetime,
    zone: ZoneInfo | str,
) -> tuple[Finding, ...]:
    """What a user with ``role`` may do with the seats. Decides SEAT-2 and SEAT-3.

    One finding, the same for every role (so it is built once per pool): how many seats can
    be removed (``remove_seats``), with :func:`can_remove_seats`'s decision for that many (at
    least one, so a pool with every seat occupied says why none can be).

    >>> from datetime import datetime, UTC
    >>> from billrules.seats import SeatPolicy, SeatPool, role_findings
    >>> (finding,) = role_findings(SeatPool(total=10, occupants=("ann", "bob")), SeatPolicy(),
    ...                            role="owner", at=datetime(2024, 5, 1, tzinfo=UTC), zone="UTC")
    >>> finding.allowed, finding.summary, finding.rules
    (True, '8 of 10 seats can be removed.', ('SEAT-2',))
    """
    if type(role) is not Role:
        _to_role(role)
    _time.to_zone(zone)
    return pool._role_findings


@checked
def transitions(
    pool: SeatPool,
    policy: SeatPolicy,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | str,
) -> Iterator[Transition]:
    """What the seats area makes happen in ``[start, end)``: nothing.

    Decides no rule: no seat rule is driven by time (SEAT-5's back-office cancellation is an
    operation the host performs, :func:`back_office_cancel`).

    Raises:
        InvalidInput: ``end`` is before ``start``.
    """
    _time.require_window(start, end)
    _time.to_zone(zone)
    return iter(())
