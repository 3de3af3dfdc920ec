"""The proof sheet: `output/<campaign>/proof.pdf`, every kind and locale at a glance.

One A3 landscape page per publication kind; a row per locale, and in it every page of
each of the kind's accessible files (its sizes side by side), scaled down, so that staff
review a whole campaign in every language on one screen or one printed sheet. The pages
are the built PDFs' own pages placed as form XObjects with pikepdf (vector, nothing drawn
again), each in a thin frame; the labels are drawn with ReportLab in Noto Sans. The
accessible files without a local group's details are shown; a proof is for reviewing,
not for reading, and it claims no PDF/UA. The same files give the same bytes.

Tagging the sheet (`press.figures.tag_figures`) takes the marked content out of every
placed page: it parses each page's whole content stream, most of a proof's time. A build
rewrites the proof when one file changed, so `write_proofs` keeps each placed page's
content without its marked content under output/.cache/.proof, by the digest of the
content it came from (`PlacedForms`), and tags the sheet with a stand-in for every
placed page, the pages coming in afterwards: the same bytes as tagging them in place
(tests/test_proof.py compares the two), one parse per page that changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from publication.files import write_atomic
from publication.i18n.locales import locale_info
from publication.kinds import KINDS, PAPERS, PROOF_NAME, PT_PER_MM
from publication.model import CACHE_FOLDER, Project, usable_cores
from publication.press.figures import MARKING, tag_figures
from publication.press.pdfx import PrintMeta, content_owners, plain_metadata

LOG = logging.getLogger(__name__)

SHEET_MM = (420.0, 297.0)  # A3 landscape
MARGIN_MM = 12.0
TITLE_MM = 12.0            # the page's title line
LABEL_MM = 22.0            # the locale column
PAGE_GAP_MM = 2.0
SIZE_GAP_MM = 7.0
ROW_GAP_MM = 3.0
LABEL_FONT = "NotoSans-Regular.ttf"
FRAME_GREY = 0.6
FORMS_FOLDER = ".proof"    # in output/.cache: the placed pages' content (PlacedForms)


@dataclass(frozen=True)
class ProofFile:
    """One accessible PDF shown on the proof: which publication it is and where it is."""

    campaign: str
    locale: str
    kind: str
    size: str
    path: Path


def sheets(files: Iterable[ProofFile]) -> dict[str, list[ProofFile]]:
    """campaign -> the files its proof sheet shows (those there, of a known kind)."""
    by_campaign: dict[str, list[ProofFile]] = {}
    for proof_file in files:
        if proof_file.path.is_file() and proof_file.kind in KINDS:
            by_campaign.setdefault(proof_file.campaign, []).append(proof_file)
    return dict(sorted(by_campaign.items()))


def write_proofs(project: Project, files: Iterable[ProofFile]) -> list[Path]:
    """Write each campaign's proof sheet from its accessible files; the paths written."""
    written = []
    forms = PlacedForms(project.output / CACHE_FOLDER / FORMS_FOLDER)
    for campaign, found in sheets(files).items():
        path = project.output / campaign / PROOF_NAME
        write_atomic(path, proof_sheet(campaign, found, project.fonts, forms))
        written.append(path)
    forms.prune()
    return written


@dataclass
class ProofsAside:
    """Proof sheets being written by `write_proofs_aside`: `result` waits for them."""

    project: Project
    files: list[ProofFile]
    pid: int | None = None      # the process writing them; None: written already
    pipe: int | None = None     # where it sends the paths it wrote
    written: list[Path] = field(default_factory=list)

    def result(self) -> list[Path]:
        """The paths written; written here if that process failed, so that its error
        comes as `write_proofs` gives it."""
        paths = self._wait()
        return paths if paths is not None else write_proofs(self.project, self.files)

    def abandon(self) -> None:
        """Wait for that process only (the caller is failing already: its error stands,
        and no proof sheet is written after the build lets go of the output folder)."""
        self._wait()

    def _wait(self) -> list[Path] | None:
        if self.pid is None:
            return self.written
        pid, self.pid = self.pid, None
        data = b""
        try:
            assert self.pipe is not None
            with os.fdopen(self.pipe, "rb") as pipe:
                data = pipe.read()
        finally:
            os.waitpid(pid, 0)  # a second Ctrl-C leaves no process writing, nor a zombie
        with contextlib.suppress(ValueError):
            paths = json.loads(data)
            if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
                return [Path(p) for p in paths]
        return None


