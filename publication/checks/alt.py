"""Alternate text translated: a figure whose alt text in a locale is the source's.

Needs expectations: the build records each figure's alternate text in the source
language, rendered for the same publication, beside the one it wrote.
"""

from __future__ import annotations

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, warning
from publication.pdf.structure import PdfDocument, display


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    if expectations is None or expectations.locale == expectations.source_locale:
        return []
    findings = []
    for figure in expectations.figures:
        if not 0 <= figure.element < len(doc.elements):
            continue  # reading_order reports a tree that differs from the build's
        element = doc.elements[figure.element]
        alt = " ".join((element.alt or element.actual_text or "").split())
        if alt and alt == " ".join(figure.source_alt.split()):
            findings.append(warning(
                "alt.untranslated", doc.name, (element.page or 0) + 1,
                f"figure's alternate text is the {expectations.source_locale} text: "
                f"'{display(alt, 60)}'",
                f"translate its message in the {expectations.locale} catalogue"))
    return findings
