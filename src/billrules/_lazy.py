"""Names a package loads on first use (PEP 562), read from its own imports. Private.

A package lists the names it loads lazily as imports under ``if TYPE_CHECKING:`` (type
checkers read them; nothing runs at import) and hands its code object to :func:`loader`,
whose ``__getattr__`` imports a name's module the first time the name is read:

    if TYPE_CHECKING:
        from billrules.invoices._history import Statement, statement

    __getattr__, __dir__ = _lazy.loader(__name__, sys._getframe().f_code)

The names are read from the compiled imports (``dis``, already loaded with ``inspect``), so
the list is written once; a name imported eagerly is simply found in the package first.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

__all__ = ["exports", "loader"]


def exports(code: CodeType, package: str) -> dict[str, str]:
    """Each name ``code`` imports from a module inside ``package``, and that module.

    An ``IMPORT_NAME`` of a module is followed by one ``IMPORT_FROM`` per name it imports.
    """
    import dis

    found: dict[str, str] = {}
    module = ""
    prefix = package + "."
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME":
            module = instruction.argval
        elif instruction.opname == "IMPORT_FROM" and module.startswith(prefix):
            found[instruction.argval] = module
    return found


def loader(package: str, code: CodeType) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose module code is ``code``."""
    table: dict[str, str] = {}

    def names() -> dict[str, str]:
        if not table:
            table.update(exports(code, package))
        return table

    def attribute(name: str) -> Any:
        module = names().get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        vars(sys.modules[package])[name] = value
        return value

    def listing() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names()))

    return attribute, listing
