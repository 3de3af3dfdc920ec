"""Raised glyphs on the baseline (publication/tagging/marks.py): Arabic harakat, shadda and
tanwin drawn with their base, the page unchanged, on small typeset pages."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
from PIL import Image, ImageChops

from publication.pdf.fonts import FontInfo
from publication.tagging import marks
from tests.checking import page, raw_pdf, tagged_pdf
from tests.pdfread import pdfium_text

# Words whose marks the shaper moves up or down: tanwin fath, shadda, damma, kasratan.
WORDS = "فورًا وقّع يُحاسَب مبانٍ"


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
    text = pdfium_text(data)
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


def test_a_mark_first_drawn_in_a_ligature_reads_as_itself_elsewhere(fonts_dir: Path) -> None:
    # WeasyPrint draws a line from the left: the fathatan is first drawn in the lam-alef
    # cluster of جزيلًا (the last word), and its glyph maps to `لًا`, the ligature's to
    # nothing: يومًا read `يوملًاا`, and خلال `خل` in PDFium, pdftotext and pdf.js.
    words = "خلال ٥٠ يومًا شكرًا جزيلًا"
    html = page(f"<p>{words}</p>", fonts_dir, lang="ar", direction="rtl")
    with pikepdf.open(io.BytesIO(raw_pdf(html))) as pdf:  # what the fix is for
        font = next(f for f in pdf.pages[0].Resources.Font.values()
                    if "Arabic" in str(f.BaseFont))
        assert any("\u064b" in text and len(text) > 1
                   for text in FontInfo(font).to_unicode.values())
    data, _ = tagged_pdf(html, lang="ar")
    text = pdfium_text(data)
    for word in words.split():
        assert word in text, (word, text)


def _edit(texts: dict[int, str], marks_of: dict[int, str]) -> marks.FontEdit:
    edit = marks.FontEdit(pikepdf.Dictionary(), None, 1000, texts)
    edit.__dict__.update(marks=marks_of)  # the cached property, given
    return edit


def test_own_text_gives_each_glyph_of_a_cluster_its_own_text() -> None:
    fathatan, lam_alef, meem, alef, lam_alef_first = 1, 2, 3, 4, 5
    edit = _edit({fathatan: "لًا", lam_alef: "لا", meem: "م", alef: "ا", lam_alef_first: ""},
                 {fathatan: "\u064b"})
    # Before a base with its own text: the mark alone, from now on.
    assert edit.own_text(fathatan, meem) == ("\u064b", None)
    assert edit.retexted == {fathatan: "\u064b"}
    # Before the ligature it sits in: the ligature reads lam, the mark itself and alef
    # (the glyph of no width holds the mark: pdf.js takes it for one of no width).
    assert edit.own_text(fathatan, lam_alef) == ("\u064bا", "ل")
    # Before a base with no text (the cluster the mark was first drawn in): the base
    # gets the rest of the cluster, for good, and then reads as above.
    assert edit.own_text(fathatan, lam_alef_first) == ("\u064bا", "ل")
    assert edit.retexted == {fathatan: "\u064b", lam_alef_first: "لا"}
    # Nothing known after it, not a mark, or a mark with its own text: unchanged.
    assert edit.own_text(fathatan, None) == (None, None)
    assert edit.own_text(alef, meem) == (None, None)
    assert _edit({1: "\u064b", 3: "م"}, {1: "\u064b"}).own_text(1, 3) == (None, None)


def test_own_text_leaves_clusters_of_two_marks_alone() -> None:
    fatha, shadda, beh = 1, 2, 3
    edit = _edit({fatha: "بَّ", shadda: "", beh: ""}, {fatha: "\u064e", shadda: "\u0651"})
    assert edit.own_text(fatha, shadda) == (None, None)  # the next glyph is a mark
    assert edit.own_text(fatha, beh) == (None, None)  # the rest holds a mark
    assert edit.retexted == {}


def test_split_marks_gives_each_mark_of_a_cluster_its_own_text() -> None:
    # Hebrew שָׁ and שִׁ: WeasyPrint maps the qamats and hiriq glyphs to the point and the
    # shin dot, the shin dot glyph to nothing (read as "d" by pdf.js and PDFium).
    qamats, hiriq, shin_dot, sheva, dagesh = 79, 45, 100, 95, 15
    edit = _edit({qamats: "\u05b8\u05c1", hiriq: "\u05b4\u05c1", shin_dot: "",
                  sheva: "\u05b0\u05bc", dagesh: "", 7: "\u05b5\u05b9"},
                 {qamats: "\u05b8", hiriq: "\u05b4", shin_dot: "\u05c1", sheva: "\u05b0",
                  dagesh: "\u05bc", 7: "\u05b5"})
    assert edit.split_marks() == 3
    assert edit.retexted == {qamats: "\u05b8", hiriq: "\u05b4", shin_dot: "\u05c1",
                             sheva: "\u05b0", dagesh: "\u05bc"}
    # Glyph 7's second mark (holam) has no glyph of its own with no text: left alone.
    assert 7 not in edit.retexted


def test_hebrew_points_read_with_their_letters(fonts_dir: Path) -> None:
    words = "שָׁלוֹם בְּרֵאשִׁית"
    html = page(f"<p>{words}</p>", fonts_dir, lang="he", direction="rtl")
    data, _ = tagged_pdf(html, lang="he")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values()
                    if "Hebrew" in str(f.BaseFont))
        values = FontInfo(font).to_unicode.values()
        # Every glyph reads: no mark glyph left with no Unicode value, none with two.
        assert all(values) and "\u05c1" in values
        assert not any(len(v) > 1 and all(unicodedata.category(c) == "Mn" for c in v)
                       for v in values)


def test_a_copy_of_a_copy_has_the_originals_width(fonts_dir: Path) -> None:
    # (offsets.offset_marks copies marks other passes copied before; the copy's /W was
    # the font's default width, 1 em, and the word it stood in was torn apart)
    data = raw_pdf(page("<p>שלום</p>", fonts_dir, lang="he", direction="rtl"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values()
                    if "Hebrew" in str(f.BaseFont))
        before = FontInfo(font)
        code = next(c for c, text in before.to_unicode.items() if text == "ש")
        edits = marks.FontEdits()
        edit = edits.of(font)
        assert edit is not None
        copy = edit.copy(code, 10, 0)
        assert copy is not None
        again = edit.copy(copy, 20, 0)
        assert again is not None
        edits.write(pdf)
        after = FontInfo(font)
        assert after.width(copy) == after.width(again) == before.width(code) != 1.0
