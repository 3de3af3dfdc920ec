"""The leaflet's office sheet: `leaflet-<size>-office.pdf`, for a group without a print shop.

The two sides of the folded sheet (impose.office: the accessible file's panels in
folding order, mirrored for right-to-left, fold guides) on A4 or Letter landscape, to
print two-sided at 100 % ("flip on short edge"), then fold. It is for printing, not for
reading: no links or PDF/UA claim, and its subject says which file to read; it is tagged
all the same (press/figures.py), each panel a Figure whose alternate text is the panel's
text, in panel order. Its colours stay sRGB: office printers take them as they are.

`check_office` checks a finished sheet (its sides, paper size, no bleed, fonts embedded,
nothing within 5 mm of the paper's edge but the paper).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pikepdf

from publication.checks import FileReport
from publication.checks.findings import Finding, error, inspect_pdf
from publication.kinds import KINDS, OFFICE_SUFFIX, PAPERS, PT_PER_MM
from publication.pdf.content import Paint, TextRun, page_events
from publication.press.figures import page_texts, tag_figures
from publication.press.impose import LAYOUTS, Imposition, imposed
from publication.press.pdfx import PrintMeta, plain_metadata

OFFICE_SAFE_MM = 5.0   # office printers print no nearer the paper's edge
SIZE_TOLERANCE_MM = 0.2


def office_meta(title: str, size: str, accessible: str, lang: str, created: dt.datetime,
                ) -> PrintMeta:
    """The office sheet's title and subject: what it is, how to print it, what to read."""
    paper = PAPERS[size].title
    return PrintMeta(
        f"{title} - leaflet {paper}, office sheet",
        f"For printing, not for reading: the leaflet's two sides on {paper} landscape. Print "
        f"it two-sided at 100 % (actual size), flip on short edge, then fold. Each panel is "
        f"a figure: the accessible file to read is {accessible}.",
        lang, created)


def office_file(typeset: bytes, imposition: Imposition, meta: PrintMeta, fonts: Path,
                texts: Sequence[str] | None = None) -> bytes:
    """The office sheet: `typeset` pages on the sides of `imposition` (impose.office).
    `texts`: the pages' texts (figures.page_texts), when `typeset` has been read already."""
    texts = texts if texts is not None else page_texts(typeset)
    with imposed(typeset, imposition, "", fonts) as pdf:
        for page in pdf.pages:
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
        plain_metadata(pdf, meta)
        alts = [[f"Panel {slot.page + 1} of the leaflet: {texts[slot.page]}"
                 for slot in side.slots] for side in imposition.sides]
        order = sorted(((i, k) for i, side in enumerate(imposition.sides)
                        for k in range(len(side.slots))),
                       key=lambda at: imposition.sides[at[0]].slots[at[1]].page)
        tag_figures(pdf, alts, meta.lang, order)
        out = io.BytesIO()
        pdf.remove_unreferenced_resources()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def office_layout(filename: str) -> Imposition | None:
    """The imposition a file named like an office sheet (leaflet-a4-office.pdf) was made
    with (left to right), or None."""
    match = re.fullmatch(r"(?P<kind>[a-z]+)-(?P<size>[a-z0-9]+)" + re.escape(OFFICE_SUFFIX),
                         filename)
    kind = KINDS.get(match["kind"]) if match else None
    if match is None or kind is None or kind.office_layout is None \
            or match["size"] not in PAPERS:
        return None
    return LAYOUTS[kind.office_layout](PAPERS[match["size"]], False)


def office_report(path: Path, label: str, data: bytes) -> FileReport:
    """The checks of an office sheet on disk, for `make_pdf.py check`."""
    layout = office_layout(path.name)
    if layout is None:
        return FileReport(label, (error("office.name", label, 0, "not named like an office "
                                        "sheet (<kind>-<size>-office.pdf)", "rebuild it"),),
                          False)
    return FileReport(label, tuple(check_office(data, label, layout)), True)


def check_office(data: bytes, name: str, imposition: Imposition) -> list[Finding]:
    """What an office sheet must be: its sides, each the landscape paper without bleed,
    nothing printed within 5 mm of the paper's edge, every font embedded, tagged."""
    return inspect_pdf(data, name, "office.unreadable",
                       lambda pdf: _office(pdf, name, imposition))


def _office(pdf: pikepdf.Pdf, name: str, imposition: Imposition) -> list[Finding]:
    findings = []
    if len(pdf.pages) != len(imposition.sides):
        findings.append(error("office.sides", name, 0, f"{len(pdf.pages)} sheet sides instead "
                              f"of {len(imposition.sides)}", "check the imposition"))
    if "/StructTreeRoot" not in pdf.Root or "/MarkInfo" not in pdf.Root:
        findings.append(error("office.tags", name, 0, "the office sheet is not tagged",
                              "tag each panel as a figure (press/figures.py)"))
    safe = OFFICE_SAFE_MM * PT_PER_MM
    for number, page in enumerate(pdf.pages, start=1):
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        size = ((x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM)
        if any(abs(a - b) > SIZE_TOLERANCE_MM for a, b in zip(size, imposition.trim,
                                                                  strict=True)):
            findings.append(error("office.paper", name, number,
                                  f"the page is {size[0]:.1f} x {size[1]:.1f} mm, not the "
                                  f"{imposition.trim[0]:g} x {imposition.trim[1]:g} mm paper",
                                  "impose on the landscape paper itself"))
        for box in ("/TrimBox", "/BleedBox"):
            if box in page.obj and [round(float(v), 2) for v in page.obj[box]] != \
                    [round(v, 2) for v in (x0, y0, x1, y1)]:
                findings.append(error("office.bleed", name, number, f"{box} differs from the "
                                      "paper: an office sheet has no bleed", "drop the box"))
        near = 0
        for event in page_events(page):
            if isinstance(event, TextRun) and not event.text.strip():
                continue
            if not isinstance(event, TextRun | Paint) or (
                    isinstance(event, Paint) and event.fill is not None
                    and min(event.fill) > 0.99):
                continue  # white: the paper
            bx0, by0, bx1, by1 = event.bbox
            if bx0 < x0 + safe or by0 < y0 + safe or bx1 > x1 - safe or by1 > y1 - safe:
                near += 1
        if near:
            findings.append(error("office.edge", name, number,
                                  f"{near} thing(s) printed within {OFFICE_SAFE_MM:g} mm of the "
                                  "paper's edge, where office printers print nothing",
                                  "keep the page margins"))
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor" \
                and not any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            findings.append(error("office.font-embedding", name, 0,
                                  f"font {obj.get('/FontName', '?')} is not embedded",
                                  "embed every font"))
    return findings
