"""WeasyPrint's speed-ups, from outside: the part of the adapter (publication.typeset.weasy)
that makes WeasyPrint do less work for the same PDF, byte for byte.

Each swaps something a WeasyPrint module holds while a document is laid out or written,
is checked by feature first (`*_problem`, once per process) and, when the check fails,
leaves WeasyPrint alone: only speed is lost. Each is written as the change WeasyPrint
itself would take, in docs/upstream/ (0011 to 0014), and can go once a release has it:

- `remembered_lines`: a line WeasyPrint breaks again is broken once (0011);
- `remembered_paths`: an SVG path drawn before in the process is drawn from the calls its
  first drawing made (0012);
- `open_arrays`: the font subsetter's glyph lists from one open C array type (0013);
- `remembered_percentages`: a box's used lengths, resolved again for the same style and
  containing block, are set from the first resolution (0014).
"""

from __future__ import annotations

import copy
import functools
import importlib
import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from publication.typeset.weasy import unsupported

# The modules that resolve a box's used lengths with weasyprint.layout.percent's
# resolve_percentages through a global of their own (`from .percent import ...`); flex
# calls it as percent.resolve_percentages, through that module's global.
PERCENTAGE_MODULES = ("absolute", "block", "column", "float", "grid", "inline", "page", "table")

try:
    from weasyprint.formatting_structure import boxes as _boxes
    from weasyprint.layout import inline as _inline
    from weasyprint.layout import percent as _percent
    from weasyprint.layout import preferred as _preferred
    from weasyprint.pdf import fonts as _pdf_fonts
    from weasyprint.svg import TAGS as _SVG_TAGS
    from weasyprint.text import line_break as _line_break
    # The module, not the function weasyprint.svg imports under the same name.
    _svg_path = importlib.import_module("weasyprint.svg.path")
    _percent_users = tuple(importlib.import_module(f"weasyprint.layout.{name}")
                           for name in PERCENTAGE_MODULES)
except ImportError as exc:  # a module moved: nothing below could work
    raise unsupported(f"its module {exc.name} is missing") from None

__all__ = [
    "PathMemo", "line_memo_problem", "open_arrays", "open_arrays_problem", "path_memo_problem",
    "percentage_memo_problem", "remembered_lines", "remembered_paths", "remembered_percentages",
    "swapped",
]

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


@contextmanager
def swapped(value: Any, *places: tuple[Any, str]) -> Iterator[None]:
    """While the block runs, `value` in each of `places`: a module's global (the module,
    its name) or a dict's item (the dict, its key); what each held is put back after,
    even when the block fails. How every swap of the adapter (and of
    publication.typeset.hyphenation, for pyphen) is made."""
    held = [(holder, key, holder[key] if isinstance(holder, dict) else getattr(holder, key))
            for holder, key in places]
    for holder, key, _ in held:
        _put(holder, key, value)
    try:
        yield
    finally:
        for holder, key, before in held:
            _put(holder, key, before)


