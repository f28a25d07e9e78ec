"""Tests for billrules.payment_methods: PM-1 … PM-8."""

from __future__ import annotations

import contextlib
import copy
import pickle
import traceback
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from billrules.contract import Finding
from billrules.decisions import Decision, PolicyViolation
from billrules.errors import BillRulesError, InvalidInput, InvalidType, NaiveDatetimeError
from billrules.invoices import Invoice
from billrules.payment_methods import (
    DEFAULT_CARD_BRANDS,
    CardBrand,
    CardBrandNotAccepted,
    CardBrandRule,
    CardCvvError,
    CardDetails,
    CardExpiredError,
    CardExpiryMonthError,
    CardExpiryYearError,
    CardNumberChecksumError,
    CardNumberFormatError,
    CardNumberLengthError,
    InvalidCardDetails,
    PaymentMethod,
    PaymentMethodCode,
    PaymentMethodKind,
    PaymentMethodPolicy,
    PaymentMethodQuestion,
    UnknownCardBrand,
    Wallet,
    add,
    can_add,
    can_remove,
    can_set_default,
    findings,
    is_expired,
    remove,
    role_findings,
    set_default,
    transitions,
    update_card,
    validate_card,
)
from billrules.policy import (
    DEFAULT_POLICY,
    Policy,
    policy_from_json,
    policy_from_mapping,
    policy_from_toml,
    policy_to_json,
    policy_to_toml,
)
from billrules.testing._core import aware_datetimes, zones
from billrules.testing._payment_methods import (
    TEST_CARD_NUMBERS,
    card_brands,
    card_numbers,
    cvvs,
    luhn_check_digit,
    payment_method_policies,
    payment_methods,
    wallets,
)

AT = datetime(2024, 6, 15, 12, tzinfo=UTC)
ZONE = "Europe/Kyiv"


def card(
    id: str = "pm-visa", brand: str = "visa", last4: str = "4242", month: int = 12, year: int = 2030
) -> PaymentMethod:
    return PaymentMethod(
        id=id, kind="card", brand=brand, last4=last4, exp_month=month, exp_year=year
    )


VISA = card()
MASTERCARD = card(id="pm-mc", brand="mastercard", last4="4444", month=1, year=2027)
EXPIRED = card(id="pm-old", brand="amex", last4="0005", month=5, year=2024)


def one(method: PaymentMethod = VISA) -> Wallet:
    return Wallet(methods=(method,), default_id=method.id)


def details(number: str = "4242424242424242", month: int = 12, year: int = 2030, cvv: str = "123"):
    return CardDetails(number=number, exp_month=month, exp_year=year, cvv=cvv)


def assert_refused(operation: Any, decision: Decision, before: object) -> None:
    """The operation raises PolicyViolation carrying ``decision``; ``before`` is unchanged."""
    snapshot = copy.deepcopy(before)
    assert not decision.allowed
    with pytest.raises(PolicyViolation) as excinfo:
        operation()
    assert decision == excinfo.value.decision
    assert snapshot == before


# --------------------------------------------------------------------------------------------
# PM-1


class TestWallet:
    def test_first_method_becomes_default(self):
        """PM-1: the first method added to an empty wallet becomes the default."""
        wallet = add(Wallet(), SEED, method=VISA, at=AT, zone=ZONE)
        assert "pm-visa" == wallet.default_id
        assert VISA == wallet.default
        decision = can_add(Wallet(), SEED, method=VISA, at=AT, zone=ZONE)
        assert ("first_method_becomes_default", "payment_method_unexpired") == decision.codes

    def test_later_methods_keep_the_default(self):
        """PM-1: adding a second method leaves the default as it was."""
        wallet = add(one(), SEED, method=MASTERCARD, at=AT, zone=ZONE)
        assert ("pm-visa", "pm-mc") == wallet.ids
        assert "pm-visa" == wallet.default_id
        assert (
            "default_unchanged"
            == can_add(one(), SEED, method=MASTERCARD, at=AT, zone=ZONE).codes[0]
        )

    def test_empty_wallet_has_no_default(self):
        """PM-1: an empty wallet has no default."""
        assert Wallet().default is None
        with pytest.raises(InvalidInput) as excinfo:
            Wallet(default_id="pm-visa")
        assert "Wallet.default_id" == excinfo.value.field

    def test_non_empty_wallet_needs_a_default_among_its_methods(self):
        """PM-1: a non-empty wallet's default is one of its methods."""
        with pytest.raises(InvalidInput) as excinfo:
            Wallet(methods=(VISA,))
        assert "Wallet.default_id" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            Wallet(methods=(VISA,), default_id="pm-mc")
        assert "Wallet.default_id" == excinfo.value.field

    def test_ids_are_unique(self):
        """PM-1: two methods cannot share an id (construction, then adding)."""
        with pytest.raises(InvalidInput) as excinfo:
            Wallet(methods=(VISA, VISA), default_id="pm-visa")
        assert "Wallet.methods[1].id" == excinfo.value.field
        decision = can_add(one(), SEED, method=VISA, at=AT, zone=ZONE)
        assert ("payment_method_id_taken",) == decision.codes
        assert ("PM-1",) == decision.rules
        assert_refused(lambda: add(one(), SEED, method=VISA, at=AT, zone=ZONE), decision, one())

    def test_adding_an_expired_card_is_refused(self):
        """PM-5: a card whose expiry month has passed is not added."""
        decision = can_add(one(), SEED, method=EXPIRED, at=AT, zone=ZONE)
        assert ("payment_method_expired",) == decision.codes
        assert_refused(lambda: add(one(), SEED, method=EXPIRED, at=AT, zone=ZONE), decision, one())

    def test_bad_input(self):
        """PM-1: wallets are built from PaymentMethod values only."""
        with pytest.raises(InvalidType) as excinfo:
            Wallet(methods=(VISA, "pm-2"), default_id="pm-visa")
        assert "Wallet.methods[1]" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            Wallet(methods="pm-1")
        assert "Wallet.methods" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            can_add("wallet", SEED, method=VISA, at=AT, zone=ZONE)
        assert "wallet" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            can_add(Wallet(), SEED, method="pm", at=AT, zone=ZONE)
        assert "method" == excinfo.value.field
        with pytest.raises(NaiveDatetimeError) as excinfo:
            can_add(Wallet(), SEED, method=VISA, at=datetime(2024, 6, 1), zone=ZONE)  # noqa: DTZ001
        assert "at" == excinfo.value.field

    @given(wallets(), payment_methods())
    def test_add_keeps_exactly_one_default(self, wallet, method):
        """PM-1: after an add (allowed or refused) the wallet has exactly one default."""
        decision = can_add(wallet, SEED, method=method, at=AT, zone=ZONE)
        if decision.allowed:
            after = add(wallet, SEED, method=method, at=AT, zone=ZONE)
            assert (wallet.default_id or method.id) == after.default_id
            assert method == after.get(method.id)
        else:
            assert_refused(
                lambda: add(wallet, SEED, method=method, at=AT, zone=ZONE), decision, wallet
            )


# --------------------------------------------------------------------------------------------
# PM-2, PM-3


class TestRemove:
    def test_replace_the_default_card(self):
        """PM-2, PM-3, PM-4: the seed's way to replace the default: add, make default, remove;
        the wallet records when the new default became the default (OVD-2)."""
        wallet = one(VISA)
        refused = can_remove(wallet, method_id="pm-visa")
        assert_refused(lambda: remove(wallet, method_id="pm-visa"), refused, wallet)

        wallet = add(wallet, SEED, method=MASTERCARD, at=AT, zone=ZONE)
        wallet = set_default(wallet, method_id="pm-mc", at=AT, zone=ZONE)
        assert ("not_default",) == can_remove(wallet, method_id="pm-visa").codes
        wallet = remove(wallet, method_id="pm-visa")
        assert Wallet(methods=(MASTERCARD,), default_id="pm-mc", default_since=AT) == wallet

    def test_default_refusal_says_what_to_do(self):
        """PM-2: removing the default is refused with a reason telling how to replace it."""
        decision = can_remove(one(), method_id="pm-visa")
        assert ("default_payment_method",) == decision.codes
        assert ("PM-2",) == decision.rules
        assert "Add another payment method and make it the default first" in decision.message
        assert "pm-visa" == decision.reasons[0].details["method_id"]

    def test_non_default_removable_any_time(self):
        """PM-3: a method that is not the default is removed, expired or not."""
        wallet = Wallet(methods=(VISA, EXPIRED), default_id="pm-visa")
        decision = can_remove(wallet, method_id="pm-old")
        assert decision.allowed
        assert ("PM-3",) == decision.rules
        assert one(VISA) == remove(wallet, method_id="pm-old")

    def test_unknown_method_id(self):
        """PM-3: removing an id that is not in the wallet is refused."""
        decision = can_remove(one(), method_id="pm-nope")
        assert ("payment_method_unknown",) == decision.codes
        assert_refused(lambda: remove(one(), method_id="pm-nope"), decision, one())
        assert_refused(
            lambda: remove(Wallet(), method_id="pm-nope"),
            can_remove(Wallet(), method_id="pm-nope"),
            Wallet(),
        )

    def test_bad_method_id_type(self):
        """PM-3: the method id is a str."""
        with pytest.raises(InvalidType) as excinfo:
            can_remove(one(), method_id=7)
        assert "method_id" == excinfo.value.field

    @given(wallets(), st.data())
    def test_remove_never_takes_the_default(self, wallet, data):
        """PM-2, PM-3: only non-defaults are removed; the default survives every removal."""
        method_id = data.draw(st.sampled_from((*wallet.ids, "unknown-id")))
        decision = can_remove(wallet, method_id=method_id)
        if decision.allowed:
            after = remove(wallet, method_id=method_id)
            assert wallet.default_id == after.default_id
            assert method_id not in after.ids
            assert len(wallet.methods) - 1 == len(after.methods)
        else:
            assert method_id == wallet.default_id or method_id not in wallet.ids
            assert_refused(lambda: remove(wallet, method_id=method_id), decision, wallet)


