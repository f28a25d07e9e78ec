"""The whole policy of an account: every area's knobs in one value, and policy files.

:class:`Policy` bundles the policy of each area; :data:`DEFAULT_POLICY` reproduces the seeds.
Policies load from and dump to plain mappings, JSON and TOML. A file need only name what it
changes: a missing section or knob keeps the seed's default. Unknown keys are errors, and
every error names the field path and what is wrong::

    dunning.stages[2].first_day: must be after stages[1].first_day

>>> from billrules.policy import DEFAULT_POLICY, policy_from_toml
>>> policy = policy_from_toml('''
... [deletion]
... notice_days = 14
... ''')
>>> policy.deletion.notice_days, policy.deletion.retention_days
(14, 20)
>>> policy_from_toml('[deletion]\\nnotice_dayz = 14')
Traceback (most recent call last):
...
billrules._plain.PlainDataError: deletion.notice_dayz: unknown field; known fields are ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

import attrs

from billrules import _validate as v
from billrules._check import DOCUMENT, checked
from billrules.balance import BalancePolicy
from billrules.cancellation import CancellationPolicy
from billrules.deletion import DeletionPolicy
from billrules.dunning import DunningPolicy
from billrules.errors import InvalidInput
from billrules.invoices import InvoicePolicy
from billrules.overdue import OverduePolicy
from billrules.payment_methods import PaymentMethodPolicy
from billrules.seats import SeatPolicy
from billrules.subscriptions import SubscriptionPolicy

# The readers and writers import ``json``, ``billrules._loads`` and ``billrules._plain`` where
# they run: a policy built in code (the default one) loads none of them.

__all__ = [
    "DEFAULT_POLICY",
    "Policy",
    "policy_from_json",
    "policy_from_mapping",
    "policy_from_toml",
    "policy_to_json",
    "policy_to_mapping",
    "policy_to_toml",
]


@attrs.frozen(kw_only=True)
class Policy:
    """Every area's policy; each defaults to the seed's (X-1 … X-5 across areas)."""

    invoices: InvoicePolicy = attrs.field(
        factory=InvoicePolicy, validator=v.instance_of(InvoicePolicy)
    )
    payment_methods: PaymentMethodPolicy = attrs.field(
        factory=PaymentMethodPolicy, validator=v.instance_of(PaymentMethodPolicy)
    )
    seats: SeatPolicy = attrs.field(factory=SeatPolicy, validator=v.instance_of(SeatPolicy))
    cancellation: CancellationPolicy = attrs.field(
        factory=CancellationPolicy, validator=v.instance_of(CancellationPolicy)
    )
    subscriptions: SubscriptionPolicy = attrs.field(
        factory=SubscriptionPolicy, validator=v.instance_of(SubscriptionPolicy)
    )
    balance: BalancePolicy = attrs.field(
        factory=BalancePolicy, validator=v.instance_of(BalancePolicy)
    )
    dunning: DunningPolicy = attrs.field(
        factory=DunningPolicy, validator=v.instance_of(DunningPolicy)
    )
    deletion: DeletionPolicy = attrs.field(
        factory=DeletionPolicy, validator=v.instance_of(DeletionPolicy)
    )
    overdue: OverduePolicy = attrs.field(
        factory=OverduePolicy, validator=v.instance_of(OverduePolicy)
    )


#: The seeds' policy in every area.
DEFAULT_POLICY: Final[Policy] = Policy()


@checked
def policy_from_mapping(data: Mapping[str, Any]) -> Policy:
    """A :class:`Policy` from a plain mapping (as parsed from JSON or TOML).

    Raises:
        InvalidInput: a key is unknown, a value has the wrong shape or breaks its area's
            rules; the error's ``field`` is the path (``dunning.stages[2].first_day``).
    """
    return _policy_from_plain(data)


def _policy_from_plain(data: object) -> Policy:
    from billrules import _loads, _plain

    _loads.vet(data)
    if not isinstance(data, Mapping):
        raise _plain.PlainDataError("(top level)", "a policy must be an object")
    policy: Policy = _plain.structure(Policy, dict(data))
    return policy


@checked
def policy_to_mapping(policy: Policy) -> dict[str, Any]:
    """The plain mapping of ``policy``, every knob written out; the inverse of loading."""
    from billrules import _plain

    mapping: dict[str, Any] = _plain.unstructure(policy)
    return mapping


@checked
def policy_from_json(text: Annotated[str, DOCUMENT]) -> Policy:
    """A :class:`Policy` from JSON text; malformed JSON is an error naming the line.

    A leading byte-order mark is ignored. A key twice in one object, nesting deeper than 32
    levels, an integer of more than 40 digits, ``NaN`` or ``Infinity`` and a lone surrogate
    (``"\\ud800"``) are refused with a ``PlainDataError`` naming the path.

    Raises:
        InvalidInput: malformed or refused JSON, or any error of :func:`policy_from_mapping`.
        InvalidType: ``text`` is not a string.
    """
    from billrules import _loads

    return _policy_from_plain(_loads.json_data(text, "(policy file)"))


@checked
def policy_to_json(policy: Policy) -> str:
    """``policy`` as indented JSON text."""
    import json

    return json.dumps(policy_to_mapping(policy), indent=2, ensure_ascii=False) + "\n"


@checked
def policy_from_toml(text: Annotated[str, DOCUMENT]) -> Policy:
    """A :class:`Policy` from TOML text; malformed TOML is an error naming the problem.

    A leading byte-order mark is ignored. A number of more than 40 digits or nesting deeper
    than 32 levels is refused naming the line, before the TOML parser reads it.

    Raises:
        InvalidInput: malformed or refused TOML, or any error of :func:`policy_from_mapping`.
        InvalidType: ``text`` is not a string.
    """
    from billrules import _loads

    return _policy_from_plain(_loads.toml_data(text, "(policy file)"))


@checked
def policy_to_toml(policy: Policy) -> str:
    """``policy`` as TOML text: a table per area, arrays of tables for stages and tiers.

    TOML has no null: a knob that is unset (``None``) is left out, and loading restores it.
    """
    lines: list[str] = []
    for section, values in policy_to_mapping(policy).items():
        lines.append(f"[{section}]")
        nested: list[tuple[str, list[dict[str, Any]]]] = []
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
                nested.append((key, value))
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        for key, tables in nested:
            for table in tables:
                lines.append("")
                lines.append(f"[[{section}.{key}]]")
                lines.extend(f"{k} = {_toml_value(x)}" for k, x in table.items() if x is not None)
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(
            f"{_toml_key(k)} = {_toml_value(x)}" for k, x in value.items() if x is not None
        )
        return "{ " + items + " }" if items else "{}"
    raise InvalidInput(
        "policy", f"cannot write a {type(value).__name__} as TOML"
    )  # pragma: no cover


def _toml_key(key: str) -> str:
    import json

    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key)
