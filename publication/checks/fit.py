"""Everything fits in the written PDF: the page count and size a kind must have, and no
text drawn outside the page.

The page count (one poster page, six leaflet panels, one letter) and the page size come
from the expectations; text outside the page is looked for on any PDF. (Overflow inside
the page is found in the layout, before writing: publication.typeset.fit.)
"""

from __future__ import annotations

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, error
from publication.kinds import PT_PER_MM
from publication.pdf.content import TextRun, page_box
from publication.pdf.structure import PdfDocument, display

TOLERANCE_PT = 1.0
SIZE_TOLERANCE_MM = 0.5


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    findings: list[Finding] = []
    if expectations is not None and expectations.pages is not None and \
            len(doc.pages) != expectations.pages:
        findings.append(error("fit.pages", doc.name, 0,
                              f"{len(doc.pages)} pages instead of {expectations.pages}",
                              "shorten the text of the page that overflows"))
    for index, page in enumerate(doc.pages):
        x0, y0, x1, y1 = page_box(page)
        if expectations is not None and expectations.page_size_mm is not None:
            trim = page.obj.get("/TrimBox")
            if trim is not None:
                tx0, ty0, tx1, ty1 = (float(v) for v in trim)
                w, h = abs(tx1 - tx0) / PT_PER_MM, abs(ty1 - ty0) / PT_PER_MM
            else:
                w, h = (x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM
            ew, eh = expectations.page_size_mm
            if abs(w - ew) > SIZE_TOLERANCE_MM or abs(h - eh) > SIZE_TOLERANCE_MM:
                findings.append(error("fit.page-size", doc.name, index + 1,
                                      f"page is {w:.1f} x {h:.1f} mm, not {ew:g} x {eh:g} mm",
                                      "check the @page size of the template"))
        outside = []
        for event in doc.events(index):
            if isinstance(event, TextRun) and not event.invisible and event.text.strip():
                bx0, by0, bx1, by1 = event.bbox
                over = max(x0 - bx0, bx1 - x1, y0 - by0, by1 - y1)
                if over > TOLERANCE_PT:
                    outside.append((over, event.text))
        if outside:
            over, text = max(outside)
            findings.append(error("fit.outside-page", doc.name, index + 1,
                                  f"{len(outside)} text run(s) drawn outside the page, e.g. "
                                  f"'{display(text, 40)}' by {over / PT_PER_MM:.1f} mm",
                                  "shorten the text or let it wrap"))
    return findings
