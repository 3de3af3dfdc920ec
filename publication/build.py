"""Build orchestration: which outputs to make, making each one, and the summary.

A build is a list of `Target`s (campaign x locale x kind x size). Each target goes
through the stages (content, catalogue, localize, render, typeset, post-process) in a
worker that keeps its loaded content, catalogues, templates and fonts between targets.
A failed target does not stop the others unless `fail_fast` is set.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import checks, press, tagging
from .catalog import (
    CompiledCatalog,
    available_locales,
    compile_catalog,
    locale_info,
    source_catalog,
)
from .checks import fit
from .checks import fonts as font_checks
from .checks.expectations import Expectations, sha256, sidecar_path, write_sidecar
from .checks.findings import ERROR, Finding, count, error
from .content import Campaign, find_campaigns, load_campaign
from .errors import InputError, PublicationError, UsageError, display_path
from .fileio import remove_leftovers, write_atomic
from .impose import PRINT_LAYOUTS
from .imprint import check_fit
from .localize import Localizer
from .presets import KINDS, PAPERS, SOURCE_LOCALE, Kind, Paper, Project
from .render import Imprint, RenderedHtml, publication_time, render
from .typeset import Typesetter

if TYPE_CHECKING:
    import weasyprint

LOG = logging.getLogger(__name__)

# Poster headline sizes to try, largest first, for an A3 sheet; other sizes scale with
# the paper's width. Below the last one, a headline that does not fit is an error.
HEADLINE_STEPS_A3 = (88.0, 78.0, 70.0, 62.0, 56.0, 50.0, 44.0)


@dataclass(frozen=True)
class Target:
    """One output file: a kind of publication at a size, for a campaign in a locale."""

    campaign: str
    locale: str
    kind: str
    size: str
    imprint: str | None = None  # the local group's slug, when built with --imprint

    def folder(self, output: Path) -> Path:
        base = output / self.campaign / self.locale
        return base / self.imprint if self.imprint else base

    def path(self, output: Path) -> Path:
        return self.folder(output) / f"{self.kind}-{self.size}.pdf"

    def print_path(self, output: Path) -> Path:
        """The print-shop file (PDF/X-4, bleed, marks) of a kind in PRINT_LAYOUTS."""
        return self.folder(output) / f"{self.kind}-{self.size}{press.PRINT_SUFFIX}"

    def __str__(self) -> str:
        group = f" [{self.imprint}]" if self.imprint else ""
        return f"{self.campaign}/{self.locale}/{self.kind}-{self.size}{group}"


@dataclass(frozen=True)
class Selection:
    """What to build; empty tuples mean 'all'."""

    campaigns: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildOptions:
    """How to build: parallelism, strictness and extra outputs."""

    jobs: int = 1
    force: bool = False
    write_html: bool = False
    strict: bool = False
    fail_fast: bool = False
    imprint: Imprint | None = None
    print_files: bool = False  # also <kind>-<size>-print.pdf for the kinds in PRINT_LAYOUTS


@dataclass(frozen=True)
class Outcome:
    """What happened to one target."""

    target: Target
    status: str  # "built", "skipped" or "failed"
    path: Path
    seconds: float = 0.0
    pages: int = 0
    messages: tuple[str, ...] = ()  # warnings for a built target, errors for a failed one
    checks: tuple[int, int] | None = None  # the gate's (errors, warnings); None: not checked


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
    campaigns = find_campaigns(project.content)
    for name in selection.campaigns:
        if name not in campaigns:
            raise UsageError(f"no campaign '{name}' in {project.content} (have: {', '.join(campaigns)})")
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
    targets = []
    for campaign in selection.campaigns or tuple(campaigns):
        for code in selection.locales or tuple(locales):
            for kind in (KINDS[k] for k in selection.kinds or tuple(KINDS)):
                for size in _sizes(kind, selection.sizes):
                    targets.append(Target(campaign, code, kind.name, size,
                                          imprint.slug if imprint else None))
    if not targets:
        raise UsageError("nothing to build: no kind is made at the sizes asked for")
    return targets


def _sizes(kind: Kind, asked: tuple[str, ...]) -> tuple[str, ...]:
    if not asked:
        return kind.sizes
    return tuple(s for s in asked if s in kind.sizes or s in kind.extra_sizes)


def build(
    project: Project, targets: list[Target], options: BuildOptions,
    progress: Callable[[Outcome, int, int], None] | None = None,
) -> BuildReport:
    """Build `targets`, in parallel when `options.jobs` > 1; never raises for one target."""
    remove_leftovers(project.output)
    report = BuildReport()
    results: dict[Target, Outcome] = {}

    def done(outcome: Outcome) -> None:
        results[outcome.target] = outcome
        if progress:
            progress(outcome, len(results), len(targets))

    if options.jobs <= 1 or len(targets) == 1:
        worker = Worker(project)
        for target in targets:
            done(worker.build(target, options))
            if options.fail_fast and results[target].status == "failed":
                break
    else:
        with ProcessPoolExecutor(max_workers=options.jobs, initializer=_init_worker,
                                 initargs=(project.root,)) as pool:
            futures = [pool.submit(_build_in_worker, target, options) for target in targets]
            for future in as_completed(futures):
                outcome = future.result()
                done(outcome)
                if options.fail_fast and outcome.status == "failed":
                    for other in futures:
                        other.cancel()
                    break
    report.outcomes = [results[t] for t in targets if t in results]
    return report


class GateFailed(PublicationError):
    """The accessibility and preflight checks found errors in a target (see publication.checks)."""

    def __init__(self, path: Path, findings: list[Finding], note: str = "") -> None:
        self.counts = count(findings)
        self.messages = [str(f) for f in findings] + ([note] if note else [])
        super().__init__(f"{display_path(path)}: " + "\n".join(self.messages))


_WORKER: Worker | None = None


def _init_worker(root: Path) -> None:
    global _WORKER
    _WORKER = Worker(Project(root))


def _build_in_worker(target: Target, options: BuildOptions) -> Outcome:
    assert _WORKER is not None
    return _WORKER.build(target, options)


class Worker:
    """Builds targets one at a time, keeping what it loaded for the next one."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.typesetter = Typesetter(project)

    @functools.cache  # noqa: B019 - one Worker per process; the cache lives as long as it
    def campaign(self, name: str) -> Campaign:
        return load_campaign(self.project.content / name)

    @functools.cache  # noqa: B019
    def catalog(self, code: str) -> CompiledCatalog:
        if code == SOURCE_LOCALE:
            return source_catalog()
        return compile_catalog(self.project, code)

    def build(self, target: Target, options: BuildOptions) -> Outcome:
        """Make one target's PDF; a problem becomes a failed Outcome, never an exception."""
        path = target.path(self.project.output)
        start = time.perf_counter()
        try:
            pages, warnings, checked = self._make(target, options, path)
        except InputError as exc:
            return Outcome(target, "failed", path, time.perf_counter() - start,
                           messages=tuple(str(p) for p in exc.problems))
        except GateFailed as exc:
            return Outcome(target, "failed", path, time.perf_counter() - start,
                           messages=tuple(exc.messages), checks=exc.counts)
        except PublicationError as exc:
            return Outcome(target, "failed", path, time.perf_counter() - start,
                           messages=(str(exc),))
        return Outcome(target, "built", path, time.perf_counter() - start, pages, warnings,
                       checked)

    def _make(
        self, target: Target, options: BuildOptions, path: Path,
    ) -> tuple[int, tuple[str, ...], tuple[int, int]]:
        campaign = self.campaign(target.campaign)
        catalog = self.catalog(target.locale)
        kind, paper = KINDS[target.kind], PAPERS[target.size]
        coverage = self.coverage(target.locale)  # before rendering: fonts cover every string
        if any(f.severity == ERROR for f in coverage):
            raise GateFailed(path, coverage)
        rendered, document = self._fit(campaign, catalog, kind, paper, options.imprint)
        po = str(self.project.po(target.locale).relative_to(self.project.root))
        warnings = tuple(f.describe(po) for f in rendered.fallbacks)
        if options.strict and warnings:
            raise PublicationError("--strict: untranslated or fuzzy messages:\n" + "\n".join(warnings))
        if options.write_html:
            write_atomic(path.with_suffix(".html"), rendered.html.encode("utf-8"))
        data, expectations, findings = self._gate(target, path, campaign, kind, paper, document,
                                                  options.imprint)
        if any(f.severity == ERROR for f in findings) or (options.strict and findings):
            # Like a refused catalogue, a refused file leaves the earlier one as it was.
            rejected = sidecar_path(path, self.project.output).parent / f"{path.stem}.rejected.pdf"
            write_atomic(rejected, data)
            raise GateFailed(path, findings, f"not written; the rejected file is kept for "
                                             f"inspection: {display_path(rejected)}")
        write_atomic(path, data)
        write_sidecar(path, self.project.output, expectations)
        if options.print_files and kind.name in PRINT_LAYOUTS:
            findings += self._print_file(target, campaign, catalog, kind, paper, document,
                                         options.imprint)
        return (len(document.pages), warnings + tuple(str(f) for f in coverage + findings),
                count(coverage + findings))

    def _print_file(
        self, target: Target, campaign: Campaign, catalog: CompiledCatalog, kind: Kind,
        paper: Paper, document: weasyprint.Document, imprint: Imprint | None,
    ) -> list[Finding]:
        """Write the print-shop file from the accessible file's typesetting (a leaflet's
        panels imposed) or a second one with the print stylesheet (a poster's bleed)."""
        layout = PRINT_LAYOUTS[kind.name]
        if layout.stylesheet:
            _, document = self._fit(campaign, catalog, kind, paper, imprint,
                                    extra_style=layout.stylesheet)
        path = target.print_path(self.project.output)
        findings = _overflows(display_path(path), document) if layout.stylesheet else []
        info = locale_info(target.locale)
        imposition = layout.make(paper, info.direction == "rtl")
        meta = press.print_meta(document.metadata.title or campaign.slug, kind.name, paper.name,
                                target.path(self.project.output).name, info.tag,
                                publication_time(campaign))
        data = press.print_file(self.typesetter.write(document, press.WEASYPRINT_VARIANT),
                                imposition, meta, str(target), self.project.fonts)
        findings += press.preflight(data, display_path(path), press.expect(imposition))
        if any(f.severity == ERROR for f in findings):
            raise GateFailed(path, findings, "the print-shop file was not written")
        write_atomic(path, data)
        return findings

    @functools.cache  # noqa: B019
    def coverage(self, code: str) -> list[Finding]:
        """Characters of the locale's strings its font stack lacks (checked once per locale)."""
        return font_checks.coverage(self.project, code)

    def _gate(
        self, target: Target, path: Path, campaign: Campaign, kind: Kind, paper: Paper,
        document: weasyprint.Document, imprint: Imprint | None,
    ) -> tuple[bytes, Expectations, list[Finding]]:
        """Write the accessible PDF, fix its tags, and run every check on it."""
        name = display_path(path)
        findings = _overflows(name, document)
        with tagging.recording() as record:
            data = self.typesetter.write(document)
        info = locale_info(target.locale)
        source_alts = None
        if info.code != SOURCE_LOCALE:
            # The same publication with the source texts: figures' untranslated alt text.
            source = render(self.project, campaign, Localizer(source_catalog(), info), kind,
                            paper, imprint=imprint)
            source_alts = tagging.figure_alts(source.html)
        tagged = tagging.fix(data, record, source_alts)
        expectations = Expectations(
            pdf_sha256=sha256(tagged.data), lang=info.tag, locale=info.code,
            source_locale=SOURCE_LOCALE, name=str(target), pages=_expected_pages(kind),
            page_size_mm=kind.page_size(paper),
            fonts=font_checks.stylesheet_families(self.project.styles),
            units=tagged.units, languages=tagged.languages, figures=tagged.figures)
        findings += checks.check_bytes(tagged.data, name, expectations)
        return tagged.data, expectations, findings

    def _fit(
        self, campaign: Campaign, catalog: CompiledCatalog, kind: Kind, paper: Paper,
        imprint: Imprint | None, extra_style: str | None = None,
    ) -> tuple[RenderedHtml, weasyprint.Document]:
        """Render and lay out, shrinking a poster's headline until the poster is one page."""
        info = locale_info(catalog.locale)
        steps = _headline_steps(paper) if kind.name == "poster" else (0.0,)
        for headline_pt in steps:
            rendered = render(self.project, campaign, Localizer(catalog, info), kind, paper,
                              imprint=imprint, headline_pt=headline_pt,
                              extra_style=extra_style)
            document = self.typesetter.layout(rendered.html)
            pages = len(document.pages)
            expected = _expected_pages(kind)
            if expected is None or pages == expected:
                if imprint is not None:
                    check_fit(document, imprint, f"{kind.name} ({paper.name}, {info.code})")
                return rendered, document
        spill = fit.spill_mm(document, expected or 1)
        if kind.name == "poster":
            headline = campaign.headline
            line = catalog.entry(headline.context, headline.source).line
            where = (f"{display_path(self.project.po(info.code))}:{line}: "
                     if line and info.code != SOURCE_LOCALE else "")
            raise PublicationError(
                f"{where}poster ({paper.name}, {info.code}) does not fit on one page even with "
                f"the headline at {steps[-1]:.0f} pt, the smallest allowed: the content runs "
                f"{spill:.1f} mm past the page; shorten message '{headline.context}' "
                f"({Localizer(catalog, info).text(headline).striptags()!r}) or the quote")
        raise PublicationError(
            f"{kind.name} ({paper.name}, {info.code}) does not fit: {pages} pages instead of "
            f"{expected}, {spill:.1f} mm of content past page {expected}; shorten the "
            "longest panel's text")


