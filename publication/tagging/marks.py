"""Raised and lowered glyphs drawn on the line's baseline, so that readers keep them with
their base.

WeasyPrint (70.x) draws a glyph that the shaper moves up or down (an Arabic haraka,
shadda or tanwin, a Hebrew point: GPOS mark attachment gives it a y offset) as a text
object of its own between `r Ts` and `0 Ts`. Readers take the text rise for a change of
line or of text item: PDFium and poppler put the mark on a line of its own (`فورا ً` for
`فورًا`), pdf.js starts a new item and a space with it.

`baseline_marks` gives each such glyph a copy in the embedded font whose outline is
moved by the rise (rise / font size x unitsPerEm, rounded to a font unit), draws that
copy with no rise, and joins the text objects the rise had split. The page looks the
same (to a font unit); the copy has the original's width (/W) and Unicode value
(/ToUnicode), so every reader gets the mark on its base's line, in the same run.

A mark's copy gets its own character as its Unicode value where WeasyPrint gave it its
first cluster's. WeasyPrint maps a glyph to the text of the cluster it is first drawn
in, and in right-to-left text a mark is drawn before its base: the mark takes the whole
cluster and the base nothing. The fathatan first drawn in `جزيلًا` (lam, fathatan, alef
in one cluster) then reads `لًا` wherever it is drawn, and the lam-alef nowhere:
`يومًا` came out `يوملًاا` and `خلال` `خل` in PDFium, pdftotext and pdf.js. The mark's
copies read as the one combining mark the font's cmap gives it, the glyph drawn after
it (its base) gets the rest of the cluster when it has no text, and a ligature the mark
sits inside is read in the cluster's order (`own_text`). A lam-alef with a mark first
drawn elsewhere still reads with the mark after the alef (`جزيلاً`): nothing in the PDF
says where the mark was in the text.
A cluster of a base and two marks (Hebrew `שָׁ`, a letter with a vowel point and the
shin dot) gives the first mark both marks and the second nothing, which pdf.js and
PDFium read as the glyph id's ASCII letter (`שd`) and the gate refuses (Matterhorn
10-001): `split_marks` gives each such mark its own character, for every use.

Only composite TrueType fonts with Identity CIDs (what WeasyPrint writes: Identity-H,
/CIDToGIDMap /Identity, glyph ids kept by its subsetter) are changed; a glyph in any
other font keeps its rise.

The copies are made through `FontEdits`, which `publication.tagging.spaces` shares (its
blank glyphs that carry a right-to-left mark): each font program is read and written
once.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from publication.pdf.fonts import FontInfo, cmap_bytes, parse_cmap

# A glyph id past which a font may not grow (two-byte codes of Identity-H).
MAX_GLYPHS = 0xFFFF
BLANK = -1  # the "glyph id" a blank glyph (FontEdit.blank) is a copy of
Item = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage


@dataclass
class FontEdit:
    """The glyphs one font dictionary gets: shifted copies (`copy`), blank ones (`blank`)."""

    font: pikepdf.Dictionary
    program: TTFont
    upem: int
    texts: dict[int, str]  # the font's /ToUnicode values as WeasyPrint wrote them
    # (gid, dx, dy, text) -> the copy's glyph id; a blank's is (BLANK, its width, 0, text)
    copies: dict[tuple[int, int, int, str | None], int] = field(default_factory=dict)
    # glyph id -> the Unicode value it gets instead of WeasyPrint's (own_text)
    retexted: dict[int, str] = field(default_factory=dict)

    def copy(self, gid: int, dx: int, dy: int, text: str | None = None) -> int | None:
        """The glyph id of `gid` moved by (`dx`, `dy`) font units (made on first use),
        its Unicode value `text` (None: the original's)."""
        key = (gid, dx, dy, text)
        if key in self.copies:
            return self.copies[key]
        order = list(self.program.getGlyphOrder())
        if gid >= len(order) or len(order) >= MAX_GLYPHS:
            return None
        name = order[gid]
        glyph_set = self.program.getGlyphSet()
        recording = DecomposingRecordingPen(glyph_set)
        glyph_set[name].draw(recording)
        pen = TTGlyphPen(None)
        recording.replay(TransformPen(pen, (1, 0, 0, 1, dx, dy)))
        glyph = pen.glyph()
        glyf = self.program["glyf"]
        glyph.recalcBounds(glyf)
        advance = self.program["hmtx"][name][0]
        new_name = f"{name}.{dx}.{dy}" if text is None else f"{name}.{len(self.copies)}"
        return self._add(key, new_name, glyph, (advance, getattr(glyph, "xMin", 0)))

    @functools.cached_property
    def marks(self) -> dict[int, str]:
        """Glyph ids the font program's cmap gives exactly one character, a combining
        mark (Unicode category M), with that character."""
        found: dict[str, set[int]] = defaultdict(set)
        for codepoint, name in (self.program.getBestCmap() or {}).items():
            found[name].add(codepoint)
        ids = self.program.getReverseGlyphMap()
        return {ids[name]: chr(next(iter(points))) for name, points in found.items()
                if len(points) == 1 and name in ids
                and unicodedata.category(chr(next(iter(points)))).startswith("M")}

    def own_text(self, gid: int, following: int | None) -> tuple[str | None, str | None]:
        """The Unicode values for a copy of mark `gid` drawn just before glyph `following`
        (None: not known), and for a copy of `following`; None keeps the original's.

        A mark WeasyPrint gave a whole cluster's text reads as its own character. The
        glyph after it (its base) keeps its own text; when it has none (the cluster the
        mark was first drawn in), it gets the rest of the cluster's text, for good
        (`retexted`, the mark too). When that base is a ligature the mark sits inside
        (lam-alef: the cluster `لًا`, the ligature `لا`), the ligature's copy reads as
        its part before the mark, and the mark's copy as the mark and the rest (`ل`,
        `ًا`): readers put the base first, and read the cluster as written. The mark
        goes with the glyph of no width: pdf.js takes a glyph whose value holds a mark
        for one of no width, and found a space after a wide one (`امتثا لًا`). Clusters
        with two marks are `split_marks`'s, or left as they are. See the module
        docstring."""
        mark = self.marks.get(gid)
        text = self.texts.get(gid, "")
        if mark is None or following is None or following in self.marks or \
                len(text) < 2 or mark not in text:
            return None, None
        at = text.index(mark)
        rest = text[:at] + text[at + 1:]
        if any(is_mark(ch) for ch in rest):  # two marks: `split_marks`, or left alone
            return None, None
        base = self.retexted.get(following, self.texts.get(following, ""))
        if not base:
            base = self.retexted[following] = rest
        self.retexted[gid] = mark
        if rest == base and 0 < at < len(base):
            return mark + base[at:], base[:at]
        return mark, None

    def split_marks(self) -> int:
        """Marks WeasyPrint gave the text of all the marks of their cluster, and the
        other marks of it none (Hebrew `שָׁ`: the qamats glyph reads qamats and shin
        dot, the shin dot glyph nothing), each read as its own character (`retexted`);
        how many such glyphs there were."""
        glyphs: dict[str, list[int]] = defaultdict(list)
        for gid, char in self.marks.items():
            glyphs[char].append(gid)
        split = 0
        for gid, text in self.texts.items():
            own = self.marks.get(gid)
            if own is None or len(text) < 2 or own not in text or \
                    not all(is_mark(ch) for ch in text):
                continue
            others = list(text)
            others.remove(own)
            takers = [next((g for g in glyphs.get(ch, ())
                            if not self.texts.get(g) and self.retexted.get(g, ch) == ch),
                           None)
                      for ch in others]
            if any(g is None for g in takers) or len(set(takers)) < len(takers):
                continue  # a mark with no empty glyph of its own: left as it is
            self.retexted[gid] = own
            self.retexted.update((g, ch) for g, ch in zip(takers, others, strict=True)
                                 if g is not None)
            split += 1
        return split

    def written(self, table: dict[int, str]) -> dict[int, str]:
        """`table` (the font's /ToUnicode values) with the copies' values and the new
        ones (`retexted`): what `FontEdits.write` writes. A copy reads as its own text,
        else as its original (new value included); a copy given a new value keeps it."""
        table = {**table, **self.retexted}
        for (gid, _, _, text), new in self.copies.items():
            if text is not None:
                table[new] = text
            elif gid in table:
                table[new] = table[gid]
        table.update(self.retexted)
        return table

    def blank(self, text: str, width: int = 0, variant: int = 0) -> int | None:
        """The glyph id of an empty glyph whose Unicode value is `text`, `width`
        thousandths of an em wide, its /W (made on first use); another `variant` is
        another glyph, the same but for its id."""
        key = (BLANK, width, variant, text)
        if key in self.copies:
            return self.copies[key]
        if len(self.program.getGlyphOrder()) >= MAX_GLYPHS:
            return None
        return self._add(key, f"blank.{len(self.copies)}", TTGlyphPen(None).glyph(),
                         (round(width * self.upem / 1000), 0))

    def _add(self, key: tuple[int, int, int, str | None], name: str, glyph: object,
             metrics: tuple[int, int]) -> int:
        """Append `glyph` (advance and left side bearing `metrics`) to the font program
        under a new `name`; its glyph id, kept for `key`."""
        order = list(self.program.getGlyphOrder())
        glyf = self.program["glyf"]
        while name in glyf:
            name += "_"
        glyf[name] = glyph
        self.program["hmtx"][name] = metrics
        new_order = [*order, name]
        self.program.setGlyphOrder(new_order)
        glyf.glyphOrder = new_order
        self.program["maxp"].numGlyphs = len(new_order)
        self.copies[key] = len(order)
        return len(order)


@dataclass
class FontEdits:
    """The edits of one PDF's glyphs: its fonts, whose programs get copies of glyphs, each
    opened once, and its pages' instructions, which draw them, each parsed once
    (`items`); `write` puts both in."""

    fonts: dict[tuple[int, int], FontEdit] = field(default_factory=dict)
    # each font's /ToUnicode values as WeasyPrint wrote them, read once (`texts`)
    tables: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    # page index -> its instructions (`items`), and the pages whose ones were changed
    pages: dict[int, list[Item]] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)

    def items(self, pdf: pikepdf.Pdf, index: int) -> list[Item]:
        """Page `index`'s instructions, parsed on first use; a caller that changes them
        (in place, or with `replace`) says so with `changed.add(index)`."""
        if index not in self.pages:
            self.pages[index] = list(pikepdf.parse_content_stream(pdf.pages[index]))
        return self.pages[index]

    def replace(self, index: int, items: list[Item]) -> None:
        self.pages[index] = items
        self.changed.add(index)

    def of(self, font: pikepdf.Object | None) -> FontEdit | None:
        """The edit of `font` (None when it cannot be edited: see the module docstring)."""
        if not isinstance(font, pikepdf.Dictionary) or not editable(font):
            return None
        edit = self.fonts.get(font.objgen)
        if edit is None:
            edit = self.fonts[font.objgen] = _open(font, self.texts(font))
        return edit

    def texts(self, font: pikepdf.Dictionary) -> dict[int, str]:
        """`font`'s /ToUnicode values as WeasyPrint wrote them (its program not opened);
        `FontEdit.written` gives them with the edits."""
        table = self.tables.get(font.objgen)
        if table is None:
            stream = font.get("/ToUnicode")
            table = self.tables[font.objgen] = (parse_cmap(stream.read_bytes())
                                                if isinstance(stream, pikepdf.Stream) else {})
        return table

    def write(self, pdf: pikepdf.Pdf) -> None:
        for edit in self.fonts.values():
            if edit.copies or edit.retexted:
                _write(pdf, edit)
        for index in sorted(self.changed):
            pdf.pages[index].obj.Contents = pdf.make_stream(
                pikepdf.unparse_content_stream(self.pages[index]))
        self.changed.clear()


