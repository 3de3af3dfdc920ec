"""Stage 3: content and template strings in one language, with Babel's locale data.

A `Localizer` answers every translation the templates ask for. Fuzzy and untranslated
messages fall back to the source text and are recorded, with their `.po` line, so the
build can say which messages and where; it also records which messages a publication
used, which is what `status` and an incremental build depend on. Numbers and dates are
written by Babel the locale's way, in the locale's own digits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup

from publication.i18n.catalog import CompiledCatalog
from publication.i18n.checks import formats_cleanly, is_formatted
from publication.i18n.locales import LocaleInfo
from publication.i18n.missing import fallback_warning
from publication.model import SOURCE_LOCALE
from publication.source.content import Text
from publication.source.markup import MarkupProblem, to_markup

MessageKey = tuple[str, str]  # (context, msgid)

# The digit zero of each CLDR numbering system that is some locale's default; Babel
# formats with ASCII digits and the system's separators, the digits are ours to map.
DIGIT_ZERO: dict[str, int] = {
    "latn": 0x30, "arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "beng": 0x9E6,
    "tibt": 0xF20, "mymr": 0x1040, "nkoo": 0x7C0, "olck": 0x1C50, "mtei": 0xABF0,
    "cakm": 0x11136, "hmnp": 0x1E140, "adlm": 0x1E950,
}


@dataclass(frozen=True)
class Fallback:
    """A message shown in the source language because its translation is not usable."""

    context: str
    msgid: str
    state: str  # "fuzzy", "untranslated" or "unusable" (fails a check the .po skipped)
    line: int   # line of the entry in the .po, 0 when the entry is missing

    def describe(self, po: str) -> str:
        """The build's warning, which a PDF's record keeps (publication.i18n.missing reads
        it back for the build's report)."""
        return fallback_warning(po, self.line, self.state, self.context)


def localize_digits(text: str, numbering: str) -> str:
    """`text` with ASCII digits written in the numbering system's digits."""
    zero = DIGIT_ZERO.get(numbering, 0x30)
    if zero == 0x30:
        return text
    return text.translate({0x30 + i: zero + i for i in range(10)})


class Localizer:
    """Translations, numbers and dates for one locale, recording what was used."""

    def __init__(self, catalog: CompiledCatalog, info: LocaleInfo) -> None:
        self.catalog = catalog
        self.info = info
        self.used: set[MessageKey] = set()
        self.fallbacks: dict[MessageKey, Fallback] = {}

    def _lookup(self, context: str, msgid: str, plural: str | None, count: int | None,
                formatted: bool) -> str:
        key = (context, msgid)
        self.used.add(key)
        source = msgid if plural is None or count == 1 else plural
        if self.info.code == SOURCE_LOCALE:
            return source
        entry = self.catalog.entry(context, msgid)
        if entry.state != "translated":
            self.fallbacks[key] = Fallback(context, msgid, entry.state, entry.line)
            return source
        if plural is None:
            translated = str(self.catalog.translations.pgettext(context, msgid))
        else:
            translated = str(self.catalog.translations.npgettext(context, msgid, plural,
                                                                 count or 0))
        if not _usable(translated, msgid + (plural or ""), formatted):
            self.fallbacks[key] = Fallback(context, msgid, "unusable", entry.line)
            return source
        return translated

    def text(self, text: Text | None) -> Markup:
        """A content Text in this locale, as safe inline markup; '' for a missing one."""
        if text is None:
            return Markup("")
        counted = text.count is not None
        translated = self._lookup(text.context, text.source, text.plural, text.count, counted)
        markup = to_markup(translated)
        if counted:
            markup = markup % {"count": self.number(text.count or 0)}
        return markup

    def pgettext(self, context: str, message: str) -> Markup:
        """A template string, re-serialised like content (Jinja's newstyle gettext marks
        what it gets as safe, then fills in its escaped %(name)s placeholders)."""
        formatted = is_formatted(message)
        return _for_jinja(to_markup(self._lookup(context, message, None, None, formatted)),
                          formatted)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> Markup:
        formatted = is_formatted((singular, plural))
        return _for_jinja(to_markup(self._lookup(context, singular, plural, count, formatted)),
                          formatted)

    def gettext(self, message: str) -> str:
        raise TypeError(f"template string {message!r} needs a context: use pgettext")

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        raise TypeError(f"template string {singular!r} needs a context: use npgettext")

    def number(self, value: int | float) -> str:
        """A number written the locale's way: its separators and its digits."""
        text = format_decimal(value, locale=self.info.code, numbering_system="default")
        return localize_digits(text, self.info.numbering)

    def date(self, value: dt.date, width: str = "long") -> str:
        """A date written the locale's way, in its digits."""
        return localize_digits(format_date(value, width, locale=self.info.code),
                               self.info.numbering)


def _for_jinja(markup: Markup, formatted: bool) -> Markup:
    """A template string as Jinja's newstyle gettext wants it: Jinja %-formats every one,
    so in a message without placeholders each `%` (a percent sign, TRANSLATING.md) is
    doubled, for Jinja to make it one again."""
    return markup if formatted else Markup(str(markup).replace("%", "%%"))


def _usable(translated: str, source: str, formatted: bool) -> bool:
    """The checks a `.po` file's own comments could have hidden from `check_catalog`
    (it knows a template string by its location comment); cheap enough to repeat."""
    try:
        to_markup(translated)
    except MarkupProblem:
        return False
    return not formatted or formats_cleanly(translated, source)
