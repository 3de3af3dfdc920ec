"""Print-shop files (publication/press.py) and office printing of the accessible files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest
from PIL import ImageChops

from make_pdf import main
from publication.build.builder import plan
from publication.build.pipeline import Worker, page_areas
from publication.i18n.localize import Localizer
from publication.kinds import KINDS, PAPERS, PT_PER_MM
from publication.model import BuildOptions, Project, Selection
from publication.pdf.content import Paint, TextRun, page_events
from publication.press import figures, pdfx
from publication.press.colour import RICH_BLACK, campaign_inks, cmyk
from publication.press.impose import (
    BLEED_MM,
    LAYOUTS,
    Imposition,
    ImpositionError,
    Side,
    Slot,
    bleed_fills,
    imposed,
)
from publication.press.marks import SLUG_MM
from publication.press.pdfx import (
    CONDITIONS,
    expect_for_name,
    preflight,
    print_meta,
    profile_description,
)
from publication.render.html import render
from publication.source.content import load_campaign
from tests.printing import build_all, module_project, raster

OFFICE_SAFE_MM = 5.0
YELLOW = (255, 224, 0)  # --accent in styles/base.css and the fixture's `colours:`
CLEAN_YELLOW = (0.0, 0.0, 1.0, 0.0)  # the fixture's accent for print: cmyk [0, 0, 100, 0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir, ("ar",))
    build_all(project, Selection())  # every kind and size, en and ar, print files too
    build_all(project, Selection(locales=("en",), kinds=("poster",), sizes=("a2",)))
    return project


def _out(project: Project, locale: str, name: str) -> Path:
    return project.output / "fixture" / locale / name


def _mm(box: pikepdf.Object) -> tuple[float, ...]:
    return tuple(round(float(v) / PT_PER_MM, 2) for v in box)


@pytest.mark.parametrize(("name", "identifier", "profile"), [
    ("poster-a3-print.pdf", "FOGRA39", "FOGRA39L Coated"),
    ("poster-tabloid-print.pdf", "CGATS TR 001", "Artifex CMYK SWOP Profile"),
    ("poster-a2-print.pdf", "FOGRA39", "FOGRA39L Coated"),
    ("leaflet-a4-print.pdf", "FOGRA39", "FOGRA39L Coated"),
    ("leaflet-letter-print.pdf", "CGATS TR 001", "Artifex CMYK SWOP Profile")])
def test_print_files_are_pdf_x4_with_the_papers_output_intent(
    built: Project, name: str, identifier: str, profile: str,
) -> None:
    # ISO sizes for European shops (FOGRA39, ISO Coated v2), US sizes for US ones (SWOP).
    path = _out(built, "en", name)
    with pikepdf.open(path) as pdf:
        assert pdf.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        assert pdf.pdf_version == "1.6"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == identifier
        assert str(intent.RegistryName) == "http://www.color.org"
        embedded = intent.DestOutputProfile
        assert int(embedded.N) == 4
        assert embedded.read_bytes()[12:20] == b"prtrCMYK", "a CMYK printer profile"
        assert profile_description(embedded.read_bytes()) == profile
        assert str(pdf.trailer.Info.Trapped) == "/False"
    assert preflight(path.read_bytes(), name, expect_for_name(name)) == []


def test_preflight_finds_the_wrong_printing_condition(built: Project) -> None:
    # An A4 file (FOGRA39) checked as a Letter one (SWOP): the intent and the profile.
    data = _out(built, "en", "leaflet-a4-print.pdf").read_bytes()
    letter = expect_for_name("leaflet-letter-print.pdf")
    assert letter is not None and letter.condition == "swop"
    a4 = expect_for_name("leaflet-a4-print.pdf")
    assert a4 is not None
    wrong = dataclasses.replace(a4, condition=letter.condition)
    findings = {(f.check, f.message) for f in preflight(data, "leaflet-a4-print.pdf", wrong)}
    assert ("press.output-condition", "the output intent is for FOGRA39, not CGATS TR 001 as "
            "this paper size is printed") in findings
    assert any(check == "press.output-profile" and "'FOGRA39L Coated'" in message
               for check, message in findings)


@pytest.mark.parametrize(("name", "trim"), [
    ("poster-a3-print.pdf", (297, 420)), ("poster-tabloid-print.pdf", (279.4, 431.8)),
    ("poster-a2-print.pdf", (420, 594)), ("leaflet-a4-print.pdf", (297, 210)),
    ("leaflet-letter-print.pdf", (279.4, 215.9))])
def test_trim_is_the_nominal_size_and_bleed_3_mm_beyond(
    built: Project, name: str, trim: tuple[float, float],
) -> None:
    for locale in ("en", "ar") if "a2" not in name else ("en",):
        with pikepdf.open(_out(built, locale, name)) as pdf:
            for page in pdf.pages:
                tx0, ty0, tx1, ty1 = _mm(page.obj.TrimBox)
                bx0, by0, bx1, by1 = _mm(page.obj.BleedBox)
                mx0, my0, mx1, my1 = _mm(page.mediabox)
                assert (round(tx1 - tx0, 1), round(ty1 - ty0, 1)) == trim
                assert (tx0 - bx0, ty0 - by0, bx1 - tx1, by1 - ty1) == \
                    pytest.approx((BLEED_MM,) * 4, abs=0.02)
                assert mx0 <= bx0 - 6 and my0 <= by0 - 6 and mx1 >= bx1 + 6 and \
                    my1 >= by1 + 6, "room for the crop marks outside the bleed"


def test_poster_background_runs_into_the_bleed(built: Project, tmp_path: Path) -> None:
    path = _out(built, "en", "poster-a3-print.pdf")
    with pikepdf.open(path) as pdf:
        bx0, by0, bx1, by1 = _mm(pdf.pages[0].obj.BleedBox)
        media_h = _mm(pdf.pages[0].mediabox)[3]
    dpi = 50
    image = raster(path, 1, dpi, tmp_path)
    px = dpi / 25.4

    def colour(x_mm: float, y_from_top_mm: float) -> tuple[int, int, int]:
        value = image.getpixel((round(x_mm * px), round(y_from_top_mm * px)))
        assert isinstance(value, tuple)
        return value[0], value[1], value[2]

    top = media_h - by1  # the bleed's top edge, from the top of the media
    for x in (bx0 + 1.5, (bx0 + bx1) / 2, bx1 - 1.5):  # left bleed, middle, right bleed
        r, g, b = colour(x, top + 1.5)
        assert r > 200 and g > 180 and b < 80, f"not the yellow band at {x} mm: {(r, g, b)}"
    assert colour(bx0 - 2, top + 20)[0] > 240, "white outside the bleed"


@pytest.mark.parametrize(("locale", "size"), [("en", "a4"), ("ar", "letter")])
def test_leaflet_cover_colour_runs_into_the_bleed(built: Project, locale: str,
                                                  size: str) -> None:
    # The outside of the sheet, drawn by PDFium: the cover's slot is the campaign colour to
    # the trim and 3 mm past it on the three sides at the sheet's edge, without a white
    # frame; the slug outside the bleed is white. (Arabic: the cover on the left.)
    import pypdfium2 as pdfium

    path = _out(built, locale, f"leaflet-{size}-print.pdf")
    layout = LAYOUTS["trifold"](PAPERS[size], locale == "ar")
    cover = next(slot for slot in layout.sides[0].slots if slot.page == 0)
    dpi = 72
    document = pdfium.PdfDocument(path)
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    px = dpi / 25.4
    slug, height = SLUG_MM, layout.trim[1]

    def colour(x_mm: float, y_mm: float) -> tuple[int, int, int]:  # from the trim's top left
        value = image.getpixel((round((slug + x_mm) * px), round((slug + y_mm) * px)))
        assert isinstance(value, tuple)
        return value[0], value[1], value[2]

    def yellow(rgb: tuple[int, int, int]) -> bool:
        return rgb[0] > 200 and rgb[1] > 180 and rgb[2] < 80

    outer = cover.x + cover.width + 1.5 if locale != "ar" else cover.x - 1.5  # in the bleed
    inner = cover.x + 1.0 if locale != "ar" else cover.x + cover.width - 1.0  # by the fold
    middle = cover.x + cover.width / 2
    for x, y in ((middle, -1.5), (middle, height + 1.5), (outer, height / 2),  # the bleed
                 (outer, -1.5), (outer, height + 1.5),                          # its corners
                 (middle, 0.5), (middle, height - 0.5), (inner, height / 2)):   # the trim
        assert yellow(colour(x, y)), (x, y, colour(x, y))
    for x, y in ((middle, -4.0), (middle, height + 4.0)):  # the slug: beyond the bleed
        assert min(colour(x, y)) > 240, (x, y, colour(x, y))
    # The other panels stay white at the trim (only the cover runs into the bleed).
    other = next(slot for slot in layout.sides[0].slots if slot.page == 4)
    assert min(colour(other.x + other.width / 2, -1.5)) > 240


@pytest.mark.parametrize(("kind_name", "locale", "size"), [
    ("poster", "en", "a3"), ("poster", "ar", "tabloid"), ("leaflet", "en", "a4"),
    ("leaflet", "ar", "letter")])
def test_print_file_is_the_print_stylesheets_without_typesetting_again(
    built: Project, tmp_path: Path, kind_name: str, locale: str, size: str,
) -> None:
    # The print poster is the accessible poster's page with its bands grown into the
    # bleed, the print leaflet its panels with the cover's colour grown. Each must look
    # like the publication typeset again with the print stylesheet (press.css: negative
    # margins, padding that keeps the text in place), which is how it was made before.
    [target] = plan(built, Selection(locales=(locale,), kinds=(kind_name,), sizes=(size,)))
    worker = Worker(built)
    job = worker.job(target, target.path(built.output), BuildOptions(jobs=1))
    _, document, headline_pt, _ = worker._fit(job)
    kind = KINDS[kind_name]
    assert kind.print_stylesheet == "press.css" and kind.print_layout is not None
    again = worker.typesetter.layout(render(
        built, job.campaign, Localizer(job.catalog, job.info), kind, job.paper,
        headline_pt=headline_pt, extra_style=kind.print_stylesheet).html)
    assert len(again.pages) == len(document.pages)
    imposition = LAYOUTS[kind.print_layout](job.paper, locale == "ar")
    meta = print_meta(kind.title, kind_name, size, target.path(built.output).name, locale,
                      dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    areas = {n: area for n, area in page_areas(document).items() if kind.bleeds(n)}
    made = pdfx.print_file(target.path(built.output).read_bytes(), imposition, meta, "label",
                           built.fonts, areas=areas)
    typeset = pdfx.print_file(worker.typesetter.write(again, pdfx.WEASYPRINT_VARIANT),
                              imposition, meta, "label", built.fonts)
    assert preflight(made, "made.pdf", pdfx.expect(imposition)) == []
    for side in range(1, len(imposition.sides) + 1):
        pictures = []
        for name, data in (("made", made), ("typeset", typeset)):
            path = tmp_path / f"{name}.pdf"
            path.write_bytes(data)
            pictures.append(raster(path, side, 60, tmp_path))
        difference = ImageChops.difference(*pictures).convert("L")
        differing = sum(difference.histogram()[16:])  # pixels more than a shade apart
        assert differing <= 0.0005 * difference.width * difference.height, side
    with pikepdf.open(io.BytesIO(made)) as pdf:  # the accessible pages, grown and all
        assert "/StructTreeRoot" not in pdf.Root and "/Annots" not in pdf.pages[0].obj


def test_only_backgrounds_reaching_the_page_area_grow() -> None:
    area = (10.0, 10.0, 90.0, 190.0)
    clip = (-5.0, -5.0, 105.0, 205.0)

    def fill(box: tuple[float, float, float, float], alpha: float = 1.0,
             colour: tuple[float, float, float] = (1.0, 0.9, 0.0)) -> Paint:
        return Paint("fill", box, colour, alpha, (), ((box, 1),))

    page = fill(area, colour=(1.0, 1.0, 1.0))  # the page's own background: white, the paper
    cover = fill(area)                         # a coloured panel: all four edges
    band = fill((10.0, 150.0, 90.0, 190.0))    # top, left and right
    side = fill((10.0, 40.0, 30.0, 60.0))      # left only
    inner = fill((20.0, 20.0, 80.0, 80.0))     # no edge
    faint = fill((10.0, 100.0, 90.0, 120.0), alpha=0.5)
    line = Paint("stroke", (10.0, 0.0, 90.0, 5.0), None, 1.0, ())
    fills = bleed_fills([page, cover, band, side, inner, faint, line], area, clip)
    assert [(f.box, f.grown) for f in fills] == [
        (cover.bbox, clip), (band.bbox, (-5.0, 150.0, 105.0, 205.0)),
        (side.bbox, (-5.0, 40.0, 30.0, 60.0))]


def test_a_background_that_cannot_be_grown_is_refused(fonts_dir: Path) -> None:
    # A background drawn inside a form XObject of the page is not in the content stream
    # the imposition rewrites: the print file would lack its bleed.
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(200, 200))
    form = pdf.make_stream(b"1 1 0 rg 10 150 180 40 re f", Type=pikepdf.Name.XObject,
                           Subtype=pikepdf.Name.Form, BBox=[0, 0, 200, 200])
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=form))
    page.obj.Contents = pdf.make_stream(b"/Fm0 Do")
    out = io.BytesIO()
    pdf.save(out)
    mm = 200 / PT_PER_MM
    layout = Imposition("one-up", (mm, mm), (Side("front", (Slot(0, 0.0, mm),)),), "fogra39")
    with pytest.raises(ImpositionError, match="not a rectangle of the page's own content"), \
            imposed(out.getvalue(), layout, "label", fonts_dir, {0: (10.0, 10.0, 190.0, 190.0)}):
        pass


def test_colours_are_cmyk_and_black_text_is_black_ink_only(built: Project) -> None:
    for condition in CONDITIONS.values():
        profile = condition.profile
        assert cmyk(0x11 / 255, 0x11 / 255, 0x11 / 255, profile) == (0, 0, 0, 1)
        assert cmyk(0x44 / 255, 0x44 / 255, 0x44 / 255, profile) == (0, 0, 0, 0.7333)
        # A colour the content gives no CMYK for goes through the profile: still a yellow
        # (FOGRA39's adds a trace of black).
        c, m, y, k = cmyk(*(v / 255 for v in YELLOW), profile)
        assert y > 0.9 and c < 0.1 and m < 0.2 and k < 0.02
    campaign = load_campaign(built.content / "fixture")
    assert campaign_inks(campaign.colours) == {YELLOW: CLEAN_YELLOW}
    for name in ("poster-a3-print.pdf", "leaflet-a4-print.pdf", "poster-tabloid-print.pdf"):
        with pikepdf.open(_out(built, "en", name)) as pdf:
            operators = {str(i.operator) for drawing in _drawings(pdf)
                         for i in pikepdf.parse_content_stream(drawing)}
            assert not operators & {"rg", "RG"}, "no DeviceRGB colour left"
            fills = _fills(pdf)
            # The campaign yellow is the content's clean process yellow, in every condition.
            assert any(ink == CLEAN_YELLOW for ink, _ in fills), name
            # Text is set in black ink only; rich black only for large areas.
            texts = {ink for ink, size in fills if size is None}
            assert RICH_BLACK not in texts and (0, 0, 0, 1) in texts, name
            rich = [size for ink, size in fills if ink == RICH_BLACK]
            assert all(size is not None and min(size) >= 20 for size in rich), (name, rich)
            if name.startswith("poster"):
                assert rich, "the poster's facts band is rich black"


def _fills(pdf: pikepdf.Pdf) -> list[tuple[tuple[float, ...], tuple[float, float] | None]]:
    """Each CMYK colour (k) the sheets fill with, with the size (mm) of each rectangle it
    fills, or None for text. (The forms are placed unscaled: their own units are points.)"""
    found: list[tuple[tuple[float, ...], tuple[float, float] | None]] = []
    for drawing in _drawings(pdf):
        ink: tuple[float, ...] = (0, 0, 0, 1)
        ctm, stack = pikepdf.Matrix(), []
        rects: list[tuple[float, float]] = []
        for item in pikepdf.parse_content_stream(drawing):
            operator = str(item.operator)
            if operator == "q":
                stack.append((ctm, ink))
            elif operator == "Q" and stack:
                ctm, ink = stack.pop()
            elif operator == "cm":
                ctm = pikepdf.Matrix(item.operands) @ ctm
            elif operator == "k":
                ink = tuple(round(float(v), 4) for v in item.operands)
            elif operator == "re":
                w, h = (float(v) for v in item.operands[2:])
                rects.append((abs(w * ctm.a) / PT_PER_MM, abs(h * ctm.d) / PT_PER_MM))
            elif operator in ("f", "f*", "F", "B", "b"):
                found += [(ink, size) for size in rects]
                rects = []
            elif operator in ("n", "S", "s"):
                rects = []
            elif operator in ("Tj", "TJ"):
                found.append((ink, None))
    return found


def _drawings(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every page and every form XObject drawn on it, nested ones too."""
    found: list[pikepdf.Object] = []
    pending = [page.obj for page in pdf.pages]
    while pending:
        drawing = pending.pop()
        found.append(drawing)
        xobjects = drawing.get("/Resources", {}).get("/XObject", {})
        pending += [x for x in xobjects.values() if x.get("/Subtype") == "/Form"]
    return found


