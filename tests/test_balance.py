"""Tests for billrules.balance: the prepaid ledger, top-ups and monthly charges (BAL-1 … BAL-7)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from moneyed import Money

from billrules import _time, apply, dunning
from billrules.account import Account, User
from billrules.balance import (
    BalanceCode,
    BalanceFacts,
    BalanceKind,
    BalancePolicy,
    BalanceQuestion,
    BalanceView,
    BonusTier,
    ChargeLine,
    EnabledPeriod,
    EntryKind,
    Ledger,
    LedgerEntry,
    PrepaidFacts,
    Source,
    SourceKind,
    balance_at,
    balance_view,
    bonus_for,
    can_top_up,
    charge_month,
    debt_month,
    debt_started_at,
    findings,
    monthly_charge,
    role_findings,
    top_up,
    transitions,
    usage_to_date,
)
from billrules.contract import Suspension
from billrules.decisions import PolicyViolation
from billrules.effects import ChargePaymentMethod, DebitBalance
from billrules.errors import (
    CurrencyMismatch,
    FloatAmountError,
    InvalidInput,
    InvalidType,
    NaiveDatetimeError,
)
from billrules.policy import DEFAULT_POLICY
from billrules.roles import Role
from billrules.testing._balance import (
    balance_facts,
    balance_policies,
    bonus_tiers,
    ledger_entries,
    ledgers,
    prepaid_facts,
    sources,
)
from billrules.testing._core import aware_datetimes, money, zones
from billrules.timeline import timeline

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
KOLKATA = ZoneInfo("Asia/Kolkata")

USD = "USD"
POLICY = BalancePolicy()


def usd(amount: str) -> Money:
    return Money(amount, USD)


def _entry(id: str, kind: str, amount: str, at: datetime) -> LedgerEntry:
    return LedgerEntry(id=id, kind=kind, at=at, amount=usd(amount))


def _source(price: str, *periods: tuple[datetime, datetime | None], id: str = "tg") -> Source:
    return Source(
        id=id,
        name="Telegram",
        kind=SourceKind.COMMUNICATION,
        monthly_price=usd(price),
        enabled=tuple(EnabledPeriod(start=start, end=end) for start, end in periods),
    )


class TestLedger:
    """BAL-3, BAL-6: the ledger, its balance and when it turned negative."""

    def test_balance_is_the_sum_of_entries(self) -> None:
        """BAL-3: payments, bonuses, charges and adjustments add up to the balance."""
        may = datetime(2024, 5, 1, tzinfo=KYIV)
        ledger = Ledger(currency=USD).add(
            _entry("p1", "payment", "50.00", may),
            _entry("b1", "bonus", "5.00", may),
            _entry("a1", "adjustment", "-1.50", may + timedelta(days=2)),
        )

        assert usd("53.50") == ledger.balance
        assert usd("55.00") == balance_at(ledger, at=may + timedelta(days=1))
        assert usd("0") == balance_at(ledger, at=may - timedelta(seconds=1))

    @given(ledger=ledgers(), at=aware_datetimes())
    def test_property_balance_is_sum_of_entries(self, ledger: Ledger, at: datetime) -> None:
        """BAL-3: the balance at an instant is the sum of the entries up to it."""
        expected = sum((e.amount.amount for e in ledger.entries if e.at <= at), Decimal(0))

        assert Money(expected, USD) == balance_at(ledger, at=at)
        assert Money(sum((e.amount.amount for e in ledger.entries), Decimal(0)), USD) == (
            ledger.balance
        )

    @given(ledger=ledgers(), at=aware_datetimes())
    def test_property_debt_start(self, ledger: Ledger, at: datetime) -> None:
        """BAL-6: a debt start exists exactly when the balance is negative, and it has stayed so."""
        started = debt_started_at(ledger, at=at)

        assert (started is not None) == (balance_at(ledger, at=at).amount < 0)
        if started is not None:
            assert started <= at
            assert all(
                balance_at(ledger, at=e.at).amount < 0
                for e in ledger.entries
                if started <= e.at <= at
            )
            assert balance_at(ledger, at=started - timedelta(microseconds=1)).amount >= 0
            facts = BalanceFacts.from_ledger(ledger, at)
            assert (started, -balance_at(ledger, at=at)) == (
                facts.debt_started_at,
                facts.amount_to_pay,
            )

    def test_debt_start_and_month(self) -> None:
        """BAL-6, DUN-3: the debt's start instant and local month, reset by a full payment."""
        ledger = Ledger(currency=USD).add(
            _entry("c1", "adjustment", "-19.00", datetime(2024, 4, 30, 22, tzinfo=UTC)),
            _entry("p1", "payment", "19.00", datetime(2024, 5, 3, tzinfo=UTC)),
            _entry("c2", "adjustment", "-19.00", datetime(2024, 5, 31, 22, tzinfo=UTC)),
        )

        assert datetime(2024, 4, 30, 22, tzinfo=UTC) == debt_started_at(
            ledger, at=datetime(2024, 5, 1, tzinfo=UTC)
        )
        assert debt_started_at(ledger, at=datetime(2024, 5, 4, tzinfo=UTC)) is None
        assert date(2024, 5, 1) == debt_month(
            ledger, at=datetime(2024, 5, 1, tzinfo=UTC), zone=KYIV
        )
        assert date(2024, 4, 1) == debt_month(
            ledger, at=datetime(2024, 5, 1, tzinfo=UTC), zone=NEW_YORK
        )
        assert debt_month(ledger, at=datetime(2024, 5, 10, tzinfo=UTC), zone=KYIV) is None
        assert date(2024, 6, 1) == debt_month(
            ledger, at=datetime(2024, 6, 2, tzinfo=UTC), zone="Europe/Kyiv"
        )

    def test_entries_at_one_instant_count_together(self) -> None:
        """BAL-3: a charge and a payment at the same instant never open a debt."""
        at = datetime(2024, 6, 1, tzinfo=KYIV)
        ledger = Ledger(currency=USD).add(
            _entry("c1", "adjustment", "-19.00", at), _entry("p1", "payment", "19.00", at)
        )

        assert debt_started_at(ledger, at=at) is None

    def test_entries_at_one_instant_in_two_offsets_count_together(self) -> None:
        """BAL-3: one instant written with two offsets is one step of the history; the debt
        that opens and lifts between two steps starts at the first entry of its instant."""
        kyiv = datetime(2024, 6, 1, 3, tzinfo=KYIV)
        ledger = Ledger(currency=USD).add(
            _entry("c1", "adjustment", "-19.00", kyiv),
            _entry("p1", "payment", "19.00", kyiv.astimezone(UTC)),
            _entry("c2", "adjustment", "-5.00", kyiv + timedelta(hours=1)),
            _entry("c3", "adjustment", "-1.00", (kyiv + timedelta(hours=1)).astimezone(UTC)),
        )

        assert debt_started_at(ledger, at=kyiv) is None
        assert debt_started_at(ledger, at=kyiv + timedelta(hours=2)) == kyiv + timedelta(hours=1)
        assert usd("-6.00") == balance_at(ledger, at=kyiv + timedelta(hours=1))

    def test_add_keeps_chronological_order(self) -> None:
        """BAL-6: entries are kept in time order whatever order they are added in."""
        later = _entry("p2", "payment", "1.00", datetime(2024, 5, 2, tzinfo=UTC))
        earlier = _entry("p1", "payment", "1.00", datetime(2024, 5, 1, tzinfo=UTC))

        ledger = Ledger(currency=USD).add(later).add(earlier)

        assert ("p1", "p2") == tuple(e.id for e in ledger.entries)

    @pytest.mark.parametrize(
        ("make", "error", "field"),
        [
            (lambda: Ledger(currency="XYZ"), InvalidInput, "Ledger.currency"),
            (lambda: Ledger(currency=3), InvalidType, "Ledger.currency"),
            (lambda: Ledger(currency=USD, entries="e"), InvalidType, "Ledger.entries"),
            (lambda: Ledger(currency=USD, entries=(1,)), InvalidType, "Ledger.entries[0]"),
            (
                lambda: Ledger(
                    currency=USD,
                    entries=(
                        _entry("a", "payment", "1", datetime(2024, 5, 2, tzinfo=UTC)),
                        _entry("b", "payment", "1", datetime(2024, 5, 1, tzinfo=UTC)),
                    ),
                ),
                InvalidInput,
                "Ledger.entries[1].at",
            ),
            (
                lambda: Ledger(
                    currency=USD,
                    entries=(
                        _entry("a", "payment", "1", datetime(2024, 5, 1, tzinfo=UTC)),
                        _entry("a", "payment", "1", datetime(2024, 5, 2, tzinfo=UTC)),
                    ),
                ),
                InvalidInput,
                "Ledger.entries[1].id",
            ),
            (
                lambda: Ledger(
                    currency="EUR",
                    entries=(_entry("a", "payment", "1", datetime(2024, 5, 1, tzinfo=UTC)),),
                ),
                CurrencyMismatch,
                "Ledger.entries[0].amount",
            ),
        ],
    )
    def test_bad_ledgers(self, make: object, error: type[Exception], field: str) -> None:
        """BAL-6: a ledger is in one currency, in time order, with unique ids."""
        with pytest.raises(error) as excinfo:
            make()  # type: ignore[operator]

        assert field == excinfo.value.field  # type: ignore[attr-defined]

    @pytest.mark.parametrize("amount", ["9e999999", "1e30", "1E-999999999"])
    def test_absurd_line_amounts_are_refused(self, amount: str) -> None:
        """BAL-6, X-4: a line amount too large or too fine to add up is refused, naming it."""
        with pytest.raises(InvalidInput) as excinfo:
            ChargeLine(item="x", description="X", amount=Money(amount, "USD"))
        assert "ChargeLine.amount" == excinfo.value.field

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"kind": "payment", "amount": usd("0")}, InvalidInput, "LedgerEntry.amount"),
            ({"kind": "bonus", "amount": usd("-1")}, InvalidInput, "LedgerEntry.amount"),
            ({"kind": "charge", "amount": usd("1")}, InvalidInput, "LedgerEntry.amount"),
            ({"kind": "refund"}, InvalidInput, "LedgerEntry.kind"),
            ({"amount": 1.5}, FloatAmountError, "LedgerEntry.amount"),
            ({"at": datetime(2024, 5, 1)}, NaiveDatetimeError, "LedgerEntry.at"),  # noqa: DTZ001
            ({"description": 3}, InvalidType, "LedgerEntry.description"),
            (
                {"lines": (ChargeLine(item="x", description="X", amount=usd("1")),)},
                InvalidInput,
                "LedgerEntry.lines",
            ),
            (
                {
                    "kind": "charge",
                    "amount": usd("-2"),
                    "lines": (ChargeLine(item="x", description="X", amount=usd("1")),),
                },
                InvalidInput,
                "LedgerEntry.lines",
            ),
            (
                {
                    "kind": "charge",
                    "amount": usd("-1"),
                    "lines": (ChargeLine(item="x", description="X", amount=Money("1", "EUR")),),
                },
                CurrencyMismatch,
                "LedgerEntry.lines[0].amount",
            ),
            ({"lines": ("x",)}, InvalidType, "LedgerEntry.lines[0]"),
        ],
    )
    def test_bad_entries(
        self, kwargs: dict[str, object], error: type[Exception], field: str
    ) -> None:
        """BAL-3, BAL-6: entries carry the sign of their kind; a charge's lines add up."""
        arguments: dict[str, object] = {
            "id": "e1",
            "kind": "payment",
            "at": datetime(2024, 5, 1, tzinfo=UTC),
            "amount": usd("1"),
        }
        arguments.update(kwargs)

        with pytest.raises(error) as excinfo:
            LedgerEntry(**arguments)  # type: ignore[arg-type]

        assert field == excinfo.value.field  # type: ignore[attr-defined]

    def test_bad_balance_facts(self) -> None:
        """DUN-2: balance facts give a debt start exactly when the balance is negative."""
        at = datetime(2024, 5, 1, tzinfo=UTC)
        with pytest.raises(InvalidInput) as missing:
            BalanceFacts(balance=usd("-1"))
        with pytest.raises(InvalidInput) as extra:
            BalanceFacts(balance=usd("0"), debt_started_at=at)
        with pytest.raises(InvalidType) as wrong:
            BalanceFacts(balance="1")  # type: ignore[arg-type]

        assert ["BalanceFacts.debt_started_at"] * 2 + ["BalanceFacts.balance"] == [
            missing.value.field,
            extra.value.field,
            wrong.value.field,
        ]

    def test_ledger_functions_refuse_non_ledgers(self) -> None:
        """BAL-3: the ledger functions name a wrong argument."""
        with pytest.raises(InvalidType) as excinfo:
            balance_at("ledger", at=datetime(2024, 5, 1, tzinfo=UTC))  # type: ignore[arg-type]

        assert "ledger" == excinfo.value.field


