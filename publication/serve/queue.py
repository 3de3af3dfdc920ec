"""Where sets are made: an in-process pool by default, Celery with a Redis broker when
one is given. Both hand a `SetSpec` (JSON) to `sets.make_set` in a worker process that
is recycled after `max_tasks` sets, so that memory stays flat; both compute a set once
however many identical requests arrive together (by its key: one future per key here,
one task id per key and a Redis `SET NX` marker with Celery), and both read progress and
results from the shared output store, so that any worker's work is visible to any web
process.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from publication.errors import PublicationError
from publication.serve import sets
from publication.serve.sets import SetResult, SetSpec

LOG = logging.getLogger(__name__)
DEFAULT_MAX_TASKS = 20  # sets a worker process makes before it is replaced
QUEUED_SECONDS = 6 * 3600  # how long a Celery set counts as queued without a result
WAIT_POLL = 0.5  # seconds between looks at a Celery set that `wait` waits for


@dataclass(frozen=True)
class State:
    """A set as the page shows it: 'queued', 'running' (with done/total), 'done',
    'failed' (with why: a worker's crash, not a failed file) or 'unknown'."""

    state: str
    done: int = 0
    total: int = 0
    error: str = ""


class Queue(Protocol):
    store: Path

    def submit(self, spec: SetSpec) -> None: ...

    def state(self, key: str) -> State: ...

    def close(self) -> None: ...


def _run(root: str, store: str, spec: dict[str, Any]) -> str:
    """In a worker process: make the set; its result's JSON."""
    return sets.make_set(Path(root), Path(store), SetSpec.from_json(spec)).to_json()


def _state_from_store(store: Path, key: str) -> State | None:
    if sets.read_result(store, key) is not None:
        return State("done")
    progress = sets.read_progress(store, key)
    if progress is not None:
        return State("running", *progress)
    failed = sets.read_failed(store, key)
    if failed is not None:
        return State("failed", error=failed.error or "some files could not be made")
    return None


def _finished(store: Path, key: str) -> SetResult | None:
    """A set's last making as the store has it: kept, or failed and not kept."""
    return sets.read_result(store, key) or sets.read_failed(store, key)


class LocalQueue:
    """Worker processes of this machine (`jobs` of them), started from a fork server
    that has the pipeline imported, each replaced after `max_tasks` sets. A set's future
    is kept only while it is queued or being made; what it gave is in the store."""

    def __init__(self, root: Path, store: Path, jobs: int = 1,
                 max_tasks: int = DEFAULT_MAX_TASKS) -> None:
        self.root, self.store = root, store
        self.jobs, self.max_tasks = jobs, max_tasks
        self.pool = self._pool()
        self.futures: dict[str, Future[str]] = {}
        self.lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["publication.serve.sets",
                                        "publication.build.pipeline"])
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=context,
                                   max_tasks_per_child=self.max_tasks)

    def submit(self, spec: SetSpec) -> None:
        key = spec.key
        with self.lock:
            if key in self.futures:
                return  # queued or being made: computed once
            if sets.read_result(self.store, key) is not None:
                return
            sets.forget_failure(self.store, key)
            args = (str(self.root), str(self.store), spec.to_json())
            try:
                future = self.pool.submit(_run, *args)
            except BrokenProcessPool:  # a worker died: the pool takes no more, a new one does
                LOG.info("worker pool broken; starting a new one")
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._pool()
                future = self.pool.submit(_run, *args)
            self.futures[key] = future
        future.add_done_callback(lambda done: self._finished(key, done))

    def _finished(self, key: str, future: Future[str]) -> None:
        """A set's future is done: a worker that died says so in the store."""
        error = None if future.cancelled() else future.exception()
        if error is not None:
            sets.mark_failed(self.store, key, _crash(error))
        with self.lock:
            if self.futures.get(key) is future:
                del self.futures[key]

    def wait(self, key: str, timeout: float | None = None) -> SetResult:
        """Block until the set is made (for `build --imprint`); a worker that died is a
        PublicationError."""
        with self.lock:
            future = self.futures.get(key)
        if future is not None:
            try:
                return SetResult.from_json(future.result(timeout))
            except TimeoutError:
                raise PublicationError(f"set {key} was not made within {timeout:.0f} s"
                                       ) from None
            except Exception as exc:  # the worker process died (BrokenProcessPool)...
                raise PublicationError(f"set {key} could not be made: {_crash(exc)}"
                                       ) from None
        found = _finished(self.store, key)
        if found is None:
            raise PublicationError(f"set {key} was never queued")
        if found.error:
            raise PublicationError(f"set {key} could not be made: {found.error}")
        return found

    def state(self, key: str) -> State:
        found = _state_from_store(self.store, key)
        with self.lock:
            queued = key in self.futures
        if found is not None and not (queued and found.state == "failed"):
            return found
        return State("queued") if queued else State("unknown")

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _crash(error: BaseException) -> str:
    if isinstance(error, BrokenProcessPool):
        return ("its worker process ended without finishing it (killed, or out of memory)"
                f": {error}")
    return f"{type(error).__name__}: {error}"


