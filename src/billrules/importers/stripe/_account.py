"""``account_from_stripe``: a customer's Stripe objects into one account (IMP-1 … IMP-5).
Private.

Part of :mod:`billrules.importers.stripe`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from moneyed import Currency

from billrules import _time
from billrules._check import checked
from billrules.account import Account, User
from billrules.balance import Ledger
from billrules.errors import InvalidInput, InvalidType
from billrules.importers.stripe import _balance, _checks, _invoices, _subscription, _wallet
from billrules.importers.stripe._amounts import stripe_currency
from billrules.importers.stripe._issues import (
    ImportIssue,
    IssueCode,
    Issues,
    UnmappedStripeData,
    safe_id,
)
from billrules.importers.stripe._read import (
    Obj,
    flag,
    foreign,
    instant,
    integer,
    mapping,
    optional_mapping,
    reference,
    refuse_card_numbers,
    required_id,
)
from billrules.invoices import Invoice

_MODES = ("strict", "lenient")


@attrs.frozen(kw_only=True)
class StripeImport:
    """An import's result (IMP-4): the account, and the report of what it left out and where
    Stripe and billrules disagree.

    Attributes:
        account: The account built from what maps.
        report: Every issue, in the order met: concepts left out (IMP-4), then the
            cross-checks (IMP-5). Strict mode's report holds cross-checks only.
    """

    account: Account
    report: tuple[ImportIssue, ...]

    @property
    def left_out(self) -> tuple[ImportIssue, ...]:
        """The concepts left out (IMP-4): what strict mode refuses."""
        return tuple(issue for issue in self.report if not issue.cross_check)

    @property
    def cross_checks(self) -> tuple[ImportIssue, ...]:
        """The disagreements between Stripe and billrules (IMP-5)."""
        return tuple(issue for issue in self.report if issue.cross_check)

    def report_json(self) -> list[dict[str, Any]]:
        """The report as JSON data: one ``{"code", "path", "object_id", "detail"}`` per issue."""
        return [issue.as_json() for issue in self.report]


@checked
def _objects(value: object, path: str, issues: Issues) -> tuple[Any, ...]:
    """The objects of an argument: a sequence, or a Stripe list object as the API returns it
    (``{"object": "list", "data": [...], "has_more": ...}``); a list with more pages than
    given is reported (IMP-4: what was not given is left out)."""
    if isinstance(value, Mapping):
        data = value.get("data")
        if (
            value.get("object") != "list"
            or isinstance(data, (str, bytes))
            or not isinstance(data, Sequence)
        ):
            raise InvalidType(path, "must be a list of objects or a Stripe list object")
        if value.get("has_more") is True:
            issues.add(
                IssueCode.INCOMPLETE_LIST,
                f"{path}.has_more",
                None,
                "holds more pages than given: fetch them all (auto-pagination)",
            )
        return tuple(data)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(path, f"must be a list of objects, not {type(value).__name__}")
    return tuple(value)


def account_from_stripe(
    *,
    customer: Mapping[str, Any],
    payment_methods: Iterable[Mapping[str, Any]] = (),
    invoices: Iterable[Mapping[str, Any]] = (),
    subscription: Mapping[str, Any] | None = None,
    balance_transactions: Iterable[Mapping[str, Any]] = (),
    zone: ZoneInfo | str,
    users: Iterable[User],
    seat_price: str | None = None,
    account_id: str | None = None,
    currency: str | None = None,
    prepaid: bool = False,
    at: datetime | None = None,
    mode: str = "strict",
) -> StripeImport:
    """One account from a Stripe customer's objects. Decides IMP-1 (amounts in Stripe's minor
    units), IMP-2 (Unix seconds as UTC instants; zone and users from the host), IMP-3 (which
    objects map, and how), IMP-4 (strict or lenient) and IMP-5 (the cross-checks).

    Args:
        customer: The Customer object.
        payment_methods: Its PaymentMethods (``GET /v1/customers/{id}/payment_methods``).
        invoices: Its Invoices, in either API shape (before or after 2025-03-31).
        subscription: Its Subscription, in either API shape, if any.
        balance_transactions: Its customer balance transactions; Stripe's account balance
            transactions given here are reported (disputes as ``dispute``).
        zone: The account's time zone (IMP-2: Stripe has none for a customer).
        users: The account's users, exactly one owner (IMP-2: the host's).
        seat_price: The id of the price whose quantity is the seats (SEAT-1); each user
            occupies one.
        account_id: The account's id; the customer's id by default.
        currency: The currency for a customer Stripe gives none (one never billed); Stripe's
            ``customer.currency`` wins when it has one.
        prepaid: Whether the customer's balance is a prepaid ledger (BAL-3). If not, a
            non-zero ``customer.balance`` is reported as left out.
        at: When the objects were read; only the cross-checks read it (an open invoice past
            its due date is in arrears).
        mode: ``"strict"`` raises :class:`UnmappedStripeData` at the first concept it cannot
            map, naming the Stripe field path; ``"lenient"`` leaves it out and reports it.

    Returns:
        The :class:`StripeImport`: the account and the report.

    Raises:
        UnmappedStripeData: in strict mode, the first concept that cannot map; in both, a
            ``card.number`` (PM-6), or a required id or instant that is missing.
        InvalidType: a value of the wrong type for its Stripe field (a float amount, IMP-1).
        InvalidInput: ``mode`` is neither, or a host input is refused (``users``, ``zone``).
    """
    if mode not in _MODES:
        raise InvalidInput("mode", "must be 'strict' or 'lenient'")
    issues = Issues(strict=mode == "strict")
    tz = _time.to_zone(zone, "zone")
    people = tuple(users)
    methods = _objects(payment_methods, "payment_methods", issues)
    bills = _objects(invoices, "invoices", issues)
    moves = _objects(balance_transactions, "balance_transactions", issues)
    for value, path in (
        (customer, "customer"),
        (methods, "payment_methods"),
        (bills, "invoices"),
        (subscription, "subscription"),
        (moves, "balance_transactions"),
    ):
        refuse_card_numbers(value, path)
    cust = mapping(customer, "customer")
    customer_id = required_id(cust, "customer")
    created_at = instant(cust, "created", "customer")
    if created_at is None and flag(cust, "deleted", "customer"):
        raise UnmappedStripeData(
            "customer.deleted",
            "a deleted customer has nothing left to import",
            IssueCode.DELETED_CUSTOMER.value,
            safe_id(customer_id),
        )
    if created_at is None:
        raise UnmappedStripeData("customer.created", "is required", IssueCode.MISSING_FIELD.value)
    sub = None if subscription is None else mapping(subscription, "subscription")
    own = _currency(cust, sub, bills, currency, issues)
    _customer_issues(cust, customer_id, issues)
    wallet = _wallet.wallet(methods, _default_ids(cust, sub), customer_id, issues)
    imported = _subscription.Imported(None, None, None)
    sub_id = None
    if sub is not None and not foreign(sub, "subscription", customer_id, issues):
        sub_id = required_id(sub, "subscription")
        imported = _subscription.subscription(
            sub,
            path="subscription",
            currency=own,
            zone=tz,
            seat_price=seat_price,
            occupants=tuple(user.id for user in people),
            issues=issues,
        )
    kept = _invoice_list(bills, own, sub_id, customer_id, issues)
    ledger = _ledger(cust, moves, own, prepaid, customer_id, issues)
    _checks.delinquent(flag(cust, "delinquent", "customer"), kept, at, issues)
    _checks.subscription_status(imported.status, imported.subscription, kept, at, issues)
    account = Account(
        id=account_id if account_id is not None else customer_id,
        zone=tz,
        currency=own,
        created_at=created_at,
        users=people,
        ledger=ledger,
        invoices=tuple(kept),
        wallet=wallet,
        seats=imported.seats,
        subscription=imported.subscription,
    )
    return StripeImport(account=account, report=tuple(issues.found))


def _currency(
    cust: Obj, sub: Obj | None, bills: Sequence[object], fallback: str | None, issues: Issues
) -> Currency:
    """The account's currency: the customer's, else the subscription's, else the first
    invoice's (Stripe sets the customer's on its first billing), else the host's."""
    sources: list[tuple[object, str]] = [(cust.get("currency"), "customer.currency")]
    if sub is not None:
        sources.append((sub.get("currency"), "subscription.currency"))
    for index, raw in enumerate(bills):
        path = f"invoices[{index}]"
        sources.append((mapping(raw, path).get("currency"), f"{path}.currency"))
    for value, path in sources:
        if value is None:
            continue
        try:
            return stripe_currency(value, path)
        except InvalidInput:
            issues.add(IssueCode.UNKNOWN_CURRENCY, path, None, "unknown currency code")
    if fallback is not None:
        return stripe_currency(fallback, "currency")
    raise UnmappedStripeData(
        "customer.currency",
        "no currency in the Stripe objects: give the account's currency",
        IssueCode.MISSING_FIELD.value,
    )


