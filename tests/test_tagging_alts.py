"""The figures' alternate texts read from a page's markup (publication/tagging/alts.py):
what WeasyPrint's own tree of the page (tinyhtml5) gives, on every kind of publication."""

from __future__ import annotations

from typing import Any

import pytest
import tinyhtml5

from publication.build.builder import plan
from publication.build.pipeline import Worker
from publication.i18n.localize import Localizer
from publication.model import BuildOptions, Project, Selection
from publication.render.html import render
from publication.tagging import tags, tree
from publication.tagging.alts import figure_alts
from publication.tagging.tags import SVG_NS
from publication.tagging.tree import REPEAT_ATTRIBUTE
from tests.translating import start_catalog


def tree_alts(html: str) -> tuple[str, ...]:
    """The alternate texts as WeasyPrint's tree of the page has them (how figure_alts
    read them before, walking that tree): the oracle."""
    found: list[str] = []
    repeats: set[str] = set()

    def walk(element: Any) -> None:
        if not isinstance(element.tag, str):
            return
        name = element.get(REPEAT_ATTRIBUTE)
        if name is not None:
            if name in repeats:
                return
            repeats.add(name)
        if element.tag in (f"{SVG_NS}svg", "img"):
            found.append(tags._alt(element) or "")
        for child in element:
            walk(child)

    walk(tinyhtml5.parse(html, namespace_html_elements=False))
    return tuple(found)


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize(("kind", "size"), [("leaflet", "a4"), ("poster", "tabloid"),
                                            ("petition", "letter"), ("letter", "a4")])
def test_every_kind_of_publication_reads_as_its_tree(project: Project, locale: str, kind: str,
                                                     size: str) -> None:
    if locale != "en":
        start_catalog(project, locale, {})  # right to left, the English texts
    [target] = plan(project, Selection(locales=(locale,), kinds=(kind,), sizes=(size,)))
    job = Worker(project).job(target, target.path(project.output), BuildOptions(jobs=1))
    html = render(project, job.campaign, Localizer(job.catalog, job.info), job.kind,
                  job.paper, imprint=job.imprint).html
    expected = tree_alts(html)
    assert figure_alts(html) == expected
    if kind != "letter":
        assert expected and all(expected)  # the QR code and the images have theirs


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">{}</svg>'
ODD = "".join((
    SVG.format("<title>plain</title><rect width='8' height='8'/>"),
    SVG.format("<desc>first</desc><title>R&amp;D &lt;3 &#x5D0;</title>"),   # entities
    SVG.format("<title>kept <tspan>not this</tspan> nor this</title>"),       # text up to a child
    SVG.format("<g><title>not a child of the svg</title></g>"),
    SVG.format("<title>the first</title><title>not the second</title>"),
    SVG.format(""), '<svg width="4" height="4"/>',                             # none; self-closed
    SVG.format("<title>outer</title>" + SVG.format("<title>inner</title>")),  # nested
    '<p><img src="a.png" alt="an image"><img src="b.png"><img alt="" src="c.png"></p>',
    '<img alt="first" alt="second" src="d.png">',                             # repeated attribute
    f'<div {REPEAT_ATTRIBUTE}="head"><div><img alt="kept" src="e.png"></div></div>',
    f'<div {REPEAT_ATTRIBUTE}="head"><div><div></div><img alt="left out" src="e.png"></div>'
    '</div><img alt="after the repetition" src="f.png">',
    f'<img {REPEAT_ATTRIBUTE}="mark" alt="mark" src="g.png">',
    f'<img {REPEAT_ATTRIBUTE}="mark" alt="its repetition" src="g.png"><br>',
    '<style>p > img { width: 1mm }</style><script>"<img alt=\'x\'>"</script>',
))


def test_odd_markup_reads_as_its_tree() -> None:
    html = f"<!DOCTYPE html><html><head><title>t</title></head><body>{ODD}</body></html>"
    assert figure_alts(html) == tree_alts(html) == (
        "plain", "R&D <3 \u05d0", "kept ", "", "the first", "", "", "outer", "inner",
        "an image", "", "", "first", "kept", "after the repetition", "mark")


def test_the_repeat_attribute_is_the_tag_fixes_own() -> None:
    assert REPEAT_ATTRIBUTE == tree.REPEAT_ATTRIBUTE == "data-tag-repeat"
