"""Line-breaking and spacing filters (publication/render/typography.py)."""

from __future__ import annotations

from markupsafe import Markup

from publication.render.typography import (
    NBSP,
    NNBSP,
    big_number,
    keep_names,
    no_widow,
    spacing,
)


def test_a_listed_name_is_kept_on_one_line_outside_tags() -> None:
    text = Markup('Release <a href="https://x.org/Abu Sakha">Mohammad Abu Sakha</a> now')
    kept = keep_names(text, ("Mohammad Abu Sakha", "Abu Sakha"))
    assert f'<span class="name">Mohammad{NBSP}Abu{NBSP}Sakha</span>' in kept
    assert 'href="https://x.org/Abu Sakha"' in kept, "attributes are left alone"


def test_a_name_with_an_apostrophe_in_any_script_is_kept_too() -> None:
    # Markup escapes the apostrophe of a Hebrew transliteration (סח'ה); the name is
    # found all the same.
    text = Markup("Free ") + "מוחמד פייסל אבו סח'ה" + Markup(" now")
    kept = keep_names(text, ("מוחמד פייסל אבו סח'ה",))
    assert f'<span class="name">מוחמד{NBSP}פייסל{NBSP}אבו{NBSP}סח&#39;ה</span>' in kept
    text = Markup("שחררו את ") + "מוחמד פייסל אבו סח'ה" + Markup(" עכשיו")
    assert f"את מוחמד{NBSP}פייסל{NBSP}אבו{NBSP}סח&#39;ה עכשיו" in keep_names(
        text, ("מוחמד פייסל אבו סח'ה",))


def test_a_name_in_right_to_left_text_gets_no_span() -> None:
    # A span is a text run of its own; pdf.js drops the space at the edge of a
    # right-to-left run (tests/test_readers.py reads it). The no-break spaces suffice.
    for text, name in ((Markup("أفرجوا عن محمد فيصل أبو سخا الآن"), "محمد فيصل أبو سخا"),
                       (Markup("מכתב של Philip Luther היום"), "Philip Luther")):
        kept = keep_names(text, (name,))
        assert "span" not in kept and name.replace(" ", NBSP) in kept, kept
    # Left-to-right text around it: the span (no hyphenation) whatever the name's script.
    kept = keep_names(Markup("Free محمد فيصل now"), ("محمد فيصل",))
    assert kept == f'Free <span class="name">محمد{NBSP}فيصل</span> now'


def test_a_kept_name_is_one_word_to_no_widow() -> None:
    # As when the name's span ended the text: not joined to the word before or after it.
    name = f"מוחמד{NBSP}פייסל{NBSP}אבו{NBSP}סח&#39;ה"
    for text in (f"שחררו את {name}", f"שחררו את {name}.", f"שחררו את {name} עכשיו"):
        assert no_widow(Markup(text)) == text
    assert no_widow(Markup(f"{name} ישוחרר מיד היום")) == f"{name} ישוחרר מיד{NBSP}היום"


def test_a_heading_never_ends_on_one_word() -> None:
    assert no_widow(Markup("It is time to end the violence")) == \
        f"It is time to end the{NBSP}violence"
    assert no_widow(Markup("Take action")) == "Take action", "a short heading fits anyway"


def test_no_widow_joins_inside_the_last_text_with_a_space() -> None:
    joined = no_widow(Markup("Stop the flow of <em>arms now</em>"))
    assert joined == f"Stop the flow of <em>arms{NBSP}now</em>"


def test_french_gets_narrow_no_break_spaces_and_others_do_not() -> None:
    text = Markup("« Assez ! » dit-elle : pourquoi ?")
    assert spacing(text, "fr") == f"«{NNBSP}Assez{NNBSP}!{NNBSP}» dit-elle{NBSP}: pourquoi{NNBSP}?"
    assert spacing(text, "de") == text


def test_the_first_number_of_a_fact_is_marked() -> None:
    marked = big_number(Markup("More than 2,000 civilians, 2,000 homes"), "2,000")
    assert marked == 'More than <div class="number">2,000</div> civilians, 2,000 homes'


def test_what_is_written_onto_the_number_is_set_with_it() -> None:
    # Hebrew writes the preposition onto the number ("מ-2,000", from 2,000): one word,
    # set large as one, not cut over two lines.
    marked = big_number(Markup("יותר מ-2,000 אזרחים"), "2,000")
    assert marked == 'יותר <div class="number">מ-2,000</div> אזרחים'
    assert big_number(Markup("50% der Fälle"), "50") == '<div class="number">50%</div> der Fälle'
