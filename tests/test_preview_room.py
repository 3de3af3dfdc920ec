"""Room measured from the layout (publication/preview/room.py, places.py, layouts.py),
checked against the layout itself: a message grown by the lines its room says still fits,
and one that overflows is named with its .po line by `status --room`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from publication.build.pipeline import Worker
from publication.cli import main
from publication.i18n.catalog import ROOM, compile_catalog
from publication.model import Project, Target
from publication.preview.layouts import job_for, lay_out, room_report
from tests.translating import ctx, entry_line, start_catalog

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


def test_the_template_says_the_room_of_each_message_in_the_english_layout(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract"], root=project.root) == 0
    with open(project.pot, "rb") as fileobj:
        pot = {(m.context, m.id): m.auto_comments for m in read_po(fileobj) if m.id}

    def room(key: tuple[str, str]) -> str:
        # The last comment, wrapped over lines as gettext's comments are.
        notes = " ".join(pot[key]).split(ROOM)
        assert len(notes) == 2, (key, pot[key])
        return notes[1]

    # The poster headline: what the English poster leaves before its size steps down,
    # and the leaflet cover's panel; the tightest size of each kind.
    headline = room((ctx("headline"), "Free the fixture"))
    assert re.fullmatch(r"poster (A3|Tabloid): \d+ characters \(\d+ lines?\) left before the "
                        r"headline steps down from [\d.]+ to [\d.]+ pt; leaflet (A4|US Letter), "
                        r"panel 1: \d+ lines? free in the panel \(about \d+ characters\)\.",
                        headline), headline
    # The same figures as `status --room` for English, where the room is tightest.
    [english] = room_report(project, ["en"])
    body = next(m for m in english.messages if m.key == BODY)
    assert room(BODY) == body.rooms[0].describe() + "."
    # Not printed: no room said. A catalogue started from the template carries it.
    assert ROOM not in " ".join(pot[("common.qr.alt", "QR code: opens the petition at %(url)s")])
    start_catalog(project, "fr", {})
    assert f"#. {ROOM}" in project.po("fr").read_text("utf-8")
