"""The preview's session (publication/preview/session.py) shared by the watcher thread
and the HTTP threads: what they read is changed only under its lock."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest

from publication.model import Project
from publication.preview import session as module
from publication.preview.session import Output, Session


def test_reload_clears_the_outputs_under_the_lock(project: Project,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(project, "en")
    session.outputs["x"] = cast(Output, object())
    # The new worker at once (its loading is not what is timed here), the same one.
    monkeypatch.setattr(module, "Worker", lambda project: session.worker)
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
