"""The Stripe importer on Stripe's own example objects (IMP-1 … IMP-5): each rule with an
example from tests/fixtures/stripe (see its README.md for the placeholders adjusted)."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, date, datetime
from typing import Any

import pytest
from moneyed import Money

from _stripe_fixtures import (
    CUSTOMER_ID,
    INVOICE_ID,
    METHOD_ID,
    OWNER,
    PRICE_ID,
    SUBSCRIPTION_ID,
    card,
    codes,
    imported,
    invoice,
    load,
    open_invoice,
    quiet_customer,
    quiet_subscription,
    variant,
)
from billrules.account import User
from billrules.errors import FloatAmountError, InvalidInput, InvalidType
from billrules.importers.stripe import (
    ImportIssue,
    IssueCode,
    StripeImport,
    UnmappedStripeData,
    account_from_stripe,
    from_stripe_amount,
    stripe_exponent,
    to_stripe_amount,
)
from billrules.invoices import BillingDetails, InvoiceStatus
from billrules.payment_methods import PaymentMethodKind
from billrules.subscriptions import Period

# --------------------------------------------------------------------------------------------
# IMP-1 money


@pytest.mark.parametrize(
    ("amount", "currency", "money"),
    [
        (4900, "usd", Money("49.00", "USD")),
        (500, "jpy", Money("500", "JPY")),
        (500, "mga", Money("500", "MGA")),  # ISO says 2 decimals; Stripe 0
        (500, "ugx", Money("500", "UGX")),
        (1230, "kwd", Money("1.230", "KWD")),
        (1230, "tnd", Money("1.230", "TND")),
        (50000, "isk", Money("500.00", "ISK")),  # ISO says 0 decimals; Stripe 2
        (100, "huf", Money("1.00", "HUF")),
        (100, "twd", Money("1.00", "TWD")),
    ],
)
def test_amounts_follow_stripes_exponent_table(amount: int, currency: str, money: Money) -> None:
    """IMP-1: Stripe's zero-, two- and three-decimal currencies and its special cases."""
    assert from_stripe_amount(amount, currency) == money
    assert to_stripe_amount(money) == amount


def test_invoice_amounts_are_read_in_the_invoices_currency() -> None:
    """IMP-1: the fixture invoice's 1000 (``usd``, lower case) is 10.00 USD; in JPY 1000 yen."""
    usd = imported(invoices=[open_invoice()]).account
    assert usd.currency.code == "USD"
    assert usd.invoices[0].amount == Money("10.00", "USD")
    yen = imported(
        customer=variant(quiet_customer(), currency="jpy"),
        invoices=[open_invoice(currency="jpy")],
    ).account
    assert yen.invoices[0].amount == Money("1000", "JPY")
    assert stripe_exponent("JPY") == 0


@pytest.mark.parametrize("mode", ["strict", "lenient"])
@pytest.mark.parametrize(
    ("value", "error"),
    [(1000.0, FloatAmountError), (True, InvalidType), ("1000", InvalidType)],
)
def test_a_float_bool_or_text_amount_is_refused_naming_the_path(
    mode: str, value: object, error: type[Exception]
) -> None:
    """IMP-1: a float, boolean or text amount is refused in both modes, naming its path."""
    bills = [open_invoice(), open_invoice(id="in_2", amount_due=value)]
    with pytest.raises(error) as refused:
        imported(mode, invoices=bills)
    assert getattr(refused.value, "field", None) == "invoices[1].amount_due"


def test_to_stripe_amount_refuses_what_is_finer_than_the_minor_unit() -> None:
    """IMP-1: nothing is rounded: half a yen has no Stripe amount."""
    with pytest.raises(InvalidInput):
        to_stripe_amount(Money("0.5", "JPY"))


# --------------------------------------------------------------------------------------------
# IMP-2 time


