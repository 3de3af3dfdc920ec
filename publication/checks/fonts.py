"""Fonts cover the text, and only the stylesheet's fonts are used.

Before rendering, `coverage` checks that every character of every string a locale
can show (its catalogue's translations, the source strings it falls back to, and
its dates and numbers as the pipeline prints them) is in the locale's font stack: the families that
styles/base.css gives `html` (or `html:lang(xx)`), read from the font files the
@font-face rules name, with fontTools. A character missing there would be drawn
from whatever font the system has, or not at all.

After rendering, `check` verifies that every font in the PDF is one of the
families the stylesheets declare with @font-face.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import tinycss2
from fontTools.ttLib import TTFont

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, error
from publication.errors import display_path
from publication.model import SOURCE_LOCALE, Project
from publication.pdf.content import TextRun
from publication.pdf.structure import PdfDocument
from publication.source.markup import MarkupProblem, parse_inline

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

BASE_STYLESHEET = "base.css"


@dataclass(frozen=True)
class FontFace:
    """One @font-face rule: family, weight, style and the font file it loads."""

    family: str
    weight: str
    style: str
    path: Path


@dataclass(frozen=True)
class FontStack:
    """The families text in a locale is set in, in fallback order, with their faces."""

    lang: str
    families: tuple[str, ...]
    faces: tuple[FontFace, ...]

    def covers(self, char: str) -> bool:
        """Whether some family has `char` in every one of its faces."""
        code = ord(char)
        return any(code in codes for codes in self._family_codes)

    @functools.cached_property
    def _family_codes(self) -> tuple[frozenset[int], ...]:
        """For each family that has faces, the character codes all its faces have."""
        found = []
        for family in self.families:
            files = [f.path for f in self.faces if f.family == family]
            if files:
                found.append(frozenset.intersection(*(_cmap(path) for path in files)))
        return tuple(found)


@functools.cache
def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _strings(tokens: list[tinycss2.ast.Node]) -> list[str]:
    """A font-family value as family names: strings, or idents joined by spaces."""
    families, current = [], []
    for token in tokens:
        if token.type in ("string", "ident"):
            current.append(token.value)
        elif token.type == "literal" and token.value == ",":
            families.append(" ".join(current))
            current = []
    if current:
        families.append(" ".join(current))
    return [f for f in families if f]


@functools.lru_cache(maxsize=32)
def _rules(text: str) -> tuple[tinycss2.ast.Node, ...]:
    """A stylesheet's rules, parsed once per process for the same text (a worker reads
    every stylesheet for the font check and for each PDF's expectations); read them,
    do not change them."""
    return tuple(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


def font_faces(project: Project) -> tuple[FontFace, ...]:
    """Every @font-face rule of the project's stylesheets whose file exists."""
    faces = []
    for sheet in sorted(project.styles.glob("*.css")):
        for rule in _rules(sheet.read_text(encoding="utf-8")):
            if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
                continue
            values = _declarations(rule.content)
            family = _strings(values.get("font-family", []))
            urls = [t for t in values.get("src", []) if t.type == "url"]
            if not family or not urls:
                continue
            path = project.style_file(sheet.parent / unquote(urlsplit(urls[0].value).path))
            path = path.resolve()
            weight = tinycss2.serialize(values.get("font-weight", [])).strip() or "400"
            style = tinycss2.serialize(values.get("font-style", [])).strip() or "normal"
            faces.append(FontFace(family[0], weight, style, path))
    return tuple(faces)


def _declarations(content: list[tinycss2.ast.Node]) -> dict[str, list[tinycss2.ast.Node]]:
    found = {}
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True,
                                               skip_whitespace=True):
        if item.type == "declaration":
            found[item.lower_name] = [t for t in item.value if t.type != "whitespace"]
    return found


def font_stack(project: Project, lang: str) -> FontStack:
    """The font stack of `lang` from base.css: `html:lang(xx)` if there is one, else `html`."""
    primary = lang.replace("_", "-").split("-")[0].lower()
    sheet = project.styles / BASE_STYLESHEET
    default: list[str] = []
    specific: list[str] = []
    for rule in _rules(sheet.read_text(encoding="utf-8")):
        if rule.type != "qualified-rule":
            continue
        selector = "".join(tinycss2.serialize(rule.prelude).split())
        family = _strings(_declarations(rule.content).get("font-family", []))
        if not family:
            continue
        if selector == "html":
            default = family
        elif selector == f"html:lang({primary})":
            specific = family
    return FontStack(lang, tuple(specific or default), font_faces(project))


