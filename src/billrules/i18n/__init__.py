"""Sentences in the reader's language (X-7): :func:`render` a value in a shipped locale.

Every human sentence billrules writes is rendered from a code and its details when it is read.
:attr:`Reason.message <billrules.decisions.Reason.message>` and ``str(report)`` are English;
:func:`render` writes the same values in any of :data:`LOCALES`, from gettext catalogues
(``locales/<locale>/LC_MESSAGES/billrules.po``, read once with Babel) keyed by reason code,
question, transition kind and heading, with the locale's CLDR plural rules and its formats for
money and dates. A reason's ``details`` stay locale-free data.

>>> from billrules import Reason
>>> from billrules.deletion import DeletionCode
>>> reminder = Reason(code=DeletionCode.DELETION_REMINDER, details={"days": 3})
>>> render(reminder, locale="uk")
'Нагадування власнику кабінету: кабінет буде видалено через 3 дні.'
>>> render(reminder) == reminder.message
True

A locale is negotiated by its language (``uk_UA``, ``uk-UA`` and ``uk`` are Ukrainian, ``en_GB``
English). One that is not shipped, or is not a locale tag at all, falls back to English with
one :class:`~billrules.errors.LocaleFallback` warning per call; it never raises mid-report.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from billrules import _render
from billrules._check import checked
from billrules._redact import shown
from billrules.contract import Finding, Transition
from billrules.decisions import Decision, Reason, Template
from billrules.errors import InvalidInput, InvalidType, LocaleFallback
from billrules.evaluation import AREAS, Registry
from billrules.i18n._catalogue import HEADINGS, LOCALES, catalogue, missing
from billrules.i18n._format import LocalSentence
from billrules.report import NEXT_EVENTS_DAYS, Report, RoleReport
from billrules.timeline import Timeline

__all__ = ["LOCALES", "Renderable", "missing_messages", "negotiate", "render"]

#: What :func:`render` writes.
Renderable = Reason | Decision | Finding | Transition | RoleReport | Report | Timeline
_RENDERABLE: Final = (Reason, Decision, Finding, Transition, RoleReport, Report, Timeline)

#: A locale tag: a language, then optional region, script or variant parts, then an optional
#: encoding and modifier (``uk``, ``uk_UA``, ``uk-UA``, ``uk_UA.UTF-8``, ``sr_RS@latin``).
_TAG: Final = re.compile(r"([A-Za-z]{2,3})(?:[_-][A-Za-z0-9]{1,8})*(?:\.[A-Za-z0-9-]+)?(?:@\w+)?")


@checked
def missing_messages(locale: str, *, areas: Registry = AREAS) -> tuple[tuple[str, str], ...]:
    """The catalogue check: the ``(context, id)`` of every message the areas of ``areas``
    need that the shipped catalogue of ``locale`` lacks (those render in English).

    Empty for every shipped locale and the registered areas; a host that adds an area lists
    here what its translators have to write.

    >>> missing_messages("uk")
    ()

    Raises:
        InvalidInput: no shipped locale serves ``locale``.
    """
    shipped = negotiate(locale)
    if shipped is None:
        raise InvalidInput(
            "locale", f"no shipped locale serves it; shipped are {', '.join(LOCALES)}"
        )
    return missing(shipped, areas)


def negotiate(locale: str) -> str | None:
    """The shipped locale that serves ``locale``, by its language; ``None``: none does.

    >>> negotiate("uk_UA"), negotiate("uk-UA"), negotiate("en_GB"), negotiate("fr"), negotiate("?")
    ('uk', 'uk', 'en', None, None)

    Raises:
        InvalidType: ``locale`` is not a str.
    """
    if not isinstance(locale, str):
        raise InvalidType("locale", f"must be a str, not {type(locale).__name__}")
    match = _TAG.fullmatch(locale.strip())
    if match is None:
        return None
    language = match.group(1).lower()
    return language if language in LOCALES else None


def render(value: Renderable, *, locale: str = "en") -> str:
    """``value``'s human text in ``locale``: a sentence, a summary, a report or a timeline.

    ========================  ================================================================
    :class:`Reason`           its sentence (``en``: :attr:`Reason.message`)
    :class:`Decision`         its reasons' sentences, joined
    :class:`Finding`          its summary
    :class:`Transition`       its description
    :class:`RoleReport`       the role's section of a report
    :class:`Report`           the whole report (``en``: ``str(report)``)
    :class:`Timeline`         the timeline's text (``en``: ``str(timeline)``)
    ========================  ================================================================

    Rendering reads the value's codes and details: nothing is decided again. A locale not
    shipped falls back to English with one :class:`~billrules.errors.LocaleFallback` warning.

    Raises:
        InvalidType: ``value`` is none of the above, or ``locale`` is not a str.
    """
    if not isinstance(value, _RENDERABLE):
        raise InvalidType("value", f"cannot be rendered: a {type(value).__name__}")
    found = negotiate(locale)
    if found is None:
        warnings.warn(LocaleFallback(shown(locale)), stacklevel=2)
        found = "en"
    if found == "en":
        return _english(value)
    return _shipped(found).text(value)


def _english(value: Renderable) -> str:
    if isinstance(value, (Reason, Decision)):
        return value.message
    if isinstance(value, Finding):
        return value.summary
    if isinstance(value, Transition):
        return value.description
    if isinstance(value, RoleReport):
        return _render.section_text(str(value.role), value.findings)
    return str(value)


@functools.cache
def _shipped(locale: str) -> _Locale:
    """A shipped locale, built once from its catalogue (which is read once)."""
    return _Locale(locale)


class _Locale:
    """One shipped locale: its catalogue, its formatter and the words of its layouts."""

    def __init__(self, locale: str) -> None:
        self.messages = catalogue(locale)
        terms = {key: text for (context, key), text in self.messages.items() if context == "term"}
        none = self.messages.get(("heading", "none"), HEADINGS["none"])
        self.sentence = sentence = LocalSentence(locale, terms, none)
        # Every template parsed once (None: a broken one, which renders in English).
        self.compiled: dict[str, Template | None] = {}
        for template in [*self.messages.values(), *HEADINGS.values()]:
            try:
                self.compiled[template] = sentence.compile(template)
            except ValueError:
                self.compiled[template] = None
        self.words = _render.Words(
            yes=self.heading("yes"),
            no=self.heading("no"),
            next=self.heading("next"),
            nothing_next=self.heading("nothing_next", days=NEXT_EVENTS_DAYS),
            summary=self.summary,
            message=self.message,
            description=self.description,
            kind=self.kind,
            when=self.sentence.when,
            timeline_title=self.timeline_title,
        )

    def _format(self, template: str | None, details: Mapping[str, Any], english: str) -> str:
        if template is None:
            return english
        compiled = self.compiled.get(template)
        if compiled is None:
            return english
        try:
            return self.sentence.fill(compiled, details)
        except (ValueError, TypeError, LookupError, ArithmeticError):
            return english  # a broken translation, or a value it cannot format

    def heading(self, key: str, **fields: Any) -> str:
        english = HEADINGS[key]
        return self._format(self.messages.get(("heading", key), english), fields, english)

    def message(self, reason: Reason) -> str:
        area = reason.code.area
        template = self.messages.get((f"reason|{area}", reason.code)) if area else None
        if template is None:
            return reason.message
        return self._format(template, reason.details, "") or reason.message

    def summary(self, finding: Finding) -> str:
        answer = "yes" if finding.allowed else "no"
        template = self.messages.get((f"{answer}|{finding.area}", finding.question))
        if template is None:
            return finding.summary
        return self._format(template, finding.details, "") or finding.summary

    def description(self, transition: Transition) -> str:
        return " ".join(self.message(reason) for reason in transition.reasons)

    def kind(self, transition: Transition) -> str:
        return self.messages.get((f"kind|{transition.area}", transition.kind), transition.kind)

    def term(self, value: str) -> str:
        return self.messages.get(("term", value), value.replace("_", " "))

    def timeline_title(
        self, account_id: str, zone: ZoneInfo, start: datetime, end: datetime, count: int
    ) -> str:
        return self.heading(
            "timeline_title",
            account_id=account_id,
            zone=zone.key,
            start=start.astimezone(zone),
            end=end.astimezone(zone),
            count=count,
        )

    def report(self, report: Report) -> str:
        zone = report.zone
        head = "\n".join(
            [
                self.heading(
                    "report_title",
                    account_id=report.account_id,
                    zone=zone.key,
                    at=report.at.astimezone(zone),
                    status=report.status,
                ),
                self.heading(
                    "report_money",
                    balance=self.heading("postpaid") if report.balance is None else report.balance,
                    outstanding=report.outstanding,
                ),
            ]
        )
        sections: list[_render.Section] = [
            (self.term(str(role.role)), role.findings) for role in report.roles
        ]
        sections.append((self.heading("account"), report.account))
        return _render.report_text(head, sections, report.next_events, zone, self.words)

    def text(self, value: Renderable) -> str:
        if isinstance(value, Reason):
            return self.message(value)
        if isinstance(value, Decision):
            return " ".join(self.message(reason) for reason in value.reasons)
        if isinstance(value, Finding):
            return self.summary(value)
        if isinstance(value, Transition):
            return self.description(value)
        if isinstance(value, RoleReport):
            return _render.section_text(self.term(str(value.role)), value.findings, self.words)
        if isinstance(value, Report):
            return self.report(value)
        return _render.timeline_text(
            value.account_id, value.zone, value.start, value.end, value.events, self.words
        )
