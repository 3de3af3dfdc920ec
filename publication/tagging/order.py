"""A right-to-left line drawn in several fonts, its parts read in the text's order.

pdf.js (Firefox) makes a text item of each stretch of a line drawn in one font, puts
each item through its own bidi, and gives assistive technology a structure element's
marked content as its items in drawing order. A right-to-left line is drawn from the
left, so the parts of a Hebrew line with a Latin word in the Latin font came out last
part first: `הבין-לאומי (ICC)` read `)ICC( הבין-לאומי` (a line of its own: `)ICC(`),
and `ICC קוראת לשני` read `קוראת לשני ICC`.

`split_lines` cuts each such line into pieces and gives each piece a marked-content
sequence of its own, listed in the line's structure element in the order the text has
them. The glyphs stay where they are and are drawn in the same order (a text-showing
instruction cut in two is two instructions one after the other), so the page, PDFium
and poppler are unchanged; the element keeps its /ActualText.

A piece is a stretch of one instruction's glyphs at one bidi level, as UAX #9 resolves
them in a right-to-left paragraph (`glyph_levels`): right-to-left letters and the
neutrals that read with them at level 1, Latin letters, digits and what reads with them
at level 2.
pdf.js's own bidi reads a level-1 piece with a right-to-left letter right to left and a
level-2 piece left to right, as wanted; a level-1 piece of neutrals only (`) `) it reads
left to right, so each of its glyphs is a piece of its own. The pieces are put in the
text's order by rule L2 of UAX #9 (the runs at level 2, then the whole line,
reversed), which for these two levels turns drawing order back into the text's.

Only a run set right to left (CSS direction rtl) with a line drawn in more than one
instruction, or in one that pdf.js reads left to right (`_read_left_to_right`: Hebrew
`מ-2,000`, drawn `2,000-מ`), is split, and only when its marked content holds nothing
but text and text state in the page's fonts, and paths outside its text objects (a
link's underline), which become an /Artifact sequence of their own: decoration, and no
piece's.

pdf.js puts the start of a line (a line break, for readers of its text) in the marked
content of the glyph drawn first on it, the line's last piece in the text: an empty
glyph read as RLM_SPACE (`publication.tagging.spaces`), drawn first in a sequence of its
own listed before the line's pieces, takes it to the front. It is drawn where the text
starts, at the right end of the line's first piece in the text when one instruction
draws both: drawn at the left end, against the digits of `2,000-מ`, poppler read its
space into the middle of that word (`מ- 2,000`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pikepdf

from publication.tagging.marks import (
    FontEdit,
    FontEdits,
    Item,
    WrittenTexts,
    code_string,
    codes,
    is_mark,
    page_fonts,
    shown_codes,
    shown_operands,
    shows,
)
from publication.tagging.spaces import LEAD, RLM_SPACE

# The instructions a split marked-content sequence may hold besides its text.
_TEXT_STATE = frozenset({"BT", "ET", "Tf", "Tm", "Td", "TD", "T*", "Tc", "Tw", "Tz", "TL",
                         "Ts", "Tr", "q", "Q", "cm", "g", "rg", "k", "G", "RG", "K", "cs",
                         "sc", "scn", "CS", "SC", "SCN", "gs"})
# Bracket pairs (UAX #9 BD16), opening first: each one's partner.
_PAIRS = ("()", "[]", "{}", "\u00ab\u00bb", "\u2039\u203a")
_OPENING = frozenset(pair[0] for pair in _PAIRS)
_PARTNER = {**{pair[0]: pair[1] for pair in _PAIRS}, **{pair[1]: pair[0] for pair in _PAIRS}}
# Path instructions (a link's underline) it may hold outside its text objects: they go
# into an /Artifact sequence of their own when the run is split.
_PATHS = frozenset({"m", "l", "c", "v", "y", "h", "re", "S", "s", "f", "F", "f*", "B", "B*",
                    "b", "b*", "n", "w", "J", "j", "M", "d"})


@dataclass(frozen=True)
class Shown:
    """A text-showing instruction of a run: its index, font, baseline and the Unicode
    values of its glyphs."""

    index: int
    font: pikepdf.Dictionary
    y: float
    glyphs: tuple[str, ...]


@dataclass
class Run:
    """A marked-content sequence of a right-to-left run: where its BDC and EMC are, and
    its text-showing instructions."""

    mcid: int
    begin: int
    end: int
    shows: list[Shown]
    # Stretches (first, last instruction index) outside its text objects that draw a
    # path: decoration, an artifact once the run is split.
    paths: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Piece:
    """Glyphs `start` to `stop` (exclusive) of text-showing instruction `show` (an index
    into its run's), at bidi `level`; or, with `lead`, that glyph drawn before the
    instruction's first."""

    show: int
    start: int
    stop: int
    level: int
    lead: int | None = None
    # Where the lead glyph is drawn: this many thousandths of an em right of the
    # instruction's start.
    offset: float = 0


def split_lines(pdf: pikepdf.Pdf, rtl: Mapping[int, frozenset[int]],
                edits: FontEdits) -> dict[int, frozenset[int]]:
    """Split the lines of the runs `rtl` (page index -> MCIDs) drawn in more than one
    text-showing instruction (see the module docstring), in the pages' instructions of
    `edits` (for the caller to write); page index -> the new MCIDs."""
    texts = WrittenTexts(edits)
    added: dict[int, frozenset[int]] = {}
    for index, mcids, fonts, owners in rtl_pages(pdf, rtl):
        items = edits.items(pdf, index)
        runs = [run for run in text_runs(items, fonts, mcids, texts)
                if any(len(line) > 1 or _read_left_to_right(run, line) for line in _lines(run))
                and run.mcid < len(owners) and isinstance(owners[run.mcid], pikepdf.Dictionary)]
        if not runs:
            continue
        free = max(len(owners), max_mcid(items) + 1)
        exact = measured(items)
        new: set[int] = set()
        drawn: dict[int, list[tuple[int, Piece]]] = {}  # instruction index -> its pieces
        for run in runs:
            owner = owners[run.mcid]
            assert isinstance(owner, pikepdf.Dictionary)  # (`runs` has only such)
            numbers: list[int] = []
            for line in _lines(run):
                pieces = _pieces(run, line)
                in_order = [pieces[k] for k in logical_order([p.level for p in pieces])]
                lead = _lead(items, run, pieces, in_order, edits, exact)
                wanted = ([lead] if lead is not None else []) + in_order
                for piece in wanted:
                    number = run.mcid if not numbers else free
                    if numbers:
                        free += 1
                        new.add(number)
                    numbers.append(number)
                    drawn.setdefault(run.shows[piece.show].index, []).append((number, piece))
            replace_kid(owners, owner, run.mcid, numbers)
        edits.replace(index, _rewritten(items, runs, drawn))
        added[index] = frozenset(new)
    return added


def rtl_pages(pdf: pikepdf.Pdf, rtl: Mapping[int, frozenset[int]],
              ) -> Iterator[tuple[int, frozenset[int], pikepdf.Dictionary, pikepdf.Array]]:
    """The pages with runs `rtl` (page index -> MCIDs), fonts and structure: each one's
    index, MCIDs, /Font resources and parent tree entry (MCID -> element)."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, pikepdf.Dictionary) or "/ParentTree" not in root:
        return
    parent_tree = pikepdf.NumberTree(root.ParentTree)
    for index, page, fonts in page_fonts(pdf):
        mcids = rtl.get(index)
        if not mcids or "/StructParents" not in page.obj:
            continue
        owners = parent_tree.get(int(page.obj.StructParents))
        if isinstance(owners, pikepdf.Array):
            yield index, mcids, fonts, owners


def logical_order(levels: list[int]) -> list[int]:
    """The indices of a right-to-left line's pieces (their bidi `levels`, 1 or 2, in
    drawing order, left to right) in the order the text has them (rule L2 of UAX #9)."""
    visual = list(range(len(levels)))
    k = 0
    while k < len(visual):  # each run at level 2 reversed
        if levels[k] == 2:
            end = k
            while end < len(visual) and levels[end] == 2:
                end += 1
            visual[k:end] = visual[k:end][::-1]
            k = end
        else:
            k += 1
    return visual[::-1]


def glyph_levels(glyphs: list[str]) -> list[int]:
    """Each glyph's bidi level in a line of a right-to-left paragraph (`glyphs`: their
    Unicode values in drawing order, left to right), resolved as pdf.js's own bidi
    resolves a right-to-left text item (`src/core/bidi.js`, after UAX #9): a number's
    separators as the number (W4, W5); a digit after Latin letters, reading from the
    left, as Latin (W7); a pair of brackets as its drawing shows (`_bracket_levels`, N0:
    pdf.js has no rule for them); right-to-left letters at level 1, Latin letters and
    digits at 2; every other neutral at 2 between two of level 2 (digits counting as
    right to left) and at 1 otherwise, the line's ends counting as right to left (N1, N2); a
    combining mark, or a glyph of no known value, at the level of the glyph drawn after
    it (its base: a mark is drawn before it), else of the one before.

    A line drawn in one font is one item to pdf.js: its pieces, put in order at these
    levels, read as pdf.js reads that line whole."""
    kinds = [_kind(g) for g in glyphs]
    for k, kind in enumerate(kinds):  # W4, W5
        left = kinds[k - 1] if k else ""
        right = kinds[k + 1] if k + 1 < len(kinds) else ""
        if kind == "ES" and left == right == "EN" or \
                kind == "CS" and left == right and left in ("EN", "AN"):
            kinds[k] = left
    for k, kind in enumerate(kinds):
        if kind == "ET" and "EN" in (kinds[k - 1] if k else "",
                                     kinds[k + 1] if k + 1 < len(kinds) else ""):
            kinds[k] = "EN"
    last = "R"
    for k, kind in enumerate(kinds):  # W7
        if kind == "EN" and last == "L":
            kinds[k] = "L"
        elif kind in ("L", "R"):
            last = kind
    strong = {"R": 1, "L": 2, "EN": 2, "AN": 2}
    levels = [strong.get(kind, 0) for kind in kinds]
    for k, level in _bracket_levels(glyphs).items():
        levels[k] = level
    for k, kind in enumerate(kinds):
        if levels[k] or kind == "M":
            continue
        left = next((kinds[j] for j in range(k - 1, -1, -1) if kinds[j] in strong), "R")
        right = next((kinds[j] for j in range(k + 1, len(kinds)) if kinds[j] in strong), "R")
        levels[k] = 2 if left == right == "L" else 1
    for k in range(len(levels) - 1, -1, -1):
        if not levels[k] and k + 1 < len(levels):
            levels[k] = levels[k + 1]
    for k, level in enumerate(levels):
        if not level:
            levels[k] = levels[k - 1] if k else 1
    return levels


def _bracket_levels(glyphs: list[str]) -> dict[int, int]:
    """The levels of the brackets of a pair drawn in `glyphs` (left to right), as the
    drawing shows them (UAX #9 N0 resolved them before the line was laid out): an
    opening bracket on the left of its closing one reads left to right (level 2),
    a closing one on the left of its opening one, mirrored, right to left (1)."""
    found: dict[int, int] = {}
    for k, glyph in enumerate(glyphs):
        if k in found or glyph not in _PARTNER:
            continue
        partner, depth = _PARTNER[glyph], 0
        for j in range(k + 1, len(glyphs)):
            if glyphs[j] == glyph:
                depth += 1
            elif glyphs[j] == partner:
                if depth == 0:
                    found[k] = found[j] = 2 if glyph in _OPENING else 1
                    break
                depth -= 1
    return found


def _kind(glyph: str) -> str:
    """A glyph's bidi class for `glyph_levels`: L, R, EN, AN, CS, ES, ET, M (a mark, or
    no value) or N."""
    classes = [unicodedata.bidirectional(ch) for ch in glyph if not is_mark(ch)]
    if not classes:
        return "M"
    if "L" in classes:
        return "L"
    if any(c in ("R", "AL") for c in classes):
        return "R"
    for kind in ("EN", "AN"):
        if kind in classes:
            return kind
    if len(classes) == 1 and classes[0] in ("CS", "ES", "ET"):
        return classes[0]
    return "N"


def _pieces(run: Run, line: list[int]) -> list[Piece]:
    """The pieces of the line made of the instructions `line` (indices into
    `run.shows`), left to right (see the module docstring)."""
    glyphs = [(s, g, text) for s in line for g, text in enumerate(run.shows[s].glyphs)]
    levels = glyph_levels([text for _, _, text in glyphs])
    pieces: list[Piece] = []
    for k, (s, g, _) in enumerate(glyphs):
        last = pieces[-1] if pieces else None
        if last is not None and last.show == s and last.level == levels[k]:
            pieces[-1] = Piece(s, last.start, g + 1, last.level)
        else:
            pieces.append(Piece(s, g, g + 1, levels[k]))
    out: list[Piece] = []
    for piece in pieces:
        texts = run.shows[piece.show].glyphs[piece.start:piece.stop]
        if piece.level == 1 and "R" not in map(_kind, texts):
            out.extend(Piece(piece.show, g, g + 1, 1) for g in range(piece.start, piece.stop))
        else:
            out.append(piece)
    return _with_marks(run, out)


def _with_marks(run: Run, pieces: list[Piece]) -> list[Piece]:
    """`pieces` as they are, with none cut between a combining mark and its base."""
    out: list[Piece] = []
    for piece in pieces:
        glyphs = run.shows[piece.show].glyphs
        last = out[-1] if out else None
        if last is not None and last.show == piece.show and last.stop == piece.start and \
                glyphs[last.stop - 1] and all(is_mark(ch) for ch in glyphs[last.stop - 1]):
            out[-1] = Piece(piece.show, last.start, piece.stop, piece.level)
        else:
            out.append(piece)
    return out


def _lead(items: list[Item], run: Run, pieces: list[Piece], in_order: list[Piece],
          edits: FontEdits, exact: bool) -> Piece | None:
    """A piece for the lead glyph of a line (its `pieces` as drawn, and `in_order`)
    whose first piece drawn is not its first in the text, drawn before that piece (see
    the module docstring; where the text starts when `pen_positions` is `exact` on the
    page, `measured`); None when it needs none, or its font cannot be edited."""
    if in_order[0] is pieces[0]:
        return None
    first = pieces[0]
    edit = edits.of(run.shows[first.show].font)
    glyph = edit.blank(RLM_SPACE, LEAD) if edit is not None else None
    if edit is None or glyph is None:
        return None
    start = in_order[0]
    offset = pen_positions(items[run.shows[first.show].index], edit).ends[start.stop - 1] \
        if start.show == first.show and exact else 0
    return Piece(first.show, 0, 0, first.level, lead=glyph, offset=offset)


def measured(items: list[Item]) -> bool:
    """Whether `pen_positions` is exact on a page (its `items`): no character or word
    spacing and no horizontal scaling set, which WeasyPrint does not write."""
    return not any(isinstance(item, pikepdf.ContentStreamInstruction) and
                   str(item.operator) in ("Tc", "Tw", "Tz", "'", '"') for item in items)


@dataclass(frozen=True)
class Pen:
    """Where a text-showing instruction's pen is, in thousandths of an em from where it
    starts: at each glyph (after the numbers before it), right after each glyph, and
    at its end (after its last numbers)."""

    starts: list[float]
    ends: list[float]
    end: float


def pen_positions(shown: Item, edit: FontEdit) -> Pen:
    """The pen of `shown` (a TJ or Tj in `edit`'s font, drawn with no character or word
    spacing and no horizontal scaling), from the glyphs' advances in its program."""
    assert isinstance(shown, pikepdf.ContentStreamInstruction)
    order = edit.program.getGlyphOrder()
    metrics = edit.program["hmtx"]
    starts: list[float] = []
    ends: list[float] = []
    moved = 0.0
    for operand in shown_operands(shown):
        if isinstance(operand, pikepdf.String):
            for code in codes(bytes(operand)):
                starts.append(moved)
                moved += metrics[order[code]][0] * 1000 / edit.upem if code < len(order) else 0
                ends.append(moved)
        else:
            moved -= float(operand)
    return Pen(starts, ends, moved)


def cut(shown: Item, piece: Piece) -> Item:
    """The text-showing instruction of `piece`'s glyphs of `shown`, with the numbers
    that move the pen after each of them (and before the first, for the first piece);
    for a lead piece, the lead glyph and the number that takes its width back."""
    if piece.lead is not None:
        drawn = [code_string([piece.lead]), LEAD + piece.offset]
        return pikepdf.ContentStreamInstruction(
            [pikepdf.Array([-piece.offset, *drawn] if piece.offset else drawn)],
            pikepdf.Operator("TJ"))
    assert isinstance(shown, pikepdf.ContentStreamInstruction)
    result: list[object] = []
    k = 0
    for operand in shown_operands(shown):
        if isinstance(operand, pikepdf.String):
            glyphs = [c for n, c in enumerate(codes(bytes(operand)), start=k)
                      if piece.start <= n < piece.stop]
            k += len(codes(bytes(operand)))
            if glyphs:
                result.append(code_string(glyphs))
        elif piece.start < k <= piece.stop or k == 0 and piece.start == 0:
            result.append(operand)
    return pikepdf.ContentStreamInstruction([pikepdf.Array(result)], pikepdf.Operator("TJ"))


def _read_left_to_right(run: Run, line: list[int]) -> bool:
    """Whether pdf.js reads the right-to-left letters of the line drawn in the one
    instruction `line` in drawing order: its bidi (`src/core/bidi.js`) takes a text
    item longer than 4 with right-to-left values (R, AL, AN) but fewer than 30 % of them
    for a left-to-right one, whatever the paragraph's direction (Hebrew `מ-2,000`,
    drawn `2,000-מ`, read so)."""
    text = "".join(run.shows[line[0]].glyphs)
    rtl = sum(unicodedata.bidirectional(ch) in ("R", "AL", "AN") for ch in text)
    return len(line) == 1 and len(text) > 4 and 0 < rtl < 0.3 * len(text) and \
        any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _lines(run: Run) -> list[list[int]]:
    """The indices into `run.shows` of the instructions drawn one after another on one
    baseline, line by line."""
    lines: list[list[int]] = []
    for k, show in enumerate(run.shows):
        if lines and abs(run.shows[lines[-1][-1]].y - show.y) < 0.01:
            lines[-1].append(k)
        else:
            lines.append([k])
    return lines


def text_runs(items: list[Item], fonts: pikepdf.Dictionary, mcids: frozenset[int],
          texts: WrittenTexts) -> list[Run]:
    """The marked-content sequences of `mcids` at the top level of a page's `items`
    that hold only text (and text state) in the page's fonts."""
    runs = {run.mcid: run for run in _sequences(items, mcids)}
    for show in shows(items, fonts):
        run = runs.get(show.mcid) if show.mcid is not None else None
        if run is None or not run.begin < show.index < run.end:
            continue
        if not isinstance(show.font, pikepdf.Dictionary):
            del runs[run.mcid]  # text in a font that is not the page's
            continue
        table = texts.of(show.font)
        run.shows.append(Shown(show.index, show.font, show.y, tuple(
            table.get(c, "") for c in shown_codes(items[show.index]))))
    return list(runs.values())


def _sequences(items: list[Item], mcids: frozenset[int]) -> list[Run]:
    """The marked-content sequences of `mcids` at the top level of `items` with nothing
    in them but text and text state (`_TEXT_STATE`), and paths outside text objects
    (`_PATHS`, each stretch of them noted), their text not yet read."""
    found: list[Run] = []
    depth = 0
    run: Run | None = None
    clean = True
    in_text = False
    stretch: list[int] = []  # the instructions outside text objects since the last text
    for n, item in enumerate(items):
        op = str(item.operator) if isinstance(item, pikepdf.ContentStreamInstruction) else ""
        if op in ("BDC", "BMC"):
            props = item.operands[1] if len(item.operands) > 1 else None
            mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and \
                "/MCID" in props else None
            if depth == 0 and mcid in mcids and op == "BDC":
                run, clean, stretch = Run(mcid, n, -1, []), True, []
            elif run is not None:
                clean = False
            depth += 1
            continue
        if op == "EMC":
            depth -= 1
            if depth == 0 and run is not None:
                _close(run, items, stretch)
                run.end = n
                if clean and not in_text:
                    found.append(run)
                run = None
            continue
        if run is None:
            continue
        if op == "BT":
            _close(run, items, stretch)
            in_text = True
        elif op == "ET":
            in_text = False
        elif not in_text:
            stretch.append(n)
        if op in _PATHS and in_text or \
                op not in _TEXT_STATE and op not in _PATHS and op not in ("TJ", "Tj"):
            clean = False  # (an inline image too)
    return found


def _close(run: Run, items: list[Item], stretch: list[int]) -> None:
    """Note `stretch` (instruction indices outside text objects) among `run`'s paths
    when it draws one; empty it."""
    if any(str(items[n].operator) in _PATHS for n in stretch
           if isinstance(items[n], pikepdf.ContentStreamInstruction)):
        run.paths.append((stretch[0], stretch[-1]))
    stretch.clear()


def max_mcid(items: list[Item]) -> int:
    found = -1
    for item in items:
        if isinstance(item, pikepdf.ContentStreamInstruction) and \
                str(item.operator) == "BDC" and len(item.operands) > 1 and \
                isinstance(item.operands[1], pikepdf.Dictionary) and \
                "/MCID" in item.operands[1]:
            found = max(found, int(item.operands[1].MCID))
    return found


def _rewritten(items: list[Item], runs: list[Run],
               drawn: dict[int, list[tuple[int, Piece]]]) -> list[Item]:
    """`items` with each run's BDC and EMC taken out and each of its text-showing
    instructions replaced by its pieces (`drawn`: instruction index -> the MCID of each
    piece and the piece), drawn in order (a lead first), each in a marked-content
    sequence of its own, of the run's tag."""
    begins: dict[int, pikepdf.ContentStreamInstruction] = {}
    dropped: set[int] = set()
    opens: set[int] = set()  # where an artifact's paths start and end
    closes: set[int] = set()
    for run in runs:
        begin = items[run.begin]
        assert isinstance(begin, pikepdf.ContentStreamInstruction)
        for show in run.shows:
            begins[show.index] = begin
        dropped.update((run.begin, run.end))
        opens.update(first for first, _ in run.paths)
        closes.update(last for _, last in run.paths)
    out: list[Item] = []
    for n, item in enumerate(items):
        if n in dropped:
            continue
        if n in opens:
            out.append(pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact],
                                                        pikepdf.Operator("BMC")))
        if n not in drawn:
            out.append(item)
            if n in closes:
                out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
            continue
        for number, piece in sorted(drawn[n], key=lambda d: (d[1].lead is None, d[1].start)):
            out.extend(marked(begins[n], number, cut(item, piece)))
    return out


