"""Everything a publication kind is, as data: papers, kinds, print layouts and conditions.

A kind is one entry in `KINDS`, one template (render/templates/<kind>.html) and one
stylesheet (styles/<kind>.css); nothing else in the pipeline names a kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PT_PER_MM = 72 / 25.4
PRINT_SUFFIX = "-print.pdf"  # <kind>-<size>-print.pdf: the print-shop file
OFFICE_SUFFIX = "-office.pdf"  # <kind>-<size>-office.pdf: the sheet for an office printer
PROOF_NAME = "proof.pdf"        # output/<campaign>/proof.pdf: every publication at a glance
# The PDFs that are not accessible files, by how their names end: for printing or for
# reviewing, not for reading; neither tagged nor PDF/UA (each says so in its subject).
NOT_FOR_READING = (PRINT_SUFFIX, OFFICE_SUFFIX, PROOF_NAME)


@dataclass(frozen=True)
class Paper:
    """A sheet of paper, portrait, in millimetres."""

    name: str
    width: float
    height: float
    title: str      # for people: "US Letter"
    condition: str  # the printing condition (CONDITIONS) of its print-shop files


# ISO sizes are printed where FOGRA39 (ISO Coated v2) is the shops' condition, US sizes
# where SWOP is (GRACoL has no openly licensed profile in Debian).
PAPERS: dict[str, Paper] = {
    p.name: p
    for p in (
        Paper("a4", 210, 297, "A4", "fogra39"),
        Paper("letter", 215.9, 279.4, "US Letter", "swop"),
        Paper("a3", 297, 420, "A3", "fogra39"),
        Paper("tabloid", 279.4, 431.8, "Tabloid", "swop"),
        Paper("a2", 420, 594, "A2", "fogra39"),
    )
}
A3 = PAPERS["a3"]


@dataclass(frozen=True)
class SignatureGrid:
    """A signature sheet's page: a head of fixed height (title and demand, then the info
    box: the notice and where to send it), then the table, as many rows as the paper
    holds, then "page n of m". The template sets the head's and the info box's heights
    from here."""

    margin_mm: float
    head_mm: float        # title, demand, QR code
    info_mm: float        # the notice and the return address
    imprint_info_mm: float  # the info box with a local group's imprint as the address
    header_row_mm: float
    row_mm: float
    foot_mm: float

    def info_height(self, imprint: bool) -> float:
        """The info box's height (mm): taller when a group's imprint is the address, so
        that its lines fit (text past it is an error at the imprint file's line)."""
        return self.imprint_info_mm if imprint else self.info_mm

    def rows(self, paper: Paper, imprint: bool = False) -> int:
        """The signature rows one page of `paper` holds (with a group's imprint or not)."""
        free = (paper.height - 2 * self.margin_mm - self.head_mm - self.info_height(imprint)
                - self.header_row_mm - self.foot_mm)
        return int(free // self.row_mm)


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
    # The pages (0-based) whose backgrounds run into the bleed that way; None: every page.
    bleed_pages: tuple[int, ...] | None = None
    # The office sheet (<kind>-<size>-office.pdf, press.office): its imposition, or None.
    office_layout: str | None = None
    seconds: float = 0.3            # a guess of its build time, until one is recorded
    # The campaign images it draws (content `images`, by `place`) and their printed width
    # in mm, on A3 for a kind with headline steps (scaled to the paper), else on any paper.
    images: tuple[tuple[str, float], ...] = ()
    grid: SignatureGrid | None = None  # a signature sheet's page layout
    # The web app's preview of a group's set (publication.serve.packing): the bottom part
    # (this fraction of the height) of the page that holds the group's imprint, drawn
    # first while the rest is made; None: no preview. Kinds with one are offered first.
    preview_foot: float | None = None
    # Whether it carries a local group's details (`--imprint`): the letter is its
    # sender's own (they fill in their name and address), so a group's set has none.
    imprint: bool = True

    def makes(self, size: str) -> bool:
        """Whether it is made in `size` (by default or when asked for)."""
        return size in self.sizes or size in self.extra_sizes

    def petition_rows(self, paper: Paper, imprint: bool = False) -> int:
        """Signature rows per page on `paper` (0: not a signature sheet)."""
        return self.grid.rows(paper, imprint) if self.grid else 0

    def bleeds(self, page: int) -> bool:
        """Whether the backgrounds of `page` (0-based) that reach its page area's edge run
        into the bleed in the print-shop file."""
        return self.print_stylesheet is not None and (
            self.bleed_pages is None or page in self.bleed_pages)

    def page_size(self, paper: Paper) -> tuple[float, float]:
        """Width and height (mm) of one page of the accessible file on `paper`.

        A folded leaflet's page is one panel: a third of the landscape sheet.
        """
        if self.panels > 1:
            return round(paper.height / self.panels, 2), paper.width
        return paper.width, paper.height

    def image_mm(self, place: str, paper: Paper) -> float | None:
        """The printed width (mm) of the image at `place` on `paper`; None: not drawn."""
        width = dict(self.images).get(place)
        if width is None:
            return None
        return round(width * paper.width / A3.width, 1) if self.headline_steps_a3 else width

    def headline_steps(self, paper: Paper) -> tuple[float, ...]:
        """The headline sizes (pt) to try on `paper`, largest first; (0.0,): one size."""
        if not self.headline_steps_a3:
            return (0.0,)
        scale = paper.width / A3.width
        return tuple(round(step * scale, 1) for step in self.headline_steps_a3)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("leaflet", "Leaflet", ("a4", "letter"), panels=3, pages=6, qr_mm=30.0,
             print_layout="trifold", print_stylesheet="press.css", bleed_pages=(0,),
             office_layout="office", seconds=0.5, preview_foot=1.0,
             images=(("mark", 14.0), ("cover", 80.0), ("facts", 52.0), ("back", 60.0))),
        # One headline size for every language (the layout below it adapts), readable
        # from 3 m; the smaller steps are for a long translation or a local group's box.
        Kind("poster", "Poster", ("a3", "tabloid"), extra_sizes=("a2",), pages=1, qr_mm=55.0,
             headline_steps_a3=(72.0, 68.0, 66.0),
             print_layout="one_up", print_stylesheet="press.css", seconds=0.4,
             preview_foot=0.32,
             images=(("mark", 30.0),)),
        Kind("petition", "Petition sheet", ("a4", "letter"), qr_mm=22.0, seconds=0.25,
             images=(("mark", 16.0),),
             grid=SignatureGrid(margin_mm=12.0, head_mm=50.0, info_mm=33.0,
                                imprint_info_mm=40.0, header_row_mm=9.0, row_mm=8.5,
                                foot_mm=6.0)),
        Kind("letter", "Letter", ("a4", "letter"), pages=1, seconds=0.15, imprint=False),
    )
}


