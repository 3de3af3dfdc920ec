"""The design of the publications, measured on the rendered pages with PDFium: the real
campaign's leaflet panels filled, big numbers, the poster's headline size in every
locale and its empty bands, QR code sizes in mm, and every petition page complete
(templates in publication/render/templates, styles/); and the poster's grid, read with
poppler: its facts columns read one after the other, whatever group's details are
printed under them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pyzbar import pyzbar

from publication.build.builder import build, plan
from publication.i18n.catalog import source_catalog
from publication.i18n.locales import locale_info
from publication.i18n.localize import Localizer
from publication.kinds import KINDS, PAPERS
from publication.model import BuildOptions, Project, Selection
from publication.render.qrcode import qr_code
from publication.source.content import load_campaign
from publication.source.imprint import load_imprint
from tests.pdfread import readers_table
from tests.projects import REPO, make_project

LOCALES = ("en", "de", "ar", "he")
SCALE = 100 / 72  # 100 dpi
URL = "https://act.example.org/israel-opt/petition"


def _real_project(root: Path, fonts_dir: Path) -> Project:
    """A project with the real campaign and catalogues."""
    project = make_project(root, fonts_dir)
    shutil.rmtree(project.content)
    shutil.copytree(REPO / "content", project.content)
    shutil.rmtree(project.root / "locales")
    shutil.copytree(REPO / "locales", project.root / "locales")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path,
          ) -> Iterator[tuple[Project, dict[str, float]]]:
    """The real campaign and catalogues, built in en, de, ar and he."""
    project = _real_project(tmp_path_factory.mktemp("design") / "project", fonts_dir)
    selection = Selection(locales=LOCALES, kinds=("leaflet", "poster", "petition"),
                          sizes=("a4", "letter", "a3", "tabloid"))
    report = build(project, plan(project, selection), BuildOptions(jobs=1, print_files=False))
    assert report.ok, [o.messages for o in report.failed]
    headlines = {str(o.target): o.headline_pt for o in report.outcomes if o.headline_pt}
    yield project, headlines


def _pdf(project: Project, locale: str, name: str) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(project.output / "israel-opt" / locale / name)


def _ink_rows(page: pdfium.PdfPage) -> list[bool]:
    """For each pixel row, whether anything differs from the page's corner colour."""
    image = page.render(scale=SCALE).to_pil().convert("L")
    width, height = image.size
    background = image.getpixel((1, 1))
    pixels = image.load()
    return [any(abs(pixels[x, y] - background) > 40 for x in range(0, width, 2))
            for y in range(height)]


def _sizes(page: pdfium.PdfPage, wanted: str) -> list[float]:
    """The font sizes (pt) of the characters of `wanted` where the page's text has it."""
    text = page.get_textpage()
    whole = text.get_text_range()
    start = whole.find(wanted)
    assert start >= 0, f"{wanted!r} not on the page"
    return [pdfium_c.FPDFText_GetFontSize(text.raw, i)
            for i in range(start, start + len(wanted)) if not whole[i].isspace()]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", ["a4", "letter"])
def test_every_leaflet_panel_is_filled(built: tuple[Project, dict[str, float]],
                                       locale: str, size: str) -> None:
    pdf = _pdf(built[0], locale, f"leaflet-{size}.pdf")
    assert len(pdf) == 6
    for number in range(6):
        rows = _ink_rows(pdf[number])
        lowest = max(y for y, ink in enumerate(rows) if ink)
        assert lowest / len(rows) >= 0.80, f"panel {number + 1}: {lowest / len(rows):.0%}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_facts_are_big_numbers(built: tuple[Project, dict[str, float]],
                                   locale: str) -> None:
    pdf = _pdf(built[0], locale, "leaflet-a4.pdf")
    whole = pdf[2].get_textpage()
    text = whole.get_text_range()
    sizes = [pdfium_c.FPDFText_GetFontSize(whole.raw, i) for i, ch in enumerate(text)
             if ch.isdigit() or "\u0660" <= ch <= "\u0669"]
    assert sum(1 for s in sizes if s >= 28) >= 3, sizes