class WrittenTexts:
    """Each font's Unicode values as they will be written (`FontEdit.written`), kept up
    to date as `mend` changes them (`refresh`)."""

    def __init__(self, edits: FontEdits) -> None:
        self.edits = edits
        self.tables: dict[tuple[int, int], dict[int, str]] = {}

    def of(self, font: pikepdf.Dictionary) -> dict[int, str]:
        table = self.tables.get(font.objgen)
        return table if table is not None else self.refresh(font)

    def refresh(self, font: pikepdf.Dictionary) -> dict[int, str]:
        table = self.edits.texts(font)
        edit = self.edits.fonts.get(font.objgen)
        table = self.tables[font.objgen] = edit.written(table) if edit else table
        return table


def editable(font: pikepdf.Object) -> bool:
    if not isinstance(font, pikepdf.Dictionary) or str(font.get("/Subtype")) != "/Type0":
        return False
    if str(font.get("/Encoding")) != "/Identity-H" or "/DescendantFonts" not in font:
        return False
    descendant = font.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor")
    return (str(descendant.get("/CIDToGIDMap", "/Identity")) == "/Identity"
            and isinstance(descriptor, pikepdf.Dictionary)
            and isinstance(descriptor.get("/FontFile2"), pikepdf.Stream)
            and "/CIDSet" not in descriptor)


