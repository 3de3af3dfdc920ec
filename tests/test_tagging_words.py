"""publication.tagging.words: the words of a left-to-right stretch in a right-to-left
line, drawn so that PDFium reads them in order; the other readers and the page as they
were."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from publication.checks import check_bytes
from publication.tagging import words
from tests.checking import page, tagged_pdf
from tests.pdfread import pdfium_text, pdfjs_text, pdftotext, readers_table
from tests.printing import raster

# Latin names of two words and more inside Hebrew and Arabic lines: PDFium read their
# words last first ("של International Amnesty בלונדון").
LINES = {
    "he": ['הבין-לאומית של <span lang="en">Amnesty International</span> בלונדון, אנגליה',
           'ישראל חייבת לאפשר לארגון <span lang="en">Amnesty International</span> גישה',
           "הדוח של Human Rights Watch Canada השבוע",
           # a space inside the span, at its start: the first word's, not a part
           'הדוח של<span lang="en"> Human Rights Watch</span> השבוע'],
    "ar": ['في الأمانة الدولية لمنظمة <span lang="en">Amnesty International</span> في لندن',
           "وقال فيليب لوثر من Amnesty International في لندن"],
}


@pytest.mark.parametrize(("glyphs", "parts"), [
    (list("ab cd"), [(0, 2), (2, 3), (3, 5)]),
    # marks and a space at its ends go with the first and last words
    (["\u200f", *"ab cd", " "], [(0, 3), (3, 4), (4, 7)]),
])
def test_a_stretch_is_cut_into_its_words_and_spaces(glyphs: list[str],
                                                    parts: list[tuple[int, int]]) -> None:
    assert words._parts(glyphs, [2] * len(glyphs)) == parts


@pytest.mark.parametrize(("glyphs", "levels"), [
    (list("abcd"), [2] * 4),              # one word: PDFium reads it right
    (list("ab.org cd"), [2] * 9),         # a separator in a word: not cut
    (list("ab ד"), [2, 2, 1, 1]),        # right-to-left letters in it
    (list("ab cd"), [2, 2, 1, 2, 2]),     # not one left-to-right stretch
])
def test_what_is_not_a_stretch_of_words(glyphs: list[str], levels: list[int]) -> None:
    assert words._parts(glyphs, levels) is None


def _html(lang: str, fonts_dir: Path) -> str:
    return page("".join(f"<p>{line}</p>" for line in LINES[lang]), fonts_dir, lang=lang,
                direction="rtl")


def _raster(data: bytes, tmp_path: Path, name: str) -> bytes:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    return raster(pdf, 1, 150, tmp_path).tobytes()


@pytest.mark.parametrize("lang", sorted(LINES))
def test_pdfium_reads_the_words_in_order(lang: str, fonts_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    html = _html(lang, fonts_dir)
    data, expectations = tagged_pdf(html, lang=lang)
    with monkeypatch.context() as patch:
        patch.setattr(words, "reverse_words", lambda *args: 0)
        before = tagged_pdf(html, lang=lang)[0]
    normal = readers_table().normal
    lines = [str(normal(readers_table().plain(line))) for line in LINES[lang]]

    def read(pdf: bytes) -> dict[str, str]:
        return {"pdf.js": pdfjs_text(pdf, tmp_path),
                "poppler": str(normal(pdftotext(pdf, tmp_path))),
                "PDFium": str(normal(pdfium_text(pdf)))}

    now, then = read(data), read(before)
    assert all(line in now["PDFium"] for line in lines), now["PDFium"]
    # What it is for: without it PDFium reads none of them.
    assert not any(line in then["PDFium"] for line in lines), then["PDFium"]
    for reader in ("pdf.js", "poppler"):  # they read every line they read before
        assert all(line in now[reader] for line in lines if line in then[reader]), \
            (reader, now[reader])
    assert not [f for f in check_bytes(data, "test", expectations) if f.severity == "error"]
    assert _raster(data, tmp_path, "cut") == _raster(before, tmp_path, "uncut")


def test_each_part_has_its_own_mcid_in_the_structure(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(_html("he", fonts_dir), lang="he")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page_ = pdf.pages[0]
        owners = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[
            int(page_.StructParents)]
        instructions = list(pikepdf.parse_content_stream(page_))
        mcids = [int(i.operands[1].MCID) for i in instructions
                 if str(i.operator) == "BDC" and "/MCID" in i.operands[1]]
        assert len(mcids) == len(set(mcids))
        depth = 0
        for instruction in instructions:  # marked content balanced, never nested
            depth += {"BDC": 1, "BMC": 1, "EMC": -1}.get(str(instruction.operator), 0)
            assert depth in (0, 1)
        assert depth == 0
        cut = [e for e in {o.objgen: o for o in owners if isinstance(o, pikepdf.Dictionary)
                           }.values() if isinstance(e.get("/K"), pikepdf.Array)
               and len(e.K) > 1]
        assert len(cut) == len(LINES["he"])  # each line's parts, each an MCID of its own
        for element in cut:
            assert all(owners[int(k)].objgen == element.objgen for k in element.K)
