"""Plain data from JSON and TOML text, refusing what no account or policy file holds. Private.

Account and policy files come from outside: a host's export, a hand-edited policy, or a file
built to break the reader. :func:`json_data` and :func:`toml_data` parse text into plain data
without ever letting the parser fail in its own way (``RecursionError``, "Exceeds the limit
(4300 digits)"), and :func:`vet` walks plain data, however it was obtained, before
:func:`billrules._plain.structure` reads it. Every refusal is a
:class:`~billrules._plain.PlainDataError` naming where the problem is: a data path such as
``users[0].id`` or, for what TOML text hides before it is parsed, a line.

The limits (documented in ``docs/account-json.md`` and ``docs/cli.md``):

- nesting at most :data:`MAX_DEPTH` (32) levels deep, the top-level object being level 1;
- integers of at most :data:`MAX_DIGITS` (40) digits;
- each key at most once in an object (JSON would otherwise keep the last one silently);
- no ``NaN`` or infinity (JSON's ``NaN``/``Infinity`` literals, ``1e999``, TOML's ``nan``);
- strings that are valid Unicode: no lone surrogate (JSON's ``"\\ud800"`` escape);
- a leading byte-order mark is ignored.

>>> vet(json_data('{"id": "acme", "id": "other"}', "(account file)"))
Traceback (most recent call last):
...
billrules._plain.PlainDataError: id: appears twice in the same object
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from typing import Any, Final

from billrules._plain import PlainDataError, index, join
from billrules._redact import masked

#: The deepest nesting a file may have: the top-level object is level 1.
MAX_DEPTH: Final = 32

#: The most digits an integer may have (an amount stays below ``10**30``).
MAX_DIGITS: Final = 40

_LARGEST: Final = 10**MAX_DIGITS

_BOM: Final = "\ufeff"

_SURROGATE: Final = re.compile("[\ud800-\udfff]")

#: A JSON string (the unrolled form: linear time, no backtracking blow-up).
_JSON_STRING: Final = r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"'
_JSON_STRINGS: Final = re.compile(_JSON_STRING)
_JSON_TOKENS: Final = re.compile(_JSON_STRING + r"|[\[\]{},]")
_LONG_DIGITS: Final = re.compile(rf"[0-9]{{{MAX_DIGITS + 1}}}")

#: What TOML text holds that is not structure: strings of the four kinds, and comments.
_TOML_SKIP: Final = (
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''(?:[^']|'(?!''))*'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
)
_TOML_SKIPPED: Final = re.compile(_TOML_SKIP)
_LONG_NUMBER: Final = rf"[0-9](?:_?[0-9]){{{MAX_DIGITS},}}"
_LONG_NUMBERS: Final = re.compile(_LONG_NUMBER)
_TOML_TOKENS: Final = re.compile(
    _TOML_SKIP + r"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<long>" + _LONG_NUMBER + ")"
)

_NOT_BRACKETS: Final = re.compile(r"[^\[\]{}]+")
#: Every ASCII character but the brackets, deleted by ``str.translate``.
_ONLY_BRACKETS: Final = {code: None for code in range(128) if chr(code) not in "[]{}"}


def _brackets(text: str) -> str:
    """The brackets of ``text``, in order (ASCII text, such as JSON outside its strings, is
    translated: quicker than the regular expression)."""
    return text.translate(_ONLY_BRACKETS) if text.isascii() else _NOT_BRACKETS.sub("", text)


_PAIRS: Final = re.compile(r"\[\]|\{\}")

_TOO_DEEP: Final = f"nesting deeper than {MAX_DEPTH} levels"
_TOO_LONG: Final = f"is an integer of more than {MAX_DIGITS} digits"


class _Refused:
    """What the JSON parser hands back in place of a value a file may not hold.

    The parser's hooks do not know where they are; :func:`vet` finds the marker and raises,
    naming its path (and the ``key`` the problem is about, for a duplicate).
    """

    __slots__ = ("key", "problem")

    def __init__(self, problem: str, key: str | None = None) -> None:
        self.problem = problem
        self.key = key


def _parse_int(literal: str) -> int | _Refused:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        return _Refused(_TOO_LONG)
    return int(literal)


def _parse_constant(literal: str) -> _Refused:
    return _Refused("is NaN or an infinity, not a number a file may hold")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Refused:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            return _Refused("appears twice in the same object", key)
        result[key] = value
    return result


def vetted_json(text: str, source: str, parsed: list[object] | None = None) -> object:
    """The plain data of the JSON ``text``, vetted: :func:`json_data` then :func:`vet`.

    The walk of :func:`vet` is skipped when the text shows it would find nothing: no key
    appeared twice, and the text holds no ``NaN``/``Infinity`` literal, no exponent outside
    strings (``1e999`` is an infinity), no run of more than :data:`MAX_DIGITS` digits and no
    surrogate (raw or escaped), and its brackets nest no deeper than :data:`MAX_DEPTH`.
    Errors are those of :func:`vet`, with the same paths.

    No key appeared twice when the objects parsed hold as many keys as the text has colons
    outside strings (each one ends a key): the parser counts the keys it kept, in C, and
    only a text where a key may repeat is parsed again marking the key (:func:`json_data`).

    Args:
        text: The JSON text.
        source: What the text is, for an error about it as a whole (``"(account line)"``).
        parsed: When given, receives the parsed data before it is vetted (so a caller can
            name what it read, such as an account's id, even when the data is refused).
    """
    text = text.removeprefix(_BOM)
    outside = _outside_strings(text)
    sizes: list[int] = []
    count = sizes.append

    def counted(found: dict[str, Any]) -> dict[str, Any]:
        count(len(found))
        return found

    long_digits = _LONG_DIGITS.search(outside) is not None
    data = _parse(text, outside, source, long_digits, object_hook=counted)
    if sum(sizes) != outside.count(":"):  # a key may appear twice: mark it for vet()
        data = _parse(text, outside, source, long_digits, object_pairs_hook=_object)
        if parsed is not None:
            parsed.append(data)
        vet(data)
        return data
    if parsed is not None:
        parsed.append(data)
    if (
        long_digits
        or _may_hold_nan_or_exponent(outside)
        or ((not text.isascii() or "\\u" in text) and _SURROGATES_IN_TEXT.search(text))
        or _deeper_than_most(outside)
    ):
        vet(data)
    return data


def _may_hold_nan_or_exponent(outside_strings: str) -> bool:
    """Whether a parsed JSON text (its strings removed) may hold ``NaN``, an infinity or an
    exponent (``1e999`` is an infinity), told by finding and counting letters: outside
    strings, a parsed text's letters are those of ``true``, ``false``, ``null`` and these
    (each ``e`` of ``true`` and ``false`` follows a letter, not a digit)."""
    return (
        "N" in outside_strings
        or "I" in outside_strings
        or "E" in outside_strings
        or outside_strings.count("e")
        != outside_strings.count("true") + outside_strings.count("false")
    )


def _deeper_than_most(outside_strings: str) -> bool:
    """Whether the brackets of a parsed JSON text (its strings removed) nest deeper than
    :data:`MAX_DEPTH`; no deeper, surely, when it opens no more than that many."""
    opened = outside_strings.count("[") + outside_strings.count("{")
    return opened > MAX_DEPTH and _depth(outside_strings) > MAX_DEPTH


def _depth(outside_strings: str) -> int:
    """How deep the brackets of a parsed JSON text (its strings removed) nest."""
    brackets = _brackets(outside_strings)
    if len(brackets) <= 2 * MAX_DEPTH:  # balanced, since it parsed: at most half of them deep
        return len(brackets) // 2
    depth = 0
    while brackets:  # each pass removes the innermost pairs: one level
        inner = brackets.replace("[]", "\0").replace("{}", "\0").replace("\0", "")
        if len(inner) == len(brackets):  # pragma: no cover - a parsed text's brackets pair up
            break
        brackets = inner
        depth += 1
    return depth


#: A surrogate in the text, raw or as a JSON escape (``\ud800``).
_SURROGATES_IN_TEXT: Final = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")


def json_data(text: str, source: str) -> object:
    """The plain data of the JSON ``text``; :func:`vet` must walk it before it is used.

    Raises:
        PlainDataError: malformed JSON (``field`` is ``source``, such as ``"(account file)"``,
            and the message names the line and column), or nesting deeper than
            :data:`MAX_DEPTH` (``field`` is the path where it goes too deep).
    """
    text = text.removeprefix(_BOM)
    return _parse(text, _outside_strings(text), source, object_pairs_hook=_object)


def _outside_strings(text: str) -> str:
    """``text`` without its JSON strings: the quotes cut it into outside and inside pieces
    when it holds no backslash (so no escaped quote) and an even number of them."""
    if "\\" not in text:
        pieces = text.split('"')
        if len(pieces) % 2:
            return "".join(pieces[::2])
    return _JSON_STRINGS.sub("", text)


def _parse(
    text: str, outside_strings: str, source: str, long_digits: bool | None = None, **hooks: Any
) -> object:
    """The parsed ``text`` (its strings removed: ``outside_strings``; ``long_digits``: whether
    they hold a run of more than :data:`MAX_DIGITS` digits, when known), ``hooks`` handed to
    the parser; nesting too deep and malformed text are refused."""
    opened = outside_strings.count("[") + outside_strings.count("{")
    if opened > MAX_DEPTH and _too_deep(outside_strings):
        raise PlainDataError(_deep_path(text) or source, _TOO_DEEP)
    # Python's int() refuses more than 4,300 digits with its own error: when the text holds a
    # long run of digits, integers go through a hook that marks the long ones for vet().
    if long_digits is None:
        long_digits = _LONG_DIGITS.search(outside_strings) is not None
    try:
        data: object = json.loads(
            text,
            parse_int=_parse_int if long_digits else None,
            parse_constant=_parse_constant,
            **hooks,
        )
    except json.JSONDecodeError as error:
        # Raised below, outside the handler: the decoder's error holds the whole text (PM-6).
        malformed = f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    else:
        return data
    raise PlainDataError(source, malformed)


def toml_data(text: str, source: str) -> dict[str, Any]:
    """The plain data of the TOML ``text``; :func:`vet` must walk it before it is used.

    Raises:
        PlainDataError: malformed TOML, a number of more than :data:`MAX_DIGITS` digits or
            nesting deeper than :data:`MAX_DEPTH` (``field`` is ``source``; the message names
            the line).
    """
    text = text.removeprefix(_BOM)
    _check_toml_text(text, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        malformed = f"malformed TOML: {masked(str(error))}"  # it may quote a key
    raise PlainDataError(source, malformed)  # outside the handler: no context (PM-6)


class _Problem(Exception):
    """A problem :func:`_vet` found, and the steps from it back up to the top (innermost first)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.steps: list[tuple[bool, Any]] = []  # (is a list index, the index or key)


def vet(data: object, path: str = "") -> None:
    """Refuse what plain ``data`` may not hold (see the module docstring), naming its path.

    ``data`` is what :func:`json_data` or :func:`toml_data` returned, or a caller's mapping;
    ``path`` is where it sits (the top level by default).
    """
    try:
        _vet(data, 1)
    except _Problem as found:
        for is_index, step in reversed(found.steps):
            path = index(path, step) if is_index else join(path, step)
        problem = found.problem
    else:
        return
    raise PlainDataError(path or "(top level)", problem)  # outside the handler: no context


def _vet(data: object, depth: int) -> None:
    # The path is built only when a problem is found: a large file is walked quickly.
    if isinstance(data, str):
        if _SURROGATE.search(data):
            raise _Problem("holds a lone surrogate: not Unicode text")
    elif isinstance(data, (Mapping, list, tuple)):
        if depth > MAX_DEPTH:
            raise _Problem(_TOO_DEEP)
        items = data.items() if isinstance(data, Mapping) else enumerate(data)
        is_index = not isinstance(data, Mapping)
        for key, value in items:
            try:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise _Problem("the key holds a lone surrogate: not Unicode text")
                _vet(value, depth + 1)
            except _Problem as found:
                found.steps.append((is_index, key))
                raise
    elif isinstance(data, bool):
        pass
    elif isinstance(data, int):
        if not -_LARGEST < data < _LARGEST:
            raise _Problem(_TOO_LONG)
    elif isinstance(data, float):
        if not math.isfinite(data):
            raise _Problem("is NaN or an infinity")
    elif isinstance(data, _Refused):
        refused = _Problem(data.problem)
        if data.key is not None:
            refused.steps.append((False, data.key))
        raise refused


def _too_deep(text: str) -> bool:
    """Whether the brackets of ``text`` (strings removed) may nest deeper than :data:`MAX_DEPTH`.

    A quick test, run at the speed of ``str.replace``: each pass removes innermost pairs (one
    or two levels), so well-nested brackets no deeper than twice :data:`MAX_DEPTH` are gone
    after :data:`MAX_DEPTH` passes. What is left starts with the brackets still open where
    the first unmatched one closes, and a parser stops there at the latest: a text whose
    brackets are mismatched or left open, but no deeper than three times :data:`MAX_DEPTH`
    before that, is not "too deep" here (the parser calls it malformed, or :func:`vet` finds
    a depth past :data:`MAX_DEPTH` with its path).
    """
    rest = _brackets(text)
    for _ in range(MAX_DEPTH):
        shorter = rest.replace("[]", "").replace("{}", "")
        if len(shorter) == len(rest):
            break
        rest = shorter
    still_open = len(rest) - len(rest.lstrip("[{"))
    if still_open > MAX_DEPTH:
        return True
    # A pair left after every pass holds more than MAX_DEPTH levels.
    return rest[still_open - 1 : still_open + 1] in ("[]", "{}") if still_open else False


def _deep_path(text: str) -> str:
    """The path at which the JSON ``text`` nests deeper than :data:`MAX_DEPTH`."""
    frames: list[list[Any]] = []  # per open container: [is an object, item index, key]
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            if len(frames) == MAX_DEPTH:
                break
            frames.append([token == "{", 0, None])
        elif token in ("]", "}"):
            if frames:
                frames.pop()
        elif frames and token == ",":
            frames[-1][1] += 1
            frames[-1][2] = None
        elif frames and frames[-1][0] and frames[-1][2] is None:
            frames[-1][2] = _key(token)
    return _path(frames)


def _key(token: str) -> str:
    try:
        key = json.loads(token)
    except json.JSONDecodeError:
        return token[1:-1]
    return str(key)


def _path(frames: list[list[Any]]) -> str:
    path = ""
    for is_object, position, key in frames:
        if not is_object:
            path = index(path, position)
        elif key is not None:
            path = join(path, key)
    return path


def _check_toml_text(text: str, source: str) -> None:
    """Refuse TOML with a number too long to read or nesting too deep, naming the line.

    ``tomllib`` converts every decimal integer with ``int`` and recurses into nested arrays
    and inline tables: both are checked on the text, outside strings and comments.
    """
    skeleton = _TOML_SKIPPED.sub(" ", text)
    if not _LONG_NUMBERS.search(skeleton) and not _too_deep(skeleton):
        return
    depth = 0
    for match in _TOML_TOKENS.finditer(text):  # pragma: no branch - a problem is found
        kind = match.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        if kind == "long" or depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            problem = f"a number of more than {MAX_DIGITS} digits" if kind == "long" else _TOO_DEEP
            raise PlainDataError(source, f"line {line}: {problem}")
