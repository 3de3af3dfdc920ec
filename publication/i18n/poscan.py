"""Our own strict, line-by-line reader of `.po` files, which are untrusted input.

`syntax_problems` checks every line against the PO grammar and collects every problem
with its line. A file without any is read by `scan_entries` into `PoEntry`s: where each
entry, msgid and msgstr[N] sits, its text, and the previous msgid of its `#|` lines,
which Babel's parser turns into comments. `find_header` reads the header entry's
fields and their lines from the file itself. publication.i18n.pofile hands the file to
Babel's public `read_po` and uses these to check what Babel cannot (duplicates, plural
forms per entry) and to name the line a translator has to fix.

Every piece of the file quoted in a message goes through `shown`: control characters
escaped, cut after about 60 characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from publication.errors import Problem, shown
from publication.source.characters import find_bad_character

MessageKey = tuple[str | None, str]  # (context, msgid; the singular for a plural message)

_KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)(?:[ \t]+(.*))?$")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_ESCAPE_RE = re.compile(r"\\(.)")
_VALID_ESCAPES = set('nt"\\r')
_UNESCAPED = {"n": "\n", "t": "\t", "r": "\r"}  # and \" and \\ stand for themselves
PREVIOUS_KEYWORDS = ("msgctxt", "msgid", "msgid_plural")  # what a `#|` line may start with
# Babel's parser strips each line as bytes: ASCII whitespace only.
_ASCII_SPACE = " \t\n\r\x0b\x0c"
def unquote(string: str) -> str:
    """The text of one PO string the grammar check accepted: `"a\\tb"` -> 'a<TAB>b'."""
    return _ESCAPE_RE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), string[1:-1])


def babel_view(line: str) -> str:
    """A line as Babel's parser sees it before reading it (stripped of ASCII spaces)."""
    return line.strip(_ASCII_SPACE)


# -- the PO grammar, line by line ----------------------------------------------------------


class _Grammar:
    """Where the grammar check is inside the current entry."""

    def __init__(self) -> None:
        self.keywords: list[str] = []   # the keywords seen so far, in order
        self.start = 0                  # line of its first keyword


