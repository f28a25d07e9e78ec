"""``billrules import stripe``: Stripe's own example objects (tests/fixtures/stripe) into an
account file that ``billrules explain`` answers, the report of what was left out (IMP-4) and
of the cross-checks (IMP-5), strict mode, and bad input (exit 2, one line, no card number)."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs are declared for it
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _stripe_fixtures import (
    CUSTOMER_ID,
    INVOICE_ID,
    METHOD_ID,
    PRICE_ID,
    SUBSCRIPTION_ID,
    card,
    load,
    open_invoice,
    quiet_customer,
    quiet_subscription,
)
from billrules.cli import main
from billrules.importers.stripe import IssueCode
from billrules.roles import Role
from billrules.schema import json_schema
from billrules.serialize import account_from_json
from test_cli import TIMEOUT, assert_input_error, billrules

#: A card number Stripe never sends (PM-6): it must never be echoed.
CARD_NUMBER = "4242424242424242"
#: When the fixtures are read: after the subscription's period, in August 2024.
AT = "2024-08-01T12:00:00-04:00"
ZONE = "America/New_York"

#: What the report leaves out of the fixtures, and where (IMP-4): the customer's placeholder
#: discount, the card's Link wallet (kept as a card), the subscription's placeholder pause,
#: the draft invoice that finalises at no known instant, the processor's own balance
#: transaction, and the customer's balance of an account that is not prepaid.
LEFT_OUT = [
    ("discounts", "customer.discount", CUSTOMER_ID),
    ("unsupported_wallet", "payment_methods[0].card.wallet.type", METHOD_ID),
    ("paused", "subscription.pause_collection", SUBSCRIPTION_ID),
    ("draft_invoice_in_the_past", "invoices[0].automatically_finalizes_at", INVOICE_ID),
    (
        "processor_balance_transaction",
        "balance_transactions[1].object",
        "txn_1PgaxNB7WZ01zgkWEV3TLf40",
    ),
    ("customer_balance", "customer.balance", None),
]


def stripe_list(items: Any, **extra: Any) -> dict[str, Any]:
    """A Stripe list object, as ``GET /v1/customers/{id}/payment_methods`` returns one."""
    return {"object": "list", "data": items, "has_more": False, "url": "/v1/…", **extra}


def fixture_objects(*, lists: bool = True) -> dict[str, Any]:
    """Every fixture in one file: the lists as Stripe list objects (or plain lists)."""
    wrap = stripe_list if lists else (lambda items: items)
    return {
        "customer": load("customer"),
        "payment_methods": wrap([load("payment_method")]),
        "invoices": wrap([load("invoice")]),
        "subscription": load("subscription"),
        "balance_transactions": wrap(
            [load("customer_balance_transaction"), load("balance_transaction")]
        ),
    }


def quiet_objects() -> dict[str, Any]:
    """Objects with nothing to leave out: the customer without its discount and balance, a
    card without a wallet, an open invoice, the subscription without its pause."""
    return {
        "customer": quiet_customer(),
        "payment_methods": [card()],
        "invoices": [open_invoice()],
        "subscription": quiet_subscription(),
    }


def write(folder: Path, objects: object, name: str = "stripe.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(objects, indent=1), encoding="utf-8")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    """``main(args)`` in-process: its status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(arg) for arg in args])
    return status, out.getvalue(), err.getvalue()


def import_args(path: Path, *more: str | Path) -> list[str | Path]:
    return ["import", "stripe", path, "--zone", ZONE, "--owner", "u-1", "--at", AT, *more]


