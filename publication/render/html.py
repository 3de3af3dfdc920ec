"""Stage 4: HTML for one publication with Jinja2 (autoescape, StrictUndefined, i18n).

`render` returns the exact HTML given to WeasyPrint, plus the messages it used and the
ones that fell back to the source text.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from publication.i18n.catalog import build_time
from publication.i18n.localize import Fallback, Localizer
from publication.kinds import Kind, Paper
from publication.model import SOURCE_LOCALE, Imprint, MessageKey, Project
from publication.render.qrcode import display_url, qr_code
from publication.render.typography import big_number, keep_names, no_widow, spacing
from publication.source.content import Campaign
from publication.source.images import inspect
from publication.source.schema import Text


@dataclass(frozen=True)
class RenderedHtml:
    """The HTML of one publication in one locale, and what it took from the catalogue."""

    html: str
    used: frozenset[MessageKey]
    fallbacks: tuple[Fallback, ...]


@functools.cache
def environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment, built once per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["no_widow"] = no_widow
    env.filters["big_number"] = big_number
    env.filters["display_url"] = display_url
    return env


@dataclass(frozen=True)
class PlacedImage:
    """A campaign image as a template draws it: file, translated texts, printed size."""

    src: str
    alt: str
    credit: Markup | None
    width_mm: float
    height_mm: float


def placed_images(campaign: Campaign, localizer: Localizer, kind: Kind, paper: Paper,
                  text: Callable[[Text], Markup]) -> dict[str, PlacedImage]:
    """The images `kind` draws, by place, at their printed size on `paper`."""
    placed = {}
    for image in campaign.images:
        width = kind.image_mm(image.place, paper)
        if width is None or image.place in placed:
            continue
        aspect = _aspect(image.path, image.path.stat().st_mtime_ns)
        placed[image.place] = PlacedImage(
            image.path.as_uri(), str(localizer.text(image.alt).striptags()),
            text(image.credit) if image.credit else None, width, round(width * aspect, 2))
    return placed


@functools.lru_cache(maxsize=32)
def _aspect(path: Path, mtime_ns: int) -> float:
    return inspect(path).aspect


def colour_style(campaign: Campaign) -> str:
    """The campaign's colours as the stylesheets' custom properties ('' for the defaults)."""
    if campaign.colours is None:
        return ""
    return f":root {{ --accent: {campaign.colours.accent.srgb}; }}"


def render(
    project: Project, campaign: Campaign, localizer: Localizer, kind: Kind, paper: Paper,
    *, imprint: Imprint | None = None, headline_pt: float = 0, extra_style: str | None = None,
) -> RenderedHtml:
    """Render `kind` on `paper` for the localizer's locale.

    `extra_style` names a stylesheet in styles/ added last (the print-shop file's).
    """
    env = environment(project.templates)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        localizer.gettext, localizer.ngettext, newstyle=True,
        pgettext=localizer.pgettext, npgettext=localizer.npgettext)
    width, height = kind.page_size(paper)
    url = campaign.petition_url(localizer.info.code)
    title = localizer.text(campaign.title)
    lang = localizer.info.tag

    def text(value: Text) -> Markup:
        return spacing(keep_names(localizer.text(value), campaign.names), lang)

    published = publication_time(campaign)
    context: dict[str, Any] = {
        "c": campaign,
        "t": text,
        "images": placed_images(campaign, localizer, kind, paper, text),
        "colour_style": colour_style(campaign),
        "date": localizer.date,
        "number": localizer.number,
        "locale": localizer.info,
        "source_tag": SOURCE_LOCALE,
        "kind": kind.name,
        "size": paper.name,
        "page": {"width": width, "height": height},
        "document_title": title.striptags(),
        "timestamp": published.isoformat(),
        "letter_date": published.date(),
        "stylesheets": [
            (project.styles / "base.css").as_uri(),
            (project.styles / f"{kind.name}.css").as_uri(),
            *([(project.styles / extra_style).as_uri()] if extra_style else []),
        ],
        "petition_url": url,
        "make_qr": functools.partial(qr_code, url, size_mm=kind.qr_mm),
        "imprint": imprint,
        "headline_pt": headline_pt,
        "petition_rows": kind.petition_rows(paper, imprint is not None),
        "grid": kind.grid,
    }
    html = env.get_template(f"{kind.name}.html").render(context)
    return RenderedHtml(html, frozenset(localizer.used), tuple(localizer.fallbacks.values()))


def publication_time(campaign: Campaign) -> dt.datetime:
    """The date every output carries: SOURCE_DATE_EPOCH when set, else the content's date.

    Never the clock, so that two builds of the same sources give the same bytes.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        return build_time()
    return dt.datetime.combine(campaign.date, dt.time(12, 0), dt.UTC)
