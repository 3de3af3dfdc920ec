"""The checks of a translator's catalogue: its header, and each message against its
source text (placeholders, percent signs, inline markup, invisible characters).

`read_checked` reads a `.po` file strictly (publication.i18n.pofile) and returns every
problem as `file:line: what is wrong`. The header's Plural-Forms is read by
publication.i18n.plurals; one that groups numbers differently from CLDR's rule for the
language (Babel's) is logged, never refused: the file's own rule picks the forms, as in
gettext. Whatever a message quotes from the file has its control characters escaped
and is cut when long.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import babel
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural

from publication.errors import Problem, escape_controls, shown
from publication.i18n.locales import locale_info
from publication.i18n.plurals import (
    PluralFormsError,
    PluralRule,
    compare_grouping,
    numbers_like,
    parse_plural_forms,
)
from publication.i18n.pofile import NotRegularFile, ParsedPo, parse_po, read_po_file
from publication.model import MessageKey
from publication.source.characters import find_bad_character
from publication.source.markup import compare_markup
from publication.source.placeholders import PLACEHOLDER, format_problem, specs

# The catalogue stage's logger, as before the checks had a module of their own: what
# filters or reads its notes keeps working.
LOG = logging.getLogger("publication.i18n.catalog")

_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
_LONG_RUN_RE = re.compile(r"\S{61,}")
# Characters of one translation: the longest source text is 600 (content.LONG), and a
# longer one would only be set over page after page (a 5 MB msgstr took two minutes).
MAX_MESSAGE = 2000


def is_formatted(ids: str | tuple[str, ...] | list[str]) -> bool:
    """Whether the program %-formats a message with these source texts: exactly when
    they have a placeholder such as %(count)s. Then `%%` is a percent sign; in any other
    message `%` is one (TRANSLATING.md)."""
    return any(PLACEHOLDER.search(text) for text in ([ids] if isinstance(ids, str) else ids))


def format_flags(ids: str | tuple[str, ...] | list[str]) -> frozenset[str]:
    """The format flag translators' tools (Poedit, Weblate, msgfmt -c) check a message
    by: python-format for one the program formats, none for the others."""
    return frozenset({"python-format"}) if is_formatted(ids) else frozenset()


def message_key(message: Message) -> MessageKey:
    """(context, msgid), the singular for a plural message."""
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def message_strings(message: Message) -> tuple[str, ...]:
    """A message's translation, as one string per plural form."""
    if isinstance(message.string, str | None):
        return (message.string or "",)
    return tuple(message.string)


def has_text(message: Message) -> bool:
    return any(message_strings(message))


def message_state(message: Message) -> str:
    """"translated", "fuzzy" or "untranslated" (a form left empty)."""
    if not all(message_strings(message)):
        return "untranslated"
    return "fuzzy" if message.fuzzy else "translated"


def check_catalog(path: Path, code: str) -> tuple[Catalog | None, list[Problem]]:
    """Read `path` strictly and return the catalogue with every problem found in it."""
    parsed = read_checked(path, code)
    return parsed.catalog, parsed.problems


# (path, locale) -> the bytes last checked and what they were found to be: a build
# reads each catalogue for its PDFs, then for the index's completeness figures.
_CHECKED: dict[tuple[Path, str], tuple[bytes, ParsedPo]] = {}


def read_checked(path: Path, code: str) -> ParsedPo:
    """Read and check `path`: syntax, header, and every message against its source.
    The same bytes are checked once per process (the result is the same)."""
    try:
        raw = read_po_file(path)
    except NotRegularFile as exc:
        return ParsedPo(path, None, [Problem(path, 0, str(exc))])
    except OSError as exc:
        return ParsedPo(path, None, [Problem(path, 0, f"cannot read: {exc.strerror}")])
    known = _CHECKED.get((path, code))
    if known is None or known[0] != raw:
        known = _CHECKED[(path, code)] = (raw, _checked(raw, path, code))
    return dataclasses.replace(known[1], problems=list(known[1].problems))


