"""What a page's content stream draws: text runs and painted areas, with their tags.

A small interpreter of PDF content streams (graphics state, text state, marked
content, form XObjects) that returns, in painting order, every text-showing
operation as a `TextRun` (its Unicode text, font, size in points, fill colour and
bounding box) and every painting of a path, image or shading as a `Paint`, each
with the marked-content sequences it sits in. The checks read pages through it:
contrast and font size, untagged content, fonts, and the text of each MCID.

It reads any PDF, not only the ones this project writes; what it does not model
(patterns, soft masks, clipping) is reported as "unknown" rather than guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import pikepdf
from fontTools import agl

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in default user space (points)
Colour = tuple[float, float, float]     # sRGB components in 0..1

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 12


def multiply(m1: Matrix, m2: Matrix) -> Matrix:
    """m1 x m2 in PDF's row-vector convention (apply m1 first)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def bbox_of(points: list[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


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


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: Colour | None = (0.0, 0.0, 0.0)
    fill_space: str = "/DeviceGray"
    fill_alpha: float = 1.0
    font: pikepdf.Object | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    render_mode: int = 0

    def copy(self) -> _State:
        return replace(self)


class FontInfo:
    """Codes, Unicode values, widths and facts of one font dictionary."""

    def __init__(self, font: pikepdf.Object) -> None:
        self.font = font
        self.subtype = str(font.get("/Subtype", ""))
        self.name = str(font.get("/BaseFont", "")).lstrip("/") or "(unnamed)"
        self.composite = self.subtype == "/Type0"
        descendant = font.DescendantFonts[0] if self.composite and "/DescendantFonts" in font \
            else None
        self.descendant = descendant
        descriptor = (descendant if descendant is not None else font).get("/FontDescriptor")
        self.descriptor = descriptor
        self.to_unicode = parse_cmap(font.ToUnicode.read_bytes()) if isinstance(
            font.get("/ToUnicode"), pikepdf.Stream) else {}
        self.two_byte = self.composite  # Identity-H/V and the CMaps we meet use 2-byte codes
        self.widths: dict[int, float] = {}
        self.default_width = 1000.0 if self.composite else 0.0
        if descendant is not None:
            self.default_width = float(descendant.get("/DW", 1000))
            widths = descendant.get("/W")
            if isinstance(widths, pikepdf.Array):
                self._cid_widths(widths)
        elif "/Widths" in font:
            first = int(font.get("/FirstChar", 0))
            for i, w in enumerate(font.Widths):
                self.widths[first + i] = float(w)
            if descriptor is not None:
                self.default_width = float(descriptor.get("/MissingWidth", 0))
        if not self.widths and not self.composite:
            self.default_width = 500.0  # standard 14 fonts carry no widths: a fair average
        self.encoding = self._simple_encoding()
        ascent = float(descriptor.get("/Ascent", 800)) if descriptor is not None else 800.0
        descent = float(descriptor.get("/Descent", -200)) if descriptor is not None else -200.0
        self.ascent = ascent / 1000 if ascent else 0.8
        self.descent = descent / 1000 if descent else -0.2
        weight = float(descriptor.get("/FontWeight", 0)) if descriptor is not None else 0.0
        flags = int(descriptor.get("/Flags", 0)) if descriptor is not None else 0
        self.bold = (weight >= 600 or bool(flags & (1 << 18))
                     or re.search(r"bold|black|heavy|semibold", self.name, re.I) is not None)

    @property
    def embedded(self) -> bool:
        if self.subtype == "/Type3":
            return True
        d = self.descriptor
        return d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def _cid_widths(self, array: pikepdf.Array) -> None:
        items = list(array)
        i = 0
        while i < len(items):
            first = int(items[i])
            if isinstance(items[i + 1], pikepdf.Array):
                for j, w in enumerate(items[i + 1]):
                    self.widths[first + j] = float(w)
                i += 2
            else:
                last, width = int(items[i + 1]), float(items[i + 2])
                for cid in range(first, last + 1):
                    self.widths[cid] = width
                i += 3

    def _simple_encoding(self) -> dict[int, str]:
        if self.composite:
            return {}
        encoding = self.font.get("/Encoding")
        base = "/StandardEncoding"
        differences: list[object] = []
        if isinstance(encoding, pikepdf.Name):
            base = str(encoding)
        elif isinstance(encoding, pikepdf.Dictionary):
            base = str(encoding.get("/BaseEncoding", "/StandardEncoding"))
            differences = list(encoding.get("/Differences", ()))
        table = dict(_BASE_ENCODINGS.get(base, _BASE_ENCODINGS["/StandardEncoding"]))
        code = 0
        for item in differences:
            if isinstance(item, pikepdf.Name):
                table[code] = agl.toUnicode(str(item)[1:])
                code += 1
            else:
                code = int(item)  # type: ignore[call-overload]
        return table

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def unicode(self, code: int) -> str | None:
        """The Unicode text of a code, or None when the font gives no way to know it."""
        if code in self.to_unicode:
            return self.to_unicode[code]
        if not self.composite and self.subtype != "/Type3":
            text = self.encoding.get(code)
            return text or None
        return None

    def width(self, code: int) -> float:
        return self.widths.get(code, self.default_width) / 1000.0


