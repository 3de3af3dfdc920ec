"""QR codes (publication/qrcode.py): size, quiet zone, colours, alt text, and decoding."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from pyzbar import pyzbar

from publication.kinds import KINDS
from publication.model import Project, Selection
from publication.render.qrcode import MIN_SYMBOL_MM, QUIET_MODULES, qr_code
from tests.printing import build_all, module_project, raster

DEFAULT_URL = "https://act.example.org/fixture/petition"   # tests/fixtures campaign.yaml
FRENCH_URL = "https://act.example.org/fixture/petition-fr"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir, ("fr", "he"))
    build_all(project, Selection(kinds=("leaflet", "poster", "petition"), sizes=("a4", "a3")))
    return project


@pytest.mark.parametrize("url", [DEFAULT_URL, "https://example.org/" + "x" * 120])
def test_symbol_is_at_least_20_mm_with_a_4_module_quiet_zone(url: str) -> None:
    for kind, size in ((k.name, k.qr_mm) for k in KINDS.values()):
        code = qr_code(url, "alt", size)
        assert code.symbol_mm >= MIN_SYMBOL_MM, (kind, code.symbol_mm)
        assert code.size_mm >= size
        svg = str(code.svg)
        assert f'width="{code.size_mm}mm"' in svg
        numbers = [int(n) for n in re.findall(r"M(\d+) (\d+)", svg) for n in n]
        assert min(numbers) == QUIET_MODULES, "dark modules start after the quiet zone"
        ends = [int(x) + int(w) for x, w in re.findall(r"M(\d+) \d+h(\d+)", svg)]
        assert max(ends) == code.modules - QUIET_MODULES


def test_dark_modules_on_a_light_square_with_a_title() -> None:
    code = qr_code(DEFAULT_URL, "QR code: opens the petition at " + DEFAULT_URL, 24)
    svg = str(code.svg)
    assert f'<rect width="{code.modules}" height="{code.modules}" fill="#ffffff"/>' in svg
    assert '<path fill="#000000"' in svg
    assert f"<title>QR code: opens the petition at {DEFAULT_URL}</title>" in svg


def _decode(path: Path, page: int, tmp: Path) -> list[str]:
    image = raster(path, page, 150, tmp)
    return [symbol.data.decode("utf-8") for symbol in pyzbar.decode(image)]


@pytest.mark.parametrize(("locale", "name", "page", "url"), [
    ("en", "poster-a3.pdf", 1, DEFAULT_URL),
    ("en", "leaflet-a4.pdf", 6, DEFAULT_URL),          # the back panel
    ("en", "petition-a4.pdf", 1, DEFAULT_URL),
    ("fr", "poster-a3.pdf", 1, FRENCH_URL),            # the content gives fr its own address
    ("fr", "petition-a4.pdf", 1, FRENCH_URL),
    ("he", "leaflet-a4.pdf", 6, DEFAULT_URL),
    ("en", "poster-a3-print.pdf", 1, DEFAULT_URL),     # CMYK, in the print-shop files too
    ("en", "leaflet-a4-print.pdf", 1, DEFAULT_URL),    # the outside of the sheet
    ("he", "leaflet-a4-print.pdf", 1, DEFAULT_URL),
])
def test_codes_decode_to_the_petition_address(
    built: Project, tmp_path: Path, locale: str, name: str, page: int, url: str,
) -> None:
    path = built.output / "fixture" / locale / name
    assert _decode(path, page, tmp_path) == [url]


def test_leaflet_inside_has_no_code(built: Project, tmp_path: Path) -> None:
    path = built.output / "fixture" / "en" / "leaflet-a4-print.pdf"
    assert _decode(path, 2, tmp_path) == []


def _figure_alts(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        alts = []
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure" and "/Alt" in node:
                    alts.append(str(node.Alt))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    stack.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    stack.append(kids)
        return alts


@pytest.mark.parametrize(("locale", "name", "url"), [
    ("en", "poster-a3.pdf", DEFAULT_URL), ("en", "leaflet-a4.pdf", DEFAULT_URL),
    ("fr", "petition-a4.pdf", FRENCH_URL)])
def test_code_is_a_figure_whose_alt_text_says_where_it_leads(
    built: Project, locale: str, name: str, url: str,
) -> None:
    alts = _figure_alts(built.output / "fixture" / locale / name)
    assert any(url in alt for alt in alts), alts


def test_code_is_at_least_20_mm_wide_on_the_page(built: Project, tmp_path: Path) -> None:
    dpi = 150
    for name, page in (("leaflet-a4.pdf", 6), ("petition-a4.pdf", 1),
                       ("leaflet-a4-print.pdf", 1)):
        image = raster(built.output / "fixture" / "en" / name, page, dpi, tmp_path)
        [symbol] = pyzbar.decode(image)
        width_mm = symbol.rect.width / dpi * 25.4
        assert width_mm >= MIN_SYMBOL_MM - 0.3, (name, width_mm)
