"""Right-to-left marks that make poppler read the spaces and punctuation of right-to-left
text on the right side of the numbers next to them, and spaces pdf.js keeps.

poppler (`pdftotext`, Evince, Okular and the desktop screen readers that read through
them) turns a right-to-left line back into logical order with a simplified bidi
algorithm (`reorderText` in TextOutputDev.cc): it cuts the line, in drawing order, into
runs of right-to-left characters and runs of the rest, and reverses only the former.
Digits and the punctuation that can sit in numbers (`,` `.` `:` `/`) end a
right-to-left run, and a space next to them falls in the left-to-right run that
follows, which keeps its drawing order. So `טרגדיות, שפיכות` read `טרגדיות ,שפיכות`,
`במהלך 50 ימי` read `במהלך 50ימי` and `صيف 2014، استهدف` read `صيف ،2014 استهدف`
(measured on the build of 2026-12-02: poppler read 71 % of the Hebrew and 74 % of the
Arabic strings exactly, against 90 % and more in pdf.js and PDFium).

`rtl_marks` puts a zero-width glyph whose Unicode value is U+200F RIGHT-TO-LEFT MARK
into a line of a right-to-left run (CSS direction rtl) wherever a space or punctuation
mark that reads right to left meets a digit or a separator poppler counts as a number:
a right-to-left character there keeps the neutral in the right-to-left run, on the
side of the word it belongs to. None goes next to a Latin letter, where poppler would
want one too: PDFium then reads a run of Latin words backwards. Nor between Latin
words and a number. The mark is a format character: screen readers do not speak it, and
the readers' table (tools/readers/table.py), like the build's own reader, leaves bidi
controls out. A mark inside the space's or the comma's own Unicode value (" \u200f")
was tried first: pdf.js then drops the glyph. The page is unchanged, pixel for pixel
(tests/test_tagging_spaces.py).

pdf.js (Firefox) drops spaces of its own: it holds a space glyph back and puts it in
only before the next glyph it draws in the same flow. A right-to-left run is drawn in
visual order, so a space that ends the run in the text is drawn first, after the jump
back from the line before, and one that starts it is drawn last, before the next run:
`של Amnesty International בלונדון` read `שלAmnesty Internationalבלונדון`. Before a
haraka drawn after a space, pdf.js gives the mark the space it held and, not moving for
a mark, finds the space's width again: `داعٍ` read `داع ٍ`. `edge_spaces` has such
spaces drawn as a copy of the space glyph whose Unicode value is RLM_SPACE, a mark then
a space, which pdf.js does not take for white space and keeps where it is drawn.

A line whose drawing starts with a mark (the tanwin of its last word) gave pdf.js the
mark for the end of the line before: `lead_marks` puts an empty glyph before it. And
poppler read the space after Latin words in a right-to-left line before them
(`international בלונדון` came out `internationalבלונדון`): `latin_edges` puts a mark
after it.

PDFium reads a right-to-left line backwards and mirrors the brackets and quotation
marks it meets reading right to left, where the PDF maps each to its character in the
text: `bracket_marks` puts a left-to-right mark after each, which PDFium reads first. A
line that holds only Latin words in brackets (`(ICC)` alone on a line) gets marks of its
own, which PDFium and poppler both read in order (`bracketed_latin`).

Measured on the 48 PDFs of `make pdf` of 2026-12-03 (tools/readers/table.py; the
occurrences read exactly): pdf.js 100.0 % of the Arabic and of the Hebrew (91.0 and 94.7
% without `edge_spaces` and `lead_marks`, the mark of a ligature read on its own glyph
(`publication.tagging.clusters`) and the lines cut in the text's order
(`publication.tagging.order`)), pdftotext 98.9 and 98.8 % (97.8 and 97.1 with
the facts' numbers as they were before `big_number` kept a word whole and the Arabic
numbers came from Noto Sans; 93.8 and 91.2 without
`latin_edges` and the data controller's label on a line of its own; 73.6 and 71.3 %
without any mark, 2026-12-02), PDFium 100.0 and 100.0 % (98.8 % of the Hebrew without
`bracketed_latin`, `)ICC(` in both leaflets; 98.9 and 98.8 with a tie of
segments counted as right to left; 98.3 and 98.3 without the marks for brackets and
quotation marks at a line's ends; 95.0 and 95.3 without
`publication.tagging.words` either; 94.4 and 93.6 without `bracket_marks`; 92.1 and
92.4 with the Arabic headlines' old leading and the controller's old line).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pikepdf

from publication.tagging.marks import (
    FontEdit,
    FontEdits,
    Item,
    WrittenTexts,
    code_string,
    codes,
    editable,
    is_mark,
    page_fonts,
    shown_codes,
    shown_operands,
    shows,
)

RLM = "\u200f"
LRM = "\u200e"
# What PDFium mirrors when it reads it right to left: the Bidi_Mirrored characters, and
# the curly quotation marks (it read the Hebrew closing quote “ as ”).
MIRRORED_EXTRA = frozenset("“”‘’")
# The Unicode value of a space at the edge of a right-to-left run next to another run
# (`edge_spaces`): a mark then a space, which pdf.js does not take for white space.
RLM_SPACE = RLM + " "
# A closing bracket and the opening one of its pair (`bracketed_latin`).
BRACKET_PAIRS = {")": "(", "]": "[", "}": "{"}
# The width, in thousandths of an em, of the glyph put before a mark that a line's
# drawing starts with (`lead_marks`); the pen moves back as much after it.
LEAD = 1
# Bidi classes of the neutrals and separators that take the direction of the text
# around them (UAX #9): white space, common and European separators, terminators, other.
NEUTRAL = frozenset({"WS", "CS", "ES", "ET", "ON"})
# The classes poppler counts as part of a number, so as the start of a left-to-right run.
POPPLER_NUMBER = frozenset({"CS", "ES", "ET"})
STRONG = ("L", "R", "N")  # the kinds (`_kind`) a neutral takes its direction from


@dataclass
class LineShow:
    """A TJ or Tj in a font `FontEdits` can change: where it is in the page's
    instructions and on the page, the Unicode value of each glyph it draws, and whether
    it belongs to a right-to-left run."""

    index: int
    font: pikepdf.Dictionary
    x: float
    y: float
    glyphs: list[str]
    rtl: bool
    mcid: int | None
    # The marks it gets (marked_after): after each of these glyphs, -1: before the first.
    after: set[int] = field(default_factory=set)
    # The spaces among its glyphs that read as RLM_SPACE (`edge_spaces`).
    held: set[int] = field(default_factory=set)
    # Whether a LEAD glyph goes before its first one (`lead_marks`).
    lead: bool = False
    # Left-to-right marks after these glyphs (`bracket_marks`).
    ltr_after: set[int] = field(default_factory=set)


def rtl_marks(pdf: pikepdf.Pdf, rtl: Mapping[int, frozenset[int]],
              edits: FontEdits) -> int:
    """Put right-to-left marks into the lines of the runs in `rtl` (page index -> the
    MCIDs of its right-to-left runs) where `marked_after` says (see the module
    docstring); the number of marks. The mark glyphs and the new instructions are made
    in `edits`, for the caller to write."""
    changed = 0
    texts = WrittenTexts(edits)
    for index, _, fonts in page_fonts(pdf):
        mcids = rtl.get(index)
        if not mcids:
            continue
        items = edits.items(pdf, index)
        lines = page_lines(items, fonts, mcids, texts)
        shown = sorted((s for line in lines for s in line), key=lambda s: s.index)
        count = 0
        for line in lines:
            if bracketed_latin(line):  # marks of its own, instead of the other rules'
                continue
            glyphs = [g for s in line for g in s.glyphs]
            starts = [sum(len(s.glyphs) for s in line[:i]) for i in range(len(line))]
            in_rtl = [s.rtl for s in line for _ in s.glyphs]
            for place in marked_after(glyphs):
                if not (in_rtl[place] or in_rtl[place + 1]):
                    continue  # a left-to-right run's own (an address set dir="ltr")
                # In the right-to-left run's own drawing (the gate reads a run with a
                # mark as right-to-left): after the glyph, or before the next one.
                glyph = place if in_rtl[place] else place + 1
                owner = bisect.bisect_right(starts, glyph) - 1
                line[owner].after.add(place - starts[owner])
            edge_spaces(line)
            latin_edges(line)
            bracket_marks(line)
            lead_marks(line)
        for s in shown:
            # The font program is opened only for a font that gets a mark.
            edit = edits.of(s.font) if s.after or s.held or s.lead or s.ltr_after else None
            if edit is None:
                continue
            inserted = _inserted(s, edit)
            lead = edit.blank(RLM_SPACE, LEAD) if s.lead else None
            replaced = {k: copy for k in sorted(s.held)
                        if (copy := edit.copy(shown_codes(items[s.index])[k], 0, 0, RLM_SPACE))
                        is not None}
            if inserted or replaced or lead is not None:
                items[s.index] = _with_marks(items[s.index], inserted, replaced, lead)
                count += sum(map(len, inserted.values())) + len(replaced) + (lead is not None)
        if count:
            edits.changed.add(index)
            changed += count
    return changed


def _shown(items: list[Item], fonts: pikepdf.Dictionary, mcids: frozenset[int],
           texts: WrittenTexts) -> list[LineShow]:
    """The text-showing instructions in fonts `FontEdits` can change, those of the runs
    `mcids` marked as right-to-left, with the Unicode values they will be written with
    (`WrittenTexts`: the copies of raised marks read as marks)."""
    found: list[LineShow] = []
    for show in shows(items, fonts):
        font = show.font
        if not isinstance(font, pikepdf.Dictionary) or not editable(font):
            continue
        text = texts.of(font)
        found.append(LineShow(show.index, font, show.x, show.y,
                              [text.get(c, "") for c in shown_codes(items[show.index])],
                              show.mcid in mcids, show.mcid))
    return found


def edge_spaces(line: list[LineShow]) -> None:
    """Mark (`held`) the spaces a right-to-left run of `line` (left to right) draws first
    or last where another run of the line is next to them.

    pdf.js holds a space glyph back and puts it in only before the next glyph drawn in
    the same flow. A right-to-left run is drawn in visual order, its logical last space
    first: the next glyph is its own run's, drawn after a jump back from the line before,
    or the line's end follows, and the space is lost: `של Amnesty International בלונדון`
    read `שלAmnesty Internationalבלונדון`. A space read as RLM_SPACE is not white space
    to pdf.js, which keeps it where it is drawn."""
    for k, s in enumerate(line):
        if not s.rtl or not s.glyphs:
            continue
        if s.glyphs[0] == " " and k > 0 and line[k - 1].mcid != s.mcid:
            s.held.add(0)
        if s.glyphs[-1] == " " and k + 1 < len(line) and line[k + 1].mcid != s.mcid:
            s.held.add(len(s.glyphs) - 1)
        # A space drawn just before a glyph that reads a combining mark (a haraka drawn
        # before its base): pdf.js gives the mark the space it held and, not moving for a
        # mark, finds the space's width again before the base (`داعٍ` read `داع ٍ`).
        s.held.update(g for g in range(len(s.glyphs) - 1)
                      if s.glyphs[g] == " " and any(is_mark(ch) for ch in s.glyphs[g + 1]))


def latin_edges(line: list[LineShow]) -> None:
    """A right-to-left mark (`after`) after the space, or other neutral, a right-to-left
    run of `line` (left to right) draws last where a run of Latin words follows it on
    the right.

    That space is the run's first in the text (`של Amnesty International בלונדון`: the one
    before `בלונדון`). poppler reads a right-to-left line from the right, and a
    left-to-right section of it takes every character up to the next right-to-left one:
    the space, which it then reads before the Latin words (`international בלונדון` came
    out `internationalבלונדון`; the closing bracket of `(ICC)` at a line's end, `()ICC`).
    The mark after it ends the section at the Latin words. So does one before a
    separator poppler counts as part of a number that the run draws first, with Latin
    words on its left (the hyphen of `מ-Amnesty International`, read after them). Only
    in a line PDFium reads as right to left (`_pdfium_rtl`): one more right-to-left
    segment could turn a line of Latin words, which PDFium reads as they are, into one
    it reads backwards; and in one of as many Latin segments as right-to-left ones,
    which PDFium reads left to right, and wrong: it has a right-to-left run in it and a
    mirrored bracket or a mark (`(ICC)` alone on a line after the line's lead glyph)."""
    latin, rtl = pdfium_segments("".join(_drawn_text(s) for s in line))
    if latin > rtl:
        return
    for k, s in enumerate(line):
        if not s.rtl or not s.glyphs:
            continue
        following = line[k + 1] if k + 1 < len(line) else None
        if following is not None and _kind(s.glyphs[-1]) in NEUTRAL and \
                following.mcid != s.mcid and following.glyphs and \
                _kind(following.glyphs[0]) == "L":
            s.after.add(len(s.glyphs) - 1)
        before = line[k - 1] if k else None
        if before is not None and _kind(s.glyphs[0]) in POPPLER_NUMBER and \
                before.mcid != s.mcid and before.glyphs and _kind(before.glyphs[-1]) == "L":
            s.after.add(-1)


def _pdfium_rtl(line: list[LineShow]) -> bool:
    """Whether PDFium reads `line` as right to left, with the marks and spaces read as
    RLM_SPACE it has so far (`pdfium_reads_rtl`)."""
    return pdfium_reads_rtl("".join(_drawn_text(s) for s in line))


def pdfium_reads_rtl(text: str) -> bool:
    """Whether PDFium reads a line whose text, in the order it meets it (its text
    objects left to right), is `text` right to left: when it has more right-to-left
    segments than left-to-right ones (`pdfium_segments`; measured with pypdfium2's
    PDFium: `שלום Amnesty עולם Intl`, two of each, is read left to right, although
    `CFX_BidiString` in PDFium's source reads at least as many as right to left)."""
    latin, rtl = pdfium_segments(text)
    return rtl > latin


def pdfium_segments(text: str) -> tuple[int, int]:
    """How many segments of left-to-right letters and of right-to-left ones PDFium cuts
    `text` into (`CFX_BidiChar`: the rest, white space, digits and separators, are
    segments of their own)."""
    kinds: list[str] = []
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        kind = "R" if kind in ("R", "AL") else "L" if kind == "L" else "N"
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    return kinds.count("L"), kinds.count("R")


def _drawn_text(s: LineShow) -> str:
    """The text `s` will read, with its marks (`after`, `ltr_after`) and spaces read as
    RLM_SPACE."""
    text = RLM if -1 in s.after else ""
    for k, glyph in enumerate(s.glyphs):
        text += (RLM_SPACE if k in s.held else glyph) + (LRM if k in s.ltr_after else "") \
            + (RLM if k in s.after else "")
    return text


def bracket_marks(line: list[LineShow]) -> None:
    """A left-to-right mark (`ltr_after`) after each bracket or quotation mark of a
    right-to-left run of `line` (left to right) with right-to-left letters on both sides,
    and a right-to-left mark (`after`) before one that has none right next to it on its
    left; a bracket a line starts or ends with, the right-to-left mark after the
    left-to-right one; none next to Latin letters at a line's end (`(ICC)`); all in a
    line PDFium reads right to left and still would with them, with a right-to-left
    mark before its first glyph if need be.

    The PDF maps a bracket's glyph to its character in the text (`(` for the one drawn
    on the right of `(לא חובה)`), as pdf.js and poppler read it; PDFium reads a
    right-to-left line backwards and mirrors each bracket it meets while reading right
    to left (`)לא חובה(`), but not one it meets right after a left-to-right character:
    the mark after the bracket, which it reads first. poppler would then take the
    bracket and the neutrals on its left into a left-to-right section: the right-to-left
    mark before the bracket ends that section at it."""
    if not _pdfium_rtl(line):
        return
    glyphs = [(s, k) for s in line for k in range(len(s.glyphs))]
    # (shown, bracket, glyph): the LRM goes after the bracket, the RLM after that glyph
    # of the same shown (-1: before its first), if any
    wanted: list[tuple[LineShow, int, int | None]] = []
    for n, (s, k) in enumerate(glyphs):
        glyph = s.glyphs[k]
        if not s.rtl or len(glyph) != 1 or not (unicodedata.mirrored(glyph) or
                                                glyph in MIRRORED_EXTRA):
            continue
        left_letters = any(_rtl_letter(o.glyphs[g]) for o, g in glyphs[:n])
        strong = next((kind for o, g in glyphs[n + 1:]
                       if (kind := _kind(o.glyphs[g])) in ("L", "R")), None)
        if strong == "L" and not left_letters:
            # Latin letters on its right, none on its left (`(ICC)` at a line's end):
            # PDFium reads it after them, and poppler took a mark into the Latin words'
            # section (`ICC( )`): none.
            continue
        if not any(_rtl_letter(o.glyphs[g]) for o, g in glyphs[n + 1:]):
            if left_letters and strong is None:
                # A line's start (`«قوانين`): PDFium meets it first, reading right to
                # left; the right-to-left mark after the left-to-right one keeps the
                # line right to left for it (`(اختياري)` alone on a line).
                wanted.append((s, k, k))
            continue
        if not left_letters:
            # A bracket a line ends with (`(לא חובה)`, `المسلحة.»`): the right-to-left
            # mark after the left-to-right one (`_inserted` draws the two as one glyph);
            # none after Latin letters (`(ICC)`'s second), which poppler would read with
            # them (`icc()`).
            if not any(_kind(o.glyphs[g]) == "L" for o, g in glyphs[:n]):
                wanted.append((s, k, k))
            continue
        left = glyphs[n - 1]
        wanted.append((s, k, None if _kind(left[0].glyphs[left[1]]) == "R" else k - 1))
    if not wanted:
        return
    added: list[tuple[set[int], int]] = []  # the marks put in here, to take out again

    def put(marks: set[int], at: int) -> None:
        if at not in marks:
            marks.add(at)
            added.append((marks, at))

    for s, k, at in wanted:
        put(s.ltr_after, k)
        if at is not None:
            put(s.after, at)
    if not _pdfium_rtl(line):
        # The marks would turn the line (`(اختياري)` alone on it: two left-to-right
        # marks, one right-to-left segment): a right-to-left mark before the first glyph
        # of its first right-to-left run too, which PDFium reads last and poppler after
        # the rest; none of them if that is not enough.
        put(next(s for s in line if s.rtl).after, -1)
        if not _pdfium_rtl(line):
            for marks, at in added:
                marks.discard(at)


def bracketed_latin(line: list[LineShow]) -> bool:
    """The marks of a right-to-left run's line that holds nothing but a stretch of Latin
    words (or numbers) in brackets after its lead glyph: `(ICC)` of `בית הדין הפלילי
    הבין-לאומי (ICC)` alone on a line. Drawn left to right: the lead glyph
    (`publication.tagging.order`, reading RLM_SPACE), the closing bracket (its Unicode
    value the character in the text, `)`), the words, the opening one (`(`).

    With the lead glyph's mark and the one `latin_edges` would put after the closing
    bracket, PDFium read the line left to right (`pdfium_reads_rtl`: as many segments
    of each direction) and mirrored the closing bracket, met right after a
    right-to-left character, and not the opening one: `)ICC(`. With these marks,
    `RLM ) LRM RLM ICC RLM ( LRM` after the lead glyph, it reads the line right to left
    from the opening bracket, each bracket just after a left-to-right mark, so neither
    is mirrored: `(ICC)`. poppler reads it right to left too (the page is a
    right-to-left one), each left-to-right section up to the next right-to-left
    character: the opening bracket with the mark after it, the words, the closing
    bracket with its left-to-right mark, and the right-to-left mark before that bracket
    keeps the lead glyph's space out of its section: `(ICC) `. (A mark after the lead
    glyph instead, drawn where the bracket starts, poppler read after the bracket:
    `(ICC )`; measured with both readers, 2026-12-03.) pdf.js reads the line's pieces
    in the text's order and leaves the marks out. Whether the line is such a line: the
    other rules (`rtl_marks`) are for the others, with anything else on them (a full
    stop after a bracket, a right-to-left letter)."""
    glyphs = [(s, k) for s in line for k in range(len(s.glyphs))]
    if len(glyphs) < 4 or line[0].glyphs[:1] != [RLM_SPACE] or not all(s.rtl for s in line):
        return False
    (left_show, left), (right_show, right) = glyphs[1], glyphs[-1]
    inner = [o.glyphs[g] for o, g in glyphs[2:-1]]
    if BRACKET_PAIRS.get(left_show.glyphs[left]) != right_show.glyphs[right] or \
            not any(_kind(g) == "L" for g in inner) or \
            any(_kind(g) == "R" or _rtl_letter(g) or unicodedata.mirrored(g[:1])
                for g in inner) or inner[0] == " " or inner[-1] == " ":
        return False
    left_show.after.update((left - 1, left))  # before it (-1: before the first glyph)
    left_show.ltr_after.add(left)
    last_show, last = glyphs[-2]
    last_show.after.add(last)
    right_show.ltr_after.add(right)
    return True


def lead_marks(line: list[LineShow]) -> None:
    """Put a LEAD glyph (`lead`) before a combining mark (a glyph whose value holds one)
    that a right-to-left run of `line` (left to right) starts its drawing with, after a
    jump: the line's first instruction, or one drawn after a run to its right.

    A mark is drawn before its base, so a run whose logical last word ends with a mark
    (`مبانٍ`) starts with it. pdf.js does not look where a mark is drawn, takes it for
    the end of what it drew before, and finds the jump at its base: `غيرٍ ... مبان` (the
    line before), `123456ً مساء` (a phone number in its own run, to the right). The
    glyph before it is empty, LEAD thousandths of an em wide, the pen moved back as much
    after it, and reads RLM_SPACE: pdf.js sees the jump there, and every reader gets a
    space after the word, so only where one follows it anyway: at the line's end (the
    line break), or before a run whose text starts with a space."""
    for k, s in enumerate(line):
        if not s.rtl or not s.glyphs or not any(is_mark(ch) for ch in s.glyphs[0]):
            continue
        before = [o for o in line if o.index < s.index]
        previous = max(before, key=lambda o: o.index) if before else None
        if previous is not None and previous.x <= s.x:
            # drawn just after what is on its left (or in the same text object, whose
            # instructions all start at its text matrix's origin): no jump
            continue
        if k == 0 or line[k - 1].glyphs[-1:] == [" "]:
            s.lead = True


def page_lines(items: list[Item], fonts: pikepdf.Dictionary, mcids: frozenset[int],
               texts: WrittenTexts) -> list[list[LineShow]]:
    """A page's text-showing instructions (`_shown`) in its lines (`_lines`): PDFium's
    lines, each one's instructions in the order it meets them."""
    return _lines(_shown(items, fonts, mcids, texts))


def _lines(shown: list[LineShow]) -> list[list[LineShow]]:
    """`shown` cut into lines (one baseline, in the order of the page's instructions),
    each from left to right."""
    lines: list[list[LineShow]] = []
    for s in shown:
        if lines and abs(lines[-1][-1].y - s.y) < 0.01:
            lines[-1].append(s)
        else:
            lines.append([s])
    return [sorted(line, key=lambda s: s.x) for line in lines]


def _inserted(s: LineShow, edit: FontEdit) -> dict[int, list[int]]:
    """The mark glyphs `s` gets after each of its glyphs (-1: before the first): a
    left-to-right mark (`ltr_after`), a right-to-left one (`after`), or one glyph reading
    the two, in that order, after a glyph in both; none when the font cannot grow."""
    rlm = edit.blank(RLM) if s.after - s.ltr_after else None
    lrm = edit.blank(LRM) if s.ltr_after - s.after else None
    # Both after one glyph: one glyph reading the two, or poppler may take one for a
    # word of its own, drawn where the next glyph is, and read it after that glyph.
    both = edit.blank(LRM + RLM) if s.after & s.ltr_after else None
    inserted: dict[int, list[int]] = {}
    for marks, glyph in ((s.ltr_after - s.after, lrm), (s.after - s.ltr_after, rlm),
                         (s.after & s.ltr_after, both)):
        if glyph is not None:
            for k in sorted(marks):
                inserted.setdefault(k, []).append(glyph)
    return inserted


def _with_marks(shown: Item, inserted: dict[int, list[int]], replaced: dict[int, int],
                lead: int | None) -> pikepdf.ContentStreamInstruction:
    """`shown` (a TJ or Tj) as a TJ with the glyphs `inserted` after each glyph (-1:
    before the first), the glyphs of `replaced` drawn as the copies it names, and the
    glyph `lead` first, the pen moved back by its width after it."""
    assert isinstance(shown, pikepdf.ContentStreamInstruction)
    result: list[object] = [] if lead is None else [code_string([lead]), LEAD]
    k = 0
    for operand in shown_operands(shown):
        if isinstance(operand, pikepdf.String):
            out = list(inserted.get(-1, [])) if k == 0 else []
            for code in codes(bytes(operand)):
                out.append(replaced.get(k, code))
                out.extend(inserted.get(k, []))
                k += 1
            result.append(code_string(out))
        else:
            result.append(operand)
    return pikepdf.ContentStreamInstruction([pikepdf.Array(result)], pikepdf.Operator("TJ"))


def resolved(glyphs: Sequence[str]) -> list[str]:
    """Each glyph's direction in a right-to-left run (`glyphs`: their Unicode values in
    drawing order), as UAX #9 resolves it in a right-to-left paragraph: "L" for a letter
    of a left-to-right script, "N" for a digit and for the separators inside a number
    (`2,000`, `50%`), "R" for the rest: right-to-left letters and the neutrals next to
    them (a neutral between two "L" is "L", as is one between an "L" and the line's end)."""
    kinds = [_kind(g) for g in glyphs]
    out = list(kinds)
    for k, kind in enumerate(kinds):
        if kind not in NEUTRAL:
            continue
        left = kinds[k - 1] if k else ""
        right = kinds[k + 1] if k + 1 < len(kinds) else ""
        if kind in ("CS", "ES") and left == right == "N" or kind == "ET" and "N" in (left, right):
            out[k] = "N"
            continue
        # At a line's end the paragraph goes on the next line: a neutral after Latin words
        # there ("Amnesty International Canada," before the line break) is theirs.
        out[k] = "L" if _sides(kinds, k) == {"L"} else "R"
    return out


def marked_after(glyphs: Sequence[str]) -> set[int]:
    """The glyphs after which a right-to-left mark goes: each boundary, in drawing order,
    between a neutral that reads right to left and a number (`_apart`), where poppler
    would otherwise carry the neutral into the number's left-to-right run."""
    kinds = [_kind(g) for g in glyphs]
    directions = resolved(glyphs)
    places = set()
    for k in range(len(glyphs) - 1):
        if _apart(kinds[k], directions[k], kinds[k + 1]) and \
                _sides(kinds, k) != {"L", "N"} or \
                _apart(kinds[k + 1], directions[k + 1], kinds[k]) and \
                _sides(kinds, k + 1) != {"L", "N"}:
            places.add(k)
    return places


def _sides(kinds: Sequence[str], k: int) -> set[str]:
    """The kinds of the nearest letters or digits on either side of glyph `k`. Between
    Latin words and a number ("Canada, 312 Laurier" after a Hebrew colon) PDFium reads
    the Latin words backwards once a mark is there: such a neutral gets none."""
    left = next((kinds[j] for j in range(k - 1, -1, -1) if kinds[j] in STRONG), "")
    right = next((kinds[j] for j in range(k + 1, len(kinds)) if kinds[j] in STRONG), "")
    return {left, right} - {""}


def _apart(kind: str, direction: str, other: str) -> bool:
    """Whether a neutral of `kind` read right to left (`direction`) next to a glyph of
    kind `other` would join poppler's left-to-right run: `other` starts one (a digit, or
    a separator, which poppler counts as a number). Next to a Latin letter poppler does
    the same, but a mark there makes PDFium read a run of Latin words backwards
    ("officer privacy ,Canada International Amnesty" after an Arabic colon): none."""
    return kind in NEUTRAL and direction == "R" and other in ("N", *POPPLER_NUMBER)


def _rtl_letter(glyph: str) -> bool:
    """Whether `glyph` reads a right-to-left letter (not a mark, as RLM_SPACE holds)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") and
               unicodedata.category(ch).startswith("L") for ch in glyph)


def _kind(glyph: str) -> str:
    """A glyph's bidi class, digits as "N" and strong letters as "L" or "R"."""
    classes = [unicodedata.bidirectional(ch) for ch in glyph]
    if any(c == "L" for c in classes):
        return "L"
    if any(c in ("R", "AL") for c in classes):
        return "R"
    if any(c in ("EN", "AN") for c in classes):
        return "N"
    if len(glyph) == 1 and classes[0] in NEUTRAL:
        return classes[0]
    return "O"  # marks, controls, unknown: no say
