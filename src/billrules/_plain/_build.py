"""Building an attrs value from fields a reader has checked, each check made once. Private.

DESIGN "Checked once": a value read from plain data is checked by its reader (an instant is
aware and in the calendar, an amount sane, an enum value a member, a nested object built);
the attrs class's own validator or converter of that field would check it again. A
validator or converter marked with :func:`billrules._validate.settled_by_reading` for the
field's type hint is skipped for a value read (only what it leaves, such as an amount's
sign, runs); every other converter and validator, every default, and
``__attrs_post_init__`` (the checks across fields) run exactly as the class's ``__init__``
runs them, in the same order, so a value built is the one ``kind(**fields)`` builds and a
value refused is refused with the same error.

A class whose ``__init__`` attrs did not write, or that runs ``__attrs_pre_init__`` or
caches its hash, is built by calling it (:func:`builder` gives ``None``).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, cast

import attrs

from billrules import _validate
from billrules.errors import BillRulesError

#: A field left out of the data: its default is used (and converted, and checked).
MISSING: Final[Any] = object()

#: A trusted constructor: the ``__init__`` fields' values, in order, in; the value out.
Builder = Callable[..., Any]


def _converter(field: attrs.Attribute[Any]) -> Callable[[Any, Any, Any], Any] | None:
    """The field's converter as attrs calls it: (value, instance, field)."""
    if field.converter is None:
        return None
    if not isinstance(field.converter, attrs.Converter):
        plain = field.converter
        return lambda value, _instance, _field: plain(value)
    converter: Any = field.converter  # attrs' stubs give an attrs.Converter no attributes
    inner = converter.converter
    if converter.takes_self and converter.takes_field:
        return inner  # type: ignore[no-any-return]  # attrs types its converter as Any
    if converter.takes_self:
        return lambda value, instance, _field: inner(value, instance)
    if converter.takes_field:
        return lambda value, _instance, field: inner(value, field)
    return lambda value, _instance, _field: inner(value)


def _built_by_attrs(kind: type[Any]) -> bool:
    init = kind.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    return (
        code is not None
        and code.co_filename.startswith("<attrs generated")
        and not hasattr(kind, "__attrs_pre_init__")
        and "_attrs_cached_hash" not in getattr(kind, "__slots__", ())
        and not hasattr(kind, "_attrs_cached_hash")
    )


def builder(kind: type[Any], hints: Mapping[str, Any], read: frozenset[str]) -> Builder | None:
    """The trusted constructor of ``kind``: the values of its ``__init__`` fields, in order and
    as positional arguments (:data:`MISSING` for one left out, never a required one: its
    reader refuses the data first), in; the value out.

    ``read`` names the fields read by the reader of their type hint ``hints[name]`` (not by
    a custom reader): their settled checks are skipped. ``None`` when ``kind`` must be built
    by calling it. The constructor is written out as Python source, one line per step, as
    attrs writes ``__init__`` (a loop over the fields would cost more than it saves); a
    :func:`reader` runs it inline, its parameters ``b0``, ``b1``... (numbered as the class's
    fields, ``__init__``'s or not) set first.
    """
    if not _built_by_attrs(kind):
        return None
    names: dict[str, Any] = {
        "_new": object.__new__,
        "_kind": kind,
        "_set": object.__setattr__,
        "_MISSING": MISSING,
        "_disabled": attrs.validators.get_disabled,
    }
    parameters = ", ".join(f"b{n}" for n, f in enumerate(attrs.fields(kind)) if f.init)
    lines = [f"def build({parameters}):", "    self = _new(_kind)"]
    checks: list[str] = []
    for number, field in enumerate(attrs.fields(kind)):
        hint = hints.get(field.name)
        trusted = field.init and field.name in read
        names[f"_f{number}"] = field
        convert = _converter(field)
        if convert is not None:
            names[f"_c{number}"] = convert
        default = field.default
        constant = None
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs.Factory is a class
            names[f"_d{number}"] = default.factory
            made = f"_d{number}(self)" if default.takes_self else f"_d{number}()"
        else:
            names[f"_d{number}"] = default
            made = f"_d{number}"
            if convert is not None:
                constant = _converted_default(kind, field, convert, number, names)
        if convert is not None:
            made = constant or f"_c{number}({made}, self, _f{number})"
        # A required field is always given (its reader refuses the data without it).
        given_always = field.init and default is attrs.NOTHING
        value = f"x{number}"
        if field.init:
            skip = trusted and convert is not None and _settled(field.converter, hint)[0]
            given = f"b{number}"
            if convert is not None and not skip:
                given = f"_c{number}({given}, self, _f{number})"
            if given_always:
                lines.append(f"    {value} = {given}")
            else:
                lines.append(f"    p{number} = b{number} is not _MISSING")
                lines.append(f"    if p{number}:")
                lines.append(f"        {value} = {given}")
                lines.append("    else:")
                lines.append(f"        {value} = {made}")
            lines.append(f"    {_setter(kind, field.name, number, names)}{value})")
        elif default is not attrs.NOTHING:
            lines.append(f"    {value} = {made}")
            lines.append(f"    {_setter(kind, field.name, number, names)}{value})")
        else:
            value = f"self.{field.name}"
        if field.validator is None:
            continue
        names[f"_v{number}"] = field.validator
        call = f"(self, _f{number}, {value})"
        settled, rest = _settled(field.validator, hint)
        if not (trusted and settled):
            quick = _QUICK.get(field.validator)
            if quick is None:
                checks.append(f"        _v{number}{call}")
            else:  # the common case tested inline, the validator called for the rest
                checks.append(f"        if not ({quick.format(value)}):")
                checks.append(f"            _v{number}{call}")
            continue
        if rest is not None:
            names[f"_rest{number}"] = rest
        if given_always:
            if rest is not None:
                checks.append(f"        _rest{number}{call}")
            continue
        if rest is None:
            checks.append(f"        if not p{number}:")
        else:
            checks.append(f"        if p{number}:")
            checks.append(f"            _rest{number}{call}")
            checks.append("        else:")
        checks.append(f"            _v{number}{call}")
    if checks:
        lines.append("    if not _disabled():")
        lines.extend(checks)
    if hasattr(kind, "__attrs_post_init__"):
        names["_post_init"] = kind.__attrs_post_init__
        lines.append("    _post_init(self)")
    lines.append("    return self")
    source = "\n".join(lines)
    exec(
        compile(source, f"<billrules builder of {kind.__qualname__}>", "exec"), names
    )  # the source written above
    built: Builder = names["build"]
    # Its body, for a reader to run inline (its names are the function's globals).
    setattr(built, "body", tuple(lines[1:]))  # noqa: B010 - a function's attribute
    return built


