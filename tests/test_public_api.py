"""The public surface: `__all__` is sorted and true, and every public constructor refuses
arbitrary input with documented billrules errors only (X-1, X-3, X-4)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

import billrules
from billrules import BillRulesError, PolicyViolation

_SKIP = {"billrules.__main__", "billrules.cli"}


def _public_modules() -> list[ModuleType]:
    modules = [billrules]
    for info in pkgutil.walk_packages(billrules.__path__, "billrules."):
        if info.name in _SKIP or any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


MODULES = _public_modules()


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


def _public_classes() -> list[type[Any]]:
    found: dict[str, type[Any]] = {}
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if isinstance(obj, type) and attrs.has(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[key] for key in sorted(found)]


CLASSES = _public_classes()


class TestAll:
    """Each module's `__all__` is sorted and every name in it exists."""

    @pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
    def test_all_is_sorted_and_resolves(self, module: ModuleType) -> None:
        """X-1: a static `__all__` in isort order (constants, classes, functions), names existing."""
        names = list(getattr(module, "__all__", []))
        assert sorted(names, key=_isort_key) == names
        for name in names:
            assert hasattr(module, name), name

    def test_top_level_reexports_come_from_their_modules(self) -> None:
        """The package root re-exports the main facts and errors, no private names."""
        assert all(not name.startswith("_") or name == "__version__" for name in billrules.__all__)
        assert billrules.Invoice is importlib.import_module("billrules.invoices").Invoice

    def test_version(self) -> None:
        """The version is a string."""
        assert isinstance(billrules.__version__, str)

    def test_py_typed_is_shipped(self) -> None:
        """`py.typed` marks the package as typed."""
        import pathlib

        assert (pathlib.Path(billrules.__file__).parent / "py.typed").is_file()


_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=40),
    st.floats(allow_nan=True),
    st.text(max_size=6),
    st.sampled_from(
        ["paid", "owner", "admin", "staff", "USD", "monthly", "card", "UTC", "visa", "4242", ""]
    ),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [Money("19.00", "USD"), Money("-1", "USD"), Money("0", "USD"), Money("5", "EUR")]
    ),
    st.sampled_from(
        [
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 3, 1, tzinfo=ZoneInfo("Europe/Kyiv")),
            datetime(2024, 1, 1),  # noqa: DTZ001 - a naive datetime is one of the inputs fuzzed
            date(2024, 1, 1),
            timedelta(days=3),
            ZoneInfo("UTC"),
        ]
    ),
    st.builds(object),
)
_values = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
@given(data=st.data())
def test_constructors_raise_only_documented_errors(cls: type[Any], data: st.DataObject) -> None:
    """X-1, X-3, X-4 fuzz: arbitrary field values give a value or a billrules error, nothing else."""
    kwargs = {
        field.alias or field.name: data.draw(_values, label=field.name)
        for field in attrs.fields(cls)
        if field.init
    }
    refused: BillRulesError | None = None
    try:
        cls(**kwargs)
    except BillRulesError as error:
        refused = error
    except Exception as error:  # pragma: no cover - only reached when the test fails
        pytest.fail(f"{cls.__qualname__}({kwargs!r}) raised {type(error).__name__}: {error}")
    if refused is not None:
        assert isinstance(refused, (ValueError, TypeError, PolicyViolation))
        assert str(refused)


def test_decimal_is_not_money() -> None:
    """X-4: a bare Decimal where Money is needed is a billrules type error."""
    invoice_module = importlib.import_module("billrules.invoices")
    with pytest.raises(billrules.InvalidType):
        invoice_module.Payment(id="p", amount=Decimal(1), paid_at=datetime(2024, 1, 1, tzinfo=UTC))
