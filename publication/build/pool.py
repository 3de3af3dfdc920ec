"""Making targets: every stage in order, in processes that keep what they loaded.

A `Worker` takes one target through the stages (content, catalogue, localize, render,
typeset, tag and check, print-shop file) and keeps its loaded content, catalogues,
templates, stylesheets and fonts for the next target. `run` hands targets to one
Worker, or to a pool of worker processes forked from the build (so they start with
everything imported), slowest first, and yields each outcome as it finishes, with the
files the target wrote (`fileio.recording`) and the catalogue messages it showed, for
the cache and the index.

`publication.build.builder` imports this module only when something has to be built: a build
with nothing to do never loads WeasyPrint.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import gc
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import TYPE_CHECKING

from publication import checks
from publication.build import cache
from publication.checks import fonts as font_checks
from publication.checks.expectations import Expectations, sha256, sidecar_path, write_sidecar
from publication.checks.findings import ERROR, Finding, count, error
from publication.errors import InputError, PublicationError, display_path
from publication.files import recording, write_atomic
from publication.i18n.catalog import CompiledCatalog, compile_catalog, locale_info, source_catalog
from publication.i18n.localize import Localizer
from publication.kinds import KINDS, PAPERS, Kind, Paper
from publication.model import (
    SOURCE_LOCALE,
    BuildOptions,
    Imprint,
    MessageKey,
    Outcome,
    Project,
    Record,
    Target,
)
from publication.press import pdfx as press
from publication.press.impose import LAYOUTS
from publication.render.html import RenderedHtml, publication_time, render
from publication.report import index
from publication.source.content import Campaign, load_campaign
from publication.tagging import tags as tagging
from publication.typeset import fit
from publication.typeset.fit import check_fit
from publication.typeset.typesetter import Typesetter

if TYPE_CHECKING:
    import weasyprint

LOG = logging.getLogger(__name__)

# Poster headline sizes to try, largest first, for an A3 sheet; other sizes scale with
# the paper's width. Below the last one, a headline that does not fit is an error.
PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent dies
GC_THRESHOLD = (100_000, 50, 100)


def run(
    project: Project, targets: Mapping[Target, Record | None], options: BuildOptions,
    started: Callable[[Target], None] | None = None,
) -> Generator[Outcome, None, None]:
    """Build `targets` and yield each outcome as it finishes; each target comes with its
    last build's record (or None), which says how long it took (the slowest go first)
    and, for a poster, the headline size to try first.

    With `options.jobs` > 1, in that many worker processes, each taking a whole batch
    (see `batches`); `started` is told when a target starts. Closing the iterator early
    (fail-fast) cancels the batches that have not started.
    """
    def order(target: Target) -> float:
        return cache.expected_seconds(target, targets[target])

    def with_hint(target: Target) -> tuple[Target, float]:
        record = targets[target]
        return target, record.headline_pt if record is not None else 0.0

    queue = sorted(targets, key=order, reverse=True)
    if options.jobs <= 1 or len(queue) == 1:
        worker = Worker(project)
        with _batch_gc():
            for target in queue:
                if started:
                    started(target)
                yield worker.make(*with_hint(target), options)
        return
    context = multiprocessing.get_context("fork")  # workers inherit the loaded modules
    events: SimpleQueue[tuple[str, Target | Outcome]] = context.SimpleQueue()
    stop = context.Event()  # set when the build stops early: no new target is started
    work = batches(queue, options.jobs, order)
    pool = ProcessPoolExecutor(max_workers=min(options.jobs, len(work)), mp_context=context,
                               initializer=_init_worker, initargs=(project.root, events, stop))
    futures: set[Future[None]] = set()
    try:
        # What the workers inherit is set aside from the collector before they are forked,
        # so that no collection in a worker writes to (and so copies) the inherited pages
        # (https://docs.python.org/3/library/gc.html#gc.freeze). The pool forks them all
        # at the first submit.
        gc.freeze()
        try:
            futures = {pool.submit(_make_in_worker, [with_hint(t) for t in batch], options)
                       for batch in work}
        finally:
            gc.unfreeze()
        pending = futures
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()  # a worker that died raises here
            for what, item in _drain(events):
                if what == "started" and started:
                    assert isinstance(item, Target)
                    started(item)
                elif what == "done":
                    assert isinstance(item, Outcome)
                    yield item
    finally:
        # Stopped early (fail-fast, Ctrl-C, an error): no batch or target starts; the
        # targets being made finish, their news read so that no worker waits to send it.
        stop.set()
        for future in futures:
            future.cancel()
        while not all(future.done() for future in futures):
            wait(futures, timeout=0.1)
            list(_drain(events))
        pool.shutdown(wait=True)
        events.close()


def _drain(events: SimpleQueue[tuple[str, Target | Outcome]],
           ) -> Iterator[tuple[str, Target | Outcome]]:
    while not events.empty():
        yield events.get()


def batches(queue: list[Target], jobs: int, order: Callable[[Target], float],
            ) -> list[list[Target]]:
    """`queue` cut into batches for `jobs` workers, the largest (by `order`) first.

    A worker building several outputs of one locale reuses what the first one loaded
    and shaped (the catalogue, its fonts, QR codes, text runs); spreading a locale over
    every worker cost about 8 % more processor time. So each locale is one batch when
    there are at least two locales per worker, which keeps the last batches small
    enough to even out the workers; else each (locale, kind) is one, or each target.
    """
    locales = {t.locale for t in queue}
    kinds = {(t.locale, t.kind) for t in queue}
    key: Callable[[Target], object]
    if len(locales) >= 2 * jobs:
        key = lambda t: t.locale  # noqa: E731
    elif len(kinds) >= 2 * jobs:
        key = lambda t: (t.locale, t.kind)  # noqa: E731
    else:
        key = lambda t: t  # noqa: E731
    groups: dict[object, list[Target]] = {}
    for target in queue:  # already in `order`, highest first
        groups.setdefault(key(target), []).append(target)
    return sorted(groups.values(), key=lambda batch: sum(map(order, batch)), reverse=True)


@contextlib.contextmanager
def _batch_gc() -> Iterator[None]:
    """Fewer garbage collections while making documents: what is loaded is set aside
    (`gc.freeze`) and the youngest generation is collected every 100,000 allocations
    instead of 700. A laid-out document is a large graph of boxes; collecting it less
    often saves about 8 % of a build for a few MB more memory."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


