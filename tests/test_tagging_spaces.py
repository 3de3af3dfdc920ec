"""Right-to-left marks for poppler (publication/tagging/spaces.py): where they go in a
line, and what poppler's pdftotext, PDFium and the page itself show with them."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageChops

from publication.checks import check_bytes
from publication.pdf.fonts import FontInfo
from publication.tagging import spaces
from tests.checking import page, tagged_pdf
from tests.pdfread import pdfjs_text, pdftotext, readers_table

# Hebrew lines poppler read wrong before (the build of 2026-12-02): a comma and a
# space, numbers with spaces, a full stop after a number, a hyphen before one, and Latin
# words inside.
HEBREW = ["טרגדיות, שפיכות דמים", "במהלך 50 ימי הלחימה", "שבוצעו בקיץ 2014. אנו רוצים",
          "יותר מ-500 ילדים", "ממשלות, ארגונים וחברות"]
ARABIC = ["في صيف 2014، استهدف الجيش", "السنوات الأخيرة، من دون أي مساءلة."]
# Lines pdf.js read without a space before: a Latin name in its own span (a run of its
# own between two Hebrew or Arabic ones), and a haraka drawn just after a space.
EDGES = {
    "he": ['של <span lang="en">Amnesty International</span> בלונדון',
           'לארגון <span lang="en">Amnesty International</span> ולארגוני'],
    "ar": ["الدماء بلا داعٍ والخسائر", "رسم توضيحي أُعدّ خصيصًا",
           'منظمة <span lang="en">Amnesty International</span> في لندن'],
}


# Lines as they are drawn, left to right: the words' letters reversed, numbers and Latin
# words not.
@pytest.mark.parametrize(("drawn", "marks"), [
    # the mark goes after each glyph of these
    ("תוכיפש ,תוידגרט", [6]),        # "טרגדיות, שפיכות": between the space and the comma
    ("ימי 50 ךלהמב", [3, 5]),        # "במהלך 50 ימי": around the number
    (".2014 ץיקב", [0, 4]),          # "בקיץ 2014.": the full stop stays after the number
    ("500-מ", [2]),                  # "מ-500": the hyphen stays before it
    ("2,000-מ", [4]),                # "מ-2,000": a comma inside a number gets none
    ("312 ,Amnesty :עדימה", [12]),   # "המידע: Amnesty, 312": only between the space
                                     # and the colon; none next to the Latin word or 312
])
def test_marks_go_where_poppler_would_carry_a_neutral_into_a_number(drawn: str,
                                                                   marks: list[int]) -> None:
    assert sorted(spaces.marked_after(list(drawn))) == marks


def test_no_mark_touches_latin_words() -> None:
    # poppler would want them there too, but PDFium then reads the words backwards.
    drawn = "ןודנולב Amnesty International לש"  # "של Amnesty International בלונדון"
    assert spaces.marked_after(list(drawn)) == set()


def _shown(glyphs: Sequence[str], mcid: int, x: float = 0.0, rtl: bool = True) -> spaces.LineShow:
    return spaces.LineShow(0, pikepdf.Dictionary(), x, 0.0, list(glyphs), rtl, mcid)


def test_a_space_at_a_run_edge_next_to_another_run_reads_as_a_mark_and_a_space() -> None:
    # "של Amnesty International בלונדון" drawn left to right: the Hebrew runs' spaces
    # face the Latin run; the line's own ends and a run of the same MCID get nothing.
    left, latin, right = _shown(" ןודנולב ", 1), _shown("Amnesty", 2, 50, rtl=False), \
        _shown(" לש", 3, 90)
    same = _shown(" תא", 3, 120)
    spaces.edge_spaces([left, latin, right, same])
    assert (left.held, latin.held, right.held, same.held) == ({8}, set(), {0}, set())


def test_a_space_before_latin_words_gets_a_mark_after_it_in_a_right_to_left_line() -> None:
    # "של Amnesty International בלונדון" drawn left to right: the space before בלונדון
    # (drawn last in its run) faces the Latin run; the one after של faces it too, but
    # poppler reads that one on the right side already.
    left, latin, right = _shown(" ןודנולב ", 1), _shown("Amnesty International", 2, 50,
                                                        rtl=False), _shown(" לש", 3, 90)
    spaces.latin_edges([left, latin, right])
    assert (left.after, latin.after, right.after) == ({8}, set(), set())
    # "פיליפ לותר מ-Amnesty International": the hyphen, drawn first by its run, gets
    # a mark before it; a bracket before Latin words, one after it.
    latin2, prefix = _shown("Amnesty International", 2, 0, rtl=False), \
        _shown("-מ רתול פיליפ", 3, 90)
    spaces.latin_edges([latin2, prefix])
    assert prefix.after == {-1}
    close, icc = _shown(")", 4), _shown("ICC", 5, 10, rtl=False)
    spaces.latin_edges([_shown(" לש", 6, -50), close, icc])
    assert close.after == {0}
    # A line PDFium reads left to right gets none: one more right-to-left segment
    # would turn it (the Latin words then read backwards).
    label, address = _shown(" :עדימה", 1), _shown("Amnesty International, Canada", 2, 50,
                                                 rtl=False)
    spaces.latin_edges([label, address])
    assert label.after == set()
    assert not spaces._pdfium_rtl([label, address])
    assert spaces._pdfium_rtl([left, latin, right])
    # ... counting the marks and the spaces read as RLM_SPACE it has so far
    url = _shown("act.example.org", 7, 50, rtl=False)
    before, after = _shown(" ורשקתה", 8), _shown(":המיתחל", 9, 120)
    assert not spaces._pdfium_rtl([before, url, after])
    before.held.add(0)  # as many of each: still left to right
    assert not spaces._pdfium_rtl([before, url, after])
    after.after.add(-1)
    assert spaces._pdfium_rtl([before, url, after])


def test_pdfium_reads_a_line_right_to_left_with_more_right_to_left_segments() -> None:
    # as pypdfium2's PDFium does: two segments of each, left to right
    assert not spaces.pdfium_reads_rtl("Intl םלוע Amnesty םולש")
    assert spaces.pdfium_reads_rtl("םלוע Amnesty םולש")
    assert spaces.pdfium_segments("(ICC) 2014 םולש") == (1, 1)


def test_marks_that_would_turn_a_line_get_a_mark_before_it() -> None:
    # "(اختياري)" alone on a line: its brackets' two LRMs and its one word would make
    # PDFium read it left to right; an RLM before its first glyph keeps it.
    alone = _shown(list(")يرايتخا("), 1)
    spaces.bracket_marks([alone])
    assert alone.ltr_after == {0, 8} and alone.after == {-1, 0, 8}
    assert spaces._pdfium_rtl([alone])


def test_a_bracket_inside_right_to_left_text_gets_marks_for_pdfium() -> None:
    # "דוא״ל (לא חובה) עכשיו" drawn from the left: an LRM after each bracket (PDFium
    # reads it first, and then not mirrored), an RLM before the closing one, which has a
    # space on its left (poppler would take the space into its left-to-right section).
    run = _shown(list("וישכע )הבוח אל( ל״אוד"), 1)
    spaces.bracket_marks([run])
    assert run.ltr_after == {6, 14} and run.after == {5}
    # A bracket or quotation mark a line ends or starts with: the RLM after the LRM
    # (one glyph: `_inserted`).
    end = _shown(list(")הבוח אל( ל״אוד"), 5)
    spaces.bracket_marks([end])
    assert end.ltr_after == {0, 8} and end.after == {0}
    quote = _shown(list("”.ןיוזמ ךוסכס"), 6)
    spaces.bracket_marks([quote])
    assert quote.ltr_after == {0} and quote.after == {0}
    start = _shown(list("ןיוזמ ךוסכס("), 7)
    spaces.bracket_marks([start])
    assert start.ltr_after == {11} and start.after == {11}
    # Nor one with no right-to-left letter on its right ("(ICC)" alone on a line).
    alone = [_shown(")", 2), _shown("ICC", 3, 10, rtl=False), _shown("(", 4, 40)]
    spaces.bracket_marks(alone)
    assert all(not s.ltr_after and not s.after for s in alone)


def test_latin_words_in_brackets_alone_on_a_line_get_marks_for_pdfium_and_poppler() -> None:
    # "(ICC)" drawn left to right after the line's lead glyph: RLM ) LRM RLM ICC RLM ( LRM.
    line = [_shown([spaces.RLM_SPACE], 1), _shown(")", 2, 1), _shown("ICC", 3, 4),
            _shown("(", 4, 20)]
    line[1].after.add(0)  # (one of its own marks: the other rules do not run on the line)
    spaces.bracketed_latin(line)
    assert [(s.after, s.ltr_after) for s in line] == [
        (set(), set()), ({-1, 0}, {0}), ({2}, set()), (set(), {0})]
    text = "".join(spaces._drawn_text(s) for s in line)
    assert text == f"{spaces.RLM_SPACE}{spaces.RLM}){spaces.LRM}{spaces.RLM}ICC{spaces.RLM}(" \
                   f"{spaces.LRM}"
    assert spaces.pdfium_reads_rtl(text)  # from the opening bracket, after its LRM
    # Anything else on the line, or no lead glyph: the other rules' marks stay.
    for other in ([_shown([spaces.RLM_SPACE], 1), _shown(".)", 2, 1), _shown("ICC", 3, 4),
                   _shown("(", 4, 20)],
                  [_shown(")", 2, 1), _shown("ICC", 3, 4), _shown("(", 4, 20)],
                  [_shown([spaces.RLM_SPACE], 1), _shown(")", 2, 1), _shown("ICC ב", 3, 4),
                   _shown("(", 4, 20)]):
        other[1].after.add(0)
        spaces.bracketed_latin(other)
        assert other[1].after == {0} and not any(s.ltr_after for s in other)


def test_a_line_drawn_from_a_mark_gets_a_lead_glyph_before_it() -> None:
    # "في مناطق أو مبانٍ" starts, drawn from the left, with the tanwin of مبانٍ.
    first, other = _shown(["\u064d", "ن", "ا"], 1, 0), _shown(["ي", "ف"], 1, 40)
    first.index, other.index = 3, 4
    spaces.lead_marks([first, other])
    assert (first.lead, other.lead) == (True, False)
    later = _shown(["\u064d", "ن"], 2, 80)
    later.index = 5
    spaces.lead_marks([other, later])  # a mark drawn after the line's start: none
    assert not later.lead
    # "... الرقم +49 123456 مساءً": مساءً drawn after the phone number, on its right
    phone, last = _shown("+49 123456", 2, 50, rtl=False), _shown(["\u064b", "ء"], 3, 0)
    phone.index, last.index = 6, 7
    spaces.lead_marks([last, phone])
    assert last.lead
    # ... but not before a run whose text goes on without a space: no space is added
    left, word = _shown(["ب", "ا"], 5, 0), _shown(["\u064b", "ء"], 3, 30)
    left.index, word.index = 9, 8
    spaces.lead_marks([left, word])
    assert not word.lead


def test_a_space_before_a_mark_reads_as_a_mark_and_a_space() -> None:
    run = _shown(["ו", " ", "\u064d", "ע", "א", "ד", " "], 1)
    spaces.edge_spaces([run])
    assert run.held == {1}


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    return _plain(pdftotext(data, tmp_path))


def _pdfium(data: bytes) -> str:
    doc = pypdfium2.PdfDocument(data)
    try:
        return _plain(" ".join(p.get_textpage().get_text_range() for p in doc))
    finally:
        doc.close()


def _plain(text: str) -> str:
    """Bidi controls out, white space as single spaces (as tools/readers/table.py)."""
    text = "".join(ch for ch in text if unicodedata.bidirectional(ch) not in
                   ("LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI")
                   and ch not in "\u200e\u200f\u061c")
    return " ".join(text.split())


@pytest.mark.parametrize(("lang", "lines"), [("he", HEBREW), ("ar", ARABIC)])
def test_poppler_and_pdfium_read_the_lines_in_logical_order(
        fonts_dir: Path, tmp_path: Path, lang: str, lines: list[str]) -> None:
    html = page("".join(f"<p>{line}</p>" for line in lines), fonts_dir, lang=lang,
                direction="rtl")
    data, expectations = tagged_pdf(html, lang=lang)
    poppler, pdfium = _pdftotext(data, tmp_path), _pdfium(data)
    for line in lines:
        assert line in poppler, poppler
        assert line in pdfium, pdfium
    assert not [f for f in check_bytes(data, "test", expectations) if f.severity == "error"]


def test_without_the_marks_poppler_reads_them_wrong(fonts_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # What the marks are for: if poppler reads these right without them, they can go.
    monkeypatch.setattr(spaces, "rtl_marks", lambda *args: 0)
    html = page("".join(f"<p>{line}</p>" for line in HEBREW), fonts_dir, lang="he",
                direction="rtl")
    poppler = _pdftotext(tagged_pdf(html, lang="he")[0], tmp_path)
    assert sum(line in poppler for line in HEBREW) <= 1, poppler


def _raster(data: bytes, tmp_path: Path, name: str) -> Image.Image:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(pdf),
                    str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("L")


def test_the_page_looks_the_same_and_only_right_to_left_text_gets_marks(
        fonts_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = page("".join(f"<p>{line}</p>" for line in HEBREW)
                + '<p dir="ltr" lang="en">Phone: +49 (0)221 123456, www.example.org</p>',
                fonts_dir, lang="he", direction="rtl")
    marked = tagged_pdf(html, lang="he")[0]
    with monkeypatch.context() as patch:
        patch.setattr(spaces, "rtl_marks", lambda *args: 0)
        plain = tagged_pdf(html, lang="he")[0]
    assert ImageChops.difference(_raster(marked, tmp_path, "marked"),
                                 _raster(plain, tmp_path, "plain")).getbbox() is None
    with pikepdf.open(io.BytesIO(marked)) as pdf:
        fonts = [FontInfo(f) for f in pdf.pages[0].Resources.Font.values()]
        assert any(spaces.RLM in text for f in fonts for text in f.to_unicode.values())
    # The left-to-right paragraph reads as it did, with no mark in its text.
    assert "Phone: +49 (0)221 123456, www.example.org" in _pdftotext(marked, tmp_path)


def test_a_left_to_right_document_is_left_alone(fonts_dir: Path) -> None:
    html = page("<p>Gruppe שלום עולם, Köln: 2,000 Unterschriften.</p>", fonts_dir, lang="de")
    data, _ = tagged_pdf(html, lang="de")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            # (tags.fix runs the pass: a German line's Hebrew name gets no mark)
            assert not any(spaces.RLM in t for t in FontInfo(font).to_unicode.values())


# Paragraphs pdf.js read wrong without `lead_marks`: a line whose drawing starts with a
# mark (the tanwin of its last word) gave it to the line before: `غيرٍ`, `مبان`.
LEADS = ["الهجمات العشوائية غير", "في مناطق أو مبانٍ", "شكرًا جزيلًا",
         'اتصلوا على الرقم <span dir="ltr">+49 (0)221 123456</span> مساءً']
# Paragraphs poppler read without the space after the Latin words without
# `latin_edges` (`internationalבלונדון`), among Hebrew ones: poppler takes one direction
# for the whole page, from the letters it has the most of.
LATIN = [*HEBREW, 'במזכירות הבין-לאומית של <span lang="en">Amnesty International</span> '
         "בלונדון, אנגליה", 'תהליך שלום כושל, <span lang="en">Amnesty International</span> '
         "קוראת לשני הצדדים", "ישתפו פעולה עם בית הדין הפלילי (ICC)"]
# Paragraphs PDFium read with mirrored brackets and quotation marks without
# `bracket_marks` (`)לא חובה(`, `»قوانين الحرب«`), among right-to-left ones.
# And at a line's ends: after a full stop (`המלחמה.„`), before a word (`«قوانين`).
BRACKETS = {"he": [*HEBREW, "דוא״ל לעדכונים (לא חובה) ועוד מילים כאן", "(לא חובה)",
                   "על פי המשפט, „דיני המלחמה“, על כל הצדדים",
                   "הוא אמר: „זו הפרה של דיני המלחמה.“", "(לא חובה) דואר אלקטרוני"],
            "ar": [*ARABIC, "القانون الإنساني الدولي، أي «قوانين الحرب»، يجب على جميع",
                   "قال: «إن الطرفين ارتكبا انتهاكات خلال النزاعات المسلحة.»",
                   "«قوانين الحرب» هي القانون الدولي الإنساني", "(اختياري) البريد الإلكتروني",
                   "(اختياري)"]}
# A parenthesised Latin abbreviation alone on a line, after the line's lead glyph:
# PDFium read `)ICC(` without `bracketed_latin`.
BRACKETED = [*HEBREW, "ישתפו פעולה עם בית הדין הפלילי הבין-לאומי <br>(ICC)",
             "קריאה לחברי הארגון <br>(Amnesty International)"]
# (pass, language) -> the paragraphs the pass is for, and the reader it is for
CASES = {("edge_spaces", "he"): (EDGES["he"], "pdf.js"),
         ("edge_spaces", "ar"): (EDGES["ar"], "pdf.js"),
         ("lead_marks", "ar"): (LEADS, "pdf.js"), ("latin_edges", "he"): (LATIN, "poppler"),
         ("bracket_marks", "he"): (BRACKETS["he"], "PDFium"),
         ("bracket_marks", "ar"): (BRACKETS["ar"], "PDFium"),
         ("bracketed_latin", "he"): (BRACKETED, "PDFium")}


def _html(lines: list[str], lang: str, fonts_dir: Path) -> str:
    return page("".join(f"<p>{line}</p>" for line in lines), fonts_dir, lang=lang,
                direction="rtl")


def _words(line: str) -> str:
    """`line` as the readers' table compares it (case folded), its markup out."""
    return str(readers_table().normal(re.sub(r"<[^>]+>", "", line)))


