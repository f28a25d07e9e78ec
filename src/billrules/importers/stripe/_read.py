"""Reading Stripe's JSON (IMP-1, IMP-2): typed fields, Unix instants, lists, and the card
number no import may carry (PM-6). Private.

Every reader names the Stripe field path it read (``invoices[3].amount_due``). A value of the
wrong type is not Stripe data: it is refused in both modes (a float, boolean or text amount,
IMP-1), as :class:`~billrules.importers.stripe.UnmappedStripeData` or a billrules type error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from billrules import _time
from billrules._redact import holds_card_number
from billrules.errors import FloatAmountError, InvalidType, OutOfCalendar
from billrules.importers.stripe._issues import IssueCode, Issues, UnmappedStripeData, safe_id

Obj = Mapping[str, Any]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: The largest amount in minor units: a signed 64-bit integer, as Stripe's API holds them.
_LARGEST: Final = 2**63 - 1


def mapping(value: object, path: str) -> Obj:
    """A Stripe object: a mapping (a dict, or an SDK object, which is one)."""
    if isinstance(value, Mapping):
        return value
    raise InvalidType(path, f"must be a Stripe object (a mapping), not {type(value).__name__}")


def optional_mapping(obj: Obj, key: str, path: str) -> Obj | None:
    """``obj[key]`` as a mapping, or ``None`` when absent or null."""
    value = obj.get(key)
    return None if value is None else mapping(value, f"{path}.{key}")


def text(obj: Obj, key: str, path: str) -> str | None:
    """``obj[key]`` as text, or ``None`` when absent or null."""
    value = obj.get(key)
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise InvalidType(f"{path}.{key}", f"must be a string, not {type(value).__name__}")


def required_id(obj: Obj, path: str) -> str:
    """The object's ``id``: every Stripe object this import reads has one."""
    value = text(obj, "id", path)
    if not value:
        raise UnmappedStripeData(f"{path}.id", "is required", IssueCode.MISSING_FIELD.value)
    return value


def flag(obj: Obj, key: str, path: str) -> bool | None:
    """``obj[key]`` as a boolean, or ``None`` when absent or null."""
    value = obj.get(key)
    if value is None or type(value) is bool:
        return value
    raise InvalidType(f"{path}.{key}", f"must be a boolean, not {type(value).__name__}")


def integer(obj: Obj, key: str, path: str) -> int | None:
    """``obj[key]`` as an integer (IMP-1: amounts and counts are integers; a float, boolean
    or text is refused), or ``None`` when absent or null."""
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is int:
        if -_LARGEST <= value <= _LARGEST:
            return value
        raise UnmappedStripeData(f"{path}.{key}", "does not fit in a signed 64-bit integer")
    field = f"{path}.{key}"
    if isinstance(value, float):
        raise FloatAmountError(field, "must be an integer (Stripe's minor units), not a float")
    raise InvalidType(field, f"must be an integer, not {type(value).__name__}")


def instant(obj: Obj, key: str, path: str) -> datetime | None:
    """``obj[key]``, Unix seconds, as an aware UTC instant (IMP-2), or ``None``."""
    seconds = integer(obj, key, path)
    if seconds is None:
        return None
    try:
        at = _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        raise OutOfCalendar(f"{path}.{key}", "is outside the supported calendar") from None
    return _time.require_aware(at, f"{path}.{key}")


def reference(obj: Obj, key: str, path: str) -> str | None:
    """The id ``obj[key]`` names: an id, or an expanded object's ``id``, or ``None``."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return str(value)
    return text(mapping(value, f"{path}.{key}"), "id", f"{path}.{key}")


def foreign(obj: Obj, path: str, customer_id: str, issues: Issues) -> bool:
    """Whether ``obj`` names another customer than the one imported (reported, left out)."""
    owner = reference(obj, "customer", path)
    if owner is None or owner == customer_id:
        return False
    issues.add(
        IssueCode.OTHER_CUSTOMER,
        f"{path}.customer",
        safe_id(text(obj, "id", path)),
        "belongs to another customer than the one imported",
    )
    return True


def listed(obj: Obj, key: str, path: str) -> Iterator[tuple[str, Obj]]:
    """The objects of ``obj[key]`` with their paths: an array, or a list object (``data``)."""
    value = obj.get(key)
    if value is None:
        return
    where = f"{path}.{key}"
    if isinstance(value, Mapping):
        where = f"{where}.data"
        value = value.get("data")
        if value is None:
            return
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidType(where, f"must be a list, not {type(value).__name__}")
    for index, item in enumerate(value):
        yield f"{where}[{index}]", mapping(item, f"{where}[{index}]")


def count(obj: Obj, key: str, path: str) -> int:
    """How many items ``obj[key]`` holds (an array or a list object); 0 when absent."""
    return sum(1 for _ in listed(obj, key, path))


def refuse_card_numbers(value: object, path: str) -> None:
    """PM-6: refuse a ``card.number`` (or a card object's ``number``) anywhere in ``value``,
    in both modes, naming the path and never the number. Stripe never sends one.

    Walks the nesting with a stack, not recursion, and visits each mapping once.
    """
    stack: list[tuple[object, str]] = [(value, path)]
    seen: set[int] = set()
    while stack:
        item, where = stack.pop()
        if id(item) in seen:
            continue
        if isinstance(item, Mapping):
            seen.add(id(item))
            card = item.get("card")
            if isinstance(card, Mapping) and "number" in card:
                _card_number(f"{where}.card.number")
            if item.get("object") == "card" and "number" in item:
                _card_number(f"{where}.number")
            stack.extend((child, f"{where}.{_key(key)}") for key, child in item.items())
        elif isinstance(item, (list, tuple)):
            seen.add(id(item))
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(item))


def _key(key: object) -> str:
    """A mapping's key as a path may show it: masked if it could be a card number (PM-6)."""
    if isinstance(key, str) and (len(key) < 12 or not holds_card_number(key)):
        return key
    return "•••" if isinstance(key, str) else f"<{type(key).__name__}>"


def _card_number(path: str) -> None:
    raise UnmappedStripeData(
        path,
        "a card number is never imported (PM-6); Stripe's API never sends one",
        IssueCode.CARD_NUMBER.value,
    )