_WORKER: Worker | None = None
_EVENTS: SimpleQueue[tuple[str, Target | Outcome]] | None = None
_STOP: EventType | None = None


def _init_worker(root: Path, events: SimpleQueue[tuple[str, Target | Outcome]],
                 stop: EventType) -> None:
    global _WORKER, _EVENTS, _STOP
    parent = os.getppid()
    # Linux: die with the build, so that a killed build leaves no worker writing.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)
    _WORKER = Worker(Project(root))
    _EVENTS = events
    _STOP = stop
    _batch_gc().__enter__()  # for the life of the worker process


def _make_in_worker(batch: list[tuple[Target, float]], options: BuildOptions) -> None:
    """Make a batch's targets (each with its headline size to try first) in order,
    telling the build of each start and outcome."""
    assert _WORKER is not None and _EVENTS is not None and _STOP is not None
    for target, headline_pt in batch:
        if _STOP.is_set():
            return
        _EVENTS.put(("started", target))
        _EVENTS.put(("done", _WORKER.make(target, headline_pt, options)))


class GateFailed(PublicationError):
    """The accessibility and preflight checks found errors in a target (see publication.checks)."""

    def __init__(self, path: Path, findings: list[Finding], note: str = "") -> None:
        self.counts = count(findings)
        self.messages = [str(f) for f in findings] + ([note] if note else [])
        super().__init__(f"{display_path(path)}: " + "\n".join(self.messages))


