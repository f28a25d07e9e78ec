"""Importers: a payment processor's objects become billrules facts (IMP-1 … IMP-5).

Each importer is a subpackage named after its processor (:mod:`billrules.importers.stripe`).
An importer reads the processor's objects as plain mappings, as its API and webhooks send
them, and returns an :class:`~billrules.account.Account` with a report of what it left out;
it guesses nothing, and it performs no I/O.
"""

from __future__ import annotations

__all__: list[str] = []
