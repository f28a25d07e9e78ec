"""The invoices area's policy: :class:`InvoicePolicy` (INV-1).

Part of :mod:`billrules.invoices`; import the public names from there.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import attrs

from billrules import _validate as v


@attrs.frozen(kw_only=True)
class InvoicePolicy:
    """The knobs of the invoices area.

    Attributes:
        history_cutoff: INV-1: the first issue date (in the account's zone) listed and
            downloadable in self-service; inclusive. Seed default 2021-01-01.
        support_contact: INV-1: where older invoices can be asked for.
    """

    history_cutoff: date = attrs.field(default=date(2021, 1, 1), validator=v.calendar_date)
    support_contact: str = attrs.field(default="support", validator=v.text)

    @functools.cached_property
    def _answers(self) -> dict[tuple[object, ...], Any]:
        """Findings that depend on this policy and a few small values only, built once each
        when first needed and then shared (INV-1's history finding per count of invoices
        listed and issued, INV-3's "nothing outstanding" per currency).

        Not a field: equality, hashing, ``repr``, pickling and copies ignore it.
        """
        return {}