def is_mark(char: str) -> bool:
    """A combining mark (Unicode category M: harakat, tanwin, Hebrew points)."""
    return unicodedata.category(char).startswith("M")


@dataclass(frozen=True)
class Show:
    """A TJ or Tj of a page's instructions: its index, its font (None: not a font of the
    page), the MCID of the innermost marked-content sequence it is in (None: none, or
    one without an MCID), and its text matrix's origin."""

    index: int
    font: pikepdf.Object | None
    mcid: int | None
    x: float
    y: float


def page_fonts(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Page, pikepdf.Dictionary]]:
    """Each page with fonts: its index, the page and its /Font resources."""
    for index, page in enumerate(pdf.pages):
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(fonts, pikepdf.Dictionary):
            yield index, page, fonts


def shows(items: list[Item], fonts: pikepdf.Dictionary) -> Iterator[Show]:
    """The text-showing instructions of a page's `items` (its own, not its forms'),
    with the font (`Tf`, saved and restored by `q` and `Q`) and marked content they are
    drawn in; `fonts` is the page's /Font resources."""
    marked: list[int | None] = []
    font: pikepdf.Object | None = None
    saved: list[pikepdf.Object | None] = []
    x = y = 0.0
    for n, item in enumerate(items):
        if not isinstance(item, pikepdf.ContentStreamInstruction):
            continue
        op = str(item.operator)
        if op == "BDC":
            props = item.operands[1] if len(item.operands) > 1 else None
            marked.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary)
                          and "/MCID" in props else None)
        elif op == "BMC":
            marked.append(None)
        elif op == "EMC" and marked:
            marked.pop()
        elif op == "q":
            saved.append(font)
        elif op == "Q" and saved:
            font = saved.pop()
        elif op == "Tf" and item.operands:
            font = fonts.get(str(item.operands[0]))
        elif op == "Tm" and len(item.operands) == 6:
            x, y = float(item.operands[4]), float(item.operands[5])
        elif op in ("TJ", "Tj"):
            yield Show(n, font, marked[-1] if marked else None, x, y)


