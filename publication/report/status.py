"""How far each translation is: translated, fuzzy and untranslated messages per locale,
overall and per publication kind.

Which messages a kind uses is what its template asks for: each kind is rendered to
HTML in the source locale (no typesetting, so it is cheap) and the Localizer's record
of used messages is kept. Only what some kind shows is counted: a message no template
asks for (a news item shown nowhere) is not a translator's work. `python make_pdf.py
status` prints `format_table`, `--list` the report of what each locale shows in the
source language (`format_missing`, the same lines a build prints), `--json` `as_json`;
the output index can show `LocaleStatus.complete`. `appearances` gives `extract` the
kinds each message appears on, for its translator comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publication.errors import Problem, display_path
from publication.i18n.catalog import entry_states, source_catalog
from publication.i18n.checks import read_checked
from publication.i18n.locales import available_locales, locale_info
from publication.i18n.localize import Localizer
from publication.i18n.missing import Missing, report_lines, sorted_missing
from publication.kinds import KINDS, PAPERS
from publication.model import SOURCE_LOCALE, Imprint, MessageKey, Project
from publication.render.html import render
from publication.source.content import find_campaigns, load_campaign

STATES = ("translated", "fuzzy", "untranslated")


@dataclass(frozen=True)
class Counts:
    """How many messages of a set are in each state."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        """Share of messages that are translated (published in the locale), 0 to 100."""
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict[str, Any]:
        return {"translated": self.translated, "fuzzy": self.fuzzy,
                "untranslated": self.untranslated, "total": self.total,
                "complete": round(self.percent, 1)}


@dataclass(frozen=True)
class LocaleStatus:
    """The state of one locale's catalogue: overall, per kind, and its check problems."""

    locale: str
    language: str
    path: Path | None
    overall: Counts
    kinds: dict[str, Counts] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    missing: tuple[Missing, ...] = ()  # shown in the source language, sorted by line

    @property
    def complete(self) -> float:
        return self.overall.percent

    def as_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "language": self.language,
                "catalog": display_path(self.path) if self.path else None,
                **self.overall.as_dict(),
                "kinds": {name: counts.as_dict() for name, counts in self.kinds.items()},
                "problems": [str(p) for p in self.problems],
                "missing": [item.as_dict() for item in self.missing]}


# A local group's details (`build --imprint`), for the words around them.
SAMPLE_IMPRINT = Imprint("group", "Group", "Meeting", ("group@example.org",),
                         responsible="Person")


def kind_messages(project: Project, *, imprint: bool = False, campaigns: Sequence[str] = (),
                  ) -> dict[str, frozenset[MessageKey]]:
    """The messages each publication kind uses, over every campaign (or those named in
    `campaigns`, `status --campaign`); with `imprint`, also those it uses around a local
    group's details (`build --imprint`)."""
    used: dict[str, set[MessageKey]] = {name: set() for name in KINDS}
    for slug in campaigns or find_campaigns(project.content):
        for name, keys in campaign_kind_messages(project, slug, imprint=imprint).items():
            used[name] |= keys
    return {name: frozenset(keys) for name, keys in used.items()}


def campaign_kind_messages(project: Project, slug: str, *, imprint: bool = False,
                           ) -> dict[str, frozenset[MessageKey]]:
    """`kind_messages` of one campaign: each kind rendered in the source language."""
    used: dict[str, set[MessageKey]] = {name: set() for name in KINDS}
    catalog, info = source_catalog(), locale_info(SOURCE_LOCALE)
    campaign = load_campaign(project.content / slug)
    for kind in KINDS.values():
        for group in (None, SAMPLE_IMPRINT) if imprint else (None,):
            localizer = Localizer(catalog, info)
            render(project, campaign, localizer, kind, PAPERS[kind.sizes[0]], imprint=group)
            used[kind.name] |= localizer.used
    return {name: frozenset(keys) for name, keys in used.items()}


def appearances(project: Project) -> dict[MessageKey, tuple[str, ...]]:
    """The kinds each message appears on (a local group's imprint too), in `KINDS` order."""
    found: dict[MessageKey, list[str]] = {}
    for name, keys in kind_messages(project, imprint=True).items():
        for key in keys:
            found.setdefault(key, []).append(name)
    return {key: tuple(kinds) for key, kinds in found.items()}


