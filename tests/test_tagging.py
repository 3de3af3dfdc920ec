"""The tag tree the build writes (publication/tagging/tags.py): right-to-left text read back
in logical order, language of parts, table scopes, page numbers as artifacts."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from publication.checks.expectations import find_sidecar, read_sidecar
from publication.model import Project
from publication.pdf.structure import BIDI_CONTROLS, Element, PdfDocument
from publication.tagging import selftest
from publication.typeset import weasy
from tests.checking import build_one, check, checks_of, edit, page, tagged_pdf
from tests.translating import pdf_text, start_catalog

# Arabic with the ligatures that go wrong: lam-alef (لا), lam-alef with hamza (لأ),
# lam-alef maksura (لى), and a shadda on a letter.
ARABIC = {
    "title": "حملة الاختبار",
    "headline": "لا للإفلات من العقاب",
    "quote.text": "لا عدالة على الأراضي بلا محاسبة.",
    "quote.author": "آدا مثال",
    "quote.role": 'مديرة في <span lang="en">Example Org</span>',
    "urging": "نحثّ الجميع على التحرك الآن.",
    "actions.heading": "تحرّكوا",
    "actions.petition": "وقّعوا العريضة",
    "petition.title": "أطلقوا سراح المحتجز",
    "petition.demand": "نطالب بالإفراج عن المحتجز.",
    "petition.table.name": "الاسم",
    "petition.table.town": "المدينة",
    "petition.table.signature": "التوقيع",
    "poster.facts.heading": "الحقائق",
    "common.qr.prompt": "امسحوا الرمز للتوقيع",
    "common.qr.alt": "رمز الاستجابة السريعة: يفتح العريضة على %(url)s",
}
HEBREW = {
    "title": "קמפיין הבדיקה",
    "headline": "שחררו את העצור",
    "quote.text": "אין צדק בלי אחריות.",
    "quote.author": "עדה דוגמה",
    "quote.role": 'מנהלת ב-<span lang="en">Example Org</span>',
    "urging": "אנו קוראים לכולם לפעול עכשיו.",
    "actions.heading": "פעלו",
    "common.qr.alt": "קוד QR: פותח את העצומה בכתובת %(url)s",
}


def _logical(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS).split())


def _letters(text: str) -> str:
    """Letters and marks only: pdftotext places neutral punctuation by its own guess of
    each line's direction, and spaces by the glyphs' gaps; the letters must all be right."""
    return "".join(c for c in unicodedata.normalize("NFC", text)
                   if unicodedata.category(c)[0] in "LMN")


@pytest.fixture
def arabic_poster(project: Project) -> Iterator[PdfDocument]:
    """The fixture campaign's poster in a small Arabic catalogue, opened for reading."""
    start_catalog(project, "ar", ARABIC)
    path, outcome = build_one(project, "ar", "poster", "a3")
    assert outcome.status == "built", outcome.messages
    with PdfDocument.open(path) as doc:
        yield doc


def _reads(doc: PdfDocument) -> list[str]:
    return [_compact(doc.read_text(e, skip_labels=True)) for e in doc.elements]


def test_arabic_reads_back_the_catalogue_through_the_tag_tree(arabic_poster: PdfDocument) -> None:
    read = _reads(arabic_poster)
    for context in ("title", "headline", "actions.heading", "actions.petition",
                    "poster.facts.heading", "common.qr.prompt"):
        assert _compact(_logical(ARABIC[context])) in read, (context, read[:12])
    assert _compact("«" + ARABIC["quote.text"] + "»") in read, "the quote, with its marks"
    assert _compact("آدا مثال\nمديرة في Example Org") in read


def test_right_to_left_lines_carry_their_logical_text(arabic_poster: PdfDocument) -> None:
    lines = [e.actual_text or "" for e in arabic_poster.elements
             if any(unicodedata.bidirectional(c) == "AL" for c in e.actual_text or "")]
    assert len(lines) >= 8
    headline = _compact(ARABIC["headline"])
    assert any(_compact(line) == headline or _compact(line) in headline for line in lines)
    # Through the glyphs alone (no /ActualText) the same line reads in visual order.
    for element in arabic_poster.elements:
        if element.actual_text and _compact(element.actual_text) == headline:
            page = element.kids[0].page  # type: ignore[union-attr]
            glyphs = arabic_poster.mcid_text(page)[element.kids[0].mcid]  # type: ignore[union-attr]
            assert _compact(glyphs) != headline


def test_pdftotext_reads_the_ligatures_right(arabic_poster: PdfDocument) -> None:
    # (pdftotext attaches a shadda drawn before its letter, as right-to-left glyphs are,
    # to the neighbouring letter: strings with marks are checked through the tag tree.)
    text = _letters(pdf_text(Path(arabic_poster.name)))
    for context in ("title", "headline", "quote.text", "poster.facts.heading"):
        assert _letters(ARABIC[context]) in text, (context, text[:200])
    for word in ("الأراضي", "على", "بلا", "الاختبار", "للإفلات"):
        assert word in text, word


def test_a_run_in_another_language_gets_its_own_lang(arabic_poster: PdfDocument) -> None:
    assert str(arabic_poster.pdf.Root.Lang) == "ar"
    english = [e for e in arabic_poster.elements if e.lang == "en"]
    # The quote role's <span lang="en">, then the publisher's address (content
    # petition.return_to), printed in the source language on every locale's poster.
    assert [arabic_poster.read_text(e) for e in english] == [
        "Example Org", "Example Org", "1 Example Street"]
    for element in english:
        inner = [k for k in element.kids if isinstance(k, Element)]
        assert all(arabic_poster.effective_lang(k) == "en" for k in inner)