def write_proofs_aside(project: Project, files: Iterable[ProofFile]) -> ProofsAside:
    """`write_proofs` in a process forked for it, while the caller goes on (the index
    makes its page meanwhile, on the second core: a one-string rebuild's proof takes a
    fifth of its time). On one core, with other threads running (a fork copies none of
    them, nor any lock they hold) or without fork, they are written at once, here."""
    aside = ProofsAside(project, list(files))
    if usable_cores() < 2 or threading.active_count() > 1 or not hasattr(os, "fork"):
        aside.written = write_proofs(project, aside.files)
        return aside
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        with contextlib.suppress(Exception):
            stream.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, send the paths, end without Python's teardown
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the build says so, after
        os.close(read_end)
        result: list[str] | None = None
        try:
            result = [os.fspath(path) for path in write_proofs(project, aside.files)]
        except BaseException:  # noqa: BLE001 - the parent writes them again and says why
            result = None
        finally:
            with contextlib.suppress(BaseException), os.fdopen(write_end, "wb") as pipe:
                pipe.write(json.dumps(result).encode())
            os._exit(0)
    os.close(write_end)
    aside.pid, aside.pipe = pid, read_end
    return aside


# What the cached content is made from besides the content it came from: what
# `tag_figures` takes out (press.figures.MARKING) and the pikepdf that writes it.
_FORMS_KEY = (f"proof forms 1\0pikepdf {pikepdf.__version__}\0"
              f"{' '.join(sorted(MARKING))}\0").encode()
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass
class PlacedForms:
    """The content of each form a proof sheet draws (its placed pages, their own forms,
    the labels) without marked content, as `tag_figures` leaves it, kept in `folder` by
    the digest of the content it came from; a file there starts with the digest of the
    rest, and one that does not match is made again. `prune` deletes what this build's
    proofs did not use."""

    folder: Path
    used: set[str] = field(default_factory=set)

    def unmark(self, page: pikepdf.Object, seen: set[tuple[int, int]]) -> None:
        """Take the marked content out of every form `page` draws (each once: `seen`)."""
        for owner in content_owners(page, seen):
            if owner.objgen != page.objgen:
                owner.write(self._unmarked(owner))

    def _unmarked(self, form: pikepdf.Object) -> bytes:
        """`unmarked(form)`, from the folder when it has it (written there when not)."""
        name = hashlib.sha256(_FORMS_KEY + form.read_bytes()).hexdigest()
        self.used.add(name)
        path = self.folder / name
        with contextlib.suppress(OSError):
            kept = path.read_bytes()
            if hashlib.sha256(kept[64:]).hexdigest().encode("ascii") == kept[:64]:
                return kept[64:]
        data = unmarked(form)
        try:
            write_atomic(path, hashlib.sha256(data).hexdigest().encode("ascii") + data)
        except OSError as exc:  # a read-only cache: made again next time
            LOG.debug("%s not written: %s", path, exc)
        return data

    def prune(self) -> None:
        """Delete the kept content no proof used since this was made."""
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                if _DIGEST.fullmatch(path.name) and path.name not in self.used:
                    path.unlink(missing_ok=True)


def unmarked(form: pikepdf.Object) -> bytes:
    """A form's content without its marked-content operators, as `tag_figures` writes it."""
    return pikepdf.unparse_content_stream([
        item for item in pikepdf.parse_content_stream(form)
        if not isinstance(item, pikepdf.ContentStreamInstruction)
        or str(item.operator) not in MARKING])


def _order(files: Sequence[ProofFile]) -> dict[str, dict[str, list[ProofFile]]]:
    """kind -> locale -> its files in the kind's size order (kinds in KINDS order, the
    source locale first)."""
    table: dict[str, dict[str, list[ProofFile]]] = {}
    for kind in KINDS.values():
        sizes = (*kind.sizes, *kind.extra_sizes)
        chosen = sorted((f for f in files if f.kind == kind.name and f.size in sizes),
                        key=lambda f: (f.locale != "en", f.locale, sizes.index(f.size)))
        for proof_file in chosen:
            table.setdefault(kind.name, {}).setdefault(proof_file.locale, []).append(proof_file)
    return table


