"""Account snapshots as plain data and JSON: the format the ``billrules`` command reads.

An :class:`~billrules.account.Account` becomes a JSON object whose keys are its fields, and
back. The plain forms are those of policy files (``billrules._plain``): money is
``"19.00 USD"``, an instant is ISO 8601 with an offset (``"2024-05-08T09:00:00+03:00"``; a
naive one is refused, X-3), a date is ``"2024-05-01"``, a zone its IANA name, an enum its
value, a tuple a list. Optional fields may be left out; unknown keys are errors. Every error
names the path of the field at fault and what is wrong, such as
``users[1].last_login_at: must be timezone-aware (a naive datetime has no instant)``.
What no account file holds is refused too, naming its path: a key twice in one object,
nesting deeper than 32 levels, an integer of more than 40 digits, NaN or an infinity, a lone
surrogate in a string (``billrules._loads``); a leading byte-order mark is ignored.
``docs/account-json.md`` documents every field with a complete example.

>>> from billrules.serialize import account_from_json
>>> account = account_from_json('''{
...   "id": "acme", "zone": "Europe/Kyiv", "currency": "USD",
...   "created_at": "2024-01-10T10:00:00+02:00",
...   "users": [{"id": "olena", "role": "owner"}]
... }''')
>>> account.zone.key, account.owner.id, account.ledger is None
('Europe/Kyiv', 'olena', True)
>>> account_from_json('{"id": "acme", "zone": "Europe/Kyiv", "currency": "USD",'
...                   ' "created_at": "2024-01-10T10:00:00", "users": []}')
Traceback (most recent call last):
...
billrules.errors.NaiveDatetimeError: created_at: must be timezone-aware (a naive datetime has no instant)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from billrules import _loads, _plain
from billrules._check import DOCUMENT, checked
from billrules.account import Account

__all__ = [
    "account_from_json",
    "account_from_mapping",
    "account_to_json",
    "account_to_mapping",
]


@checked
def account_from_mapping(data: Mapping[str, Any]) -> Account:
    """An :class:`Account` from a plain mapping (as parsed from JSON).

    Args:
        data: The account's fields in their plain forms; optional fields may be left out.

    Returns:
        The validated account.

    Raises:
        InvalidInput: a key is unknown, a required one is missing, or a value has the wrong
            shape or breaks its area's rules; ``field`` is the path (``users[1].role``).
            Data no account file holds (nesting deeper than 32 levels, an integer of more
            than 40 digits, NaN, a lone surrogate) is a ``PlainDataError`` naming its path.
            Its subclasses say more: ``NaiveDatetimeError``, ``UnknownTimeZone``,
            ``CurrencyMismatch``.
        InvalidType: a value of the wrong type where the area checks it.
    """
    return _account_from_plain(data)


def _account_from_plain(data: object) -> Account:
    _loads.vet(data)
    if not isinstance(data, Mapping):
        raise _plain.PlainDataError("(top level)", "an account must be an object")
    account: Account = _plain.structure(Account, dict(data))
    return account


@checked
def account_to_mapping(account: Account) -> dict[str, Any]:
    """The plain mapping of ``account``, every field written out; the inverse of loading.

    Raises:
        InvalidType: ``account`` is not an :class:`Account`.
    """
    mapping: dict[str, Any] = _plain.unstructure(account)
    return mapping


@checked
def account_from_json(text: Annotated[str, DOCUMENT]) -> Account:
    """An :class:`Account` from JSON text.

    A leading byte-order mark is ignored.

    Raises:
        InvalidInput: malformed JSON (a ``PlainDataError`` whose ``field`` is
            ``"(account file)"``; the message names the line and column); a key twice in one
            object (``field`` names the key's path, ``users[0].id``), or any error of
            :func:`account_from_mapping`.
        InvalidType: ``text`` is not a string.
    """
    return _account_from_plain(_loads.json_data(text, "(account file)"))


@checked
def account_to_json(account: Account) -> str:
    """``account`` as indented JSON text (UTF-8 friendly, ending with a newline)."""
    return json.dumps(account_to_mapping(account), indent=2, ensure_ascii=False) + "\n"
