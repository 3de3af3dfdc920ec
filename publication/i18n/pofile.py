"""Strict reading of translators' `.po` files, which are untrusted input.

Babel's own parser is forgiving: it guesses around broken quoting, silently keeps the
last of two duplicate entries and turns `#|` (previous msgid) lines into comments.
`parse_po` first checks the file line by line against the PO grammar, collecting every
syntax problem with its line; only a file without any is handed to Babel, through a
parser that also records where each entry, msgstr and header field sits, so that later
checks can name the line a translator has to fix.
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, PoFileParser, _NormalizedString, unescape

from publication.errors import Problem
from publication.i18n.plurals import PluralFormsError, PluralRule, parse_plural_forms

MessageKey = tuple[str | None, str]  # (context, msgid; the singular for a plural message)

_KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)(?:[ \t]+(.*))?$")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_ESCAPE_RE = re.compile(r"\\(.)")
_VALID_ESCAPES = set('nt"\\r')
_PREVIOUS_KEYWORDS = ("msgctxt", "msgid", "msgid_plural")  # what a `#|` line may start with
# Invisible characters that scripts need: soft hyphen, zero-width space, (non-)joiners,
# direction marks. Everything else in categories Cc, Cf, Zl, Zp is refused.
ALLOWED_FORMAT_CHARS = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u061c")


@dataclass
class ParsedPo:
    """A `.po` file read strictly: the catalogue (None when the syntax is broken) and
    where things are, for messages that name a line."""

    path: Path
    catalog: Catalog | None
    problems: list[Problem] = field(default_factory=list)
    header_line: int = 0                                   # line of `msgid ""`; 0: none
    header_fields: dict[str, int] = field(default_factory=dict)  # field name -> line
    header_values: dict[str, str] = field(default_factory=dict)  # field name -> value
    msgstr_lines: dict[MessageKey, dict[int, int]] = field(default_factory=dict)
    plural_rule: PluralRule | None = None  # the header's Plural-Forms, when it has one
    # Broken `#|` (previous msgid) lines. gettext's tools (msgfmt, msgmerge, Poedit) read
    # them as PO syntax and refuse the file; Babel and `update` read past them, and
    # `update` rewrites them, so they are kept apart from `problems`.
    previous_problems: list[Problem] = field(default_factory=list)

    def msgstr_line(self, key: MessageKey, index: int = 0) -> int:
        """The line of msgstr (or msgstr[index]) of an entry; 0 when unknown."""
        return self.msgstr_lines.get(key, {}).get(index, 0)


def bad_character(text: str) -> str | None:
    """The first control, format or line-separator character not allowed in a
    translation, as 'U+XXXX'; None when there is none."""
    for char in text:
        if char in "\n\t" or char in ALLOWED_FORMAT_CHARS:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def parse_po(raw: bytes, path: Path, locale: str | None, keep_obsolete: bool = False) -> ParsedPo:
    """Read a `.po` file's bytes strictly; every problem comes with its 1-based line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return ParsedPo(path, None, [Problem(path, 1, "the file starts with a byte order mark "
                                                      "(BOM); save it as UTF-8 without BOM")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return ParsedPo(path, None, [Problem(path, line, "not valid UTF-8; save the file as "
                                                         "UTF-8")])
    lines = text.split("\n")
    result = ParsedPo(path, None, _syntax_problems(lines, path))
    if result.problems:
        return result
    _find_header(lines, result)
    _read_plural_forms(result, locale)
    if result.problems:  # Babel would choke on that header (nplurals=10000000...)
        return result
    catalog = Catalog(locale=locale, charset="utf-8")
    parser = _Parser(catalog, result, keep_obsolete)
    try:
        parser.parse(parser.numbered(raw))
    except PoFileError as exc:  # the grammar check should have caught it; be safe anyway
        result.problems.append(Problem(path, exc.lineno + 1, f"syntax: {exc}"))
        return result
    except _HeaderError as exc:
        result.problems.append(Problem(path, exc.line, str(exc)))
        return result
    result.catalog = catalog
    return result


