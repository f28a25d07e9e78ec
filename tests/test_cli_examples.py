"""The bundled examples of the ``billrules`` command: ``--example delinquent`` (the default,
unchanged) and ``--example overdue``, the postpaid account of issue 21 (OVD-1 … OVD-5), run as
a subprocess and in-process, and an account file with ``--example`` refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from billrules import cli
from billrules.cli import EXAMPLE_AT, EXAMPLE_FILE, EXAMPLES, main
from billrules.invoices import InvoiceStatus
from billrules.payment_methods import is_expired
from billrules.policy import DEFAULT_POLICY
from billrules.report import explain
from billrules.serialize import account_from_json, account_to_json
from billrules.timeline import timeline

NEW_YORK = ZoneInfo("America/New_York")
#: The overdue example's own instant: three hours after its automatic charge failed.
OVERDUE_AT = "2024-05-01T12:00:00-04:00"
END = "2024-05-31T00:00:00-04:00"
TIMEOUT = 30
CARD = "card-visa-4242"

#: The issue's timeline of the overdue example from its instant to 31 May: (instant, area,
#: kind, what names it: the attempt for a retry, the stage for a stage, else None).
EXPECTED = [
    ("2024-05-02T09:00:00-04:00", "overdue", "charge_retry", 2),
    ("2024-05-10T09:00:00-04:00", "overdue", "charge_retry", 3),
    ("2024-05-11T00:00:00-04:00", "overdue", "overdue_stage", "warning"),
    ("2024-05-14T09:00:00-04:00", "overdue", "charge_retry", 4),
    ("2024-05-15T00:00:00-04:00", "overdue", "overdue_stage", "blocked"),
    ("2024-05-19T00:00:00-04:00", "overdue", "final_notice", None),
    ("2024-05-21T09:00:00-04:00", "overdue", "charge_retry", 5),
    ("2024-05-22T00:00:00-04:00", "overdue", "overdue_stage", "final"),
    ("2024-05-22T00:00:00-04:00", "overdue", "final_action", None),
    ("2024-05-22T00:00:00-04:00", "subscriptions", "subscription_ends", None),
]


def billrules(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m billrules ARGS`` in a fresh interpreter, output decoded as UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "billrules", *args],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUTF8": "1"},
        check=False,
        timeout=TIMEOUT,
    )


def example_text(name: str) -> str:
    return resources.files("billrules").joinpath(EXAMPLES[name].file).read_text("utf-8")


def what_names(event: dict[str, Any]) -> object:
    details = event["reasons"][0]["details"]
    if event["kind"] == "charge_retry":
        return details["attempt"]
    if event["kind"] == "overdue_stage":
        return details["stage"]
    return None


def assert_the_issues_timeline(data: dict[str, Any]) -> None:
    """OVD-1, OVD-3, OVD-5, SUB-2: exactly the issue's events, their instants, stages and
    effects."""
    assert ("ny-overdue", OVERDUE_AT, END) == (data["account_id"], data["start"], data["end"])
    events = data["events"]
    assert EXPECTED == [
        (event["at"], event["area"], event["kind"], what_names(event)) for event in events
    ]
    for event in events[:7]:
        if event["kind"] == "charge_retry":
            (effect,) = event["effects"]
            details = event["reasons"][0]["details"]
            assert ("retry_charge", "OVD-1", "inv-2024-05", CARD, details["attempt"]) == (
                effect["kind"],
                effect["rule"],
                effect["invoice_id"],
                effect["method_id"],
                effect["attempt"],
            )
            assert "49.00 USD" == effect["amount"]
    stages = {
        e["reasons"][0]["details"]["stage"]: e for e in events if e["kind"] == "overdue_stage"
    }
    assert "staff" not in [
        role for role, level in stages["warning"]["effects"][0]["access"].items() if level != "full"
    ]
    assert {"owner": "payment_page_only", "admin": "payment_page_only", "staff": "blocked"} == (
        stages["blocked"]["effects"][0]["access"]
    )
    assert "show_banner" in [effect["kind"] for effect in stages["blocked"]["effects"]]
    notice = events[5]
    assert "2024-05-22T00:00:00-04:00" == notice["reasons"][0]["details"]["final_at"]["$instant"]
    assert {("send_email", "overdue_final_notice")} == {
        (effect["kind"], effect["template"]) for effect in notice["effects"]
    }
    final = events[8]
    kinds = [effect["kind"] for effect in final["effects"]]
    assert ["cancel_subscription", "reassign_leads", "remove_from_call_queue"] == kinds[:3]
    cancel = final["effects"][0]
    assert ("OVD-5", "payment_failed") == (cancel["rule"], cancel["reason"])
    assert ("cancel", "stay_open") == (
        final["reasons"][0]["details"]["action"],
        final["reasons"][0]["details"]["unpaid"],
    )
    assert "write_off_invoice" not in kinds


def role_finding(report: dict[str, Any], role: str, area: str, question: str) -> dict[str, Any]:
    found: dict[str, Any]
    (found,) = [
        finding
        for entry in report["roles"]
        if entry["role"] == role
        for finding in entry["findings"]
        if (finding["area"], finding["question"]) == (area, question)
    ]
    return found


class TestTheOverdueExampleFile:
    def test_the_overdue_example_is_the_issues_account(self) -> None:
        """Issue 21's account: ny-overdue in New York, a monthly subscription, one failed
        invoice of 49.00 USD issued 24 April and due 1 May at local midnight, its automatic
        charge declined softly at 09:00, a valid default card."""
        account = account_from_json(example_text("overdue"))
        assert ("ny-overdue", "America/New_York", "USD") == (
            account.id,
            account.zone.key,
            account.currency.code,
        )
        assert ["owner", "admin", "staff"] == [str(user.role) for user in account.users]
        owner = account.users[0]
        assert datetime(2024, 5, 1, 10, 30, tzinfo=NEW_YORK) == owner.last_login_at
        (invoice,) = account.invoices
        assert ("inv-2024-05", InvoiceStatus.FAILED, "49.00 USD") == (
            invoice.id,
            invoice.status,
            f"{invoice.amount.amount} {invoice.amount.currency.code}",
        )
        assert "2024-04-24" == invoice.issued_at.astimezone(NEW_YORK).date().isoformat()
        assert "2024-05-01T00:00:00-04:00" == invoice.due_at.isoformat()
        (attempt,) = invoice.attempts
        assert ("2024-05-01T09:00:00-04:00", "failed", "insufficient_funds", CARD, True) == (
            attempt.at.isoformat(),
            str(attempt.outcome),
            attempt.decline_code,
            attempt.method_id,
            attempt.automatic,
        )
        default = account.wallet.default
        assert default is not None
        assert (CARD, "visa") == (default.id, default.brand)
        assert not is_expired(default, at=datetime(2024, 6, 1, tzinfo=NEW_YORK), zone=NEW_YORK)
        subscription = account.subscription
        assert subscription is not None
        assert ("Growth", "2024-04-01", "monthly", None) == (
            subscription.plan,
            subscription.anchor.isoformat(),
            str(subscription.period),
            subscription.ends_at,
        )
        assert (None, None) == (account.ledger, account.hold_until)

    def test_the_overdue_file_is_the_account_writers_output(self) -> None:
        """The overdue example is written by the library's own writer: reading and writing it
        gives it back byte for byte (nothing in it the reader drops or the writer adds)."""
        text = example_text("overdue")
        assert text == account_to_json(account_from_json(text))

    def test_the_default_example_constants_are_unchanged(self) -> None:
        """EXAMPLE_FILE and EXAMPLE_AT still name the delinquent example, the default."""
        assert ["delinquent", "overdue"] == list(EXAMPLES)
        assert ("examples/delinquent.json", "2024-05-08T09:00:00+03:00") == (
            EXAMPLE_FILE,
            EXAMPLE_AT.isoformat(),
        )
        assert (EXAMPLE_FILE, EXAMPLE_AT) == EXAMPLES["delinquent"][:2]
        assert ("examples/overdue.json", OVERDUE_AT) == (
            EXAMPLES["overdue"].file,
            EXAMPLES["overdue"].at.isoformat(),
        )


class TestOverdueExampleCommand:
    """Each command in a fresh interpreter, as a user types it."""

    def test_timeline_of_the_overdue_example_is_the_issues(self) -> None:
        """OVD-1, OVD-3, OVD-5: `billrules timeline --example overdue --end ...` from the
        example's own instant: retries on 2, 10, 14 and 21 May at 09:00, stages warning,
        blocked and final at local midnight on 11, 15 and 22 May, the final notice on the 19th,
        the subscription cancelled on the 22nd (reason payment_failed)."""
        done = billrules("timeline", "--example", "overdue", "--end", END, "--format", "json")
        assert (0, "") == (done.returncode, done.stderr)
        assert_the_issues_timeline(json.loads(done.stdout))

    def test_explain_the_overdue_example_shows_past_due_and_cancellation_refused(self) -> None:
        """OVD-3: at noon on 1 May the invoice is overdue (day 0, stage past_due); CAN-3: the
        owner may not request cancellation while it is outstanding."""
        done = billrules("explain", "--example", "overdue")
        assert (0, "") == (done.returncode, done.stderr)
        assert done.stdout.startswith("Account ny-overdue (America/New_York) at 2024-05-01 12:00")
        owner = done.stdout.split("\nowner:\n")[1].split("\nadmin:\n")[0]
        assert (
            "[yes] overdue.use_product: Access: full with reminder (collections stage past_due)."
            in owner
        )
        assert "[no ] cancellation.request_cancellation: May not request cancellation. [CAN-3]" in (
            owner
        )
        assert "Pay the outstanding 49.00 USD (invoices inv-2024-05)" in owner
        next_part = done.stdout.split("\nnext:\n")[1]
        assert next_part.startswith("  2024-05-02 09:00  charge_retry [OVD-1]")

    def test_explain_on_16_may_blocks_the_staff(self) -> None:
        """OVD-3: on 16 May (day 15, stage blocked) the staff are blocked and the owner sees
        only the payment page; plan changes are refused."""
        done = billrules(
            "explain",
            "--example",
            "overdue",
            "--at",
            "2024-05-16T00:00:00-04:00",
            "--format",
            "json",
        )
        assert (0, "") == (done.returncode, done.stderr)
        report = json.loads(done.stdout)
        staff = role_finding(report, "staff", "overdue", "use_product")
        assert (False, {"level": "blocked", "stage": "blocked"}) == (
            staff["allowed"],
            staff["details"],
        )
        assert ["OVD-3", "OVD-4"] == staff["rules"]
        assert 15 == staff["decision"]["reasons"][0]["details"]["age"]
        owner = role_finding(report, "owner", "overdue", "use_product")
        assert (False, "payment_page_only") == (owner["allowed"], owner["details"]["level"])
        plan = next(f for f in report["account"] if f["question"] == "change_plan")
        assert (False, "blocked") == (plan["allowed"], plan["details"]["stage"])

    @pytest.mark.parametrize("command", [[], ["explain"], ["timeline"]])
    def test_help_lists_both_examples(self, command: list[str]) -> None:
        """`--help` (of the command and of explain and timeline) names both examples and each
        one's instant."""
        done = billrules(*command, "--help")
        assert 0 == done.returncode
        text = " ".join(done.stdout.split())
        assert "--example NAME" in text or not command
        assert "delinquent (default):" in text
        assert "overdue:" in text
        assert "2024-05-08T09:00:00+03:00" in text
        assert OVERDUE_AT in text

    def test_an_account_file_with_example_is_refused(self) -> None:
        """An account file and --example together: exit 2, one line naming --example and the
        file, nothing on stdout."""
        done = billrules("explain", "elsewhere.json", "--example", "overdue")
        assert (2, "") == (done.returncode, done.stdout)
        assert "Traceback" not in done.stderr
        assert 1 == done.stderr.count("\n")
        assert done.stderr.startswith("billrules: error: --example: not with an account file")
        assert "elsewhere.json" in done.stderr

    def test_no_example_is_still_the_delinquent_account(self) -> None:
        """Without --example, the output is that of --example delinquent, in Kyiv on the 8th."""
        default = billrules("explain")
        named = billrules("explain", "--example", "delinquent")
        assert (0, 0) == (default.returncode, named.returncode)
        assert default.stdout == named.stdout
        assert default.stdout.startswith("Account kyiv-delinquent (Europe/Kyiv) at 2024-05-08")


