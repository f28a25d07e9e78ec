"""The area boundary (DESIGN.md, the area contract): an area that needs another area's facts
calls that area's public functions, never its private names; and nothing above the areas
(evaluation, account, report, timeline, run, serialize, schema, i18n, rendering, testing)
reaches into an area's private modules either.

The check reads the sources with ``ast``: a module of one package may not import a private
module (``billrules.balance._ledger``) or a private name (``_state_at``) of another area's
package, nor read a private attribute of an area module it imported. ``lint-imports`` checks
the layers; this checks the doors between the areas of one layer and into them from above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import billrules
from billrules.evaluation import AREAS

SOURCE = Path(billrules.__file__).resolve().parent

#: The registered areas' packages: ``balance``, ``invoices``… (the registry names them).
AREA_PACKAGES = frozenset(AREAS.names)

#: Callables that import a module named by a string.
_IMPORTERS = frozenset({"import_module", "__import__"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    """``billrules.balance._ledger`` for ``…/billrules/balance/_ledger.py``."""
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _owner(module: str) -> str:
    """The package (or top-level module) of ``billrules`` that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _crossing(target: str, owner: str) -> str | None:
    """The area ``target`` (a dotted module name) belongs to, if it is not ``owner``'s."""
    parts = target.split(".")
    if len(parts) < 2 or parts[0] != "billrules" or parts[1] not in AREA_PACKAGES:
        return None
    return None if parts[1] == owner else parts[1]


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ``from … import`` reads, relative levels resolved."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Each place where ``module`` (whose text is ``source``) uses another area's private
    module or name, as ``"line: what"``."""
    owner = _owner(module)
    found: list[str] = []
    aliases: dict[str, str] = {}  # a local name bound to another area's package or module
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                area = _crossing(alias.name, owner)
                if area is None:
                    continue
                inner = alias.name.split(".")[2:]
                if any(_private(part) for part in inner):
                    found.append(f"{node.lineno}: import {alias.name}")
                elif alias.asname is not None:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module, is_package)
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if target == "billrules":
                    area = _crossing(full, owner)
                    if area is not None:
                        aliases[alias.asname or alias.name] = full
                    continue
                area = _crossing(target, owner)
                if area is None:
                    continue
                inner = target.split(".")[2:]
                if any(_private(part) for part in inner) or _private(alias.name):
                    found.append(f"{node.lineno}: from {target} import {alias.name}")
                else:
                    aliases[alias.asname or alias.name] = full
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Name) and node.func.id in _IMPORTERS)
                or (isinstance(node.func, ast.Attribute) and node.func.attr in _IMPORTERS)
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            name = node.args[0].value
            if _crossing(name, owner) is not None and any(
                _private(part) for part in name.split(".")[2:]
            ):
                found.append(f"{node.lineno}: imports {name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found.append(f"{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def _modules() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def test_no_module_reaches_into_another_areas_private_names() -> None:
    """The area contract: every cross-area read goes through the other area's public,
    documented functions (``balance.debt_started_at``, ``invoices.outstanding_invoices``,
    ``seats.back_office_occasion``…), and so does every module above the areas."""
    found = {
        _module_name(path): hits
        for path in _modules()
        if (
            hits := violations(
                path.read_text(encoding="utf-8"),
                _module_name(path),
                is_package=path.name == "__init__.py",
            )
        )
    }
    assert found == {}


def test_the_scan_reads_every_area_and_every_layer_above() -> None:
    """The scan is not vacuous: it reads every registered area's modules (public and
    private) and the modules above the areas."""
    names = {_module_name(path) for path in _modules()}
    for area in AREA_PACKAGES:
        assert f"billrules.{area}" in names
        assert any(name.startswith(f"billrules.{area}._") for name in names), area
    above = {
        "billrules.evaluation",
        "billrules.account",
        "billrules.report",
        "billrules.timeline",
        "billrules.run",
        "billrules.serialize",
        "billrules.schema",
        "billrules.i18n",
        "billrules._render",
        "billrules.testing",
        "billrules.cli",
    }
    assert above <= names
    assert len(AREA_PACKAGES) >= 8


_AREA = ("billrules.dunning._contract",)
_BOTH = ("billrules.dunning._contract", "billrules.report")


@pytest.mark.parametrize(
    ("source", "expected", "modules"),
    [
        ("from billrules.balance._ledger import _state_at\n", "balance._ledger import", _BOTH),
        ("from billrules.balance._ledger import debt_periods\n", "balance._ledger import", _BOTH),
        ("from billrules.invoices import _settlement_key\n", "import _settlement_key", _BOTH),
        ("from billrules.seats import _back_office\n", "import _back_office", _BOTH),
        ("import billrules.invoices._facts\n", "import billrules.invoices._facts", _BOTH),
        ("import billrules.invoices._facts as f\n", "import billrules.invoices._facts", _BOTH),
        ("from billrules import invoices\ninvoices._outstanding_of(())\n", "._outstanding", _BOTH),
        ("from billrules import invoices as inv\ninv._facts\n", "billrules.invoices._facts", _BOTH),
        (
            "import billrules.balance as b\nb._ledger._state_at\n",
            "billrules.balance._ledger",
            _BOTH,
        ),
        ("from billrules.balance import _ledger as l\n", "import _ledger", _BOTH),
        ("from billrules.balance import Ledger\nLedger._history\n", "Ledger._history", _BOTH),
        ("importlib.import_module('billrules.balance._ledger')\n", "balance._ledger", _BOTH),
        # A relative import counts from the module's own package.
        ("from ..balance._ledger import _state_at\n", "from billrules.balance._ledger", _AREA),
        ("from ..balance import _ledger\n", "from billrules.balance import _ledger", _AREA),
        (
            "from .balance import _ledger\n",
            "from billrules.balance import _ledger",
            ("billrules.report",),
        ),
    ],
)
def test_the_scan_finds_each_way_into_another_areas_private_names(
    source: str, expected: str, modules: tuple[str, ...]
) -> None:
    """Each form of import of another area's private module or name is reported, with its
    line, from an area module (dunning) and from a module above the areas (report)."""
    for module in modules:
        (hit,) = violations(source, module)
        assert expected in hit
        assert hit.startswith(f"{source.count(chr(10))}:")


@pytest.mark.parametrize(
    "source",
    [
        "from billrules.dunning._schedule import _Table\n",  # the area's own private names
        "from ..dunning._schedule import _LIFTED\n",
        "from . import _codes\n",
        "from billrules.balance import Ledger, debt_started_at\n",  # another area's public names
        "from billrules import balance\nbalance.debt_periods\n",
        "from billrules._check import unchecked\n",  # the kernel's helpers, shared by all
        "from billrules import _time, _validate as v\n",
        "from billrules.balance import __all__\n",
        "from billrules import balance\nbalance.Ledger.__name__\n",
    ],
)
def test_the_scan_allows_own_private_names_public_names_and_the_kernel(source: str) -> None:
    """An area's own private modules, another area's public names and the kernel's private
    helpers are not reported."""
    assert violations(source, "billrules.dunning._contract") == []
