"""Strict reading of translators' `.po` files, which are untrusted input.

Babel's parser is forgiving: it guesses around broken quoting, silently keeps the last
of two duplicate entries, turns `#|` (previous msgid) lines into comments and trusts
the header's Plural-Forms. `parse_po` first checks the file line by line against the
PO grammar and reads it into entries with the line of each part (our own reader,
publication.i18n.poscan), collecting every syntax problem with its line; only a file
without any is handed to Babel's public `read_po`. What Babel cannot tell is checked on
our entries: duplicates, the number of plural forms of each entry, a header entry
Babel would read differently from the strict check, previous msgids.

Babel is given the file line for line, so its line numbers stay the file's, with what
it would misread taken out: `#|` lines (read by us) become empty comments, `#~|` lines
empty lines, extra plural forms are dropped, and a header entry whose Plural-Forms
Babel would read otherwise is given the one the strict check read (its other fields
are set afterwards through `Catalog.mime_headers`). Before that, each header entry is
tried on a catalogue of its own, so that a header Babel cannot read or that would
make it allocate millions of plural forms is refused first.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import io
import os
import stat
import sys
from dataclasses import dataclass, field
from email import message_from_string
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

from publication.errors import Problem, escape_controls, shown
from publication.i18n.plurals import PluralFormsError, PluralRule, parse_plural_forms
from publication.i18n.poscan import (
    MessageKey,
    PoEntry,
    babel_view,
    find_header,
    is_obsolete_previous,
    is_previous,
    scan_entries,
    syntax_problems,
)


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


class NotRegularFile(OSError):
    """A catalogue that is a symbolic link, a folder, a device or a pipe, or one too
    large to be a catalogue: never read."""


# Bytes of one catalogue: a complete one is about 40 KB; the limit leaves room for many
# campaigns, and keeps a wrong or hostile file from costing minutes and gigabytes.
MAX_PO_BYTES = 2 * 1024 * 1024


def read_po_file(path: Path) -> bytes:
    """The bytes of a catalogue or template: a regular file, not followed through a
    symbolic link (a translator's link to /proc/self/environ would be read and quoted
    back). Raises NotRegularFile, or the OSError of opening or reading it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP and path.is_symlink():
            raise NotRegularFile("is a symbolic link; a catalogue is only read from a "
                                 "regular file: put the file itself in its place") from None
        raise
    with os.fdopen(fd, "rb") as fileobj:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile("is not a regular file (a folder, device or pipe); put "
                                 "the catalogue file itself in its place")
        raw = fileobj.read(MAX_PO_BYTES + 1)  # at most that much, even if it grows
        if max(len(raw), info.st_size) > MAX_PO_BYTES:
            raise NotRegularFile(f"is {max(len(raw), info.st_size):,} bytes; a catalogue is "
                                 f"at most {MAX_PO_BYTES:,} bytes (a complete one is about "
                                 "40,000): is it the right file?")
        return raw


# The last catalogues read, by everything that decides the result: a build reads the
# same bytes for the cache, the font check, the PDFs and the index.
_PARSED: dict[tuple[bytes, Path, str | None, bool], ParsedPo] = {}
_PARSED_KEPT = 8


def parse_po(raw: bytes, path: Path, locale: str | None, keep_obsolete: bool = False) -> ParsedPo:
    """Read a `.po` file's bytes strictly; every problem comes with its 1-based line.
    The same bytes are read once per process; each caller gets its own lists of
    problems to add to, and shares the catalogue: read it, do not change it (with
    `keep_obsolete`, as `update` reads a catalogue to merge into, it is its own)."""
    if keep_obsolete:  # `update` reads so to merge into the catalogue: its own copy
        return _parse_po(raw, path, locale, keep_obsolete)
    key = (raw, path, locale, keep_obsolete)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _parse_po(raw, path, locale, keep_obsolete)
        if len(_PARSED) >= _PARSED_KEPT:
            del _PARSED[next(iter(_PARSED))]
        _PARSED[key] = parsed
    return dataclasses.replace(parsed, problems=list(parsed.problems),
                               previous_problems=list(parsed.previous_problems))


