"""PDF/UA-2 fixes (ISO 14289-2 with ISO/TS 32005, as veraPDF's PDF/UA-2 profile checks
them), for files WeasyPrint wrote as "pdf/ua-2" (PDF 2.0); a PDF/UA-1 file never comes
here, so its bytes stay what they were.

PDF/UA-2 reads the tag tree with Div and NonStruct transparent: their kids count as
their parent's. What that and PDF/UA-2's own rules ask of WeasyPrint's tree:

- every destination inside the document is a structure destination (8.8): each
  bookmark's and internal link's page destination becomes a GoTo action that keeps
  it as /D (for PDF 1.7 readers) and adds /SD, the same view on the structure element
  drawn there (the heading a bookmark names);
- a list with labels (Lbl) says how they number (8.2.5.25): /ListNumbering on the L,
  from the labels' text (digits: Decimal, otherwise Unordered);
- a Caption is the first or last kid of its element (8.2.5.27): HTML's `<figure>` is
  a NonStruct (transparent), so its image and caption would sit among the section's
  other kids; that NonStruct becomes a Sect of its own;
- a Span is no kid of a grouping element (ISO/TS 32005, Table 5: Document-Span): the
  text WeasyPrint tags as a Span straight under a `<div>` (the spaces between an
  address's lines) becomes a P.

Only structure types change, and attributes and actions are added: no element is added
or removed, so the elements' order (the ordinals the checks use) stays as it was.
"""

from __future__ import annotations

from decimal import Decimal

import pikepdf

from publication.pdf.structure import Element, PdfDocument, comparable

# Grouping elements PDF/UA-2 looks through, as veraPDF's profile does: their kids count
# as their parent's.
TRANSPARENT = frozenset({"Div", "NonStruct"})
# Grouping elements that may not hold a Span (ISO/TS 32005, Table 5).
NO_SPAN = frozenset({"Document", "DocumentFragment", "Art", "Sect", "Aside", "BlockQuote",
                     "Form", "Index", "TOC"})
HEADINGS = frozenset({"H", "H1", "H2", "H3", "H4", "H5", "H6", "Title"})
# Elements no destination names: the groups a heading or paragraph sits in.
GROUPS = frozenset({"Document", "DocumentFragment", "Part", "Art", "Sect", "Div",
                    "NonStruct", "Aside"})


def fix(pdf: pikepdf.Pdf) -> None:
    """Every PDF/UA-2 fix, in place."""
    doc = PdfDocument(pdf, "")
    structure_destinations(doc)
    list_numbering(doc)
    caption_groups(doc)
    # Read again: the Sects made above are no longer transparent.
    spans_in_groups(PdfDocument(pdf, ""))


def _transparent(element: Element, made: set[tuple[int, int]]) -> bool:
    return element.role in TRANSPARENT and element.obj.objgen not in made


def _effective_parent(element: Element, made: set[tuple[int, int]] | None = None,
                      ) -> Element | None:
    """The parent PDF/UA-2 sees (`made`: elements no longer transparent)."""
    parent = element.parent
    while parent is not None and _transparent(parent, made or set()):
        parent = parent.parent
    return parent


def _flat_kids(element: Element, made: set[tuple[int, int]] | None = None) -> list[Element]:
    """The kids PDF/UA-2 sees: those of transparent kids in their place."""
    found: list[Element] = []
    for kid in element.kids:
        if isinstance(kid, Element):
            found.extend(_flat_kids(kid, made) if _transparent(kid, made or set())
                         else [kid])
    return found


# -- 8.8: structure destinations ---------------------------------------------------------

def structure_destinations(doc: PdfDocument) -> None:
    """Each bookmark's and internal link's destination, as /D and /SD of a GoTo action."""
    pdf = doc.pdf
    outlines = pdf.Root.get("/Outlines")
    if isinstance(outlines, pikepdf.Dictionary):
        for item in _outline_items(outlines):
            _to_action(doc, item, str(item.get("/Title", "")))
    for page in doc.pages:
        for annot in page.obj.get("/Annots", ()):
            if isinstance(annot, pikepdf.Dictionary) and str(annot.get("/Subtype")) == "/Link":
                _to_action(doc, annot, "")


def _outline_items(outlines: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    items: list[pikepdf.Dictionary] = []
    seen: set[tuple[int, int]] = set()
    stack = [outlines.get("/First")]
    while stack:
        item = stack.pop()
        while isinstance(item, pikepdf.Dictionary) and item.objgen not in seen:
            seen.add(item.objgen)
            items.append(item)
            stack.append(item.get("/First"))
            item = item.get("/Next")
    return items


def _to_action(doc: PdfDocument, holder: pikepdf.Dictionary, title: str) -> None:
    """`holder`'s /Dest (or its GoTo action's /D) with the structure destination added."""
    action = holder.get("/A")
    if "/Dest" in holder:
        dest = _explicit(doc.pdf, holder.Dest)
    elif isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) == "/GoTo" \
            and "/SD" not in action:
        dest = _explicit(doc.pdf, action.get("/D"))
    else:
        return
    if dest is None:
        return
    page = doc.page_of(dest[0])
    if page is None:
        return
    top = None
    if str(dest[1]) == "/XYZ" and len(dest) > 3 and isinstance(dest[3], (int, float, Decimal)):
        top = float(dest[3])
    target = _target(doc, page, title, top)
    if target is None:
        return
    structure = pikepdf.Array([target.obj, *list(dest)[1:]])
    if "/Dest" in holder:
        del holder["/Dest"]
        holder.A = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.GoTo,
                                      D=dest, SD=structure)
    else:
        assert isinstance(action, pikepdf.Dictionary)  # a GoTo action, found above
        action.SD = structure


