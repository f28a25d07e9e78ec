"""The back-office cancellation of the seats (SEAT-5). Private.

Part of :mod:`billrules.seats`; import the public names from there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from billrules import _validate as v
from billrules._check import checked, unchecked
from billrules.effects import Effect  # its kinds are imported where built: loaded on use
from billrules.errors import InvalidInput, InvalidType
from billrules.seats._facts import (
    SeatPool,
)

# --------------------------------------------------------------------------------------------
# SEAT-5: back-office cancellation


#: The occasion of SEAT-5's effects (X-6), before the date of the back-office cancellation.
BACK_OFFICE_OCCASION: Final = "back_office_cancellation"


@checked
def back_office_occasion(*, at: datetime, licences: int, occasion: str | None = None) -> str:
    """The occasion of a back-office cancellation's effects (X-6). Serves SEAT-5, and CAN-7,
    whose plan shares it when the account has no cancellation request.

    Args:
        at: The instant of the back-office cancellation.
        licences: The number of licences (seats) it cancels: the fact that tells two
            cancellations of one day apart.
        occasion: The host's own id of the cancellation (a ticket, a request id), if any.

    Returns:
        ``occasion`` when given; else ``"back_office_cancellation:"``, the date of ``at`` in
        UTC and the licences cancelled, so the same cancellation planned again the same day
        gives the same effect keys, and a pool re-seated and cancelled again gets new ones. A
        host that may cancel the same seats twice in one day passes its own ``occasion``.

    >>> from datetime import datetime, timedelta, timezone
    >>> from billrules.seats import back_office_occasion
    >>> back_office_occasion(at=datetime(2024, 5, 1, 23, tzinfo=timezone(timedelta(hours=-3))),
    ...                      licences=5)
    'back_office_cancellation:2024-05-02:5'
    >>> back_office_occasion(at=datetime(2024, 5, 1, tzinfo=timezone.utc), licences=5,
    ...                      occasion="ticket-4711")
    'ticket-4711'

    Raises:
        InvalidInput: ``occasion`` is empty or holds a card number (PM-6); ``licences`` is
            negative.
    """
    if isinstance(licences, bool) or not isinstance(licences, int):
        raise InvalidType("licences", f"must be an int, not {type(licences).__name__}")
    if licences < 0:
        raise InvalidInput("licences", "must not be negative")
    if occasion is None:
        return f"{BACK_OFFICE_OCCASION}:{at.astimezone(UTC).date().isoformat()}:{licences}"
    if not occasion.strip():
        raise InvalidInput("occasion", "must not be empty")
    return occasion


#: Its body, for :func:`back_office_cancel`, whose arguments are checked already.
_back_office_occasion: Final = unchecked(back_office_occasion)


@checked
def back_office_cancel(
    pool: SeatPool, *, account: str, at: datetime, occasion: str | None = None
) -> tuple[SeatPool, tuple[Effect, ...]]:
    """Cancel the seats in the back office at ``at``: the count becomes 0. Decides SEAT-5.

    Returns the new pool (no seats, no occupants: the remaining users are deactivated) and the
    effects for the host, in order: a :class:`~billrules.effects.DeactivateUser` for each
    remaining user, then :class:`~billrules.effects.SetLicenceCount` to 0. For a pool that
    already has no seats the plan is empty (idempotent, as CAN-7 asks).

    The effects' occasion (X-6) is ``occasion``, the host's own id of this cancellation (a
    ticket, a request id), when given; else ``"back_office_cancellation:"``, the date of
    ``at`` in UTC and the seats cancelled (``"back_office_cancellation:2024-05-01:5"``). The
    same cancellation planned again the same day gives the same keys; a pool re-seated and
    cancelled again (another day, or the same day with another count) gets new keys, so a
    host following the exactly-once recipe carries it out too. A host that may cancel the
    same count twice in one day, or retries across midnight, passes its own id.
    Every effect names ``account``, the id of the account whose seats are cancelled, so two
    accounts cancelled the same day never share a key.

    >>> from datetime import datetime, UTC
    >>> from billrules.seats import SeatPool, back_office_cancel
    >>> pool, effects = back_office_cancel(SeatPool(total=5, occupants=("ann",)),
    ...                                    account="acme", at=datetime(2024, 5, 1, 9, tzinfo=UTC))
    >>> pool.total, pool.occupants, [effect.kind for effect in effects]
    (0, (), ['deactivate_user', 'set_licence_count'])
    >>> effects[0].occasion
    'back_office_cancellation:2024-05-01:5'
    >>> back_office_cancel(SeatPool(total=5), account="acme", at=datetime(2024, 5, 1, tzinfo=UTC),
    ...                    occasion="ticket-4711")[1][0].occasion
    'ticket-4711'

    Raises:
        InvalidInput: ``account`` or ``occasion`` is empty or holds a card number (PM-6).
    """
    from billrules.effects import DeactivateUser, SetLicenceCount

    v.account_id(account)
    keyed = _back_office_occasion(at=at, licences=pool.total, occasion=occasion)
    if pool.total == 0:
        return pool, ()
    effects: list[Effect] = [
        DeactivateUser(at=at, rule="SEAT-5", user_id=user, occasion=keyed, account=account)
        for user in pool.occupants
    ]
    effects.append(SetLicenceCount(at=at, rule="SEAT-5", count=0, occasion=keyed, account=account))
    return SeatPool(total=0), tuple(effects)
