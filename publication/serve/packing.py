"""What a group downloads and sees: the zip of its files with a README of which file is
for what, and the previews (the leaflet's action panel, the poster's foot) drawn from
the made PDFs with PDFium."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from publication.files import write_atomic
from publication.kinds import KINDS, OFFICE_SUFFIX, PAPERS, PRINT_SUFFIX
from publication.model import SOURCE_LOCALE, Imprint, Outcome, Project
from publication.pdf.pictures import page_png
from publication.serve.text import render_text

if TYPE_CHECKING:
    from publication.serve.sets import SetSpec

PREVIEW_PIXELS = 900   # the preview's width
ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # the same bytes for the same files


def previews(folder: Path, outcomes: Sequence[Outcome], imprint: Imprint) -> tuple[str, ...]:
    """Draw the previews the set's files allow (one per kind with a `preview_foot`, of
    its first file built); their names in `folder`."""
    drawn = []
    for kind in KINDS.values():
        pdf = _first(outcomes, kind.name)
        if kind.preview_foot is None or pdf is None:
            continue
        name = f"{kind.name}.png"
        if _draw(pdf, folder / name, imprint.name, kind.preview_foot):
            drawn.append(name)
    return tuple(drawn)


def _first(outcomes: Iterable[Outcome], kind: str) -> Path | None:
    return next((o.path for o in outcomes if o.target.kind == kind and o.status == "built"),
                None)


def _draw(pdf: Path, target: Path, find: str, foot: float) -> bool:
    """Draw the bottom `foot` (a fraction of its height) of the page that holds `find`,
    PREVIEW_PIXELS wide."""
    drawn = page_png(pdf, lambda width, height: PREVIEW_PIXELS / width, "preview",
                     page=lambda document: _page_with(document, find), foot=foot)
    if drawn is not None:
        write_atomic(target, drawn[0])
    return drawn is not None


def _page_with(document: object, text: str) -> int:
    """The first page whose text holds `text` (the group's box), else the last page
    (a leaflet's back panel)."""
    pages = len(document)  # type: ignore[arg-type]
    for number in range(pages):
        page = document[number]  # type: ignore[index]
        found = text in page.get_textpage().get_text_bounded()
        if found:
            return number
    return pages - 1


def readme(project: Project, spec: SetSpec, names: Sequence[str]) -> str:
    """Which file is for what, in each language of the set (English first)."""
    entries = []
    for name in names:
        base = Path(name).name
        suffix = next((s for s in (PRINT_SUFFIX, OFFICE_SUFFIX) if base.endswith(s)), ".pdf")
        kind, _, size = base.removesuffix(suffix).partition("-")
        entries.append({"name": name, "kind": kind, "printed": suffix == PRINT_SUFFIX,
                        "office": suffix == OFFICE_SUFFIX,
                        "paper": PAPERS[size].title if size in PAPERS else size})
    return "\n\n".join(render_text(project, code, "readme.txt", entries=entries)
                        for code in dict.fromkeys((SOURCE_LOCALE, *spec.locales)))


def archive_name(name: str) -> str:
    """A file's name in the zip: its locale's folder and its own name (de/poster-a3.pdf)."""
    parts = Path(name).parts
    return f"{parts[1]}/{parts[-1]}"


def write_zip(project: Project, target: Path, files: Sequence[str], spec: SetSpec) -> None:
    """The zip of `files` (paths in the store) and the README, written atomically."""
    buffer = io.BytesIO()
    names = [archive_name(name) for name in files]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("README.txt", ZIP_TIME),
                         readme(project, spec, names).encode("utf-8"), zipfile.ZIP_DEFLATED)
        for name, archived in zip(files, names, strict=True):
            info = zipfile.ZipInfo(archived, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (project.output / name).read_bytes())
    write_atomic(target, buffer.getvalue())