def test_body_text_on_the_leaflet_is_at_least_10_pt(
        built: tuple[Project, dict[str, float]]) -> None:
    campaign = load_campaign(REPO / "content" / "israel-opt")
    pdf = _pdf(built[0], "en", "leaflet-a4.pdf")
    start = campaign.background[0].source[:30]
    [panel] = [p for p in range(6) if start in pdf[p].get_textpage().get_text_range()]
    assert min(_sizes(pdf[panel], start)) >= 10


def test_one_headline_size_per_paper_for_every_locale(
        built: tuple[Project, dict[str, float]]) -> None:
    headlines = built[1]
    for size, floor in (("a3", 60.0), ("tabloid", 56.0)):
        found = [pt for target, pt in headlines.items() if target.endswith(f"poster-{size}")]
        assert len(found) == len(LOCALES), headlines
        assert min(found) >= floor, found
        assert max(found) / min(found) <= 1.10, found


@pytest.mark.parametrize("locale", LOCALES)
def test_no_empty_band_on_the_poster(built: tuple[Project, dict[str, float]],
                                     locale: str) -> None:
    rows = _ink_rows(_pdf(built[0], locale, "poster-a3.pdf")[0])
    inked = [y for y, ink in enumerate(rows) if ink]
    band = longest = 0
    for ink in rows[inked[0]:inked[-1] + 1]:
        band = 0 if ink else band + 1
        longest = max(longest, band)
    assert longest / len(rows) <= 0.10, f"{longest / len(rows):.0%} of the page empty"
    assert (len(rows) - inked[-1]) / len(rows) <= 0.10, "the foot is empty"


def _qr_mm(page: pdfium.PdfPage) -> float:
    """The printed width (mm) of the page's QR code, its quiet zone included."""
    image = page.render(scale=300 / 72).to_pil().convert("L")
    [symbol] = pyzbar.decode(image)
    assert symbol.data.decode() == URL
    modules = qr_code(URL, "", 0).modules
    symbol_mm = symbol.rect.width / 300 * 25.4
    return symbol_mm * modules / (modules - 8)


@pytest.mark.parametrize(("name", "page", "least_mm"), [
    ("leaflet-a4.pdf", 5, 25.0), ("poster-a3.pdf", 0, 50.0)])
def test_qr_codes_are_big_enough(built: tuple[Project, dict[str, float]], name: str,
                                 page: int, least_mm: float) -> None:
    for locale in ("en", "ar"):
        assert _qr_mm(_pdf(built[0], locale, name)[page]) >= least_mm