class TestTopUp:
    """BAL-1, BAL-2, BAL-3: top-ups."""

    AT = datetime(2024, 5, 6, 14, tzinfo=KYIV)

    @pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, "admin"])
    def test_admin_may_top_up_credited_at_once(self, role: Role | str) -> None:
        """BAL-1, BAL-3: an admin's confirmed payment is on the balance at that very instant."""
        ledger = Ledger(currency=USD)

        after = top_up(
            ledger, POLICY, amount=usd("100.00"), role=role, at=self.AT, reference="pay-1"
        )

        assert usd("100.00") == balance_at(after, at=self.AT)
        assert usd("0") == balance_at(after, at=self.AT - timedelta(microseconds=1))
        assert [("pay-1", EntryKind.PAYMENT)] == [(e.id, e.kind) for e in after.entries]
        assert () == ledger.entries
        assert can_top_up(role=role).allowed
        assert ("top_up_by_admin",) == can_top_up(role=role).codes

    def test_staff_refused(self) -> None:
        """BAL-1: a staff member cannot top up; the refusal is the question's decision."""
        ledger = Ledger(currency=USD)

        with pytest.raises(PolicyViolation) as excinfo:
            top_up(
                ledger, POLICY, amount=usd("100.00"), role=Role.STAFF, at=self.AT, reference="pay-1"
            )

        assert can_top_up(role=Role.STAFF) == excinfo.value.decision
        assert ("BAL-1",) == excinfo.value.decision.rules
        assert () == ledger.entries

    def test_default_has_no_bonus(self) -> None:
        """BAL-2: the seed gives no numbers, so the default policy has no tiers."""
        assert () == POLICY.bonus_tiers
        assert usd("0") == bonus_for(usd("10000.00"), POLICY)

    def test_tiers_give_bonus_entries(self) -> None:
        """BAL-2: the highest tier reached decides the bonus, credited with the payment."""
        policy = BalancePolicy(
            bonus_tiers=(
                BonusTier(threshold=usd("100.00"), fixed=usd("5.00")),
                BonusTier(threshold=usd("500.00"), percent=Decimal("10")),
                BonusTier(threshold=usd("1000.00"), percent="12.5"),
            )
        )

        bonuses = [bonus_for(usd(a), policy) for a in ("99.99", "100", "499.99", "500", "1000.10")]
        ledger = top_up(
            Ledger(currency=USD),
            policy,
            amount=usd("600.00"),
            role=Role.ADMIN,
            at=self.AT,
            reference="pay-1",
        )

        assert [usd("0"), usd("5"), usd("5"), usd("50"), usd("125.01")] == bonuses
        assert [("pay-1", usd("600.00")), ("pay-1:bonus", usd("60.00"))] == [
            (e.id, e.amount) for e in ledger.entries
        ]
        assert usd("660.00") == ledger.balance

    @given(
        policy=balance_policies(),
        amounts=st.lists(money(USD, min_value=1, max_value=2_000_000), min_size=2, max_size=5),
    )
    def test_property_bonus_non_negative_and_monotone(
        self, policy: BalancePolicy, amounts: list[Money]
    ) -> None:
        """BAL-2: the bonus is never negative and never shrinks as the top-up grows."""
        bonuses = [bonus_for(amount, policy).amount for amount in sorted(amounts)]

        assert all(b >= 0 for b in bonuses)
        assert sorted(bonuses) == bonuses

    @given(tier=bonus_tiers(), amount=money(USD, min_value=1))
    def test_property_tier_bonus(self, tier: BonusTier, amount: Money) -> None:
        """BAL-2: a tier's bonus is never negative (a percentage rounds half-up to the cent)."""
        assert tier.bonus(amount).amount >= 0

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"threshold": usd("0"), "fixed": usd("1")}, InvalidInput, "BonusTier.threshold"),
            ({"threshold": usd("10")}, InvalidInput, "BonusTier.percent"),
            (
                {"threshold": usd("10"), "fixed": usd("1"), "percent": "5"},
                InvalidInput,
                "BonusTier.percent",
            ),
            ({"threshold": usd("10"), "percent": "0"}, InvalidInput, "BonusTier.percent"),
            ({"threshold": usd("10"), "percent": "1000.01"}, InvalidInput, "BonusTier.percent"),
            ({"threshold": usd("10"), "percent": 2.5}, FloatAmountError, "BonusTier.percent"),
            ({"threshold": usd("10"), "fixed": usd("0")}, InvalidInput, "BonusTier.fixed"),
            (
                {"threshold": usd("10"), "fixed": Money("1", "EUR")},
                CurrencyMismatch,
                "BonusTier.fixed",
            ),
        ],
    )
    def test_bad_tiers(self, kwargs: dict[str, object], error: type[Exception], field: str) -> None:
        """BAL-2: a tier has a positive threshold and exactly one positive bonus."""
        with pytest.raises(error) as excinfo:
            BonusTier(**kwargs)  # type: ignore[arg-type]

        assert field == excinfo.value.field  # type: ignore[attr-defined]

    def test_absurd_threshold_is_refused(self) -> None:
        """BAL-2, X-4: a threshold too large to compute with is refused where it is written."""
        with pytest.raises(InvalidInput) as excinfo:
            BonusTier(threshold=usd("1e60"), percent="6")
        assert "BonusTier.threshold" == excinfo.value.field

    @pytest.mark.parametrize(
        ("tiers", "error", "field"),
        [
            (
                (
                    BonusTier(threshold=usd("100"), fixed=usd("5")),
                    BonusTier(threshold=usd("100"), fixed=usd("6")),
                ),
                InvalidInput,
                "BalancePolicy.bonus_tiers[1].threshold",
            ),
            (
                (
                    BonusTier(threshold=usd("100"), percent="10"),
                    BonusTier(threshold=usd("200"), fixed=usd("5")),
                ),
                InvalidInput,
                "BalancePolicy.bonus_tiers[1]",
            ),
            (
                (BonusTier(threshold=Money("100", "EUR"), fixed=Money("5", "EUR")),),
                CurrencyMismatch,
                "BalancePolicy.bonus_tiers[0]",
            ),
            (("tier",), InvalidType, "BalancePolicy.bonus_tiers[0]"),
        ],
    )
    def test_bad_policies(
        self, tiers: tuple[object, ...], error: type[Exception], field: str
    ) -> None:
        """BAL-2: thresholds increase and a larger top-up never earns a smaller bonus."""
        with pytest.raises(error) as excinfo:
            BalancePolicy(bonus_tiers=tiers)

        assert field == excinfo.value.field  # type: ignore[attr-defined]

    def test_bad_base_tariff(self) -> None:
        """BAL-5: the base tariff is money of zero or more."""
        with pytest.raises(InvalidInput) as excinfo:
            BalancePolicy(base_tariff=usd("-1"))

        assert "BalancePolicy.base_tariff" == excinfo.value.field

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"amount": usd("0")}, InvalidInput, "amount"),
            ({"amount": Money("5", "EUR")}, CurrencyMismatch, "amount"),
            ({"amount": 5.0}, FloatAmountError, "amount"),
            ({"reference": " "}, InvalidInput, "reference"),
            ({"reference": "old"}, InvalidInput, "reference"),
            ({"role": "guest"}, InvalidInput, "role"),
            ({"role": 3}, InvalidType, "role"),
            ({"at": datetime(2024, 5, 1)}, NaiveDatetimeError, "at"),  # noqa: DTZ001
            ({"policy": "default"}, InvalidType, "policy"),
            ({"ledger": []}, InvalidType, "ledger"),
        ],
    )
    def test_bad_top_ups(
        self, kwargs: dict[str, object], error: type[Exception], field: str
    ) -> None:
        """BAL-1, BAL-3: a top-up is a positive amount in the ledger's currency, new reference."""
        ledger = Ledger(currency=USD).add(_entry("old", "payment", "1", self.AT))
        arguments: dict[str, object] = {
            "ledger": ledger,
            "policy": POLICY,
            "amount": usd("10"),
            "role": Role.ADMIN,
            "at": self.AT,
            "reference": "new",
        }
        arguments.update(kwargs)

        with pytest.raises(error) as excinfo:
            top_up(**arguments)  # type: ignore[arg-type]

        assert field == excinfo.value.field  # type: ignore[attr-defined]


