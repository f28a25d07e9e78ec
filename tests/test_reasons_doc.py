"""The public list of reason codes (docs/reasons.md) and the catalogues are current (X-7)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from billrules.i18n import LOCALES
from billrules.i18n._catalogue import reason_codes

ROOT = Path(__file__).resolve().parent.parent
_REGENERATE = "out of date: run `.venv/bin/python scripts/reasons.py` and commit the result"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reasons_script", ROOT / "scripts" / "reasons.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reasons_script", module)
    spec.loader.exec_module(module)
    return module


def test_reasons_page_is_current(generator: ModuleType) -> None:
    """docs/reasons.md is what the code generates: every code, its rule, keys and sentence."""
    current = (ROOT / "docs" / "reasons.md").read_text(encoding="utf-8")
    assert generator.reasons_markdown() == current, f"docs/reasons.md is {_REGENERATE}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_current(generator: ModuleType, locale: str) -> None:
    """Each shipped catalogue has every entry of the code with fresh notes for translators."""
    path = ROOT / "src" / "billrules" / "i18n" / "locales" / locale / "LC_MESSAGES" / "billrules.po"
    assert generator.po_text(locale) == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(ROOT)} is {_REGENERATE}"
    )


def test_every_code_is_listed_with_a_rule(generator: ModuleType) -> None:
    """Every reason code of every area is built somewhere, under the rule it declares, and
    the page lists each one under its area."""
    rules, _ = generator.scan()
    page = (ROOT / "docs" / "reasons.md").read_text(encoding="utf-8")
    without = [
        f"{codes.__name__}.{code.name}"
        for _, codes in reason_codes()
        for code in codes
        if not rules.get((codes, code.name))
    ]
    assert [] == without
    for area, codes in reason_codes():
        assert f"## {area}" in page
        for code in codes:
            assert f"| `{code.value}` |" in page


def test_rules_read_from_the_source_are_the_rules_given(generator: ModuleType) -> None:
    """The scan gives each code the one rule it declares: DEL-4 for the reminder, PM-3 for an
    unknown method to remove and PM-4 for one to make the default, DEL-1 for both branches of
    a choice."""
    from billrules.deletion import DeletionCode
    from billrules.payment_methods import PaymentMethodCode

    rules, keys = generator.scan()
    assert {"DEL-4"} == rules[(DeletionCode, "DELETION_REMINDER")]
    assert {"PM-3"} == rules[(PaymentMethodCode, "UNKNOWN")]
    assert {"PM-4"} == rules[(PaymentMethodCode, "DEFAULT_UNKNOWN")]
    assert {"DEL-1"} == rules[(DeletionCode, "ACCOUNT_TOO_NEW")]
    assert {"days"} <= keys[(DeletionCode, "DELETION_REMINDER")]
