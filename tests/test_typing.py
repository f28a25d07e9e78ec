"""The library as type checkers read it: few ``# type: ignore`` comments, each with its reason;
field converters in a shape mypy's attrs plugin reads, so a constructor is typed with what it
accepts (an enum's value, any iterable for a tuple); and every converter's error names its
field, as ``Class.field``."""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
import textwrap
import tokenize
from pathlib import Path
from typing import Any

import attrs
import pytest

import billrules
from billrules import _validate
from billrules.errors import BillRulesError
from billrules.roles import Role

SRC = Path(billrules.__file__).parent

#: A ``# type: ignore`` comment as the house rules allow one: its codes, then its reason.
_IGNORE_WITH_REASON = re.compile(r"# type: ignore\[[a-z-]+(?:, ?[a-z-]+)*\]  # \S")


def _type_ignores() -> list[tuple[str, int, str]]:
    """Every ``# type: ignore`` comment in the package: its file, line and text."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and "type: ignore" in token.string:
                found.append((str(path.relative_to(SRC)), token.start[0], token.string))
    return found


def test_src_holds_at_most_three_type_ignores_each_with_its_reason() -> None:
    """A ``# type: ignore`` is the exception: at most three in the package, each naming its
    error codes and followed by its reason."""
    ignores = _type_ignores()
    assert len(ignores) <= 3, ignores
    assert [] == [found for found in ignores if not _IGNORE_WITH_REASON.search(found[2])]


def _modules() -> list[Any]:
    names = [
        info.name
        for info in pkgutil.walk_packages(billrules.__path__, "billrules.")
        if not info.name.startswith(("billrules.cli", "billrules.__main__"))
    ]
    return [importlib.import_module(name) for name in sorted(names)]


def _converted_fields() -> list[tuple[type[Any], attrs.Attribute[Any]]]:
    """Every field with a converter, of every attrs class the package defines."""
    found: dict[tuple[str, str], tuple[type[Any], attrs.Attribute[Any]]] = {}
    for module in _modules():
        for kind in vars(module).values():
            if not (isinstance(kind, type) and attrs.has(kind)):
                continue
            if not kind.__module__.startswith("billrules."):
                continue
            for field in attrs.fields(kind):
                if field.converter is not None and field.init:
                    found[(kind.__qualname__, field.name)] = (kind, field)
    return [found[key] for key in sorted(found)]


CONVERTED_FIELDS = _converted_fields()


def _convert(kind: type[Any], field: attrs.Attribute[Any], value: object) -> object:
    """Run ``field``'s converter on ``value``, as the class's ``__init__`` does."""
    converter = field.converter
    if isinstance(converter, attrs.Converter):  # it takes the instance and the field
        arguments: list[object] = [value]
        arguments += [object.__new__(kind)] if converter.takes_self else []
        arguments += [field] if converter.takes_field else []
        return converter.converter(*arguments)
    assert callable(converter)
    return converter(value)


def test_the_fields_with_converters_are_found() -> None:
    """The test below sees the package's converted fields (a few dozen), not none."""
    names = {f"{kind.__name__}.{field.name}" for kind, field in CONVERTED_FIELDS}
    assert {
        "PaymentMethod.kind",
        "PaymentMethod.brand",
        "Account.zone",
        "Ledger.currency",
        "SendEmail.details",
        "DeletionPolicy.reminder_days_before",
    } <= names
    assert len(names) > 40


@pytest.mark.parametrize(
    ("kind", "field"),
    CONVERTED_FIELDS,
    ids=[f"{kind.__name__}.{field.name}" for kind, field in CONVERTED_FIELDS],
)
def test_every_converter_names_its_field(kind: type[Any], field: attrs.Attribute[Any]) -> None:
    """X-1: a value no converter accepts is refused with a billrules error naming
    ``Class.field``, whether the converter learns the field from attrs (``ToEnum[Kind]``,
    ``ToTuple[Item]``) or is a function written for that field."""
    with pytest.raises(BillRulesError) as excinfo:
        _convert(kind, field, object())
    assert f"{kind.__name__}.{field.name}" == excinfo.value.field  # type: ignore[attr-defined]


@pytest.mark.parametrize("shape", [_validate.ToEnum, _validate.ToTuple, _validate.ToExactTuple])
def test_converter_classes_are_subscripted_never_instantiated(shape: Any) -> None:
    """``ToEnum[Kind]`` is a converter; ``ToEnum(value)`` is a mistake, refused at once."""
    assert isinstance(shape[Role], attrs.Converter)
    with pytest.raises(TypeError, match=r"\[\.\.\.\] is a field's converter, not a value"):
        shape("owner")


def test_constructors_are_typed_with_what_they_accept(tmp_path: Path) -> None:
    """mypy reads each converted field's parameter from its converter: an enum's value and
    any iterable for a tuple type-check, as they are accepted; a value no converter accepts
    does not."""
    api = pytest.importorskip("mypy.api")
    host = tmp_path / "host.py"
    host.write_text(
        textwrap.dedent(
            """
            from datetime import UTC, datetime

            from moneyed import Money

            from billrules.balance import Ledger, LedgerEntry
            from billrules.effects import SendEmail
            from billrules.payment_methods import PaymentMethod

            at = datetime(2024, 1, 1, tzinfo=UTC)
            PaymentMethod(id="pm", kind="card", brand="visa", last4="4242", exp_month=1, exp_year=2030)
            entry = LedgerEntry(id="e1", kind="payment", at=at, amount=Money("1", "USD"))
            Ledger(currency="USD", entries=[entry])
            SendEmail(rule="X-1", at=at, template="t", to="owner", details={"n": 1})
            PaymentMethod(id="pm", kind=3)
            Ledger(currency="USD", entries=[at])
            """
        ),
        encoding="utf-8",
    )
    out, _, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(host)]
    )
    errors = [line.split(": error: ")[1] for line in out.splitlines() if ": error: " in line]
    assert 1 == status
    assert [
        'Argument "kind" to "PaymentMethod" has incompatible type "int"; '
        'expected "PaymentMethodKind | str"  [arg-type]',
        'List item 0 has incompatible type "datetime"; expected "LedgerEntry"  [list-item]',
    ] == errors
