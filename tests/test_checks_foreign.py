"""The checks on PDFs this project did not make: written with ReportLab, tagged by hand
with pikepdf. No build record exists for them, so only the checks that need none run."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from publication.checks import check_file
from tests.checking import check, checks_of, edit


def _reportlab(lines: list[tuple[str, str, float]], fonts: Path | None = None,
               grey: float = 0.0) -> bytes:
    """A one-page PDF with one line of text per (text, font, size), top down."""
    if fonts is not None:
        pdfmetrics.registerFont(TTFont("NotoSans", str(fonts / "NotoSans-Regular.ttf")))
        pdfmetrics.registerFont(TTFont("NotoSansHebrew",
                                       str(fonts / "NotoSansHebrew-Regular.ttf")))
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A5, invariant=True)
    sheet.setFillGray(grey)
    y = A5[1] - 72
    for text, font, size in lines:
        sheet.setFont(font, size)
        sheet.drawString(56, y, text)
        y -= size * 2
    sheet.showPage()
    sheet.save()
    return out.getvalue()


def _tag_by_hand(data: bytes, types: list[str], lang: str = "en",
                 title: str = "A hand-made tagged PDF") -> bytes:
    """Tag each BT..ET text object of page 1 as one element of `types`, by hand."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        marked: list[pikepdf.ContentStreamInstruction] = []
        text_object: list[pikepdf.ContentStreamInstruction] = []
        mcid = 0
        for item in pikepdf.parse_content_stream(page):
            if str(item.operator) == "BT" or text_object:
                text_object.append(item)
            else:
                marked.append(item)
            if str(item.operator) == "ET":
                shows = any(str(i.operator) in ("Tj", "TJ") for i in text_object)
                if shows:
                    marked.append(pikepdf.ContentStreamInstruction(
                        [pikepdf.Name("/" + types[mcid]), pikepdf.Dictionary(MCID=mcid)],
                        pikepdf.Operator("BDC")))
                marked.extend(text_object)
                if shows:
                    marked.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
                    mcid += 1
                text_object = []
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(marked))
        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        document = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root))
        elements = [pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + type_), P=document,
            Pg=page.obj, K=i)) for i, type_ in enumerate(types)]
        document.K = pikepdf.Array(elements)
        root.K = document
        root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(
            Nums=pikepdf.Array([0, pdf.make_indirect(pikepdf.Array(elements))])))
        root.ParentTreeNextKey = 1
        page.obj.StructParents = 0
        page.obj.Tabs = pikepdf.Name.S
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.Root.Lang = pikepdf.String(lang)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
            meta["pdfuaid:part"] = "1"
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_untagged_reportlab_pdf(tmp_path: Path) -> None:
    path = tmp_path / "untagged.pdf"
    path.write_bytes(_reportlab([("Hello, world", "Helvetica", 12)]))
    report = check_file(path)
    assert not report.expectations
    found = checks_of(list(report.findings), "error")
    assert {"pdfua.tagged", "pdfua.marked", "pdfua.identifier", "pdfua.lang",
            "pdfua.untagged-content", "pdfua.font-embedded"} <= found
    # Nothing needing the build's record runs on it, and nothing crashes on base-14 fonts.
    assert not found & {"reading-order.text", "fonts.unexpected", "fit.pages"}


def test_hand_tagged_pdf_passes(fonts_dir: Path) -> None:
    data = _tag_by_hand(_reportlab([("A title", "NotoSans", 18), ("Body text.", "NotoSans", 11)],
                                   fonts_dir), ["H1", "P"])
    assert check(data) == []


def test_hand_tagged_pdf_faults_are_found(fonts_dir: Path) -> None:
    data = _tag_by_hand(_reportlab([("A title", "NotoSans", 18), ("Small", "NotoSans", 7),
                                    ("Deep", "NotoSans", 11)], fonts_dir, grey=0.72),
                        ["H1", "P", "H3"])
    findings = check(data)
    assert {"pdfua.headings", "contrast.wcag-aa"} <= checks_of(findings, "error")
    # Without a build record the size rule is advice only.
    assert "contrast.text-size" in checks_of(findings, "warning")


def test_hand_tagged_visual_order_hebrew_is_flagged(fonts_dir: Path) -> None:
    logical = "שלום עולם"
    data = _tag_by_hand(_reportlab([(logical[::-1], "NotoSansHebrew", 14)], fonts_dir), ["P"],
                        lang="he")
    findings = check(data)
    assert checks_of(findings) == {"reading-order.rtl"}


def test_non_standard_types_need_a_role_map(fonts_dir: Path) -> None:
    data = _tag_by_hand(_reportlab([("A title", "NotoSans", 18), ("Body", "NotoSans", 11)],
                                   fonts_dir), ["Title", "P"])
    [finding] = check(data)
    assert finding.check == "pdfua.structure-type" and "02-001" in finding.message

    def map_role(pdf: pikepdf.Pdf) -> None:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(Title=pikepdf.Name.H1)

    assert check(edit(data, map_role)) == []
