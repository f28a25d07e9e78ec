"""Strategies for the cancellation area: account states, policies and requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st
from moneyed import Currency

from billrules import _money
from billrules._check import checked
from billrules._redact import holds_card_number
from billrules.cancellation import (
    AccountState,
    AccountStatus,
    CancellationPolicy,
    CancellationReason,
    CancellationRequest,
    CancellationTiming,
    RequestState,
)
from billrules.invoices import Invoice, InvoiceStatus
from billrules.testing._core import aware_datetimes
from billrules.testing._invoices import invoices

#: Ids of letters, digits and dashes; never one a card number could hide in (PM-6 refuses it).
_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda text: not holds_card_number(text)
)


@checked
def cancellation_policies() -> st.SearchStrategy[CancellationPolicy]:
    """Cancellation policies with every knob drawn."""
    return st.builds(
        CancellationPolicy,
        self_service=st.booleans(),
        support_contact=st.sampled_from(("support", "support@example.com", "your manager")),
        effective=st.sampled_from(CancellationTiming),
        reassign_leads_to=st.none() | _ids,
    )


@checked
def account_states(
    *,
    currency: Currency | str = "USD",
    statuses: st.SearchStrategy[AccountStatus] | None = None,
    invoice_statuses: st.SearchStrategy[InvoiceStatus] | None = None,
    max_invoices: int = 4,
    requests: st.SearchStrategy[CancellationRequest | None] | None = None,
) -> st.SearchStrategy[AccountState]:
    """Accounts in ``currency`` with up to ``max_invoices`` invoices (unique ids) and licences.

    With ``requests``, each account's cancellation request is drawn from it (by default none,
    e.g. ``st.none() | cancellation_requests()`` for some).
    """
    code = _money.to_currency(currency, "currency")
    return st.builds(
        AccountState,
        status=statuses if statuses is not None else st.sampled_from(AccountStatus),
        currency=st.just(code),
        invoices=st.lists(
            invoices(currency=code, statuses=invoice_statuses),
            max_size=max_invoices,
            unique_by=lambda inv: inv.id,
        ).map(tuple),
        licence_count=st.integers(min_value=0, max_value=500),
        request=requests if requests is not None else st.none(),
    )


@checked
def cancellation_requests(
    *, states: st.SearchStrategy[RequestState] | None = None, max_final_payments: int = 2
) -> st.SearchStrategy[CancellationRequest]:
    """Requests with a deactivation up to a year after the request and a few final payments."""

    @st.composite
    def build(draw: st.DrawFn) -> CancellationRequest:
        requested_at: datetime = draw(aware_datetimes())
        days = draw(st.integers(min_value=0, max_value=366))
        payments: list[Invoice] = draw(
            st.lists(
                invoices(statuses=st.just(InvoiceStatus.SCHEDULED)),
                max_size=max_final_payments,
                unique_by=lambda inv: inv.id,
            )
        )
        return CancellationRequest(
            reason=draw(st.sampled_from(CancellationReason)),
            feedback=draw(st.text(max_size=40).filter(lambda text: not holds_card_number(text))),
            requested_at=requested_at,
            deactivates_at=requested_at + timedelta(days=days),
            final_payments=tuple(payments),
            email_opt_out=draw(st.booleans()),
            state=draw(states if states is not None else st.sampled_from(RequestState)),
        )

    return build()
