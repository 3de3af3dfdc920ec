"""Stage 2: gettext catalogues with Babel: extract, update, init, check and compile.

Translators' `.po` files are untrusted input. `check_catalog` reads one strictly
(publication.pofile) and returns every problem as `file:line: what is wrong`;
`compile_catalog` turns a clean one into Babel `Translations` in memory (fuzzy and
empty entries left out, so they fall back to the source text) and, when asked, writes
the `.mo` atomically.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import write_po
from babel.support import Translations

from .errors import InputError, Problem, UsageError
from .fileio import write_atomic
from .markup import compare_markup
from .pofile import MessageKey, ParsedPo, bad_character, parse_po
from .presets import DOMAIN, SOURCE_LOCALE, Project

PROJECT_NAME = "campaign-publications"
COMMENT_TAGS = ("Translators:",)
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$")
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
_PLURAL_FORMS_RE = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*$")
# Numbers the Plural-Forms expression is compared on: enough to cover every rule's cycle.
_PLURAL_PROBES = (*range(0, 1001), 1_000_000, 1_000_001, 1_000_002, 10_000_000)


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

    A changed source string becomes fuzzy with its old translation kept (matched by its
    context, or by similar text as gettext does); a removed one becomes obsolete. A file
    whose messages would not change is not rewritten, even if its layout differs from
    Babel's (a file saved by Poedit stays as it is).
    """
    template = _read(project.pot, None)
    changed = []
    for code in locales:
        info = locale_info(code)
        path = project.po(info.code)
        catalog = _read(path, info.code)
        before = _po_bytes(catalog)
        previous = {_key(m): m.previous_id for m in catalog if m.fuzzy and m.previous_id}
        catalog.update(template, update_header_comment=False)
        for message in catalog:  # Babel forgets a fuzzy entry's previous msgid on a rerun
            if message.fuzzy and not message.previous_id and _key(message) in previous:
                message.previous_id = previous[_key(message)]
        _rematch_by_context(catalog)
        data = _po_bytes(catalog)
        if data != before:
            write_atomic(path, data)
            changed.append(code)
    return changed


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
    catalog = parsed.catalog
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if write:
        write_atomic(project.mo(info.code), buffer.getvalue())
    buffer.seek(0)
    return CompiledCatalog(info.code, path, Translations(buffer, domain=DOMAIN),
                           entry_states(catalog))


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
    expected = get_plural(code)
    if not _plural_forms_match(parsed.header_values.get("plural-forms", ""), expected.num_plurals,
                               expected.plural_expr):
        problems.append(problem("plural-forms", "header Plural-Forms must be "
                                                f"'{expected.plural_forms}' for {code}"))
    return problems


def _plural_forms_match(header: str, count: int, expression: str) -> bool:
    """Whether a Plural-Forms header has `count` forms and groups numbers as `expression`
    does. The forms may be numbered differently (GNU's Arabic rule swaps Babel's forms 4
    and 5): the file's own rule picks among its own msgstr[N], so only the grouping counts."""
    found = _PLURAL_FORMS_RE.match(header)
    if found is None or int(found.group(1)) != count:
        return False
    try:
        theirs = gettext.c2py(found.group(2))
        ours = gettext.c2py(expression)
    except (ValueError, SyntaxError, RecursionError):
        return False
    mapping: dict[int, int] = {}
    for n in _PLURAL_PROBES:
        form = theirs(n)
        if not 0 <= form < count or mapping.setdefault(ours(n), form) != form:
            return False
    return len(set(mapping.values())) == len(mapping)


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
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        hint = "run 'python make_pdf.py extract' first" if code is None else \
            f"start it with 'python make_pdf.py init {code}'"
        raise UsageError(f"{path} does not exist; {hint}") from exc
    parsed = parse_po(raw, path, code, keep_obsolete=True)
    if parsed.problems or parsed.catalog is None:
        raise InputError(parsed.problems)
    return parsed.catalog


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=88, include_previous=True, sort_output=False)
    return buffer.getvalue()


def build_time() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so that generated files are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
