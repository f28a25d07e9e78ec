"""The timeline's SVG strip (X-5): every label inside the picture, no two overprinting.

Each test reads the SVG back with :mod:`xml.etree.ElementTree` and computes every ``<text>``'s
box from what the picture states (``x``, ``y``, ``text-anchor``, the font size) and the
documented width estimate (:data:`CHAR_EMS` of the font size a character, :data:`WIDE_EMS` for
an East Asian wide one; the label states it as its ``textLength``), a font size above the
baseline and 0.3 of one below it.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from unicodedata import east_asian_width
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _accounts import DELINQUENT, KYIV, T0
from billrules.contract import Transition
from billrules.decisions import Reason, ReasonCode
from billrules.policy import DEFAULT_POLICY
from billrules.testing import aware_datetimes, transitions
from billrules.timeline import Timeline, timeline

SVG = "{http://www.w3.org/2000/svg}"
#: The documented width estimate, in ems a character.
CHAR_EMS = 0.6
WIDE_EMS = 1.0
#: How far below its baseline a label's box reaches, in font sizes.
DESCENT = 0.3


class Box(NamedTuple):
    text: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def estimate(text: str, font_size: float) -> float:
    ems = sum(WIDE_EMS if east_asian_width(c) in "WF" else CHAR_EMS for c in text)
    return ems * font_size


def picture(svg: str) -> tuple[ET.Element, float, float]:
    """The parsed SVG (well-formed XML) and its width and height, which its viewBox repeats."""
    root = ET.fromstring(svg)
    assert f"{SVG}svg" == root.tag
    width, height = float(root.get("width", "")), float(root.get("height", ""))
    assert f"0 0 {root.get('width')} {root.get('height')}" == root.get("viewBox")
    return root, width, height


def boxes(svg: str) -> list[Box]:
    """Every ``<text>``'s box, in document order; each is horizontal and states its width."""
    root, _, _ = picture(svg)
    result = []
    for text in root.iter(f"{SVG}text"):
        assert text.get("transform") is None  # a rotated label would need another box
        content = text.text or ""
        size = float(text.get("font-size", root.get("font-size", "16")))
        width = estimate(content, size)
        assert width == pytest.approx(float(text.get("textLength", "nan")), abs=0.05)
        x, y = float(text.get("x", "")), float(text.get("y", ""))
        anchor = text.get("text-anchor", "start")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        result.append(Box(content, left, y - size, left + width, y + DESCENT * size))
    return result


def band_top(svg: str) -> float:
    """Where the strip (the first rect) begins; the ticks reach 6 above it."""
    root, _, _ = picture(svg)
    return float(next(root.iter(f"{SVG}rect")).get("y", ""))


def assert_laid_out(svg: str, events: int) -> list[Box]:
    """One label per event and the window's two dates; none overlaps another, leaves the
    picture, or reaches the strip and its ticks. The event labels are returned."""
    _, width, height = picture(svg)
    found = boxes(svg)
    assert events + 2 == len(found)
    for box in found:
        assert 0 <= box.left <= box.right <= width, box
        assert 0 <= box.top <= box.bottom <= height, box
    for one, other in itertools.combinations(found, 2):
        assert not one.overlaps(other), (one, other)
    labels = found[:events]
    assert all(box.bottom <= band_top(svg) - 6 for box in labels)
    return labels


class Labelled(ReasonCode):
    """Codes whose rules make labels of every width: a short one, and three that are cut."""

    SHORT = "short_rule", "DUN-1", "A stage begins."
    LONG = "long_rule", "R" * 300, "A long rule."
    WIDE = "wide_rule", "規則" * 90, "A rule of wide characters."
    NUMBERED = "numbered_rule", "X-" + "9" * 120, "A rule with a long number."


def event(
    at: datetime, code: ReasonCode = Labelled.SHORT, kind: str = "dunning_stage"
) -> Transition:
    reason = Reason(code=code)
    return Transition(at=at, area="invoices", kind=kind, reasons=(reason,))


def strip(events: Sequence[Transition], start: datetime = T0, days: float = 30) -> str:
    end = start + timedelta(days=days)
    tl = Timeline(account_id="acme", zone=KYIV, start=start, end=end, events=tuple(events))
    svg = tl._repr_svg_()
    assert svg == tl._repr_svg_()  # deterministic
    assert svg in tl._repr_html_()
    return svg


def test_the_seed_month_labels_neither_overprint_nor_leave_the_picture() -> None:
    """X-5: the delinquent account's month, whose stages of the 1st, 4th, 7th and 10th
    overprinted (and whose fourth label was clipped at the top) with rotated labels."""
    tl = timeline(DELINQUENT, DEFAULT_POLICY, start=T0, end=T0 + timedelta(days=32))
    labels = assert_laid_out(tl._repr_svg_(), len(tl.events))
    assert "2024-05-10 dunning_stage [DUN-1, DUN-3]" == labels[3].text


