"""PDF/UA-1 machine checks: the machine-checkable part of the Matterhorn Protocol that
applies to the documents this project makes (text, figures, lists, tables, links).

Each finding names its Matterhorn failure condition (e.g. 13-004) or the clause of
ISO 14289-1 it comes from. Needs no expectations: it runs on any PDF.
"""

from __future__ import annotations

import re
from collections import Counter

import pikepdf

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, error
from publication.pdf.content import Paint, TextRun, innermost_mcid, is_artifact
from publication.pdf.structure import Element, PdfDocument

HEADING = re.compile(r"^H([1-6])$")
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    """Every PDF/UA-1 machine check on `doc`."""
    findings: list[Finding] = []
    tagged = _catalog(doc, findings)
    if tagged:
        _structure(doc, findings)
    _content(doc, findings, tagged)
    _annotations(doc, findings)
    _fonts(doc, findings)
    return findings


def _catalog(doc: PdfDocument, findings: list[Finding]) -> bool:
    """Document-level requirements; returns whether the file has a structure tree."""
    root, name = doc.pdf.Root, doc.name
    tagged = isinstance(doc.tree_root, pikepdf.Dictionary)
    if not tagged:
        findings.append(error("pdfua.tagged", name, 0,
                              "the file has no structure tree (/StructTreeRoot): it is not tagged",
                              "produce it as tagged PDF (WeasyPrint: pdf_variant 'pdf/ua-1')"))
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked", False))):
        findings.append(error("pdfua.marked", name, 0,
                              "/MarkInfo /Marked is not true (ISO 14289-1 7.1)",
                              "mark the file as tagged PDF"))
    elif bool(mark_info.get("/Suspects", False)):
        findings.append(error("pdfua.marked", name, 0, "/MarkInfo /Suspects is true "
                              "(Matterhorn 01-007)", "fix the tagging, then remove /Suspects"))
    metadata = doc.pdf.open_metadata()
    if "/Metadata" not in root:
        findings.append(error("pdfua.identifier", name, 0, "no XMP metadata stream "
                              "(Matterhorn 06-001)", "write XMP metadata with pdfuaid:part"))
    else:
        if str(metadata.get("pdfuaid:part", "")) not in ("1", "2"):
            findings.append(error("pdfua.identifier", name, 0,
                                  "the XMP metadata has no PDF/UA identifier (pdfuaid:part) "
                                  "(Matterhorn 06-002)", "declare PDF/UA-1 in the XMP metadata"))
        if not str(metadata.get("dc:title", "")).strip():
            findings.append(error("pdfua.title", name, 0, "the XMP metadata has no dc:title "
                                  "(Matterhorn 06-003)", "give the document a <title>"))
    lang = str(root.get("/Lang", "")).strip()
    if not lang:
        findings.append(error("pdfua.lang", name, 0, "the document has no /Lang "
                              "(Matterhorn 11-001)", "set lang on the <html> element"))
    elif not LANG_TAG.match(lang):
        findings.append(error("pdfua.lang", name, 0, f"/Lang {lang!r} is not a language tag",
                              "use a BCP 47 tag such as 'en' or 'ar'"))
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, pikepdf.Dictionary) or "/DisplayDocTitle" not in prefs:
        findings.append(error("pdfua.title", name, 0, "/ViewerPreferences has no /DisplayDocTitle "
                              "(Matterhorn 07-001)", "show the title as the window title"))
    elif not bool(prefs.DisplayDocTitle):
        findings.append(error("pdfua.title", name, 0, "/DisplayDocTitle is false "
                              "(Matterhorn 07-002)", "show the title as the window title"))
    return tagged


