"""tools/readers/table.py, the reader x locale table: each reader runs and reads English.

A smoke test for the harness: the fixture campaign's English poster and leaflet, built here,
are read with pdf.js (under Node), PDFium and poppler; every English string they show must
be read exactly by each. pdf.js must be installed (`cd tools/readers && npm ci`, which
`make test` does): without it these tests fail, they do not skip.

And the reason for tools/fonts/merge.py, read with the same harness: a Hebrew line with
digits and punctuation, set in the merged face (one font for the whole line), reads back
exactly in pdf.js; a bracket drawn mirrored in right-to-left text has a glyph of its own,
so that the same bracket in a left-to-right phone number on that page reads right in every
reader and passes the gate; the merge gives the same bytes every time.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from publication.build.builder import build, plan
from publication.i18n import catalog
from publication.model import BuildOptions, Project, Selection
from tests.pdfread import INSTALL_PDFJS, load_tool, readers_table
from tests.projects import REPO, make_project
from tests.translating import ctx

TABLE = REPO / "tools" / "readers" / "table.py"
MERGE = REPO / "tools" / "fonts" / "merge.py"
INSTALL = INSTALL_PDFJS


table = readers_table()
merge = load_tool(MERGE, "fonts_merge")
# Clauses, digits, a date, parentheses, a colon and quotes on one line: with the upstream
# face pdf.js reads it "...תקף הצבא ,2014 ימי הלחימה בקיץ 50 במהלך ,22/11/2016ב-".
HEBREW = "ב-22/11/2016, במהלך 50 ימי הלחימה בקיץ 2014, תקף הצבא (בעזה): „דיני המלחמה“."


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = make_project(tmp_path_factory.mktemp("readers") / "project", fonts_dir)
    catalog.write_pot(project, catalog.extract(project))
    selection = Selection(locales=("en",), kinds=("poster", "leaflet"), sizes=("a3", "a4"))
    report = build(project, plan(project, selection), BuildOptions(jobs=1))
    assert report.ok, [o.messages for o in report.failed]
    return project


@pytest.fixture(scope="module")
def report(built: Project) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.fail("node is not installed (Debian: apt-get install nodejs npm); then " + INSTALL)
    if not (TABLE.parent / "node_modules" / "pdfjs-dist").is_dir():
        pytest.fail("tools/readers/node_modules has no pdfjs-dist: " + INSTALL)
    try:
        result: dict[str, Any] = table.measure(built.output, built.root)
    except table.ReaderMissing as exc:
        pytest.fail(f"{exc}; {INSTALL}")
    return result


def test_every_reader_reads_every_english_string(report: dict[str, Any]) -> None:
    english = report["locales"]["en"]
    assert set(report["readers"]) == {"pdfjs", "pdfium", "poppler"}
    assert english["strings"] >= 25, english  # the fixture's poster and leaflet show them
    assert len(english["pdfs"]) == 2
    for reader, result in english["readers"].items():
        assert result["of"] >= english["strings"], (reader, result)
        assert result["missed"] == [], (reader, result["missed"][:3])
        assert result["percent"] == 100.0, reader
    assert report["table"] == {r: {"en": 100.0} for r in ("pdfjs", "pdfium", "poppler")}


def test_the_strings_are_the_catalogue_as_the_build_shows_them(built: Project) -> None:
    entries = {e.context: e for e in table.catalogue(built.root, "en")}
    assert entries[ctx("headline")].texts == ("Free the fixture",)
    # Markup stripped; the count filled in and the plural form it picks.
    assert entries[ctx("background.first")].texts == (
        "The first paragraph of background, with emphasis.",)
    assert entries[ctx("facts.protest-days")].texts == ("3 days of protest",)
    assert entries[ctx("facts.detained")].texts == ("1 person detained",)
    assert "placeholder %(url)s" in entries["common.qr.alt"].skipped


def test_each_reader_gives_the_poster_text(built: Project) -> None:
    poster = built.output / "fixture" / "en" / "poster-a3.pdf"
    try:
        texts = {"pdfjs": table.pdfjs_pages([poster])[poster],
                 "pdfium": table.pdfium_pages(poster), "poppler": table.poppler_pages(poster)}
    except table.ReaderMissing as exc:
        pytest.fail(f"{exc}; {INSTALL}")
    for reader, pages in texts.items():
        assert "free the fixture" in table.normal("\n".join(pages)), reader


def test_the_rule_for_read_exactly() -> None:
    normal = table.normal
    assert normal("Free the\nfixture") == normal("free the fixture")   # a line break
    assert normal("ci-\ndessus") == "ci-dessus"                        # after a hyphen
    assert normal("ci\ufffe\r\ndessus") == "ci-dessus"                 # PDFium's mark
    assert normal("\u202bשלום\u202c") == "שלום"                        # bidi controls
    assert normal("a -\nb") == "a - b"                                 # a dash, spaced
    assert "2014 50" not in normal("50 ימי לחימה בקיץ 2014")            # order counts


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("merged")
    merge.build(fonts_dir, out)
    return out


def test_the_merge_is_reproducible(merged: Path, fonts_dir: Path, tmp_path: Path) -> None:
    merge.build(fonts_dir, tmp_path)
    for path in sorted(merged.glob("*.ttf")):
        first = hashlib.sha256(path.read_bytes()).hexdigest()
        assert hashlib.sha256((tmp_path / path.name).read_bytes()).hexdigest() == first
    assert len(list(merged.glob("*Campaign-*.ttf"))) == 4


def test_a_hebrew_line_in_the_merged_face_reads_right_in_pdfjs(merged: Path,
                                                               fonts_dir: Path,
                                                               tmp_path: Path) -> None:
    from tests.checking import tagged_pdf

    face = merged / "NotoSansHebrewCampaign-Regular.ttf"
    latin = fonts_dir / "NotoSans-Regular.ttf"
    html = ('<!DOCTYPE html><html lang="he" dir="rtl"><head><meta charset="utf-8">'
            "<title>t</title><style>"
            f'@font-face {{ font-family: "H"; src: url({face.as_uri()}); }}'
            f'@font-face {{ font-family: "L"; src: url({latin.as_uri()}); }}'
            '@page { size: A5; margin: 15mm } html { font-family: "H", "L"; font-size: 11pt }'
            f"</style></head><body><p>{HEBREW}</p></body></html>")
    data, _ = tagged_pdf(html, lang="he")
    pdf = tmp_path / "hebrew.pdf"
    pdf.write_bytes(data)
    try:
        text = table.normal("\n".join(table.pdfjs_pages([pdf])[pdf]))
    except table.ReaderMissing as exc:
        pytest.fail(f"{exc}; {INSTALL}")
    assert table.normal(HEBREW) in text


def test_mirrored_brackets_get_glyphs_of_their_own(merged: Path) -> None:
    from fontTools.ttLib import TTFont

    for path in sorted(merged.glob("*Campaign-*.ttf")):
        font = TTFont(path)
        cmap, gsub = font.getBestCmap(), font["GSUB"].table
        [feature] = [r.Feature for r in gsub.FeatureList.FeatureRecord
                     if r.FeatureTag == merge.RTL_FEATURE]
        [lookup] = [gsub.LookupList.Lookup[i] for i in feature.LookupListIndex]
        mapping = lookup.SubTable[0].mapping
        index = [r.FeatureTag for r in gsub.FeatureList.FeatureRecord].index(
            merge.RTL_FEATURE)
        for script in gsub.ScriptList.ScriptRecord:
            assert index in script.Script.DefaultLangSys.FeatureIndex, (path.name, script)
        glyf, hmtx = font["glyf"], font["hmtx"]
        for pair in ("()", "[]", "\u00ab\u00bb"):
            for char in pair:
                name = cmap[ord(char)]
                copy = mapping[name]
                assert copy != name and copy not in cmap.values(), (path.name, char)
                assert hmtx[copy] == hmtx[name]
                assert glyf[copy].getCoordinates(glyf)[0] == glyf[name].getCoordinates(glyf)[0]


def test_a_phone_number_on_a_hebrew_page_reads_right_in_every_reader(
        merged: Path, fonts_dir: Path, tmp_path: Path) -> None:
    """The same ( ) in left-to-right text (the phone) and mirrored in right-to-left text
    (the Hebrew parenthesis) on one page: with one glyph for both, one of them read
    wrong everywhere (the phone as "+49 )0(221 123456") and the gate refused the page."""
    from tests.checking import check, checks_of, page, tagged_pdf

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for face in (*merged.glob("*Campaign-*.ttf"), *fonts_dir.glob("NotoSans-*.ttf")):
        (fonts / face.name).symlink_to(face)
    phone = "+49 (0)221 123456"
    body = (f"<p>התקשרו (בשעות היום) למספר</p>"
            f'<p dir="ltr" lang="de">{phone}</p>'
            f"<p>ישתפו פעולה עם בית הדין (בהאג) ועם „הצדדים“.</p>")
    data, expectations = tagged_pdf(page(body, fonts, lang="he", direction="rtl"), lang="he")
    assert checks_of(check(data, expectations), "error") == set()
    pdf = tmp_path / "phone.pdf"
    pdf.write_bytes(data)
    texts = _read_by_each(pdf)
    for reader, pages in texts.items():
        assert table.normal(phone) in table.normal("\n".join(pages)), reader
    # pdf.js and poppler read the mirrored brackets' logical characters. (PDFium mirrors
    # every bracket of a right-to-left segment once more itself: it reads them swapped.)
    for reader in ("pdfjs", "poppler"):
        text = table.normal("\n".join(texts[reader]))
        assert "(בשעות היום)" in text and "(בהאג)" in text, (reader, text)


def _read_by_each(pdf: Path) -> dict[str, list[str]]:
    """Each reader's pages of text of `pdf`; a reader that is not set up fails the test."""
    try:
        return {"pdfjs": table.pdfjs_pages([pdf])[pdf], "pdfium": table.pdfium_pages(pdf),
                "poppler": table.poppler_pages(pdf)}
    except table.ReaderMissing as exc:
        pytest.fail(f"{exc}; {INSTALL}")