def test_unix_seconds_become_aware_utc_instants() -> None:
    """IMP-2: the fixture customer's ``created`` 1234567890 is 2009-02-13 23:31:30 UTC."""
    account = imported().account
    assert account.created_at == datetime(2009, 2, 13, 23, 31, 30, tzinfo=UTC)
    assert account.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("zone", "anchor"),
    [("America/New_York", date(2009, 2, 13)), ("Asia/Tokyo", date(2009, 2, 14))],
)
def test_the_cycle_anchor_is_a_date_in_the_hosts_zone(zone: str, anchor: date) -> None:
    """IMP-2: ``billing_cycle_anchor`` (2009-02-13 23:31:30 UTC) is a date in the host's zone."""
    result = imported(subscription=quiet_subscription(), zone=zone)
    assert result.account.subscription is not None
    assert result.account.subscription.anchor == anchor
    assert str(result.account.zone) == zone


# --------------------------------------------------------------------------------------------
# IMP-3 objects


def test_a_card_payment_method_maps() -> None:
    """IMP-3, PM-1: the fixture's Visa 4242 (8/2030) is the wallet's default, as the
    customer's ``invoice_settings.default_payment_method`` says."""
    wallet = imported(payment_methods=[card()]).account.wallet
    assert wallet.default_id == METHOD_ID
    method = wallet.methods[0]
    assert (method.kind, method.label, method.expiry) == (
        PaymentMethodKind.CARD,
        "Visa •••• 4242",
        (2030, 8),
    )


@pytest.mark.parametrize(
    ("wallet", "kind"),
    [("apple_pay", PaymentMethodKind.APPLE_PAY), ("google_pay", PaymentMethodKind.GOOGLE_PAY)],
)
def test_card_wallets_are_pm7_kinds(wallet: str, kind: PaymentMethodKind) -> None:
    """IMP-3, PM-7: ``card.wallet.type`` apple_pay and google_pay are billrules' kinds."""
    result = imported(payment_methods=[card(wallet)])
    assert result.account.wallet.methods[0].kind is kind
    assert result.report == ()


def test_the_fixtures_link_wallet_is_reported_and_kept_as_a_card() -> None:
    """IMP-3, IMP-4: the fixture's ``card.wallet.type`` ``link`` has no PM-7 kind."""
    result = imported(payment_methods=[load("payment_method")])
    assert result.account.wallet.methods[0].kind is PaymentMethodKind.CARD
    assert codes(result) == [("unsupported_wallet", "payment_methods[0].card.wallet.type")]


def test_other_payment_method_types_are_reported_and_left_out() -> None:
    """IMP-3, IMP-4: a SEPA debit has no home (PM-7): reported, and the wallet keeps the card."""
    sepa = variant(card(), id="pm_sepa", type="sepa_debit", card=None)
    result = imported(payment_methods=[sepa, card()])
    assert result.account.wallet.ids == (METHOD_ID,)
    assert codes(result) == [("unsupported_payment_method", "payment_methods[0].type")]
    assert result.report[0].object_id == "pm_sepa"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"status": "draft", "automatically_finalizes_at": 1721954054}, InvoiceStatus.SCHEDULED),
        ({"attempt_count": 0}, InvoiceStatus.SUBMITTED),
        ({"attempt_count": 2, "attempted": True}, InvoiceStatus.FAILED),
        ({"status": "uncollectible"}, InvoiceStatus.UNCOLLECTIBLE),
        ({"status": "void"}, InvoiceStatus.CANCELLED),
    ],
)
def test_invoice_statuses_map(changes: dict[str, Any], status: InvoiceStatus) -> None:
    """IMP-3, INV-2, OVD-6: draft → scheduled (at ``automatically_finalizes_at``), open →
    submitted, or failed once attempted, uncollectible → uncollectible, void → cancelled."""
    result = imported(invoices=[open_invoice(**changes)])
    assert result.account.invoices[0].status is status
    assert result.account.invoices[0].issued_at == datetime.fromtimestamp(1721954054, UTC)


def test_a_paid_invoice_keeps_its_amounts_and_instants() -> None:
    """IMP-3: amount due and paid, finalised, due and paid instants."""
    paid = open_invoice(status="paid", amount_paid=1000, amount_remaining=0)
    paid["status_transitions"]["paid_at"] = 1721957654
    found = imported(invoices=[paid]).account.invoices[0]
    assert (found.status, found.amount, found.amount_paid) == (
        InvoiceStatus.PAID,
        Money("10.00", "USD"),
        Money("10.00", "USD"),
    )
    assert found.paid_at == datetime.fromtimestamp(1721957654, UTC)
    assert found.due_at == found.issued_at  # charge_automatically: due when issued


