"""Sentences in a locale: the templates' fields written with Babel's locale data. Private.

The same template language as the English sentences (:class:`billrules.decisions.ReasonCode`),
with the values written as the locale writes them (X-7):

- money at its currency's minor unit, rounded half-up as in English, in the locale's digits
  with the currency's code after it (``-33,00 USD``);
- a date in the locale's long form (``8 травня 2024 р.``), an instant as its long date and short
  time on its own clock (``1 травня 2024 р. 00:00``);
- ``{n:one=день|few=дні|many=днів|other=дня}``: the word of the CLDR plural category of ``n``
  in the locale (categories not listed take ``other``); ``{n:day|days}`` keeps the English
  one/other form;
- ``{value:term}``: the locale's word for a value the catalogue lists under ``term`` (a role,
  a stage, an access level, a status); ``{value:words}``: the value with spaces.

CLDR separates numbers from units and groups digits with non-breaking spaces; they are written
as plain spaces, so that the text reads the same in every terminal, file and test.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from moneyed import Money

from billrules import _money
from billrules.decisions import _Sentence

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


class LocalSentence(_Sentence):
    """Formats a template's named fields for one locale (see the module's docstring)."""

    def __init__(self, locale: str, terms: Mapping[str, str], none: str) -> None:
        super().__init__()
        self.locale = Locale.parse(locale)
        self.terms = terms
        self.none = none

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            return self._plural(value, format_spec)
        if format_spec == "term":
            return self.term(value)
        text = self.word(value)
        if format_spec == "words":
            return text.replace("_", " ")
        return format(text, format_spec) if format_spec else text

    def term(self, value: object) -> str:
        """The locale's word for a value the catalogue lists (each item of a tuple)."""
        if isinstance(value, (tuple, list, frozenset)):
            return ", ".join(self.term(item) for item in value)
        key = value.value if isinstance(value, Enum) else value
        if isinstance(key, str) and key in self.terms:
            return self.terms[key]
        return self.word(value).replace("_", " ")

    def _plural(self, value: Any, format_spec: str) -> str:
        forms = format_spec.split("|")
        if "=" not in forms[0]:
            return forms[0] if value == 1 else forms[-1]
        words = dict(form.partition("=")[::2] for form in forms)
        category = (
            self.locale.plural_form(value)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            else "other"
        )
        return words.get(category, words.get("other", ""))

    def word(self, value: object) -> str:
        """``value`` as the locale writes it in a sentence."""
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, Money):
            return self.money(value)
        if isinstance(value, datetime):
            return self.instant(value)
        if isinstance(value, date):
            return format_date(value, "long", locale=self.locale).translate(_SPACES)
        if isinstance(value, Enum):
            return str(value.value)
        if isinstance(value, (tuple, list, frozenset)):
            return ", ".join(self.word(item) for item in value)
        if value is None:
            return self.none
        if isinstance(value, Decimal):
            return format_decimal(value, locale=self.locale).translate(_SPACES)
        return str(value)

    def money(self, value: Money) -> str:
        """``-33,00 USD``: the amount at its currency's minor unit, then its code (X-4)."""
        rounded = _money.round_to_minor_unit(value).amount
        if not rounded:
            rounded = abs(rounded)  # a zero is never written with a minus sign
        digits = _money.minor_unit_exponent(value.currency)
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + " ¤¤"
        text = format_currency(
            rounded, value.currency.code, pattern, locale=self.locale, currency_digits=False
        )
        return text.translate(_SPACES)

    def instant(self, value: datetime) -> str:
        """An instant on its own clock: the locale's long date and short time."""
        day = format_date(value, "long", locale=self.locale)
        return f"{day} {format_time(value, 'short', locale=self.locale)}".translate(_SPACES)

    def when(self, value: datetime, zone: Any) -> str:
        """An instant on the account's clock, for a list: the medium date and short time."""
        local = value.astimezone(zone)
        day = format_date(local, "medium", locale=self.locale)
        return f"{day} {format_time(local, 'short', locale=self.locale)}".translate(_SPACES)