#: What a validator accepts, as an expression of the value (``{0}``) tested inline before the
#: validator is called: short ASCII text with a character other than whitespace holds no card
#: number and is an id and text (:func:`billrules._validate.identifier`, ``text``).
_SHORT_TEXT: Final = (
    "type({0}) is str and 0 < len({0}) < 12 and {0}.isascii() and not {0}.isspace()"
)
_QUICK: Final[Mapping[Any, str]] = {_validate.identifier: _SHORT_TEXT, _validate.text: _SHORT_TEXT}


def _converted_default(
    kind: type[Any],
    field: attrs.Attribute[Any],
    convert: Callable[[Any, Any, Any], Any],
    number: int,
    names: dict[str, Any],
) -> str | None:
    """The name of the field's default (a value, not a factory) converted once, here, when
    its converter is a reader's (:func:`billrules._validate.settled_by_reading`: it gives the
    same value for the same value, whichever instance it is for); else ``None``."""
    default = field.default
    inner = getattr(field.converter, "converter", field.converter)
    if default is attrs.NOTHING or getattr(inner, "settled_by_reading", None) is None:
        return None
    try:
        names[f"_k{number}"] = convert(default, object.__new__(kind), field)
    except BillRulesError:  # pragma: no cover - a default is a value its converter takes
        return None
    return f"_k{number}"


def _setter(kind: type[Any], name: str, number: int, names: dict[str, Any]) -> str:
    """How the built source starts setting field ``name`` (the value and ``)`` follow):
    through its slot's descriptor (quicker than ``object.__setattr__``, which finds and calls
    the same descriptor), else as attrs does."""
    found = next((klass.__dict__[name] for klass in kind.__mro__ if name in klass.__dict__), None)
    if isinstance(found, types.MemberDescriptorType):
        names[f"_s{number}"] = found.__set__
        return f"_s{number}(self, "
    return f"_set(self, {name!r}, "


def _settled(check: Any, hint: object) -> tuple[bool, Any]:
    """Whether reading a field of type hint ``hint`` settles ``check`` (a validator or a
    converter: :func:`billrules._validate.settled_by_reading`), and what is left to check."""
    inner = getattr(check, "converter", check) if isinstance(check, attrs.Converter) else check
    found = getattr(inner, "settled_by_reading", None)
    if found is None or found[0] != hint:
        return False, None
    return True, found[1]


@attrs.frozen
class Field:
    """How the reader of a class reads one ``__init__`` field.

    Attributes:
        name: The field's key in the data (its alias).
        read: Its reader: (data, path) in, or (data, the object's data, the object's path)
            for a ``custom`` one.
        custom: Whether ``read`` is a shape's reader of the field.
        required: Whether the key must be present.
        nullable: Whether ``null`` is read as ``None`` before ``read`` is asked.
        exact: The type ``read`` takes as it is (``str``, ``int``, ``bool``), tested inline.
        members: An enum's members by value, looked up inline.
        quick: The reader of the common form, tried first: data in, the value or ``None``
            out (no path built); ``read`` reads the rest.
    """

    name: str
    read: Any
    custom: bool = False
    required: bool = True
    nullable: bool = False
    exact: type[Any] | None = None
    members: Mapping[str, Any] | None = None
    quick: Callable[[object], Any] | None = None


