"""Combining marks placed by numbers around them in a TJ, drawn with the offset in their
outline instead; and the kerning between marks and their letter moved before the marks.

WeasyPrint places a combining mark that HarfBuzz moves sideways only (Hebrew points) by
the numbers around it in the TJ array: `[... -291 <hiriq> 290 <yod> ...]`, the pen moved
right by 0.291 em, the mark (of no width) drawn, the pen moved back. PDFium takes the jump
before the mark for a space of its own (`CPDF_TextPage::ProcessTextObjectItems`), and
read `שָׁלוֹם` as `שׁ ָ לוֹם`; poppler, for which the mark then stands right of its base,
read it before the base (`ׁ ָשלוֹם`). `offset_marks` draws such a mark as a copy of its
glyph with the offset in its outline (`FontEdit.copy`, the same width and Unicode value),
in place of the first number, and the pen moved after it as far as the two numbers moved
it: the page is the same, and every reader finds the mark with its base. (A mark raised or
lowered by a text rise is `marks.baseline_marks`'s, which moves it the same way.)

Measured on 2026-12-03: PDFium reads `שָׁלוֹם עֲלֵיכֶם, בְּרֵאשִׁית` exactly (the probe of hard
strings, tools/readers/probe.py: 63.6 % of the Hebrew, 54.5 without), poppler
`שָׁלוֹם עֲלֵיכֶם`. pdf.js read them all before, and does.

`kern_marks`, after the clusters are mended: a letter kerned against the one before it
is drawn after its marks and the kerning (`<dagesh> <sheva> 25.6 <bet>`), so it starts a
little left of where its marks were drawn, and poppler takes it for a duplicate of them
and a word of its own (`ברֵאשִׁית ְּ`). The number goes before the marks, and the marks
are drawn as copies moved back by it: the page is the same, the letter starts where
its marks are, and poppler reads `בְּרֵאשִׁית` (the probe: 100 % of the Hebrew, 90.9
without; pdf.js and PDFium the same). It moves Arabic marks kerned the same way too.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any

import pikepdf

from publication.tagging.marks import (
    FontEdit,
    FontEdits,
    WrittenTexts,
    code_string,
    codes,
    is_mark,
    page_fonts,
    shown_codes,
    shown_operands,
    shows,
)

# The smallest offset, in thousandths of an em, worth a copy: WeasyPrint writes the
# rounding of a mark's place as numbers below it (an Arabic haraka's `-0.18`).
LEAST = 1.0


def offset_marks(pdf: pikepdf.Pdf, edits: FontEdits) -> int:
    """Draw each mark placed by numbers around it as a copy with its offset (see the
    module docstring), in the pages' instructions of `edits`, for the caller to write;
    the number of marks."""
    return _rewrite(pdf, edits, _offsets)


def kern_marks(pdf: pikepdf.Pdf, edits: FontEdits) -> int:
    """Move each number between a right-to-left letter's marks and the letter before the
    marks (`_kern_first`), in the pages' instructions of `edits`, for the caller to
    write; the number of marks drawn as copies for it."""
    return _rewrite(pdf, edits, _kern_first)


Rewrite = Callable[[list[Any], dict[int, str], Callable[[], FontEdit | None]],
                   tuple[list[Any], int]]


def _rewrite(pdf: pikepdf.Pdf, edits: FontEdits, rewrite: Rewrite) -> int:
    """`rewrite` applied to the operands of each text-showing instruction that shows a
    mark (with the font's codes -> text, and its FontEdit when asked for); the total of
    the counts it gives."""
    texts = WrittenTexts(edits)
    marks_of: dict[tuple[int, int], frozenset[int]] = {}  # font -> its marks' codes
    total = 0

    def marks_of_font(font: pikepdf.Dictionary) -> frozenset[int]:
        marks = marks_of.get(font.objgen)
        if marks is None:
            marks = marks_of[font.objgen] = _marks(texts.of(font))
        return marks

    for index, _, fonts in page_fonts(pdf):
        if not any(marks_of_font(font) for font in fonts.values()
                   if isinstance(font, pikepdf.Dictionary)):
            continue  # no font of the page has a mark: a page in Latin letters
        items = edits.items(pdf, index)
        changed = False
        for show in list(shows(items, fonts)):
            font = show.font
            if not isinstance(font, pikepdf.Dictionary):
                continue
            table = texts.of(font)
            marks = marks_of_font(font)
            shown = items[show.index]
            if not marks or not any(code in marks for code in shown_codes(shown)):
                continue
            assert isinstance(shown, pikepdf.ContentStreamInstruction)
            operands = [o for o in shown_operands(shown)
                        if not isinstance(o, pikepdf.String) or len(bytes(o)) >= 2]
            result, count = rewrite(operands, table, functools.partial(edits.of, font))
            if count:
                total += count
                items[show.index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Array(result)], pikepdf.Operator("TJ"))
                changed = True
        if changed:
            edits.replace(index, items)
    return total


def _offsets(operands: list[Any], table: dict[int, str],
             edit_of: Callable[[], FontEdit | None]) -> tuple[list[Any], int]:
    """`operands` with each mark placed by numbers around it drawn as a copy with its
    offset; how many."""
    places = [k for k in range(1, len(operands) - 1) if _placed(operands, k, table)]
    edit = edit_of() if places else None
    if edit is None:
        return operands, 0
    result: list[Any] = []
    moved = 0
    k = 0
    while k < len(operands):
        if k + 1 in places:
            number = float(operands[k])
            mark = codes(bytes(operands[k + 1]))[0]
            copy = edit.copy(mark, round(-number / 1000 * edit.upem), 0)
            if copy is not None:
                rest = number + float(operands[k + 2])
                result += [code_string([copy])] + ([rest] if rest else [])
                moved += 1
                k += 3
                continue
        result.append(operands[k])
        k += 1
    return result, moved


def _kern_first(operands: list[Any], table: dict[int, str],
                edit_of: Callable[[], FontEdit | None]) -> tuple[list[Any], int]:
    """`operands` with each number between a right-to-left letter's marks and the letter
    (the letters' kerning: `<resh> <dagesh> <sheva> 25.6 <bet>`) moved before the marks,
    the marks drawn as copies moved back by it (the page is the same); and how many
    marks. poppler takes a letter that starts left of where its marks were drawn for a
    duplicate and a word of its own (`ב ְּ` for `בְּ`)."""
    result = _numbers_joined(operands)
    kerned = 0
    k = 0
    while k < len(result):
        run = _marks_run(result, k, table)
        edit = edit_of() if run is not None else None
        if run is None or edit is None:
            k += 1
            continue
        end = run  # result[end]: the number; result[end + 1]: the letter
        number = float(result[end])
        dx = round(number / 1000 * edit.upem)
        moved: list[Any] = [number]
        for item in result[k:end]:
            if isinstance(item, pikepdf.String):
                copy = edit.copy(codes(bytes(item))[0], dx, 0)
                if copy is None:
                    break
                moved.append(code_string([copy]))
            else:
                moved.append(item)
        else:
            kerned += sum(isinstance(item, pikepdf.String) for item in result[k:end])
            result[k:end + 1] = moved
            k = end + 2
            continue
        k = end + 1
    return (result, kerned) if kerned else (operands, 0)


def _numbers_joined(operands: list[Any]) -> list[Any]:
    """`operands` with each run of numbers written as their sum (none for 0)."""
    joined: list[Any] = []
    for item in operands:
        if isinstance(item, pikepdf.String):
            joined.append(item)
        elif joined and not isinstance(joined[-1], pikepdf.String):
            total = float(joined[-1]) + float(item)
            joined[-1:] = [total] if total else []
        elif float(item):
            joined.append(float(item))
    return joined


def _marks_run(operands: list[Any], k: int, table: dict[int, str]) -> int | None:
    """Where the number is, when operands from `k` are mark glyphs (numbers between them),
    a number moving the pen at least LEAST, and a right-to-left letter."""
    if not _is_mark_glyph(operands[k], table):
        return None
    end = k + 1
    while end < len(operands) and (not isinstance(operands[end], pikepdf.String)
                                   or _is_mark_glyph(operands[end], table)):
        end += 1
    # operands[end]: the first glyph after the marks (or none); the number just before it
    if end >= len(operands) or isinstance(operands[end - 1], pikepdf.String) or \
            abs(float(operands[end - 1])) < LEAST or len(bytes(operands[end])) < 2:
        return None
    text = table.get(codes(bytes(operands[end])[:2])[0], "")
    if not text or unicodedata.bidirectional(text[0]) not in ("R", "AL"):
        return None
    return end - 1


def _is_mark_glyph(item: Any, table: dict[int, str]) -> bool:
    """Whether an operand is one glyph whose value is combining marks only."""
    if not isinstance(item, pikepdf.String):
        return False
    data = bytes(item)
    text = table.get(codes(data)[0], "") if len(data) == 2 else ""
    return bool(text) and all(is_mark(ch) for ch in text)


def _marks(table: dict[int, str]) -> frozenset[int]:
    """The codes of a font whose value is combining marks only."""
    return frozenset(code for code, text in table.items()
                     if text and all(is_mark(ch) for ch in text))


def _placed(operands: list[Any], k: int, table: dict[int, str]) -> bool:
    """Whether operand `k` is one mark glyph between two numbers, the first moving the
    pen at least LEAST."""
    before, shown, after = operands[k - 1], operands[k], operands[k + 1]
    if not isinstance(shown, pikepdf.String) or len(bytes(shown)) != 2 or \
            isinstance(before, pikepdf.String) or isinstance(after, pikepdf.String):
        return False
    text = table.get(codes(bytes(shown))[0], "")
    return bool(text) and all(is_mark(ch) for ch in text) and abs(float(before)) >= LEAST
