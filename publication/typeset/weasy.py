"""Every use of WeasyPrint's private API, in one place, checked before it is relied on.

WeasyPrint's public API is its root package (`weasyprint.HTML`, `CSS`, `Document`,
`Page`, `URLFetcher`, ...). The project needs more than that, and this module is the only
one in `publication/` that reaches for it (tests/test_weasy.py scans the package):

- the layout boxes, to find text that overflows (`publication.typeset.fit`) and what each
  structure element came from (`publication.tagging`): their classes
  (`weasyprint.formatting_structure.boxes`), each page's root box (`Page._page_box`) and
  the box behind an absolutely positioned placeholder (`AbsolutePlaceholder._box`);
- the structure tree builder `weasyprint.pdf.tags._build_box_tree`, which
  `observe_structure` wraps while a PDF is written: the only place where a structure
  element (a pydyf object whose number is its PDF object number) meets the layout box it
  came from, and where each marked-content ID (MCID) meets the text box drawn with it;
- classes WeasyPrint documents but defines in sub-modules (`FontConfiguration`,
  `CounterStyle`, `URLFetcherResponse`, `FatalURLFetchingError`) and its sRGB profile;
- its line breaker `weasyprint.text.line_break.split_first_line`, which
  `remembered_lines` wraps while a document is laid out, so that a line WeasyPrint breaks
  again (a flex layout lays out its items several times) is broken once
  (docs/upstream/0011-remembered-lines.patch);
- its SVG path drawer `weasyprint.svg.path.path`, which `remembered_paths` wraps while a
  document is written, so that a path drawn in every document (a campaign's QR code) is
  parsed once a process (docs/upstream/0012-remembered-paths.patch);
- the cffi interface its font subsetter allocates with (`weasyprint.pdf.fonts.ffi`), which
  `open_arrays` stands in for while a document is written, so that cffi parses an array
  type once, not once for each length (docs/upstream/0013-open-arrays.patch).

Instead of trusting a version string, `check_features()` checks each of these by what it
is (a function's parameters, a generator that recurses through its module global, an
attribute a class stores, the classes and methods read), once per process, and raises
`WeasyPrintUnsupported` naming what changed. Behaviour a signature cannot show (the MCIDs,
the object numbers, what the tag fixes make of them) is proven by the tagging self-test,
`publication.tagging.selftest`, which runs a canned document through this adapter and the
tag fixes the first time a process tags a PDF (it lives a layer up, beside the fixes it
checks: typeset may not import tagging).
"""

from __future__ import annotations

import copy
import functools
import importlib
import inspect
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

import weasyprint

from publication.errors import PublicationError


class WeasyPrintUnsupported(PublicationError):
    """The installed WeasyPrint lacks what this adapter relies on."""


def unsupported(what: str) -> WeasyPrintUnsupported:
    """The error for a WeasyPrint that fails a feature check or the self-test."""
    return WeasyPrintUnsupported(
        f"WeasyPrint {weasyprint.__version__} is not supported: {what}; install the version "
        "in requirements.lock (make setup)")


try:
    import pydyf
    from weasyprint.css.counters import CounterStyle
    from weasyprint.formatting_structure import boxes as _boxes
    from weasyprint.layout import inline as _inline
    from weasyprint.layout import preferred as _preferred
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import fonts as _pdf_fonts
    from weasyprint.pdf import tags as _pdf_tags
    from weasyprint.svg import TAGS as _SVG_TAGS
    from weasyprint.text import line_break as _line_break
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse
    # The module, not the function weasyprint.svg imports under the same name.
    _svg_path = importlib.import_module("weasyprint.svg.path")
except ImportError as exc:  # a module moved: nothing below could work
    raise unsupported(f"its module {exc.name} is missing") from None

__all__ = [
    "Box", "CounterStyle", "FatalURLFetchingError", "FontConfiguration", "StructureObserver",
    "URLFetcherResponse", "WeasyPrintUnsupported", "check_features", "children", "discard_fonts",
    "is_block_container", "is_line", "is_margin", "is_page", "is_replaced", "is_text",
    "PathMemo", "layout_problems", "line_memo_problem", "observe_structure", "open_arrays",
    "open_arrays_problem", "page_box", "page_boxes", "path_memo_problem", "remembered_lines",
    "remembered_paths", "srgb_profile", "text", "unsupported", "unwrap",
]

