"""The alternate texts an HTML page gives its figures, in order: `figure_alts`.

The build renders each translated publication once more with the source texts, and the
gate compares each figure's alternate text with its source's (publication.checks.alt: an
alternate text left untranslated). Only those texts are wanted, in document order, so the
page is tokenized with the standard library's html.parser instead of being built into a
tree: the 48 pages of a build in 0.028 s instead of tinyhtml5's 0.198 s (2026-12-04).
They are read as WeasyPrint's tree gives them (tests/test_tagging_alts.py compares the two
on every kind of publication): an SVG's is the text of its first `<title>` child (up to
any element inside it), an image's its `alt`; the figures of a later repetition of an
element (`data-tag-repeat`, publication.tagging.tree) leave the tree, and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from publication.tagging.tree import REPEAT_ATTRIBUTE

# Elements that have no end tag.
VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"))


def figure_alts(html: str) -> tuple[str, ...]:
    """The alternate text of each figure (SVG <title>, img alt) of an HTML page, in order;
    not those of a later repetition (`tree.REPEAT_ATTRIBUTE`), which leave the tree."""
    reader = _Alts()
    reader.feed(html)
    reader.close()
    return tuple(reader.found)


@dataclass
class _Svg:
    """An <svg> being read: where its text goes in `found`, how many elements are open
    inside it, whether its first <title> child has been met."""

    index: int
    depth: int = 0
    titled: bool = False


class _Alts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.repeats: set[str] = set()
        self.skipping: tuple[str, int] | None = None  # a left-out element's tag, its depth
        self.svgs: list[_Svg] = []
        self.title: _Svg | None = None  # the SVG whose <title> text is being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            name, depth = self.skipping
            if tag == name:
                self.skipping = (name, depth + 1)
            return
        values: dict[str, str | None] = {}
        for key, value in attrs:
            values.setdefault(key, value)  # the first of repeated attributes, as in HTML
        repeat = values.get(REPEAT_ATTRIBUTE)
        if repeat is not None:
            if repeat in self.repeats:
                if tag not in VOID:
                    self.skipping = (tag, 1)
                return
            self.repeats.add(repeat)
        self.title = None  # an element inside a <title> ends the text read
        if self.svgs and tag not in VOID:
            svg = self.svgs[-1]
            if tag == "title" and svg.depth == 0 and not svg.titled:
                svg.titled, self.title = True, svg
            svg.depth += 1
        if tag == "svg":
            self.svgs.append(_Svg(len(self.found)))
            self.found.append("")
        elif tag == "img":
            self.found.append(values.get("alt") or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            name, depth = self.skipping
            if tag == name:
                self.skipping = (name, depth - 1) if depth > 1 else None
            return
        self.title = None
        if self.svgs and tag not in VOID:
            svg = self.svgs[-1]
            if svg.depth == 0:
                self.svgs.pop()  # the </svg>
            else:
                svg.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.found[self.title.index] += data
