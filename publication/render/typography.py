"""Line-breaking and spacing rules applied to translated text before it is typeset.

WeasyPrint has no `text-wrap: balance` and no per-language punctuation spacing, so the
templates pass text through these filters:

- `keep_names`: a personal name the content lists (`names:`) gets no-break spaces, so
  "Abu Sakha" never splits over two lines, and is set in a `<span class="name">` (no
  hyphenation, base.css) -- except in a text with right-to-left words around the name:
  there a span is a text run of its own, and pdf.js (Firefox) drops a space at the edge
  of a right-to-left run (the run's first glyph drawn, or its last, with the next run
  drawn at the far end of the line), reading "عنمحمد فيصل". Arabic and Hebrew have no
  hyphenation patterns, so there the no-break spaces are all a name needs;
- `no_widow`: a heading's last two words are joined, so it never ends on one word (a
  name keep_names joined counts as one word, joined to neither neighbour);
- `spacing`: French puts a narrow no-break space (U+202F) inside « » and before ; ! ?
  and a no-break space before : (Imprimerie nationale); a plain space there is replaced.

Each works on the text between tags only: markup (`<em>`, `<a href>`) is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from markupsafe import Markup, escape

NBSP = "\u00a0"
NNBSP = "\u202f"
_TAG = re.compile(r"(<[^>]*>)")
_KEPT = re.compile(r"[^\W\d_]\u00a0[^\W\d_]")  # two letters a no-break space joins
# Only a heading at least this long gets its last words joined: a short one fits anyway,
# and joining two long words in a narrow column could overflow it.
WIDOW_MIN_WORDS = 4
WIDOW_MAX_CHARS = 24
# What is written onto a number with no space between, before and after it (big_number).
_WORD_END = re.compile(r"\S*\Z")
_WORD_START = re.compile(r"\S*")


def _on_text(markup: Markup, change: Callable[[str], str]) -> Markup:
    parts = _TAG.split(str(markup))
    return Markup("".join(part if index % 2 else change(part)
                          for index, part in enumerate(parts)))


def keep_names(markup: Markup, names: tuple[str, ...]) -> Markup:
    """`markup` with every listed name kept on one line.

    In a text with right-to-left words around its names (Arabic, Hebrew) a name is not
    put in a span of its own (see the module's docstring): its no-break spaces keep it
    whole.
    """
    if not names:
        return markup
    escaped = tuple(map(str, map(escape, names)))
    around = str(markup)
    for name in escaped:
        around = around.replace(name, " ")
    span = not _right_to_left(Markup(around).striptags())

    def change(text: str) -> str:  # `text` is markup: a name's ' is &#39; there
        for name in escaped:
            kept = name.replace(" ", NBSP)
            text = text.replace(name, f'<span class="name">{kept}</span>' if span else kept)
        return text

    return _on_text(markup, change)


def _right_to_left(text: str) -> bool:
    """Whether `text` has a right-to-left letter (Hebrew, Arabic, Syriac, Thaana...)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def no_widow(markup: Markup) -> Markup:
    """`markup` whose last two words cannot be split over two lines."""
    text = str(markup)
    words = Markup(text).striptags().split()
    if len(words) < WIDOW_MIN_WORDS or len(words[-1]) + len(words[-2]) > WIDOW_MAX_CHARS:
        return markup
    parts = _TAG.split(text)
    for index in range(len(parts) - 1, -1, -1):
        if index % 2 == 0 and parts[index].rstrip():
            head, space, tail = parts[index].rstrip().rpartition(" ")
            # A name keep_names joined without a span (in right-to-left text) is one
            # word already: it is not joined to the word before or after it either,
            # as it was not when its span ended the text there.
            if space and head and not (_KEPT.search(tail)
                                       or _KEPT.search(head.rpartition(" ")[2])):
                parts[index] = head + NBSP + tail + parts[index][len(parts[index].rstrip()):]
            break
    return Markup("".join(parts))


_FRENCH = (
    (re.compile(r"«[ \u00a0]*"), "«" + NNBSP),
    (re.compile(r"[ \u00a0]*»"), NNBSP + "»"),
    (re.compile(r"(?<=\w)[ \u00a0]*([;!?])"), NNBSP + r"\1"),
    (re.compile(r"(?<=\w)[ \u00a0]+:"), NBSP + ":"),
)


def spacing(markup: Markup, lang: str) -> Markup:
    """`markup` with the spaces around punctuation its language asks for."""
    if lang.split("-")[0] != "fr":
        return markup

    def change(text: str) -> str:
        for pattern, replacement in _FRENCH:
            text = pattern.sub(replacement, text)
        return text

    return _on_text(markup, change)


def big_number(markup: Markup, number: str) -> Markup:
    """`markup` with the first `number` in its text set as the fact's big number.

    The number is a block of its own (a `div`, which WeasyPrint tags /Div): set on its own
    line in large type, it must also end a block in the tag tree, or readers that join
    text items by geometry (pdf.js: the next line is closer than half the big type's
    size) run it into the next word ("50days"). An inline element shown as a block
    (`strong`, which WeasyPrint tags NonStruct) gives them no boundary.

    Letters or signs written onto the number with no space between are one word with
    it and are set with it: Hebrew "יותר מ-2,000" sets "מ-2,000" large, not "מ-" on the
    line above, which readers that join lines with a space (poppler) read as two words,
    "מ- 2,000"."""
    done = False

    def change(text: str) -> str:
        nonlocal done
        if done or number not in text:
            return text
        done = True
        before, _, after = text.partition(number)
        end, start = _WORD_END.search(before), _WORD_START.match(after)
        lead, tail = end.group() if end else "", start.group() if start else ""
        head, rest = before[:len(before) - len(lead)], after[len(tail):]
        return f'{head}<div class="number">{lead}{number}{tail}</div>{rest}'

    return _on_text(markup, change)
