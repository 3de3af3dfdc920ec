"""Unicode values mended from each run's text (publication/tagging/clusters.py): glyphs
WeasyPrint left with no characters, and marks read after the ligature they sit in."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf

from publication.pdf.fonts import FontInfo
from publication.tagging import clusters
from tests.checking import page, raw_pdf, tagged_pdf
from tests.pdfread import pdfium_text, pdfjs_text, pdftotext


def _arabic_values(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = next(f for f in pdf.pages[0].Resources.Font.values()
                    if "Arabic" in str(f.BaseFont))
        return list(FontInfo(font).to_unicode.values())


def test_a_ligature_first_drawn_after_a_mark_reads_its_letters(fonts_dir: Path,
                                                               tmp_path: Path) -> None:
    # The lam-alef of امتثالًا is drawn after the tanwin, which already has its own
    # character (from تامًا, drawn first): WeasyPrint gives the ligature none.
    words = "امتثالًا تامًا"
    html = page(f"<p>{words}</p>", fonts_dir, lang="ar", direction="rtl")
    assert "" in _arabic_values(raw_pdf(html))  # what the fix is for
    data, _ = tagged_pdf(html, lang="ar")
    assert "" not in _arabic_values(data)
    for text in (pdfium_text(data), pdftotext(data, tmp_path), pdfjs_text(data, tmp_path)):
        for word in words.split():
            assert word in text, (word, text)
    # (in pdf.js, the whole word: its mark's glyph, of no width, holds the mark and alef)
    assert words in pdfjs_text(data, tmp_path)


def test_a_mark_inside_a_ligature_reads_where_the_text_has_it(fonts_dir: Path,
                                                              tmp_path: Path) -> None:
    for words in ("خلال ٥٠ يومًا شكرًا جزيلًا", "جزيلًا شكرًا خلال ٥٠ يومًا"):
        html = page(f"<p>{words}</p>", fonts_dir, lang="ar", direction="rtl")
        data, _ = tagged_pdf(html, lang="ar")
        for text in (pdfium_text(data), pdftotext(data, tmp_path),
                     pdfjs_text(data, tmp_path)):
            assert "جزيلًا" in text and "جزيلاً" not in text, (words, text)
            assert "خلال" in text, (words, text)


def _word(*texts: str) -> list[tuple[Any, str]]:
    return [(None, text) for text in texts]


def test_solve_finds_the_one_answer_or_none() -> None:
    # One glyph with no characters, once or twice in the word.
    assert clusters._solve(_word("خ", "", "ل"), "خلال") == "لا"
    assert clusters._solve(_word("", "ب", ""), "لابلا") == "لا"
    # Drawn before a mark that sits inside it: the letters on both sides of the mark.
    assert clusters._solve(_word("ث", "", "\u064b"), "ثل\u064bا") == "لا"
    # The other glyphs do not read as the word has them, or the answer is too long.
    assert clusters._solve(_word("خ", "", "م"), "خلال") is None
    assert clusters._solve(_word("", "ب"), "abcdefb") is None