def test_a_send_invoice_is_due_at_its_due_date() -> None:
    """IMP-3: ``due_date`` is the due instant."""
    found = imported(invoices=[open_invoice(due_date=1724632454)]).account.invoices[0]
    assert found.due_at == datetime.fromtimestamp(1724632454, UTC)


def test_the_invoice_keeps_the_billing_details_it_was_issued_with() -> None:
    """IMP-3, INV-4: ``customer_name`` and ``customer_address`` are its billing details."""
    address = {
        "city": "San Francisco",
        "country": "US",
        "line1": "1234 Fake Street",
        "line2": None,
        "postal_code": "94102",
        "state": "CA",
    }
    bill = open_invoice(customer_name="Jenny Rosen", customer_address=address)
    found = imported(invoices=[bill]).account.invoices[0]
    assert found.billing_details == BillingDetails(
        name="Jenny Rosen", address="1234 Fake Street, 94102 San Francisco, CA, US"
    )


def test_the_fixture_draft_without_finalisation_is_reported() -> None:
    """IMP-3, IMP-4: the fixture draft finalises at no instant: a scheduled invoice whose
    issue has passed cannot be built, so it is reported."""
    result = imported(invoices=[invoice()])
    assert result.account.invoices == ()
    assert codes(result) == [
        ("draft_invoice_in_the_past", "invoices[0].automatically_finalizes_at")
    ]
    assert result.report[0].object_id == INVOICE_ID


@pytest.mark.parametrize(
    ("subscription", "bill"),
    [
        ("subscription", "invoice"),
        ("subscription_before_2025_03_31", "invoice_before_2025_03_31"),
    ],
)
def test_both_api_shapes_map_alike(subscription: str, bill: str) -> None:
    """IMP-3: before 2025-03-31 (``subscription.current_period_*``, ``invoice.subscription``)
    and after (``items.data[].current_period_*``, ``invoice.parent.subscription_details``)."""
    sub = quiet_subscription(subscription, cancel_at=None)
    opened = variant(
        load(bill), status="open", due_date=None, status_transitions={"finalized_at": 1721954054}
    )
    result = imported(subscription=sub, invoices=[opened])
    found = result.account.subscription
    assert found is not None
    assert (found.plan, found.period, found.anchor) == (
        "prod_QXg1hqf4jFNsqG",
        Period.MONTHLY,
        date(2009, 2, 13),
    )
    # cancel_at_period_end: the period's end, read where the shape keeps it
    assert found.ends_at == datetime.fromtimestamp(1724632454, UTC)
    assert result.report == ()
    other = imported(subscription=variant(sub, id="sub_other"), invoices=[opened])
    path = (
        "invoices[0].subscription"
        if bill.endswith("2025_03_31")
        else "invoices[0].parent.subscription_details.subscription"
    )
    assert codes(other) == [("other_subscription", path)]


def test_cancel_at_is_the_end() -> None:
    """IMP-3, SUB-2: ``cancel_at`` is when the cancellation takes effect."""
    found = imported(subscription=quiet_subscription(cancel_at=1730000000)).account.subscription
    assert found is not None
    assert found.ends_at == datetime.fromtimestamp(1730000000, UTC)


@pytest.mark.parametrize(
    ("interval", "count", "period"),
    [
        ("month", 1, Period.MONTHLY),
        ("month", 3, Period.QUARTERLY),
        ("month", 6, Period("6 months")),
        ("year", 1, Period.YEARLY),
        ("year", 2, Period("24 months")),
        ("week", 2, Period("2 weeks")),
        ("day", 1, None),
        ("year", 3, None),
    ],
)
def test_interval_times_count_is_the_period(
    interval: str, count: int, period: Period | None
) -> None:
    """IMP-3, SUB-7: ``recurring.interval`` × ``interval_count``; days have no period."""
    sub = quiet_subscription()
    sub["items"]["data"][0]["price"]["recurring"].update(interval=interval, interval_count=count)
    result = imported(subscription=sub)
    if period is None:
        assert result.account.subscription is None
        assert codes(result) == [
            ("unsupported_interval", "subscription.items.data[0].price.recurring.interval")
        ]
    else:
        assert result.account.subscription is not None
        assert result.account.subscription.period is period