# The structure builder's parameters, passed positionally by WeasyPrint 70.
BUILDER_PARAMETERS = ("box", "parent", "pdf", "page_number", "nums", "annotations", "tags")
# The line breaker's parameters (weasyprint.text.line_break.split_first_line).
LINE_BREAKER_PARAMETERS = ("text", "style", "context", "max_width", "justification_spacing",
                           "is_line_start", "minimum")
# Every name the SVG path drawer (weasyprint.svg.path.path) of WeasyPrint 70.0 uses: with
# these, what it reads is the path's d, the size of units and percentages, and what it
# does is draw on svg.stream (move_to, line_to, curve_to, close) and note node.vertices.
PATH_DRAWER_NAMES = frozenset((
    "Matrix", "PATH_LETTERS", "_rotate", "abs", "append", "appendleft", "atan2", "bool",
    "close", "cos", "curve_to", "deque", "finditer", "float", "get", "int", "isclose",
    "line_to", "max", "move_to", "normalize", "pi", "point", "popleft", "radians", "replace",
    "sin", "split", "stream", "strip", "tan", "transform_point", "vertices"))
PATH_STREAM_CALLS = ("move_to", "line_to", "curve_to", "close")
# Paths a process remembers (`remembered_paths`): a campaign's QR codes and marks.
PATH_MEMO_SIZE = 64
# Box classes the adapter's predicates test against.
BOX_CLASSES = ("Box", "PageBox", "MarginBox", "TextBox", "LineBox", "ParentBox",
               "BlockContainerBox", "TableCellBox", "ReplacedBox")
# Geometry methods callers use (publication.typeset.fit).
BOX_METHODS = ("descendants", "content_box_x", "content_box_y", "padding_box_x",
               "padding_box_y", "padding_width", "padding_height", "margin_height")


class Box(Protocol):
    """What the project reads of a WeasyPrint layout box. The methods are checked by
    `check_features`; the attributes, set during layout, by the self-test."""

    element: Any              # the HTML element (an ElementTree element), None if anonymous
    element_tag: str | None   # e.g. "p", "th", "p::before"
    style: Any                # computed values: style["lang"], ["direction"], ["width"] ...
    position_x: float
    position_y: float
    width: float
    height: float

    def descendants(self) -> Iterator[Box]: ...
    def content_box_x(self) -> float: ...
    def content_box_y(self) -> float: ...
    def padding_box_x(self) -> float: ...
    def padding_box_y(self) -> float: ...
    def padding_width(self) -> float: ...
    def padding_height(self) -> float: ...
    def margin_height(self) -> float: ...


@functools.cache
def check_features() -> None:
    """Raise WeasyPrintUnsupported unless the installed WeasyPrint has everything this
    module uses, in the shape it uses it. Cached: the checks run once per process."""
    problem = _feature_problem()
    if problem is not None:
        raise unsupported(problem)


def _feature_problem() -> str | None:
    """What the installed WeasyPrint lacks, or None."""
    missing = [name for name in BOX_CLASSES if not isinstance(getattr(_boxes, name, None), type)]
    if missing:
        return f"its layout box classes changed (no {', '.join(missing)})"
    methods = [name for name in BOX_METHODS if not callable(getattr(_boxes.Box, name, None))]
    if methods:
        return f"its layout boxes changed (no method {', '.join(methods)})"
    builder = getattr(_pdf_tags, "_build_box_tree", None)
    add_tags = getattr(_pdf_tags, "add_tags", None)
    if not inspect.isgeneratorfunction(builder) or not callable(add_tags):
        return "its tag builder changed (weasyprint.pdf.tags has no generator _build_box_tree)"
    parameters = tuple(inspect.signature(builder).parameters.values())
    names = tuple(p.name for p in parameters)
    if names != BUILDER_PARAMETERS or any(
            p.kind is not p.POSITIONAL_OR_KEYWORD or p.default is not p.empty
            for p in parameters):
        return (f"its tag builder changed (_build_box_tree takes ({', '.join(names)}), not "
                f"({', '.join(BUILDER_PARAMETERS)}))")
    # The wrapper sees every element only if the builder is looked up in the module's
    # globals, by add_tags and by its own recursion, at every call.
    for name, caller in (("_build_box_tree", builder), ("add_tags", add_tags)):
        code = getattr(caller, "__code__", None)
        if code is None or "_build_box_tree" not in code.co_names:
            return (f"its tag builder changed ({name} no longer calls _build_box_tree "
                    "through the module global)")
    if not _placeholder_keeps_box():
        return "its absolute placeholders changed (AbsolutePlaceholder._box)"
    if "_page_box" not in weasyprint.Page.__init__.__code__.co_names:
        return "its pages changed (Page no longer keeps its box in _page_box)"
    if not _pydyf_numbers_objects():
        return "pydyf changed (PDF.add_object no longer gives objects their number)"
    return None


