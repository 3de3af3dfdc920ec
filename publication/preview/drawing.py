"""One publication of the preview laid out and drawn, in the session's process or in one
of its drawing processes: plain data out (`Made`), so that it crosses processes.

Laying a publication out is WeasyPrint's Python work, bound to one core; the preview
lays out the publications a save changed in a pool of processes, one per core, each
with its own warm pipeline `Worker` (content, templates, stylesheets and fonts loaded
once). A process reads the catalogue itself (a compiled catalogue does not cross
processes); what it showed is what the session compares the next save with, so a file
saved again meanwhile is laid out again at the next refresh.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import multiprocessing.util
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from publication.build.pipeline import Worker
from publication.errors import InputError, PublicationError
from publication.i18n.catalog import compile_catalog, source_catalog
from publication.model import SOURCE_LOCALE, FitHint, Project, Target, usable_cores
from publication.preview.layouts import TargetLayout, job_for, lay_out
from publication.typeset import weasy

LONGEST_SIDE_PX = 1100  # a page picture's longer side


@dataclass(frozen=True)
class Made:
    """A publication laid out (its document left behind) and its pages drawn: those
    whose boxes moved, by page index; `problem`: why it could not be laid out."""

    laid: TargetLayout | None
    prints: tuple[str, ...] = ()                      # each page's fingerprint
    pictures: tuple[tuple[int, bytes], ...] = ()      # (page index, PNG) drawn again
    page_sizes: tuple[tuple[float, float], ...] = ()  # CSS px
    problem: str = ""


def make(worker: Worker, target: Target, code: str, headline_pt: float | None,
         old_prints: tuple[str, ...]) -> Made:
    """Lay `target` out with the locale's catalogue as the file is now and draw the
    pages whose fingerprints differ from `old_prints`. Problems are returned, not raised."""
    try:
        # As the file is now (a Worker keeps the catalogue it read first).
        catalog = source_catalog() if code == SOURCE_LOCALE else \
            compile_catalog(worker.project, code)
        job = job_for(worker, target, catalog)
        laid = lay_out(worker, job, FitHint(headline_pt=headline_pt) if headline_pt else None)
    except (InputError, PublicationError, OSError) as exc:
        return Made(None, problem=f"{target}: {exc}")
    document = laid.document
    prints = tuple(page_fingerprint(root) for root in weasy.page_boxes(document))
    redraw = [i for i, mark in enumerate(prints)
              if i >= len(old_prints) or old_prints[i] != mark]
    drawn = draw_pages(document.copy([document.pages[i] for i in redraw]).write_pdf()) \
        if redraw else []
    sizes = tuple((page.width, page.height) for page in document.pages)
    return Made(replace(laid, document=None), prints, tuple(zip(redraw, drawn, strict=True)),
                sizes)


def page_fingerprint(root: Any) -> str:
    """A digest of where every box of a laid-out page is and what text it draws: two
    pages with the same digest look the same."""
    digest = hashlib.sha256()
    for box in (root, *root.descendants()):
        box = weasy.unwrap(box)
        text = weasy.text(box) if weasy.is_text(box) else ""
        style = getattr(box, "style", None)
        colour = str(style["color"]) if style is not None else ""
        digest.update(f"{type(box).__name__}|{box.element_tag}|{box.position_x:.2f}|"
                      f"{box.position_y:.2f}|{box.width:.2f}|{box.height:.2f}|{colour}|"
                      f"{text}\n".encode())
    return digest.hexdigest()


def draw_pages(pdf: bytes) -> list[bytes]:
    """Each page of a PDF as a PNG picture (PDFium)."""
    document = pdfium.PdfDocument(pdf)
    try:
        pictures = []
        for page in document:
            width, height = page.get_size()
            bitmap = page.render(scale=LONGEST_SIDE_PX / max(width, height))
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, "PNG", compress_level=1)
            pictures.append(buffer.getvalue())
            page.close()
        return pictures
    finally:
        document.close()


# -- the drawing processes -------------------------------------------------------------

_WORKER: Worker | None = None  # a drawing process's own warm worker


def _start(root: str) -> None:
    global _WORKER
    _WORKER = Worker(Project(Path(root)), read_only=True)
    # The process ends without collecting it: the fonts' temporary copies go here.
    multiprocessing.util.Finalize(None, _WORKER.close, exitpriority=10)


def _make_there(target: Target, code: str, headline_pt: float | None,
                old_prints: tuple[str, ...]) -> Made:
    assert _WORKER is not None, "a drawing process starts with its worker"
    return make(_WORKER, target, code, headline_pt, old_prints)


def processes() -> int:
    """How many drawing processes: one per core this process may use, at most 4."""
    return max(1, min(4, usable_cores()))


class Painters:
    """The drawing processes of one session, each with the publications it lays out:
    always the same ones, so that each stays warm for its own (none on a single core:
    the session lays out in its own process). `close` ends them."""

    def __init__(self, project: Project, count: int | None = None) -> None:
        self.count = processes() if count is None else count
        # spawn, not fork: the session's process runs the HTTP threads.
        context = multiprocessing.get_context("spawn")
        self._pools = [ProcessPoolExecutor(1, mp_context=context, initializer=_start,
                                           initargs=(str(project.root),))
                       for _ in range(self.count)] if self.count > 1 else []

    @property
    def parallel(self) -> bool:
        return bool(self._pools)

    def submit(self, slot: int, target: Target, code: str, headline_pt: float | None,
               old_prints: tuple[str, ...]) -> Future[Made]:
        """Lay `target` out in process `slot` (modulo their number)."""
        return self._pools[slot % len(self._pools)].submit(
            _make_there, target, code, headline_pt, old_prints)

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=False, cancel_futures=True)
        self._pools = []
