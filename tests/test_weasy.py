"""The WeasyPrint adapter (publication/typeset/weasy/) and the tagging self-test
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
from tests.checking import build_one

PACKAGE = Path(__file__).resolve().parent.parent / "publication"
ADAPTER = PACKAGE / "typeset" / "weasy"  # the package: its modules, and only they
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
    adapter = [path for path in modules if path.is_relative_to(ADAPTER)]
    assert {path.name for path in adapter} == {"__init__.py", "memos.py"}
    found = {str(path.relative_to(PACKAGE)): uses for path in modules if path not in adapter
             if (uses := _weasyprint_use(path.read_text("utf-8"), weasyprint_private_names))}
    assert found == {}
    for path in adapter:  # each of them does
        assert _weasyprint_use(path.read_text("utf-8"), weasyprint_private_names), path