def _placeholder_keeps_box() -> bool:
    marker = object()
    try:
        placeholder = AbsolutePlaceholder(marker)
        return bool(object.__getattribute__(placeholder, "_box") is marker)
    except Exception:  # noqa: BLE001 - any failure means the class changed
        return False


def _pydyf_numbers_objects() -> bool:
    try:
        pdf = pydyf.PDF()
        obj = pydyf.Dictionary()
        pdf.add_object(obj)
        return bool(obj.number == len(pdf.objects) - 1)
    except Exception:  # noqa: BLE001 - any failure means the library changed
        return False


# Layout boxes ---------------------------------------------------------------------------

def page_box(page: weasyprint.Page) -> Box:
    """The root box (a PageBox) of a laid-out page."""
    check_features()
    box: Box = page._page_box
    return box


def page_boxes(document: weasyprint.Document) -> list[Box]:
    """The root box of each page of a laid-out document, in page order."""
    return [page_box(page) for page in document.pages]


def layout_problems(document: weasyprint.Document) -> list[str]:
    """What the boxes of a laid-out document lack of the `Box` attributes (and text boxes
    of their text): empty when callers can read it. For the self-test."""
    problems: set[str] = set()
    for root in page_boxes(document):
        for box in (root, *root.descendants()):
            box = unwrap(box)
            for name in Box.__annotations__:
                if not hasattr(box, name):
                    problems.add(f"{type(box).__name__} has no {name}")
            if is_text(box) and not isinstance(getattr(box, "text", None), str):
                problems.add("a text box has no text")
            style: Any = getattr(box, "style", None)
            for key in ("lang", "direction", "width", "height"):
                try:
                    style[key]  # noqa: B018 - only whether it can be read
                except (KeyError, TypeError):
                    problems.add(f"{type(box).__name__}'s style has no {key}")
    return sorted(problems)


def unwrap(box: Any) -> Box:
    """The box itself when `box` is the placeholder left for an absolutely positioned box."""
    if isinstance(box, AbsolutePlaceholder):
        real: Box = object.__getattribute__(box, "_box")
        return real
    found: Box = box
    return found


def children(box: Any) -> Sequence[Box]:
    """The box's children; none for boxes that have no children (text, replaced)."""
    found: Sequence[Box] = getattr(box, "children", ())
    return found


def text(box: Any) -> str:
    """The text of a text box, in logical order."""
    found: str = box.text
    return found


def is_page(box: object) -> bool:
    return isinstance(box, _boxes.PageBox)


def is_margin(box: object) -> bool:
    """A page-margin box (@top-center ...): running heads, page numbers."""
    return isinstance(box, _boxes.MarginBox)


def is_text(box: object) -> bool:
    return isinstance(box, _boxes.TextBox)


def is_line(box: object) -> bool:
    return isinstance(box, _boxes.LineBox)


def is_replaced(box: object) -> bool:
    """An image or inline SVG."""
    return isinstance(box, _boxes.ReplacedBox)


def is_block_container(box: object) -> bool:
    """A box whose lines must fit its width: a block container or a table cell."""
    return isinstance(box, (_boxes.BlockContainerBox, _boxes.TableCellBox))


# The structure tree ---------------------------------------------------------------------