def _customer_issues(cust: Obj, customer_id: str, issues: Issues) -> None:
    shown_id = safe_id(customer_id)
    if flag(cust, "deleted", "customer"):
        issues.add(IssueCode.DELETED_CUSTOMER, "customer.deleted", shown_id, "a deleted customer")
    if cust.get("discount") is not None:
        issues.add(IssueCode.DISCOUNTS, "customer.discount", shown_id, "discounts are left out")


def _default_ids(cust: Obj, sub: Obj | None) -> list[tuple[str | None, str]]:
    """PM-1: the default method in Stripe's own order of precedence."""
    found: list[tuple[str | None, str]] = []
    settings = optional_mapping(cust, "invoice_settings", "customer")
    if settings is not None:
        where = "customer.invoice_settings.default_payment_method"
        found.append(
            (reference(settings, "default_payment_method", "customer.invoice_settings"), where)
        )
    if sub is not None:
        found.append(
            (
                reference(sub, "default_payment_method", "subscription"),
                "subscription.default_payment_method",
            )
        )
    found.append((reference(cust, "default_source", "customer"), "customer.default_source"))
    return found


def _invoice_list(
    bills: Sequence[object], own: Currency, sub_id: str | None, customer_id: str, issues: Issues
) -> list[Invoice]:
    kept: list[Invoice] = []
    seen: set[str] = set()
    for index, raw in enumerate(bills):
        path = f"invoices[{index}]"
        obj = mapping(raw, path)
        required_id(obj, path)
        if foreign(obj, path, customer_id, issues):
            continue
        found = _invoices.invoice(obj, path, own, sub_id, issues)
        if found is None:
            continue
        if found.id in seen:
            issues.add(IssueCode.DUPLICATE_ID, f"{path}.id", safe_id(found.id), "a copy")
            continue
        seen.add(found.id)
        kept.append(found)
    return kept


def _ledger(
    cust: Obj,
    moves: Sequence[object],
    own: Currency,
    prepaid: bool,
    customer_id: str,
    issues: Issues,
) -> Ledger | None:
    transactions = _balance.processor_transactions(moves, customer_id, issues)
    balance = integer(cust, "balance", "customer")
    if not prepaid:
        if balance:
            issues.add(
                IssueCode.CUSTOMER_BALANCE,
                "customer.balance",
                None,
                "the customer's balance is left out: the account is not prepaid",
            )
        return None
    ledger = _balance.ledger(transactions, own, issues)
    if balance is not None and ledger.balance != _balance.credit_of(balance, own):
        issues.add(
            IssueCode.BALANCE_DISAGREES,
            "customer.balance",
            None,
            "the balance transactions do not add up to the customer's balance",
        )
    return ledger
