"""Line-breaking and spacing rules applied to translated text before it is typeset.

WeasyPrint has no `text-wrap: balance` and no per-language punctuation spacing, so the
templates pass text through these filters:

- `keep_names`: a personal name the content lists (`names:`) is set in a
  `<span class="name">` with no-break spaces (and no hyphenation, base.css), so
  "Abu Sakha" never splits over two lines;
- `no_widow`: a heading's last two words are joined, so it never ends on one word;
- `spacing`: French puts a narrow no-break space (U+202F) inside « » and before ; ! ?
  and a no-break space before : (Imprimerie nationale); a plain space there is replaced.

Each works on the text between tags only: markup (`<em>`, `<a href>`) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

NBSP = "\u00a0"
NNBSP = "\u202f"
_TAG = re.compile(r"(<[^>]*>)")
# Only a heading at least this long gets its last words joined: a short one fits anyway,
# and joining two long words in a narrow column could overflow it.
WIDOW_MIN_WORDS = 4
WIDOW_MAX_CHARS = 24


def _on_text(markup: Markup, change: Callable[[str], str]) -> Markup:
    parts = _TAG.split(str(markup))
    return Markup("".join(part if index % 2 else change(part)
                          for index, part in enumerate(parts)))


def keep_names(markup: Markup, names: tuple[str, ...]) -> Markup:
    """`markup` with every listed name kept on one line."""
    if not names:
        return markup

    def change(text: str) -> str:  # `text` is markup: a name's ' is &#39; there
        for name in map(str, map(escape, names)):
            text = text.replace(name, f'<span class="name">{name.replace(" ", NBSP)}</span>')
        return text

    return _on_text(markup, change)


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
            if space and head:
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
    (`strong`, which WeasyPrint tags NonStruct) gives them no boundary."""
    done = False

    def change(text: str) -> str:
        nonlocal done
        if done or number not in text:
            return text
        done = True
        before, _, after = text.partition(number)
        return f'{before}<div class="number">{number}</div>{after}'

    return _on_text(markup, change)
