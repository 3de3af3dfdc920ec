"""Invisible characters in hand-written text: which ones are refused, and how to say so.

Content, imprints and catalogues come from people, who copy text from web pages and word
processors. Most invisible characters do nothing useful in a printed publication and
some do harm: a direction override (U+202E) makes a phone number or an e-mail address
print in another order than it reads, and a zero-width space or a joiner where its
script makes no use of it is dropped by PDF readers, so the PDF reads otherwise than it
was written (the gate then refuses it with a message about the tag tree). `find_bad_character`
finds the first such character, `describe` says in words what it is and where.

What scripts need stays allowed: the soft hyphen, the left-to-right and right-to-left
marks (U+200E, U+200F, U+061C) in running text, and the (non-)joiners U+200C, U+200D
next to a letter of a script that joins or combines its letters (Arabic, Devanagari...).
An address or number (`strict`: an e-mail, phone, web address, link) allows none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

PROBLEM_CODE = "controls"  # the Problem code of a refused character (errors.Problem.code)
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d")
SOFT_HYPHEN = "\u00ad"
# Embeddings, overrides and isolates: they reorder the text that follows them.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Scripts whose letters join or form conjuncts, so that a (non-)joiner changes how a word
# is drawn: the first word of the letter's Unicode name.
_JOINING_SCRIPTS = frozenset({
    "ARABIC", "SYRIAC", "NKO", "MANDAIC", "MONGOLIAN", "DEVANAGARI", "BENGALI", "GURMUKHI",
    "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "MYANMAR",
    "KHMER", "TIBETAN",
})
_NAMES = {"\u200b": "zero-width space", "\u200c": "zero-width non-joiner",
          "\u200d": "zero-width joiner", "\u2060": "word joiner",
          "\ufeff": "zero-width no-break space (byte order mark)",
          "\u200e": "left-to-right mark", "\u200f": "right-to-left mark",
          "\u061c": "Arabic letter mark", "\u00ad": "soft hyphen"}


@dataclass(frozen=True)
class BadCharacter:
    """An invisible character refused in a text, and where it is."""

    char: str
    index: int
    before: str  # up to 20 characters before it, as written

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def direction(self) -> bool:
        """A direction control (override, embedding, isolate) or mark."""
        return self.char in DIRECTION_CONTROLS or self.char in DIRECTION_MARKS

    def describe(self) -> str:
        """What it is and what to do, in words: 'contains the invisible ... U+202E ...'."""
        name = _NAMES.get(self.char) or unicodedata.name(self.char, "").lower() \
            or "control character"
        after = f" after '{_visible(self.before)}'" if self.before.strip() else ""
        if self.char in DIRECTION_CONTROLS:
            return (f"contains the invisible direction control character {self.code} "
                    f"({name}){after}, which makes the text print in another order than it "
                    "reads (a phone number or an address could be shown reversed): delete "
                    "it (retype the text around it)")
        if self.char in DIRECTION_MARKS or self.char == SOFT_HYPHEN:
            return (f"contains the invisible control character {self.code} ({name}){after}: "
                    "an address or number must not hold one, as it can change how it is "
                    "shown; delete it (retype the value)")
        if self.char in JOINERS or self.char == "\u200b":
            use = ("it does nothing here but make the PDF read differently from what it "
                   "shows (screen readers, copying, searching)")
            if self.char in JOINERS:
                use = ("it only has a use between letters of scripts such as Arabic or "
                       "Devanagari; here " + use)
            return (f"contains the invisible control character {self.code} ({name}){after}: "
                    f"{use}; delete it (retype the word around it)")
        return (f"contains the invisible control character {self.code} ({name}){after}, "
                "often copied from a web page or a word processor: delete it (retype the "
                "text around it)")


def _visible(text: str) -> str:
    """The text before a refused character, with other invisible ones left out."""
    return "".join(c for c in text if unicodedata.category(c)[0] not in "CZ" or c == " ")


def _joins(char: str) -> bool:
    """Whether `char` is a letter or mark of a script that joins or combines letters."""
    if not char or unicodedata.category(char)[0] not in "LM":
        return False
    return unicodedata.name(char, "").split(" ", 1)[0] in _JOINING_SCRIPTS


def find_bad_character(text: str, *, strict: bool = False,
                       allowed: str = "\n\t") -> BadCharacter | None:
    """The first character of `text` not allowed in hand-written text, or None.

    Refused: controls, format characters and line separators (Unicode categories Cc, Cf,
    Zl, Zp) except those in `allowed`, direction marks and soft hyphens in `strict`
    values, and zero-width spaces and joiners that are not next to a letter of a script
    that uses them."""
    for index, char in enumerate(text):
        if char in allowed:
            continue
        if char in DIRECTION_MARKS or char == SOFT_HYPHEN:
            if not strict:
                continue
        elif char in JOINERS:
            if not strict and (_joins(text[index - 1:index]) or _joins(text[index + 1:index + 2])):
                continue
        elif unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"):
            continue
        return BadCharacter(char, index, text[max(0, index - 20):index])
    return None
