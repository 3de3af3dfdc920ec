"""Build orchestration: which outputs to make, which are out of date, and the summary.

A build is a list of `Target`s (campaign x locale x kind x size). `build` holds the
output folder's lock (publication.build.lock), skips every target whose inputs did not change
since it was last built (publication.build.cache), has the others made by workers
(publication.build.pool: imported only then, so a build with nothing to do never loads
WeasyPrint), records what they were made from, and refreshes `output/index.html` and
`output/manifest.json` (publication.report.index). A failed target does not stop the others
unless `fail_fast` is set.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from publication.build import cache
from publication.build.lock import locked
from publication.errors import UsageError
from publication.files import remove_leftovers
from publication.i18n import missing
from publication.i18n.locales import available_locales, locale_info
from publication.kinds import GROUP_KINDS, KINDS, PAPERS, Kind
from publication.model import (
    CACHE_FOLDER,
    CHECK_FOLDER,
    BuildOptions,
    Imprint,
    Outcome,
    Project,
    Record,
    Selection,
    Target,
    usable_cores,
)
from publication.report import index
from publication.report.index import THUMBS_FOLDER

LOG = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """Every target's outcome, in plan order."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def plan(project: Project, selection: Selection, imprint: Imprint | None = None) -> list[Target]:
    """The targets a selection asks for, validated; unknown names are UsageErrors."""
    campaigns = project.campaigns()
    for name in selection.campaigns:
        if name not in campaigns:
            raise UsageError(f"no campaign '{name}' in {project.content} "
                             f"(have: {', '.join(campaigns)})")
    locales = available_locales(project)
    for code in selection.locales:
        locale_info(code)  # validates before the code is ever used as a path
        if code not in locales:
            raise UsageError(f"no catalogue for locale '{code}'; start one with "
                             f"'python make_pdf.py init {code}' (have: {', '.join(locales)})")
    for name in selection.kinds:
        if name not in KINDS:
            raise UsageError(f"no publication kind '{name}' (have: {', '.join(KINDS)})")
    for size in selection.sizes:
        if size not in PAPERS:
            raise UsageError(f"no paper size '{size}' (have: {', '.join(PAPERS)})")
    kinds = group_kinds(selection.kinds) if imprint is not None else \
        selection.kinds or tuple(KINDS)
    targets = []
    for campaign in selection.campaigns or tuple(campaigns):
        for code in selection.locales or tuple(locales):
            for kind in (KINDS[k] for k in kinds):
                for size in _sizes(kind, selection.sizes):
                    targets.append(Target(campaign, code, kind.name, size,
                                          imprint.slug if imprint else None))
    if not targets:
        raise UsageError("nothing to build: no kind is made at the sizes asked for")
    return targets


