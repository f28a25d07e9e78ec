"""Presentation: the report's text and HTML, the timeline's text, HTML and SVG strip. Private.

The domain values (:class:`~billrules.report.Report`, :class:`~billrules.timeline.Timeline`)
hold data; their ``__str__``, ``_repr_html_`` and ``_repr_svg_`` call the functions here,
which read only the kernel's :class:`~billrules.contract.Finding` and
:class:`~billrules.contract.Transition` and plain values. Sentences come from the values
themselves (rendered from their codes); nothing here decides or re-tests a rule.

The words around them (the answers' marks, "next:", the timeline's title) and the way an
instant is written come from a :class:`Words`; :data:`ENGLISH` is the default, which
``str(report)`` and ``str(timeline)`` use. :mod:`billrules.i18n` passes another to write the
same layout in another language (X-7).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Final, NamedTuple
from unicodedata import east_asian_width
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _money, _time
from billrules.contract import Finding, Transition
from billrules.decisions import Reason
from billrules.effects import Effect

__all__ = [
    "ENGLISH",
    "Style",
    "Words",
    "amount",
    "label_width",
    "report_html",
    "report_text",
    "section_text",
    "timeline_html",
    "timeline_svg",
    "timeline_text",
]

Section = tuple[str, Sequence[Finding]]


def _timeline_title(
    account_id: str, zone: ZoneInfo, start: datetime, end: datetime, count: int
) -> str:
    return (
        f"Timeline of {account_id} ({zone.key}), "
        f"{_time.wall_clock(start, zone)} to {_time.wall_clock(end, zone)}: "
        f"{count} event{'' if count == 1 else 's'}"
    )


class Words(NamedTuple):
    """The words of one language around the values' sentences, and how it writes them.

    Attributes:
        yes: The mark of an allowed answer (three characters keep the columns).
        no: The mark of a refused answer.
        next: The heading of what happens next.
        nothing_next: The line shown when nothing happens in the window looked at.
        summary: A finding's summary sentence.
        message: A reason's sentence.
        description: A transition's sentence.
        kind: A transition's kind as shown.
        when: An instant as the account's clock shows it.
        timeline_title: The first line of a timeline's text.
    """

    yes: str
    no: str
    next: str
    nothing_next: str
    summary: Callable[[Finding], str]
    message: Callable[[Reason], str]
    description: Callable[[Transition], str]
    kind: Callable[[Transition], str]
    when: Callable[[datetime, ZoneInfo], str]
    timeline_title: Callable[[str, ZoneInfo, datetime, datetime, int], str]


#: The words of ``str(report)`` and ``str(timeline)``: the kernel's own English sentences.
ENGLISH: Final = Words(
    yes="yes",
    no="no ",
    next="next:",
    nothing_next="next: nothing in the next 400 days",
    summary=attrgetter("summary"),
    message=attrgetter("message"),
    description=attrgetter("description"),
    kind=attrgetter("kind"),
    when=_time.wall_clock,
    timeline_title=_timeline_title,
)


def amount(money: Money) -> str:
    """``"19.00 USD"``: the amount at its currency's minor unit, then the code (X-4)."""
    return _money.in_words(money)


# --------------------------------------------------------------------------------------------
# The report


def _finding_lines(finding: Finding, words: Words) -> str:
    mark = words.yes if finding.allowed else words.no
    head = f"  [{mark}] {finding.area}.{finding.question}: {words.summary(finding)} "
    head += f"[{', '.join(finding.rules)}]"
    message = words.message
    return "\n".join([head, *(f"        - {message(reason)}" for reason in finding.reasons)])


def section_text(title: str, findings: Sequence[Finding], words: Words = ENGLISH) -> str:
    """One section of a report: its title, then each answer with its reasons."""
    return "\n".join([f"{title}:", *(_finding_lines(finding, words) for finding in findings)])


def report_text(
    head: str,
    sections: Sequence[Section],
    upcoming: Sequence[Transition],
    zone: ZoneInfo,
    words: Words = ENGLISH,
) -> str:
    """A readable report: the header lines, each section's answers with reasons, what next."""
    lines = [head]
    for title, findings in sections:
        lines.append(f"{title}:")
        lines.extend(_finding_lines(finding, words) for finding in findings)
    lines.append(words.next if upcoming else words.nothing_next)
    when, kind, description = words.when, words.kind, words.description
    lines.extend(
        f"  {when(t.at, zone)}  {kind(t)} [{', '.join(t.rules)}] {description(t)}" for t in upcoming
    )
    return "\n".join(lines)