def _base_encodings() -> dict[str, dict[int, str]]:
    def decode(codec: str) -> dict[int, str]:
        table = {}
        for code in range(32, 256):
            try:
                table[code] = bytes([code]).decode(codec)
            except UnicodeDecodeError:
                continue
        return table

    win = decode("cp1252")
    mac = decode("mac_roman")
    standard = {code: chr(code) for code in range(32, 127)}
    standard.update({0x27: "\u2019", 0x60: "\u2018"})
    return {"/WinAnsiEncoding": win, "/MacRomanEncoding": mac, "/StandardEncoding": standard,
            "/PDFDocEncoding": win}


_BASE_ENCODINGS = _base_encodings()
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def _hex(token: bytes) -> int:
    return int(re.sub(rb"\s", b"", token) or b"0", 16)


def _utf16(token: bytes) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", token).decode("ascii"))
    return raw.decode("utf-16-be", errors="replace")


def parse_cmap(data: bytes) -> dict[int, str]:
    """The code -> Unicode table of a ToUnicode CMap (bfchar and bfrange sections)."""
    table: dict[int, str] = {}
    for section in re.finditer(rb"beginbfchar(.*?)endbfchar", data, re.S):
        tokens = _HEX.findall(section.group(1))
        for src, dst in zip(tokens[0::2], tokens[1::2], strict=False):
            table[_hex(src)] = _utf16(dst)
    for section in re.finditer(rb"beginbfrange(.*?)endbfrange", data, re.S):
        body = section.group(1)
        for match in re.finditer(rb"<([0-9A-Fa-f\s]+)>\s*<([0-9A-Fa-f\s]+)>\s*"
                                 rb"(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", body):
            low, high, dst = _hex(match.group(1)), _hex(match.group(2)), match.group(3)
            if dst.startswith(b"["):
                for i, item in enumerate(_HEX.findall(dst)):
                    table[low + i] = _utf16(item)
            else:
                raw = bytes.fromhex(re.sub(rb"[\s<>]", b"", dst).decode("ascii"))
                for i in range(high - low + 1):
                    value = raw[:-2] + (int.from_bytes(raw[-2:], "big") + i).to_bytes(2, "big") \
                        if len(raw) >= 2 else raw
                    table[low + i] = value.decode("utf-16-be", errors="replace")
    return table


