"""Post-processing: place typeset pages on print-shop sheets with pikepdf.

A print-shop file is made of sheet sides. Each side has a trim (the finished size),
a 3 mm bleed around it and a slug outside that for the marks (see marks.py). The
layouts are data:

- `trifold`: the leaflet's six panels, typeset once as the pages of the accessible
  file, on the two sides of a landscape sheet. Outside: panels 5, 6, 1 (inside flap,
  back, cover); inside: 2, 3, 4. The flap (5, with 4 on its back) folds in under the
  cover, so it is 2 mm narrower than the other two panels; the folds move with it.
  A right-to-left leaflet opens the other way: each side's order is mirrored.
- `one_up`: a poster, one page on one side.
- `office`: the tri-fold's two sides for an office printer: the sheet is the paper
  (A4 or Letter landscape, printed at 100 %), no bleed and no crop marks, the same
  panel order and mirroring, and short fold guides at the folds' ends in the margin, in
  the gutter between two panels' text, no nearer the edge than an office printer prints.

A panel is typeset at a third of the sheet (99 mm for A4) but its slot is 99.67 or
97.67 mm wide: the page is centred in its slot and cut to it, so a wide slot gains
0.33 mm of paper at each fold and the flap loses 0.67 mm of its page margin (8 mm,
so no text is cut; `imposed` refuses a cut wider than `MAX_CUT_MM`). Scaling instead
would change the type size between the office and print-shop files. Where a slot
meets the sheet's edge, whatever the page draws beyond its edge (its own bleed) is
kept, up to the sheet's bleed.

Each page goes on its sheet as a form XObject (qpdf's page-to-form, through pikepdf)
clipped by its bounding box: its content stream is referenced as it is. pypdf, named
for post-processing at first, can only merge pages by parsing and rewriting every
content stream, which took 2.9 s of a 14 s build for the 24 print-shop files.

A page whose backgrounds should run into the bleed (the poster's bands, the leaflet's
cover) is given with its page area, the part inside its margins: each plain background
that reaches an edge of the area grows through the margin to the bleed on that side
(`bleed_fills`): the rectangles of its fill and clip in the placed page's content stream
are made that big. It is what the print stylesheet press.css makes of them with a second
typesetting, made here from the accessible file's page instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from publication.errors import PublicationError
from publication.kinds import PT_PER_MM, Paper
from publication.pdf.content import Box, Event, Paint, page_events
from publication.press.marks import SLUG_MM, SheetGeometry, draw_guides, draw_marks

BLEED_MM = 3.0
FOLD_IN_NARROWER_MM = 2.0
MAX_CUT_MM = 1.5      # how far a page may be cut (or fall short) at each side to fit its slot
TOLERANCE_MM = 0.01
EDGE_TOLERANCE_PT = 0.05  # a background this close to the page area's edge reaches it

# The tri-fold leaflet's sheet sides, panels (1-based) from left to right when the
# leaflet reads left to right; and the panels of the flap that folds in.
TRIFOLD_SIDES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("outside", (5, 6, 1)),
    ("inside", (2, 3, 4)),
)
TRIFOLD_FOLD_IN = frozenset({4, 5})


@dataclass(frozen=True)
class Slot:
    """Where one typeset page goes on a sheet side: mm from the trim's left edge."""

    page: int      # 0-based page of the typeset PDF (the leaflet's panel number - 1)
    x: float
    width: float


@dataclass(frozen=True)
class Side:
    """One side of the sheet: its slots left to right and its folds."""

    name: str
    slots: tuple[Slot, ...]
    folds: tuple[float, ...] = ()

    @property
    def panels(self) -> tuple[int, ...]:
        """The 1-based page (panel) numbers from left to right."""
        return tuple(slot.page + 1 for slot in self.slots)


@dataclass(frozen=True)
class Imposition:
    """A print-shop file's layout: the trim (finished size) and its sides."""

    name: str
    trim: tuple[float, float]
    sides: tuple[Side, ...]
    condition: str            # the printing condition (kinds.CONDITIONS) of its paper
    bleed: float = BLEED_MM
    slug: float = SLUG_MM     # room for the marks around the trim (0: the sheet is the trim)
    guides: bool = False      # fold guides for an office printer instead of printer's marks

    @property
    def media(self) -> tuple[float, float]:
        return self.trim[0] + 2 * self.slug, self.trim[1] + 2 * self.slug

    def geometry(self, side: Side) -> SheetGeometry:
        return SheetGeometry(self.media, self.slug, self.slug, self.trim, self.bleed,
                             side.folds)


def trifold(paper: Paper, rtl: bool) -> Imposition:
    """The tri-fold leaflet on a landscape `paper` sheet; mirrored when `rtl`."""
    width, height = paper.height, paper.width
    wide = (width + FOLD_IN_NARROWER_MM) / len(TRIFOLD_SIDES[0][1])
    sides = []
    for name, panels in TRIFOLD_SIDES:
        order = tuple(reversed(panels)) if rtl else panels
        slots, x = [], 0.0
        for panel in order:
            slot_width = wide - FOLD_IN_NARROWER_MM if panel in TRIFOLD_FOLD_IN else wide
            slots.append(Slot(panel - 1, x, slot_width))
            x += slot_width
        folds = tuple(slot.x for slot in slots[1:])
        sides.append(Side(name, tuple(slots), folds))
    return Imposition("trifold", (width, height), tuple(sides), paper.condition)


