"""The inline markup allowed in translatable text (publication/markup.py)."""

from __future__ import annotations

import pytest

from publication.source.markup import MarkupProblem, compare_markup, parse_inline, to_markup

LINK = '<a href="https://example.org/act">sign</a>'


@pytest.mark.parametrize("text", [
    "plain text",
    "with <em>emphasis</em> and <strong>strong</strong> words",
    f"please {LINK} today",
    'the <span lang="en">Example Org</span> office',
    "5 &lt; 6 &amp; fine",
])
def test_allowed_markup_parses(text: str) -> None:
    parse_inline(text)


@pytest.mark.parametrize("text, problem", [
    ('<img src="x.png">', "tag <img> is not allowed"),
    ("<script>alert(1)</script>", "tag <script> is not allowed"),
    ("<br/>", "not allowed"),
    ('<a href="javascript:alert(1)">x</a>', "must be an https: or mailto: address"),
    ('<a href="https://a.example" onclick="x()">x</a>', "must have exactly the attributes"),
    ('<em class="big">x</em>', "must have exactly the attributes"),
    ('<span lang="../x">x</span>', "not a language code"),
    ("<em>never closed", "is never closed"),
    ("<em>crossed <strong>tags</em></strong>", "does not match"),
    ("<!-- hidden -->", "comments are not allowed"),
    ('text <img src="x"', "unfinished markup"),
])
def test_other_markup_is_refused(text: str, problem: str) -> None:
    with pytest.raises(MarkupProblem, match=problem):
        parse_inline(text)


def test_translation_may_only_use_the_markup_of_its_source() -> None:
    assert compare_markup("a <em>b</em>", "x <em>y</em>") == []
    assert compare_markup("a <em>b</em>", "x y") == []  # leaving emphasis out is allowed
    [problem] = compare_markup("a b", "x <strong>y</strong>")
    assert "<strong> is not in the source string" in problem
    [problem] = compare_markup("a b", 'x <img src="y.png">')
    assert "tag <img> is not allowed" in problem


def test_link_targets_must_stay_the_same() -> None:
    assert compare_markup(f"please {LINK}", f"bitte {LINK}") == []
    [problem] = compare_markup(f"please {LINK}", '<a href="https://evil.example/">hier</a>')
    assert "links must be the same" in problem
    [problem] = compare_markup(f"please {LINK}", "bitte unterschreiben")
    assert "links must be the same" in problem


def test_language_span_keeps_a_language_of_the_source() -> None:
    source = 'at <span lang="en">Example Org</span>'
    assert compare_markup(source, 'bei <span lang="en">Example Org</span>') == []
    [problem] = compare_markup(source, 'bei <span lang="fr">Example Org</span>')
    assert '<span lang="fr"> is not in the source string' in problem


def test_to_markup_escapes_text_and_attributes() -> None:
    assert str(to_markup('Tom & "Jerry" <em>x</em>')) == \
        "Tom &amp; &#34;Jerry&#34; <em>x</em>"
    assert str(to_markup("&lt;img&gt;")) == "&lt;img&gt;"
    with pytest.raises(MarkupProblem):
        to_markup('<img src="x">')
