"""The preview's warm state: every publication of one locale as page pictures, with
each message's place, state and room, remade after each save.

A `Session` keeps one pipeline `Worker` (content, templates, parsed stylesheets and
fonts stay loaded) and the last good pictures. After a save it reads the catalogue
again; a catalogue with problems leaves every picture as it was and shows the problems
(`messages.po:LINE: ...`), and so does a file caught half-written. Otherwise only the
publications whose shown messages changed are laid out again (as a build lays them
out, publication.preview.layouts), and of those only the pages whose boxes moved are
written and drawn again (PDFium). Nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium

from publication.build.builder import plan
from publication.build.pipeline import Worker
from publication.errors import InputError, PublicationError, display_path
from publication.i18n.catalog import CompiledCatalog, compile_catalog
from publication.kinds import KINDS, PAPERS
from publication.model import FitHint, MessageKey, Project, Selection, Target
from publication.preview.layouts import TargetLayout, job_for, lay_out
from publication.typeset import weasy

LOG = logging.getLogger(__name__)
LONGEST_SIDE_PX = 1100  # a page picture's longer side


@dataclass
class Picture:
    """One page drawn: its PNG and the version it was drawn at."""

    png: bytes
    version: int
    fingerprint: str


@dataclass
class Output:
    """One publication of the locale as the page shows it."""

    target: Target
    laid: TargetLayout
    pictures: list[Picture]
    page_sizes: list[tuple[float, float]]  # CSS px

    @property
    def ident(self) -> str:
        return f"{self.target.campaign}-{self.target.kind}-{self.target.size}"


@dataclass
class Session:
    """The preview of locale `code`: call `refresh` after each save."""

    project: Project
    code: str
    worker: Worker = field(init=False)
    outputs: dict[str, Output] = field(default_factory=dict)
    catalog: CompiledCatalog | None = None
    errors: list[str] = field(default_factory=list)
    version: int = 0
    busy: bool = True
    changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.worker = Worker(self.project)

    def targets(self) -> list[Target]:
        """The locale's publications, quickest first (the first pictures come soonest)."""
        found = plan(self.project, Selection(locales=(self.code,)))
        return sorted(found, key=lambda t: (KINDS[t.kind].seconds, t.kind, t.size))

    def reload(self) -> None:
        """Content, templates or styles changed: a new worker reads them again. The
        outputs are cleared under the lock the HTTP threads read them with."""
        worker = Worker(self.project)
        with self.changed:
            self.worker = worker
            self.outputs.clear()
            self.version += 1
            self.changed.notify_all()

    def refresh(self, on_output: Callable[[], None] | None = None) -> None:
        """Read the catalogue and remake what changed; never raises (problems are
        shown in the page, and the last good pictures stay)."""
        try:
            self._refresh()
        except Exception as exc:  # a bug or a file in an editor's hands: the server lives
            LOG.debug("preview refresh failed", exc_info=True)
            self._publish(errors=[f"could not update the preview: {type(exc).__name__}: {exc}"])
        finally:
            self._publish(busy=False)

    def _refresh(self) -> None:
        try:
            catalog = compile_catalog(self.project, self.code)
        except InputError as exc:
            self._publish(errors=[str(p) for p in exc.problems])
            return
        except OSError as exc:  # renamed away mid-save: the next poll sees the new file
            self._publish(errors=[f"{display_path(self.project.po(self.code))}: cannot be "
                                  f"read now ({exc.strerror}); waiting for the next save"])
            return
        self._publish(busy=True, catalog=catalog, errors=[])
        problems = []
        for target in self.targets():
            key = str(target)
            old = self.outputs.get(key)
            job = job_for(self.worker, target, catalog)
            if old is not None and self._same(old, job):
                continue
            try:
                laid = lay_out(self.worker, job,
                               FitHint(headline_pt=old.laid.headline_pt) if old else None)
            except PublicationError as exc:
                problems.append(f"{target}: {exc}")
                continue
            if laid.problem:
                problems.append(laid.problem)
            self._publish(output=self._draw(target, laid, old))
        self._publish(errors=problems)

    def _same(self, old: Output, job: Any) -> bool:
        """Whether every message the output shows is shown as before."""
        from publication.i18n.localize import Localizer
        from publication.preview.places import shown_messages

        now = shown_messages(job.campaign, Localizer(job.catalog, job.info), old.laid.used)
        return now == old.laid.shown

    def _draw(self, target: Target, laid: TargetLayout, old: Output | None) -> Output:
        """The output's pictures: the pages whose boxes did not move are kept."""
        document = laid.document
        prints = [page_fingerprint(root) for root in weasy.page_boxes(document)]
        keep = old.pictures if old else []
        redraw = [i for i, mark in enumerate(prints)
                  if i >= len(keep) or keep[i].fingerprint != mark]
        pictures = list(keep[:len(prints)])
        if redraw:
            version = self.version + 1
            drawn = draw_pages(document.copy([document.pages[i] for i in redraw]).write_pdf())
            for number, png in zip(redraw, drawn, strict=True):
                picture = Picture(png, version, prints[number])
                if number < len(pictures):
                    pictures[number] = picture
                else:
                    pictures.append(picture)
        sizes = [(page.width, page.height) for page in document.pages]
        return Output(target, laid, pictures, sizes)

    def _publish(self, *, output: Output | None = None, errors: list[str] | None = None,
                 catalog: CompiledCatalog | None = None, busy: bool | None = None) -> None:
        with self.changed:
            if output is not None:
                self.outputs[str(output.target)] = output
            if errors is not None:
                self.errors = errors
            if catalog is not None:
                self.catalog = catalog
            if busy is not None:
                self.busy = busy
            self.version += 1
            self.changed.notify_all()

    def wait(self, after: int, timeout: float) -> None:
        """Return when the version is past `after`, or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.version <= after and (left := deadline - time.monotonic()) > 0:
                self.changed.wait(left)

    def picture(self, ident: str, page: int) -> bytes | None:
        with self.changed:
            for output in self.outputs.values():
                if output.ident == ident and 0 <= page < len(output.pictures):
                    return output.pictures[page].png
        return None

    def state(self) -> dict[str, Any]:
        """What the page shows, as JSON: the outputs, the messages, the problems."""
        with self.changed:
            outputs = sorted(self.outputs.values(),
                             key=lambda o: (list(KINDS).index(o.target.kind), o.target.size))
            catalog = self.catalog
            messages: dict[MessageKey, dict[str, Any]] = {}
            for output in outputs:
                for key, placement in output.laid.placements.items():
                    entry = catalog.entry(key[0], key[1]) if catalog else None
                    item = messages.setdefault(key, {
                        "context": key[0], "msgid": key[1],
                        "line": entry.line if entry else 0,
                        "state": entry.state if entry else "untranslated",
                        "text": output.laid.shown.get(key, key[1]),
                        "rooms": [], "places": []})
                    if placement.room is not None:
                        item["rooms"].append(placement.room.describe())
                    width_height = output.page_sizes
                    item["places"] += [
                        {"output": output.ident, "page": r.page,
                         "x": r.x / width_height[r.page][0], "y": r.y / width_height[r.page][1],
                         "w": r.width / width_height[r.page][0],
                         "h": r.height / width_height[r.page][1]}
                        for r in placement.rects]
            return {
                "version": self.version, "busy": self.busy, "errors": list(self.errors),
                "locale": self.code,
                "catalog": display_path(self.project.po(self.code)),
                "outputs": [{"id": o.ident, "kind": o.target.kind,
                             "title": f"{KINDS[o.target.kind].title}, "
                                      f"{PAPERS[o.target.size].title}",
                             "pages": [{"version": p.version,
                                        "ratio": o.page_sizes[i][1] / o.page_sizes[i][0]}
                                       for i, p in enumerate(o.pictures)]}
                            for o in outputs],
                "messages": sorted(messages.values(),
                                   key=lambda m: (m["line"] or 10**9, m["context"] or "")),
            }


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
