"""What a page's content stream draws: text runs and painted areas, with their tags.

A small interpreter of PDF content streams (graphics state, text state, marked
content, form XObjects) that returns, in painting order, every text-showing
operation as a `TextRun` (its Unicode text, font, size in points, fill colour and
bounding box) and every painting of a path, image or shading as a `Paint`, each
with the marked-content sequences it sits in. The checks read pages through it:
contrast and font size, untagged content, fonts, and the text of each MCID; a
`PdfDocument` (structure.py) runs it once per page for all of them.

pikepdf parses the stream (asked only for the operators `HANDLERS` has: the others
change nothing modelled here) and does the matrix arithmetic (`pikepdf.Matrix`);
each operator is one small method of `_Frame`, found in `HANDLERS`. It reads any PDF,
not only the ones this project writes; what it does not model (patterns, soft
masks, clipping) is reported as "unknown" rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pikepdf

from publication.pdf.fonts import FontInfo, FontTable, parse_cmap

if TYPE_CHECKING:  # an instruction's operands, as pikepdf gives them
    from pikepdf._core import _ObjectList as Operands

__all__ = ["ActualTextStart", "Box", "Colour", "Event", "FontInfo", "FontTable", "Instruction",
           "MarkedContent", "Paint", "TextRun", "innermost_mcid", "is_artifact",
           "mcid_texts", "page_box", "page_events", "parse_cmap"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in default user space (points)
# A content stream's parsed instruction, as pikepdf gives it.
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage
Colour = tuple[float, float, float]     # sRGB components in 0..1

IDENTITY = pikepdf.Matrix()
UNIT_SQUARE = pikepdf.Rectangle(0, 0, 1, 1)  # an image, in its own space
MAX_FORM_DEPTH = 12


@dataclass(frozen=True)
class MarkedContent:
    """One marked-content sequence: its tag, MCID (if any) and /ActualText (if any)."""

    serial: int            # unique within the page, to tell two sequences apart
    tag: str               # e.g. "/Span", "/Artifact"
    mcid: int | None
    actual_text: str | None
    lang: str | None


@dataclass(frozen=True)
class TextRun:
    """The glyphs of one text-showing operator."""

    text: str                      # Unicode text of the glyphs ('' for unmapped ones)
    unmapped: tuple[int, ...]      # character codes without a Unicode value
    font: str                      # the font's /BaseFont, subset tag included
    font_key: tuple[int, int]      # objgen of the font dictionary, to group runs by font
    size: float                    # effective size in points (vertical scale included)
    bold: bool
    fill: Colour | None            # None when not a plain device or ICC colour
    alpha: float
    bbox: Box
    invisible: bool                # text render mode 3 or 7: drawn for search only
    marked: tuple[MarkedContent, ...]
    replaced: bool                 # inside a sequence whose /ActualText replaces it


@dataclass(frozen=True)
class Paint:
    """A painted path, image or shading."""

    kind: str                      # "fill", "stroke", "image" or "shading"
    bbox: Box
    fill: Colour | None
    alpha: float
    marked: tuple[MarkedContent, ...]
    # A path made only of axis-aligned rectangles: each with its orientation (+1/-1),
    # so that the filled region is known exactly (a border is two rectangles, even-odd).
    rects: tuple[tuple[Box, int], ...] = ()
    even_odd: bool = False

    def covers(self, x: float, y: float) -> bool:
        """Whether the point is inside the painted region (the bounding box when unknown)."""
        if self.rects:
            inside = [sign for (x0, y0, x1, y1), sign in self.rects
                      if x0 <= x <= x1 and y0 <= y <= y1]
            return len(inside) % 2 == 1 if self.even_odd else sum(inside) != 0
        x0, y0, x1, y1 = self.bbox
        return x0 <= x <= x1 and y0 <= y <= y1


@dataclass(frozen=True)
class ActualTextStart:
    """Where a marked-content sequence with /ActualText begins (its text counts once)."""

    marked: tuple[MarkedContent, ...]


Event = TextRun | Paint | ActualTextStart


class _State:
    """The graphics and text state that q and Q save and restore."""

    __slots__ = ("ctm", "fill", "fill_space", "fill_alpha", "font", "size", "char_spacing",
                 "word_spacing", "scale", "leading", "rise", "render_mode")

    def __init__(self) -> None:
        self.ctm: pikepdf.Matrix = IDENTITY
        self.fill: Colour | None = (0.0, 0.0, 0.0)
        self.fill_space = "/DeviceGray"
        self.fill_alpha = 1.0
        self.font: pikepdf.Object | None = None
        self.size = 0.0
        self.char_spacing = 0.0
        self.word_spacing = 0.0
        self.scale = 1.0
        self.leading = 0.0
        self.rise = 0.0
        self.render_mode = 0

    def copy(self) -> _State:
        other = _State.__new__(_State)
        for name in _State.__slots__:
            setattr(other, name, getattr(self, name))
        return other


@dataclass
class _Page:
    """What every content stream run for one page shares."""

    page: pikepdf.Page
    fonts: FontTable
    events: list[Event] = field(default_factory=list)
    serial: int = 0  # marked-content sequences begun so far

    @property
    def box(self) -> Box:
        return page_box(self.page)


def page_events(page: pikepdf.Page, fonts: FontTable | None = None,
                instructions: Sequence[Instruction] | None = None) -> list[Event]:
    """Everything `page` draws, in painting order (form XObjects followed); `instructions`:
    the page's own, when they have been parsed already (all of them, or those of
    OPERATORS)."""
    context = _Page(page, fonts or FontTable())
    _Frame(context, page.obj.get("/Resources"), _State(), (), 0).run(page, instructions)
    return context.events


class _Frame:
    """One content stream being run, the page's or a form XObject's: its resources, the
    graphics state and its saved copies, the text matrices, the path being built and
    the marked-content sequences open (those of the form's caller first)."""

    def __init__(self, page: _Page, resources: pikepdf.Object | None, state: _State,
                 marked: tuple[MarkedContent, ...], depth: int) -> None:
        self.page = page
        self.resources = resources
        self.state = state
        self.stack: list[_State] = []
        self.text_matrix = self.line_matrix = IDENTITY
        self.path: list[tuple[float, float]] = []
        self.rects: list[tuple[Box, int]] = []  # the path's axis-aligned rectangles, signed
        self.other_segments = False               # the path has more than those rectangles
        self.marked = marked
        self.outer = len(marked)                  # sequences this stream cannot close
        self.replaced = _replaced(marked)
        self.depth = depth

    def run(self, owner: pikepdf.Page | pikepdf.Object,
            instructions: Sequence[Instruction] | None = None) -> None:
        """Interpret the content of a page or form XObject (its `instructions`, when they
        have been parsed already)."""
        handlers = HANDLERS
        for item in (pikepdf.parse_content_stream(owner, OPERATORS) if instructions is None
                     else instructions):
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                self._image()
                continue
            handler = handlers.get(str(item.operator))
            if handler is not None:
                handler(self, item.operands)

    def _resource(self, kind: str, name: object) -> pikepdf.Object | None:
        return _resource(self.resources, kind, name)

    # -- graphics state: q Q cm gs ---------------------------------------------------------

    def save(self, ops: Operands) -> None:
        self.stack.append(self.state.copy())

    def restore(self, ops: Operands) -> None:
        if self.stack:
            self.state = self.stack.pop()

    def concat(self, ops: Operands) -> None:
        self.state.ctm = pikepdf.Matrix(ops) @ self.state.ctm

    def ext_gstate(self, ops: Operands) -> None:
        gstate = self._resource("/ExtGState", ops[0])
        if gstate is not None:
            if "/ca" in gstate:
                self.state.fill_alpha = float(gstate.ca)
            if "/Font" in gstate:
                self.state.font, self.state.size = gstate.Font[0], float(gstate.Font[1])

    # -- fill colour: g rg k cs sc scn -----------------------------------------------------

    def _fill_device(self, space: str, ops: Operands) -> None:
        self.state.fill_space = space
        self.state.fill = _colour(space, [float(v) for v in ops], self.resources)

    def gray(self, ops: Operands) -> None:
        self._fill_device("/DeviceGray", ops)

    def rgb(self, ops: Operands) -> None:
        self._fill_device("/DeviceRGB", ops)

    def cmyk(self, ops: Operands) -> None:
        self._fill_device("/DeviceCMYK", ops)

    def colour_space(self, ops: Operands) -> None:
        space = self.state.fill_space = str(ops[0])
        initial = [0.0, 0.0, 0.0, 1.0] if space.endswith("CMYK") else [0.0, 0.0, 0.0]
        self.state.fill = _colour(space, initial, self.resources)

    def colour(self, ops: Operands) -> None:
        if ops and isinstance(ops[-1], pikepdf.Name):
            self.state.fill = None  # a pattern
        else:
            self.state.fill = _colour(self.state.fill_space, [float(v) for v in ops],
                                      self.resources)

    # -- paths: m l c v y re, then f F f* B B* b b* S s n ---------------------------------

    def move(self, ops: Operands) -> None:
        self.path.append(self.state.ctm.transform((float(ops[0]), float(ops[1]))))

    def line(self, ops: Operands) -> None:
        self.path.append(self.state.ctm.transform((float(ops[0]), float(ops[1]))))
        self.other_segments = True

    def curve(self, ops: Operands) -> None:
        values = [float(v) for v in ops]
        transform = self.state.ctm.transform
        self.path.extend(transform((values[i], values[i + 1])) for i in range(0, len(values), 2))
        self.other_segments = True

    def rectangle(self, ops: Operands) -> None:
        x, y, w, h = (float(v) for v in ops)
        ctm = self.state.ctm
        box = ctm.transform(pikepdf.Rectangle(x, y, x + w, y + h))
        corners = (box.llx, box.lly, box.urx, box.ury)
        self.path += ((corners[0], corners[1]), (corners[2], corners[3]))
        if abs(ctm.b) < 1e-9 and abs(ctm.c) < 1e-9:
            self.rects.append((corners, 1 if w * h * ctm.a * ctm.d >= 0 else -1))
        else:
            self.other_segments = True

    def _paint(self, kind: str, even_odd: bool = False) -> None:
        if self.path:
            fill = kind == "fill"
            exact = tuple(self.rects) if fill and not self.other_segments else ()
            self.page.events.append(Paint(
                kind, _bbox(self.path), self.state.fill if fill else None,
                self.state.fill_alpha, self.marked, exact, even_odd))
        self._clear_path()

    def fill(self, ops: Operands) -> None:
        self._paint("fill")

    def fill_even_odd(self, ops: Operands) -> None:
        self._paint("fill", even_odd=True)

    def stroke(self, ops: Operands) -> None:
        self._paint("stroke")

    def end_path(self, ops: Operands) -> None:
        self._clear_path()

    def _clear_path(self) -> None:
        self.path, self.rects, self.other_segments = [], [], False

    # -- shadings, images and forms: sh Do, inline images ---------------------------------

    def shading(self, ops: Operands) -> None:
        self.page.events.append(Paint("shading", self.page.box, None, self.state.fill_alpha,
                                      self.marked))

    def _image(self) -> None:
        box = self.state.ctm.transform(UNIT_SQUARE)
        self.page.events.append(Paint("image", (box.llx, box.lly, box.urx, box.ury), None,
                                      self.state.fill_alpha, self.marked))

    def xobject(self, ops: Operands) -> None:
        xobject = self._resource("/XObject", ops[0])
        if xobject is None:
            return
        subtype = str(xobject.get("/Subtype", ""))
        if subtype == "/Image":
            self._image()
        elif subtype == "/Form" and self.depth < MAX_FORM_DEPTH:
            inner = self.state.copy()
            if "/Matrix" in xobject:
                inner.ctm = pikepdf.Matrix(xobject.Matrix) @ inner.ctm
            _Frame(self.page, xobject.get("/Resources", self.resources), inner, self.marked,
                   self.depth + 1).run(xobject)

    # -- marked content: BMC BDC EMC -------------------------------------------------------

    def begin_marked(self, ops: Operands) -> None:
        props = ops[1] if len(ops) > 1 else None
        if isinstance(props, pikepdf.Name):
            props = self._resource("/Properties", props)
        mcid = actual = lang = None
        if isinstance(props, pikepdf.Dictionary):
            if "/MCID" in props:
                mcid = int(props.MCID)
            if "/ActualText" in props:
                actual = str(props.ActualText)
            if "/Lang" in props:
                lang = str(props.Lang)
        self.page.serial += 1
        self.marked = (*self.marked, MarkedContent(self.page.serial, str(ops[0]), mcid,
                                                   actual, lang))
        if actual is not None and not self.replaced:
            self.page.events.append(ActualTextStart(self.marked))
        self.replaced = _replaced(self.marked)

    def end_marked(self, ops: Operands) -> None:
        if len(self.marked) > self.outer:
            self.marked = self.marked[:-1]
        self.replaced = _replaced(self.marked)

    # -- text state and position: Tf Tc Tw Tz TL Ts Tr, BT Td TD Tm T* ----------------------

    def font(self, ops: Operands) -> None:
        self.state.font = self._resource("/Font", ops[0])
        self.state.size = float(ops[1])

    def char_spacing(self, ops: Operands) -> None:
        self.state.char_spacing = float(ops[0])

    def word_spacing(self, ops: Operands) -> None:
        self.state.word_spacing = float(ops[0])

    def horizontal_scale(self, ops: Operands) -> None:
        self.state.scale = float(ops[0]) / 100

    def leading(self, ops: Operands) -> None:
        self.state.leading = float(ops[0])

    def rise(self, ops: Operands) -> None:
        self.state.rise = float(ops[0])

    def render_mode(self, ops: Operands) -> None:
        self.state.render_mode = int(ops[0])

    def begin_text(self, ops: Operands) -> None:
        self.text_matrix = self.line_matrix = IDENTITY

    def _next_line(self, tx: float, ty: float) -> None:
        self.line_matrix = self.text_matrix = pikepdf.Matrix(1, 0, 0, 1, tx, ty) @ \
            self.line_matrix

    def move_text(self, ops: Operands) -> None:
        self._next_line(float(ops[0]), float(ops[1]))

    def move_text_leading(self, ops: Operands) -> None:
        self.state.leading = -float(ops[1])
        self.move_text(ops)

    def text_matrix_set(self, ops: Operands) -> None:
        self.line_matrix = self.text_matrix = pikepdf.Matrix(ops)

    def next_line(self, ops: Operands) -> None:
        self._next_line(0, -self.state.leading)

    # -- text showing: Tj TJ ' " ----------------------------------------------------------

    def show(self, ops: Operands) -> None:
        self._show([ops[-1]])

    def show_array(self, ops: Operands) -> None:
        shown = ops[-1]
        self._show(list(shown) if isinstance(shown, pikepdf.Array) else [shown])

    def next_line_show(self, ops: Operands) -> None:
        self.next_line(ops)
        self.show(ops)

    def spaced_next_line_show(self, ops: Operands) -> None:
        self.state.word_spacing, self.state.char_spacing = (float(v) for v in ops[:2])
        self.next_line_show(ops)

    def _show(self, parts: list[object]) -> None:
        """Record one text-showing operator and move the text matrix past it."""
        state = self.state
        if state.font is None:
            return
        font = self.page.fonts.get(state.font)
        size, spacing, words, scale = state.size, state.char_spacing, state.word_spacing, \
            state.scale
        advance = 0.0
        text: list[str] = []
        unmapped: list[int] = []
        glyph = font.glyph
        for part in _joined(parts, font.two_byte):
            if isinstance(part, bytes):
                for code in font.codes(part):
                    value, width, space = glyph(code)
                    if value is None:
                        unmapped.append(code)
                    else:
                        text.append(value)
                    advance += (width * size + spacing + (words if space else 0.0)) * scale
            else:
                advance -= part / 1000 * size * scale
        matrix = self.text_matrix @ state.ctm
        low, high = font.descent * size + state.rise, font.ascent * size + state.rise
        box = matrix.transform(pikepdf.Rectangle(0, low, advance, high))
        self.page.events.append(TextRun(
            "".join(text), tuple(unmapped), font.name, _font_key(state.font),
            abs(size) * math.hypot(matrix.c, matrix.d), font.bold, state.fill,
            state.fill_alpha, (box.llx, box.lly, box.urx, box.ury), state.render_mode in (3, 7),
            self.marked, self.replaced))
        self.text_matrix = pikepdf.Matrix(1, 0, 0, 1, advance, 0) @ self.text_matrix


# Each operator the interpreter models, and its method; pikepdf is asked for these only
# (and for inline images). Clipping (W W*), closing a subpath (h), stroke colours, line
# styles and the other operators change nothing it reports.
HANDLERS: dict[str, Callable[[_Frame, Operands], None]] = {
    "q": _Frame.save, "Q": _Frame.restore, "cm": _Frame.concat, "gs": _Frame.ext_gstate,
    "g": _Frame.gray, "rg": _Frame.rgb, "k": _Frame.cmyk, "cs": _Frame.colour_space,
    "sc": _Frame.colour, "scn": _Frame.colour,
    "m": _Frame.move, "l": _Frame.line, "c": _Frame.curve, "v": _Frame.curve,
    "y": _Frame.curve, "re": _Frame.rectangle,
    "f": _Frame.fill, "F": _Frame.fill, "B": _Frame.fill, "b": _Frame.fill,
    "f*": _Frame.fill_even_odd, "B*": _Frame.fill_even_odd, "b*": _Frame.fill_even_odd,
    "S": _Frame.stroke, "s": _Frame.stroke, "n": _Frame.end_path,
    "sh": _Frame.shading, "Do": _Frame.xobject,
    "BMC": _Frame.begin_marked, "BDC": _Frame.begin_marked, "EMC": _Frame.end_marked,
    "Tf": _Frame.font, "Tc": _Frame.char_spacing, "Tw": _Frame.word_spacing,
    "Tz": _Frame.horizontal_scale, "TL": _Frame.leading, "Ts": _Frame.rise,
    "Tr": _Frame.render_mode,
    "BT": _Frame.begin_text, "Td": _Frame.move_text, "TD": _Frame.move_text_leading,
    "Tm": _Frame.text_matrix_set, "T*": _Frame.next_line,
    "Tj": _Frame.show, "TJ": _Frame.show_array, "'": _Frame.next_line_show,
    '"': _Frame.spaced_next_line_show,
}
OPERATORS = " ".join((*HANDLERS, "BI", "ID", "EI"))


def _joined(parts: list[object], two_byte: bool) -> list[bytes | float]:
    """The strings and position adjustments of a text-showing operator, the strings
    between adjustments of 0 joined: those move nothing, and WeasyPrint writes one after
    every glyph. (A two-byte font's string of odd length loses its last byte first:
    it is no character code.)"""
    joined: list[bytes | float] = []
    strings: list[bytes] = []
    for part in parts:
        if isinstance(part, pikepdf.String):
            data = bytes(part)
            strings.append(data[:-1] if two_byte and len(data) % 2 else data)
            continue
        adjust = float(part)  # type: ignore[arg-type]
        if adjust:
            if strings:
                joined.append(b"".join(strings))
                strings = []
            joined.append(adjust)
    if strings:
        joined.append(b"".join(strings))
    return joined


def _replaced(marked: tuple[MarkedContent, ...]) -> bool:
    """Whether content in these sequences is replaced by an /ActualText of one of them."""
    return any(m.actual_text is not None for m in marked)


def _bbox(points: list[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _colour(space: str, values: list[float], resources: pikepdf.Object | None) -> Colour | None:
    """An sRGB colour from device or ICC-based colour components; None for the others."""
    if space.startswith("/") and space not in ("/DeviceGray", "/DeviceRGB", "/DeviceCMYK",
                                                "/G", "/RGB", "/CMYK"):
        space = _resolve_space(space, resources)
    if space in ("/DeviceGray", "/G", "gray") and len(values) >= 1:
        return values[0], values[0], values[0]
    if space in ("/DeviceRGB", "/RGB", "rgb") and len(values) >= 3:
        return values[0], values[1], values[2]
    if space in ("/DeviceCMYK", "/CMYK", "cmyk") and len(values) >= 4:
        c, m, y, k = values[:4]
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    return None


def _resolve_space(name: str, resources: pikepdf.Object | None) -> str:
    spaces = resources.get("/ColorSpace") if resources is not None else None
    if spaces is None or name not in spaces:
        return name
    space = spaces[name]
    if isinstance(space, pikepdf.Array) and len(space) >= 2 and space[0] == "/ICCBased":
        components = int(space[1].get("/N", 3))
        return {1: "gray", 3: "rgb", 4: "cmyk"}.get(components, name)
    if isinstance(space, pikepdf.Name):
        return str(space)
    return name


def _font_key(font: pikepdf.Object) -> tuple[int, int]:
    key: tuple[int, int] = font.objgen
    return key if key != (0, 0) else (-1, id(font))


def _resource(resources: pikepdf.Object | None, kind: str, name: object) -> pikepdf.Object | None:
    if resources is None:
        return None
    group = resources.get(kind)
    if group is None:
        return None
    return group.get(str(name))


def page_box(page: pikepdf.Page) -> Box:
    """The page's MediaBox, normalised."""
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def mcid_texts(events: list[Event]) -> dict[int, str]:
    """The text of each MCID on a page, /ActualText on marked content honoured."""
    texts: dict[int, list[str]] = {}
    for event in events:
        if isinstance(event, ActualTextStart):
            outer = next(m for m in event.marked if m.actual_text is not None)
            mcid = _innermost_mcid(event.marked)
            if mcid is not None:
                texts.setdefault(mcid, []).append(outer.actual_text or "")
        elif isinstance(event, TextRun) and not event.replaced:
            mcid = _innermost_mcid(event.marked)
            if mcid is not None:
                texts.setdefault(mcid, []).append(event.text)
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


def _innermost_mcid(marked: tuple[MarkedContent, ...]) -> int | None:
    for item in reversed(marked):
        if item.mcid is not None:
            return item.mcid
    return None


def is_artifact(marked: tuple[MarkedContent, ...]) -> bool:
    return any(m.tag == "/Artifact" for m in marked)


def innermost_mcid(marked: tuple[MarkedContent, ...]) -> int | None:
    """The MCID that content inside these sequences belongs to, if any."""
    return _innermost_mcid(marked)