class TestExamplesInProcess:
    """The same commands through main(argv)."""

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    def test_timeline_is_the_librarys_on_the_example(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """X-5: the command's timeline of the overdue example is the library's, from the
        example's own instant, and it is the issue's."""
        status, out, err = self.run(
            capsys, "timeline", "--example", "overdue", "--end", END, "--format", "json"
        )
        assert (0, "") == (status, err)
        account = account_from_json(example_text("overdue"))
        expected = timeline(
            account,
            DEFAULT_POLICY,
            start=EXAMPLES["overdue"].at,
            end=datetime.fromisoformat(END),
        )
        assert expected.to_dict() == json.loads(out)
        assert_the_issues_timeline(json.loads(out))

    def test_explain_is_the_librarys_at_the_examples_instant(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """X-1: `explain --example overdue --format json` is explain(...).to_dict() at
        2024-05-01T12:00:00-04:00; the owner's cancellation is refused by CAN-3 only."""
        status, out, err = self.run(capsys, "explain", "--example", "overdue", "--format", "json")
        assert (0, "") == (status, err)
        account = account_from_json(example_text("overdue"))
        report = json.loads(out)
        assert explain(account, DEFAULT_POLICY, EXAMPLES["overdue"].at).to_dict() == report
        cancel = role_finding(report, "owner", "cancellation", "request_cancellation")
        assert (False, ["CAN-3"]) == (cancel["allowed"], cancel["rules"])
        use = role_finding(report, "owner", "overdue", "use_product")
        assert {"level": "full_with_reminder", "stage": "past_due"} == use["details"]

    def test_start_and_at_override_the_examples_instant(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--start and --at win over the example's instant: from 15 May only the notice, the
        last retry and the 22nd are left."""
        status, out, _ = self.run(
            capsys,
            "timeline",
            "--example",
            "overdue",
            "--start",
            "2024-05-15T00:00:01-04:00",
            "--end",
            END,
            "--format",
            "json",
        )
        assert 0 == status
        assert [(at, kind) for at, _, kind, _ in EXPECTED[5:]] == [
            (event["at"], event["kind"]) for event in json.loads(out)["events"]
        ]
        status, out, _ = self.run(
            capsys, "explain", "--example", "overdue", "--at", "2024-05-11T08:00:00-04:00"
        )
        assert 0 == status
        assert out.startswith("Account ny-overdue (America/New_York) at 2024-05-11 08:00")
        assert "(collections stage warning)" in out

    @pytest.mark.parametrize("command", ["explain", "timeline"])
    @pytest.mark.parametrize("name", ["delinquent", "overdue"])
    def test_a_file_with_example_is_refused_before_reading_it(
        self, capsys: pytest.CaptureFixture[str], command: str, name: str
    ) -> None:
        """Either example with an account file, even one that does not exist: exit 2, one
        line naming --example, nothing on stdout (the file is never read)."""
        window = ["--end", END] if command == "timeline" else []
        status, out, err = self.run(capsys, command, "missing.json", "--example", name, *window)
        assert (2, "") == (status, out)
        assert 1 == err.count("\n")
        assert err.startswith("billrules: error: --example: not with an account file ")
        assert "missing.json" in err
        assert "cannot read" not in err

    def test_an_unknown_example_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown name is refused by the parser, naming the choices."""
        status, out, err = self.run(capsys, "explain", "--example", "prepaid")
        assert (2, "") == (status, out)
        assert 1 == err.count("\n")
        assert "argument --example: invalid choice: 'prepaid'" in err
        assert "'delinquent', 'overdue'" in err

    def test_no_example_is_the_default_in_process(self, capsys: pytest.CaptureFixture[str]) -> None:
        """main([]) and main(["explain", "--example", "delinquent"]) print the same report."""
        default = self.run(capsys)
        named = self.run(capsys, "explain", "--example", "delinquent")
        assert default == named
        assert default[1].startswith("Account kyiv-delinquent (Europe/Kyiv) at 2024-05-08 09:00")

    def test_a_broken_bundled_example_names_it(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Were a bundled file unreadable, the error names the example, not a path."""
        monkeypatch.setattr(cli._examples, "read", lambda name: '{"id": "x", "zone": "Nowhere"}')
        status, out, err = self.run(capsys, "explain", "--example", "overdue")
        assert (2, "") == (status, out)
        assert err.startswith("billrules: error: (bundled example overdue): zone: ")
