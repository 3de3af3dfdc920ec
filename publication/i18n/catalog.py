"""Stage 2: gettext catalogues with Babel: extract, update, init, check and compile.

Translators' `.po` files are untrusted input. `check_catalog` reads one strictly
(publication.i18n.pofile) and returns every problem as `file:line: what is wrong`;
`compile_catalog` turns a clean one into Babel `Translations` in memory (fuzzy and
empty entries left out, so they fall back to the source text) and, when asked, writes
the `.mo` atomically. The header's Plural-Forms is read by publication.i18n.plurals; the
file's own rule picks the plural forms, as in gettext, and one that groups numbers
differently from CLDR's rule for the language (Babel's) is logged, never refused.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import babel
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import normalize, write_po
from babel.support import Translations

from publication.errors import InputError, Problem, UsageError
from publication.files import write_atomic
from publication.i18n.plurals import (
    PluralFormsError,
    PluralRule,
    compare_grouping,
    numbers_like,
    parse_plural_forms,
)
from publication.i18n.pofile import ParsedPo, bad_character, parse_po
from publication.model import DOMAIN, SOURCE_LOCALE, MessageKey, Project
from publication.source.markup import compare_markup

LOG = logging.getLogger(__name__)

PROJECT_NAME = "campaign-publications"
COMMENT_TAGS = ("Translators:",)
EXTRACTOR = "publication.i18n.extract:extract_campaign"  # babel.cfg's `campaign` method
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$")
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
_WIDTH = 88  # line width of the .pot and .po files we write
_FORMAT_FLAGS = frozenset({"python-format", "python-brace-format"})  # Babel derives these


@dataclass(frozen=True)
class LocaleInfo:
    """What the pipeline needs to know about a locale, from Babel's CLDR data."""

    code: str          # gettext form: pt_BR
    tag: str           # BCP 47 form for HTML lang and PDF /Lang: pt-BR
    direction: str     # "ltr" or "rtl"
    name: str          # its own name: Deutsch, العربية
    english_name: str
    numbering: str     # CLDR default numbering system: latn, arab, deva...