def test_the_host_named_price_s_quantity_is_the_seats() -> None:
    """IMP-3, SEAT-1: with ``seat_price``, the item's quantity is the seats; each user
    occupies one."""
    sub = quiet_subscription()
    sub["items"]["data"][0]["quantity"] = 5
    users = [OWNER, User(id="ann", role="staff")]
    result = imported(subscription=sub, seat_price=PRICE_ID, users=users)
    assert result.account.seats is not None
    assert (result.account.seats.total, result.account.seats.occupants) == (5, ("jenny", "ann"))
    assert imported(subscription=sub).account.seats is None  # no seat price, no seats
    missing = imported(subscription=sub, seat_price="price_none")
    assert codes(missing) == [("seat_price_not_found", "subscription.items")]


def test_a_non_zero_customer_balance_is_reported_unless_prepaid() -> None:
    """IMP-3: the fixture customer's balance (−500: a credit) is left out of a postpaid
    account, and is the prepaid ledger's balance when the host asks for one."""
    moves = [load("customer_balance_transaction")]
    postpaid = imported(
        customer=variant(quiet_customer(), balance=-500), balance_transactions=moves
    )
    assert postpaid.account.ledger is None
    assert codes(postpaid) == [("customer_balance", "customer.balance")]
    prepaid = imported(
        customer=variant(quiet_customer(), balance=-500), balance_transactions=moves, prepaid=True
    )
    assert prepaid.account.ledger is not None
    assert prepaid.account.ledger.balance == Money("5.00", "USD")  # negative means credit
    assert prepaid.report == ()


def test_the_processors_balance_transactions_are_reported() -> None:
    """IMP-3, IMP-4: an account balance transaction (the fixture's charge) is not the
    customer's balance; a dispute is reported as one."""
    charge = load("balance_transaction")
    dispute = variant(charge, id="txn_dispute", type="adjustment", reporting_category="dispute")
    result = imported(balance_transactions=[charge, dispute], prepaid=True)
    assert codes(result) == [
        ("processor_balance_transaction", "balance_transactions[0].object"),
        ("dispute", "balance_transactions[1].reporting_category"),
    ]


# --------------------------------------------------------------------------------------------
# IMP-4 strict or lenient


def _all_fixtures(mode: str) -> StripeImport:
    return account_from_stripe(
        customer=load("customer"),
        payment_methods=[load("payment_method")],
        invoices=[load("invoice")],
        subscription=load("subscription"),
        balance_transactions=[load("customer_balance_transaction"), load("balance_transaction")],
        zone="America/New_York",
        users=[OWNER],
        seat_price=PRICE_ID,
        mode=mode,
    )


def test_lenient_reports_every_concept_left_out_of_the_fixtures() -> None:
    """IMP-4: what the fixtures leave out, and why, each with a code, a path and an id."""
    result = _all_fixtures("lenient")
    assert codes(result) == [
        ("discounts", "customer.discount"),  # the customer's coupon discount
        ("unsupported_wallet", "payment_methods[0].card.wallet.type"),  # Link
        ("paused", "subscription.pause_collection"),  # mark_uncollectible pause
        ("draft_invoice_in_the_past", "invoices[0].automatically_finalizes_at"),
        ("processor_balance_transaction", "balance_transactions[1].object"),  # a charge
        ("customer_balance", "customer.balance"),  # not prepaid
    ]
    assert [issue.object_id for issue in result.report][:4] == [
        CUSTOMER_ID,
        METHOD_ID,
        SUBSCRIPTION_ID,
        INVOICE_ID,
    ]
    account = result.account
    assert account.id == CUSTOMER_ID
    assert account.wallet.default_id == METHOD_ID
    assert account.subscription is not None
    assert account.seats is not None
    assert result.left_out == result.report
    assert result.cross_checks == ()


