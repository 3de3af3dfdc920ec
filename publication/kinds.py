"""Everything a publication kind is, as data: papers, kinds, print layouts and conditions.

A kind is one entry in `KINDS`, one template (render/templates/<kind>.html) and one
stylesheet (styles/<kind>.css); nothing else in the pipeline names a kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PT_PER_MM = 72 / 25.4
PRINT_SUFFIX = "-print.pdf"  # <kind>-<size>-print.pdf: the print-shop file


@dataclass(frozen=True)
class Paper:
    """A sheet of paper, portrait, in millimetres."""

    name: str
    width: float
    height: float
    title: str  # for people: "US Letter"


PAPERS: dict[str, Paper] = {
    p.name: p
    for p in (
        Paper("a4", 210, 297, "A4"),
        Paper("letter", 215.9, 279.4, "US Letter"),
        Paper("a3", 297, 420, "A3"),
        Paper("tabloid", 279.4, 431.8, "Tabloid"),
        Paper("a2", 420, 594, "A2"),
    )
}
A3 = PAPERS["a3"]


@dataclass(frozen=True)
class Kind:
    """A publication kind: its sizes, pages and what its build and print file need."""

    name: str
    title: str                      # for people: "Petition sheet"
    sizes: tuple[str, ...]          # built by default
    extra_sizes: tuple[str, ...] = ()  # built only when asked for (--size a2)
    panels: int = 1                 # a tri-fold leaflet: the sheet is folded into panels
    pages: int | None = None        # the page count a build must give; None: any
    qr_mm: float = 24.0             # the QR code's printed size
    # A headline set as large as fits, trying these sizes on A3 (scaled to the paper)
    # from the first down; () for a kind whose headline has one size.
    headline_steps_a3: tuple[float, ...] = ()
    # The print-shop file: the imposition (press.impose.LAYOUTS); None: no print file.
    # A print stylesheet marks backgrounds that run into the bleed: the imposition grows
    # them on the accessible page (press.css is what tests/test_press.py compares with).
    print_layout: str | None = None
    print_stylesheet: str | None = None
    seconds: float = 0.3            # a guess of its build time, until one is recorded

    def page_size(self, paper: Paper) -> tuple[float, float]:
        """Width and height (mm) of one page of the accessible file on `paper`.

        A folded leaflet's page is one panel: a third of the landscape sheet.
        """
        if self.panels > 1:
            return round(paper.height / self.panels, 2), paper.width
        return paper.width, paper.height

    def headline_steps(self, paper: Paper) -> tuple[float, ...]:
        """The headline sizes (pt) to try on `paper`, largest first; (0.0,): one size."""
        if not self.headline_steps_a3:
            return (0.0,)
        scale = paper.width / A3.width
        return tuple(round(step * scale, 1) for step in self.headline_steps_a3)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("leaflet", "Leaflet", ("a4", "letter"), panels=3, pages=6,
             print_layout="trifold", seconds=0.5),
        Kind("poster", "Poster", ("a3", "tabloid"), extra_sizes=("a2",), pages=1, qr_mm=55.0,
             headline_steps_a3=(88.0, 78.0, 70.0, 62.0, 56.0, 50.0, 44.0),
             print_layout="one_up", print_stylesheet="press.css", seconds=0.4),
        Kind("petition", "Petition sheet", ("a4", "letter"), seconds=0.25),
        Kind("letter", "Letter", ("a4", "letter"), pages=1, seconds=0.15),
    )
}


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