class TestMonthlyCharge:
    """BAL-4, BAL-5: the monthly charge."""

    def test_base_tariff_only_without_use(self) -> None:
        """BAL-5: with nothing enabled the month costs the base tariff, 19.00 USD."""
        charge = monthly_charge(date(2024, 5, 1), (), POLICY, zone=KYIV)

        assert usd("-19.00") == charge.amount
        assert [("base_tariff", usd("19.00"))] == [
            (line.item, line.amount) for line in charge.lines
        ]
        assert ("charge-2024-05", EntryKind.CHARGE) == (charge.id, charge.kind)

    @pytest.mark.parametrize("zone", [KYIV, NEW_YORK, AUCKLAND, KOLKATA], ids=str)
    def test_charged_on_the_first_of_next_month_at_local_midnight(self, zone: ZoneInfo) -> None:
        """BAL-4: May's usage is charged at local midnight of June 1st in the account's zone."""
        charge = monthly_charge(date(2024, 5, 17), (), POLICY, zone=zone)

        assert datetime(2024, 6, 1, tzinfo=zone) == charge.at
        assert charge.at.astimezone(zone).time() == datetime.min.time()

    def test_daily_proration_with_a_line_per_item(self) -> None:
        """BAL-5: a 30.00 source enabled 10 of June's 30 days adds 10.00 on its own line."""
        telegram = _source(
            "30.00", (datetime(2024, 6, 11, 9, tzinfo=KYIV), datetime(2024, 6, 20, 18, tzinfo=KYIV))
        )
        viber = Source(
            id="viber",
            name="Viber",
            kind="integration",
            monthly_price=usd("12.00"),
            enabled=(EnabledPeriod(start=datetime(2024, 1, 1, tzinfo=KYIV)),),
        )
        idle = _source("50.00", (datetime(2024, 7, 1, tzinfo=KYIV), None), id="idle")

        charge = monthly_charge(date(2024, 6, 1), (telegram, viber, idle), POLICY, zone=KYIV)

        assert [
            ("base_tariff", usd("19.00"), None),
            ("tg", usd("10.00"), 10),
            ("viber", usd("12.00"), 30),
        ] == [(line.item, line.amount, line.days_enabled) for line in charge.lines]
        assert usd("-41.00") == charge.amount

    def test_period_ending_at_local_midnight_excludes_that_day(self) -> None:
        """BAL-5: a source switched off at local midnight is not charged for the new day."""
        source = _source(
            "31.00",
            (datetime(2024, 7, 30, 12, tzinfo=NEW_YORK), datetime(2024, 8, 1, tzinfo=NEW_YORK)),
        )

        charge = monthly_charge(date(2024, 7, 1), (source,), POLICY, zone=NEW_YORK)
        august = monthly_charge(date(2024, 8, 1), (source,), POLICY, zone=NEW_YORK)

        assert usd("2.00") == charge.lines[1].amount
        assert 1 == len(august.lines)

    def test_february_of_a_leap_year(self) -> None:
        """BAL-5: February 2024 has 29 days: 29.00 for 29 days is 1.00 a day."""
        source = _source("29.00", (datetime(2024, 2, 20, 23, 30, tzinfo=KOLKATA), None))

        charge = monthly_charge(date(2024, 2, 1), (source,), POLICY, zone=KOLKATA)

        assert (usd("10.00"), 10, 29) == (
            charge.lines[1].amount,
            charge.lines[1].days_enabled,
            charge.lines[1].days_in_month,
        )
        assert datetime(2024, 3, 1, tzinfo=KOLKATA) == charge.at

    def test_day_is_local_to_the_zone(self) -> None:
        """BAL-5, X-3: enabled at 11:00 UTC on May 31 is June 1st in Auckland."""
        source = _source("30.00", (datetime(2024, 5, 31, 13, tzinfo=UTC), None))

        may_kyiv = monthly_charge(date(2024, 5, 1), (source,), POLICY, zone=KYIV)
        may_auckland = monthly_charge(date(2024, 5, 1), (source,), POLICY, zone=AUCKLAND)

        assert (2, 1) == (len(may_kyiv.lines), len(may_auckland.lines))

    @given(
        policy=balance_policies(),
        items=st.lists(sources(), max_size=3).map(
            lambda found: tuple(attrs.evolve(s, id=f"s{i}") for i, s in enumerate(found))
        ),
        month=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
        zone=zones(),
    )
    def test_property_charge_never_below_base_tariff(
        self, policy: BalancePolicy, items: tuple[Source, ...], month: date, zone: ZoneInfo
    ) -> None:
        """BAL-4, BAL-5: a month's charge is never below the base tariff and its lines add up."""
        charge = monthly_charge(month, items, policy, zone=zone)

        assert -charge.amount >= policy.base_tariff
        assert (
            sum((line.amount.amount for line in charge.lines), Decimal(0)) == -charge.amount.amount
        )
        assert charge.at.astimezone(zone).day == 1
        assert all(
            0 < (line.days_enabled or 1) <= (line.days_in_month or 31) for line in charge.lines
        )

    def test_bad_sources(self) -> None:
        """BAL-5: sources are priced in the policy's currency and periods are ordered."""
        start = datetime(2024, 5, 1, tzinfo=UTC)
        euro = Source(id="x", name="X", kind="integration", monthly_price=Money("1", "EUR"))
        with pytest.raises(CurrencyMismatch) as currency:
            monthly_charge(date(2024, 5, 1), (euro,), POLICY, zone=KYIV)
        with pytest.raises(InvalidInput) as overlap:
            _source("1", (start, start + timedelta(days=3)), (start + timedelta(days=2), None))
        with pytest.raises(InvalidInput) as open_first:
            _source("1", (start, None), (start + timedelta(days=2), None))
        with pytest.raises(InvalidInput) as backwards:
            EnabledPeriod(start=start, end=start)
        with pytest.raises(InvalidType) as not_date:
            monthly_charge(start, (), POLICY, zone=KYIV)
        with pytest.raises(InvalidType) as not_sources:
            monthly_charge(date(2024, 5, 1), ("tg",), POLICY, zone=KYIV)  # type: ignore[arg-type]

        assert [
            "sources[0].monthly_price",
            "Source.enabled[1].start",
            "Source.enabled[1].start",
            "EnabledPeriod.end",
            "month",
            "sources[0]",
        ] == [
            e.value.field for e in (currency, overlap, open_first, backwards, not_date, not_sources)
        ]


