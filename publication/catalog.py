"""Stage 2: gettext catalogues with Babel: extract, update, init, check and compile.

Translators' `.po` files are untrusted input. `check_catalog` reads one strictly and
returns every problem as `file:line: what is wrong`; `compile_catalog` turns a
clean one into Babel `Translations` in memory (fuzzy and empty entries left out, so
they fall back to the source text) and, when asked, writes the `.mo` atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, PoFileParser, write_po
from babel.support import Translations

from .errors import InputError, Problem, UsageError
from .fileio import write_atomic
from .markup import compare_markup
from .presets import DOMAIN, SOURCE_LOCALE, Project

PROJECT_NAME = "campaign-publications"
COMMENT_TAGS = ("Translators:",)
DRAFT_NOTE = "DRAFT translation for review by a native speaker."
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$")
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
_ALLOWED_CONTROL = {"\n", "\t"}


@dataclass(frozen=True)
class LocaleInfo:
    """What the pipeline needs to know about a locale, from Babel's CLDR data."""

    code: str          # gettext form: pt_BR
    tag: str           # BCP 47 form for HTML lang and PDF /Lang: pt-BR
    direction: str     # "ltr" or "rtl"
    name: str          # its own name: Deutsch, العربية
    english_name: str


def locale_info(code: str) -> LocaleInfo:
    """Validate a locale code and describe it; a code Babel does not know is a UsageError.

    Call this before a code is ever used in a path.
    """
    if not _LOCALE_RE.match(code):
        raise UsageError(f"'{code}' is not a locale code (use a form like 'it', 'pt_BR')")
    try:
        loc = Locale.parse(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise UsageError(f"'{code}' is not a locale Babel knows: {exc}") from exc
    return LocaleInfo(
        code=code,
        tag=code.replace("_", "-"),
        direction="rtl" if loc.character_order == "right-to-left" else "ltr",
        name=loc.display_name or code,
        english_name=loc.english_name or code,
    )


def available_locales(project: Project) -> list[str]:
    """The source locale and every locale with a catalogue, validated, sorted."""
    found = []
    if project.locales.is_dir():
        for folder in sorted(project.locales.iterdir()):
            if (folder / "LC_MESSAGES" / f"{DOMAIN}.po").is_file() and _LOCALE_RE.match(folder.name):
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
        previous = _read(project.pot, None)
        catalog.creation_date = previous.creation_date
        if _po_bytes(catalog) == old:
            return False
    catalog.creation_date = build_time()
    write_atomic(project.pot, _po_bytes(catalog))
    return True


def update(project: Project, locales: Iterable[str]) -> list[str]:
    """Merge the template into each locale's catalogue; return the locales whose file changed.

    A changed source string becomes fuzzy with its old translation kept; a removed one
    becomes obsolete. Nothing changed, nothing written.
    """
    template = _read(project.pot, None)
    changed = []
    for code in locales:
        info = locale_info(code)
        path = project.po(info.code)
        catalog = _read(path, info.code)
        catalog.update(template, update_header_comment=False)
        data = _po_bytes(catalog)
        if data != path.read_bytes():
            write_atomic(path, data)
            changed.append(code)
    return changed


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
                      header_comment=f"# {info.english_name} translation.\n# {DRAFT_NOTE}",
                      creation_date=template.creation_date, revision_date=build_time(),
                      language_team=f"{info.english_name}", fuzzy=False)
    catalog.update(template)
    write_atomic(path, _po_bytes(catalog))
    return path


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
    entries: dict[tuple[str | None, str], Entry] = field(default_factory=dict)

    def entry(self, context: str | None, msgid: str) -> Entry:
        return self.entries.get((context, msgid), Entry("untranslated", 0))


