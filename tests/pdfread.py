"""Reading built PDFs the way the tests need: metadata, fonts, boxes, text through the tags."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pikepdf
import pypdfium2
import pytest

READERS = Path(__file__).resolve().parent.parent / "tools" / "readers"
INSTALL_PDFJS = "install pdf.js for the tests: `cd tools/readers && npm ci` (make test does it)"


def load_tool(path: Path, name: str) -> ModuleType:
    """A script of tools/ imported as module `name` (once)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def readers_table() -> ModuleType:
    """tools/readers/table.py: the readers' table, and pdf.js, PDFium and poppler."""
    return load_tool(READERS / "table.py", "readers_table")


def pdfjs_text(data: bytes, tmp_path: Path) -> str:
    """The text pdf.js (Firefox) reads from every page, in the table's normal form
    (`normal`: bidi controls out, white space as single spaces)."""
    table = readers_table()
    path = tmp_path / "pdfjs.pdf"
    path.write_bytes(data)
    try:
        return str(table.normal("\n".join(table.pdfjs_pages([path])[path])))
    except table.ReaderMissing as exc:
        pytest.fail(f"{exc}; {INSTALL_PDFJS}")


def pdfium_text(data: bytes) -> str:
    """The text PDFium (Chrome) reads from every page, pages back to back."""
    doc = pypdfium2.PdfDocument(data)
    try:
        return "".join(p.get_textpage().get_text_range() for p in doc)
    finally:
        doc.close()


def pdftotext(data: bytes, tmp_path: Path) -> str:
    """The text poppler's pdftotext reads from every page (UTF-8)."""
    path = tmp_path / "pdftotext.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def struct_text(path: Path) -> str:
    """The tag tree with its text, as poppler shows it to assistive technology."""
    return subprocess.run(["pdfinfo", "-struct-text", str(path)], check=True,
                          capture_output=True, text=True).stdout


def catalog_facts(path: Path) -> dict[str, object]:
    """Language, title, PDF/UA part, tagging flags and page count of a PDF."""
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        root = pdf.Root
        return {
            "lang": str(root.get("/Lang", "")),
            "title": str(pdf.docinfo.get("/Title", "")),
            "display_doc_title": bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle")),
            "marked": bool(root.get("/MarkInfo", {}).get("/Marked")),
            "has_struct_tree": "/StructTreeRoot" in root,
            "pdfua_part": meta.get("pdfuaid:part"),
            "pages": len(pdf.pages),
            "outlines": len(pdf.open_outline().root),
        }


def fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table: one dict per font (name, emb, sub, uni)."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    rows = []
    for line in out:
        parts = line.split()
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def page_size_mm(path: Path, index: int = 0) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        box = [float(v) for v in pdf.pages[index].mediabox]
    return round((box[2] - box[0]) * 25.4 / 72, 1), round((box[3] - box[1]) * 25.4 / 72, 1)