def test_events_one_day_apart_are_stacked_in_rows() -> None:
    """X-5: thirty events a day apart: labels wider than a day's step take rows of their own,
    and the picture grows to hold them."""
    svg = strip([event(T0 + timedelta(days=day)) for day in range(30)])
    labels = assert_laid_out(svg, 30)
    assert len({box.top for box in labels}) > 1
    assert picture(svg)[2] > 230


def test_many_events_on_the_same_day_each_get_a_row() -> None:
    """X-5: forty events at one instant: forty rows, one label in each."""
    svg = strip([event(T0 + timedelta(days=3)) for _ in range(40)])
    labels = assert_laid_out(svg, 40)
    assert 40 == len({box.top for box in labels})


def test_events_at_the_window_edges_stay_inside() -> None:
    """X-5: a label at the window's end ends at the picture's right edge (text-anchor end);
    one at its start begins at the left edge; events outside the window are drawn at the
    nearer end of the strip."""
    end = T0 + timedelta(days=30)
    edges = [
        T0 - timedelta(days=400),
        T0,
        T0 + timedelta(seconds=1),
        end - timedelta(seconds=1),
        end,
        end + timedelta(days=400),
    ]
    svg = strip([event(at) for at in edges])
    labels = assert_laid_out(svg, len(edges))
    _, width, _ = picture(svg)
    assert [20.0, 20.0, 20.0] == [box.left for box in labels[:3]]
    assert [width - 20] * 3 == [pytest.approx(box.right) for box in labels[3:]]
    root, _, _ = picture(svg)
    ends = [t.get("text-anchor") for t in root.iter(f"{SVG}text")][: len(edges)]
    assert [None, None, None, "end", "end", "end"] == ends
    ticks = [float(line.get("x1", "")) for line in root.iter(f"{SVG}line")]
    assert [20.0, 20.0, 20.0, width - 20, width - 20, width - 20] == ticks


def test_a_label_wider_than_the_strip_is_cut_with_its_whole_text_as_tooltip() -> None:
    """X-5: a label longer than the strip is cut to fit, with an ellipsis; the whole label is
    its tooltip. Wide characters count double (their width is estimated at 1 em)."""
    long_rules = [
        event(T0 + timedelta(days=1), Labelled.LONG),
        event(T0 + timedelta(days=1, hours=1), Labelled.WIDE),
        event(T0 + timedelta(days=29), Labelled.NUMBERED),
    ]
    svg = strip(long_rules)
    labels = assert_laid_out(svg, 3)
    assert all(box.text.endswith("…") for box in labels)
    assert labels[0].text.startswith("2024-05-02 dunning_stage [RRR")
    root, _, _ = picture(svg)
    tooltips = [t.findtext(f"{SVG}title") for t in root.iter(f"{SVG}text")][:3]
    assert f"2024-05-02 dunning_stage [{'R' * 300}]" == tooltips[0]
    assert f"2024-05-02 dunning_stage [{'規則' * 90}]" == tooltips[1]


def test_a_label_that_fits_has_no_tooltip_and_is_not_cut() -> None:
    """X-5: a label that fits is shown whole."""
    svg = strip([event(T0 + timedelta(days=2), Labelled.SHORT)])
    root, _, _ = picture(svg)
    text = next(root.iter(f"{SVG}text"))
    assert "2024-05-03 dunning_stage [DUN-1]" == text.text
    assert text.find(f"{SVG}title") is None


def test_an_empty_window_draws_the_strip_and_its_dates() -> None:
    """X-5: no events, no labels but the window's two dates, inside the picture."""
    assert_laid_out(strip([], days=0), 0)


@given(
    events=st.lists(transitions(), max_size=40),
    start=aware_datetimes(),
    days=st.floats(0, 4000, allow_nan=False),
    inside=st.booleans(),
    zone=st.sampled_from(("UTC", "Asia/Tokyo", "Pacific/Kiritimati")),
)
def test_no_label_overlaps_another_or_leaves_the_picture(
    events: list[Transition], start: datetime, days: float, inside: bool, zone: str
) -> None:
    """X-5: whatever the transitions and the window, every label lies inside the picture and
    overlaps no other; with ``inside`` the window is the events' own span."""
    if inside and events:
        start = min(e.at for e in events)
        days = (max(e.at for e in events) - start) / timedelta(days=1)
    end = start + timedelta(days=days)
    tl = Timeline(
        account_id="acme", zone=ZoneInfo(zone), start=start, end=end, events=tuple(events)
    )
    assert_laid_out(tl._repr_svg_(), len(events))
