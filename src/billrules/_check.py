"""Argument checks for public functions, read from their annotations. Private.

``@checked`` is the one guard every public function wears: it reads the function's parameter
annotations once, when the function is defined, and refuses a wrong argument with a billrules
error naming the parameter, before the function body runs (so a bad call changes nothing and
never surfaces as a raw ``AttributeError`` deep inside a rule). What each annotation means:

- a class: an instance of it (``bool`` is not an ``int``); ``X | Y``: either; ``None`` allowed
  only where the annotation says ``| None``;
- ``datetime``: an aware instant inside the supported calendar; ``date``: a calendar date inside
  it (:func:`billrules._time.require_aware`, :func:`billrules._time.require_date`);
- ``Money``: a finite ``moneyed.Money`` with a sane exponent, never a float;
- ``str``: a ``str`` holding no card number (a 12–19 digit run passing Luhn, separators
  removed: PM-6), so no id or reference passed in can carry one into a sentence;
  ``Annotated[str, DOCUMENT]`` marks a whole file's text, checked as a ``str`` only;
  ``Annotated[str, LABEL]`` a masked payment-method label (at most four digits in a run);
  ``Annotated[Iterable[X], STREAM]`` any iterable (not a string or mapping), handed on as it
  is and read lazily by the function: a stream of millions of items is never held, and each
  item is the function's to check;
- ``int``: an ``int`` that fits in a signed 64-bit integer (``bool`` is refused);
- ``Iterable[X]``, ``Sequence[X]``, ``tuple[X, ...]``: any iterable (not a string or mapping)
  whose items are ``X``; the function receives it as a tuple, so a generator is read once;
- ``Mapping[...]``: a mapping; ``Callable``: a callable; ``Any``, ``object``: anything.

Annotations are resolved in the function's module on its first call (the wrapper is written
then, so importing costs nothing); anything unsupported fails on that call, and the test suite
writes every public function's wrapper (``tests/test_boundary.py``) so none does in use.
"""

from __future__ import annotations

import collections.abc as abc
import functools
import inspect
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _money, _time
from billrules._redact import holds_card_number, longest_digit_run
from billrules.errors import InvalidInput, InvalidType

P = ParamSpec("P")
R = TypeVar("R")

Check = Callable[[object, str], object]

_SEQUENCES = (abc.Iterable, abc.Sequence, abc.Collection, tuple)


def _kind_name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))


def _instance(kind: type[Any] | tuple[type[Any], ...]) -> Check:
    names = (
        " or ".join(_kind_name(k) for k in kind) if isinstance(kind, tuple) else _kind_name(kind)
    )
    no_bool = kind is int or (isinstance(kind, tuple) and int in kind and bool not in kind)

    def check(value: object, name: str) -> object:
        if isinstance(value, kind) and not (no_bool and isinstance(value, bool)):
            return value
        raise InvalidType(name, f"must be {names}, not {type(value).__name__}")

    if no_bool:
        return check
    if not isinstance(kind, tuple):
        return _inline(check, "type({name}) is not {k0}", (kind,))
    # Two kinds or more: a test of identity each (no hashing of a caller's type).
    test = " and ".join(f"type({{name}}) is not {{k{index}}}" for index in range(len(kind)))
    return _inline(check, test, kind)


def _inline(check: Check, test: str, kinds: tuple[object, ...]) -> Check:
    """Mark ``check`` with a test that is true when the argument needs the full check.

    ``test`` is a template over the argument's ``{name}`` and the constants ``{k0}``,
    ``{k1}``… (``kinds``). The wrapper writes it inline and calls the full check only when it
    is true: for an uncommon type (a subclass, another zone type), which the check may still
    accept, or a wrong one, which it refuses. The common case costs no call.
    """
    vars(check)["inline"] = (test, kinds)
    return check


def _inline_test(check: Check) -> tuple[str, tuple[object, ...]] | None:
    found: tuple[str, tuple[object, ...]] | None = vars(check).get("inline")
    return found


def _aware(value: object, name: str) -> object:
    return _time.require_aware(value, name)


# An instant of a common zone type strictly inside the calendar's years is accepted inline.
_inline(
    _aware,
    "(type({name}) is not {k0} or type({name}.tzinfo) is not {k1} "
    f"or not {_time.FIRST_YEAR} < {{name}}.year < {_time.LAST_YEAR})",
    (datetime, ZoneInfo),
)


def _date(value: object, name: str) -> object:
    return _time.require_date(value, name)


def _money_check(value: object, name: str) -> object:
    return _money.require_money(value, name)


