"""X-7: sentences in the reader's language (billrules.i18n)."""

from __future__ import annotations

import importlib.resources
import json
import string
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from moneyed import Money

from billrules import DEFAULT_POLICY, Decision, Reason, ReasonCode, cli
from billrules.balance import BalanceCode
from billrules.cli import EXAMPLE_AT
from billrules.contract import Finding, Transition
from billrules.deletion import DeletionCode
from billrules.errors import BillRulesError, InvalidType, LocaleFallback
from billrules.i18n import LOCALES, _Locale, _shipped, negotiate, render
from billrules.i18n._catalogue import english_entries
from billrules.i18n._format import LocalSentence
from billrules.report import Report, explain
from billrules.serialize import account_from_json, from_json
from billrules.testing import decisions, findings, reasons, transitions
from billrules.timeline import Timeline, timeline

LOCALES_DIR = Path(__file__).resolve().parent.parent / "src" / "billrules" / "i18n" / "locales"
_FORMATTER = string.Formatter()


def _fields(template: str) -> set[str]:
    return {
        name.partition("[")[0].partition(".")[0]
        for _, name, _, _ in _FORMATTER.parse(template)
        if name
    }


def _read(locale: str) -> dict[tuple[str, str], str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "billrules.po").open("rb") as source:
        catalogue = read_po(source, locale=locale)
    return {(m.context or "", str(m.id)): str(m.string) for m in catalogue if m.id}


@pytest.fixture(scope="module")
def report() -> Report:
    text = (importlib.resources.files("billrules") / "examples" / "delinquent.json").read_text()
    return explain(account_from_json(text), DEFAULT_POLICY, EXAMPLE_AT)


@pytest.fixture(scope="module")
def example_timeline() -> Timeline:
    text = (importlib.resources.files("billrules") / "examples" / "delinquent.json").read_text()
    account = account_from_json(text)
    return timeline(account, DEFAULT_POLICY, start=EXAMPLE_AT, end=EXAMPLE_AT + timedelta(days=120))


class TestCatalogues:
    def test_the_shipped_locales_are_the_catalogues_present(self) -> None:
        """LOCALES lists exactly the locales with a catalogue, English first (the fallback)."""
        present = {path.name for path in LOCALES_DIR.iterdir() if path.is_dir()}
        assert present == set(LOCALES)
        assert "en" == LOCALES[0]
        assert {"en", "uk"} <= set(LOCALES)

    @pytest.mark.parametrize("locale", LOCALES)
    def test_every_entry_has_a_message_with_the_same_named_fields(self, locale: str) -> None:
        """X-7: every reason code, question answer, transition kind, heading and term has a
        translated message in every shipped locale, reading the same named fields as English."""
        messages = _read(locale)
        expected = {(entry.context, entry.id): entry.english for entry in english_entries()}
        assert set(expected) == set(messages)
        untranslated = sorted(key for key, text in messages.items() if not text)
        assert [] == untranslated
        differ = {
            key: (sorted(_fields(english)), sorted(_fields(messages[key])))
            for key, english in expected.items()
            if _fields(english) != _fields(messages[key])
        }
        assert {} == differ

    def test_english_catalogue_is_the_code_s_english(self) -> None:
        """The en catalogue holds the code's own templates: nothing drifts from Reason.message."""
        messages = _read("en")
        assert {(e.context, e.id): e.english for e in english_entries()} == messages

    def test_kinds_cover_every_area_kind_of_the_timeline(self, example_timeline: Timeline) -> None:
        """Every transition kind the timeline gives has a catalogue entry."""
        keys = {(e.context, e.id) for e in english_entries()}
        for event in example_timeline.events:
            assert (f"kind|{event.area}", event.kind) in keys