class StructureObserver(Protocol):
    """What `observe_structure` tells while WeasyPrint builds a PDF's structure tree."""

    def page_started(self, page: int, root: Box, marked: list[tuple[Box, int]]) -> None:
        """Page `page` (0-based) is next, from its root box; `marked` is every box drawn as
        marked content on it (text and replaced boxes) with its MCID, in MCID order, before
        WeasyPrint takes them up."""

    def enter(self, box: Box) -> Any:
        """WeasyPrint starts on `box` (placeholders unwrapped); the value returned is passed
        back with every element of this box and to `leave`."""

    def element(self, number: int, box: Box, frame: Any) -> None:
        """The builder working on `box` yields the structure element with PDF object
        `number`: the box's own element, or one of its descendants' passed up."""

    def leave(self, frame: Any) -> None:
        """WeasyPrint is done with the box `frame` came from."""


@contextmanager
def observe_structure(observer: StructureObserver) -> Iterator[None]:
    """Tell `observer` what WeasyPrint does while the block writes a tagged PDF. Nothing
    WeasyPrint writes changes: the builder is wrapped, and put back afterwards."""
    check_features()
    original = _pdf_tags._build_box_tree
    _pdf_tags._build_box_tree = _observing(original, observer)
    try:
        yield
    finally:
        _pdf_tags._build_box_tree = original


def _observing(original: Callable[..., Iterator[Any]],
               observer: StructureObserver) -> Callable[..., Iterator[Any]]:
    pages: set[int] = set()

    def builder(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any,
                annotations: Any, tags: Any) -> Iterator[Any]:
        real = unwrap(box)
        if page_number not in pages:  # the first call of a page is for its page box
            pages.add(page_number)
            observer.page_started(page_number, real,
                                  [(marked, int(info["mcid"])) for marked, info in tags.items()])
        frame = observer.enter(real)
        try:
            for element in original(box, parent, pdf, page_number, nums, annotations, tags):
                observer.element(int(element.number), real, frame)
                yield element
        finally:
            observer.leave(frame)

    return builder


# Line breaking --------------------------------------------------------------------------

@contextmanager
def remembered_lines() -> Iterator[None]:
    """While the block lays out one document, break each line WeasyPrint asks for once.

    WeasyPrint's layout asks its line breaker (`split_first_line`: Pango shapes the text
    and finds where its first line ends) for the same line again and again: a flex
    container lays each of its items out several times, to measure it and to place it.
    In the 48 documents of a build, 6,640 of its 22,749 calls were distinct (measured
    2026-12-04). The answer depends only on the call's arguments: the text, the computed
    style (the same object for the same element), the width, the justification spacing
    and the two flags; the layout context's part (hyphenation dictionaries) is a cache of
    its own. So the block remembers each answer, for its one document, and gives a copy of
    the text layout it returned (WeasyPrint stores it on the text box, and drawing may
    shorten its text for an ellipsis) so that no two boxes share one.

    The same PDFs, byte for byte (tests/test_weasy.py lays documents out both ways); about
    a fifth less layout time (a full one-job build's 6.25 s to 5.08 s, 2026-12-04). Like
    `observe_structure`, it swaps module globals: one document at a time in a process,
    as every caller here lays out (a build's workers are processes, the preview lays out
    in one thread). When the installed WeasyPrint's line breaker is not the one
    this was measured on (`line_memo_problem`), the block leaves it alone: only speed is
    lost."""
    if line_memo_problem() is not None:
        yield
        return
    original = _line_break.split_first_line
    remembering = _remembering(original)
    _inline.split_first_line = _preferred.split_first_line = remembering
    try:
        yield
    finally:
        _inline.split_first_line = _preferred.split_first_line = original


def _remembering(original: Callable[..., tuple[Any, ...]]) -> Callable[..., tuple[Any, ...]]:
    # key -> (the style, kept alive so that its id is not reused; the answer, a pristine
    # copy of its text layout first)
    answers: dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]] = {}

    def split_first_line(text: str, style: Any, context: Any, max_width: float | None,
                         justification_spacing: float, is_line_start: bool = True,
                         minimum: bool = False) -> tuple[Any, ...]:
        key = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
        known = answers.get(key)
        if known is not None and known[0] is style:
            layout, *rest = known[1]
            return (copy.copy(layout), *rest)
        answer = original(text, style, context, max_width, justification_spacing,
                          is_line_start, minimum)
        layout, *rest = answer
        answers[key] = (style, (copy.copy(layout), *rest))
        return answer

    return split_first_line


