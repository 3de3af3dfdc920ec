"""Readable on paper: WCAG 2.x AA contrast and a minimum text size.

Colours are measured from what the page actually paints, not from the stylesheet:
each text run's fill colour against the last filled area painted under it before
the text (WeasyPrint paints backgrounds as filled rectangles; the page itself is
white), with transparency blended. AA asks for 4.5:1, or 3:1 for large text (at
least 18 pt, or 14 pt bold). Text over an image or a shading cannot be measured
this way and is reported as a warning.
"""

from __future__ import annotations

from collections.abc import Sequence

from publication.checks.expectations import Expectations
from publication.checks.findings import Finding, error, warning
from publication.pdf.content import Colour, Paint, TextRun
from publication.pdf.structure import PdfDocument, display

AA_NORMAL = 4.5
AA_LARGE = 3.0
LARGE_PT = 18.0
LARGE_BOLD_PT = 14.0
WHITE: Colour = (1.0, 1.0, 1.0)
DEFAULT_MIN_PT = 9.0


def luminance(colour: Colour) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(min(max(c, 0.0), 1.0)) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: Colour, b: Colour) -> float:
    """WCAG 2.x contrast ratio of two colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def blend(top: Colour, alpha: float, below: Colour) -> Colour:
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top, below, strict=True))  # type: ignore[return-value]


def hex_colour(colour: Colour) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colour)


def _background(paints: Sequence[Paint], x: float, y: float) -> Colour | None:
    """The colour under a point: fills painted so far, topmost first; None if not plain."""
    layers = []
    for paint in reversed(paints):
        if not paint.covers(x, y):
            continue
        if paint.kind != "fill" or paint.fill is None:
            return None  # an image, a shading or a pattern
        layers.append(paint)
        if paint.alpha >= 1:
            break
    colour = WHITE
    for paint in reversed(layers):
        assert paint.fill is not None
        colour = blend(paint.fill, paint.alpha, colour)
    return colour


def check(doc: PdfDocument, expectations: Expectations | None = None) -> list[Finding]:
    minimum = expectations.min_font_pt if expectations is not None else DEFAULT_MIN_PT
    findings: list[Finding] = []
    for index in range(len(doc.pages)):
        paints: list[Paint] = []
        low: dict[tuple[str, str, float], tuple[float, str]] = {}
        unknown: list[str] = []
        small: list[tuple[float, str]] = []
        for event in doc.events(index):
            if isinstance(event, Paint):
                if event.kind != "stroke":
                    paints.append(event)
                continue
            if not isinstance(event, TextRun) or event.invisible or not event.text.strip():
                continue
            if event.size < minimum - 0.01:
                small.append((event.size, event.text))
            if event.fill is None:
                unknown.append(event.text)
                continue
            x0, y0, x1, y1 = event.bbox
            middle = (y0 + y1) / 2
            worst: tuple[float, Colour] | None = None
            for x in (x0 + 0.1 * (x1 - x0), (x0 + x1) / 2, x1 - 0.1 * (x1 - x0)):
                background = _background(paints, x, middle)
                if background is None:
                    worst = None
                    break
                ink = blend(event.fill, event.alpha, background)
                value = ratio(ink, background)
                if worst is None or value < worst[0]:
                    worst = (value, background)
            if worst is None:
                unknown.append(event.text)
                continue
            large = event.size >= LARGE_PT or (event.bold and event.size >= LARGE_BOLD_PT)
            needed = AA_LARGE if large else AA_NORMAL
            if worst[0] < needed:
                key = (hex_colour(event.fill), hex_colour(worst[1]), needed)
                if key not in low or worst[0] < low[key][0]:
                    low[key] = (worst[0], event.text)
        for (ink_hex, paper_hex, needed), (value, text) in sorted(low.items()):
            findings.append(error(
                "contrast.wcag-aa", doc.name, index + 1,
                f"text colour {ink_hex} on {paper_hex} has contrast {value:.2f}:1, below "
                f"{needed:g}:1 (WCAG 2.x AA{' large text' if needed == AA_LARGE else ''}), "
                f"e.g. '{display(text, 40)}'",
                "darken the text or lighten its background in the stylesheet"))
        if unknown:
            findings.append(warning(
                "contrast.unmeasured", doc.name, index + 1,
                f"{len(unknown)} text run(s) over an image, shading or pattern: contrast not "
                f"measured, e.g. '{display(unknown[0], 40)}'",
                "check the contrast by eye, or put the text on a plain background"))
        if small:
            size, text = min(small)
            make = error if expectations is not None else warning
            findings.append(make(
                "contrast.text-size", doc.name, index + 1,
                f"{len(small)} text run(s) smaller than {minimum:g} pt, the smallest "
                f"{size:.1f} pt: '{display(text, 40)}'",
                f"set body text at {minimum:g} pt or more"))
    return findings