def test_preflight_finds_rgb_inside_placed_pages(built: Project) -> None:
    """The imposed pages are form XObjects: an RGB colour in one is found there."""
    printed = _out(built, "en", "leaflet-a4-print.pdf")
    assert preflight(printed.read_bytes(), printed.name) == []
    with pikepdf.open(printed) as pdf:
        forms = [d for d in _drawings(pdf) if isinstance(d, pikepdf.Stream)]
        assert len(forms) >= 6, "the six panels are placed as forms"
        panel = forms[0]
        del panel.Resources.ColorSpace["/DefaultRGB"]
        panel.write(b"1 0 0 rg 0 0 10 10 re f\n" + panel.read_bytes())
        data = _save(pdf)
    findings = [f for f in preflight(data, printed.name) if f.check == "press.rgb"]
    assert findings and "1 DeviceRGB colour(s)" in findings[0].message


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_preflight_finds_what_a_print_shop_would_refuse(built: Project) -> None:
    accessible = _out(built, "en", "poster-a3.pdf").read_bytes()
    checks = {f.check for f in preflight(accessible, "poster-a3.pdf")}
    assert {"press.pdfx-version", "press.pdfua-claim", "press.output-intent",
            "press.annotations"} <= checks


def test_check_command_preflights_print_files(built: Project,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(_out(built, "en", "leaflet-a4-print.pdf")),
             str(_out(built, "ar", "poster-tabloid-print.pdf"))]
    assert main(["check", *files], root=built.root) == 0
    assert "2 file(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_print_meta_names_the_accessible_file() -> None:
    meta = print_meta("Campaign", "leaflet", "letter", "leaflet-letter.pdf", "he",
                      dt.datetime(2020, 1, 2, tzinfo=dt.UTC))
    assert meta.title == "Campaign - leaflet Letter, print-shop file"
    assert "not tagged and not accessible" in meta.subject
    assert "leaflet-letter.pdf" in meta.subject


