"""Room measured from the layout (publication/preview/room.py, places.py, layouts.py),
checked against the layout itself: a message grown by the lines its room says still fits,
and one that overflows is named with its .po line by `status --room`."""

from __future__ import annotations

from pathlib import Path

import pytest

from publication.build.pipeline import Worker
from publication.cli import main
from publication.i18n.catalog import compile_catalog
from publication.model import Project, Target
from publication.preview.layouts import job_for, lay_out
from tests.translating import entry_line, start_catalog

BODY = ("fixture/letter.body.release", "Please release the detainee.")
GERMAN = "Bitte lassen Sie den Gefangenen frei."
WORD = " Freilassung"


def laid_with(project: Project, worker: Worker, text: str, kind: str = "letter",
              size: str = "a4") -> tuple[int, float, int]:
    """(pages, the body's height in px, its room in lines) with the body as `text`."""
    path = project.po("de")
    lines = path.read_text("utf-8").split("\n")
    at = entry_line(path, BODY[0]) - 1
    lines[at] = f'msgstr "{text}"'
    path.write_text("\n".join(lines), "utf-8")
    catalog = compile_catalog(project, "de")
    laid = lay_out(worker, job_for(worker, Target("fixture", "de", kind, size), catalog))
    placement = laid.placements[BODY]
    assert placement.room is not None and placement.rects
    return len(laid.document.pages), placement.rects[0].height, placement.room.lines


@pytest.fixture
def german(project: Project) -> Project:
    start_catalog(project, "de", {BODY[0]: GERMAN})
    return project


def test_the_lines_free_are_the_lines_a_message_can_grow_by(german: Project) -> None:
    worker = Worker(german)
    pages, line_px, room = laid_with(german, worker, GERMAN)  # one line
    assert pages == 1 and room > 2
    # The most words the page takes, found by laying it out (a binary search).
    low, high = 0, 150  # the catalogue check refuses more than 2,000 characters
    while low < high:
        middle = (low + high + 1) // 2
        if laid_with(german, worker, GERMAN + WORD * middle)[0] == 1:
            low = middle
        else:
            high = middle - 1
    _, grown, left = laid_with(german, worker, GERMAN + WORD * low)
    added = round(grown / line_px) - 1
    assert abs(added - room) <= 1, (added, room)
    assert left <= 1
    assert laid_with(german, worker, GERMAN + WORD * (low + 1))[0] > 1


def test_status_room_lists_every_message_and_names_an_overflow(
        german: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--room", "--locale", "de"], root=german.root) == 0
    out = capsys.readouterr().out
    assert "letter A4: " in out and "left on the page" in out
    assert "before the headline steps down" in out
    assert "free in the panel" in out
    line = entry_line(german.po("de"), BODY[0], "msgid")
    assert f":{line} {BODY[0]} [translated]" in out
    # Far too long (but within the catalogue check's limit): a second page.
    path: Path = german.po("de")
    path.write_text(path.read_text("utf-8").replace(f'msgstr "{GERMAN}"',
                                                    f'msgstr "{GERMAN}{WORD * 150}"'), "utf-8")
    assert main(["status", "--room", "--locale", "de"], root=german.root) == 1
    out = capsys.readouterr().out
    [said] = [row for row in out.split("\n") if row.startswith(
        f"locales/de/LC_MESSAGES/messages.po:{line}: {BODY[0]}: overflows: ")]
    assert "letter A4: does not fit" in said and "letter US Letter: does not fit" in said
