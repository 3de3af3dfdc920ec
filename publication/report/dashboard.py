"""The dashboard on `output/index.html`: what staff look at after a build.

Per campaign (by its title from the content), one grid per group imprint: a row per
locale (its own name, marked up in its language and direction, with the campaign's
translation completeness in it) and a column per kind and size. Each cell shows the
output's first page (the PDFium thumbnail), links to its accessible PDF, its print-shop
file and HTML preview where they exist, its state (ok; built with messages shown in
English; failed, with the reasons) with the details in a `<details>`, when it was built
and whether the build that wrote the page made it.

Everything here reads records that may be old, hand-edited or half broken: a record
naming a campaign, locale, kind or size that no longer exists is left out, a path that
leaves the output folder or a thumbnail that is not a readable PNG is not linked, and a
strange time is shown as unknown. Nothing in a record can stop the page being written.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publication.errors import PublicationError
from publication.i18n.locales import (
    available_locales,
    locale_info,
    skipped_locales,
    skipped_reason,
)
from publication.kinds import KINDS, OFFICE_SUFFIX, PAPERS, PRINT_SUFFIX, PROOF_NAME
from publication.model import (
    SOURCE_LOCALE,
    MessageKey,
    Outcome,
    Project,
    Record,
    context_place,
)

if TYPE_CHECKING:
    from publication.report.memo import StatusMemo
    from publication.report.status import Counts

LOG = logging.getLogger(__name__)

FALLBACK_MARK = "shown in the source language"  # how a fallback warning ends (i18n.localize)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FALLBACK_RE = re.compile(r"^(?P<where>.*?):? ?(?P<state>fuzzy|untranslated|unusable) message "
                         r"'(?P<message>.*)' " + FALLBACK_MARK + "$")
WHY = {"fuzzy": "needs review", "untranslated": "untranslated",
       "unusable": "its translation is unusable"}
STATE_LABELS = {"ok": "OK", "fallbacks": "Some text in English", "failed": "Failed"}

# (campaign, locale, kind, size, imprint): one target
Key = tuple[str, str, str, str, str | None]


# -- what the records may be trusted with ------------------------------------------------


def inside(output: Path, relative: object) -> str | None:
    """`relative` when it names a file under `output` (not a folder, not outside), else None."""
    if not isinstance(relative, str) or not relative or relative.startswith(("/", "\\")):
        return None
    try:
        path = (output / relative).resolve()
        if not path.is_relative_to(output.resolve()) or not path.is_file():
            return None
    except (OSError, ValueError, RuntimeError):
        return None
    return relative


def _listed(relative: str, paths: Collection[str]) -> str | None:
    return relative if relative in paths else None


def readable_png(output: Path, relative: object) -> str | None:
    """`relative` when it is a PNG under `output` that can be read (a thumbnail)."""
    found = inside(output, relative)
    if found is None:
        return None
    try:
        with open(output / found, "rb") as fileobj:
            return found if fileobj.read(len(PNG_SIGNATURE)) == PNG_SIGNATURE else None
    except OSError:
        return None


def utc_time(ns: object) -> str | None:
    """A file time (nanoseconds since the epoch) as ISO 8601 in UTC, to the second."""
    if not isinstance(ns, int) or isinstance(ns, bool) or ns <= 0:
        return None
    try:
        moment = dt.datetime.fromtimestamp(ns / 1e9, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def key_of(record: Record) -> Key:
    return (record.campaign, record.locale, record.kind, record.size, record.imprint)


def current(project: Project, found: Iterable[Record]) -> list[Record]:
    """The records of outputs that can still be built: their campaign is in the content,
    their locale has a catalogue, their kind and paper exist. Others (a campaign removed,
    a locale dropped, a record from another version) are not listed."""
    campaigns = set(campaign_folders(project))
    try:
        locales = set(available_locales(project))
    except (PublicationError, OSError):
        locales = {SOURCE_LOCALE}
    kept = []
    for record in found:
        try:
            usable = (record.campaign in campaigns and record.locale in locales
                      and record.kind in KINDS and record.size in PAPERS
                      and isinstance(record.imprint, str | None))
        except (AttributeError, TypeError):
            usable = False
        if usable:
            kept.append(record)
    return kept


def campaign_folders(project: Project) -> list[str]:
    """The campaigns in the content, by folder name (none when it cannot be read)."""
    try:
        return project.campaigns()
    except OSError:
        return []


def texts(values: object) -> tuple[str, ...]:
    """A record's warnings or failure reasons, as text (none when they are not a list)."""
    if not isinstance(values, list | tuple):
        return ()
    return tuple(str(v) for v in values)


