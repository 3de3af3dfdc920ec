"""How much each message may grow before its layout breaks, read from the real layout.

The boxes of the laid-out document (publication.typeset.weasy) say how much free space
there is around a message's block: going out from the block, each box adds what its
content does not fill (the gap left in a column, the space under it in a row, the
space a flex-grown sibling gives back when its neighbours grow), until a box whose
height is fixed (a leaflet panel, the petition's head) or the page, whichever comes
first; a `max-height` caps it on the way. That height, in the message's own lines
(their height and how many characters a line holds, from its text boxes), is its room:

- a poster message: the characters left before the headline steps down to the next
  size (at the last size, before the poster runs onto a second page);
- a leaflet message: the lines free in its panel;
- a letter message: the lines left on the page; a message in a box of fixed height:
  the lines free in it.

A layout that does not fit (text outside its box, or a page more than the kind has)
marks the messages that run over it as overflowing, by how many millimetres.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from publication.kinds import Kind, Paper
from publication.model import MessageKey
from publication.preview.places import Element, LayoutIndex, Rect, squeeze
from publication.typeset import fit, weasy
from publication.typeset.weasy import Box

PX_PER_MM = fit.PX_PER_MM
TOLERANCE_PX = 0.5
# The depth of a page's body box (page 0, html 1, body 2): what is below it is content.
CONTENT_DEPTH = 3


@dataclass(frozen=True)
class Room:
    """How much a message may grow where it stands in one publication."""

    kind: str
    size: str             # the paper's title: "A4", "US Letter"
    page: int             # 1-based
    panel: bool           # the page is a leaflet panel
    lines: int            # lines of the message's own size free
    chars: int            # about how many characters that is (the last line's rest too)
    limit: str            # "steps", "last step", "page" or "box": what breaks first
    headline_pt: float = 0.0  # a poster's headline size now
    next_pt: float = 0.0      # the size it steps down to (0: none left)
    overflow_mm: float = 0.0  # > 0: it does not fit, by this much

    @property
    def where(self) -> str:
        """The publication and place: "leaflet A4, panel 4"."""
        place = f", panel {self.page}" if self.panel else f", page {self.page}" \
            if self.page > 1 else ""
        return f"{self.kind} {self.size}{place}"

    def describe(self) -> str:
        """One phrase for translators: "poster A3: 6 characters left before ..."."""
        if self.overflow_mm > 0:
            return f"{self.where}: does not fit, {self.overflow_mm:.1f} mm too long"
        lines = f"{self.lines} line{'s' if self.lines != 1 else ''}"
        if self.limit == "steps":
            return (f"{self.where}: {self.chars} characters ({lines}) left before the "
                    f"headline steps down from {self.headline_pt:g} to {self.next_pt:g} pt")
        if self.limit == "last step":
            return (f"{self.where}: {self.chars} characters ({lines}) left before the poster "
                    f"runs onto a second page")
        if self.panel:
            return f"{self.where}: {lines} free in the panel (about {self.chars} characters)"
        if self.limit == "box":
            return f"{self.where}: {lines} free in its box (about {self.chars} characters)"
        return f"{self.where}: {lines} left on the page (about {self.chars} characters)"

    @property
    def tightness(self) -> tuple[float, int]:
        """For sorting: overflowing first, then the fewest characters."""
        return (-self.overflow_mm, self.chars)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "size": self.size, "page": self.page, "lines": self.lines,
                "chars": self.chars, "limit": self.limit, "headline_pt": self.headline_pt,
                "next_pt": self.next_pt, "overflow_mm": round(self.overflow_mm, 1),
                "text": self.describe()}


@dataclass(frozen=True)
class Placement:
    """Where one message is in one publication, and its room there (None: it is not
    printed, like an image's alternate text or the document's title)."""

    key: MessageKey
    rects: tuple[Rect, ...]
    room: Room | None


def place_messages(index: LayoutIndex, pieces: dict[MessageKey, tuple[str, ...]],
                   kind: Kind, paper: Paper, headline_pt: float = 0.0,
                   ) -> dict[MessageKey, Placement]:
    """Every message of `pieces` in the laid-out document: its rectangles and room."""
    document = index.document
    overflow: dict[int, float] = {}  # element -> mm: text outside its box
    continued: set[int] = set()
    if kind.pages and len(index.roots) > kind.pages:
        # The pages that continue a block; without one (the blocks stand side by side
        # in the body), the pages past the last one the kind has.
        continued = _continued(index) or set(range(kind.pages, len(index.roots)))
    spill = fit.spill_mm(document, kind.pages) if kind.pages and \
        len(document.pages) > kind.pages else 0.0
    for found in fit.layout_overflow(document):
        text = squeeze(found.text)
        for element in index.elements.values():
            if text and text in element.text and any(p == found.page - 1
                                                      for p, _ in element.boxes):
                overflow[id(element.node)] = max(overflow.get(id(element.node), 0.0), found.mm)
    placements = {}
    located = {key: index.find(parts) for key, parts in pieces.items()}
    if spill:
        culprit = _longest_in_spilling_block(index, located, pieces, continued)
        for element in located.get(culprit, []) if culprit else []:
            overflow[id(element.node)] = max(overflow.get(id(element.node), 0.0), spill)
    for key, elements in located.items():
        rects = tuple(rect for element in elements for rect in index.rects(element))
        rooms = [_room(index, element, kind, paper, headline_pt,
                       max(overflow.get(id(element.node), 0.0),
                           spill if any(p in continued for p, _ in element.boxes) else 0.0))
                 for element in elements]
        known = [room for room in rooms if room is not None]
        placements[key] = Placement(key, rects, min(known, key=lambda r: r.tightness)
                                    if known else None)
    return placements


def _longest_in_spilling_block(index: LayoutIndex, located: dict[MessageKey, list[Element]],
                               pieces: dict[MessageKey, tuple[str, ...]], continued: set[int],
                               ) -> MessageKey | None:
    """The message that takes the most room in a block that runs onto the next page:
    the one to shorten (those pushed onto that page are marked too). An element that
    holds more than the message counts for the message's share of its text."""
    spilling = [e for e in index.elements.values() if e.depth >= CONTENT_DEPTH and any(
        page in continued for page, _ in e.boxes) and any(
        page not in continued for page, _ in e.boxes)]
    before = {page - 1 for page in continued} - continued
    inside: dict[MessageKey, float] = {}
    for key, elements in located.items():
        for element in elements:
            pages = {page for page, _ in element.boxes}
            within = any(any(n is element.node for n in block.node.iter())
                         for block in spilling) if spilling else bool(pages & before)
            if within:
                share = min(1.0, len("".join(pieces[key])) / max(1, len(element.text)))
                inside[key] = inside.get(key, 0.0) + share * sum(
                    r.width * r.height for r in index.rects(element))
    return max(inside, key=lambda k: inside[k]) if inside else None


