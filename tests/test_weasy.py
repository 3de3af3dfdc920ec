"""The WeasyPrint adapter (publication/typeset/weasy.py) and the tagging self-test
(publication/tagging/selftest.py): feature checks instead of a version pin, a self-test
that fails when a tag fix no longer takes, and no private WeasyPrint name anywhere else."""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import weasyprint

from publication.errors import PublicationError
from publication.model import Project
from publication.tagging import selftest, tree
from publication.tagging import tags as tagging
from publication.typeset import weasy
from tests.checking import build_one, laid_out

PACKAGE = Path(__file__).resolve().parent.parent / "publication"
ADAPTER = PACKAGE / "typeset" / "weasy.py"
MESSAGE_END = "install the version in requirements.lock (make setup)"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Checks and self-test run anew in each test and after it (its patches undone)."""
    weasy.check_features.cache_clear()
    selftest.run_self_test.cache_clear()
    yield
    weasy.check_features.cache_clear()
    selftest.run_self_test.cache_clear()


def _builder() -> Any:
    from weasyprint.pdf import tags as pdf_tags

    return pdf_tags


# Feature checks --------------------------------------------------------------------------

def test_the_installed_weasyprint_has_every_feature() -> None:
    weasy.check_features()
    assert issubclass(weasy.WeasyPrintUnsupported, PublicationError)  # the CLI's message


def test_a_changed_builder_signature_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    original = _builder()._build_box_tree

    def changed(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any,
                annotations: Any, tags: Any, lang: str | None = None) -> Iterator[Any]:
        yield from original(box, parent, pdf, page_number, nums, annotations, tags)

    monkeypatch.setattr(_builder(), "_build_box_tree", changed)
    with pytest.raises(weasy.WeasyPrintUnsupported) as caught:
        weasy.check_features()
    message = str(caught.value)
    assert message.startswith(f"WeasyPrint {weasyprint.__version__} is not supported: its tag "
                              "builder changed (_build_box_tree takes (box, parent, pdf, "
                              "page_number, nums, annotations, tags, lang), not (")
    assert message.endswith(MESSAGE_END)
    with pytest.raises(weasy.WeasyPrintUnsupported, match="its tag builder changed"), \
            tagging.recording():
        pass


def test_a_builder_that_does_not_recurse_through_its_global_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def flat(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any,
             annotations: Any, tags: Any) -> Iterator[Any]:
        yield from ()

    monkeypatch.setattr(_builder(), "_build_box_tree", flat)
    with pytest.raises(weasy.WeasyPrintUnsupported,
                       match="_build_box_tree no longer calls _build_box_tree through"):
        weasy.check_features()


@pytest.mark.parametrize(("module", "name", "expected"), [
    ("weasyprint.formatting_structure.boxes", "MarginBox",
     r"its layout box classes changed \(no MarginBox\)"),
    ("weasyprint.pdf.tags", "_build_box_tree", "no generator _build_box_tree"),
])
def test_a_missing_attribute_is_refused(monkeypatch: pytest.MonkeyPatch, module: str,
                                        name: str, expected: str) -> None:
    monkeypatch.delattr(f"{module}.{name}")
    with pytest.raises(weasy.WeasyPrintUnsupported, match=expected):
        weasy.check_features()


def test_changed_private_attributes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.layout.absolute import AbsolutePlaceholder

    def page_init(self: Any, page_box: Any) -> None:
        self.box = page_box

    monkeypatch.setattr(weasyprint.Page, "__init__", page_init)
    with pytest.raises(weasy.WeasyPrintUnsupported, match="Page no longer keeps its box"):
        weasy.check_features()
    monkeypatch.undo()
    weasy.check_features.cache_clear()

    def placeholder_init(self: Any, box: Any) -> None:
        object.__setattr__(self, "_inner", box)

    monkeypatch.setattr(AbsolutePlaceholder, "__init__", placeholder_init)
    with pytest.raises(weasy.WeasyPrintUnsupported, match=r"AbsolutePlaceholder\._box"):
        weasy.check_features()


def test_a_build_on_an_unsupported_weasyprint_fails_with_the_message(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr("weasyprint.formatting_structure.boxes.MarginBox")
    path, outcome = build_one(project, "en", "letter", "a4")
    assert outcome.status == "failed"  # type: ignore[attr-defined]
    [message] = outcome.messages  # type: ignore[attr-defined]
    assert "is not supported: its layout box classes changed (no MarginBox)" in message
    assert message.endswith(MESSAGE_END)
    assert not path.exists()


# The self-test ---------------------------------------------------------------------------

def test_the_self_test_passes_and_is_fast() -> None:
    first = selftest.run_self_test()
    assert first.problems == ()
    assert selftest.run_self_test() is first  # cached for the process
    selftest.run_self_test.cache_clear()
    start = time.perf_counter()
    again = selftest.run_self_test()
    elapsed = time.perf_counter() - start
    assert again.problems == ()
    # Once WeasyPrint is warm (as in a worker after its first layout) it costs ~50 ms.
    assert elapsed < 0.3, f"the self-test took {elapsed:.3f} s"
    selftest.ensure_self_test()


def _no_lang(self: Any, box: Any) -> tuple[str, None]:
    self.langs.append("")
    return "", None


@pytest.mark.parametrize(("module", "name", "broken", "expected"), [
    (tagging, "_actual_text", lambda *args: None,
     "no /ActualText 'שלום עולם' on the right-to-left"),
    (tagging, "_set_scope", lambda *args: None, "no /Scope /Column on the header cell"),
    (tagging, "_add_id_tree", lambda *args: None, "no IDTree for the header cell's /ID"),
    (tree, "mark_artifacts", lambda *args: None, "0 pagination artifacts instead of 1"),
])
def test_the_self_test_fails_when_a_fix_does_not_take(monkeypatch: pytest.MonkeyPatch,
                                                      module: ModuleType, name: str,
                                                      broken: Any, expected: str) -> None:
    monkeypatch.setattr(module, name, broken)
    assert any(expected in problem for problem in selftest.run_self_test().problems)
    with pytest.raises(weasy.WeasyPrintUnsupported) as caught:
        selftest.ensure_self_test()
    message = str(caught.value)
    assert message.startswith(f"WeasyPrint {weasyprint.__version__} is not supported: the tag "
                              "fixes no longer take (tagging self-test: ")
    assert expected in message and message.endswith(MESSAGE_END)
    with pytest.raises(weasy.WeasyPrintUnsupported, match="tagging self-test"), \
            tagging.recording():
        pass


def test_the_self_test_fails_without_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tagging._Recorder, "enter", _no_lang)
    problems = selftest.run_self_test().problems
    assert "no /Lang de on the span 'bitte' alone" in problems
    assert "the German span is not among the language parts" in problems


def test_the_self_test_fails_when_nothing_is_observed(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a WeasyPrint that builds its tree some other way would look like at run time.
    monkeypatch.setattr(weasy, "_observing", lambda original, observer: original)
    assert selftest.run_self_test().problems == (
        "no structure element or marked content was observed",)


def test_a_crash_in_the_self_test_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: Any) -> None:
        raise KeyError("mcid")

    monkeypatch.setattr(tagging, "_fix_content", crash)
    with pytest.raises(weasy.WeasyPrintUnsupported, match=r"self-test: KeyError: 'mcid'"):
        selftest.ensure_self_test()


# Remembered lines ------------------------------------------------------------------------

def test_the_pinned_weasyprint_has_its_lines_remembered() -> None:
    assert weasy.line_memo_problem() is None


@pytest.mark.parametrize(("kind", "size"), [("leaflet", "a4"), ("poster", "a3")])
def test_remembered_lines_give_the_same_pdf_byte_for_byte(
        project: Project, monkeypatch: pytest.MonkeyPatch, kind: str, size: str) -> None:
    from publication.typeset.typesetter import Typesetter

    worker, html, document = laid_out(project, kind, size)  # the lines remembered
    remembered = worker.typesetter.write(document)
    monkeypatch.setattr(weasy, "line_memo_problem", lambda: "switched off by the test")
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
        with weasy.remembered_lines():
            data = weasyprint.HTML(string=ODD_LINES).write_pdf()
        assert isinstance(data, bytes)
        return data

    remembered = pdf()
    monkeypatch.setattr(weasy, "line_memo_problem", lambda: "switched off by the test")
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

    remembering = weasy._remembering(breaker)
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

    weasy.line_memo_problem.cache_clear()
    def changed(*args: Any) -> None:
        return None

    monkeypatch.setattr(inline, "split_first_line", changed)
    try:
        problem = weasy.line_memo_problem()
        assert problem is not None and "weasyprint.layout.inline" in problem
        with weasy.remembered_lines():
            assert inline.split_first_line is changed
        assert line_break.split_first_line is not changed
    finally:
        weasy.line_memo_problem.cache_clear()


# Remembered paths ------------------------------------------------------------------------

def test_the_pinned_weasyprint_has_its_paths_remembered() -> None:
    assert weasy.path_memo_problem() is None


@pytest.mark.parametrize(("kind", "size"), [("leaflet", "a4"), ("petition", "letter")])
def test_remembered_paths_give_the_same_pdf_byte_for_byte(
        project: Project, monkeypatch: pytest.MonkeyPatch, kind: str, size: str) -> None:
    worker, _, document = laid_out(project, kind, size)
    typesetter = worker.typesetter
    first = typesetter.write(document)  # each path drawn, and noted
    assert typesetter.paths  # the QR code's, the campaign mark's
    assert typesetter.write(document) == first  # each path drawn from the notes
    monkeypatch.setattr(weasy, "path_memo_problem", lambda: "switched off by the test")
    assert typesetter.write(document) == first


def test_a_path_drawn_only_in_part_is_drawn_as_far_as_it_goes_and_not_remembered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # WeasyPrint stops drawing a path at a "d" it cannot read (a lone coordinate here).
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" '
           'height="10"><path d="M1 1 L9 1 L9 9 L5" fill="#000"/></svg>')
    document = weasyprint.HTML(string=f"<p>{svg}</p>").render()
    memo: weasy.PathMemo = {}
    with weasy.remembered_paths(memo):
        drawn = document.write_pdf()
    assert memo == {}
    monkeypatch.setattr(weasy, "path_memo_problem", lambda: "switched off by the test")
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
    memo: weasy.PathMemo = {}
    with weasy.remembered_paths(memo):
        assert document.write_pdf() == expected  # noted the first time, then replayed
        assert document.write_pdf() == expected
    assert len(memo) == 1


def test_a_changed_path_drawer_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import svg

    def changed(svg: Any, node: Any, font_size: float) -> None:
        return None

    weasy.path_memo_problem.cache_clear()
    monkeypatch.setitem(svg.TAGS, "path", changed)
    try:
        assert "weasyprint.svg.path.path" in (weasy.path_memo_problem() or "")
        with weasy.remembered_paths({}):
            assert svg.TAGS["path"] is changed
    finally:
        weasy.path_memo_problem.cache_clear()


# Open arrays -----------------------------------------------------------------------------

def test_the_pinned_weasyprint_subsets_fonts_with_open_arrays() -> None:
    assert weasy.open_arrays_problem() is None


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
    monkeypatch.setattr(weasy, "open_arrays_problem", lambda: "switched off by the test")
    assert worker.typesetter.write(document) == opened


def test_an_open_array_is_asked_for_only_when_the_length_is_the_values_own() -> None:
    import cffi

    ffi = cffi.FFI()
    arrays = weasy._OpenArrays(ffi)
    same = arrays.new("unsigned int[3]", [1, 2, 3])
    assert ffi.typeof(same).cname == "unsigned int[]" and list(same) == [1, 2, 3]
    longer = arrays.new("unsigned int[4]", [1, 2])
    assert ffi.typeof(longer).cname == "unsigned int[4]" and list(longer) == [1, 2, 0, 0]
    assert ffi.typeof(arrays.new("int *", 5)).cname == "int *"
    assert arrays.NULL == ffi.NULL  # everything else is cffi's own


def test_a_subsetter_without_a_cffi_interface_is_left_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import fonts

    weasy.open_arrays_problem.cache_clear()
    monkeypatch.setattr(fonts, "ffi", object())
    try:
        assert "weasyprint.pdf.fonts" in (weasy.open_arrays_problem() or "")
        with weasy.open_arrays():
            assert type(fonts.ffi) is object
    finally:
        weasy.open_arrays_problem.cache_clear()


# No private WeasyPrint name outside the adapter --------------------------------------------

def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


@pytest.fixture(scope="module")
def weasyprint_private_names() -> frozenset[str]:
    """Every private name WeasyPrint and pydyf use: defined, assigned, read or spelled as a
    string (object.__setattr__(self, '_box', ...))."""
    import pydyf

    names: set[str] = set()
    roots = (Path(weasyprint.__file__).parent, Path(pydyf.__file__).parent)
    for path in (p for root in roots for p in root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            for name in _names_of(node):
                if _is_private(name):
                    names.add(name)
    return frozenset(names)


def _names_of(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.asname or node.name]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return []


def _weasyprint_use(source: str, private: frozenset[str]) -> list[str]:
    """Where a module's source imports or touches WeasyPrint beyond its root API."""
    tree = ast.parse(source)
    own = {name for node in ast.walk(tree) if not isinstance(node, (ast.Attribute, ast.Constant))
           for name in _names_of(node)}  # names the module defines or reads itself
    own |= {node.attr for node in ast.walk(tree)  # its own attributes: self._x = ...
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")}
    found = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names
                      if a.name.startswith(("weasyprint.", "pydyf"))]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(("weasyprint.", "pydyf")):
                found.append(f"{where}: from {node.module} import ...")
            elif node.module == "weasyprint":
                found += [f"{where}: from weasyprint import {a.name}" for a in node.names
                          if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "weasyprint" and (
                    _is_private(node.attr)
                    or isinstance(getattr(weasyprint, node.attr, None), ModuleType)):
                found.append(f"{where}: weasyprint.{node.attr}")  # a private, a sub-module
            elif node.attr in private and node.attr not in own:
                found.append(f"{where}: .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value.startswith(("weasyprint.", "pydyf."))
                or (node.value in private and node.value not in own)):
            found.append(f"{where}: {node.value!r}")
    return sorted(found, key=lambda f: int(f.split()[1].rstrip(":")))


def test_the_scan_finds_what_the_adapter_replaced(weasyprint_private_names: frozenset[str]) -> None:
    old = ("from weasyprint.pdf import tags as weasy_tags\n"
           "from weasyprint.formatting_structure import boxes\n"
           "import weasyprint.layout.absolute\n"
           "root = page._page_box\n"
           "real = box._box\n"
           "weasy_tags._build_box_tree = wrapper\n"
           "x = getattr(page, '_page_box')\n"
           "data = (files('weasyprint.pdf') / 'sRGB2014.icc').read_bytes()\n"
           "mod = weasyprint.pdf\n")
    found = _weasyprint_use(old, weasyprint_private_names)
    assert [f.split(": ", 1)[0] for f in found] == [f"line {n}" for n in
                                                    (1, 2, 3, 4, 5, 6, 7, 8, 9)], found
    public = ("import weasyprint\nfrom weasyprint import HTML\nv = weasyprint.__version__\n"
              "doc = weasyprint.HTML(string='').render()\nfor p in doc.pages: p.width\n"
              "class A:\n    def __init__(self):\n        self._sheets = {}\n"
              "    def f(self):\n        return self._sheets\n")
    assert _weasyprint_use(public, weasyprint_private_names) == []


def test_no_module_but_the_adapter_uses_private_weasyprint(
        weasyprint_private_names: frozenset[str]) -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert ADAPTER in modules
    found = {str(path.relative_to(PACKAGE)): uses for path in modules if path != ADAPTER
             if (uses := _weasyprint_use(path.read_text("utf-8"), weasyprint_private_names))}
    assert found == {}
    assert _weasyprint_use(ADAPTER.read_text("utf-8"), weasyprint_private_names)  # it does
