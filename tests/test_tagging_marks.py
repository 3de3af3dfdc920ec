"""Raised glyphs on the baseline (publication/tagging/marks.py): Arabic harakat, shadda and
tanwin drawn with their base, the page unchanged, on small typeset pages."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2
from PIL import Image, ImageChops

from publication.pdf.fonts import FontInfo
from publication.tagging import marks
from tests.checking import page, raw_pdf, tagged_pdf

# Words whose marks the shaper moves up or down: tanwin fath, shadda, damma, kasratan.
WORDS = "فورًا وقّع يُحاسَب مبانٍ"


def _pages_text(data: bytes) -> str:
    doc = pypdfium2.PdfDocument(data)
    try:
        return "".join(p.get_textpage().get_text_range() for p in doc)
    finally:
        doc.close()


def _raster(data: bytes, tmp_path: Path, name: str) -> Image.Image:
    """The first page at 300 dpi, drawn by poppler (PDFium drops a TJ's kerning after an
    empty string, as WeasyPrint writes one after each raised glyph: it would show a
    difference the fix does not make)."""
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(pdf),
                    str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("L")


def _content(pdf: pikepdf.Pdf) -> bytes:
    return b"".join(pikepdf.unparse_content_stream(pikepdf.parse_content_stream(p))
                    for p in pdf.pages)


def test_weasyprint_draws_marks_with_a_text_rise(fonts_dir: Path) -> None:
    # What the fix is for: if WeasyPrint stops doing this, the fix has nothing to do.
    data = raw_pdf(page(f"<p>{WORDS}</p>", fonts_dir, lang="ar", direction="rtl"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert re.search(rb"-?\d+(\.\d+)? Ts", _content(pdf))


def test_marks_are_drawn_on_the_baseline_and_read_with_their_base(fonts_dir: Path) -> None:
    html = page(f"<p>{WORDS}</p>", fonts_dir, lang="ar", direction="rtl")
    data, _ = tagged_pdf(html, lang="ar")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = _content(pdf)
        rises = [float(r) for r in re.findall(rb"(-?\d*\.?\d+) Ts", content)]
        assert not any(rises), rises
    # PDFium (Chrome) reads every word whole: no mark on a line of its own.
    text = _pages_text(data)
    for word in WORDS.split():
        assert word in text, (word, text)


def test_the_page_looks_the_same(fonts_dir: Path, tmp_path: Path) -> None:
    html = page(f"<p style='font-size: 30pt'>{WORDS}</p>", fonts_dir, lang="ar",
                direction="rtl")
    before = raw_pdf(html)
    with pikepdf.open(io.BytesIO(before)) as pdf:
        moved = marks.baseline_marks(pdf)
        out = io.BytesIO()
        pdf.save(out)
    assert moved >= 4
    old, new = _raster(before, tmp_path, "before"), _raster(out.getvalue(), tmp_path, "after")
    ink = sum(1 for value in old.tobytes() if value < 128)
    changed = sum(1 for value in ImageChops.difference(old, new).tobytes() if value > 96)
    # Antialiasing only (an outline moves by at most half a font unit); a mark off its
    # place by its rise alone would change about a tenth of the ink.
    assert ink > 5000 and changed < ink / 100, (changed, ink)


def test_the_copies_have_the_originals_widths_and_unicode(fonts_dir: Path) -> None:
    data = raw_pdf(page(f"<p>{WORDS}</p>", fonts_dir, lang="ar", direction="rtl"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values()
                    if "Arabic" in str(f.BaseFont))
        before = FontInfo(font)
        marks.baseline_marks(pdf)
        after = FontInfo(font)
        added = sorted(set(after.to_unicode) - set(before.to_unicode))
        assert added
        for code in added:
            # A copy of a glyph the page showed: same Unicode value and width as it.
            value = after.to_unicode[code]
            assert any(before.to_unicode[c] == value and before.width(c) == after.width(code)
                       for c in before.to_unicode), (code, value)
            assert all(unicodedata.category(ch) == "Mn" for ch in value)  # marks only here
