"""One target laid out as its build lays it out, with every message placed and measured;
and the room of every message of a locale, for `status --room`.

`lay_out` uses the pipeline's own fitting (`Worker.fit`: the poster's headline steps
down until it fits), so the layout measured is the one the build prints. A target that
does not fit is laid out at its last step anyway, so that the messages running over
are named, with their catalogue lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publication.build.builder import plan
from publication.build.pipeline import Job, Worker
from publication.errors import InputError, Problem, PublicationError, display_path
from publication.i18n.catalog import CompiledCatalog
from publication.i18n.localize import Localizer
from publication.model import (
    SOURCE_LOCALE,
    BuildOptions,
    FitHint,
    MessageKey,
    Project,
    Selection,
    Target,
)
from publication.preview.places import LayoutIndex, message_pieces, shown_messages
from publication.preview.room import Placement, Room, place_messages
from publication.render.html import render


@dataclass
class TargetLayout:
    """A target's laid-out document and where each message it shows is."""

    target: Target
    document: Any                    # weasyprint.Document
    used: frozenset[MessageKey]
    headline_pt: float
    placements: dict[MessageKey, Placement]
    problem: str = ""                # why it does not fit ("" when it does)
    shown: dict[MessageKey, str] = field(default_factory=dict)  # each message as shown


def job_for(worker: Worker, target: Target, catalog: CompiledCatalog | None = None) -> Job:
    """The pipeline's job for `target`, with `catalog` instead of the worker's own copy
    (the preview reads the catalogue again after each save)."""
    job = worker.job(target, target.path(worker.project.output), BuildOptions())
    if catalog is None:
        return job
    return Job(job.target, job.path, job.campaign, catalog, job.info, job.kind, job.paper,
               job.imprint)


def lay_out(worker: Worker, job: Job, hint: FitHint | None = None) -> TargetLayout:
    """Lay `job` out as a build does and place its messages."""
    problem = ""
    try:
        rendered, document, headline_pt, _ = worker.fit(job, hint or FitHint())
    except PublicationError as exc:  # too long: laid out at the last step to say where
        problem = str(exc)
        headline_pt = job.kind.headline_steps(job.paper)[-1]
        rendered = render(worker.project, job.campaign, Localizer(job.catalog, job.info),
                          job.kind, job.paper, imprint=job.imprint, headline_pt=headline_pt)
        document = worker.typesetter.layout(rendered.html)
    index = LayoutIndex(document)
    shown = shown_messages(job.campaign, Localizer(job.catalog, job.info), rendered.used)
    placements = place_messages(index, message_pieces(shown), job.kind, job.paper,
                                headline_pt)
    return TargetLayout(job.target, document, rendered.used, headline_pt, placements, problem,
                        shown)


@dataclass(frozen=True)
class MessageRoom:
    """One message of a locale: its entry and its room in each publication it is on."""

    key: MessageKey
    line: int          # its msgid line in the .po (0: not in the catalogue)
    state: str         # translated, fuzzy, untranslated
    rooms: tuple[Room, ...]  # tightest first; empty: printed nowhere (alt text, title)

    @property
    def overflows(self) -> bool:
        return any(room.overflow_mm > 0 for room in self.rooms)

    def as_dict(self) -> dict[str, Any]:
        return {"context": self.key[0], "msgid": self.key[1], "line": self.line,
                "state": self.state, "overflows": self.overflows,
                "rooms": [room.as_dict() for room in self.rooms]}


@dataclass(frozen=True)
class LocaleRoom:
    """The room of every message a locale shows, or the problems of its catalogue."""

    locale: str
    po: Path | None
    messages: tuple[MessageRoom, ...] = ()
    problems: tuple[Problem, ...] = ()
    failures: tuple[str, ...] = ()   # targets that do not fit, the pipeline's words

    def as_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "catalog": display_path(self.po) if self.po else None,
                "problems": [str(p) for p in self.problems], "failures": list(self.failures),
                "messages": [m.as_dict() for m in self.messages]}


def locale_room(worker: Worker, code: str) -> LocaleRoom:
    """Lay out every publication of `code` and measure the room of each message."""
    project = worker.project
    po = project.po(code) if code != SOURCE_LOCALE else None
    try:
        catalog = worker.catalog(code)
    except InputError as exc:
        return LocaleRoom(code, po, problems=tuple(exc.problems))
    rooms: dict[MessageKey, list[Room]] = {}
    failures = []
    for target in plan(project, Selection(locales=(code,))):
        laid = lay_out(worker, job_for(worker, target, catalog))
        if laid.problem:
            failures.append(laid.problem)
        for key, placement in laid.placements.items():
            found = rooms.setdefault(key, [])
            if placement.room is not None:
                found.append(placement.room)
    messages = []
    for key, found in rooms.items():
        entry = catalog.entry(key[0], key[1])
        state = "translated" if code == SOURCE_LOCALE else entry.state
        messages.append(MessageRoom(key, entry.line, state,
                                    tuple(sorted(found, key=lambda r: r.tightness))))
    messages.sort(key=lambda m: (m.line or 10**9, m.key[0] or "", m.key[1]))
    return LocaleRoom(code, po, tuple(messages), failures=tuple(failures))


def room_report(project: Project, locales: Sequence[str]) -> list[LocaleRoom]:
    """The room of every message in each of `locales`, one warm worker for them all."""
    worker = Worker(project, read_only=True)
    return [locale_room(worker, code) for code in locales]


def format_room(project: Project, report: Sequence[LocaleRoom]) -> list[str]:
    """`status --room` as text: per locale, each message by its line, its tightest room
    first; an overflowing message is said first, as an error with its `.po` line."""
    lines: list[str] = []
    for item in report:
        po = str(item.po.relative_to(project.root)) if item.po else f"({item.locale}: source)"
        if lines:
            lines.append("")
        if item.problems:
            lines += [f"{item.locale}: {len(item.problems)} problem(s) stop this language "
                      "from building:", *(f"  {p}" for p in item.problems)]
            continue
        lines.append(f"{item.locale}: room of each message ({po})")
        for message in item.messages:
            if message.overflows:
                over = [r.describe() for r in message.rooms if r.overflow_mm > 0]
                lines.append(f"{po}:{message.line}: {message.key[0]}: overflows: "
                             + "; ".join(over))
        for message in item.messages:
            where = f":{message.line}" if message.line else ""
            rooms = "; ".join(r.describe() for r in message.rooms) or \
                "not printed (read aloud or in the document's properties)"
            lines.append(f"  {where or '-'} {message.key[0]} [{message.state}]: {rooms}")
        lines += [f"  FAILED {failure}" for failure in item.failures]
    return lines


def overflowing(report: Sequence[LocaleRoom]) -> bool:
    """Whether some locale overflows a layout or cannot be read."""
    return any(item.problems or item.failures or any(m.overflows for m in item.messages)
               for item in report)


def source_room(project: Project) -> dict[MessageKey, str]:
    """Each message's room in the source language's layout, in words for the template's
    translator comments (`extract`): its tightest place in each kind it is printed on
    (a text that does not fit says so). Raises InputError for content it cannot read."""
    [report] = room_report(project, [SOURCE_LOCALE])
    if report.problems:
        raise InputError(list(report.problems))
    notes = {}
    for message in report.messages:
        tightest: dict[str, Room] = {}
        for room in message.rooms:  # tightest first
            tightest.setdefault(room.kind, room)
        if tightest:
            notes[message.key] = "; ".join(room.describe() for room in tightest.values())
    return notes
