"""Details values: what a reason's, a finding's or an effect's ``details`` may hold, and the
one canonical form that both their equality and an effect's key are computed from. Private.

One place decides what a details value may be (checked when the value is built, so that
``.message``, ``render``, ``==``, ``key`` and ``to_json`` never fail on it):

- text holding no card number (PM-6) and no lone surrogate (JSON has none), in values and in
  keys, at every depth;
- ``None``, booleans, integers of at most :data:`MOST_INTEGER_DIGITS` digits (what a JSON
  file may hold), finite floats;
- decimals and money amounts as every amount is bounded: finite, below ``10**30`` in
  magnitude, no finer than ``10**-30`` (what ``from_json`` reads back);
- timezone-aware instants (a naive ``datetime`` is refused: it has no instant, X-3) and dates,
  in the years 1000 to 8999;
- tuples (a list becomes one) and mappings with ``str`` keys (kept read-only), with at most
  :data:`MOST_VALUES` values in all, whose JSON form nests at most :data:`MOST_DEPTH` levels
  (each tuple and mapping is a level, and so is the object that tags an amount, a decimal, a
  date or an instant, or wraps a mapping whose only key starts with ``$``): the details of a
  reason deep in a report are then still within the 32 levels a JSON file may have;
- an enum member as it is when it is a ``str`` or an ``int``, else as its value.

A set is refused (JSON has none), and so is anything else (its ``repr`` could hold anything).

The canonical form (:func:`canonical_form`) writes equal values as equal JSON, and values of
different kinds differently; an instant is its UTC instant. Two details mappings are equal
(``==``) exactly when their canonical forms are, so equality never disagrees with a key: a
wall time in a fold is the instant its ``fold`` picks, and a wall time in a gap is the instant
its ``utcoffset()`` gives (``fold=0`` reads it with the offset before the change).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterator, KeysView, Mapping
from datetime import UTC, date, datetime
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from typing import Any, Final, TypeVar, cast
from zoneinfo import ZoneInfo

from moneyed import CURRENCIES, Money

from billrules import _money, _time
from billrules._redact import holds_card_number, luhn_valid, shown
from billrules.errors import InvalidInput, InvalidType, _FieldError

K = TypeVar("K")
V = TypeVar("V")

#: The most levels a details value's JSON form may nest (see the module's documentation).
MOST_DEPTH: Final = 16

#: The most digits an integer in details may have: what a JSON file may hold (``_loads``).
MOST_INTEGER_DIGITS: Final = 40

#: Integers strictly between ``-_LARGEST`` and ``_LARGEST`` have at most 40 digits.
_LARGEST: Final = 10**MOST_INTEGER_DIGITS

#: The most values one details mapping may hold, counted at every depth.
MOST_VALUES: Final = 100_000

#: The most digits a number written in a key may have (Python writes no longer integer).
MOST_DIGITS: Final = 4000

#: Integers strictly between ``-_BIG`` and ``_BIG`` have at most ``MOST_DIGITS`` digits.
_BIG: Final = 10**MOST_DIGITS

#: A context keeping every digit of the numbers a key writes (the default keeps 28).
_WIDE: Final = Context(prec=MOST_DIGITS + 1, Emax=MAX_EMAX, Emin=MIN_EMIN)


class NoCanonicalForm(Exception):
    """A value of a kind the canonical form has no form for."""


class FrozenMapping(Mapping[K, V]):
    """A read-only mapping that pickles (``MappingProxyType`` does not), equal to another
    mapping exactly when their canonical forms are (:func:`canonical_form`)."""

    __slots__ = ("_data", "_form")

    def __init__(self, data: Mapping[K, V]) -> None:
        self._data = dict(data)
        self._form: Any = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def keys(self) -> KeysView[K]:
        """The keys, as the underlying dict's view (set operations at C speed)."""
        return self._data.keys()

    def get(self, key: K, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Mapping):
            return NotImplemented
        try:
            return bool(canonical_form(self) == canonical_form(other))
        except NoCanonicalForm:  # a mapping no details hold: compared as Python compares
            return self._data == dict(other.items())

    __hash__ = None  # type: ignore[assignment]  # a mapping is not hashable

    def canonical(self) -> Any:
        """The canonical form, computed once (the values never change)."""
        form = self._form
        if form is None:
            form = self._form = _mapping_form(self._data)
        return form

    def __reduce__(self) -> tuple[type[FrozenMapping[K, V]], tuple[dict[K, V]]]:
        return (FrozenMapping, (self._data,))


# ---------------------------------------------------------------------------------------------
# The canonical form


