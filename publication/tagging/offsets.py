"""Combining marks placed by numbers around them in a TJ, drawn with the offset in their
outline instead.

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
`שָׁלוֹם עֲלֵיכֶם` but still not `בְּרֵאשִׁית`: the two points of its first letter, drawn
before the letter and a fortieth of an em right of it, it reads as a word of their own
at the line's end (`ברֵאשִׁית ְּ`). pdf.js read them all before, and does.
"""

from __future__ import annotations

from typing import Any

import pikepdf

from publication.tagging.marks import (
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
    texts = WrittenTexts(edits)
    marks_of: dict[tuple[int, int], frozenset[int]] = {}  # font -> its marks' codes
    moved = 0
    for index, _, fonts in page_fonts(pdf):
        items = edits.items(pdf, index)
        changed = False
        for show in list(shows(items, fonts)):
            if not isinstance(show.font, pikepdf.Dictionary):
                continue
            table = texts.of(show.font)
            marks = marks_of.get(show.font.objgen)
            if marks is None:
                marks = marks_of[show.font.objgen] = _marks(table)
            shown = items[show.index]
            if not marks or not any(code in marks for code in shown_codes(shown)):
                continue
            assert isinstance(shown, pikepdf.ContentStreamInstruction)
            operands = [o for o in shown_operands(shown)
                        if not isinstance(o, pikepdf.String) or len(bytes(o)) >= 2]
            places = [k for k in range(1, len(operands) - 1) if _placed(operands, k, table)]
            edit = edits.of(show.font) if places else None
            if edit is None:
                continue
            result: list[object] = []
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
            if len(result) != len(operands):
                items[show.index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Array(result)], pikepdf.Operator("TJ"))
                changed = True
        if changed:
            edits.replace(index, items)
    return moved


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
