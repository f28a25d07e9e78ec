"""Strategies for the prepaid balance: ledgers, bonus tiers, policies, sources, balance facts,
and the area's own facts."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from moneyed import Currency, Money

from billrules import _money, _time
from billrules._check import checked
from billrules.balance import (
    BalanceFacts,
    BalancePolicy,
    BonusTier,
    ChargeLine,
    EnabledPeriod,
    EntryKind,
    Ledger,
    LedgerEntry,
    PrepaidFacts,
    Source,
    SourceKind,
)
from billrules.testing._core import aware_datetimes, money, zones
from billrules.testing._subscriptions import suspensions


def _code(currency: Currency | str) -> Currency:
    return _money.to_currency(currency, "currency")


def _cents(code: Currency, cents: int) -> Money:
    return Money(Decimal(cents).scaleb(-2), code)


def _entry(
    code: Currency, entry_id: str, kind: EntryKind, at: datetime, cents: int, parts: list[int]
) -> LedgerEntry:
    """An entry of ``kind`` whose amount follows the kind's sign rule."""
    if kind is EntryKind.CHARGE:
        lines = tuple(
            ChargeLine(item=f"item{i}", description=f"Item {i}", amount=_cents(code, part))
            for i, part in enumerate(parts)
        )
        return LedgerEntry(
            id=entry_id, kind=kind, at=at, amount=-_cents(code, sum(parts)), lines=lines
        )
    if kind is not EntryKind.ADJUSTMENT:
        cents = max(1, abs(cents))
    return LedgerEntry(id=entry_id, kind=kind, at=at, amount=_cents(code, cents))


_ROWS = st.tuples(
    st.sampled_from(EntryKind),
    st.integers(min_value=-50_000, max_value=100_000),
    st.lists(st.integers(min_value=0, max_value=50_000), max_size=3),
)


@checked
def ledger_entries(
    *, currency: Currency | str = "USD", entry_id: str = "e1"
) -> st.SearchStrategy[LedgerEntry]:
    """Entries of every kind with the right sign; charges carry lines that add up."""
    code = _code(currency)
    return st.builds(
        lambda at, row: _entry(code, entry_id, row[0], at, row[1], row[2]),
        aware_datetimes(),
        _ROWS,
    )


@checked
def ledgers(*, currency: Currency | str = "USD", max_entries: int = 8) -> st.SearchStrategy[Ledger]:
    """Ledgers of up to ``max_entries`` entries (ids ``e0``, ``e1``…) in chronological order."""
    code = _code(currency)

    def build(rows: list[tuple[datetime, tuple[EntryKind, int, list[int]]]]) -> Ledger:
        rows = sorted(rows, key=lambda row: row[0])
        return Ledger(
            currency=code,
            entries=tuple(
                _entry(code, f"e{index}", kind, at, cents, parts)
                for index, (at, (kind, cents, parts)) in enumerate(rows)
            ),
        )

    return st.lists(st.tuples(aware_datetimes(), _ROWS), max_size=max_entries).map(build)


@checked
def bonus_tiers(*, currency: Currency | str = "USD") -> st.SearchStrategy[BonusTier]:
    """A single bonus tier: a percentage or a fixed bonus above a positive threshold."""
    code = _code(currency)
    threshold = money(code, min_value=100, max_value=1_000_000)
    percent = st.integers(min_value=1, max_value=5000).map(lambda n: Decimal(n).scaleb(-2))
    return st.one_of(
        st.builds(BonusTier, threshold=threshold, percent=percent),
        st.builds(BonusTier, threshold=threshold, fixed=money(code, min_value=1, max_value=50_000)),
    )


@checked
def balance_policies(
    *, currency: Currency | str = "USD", max_tiers: int = 4
) -> st.SearchStrategy[BalancePolicy]:
    """Valid balance policies: a base tariff and up to ``max_tiers`` increasing bonus tiers."""
    code = _code(currency)

    @st.composite
    def build(draw: st.DrawFn) -> BalancePolicy:
        base = draw(money(code, max_value=100_000))
        tiers: list[BonusTier] = []
        for tier in draw(st.lists(bonus_tiers(currency=code), max_size=max_tiers)):
            if tiers:
                previous = tiers[-1]
                if tier.threshold <= previous.threshold:
                    continue
                if tier.bonus(tier.threshold) < previous.bonus(tier.threshold):
                    continue
            tiers.append(tier)
        return BalancePolicy(base_tariff=base, bonus_tiers=tuple(tiers))

    return build()