class TestChargeMonth:
    """BAL-4, BAL-7: charging the balance."""

    def test_charge_is_drawn_from_the_balance(self) -> None:
        """BAL-4, BAL-7: the only effect debits the balance; carrying it out is adding the
        charge to the ledger (the ledger handed in is left as it is: one source of truth)."""
        ledger = Ledger(currency=USD).add(
            _entry("p1", "payment", "10.00", datetime(2024, 5, 3, tzinfo=KYIV))
        )

        result = charge_month(ledger, (), POLICY, month=date(2024, 5, 1), zone=KYIV, account="acme")

        assert usd("10.00") == ledger.balance
        charged = ledger.add(result.charge)
        assert usd("-9.00") == charged.balance
        assert [DebitBalance] == [type(e) for e in result.effects]
        assert (usd("19.00"), "BAL-7") == (result.effects[0].amount, result.effects[0].rule)
        assert datetime(2024, 6, 1, tzinfo=KYIV) == debt_started_at(
            charged, at=datetime(2024, 6, 2, tzinfo=KYIV)
        )

    def test_a_month_is_charged_once(self) -> None:
        """BAL-4: charging a month twice is refused."""
        once = charge_month(
            Ledger(currency=USD), (), POLICY, month=date(2024, 5, 1), zone=KYIV, account="acme"
        )

        with pytest.raises(InvalidInput) as excinfo:
            charge_month(
                Ledger(currency=USD).add(once.charge),
                (),
                POLICY,
                month=date(2024, 5, 9),
                zone=KYIV,
                account="acme",
            )

        assert "month" == excinfo.value.field

    def test_zero_charge_has_no_effect(self) -> None:
        """BAL-7: a free month debits nothing."""
        free = BalancePolicy(base_tariff=usd("0"))

        result = charge_month(
            Ledger(currency=USD), (), free, month=date(2024, 5, 1), zone=KYIV, account="acme"
        )

        assert () == result.effects

    def test_policy_currency_must_match_the_ledger(self) -> None:
        """BAL-5, X-4: a policy in another currency is refused."""
        euro = BalancePolicy(base_tariff=Money("19", "EUR"))

        with pytest.raises(CurrencyMismatch) as excinfo:
            charge_month(
                Ledger(currency=USD), (), euro, month=date(2024, 5, 1), zone=KYIV, account="acme"
            )

        assert "policy.base_tariff" == excinfo.value.field

    @given(
        ledger=ledgers(max_entries=4),
        policy=balance_policies(),
        source=sources(),
        month=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
        zone=zones(),
    )
    def test_property_prepaid_never_charges_a_card(
        self, ledger: Ledger, policy: BalancePolicy, source: Source, month: date, zone: ZoneInfo
    ) -> None:
        """BAL-7: charging a month never produces a card charge, only balance debits."""
        result = charge_month(ledger, (source,), policy, month=month, zone=zone, account="acme")

        assert not any(isinstance(e, ChargePaymentMethod) for e in result.effects)
        assert all(isinstance(e, DebitBalance) for e in result.effects)
        assert ledger.add(result.charge).balance == ledger.balance + result.charge.amount


