"""Errors users can act on: every input error names its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PublicationError(Exception):
    """Base of every error the command line turns into a message and exit code 1."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, at a line (1-based; 0 when the whole file)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        return f"{where}: {self.message}"


class InputError(PublicationError):
    """One or more problems in an input file (content, catalogue, imprint)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(PublicationError):
    """A command line that cannot be carried out as given (exit code 2)."""


def display_path(path: Path) -> str:
    """The path relative to the working folder when it is inside it, for short messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
