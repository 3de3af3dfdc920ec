"""One target through every stage: content, catalogue, localize, render, typeset, tag and
check, print-shop file, thumbnails.

A `Worker` lives as long as its process (publication.build.pool) and keeps what it
loaded (content, catalogues, templates, stylesheets, fonts, QR codes) for the next
target. Each target's stages share one `Job`, looked up once, and the pipeline returns
what it made, the files it wrote among them, as plain data (`Made`, then an `Outcome`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from publication import checks
from publication.checks import fonts as font_checks
from publication.checks.expectations import Expectations, sha256, sidecar_path, write_sidecar
from publication.checks.findings import ERROR, Finding, count, error
from publication.errors import InputError, PublicationError, display_path
from publication.files import WriteFailed, write_atomic
from publication.i18n.catalog import CompiledCatalog, compile_catalog, source_catalog
from publication.i18n.locales import LocaleInfo, locale_info
from publication.i18n.localize import Localizer
from publication.kinds import KINDS, OFFICE_SUFFIX, PAPERS, Kind, Paper
from publication.model import (
    SOURCE_LOCALE,
    STANDARDS,
    BuildOptions,
    FitHint,
    Imprint,
    MessageKey,
    Outcome,
    Project,
    Target,
)
from publication.pdf.content import Box, Event
from publication.pdf.structure import PdfDocument
from publication.press import office
from publication.press import pdfx as press
from publication.press.colour import campaign_inks
from publication.press.figures import document_texts
from publication.press.impose import LAYOUTS
from publication.render.html import RenderedHtml, publication_time, render
from publication.report import index
from publication.source.content import Campaign, load_campaign
from publication.tagging import tags as tagging
from publication.tagging.alts import figure_alts
from publication.typeset import fit, weasy
from publication.typeset.fit import check_fit
from publication.typeset.typesetter import Typesetter

if TYPE_CHECKING:
    import weasyprint

LOG = logging.getLogger(__name__)
PT_PER_PX = 0.75  # a CSS pixel (1/96 in) in PDF points (1/72 in)


@dataclass(frozen=True)
class Job:
    """One target and what its stages need, looked up once."""

    target: Target
    path: Path                 # the accessible PDF
    campaign: Campaign
    catalog: CompiledCatalog
    info: LocaleInfo
    kind: Kind
    paper: Paper
    imprint: Imprint | None

    @property
    def where(self) -> str:
        """The publication, for messages: "leaflet (a4, de)"."""
        return f"{self.kind.name} ({self.paper.name}, {self.info.code})"


@dataclass(frozen=True)
class Made:
    """What one target's pipeline made."""

    pages: int
    warnings: tuple[str, ...]
    checks: tuple[int, int]           # the gate's (errors, warnings)
    used: frozenset[MessageKey]       # the catalogue messages it showed
    headline_pt: float                # a poster's headline size (0: none)
    written: tuple[Path, ...]         # every file it wrote, the PDF first
    too_tall: tuple[str, ...] = ()    # layouts found not to fit (FitHint.too_tall)


@dataclass
class _Placed:
    """What the press stage, placing the accessible file's pages on sheets, needs of what
    the gate read in those very bytes, kept when the gate reads them (`__call__`) rather
    than read again: what the pages in `bleeding` draw (their backgrounds are grown into
    the bleed: press.impose.bleed_fills) and, for an office sheet, each page's text (its
    figures' alternate texts: press.figures.page_texts). The same files, byte for byte."""

    bleeding: tuple[int, ...]
    office: bool
    drawn: dict[int, list[Event]] | None = None
    texts: list[str] | None = None

    def __call__(self, doc: PdfDocument) -> None:
        self.drawn = {n: doc.events(n) for n in self.bleeding if n < len(doc.pages)}
        if self.office:
            self.texts = document_texts(doc)