def split_marks(pdf: pikepdf.Pdf, edits: FontEdits) -> int:
    """`FontEdit.split_marks` for every font of the pages whose /ToUnicode gives a glyph
    two marks or more (the others are not opened); the number of glyphs split. The
    values are written with `edits` (`FontEdits.write`)."""
    split = 0
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for font in fonts.values():
            if not isinstance(font, pikepdf.Dictionary) or font.objgen in seen:
                continue
            seen.add(font.objgen)
            if not editable(font) or not any(
                    len(text) > 1 and all(is_mark(ch) for ch in text)
                    for text in edits.texts(font).values()):
                continue
            edit = edits.of(font)
            if edit is not None:
                split += edit.split_marks()
    return split


def _rise(item: object) -> float | None:
    """The operand of a `Ts` instruction, or None for anything else."""
    if isinstance(item, pikepdf.ContentStreamInstruction) and str(item.operator) == "Ts" \
            and len(item.operands) == 1:
        return float(item.operands[0])
    return None


def baseline_marks(pdf: pikepdf.Pdf, edits: FontEdits | None = None) -> int:
    """Draw every raised glyph of the pages on the baseline (see the module docstring);
    the number of glyphs moved. With `edits`, the copies and the pages' new instructions
    are left there for the caller to write (`FontEdits.write`), else written now."""
    own = edits is None
    edits = edits if edits is not None else FontEdits()
    moved = 0
    for index, _, fonts in page_fonts(pdf):
        items = edits.items(pdf, index)
        # Each instruction's operator, read once (reading one from pikepdf is slow).
        ops = [str(item.operator) if isinstance(item, pikepdf.ContentStreamInstruction)
               else "" for item in items]
        if not any(op == "Ts" and _rise(items[n]) for n, op in enumerate(ops)):
            continue
        out: list[Item] = []
        font: pikepdf.Object | None = None
        size = 0.0
        stack: list[tuple[pikepdf.Object | None, float]] = []
        changed = False
        i = 0
        while i < len(items):
            item, op = items[i], ops[i]
            if op == "q":
                stack.append((font, size))
            elif op == "Q" and stack:
                font, size = stack.pop()
            elif op == "Tf" and len(item.operands) == 2:
                font = fonts.get(str(item.operands[0]))
                size = float(item.operands[1])
            rise = _rise(item) if op == "Ts" else None
            edit = edits.of(font) if rise and i + 2 < len(items) and \
                _rise(items[i + 2]) == 0 and size else None
            if edit is not None and rise is not None:
                shown = items[i + 1]
                if isinstance(shown, pikepdf.ContentStreamInstruction) and \
                        str(shown.operator) in ("TJ", "Tj"):
                    dy = round(rise / size * edit.upem)
                    after = items[i + 3] if i + 3 < len(items) else None
                    following = _first_code(after)
                    shifted = _shifted(shown, edit, dy, following)
                    if shifted is not None:
                        replaced, base_text = shifted
                        if after is not None and following is not None and \
                                base_text is not None:
                            items[i + 3] = _base_copied(edit, after, following, base_text)
                        out.append(replaced)
                        moved += 1
                        changed = True
                        i += 3
                        continue
            out.append(item)
            i += 1
        if changed:
            edits.replace(index, _join(out))
    if own:
        edits.write(pdf)
    return moved