def test_print_files_only_for_leaflets_and_posters(built: Project) -> None:
    names = {p.name for p in (built.output / "fixture" / "en").glob("*-print.pdf")}
    assert names == {"leaflet-a4-print.pdf", "leaflet-letter-print.pdf", "poster-a3-print.pdf",
                     "poster-tabloid-print.pdf", "poster-a2-print.pdf"}


def test_cli_builds_print_files_unless_told_not_to(project: Project) -> None:
    folder = project.output / "fixture" / "en"
    assert main(["-q", "build", "--kind", "poster", "--size", "a3", "--jobs", "1",
                 "--no-print-files"], root=project.root) == 0
    assert (folder / "poster-a3.pdf").exists() and not (folder / "poster-a3-print.pdf").exists()
    assert main(["-q", "build", "--kind", "poster", "--size", "a3", "--jobs", "1"],
                root=project.root) == 0
    assert (folder / "poster-a3-print.pdf").exists()


# --- office printing: the accessible files ------------------------------------------


def _accessible(project: Project) -> list[tuple[str, str, str]]:
    return [(locale, kind, size) for locale in ("en", "ar") for kind in KINDS
            for size in KINDS[kind].sizes]


def test_accessible_files_have_no_bleed_and_the_nominal_page(built: Project) -> None:
    for locale, kind, size in _accessible(built):
        width, height = KINDS[kind].page_size(PAPERS[size])
        with pikepdf.open(_out(built, locale, f"{kind}-{size}.pdf")) as pdf:
            for page in pdf.pages:
                media = _mm(page.mediabox)
                assert (round(media[2] - media[0], 1), round(media[3] - media[1], 1)) == \
                    (round(width, 1), round(height, 1)), (locale, kind, size)
                for box in ("/TrimBox", "/BleedBox"):
                    if box in page.obj:
                        assert _mm(page.obj[box]) == media, f"{box} differs: {kind}-{size}"