@pytest.mark.parametrize(("lang", "before", "name", "after"), [
    ("ar", "وقّع على رسالة تطالب بالإفراج عن", "محمد فيصل أبو سخا", "وأرسلها بالبريد"),
    ("he", "מכתב הקורא לשחרורו של", "מוחמד פייסל אבו סח'ה", "סרקו את הקוד"),
])
def test_a_kept_name_in_right_to_left_text_keeps_its_spaces_in_every_reader(
        fonts_dir: Path, tmp_path: Path, lang: str, before: str, name: str,
        after: str) -> None:
    """keep_names on an Arabic and a Hebrew sentence, typeset with base.css's .name rule.
    With the name in a span of its own (a text run of its own), pdf.js read
    "عنمحمد فيصل أبو سخاوأرسلها": the space at a right-to-left run's edge is lost."""
    from markupsafe import escape

    from publication.render.typography import keep_names
    from tests.checking import page, tagged_pdf

    sentence = f"{before} {name} {after}"
    body = f"<p>{keep_names(escape(sentence), (name,))}</p>"
    css = (REPO / "styles" / "base.css").read_text(encoding="utf-8")
    rule = next(line for line in css.splitlines() if line.startswith(".name "))
    data, _ = tagged_pdf(page(body, fonts_dir, lang=lang, direction="rtl", css=rule), lang=lang)
    pdf = tmp_path / f"{lang}.pdf"
    pdf.write_bytes(data)
    texts = _read_by_each(pdf)
    for reader, pages in texts.items():
        assert table.normal(sentence) in table.normal("\n".join(pages)), (reader, pages)


# The probe's figures on 2026-12-03 (python tools/readers/probe.py): a floor, so that no
# change reads the hard strings worse unnoticed. PDFium reverses the pieces of URLs,
# e-mail addresses and phone numbers inside right-to-left lines (its bidi cuts a
# left-to-right run at each separator), and reads a space into `מ- Amnesty`.
PROBE_FLOOR = {"pdfjs": {"ar": 100.0, "he": 100.0}, "pdfium": {"ar": 75.0, "he": 63.6},
               "poppler": {"ar": 100.0, "he": 100.0}}


def test_the_probe_of_hard_strings_reads_no_worse(tmp_path: Path) -> None:
    probe = load_tool(TABLE.parent / "probe.py", "readers_probe")
    try:
        report = probe.measure(tmp_path)
    except probe.table.ReaderMissing as exc:  # (the probe's own import of table.py)
        pytest.fail(f"{exc}; {INSTALL}")
    got = {reader: {lang: report[lang][reader]["percent"] for lang in ("ar", "he")}
           for reader in PROBE_FLOOR}
    assert all(got[r][lang] >= floor for r, langs in PROBE_FLOOR.items()
               for lang, floor in langs.items()), got
