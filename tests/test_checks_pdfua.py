"""PDF/UA machine checks (publication/checks/pdfua.py) on small bad documents."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from tests.checking import check, checks_of, edit, page, raw_pdf, tagged_pdf

QR_LIKE = ('<svg xmlns="http://www.w3.org/2000/svg" width="20mm" height="20mm" '
           'viewBox="0 0 2 2">{title}<rect width="1" height="1"/></svg>')


def test_a_good_document_has_no_findings(fonts_dir: Path) -> None:
    html = page("<h1>Title</h1><h2>Part</h2><p>Text with "
                '<a href="https://example.org/">a link</a>.</p>'
                + QR_LIKE.format(title="<title>A square</title>")
                + "<table><tr><th>Name</th></tr><tr><td>Ada</td></tr></table>", fonts_dir)
    data, expectations = tagged_pdf(html)
    assert check(data, expectations) == []


def test_a_figure_without_alternate_text(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page("<h1>Title</h1>" + QR_LIKE.format(title=""), fonts_dir))
    [finding] = [f for f in check(data) if f.check == "pdfua.figure-alt"]
    assert finding.severity == "error" and finding.page == 1
    assert "13-004" in finding.message and "alt" in finding.advice


def test_a_skipped_heading_level(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page("<h1>Title</h1><h3>Too deep</h3><h2>Fine</h2>", fonts_dir))
    [finding] = [f for f in check(data) if f.check == "pdfua.headings"]
    assert "H3 'Too deep' follows H1" in finding.message and "14-003" in finding.message


def test_first_heading_must_be_h1(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page("<h2>Not first</h2>", fonts_dir))
    [finding] = [f for f in check(data) if f.check == "pdfua.headings"]
    assert "14-002" in finding.message


def test_an_untagged_image(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page("<h1>Title</h1><p>Text</p>", fonts_dir))

    def add_image(pdf: pikepdf.Pdf) -> None:
        image = pikepdf.Stream(pdf, b"\x80\x80\x80", Type=pikepdf.Name.XObject,
                               Subtype=pikepdf.Name.Image, Width=1, Height=1,
                               ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8)
        page = pdf.pages[0]
        page.Resources.XObject = pikepdf.Dictionary(Im9=image)
        page.contents_add(pdf.make_stream(b"q 50 0 0 50 100 100 cm /Im9 Do Q"), prepend=False)

    findings = check(edit(data, add_image))
    [finding] = [f for f in findings if f.check == "pdfua.untagged-content"]
    assert "1 image" in finding.message and "01-005" in finding.message
    assert finding.page == 1


def test_table_header_without_scope_in_weasyprint_output(fonts_dir: Path) -> None:
    html = page("<h1>T</h1><table><tr><th>Name</th><th>Town</th></tr>"
                "<tr><td>a</td><td>b</td></tr></table>", fonts_dir)
    raw = check(raw_pdf(html))
    assert [f.message for f in raw if f.check == "pdfua.table-scope"] == [
        "table header cell 'Name' has no /Scope (Matterhorn 15-003)",
        "table header cell 'Town' has no /Scope (Matterhorn 15-003)"]
    data, _ = tagged_pdf(html)
    assert "pdfua.table-scope" not in checks_of(check(data))


def test_link_annotation_without_contents(fonts_dir: Path) -> None:
    data, _ = tagged_pdf(page('<h1>T</h1><p><a href="https://example.org/">here</a></p>',
                              fonts_dir))
    assert check(data) == []

    def strip(pdf: pikepdf.Pdf) -> None:
        for annot in pdf.pages[0].Annots:
            del annot["/Contents"]
        del pdf.pages[0].obj["/Tabs"]

    findings = check(edit(data, strip))
    assert {"pdfua.annotation-contents", "pdfua.tabs"} <= checks_of(findings, "error")


def test_document_level_requirements(fonts_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    html = page("<h1>T</h1>", fonts_dir).replace('lang="en" ', "")
    data = raw_pdf(html)  # WeasyPrint logs an error for the missing lang
    caplog.clear()

    def worsen(pdf: pikepdf.Pdf) -> None:
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        pdf.Root.MarkInfo.Marked = False
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfuaid:part"]

    findings = check(edit(data, worsen))
    messages = " ".join(f.message for f in findings)
    assert {"pdfua.lang", "pdfua.title", "pdfua.marked", "pdfua.identifier"} <= checks_of(
        findings, "error")
    assert "07-002" in messages and "06-002" in messages and "11-001" in messages


def test_a_figure_bbox_away_from_the_figure(fonts_dir: Path) -> None:
    # WeasyPrint 70 wrote the /BBox in CSS pixels from the top left; the tagging pass puts
    # it where the figure is drawn, and the gate compares the two.
    data, _ = tagged_pdf(page("<h1>Title</h1>" + QR_LIKE.format(title="<title>Q</title>"),
                              fonts_dir))
    assert "pdfua.figure-bbox" not in checks_of(check(data))

    def move(pdf: pikepdf.Pdf) -> None:
        for element in _elements(pdf.Root.StructTreeRoot):
            if str(element.get("/S")) == "/Figure":
                attributes = element.A if isinstance(element.A, pikepdf.Array) else [element.A]
                for item in attributes:
                    if str(item.get("/O")) == "/Layout":
                        item.BBox = pikepdf.Array([574, 58, 668, 152])

    [finding] = [f for f in check(edit(data, move)) if f.check == "pdfua.figure-bbox"]
    assert finding.severity == "error" and finding.page == 1
    assert "[574 58 668 152]" in finding.message and "drawn at" in finding.message


def _elements(node: pikepdf.Object) -> list[pikepdf.Dictionary]:
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    found = []
    for kid in items:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found.extend(_elements(kid))
    return found
