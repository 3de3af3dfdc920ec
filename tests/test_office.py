"""The leaflet's office sheet (publication/press/office.py, impose.office, marks.draw_guides):
the two sides at 100 % on the landscape paper, panels in folding order, measured with PDFium."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from publication.kinds import PAPERS, PT_PER_MM
from publication.model import Project, Selection
from publication.press.impose import Imposition, office
from publication.press.marks import GUIDE_FROM_MM, GUIDE_TO_MM
from publication.press.office import check_office, office_file, office_layout, office_meta
from tests.printing import build_all, module_project

# A word only one panel of the fixture leaflet has (ar and he fall back to English).
MARKERS = {1: "subtitle", 2: "delayed", 3: "protest", 4: "urge", 5: "civilians", 6: "Take"}
SIDES = ((5, 6, 1), (2, 3, 4))  # outside, inside: left to right when read left to right


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir, ("ar",))
    build_all(project, Selection(kinds=("leaflet",)))
    return project


def _sheet(project: Project, locale: str, size: str) -> Path:
    return project.output / "fixture" / locale / f"leaflet-{size}-office.pdf"


def _slot_text(page: pdfium.PdfPage, x0_mm: float, x1_mm: float) -> str:
    height = page.get_size()[1]
    return str(page.get_textpage().get_text_bounded(x0_mm * PT_PER_MM, 0, x1_mm * PT_PER_MM,
                                                    height))


@pytest.mark.parametrize(("locale", "size"), [("en", "a4"), ("en", "letter"), ("ar", "a4"),
                                              ("ar", "letter")])
def test_office_sheet_is_the_landscape_paper_with_the_panels_in_folding_order(
    built: Project, locale: str, size: str,
) -> None:
    paper = PAPERS[size]
    rtl = locale == "ar"
    layout = office(paper, rtl)
    document = pdfium.PdfDocument(_sheet(built, locale, size))
    try:
        assert len(document) == 2, "outside and inside"
        for number, panels in enumerate(SIDES):
            page = document[number]
            width, height = (v / PT_PER_MM for v in page.get_size())
            # 100 %: the sheet is the paper, landscape, not the print file's media.
            assert (round(width, 1), round(height, 1)) == (paper.height, paper.width)
            order = tuple(reversed(panels)) if rtl else panels
            slots = layout.sides[number].slots
            assert tuple(slot.page + 1 for slot in slots) == order
            for panel, slot in zip(order, slots, strict=True):
                text = _slot_text(page, slot.x, slot.x + slot.width)
                assert MARKERS[panel] in text, (locale, size, number, panel, text[:80])
                others = [MARKERS[p] for p in order if p != panel]
                assert not any(marker in text for marker in others), (panel, text[:80])
    finally:
        document.close()
    with pikepdf.open(_sheet(built, locale, size)) as pdf:
        for page in pdf.pages:
            media = [float(v) for v in page.mediabox]
            for box in ("/TrimBox", "/BleedBox"):
                assert box not in page.obj or [float(v) for v in page.obj[box]] == media, \
                    "no bleed"
        # Tagged all the same: each panel a Figure, in panel order, its text as alt text.
        figures = pdf.Root.StructTreeRoot.K.K
        assert [str(f.Alt).split(":")[0] for f in figures] == \
            [f"Panel {n} of the leaflet" for n in range(1, 7)]
        assert all(len(str(f.Alt)) > 40 for f in figures), "the panel's text is in it"
        assert pdf.Root.MarkInfo.Marked and str(pdf.Root.StructTreeRoot.K.Lang)
        assert "office sheet" in str(pdf.docinfo["/Title"])
        assert "flip on short edge" in str(pdf.docinfo["/Subject"])
        assert f"leaflet-{size}.pdf" in str(pdf.docinfo["/Subject"])


def _dark(page: pdfium.PdfPage, x_mm: float, y0_mm: float, y1_mm: float, dpi: int) -> int:
    """Pixels darker than the paper in a 1 mm wide column, between two heights from the top."""
    image = page.render(scale=dpi / 72).to_pil().convert("L")
    px = dpi / 25.4
    box = (round((x_mm - 0.5) * px), round(y0_mm * px), round((x_mm + 0.5) * px),
           round(y1_mm * px))
    return sum(image.crop(box).histogram()[:200])


def test_fold_guides_sit_at_the_folds_outside_the_text(built: Project) -> None:
    layout = office(PAPERS["a4"], rtl=False)
    document = pdfium.PdfDocument(_sheet(built, "en", "a4"))
    dpi = 150
    try:
        for number, side in enumerate(layout.sides):
            page = document[number]
            for fold in side.folds:
                assert _dark(page, fold, GUIDE_FROM_MM, GUIDE_TO_MM, dpi) > 0, fold
                assert _dark(page, fold, 210 - GUIDE_TO_MM, 210 - GUIDE_FROM_MM, dpi) > 0
                # No text and no guide down the fold between them: the panels' gutter.
                assert _dark(page, fold, 10, 200, dpi) == 0, (side.name, fold)
                assert not _slot_text(page, fold - 0.3, fold + 0.3).strip()
            # Nothing at the paper's edge: no crop marks, no bleed.
            assert _dark(page, 2, 0, 210, dpi) == 0
            assert _dark(page, 295, 0, 210, dpi) == 0
    finally:
        document.close()


def test_office_sheets_pass_their_checks_and_a_print_file_does_not(built: Project) -> None:
    for locale in ("en", "ar"):
        for size in ("a4", "letter"):
            path = _sheet(built, locale, size)
            layout = office_layout(path.name)
            assert layout is not None
            assert check_office(path.read_bytes(), path.name, layout) == []
    printed = built.output / "fixture" / "en" / "leaflet-a4-print.pdf"
    layout = office(PAPERS["a4"], rtl=False)
    checks = {f.check for f in check_office(printed.read_bytes(), printed.name, layout)}
    assert {"office.paper", "office.bleed", "office.edge"} <= checks


def test_office_sheet_of_pages_that_reach_the_edge_is_refused(
    built: Project, fonts_dir: Path,
) -> None:
    # A panel painted to its edge would be cut off by an office printer: refused.
    with pikepdf.new() as pdf:
        for _ in range(6):
            page = pdf.add_blank_page(page_size=(99 * PT_PER_MM, 210 * PT_PER_MM))
            page.obj.Contents = pdf.make_stream(b"1 0.88 0 rg 0 0 281 596 re f")
        data = _save(pdf)
    layout: Imposition = office(PAPERS["a4"], rtl=False)
    meta = office_meta("Test", "a4", "leaflet-a4.pdf", "en", dt.datetime(2025, 1, 1,
                                                                         tzinfo=dt.UTC))
    sheet = office_file(data, layout, meta, fonts_dir)
    findings = check_office(sheet, "leaflet-a4-office.pdf", layout)
    assert [f.check for f in findings] == ["office.edge", "office.edge"]
    assert "within 5 mm of the paper's edge" in findings[0].message


def _save(pdf: pikepdf.Pdf) -> bytes:
    import io

    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_check_command_checks_office_sheets(built: Project,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from make_pdf import main

    files = [str(_sheet(built, "en", "a4")), str(_sheet(built, "ar", "letter"))]
    assert main(["check", *files], root=built.root) == 0
    assert "2 file(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().out