class CeleryQueue:
    """Sets as Celery tasks on a Redis broker (publication.serve.tasks); the workers,
    on this machine or others, write into the same store."""

    def __init__(self, broker: str, store: Path) -> None:
        import redis

        from publication.serve import tasks

        self.store = store
        self.app = tasks.configure(broker)
        self.redis = redis.Redis.from_url(broker)

    def submit(self, spec: SetSpec) -> None:
        key = spec.key
        if sets.read_result(self.store, key) is not None:
            return
        marker = _marker(key)
        if not self.redis.set(marker, "1", nx=True, ex=QUEUED_SECONDS):
            if self.app.AsyncResult(key).state not in ("FAILURE", "SUCCESS"):
                return  # queued or being made by someone: computed once
            # Made and not kept (a failure), or failed: made again.
            self.app.AsyncResult(key).forget()
            self.redis.set(marker, "1", ex=QUEUED_SECONDS)
        sets.forget_failure(self.store, key)
        self.app.send_task(tasks_name(), args=[spec.to_json()], task_id=key)

    def wait(self, key: str, timeout: float | None = None) -> SetResult:
        """Block until the set is made; a failed task (or one never queued) is a
        PublicationError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            found = sets.read_result(self.store, key)
            if found is not None:
                return found
            task = self.app.AsyncResult(key)
            if task.state == "SUCCESS":
                return SetResult.from_json(str(task.result))
            if task.state == "FAILURE":
                raise PublicationError(f"set {key} could not be made: {task.result!r}")
            if task.state == "PENDING" and self.redis.get(_marker(key)) is None:
                raise PublicationError(f"set {key} is not queued (its queue entry expired "
                                       "or was never made)")
            if deadline is not None and time.monotonic() > deadline:
                raise PublicationError(f"set {key} was not made within {timeout:.0f} s")
            time.sleep(WAIT_POLL)

    def state(self, key: str) -> State:
        found = _state_from_store(self.store, key)
        if found is not None:
            return found
        task = self.app.AsyncResult(key)
        if task.state == "FAILURE":
            return State("failed", error=str(task.result))
        marker = self.redis.get(_marker(key))
        return State("queued") if marker is not None else State("unknown")

    def close(self) -> None:
        self.redis.close()


def _marker(key: str) -> str:
    return f"publication:queued:{key}"


def tasks_name() -> str:
    from publication.serve.tasks import TASK

    return TASK


def open_queue(root: Path, store: Path, broker: str | None, jobs: int = 1,
               max_tasks: int = DEFAULT_MAX_TASKS) -> LocalQueue | CeleryQueue:
    """The queue `serve` and `build --imprint` use: Celery when a broker is given."""
    if broker:
        return CeleryQueue(broker, store)
    return LocalQueue(root, store, jobs, max_tasks)


Progress = Callable[[int, int], None]