def _open(font: pikepdf.Dictionary, texts: dict[int, str]) -> FontEdit:
    descriptor = font.DescendantFonts[0].FontDescriptor
    program = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()), recalcBBoxes=True,
                     recalcTimestamp=False)
    return FontEdit(font, program, int(program["head"].unitsPerEm), texts)


def _strings(item: Item | None) -> list[bytes]:
    """The non-empty strings a TJ or Tj shows, in order (none for anything else)."""
    if not isinstance(item, pikepdf.ContentStreamInstruction) or \
            str(item.operator) not in ("TJ", "Tj"):
        return []
    return [bytes(o) for o in shown_operands(item)
            if isinstance(o, pikepdf.String) and len(bytes(o)) >= 2]


def _first_code(item: Item | None) -> int | None:
    """The first glyph a TJ or Tj shows (None for anything else)."""
    strings = _strings(item)
    return codes(strings[0])[0] if strings else None


def _base_copied(edit: FontEdit, after: Item, following: int, text: str) -> Item:
    """`after`, the show after a raised one, its first glyph `following` replaced by a
    copy reading `text` (`FontEdit.own_text`'s value for it); unchanged when no copy
    can be made."""
    copy = edit.copy(following, 0, 0, text)
    if copy is None or not isinstance(after, pikepdf.ContentStreamInstruction):
        return after
    result: list[object] = []
    done = False
    for operand in shown_operands(after):
        if not done and isinstance(operand, pikepdf.String) and len(bytes(operand)) >= 2:
            operand = code_string([copy, *codes(bytes(operand))[1:]])
            done = True
        result.append(operand)
    return pikepdf.ContentStreamInstruction([pikepdf.Array(result)], pikepdf.Operator("TJ"))


