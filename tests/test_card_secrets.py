"""PM-6 everywhere: no field takes a card number, and no output repeats one.

Card numbers of every brand (PM-8's default brands, Maestro included) are written plain, in
groups of four separated by spaces, dashes or dots; and, generated, in groups of any size
joined by one to three separator characters of every kind ``billrules._redact`` reads
(underscores, slashes, commas, apostrophes, CR/LF, NBSP and other spaces, dashes, invisible
format characters such as the direction marks, lookalikes such as the bullet operator), in several digit
scripts, inside other text. Every field that holds a payment-method label refuses more than
four digits in a run; every other text field of a fact or a policy refuses a Luhn-valid
12–19 digit run; and no error message, ``repr``, account JSON or report shows five
consecutive digits of the number, nor does any error in a refusal's ``__cause__`` or
``__context__`` chain.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import traceback
import types
import typing
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from moneyed import Money

import billrules
from _accounts import DELINQUENT, KYIV, T0
from billrules import invoices as inv
from billrules import payment_methods as pm
from billrules._redact import holds_card_number, longest_digit_run, luhn_valid, shown
from billrules.account import Account
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Reason
from billrules.errors import BillRulesError, InvalidInput
from billrules.invoices import Invoice, InvoiceStatus, Payment
from billrules.payment_methods import CardBrand, CardDetails, Wallet
from billrules.policy import (
    DEFAULT_POLICY,
    policy_from_json,
    policy_from_mapping,
    policy_from_toml,
    policy_to_mapping,
)
from billrules.report import explain
from billrules.serialize import (
    account_from_json,
    account_from_mapping,
    account_to_json,
    account_to_mapping,
    from_json,
)
from billrules.testing import TEST_CARD_NUMBERS, accounts, card_brands, card_numbers, cvvs
from billrules.timeline import timeline

AT = datetime(2024, 6, 15, 12, tzinfo=UTC)
ISSUED = datetime(2024, 6, 1, tzinfo=UTC)

#: How people write a card number: plain, and in groups of four with each separator.
STYLES = ("plain", "spaced", "dashed", "dotted")
_SEPARATOR = {"plain": "", "spaced": " ", "dashed": "-", "dotted": "."}


def written(number: str, style: str) -> str:
    """``number`` in groups of four (4-4-4-4…) joined by the style's separator."""
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return _SEPARATOR[style].join(groups)


def runs(number: str) -> list[str]:
    """Every run of five consecutive digits of ``number``: more than the last four."""
    return [number[i : i + 5] for i in range(len(number) - 4)]


def assert_hidden(number: str, *texts: str) -> None:
    """No text holds five consecutive digits of ``number`` (PM-6)."""
    for text in texts:
        for run in runs(number):
            assert run not in text, f"{run} of the card number shows in {text[:200]!r}"


def error_texts(error: BaseException) -> list[str]:
    """Everything an error shows: message, args, repr and the formatted traceback."""
    return [
        str(error),
        repr(error),
        repr(error.args),
        "".join(traceback.format_exception(error)),
    ]


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, str, str]:
    """``(number, style, text)``: a generated card number of any brand, written in a style."""
    brand = draw(card_brands(), label="brand")
    number = draw(card_numbers(brand), label="number")
    style = draw(st.sampled_from(STYLES), label="style")
    return number, style, written(number, style)


# --------------------------------------------------------------------------------------------
# The str fields of every public attrs class, found from the modules' __all__


def _public_modules() -> list[types.ModuleType]:
    names = [
        info.name
        for info in pkgutil.iter_modules(billrules.__path__)
        if not info.name.startswith("_") and info.name not in {"cli", "testing"}
    ]
    return [importlib.import_module(f"billrules.{name}") for name in sorted(names)]


def _holds_str(hint: Any) -> bool:
    """Whether a field of type ``hint`` holds text: ``str``, ``str | None``, ``tuple[str, ...]``."""
    if hint is str:
        return True
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(hint) if arg is not type(None)] == [str]
    return typing.get_origin(hint) is tuple and typing.get_args(hint) == (str, Ellipsis)


def _str_fields() -> list[tuple[type[Any], attrs.Attribute[Any]]]:
    found: dict[tuple[type[Any], str], attrs.Attribute[Any]] = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            kind = getattr(module, name)
            if not (isinstance(kind, type) and attrs.has(kind)):
                continue
            hints = typing.get_type_hints(kind)
            for field in attrs.fields(kind):
                if field.init and _holds_str(hints[field.name]):
                    found[(kind, field.name)] = field
    return [(kind, field) for (kind, _), field in sorted(found.items(), key=lambda i: str(i[0]))]


STR_FIELDS = _str_fields()

