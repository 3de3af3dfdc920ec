"""Command line of the campaign publication builder: `make-pdf --help`, or from a checkout
`python make_pdf.py --help`.

Thin on purpose: it parses arguments, calls the `publication` package and turns its
errors into messages and exit codes (0 done, 1 build or check failed, 2 usage).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from publication import InputError, PublicationError, UsageError, model
from publication.build import builder
from publication.errors import display_path
from publication.i18n import catalog
from publication.kinds import KINDS, PAPERS
from publication.model import Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None, root: Path | None = None,
         prog: str = "make-pdf") -> int:
    """Run one command on the project at `root` (default: the current folder); return its
    exit code. `prog` is the command's name in messages."""
    parser = _parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    for name in ("make_pdf", "publication"):
        logging.getLogger(name).setLevel(logging.WARNING if args.quiet else logging.INFO)
    project = Project(Path.cwd() if root is None else root)
    try:
        result: int = args.handler(project, args)
        return result
    except UsageError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAILED
    except PublicationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Build accessible campaign PDFs in many languages.")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", aliases=["watch"],
                                help="build PDFs (default: every campaign, locale, kind and "
                                     "size); 'watch' is 'build --watch'")
    build.add_argument("--campaign", action="append", default=[], metavar="NAME")
    build.add_argument("--locale", action="append", default=[], metavar="CODE")
    build.add_argument("--kind", action="append", default=[], choices=sorted(KINDS))
    build.add_argument("--size", action="append", default=[], choices=sorted(PAPERS))
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
    build.add_argument("--imprint", type=Path, metavar="GROUP.YAML",
                       help="print a local group's details (see examples/group.yaml) on the "
                            "leaflet, poster and petition, into output/<campaign>/<locale>/"
                            "<group>/")
    build.add_argument("--no-print-files", dest="print_files", action="store_false",
                       help="skip the print-shop files (<kind>-<size>-print.pdf: PDF/X-4 with "
                            "bleed and marks, for leaflets and posters)")
    build.add_argument("--watch", action="store_true",
                       help="after building, rebuild what each saved .po file (or content, "
                            "template, style) affects, until Ctrl-C")
    build.set_defaults(handler=_build)

    extract = commands.add_parser("extract", help="write locales/messages.pot from the content "
                                                  "and templates")
    extract.set_defaults(handler=_extract)

    update = commands.add_parser("update", help="merge messages.pot into every catalogue")
    update.add_argument("--locale", action="append", default=[], metavar="CODE")
    update.set_defaults(handler=_update)

    init = commands.add_parser("init", help="start a catalogue for a new language")
    init.add_argument("locale", metavar="LOCALE")
    init.set_defaults(handler=_init)

    compile_ = commands.add_parser("compile", help="check catalogues, then write .mo files")
    compile_.add_argument("--locale", action="append", default=[], metavar="CODE")
    compile_.set_defaults(handler=_compile)

    status = commands.add_parser("status", help="how complete each translation is, per "
                                                "publication kind")
    status.add_argument("--locale", action="append", default=[], metavar="CODE")
    status.add_argument("--json", action="store_true", help="print JSON for scripts")
    status.add_argument("--min-complete", type=float, metavar="PCT",
                        help="exit 1 when a locale is less than PCT %% translated or its "
                             "catalogue has problems")
    status.set_defaults(handler=_status)

    check = commands.add_parser("check", help="check PDFs for accessibility and print "
                                              "problems (default: every PDF under output/)")
    check.add_argument("pdfs", nargs="*", metavar="PDF")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(handler=_check)
    return parser


def _build(project: Project, args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    selection = model.Selection(tuple(args.campaign), tuple(args.locale), tuple(args.kind),
                                  tuple(args.size))
    group = None
    if args.imprint is not None:
        if args.watch or args.command == "watch":
            raise UsageError("--imprint cannot be combined with watching; build once instead")
        from publication.source.imprint import load_imprint

        group = load_imprint(args.imprint)
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
            if outcome.status == "built" and outcome.messages:  # failures: in the summary
                if display:
                    display.clear()
                for message in outcome.messages:
                    log.warning("  %s", message)

        try:
            report = builder.build(project, targets, options, progress,
                                   display.started if display else None)
        finally:
            if display:
                display.clear()
        for line in builder.summarize(report):
            (log.error if line.startswith(("FAILED", "  ")) else log.info)(line)
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
    """Build, then rebuild what each saved file affects until Ctrl-C (exit 0)."""
    from publication.build import watch

    log = logging.getLogger("make_pdf")
    watcher = watch.Watcher(project, selection.locales)  # before building: miss no save
    run(builder.plan(project, selection))

    def rebuild(change: watch.Change) -> None:
        log.info("saved: %s", ", ".join(display_path(p) for p in change.paths))
        targets = watch.targets_for(project, selection, change)
        if targets:
            run(targets)
        log.info("watching for changes (Ctrl-C to stop)")

    log.info("watching for changes (Ctrl-C to stop)")
    try:
        watch.watch(watcher, rebuild)
    except KeyboardInterrupt:
        log.info("stopped watching")
    return EXIT_OK


def _extract(project: Project, args: argparse.Namespace) -> int:
    changed = catalog.write_pot(project, catalog.extract(project))
    print(f"{project.pot.relative_to(project.root)}: {'written' if changed else 'unchanged'}")
    return EXIT_OK


def _locales(project: Project, asked: list[str]) -> list[str]:
    for code in asked:
        catalog.locale_info(code)
    have = [c for c in catalog.available_locales(project) if c != catalog.SOURCE_LOCALE]
    missing = [c for c in asked if c not in have]
    if missing:
        raise UsageError(f"no catalogue for {', '.join(missing)}; start one with 'init'")
    return asked or have


def _update(project: Project, args: argparse.Namespace) -> int:
    changed = catalog.update(project, _locales(project, args.locale))
    print("updated: " + (", ".join(changed) if changed else "nothing changed"))
    return EXIT_OK


def _init(project: Project, args: argparse.Namespace) -> int:
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
    failed = False
    for code in _locales(project, args.locale):
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
    asked = [code for code in args.locale if code != catalog.SOURCE_LOCALE]
    locales = _locales(project, asked) if asked else []
    if catalog.SOURCE_LOCALE in args.locale:
        locales.insert(0, catalog.SOURCE_LOCALE)
    statuses = status.status(project, locales)
    if args.json:
        print(json.dumps(status.as_json(statuses), ensure_ascii=False, indent=2))
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