class TestBalanceView:
    """BAL-6: the wallet's view."""

    def test_view(self) -> None:
        """BAL-6: the balance now, this month's usage so far, and the history newest first."""
        ledger = Ledger(currency=USD).add(
            _entry("p1", "payment", "100.00", datetime(2024, 5, 3, tzinfo=KYIV)),
        )
        ledger = ledger.add(
            charge_month(
                ledger, (), POLICY, month=date(2024, 5, 1), zone=KYIV, account="acme"
            ).charge
        )
        source = _source("30.00", (datetime(2024, 6, 1, tzinfo=KYIV), None))
        at = datetime(2024, 6, 10, 12, tzinfo=KYIV)

        view = balance_view(ledger, (source,), POLICY, at=at, zone=KYIV)

        assert isinstance(view, BalanceView)
        assert usd("81.00") == view.balance
        assert (date(2024, 6, 1), usd("29.00")) == (view.usage.month, view.usage.total)
        assert datetime(2024, 7, 1, tzinfo=KYIV) == view.usage.charged_at
        assert ["charge-2024-05", "p1"] == [e.id for e in view.history]
        assert ["base_tariff"] == [line.item for line in view.history[0].lines]

    def test_usage_counts_today(self) -> None:
        """BAL-6: usage so far counts the days from the 1st to today, inclusive."""
        source = _source("31.00", (datetime(2024, 7, 1, tzinfo=NEW_YORK), None))

        usage = usage_to_date(
            (source,), POLICY, at=datetime(2024, 7, 1, 8, tzinfo=NEW_YORK), zone=NEW_YORK
        )

        assert usd("20.00") == usage.total


class LedgerMachine(RuleBasedStateMachine):
    """BAL-1, BAL-3, BAL-4: top-ups and charges keep the balance equal to a simple model."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger(currency=USD)
        self.model = Decimal(0)
        self.now = datetime(2024, 1, 1, tzinfo=KYIV)
        self.month = date(2024, 1, 1)
        self.count = 0

    @rule(cents=st.integers(min_value=1, max_value=10_000), role=st.sampled_from(Role))
    def pay(self, cents: int, role: Role) -> None:
        self.count += 1
        amount = Money(Decimal(cents).scaleb(-2), USD)
        if role.is_admin:
            self.ledger = top_up(
                self.ledger,
                POLICY,
                amount=amount,
                role=role,
                at=self.now,
                reference=f"p{self.count}",
            )
            self.model += amount.amount
        else:
            before = self.ledger
            with pytest.raises(PolicyViolation):
                top_up(
                    self.ledger,
                    POLICY,
                    amount=amount,
                    role=role,
                    at=self.now,
                    reference=f"p{self.count}",
                )
            assert before == self.ledger

    @rule(days=st.integers(min_value=1, max_value=40))
    def wait(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule()
    def charge(self) -> None:
        result = charge_month(self.ledger, (), POLICY, month=self.month, zone=KYIV, account="acme")
        self.ledger = self.ledger.add(result.charge)
        self.model -= Decimal("19.00")
        self.month = date(self.month.year + self.month.month // 12, self.month.month % 12 + 1, 1)
        self.now = max(self.now, result.charge.at)

    @invariant()
    def balance_matches(self) -> None:
        assert Money(self.model, USD) == self.ledger.balance
        facts = BalanceFacts.from_ledger(self.ledger, self.now)
        assert (facts.debt_started_at is not None) == (facts.balance.amount < 0)


TestLedgerMachine = LedgerMachine.TestCase
# Each step rebuilds and revalidates the ledger: shorter runs keep the suite fast; the number
# of runs comes from the active profile.
TestLedgerMachine.settings = settings(stateful_step_count=15)


@given(entry=ledger_entries(), facts=balance_facts())
def test_strategies_build_valid_values(entry: LedgerEntry, facts: BalanceFacts) -> None:
    """BAL-3: the public strategies build valid entries and balance facts."""
    assert entry.kind in EntryKind
    assert (facts.debt_started_at is None) == (facts.balance.amount >= 0)


def _summed(ledger: Ledger, at: datetime) -> tuple[Money, datetime | None]:
    """The balance and the debt's start at ``at``, re-summed from the entries (the reference)."""
    total = Decimal(0)
    started: datetime | None = None
    for entry_at in sorted({entry.at for entry in ledger.entries}):
        if entry_at > at:
            break
        total += sum((e.amount.amount for e in ledger.entries if e.at == entry_at), Decimal(0))
        if total < 0 and started is None:
            started = entry_at
        elif total >= 0:
            started = None
    return Money(total, ledger.currency), started


class TestHistory:
    """BAL-3: the ledger's one history, computed once, answers by binary search."""

    @given(ledger=ledgers(max_entries=10), at=aware_datetimes())
    def test_property_binary_search_agrees_with_a_re_sum(
        self, ledger: Ledger, at: datetime
    ) -> None:
        """BAL-3: balance_at, debt_started_at and BalanceFacts agree with summing the entries."""
        balance, started = _summed(ledger, at)
        facts = BalanceFacts.from_ledger(ledger, at)

        assert (balance, started) == (balance_at(ledger, at=at), debt_started_at(ledger, at=at))
        assert (balance, started) == (facts.balance, facts.debt_started_at)
        if ledger.entries:
            last = ledger.entries[-1].at
            assert balance_at(ledger, at=last) == ledger.balance

    @given(ledger=ledgers(max_entries=6))
    def test_property_history_pickles_and_compares(self, ledger: Ledger) -> None:
        """BAL-3: the precomputed history does not change equality, hashing or pickling."""
        again = pickle.loads(pickle.dumps(ledger))
        rebuilt = Ledger(currency=ledger.currency, entries=ledger.entries)

        assert ledger == again == rebuilt
        assert hash(ledger) == hash(rebuilt)
        assert [balance_at(again, at=e.at) for e in ledger.entries] == [
            balance_at(ledger, at=e.at) for e in ledger.entries
        ]

    def test_instants_and_zones_are_keyword_only(self) -> None:
        """BAL-3, DUN-3: the ledger functions take the ledger first and the rest by keyword."""
        ledger = Ledger(currency=USD).add(
            _entry("c1", "adjustment", "-19.00", datetime(2024, 4, 30, 22, tzinfo=UTC))
        )
        at = datetime(2024, 5, 1, tzinfo=UTC)
        for call in (
            lambda: balance_at(ledger, at),  # type: ignore[call-arg]
            lambda: debt_started_at(ledger, at),  # type: ignore[call-arg]
            lambda: debt_month(ledger, at, KYIV),  # type: ignore[call-arg]
        ):
            with pytest.raises(TypeError):
                call()
        assert (usd("-19.00"), at - timedelta(hours=2), date(2024, 5, 1)) == (
            balance_at(ledger, at=at),
            debt_started_at(ledger, at=at),
            debt_month(ledger, at=at, zone=KYIV),
        )

    @given(ledger=ledgers(max_entries=6), at=aware_datetimes(), zone=zones())
    def test_property_what_a_ledger_remembers_changes_nothing(
        self, ledger: Ledger, at: datetime, zone: ZoneInfo
    ) -> None:
        """BAL-3: a ledger whose memo was filled (dunning's stage for every role at ``at``)
        still equals, hashes and pickles as before, and a pickled copy starts afresh."""
        before = (hash(ledger), pickle.dumps(ledger))
        for role in Role:
            dunning.role_findings(ledger, dunning.DunningPolicy(), role=role, at=at, zone=zone)
        again = pickle.loads(pickle.dumps(ledger))

        assert before == (hash(ledger), pickle.dumps(ledger))
        assert ledger == again == Ledger(currency=ledger.currency, entries=ledger.entries)
        assert {} == again._memo


AT = datetime(2024, 5, 8, 12, tzinfo=KYIV)
#: BAL-4, BAL-5: the seed's account: in Kyiv, created on 2024-03-10.
CREATED = datetime(2024, 3, 10, tzinfo=KYIV)
IN_DEBT = PrepaidFacts(
    ledger=Ledger(currency=USD).add(
        _entry("fee", "adjustment", "-19.00", datetime(2024, 5, 1, tzinfo=KYIV))
    ),
    created_at=CREATED,
)
NO_ENTRIES = PrepaidFacts(ledger=Ledger(currency=USD), created_at=CREATED)