def _checked(raw: bytes, path: Path, code: str) -> ParsedPo:
    parsed = parse_po(raw, path, code)
    if parsed.catalog is None:
        return parsed
    parsed.problems += _header_problems(parsed, code)
    for message in parsed.catalog:
        if message.id:
            parsed.problems += _message_problems(message, parsed)
    parsed.problems += parsed.previous_problems  # gettext's tools would refuse the file
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _header_problems(parsed: ParsedPo, code: str) -> list[Problem]:
    path = parsed.path
    if not parsed.header_line:
        return [Problem(path, 1, 'the file must start with the header entry (msgid "" and its '
                                 "msgstr with Language, Content-Type and Plural-Forms); copy it "
                                 "from another language's messages.po")]

    def problem(name: str, message: str) -> Problem:
        return Problem(path, parsed.header_fields.get(name, parsed.header_line), message)

    problems = []
    charset = parsed.header_values.get("content-type", "")
    if "charset=utf-8" not in charset.lower().replace(" ", ""):
        problems.append(problem("content-type", "header Content-Type must be 'text/plain; "
                                                f"charset=UTF-8', not {shown(charset)}"))
    language = parsed.header_values.get("language", "")
    if language.replace("-", "_") != code:
        problems.append(problem("language", f"header Language is {shown(language)} but the "
                                            f"folder is '{code}': write 'Language: {code}'"))
    if parsed.plural_rule is None:  # no field: parse_po itself refuses one it cannot use
        problems.append(problem("plural-forms", "the header has no Plural-Forms: add "
                                                f"'Plural-Forms: {get_plural(code).plural_forms}'"
                                                f" (CLDR's rule for {code})"))
    else:
        _plural_notes(parsed, code, parsed.plural_rule)
    return problems


def _plural_notes(parsed: ParsedPo, code: str, rule: PluralRule) -> None:
    """Log how a valid Plural-Forms compares with CLDR's rule for the locale (Babel's).

    The file's own rule picks among its own msgstr[N], as gettext does, so a rule that
    differs from CLDR's never stops a build: a library upgrade that changes CLDR's rule
    must not invalidate a catalogue. Numbering the forms another way (GNU's Arabic rule)
    or telling more numbers apart is not mentioned; putting together numbers that CLDR
    tells apart, as the rules of GNU gettext and Babel <= 2.18 do for French, Spanish or
    Hebrew, is an INFO note; grouping numbers otherwise (the singular with other
    numbers than CLDR's, or across CLDR's forms), or a form no number gets, a WARNING.
    """
    where = Problem(parsed.path, parsed.header_fields.get("plural-forms", parsed.header_line),
                    "header Plural-Forms")
    header = escape_controls(rule.header)  # the file's: a tab stays visible as \x09
    if rule.unreachable:
        unused = ", ".join(f"msgstr[{i}]" for i in rule.unreachable)
        LOG.warning("%s: no number gets form %s of '%s', so %s of every plural message is "
                    "never shown; check the expression", where,
                    ", ".join(map(str, rule.unreachable)), header, unused)
    expected = get_plural(code).plural_forms
    try:
        cldr = parse_plural_forms(expected)
    except PluralFormsError:  # cannot happen with Babel's rules (tests/test_plurals.py)
        LOG.debug("%s: Babel's rule for %s is not readable: %s", where, code, expected)
        return
    grouping = compare_grouping(rule, cldr)
    if grouping.relation in ("same", "finer"):
        return
    numbers = sorted(set(rule.probes()) | set(cldr.probes()))
    singular_alike = numbers_like(rule, 1, numbers) == numbers_like(cldr, 1, numbers)
    reference = f"CLDR's rule for {code} ('{expected}', Babel {babel.__version__})"
    if grouping.relation == "coarser" and singular_alike:
        a, b = grouping.merged or (0, 0)
        LOG.info("%s: '%s' gives %d and %d the same form, which %s tells apart. That is "
                 "fine: the file's own rule picks its forms, as in gettext. To follow CLDR, "
                 "use its rule and give every plural message %d forms.", where, header,
                 a, b, reference, cldr.nplurals)
        return
    details = []
    if grouping.merged:
        a, b = grouping.merged
        details.append(f"{a} and {b} share a form here but not in CLDR")
    if grouping.split:
        a, b = grouping.split
        details.append(f"{a} and {b} have different forms here but one in CLDR")
    LOG.warning("%s: '%s' groups numbers differently from %s: %s. The PDFs follow this "
                "file's rule; check that it is the one for %s.", where, header,
                reference, "; ".join(details), locale_info(code).english_name)