def _parse_po(raw: bytes, path: Path, locale: str | None, keep_obsolete: bool) -> ParsedPo:
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
    result = ParsedPo(path, None, syntax_problems(lines, path))
    if result.problems:
        return result
    header = find_header(lines)
    result.header_line, result.header_fields = header.line, header.fields
    result.header_values = header.values
    _read_plural_forms(result, locale)
    if result.problems:  # Babel would choke on that header (nplurals=10000000...)
        return result
    entries, broken = scan_entries(lines, path)
    plan = _Plan(result, entries, locale)
    feed = plan.feed(lines)
    plan.check_decoding(feed)
    if plan.abort is not None:  # Babel stops there too: give it nothing after
        feed[plan.abort.line:] = [""] * len(feed[plan.abort.line:])
    try:
        catalog: Catalog | None = read_po(
            io.BytesIO("\n".join(feed).encode("utf-8")), locale=locale, charset="utf-8",
            ignore_obsolete=not keep_obsolete, abort_invalid=True)
        stop = plan.stop()
    except PoFileError as exc:  # the grammar check should have caught it; be safe anyway
        catalog, stop = None, plan.stop(exc)
    except Exception as exc:  # a header Babel cannot use (ValueError, LookupError...)
        catalog, stop = None, plan.stop(exc)
    result.previous_problems = [p for p in broken if p.line < stop.previous_before]
    for index in range(stop.read):
        result.problems += plan.before[index] + plan.after[index]
    if stop.problem is not None:
        if stop.partial:
            result.problems += plan.before[stop.read]
        result.problems.append(stop.problem)
        return result
    assert catalog is not None
    plan.finish(catalog)
    result.msgstr_lines = plan.msgstr_lines
    result.catalog = catalog
    return result


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


def _babel_says(exc: Exception, limit: int = 120) -> str:
    """Babel's message, which may quote the file: escaped, and cut when long."""
    text = str(exc)
    return escape_controls(text if len(text) <= limit else text[:limit] + "…")


@dataclass(frozen=True)
class _Stop:
    """How far Babel read: the entries it added, the line before which the `#|` lines
    were read, and the problem that stopped it (None: it read the whole file)."""

    read: int             # the entries Babel added
    partial: bool         # whether it stopped adding the next one
    previous_before: int  # the `#|` lines before this line were read
    problem: Problem | None = None


@dataclass(frozen=True)
class _Abort:
    """Where Babel would stop: at the header entry `index`, which it cannot add
    (`finishing`: as it adds it at `line`) or whose charset cannot decode `line`."""

    index: int
    line: int
    problem: Problem
    finishing: bool