def _int64(value: object, name: str) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(name, f"must be int, not {type(value).__name__}")
    if not -(2**63) <= value < 2**63:
        raise InvalidInput(name, "must fit in a signed 64-bit integer")
    return value


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidType(name, f"must be str, not {type(value).__name__}")
    if holds_card_number(value):
        raise InvalidInput(name, "must not hold a card number (PM-6: no card number is ever kept)")
    return value


def _anything(value: object, name: str) -> object:
    return value


def _optional(inner: Check) -> Check:
    def check(value: object, name: str) -> object:
        return None if value is None else inner(value, name)

    fast = _inline_test(inner)
    if fast is None:
        return check
    return _inline(check, f"({{name}} is not None and ({fast[0]}))", fast[1])


def _items(item: Check) -> Check:
    def check(value: object, name: str) -> object:
        if isinstance(value, (str, bytes, abc.Mapping)) or not isinstance(value, abc.Iterable):
            raise InvalidType(name, f"must be a sequence, not {type(value).__name__}")
        items = tuple(value)
        if item is not _anything:
            for index, each in enumerate(items):
                item(each, f"{name}[{index}]")
        return items

    return check


def _literal(options: tuple[object, ...]) -> Check:
    def check(value: object, name: str) -> object:
        if isinstance(value, str) and value in options:
            return value
        allowed = ", ".join(repr(option) for option in options)
        raise InvalidInput(name, f"must be one of {allowed}")

    return check


#: Marks a ``str`` parameter holding a whole document (an account or policy file's text): it
#: is checked as a ``str`` only, since the loader checks each field of it on its own (a card
#: number test over a whole file would trip on unrelated digits side by side).
DOCUMENT: Final = "document"


#: Marks a ``str`` parameter holding a payment method's masked label (``"Visa •••• 4242"``):
#: at most four digits in a run, separators removed (PM-6).
LABEL: Final = "label"


def _label(value: object, name: str) -> object:
    if longest_digit_run(_text(value, name)) > 4:
        raise InvalidInput(
            name, "must be a masked label showing at most the last four digits of a card (PM-6)"
        )
    return value


#: ``Annotated[Iterable[X], STREAM]``: an iterable read lazily by the function itself.
STREAM: Final = "stream"


def _stream(value: object, name: str) -> object:
    if isinstance(value, (str, bytes, abc.Mapping)) or not isinstance(value, abc.Iterable):
        raise InvalidType(name, f"must be an iterable, not {type(value).__name__}")
    return value


def _str_only(value: object, name: str) -> object:
    if not isinstance(value, str):
        raise InvalidType(name, f"must be str, not {type(value).__name__}")
    return value


def check_for(kind: Any) -> Check:
    """The check for one parameter annotation (see the module docstring)."""
    if kind is Any or kind is object:
        return _anything
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        base, *marks = typing.get_args(kind)
        if base is str and DOCUMENT in marks:
            return _str_only
        if base is str and LABEL in marks:
            return _label
        if STREAM in marks:
            return _stream
        return check_for(base)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        rest = tuple(option for option in options if option is not type(None))
        inner = check_for(rest[0]) if len(rest) == 1 else _union(rest)
        return _optional(inner) if len(rest) < len(options) else inner
    if origin is typing.Literal:
        return _literal(typing.get_args(kind))
    if origin is not None:
        args = typing.get_args(kind)
        if origin in _SEQUENCES:
            return _items(check_for(args[0]) if args else _anything)
        if origin is abc.Callable:
            return _instance(abc.Callable)
        return _instance(origin)
    if kind in (abc.Iterable, abc.Sequence, abc.Collection):
        return _items(_anything)
    if kind is datetime:
        return _aware
    if kind is date:
        return _date
    if kind is Money:
        return _money_check
    if kind is int:
        return _int64
    if kind is str:
        return _text
    if isinstance(kind, type):
        return _instance(kind)
    raise TypeError(f"no argument check for the annotation {kind!r}")  # pragma: no cover


def _union(options: tuple[Any, ...]) -> Check:
    if all(isinstance(option, type) and typing.get_origin(option) is None for option in options):
        if any(option in (datetime, date, Money) for option in options):
            raise TypeError(f"no argument check for the union {options!r}")  # pragma: no cover
        return _instance(options)
    raise TypeError(f"no argument check for the union {options!r}")  # pragma: no cover


