"""The campaign's images checked before anything is drawn: readable, and fine enough for
the largest size they are printed at.

A PNG or JPEG is opened with Pillow (a file it cannot read, or a truncated one, is
refused); its effective resolution is its pixel width over the widest printed width of
its place in any kind (`publication.kinds.image_width_mm`): below `WARN_PPI` it is a
warning, below `MIN_PPI` an error. An SVG must be an XML document whose root is an
`<svg>` with a size (a viewBox, or width and height); it is vector, so any size is fine.
Every problem names `campaign.yaml:LINE` of the image's `src`.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from publication.errors import Problem
from publication.kinds import image_width_mm
from publication.source.yamlsource import YamlDocument

if TYPE_CHECKING:
    from publication.source.content import Image

LOG = logging.getLogger(__name__)
MIN_PPI = 150   # below this a print shop refuses the file
WARN_PPI = 200  # below this it prints soft
MM_PER_INCH = 25.4
SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_PIXELS = 80_000_000  # a larger image is refused rather than decoded


@dataclass(frozen=True)
class ImageInfo:
    """What a valid image file is: vector, or its pixel width."""

    vector: bool
    pixels_wide: int = 0
    aspect: float = 1.0  # height / width


def image_problems(images: tuple[Image, ...], doc: YamlDocument) -> list[Problem]:
    """The problems of every image file; warnings for coarse ones are logged with the line."""
    problems = []
    for index, image in enumerate(images):
        line = doc.line_of(("images", index, "src"))
        if not image.path.is_file():
            continue  # the reader has said so already
        try:
            info = inspect(image.path)
        except ValueError as exc:
            problems.append(Problem(doc.path, line, f"images.{index + 1}.src: {exc}"))
            continue
        if info.vector:
            continue
        ppi = info.pixels_wide / (image_width_mm(image.place) / MM_PER_INCH)
        what = (f"images.{index + 1}.src: {image.path.name} is {info.pixels_wide} px wide, "
                f"{ppi:.0f} ppi at the {image_width_mm(image.place):g} mm it is printed at")
        if ppi < MIN_PPI:
            problems.append(Problem(doc.path, line, f"{what} (at least {MIN_PPI} ppi: give a "
                                    f"file at least {_needed(image.place, WARN_PPI)} px wide)"))
        elif ppi < WARN_PPI:
            LOG.warning("%s:%d: %s (%d ppi or more prints sharp: %d px wide)", doc.path, line,
                        what, WARN_PPI, _needed(image.place, WARN_PPI))
    return problems


def _needed(place: str, ppi: int) -> int:
    return round(image_width_mm(place) / MM_PER_INCH * ppi)


def inspect(path: Path) -> ImageInfo:
    """The kind and size of an image file; ValueError saying what is wrong with it."""
    if path.suffix.lower() == ".svg":
        return _svg(path)
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as image:
            fmt = image.format
            width, height = image.size
            image.load()  # decodes every byte: a truncated file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{path.name} is not a readable PNG or JPEG file ({exc})") from None
    expected = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}[path.suffix.lower()]
    if fmt != expected:
        raise ValueError(f"{path.name} is a {fmt} file, not {expected} as its name says")
    return ImageInfo(False, width, height / width)


def _svg(path: Path) -> ImageInfo:
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        raise ValueError(f"{path.name} is not a well-formed SVG file ({exc})") from None
    if root.tag != f"{SVG_NS}svg":
        raise ValueError(f"{path.name}: the root element is not an SVG <svg>")
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        if len(box) == 4:
            width, height = float(box[2]), float(box[3])
        else:
            width, height = (float((root.get(k) or "").removesuffix("px")) for k in
                             ("width", "height"))
    except ValueError:
        raise ValueError(f"{path.name}: the <svg> has neither a viewBox nor a width and "
                         "height") from None
    if width <= 0 or height <= 0:
        raise ValueError(f"{path.name}: the <svg> has an empty size")
    return ImageInfo(True, aspect=height / width)
