"""The one-time migration from positional contexts to ids (tools/migrate_ids.py), on the
catalogues as they were shipped before it (tests/fixtures/migration)."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from publication.i18n import catalog
from publication.model import Project
from publication.report.status import appearances
from tests.gettext_check import assert_all_gettext_readable
from tests.projects import make_project

REPO = Path(__file__).resolve().parent.parent
OLD = Path(__file__).resolve().parent / "fixtures" / "migration"
LOCALES = ("ar", "de", "es", "fr", "he")
POSITIONAL = re.compile(r"^(background|facts|law\.paragraphs|letter\.body)\.\d+$|"
                        r"^demands\.\w+\.items\.\d+$|^news\.\d+\.|^images\.\d+\.")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migrate_ids", REPO / "tools" / "migrate_ids.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _old_project(tmp_path: Path, fonts_dir: Path) -> Project:
    project = make_project(tmp_path / "project", fonts_dir)
    shutil.rmtree(project.content / "fixture")
    shutil.copytree(OLD / "content" / "israel-opt", project.content / "israel-opt")
    shutil.rmtree(project.locales)
    shutil.copytree(OLD / "locales", project.locales)
    return project


Entry = tuple[object, bool, bool, "str | None", tuple[str, ...]]


def _entries(path: Path) -> dict[object, list[Entry]]:
    """msgstr -> (msgid, fuzzy, obsolete, context, previous msgid) of every translated
    entry, obsolete ones too."""
    with open(path, "rb") as fileobj:
        cat = read_po(fileobj)
    found: dict[object, list[Entry]] = {}
    for obsolete, messages in ((False, list(cat)), (True, list(cat.obsolete.values()))):
        for m in messages:
            strings = [m.string] if isinstance(m.string, str) else list(m.string)
            if m.id and any(strings):
                previous = tuple(c[1:].strip() for c in m.user_comments if c.startswith("|"))
                found.setdefault(m.string if isinstance(m.string, str) else tuple(m.string),
                                 []).append((m.id if isinstance(m.id, str) else tuple(m.id),
                                             m.fuzzy, obsolete, m.context, previous))
    return found


def test_migration_keeps_every_translation_under_its_new_context(
        tmp_path: Path, fonts_dir: Path) -> None:
    project = _old_project(tmp_path, fonts_dir)
    before = {code: _entries(project.po(code)) for code in LOCALES}
    assert all(any(POSITIONAL.match(str(entry[3])) for entries in before[code].values()
                   for entry in entries) for code in LOCALES)
    done = _tool().migrate(project)
    assert {path.parent.parent.name: count for path, count in done.items()} == \
        dict.fromkeys(LOCALES, 29)
    assert _tool().migrate(project) == {path: 0 for path in done}  # once is enough
    catalog.write_pot(project, catalog.extract(project, appearances(project)))
    catalog.update(project, LOCALES)
    assert_all_gettext_readable(project)
    for code in LOCALES:
        after = _entries(project.po(code))
        # Every msgstr is still there: for the same English text, or (a text staff changed
        # since) fuzzy with the old text as its previous msgid; kept as obsolete (#~) when
        # nothing prints it any more (news items shown nowhere, template strings dropped).
        for string, olds in before[code].items():
            assert string in after, (code, string)
            for msgid, fuzzy, obsolete, context, _ in olds:
                same = [e for e in after[string] if e[0] == msgid]
                if not same:  # its English text changed: fuzzy, with the old one as #|
                    assert any(e[1] and e[4] for e in after[string]), (code, context)
                    continue
                _, new_fuzzy, new_obsolete, new_context, _ = same[0]
                assert not POSITIONAL.match(str(new_context)), (code, new_context)
                if not obsolete and not new_obsolete:
                    # A translation shown before is still shown: not made fuzzy.
                    assert new_fuzzy == fuzzy, (code, msgid, context, new_context)


def test_the_tool_says_what_it_did(tmp_path: Path, fonts_dir: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    project = _old_project(tmp_path, fonts_dir)
    assert _tool().main([str(project.root)]) == 0
    out = capsys.readouterr().out
    assert "locales/de/LC_MESSAGES/messages.po: 29 context(s) renamed" in out
    assert "python make_pdf.py extract && python make_pdf.py update" in out
    # A campaign.yaml with an item missing its id is a file:line error, nothing renamed.
    yaml = project.content / "israel-opt" / "campaign.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("  - id: rockets-on-israel\n    text:",
                                                    "  - text:"), "utf-8")
    de = project.po("de").read_bytes()
    assert _tool().main([str(project.root)]) == 1
    assert "campaign.yaml:" in capsys.readouterr().err
    assert project.po("de").read_bytes() == de