# --------------------------------------------------------------------------------------------
# PM-4


class TestSetDefault:
    def test_unexpired_method_becomes_default(self):
        """PM-4: a stored unexpired method can be made the default."""
        wallet = Wallet(methods=(VISA, MASTERCARD), default_id="pm-visa")
        decision = can_set_default(wallet, method_id="pm-mc", at=AT, zone=ZONE)
        assert ("stored_and_unexpired",) == decision.codes
        assert "pm-mc" == set_default(wallet, method_id="pm-mc", at=AT, zone=ZONE).default_id

    def test_expired_card_cannot_become_default(self):
        """PM-4: an expired card cannot become the default."""
        wallet = Wallet(methods=(VISA, EXPIRED), default_id="pm-visa")
        decision = can_set_default(wallet, method_id="pm-old", at=AT, zone=ZONE)
        assert ("expired_cannot_become_default",) == decision.codes
        assert ("PM-4",) == decision.rules
        assert (2024, 5) == decision.reasons[0].details["expiry"]
        assert_refused(
            lambda: set_default(wallet, method_id="pm-old", at=AT, zone=ZONE), decision, wallet
        )

    def test_unknown_method_cannot_become_default(self):
        """PM-4: only a stored method can become the default."""
        decision = can_set_default(one(), method_id="pm-nope", at=AT, zone=ZONE)
        assert ("default_method_unknown",) == decision.codes
        assert ("PM-4",) == decision.rules
        assert_refused(
            lambda: set_default(one(), method_id="pm-nope", at=AT, zone=ZONE), decision, one()
        )

    def test_expiry_is_the_end_of_the_month_in_the_zone(self):
        """PM-4: a card expires after the last day of its expiry month, local time."""
        march = card(month=3, year=2024)
        utc_evening = datetime(2024, 3, 31, 22, 30, tzinfo=UTC)  # 1 April 01:30 in Kyiv
        assert not is_expired(march, at=utc_evening, zone="UTC")
        assert is_expired(march, at=utc_evening, zone="Europe/Kyiv")
        assert not is_expired(march, at=utc_evening, zone="America/New_York")
        assert is_expired(march, at=datetime(2024, 4, 1, tzinfo=UTC), zone="UTC")

    def test_wallet_without_expiry_never_expires(self):
        """PM-4, PM-7: Apple Pay without an expiry never expires."""
        apple = PaymentMethod(id="pm-apple", kind="apple_pay")
        assert not is_expired(apple, at=datetime(2999, 1, 1, tzinfo=UTC), zone="UTC")

    def test_bad_input(self):
        """PM-4: the instant is aware, the zone known, the method a PaymentMethod."""
        with pytest.raises(NaiveDatetimeError) as excinfo:
            is_expired(VISA, at=datetime(2024, 1, 1), zone="UTC")  # noqa: DTZ001
        assert "at" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            can_set_default(one(), method_id="pm-visa", at=AT, zone="Mars/Olympus")
        assert "zone" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            is_expired("card", at=AT, zone="UTC")
        assert "method" == excinfo.value.field

    @given(wallets(), aware_datetimes(), zones(), st.data())
    def test_default_is_never_switched_to_an_expired_card(self, wallet, at, zone, data):
        """PM-1, PM-4: set_default succeeds exactly for stored unexpired methods."""
        method_id = data.draw(st.sampled_from((*wallet.ids, "unknown-id")))
        decision = can_set_default(wallet, method_id=method_id, at=at, zone=zone)
        method = wallet.get(method_id)
        expected = method is not None and not is_expired(method, at=at, zone=zone)
        assert expected == decision.allowed
        if decision.allowed:
            assert (
                method_id == set_default(wallet, method_id=method_id, at=at, zone=zone).default_id
            )
        else:
            assert_refused(
                lambda: set_default(wallet, method_id=method_id, at=at, zone=zone), decision, wallet
            )


# --------------------------------------------------------------------------------------------
# PM-5


class TestCardDetails:
    @pytest.mark.parametrize(("number", "brand"), sorted(TEST_CARD_NUMBERS.items()))
    def test_documented_test_cards(self, number, brand):
        """PM-5: each publicly documented test card number is valid and has its brand."""
        cvv = "1234" if brand is CardBrand.AMEX else "123"
        card_details_ = details(number, cvv=cvv)
        assert brand == card_details_.brand
        assert number[-4:] == card_details_.last4

    def test_number_normalised_from_spaces_and_dashes(self):
        """PM-5: spaces and dashes in the number are dropped."""
        assert "4242" == details("4242-4242 4242-4242").last4
        assert "0005" == details(" 3782 822463 10005 ", cvv="1234").last4

    def test_mastercard_two_series(self):
        """PM-5: the 2221–2720 range is Mastercard; 2220 and 2721 are not."""
        assert CardBrand.MASTERCARD == details("2223003122003222").brand
        for prefix in ("2221", "2720"):
            body = prefix + "00000000000"
            assert CardBrand.MASTERCARD == details(body + luhn_check_digit(body)).brand
        for prefix in ("2220", "2721"):
            body = prefix + "00000000000"
            with pytest.raises(UnknownCardBrand):
                details(body + luhn_check_digit(body))

    @given(card_brands(), st.data())
    def test_generated_numbers_get_their_brand(self, brand, data):
        """PM-5: a valid number of each brand is recognised as that brand."""
        number = data.draw(card_numbers(brand))
        cvv = data.draw(cvvs(brand))
        assert brand == details(number, cvv=cvv).brand

    @pytest.mark.parametrize(
        ("number", "error"),
        [
            ("4242 4242 4242 424x", CardNumberFormatError),
            ("4242.4242.4242.4242", CardNumberFormatError),
            ("", CardNumberFormatError),
            ("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", CardNumberFormatError),  # Arabic-Indic digits are not digits
            ("42424242424", CardNumberLengthError),  # 11 digits
            ("42424242424242424242", CardNumberLengthError),  # 20 digits
            ("4242424242424241", CardNumberChecksumError),
            ("1234567812345670", UnknownCardBrand),  # Luhn-valid, prefix 1
        ],
    )
    def test_bad_numbers(self, number, error):
        """PM-5: wrong lengths, non-digits, failed Luhn and unknown brands are each refused."""
        with pytest.raises(error) as excinfo:
            details(number)
        assert "CardDetails.number" == excinfo.value.field
        assert isinstance(excinfo.value, InvalidCardDetails)

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"month": 13}, CardExpiryMonthError, "CardDetails.exp_month"),
            ({"month": 0}, CardExpiryMonthError, "CardDetails.exp_month"),
            ({"year": 30}, CardExpiryYearError, "CardDetails.exp_year"),
            ({"cvv": "12"}, CardCvvError, "CardDetails.cvv"),
            ({"cvv": "1234"}, CardCvvError, "CardDetails.cvv"),
            ({"cvv": "12a"}, CardCvvError, "CardDetails.cvv"),
            ({"number": "378282246310005", "cvv": "123"}, CardCvvError, "CardDetails.cvv"),
            ({"number": 4242424242424242}, InvalidType, "CardDetails.number"),
            ({"cvv": 123}, InvalidType, "CardDetails.cvv"),
            ({"month": "12"}, InvalidType, "CardDetails.exp_month"),
            ({"year": True}, InvalidType, "CardDetails.exp_year"),
        ],
    )
    def test_bad_fields(self, kwargs, error, field):
        """PM-5: month 13, a CVV of the wrong length and wrong types name their field."""
        with pytest.raises(error) as excinfo:
            details(**kwargs)
        assert field == excinfo.value.field

    def test_amex_has_a_four_digit_cvv(self):
        """PM-5: American Express takes 4 CVV digits, the others 3."""
        assert CardBrand.AMEX == details("378282246310005", cvv="1234").brand

    def test_is_immutable(self):
        """PM-6: card details cannot be changed once built."""
        card_details_ = details()
        with pytest.raises(AttributeError):
            card_details_.exp_month = 1
        with pytest.raises(AttributeError):
            del card_details_.brand


class TestValidateCard:
    def test_stores_only_brand_last4_and_expiry(self):
        """PM-5, PM-6: the stored method keeps brand, last four digits and expiry."""
        method = validate_card(
            details("5555 5555 5555 4444", month=6, year=2024, cvv="999"),
            method_id="pm-new",
            at=AT,
            zone=ZONE,
        )
        expected = card(id="pm-new", brand="mastercard", last4="4444", month=6, year=2024)
        assert expected == method
        assert "Mastercard •••• 4444" == method.label

    def test_past_expiry_is_refused(self):
        """PM-5: an expiry before the current month is refused, naming the field at fault."""
        with pytest.raises(CardExpiredError) as excinfo:
            validate_card(details(month=5, year=2024), method_id="pm", at=AT, zone=ZONE)
        assert "CardDetails.exp_month" == excinfo.value.field
        with pytest.raises(CardExpiredError) as excinfo:
            validate_card(details(month=12, year=2023), method_id="pm", at=AT, zone=ZONE)
        assert "CardDetails.exp_year" == excinfo.value.field

    def test_current_month_is_judged_in_the_zone(self):
        """PM-5: the current month is the account's local month."""
        may_card = details(month=5, year=2024)
        evening = datetime(2024, 5, 31, 22, tzinfo=UTC)  # 1 June in Kyiv
        assert "4242" == validate_card(may_card, method_id="p", at=evening, zone="UTC").last4
        with pytest.raises(CardExpiredError):
            validate_card(may_card, method_id="p", at=evening, zone="Europe/Kyiv")

    def test_bad_input(self):
        """PM-5: validate_card needs CardDetails and a str id."""
        with pytest.raises(InvalidType) as excinfo:
            validate_card("4242424242424242", method_id="p", at=AT, zone=ZONE)
        assert "details" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            validate_card(details(), method_id=None, at=AT, zone=ZONE)
        assert "method_id" == excinfo.value.field