def _overflows(name: str, document: weasyprint.Document) -> list[Finding]:
    """Text that does not fit its box in a laid-out document, as errors."""
    return [error("fit.overflow", name, o.page, f"text {o}",
                  "shorten the text, or make the box bigger in the stylesheet")
            for o in fit.layout_overflow(document)]


def _headline_steps(paper: Paper) -> tuple[float, ...]:
    scale = paper.width / PAPERS["a3"].width
    return tuple(round(step * scale, 1) for step in HEADLINE_STEPS_A3)


def _expected_pages(kind: Kind) -> int | None:
    """The page count a kind must have: one poster page, six leaflet panels, one letter."""
    return {"poster": 1, "leaflet": kind.panels * 2, "letter": 1}.get(kind.name)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def summarize(report: BuildReport) -> Iterable[str]:
    """Lines for the end of a build: counts, then each failure with its reasons."""
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    yield ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing built"
    checked = [o.checks for o in report.outcomes if o.checks is not None]
    if checked:
        yield (f"accessibility and preflight checks: {len(checked)} PDF(s), "
               f"{sum(c[0] for c in checked)} error(s), {sum(c[1] for c in checked)} warning(s)")
    for outcome in report.failed:
        yield f"FAILED {outcome.target}:"
        for message in outcome.messages:
            yield f"  {message}"
