"""Glyphs whose Unicode values WeasyPrint got wrong, mended from the text each run draws.

WeasyPrint maps each glyph of a font to the characters of the cluster it is first drawn
in, once for the whole document (see `publication.tagging.marks`). A glyph that is not
the first of its cluster the first time it is drawn gets no characters, for every use:
a lam-alef ligature first drawn after a tanwin (`امتثالًا`) then reads as nothing, and
the gate refuses the file (Matterhorn 10-001, a code with no Unicode value). And a mark
whose glyph got its own character elsewhere reads after the ligature it sits in
(`امتثالاً` for `امتثالًا`, in PDFium, pdftotext and pdf.js).

The tag record knows the text of every run (the marked-content sequence WeasyPrint drew
for one text box). For a right-to-left run whose glyphs, read from the last drawn to the
first (digits left to right), do not give that text, `mend` looks for the one answer
that does:

- a glyph with no characters gets those the text has in its place, for the whole
  document, when the runs it is drawn in that can be solved all agree;
- a mark and the ligature it follows in reading order read as the text has them (the
  ligature its letters before the mark, the mark itself and the letters after it: the
  mark's glyph has no width, and pdf.js, which takes a glyph whose value holds a mark
  for one of no width, found a space after the ligature's, `امتثا لًا`), through
  copies of both glyphs for that place only (`FontEdit.copy`).

Nothing is changed unless the run then reads exactly its text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pikepdf

from publication.tagging.marks import (
    FontEdits,
    Item,
    WrittenTexts,
    code_string,
    codes,
    editable,
    is_mark,
    page_fonts,
    shown_operands,
    shows,
)

IGNORED = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u00ad\u2010"))  # marks, hyphens
MAX_GLYPH_TEXT = 4  # characters a glyph may be found to stand for


@dataclass
class _Glyph:
    """One glyph drawn: where its code is (instruction, operand, position in the string),
    its font and code."""

    item: int
    operand: int
    at: int
    font: pikepdf.Dictionary
    code: int


def mend(pdf: pikepdf.Pdf, runs: Mapping[tuple[int, int], str], edits: FontEdits) -> int:
    """Mend the Unicode values of the glyphs of the right-to-left runs `runs` ((page
    index, MCID) -> the run's text, right-to-left letters with no left-to-right ones),
    as the module docstring says; the number of glyphs and places mended. New values,
    copies and instructions are made in `edits`, for the caller to write."""
    pages = []
    for index, _, fonts in page_fonts(pdf):
        wanted = {mcid for (p, mcid) in runs if p == index}
        if not wanted:
            continue
        items = edits.items(pdf, index)
        drawn = _drawn(items, fonts, wanted)
        if drawn:
            pages.append((index, items, drawn, {m: runs[(index, m)] for m in drawn}))
    texts = WrittenTexts(edits)
    mended = _fill_empty(pages, texts, edits)
    for index, items, drawn, targets in pages:
        changed = 0
        for mcid, glyphs in drawn.items():
            changed += _split_marks(items, glyphs, targets[mcid], texts, edits)
        if changed:
            edits.changed.add(index)
            mended += changed
    return mended


def _drawn(items: list[Item], fonts: pikepdf.Dictionary, wanted: set[int],
           ) -> dict[int, list[_Glyph]]:
    """The glyphs of the runs `wanted` (MCIDs), in drawing order; none of a run drawn in
    a font that cannot be edited."""
    found: dict[int, list[_Glyph]] = {}
    refused: set[int] = set()
    for show in shows(items, fonts):
        if show.mcid not in wanted:
            continue
        font = show.font
        if not isinstance(font, pikepdf.Dictionary) or not editable(font):
            refused.add(show.mcid)
            continue
        item = items[show.index]
        assert isinstance(item, pikepdf.ContentStreamInstruction)
        glyphs = found.setdefault(show.mcid, [])
        for k, part in enumerate(shown_operands(item)):
            if isinstance(part, pikepdf.String):
                glyphs.extend(_Glyph(show.index, k, j, font, c)
                              for j, c in enumerate(codes(bytes(part))))
    return {mcid: glyphs for mcid, glyphs in found.items() if mcid not in refused}


def _plain(text: str) -> str:
    return "".join(text.translate(IGNORED).split())


Word = list[tuple[_Glyph, str]]


def _words(glyphs: list[_Glyph], texts: WrittenTexts, target: str) -> list[tuple[Word, str]]:
    """The words of a run, each its glyphs (drawn from left to right) in reading order
    with their values and the word of `target` they must read; none when the run and
    `target` do not have the same number of words.

    Reading order is from the last glyph drawn to the first, each run of digits turned
    back to left to right; words end at glyphs that stand for spaces."""
    order = [(g, texts.of(g.font).get(g.code, "")) for g in reversed(glyphs)]
    reading: list[tuple[_Glyph, str] | None] = []  # None: a space
    digits: list[tuple[_Glyph, str]] = []
    for glyph, text in order:
        plain = _plain(text)
        if plain and all(unicodedata.bidirectional(c) in ("EN", "AN", "CS") for c in plain) \
                and (digits or any(c.isdigit() for c in plain)):
            digits.append((glyph, plain))
            continue
        reading.extend(reversed(digits))
        digits = []
        if text and not plain:
            if text.translate(IGNORED):  # a space, not a right-to-left mark
                reading.append(None)
            continue
        reading.append((glyph, plain))
    reading.extend(reversed(digits))
    words: list[Word] = [[]]
    for entry in reading:
        if entry is None:
            words.append([])
        else:
            words[-1].append(entry)
    words = [w for w in words if w]
    wanted = [_plain(w) for w in target.split()]
    wanted = [w for w in wanted if w]
    return list(zip(words, wanted, strict=True)) if len(words) == len(wanted) else []


def _fill_empty(pages: list[tuple[int, list[Item], dict[int, list[_Glyph]], dict[int, str]]],
                texts: WrittenTexts, edits: FontEdits) -> int:
    """Glyphs with no Unicode value given the characters every word that can be solved
    agrees on (a word with one such glyph, once or more, whose other glyphs read as the
    word has them)."""
    answers: dict[tuple[tuple[int, int], int], set[str]] = {}
    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for _, _, drawn, targets in pages:
        for mcid, glyphs in drawn.items():
            for word, wanted in _words(glyphs, texts, targets[mcid]):
                empty = {(g.font.objgen, g.code) for g, text in word if not text}
                if len(empty) != 1:
                    continue  # none, or two unknowns: not one answer
                key = next(iter(empty))
                fonts[key[0]] = next(g.font for g, text in word if not text)
                found = _solve(word, wanted)
                if found:
                    answers.setdefault(key, set()).add(found)
    mended = 0
    for (objgen, code), values in answers.items():
        edit = edits.of(fonts[objgen]) if len(values) == 1 else None
        if edit is not None:
            edit.retexted[code] = next(iter(values))
            texts.refresh(fonts[objgen])
            mended += 1
    return mended


def _solve(word: Word, wanted: str) -> str | None:
    """The characters of the one glyph of `word` with none, that make it read `wanted`
    (None: no answer). Drawn once and followed by a mark, the glyph may hold the mark
    inside it (a lam-alef ligature): its characters are those on both sides of it."""
    blanks = [i for i, (_, text) in enumerate(word) if not text]
    pattern = []
    inside = len(blanks) == 1 and blanks[0] + 1 < len(word) and \
        len(word[blanks[0] + 1][1]) == 1 and is_mark(word[blanks[0] + 1][1])
    for i, (_, text) in enumerate(word):
        if text:
            if not (inside and i == blanks[0] + 1):
                pattern.append(re.escape(text))
        elif inside:
            pattern.append(f"(.{{1,{MAX_GLYPH_TEXT}}}?)({re.escape(word[i + 1][1])})"
                           f"(.{{0,{MAX_GLYPH_TEXT - 1}}}?)")
        else:
            pattern.append(f"(.{{1,{MAX_GLYPH_TEXT}}}?)" if i == blanks[0] else r"\1")
    found = re.fullmatch("".join(pattern), wanted)
    if found is None:
        return None
    return found.group(1) + found.group(3) if inside else found.group(1)


def _split_marks(items: list[Item], glyphs: list[_Glyph], target: str, texts: WrittenTexts,
                 edits: FontEdits) -> int:
    """Marks read after the ligature they sit in, read where `target` has them (see the
    module docstring); the number of places changed."""
    splits: list[tuple[_Glyph, str, _Glyph, str]] = []
    for word, wanted in _words(glyphs, texts, target):
        values = [text for _, text in word]
        if "".join(values) == wanted or not all(values):
            continue
        found = []
        at = 0
        for i, (glyph, text) in enumerate(word):
            if i + 1 < len(word) and len(text) >= 2 and not any(map(is_mark, text)) \
                    and len(values[i + 1]) == 1 and is_mark(values[i + 1]):
                sign = values[i + 1]
                here = wanted[at:at + len(text) + 1]
                for k in range(1, len(text)):
                    if here == text[:k] + sign + text[k:] and here != text + sign:
                        found.append((glyph, text[:k], word[i + 1][0], sign + text[k:]))
                        values[i], values[i + 1] = text[:k], sign + text[k:]
                        break
            at += len(values[i])
        if found and "".join(values) == wanted:
            splits.extend(found)
    for base, base_text, mark, mark_text in splits:
        new_base = _copy(edits, base, base_text)
        new_mark = _copy(edits, mark, mark_text)
        if new_base is None or new_mark is None:
            continue
        _replace(items, base, new_base)
        _replace(items, mark, new_mark)
        texts.refresh(base.font)
    return len(splits)


def _copy(edits: FontEdits, glyph: _Glyph, text: str) -> int | None:
    """A copy of `glyph` reading `text`: of the original, with the same shift, when the
    glyph is itself a copy (`marks.baseline_marks`' raised marks)."""
    edit = edits.of(glyph.font)
    if edit is None:
        return None
    for (gid, dx, dy, _), new in edit.copies.items():
        if new == glyph.code and gid >= 0:
            return edit.copy(gid, dx, dy, text)
    return edit.copy(glyph.code, 0, 0, text)


def _replace(items: list[Item], glyph: _Glyph, code: int) -> None:
    item = items[glyph.item]
    assert isinstance(item, pikepdf.ContentStreamInstruction)
    operands = shown_operands(item)
    part = codes(bytes(operands[glyph.operand]))
    part[glyph.at] = code
    operands[glyph.operand] = code_string(part)
    items[glyph.item] = pikepdf.ContentStreamInstruction([pikepdf.Array(operands)],
                                                         pikepdf.Operator("TJ"))
