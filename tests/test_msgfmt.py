"""GNU gettext reads every catalogue that extract, update and init write (`msgfmt -c`),
Babel reads it back, and repeated updates are stable with their `#|` previous msgids
intact (publication/catalog.py, publication/pofile.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from publication.i18n import catalog, checks
from publication.i18n.locales import available_locales
from publication.i18n.pofile import parse_po
from publication.model import Project
from tests.gettext_check import (
    REPO,
    assert_all_gettext_readable,
    assert_gettext_reads,
    catalogue_files,
    copy_repository,
    previous_msgids,
    run_msgfmt,
    start_full_catalog,
)
from tests.translating import ctx, replace_in

FRENCH: dict[str, str | tuple[str, ...]] = {
    "title": "Campagne de test",
    "headline": "Libérez le détenu",
    "background.first": "Le premier paragraphe, avec <em>emphase</em>.",
    "background.second": "Le deuxième paragraphe.",
    "facts.protest-days": ("%(count)s jour de manifestation", "%(count)s jours de manifestation"),
}
ARABIC: dict[str, str | tuple[str, ...]] = {
    "title": "حملة تجريبية",
    "background.first": "الفقرة الأولى، مع <em>تأكيد</em>.",
}
# A long paragraph as staff write them: quotes, a backslash, a word longer than a line.
LONG_URL = "https://example.org/reports/" + "very-long-path-segment-" * 5 + "end"
EDITED = ('The "Israeli-Palestinian" conflict, a C:\\path\\to\\grief, has raged on and off '
          f"for decades; the report at {LONG_URL} says so. Civilians on both sides continue "
          "to bear the brunt of the enduring violence, with no end in sight.")
FIXTURE_OLD = "The first paragraph of background, with <em>emphasis</em>."
# The fixture's first paragraph made long (the old text is what `#|` lines hold).
LONG_OLD = ('The "first" paragraph of background, with <em>emphasis</em>, a back\\slash and '
            f"a link to {LONG_URL}, long enough to be wrapped over several lines.")
REAL_OLD = ("The Israeli-Palestinian conflict has been raging on and off for decades. "
            "Civilians on both sides continue to bear the brunt of the enduring violence.")


def _fixture_project(project: Project) -> Project:
    """The fixture campaign with a French and an Arabic (six plural forms) catalogue."""
    start_full_catalog(project, "fr", FRENCH)
    start_full_catalog(project, "ar", ARABIC)
    return project


def _yaml_item(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: any text, quoted and escaped.
    return f"    text: {json.dumps(text, ensure_ascii=False)}\n"


def _edit_fixture(project: Project, new: str) -> None:
    replace_in(project.content / "fixture" / "campaign.yaml", _yaml_item(LONG_OLD),
               _yaml_item(new))


def _edit_real(project: Project, new: str) -> None:
    path = project.content / "israel-opt" / "campaign.yaml"
    old = ("    text: >-\n      The Israeli-Palestinian conflict has been raging on and off "
           "for decades. Civilians\n      on both sides continue to bear the brunt of the "
           "enduring violence.\n")
    replace_in(path, old, _yaml_item(new))


def _previous_lines(path: Path, context: str) -> list[str]:
    """The raw `#|` lines of the entry with `context`."""
    lines = path.read_text("utf-8").split("\n")
    end = start = lines.index(f'msgctxt "{context}"')
    while lines[start - 1].startswith("#|"):
        start -= 1
    return lines[start:end]


def _extract_and_update(project: Project) -> list[str]:
    catalog.write_pot(project, catalog.extract(project))
    return catalog.update(project, available_locales(project)[1:])


def test_shipped_catalogues_pass_msgfmt() -> None:
    files = catalogue_files(Project(REPO))
    assert len(files) >= 6, files  # the template and five languages (en has none)
    for path in files:
        assert_gettext_reads(path)


def test_extract_update_init_on_the_fixture_pass_msgfmt(project: Project) -> None:
    _fixture_project(project)
    assert catalog.write_pot(project, catalog.extract(project)) is False
    assert catalog.update(project, ["fr", "ar"]) == []
    catalog.init(project, "it")
    assert_all_gettext_readable(project)


def test_extract_update_init_on_the_repository_pass_msgfmt(tmp_path: Path) -> None:
    project = copy_repository(tmp_path / "repo")
    catalog.write_pot(project, catalog.extract(project))
    catalog.update(project, available_locales(project)[1:])
    catalog.init(project, "it")
    assert_all_gettext_readable(project)


@pytest.mark.parametrize("where", ["fixture", "repository"])
def test_edited_paragraph_keeps_files_valid_and_its_previous_msgid_whole(
        where: str, project: Project, tmp_path: Path) -> None:
    if where == "fixture":
        replace_in(project.content / "fixture" / "campaign.yaml", f"    text: {FIXTURE_OLD}\n",
                   _yaml_item(LONG_OLD))
        project, edit, old = _fixture_project(project), _edit_fixture, LONG_OLD
        context = ctx("background.first")
    else:
        project, edit, old = copy_repository(tmp_path / "repo"), _edit_real, REAL_OLD
        context = ctx("background.decades-of-conflict", "israel-opt")
    locales = available_locales(project)[1:]
    before = {code: previous_msgids(project.po(code)) for code in locales}
    edit(project, EDITED)
    assert _extract_and_update(project) == locales
    assert_all_gettext_readable(project)
    for code in locales:
        path = project.po(code)
        previous = previous_msgids(path)
        assert previous[context] == old, code
        # Only this entry changed its `#|` (others may have gone obsolete: copy_repository
        # copies only the publications' templates).
        assert {k: v for k, v in previous.items() if k != context}.items() <= \
            before[code].items(), code
        parsed = parse_po(path.read_bytes(), path, code)
        assert parsed.catalog is not None and not parsed.previous_problems
        message = parsed.catalog.get(EDITED, context=context)
        assert message is not None and message.fuzzy, code
        assert message.previous_id == [old]
    written = {code: project.po(code).read_bytes() for code in locales}

    # Updating again, twice, writes nothing.
    for _ in range(2):
        assert catalog.update(project, locales) == []
        assert {code: project.po(code).read_bytes() for code in locales} == written

    # Another edit rewrites every file; the first one's #| lines come out the same.
    blocks = {code: _previous_lines(project.po(code), context) for code in locales}
    assert all(blocks.values())
    campaign = next(project.content.glob("*/campaign.yaml"))
    text = campaign.read_text("utf-8")
    campaign.write_text(text.replace("\ntitle: ", "\ntitle: New "), "utf-8")
    assert _extract_and_update(project) == locales
    assert_all_gettext_readable(project)
    for code in locales:
        assert _previous_lines(project.po(code), context) == blocks[code], code
        assert previous_msgids(project.po(code))[context] == old
    assert catalog.update(project, locales) == []


PREVIOUS_IDS = [
    "short",
    "",
    'quotes " and \\ backslashes \\" and \\\\n that is not a newline',
    "a line\nbreak and a tab\there",
    "ünïcödé — العربية — עברית — 中文 — 🙂 " * 3,
    "x" * 140,  # one word longer than the line
    f"see {LONG_URL} and {LONG_URL}",
    "  two  spaces  between  words  where Babel's wrapper would break and drop them   ",
    # Lengths around the line width, where `#| msgid "..."` just fits or just does not.
    *("word " * n + "end" for n in range(14, 22)),
    *("w" * n + " end" for n in range(78, 92)),
]


def test_previous_msgids_of_any_text_are_valid_po_and_read_back_exactly(
        tmp_path: Path) -> None:
    cat = Catalog(locale="fr", charset="utf-8", fuzzy=False)
    for number, previous in enumerate(PREVIOUS_IDS):
        cat.add(f"new {number}", "ancienne", context=f"c{number}", flags=["fuzzy"],
                previous_id=[previous])
    cat.add(("one day", "%(count)s days"), ("un jour", "%(count)s jours"), context="plural",
            flags=["fuzzy"], previous_id=["one old day " * 9, "%(count)s old days " * 9])
    path = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(catalog._po_bytes(cat))
    assert_gettext_reads(path)
    parsed = parse_po(path.read_bytes(), path, "fr")
    assert parsed.catalog is not None and not parsed.problems and not parsed.previous_problems
    for number, previous in enumerate(PREVIOUS_IDS):
        message = parsed.catalog.get(f"new {number}", context=f"c{number}")
        assert message is not None and message.previous_id == [previous], number
    plural = parsed.catalog.get("one day", context="plural")
    assert plural is not None
    assert plural.previous_id == ["one old day " * 9, "%(count)s old days " * 9]
    assert previous_msgids(path)["c2"] == PREVIOUS_IDS[2]
    assert catalog._po_bytes(parsed.catalog) == path.read_bytes()
    # Continuation lines keep to the width, unless they hold a word longer than a line.
    assert all(len(line) <= 88 for line in path.read_text("utf-8").split("\n")
               if line.startswith('#| "') and max(map(len, line.split())) < 40)


# What Babel 2.19's write_po wrote for a previous msgid before the fix: msgfmt refuses it.
BROKEN = '''#| msgid "" "The first paragraph of background, with <em>emphasis</em>. It is
#| long" " enough to be wrapped."
'''


def test_babels_broken_previous_lines_are_reported_and_update_rewrites_them(
        project: Project) -> None:
    path = start_full_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgctxt "fixture/background.first"\n',
               f'#, fuzzy\n{BROKEN}msgctxt "fixture/background.first"\n')
    done = run_msgfmt(path)
    assert done.returncode != 0 and "end-of-line within string" in done.stderr
    line = path.read_text("utf-8").split("\n").index(BROKEN.split("\n")[0]) + 1
    _, problems = checks.check_catalog(path, "fr")
    assert [p.line for p in problems] == [line]
    assert "broken previous-msgid comment (#|)" in problems[0].message
    assert "delete the entry's #| lines" in problems[0].message
    # Nothing else changed, but update rewrites the file, without the unreadable lines.
    assert catalog.update(project, ["fr"]) == ["fr"]
    assert_all_gettext_readable(project)
    assert "#|" not in path.read_text("utf-8")
    assert checks.check_catalog(path, "fr")[1] == []
    assert catalog.update(project, ["fr"]) == []


@pytest.mark.parametrize(("lines", "what"), [
    ('#| "a continuation with nothing before it"\n', "a quoted line must follow"),
    ('#| msgstr "not a previous keyword"\n', "'msgstr' is not msgctxt"),
    ('#| msgid "unclosed\n', "one complete quoted string"),
    ('#| msgid "bad \\q escape"\n', "one complete quoted string"),
    ('#| msgid "fine"\n#| cut off"\n', "'cut' is not msgctxt, msgid, msgid_plural"),
])
def test_each_kind_of_broken_previous_line_is_reported_at_its_line(
        project: Project, lines: str, what: str) -> None:
    path = start_full_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgctxt "fixture/title"\n', f'#, fuzzy\n{lines}msgctxt "fixture/title"\n')
    text = path.read_text("utf-8").split("\n")
    bad = lines.rstrip("\n").split("\n")[-1]
    _, problems = checks.check_catalog(path, "fr")
    assert [(p.line, what in p.message) for p in problems] == [(text.index(bad) + 1, True)]
    parsed = parse_po(path.read_bytes(), path, "fr")
    assert parsed.catalog is not None
    title = parsed.catalog.get("Fixture campaign", context=ctx("title"))
    assert title is not None and title.previous_id == []  # dropped whole, not cut short


def test_empty_and_tab_separated_previous_lines_are_valid_as_for_gettext(
        project: Project) -> None:
    path = start_full_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgctxt "fixture/title"\n',
               '#, fuzzy\n#|\n#|\tmsgid\t"Old title"\nmsgctxt "fixture/title"\n')
    assert_gettext_reads(path)
    assert checks.check_catalog(path, "fr")[1] == []
    parsed = parse_po(path.read_bytes(), path, "fr")
    assert parsed.catalog is not None
    title = parsed.catalog.get("Fixture campaign", context=ctx("title"))
    assert title is not None and title.previous_id == ["Old title"]


# -- what the property test (tests/test_catalog_properties.py) found -----------------------


def test_update_keeps_each_languages_old_translations_to_itself(project: Project) -> None:
    # French has the headline translated, Arabic has not. The new headline is too
    # different for gettext's match, so French gets its old translation back by context;
    # Arabic, updated in the same run, must not get the French one.
    _fixture_project(project)
    replace_in(project.content / "fixture" / "campaign.yaml", "headline: Free the fixture\n",
               "headline: Quite another slogan altogether\n")
    catalog.write_pot(project, catalog.extract(project))
    assert catalog.update(project, ["fr", "ar"]) == ["fr", "ar"]
    assert_all_gettext_readable(project)
    strings = {}
    for code in ("fr", "ar"):
        cat = parse_po(project.po(code).read_bytes(), project.po(code), code).catalog
        assert cat is not None
        message = cat.get("Quite another slogan altogether", context=ctx("headline"))
        assert message is not None
        strings[code] = (message.string, message.fuzzy)
    assert strings == {"fr": ("Libérez le détenu", True), "ar": ("", False)}


def test_a_changed_plural_text_makes_the_translation_fuzzy(project: Project) -> None:
    # Babel matches plural messages by their singular only; msgmerge makes the entry
    # fuzzy when msgid_plural changes. Kept as done, the translation of the old plural
    # would be published for the new one.
    _fixture_project(project)
    old = ["%(count)s day of protest", "%(count)s days of protest"]
    replace_in(project.content / "fixture" / "campaign.yaml",
               'other: "%(count)s days of protest"',
               'other: "%(count)s days of protest in the capital"')
    catalog.write_pot(project, catalog.extract(project))
    assert catalog.update(project, ["fr", "ar"]) == ["fr", "ar"]
    assert_all_gettext_readable(project)
    path = project.po("fr")
    cat = parse_po(path.read_bytes(), path, "fr").catalog
    assert cat is not None
    message = cat.get("%(count)s day of protest", context=ctx("facts.protest-days"))
    assert message is not None and message.fuzzy and message.previous_id == old
    assert message.string[0] == "%(count)s jour de manifestation"
    assert '#| msgid_plural "%(count)s days of protest"\n' in path.read_text("utf-8")
    assert catalog.update(project, ["fr", "ar"]) == []


@pytest.mark.parametrize("placeholder", ["{n}", "100% of"])
def test_no_format_flag_on_a_text_the_program_does_not_format(
        project: Project, placeholder: str) -> None:
    # Babel guesses python-format or python-brace-format from the text ("% o" is a
    # conversion to it); the program formats only texts with %(count)s, so msgfmt -c,
    # Poedit and Weblate must not check these as format strings, before or after an edit.
    _fixture_project(project)
    campaign = project.content / "fixture" / "campaign.yaml"
    with_placeholder = f"The second paragraph of background, {placeholder}."
    replace_in(campaign, "    text: The second paragraph of background.\n",
               f"    text: {with_placeholder}\n")
    catalog.write_pot(project, catalog.extract(project))
    catalog.update(project, ["fr", "ar"])
    for path in (project.pot, project.po("fr")):
        entry = path.read_text("utf-8").split('msgctxt "fixture/background.second"')[0]
        assert "format" not in entry.rsplit("\n\n", 1)[1], path
    replace_in(campaign, f"    text: {with_placeholder}\n",
               "    text: The second paragraph of background, now.\n")
    catalog.write_pot(project, catalog.extract(project))
    assert catalog.update(project, ["fr", "ar"]) == ["fr", "ar"]
    assert_all_gettext_readable(project)  # reads back byte for byte
    cat = parse_po(project.po("fr").read_bytes(), project.po("fr"), "fr").catalog
    assert cat is not None
    message = cat.get("The second paragraph of background, now.", context=ctx("background.second"))
    assert message is not None and message.fuzzy
    assert message.previous_id == [with_placeholder]
    comments = project.po("fr").read_text("utf-8").split('msgctxt "fixture/background.second"')[0]
    assert "format" not in comments.rsplit("\n\n", 1)[1]


def test_an_edit_undone_brings_the_obsolete_entry_back_without_a_duplicate(
        project: Project) -> None:
    # Nobody has translated "urging", so its edited text finds no match and the old one
    # goes obsolete. Undoing the edit must not leave it obsolete beside the new entry
    # (msgfmt: "duplicate message definition"); a translation it has comes back.
    _fixture_project(project)
    campaign = project.content / "fixture" / "campaign.yaml"
    original = campaign.read_text("utf-8")
    campaign.write_text(original.replace("urging: We urge everyone to act now.",
                                         "urging: Zzyzx 1234"), "utf-8")
    assert _extract_and_update(project) == ["ar", "fr"]
    obsolete = '#~ msgctxt "fixture/urging"\n#~ msgid "We urge everyone to act now."\n#~ msgstr ""'
    for code in ("ar", "fr"):
        assert obsolete in project.po(code).read_text("utf-8"), code
    replace_in(project.po("fr"), obsolete,
               obsolete.replace('msgstr ""', 'msgstr "Nous exhortons chacun à agir."'))
    campaign.write_text(original, "utf-8")
    assert _extract_and_update(project) == ["ar", "fr"]
    assert_all_gettext_readable(project)
    states = {}
    for code in ("ar", "fr"):
        path = project.po(code)
        assert obsolete.split("\n")[1] not in path.read_text("utf-8"), code
        cat = parse_po(path.read_bytes(), path, code).catalog
        assert cat is not None
        urging = cat.get("We urge everyone to act now.", context=ctx("urging"))
        assert urging is not None
        states[code] = (urging.string, urging.fuzzy, urging.previous_id)
    assert states == {"ar": ("", False, []), "fr": ("Nous exhortons chacun à agir.", False, [])}
