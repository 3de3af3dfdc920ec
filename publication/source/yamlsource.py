"""Load hand-edited YAML safely, keeping the line of every value for error messages.

Only plain YAML (maps, lists, strings, numbers, booleans, dates) is accepted: custom
tags are refused and a key given twice in one map is an error, not a silent override.

The files come from people (campaign staff, a local group), so nothing in one may cost
more than a small file should: a file is at most `MAX_BYTES`, values nest at most
`MAX_DEPTH` deep, a document holds at most `MAX_VALUES` values once its aliases
(`*name`) are expanded and uses at most `MAX_ALIASES` of them (an "alias bomb" is a
`file:line` error, not gigabytes), a value is at most `MAX_SCALAR` characters and a
number at most `MAX_DIGITS`. Only a regular file is read, never through a symbolic link.
A syntax error is explained in words at the line to fix, with what to do.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from publication.errors import InputError, Problem, escape_controls, shown
from publication.source.characters import PROBLEM_CODE, find_bad_character

JsonPath = tuple[str | int, ...]

MAX_BYTES = 256 * 1024  # a campaign.yaml is about 8 KB, an imprint file under 1 KB
MAX_DEPTH = 32  # maps and lists inside each other
MAX_VALUES = 20_000  # after aliases are expanded; a campaign has a few hundred
MAX_ALIASES = 1_000
MAX_SCALAR = 10_000  # characters of one value
MAX_DIGITS = 30  # characters of one number

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus where each value sits: `lines[path]` is the 1-based line."""

    path: Path
    data: Any
    lines: dict[JsonPath, int]

    def line_of(self, where: JsonPath) -> int:
        """The line of the value at `where`, or of its nearest parent that has one."""
        while where not in self.lines and where:
            where = where[:-1]
        return self.lines.get(where, 1)


def path_name(where: JsonPath) -> str:
    """Where a value sits, as messages name it: keys joined by dots, list items counted
    from 1 as in catalogue contexts (`facts.2` is the second fact)."""
    return ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in where) \
        or "top level"


def strict_problems(doc: YamlDocument, where: JsonPath) -> list[Problem]:
    """Each address or number in the map at `where` (an e-mail, a phone number, a web
    address) holding an invisible character, even a direction mark, which could change
    the order it is shown in."""
    values = doc.data
    for key in where:
        values = values.get(key) if isinstance(values, dict) else None
    problems = []
    for key, value in values.items() if isinstance(values, dict) else ():
        bad = find_bad_character(value, strict=True) if isinstance(value, str) else None
        if bad is not None:
            problems.append(Problem(doc.path, doc.line_of((*where, key)),
                                    f"{path_name((*where, key))}: {bad.describe()}",
                                    PROBLEM_CODE))
    return problems