class FontTable:
    """FontInfo per font dictionary of one PDF, built once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, int], FontInfo] = {}

    def get(self, font: pikepdf.Object) -> FontInfo:
        key = font.objgen
        if key == (0, 0):  # a direct object: key it by identity for this page
            key = (-1, id(font))
        if key not in self.cache:
            self.cache[key] = FontInfo(font)
        return self.cache[key]


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


@dataclass
class _Context:
    """What the interpreter carries between operators of one page."""

    page: pikepdf.Page
    fonts: FontTable
    events: list[Event] = field(default_factory=list)
    serial: int = 0


def page_events(page: pikepdf.Page, fonts: FontTable | None = None) -> list[Event]:
    """Everything `page` draws, in painting order (form XObjects followed)."""
    context = _Context(page, fonts or FontTable())
    _run(context, pikepdf.parse_content_stream(page), page.obj.get("/Resources"),
         _State(), (), 0)
    return context.events


def _number(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _run(  # noqa: C901 - one dispatch over the operators, easier to read as one piece
    ctx: _Context, instructions: object, resources: pikepdf.Object | None, state: _State,
    marked: tuple[MarkedContent, ...], depth: int,
) -> None:
    stack: list[_State] = []
    text_matrix = line_matrix = IDENTITY
    path: list[tuple[float, float]] = []
    rects: list[tuple[Box, int]] = []
    other_segments = False
    outer = len(marked)
    replaced = any(m.actual_text is not None for m in marked)

    def paint(kind: str, even_odd: bool = False) -> None:
        nonlocal path, rects, other_segments
        if path:
            exact = tuple(rects) if kind == "fill" and not other_segments else ()
            ctx.events.append(Paint(kind, bbox_of(path), state.fill if kind == "fill" else None,
                                    state.fill_alpha, marked, exact, even_odd))
        path, rects, other_segments = [], [], False

    for item in instructions:  # type: ignore[attr-defined]
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            ctx.events.append(Paint("image", bbox_of([apply(state.ctm, x, y) for x, y in
                                                      ((0, 0), (1, 0), (0, 1), (1, 1))]),
                                    None, state.fill_alpha, marked))
            continue
        operands, op = item.operands, str(item.operator)
        if op == "q":
            stack.append(state.copy())
        elif op == "Q":
            if stack:
                state = stack.pop()
        elif op == "cm":
            state.ctm = multiply(tuple(map(_number, operands)), state.ctm)  # type: ignore[arg-type]
        elif op == "gs":
            gstate = _resource(resources, "/ExtGState", operands[0])
            if gstate is not None:
                if "/ca" in gstate:
                    state.fill_alpha = float(gstate.ca)
                if "/Font" in gstate:
                    state.font, state.size = gstate.Font[0], float(gstate.Font[1])
        elif op in ("g", "rg", "k"):
            state.fill_space = {"g": "/DeviceGray", "rg": "/DeviceRGB", "k": "/DeviceCMYK"}[op]
            state.fill = _colour(state.fill_space, [_number(v) for v in operands], resources)
        elif op == "cs":
            state.fill_space = str(operands[0])
            state.fill = _colour(state.fill_space, [0.0, 0.0, 0.0, 1.0]
                                 if state.fill_space.endswith("CMYK") else [0.0, 0.0, 0.0],
                                 resources)
        elif op in ("sc", "scn"):
            if operands and isinstance(operands[-1], pikepdf.Name):
                state.fill = None  # a pattern
            else:
                state.fill = _colour(state.fill_space, [_number(v) for v in operands], resources)
        elif op in ("m", "l"):
            path.append(apply(state.ctm, _number(operands[0]), _number(operands[1])))
            if op == "l":
                other_segments = True
        elif op in ("c", "v", "y"):
            values = list(map(_number, operands))
            for i in range(0, len(values), 2):
                path.append(apply(state.ctm, values[i], values[i + 1]))
            other_segments = True
        elif op == "re":
            x, y, w, h = map(_number, operands)
            corners = [apply(state.ctm, px, py) for px, py in
                       ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
            path.extend(corners)
            a, _, _, d, _, _ = state.ctm
            if abs(state.ctm[1]) < 1e-9 and abs(state.ctm[2]) < 1e-9:
                sign = 1 if w * h * a * d >= 0 else -1
                rects.append((bbox_of(corners), sign))
            else:
                other_segments = True
        elif op in ("f", "F", "f*", "B", "B*", "b", "b*"):
            paint("fill", even_odd=op.endswith("*"))
        elif op in ("S", "s"):
            paint("stroke")
        elif op == "n":
            path, rects, other_segments = [], [], False
        elif op == "sh":
            ctx.events.append(Paint("shading", _page_box(ctx.page), None, state.fill_alpha,
                                    marked))
        elif op in ("BMC", "BDC"):
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            if isinstance(props, pikepdf.Name):
                props = _resource(resources, "/Properties", props)
            mcid = actual = lang = None
            if isinstance(props, pikepdf.Dictionary):
                if "/MCID" in props:
                    mcid = int(props.MCID)
                if "/ActualText" in props:
                    actual = str(props.ActualText)
                if "/Lang" in props:
                    lang = str(props.Lang)
            ctx.serial += 1
            marked = (*marked, MarkedContent(ctx.serial, str(operands[0]), mcid, actual, lang))
            if actual is not None and not replaced:
                ctx.events.append(ActualTextStart(marked))
            replaced = any(m.actual_text is not None for m in marked)
        elif op == "EMC":
            if len(marked) > outer:
                marked = marked[:-1]
            replaced = any(m.actual_text is not None for m in marked)
        elif op == "BT":
            text_matrix = line_matrix = IDENTITY
        elif op == "Tf":
            state.font = _resource(resources, "/Font", operands[0])
            state.size = _number(operands[1])
        elif op == "Tc":
            state.char_spacing = _number(operands[0])
        elif op == "Tw":
            state.word_spacing = _number(operands[0])
        elif op == "Tz":
            state.scale = _number(operands[0]) / 100
        elif op == "TL":
            state.leading = _number(operands[0])
        elif op == "Ts":
            state.rise = _number(operands[0])
        elif op == "Tr":
            state.render_mode = int(operands[0])
        elif op in ("Td", "TD"):
            tx, ty = _number(operands[0]), _number(operands[1])
            if op == "TD":
                state.leading = -ty
            line_matrix = text_matrix = multiply((1, 0, 0, 1, tx, ty), line_matrix)
        elif op == "Tm":
            line_matrix = text_matrix = tuple(map(_number, operands))  # type: ignore[assignment]
        elif op == "T*":
            line_matrix = text_matrix = multiply((1, 0, 0, 1, 0, -state.leading), line_matrix)
        elif op in ("Tj", "TJ", "'", '"'):
            if op in ("'", '"'):
                if op == '"':
                    state.word_spacing, state.char_spacing = map(_number, operands[:2])
                line_matrix = text_matrix = multiply((1, 0, 0, 1, 0, -state.leading), line_matrix)
            shown = operands[-1]
            parts = list(shown) if isinstance(shown, pikepdf.Array) else [shown]
            text_matrix = _show(ctx, state, text_matrix, parts, marked, replaced)
        elif op == "Do":
            xobject = _resource(resources, "/XObject", operands[0])
            if xobject is None:
                continue
            subtype = str(xobject.get("/Subtype", ""))
            if subtype == "/Image":
                ctx.events.append(Paint("image", bbox_of([apply(state.ctm, x, y) for x, y in
                                                          ((0, 0), (1, 0), (0, 1), (1, 1))]),
                                        None, state.fill_alpha, marked))
            elif subtype == "/Form" and depth < MAX_FORM_DEPTH:
                inner = state.copy()
                if "/Matrix" in xobject:
                    inner.ctm = multiply(tuple(map(_number, xobject.Matrix)),  # type: ignore[arg-type]
                                         state.ctm)
                _run(ctx, pikepdf.parse_content_stream(xobject),
                     xobject.get("/Resources", resources), inner, marked, depth + 1)


def _show(
    ctx: _Context, state: _State, text_matrix: Matrix, parts: list[object],
    marked: tuple[MarkedContent, ...], replaced: bool,
) -> Matrix:
    """Record one text-showing operator; return the text matrix after it."""
    if state.font is None:
        return text_matrix
    font = ctx.fonts.get(state.font)
    size, spacing, words, scale = state.size, state.char_spacing, state.word_spacing, state.scale
    advance = 0.0
    text: list[str] = []
    unmapped: list[int] = []
    for part in parts:
        if isinstance(part, pikepdf.String):
            data = bytes(part)
            for code in font.codes(data):
                value = font.unicode(code)
                if value is None or value in ("", "\ufffd", "\x00"):
                    unmapped.append(code)
                else:
                    text.append(value)
                space = words if (not font.two_byte and code == 32) else 0.0
                advance += (font.width(code) * size + spacing + space) * scale
        else:
            advance -= _number(part) / 1000 * size * scale
    matrix = multiply(text_matrix, state.ctm)
    low, high = font.descent * size + state.rise, font.ascent * size + state.rise
    corners = [apply(matrix, x, y) for x, y in ((0, low), (advance, low), (0, high),
                                                 (advance, high))]
    effective = abs(size) * math.hypot(matrix[2], matrix[3])
    ctx.events.append(TextRun(
        "".join(text), tuple(unmapped), font.name, _font_key(state.font), effective, font.bold,
        state.fill, state.fill_alpha, bbox_of(corners), state.render_mode in (3, 7), marked,
        replaced))
    return multiply((1, 0, 0, 1, advance, 0), text_matrix)


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


def _page_box(page: pikepdf.Page) -> Box:
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def page_box(page: pikepdf.Page) -> Box:
    """The page's MediaBox, normalised."""
    return _page_box(page)


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