#: Values the library builds from facts already checked (reports, documents, timelines): they
#: take no input from a caller, so their str fields have no check of their own.
OUTPUTS = {
    "billrules.invoices._history.HistoryRow",
    "billrules.invoices._history.InvoiceDocument",
    "billrules.invoices._history.StatementLine",
    "billrules.invoices._statuses.AllocationLine",
    "billrules.report.Report",
    "billrules.run.AccountDue",
    "billrules.run.AccountError",
    "billrules.subscriptions._facts.PlanDetails",
    "billrules.subscriptions._facts.Renewal",
    "billrules.timeline.Timeline",
}

#: The library's own registry of areas: none now; an area's declaration
#: (``billrules.area.Area``) checks its text fields like a fact.
REGISTRY: set[str] = set()

#: Str fields checked for being non-empty text only, on the hot path of every question: a
#: Reason is built by the library from facts whose text was checked on construction.
NOT_FREE_TEXT = {"billrules.decisions.Reason.rule"}

#: Str fields with a format of their own (digits, codes), refused when they hold other text.
STRUCTURED = {
    "billrules.area.Area.colour",
    "billrules.area.Area.name",
    "billrules.area.Area.prefix",
    "billrules.area.Area.terms",
    "billrules.contract.Finding.area",
    "billrules.contract.Transition.area",
    "billrules.contract.Transition.kind",
    "billrules.effects.RecordDeletionOutcome.kept_because",
    "billrules.effects.ScheduleDeletion.deletion_kind",
    "billrules.invoices._facts.ChargeAttempt.decline_code",
    "billrules.overdue._policy.OverduePolicy.hard_declines",
    "billrules.payment_methods._facts.PaymentMethod.last4",
    "billrules.payment_methods._policy.CardBrandRule.prefixes",
}

#: The fields that hold a payment method's masked label (PM-6): at most four digits in a run.
LABEL_FIELDS = {
    "billrules.invoices._facts.Invoice.method",
    "billrules.invoices._facts.Payment.method",
}


def _built_by_the_library() -> dict[type[Any], Any]:
    """One value of each class whose ``__init__`` is written by hand, as the library builds it.

    Its checks are not attrs validators, so a field of one is checked by building a copy with
    the field replaced: the values are taken from the seed's delinquent account's report and
    timeline, so that every other field is valid.
    """
    report = explain(DELINQUENT, DEFAULT_POLICY, DELINQUENT_AT)
    finding = report.account[0]
    transition = next(
        event
        for event in timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=DELINQUENT_AT).events
        if event.reasons
    )
    return {
        Transition: transition,
        Finding: finding,
        Reason: transition.reasons[0],
        Decision: finding.decision,
    }


DELINQUENT_AT = datetime(2024, 6, 15, tzinfo=KYIV)
HAND_WRITTEN = _built_by_the_library()


def _hand_written(kind: type[Any]) -> bool:
    """Whether ``kind``'s ``__init__`` is written by hand rather than generated by attrs."""
    return "attrs generated" not in kind.__init__.__code__.co_filename


def _qualified(kind: type[Any], field: attrs.Attribute[Any] | None = None) -> str:
    name = f"{kind.__module__}.{kind.__qualname__}"
    return name if field is None else f"{name}.{field.name}"


CHECKED_FIELDS = [
    (kind, field)
    for kind, field in STR_FIELDS
    if _qualified(kind) not in OUTPUTS | REGISTRY and _qualified(kind, field) not in NOT_FREE_TEXT
]


def _check(kind: type[Any], field: attrs.Attribute[Any], text: str) -> None:
    """Run ``field``'s converter and validator on ``text``, as construction does.

    A tuple field gets ``text`` as its one item. A class whose ``__init__`` is written by hand
    is built, from its valid value in ``HAND_WRITTEN``, with ``field`` replaced.
    """
    hint = typing.get_type_hints(kind)[field.name]
    value: object = (text,) if typing.get_origin(hint) is tuple else text
    if _hand_written(kind):
        attrs.evolve(HAND_WRITTEN[kind], **{field.name: value})
        return
    instance = object.__new__(kind)
    converter = field.converter
    if isinstance(converter, attrs.Converter):  # it takes the instance and the field
        arguments: list[object] = [value]
        arguments += [instance] if converter.takes_self else []
        arguments += [field] if converter.takes_field else []
        value = converter.converter(*arguments)
    elif converter is not None:
        value = converter(value)  # type: ignore[call-arg]
    if field.validator is not None:
        field.validator(instance, field, value)


def _every_text_field(text: str) -> tuple[list[str], list[tuple[str, InvalidInput]]]:
    """``text`` given to every checked text field: the fields that accepted it, and the
    refusals, each with the ``Class.field`` it should name."""
    accepted = []
    refusals: list[tuple[str, InvalidInput]] = []
    for kind, field in CHECKED_FIELDS:
        try:
            _check(kind, field, text)
        except InvalidInput as error:
            refusals.append((f"{kind.__name__}.{field.name}", error))
        else:
            accepted.append(_qualified(kind, field))
    return accepted, refusals


