"""The public surface: `__all__` is sorted and true, and every public constructor refuses
arbitrary input with documented billrules errors only (X-1, X-3, X-4)."""

from __future__ import annotations

import collections.abc as abc
import enum
import importlib
import inspect
import pkgutil
import types
import typing
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
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
import billrules.account as billrules_account
import billrules.testing as billrules_testing
from billrules import BillRulesError, PolicyViolation
from billrules.decisions import Question, ReasonCode
from billrules.errors import LocaleFallback

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


def _is_callable_api(obj: object) -> bool:
    if inspect.isfunction(obj):
        return True
    if not isinstance(obj, type) or issubclass(obj, (BaseException, enum.Enum)):
        return False
    if getattr(obj, "_is_protocol", False):
        return False  # a Protocol describes a shape; it is never called
    return attrs.has(obj) or "__init__" in vars(obj)


def _public_callables() -> list[tuple[str, Callable[..., Any]]]:
    """Every function and constructor named in a public module's `__all__` (not a kept list)."""
    found: dict[str, Callable[..., Any]] = {}
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if _is_callable_api(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(found.items())


CALLABLES = _public_callables()

#: Strategies for valid values of each fact and policy type, read off `billrules.testing`.
_VALID: dict[Any, st.SearchStrategy[Any]] = {}
for _name in billrules_testing.__all__:
    _factory = getattr(billrules_testing, _name)
    if not inspect.isfunction(_factory):
        continue
    _returns = typing.get_type_hints(_factory).get("return")
    _args = typing.get_args(_returns)
    if _args and isinstance(_args[0], type) and _args[0].__module__.startswith("billrules"):
        _VALID.setdefault(_args[0], _factory())

_UTC14 = timezone(timedelta(hours=14))
_UTC_12 = timezone(timedelta(hours=-12))
_HUGE = 10**5000

#: Valid but extreme instants: the first and last moments of the supported calendar.
_EDGE_INSTANTS = [
    datetime(1000, 1, 1, tzinfo=_UTC14),
    datetime(1000, 1, 1, tzinfo=UTC),
    datetime(8999, 12, 31, 23, 59, 59, tzinfo=_UTC_12),
    datetime(8999, 12, 31, 23, 59, 59, tzinfo=UTC),
]
#: Values no public callable should accept without a billrules error, whatever the parameter.
_HOSTILE: list[object] = [
    None,
    _HUGE,
    -_HUGE,
    -1,
    float("nan"),
    float("inf"),
    1.5,
    "",
    "x" * 300,
    "../../etc/passwd",
    "Europe/\x00Kyiv",
    "Visa 4242 4242 4242 4242",
    "4242424242424242",
    "1_000",
    "١٢٣",
    "1E-999999999",
    b"bytes",
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("1E-999999999"),
    Money(Decimal("1E-999999999"), "USD"),
    Money(Decimal("9E+999999"), "USD"),
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=_UTC14),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2024, 1, 1),  # noqa: DTZ001 - a naive datetime is one of the inputs fuzzed
    date.max,
    date.min,
    timedelta(days=3),
    ZoneInfo("UTC"),
    object(),
    [None],
    [object(), 1],
    {"a": None},
    (_HUGE,),
    Money("5", "EUR"),
    Money("-1", "USD"),
]
_hostile = st.sampled_from(_HOSTILE)
_REASON_CODES = billrules_testing.reason_codes()
_QUESTIONS = billrules_testing.questions()


