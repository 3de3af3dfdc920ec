"""Babel catalogues: extract, update, init, check and compile (publication/catalog.py,
publication/pofile.py)."""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
import threading
import tracemalloc
import unicodedata
from pathlib import Path

import babel
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, unescape

from make_pdf import main
from publication.errors import InputError, UsageError
from publication.i18n import catalog, checks
from publication.i18n.plurals import parse_plural_forms
from publication.i18n.pofile import parse_po
from publication.model import Project
from tests.projects import REPO
from tests.translating import ctx, entry_line, replace_in, start_catalog


def plural(code: str, one: str, other: str) -> tuple[str, ...]:
    """A plural translation with as many forms as Babel's rule for `code`, which `init`
    writes (French has 2 up to Babel 2.18, 3 from 2.19): `one`, then `other` repeated."""
    return (one, *[other] * (get_plural(code).num_plurals - 1))


FRENCH: dict[str, str | tuple[str, ...]] = {
    "title": "Campagne de test",
    "headline": "Libérez le détenu",
    "petition.title": "Libérez le détenu",
    "facts.protest-days": plural("fr", "%(count)s jour de manifestation",
                                 "%(count)s jours de manifestation"),
    "background.first": "Le premier paragraphe, avec <em>emphase</em>.",
    "quote.role": 'Directrice chez <span lang="en">Example Org</span>',
    "common.qr.alt": "Code QR : ouvre la pétition à %(url)s",
    "demands.authorities.items.respect-law": "Respecter la loi",
}


def _messages(path: Path) -> dict[tuple[str | None, object], Message]:
    with open(path, "rb") as fileobj:
        cat = read_po(fileobj)
    return {(m.context, m.id): m for m in cat if m.id}


def _get(cat: Catalog, msgid: str, context: str) -> Message:
    message = cat.get(msgid, context=ctx(context)) or cat.get(msgid, context=context)
    assert message is not None, (context, msgid)
    return message


def _problems(project: Project, code: str) -> list[str]:
    _, problems = checks.check_catalog(project.po(code), code)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in problems]


# -- extract -------------------------------------------------------------------------------


def test_extract_equals_pybabel_with_contexts_locations_and_comments(project: Project) -> None:
    ours = project.root / "ours.pot"
    theirs = project.root / "theirs.pot"
    cat = catalog.extract(project)
    ours.write_bytes(catalog._po_bytes(cat))
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-c", "Translators:",
                    "-o", str(theirs), "."], cwd=project.root, check=True)
    a, b = _messages(ours), _messages(theirs)
    assert a.keys() == b.keys()
    for key, message in a.items():
        other = b[key]
        assert message.locations == other.locations, key
        # pybabel wraps comments at 76 columns, we at 88: compare the words.
        assert " ".join(message.auto_comments).split() == \
            " ".join(other.auto_comments).split(), key
    contexts = {context for context, _ in a}
    assert None not in contexts  # every message carries a context
    # A content message's context names its campaign; a template's its place only.
    assert {ctx("headline"), ctx("demands.authorities.items.respect-law"),
            "poster.facts.heading", "petition.table.name"} <= contexts
    # Translator comments where they help: space to fit, what a placeholder is, markup.
    notes = {context: " ".join(m.auto_comments) for (context, _), m in a.items()}
    assert "keep it short" in notes[ctx("headline")]
    assert "%(count)s" in notes[ctx("facts.protest-days")]
    assert "keep <em>" in notes[ctx("background.first")]


def test_write_pot_touches_nothing_when_only_the_date_would_change(project: Project) -> None:
    assert catalog.write_pot(project, catalog.extract(project)) is True
    before = project.pot.read_bytes()
    assert catalog.write_pot(project, catalog.extract(project)) is False
    assert project.pot.read_bytes() == before


# -- init ----------------------------------------------------------------------------------


def test_init_starts_a_catalogue_with_the_locale_header(project: Project) -> None:
    catalog.write_pot(project, catalog.extract(project))
    path = catalog.init(project, "it")
    assert path == project.root / "locales" / "it" / "LC_MESSAGES" / "messages.po"
    text = path.read_text("utf-8")
    assert '"Language: it\\n"' in text
    # Babel's current CLDR rule, whatever the version (2.18: 2 forms, 2.19: 3).
    parsed = checks.read_checked(path, "it")
    assert parsed.header_values["plural-forms"] == get_plural("it").plural_forms
    assert parsed.plural_rule == parse_plural_forms(get_plural("it").plural_forms)
    assert _problems(project, "it") == []
    with pytest.raises(UsageError, match="already exists"):
        catalog.init(project, "it")


