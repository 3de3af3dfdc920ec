"""`--standard ua-2`: accessible PDFs that veraPDF's PDF/UA-2 profile passes.

The fixture campaign, in English and in Arabic, is built once for the module as PDF/UA-2
(a leaflet, a poster, a petition and a letter in each, with their print-shop files); the
PDF/UA-1 build, the default, is tests/test_verapdf.py's.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from publication.build.builder import build, plan
from publication.cli.parser import command_line
from publication.model import STANDARDS, BuildOptions, Project, Selection
from publication.pdf.structure import PdfDocument, comparable
from tests import verapdf
from tests.printing import module_project
from tests.translating import start_catalog

KINDS = ("leaflet", "poster", "petition", "letter")
SELECTION = Selection(locales=("en", "ar"), kinds=KINDS)
UA2 = BuildOptions(jobs=2, print_files=True, standard="ua-2")
ARABIC = {
    "title": "حملة الاختبار",
    "headline": "لا للإفلات من العقاب",
    "urging": "نحثّ الجميع على التحرك الآن.",
    "actions.heading": "تحرّكوا",
    "petition.title": "أطلقوا سراح المحتجز",
    "petition.table.name": "الاسم",
    "poster.facts.heading": "الحقائق",
    "letter.salutation": "السيد الوزير،",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir)
    start_catalog(project, "ar", ARABIC)
    report = build(project, plan(project, SELECTION), UA2)
    assert report.ok, [(str(o.target), o.messages) for o in report.failed]
    return project


def _accessible(project: Project) -> list[Path]:
    return verapdf.accessible_pdfs(project.output)


def test_every_ua2_file_passes_verapdf_ua2(built: Project) -> None:
    paths = _accessible(built)
    made = {(p.parent.name, p.stem.split("-")[0]) for p in paths}
    assert made == {(code, kind) for code in ("en", "ar") for kind in KINDS}, made
    try:
        results = verapdf.validate(paths, "ua2")
    except verapdf.VeraPDFUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    bad = [r for r in results if not r.compliant]
    assert not bad, f"not PDF/UA-2:\n{verapdf.report(bad)}"


def test_ua2_files_are_pdf_2_and_claim_part_2(built: Project) -> None:
    for path in _accessible(built):
        with pikepdf.open(path) as pdf:
            assert pdf.pdf_version == "2.0", path
            assert str(pdf.open_metadata().get("pdfuaid:part")) == "2", path


def test_each_bookmark_is_a_structure_destination_to_its_heading(built: Project) -> None:
    seen = 0
    for path in _accessible(built):
        with PdfDocument.open(path) as doc:
            outlines = doc.pdf.Root.get("/Outlines")
            items = [outlines.get("/First")] if outlines is not None else []
            while items:
                item = items.pop()
                if item is None:
                    continue
                items += [item.get("/Next"), item.get("/First")]
                action = item.A
                assert "/Dest" not in item and str(action.S) == "/GoTo", path
                assert doc.page_of(action.D[0]) is not None, path  # kept for PDF 1.7 readers
                target = doc.by_objgen[action.SD[0].objgen]
                assert target.role in ("H1", "H2", "H3"), (path, target.role)
                assert comparable(doc.read_text(target)) == comparable(str(item.Title)), path
                seen += 1
    assert seen >= 8, "every file has a bookmark"


def test_the_standard_is_an_option_and_ua1_stays_the_default() -> None:
    parser = command_line("make-pdf").parser
    assert parser.parse_args(["build"]).standard == "ua-1" == BuildOptions().standard
    assert parser.parse_args(["build", "--standard", "ua-2"]).standard == "ua-2"
    assert STANDARDS == ("ua-1", "ua-2")
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "--standard", "ua-3"])


def test_switching_the_standard_rebuilds(built: Project) -> None:
    one = Selection(locales=("en",), kinds=("letter",), sizes=("a4",))
    again = build(built, plan(built, one), UA2)
    assert [o.status for o in again.outcomes] == ["skipped"]
    back = build(built, plan(built, one), BuildOptions(print_files=True))
    assert [o.status for o in back.outcomes] == ["built"]
    [path] = [o.path for o in back.outcomes]
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "1.7"
        assert str(pdf.open_metadata().get("pdfuaid:part")) == "1"
    # Put back as the module built it.
    assert build(built, plan(built, one), UA2).outcomes[0].status == "built"


# An internal link to a named destination, two bookmarks, and a figure with its caption
# between two paragraphs of a section.
LINKED_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Links</title>'
    "<style>@page { size: 148mm 100mm; margin: 12mm } body { font: 9pt sans-serif } "
    ".next { break-before: page }</style></head><body>"
    '<section><h1>First</h1><p>See <a href="#later">the later part</a>.</p>'
    '<figure><svg width="20" height="20"><title>A square</title>'
    '<rect width="20" height="20" fill="black"/></svg><figcaption>A caption</figcaption>'
    "</figure><p>After the figure.</p></section>"
    '<section class="next"><h2 id="later">Later</h2><p>The end.</p></section>'
    "</body></html>")


def test_an_internal_link_gets_a_structure_destination(tmp_path: Path) -> None:
    import weasyprint

    from publication.tagging import tags

    document = weasyprint.HTML(string=LINKED_HTML).render()
    with tags.recording() as record:
        data = document.write_pdf(pdf_variant="pdf/ua-2")
    path = tmp_path / "linked.pdf"
    path.write_bytes(tags.fix(data, record, None, "ua-2").data)
    with PdfDocument.open(path) as doc:
        [link] = [a for page in doc.pages for a in page.obj.get("/Annots", ())]
        assert "/Dest" not in link and str(link.A.S) == "/GoTo"
        assert doc.page_of(link.A.D[0]) == 1
        target = doc.by_objgen[link.A.SD[0].objgen]
        assert (target.type, doc.read_text(target)) == ("H2", "Later")
        [caption] = [e for e in doc.elements if e.type == "Caption"]
        assert caption.parent is not None and caption.parent.type == "Sect"
    try:
        [result] = verapdf.validate([path], "ua2")
    except verapdf.VeraPDFUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    assert result.compliant, verapdf.report([result])