@functools.cache
def line_memo_problem() -> str | None:
    """Why `remembered_lines` cannot remember this WeasyPrint's lines, or None: the
    line breaker must have the parameters it was measured with, be the one both layout
    modules call through their module global, and return a text layout it has let go of
    its Pango objects (`Layout.deactivate`), whose copy shares nothing that changes."""
    breaker = getattr(_line_break, "split_first_line", None)
    if not callable(breaker):
        return "weasyprint.text.line_break has no split_first_line"
    names = tuple(inspect.signature(breaker).parameters)
    if names != LINE_BREAKER_PARAMETERS:
        return f"split_first_line takes ({', '.join(names)})"
    for module in (_inline, _preferred):
        if getattr(module, "split_first_line", None) is not breaker:
            return f"{module.__name__} does not call split_first_line through its global"
    metrics = getattr(_line_break, "first_line_metrics", None)
    layout = getattr(_line_break, "Layout", None)
    code = getattr(metrics, "__code__", None)
    if code is None or "deactivate" not in code.co_names or \
            not callable(getattr(layout, "deactivate", None)) or \
            not callable(getattr(layout, "reactivate", None)):
        return "its text layouts are no longer let go of after a line is broken"
    return None


# SVG paths ------------------------------------------------------------------------------

# (d, font size, the SVG's inner width and height) -> what drawing the path did: the
# stream calls in order, the vertices it noted.
PathMemo = dict[tuple[str, float, float, float], tuple[tuple[tuple[str, tuple[Any, ...]], ...],
                                                        tuple[Any, ...]]]


@contextmanager
def remembered_paths(memo: PathMemo) -> Iterator[None]:
    """While the block writes a document, draw each SVG path the way `memo` remembers it.

    WeasyPrint draws an SVG `<path>` by parsing its `d` anew each time, one command at a
    time; a campaign's QR code, the same in all its documents, is a path of some 600
    rectangles. Drawing the paths of a build's 48 documents (162, of 3 kinds) took
    0.35 s (measured 2026-12-04). What drawing does depends only on the `d`, the font size and the
    SVG's inner size (for units and percentages): it calls the SVG stream's `move_to`,
    `line_to`, `curve_to` and `close`, and notes the path's vertices for markers. So the
    first drawing of a path is noted in `memo` (the caller keeps it for its process, at
    most PATH_MEMO_SIZE paths) and the next ones make the same calls on their own
    stream: the same PDF, byte for byte (tests/test_weasy.py). A path that is not drawn
    to its end (WeasyPrint stops at a malformed `d`) is drawn as far as it goes, and not
    remembered. Like `remembered_lines`, it swaps what a module holds: one document at a
    time in a process.

    When the installed WeasyPrint's path drawer is not the one this was measured on
    (`path_memo_problem`), the block leaves it alone: only speed is lost."""
    if path_memo_problem() is not None:
        yield
        return
    original = _SVG_TAGS["path"]

    def path(svg: Any, node: Any, font_size: float) -> None:
        key = (node.get("d", ""), font_size, svg.inner_width, svg.inner_height)
        known = memo.get(key)
        if known is None:
            calls: list[tuple[str, tuple[Any, ...]]] = []
            before = len(node.vertices)
            try:
                original(_Noting(svg, calls), node, font_size)
            finally:
                _replay(svg.stream, calls)
            if len(memo) < PATH_MEMO_SIZE:
                memo[key] = (tuple(calls), tuple(list(node.vertices)[before:]))
            return
        drawn, vertices = known
        _replay(svg.stream, drawn)
        node.vertices.extend(vertices)

    _SVG_TAGS["path"] = path
    try:
        yield
    finally:
        _SVG_TAGS["path"] = original


class _Noting:
    """The SVG being drawn, as the path drawer sees it: everything its own but the
    stream, whose calls are noted."""

    def __init__(self, svg: Any, calls: list[tuple[str, tuple[Any, ...]]]) -> None:
        self._svg = svg
        self.stream = _NotedStream(calls)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._svg, name)


