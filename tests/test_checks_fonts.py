"""Fonts cover the text (publication/checks/fonts.py): before rendering, every character
of a locale's strings is in its font stack; after, only the stylesheets' fonts are used."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

from publication.checks.fonts import coverage, font_stack, stylesheet_families
from publication.model import Project
from tests.checking import build_one, check, checks_of, page, tagged_pdf
from tests.translating import entry_line, start_catalog


def test_font_stacks_come_from_the_stylesheet(project: Project) -> None:
    arabic, hebrew = "Noto Sans Arabic Campaign", "Noto Sans Hebrew Campaign"
    assert font_stack(project, "en").families == ("Noto Sans", arabic, hebrew)
    # Every shipped script in every stack: an imprint in another script is covered.
    assert font_stack(project, "ar").families == (arabic, "Noto Sans", hebrew)
    assert font_stack(project, "he").families == (hebrew, "Noto Sans", arabic)
    assert stylesheet_families(project) == ("Noto Sans", arabic, hebrew)
    stack = font_stack(project, "he")
    assert stack.covers("ש") and stack.covers("«") and not stack.covers("漢")
    assert stack.covers("ق") and font_stack(project, "ar").covers("ש")


def test_the_merged_faces_carry_punctuation_and_digits(project: Project) -> None:
    # tools/fonts/merge.py (run by make): the first family of the he and ar stacks draws
    # the line's punctuation and digits itself, so the line stays in one font.
    for code in ("he", "ar"):
        stack = font_stack(project, code)
        faces = [f for f in stack.faces if f.family == stack.families[0]]
        assert {f.weight for f in faces} == {"400", "700"}, faces
        for face in faces:
            with TTFont(face.path) as font:
                cmap = font.getBestCmap()
                assert all(ord(c) in cmap for c in "0123456789,.:;()/\"%-–—«»„“”"), face
                assert font["name"].getDebugName(1) == stack.families[0]


def test_a_character_outside_the_fonts_stops_the_build(project: Project) -> None:
    po = start_catalog(project, "de", {"title": "Kampagne 漢", "headline": "Frei"})
    [finding] = coverage(project, "de")
    assert finding.severity == "error" and finding.check == "fonts.coverage"
    assert finding.file.endswith(f"messages.po:{entry_line(po, 'title', 'msgid')}")
    assert ("message 'fixture/title' in de has the character '漢' (U+6F22 CJK UNIFIED "
            "IDEOGRAPH-6F22)") in finding.message
    assert ("(Noto Sans, Noto Sans Arabic Campaign, Noto Sans Hebrew Campaign)"
            in finding.message)
    path, outcome = build_one(project, "de", "letter", "a4")
    assert outcome.status == "failed"  # type: ignore[attr-defined]
    assert any("U+6F22" in m for m in outcome.messages)  # type: ignore[attr-defined]
    assert not path.exists()


def test_hebrew_letters_in_an_arabic_catalogue_are_covered(project: Project) -> None:
    # A Hebrew name in an Arabic text (an imprint, a quoted name) is drawn with the
    # project's Hebrew face, not a system fallback.
    start_catalog(project, "ar", {"title": "حملة", "headline": "שלום"})
    assert coverage(project, "ar") == []


def test_a_fallback_font_in_the_pdf(fonts_dir: Path) -> None:
    # Devanagari is in no font the page names: the system's fallback draws it.
    data, expectations = tagged_pdf(page("<h1>Title</h1><p>नमस्ते</p>", fonts_dir))
    [finding] = [f for f in check(data, expectations) if f.check == "fonts.unexpected"]
    assert "Devanagari" in finding.message and finding.page == 1
    assert "fonts.unexpected" not in checks_of(check(data))  # needs the build's record
