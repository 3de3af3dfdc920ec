"""Reading page content (publication/checks/pagecontent.py): ToUnicode maps, colours."""

from __future__ import annotations

from publication.pdf.content import Paint, parse_cmap
from publication.pdf.fonts import cmap_bytes
from publication.tagging.tags import _rtl_cluster


def test_tounicode_bfchar_and_bfrange_forms() -> None:
    cmap = b"""begincmap
2 beginbfchar
<0003> <0020>
<02C3> <06440623>
endbfchar
2 beginbfrange
<0010> <0012> <0041>
<0020> <0021> [<0066006C> <00E9>]
endbfrange
endcmap"""
    assert parse_cmap(cmap) == {0x3: " ", 0x2C3: "لأ", 0x10: "A", 0x11: "B", 0x12: "C",
                                0x20: "fl", 0x21: "é"}


def test_rewritten_cmap_reads_back() -> None:
    table = {0x3: " ", 0x2C3: "أل", 0x45: "e"}
    assert parse_cmap(cmap_bytes(table, two_byte=True)) == table


def test_only_right_to_left_clusters_are_reordered() -> None:
    assert _rtl_cluster("لأ") and _rtl_cluster("عّ") and _rtl_cluster("בּ")
    assert not _rtl_cluster("fi") and not _rtl_cluster("ل ")


def test_even_odd_rectangles_are_a_ring() -> None:
    outer, inner = (0.0, 0.0, 10.0, 10.0), (1.0, 1.0, 9.0, 9.0)
    border = Paint("fill", outer, (0, 0, 0), 1.0, (), ((outer, 1), (inner, 1)), even_odd=True)
    assert border.covers(0.5, 5) and not border.covers(5, 5)
    hole = Paint("fill", outer, (0, 0, 0), 1.0, (), ((outer, 1), (inner, -1)))
    assert hole.covers(0.5, 5) and not hole.covers(5, 5)
