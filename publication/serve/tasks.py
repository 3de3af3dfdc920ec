"""The Celery side: one task, `publication.make_set`, and the worker that runs it.

A worker is started with `make_pdf.py worker --broker redis://… --store DIR` on any
machine that has the project at the same commit and the same fonts, and that sees the
same store (docs/WORKERS.md). Messages are JSON only (never pickle: a broker is not
trusted to run code), a worker takes one task at a time (prefetch 1, acknowledged when
done, so a crashed worker's set goes to another), and each worker process is replaced
after `max_tasks` sets (worker_max_tasks_per_child).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery

from publication.serve import sets
from publication.serve.sets import SetSpec

TASK = "publication.make_set"
app = Celery("publication")
_WHERE: dict[str, Path] = {}  # the worker's project root and store, set by `work`


def configure(broker: str, max_tasks: int = 20) -> Celery:
    """The Celery app on `broker` (Redis: also the result backend)."""
    app.conf.update(
        broker_url=broker, result_backend=broker,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        worker_prefetch_multiplier=1, task_acks_late=True,
        task_reject_on_worker_lost=True, worker_max_tasks_per_child=max_tasks,
        result_expires=24 * 3600, broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


@app.task(name=TASK, bind=True)
def make_set(self: Any, spec: dict[str, Any]) -> str:
    """Make one set in this worker's store; its SetResult as JSON."""
    return sets.make_set(_WHERE["root"], _WHERE["store"], SetSpec.from_json(spec)).to_json()


def work(broker: str, root: Path, store: Path, concurrency: int = 1, max_tasks: int = 20,
         name: str | None = None, loglevel: str = "WARNING") -> None:
    """Run a worker until it is stopped: `concurrency` processes, each replaced after
    `max_tasks` sets. The pipeline is imported before they are forked."""
    import publication.build.pipeline  # noqa: F401 - loaded once, shared by the forks

    _WHERE.update(root=root.resolve(), store=store.resolve())
    configure(broker, max_tasks)
    argv = ["worker", f"--concurrency={concurrency}", "--pool=prefork",
            f"--loglevel={loglevel}", "--without-gossip", "--without-mingle",
            "--without-heartbeat"]
    if name:
        argv.append(f"--hostname={name}")
    app.worker_main(argv)
