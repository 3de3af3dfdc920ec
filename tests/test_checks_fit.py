"""Everything fits (publication/checks/fit.py and the poster's shrinking headline)."""

from __future__ import annotations

import re
from pathlib import Path

import weasyprint

from publication.errors import display_path
from publication.kinds import KINDS, PAPERS
from publication.model import Project
from publication.typeset.fit import layout_overflow
from tests.checking import build_one, check, page, tagged_pdf
from tests.translating import entry_line, start_catalog

LONG_HEADLINE = " ".join(["Unverhältnismäßige Gewaltanwendung muss sofort aufhören"] * 12)


def test_a_string_too_long_for_the_poster(project: Project) -> None:
    po = start_catalog(project, "de", {"headline": LONG_HEADLINE, "title": "Testkampagne"})
    path, outcome = build_one(project, "de", "poster", "a3")
    assert outcome.status == "failed"  # type: ignore[attr-defined]
    [message] = outcome.messages  # type: ignore[attr-defined]
    line = entry_line(po, "headline", "msgid")
    assert message.startswith(f"{display_path(po)}:{line}: "), message
    assert "poster (a3, de) does not fit on one page" in message
    smallest = KINDS["poster"].headline_steps(PAPERS["a3"])[-1]
    assert f"headline at {smallest:.0f} pt, the smallest allowed" in message
    assert "shorten message 'fixture/headline' ('Unverhältnismäßige" in message
    over = float(re.search(r"runs ([0-9.]+) mm past the page", message).group(1))  # type: ignore[union-attr]
    assert over > 20, message
    assert not path.exists()


def test_fixed_size_box_overflow_is_measured(fonts_dir: Path) -> None:
    html = page('<div class="box" style="height: 20mm; width: 60mm">'
                + "Words that need more room than the box has. " * 8 + "</div>"
                '<p style="width: 20mm">Unbreakablelongwordthatcannotwrap</p>', fonts_dir)
    overflows = layout_overflow(weasyprint.HTML(string=html).render())
    bottom = [o for o in overflows if o.box == "div.box"]
    assert bottom and all(o.side == "bottom" for o in bottom)
    assert max(o.mm for o in bottom) > 10
    right = [o for o in overflows if o.text.startswith("Unbreakable")]
    assert right and right[0].side in ("right", "left") and right[0].mm > 5
    assert str(right[0]).startswith("'Unbreakablelongwordthatcannotwrap' overflows p")


def test_text_that_fits_is_not_reported(fonts_dir: Path) -> None:
    html = page('<div style="height: 40mm"><h1>Short</h1><p>A line.</p></div>', fonts_dir)
    assert layout_overflow(weasyprint.HTML(string=html).render()) == []


def test_page_count_and_text_outside_the_page(fonts_dir: Path) -> None:
    html = page('<h1>Title</h1><p style="position: absolute; left: 160mm">Off the edge</p>',
                fonts_dir)
    data, expectations = tagged_pdf(html, pages=6)
    findings = {f.check: f for f in check(data, expectations)}
    assert findings["fit.pages"].message == "1 pages instead of 6"
    outside = findings["fit.outside-page"].message
    assert "text run(s) drawn outside the page, e.g. 'edge' by " in outside