# Folders of output/ that hold a campaign's files in a sub-folder named after it.
_PER_CAMPAIGN = ("", CACHE_FOLDER, CHECK_FOLDER, THUMBS_FOLDER)
_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def group_kinds(asked: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The kinds of a local group's set: those `asked` for, or every kind that carries a
    group's details when none are (not the letter); UsageError for an asked kind that
    carries none."""
    for name in asked:
        kind = KINDS.get(name)
        if kind is not None and not kind.imprint:
            raise UsageError(f"a {kind.title.lower()} carries no group's details (its sender "
                             f"fills in their own): build the {kind.name}s without --imprint")
    return asked or GROUP_KINDS


def remove_gone_campaigns(project: Project) -> list[str]:
    """Delete the outputs (PDFs, records, expectations, thumbnails) of every campaign the
    records name whose folder is gone from content/; return the campaigns removed. The
    names come from records, which are untrusted: only a plain folder name directly
    under each output folder is ever removed, never through a symbolic link."""
    gone = sorted({r.campaign for r in cache.records(project)} - set(project.campaigns()))
    removed = []
    for name in gone:
        if not _FOLDER_NAME.fullmatch(name) or (project.content / name).exists():
            continue  # not a folder name; or a folder whose campaign.yaml is missing
        for base in (project.output / sub if sub else project.output for sub in _PER_CAMPAIGN):
            folder = base / name
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
        removed.append(name)
    return removed


def _sizes(kind: Kind, asked: tuple[str, ...]) -> tuple[str, ...]:
    if not asked:
        return kind.sizes
    return tuple(s for s in asked if s in kind.sizes or s in kind.extra_sizes)


def build(
    project: Project, targets: list[Target], options: BuildOptions,
    progress: Callable[[Outcome, int, int], None] | None = None,
    started: Callable[[Target], None] | None = None,
) -> BuildReport:
    """Build the `targets` that are out of date (every one with `options.force`), in
    parallel when `options.jobs` > 1; never raises for one target.

    `progress` hears of each outcome (skipped ones first), `started` of each target a
    worker starts on.
    """
    with locked(project.output, options.wait):
        remove_leftovers(project.output)
        for name in remove_gone_campaigns(project):
            LOG.info("removed the outputs of campaign %s: it is no longer in %s", name,
                     project.content)
        inputs = cache.Inputs.take(project, options)
        results: dict[Target, Outcome] = {}

        def done(outcome: Outcome) -> None:
            results[outcome.target] = outcome
            if progress:
                progress(outcome, len(results), len(targets))

        todo: dict[Target, Record | None] = {}  # with what its last build recorded
        for target in targets:
            reason, record = ("--force", cache.load(project, target)) if options.force else \
                cache.stale(project, target, inputs)
            if reason is None and record is not None:
                index.draw_missing(project.output, record.products)
                done(Outcome(target, "skipped", target.path(project.output), 0.0, record.pages,
                             record.warnings, record.checks))
            else:
                LOG.debug("%s: building (%s)", target, reason)
                todo[target] = record
        if todo:
            from publication.build import pool as worker

            outcomes = worker.run(project, todo, options, started, inputs.layout_key)
            for outcome in outcomes:
                if outcome.status == "built":
                    cache.built(project, inputs, outcome)
                else:
                    cache.failed(project, outcome)
                done(outcome)
                if options.fail_fast and outcome.status == "failed":
                    outcomes.close()
                    break
        _refresh_index(project, bool(todo), list(results.values()), inputs.status_key)
    return BuildReport([results[t] for t in targets if t in results])


def _refresh_index(project: Project, built: bool, outcomes: list[Outcome],
                   status_key: Callable[[], str]) -> None:
    """Rewrite the index and manifest when something was built or they miss a change;
    the page says what this build (its `outcomes`) rebuilt, skipped and failed."""
    records = cache.records(project)
    if built or index.needs_update(project, records):
        start = time.perf_counter()
        index.write(project, records, outcomes, status_key())
        LOG.debug("index written in %.2f s", time.perf_counter() - start)


def default_jobs() -> int:
    return usable_cores()


def summarize(report: BuildReport) -> Iterable[str]:
    """Lines for the end of a build: counts, then each failure with its reasons."""
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    yield ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing built"
    checked = [o.checks for o in report.outcomes  # skipped ones were checked when built
               if o.checks is not None and o.status != "skipped"]
    if checked:
        yield (f"accessibility and preflight checks: {len(checked)} PDF(s), "
               f"{sum(c[0] for c in checked)} error(s), {sum(c[1] for c in checked)} warning(s)")
    yield from missing.summary_lines(report.outcomes)  # each fallback once per locale
    # Outputs failing for the same reasons (a bad catalogue fails every output of its
    # locale) are listed together, so each reason is said once.
    by_reasons: dict[tuple[str, ...], list[str]] = {}
    for outcome in report.failed:
        by_reasons.setdefault(outcome.messages, []).append(str(outcome.target))
    for messages, targets in by_reasons.items():
        yield f"FAILED {', '.join(targets)}:"
        for message in messages:
            yield f"  {message}"