class TestUkrainian:
    @pytest.mark.parametrize(
        ("days", "words"),
        [
            (0, "0 днів"),
            (1, "1 день"),
            (2, "2 дні"),
            (4, "4 дні"),
            (5, "5 днів"),
            (11, "11 днів"),
            (12, "12 днів"),
            (21, "21 день"),
            (22, "22 дні"),
            (25, "25 днів"),
            (111, "111 днів"),
        ],
    )
    def test_plural_of_days_follows_cldr(self, days: int, words: str) -> None:
        """DEL-4, X-7: the reminder counts days with the Ukrainian CLDR plural categories."""
        reason = Reason(code=DeletionCode.DELETION_REMINDER, details={"days": days})
        expected = f"Нагадування власнику кабінету: кабінет буде видалено через {words}."
        assert expected == render(reason, locale="uk")

    def test_genitive_after_within(self) -> None:
        """DEL-1: "протягом останніх 30 днів", "… 21 дня", as the seed writes it."""
        for inactivity, words in ((30, "30 днів"), (21, "21 дня"), (2, "2 днів")):
            reason = Reason(
                code=DeletionCode.RECENT_LOGIN,
                details={"days_since_login": 1, "inactivity_days": inactivity},
            )
            assert f"протягом останніх {words}." in render(reason, locale="uk")

    def test_money_and_dates_in_the_locale_s_format(self) -> None:
        """X-4, X-7: money at its minor unit with its code, dates long, zero without a sign."""
        sentence = LocalSentence("uk", {}, "немає")
        assert "-33,00 USD" == sentence.money(Money("-33", "USD"))
        assert "1 235 JPY" == sentence.money(Money("1234.5", "JPY"))
        assert "1,200 BHD" == sentence.money(Money("1.2", "BHD"))
        assert "0,00 USD" == sentence.money(Money("-0.001", "USD"))
        assert "8 травня 2024 р." == sentence.word(date(2024, 5, 8))
        kyiv = datetime(2024, 5, 1, tzinfo=ZoneInfo("Europe/Kyiv"))
        assert "1 травня 2024 р. 00:00" == sentence.word(kyiv)

    def test_numbers_of_any_length_render(self) -> None:
        """X-4, X-7: a decimal or an amount of more than 28 digits (which JSON input holds)
        renders in the locale's digits, every digit kept, in a reason and in a report's
        sentence; rendering never raises mid-report."""
        long = "123456789012345678901234567890.5"
        grouped = "123 456 789 012 345 678 901 234 567 890"
        decimal_reason = from_json(
            Reason,
            json.dumps(
                {
                    "code": "balance_negative",
                    "rule": "BAL-3",
                    "details": {"balance": {"$decimal": long}},
                }
            ),
        )
        assert f"Баланс: {grouped},5." == render(decimal_reason, locale="uk")
        money_reason = Reason(
            code=BalanceCode.BALANCE_NEGATIVE,
            details={"balance": Money(long, "USD")},
        )
        assert f"Баланс: {grouped},50 USD." == render(money_reason, locale="uk")
        assert f"Баланс: -{grouped},50 USD." == render(
            Reason(
                code=BalanceCode.BALANCE_NEGATIVE,
                details={"balance": Money(f"-{long}", "USD")},
            ),
            locale="uk",
        )
        decision = Decision.refuse(decimal_reason, money_reason)
        assert render(decision, locale="uk").count(grouped) == 2
        sentence = LocalSentence("uk", {}, "немає")
        assert "10" + " 000" * 33 == sentence.word(Decimal("1E+100"))
        assert "NaN" == sentence.word(Decimal("NaN"))

    def test_seed_terms_for_dunning_and_deletion(self, report: Report) -> None:
        """Seed 002's own words: the payment page only stage, the owner's deletion email."""
        text = render(report, locale="uk")
        assert "лише сторінка оплати" in text
        notice = Reason(
            code=DeletionCode.DELETION_SCHEDULED,
            details={"deletion_date": date(2024, 6, 20), "notice_days": 10},
        )
        assert (
            "Власник кабінету отримує повідомлення на пошту про заплановане видалення CRM "
            "20 червня 2024 р., через 10 днів."
        ) == render(notice, locale="uk")

    def test_report_in_ukrainian(self, report: Report) -> None:
        """The bundled account's report in Ukrainian: headings, amounts, dates and sections."""
        lines = render(report, locale="uk").splitlines()
        assert (
            "Кабінет kyiv-delinquent (Europe/Kyiv) на 8 травня 2024 р. 09:00: статус активний"
            == lines[0]
        )
        assert "Баланс: -33,00 USD; несплачено за рахунками: 0,00 USD" == lines[1]
        assert "власник кабінету:" == lines[2]
        assert "кабінет:" in lines
        assert "далі:" in lines
        # Codes, rule IDs and details stay locale-free.
        assert "  [ні ] dunning.use_product: " in render(report, locale="uk")
        assert report.to_dict() == report.to_dict()  # rendering changes nothing

    def test_timeline_in_ukrainian(self, example_timeline: Timeline) -> None:
        """The timeline's title counts events with the Ukrainian plural."""
        first = render(example_timeline, locale="uk").splitlines()[0]
        assert first.startswith("Події кабінету kyiv-delinquent (Europe/Kyiv) з 8 травня 2024 р.")
        assert first.endswith(f": {len(example_timeline.events)} подій")


