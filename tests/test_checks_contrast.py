"""Readable on paper (publication/checks/contrast.py): WCAG 2.x AA from the painted
colours, and the minimum text size."""

from __future__ import annotations

from pathlib import Path

import pytest

from publication.checks.contrast import ratio
from tests.checking import check, checks_of, page, tagged_pdf


@pytest.mark.parametrize(("a", "b", "expected"), [
    ((0, 0, 0), (1, 1, 1), 21.0),
    ((0x77 / 255,) * 3, (1, 1, 1), 4.48),
    ((1, 0.878431, 0), (0x11 / 255,) * 3, 14.31),  # the campaign's black on yellow
])
def test_ratio_is_wcag(a: tuple[float, float, float], b: tuple[float, float, float],
                       expected: float) -> None:
    assert ratio(a, b) == pytest.approx(expected, abs=0.05)


def test_a_colour_of_two_to_one_is_an_error(fonts_dir: Path) -> None:
    html = page('<h1>Title</h1><p style="color: #b7b7b7">Pale words on white paper.</p>',
                fonts_dir)
    data, expectations = tagged_pdf(html)
    [finding] = [f for f in check(data, expectations) if f.check == "contrast.wcag-aa"]
    assert finding.severity == "error" and finding.page == 1
    assert "#b7b7b7 on #ffffff has contrast 2.0" in finding.message
    assert "below 4.5:1" in finding.message and "Pale words" in finding.message


def test_background_colour_counts(fonts_dir: Path) -> None:
    html = page('<h1>Title</h1><p style="background: #ffe000; color: #ffffff">White on '
                'yellow.</p><p style="background: #ffe000; color: #111">Black on yellow.</p>',
                fonts_dir)
    data, expectations = tagged_pdf(html)
    [finding] = [f for f in check(data, expectations) if f.check == "contrast.wcag-aa"]
    assert finding.message.startswith("text colour #ffffff on #ffe000 has contrast 1.32:1")


def test_large_text_needs_three_to_one(fonts_dir: Path) -> None:
    grey = "color: #8a8a8a"  # 3.4:1 on white
    html = page(f'<h1 style="{grey}; font-size: 20pt">Large</h1>'
                f'<p style="{grey}">Small text in the same grey.</p>', fonts_dir)
    data, expectations = tagged_pdf(html)
    [finding] = [f for f in check(data, expectations) if f.check == "contrast.wcag-aa"]
    assert "below 4.5:1" in finding.message and "Small text" in finding.message


def test_text_below_nine_points(fonts_dir: Path) -> None:
    html = page('<h1>Title</h1><p style="font-size: 8pt">Fine print.</p>', fonts_dir)
    data, expectations = tagged_pdf(html)
    [finding] = [f for f in check(data, expectations) if f.check == "contrast.text-size"]
    assert finding.severity == "error"
    assert "smaller than 9 pt, the smallest 8.0 pt: 'Fine print.'" in finding.message


def test_borders_are_not_backgrounds(fonts_dir: Path) -> None:
    # A border is painted as two rectangles filled even-odd: the text is not on it.
    html = page('<h1>Title</h1><p style="border: 3pt solid #111; padding: 4pt">Boxed</p>'
                '<p style="border-bottom: 1pt solid #111; color: #444">Underlined field</p>',
                fonts_dir)
    data, expectations = tagged_pdf(html)
    assert "contrast.wcag-aa" not in checks_of(check(data, expectations))
