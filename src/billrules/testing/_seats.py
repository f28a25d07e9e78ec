"""Strategies for the seats area: seat pools and seat policies."""

from __future__ import annotations

from hypothesis import strategies as st

from billrules._check import checked
from billrules.seats import SeatPolicy, SeatPool, SeatProration

_user_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)


@checked
def seat_policies() -> st.SearchStrategy[SeatPolicy]:
    """Seat policies with either proration (SEAT-4)."""
    return st.builds(SeatPolicy, proration=st.sampled_from(SeatProration))


@checked
def seat_pools(*, max_total: int = 30) -> st.SearchStrategy[SeatPool]:
    """Seat pools of up to ``max_total`` seats, with distinct occupants, never more than seats."""

    @st.composite
    def build(draw: st.DrawFn) -> SeatPool:
        total = draw(st.integers(min_value=0, max_value=max_total))
        occupants = draw(st.lists(_user_ids, max_size=total, unique=True))
        return SeatPool(total=total, occupants=tuple(occupants))

    return build()