def _shifted(shown: pikepdf.ContentStreamInstruction, edit: FontEdit, dy: int,
             following: int | None = None,
             ) -> tuple[pikepdf.ContentStreamInstruction, str | None] | None:
    """`shown` (a TJ or Tj) with each glyph replaced by its copy moved up by `dy`, as a TJ,
    and the value `FontEdit.own_text` gives a copy of `following`, the glyph drawn next
    after it (None: its own).

    WeasyPrint writes a raised glyph's horizontal offset as a number before it (`[-272
    <mark>]`, undone after it): a reader takes the gap that opens before the mark for a
    space (PDFium: `يُحاسَ ب`). A single glyph after one number gets that offset in its
    outline too, and the number moves behind it, so the pen ends where it did."""
    operands = shown_operands(shown)
    dx = 0
    if len(operands) == 2 and not isinstance(operands[0], pikepdf.String) and \
            isinstance(operands[1], pikepdf.String) and len(bytes(operands[1])) == 2:
        number = float(operands[0])
        dx = round(-number / 1000 * edit.upem)
        operands = [operands[1], operands[0]] if dx else operands
    glyphs = [code for operand in operands if isinstance(operand, pikepdf.String)
              for code in codes(bytes(operand))]
    values = [edit.own_text(code, after)
              for code, after in zip(glyphs, [*glyphs[1:], following], strict=True)]
    texts = iter(mark for mark, _ in values)
    result: list[object] = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            new = [edit.copy(code, dx, dy, next(texts)) for code in codes(bytes(operand))]
            if any(code is None for code in new):
                return None
            result.append(code_string([c for c in new if c is not None]))
        else:
            result.append(operand)
    base = values[-1][1] if values else None
    return (pikepdf.ContentStreamInstruction([pikepdf.Array(result)],
                                             pikepdf.Operator("TJ")), base)


def shown_operands(shown: pikepdf.ContentStreamInstruction) -> list[Any]:
    """The strings and numbers a TJ or Tj shows, as a TJ's array holds them."""
    return list(shown.operands[0]) if str(shown.operator) == "TJ" else [shown.operands[0]]


def shown_codes(shown: Item) -> list[int]:
    """The codes of the glyphs a TJ or Tj shows, in order."""
    assert isinstance(shown, pikepdf.ContentStreamInstruction)
    return [c for part in shown_operands(shown) if isinstance(part, pikepdf.String)
            for c in codes(bytes(part))]


def codes(data: bytes) -> list[int]:
    """The two-byte character codes (glyph ids here: Identity-H) of a shown string."""
    return [int.from_bytes(data[j:j + 2], "big") for j in range(0, len(data) - 1, 2)]


def code_string(glyphs: list[int]) -> pikepdf.String:
    """`glyphs` as a string to show, two bytes each."""
    return pikepdf.String(b"".join(g.to_bytes(2, "big") for g in glyphs))


def _join(items: list[Item]) -> list[Item]:
    """Consecutive TJ instructions as one: the text object the rises had split."""
    joined: list[Item] = []
    for item in items:
        previous = joined[-1] if joined else None
        if str(item.operator) == "TJ" and previous is not None and \
                str(previous.operator) == "TJ":
            joined[-1] = pikepdf.ContentStreamInstruction(
                [_positions([*previous.operands[0], *item.operands[0]])],
                pikepdf.Operator("TJ"))
        else:
            joined.append(item)
    return joined


def _positions(parts: list[object]) -> pikepdf.Array:
    """A TJ array with empty strings left out and adjacent numbers added up: PDFium keeps
    only the last of two numbers in a row (measured: a word moved by the first one)."""
    result: list[object] = []
    for part in parts:
        if isinstance(part, pikepdf.String) and not bytes(part):
            continue
        if not isinstance(part, pikepdf.String) and result and \
                not isinstance(result[-1], pikepdf.String):
            result[-1] = float(result[-1]) + float(part)  # type: ignore[arg-type]
        else:
            result.append(part)
    return pikepdf.Array(result)


def _write(pdf: pikepdf.Pdf, edit: FontEdit) -> None:
    """The font program and /W with the copies (when there are), and /ToUnicode with
    the copies and the new values (`retexted`)."""
    font = edit.font
    descendant = font.DescendantFonts[0]
    if edit.copies:
        out = io.BytesIO()
        edit.program.save(out)
        descendant.FontDescriptor.FontFile2.write(out.getvalue())
        info = FontInfo(font)
        extra = pikepdf.Array()
        widths: dict[int, float] = {}  # a copy's own, for a copy of it
        for (gid, dx, _, _), new in sorted(edit.copies.items(), key=lambda item: item[1]):
            width = dx if gid == BLANK else widths.get(gid, info.widths.get(
                gid, info.default_width))
            widths[new] = width
            extra.extend(pikepdf.Array([new, [width]]))
        if "/W" in descendant:
            descendant.W.extend(list(extra))
        else:
            descendant.W = extra
    stream = font.get("/ToUnicode")
    if isinstance(stream, pikepdf.Stream):
        stream.write(cmap_bytes(edit.written(edit.texts), two_byte=True))

