"""Tags for a file of placed pages (an office sheet, a proof sheet): each page it places
is one Figure with alternate text, everything else (labels, fold guides) an artifact.

Such a file is for printing or for a look at a glance, and its pages are drawn from
other files' pages as form XObjects; the file to read is the accessible one. Tagged so,
a screen reader still says what each placed page is, in order, and a viewer shows the
document's title and language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf

from publication.pdf.structure import Element, MCRef, PdfDocument
from publication.press.pdfx import content_owners

MARKING = frozenset({"BDC", "BMC", "EMC", "MP", "DP"})
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage


def tag_figures(pdf: pikepdf.Pdf, alts: Sequence[Sequence[str]], lang: str,
                order: Sequence[tuple[int, int]] | None = None) -> None:
    """Tag `pdf`: on page i, the k-th top-level `q … Do … Q` group that draws a form
    XObject is a Figure with alternate text `alts[i][k]`; all else on the page is an
    artifact. The Figures follow `order` ((page, k) pairs; default: page by page)."""
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root,
        Lang=pikepdf.String(lang)))
    figures: dict[tuple[int, int], pikepdf.Object] = {}
    nums: list[object] = []
    seen: set[tuple[int, int]] = set()
    for index, page in enumerate(pdf.pages):
        groups = _groups(pikepdf.parse_content_stream(page))
        out: list[Instruction] = []
        on_page = pikepdf.Array()
        for instructions, draws_form in groups:
            k = len(on_page)
            if draws_form and k < len(alts[index]):
                out.append(pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Figure, pikepdf.Dictionary(MCID=k)],
                    pikepdf.Operator("BDC")))
                element = pdf.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure, P=document,
                    Pg=page.obj, K=k, Alt=pikepdf.String(alts[index][k])))
                figures[(index, k)] = element
                on_page.append(element)
            else:
                out.append(pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Artifact], pikepdf.Operator("BMC")))
            out.extend(instructions)
            out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
        _unmark_forms(page.obj, seen)
        page.obj.StructParents = index
        page.obj.Tabs = pikepdf.Name.S
        nums += [index, on_page]
    document.K = pikepdf.Array(figures[key] for key in (order or sorted(figures))
                               if key in figures)
    root.K = document
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = len(pdf.pages)
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)


def _unmark_forms(page: pikepdf.Object, seen: set[tuple[int, int]]) -> None:
    """Drop the marked-content sequences of the forms a page draws (each once): they are
    the placed pages' own, whose structure elements are not in this file; inside a
    Figure they would be content tagged to nothing."""
    for owner in content_owners(page, seen):
        if owner.objgen == page.objgen:
            continue
        kept = [item for item in pikepdf.parse_content_stream(owner)
                if not isinstance(item, pikepdf.ContentStreamInstruction)
                or str(item.operator) not in MARKING]
        owner.write(pikepdf.unparse_content_stream(kept))


def _groups(items: Sequence[Instruction]) -> list[tuple[list[Instruction], bool]]:
    """The page's instructions in top-level groups (a `q … Q`, or a run of instructions
    outside any), each with whether it draws a form XObject."""
    groups: list[tuple[list[Instruction], bool]] = []
    current: list[Instruction] = []
    depth, draws = 0, False
    for item in items:
        operator = str(item.operator) if isinstance(item, pikepdf.ContentStreamInstruction) \
            else "BI"  # an inline image
        if operator == "q" and depth == 0 and current:
            groups.append((current, draws))
            current, draws = [], False
        current.append(item)
        depth += {"q": 1, "Q": -1}.get(operator, 0)
        draws = draws or operator == "Do"
        if operator == "Q" and depth == 0:
            groups.append((current, draws))
            current, draws = [], False
    if current:
        groups.append((current, draws))
    return groups


# Structure elements whose text is read as one block (a paragraph, a heading, an item).
BLOCKS = frozenset({"P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "TH", "TD",
                    "Caption", "BlockQuote"})


def page_texts(data: bytes, limit: int = 2000) -> list[str]:
    """Each page's text in the tagged PDF `data` as assistive technology reads it
    (its tag tree, in reading order: publication.pdf.structure), cut at `limit`
    characters: a placed page's alternate text."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return document_texts(PdfDocument(pdf, ""), limit)


def document_texts(doc: PdfDocument, limit: int = 2000) -> list[str]:
    """`page_texts` of a document already read (the build's gate reads the accessible
    file the office sheet places)."""
    texts: list[list[str]] = [[] for _ in doc.pages]
    for element in doc.elements:
        parent, inside = element.parent, False
        while parent is not None and not inside:
            inside, parent = parent.role in BLOCKS, parent.parent
        if element.role in BLOCKS and not inside and element.page is not None:
            texts[element.page].append(_spoken(doc, element))
    joined = [" ".join(t for t in page if t) for page in texts]
    return [text if len(text) <= limit else text[:limit - 1] + "…" for text in joined]


def _spoken(doc: PdfDocument, element: Element) -> str:
    """`doc.read_text(element)` with a space between its marked-content sequences (one
    per line of text, whose breaking space WeasyPrint does not draw) and the hyphens it
    drew at breaks taken out again."""
    if element.actual_text is not None:
        text = element.actual_text
    else:
        parts = []
        for kid in element.kids:
            if isinstance(kid, Element):
                parts.append(_spoken(doc, kid))
            elif isinstance(kid, MCRef) and kid.page is not None:
                parts.append(doc.mcid_text(kid.page).get(kid.mcid, ""))
        text = " ".join(parts)
    return " ".join(text.replace("\u2010 ", "").replace("\u00ad", "").split())
