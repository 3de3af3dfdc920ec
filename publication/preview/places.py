"""Where each message sits in a laid-out document: its elements' boxes on each page.

A laid-out WeasyPrint document (read through publication.typeset.weasy, like
publication.typeset.fit) knows every box, the HTML element it came from, and where it is.
The HTML carries no marks of its own for the messages (a mark could change the layout
it is meant to show), so a message is found by its text: the elements whose text holds
every literal piece of the message as the locale shows it (its translation, or the
source text when it falls back), spaces of every kind left out, because the typography
filters change them (publication.render.typography). An element whose text is exactly
the message wins over ones that merely contain it; otherwise the innermost ones do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from publication.i18n.localize import Localizer
from publication.model import MessageKey
from publication.source.content import Campaign, Text, iter_texts
from publication.typeset import weasy
from publication.typeset.weasy import Box

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")
_SPACES = re.compile(r"[\s\u00ad\u200b-\u200f\u2028-\u202f\u2060\ufeff]+")


def squeeze(text: str) -> str:
    """`text` without spaces of any kind (nor soft hyphens and direction marks)."""
    return _SPACES.sub("", text)


def shown_messages(campaign: Campaign, localizer: Localizer,
                   keys: Iterable[MessageKey]) -> dict[MessageKey, str]:
    """Each message as the localizer's locale shows it (its translation, or the source
    text it falls back to), as markup: a content text with its number filled in, a
    template string with its placeholders (the template fills them)."""
    texts: dict[MessageKey, Text] = {(t.context, t.source): t for t in iter_texts(campaign)}
    shown = {}
    for key in keys:
        content = texts.get(key)
        shown[key] = str(localizer.text(content)) if content is not None else \
            str(localizer.pgettext(key[0] or "", key[1]))
    return shown


def message_pieces(shown: dict[MessageKey, str]) -> dict[MessageKey, tuple[str, ...]]:
    """The literal pieces of each shown message, squeezed, cut at its placeholders;
    a message with no letters of its own is left out."""
    pieces = {}
    for key, markup in shown.items():
        parts = (squeeze(Markup(part).striptags()) for part in _PLACEHOLDER.split(markup))
        found = tuple(part for part in parts if part)
        if found:
            pieces[key] = found
    return pieces


@dataclass
class Element:
    """One HTML element of the layout: its boxes on each page (0-based), in order."""

    node: Any
    text: str                                   # squeezed
    boxes: list[tuple[int, Box]] = field(default_factory=list)
    depth: int = 0


@dataclass(frozen=True)
class Rect:
    """Where an element is on a page, in CSS pixels from the page's top left corner."""

    page: int  # 0-based
    x: float
    y: float
    width: float
    height: float


class LayoutIndex:
    """The boxes of a laid-out document by element, with each box's parent."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.roots = weasy.page_boxes(document)
        self.page_sizes = [(page.width, page.height) for page in document.pages]
        self.parents: dict[int, Box] = {}
        self.elements: dict[int, Element] = {}
        for number, root in enumerate(self.roots):
            self._walk(root, number, 0)

    def _walk(self, box: Box, page: int, depth: int) -> None:
        if weasy.is_margin(box):
            return
        node = box.element if not weasy.is_page(box) else None
        pseudo = "::" in (box.element_tag or "")  # a marker or ::before: not the text's own
        if node is not None and not pseudo and isinstance(getattr(node, "tag", None), str):
            element = self.elements.get(id(node))
            if element is None:
                element = Element(node, squeeze("".join(node.itertext())), depth=depth)
                self.elements[id(node)] = element
            element.boxes.append((page, box))
        for child in weasy.children(box):
            child = weasy.unwrap(child)
            self.parents[id(child)] = box
            self._walk(child, page, depth + 1)

    def ancestors(self, box: Box) -> Iterator[Box]:
        """The boxes around `box`, innermost first, up to its page's root."""
        while (parent := self.parents.get(id(box))) is not None:
            yield parent
            box = parent

    def find(self, pieces: tuple[str, ...]) -> list[Element]:
        """The elements that show a message whose squeezed literal pieces are `pieces`:
        those whose text is exactly the message, else those that hold it; of these the
        innermost (the paragraph, not the panel around it)."""
        whole = "".join(pieces)
        found = [e for e in self.elements.values() if e.text == whole] or \
            [e for e in self.elements.values() if _holds(e.text, pieces)]
        nodes = {id(e.node) for e in found}
        return [e for e in found
                if not any(id(inner) in nodes for inner in e.node.iter() if inner is not e.node)]

    def rects(self, element: Element) -> list[Rect]:
        """The element's extent on each page it is on, one rectangle per page."""
        extents: dict[int, list[float]] = {}
        for page, box in element.boxes:
            x0, y0 = box.padding_box_x(), box.padding_box_y()
            x1, y1 = x0 + box.padding_width(), y0 + box.padding_height()
            if x1 - x0 <= 0 or y1 - y0 <= 0:
                continue
            seen = extents.setdefault(page, [x0, y0, x1, y1])
            seen[:] = [min(seen[0], x0), min(seen[1], y0), max(seen[2], x1), max(seen[3], y1)]
        return [Rect(page, x0, y0, x1 - x0, y1 - y0)
                for page, (x0, y0, x1, y1) in sorted(extents.items())]


def _holds(text: str, pieces: tuple[str, ...]) -> bool:
    """Whether `text` has every piece, in order."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True
