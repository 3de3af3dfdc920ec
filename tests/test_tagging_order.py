"""Right-to-left lines drawn in several fonts, split so that pdf.js reads their parts in
the text's order (publication/tagging/order.py)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from publication.checks import check_bytes
from publication.tagging import order
from publication.tagging.marks import FontEdits
from tests.checking import page, tagged_pdf
from tests.pdfread import pdfium_text, pdfjs_text, pdftotext, readers_table
from tests.printing import raster

# Hebrew lines with Latin words and brackets (drawn in the Latin face), numbers and a
# hyphen: pdf.js read the parts of each line last first (`)ICC( הבין-לאומי`), and a
# number with a letter written onto it as it is drawn.
LINES = ["ישתפו פעולה עם בית הדין הפלילי הבין-לאומי (ICC) ועוד מילים",
         "ישתפו פעולה עם בית הדין הפלילי (ICC)",
         "ICC קוראת לשני הצדדים לשתף פעולה עם חקירות",
         "לארגון Amnesty International ולארגוני זכויות ICC 2014 אדם",
         "ב-22/11/2016, במהלך 50 ימי הלחימה בקיץ 2014, תקף הצבא (בעזה).",
         # one instruction, but mostly digits: pdf.js read it as drawn, `2,000-מ`
         "מ-2,000"]


@pytest.mark.parametrize(("drawn", "levels"), [
    # "של ICC 2014 אדם" drawn from the left: the number after the Latin word reads with it
    ("םדא ICC 2014 לש", [1] * 4 + [2] * 8 + [1] * 3),
    # "(ICC)" at a line's end: the brackets read right to left, the line's end counting so
    (")ICC( ימואל", [1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]),
    # "2,000 ילדים": the comma inside the number is the number's; the space is not
    ("םידלי 2,000", [1] * 6 + [2] * 5),
])
def test_glyph_levels_resolve_as_pdfjs_does(drawn: str, levels: list[int]) -> None:
    assert order.glyph_levels(list(drawn)) == levels


@pytest.mark.parametrize(("drawn", "levels"), [
    # "הבין-לאומי (ICC) ב": the pair drawn mirrored, closing one on the left: right to left
    ("ב )ICC( ימואל", [1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]),
    # "את האתר example.org (ICC) שלנו": drawn as Latin text, opening one on the left
    ("ונלש example.org (ICC) רתאה", [1] * 5 + [2] * 17 + [1] * 5),
])
def test_a_bracket_pair_reads_as_its_drawing_shows(drawn: str, levels: list[int]) -> None:
    assert order.glyph_levels(list(drawn)) == levels


def test_a_combining_mark_takes_its_bases_level() -> None:
    assert order.glyph_levels(["\u064d", "ن", " ", "A"]) == [1, 1, 1, 2]


@pytest.mark.parametrize(("levels", "wanted"), [
    ([1, 2, 1], [2, 1, 0]),            # ")" "ICC" "(": right to left
    ([1, 2, 1, 2, 1], [4, 3, 2, 1, 0]),
    ([1, 2, 2, 1], [3, 1, 2, 0]),      # two Latin pieces side by side keep their order
])
def test_logical_order_reverses_the_latin_runs_then_the_line(levels: list[int],
                                                             wanted: list[int]) -> None:
    assert order.logical_order(levels) == wanted


def _html(fonts_dir: Path) -> str:
    return page("".join(f"<p>{line}</p>" for line in LINES), fonts_dir, lang="he",
                direction="rtl")


def _read(data: bytes, tmp_path: Path) -> dict[str, str]:
    normal = readers_table().normal
    return {"pdf.js": pdfjs_text(data, tmp_path), "poppler": str(normal(pdftotext(data, tmp_path))),
            "PDFium": str(normal(pdfium_text(data)))}


def test_pdfjs_reads_each_line_in_the_texts_order(fonts_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    html = _html(fonts_dir)
    data, expectations = tagged_pdf(html, lang="he")
    read = _read(data, tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(order, "split_lines", lambda *args: {})
        unsplit = tagged_pdf(html, lang="he")[0]
    before = _read(unsplit, tmp_path)
    normal = readers_table().normal
    lines = [str(normal(line)) for line in LINES]
    assert all(line in read["pdf.js"] for line in lines), read["pdf.js"]
    # What it is for: if pdf.js reads these right without it, it can go.
    assert sum(line in before["pdf.js"] for line in lines) <= 1, before["pdf.js"]
    # poppler and PDFium read every line they read before
    for reader in ("poppler", "PDFium"):
        assert all(line in read[reader] for line in lines if line in before[reader]), \
            (reader, read[reader])
    assert not [f for f in check_bytes(data, "test", expectations) if f.severity == "error"]
    # The page is the same, pixel for pixel.
    assert _raster(data, tmp_path, "split") == _raster(unsplit, tmp_path, "unsplit")


def _raster(data: bytes, tmp_path: Path, name: str) -> bytes:
    """The first page at 150 dpi, drawn by poppler (tests/printing.raster)."""
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    return raster(pdf, 1, 150, tmp_path).tobytes()


def test_each_piece_has_its_own_mcid_listed_in_the_lines_element(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(_html(fonts_dir), lang="he")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page_ = pdf.pages[0]
        owners = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[
            int(page_.StructParents)]
        mcids = [int(i.operands[1].MCID) for i in pikepdf.parse_content_stream(page_)
                 if str(i.operator) == "BDC" and "/MCID" in i.operands[1]]
        assert len(mcids) == len(set(mcids))  # each MCID once
        split = [e for e in {o.objgen: o for o in owners if isinstance(o, pikepdf.Dictionary)
                             }.values() if isinstance(e.get("/K"), pikepdf.Array)
                 and len(e.K) > 1 and e.S == "/Span"]
        assert split
        for element in split:
            # every kid is this element's own in the parent tree, and it keeps its text
            assert all(owners[int(k)].objgen == element.objgen for k in element.K)
            assert "/ActualText" in element


def test_a_left_to_right_line_is_left_alone(fonts_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # A German line with a Hebrew name and brackets: not a right-to-left run, no split.
    seen: list[dict[int, frozenset[int]]] = []
    split = order.split_lines

    def recording(pdf: pikepdf.Pdf, rtl: Mapping[int, frozenset[int]],
                  edits: FontEdits) -> dict[int, frozenset[int]]:
        seen.append(split(pdf, rtl, edits))
        return seen[-1]

    monkeypatch.setattr(order, "split_lines", recording)
    tagged_pdf(page("<p>Gruppe שלום עולם (ICC), Köln 2014</p>", fonts_dir, lang="de"),
               lang="de")
    assert seen == [{}]


def test_the_raster_helper_sees_a_difference(tmp_path: Path, fonts_dir: Path) -> None:
    # (so that the pixel comparison above can fail)
    a = tagged_pdf(page("<p>שלום</p>", fonts_dir, lang="he", direction="rtl"), lang="he")[0]
    b = tagged_pdf(page("<p>שלום.</p>", fonts_dir, lang="he", direction="rtl"), lang="he")[0]
    assert _raster(a, tmp_path, "a") != _raster(b, tmp_path, "b")
    assert ImageChops.difference(Image.open(tmp_path / "a-1-150.png"),
                                 Image.open(tmp_path / "b-1-150.png")).getbbox()


def test_a_right_to_left_link_in_several_fonts_reads_in_order(
        fonts_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its underline is drawn in its marked content: an artifact of its own once it is cut.
    html = page('<p>ראו <a href="https://example.org/he">את האתר example.org (ICC) שלנו</a>'
                " היום</p>", fonts_dir, lang="he", direction="rtl")
    data, expectations = tagged_pdf(html, lang="he")
    wanted = str(readers_table().normal("ראו את האתר example.org (ICC) שלנו היום"))
    assert wanted in pdfjs_text(data, tmp_path)
    assert not [f for f in check_bytes(data, "test", expectations) if f.severity == "error"]
    with monkeypatch.context() as patch:
        patch.setattr(order, "split_lines", lambda *args: {})
        unsplit = tagged_pdf(html, lang="he")[0]
    assert wanted not in pdfjs_text(unsplit, tmp_path)  # what it is for
    assert _raster(data, tmp_path, "split") == _raster(unsplit, tmp_path, "unsplit")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        instructions = list(pikepdf.parse_content_stream(pdf.pages[0]))
        artifacts = [i for i in instructions if str(i.operator) == "BMC"
                     and i.operands[0] == pikepdf.Name.Artifact]
        assert artifacts  # the underline
