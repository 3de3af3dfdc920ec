"""One report of the messages a locale shows in the source language: each once, sorted
by its line in the catalogue, with the publication kinds it appears on.

    locales/de/LC_MESSAGES/messages.po:21 title: untranslated — shown in English on: leaflet, poster

A build gathers it from its outcomes (each PDF's warnings name its fallbacks, built or
skipped: `summary_lines`); `python make_pdf.py status --list` from the catalogues and
what each kind's template shows (publication.report.status), without building. Both
print it with `report_lines`. The module is light (no Babel): the command line uses it
to tell fallbacks from other warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from publication.kinds import KINDS
from publication.model import SOURCE_LOCALE, Outcome

# The source language's name in the report; a catalogue's locale is never the source.
SOURCE_NAME = "English" if SOURCE_LOCALE == "en" else SOURCE_LOCALE
_SHOWN_ON = f" — shown in {SOURCE_NAME} on: "
_HEADING = re.compile(rf"[A-Za-z_]+: \d+ message\(s\) shown in {SOURCE_NAME} \(")
_WARNING = re.compile(r"(?P<po>.+?)(?::(?P<line>\d+))?: (?P<state>fuzzy|untranslated|unusable)"
                      r" message '(?P<context>.*)' shown in the source language\Z", re.S)


def fallback_warning(po: str, line: int, state: str, context: str) -> str:
    """A PDF's warning for a message it shows in the source language (`Fallback.describe`;
    a record keeps it, `parse_warning` reads it back)."""
    where = f"{po}:{line}" if line else po
    return f"{where}: {state} message '{context}' shown in the source language"


def parse_warning(warning: str) -> tuple[str, int, str, str] | None:
    """(catalogue, line, state, context) of a `fallback_warning`; None for another one."""
    match = _WARNING.match(warning)
    if match is None:
        return None
    return match["po"], int(match["line"] or 0), match["state"], match["context"]


@dataclass(frozen=True)
class Missing:
    """A message shown in the source language: where it is in the catalogue (line 0: the
    catalogue has no entry for it), its context, its state, the kinds it appears on."""

    line: int
    context: str
    state: str  # "untranslated", "fuzzy" or "unusable"
    kinds: tuple[str, ...]

    def describe(self, po: str) -> str:
        where = f"{po}:{self.line}" if self.line else \
            f"{po} (no entry yet: run 'python make_pdf.py update')"
        return f"{where} {self.context}: {self.state}{_SHOWN_ON}{', '.join(self.kinds)}"

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "context": self.context, "state": self.state,
                "kinds": list(self.kinds)}


def sorted_missing(found: Iterable[tuple[int, str, str, Iterable[str]]]) -> list[Missing]:
    """`(line, context, state, kinds)` gathered in any order and repeated per kind, as one
    Missing each, sorted by line (entries the catalogue lacks, line 0, last)."""
    merged: dict[tuple[int, str, str], set[str]] = {}
    for line, context, state, kinds in found:
        merged.setdefault((line, context, state), set()).update(kinds)
    order = list(KINDS)
    items = [Missing(line, context, state,
                     tuple(sorted(kinds, key=lambda k: order.index(k) if k in order else 99)))
             for (line, context, state), kinds in merged.items()]
    return sorted(items, key=lambda m: (m.line == 0, m.line, m.context))


def report_lines(locale: str, po: str, missing: list[Missing]) -> list[str]:
    """The report of one locale: a heading, then a line per message."""
    if not missing:
        return []
    return [f"{locale}: {len(missing)} message(s) shown in {SOURCE_NAME} "
            f"(untranslated or fuzzy):",
            *(item.describe(po) for item in missing)]


def from_outcomes(outcomes: Iterable[Outcome]) -> dict[str, tuple[str, list[Missing]]]:
    """Per locale, its catalogue and what its PDFs of this build (built or skipped, whose
    warnings their record keeps) showed in the source language."""
    found: dict[str, tuple[str, list[tuple[int, str, str, Iterable[str]]]]] = {}
    for outcome in outcomes:
        if outcome.status == "failed":
            continue
        for warning in outcome.messages:
            parsed = parse_warning(warning)
            if parsed is None:
                continue
            po, line, state, context = parsed
            _, entries = found.setdefault(outcome.target.locale, (po, []))
            entries.append((line, context, state, (outcome.target.kind,)))
    return {locale: (po, sorted_missing(entries)) for locale, (po, entries) in found.items()}


def summary_lines(outcomes: Iterable[Outcome]) -> list[str]:
    """The build's report: every locale's fallbacks, each message once."""
    lines = []
    for locale, (po, missing) in sorted(from_outcomes(outcomes).items()):
        lines += report_lines(locale, po, missing)
    return lines


def is_fallback(warning: str) -> bool:
    """Whether a PDF's warning is a fallback, which the report says once per locale."""
    return parse_warning(warning) is not None


def in_report(line: str) -> bool:
    """Whether a line of a build's summary belongs to the report (a warning, not news)."""
    return _SHOWN_ON in line or _HEADING.match(line) is not None
