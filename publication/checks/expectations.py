"""What the build put into a PDF, kept beside it so that a later `check` can compare.

The checks that need to know the intended content (reading order, language of parts,
fonts the stylesheet names, page count, translated alternate text) read it from a
sidecar JSON file under `output/.check/`, mirroring the PDF's path:
`output/.check/<campaign>/<locale>/<kind>-<size>.pdf.json`. Nothing is embedded in the
PDF itself. The sidecar records the SHA-256 of the PDF it describes; a sidecar for other
bytes is not used (the file was changed or rebuilt without it).

Structure elements are named by their ordinal: their position in a depth-first,
pre-order walk of the structure tree from `/StructTreeRoot` (see `structure.py`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from publication.files import write_atomic
from publication.model import CHECK_FOLDER

FORMAT_VERSION = 1


@dataclass(frozen=True)
class TextUnit:
    """An HTML element holding text: its structure elements (one per page it is on) and text."""

    elements: tuple[int, ...]
    tag: str          # the HTML tag, for messages
    text: str         # the string the pipeline put there, in logical order
    lang: str         # its language (BCP 47)


@dataclass(frozen=True)
class LanguagePart:
    """A structure element that must carry its own /Lang (a run in another language)."""

    element: int
    lang: str
    text: str


@dataclass(frozen=True)
class FigureAlt:
    """A figure's alternate text in this locale and in the source language."""

    element: int
    alt: str
    source_alt: str


@dataclass(frozen=True)
class Expectations:
    """Everything the build knows a PDF should be, for the checks that compare."""

    pdf_sha256: str
    lang: str
    locale: str
    source_locale: str
    name: str                                   # e.g. "israel-opt/ar/poster-a3", for messages
    pages: int | None = None                    # the page count the kind must have
    page_size_mm: tuple[float, float] | None = None
    fonts: tuple[str, ...] = ()                 # PostScript names the stylesheet may use
    min_font_pt: float = 9.0
    units: tuple[TextUnit, ...] = ()
    languages: tuple[LanguagePart, ...] = ()
    figures: tuple[FigureAlt, ...] = ()

    def to_json(self) -> str:
        data = asdict(self)
        data["version"] = FORMAT_VERSION
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Expectations:
        data: dict[str, Any] = json.loads(text)
        if data.pop("version", None) != FORMAT_VERSION:
            raise ValueError(f"not a version {FORMAT_VERSION} expectations file")
        size = data.get("page_size_mm")
        return cls(
            pdf_sha256=data["pdf_sha256"], lang=data["lang"], locale=data["locale"],
            source_locale=data["source_locale"], name=data["name"], pages=data.get("pages"),
            page_size_mm=(float(size[0]), float(size[1])) if size else None,
            fonts=tuple(data.get("fonts", ())), min_font_pt=float(data.get("min_font_pt", 9.0)),
            units=tuple(TextUnit(tuple(u["elements"]), u["tag"], u["text"], u["lang"])
                        for u in data.get("units", ())),
            languages=tuple(LanguagePart(**p) for p in data.get("languages", ())),
            figures=tuple(FigureAlt(**f) for f in data.get("figures", ())),
        )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sidecar_path(pdf: Path, output: Path) -> Path:
    """Where the expectations of `pdf` (a file under `output`) are kept."""
    relative = pdf.resolve().relative_to(output.resolve())
    return output / CHECK_FOLDER / relative.parent / f"{relative.name}.json"


def find_sidecar(pdf: Path) -> Path | None:
    """The sidecar of `pdf`, looked for in a `.check` folder of each of its parents."""
    resolved = pdf.resolve()
    for folder in resolved.parents:
        candidate = folder / CHECK_FOLDER / resolved.relative_to(folder).parent / (
            resolved.name + ".json")
        if candidate.is_file():
            return candidate
    return None


def write_sidecar(pdf: Path, output: Path, expectations: Expectations) -> Path:
    path = sidecar_path(pdf, output)
    write_atomic(path, expectations.to_json().encode("utf-8"))
    return path


def read_sidecar(path: Path) -> Expectations:
    """Read a sidecar; a broken one is a ValueError naming the file."""
    try:
        return Expectations.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: unreadable expectations ({exc})") from exc