# -- the PO grammar, line by line ----------------------------------------------------------


class _Entry:
    """Where the grammar check is inside the current entry."""

    def __init__(self) -> None:
        self.keywords: list[str] = []   # the keywords seen so far, in order
        self.start = 0                  # line of its first keyword


def _syntax_problems(lines: list[str], path: Path) -> list[Problem]:
    problems: list[Problem] = []
    entry = _Entry()

    def add(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    def open_entry() -> bool:
        return bool(entry.keywords) and not entry.keywords[-1].startswith("msgstr")

    def finish() -> None:
        if open_entry():
            add(entry.start, f"entry has no msgstr after its {entry.keywords[-1]}; "
                             "add 'msgstr \"\"' or delete the entry")

    for number, raw_line in enumerate(lines, start=1):
        char = bad_character(raw_line.rstrip("\r"))
        if char is not None:
            add(number, f"contains the invisible control character {char}; remove it")
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
            add(number, f"'{word[:30]}' is not a PO keyword (msgctxt, msgid, msgid_plural, "
                        "msgstr, msgstr[N]), a quoted string or a comment")
            continue
        keyword, index, argument = match.group(1), match.group(2), match.group(3)
        if argument is None:
            add(number, f"{keyword} needs a quoted string after it, like {keyword} \"\"")
        else:
            _check_string(argument, number, add)
        previous = entry.keywords[-1] if entry.keywords else None
        if keyword == "msgid" and previous == "msgctxt":
            entry.keywords.append(keyword)
            continue
        if keyword in ("msgctxt", "msgid"):
            finish()
            entry = _Entry()
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
        if escape.group(1) not in _VALID_ESCAPES:
            add(number, f"unknown escape \\{escape.group(1)}: use \\n, \\t, \\\" or \\\\ "
                        "(a backslash is written \\\\)")
            return


def _previous_parts(rest: str) -> tuple[str, str | None]:
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


def _find_header(lines: list[str], result: ParsedPo) -> None:
    """Record the header entry (`msgid ""` first): its line, and each field's value and line.

    Read from the file itself: Babel's Catalog rewrites Language and Plural-Forms from
    the locale it is given, which would hide a wrong header.
    """
    content = [(number, line.strip()) for number, line in enumerate(lines, start=1)
               if line.strip() and not line.strip().startswith("#")]
    if len(content) < 2 or content[0][1] != 'msgid ""' or not content[1][1].startswith("msgstr "):
        return
    result.header_line = content[0][0]
    first_number, first = content[1][0], content[1][1][len("msgstr "):].strip()
    text, starts = "", []  # starts: (offset in text, line) of each quoted string
    for number, quoted in [(first_number, first), *content[2:]]:
        if number != first_number and not quoted.startswith('"'):
            break
        starts.append((len(text), number))
        text += unescape(quoted)
    offset = 0
    for field_line in text.split("\n"):  # a field may also start inside a quoted string
        number = starts[bisect.bisect_right(starts, (offset, len(lines) + 1)) - 1][1]
        name, colon, rest = field_line.partition(":")
        if colon and name.strip():
            result.header_fields.setdefault(name.strip().lower(), number)
            result.header_values.setdefault(name.strip().lower(), rest.strip())
        offset += len(field_line) + 1


def _read_plural_forms(result: ParsedPo, locale: str | None) -> None:
    """Check the header's Plural-Forms with our own parser before Babel reads it (Babel
    trusts nplurals, and gettext would eval the expression)."""
    value = result.header_values.get("plural-forms")
    if value is None:
        return
    try:
        result.plural_rule = parse_plural_forms(value)
    except PluralFormsError as exc:
        line = result.header_fields["plural-forms"]
        advice = str(exc)
        if locale:
            advice = (f"{exc.problem}; write it like '{get_plural(locale).plural_forms}' "
                      f"(CLDR's rule for {locale}) or 'nplurals=2; plural=(n != 1);'")
        result.problems.append(Problem(result.path, line, f"header Plural-Forms: {advice}"))


class _HeaderError(Exception):
    """A header entry that Babel reads differently from the strict check, or not at all."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


# -- Babel's parser, recording lines and keeping previous msgids ---------------------------


class _Parser(PoFileParser):
    """Babel's parser that records duplicates and msgstr lines and reads `#|` lines."""

    def __init__(self, catalog: Catalog, result: ParsedPo, keep_obsolete: bool) -> None:
        super().__init__(catalog, ignore_obsolete=not keep_obsolete, abort_invalid=True)
        self._result = result
        self._seen: dict[tuple[bool, MessageKey], int] = {}
        self._msgstr: dict[int, int] = {}
        # The current entry's `#|` lines as (keyword, strings); None once one is broken.
        self._previous: list[tuple[str, _NormalizedString]] | None = []
        self._line = 0  # the 1-based line being read: Babel gives comments no line number

    def numbered(self, raw: bytes) -> Iterator[bytes]:
        """The lines of `raw` for `parse`, keeping the number of the one being read."""
        for number, line in enumerate(io.BytesIO(raw), start=1):
            self._line = number
            yield line

    def _process_keyword_line(self, lineno: int, line: str, obsolete: bool = False) -> None:
        keyword = line.partition(" ")[0]
        if keyword == "msgstr" or keyword.startswith("msgstr["):
            index = int(keyword[7:-1]) if keyword != "msgstr" else 0
            self._msgstr[index] = lineno + 1
        super()._process_keyword_line(lineno, line, obsolete)

    def _process_message_line(self, lineno: int, line: str, obsolete: bool = False) -> None:
        if obsolete and line.startswith("|"):
            # `#~|`: the previous msgid of an obsolete entry. Babel cannot keep it, and
            # `update` drops it, but gettext's tools still read it.
            keyword, string = _previous_parts(line[1:].strip())
            if line[1:].strip() and (string is None or keyword not in ("", *_PREVIOUS_KEYWORDS)):
                self._broken_previous(lineno + 1, line[1:].strip())
            return
        super()._process_message_line(lineno, line, obsolete)

    def _process_comment(self, line: str) -> None:
        if line.startswith("#|"):
            self._finish_current_message()
            self._read_previous(line[2:].strip())
            return
        super()._process_comment(line)

    def _read_previous(self, rest: str) -> None:
        """One `#|` line: `msgctxt`, `msgid` or `msgid_plural` with a quoted string, or a
        quoted string that continues the one above. A previous msgid with a line that is
        neither is reported and dropped whole, never kept cut short or garbled."""
        if self._previous is None or not rest:
            return  # the rest of a broken one, or an empty `#|` (gettext ignores it too)
        keyword, string = _previous_parts(rest)
        if string is not None and keyword in _PREVIOUS_KEYWORDS:
            self._previous.append((keyword, _NormalizedString(string)))
        elif string is not None and not keyword and self._previous:
            self._previous[-1][1].append(string)
        else:
            self._broken_previous(self._line, rest)
            self._previous = None

    def _broken_previous(self, line: int, rest: str) -> None:
        keyword, string = _previous_parts(rest)
        if string is not None and not keyword:
            what = "a quoted line must follow '#| msgid' or another quoted #| line"
        elif keyword and keyword not in _PREVIOUS_KEYWORDS:
            what = f"'{keyword[:30]}' is not msgctxt, msgid, msgid_plural or a quoted string"
        else:
            what = "it needs one complete quoted string, like #| msgid \"old text\""
        self._result.previous_problems.append(Problem(
            self._result.path, line,
            f"broken previous-msgid comment (#|): {what}. gettext's tools (msgfmt, Poedit) "
            "cannot read the file: delete the entry's #| lines (they only show the old "
            "source text), or run 'python make_pdf.py update' to rewrite them"))

    def _add_message(self) -> None:
        msgid = self.messages[0].denormalize()
        context = self.context.denormalize() if self.context else None
        key: MessageKey = (context, msgid)
        line = self.offset + 1
        previous = [text.denormalize() for keyword, text in self._previous or []
                    if keyword != "msgctxt"]
        obsolete = self.obsolete
        if len(self.messages) > 1 and not obsolete:
            self._check_plural_count(line)
        if msgid:
            first = self._seen.setdefault((obsolete, key), line)
            if first != line and not obsolete:
                where = f" (context '{context}')" if context else ""
                self._result.problems.append(Problem(
                    self._result.path, line,
                    f"duplicate entry for msgid {msgid!r}{where}, first at line {first}; "
                    "delete one of them"))
            if not obsolete:
                self._result.msgstr_lines.setdefault(key, dict(self._msgstr))
        self._msgstr = {}
        self._previous = []
        if msgid or context is not None or obsolete:
            super()._add_message()
        else:
            self._add_header(line)
        if previous and msgid:
            store = self.catalog.obsolete if obsolete else None
            message = (store.get(self.catalog._key_for(msgid, context)) if store is not None
                       else self.catalog.get(msgid, context))
            if message is not None:
                message.previous_id = previous

    def _add_header(self, line: int) -> None:
        """Add a header entry (msgid ""), then make sure Babel's catalogue has exactly
        the Plural-Forms the strict check read: Babel reads the header its own way (the
        last of two fields, a second header entry, a folded line) and trusts what it
        reads, before any plural message is allocated with that many forms."""
        result = self._result
        if result.header_line and line != result.header_line:
            result.problems.append(Problem(result.path, line, 'a second header entry '
                                           '(msgid ""): merge it into the first and delete it'))
        try:
            super()._add_message()
        except ValueError as exc:  # int(nplurals) of a field the check did not see, a date
            raise _HeaderError(line, f"the header entry cannot be read ({exc}): check "
                                     "that each field is written once and as in another "
                                     "language's messages.po") from exc
        rule = result.plural_rule
        wanted = (rule.nplurals, rule.expression) if rule is not None else \
            (Catalog(locale=self.catalog.locale).num_plurals,
             Catalog(locale=self.catalog.locale).plural_expr)
        read = (self.catalog.num_plurals, self.catalog.plural_expr)
        if (read[0], " ".join(read[1].split())) != (wanted[0], " ".join(wanted[1].split())):
            result.problems.append(Problem(
                result.path, result.header_fields.get("plural-forms", line),
                "header Plural-Forms is written more than once or across lines, so tools "
                "read it differently: write it once, on one line, like "
                f"'Plural-Forms: nplurals={wanted[0]}; plural={wanted[1]};'"))
            self.catalog.mime_headers = [("Plural-Forms",
                                          f"nplurals={wanted[0]}; plural={wanted[1]};")]

    def _check_plural_count(self, line: int) -> None:
        """A plural entry needs exactly the number of forms the header's Plural-Forms
        says (the locale's, when it has none); drop extra ones so that Babel reads the
        rest."""
        rule = self._result.plural_rule
        wanted = rule.nplurals if rule is not None else self.catalog.num_plurals
        given = sorted(index for index, _ in self.translations)
        if given != list(range(wanted)):
            extra = [i for i in given if i >= wanted]
            where = self._msgstr.get(extra[0], line) if extra else line
            needs = "the header's Plural-Forms" if rule is not None else str(self.catalog.locale)
            self._result.problems.append(Problem(
                self._result.path, where,
                f"plural message has {len(given)} forms (msgstr[0]..msgstr[{len(given) - 1}]) "
                f"but {needs} needs {wanted}: msgstr[0]..msgstr[{wanted - 1}]"))
            self.translations = [t for t in self.translations if t[0] < wanted]