class TestEnglish:
    def test_report_and_timeline_are_their_str(
        self, report: Report, example_timeline: Timeline
    ) -> None:
        """X-7: English is the kernel's own text, exactly."""
        assert str(report) == render(report)
        assert str(report) == render(report, locale="en_GB")
        assert str(example_timeline) == render(example_timeline, locale="en")

    def test_role_report_is_its_section_of_the_report(self, report: Report) -> None:
        """A role's report renders as its section of the whole report."""
        section = render(report.roles[0])
        assert section.startswith("owner:\n")
        assert section in str(report)
        assert render(report.roles[0], locale="uk") in render(report, locale="uk")

    @given(reason=reasons())
    def test_reason_is_its_message(self, reason: Reason) -> None:
        """X-7 property: in English a reason is its message; in Ukrainian it renders too."""
        assert reason.message == render(reason, locale="en")
        assert isinstance(render(reason, locale="uk"), str)

    @given(decision=decisions(), finding=findings(), transition=transitions())
    def test_decision_finding_transition(
        self, decision: Decision, finding: Finding, transition: Transition
    ) -> None:
        """X-7 property: English is the values' own text; Ukrainian never raises."""
        assert decision.message == render(decision)
        assert finding.summary == render(finding)
        assert transition.description == render(transition)
        for value in (decision, finding, transition):
            assert isinstance(render(value, locale="uk"), str)


class TestLocales:
    @pytest.mark.parametrize(
        ("asked", "found"),
        [
            ("uk", "uk"),
            ("uk_UA", "uk"),
            ("uk-UA", "uk"),
            ("UK_ua.UTF-8", "uk"),
            ("en", "en"),
            ("en_GB", "en"),
            ("fr", None),
            ("", None),
            ("4242 4242 4242 4242", None),
        ],
    )
    def test_negotiation_by_language(self, asked: str, found: str | None) -> None:
        """A locale is served by its language when that language ships."""
        assert found == negotiate(asked)

    def test_unknown_locale_falls_back_to_english_with_one_warning(self, report: Report) -> None:
        """An unknown locale warns once per call and gives the English report, never raising."""
        with pytest.warns(LocaleFallback) as caught:
            text = render(report, locale="fr_FR")
        assert str(report) == text
        assert 1 == len(caught)
        assert "'fr_FR'" in str(caught[0].message)

    def test_fallback_warning_never_repeats_a_card_number(self) -> None:
        """PM-6: the warning masks long digit runs of what was asked for."""
        reason = Reason(code=DeletionCode.MANUAL_DELETION)
        with pytest.warns(LocaleFallback) as caught:
            render(reason, locale="4242424242424242")
        assert "4242" not in str(caught[0].message)

    def test_a_locale_that_is_not_a_str_is_refused_naming_it(self) -> None:
        """A locale of the wrong type raises InvalidType naming "locale", before rendering."""
        reason = Reason(code=DeletionCode.MANUAL_DELETION)
        with pytest.raises(InvalidType) as raised:
            render(reason, locale=7)  # type: ignore[arg-type]  # the misuse under test
        assert "locale" == raised.value.field

    def test_a_value_that_cannot_be_rendered_is_refused(self) -> None:
        """Only the library's values render."""
        with pytest.raises(InvalidType) as raised:
            render("text")  # type: ignore[arg-type]  # the misuse under test
        assert "value" == raised.value.field

    def test_a_broken_translation_falls_back_to_english(self) -> None:
        """A template that cannot format writes the English sentence instead of raising."""
        ukrainian = _shipped("uk")
        assert "English" == ukrainian._format("{", {}, "English")
        assert "English" == ukrainian._format("{n:>x}", {"n": 1}, "English")
        # A decision whose reason's translation is broken renders that reason in English,
        # and its other reasons in the locale.
        broken = _Locale("uk")
        manual = Reason(code=DeletionCode.MANUAL_DELETION)
        reminder = Reason(code=DeletionCode.DELETION_REMINDER, details={"days": 2})
        template = broken.messages[("reason|deletion", DeletionCode.MANUAL_DELETION)]
        broken.compiled[template] = None
        decision = Decision.refuse(manual, reminder)
        assert (
            f"{manual.message} Нагадування власнику кабінету: кабінет буде видалено через 2 дні."
        ) == broken.text(decision)
        assert "Власник кабінету замовив видалення." == render(manual, locale="uk")

    def test_a_code_outside_the_registry_stays_english(self) -> None:
        """A host's own reason code has no catalogue entry: its English sentence is kept."""

        class Code(ReasonCode):
            MINE = "mine", "X-7", "My own {n:day|days}."

        reason = Reason(code=Code.MINE, details={"n": 2})
        assert "My own days." == render(reason, locale="uk")

    def test_warning_is_a_user_warning(self) -> None:
        """LocaleFallback is a warning, so a host may filter it; it pickles."""
        import pickle

        warning = LocaleFallback("'fr'")
        assert isinstance(warning, UserWarning)
        assert not isinstance(warning, BillRulesError)
        assert str(warning) == str(pickle.loads(pickle.dumps(warning)))


