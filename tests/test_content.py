"""Content loading and validation (publication/content.py, publication/yamlsource.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publication.errors import InputError
from publication.model import Project
from publication.source.content import iter_texts, load_campaign

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
    assert "demands.israel.items.3" in contexts
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
    assert any("'urging' is a required property" in p for p in problems), problems
    assert any("petition.rows" in p and "integer" in p for p in problems), problems


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
        "images: []", "images:\n  - src: logo.png\n    place: cover")
    _write(project, text)
    problems = _problems(project)
    assert any("'alt' is a required property" in p for p in problems), problems


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
