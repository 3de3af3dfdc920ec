"""Worker processes: targets handed out in batches, outcomes streamed back.

`run` hands targets to one `Worker` (publication.build.pipeline: one target through
every stage), or to a pool of worker processes forked from the build (so they start
with everything imported), slowest first, and yields each outcome as it finishes, with
the files the target wrote and the catalogue messages it showed, for the cache and the
index.

`publication.build.builder` imports this module only when something has to be built: a build
with nothing to do never loads WeasyPrint.

What every worker would do first (the tagging self-test; the campaigns, catalogues, font
checks and templates several batches share) is done once in the build before the
workers are forked (`_warm_up`), and each worker starts from that `Worker`: two workers
doing the same work at once on two cores shared with other work took longer than the
build doing it once before them.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import multiprocessing.util
import os
import signal
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from publication.build import cache, collector
from publication.build.pipeline import Worker
from publication.model import BuildOptions, FitHint, Outcome, Project, Record, Target

PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent dies


def run(
    project: Project, targets: Mapping[Target, Record | None], options: BuildOptions,
    started: Callable[[Target], None] | None = None, layout_key: str = "",
) -> Generator[Outcome, None, None]:
    """Build `targets` and yield each outcome as it finishes; each target comes with its
    last build's record (or None), which says how long it took (the slowest go first)
    and what it learnt about fitting the target on its pages (`FitHint`), valid for
    the layouts of `layout_key` (`cache.Inputs.layout_key`; "": none is trusted).

    With `options.jobs` > 1, in that many worker processes, each taking a whole batch
    (see `batches`); `started` is told when a target starts. Closing the iterator early
    (fail-fast) cancels the batches that have not started.
    """
    def order(target: Target) -> float:
        return cache.expected_seconds(target, targets[target])

    def with_hint(target: Target) -> tuple[Target, FitHint]:
        record = targets[target]
        return target, record.hint() if record is not None else FitHint()

    queue = sorted(targets, key=order, reverse=True)
    if options.jobs <= 1 or len(queue) == 1:
        worker = Worker(project, layout_key)
        try:
            with collector.batch():
                for target in queue:
                    if started:
                        started(target)
                    yield worker.make(*with_hint(target), options)
        finally:
            worker.close()
        return
    global _WORKER
    context = multiprocessing.get_context("fork")  # workers inherit the loaded modules
    events: SimpleQueue[tuple[str, Target | Outcome]] = context.SimpleQueue()
    stop = context.Event()  # set when the build stops early: no new target is started
    work = batches(queue, options.jobs, order)
    _WORKER = _warm_up(Worker(project, layout_key), work, options)  # every worker's
    pool = ProcessPoolExecutor(max_workers=min(options.jobs, len(work)), mp_context=context,
                               initializer=_init_worker,
                               initargs=(project.root, layout_key, events, stop))
    futures: set[Future[None]] = set()
    try:
        # What the workers inherit is set aside from the collector before they are forked,
        # so that no collection in a worker writes to (and so copies) the inherited pages
        # (https://docs.python.org/3/library/gc.html#gc.freeze). The pool forks them all
        # at the first submit.
        gc.freeze()
        try:
            futures = {pool.submit(_make_in_worker, [with_hint(t) for t in batch], options)
                       for batch in work}
        finally:
            gc.unfreeze()
        pending = futures
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()  # a worker that died raises here
            for what, item in _drain(events):
                if what == "started" and started:
                    assert isinstance(item, Target)
                    started(item)
                elif what == "done":
                    assert isinstance(item, Outcome)
                    yield item
    finally:
        # Stopped early (fail-fast, Ctrl-C, an error): no batch or target starts; the
        # targets being made finish, their news read so that no worker waits to send it.
        stop.set()
        for future in futures:
            future.cancel()
        while not all(future.done() for future in futures):
            wait(futures, timeout=0.1)
            list(_drain(events))
        pool.shutdown(wait=True)
        events.close()
        _WORKER = None


def _drain(events: SimpleQueue[tuple[str, Target | Outcome]],
           ) -> Iterator[tuple[str, Target | Outcome]]:
    while not events.empty():
        yield events.get()


def batches(queue: list[Target], jobs: int, order: Callable[[Target], float],
            ) -> list[list[Target]]:
    """`queue` cut into batches for `jobs` workers, the largest (by `order`) first.

    A worker building several outputs of one locale reuses what the first one loaded
    and shaped (the catalogue, its fonts, QR codes, text runs); spreading a locale over
    every worker cost about 8 % more processor time. So each locale is one batch when
    there are at least two locales per worker, which keeps the last batches small
    enough to even out the workers; else each (locale, kind) is one, or each target.
    """
    locales = {t.locale for t in queue}
    kinds = {(t.locale, t.kind) for t in queue}
    key: Callable[[Target], object]
    if len(locales) >= 2 * jobs:
        key = lambda t: t.locale  # noqa: E731
    elif len(kinds) >= 2 * jobs:
        key = lambda t: (t.locale, t.kind)  # noqa: E731
    else:
        key = lambda t: t  # noqa: E731
    groups: dict[object, list[Target]] = {}
    for target in queue:  # already in `order`, highest first
        groups.setdefault(key(target), []).append(target)
    return sorted(groups.values(), key=lambda batch: sum(map(order, batch)), reverse=True)


_WORKER: Worker | None = None
_EVENTS: SimpleQueue[tuple[str, Target | Outcome]] | None = None
_STOP: EventType | None = None


def _warm_up(worker: Worker, work: list[list[Target]], options: BuildOptions) -> Worker:
    """`worker` with what more than one of the batches in `work` does first: the tagging
    self-test (kept for the process, its outcome a failure too) and the stylesheets'
    families, which every worker needs; each campaign, and each campaign's locale,
    several batches make (`Worker.prepare`), rendered once when several make the same
    kind of it. What one batch alone needs is left to its worker, the others working
    meanwhile."""
    from publication.tagging import selftest

    def batches_making(key: Callable[[Target], object]) -> Counter[object]:
        return Counter(found for batch in work for found in {key(t) for t in batch})

    selftest.run_self_test()
    with contextlib.suppress(Exception):
        _ = worker.font_families
    for name, count in batches_making(lambda t: t.campaign).items():
        if count > 1:
            with contextlib.suppress(Exception):
                worker.campaign(str(name))
    locales = batches_making(lambda t: (t.campaign, t.locale))
    kinds = batches_making(lambda t: (t.campaign, t.locale, t.kind))
    prepared: set[tuple[str, str]] = set()
    # For each campaign and locale, a target of a kind several batches make first: it is
    # the one prepared, and rendered.
    for target in sorted((t for batch in work for t in batch),
                         key=lambda t: kinds[(t.campaign, t.locale, t.kind)] == 1):
        key = (target.campaign, target.locale)
        if locales[key] > 1 and key not in prepared:
            prepared.add(key)
            worker.prepare(target, options,
                           rendering=kinds[(target.campaign, target.locale, target.kind)] > 1)
    return worker


def _init_worker(root: Path, layout_key: str,
                 events: SimpleQueue[tuple[str, Target | Outcome]], stop: EventType) -> None:
    global _WORKER, _EVENTS, _STOP
    parent = os.getppid()
    # Linux: die with the build, so that a killed build leaves no worker writing.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)
    if _WORKER is None or _WORKER.project.root != root or _WORKER.layout_key != layout_key:
        _WORKER = Worker(Project(root), layout_key)  # not forked from `run`'s build
    # A worker process ends with os._exit: nothing is collected, so its fonts' temporary
    # copies are deleted here (multiprocessing runs these finalizers as it ends).
    multiprocessing.util.Finalize(None, _WORKER.close, exitpriority=10)
    _EVENTS = events
    _STOP = stop
    collector.batch().__enter__()  # for the life of the worker process


def _make_in_worker(batch: list[tuple[Target, FitHint]], options: BuildOptions) -> None:
    """Make a batch's targets (each with what its last build learnt) in order, telling
    the build of each start and outcome."""
    assert _WORKER is not None and _EVENTS is not None and _STOP is not None
    for target, hint in batch:
        if _STOP.is_set():
            return
        _EVENTS.put(("started", target))
        _EVENTS.put(("done", _WORKER.make(target, hint, options)))