def status(project: Project, locales: Sequence[str] = (),
           per_kind: dict[str, frozenset[MessageKey]] | None = None) -> list[LocaleStatus]:
    """The status of `locales` (default: every locale with a catalogue, source first);
    `per_kind`: what `kind_messages` gives, when the caller has it."""
    codes = list(locales) or available_locales(project)
    per_kind = kind_messages(project) if per_kind is None else per_kind
    shown = sorted({key for keys in per_kind.values() for key in keys},
                   key=lambda key: (key[0] or "", key[1]))
    return [locale_status(project, code, shown, per_kind) for code in codes]


def locale_status(project: Project, code: str, messages: Iterable[MessageKey],
                  per_kind: dict[str, frozenset[MessageKey]]) -> LocaleStatus:
    """One locale's counts over `messages` and over each kind's messages."""
    info = locale_info(code)
    path: Path | None = None
    problems: tuple[Problem, ...] = ()
    states = {}
    if info.code != SOURCE_LOCALE:
        path = project.po(info.code)
        parsed = read_checked(path, info.code)
        states = entry_states(parsed.catalog) if parsed.catalog is not None else {}
        problems = tuple(parsed.problems)

    def state(key: MessageKey) -> str:
        if info.code == SOURCE_LOCALE:
            return "translated"
        entry = states.get(key)
        return entry.state if entry else "untranslated"

    def count(keys: Iterable[MessageKey]) -> Counts:
        tally = dict.fromkeys(STATES, 0)
        for key in keys:
            tally[state(key)] += 1
        return Counts(**tally)

    missing = sorted_missing(
        (entry.line if (entry := states.get(key)) else 0, key[0] or "", state(key),
         [name for name, keys in per_kind.items() if key in keys])
        for key in messages if state(key) != "translated")
    return LocaleStatus(info.code, info.english_name, path, count(messages),
                        {name: count(keys) for name, keys in per_kind.items()}, problems,
                        tuple(missing))


def below(statuses: Iterable[LocaleStatus], minimum: float) -> list[LocaleStatus]:
    """Locales less than `minimum` percent complete, or with catalogue problems."""
    return [s for s in statuses if s.complete < minimum or s.problems]


def format_table(statuses: Sequence[LocaleStatus]) -> list[str]:
    """A plain-text table: one line for all messages of a locale, one per kind."""
    header = ("LOCALE", "LANGUAGE", "PUBLICATION", "TRANSLATED", "FUZZY", "UNTRANSLATED",
              "COMPLETE")
    rows: list[tuple[str, ...]] = []
    for item in statuses:
        for index, (name, counts) in enumerate([("all", item.overall), *item.kinds.items()]):
            first = index == 0
            rows.append((item.locale if first else "", item.language if first else "", name,
                         str(counts.translated), str(counts.fuzzy), str(counts.untranslated),
                         f"{counts.percent:.1f}%"))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {3, 4, 5, 6}

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        return "  ".join(cells).rstrip()

    lines = [line(header)]
    for row in rows:
        if row[0] and len(lines) > 1:
            lines.append("")
        lines.append(line(row))
    for item in statuses:
        if item.problems:
            lines += ["", f"{item.locale}: {len(item.problems)} problem(s) stop this language "
                          "from building:"]
            lines += [f"  {problem}" for problem in item.problems]
    return lines


def format_missing(project: Project, statuses: Sequence[LocaleStatus]) -> list[str]:
    """The report of what each locale shows in the source language, as a build prints it
    (catalogues named from the project folder, as there); a locale whose catalogue has
    problems is not built: its problems instead."""
    lines: list[str] = []
    for item in statuses:
        if item.path is None:
            continue
        po = str(item.path.relative_to(project.root))
        if item.problems:
            lines += [f"{item.locale}: {len(item.problems)} problem(s) stop this language "
                      "from building:", *(f"  {p}" for p in item.problems)]
        else:
            lines += report_lines(item.locale, po, list(item.missing)) or \
                [f"{item.locale}: every message is translated"]
    return lines


def as_json(statuses: Sequence[LocaleStatus]) -> dict[str, Any]:
    """The same facts for scripts."""
    return {"source_locale": SOURCE_LOCALE, "locales": [s.as_dict() for s in statuses]}
