"""Helpers for the print-production tests: a project built once per module, pages as
pictures and words with their positions."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from publication.build.builder import build, plan
from publication.model import BuildOptions, Imprint, Project, Selection
from tests.projects import make_project
from tests.translating import start_catalog

MM_PER_PT = 25.4 / 72


def module_project(factory: pytest.TempPathFactory, fonts_dir: Path,
                   locales: tuple[str, ...] = ()) -> Project:
    """A project like conftest's `project`, for a module-scoped fixture, with untranslated
    catalogues for `locales` (their PDFs fall back to the English texts)."""
    project = make_project(factory.mktemp("print") / "project", fonts_dir)
    for code in locales:
        start_catalog(project, code, {})
    return project


def build_all(project: Project, selection: Selection, imprint: Imprint | None = None,
              print_files: bool = True) -> None:
    """Build a selection (print-shop files too); every target must succeed."""
    report = build(project, plan(project, selection, imprint),
                   BuildOptions(jobs=1, print_files=print_files, imprint=imprint))
    assert report.ok, [o.messages for o in report.failed]


@dataclass(frozen=True)
class Word:
    """A word pdftotext found, its box in millimetres from the page's top-left corner."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words(path: Path, page: int) -> list[Word]:
    """The words of one page (1-based) with their boxes (poppler's pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(page), "-l",
                          str(page), str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    body = out[out.index("<doc>"):out.index("</doc>") + len("</doc>")]
    found = []
    for element in ET.fromstring(body).iter("word"):
        x0, y0, x1, y1 = (float(element.attrib[k]) * MM_PER_PT
                          for k in ("xMin", "yMin", "xMax", "yMax"))
        found.append(Word(element.text or "", x0, y0, x1, y1))
    return found


def raster(path: Path, page: int, dpi: int, tmp: Path) -> Image.Image:
    """One page rendered by poppler, as an RGB image (the whole MediaBox)."""
    prefix = tmp / f"{path.stem}-{page}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    "-png", str(path), str(prefix)], check=True)
    return Image.open(f"{prefix}.png").convert("RGB")