def one_up(paper: Paper, rtl: bool) -> Imposition:
    """One page on one side of a portrait `paper` sheet (a poster)."""
    return Imposition("one-up", (paper.width, paper.height),
                      (Side("front", (Slot(0, 0.0, paper.width),)),), paper.condition)


def office(paper: Paper, rtl: bool) -> Imposition:
    """The tri-fold leaflet's two sides for an office printer: the sheet is the landscape
    `paper` itself (no bleed, no slug, no crop marks), with fold guides."""
    return dataclasses.replace(trifold(paper, rtl), name="office", bleed=0.0, slug=0.0,
                               guides=True)


# The impositions a kind's `print_layout` and `office_layout` name (publication.kinds).
LAYOUTS: dict[str, Callable[[Paper, bool], Imposition]] = {
    "trifold": trifold, "one_up": one_up, "office": office}


class ImpositionError(PublicationError):
    """The typeset pages do not fit the imposition (page count or size)."""


@contextlib.contextmanager
def imposed(data: bytes, imposition: Imposition, label: str, fonts: Path,
            areas: Mapping[int, Box] | None = None,
            drawn: Mapping[int, Sequence[Event]] | None = None) -> Iterator[pikepdf.Pdf]:
    """The sheet sides of `imposition` with the pages of `data` and the marks placed on
    them, open while the `with` block lasts (the placed pages' streams are read from
    `data` until the sheets are saved).

    Each page is placed as a form XObject (its content stream is referenced, not parsed
    or rewritten unless it has backgrounds to grow), clipped to its slot by the form's
    bounding box. `label`
    names the job on each side's slug line; `fonts` holds its font. `areas` gives, for
    the pages (0-based) whose backgrounds run into the bleed, the page area in the
    page's coordinates (points): see `bleed_fills`; `drawn`, what those pages draw
    (publication.pdf.content.page_events), when `data` has been read already.
    """
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(pikepdf.open(io.BytesIO(data)))
        sheets = stack.enter_context(pikepdf.new())
        width, height = imposition.trim
        media_w, media_h = imposition.media
        for side in imposition.sides:
            sheet = sheets.add_blank_page(page_size=(media_w * PT_PER_MM, media_h * PT_PER_MM))
            placements = []
            for slot in side.slots:
                if slot.page >= len(source.pages):
                    raise ImpositionError(f"{imposition.name}: the typeset file has "
                                          f"{len(source.pages)} pages, the layout needs page "
                                          f"{slot.page + 1}")
                page = source.pages[slot.page]
                trim = pikepdf.Rectangle(page.trimbox)
                page_w, page_h = trim.width / PT_PER_MM, trim.height / PT_PER_MM
                cut = (page_w - slot.width) / 2
                if abs(cut) > MAX_CUT_MM or abs(page_h - height) > MAX_CUT_MM:
                    raise ImpositionError(
                        f"{imposition.name}: page {slot.page + 1} is {page_w:.2f} x "
                        f"{page_h:.2f} mm, too big for its {slot.width:.2f} x {height:.2f} mm "
                        "slot")
                # Page origin (its trim's lower-left corner) on the sheet, in mm.
                left = imposition.slug + slot.x - cut
                bottom = imposition.slug + (height - page_h) / 2
                clip = _clip(slot, imposition)
                form = sheets.copy_foreign(page.as_form_xobject())
                bbox = (  # the slot, in the page's own coordinates
                    round(trim.llx + (clip[0] - left) * PT_PER_MM, 4),
                    round(trim.lly + (clip[1] - bottom) * PT_PER_MM, 4),
                    round(trim.llx + (clip[2] - left) * PT_PER_MM, 4),
                    round(trim.lly + (clip[3] - bottom) * PT_PER_MM, 4))
                form.BBox = pikepdf.Array(bbox)
                x, y = left * PT_PER_MM - trim.llx, bottom * PT_PER_MM - trim.lly
                if areas is not None and slot.page in areas:
                    events = drawn.get(slot.page) if drawn is not None else None
                    _grow(form, bleed_fills(page_events(page) if events is None else events,
                                            areas[slot.page], bbox))
                placements.append((form, x, y))
            geometry = imposition.geometry(side)
            marks = stack.enter_context(pikepdf.open(io.BytesIO(
                draw_guides(geometry) if imposition.guides
                else draw_marks(geometry, f"{label} - {side.name}", fonts))))
            placements.append((sheets.copy_foreign(marks.pages[0].as_form_xobject()), 0.0, 0.0))
            sheet.obj.Contents = sheets.make_stream(b"".join(
                _place(sheet, f"/Fx{number}", form, x, y)
                for number, (form, x, y) in enumerate(placements)))
            if imposition.slug:  # a print-shop sheet: its trim and bleed
                s, b = imposition.slug, imposition.bleed
                sheet.obj.TrimBox = pikepdf.Array(_pt(s, s, s + width, s + height))
                sheet.obj.BleedBox = pikepdf.Array(_pt(s - b, s - b, s + width + b,
                                                       s + height + b))
        yield sheets


