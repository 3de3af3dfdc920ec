"""One command run in this process: its arguments parsed, the `publication` package
called, and its errors turned into messages and exit codes (`publication.cli.main`
says which)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import logging
import os
import select
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from publication import InputError, PublicationError, UsageError
from publication.build import collector
from publication.cli import handover
from publication.cli.codes import (
    CRASH_FOLDER,
    EXIT_BUG,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
)
from publication.cli.commands import HANDLERS, Progress, folder_size
from publication.cli.parser import CommandLine, command_line
from publication.errors import display_path, escape_controls
from publication.files import DISK_FULL, READ_ONLY, WriteFailed
from publication.model import Project

__all__ = ["Progress", "run"]


def run(argv: Sequence[str], root: Path | None, prog: str, whole_command: bool,
        start_server: bool) -> int:
    """Run one command (`publication.cli.main`) in this process: `whole_command` when
    this process is the command (it may end at once when done); `start_server` to start
    the project's build server after a build, when none runs."""
    line = command_line(prog)
    try:
        args = _parse(line, argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    project = Project(Path.cwd() if root is None else root)
    serving = start_server and args.command == "build" and not args.watch
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    for name in ("make_pdf", "publication"):
        logging.getLogger(name).setLevel(logging.WARNING if args.quiet else logging.INFO)
    if whole_command and args.command == "build" and not args.watch:
        collector.one_build()  # this process ends when the build does (`_end_now`)
    try:
        with _ctrl_c_in_this_process_only():
            result: int = args.handler(project, args)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        if serving:
            handover.start(project.root)
        if whole_command and args.command == "build":
            _end_now(result)
        return result
    except UsageError as exc:
        _say(prog, str(exc))
        return EXIT_USAGE
    except InputError as exc:
        for problem in exc.problems:
            _say(None, str(problem))
        return EXIT_FAILED
    except PublicationError as exc:
        _say(prog, str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        building = args.handler is HANDLERS["build"]
        _say(prog, "interrupted; earlier PDFs kept" if building else "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError as exc:  # `make_pdf.py status | head -1`: the reader is done
        if not _stdout_closed():  # another pipe: not the reader's doing
            return _crash(project, prog, exc)
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        message = _fault(project, exc)
        if message is None:
            return _crash(project, prog, exc)
        _say(prog, message)
        return EXIT_FAILED
    except Exception as exc:
        return _crash(project, prog, exc)


def _end_now(code: int) -> None:
    """End the process with `code` now, without Python's teardown, which frees every
    object one by one: about 0.3 s after a build that loaded WeasyPrint, a tenth of a
    translator's one-string rebuild. A build needs none of it: its files are written
    and closed (atomically), its lock released, its worker processes ended and the
    fonts' temporary copies deleted. Not under a tracer or profiler (coverage, cProfile,
    pyinstrument), which write what they found as the process ends; and not when the
    output cannot be flushed (a reader gone: the usual exit says so)."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    logging.shutdown()
    os._exit(code)


@contextlib.contextmanager
def _ctrl_c_in_this_process_only() -> Iterator[None]:
    """Ctrl-C interrupts this process, not the build's worker processes (forked from it,
    they inherit this handler): the terminal sends SIGINT to all of them, and a worker
    that is interrupted while it waits for work would print a traceback. The build stops
    its workers itself (the targets being made finish, no other one starts).

    Python drops an exception raised while it runs a weakref callback or a finalizer
    ("Exception ignored in ..."): a Ctrl-C that lands in one (measured: in an import's
    module-lock callback) would be lost and the build would end as if never
    interrupted, with Python's report of it on stderr. The report is left out, and a
    command that returns after a dropped interrupt ends as interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pid = os.getpid()
    dropped: list[object] = []  # the interrupts Python dropped

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() == pid:
            raise KeyboardInterrupt

    def unraisable(info: Any) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt) and os.getpid() == pid:
            dropped.append(info.object)
        else:
            report(info)

    report = sys.unraisablehook
    previous = signal.signal(signal.SIGINT, interrupt)
    sys.unraisablehook = unraisable
    try:
        yield
        if dropped:
            raise KeyboardInterrupt
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)
        sys.unraisablehook = report


def _parse(line: CommandLine, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parse_args`, but an option the command does not know is reported with that
    command's usage (`watch --imprint`: watch's usage, not the top-level one)."""
    args, extra = line.parser.parse_known_args(argv)
    if extra:
        line.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _say(prog: str | None, message: str) -> None:
    """One message on stderr, control characters escaped; a closed stderr is ignored."""
    text = escape_controls(message, keep="\n")
    with contextlib.suppress(OSError, ValueError):
        print(f"{prog}: {text}" if prog else text, file=sys.stderr)


def _stdout_closed() -> bool:
    """Whether nobody reads stdout any more (True too when that cannot be told)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return True


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


def _fault(project: Project, exc: OSError) -> str | None:
    """The sentence for an operating-system error a user can act on, else None (a bug)."""
    path = Path(exc.filename) if isinstance(exc.filename, str | Path) else None
    where = display_path(path) if path else "a file"
    again = "then run the command again"
    if exc.errno in DISK_FULL:
        what = "the disk is full" if exc.errno == errno.ENOSPC else "the disk quota is used up"
        output = display_path(project.output)
        inside = path is not None and path.resolve().is_relative_to(project.output.resolve())
        free = (f"free some space ({output}/ holds {folder_size(project.output)}: delete the "
                "outputs you do not need there, or other files on that disk)" if inside
                else "free some space on that disk")
        return f"{what}: could not write {where}; {free}, {again}"
    if exc.errno in READ_ONLY:
        folder = display_path(path.parent) if path else "the folder"
        if isinstance(exc, WriteFailed) or exc.errno == errno.EROFS:
            why = "it is on a read-only disk" if exc.errno == errno.EROFS else \
                f"the folder is read-only ({exc.strerror})"
            return (f"cannot write {where}: {why}; make {folder} writable (or work in a copy "
                    f"of the project where you can write), {again}")
        return f"cannot use {where}: {exc.strerror}; check the permissions of {folder}, {again}"
    if exc.errno == errno.EIO:
        return f"the disk reported an error on {where} ({exc.strerror}); check the disk, {again}"
    return None



def _crash(project: Project, prog: str, exc: BaseException) -> int:
    """A bug: its traceback into a crash log, one sentence on the terminal."""
    report = (f"{prog} {' '.join(sys.argv[1:])}\n"
              f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')}, Python "
              f"{sys.version.split()[0]}, {sys.platform}\n\n"
              + "".join(traceback.format_exception(exc)))
    log = _write_crash_log(project, report)
    summary = escape_controls(f"{type(exc).__name__}: {exc}")[:200]
    if log is None:
        _say(prog, f"internal error ({summary}); this is a bug, please report it with the "
                   "traceback below:\n" + report)
    else:
        _say(prog, f"internal error ({summary}); this is a bug, please report it with the "
                   f"file {display_path(log)}, which holds the details")
    return EXIT_BUG


def _write_crash_log(project: Project, report: str) -> Path | None:
    """Write `report` to output/.log/crash-<time>.txt, or else to a temporary file; the
    path, or None when neither could be written."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = project.output / CRASH_FOLDER
    data = report.encode("utf-8", "replace")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
        fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".txt", dir=folder)
    except OSError:
        try:
            fd, name = tempfile.mkstemp(prefix=f"make-pdf-crash-{stamp}-", suffix=".txt")
        except OSError:
            return None
    try:
        with os.fdopen(fd, "wb") as fileobj:
            fileobj.write(data)
    except OSError:
        return None
    return Path(name)