def checks(value: object) -> tuple[int, int] | None:
    """A record's (errors, warnings) of the checks, or None: not checked (or nonsense)."""
    if (isinstance(value, tuple) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        return (value[0], value[1])
    return None


# -- the page's model ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One output: a kind at a size, in a locale, of a campaign."""

    anchor: str
    target: str                    # "campaign/locale/kind-size [group]", as a build says
    label: str                     # "German leaflet, A4"
    state: str                     # "ok", "fallbacks" or "failed"
    pdf: str | None                # paths relative to the output folder, when on disk
    print_pdf: str | None
    office_pdf: str | None         # the leaflet's sheet for an office printer
    preview: str | None            # the HTML the PDF was made from (build --html)
    thumbnail: str | None
    built: str | None              # when the accessible PDF was written (UTC)
    new: bool                      # made by the build that wrote the page
    pages: int | None
    bytes: int | None
    checks: str
    fallbacks: tuple[str, ...]     # messages shown in English
    notes: tuple[str, ...]         # the checks' warnings
    reasons: tuple[str, ...]       # why the last build failed

    @property
    def fallback_items(self) -> list[tuple[str, str, str]]:
        """Each message shown in English: (its context, why, where in the catalogue)."""
        items = []
        for warning in self.fallbacks:
            found = FALLBACK_RE.match(warning)
            if found:
                # The catalogue is the row's: its line is enough.
                line = re.search(r":(\d+)$", found["where"])
                where = f"line {line[1]}" if line else found["where"]
                # The row is its campaign's: the message's place is enough.
                place = context_place(found["message"])[1]
                items.append((place, WHY[found["state"]], where))
            else:
                items.append((warning, "shown in English", ""))
        return items

    @property
    def state_label(self) -> str:
        if self.state == "fallbacks":
            count = len(self.fallbacks)
            return f"{count} message{'s' if count != 1 else ''} in English"
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Row:
    """One locale of a grid."""

    code: str
    tag: str
    direction: str
    own_name: str
    english_name: str
    counts: Counts | None          # this campaign's messages in this locale
    problems: int                  # the catalogue's problems (stop the locale building)
    cells: tuple[Cell | None, ...]  # one per column

    @property
    def source(self) -> bool:
        return self.code == SOURCE_LOCALE


@dataclass(frozen=True)
class Grid:
    """A campaign's outputs without a group imprint, or with one group's."""

    anchor: str
    imprint: str | None
    columns: tuple[tuple[str, str], ...]        # (kind, size)
    groups: tuple[tuple[str, int], ...]         # (kind title, number of sizes)
    rows: tuple[Row, ...]

    def paper(self, size: str) -> str:
        paper = PAPERS.get(size)
        return paper.title if paper else size


@dataclass(frozen=True)
class CampaignView:
    slug: str
    title: str
    anchor: str
    proof: str | None
    grids: tuple[Grid, ...]
    tally: dict[str, int]          # cells per state


@dataclass(frozen=True)
class LastBuild:
    """What the build that wrote the page did, and when the page was written."""

    written: str
    rebuilt: int
    unchanged: int
    failed: int
    known: bool                    # the page was written by a build that said what it did


@dataclass(frozen=True)
class Dashboard:
    campaigns: tuple[CampaignView, ...]
    last: LastBuild
    attention: tuple[tuple[CampaignView, Cell], ...]  # failed outputs, in page order
    tally: dict[str, int]
    skipped: tuple[str, ...] = ()  # why each catalogue folder left out is not built

    @property
    def total(self) -> int:
        return sum(self.tally.values())


def build(project: Project, found: Sequence[Record], outcomes: Sequence[Outcome] = (),
          now: dt.datetime | None = None,
          shown: Mapping[str, Mapping[str, frozenset[MessageKey]]] | None = None,
          titles: Mapping[str, str] | None = None, memo: StatusMemo | None = None,
          proofs: Collection[str] | None = None) -> Dashboard:
    """The dashboard of `found` (records already passed through `current`) and of the
    build whose `outcomes` these are (a failed target without a record is shown too).
    `titles`: the campaigns' titles where known (`campaign_title`); `memo`: where the
    catalogues' counts are kept; `proofs`: the proof sheets there are (paths under
    output/; None: those found there now)."""
    output = project.output
    run: dict[Key, Outcome] = {}
    for outcome in outcomes:
        t = outcome.target
        run[(t.campaign, t.locale, t.kind, t.size, t.imprint)] = outcome
    cells: dict[Key, Cell] = {}
    for record in found:
        key = key_of(record)
        cells[key] = _cell(output, key, record, run.get(key))
    known = set(campaign_folders(project))
    for key, outcome in run.items():
        if outcome.status == "failed" and key not in cells and key[0] in known \
                and key[2] in KINDS and key[3] in PAPERS:
            cells[key] = _cell(output, key, None, outcome)
    given = titles or {}
    titles = {slug: given.get(slug) or campaign_title(project, slug)
              for slug in sorted({k[0] for k in cells})}
    counts, problems = campaign_completeness(project, {(k[0], k[1]) for k in cells}, shown,
                                             memo)
    views = []
    for slug, title in titles.items():
        mine = {k: c for k, c in cells.items() if k[0] == slug}
        imprints = sorted({k[4] for k in mine}, key=lambda i: (i is not None, i or ""))
        grids = tuple(_grid(slug, imprint, {k: c for k, c in mine.items() if k[4] == imprint},
                            counts, problems) for imprint in imprints)
        views.append(CampaignView(slug, title, _anchor("campaign", slug),
                                  inside(output, f"{slug}/{PROOF_NAME}") if proofs is None
                                  else _listed(f"{slug}/{PROOF_NAME}", proofs), grids,
                                  _tally(mine.values())))
    attention = tuple((view, cell) for view in views for grid in view.grids
                      for row in grid.rows for cell in row.cells
                      if cell is not None and cell.state == "failed")
    statuses = [o.status for o in outcomes]
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    last = LastBuild(moment.isoformat().replace("+00:00", "Z"), statuses.count("built"),
                     statuses.count("skipped"), statuses.count("failed"), bool(outcomes))
    skipped = tuple(skipped_reason(project, name) for name in skipped_locales(project))
    return Dashboard(tuple(views), last, attention, _tally(cells.values()), skipped)


def _tally(cells: Iterable[Cell]) -> dict[str, int]:
    tally = dict.fromkeys(STATE_LABELS, 0)
    for cell in cells:
        tally[cell.state] += 1
    return tally


def _cell(output: Path, key: Key, record: Record | None, outcome: Outcome | None) -> Cell:
    campaign, locale, kind, size, imprint = key
    label = _label(locale, kind, size, imprint)
    pdf = print_pdf = office_pdf = preview = thumbnail = None
    built = None
    pages = size_bytes = None
    warnings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    checks = "not checked"
    if record is not None:
        for product in record.products if isinstance(record.products, tuple) else ():
            path = inside(output, getattr(product, "path", None))
            if path is None:
                continue
            if path.endswith(PRINT_SUFFIX):
                print_pdf = print_pdf or path
            elif path.endswith(OFFICE_SUFFIX):
                office_pdf = office_pdf or path
            elif path.endswith(".pdf") and pdf is None:
                pdf = path
                thumbnail = readable_png(output, product.thumbnail)
                built = utc_time(product.mtime_ns)
                pages = product.pages if isinstance(product.pages, int) else None
                size_bytes = product.size if isinstance(product.size, int) else None
            elif path.endswith(".html"):
                preview = preview or path
        warnings = texts(record.warnings)
        reasons = texts(record.failed)
        checks = _check_result(record.checks)
    if outcome is not None and outcome.status == "failed":
        reasons = reasons or tuple(outcome.messages) or ("failed",)
    fallbacks = tuple(w for w in warnings if w.endswith(FALLBACK_MARK))
    notes = tuple(w for w in warnings if not w.endswith(FALLBACK_MARK))
    state = "failed" if reasons else "fallbacks" if fallbacks else "ok"
    new = outcome is not None and outcome.status == "built"
    anchor = _anchor("output", campaign, locale, imprint or "", kind, size)
    target = f"{campaign}/{locale}/{kind}-{size}" + (f" [{imprint}]" if imprint else "")
    return Cell(anchor, target, label, state, pdf, print_pdf, office_pdf, preview, thumbnail,
                built, new, pages, size_bytes, checks, fallbacks, notes, reasons)


def _label(locale: str, kind: str, size: str, imprint: str | None) -> str:
    try:
        language = locale_info(locale).english_name
    except PublicationError:
        language = locale
    found, paper = KINDS.get(kind), PAPERS.get(size)
    title = found.title.lower() if found else kind
    group = f" for {imprint}" if imprint else ""
    return f"{language} {title}, {paper.title if paper else size}{group}"


def _check_result(value: object) -> str:
    counts = checks(value)
    if counts is None:
        return "not checked"
    errors, warnings = counts
    if errors:
        return f"failed: {errors} error(s)"
    return f"passed, {warnings} warning(s)" if warnings else "passed"


def _grid(slug: str, imprint: str | None, cells: Mapping[Key, Cell],
          counts: Mapping[tuple[str, str], Counts], problems: Mapping[str, int]) -> Grid:
    kinds = list(KINDS)

    def column_order(column: tuple[str, str]) -> tuple[int, int, str]:
        kind = KINDS[column[0]]
        sizes = [*kind.sizes, *kind.extra_sizes]
        position = sizes.index(column[1]) if column[1] in sizes else len(sizes)
        return (kinds.index(column[0]), position, column[1])

    columns = tuple(sorted({(k[2], k[3]) for k in cells}, key=column_order))
    groups: list[tuple[str, int]] = []
    for kind, _ in columns:
        title = KINDS[kind].title
        if groups and groups[-1][0] == title:
            groups[-1] = (title, groups[-1][1] + 1)
        else:
            groups.append((title, 1))
    rows = []
    for code in sorted({k[1] for k in cells}, key=lambda c: (c != SOURCE_LOCALE, c)):
        try:
            info = locale_info(code)
        except PublicationError:
            continue
        row_cells = tuple(cells.get((slug, code, kind, size, imprint)) for kind, size in columns)
        rows.append(Row(code, info.tag, info.direction, info.name, info.english_name,
                        counts.get((slug, code)), problems.get(code, 0), row_cells))
    return Grid(_anchor("grid", slug, imprint or ""), imprint, columns, tuple(groups),
                tuple(rows))


def _anchor(*parts: str) -> str:
    """An id for the page from names (kept apart by their first part, a kind of thing)."""
    text = "-".join(p for p in parts if p)
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("_", "-")).strip("-")


