#!/usr/bin/env python3
# ruff: noqa: T201  (a command-line script: it prints by design)
"""The public list of reason codes and the message catalogues, generated from the code (X-7).

    .venv/bin/python scripts/reasons.py          # write docs/reasons.md and the catalogues

- ``docs/reasons.md`` lists, per area, every reason code with the rule it declares, the keys
  of its details and its English sentence.
- ``src/billrules/i18n/locales/en/LC_MESSAGES/billrules.po`` is the English catalogue: every
  entry of :func:`billrules.i18n._catalogue.english_entries`, the translators' source.
- every other shipped catalogue is brought up to date with it: new entries are added
  untranslated (they render in English until translated), entries the code no longer has are
  dropped, translations are kept, and each entry's notes (its rules and English text) are
  refreshed.

A code's rule is the one it declares (``ReasonCode.rule``); the keys of its details are read
from the source: every ``Reason(code=...)`` the package builds (not its testing strategies).
``tests/test_reasons_doc.py`` checks that the files are current and that every code is built
somewhere.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "billrules"
DOC = ROOT / "docs" / "reasons.md"
LOCALES_DIR = SOURCE / "i18n" / "locales"

sys.path.insert(0, str(ROOT / "src"))

from billrules.decisions import ReasonCode  # noqa: E402
from billrules.i18n._catalogue import LOCALES, english_entries, reason_codes  # noqa: E402

Key = tuple[type[ReasonCode], str]


def _po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "billrules.po"


# --------------------------------------------------------------------------------------------
# Reading the source


class _Module:
    """One module of the package: its syntax tree, its run-time namespace, its functions."""

    def __init__(self, path: Path) -> None:
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.namespace = vars(importlib.import_module(name))
        self.functions = {
            node.name: node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.parent: dict[ast.AST, ast.AST] = {
            child: node for node in ast.walk(self.tree) for child in ast.iter_child_nodes(node)
        }

    def owner(self, name: str) -> _Module | None:
        """The module defining the function ``name`` calls: this one, or the package's
        module it was imported from (a private module of the same area)."""
        if name in self.functions:
            return self
        function = self.namespace.get(name)
        module = sys.modules.get(getattr(function, "__module__", ""))
        path = getattr(module, "__file__", None)
        if not inspect.isfunction(function) or path is None:
            return None
        if not Path(path).is_relative_to(SOURCE):
            return None
        other = _Module(Path(path))
        return other if name in other.functions else None

    def members(self, node: ast.expr, scope: ast.AST) -> Iterator[ReasonCode]:
        """The reason codes an expression names (``Code.X`` or ``Code.X if c else Code.Y``, or
        a name of the same function assigned one of those)."""
        if isinstance(node, ast.IfExp):
            yield from self.members(node.body, scope)
            yield from self.members(node.orelse, scope)
        elif isinstance(node, ast.Name):
            for child in ast.walk(scope):
                if isinstance(child, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == node.id
                    for target in child.targets
                ):
                    yield from self.members(child.value, scope)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            enum = self.namespace.get(node.value.id)
            member = getattr(enum, node.attr, None)
            if isinstance(member, ReasonCode):
                yield member

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def keys(self, node: ast.expr | None, scope: ast.AST, depth: int = 0) -> set[str]:
        """The keys a details expression is known to hold: a dict, what it wraps, what a
        function of the module returns, what a name of the same function was assigned."""
        if node is None or depth > 4:
            return set()
        if isinstance(node, ast.Dict):
            found: set[str] = set()
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    found |= self.keys(value, scope, depth + 1)
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.add(key.value)
            return found
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            owner = self.owner(name) if name is not None else None
            if name is not None and owner is not None:
                function = owner.functions[name]
                returns = [
                    child.value for child in ast.walk(function) if isinstance(child, ast.Return)
                ]
                return set().union(*(owner.keys(value, function, depth + 1) for value in returns))
            # dict(...), FrozenMapping({...}) and the like: the keys of what they wrap.
            found = {kw.arg for kw in node.keywords if kw.arg}
            return found | self.keys(node.args[0] if node.args else None, scope, depth + 1)
        if isinstance(node, ast.Name):
            return set().union(
                *(
                    self.keys(child.value, scope, depth + 1)
                    for child in ast.walk(scope)
                    if isinstance(child, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == node.id for t in child.targets)
                )
            )
        return set()


def scan() -> tuple[dict[Key, set[str]], dict[Key, set[str]]]:
    """Each code's rule (the one it declares) and details' keys, for every code the package's
    ``Reason(...)`` and ``trusted_reason(...)`` calls build."""
    rules: dict[Key, set[str]] = defaultdict(set)
    keys: dict[Key, set[str]] = defaultdict(set)
    for path in sorted(SOURCE.rglob("*.py")):
        if "testing" in path.relative_to(SOURCE).parts:
            continue
        module = _Module(path)
        for call in ast.walk(module.tree):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in ("Reason", "trusted_reason")
            ):
                continue
            given = {kw.arg: kw.value for kw in call.keywords}
            if call.func.id == "trusted_reason":  # trusted_reason(code, details=...)
                given.update(zip(("code", "details"), call.args, strict=False))
            if "code" not in given:
                continue
            scope = module.enclosing(call) or module.tree
            for member in module.members(given["code"], scope):
                key = (type(member), member.name)
                rules[key].add(member.rule)
                keys[key] |= module.keys(given.get("details"), scope)
    return rules, keys


# --------------------------------------------------------------------------------------------
# docs/reasons.md


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reasons_markdown() -> str:
    """The text of ``docs/reasons.md``."""
    rules, keys = scan()
    lines = [
        "# Reason codes",
        "",
        "Every reason a decision, a finding or a transition can give, per area: its stable",
        "`code` (never localised), the rule it is given under, the keys of its `details` (the",
        "sentence's fields first) and its English sentence, `Reason.message`. The sentences in",
        "other languages are in the catalogues (see [locales](locales.md)).",
        "",
        "This page is generated from the code by `scripts/reasons.py`; a test fails when it is",
        "out of date.",
    ]
    for area, codes in reason_codes():
        lines += [
            "",
            f"## {area}",
            "",
            f"`billrules.{area}.{codes.__name__}`",
            "",
            "| code | rule | details | English sentence |",
            "|---|---|---|---|",
        ]
        for code in codes:
            key = (codes, code.name)
            fields = sorted(code.fields)
            more = sorted(keys.get(key, set()) - code.fields)
            detail = ", ".join(f"`{name}`" for name in fields)
            if more:
                detail += ("; " if detail else "") + ", ".join(f"`{name}`" for name in more)
            rule = ", ".join(sorted(rules.get(key, set()))) or "—"
            lines.append(f"| `{code.value}` | {rule} | {detail or '—'} | {_cell(code.template)} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The catalogues


def _notes() -> dict[tuple[str, str], tuple[str, ...]]:
    rules, _ = scan()
    by_value = {
        (f"reason|{area}", code.value): sorted(rules.get((codes, code.name), set()))
        for area, codes in reason_codes()
        for code in codes
    }
    notes: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry in english_entries():
        found = by_value.get((entry.context, entry.id))
        lines = [entry.note] if entry.note else []
        if found:
            lines.append("rule: " + ", ".join(found))
        lines.append("English: " + entry.english)
        notes[(entry.context, entry.id)] = tuple(lines)
    return notes


_HEADER = """\
# The billrules message catalogue ({locale}): reasons, summaries, transition kinds, headings.
# Generated and kept up to date by scripts/reasons.py; translate the msgstr lines only, keeping
# every {{field}} of the English text (the spec after a colon may change: see docs/locales.md).
msgid ""
msgstr ""
"Project-Id-Version: billrules\\n"
"Language: {locale}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural_forms}\\n"

"""


def _write(catalog: Catalog) -> str:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=True, sort_output=False)
    header = _HEADER.format(locale=catalog.locale, plural_forms=catalog.plural_forms)
    return header + buffer.getvalue().decode("utf-8")


def _catalog(locale: str) -> Catalog:
    return Catalog(locale=locale, domain="billrules", fuzzy=False)


def po_text(locale: str) -> str:
    """The current text of a shipped catalogue: ``en`` anew, any other brought up to date."""
    notes = _notes()
    fresh = _catalog(locale)
    old: dict[tuple[str, str], str] = {}
    path = _po_path(locale)
    if locale != "en" and path.exists():
        with path.open("rb") as source:
            read = read_po(source, locale=locale)
        old = {(m.context or "", str(m.id)): str(m.string) for m in read if m.id}
    for entry in english_entries():
        key = (entry.context, entry.id)
        string = entry.english if locale == "en" else old.get(key, "")
        fresh.add(entry.id, string, context=entry.context, auto_comments=notes[key])
    return _write(fresh)


def main() -> int:
    DOC.write_text(reasons_markdown(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    for locale in LOCALES:
        path = _po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(po_text(locale), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