def _number(value: Decimal) -> str:
    """A finite decimal in plain notation without trailing zeros: ``"19.5"``, ``"0"``."""
    if not value.is_finite():
        raise NoCanonicalForm
    if not value:
        return "0"
    normal = value.normalize(_WIDE)
    if abs(normal.adjusted()) > MOST_DIGITS or len(normal.as_tuple().digits) > MOST_DIGITS:
        raise NoCanonicalForm
    return format(normal, "f")


def _integer(value: int) -> int:
    if -_BIG < value < _BIG:
        return value
    raise NoCanonicalForm


def _decimal(value: Decimal) -> Any:
    """A number by its value: an integral one as a JSON integer, any other tagged."""
    text = _number(value)
    if "." in text:
        return {"$decimal": text}
    return _integer(int(text))


def _instant(value: datetime) -> str:
    """An aware instant as its UTC instant in ISO 8601 (a naive one has no instant)."""
    if value.utcoffset() is None:
        raise NoCanonicalForm
    try:
        return value.astimezone(UTC).isoformat()
    except (OverflowError, ValueError):
        raise NoCanonicalForm from None


def _mapping_form(items: Mapping[Any, Any]) -> Any:
    if not all(isinstance(key, str) for key in items):
        raise NoCanonicalForm
    mapping = {str.__str__(key): canonical_form(item) for key, item in items.items()}
    if len(mapping) == 1 and next(iter(mapping)).startswith("$"):
        return {"$object": mapping}
    return mapping