class TestEveryTextField:
    def test_the_fields_are_found(self):
        """PM-6: the enumeration reaches the facts' and policies' text fields (and the labels)."""
        names = {_qualified(kind, field) for kind, field in CHECKED_FIELDS}
        assert LABEL_FIELDS <= names
        for expected in (
            "billrules.account.Account.id",
            "billrules.balance._facts.LedgerEntry.description",
            "billrules.cancellation._facts.CancellationRequest.feedback",
            "billrules.contract.Transition.area",
            "billrules.contract.Transition.kind",
            "billrules.contract.Finding.area",
            "billrules.contract.Suspension.rule",
            "billrules.deletion._facts.DeletionSchedule.kept_because",
            "billrules.payment_methods._facts.PaymentMethod.id",
            "billrules.subscriptions._facts.Subscription.plan",
            "billrules.effects.RecordCancellation.feedback",
        ):
            assert expected in names
        assert len(CHECKED_FIELDS) >= 50

    def test_only_outputs_go_unchecked(self):
        """PM-6: a str field with no check is a field of an output value, never of a fact.

        A new fact or policy with an unchecked text field fails here until it gets one; a
        class that checks its fields in an ``__init__`` written by hand needs a valid value in
        ``HAND_WRITTEN``, so that its fields are tried like every other.
        """
        unchecked = {
            _qualified(kind)
            for kind, field in STR_FIELDS
            if field.validator is None and field.converter is None and not _hand_written(kind)
        }
        assert OUTPUTS | REGISTRY == unchecked
        hand_written = {kind for kind, _ in STR_FIELDS if _hand_written(kind)}
        assert hand_written <= HAND_WRITTEN.keys()

    @given(written_numbers())
    def test_every_text_field_refuses_a_card_number(self, case):
        """PM-6: every text field of a fact or policy refuses a card number, however written.

        The error names ``Class.field`` and repeats none of the number.
        """
        number, _, text = case
        accepted, refusals = _every_text_field(text)
        assert [] == accepted
        for name, error in refusals:
            assert error.field in {name, f"{name}[0]"}
            assert_hidden(number, *error_texts(error))

    @given(written_numbers())
    def test_a_card_number_inside_other_text_is_refused(self, case):
        """PM-6: a card number among other words (an id, a description) is refused too."""
        _, _, text = case
        accepted = []
        for kind, field in CHECKED_FIELDS:
            try:
                _check(kind, field, f"paid by card {text}, thanks")
            except InvalidInput:
                continue
            accepted.append(_qualified(kind, field))
        assert [] == accepted

    @pytest.mark.parametrize(
        "value", ["pm-1", "inv-2024-05-0001", "Visa •••• 4242", "order 123456789", "support"]
    )
    def test_ordinary_text_is_accepted(self, value):
        """PM-6: text without a Luhn-valid 12–19 digit run, and short labels, pass every field."""
        for kind, field in CHECKED_FIELDS:
            name = _qualified(kind, field)
            if name in STRUCTURED:
                continue  # not free text: a format of its own, tested with its area
            if name in LABEL_FIELDS and longest_digit_run(value) > 4:
                continue  # a label shows at most four digits: see TestLabels
            _check(kind, field, value)


# --------------------------------------------------------------------------------------------
# Labels


def _invoice(**changes: Any) -> Invoice:
    fields: dict[str, Any] = {
        "id": "inv-1",
        "amount": Money("19.00", "USD"),
        "issued_at": ISSUED,
        "due_at": ISSUED,
        "status": InvoiceStatus.SUBMITTED,
        **changes,
    }
    return Invoice(**fields)


