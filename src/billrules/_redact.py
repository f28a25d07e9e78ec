"""What an error message may repeat of a caller's value, and where a card number hides. Private.

PM-6: no error message, ``repr`` or output repeats a value that could be a card number. An
error echoes a value only through :func:`shown`, which prints short digit-light values as they
are and masks every *digit run* of five or more digits. Free-text fields refuse a value holding
a card number written with or without separators (:func:`holds_card_number`); payment-method
labels refuse more than four digits in one run (:func:`longest_digit_run`).

What a digit run is (decided here, for the guard and the mask alike):

- A **digit** is any Unicode decimal digit (category Nd), read as its value: ASCII ``0``–``9``,
  full-width ``０``–``９``, Arabic-Indic, Devanagari, mathematical digits and so on. Other
  numerals (superscripts ``²``, Roman numerals, circled digits) are not digits.
- A **separator** is one to three characters between two digits, each of them one of
  :data:`SEPARATOR_CHARACTERS`: any whitespace (``str.isspace``: space, tab, CR, LF, vertical
  tab, form feed, NBSP, U+2000–U+200A, U+202F, U+205F, U+3000, line and paragraph separators),
  any invisible format character (every character of Unicode category Cf,
  :data:`FORMAT_CHARACTERS`: soft hyphen, zero-width characters, the direction marks LRM and
  RLM, embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, invisible operators
  U+2061–U+2064, the Arabic letter mark, the Mongolian vowel separator, byte order mark, tags…),
  one of the marks ``- _ . , / \\ |`` and the apostrophes ``'`` and ``’`` (a Swiss thousands
  separator), the middle dot ``·``, the Unicode dashes U+2010–U+2015, the minus sign U+2212,
  the lookalikes one dot leader U+2024, hyphenation point U+2027, bullet operator U+2219,
  katakana middle dot U+30FB, small em dash U+FE58 and the Arabic decimal and thousands
  separators U+066B and U+066C, the ideographic comma and full stop and the full-width
  ``， － ． ／ ＼ ＿ ｜``. So ``4242 - 4242``, ``4242,\\t4242``, ``4242\\u200e4242`` and a
  number split over lines with CR LF are one run. Letters, the colon, ``+``, ``*``, ``#``,
  brackets, double quotes and the mask ``•`` are not separators, nor are four characters or
  more: ISO timestamps (``2024-05-01T12:00:00``), times and masked labels (``Visa •••• 4242``)
  are split into short runs.
- A **card number** in a run is 12–19 digits passing the Luhn check, made of whole groups of
  the run (the digits between two separators): the whole run, or a part of it, so a number
  followed by an expiry (``4242 4242 4242 4242 12 2030``) is found.

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
>>> holds_card_number("4242_4242_4242_4242"), holds_card_number("4242 - 4242\\r\\n4242/4242")
(True, True)
>>> holds_card_number("４２４２ ４２４２ ４２４２ ４２４２"), holds_card_number("2024-05-01T12:00:00Z")
(True, False)
>>> shown("4242_4242_4242_4242")
"'•••'"
>>> holds_card_number("4242\\u200e4242\\u200e4242\\u200e4242"), holds_card_number("4242'4242'4242'4242")
(True, True)
>>> shown("4242\\u200e4242\\u200e4242\\u200e4242"), shown("ref 1'234'567")
("'•••'", "'ref •••'")
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate
from typing import Final

#: The longest value an error message repeats as it is.
_LONGEST_SHOWN: Final = 40


#: Every format character (Unicode category Cf) of Unicode 17.0, as the body of a regular
#: expression's character class. Written out rather than read from :mod:`unicodedata` at import
#: (a scan of the whole code range would add some 70 ms to every import) and the same on every
#: Python the library supports, so the schemas shipped do not depend on the Python that wrote
#: them; Python 3.11's Unicode 14.0 lacks only U+13439–U+1343F. ``tests/test_card_secrets.py``
#: checks it holds every Cf character of the running Python's :mod:`unicodedata`.
_BMP_FORMAT_CHARACTERS: Final = (
    r"\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
FORMAT_CHARACTERS: Final = (
    _BMP_FORMAT_CHARACTERS + r"\U000110bd\U000110cd\U00013430-\U0001343f"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)

#: The visible separators: ASCII marks, the apostrophe and the middle dot; Unicode hyphens and
#: dashes, the minus sign; lookalikes: ’ (Swiss), dot leader, hyphenation point, bullet
#: operator, Arabic decimal and thousands separators; CJK, small and full-width marks.
_MARKS: Final = (
    r"\-_./\\,|'\u00b7"
    r"\u2010-\u2015\u2212"
    r"\u2019\u2024\u2027\u2219\u066b\u066c"
    r"\u3001\u3002\u30fb\ufe58\uff0c-\uff0f\uff3c\uff3f\uff5c"
)

#: The characters that may stand between two digits of one run (see the module docstring), as
#: the body of a regular expression's character class: every whitespace character
#: (``str.isspace``, CR and LF included), every invisible format character, and the marks.
SEPARATOR_CHARACTERS: Final = r"\s" + FORMAT_CHARACTERS + _MARKS
#: The same without the format characters beyond the Basic Multilingual Plane, written only
#: with ``\uXXXX`` escapes, which ECMA-262 (a JSON Schema ``pattern``) and Python's ``re`` read
#: alike: the published schemas use it, and leave those few characters to the reader.
PORTABLE_SEPARATOR_CHARACTERS: Final = r"\s" + _BMP_FORMAT_CHARACTERS + _MARKS
#: The most separator characters between two digits of one run.
MOST_SEPARATORS: Final = 3

_SEP: Final = f"[{SEPARATOR_CHARACTERS}]"
#: A digit run (digits joined by separators), as long as it goes.
_DIGIT_RUN: Final = re.compile(rf"\d(?:{_SEP}{{0,{MOST_SEPARATORS}}}+\d)*")
#: Twelve digits in one run: the least a card number needs (a quick test before the full one).
#: The separators are possessive, a separator never being a digit, so a failed search stays
#: linear; ASCII text, nearly all of it, takes the ASCII form, which the engine scans faster.
_TWELVE_DIGITS: Final = re.compile(rf"\d(?:{_SEP}{{0,{MOST_SEPARATORS}}}+\d){{11}}")
_TWELVE_ASCII_DIGITS: Final = re.compile(
    rf"[0-9](?:[\s\-_./\\,|']{{0,{MOST_SEPARATORS}}}+[0-9]){{11}}"
)
#: Digits joined by at most one separator character: the run a label may show (four digits).
_TIGHT_RUN: Final = re.compile(rf"\d(?:{_SEP}?+\d)*")
#: The groups of a run: its digits between separators.
_GROUP: Final = re.compile(r"\d+")
_NOT_DIGITS: Final = re.compile(r"\D+")
_MASK: Final = "•••"

#: A digit's Luhn contribution when doubled (PM-5).
_DOUBLED: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _values(digits: str) -> list[int]:
    """The value of each Unicode decimal digit of ``digits``."""
    if digits.isascii():
        return [ord(char) - 48 for char in digits]
    return [unicodedata.decimal(char) for char in digits]


def _count(run: str) -> int:
    """How many digits the run ``run`` holds."""
    return len(_NOT_DIGITS.sub("", run))


def masked(text: str, fewest: int = 5) -> str:
    """``text`` with every digit run of ``fewest`` digits or more replaced by ``•••`` (PM-6).

    For a message built from another's (a parser's error, which may quote its input).

    >>> masked("Cannot declare ('4242_4242_4242_4242',) twice (at line 2, column 18)")
    "Cannot declare ('•••',) twice (at line 2, column 18)"
    >>> masked("line 123456: 4242-4242-4242-4242", fewest=12)
    'line 123456: •••'
    """
    return _DIGIT_RUN.sub(lambda m: _MASK if _count(m.group()) >= fewest else m.group(), text)


_mask = masked


def shown(value: object) -> str:
    """``value`` as an error message may print it: short, with long digit runs masked (PM-6).

    Strings and small integers print as their ``repr`` with every digit run (the module
    docstring says what one is) of five or more digits replaced by ``•••`` and anything past
    40 characters cut; an integer beyond 60 bits prints as "a very large integer"; any other
    value prints as its type's name, since its ``repr`` could hold anything.
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