def locale_info(code: str) -> LocaleInfo:
    """Validate a locale code and describe it; a code Babel does not know is a UsageError.

    Call this before a code is ever used in a path.
    """
    if not _LOCALE_RE.match(code):
        raise UsageError(f"'{code}' is not a locale code (use a form like 'it', 'pt_BR')")
    try:
        loc = Locale.parse(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise UsageError(f"'{code}' is not a language code Babel knows; use a code like "
                         "'it', 'pt_BR' or 'sr_Latn'") from exc
    return LocaleInfo(
        code=code,
        tag=code.replace("_", "-"),
        direction="rtl" if loc.character_order == "right-to-left" else "ltr",
        name=loc.display_name or code,
        english_name=loc.english_name or code,
        numbering=loc.default_numbering_system,
    )


def available_locales(project: Project) -> list[str]:
    """The source locale and every locale with a catalogue, validated, sorted."""
    found = []
    if project.locales.is_dir():
        for folder in sorted(project.locales.iterdir()):
            po = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
            if _LOCALE_RE.match(folder.name) and po.is_file():
                found.append(folder.name)
    return [SOURCE_LOCALE, *[code for code in found if code != SOURCE_LOCALE]]


# -- extraction and merging ----------------------------------------------------------------


def extract(project: Project) -> Catalog:
    """Extract every message from content and templates, as `pybabel extract -F babel.cfg`."""
    with open(project.root / "babel.cfg", encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj)
    # Our extractor by its import path, not by the entry point pybabel looks up: an
    # installed copy's metadata (a stale egg-info, another checkout) cannot redirect it.
    method_map = [(pattern, EXTRACTOR if method == "campaign" else method)
                  for pattern, method in method_map]
    catalog = Catalog(project=PROJECT_NAME, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(project.root), method_map, options_map, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_pot(project: Project, catalog: Catalog) -> bool:
    """Write the template; return False (and touch nothing) when only its date would change."""
    old = project.pot.read_bytes() if project.pot.exists() else None
    if old is not None:
        catalog.creation_date = _read(project.pot, None).creation_date
        if _po_bytes(catalog) == old:
            return False
    catalog.creation_date = build_time()
    write_atomic(project.pot, _po_bytes(catalog))
    return True


def update(project: Project, locales: Iterable[str]) -> list[str]:
    """Merge the template into each locale's catalogue; return the locales whose file changed.

    A changed source string (a plural's msgid_plural too) becomes fuzzy with its old
    translation kept (matched by its context, or by similar text as gettext does) and
    the old text as its previous msgid (`#|`); a removed one becomes obsolete. A file
    whose messages would not change is not rewritten, even if its layout differs from
    Babel's (a file saved by Poedit stays as it is).
    """
    _read(project.pot, None)  # a missing or broken template fails before any locale
    changed = []
    for code in locales:
        info = locale_info(code)
        path = project.po(info.code)
        catalog, parsed = _read_parsed(path, info.code)
        # Babel's Catalog.update puts the template's own Message objects (not copies) in
        # the catalogue for new messages, and the steps below change them (translation,
        # flags, previous msgid): each locale needs a template of its own, or one
        # language's old translation would reach the next language's file.
        template = _read(project.pot, None)
        # A file with broken `#|` lines (as Babel's own write_po left them) is rewritten
        # even when its messages stay the same: gettext's tools cannot read it as it is.
        before = None if parsed.previous_problems else _po_bytes(catalog)
        previous = {_key(m): m.previous_id for m in catalog if m.fuzzy and m.previous_id}
        plurals = {_key(m): tuple(m.id) for m in catalog if m.id and not isinstance(m.id, str)}
        catalog.update(template, update_header_comment=False)
        for message in catalog:  # Babel forgets a fuzzy entry's previous msgid on a rerun
            if message.fuzzy and not message.previous_id and _key(message) in previous:
                message.previous_id = previous[_key(message)]
        _flag_changed_plurals(catalog, plurals)
        _revive_obsolete(catalog)
        _rematch_by_context(catalog)
        _fix_format_flags(catalog)
        data = _po_bytes(catalog)
        if data != before:
            write_atomic(path, data)
            changed.append(code)
    return changed


def _flag_changed_plurals(catalog: Catalog, old_ids: dict[MessageKey, tuple[str, ...]]) -> None:
    """Make a translated plural message fuzzy when its plural source text changed.

    Babel matches messages by singular and context only, so a new msgid_plural kept its
    old translation as done: never shown to the translator, and msgfmt -c refuses it when
    the new text has a placeholder the translation lacks. msgmerge makes it fuzzy, with
    the old msgid and msgid_plural as the previous ones (`#|`); so do we."""
    for message in catalog:
        old = old_ids.get(_key(message))
        if (old is None or isinstance(message.id, str) or tuple(message.id) == old
                or message.fuzzy or not _has_text(message)):
            continue
        message.flags.add("fuzzy")
        message.previous_id = list(old)


def _revive_obsolete(catalog: Catalog) -> None:
    """Take back an obsolete entry whose context and text are in the template again (an
    edit undone after an update).

    Babel's update leaves it obsolete beside the new entry: a duplicate that msgfmt
    refuses. Its translation is for exactly this text, so it replaces none or a guess
    (a fuzzy one), as in msgmerge, which matches obsolete entries too."""
    for message in catalog:
        if not message.id:
            continue
        old = catalog.obsolete.pop(catalog._key_for(message.id, message.context), None)
        if (old is None or not _has_text(old) or isinstance(old.id, str) != isinstance(
                message.id, str) or len(_strings(old)) != len(_strings(message))):
            continue
        # A plural is found by its singular: its msgid_plural may differ.
        changed = not isinstance(message.id, str) and tuple(old.id) != tuple(message.id)
        if not _has_text(message) or (message.fuzzy and not old.fuzzy and not changed):
            message.string = old.string
            message.previous_id = list(old.id) if changed else []
            if old.fuzzy or changed:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")


def _fix_format_flags(catalog: Catalog) -> None:
    """Give each message the format flags Babel derives from its text, and no others.

    Babel's update adds the old entry's flags to a changed message, python-format or
    python-brace-format too, even when the new text has no placeholder. Reading the file
    back, Babel derives those flags from the msgid (`Message.__init__`) and drops the
    others, so the file would not read back as written, and msgfmt -c would check the
    translation as a format string."""
    for message in catalog:
        if message.id:
            derived = Message(message.id).flags & _FORMAT_FLAGS
            message.flags = (message.flags - _FORMAT_FLAGS) | derived


def _rematch_by_context(catalog: Catalog) -> None:
    """Give a message left without translation its old one, as fuzzy, from the obsolete
    entry with the same context: a context names a place, so a rewritten sentence keeps
    its translation to revise even when the new text is too different for gettext's match."""
    by_context = {old.context: key for key, old in catalog.obsolete.items()
                  if old.context and _state(old) != "untranslated"}
    for message in catalog:
        if not message.id or message.context not in by_context or _has_text(message):
            continue
        key = by_context.pop(message.context)
        old = catalog.obsolete[key]
        if isinstance(old.id, str) != isinstance(message.id, str):
            continue  # a singular became a plural or back: nothing sensible to reuse
        if len(_strings(old)) != len(_strings(message)):
            continue
        message.string = old.string
        message.flags.add("fuzzy")
        message.previous_id = [old.id] if isinstance(old.id, str) else list(old.id)
        del catalog.obsolete[key]


def init(project: Project, code: str) -> Path:
    """Start a catalogue for a new locale from the template; refuse an existing one."""
    info = locale_info(code)
    if info.code == SOURCE_LOCALE:
        raise UsageError(f"'{code}' is the source language; it has no catalogue")
    path = project.po(info.code)
    if path.exists():
        raise UsageError(f"{path} already exists; use 'update' to bring it up to date")
    template = _read(project.pot, None)
    catalog = Catalog(locale=info.code, project=PROJECT_NAME, charset="utf-8",
                      header_comment=f"# {info.english_name} translation of the campaign "
                                     "publications.\n# How to translate: see TRANSLATING.md.",
                      creation_date=template.creation_date, revision_date=build_time(),
                      language_team=info.english_name, fuzzy=False)
    catalog.update(template)
    write_atomic(path, _po_bytes(catalog))
    return path


def missing_characters(project: Project, code: str, limit: int = 10) -> list[str]:
    """Letters of the locale's script that no font in fonts/ has (at most `limit`).

    The sample is the language's own name and its month and day names from CLDR: they
    use the script's ordinary letters. A language in a script the fonts do not cover
    needs a font added (see TRANSLATING.md); `init` says so at once instead of letting
    the PDFs show empty boxes.
    """
    from fontTools.ttLib import TTFont  # only `init` needs it

    loc = Locale.parse(locale_info(code).code)
    sample = [loc.display_name or ""]
    for names in (loc.months["format"]["wide"], loc.days["format"]["wide"]):
        sample += list(names.values())
    covered: set[int] = set()
    for font in sorted(project.fonts.glob("*.[ot]tf")):
        with TTFont(font, lazy=True) as face:
            covered |= set(face.getBestCmap() or {})
    letters = {ch for text in sample for ch in text if ch.isalpha()}
    return sorted(ch for ch in letters if ord(ch) not in covered)[:limit]


# -- checking and compiling ----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """The state of one message in a locale, with the line of its msgid in the .po."""

    state: str  # "translated", "fuzzy" or "untranslated"
    line: int


@dataclass(frozen=True)
class CompiledCatalog:
    """A checked catalogue: Babel Translations (fuzzy and empty left out) and entry states."""

    locale: str
    path: Path | None
    translations: Translations
    entries: dict[MessageKey, Entry] = field(default_factory=dict)

    def entry(self, context: str | None, msgid: str) -> Entry:
        """The state of a message; one the catalogue lacks is untranslated (line 0)."""
        return self.entries.get((context, msgid), Entry("untranslated", 0))


def check_catalog(path: Path, code: str) -> tuple[Catalog | None, list[Problem]]:
    """Read `path` strictly and return the catalogue with every problem found in it."""
    parsed = read_checked(path, code)
    return parsed.catalog, parsed.problems


def read_checked(path: Path, code: str) -> ParsedPo:
    """Read and check `path`: syntax, header, and every message against its source."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return ParsedPo(path, None, [Problem(path, 0, f"cannot read: {exc.strerror}")])
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


def compile_catalog(project: Project, code: str, write: bool = False) -> CompiledCatalog:
    """Check a locale's catalogue and compile it; raise InputError when it has problems.

    With `write`, also write its `.mo` atomically: a failed check leaves the old one.
    """
    info = locale_info(code)
    path = project.po(info.code)
    parsed = read_checked(path, info.code)
    if parsed.problems or parsed.catalog is None:
        raise InputError(parsed.problems)
    catalog, rule = parsed.catalog, parsed.plural_rule
    if rule is None:  # a catalogue without problems has a valid Plural-Forms
        raise InputError([Problem(path, parsed.header_line, "the header has no Plural-Forms")])
    if write:
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        write_atomic(project.mo(info.code), buffer.getvalue())
    return CompiledCatalog(info.code, path, _translations(catalog, rule), entry_states(catalog))


def _translations(catalog: Catalog, rule: PluralRule) -> Translations:
    """Babel Translations of a checked catalogue, choosing plural forms with `rule`.

    gettext would turn the .mo header's Plural-Forms into Python with `c2py` (eval) as
    it reads it; it is given the constant rule `0` to compile, and `rule` (the file's own
    expression, by our parser) replaces it, as gettext's runtime would use the file's."""
    catalog.mime_headers = [("Plural-Forms", f"nplurals={rule.nplurals}; plural=0;")]
    buffer = io.BytesIO()
    try:
        write_mo(buffer, catalog, use_fuzzy=False)
    finally:
        catalog.mime_headers = [("Plural-Forms", rule.header)]
    buffer.seek(0)
    translations = Translations(buffer, domain=DOMAIN)
    translations.plural = rule
    translations.info()["plural-forms"] = rule.header
    return translations


def entry_states(catalog: Catalog) -> dict[MessageKey, Entry]:
    """Each message's state (translated, fuzzy, untranslated) and msgid line."""
    return {_key(m): Entry(_state(m), m.lineno or 0) for m in catalog if m.id}


def template_messages(project: Project) -> list[MessageKey]:
    """The messages of locales/messages.pot, in its order."""
    return [_key(m) for m in _read(project.pot, None) if m.id]


def source_catalog() -> CompiledCatalog:
    """The source locale: no translations, every message is its own text."""
    return CompiledCatalog(SOURCE_LOCALE, None, Translations(domain=DOMAIN))


def _key(message: Message) -> MessageKey:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, str | None):
        return (message.string or "",)
    return tuple(message.string)


def _has_text(message: Message) -> bool:
    return any(_strings(message))


def _state(message: Message) -> str:
    if not all(_strings(message)):
        return "untranslated"
    return "fuzzy" if message.fuzzy else "translated"


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
                                                f"charset=UTF-8', not {charset!r}"))
    language = parsed.header_values.get("language", "")
    if language.replace("-", "_") != code:
        problems.append(problem("language", f"header Language is {language!r} but the folder "
                                            f"is '{code}': write 'Language: {code}'"))
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
    if rule.unreachable:
        unused = ", ".join(f"msgstr[{i}]" for i in rule.unreachable)
        LOG.warning("%s: no number gets form %s of '%s', so %s of every plural message is "
                    "never shown; check the expression", where,
                    ", ".join(map(str, rule.unreachable)), rule.header, unused)
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
                 "use its rule and give every plural message %d forms.", where, rule.header,
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
                "file's rule; check that it is the one for %s.", where, rule.header,
                reference, "; ".join(details), locale_info(code).english_name)


