"""Tri-fold imposition (publication/impose.py, marks.py): panel order, widths, folds, marks."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from publication.kinds import PAPERS, PT_PER_MM
from publication.model import Project, Selection
from publication.press.impose import (
    FOLD_IN_NARROWER_MM,
    Imposition,
    ImpositionError,
    imposed,
    one_up,
    trifold,
)
from publication.press.marks import SLUG_MM
from tests.printing import Word, build_all, module_project, raster, words

# A word only one panel of the fixture leaflet has (English; ar and he fall back to it):
# the cover, the quote, the facts, the demands (with the governments' box), the law, the
# call to action.
MARKERS = {1: "subtitle", 2: "delayed", 3: "protest", 4: "urge", 5: "civilians", 6: "Take"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir, ("ar", "he"))
    build_all(project, Selection(kinds=("leaflet",), sizes=("a4",)))
    build_all(project, Selection(locales=("en",), kinds=("leaflet",), sizes=("letter",)))
    return project


def _files(project: Project, locale: str, size: str) -> tuple[Path, Path]:
    folder = project.output / "fixture" / locale
    return folder / f"leaflet-{size}.pdf", folder / f"leaflet-{size}-print.pdf"


def test_trifold_widths_and_folds() -> None:
    for size in ("a4", "letter"):
        paper = PAPERS[size]
        layout = trifold(paper, rtl=False)
        assert layout.trim == (paper.height, paper.width), "a landscape sheet"
        for side in layout.sides:
            widths = {slot.page + 1: slot.width for slot in side.slots}
            assert sum(widths.values()) == pytest.approx(paper.height)
            flap = 4 if side.name == "inside" else 5
            others = [w for panel, w in widths.items() if panel != flap]
            assert others[0] == pytest.approx(others[1])
            assert widths[flap] == pytest.approx(others[0] - FOLD_IN_NARROWER_MM, abs=0.002)
        outside, inside = layout.sides
        # The folds of the two sides meet through the paper.
        assert sorted(round(layout.trim[0] - f, 2) for f in inside.folds) == \
            sorted(round(f, 2) for f in outside.folds)
    a4 = trifold(PAPERS["a4"], rtl=False)
    assert [round(s.width, 2) for s in a4.sides[0].slots] == [97.67, 99.67, 99.67]


def test_panel_order_and_mirroring() -> None:
    ltr = trifold(PAPERS["a4"], rtl=False)
    rtl = trifold(PAPERS["a4"], rtl=True)
    assert [(s.name, s.panels) for s in ltr.sides] == [("outside", (5, 6, 1)),
                                                        ("inside", (2, 3, 4))]
    assert [(s.name, s.panels) for s in rtl.sides] == [("outside", (1, 6, 5)),
                                                        ("inside", (4, 3, 2))]
    assert [round(s.width, 2) for s in rtl.sides[0].slots] == [99.67, 99.67, 97.67]


def _blank_pdf(*sizes_mm: tuple[float, float]) -> bytes:
    with pikepdf.new() as pdf:
        for width, height in sizes_mm:
            pdf.add_blank_page(page_size=(width * PT_PER_MM, height * PT_PER_MM))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_impose_refuses_pages_that_do_not_fit(fonts_dir: Path) -> None:
    layout = trifold(PAPERS["a4"], rtl=False)
    with pytest.raises(ImpositionError, match="the layout needs page 5"), \
            imposed(_blank_pdf(*[(99, 210)] * 4), layout, "test", fonts_dir):
        pass
    with pytest.raises(ImpositionError, match="too big for its 97.67 x 210.00 mm slot"), \
            imposed(_blank_pdf(*[(105, 210)] * 6), layout, "test", fonts_dir):
        pass
    poster: Imposition = one_up(PAPERS["a3"], rtl=False)
    with imposed(_blank_pdf((297, 420)), poster, "test", fonts_dir) as pdf:
        assert len(pdf.pages) == 1
        trim = [round(float(v) / PT_PER_MM, 2) for v in pdf.pages[0].obj.TrimBox]
        assert trim == [SLUG_MM, SLUG_MM, SLUG_MM + 297, SLUG_MM + 420]


def _slots_text(sheet: Path, page: int, layout: Imposition) -> list[list[Word]]:
    """The words on each slot of a sheet side, left to right; each must lie in one slot."""
    side = layout.sides[page - 1]
    height = layout.trim[1]
    found: list[list[Word]] = [[] for _ in side.slots]
    for word in words(sheet, page):
        if word.y1 < SLUG_MM or word.y0 > SLUG_MM + height:
            continue  # the slug line
        x0, x1 = word.x0 - SLUG_MM, word.x1 - SLUG_MM
        inside = [i for i, slot in enumerate(side.slots)
                  if slot.x - 0.05 <= x0 and x1 <= slot.x + slot.width + 0.05]
        assert len(inside) == 1, f"{word} crosses a fold or the trim"
        found[inside[0]].append(word)
    return found


@pytest.mark.parametrize(("locale", "size"), [("en", "a4"), ("en", "letter"), ("ar", "a4"),
                                              ("he", "a4")])
def test_sheet_sides_carry_the_accessible_panels_in_order(
    built: Project, locale: str, size: str,
) -> None:
    accessible, printed = _files(built, locale, size)
    rtl = locale in ("ar", "he")
    layout = trifold(PAPERS[size], rtl)
    with pikepdf.open(printed) as pdf:
        assert len(pdf.pages) == 2, "outside and inside"
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) / PT_PER_MM for v in page.obj.TrimBox)
            assert (round(x1 - x0, 1), round(y1 - y0, 1)) == \
                (round(layout.trim[0], 1), round(layout.trim[1], 1))
            assert x1 - x0 > y1 - y0, "landscape"
    expected = ((5, 6, 1), (2, 3, 4))
    for number, panels in enumerate(expected, start=1):
        order = tuple(reversed(panels)) if rtl else panels
        slots = _slots_text(printed, number, layout)
        for panel, slot_words in zip(order, slots, strict=True):
            texts = Counter(w.text for w in slot_words)
            assert MARKERS[panel] in texts, (number, panel, sorted(texts))
            # One typesetting, two outputs: the same words as the accessible panel.
            assert texts == Counter(w.text for w in words(accessible, panel))


def _dark(image: object, x_mm: float, y0_mm: float, y1_mm: float, dpi: int) -> int:
    """Dark pixels in a 1 mm wide column of the picture, between two heights (mm)."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    px = dpi / 25.4
    box = (round((x_mm - 0.5) * px), round(y0_mm * px), round((x_mm + 0.5) * px),
           round(y1_mm * px))
    return sum(image.crop(box).convert("L").histogram()[:128])