def assert_one_line_error(status: int, out: str, err: str, *fragments: str) -> None:
    assert (2, "") == (status, out)
    assert 1 == err.count("\n"), err
    assert err.startswith("billrules: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


class TestDoneWhen:
    """Issue 22's done-when: the fixtures become an account that ``billrules explain``
    answers, and the report lists what it leaves out."""

    def test_import_then_explain_answers(self, tmp_path: Path) -> None:
        """IMP-3, IMP-4: the command exits 0, writes the account to --out, lists each concept
        left out on stderr; explain of the written file exits 0 naming the account."""
        source = write(tmp_path, fixture_objects())
        account = tmp_path / "acct.json"
        done = billrules(
            "import", "stripe", source, "--zone", ZONE, "--owner", "u-1", "--out", account
        )
        assert (0, "") == (done.returncode, done.stdout), done.stderr
        assert "6 concepts left out (IMP-4), 0 disagreements (IMP-5)" in done.stderr
        for code, path, _ in LEFT_OUT:
            assert f"left out: {code} at {path}" in done.stderr
        explained = billrules("explain", account, "--at", AT)
        assert 0 == explained.returncode, explained.stderr
        assert f"Account {CUSTOMER_ID} ({ZONE})" in explained.stdout
        as_json = billrules("explain", account, "--at", AT, "--format", "json")
        assert CUSTOMER_ID == json.loads(as_json.stdout)["account_id"]

    def test_report_json_lists_codes_paths_and_ids(self, tmp_path: Path) -> None:
        """IMP-4: with --format json the report on stderr is the issues as data, one per
        concept left out, with its code, Stripe field path and object id."""
        status, out, err = run(*import_args(write(tmp_path, fixture_objects()), "--format", "json"))
        assert 0 == status
        report = json.loads(err)
        assert LEFT_OUT == [(i["code"], i["path"], i["object_id"]) for i in report]
        assert all(issue["detail"] for issue in report)
        assert CUSTOMER_ID == account_from_json(out).id

    def test_written_report_validates_against_its_schema(self, tmp_path: Path) -> None:
        """IMP-4: the JSON report validates against the published import_report schema, whose
        codes are exactly the importer's."""
        schema = json_schema("import_report")
        assert [code.value for code in IssueCode] == (
            schema["$defs"]["ImportIssue"]["properties"]["code"]["enum"]
        )
        for objects in (fixture_objects(), quiet_objects()):
            status, _, err = run(*import_args(write(tmp_path, objects), "--format", "json"))
            assert 0 == status
            jsonschema.Draft202012Validator(schema).validate(json.loads(err))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([{"code": "guess", "path": "x", "object_id": None}], schema)

    def test_account_goes_to_stdout_without_out(self, tmp_path: Path) -> None:
        """The account JSON is on stdout, readable by account_from_json, and the text report
        on stderr."""
        status, out, err = run(*import_args(write(tmp_path, fixture_objects())))
        assert 0 == status
        account = account_from_json(out)
        assert (CUSTOMER_ID, "u-1", METHOD_ID) == (
            account.id,
            account.users[0].id,
            account.wallet.default_id if account.wallet else None,
        )
        assert err.startswith("billrules: import stripe: account cus_QXg1o8vcGmoR32: 6 concepts")

    def test_cross_checks_are_reported_in_both_modes(self, tmp_path: Path) -> None:
        """IMP-5: a customer Stripe calls delinquent with nothing in arrears is a cross-check,
        reported (not refused) in strict mode too."""
        objects = quiet_objects()
        objects["customer"]["delinquent"] = True
        objects["invoices"] = []
        for strict in ((), ("--strict",)):
            status, _, err = run(*import_args(write(tmp_path, objects), *strict))
            assert 0 == status, err
            assert "0 concepts left out (IMP-4), 1 disagreement (IMP-5)" in err
            assert "cross-check: delinquent_disagrees at customer.delinquent" in err

    def test_both_api_shapes_give_the_same_subscription(self, tmp_path: Path) -> None:
        """IMP-3: the shapes before and after 2025-03-31 (current_period_* on the items,
        invoice.parent) import to the same subscription and invoices."""
        accounts = []
        for suffix in ("", "_before_2025_03_31"):
            objects = quiet_objects()
            objects["subscription"] = quiet_subscription(f"subscription{suffix}")
            objects["invoices"] = [load(f"invoice{suffix}")]
            status, out, err = run(*import_args(write(tmp_path, objects)))
            assert 0 == status, err
            accounts.append(account_from_json(out))
        assert accounts[0] == accounts[1]
        assert accounts[0].subscription is not None

    def test_host_inputs_become_the_account(self, tmp_path: Path) -> None:
        """IMP-2: the users and their roles, the seats' price, the account id and a prepaid
        balance are the host's options."""
        objects = fixture_objects()
        objects["balance_transactions"] = [load("customer_balance_transaction")]
        more = ["--seat-price", PRICE_ID, "--prepaid", "--account-id", "acme"]
        status, out, err = run(*import_args(write(tmp_path, objects), *more))
        assert 0 == status, err
        account = account_from_json(out)
        assert ("acme", [("u-1", Role.OWNER)]) == (
            account.id,
            [(user.id, user.role) for user in account.users],
        )
        assert account.ledger is not None
        assert account.seats is not None
        assert (1, ("u-1",)) == (account.seats.total, account.seats.occupants)
        assert "customer_balance" not in err

    def test_more_users_than_the_seat_quantity_is_a_cross_check(self, tmp_path: Path) -> None:
        """IMP-5, SEAT-3: --admin and --staff add users in their roles; a seat quantity (the
        fixture's 1) below them is reported and the seats are left out (a disagreement that
        leaves data out: reported with what is left out; --strict refuses it)."""
        more = ["--admin", "a-1", "--staff", "s-1", "--staff", "s-2", "--seat-price", PRICE_ID]
        status, out, err = run(*import_args(write(tmp_path, fixture_objects()), *more))
        assert 0 == status, err
        account = account_from_json(out)
        assert [
            ("u-1", Role.OWNER),
            ("a-1", Role.ADMIN),
            ("s-1", Role.STAFF),
            ("s-2", Role.STAFF),
        ] == [(user.id, user.role) for user in account.users]
        assert account.seats is None
        assert "left out: quantity_below_occupied_seats at subscription.items.data[0]" in err
        # --strict refuses at the first concept left out (the fixture's discount comes first).
        status, out, err = run(*import_args(write(tmp_path, fixture_objects()), *more, "--strict"))
        assert (2, "") == (status, out)
        assert "(discounts)" in err

    @settings(max_examples=20, deadline=None)
    @given(st.lists(st.booleans(), min_size=3, max_size=3), st.booleans())
    def test_a_stripe_list_object_is_its_data(
        self, wrapped: list[bool], subscription: bool
    ) -> None:
        """IMP-3: a list given as Stripe's list object or as a plain list gives the same
        account and report; a subscription as a list object of one is that subscription."""
        objects = fixture_objects(lists=False)
        for key, wrap in zip(
            ("payment_methods", "invoices", "balance_transactions"), wrapped, strict=True
        ):
            if wrap:
                objects[key] = stripe_list(objects[key])
        if subscription:
            objects["subscription"] = stripe_list([objects["subscription"]])
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            plain = run(*import_args(write(folder, fixture_objects(lists=False), "plain.json")))
            assert plain == run(*import_args(write(folder, objects, "given.json")))


class TestStrict:
    """IMP-4: --strict refuses at the first concept that cannot map, naming its path."""

    def test_strict_exits_2_naming_the_path_and_writes_nothing(self, tmp_path: Path) -> None:
        """IMP-4: the fixtures' first concept left out (the customer's discount) is the
        error's field; --out is not created."""
        account = tmp_path / "acct.json"
        done = billrules(
            *import_args(write(tmp_path, fixture_objects()), "--strict"), "--out", account
        )
        assert_input_error(done, "stripe.json: customer.discount:", "(discounts)")
        assert not account.exists()

    def test_strict_names_an_invoice_path(self, tmp_path: Path) -> None:
        """IMP-4: a draft invoice that finalises at no known instant is named by its path."""
        objects = quiet_objects()
        objects["invoices"] = [open_invoice(), load("invoice")]
        status, out, err = run(*import_args(write(tmp_path, objects), "--strict"))
        assert_one_line_error(
            status, out, err, "invoices[1].automatically_finalizes_at", "draft_invoice_in_the_past"
        )

    def test_strict_on_objects_that_all_map_exits_0(self, tmp_path: Path) -> None:
        """IMP-4: strict mode writes the account when nothing is left out."""
        status, out, err = run(*import_args(write(tmp_path, quiet_objects()), "--strict"))
        assert 0 == status, err
        assert [INVOICE_ID] == [invoice.id for invoice in account_from_json(out).invoices]
        assert "0 concepts left out (IMP-4)" in err


class TestBadInput:
    """Exit status 2, one line on stderr naming the file and the field, no traceback."""

    @pytest.mark.parametrize("strict", [False, True])
    def test_card_number_is_refused_without_echoing_the_digits(
        self, tmp_path: Path, strict: bool
    ) -> None:
        """PM-6: a card.number in the file (Stripe never sends one) is refused in both modes,
        naming its path, and no output holds the digits."""
        method = card()
        method["card"]["number"] = CARD_NUMBER
        objects = {**quiet_objects(), "payment_methods": stripe_list([method])}
        account = tmp_path / "acct.json"
        done = billrules(
            *import_args(write(tmp_path, objects), *(["--strict"] if strict else [])),
            "--out",
            account,
        )
        assert_input_error(done, "payment_methods[0].card.number")
        assert CARD_NUMBER not in done.stderr + done.stdout
        assert not account.exists()

    def test_a_card_number_as_a_key_is_not_echoed(self, tmp_path: Path) -> None:
        """PM-6: an unknown top-level key is named masked."""
        status, out, err = run(*import_args(write(tmp_path, {"customer": {}, CARD_NUMBER: 1})))
        assert_one_line_error(status, out, err, "unknown field; known fields are customer")
        assert CARD_NUMBER not in err

    def test_malformed_json_names_the_file_and_line(self, tmp_path: Path) -> None:
        source = tmp_path / "stripe.json"
        source.write_text('{"customer": {"id": "cus_1",\n "created" 1}}', encoding="utf-8")
        done = billrules(*import_args(source))
        assert_input_error(done, "stripe.json: malformed JSON at line 2")

    def test_unknown_zone_names_the_option(self, tmp_path: Path) -> None:
        status, out, err = run(
            "import", "stripe", write(tmp_path, quiet_objects()), "--zone", "America/NewYork",
            "--owner", "u-1",
        )  # fmt: skip
        assert_one_line_error(status, out, err, "--zone: unknown time zone 'America/NewYork'")

    @pytest.mark.parametrize(
        ("objects", "fragment"),
        [
            ([], "stripe.json: must be a JSON object of the customer's objects"),
            ({"customers": {}}, "'customers': unknown field; known fields are customer, "),
            ({"invoices": []}, "stripe.json: customer: is required"),
            (
                {"customer": quiet_customer(), "invoices": stripe_list([], has_more=True)},
                "invoices.has_more: is true: the list holds one page; fetch every page",
            ),
            (
                {"customer": quiet_customer(), "invoices": {"id": "in_1"}},
                "invoices: must be a list, or a Stripe list object",
            ),
            (
                {"customer": quiet_customer(), "invoices": stripe_list(None)},
                "invoices.data: must be a list of invoices",
            ),
            (
                {"customer": quiet_customer(), "subscription": stripe_list([{}, {}])},
                "subscription.data: holds 2 subscriptions; an account has one",
            ),
            (
                {"customer": quiet_customer(), "subscription": "sub_1"},
                "subscription: must be a Subscription object or null",
            ),
            ({"customer": {"id": "cus_1"}}, "stripe.json: customer.created: is required"),
            (
                {"customer": {**quiet_customer(), "balance": 1.5}},
                "stripe.json: customer.balance: ",
            ),
        ],
        ids=lambda value: str(value)[:30],
    )
    def test_bad_files_name_the_field(self, tmp_path: Path, objects: object, fragment: str) -> None:
        """Each refusal is one line naming the file and the key or the Stripe field path."""
        status, out, err = run(*import_args(write(tmp_path, objects)))
        assert_one_line_error(status, out, err, fragment)

    @pytest.mark.parametrize(
        ("options", "fragment"),
        [
            (["--owner", ""], "--owner: "),
            (["--owner", "u-1", "--admin", "u-1"], "--owner/--admin/--staff: "),
            (["--owner", "u-1", "--at", "2024-08-01T12:00"], "--at: must be timezone-aware"),
            (["--owner", "u-1", "--currency", "xyz"], "--currency: "),
            (["--owner", "u-1", "--account-id", "a" * 257], "--account-id: "),
        ],
    )
    def test_bad_host_inputs_name_the_option(
        self, tmp_path: Path, options: list[str], fragment: str
    ) -> None:
        """IMP-2: the host's inputs are refused naming the option that gave them."""
        objects = quiet_objects()
        objects["customer"]["currency"] = None  # so that --currency is read
        objects["invoices"] = []
        objects["subscription"] = None
        objects["payment_methods"] = []
        if "--currency" not in options:
            options = [*options, "--currency", "usd"]
        source = write(tmp_path, objects)
        status, out, err = run("import", "stripe", source, "--zone", ZONE, *options)
        assert_one_line_error(status, out, err, fragment)

    def test_missing_zone_or_owner_is_a_usage_error(self, tmp_path: Path) -> None:
        """IMP-2: the zone and the owner are required: nothing is guessed."""
        source = write(tmp_path, quiet_objects())
        for missing in (["--owner", "u-1"], ["--zone", ZONE]):
            status, out, err = run("import", "stripe", source, *missing)
            assert_one_line_error(status, out, err, "the following arguments are required")

    def test_missing_file(self, tmp_path: Path) -> None:
        status, out, err = run(*import_args(tmp_path / "none.json"))
        assert_one_line_error(status, out, err, "cannot read the Stripe file: No such file")

    def test_out_that_is_the_input_is_refused(self, tmp_path: Path) -> None:
        """The Stripe file is never overwritten by the account."""
        source = write(tmp_path, quiet_objects())
        before = source.read_bytes()
        status, out, err = run(*import_args(source, "--out", source))
        assert_one_line_error(status, out, err, "is the Stripe file")
        assert before == source.read_bytes()

    def test_out_replaces_an_old_account_whole(self, tmp_path: Path) -> None:
        """--out is written to a temporary file and renamed: no temporary file is left."""
        account = tmp_path / "acct.json"
        account.write_text("old", encoding="utf-8")
        status, _, err = run(*import_args(write(tmp_path, quiet_objects()), "--out", account))
        assert 0 == status, err
        assert CUSTOMER_ID == account_from_json(account.read_text(encoding="utf-8")).id
        assert ["acct.json", "stripe.json"] == sorted(p.name for p in tmp_path.iterdir())


def test_help_lists_the_import_command() -> None:
    """The command's help names import, and import stripe's help names its options."""
    done = subprocess.run(
        [sys.executable, "-m", "billrules", "import", "stripe", "--help"],
        capture_output=True,
        encoding="utf-8",
        check=False,
        timeout=TIMEOUT,
    )
    assert 0 == done.returncode
    for option in ("--zone", "--owner", "--admin", "--staff", "--strict", "--seat-price"):
        assert option in done.stdout
