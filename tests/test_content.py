"""Content loading and validation (publication/source: content.py, schema.py, yamlsource.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import jsonschema
import pytest

from publication.errors import InputError
from publication.model import Project
from publication.source.content import (
    CONTENT_FILE,
    Campaign,
    campaign_schema,
    iter_texts,
    load_campaign,
    place,
    shown_texts,
)
from publication.source.schema import (
    DERIVED,
    At,
    Context,
    ItemKey,
    Items,
    Note,
    Range,
    Reader,
    Str,
    Text,
    json_schema,
    schema_problems,
    schema_text,
)
from publication.source.yamlsource import load_yaml

REPO = Path(__file__).resolve().parent.parent


def _write(project: Project, text: str) -> Path:
    path = project.content / "fixture" / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(project: Project) -> list[str]:
    with pytest.raises(InputError) as info:
        load_campaign(project.content / "fixture")
    return [str(p) for p in info.value.problems]


def test_real_campaign_loads_with_contexts_and_lines() -> None:
    campaign = load_campaign(REPO / "content" / "israel-opt")
    contexts = [t.context for t in iter_texts(campaign)]
    assert len(contexts) == len(set(contexts)), "every message needs its own context"
    # Each names its campaign (its folder), then its place in the file.
    assert "israel-opt/demands.israel.items.lift-gaza-blockade" in contexts
    assert "israel-opt/background.no-one-held-to-account" in contexts
    assert campaign.quote.author.source == "Philip Luther"
    assert campaign.headline.line > 1
    assert all(fact.plural and fact.count is not None for fact in campaign.facts)


def test_fixture_campaign_loads(project: Project) -> None:
    campaign = load_campaign(project.content / "fixture")
    assert campaign.title.source == "Fixture campaign"
    assert campaign.petition_url("fr").endswith("petition-fr")
    assert campaign.petition_url("de").endswith("/petition")


def test_unknown_key_is_reported_with_its_line(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace("title: Fixture campaign",
                                                    "title: Fixture campaign\ntitel: typo")
    _write(project, text)
    problems = _problems(project)
    line = text.splitlines().index("titel: typo") + 1
    assert any(f"campaign.yaml:{line}: top level: unknown key 'titel'" in p
               for p in problems), problems


def test_duplicate_key_is_an_error(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace("headline: Free the fixture",
                                                    "headline: Free the fixture\nheadline: Again")
    _write(project, text)
    problems = _problems(project)
    assert any("key 'headline' is given twice" in p for p in problems), problems


def test_missing_field_and_wrong_type_are_all_reported(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("urging: We urge everyone to act now.\n", "")
    text = text.replace("rows: 5", "rows: many")
    _write(project, text)
    problems = _problems(project)
    assert f"{path}:2: top level: 'urging' is a required property: add 'urging:' with text " \
           "of at most 600 characters" in problems, problems
    line = _line(text, "  rows: many")
    assert f"{path}:{line}: petition.rows: is the text 'many', but it must be a whole " \
           "number from 1 to 60" in problems, problems
    assert len(problems) == 2, problems


def test_disallowed_markup_in_content_names_the_line(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "urging: We urge everyone to act now.", 'urging: We urge <img src="x.png"> everyone.')
    _write(project, text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("urging:"))
    problems = _problems(project)
    assert any(f"campaign.yaml:{line}: urging: tag <img> is not allowed" in p for p in problems)


def test_image_without_alt_is_an_error(project: Project) -> None:
    folder = project.content / "fixture"
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = folder / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "images: []", "images:\n  - id: logo\n    src: logo.png\n    place: cover")
    _write(project, text)
    problems = _problems(project)
    assert any("images.1: 'alt' is a required property: add 'alt:' with text" in p
               for p in problems), problems


def test_custom_yaml_tags_are_refused(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "headline: Free the fixture", "headline: !!python/object:os.system echo")
    _write(project, text)
    assert any("unsupported YAML tag" in p for p in _problems(project))


def test_yaml_syntax_error_names_the_line(project: Project) -> None:
    _write(project, "title: [unclosed\nheadline: x\n")
    problems = _problems(project)
    assert len(problems) == 1
    assert "campaign.yaml:2: YAML syntax" in problems[0], problems


def test_the_schema_file_is_the_one_the_model_declares() -> None:
    """campaign.schema.json (for editors and people) is written from the dataclasses;
    `python -m publication.source.schema` writes it again after a change to them."""
    path = REPO / "publication" / "source" / "campaign.schema.json"
    assert path.read_text("utf-8") == schema_text(campaign_schema()), \
        "run: python -m publication.source.schema"
    jsonschema.Draft202012Validator.check_schema(campaign_schema())


def test_a_pattern_problem_says_what_form_is_expected(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace("party: authorities", "party: Authorities")
    _write(project, text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Authorities" in row)
    assert _problems(project) == [
        f"{path}:{line}: demands.1.party: 'Authorities' is not in the expected form "
        "(lower-case letters, digits and _, first a letter)"]


def test_a_day_that_does_not_exist_is_a_problem_at_its_line(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace("date: 2020-03-04", "date: 2020-13-45")
    _write(project, text)
    line = text.splitlines().index("date: 2020-13-45") + 1
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{line}: ") and "2020-13-45" in problem, problem


def test_a_missing_image_names_its_key_and_line(project: Project) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "images: []", "images:\n  - id: logo\n    src: logo.png\n    alt: The logo\n"
                      "    place: cover")
    _write(project, text)
    line = text.splitlines().index("    src: logo.png") + 1
    assert _problems(project) == [f"{path}:{line}: images.1.src: 'logo.png' is not a file "
                                  "in fixture/"]


# A model of its own: one declaration gives the schema and what is read.
@dataclass(frozen=True)
class _Entry:
    name: Annotated[str, Str(pattern="^[a-z]+$", form="lower-case letters")]
    label: Annotated[Text, Str(min_length=1, max_length=20), Note("A label.")]
    size: Annotated[int, Range(minimum=1)] = 1


@dataclass(frozen=True)
class _Model:
    origin: Annotated[str, DERIVED]
    heading: Annotated[Text, Str(max_length=10), At("box", "heading")]
    entries: Annotated[tuple[_Entry, ...], Items(min=1), At("box", "entries"), Context("box"),
                       ItemKey("name")]
    words: Annotated[tuple[Annotated[Text, Str()], ...], Items(max=3)] = ()
    extra: Annotated[Text, Str()] | None = None


def test_one_declaration_gives_the_schema_and_the_reader(tmp_path: Path) -> None:
    schema = json_schema(_Model, title="A model")
    assert schema["required"] == ["box"]
    box = schema["properties"]["box"]
    assert box["required"] == ["heading", "entries"] and box["additionalProperties"] is False
    entry = box["properties"]["entries"]["items"]
    assert entry["required"] == ["name", "label"]
    assert entry["properties"]["size"] == {"type": "integer", "minimum": 1}
    assert set(schema["properties"]) == {"box", "words", "extra"}
    path = tmp_path / "model.yaml"
    path.write_text("box:\n  heading: Hello\n  entries:\n    - name: one\n      label: First\n"
                    "    - name: two\n      label: Second\n      size: 2\nwords: [a, b]\n",
                    encoding="utf-8")
    doc = load_yaml(path)
    assert schema_problems(doc, schema) == []
    model = Reader(doc).read(_Model, origin="test")
    assert model.origin == "test" and model.extra is None
    assert model.heading == Text("box.heading", "Hello", 2)
    assert [(e.name, e.label, e.size) for e in model.entries] == [
        ("one", Text("box.one.label", "First", 5, note="A label."), 1),
        ("two", Text("box.two.label", "Second", 7, note="A label."), 2)]
    assert [w.context for w in model.words] == ["words.1", "words.2"]
    path.write_text("box:\n  heading: A heading too long\n  entries: []\nwords: [a, b, c, d]\n",
                    encoding="utf-8")
    assert [str(p) for p in schema_problems(load_yaml(path), schema)] == [
        f"{path}:2: box.heading: too long: 18 characters, at most 10 fit",
        f"{path}:3: box.entries: is an empty list: give at least 1, each on its own line "
        "starting with '- '",
        f"{path}:4: words: has 4 items; at most 3 fit: remove some"]


# -- ids: every list item of texts names its messages ----------------------------------


def _line(text: str, row: str) -> int:
    return text.splitlines().index(row) + 1


def test_contexts_name_each_item_by_its_id(project: Project) -> None:
    campaign = load_campaign(project.content / "fixture")
    contexts = {place(t) for t in iter_texts(campaign)}
    assert {t.context for t in iter_texts(campaign)} == {f"fixture/{c}" for c in contexts}
    assert {"background.first", "background.second", "facts.protest-days",
            "demands.authorities.items.respect-law", "law.paragraphs.attacks-illegal",
            "letter.body.release", "news.a-news-item.title"} <= contexts
    # A plural item keeps its line (of `one`) and number; a text item the line of `text`.
    text = (project.content / "fixture" / CONTENT_FILE).read_text("utf-8")
    fact = campaign.facts[0]
    assert (fact.count, fact.line) == (3, _line(text, '    one: "%(count)s day of protest"'))
    assert campaign.background[1].line == _line(
        text, "    text: The second paragraph of background.")


def test_a_list_item_without_an_id_is_an_error_at_its_line(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("  - id: second\n    text:", "  - text:")
    _write(project, text)
    [problem] = _problems(project)
    line = _line(text, "  - text: The second paragraph of background.")
    assert problem.startswith(f"{path}:{line}: background.2: 'id' is a required property: "
                              "add 'id:' with an id: lower-case"), problem


def test_an_old_plain_list_item_says_how_to_write_it(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace(
        "  - id: second\n    text: The second paragraph of background.",
        "  - The second paragraph of background.")
    _write(project, text)
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{_line(text, '  - The second paragraph of background.')}: ")
    assert problem.endswith("background.2: is the text 'The second paragraph of background.': "
                            "an item written as `- id: a-name` with its text under `text:`"), \
        problem


def test_a_duplicate_id_names_both_lines(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("  - id: detained\n", "  - id: protest-days\n")
    _write(project, text)
    lines = [n for n, row in enumerate(text.splitlines(), 1) if row == "  - id: protest-days"]
    assert _problems(project) == [
        f"{path}:{lines[1]}: facts.2.id: 'protest-days' is already the id of facts.1 (line "
        f"{lines[0]}); give each item its own"]


def test_the_same_id_in_two_lists_is_fine(project: Project) -> None:
    # letter.body and demands.authorities.items both have `release`: contexts differ.
    campaign = load_campaign(project.content / "fixture")
    assert campaign.letter.body[0].context == "fixture/letter.body.release"
    assert campaign.demands[0].items[0].context == "fixture/demands.authorities.items.release"


@pytest.mark.parametrize("bad", ["Second", "second paragraph", "second.two", "-second",
                                 "second--two", "zweite-ä", ""])
def test_an_id_of_another_shape_is_refused(project: Project, bad: str) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("  - id: second\n", f"  - id: '{bad}'\n")
    _write(project, text)
    problems = _problems(project)
    assert problems and all(p.startswith(f"{path}:{_line(text, f'  - id: {bad!r}')}: "
                                         "background.2.id: ") for p in problems), problems
    assert any("is not in the expected form (an id: lower-case letters and digits" in p
               for p in problems), problems


def test_reading_by_position_gives_the_contexts_from_before_ids(project: Project) -> None:
    folder = project.content / "fixture"
    old = Reader(load_yaml(folder / CONTENT_FILE), folder, by_position=True).read(
        Campaign, slug="fixture", path=folder)
    contexts = [t.context for t in iter_texts(old)]
    assert {"background.2", "facts.1", "demands.authorities.items.2", "news.1.title",
            "letter.body.1"} <= set(contexts)


# -- which news items are shown ----------------------------------------------------------


def test_news_items_are_shown_on_the_kinds_the_content_names(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace(
        "Related news\n  items:\n", "Related news\n  items:\n    - id: hidden\n"
        "      date: 2020-01-01\n      type: blog\n      title: Never printed\n"
        "      show_on: []\n")
    _write(project, text)
    campaign = load_campaign(project.content / "fixture")
    assert [item.id for item in campaign.news] == ["hidden", "a-news-item"]
    assert [item.id for item in campaign.news_on("leaflet")] == ["a-news-item"]
    assert campaign.news_on("poster") == ()
    shown = {place(t) for t in shown_texts(campaign)}
    assert "news.a-news-item.title" in shown and "news.heading" in shown
    assert "news.hidden.title" not in shown


def test_no_news_shown_leaves_out_the_heading_too(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    _write(project, path.read_text("utf-8").replace("show_on: [leaflet]", "show_on: []"))
    shown = {t.context for t in shown_texts(load_campaign(project.content / "fixture"))}
    assert not any(context.startswith("news.") for context in shown)


def test_news_on_a_kind_that_lists_no_news_is_refused(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("show_on: [leaflet]", "show_on: [poster]")
    _write(project, text)
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{_line(text, '      show_on: [poster]')}: "
                              "news.items.1.show_on.1: 'poster' is not allowed here: write one "
                              "of leaflet"), \
        problem


# -- percent signs and placeholders ------------------------------------------------------


def test_a_placeholder_in_a_text_without_a_number_is_refused(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("urging: We urge everyone to act now.",
                                           "urging: We urge %(count)s people to act, 100% now.")
    _write(project, text)
    [problem] = _problems(project)
    assert problem == (f"{path}:{_line(text, 'urging: We urge %(count)s people to act, 100% now.')}"
                       ": urging: %(count)s is replaced only in a text with a number (count, "
                       "one, other); write the words themselves here")


def test_a_lone_percent_sign_in_a_text_with_a_number_is_refused(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace('one: "%(count)s day of protest"',
                                           'one: "%(count)s day of protest, 50% of them"')
    _write(project, text)
    [problem] = _problems(project)
    assert "facts.protest-days: a % sign that is not %(count)s" in problem
    # Written %%, it is a percent sign; elsewhere a lone % is one already.
    _write(project, text.replace("50% of", "50%% of").replace(
        "urging: We urge everyone to act now.", "urging: 100% of us urge you."))
    campaign = load_campaign(project.content / "fixture")
    assert campaign.urging.source == "100% of us urge you."


def test_news_kinds_are_the_kinds_whose_template_lists_news(project: Project) -> None:
    """NEWS_KINDS (what `show_on` may name) against what the templates really print: a
    shown item's title is used by exactly those kinds, a hidden one by none."""
    from publication.kinds import KINDS
    from publication.report.status import kind_messages
    from publication.source.content import NEWS_KINDS

    path = project.content / "fixture" / CONTENT_FILE
    _write(project, path.read_text("utf-8").replace(
        "Related news\n  items:\n", "Related news\n  items:\n    - id: hidden\n"
        "      date: 2020-01-01\n      type: blog\n      title: Never printed\n"
        "      show_on: []\n"))
    used = kind_messages(project)
    shown = ("fixture/news.a-news-item.title", "A news item")
    assert {kind for kind in KINDS if shown in used[kind]} == set(NEWS_KINDS)
    assert not any(("fixture/news.hidden.title", "Never printed") in keys for keys in used.values())


