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
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from publication.serve import sets
from publication.serve.sets import SetResult, SetSpec

LOG = logging.getLogger(__name__)
DEFAULT_MAX_TASKS = 20  # sets a worker process makes before it is replaced
QUEUED_SECONDS = 6 * 3600  # how long a Celery set counts as queued without a result


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
    return None


class LocalQueue:
    """Worker processes of this machine (`jobs` of them), started from a fork server
    that has the pipeline imported, each replaced after `max_tasks` sets."""

    def __init__(self, root: Path, store: Path, jobs: int = 1,
                 max_tasks: int = DEFAULT_MAX_TASKS) -> None:
        self.root, self.store = root, store
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["publication.serve.sets",
                                        "publication.build.pipeline"])
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                        max_tasks_per_child=max_tasks)
        self.futures: dict[str, Future[str]] = {}
        self.lock = threading.Lock()

    def submit(self, spec: SetSpec) -> None:
        key = spec.key
        with self.lock:
            future = self.futures.get(key)
            if future is not None and not (future.done() and future.exception()):
                return  # being made, or made: computed once
            if sets.read_result(self.store, key) is not None:
                return
            self.futures[key] = self.pool.submit(_run, str(self.root), str(self.store),
                                                 spec.to_json())

    def wait(self, key: str, timeout: float | None = None) -> SetResult:
        """Block until the set is made (for `build --imprint`)."""
        with self.lock:
            future = self.futures.get(key)
        if future is not None:
            return SetResult.from_json(future.result(timeout))
        result = sets.read_result(self.store, key)
        if result is None:
            raise KeyError(key)
        return result

    def state(self, key: str) -> State:
        with self.lock:
            future = self.futures.get(key)
        if future is not None and future.done() and future.exception() is not None:
            return State("failed", error=f"{type(future.exception()).__name__}: "
                                         f"{future.exception()}")
        found = _state_from_store(self.store, key)
        if found is not None:
            return found
        return State("queued") if future is not None else State("unknown")

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


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
        marker = f"publication:queued:{key}"
        if not self.redis.set(marker, "1", nx=True, ex=QUEUED_SECONDS):
            if self.app.AsyncResult(key).state != "FAILURE":
                return  # queued or being made by someone: computed once
            self.redis.set(marker, "1", ex=QUEUED_SECONDS)
        self.app.send_task(tasks_name(), args=[spec.to_json()], task_id=key)

    def wait(self, key: str, timeout: float | None = None) -> SetResult:
        text = self.app.AsyncResult(key).get(timeout=timeout)
        return SetResult.from_json(str(text))

    def state(self, key: str) -> State:
        found = _state_from_store(self.store, key)
        if found is not None:
            return found
        task = self.app.AsyncResult(key)
        if task.state == "FAILURE":
            return State("failed", error=str(task.result))
        marker = self.redis.get(f"publication:queued:{key}")
        return State("queued") if marker is not None else State("unknown")

    def close(self) -> None:
        self.redis.close()


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
