"""X-1: every reason code declares the rule it is given under, and every reason carries it."""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billrules.decisions import Decision, Reason, ReasonCode
from billrules.deletion import DeletionCode
from billrules.dunning import DunningCode
from billrules.errors import InvalidInput, InvalidType
from billrules.i18n._catalogue import reason_codes
from billrules.payment_methods import PaymentMethodCode
from billrules.serialize import from_dict, from_json, to_dict, to_json
from billrules.testing import aware_datetimes, money
from billrules.testing import reason_codes as any_code

ROOT = Path(__file__).resolve().parent.parent

#: The prefix of each area's rule IDs (X- rules are cross-cutting: any area may give one).
PREFIX = {
    "invoices": "INV",
    "payment_methods": "PM",
    "seats": "SEAT",
    "cancellation": "CAN",
    "dunning": "DUN",
    "balance": "BAL",
    "deletion": "DEL",
    "subscriptions": "SUB",
    "overdue": "OVD",
}


def _catalogue() -> dict[str, str]:
    """Each rule of docs/policies.md with its status (``implemented`` or ``planned``)."""
    rows = re.findall(
        r"^\| ([A-Z]+-[0-9]+) \|.*\| (implemented|planned) \|$",
        (ROOT / "docs" / "policies.md").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    return dict(rows)


RULES = _catalogue()
AREA_CODES = [
    pytest.param(area, code, id=f"{area}.{code.name}")
    for area, codes in reason_codes()
    for code in codes
]


def test_the_catalogue_is_read() -> None:
    """The policies table is found: its first and last implemented rules are there."""
    assert "implemented" == RULES["INV-1"] == RULES["X-1"] == RULES["SUB-7"]


@pytest.mark.parametrize(("area", "code"), AREA_CODES)
def test_every_code_declares_an_implemented_rule_of_its_area(area: str, code: ReasonCode) -> None:
    """X-1: each member of each area's code enum declares a rule of its own area (or an X-
    rule) that docs/policies.md lists as implemented."""
    assert area in PREFIX, f"the area {area!r} needs its rule prefix in this test"
    prefix = code.rule.partition("-")[0]
    assert prefix in (PREFIX[area], "X"), f"{code!r} is given under {code.rule}"
    assert "implemented" == RULES.get(code.rule), f"{code.rule} is not an implemented rule"


def test_codes_split_by_rule_keep_one_rule_each() -> None:
    """DEL-2/DEL-3, PM-3/PM-4: a refusal that two rules give is two codes, one rule each."""
    assert ("owner_only", "DEL-2") == (DeletionCode.OWNER_ONLY, DeletionCode.OWNER_ONLY.rule)
    assert ("cancel_owner_only", "DEL-3") == (
        DeletionCode.CANCEL_OWNER_ONLY,
        DeletionCode.CANCEL_OWNER_ONLY.rule,
    )
    assert "PM-3" == PaymentMethodCode.UNKNOWN.rule
    assert "PM-4" == PaymentMethodCode.DEFAULT_UNKNOWN.rule


#: Details values of every kind; integers below twelve digits, as a longer one passing the Luhn
#: test is refused as a card number (PM-6, tested in tests/test_card_secrets.py).
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**11) + 1, max_value=10**11 - 1),
    st.text(max_size=8),
    money(),
    aware_datetimes(),
    st.lists(st.text(max_size=4), max_size=3).map(tuple),
)


@st.composite
def code_and_details(draw: st.DrawFn) -> tuple[ReasonCode, dict[str, Any]]:
    code = draw(any_code())
    details = draw(
        st.fixed_dictionaries(
            {
                field: st.dictionaries(st.sampled_from(("owner", "admin")), _VALUES)
                if field == "access"
                else _VALUES
                for field in sorted(code.fields)
            },
            optional={"note": _VALUES},
        )
    )
    return code, details


@given(drawn=code_and_details())
def test_a_reason_carries_its_code_s_rule_and_round_trips(
    drawn: tuple[ReasonCode, dict[str, Any]],
) -> None:
    """X-1 property: for any code and details, a reason's rule is the code's; it reads back
    from JSON as the same reason, and building it with that rule named gives the same value."""
    code, details = drawn
    reason = Reason(code=code, details=details)
    assert code.rule == reason.rule
    assert reason == from_json(Reason, to_json(reason))
    assert code.rule == to_dict(reason)["rule"]
    named = Reason(code=code, rule=code.rule, details=details)
    assert (reason, hash(reason)) == (named, hash(named))
    assert reason == pickle.loads(pickle.dumps(reason))


def test_a_rule_named_must_be_the_code_s() -> None:
    """X-1: a reason cannot be built under another rule than its code's; the error names
    Reason.rule, and a rule that is not a string is a type error."""
    code = DunningCode.BALANCE_NOT_NEGATIVE
    assert "DUN-2" == Reason(code=code, rule="DUN-2").rule
    with pytest.raises(InvalidInput) as refused:
        Reason(code=code, rule="DUN-1")
    assert "Reason.rule" == refused.value.field
    assert "is 'DUN-1', but the code 'balance_not_negative' is given under rule DUN-2" == (
        refused.value.problem
    )
    with pytest.raises(InvalidType) as wrong:
        Reason(code=code, rule=2)  # type: ignore[arg-type]
    assert "Reason.rule" == wrong.value.field


def test_json_naming_another_rule_is_refused_naming_the_rule() -> None:
    """X-1: a reason read back whose rule is not its code's is refused, naming the rule's
    path, alone and inside a decision; the same data with the code's rule reads back."""
    reason = Reason(code=DeletionCode.CANCEL_OWNER_ONLY, details={"role": "admin"})
    data = to_dict(reason)
    assert reason == from_dict(Reason, data)
    with pytest.raises(InvalidInput) as refused:
        from_dict(Reason, {**data, "rule": "DEL-2"})
    assert "rule" == refused.value.field
    decision = to_dict(Decision.refuse(reason))
    decision["reasons"][0]["rule"] = "DEL-5"
    with pytest.raises(InvalidInput) as nested:
        from_dict(Decision, decision)
    assert "reasons[0].rule" == nested.value.field


def test_a_declaration_without_its_rule_is_refused() -> None:
    """X-1: a member declared the old way (code and template) or with its template where
    the rule goes is refused when its enum is defined, naming the member."""
    with pytest.raises(InvalidInput) as missing:

        class Old(ReasonCode):
            NO = "no", "No."

    assert "Old('no')" == missing.value.field
    with pytest.raises(InvalidInput) as swapped:

        class Swapped(ReasonCode):
            NO = "no", "Not here, not now.", "X-1"

    assert "Swapped('no').rule" == swapped.value.field
    with pytest.raises(InvalidType) as typed:

        class Typed(ReasonCode):
            NO = "no", 1, "No."

    assert "Typed('no').rule" == typed.value.field


def test_a_host_s_own_code_declares_its_rule() -> None:
    """X-1: a code outside the areas declares its rule the same way; its reasons carry it."""

    class HostCode(ReasonCode):
        LATE = "late", "ACME-4", "Late by {days} {days:day|days}."

    reason = Reason(code=HostCode.LATE, details={"days": 2})
    assert ("late", "ACME-4", "Late by 2 days.") == (reason.code, reason.rule, reason.message)
    assert ("ACME-4",) == Decision.refuse(reason).rules