def test_nothing_is_printed_within_5_mm_of_the_paper_edge(built: Project) -> None:
    for locale, kind, size in _accessible(built):
        path = _out(built, locale, f"{kind}-{size}.pdf")
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                x0, y0, x1, y1 = (float(v) for v in page.mediabox)
                safe = OFFICE_SAFE_MM * PT_PER_MM
                for event in page_events(page):
                    if isinstance(event, TextRun) and not event.text.strip():
                        continue
                    if isinstance(event, Paint) and event.fill is not None and \
                            min(event.fill) > 0.99:
                        continue  # white: the page itself
                    if not isinstance(event, TextRun | Paint):
                        continue
                    bx0, by0, bx1, by1 = event.bbox
                    assert bx0 >= x0 + safe and by0 >= y0 + safe and bx1 <= x1 - safe and \
                        by1 <= y1 - safe, f"{path.name} page {number}: {event} near the edge"


def test_a_raster_image_is_printed_in_the_conditions_cmyk(
    tmp_path: Path, fonts_dir: Path,
) -> None:
    # A photo on the leaflet cover (sRGB PNG, pure red with a transparent corner) is
    # converted to FOGRA39's CMYK in the print-shop file, its transparency kept; the
    # accessible file keeps it in sRGB.
    from PIL import Image

    from tests.projects import make_project

    project = make_project(tmp_path / "project", fonts_dir)
    folder = project.content / "fixture"
    photo = Image.new("RGBA", (1000, 1000), (255, 0, 0, 255))
    photo.paste((0, 0, 0, 0), (0, 0, 100, 100))
    photo.save(folder / "photo.png")
    path = folder / "campaign.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "images: []", "images:\n  - id: photo\n    src: photo.png\n    alt: A red square\n"
                      "    place: cover"), encoding="utf-8")
    assert main(["-q", "build", "--kind", "leaflet", "--size", "a4", "--locale", "en",
                 "--jobs", "1"], root=project.root) == 0

    def images(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
        return [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                and o.get("/Subtype") == "/Image" and o.get("/ColorSpace") != "/DeviceGray"]

    with pikepdf.open(project.output / "fixture" / "en" / "leaflet-a4.pdf") as pdf:
        assert [str(i.ColorSpace) for i in images(pdf)] == ["/DeviceRGB"]
    with pikepdf.open(project.output / "fixture" / "en" / "leaflet-a4-print.pdf") as pdf:
        [image] = images(pdf)
        assert image.ColorSpace == "/DeviceCMYK" and "/SMask" in image
        at = (500 * int(image.Width) + 500) * 4  # the samples, without the mask applied
        c, m, y, k = image.read_bytes()[at:at + 4]
        assert m > 200 and y > 200 and c < 40 and k < 40, (c, m, y, k)  # red: M + Y
    assert main(["-q", "check", str(project.output / "fixture" / "en" / "leaflet-a4-print.pdf")],
                root=project.root) == 0


@pytest.mark.parametrize(("kind_name", "locale", "size"),
                         [("leaflet", "ar", "a4"), ("poster", "en", "tabloid")])
def test_what_the_gate_read_makes_the_same_print_and_office_files(
        built: Project, kind_name: str, locale: str, size: str) -> None:
    # The build hands what the gate read in the accessible file (what its pages draw,
    # their texts) on to the press stage, which places those bytes, instead of reading
    # them again (publication.build.pipeline._Placed): the same files, byte for byte.
    from publication import checks
    from publication.build.pipeline import _Placed
    from publication.press import office

    [target] = plan(built, Selection(locales=(locale,), kinds=(kind_name,), sizes=(size,)))
    worker = Worker(built)
    job = worker.job(target, target.path(built.output), BuildOptions(jobs=1))
    _, document, _, _ = worker.fit(job)
    kind = KINDS[kind_name]
    data = target.path(built.output).read_bytes()
    bleeding = tuple(n for n in range(len(document.pages)) if kind.bleeds(n))
    placed = _Placed(bleeding, kind.office_layout is not None)
    assert checks.check_bytes(data, "the file", None, placed) == []
    assert placed.drawn is not None and sorted(placed.drawn) == list(bleeding) != []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert placed.drawn == {n: page_events(pdf.pages[n]) for n in bleeding}
    assert kind.print_layout is not None
    imposition = LAYOUTS[kind.print_layout](job.paper, locale == "ar")
    meta = print_meta(kind.title, kind_name, size, target.path(built.output).name, locale,
                      dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    areas = {n: area for n, area in page_areas(document).items() if kind.bleeds(n)}
    assert pdfx.print_file(data, imposition, meta, "label", built.fonts, areas=areas,
                           drawn=placed.drawn) == \
        pdfx.print_file(data, imposition, meta, "label", built.fonts, areas=areas)
    if kind.office_layout is None:
        assert placed.texts is None
        return
    assert placed.texts == figures.page_texts(data) and all(placed.texts)
    sheet = LAYOUTS[kind.office_layout](job.paper, locale == "ar")
    sheet_meta = office.office_meta("Title", size, "leaflet-a4.pdf", locale,
                                    dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    assert office.office_file(data, sheet, sheet_meta, built.fonts, placed.texts) == \
        office.office_file(data, sheet, sheet_meta, built.fonts)
