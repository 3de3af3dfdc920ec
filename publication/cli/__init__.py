"""Command line of the campaign publication builder: `make-pdf --help`, or from a checkout
`python make_pdf.py --help`.

Thin on purpose: it parses arguments, calls the `publication` package and turns its
errors into messages and exit codes: 0 done, 1 build or check failed (a full disk or a
read-only folder too, said in one sentence), 2 usage, 130 interrupted (Ctrl-C), 70 an
internal error, a bug: its traceback goes to a crash log (output/.log/crash-*.txt) that
the message names, never onto the terminal. Output cut short by its reader (`status |
head -1`) ends quietly with 0.

This module loads nothing heavy: a `build` typed at the command line first goes to the
project's warm build server (`server.py`, through `handover.py`), which runs it in a
process that has loaded everything already; only without one is the command run here
(`runner.py`).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from publication.cli import handover
from publication.cli.codes import (
    CRASH_FOLDER,
    EXIT_BUG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
)

__all__ = ["CRASH_FOLDER", "EXIT_BUG", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK",
           "EXIT_USAGE", "Progress", "main"]


def main(argv: Sequence[str] | None = None, root: Path | None = None,
         prog: str = "make-pdf") -> int:
    """Run one command on the project at `root` (default: the current folder); return its
    exit code. `prog` is the command's name in messages. Without `argv` this is the
    command itself (its arguments in sys.argv): a build then goes to the project's build
    server when one runs, and starts one when none does."""
    whole = argv is None
    _open_closed_streams()
    arguments = sys.argv[1:] if argv is None else list(argv)
    if whole and handover.is_build(arguments):
        try:
            handed = handover.hand_over(Path.cwd() if root is None else root, arguments, prog)
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        if handed is not None:
            return handed
    from publication.cli.runner import run

    return run(arguments, root, prog, whole_command=whole, start_server=whole)


def _open_closed_streams() -> None:
    """A standard stream that was closed when the command started (`2>&-`: Python then
    sets it to None) reads or writes /dev/null instead, so that nothing printed to it
    fails, and no file the command opens takes its descriptor (a build server's socket
    would then be handed over as the stream)."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
        setattr(sys, name, open(fd, "r" if fd == 0 else "w", encoding="utf-8",  # noqa: SIM115
                                errors="backslashreplace", closefd=False))


def __getattr__(name: str) -> Any:
    """What the command line's modules define, loaded when asked for (`Progress`)."""
    if name.startswith("__"):
        raise AttributeError(name)
    runner = importlib.import_module("publication.cli.runner")
    return getattr(runner, name)