def _message_problems(message: Message, parsed: ParsedPo) -> list[Problem]:
    # A fuzzy entry is never published, and after `update` it holds the translation of
    # an older source text: its placeholders or links may rightly differ until revised.
    if message.fuzzy:
        return []
    key = _key(message)
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = _strings(message)
    plural = len(sources) > 1
    wanted = set().union(*(_placeholders(s) for s in sources))
    names = {m.group(1) for s in sources for m in _PLACEHOLDER_RE.finditer(s) if m.group(1)}
    formatted = bool(names) or any(str(path).endswith(".html") for path, _ in message.locations)
    problems: list[Problem] = []
    for index, string in enumerate(strings):
        if not string:
            continue
        label = f"msgstr[{index}]" if plural else "msgstr"
        line = parsed.msgstr_line(key, index) or message.lineno or 0
        where = f"'{message.context}' {label}" if message.context else label

        def add(text: str, line: int = line, where: str = where) -> None:
            problems.append(Problem(parsed.path, line, f"{where}: {text}"))

        char = bad_character(string)
        if char is not None:
            add(f"contains the invisible control character {char}; remove it")
        found = _placeholders(string)
        foreign = found - wanted
        if foreign:
            add(f"placeholder {', '.join(sorted(foreign))} is not in the source text"
                + (f" (it has {', '.join(sorted(wanted))}): copy those unchanged" if wanted
                   else ", which has none: remove it"))
        # A plural form other than the last may leave the number out ("one war"); the
        # last form, and any singular message, must keep every placeholder.
        missing = wanted - found
        if missing and (not plural or index == len(strings) - 1):
            add(f"placeholder {', '.join(sorted(missing))} from the source text is missing; "
                "copy it into the translation unchanged")
        if formatted and not foreign and not _formats(string, names):
            add("a % sign that is not a placeholder: write %% for a percent sign")
        for issue in compare_markup(sources[min(index, len(sources) - 1)], string):
            add(issue)
    return problems


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in _PLACEHOLDER_RE.finditer(text)}