def test_strict_refuses_at_the_first_concept_naming_its_path() -> None:
    """IMP-4: strict mode raises at the first concept, naming the Stripe field path."""
    with pytest.raises(UnmappedStripeData) as refused:
        _all_fixtures("strict")
    assert (refused.value.field, refused.value.code, refused.value.object_id) == (
        "customer.discount",
        "discounts",
        CUSTOMER_ID,
    )
    assert isinstance(refused.value, InvalidInput)
    bills = [
        open_invoice(),
        open_invoice(id="in_2"),
        open_invoice(id="in_3"),
        open_invoice(id="in_4", status="deleted"),
    ]
    with pytest.raises(UnmappedStripeData) as refused:
        imported("strict", invoices=bills)
    assert refused.value.field == "invoices[3].status"
    assert refused.value.code == "unknown_invoice_status"


def test_the_error_pickles_with_its_code() -> None:
    """IMP-4: the error survives a process boundary with its path, code and object id."""
    error = UnmappedStripeData("invoices[3].status", "unknown", "unknown_invoice_status", "in_4")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.field, copy.code, copy.object_id) == (
        "invoices[3].status",
        "unknown_invoice_status",
        "in_4",
    )


def test_the_report_is_json_data() -> None:
    """IMP-4: the report is data: code, path, object id and a sentence per issue."""
    result = _all_fixtures("lenient")
    data = json.loads(json.dumps(result.report_json()))
    assert data[0] == {
        "code": "discounts",
        "path": "customer.discount",
        "object_id": CUSTOMER_ID,
        "detail": "discounts are left out",
    }
    assert all(set(item) == {"code", "path", "object_id", "detail"} for item in data)


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_a_card_number_is_refused_in_both_modes_never_echoed(mode: str) -> None:
    """IMP-4, PM-6: a ``card.number`` (which Stripe never sends) is refused, not repeated."""
    method = card()
    method["card"]["number"] = "4242424242424242"
    with pytest.raises(UnmappedStripeData) as refused:
        imported(mode, payment_methods=[method])
    assert refused.value.field == "payment_methods[0].card.number"
    assert refused.value.code == "card_number"
    assert "4242" not in str(refused.value)


def test_a_mode_other_than_strict_or_lenient_is_refused() -> None:
    """IMP-4: the mode is one of the two."""
    with pytest.raises(InvalidInput) as refused:
        imported("loose")
    assert refused.value.field == "mode"


# --------------------------------------------------------------------------------------------
# IMP-5 cross-checks


def test_delinquent_disagrees_is_reported_not_refused() -> None:
    """IMP-5, OVD-3: Stripe says delinquent, no imported invoice is in arrears; strict mode
    reports it and goes on."""
    result = imported("strict", customer=variant(quiet_customer(), delinquent=True))
    assert codes(result) == [("delinquent_disagrees", "customer.delinquent")]
    assert result.cross_checks == result.report
    failed = imported(invoices=[open_invoice(attempt_count=1)])
    assert codes(failed) == [("delinquent_disagrees", "customer.delinquent")]
    overdue = imported(
        customer=variant(quiet_customer(), delinquent=True),
        invoices=[open_invoice()],
        at=datetime(2024, 8, 1, tzinfo=UTC),
    )
    assert overdue.report == ()


def test_subscription_status_disagrees() -> None:
    """IMP-5: ``past_due`` with no invoice in arrears, ``active`` with a failed invoice."""
    past_due = imported(subscription=quiet_subscription(status="past_due"))
    assert codes(past_due) == [("subscription_status_disagrees", "subscription.status")]
    active = imported(
        customer=variant(quiet_customer(), delinquent=True),
        subscription=quiet_subscription(),
        invoices=[open_invoice(attempt_count=1)],
    )
    assert codes(active) == [("subscription_status_disagrees", "subscription.status")]


def test_quantity_below_occupied_seats() -> None:
    """IMP-5, SEAT-3: one seat for two users: reported, and the seats left out (lenient);
    strict refuses, since data would be left out (IMP-4)."""
    users = [OWNER, User(id="ann", role="staff")]
    given = {"subscription": quiet_subscription(), "seat_price": PRICE_ID, "users": users}
    result = imported("lenient", **given)
    assert codes(result) == [
        ("quantity_below_occupied_seats", "subscription.items.data[0].quantity")
    ]
    assert result.account.seats is None
    assert result.left_out == result.report
    with pytest.raises(UnmappedStripeData) as refused:
        imported("strict", **given)
    assert (refused.value.field, refused.value.code) == (
        "subscription.items.data[0].quantity",
        "quantity_below_occupied_seats",
    )