def checked(function: Callable[P, R]) -> Callable[P, R]:
    """Check ``function``'s arguments against its annotations on every call (see the module).

    Refusals are :class:`~billrules.errors.InvalidType` or another billrules error naming the
    parameter; the function body runs only with arguments that passed. The wrapper is written
    for the function's own signature (as attrs writes its ``__init__``), so a call costs the
    checks and one extra call, nothing more; a default argument is not re-checked.

    The wrapper is written on the function's first call, not when it is decorated (importing
    a module costs no signature reading and no compiling): until then it holds a stand-in that
    writes it, takes its code, and calls it, so every later call runs the written code itself.
    """
    if function.__code__.co_flags & _VARIADIC:
        raise TypeError(f"{function.__qualname__}: *args and **kwargs are not checked")
    namespace: dict[str, Any] = {"function": function, "write_wrapper": _write_wrapper}
    wrapper = types.FunctionType(_first_call.__code__, namespace)
    namespace["wrapper"] = wrapper
    result: Callable[P, R] = functools.wraps(function)(wrapper)
    return result


#: The flags of a code object taking ``*args`` or ``**kwargs``.
_VARIADIC: Final = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS


def _first_call(*args: Any, **kwargs: Any) -> Any:
    """The code of a checked function's stand-in, run in the stand-in's own namespace."""
    namespace = globals()  # the stand-in's, not this module's: its code is run there
    return namespace["write_wrapper"](namespace["wrapper"])(*args, **kwargs)


def _write_wrapper(wrapper: types.FunctionType) -> types.FunctionType:
    """Write the checking code of the stand-in ``wrapper`` (see :func:`checked`) into it."""
    namespace: dict[str, Any] = wrapper.__globals__
    function: Callable[..., Any] = namespace["function"]
    signature = inspect.signature(function)
    header: list[str] = []
    body: list[str] = []
    call: list[str] = []
    keyword_only = False
    for index, parameter in enumerate(signature.parameters.values()):
        name = parameter.name
        annotation = parameter.annotation
        if isinstance(annotation, str):
            annotation = eval(annotation, function.__globals__)  # the module's own annotation
        check = _anything if annotation is inspect.Parameter.empty else check_for(annotation)
        if parameter.kind is parameter.KEYWORD_ONLY and not keyword_only:
            keyword_only = True
            header.append("*")
        namespace[f"check_{index}"] = check
        test = f"{name} = check_{index}({name}, {name!r})"
        inline = _inline_test(check)
        if inline is not None:
            fast, kinds = inline
            constants = {f"k{j}": f"kind_{index}_{j}" for j in range(len(kinds))}
            namespace.update(zip(constants.values(), kinds, strict=True))
            test = f"if {fast.format(name=name, **constants)}: {test}"
        if parameter.default is parameter.empty:
            header.append(name)
        else:
            namespace[f"default_{index}"] = parameter.default
            header.append(f"{name}=default_{index}")
            test = f"if {name} is not default_{index}:\n        {test}"
        if check is not _anything:
            body.append(f"    {test}")
        call.append(f"{name}={name}" if keyword_only else name)
    source = "\n".join(
        [
            f"def wrapper({', '.join(header)}):",
            *body,
            f"    return function({', '.join(call)})",
        ]
    )
    written: dict[str, Any] = {}
    exec(compile(source, f"<checked {function.__qualname__}>", "exec"), namespace, written)
    code: types.FunctionType = written["wrapper"]
    wrapper.__code__ = code.__code__
    wrapper.__defaults__ = code.__defaults__
    wrapper.__kwdefaults__ = code.__kwdefaults__
    return wrapper


def unchecked(function: Callable[P, R]) -> Callable[P, R]:
    """The body of the public function ``function``, without its argument checks.

    A value is checked where it enters the library, and never again (DESIGN.md, "Checked
    once"). A caller whose arguments were checked when its own facts were built — an area
    reading another area's facts through that area's public functions, an evaluation calling
    the areas' contract — calls the body: nothing is checked twice, and an instant the library
    computed itself (a deadline past the last year of the calendar) is not refused as if a host
    had passed it. A function that wears no ``@checked`` is returned as it is.

    >>> @checked
    ... def double(count: int) -> int:
    ...     return 2 * count
    >>> unchecked(double)(21)
    42
    >>> unchecked(unchecked(double)) is unchecked(double)
    True
    """
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict) or namespace.get("write_wrapper") is not _write_wrapper:
        return function  # not billrules' own wrapper: a host's decorators are kept
    body: Callable[P, R] = namespace["function"]  # the wrapper's own namespace (see checked)
    return body


_T = TypeVar("_T")


def trusted(kind: type[_T], /, **fields: Any) -> _T:
    """A ``kind`` (facts whose ``__attrs_post_init__`` only checks) with every one of its
    fields given, from values already checked: no converter, validator or check runs again
    (DESIGN.md, "Checked once"). For what the library builds from checked facts; a test
    compares each such value with the public constructor's."""
    value = object.__new__(kind)
    for name, field in fields.items():
        object.__setattr__(value, name, field)
    return value
