"""What `serve`, `worker` and `build --imprint A.yaml B.yaml…` do, for publication.cli.

Staff making every group's set at once go through the same queue as the web app: each
file is validated first (every problem as `file:line`, nothing queued until all are
good), then each group's set is one task, in the in-process pool (`--jobs` workers) or
on Celery (`--broker`), into output/<campaign>/<locale>/<group slug>/.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from publication.build.lock import locked
from publication.errors import InputError, Problem, UsageError
from publication.model import BuildOptions, Project, Selection
from publication.serve.queue import DEFAULT_MAX_TASKS, open_queue
from publication.serve.sets import SetResult, SetSpec, parse_imprint

LOG = logging.getLogger("make_pdf")


# What a set is made with is fixed (every check, the print files, no HTML, each set in
# full, made once): the build options that would change that, by their flag.
FIXED_OPTIONS = (("force", False, "--force"), ("strict", False, "--strict"),
                 ("write_html", False, "--html"), ("print_files", True, "--no-print-files"),
                 ("fail_fast", False, "--fail-fast"), ("standard", "ua-1", "--standard"))


def build_groups(project: Project, files: Sequence[Path], selection: Selection,
                 broker: str | None, jobs: int, wait: float,
                 options: BuildOptions | None = None) -> bool:
    """Make each imprint file's set; False when any file failed. `options`: the build's
    other options, each refused (UsageError) where it differs from how sets are made."""
    from publication.build.builder import group_kinds, plan
    from publication.kinds import default_sizes
    from publication.serve.app import project_version

    given = [flag for name, usual, flag in FIXED_OPTIONS
             if options is not None and getattr(options, name) != usual]
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with several --imprint files "
                         "or --broker: each group's set is made with every check and its "
                         "print files, once; build one --imprint file at a time for them")
    texts: dict[Path, str] = {}
    problems: list[Problem] = []
    slugs: dict[str, str] = {}
    for path in files:
        try:
            text = path.read_text("utf-8")
            imprint = parse_imprint(text)
        except InputError as exc:
            problems += [dataclasses.replace(p, path=path) for p in exc.problems]
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, 0, f"cannot read: {exc}"))
            continue
        if imprint.slug in slugs:
            problems.append(Problem(path, 1, f"the folder name '{imprint.slug}' is "
                                             f"{slugs[imprint.slug]}'s too; give one of them "
                                             "its own 'slug:'"))
        slugs[imprint.slug] = str(path)
        texts[path] = text
    if problems:
        raise InputError(problems)
    campaigns = selection.campaigns or tuple(project.campaigns())
    plan(project, selection)  # the selection's names, checked before anything is queued
    kinds = group_kinds(selection.kinds)  # a letter asked for is refused here too
    version = project_version(project)
    specs = [(path, SetSpec(campaign, selection.locales or _all_locales(project),
                            kinds, selection.sizes or default_sizes(),
                            text, version, salted=False))
             for path, text in texts.items() for campaign in campaigns]
    queue = open_queue(project.root, project.output, broker, jobs, DEFAULT_MAX_TASKS)
    start = time.perf_counter()
    ok = True
    try:
        with locked(project.output, wait):
            for _, spec in specs:
                queue.submit(spec)
            for number, (path, spec) in enumerate(specs, 1):
                result = queue.wait(spec.key)
                ok &= _report(path, result, number, len(specs))
    finally:
        queue.close()
    LOG.info("%d group set(s) in %.1f s", len(specs), time.perf_counter() - start)
    return ok


def _report(path: Path, result: SetResult, number: int, total: int) -> bool:
    built = sum(o["status"] == "built" for o in result.outcomes)
    LOG.info("[%d/%d] %s: %d file(s) built, %d failed", number, total, path, built,
             len(result.outcomes) - built)
    if result.error:
        LOG.error("%s: the set could not be made: %s", path, result.error)
    for line, message in result.problems:
        LOG.error("%s:%d: %s", path, line, message)
    for outcome in result.outcomes:
        if outcome["status"] != "built":
            LOG.error("FAILED %s:", outcome["path"])
            for message in outcome["messages"]:
                LOG.error("  %s", str(message).replace("group.yaml:", f"{path}:"))
    return result.ok


def _all_locales(project: Project) -> tuple[str, ...]:
    from publication.i18n.locales import available_locales

    return tuple(available_locales(project))


def server_options(host: str, port: int) -> dict[str, Any]:
    """How uvicorn runs the app. Behind a proxy: X-Forwarded-For and X-Forwarded-Proto
    are believed from 127.0.0.1 only (a proxy on this machine), so that the rate limit
    counts each client and the CSRF cookie is Secure over https (README, "Serving")."""
    return {"host": host, "port": port, "log_level": "warning", "server_header": False,
            "limit_concurrency": 200, "timeout_keep_alive": 5, "proxy_headers": True,
            "forwarded_allow_ips": "127.0.0.1"}


def serve(project: Project, host: str, port: int, store: Path | None, broker: str | None,
          jobs: int, max_tasks: int, password: str | None) -> None:
    """Run the web app until Ctrl-C."""
    import uvicorn

    from publication.serve.app import create_app, settings_for

    if port < 0 or port > 65535:
        raise UsageError("--port must be from 0 to 65535")
    settings = settings_for(project, (store or project.output).resolve(), broker,
                            jobs, max_tasks, password)
    if host not in ("127.0.0.1", "localhost", "::1") and password is None:
        LOG.warning("serving on %s without a password: anyone who can reach it can use "
                    "it (give --password-file for an intranet)", host)
    try:
        uvicorn.run(create_app(settings), **server_options(host, port))
    finally:
        settings.queue.close()


def worker(project: Project, broker: str, store: Path | None, concurrency: int,
           max_tasks: int, name: str | None) -> None:
    """Run a Celery worker until it is stopped."""
    from publication.serve import tasks

    if not broker.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError("--broker must be a Redis address: redis://HOST:PORT/DB")
    tasks.work(broker, project.root, store or project.output, concurrency,
               max_tasks, name)