class TestUpdateCard:
    def test_new_card_becomes_default_for_future_charges(self):
        """PM-5: after an update the new card is the default; the old one stays, not default."""
        wallet = one(VISA)
        new = details("2223 0031 2200 3222", month=8, year=2029, cvv="555")
        after = update_card(wallet, details=new, at=AT, zone=ZONE, method_id="pm-new")
        assert "pm-new" == after.default_id
        assert ("pm-visa", "pm-new") == after.ids
        assert "Mastercard •••• 3222" == after.default.label
        assert one(VISA) == wallet

    def test_past_invoices_keep_their_method(self):
        """PM-5: an invoice charged to the old card keeps its masked label after the update."""
        paid_at = datetime(2024, 5, 1, tzinfo=UTC)
        invoice = Invoice(
            id="inv-1",
            status="paid",
            amount=Money("49", "USD"),
            issued_at=paid_at,
            due_at=paid_at,
            paid_at=paid_at,
            method=one(VISA).default.label,
        )
        snapshot = copy.deepcopy(invoice)
        after = update_card(
            one(VISA), details=details("5555555555554444"), at=AT, zone=ZONE, method_id="n"
        )
        assert snapshot == invoice
        assert "Visa •••• 4242" == invoice.method
        assert "Mastercard •••• 4444" == after.default.label

    def test_remove_previous(self):
        """PM-3, PM-5: with remove_previous the old default goes once it is no longer default."""
        after = update_card(
            one(VISA),
            details=details("5555555555554444"),
            at=AT,
            zone=ZONE,
            method_id="pm-mc",
            remove_previous=True,
        )
        assert ("pm-mc",) == after.ids
        first = update_card(
            Wallet(), details=details(), at=AT, zone=ZONE, method_id="pm-1", remove_previous=True
        )
        assert ("pm-1",) == first.ids

    def test_refused_for_a_taken_id_and_invalid_details(self):
        """PM-1, PM-5: a taken id is a refusal; bad details are an error; the wallet unchanged."""
        new = details("5555555555554444")
        decision = can_add(
            one(),
            SEED,
            method=validate_card(new, method_id="pm-visa", at=AT, zone=ZONE),
            at=AT,
            zone=ZONE,
        )
        assert_refused(
            lambda: update_card(one(), details=new, at=AT, zone=ZONE, method_id="pm-visa"),
            decision,
            one(),
        )
        with pytest.raises(CardExpiredError):
            update_card(one(), details=details(year=2020), at=AT, zone=ZONE, method_id="pm-2")
        with pytest.raises(InvalidType) as excinfo:
            update_card(
                one(), details=new, at=AT, zone=ZONE, method_id="pm-2", remove_previous="yes"
            )
        assert "remove_previous" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            update_card([], details=new, at=AT, zone=ZONE, method_id="pm-2")
        assert "wallet" == excinfo.value.field


# --------------------------------------------------------------------------------------------
# PM-6


def _texts(value: object) -> list[str]:
    """Every way a value can be shown or serialised."""
    out = [repr(value), str(value), f"{value}"]
    try:
        out.append(pickle.dumps(value).decode("latin-1"))
    except BillRulesError as err:
        out.extend([str(err), repr(err)])
    if attrs.has(type(value)):
        out.append(repr(attrs.asdict(value)))
    else:
        with pytest.raises(attrs.exceptions.NotAnAttrsClassError) as excinfo:
            attrs.asdict(value)
        out.append(str(excinfo.value))
    if isinstance(value, Decision):
        out.extend(repr(dict(reason.details)) for reason in value.reasons)
        out.append(value.message)
    return out


def _error_texts(err: BaseException) -> list[str]:
    assert isinstance(err, BillRulesError)
    assert err.__cause__ is None
    assert err.__context__ is None
    return [
        *_texts(err),
        repr(err.args),
        "".join(traceback.format_exception(err)),
    ]


def _raised(call: Any) -> list[str]:
    with pytest.raises(BillRulesError) as excinfo:
        call()
    return _error_texts(excinfo.value)


def _runs(number: str) -> list[str]:
    """Every run of five digits of ``number``: longer than the last four."""
    return [number[i : i + 5] for i in range(len(number) - 4)]


def _exposed(number: str, cvv: str, month: int, year: int) -> list[str]:
    """Everything the library returns or raises for these details, valid or not (PM-6)."""
    at = datetime(2024, 6, 15, tzinfo=UTC)
    texts: list[str] = []
    good = CardDetails(number=number, exp_month=month, exp_year=year, cvv=cvv)
    texts += _texts(good)
    assert good is copy.copy(good)
    assert good is copy.deepcopy(good)
    method = validate_card(good, method_id="pm-new", at=at, zone="UTC")
    wallet = Wallet(methods=(VISA,), default_id="pm-visa")
    texts += _texts(can_add(wallet, SEED, method=method, at=at, zone="UTC"))
    after = update_card(wallet, details=good, at=at, zone="UTC", method_id="pm-new")
    texts += _texts(method) + _texts(after)
    texts += _texts(can_set_default(after, method_id="pm-new", at=at, zone="UTC"))
    texts += _texts(can_remove(after, method_id="pm-new"))
    texts += _raised(lambda: remove(after, method_id="pm-new"))
    texts += _raised(
        lambda: update_card(after, details=good, at=at, zone="UTC", method_id="pm-new")
    )
    texts += _raised(
        lambda: validate_card(good, method_id="x", at=datetime(2999, 1, 1, tzinfo=UTC), zone="UTC")
    )

    def bad(**changes: Any) -> list[str]:
        fields = {"number": number, "exp_month": month, "exp_year": year, "cvv": cvv, **changes}
        return _raised(lambda: CardDetails(**fields))

    flipped = number[:-1] + str((int(number[-1]) + 1) % 10)
    other_brand = "1" + number[1:-1]
    texts += bad(number=flipped)
    texts += bad(number=number[:6] + "x" + number[6:])
    texts += bad(number=number + "0123456789")
    texts += bad(number=number[:11])
    texts += bad(number=other_brand + luhn_check_digit(other_brand))
    texts += bad(number=int(number))
    texts += bad(cvv=cvv + "7")
    texts += bad(cvv=cvv[:-1] + "x")
    texts += bad(cvv=int(cvv))
    texts += bad(exp_month=13)
    texts += bad(exp_year=99)
    return texts


class TestNoCardSecrets:
    @given(card_brands(), st.data())
    def test_no_number_run_or_cvv_in_any_output(self, brand, data):
        """PM-6: no output shows more of the number than its last four digits, or the CVV.

        Checked over valid numbers of every brand, and over the errors raised for invalid
        variants of them: repr, str, attrs.asdict, pickle, error messages and tracebacks,
        decision reasons. The outputs do not depend on the CVV at all: they are the same for
        another CVV differing in every digit.
        """
        number = data.draw(card_numbers(brand), label="number")
        cvv = data.draw(cvvs(brand), label="cvv")
        month = data.draw(st.integers(min_value=6, max_value=12), label="month")
        year = data.draw(st.integers(min_value=2024, max_value=2040), label="year")
        texts = _exposed(number, cvv, month, year)
        for text in texts:
            for run in _runs(number):
                assert run not in text
        other_cvv = "".join(str((int(d) + 5) % 10) for d in cvv)
        other = _exposed(number, other_cvv, month, year)
        assert texts == other
        if cvv not in " ".join(other):  # e.g. a CVV of 424 is not searched for in "•••• 4242"
            assert cvv not in " ".join(texts)

    @pytest.mark.parametrize("number", sorted(TEST_CARD_NUMBERS))
    def test_documented_test_cards_leave_no_secret(self, number):
        """PM-6: the documented test cards' numbers never show beyond their last four digits."""
        cvv = "7391" if TEST_CARD_NUMBERS[number] is CardBrand.AMEX else "739"
        texts = _exposed(number, cvv, 12, 2030)
        for text in texts:
            for run in _runs(number):
                assert run not in text
            assert cvv not in text

    def test_card_details_cannot_be_pickled(self):
        """PM-6: pickling card details is refused with a billrules error."""
        with pytest.raises(InvalidType) as excinfo:
            pickle.dumps(details())
        assert "CardDetails" == excinfo.value.field
        with pytest.raises(InvalidType):
            details().__reduce__()
        with pytest.raises(InvalidType):
            details().__getstate__()

    def test_masked_repr(self):
        """PM-6: the input object's repr and str show the brand and last four digits only."""
        expected = (
            "CardDetails(brand='amex', number='•••• 0005', exp_month=12, exp_year=2030, cvv='•••')"
        )
        amex = details("378282246310005", cvv="1234")
        assert expected == repr(amex)
        assert expected == str(amex)
        assert "•••• 0005" == amex.masked_number


# --------------------------------------------------------------------------------------------
# PM-7


