"""Reading order, language of parts and translated alternate text, against the build's
record (publication/checks/reading_order.py, languages.py, alt.py)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from make_pdf import main
from publication.checks.expectations import find_sidecar, read_sidecar
from publication.i18n import catalog
from publication.model import Project
from tests.checking import build_one, check, checks_of, edit, page, tagged_pdf
from tests.translating import start_catalog


def test_source_order_is_checked(fonts_dir: Path) -> None:
    html = page('<h1>Title</h1><div style="display: flex"><p>First</p>'
                '<p style="order: -1">Second</p></div>', fonts_dir)
    data, expectations = tagged_pdf(html)
    [finding] = [f for f in check(data, expectations) if f.check == "reading-order.sequence"]
    assert finding.message == ("<p> 'Second' comes before the text that precedes it in "
                               "the source")


def test_a_language_part_without_lang(fonts_dir: Path) -> None:
    html = page('<h1>Titel</h1><p>Ein Bericht von <span lang="en">Example Org</span>.</p>',
                fonts_dir, lang="de")
    data, expectations = tagged_pdf(html, lang="de")
    assert check(data, expectations) == []
    [part] = expectations.languages

    def forget(pdf: pikepdf.Pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and str(obj.get("/Lang", "")) == "en":
                del obj["/Lang"]

    [finding] = check(edit(data, forget), expectations)
    assert finding.check == "language.part" and finding.severity == "error"
    assert "'Example Org' is in en but its Span element has /Lang missing" in finding.message
    assert part.text == "Example Org"


def test_untranslated_alt_text_is_a_warning(project: Project) -> None:
    start_catalog(project, "fr", {"title": "Campagne", "headline": "Libérez-le"})
    path, outcome = build_one(project, "fr", "poster", "a3")
    assert outcome.status == "built"  # type: ignore[attr-defined]
    alt = [m for m in outcome.messages if "[alt.untranslated]" in m]  # type: ignore[attr-defined]
    assert len(alt) == 1 and "'QR code: opens the petition at https://act" in alt[0]
    assert "translate its message in the fr catalogue" in alt[0]
    sidecar = find_sidecar(path)
    assert sidecar is not None
    [figure] = read_sidecar(sidecar).figures
    assert figure.alt == figure.source_alt


def test_translated_alt_text_passes(project: Project) -> None:
    start_catalog(project, "fr", {"common.qr.alt": "Code QR : ouvre la pétition à %(url)s"})
    path, outcome = build_one(project, "fr", "poster", "a3")
    assert not any("[alt." in m for m in outcome.messages)  # type: ignore[attr-defined]
    sidecar = find_sidecar(path)
    assert sidecar is not None
    [figure] = read_sidecar(sidecar).figures
    assert figure.alt.startswith("Code QR : ouvre la pétition à https://act.example.org/")
    assert figure.source_alt.startswith("QR code: opens the petition at https://act.example")
    assert "alt.untranslated" not in checks_of(check(path.read_bytes(), read_sidecar(sidecar)))


def test_soft_hyphens_break_lines_without_changing_the_text(fonts_dir: Path) -> None:
    html = page('<h1>T</h1><p style="width: 30mm">Die Menschen\u00adrechts\u00adverletzungen '
                "und Völker\u00adrechts\u00adbrüche sind dokumentiert.</p>", fonts_dir, lang="de")
    data, expectations = tagged_pdf(html, lang="de")
    assert check(data, expectations) == []


def test_build_strict_fails_on_a_check_warning(project: Project,
                                               caplog: pytest.LogCaptureFixture,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # Every message "translated" as a copy of its source: no fallback, but the QR code's
    # alternate text is still the English one, which the gate warns about.
    catalog.write_pot(project, catalog.extract(project))
    with open(project.pot, "rb") as fileobj:
        template = read_po(fileobj)
    forms = get_plural("fr").num_plurals  # 2 up to Babel 2.18, 3 from 2.19
    copies: dict[str, str | tuple[str, ...]] = {
        m.context: (m.id if isinstance(m.id, str) else (m.id[0], *[m.id[1]] * (forms - 1)))
        for m in template if m.id}
    start_catalog(project, "fr", copies)
    args = ["-q", "build", "--locale", "fr", "--kind", "poster", "--size", "a3", "--jobs", "1"]
    assert main(args, root=project.root) == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "[alt.untranslated]" in warnings[0], warnings
    caplog.clear()
    assert main([*args, "--strict"], root=project.root) == 1
    failure = " ".join(r.getMessage() for r in caplog.records)
    assert "[alt.untranslated]" in failure and "rejected file is kept" in failure
    caplog.clear()
    # `check` on the rejected file finds what the build found (with its expectations).
    [rejected] = project.output.rglob("poster-a3.rejected.pdf")
    assert main(["check", "--strict", str(rejected)], root=project.root) == 1
    said = " ".join(r.getMessage() for r in caplog.records) + " ".join(capsys.readouterr())
    assert "[alt.untranslated]" in said, said
    caplog.clear()