def _structure(doc: PdfDocument, findings: list[Finding]) -> None:
    name = doc.name
    for problem in doc.problems:
        findings.append(error("pdfua.structure", name, 0, problem,
                              "repair the structure tree (each element once, as a dictionary)"))
    unknown = Counter(e.type for e in doc.elements if not e.role)
    for type_, n in sorted(unknown.items()):
        findings.append(error("pdfua.structure-type", name, 0,
                              f"{n} element(s) of type {type_}, which is not a standard type and "
                              "is not role-mapped to one (Matterhorn 02-001)",
                              f"map /{type_} to a standard type in the /RoleMap"))
    _headings(doc, findings)
    for element in doc.elements:
        page = (element.page or 0) + 1 if element.page is not None else 0
        if element.role == "Figure" and not (element.alt or element.actual_text or "").strip():
            findings.append(error("pdfua.figure-alt", name, page,
                                  f"figure (element {element.ordinal}) has no alternate text "
                                  "(Matterhorn 13-004)",
                                  "give the image an alt attribute (an SVG a <title>), or mark a "
                                  "decorative image as an artifact"))
        if element.role == "Figure":
            _figure_box(doc, element, page, findings)
        if element.role == "TH" and "/Scope" not in element.attributes("/Table"):
            findings.append(error("pdfua.table-scope", name, page,
                                  f"table header cell '{_short(doc, element)}' has no /Scope "
                                  "(Matterhorn 15-003)",
                                  "give the <th> a scope attribute (col or row)"))


# How far a figure's /BBox may be from where it is drawn (points): rounding, stroke widths.
BBOX_TOLERANCE = 2.0


def _figure_box(doc: PdfDocument, element: Element, page: int,
                findings: list[Finding]) -> None:
    """A figure's Layout /BBox is where it is drawn, in default user space (PDF/UA-1 7.3:
    a figure's BBox is required for reflow and magnifiers)."""
    bbox = element.attributes("/Layout").get("/BBox")
    drawn = doc.drawn_box(element)
    if not isinstance(bbox, pikepdf.Array) or len(bbox) != 4 or drawn is None:
        return
    given = tuple(float(v) for v in bbox)
    if max(abs(a - b) for a, b in zip(given, drawn, strict=True)) > BBOX_TOLERANCE:
        findings.append(error(
            "pdfua.figure-bbox", doc.name, page,
            f"figure (element {element.ordinal}) has /BBox "
            f"[{' '.join(f'{v:.0f}' for v in given)}], but it is drawn at "
            f"[{' '.join(f'{v:.0f}' for v in drawn)}] (default user space)",
            "set the Layout /BBox to where the figure is drawn (publication.tagging.document)"))


def _headings(doc: PdfDocument, findings: list[Finding]) -> None:
    level = 0
    first = True
    for element in doc.elements:
        match = HEADING.match(element.role)
        if not match:
            continue
        number = int(match.group(1))
        page = (element.page or 0) + 1 if element.page is not None else 0
        if first and number != 1:
            findings.append(error("pdfua.headings", doc.name, page,
                                  f"the first heading is H{number} "
                                  f"('{_short(doc, element)}'), not H1 (Matterhorn 14-002)",
                                  "start the document with an <h1>"))
        elif number > level + 1 and not first:
            findings.append(error("pdfua.headings", doc.name, page,
                                  f"heading H{number} '{_short(doc, element)}' follows H{level}: "
                                  f"level {level + 1} is skipped (Matterhorn 14-003)",
                                  f"make it an <h{level + 1}> or add the missing level"))
        first = False
        level = number


def _short(doc: PdfDocument, element: Element) -> str:
    text = " ".join(doc.read_text(element).split())
    return text if len(text) <= 40 else text[:39] + "…"


