"""The WeasyPrint speed-ups (publication/typeset/weasy/memos.py): each gives the same PDFs,
byte for byte, each leaves a WeasyPrint it was not measured on alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import weasyprint

from publication.model import Project
from publication.typeset.weasy import memos
from tests.checking import laid_out

# Remembered lines ------------------------------------------------------------------------

def test_the_pinned_weasyprint_has_its_lines_remembered() -> None:
    assert memos.line_memo_problem() is None


@pytest.mark.parametrize(("kind", "size"), [("leaflet", "a4"), ("poster", "a3")])
def test_remembered_lines_give_the_same_pdf_byte_for_byte(
        project: Project, monkeypatch: pytest.MonkeyPatch, kind: str, size: str) -> None:
    from publication.typeset.typesetter import Typesetter

    worker, html, document = laid_out(project, kind, size)  # the lines remembered
    remembered = worker.typesetter.write(document)
    monkeypatch.setattr(memos, "line_memo_problem", lambda: "switched off by the test")
    again = Typesetter(project)  # a process of its own: nothing of the first is reused
    assert again.write(again.layout(html)) == remembered


# What a document may ask of the line breaker beyond the campaign's stylesheets: justified
# and hyphenated text, an ellipsis (drawing changes the layout's text), ::first-letter and
# ::first-line (copied styles), flex items measured, a table, right-to-left text.
ODD_LINES = """<style>
@page { size: 90mm 120mm; margin: 8mm }
p { text-align: justify; hyphens: auto; margin: 0 0 2mm }
p::first-letter { font-size: 200% } p::first-line { letter-spacing: 0.5pt }
.cut { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 30mm }
.row { display: flex; gap: 2mm } .row > div { flex: 1 1 0 }
</style>
<p lang="en">Remembering every line breaker answer keeps a document exactly as it was
laid out before, however often the flexible layout measures the same paragraph.</p>
<p class="cut">A line that is far too long for its narrow box and ends in an ellipsis</p>
<p class="cut">A line that is far too long for its narrow box and ends in an ellipsis</p>
<div class="row"><div><p>Short words in a flex item, measured and then laid out</p></div>
<div><p>Another flex item with somewhat longer hyphenatable vocabulary</p></div></div>
<table><tr><th>Heading cell</th><td>A table cell whose text wraps onto lines</td></tr></table>
<p dir="rtl" lang="he">שורה בעברית שנשברת לכמה שורות בתוך התיבה הצרה הזאת</p>
"""


def test_remembered_lines_give_the_same_pdf_for_justified_cut_and_pseudo_element_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def pdf() -> bytes:
        with memos.remembered_lines():
            data = weasyprint.HTML(string=ODD_LINES).write_pdf()
        assert isinstance(data, bytes)
        return data

    remembered = pdf()
    monkeypatch.setattr(memos, "line_memo_problem", lambda: "switched off by the test")
    assert pdf() == remembered


def test_a_remembered_line_is_broken_once_and_each_box_gets_its_own_layout() -> None:
    calls = []

    class Layout:
        text = "a b"

    def breaker(text: str, style: Any, context: Any, max_width: float | None,
                justification_spacing: float, is_line_start: bool = True,
                minimum: bool = False) -> tuple[Any, ...]:
        calls.append(text)
        return Layout(), 3, None, 10.0, 5.0, 4.0

    remembering = memos._remembering(breaker)
    style, other = {"a": 1}, {"a": 1}
    first = remembering("a b", style, None, 100.0, 0)
    second = remembering("a b", style, None, 100.0, 0)
    assert calls == ["a b"] and first[1:] == second[1:]
    assert first[0] is not second[0] and isinstance(second[0], Layout)
    first[0].text = "a…"  # drawing shortened the first box's text (an ellipsis)
    assert remembering("a b", style, None, 100.0, 0)[0].text == "a b"
    remembering("a b", other, None, 100.0, 0)  # another element's style: broken anew
    remembering("a b", style, None, 90.0, 0)  # another width
    remembering("a b", style, None, 100.0, 0, False)  # not at a line's start
    assert calls == ["a b"] * 4


def test_a_changed_line_breaker_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    memos.line_memo_problem.cache_clear()
    def changed(*args: Any) -> None:
        return None

    monkeypatch.setattr(inline, "split_first_line", changed)
    try:
        problem = memos.line_memo_problem()
        assert problem is not None and "weasyprint.layout.inline" in problem
        with memos.remembered_lines():
            assert inline.split_first_line is changed
        assert line_break.split_first_line is not changed
    finally:
        memos.line_memo_problem.cache_clear()


# Remembered paths ------------------------------------------------------------------------

def test_the_pinned_weasyprint_has_its_paths_remembered() -> None:
    assert memos.path_memo_problem() is None


@pytest.mark.parametrize(("kind", "size"), [("leaflet", "a4"), ("petition", "letter")])
def test_remembered_paths_give_the_same_pdf_byte_for_byte(
        project: Project, monkeypatch: pytest.MonkeyPatch, kind: str, size: str) -> None:
    worker, _, document = laid_out(project, kind, size)
    typesetter = worker.typesetter
    first = typesetter.write(document)  # each path drawn, and noted
    assert typesetter.paths  # the QR code's, the campaign mark's
    assert typesetter.write(document) == first  # each path drawn from the notes
    monkeypatch.setattr(memos, "path_memo_problem", lambda: "switched off by the test")
    assert typesetter.write(document) == first


def test_a_path_drawn_only_in_part_is_drawn_as_far_as_it_goes_and_not_remembered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # WeasyPrint stops drawing a path at a "d" it cannot read (a lone coordinate here).
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" '
           'height="10"><path d="M1 1 L9 1 L9 9 L5" fill="#000"/></svg>')
    document = weasyprint.HTML(string=f"<p>{svg}</p>").render()
    memo: memos.PathMemo = {}
    with memos.remembered_paths(memo):
        drawn = document.write_pdf()
    assert memo == {}
    monkeypatch.setattr(memos, "path_memo_problem", lambda: "switched off by the test")
    assert document.write_pdf() == drawn


def test_a_remembered_path_keeps_its_markers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Markers are drawn at the vertices the path drawer notes.
    marker = ('<marker id="dot" viewBox="0 0 2 2" refX="1" refY="1" markerWidth="2" '
              'markerHeight="2"><circle cx="1" cy="1" r="1" fill="#c00"/></marker>')
    path = '<path d="M1 1 L9 1 L9 9" stroke="#000" fill="none" marker-mid="url(#dot)"/>'
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="40" '
           f'height="40"><defs>{marker}</defs>{path}</svg>')
    document = weasyprint.HTML(string=f"<p>{svg}</p><p>{svg}</p>").render()
    expected = document.write_pdf()
    memo: memos.PathMemo = {}
    with memos.remembered_paths(memo):
        assert document.write_pdf() == expected  # noted the first time, then replayed
        assert document.write_pdf() == expected
    assert len(memo) == 1


def test_a_changed_path_drawer_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import svg

    def changed(svg: Any, node: Any, font_size: float) -> None:
        return None

    memos.path_memo_problem.cache_clear()
    monkeypatch.setitem(svg.TAGS, "path", changed)
    try:
        assert "weasyprint.svg.path.path" in (memos.path_memo_problem() or "")
        with memos.remembered_paths({}):
            assert svg.TAGS["path"] is changed
    finally:
        memos.path_memo_problem.cache_clear()


# Open arrays -----------------------------------------------------------------------------

def test_the_pinned_weasyprint_subsets_fonts_with_open_arrays() -> None:
    assert memos.open_arrays_problem() is None


@pytest.mark.parametrize(("kind", "size"), [("leaflet", "a4"), ("poster", "tabloid")])
def test_open_arrays_give_the_same_pdf_byte_for_byte(
        project: Project, monkeypatch: pytest.MonkeyPatch, kind: str, size: str) -> None:
    from weasyprint.pdf import fonts

    worker, _, document = laid_out(project, kind, size)
    asked: list[str] = []
    real_new = fonts.ffi.new

    def noting(cdecl: Any, init: Any = None) -> Any:
        asked.append(cdecl)
        return real_new(cdecl, init)

    monkeypatch.setattr(fonts.ffi, "new", noting)
    opened = worker.typesetter.write(document)
    assert "hb_codepoint_t[]" in asked  # the subsetter's glyph lists, of open length
    assert not any(c.startswith("hb_codepoint_t[") and c[15:-1].isdigit() for c in asked)
    monkeypatch.setattr(memos, "open_arrays_problem", lambda: "switched off by the test")
    assert worker.typesetter.write(document) == opened


def test_an_open_array_is_asked_for_only_when_the_length_is_the_values_own() -> None:
    import cffi

    ffi = cffi.FFI()
    arrays = memos._OpenArrays(ffi)
    same = arrays.new("unsigned int[3]", [1, 2, 3])
    assert ffi.typeof(same).cname == "unsigned int[]" and list(same) == [1, 2, 3]
    longer = arrays.new("unsigned int[4]", [1, 2])
    assert ffi.typeof(longer).cname == "unsigned int[4]" and list(longer) == [1, 2, 0, 0]
    assert ffi.typeof(arrays.new("int *", 5)).cname == "int *"
    assert arrays.NULL == ffi.NULL  # everything else is cffi's own


def test_a_subsetter_without_a_cffi_interface_is_left_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import fonts

    memos.open_arrays_problem.cache_clear()
    monkeypatch.setattr(fonts, "ffi", object())
    try:
        assert "weasyprint.pdf.fonts" in (memos.open_arrays_problem() or "")
        with memos.open_arrays():
            assert type(fonts.ffi) is object
    finally:
        memos.open_arrays_problem.cache_clear()


# Used lengths ----------------------------------------------------------------------------

def test_the_pinned_weasyprint_has_its_used_lengths_remembered() -> None:
    assert memos.percentage_memo_problem() is None


@pytest.mark.parametrize(("kind", "size"),
                         [("leaflet", "letter"), ("petition", "a4"), ("poster", "tabloid")])
def test_remembered_used_lengths_give_the_same_pdf_byte_for_byte(
        project: Project, monkeypatch: pytest.MonkeyPatch, kind: str, size: str) -> None:
    from publication.typeset.typesetter import Typesetter

    worker, html, document = laid_out(project, kind, size)  # the lengths remembered
    remembered = worker.typesetter.write(document)
    monkeypatch.setattr(memos, "percentage_memo_problem", lambda: "switched off by the test")
    again = Typesetter(project)
    assert again.write(again.layout(html)) == remembered


# Lengths of every kind a resolution reads: percentages of the containing block, calc(),
# em, box-sizing, minimums and maximums, page margins in percent, auto heights, collapsed
# and separate table borders, flex items (resolved at each pass), absolute boxes.
ODD_LENGTHS = """<style>
@page { size: 100mm 140mm; margin: 5% 8% }
div.box { box-sizing: border-box; width: 80%; padding: 2% 1em; border: 1mm solid;
          min-height: calc(10mm + 5%); max-width: calc(100% - 4mm); margin: 0 auto 2mm }
