"""The command line's arguments: one sub-parser per command, each naming its handler
(publication.cli.commands)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

from publication import model
from publication.build import builder
from publication.cli.commands import HANDLERS
from publication.kinds import KINDS, PAPERS


class CommandLine(NamedTuple):
    """The parser and each command's own (for messages in that command's usage)."""

    parser: argparse.ArgumentParser
    commands: dict[str, argparse.ArgumentParser]


def command_line(prog: str) -> CommandLine:
    """Every command's arguments; `prog`: the command's name in usage and messages."""
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
    build.set_defaults(handler=HANDLERS["build"])

    watch = commands.add_parser("watch", parents=[common],
                                help="build, then rebuild what each saved .po file (or "
                                     "content, template, style) affects, until Ctrl-C",
                                description="Build as 'build' does, then watch the "
                                            "catalogues, content, templates and styles and "
                                            "rebuild what each saved file affects, until "
                                            "Ctrl-C.")
    _build_options(watch)
    watch.set_defaults(handler=HANDLERS["build"], watch=True, imprint=None)

    extract = commands.add_parser("extract", parents=[common],
                                  help="write locales/messages.pot from the content and "
                                       "templates")
    extract.set_defaults(handler=HANDLERS["extract"])

    update = commands.add_parser("update", parents=[common],
                                 help="merge messages.pot into every catalogue")
    _locales_option(update, "only this locale's catalogue")
    update.set_defaults(handler=HANDLERS["update"])

    init = commands.add_parser("init", parents=[common],
                               help="start a catalogue for a new language")
    init.add_argument("locale", metavar="LOCALE",
                      help="the language's code, like 'it', 'pt_BR' or 'sr_Latn'")
    init.set_defaults(handler=HANDLERS["init"])

    compile_ = commands.add_parser("compile", parents=[common],
                                   help="check catalogues, then write .mo files")
    _locales_option(compile_, "only this locale's catalogue")
    compile_.set_defaults(handler=HANDLERS["compile"])

    status = commands.add_parser("status", parents=[common],
                                 help="how complete each translation is, per publication "
                                      "kind")
    _locales_option(status, "only this locale")
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
    status.set_defaults(handler=HANDLERS["status"])

    preview = commands.add_parser("preview", parents=[common],
                                  help="show a locale's publications in a web browser, "
                                       "refreshed each time its .po file is saved")
    preview.add_argument("--locale", required=True, metavar="CODE",
                         help="the locale to preview (one with a catalogue in locales/)")
    preview.add_argument("--port", type=int, default=0, metavar="N",
                         help="the port on 127.0.0.1 to listen on (default: a free one)")
    preview.set_defaults(handler=HANDLERS["preview"])

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
    serve.set_defaults(handler=HANDLERS["serve"])

    worker = commands.add_parser("worker", parents=[common],
                                 help="a Celery worker making sets for 'serve' and 'build "
                                      "--imprint' (see docs/WORKERS.md)")
    worker.add_argument("--broker", required=True, metavar="redis://HOST:PORT/DB",
                        help="the Redis broker the web app and builds send sets to")
    worker.add_argument("--concurrency", type=int, default=1, metavar="N",
                        help="worker processes (default: 1)")
    worker.add_argument("--name", metavar="NAME", help="the worker's name (default: host)")
    _queue_options(worker)
    worker.set_defaults(handler=HANDLERS["worker"])

    check = commands.add_parser("check", parents=[common],
                                help="check PDFs for accessibility and print problems "
                                     "(default: every PDF under output/)")
    check.add_argument("pdfs", nargs="*", metavar="PDF",
                       help="the PDF files to check (default: every PDF under output/)")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(handler=HANDLERS["check"])
    return CommandLine(parser, dict(commands.choices))


def _build_options(build: argparse.ArgumentParser) -> None:
    """The options `build` and `watch` share: what to build, and how."""
    build.add_argument("--campaign", action="append", default=[], metavar="NAME",
                       help="only this campaign, a folder in content/ (repeat for more; "
                            "default: every one)")
    _locales_option(build, "only this locale: one with a catalogue in locales/, or the "
                           f"source language {model.SOURCE_LOCALE}")
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
                            "bleed and marks, for leaflets and posters) and the leaflet's "
                            "office sheet (leaflet-<size>-office.pdf)")
    build.add_argument("--standard", choices=model.STANDARDS, default=model.STANDARDS[0],
                       help="the PDF/UA part the accessible PDFs conform to and claim: ua-1 "
                            "(PDF 1.7) or ua-2 (PDF 2.0, with structure destinations) "
                            f"(default: {model.STANDARDS[0]})")


def _queue_options(command: argparse.ArgumentParser) -> None:
    """The options `serve` and `worker` share: the output store and worker recycling."""
    command.add_argument("--store", type=Path, metavar="FOLDER",
                         help="the output store the sets are written to, shared by every "
                              "worker (default: output/)")
    command.add_argument("--max-tasks", type=int, default=20, metavar="N",
                         help="sets a worker process makes before it is replaced (default: 20)")


def _locales_option(command: argparse.ArgumentParser, only: str) -> None:
    """`--locale CODE`, repeatable; none given: every locale."""
    command.add_argument("--locale", action="append", default=[], metavar="CODE",
                         help=f"{only} (repeat for more; default: every one)")
