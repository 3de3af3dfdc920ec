"""Reading built PDFs the way the tests need: metadata, fonts, boxes, text through the tags."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pypdfium2


def pdfium_text(data: bytes) -> str:
    """The text PDFium (Chrome) reads from every page, pages back to back."""
    doc = pypdfium2.PdfDocument(data)
    try:
        return "".join(p.get_textpage().get_text_range() for p in doc)
    finally:
        doc.close()


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