def _put(holder: Any, key: str, value: Any) -> None:
    if isinstance(holder, dict):
        holder[key] = value
    else:
        setattr(holder, key, value)


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

    The same PDFs, byte for byte (tests/test_weasy_memos.py lays documents out both ways); about
    a fifth less layout time (a full one-job build's 6.25 s to 5.08 s, 2026-12-04). Like
    `observe_structure`, it swaps module globals: one document at a time in a process,
    as every caller here lays out (a build's workers are processes, the preview lays out
    in one thread). When the installed WeasyPrint's line breaker is not the one
    this was measured on (`line_memo_problem`), the block leaves it alone: only speed is
    lost."""
    if line_memo_problem() is not None:
        yield
        return
    remembering = _remembering(_line_break.split_first_line)
    with swapped(remembering, (_inline, "split_first_line"), (_preferred, "split_first_line")):
        yield


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
    stream: the same PDF, byte for byte (tests/test_weasy_memos.py). A path that is not drawn
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

    with swapped(path, (_SVG_TAGS, "path")):
        yield


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
    PDF, byte for byte (tests/test_weasy_memos.py). It swaps what a module holds.

    When the subsetter's module does not hold a cffi interface (`open_arrays_problem`),
    the block leaves it alone: only speed is lost."""
    if open_arrays_problem() is not None:
        yield
        return
    with swapped(_OpenArrays(_pdf_fonts.ffi), (_pdf_fonts, "ffi")):
        yield


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


# Used lengths ---------------------------------------------------------------------------

# What resolve_percentages sets on a box: each of these, from its style and the
# containing block's size alone (a collapsed table border excepted).
USED_LENGTHS = (
    "margin_left", "margin_right", "margin_top", "margin_bottom", "padding_left",
    "padding_right", "padding_top", "padding_bottom", "width", "min_width", "max_width",
    "height", "min_height", "max_height", "border_top_width", "border_right_width",
    "border_bottom_width", "border_left_width")
# The names resolve_percentages, resolve_one_percentage and adjust_box_sizing of
# WeasyPrint 70.0 use: with these, they read the box's style and set USED_LENGTHS.
RESOLVER_NAMES = {
    "resolve_percentages": frozenset((
        "Box", "PageBox", "adjust_box_sizing", "boxes", "check_math", "hasattr", "height",
        "inf", "isinstance", "lower", "resolve_one_percentage", "setattr", "style", "unit",
        "value", "width")),
    "resolve_one_percentage": frozenset(("percentage", "setattr", "style")),
    "adjust_box_sizing": frozenset((
        "border_bottom_width", "border_left_width", "border_right_width", "border_top_width",
        "getattr", "max", "padding_bottom", "padding_left", "padding_right", "padding_top",
        "setattr", "style")),
}


@contextmanager
def remembered_percentages() -> Iterator[None]:
    """While the block lays out one document, resolve each box's used lengths once for
    each style and containing block size.

    WeasyPrint sets a box's used margins, paddings, borders, width and height (and their
    minimums and maximums) from its computed style and its containing block's size
    (`resolve_percentages`) each time the box is laid out, and a flex layout lays its
    items out several times: of 37,197 resolutions in a build's 48 documents, 8,408 were
    distinct (measured 2026-12-04). What it sets depends on the style (the same object for
    the same box and its copies; a changed copy is a new object) and the size alone, so
    the block remembers the values set, for its one document, and sets them again on the
    next box asked for with the same style and size. Boxes with collapsed table borders,
    which resolution reads from the box, are resolved as before. The same PDFs, byte for
    byte (tests/test_weasy_memos.py lays documents out both ways). Like `remembered_lines`,
    it swaps module globals: one document at a time in a process.

    When the installed WeasyPrint's resolver is not the one this was measured on
    (`percentage_memo_problem`), the block leaves it alone: only speed is lost."""
    if percentage_memo_problem() is not None:
        yield
        return
    remembering = _remembering_lengths(_percent.resolve_percentages)
    with swapped(remembering,
                 *((m, "resolve_percentages") for m in (*_percent_users, _percent))):
        yield


def _remembering_lengths(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    # key -> (the style, kept alive so that its id is not reused; the values set)
    known: dict[tuple[int, Any, Any, bool], tuple[Any, tuple[Any, ...]]] = {}
    page_box = _boxes.PageBox

    def resolve_percentages(box: Any, containing_block: Any) -> None:
        style = box.style
        if style["border_collapse"] == "collapse":
            original(box, containing_block)
            return
        if isinstance(containing_block, _boxes.Box):
            size = (containing_block.width, containing_block.height)
        else:
            size = tuple(containing_block)
        key = (id(style), *size, isinstance(box, page_box))
        entry = known.get(key)
        if entry is not None and entry[0] is style:
            for name, value in zip(USED_LENGTHS, entry[1], strict=True):
                setattr(box, name, value)
            return
        original(box, containing_block)
        known[key] = (style, tuple(getattr(box, name) for name in USED_LENGTHS))

    return resolve_percentages


@functools.cache
def percentage_memo_problem() -> str | None:
    """Why `remembered_percentages` cannot remember this WeasyPrint's used lengths, or
    None: every module must resolve them with weasyprint.layout.percent's function,
    through its module global, and the resolver must use the names it was measured with."""
    resolver = getattr(_percent, "resolve_percentages", None)
    if not inspect.isfunction(resolver):
        return "weasyprint.layout.percent has no resolve_percentages"
    parameters = tuple(inspect.signature(resolver).parameters)
    if parameters != ("box", "containing_block"):
        return f"weasyprint.layout.percent.resolve_percentages takes ({', '.join(parameters)})"
    for module in _percent_users:
        if getattr(module, "resolve_percentages", None) is not resolver:
            return f"{module.__name__} does not resolve with percent.resolve_percentages"
    for name, names in RESOLVER_NAMES.items():
        code = getattr(getattr(_percent, name, None), "__code__", None)
        if code is None or frozenset(code.co_names) != names:
            return f"weasyprint.layout.percent.{name} changed (it uses other names)"
    return None