def coverage(project: Project, code: str) -> list[Finding]:
    """Characters of a locale's strings that its font stack cannot draw, one finding each."""
    # Stages before rendering, imported when used so that checks/ loads without them.
    from publication.i18n.catalog import source_catalog
    from publication.i18n.locales import locale_info
    from publication.i18n.localize import Localizer

    info = locale_info(code)
    stack = font_stack(project, info.tag)
    findings: list[Finding] = []
    seen: set[str] = set()
    sources: list[tuple[Path, int, str, str]] = []  # file, line, message context, text
    if code == SOURCE_LOCALE or not project.po(code).is_file():
        path = project.pot
        catalog = _messages(path, SOURCE_LOCALE) if path.is_file() else None
    else:
        path = project.po(code)
        catalog = _messages(path, code)
    for message in catalog or ():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(
            message.string or ())
        texts = ids + ([s for s in strings if s] if not message.fuzzy else [])
        for text in texts:
            sources.append((path, message.lineno or 0, message.context or "", text))
    # Dates and numbers as the pipeline prints them (the locale's digits and month names).
    localizer = Localizer(source_catalog(), info)
    sample = " ".join([localizer.number(-1234567890.5),
                       *(localizer.date(dt.date(2020, month, 28)) for month in range(1, 13))])
    sources.append((project.styles / BASE_STYLESHEET, 0, "dates and numbers (Babel)", sample))
    for file, line, context, text in sources:
        for char in sorted(set(_plain(text)) - seen):
            if _ignorable(char) or stack.covers(char):
                continue
            seen.add(char)
            where = f"{display_path(file)}:{line}" if line else display_path(file)
            name = unicodedata.name(char, "unnamed")
            findings.append(error(
                "fonts.coverage", where, 0,
                f"message '{context}' in {code} has the character {char!r} (U+{ord(char):04X} "
                f"{name}), which no font of the {code} stack ({', '.join(stack.families)}) has",
                "use another character, or add a font that has it to styles/base.css "
                "(@font-face and the font-family of html:lang)"))
    return findings


def _messages(path: Path, code: str) -> Catalog | None:
    """The messages of a catalogue or template, read as the build reads it (None when it
    cannot be read). Its problems are the catalogue check's: the build compiles the
    catalogue, with every check, before this runs."""
    from publication.i18n.pofile import parse_po, read_po_file

    try:
        return parse_po(read_po_file(path), path, code).catalog
    except OSError:
        return None


def _plain(text: str) -> str:
    try:
        return parse_inline(text).plain_text
    except MarkupProblem:
        return text


def _ignorable(char: str) -> bool:
    # Controls and format characters (bidi marks, joiners) are not drawn with glyphs.
    return unicodedata.category(char) in ("Cc", "Cf") or char in "\n\t"


def stylesheet_families(project: Project) -> tuple[str, ...]:
    """The font families the stylesheets declare, for the expectations of a PDF."""
    return tuple(sorted({face.family for face in font_faces(project)}))


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    """Fonts in the PDF other than the stylesheets' families (needs expectations)."""
    if expectations is None or not expectations.fonts:
        return []
    allowed = {name.casefold() for name in expectations.fonts}
    findings = []
    seen: set[tuple[int, int]] = set()
    for index in range(len(doc.pages)):
        for event in doc.events(index):
            if not isinstance(event, TextRun) or event.font_key in seen:
                continue
            seen.add(event.font_key)
            info = doc.fonts.cache.get(event.font_key)
            family = _family(info.descriptor if info else None, event.font)
            if family.casefold() not in allowed:
                findings.append(error(
                    "fonts.unexpected", doc.name, index + 1,
                    f"font {event.font} (family {family!r}) is not one the stylesheets name "
                    f"({', '.join(expectations.fonts)}): a fallback font was used",
                    "find the characters it draws (see fonts.coverage) and cover them with the "
                    "stylesheet's fonts"))
    return findings


def _family(descriptor: object, base_font: str) -> str:
    family = descriptor.get("/FontFamily") if descriptor is not None else None  # type: ignore[attr-defined]
    if family is not None:
        return str(family)
    name = base_font.split("+", 1)[-1]
    return name.replace("-", " ")