class TestPaymentMethod:
    @pytest.mark.parametrize(
        ("method", "label"),
        [
            (VISA, "Visa •••• 4242"),
            (PaymentMethod(id="g", kind="google_pay"), "Google Pay"),
            (
                PaymentMethod(
                    id="a",
                    kind=PaymentMethodKind.APPLE_PAY,
                    brand="visa",
                    last4="1111",
                    exp_month=1,
                    exp_year=2030,
                ),
                "Apple Pay (Visa •••• 1111)",
            ),
            (PaymentMethod(id="a", kind="apple_pay", last4="1111"), "Apple Pay (•••• 1111)"),
            (PaymentMethod(id="a", kind="google_pay", brand="jcb"), "Google Pay (JCB)"),
        ],
    )
    def test_kinds_and_labels(self, method, label):
        """PM-7: a method is a card, Google Pay or Apple Pay, shown by a masked label."""
        assert label == method.label

    def test_only_three_kinds(self):
        """PM-7: card, Google Pay and Apple Pay, nothing else."""
        assert ["card", "google_pay", "apple_pay"] == [kind.value for kind in PaymentMethodKind]
        with pytest.raises(InvalidInput) as excinfo:
            PaymentMethod(id="p", kind="paypal")
        assert "PaymentMethod.kind" == excinfo.value.field

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"brand": "visa ", "last4": "4242"}, InvalidInput, "PaymentMethod.brand"),
            ({"brand": "visa", "last4": "42424"}, InvalidInput, "PaymentMethod.last4"),
            ({"brand": "visa", "last4": 4242}, InvalidType, "PaymentMethod.last4"),
            ({"brand": "visa", "last4": "4242"}, InvalidInput, "PaymentMethod.exp_month"),
            (
                {"brand": "visa", "last4": "4242", "exp_month": 1},
                InvalidInput,
                "PaymentMethod.exp_year",
            ),
            (
                {"last4": "4242", "exp_month": 1, "exp_year": 2030},
                InvalidInput,
                "PaymentMethod.brand",
            ),
            (
                {"brand": "visa", "exp_month": 1, "exp_year": 2030},
                InvalidInput,
                "PaymentMethod.last4",
            ),
            (
                {"brand": "visa", "last4": "4242", "exp_month": 13, "exp_year": 2030},
                InvalidInput,
                "PaymentMethod.exp_month",
            ),
            (
                {"brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 30},
                InvalidInput,
                "PaymentMethod.exp_year",
            ),
            (
                {"brand": "visa", "last4": "4242", "exp_year": 2030},
                InvalidInput,
                "PaymentMethod.exp_month",
            ),
        ],
    )
    def test_bad_input(self, kwargs, error, field):
        """PM-6, PM-7: a card needs brand, last four digits and expiry, each well formed."""
        with pytest.raises(error) as excinfo:
            PaymentMethod(id="p", kind="card", **kwargs)
        assert field == excinfo.value.field

    @given(payment_methods())
    def test_labels_fit_on_invoices(self, method):
        """PM-6, PM-7: every label is masked enough to be stored on an invoice."""
        at = datetime(2024, 1, 1, tzinfo=UTC)
        invoice = Invoice(
            id="i",
            status="submitted",
            amount=Money("1", "USD"),
            issued_at=at,
            due_at=at,
            method=method.label,
        )
        assert method.label == invoice.method


class TestFuzzConstructors:
    @given(
        st.fixed_dictionaries(
            {
                name: st.none() | st.integers() | st.text(max_size=22) | st.floats() | st.booleans()
                for name in ("number", "exp_month", "exp_year", "cvv")
            }
        )
    )
    def test_card_details_raise_only_billrules_errors(self, kwargs):
        """PM-5: arbitrary card details either build or raise a billrules error."""
        with contextlib.suppress(BillRulesError):
            CardDetails(**kwargs)

    @given(
        st.fixed_dictionaries(
            {"id": st.text(max_size=3) | st.integers()},
            optional={
                name: st.none() | st.integers(-1, 10000) | st.text(max_size=5) | st.floats()
                for name in ("kind", "brand", "last4", "exp_month", "exp_year")
            },
        )
    )
    def test_payment_method_raises_only_billrules_errors(self, kwargs):
        """PM-7: arbitrary payment-method fields either build or raise a billrules error."""
        kwargs.setdefault("kind", "card")
        with contextlib.suppress(BillRulesError):
            PaymentMethod(**kwargs)

    @given(st.none() | st.integers() | st.text(max_size=3) | st.tuples(st.integers()), st.data())
    def test_wallet_raises_only_billrules_errors(self, methods, data):
        """PM-1: arbitrary wallet fields either build or raise a billrules error."""
        default_id = data.draw(st.none() | st.text(max_size=3) | st.integers())
        with contextlib.suppress(BillRulesError):
            Wallet(methods=methods, default_id=default_id)


# --------------------------------------------------------------------------------------------
# PM-8


def _number(prefix: str, length: int = 16) -> str:
    """A Luhn-valid number of ``length`` digits starting with ``prefix``."""
    body = prefix + "0" * (length - len(prefix) - 1)
    return body + luhn_check_digit(body)


NO_MAESTRO = PaymentMethodPolicy(
    brands=[rule for rule in DEFAULT_CARD_BRANDS if rule.brand is not CardBrand.MAESTRO]
)


class TestMaestro:
    @pytest.mark.parametrize("number", ["6759649826438453", "6304000000000000"])
    def test_accepted_by_default(self, number):
        """PM-8: Maestro is among the seed's brands, with a 3-digit CVV."""
        card_details_ = details(number, cvv="123")
        assert CardBrand.MAESTRO == card_details_.brand
        method = validate_card(card_details_, method_id="pm-m", at=AT, zone=ZONE)
        assert (CardBrand.MAESTRO, "Maestro •••• " + number[-4:]) == (method.brand, method.label)
        with pytest.raises(CardCvvError) as excinfo:
            details(number, cvv="1234")
        assert "must be 3 digits for Maestro" == excinfo.value.problem

    @pytest.mark.parametrize(
        "prefix", ["50", "56", "57", "58", "6304", "6759", "6761", "6762", "6763"]
    )
    def test_prefixes_detected(self, prefix):
        """PM-8: each Maestro prefix gives a Maestro card."""
        assert CardBrand.MAESTRO == details(_number(prefix)).brand

    @pytest.mark.parametrize(
        ("prefix", "brand"),
        [
            ("51", CardBrand.MASTERCARD),
            ("55", CardBrand.MASTERCARD),
            ("6011", CardBrand.DISCOVER),
            ("65", CardBrand.DISCOVER),
            ("62", CardBrand.UNIONPAY),
        ],
    )
    def test_neighbours_keep_their_brand(self, prefix, brand):
        """PM-8: Mastercard 51–55, Discover 6011 and 65, UnionPay 62 are not Maestro."""
        assert brand == details(_number(prefix)).brand

    @pytest.mark.parametrize("prefix", ["59", "6303", "6305", "6758", "6760", "6764"])
    def test_next_to_a_prefix_is_no_brand(self, prefix):
        """PM-8: the numbers just outside Maestro's prefixes belong to no brand."""
        with pytest.raises(UnknownCardBrand) as excinfo:
            details(_number(prefix))
        assert "CardDetails.number" == excinfo.value.field
        assert not isinstance(excinfo.value, CardBrandNotAccepted)

    @pytest.mark.parametrize("length", [12, 13, 18, 19])
    def test_twelve_to_nineteen_digits(self, length):
        """PM-8: a Maestro number has 12 to 19 digits; 12 is the shortest any card has."""
        number = _number("6759", length)
        assert (CardBrand.MAESTRO, number[-4:]) == (details(number).brand, details(number).last4)