class TestLabels:
    @pytest.mark.parametrize(
        "label",
        [
            "Visa 4242424242424242",
            "Visa 4242 4242 4242 4242",
            "Visa 4242-4242-4242-4242",
            "Visa 4242.4242.4242.4242",
            "Visa 42424",
            "Visa 4242 4",
            "card 1234 5678",  # not a card number, but more than four digits in a run
        ],
    )
    def test_more_than_four_digits_in_a_run_are_refused(self, label):
        """PM-6: a label shows at most the last four digits, counted without separators."""
        payment = Payment(id="pay-1", amount=Money("1.00", "USD"), paid_at=AT)
        for fact in (_invoice(), payment):
            with pytest.raises(InvalidInput) as excinfo:
                attrs.evolve(fact, method=label)
            assert f"{type(fact).__name__}.method" == excinfo.value.field
            assert "at most the last four digits" in excinfo.value.problem
            assert "4242 4" not in str(excinfo.value)

    @pytest.mark.parametrize(
        "label", ["Visa •••• 4242", "Apple Pay (Visa •••• 4242)", "Card 4242, 12/30", "SEPA"]
    )
    def test_masked_labels_are_accepted(self, label):
        """PM-6: a masked label with the last four digits (or none) is kept as it is."""
        assert label == _invoice(method=label).method
        assert (
            label == Payment(id="p", amount=Money("1.00", "USD"), paid_at=AT, method=label).method
        )

    @given(written_numbers())
    def test_transition_and_apply_payment_refuse_a_card_number(self, case):
        """PM-6: the ``method=`` of transition and apply_payment refuses a card number."""
        number, _, text = case
        invoice = _invoice()
        for target in ("paid", "cancelled", "failed"):
            with pytest.raises(InvalidInput) as excinfo:
                inv.change_status(invoice, to=target, at=AT, method=f"Visa {text}")
            assert "method" == excinfo.value.field
            assert_hidden(number, *error_texts(excinfo.value))
        for invoices, amount in (((invoice,), "19.00"), ((invoice,), "1.00"), ((), "1.00")):
            with pytest.raises(InvalidInput) as excinfo:
                inv.apply_payment(invoices, payment=Money(amount, "USD"), at=AT, method=text)
            assert "method" == excinfo.value.field
            assert_hidden(number, *error_texts(excinfo.value))

    def test_history_rows_keep_the_masked_label(self):
        """PM-6: history rows and documents show the label the invoice was charged to."""
        paid = inv.change_status(_invoice(), to="paid", at=AT, method="Visa •••• 4242")
        rows = inv.history((paid,), DEFAULT_POLICY.invoices, at=AT, zone="UTC")
        assert ("Visa •••• 4242",) == tuple(row.method for row in rows)


# --------------------------------------------------------------------------------------------
# Parameters that name a payment method


class TestMethodIds:
    @given(written_numbers())
    def test_method_id_parameters_refuse_a_card_number(self, case):
        """PM-6: a payment-method id passed to a question or operation is free text too."""
        number, _, text = case
        visa = pm.PaymentMethod(
            id="pm-1", kind="card", brand="visa", last4="4242", exp_month=12, exp_year=2030
        )
        wallet = Wallet(methods=(visa,), default_id="pm-1")
        calls = [
            lambda: pm.can_remove(wallet, method_id=text),
            lambda: pm.remove(wallet, method_id=text),
            lambda: pm.can_set_default(wallet, method_id=text, at=AT, zone="UTC"),
            lambda: pm.set_default(wallet, method_id=text, at=AT, zone="UTC"),
        ]
        for call in calls:
            with pytest.raises(InvalidInput) as excinfo:
                call()
            assert "method_id" == excinfo.value.field
            assert_hidden(number, *error_texts(excinfo.value))


# --------------------------------------------------------------------------------------------
# Outputs: errors of loaders, repr, JSON, reports


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

#: An effect's key (X-6).
_KEY = re.compile(r"eff_[0-9a-f]{32}")