def test_no_default_payment_method() -> None:
    """IMP-5, PM-1: methods without a default: reported, and no default guessed (the wallet
    left empty, lenient); strict refuses rather than drop the cards (IMP-4)."""
    customer = quiet_customer()
    customer["invoice_settings"]["default_payment_method"] = None
    result = imported("lenient", customer=customer, payment_methods=[card()])
    assert codes(result) == [
        ("no_default_payment_method", "customer.invoice_settings.default_payment_method")
    ]
    assert result.account.wallet.methods == ()
    with pytest.raises(UnmappedStripeData) as refused:
        imported("strict", customer=customer, payment_methods=[card()])
    assert refused.value.code == "no_default_payment_method"
    via_subscription = imported(
        customer=customer,
        payment_methods=[card()],
        subscription=quiet_subscription(default_payment_method=METHOD_ID),
    )
    assert via_subscription.account.wallet.default_id == METHOD_ID


def test_balance_disagrees() -> None:
    """IMP-5: balance transactions that do not add up to ``customer.balance``."""
    result = imported(
        customer=variant(quiet_customer(), balance=-900),
        prepaid=True,
        balance_transactions=[load("customer_balance_transaction")],
    )
    assert codes(result) == [("balance_disagrees", "customer.balance")]


def test_issue_values_are_frozen() -> None:
    """IMP-4: an issue is a frozen value with its code."""
    issue = ImportIssue(
        code=IssueCode.TRIAL, path="subscription.status", object_id=None, detail="x"
    )
    assert not issue.cross_check
    with pytest.raises(AttributeError):
        issue.path = "y"  # type: ignore[misc]  # frozen: refused


def test_the_imported_account_is_written_as_json_and_explained() -> None:
    """IMP-3: the fixtures' account (with an open, attempted invoice) is an ordinary account:
    its JSON reads back equal, and ``explain`` answers for it."""
    from billrules import DEFAULT_POLICY, explain
    from billrules.serialize import account_from_json, account_to_json

    result = imported(
        payment_methods=[card()],
        subscription=quiet_subscription(status="past_due"),
        invoices=[open_invoice(attempt_count=1)],
        customer=variant(quiet_customer(), delinquent=True),
        seat_price=PRICE_ID,
    )
    assert result.report == ()
    account = result.account
    assert account_from_json(account_to_json(account)) == account
    report = explain(account, DEFAULT_POLICY, datetime(2024, 8, 1, tzinfo=UTC))
    assert report is not None


def test_objects_of_another_customer_are_reported_and_left_out() -> None:
    """IMP-3, IMP-4: a method, invoice or subscription naming another ``customer`` is not
    this account's."""
    result = imported(
        payment_methods=[card(customer="cus_other")],
        invoices=[open_invoice(customer="cus_other")],
        subscription=quiet_subscription(customer="cus_other"),
    )
    assert codes(result) == [
        ("other_customer", "payment_methods[0].customer"),
        ("other_customer", "subscription.customer"),
        ("other_customer", "invoices[0].customer"),
    ]
    account = result.account
    assert (account.wallet.methods, account.invoices, account.subscription) == ((), (), None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_paid": 1000}, "invoices[0].amount_due"),
        ({"amount_paid": 1200}, "invoices[0].amount_paid"),
        ({"amount_due": -1}, "invoices[0].amount_due"),
    ],
)
def test_amounts_an_invoice_cannot_hold_are_reported(changes: dict[str, Any], field: str) -> None:
    """IMP-3, INV-2: an open one with nothing left to pay, more paid than due, a negative
    amount: reported with the field, not guessed."""
    bill = open_invoice(**changes)
    bill["status_transitions"]["paid_at"] = 1721957654
    result = imported(invoices=[bill])
    assert codes(result) == [("inconsistent_amounts", field)]


def test_a_deleted_customer_is_refused_in_both_modes() -> None:
    """IMP-4: Stripe's deleted customer (id and ``deleted`` only) holds no account."""
    for mode in ("strict", "lenient"):
        with pytest.raises(UnmappedStripeData) as refused:
            imported(mode, customer={"id": CUSTOMER_ID, "object": "customer", "deleted": True})
        assert (refused.value.field, refused.value.code) == ("customer.deleted", "deleted_customer")