class TestPaymentMethodPolicy:
    def test_default_is_the_seed(self):
        """PM-8: the default policy accepts the eight seed brands, Maestro included."""
        policy = PaymentMethodPolicy()
        assert DEFAULT_CARD_BRANDS == policy.brands
        assert tuple(CardBrand) == policy.accepted
        amex = policy.rule(CardBrand.AMEX)
        assert amex is not None
        assert (("34", "37"), (15,), 4) == (amex.prefixes, amex.lengths, amex.cvv_length)
        mastercard = policy.rule(CardBrand.MASTERCARD)
        assert mastercard is not None
        assert (("51", "55"), ("2221", "2720")) == mastercard.ranges
        assert DEFAULT_POLICY.payment_methods == policy

    def test_a_dropped_brand_is_refused(self):
        """PM-8: a card of a brand the host's policy leaves out is refused, naming the field.

        The error says which brand is not accepted and lists those that are; it never repeats
        the number. validate_card and update_card refuse it too, and the wallet is unchanged.
        """
        number = "6759649826438453"
        with pytest.raises(CardBrandNotAccepted) as excinfo:
            CardDetails(number=number, exp_month=12, exp_year=2030, cvv="123", policy=NO_MAESTRO)
        error = excinfo.value
        assert isinstance(error, UnknownCardBrand)
        assert "CardDetails.number" == error.field
        assert error.problem.startswith("Maestro cards are not accepted; accepted brands: Visa")
        assert "Maestro" not in error.problem.split(";")[1]
        assert "67596" not in str(error)
        maestro = details(number)  # built under the seed's policy
        with pytest.raises(CardBrandNotAccepted):
            validate_card(maestro, NO_MAESTRO, method_id="pm-m", at=AT, zone=ZONE)
        wallet = one()
        with pytest.raises(CardBrandNotAccepted):
            update_card(wallet, NO_MAESTRO, details=maestro, at=AT, zone=ZONE, method_id="pm-m")
        assert one() == wallet
        visa = CardDetails(
            number="4242424242424242", exp_month=12, exp_year=2030, cvv="123", policy=NO_MAESTRO
        )
        assert CardBrand.VISA == visa.brand

    def test_can_add_refuses_a_stored_method_of_a_dropped_brand(self):
        """PM-8: adding a stored method of a brand the policy leaves out is refused."""
        maestro = card(id="pm-m", brand="maestro", last4="8453")
        decision = can_add(one(), NO_MAESTRO, method=maestro, at=AT, zone=ZONE)
        assert ("card_brand_not_accepted",) == decision.codes
        assert ("PM-8",) == decision.rules
        reason = decision.reasons[0]
        assert "pm-m" == reason.details["method_id"]
        assert CardBrand.MAESTRO == reason.details["brand"]
        assert NO_MAESTRO.accepted == reason.details["accepted"]
        assert "Maestro •••• 8453 cannot be added: Maestro cards are not accepted." == (
            reason.message
        )
        assert_refused(
            lambda: add(one(), NO_MAESTRO, method=maestro, at=AT, zone=ZONE), decision, one()
        )
        apple = PaymentMethod(id="pm-a", kind="apple_pay", brand="maestro", last4="8453")
        assert ("card_brand_not_accepted",) == can_add(
            one(), NO_MAESTRO, method=apple, at=AT, zone=ZONE
        ).codes
        no_brand = PaymentMethod(id="pm-g", kind="google_pay")
        assert can_add(one(), NO_MAESTRO, method=no_brand, at=AT, zone=ZONE).allowed
        assert can_add(one(), SEED, method=maestro, at=AT, zone=ZONE).allowed

    def test_longest_prefix_wins(self):
        """PM-8: where prefixes overlap, the one matching more leading digits gives the brand."""
        policy = PaymentMethodPolicy(
            brands=(
                CardBrandRule(brand="visa", prefixes=("4",), lengths=(16,)),
                CardBrandRule(brand="maestro", prefixes=("4571", "60", "66-69"), lengths=(16,)),
                CardBrandRule(brand="discover", prefixes=("6011", "65"), lengths=(16,)),
            )
        )
        for prefix, brand in [
            ("4571", CardBrand.MAESTRO),
            ("4570", CardBrand.VISA),
            ("6011", CardBrand.DISCOVER),
            ("65", CardBrand.DISCOVER),
            ("6012", CardBrand.MAESTRO),
            ("66", CardBrand.MAESTRO),
        ]:
            found = CardDetails(
                number=_number(prefix), exp_month=1, exp_year=2030, cvv="123", policy=policy
            )
            assert brand == found.brand, prefix

    def test_lengths_and_cvv_come_from_the_policy(self):
        """PM-8: a brand's lengths and CVV length are the policy's."""
        with pytest.raises(CardNumberLengthError) as excinfo:
            details(_number("51", 15))
        assert "must have 16 digits for Mastercard" == excinfo.value.problem
        with pytest.raises(CardNumberLengthError) as excinfo:
            details(_number("4", 14))
        assert "must have 13, 16 or 19 digits for Visa" == excinfo.value.problem
        with pytest.raises(CardNumberLengthError) as excinfo:
            details(_number("36", 13))
        assert "must have 14 to 19 digits for Diners Club" == excinfo.value.problem
        visa4 = PaymentMethodPolicy(
            brands=(CardBrandRule(brand="visa", prefixes=("4",), lengths=(16,), cvv_length=4),)
        )
        strict = CardDetails(
            number="4242424242424242", exp_month=1, exp_year=2030, cvv="1234", policy=visa4
        )
        assert CardBrand.VISA == strict.brand
        with pytest.raises(CardCvvError) as excinfo:
            validate_card(details(), visa4, method_id="pm", at=AT, zone=ZONE)
        assert ("CardDetails.cvv", "must be 4 digits for Visa") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    @pytest.mark.parametrize(
        ("kwargs", "error", "field"),
        [
            ({"brand": "visa", "prefixes": (), "lengths": (16,)}, InvalidInput, "prefixes"),
            ({"brand": "visa", "prefixes": ("4a",), "lengths": (16,)}, InvalidInput, "prefixes[0]"),
            (
                {"brand": "visa", "prefixes": ("4", "22-2720"), "lengths": (16,)},
                InvalidInput,
                "prefixes[1]",
            ),
            (
                {"brand": "visa", "prefixes": ("55-51",), "lengths": (16,)},
                InvalidInput,
                "prefixes[0]",
            ),
            (
                {"brand": "visa", "prefixes": ("123456789",), "lengths": (16,)},
                InvalidInput,
                "prefixes[0]",
            ),
            ({"brand": "visa", "prefixes": "4", "lengths": (16,)}, InvalidType, "prefixes"),
            ({"brand": "visa", "prefixes": (4,), "lengths": (16,)}, InvalidType, "prefixes[0]"),
            ({"brand": "visa", "prefixes": ("4",), "lengths": ()}, InvalidInput, "lengths"),
            ({"brand": "visa", "prefixes": ("4",), "lengths": (11,)}, InvalidInput, "lengths[0]"),
            (
                {"brand": "visa", "prefixes": ("4",), "lengths": (16, 20)},
                InvalidInput,
                "lengths[1]",
            ),
            (
                {"brand": "visa", "prefixes": ("4",), "lengths": (16, 16)},
                InvalidInput,
                "lengths[1]",
            ),
            ({"brand": "visa", "prefixes": ("4",), "lengths": (True,)}, InvalidType, "lengths[0]"),
            (
                {"brand": "visa", "prefixes": ("4",), "lengths": (16,), "cvv_length": 5},
                InvalidInput,
                "cvv_length",
            ),
            (
                {"brand": "visa", "prefixes": ("4",), "lengths": (16,), "cvv_length": 2},
                InvalidInput,
                "cvv_length",
            ),
            ({"brand": "solo", "prefixes": ("4",), "lengths": (16,)}, InvalidInput, "brand"),
        ],
    )
    def test_bad_rules(self, kwargs, error, field):
        """PM-8: a brand rule with a bad prefix, length, CVV length or brand names the field."""
        with pytest.raises(error) as excinfo:
            CardBrandRule(**kwargs)
        assert f"CardBrandRule.{field}" == excinfo.value.field

    def test_bad_policies(self):
        """PM-8: no brands, a brand twice and overlapping ranges of one length are refused."""
        visa = CardBrandRule(brand="visa", prefixes=("4",), lengths=(16,))
        with pytest.raises(InvalidInput) as excinfo:
            PaymentMethodPolicy(brands=())
        assert "PaymentMethodPolicy.brands" == excinfo.value.field
        with pytest.raises(InvalidInput) as excinfo:
            PaymentMethodPolicy(brands=(visa, visa))
        assert ("PaymentMethodPolicy.brands[1].brand", "repeats brands[0].brand (Visa)") == (
            excinfo.value.field,
            excinfo.value.problem,
        )
        overlapping = CardBrandRule(brand="maestro", prefixes=("50", "3-5"), lengths=(16,))
        with pytest.raises(InvalidInput) as excinfo:
            PaymentMethodPolicy(brands=(visa, overlapping))
        assert "PaymentMethodPolicy.brands[0].prefixes[0]" == excinfo.value.field
        assert excinfo.value.problem.startswith("overlaps brands[1].prefixes[1]")
        with pytest.raises(InvalidType) as excinfo:
            PaymentMethodPolicy(brands=(visa, "maestro"))
        assert "PaymentMethodPolicy.brands[1]" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            CardDetails(
                number="4242424242424242",
                exp_month=1,
                exp_year=2030,
                cvv="123",
                policy=DEFAULT_POLICY,
            )
        assert "policy" == excinfo.value.field
        with pytest.raises(InvalidType) as excinfo:
            validate_card(details(), DEFAULT_POLICY, method_id="pm", at=AT, zone=ZONE)
        assert "policy" == excinfo.value.field

    def test_policy_file_with_a_custom_brand_list(self):
        """PM-8: a host accepts only Visa and Maestro from a policy file, and it round-trips."""
        policy = policy_from_toml(
            """
            [[payment_methods.brands]]
            brand = "visa"
            prefixes = ["4"]
            lengths = [16]

            [[payment_methods.brands]]
            brand = "maestro"
            prefixes = ["50", "56-58", "6759"]
            lengths = [12, 16, 19]
            """
        )
        assert (CardBrand.VISA, CardBrand.MAESTRO) == policy.payment_methods.accepted
        maestro = policy.payment_methods.rule(CardBrand.MAESTRO)
        assert maestro is not None
        assert (("50", "56-58", "6759"), (12, 16, 19), 3) == (
            maestro.prefixes,
            maestro.lengths,
            maestro.cvv_length,
        )
        assert policy == policy_from_json(policy_to_json(policy))
        assert policy == policy_from_toml(policy_to_toml(policy))
        assert DEFAULT_POLICY.dunning == policy.dunning
        with pytest.raises(CardBrandNotAccepted):
            CardDetails(
                number="5555555555554444",
                exp_month=1,
                exp_year=2030,
                cvv="123",
                policy=policy.payment_methods,
            )

    @pytest.mark.parametrize(
        ("brands", "field"),
        [
            (
                [{"brand": "visa", "prefixes": ["4"], "lengths": [20]}],
                "payment_methods.brands[0].lengths[0]",
            ),
            (
                [{"brand": "visa", "prefixes": ["4x"], "lengths": [16]}],
                "payment_methods.brands[0].prefixes[0]",
            ),
            ([{"brand": "visa", "prefixes": ["4"]}], "payment_methods.brands[0].lengths"),
            (
                [{"brand": "visa", "prefixes": ["4"], "lengths": [16], "cvv": 3}],
                "payment_methods.brands[0].cvv",
            ),
            ([], "payment_methods.brands"),
        ],
    )
    def test_policy_file_errors_name_the_path(self, brands, field):
        """PM-8: a bad brand list in a policy file names the path of the field at fault."""
        with pytest.raises(InvalidInput) as excinfo:
            policy_from_mapping({"payment_methods": {"brands": brands}})
        assert field == excinfo.value.field

    @given(payment_method_policies(), st.data())
    def test_generated_policies_recognise_their_brands(self, policy, data):
        """PM-8: under any valid policy, a number of an accepted brand gets that brand, and a
        number of a brand it leaves out is refused."""
        brand = data.draw(card_brands(policy=policy))
        number = data.draw(card_numbers(brand, policy=policy))
        cvv = data.draw(cvvs(brand, policy=policy))
        found = CardDetails(number=number, exp_month=12, exp_year=2030, cvv=cvv, policy=policy)
        assert brand == found.brand
        method = validate_card(found, policy, method_id="pm", at=AT, zone=ZONE)
        assert (brand, number[-4:]) == (method.brand, method.last4)
        left_out = [b for b in CardBrand if b not in policy.accepted]
        if left_out:
            other = data.draw(st.sampled_from(left_out))
            seed_number = data.draw(card_numbers(other))
            with pytest.raises(UnknownCardBrand):
                CardDetails(
                    number=seed_number, exp_month=12, exp_year=2030, cvv="123", policy=policy
                )

    @given(payment_method_policies())
    def test_policies_round_trip_and_pickle(self, policy):
        """PM-8: a payment-method policy is equal after pickling and after a policy file."""
        assert policy == pickle.loads(pickle.dumps(policy))
        bundle = Policy(payment_methods=policy)
        assert bundle == policy_from_json(policy_to_json(bundle))