def canonical_form(value: object) -> Any:
    """``value`` as JSON-shaped data in which equal values are equal and values of different
    kinds differ (the encoding ``billrules.effects`` documents for keys).

    >>> from datetime import datetime, timedelta, timezone
    >>> canonical_form({"at": datetime(2024, 5, 1, 3, tzinfo=timezone(timedelta(hours=3)))})
    {'at': {'$instant': '2024-05-01T00:00:00+00:00'}}
    >>> canonical_form((Decimal("1.50"), 2.0, True, None))
    [{'$decimal': '1.5'}, 2, 1, None]

    Raises:
        NoCanonicalForm: ``value`` holds a kind of value with no form (an object, NaN, a
            naive instant, a number of more than :data:`MOST_DIGITS` digits).
    """
    kind = type(value)
    if kind is str or value is None:  # the common cases, checked first
        return value
    if kind is int:
        return _integer(cast(int, value))
    if kind is FrozenMapping:
        return cast("FrozenMapping[Any, Any]", value).canonical()
    if isinstance(value, Mapping):
        return _mapping_form(value)
    if isinstance(value, enum.Enum):
        return canonical_form(value.value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):  # a bool is the integer it equals
        return _integer(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NoCanonicalForm
        return _decimal(Decimal(value))  # exact: 0.5 and Decimal("0.5") are equal
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, Money):
        return {"$money": f"{_number(value.amount)} {value.currency.code}"}
    if isinstance(value, datetime):
        return {"$instant": _instant(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [canonical_form(item) for item in value]
    raise NoCanonicalForm


# ---------------------------------------------------------------------------------------------
# What a details value may be


class _Refused(Exception):
    """A refused details value: the error's class and problem; the path, innermost first."""

    def __init__(self, error: type[_FieldError], problem: str) -> None:
        super().__init__(problem)
        self.error = error
        self.problem = problem
        self.path: list[str] = []


_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,39}", re.ASCII)

_SURROGATE: Final = re.compile("[\ud800-\udfff]")

_CARD: Final = "must not hold a card number (PM-6: no card number is ever kept)"


def _step(key: object) -> str:
    """How a path writes ``key``: ``.amount``, ``[2]`` or, for any other text, ``['•••']``."""
    if type(key) is int:
        return f"[{key}]"
    if isinstance(key, str) and _NAME.fullmatch(key) and shown(key) == repr(key):
        return f".{key}"
    return f"[{shown(key)}]"


def _refusal(field: str, refused: _Refused) -> _FieldError:
    return refused.error(field + "".join(reversed(refused.path)), refused.problem)


def _text(value: str) -> str:
    if len(value) >= 12 and holds_card_number(value):
        raise _Refused(InvalidInput, _CARD)
    if not value.isascii() and _SURROGATE.search(value):
        raise _Refused(InvalidInput, "must not hold a lone surrogate (JSON text has none)")
    return value


#: The integers a card number could be written as: 12 to 19 digits (PM-6).
_CARD_LOW: Final = 10**11
_CARD_HIGH: Final = 10**19


def _card_like(value: int) -> bool:
    """Whether the integer ``value`` could be a card number: 12–19 digits passing Luhn (PM-6)."""
    magnitude = -value if value < 0 else value
    return _CARD_LOW <= magnitude < _CARD_HIGH and luhn_valid(str(magnitude))


def _int(value: int) -> int:
    if -_CARD_LOW < value < _CARD_LOW:  # the common case: too short to be a card number
        return value
    if -_LARGEST < value < _LARGEST:
        if _card_like(value):
            raise _Refused(InvalidInput, _CARD)
        return value
    raise _Refused(
        InvalidInput, f"must not hold an integer of more than {MOST_INTEGER_DIGITS} digits"
    )


def _integral_card(value: Decimal | float) -> bool:
    """Whether the number ``value`` is integral and could be a card number (PM-6)."""
    exact = Decimal(value)  # exact for a float too
    if not _CARD_LOW <= abs(exact) < _CARD_HIGH:
        return False
    return exact == exact.to_integral_value() and _card_like(int(exact))


def _sane(amount: Decimal) -> bool:
    """Whether ``amount`` is within every amount's bounds (``_money.require_sane``), tested
    without building its digit tuple when its text is short enough to show it is."""
    if not amount.is_finite():
        return False
    adjusted = amount.adjusted()
    if amount and adjusted >= _money.LARGEST_EXPONENT:
        return False
    # Every digit of the coefficient is in its text, so its exponent is at least this.
    if len(str(amount)) <= adjusted + 1 - _money.FINEST_EXPONENT:
        return True
    return cast(int, amount.as_tuple().exponent) >= _money.FINEST_EXPONENT


def _amount(value: Decimal) -> Decimal:
    if _sane(value):
        if _integral_card(value):
            raise _Refused(InvalidInput, _CARD)
        return value
    try:
        _money.require_sane(value, "")
    except _FieldError as error:
        problem = error.problem
    else:  # pragma: no cover - _sane refuses only what require_sane refuses
        return value
    raise _Refused(InvalidInput, problem)


def _known(money: Money) -> bool:
    """Whether ``money``'s amount is within bounds and its currency is one ISO 4217 lists
    (what ``from_json`` reads back)."""
    currency = money.currency
    listed = CURRENCIES.get(currency.code)
    return _sane(money.amount) and (listed is currency or listed == currency)


def _money_value(value: Money) -> Money:
    if _known(value):
        return value
    if not _sane(value.amount):
        _amount(value.amount)
    raise _Refused(InvalidInput, "is in a currency ISO 4217 does not list")


def _aware(value: datetime) -> bool:
    """Whether ``value`` is an instant of the supported calendar (``_time.require_aware``)."""
    if not _time.FIRST_YEAR <= value.year <= _time.LAST_YEAR:
        return False
    zone = type(value.tzinfo)
    if zone is ZoneInfo or value.tzinfo is UTC:  # the standard library's: whole-second offsets
        return True
    try:
        offset = value.utcoffset()
        return offset is not None and not offset.microseconds
    except (TypeError, ValueError, ArithmeticError):  # a tzinfo that gives no offset
        return False


def _when(value: datetime) -> datetime:
    try:
        if _aware(value):  # within the years: its UTC instant exists (offsets are under a day)
            return value
        _time.require_aware(value, "")
    except _FieldError as error:
        problem, kind = error.problem, type(error)
    except (TypeError, ValueError, ArithmeticError):  # a tzinfo that gives no offset
        problem, kind = "must have a time zone that gives its offset", InvalidInput
    else:  # pragma: no cover - _aware refuses only what require_aware refuses
        return value
    raise _Refused(kind, problem)


def _day(value: date) -> date:
    try:
        return _time.require_date(value, "")
    except _FieldError as error:
        raise _Refused(type(error), error.problem) from None


class _Budget:
    """How many more values the details may hold."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MOST_VALUES

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _Refused(InvalidInput, f"must hold at most {MOST_VALUES} values in all")


TOO_DEEP: Final = f"must not nest more than {MOST_DEPTH} levels deep as JSON"


def _level(depth: int, levels: int = 1) -> int:
    """The depth inside a value that takes ``levels`` JSON levels at ``depth``; refused when
    it would nest deeper than :data:`MOST_DEPTH`."""
    inner = depth + levels
    if inner > MOST_DEPTH:
        raise _Refused(InvalidInput, TOO_DEEP)
    return inner


def _value(value: object, depth: int, budget: _Budget) -> object:
    """``value`` as details keep it, or :class:`_Refused`; ``depth`` is how many JSON levels
    hold it within the details."""
    kind = type(value)
    if kind is str:
        return _text(cast(str, value))
    if kind is int:
        return _int(cast(int, value))
    if kind is bool or value is None:
        return value
    if kind is float:
        if not math.isfinite(cast(float, value)):
            raise _Refused(InvalidInput, "must not hold NaN or an infinity")
        if _integral_card(cast(float, value)):
            raise _Refused(InvalidInput, _CARD)
        return value
    if kind is Money:
        _level(depth)  # written in a tag's object, as are instants, dates and decimals
        return _money_value(cast(Money, value))
    if kind is datetime:
        _level(depth)
        return _when(cast(datetime, value))
    if kind is date:
        _level(depth)
        return _day(cast(date, value))
    if kind is Decimal:
        _level(depth)
        return _amount(cast(Decimal, value))
    if isinstance(value, Mapping):
        first = next(iter(value), None)
        wrapped = len(value) == 1 and isinstance(first, str) and first.startswith("$")
        return FrozenMapping(_mapping(value, _level(depth, 2 if wrapped else 1), budget))
    if isinstance(value, (tuple, list)):
        inner = _level(depth)
        budget.spend(len(value))
        items = []
        for position, item in enumerate(value):
            try:
                items.append(_value(item, inner, budget))
            except _Refused as refused:
                refused.path.append(f"[{position}]")
                raise
        if type(value) is tuple and all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items)
    if isinstance(value, (set, frozenset)):
        raise _Refused(
            InvalidType, "must not hold a set (JSON has none): give a tuple, in the order wanted"
        )
    if isinstance(value, enum.Enum):
        if isinstance(value, (str, int)):
            _value(value.value, depth, budget)
            return value
        return _value(value.value, depth, budget)
    return _subclass(value, depth, budget)


def _subclass(value: object, depth: int, budget: _Budget) -> object:
    """A value of a subclass of a kind details hold: checked as that kind."""
    if isinstance(value, str):
        return _text(str.__str__(value))
    if isinstance(value, int):  # kept as the integer it is: a subclass's __int__ may say otherwise
        return _int(int.__int__(value))
    if isinstance(value, float):
        return _value(float.__float__(value), depth, budget)
    if isinstance(value, (Decimal, Money, date)):
        _level(depth)
        if isinstance(value, Decimal):
            _amount(value)
        elif isinstance(value, Money):
            _money_value(value)
        elif isinstance(value, datetime):
            _when(value)
        else:
            _day(value)
        return value
    raise _Refused(
        InvalidType,
        f"must not hold a value of type {type(value).__name__}: details hold text, numbers,"
        " booleans, None, money, dates, instants, and tuples and mappings of them",
    )


def _mapping(value: Mapping[Any, Any], depth: int, budget: _Budget) -> dict[str, Any]:
    budget.spend(len(value))
    kept: dict[str, Any] = {}
    for key, item in value.items():
        try:
            if not isinstance(key, str):
                raise _Refused(InvalidType, "keys must be strings")
            _text(key)
            kept[key] = _value(item, depth, budget)
        except _Refused as refused:
            if isinstance(key, str):
                refused.path.append(_step(key))
            raise
    return kept


def details(value: Mapping[Any, Any], field: str) -> FrozenMapping[str, Any]:
    """``value`` (a mapping) as details keep it, or a billrules error naming ``field`` and
    the path within it (``Reason.details.dates[2]``).

    The common case — text, integers, booleans, ``None``, money and instants — is checked in
    one loop; any other value is checked by kind, at every depth.

    Raises:
        InvalidType: a key is not a ``str``; a value is of a kind details do not hold.
        InvalidInput: a value breaks a rule (see the module's documentation); a naive
            ``datetime`` raises :class:`~billrules.errors.NaiveDatetimeError`.
    """
    refused: _Refused | None = None
    try:
        for key, item in value.items():
            if type(key) is not str or not key.isascii() or len(key) >= 12:
                break
            kind = type(item)
            if kind is str:
                if (len(item) >= 12 and holds_card_number(item)) or not item.isascii():
                    break
            elif kind is int:
                if not -_CARD_LOW < item < _CARD_LOW:
                    break
            elif kind is Money:
                if not _known(item):
                    break
            elif kind is datetime:
                if not _aware(item):
                    break
            elif kind is not bool and item is not None:
                break
        else:
            return value if type(value) is FrozenMapping else FrozenMapping(value)
        return FrozenMapping(_mapping(value, 0, _Budget()))
    except _Refused as error:
        refused = error
    # Raised outside the handler: the error keeps no context that could hold the value.
    raise _refusal(field, refused)
