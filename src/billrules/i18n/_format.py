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
from decimal import Context, Decimal, localcontext
from enum import Enum
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from babel.plural import to_python
from moneyed import Money

from billrules import _money
from billrules.decisions import _Sentence

#: Counts below this have their plural category looked up in a table.
_SMALL = 1000

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


class LocalSentence(_Sentence):
    """Formats a template's named fields for one locale (see the module's docstring)."""

    def __init__(self, locale: str, terms: Mapping[str, str], none: str) -> None:
        super().__init__()
        self.locale = found = Locale.parse(locale)
        self.terms = terms
        self.none = none
        # The locale's data, looked up once: rendering a report formats many values.
        self._category = category = to_python(found.plural_form)
        #: The plural categories of the counts sentences mostly hold, computed once.
        self._small = tuple(category(n) for n in range(_SMALL))
        symbols = found.number_symbols.get("latn", {})
        self._decimal = symbols.get("decimal", ".")
        self._group = symbols.get("group", ",").translate(_SPACES)
        self._minus = symbols.get("minusSign", "-")
        self._long_date = found.date_formats["long"]
        self._medium_date = found.date_formats["medium"]
        self._short_time = found.time_formats["short"]

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
        if isinstance(value, Mapping):
            return self.word(value)
        key = value.value if isinstance(value, Enum) else value
        if isinstance(key, str) and key in self.terms:
            return self.terms[key]
        return self.word(value).replace("_", " ")

    def _plural(self, value: Any, format_spec: str) -> str:
        forms = format_spec.split("|")
        if "=" not in forms[0]:
            return forms[0] if value == 1 else forms[-1]
        words = dict(form.partition("=")[::2] for form in forms)
        if type(value) is int and 0 <= value < _SMALL:
            category = self._small[value]
        elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            category = self._category(value)
        else:
            category = "other"
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
            return str(self._long_date.apply(value, self.locale)).translate(_SPACES)
        if isinstance(value, Enum):
            return str(value.value)
        if isinstance(value, (tuple, list, frozenset)):
            return ", ".join(self.word(item) for item in value)
        if isinstance(value, Mapping):  # each value as the locale writes it, never a repr
            return ", ".join(f"{key}: {self.word(item)}" for key, item in value.items())
        if value is None:
            return self.none
        if isinstance(value, Decimal):
            return self.decimal(value)
        return str(value)

    def decimal(self, value: Decimal) -> str:
        """A decimal in the locale's digits (``1 234,5``), whatever its size: formatted with
        a context wide enough for every digit (the default context's 28 digits would refuse
        a longer number); one that is not finite is written as English writes it."""
        if not value.is_finite():
            return format(value, "f")
        digits = len(value.as_tuple().digits)
        with localcontext(Context(prec=max(digits, value.adjusted() + 1, 1) + 8)):
            return format_decimal(value, locale=self.locale).translate(_SPACES)

    def money(self, value: Money) -> str:
        """``-33,00 USD``: the amount at its currency's minor unit, then its code (X-4)."""
        digits = _money.minor_unit_exponent(value.currency)
        amount = value.amount
        if not amount.is_finite():
            return _money.in_words(value)  # refused as English refuses it
        # Rounded half-up as in English, with every digit kept whatever the amount's size
        # (the default context's 28 digits would refuse a large one).
        wide = Context(prec=max(amount.adjusted(), 0) + digits + 2)
        rounded = amount.quantize(
            Decimal(1).scaleb(-digits), rounding=_money.DEFAULT_ROUNDING, context=wide
        )
        # Digits grouped by three, the locale's separators; a zero never has a minus sign.
        with localcontext(wide):  # formatting rounds to the context's precision too
            grouped = f"{abs(rounded):,.{digits}f}"
        text = grouped.translate({ord(","): self._group, ord("."): self._decimal})
        sign = self._minus if rounded < 0 else ""
        return f"{sign}{text} {value.currency.code}"

    def instant(self, value: datetime) -> str:
        """An instant on its own clock: the locale's long date and short time."""
        day = self._long_date.apply(value, self.locale)
        return f"{day} {self._short_time.apply(value, self.locale)}".translate(_SPACES)

    def when(self, value: datetime, zone: Any) -> str:
        """An instant on the account's clock, for a list: the medium date and short time."""
        local = value.astimezone(zone)
        day = self._medium_date.apply(local, self.locale)
        return f"{day} {self._short_time.apply(local, self.locale)}".translate(_SPACES)
