"""Helpers for the translator-workflow tests: make a catalogue, find lines in a .po."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from publication.i18n import catalog
from publication.model import Project, campaign_context, context_place

# The tests name a message by its place, as a template or the campaign file names it
# (`title`, `petition.table.name`); a content message's context names its campaign too.
FIXTURE = "fixture"  # the fixture campaign (tests/fixtures/project/content/fixture)


def ctx(place: str, campaign: str = FIXTURE) -> str:
    """The catalogue context of the content text at `place` of `campaign`."""
    return campaign_context(campaign, place)


def _named(context: str | None, names: Mapping[str, object] | frozenset[str]) -> str | None:
    """Which of `names` (contexts, or places) a message's context is, if any."""
    if context in names:
        return context
    place = context_place(context)[1]
    return place if place in names else None


def start_catalog(project: Project, code: str, strings: Mapping[str, str | tuple[str, ...]],
                  fuzzy: frozenset[str] = frozenset()) -> Path:
    """Extract (once), `init` a locale and translate the messages named by context."""
    if not project.pot.exists():
        catalog.write_pot(project, catalog.extract(project))
    path = catalog.init(project, code)
    with open(path, "rb") as fileobj:
        cat = read_po(fileobj, locale=code)
    for message in cat:
        name = _named(message.context, strings)
        if name is not None:
            message.string = strings[name]
            if name in fuzzy:
                message.flags.add("fuzzy")
    with open(path, "wb") as fileobj:
        write_po(fileobj, cat, width=88)
    return path


def entry_line(path: Path, context: str, keyword: str = "msgstr") -> int:
    """The line of `keyword` (msgid, msgstr, msgstr[1]...) in the entry with `context`
    (or a campaign's message at that place)."""
    lines = path.read_text("utf-8").split("\n")
    [start] = [n for n, line in enumerate(lines) if line.startswith('msgctxt "') and
               _named(line[len('msgctxt "'):-1], frozenset({context})) is not None]
    for number in range(start, len(lines)):
        if lines[number].startswith(f"{keyword} "):
            return number + 1
    raise AssertionError(f"no {keyword} for {context} in {path}")


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a file as a translator would: replace one exact piece of text."""
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not exactly once in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext reads it, whitespace folded."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())