def _content(doc: PdfDocument, findings: list[Finding], tagged: bool) -> None:
    """Every piece of page content is tagged real content or an artifact (Matterhorn 01-005)."""
    reachable = {e.obj.objgen for e in doc.elements}
    for index in range(len(doc.pages)):
        untagged: Counter[str] = Counter()
        orphan: Counter[str] = Counter()
        for event in doc.events(index):
            if not isinstance(event, (TextRun, Paint)) or is_artifact(event.marked):
                continue
            what = "text" if isinstance(event, TextRun) else event.kind
            mcid = innermost_mcid(event.marked)
            if mcid is None:
                untagged[what] += 1
            elif tagged:
                owner = doc.owner_of_mcid(index, mcid)
                if owner is None or owner.obj.objgen not in reachable:
                    orphan[what] += 1
        if untagged:
            findings.append(error("pdfua.untagged-content", doc.name, index + 1,
                                  "content neither tagged nor marked as artifact: "
                                  f"{_list(untagged)} (Matterhorn 01-005)",
                                  "tag it (an image needs a Figure with alternate text) or mark it "
                                  "as an artifact if it is decoration"))
        if orphan:
            findings.append(error("pdfua.untagged-content", doc.name, index + 1,
                                  f"marked content whose MCID belongs to no element of the "
                                  f"structure tree: {_list(orphan)} (Matterhorn 01-005)",
                                  "attach it to the tree or mark it as an artifact (page "
                                  "numbers and running heads are pagination artifacts)"))


def _list(counter: Counter[str]) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(counter.items()))


def _annotations(doc: PdfDocument, findings: list[Finding]) -> None:
    reachable = {e.obj.objgen for e in doc.elements}
    for index, page in enumerate(doc.pages):
        annots = page.obj.get("/Annots")
        tabs = page.obj.get("/Tabs")
        if str(tabs) != "/S" and annots:
            findings.append(error("pdfua.tabs", doc.name, index + 1,
                                  f"a page with annotations has /Tabs {tabs or 'missing'}, not /S "
                                  "(Matterhorn 28-008/28-009)",
                                  "set /Tabs /S so the tab order follows the structure"))
        for annot in annots or ():
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype in ("/Popup", "/Widget") or int(annot.get("/F", 0)) & 2:
                continue
            owner = doc.owner_of_annotation(annot)
            contents = str(annot.get("/Contents", "")).strip()
            if subtype == "/Link":
                if owner is None or owner.role != "Link" or owner.obj.objgen not in reachable:
                    findings.append(error("pdfua.link", doc.name, index + 1,
                                          "a link annotation is not inside a Link element "
                                          "(Matterhorn 28-011)",
                                          "tag the link text and its annotation in one Link"))
                if not contents:
                    findings.append(error("pdfua.annotation-contents", doc.name, index + 1,
                                          "a link annotation has no /Contents "
                                          "(Matterhorn 28-012)",
                                          "describe where the link goes in /Contents"))
            elif not contents and not (owner is not None and (owner.alt or "").strip()):
                findings.append(error("pdfua.annotation-contents", doc.name, index + 1,
                                      f"a {subtype[1:]} annotation has no /Contents and its "
                                      "element no /Alt (Matterhorn 28-004)",
                                      "describe the annotation in /Contents"))


def _fonts(doc: PdfDocument, findings: list[Finding]) -> None:
    """Fonts used for visible text are embedded and map every code used to Unicode."""
    reported: set[tuple[tuple[int, int], str]] = set()
    for index in range(len(doc.pages)):
        for event in doc.events(index):
            if not isinstance(event, TextRun):
                continue
            info = doc.fonts.cache.get(event.font_key)
            if info is None:
                continue
            if not info.embedded and not event.invisible and \
                    (event.font_key, "embed") not in reported:
                reported.add((event.font_key, "embed"))
                findings.append(error("pdfua.font-embedded", doc.name, index + 1,
                                      f"font {event.font} is not embedded (ISO 14289-1 7.21.4.1)",
                                      "embed the font program (use a font file in the "
                                      "stylesheet, not a system or base-14 font)"))
            if event.unmapped and (event.font_key, "unicode") not in reported:
                reported.add((event.font_key, "unicode"))
                codes = ", ".join(f"{c:#06x}" for c in sorted(set(event.unmapped))[:8])
                findings.append(error("pdfua.font-unicode", doc.name, index + 1,
                                      f"font {event.font} shows codes with no Unicode value "
                                      f"({codes}) (Matterhorn 10-001)",
                                      "give the font a complete /ToUnicode map"))