class TestContract:
    """BAL-1, BAL-3, BAL-4: findings, role findings and transitions over the area's facts
    (:class:`PrepaidFacts`), with the area's own codes."""

    def test_balance_not_negative_finding(self) -> None:
        """BAL-3: a non-negative balance is a yes, with the balance in its details."""
        ledger = Ledger(currency=USD).add(_entry("p", "payment", "5.00", AT))
        facts = PrepaidFacts(ledger=ledger, created_at=CREATED)

        (finding,) = findings(facts, POLICY, at=AT, zone=KYIV)

        assert ("balance", BalanceQuestion.BALANCE_NOT_NEGATIVE, True) == (
            finding.area,
            finding.question,
            finding.allowed,
        )
        assert ("BAL-3",) == finding.rules
        assert (BalanceCode.BALANCE_NOT_NEGATIVE,) == finding.decision.codes
        assert {"balance": usd("5.00"), "debt_started_at": None} == dict(finding.reasons[0].details)
        assert "Balance 5.00 USD." == finding.summary
        assert "The balance is 5.00 USD." == finding.reasons[0].message

    def test_balance_negative_finding(self) -> None:
        """BAL-3: a negative balance is a no, naming when the debt started; no DUN-2 reason."""
        (finding,) = findings(IN_DEBT, POLICY, at=AT, zone="Europe/Kyiv")

        assert (False, ("BAL-3",), (BalanceCode.BALANCE_NEGATIVE,)) == (
            finding.allowed,
            finding.rules,
            finding.decision.codes,
        )
        assert "Balance -19.00 USD: in debt since 2024-05-01T00:00:00+03:00." == finding.summary
        assert "The balance is -19.00 USD." == finding.decision.message
        assert datetime(2024, 5, 1, tzinfo=KYIV) == finding.details["debt_started_at"]

    @pytest.mark.parametrize("part", ["findings", "role_findings", "transitions"])
    def test_contract_refuses_a_bare_ledger(self, part: str) -> None:
        """BAL-3, BAL-4: the area's facts are PrepaidFacts; a bare Ledger (the facts before
        the monthly charges) is refused with InvalidType naming ``facts``."""
        bare: Any = IN_DEBT.ledger
        calls: dict[str, Callable[[], object]] = {
            "findings": lambda: findings(bare, POLICY, at=AT, zone=KYIV),
            "role_findings": lambda: role_findings(bare, POLICY, role="admin", at=AT, zone=KYIV),
            "transitions": lambda: transitions(bare, POLICY, start=AT, end=AT, zone=KYIV),
        }
        with pytest.raises(InvalidType) as excinfo:
            calls[part]()

        assert "facts" == excinfo.value.field

    @pytest.mark.parametrize("role", list(Role))
    def test_role_findings_are_the_question(self, role: Role) -> None:
        """BAL-1: the top-up finding carries can_top_up's very decision, built once per role."""
        (finding,) = role_findings(IN_DEBT, POLICY, role=role, at=AT, zone=KYIV)

        assert can_top_up(role=role) == finding.decision
        assert finding is role_findings(NO_ENTRIES, POLICY, role=str(role), at=AT, zone=KYIV)[0]
        assert BalanceQuestion.TOP_UP == finding.question
        expected = "May top up the balance." if role.is_admin else "May not top up the balance."
        assert expected == finding.summary

    def test_top_up_reasons_render(self) -> None:
        """BAL-1: every top-up reason uses a BalanceCode and renders from its details."""
        assert (
            "A user with the admin role may top up the balance." == can_top_up(role="admin").message
        )
        assert "Only an administrator can top up the balance." == can_top_up(role="staff").message
        assert {"role": "staff"} == dict(can_top_up(role="staff").reasons[0].details)

    @given(
        facts=prepaid_facts(),
        at=aware_datetimes(),
        role=st.sampled_from(Role),
        zone=zones(),
        days=st.integers(min_value=0, max_value=400),
    )
    def test_property_every_reason_uses_a_balance_code(
        self, facts: PrepaidFacts, at: datetime, role: Role, zone: ZoneInfo, days: int
    ) -> None:
        """BAL-1, BAL-3, BAL-4: every reason (of findings and of the monthly charges) is a
        BalanceCode member whose sentence renders."""
        found = (
            *findings(facts, POLICY, at=at, zone=zone),
            *role_findings(facts, POLICY, role=role, at=at, zone=zone),
        )
        for finding in found:
            assert finding.summary
            assert isinstance(finding.question, BalanceQuestion)
            for reason in finding.reasons:
                assert isinstance(reason.code, BalanceCode)
                assert reason.message
        assert (found[0].allowed) == (balance_at(facts.ledger, at=at).amount >= 0)
        end = at + timedelta(days=days)
        for transition in transitions(facts, POLICY, start=at, end=end, zone=zone):
            assert (BalanceCode.MONTHLY_CHARGE,) == tuple(r.code for r in transition.reasons)
            assert transition.description

    def test_every_code_is_reachable(self) -> None:
        """BAL-1, BAL-3, BAL-4: each code of the area is given by some answer above."""
        (charge, *_) = transitions(NO_ENTRIES, POLICY, start=AT, end=JULY, zone=KYIV)
        given_codes = {
            *findings(IN_DEBT, POLICY, at=AT, zone=KYIV)[0].decision.codes,
            *findings(NO_ENTRIES, POLICY, at=AT, zone=KYIV)[0].decision.codes,
            *can_top_up(role="owner").codes,
            *can_top_up(role="staff").codes,
            *charge.codes,
        }
        assert set(BalanceCode) == given_codes

    def test_transitions_window_checked(self) -> None:
        """X-5: the window's end must not be before its start, even with nothing to list."""
        with pytest.raises(InvalidInput) as excinfo:
            transitions(IN_DEBT, POLICY, start=AT, end=AT - timedelta(seconds=1), zone=KYIV)

        assert "end" == excinfo.value.field


APRIL = datetime(2024, 4, 1, tzinfo=KYIV)
JULY = datetime(2024, 7, 1, tzinfo=KYIV)
#: The three local 1sts of April–June 2024 in Kyiv (EEST, +03:00) and the months they charge.
SEED_CHARGES = [
    (datetime(2024, 4, 1, tzinfo=KYIV), "2024-03"),
    (datetime(2024, 5, 1, tzinfo=KYIV), "2024-04"),
    (datetime(2024, 6, 1, tzinfo=KYIV), "2024-05"),
]


def _prepaid(*entries: LedgerEntry, suspensions: tuple[Suspension, ...] = ()) -> PrepaidFacts:
    return PrepaidFacts(
        ledger=Ledger(currency=USD).add(*entries), created_at=CREATED, suspensions=suspensions
    )


def _charged(
    facts: PrepaidFacts,
    policy: BalancePolicy = POLICY,
    start: datetime = APRIL,
    end: datetime = JULY,
) -> list[tuple[datetime, str | None]]:
    """When each monthly charge of ``[start, end)`` falls and the ledger entry it records."""
    return [
        (transition.at, effect.occasion)
        for transition in transitions(facts, policy, start=start, end=end, zone=KYIV)
        for effect in transition.effects
    ]


def _seed_account(paid: str, last_login: datetime) -> Account:
    """The seed's account in Kyiv, created 2024-03-10 with ``paid`` USD on its balance."""
    return Account(
        id="acme",
        zone=KYIV,
        currency=USD,
        created_at=CREATED,
        users=(User(id="olena", role="owner", last_login_at=last_login),),
        ledger=Ledger(currency=USD).add(_entry("pay-1", "payment", paid, CREATED)),
    )


def _month_of(charge_id: str) -> date:
    return date(int(charge_id[7:11]), int(charge_id[12:14]), 1)


