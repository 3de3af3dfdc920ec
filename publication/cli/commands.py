"""What each command does, once its arguments are parsed (publication.cli.parser);
errors go up to publication.cli.main, which turns them into messages and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from publication import InputError, UsageError, model
from publication.build import builder
from publication.cli.codes import EXIT_FAILED, EXIT_OK
from publication.errors import display_path, shown
from publication.files import DISK_FULL_WORDS
from publication.i18n import missing
from publication.i18n.locales import available_locales, locale_info
from publication.model import Project


def folder_size(folder: Path) -> str:
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

            given = model.BuildOptions(force=args.force, write_html=args.html,
                                       strict=args.strict, fail_fast=args.fail_fast,
                                       print_files=args.print_files, standard=args.standard)
            return EXIT_OK if build_groups(project, args.imprint, selection, args.broker,
                                           args.jobs, args.wait, given) else EXIT_FAILED
        from publication.source.imprint import load_imprint

        group = load_imprint(args.imprint[0])
    targets = builder.plan(project, selection, group)
    options = model.BuildOptions(jobs=args.jobs, force=args.force, write_html=args.html,
                                   strict=args.strict, fail_fast=args.fail_fast, imprint=group,
                                   print_files=args.print_files, wait=args.wait,
                                   standard=args.standard)
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
                      display_path(project.output), folder_size(project.output))
        return report.ok

    if args.watch or args.command == "watch":
        return _watch(project, selection, run)
    return EXIT_OK if run(targets) else EXIT_FAILED


def _live(args: argparse.Namespace) -> bool:
    """A live progress line: on a terminal, unless -q."""
    return not args.quiet and sys.stderr is not None and sys.stderr.isatty()  # None: closed


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
    from publication.preview.layouts import source_room  # the room of each message
    from publication.report.status import appearances  # what each kind shows

    rooms = source_room(project)  # content it cannot read: its file:line problems
    changed = catalog.write_pot(project, catalog.extract(project, appearances(project), rooms))
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


# What each command runs, by the name publication.cli.parser gives it (watch: build's).
HANDLERS: dict[str, Callable[[Project, argparse.Namespace], int]] = {
    "build": _build,
    "extract": _extract,
    "update": _update,
    "init": _init,
    "compile": _compile,
    "status": _status,
    "preview": _preview,
    "serve": _serve,
    "worker": _worker,
    "check": _check,
}