class Worker:
    """Builds targets one at a time, keeping what it loaded for the next one."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.typesetter = Typesetter(project)

    def make(self, target: Target, last_headline_pt: float, options: BuildOptions) -> Outcome:
        """`build`, plus what the cache and the index need: the files the target wrote
        (checksums, page counts, thumbnails) and the messages it used.
        `last_headline_pt`: the poster headline size its last build settled on (0: none),
        tried first."""
        start = time.perf_counter()
        with recording() as written:
            try:
                outcome = self.build(target, last_headline_pt, options)
            except Exception as exc:  # a bug, but one target's: the others still get built
                LOG.debug("%s failed", target, exc_info=True)
                return Outcome(target, "failed", target.path(self.project.output),
                               time.perf_counter() - start,
                               messages=(f"internal error, please report it: "
                                         f"{type(exc).__name__}: {exc}",))
        if outcome.status != "built":
            return outcome
        products = index.describe(self.project.output, [outcome.path, *written], outcome.pages)
        return dataclasses.replace(outcome, products=products)

    @functools.cache  # noqa: B019 - one Worker per process; the cache lives as long as it
    def campaign(self, name: str) -> Campaign:
        return load_campaign(self.project.content / name)

    @functools.cache  # noqa: B019
    def catalog(self, code: str) -> CompiledCatalog:
        if code == SOURCE_LOCALE:
            return source_catalog()
        return compile_catalog(self.project, code)

    def build(self, target: Target, last_headline_pt: float, options: BuildOptions) -> Outcome:
        """Make one target's PDF; a problem becomes a failed Outcome, never an exception."""
        path = target.path(self.project.output)
        start = time.perf_counter()
        try:
            pages, warnings, checked, used, headline_pt = self._make(target, last_headline_pt,
                                                                     options, path)
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
                       checked, used=used, headline_pt=headline_pt)

    def _make(
        self, target: Target, last_headline_pt: float, options: BuildOptions, path: Path,
    ) -> tuple[int, tuple[str, ...], tuple[int, int], frozenset[MessageKey], float]:
        campaign = self.campaign(target.campaign)
        catalog = self.catalog(target.locale)
        kind, paper = KINDS[target.kind], PAPERS[target.size]
        coverage = self.coverage(target.locale)  # before rendering: fonts cover every string
        if any(f.severity == ERROR for f in coverage):
            raise GateFailed(path, coverage)
        rendered, document, headline_pt = self._fit(campaign, catalog, kind, paper,
                                                     options.imprint, first_pt=last_headline_pt)
        po = str(self.project.po(target.locale).relative_to(self.project.root))
        warnings = tuple(f.describe(po) for f in rendered.fallbacks)
        if options.strict and warnings:
            raise PublicationError("--strict: untranslated or fuzzy messages:\n"
                                   + "\n".join(warnings))
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
        if options.print_files and kind.print_layout:
            findings += self._print_file(target, campaign, catalog, kind, paper, document,
                                         data, options.imprint, headline_pt)
        return (len(document.pages), warnings + tuple(str(f) for f in coverage + findings),
                count(coverage + findings), rendered.used, headline_pt)

    def _print_file(
        self, target: Target, campaign: Campaign, catalog: CompiledCatalog, kind: Kind,
        paper: Paper, document: weasyprint.Document, accessible: bytes,
        imprint: Imprint | None, headline_pt: float,
    ) -> list[Finding]:
        """Write the print-shop file from the accessible file's pages (a leaflet's panels
        imposed: `finish` drops the tags) or from a second typesetting with the print
        stylesheet (a poster's bleed, with the accessible poster's headline size, or a
        smaller one if that does not fit)."""
        typeset = accessible
        if kind.print_stylesheet:
            _, document, _ = self._fit(campaign, catalog, kind, paper, imprint,
                                       extra_style=kind.print_stylesheet, largest_pt=headline_pt)
            typeset = self.typesetter.write(document, press.WEASYPRINT_VARIANT)
        path = target.print_path(self.project.output)
        findings = _overflows(display_path(path), document) if kind.print_stylesheet else []
        info = locale_info(target.locale)
        assert kind.print_layout is not None  # the caller asked only for kinds that have one
        imposition = LAYOUTS[kind.print_layout](paper, info.direction == "rtl")
        meta = press.print_meta(document.metadata.title or campaign.slug, kind.name, paper.name,
                                target.path(self.project.output).name, info.tag,
                                publication_time(campaign))
        data = press.print_file(typeset, imposition, meta, str(target), self.project.fonts)
        findings += press.preflight(data, display_path(path), press.expect(imposition))
        if any(f.severity == ERROR for f in findings):
            raise GateFailed(path, findings, "the print-shop file was not written")
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
            source_locale=SOURCE_LOCALE, name=str(target), pages=kind.pages,
            page_size_mm=kind.page_size(paper),
            fonts=self.font_families,
            units=tagged.units, languages=tagged.languages, figures=tagged.figures)
        findings += checks.check_bytes(tagged.data, name, expectations)
        return tagged.data, expectations, findings

    def _fit(
        self, campaign: Campaign, catalog: CompiledCatalog, kind: Kind, paper: Paper,
        imprint: Imprint | None, extra_style: str | None = None, largest_pt: float = 0.0,
        first_pt: float = 0.0,
    ) -> tuple[RenderedHtml, weasyprint.Document, float]:
        """Render and lay out, shrinking a poster's headline until the poster is one page
        (from `largest_pt` when given); the headline size used is returned (0: none).

        The size is the largest step that fits. `first_pt`, the size the last build
        settled on, is tried first: when it fits and the step above does not, that is
        the answer in two layouts instead of one per step from the top (a smaller
        headline never takes more room, so the steps above do not fit either).
        """
        info = locale_info(catalog.locale)
        steps = kind.headline_steps(paper)
        if largest_pt:
            steps = tuple(step for step in steps if step <= largest_pt) or steps[-1:]
        expected = kind.pages
        laid: dict[int, tuple[RenderedHtml, weasyprint.Document, bool]] = {}

        def lay_out(index: int) -> bool:
            if index not in laid:
                rendered = render(self.project, campaign, Localizer(catalog, info), kind,
                                  paper, imprint=imprint, headline_pt=steps[index],
                                  extra_style=extra_style)
                document = self.typesetter.layout(rendered.html)
                laid[index] = (rendered, document,
                               expected is None or len(document.pages) == expected)
            return laid[index][2]

        hint = steps.index(first_pt) if first_pt in steps else 0
        if hint and lay_out(hint) and not lay_out(hint - 1):
            found: int | None = hint
        else:
            begin = hint + 1 if hint and not lay_out(hint) else 0
            found = next((i for i in range(begin, len(steps)) if lay_out(i)), None)
        if found is not None:
            rendered, document, _ = laid[found]
            if imprint is not None:
                check_fit(document, imprint, f"{kind.name} ({paper.name}, {info.code})")
            return rendered, document, steps[found]
        _, document, _ = laid[len(steps) - 1]
        pages = len(document.pages)
        spill = fit.spill_mm(document, expected or 1)
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
            f"{kind.name} ({paper.name}, {info.code}) does not fit: {pages} pages instead of "
            f"{expected}, {spill:.1f} mm of content past page {expected}; shorten the "
            "longest panel's text")


def _overflows(name: str, document: weasyprint.Document) -> list[Finding]:
    """Text that does not fit its box in a laid-out document, as errors."""
    return [error("fit.overflow", name, o.page, f"text {o}",
                  "shorten the text, or make the box bigger in the stylesheet")
            for o in fit.layout_overflow(document)]