class _TooMuch(Exception):
    """A limit was passed at `line`: the whole file is refused with `message`."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(path: Path) -> YamlDocument:
    """Read `path` as YAML; any syntax error, custom tag, duplicate key or passed limit
    is an InputError at its line."""
    text = _read(path)
    try:
        node = _compose(text)
    except _TooMuch as exc:
        raise InputError([Problem(path, exc.line, exc.message)]) from None
    except yaml.YAMLError as exc:
        line, message = explain_syntax(exc, text)
        raise InputError([Problem(path, line, f"YAML syntax: {message}", "syntax")]) from None
    converter = _Converter(path)
    try:
        data = converter.convert(node, (), 0) if node is not None else None
    except _TooMuch as exc:
        raise InputError([Problem(path, exc.line, exc.message)]) from None
    if converter.problems:
        raise InputError(converter.problems)
    return YamlDocument(path, data, converter.lines)


def _read(path: Path) -> str:
    """The file's text: a regular file (not a link, a device or a pipe) of at most
    MAX_BYTES, in UTF-8."""
    def refuse(message: str, line: int = 0) -> InputError:
        return InputError([Problem(path, line, message)])

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP and path.is_symlink():
            target = escape_controls(os.readlink(path))
            raise refuse(f"cannot read: it is a symbolic link (to '{target}'); only a regular "
                         "file is read: copy the file here instead of linking to it") from None
        raise refuse(f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("cannot read: not a regular file (a folder, device or pipe)")
        if info.st_size > MAX_BYTES:
            raise refuse(f"cannot read: the file is {info.st_size:,} bytes; a YAML file here "
                         f"is at most {MAX_BYTES:,} bytes (is it the right file?)")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_BYTES:  # it grew while being read
        raise refuse(f"cannot read: the file is more than {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise refuse(f"not UTF-8 text ({exc.reason}, byte 0x{raw[exc.start]:02x}): save the "
                     "file as UTF-8 in your editor", line) from None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader composing at most MAX_VALUES nodes, MAX_ALIASES aliases and
    MAX_DEPTH levels; its composer is recursive, so the depth is also what keeps
    Python's stack safe."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0
        self._nodes = 0
        self._aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _TooMuch(line, f"more than {MAX_ALIASES} aliases (*name) in one file; "
                                     "write the values out instead")
        else:
            self._nodes += 1
            if self._nodes > MAX_VALUES:
                raise _TooMuch(line, f"more than {MAX_VALUES:,} values in one file: is it "
                                     "the right file?")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooMuch(line, f"maps and lists nested more than {MAX_DEPTH} levels "
                                     "deep; a file here needs a few")
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


class _Converter:
    """YAML nodes to plain data, recording each value's line; aliases are expanded
    (and counted: at most MAX_VALUES values, MAX_DEPTH levels in all)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[JsonPath, int] = {}
        self.problems: list[Problem] = []
        self.values = 0
        self.within: set[int] = set()  # the nodes being converted: an alias to one loops
        self.scalars = yaml.constructor.SafeConstructor()

    def problem(self, line: int, message: str, code: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, code))

    def convert(self, node: yaml.Node, where: JsonPath, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooMuch(line, f"more than {MAX_VALUES:,} values once the aliases (*name) "
                                 "are expanded; write the values out instead of nesting "
                                 "aliases")
        if depth > MAX_DEPTH:
            raise _TooMuch(line, f"maps and lists nested more than {MAX_DEPTH} levels deep "
                                 "once the aliases (*name) are expanded")
        self.lines[where] = line
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, line, path_name(where) + ": " if where else "")
            bad = find_bad_character(value) if isinstance(value, str) else None
            if bad is not None:
                self.problem(line, f"{path_name(where)}: {bad.describe()}", PROBLEM_CODE)
            return value
        if id(node) in self.within:
            raise _TooMuch(line, "this value contains an alias (*name) of itself, which "
                                 "never ends; write the value out instead")
        self.within.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, where, depth)
            return [self.convert(item, (*where, i), depth + 1)
                    for i, item in enumerate(node.value)]
        finally:
            self.within.discard(id(node))

    def mapping(self, node: yaml.MappingNode, where: JsonPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                self.problem(key_line, "keys must be plain text")
                continue
            if len(key_node.value) > MAX_SCALAR:
                self.problem(key_line, f"a key of {len(key_node.value):,} characters")
                continue
            key = str(key_node.value)
            if key in result:
                self.problem(key_line, f"key {shown(key)} is given twice in this map")
                continue
            result[key] = self.convert(value_node, (*where, key), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode, line: int, name: str = "") -> Any:
        text: str = node.value
        if node.tag not in _SCALAR_TAGS:
            self.problem(line, f"{name}unsupported YAML tag {shown(node.tag)}: only plain values, "
                               "maps and lists are read")
            return None
        if len(text) > MAX_SCALAR:
            self.problem(line, f"{name}a value of {len(text):,} characters; at most "
                               f"{MAX_SCALAR:,} are read")
            return None
        if node.tag in _NUMBER_TAGS and len(text) > MAX_DIGITS:
            self.problem(line, f"{name}a number of {len(text)} characters; at most "
                               f"{MAX_DIGITS} are read (put the value in quotes if it is text)")
            return None
        try:
            value = self.scalars.construct_object(node, deep=True)
        except (ValueError, OverflowError):
            if node.tag == _TIMESTAMP_TAG:
                self.problem(line, f"{name}{shown(text)} is not a date: write the date as "
                                   "YYYY-MM-DD (a real date)")
            else:
                self.problem(line, f"{name}{shown(text)} looks like a number but is not one: "
                                   "put the value in quotes if it is text")
            return None
        # Dates stay ISO strings so that the schema sees one type for them.
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


# -- syntax errors in words ----------------------------------------------------------------

_INDENT_FOUND = ("<block mapping start>", "<block sequence start>", "<scalar>", "-", "?")
_KEY_BEFORE = re.compile(r"^\s*(?:-\s+)*[^\s#'\"][^#]*?:\s")
_QUOTES = "\"'"


def explain_syntax(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line to fix and what is wrong there, in words with what to do, for one of
    PyYAML's errors on `text`."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return line, (f"the invisible control character U+{exc.character:04X} is not allowed; "
                      "delete it (retype the line if you cannot see it)")
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return 0, "the file cannot be read as YAML"
    rows = text.splitlines() or [""]
    mark = exc.problem_mark
    line = mark.line + 1
    row = rows[min(mark.line, len(rows) - 1)]
    start = exc.context_mark.line + 1 if exc.context_mark else line
    context, problem = exc.context or "", exc.problem or ""
    quoted = _multiline_quote(text, line)
    if "quoted scalar" in context and "unexpected" in problem:
        quote = text[exc.context_mark.index] if exc.context_mark else '"'
        return start, (f"the quote {quote} opened on this line is never closed: end the "
                       f"value with {quote} (on this line, unless the text goes on)")
    if quoted is not None and quoted[1] == line:
        return quoted[0], (f"the quoted value that starts on this line only ends on line "
                           f"{quoted[1]}, where the rest of that line makes no sense: is a "
                           "closing quote missing here?")
    return _explain(exc, context, problem, line, start, row, mark.column)


def _explain(exc: yaml.MarkedYAMLError, context: str, problem: str, line: int, start: int,
             row: str, column: int) -> tuple[int, str]:
    found = problem.split("but found ", 1)[-1].strip("'") if "but found" in problem else ""
    char = row[column] if column < len(row) else ""
    before = row[:column].rstrip()
    if "escape" in problem:
        return line, ("an unknown escape after '\\' in a \"...\" value: write \\\\ for a "
                      "backslash, or put the value in '...' instead")
    if "scanning a simple key" in context:
        return start, ("this line is neither 'key: value' nor a list item ('- ...'), nor "
                       "indented to go on with the text above: add the ':' after the key, or "
                       "indent the line like the text it belongs to")
    if "mapping values are not allowed" in problem:
        if _KEY_BEFORE.match(row[:column + 1]):
            return line, ("a second ': ' on this line: put the value in quotes "
                          "(key: \"text: more text\")")
        return line, ("this key is indented more than the line above, which already has a "
                      "value: line it up with the keys above it (to nest it, leave nothing "
                      "after the colon of the key above)")
    if char == "\t" or "tab character" in problem:
        return line, "a tab character: YAML indents with spaces only; replace it with spaces"
    if before.endswith(tuple(_QUOTES)) and (found == "<scalar>" or "cannot start" in problem):
        return line, ("text after the closing quote: put the whole value in quotes (inside "
                      "'...' write '' for ', inside \"...\" write \\\" for \")")
    if found == "<tag>":
        return line, "a value cannot start with '!' (a YAML tag): put the value in quotes"
    if "mapping keys are not allowed" in problem:
        return line, "a '? ' here starts a YAML key: put the value in quotes"
    if "cannot start any token" in problem:
        return line, (f"a value cannot start with {char!r}: put the value in quotes "
                      f"(key: \"{char}...\")")
    if "scanning an alias" in context or "scanning an anchor" in context:
        sign = "*" if "alias" in context else "&"
        return line, (f"a value starting with '{sign}' is read as a YAML "
                      f"{'alias' if sign == '*' else 'anchor'}: put the value in quotes")
    if "undefined alias" in problem:
        return line, ("a value starting with '*' names an anchor ('&name') that is not "
                      "defined above: put the value in quotes if the * is part of the text")
    if "duplicate anchor" in context:
        return line, f"this anchor ('&name') is defined again (first on line {start}): " \
                     "give one of them another name"
    if "single document" in context:
        return line, "a second document starts here ('---'): a file holds one; delete the line"
    if "scanning a block scalar" in context:
        return line, ("after '>' or '|' (text on the following lines) only '-', '+' or a "
                      "digit may follow: start the text on the next line, indented")
    if "scanning a directive" in context:
        return line, "a line cannot start with '%': put the value in quotes, or indent it"
    if "sequence entries are not allowed" in problem:
        return line, ("a list item ('- ') cannot follow a key on its line: start the list on "
                      "the next line, indented")
    if "flow sequence" in context or "flow mapping" in context:
        pair = "[]" if "sequence" in context else "{}"
        where = "on this line" if start == line else f"on line {start}"
        return line, (f"the {pair[0]} opened {where} is not closed with {pair[1]} before "
                      f"this point (or an item in it holds ': '): close it, or put the "
                      "item in quotes")
    if found in (",", "]", "}", ":", "[", "{") or "node content" in problem:
        return line, (f"a stray {char!r}: delete it, or put the value in quotes if it is "
                      "part of the text")
    if "block" in context and found in _INDENT_FOUND:
        return line, _misplaced(exc, context, found, row, column, start)
    if "document start" in problem:
        return line, ("the file already has a whole value above this line: the lines above "
                      "must be 'key: value' too (or comments, starting with '#')")
    return line, (f"YAML cannot read this line ({problem}): check its indentation, its "
                  "colons and its quotes")


def _misplaced(exc: yaml.MarkedYAMLError, context: str, found: str, row: str, column: int,
               start: int) -> str:
    """A line that fits neither the map nor the list it follows."""
    text = row.lstrip(" ")
    indent = len(row) - len(text)
    if text.startswith("-") and not text[1:2].isspace() and text[1:2]:
        return "a list item needs a space after its '-'"
    if column > indent:
        return ("the value ends before the text at this point of the line: put the whole "
                "value in quotes")
    of = exc.context_mark.column if exc.context_mark else 0
    if found == "-" and "mapping" in context and indent == of:
        return (f"a list item ('- ') among the keys of the map from line {start}: put the "
                "list under a key of its own (the key, then its items indented below it)")
    if found == "?" and indent == of:
        return (f"a 'key: value' line among the items ('- ') of the list from line {start}: "
                "start it with '- ', or indent it under the item it belongs to")
    what = "list" if "collection" in context else "map"
    spaces = "space" if indent == 1 else "spaces"
    return (f"indented by {indent} {spaces}, which fits no map or list above it (the {what} "
            f"from line {start} is indented by {of}): indent it exactly like the lines it "
            "belongs with")


def _multiline_quote(text: str, line: int) -> tuple[int, int] | None:
    """(first, last line) of the last quoted value that spans lines and ends at `line`
    at the latest, when one does: a missing closing quote swallows the lines up to the
    next quote, and YAML only stumbles there."""
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line + 1 > line:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("\"", "'") \
                    and token.end_mark.line > token.start_mark.line:
                found = (token.start_mark.line + 1, token.end_mark.line + 1)
    except yaml.YAMLError:
        pass
    return found
