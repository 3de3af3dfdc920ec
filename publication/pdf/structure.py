"""A PDF opened for checking: its structure tree, parent tree and page content, read once.

Every check family reads the same `PdfDocument`: the structure elements in
depth-first pre-order (their index in that order is the *ordinal* the
expectations sidecar uses), which MCIDs and annotations they own, the effective
language of each, and the text each element reads as through the tag tree
(following MCIDs, honouring /ActualText on elements and on marked content).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from publication.pdf.content import (
    Box,
    Event,
    FontTable,
    Instruction,
    Paint,
    TextRun,
    innermost_mcid,
    mcid_texts,
    page_events,
)

# Standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4), which PDF/UA-1 uses.
STANDARD_TYPES = frozenset((
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form",
))

BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                       "\u2066\u2067\u2068\u2069\u061c"))


@dataclass(frozen=True)
class MCRef:
    """Marked content owned by an element: an MCID on a page (index from 0)."""

    page: int | None
    mcid: int


@dataclass(frozen=True)
class ObjRef:
    """An object (an annotation) owned by an element."""

    obj: pikepdf.Object
    page: int | None


@dataclass(eq=False)
class Element:
    """One structure element, with its place in the tree."""

    obj: pikepdf.Dictionary
    ordinal: int
    type: str                      # /S as written, without the slash
    role: str                      # the standard type it maps to ('' if none)
    parent: Element | None
    page: int | None               # /Pg, inherited from the parent when absent
    kids: list[Element | MCRef | ObjRef] = field(default_factory=list)

    @property
    def lang(self) -> str | None:
        value = self.obj.get("/Lang")
        return None if value is None else str(value)

    @property
    def alt(self) -> str | None:
        value = self.obj.get("/Alt")
        return None if value is None else str(value)

    @property
    def actual_text(self) -> str | None:
        value = self.obj.get("/ActualText")
        return None if value is None else str(value)

    def attributes(self, owner: str) -> dict[str, pikepdf.Object]:
        """The element's attributes of one owner (e.g. "/Table"), merged over /A entries."""
        found: dict[str, pikepdf.Object] = {}
        attrs = self.obj.get("/A")
        items = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and str(item.get("/O", "")) == owner:
                found.update({str(k): v for k, v in item.items()})
        return found

    def descendants(self) -> Iterator[Element]:
        for kid in self.kids:
            if isinstance(kid, Element):
                yield kid
                yield from kid.descendants()


