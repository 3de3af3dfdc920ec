"""The words of a left-to-right stretch in a right-to-left line, drawn so that PDFium
(Chrome) reads them in order.

PDFium cuts a line into segments of left-to-right letters, of right-to-left ones, of
digits and separators and of the rest (white space), and reads a right-to-left line's
segments last first (`CPDF_TextPage::CloseTempLine`, `CFX_BidiString`): a left-to-right
word keeps its letters, but the words of a left-to-right stretch come out the wrong way
round, `של Amnesty International בלונדון` read `של International Amnesty בלונדון`.
The order it meets the segments in is that of the line's text objects (one per
text-showing instruction) by where each starts, and inside one, of its glyphs
(`CPDF_TextPage::ProcessTextObject`).

`reverse_words` cuts such a stretch, drawn in one instruction of a right-to-left run,
at its spaces into parts (its words and the spaces between them), each in a
marked-content sequence of its own, listed in the run's structure element in the text's
order, and draws them last part first, each starting with an empty glyph placed so that
the parts start in the opposite order to where they are drawn: the first part's a
thousandth of an em left of where the stretch starts, the second's two thousandths
left, and so on, the last part's leftmost (each a glyph of its own: PDFium drops a glyph
drawn within 0.07 em of the same glyph). PDFium meets them last first and reads them,
last first again, in order. The glyphs stay where they were, so the page is the same; pdf.js reads
each part's marked content in the structure's order; poppler reads by position.

The empty glyphs read as U+200F and a space (RLM_SPACE): pdf.js skips a glyph whose
value ends with a format character (category Cf), and with it the number after it in a TJ,
which moves the pen to the part (measured: the stretch drawn off the page for pdf.js, its
words lost); and PDFium gets one more right-to-left segment, which keeps the
line right to left. The first word's reads U+200F alone when no space comes before the
stretch in the text (`מ-Amnesty`): its pen moves only a thousandth of an em after it. A
space between two words is drawn as a copy reading U+200E and a space, which pdf.js
keeps (a space alone it holds back until the next glyph of the same flow, and loses).

Only a stretch of words and spaces is cut, not a word with separators in it (an e-mail
address, a web address, `(0)221`): pdf.js puts a space where its pen jumps forward to a
part from that part's empty glyph, harmless between words only. And PDFium puts a space
of its own between a stretch written onto the word before it and that word
(`מ- Amnesty International`: the jump from the first word's end to the next text).

Measured on the 48 PDFs of `make pdf` of 2026-12-03 (tools/readers/table.py): PDFium
reads 98.3 % of the Arabic and of the Hebrew occurrences exactly (95.0 and 95.3 without
it), pdf.js and poppler the same as without it; on the probe of hard strings
(tools/readers/probe.py) PDFium 75.0 % of the Arabic (66.7).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pikepdf

from publication.tagging import order
from publication.tagging.marks import (
    FontEdit,
    FontEdits,
    Item,
    WrittenTexts,
    code_string,
    shown_codes,
)
from publication.tagging.spaces import LRM, RLM, RLM_SPACE, page_lines, pdfium_reads_rtl

# How far apart the parts' empty glyphs are, in thousandths of an em, left of the stretch's
# start: each is a glyph of its own, or PDFium would drop one drawn within 0.07 em of
# the same glyph just before it.
STEP = 1
_MARKS = frozenset({"\u200e", "\u200f", "\u061c"})


@dataclass(frozen=True)
class _Cut:
    """A run's one text-showing instruction cut into `parts` (glyph ranges, left to
    right) to be drawn last first."""

    run: order.Run
    parts: list[tuple[int, int]]
    spaced: bool  # whether a space comes before the stretch in the text


def reverse_words(pdf: pikepdf.Pdf, rtl: Mapping[int, frozenset[int]],
                  edits: FontEdits) -> int:
    """Cut and redraw the left-to-right stretches of words of the runs `rtl` (page index
    -> MCIDs) in lines PDFium reads right to left (see the module docstring), in the
    pages' instructions of `edits`, for the caller to write; how many were."""
    texts = WrittenTexts(edits)
    count = 0
    for index, mcids, fonts, owners in order.rtl_pages(pdf, rtl):
        items = edits.items(pdf, index)
        if not order.measured(items):
            continue
        cuts = _cuts(items, fonts, mcids, texts, len(owners))
        if not cuts:
            continue
        free = max(len(owners), order.max_mcid(items) + 1)
        replaced: dict[int, list[Item]] = {}
        for cut in cuts:
            show = cut.run.shows[0]
            edit = edits.of(show.font)
            owner = owners[cut.run.mcid]
            if edit is None or not isinstance(owner, pikepdf.Dictionary):
                continue
            # Each part's empty glyph reads a mark and a space, which pdf.js keeps;
            # the first part's only a mark when no space comes before it in the text
            # (`מ-Amnesty`).
            blanks = [edit.blank(RLM_SPACE if variant or cut.spaced else RLM, 0, variant + 1)
                      for variant in range(len(cut.parts))][::-1]
            shown = shown_codes(items[show.index])
            spaces = {start: edit.copy(shown[start], 0, 0, LRM + " ")
                      for start, stop in cut.parts
                      if stop == start + 1 and show.glyphs[start].isspace()}
            if None in blanks or None in spaces.values():
                continue
            numbers = [cut.run.mcid] + list(range(free, free + len(cut.parts) - 1))
            free += len(cut.parts) - 1
            # The part drawn first keeps the run's MCID: the last one.
            numbers = numbers[1:] + numbers[:1]
            replaced[show.index] = _drawn(items, cut, edit, blanks, spaces, numbers)
            order.replace_kid(owners, owner, cut.run.mcid, numbers)
            replaced[cut.run.end] = []
            count += 1
        if replaced:
            edits.replace(index, [new for n, item in enumerate(items)
                                  for new in replaced.get(n, [item])])
    return count


