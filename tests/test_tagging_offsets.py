"""publication.tagging.offsets: combining marks placed by numbers around them in a TJ
(Hebrew points), drawn as copies with the offset in their outline."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageFilter

from publication.pdf.fonts import FontInfo
from publication.tagging import offsets
from tests.checking import page, tagged_pdf
from tests.pdfread import pdfium_text, pdfjs_text, pdftotext, readers_table
from tests.printing import raster

# Hebrew with points: WeasyPrint places each point with numbers around it.
POINTED = "שָׁלוֹם עֲלֵיכֶם"


def _raster(data: bytes, tmp_path: Path, name: str) -> Image.Image:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    return raster(pdf, 1, 300, tmp_path).convert("L")


def _with_and_without(text: str, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
                      step: str) -> tuple[bytes, bytes]:
    """A Hebrew paragraph of `text` tagged, and tagged without the pass `step`."""
    html = page(f"<p>{text}</p>", fonts_dir, lang="he", direction="rtl")
    data, _ = tagged_pdf(html, lang="he")
    with monkeypatch.context() as patch:
        patch.setattr(offsets, step, lambda *args: 0)
        before = tagged_pdf(html, lang="he")[0]
    return data, before


def _same_page(data: bytes, before: bytes, tmp_path: Path) -> bool:
    """Whether the two pages look the same, blurred over a sixth of a millimetre."""
    after, was = (_raster(pdf, tmp_path, name).filter(ImageFilter.GaussianBlur(2))
                  for pdf, name in ((data, "after"), (before, "before")))
    return bool(ImageChops.difference(after, was).getextrema()[1] <= 48)


def test_pdfium_reads_the_points_with_their_letters(fonts_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data, before = _with_and_without(POINTED, fonts_dir, monkeypatch, "offset_marks")
    normal = readers_table().normal
    assert str(normal(POINTED)) in str(normal(pdfium_text(data)))
    # What it is for: PDFium read a space before each point (`שׁ ָ לוֹם`).
    assert str(normal(POINTED)) not in str(normal(pdfium_text(before)))
    # The page is the same: a mark drawn from its copy's outline is rasterized a little
    # differently at its edges (up to 192 of 255 in a pixel at 300 dpi), but where it
    # was (blurred over a sixth of a millimetre: at most 33; a point a tenth of an em
    # off its place would differ by far more).
    assert _same_page(data, before, tmp_path)


def test_the_marks_are_copies_with_their_widths_and_unicode(fonts_dir: Path) -> None:
    html = page(f"<p>{POINTED}</p>", fonts_dir, lang="he", direction="rtl")
    data, _ = tagged_pdf(html, lang="he")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values()
                    if "Hebrew" in str(f.BaseFont))
        info = FontInfo(font)
        shown = [code for instruction in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(instruction.operator) == "TJ"
                 for part in instruction.operands[0] if isinstance(part, pikepdf.String)
                 for code in (int.from_bytes(bytes(part)[k:k + 2], "big")
                              for k in range(0, len(bytes(part)), 2))]
        points = [c for c in shown if info.to_unicode.get(c) and
                  all(unicodedata.category(ch) == "Mn" for ch in info.to_unicode[c])]
        assert points and all(info.width(c) == 0 for c in points)  # no width of their own


# A word whose first letter has two points and is kerned against the next (the bet of
# `בְּרֵאשִׁית`): WeasyPrint draws the points, then the kerning, then the letter.
KERNED = "שָׁלוֹם עֲלֵיכֶם, בְּרֵאשִׁית"


def test_poppler_reads_a_kerned_letter_with_its_points(fonts_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data, before = _with_and_without(KERNED, fonts_dir, monkeypatch, "kern_marks")
    normal = readers_table().normal
    assert str(normal(KERNED)) in str(normal(pdftotext(data, tmp_path)))
    # What it is for: poppler took the letter, drawn left of where its points were, for a
    # word of its own (`ברֵאשִׁית ... ְּ`).
    assert str(normal(KERNED)) not in str(normal(pdftotext(before, tmp_path)))
    # Every other reader still reads it, and the page is the same (see above).
    assert str(normal(KERNED)) in str(normal(pdfium_text(data)))
    assert str(normal(KERNED)) in pdfjs_text(data, tmp_path)
    assert _same_page(data, before, tmp_path)