def _explicit(pdf: pikepdf.Pdf, dest: object) -> pikepdf.Array | None:
    """An explicit destination: itself, or what a named one stands for."""
    if isinstance(dest, pikepdf.Array) and len(dest) >= 2:
        return dest
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        names = pdf.Root.get("/Names")
        if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
            found = pikepdf.NameTree(names.Dests).get(str(dest))
            if isinstance(found, pikepdf.Dictionary):
                found = found.get("/D")
            return found if isinstance(found, pikepdf.Array) else None
    return None


def _target(doc: PdfDocument, page: int, title: str, top: float | None) -> Element | None:
    """The element a destination on `page` at `top` shows: the heading of that title (a
    bookmark's: on that page, else the nearest) or, failing that, the element drawn
    nearest `top` on that page (the outermost of those as near)."""
    candidates = [e for e in doc.elements if e.page == page and e.role not in GROUPS]
    if title:
        wanted = comparable(title)
        headings = [e for e in doc.elements if e.role in HEADINGS
                    and comparable(doc.read_text(e, skip_labels=True)) == wanted]
        here = [e for e in headings if e.page == page]
        if here:
            return min(here, key=lambda e: _distance(doc, e, top))
        if headings:
            # A head repeated on a later page is an artifact there (tree.join_repeats):
            # its bookmark names the heading it repeats.
            return min(headings, key=lambda e: (abs((e.page or 0) - page), e.ordinal))
    boxed = [e for e in candidates if doc.drawn_box(e) is not None]
    if not boxed:
        return None
    return min(boxed, key=lambda e: (_distance(doc, e, top), e.ordinal))


def _distance(doc: PdfDocument, element: Element, top: float | None) -> float:
    box = doc.drawn_box(element)
    if top is None or box is None:
        return 0.0 if top is None else float("inf")
    return abs(box[3] - top)


# -- 8.2.5.25: list numbering ------------------------------------------------------------

def list_numbering(doc: PdfDocument) -> None:
    """/ListNumbering on each L whose items have labels, from what the labels say."""
    for element in doc.elements:
        if element.role != "L":
            continue
        labels = [kid for item in _flat_kids(element) if item.role == "LI"
                  for kid in _flat_kids(item) if kid.role == "Lbl"]
        if not labels or _has_numbering(element):
            continue
        texts = ["".join(ch for ch in doc.read_text(label) if ch.isalnum())
                 for label in labels]
        numbering = "/Decimal" if all(t and t.isdecimal() for t in texts) else "/Unordered"
        _add_attributes(element.obj, pikepdf.Dictionary(
            O=pikepdf.Name.List, ListNumbering=pikepdf.Name(numbering)))


def _has_numbering(element: Element) -> bool:
    value = element.attributes("/List").get("/ListNumbering")
    return value is not None and str(value) != "/None"


def _add_attributes(obj: pikepdf.Dictionary, attributes: pikepdf.Dictionary) -> None:
    present = obj.get("/A")
    if present is None:
        obj.A = attributes
    elif isinstance(present, pikepdf.Array):
        present.append(attributes)
    else:
        obj.A = pikepdf.Array([present, attributes])


# -- 8.2.5.27: captions first or last ----------------------------------------------------

def caption_groups(doc: PdfDocument) -> None:
    """A Caption in the middle of its element's kids: the transparent element holding it
    first or last (a `<figure>`) becomes a Sect, so it is that Sect's first or last."""
    made: set[tuple[int, int]] = set()  # the Sects made so far, no longer transparent
    for element in doc.elements:
        if element.role != "Caption":
            continue
        parent = _effective_parent(element, made)
        if parent is None or _at_an_end(element, _flat_kids(parent, made)):
            continue
        holder = element.parent
        while holder is not None and holder is not parent:
            if _at_an_end(element, _flat_kids(holder, made)):
                holder.obj.S = pikepdf.Name.Sect
                made.add(holder.obj.objgen)
                break
            holder = holder.parent


def _at_an_end(element: Element, kids: list[Element]) -> bool:
    return element in kids and kids.index(element) in (0, len(kids) - 1)


# -- Table 5: no Span in a grouping element ----------------------------------------------

def spans_in_groups(doc: PdfDocument) -> None:
    """A Span whose parent, looking through Div and NonStruct, is a grouping element that
    may hold no Span (Document, Sect…) becomes a P."""
    for element in doc.elements:
        if element.role != "Span":
            continue
        parent = _effective_parent(element)
        if parent is not None and parent.role in NO_SPAN:
            element.obj.S = pikepdf.Name.P