def check_catalog(path: Path, code: str) -> tuple[Catalog | None, list[Problem]]:
    """Read `path` strictly and return the catalogue with every problem found in it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path, 0, f"cannot read: {exc.strerror}")]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "not valid UTF-8; save the file as UTF-8")]
    problems: list[Problem] = []
    catalog = Catalog(locale=code, charset="utf-8")
    parser = _StrictParser(catalog, path, problems)
    try:
        parser.parse(io.BytesIO(raw))
    except PoFileError as exc:
        return None, [Problem(path, exc.lineno, f"syntax: {exc}")]
    problems += _header_problems(catalog, path, code, raw)
    for message in catalog:
        if message.id:
            problems += _message_problems(message, catalog, path)
    return catalog, sorted(problems, key=lambda p: p.line)


def compile_catalog(project: Project, code: str, write: bool = False) -> CompiledCatalog:
    """Check a locale's catalogue and compile it; raise InputError when it has problems.

    With `write`, also write its `.mo` atomically: a failed check leaves the old one.
    """
    info = locale_info(code)
    path = project.po(info.code)
    catalog, problems = check_catalog(path, info.code)
    if problems or catalog is None:
        raise InputError(problems)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if write:
        write_atomic(project.mo(info.code), buffer.getvalue())
    buffer.seek(0)
    entries = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): Entry(_state(m), m.lineno or 0)
        for m in catalog if m.id
    }
    return CompiledCatalog(info.code, path, Translations(buffer, domain=DOMAIN), entries)


def source_catalog() -> CompiledCatalog:
    """The source locale: no translations, every message is its own text."""
    return CompiledCatalog(SOURCE_LOCALE, None, Translations(domain=DOMAIN))


def _state(message: Message) -> str:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if not all(strings):
        return "untranslated"
    return "fuzzy" if message.fuzzy else "translated"


class _StrictParser(PoFileParser):
    """Babel's parser, aborting on syntax errors and reporting duplicate entries."""

    def __init__(self, catalog: Catalog, path: Path, problems: list[Problem]) -> None:
        super().__init__(catalog, ignore_obsolete=True, abort_invalid=True)
        self._path = path
        self._problems = problems
        self._seen: dict[tuple[object, str | None], int] = {}

    def _add_message(self) -> None:
        if not self.obsolete and self.messages:
            msgid = self.messages[0].denormalize()
            context = self.context.denormalize() if self.context else None
            key = (msgid, context)
            if key in self._seen:
                self._problems.append(Problem(
                    self._path, self.offset + 1,
                    f"duplicate entry for msgid {msgid!r} (first at line {self._seen[key]}); "
                    "delete one of them"))
            else:
                self._seen[key] = self.offset + 1
        super()._add_message()


def _header_problems(catalog: Catalog, path: Path, code: str, raw: bytes) -> list[Problem]:
    problems = []
    header_line = 1
    charset = (catalog.mime_headers and dict(catalog.mime_headers).get("Content-Type", "")) or ""
    if "charset=utf-8" not in charset.lower().replace(" ", ""):
        problems.append(Problem(path, header_line,
                                f"header Content-Type must say charset=UTF-8, not {charset!r}"))
    language = dict(catalog.mime_headers).get("Language", "")
    if language.replace("-", "_") != code:
        problems.append(Problem(path, header_line,
                                f"header Language is {language!r} but the folder is '{code}'"))
    expected = get_plural(code)
    found = re.search(rb"nplurals\s*=\s*(\d+)", raw)
    if found is None or int(found.group(1)) != expected.num_plurals:
        problems.append(Problem(
            path, header_line,
            f"header Plural-Forms must be '{expected.plural_forms}' for {code}"))
    return problems


def _message_problems(message: Message, catalog: Catalog, path: Path) -> list[Problem]:
    line = message.lineno or 0
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    problems = []
    if len(sources) > 1 and len(strings) != catalog.num_plurals:
        problems.append(Problem(path, line, f"has {len(strings)} plural forms; "
                                            f"{catalog.locale} needs {catalog.num_plurals}"))
    wanted = _placeholders(sources[-1])
    for index, string in enumerate(strings):
        if not string:
            continue
        where = f"msgstr[{index}]" if len(sources) > 1 else "msgstr"
        for char in string:
            if unicodedata.category(char) in ("Cc", "Cf") and char not in _ALLOWED_CONTROL \
                    and char not in "\u200c\u200d\u200e\u200f\u061c":
                problems.append(Problem(path, line, f"{where} contains control character "
                                                    f"U+{ord(char):04X}; remove it"))
                break
        found = _placeholders(string)
        foreign = found - wanted
        if foreign:
            problems.append(Problem(path, line, f"{where} has placeholder(s) "
                                    f"{', '.join(sorted(foreign))} that the source does not have"))
        # A singular form may leave the number out ("one war"); the others must keep it.
        last = index == len(strings) - 1
        missing = wanted - found
        if missing and (len(sources) == 1 or last):
            problems.append(Problem(path, line, f"{where} is missing placeholder(s) "
                                    f"{', '.join(sorted(missing))} from the source"))
        for issue in compare_markup(sources[min(index, len(sources) - 1)], string):
            problems.append(Problem(path, line, f"{where}: {issue}"))
    return problems


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in _PLACEHOLDER_RE.finditer(text)}


def _read(path: Path, code: str | None) -> Catalog:
    from babel.messages.pofile import read_po

    try:
        with open(path, "rb") as fileobj:
            return read_po(fileobj, locale=code, domain=DOMAIN)
    except FileNotFoundError as exc:
        raise UsageError(f"{path} does not exist; run 'python make_pdf.py extract' first") from exc
    except PoFileError as exc:
        raise InputError([Problem(path, exc.lineno, f"syntax: {exc}")]) from exc


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
