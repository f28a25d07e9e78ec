"""The package root lists its public names once — the imports type checkers read — and
``__all__`` and the lazy loader are read from them (X-1)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import billrules

INIT = Path(billrules.__file__)


def _declared() -> dict[str, str]:
    """The names the root's ``if TYPE_CHECKING:`` imports re-export, with their modules."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module != "typing":
                    for alias in statement.names:
                        assert alias.asname == alias.name, alias.name  # an explicit re-export
                        found[alias.name] = f"{statement.module}"
    return found


def test_all_is_the_declared_imports_and_the_version() -> None:
    """``__all__`` holds every name imported for type checkers, and only those."""
    assert sorted([*_declared(), "__version__"]) == sorted(billrules.__all__)


def test_every_declared_name_loads_from_its_module() -> None:
    """Each name resolves, on first use, to the object of the module it is imported from."""
    for name, module in _declared().items():
        assert getattr(billrules, name) is getattr(importlib.import_module(module), name), name


def test_names_are_written_once() -> None:
    """No other list of the public names in the root: no string literal repeats one."""
    declared = set(_declared())
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert set() == declared & strings


def test_unknown_name_is_an_attribute_error() -> None:
    """An unknown name raises AttributeError, so ``hasattr`` and ``getattr(..., default)``
    work."""
    assert not hasattr(billrules, "restriction_for")
    with pytest.raises(AttributeError, match="no attribute 'Access'"):
        _ = billrules.Access  # type: ignore[attr-defined]


def test_import_billrules_loads_no_area() -> None:
    """``import billrules`` imports neither the areas nor ``typing``: names load on first use."""
    code = (
        "import sys, billrules; "
        "print(sorted(m for m in sys.modules if m.startswith('billrules.') or m == 'typing'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(INIT.parent.parent)},
    ).stdout
    assert "[]" == out.strip()


def test_strict_type_checkers_see_the_root_names(tmp_path: Path) -> None:
    """``from billrules import X`` type-checks under ``mypy --strict`` with X's own type."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "host.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from billrules import DEFAULT_POLICY, Invoice, explain

            reveal_type(Invoice)
            reveal_type(DEFAULT_POLICY.dunning)
            reveal_type(explain)
            """
        ),
        encoding="utf-8",
    )
    out, _, _ = api.run(["--strict", "--no-incremental", "--follow-imports=silent", str(snippet)])
    assert "-> billrules.invoices._facts.Invoice" in out, out
    assert 'Revealed type is "billrules.dunning._policy.DunningPolicy"' in out, out
    assert "-> billrules.report.Report" in out, out
    assert 'Revealed type is "Any"' not in out, out
    assert "Success: no issues found" in out, out


def test_strict_type_checkers_refuse_an_unknown_root_name(tmp_path: Path) -> None:
    """A removed or misspelt name of ``billrules`` is an error for ``mypy --strict``, not
    ``Any``: the lazy loader exists only at run time."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "host.py"
    snippet.write_text(
        "from billrules import restriction_for\nimport billrules\nbillrules.explian\n",
        encoding="utf-8",
    )
    out, _, status = api.run(
        ["--strict", "--no-incremental", "--follow-imports=silent", str(snippet)]
    )
    assert 1 == status, out
    assert 'Module "billrules" has no attribute "restriction_for"' in out, out
    assert 'has no attribute "explian"' in out, out


def _loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(INIT.parent.parent)},
    ).stdout
    return set(out.split())


#: What answering needs none of: the readers and writers, the renderer, the kinds of effect,
#: the key's hashing, and the areas' operations no question asks (each loads on first use).
NOT_FOR_ANSWERS = {
    "billrules.serialize",
    "billrules._plain",
    "billrules._loads",
    "billrules._render",
    "billrules._effect_kinds",
    "billrules.balance._charges",
    "billrules.invoices._history",
    "billrules.seats._charge",
    "billrules.seats._users",
    "billrules.subscriptions._packages",
    "billrules.dunning._access",
    "billrules.payment_methods._wallet",
    "json",
    "hashlib",
    "tomllib",
    "html",
}


def test_explain_loads_nothing_answering_does_not_need() -> None:
    """``billrules.explain`` loads every area's questions and none of ``NOT_FOR_ANSWERS``."""
    loaded = _loaded_after("import billrules; billrules.explain")
    assert set() == loaded & NOT_FOR_ANSWERS
    assert {"billrules.dunning._contract", "billrules.deletion._contract"} <= loaded


@pytest.mark.parametrize(
    ("code", "module"),
    [
        ("from billrules.invoices import statement", "billrules.invoices._history"),
        ("from billrules.balance import charge_month", "billrules.balance._charges"),
        ("import billrules.seats as s; s.seat_charge", "billrules.seats._charge"),
        ("from billrules.effects import SendEmail", "billrules._effect_kinds"),
        ("import billrules; billrules.account_from_json", "billrules.serialize"),
    ],
)
def test_a_deferred_name_loads_its_module_on_first_use(code: str, module: str) -> None:
    """A name of a module loaded on first use resolves, and loads it, when it is read."""
    assert module in _loaded_after(code)


def test_deferred_names_are_listed_and_unknown_ones_refused() -> None:
    """An area's lazily loaded names are in ``dir()``; an unknown one is an AttributeError."""
    from billrules import effects, invoices

    assert "statement" in dir(invoices)
    assert "SendEmail" in dir(effects)
    with pytest.raises(AttributeError, match="no attribute 'statment'"):
        _ = invoices.statment  # type: ignore[attr-defined]  # the misspelling is the test
    with pytest.raises(AttributeError, match="no attribute 'SendMail'"):
        _ = effects.SendMail  # type: ignore[attr-defined]
    assert "billrules.effects" == effects.SendEmail.__module__ == effects.Effect.__module__
