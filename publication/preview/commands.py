"""The preview's two commands behind publication.cli: `status --room` and `preview`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from publication.errors import UsageError
from publication.model import Project
from publication.preview import layouts


def room(project: Project, locales: Sequence[str], as_json: bool) -> bool:
    """Print the room of every message in `locales`; True when a translation overflows
    (or a catalogue cannot be read)."""
    report = layouts.room_report(project, locales)
    if as_json:
        print(json.dumps({"locales": [item.as_dict() for item in report]},
                         ensure_ascii=False, indent=2))
    else:
        print("\n".join(layouts.format_room(project, report)))
    return layouts.overflowing(report)


def preview(project: Project, code: str, port: int = 0) -> None:
    """Serve the live preview of `code` on 127.0.0.1 until Ctrl-C; print its address."""
    from publication.preview import server
    from publication.preview.session import Session

    if not 0 <= port <= 65535:
        raise UsageError("--port must be from 0 (a free one) to 65535")

    def ready(listening: server.PreviewServer) -> None:
        print(f"preview of {code} at {listening.url} (open it in a browser; Ctrl-C to stop)",
              flush=True)

    server.serve(Session(project, code), port, ready)
