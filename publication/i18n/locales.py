"""The locales: codes validated before any is used in a path, and what the pipeline
needs to know about each from Babel's CLDR data."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError, localedata

from publication.errors import UsageError, display_path, shown
from publication.model import DOMAIN, SOURCE_LOCALE, Project

_LOCALE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$")
LOG = logging.getLogger(__name__)
_SAID: set[Path] = set()  # folders already warned about in this process


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
    """The source locale and every locale with a catalogue, validated, sorted.

    A folder with a catalogue whose name is not a locale code (`locales/dé/`, `locales/
    german/`) is left out with a warning, once per process: the other languages build."""
    found = []
    for folder, known in _catalogue_folders(project):
        if known:
            found.append(folder.name)
        elif folder not in _SAID:
            _SAID.add(folder)
            LOG.warning("%s", skipped_reason(project, folder.name))
    return [SOURCE_LOCALE, *[code for code in found if code != SOURCE_LOCALE]]


def skipped_locales(project: Project) -> list[str]:
    """The folders of `locales/` with a catalogue that `available_locales` leaves out."""
    return [folder.name for folder, known in _catalogue_folders(project) if not known]


def skipped_reason(project: Project, name: str) -> str:
    """Why the catalogue in `locales/<name>/` is not built, and what to do."""
    po = project.locales / name / "LC_MESSAGES" / f"{DOMAIN}.po"
    return (f"{display_path(po)}: the folder name {shown(name, 30)} is not a locale code "
            "Babel knows, so its catalogue is not built; rename the folder to its language's "
            "code (two or three small letters, then optionally _ and a script or region: "
            "it, pt_BR, sr_Latn)")


def _catalogue_folders(project: Project) -> list[tuple[Path, bool]]:
    """Each folder of `locales/` with a catalogue, and whether its name is a locale code."""
    if not project.locales.is_dir():
        return []
    return [(folder, bool(_LOCALE_RE.match(folder.name)) and localedata.exists(folder.name))
            for folder in sorted(project.locales.iterdir())
            if (folder / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()]
