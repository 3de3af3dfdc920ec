"""The rearrangements of the tag tree the HTML asks for (publication/tagging/tree.py): the
petition over several pages is one Table under one head, and the leaflet's list labels
are drawn before their bodies, where the outside markers were."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from publication.checks.expectations import find_sidecar, read_sidecar
from publication.kinds import KINDS, PAPERS
from publication.model import Project
from publication.pdf.structure import Element, MCRef, ObjRef, PdfDocument
from publication.tagging import tree
from publication.tagging.alts import figure_alts
from tests.checking import build_one, check, page, tagged_pdf
from tests.translating import start_catalog

ROWS = 30  # signatures asked for: two A4 pages of the petition, the last one full too
PER_PAGE = KINDS["petition"].petition_rows(PAPERS["a4"])
CATALOGUES: dict[str, dict[str, str]] = {
    "en": {},
    "ar": {"petition.title": "أطلقوا سراح المحتجز",
           "petition.demand": "نطالب بالإفراج عن المحتجز.",
           "petition.table.name": "الاسم", "petition.table.place": "المدينة",
           "petition.table.signature": "التوقيع",
           "actions.petition": "وقّعوا العريضة", "actions.letter": "اكتبوا رسالة",
           "common.qr.alt": "رمز الاستجابة السريعة: يفتح العريضة على %(url)s"},
    "he": {"petition.title": "שחררו את העצור",
           "petition.demand": "אנו דורשים לשחרר את העצור.",
           "petition.table.name": "שם", "petition.table.place": "עיר",
           "petition.table.signature": "חתימה",
           "actions.petition": "חתמו על העצומה", "actions.letter": "כתבו מכתב",
           "common.qr.alt": "קוד QR: פותח את העצומה בכתובת %(url)s"},
}


def _build(project: Project, locale: str, kind: str) -> Path:
    if CATALOGUES[locale]:
        start_catalog(project, locale, CATALOGUES[locale])
    path, outcome = build_one(project, locale, kind, "a4")
    assert outcome.status == "built", outcome.messages  # type: ignore[attr-defined]
    return path


def _long_petition(project: Project) -> None:
    campaign = project.content / "fixture" / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("  rows: 5\n", f"  rows: {ROWS}\n"), encoding="utf-8")


def _kids(element: Element) -> list[Element]:
    return [kid for kid in element.kids if isinstance(kid, Element)]


def _marked(pdf: pikepdf.Pdf, index: int) -> list[tuple[str, pikepdf.Dictionary]]:
    """Each marked-content sequence with properties on a page: (tag, properties)."""
    return [(str(item.operands[0]), item.operands[1])
            for item in pikepdf.parse_content_stream(pdf.pages[index])
            if str(item.operator) == "BDC" and isinstance(item.operands[1], pikepdf.Dictionary)]


# -- the petition: one table -------------------------------------------------------------

@pytest.mark.parametrize("locale", ["en", "ar", "he"])
def test_a_petition_over_pages_is_one_table_under_one_head(project: Project,
                                                           locale: str) -> None:
    _long_petition(project)
    path = _build(project, locale, "petition")
    with PdfDocument.open(path) as doc:
        assert len(doc.pages) == 2
        [table] = [e for e in doc.elements if e.role == "Table"]
        parts = _kids(table)
        assert [p.role for p in parts] == ["Caption", "THead", "TBody"]
        [head_row] = _kids(parts[1])
        headers = _kids(head_row)
        assert len(headers) == 5 and all(h.role == "TH" for h in headers)
        assert all(str(h.attributes("/Table")["/Scope"]) == "/Column" for h in headers)
        # Every signature row of both pages, in order, each cell naming the header cells.
        rows = _kids(parts[2])
        assert [doc.read_text(_kids(r)[0]).strip() for r in rows] == \
            [str(n) for n in range(1, 2 * PER_PAGE + 1)]
        assert {r.page for r in rows} == {0, 1}
        ids = [str(h.obj.ID) for h in headers]
        for row in rows:
            assert [[str(n) for n in c.attributes("/Table")["/Headers"]]
                    for c in _kids(row)] == [[i] for i in ids]
        id_tree = pikepdf.NameTree(doc.tree_root.IDTree)  # type: ignore[union-attr]
        assert sorted(id_tree.keys()) == sorted(ids)
        # One head: the document is one Sect; page 2's head, caption and header row are
        # pagination artifacts (running heads), owned by no element.
        [document] = [e for e in doc.elements if e.parent is None]
        assert [k.role for k in _kids(document)] == ["Sect"]
        assert [e.page for e in doc.elements if e.role == "H1"] == [0]
        figures = [e for e in doc.elements if e.role == "Figure"]
        assert figures and all(e.page == 0 for e in figures)
        assert all(e.page == 0 for e in doc.elements if e.role == "Caption")
        owned = {(kid.page, kid.mcid) for e in doc.elements for kid in e.kids
                 if isinstance(kid, MCRef)}
        second = _marked(doc.pdf, 1)
        headers_drawn = [props for tag, props in second if tag == "/Artifact"
                         and str(props.get("/Subtype", "")) == "/Header"]
        assert len(headers_drawn) >= 10
        assert all(str(p.Type) == "/Pagination" for p in headers_drawn)
        assert all((1, int(p.MCID)) in owned for tag, p in second if "/MCID" in p)
        assert sum(1 for tag, p in second if "/MCID" in p) == PER_PAGE  # the row numbers
        # The link on page 2 stays tagged: the annotation joins the one Link element.
        [link] = [e for e in doc.elements if e.role == "Link"]
        assert sorted(k.page for k in link.kids if isinstance(k, ObjRef)) == [0, 1]
        for index in (0, 1):
            [annotation] = doc.pages[index].obj.Annots
            owner = doc.owner_of_annotation(annotation)
            assert owner is not None and owner.obj.objgen == link.obj.objgen
    sidecar = find_sidecar(path)
    assert sidecar is not None
    expectations = read_sidecar(sidecar)
    assert sum(u.tag == "h1" for u in expectations.units) == 1
    assert [f.element for f in expectations.figures] == [f.ordinal for f in figures]
    if locale != "en":  # the source's alt texts line up with the figures left in the tree
        assert all(f.source_alt for f in expectations.figures)
    errors = [f for f in check(path.read_bytes(), expectations) if f.severity == "error"]
    assert errors == []


def test_repeated_content_and_a_continued_table_on_a_small_page(fonts_dir: Path) -> None:
    sheet = ('<section style="break-before: page"><div data-tag-repeat="head"><h1>Petition'
             '</h1><p><a href="https://example.org/">example.org</a></p></div>'
             '<table data-tag-table="rows"><caption>Page {n}</caption><thead><tr>'
             '<th scope="col">#</th><th scope="col">Name</th></tr></thead><tbody>'
             '{rows}</tbody></table></section>')
    body = "".join(sheet.format(n=n, rows="".join(
        f"<tr><td>{r}</td><td></td></tr>" for r in range(3 * n - 2, 3 * n + 1)))
        for n in (1, 2, 3))
    data, expectations = tagged_pdf(page(body, fonts_dir))
    assert check(data, expectations) == []
    with PdfDocument(pikepdf.open(io.BytesIO(data)), "small") as doc:
        assert len(doc.pages) == 3
        [table] = [e for e in doc.elements if e.role == "Table"]
        [body_part] = [p for p in _kids(table) if p.role == "TBody"]
        assert [doc.read_text(r).strip() for r in _kids(body_part)] == \
            [str(n) for n in range(1, 10)]
        assert [doc.read_text(e) for e in doc.elements if e.role == "H1"] == ["Petition"]
        assert sum(e.role == "TH" for e in doc.elements) == 2
        for index in (1, 2):
            subtypes = [str(p.get("/Subtype")) for tag, p in _marked(doc.pdf, index)
                        if tag == "/Artifact"]
            # The heading, the link, the caption and the two header cells.
            assert subtypes.count("/Header") == 5, subtypes
    assert [u.text for u in expectations.units][:3] == ["Petition", "example.org", "Page 1"]


def test_the_first_of_a_repeat_stays_whole_over_pages(fonts_dir: Path) -> None:
    paragraphs = "".join(f"<p>Paragraph {n}</p>" for n in range(1, 41))
    data, expectations = tagged_pdf(page(f'<div data-tag-repeat="r">{paragraphs}</div>',
                                         fonts_dir))
    assert check(data, expectations) == []
    with PdfDocument(pikepdf.open(io.BytesIO(data)), "long") as doc:
        assert len(doc.pages) > 1
        assert sum(e.role == "P" for e in doc.elements) == 40
        assert not any(tag == "/Artifact" for index in range(len(doc.pages))
                       for tag, _ in _marked(doc.pdf, index))


def test_a_continued_table_must_repeat_the_header(fonts_dir: Path) -> None:
    body = ('<table data-tag-table="t"><thead><tr><th>A</th><th>B</th></tr></thead>'
            '<tbody><tr><td>1</td><td>2</td></tr></tbody></table>'
            '<table data-tag-table="t" style="break-before: page"><thead><tr><th>A</th>'
            '</tr></thead><tbody><tr><td>3</td></tr></tbody></table>')
    with pytest.raises(tree.TreeError, match="repeat the first one's header"):
        tagged_pdf(page(body, fonts_dir))


def test_figures_of_a_repetition_are_not_expected(fonts_dir: Path) -> None:
    figure = '<svg width="8" height="8"><title>{alt}</title><rect width="8" height="8"/></svg>'
    html = page("".join(f'<div data-tag-repeat="head">{figure.format(alt=n)}</div>'
                        f'{figure.format(alt="own " + n)}' for n in ("1", "2")), fonts_dir)
    assert figure_alts(html) == ("1", "own 1", "own 2")


# -- list labels ---------------------------------------------------------------------------

def _labels_drawn_first(doc: PdfDocument) -> list[bool]:
    """For each numbered list item: whether its Lbl is drawn before its LBody."""
    found = []
    for item in (e for e in doc.elements if e.role == "LI"):
        kids = {k.role: k for k in _kids(item)}
        if "Lbl" not in kids:
            continue
        order = {int(p.MCID): n for n, (_, p) in enumerate(
            (t, p) for t, p in _marked(doc.pdf, item.page or 0) if "/MCID" in p)}

        def first(element: Element, order: dict[int, int] = order) -> int:
            return min(order[k.mcid] for e in (element, *element.descendants())
                       for k in e.kids if isinstance(k, MCRef))

        found.append(first(kids["Lbl"]) < first(kids["LBody"]))
    return found


@pytest.mark.parametrize("locale", ["en", "ar", "he"])
def test_list_labels_are_drawn_before_their_bodies(project: Project, locale: str) -> None:
    path = _build(project, locale, "leaflet")
    with PdfDocument.open(path) as doc:
        items = [e for e in doc.elements if e.role == "LI" and
                 any(k.role == "Lbl" for k in _kids(e))]
        assert len(items) == 2  # the numbered actions
        for item in items:
            label, body = _kids(item)
            assert (label.role, body.role) == ("Lbl", "LBody")
            assert doc.read_text(label).strip().strip(".") in ("1", "2")
            assert doc.read_text(label).strip() not in doc.read_text(body)
        assert _labels_drawn_first(doc) == [True, True]
    sidecar = find_sidecar(path)
    assert sidecar is not None
    assert check(path.read_bytes(), read_sidecar(sidecar)) == []


# The outside markers the leaflet had: WeasyPrint draws them last on the page.
OUTSIDE_MARKERS = ("\nol.actions li { list-style-type: decimal; }\n"
                   "ol.actions li::before { content: none; }\n")


def _back_panel(path: Path) -> bytes:
    pdf = pdfium.PdfDocument(path)
    try:
        bitmap = pdf[5].render(scale=150 / 72)
        return bytes(bitmap.buffer)
    finally:
        pdf.close()


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_labels_are_where_the_outside_markers_were(project: Project, locale: str) -> None:
    """Pixel for pixel: the inline labels of styles/leaflet.css against the list's
    outside markers."""
    inline = _back_panel(_build(project, locale, "leaflet"))
    stylesheet = project.root / "styles" / "leaflet.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + OUTSIDE_MARKERS,
                          encoding="utf-8")
    path, outcome = build_one(project, locale, "leaflet", "a4")
    assert outcome.status == "built", outcome.messages  # type: ignore[attr-defined]
    with PdfDocument.open(path) as doc:  # the markers are drawn last, as before
        assert _labels_drawn_first(doc) == [False, False]
    assert _back_panel(path) == inline