class GateFailed(PublicationError):
    """The accessibility and preflight checks found errors in a target (see publication.checks)."""

    def __init__(self, path: Path, findings: list[Finding], note: str = "") -> None:
        self.counts = count(findings)
        self.messages = [str(f) for f in findings] + ([note] if note else [])
        super().__init__(f"{display_path(path)}: " + "\n".join(self.messages))


class Worker:
    """Builds targets one at a time, keeping what it loaded for the next one."""

    def __init__(self, project: Project, layout_key: str = "", read_only: bool = False,
                 ) -> None:
        """`layout_key`: what the layouts of this build depend on besides their HTML
        (`cache.Inputs.layout_key`); "" trusts no `FitHint.too_tall`. `read_only`: for
        laying out only, writing nothing into the project (the preview: `Typesetter`)."""
        self.project = project
        self.typesetter = Typesetter(project, read_only)
        self.layout_key = layout_key

    def close(self) -> None:
        """Let go of what typesetting holds outside the process (the fonts' temporary
        copies): at the end of a build, before a worker process ends."""
        self.typesetter.close()

    def make(self, target: Target, hint: FitHint, options: BuildOptions) -> Outcome:
        """`build`, plus what the cache and the index need: the files the target wrote
        (checksums, page counts, thumbnails) and the messages it used. `hint`: what its
        last build learnt about fitting it (tried first)."""
        start = time.perf_counter()
        try:
            outcome, written = self.build(target, hint, options)
        except Exception as exc:  # a bug, but one target's: the others still get built
            LOG.debug("%s failed", target, exc_info=True)
            return Outcome(target, "failed", target.path(self.project.output),
                           time.perf_counter() - start,
                           messages=(f"internal error, please report it: "
                                     f"{type(exc).__name__}: {exc}",))
        if outcome.status != "built":
            return outcome
        products = index.describe(self.project.output, written, outcome.pages)
        return dataclasses.replace(outcome, products=products)

    @functools.cache  # noqa: B019 - one Worker per process; the cache lives as long as it
    def campaign(self, name: str) -> Campaign:
        return load_campaign(self.project.content / name)

    @functools.cache  # noqa: B019
    def catalog(self, code: str) -> CompiledCatalog:
        if code == SOURCE_LOCALE:
            return source_catalog()
        return compile_catalog(self.project, code)

    def build(self, target: Target, hint: FitHint, options: BuildOptions,
              ) -> tuple[Outcome, tuple[Path, ...]]:
        """Make one target's PDF; a problem becomes a failed Outcome, never an exception.
        Also returns the files written, the PDF first."""
        path = target.path(self.project.output)
        start = time.perf_counter()
        try:
            made = self._make(self.job(target, path, options), hint, options)
        except InputError as exc:
            return Outcome(target, "failed", path, time.perf_counter() - start,
                           messages=tuple(str(p) for p in exc.problems)), ()
        except GateFailed as exc:
            return Outcome(target, "failed", path, time.perf_counter() - start,
                           messages=tuple(exc.messages), checks=exc.counts), ()
        except (PublicationError, WriteFailed) as exc:  # WriteFailed: a full disk, not a bug
            return Outcome(target, "failed", path, time.perf_counter() - start,
                           messages=(str(exc),)), ()
        return Outcome(target, "built", path, time.perf_counter() - start, made.pages,
                       made.warnings, made.checks, used=made.used,
                       headline_pt=made.headline_pt, too_tall=made.too_tall), made.written

    def prepare(self, target: Target, options: BuildOptions, *, rendering: bool = True,
                ) -> None:
        """Read what making `target` starts with (its campaign, catalogue and the font
        coverage of its locale) and, with `rendering`, render it once (templates, QR
        code, locale data), all kept for the targets after it: a build does this before
        it forks workers that share it (publication.build.pool). A problem is left to
        the targets, which find it again (nothing failed is kept) and say it."""
        with contextlib.suppress(Exception):
            self.coverage(target.locale)
        with contextlib.suppress(Exception):
            job = self.job(target, target.path(self.project.output), options)
            if rendering:
                render(self.project, job.campaign, Localizer(job.catalog, job.info), job.kind,
                       job.paper, imprint=job.imprint,
                       headline_pt=job.kind.headline_steps(job.paper)[0])

    def job(self, target: Target, path: Path, options: BuildOptions) -> Job:
        """The target with its campaign, catalogue, locale, kind and paper."""
        return Job(target, path, self.campaign(target.campaign), self.catalog(target.locale),
                   locale_info(target.locale), KINDS[target.kind], PAPERS[target.size],
                   options.imprint)

    def _make(self, job: Job, hint: FitHint, options: BuildOptions) -> Made:
        path = job.path
        coverage = self.coverage(job.info.code)  # before rendering: fonts cover every string
        if any(f.severity == ERROR for f in coverage):
            raise GateFailed(path, coverage)
        rendered, document, headline_pt, too_tall = self._fit(job, hint)
        po = str(self.project.po(job.info.code).relative_to(self.project.root))
        warnings = tuple(f.describe(po) for f in rendered.fallbacks)
        if options.strict and warnings:
            raise PublicationError("--strict: untranslated or fuzzy messages:\n"
                                   + "\n".join(warnings))
        written = []
        if options.write_html:
            write_atomic(path.with_suffix(".html"), rendered.html.encode("utf-8"))
            written.append(path.with_suffix(".html"))
        placed = _Placed(
            tuple(n for n in range(len(document.pages)) if job.kind.bleeds(n))
            if options.print_files and job.kind.print_layout else (),
            bool(options.print_files and job.kind.office_layout))
        data, expectations, findings = self._gate(job, document, options.standard, placed)
        if any(f.severity == ERROR for f in findings) or (options.strict and findings):
            # Like a refused catalogue, a refused file leaves the earlier one as it was.
            rejected = sidecar_path(path, self.project.output).parent / f"{path.stem}.rejected.pdf"
            write_atomic(rejected, data)
            # With its expectations, so that `check` on it finds what the build found.
            write_sidecar(rejected, self.project.output, expectations)
            raise GateFailed(path, findings, f"not written; the rejected file is kept for "
                                             f"inspection: {display_path(rejected)}")
        write_atomic(path, data)
        written.append(path)
        written.append(write_sidecar(path, self.project.output, expectations))
        if options.print_files and job.kind.print_layout:
            print_findings, print_path = self._print_file(job, document, data, placed.drawn)
            findings += print_findings
            written.append(print_path)
        if options.print_files and job.kind.office_layout:
            findings += self._office_file(job, document, data, placed.texts)
            written.append(office_path(path))
        # The PDF first: the cache and the index read it as the target's main product.
        written.remove(path)
        return Made(len(document.pages), warnings + tuple(str(f) for f in coverage + findings),
                    count(coverage + findings), rendered.used, headline_pt,
                    (path, *written), too_tall)

    def _print_file(self, job: Job, document: weasyprint.Document, accessible: bytes,
                    drawn: dict[int, list[Event]] | None = None,
                    ) -> tuple[list[Finding], Path]:
        """Write the print-shop file from the accessible file's pages: a leaflet's panels
        imposed, a poster's page imposed, with their backgrounds run into the bleed
        (`finish` drops the tags).

        A kind with a print stylesheet (press.css) has backgrounds that run into the bleed
        where they reach the page margin (the poster's bands, the leaflet's cover) on the
        pages its `bleed_pages` names. Rather than typesetting
        the page again with that stylesheet (a second layout and PDF), the imposition
        grows them on the accessible file's page, found from its layout's page area
        (`page_areas`): the same sheet, as tests/test_press.py checks."""
        kind, target = job.kind, job.target
        path = target.print_path(self.project.output)
        assert kind.print_layout is not None  # the caller asked only for kinds that have one
        imposition = LAYOUTS[kind.print_layout](job.paper, job.info.direction == "rtl")
        meta = press.print_meta(document.metadata.title or job.campaign.slug, kind.name,
                                job.paper.name, job.path.name, job.info.tag,
                                publication_time(job.campaign))
        areas = {n: area for n, area in page_areas(document).items() if kind.bleeds(n)}
        data = press.print_file(accessible, imposition, meta, str(target), self.project.fonts,
                                areas=areas, inks=campaign_inks(job.campaign.colours),
                                drawn=drawn)
        findings = press.preflight(data, display_path(path), press.expect(imposition))
        if any(f.severity == ERROR for f in findings):
            raise GateFailed(path, findings, "the print-shop file was not written")
        write_atomic(path, data)
        return findings, path

    def _office_file(self, job: Job, document: weasyprint.Document, accessible: bytes,
                     texts: list[str] | None = None) -> list[Finding]:
        """Write the office sheet (press.office) from the accessible file's pages."""
        assert job.kind.office_layout is not None
        path = office_path(job.path)
        imposition = LAYOUTS[job.kind.office_layout](job.paper, job.info.direction == "rtl")
        meta = office.office_meta(document.metadata.title or job.campaign.slug, job.paper.name,
                                  job.path.name, job.info.tag, publication_time(job.campaign))
        data = office.office_file(accessible, imposition, meta, self.project.fonts, texts)
        findings = office.check_office(data, display_path(path), imposition)
        if any(f.severity == ERROR for f in findings):
            raise GateFailed(path, findings, "the office sheet was not written")
        write_atomic(path, data)
        return findings

    @functools.cached_property
    def font_families(self) -> tuple[str, ...]:
        """The font families the stylesheets declare (read once per worker)."""
        return font_checks.stylesheet_families(self.project)

    @functools.cache  # noqa: B019
    def coverage(self, code: str) -> list[Finding]:
        """Characters of the locale's strings its font stack lacks (checked once per locale)."""
        return font_checks.coverage(self.project, code)

    def _gate(self, job: Job, document: weasyprint.Document, standard: str = STANDARDS[0],
              placed: _Placed | None = None) -> tuple[bytes, Expectations, list[Finding]]:
        """Write the accessible PDF (PDF/UA part `standard`: model.STANDARDS), fix its
        tags, and run every check on it; what the checks read that `placed` asks for is
        kept there."""
        name = display_path(job.path)
        findings = _overflows(name, document)
        with tagging.recording() as record:
            data = self.typesetter.write(document, f"pdf/{standard}")
        info = job.info
        source_alts = None
        if info.code != SOURCE_LOCALE and record.has_figures:
            # The same publication with the source texts: figures' untranslated alt text.
            source = render(self.project, job.campaign, Localizer(source_catalog(), info),
                            job.kind, job.paper, imprint=job.imprint)
            source_alts = figure_alts(source.html)
        tagged = tagging.fix(data, record, source_alts, standard)
        expectations = Expectations(
            pdf_sha256=sha256(tagged.data), lang=info.tag, locale=info.code,
            source_locale=SOURCE_LOCALE, name=str(job.target), pages=job.kind.pages,
            page_size_mm=job.kind.page_size(job.paper),
            fonts=self.font_families,
            units=tagged.units, languages=tagged.languages, figures=tagged.figures)
        findings += checks.check_bytes(tagged.data, name, expectations, placed)
        return tagged.data, expectations, findings

    def fit(self, job: Job, last: FitHint | None = None,
            ) -> tuple[RenderedHtml, weasyprint.Document, float, tuple[str, ...]]:
        """The layout a build of `job` prints, found as `build` finds it (for the
        preview and `status --room`, publication.preview); PublicationError when none
        fits."""
        return self._fit(job, last)

    def _fit(self, job: Job, last: FitHint | None = None,
             ) -> tuple[RenderedHtml, weasyprint.Document, float, tuple[str, ...]]:
        """Render and lay out, shrinking a poster's headline until the poster is one page;
        the headline size used is returned (0: none), with the digests of the layouts
        that did not fit (`FitHint.too_tall`).

        The size is the largest step that fits. The size the last build settled on is
        tried first: when it fits and the step above does not, that is the answer in two
        layouts instead of one per step from the top (a smaller headline never takes
        more room, so the steps above do not fit either); and one layout when the step
        above is the very HTML the last build found too tall.
        """
        last = last or FitHint()
        campaign, catalog, info = job.campaign, job.catalog, job.info
        kind, paper, imprint = job.kind, job.paper, job.imprint
        steps = kind.headline_steps(paper)
        expected = kind.pages
        laid: dict[int, tuple[RenderedHtml, weasyprint.Document | None, bool]] = {}
        too_tall: list[str] = []

        def lay_out(index: int) -> bool:
            if index not in laid:
                rendered = render(self.project, campaign, Localizer(catalog, info), kind,
                                  paper, imprint=imprint, headline_pt=steps[index])
                digest = sha256(f"{self.layout_key}\0{rendered.html}".encode()) \
                    if self.layout_key else ""
                if digest and digest in last.too_tall:
                    laid[index] = (rendered, None, False)
                else:
                    document = self.typesetter.layout(rendered.html)
                    laid[index] = (rendered, document,
                                   expected is None or len(document.pages) == expected)
                if digest and not laid[index][2]:
                    too_tall.append(digest)
            return laid[index][2]

        hint = steps.index(last.headline_pt) if last.headline_pt in steps else 0
        if hint and lay_out(hint) and not lay_out(hint - 1):
            found: int | None = hint
        else:
            begin = hint + 1 if hint and not lay_out(hint) else 0
            found = next((i for i in range(begin, len(steps)) if lay_out(i)), None)
        if found is not None:
            rendered, document, _ = laid[found]
            assert document is not None  # only a layout that fits is ever skipped
            if imprint is not None:
                check_fit(document, imprint, job.where)
            return rendered, document, steps[found], tuple(too_tall)
        rendered, document, _ = laid[len(steps) - 1]
        if document is None:  # known not to fit; laid out to say by how much
            document = self.typesetter.layout(rendered.html)
        pages = len(document.pages)
        spill = fit.spill_mm(document, expected or 1)
        if imprint is not None:
            alone = render(self.project, campaign, Localizer(catalog, info), kind, paper,
                           headline_pt=steps[-1])
            if len(self.typesetter.layout(alone.html).pages) == (expected or 1):
                raise fit.crowded(imprint, job.where, spill)
        if kind.headline_steps_a3:
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
            f"{job.where} does not fit: {pages} pages instead of "
            f"{expected}, {spill:.1f} mm of content past page {expected}; shorten the "
            "longest panel's text")


def page_areas(document: weasyprint.Document) -> dict[int, Box]:
    """Each page's area (inside its margins) in the PDF's coordinates: points, from the
    bottom left corner."""
    areas = {}
    for number, (page, root) in enumerate(zip(document.pages, weasy.page_boxes(document),
                                             strict=True)):
        x, top = root.content_box_x(), root.content_box_y()
        areas[number] = (x * PT_PER_PX, (page.height - top - root.height) * PT_PER_PX,
                        (x + root.width) * PT_PER_PX, (page.height - top) * PT_PER_PX)
    return areas


def office_path(accessible: Path) -> Path:
    """The office sheet beside its accessible file: leaflet-a4.pdf, leaflet-a4-office.pdf."""
    return accessible.with_name(accessible.stem + OFFICE_SUFFIX)


def _overflows(name: str, document: weasyprint.Document) -> list[Finding]:
    """Text that does not fit its box in a laid-out document, as errors."""
    return [error("fit.overflow", name, o.page, f"text {o}",
                  "shorten the text, or make the box bigger in the stylesheet")
            for o in fit.layout_overflow(document)]