class _Plan:
    """What our entries say before Babel reads the file, entry by entry in its order:
    each entry's problems (`before`: found before Babel adds it; `after`: about the
    header Babel has just read), the plural forms to drop, and the header entries.

    Babel's state while it reads (the number of plural forms, the locale, the charset)
    is followed on a catalogue of its own, given each header entry as Babel's parser
    would give it, so that a header it cannot read stops the plan at that entry."""

    def __init__(self, result: ParsedPo, entries: list[PoEntry], locale: str | None) -> None:
        self.result, self.entries = result, entries
        self.before: list[list[Problem]] = []
        self.after: list[list[Problem]] = []
        self.msgstr_lines: dict[MessageKey, dict[int, int]] = {}
        self.drop: dict[int, int] = {}       # entry -> its first msgstr[N] Babel is not given
        self.replace: dict[int, str] = {}    # header entry -> the header Babel is given
        # What each header entry sets, in order: its text (None: merged into a message
        # of the same key), then the Plural-Forms it was given instead of its own.
        self.headers: list[tuple[str | None, str | None]] = []
        # The charset Babel decodes with from a line on, and the header entry that set it.
        self.charsets: list[tuple[int, int, str]] = [(0, -1, "utf-8")]
        self.abort: _Abort | None = None  # where the plan found Babel would stop
        self._babel = Catalog(locale=locale, charset="utf-8")
        # Each entry's key and previous msgid as Babel reads them: decoded with the
        # charset of the header before them (mangled when it is not UTF-8).
        self.keys: list[MessageKey] = []
        self.previous: list[list[str]] = []
        seen: dict[tuple[bool, MessageKey], int] = {}
        for index, entry in enumerate(entries):
            self.before.append([])
            self.after.append([])
            context, msgid = entry.key
            previous = [text for keyword, text in entry.previous or [] if keyword != "msgctxt"]
            if len(self.charsets) > 1:
                context = None if context is None else self._decoded(context, entry.start)
                msgid = self._decoded(msgid, entry.line)
                previous = [self._decoded(text, entry.start - 1) for text in previous]
            key: MessageKey = (context, msgid)
            self.keys.append(key)
            self.previous.append(previous)
            if len(entry.ids) > 1 and not entry.obsolete:
                self._check_plural_count(index, entry)
            if msgid:
                first = seen.setdefault((entry.obsolete, key), entry.line)
                if first != entry.line and not entry.obsolete:
                    where = f" (context {shown(context)})" if context else ""
                    self._problem(index, entry.line, f"duplicate entry for msgid {shown(msgid)}"
                                                     f"{where}, first at line {first}; delete "
                                                     "one of them")
                if not entry.obsolete:
                    self.msgstr_lines.setdefault(key, dict(entry.msgstr_lines))
            elif not entry.obsolete and not self._header(index, entry):
                break

    def _problem(self, index: int, line: int, message: str, after: bool = False) -> None:
        (self.after if after else self.before)[index].append(
            Problem(self.result.path, line, message))

    def _check_plural_count(self, index: int, entry: PoEntry) -> None:
        """A plural entry needs exactly the number of forms the header's Plural-Forms
        says (the locale's, when it has none); extra ones are dropped so that Babel
        reads the rest."""
        rule = self.result.plural_rule
        wanted = rule.nplurals if rule is not None else self._babel.num_plurals
        given = sorted(entry.strings)
        if given != list(range(wanted)):
            extra = [i for i in given if i >= wanted]
            where = entry.msgstr_lines.get(extra[0], entry.line) if extra else entry.line
            needs = "the header's Plural-Forms" if rule is not None else str(self._babel.locale)
            self._problem(index, where, f"plural message has {len(given)} forms (msgstr[0].."
                                        f"msgstr[{len(given) - 1}]) but {needs} needs "
                                        f"{wanted}: msgstr[0]..msgstr[{wanted - 1}]")
            if extra:
                self.drop[index] = entry.msgstr_lines[extra[0]]

    def _header(self, index: int, entry: PoEntry) -> bool:
        """A header entry (msgid ""): read it as Babel will, then make sure Babel's
        catalogue has exactly the Plural-Forms the strict check read. Babel reads the
        header its own way (the last of two fields, a second header entry, a folded
        line) and trusts what it reads, before any plural message is allocated with
        that many forms. False when Babel cannot read it."""
        result, babel, line = self.result, self._babel, entry.line
        context = entry.context
        if context is not None:
            if len(entry.ids) == 1:  # Babel reads it as a header entry too
                self._problem(index, line, 'msgid "" with a msgctxt is read as a second '
                                           "header entry: give it a msgid or delete it")
        elif result.header_line and line != result.header_line:
            self._problem(index, line, 'a second header entry (msgid ""): merge it into '
                                       "the first and delete it")
        applies = babel.get("", context) is None  # else Babel merges it into that message
        try:
            if len(entry.ids) > 1:  # a plural message with msgid "": Babel keeps it as one
                forms = tuple(entry.strings.get(i, "") for i in range(babel.num_plurals))
                babel[tuple(entry.ids)] = Message(tuple(entry.ids), forms, context=context)
            else:
                text = entry.strings.get(0, "")
                babel[""] = Message("", text, context=context)
                if applies:
                    self.headers.append((text, None))
        except Exception as exc:  # int(nplurals) of a field the check did not see, a date
            self.abort = _Abort(index, entry.finish, Problem(
                result.path, line, f"the header entry cannot be read ({_babel_says(exc)}): "
                "check that each field is written once and as in another language's "
                "messages.po"), finishing=True)
            return False
        rule = result.plural_rule
        default = Catalog(locale=babel.locale)
        wanted = (rule.nplurals, rule.expression) if rule is not None else \
            (default.num_plurals, default.plural_expr)
        read = (babel.num_plurals, babel.plural_expr)
        if (read[0], " ".join(read[1].split())) != (wanted[0], " ".join(wanted[1].split())):
            value = f"nplurals={wanted[0]}; plural={wanted[1]};"
            self._problem(index, result.header_fields.get("plural-forms", line),
                          "header Plural-Forms is written more than once or across lines, "
                          "so tools read it differently: write it once, on one line, like "
                          f"'Plural-Forms: {escape_controls(value)}'", after=True)
            babel.mime_headers = [("Plural-Forms", value)]
            if len(entry.ids) == 1:
                self.replace[index] = f"Content-Type: text/plain; charset={babel.charset}\n" \
                                      f"Plural-Forms: {value}\n"
            if applies and len(entry.ids) == 1:
                self.headers[-1] = (self.headers[-1][0], value)
            else:
                self.headers.append((None, value))
        if babel.charset != self.charsets[-1][2]:
            self.charsets.append((entry.finish + 1, index, babel.charset))
        return True

    def _decoded(self, text: str, line: int) -> str:
        """`text`, read from `line` of this UTF-8 file, as Babel decodes it: with the
        charset of the header before it (the text is mangled when that is not UTF-8;
        the line a header ends at is still read with the charset before)."""
        charset = next(charset for start, _, charset in reversed(self.charsets)
                       if start <= line)
        if charset == "utf-8":
            return text
        try:
            return text.encode("utf-8").decode(charset, "replace")
        except LookupError:  # check_decoding refuses that header
            return text

    def feed(self, lines: list[str]) -> list[str]:
        """The lines Babel is given: the file's, line for line, with what it would misread
        taken out."""
        feed = [("#." if is_previous(view) else "" if is_obsolete_previous(view) else line)
                for line, view in ((line, babel_view(line)) for line in lines)]
        for index, first in self.drop.items():
            entry = self.entries[index]
            feed[first - 1: entry.end] = [""] * (entry.end - first + 1)
            # Babel takes an entry's `#~` from its last keyword: keep the dropped one's.
            kept = max(line for line in entry.msgstr_lines.values() if line < first)
            view = babel_view(feed[kept - 1])
            if view.startswith("#~") != entry.obsolete:
                feed[kept - 1] = "#~ " + view if entry.obsolete else view[2:].lstrip()
        for index, header in self.replace.items():
            entry = self.entries[index]
            first = entry.msgstr_lines[0]
            quoted = header.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            feed[first - 1: entry.end] = [f'msgstr "{quoted}"'] + [""] * (entry.end - first)
        return feed

    def check_decoding(self, feed: list[str]) -> None:
        """Babel decodes each line after a header with the header's charset: one it does
        not know, or that cannot read a line of this UTF-8 file, stops it there."""
        if len(self.charsets) == 1:
            return
        end = self.abort.line if self.abort is not None else len(feed) + 1
        changes = iter(self.charsets)
        _, index, charset = next(changes)
        following = next(changes, None)
        for number, line in enumerate(feed[: end - 1], start=1):
            while following is not None and number >= following[0]:
                _, index, charset = following
                following = next(changes, None)
            view = babel_view(line)
            if not view or charset == "utf-8":
                continue
            try:
                view.encode("utf-8").decode(charset)
            except (LookupError, UnicodeError) as exc:
                self._refuse_charset(index, number, charset, isinstance(exc, LookupError))
                return
        try:
            codecs.lookup(charset)
        except LookupError:  # no line is left to decode, but the catalogue is written so
            self._refuse_charset(index, end, charset, unknown=True)

    def _refuse_charset(self, index: int, line: int, charset: str, unknown: bool) -> None:
        entry, result = self.entries[index], self.result
        where = result.header_fields.get("content-type", entry.line) \
            if entry.line == result.header_line else entry.line
        what = (f"names the unknown charset {shown(charset)}" if unknown else
                f"says the charset is {shown(charset)}, which cannot read line {line} of "
                "this UTF-8 file")
        self.abort = _Abort(index, line, Problem(result.path, where, f"header Content-Type "
                                                 f"{what}: write 'Content-Type: text/plain; "
                                                 "charset=UTF-8'"), finishing=False)

    def stop(self, exc: Exception | None = None) -> _Stop:
        """Where Babel stopped (with `exc`) or would have stopped (at a header the plan
        refused): the earlier of the two, as the strict reader reported it."""
        entries, path, abort = self.entries, self.result.path, self.abort
        if isinstance(exc, PoFileError):
            line = exc.lineno + 1
            problem = Problem(path, line, f"syntax: {_babel_says(exc)}")
            if not exc.line:  # an entry Babel could not add: it stopped at its msgid
                read = next((i for i, e in enumerate(entries) if e.line == line), len(entries))
                finish = entries[read].finish if read < len(entries) else line
                if abort is None or finish < abort.line:
                    return _Stop(read, read < len(entries), finish, problem)
            else:
                # A ValueError of a comment line comes after Babel has added the entry
                # before it: of the header entry the plan refused, or a location's.
                late = isinstance(exc.__context__, ValueError)
                if abort is None or line < abort.line or (
                        line == abort.line and abort.finishing and not late):
                    read = sum(1 for e in entries if e.finish < line or late
                               and e.finish == line)
                    return _Stop(read, False, line, problem)
        if abort is not None:
            if abort.finishing:
                return _Stop(abort.index, True, abort.line, abort.problem)
            read = sum(1 for e in entries if e.finish < abort.line)
            return _Stop(read, False, abort.line, abort.problem)
        if exc is not None:  # cannot happen: the plan read every header as Babel does
            return _Stop(0, False, 0, Problem(path, self.result.header_line, "the header "
                                              f"entry cannot be read ({_babel_says(exc)})"))
        return _Stop(len(entries), False, sys.maxsize)

    def finish(self, catalog: Catalog) -> None:
        """Complete Babel's catalogue: the header entries as read, if one was given a
        Plural-Forms of ours, and the previous msgids of `#|` lines."""
        if self.replace:
            for text, plural_forms in self.headers:
                if text is not None:
                    catalog.mime_headers = message_from_string(text).items()
                if plural_forms is not None:
                    catalog.mime_headers = [("Plural-Forms", plural_forms)]
        obsolete = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
                    for m in catalog.obsolete.values()}
        last = {self.keys[index]: index for index, entry in enumerate(self.entries)
                if entry.obsolete}
        for index, entry in enumerate(self.entries):
            previous, key = self.previous[index], self.keys[index]
            context, msgid = key
            if not previous or not msgid:
                continue
            if entry.obsolete:  # the last of two obsolete entries is the one Babel keeps
                message = obsolete.get(key) if last[key] == index else None
            else:
                message = catalog.get(msgid, context)
            if message is not None:
                message.previous_id = previous