# -- plain words and hostile content (issue 12) --------------------------------------------


def test_an_empty_headline_says_what_to_write(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("headline: Free the fixture", "headline:")
    _write(project, text)
    assert _problems(project) == [
        f"{path}:{_line(text, 'headline:')}: headline: is empty: write text of at most 120 "
        "characters here (Poster headline and leaflet cover, set very large: keep it short "
        "(about 40 characters).)"]


def test_a_misspelt_key_is_one_message_not_two(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    text = path.read_text("utf-8").replace("  - id: second\n    text:", "  - id: second\n    txt:")
    _write(project, text)
    assert _problems(project) == [
        f"{path}:{_line(text, '    txt: The second paragraph of background.')}: background.2: "
        "unknown key 'txt': did you mean 'text'?"]


BIDI_URGING = "urging: We urge \u202eeveryone to act now."


def test_bidi_controls_in_content_are_refused_at_their_line(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    original = path.read_text("utf-8")
    text = original.replace("urging: We urge everyone to act now.", BIDI_URGING)
    _write(project, text)
    assert _problems(project) == [
        f"{path}:{_line(text, BIDI_URGING)}: urging: contains "
        "the invisible direction control character U+202E (right-to-left override) after 'We "
        "urge ', which makes the text print in another order than it reads (a phone number or "
        "an address could be shown reversed): delete it (retype the text around it)"]
    # A printed address holds not even a direction mark.
    text = original.replace(
        "  default: https://act.example.org/fixture/petition",
                 "  default: https://act.example.org/\u200ffixture/petition")
    _write(project, text)
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:4: petition_url.default: contains the invisible control "
                              "character U+200F (right-to-left mark)"), problem


WIDE_FACT = '    one: "%(count)s day of protest, %(count)999999999d"'


def test_a_placeholder_width_or_deep_markup_in_content_is_refused(project: Project) -> None:
    path = project.content / "fixture" / CONTENT_FILE
    original = path.read_text("utf-8")
    text = original.replace('    one: "%(count)s day of protest"', WIDE_FACT)
    _write(project, text)
    assert _problems(project) == [
        f"{path}:{_line(text, WIDE_FACT)}: "
        "facts.protest-days: placeholder '%(count)999999999d' has a width or precision, which "
        "the program does not use (it could make the text millions of characters long): write "
        "it %(count)s"]
    text = original.replace(
        "urging: We urge everyone to act now.", "urging: " + "<em>" * 20 + "x" + "</em>" * 20)
    _write(project, text)
    [problem] = _problems(project)
    assert problem.endswith(": urging: tags nested more than 8 deep (<em> inside 8 open tags): "
                            "a text needs two or three at most; close each tag before opening "
                            "the next"), problem
