"""Errors raised by billrules.

Every error derives from :class:`BillRulesError`. Errors about bad input also derive from
the builtin a caller would catch without knowing billrules (``ValueError`` or
``TypeError``), and name the offending field. Messages describe the problem with the value,
never the value itself when it could be secret (a card number, a CVV).

>>> from billrules.errors import InvalidInput
>>> err = InvalidInput("Invoice.amount", "must not be negative")
>>> str(err)
'Invoice.amount: must not be negative'
>>> isinstance(err, ValueError), err.field
(True, 'Invoice.amount')
"""

from __future__ import annotations

__all__ = [
    "BillRulesError",
    "CurrencyMismatch",
    "FloatAmountError",
    "InvalidInput",
    "InvalidType",
    "LocaleFallback",
    "NaiveDatetimeError",
    "OutOfCalendar",
    "UnknownTimeZone",
]


class BillRulesError(Exception):
    """The root of every error billrules raises."""


class _FieldError(BillRulesError):
    """An error about one field of the input: ``field`` names it, ``problem`` says what is wrong."""

    field: str
    problem: str

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")

    def __reduce__(self) -> tuple[type[_FieldError], tuple[str, str]]:
        return (type(self), (self.field, self.problem))


class InvalidInput(_FieldError, ValueError):
    """A value of the right type that breaks a rule of its field (negative, out of range…)."""


class InvalidType(_FieldError, TypeError):
    """A value of the wrong type for its field."""


class FloatAmountError(InvalidType):
    """A float was given where an exact amount (``Money``, ``Decimal``, ``int``, ``str``) is needed.

    Floats cannot hold most cent amounts exactly (X-4), so billrules refuses them.
    """


class NaiveDatetimeError(InvalidInput):
    """A ``datetime`` without a time zone was given where an instant is needed (X-3)."""


class OutOfCalendar(InvalidInput):
    """An instant or date outside the supported calendar (the years 1000 to 8999, X-3).

    Refused where it enters, so that no rule's arithmetic can leave the calendar.
    """


class UnknownTimeZone(InvalidInput):
    """A time zone name that the IANA database on this machine does not know."""


class CurrencyMismatch(InvalidInput):
    """Two amounts in different currencies met where one currency is required (X-4)."""


class LocaleFallback(UserWarning):
    """A warning, not an error: the locale asked for is not shipped, so English is used (X-7).

    :func:`billrules.i18n.render` issues it once per call and goes on in English; it never
    raises in the middle of a report. ``requested`` is the locale asked for as an error message
    may print it (quoted, cut short, long digit runs masked).

    >>> str(LocaleFallback("'fr'"))
    "locale 'fr' is not shipped; falling back to English"
    """

    requested: str

    def __init__(self, requested: str) -> None:
        self.requested = requested
        super().__init__(f"locale {requested} is not shipped; falling back to English")

    def __reduce__(self) -> tuple[type[LocaleFallback], tuple[str]]:
        return (type(self), (self.requested,))