def marked(begin: pikepdf.ContentStreamInstruction, mcid: int,
            item: Item) -> list[Item]:
    """`item` in a marked-content sequence like `begin`'s, with the MCID `mcid`."""
    tag, props = begin.operands[0], begin.operands[1]
    own = pikepdf.Dictionary({str(k): v for k, v in props.items()})
    own.MCID = mcid
    return [pikepdf.ContentStreamInstruction([tag, own], pikepdf.Operator("BDC")), item,
            pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]


def replace_kid(owners: pikepdf.Array, owner: pikepdf.Dictionary, mcid: int,
                numbers: list[int]) -> None:
    """`owner`'s kid `mcid` (an MCID, or a marked-content reference to one) replaced by
    the MCIDs `numbers`, in that order, each of them `owner`'s in the page's parent tree
    entry `owners` (grown as needed)."""
    while len(owners) <= max(numbers):
        owners.append(None)
    for number in numbers:
        owners[number] = owner
    kids = owner.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    out: list[object] = []
    for kid in items:
        if isinstance(kid, int) and not isinstance(kid, bool) and int(kid) == mcid:
            out.extend(numbers)
        elif isinstance(kid, pikepdf.Dictionary) and str(kid.get("/Type", "")) == "/MCR" \
                and int(kid.get("/MCID", -1)) == mcid:
            for number in numbers:
                ref = pikepdf.Dictionary({str(k): v for k, v in kid.items()})
                ref.MCID = number
                out.append(ref)
        else:
            out.append(kid)
    owner.K = pikepdf.Array(out) if len(out) != 1 else out[0]
