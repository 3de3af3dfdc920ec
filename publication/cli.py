"""Command line of the campaign publication builder: `make-pdf --help`, or from a checkout
`python make_pdf.py --help`.

Thin on purpose: it parses arguments, calls the `publication` package and turns its
errors into messages and exit codes: 0 done, 1 build or check failed (a full disk or a
read-only folder too, said in one sentence), 2 usage, 130 interrupted (Ctrl-C), 70 an
internal error, a bug: its traceback goes to a crash log (output/.log/crash-*.txt) that
the message names, never onto the terminal. Output cut short by its reader (`status |
head -1`) ends quietly with 0.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import logging
import os
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from publication import InputError, PublicationError, UsageError, model
from publication.build import builder
from publication.errors import display_path, escape_controls, shown
from publication.files import DISK_FULL, DISK_FULL_WORDS, READ_ONLY, WriteFailed
from publication.i18n import missing
from publication.i18n.locales import available_locales, locale_info
from publication.kinds import KINDS, PAPERS
from publication.model import Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_BUG = 70  # sysexits.h EX_SOFTWARE: an internal error
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
CRASH_FOLDER = ".log"  # in output/: crash-<time>.txt, the traceback of an internal error


def main(argv: Sequence[str] | None = None, root: Path | None = None,
         prog: str = "make-pdf") -> int:
    """Run one command on the project at `root` (default: the current folder); return its
    exit code. `prog` is the command's name in messages."""
    parser = _parser(prog)
    try:
        args = _parse(parser, argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    for name in ("make_pdf", "publication"):
        logging.getLogger(name).setLevel(logging.WARNING if args.quiet else logging.INFO)
    project = Project(Path.cwd() if root is None else root)
    try:
        with _ctrl_c_in_this_process_only():
            result: int = args.handler(project, args)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
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
        building = args.handler is _build
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


@contextlib.contextmanager
def _ctrl_c_in_this_process_only() -> Iterator[None]:
    """Ctrl-C interrupts this process, not the build's worker processes (forked from it,
    they inherit this handler): the terminal sends SIGINT to all of them, and a worker
    that is interrupted while it waits for work would print a traceback. The build stops
    its workers itself (the targets being made finish, no other one starts)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pid = os.getpid()

    def interrupt(signum: int, frame: object) -> None:
        if os.getpid() == pid:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None
                      else previous)


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parser.parse_args`, but an option the command does not know is reported with that
    command's usage (`watch --imprint`: watch's usage, not the top-level one)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        commands.choices[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
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
        free = (f"free some space ({output}/ holds {_size(project.output)}: delete the "
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


def _size(folder: Path) -> str:
    """How much `folder` holds, for a message: '12.3 MB'."""
    total = 0
    for base, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(base, name)).st_size
    if total < 1000:
        return f"{total} bytes"
    power = min(4, (len(str(total)) - 1) // 3)
    return f"{total / 1000 ** power:.1f} {('KB', 'MB', 'GB', 'TB')[power - 1]}"


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


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Build accessible campaign PDFs in many languages.")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    # The global options again, for after the command (`build -q`): not given there,
    # they leave what was given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print only problems")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", parents=[common],
                                help="build PDFs (default: every campaign, locale, kind and "
                                     "size)")
    _build_options(build)
    build.add_argument("--imprint", type=Path, nargs="+", action="extend", metavar="GROUP.YAML",
                       help="print a local group's details (see examples/group.yaml) on the "
                            "leaflet, poster and petition, into output/<campaign>/<locale>/"
                            "<group>/; several files (groups/*.yaml) go through the job "
                            "queue, one set per group")
    build.add_argument("--broker", metavar="redis://HOST:PORT/DB",
                       help="with --imprint: make the sets on Celery workers of this Redis "
                            "broker (make_pdf.py worker) instead of in this process's pool")
    build.add_argument("--watch", action="store_true",
                       help="after building, rebuild what each saved .po file (or content, "
                            "template, style) affects, until Ctrl-C (the same as 'watch')")
    build.set_defaults(handler=_build)

    watch = commands.add_parser("watch", parents=[common],
                                help="build, then rebuild what each saved .po file (or "
                                     "content, template, style) affects, until Ctrl-C",
                                description="Build as 'build' does, then watch the "
                                            "catalogues, content, templates and styles and "
                                            "rebuild what each saved file affects, until "
                                            "Ctrl-C.")
    _build_options(watch)
    watch.set_defaults(handler=_build, watch=True, imprint=None)

    extract = commands.add_parser("extract", parents=[common],
                                  help="write locales/messages.pot from the content and "
                                       "templates")
    extract.set_defaults(handler=_extract)

    update = commands.add_parser("update", parents=[common],
                                 help="merge messages.pot into every catalogue")
    update.add_argument("--locale", action="append", default=[], metavar="CODE",
                        help="only this locale's catalogue (repeat for more; default: every "
                             "one)")
    update.set_defaults(handler=_update)

    init = commands.add_parser("init", parents=[common],
                               help="start a catalogue for a new language")
    init.add_argument("locale", metavar="LOCALE",
                      help="the language's code, like 'it', 'pt_BR' or 'sr_Latn'")
    init.set_defaults(handler=_init)

    compile_ = commands.add_parser("compile", parents=[common],
                                   help="check catalogues, then write .mo files")
    compile_.add_argument("--locale", action="append", default=[], metavar="CODE",
                          help="only this locale's catalogue (repeat for more; default: "
                               "every one)")
    compile_.set_defaults(handler=_compile)

    status = commands.add_parser("status", parents=[common],
                                 help="how complete each translation is, per publication "
                                      "kind")
    status.add_argument("--locale", action="append", default=[], metavar="CODE",
                        help="only this locale (repeat for more; default: every catalogue)")
    status.add_argument("--campaign", action="append", default=[], metavar="NAME",
                        help="count only the messages this campaign's publications show, a "
                             "folder in content/ (repeat for more; default: every one)")
    status.add_argument("--json", action="store_true", help="print JSON for scripts")
    status.add_argument("--list", action="store_true",
                        help="list each message shown in English, once, by its line in the "
                             "catalogue, with the publications it appears on (what a build "
                             "prints), instead of the table")
    status.add_argument("--room", action="store_true",
                        help="lay out every publication and list how much room each message "
                             "has before its layout breaks (lines free, characters left "
                             "before a poster's headline steps down); exit 1 when a "
                             "translation overflows")
    status.add_argument("--min-complete", type=float, metavar="PCT",
                        help="exit 1 when a locale is less than PCT %% translated or its "
                             "catalogue has problems")
    status.set_defaults(handler=_status)

    preview = commands.add_parser("preview", parents=[common],
                                  help="show a locale's publications in a web browser, "
                                       "refreshed each time its .po file is saved")
    preview.add_argument("--locale", required=True, metavar="CODE",
                         help="the locale to preview (one with a catalogue in locales/)")
    preview.add_argument("--port", type=int, default=0, metavar="N",
                         help="the port on 127.0.0.1 to listen on (default: a free one)")
    preview.set_defaults(handler=_preview)

    serve = commands.add_parser("serve", parents=[common],
                                help="the web app where local groups make their own sets")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, metavar="N",
                       help="the port to listen on (default: 8000)")
    serve.add_argument("--password-file", type=Path, metavar="FILE",
                       help="a file holding a shared password the browser asks for")
    _queue_options(serve)
    serve.add_argument("--jobs", type=int, default=builder.default_jobs(), metavar="N",
                       help="without --broker: worker processes (default: the number of cores)")
    serve.add_argument("--broker", metavar="redis://HOST:PORT/DB",
                       help="make the sets on Celery workers of this Redis broker "
                            "(make_pdf.py worker) instead of in this process's pool")
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", parents=[common],
                                 help="a Celery worker making sets for 'serve' and 'build "
                                      "--imprint' (see docs/WORKERS.md)")
    worker.add_argument("--broker", required=True, metavar="redis://HOST:PORT/DB",
                        help="the Redis broker the web app and builds send sets to")
    worker.add_argument("--concurrency", type=int, default=1, metavar="N",
                        help="worker processes (default: 1)")
    worker.add_argument("--name", metavar="NAME", help="the worker's name (default: host)")
    _queue_options(worker)
    worker.set_defaults(handler=_worker)

    check = commands.add_parser("check", parents=[common],
                                help="check PDFs for accessibility and print problems "
                                     "(default: every PDF under output/)")
    check.add_argument("pdfs", nargs="*", metavar="PDF",
                       help="the PDF files to check (default: every PDF under output/)")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(handler=_check)
    return parser


def _build_options(build: argparse.ArgumentParser) -> None:
    """The options `build` and `watch` share: what to build, and how."""
    build.add_argument("--campaign", action="append", default=[], metavar="NAME",
                       help="only this campaign, a folder in content/ (repeat for more; "
                            "default: every one)")
    build.add_argument("--locale", action="append", default=[], metavar="CODE",
                       help="only this locale: one with a catalogue in locales/, or the "
                            f"source language {model.SOURCE_LOCALE} (repeat for more; "
                            "default: every one)")
    build.add_argument("--kind", action="append", default=[], choices=sorted(KINDS),
                       help="only this publication kind (repeat for more; default: every "
                            "one)")
    build.add_argument("--size", action="append", default=[], choices=sorted(PAPERS),
                       help="only this paper size (repeat for more; default: the sizes each "
                            "kind is made in)")
    build.add_argument("--jobs", type=int, default=builder.default_jobs(), metavar="N",
                       help="worker processes (default: the number of cores)")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--html", action="store_true",
                       help="also write the HTML given to WeasyPrint beside each PDF")
    build.add_argument("--strict", action="store_true",
                       help="fail instead of falling back to the source text for fuzzy or "
                            "untranslated messages, and on the checks' warnings")
    build.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    build.add_argument("--wait", type=float, default=300.0, metavar="SECONDS",
                       help="how long to wait for another build writing the same output "
                            "folder before giving up (default: 300)")
    build.add_argument("--no-print-files", dest="print_files", action="store_false",
                       help="skip the print-shop files (<kind>-<size>-print.pdf: PDF/X-4 with "
                            "bleed and marks, for leaflets and posters)")


def _queue_options(command: argparse.ArgumentParser) -> None:
    """The options `serve` and `worker` share: the output store and worker recycling."""
    command.add_argument("--store", type=Path, metavar="FOLDER",
                         help="the output store the sets are written to, shared by every "
                              "worker (default: output/)")
    command.add_argument("--max-tasks", type=int, default=20, metavar="N",
                         help="sets a worker process makes before it is replaced (default: 20)")


def _serve(project: Project, args: argparse.Namespace) -> int:
    from publication.serve import commands

    if args.max_tasks < 1 or args.jobs < 1:
        raise UsageError("--jobs and --max-tasks must be at least 1")
    password = None
    if args.password_file is not None:
        try:
            password = args.password_file.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read --password-file: {exc}") from None
        if not password:
            raise UsageError("--password-file is empty")
    print(f"serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    commands.serve(project, args.host, args.port, args.store, args.broker, args.jobs,
                   args.max_tasks, password)
    return EXIT_OK


def _worker(project: Project, args: argparse.Namespace) -> int:
    from publication.serve import commands

    if args.max_tasks < 1 or args.concurrency < 1:
        raise UsageError("--concurrency and --max-tasks must be at least 1")
    commands.worker(project, args.broker, args.store, args.concurrency, args.max_tasks,
                    args.name)
    return EXIT_OK


def _build(project: Project, args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    selection = model.Selection(tuple(args.campaign), tuple(args.locale), tuple(args.kind),
                                  tuple(args.size))
    group = None
    if args.imprint is not None:
        if args.watch or args.command == "watch":
            raise UsageError("--imprint cannot be combined with watching; build once instead")
        if len(args.imprint) > 1 or args.broker:  # the job queue, as `serve` uses it
            from publication.serve.commands import build_groups

            return EXIT_OK if build_groups(project, args.imprint, selection, args.broker,
                                           args.jobs, args.wait) else EXIT_FAILED
        from publication.source.imprint import load_imprint

        group = load_imprint(args.imprint[0])
    targets = builder.plan(project, selection, group)
    options = model.BuildOptions(jobs=args.jobs, force=args.force, write_html=args.html,
                                   strict=args.strict, fail_fast=args.fail_fast, imprint=group,
                                   print_files=args.print_files, wait=args.wait)
    log = logging.getLogger("make_pdf")

    def run(targets: list[model.Target]) -> bool:
        display = Progress(sys.stderr, len(targets)) if _live(args) else None

        def progress(outcome: model.Outcome, done: int, total: int) -> None:
            if display:
                display.finished(outcome, done)
            else:
                log.info("[%d/%d] %s %s (%.1f s)", done, total, outcome.status,
                         outcome.target, outcome.seconds)
            # Failures are in the summary, and fallbacks in its report, once per locale.
            notes = [m for m in outcome.messages if not missing.is_fallback(m)]
            if outcome.status == "built" and notes:
                if display:
                    display.clear()
                for message in notes:
                    log.warning("  %s", message)

        try:
            report = builder.build(project, targets, options, progress,
                                   display.started if display else None)
        finally:
            if display:
                display.clear()
        for line in builder.summarize(report):
            (log.error if line.startswith(("FAILED", "  ")) else
             log.warning if missing.in_report(line) else log.info)(line)
        if any(DISK_FULL_WORDS in message for outcome in report.failed
               for message in outcome.messages):  # in a worker: said once more, what to do
            log.error("the disk is full: free some space (%s/ holds %s: delete the outputs "
                      "you do not need there, or other files on that disk), then build again",
                      display_path(project.output), _size(project.output))
        return report.ok

    if args.watch or args.command == "watch":
        return _watch(project, selection, run)
    return EXIT_OK if run(targets) else EXIT_FAILED


def _live(args: argparse.Namespace) -> bool:
    """A live progress line: on a terminal, unless -q."""
    return not args.quiet and sys.stderr.isatty()


class Progress:
    """One line on the terminal, redrawn as a build goes: outputs done of total, elapsed
    time, and what the workers are making now."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.running: dict[model.Target, None] = {}  # in the order they started

    def started(self, target: model.Target) -> None:
        self.running[target] = None
        self._draw()

    def finished(self, outcome: model.Outcome, done: int) -> None:
        self.running.pop(outcome.target, None)
        self.done = done
        self._draw()

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.start
        now = ", ".join(str(t) for t in self.running) or "..."
        line = f"[{self.done}/{self.total}] {elapsed:5.1f} s  {now}"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r\x1b[K" + (line if len(line) <= width else line[:width - 1] + "…"))
        self.stream.flush()


def _watch(project: Project, selection: model.Selection,
           run: Callable[[list[model.Target]], bool]) -> int:
    """Build, then rebuild what each saved file affects until Ctrl-C: exit 0 while
    waiting for a change, KeyboardInterrupt (exit 130) in the middle of a build."""
    from publication.build import watch

    log = logging.getLogger("make_pdf")
    watcher = watch.Watcher(project, selection.locales)  # before building: miss no save
    run(builder.plan(project, selection))
    building = False

    def rebuild(change: watch.Change) -> None:
        nonlocal building
        log.info("saved: %s", ", ".join(display_path(p) for p in change.paths))
        targets = watch.targets_for(project, selection, change)
        if targets:
            building = True
            run(targets)
            building = False
        log.info("watching for changes (Ctrl-C to stop)")

    log.info("watching for changes (Ctrl-C to stop)")
    try:
        watch.watch(watcher, rebuild)
    except KeyboardInterrupt:
        if building:  # in the middle of a build: interrupted, as `build` is
            raise
        log.info("stopped watching")
    return EXIT_OK


def _extract(project: Project, args: argparse.Namespace) -> int:
    from publication.i18n import catalog  # here: a build does without Babel's catalogues
    from publication.report.status import appearances  # what each kind shows

    changed = catalog.write_pot(project, catalog.extract(project, appearances(project)))
    print(f"{project.pot.relative_to(project.root)}: {'written' if changed else 'unchanged'}")
    return EXIT_OK


def _locales(project: Project, asked: list[str], verb: str = "use") -> list[str]:
    for code in asked:
        if locale_info(code).code == model.SOURCE_LOCALE:
            raise UsageError(f"'{code}' is the source language: the content and templates are "
                             f"written in it, so it has no catalogue to {verb}; leave out "
                             f"--locale {code}")
    have = [c for c in available_locales(project) if c != model.SOURCE_LOCALE]
    missing = [c for c in asked if c not in have]
    if missing:
        raise UsageError(f"no catalogue for {', '.join(missing)}; start one with 'init'")
    return asked or have


def _update(project: Project, args: argparse.Namespace) -> int:
    from publication.i18n import catalog  # here: a build does without Babel's catalogues

    changed = catalog.update(project, _locales(project, args.locale, "update"))
    print("updated: " + (", ".join(changed) if changed else "nothing changed"))
    return EXIT_OK


def _init(project: Project, args: argparse.Namespace) -> int:
    from publication.i18n import catalog  # here: a build does without Babel's catalogues

    path = catalog.init(project, args.locale)
    print(f"{path.relative_to(project.root)}: started; translate it, then "
          f"'python make_pdf.py build --locale {args.locale}'")
    missing = catalog.missing_characters(project, args.locale)
    if missing:
        print(f"warning: the fonts in fonts/ lack letters this language uses "
              f"({' '.join(missing)}): its PDFs would show empty boxes until a maintainer "
              "adds a font for its script (see TRANSLATING.md)", file=sys.stderr)
    return EXIT_OK


def _compile(project: Project, args: argparse.Namespace) -> int:
    from publication.i18n import catalog  # here: a build does without Babel's catalogues

    failed = False
    for code in _locales(project, args.locale, "compile"):
        try:
            catalog.compile_catalog(project, code, write=True)
            print(f"{code}: compiled")
        except InputError as exc:
            failed = True
            for problem in exc.problems:
                print(problem, file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _status(project: Project, args: argparse.Namespace) -> int:
    from publication.report import status

    if args.min_complete is not None and not 0 <= args.min_complete <= 100:
        raise UsageError("--min-complete must be a percentage from 0 to 100")
    asked = [code for code in args.locale if code != model.SOURCE_LOCALE]
    locales = _locales(project, asked) if asked else []
    if model.SOURCE_LOCALE in args.locale:
        locales.insert(0, model.SOURCE_LOCALE)
    if args.room:
        return _room(project, locales or [model.SOURCE_LOCALE, *_locales(project, [])], args)
    campaigns = project.campaigns()
    for name in args.campaign:
        if name not in campaigns:
            raise UsageError(f"no campaign {shown(name, 40)} in content/ (have: "
                             f"{', '.join(campaigns)})")
    statuses = status.status(project, locales, per_kind=status.kind_messages(
        project, campaigns=args.campaign) if args.campaign else None)
    if args.json:
        print(json.dumps(status.as_json(statuses), ensure_ascii=False, indent=2))
    elif args.list:
        print("\n".join(status.format_missing(project, statuses)))
    else:
        print("\n".join(status.format_table(statuses)))
    if args.min_complete is None:
        return EXIT_OK
    low = status.below(statuses, args.min_complete)
    for item in low:
        reason = f"has {len(item.problems)} problem(s)" if item.problems else \
            f"is {item.complete:.1f}% complete"
        print(f"{item.locale}: {reason}; at least {args.min_complete:g}% is required",
              file=sys.stderr)
    return EXIT_FAILED if low else EXIT_OK


def _room(project: Project, locales: list[str], args: argparse.Namespace) -> int:
    from publication.preview import commands

    return EXIT_FAILED if commands.room(project, locales, args.json) else EXIT_OK


def _preview(project: Project, args: argparse.Namespace) -> int:
    from publication.preview import commands

    [code] = _locales(project, [args.locale], "preview")
    commands.preview(project, code, args.port)  # until Ctrl-C (exit 130)
    return EXIT_OK


def _check(project: Project, args: argparse.Namespace) -> int:
    """The accessibility and preflight checks on PDFs, with the build's records of them."""
    from publication import checks

    paths = [Path(p) for p in args.pdfs] or checks.output_pdfs(project.output)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    if not paths:
        raise UsageError(f"no PDF under {display_path(project.output)}: build first")
    from publication.press import pdfx

    reports = [pdfx.preflight_file(path, display_path(path))
               or checks.check_file(path, display_path(path)) for path in paths]
    if args.json:
        print(checks.report_json(reports))
    else:
        lines = checks.report_text(reports)
        for line in lines if not args.quiet else lines[:-1]:
            print(line)
    return EXIT_FAILED if checks.failed(reports, args.strict) else EXIT_OK
