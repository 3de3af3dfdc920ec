"""publication.source.characters: which invisible characters hand-written text may hold."""

from __future__ import annotations

import pytest

from publication.source.characters import find_bad_character


@pytest.mark.parametrize("text", [
    "Be\u00adfrei",                                   # soft hyphen
    "\u200fקמפיין\u200e",                             # direction marks in running text
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # a Persian non-joiner
    "\u0915\u094d\u200d\u0937",                       # a Devanagari joiner
    "two\nlines\tand a tab",
])
def test_what_scripts_need_is_allowed(text: str) -> None:
    assert find_bad_character(text) is None


@pytest.mark.parametrize(("text", "code", "words"), [
    ("Call +49\u202e 221 123", "U+202E", "direction control character U+202E (right-to-left "
                                          "override) after 'Call +49'"),
    ("Gruppe \u2066x\u2069", "U+2066", "direction control character U+2066"),
    ("Libé\u200brez", "U+200B", "U+200B (zero-width space) after 'Libé': it does nothing here"),
    ("Libé\u200drez", "U+200D", "U+200D (zero-width joiner) after 'Libé': it only has a use "
                                "between letters of scripts such as Arabic or Devanagari"),
    ("a\u2060b", "U+2060", "U+2060 (word joiner) after 'a', often copied from a web page"),
    ("bell\x07", "U+0007", "control character U+0007"),
])
def test_harmful_ones_are_named_in_words_with_what_they_follow(
        text: str, code: str, words: str) -> None:
    bad = find_bad_character(text)
    assert bad is not None and bad.code == code
    assert words in bad.describe(), bad.describe()
    assert bad.describe().startswith("contains the invisible ")
    assert "delete it" in bad.describe()


def test_an_address_or_number_holds_no_mark_at_all() -> None:
    assert find_bad_character("+49 221\u200f 123") is None  # running text
    bad = find_bad_character("+49 221\u200f 123", strict=True)
    assert bad is not None and bad.describe() == (
        "contains the invisible control character U+200F (right-to-left mark) after "
        "'+49 221': an address or number must not hold one, as it can change how it is "
        "shown; delete it (retype the value)")