class TestMonthlyChargeTransitions:
    """BAL-4, BAL-5, BAL-7: the area's transitions charge each month on the local 1st after it,
    as a DebitBalance from the balance that ``billrules.apply`` records in the ledger."""

    def test_seed_account_is_charged_on_each_local_first(self) -> None:
        """BAL-4, BAL-5, BAL-7: the seed's account (Kyiv, created 2024-03-10) is charged
        19.00 USD at 00:00 Kyiv on April 1, May 1 and June 1, each month the one before."""
        found = list(transitions(NO_ENTRIES, POLICY, start=APRIL, end=JULY, zone=KYIV))

        assert [at for at, _ in SEED_CHARGES] == [t.at for t in found]
        assert [timedelta(hours=3)] * 3 == [t.at.astimezone(KYIV).utcoffset() for t in found]
        assert datetime(2024, 3, 31, 21, tzinfo=UTC) == found[0].at
        for transition, (at, month) in zip(found, SEED_CHARGES, strict=True):
            assert ("balance", BalanceKind.MONTHLY_CHARGE) == (transition.area, transition.kind)
            assert ("BAL-4",) == transition.rules
            assert (BalanceCode.MONTHLY_CHARGE,) == transition.codes
            assert {"month": month, "amount": usd("19.00"), "charge_id": f"charge-{month}"} == dict(
                transition.reasons[0].details
            )
            assert (
                f"The month {month} is charged to the balance: 19.00 USD, the base tariff (BAL-5)."
                == transition.description
            )
            assert (
                DebitBalance(
                    at=at,
                    rule="BAL-7",
                    amount=usd("19.00"),
                    description=f"Usage of {month}",
                    occasion=f"charge-{month}",
                ),
            ) == transition.effects

    def test_charge_is_the_effect_charge_month_returns(self) -> None:
        """BAL-4, BAL-7, X-6: each charge's effect, keyed with its account, is the very
        effect ``charge_month`` returns for that month and account: the same key."""
        for transition, (_, month) in zip(
            transitions(NO_ENTRIES, POLICY, start=APRIL, end=JULY, zone=KYIV),
            SEED_CHARGES,
            strict=True,
        ):
            (effect,) = transition.effects
            expected = charge_month(
                NO_ENTRIES.ledger,
                [],
                POLICY,
                account="acme",
                month=_month_of(f"charge-{month}"),
                zone=KYIV,
            ).effects[0]

            assert expected == attrs.evolve(effect, account="acme")
            assert expected.key == attrs.evolve(effect, account="acme").key

    def test_timeline_charges_with_charge_month_keys_and_apply_records_them(self) -> None:
        """BAL-4, BAL-5, BAL-7, X-9: the account's timeline over April–June 2024 charges each
        1st with the key charge_month gives, and apply adds the entries charge-2024-03 …
        charge-2024-05, drawing 3 × 19.00 USD."""
        account = _seed_account("100.00", datetime(2024, 6, 20, tzinfo=KYIV))

        events = timeline(account, DEFAULT_POLICY, start=APRIL, end=JULY).events
        charges = [t for t in events if t.area == "balance"]
        effects = [effect for t in charges for effect in t.effects]
        applied = apply(account, effects)

        assert [at for at, _ in SEED_CHARGES] == [t.at for t in charges]
        assert [
            charge_month(
                Ledger(currency=USD), [], POLICY, account="acme", month=date(2024, m, 1), zone=KYIV
            )
            .effects[0]
            .key
            for m in (3, 4, 5)
        ] == [effect.key for effect in effects]
        assert applied.ledger is not None
        assert ["pay-1", "charge-2024-03", "charge-2024-04", "charge-2024-05"] == [
            entry.id for entry in applied.ledger.entries
        ]
        assert [EntryKind.CHARGE] * 3 == [entry.kind for entry in applied.ledger.entries[1:]]
        assert usd("43.00") == applied.ledger.balance

    def test_dunning_follows_the_first_charge_that_turns_the_balance_negative(self) -> None:
        """BAL-4, DUN-1, X-9: 30.00 USD paid; April's charge leaves 11.00 USD, May's turns the
        balance negative: the first dunning stage starts at that very charge's instant, and
        the later stages on the 4th, 7th and 10th of May."""
        account = _seed_account("30.00", datetime(2024, 4, 25, tzinfo=KYIV))

        events = timeline(account, DEFAULT_POLICY, start=APRIL, end=JULY).events
        charges = [t for t in events if t.area == "balance"]
        stages = [t for t in events if t.area == "dunning"]

        assert [at for at, _ in SEED_CHARGES] == [t.at for t in charges]
        assert charges[1].at == stages[0].at
        assert events.index(charges[1]) < events.index(stages[0])
        assert [
            ("no_restriction", datetime(2024, 5, 1, tzinfo=KYIV)),
            ("reminder", datetime(2024, 5, 4, tzinfo=KYIV)),
            ("payment_page_only", datetime(2024, 5, 7, tzinfo=KYIV)),
            ("blocked", datetime(2024, 5, 10, tzinfo=KYIV)),
        ] == [(t.reasons[0].details["stage"], t.at) for t in stages]

    @pytest.mark.parametrize(
        "held",
        [
            _entry("charge-2024-04", "charge", "-19.00", datetime(2024, 5, 1, tzinfo=KYIV)),
            _entry("usage-april", "charge", "-25.00", datetime(2024, 4, 30, 21, tzinfo=UTC)),
            _entry("charge-2024-04", "adjustment", "-19.00", datetime(2024, 4, 15, tzinfo=KYIV)),
        ],
        ids=["its-id", "a-charge-at-its-instant", "its-id-on-another-entry"],
    )
    def test_month_already_charged_is_not_charged_again(self, held: LedgerEntry) -> None:
        """BAL-4: a ledger that holds May 1's charge (its id, or any charge entry at that
        instant, written with any offset) is not charged for April again; the other months
        are."""
        assert [SEED_CHARGES[0][0], SEED_CHARGES[2][0]] == [
            at for at, _ in _charged(_prepaid(held))
        ]

    def test_an_integrations_own_charge_at_the_instant_does_not_count_as_the_month(self) -> None:
        """BAL-5: a host's charge at May 1's first instant whose breakdown holds only an
        integration is not the month's base tariff: April is still charged."""
        own = LedgerEntry(
            id="integration-2024-04",
            kind="charge",
            at=datetime(2024, 5, 1, tzinfo=KYIV),
            amount=usd("-5.00"),
            lines=(ChargeLine(item="tg", description="Telegram", amount=usd("5.00")),),
        )
        assert [at for at, _ in SEED_CHARGES] == [at for at, _ in _charged(_prepaid(own))]

    def test_a_payment_at_the_instant_does_not_count_as_the_charge(self) -> None:
        """BAL-3, BAL-4: only a charge entry at the 1st's instant stands for the month's
        charge; a top-up at that instant does not."""
        paid = _entry("pay-may", "payment", "50.00", datetime(2024, 5, 1, tzinfo=KYIV))

        assert [month for _, month in SEED_CHARGES] == [
            occasion[7:] for _, occasion in _charged(_prepaid(paid)) if occasion
        ]

    @pytest.mark.parametrize(
        ("stop", "charged"),
        [
            (Suspension(start=datetime(2024, 4, 20, tzinfo=KYIV), rule="DEL-6"), ["2024-03"]),
            (
                Suspension(
                    start=datetime(2024, 4, 20, tzinfo=KYIV),
                    end=datetime(2024, 5, 15, tzinfo=KYIV),
                    rule="DEL-6",
                ),
                ["2024-03", "2024-05"],
            ),
            (Suspension(start=datetime(2024, 5, 1, tzinfo=KYIV), rule="CAN-6"), ["2024-03"]),
            (
                Suspension(
                    start=datetime(2024, 4, 20, tzinfo=KYIV),
                    end=datetime(2024, 5, 1, tzinfo=KYIV),
                    rule="DEL-6",
                ),
                ["2024-03", "2024-04", "2024-05"],
            ),
        ],
        ids=["deleted", "restored", "stopped-at-the-instant", "resumed-at-the-instant"],
    )
    def test_no_charge_inside_a_suspension(self, stop: Suspension, charged: list[str]) -> None:
        """BAL-4, DEL-6, CAN-6: no month is charged on a 1st inside a span without billing
        (its start included, its end excluded)."""
        found = _charged(_prepaid(suspensions=(stop,)))

        assert [f"charge-{month}" for month in charged] == [occasion for _, occasion in found]

    def test_deleted_account_is_not_charged_after_its_deletion(self) -> None:
        """BAL-4, DEL-1, DEL-6, X-9: the seed's account with 30.00 USD, nobody logged in since
        its creation: May's charge leaves it in debt, so it is scheduled for deletion that
        instant and deleted on May 11; June and July are not charged."""
        account = _seed_account("30.00", CREATED)

        events = timeline(
            account, DEFAULT_POLICY, start=APRIL, end=datetime(2024, 8, 1, tzinfo=KYIV)
        ).events

        assert [at for at, _ in SEED_CHARGES[:2]] == [t.at for t in events if t.area == "balance"]
        assert [datetime(2024, 5, 11, tzinfo=KYIV)] == [
            t.at for t in events if t.kind == "account_deleted"
        ]

    @pytest.mark.parametrize(
        "tariff", [Money("0.00", USD), Money("19.00", "EUR")], ids=["zero", "another-currency"]
    )
    def test_no_charge_for_a_zero_tariff_or_another_currency(self, tariff: Money) -> None:
        """BAL-5, X-4: a zero base tariff charges nothing; a tariff in EUR is never drawn
        from a USD ledger."""
        assert [] == _charged(NO_ENTRIES, BalancePolicy(base_tariff=tariff))

    def test_months_before_the_window_are_never_charged_late(self) -> None:
        """BAL-4: a window that starts after a 1st does not charge that month late; the
        window is half-open, so a 1st at its end is the next window's."""
        may_15 = datetime(2024, 5, 15, tzinfo=KYIV)

        assert [(SEED_CHARGES[2][0], "charge-2024-05")] == _charged(NO_ENTRIES, start=may_15)
        assert [] == _charged(
            NO_ENTRIES, start=APRIL + timedelta(microseconds=1), end=SEED_CHARGES[1][0]
        )
        assert [(APRIL, "charge-2024-03")] == _charged(NO_ENTRIES, end=SEED_CHARGES[1][0])

    @pytest.mark.parametrize(
        ("created", "first"),
        [
            (APRIL, "charge-2024-04"),
            (APRIL - timedelta(microseconds=1), "charge-2024-03"),
            (datetime(2024, 3, 1, tzinfo=KYIV), "charge-2024-03"),
        ],
        ids=["created-at-the-1st", "created-just-before", "created-on-march-1st"],
    )
    def test_first_month_charged_is_the_one_holding_the_creation(
        self, created: datetime, first: str
    ) -> None:
        """BAL-4, BAL-5: the first month charged is the one holding the account's creation;
        a 1st not after the creation charges nothing."""
        facts = PrepaidFacts(ledger=Ledger(currency=USD), created_at=created)
        found = _charged(facts, start=datetime(2024, 1, 1, tzinfo=KYIV))

        assert first == found[0][1]

    def test_charges_follow_the_local_first_across_clock_changes(self) -> None:
        """BAL-4, X-3: the 1st starts at local midnight whatever the offset: +02:00 in winter,
        +03:00 in summer in Kyiv."""
        found = _charged(
            NO_ENTRIES,
            start=datetime(2024, 10, 1, tzinfo=KYIV),
            end=datetime(2025, 5, 2, tzinfo=KYIV),
        )

        local = [at.astimezone(KYIV) for at, _ in found]

        summer, winter = timedelta(hours=3), timedelta(hours=2)

        assert [
            (date(2024, 10, 1), summer),
            (date(2024, 11, 1), winter),
            (date(2024, 12, 1), winter),
            (date(2025, 1, 1), winter),
            (date(2025, 2, 1), winter),
            (date(2025, 3, 1), winter),
            (date(2025, 4, 1), summer),
            (date(2025, 5, 1), summer),
        ] == [(at.date(), at.utcoffset()) for at in local]
        assert {(0, 0)} == {(at.hour, at.minute) for at in local}

    @given(
        data=st.data(),
        zone=zones(),
        start=aware_datetimes(),
        seconds=st.integers(min_value=0, max_value=3 * 366 * 24 * 3600),
    )
    def test_property_one_charge_per_local_first_after_creation(
        self, data: st.DataObject, zone: ZoneInfo, start: datetime, seconds: int
    ) -> None:
        """BAL-4, BAL-5, BAL-7: over any window of up to three years, exactly one charge per
        local 1st in the window after the account's creation, at the first instant of that
        1st, of the base tariff, for the month before it; none for a month whose id (or a
        charge at whose instant) the ledger holds, none inside a suspension."""
        facts = data.draw(prepaid_facts(zone=zone))
        end = start + timedelta(seconds=seconds)
        ids = {entry.id for entry in facts.ledger.entries}
        charged_at = {e.at for e in facts.ledger.entries if e.kind is EntryKind.CHARGE}
        expected: list[tuple[datetime, str]] = []
        day = _time.local_date(start, zone).replace(day=1)
        while day <= _time.local_date(end, zone):
            at = _time.start_of_day(day, zone)
            charge_id = f"charge-{_time.add_months(day, -1):%Y-%m}"
            if (
                start <= at < end
                and at > facts.created_at
                and charge_id not in ids
                and at not in charged_at
                and not any(stop.covers(at) for stop in facts.suspensions)
            ):
                expected.append((at, charge_id))
            day = _time.add_months(day, 1)

        found = list(transitions(facts, POLICY, start=start, end=end, zone=zone))

        assert expected == [(t.at, t.effects[0].occasion) for t in found]
        for transition in found:
            local = _time.local_date(transition.at, zone)
            assert 1 == local.day
            assert _time.start_of_day(local, zone) == transition.at
            (effect,) = transition.effects
            assert isinstance(effect, DebitBalance)
            assert (POLICY.base_tariff, "BAL-7") == (effect.amount, effect.rule)
            assert transition.reasons[0].details["charge_id"] == effect.occasion

    @given(
        data=st.data(),
        zone=zones(),
        start=aware_datetimes(),
        seconds=st.integers(min_value=0, max_value=3 * 366 * 24 * 3600),
        tariff=money(min_value=1, max_value=100_000),
    )
    def test_property_apply_draws_each_charge_once(
        self,
        data: st.DataObject,
        zone: ZoneInfo,
        start: datetime,
        seconds: int,
        tariff: Money,
    ) -> None:
        """BAL-4, BAL-7, X-9: applying the charges' effects twice is applying them once; the
        balance drops by exactly N × the tariff for N charges, each recorded as its
        ``charge-YYYY-MM`` entry; the charged facts give no charge again in the window."""
        facts = data.draw(prepaid_facts(zone=zone))
        policy = BalancePolicy(base_tariff=tariff)
        end = start + timedelta(seconds=seconds)
        account = Account(
            id="acme",
            zone=zone,
            currency=USD,
            created_at=facts.created_at,
            users=(User(id="olena", role="owner"),),
            ledger=facts.ledger,
        )
        effects = [
            attrs.evolve(effect, account="acme")
            for transition in transitions(facts, policy, start=start, end=end, zone=zone)
            for effect in transition.effects
        ]

        once = apply(account, effects)
        twice = apply(once, effects)

        assert twice is once
        assert once.ledger is not None
        assert facts.ledger.balance - tariff * len(effects) == once.ledger.balance
        assert {e.occasion for e in effects} <= {entry.id for entry in once.ledger.entries}
        charged = attrs.evolve(facts, ledger=once.ledger)
        assert [] == list(transitions(charged, policy, start=start, end=end, zone=zone))
