"""Logical reading order: the text read through the tag tree equals the text written.

With expectations (a PDF this project built), each HTML element that holds text is
read back through its structure elements (following MCIDs, honouring /ActualText
on elements and on marked content) and compared with the string the pipeline put
there; the elements must also come in the source's order. Without expectations
(any other PDF), right-to-left text with no /ActualText is reported, since PDF
writers draw it in visual order and the tag tree then reads it backwards.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, error, warning
from publication.pdf.content import TextRun, innermost_mcid, is_artifact
from publication.pdf.structure import Element, PdfDocument, comparable, display


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    findings = _visual_order_runs(doc)
    if expectations is not None:
        findings += _compare(doc, expectations)
    return findings


def _compare(doc: PdfDocument, expectations: Expectations) -> list[Finding]:
    findings: list[Finding] = []
    previous = -1
    for unit in expectations.units:
        elements = [doc.elements[i] for i in unit.elements if 0 <= i < len(doc.elements)]
        if len(elements) != len(unit.elements) or not elements:
            findings.append(error("reading-order.structure", doc.name, 0,
                                  f"<{unit.tag}> '{display(unit.text, 40)}' has no structure "
                                  "element where the build recorded one",
                                  "rebuild the file; the tag tree was changed after the build"))
            continue
        page = (elements[0].page or 0) + 1
        fragments = [doc.read_text(e, skip_labels=True) for e in elements]
        read = "".join(fragments)
        expected = comparable(unit.text)
        repeated = len(fragments) > 1 and all(comparable(f) == expected for f in fragments)
        if comparable(read) != expected and not repeated:
            at = _first_difference(comparable(read), expected)
            findings.append(error(
                "reading-order.text", doc.name, page,
                f"<{unit.tag}> reads '{display(read)}' through the tag tree, but the build wrote "
                f"'{display(unit.text)}' (they differ from character {at + 1})",
                _advice(unit.text)))
        first = min(unit.elements)
        if first < previous:
            findings.append(error("reading-order.sequence", doc.name, page,
                                  f"<{unit.tag}> '{display(unit.text, 40)}' comes before the "
                                  "text that precedes it in the source",
                                  "keep the structure tree in source order (avoid CSS that "
                                  "reorders content: order, absolute positioning, floats)"))
        previous = max(previous, first)
    return findings


def _advice(text: str) -> str:
    if any(_is_rtl(ch) for ch in text):
        return ("right-to-left text is drawn in visual order: its structure elements (or "
                "marked content) need /ActualText with the logical string "
                "(publication/tagging/tags.py adds it)")
    return "check the tag tree and the fonts' /ToUnicode maps for this text"


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _visual_order_runs(doc: PdfDocument) -> list[Finding]:
    """Right-to-left glyph runs read with no /ActualText on them or their elements."""
    findings = []
    for index in range(len(doc.pages)):
        count: Counter[str] = Counter()
        for event in doc.events(index):
            if not isinstance(event, TextRun) or event.replaced or event.invisible \
                    or is_artifact(event.marked):  # not read: a repeated head, say
                continue
            if not any(_is_rtl(ch) for ch in event.text):
                continue
            mcid = innermost_mcid(event.marked)
            owner = doc.owner_of_mcid(index, mcid) if mcid is not None else None
            if owner is not None and _has_actual_text(owner):
                continue
            count["run"] += 1
        if count:
            findings.append(warning(
                "reading-order.rtl", doc.name, index + 1,
                f"{count['run']} right-to-left text run(s) without /ActualText: PDF draws them "
                "in visual order, so assistive technology may read them backwards",
                "add /ActualText with the logical text to each right-to-left run"))
    return findings


def _has_actual_text(element: Element | None) -> bool:
    while element is not None:
        if element.actual_text is not None:
            return True
        element = element.parent
    return False
