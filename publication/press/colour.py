"""Colours for print: every DeviceRGB colour of a print-shop file as CMYK ink.

What each colour becomes, in this order:

- a campaign colour (content `colours:`) its own CMYK, exactly as staff gave it: the
  accent's clean process yellow is 0/0/100/0, not the 1.6 % cyan a profile makes of
  its sRGB value (a dot below a stable size);
- a neutral grey black ink only: near-black (text, rules, small boxes) 100 % K, so that
  small type is not built from four plates that can misregister; a near-black *large*
  area (at least `RICH_BLACK_MIN_MM` on its shorter side, such as the poster's facts
  band) rich black, which prints deeper than black ink alone;
- any other colour through the printing condition's ICC profile (relative colorimetric,
  black point compensated).

Anything still RGB (raster images) is declared sRGB through /DefaultRGB by pdfx.finish.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path

import pikepdf

from publication.kinds import PT_PER_MM
from publication.source.content import Colour, Colours

NEAR_BLACK = 0.1        # a grey this close to black is printed as solid black (100 % K)
RICH_BLACK = (0.6, 0.4, 0.4, 1.0)
RICH_BLACK_MIN_MM = 20.0  # a near-black fill this large on both sides is rich black
PATH_OPERATORS = frozenset({"m", "l", "c", "v", "y", "h", "re"})
FILL_OPERATORS = frozenset({"f", "F", "f*", "B", "B*", "b", "b*"})
PAINT_OPERATORS = FILL_OPERATORS | {"S", "s", "n"}

Rgb = tuple[int, int, int]            # 0..255
Ink = tuple[float, float, float, float]  # 0..1 per ink: cyan, magenta, yellow, black
Inks = Mapping[Rgb, Ink]


def srgb_of(value: str) -> Rgb:
    """"#rrggbb" as its three 0..255 values."""
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


@functools.cache
def _transform(profile: Path) -> object:
    from PIL import ImageCms

    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(profile)), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


@functools.lru_cache(maxsize=256)
def cmyk(red: float, green: float, blue: float, profile: Path) -> tuple[float, ...]:
    """The CMYK ink values (0..1) for an sRGB colour (0..1) in the printing condition
    (greys in black ink only)."""
    if red == green == blue:
        grey = 1.0 - red
        return 0.0, 0.0, 0.0, 1.0 if grey >= 1.0 - NEAR_BLACK else round(grey, 4)
    from PIL import Image, ImageCms

    pixel = Image.new("RGB", (1, 1), tuple(round(c * 255) for c in (red, green, blue)))
    result = ImageCms.applyTransform(pixel, _transform(profile))  # type: ignore[arg-type]
    assert result is not None
    values = result.getpixel((0, 0))
    assert isinstance(values, tuple)
    return tuple(round(v / 255, 4) for v in values)


def ink(rgb: tuple[float, float, float], profile: Path, inks: Inks) -> tuple[float, ...]:
    """What an sRGB colour (0..1) is printed with: a campaign colour's own CMYK, else
    `cmyk`."""
    own = inks.get((round(rgb[0] * 255), round(rgb[1] * 255), round(rgb[2] * 255)))
    return own if own is not None else cmyk(*rgb, profile)


def is_black(values: tuple[float, ...]) -> bool:
    return tuple(values) == (0.0, 0.0, 0.0, 1.0)


def convert_content(instructions: list[pikepdf.ContentStreamInstruction
                                      | pikepdf.ContentStreamInlineImage],
                    profile: Path, inks: Inks) -> tuple[list[object], bool]:
    """One content stream's instructions with rg/RG as k/K; a black fill of a large
    rectangle as rich black (set before its path, black again after it). Returns the
    instructions and whether any changed."""
    out: list[object] = []
    changed = False
    ctm, stack = pikepdf.Matrix(), []
    fill: tuple[float, ...] | None = None   # the current fill colour, as ink
    path_start: int | None = None           # where in `out` the current path began
    rects: list[tuple[float, float]] = []   # its rectangles' sizes (mm)
    others = False                          # it has parts that are not rectangles
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            out.append(instruction)
            continue
        name = str(instruction.operator)
        if name in ("rg", "RG") and len(instruction.operands) == 3:
            rgb = tuple(float(v) for v in instruction.operands)
            values = ink(rgb, profile, inks)  # type: ignore[arg-type]
            instruction = pikepdf.ContentStreamInstruction(
                list(values), pikepdf.Operator("k" if name == "rg" else "K"))
            changed = True
            if name == "rg":
                fill = values
        elif name == "k":
            fill = tuple(float(v) for v in instruction.operands)
        elif name in ("g", "sc", "scn", "cs"):
            fill = None
        elif name == "q":
            stack.append((ctm, fill))
        elif name == "Q" and stack:
            ctm, fill = stack.pop()
        elif name == "cm":
            ctm = pikepdf.Matrix(instruction.operands) @ ctm
        if name in PATH_OPERATORS:
            if path_start is None:
                path_start, rects, others = len(out), [], False
            if name == "re":
                w, h = (float(v) for v in instruction.operands[2:])
                if abs(ctm.b) < 1e-9 and abs(ctm.c) < 1e-9:  # axis-aligned
                    rects.append((abs(w * ctm.a) / PT_PER_MM, abs(h * ctm.d) / PT_PER_MM))
                else:
                    others = True
            elif name != "h":
                others = True
        out.append(instruction)
        if name in PAINT_OPERATORS:
            if name in FILL_OPERATORS and fill is not None and is_black(fill) and rects \
                    and not others and all(min(size) >= RICH_BLACK_MIN_MM for size in rects):
                assert path_start is not None
                out.insert(path_start, pikepdf.ContentStreamInstruction(
                    list(RICH_BLACK), pikepdf.Operator("k")))
                out.append(pikepdf.ContentStreamInstruction(list(fill), pikepdf.Operator("k")))
                changed = True
            path_start = None
    return out, changed


def campaign_inks(colours: Colours | None) -> dict[Rgb, Ink]:
    """The campaign's colours (content `colours:`) as the press's inks: sRGB to CMYK."""
    if colours is None:
        return {}
    found: dict[Rgb, Ink] = {}
    for field in dataclasses.fields(colours):
        colour: Colour = getattr(colours, field.name)
        c, m, y, k = (v / 100 for v in colour.cmyk)
        found[srgb_of(colour.srgb)] = (c, m, y, k)
    return found