def _continued(index: LayoutIndex) -> set[int]:
    """Pages (0-based) whose content continues a block begun on the page before: in a
    layout with more pages than its kind has, what runs over."""
    pages: dict[int, set[int]] = {}
    for element in index.elements.values():
        if element.depth >= CONTENT_DEPTH:
            for page, _ in element.boxes:
                pages.setdefault(id(element.node), set()).add(page)
    return {page for spread in pages.values() for page in spread if page - 1 in spread}


def _room(index: LayoutIndex, element: Element, kind: Kind, paper: Paper,
          headline_pt: float, overflow_mm: float) -> Room | None:
    """The room of the message shown by `element`, at its tightest page."""
    best: Room | None = None
    for page, box in element.boxes:
        block = _block(index, box)
        if block is None:
            continue
        metrics = _metrics(element, page, block)
        if metrics is None:
            continue
        line_height, per_line, rest = metrics
        free, limit = _free_height(index, block)
        if _nowrap(block):
            lines, chars = 0, int(rest)
        else:
            lines = max(0, math.floor((free + TOLERANCE_PX) / line_height))
            chars = int(rest) + lines * int(per_line)
        steps = kind.headline_steps(paper)
        next_pt = 0.0
        if kind.headline_steps_a3:
            at = steps.index(headline_pt) if headline_pt in steps else len(steps) - 1
            next_pt = steps[at + 1] if at + 1 < len(steps) else 0.0
            limit = "steps" if next_pt else "last step"
        room = Room(kind.name, paper.title, page + 1, kind.panels > 1, lines, chars, limit,
                    headline_pt, next_pt, overflow_mm)
        if best is None or room.tightness < best.tightness:
            best = room
    return best


def _block(index: LayoutIndex, box: Box) -> Box | None:
    """The box itself when it holds lines, else the nearest one around it that does."""
    if weasy.is_block_container(box) and not weasy.is_line(box):
        return box
    return next((a for a in index.ancestors(box)
                 if weasy.is_block_container(a) and not weasy.is_line(a)), None)