def test_crop_and_fold_marks_sit_in_the_slug(built: Project, tmp_path: Path) -> None:
    _, printed = _files(built, "en", "a4")
    layout = trifold(PAPERS["a4"], rtl=False)
    dpi = 150
    for number, side in enumerate(layout.sides, start=1):
        image = raster(printed, number, dpi, tmp_path)
        top = (SLUG_MM - 9, SLUG_MM - 3.2)  # the marks run from 3 to 9 mm outside the trim
        for fold in side.folds:
            assert _dark(image, SLUG_MM + fold, *top, dpi) > 0, f"no fold mark at {fold} mm"
        for edge in (0, layout.trim[0]):
            assert _dark(image, SLUG_MM + edge, *top, dpi) > 0, "no crop mark"
        assert _dark(image, SLUG_MM + 50, *top, dpi) == 0, "marks only at folds and edges"
        # Nothing is drawn in the bleed's 3 mm: the marks stop at its edge.
        assert _dark(image, SLUG_MM + side.folds[0], SLUG_MM - 2.9, SLUG_MM, dpi) == 0


def test_imposed_file_says_it_is_for_printing(built: Project) -> None:
    _, printed = _files(built, "en", "a4")
    with pikepdf.open(printed) as pdf:
        meta = pdf.open_metadata()
        assert "pdfuaid:part" not in meta
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
        assert str(pdf.docinfo["/Subject"]).startswith("For printing, not for reading")
        assert "leaflet-a4.pdf" in str(pdf.docinfo["/Subject"])
        assert str(pdf.docinfo["/Title"]).endswith("print-shop file")
        assert "For printing, not for reading" in str(meta.get("dc:description"))
