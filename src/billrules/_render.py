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
from zoneinfo import ZoneInfo

from moneyed import Money

from billrules import _money, _time
from billrules.contract import Finding, Transition
from billrules.decisions import Reason
from billrules.effects import Effect

__all__ = [
    "ENGLISH",
    "Words",
    "amount",
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
) -> str:
    """The SVG strip followed by the transitions as a list, for notebooks."""
    svg = timeline_svg(account_id, zone, start, end, transitions)
    return f"<div>{svg}<ul>{_items(transitions, zone)}</ul></div>"


_WIDTH: Final = 960
_LEFT: Final = 20
_RIGHT: Final = 20
_BAND_Y: Final = 150
_BAND_H: Final = 22
_FILL: Final = ("#e8f5e9", "#fff8e1", "#ffe0b2", "#ffcdd2")
_AREA_COLOUR: Final[Mapping[str, str]] = {
    "cancellation": "#6a1b9a",
    "subscriptions": "#1565c0",
    "invoices": "#00838f",
    "dunning": "#e65100",
    "deletion": "#b71c1c",
}


def _severity(transition: Transition) -> int | None:
    """The band's severity a stage transition states in its details; ``None``: not a band."""
    for reason in transition.reasons:
        severity = reason.details.get("severity")
        if isinstance(severity, int):
            return severity
    return None


def timeline_svg(
    account_id: str,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    transitions: Sequence[Transition],
) -> str:
    """A horizontal strip: restricted spans as bands coloured by severity, a tick per event."""
    span = (end - start).total_seconds() or 1.0
    usable = _WIDTH - _LEFT - _RIGHT

    def x(at: datetime) -> float:
        return round(_LEFT + usable * (at - start).total_seconds() / span, 1)

    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="230" '
        f'viewBox="0 0 {_WIDTH} 230" font-family="sans-serif" font-size="11">',
        f"<title>{esc(f'Timeline of {account_id}')}</title>",
        f'<rect x="{_LEFT}" y="{_BAND_Y}" width="{usable}" height="{_BAND_H}" '
        'fill="#f5f5f5" stroke="#9e9e9e"/>',
    ]
    banded = [(t, _severity(t)) for t in transitions if t.area == "dunning"]
    for index, (t, severity) in enumerate(banded):
        if severity is None:
            continue
        stop = banded[index + 1][0].at if index + 1 < len(banded) else end
        level = max(0, min(severity, len(_FILL) - 1))
        parts.append(
            f'<rect x="{x(t.at)}" y="{_BAND_Y}" width="{max(x(stop) - x(t.at), 1)}" '
            f'height="{_BAND_H}" fill="{_FILL[level]}" stroke="#bdbdbd">'
            f"<title>{esc(t.description)}</title></rect>"
        )
    for index, t in enumerate(transitions):
        at = x(t.at)
        colour = _AREA_COLOUR.get(t.area, "#424242")
        label = f"{t.at.astimezone(zone).strftime('%Y-%m-%d')} {t.kind}"
        parts.append(
            f'<line x1="{at}" y1="{_BAND_Y - 6}" x2="{at}" y2="{_BAND_Y + _BAND_H + 6}" '
            f'stroke="{colour}" stroke-width="2"><title>{esc(t.description)}</title></line>'
        )
        lift = 10 + 12 * (index % 4)
        parts.append(
            f'<text x="{at}" y="{_BAND_Y - lift}" fill="{colour}" '
            f'transform="rotate(-30 {at} {_BAND_Y - lift})">{esc(label)} '
            f"[{esc(', '.join(t.rules))}]</text>"
        )
    bottom = _BAND_Y + _BAND_H + 22
    parts.append(f'<text x="{_LEFT}" y="{bottom}">{esc(_time.wall_clock(start, zone))}</text>')
    parts.append(
        f'<text x="{_WIDTH - _RIGHT}" y="{bottom}" text-anchor="end">'
        f"{esc(_time.wall_clock(end, zone))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
