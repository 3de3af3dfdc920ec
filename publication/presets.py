"""Presets as data: paper sizes, publication kinds and their sizes, project folders."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SOURCE_LOCALE = "en"
DOMAIN = "messages"


@dataclass(frozen=True)
class Paper:
    """A sheet of paper, portrait, in millimetres."""

    name: str
    width: float
    height: float


PAPERS: dict[str, Paper] = {
    p.name: p
    for p in (
        Paper("a4", 210, 297),
        Paper("letter", 215.9, 279.4),
        Paper("a3", 297, 420),
        Paper("tabloid", 279.4, 431.8),
        Paper("a2", 420, 594),
    )
}


@dataclass(frozen=True)
class Kind:
    """A publication kind: its template, default sizes and sizes built only on request."""

    name: str
    sizes: tuple[str, ...]
    extra_sizes: tuple[str, ...] = ()
    panels: int = 1  # a tri-fold leaflet: the sheet is folded into this many panels

    def page_size(self, paper: Paper) -> tuple[float, float]:
        """Width and height (mm) of one page of the accessible file on `paper`.

        A folded leaflet's page is one panel: a third of the landscape sheet.
        """
        if self.panels > 1:
            return round(paper.height / self.panels, 2), paper.width
        return paper.width, paper.height


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("leaflet", ("a4", "letter"), panels=3),
        Kind("poster", ("a3", "tabloid"), extra_sizes=("a2",)),
        Kind("petition", ("a4", "letter")),
        Kind("letter", ("a4", "letter")),
    )
}


@dataclass(frozen=True)
class Project:
    """The folders of a project checkout; every path the pipeline reads or writes."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def styles(self) -> Path:
        """The stylesheets: the project's own `styles/` when it has one (a design of its
        own, or a test's copy), else the ones the package ships."""
        own = self.root / "styles"
        return own if own.is_dir() else Path(__file__).parent / "styles"

    @property
    def fonts(self) -> Path:
        return self.root / "fonts"

    def style_file(self, path: Path) -> Path:
        """Where a file that a stylesheet names really is. The stylesheets name their fonts
        `../fonts/NAME`: beside a project's own styles/ that is its fonts/ folder, and the
        stylesheets the package ships mean that same folder."""
        normal = Path(os.path.normpath(path))
        beside = self.styles.parent / "fonts"
        return self.fonts / normal.relative_to(beside) if normal.is_relative_to(beside) else normal

    @property
    def templates(self) -> Path:
        return Path(__file__).parent / "templates"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def pot(self) -> Path:
        return self.locales / f"{DOMAIN}.pot"

    def po(self, locale: str) -> Path:
        return self.locales / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    def mo(self, locale: str) -> Path:
        return self.locales / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


@dataclass(frozen=True)
class PrintingCondition:
    """A CMYK printing condition: its registered name and the ICC profile for it."""

    identifier: str   # OutputConditionIdentifier, from the ICC characterization registry
    condition: str    # for people reading the output intent
    profile: Path     # installed by `package`
    package: str


CONDITIONS: dict[str, PrintingCondition] = {
    # Ghostscript's default CMYK profile: SWOP, coated stock (what a US shop expects
    # without being told; a European one accepts it and converts to FOGRA39/51).
    "swop": PrintingCondition(
        "CGATS TR 001", "SWOP, coated paper (CGATS TR 001): Artifex CMYK SWOP profile",
        Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"), "libgs-common"),
}
DEFAULT_CONDITION = "swop"