@pytest.mark.parametrize("code, message", [
    ("xx", "not a language code Babel knows"),
    ("../../etc", "not a locale code"),
    ("de/../../x", "not a locale code"),
    ("en", "source language"),
])
def test_init_refuses_unknown_or_unsafe_codes_before_any_path(
        project: Project, code: str, message: str) -> None:
    catalog.write_pot(project, catalog.extract(project))
    with pytest.raises(UsageError, match=message):
        catalog.init(project, code)
    assert sorted(p.name for p in project.locales.iterdir()) == ["messages.pot"]


def test_missing_characters_names_scripts_the_fonts_lack(project: Project) -> None:
    assert catalog.missing_characters(project, "it") == []
    assert catalog.missing_characters(project, "ar") == []
    assert catalog.missing_characters(project, "ja")  # no CJK font in fonts/


# -- update --------------------------------------------------------------------------------


def test_update_with_nothing_changed_changes_no_file(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    before, stamp = path.read_bytes(), path.stat().st_mtime_ns
    assert catalog.update(project, ["fr"]) == []
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stamp


def test_update_leaves_a_file_in_another_layout_alone(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    # Poedit wraps lines differently; the same messages must not cause a rewrite.
    replace_in(path, 'msgstr "Le premier paragraphe, avec <em>emphase</em>."',
               'msgstr ""\n"Le premier paragraphe, "\n"avec <em>emphase</em>."')
    before = path.read_bytes()
    assert catalog.update(project, ["fr"]) == []
    assert path.read_bytes() == before


def _edit_content(project: Project, old: str, new: str) -> None:
    replace_in(project.content / "fixture" / "campaign.yaml", old, new)
    assert catalog.write_pot(project, catalog.extract(project))


def test_update_makes_changed_sources_fuzzy_and_removed_ones_obsolete(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    _edit_content(project, "headline: Free the fixture", "headline: Free the fixture now")
    _edit_content(project, "title: Fixture campaign", "title: A wholly different name")
    _edit_content(project, "  - id: first\n    text: The first paragraph of background, with "
                           "<em>emphasis</em>.\n", "")
    _edit_content(project, "      - id: respect-law\n        text: Respect the law\n", "")
    assert catalog.update(project, ["fr"]) == ["fr"]
    cat = parse_po(path.read_bytes(), path, "fr").catalog
    assert cat is not None
    headline = _get(cat, "Free the fixture now", "headline")
    assert headline.string == "Libérez le détenu" and headline.fuzzy
    # Too different for gettext's similarity match, but the same place: kept, as fuzzy.
    title = _get(cat, "A wholly different name", "title")
    assert title.string == "Campagne de test" and title.fuzzy
    assert title.previous_id == ["Fixture campaign"]
    text = path.read_text("utf-8")
    assert '#| msgid "Fixture campaign"' in text
    # A removed message is kept as obsolete (#~), out of the way, with its translation.
    assert ('#~ msgctxt "fixture/demands.authorities.items.respect-law"\n'
            '#~ msgid "Respect the law"\n#~ msgstr "Respecter la loi"') in text
    assert cat.get("Respect the law",
                   context=ctx("demands.authorities.items.respect-law")) is None
    # The first background paragraph is gone: its translation is kept as obsolete, and
    # the second, named by its own id, is not offered it.
    assert '#~ msgctxt "fixture/background.first"' in text
    second = _get(cat, "The second paragraph of background.", "background.second")
    assert not second.fuzzy and not second.string
    # Fuzzy translations are never published.
    compiled = catalog.compile_catalog(project, "fr")
    assert compiled.entry(ctx("headline"), "Free the fixture now").state == "fuzzy"
    assert compiled.translations.pgettext(ctx("headline"), "Free the fixture now") == \
        "Free the fixture now"
    # Running it again changes nothing (the #| previous msgids survive a round trip).
    before = path.read_bytes()
    assert catalog.update(project, ["fr"]) == []
    assert path.read_bytes() == before


def test_update_refuses_a_catalogue_with_broken_syntax(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgstr "Campagne de test"', 'msgstr "Campagne de test')
    before = path.read_bytes()
    with pytest.raises(InputError) as caught:
        catalog.update(project, ["fr"])
    [problem] = caught.value.problems
    assert problem.line == entry_line(path, "title")
    assert path.read_bytes() == before


# -- checks --------------------------------------------------------------------------------


def test_clean_catalogue_has_no_problems(project: Project) -> None:
    start_catalog(project, "fr", FRENCH)
    assert _problems(project, "fr") == []


@pytest.mark.parametrize("old, new, message", [
    ('msgstr "Campagne de test"', 'msgstr "Campagne de test', "not closed"),
    ('msgstr "Campagne de test"', 'msgstr "Campagne "de" test"', "double quote inside"),
    ('msgstr "Campagne de test"', 'msgstr "Campagne\\qde test"', "unknown escape \\q"),
    ('msgstr "Campagne de test"', 'msgstr Campagne de test', "must be in double quotes"),
    ('msgstr "Campagne de test"', 'mgstr "Campagne de test"', "'mgstr' is not a PO keyword"),
    ('msgstr "Campagne de test"', 'msgstr[0] "Campagne de test"', "numbered msgstr[N]"),
    ('msgstr "Campagne de test"', '', "has no msgstr"),
    ('msgid "Fixture campaign"', 'msgid "Fixture campaign"\nmsgid "encore"', "has no msgstr"),
])
def test_broken_syntax_is_reported_at_its_line(
        project: Project, old: str, new: str, message: str) -> None:
    path = start_catalog(project, "fr", FRENCH)
    wanted = entry_line(path, "title")
    if message == "has no msgstr":
        wanted = entry_line(path, "title", "msgctxt")
    replace_in(path, old, new)
    problems = _problems(project, "fr")
    assert any(p.startswith(f"messages.po:{wanted}: ") and message in p for p in problems), \
        problems


def test_every_syntax_problem_is_reported_not_only_the_first(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgstr "Campagne de test"', 'msgstr "Campagne de test')
    replace_in(path, 'msgstr "Libérez le détenu"\n\n#. Line', 'msgstr "Libérez\n\n#. Line')
    problems = _problems(project, "fr")
    assert len(problems) == 2
    assert problems[0].startswith(f"messages.po:{entry_line(path, 'title')}: ")
    assert problems[1].startswith(f"messages.po:{entry_line(path, 'headline')}: ")


def test_smuggled_tag_foreign_placeholder_and_link_are_refused(project: Project) -> None:
    path = start_catalog(project, "fr", {
        **FRENCH,
        "petition.title": 'Libérez <img src="https://evil.example/x.png"> le détenu',
        "petition.demand": "Nous demandons la libération de %(name)s.",
        "background.first": '<a href="https://evil.example/">Le premier</a> paragraphe.',
    })
    problems = _problems(project, "fr")
    expect = {
        entry_line(path, "petition.title"):
            "'fixture/petition.title' msgstr: tag <img> is not allowed",
        entry_line(path, "petition.demand"): "placeholder %(name)s is not in the source text",
        entry_line(path, "background.first"): "<a> is not in the source string",
    }
    for line, message in expect.items():
        assert any(p.startswith(f"messages.po:{line}: ") and message in p for p in problems), \
            (line, message, problems)
    assert len(problems) == len(expect) + 1  # the link's target differs too


def test_placeholders_plural_forms_and_percent_signs(project: Project) -> None:
    path = start_catalog(project, "fr", {
        **FRENCH,
        "facts.protest-days": plural("fr", "un jour de manifestation",
                                     "des jours de manifestation"),
        "common.qr.alt": "Code QR à 100 % : %(url)s",
        "facts.detained": plural("fr", "%(count)s personne détenue",
                                 "%(count)s personnes {n} détenues"),
    })
    problems = _problems(project, "fr")
    # The singular may leave the number out; the last form may not.
    last = f"msgstr[{get_plural('fr').num_plurals - 1}]"
    assert any(p.startswith(f"messages.po:{entry_line(path, 'facts.protest-days', last)}: ")
               and f"'fixture/facts.protest-days' {last}: placeholder %(count)s from the "
                   "source text is missing"
               in p for p in problems), problems
    first = entry_line(path, 'facts.protest-days', 'msgstr[0]')
    assert not any(f":{first}:" in p for p in problems)
    assert any(f":{entry_line(path, 'common.qr.alt')}:" in p and "write %% for a percent sign"
               in p for p in problems), problems
    assert any(f":{entry_line(path, 'facts.detained', 'msgstr[1]')}:" in p and "{n}" in p
               for p in problems), problems


def test_plural_messages_need_the_headers_number_of_forms(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    path = start_catalog(project, "ar",
                         {"facts.protest-days": ("a", "b", "c", "d", "e", "%(count)s f")})
    assert _problems(project, "ar") == []
    replace_in(path, 'msgstr[5] "%(count)s f"\n', "")
    problems = _problems(project, "ar")
    assert any(p.startswith(f"messages.po:{entry_line(path, 'facts.protest-days', 'msgid')}: ")
               and "needs 6" in p for p in problems), problems

    # A rule that is not CLDR's for the language is the file's own: a warning, no problem.
    path = start_catalog(project, "de", {})
    replace_in(path, "nplurals=2; plural=(n != 1);", "nplurals=2; plural=(n > 1);")
    header = path.read_text("utf-8").split("\n").index(
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"') + 1
    assert _problems(project, "de") == []
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert f"messages.po:{header}: header Plural-Forms: 'nplurals=2; plural=(n > 1);' groups " \
           "numbers differently from CLDR's rule for de ('nplurals=2; plural=(n != 1);'" \
        in warning.getMessage()
    assert "0 and 1 share a form here but not in CLDR" in warning.getMessage()
    caplog.clear()


def test_equivalent_plural_expression_is_accepted(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    path = start_catalog(project, "de", {})
    replace_in(path, "plural=(n != 1);", "plural=n!=1;")
    assert _problems(project, "de") == []
    # GNU's (Poedit's) Arabic rule numbers the forms for 11-99 and 100-102 the other way.
    path = start_catalog(project, "ar", {})
    text = path.read_text("utf-8")
    start = text.index('"Plural-Forms:')
    end = text.index('"MIME-Version')
    path.write_text(text[:start] + '"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : '
                    'n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;\\n"\n'
                    + text[end:], "utf-8")
    assert _problems(project, "ar") == []
    # A form that no number gets: msgstr[5] would never be shown. A warning.
    replace_in(path, "n%100>=11 ? 4 : 5", "n%100>=11 ? 4 : 4")
    assert _problems(project, "ar") == []
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "no number gets form 5" in warning and "msgstr[5]" in warning, warning
    caplog.clear()


def test_header_language_and_charset(project: Project) -> None:
    path = start_catalog(project, "de", {})
    replace_in(path, '"Language: de\\n"', '"Language: fr\\n"')
    replace_in(path, "charset=utf-8", "charset=latin-1")
    problems = _problems(project, "de")
    assert any("header Language is 'fr' but the folder is 'de'" in p for p in problems)
    assert any("header Content-Type must be" in p for p in problems)


def test_not_utf8_bom_and_missing_header(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    data = path.read_bytes()
    path.write_bytes(data.replace("détenu".encode(), "détenu".encode("latin-1"), 1))
    line = data[: data.index("détenu".encode())].count(b"\n") + 1
    assert _problems(project, "fr") == [f"messages.po:{line}: not valid UTF-8; save the file "
                                        "as UTF-8"]
    path.write_bytes(b"\xef\xbb\xbf" + data)
    assert "byte order mark" in _problems(project, "fr")[0]
    text = data.decode()
    path.write_text(text[text.index("#. Campaign title"):], "utf-8")
    assert "must start with the header entry" in _problems(project, "fr")[0]


def test_duplicate_entries_and_control_characters(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    first = entry_line(path, "title", "msgid")
    entry = 'msgctxt "fixture/title"\nmsgid "Fixture campaign"\nmsgstr "Encore"\n'
    path.write_text(path.read_text("utf-8") + "\n" + entry, "utf-8")
    problems = _problems(project, "fr")
    last = len(path.read_text("utf-8").split("\n")) - 2
    assert problems == [f"messages.po:{last}: duplicate entry for msgid 'Fixture campaign' "
                        f"(context 'fixture/title'), first at line {first}; delete one of them"]
    path = start_catalog(project, "de", {"title": "Kampagne", "headline": "Frei\u202eheit"})
    replace_in(path, 'msgstr "Kampagne"', 'msgstr "Kampagne\\a"')
    problems = _problems(project, "de")
    assert any(f":{entry_line(path, 'headline')}:" in p and "U+202E" in p for p in problems)
    assert any(f":{entry_line(path, 'title')}:" in p and "unknown escape \\a" in p
               for p in problems)


def test_fuzzy_entries_are_not_checked_or_published(project: Project) -> None:
    # After `update`, a fuzzy entry holds an older translation; it may differ until revised.
    start_catalog(project, "fr", {**FRENCH, "petition.title": "Libérez %(old)s"},
                  fuzzy=frozenset({"petition.title"}))
    assert _problems(project, "fr") == []
    compiled = catalog.compile_catalog(project, "fr")
    assert compiled.entry(ctx("petition.title"), "Release the detainee").state == "fuzzy"
    assert compiled.translations.pgettext(ctx("petition.title"), "Release the detainee") == \
        "Release the detainee"


def test_rtl_marks_soft_hyphens_and_joiners_are_allowed(project: Project) -> None:
    # Joiners next to letters of a script that joins them (Persian words in Arabic
    # letters); a joiner among Latin letters is refused (tests/test_hostile_input.py).
    start_catalog(project, "he", {"title": "\u200fקמפיין\u200e", "headline": "Be\u00adfrei",
                                  "subtitle": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 "
                                              "\u0628\u200d"})
    assert _problems(project, "he") == []


# -- compile -------------------------------------------------------------------------------


def test_compile_writes_mo_and_a_failed_compile_leaves_the_old_one(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    compiled = catalog.compile_catalog(project, "fr", write=True)
    assert compiled.translations.pgettext(ctx("title"), "Fixture campaign") == "Campagne de test"
    mo = project.mo("fr")
    before = mo.read_bytes()
    replace_in(path, 'msgstr "Campagne de test"', 'msgstr "Campagne <img src=x> de test"')
    with pytest.raises(InputError) as caught:
        catalog.compile_catalog(project, "fr", write=True)
    assert caught.value.problems[0].line == entry_line(path, "title")
    assert mo.read_bytes() == before
    assert [p.name for p in mo.parent.iterdir() if p.name.startswith(".tmp")] == []


# -- how the file is read: Babel's public API, our own line map ----------------------------


def _babel_private_names() -> set[str]:
    """Every name with a leading underscore that Babel defines: in its modules, on its
    classes, and on the instances of Catalog and Message."""
    names: set[str] = set()
    for info in pkgutil.walk_packages(babel.__path__, "babel."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") and not name.startswith("__"):
                names.add(name)
            if isinstance(value, type) and value.__module__.startswith("babel"):
                names |= {n for n in vars(value) if n.startswith("_") and not n.endswith("__")}
    for instance in (Catalog(locale="fr"), Message("x")):
        names |= {n for n in vars(instance) if n.startswith("_")}
    return names


def _private_use(node: ast.AST, private: set[str]) -> bool:
    """`x._name` (not on self or cls) or getattr(x, "_name") of a private Babel name."""
    if isinstance(node, ast.Attribute):
        return node.attr in private and not (
            isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in private)


def test_no_module_uses_a_private_babel_name() -> None:
    private = _babel_private_names()
    assert {"_key_for", "_NormalizedString", "_process_comment", "_messages"} <= private
    found = []
    for path in sorted((REPO / "publication").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        from_babel: set[str] = set()  # names bound to a Babel module, class or function
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "babel":
                found += [f"{where}: {node.module}" for part in (node.module or "").split(".")
                          if part.startswith("_")]
                found += [f"{where}: {a.name}" for a in node.names
                          if a.name.startswith("_") or a.name == "PoFileParser"]
                from_babel |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "babel":
                        found += [f"{where}: {alias.name}" for part in alias.name.split(".")
                                  if part.startswith("_")]
                        from_babel.add((alias.asname or alias.name).split(".")[0])
            elif _private_use(node, private):
                found.append(f"{where}: {ast.unparse(node)}")
        for node in ast.walk(tree):  # a subclass of a Babel class overriding its internals
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id in from_babel for base in node.bases):
                found += [f"{path.relative_to(REPO)}:{item.lineno}: {node.name}.{item.name}"
                          for item in node.body if isinstance(item, ast.FunctionDef)
                          and item.name in private]
    assert found == [], found


def _previous_of(comments: list[str]) -> list[str]:
    """The previous msgid (and msgid_plural) of `#|` lines as Babel keeps them."""
    found: list[str] = []
    for comment in comments:
        text = comment[1:].strip()
        if text.startswith(("msgid ", "msgid_plural ")):
            found.append("")
            text = text.split(" ", 1)[1]
        found[-1] += unescape(text)
    return found


def test_the_line_map_and_babels_public_reading_agree_on_the_shipped_catalogues() -> None:
    for path in sorted((REPO / "locales").glob("*/LC_MESSAGES/messages.po")):
        raw = path.read_bytes()
        code = path.parent.parent.name
        parsed = parse_po(raw, path, code, keep_obsolete=True)
        assert parsed.problems == [] and parsed.catalog is not None, path
        with open(path, "rb") as fileobj:
            babels = read_po(fileobj, locale=code, charset="utf-8")
        # Babel's reader keeps a fuzzy entry's previous msgid (`#|`) as a comment, ours
        # as its previous_id (compared there).
        assert [(m.id, m.string, m.context, m.lineno, m.flags, m.user_comments,
                 m.previous_id) for m in parsed.catalog] == [
            (m.id, m.string, m.context, m.lineno, m.flags,
             [c for c in m.user_comments if not c.startswith("|")],
             _previous_of([c for c in m.user_comments if c.startswith("|")]))
            for m in babels], path
        lines = raw.decode("utf-8").split("\n")
        for message in parsed.catalog:
            if not message.id:
                continue
            assert lines[(message.lineno or 0) - 1].startswith("msgid "), (path, message.id)
            forms = 1 if isinstance(message.id, str) else parsed.plural_rule.nplurals \
                if parsed.plural_rule else 0
            key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
            for index in range(forms):
                line = lines[parsed.msgstr_line(key, index) - 1]
                assert line.startswith("msgstr " if isinstance(message.id, str)
                                       else f"msgstr[{index}] "), (path, key, index)
        assert set(parsed.header_fields) >= {"language", "plural-forms", "content-type"}
        for name, number in parsed.header_fields.items():
            assert lines[number - 1].lower().startswith(f'"{name}:'), (path, name)


def test_previous_msgids_obsolete_entries_and_extra_forms_by_our_reader(
        project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    text = path.read_text("utf-8")
    text = text.replace('msgctxt "fixture/title"\n',
                        '#, fuzzy\n#| msgctxt "fixture/title"\n#| msgid "Old "\n'
                        '#| "title"\nmsgctxt "fixture/title"\n', 1)
    text += ('\n#| msgid "older"\n#~ msgctxt "gone"\n#~ msgid "Gone"\n#~| msgid "x"\n'
             '#~ msgstr "Parti"\n')
    path.write_text(text, "utf-8")
    parsed = parse_po(path.read_bytes(), path, "fr", keep_obsolete=True)
    assert parsed.problems == [] and parsed.catalog is not None
    title = parsed.catalog.get("Fixture campaign", context=ctx("title"))
    assert title is not None and title.previous_id == ["Old title"]
    assert title.user_comments == [] and title.auto_comments  # `#|` is no comment
    [gone] = parsed.catalog.obsolete.values()
    assert (gone.id, gone.string, gone.previous_id) == ("Gone", "Parti", ["older"])
    assert parse_po(path.read_bytes(), path, "fr").catalog.obsolete == {}  # type: ignore
    # One form more than the header's: reported at its line, the others are read.
    forms = get_plural("fr").num_plurals
    last = f'msgstr[{forms - 1}] "%(count)s jours de manifestation"'
    replace_in(path, last, f'{last}\nmsgstr[{forms}] "encore"\n"!"')
    parsed = parse_po(path.read_bytes(), path, "fr")
    line = entry_line(path, "facts.protest-days", f"msgstr[{forms}]")
    assert [(p.line, f"has {forms + 1} forms" in p.message) for p in parsed.problems] == \
        [(line, True)], parsed.problems
    assert parsed.catalog is not None
    facts = parsed.catalog.get("%(count)s day of protest", context=ctx("facts.protest-days"))
    assert facts is not None and facts.string == plural("fr", "%(count)s jour de manifestation",
                                                        "%(count)s jours de manifestation")
    key = (ctx("facts.protest-days"), "%(count)s day of protest")
    assert parsed.msgstr_line(key, forms) == line


# -- hostile input -------------------------------------------------------------------------


def _assert_shown_safely(messages: list[str]) -> None:
    """No message carries a control character of the file, or a huge piece of it."""
    for message in messages:
        assert not [c for c in message if unicodedata.category(c) == "Cc"], message
        assert len(message) < 300, message


def test_a_catalogue_that_is_a_symbolic_link_is_not_followed(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("TRANSLATOR_SECRET", "s3cr3t-value")
    start_catalog(project, "de", {"title": "Testkampagne"})
    path = start_catalog(project, "fr", FRENCH)
    path.unlink()
    path.symlink_to("/proc/self/environ")
    where = "fr/LC_MESSAGES/messages.po: is a symbolic link; "
    [problem] = checks.check_catalog(path, "fr")[1]
    assert (problem.path, problem.line) == (path, 0) and where in str(problem)
    with pytest.raises(InputError) as refused:
        catalog.update(project, ["fr"])
    assert [str(p) for p in refused.value.problems] == [str(problem)]
    assert main(["compile"], root=project.root) == 1
    out = capsys.readouterr()
    assert "de: compiled" in out.out and where in out.err
    assert "s3cr3t" not in out.out + out.err
    # A link to a good catalogue is not followed either: the file must be the file.
    path.unlink()
    path.symlink_to(project.po("de"))
    [problem] = checks.check_catalog(path, "fr")[1]
    assert problem.message.startswith("is a symbolic link; ")


def test_a_catalogue_that_is_a_pipe_is_refused_without_waiting(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    path.unlink()
    os.mkfifo(path)
    found: list[list[str]] = []
    reader = threading.Thread(target=lambda: found.append(
        [p.message for p in checks.check_catalog(path, "fr")[1]]), daemon=True)
    reader.start()
    reader.join(5)
    assert found and "not a regular file" in found[0][0], found


def test_an_unknown_charset_is_a_problem_of_its_language_only(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project.root)
    start_catalog(project, "de", {"title": "Testkampagne"})
    path = start_catalog(project, "fr", FRENCH)
    replace_in(path, "charset=utf-8", "charset=utf-9")
    line = path.read_text("utf-8").split("\n").index('"Content-Type: text/plain; '
                                                     'charset=utf-9\\n"') + 1
    message = (f"messages.po:{line}: header Content-Type names the unknown charset 'utf-9': "
               "write 'Content-Type: text/plain; charset=UTF-8'")
    assert _problems(project, "fr") == [message]
    with pytest.raises(InputError) as refused:
        catalog.update(project, ["fr"])
    assert [f"{p.path.name}:{p.line}: {p.message}" for p in refused.value.problems] == [message]
    assert main(["compile"], root=project.root) == 1
    out = capsys.readouterr()
    assert "de: compiled" in out.out
    assert f"locales/fr/LC_MESSAGES/{message}" in out.err
    # A known charset that cannot read this UTF-8 file: a problem too, not a crash.
    replace_in(path, "charset=utf-9", "charset=ascii")
    [problem] = _problems(project, "fr")
    assert problem.startswith(f"messages.po:{line}: header Content-Type says the charset is "
                              "'ascii', which cannot read line ")


def test_control_characters_of_the_file_are_never_echoed_raw(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgstr "Campagne de test"', '\x1b[2J\x1b[31mmsgstr "Campagne de test"')
    replace_in(path, 'msgstr "Libérez le détenu"\n\n#. Line',
               'msgstr "Lib\\\x07érez"\n\n#| \x1b]0;title\x07 "x"\n#. Line')
    problems = _problems(project, "fr")
    _assert_shown_safely(problems)
    assert any("'\\x1b[2J\\x1b[31mmsgstr' is not a PO keyword" in p for p in problems), problems
    assert any("unknown escape \\ before U+0007" in p for p in problems), problems
    assert sum("control character U+001B" in p for p in problems) == 2, problems
    # Escapes that are valid PO, quoted back: a duplicate with a newline and a tab.
    path = start_catalog(project, "de", {"title": "Kampagne"})
    entry = 'msgctxt "a\\nb"\nmsgid "tab\\there"\nmsgstr ""\n'
    path.write_text(path.read_text("utf-8") + "\n" + entry + "\n" + entry, "utf-8")
    [duplicate] = _problems(project, "de")
    _assert_shown_safely([duplicate])
    assert "msgid 'tab\\x09here' (context 'a\\x0ab')" in duplicate, duplicate


def test_a_huge_line_is_not_echoed_whole(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    huge = "x" * 100_000
    replace_in(path, 'msgstr "Campagne de test"', f'msgstr{huge} "Campagne de test"')
    [problem] = [p for p in _problems(project, "fr") if "is not a PO keyword" in p]
    assert f"'msgstr{'x' * 24}…' is not a PO keyword" in problem, problem[:200]
    _assert_shown_safely([problem])
    # Quoted by the checks: a duplicate msgid, a placeholder, a tag, a language.
    path = start_catalog(project, "de", {
        # Within the size of a message (checks.MAX_MESSAGE), far over what a message quotes.
        "title": f"Kampagne %({'n' * 1500})s",
        "headline": f"Frei <{'b' * 900}>heit</{'b' * 900}>",
    })
    replace_in(path, '"Language: de\\n"', f'"Language: {"d" * 5000}\\n"')
    entry = f'msgctxt "{"c" * 5000}"\nmsgid "{huge}"\nmsgstr ""\n'
    path.write_text(path.read_text("utf-8") + "\n" + entry + "\n" + entry, "utf-8")
    problems = _problems(project, "de")
    _assert_shown_safely(problems)
    assert len(problems) == 4 and all("…" in p for p in problems), problems


def test_a_tab_after_a_keyword_is_a_syntax_problem_not_a_crash(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    replace_in(path, 'msgstr[0] "%(count)s jour de manifestation"',
               'msgstr[0]\t"%(count)s jour de manifestation"')
    line = path.read_text("utf-8").split("\n").index(
        'msgstr[0]\t"%(count)s jour de manifestation"') + 1
    assert _problems(project, "fr") == [f"messages.po:{line}: write a space, not a tab, "
                                        "between msgstr[0] and its text"]


def test_msgid_empty_with_a_context_is_no_hidden_header(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    text = path.read_text("utf-8")
    hidden = 'msgctxt "x"\nmsgid ""\nmsgstr "Plural-Forms: nplurals=10000000; plural=0;\\n"\n'
    first = text.index("#. Campaign title")
    path.write_text(text[:first] + hidden + "\n" + text[first:], "utf-8")
    line = text[:first].count("\n") + 2
    tracemalloc.start()
    problems = _problems(project, "fr")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50_000_000
    assert f'messages.po:{line}: msgid "" with a msgctxt is read as a second header entry: ' \
           "give it a msgid or delete it" in problems
    assert any("Plural-Forms is written more than once" in p for p in problems), problems
    path.write_text(text[:first] + hidden.replace("10000000", "abc") + "\n" + text[first:],
                    "utf-8")
    assert any(p.startswith(f"messages.po:{line}: the header entry cannot be read")
               for p in _problems(project, "fr"))



# -- hostile translations: bounded, refused at their line (issue 12) -----------------------


def test_a_placeholder_width_is_refused_at_its_line_without_allocating(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    old = 'msgstr[0] "%(count)s jour de manifestation"'
    replace_in(path, old, 'msgstr[0] "%(count)999999999d jour de manifestation"')
    line = entry_line(path, "facts.protest-days", "msgstr[0]")
    tracemalloc.start()
    problems = _problems(project, "fr")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert problems == [
        f"messages.po:{line}: 'fixture/facts.protest-days' msgstr[0]: placeholder "
        "'%(count)999999999d' has a width or precision, which the program does not use (it "
        "could make the text millions of characters long): write it %(count)s"]
    assert peak < 50_000_000  # formatting it would take a gigabyte


def test_a_huge_translation_or_catalogue_is_refused_quickly(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    line = entry_line(path, "title")
    replace_in(path, 'msgstr "Campagne de test"', f'msgstr "{"Libérez " * 300}"')
    assert _problems(project, "fr") == [
        f"messages.po:{line}: 'fixture/title' msgstr: the translation is 2,400 characters long; at "
        "most 2,000 fit (the English text has 16): shorten it"]
    # 3000 nested spans are far over that size: one message, no RecursionError.
    replace_in(path, f'msgstr "{"Libérez " * 300}"',
               'msgstr "' + '<span lang=\\"en\\">' * 3000 + "x" + "</span>" * 3000 + '"')
    [problem] = _problems(project, "fr")
    assert problem.startswith(f"messages.po:{line}: 'fixture/title' msgstr: the translation is ")
    with open(path, "a", encoding="utf-8") as fileobj:
        fileobj.write("#. " + "x" * 3_000_000 + "\n")
    assert _problems(project, "fr") == [
        f"messages.po:0: is {path.stat().st_size:,} bytes; a catalogue is at most 2,097,152 "
        "bytes (a complete one is about 40,000): is it the right file?"]


def test_markup_nested_too_deep_is_refused_at_its_line(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    line = entry_line(path, "background.first")
    replace_in(path, "avec <em>emphase</em>.", "avec " + "<em>" * 12 + "x" + "</em>" * 12)
    assert _problems(project, "fr") == [
        f"messages.po:{line}: 'fixture/background.first' msgstr: tags nested more than 8 "
        "deep (<em> inside 8 open tags): a text needs two or three at most; close each tag before "
        "opening the next"]


def test_zero_width_characters_are_explained_at_their_line(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    line = entry_line(path, "title")
    replace_in(path, 'msgstr "Campagne de test"', 'msgstr "Libé\u200brez le détenu"')
    assert _problems(project, "fr") == [
        f"messages.po:{line}: contains the invisible control character U+200B (zero-width "
        "space) after 'Libé': it does nothing here but make the PDF read differently from "
        "what it shows (screen readers, copying, searching); delete it (retype the word "
        "around it)"]
    replace_in(path, "Libé\u200brez", "Libé\u200crez")
    [problem] = _problems(project, "fr")
    assert "U+200C (zero-width non-joiner) after 'Libé': it only has a use between letters" \
        in problem


def test_a_data_url_or_a_long_link_is_refused_and_cut(project: Project) -> None:
    path = start_catalog(project, "fr", FRENCH)
    line = entry_line(path, "background.first")
    replace_in(path, "avec <em>emphase</em>.",
               'avec <a href=\\"data:text/html;base64,' + "A" * 1500 + '\\">x</a>.')
    assert _problems(project, "fr") == [
        f"messages.po:{line}: 'fixture/background.first' msgstr: the link address "
        "'data:text/html;base64,AAAAAAAAAAAAAAAAAA…' is 1,522 characters long; at most 300 are "
        "allowed"]
    replace_in(path, 'base64,' + "A" * 1500, "base64,AAAA")
    assert _problems(project, "fr") == [
        f"messages.po:{line}: 'fixture/background.first' msgstr: the link address "
        "'data:text/html;base64,AAAA' must be an https: or mailto: address, not data:, "
        "javascript: or another kind"]