# --------------------------------------------------------------------------------------------
# What callers rely on: reason codes, rules and details; error fields and problems;
# boundaries. The English sentence of each code is pinned once, in TestSentences.

MAESTRO = card(id="pm-m", brand="maestro", last4="0000")
WITH_EXPIRED = Wallet(methods=(VISA, EXPIRED), default_id="pm-visa")


def _decision(case):
    """One decision of each kind, by name."""
    cases = {
        "unknown_set": lambda: can_set_default(one(), method_id="pm-nope", at=AT, zone=ZONE),
        "unknown_remove": lambda: can_remove(one(), method_id="pm-nope"),
        "taken": lambda: can_add(one(), SEED, method=VISA, at=AT, zone=ZONE),
        "not_accepted": lambda: can_add(one(), NO_MAESTRO, method=MAESTRO, at=AT, zone=ZONE),
        "expired_add": lambda: can_add(one(), SEED, method=EXPIRED, at=AT, zone=ZONE),
        "first": lambda: can_add(Wallet(), SEED, method=VISA, at=AT, zone=ZONE),
        "unchanged": lambda: can_add(one(), SEED, method=MASTERCARD, at=AT, zone=ZONE),
        "expired_set": lambda: can_set_default(WITH_EXPIRED, method_id="pm-old", at=AT, zone=ZONE),
        "unexpired_set": lambda: can_set_default(one(), method_id="pm-visa", at=AT, zone=ZONE),
        "default": lambda: can_remove(one(), method_id="pm-visa"),
        "not_default": lambda: can_remove(WITH_EXPIRED, method_id="pm-old"),
    }
    return cases[case]()


_CASE_NAMES = (
    "unknown_set",
    "unknown_remove",
    "taken",
    "not_accepted",
    "expired_add",
    "first",
    "unchanged",
    "expired_set",
    "unexpired_set",
    "default",
    "not_default",
)


VISA_UNEXPIRED = {
    "method_id": "pm-visa",
    "label": "Visa •••• 4242",
    "expiry": (2030, 12),
    "current_month": (2024, 6),
}
AMEX_EXPIRED = {
    "method_id": "pm-old",
    "label": "American Express •••• 0005",
    "expiry": (2024, 5),
    "current_month": (2024, 6),
}


class TestSentences:
    @pytest.mark.parametrize(
        ("case", "codes", "rules", "message"),
        [
            (
                "unknown_set",
                ("default_method_unknown",),
                ("PM-4",),
                "There is no payment method 'pm-nope' in the wallet to make the default.",
            ),
            (
                "unknown_remove",
                ("payment_method_unknown",),
                ("PM-3",),
                "There is no payment method 'pm-nope' in the wallet.",
            ),
            (
                "taken",
                ("payment_method_id_taken",),
                ("PM-1",),
                "The wallet already has a payment method 'pm-visa'.",
            ),
            (
                "not_accepted",
                ("card_brand_not_accepted",),
                ("PM-8",),
                "Maestro •••• 0000 cannot be added: Maestro cards are not accepted.",
            ),
            (
                "expired_add",
                ("payment_method_expired",),
                ("PM-5",),
                "American Express •••• 0005 has expired and cannot be added.",
            ),
            (
                "first",
                ("first_method_becomes_default", "payment_method_unexpired"),
                ("PM-1", "PM-5"),
                "Visa •••• 4242 is the first payment method and becomes the default. "
                "Visa •••• 4242 has not expired.",
            ),
            (
                "unchanged",
                ("default_unchanged", "payment_method_unexpired"),
                ("PM-1", "PM-5"),
                "Mastercard •••• 4444 is added; the default stays as it is. "
                "Mastercard •••• 4444 has not expired.",
            ),
            (
                "expired_set",
                ("expired_cannot_become_default",),
                ("PM-4",),
                "American Express •••• 0005 has expired and cannot become the default.",
            ),
            (
                "unexpired_set",
                ("stored_and_unexpired",),
                ("PM-4",),
                "Visa •••• 4242 is stored and has not expired.",
            ),
            (
                "default",
                ("default_payment_method",),
                ("PM-2",),
                "Visa •••• 4242 is the default payment method and cannot be removed. Add another "
                "payment method and make it the default first, then remove this one.",
            ),
            (
                "not_default",
                ("not_default",),
                ("PM-3",),
                "American Express •••• 0005 is not the default and can be removed.",
            ),
        ],
    )
    def test_each_code_has_its_rule_and_sentence(self, case, codes, rules, message):
        """PM-1 … PM-5, PM-8: each reason code comes with its rule ID and its exact sentence."""
        decision = _decision(case)
        assert (codes, rules, message) == (
            decision.codes,
            decision.rules,
            " ".join(reason.message for reason in decision.reasons),
        )


class TestReasonDetails:
    @pytest.mark.parametrize(
        ("case", "details_"),
        [
            ("unknown_set", [{"method_id": "pm-nope"}]),
            ("unknown_remove", [{"method_id": "pm-nope"}]),
            ("taken", [{"method_id": "pm-visa"}]),
            (
                "not_accepted",
                [
                    {
                        "method_id": "pm-m",
                        "label": "Maestro •••• 0000",
                        "brand_label": "Maestro",
                        "brand": CardBrand.MAESTRO,
                        "accepted": tuple(CardBrand)[:-1],
                    }
                ],
            ),
            ("expired_add", [AMEX_EXPIRED]),
            ("first", [{"method_id": "pm-visa", "label": "Visa •••• 4242"}, VISA_UNEXPIRED]),
            (
                "unchanged",
                [
                    {
                        "method_id": "pm-mc",
                        "label": "Mastercard •••• 4444",
                        "default_id": "pm-visa",
                    },
                    {
                        "method_id": "pm-mc",
                        "label": "Mastercard •••• 4444",
                        "expiry": (2027, 1),
                        "current_month": (2024, 6),
                    },
                ],
            ),
            ("expired_set", [AMEX_EXPIRED]),
            ("unexpired_set", [VISA_UNEXPIRED]),
            (
                "default",
                [{"method_id": "pm-visa", "label": "Visa •••• 4242", "default_id": "pm-visa"}],
            ),
            (
                "not_default",
                [
                    {
                        "method_id": "pm-old",
                        "label": "American Express •••• 0005",
                        "default_id": "pm-visa",
                    }
                ],
            ),
        ],
    )
    def test_details_by_code(self, case, details_):
        """PM-1 … PM-5, PM-8: every reason's details dict, exactly."""
        assert details_ == [dict(reason.details) for reason in _decision(case).reasons]

    def test_current_month_is_the_local_month(self):
        """PM-4, PM-5: `current_month` is the month in the account's zone at `at`."""
        evening = datetime(2024, 5, 31, 22, tzinfo=UTC)  # 1 June, 01:00 in Kyiv
        for zone, month in (("UTC", (2024, 5)), ("Europe/Kyiv", (2024, 6))):
            decision = can_set_default(one(), method_id="pm-visa", at=evening, zone=zone)
            assert month == decision.reasons[0].details["current_month"]
            added = can_add(Wallet(), SEED, method=VISA, at=evening, zone=zone)
            assert month == added.reasons[1].details["current_month"]


