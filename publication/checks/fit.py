"""Everything fits: page counts and sizes, and no text outside its box.

`check` reads a PDF: the page count the kind must have (one poster page, six leaflet
panels, one letter) and the page size, from the expectations; and, on any PDF, text
drawn outside the page. `layout_overflow` and `spill_mm` read WeasyPrint's laid-out
document before it is written, where every box is known: text that overflows a box
of fixed size or its container's width, and how much content went past the first page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .expectations import Expectations
from .findings import Finding, error
from .pagecontent import TextRun, page_box
from .structure import PdfDocument, display

PT_PER_MM = 72 / 25.4
PX_PER_MM = 96 / 25.4
TOLERANCE_PT = 1.0
TOLERANCE_PX = 1.0
SIZE_TOLERANCE_MM = 0.5


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    findings: list[Finding] = []
    if expectations is not None and expectations.pages is not None and \
            len(doc.pages) != expectations.pages:
        findings.append(error("fit.pages", doc.name, 0,
                              f"{len(doc.pages)} pages instead of {expectations.pages}",
                              "shorten the text of the page that overflows"))
    for index, page in enumerate(doc.pages):
        x0, y0, x1, y1 = page_box(page)
        if expectations is not None and expectations.page_size_mm is not None:
            trim = page.obj.get("/TrimBox")
            if trim is not None:
                tx0, ty0, tx1, ty1 = (float(v) for v in trim)
                w, h = abs(tx1 - tx0) / PT_PER_MM, abs(ty1 - ty0) / PT_PER_MM
            else:
                w, h = (x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM
            ew, eh = expectations.page_size_mm
            if abs(w - ew) > SIZE_TOLERANCE_MM or abs(h - eh) > SIZE_TOLERANCE_MM:
                findings.append(error("fit.page-size", doc.name, index + 1,
                                      f"page is {w:.1f} x {h:.1f} mm, not {ew:g} x {eh:g} mm",
                                      "check the @page size of the template"))
        outside = []
        for event in doc.events(index):
            if isinstance(event, TextRun) and not event.invisible and event.text.strip():
                bx0, by0, bx1, by1 = event.bbox
                over = max(x0 - bx0, bx1 - x1, y0 - by0, by1 - y1)
                if over > TOLERANCE_PT:
                    outside.append((over, event.text))
        if outside:
            over, text = max(outside)
            findings.append(error("fit.outside-page", doc.name, index + 1,
                                  f"{len(outside)} text run(s) drawn outside the page, e.g. "
                                  f"'{display(text, 40)}' by {over / PT_PER_MM:.1f} mm",
                                  "shorten the text or let it wrap"))
    return findings


@dataclass(frozen=True)
class Overflow:
    """Text that does not fit its box in the laid-out document."""

    page: int          # 1-based
    text: str
    box: str           # the element it overflows, e.g. "div.cover-box"
    side: str          # "right", "left", "bottom", "top"
    mm: float

    def __str__(self) -> str:
        return f"'{display(self.text, 50)}' overflows {self.box} ({self.side}) by {self.mm:.1f} mm"


def layout_overflow(document: Any) -> list[Overflow]:
    """Text boxes of a WeasyPrint document outside their container or a fixed-size box."""
    from weasyprint.formatting_structure import boxes

    found: list[Overflow] = []

    def name(box: Any) -> str:
        element = box.element
        classes = element.get("class") if element is not None else None
        tag = box.element_tag or "page"
        return f"{tag}.{classes.split()[0]}" if classes else tag

    def walk(box: Any, page: int, limits: list[tuple[str, float, float, float, float]],
             container: Any, line: Any = None) -> None:
        if isinstance(box, boxes.MarginBox) or (box.element_tag or "").endswith("::marker"):
            return
        if isinstance(box, boxes.TextBox):
            _text_overflow(box, line, page, limits, container, name, found)
            return
        if isinstance(box, boxes.LineBox):
            line = box
        if isinstance(box, (boxes.BlockContainerBox, boxes.TableCellBox)):
            container = box
        style = getattr(box, "style", None)
        if style is not None and not isinstance(box, boxes.PageBox) and (
                _fixed(style["height"]) or _fixed(style["width"])):
            limits = [*limits, (name(box), box.padding_box_x(), box.padding_box_y(),
                                box.padding_box_x() + box.padding_width(),
                                box.padding_box_y() + box.padding_height())]
        for child in getattr(box, "children", ()):
            walk(child, page, limits, container, line)

    for number, page in enumerate(document.pages, start=1):
        root = page._page_box
        area = ("the page area", root.content_box_x(), root.content_box_y(),
                root.content_box_x() + root.width, root.content_box_y() + root.height)
        for child in root.children:
            walk(child, number, [area], None)
    return found


def _fixed(value: Any) -> bool:
    return value != "auto" and getattr(value, "unit", None) not in (None, "%")


def _text_overflow(box: Any, line: Any, page: int,
                   limits: list[tuple[str, float, float, float, float]], container: Any,
                   name: Any, found: list[Overflow]) -> None:
    """Record where a text box leaves its limits: across, the text itself; down, its line.

    Glyphs may rise above and hang below their line (a line-height smaller than the
    font's extent is ordinary CSS), so the vertical extent is the line box's.
    """
    if not box.text.strip():
        return
    x0, x1 = box.position_x, box.position_x + box.width
    vertical = line if line is not None else box
    y0, y1 = vertical.position_y, vertical.position_y + vertical.height
    candidates = list(limits)
    if container is not None:
        # A line must fit its block's width; its height is the block's business.
        candidates.append((name(container), container.content_box_x(), float("-inf"),
                           container.content_box_x() + container.width, float("inf")))
    worst: tuple[float, str, str] | None = None
    for label, lx0, ly0, lx1, ly1 in candidates:
        for side, over in (("left", lx0 - x0), ("right", x1 - lx1), ("top", ly0 - y0),
                           ("bottom", y1 - ly1)):
            if over > TOLERANCE_PX and (worst is None or over > worst[0]):
                worst = (over, label, side)
    if worst is not None:
        found.append(Overflow(page, box.text, worst[1], worst[2], worst[0] / PX_PER_MM))


def spill_mm(document: Any, allowed: int = 1) -> float:
    """How far content runs past the pages allowed: the height it takes on the pages after."""
    total = 0.0
    for page in document.pages[allowed:]:
        root = page._page_box
        top = root.content_box_y()
        bottom = top
        for child in root.children:
            bottom = max(bottom, _bottom(child))
        total += bottom - top
    return total / PX_PER_MM


def _bottom(box: Any) -> float:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return 0.0
    own = box.position_y + box.margin_height() if hasattr(box, "margin_height") else 0.0
    return max([own, *(_bottom(c) for c in getattr(box, "children", ()))])
