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
- what `publication.typeset.weasy.memos` swaps to make WeasyPrint do less work for the
  same PDFs: its line breaker, its SVG path drawer, the cffi interface of its font
  subsetter and its resolver of used lengths (docs/upstream/0011 to 0014); this module
  re-exports them.

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

import functools
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
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags as _pdf_tags
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse
except ImportError as exc:  # a module moved: nothing below could work
    raise unsupported(f"its module {exc.name} is missing") from None

from publication.typeset.weasy.memos import (  # noqa: E402 - it needs `unsupported`
    PathMemo,
    line_memo_problem,
    open_arrays,
    open_arrays_problem,
    path_memo_problem,
    percentage_memo_problem,
    remembered_lines,
    remembered_paths,
    remembered_percentages,
    swapped,
)

__all__ = [
    "Box", "CounterStyle", "FatalURLFetchingError", "FontConfiguration", "StructureObserver",
    "URLFetcherResponse", "WeasyPrintUnsupported", "check_features", "children", "discard_fonts",
    "is_block_container", "is_line", "is_margin", "is_page", "is_replaced", "is_text",
    "PathMemo", "layout_problems", "line_memo_problem", "observe_structure", "open_arrays",
    "open_arrays_problem", "page_box", "page_boxes", "path_memo_problem",
    "percentage_memo_problem", "remembered_lines", "remembered_paths", "remembered_percentages",
    "srgb_profile", "swapped", "text", "unsupported", "unwrap",
]

# The structure builder's parameters, passed positionally by WeasyPrint 70.
BUILDER_PARAMETERS = ("box", "parent", "pdf", "page_number", "nums", "annotations", "tags")
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
    with swapped(_observing(_pdf_tags._build_box_tree, observer),
                 (_pdf_tags, "_build_box_tree")):
        yield


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