# The kinds a local group's set holds (those that carry its details), in KINDS order.
GROUP_KINDS = tuple(name for name, kind in KINDS.items() if kind.imprint)


def default_sizes() -> tuple[str, ...]:
    """The sizes some kind is made in by default (A2 only when asked for), in PAPERS order."""
    return tuple(p for p in PAPERS if any(p in kind.sizes for kind in KINDS.values()))


def image_width_mm(place: str) -> float:
    """The widest an image at `place` is printed, in any kind at any of its sizes."""
    return max((width for kind in KINDS.values()
                for size in (*kind.sizes, *kind.extra_sizes)
                if (width := kind.image_mm(place, PAPERS[size])) is not None), default=0.0)


@dataclass(frozen=True)
class PrintingCondition:
    """A CMYK printing condition: its registered name and the ICC profile for it."""

    identifier: str   # OutputConditionIdentifier, from the ICC characterization registry
    condition: str    # for people reading the output intent
    description: str  # the profile's own description ('desc' tag): preflight compares it
    profile: Path     # installed by `package`
    package: str      # what installs the profile (for the message when it is missing)


# The profiles `make setup` installs (a Debian package's file, or one extracted from a
# package and checked against setup/profiles.sha256).
ICC_DIR = Path("/usr/local/share/color/icc/campaign-publications")

CONDITIONS: dict[str, PrintingCondition] = {
    # ISO Coated v2 / FOGRA39: offset on coated paper, Europe's usual condition.
    "fogra39": PrintingCondition(
        "FOGRA39", "Offset commercial printing, ISO 12647-2:2004/Amd 1, coated paper "
        "(paper type 1 or 2), 60/cm screen (FOGRA39): FOGRA39L Coated profile",
        "FOGRA39L Coated", ICC_DIR / "FOGRA39L_coated.icc",
        "texlive-base (make setup extracts the file)"),
    # Ghostscript's default CMYK profile: SWOP, coated stock, the US web-offset condition.
    "swop": PrintingCondition(
        "CGATS TR 001", "SWOP, coated paper (CGATS TR 001): Artifex CMYK SWOP profile",
        "Artifex CMYK SWOP Profile",
        Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"), "libgs-common"),
}
