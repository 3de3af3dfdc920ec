"""Stage 3: content and template strings in one language, with Babel's locale data.

A `Localizer` answers every translation the templates ask for. Fuzzy and untranslated
messages fall back to the source text and are recorded, with their `.po` line, so the
build can say which messages and where; it also records which messages a publication
used, which is what an incremental build depends on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup

from .catalog import CompiledCatalog, LocaleInfo
from .content import Text
from .markup import to_markup
from .presets import SOURCE_LOCALE

MessageKey = tuple[str, str]  # (context, msgid)


@dataclass(frozen=True)
class Fallback:
    """A message shown in the source language because its translation is not usable."""

    context: str
    msgid: str
    state: str  # "fuzzy" or "untranslated"
    line: int   # line of the entry in the .po, 0 when the entry is missing

    def describe(self, po: str) -> str:
        where = f"{po}:{self.line}" if self.line else po
        return f"{where}: {self.state} message '{self.context}' shown in the source language"


class Localizer:
    """Translations, numbers and dates for one locale, recording what was used."""

    def __init__(self, catalog: CompiledCatalog, info: LocaleInfo) -> None:
        self.catalog = catalog
        self.info = info
        self.used: set[MessageKey] = set()
        self.fallbacks: dict[MessageKey, Fallback] = {}

    def _lookup(self, context: str, msgid: str, plural: str | None, count: int | None) -> str:
        key = (context, msgid)
        self.used.add(key)
        entry = self.catalog.entry(context, msgid)
        source = msgid if plural is None or count == 1 else plural
        if self.info.code == SOURCE_LOCALE:
            return source
        if entry.state != "translated":
            self.fallbacks[key] = Fallback(context, msgid, entry.state, entry.line)
            return source
        if plural is None:
            return str(self.catalog.translations.pgettext(context, msgid))
        return str(self.catalog.translations.npgettext(context, msgid, plural, count or 0))

    def text(self, text: Text | None) -> Markup:
        """A content Text in this locale, as safe inline markup; '' for a missing one."""
        if text is None:
            return Markup("")
        translated = self._lookup(text.context, text.source, text.plural, text.count)
        markup = to_markup(translated)
        if text.count is not None:
            markup = markup % {"count": self.number(text.count)}
        return markup

    def pgettext(self, context: str, message: str) -> str:
        """A template string; Jinja's newstyle gettext escapes and formats it."""
        return self._lookup(context, message, None, None)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        return self._lookup(context, singular, plural, count)

    def gettext(self, message: str) -> str:
        raise TypeError(f"template string {message!r} needs a context: use pgettext")

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        raise TypeError(f"template string {singular!r} needs a context: use npgettext")

    def number(self, value: int | float) -> str:
        """A number written the locale's way (CLDR's default digits and separators)."""
        return format_decimal(value, locale=self.info.code, numbering_system="default")

    def date(self, value: dt.date, width: str = "long") -> str:
        """A date written the locale's way."""
        return format_date(value, width, locale=self.info.code)
