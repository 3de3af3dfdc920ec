"""Findings: what a check reports, where, how bad, and what to do about it.

A check never stops at the first problem: it returns every `Finding` it sees
(Babel's `Catalog.check()` does the same for catalogues).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pikepdf

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class Finding:
    """One problem in one file: severity, the check that saw it, where, what and what to do."""

    severity: str   # "error" or "warning"
    check: str      # family and rule, e.g. "pdfua.figure-alt" or "contrast.wcag-aa"
    file: str       # the PDF (or catalogue) the finding is about
    page: int       # 1-based page number; 0 when the finding is about the whole file
    message: str    # what is wrong, with the values measured
    advice: str     # what to do about it

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")

    def __str__(self) -> str:
        where = f"{self.file}: page {self.page}" if self.page else self.file
        return f"{where}: {self.severity} [{self.check}] {self.message}; {self.advice}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def error(check: str, file: str, page: int, message: str, advice: str) -> Finding:
    return Finding(ERROR, check, file, page, message, advice)


def warning(check: str, file: str, page: int, message: str, advice: str) -> Finding:
    return Finding(WARNING, check, file, page, message, advice)


def count(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings) in `findings`."""
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, len(findings) - errors


def inspect_pdf(data: bytes, name: str, check: str,
                inspect: Callable[[pikepdf.Pdf], list[Finding]]) -> list[Finding]:
    """Open PDF bytes and run `inspect` on them; an unreadable file is one error finding."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return [error(check, name, 0, f"not a readable PDF ({exc})", "rebuild the file")]
    with pdf:
        return inspect(pdf)
