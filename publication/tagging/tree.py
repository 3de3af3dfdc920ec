"""Rearrangements of the structure tree that WeasyPrint's one box, one element mapping
cannot express, asked for by the HTML; called by `publication.tagging.tags.fix`.

- `list_labels`: a list item's `::before` is its label. The leaflet's numbered list draws
  its numbers as an inline `li::before` (styles/leaflet.css) instead of an outside marker,
  which WeasyPrint positions absolutely and so paints after everything else on the page:
  readers that follow drawing order got each number after its item. WeasyPrint tags the
  `::before` as a NonStruct inside the item's LBody; it becomes the item's Lbl, in front
  of the LBody.
- `join_repeats`: an HTML element with `data-tag-repeat="NAME"` after the first of that
  NAME repeats it (a signature sheet's head on every page of the petition): its marked
  content becomes a pagination artifact (/Subtype /Header) and it leaves the tree (the
  first is kept whole, on every page it is broken over); its
  link annotations join the first's Link elements, in order, so that they stay tagged
  (and clickable) with one Link for assistive technology.
- `join_tables`: the tables with one `data-tag-table="NAME"` are one Table (the signature
  rows of every page of the petition): a later one's body rows join the first's body,
  their cells' /Headers pointing at the first's header cells (by position); its Caption,
  THead and TFoot, which repeat the first's, become pagination artifacts.

Structure elements left with no kids by these are removed as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pikepdf

from publication.errors import PublicationError
from publication.pdf.structure import Element, MCRef, PdfDocument
from publication.tagging.marks import FontEdits

REPEAT_ATTRIBUTE = "data-tag-repeat"
TABLE_ATTRIBUTE = "data-tag-table"

# A structure element's object number -> its repeat or table name, and the identity of
# the HTML element it came from (an element broken over pages has one element a page).
Names = dict[int, tuple[str, int | None]]


class TreeError(PublicationError):
    """The HTML asks for a rearrangement its structure does not allow."""


# -- list labels -------------------------------------------------------------------------

def list_labels(pdf: pikepdf.Pdf, numbers: Iterable[int]) -> set[int]:
    """Make the elements of `numbers` (WeasyPrint's elements of `li::before` boxes) the Lbl
    of their list item, in front of its LBody, when they open the LBody of an LI that has
    no label yet; returns the object numbers of those that became labels."""
    numbers = list(numbers)
    if not numbers:
        return set()  # nothing to read the tree for
    doc = PdfDocument(pdf, "")
    moved: set[int] = set()
    for number in numbers:
        element = doc.by_objgen.get((number, 0))
        body = element.parent if element is not None else None
        item = body.parent if body is not None else None
        if element is None or body is None or item is None or body.role != "LBody" or \
                item.role != "LI" or _element_kids(body)[:1] != [element] or \
                any(k.role == "Lbl" for k in _element_kids(item)):
            continue
        _detach(element.obj, body.obj)
        kids = _kid_list(item.obj)
        at = next(i for i, kid in enumerate(kids) if _same(kid, body.obj))
        kids.insert(at, element.obj)
        item.obj.K = pikepdf.Array(kids)
        element.obj.P = item.obj
        element.obj.S = pikepdf.Name.Lbl
        moved.add(number)
    return moved


# -- repeated content ---------------------------------------------------------------------

def join_repeats(pdf: pikepdf.Pdf, repeats: Names, edits: FontEdits) -> None:
    """Later repetitions of each `data-tag-repeat` name: artifacts (in the pages'
    instructions of `edits`, which writes them), out of the tree."""
    if not repeats:
        return
    doc = PdfDocument(pdf, "")
    for name, group in _groups(doc, repeats).items():
        original = _names(repeats, group[0])[1]
        links = [link for e in group if _names(repeats, e)[1] == original
                 for link in _links(e)]
        for element in group:
            if _names(repeats, element)[1] == original:
                continue  # the first one, on every page it is on
            theirs = list(_links(element))
            if len(theirs) != len(links):
                raise TreeError(f"a repetition of {name!r} has {len(theirs)} link(s), the "
                                f"first {len(links)}: a repeated head must repeat the first "
                                "one")
            for (target, _), (_, objrs) in zip(links, theirs, strict=True):
                for objr in objrs:
                    _join_link(pdf, target, objr)
            _artifacts(pdf, _mcids(element), "/Header", edits)
            _remove(element.obj)


def _links(element: Element) -> Iterator[tuple[Element, list[pikepdf.Dictionary]]]:
    """The Link elements in `element` (itself included), with their OBJR kids."""
    for link in (element, *element.descendants()):
        if link.role == "Link":
            yield link, [kid for kid in _kid_list(link.obj) if isinstance(
                kid, pikepdf.Dictionary) and str(kid.get("/Type", "")) == "/OBJR"]


def _join_link(pdf: pikepdf.Pdf, target: Element, objr: pikepdf.Dictionary) -> None:
    """Move an annotation's OBJR into `target`, and the annotation's parent-tree entry."""
    target.obj.K = pikepdf.Array([*_kid_list(target.obj), objr])
    annotation = objr.get("/Obj")
    key = annotation.get("/StructParent") if isinstance(annotation, pikepdf.Dictionary) \
        else None
    if key is not None:
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        tree[int(key)] = target.obj


# -- tables continued ---------------------------------------------------------------------

def join_tables(pdf: pikepdf.Pdf, tables: Names, edits: FontEdits) -> None:
    """The later tables of each `data-tag-table` name continue the first one (their
    repeated parts made artifacts in the pages' instructions of `edits`)."""
    if not tables:
        return
    doc = PdfDocument(pdf, "")
    for name, (first, *later) in _groups(doc, tables).items():
        headers = _header_cells(first)
        body = next((k for k in reversed(_element_kids(first)) if k.role == "TBody"), first)
        for table in later:
            theirs = _header_cells(table)
            if len(theirs) != len(headers):
                raise TreeError(f"a table {name!r} has {len(theirs)} header cell(s), the "
                                f"first {len(headers)}: a continued table must repeat the "
                                "first one's header")
            ids = {_id(mine): _id(base) for mine, base in zip(theirs, headers, strict=True)
                   if _id(mine) and _id(base)}
            for part in _element_kids(table):
                if part.role in ("Caption", "THead", "TFoot"):
                    _artifacts(pdf, _mcids(part),
                               "/Footer" if part.role == "TFoot" else "/Header", edits)
                    continue
                for row in (_element_kids(part) if part.role == "TBody" else [part]):
                    _append_row(body, row, ids)
            _remove(table.obj)


def _header_cells(table: Element) -> list[Element]:
    return [cell for part in _element_kids(table) if part.role == "THead"
            for cell in part.descendants() if cell.role == "TH"]


def _id(cell: Element) -> str:
    return str(cell.obj.get("/ID", ""))


def _append_row(body: Element, row: Element, ids: dict[str, str]) -> None:
    """Move `row` to the end of `body`'s rows (before a TFoot, when `body` is the table),
    its cells' /Headers naming the header cells of `body`'s table."""
    _detach(row.obj, row.parent.obj if row.parent is not None else None)
    kids = _kid_list(body.obj)
    foot = next((i for i, kid in enumerate(kids) if isinstance(kid, pikepdf.Dictionary)
                 and str(kid.get("/S", "")) == "/TFoot"), len(kids))
    kids.insert(foot, row.obj)
    body.obj.K = pikepdf.Array(kids)
    row.obj.P = body.obj
    for cell in row.descendants():
        attributes = cell.obj.get("/A")
        for item in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if isinstance(item, pikepdf.Dictionary) and \
                    isinstance(item.get("/Headers"), pikepdf.Array):
                item.Headers = pikepdf.Array(pikepdf.String(ids.get(str(h), str(h)))
                                             for h in item.Headers)


# -- shared -------------------------------------------------------------------------------

def _artifacts(pdf: pikepdf.Pdf, mcids: dict[int, set[int]], subtype: str,
               edits: FontEdits) -> None:
    """`mark_artifacts` on every page of `mcids` (page index -> MCIDs)."""
    for index, numbers in sorted(mcids.items()):
        if numbers:
            mark_artifacts(pdf, index, numbers, _owners(pdf, pdf.pages[index]), edits,
                           subtype)


def _owners(pdf: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Array | None:
    if "/StructParents" not in page.obj:
        return None
    owners = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).get(
        int(page.obj.StructParents))
    return owners if isinstance(owners, pikepdf.Array) else None


def mark_artifacts(pdf: pikepdf.Pdf, index: int, mcids: set[int],
                   owners: pikepdf.Array | None, edits: FontEdits,
                   subtype: str | None = None) -> None:
    """Re-mark the marked content of `mcids` on page `index` as pagination artifacts (of
    `subtype`, e.g. "/Header", if given), their entries in `owners` (the page's array of
    the parent tree) emptied. The page's instructions are those of `edits`, parsed once
    for every fix of the page and written by `FontEdits.write`."""
    properties = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
    if subtype:
        properties.Subtype = pikepdf.Name(subtype)
    items = edits.items(pdf, index)
    for at, item in enumerate(items):
        if isinstance(item, pikepdf.ContentStreamInstruction) and \
                str(item.operator) == "BDC" and len(item.operands) == 2 and \
                isinstance(item.operands[1], pikepdf.Dictionary) and \
                int(item.operands[1].get("/MCID", -1)) in mcids:
            mcid = int(item.operands[1].MCID)
            if owners is not None and mcid < len(owners):
                owners[mcid] = None
            items[at] = pikepdf.ContentStreamInstruction(
                [pikepdf.Name.Artifact, properties], pikepdf.Operator("BDC"))
            edits.changed.add(index)


def _names(names: Names, element: Element) -> tuple[str | None, int | None]:
    number, generation = element.obj.objgen
    return names.get(number, (None, None)) if generation == 0 else (None, None)


def _groups(doc: PdfDocument, names: Names) -> dict[str, list[Element]]:
    """The elements of each name, in tree order (an element inside another of the same
    name counts as part of it)."""
    found: dict[str, list[Element]] = {}
    for element in doc.elements:
        name = _names(names, element)[0]
        if name is not None and not any(_within(element, other)
                                        for other in found.get(name, ())):
            found.setdefault(name, []).append(element)
    return found


def _within(element: Element, ancestor: Element) -> bool:
    parent = element.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def _mcids(element: Element) -> dict[int, set[int]]:
    """The MCIDs of `element` and its descendants, by page index."""
    found: dict[int, set[int]] = {}
    for owner in (element, *element.descendants()):
        for kid in owner.kids:
            if isinstance(kid, MCRef) and kid.page is not None:
                found.setdefault(kid.page, set()).add(kid.mcid)
    return found


def _element_kids(element: Element) -> list[Element]:
    return [kid for kid in element.kids if isinstance(kid, Element)]


def _kid_list(obj: pikepdf.Dictionary) -> list[pikepdf.Object]:
    kids = obj.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _same(a: object, b: pikepdf.Dictionary) -> bool:
    return isinstance(a, pikepdf.Dictionary) and a.is_indirect and a.objgen == b.objgen


def _detach(obj: pikepdf.Dictionary, parent: pikepdf.Object | None) -> None:
    if isinstance(parent, pikepdf.Dictionary):
        parent.K = pikepdf.Array([kid for kid in _kid_list(parent) if not _same(kid, obj)])


def _remove(obj: pikepdf.Dictionary) -> None:
    """Take an element out of the tree, and each ancestor it leaves with no kids."""
    parent = obj.get("/P")
    _detach(obj, parent)
    while isinstance(parent, pikepdf.Dictionary) and "/S" in parent and \
            str(parent.get("/Type", "/StructElem")) == "/StructElem" and \
            not _kid_list(parent) and str(parent.S) != "/Document":
        grandparent = parent.get("/P")
        _detach(parent, grandparent)
        parent = grandparent
