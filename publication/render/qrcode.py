"""QR codes to the petition address, drawn by ReportLab's QR widget, as inline SVG.

The SVG is vector (one path of dark modules on a light square with a 4-module quiet
zone) and carries a <title>, which WeasyPrint uses as the figure's alternate text.
The size asked for includes the quiet zone; the code grows when the symbol itself
would be narrower than `MIN_SYMBOL_MM` (what phone cameras read from arm's length;
print shops ask for at least 20 mm), so a longer address never makes a smaller code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup, escape
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Group, Rect

QUIET_MODULES = 4
MIN_SYMBOL_MM = 20.0


@dataclass(frozen=True)
class QrCode:
    """A QR code ready for a template: the address it encodes and its SVG markup."""

    url: str
    svg: Markup
    modules: int  # modules per side, quiet zone included
    size_mm: float  # drawn width, quiet zone included

    @property
    def symbol_mm(self) -> float:
        """The width of the code without its quiet zone."""
        return self.size_mm * (self.modules - 2 * QUIET_MODULES) / self.modules


def qr_code(url: str, alt: str, size_mm: float) -> QrCode:
    """Draw a QR code for `url`, `size_mm` wide or wider (see MIN_SYMBOL_MM), whose
    alternate text is `alt`."""
    count, path = _symbol(url)
    size_mm = round(max(size_mm, MIN_SYMBOL_MM * count / (count - 2 * QUIET_MODULES)), 2)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count} {count}" '
        f'width="{size_mm}mm" height="{size_mm}mm" shape-rendering="crispEdges">'
        f"<title>{escape(alt)}</title>"
        f'<rect width="{count}" height="{count}" fill="#ffffff"/>'
        f'<path fill="#000000" d="{path}"/></svg>'
    )
    return QrCode(url, Markup(svg), count, size_mm)


def display_url(url: str) -> str:
    """`url` as printed for people to type: without its scheme or a final slash."""
    return url.removeprefix("https://").removeprefix("http://").rstrip("/")


# Encoding a code takes ~50 ms, and every output of a locale, at every size, shows the
# same address: encode each once per process.
@functools.lru_cache(maxsize=64)
def _symbol(url: str) -> tuple[int, str]:
    """The modules per side (quiet zone included) of `url`'s code, and an SVG path of its
    dark modules in module units."""
    widget = QrCodeWidget(url, barBorder=QUIET_MODULES, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    rects = _rects(widget.draw())
    # The widget draws each row's runs of dark modules as rectangles one module high.
    module = min(r.height for r in rects if r.fillColor is not None and r.height > 0)
    count = round((x1 - x0) / module)
    height = y1 - y0
    parts = []
    for rect in rects:
        if rect.fillColor is None or rect.width >= x1 - x0:
            continue  # the transparent background square
        # ReportLab's y axis points up; SVG's points down.
        x = round((rect.x - x0) / module)
        y = round((height - (rect.y - y0) - rect.height) / module)
        w = round(rect.width / module)
        h = round(rect.height / module)
        parts.append(f"M{x} {y}h{w}v{h}h-{w}z")
    return count, "".join(parts)


def _rects(node: object) -> list[Rect]:
    if isinstance(node, Rect):
        return [node]
    if isinstance(node, Group):
        return [rect for child in node.contents for rect in _rects(child)]
    return []