def test_the_poster_address_is_at_least_14_pt(built: tuple[Project, dict[str, float]]) -> None:
    page = _pdf(built[0], "en", "poster-a3.pdf")[0]
    assert min(_sizes(page, URL.removeprefix("https://"))) >= 14


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("size", ["a4", "letter"])
def test_every_petition_page_is_a_complete_petition(
        built: tuple[Project, dict[str, float]], locale: str, size: str) -> None:
    project = built[0]
    pdf = _pdf(project, locale, f"petition-{size}.pdf")
    texts = [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    assert len(texts) >= 2
    first_lines = [t.split("\n") for t in texts]
    title = next(line for line in first_lines[0] if "Abu" in line or "أبو" in line
                 or "אבו" in line)
    for number, text in enumerate(texts, 1):
        assert title in text, f"page {number} lacks the title"
        assert "312 Laurier Avenue East" in text, f"page {number} lacks the return address"
        # (The notice may break the controller's name over two lines.)
        assert "Amnesty International Canada, privacy officer" in " ".join(text.split()), \
            f"page {number} lacks the data controller"
    # The rows are numbered on from page to page, and the last page is full.
    campaign = load_campaign(REPO / "content" / "israel-opt")
    per_page = KINDS["petition"].petition_rows(PAPERS[size])
    assert len(texts) * per_page >= campaign.petition.rows > (len(texts) - 1) * per_page
    number = Localizer(source_catalog(), locale_info(locale)).number
    assert number(len(texts) * per_page) in texts[-1].split()


def test_the_mark_and_the_graphic_are_figures_with_alt_text(
        built: tuple[Project, dict[str, float]]) -> None:
    import pikepdf

    with pikepdf.open(built[0].output / "israel-opt" / "en" / "leaflet-a4.pdf") as pdf:
        alts = [str(node.get("/Alt")) for node in _walk(pdf.Root.StructTreeRoot)
                if node.get("/S") == "/Figure"]
    assert "Campaign mark" in alts
    assert any(alt.startswith("A calendar of July and August 2014") for alt in alts)


def _walk(node: object) -> Iterator[object]:
    import pikepdf

    if isinstance(node, pikepdf.Dictionary):
        yield node
        kids = node.get("/K")
        if kids is not None:
            yield from _walk(kids)
    elif isinstance(node, pikepdf.Array):
        for kid in node:
            yield from _walk(kid)


# A group whose name and meeting are short lines in another script than most pages':
# its lines end anywhere, and a line that started in a gutter between the facts columns
# would have poppler read the next column's number first (styles/poster.css).
GROUP = """name: مجموعة رام الله
meeting: الثلاثاء
language: ar
contact:
  phone: +49 (0)221 123456
  web: https://example.org/r
"""


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    """The real campaign's posters in en, de and he with GROUP's details."""
    root = tmp_path_factory.mktemp("grouped")
    project = _real_project(root / "project", fonts_dir)
    (root / "group.yaml").write_text(GROUP, encoding="utf-8")
    imprint = load_imprint(root / "group.yaml")
    selection = Selection(locales=("en", "de", "he"), kinds=("poster",),
                          sizes=("a3", "tabloid"))
    report = build(project, plan(project, selection, imprint),
                   BuildOptions(jobs=1, print_files=False, imprint=imprint))
    assert report.ok, [o.messages for o in report.failed]
    return project


def _poppler_misses(output: Path, project: Project) -> list[tuple[str, str, str]]:
    """(PDF, context, what pdftotext read there) for each poster string it misreads."""
    table = readers_table()
    report = table.measure(output, project.root, readers=("poppler",))
    return [(pdf, miss["context"], miss["read_as"].get(pdf, ""))
            for locale in report["locales"].values()
            for miss in locale["readers"]["poppler"]["missed"]
            for pdf in miss["missed_in"] if "/poster-" in pdf]


def test_poppler_reads_the_poster_facts_column_by_column(
        built: tuple[Project, dict[str, float]]) -> None:
    """Each fact (its words over, its number, its words under) is read whole: the facts,
    the call and the imprint below them stand on one grid of columns."""
    project = built[0]
    assert _poppler_misses(project.output, project) == []


def test_poppler_reads_the_poster_facts_over_any_groups_details(grouped: Project) -> None:
    flat = grouped.root / "flat"  # the table reads <campaign>/<locale>/*.pdf
    for folder in grouped.output.glob("israel-opt/*/mjmw-h-rm-llh"):
        target = flat / "israel-opt" / folder.parent.name
        target.mkdir(parents=True)
        for pdf in folder.glob("poster-*.pdf"):
            shutil.copy(pdf, target / pdf.name)
    posters = sorted(flat.glob("israel-opt/*/poster-*.pdf"))
    assert len(posters) == 6
    assert _poppler_misses(flat, grouped) == []
    table = readers_table()
    for pdf in posters:
        text = table.normal("\n".join(table.poppler_pages(pdf)))
        assert "+49 (0)221 123456" in text and "example.org/r" in text, pdf
