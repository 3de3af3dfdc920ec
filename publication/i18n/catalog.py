"""Stage 2: gettext catalogues with Babel: extract, update, init and compile.

Translators' `.po` files are untrusted input, read strictly (publication.i18n.pofile)
and checked (publication.i18n.checks); `compile_catalog` turns a clean one into Babel
`Translations` in memory (fuzzy and empty entries left out, so they fall back to the
source text) and, when asked, writes the `.mo` atomically. The file's own Plural-Forms
picks the plural forms, as in gettext (publication.i18n.plurals). The locales
themselves are in publication.i18n.locales.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import normalize, write_po
from babel.support import Translations

from publication.errors import InputError, Problem, UsageError
from publication.files import write_atomic
from publication.i18n.checks import (
    format_flags,
    has_text,
    message_key,
    message_state,
    message_strings,
    read_checked,
)
from publication.i18n.locales import locale_info
from publication.i18n.plurals import PluralRule
from publication.i18n.pofile import NotRegularFile, ParsedPo, parse_po, read_po_file
from publication.model import DOMAIN, SOURCE_LOCALE, MessageKey, Project, context_place

PROJECT_NAME = "campaign-publications"
COMMENT_TAGS = ("Translators:",)
EXTRACTOR = "publication.i18n.extract:extract_campaign"  # babel.cfg's `campaign` method
_WIDTH = 88  # line width of the .pot and .po files we write
_FORMAT_FLAGS = frozenset({"python-format", "python-brace-format"})  # Babel derives these
APPEARS = "Appears on: "  # the translator comment that says which kinds show a message
NOWHERE = "Not printed in any publication."
ROOM = "Room in the English layout: "  # how much it may grow (publication.preview.layouts)


# -- extraction and merging ----------------------------------------------------------------


def extract(project: Project,
            places: Mapping[MessageKey, Sequence[str]] | None = None,
            rooms: Mapping[MessageKey, str] | None = None) -> Catalog:
    """Extract every message from content and templates, as `pybabel extract -F babel.cfg`.

    `places` (publication.report.status.appearances: what each kind's template shows)
    adds to each message the translator comment that says which kinds it appears on;
    `rooms` (`layouts.source_room`: the source language laid out) adds how much room each
    has, where it is tightest in each kind. pybabel, which cannot render, writes the
    same catalogue without them. Format flags are ours (`checks.format_flags`), not
    Babel's guesses."""
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
    if places is not None:
        for entry in catalog:
            if entry.id:
                kinds = places.get(message_key(entry), ())
                # A string of another template (a web page's) is in no publication.
                entry.auto_comments.append(APPEARS + ", ".join(kinds) + "." if kinds else
                                           NOWHERE)
    if rooms is not None:
        for entry in catalog:
            if entry.id and (room := rooms.get(message_key(entry))):
                entry.auto_comments.append(f"{ROOM}{room}.")
    _fix_format_flags(catalog)
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
    translation kept (matched by its context: contexts are stable names) and the old
    text as its previous msgid (`#|`); a removed one becomes obsolete. A new message
    starts empty: gettext's guess from similar text would offer another message's
    translation (another news item's title, another campaign's). A message whose
    campaign folder was renamed keeps its translation as it was (`_carry_moved`). A file
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
        previous = {message_key(m): m.previous_id for m in catalog if m.fuzzy and m.previous_id}
        plurals = {message_key(m): tuple(m.id) for m in catalog
                   if m.id and not isinstance(m.id, str)}
        moved = _moved_entries(catalog, template)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        for message in catalog:  # Babel forgets a fuzzy entry's previous msgid on a rerun
            if message.fuzzy and not message.previous_id and message_key(message) in previous:
                message.previous_id = previous[message_key(message)]
        _flag_changed_plurals(catalog, plurals)
        _carry_moved(catalog, moved)
        _revive_obsolete(catalog)
        _rematch_by_context(catalog)
        _fix_format_flags(catalog)
        data = _po_bytes(catalog)
        if data != before:
            write_atomic(path, data)
            changed.append(code)
    return changed


_Moved = dict[tuple[str, str], Message]  # (place, msgid) -> a copy of the old entry


def _moved_entries(catalog: Catalog, template: Catalog) -> _Moved:
    """Copies of the catalogue's translated entries (obsolete ones too) whose context names
    no campaign of the template: a campaign folder renamed, or a content message from
    before contexts named their campaign (`headline`, now `israel-opt/headline`). By
    their place and text, for `_carry_moved`."""
    keys = {message_key(m) for m in template if m.id}
    campaigns = {context_place(m.context)[0] for m in template if m.id}
    moved: _Moved = {}
    for message in [*catalog, *catalog.obsolete.values()]:
        campaign, place = context_place(message.context)
        if (message.id and has_text(message) and message_key(message) not in keys
                and (campaign is None or campaign not in campaigns)):
            moved.setdefault((place, message_key(message)[1]), copy.deepcopy(message))
    return moved


def _carry_moved(catalog: Catalog, moved: _Moved) -> None:
    """Give a campaign's message the translation its own text had at the same place under
    the old context, exactly as it was (translated stays translated, fuzzy stays fuzzy):
    renaming a campaign's folder, or naming the campaign in the contexts, costs no work.
    Babel saw only a new context and offered the old translation as a fuzzy guess, or
    another message's; its obsolete copy goes."""
    for message in catalog:
        campaign, place = context_place(message.context)
        if not message.id or campaign is None or (has_text(message) and not message.fuzzy):
            continue
        old = moved.pop((place, message_key(message)[1]), None)
        if old is None or isinstance(old.id, str) != isinstance(message.id, str):
            continue  # the old plural forms are this catalogue's, as many as it asks for
        message.string = old.string
        message.previous_id = list(old.previous_id) if old.fuzzy else []
        changed = not isinstance(message.id, str) and tuple(old.id) != tuple(message.id)
        if old.fuzzy or changed:
            message.flags.add("fuzzy")
            if changed and not old.fuzzy:
                message.previous_id = list(old.id)
        else:
            message.flags.discard("fuzzy")
        for key in [k for k, m in catalog.obsolete.items()
                    if message_key(m) == message_key(old)]:
            del catalog.obsolete[key]


def _flag_changed_plurals(catalog: Catalog, old_ids: dict[MessageKey, tuple[str, ...]]) -> None:
    """Make a translated plural message fuzzy when its plural source text changed.

    Babel matches messages by singular and context only, so a new msgid_plural kept its
    old translation as done: never shown to the translator, and msgfmt -c refuses it when
    the new text has a placeholder the translation lacks. msgmerge makes it fuzzy, with
    the old msgid and msgid_plural as the previous ones (`#|`); so do we."""
    for message in catalog:
        old = old_ids.get(message_key(message))
        if (old is None or isinstance(message.id, str) or tuple(message.id) == old
                or message.fuzzy or not has_text(message)):
            continue
        message.flags.add("fuzzy")
        message.previous_id = list(old)


def _revive_obsolete(catalog: Catalog) -> None:
    """Take back an obsolete entry whose context and text are in the template again (an
    edit undone after an update).

    Babel's update leaves it obsolete beside the new entry: a duplicate that msgfmt
    refuses. Its translation is for exactly this text, so it replaces none or a guess
    (a fuzzy one), as in msgmerge, which matches obsolete entries too."""
    # Babel keys its obsolete entries as it keys messages: by context and singular.
    keys = {message_key(old): key for key, old in catalog.obsolete.items()}
    for message in catalog:
        if not message.id:
            continue
        key = keys.pop(message_key(message), None)
        old = catalog.obsolete.pop(key) if key is not None else None
        if (old is None or not has_text(old) or isinstance(old.id, str) != isinstance(
                message.id, str) or len(message_strings(old)) != len(message_strings(message))):
            continue
        # A plural is found by its singular: its msgid_plural may differ.
        changed = not isinstance(message.id, str) and tuple(old.id) != tuple(message.id)
        if not has_text(message) or (message.fuzzy and not old.fuzzy and not changed):
            message.string = old.string
            message.previous_id = list(old.id) if changed else []
            if old.fuzzy or changed:
                message.flags.add("fuzzy")
            else:
                message.flags.discard("fuzzy")


def _fix_format_flags(catalog: Catalog) -> None:
    """Give each message the format flag of how the program uses it, and no other.

    Babel guesses flags from any `%` or `{...}` in the text (`Message.__init__`): "50% off"
    becomes python-format and "{n}" python-brace-format, though the program formats only
    messages with a placeholder such as %(count)s (`checks.format_flags`); msgfmt -c,
    Poedit and Weblate would check the others as format strings. Babel's update also
    adds an old entry's flags to a changed message."""
    for message in catalog:
        if message.id:
            ids = message.id if isinstance(message.id, str) else tuple(message.id)
            message.flags = (message.flags - _FORMAT_FLAGS) | format_flags(ids)


def _rematch_by_context(catalog: Catalog) -> None:
    """Give a message left without translation its old one, as fuzzy, from the obsolete
    entry with the same context: a context names a place, so a rewritten sentence keeps
    its translation to revise even when the new text is too different for gettext's match."""
    by_context = {old.context: key for key, old in catalog.obsolete.items()
                  if old.context and message_state(old) != "untranslated"}
    for message in catalog:
        if not message.id or message.context not in by_context or has_text(message):
            continue
        key = by_context.pop(message.context)
        old = catalog.obsolete[key]
        if isinstance(old.id, str) != isinstance(message.id, str):
            continue  # a singular became a plural or back: nothing sensible to reuse
        if len(message_strings(old)) != len(message_strings(message)):
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
    _fix_format_flags(catalog)
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
    # A shallow copy: the catalogue read is shared within the process (pofile.parse_po)
    # and stays as it was; the copy's messages are the same objects, only read here.
    constant = copy.copy(catalog)
    constant.mime_headers = [("Plural-Forms", f"nplurals={rule.nplurals}; plural=0;")]
    buffer = io.BytesIO()
    write_mo(buffer, constant, use_fuzzy=False)
    buffer.seek(0)
    translations = Translations(buffer, domain=DOMAIN)
    translations.plural = rule
    translations.info()["plural-forms"] = rule.header
    return translations


def entry_states(catalog: Catalog) -> dict[MessageKey, Entry]:
    """Each message's state (translated, fuzzy, untranslated) and msgid line."""
    return {message_key(m): Entry(message_state(m), m.lineno or 0) for m in catalog if m.id}


def template_messages(project: Project) -> list[MessageKey]:
    """The messages of locales/messages.pot, in its order."""
    return [message_key(m) for m in _read(project.pot, None) if m.id]


def source_catalog() -> CompiledCatalog:
    """The source locale: no translations, every message is its own text."""
    return CompiledCatalog(SOURCE_LOCALE, None, Translations(domain=DOMAIN))


def _read(path: Path, code: str | None) -> Catalog:
    """Read a template or catalogue to merge into; any syntax problem is an InputError."""
    return _read_parsed(path, code)[0]


def _read_parsed(path: Path, code: str | None) -> tuple[Catalog, ParsedPo]:
    """`_read`, with what was found on the way (broken `#|` lines are read past)."""
    try:
        raw = read_po_file(path)
    except FileNotFoundError as exc:
        hint = "run 'python make_pdf.py extract' first" if code is None else \
            f"start it with 'python make_pdf.py init {code}'"
        raise UsageError(f"{path} does not exist; {hint}") from exc
    except NotRegularFile as exc:
        raise InputError([Problem(path, 0, str(exc))]) from None
    parsed = parse_po(raw, path, code, keep_obsolete=True)
    if parsed.problems or parsed.catalog is None:
        raise InputError(parsed.problems)
    _fix_format_flags(parsed.catalog)  # as we write them, not as Babel guesses on reading
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
