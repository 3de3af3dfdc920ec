"""The tagging self-test: proof, once per process, that the tag fixes take on the
installed WeasyPrint.

`publication.typeset.weasy` checks by feature that the WeasyPrint internals the fixes
read are there (names, signatures, attributes). What no signature shows is whether they
still mean the same: that the MCIDs WeasyPrint hands its structure builder are the ones
in the content stream, that a structure element's number is its PDF object number, that
page-margin text is still drawn as marked content. So the first `tags.recording()` of a
process typesets a canned one-page document through the same path as the build
(WeasyPrint layout, PDF/UA-1 written under `observed()`, `tags.fix`) and reads the fixed
PDF back: a right-to-left span must carry its logical text as /ActualText, a span in
German its /Lang, the header cell its /Scope (and the IDTree), the link its annotation
and /Contents, and the page number must be a pagination artifact that no element owns.

It takes about 50 ms (measured in tests/test_weasy.py); the outcome is cached, so a
failure is reported by every target of the process without running again.
"""

from __future__ import annotations

import functools
import io
import time
from dataclasses import dataclass

import pikepdf
import weasyprint

from publication.pdf.structure import Element, ObjRef, PdfDocument
from publication.tagging import tags
from publication.typeset import weasy

RTL_TEXT = "שלום עולם"
LANG_TEXT = "bitte"
LINK = "https://example.org/"
HEADER = "Name"

# System fonts are enough: the fixes read text and structure, not glyphs. The body font
# size keeps the whole document on its one page; the page number sits in a margin box.
SELF_TEST_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Self-test</title>'
    "<style>@page { size: 148mm 80mm; margin: 12mm; "
    "@bottom-center { content: counter(page) } } body { font: 9pt sans-serif }</style>"
    f'</head><body><p>Sign <span lang="de">{LANG_TEXT}</span>: '
    f'<span dir="rtl" lang="he">{RTL_TEXT}</span>, <a href="{LINK}">here</a>.</p>'
    f"<table><thead><tr><th>{HEADER}</th></tr></thead><tbody><tr><td>Ada</td></tr>"
    "</tbody></table></body></html>")


@dataclass(frozen=True)
class SelfTestResult:
    """What the self-test found (nothing when the fixes take) and how long it took."""

    problems: tuple[str, ...]
    seconds: float


@functools.cache
def run_self_test() -> SelfTestResult:
    """Typeset, tag and read back the canned document; cached for the process."""
    start = time.perf_counter()
    try:
        weasy.check_features()
        problems = _problems()
    except weasy.WeasyPrintUnsupported as exc:
        problems = [str(exc)]
    except Exception as exc:  # noqa: BLE001 - a changed WeasyPrint can fail in any way
        problems = [f"{type(exc).__name__}: {exc}"]
    return SelfTestResult(tuple(problems), time.perf_counter() - start)


def ensure_self_test() -> None:
    """Raise WeasyPrintUnsupported unless the self-test passes (run once per process)."""
    result = run_self_test()
    if result.problems:
        raise weasy.unsupported("the tag fixes no longer take (tagging self-test: "
                                + "; ".join(result.problems) + ")")


def _problems() -> list[str]:
    document = weasyprint.HTML(string=SELF_TEST_HTML).render()
    if len(document.pages) != 1:
        return [f"the canned document takes {len(document.pages)} pages instead of 1"]
    if problems := weasy.layout_problems(document):
        return [f"its layout boxes changed ({', '.join(problems)})"]
    with tags.observed() as record:
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    assert isinstance(data, bytes)
    problems = _numbers_problems(data, record)
    if problems:
        return problems  # nothing the fixes could be checked on
    tagged = tags.fix(data, record)
    with pikepdf.open(io.BytesIO(tagged.data)) as pdf:
        doc = PdfDocument(pdf, "self-test")
        problems += _tree_problems(doc)
        problems += _pagination_problems(doc, record)
    if not any(LANG_TEXT in unit.text and unit.tag == "p" for unit in tagged.units):
        problems.append("the paragraph is not among the text units")
    if not any(
            (part.lang, part.text) == ("de", LANG_TEXT) for part in tagged.languages):
        problems.append("the German span is not among the language parts")
    return problems


def _numbers_problems(data: bytes, record: tags.TagRecord) -> list[str]:
    """Every element noted must be the structure element of that number in the PDF."""
    if not record.nodes or not record.runs:
        return ["no structure element or marked content was observed"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number in record.nodes:
            obj = pdf.get_object((number, 0))
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/StructElem":
                return [f"object {number} is not the structure element observed"]
    return []


def _tree_problems(doc: PdfDocument) -> list[str]:
    problems = []
    if not any(e.actual_text == RTL_TEXT for e in doc.elements):
        problems.append(f"no /ActualText {RTL_TEXT!r} on the right-to-left span")
    german = [e for e in doc.elements if e.lang == "de"]
    if [doc.read_text(e) for e in german] != [LANG_TEXT]:
        problems.append(f"no /Lang de on the span {LANG_TEXT!r} alone")
    headers = [e for e in doc.elements if e.role == "TH"]
    if not headers or any(str(_scope(e)) != "/Column" for e in headers):
        problems.append("no /Scope /Column on the header cell")
    if not isinstance(doc.tree_root, pikepdf.Dictionary) or "/IDTree" not in doc.tree_root:
        problems.append("no IDTree for the header cell's /ID")
    links = [e for e in doc.elements if e.role == "Link"]
    annotations = [k.obj for e in links for k in e.kids if isinstance(k, ObjRef)]
    if len(annotations) != 1 or str(annotations[0].get("/Contents", "")) != LINK:
        problems.append("the link has no annotation with /Contents in its Link element")
    return problems


def _scope(element: Element) -> object:
    return element.attributes("/Table").get("/Scope")


def _pagination_problems(doc: PdfDocument, record: tags.TagRecord) -> list[str]:
    """The page number: a run noted as pagination, drawn as an artifact, owned by none."""
    numbers = [mcid for (_, mcid), run in record.runs.items() if run.pagination]
    if [record.runs[(0, m)].text for m in numbers] != ["1"]:
        return ["the page number was not observed in its margin box"]
    artifacts = 0
    for item in pikepdf.parse_content_stream(doc.pages[0]):
        if isinstance(item, pikepdf.ContentStreamInstruction) and \
                str(item.operator) == "BDC" and str(item.operands[0]) == "/Artifact":
            props = item.operands[1] if len(item.operands) > 1 else None
            artifacts += isinstance(props, pikepdf.Dictionary) and \
                props.get("/Type") == "/Pagination"
    if artifacts != 1:
        return [f"{artifacts} pagination artifacts instead of 1 for the page number"]
    # Not owner_of_mcid: it sees only elements in the tree, and WeasyPrint's owner of
    # margin content is an element outside it.
    owners = doc.parent_tree.get(int(doc.pages[0].obj.get("/StructParents", -1)))
    if not isinstance(owners, pikepdf.Array) or any(
            m < len(owners) and owners[m] is not None for m in numbers):
        return ["the page number still belongs to a structure element"]
    return []