def _leaves(data: object, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The paths of every string in plain data, but exact decimals (numbers, not text)."""
    if isinstance(data, str):
        if not _NUMBER.fullmatch(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))


def _replaced(data: Any, path: tuple[Any, ...], value: str) -> Any:
    copy = json.loads(json.dumps(data))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def _account_with_card(account: Account, details: CardDetails) -> Account:
    method = pm.validate_card(details, method_id="pm-new", at=account.created_at, zone="UTC")
    charged = tuple(attrs.evolve(invoice, method=method.label) for invoice in account.invoices)
    return attrs.evolve(
        account,
        wallet=Wallet(methods=(method,), default_id="pm-new"),
        invoices=charged,
    )


class TestOutputs:
    @settings(deadline=None)
    @given(st.data())
    def test_a_card_in_an_account_never_shows(self, data):
        """PM-6: an account holding a card shows none of its number beyond the last four digits.

        Checked in the account's repr, its JSON, the report (text, dict and HTML) of
        ``explain``, and the errors of card details written in every style.
        """
        brand = data.draw(card_brands(), label="brand")
        number = data.draw(card_numbers(brand), label="number")
        cvv = data.draw(cvvs(brand), label="cvv")
        account = data.draw(accounts(), label="account")
        before = repr(account) + account_to_json(account)
        assume(not any(run in before for run in runs(number)))  # ids may be digits by chance
        texts: list[str] = []
        for style in STYLES:
            text = written(number, style)
            if style == "dotted":  # a card number is written with spaces or dashes only
                with pytest.raises(pm.CardNumberFormatError) as excinfo:
                    CardDetails(number=text, exp_month=12, exp_year=2040, cvv=cvv)
                texts += error_texts(excinfo.value)
                continue
            details = CardDetails(number=text, exp_month=12, exp_year=2040, cvv=cvv)
            texts += [repr(details), str(details)]
        holder = _account_with_card(
            account, CardDetails(number=number, exp_month=12, exp_year=2040, cvv=cvv)
        )
        assert f'"last4": "{number[-4:]}"' in account_to_json(holder)  # the card is there
        report = explain(holder, DEFAULT_POLICY, holder.created_at + timedelta(days=40))
        texts += [
            repr(holder),
            account_to_json(holder),
            str(report),
            json.dumps(report.to_dict(), default=str),
            report._repr_html_(),
        ]
        # An effect's key is a digest: its hex digits may hold any run of digits by
        # chance, and tell nothing of the card.
        assert_hidden(number, *(_KEY.sub("eff_", text) for text in texts))

    @settings(deadline=None)
    @given(accounts(), written_numbers())
    def test_account_loader_refuses_a_card_number_in_any_field(self, account, case):
        """PM-6: a card number in any string of an account file is refused, never echoed.

        Every string of the account's JSON form is replaced in turn; each load fails with a
        billrules error naming a path, and no message holds five digits of the number.
        """
        number, _, text = case
        plain = account_to_mapping(account)
        for path in _leaves(plain):
            with pytest.raises(BillRulesError) as excinfo:
                account_from_mapping(_replaced(plain, path, text))
            assert excinfo.value.field  # type: ignore[attr-defined]
            assert_hidden(number, *error_texts(excinfo.value))

    @settings(deadline=None)
    @given(written_numbers())
    def test_policy_loader_refuses_a_card_number_in_any_field(self, case):
        """PM-6: a card number in any string of a policy file is refused, never echoed."""
        number, _, text = case
        plain = policy_to_mapping(DEFAULT_POLICY)
        for path in _leaves(plain):
            with pytest.raises(BillRulesError) as excinfo:
                policy_from_mapping(_replaced(plain, path, text))
            assert_hidden(number, *error_texts(excinfo.value))

    @pytest.mark.parametrize("number", sorted(TEST_CARD_NUMBERS))
    def test_brand_field_never_echoes_a_number(self, number):
        """PM-6: a card number given as a brand is refused without being repeated."""
        with pytest.raises(InvalidInput) as excinfo:
            pm.PaymentMethod(
                id="pm", kind="card", brand=number, last4="4242", exp_month=1, exp_year=2030
            )
        assert "PaymentMethod.brand" == excinfo.value.field
        assert_hidden(number, *error_texts(excinfo.value))
        with pytest.raises(InvalidInput) as excinfo:
            pm.CardBrandRule(brand=number, prefixes=("4",), lengths=(16,))
        assert "CardBrandRule.brand" == excinfo.value.field
        assert_hidden(number, *error_texts(excinfo.value))
        plain = account_to_mapping(
            _account_with_card(
                _minimal_account(),
                CardDetails(
                    number=number,
                    exp_month=12,
                    exp_year=2040,
                    cvv="1234" if TEST_CARD_NUMBERS[number] is CardBrand.AMEX else "123",
                ),
            )
        )
        plain["wallet"]["methods"][0]["brand"] = number
        with pytest.raises(InvalidInput) as excinfo:
            account_from_mapping(plain)
        assert "wallet.methods[0].brand" == excinfo.value.field
        assert_hidden(number, *error_texts(excinfo.value))


def _minimal_account() -> Account:
    return account_from_mapping(
        {
            "id": "acme",
            "zone": "UTC",
            "currency": "USD",
            "created_at": "2024-01-01T00:00:00+00:00",
            "users": [{"id": "olena", "role": "owner"}],
        }
    )


# --------------------------------------------------------------------------------------------
# Card numbers written with any separator the guard reads, in any digit script

#: Separator characters generated between groups (one to three of them): each kind that
#: ``billrules._redact`` reads.
SEPARATOR_CHARS = (
    " -._/\\,|·\t\r\n\x0b\x0c\x1c\xa0\u2009\u202f\u3000\u2028\u00ad\u200b\u2060\ufeff"
    "\u2010\u2013\u2014\u2212\u3001\uff0c\uff0d\uff0e\uff0f"
    "'\u2019\u2024\u2027\u2219\u30fb\ufe58\u066b\u066c"  # apostrophes and lookalikes
)
#: One separator character: one of those above, or any format character (category Cf).
_SEPARATOR_CHAR = st.one_of(st.sampled_from(SEPARATOR_CHARS), st.characters(categories=("Cf",)))
#: The zero of each digit script generated: ASCII, full-width, Arabic-Indic, Devanagari, bold.
ZEROS = ("0", "\uff10", "\u0660", "\u0966", "\U0001d7ce")
#: Surrounding text: anything but a decimal digit (which would join the number's run).
_AROUND = st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=12)


def _with_check_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


@st.composite
def disguised_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """``(number, text)``: a Luhn-valid 12–19 digit ``number`` in generated groups joined by
    generated separators, in a generated digit script, inside generated text."""
    length = draw(st.integers(12, 19), label="length")
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1), label="body")
    number = _with_check_digit(body)
    cuts = sorted(draw(st.sets(st.integers(1, length - 1)), label="cuts"))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, length], strict=True)]
    written = groups[0]
    for group in groups[1:]:
        written += draw(st.text(_SEPARATOR_CHAR, min_size=1, max_size=3))
        written += group
    zero = draw(st.sampled_from(ZEROS), label="script")
    written = "".join(chr(ord(zero) + int(c)) if c in "0123456789" else c for c in written)
    return number, draw(_AROUND) + written + draw(_AROUND)


def ascii_digits(text: str) -> str:
    """``text`` with every Unicode decimal digit written as its ASCII digit."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def assert_not_repeated(number: str, texts: list[str]) -> None:
    """No text holds a card number, nor five consecutive digits of ``number`` (PM-6)."""
    for text in texts:
        assert not holds_card_number(text), text[:200]
        assert_hidden(number, ascii_digits(text))


class TestDisguisedNumbers:
    @settings(deadline=None)
    @given(disguised_numbers())
    def test_every_text_field_refuses_a_card_number_with_any_separator(self, case):
        """PM-6: ``4242_4242…``, ``4242/4242…``, ``4242,4242…``, a number split over lines,
        NBSP and other spaces, `` - ``, full-width digits: every text field of a fact or policy
        refuses it, naming the field, and no message repeats it."""
        number, text = case
        accepted, refusals = _every_text_field(text)
        assert [] == accepted
        for name, error in refusals:
            assert error.field in {name, f"{name}[0]"}
            assert_not_repeated(number, error_texts(error))

    @settings(deadline=None)
    @given(disguised_numbers())
    def test_an_account_holding_a_disguised_number_is_refused(self, case):
        """PM-6: an account id (and a policy's ``support_contact``) holding a card number is
        refused on the way in, so it never reaches an effect's ``account`` field."""
        number, text = case
        plain = account_to_mapping(_minimal_account())
        plain["id"] = text
        with pytest.raises(InvalidInput) as excinfo:
            account_from_mapping(plain)
        assert "id" == excinfo.value.field
        assert_not_repeated(number, error_texts(excinfo.value))
        for contact in ("invoices", "cancellation"):
            policy = policy_to_mapping(DEFAULT_POLICY)
            policy[contact]["support_contact"] = text
            with pytest.raises(InvalidInput) as excinfo:
                policy_from_mapping(policy)
            assert f"{contact}.support_contact" == excinfo.value.field
            assert_not_repeated(number, error_texts(excinfo.value))

    @given(
        st.one_of(
            st.from_regex(r"[a-z]{1,8}([-_./ :][a-z0-9]{1,5}){0,5}", fullmatch=True).filter(
                lambda text: sum(c.isdigit() for c in text) < 12
            ),
            st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
            st.datetimes(timezones=st.timezones()).map(str),
        )
    )
    def test_ordinary_ids_and_instants_are_accepted(self, value):
        """PM-6: ids with fewer than twelve digits, and ISO instants, pass every text field."""
        for kind, field in CHECKED_FIELDS:
            name = _qualified(kind, field)
            if name in STRUCTURED:
                continue
            if name in LABEL_FIELDS and longest_digit_run(value) > 4:
                continue
            _check(kind, field, value)


# --------------------------------------------------------------------------------------------
# Errors never keep the number in their chain (__cause__, __context__)

CHAIN_CARD = "4242424242424242"


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and every exception its ``__cause__`` and ``__context__`` reach."""
    found: list[BaseException] = []
    waiting = [error]
    while waiting:
        each = waiting.pop()
        if any(each is seen for seen in found):
            continue
        found.append(each)
        waiting += [e for e in (each.__cause__, each.__context__) if e is not None]
    return found


def _chain_texts(error: BaseException) -> list[str]:
    texts = []
    for each in _chain(error):
        texts += [str(each), repr(each), repr(each.args), repr(getattr(each, "__dict__", {}))]
    return texts


def _account_plain(**changes: Any) -> dict[str, Any]:
    plain = {
        "id": "acme",
        "zone": "UTC",
        "currency": "USD",
        "created_at": "2024-01-01T00:00:00+00:00",
        "users": [{"id": "olena", "role": "owner"}],
        "invoices": [
            {
                "id": "inv-1",
                "amount": "19.00 USD",
                "issued_at": "2024-01-01T00:00:00+00:00",
                "due_at": "2024-01-15T00:00:00+00:00",
                "status": "submitted",
            }
        ],
    }
    plain.update(changes)
    return plain


def _invoice_plain(**changes: Any) -> dict[str, Any]:
    return _account_plain(invoices=[{**_account_plain()["invoices"][0], **changes}])


def _refusals(text: str) -> list[tuple[str, Any]]:
    """``(what, call)``: each call refuses ``text`` where the library reads a caller's value."""
    blob = json.dumps(text)
    toml_key = json.dumps(text)
    return [
        ("money text", lambda: account_from_mapping(_invoice_plain(amount=f"{text}USD"))),
        ("money amount", lambda: account_from_mapping(_invoice_plain(amount=f"{text}x USD"))),
        ("currency", lambda: account_from_mapping(_account_plain(currency=text))),
        ("money currency", lambda: account_from_mapping(_invoice_plain(amount=f"1 {text}"))),
        ("instant", lambda: account_from_mapping(_account_plain(created_at=text))),
        ("instant in an invoice", lambda: account_from_mapping(_invoice_plain(due_at=text))),
        ("zone", lambda: account_from_mapping(_account_plain(zone=f"Etc/{text}"))),
        ("account id", lambda: account_from_mapping(_account_plain(id=text))),
        ("invoice id", lambda: account_from_mapping(_invoice_plain(id=text))),
        ("enum value", lambda: account_from_mapping(_invoice_plain(status=text))),
        ("role", lambda: account_from_mapping(_account_plain(users=[{"id": "o", "role": text}]))),
        ("enum converter", lambda: _invoice(status=text)),
        ("json text", lambda: account_from_json('{"id": ' + blob + ', "zone": ')),
        ("json value", lambda: account_from_json(json.dumps(_account_plain(zone=text)))),
        ("json kind", lambda: from_json(Invoice, '{"id": ' + blob + "")),
        ("policy json", lambda: policy_from_json('{"invoices": {"support_contact": ' + blob)),
        ("policy toml", lambda: policy_from_toml(f"[{toml_key}]\n[{toml_key}]\n")),
        ("policy toml value", lambda: policy_from_toml(f"[invoices]\nsupport_contact = {blob}\n")),
        ("policy contact", lambda: policy_from_mapping({"invoices": {"support_contact": text}})),
        ("dunning access", lambda: _dunning_access(text, "full")),
        ("dunning level", lambda: _dunning_access("owner", text)),
        ("top-up role", lambda: _top_up_role(text)),
    ]


def _dunning_access(role: str, level: str) -> object:
    plain = policy_to_mapping(DEFAULT_POLICY)
    plain["dunning"]["stages"][0]["access"] = {role: level}
    return policy_from_mapping(plain)


def _top_up_role(role: str) -> object:
    from billrules import balance

    return balance.can_top_up(role=role)


@pytest.mark.parametrize("separator", ["", " ", "-", "_", "/", ",", "\r\n", "\xa0", " - "])
@pytest.mark.parametrize("what", [what for what, _ in _refusals(CHAIN_CARD)])
def test_no_error_in_the_chain_keeps_the_card_number(what, separator):
    """PM-6: a refusal keeps the number neither in its message nor in the hidden
    ``__context__`` or ``__cause__`` of the error (a parser's own error holds its input)."""
    text = separator.join(CHAIN_CARD[i : i + 4] for i in range(0, 16, 4))
    call = dict(_refusals(text))[what]
    with pytest.raises(BillRulesError) as excinfo:
        call()
    assert_not_repeated(CHAIN_CARD, _chain_texts(excinfo.value))


@pytest.mark.parametrize("separator", ["_", "/", ",", "\xa0", " - ", "\u3000", "\r\n"])
def test_the_command_never_repeats_a_disguised_card_number(capsys, separator):
    """PM-6: an option's value holding a card number, however written, is masked in the one
    line the command writes on stderr."""
    from billrules.cli import main

    text = separator.join(CHAIN_CARD[i : i + 4] for i in range(0, 16, 4))
    for arguments in (
        ["explain", "--at", text],
        ["timeline", "--start", text, "--end", "2024-06-01T00:00:00+00:00"],
    ):
        assert 2 == main(arguments)
        err = capsys.readouterr().err
        assert "•••" in err
        assert_not_repeated(CHAIN_CARD, [err])


# --------------------------------------------------------------------------------------------
# Invisible format characters and lookalike marks between the groups

#: Characters once read as part of no run, so a card number written with them passed every
#: guard: format characters (the direction marks, embeddings and overrides, invisible
#: operators, isolates, the Mongolian vowel separator, the Arabic letter mark) and marks that
#: look like a separator (one dot leader, hyphenation point, bullet operator, katakana middle
#: dot, small em dash, the Arabic thousands and decimal separators, the apostrophes).
HIDING_CHARS = (
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2061, 0x2065)),
    *map(chr, range(0x2066, 0x2070)),
    "\u180e",
    "\u061c",
    "\u2024",
    "\u2027",
    "\u2219",
    "\u30fb",
    "\ufe58",
    "\u066c",
    "\u066b",
    "'",
    "\u2019",
)
_HIDING_IDS = [f"U+{ord(char):04X}" for char in HIDING_CHARS]