def _read(data: bytes, tmp_path: Path) -> dict[str, str]:
    return {"pdf.js": pdfjs_text(data, tmp_path),
            "poppler": _pdftotext(data, tmp_path).casefold(),
            "PDFium": _pdfium(data).casefold()}


@pytest.mark.parametrize(("name", "lang"), sorted(CASES))
def test_the_reader_reads_the_lines_it_lost_spaces_or_marks_of(
        fonts_dir: Path, tmp_path: Path, name: str, lang: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    paragraphs, reader = CASES[name, lang]
    html = _html(paragraphs, lang, fonts_dir)
    data, expectations = tagged_pdf(html, lang=lang)
    read = _read(data, tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(spaces, name, lambda line: None)
        before = _read(tagged_pdf(html, lang=lang)[0], tmp_path)
    lines = [_words(line) for line in paragraphs]
    assert all(line in read[reader] for line in lines), read[reader]
    # What the pass is for: if the reader reads these right without it, it can go.
    assert not all(line in before[reader] for line in lines), before[reader]
    # The other readers read no line worse (a short line with a Latin name inside is
    # beyond some either way: PDFium reads it left to right, or the Latin words backwards)
    for other in set(read) - {reader}:
        assert all(line in read[other] for line in lines if line in before[other]), \
            (other, read[other])
    assert not [f for f in check_bytes(data, "test", expectations) if f.severity == "error"]


@pytest.mark.parametrize(("name", "lang"), [("edge_spaces", "ar"), ("lead_marks", "ar"),
                                            ("latin_edges", "he"), ("bracket_marks", "he"),
                                            ("bracketed_latin", "he")])
def test_the_page_looks_the_same_with_them(fonts_dir: Path, tmp_path: Path, name: str,
                                           lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    html = _html(CASES[name, lang][0], lang, fonts_dir)
    changed = tagged_pdf(html, lang=lang)[0]
    with monkeypatch.context() as patch:
        patch.setattr(spaces, name, lambda line: None)
        plain = tagged_pdf(html, lang=lang)[0]
    assert changed != plain
    assert ImageChops.difference(_raster(changed, tmp_path, "changed"),
                                 _raster(plain, tmp_path, "plain")).getbbox() is None