def report_html(
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    upcoming: Sequence[Transition],
    zone: ZoneInfo,
) -> str:
    """The report as an HTML fragment for notebooks (all text escaped)."""
    esc = html.escape
    parts = [f"<div><h4>{esc(title)}</h4>", f"<p>{esc(subtitle)}</p>"]
    for name, findings in sections:
        rows = "".join(
            f"<tr><td>{'✔' if f.allowed else '✘'}</td><td>{esc(f.area)}</td>"
            f"<td>{esc(f.question)}</td><td>{esc(f.summary)}</td>"
            f"<td>{esc(', '.join(f.rules))}</td>"
            f"<td>{'<br>'.join(esc(r.message) for r in f.reasons)}</td></tr>"
            for f in findings
        )
        parts.append(
            f"<h5>{esc(name)}</h5><table><tr><th></th><th>area</th><th>question</th>"
            f"<th>answer</th><th>rules</th><th>why</th></tr>{rows}</table>"
        )
    parts.append(f"<h5>next</h5><ul>{_items(upcoming, zone)}</ul></div>")
    return "".join(parts)


def _items(transitions: Sequence[Transition], zone: ZoneInfo) -> str:
    esc = html.escape
    return "".join(
        f"<li><code>{esc(_time.wall_clock(t.at, zone))}</code> <b>{esc(t.kind)}</b> "
        f"[{esc(', '.join(t.rules))}] {esc(t.description)}</li>"
        for t in transitions
    )


# --------------------------------------------------------------------------------------------
# The timeline


def _effect_note(effect: Effect) -> str:
    template = getattr(effect, "template", None)
    return "" if template is None else f": {template}"


def timeline_text(
    account_id: str,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    transitions: Sequence[Transition],
    words: Words = ENGLISH,
) -> str:
    """One line per transition in local time, effects indented below it."""
    lines = [words.timeline_title(account_id, zone, start, end, len(transitions))]
    when, kind, description = words.when, words.kind, words.description
    for t in transitions:
        lines.append(
            f"  {when(t.at, zone)}  {t.area:<13} {kind(t):<22} "
            f"[{', '.join(t.rules)}] {description(t)}"
        )
        lines.extend(
            f"      -> {effect.kind} ({effect.rule}){_effect_note(effect)}" for effect in t.effects
        )
    return "\n".join(lines)


def timeline_html(
    account_id: str,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    transitions: Sequence[Transition],
    style: Style | None = None,
) -> str:
    """The SVG strip followed by the transitions as a list, for notebooks."""
    svg = timeline_svg(account_id, zone, start, end, transitions, style)
    return f"<div>{svg}<ul>{_items(transitions, zone)}</ul></div>"


_WIDTH: Final = 960
_LEFT: Final = 20
_RIGHT: Final = 20
_BAND_H: Final = 22
_FILL: Final = ("#e8f5e9", "#fff8e1", "#ffe0b2", "#ffcdd2")


class Style(NamedTuple):
    """How the picture draws each area: its tick colour, and whether its transitions are the
    band of stages under the ticks (as the registry's areas declare)."""

    colours: Mapping[str, str]
    bands: frozenset[str]


_PLAIN: Final = Style({}, frozenset())


def _severity(transition: Transition) -> int | None:
    """The band's severity a stage transition states in its details; ``None``: not a band."""
    for reason in transition.reasons:
        severity = reason.details.get("severity")
        if isinstance(severity, int):
            return severity
    return None


#: The labels' font size, in pixels (the SVG's own ``font-size``).
FONT_SIZE: Final = 11
#: The estimated advance of a character, in ems: 0.6 for most, 1.0 for an East Asian wide or
#: full-width one. The renderer is held to the estimate: every label states it as its
#: ``textLength``, so a browser fits the text to that width whatever the font.
CHAR_EMS: Final = 0.6
WIDE_CHAR_EMS: Final = 1.0
#: A label's box around its baseline: a font size above it, 0.3 of one below.
_DESCENT: Final = 0.3 * FONT_SIZE
#: The height of a row of labels, and the least space between two labels of one row.
_ROW: Final = 16
_GAP: Final = 6
#: The space above the top row, and between the lowest row and the strip.
_TOP: Final = 8
_ABOVE_BAND: Final = 8


def label_width(text: str, font_size: float = FONT_SIZE) -> float:
    """The estimated width of ``text`` in pixels: its characters' ems (:data:`CHAR_EMS`,
    :data:`WIDE_CHAR_EMS`) times the font size, to a tenth of a pixel.

    >>> label_width("2024-05-10 dunning_stage")
    158.4
    """
    ems = sum(WIDE_CHAR_EMS if east_asian_width(c) in "WF" else CHAR_EMS for c in text)
    return round(ems * font_size, 1)


def _fitted(text: str, room: float) -> str:
    """``text``, or as much of it as fits in ``room`` pixels followed by an ellipsis."""
    if label_width(text) <= room:
        return text
    cut = len(text)
    while cut and label_width(text[:cut] + "…") > room:
        cut -= 1
    return text[:cut] + "…"