def _hidden(char: str) -> str:
    """The test card number in groups of four joined by ``char``."""
    return char.join(CHAIN_CARD[i : i + 4] for i in range(0, 16, 4))


def _label_pattern() -> str:
    """The label's ``not.pattern`` in the account schema (a run of more than four digits)."""
    from billrules.schema import json_schema

    found = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "masked label" in str(node.get("description", "")) and "not" in node:
                found.add(node["not"]["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json_schema("account"))
    assert 1 == len(found)
    return found.pop()


class TestHidingCharacters:
    @pytest.mark.parametrize("char", HIDING_CHARS, ids=_HIDING_IDS)
    def test_a_card_number_split_by_the_character_is_found(self, char):
        """PM-6: ``4242<LRM>4242<LRM>4242<LRM>4242`` and the like hold a card number."""
        assert holds_card_number(_hidden(char))
        assert holds_card_number(f"paid {_hidden(char)} today")

    @pytest.mark.parametrize("char", HIDING_CHARS, ids=_HIDING_IDS)
    def test_an_id_holding_a_split_card_number_is_refused(self, char):
        """PM-6: an account id or an invoice id holding it is refused, never echoed."""
        text = _hidden(char)
        for plain, field in (
            (_account_plain(id=text), "id"),
            (_invoice_plain(id=text), "invoices[0].id"),
        ):
            with pytest.raises(InvalidInput) as excinfo:
                account_from_mapping(plain)
            assert field == excinfo.value.field
            assert_not_repeated(CHAIN_CARD, error_texts(excinfo.value))
        with pytest.raises(InvalidInput) as excinfo:
            _invoice(id=text)
        assert "Invoice.id" == excinfo.value.field
        assert_not_repeated(CHAIN_CARD, error_texts(excinfo.value))

    @pytest.mark.parametrize("char", HIDING_CHARS, ids=_HIDING_IDS)
    def test_an_error_message_masks_a_split_card_number(self, char):
        """PM-6: ``shown`` masks the whole run, and a call taking a name (the schema's)
        refuses it without repeating it."""
        from billrules.schema import json_schema

        text = _hidden(char)
        assert "'•••'" == shown(text)
        assert "'card •••!'" == shown(f"card {text}!")
        with pytest.raises(InvalidInput) as excinfo:
            json_schema(text)
        assert "name" == excinfo.value.field
        assert "must not hold a card number" in excinfo.value.problem
        assert_not_repeated(CHAIN_CARD, error_texts(excinfo.value))

    @pytest.mark.parametrize("char", HIDING_CHARS, ids=_HIDING_IDS)
    def test_the_command_never_repeats_a_split_card_number(self, capsys, char):
        """PM-6: the one line the command writes on stderr masks it."""
        from billrules.cli import main

        assert 2 == main(["explain", "--at", _hidden(char)])
        err = capsys.readouterr().err
        assert "•••" in err
        assert_not_repeated(CHAIN_CARD, [err])

    @pytest.mark.parametrize("char", HIDING_CHARS, ids=_HIDING_IDS)
    def test_a_label_run_counts_digits_across_the_character(self, char):
        """PM-6: one such character joins a label's run, as the label schema reads it."""
        label = f"Visa 42{char}42{char}4"
        assert 5 == longest_digit_run(label)
        assert re.search(_label_pattern(), label)
        with pytest.raises(InvalidInput) as excinfo:
            _invoice(method=label)
        assert "Invoice.method" == excinfo.value.field
        assert 4 == longest_digit_run(f"Visa{char}4242")
        assert not re.search(_label_pattern(), f"Visa{char}4242")

    def test_every_format_character_is_a_separator(self):
        """PM-6: every character of category Cf this Python knows joins a run, in the guard,
        the mask and the label rule alike, and in the label schema every one of the Basic
        Multilingual Plane (the others have no escape ECMA-262 and Python read alike)."""
        pattern = re.compile(_label_pattern())
        formats = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
        assert len(formats) >= 163
        missed = [
            f"U+{ord(char):04X}"
            for char in formats
            if not (
                holds_card_number(_hidden(char))
                and "'•••'" == shown(_hidden(char))
                and 5 == longest_digit_run(f"42{char}424")
                and (ord(char) > 0xFFFF or pattern.search(f"42{char}424"))
            )
        ]
        assert [] == missed

    @pytest.mark.parametrize(
        "value", ["O'Brien", "it's 2024", "inv-2024-05-0001", "Zürich’s 1’234 seats", "acme"]
    )
    def test_ordinary_text_with_apostrophes_is_accepted(self, value):
        """PM-6: an apostrophe between words or short numbers holds no card number."""
        assert not holds_card_number(value)
        account_from_mapping(_account_plain(id=value))