def _valid(kind: Any) -> st.SearchStrategy[Any]:
    """Values of the annotation `kind` that a caller could legitimately pass (edges included)."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_valid(arg) for arg in args])
    if origin in (abc.Iterable, abc.Sequence, abc.Collection, tuple, list):
        return st.lists(_valid(args[0]) if args else _hostile, max_size=3)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if kind in _VALID:
        return _VALID[kind]
    if kind is datetime:
        return st.one_of(billrules_testing.aware_datetimes(), st.sampled_from(_EDGE_INSTANTS))
    if kind is date:
        return st.dates(min_value=date(1000, 1, 1), max_value=date(8999, 12, 31))
    if kind is int:
        return st.integers(min_value=-3, max_value=60)
    if kind is bool:
        return st.booleans()
    if kind is str:
        return st.sampled_from(["owner", "admin", "staff", "UTC", "Europe/Kyiv", "u1", "USD"])
    if kind is type(None):
        return st.none()
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        if members := list(kind):
            return st.sampled_from(members)
        # An abstract base has no members of its own: any registered area's, of that base.
        for base, strategy in ((ReasonCode, _REASON_CODES), (Question, _QUESTIONS)):
            if issubclass(kind, base):
                return strategy.filter(lambda member: isinstance(member, kind))
    return _hostile


def _hints(target: Callable[..., Any]) -> dict[str, Any]:
    function = target.__init__ if isinstance(target, type) else target  # type: ignore[misc]
    namespace = dict(vars(billrules_account))  # names a module imports only for type checking
    try:
        return typing.get_type_hints(function, localns=namespace)
    except (NameError, TypeError):
        return {}


def _parameters(target: Callable[..., Any]) -> list[inspect.Parameter]:
    parameters = inspect.signature(target).parameters.values()
    return [
        p
        for p in parameters
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"
    ]


@pytest.mark.parametrize(("name", "target"), CALLABLES, ids=[name for name, _ in CALLABLES])
@given(data=st.data())
def test_public_callables_raise_only_billrules_errors(
    name: str, target: Callable[..., Any], data: st.DataObject
) -> None:
    """X-1, X-3, X-4 fuzz: every public function and constructor, called with valid arguments
    but one wrong or extreme (wrong types, huge integers, NaN, calendar ends, hostile strings),
    returns a value or raises a billrules error: never a raw Python exception."""
    hints = _hints(target)
    parameters = _parameters(target)
    hostile_index = data.draw(st.integers(-1, len(parameters) - 1), label="hostile")
    positional: list[object] = []
    keywords: dict[str, object] = {}
    for index, parameter in enumerate(parameters):
        kind = hints.get(parameter.name, Any)
        strategy = _hostile if index == hostile_index else _valid(kind)
        value = data.draw(strategy, label=parameter.name)
        if parameter.kind is parameter.KEYWORD_ONLY:
            keywords[parameter.name] = value
        else:
            positional.append(value)
    refused: BillRulesError | None = None
    try:
        with warnings.catch_warnings():
            # A locale that is not shipped is a warning, then English: not an exception.
            warnings.simplefilter("ignore", LocaleFallback)
            target(*positional, **keywords)
    except BillRulesError as error:
        refused = error
    except Exception as error:  # pragma: no cover - only reached when the test fails
        pytest.fail(f"{name} raised {type(error).__name__}: {error}")
    if refused is not None:
        assert isinstance(refused, (ValueError, TypeError, PolicyViolation))
        assert str(refused)


def test_the_fuzz_reaches_every_public_callable() -> None:
    """The fuzz enumerates the modules' `__all__`: functions and constructors of every area,
    of the contract and of the evaluation above the areas; private modules are left out."""
    names = {name.rsplit(".", 1)[-1] for name, _ in CALLABLES}
    assert {"explain", "timeline", "is_overdue", "Invoice", "Wallet", "policy_from_json"} <= names
    assert {"Transition", "Finding", "Suspension", "Area", "Evaluation"} <= names
    assert {"transitions", "findings", "role_findings", "finding_data", "transition_data"} <= names
    modules = {module.__name__ for module in MODULES}
    assert {"billrules.contract", "billrules.evaluation"} <= modules
    assert not any(name.startswith("_") for module in modules for name in module.split("."))
    for area in (
        "invoices",
        "payment_methods",
        "seats",
        "cancellation",
        "dunning",
        "balance",
        "deletion",
        "subscriptions",
    ):
        module = importlib.import_module(f"billrules.{area}")
        for name in ("transitions", "findings", "role_findings"):
            function = getattr(module, name)
            assert f"{function.__module__}.{function.__qualname__}" in dict(CALLABLES)
    assert len(CALLABLES) > 200


def test_decimal_is_not_money() -> None:
    """X-4: a bare Decimal where Money is needed is a billrules type error."""
    invoice_module = importlib.import_module("billrules.invoices")
    with pytest.raises(billrules.InvalidType):
        invoice_module.Payment(id="p", amount=Decimal(1), paid_at=datetime(2024, 1, 1, tzinfo=UTC))


#: The names of a window's two ends: one pair everywhere (DESIGN "Checked once").
_WINDOW = ("start", "end")
#: The names the window no longer goes by.
_OLD_WINDOW = ("since", "until")
#: Areas whose ``transitions`` take the window.
_AREAS = (
    "balance",
    "cancellation",
    "deletion",
    "dunning",
    "invoices",
    "payment_methods",
    "seats",
    "subscriptions",
)


def test_every_public_window_is_start_and_end_keyword_only() -> None:
    """X-5, X-8: every public function taking a window names it ``start=``/``end=``, keyword
    only (``timeline``, ``due``, ``due_bag`` and each area's ``transitions`` alike), and none
    says ``since``/``until``."""
    windowed = []
    for name, function in CALLABLES:
        if inspect.isclass(function):
            continue
        parameters = inspect.signature(function).parameters
        assert not set(_OLD_WINDOW) & set(parameters), name
        if set(_WINDOW) <= set(parameters):
            windowed.append(function)
            for word in _WINDOW:
                assert parameters[word].kind is inspect.Parameter.KEYWORD_ONLY, (name, word)
    run = importlib.import_module("billrules.run")
    expected = [importlib.import_module("billrules.timeline").timeline, run.due, run.due_bag]
    expected += [importlib.import_module(f"billrules.{area}").transitions for area in _AREAS]
    assert all(function in windowed for function in expected)
