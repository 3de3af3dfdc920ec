"""The command line's progress display: a live line on a terminal, nothing elsewhere."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from publication.cli import Progress, commands, main
from publication.model import Outcome, Project, Target


def test_the_line_shows_done_of_total_time_and_current_items() -> None:
    stream = io.StringIO()
    display = Progress(stream, total=3)
    leaflet, poster = Target("c", "de", "leaflet", "a4"), Target("c", "de", "poster", "a3")
    display.started(leaflet)
    display.started(poster)
    assert stream.getvalue().endswith("c/de/leaflet-a4, c/de/poster-a3")
    display.finished(Outcome(leaflet, "built", Path("x.pdf")), done=1)
    last = stream.getvalue().rsplit("\r\x1b[K", 1)[1]
    assert last.startswith("[1/3] ") and " s  c/de/poster-a3" in last
    display.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_quiet_when_not_a_terminal(project: Project, capsys: pytest.CaptureFixture[str],
                                   caplog: pytest.LogCaptureFixture,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.INFO, logger="make_pdf")
    assert main(["build", "--kind", "letter", "--size", "a4"], root=project.root) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b" not in err
    assert "[1/1] built fixture/en/letter-a4" in caplog.text  # a plain log line instead
    caplog.clear()
    # On a terminal the live line replaces the log lines; -q silences both.
    monkeypatch.setattr(commands, "_live", lambda args: not args.quiet)
    assert main(["build", "--kind", "letter", "--size", "a4", "--force"],
                root=project.root) == 0
    assert "\r\x1b[K[1/1]" in capsys.readouterr().err
    assert "[1/1] built" not in caplog.text and "1 built" in caplog.text
    caplog.clear()
    assert main(["-q", "build", "--kind", "letter", "--size", "a4", "--force"],
                root=project.root) == 0
    assert capsys.readouterr().err == "" and caplog.text == ""
