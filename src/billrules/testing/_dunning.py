"""Strategies for dunning: access levels and valid restriction schedules."""

from __future__ import annotations

from hypothesis import strategies as st

from billrules._check import checked
from billrules.dunning import AccessLevel, Anchor, DunningPolicy, Stage
from billrules.roles import Role


@checked
def access_levels() -> st.SearchStrategy[AccessLevel]:
    """Any access level."""
    return st.sampled_from(AccessLevel)


@checked
def dunning_policies(
    *, max_stages: int = 5, max_first_day: int = 31
) -> st.SearchStrategy[DunningPolicy]:
    """Valid dunning policies: stages from day 1 on, restrictions growing for every role.

    Args:
        max_stages: At most this many stages.
        max_first_day: No stage starts after this day (28 keeps every stage inside February).
    """

    @st.composite
    def build(draw: st.DrawFn) -> DunningPolicy:
        later = draw(
            st.lists(
                st.integers(min_value=2, max_value=max_first_day),
                unique=True,
                max_size=max_stages - 1,
            )
        )
        days = [1, *sorted(later)]
        ladders = {
            role: sorted(
                draw(
                    st.lists(
                        st.integers(min_value=0, max_value=3),
                        min_size=len(days),
                        max_size=len(days),
                    )
                )
            )
            for role in Role
        }
        levels = tuple(AccessLevel)
        stages = tuple(
            Stage(
                name=f"stage_{index}",
                first_day=day,
                access={role: levels[ladders[role][index]] for role in Role},
            )
            for index, day in enumerate(days)
        )
        return DunningPolicy(stages=stages, anchor=draw(st.sampled_from(Anchor)))

    return build()