class _NotedStream:
    def __init__(self, calls: list[tuple[str, tuple[Any, ...]]]) -> None:
        self._calls = calls

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name not in PATH_STREAM_CALLS:
            raise AttributeError(name)

        def note(*args: Any) -> None:
            self._calls.append((name, args))

        return note


def _replay(stream: Any, calls: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
    for name, args in calls:
        getattr(stream, name)(*args)


@functools.cache
def path_memo_problem() -> str | None:
    """Why `remembered_paths` cannot remember this WeasyPrint's paths, or None: the SVG
    drawer must draw a `<path>` with weasyprint.svg.path.path, looked up in its TAGS at
    every node, and that function must use the names it was measured with."""
    drawer = getattr(_svg_path, "path", None)
    if not callable(drawer) or _SVG_TAGS.get("path") is not drawer:
        return "weasyprint.svg does not draw paths with weasyprint.svg.path.path"
    names = frozenset(getattr(getattr(drawer, "__code__", None), "co_names", ()))
    if names != PATH_DRAWER_NAMES:
        return "weasyprint.svg.path.path changed (it uses other names)"
    parameters = tuple(inspect.signature(drawer).parameters)
    if parameters != ("svg", "node", "font_size"):
        return f"weasyprint.svg.path.path takes ({', '.join(parameters)})"
    return None


@contextmanager
def open_arrays() -> Iterator[None]:
    """While the block writes a document, let WeasyPrint's font subsetter ask cffi for
    arrays of open length.

    The subsetter allocates its glyph lists as `ffi.new(f"hb_codepoint_t[{n}]", values)`,
    n the number of values: a new C type for every length, which cffi parses (pycparser)
    when it first sees it. For a build's 48 documents that was a sixth of writing them
    (1.59 s, 1.31 s with this; 2026-12-04). `ffi.new("hb_codepoint_t[]", values)` makes
    the same array from one parsed type, so the module is given an interface that asks
    for that when the length is the values' own, and passes all else to cffi: the same
    PDF, byte for byte (tests/test_weasy.py). It swaps what a module holds.

    When the subsetter's module does not hold a cffi interface (`open_arrays_problem`),
    the block leaves it alone: only speed is lost."""
    if open_arrays_problem() is not None:
        yield
        return
    original = _pdf_fonts.ffi
    _pdf_fonts.ffi = _OpenArrays(original)
    try:
        yield
    finally:
        _pdf_fonts.ffi = original


class _OpenArrays:
    """cffi's interface, its `new("T[n]", values)` with n == len(values) `new("T[]", ...)`."""

    def __init__(self, ffi: Any) -> None:
        self._ffi = ffi

    def new(self, cdecl: Any, init: Any = None) -> Any:
        if isinstance(cdecl, str) and cdecl.endswith("]") and hasattr(init, "__len__"):
            base, _, length = cdecl[:-1].rpartition("[")
            if base and length.strip().isdigit() and int(length) == len(init):
                cdecl = f"{base}[]"
        return self._ffi.new(cdecl, init)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ffi, name)


@functools.cache
def open_arrays_problem() -> str | None:
    """Why `open_arrays` cannot stand in for this WeasyPrint's font subsetter's cffi
    interface, or None."""
    import cffi

    if not isinstance(getattr(_pdf_fonts, "ffi", None), cffi.FFI):
        return "weasyprint.pdf.fonts allocates without a cffi interface (ffi)"
    return None


# Resources ------------------------------------------------------------------------------

def discard_fonts(config: FontConfiguration) -> None:
    """Delete the temporary folder `config` copied the stylesheets' @font-face fonts into
    (`FontConfiguration._folder`). WeasyPrint deletes it when the configuration is
    collected, which never happens in a process that ends with `os._exit`, as a build's
    worker processes do: each left a copy of the fonts in the temporary folder."""
    folder = getattr(config, "_folder", None)
    if isinstance(folder, Path):
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None


@functools.cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships (and embeds in its output intents)."""
    try:
        return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    except OSError:
        raise unsupported("its sRGB profile weasyprint/pdf/sRGB2014.icc is missing") from None