def reader(
    kind: type[Any], fields: Sequence[Field], names: dict[str, Any]
) -> Callable[[object, str], Any]:
    """The reader of ``kind``'s fields, written out as Python source like :func:`builder`:
    (data, path) in, the value out; or (data, path, n) for the item at index ``n`` of the
    list at ``path``, its path built only where it is needed (:func:`indexed`).

    Each field is read in order, its path built only when it is handed to a reader that may
    need it (a string, an integer, a boolean or an enum value is tested inline first), then
    ``_build`` builds the value and ``_after`` (if not ``None``) checks it against the data.
    ``names`` gives ``_build``, ``_after``, ``_allowed`` (the keys known), ``_kind`` and the
    refusals ``_not_an_object``, ``_unknown``, ``_required`` and ``_relocate``.
    """
    names = {**names, "_MISSING": MISSING, "_BillRulesError": BillRulesError, "_at": _at}
    here = "_at(path, n)"
    lines = [
        "def read(data, path, n=None):",
        "    if not isinstance(data, dict):",
        f"        raise _not_an_object(data, {here})",
        "    if not _allowed.issuperset(data):",
        f"        raise _unknown(data, {here})",
        "    get = data.get",
    ]
    for number, field in enumerate(fields):
        names[f"_r{number}"] = field.read
        key = repr(field.name)
        at = (
            f'((f"{{path}}.{field.name}" if path else {key}) if n is None'
            f' else f"{{path}}[{{n}}].{field.name}")'
        )
        lines.append(f"    v = get({key}, _MISSING)")
        lines.append("    if v is _MISSING:")
        if field.required:
            lines.append(f"        raise _required({here}, {key})")
        else:
            lines.append(f"        a{number} = _MISSING")
        if field.nullable:
            lines.append("    elif v is None:")
            lines.append(f"        a{number} = None")
        if field.custom:
            lines.append("    else:")
            lines.append(f"        a{number} = _r{number}(v, data, {here})")
            continue
        if field.exact is not None:
            names[f"_t{number}"] = field.exact
            lines.append(f"    elif type(v) is _t{number}:")
            lines.append(f"        a{number} = v")
            lines.append("    else:")
            lines.append(f"        a{number} = _r{number}(v, {at})")
            continue
        lines.append("    else:")
        if field.quick is not None:
            names[f"_q{number}"] = field.quick
            lines.append(f"        a{number} = _q{number}(v)")
            lines.append(f"        if a{number} is None:")
            lines.append(f"            a{number} = _r{number}(v, {at})")
        elif field.members is not None:
            names[f"_m{number}"] = field.members
            lines.append(f"        a{number} = _m{number}.get(v) if type(v) is str else None")
            lines.append(f"        if a{number} is None:")
            lines.append(f"            a{number} = _r{number}(v, {at})")
        else:
            lines.append(f"        a{number} = _r{number}(v, {at})")
    arguments = ", ".join(f"a{number}" for number in range(len(fields)))
    build = names["_build"]
    inline: tuple[str, ...] | None = getattr(build, "body", None)
    lines.append("    try:")
    if inline is None:
        lines.append(f"        value = _build({arguments})")
    else:  # the trusted builder's body, run here: no call
        names.update({key: value for key, value in build.__globals__.items() if key != "build"})
        numbers = [n for n, field in enumerate(attrs.fields(kind)) if field.init]
        lines += [f"        b{b} = a{a}" for a, b in enumerate(numbers)]
        lines += ["    " + line for line in inline[:-1]]
        assert inline[-1] == "    return self"
        lines.append("        value = self")
    lines += [
        "    except _BillRulesError as error:",
        f"        refused = _relocate(error, _kind, {here})",
        "    else:",
        *([f"        _after(data, value, {here})"] if names.get("_after") is not None else []),
        "        return value",
        "    raise refused  # outside the handler: no context to hold a value",
    ]
    exec(
        compile("\n".join(lines), f"<billrules reader of {kind.__qualname__}>", "exec"), names
    )  # the source written above
    read: Callable[[object, str], Any] = names["read"]
    setattr(read, "indexed", True)  # noqa: B010 - a function's attribute, read by indexed()
    return read


def _at(path: str, n: int | None) -> str:
    """The path of the object read: ``path``, or its item ``n``."""
    return path if n is None else f"{path}[{n}]"


def indexed(read: Callable[[object, str], Any]) -> Callable[[object, str, int], Any] | None:
    """``read`` taking (data, path, n) for the item at index ``n`` of the list at ``path``,
    when it is a reader :func:`reader` wrote; else ``None``."""
    if not getattr(read, "indexed", False):
        return None
    return cast("Callable[[object, str, int], Any]", read)
