"""The preview's session (publication/preview/session.py) shared by the watcher thread
and the HTTP threads: what they read is changed only under its lock."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest

from publication.model import Project
from publication.preview import session as module
from publication.preview.session import Output, Session
from tests.translating import ctx, replace_in, start_catalog


def test_reload_clears_the_outputs_under_the_lock(project: Project,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(project, "en")
    session.outputs["x"] = cast(Output, object())
    # The new worker at once (its loading is not what is timed here), the same one.
    monkeypatch.setattr(module, "Worker", lambda project, read_only: session.worker)
    before = session.version
    with session.changed:  # as an HTTP thread reading the state holds it
        reloading = threading.Thread(target=session.reload)
        reloading.start()
        reloading.join(2.0)
        assert reloading.is_alive() and list(session.outputs) == ["x"]
    reloading.join(30)
    assert not reloading.is_alive()
    assert session.outputs == {} and session.version > before  # pages see the change
    state: dict[str, Any] = session.state()
    assert state["outputs"] == []


def test_the_drawing_processes_draw_what_the_session_draws_itself(project: Project) -> None:
    """Two drawing processes, each laying out its own publications every time, give the
    pictures and places the session gives alone; after a save, the new text."""
    start_catalog(project, "de", {"title": "Testkampagne", "headline": "Freiheit"})
    alone, shared = Session(project, "de"), Session(project, "de")
    shared.start_painters(2)
    try:
        assert shared.painters is not None and shared.painters.parallel
        for session in (alone, shared):
            session.refresh()
            assert session.errors == []
        assert alone.outputs.keys() == shared.outputs.keys() and len(alone.outputs) > 2
        for key, output in alone.outputs.items():
            other = shared.outputs[key]
            assert [p.png for p in output.pictures] == [p.png for p in other.pictures], key
            assert output.laid.placements == other.laid.placements, key
            assert output.laid.shown == other.laid.shown, key
        # A save: the processes read the catalogue as it is now, not as they first did.
        replace_in(project.po("de"), 'msgstr "Freiheit"', 'msgstr "Freiheit jetzt"')
        shared.refresh()
        headline = (ctx("headline"), "Free the fixture")
        shown = {key: o.laid.shown[headline] for key, o in shared.outputs.items()
                 if headline in o.laid.shown}
        assert shown and set(shown.values()) == {"Freiheit jetzt"}, shown
    finally:
        shared.close()
    assert shared.painters is None