def _metrics(element: Element, page: int, block: Box) -> tuple[float, float, float] | None:
    """The message's line height, the characters a full line of it holds, and the
    characters its last line has room for; None when it draws no text on `page`."""
    lines: dict[int, Box] = {}
    texts: list[Box] = []
    for on, box in element.boxes:
        if on != page:
            continue
        for inner in (box, *box.descendants()):
            inner = weasy.unwrap(inner)
            if weasy.is_line(inner):
                lines[id(inner)] = inner
            elif weasy.is_text(inner) and weasy.text(inner).strip():
                texts.append(inner)
    characters = sum(len(weasy.text(t)) for t in texts)
    width = sum(t.width for t in texts)
    if not texts or characters == 0 or width <= 0:
        return None
    advance = width / characters
    if not lines:  # an inline element: the lines of its block hold it
        lines = {id(b): b for b in block.descendants() if weasy.is_line(b)}
    if not lines:
        return None
    ordered = sorted(lines.values(), key=lambda line: line.position_y)
    height = statistics.median(line.height for line in ordered) or 1.0
    last = ordered[-1]
    leaves = [b for b in last.descendants() if weasy.is_text(b) or weasy.is_replaced(b)]
    used = (max(b.position_x + b.width for b in leaves) - min(b.position_x for b in leaves)
            if leaves else 0.0)
    return height, block.width / advance, max(0.0, block.width - used) / advance


def _free_height(index: LayoutIndex, block: Box) -> tuple[float, str]:
    """The height the block may grow by before something breaks, and what stops it:
    "page" or "box" (a box of fixed height)."""
    free = 0.0
    cap = math.inf
    child = block
    for box in (block, *index.ancestors(block)):
        if weasy.is_line(box) or not weasy.is_block_container(box) and not weasy.is_page(box) \
                and "flex" not in _display(box):
            child = box
            continue
        if box is block or _column(box):
            free += _gap(box) + (sum(_inside(s) for s in _flow(box)
                                     if s is not child and _grows(s))
                                 if _flex(box) else 0.0)
        else:  # a row: the space under this child
            free += box.content_box_y() + box.height - (child.position_y + child.margin_height())
        if weasy.is_page(box) or _definite(box.style["height"]):
            return min(free, cap), "page" if weasy.is_page(box) else "box"
        cap = min(cap, free + _max_growth(box))
        child = box
    return min(free, cap), "page"


def _display(box: Box) -> tuple[str, ...]:
    value = getattr(box, "style", None)
    return tuple(value["display"]) if value is not None else ()


def _flex(box: Box) -> bool:
    return "flex" in _display(box)


def _column(box: Box) -> bool:
    """Whether the box stacks its children: a block, or a column flex box."""
    return not _flex(box) or str(box.style["flex_direction"]).startswith("column")


def _grows(box: Box) -> bool:
    style = getattr(box, "style", None)
    return style is not None and float(style["flex_grow"] or 0) > 0


def _flow(box: Box) -> Iterable[Box]:
    """The box's children in the flow (neither positioned nor floated nor margin boxes)."""
    for child in weasy.children(box):
        style = getattr(child, "style", None)
        if weasy.is_margin(child) or style is None:
            continue
        if style["position"] in ("absolute", "fixed") or style["float"] != "none":
            continue
        yield child


def _gap(box: Box) -> float:
    """The height of the box's content area its children do not take."""
    children = list(_flow(box))
    if not children:
        return 0.0
    top = min(c.position_y for c in children)
    bottom = max(c.position_y + c.margin_height() for c in children)
    return max(0.0, box.height - (bottom - top))


def _inside(box: Box) -> float:
    """The free height inside a box that grew to fill its flex container: what it gives
    back when a sibling grows."""
    extra = sum(_inside(c) for c in _flow(box) if _grows(c)) if _flex(box) and \
        _column(box) else 0.0
    return _gap(box) + extra


def _definite(value: Any) -> bool:
    return value != "auto" and getattr(value, "unit", None) not in (None, "%")


def _max_growth(box: Box) -> float:
    """How much taller the box may get before its max-height (inf: no max-height)."""
    limit = getattr(box.style["max_height"], "value", math.inf)
    if not math.isfinite(limit):
        return math.inf
    now = box.padding_height() if box.style["box_sizing"] == "border-box" else box.height
    return max(0.0, limit - now)


def _nowrap(box: Box) -> bool:
    return box.style["white_space"] in ("nowrap", "pre")