class TestErrors:
    @pytest.mark.parametrize(
        ("call", "error", "field", "problem"),
        [
            (
                lambda: details("4242x"),
                CardNumberFormatError,
                "CardDetails.number",
                "must hold only digits, spaces and dashes",
            ),
            (
                lambda: details("42424242424"),
                CardNumberLengthError,
                "CardDetails.number",
                "must have 12 to 19 digits",
            ),
            (
                lambda: details("4242424242424241"),
                CardNumberChecksumError,
                "CardDetails.number",
                "fails the Luhn check: a digit is mistyped",
            ),
            (
                lambda: details("1234567812345670"),
                UnknownCardBrand,
                "CardDetails.number",
                "is not a card of an accepted brand (Visa, Mastercard, American Express, "
                "Discover, JCB, Diners Club, UnionPay, Maestro)",
            ),
            (
                lambda: details(cvv="12"),
                CardCvvError,
                "CardDetails.cvv",
                "must be 3 digits for Visa",
            ),
            (
                lambda: details(month=13),
                CardExpiryMonthError,
                "CardDetails.exp_month",
                "must be 1 to 12",
            ),
            (
                lambda: details(year=999),
                CardExpiryYearError,
                "CardDetails.exp_year",
                "must be a four-digit year",
            ),
            (
                lambda: details(year=10000),
                CardExpiryYearError,
                "CardDetails.exp_year",
                "must be a four-digit year",
            ),
            (
                lambda: details(month="1"),
                InvalidType,
                "CardDetails.exp_month",
                "must be an int, not str",
            ),
            (lambda: details(cvv=123), InvalidType, "CardDetails.cvv", "must be a str, not int"),
            (lambda: details(4242), InvalidType, "CardDetails.number", "must be a str, not int"),
            (
                lambda: CardDetails(
                    number="4242424242424242", exp_month=1, exp_year=2030, cvv="1", policy=1
                ),
                InvalidType,
                "policy",
                "must be PaymentMethodPolicy, not int",
            ),
            (
                lambda: validate_card(details(month=5, year=2024), method_id="p", at=AT, zone=ZONE),
                CardExpiredError,
                "CardDetails.exp_month",
                "the card has expired: the month is before this month",
            ),
            (
                lambda: validate_card(
                    details(month=12, year=2023), method_id="p", at=AT, zone=ZONE
                ),
                CardExpiredError,
                "CardDetails.exp_year",
                "the card has expired",
            ),
            (
                lambda: card(last4="424"),
                InvalidInput,
                "PaymentMethod.last4",
                "must be exactly the last four digits of the card",
            ),
            (
                lambda: card(last4="42a4"),
                InvalidInput,
                "PaymentMethod.last4",
                "must be exactly the last four digits of the card",
            ),
            (
                lambda: PaymentMethod(id="p", kind="card", last4=4242),
                InvalidType,
                "PaymentMethod.last4",
                "must be a str, not int",
            ),
            (
                lambda: PaymentMethod(id="p", kind="card", brand="visa", last4="4242"),
                InvalidInput,
                "PaymentMethod.exp_month",
                "is required for a card",
            ),
            (
                lambda: PaymentMethod(id="p", kind="apple_pay", exp_month=1),
                InvalidInput,
                "PaymentMethod.exp_year",
                "expiry month and year are given together",
            ),
            (
                lambda: PaymentMethod(id="p", kind="apple_pay", exp_year=2030),
                InvalidInput,
                "PaymentMethod.exp_month",
                "expiry month and year are given together",
            ),
            (
                lambda: PaymentMethod(id="p", kind="paypal"),
                InvalidInput,
                "PaymentMethod.kind",
                "unknown value 'paypal'; expected one of 'card', 'google_pay', 'apple_pay'",
            ),
            (
                lambda: PaymentMethod(id="p", kind="apple_pay", brand="solo"),
                InvalidInput,
                "PaymentMethod.brand",
                "unknown value 'solo'; expected one of 'visa', 'mastercard', 'amex', 'discover', "
                "'jcb', 'diners', 'unionpay', 'maestro'",
            ),
            (
                lambda: Wallet(default_id="x"),
                InvalidInput,
                "Wallet.default_id",
                "an empty wallet has no default",
            ),
            (
                lambda: Wallet(methods=(VISA,)),
                InvalidInput,
                "Wallet.default_id",
                "a wallet with payment methods needs a default",
            ),
            (
                lambda: Wallet(methods=(VISA,), default_id="pm-mc"),
                InvalidInput,
                "Wallet.default_id",
                "must be the id of one of the methods",
            ),
            (
                lambda: Wallet(methods=(VISA, MASTERCARD, VISA), default_id="pm-visa"),
                InvalidInput,
                "Wallet.methods[2].id",
                "duplicate payment method id",
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=(), lengths=(16,)),
                InvalidInput,
                "CardBrandRule.prefixes",
                "must hold at least one prefix",
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=("4", "4-55"), lengths=(16,)),
                InvalidInput,
                "CardBrandRule.prefixes[1]",
                'must be 1–8 digits, or a range of two bounds of one length ("2221-2720")',
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=("4", "5-4"), lengths=(16,)),
                InvalidInput,
                "CardBrandRule.prefixes[1]",
                "the range must not end before it starts",
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=("4",), lengths=()),
                InvalidInput,
                "CardBrandRule.lengths",
                "must hold at least one length",
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=("4",), lengths=(16, True)),
                InvalidType,
                "CardBrandRule.lengths[1]",
                "must be an int, not bool",
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=("4",), lengths=(16, 11)),
                InvalidInput,
                "CardBrandRule.lengths[1]",
                "must be 12 to 19 digits",
            ),
            (
                lambda: CardBrandRule(brand="visa", prefixes=("4",), lengths=(16, 19, 16)),
                InvalidInput,
                "CardBrandRule.lengths[2]",
                "repeats an earlier length",
            ),
            (
                lambda: PaymentMethodPolicy(
                    brands=(
                        CardBrandRule(brand="visa", prefixes=("51-53",), lengths=(16,)),
                        CardBrandRule(brand="jcb", prefixes=("52-55",), lengths=(16,)),
                    )
                ),
                InvalidInput,
                "PaymentMethodPolicy.brands[1].prefixes[0]",
                "overlaps brands[0].prefixes[0]: ranges of one length must not overlap",
            ),
            (
                lambda: PaymentMethodPolicy(brands=()),
                InvalidInput,
                "PaymentMethodPolicy.brands",
                "must accept at least one brand",
            ),
            (
                lambda: PaymentMethodPolicy(
                    brands=(
                        CardBrandRule(brand="visa", prefixes=("4",), lengths=(16,)),
                        CardBrandRule(brand="jcb", prefixes=("51-55",), lengths=(16,)),
                        CardBrandRule(brand="amex", prefixes=("55",), lengths=(16,)),
                    )
                ),
                InvalidInput,
                "PaymentMethodPolicy.brands[2].prefixes[0]",
                "overlaps brands[1].prefixes[0]: ranges of one length must not overlap",
            ),
        ],
    )
    def test_each_error_names_the_field_and_the_problem(self, call, error, field, problem):
        """PM-5, PM-7, PM-8, PM-1: each refusal names the field and says what is wrong."""
        with pytest.raises(error) as excinfo:
            call()
        assert (field, problem) == (excinfo.value.field, excinfo.value.problem)

    @pytest.mark.parametrize(
        ("lengths", "words"),
        [
            ((16,), "16"),
            ((17, 16), "16 or 17"),
            ((19, 13, 16), "13, 16 or 19"),
            ((14, 15, 16), "14 to 16"),
        ],
    )
    def test_lengths_are_written_as_people_read_them(self, lengths, words):
        """PM-8: a brand's allowed lengths in the length error: one, a list, or a range."""
        policy = PaymentMethodPolicy(
            brands=(CardBrandRule(brand="visa", prefixes=("4",), lengths=lengths),)
        )
        with pytest.raises(CardNumberLengthError) as excinfo:
            CardDetails(
                number=_number("4", 18), exp_month=1, exp_year=2030, cvv="123", policy=policy
            )
        assert ("CardDetails.number", f"must have {words} digits for Visa") == (
            excinfo.value.field,
            excinfo.value.problem,
        )

    def test_card_details_say_why_they_cannot_change(self):
        """PM-6: changing or deleting a field of card details says they are immutable."""
        card_details_ = details()
        for change in (
            lambda: setattr(card_details_, "exp_month", 1),
            lambda: delattr(card_details_, "brand"),
        ):
            with pytest.raises(AttributeError) as excinfo:
                change()
            assert "CardDetails is immutable" == str(excinfo.value)
        for refuse in (
            lambda: details().__reduce_ex__(2),
            lambda: details().__reduce__(),
            lambda: details().__getstate__(),
        ):
            with pytest.raises(InvalidType) as pickled:
                refuse()
            assert ("CardDetails", "holds card secrets and cannot be pickled (PM-6)") == (
                pickled.value.field,
                pickled.value.problem,
            )

    def test_lengths_must_be_a_sequence(self):
        """PM-8: a brand rule's lengths that are not a sequence name CardBrandRule.lengths."""
        with pytest.raises(InvalidType) as excinfo:
            CardBrandRule(brand="visa", prefixes=("4",), lengths=16)
        assert "CardBrandRule.lengths" == excinfo.value.field