def formats_cleanly(text: str, source: str) -> bool:
    """Whether `text` can be %-formatted with the named placeholders of `source`."""
    return _formats(text, {m.group(1) for m in _PLACEHOLDER_RE.finditer(source) if m.group(1)})


def _formats(text: str, names: set[str]) -> bool:
    try:
        text % {name: "1" for name in names}
    except (ValueError, TypeError, KeyError):
        return False
    return True


def _read(path: Path, code: str | None) -> Catalog:
    """Read a template or catalogue to merge into; any syntax problem is an InputError."""
    return _read_parsed(path, code)[0]


def _read_parsed(path: Path, code: str | None) -> tuple[Catalog, ParsedPo]:
    """`_read`, with what was found on the way (broken `#|` lines are read past)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        hint = "run 'python make_pdf.py extract' first" if code is None else \
            f"start it with 'python make_pdf.py init {code}'"
        raise UsageError(f"{path} does not exist; {hint}") from exc
    parsed = parse_po(raw, path, code, keep_obsolete=True)
    if parsed.problems or parsed.catalog is None:
        raise InputError(parsed.problems)
    return parsed.catalog, parsed


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=_WIDTH, include_previous=True, sort_output=False)
    return _relay_previous(buffer.getvalue(), catalog)


def _relay_previous(data: bytes, catalog: Catalog) -> bytes:
    """Lay out the previous msgids (`#|` lines) of Babel's output as msgmerge does.

    Babel's `write_po` (2.19; its main branch too, at 6ba6701e of 2026-08) formats a
    previous msgid as `msgid <normalized string>` and then passes that, like a translator
    comment, through its comment `TextWrapper`. The wrapper joins the quoted lines and
    breaks them again at spaces, in the middle of the quoted strings:

        #| msgid "" "The first part of a long paragraph
        #| and the rest" " of it."

    GNU gettext reads `#|` lines as PO syntax, so msgfmt, msgmerge and Poedit reject the
    file ("end-of-line within string"), and the text can no longer be read back. Babel
    writes each message's previous msgid as one run of `#|` lines, in the order it writes
    the messages (the catalogue's; obsolete entries get none); each run is replaced by
    the same text as PO strings, wrapped by Babel's own `normalize`:

        #| msgid ""
        #| "The first part of a long paragraph and the rest of it."
    """
    previous = [message.previous_id for message in catalog if message.previous_id]
    if not previous:
        return data
    lines = data.decode(catalog.charset).splitlines(keepends=True)
    out: list[str] = []
    runs = 0
    for number, line in enumerate(lines):
        if not line.startswith("#|"):
            out.append(line)
        elif number == 0 or not lines[number - 1].startswith("#|"):
            if runs < len(previous):
                out.append(_previous_lines(previous[runs]))
            runs += 1
    if runs != len(previous):  # Babel changed how it writes them: better fail than garble
        raise RuntimeError(f"write_po wrote {runs} previous msgids (#|) for "
                           f"{len(previous)} messages that have one")
    return "".join(out).encode(catalog.charset)


def _previous_lines(previous_id: list[str]) -> str:
    """`#| msgid` (and `#| msgid_plural`) lines for a previous msgid, as valid PO strings.

    `normalize` is given no prefix: with one it counts the prefix once per word and
    wraps far too short. A quoted PO string never holds a raw newline, so the prefix can
    be put before each of its lines afterwards."""
    out = []
    for keyword, text in zip(("msgid", "msgid_plural"), previous_id, strict=False):
        quoted = normalize(text, width=_WIDTH - len("#| ")).split("\n")
        out.append(f"#| {keyword} " + "\n#| ".join(quoted) + "\n")
    return "".join(out)


def build_time() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so that generated files are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