class PdfDocument:
    """A PDF read for checking; `name` is how findings name the file."""

    def __init__(self, pdf: pikepdf.Pdf, name: str,
                 instructions: Mapping[int, Sequence[Instruction]] | None = None) -> None:
        """`instructions`: page index -> the page's instructions as they are in `pdf`,
        for pages whose content has been parsed already (the tag fixes parse it)."""
        self.pdf = pdf
        self.name = name
        self._instructions = instructions or {}
        self.pages = list(pdf.pages)
        self._page_index = {page.obj.objgen: i for i, page in enumerate(self.pages)}
        self.fonts = FontTable()
        self.elements: list[Element] = []
        self.problems: list[str] = []   # structure that could not be followed
        root = pdf.Root
        self.tree_root = root.get("/StructTreeRoot")
        self.role_map: dict[str, str] = {}
        if isinstance(self.tree_root, pikepdf.Dictionary):
            role_map = self.tree_root.get("/RoleMap")
            if isinstance(role_map, pikepdf.Dictionary):
                self.role_map = {str(k)[1:]: str(v)[1:] for k, v in role_map.items()}
            self._walk(self.tree_root.get("/K"), None, None, set())
        self.by_objgen = {e.obj.objgen: e for e in self.elements}
        self.parent_tree = self._parent_tree()

    @classmethod
    def open(cls, path: Path, name: str | None = None) -> PdfDocument:
        return cls(pikepdf.open(path), name or str(path))

    def close(self) -> None:
        self.pdf.close()

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the structure tree ------------------------------------------------------------

    def page_of(self, obj: object) -> int | None:
        if isinstance(obj, pikepdf.Dictionary):
            return self._page_index.get(obj.objgen)
        return None

    def _role(self, type_: str) -> str:
        seen = set()
        while type_ not in STANDARD_TYPES and type_ in self.role_map and type_ not in seen:
            seen.add(type_)
            type_ = self.role_map[type_]
        return type_ if type_ in STANDARD_TYPES else ""

    def _walk(self, kid: object, parent: Element | None, page: int | None,
              seen: set[tuple[int, int]]) -> None:
        if kid is None:
            return
        if isinstance(kid, pikepdf.Array):
            for item in kid:
                self._walk(item, parent, page, seen)
            return
        if isinstance(kid, int) and not isinstance(kid, bool):
            if parent is not None:
                parent.kids.append(MCRef(page, int(kid)))
            return
        if not isinstance(kid, pikepdf.Dictionary):
            return
        kind = str(kid.get("/Type", ""))
        if kind == "/MCR":
            if parent is not None:
                where = self.page_of(kid.get("/Pg")) if "/Pg" in kid else page
                parent.kids.append(MCRef(where, int(kid.get("/MCID", -1))))
            return
        if kind == "/OBJR":
            if parent is not None:
                where = self.page_of(kid.get("/Pg")) if "/Pg" in kid else page
                parent.kids.append(ObjRef(kid.get("/Obj", pikepdf.Dictionary()), where))
            return
        if "/S" not in kid:
            self.problems.append(f"a structure kid of type {kind or 'unknown'} is not an element")
            return
        key = kid.objgen
        if key != (0, 0):
            if key in seen:
                self.problems.append(f"structure element {key[0]} appears twice in the tree")
                return
            seen.add(key)
        type_ = str(kid.S)[1:]
        own_page = self.page_of(kid.get("/Pg")) if "/Pg" in kid else page
        element = Element(kid, len(self.elements), type_, self._role(type_), parent, own_page)
        self.elements.append(element)
        if parent is not None:
            parent.kids.append(element)
        self._walk(kid.get("/K"), element, own_page, seen)

    def _parent_tree(self) -> dict[int, object]:
        """The parent tree: StructParent(s) key -> element or array of elements."""
        if not isinstance(self.tree_root, pikepdf.Dictionary) or "/ParentTree" not in \
                self.tree_root:
            return {}
        try:
            tree = pikepdf.NumberTree(self.tree_root.ParentTree)
            return {int(k): v for k, v in tree.items()}
        except (pikepdf.PdfError, TypeError, ValueError) as exc:
            self.problems.append(f"the parent tree cannot be read ({exc})")
            return {}

    def owner_of_mcid(self, page: int, mcid: int) -> Element | None:
        """The element the parent tree says owns an MCID of a page; None if none in the tree."""
        key = self.pages[page].obj.get("/StructParents")
        if key is None:
            return None
        entry = self.parent_tree.get(int(key))
        if not isinstance(entry, pikepdf.Array) or not 0 <= mcid < len(entry):
            return None
        target = entry[mcid]
        if not isinstance(target, pikepdf.Dictionary):
            return None
        return self.by_objgen.get(target.objgen)

    def owner_of_annotation(self, annotation: pikepdf.Dictionary) -> Element | None:
        key = annotation.get("/StructParent")
        if key is None:
            return None
        target = self.parent_tree.get(int(key))
        if not isinstance(target, pikepdf.Dictionary):
            return None
        return self.by_objgen.get(target.objgen)

    def effective_lang(self, element: Element | None) -> str:
        while element is not None:
            if element.lang:
                return element.lang
            element = element.parent
        return str(self.pdf.Root.get("/Lang", ""))

    # -- page content ------------------------------------------------------------------

    @functools.cache  # noqa: B019 - the document lives as long as its cache
    def events(self, page: int) -> list[Event]:
        return page_events(self.pages[page], self.fonts, self._instructions.get(page))

    @functools.cache  # noqa: B019
    def mcid_text(self, page: int) -> dict[int, str]:
        return mcid_texts(self.events(page))

    def drawn_box(self, element: Element) -> Box | None:
        """Where `element`'s own content (its marked content and its descendants') is drawn,
        in default user space: the union of the boxes of its paths, images and text; None
        when it draws nothing on its page."""
        if element.page is None:
            return None
        mcids = {kid.mcid for e in (element, *element.descendants()) for kid in e.kids
                 if isinstance(kid, MCRef) and kid.page in (None, element.page)}
        boxes = [event.bbox for event in self.events(element.page)
                 if isinstance(event, (Paint, TextRun))
                 and innermost_mcid(event.marked) in mcids]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def read_text(self, element: Element, skip_labels: bool = False) -> str:
        """What assistive technology reads for `element` through the tag tree.

        /ActualText on the element replaces its content; marked content is read with
        its own /ActualText when it has one. With `skip_labels`, list labels (Lbl:
        bullets and numbers the stylesheet generates) are left out.
        """
        if element.actual_text is not None:
            return element.actual_text
        parts = []
        for kid in element.kids:
            if isinstance(kid, Element):
                if not (skip_labels and kid.role == "Lbl"):
                    parts.append(self.read_text(kid, skip_labels))
            elif isinstance(kid, MCRef) and kid.page is not None:
                parts.append(self.mcid_text(kid.page).get(kid.mcid, ""))
        return "".join(parts)


# Soft hyphens in the source, and the hyphen WeasyPrint draws where it breaks a word at
# one (its default hyphenate-character, U+2010), are line breaking, not text.
HYPHENATION = dict.fromkeys(map(ord, "\u00ad\u2010"))


def comparable(text: str) -> str:
    """Text reduced for comparing what is read with what was written.

    Unicode NFC, bidi controls and hyphenation removed, case folded (text-transform
    may change case), and whitespace removed: line breaks are where a line ends, not
    characters.
    """
    text = unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS).translate(HYPHENATION)
    return "".join(text.casefold().split())


def display(text: str, limit: int = 80) -> str:
    """Text for a message: whitespace collapsed, bidi controls removed, shortened."""
    text = " ".join(text.translate(BIDI_CONTROLS).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
