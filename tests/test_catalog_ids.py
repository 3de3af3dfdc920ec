"""Catalogues and stable message identity: inserting, moving and changing content items,
format flags and where each message appears (publication/i18n/catalog.py, extract.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.pofile import read_po

from publication.i18n import catalog, checks
from publication.i18n.locales import available_locales
from publication.i18n.pofile import parse_po
from publication.model import Project, context_place
from publication.report.status import appearances
from publication.source.content import iter_texts, load_campaign
from tests.gettext_check import assert_all_gettext_readable, copy_repository
from tests.projects import REPO
from tests.translating import ctx, replace_in

# -- stable ids: inserting, moving and changing items --------------------------------------


def _states(project: Project, code: str) -> dict[tuple[str | None, str], tuple[str, object]]:
    parsed = parse_po(project.po(code).read_bytes(), project.po(code), code)
    assert parsed.catalog is not None
    return {checks.message_key(m): (checks.message_state(m), m.string)
            for m in parsed.catalog if m.id}


def test_inserting_items_at_the_top_fuzzes_no_unchanged_string(tmp_path: Path) -> None:
    project = copy_repository(tmp_path / "repo")
    locales = available_locales(project)[1:]
    assert len(locales) == 5
    catalog.write_pot(project, catalog.extract(project))
    catalog.update(project, locales)
    before = {code: _states(project, code) for code in locales}
    campaign = project.content / "israel-opt" / "campaign.yaml"
    # A news item at the top, shown; the one that was first is shown again as well.
    replace_in(campaign, "  items:\n    - id: issa-amro-charges\n",
               "  items:\n    - id: black-friday-report\n      date: 2016-11-25\n"
               "      type: report\n      title: A new report at the top\n"
               "      show_on: [leaflet]\n    - id: issa-amro-charges\n")
    replace_in(campaign, "        Issa Amro\n      show_on: []\n",
               "        Issa Amro\n      show_on: [leaflet]\n")
    # A paragraph at the top of the background; another one's text changed.
    replace_in(campaign, "background:\n",
               "background:\n  - id: new-first\n    text: A new first paragraph.\n")
    old_rockets = ("During the same time, Hamas and other Palestinian armed groups fired "
                   "thousands of unguided rockets and mortars towards Israel, in many cases "
                   "directing them towards Israeli civilians and civilian objects.")
    replace_in(campaign, "      Israeli civilians and civilian objects.\n",
               "      Israeli civilians and homes.\n")
    new_rockets = old_rockets.replace("civilian objects.", "homes.")
    catalog.write_pot(project, catalog.extract(project))
    catalog.update(project, locales)
    assert_all_gettext_readable(project)  # msgfmt -c on every catalogue
    rockets = ctx("background.rockets-on-israel", "israel-opt")
    for code in locales:
        after = _states(project, code)
        for key, (state, string) in before[code].items():
            if key == (rockets, old_rockets) or key not in after:
                continue
            assert after[key] == (state, string), (code, key)  # nothing unchanged is fuzzy
        # The new items are new: empty, never another message's translation.
        for key in ((ctx("background.new-first", "israel-opt"), "A new first paragraph."),
                    (ctx("news.black-friday-report.title", "israel-opt"),
                     "A new report at the top")):
            assert after[key] == ("untranslated", ""), (code, key)
        # The item shown again comes back translated, as it was.
        title = next(k for k in after if k[0] == ctx("news.issa-amro-charges.title", "israel-opt"))
        assert after[title][0] == "translated", code
        # The changed one is fuzzy with its own old translation and its old text as #|.
        state, string = after[(rockets, new_rockets)]
        assert (state, string) == ("fuzzy", before[code][(rockets, old_rockets)][1]), code
        assert f'msgctxt "{rockets}"' in project.po(code).read_text("utf-8")


def test_the_shipped_template_flags_what_is_formatted_and_says_where_each_appears() -> None:
    with open(REPO / "locales" / "messages.pot", "rb") as fileobj:
        pot = read_po(fileobj)
    raw = (REPO / "locales" / "messages.pot").read_text("utf-8")
    entries = raw.split("\n\n")
    for message in pot:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        [entry] = [e for e in entries if f'msgctxt "{message.context}"\n' in e]
        flags = next((line for line in entry.splitlines() if line.startswith("#,")), "")
        assert ("python-format" in flags) == checks.is_formatted(ids), message.context
        assert "brace-format" not in flags, message.context
        appears = [c for c in message.auto_comments
                   if c.startswith(catalog.APPEARS) or c == catalog.NOWHERE]
        assert len(appears) == 1, message.context
        # Content and the publications' templates: each says the kinds it is on.
        printed = all(str(path).startswith(("content/", "publication/render/templates/"))
                      for path, _ in message.locations)
        assert appears[0].startswith(catalog.APPEARS) == printed, message.context
    assert checks.is_formatted("QR code: opens the petition at %(url)s")
    assert not checks.is_formatted("50% off, {n} times")


def test_extract_with_places_says_which_kinds_show_each_message(project: Project) -> None:
    cat = catalog.extract(project, appearances(project))
    notes = {m.context: m.auto_comments for m in cat if m.id}
    assert "Appears on: leaflet, poster." in notes[ctx("headline")]
    assert "Appears on: petition." in notes["petition.table.name"]
    assert "Appears on: leaflet." in notes[ctx("news.a-news-item.title")]


# -- contexts name the campaign ------------------------------------------------------------

BEFORE_CAMPAIGNS = Path(__file__).resolve().parent / "fixtures" / "campaign-contexts"


Kept = tuple[object, bool, tuple[str, ...]]  # msgstr, fuzzy, previous msgid


def _kept(path: Path) -> dict[tuple[str | None, str], Kept]:
    """(context, msgid) -> what a translator wrote, of every translated or fuzzy entry."""
    parsed = parse_po(path.read_bytes(), path, path.parent.parent.name)
    assert parsed.catalog is not None
    return {checks.message_key(m): (m.string, m.fuzzy, tuple(m.previous_id))
            for m in parsed.catalog if m.id and checks.has_text(m)}


def _project_from(tmp_path: Path, source: Path) -> Project:
    project = copy_repository(tmp_path / "repo")
    shutil.copytree(REPO / "publication" / "serve" / "templates",  # the web app's strings
                    project.root / "publication" / "serve" / "templates")
    for name in ("content", "locales"):
        shutil.rmtree(project.root / name)
        shutil.copytree(source / name, project.root / name)
    return project


def test_naming_the_campaign_in_contexts_keeps_every_translation_exactly(
        tmp_path: Path) -> None:
    """The one-time change of the shipped catalogues: `extract` and `update` give each
    content message its campaign's context, with its translation, state and previous
    msgid as they were; nothing becomes fuzzy, nothing is lost."""
    project = _project_from(tmp_path, BEFORE_CAMPAIGNS)
    locales = available_locales(project)[1:]
    before = {code: _kept(project.po(code)) for code in locales}
    places = {context_place(t.context)[1]
              for t in iter_texts(load_campaign(project.content / "israel-opt"))}
    assert catalog.write_pot(project, catalog.extract(project, appearances(project)))
    assert catalog.update(project, locales) == locales
    assert_all_gettext_readable(project)
    for code in locales:
        after = _kept(project.po(code))
        moved = 0
        for (context, msgid), kept in before[code].items():
            assert context is not None and "/" not in context
            new = ctx(context, "israel-opt") if context in places else context
            assert after.get((new, msgid)) == kept, (code, context)
            moved += new != context
        assert moved == len(places & {c for c, _ in before[code]}) > 40, code
        assert not any(context in places for context, _ in after), code  # no old name left
    assert catalog.update(project, locales) == []  # once is enough


def test_renaming_a_campaign_folder_keeps_its_translations(tmp_path: Path) -> None:
    project = copy_repository(tmp_path / "repo")
    locales = available_locales(project)[1:]
    assert catalog.write_pot(project, catalog.extract(project))
    catalog.update(project, locales)
    before = {code: _kept(project.po(code)) for code in locales}
    (project.content / "israel-opt").rename(project.content / "israel-and-gaza")
    assert catalog.write_pot(project, catalog.extract(project))
    assert catalog.update(project, locales) == locales
    assert_all_gettext_readable(project)
    for code in locales:
        after = _kept(project.po(code))
        assert len(after) == len(before[code]), code
        for (context, msgid), kept in before[code].items():
            campaign, place = context_place(context)
            new = ctx(place, "israel-and-gaza") if campaign == "israel-opt" else context
            assert after[(new, msgid)] == kept, (code, context)
        assert "israel-opt/" not in project.po(code).read_text("utf-8"), code


def test_a_second_campaign_is_not_given_the_first_ones_translations(tmp_path: Path) -> None:
    """A copy of a campaign's folder: the same texts, but the copy's messages are its own,
    and start untranslated (not pre-filled, not even as fuzzy)."""
    project = copy_repository(tmp_path / "repo")
    shutil.copytree(project.content / "israel-opt", project.content / "next-campaign")
    assert catalog.write_pot(project, catalog.extract(project))
    catalog.update(project, ["de"])
    assert_all_gettext_readable(project)
    states = _states(project, "de")
    first = {key: state for key, state in states.items()
             if context_place(key[0])[0] == "israel-opt"}
    second = {(ctx(context_place(c)[1], "next-campaign"), m): state
              for (c, m), state in first.items()}
    assert len(first) > 40 and all(s == "translated" for s, _ in first.values())
    assert [states[key][0] for key in second] == ["untranslated"] * len(second)