def syntax_problems(lines: list[str], path: Path) -> list[Problem]:
    problems: list[Problem] = []
    entry = _Grammar()

    def add(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    def open_entry() -> bool:
        return bool(entry.keywords) and not entry.keywords[-1].startswith("msgstr")

    def finish() -> None:
        if open_entry():
            add(entry.start, f"entry has no msgstr after its {entry.keywords[-1]}; "
                             "add 'msgstr \"\"' or delete the entry")

    for number, raw_line in enumerate(lines, start=1):
        content = raw_line.rstrip("\r")
        bad = find_bad_character(content)
        if bad is not None:
            quote = content.find('"')
            if 0 <= quote < bad.index:  # say what it follows in the text, not the keyword
                bad = find_bad_character(content[quote + 1:]) or bad
            add(number, bad.describe())
        line = raw_line.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue  # an obsolete entry's previous msgid
        elif not line:
            continue
        elif line.startswith("#"):
            if open_entry():
                add(number, "a comment inside an entry: move it above the entry's msgctxt "
                            "or msgid")
            continue
        if line.startswith('"'):
            if not entry.keywords:
                add(number, "a quoted line must follow msgctxt, msgid or msgstr")
            _check_string(line, number, add)
            continue
        match = _KEYWORD_RE.match(line)
        if match is None:
            word = line.split()[0]
            add(number, f"{shown(word, 30)} is not a PO keyword (msgctxt, msgid, "
                        "msgid_plural, msgstr, msgstr[N]), a quoted string or a comment")
            continue
        keyword, index, argument = match.group(1), match.group(2), match.group(3)
        if argument is None:
            add(number, f"{keyword} needs a quoted string after it, like {keyword} \"\"")
        else:
            if line[len(keyword)] == "\t":  # Babel reads `msgstr[0]<TAB>"..."` as a keyword
                add(number, f"write a space, not a tab, between {keyword} and its text")
            _check_string(argument, number, add)
        previous = entry.keywords[-1] if entry.keywords else None
        if keyword == "msgid" and previous == "msgctxt":
            entry.keywords.append(keyword)
            continue
        if keyword in ("msgctxt", "msgid"):
            finish()
            entry = _Grammar()
            entry.start = number
            entry.keywords.append(keyword)
            continue
        plural = "msgid_plural" in entry.keywords
        expected = _next_keywords(entry.keywords)
        if ("msgstr[N]" if index is not None else keyword) not in expected:
            wanted = " or ".join(expected) or "msgctxt or msgid"
            hint = ""
            if keyword == "msgstr" and index is None and plural:
                hint = "; a plural message needs msgstr[0], msgstr[1], ... instead"
            elif index is not None and not plural and previous == "msgid":
                hint = "; only a message with msgid_plural has numbered msgstr[N]"
            add(number, f"unexpected {keyword}, expected {wanted} here{hint}")
            continue
        if index is not None:
            count = sum(1 for k in entry.keywords if k.startswith("msgstr["))
            if int(index) != count:
                add(number, f"{keyword} is out of order: expected msgstr[{count}]")
        entry.keywords.append(keyword)
    finish()
    return sorted(problems, key=lambda p: p.line)


def _next_keywords(keywords: list[str]) -> list[str]:
    """What may follow the keywords of an entry so far (msgctxt and msgid start one)."""
    last = keywords[-1] if keywords else None
    if last == "msgid":
        return ["msgid_plural", "msgstr"]
    if last == "msgid_plural" or last is not None and last.startswith("msgstr["):
        return ["msgstr[N]"]
    return []


def _check_string(text: str, number: int, add: Callable[[int, str], None]) -> None:
    if not _STRING_RE.fullmatch(text):
        if not text.startswith('"'):
            add(number, "the text must be in double quotes")
        elif len(text) < 2 or not text.endswith('"') or (
                text.endswith('\\"') and not text.endswith('\\\\"')):
            add(number, "the quoted text is not closed: end it with a double quote (\")")
        else:
            add(number, 'a double quote inside the text must be written \\"')
        return
    for escape in _ESCAPE_RE.finditer(text[1:-1]):
        char = escape.group(1)
        if char not in _VALID_ESCAPES:
            what = f"\\{char}" if char.isprintable() else f"\\ before U+{ord(char):04X}"
            add(number, f"unknown escape {what}: use \\n, \\t, \\\" or \\\\ (a backslash is "
                        "written \\\\)")
            return


def previous_parts(rest: str) -> tuple[str, str | None]:
    """A `#|` line's keyword ("" for a continuation) and its quoted string, None when it
    is not exactly one valid PO string."""
    if rest.startswith('"'):
        keyword, argument = "", rest
    else:
        keyword, _, argument = rest.replace("\t", " ").partition(" ")
        argument = argument.strip()
    problems: list[str] = []
    _check_string(argument, 0, lambda _line, message: problems.append(message))
    return keyword, None if problems else argument


def _broken_previous(path: Path, line: int, rest: str) -> Problem:
    keyword, string = previous_parts(rest)
    if string is not None and not keyword:
        what = "a quoted line must follow '#| msgid' or another quoted #| line"
    elif keyword and keyword not in PREVIOUS_KEYWORDS:
        what = f"{shown(keyword, 30)} is not msgctxt, msgid, msgid_plural or a quoted string"
    else:
        what = "it needs one complete quoted string, like #| msgid \"old text\""
    return Problem(path, line,
                   f"broken previous-msgid comment (#|): {what}. gettext's tools (msgfmt, "
                   "Poedit) cannot read the file: delete the entry's #| lines (they only "
                   "show the old source text), or run 'python make_pdf.py update' to rewrite "
                   "them")


# -- entries and their lines ---------------------------------------------------------------


@dataclass
class PoEntry:
    """One entry of a file the grammar check accepted, with the line of each part."""

    obsolete: bool                 # as Babel reads it: whether its last keyword is `#~`
    start: int                     # line of its first keyword (msgctxt or msgid)
    line: int = 0                  # line of its msgid (Babel's Message.lineno)
    end: int = 0                   # its last line
    # The line that ends it for Babel's parser (the next comment, msgctxt or msgid;
    # after the last line when the file ends first): Babel adds it to the catalogue there.
    finish: int = 0
    context: str | None = None
    ids: list[str] = field(default_factory=list)             # msgid, then msgid_plural
    strings: dict[int, str] = field(default_factory=dict)    # msgstr (0) or msgstr[N]
    msgstr_lines: dict[int, int] = field(default_factory=dict)  # their (first) lines
    # The `#|` lines above it as (keyword, text); None when one of them is broken.
    previous: list[tuple[str, str]] | None = None

    @property
    def key(self) -> MessageKey:
        return self.context, self.ids[0] if self.ids else ""


def _finishes(view: str) -> bool:
    """Whether Babel's parser adds the entry it is reading to the catalogue at this line:
    at a comment (`#|` and `#-` too) and at msgctxt or msgid, obsolete or not."""
    if view.startswith("#~"):
        return view[2:].lstrip().partition(" ")[0] in ("msgctxt", "msgid")
    return view.startswith("#") or view.partition(" ")[0] in ("msgctxt", "msgid")


def is_previous(view: str) -> bool:
    """A `#|` line (Babel reads it as a translator comment)."""
    return view.startswith("#|")


def is_obsolete_previous(view: str) -> bool:
    """A `#~|` line (Babel cannot read it at all)."""
    return view.startswith("#~") and view[2:].lstrip().startswith("|")


def scan_entries(lines: list[str], path: Path) -> tuple[list[PoEntry], list[Problem]]:
    """The entries of a file without syntax problems, and its broken `#|` lines.

    A previous msgid with a line that is neither `msgctxt`, `msgid` or `msgid_plural`
    with a quoted string nor a quoted string continuing the one above is reported and
    dropped whole, never kept cut short or garbled."""
    entries: list[PoEntry] = []
    texts: list[list[tuple[str, int, list[str]]]] = []  # each entry's keywords and strings
    broken: list[Problem] = []
    entry: PoEntry | None = None
    parts: list[str] | None = None  # the strings of the keyword being read
    previous: list[tuple[str, list[str]]] | None = []  # `#|` lines for the next entry

    for number, line in enumerate(lines, start=1):
        view = babel_view(line)
        last = entries[-1] if entries else None
        if last is not None and last.line and not last.finish and _finishes(view):
            last.finish = number
        if is_previous(view):
            rest = view[2:].strip()
            if previous is not None and rest:  # else: the rest of a broken one, or empty
                keyword, string = previous_parts(rest)
                if string is not None and keyword in PREVIOUS_KEYWORDS:
                    previous.append((keyword, [unquote(string)]))
                elif string is not None and not keyword and previous:
                    previous[-1][1].append(unquote(string))
                else:
                    broken.append(_broken_previous(path, number, rest))
                    previous = None
            entry = parts = None
            continue
        if is_obsolete_previous(view):
            # The previous msgid of an obsolete entry: Babel cannot keep it, and `update`
            # drops it, but gettext's tools still read it.
            rest = view[2:].lstrip()[1:].strip()
            keyword, string = previous_parts(rest)
            if rest and (string is None or keyword not in ("", *PREVIOUS_KEYWORDS)):
                broken.append(_broken_previous(path, number, rest))
            continue
        text = line.strip()
        obsolete = text.startswith("#~")
        if obsolete:
            text = text[2:].strip()
        if not text:
            continue
        if text.startswith("#"):
            entry = parts = None  # a comment ends an entry (the grammar allows none inside)
            continue
        if text.startswith('"'):
            if entry is not None and parts is not None:  # else Babel refuses the line
                parts.append(unquote(text))
                entry.end = number
            continue
        match = _KEYWORD_RE.match(text)
        if match is None:  # cannot happen after the grammar check
            continue
        keyword, argument = match.group(1), match.group(3) or '""'
        if keyword == "msgctxt" or keyword == "msgid" and (
                entry is None or texts[-1][-1][0] != "msgctxt"):
            entry = PoEntry(obsolete, number, previous=None if previous is None else [
                (kw, "".join(strings)) for kw, strings in previous])
            entries.append(entry)
            texts.append([])
            previous = []
        assert entry is not None
        entry.obsolete = obsolete
        if keyword == "msgid":
            entry.line = number
        parts = [unquote(argument)]
        texts[-1].append((keyword, number, parts))
        entry.end = number
    for entry, keywords in zip(entries, texts, strict=True):
        entry.finish = entry.finish or len(lines) + 1
        for keyword, number, strings in keywords:
            text = "".join(strings)
            if keyword == "msgctxt":
                entry.context = text
            elif keyword in ("msgid", "msgid_plural"):
                entry.ids.append(text)
            else:
                index = int(keyword[7:-1]) if keyword != "msgstr" else 0
                entry.strings[index] = text
                entry.msgstr_lines[index] = number
    return entries, broken


@dataclass
class Header:
    """The header entry (`msgid ""` first) as the file writes it."""

    line: int = 0                                            # of `msgid ""`; 0: none
    fields: dict[str, int] = field(default_factory=dict)     # field name -> line
    values: dict[str, str] = field(default_factory=dict)     # field name -> value


def find_header(lines: list[str]) -> Header:
    """The header entry: its line, and each field's value and line (the first of two).

    Read from the file itself: Babel's Catalog rewrites Language and Plural-Forms from
    the locale it is given, which would hide a wrong header.
    """
    header = Header()
    content = [(number, line.strip()) for number, line in enumerate(lines, start=1)
               if line.strip() and not line.strip().startswith("#")]
    if len(content) < 2 or content[0][1] != 'msgid ""' or not content[1][1].startswith("msgstr "):
        return header
    header.line = content[0][0]
    first_number, first = content[1][0], content[1][1][len("msgstr "):].strip()
    text, starts = "", []  # starts: (offset in text, line) of each quoted string
    for number, quoted in [(first_number, first), *content[2:]]:
        if number != first_number and not quoted.startswith('"'):
            break
        starts.append((len(text), number))
        text += unquote(quoted)
    offset = 0
    for field_line in text.split("\n"):  # a field may also start inside a quoted string
        number = starts[bisect.bisect_right(starts, (offset, len(lines) + 1)) - 1][1]
        name, colon, rest = field_line.partition(":")
        if colon and name.strip():
            header.fields.setdefault(name.strip().lower(), number)
            header.values.setdefault(name.strip().lower(), rest.strip())
        offset += len(field_line) + 1
    return header
