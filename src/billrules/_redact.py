"""What an error message may repeat of a caller's value, and where a card number hides. Private.

PM-6: no error message, ``repr`` or output repeats a value that could be a card number. An
error echoes a value only through :func:`shown`, which prints short digit-light values as they
are and masks every run of five or more digits (spaces, dashes and dots between the digits
count as part of the run). Free-text fields refuse a value holding a card number written with
or without separators (:func:`holds_card_number`); payment-method labels refuse more than four
digits in one run (:func:`longest_digit_run`).

>>> shown("Visa 4242 4242 4242 4242")
"'Visa •••'"
>>> shown("monthly")
"'monthly'"
>>> shown(10**5000)
'a very large integer'
>>> holds_card_number("invoice for 4242-4242-4242-4242"), holds_card_number("inv-2024-05")
(True, False)
>>> holds_card_number("paid with 4242 4242 4242 4242 12 2030")
True
"""

from __future__ import annotations

import re
from typing import Final

#: The longest value an error message repeats as it is.
_LONGEST_SHOWN: Final = 40

#: A run of digits, with single spaces, dashes or dots between them (how card numbers are written).
_DIGIT_RUN: Final = re.compile(r"[0-9](?:[ .\-]?[0-9])*")
#: Twelve digits in one run: the least a card number needs (a quick test before the full one).
_TWELVE_DIGITS: Final = re.compile(r"[0-9](?:[ .\-]?[0-9]){11}")
_SEPARATORS: Final = re.compile(r"[ .\-]")
_MASK: Final = "•••"


def _digits(run: str) -> str:
    return _SEPARATORS.sub("", run)


def _mask(text: str) -> str:
    return _DIGIT_RUN.sub(lambda m: _MASK if len(_digits(m.group())) >= 5 else m.group(), text)


def shown(value: object) -> str:
    """``value`` as an error message may print it: short, with long digit runs masked (PM-6).

    Strings and small integers print as their ``repr`` with every run of five or more digits
    replaced by ``•••`` and anything past 40 characters cut; an integer beyond 60 bits
    prints as "a very large integer"; any other value prints
    as its type's name, since its ``repr`` could hold anything.
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 60:  # never converted: it may be too long to print at all
            return "a very large integer"
        return _mask(repr(value))
    if isinstance(value, str):
        cut = value[:_LONGEST_SHOWN]
        cut = cut.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates
        text = repr(_mask(cut))
        return text if len(value) <= _LONGEST_SHOWN else text[:-1] + "…" + text[-1]
    return f"a {type(value).__name__}"


def luhn_valid(digits: str) -> bool:
    """Whether the ASCII digit string ``digits`` passes the Luhn check (PM-5)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _candidates(run: str) -> list[str]:
    """The digit strings of ``run`` that could be a card number written in it.

    The whole run, separators removed, and every sequence of its separator-delimited groups
    with 12–19 digits: ``"4242 4242 4242 4242 2030"`` (a number followed by a year) holds
    ``"4242424242424242"``.
    """
    groups = _SEPARATORS.split(run)
    found = [_digits(run)]
    for start in range(len(groups)):
        length = 0
        for end in range(start, len(groups)):
            length += len(groups[end])
            if length > 19:
                break
            if length >= 12:
                found.append("".join(groups[start : end + 1]))
    return found


def holds_card_number(text: str) -> bool:
    """Whether ``text`` holds a 12–19 digit run passing Luhn once separators are removed (PM-6).

    A run is also searched group by group (the digits between separators), so a card number
    followed or preceded by other digits (``"4242 4242 4242 4242 12 2030"``) is found too.
    """
    if len(text) < 12 or _TWELVE_DIGITS.search(text) is None:
        return False  # no run of twelve digits: nothing to test (the common case)
    for match in _DIGIT_RUN.finditer(text):
        for digits in _candidates(match.group()):
            if 12 <= len(digits) <= 19 and luhn_valid(digits):
                return True
    return False


def longest_digit_run(text: str) -> int:
    """The digits in ``text``'s longest digit run, separators removed (PM-6: no disguise).

    >>> longest_digit_run("Visa •••• 4242"), longest_digit_run("Visa 4242 4242 4242 4242")
    (4, 16)
    """
    return max((len(_digits(m.group())) for m in _DIGIT_RUN.finditer(text)), default=0)