.row { display: flex; gap: 2mm; height: 30mm } .row > div { flex: 1 1 0; padding: 5% }
table { border-collapse: collapse; width: 90% } td { border: 0.5mm solid; padding: 1% }
table.apart { border-collapse: separate; border-spacing: 1mm }
.pos { position: relative; height: 12mm } .pos span { position: absolute; left: 10%;
       bottom: 20%; width: 30%; padding: 1mm }
</style>
<div class="box">A box sized in percentages, ems and calc().</div>
<div class="box" style="width: auto">Another, of automatic width.</div>
<div class="row"><div>One flex item</div><div>Another flex item</div></div>
<table><tr><td>collapsed</td><td>borders</td></tr></table>
<table class="apart"><tr><td>separate</td><td>borders</td></tr></table>
<div class="pos"><span>absolute</span></div>
"""


def test_remembered_used_lengths_give_the_same_pdf_for_every_kind_of_length(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with memos.remembered_percentages():
        remembered = weasyprint.HTML(string=ODD_LENGTHS).write_pdf()
    assert remembered == weasyprint.HTML(string=ODD_LENGTHS).write_pdf()


def test_used_lengths_are_resolved_once_for_each_style_and_size() -> None:
    from weasyprint.formatting_structure import boxes

    calls: list[tuple[Any, Any]] = []

    def resolver(box: Any, containing_block: Any) -> None:
        calls.append((box.style, containing_block))
        for number, name in enumerate(memos.USED_LENGTHS):
            setattr(box, name, float(number) + containing_block[0])

    class Plain:
        def __init__(self, style: dict[str, str]) -> None:
            self.style = style

    class Page(boxes.PageBox):
        def __init__(self, style: dict[str, str]) -> None:
            self.style = style

    remembering = memos._remembering_lengths(resolver)
    style, other = {"border_collapse": "separate"}, {"border_collapse": "separate"}
    first, second = Plain(style), Plain(style)
    remembering(first, (100.0, 50.0))
    remembering(second, (100.0, 50.0))  # the same style and size: set from the first
    assert len(calls) == 1
    assert [getattr(second, n) for n in memos.USED_LENGTHS] == \
        [getattr(first, n) for n in memos.USED_LENGTHS]
    remembering(Plain(style), (90.0, 50.0))  # another size
    remembering(Plain(other), (100.0, 50.0))  # an equal style, but another box's
    remembering(Page(style), (100.0, 50.0))  # a page box: its margins refer elsewhere
    collapsed = {"border_collapse": "collapse"}
    remembering(Plain(collapsed), (100.0, 50.0))
    remembering(Plain(collapsed), (100.0, 50.0))  # borders read from the box: anew
    assert len(calls) == 6


def test_a_module_that_resolves_otherwise_is_left_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.layout import block, percent

    def changed(box: Any, containing_block: Any) -> None:
        return None

    memos.percentage_memo_problem.cache_clear()
    monkeypatch.setattr(block, "resolve_percentages", changed)
    try:
        assert "weasyprint.layout.block" in (memos.percentage_memo_problem() or "")
        with memos.remembered_percentages():
            assert block.resolve_percentages is changed
            assert percent.resolve_percentages.__module__ == "weasyprint.layout.percent"
    finally:
        memos.percentage_memo_problem.cache_clear()


def test_a_changed_resolver_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.layout import percent

    def adjust_box_sizing(box: Any, axis: str) -> None:
        box.outline = axis  # sets something the memo does not know of

    memos.percentage_memo_problem.cache_clear()
    monkeypatch.setattr(percent, "adjust_box_sizing", adjust_box_sizing)
    try:
        assert "adjust_box_sizing changed" in (memos.percentage_memo_problem() or "")
    finally:
        memos.percentage_memo_problem.cache_clear()


def test_what_a_speed_up_swapped_is_put_back_even_when_the_block_fails() -> None:
    from weasyprint.layout import block, inline, percent
    from weasyprint.svg import TAGS

    held = (inline.split_first_line, block.resolve_percentages, percent.resolve_percentages,
            TAGS["path"])
    with pytest.raises(ZeroDivisionError), memos.remembered_lines(), \
            memos.remembered_percentages(), memos.remembered_paths({}):
        assert inline.split_first_line is not held[0]
        assert block.resolve_percentages is percent.resolve_percentages is not held[1]
        assert TAGS["path"] is not held[3]
        1 / 0  # noqa: B018 - the layout failing
    assert (inline.split_first_line, block.resolve_percentages, percent.resolve_percentages,
            TAGS["path"]) == held