def proof_sheet(campaign: str, files: Sequence[ProofFile], fonts: Path,
                forms: PlacedForms | None = None) -> bytes:
    """The proof sheet of one campaign's accessible files; with `forms`, the placed
    pages' content without marked content comes from there (the same bytes)."""
    table = _order(files)
    with contextlib.ExitStack() as stack:
        opened = {f.path: stack.enter_context(pikepdf.open(f.path)) for f in files}
        sheets = stack.enter_context(pikepdf.new())
        alts: list[list[str]] = []
        # With `forms`, tag_figures sees a stand-in for each form drawn: they come in
        # after it, their marked content taken out by `forms`.
        stand_in = sheets.make_indirect(pikepdf.Dictionary()) if forms is not None else None
        drawn: list[tuple[pikepdf.Page, list[pikepdf.Object]]] = []
        for kind, rows in table.items():
            placements, labels, frames, described = _layout(rows, opened)
            sheet = sheets.add_blank_page(page_size=(SHEET_MM[0] * PT_PER_MM,
                                                     SHEET_MM[1] * PT_PER_MM))
            title = f"{campaign}: {KINDS[kind].title} - proof, every language (not for reading)"
            overlay = stack.enter_context(pikepdf.open(io.BytesIO(
                _labels(title, labels, frames, fonts))))
            placed = [(sheets.copy_foreign(overlay.pages[0].as_form_xobject()), 1.0, 0.0, 0.0)]
            placed += [(sheets.copy_foreign(page.as_form_xobject()), scale, x, y)
                       for page, scale, x, y in placements]
            content = [_place(sheet, f"/Fx{number}", form if stand_in is None else stand_in,
                              scale, x, y)
                       for number, (form, scale, x, y) in enumerate(placed)]
            sheet.obj.Contents = sheets.make_stream(b"".join(content))
            drawn.append((sheet, [form for form, *_ in placed]))
            alts.append([f"{title}; rows: " + ", ".join(
                locale_info(code).english_name for code in rows), *described])
        plain_metadata(sheets, PrintMeta(
            f"{campaign} - proof sheet",
            "For reviewing, not for reading: every publication in every language, scaled "
            "down. The accessible files are beside it, one folder per language.",
            "en", _created(opened.values())))
        tag_figures(sheets, alts, "en")
        if forms is not None:
            seen: set[tuple[int, int]] = set()
            for sheet, placed_forms in drawn:
                xobjects = sheet.obj.Resources.XObject
                for number, form in enumerate(placed_forms):
                    xobjects[f"/Fx{number}"] = form
                forms.unmark(sheet.obj, seen)
        out = io.BytesIO()
        sheets.save(out, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _created(files: Iterable[pikepdf.Pdf]) -> dt.datetime:
    """The proof's date: the latest of its files' (they carry the content's date, or
    SOURCE_DATE_EPOCH's), so that the same files give the same proof."""
    dates = []
    for pdf in files:
        value = str(pdf.docinfo.get("/CreationDate", ""))
        with contextlib.suppress(ValueError):
            dates.append(dt.datetime.strptime(value[2:16], "%Y%m%d%H%M%S").replace(
                tzinfo=dt.UTC))
    return max(dates, default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


Placement = tuple[pikepdf.Page, float, float, float]   # page, scale, x and y in points
Label = tuple[str, float, float]                        # text, x and y in mm
Frame = tuple[float, float, float, float]               # x, y, width, height in mm


def _layout(rows: dict[str, list[ProofFile]], opened: dict[Path, pikepdf.Pdf],
            ) -> tuple[list[Placement], list[Label], list[Frame], list[str]]:
    """Where each page of each file goes on a kind's proof page: one row per locale, all
    at one scale (the largest at which the widest row and every row's height fit); with
    what each placed page is, for its alternate text. `opened`: every file, open."""
    sizes = {f.path: [(float(p.mediabox[2]) - float(p.mediabox[0]),
                       float(p.mediabox[3]) - float(p.mediabox[1]))
                      for p in opened[f.path].pages]
             for fs in rows.values() for f in fs}
    room_w = (SHEET_MM[0] - 2 * MARGIN_MM - LABEL_MM) * PT_PER_MM
    room_h = (SHEET_MM[1] - 2 * MARGIN_MM - TITLE_MM) * PT_PER_MM / len(rows) \
        - ROW_GAP_MM * PT_PER_MM
    gaps = [(sum(len(sizes[f.path]) - 1 for f in fs) * PAGE_GAP_MM
             + (len(fs) - 1) * SIZE_GAP_MM) * PT_PER_MM for fs in rows.values()]
    widths = [sum(w for f in fs for w, _ in sizes[f.path]) for fs in rows.values()]
    tallest = max(h for page_sizes in sizes.values() for _, h in page_sizes)
    scale = min(room_h / tallest, *((room_w - gap) / width
                                    for gap, width in zip(gaps, widths, strict=True)))
    placements: list[Placement] = []
    labels: list[Label] = []
    frames: list[Frame] = []
    described: list[str] = []
    top = (SHEET_MM[1] - MARGIN_MM - TITLE_MM) * PT_PER_MM
    for row, (locale, found) in enumerate(rows.items()):
        row_top = top - row * (room_h + ROW_GAP_MM * PT_PER_MM)
        info = locale_info(locale)
        labels.append((f"{locale}", MARGIN_MM, row_top / PT_PER_MM - 5))
        labels.append((info.english_name, MARGIN_MM, row_top / PT_PER_MM - 9))
        x = (MARGIN_MM + LABEL_MM) * PT_PER_MM
        for proof_file in found:
            labels.append((PAPERS[proof_file.size].title, x / PT_PER_MM,
                           row_top / PT_PER_MM + 1.2))
            pages = opened[proof_file.path].pages
            for number, (page, (w, h)) in enumerate(zip(pages, sizes[proof_file.path],
                                                        strict=True), start=1):
                described.append(f"{info.english_name} {KINDS[proof_file.kind].title}, "
                                 f"{PAPERS[proof_file.size].title}: page {number} of "
                                 f"{len(pages)}")
                y = row_top - h * scale
                placements.append((page, scale, x, y))
                frames.append((x / PT_PER_MM, y / PT_PER_MM, w * scale / PT_PER_MM,
                               h * scale / PT_PER_MM))
                x += w * scale + PAGE_GAP_MM * PT_PER_MM
            x += (SIZE_GAP_MM - PAGE_GAP_MM) * PT_PER_MM
    return placements, labels, frames, described


def _labels(title: str, labels: Sequence[Label], frames: Sequence[Frame], fonts: Path) -> bytes:
    """A one-page PDF the size of the sheet: the title, the labels and the pages' frames."""
    from reportlab.pdfgen.canvas import Canvas

    from publication.press.marks import register_font

    buffer = io.BytesIO()
    font = register_font(fonts / LABEL_FONT)
    canvas = Canvas(buffer, pagesize=(SHEET_MM[0] * PT_PER_MM, SHEET_MM[1] * PT_PER_MM),
                    pageCompression=1, invariant=True, initialFontName=font)
    canvas.setFont(font, 14)
    canvas.drawString(MARGIN_MM * PT_PER_MM, (SHEET_MM[1] - MARGIN_MM - 6) * PT_PER_MM, title)
    canvas.setFont(font, 8)
    for text, x, y in labels:
        canvas.drawString(x * PT_PER_MM, y * PT_PER_MM, text)
    canvas.setStrokeGray(FRAME_GREY)
    canvas.setLineWidth(0.5)
    for x, y, w, h in frames:
        canvas.rect(x * PT_PER_MM, y * PT_PER_MM, w * PT_PER_MM, h * PT_PER_MM)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _place(sheet: pikepdf.Page, name: str, form: pikepdf.Object, scale: float, x: float,
           y: float) -> bytes:
    """The content drawing `form` on `sheet`, scaled and moved; `form` becomes the XObject
    `name` (chosen here, so that the same files give the same bytes)."""
    sheet.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(name))
    return f"q {scale:.5f} 0 0 {scale:.5f} {x:.3f} {y:.3f} cm {name} Do Q\n".encode("ascii")
