"""Document-level tag fixes (publication/tagging/document.py): the XMP title's language,
the links' Print flag and the figures' /BBox in user space, on small typeset pages."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from publication.pdf.structure import PdfDocument
from tests.checking import page, tagged_pdf

# A 20 mm square figure, 30 mm from the page area's left edge and 40 mm below its top.
FIGURE = ('<svg xmlns="http://www.w3.org/2000/svg" width="20mm" height="20mm" '
          'viewBox="0 0 2 2" style="display: block; margin: 40mm 0 0 30mm">'
          '<title>A square</title><rect width="2" height="2"/></svg>')
MM = 72 / 25.4


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def test_the_xmp_title_has_the_documents_language(fonts_dir: Path) -> None:
    html = page("<h1>כותרת</h1>", fonts_dir, lang="he", direction="rtl", title="כותרת המסמך")
    data, _ = tagged_pdf(html, lang="he")
    with _open(data) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "כותרת המסמך"          # x-default, as before
        assert set(meta["dc:language"]) == {"he"}
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert '<rdf:li xml:lang="he">כותרת המסמך</rdf:li>' in xmp
        assert '<rdf:li xml:lang="x-default">כותרת המסמך</rdf:li>' in xmp
        assert 'pdfuaid:part="1"' in xmp                   # the rest kept
        assert xmp.startswith("<?xpacket begin=") and xmp.rstrip().endswith("?>")


def test_links_are_printed(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page('<p><a href="https://example.org/">a link</a></p>', fonts_dir))
    with _open(data) as pdf:
        [annot] = pdf.pages[0].obj.Annots
        assert int(annot.F) & 4


def test_a_figures_bbox_is_where_it_is_drawn(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page(FIGURE, fonts_dir, css="body { margin: 0 }"))
    with _open(data) as pdf:
        doc = PdfDocument(pdf, "test.pdf")
        [figure] = [e for e in doc.elements if e.role == "Figure"]
        x0, y0, x1, y1 = (float(v) for v in figure.attributes("/Layout")["/BBox"])
        height = float(pdf.pages[0].MediaBox[3])
        # A5 with 15 mm margins: the square's left edge at 15 + 30 mm, in points from the
        # bottom left (y grows upwards), 20 mm wide and high.
        assert abs(x0 - 45 * MM) < 1 and abs((x1 - x0) - 20 * MM) < 1
        assert abs(y1 - (height - (15 + 40) * MM)) < 1 and abs((y1 - y0) - 20 * MM) < 1
        drawn = doc.drawn_box(figure)
        assert drawn is not None
        assert max(abs(a - b) for a, b in zip((x0, y0, x1, y1), drawn, strict=True)) < 0.01
