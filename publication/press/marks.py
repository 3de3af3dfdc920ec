"""Printer's marks for a print-shop sheet, drawn with ReportLab: crop, fold and slug line;
and the fold guides of an office sheet.

The marks sit outside the bleed, in the slug around it, so that trimming removes
them: crop marks continue the trim edges, fold marks continue the folds (dashed,
so that nobody cuts along them). They are painted in the registration colour (the
`All` separation: they appear on every printing plate). The slug line names the job
and the side in a small embedded font, because PDF/X allows no font that is not
embedded.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import CMYKColorSep
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from publication.errors import PublicationError

PT_PER_MM = 72 / 25.4
MARK_LENGTH_MM = 6.0      # how far a mark reaches into the slug
MARK_WIDTH_PT = 0.25      # hairline, as print shops expect
LABEL_PT = 6.0
LABEL_GAP_MM = 2.5        # from the marks' outer ends to the slug line's baseline
SLUG_MM = 13.0            # room outside the trim: bleed, marks, slug line
LABEL_FONT = "NotoSans-Regular.ttf"
REGISTRATION = CMYKColorSep(1, 1, 1, 1, spotName="All")
GUIDE_FROM_MM, GUIDE_TO_MM = 5.5, 8.5  # an office sheet's fold guides, from its edge
GUIDE_WIDTH_PT = 0.5
GUIDE_GREY = (0.45, 0.45, 0.45)


@dataclass(frozen=True)
class SheetGeometry:
    """Where the trim sits on the sheet and what to mark, in millimetres.

    `trim_x`/`trim_y` is the trim's lower-left corner on the media; `folds` are
    distances from the trim's left edge.
    """

    media: tuple[float, float]
    trim_x: float
    trim_y: float
    trim: tuple[float, float]
    bleed: float
    folds: tuple[float, ...] = ()


def draw_marks(geometry: SheetGeometry, label: str, fonts: Path) -> bytes:
    """A one-page PDF the size of the media with the marks and the slug line."""
    buffer = io.BytesIO()
    width, height = geometry.media
    font = register_font(fonts / LABEL_FONT)
    # The initial font too: ReportLab selects it on every page, and PDF/X wants it embedded.
    canvas = Canvas(buffer, pagesize=(width * PT_PER_MM, height * PT_PER_MM),
                    pageCompression=1, invariant=True, initialFontName=font,
                    initialFontSize=LABEL_PT)
    canvas.scale(PT_PER_MM, PT_PER_MM)  # draw in millimetres
    canvas.setStrokeColor(REGISTRATION)
    canvas.setFillColor(REGISTRATION)
    canvas.setLineWidth(MARK_WIDTH_PT / PT_PER_MM)
    x0, y0 = geometry.trim_x, geometry.trim_y
    x1, y1 = x0 + geometry.trim[0], y0 + geometry.trim[1]
    gap, end = geometry.bleed, geometry.bleed + MARK_LENGTH_MM
    for x in (x0, x1):  # vertical crop marks, above and below the bleed
        canvas.line(x, y0 - gap, x, y0 - end)
        canvas.line(x, y1 + gap, x, y1 + end)
    for y in (y0, y1):  # horizontal crop marks, left and right of the bleed
        canvas.line(x0 - gap, y, x0 - end, y)
        canvas.line(x1 + gap, y, x1 + end, y)
    canvas.setDash(1.0, 0.8)
    for fold in geometry.folds:
        canvas.line(x0 + fold, y0 - gap, x0 + fold, y0 - end)
        canvas.line(x0 + fold, y1 + gap, x0 + fold, y1 + end)
    canvas.setDash()
    canvas.setFont(font, LABEL_PT / PT_PER_MM)
    canvas.drawString(x0 + end, y0 - end - LABEL_GAP_MM, label)  # below the marks' ends
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_guides(geometry: SheetGeometry) -> bytes:
    """A one-page PDF the size of the sheet with fold guides for an office printer: at
    each fold a short grey dashed line at the top and at the bottom, from `GUIDE_FROM_MM`
    to `GUIDE_TO_MM` from the edge (a panel's text keeps 9 mm off it, an office printer 5 mm)."""
    buffer = io.BytesIO()
    width, height = geometry.media
    canvas = Canvas(buffer, pagesize=(width * PT_PER_MM, height * PT_PER_MM),
                    pageCompression=1, invariant=True)
    canvas.scale(PT_PER_MM, PT_PER_MM)
    canvas.setStrokeColorRGB(*GUIDE_GREY)
    canvas.setLineWidth(GUIDE_WIDTH_PT / PT_PER_MM)
    canvas.setDash(1.0, 0.8)
    x0, y0 = geometry.trim_x, geometry.trim_y
    y1 = y0 + geometry.trim[1]
    for fold in geometry.folds:
        canvas.line(x0 + fold, y0 + GUIDE_FROM_MM, x0 + fold, y0 + GUIDE_TO_MM)
        canvas.line(x0 + fold, y1 - GUIDE_FROM_MM, x0 + fold, y1 - GUIDE_TO_MM)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@functools.cache
def register_font(path: Path) -> str:
    """Register the slug font with ReportLab once per process; its name for setFont."""
    if not path.is_file():
        raise PublicationError(f"{path} is missing: the slug line needs it (run 'make setup')")
    name = f"marks-{path.stem}"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name