# -- from the content and the catalogues --------------------------------------------------


def campaign_title(project: Project, slug: str) -> str:
    """The campaign's title in the source language, as plain text; its folder name when
    the content cannot be read."""
    from publication.source.content import load_campaign

    try:
        source = load_campaign(project.content / slug).title.source
    except (PublicationError, OSError, ValueError) as exc:
        LOG.info("the index names campaign %s by its folder: %s", slug, exc)
        return slug
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", source)).split()) or slug


def campaign_messages(project: Project, slug: str,
                      shown: Mapping[str, Mapping[str, frozenset[MessageKey]]] | None = None,
                      ) -> frozenset[MessageKey]:
    """The messages the campaign's publications show (every kind), as `status` counts
    them for all campaigns together; from `shown` (campaign -> kind -> messages, as
    `status.campaign_kind_messages` finds them) when it has the campaign."""
    from publication.report.status import campaign_kind_messages

    per_kind = shown.get(slug) if shown is not None else None
    if per_kind is None:
        per_kind = campaign_kind_messages(project, slug)
    return frozenset(key for keys in per_kind.values() for key in keys)


def campaign_completeness(
    project: Project, pairs: Iterable[tuple[str, str]],
    shown: Mapping[str, Mapping[str, frozenset[MessageKey]]] | None = None,
    memo: StatusMemo | None = None,
) -> tuple[dict[tuple[str, str], Counts], dict[str, int]]:
    """How much of each campaign is translated in each locale, (campaign, locale) -> the
    counts of `status.locale_status` over that campaign's messages, and how many problems
    each locale's catalogue has (they stop its outputs building). A campaign whose content
    cannot be read, or a locale that cannot be counted, is left out: unknown. `memo`:
    where the counts of catalogues that did not change are kept."""
    from publication.report.memo import StatusMemo
    from publication.report.status import Counts

    locale_status = (memo or StatusMemo(project, "")).locale_status

    counts: dict[tuple[str, str], Counts] = {}
    problems: dict[str, int] = {}
    wanted = sorted(set(pairs))
    per_campaign: dict[str, frozenset[MessageKey]] = {}
    for slug in sorted({slug for slug, _ in wanted}):
        try:
            per_campaign[slug] = campaign_messages(project, slug, shown)
        except Exception as exc:  # the page is written whatever the content holds
            LOG.info("no completeness for campaign %s: %s", slug, exc)
    for code in sorted({code for _, code in wanted}):
        slugs = [slug for slug, c in wanted if c == code and slug in per_campaign]
        try:
            # One reading of the catalogue for every campaign: `kinds` of the result
            # holds the counts per set of messages passed, here one set per campaign.
            state = locale_status(code, (), {s: per_campaign[s] for s in slugs})
        except Exception as exc:
            LOG.info("no completeness for locale %s: %s", code, exc)
            continue
        problems[code] = len(state.problems)
        for slug in slugs:
            counts[(slug, code)] = state.kinds.get(slug, Counts())
    return counts, problems


def as_dict(cell: Cell) -> dict[str, Any]:
    """The cell's state for the manifest (nothing in it depends on when it was built)."""
    return {"state": cell.state, "fallbacks": len(cell.fallbacks),
            "last_build_failed": list(cell.reasons) or None}