class _Label(NamedTuple):
    left: float
    width: float
    anchor_x: float
    anchored_end: bool
    text: str
    full: str
    colour: str


def _label(text: str, at: float, colour: str) -> _Label:
    """A label beginning at its tick, or ending at the strip's right edge if it would leave it."""
    right = _WIDTH - _RIGHT
    shown = _fitted(text, right - _LEFT)
    width = label_width(shown)
    if at + width <= right:
        return _Label(at, width, at, False, shown, text, colour)
    return _Label(round(right - width, 1), width, right, True, shown, text, colour)


def _rows(labels: Sequence[_Label]) -> list[int]:
    """Each label's row, 0 nearest the strip: the lowest whose labels all end ``_GAP`` before
    it begins (taken from the leftmost label on), so no two labels of a row overlap."""
    rows = [0] * len(labels)
    ends: list[float] = []
    for index in sorted(range(len(labels)), key=lambda i: (labels[i].left, i)):
        label = labels[index]
        row = next((r for r, end in enumerate(ends) if end + _GAP <= label.left), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = label.left + label.width
        rows[index] = row
    return rows


def timeline_svg(
    account_id: str,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    transitions: Sequence[Transition],
    style: Style | None = None,
) -> str:
    """A horizontal strip: restricted spans as bands coloured by severity, a tick per event.

    Above the strip each event's label (its local date, kind and rule IDs) starts at its tick
    and sits in the lowest row where it overlaps no other; the picture grows a row at a time.
    A label that would leave the picture on the right ends at its right edge instead, and one
    wider than the strip is cut with an ellipsis (the whole label is its tooltip). Widths are
    estimated from the characters (:func:`label_width`) and stated as ``textLength``. An event
    outside ``[start, end]`` is drawn at the nearer end of the strip.
    """
    colours, bands = style or _PLAIN
    span = (end - start).total_seconds() or 1.0
    usable = _WIDTH - _LEFT - _RIGHT

    def x(at: datetime) -> float:
        share = min(max((at - start).total_seconds() / span, 0.0), 1.0)
        return round(_LEFT + usable * share, 1)

    esc = html.escape
    labels = [
        _label(
            f"{t.at.astimezone(zone).strftime('%Y-%m-%d')} {t.kind} [{', '.join(t.rules)}]",
            x(t.at),
            colours.get(t.area, "#424242"),
        )
        for t in transitions
    ]
    rows = _rows(labels)
    band_y = _TOP + _ROW * (max(rows) + 1 if rows else 0) + _ABOVE_BAND
    bottom = band_y + _BAND_H + 22
    height = bottom + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif" font-size="{FONT_SIZE}">',
        f"<title>{esc(f'Timeline of {account_id}')}</title>",
        f'<rect x="{_LEFT}" y="{band_y}" width="{usable}" height="{_BAND_H}" '
        'fill="#f5f5f5" stroke="#9e9e9e"/>',
    ]
    banded = [(t, _severity(t)) for t in transitions if t.area in bands]
    for index, (t, severity) in enumerate(banded):
        if severity is None:
            continue
        stop = banded[index + 1][0].at if index + 1 < len(banded) else end
        level = max(0, min(severity, len(_FILL) - 1))
        parts.append(
            f'<rect x="{x(t.at)}" y="{band_y}" width="{max(round(x(stop) - x(t.at), 1), 1)}" '
            f'height="{_BAND_H}" fill="{_FILL[level]}" stroke="#bdbdbd">'
            f"<title>{esc(t.description)}</title></rect>"
        )
    for t, label, row in zip(transitions, labels, rows, strict=True):
        at = x(t.at)
        parts.append(
            f'<line x1="{at}" y1="{band_y - 6}" x2="{at}" y2="{band_y + _BAND_H + 6}" '
            f'stroke="{label.colour}" stroke-width="2"><title>{esc(t.description)}</title></line>'
        )
        baseline = round(band_y - _ABOVE_BAND - _ROW * row - _DESCENT - 0.5, 1)
        anchor = ' text-anchor="end"' if label.anchored_end else ""
        tooltip = "" if label.text == label.full else f"<title>{esc(label.full)}</title>"
        parts.append(
            f'<text x="{label.anchor_x}" y="{baseline}"{anchor} textLength="{label.width}" '
            f'lengthAdjust="spacing" fill="{label.colour}">{esc(label.text)}{tooltip}</text>'
        )
    for text, at, anchor in (
        (_time.wall_clock(start, zone), _LEFT, ""),
        (_time.wall_clock(end, zone), _WIDTH - _RIGHT, ' text-anchor="end"'),
    ):
        parts.append(
            f'<text x="{at}" y="{bottom}"{anchor} textLength="{label_width(text)}" '
            f'lengthAdjust="spacing">{esc(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