class TestCommandLine:
    def test_explain_in_ukrainian(self, capsys: pytest.CaptureFixture[str], report: Report) -> None:
        """X-7: `billrules explain --locale uk` prints the bundled account's report in
        Ukrainian, as render(report, "uk") writes it."""
        assert 0 == cli.main(["explain", "--locale", "uk"])
        captured = capsys.readouterr()
        lines = captured.out.splitlines()
        assert lines[0].startswith("Кабінет kyiv-delinquent (Europe/Kyiv) на 8 травня 2024 р.")
        assert "Баланс: -33,00 USD; несплачено за рахунками: 0,00 USD" == lines[1]
        assert "власник кабінету:" in lines
        assert render(report, locale="uk") == captured.out.rstrip("\n")
        assert "" == captured.err

    def test_timeline_in_ukrainian(
        self, capsys: pytest.CaptureFixture[str], example_timeline: Timeline
    ) -> None:
        """X-7: `billrules timeline --locale uk` prints the bundled account's timeline in
        Ukrainian."""
        end = (EXAMPLE_AT + timedelta(days=120)).isoformat()
        assert 0 == cli.main(["timeline", "--end", end, "--locale", "uk"])
        captured = capsys.readouterr()
        first = captured.out.splitlines()[0]
        assert first.startswith("Події кабінету kyiv-delinquent (Europe/Kyiv) з 8 травня 2024 р.")
        assert first.endswith(f": {len(example_timeline.events)} подій")
        assert render(example_timeline, locale="uk") == captured.out.rstrip("\n")

    def test_a_locale_not_shipped_warns_on_stderr(
        self, capsys: pytest.CaptureFixture[str], report: Report
    ) -> None:
        """X-7: `billrules explain --locale fr` prints the English report, and the fallback
        warning on stderr."""
        assert 0 == cli.main(["explain", "--locale", "fr"])
        captured = capsys.readouterr()
        assert str(report) == captured.out.rstrip("\n")
        assert (
            "billrules: warning: locale 'fr' is not shipped; falling back to English"
            in captured.err.splitlines()
        )


def test_no_warning_for_shipped_locales(report: Report) -> None:
    """Shipped locales render without any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for locale in ("en", "uk", "uk_UA", "en-US"):
            render(report, locale=locale)
