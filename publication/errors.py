"""Errors users can act on: every input error names its file and line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# Characters that must not reach a terminal as they are: C0 and C1 controls (escape
# sequences), and the bidirectional embeddings, overrides and isolates, which reorder
# what follows them on the line.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SHOWN_MAX = 60  # characters of a value quoted in a message


class PublicationError(Exception):
    """Base of every error the command line turns into a message and exit code 1."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, at a line (1-based; 0 when the whole file).

    `code` names the kind of problem for programs that say it in their own words (the
    web app's form, in the page's language): "too_long", "form", "required",
    "controls", "language", "fit"; "" when none is given."""

    path: Path
    line: int
    message: str
    code: str = ""

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        return escape_controls(f"{where}: {self.message}")


class InputError(PublicationError):
    """One or more problems in an input file (content, catalogue, imprint)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(PublicationError):
    """A command line that cannot be carried out as given (exit code 2)."""


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with control characters (except those in `keep`) written as escapes: what
    a hand-edited file holds cannot move the cursor or recolour a terminal."""
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return _CONTROLS.sub(escape, text)


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """A value for a message: in quotes, control characters escaped, cut after `limit`
    characters ('…' marks the cut)."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return "'" + escape_controls(text) + "'"


def display_path(path: Path) -> str:
    """The path relative to the working folder when it is inside it, for short messages.

    Symbolic links are not followed: a catalogue linked from elsewhere is named where the
    user put it (`locales/de/LC_MESSAGES/messages.po`), not where its link leads."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
