"""Invoices (moved to a package; see ``_facts``)."""

from billrules.invoices._facts import *  # noqa: F403
from billrules.invoices._facts import __all__ as __all__
