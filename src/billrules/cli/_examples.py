"""The bundled example accounts the command explains without an account file. Private.

Each example is an account snapshot shipped inside the package (``billrules/examples/``) and
its own instant, which ``--at`` and ``--start`` default to, so its output never changes.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from types import MappingProxyType
from typing import Final, NamedTuple

__all__ = ["DEFAULT", "EXAMPLES", "Example", "help_text", "read"]


class Example(NamedTuple):
    """A bundled example: its file inside the ``billrules`` package, its instant, and what it
    shows (one line of ``--help``)."""

    file: str
    at: datetime
    about: str


#: Every bundled example by the name ``--example`` takes, the default first.
EXAMPLES: Final = MappingProxyType(
    {
        # DUN-1: a week after the monthly charge of the 1st turned the balance negative, the
        # admin sees only the payment page, the staff keep access.
        "delinquent": Example(
            "examples/delinquent.json",
            datetime.fromisoformat("2024-05-08T09:00:00+03:00"),
            "the seed's prepaid account in Kyiv, its balance negative since the charge of "
            "1 May 2024, at 2024-05-08T09:00:00+03:00 (DUN-1)",
        ),
        # OVD-1 … OVD-5: three hours after the automatic charge of its invoice failed, the
        # retries, the ladder and the final action are all ahead.
        "overdue": Example(
            "examples/overdue.json",
            datetime.fromisoformat("2024-05-01T12:00:00-04:00"),
            "a postpaid account in New York whose 49.00 USD invoice, due 1 May 2024, failed "
            "to charge at 09:00, at 2024-05-01T12:00:00-04:00 (OVD-1 ... OVD-5)",
        ),
    }
)

#: The example the command explains when given neither an account file nor ``--example``.
DEFAULT: Final = "delinquent"


def read(name: str) -> str:
    """The account JSON of the bundled example ``name`` (one of :data:`EXAMPLES`)."""
    return resources.files("billrules").joinpath(EXAMPLES[name].file).read_text(encoding="utf-8")


def help_text() -> str:
    """The bundled examples as ``--help`` lists them: ``NAME: what it shows``, the default
    named."""
    return "; ".join(
        f"{name}{' (default)' if name == DEFAULT else ''}: {example.about}"
        for name, example in EXAMPLES.items()
    )
