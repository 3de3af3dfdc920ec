"""Language of parts: a run in another language carries its own /Lang.

With expectations, every element the build marked with a language other than its
surroundings' (a `<span lang="en">` in an Arabic leaflet, an address kept in the
source language) must have that /Lang on its structure element. On any PDF, every
/Lang given (on elements and marked content) must be a well-formed language tag.
"""

from __future__ import annotations

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, error
from publication.checks.pdfua import LANG_TAG
from publication.pdf.content import TextRun
from publication.pdf.structure import PdfDocument, display


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for element in doc.elements:
        lang = element.lang
        if lang is not None and not LANG_TAG.match(lang):
            findings.append(error("language.tag", doc.name, (element.page or 0) + 1,
                                  f"{element.type} element has /Lang {lang!r}, not a language tag",
                                  "use a BCP 47 tag such as 'en' or 'fr'"))
    for index in range(len(doc.pages)):
        bad = {m.lang for e in doc.events(index) if isinstance(e, TextRun) for m in e.marked
               if m.lang is not None and not LANG_TAG.match(m.lang)}
        for lang in sorted(bad):
            findings.append(error("language.tag", doc.name, index + 1,
                                  f"marked content has /Lang {lang!r}, not a language tag",
                                  "use a BCP 47 tag such as 'en' or 'fr'"))
    if expectations is None:
        return findings
    for part in expectations.languages:
        if not 0 <= part.element < len(doc.elements):
            findings.append(error("language.part", doc.name, 0,
                                  f"'{display(part.text, 40)}' ({part.lang}) has no structure "
                                  "element where the build recorded one",
                                  "rebuild the file; the tag tree was changed after the build"))
            continue
        element = doc.elements[part.element]
        if (element.lang or "").lower() != part.lang.lower():
            findings.append(error(
                "language.part", doc.name, (element.page or 0) + 1,
                f"'{display(part.text, 40)}' is in {part.lang} but its {element.type} element "
                f"has /Lang {element.lang or 'missing'} (the document is "
                f"{doc.effective_lang(None) or 'unknown'})",
                "set /Lang on the element of a run in another language (the lang attribute "
                "in the content is carried over by publication/tagging/tags.py)"))
    return findings
