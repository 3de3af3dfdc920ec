"""Stage 6: make the tag tree right, and record what each tagged element should read.

WeasyPrint (70.x) tags what the HTML says, and some of it is wrong in ways no
viewer reports: right-to-left runs are drawn in visual order so the tag tree of an
Arabic or Hebrew PDF reads backwards (ligatures such as lam-alef map to the wrong
characters too); `lang` on an element does not reach /Lang; TH cells get no /Scope;
page-margin content (page numbers) is marked as content that belongs to no element.

Two steps, both driven from the build:

1. `recording()` observes WeasyPrint while it writes, through
   `publication.typeset.weasy.observe_structure` (which wraps WeasyPrint's structure
   tree builder, changing nothing): for every structure element WeasyPrint yields (by
   PDF object number) the layout box it came from, and for every MCID the text box drawn
   with it. That is the only reliable link between layout and PDF objects: the box knows
   its text in logical order, its language, its direction and its HTML element. The
   adapter checks the WeasyPrint internals this needs by feature, and the first
   recording in a process runs the self-test (`publication.tagging.selftest`), which
   proves on a canned document that these fixes still take.
2. `fix()` edits the written PDF with pikepdf, using those notes: /ActualText with
   the logical string on the structure element of every right-to-left run (the Span
   of each line, or a Link; a line's ends with the space the line was broken at, see
   `line_end_spaces`), /Lang on elements in another language than their
   surroundings, /Scope on TH, an IDTree for the IDs WeasyPrint gives header cells,
   page-margin content re-marked as pagination artifacts, the rearrangements the HTML
   asks for (`publication.tagging.tree`: a list item's `::before` as its Lbl, content
   repeated on later pages as artifacts, a table continued over pages as one Table),
   /Contents on link annotations that lack it, raised glyphs (Arabic and Hebrew marks)
   drawn on the baseline (`publication.tagging.marks`) and marks placed by numbers
   around them drawn with their offset in their outline (`publication.tagging.offsets`),
   the Unicode values of the
   glyphs of right-to-left runs mended from the runs' texts
   (`publication.tagging.clusters`), the kerning between a letter and its marks moved
   before them (`offsets.kern_marks`), a right-to-left line drawn in several fonts cut
   into marked-content sequences listed in the text's order, for pdf.js
   (`publication.tagging.order`), right-to-left marks where poppler would misplace a
   number and spaces pdf.js would drop (`publication.tagging.spaces`), a stretch of
   Latin words in a right-to-left line drawn so that PDFium reads its words in order
   (`publication.tagging.words`), and right-to-left clusters of the
   /ToUnicode maps in visual order (see `_visual_unicode`); then the document-level fixes of
   `publication.tagging.document` (XMP title language, the links' Print flag, figure
   boxes in user space). It returns the PDF with the expectations the
   checks compare against: each HTML element's text and its structure elements, the
   language parts and the figures' alternate text.

Why /ActualText on structure elements and not on the marked content: readers of the
tag tree honour both, but poppler (pdftotext) spreads a marked-content /ActualText
over the glyphs' box left to right and then reorders the line as visual text, which
turns a logical right-to-left string backwards. Content-stream extractors instead get
a consistent visual-order stream that their bidi reordering turns into logical text.

Each fix is also written as a patch for WeasyPrint itself, in docs/upstream/.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from publication.checks.expectations import FigureAlt, LanguagePart, TextUnit
from publication.errors import PublicationError
from publication.pdf.fonts import cmap_bytes, parse_cmap
from publication.pdf.structure import BIDI_CONTROLS, PdfDocument
from publication.tagging import (
    clusters,
    document,
    marks,
    offsets,
    order,
    spaces,
    tree,
    ua2,
    words,
)
from publication.typeset import weasy
from publication.typeset.weasy import Box

SVG_NS = "{http://www.w3.org/2000/svg}"
SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}


class TaggingError(PublicationError):
    """The tag tree could not be fixed (an unexpected WeasyPrint output)."""


@dataclass(frozen=True)
class Run:
    """The text drawn with one MCID: a text box of the layout."""

    text: str
    rtl: bool             # drawn right to left or holding right-to-left characters
    pagination: bool      # in a page-margin box (page numbers): an artifact, not content
    block: int | None = None  # the HTML element whose lines hold it (see line_end_spaces)
    rtl_direction: bool = False  # its CSS direction is rtl (text in right-to-left lines)


@dataclass(frozen=True)
class Node:
    """What a structure element WeasyPrint wrote came from."""

    key: int | None       # the HTML element's identity; None for generated content
    tag: str              # the HTML tag, or e.g. "p::before"
    own_lang: str | None  # set when it differs from the enclosing box's language
    scope: str | None     # a TH's /Scope
    alt: str | None       # a figure's alternate text
    host: int | None = None    # a pseudo-element's HTML element (its identity)
    repeat: str | None = None  # its data-tag-repeat name (publication.tagging.tree)
    table: str | None = None   # its data-tag-table name


@dataclass
class TagRecord:
    """Everything noted while WeasyPrint wrote one document."""

    runs: dict[tuple[int, int], Run] = field(default_factory=dict)   # (page, mcid) -> run
    nodes: dict[int, Node] = field(default_factory=dict)             # object number -> node
    texts: dict[int, str] = field(default_factory=dict)              # key -> DOM text
    order: dict[int, int] = field(default_factory=dict)              # key -> document order
    holds_text: set[int] = field(default_factory=set)                # keys with line boxes
    generated: dict[tuple[int, str], str] = field(default_factory=dict)  # ::before/::after
    langs: dict[int, str] = field(default_factory=dict)              # key -> language
    block_texts: dict[int, str] = field(default_factory=dict)        # Run.block -> DOM text

    @property
    def has_figures(self) -> bool:
        """Whether the document has a figure (an element with alternate text): without
        one, `fix` has no use for the source page's alternate texts."""
        return any(node.alt is not None and node.key is not None
                   for node in self.nodes.values())


