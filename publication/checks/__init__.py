"""The accessibility and preflight gate: checks that every PDF is readable, fits and prints.

One module per family, each `check(doc, expectations) -> list[Finding]`:

- pdfua: PDF/UA-1 machine checks (Matterhorn Protocol), on any PDF;
- reading_order: the text read through the tag tree equals the text written;
- languages: runs in another language carry their own /Lang;
- fonts: only the stylesheets' fonts (and, before rendering, `fonts.coverage`);
- fit: page count and size, text outside the page (and `fit.layout_overflow`);
- contrast: WCAG 2.x AA contrast from the painted colours, minimum text size;
- alt: figures' alternate text translated.

`check_file` runs them all on a PDF with the expectations the build recorded for it
(see expectations.py); a PDF without a record (made elsewhere) gets every check that
needs none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from publication.checks import alt, contrast, fit, fonts, languages, pdfua, reading_order
from publication.checks.expectations import Expectations, find_sidecar, read_sidecar, sha256
from publication.checks.findings import ERROR, WARNING, Finding, count, error, inspect_pdf, warning
from publication.kinds import NOT_FOR_READING
from publication.pdf.structure import PdfDocument

Check = Callable[[PdfDocument, Expectations | None], list[Finding]]

# The families, in the order their findings are reported.
FAMILIES: dict[str, Check] = {
    "pdfua": pdfua.check,
    "reading-order": reading_order.check,
    "language": languages.check,
    "fonts": fonts.check,
    "fit": fit.check,
    "contrast": contrast.check,
    "alt": alt.check,
}

__all__ = ["ERROR", "WARNING", "Expectations", "FileReport", "Finding", "check_bytes",
           "check_document", "check_file", "count", "failed", "output_pdfs", "report_json",
           "report_text"]


@dataclass(frozen=True)
class FileReport:
    """The findings on one file, and whether the build's expectations were used."""

    file: str
    findings: tuple[Finding, ...]
    expectations: bool

    @property
    def errors(self) -> int:
        return count(list(self.findings))[0]

    @property
    def warnings(self) -> int:
        return count(list(self.findings))[1]


def check_document(doc: PdfDocument, expectations: Expectations | None) -> list[Finding]:
    """Every family's findings on an opened document."""
    findings: list[Finding] = []
    for family in FAMILIES.values():
        findings += family(doc, expectations)
    return findings


def check_bytes(data: bytes, name: str, expectations: Expectations | None,
                then: Callable[[PdfDocument], None] | None = None) -> list[Finding]:
    """Check a PDF held in memory (the build checks each file before it is written).
    `then`, when given, is called with the document as the checks read it, after them:
    the build hands what they read on to the press stage, which places the same bytes."""
    def inspect(pdf: pikepdf.Pdf) -> list[Finding]:
        doc = PdfDocument(pdf, name)
        findings = check_document(doc, expectations)
        if then is not None:
            then(doc)
        return findings

    return inspect_pdf(data, name, "pdf.unreadable", inspect)


def check_file(path: Path, name: str | None = None) -> FileReport:
    """Check an accessible PDF on disk with the expectations recorded for it, if there are
    any. (A print-shop file is preflighted instead: publication.press.pdfx.preflight_file.)"""
    label = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileReport(label, (error("pdf.unreadable", label, 0, f"cannot read ({exc})",
                                        "check the path"),), False)
    expectations = None
    extra: list[Finding] = []
    sidecar = find_sidecar(path)
    if sidecar is not None:
        try:
            recorded = read_sidecar(sidecar)
        except ValueError as exc:
            extra.append(warning("expectations.unreadable", label, 0, str(exc),
                                 "rebuild the file to record its expectations again"))
        else:
            if recorded.pdf_sha256 == sha256(data):
                expectations = recorded
            else:
                extra.append(warning(
                    "expectations.stale", label, 0,
                    f"the build record {sidecar.name} describes other bytes: the file was "
                    "changed after the build, so reading order, languages, fonts, page count "
                    "and alt text are checked without it",
                    "rebuild the file"))
    findings = extra + check_bytes(data, label, expectations)
    return FileReport(label, tuple(findings), expectations is not None)


# Print-shop files (`<kind>-<size>-print.pdf`: imposed, PDF/X, not the accessible edition)
# and office sheets (`-office.pdf`) are checked by the build's press stage; they and the
# proof sheets (`proof.pdf`) are not for reading, and PDF/UA does not apply to them.


def output_pdfs(output: Path) -> list[Path]:
    """Every accessible PDF under `output`: not the print-shop files, not the rejected
    files kept in .check/."""
    if not output.is_dir():
        return []
    return sorted(p for p in output.rglob("*.pdf") if not p.name.endswith(NOT_FOR_READING)
                  and not any(part.startswith(".") for part in p.relative_to(output).parts))


def failed(reports: Iterable[FileReport], strict: bool) -> bool:
    """Errors fail; with `strict`, warnings fail too."""
    return any(r.errors or (strict and r.warnings) for r in reports)


def report_text(reports: list[FileReport]) -> list[str]:
    """Lines of the text report: every finding, then one summary line."""
    lines = []
    for report in reports:
        lines += [str(f) for f in report.findings]
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    without = sum(1 for r in reports if not r.expectations)
    note = (f" ({without} without a build record: checks needing the build's expectations "
            "were skipped)") if without else ""
    lines.append(f"{len(reports)} file(s) checked: {errors} error(s), {warnings} "
                 f"warning(s){note}")
    return lines


def report_json(reports: list[FileReport]) -> str:
    """The report as JSON: files with their findings, and totals."""
    return json.dumps({
        "files": [{"file": r.file, "expectations": r.expectations, "errors": r.errors,
                   "warnings": r.warnings, "findings": [f.to_json() for f in r.findings]}
                  for r in reports],
        "errors": sum(r.errors for r in reports),
        "warnings": sum(r.warnings for r in reports),
    }, ensure_ascii=False, indent=2)