def _place(sheet: pikepdf.Page, name: str, form: pikepdf.Object, x: float, y: float) -> bytes:
    """The content that draws `form` on `sheet` moved by (x, y) points; `form` becomes
    the sheet's XObject `name` (chosen here: pikepdf's own names are random, and the
    same sources must give the same bytes)."""
    sheet.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(name))
    return f"q 1 0 0 1 {x:.4f} {y:.4f} cm {name} Do Q\n".encode("ascii")


@dataclass(frozen=True)
class BleedFill:
    """A page's background run into the bleed: the rectangle it fills and the one it is
    to fill (the page's coordinates, points)."""

    box: Box
    grown: Box


def bleed_fills(events: Sequence[Event], area: Box, clip: Box) -> list[BleedFill]:
    """The plain backgrounds of a page that reach an edge of its page area `area`, each
    grown on the sides it reaches to `clip`, the part of the sheet the page may paint:
    its slot with the bleed. A coloured background filling the whole area (the leaflet's
    cover) grows on all four sides; white is the paper (the page's own background) and
    never grows.

    A background is a filled axis-aligned rectangle in an opaque colour."""
    fills = []
    for event in events:
        if isinstance(event, Paint) and event.kind == "fill" and event.fill is not None \
                and min(event.fill) < 1 and event.alpha >= 1 and len(event.rects) == 1:
            box = event.rects[0][0]
            reached = [abs(box[i] - area[i]) <= EDGE_TOLERANCE_PT for i in range(4)]
            if any(reached):
                grown = tuple(clip[i] if reached[i] else box[i] for i in range(4))
                fills.append(BleedFill(box, grown))  # type: ignore[arg-type]
    return fills


def _grow(form: pikepdf.Object, fills: list[BleedFill]) -> None:
    """Grow the backgrounds `fills` in the content stream of `form` (a placed page): each
    rectangle exactly one's box (its fill, and the clip WeasyPrint sets to it first) is
    made the grown box. Painted where it was, the background stays under what the page
    draws on it and hides what the page drew before it, as a bigger box would."""
    if not fills:
        return
    instructions = pikepdf.parse_content_stream(form)
    ctm, stack, grown = pikepdf.Matrix(), [], set()
    for number, item in enumerate(instructions):
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            continue
        operator = str(item.operator)
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q" and stack:
            ctm = stack.pop()
        elif operator == "cm":
            ctm = pikepdf.Matrix(item.operands) @ ctm
        elif operator == "re" and abs(ctm.b) < 1e-9 and abs(ctm.c) < 1e-9:  # axis-aligned
            x, y, w, h = (float(v) for v in item.operands)
            box = ctm.transform(pikepdf.Rectangle(x, y, x + w, y + h))
            for fill in fills:
                if all(abs(a - b) <= EDGE_TOLERANCE_PT for a, b in zip(
                        (box.llx, box.lly, box.urx, box.ury), fill.box, strict=True)):
                    new = ctm.inverse().transform(pikepdf.Rectangle(*fill.grown))
                    x0, x1 = _edges((x, x + w), (new.llx, new.urx))
                    y0, y1 = _edges((y, y + h), (new.lly, new.ury))
                    instructions[number] = pikepdf.ContentStreamInstruction(
                        [x0, y0, x1 - x0, y1 - y0], pikepdf.Operator("re"))
                    grown.add(fill.box)
    missing = [fill.box for fill in fills if fill.box not in grown]
    if missing:
        raise ImpositionError(f"a background to run into the bleed ({missing[0]}) is not "
                              "a rectangle of the page's own content stream")
    form.write(pikepdf.unparse_content_stream(instructions))


def _edges(old: tuple[float, float], new: tuple[float, float]) -> tuple[float, float]:
    """A rectangle's two edges on one axis after growing (`new`, low then high): in the
    order of `old` (so the rectangle keeps its orientation), an edge that did not move
    exactly as it was."""
    low, high = (min(old, key=lambda v: abs(v - edge)) if min(abs(v - edge) for v in old)
                 < 1e-6 else edge for edge in new)
    return (low, high) if old[0] <= old[1] else (high, low)


def _clip(slot: Slot, imposition: Imposition) -> tuple[float, float, float, float]:
    """The slot on the media (mm), reaching into the bleed where it meets the sheet's edge."""
    width, height = imposition.trim
    b, s = imposition.bleed, imposition.slug
    x0 = s + slot.x
    x1 = x0 + slot.width
    if slot.x <= TOLERANCE_MM:
        x0 -= b
    if slot.x + slot.width >= width - TOLERANCE_MM:
        x1 += b
    return x0, s - b, x1, s + height + b


def _pt(*mm: float) -> list[float]:
    return [round(v * PT_PER_MM, 4) for v in mm]