class TestCardBoundaries:
    def test_a_twelve_digit_card(self):
        """PM-5: twelve digits is the shortest number (a Maestro card); eleven are refused."""
        twelve = details(_number("50", 12))
        assert (CardBrand.MAESTRO, 12) == (twelve.brand, len(twelve._number))
        nineteen = details(_number("50", 19))
        assert (CardBrand.MAESTRO, 19) == (nineteen.brand, len(nineteen._number))
        for length in (11, 20):
            with pytest.raises(CardNumberLengthError) as excinfo:
                details(_number("50", length))
            assert "must have 12 to 19 digits" == excinfo.value.problem

    @pytest.mark.parametrize("year", [1000, 9999])
    def test_years_1000_and_9999(self, year):
        """PM-5: the first and last four-digit years are accepted on details and methods."""
        assert year == details(year=year).exp_year
        assert (year, 1) == card(month=1, year=year).expiry

    @pytest.mark.parametrize("month", [1, 12])
    def test_months_1_and_12(self, month):
        """PM-5: the first and last months are accepted."""
        assert month == details(month=month).exp_month

    def test_a_card_expiring_this_month_is_valid(self):
        """PM-4, PM-5: a card expiring in the current month has not expired: it is validated,
        added and can become the default."""
        june = validate_card(details(month=6, year=2024), method_id="pm-june", at=AT, zone=ZONE)
        assert (2024, 6) == june.expiry
        assert not is_expired(june, at=AT, zone=ZONE)
        assert can_add(one(), SEED, method=june, at=AT, zone=ZONE).allowed
        wallet = add(one(), SEED, method=june, at=AT, zone=ZONE)
        assert "pm-june" == set_default(wallet, method_id="pm-june", at=AT, zone=ZONE).default_id

    def test_a_later_month_of_this_year_is_valid(self):
        """PM-5: the year alone does not expire a card: December of this year is valid."""
        december = validate_card(details(month=12, year=2024), method_id="p", at=AT, zone=ZONE)
        assert (2024, 12) == december.expiry

    def test_expiry_is_judged_in_the_zone_when_adding(self):
        """PM-5: can_add judges the expiry in the account's zone."""
        may = card(id="pm-may", month=5, year=2024)
        evening = datetime(2024, 5, 31, 22, tzinfo=UTC)  # 1 June, 01:00 in Kyiv
        assert can_add(one(), SEED, method=may, at=evening, zone="UTC").allowed
        assert ("payment_method_expired",) == can_add(
            one(), SEED, method=may, at=evening, zone="Europe/Kyiv"
        ).codes
        wallet = Wallet(methods=(VISA, may), default_id="pm-visa")
        assert can_set_default(wallet, method_id="pm-may", at=evening, zone="UTC").allowed
        assert not can_set_default(
            wallet, method_id="pm-may", at=evening, zone="Europe/Kyiv"
        ).allowed

    def test_adjacent_prefix_ranges_do_not_overlap(self):
        """PM-8: ranges of one length that touch without sharing a prefix are accepted."""
        policy = PaymentMethodPolicy(
            brands=(
                CardBrandRule(brand="visa", prefixes=("51-54",), lengths=(16,)),
                CardBrandRule(brand="jcb", prefixes=("55",), lengths=(16,)),
            )
        )
        found = [
            CardDetails(number=_number(p), exp_month=1, exp_year=2030, cvv="123", policy=policy)
            for p in ("51", "54", "55")
        ]
        assert [CardBrand.VISA, CardBrand.VISA, CardBrand.JCB] == [c.brand for c in found]
        assert None is policy.rule(CardBrand.AMEX)

    def test_a_range_of_one_prefix(self):
        """PM-8: a range whose bounds are equal ("51-51") is the single prefix 51."""
        rule = CardBrandRule(brand="visa", prefixes=("51-51",), lengths=(16,))
        assert (("51", "51"),) == rule.ranges
        policy = PaymentMethodPolicy(brands=(rule,))
        found = CardDetails(
            number=_number("51"), exp_month=1, exp_year=2030, cvv="123", policy=policy
        )
        assert CardBrand.VISA == found.brand

    def test_update_card_judges_under_its_policy(self):
        """PM-5, PM-8: update_card validates the details under the policy it is given."""
        visa4 = PaymentMethodPolicy(
            brands=(CardBrandRule(brand="visa", prefixes=("4",), lengths=(16,), cvv_length=4),)
        )
        strict = CardDetails(
            number="4242424242424242", exp_month=1, exp_year=2030, cvv="1234", policy=visa4
        )
        after = update_card(Wallet(), visa4, details=strict, at=AT, zone=ZONE, method_id="pm-4")
        assert ("pm-4", "pm-4") == (after.ids[0], after.default_id)
        with pytest.raises(CardCvvError):
            update_card(Wallet(), details=strict, at=AT, zone=ZONE, method_id="pm-4")

    def test_update_card_keeps_the_previous_card_by_default(self):
        """PM-3, PM-5: without remove_previous the old default stays, as an ordinary method."""
        after = update_card(
            one(), details=details("5555555555554444"), at=AT, zone=ZONE, method_id="n"
        )
        assert (("pm-visa", "n"), "n") == (after.ids, after.default_id)


class TestNames:
    def test_kind_and_brand_labels(self):
        """PM-7, PM-8: the names shown to people for each kind and brand, and each CVV length."""
        assert ["Card", "Google Pay", "Apple Pay"] == [kind.label for kind in PaymentMethodKind]
        assert [
            ("Visa", 3),
            ("Mastercard", 3),
            ("American Express", 4),
            ("Discover", 3),
            ("JCB", 3),
            ("Diners Club", 3),
            ("UnionPay", 3),
            ("Maestro", 3),
        ] == [(brand.label, brand.cvv_length) for brand in CardBrand]
        assert [rule.brand.cvv_length for rule in DEFAULT_CARD_BRANDS] == [
            rule.cvv_length for rule in DEFAULT_CARD_BRANDS
        ]


# --------------------------------------------------------------------------------------------
# The area contract

SEED = PaymentMethodPolicy()
ROLES = ("owner", "admin", "staff")


class TestRoleFindings:
    """PM-2, PM-3: what each role may do with the wallet, as ``explain`` lists it."""

    def test_the_default_cannot_be_removed(self):
        """PM-2: with a default, one finding: it cannot be removed, for every role."""
        wallet = Wallet(methods=(VISA, MASTERCARD), default_id="pm-visa")
        for role in ROLES:
            (finding,) = role_findings(wallet, SEED, role=role, at=AT, zone=ZONE)
            assert isinstance(finding, Finding)
            assert (
                "payment_methods",
                PaymentMethodQuestion.REMOVE_DEFAULT_METHOD,
                False,
                ("default_payment_method",),
                ("PM-2",),
                "The default payment method cannot be removed.",
            ) == (
                finding.area,
                finding.question,
                finding.allowed,
                finding.decision.codes,
                finding.rules,
                finding.summary,
            )
            assert {"default_id": "pm-visa"} == dict(finding.details)

    def test_an_empty_wallet_has_none(self):
        """PM-1: an empty wallet has no default, so nothing to ask."""
        assert () == role_findings(Wallet(), SEED, role="owner", at=AT, zone=ZONE)

    def test_an_unknown_role_is_refused(self):
        """The role is checked, naming ``role``."""
        with pytest.raises(InvalidInput) as excinfo:
            role_findings(one(), SEED, role="guest", at=AT, zone=ZONE)
        assert "role" == excinfo.value.field

    @given(wallet=wallets(), at=aware_datetimes(), zone=zones(), role=st.sampled_from(ROLES))
    def test_agrees_with_can_remove(self, wallet, at, zone, role):
        """PM-2: the finding's decision is can_remove's for the default, whatever the role."""
        found = role_findings(wallet, SEED, role=role, at=at, zone=zone)
        if wallet.default_id is None:
            assert () == found
        else:
            (finding,) = found
            assert can_remove(wallet, method_id=wallet.default_id) == finding.decision
            assert not finding.allowed

    @given(wallet=wallets())
    def test_built_once_for_every_role(self, wallet):
        """PM-2: every role gets the same finding, the one a fresh copy of the wallet gives."""
        found = [role_findings(wallet, SEED, role=role, at=AT, zone=ZONE) for role in ROLES]
        assert all(answer is found[0] for answer in found)
        fresh = Wallet(methods=wallet.methods, default_id=wallet.default_id)
        assert found[0] == role_findings(fresh, SEED, role="owner", at=AT, zone=ZONE)

    @given(wallet=wallets())
    def test_the_cache_is_no_field(self, wallet):
        """A wallet with its finding built equals, hashes and pickles as one without it."""
        fresh = Wallet(methods=wallet.methods, default_id=wallet.default_id)
        role_findings(wallet, SEED, role="owner", at=AT, zone=ZONE)
        copy = pickle.loads(pickle.dumps(wallet))
        assert (fresh, hash(fresh)) == (wallet, hash(wallet))
        assert (wallet, hash(wallet)) == (copy, hash(copy))
        assert pickle.dumps(fresh) == pickle.dumps(wallet)
        assert role_findings(wallet, SEED, role="staff", at=AT, zone=ZONE) == (
            role_findings(copy, SEED, role="staff", at=AT, zone=ZONE)
        )

    def test_the_yes_summary_renders(self):
        """The question's "yes" sentence renders too."""
        assert "The default payment method can be removed." == (
            PaymentMethodQuestion.REMOVE_DEFAULT_METHOD.summary(True, {})
        )


class TestFindingsAndTransitions:
    """The payment-methods area has no account-wide findings and no time-driven transitions."""

    @given(wallet=wallets(), at=aware_datetimes())
    def test_no_findings(self, wallet, at):
        """Every answer is a role's (role_findings)."""
        assert () == findings(wallet, SEED, at=at, zone=ZONE)

    @given(wallet=wallets(), at=aware_datetimes())
    def test_no_transitions(self, wallet, at):
        """No rule of the area is driven by time: an empty iterator, over any window."""
        end = at.replace(year=at.year + 100) if at.year < 9000 else at
        assert [] == list(transitions(wallet, SEED, start=at, end=end, zone=ZONE))

    def test_a_backwards_window_is_refused(self):
        """The window's end must not come before its start."""
        with pytest.raises(InvalidInput) as excinfo:
            transitions(one(), SEED, start=AT, end=datetime(2024, 1, 1, tzinfo=UTC), zone=ZONE)
        assert "end" == excinfo.value.field


class TestReasonCodes:
    """Every reason of the area is a PaymentMethodCode member whose sentence renders."""

    def test_every_code_is_given_and_renders(self):
        """Each member is used by a code path and renders from the details given to it."""
        reasons = [reason for case in _CASE_NAMES for reason in _decision(case).reasons]
        assert set(PaymentMethodCode) == {reason.code for reason in reasons}
        for reason in reasons:
            assert isinstance(reason.code, PaymentMethodCode)
            assert reason.message
            assert "{" not in reason.message
