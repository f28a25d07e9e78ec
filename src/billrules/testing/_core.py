"""Strategies for the kernel's values: instants, zones, currencies and money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from moneyed import Currency, Money, get_currency

from billrules import _money
from billrules._check import checked

#: Zones with awkward rules: DST in both hemispheres, half-hour offsets, a date-line zone.
ZONE_NAMES = (
    "UTC",
    "Europe/Kyiv",
    "America/New_York",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Kiritimati",
)

_EPOCH = datetime(2019, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = 12 * 366 * 24 * 3600


@checked
def zones() -> st.SearchStrategy[ZoneInfo]:
    """Time zones from :data:`ZONE_NAMES`."""
    return st.sampled_from(ZONE_NAMES).map(ZoneInfo)


@checked
def aware_datetimes(
    *, start: datetime = _EPOCH, span: timedelta = timedelta(seconds=_SPAN_SECONDS)
) -> st.SearchStrategy[datetime]:
    """Timezone-aware instants in ``[start, start + span]``, each shown in one of :func:`zones`."""
    seconds = int(span.total_seconds())
    return st.builds(
        lambda offset, zone: (start + timedelta(seconds=offset)).astimezone(zone),
        st.integers(min_value=0, max_value=seconds),
        zones(),
    )


@checked
def currencies() -> st.SearchStrategy[Currency]:
    """A few currencies with 2, 0 and 3 decimal minor units."""
    return st.sampled_from(("USD", "EUR", "UAH", "JPY", "BHD")).map(get_currency)


@checked
def money(
    currency: Currency | str = "USD", *, min_value: int = 0, max_value: int = 1_000_000
) -> st.SearchStrategy[Money]:
    """Amounts in ``currency`` of ``min_value`` to ``max_value`` hundredths (cents).

    Amounts are whole hundredths whatever the currency's own minor unit, so a JPY or BHD amount
    may need rounding to its minor unit: that is on purpose.
    """
    code = _money.to_currency(currency, "currency")
    return st.integers(min_value=min_value, max_value=max_value).map(
        lambda cents: Money(Decimal(cents).scaleb(-2), code)
    )
