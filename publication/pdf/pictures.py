"""Pictures of PDF pages, drawn by PDFium (what Chrome shows): the index's thumbnails and
the order form's previews."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOG = logging.getLogger(__name__)


def page_png(pdf: Path, scale: Callable[[float, float], float], what: str,
             page: Callable[[Any], int] = lambda document: 0, foot: float = 1.0,
             ) -> tuple[bytes, int] | None:
    """One page of `pdf` as a PNG, with the PDF's page count; None (logged with `what`,
    "thumbnail" or "preview") when PDFium cannot read it.

    `scale(width, height)` gives the pixels per point for a page of that size in
    points, `page(document)` the index of the page to draw (the first by default), and
    `foot` the fraction of the page kept, from its bottom (1: all of it)."""
    import pypdfium2 as pdfium  # imported where it is used: a no-op build never needs it

    try:
        document = pdfium.PdfDocument(pdf)
        try:
            pages = len(document)
            chosen = document[page(document)]
            width, height = chosen.get_size()
            crop = (0, 0, 0, height * (1 - foot))
            image = chosen.render(scale=scale(width, height), crop=crop).to_pil()
        finally:
            document.close()
    except (pdfium.PdfiumError, IndexError, OSError) as exc:
        LOG.info("no %s of %s: %s", what, pdf, exc)
        return None
    png = io.BytesIO()
    # Level 3 of zlib's 9: half the time of the default 6, and smaller for these pages.
    image.save(png, "PNG", compress_level=3)
    return png.getvalue(), pages
