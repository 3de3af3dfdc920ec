"""publication.errors: how paths are shown in messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from publication.errors import display_path


def test_a_path_is_shown_where_the_user_put_it_not_where_its_link_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = tmp_path / "elsewhere" / "translation.po"
    elsewhere.parent.mkdir()
    elsewhere.write_text("", encoding="utf-8")
    project = tmp_path / "project"
    link = project / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere)
    monkeypatch.chdir(project)
    assert display_path(link) == "locales/de/LC_MESSAGES/messages.po"
    assert display_path(Path("locales/de/../de/LC_MESSAGES/messages.po")) == \
        "locales/de/LC_MESSAGES/messages.po"
    assert display_path(elsewhere) == str(elsewhere)  # outside the working folder: in full