def test_the_check_is_clean_and_fails_without_actual_text(arabic_poster: PdfDocument) -> None:
    path = Path(arabic_poster.name)
    sidecar = find_sidecar(path)
    assert sidecar is not None
    expectations = read_sidecar(sidecar)
    data = path.read_bytes()
    assert check(data, expectations) == []

    def strip(pdf: pikepdf.Pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/ActualText" in obj:
                del obj["/ActualText"]

    findings = check(edit(data, strip), expectations)
    backwards = [f for f in findings if f.check == "reading-order.text"]
    assert len(backwards) >= 5, findings
    assert any(ARABIC["headline"] in f.message for f in backwards)
    assert "reading-order.rtl" in checks_of(findings, "warning")


def test_hebrew_reads_back_the_catalogue(project: Project) -> None:
    start_catalog(project, "he", HEBREW)
    path, outcome = build_one(project, "he", "leaflet", "a4")
    assert outcome.status == "built", outcome.messages
    with PdfDocument.open(path) as doc:
        read = _reads(doc)
        assert str(doc.pdf.Root.Lang) == "he"
    for context in ("title", "headline", "urging", "actions.heading"):
        assert _compact(_logical(HEBREW[context])) in read, (context, read[:12])
    assert _compact("\u201e" + HEBREW["quote.text"] + "\u201d") in read
    text = _letters(pdf_text(path))
    for context in ("title", "headline", "urging", "quote.text"):
        assert _letters(HEBREW[context]) in text, (context, text[:200])


def test_table_headers_get_scope(project: Project) -> None:
    path, outcome = build_one(project, "en", "petition", "a4")
    assert outcome.status == "built", outcome.messages  # type: ignore[attr-defined]
    with PdfDocument.open(path) as doc:
        headers = [e for e in doc.elements if e.role == "TH"]
        assert len(headers) >= 3
        assert all(str(e.attributes("/Table")["/Scope"]) == "/Column" for e in headers)
        assert isinstance(doc.tree_root, pikepdf.Dictionary) and "/IDTree" in doc.tree_root
    raw = find_sidecar(path)
    assert raw is not None
    assert check(path.read_bytes(), read_sidecar(raw)) == []


def test_page_numbers_become_pagination_artifacts(fonts_dir: Path) -> None:
    # (The petition numbers its pages in its caption now: page-margin content is tested
    # on a page of its own.)
    html = page("<p>First</p><p style='break-before: page'>Second</p>", fonts_dir,
                css="@page { @bottom-center { content: counter(page) } }")
    data, expectations = tagged_pdf(html)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number in (0, 1):
            assert b"/Pagination" in pdf.pages[number].Contents.read_bytes()
    assert check(data, expectations) == []


def test_recording_goes_by_features_not_by_version(monkeypatch: pytest.MonkeyPatch,
                                                   fonts_dir: Path) -> None:
    import weasyprint

    # A bug-fix release (or any version string) passes as long as the features are there.
    monkeypatch.setattr(weasyprint, "__version__", "70.0.1")
    weasy.check_features.cache_clear()
    selftest.run_self_test.cache_clear()
    data, expectations = tagged_pdf(page("<p>Text</p>", fonts_dir))
    assert [u.text for u in expectations.units] == ["Text"]


def test_units_cover_generated_quotes_and_line_breaks(fonts_dir: object) -> None:
    html = page('<p class="q">Justice <em>now</em></p><p>first<br>second</p>'
                '<ul><li>one</li><li>two <span lang="fr">deux</span></li></ul>',
                fonts_dir, css='.q::before { content: "\\201C" } .q::after { content: "\\201D" }')
    data, expectations = tagged_pdf(html)
    texts = [u.text for u in expectations.units]
    assert texts == ["\u201cJustice now\u201d", "first\nsecond", "one", "two deux"]
    assert [(p.lang, p.text) for p in expectations.languages] == [("fr", "deux")]
    assert check(data, expectations) == []


def test_right_to_left_lines_keep_the_space_they_were_broken_at(fonts_dir: Path) -> None:
    """Each line's /ActualText ends with the space the line was broken at (WeasyPrint
    draws none there), so that tag-tree readers keep the words apart; a line broken
    after a hyphen gets none."""
    words = ("האוכלוסיות האזרחיות בישראל ובעזה חוו בשנים האחרונות הרבה יותר מדי "
             "טרגדיות, שפיכות דמים מיותרת ואובדן חיים. המשפט ההומניטרי הבין-לאומי "
             "וזכויות האדם הבין-לאומיות")
    html = page(f'<p style="width: 32mm; hyphens: manual">{words}</p>', fonts_dir,
                lang="he", direction="rtl")
    data, expectations = tagged_pdf(html, lang="he")
    assert check(data, expectations) == []
    with PdfDocument(pikepdf.open(io.BytesIO(data)), "lines") as doc:
        lines = [e.actual_text for e in doc.elements if e.actual_text]
    assert len(lines) >= 6, lines
    assert "".join(lines).strip() == words
    assert all(line.endswith(" ") or line.endswith("-") for line in lines[:-1]), lines
