"""Helpers for the gate's tests: small documents through WeasyPrint, tagging and checks."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import weasyprint

from publication.build.builder import build, plan
from publication.build.pipeline import Worker
from publication.checks import Finding, check_bytes
from publication.checks.expectations import Expectations, sha256
from publication.model import BuildOptions, Project, Selection
from publication.tagging import tags as tagging

# The families of styles/base.css (tests/test_checks_fonts.py reads them from there).
FAMILIES = ("Noto Sans", "Noto Sans Arabic Campaign", "Noto Sans Hebrew Campaign")


def page(body: str, fonts: Path, lang: str = "en", css: str = "", direction: str = "ltr",
         title: str = "A test document") -> str:
    """An HTML page set in the project's Noto fonts (no system font can sneak in)."""
    faces = "".join(
        f"@font-face {{ font-family: '{family}'; src: url({(fonts / file).as_uri()}); "
        f"font-weight: {weight}; }}"
        for family, file, weight in (
            ("Noto Sans", "NotoSans-Regular.ttf", 400), ("Noto Sans", "NotoSans-Bold.ttf", 700),
            ("Noto Sans Arabic Campaign", "NotoSansArabicCampaign-Regular.ttf", 400),
            ("Noto Sans Hebrew Campaign", "NotoSansHebrewCampaign-Regular.ttf", 400)))
    # The stack of styles/base.css for the page's language: its own script's face first.
    first = {"ar": FAMILIES[1], "he": FAMILIES[2]}.get(lang.split("-")[0], FAMILIES[0])
    stack = ", ".join(f"'{f}'" for f in (first, *(f for f in FAMILIES if f != first)))
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{faces} @page {{ size: A5; margin: 15mm }} "
            f"html {{ font-family: {stack}; "
            f"font-size: 11pt }} {css}</style></head><body>{body}</body></html>")


def raw_pdf(html: str) -> bytes:
    """WeasyPrint's own PDF/UA-1 output, without the tagging pass."""
    data = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert isinstance(data, bytes)
    return data


def tagged_pdf(html: str, lang: str = "en", pages: int | None = None,
               source_alts: tuple[str, ...] | None = None) -> tuple[bytes, Expectations]:
    """The PDF the pipeline would make of `html` (tagging pass included), with its record."""
    document = weasyprint.HTML(string=html).render()
    with tagging.recording() as record:
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    tagged = tagging.fix(data, record, source_alts)
    expectations = Expectations(
        pdf_sha256=sha256(tagged.data), lang=lang, locale=lang, source_locale="en",
        name="test", pages=pages, fonts=FAMILIES,
        units=tagged.units, languages=tagged.languages, figures=tagged.figures)
    return tagged.data, expectations


def checks_of(findings: list[Finding], severity: str | None = None) -> set[str]:
    return {f.check for f in findings if severity is None or f.severity == severity}


def check(data: bytes, expectations: Expectations | None = None) -> list[Finding]:
    return check_bytes(data, "test.pdf", expectations)


def edit(data: bytes, change: object) -> bytes:
    """`data` after `change(pdf)` (a function of a pikepdf.Pdf), saved again."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)  # type: ignore[operator]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def build_one(project: Project, locale: str, kind: str, size: str) -> tuple[Path, object]:
    """Build one target; return its path and outcome."""
    [target] = plan(project, Selection(locales=(locale,), kinds=(kind,), sizes=(size,)))
    report = build(project, [target], BuildOptions(jobs=1))
    [outcome] = report.outcomes
    return outcome.path, outcome


def laid_out(project: Project, kind: str, size: str,
             ) -> tuple[Worker, str, weasyprint.Document]:
    """The English `kind` at `size` of the project's campaign, laid out as a build lays
    it out: the build's worker, the HTML and the document."""
    [target] = plan(project, Selection(locales=("en",), kinds=(kind,), sizes=(size,)))
    worker = Worker(project)
    job = worker.job(target, target.path(project.output), BuildOptions(jobs=1))
    rendered, document, _, _ = worker.fit(job)
    return worker, rendered.html, document