@checked
def sources(
    *, currency: Currency | str = "USD", source_id: str = "src1"
) -> st.SearchStrategy[Source]:
    """Integrations or communication sources with up to three ordered enabled periods."""
    code = _code(currency)

    @st.composite
    def build(draw: st.DrawFn) -> Source:
        starts = sorted(draw(st.lists(aware_datetimes(), max_size=3, unique=True)))
        periods: list[EnabledPeriod] = []
        for index, start in enumerate(starts):
            limit = starts[index + 1] if index + 1 < len(starts) else None
            hours = draw(st.integers(min_value=1, max_value=24 * 90))
            end: datetime | None = start + timedelta(hours=hours)
            if limit is not None and end is not None and end > limit:
                end = limit
            if limit is None and draw(st.booleans()):
                end = None
            periods.append(EnabledPeriod(start=start, end=end))
        return Source(
            id=source_id,
            name=draw(st.sampled_from(("Telegram", "Viber", "Instagram", "Telephony", "Email"))),
            kind=draw(st.sampled_from(SourceKind)),
            monthly_price=draw(money(code, max_value=20_000)),
            enabled=tuple(periods),
        )

    return build()


@checked
def balance_facts(*, currency: Currency | str = "USD") -> st.SearchStrategy[BalanceFacts]:
    """Balance facts: non-negative, or negative with the instant the debt started."""
    code = _code(currency)
    non_negative = st.builds(BalanceFacts, balance=money(code))
    negative = st.builds(
        BalanceFacts,
        balance=money(code, min_value=1).map(lambda amount: -amount),
        debt_started_at=aware_datetimes(),
    )
    return st.one_of(non_negative, negative)


@checked
def prepaid_facts(
    *, currency: Currency | str = "USD", max_entries: int = 8, zone: ZoneInfo | str | None = None
) -> st.SearchStrategy[PrepaidFacts]:
    """The balance area's facts: a creation instant, a ledger (:func:`ledgers`) holding up to
    three months already charged, and the spans not billed (:func:`suspensions`).

    A month already charged is a ``charge`` entry named as the run names it
    (``charge-YYYY-MM``) on the first instant of the 1st after it, local to ``zone`` (one of
    :func:`zones` unless given: pass the account's to have them fall on its 1sts); or the
    same id a few hours later (the host's own timing); or another id at that instant (the
    host's own name). Each stops the run from charging that month again (BAL-4).
    """
    code = _code(currency)
    local = zones() if zone is None else st.just(_time.to_zone(zone))

    @st.composite
    def build(draw: st.DrawFn) -> PrepaidFacts:
        created = draw(aware_datetimes())
        ledger = draw(ledgers(currency=code, max_entries=max_entries))
        tz = draw(local)
        first = _time.local_date(created, tz).replace(day=1)
        months = draw(st.lists(st.integers(min_value=0, max_value=36), max_size=3, unique=True))
        charges: list[LedgerEntry] = []
        for index, month in enumerate(months):
            charged = _time.add_months(first, month)
            at = _time.start_of_day(_time.add_months(charged, 1), tz)
            shape = draw(st.sampled_from(("run", "later", "renamed")))
            if shape == "later":
                at += timedelta(hours=draw(st.integers(min_value=1, max_value=72)))
            charges.append(
                LedgerEntry(
                    id=f"m{index}" if shape == "renamed" else f"charge-{charged:%Y-%m}",
                    kind=EntryKind.CHARGE,
                    at=at,
                    amount=-_cents(code, draw(st.integers(min_value=0, max_value=5_000))),
                )
            )
        return PrepaidFacts(
            ledger=ledger.add(*charges),
            created_at=created,
            suspensions=draw(suspensions()),
        )

    return build()