def _message_problems(message: Message, parsed: ParsedPo) -> list[Problem]:
    # A fuzzy entry is never published, and after `update` it holds the translation of
    # an older source text: its placeholders or links may rightly differ until revised.
    if message.fuzzy:
        return []
    key = message_key(message)
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = message_strings(message)
    plural = len(sources) > 1
    wanted = set().union(*(_placeholders(s) for s in sources))
    names = {m.group(1) for s in sources for m in _PLACEHOLDER_RE.finditer(s) if m.group(1)}
    formatted = is_formatted(sources)
    problems: list[Problem] = []
    for index, string in enumerate(strings):
        if not string:
            continue
        label = f"msgstr[{index}]" if plural else "msgstr"
        line = parsed.msgstr_line(key, index) or message.lineno or 0
        where = f"{shown(message.context)} {label}" if message.context else label

        def add(text: str, line: int = line, where: str = where) -> None:
            problems.append(Problem(parsed.path, line, f"{where}: {text}"))

        if len(string) > MAX_MESSAGE:
            add(f"the translation is {len(string):,} characters long; at most {MAX_MESSAGE:,} "
                "fit (the English text has "
                f"{len(sources[min(index, len(sources) - 1)]):,}): shorten it")
            continue
        bad = find_bad_character(string)
        if bad is not None:
            add(bad.describe())
        found = _placeholders(string)
        # One with a width (%(count)20000000s) is that placeholder written wrongly: not
        # also "missing" or "not in the source text".
        widened = {spec.written for spec in specs(string) if spec.placeholder and not spec.plain}
        foreign = found - wanted - widened
        if foreign:
            add(f"placeholder {_listed(foreign)} is not in the source text"
                + (f" (it has {', '.join(sorted(wanted))}): copy those unchanged" if wanted
                   else ", which has none: remove it"))
        # A plural form other than the last may leave the number out ("one war"); the
        # last form, and any singular message, must keep every placeholder.
        missing = wanted - found - widened
        if missing and (not plural or index == len(strings) - 1):
            add(f"placeholder {', '.join(sorted(missing))} from the source text is missing; "
                "copy it into the translation unchanged")
        if formatted and not foreign:
            problem = format_problem(string, names)
            if problem is not None:
                add(problem)
        elif widened:  # not formatted: a width is no placeholder, but say what it is
            add(f"placeholder {_listed(widened)} is not in the source text, which has "
                "none: remove it")
        for issue in dict.fromkeys(compare_markup(sources[min(index, len(sources) - 1)],
                                                  string)):
            add(_quoted_issue(issue))
    return problems


def _listed(placeholders: set[str]) -> str:
    """Placeholders of a translation, each cut when long (`%(` and 10 000 letters)."""
    return ", ".join(p if len(p) <= 60 else p[:60] + "…" for p in sorted(placeholders))


def _quoted_issue(issue: str, limit: int = 400) -> str:
    """A markup problem, which quotes the translation's tags and links: escaped, and
    each run of more than 60 characters without a space cut, as the whole."""
    text = _LONG_RUN_RE.sub(lambda m: m.group()[:60] + "…", escape_controls(issue))
    return text if len(text) <= limit else text[:limit] + "…"


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in _PLACEHOLDER_RE.finditer(text)}


def formats_cleanly(text: str, source: str) -> bool:
    """Whether `text` can be %-formatted with the named placeholders of `source` as the
    program formats it (read, never formatted: no width makes it allocate)."""
    return format_problem(text, {m.group(1) for m in _PLACEHOLDER_RE.finditer(source)
                                 if m.group(1)}) is None