@dataclass(frozen=True)
class TaggedPdf:
    """The fixed PDF and what its elements must read."""

    data: bytes
    units: tuple[TextUnit, ...]
    languages: tuple[LanguagePart, ...]
    figures: tuple[FigureAlt, ...]


def _is_rtl_text(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") for ch in text)


def dom_text(element: Any) -> str:
    """The text an HTML element holds, as written in the HTML (br as a line break)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag.startswith(SVG_NS) or tag in ("script", "style", "title"):
            return
        if tag == "br":
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def _alt(element: Any) -> str | None:
    if element is None:
        return None
    if element.tag == f"{SVG_NS}svg":
        title = element.find(f"{SVG_NS}title")
        return title.text if title is not None and title.text else None
    return element.get("alt")


class _Recorder:
    """What publication.typeset.weasy reports while WeasyPrint builds the structure tree
    (a weasy.StructureObserver), noted in a TagRecord."""

    def __init__(self) -> None:
        self.record = TagRecord()
        self.langs: list[str] = []  # the language of each box WeasyPrint is inside

    def page_started(self, page: int, root: Box, marked: list[tuple[Box, int]]) -> None:
        """Note every text box drawn on the page with its MCID, before WeasyPrint uses them."""
        margin: set[int] = set()
        for child in weasy.children(root) if weasy.is_page(root) else ():
            if weasy.is_margin(child):
                margin.update(id(b) for b in child.descendants() if weasy.is_text(b))
        if not self.record.order and weasy.children(root):
            self._number_elements(root)
        blocks = self._line_blocks(root)
        for box, mcid in marked:
            if weasy.is_text(box):
                text = weasy.text(box).translate(BIDI_CONTROLS).replace("\u00ad", "")
                direction = box.style["direction"] == "rtl"
                self.record.runs[(page, mcid)] = Run(
                    text, direction or _is_rtl_text(text), id(box) in margin,
                    blocks.get(id(box)), direction)

    def _line_blocks(self, root: Box) -> dict[int, int]:
        """Each text box of the page (by id) -> the element whose line boxes hold it, with
        that element's DOM text noted in the record."""
        found: dict[int, int] = {}
        stack = [root]
        while stack:
            box = stack.pop()
            for child in weasy.children(box):
                if not weasy.is_line(child):
                    stack.append(child)
                    continue
                if child.element is None:
                    continue
                key = id(child.element)
                if key not in self.record.block_texts:
                    self.record.block_texts[key] = dom_text(child.element)
                found.update((id(t), key) for t in child.descendants() if weasy.is_text(t))
        return found

    def enter(self, box: Box) -> tuple[str, str | None]:
        parent_lang = self.langs[-1] if self.langs else None
        lang = (box.style["lang"] or "") if box.style is not None else ""
        self.langs.append(lang)
        return lang, parent_lang

    def element(self, number: int, box: Box, frame: tuple[str, str | None]) -> None:
        # An element passed up from a descendant's box was noted with that box, first.
        if number not in self.record.nodes:
            self._note(number, box, *frame)

    def leave(self, frame: tuple[str, str | None]) -> None:
        self.langs.pop()

    def _number_elements(self, root: Box) -> None:
        for child in weasy.children(root):
            if child.element is not None and child.element_tag == "html":
                for index, element in enumerate(child.element.iter()):
                    self.record.order[id(element)] = index

    def _note(self, number: int, box: Box, lang: str, parent_lang: str | None) -> None:
        element = box.element
        tag = box.element_tag or ""
        pseudo = "::" in tag
        key = None if element is None or pseudo else id(element)
        scope = None
        if tag == "th" and element is not None:
            scope = SCOPES.get((element.get("scope") or "").lower(), "/Column")
        alt = _alt(element) if weasy.is_replaced(box) else None
        own = lang if parent_lang is not None and lang and lang != parent_lang and \
            not pseudo else None
        html = element if key is not None else None
        self.record.nodes[number] = Node(
            key, tag, own, scope, alt,
            host=id(element) if pseudo and element is not None else None,
            repeat=html.get(tree.REPEAT_ATTRIBUTE) if html is not None else None,
            table=html.get(tree.TABLE_ATTRIBUTE) if html is not None else None)
        if key is not None:
            self.record.texts.setdefault(key, dom_text(element))
            self.record.langs.setdefault(key, lang)
            if any(weasy.is_line(c) and any(weasy.is_text(t) for t in c.descendants())
                   for c in weasy.children(box)):
                self.record.holds_text.add(key)
        elif pseudo and element is not None and tag.endswith(("::before", "::after")):
            text = "".join(weasy.text(b) for b in box.descendants() if weasy.is_text(b))
            where = (id(element), tag.rsplit("::", 1)[1])
            self.record.generated[where] = self.record.generated.get(where, "") + text


@contextmanager
def recording() -> Iterator[TagRecord]:
    """Note what WeasyPrint tags while the block writes one PDF (see the module docstring).

    The first time in a process, the tagging self-test shows that the installed WeasyPrint
    and these fixes still work together (publication.tagging.selftest; cached)."""
    from publication.tagging.selftest import ensure_self_test  # it imports this module

    ensure_self_test()
    with observed() as record:
        yield record


@contextmanager
def observed() -> Iterator[TagRecord]:
    """`recording` without the self-test (which uses it)."""
    recorder = _Recorder()
    with weasy.observe_structure(recorder):
        yield recorder.record


def fix(data: bytes, record: TagRecord, source_alts: tuple[str, ...] | None = None,
        standard: str = "ua-1") -> TaggedPdf:
    """Apply the fixes described in the module docstring to WeasyPrint's PDF `data`;
    for a PDF/UA-2 file (`standard` "ua-2", written as "pdf/ua-2"), those of
    `publication.tagging.ua2` too."""
    if not record.nodes:
        raise TaggingError("no structure elements were recorded: write the PDF inside "
                           "tagging.recording() with a tagged PDF variant")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        elements = {num: pdf.get_object((num, 0)) for num in record.nodes}
        for number, node in record.nodes.items():
            element = elements[number]
            if not isinstance(element, pikepdf.Dictionary):
                raise TaggingError(f"object {number} is not the structure element WeasyPrint "
                                   "wrote: the PDF was changed after it was recorded")
            if node.own_lang:
                element.Lang = pikepdf.String(node.own_lang)
            if node.scope:
                _set_scope(element, node.scope)
        # Each page's instructions, parsed once for every fix that changes them and
        # written once (`edits.write`).
        edits = marks.FontEdits()
        _fix_content(pdf, record, edits)
        labels = tree.list_labels(pdf, [n for n, node in record.nodes.items()
                                        if node.tag == "li::before"])
        tree.join_repeats(pdf, {n: (node.repeat, node.key)
                                for n, node in record.nodes.items() if node.repeat}, edits)
        tree.join_tables(pdf, {n: (node.table, node.key)
                               for n, node in record.nodes.items() if node.table}, edits)
        marks.split_marks(pdf, edits)
        marks.baseline_marks(pdf, edits)
        offsets.offset_marks(pdf, edits)
        clusters.mend(pdf, _rtl_texts(record), edits)
        offsets.kern_marks(pdf, edits)
        rtl = _rtl_runs(record)
        split = order.split_lines(pdf, rtl, edits)
        runs = {page: rtl.get(page, frozenset()) | split.get(page, frozenset())
                for page in rtl.keys() | split.keys()}
        spaces.rtl_marks(pdf, runs, edits)
        words.reverse_words(pdf, runs, edits)
        edits.write(pdf)
        _visual_unicode(pdf)
        _add_id_tree(pdf)
        _link_contents(pdf)
        document.print_links(pdf)
        document.xmp_language(pdf)
        if standard == "ua-2":
            ua2.fix(pdf)
        # Each page's instructions as parsed for the fixes and written (`edits.write`).
        doc = PdfDocument(pdf, "", edits.pages)
        document.figure_boxes(doc)
        hosts = {record.nodes[n].host for n in labels}
        units, languages, figures = _expectations(doc, record, source_alts, hosts)
        out = io.BytesIO()
        pdf.save(out, compress_streams=True, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return TaggedPdf(out.getvalue(), units, languages, figures)


def _rtl_runs(record: TagRecord) -> dict[int, frozenset[int]]:
    """Page index -> the MCIDs of its text runs set right to left (CSS direction rtl:
    a right-to-left paragraph's, not an isolated left-to-right span's, nor a Hebrew name's
    in a German line), page numbers left out."""
    found: dict[int, set[int]] = {}
    for (page, mcid), run in record.runs.items():
        if run.rtl_direction and not run.pagination:
            found.setdefault(page, set()).add(mcid)
    return {page: frozenset(mcids) for page, mcids in found.items()}


def _rtl_texts(record: TagRecord) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text of each run of right-to-left letters with no
    left-to-right ones (publication.tagging.clusters), page numbers left out."""
    return {where: run.text for where, run in record.runs.items()
            if run.rtl and not run.pagination and _is_rtl_text(run.text)
            and not any(unicodedata.bidirectional(ch) in ("L", "LRE", "LRO", "LRI")
                        for ch in run.text)}


def _set_scope(element: pikepdf.Dictionary, scope: str) -> None:
    attributes = element.get("/A")
    if isinstance(attributes, pikepdf.Array):
        for item in attributes:
            if isinstance(item, pikepdf.Dictionary) and str(item.get("/O", "")) == "/Table":
                item.Scope = pikepdf.Name(scope)
                return
        attributes.append(pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name(scope)))
    elif isinstance(attributes, pikepdf.Dictionary) and str(attributes.get("/O", "")) == "/Table":
        attributes.Scope = pikepdf.Name(scope)
    else:
        table = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name(scope))
        element.A = pikepdf.Array([attributes, table]) if attributes is not None else table


def _fix_content(pdf: pikepdf.Pdf, record: TagRecord, edits: marks.FontEdits) -> None:
    """/ActualText on the elements of right-to-left runs; page-margin runs as artifacts
    (in the pages' instructions of `edits`)."""
    parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    for index, page in enumerate(pdf.pages):
        runs = {mcid: run for (p, mcid), run in record.runs.items() if p == index}
        owners = parent_tree.get(int(page.obj.StructParents)) if "/StructParents" in page.obj \
            else None
        if not isinstance(owners, pikepdf.Array):
            continue
        done: set[tuple[int, int]] = set()
        spaced = {mcid for (p, mcid) in line_end_spaces(record) if p == index}
        for mcid, run in runs.items():
            owner = owners[mcid] if mcid < len(owners) else None
            if run.rtl and not run.pagination and isinstance(owner, pikepdf.Dictionary) and \
                    owner.objgen not in done:
                done.add(owner.objgen)
                _actual_text(owner, runs, spaced)
        pagination = {mcid for mcid, run in runs.items() if run.pagination}
        if pagination:
            tree.mark_artifacts(pdf, index, pagination, owners, edits)  # page numbers


def _actual_text(owner: pikepdf.Dictionary, runs: dict[int, Run], spaced: set[int]) -> None:
    """Give an element whose kids are only MCIDs (a Span per line, a Link) the logical text
    of its runs as /ActualText, with the space a line ended at after a run in `spaced`;
    one with other kids is left to its kids."""
    kids = owner.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    mcids: list[int] = []
    for kid in items:
        if isinstance(kid, int) and not isinstance(kid, bool):
            mcids.append(int(kid))
    others = [k for k in items if not isinstance(k, int) and not (
        isinstance(k, pikepdf.Dictionary) and str(k.get("/Type", "")) == "/OBJR")]
    if others or not mcids or any(m not in runs for m in mcids):
        return
    owner.ActualText = pikepdf.String("".join(runs[m].text + " " * (m in spaced)
                                              for m in mcids))


_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
_HYPHENS = "\u2010-"


def line_end_spaces(record: TagRecord) -> set[tuple[int, int]]:
    """The runs, as (page, MCID), after which their element's text has a space that no
    run draws: the space a line was broken at, which WeasyPrint does not draw.

    A run's /ActualText replaces its content for readers of the tag tree, so without it
    the last word of a line and the first of the next run together ("טרגדיות,שפיכות").
    Each element's runs, in drawing order, are found one after another in its DOM text
    (whitespace collapsed, case folded); a run that is not there (generated content such
    as a list marker or CSS quotes) is passed over, and a hyphen a line was broken after
    (hyphenation) is matched without it."""
    by_block: dict[int, list[tuple[tuple[int, int], str]]] = {}
    for where in sorted(record.runs):
        run = record.runs[where]
        if run.block is not None and not run.pagination:
            by_block.setdefault(run.block, []).append((where, run.text.casefold()))
    found: set[tuple[int, int]] = set()
    for block, items in by_block.items():
        text = _COLLAPSIBLE.sub(" ", record.block_texts.get(block, "")).translate(
            BIDI_CONTROLS).replace("\u00ad", "").casefold()
        at = 0
        for index, (where, drawn) in enumerate(items):
            match = _find_run(text, drawn, at)
            if match is None:
                continue
            at = match
            following = items[index + 1][1] if index + 1 < len(items) else ""
            if at < len(text) and text[at] == " " and not drawn.endswith(" ") and \
                    not following.startswith(" "):
                found.add(where)
    return found


def _find_run(text: str, run: str, at: int) -> int | None:
    """Where `run` ends in `text` when it starts at `at` (after whitespace only)."""
    for form in (run, run.rstrip(_HYPHENS)) if run.endswith(tuple(_HYPHENS)) else (run,):
        if not form.strip():
            return None
        start = text.find(form, at)
        if start >= 0 and not text[at:start].strip():
            return start + len(form)
    return None


def _visual_unicode(pdf: pikepdf.Pdf) -> None:
    """Write right-to-left clusters of the /ToUnicode maps in visual order.

    WeasyPrint draws a right-to-left run's glyphs in visual order and maps each glyph to
    its cluster's characters in logical order, so a lam-alef ligature (one glyph for
    "لأ") reads "أل" once an extractor turns the visual line back to logical order, as
    pdftotext does. Written in visual order, every glyph of the run agrees with the
    run's order and the extractor's reversal gives the logical text. Clusters with no
    right-to-left letter (Latin ligatures such as "fi") are left alone.
    """

    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        for font in fonts.values() if isinstance(fonts, pikepdf.Dictionary) else ():
            stream = font.get("/ToUnicode")
            if not isinstance(stream, pikepdf.Stream) or stream.objgen in seen:
                continue
            seen.add(stream.objgen)
            table = parse_cmap(stream.read_bytes())
            flipped = {code: text[::-1] for code, text in table.items()
                       if len(text) > 1 and _rtl_cluster(text)}
            if flipped:
                table.update(flipped)
                stream.write(cmap_bytes(table, two_byte=str(font.get("/Subtype")) == "/Type0"))


def _rtl_cluster(text: str) -> bool:
    classes = [unicodedata.bidirectional(ch) for ch in text]
    return any(c in ("R", "AL") for c in classes) and all(
        c in ("R", "AL", "NSM", "AN") for c in classes)


def _add_id_tree(pdf: pikepdf.Pdf) -> None:
    """The IDTree PDF requires when elements have /ID (WeasyPrint gives TH cells one)."""
    doc = PdfDocument(pdf, "")
    with_ids = [(str(e.obj.ID), e.obj) for e in doc.elements if "/ID" in e.obj]
    if not with_ids:
        return
    id_tree = pikepdf.NameTree.new(pdf)
    for name, element in sorted(with_ids, key=lambda item: item[0]):
        id_tree[name] = element
    pdf.Root.StructTreeRoot.IDTree = id_tree.obj


def _link_contents(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", ()):
            if str(annot.get("/Subtype")) == "/Link" and not str(annot.get("/Contents", "")):
                action = annot.get("/A")
                uri = action.get("/URI") if isinstance(action, pikepdf.Dictionary) else None
                if uri is not None:
                    annot.Contents = pikepdf.String(str(uri))


def _expectations(
    doc: PdfDocument, record: TagRecord, source_alts: tuple[str, ...] | None,
    labelled: set[int | None],
) -> tuple[tuple[TextUnit, ...], tuple[LanguagePart, ...], tuple[FigureAlt, ...]]:
    """Units, language parts and figures, with the ordinals of their elements; the
    `::before` of an element in `labelled` is its list label, read apart from its text."""
    unit_elements: dict[int, list[int]] = {}
    languages = []
    figures: list[tuple[int, int, str]] = []  # (document order, ordinal, alt)
    for element in doc.elements:
        node = record.nodes.get(element.obj.objgen[0]) if element.obj.objgen[1] == 0 else None
        if node is None:
            continue
        if node.key is not None and node.key in record.holds_text and \
                _ancestor_key(doc, element, record) != node.key:
            unit_elements.setdefault(node.key, []).append(element.ordinal)
        if node.own_lang and node.key is not None:
            languages.append(LanguagePart(element.ordinal, node.own_lang,
                                          record.texts.get(node.key, "")))
        if node.alt is not None and node.key is not None:
            figures.append((record.order.get(node.key, 0), element.ordinal, node.alt))
    units = []
    for key in sorted(unit_elements, key=lambda k: record.order.get(k, 0)):
        before = "" if key in labelled else record.generated.get((key, "before"), "")
        text = (before + record.texts.get(key, "")
                + record.generated.get((key, "after"), ""))
        node_tag = next(n.tag for n in record.nodes.values() if n.key == key)
        units.append(TextUnit(tuple(unit_elements[key]), node_tag, text,
                              record.langs.get(key, "")))
    figures.sort()
    sources = source_alts if source_alts is not None and len(source_alts) == len(figures) \
        else tuple("" for _ in figures)
    alts = tuple(FigureAlt(ordinal, alt, source)
                 for (_, ordinal, alt), source in zip(figures, sources, strict=True))
    return tuple(units), tuple(languages), alts


def _ancestor_key(doc: PdfDocument, element: Any, record: TagRecord) -> int | None:
    """The HTML element of the nearest ancestor that came from a non-generated box."""
    parent = element.parent
    while parent is not None:
        node = record.nodes.get(parent.obj.objgen[0]) if parent.obj.objgen[1] == 0 else None
        if node is not None and node.key is not None:
            return node.key
        parent = parent.parent
    return None