def _run_holds_card_number(run: str) -> bool:
    """Whether whole groups of the digit run ``run`` make a Luhn-valid 12–19 digit number.

    Every stretch of consecutive groups with 12–19 digits is tried, the Luhn sums read from
    two running totals (one for each parity of the last digit), so a run of many short groups
    costs a few steps per group.
    """
    groups = _GROUP.findall(run)
    values = _values("".join(groups))
    if len(values) < 12:
        return False
    # even[k]: the Luhn sum of the first k digits with those at even positions doubled; odd[k]:
    # the same with those at odd positions doubled. The digits doubled are every second one from
    # the last: for a stretch ending before position ``end``, those of the parity of ``end``.
    even = accumulate(((_DOUBLED[v] if i % 2 == 0 else v) for i, v in enumerate(values)), initial=0)
    odd = accumulate(((v if i % 2 == 0 else _DOUBLED[v]) for i, v in enumerate(values)), initial=0)
    sums = (list(even), list(odd))
    bounds = list(accumulate((len(group) for group in groups), initial=0))
    for first, start in enumerate(bounds):
        for end in bounds[first + 1 : first + 20]:  # a group holds a digit at least
            length = end - start
            if length > 19:
                break
            if length >= 12:
                total = sums[end % 2]
                if (total[end] - total[start]) % 10 == 0:
                    return True
    return False


def holds_card_number(text: str) -> bool:
    """Whether ``text`` holds a card number: a Luhn-valid 12–19 digit stretch of a run (PM-6).

    Digits, separators, runs and their groups are as the module docstring decides: any
    Unicode decimal digit, one to three whitespace, invisible format or punctuation characters
    between them. A
    run is also searched group by group, so a card number followed or preceded by other digits
    (``"4242 4242 4242 4242 12 2030"``) is found too.
    """
    if len(text) < 12:
        return False
    twelve = _TWELVE_ASCII_DIGITS if text.isascii() else _TWELVE_DIGITS
    if twelve.search(text) is None:
        return False  # no run of twelve digits: nothing to test (the common case)
    return any(_run_holds_card_number(match.group()) for match in _DIGIT_RUN.finditer(text))


def longest_digit_run(text: str) -> int:
    """The digits in ``text``'s longest tightly written run (PM-6: no disguise).

    A label's run joins digits with at most *one* separator character (any of
    :data:`SEPARATOR_CHARACTERS`): ``"4242_4242"`` is one run of eight digits, while an
    expiry after a comma and a space (``"Card 4242, 12/30"``) is a run of its own. A card
    number written with longer separators is still refused, by :func:`holds_card_number`.

    >>> longest_digit_run("Visa •••• 4242"), longest_digit_run("Visa 4242 4242 4242 4242")
    (4, 16)
    >>> longest_digit_run("Card 4242, 12/30"), longest_digit_run("Visa 4242_4242")
    (4, 8)
    """
    return max((_count(m.group()) for m in _TIGHT_RUN.finditer(text)), default=0)
