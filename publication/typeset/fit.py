"""A layout fits: no text outside its box, nothing past the pages a kind has.

`layout_overflow` and `spill_mm` read WeasyPrint's laid-out document before it is
written, where every box is known (through publication.typeset.weasy, the one module
that touches WeasyPrint's layout boxes): text that overflows a box of fixed size or its
container's width, and how much content went past the first page. `check_fit` turns
an imprint's overflow into an error at the line of the imprint file. (The written PDF's
page count and size are checked by publication.checks.fit.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publication.errors import InputError, Problem
from publication.model import Imprint
from publication.pdf.structure import display
from publication.typeset import weasy
from publication.typeset.weasy import Box

PX_PER_MM = 96 / 25.4
TOLERANCE_PX = 1.0
FIT_CODE = "fit"  # the Problem code of imprint text that does not fit its box


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
    """Text boxes of a WeasyPrint document outside their container or a box of a set
    size or greatest height (the imprint's band)."""
    found: list[Overflow] = []

    def name(box: Box) -> str:
        element = box.element
        classes = element.get("class") if element is not None else None
        tag = box.element_tag or "page"
        return f"{tag}.{classes.split()[0]}" if classes else tag

    def walk(box: Box, page: int, limits: list[tuple[str, float, float, float, float]],
             container: Box | None, line: Box | None = None) -> None:
        if weasy.is_margin(box) or (box.element_tag or "").endswith("::marker"):
            return
        if weasy.is_text(box):
            _text_overflow(box, line, page, limits, container, name, found)
            return
        if weasy.is_line(box):
            line = box
        if weasy.is_block_container(box):
            container = box
        style = getattr(box, "style", None)
        if style is not None and not weasy.is_page(box) and (
                _fixed(style["height"]) or _fixed(style["width"])
                or _fixed(style["max_height"])):
            limits = [*limits, (name(box), box.padding_box_x(), box.padding_box_y(),
                                box.padding_box_x() + box.padding_width(),
                                box.padding_box_y() + box.padding_height())]
        for child in weasy.children(box):
            walk(child, page, limits, container, line)

    for number, root in enumerate(weasy.page_boxes(document), start=1):
        area = ("the page area", root.content_box_x(), root.content_box_y(),
                root.content_box_x() + root.width, root.content_box_y() + root.height)
        for child in weasy.children(root):
            walk(child, number, [area], None)
    return found


def _fixed(value: Any) -> bool:
    """Whether a length is set (not auto, a percentage or an unlimited maximum)."""
    return value != "auto" and getattr(value, "unit", None) not in (None, "%") and \
        math.isfinite(getattr(value, "value", 0))


def _text_overflow(box: Box, line: Box | None, page: int,
                   limits: list[tuple[str, float, float, float, float]], container: Box | None,
                   name: Callable[[Box], str], found: list[Overflow]) -> None:
    """Record where a text box leaves its limits: across, the text itself; down, its line.

    Glyphs may rise above and hang below their line (a line-height smaller than the
    font's extent is ordinary CSS), so the vertical extent is the line box's.
    """
    if not weasy.text(box).strip():
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
        found.append(Overflow(page, weasy.text(box), worst[1], worst[2], worst[0] / PX_PER_MM))


def spill_mm(document: Any, allowed: int = 1) -> float:
    """How far content runs past the pages allowed: the height it takes on the pages after."""
    total = 0.0
    for root in weasy.page_boxes(document)[allowed:]:
        top = root.content_box_y()
        bottom = top
        for child in weasy.children(root):
            bottom = max(bottom, _bottom(child))
        total += bottom - top
    return total / PX_PER_MM


def _bottom(box: Box) -> float:
    if weasy.is_margin(box):
        return 0.0
    own = box.position_y + box.margin_height() if hasattr(box, "margin_height") else 0.0
    return max([own, *(_bottom(c) for c in weasy.children(box))])


def check_fit(document: Any, imprint: Imprint, where: str) -> None:
    """Raise InputError when the imprint's text overflows its box in a laid-out document.

    `where` names the publication for the message, e.g. "leaflet (a4, de)".
    """
    problems = []
    seen = set()
    for overflow in layout_overflow(document):
        fragment = " ".join(overflow.text.split())
        for field, text, line in imprint.lines:
            if fragment and fragment in " ".join(text.split()) and field not in seen:
                seen.add(field)
                problems.append(Problem(
                    imprint.source or Path(imprint.slug), line,
                    f"{field}: {text!r} does not fit the imprint box on the {where}: it runs "
                    f"{overflow.mm:.1f} mm past the box's {overflow.side} edge; shorten it",
                    FIT_CODE))
                break
    laid = _laid_text(document)
    for field, text, line in imprint.lines:
        if field not in seen and "".join(text.split()) not in laid:
            # Lines past the band's greatest height are left out of the layout, not drawn
            # over its edge (WeasyPrint 70): the gate would find the text missing.
            seen.add(field)
            problems.append(Problem(
                imprint.source or Path(imprint.slug), line,
                f"{field}: {text!r} does not fit the imprint box on the {where}: the box is "
                "full before it; shorten it or the lines before it", FIT_CODE))
    if problems:
        raise InputError(problems)


def _laid_text(document: Any) -> str:
    """The text of every text box of a laid-out document, without white space."""
    return "".join("".join(weasy.text(box).split()) for root in weasy.page_boxes(document)
                   for box in root.descendants() if weasy.is_text(box))


def crowded(imprint: Imprint, where: str, spill_mm: float) -> InputError:
    """The error for a group's details that push a publication onto more pages than it
    has, when it fits without them (`where` names the publication): at the line of the
    longest, with the two longest named."""
    longest = sorted(imprint.lines, key=lambda item: len(item[1]), reverse=True)[:2]
    named = ", ".join(f"{field} ({len(text)} characters)" for field, text, _ in longest)
    return InputError([Problem(
        imprint.source or Path(imprint.slug), longest[0][2] if longest else 0,
        f"the group's details do not fit on the {where}: with them the content runs "
        f"{spill_mm:.1f} mm past its last page, without them it fits; shorten the longest: "
        f"{named}", FIT_CODE)])