def _cuts(items: list[Item], fonts: pikepdf.Dictionary, mcids: frozenset[int],
          texts: WrittenTexts, owned: int) -> list[_Cut]:
    """The runs of `mcids` with one text-showing instruction and no paths whose glyphs
    are a stretch of words in a line PDFium reads right to left, and their parts."""
    single = {run.shows[0].index: run for run in order.text_runs(items, fonts, mcids, texts)
              if len(run.shows) == 1 and not run.paths and run.mcid < owned
              and _spaced_latin(run.shows[0].glyphs)}
    found: list[_Cut] = []
    if not single:
        return found
    for line in page_lines(items, fonts, mcids, texts):
        if not pdfium_reads_rtl("".join(g for s in line for g in s.glyphs)):
            continue
        levels = order.glyph_levels([g for s in line for g in s.glyphs])
        at = 0
        for k, shown in enumerate(line):
            run = single.get(shown.index)
            glyphs = tuple(shown.glyphs)
            mine = levels[at:at + len(glyphs)]
            at += len(glyphs)
            parts = _parts(list(glyphs), mine) if run is not None else None
            if run is not None and parts is not None:
                # What the text has before the stretch is drawn on its right: a space, or
                # the line's start.
                after = line[k + 1].glyphs if k + 1 < len(line) else []
                spaced = glyphs[-1].isspace() or not after or " " in after[0]
                found.append(_Cut(run, parts, spaced))
    return found


def _spaced_latin(glyphs: tuple[str, ...]) -> bool:
    """Whether a run's glyphs may be a stretch of words: a space, and a Latin letter."""
    return any(g.isspace() for g in glyphs) and \
        any(unicodedata.bidirectional(ch) == "L" for g in glyphs for ch in g)


def _parts(glyphs: list[str], levels: list[int]) -> list[tuple[int, int]] | None:
    """`glyphs` (one instruction's) cut into its words and the spaces between them, when
    they are a stretch of left-to-right words (level 2, no right-to-left letters, marks
    at its ends aside) with a space between two of them; else None. A word holds no
    separator, so that its letters stay one segment to PDFium."""
    first = next((k for k, g in enumerate(glyphs) if g and not _edge(g)), None)
    last = next((k for k in range(len(glyphs) - 1, -1, -1)
                 if glyphs[k] and not _edge(glyphs[k])), None)
    if first is None or last is None or first == last:
        return None
    inner = range(first, last + 1)
    if any(levels[k] != 2 or not glyphs[k] or
           any(unicodedata.bidirectional(ch) in ("R", "AL", "AN") for ch in glyphs[k])
           for k in inner):
        return None
    spaces = [k for k in inner if glyphs[k].isspace()]
    if not spaces or any(not glyphs[k].isspace() and _separated(glyphs[k]) for k in inner):
        return None
    parts: list[tuple[int, int]] = []
    start = 0
    for k in spaces:
        if k > start:
            parts.append((start, k))
        parts.append((k, k + 1))
        start = k + 1
    parts.append((start, len(glyphs)))
    return parts


def _edge(glyph: str) -> bool:
    """Whether a glyph at a stretch's end may be left out of it: a bidi mark, a space."""
    return all(ch in _MARKS for ch in glyph) or glyph.isspace()


def _separated(glyph: str) -> bool:
    """Whether a glyph's value would cut a word into segments for PDFium: one neither a
    left-to-right letter nor a combining mark."""
    return any(unicodedata.bidirectional(ch) not in ("L", "NSM") and ch not in _MARKS
               for ch in glyph)


def _drawn(items: list[Item], cut: _Cut, edit: FontEdit, blanks: list[int | None],
           spaces: dict[int, int | None], numbers: list[int]) -> list[Item]:
    """The run's instruction redrawn as its parts, last first, each in a marked-content
    sequence of its own (`numbers`: their MCIDs, in the text's order; the last part's is
    the run's, whose sequence is open) and starting with one of the `blanks` (empty) at
    its place, a space part's glyph its copy read as LRM and a space (`spaces`, by the
    part's first glyph) (see the module docstring). The run's closing EMC goes: what
    follows the instruction in the run (text state) is left after the parts, out of
    marked content."""
    show = cut.run.shows[0]
    shown = items[show.index]
    pen = order.pen_positions(shown, edit)
    begin = items[cut.run.begin]
    assert isinstance(begin, pikepdf.ContentStreamInstruction)
    out: list[Item] = []
    at = 0.0
    count = len(cut.parts)
    first = pen.starts[cut.parts[0][0]] if cut.parts[0][0] else 0.0
    for rank, (start, stop) in enumerate(reversed(cut.parts)):
        origin = first - (count - rank) * STEP
        where = pen.starts[start] if start else 0.0
        blank = blanks[rank]
        assert blank is not None  # (reverse_words checked)
        operands: list[object] = [-(origin - at), code_string([blank]), -(where - origin)]
        for operand in order.cut(shown, order.Piece(0, start, stop, 2)).operands[0]:
            if isinstance(operand, pikepdf.String) and start in spaces:
                copy = spaces[start]
                assert copy is not None
                operand = code_string([copy])
            operands.append(operand)
        at = pen.starts[stop] if stop < len(pen.starts) else pen.end
        if rank == count - 1 and abs(pen.end - at) > 1e-6:
            operands.append(-(pen.end - at))
        tj = pikepdf.ContentStreamInstruction([pikepdf.Array(operands)], pikepdf.Operator("TJ"))
        if rank == 0:
            out += [tj, pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]
        else:
            out += order.marked(begin, numbers[count - 1 - rank], tj)
    return out
