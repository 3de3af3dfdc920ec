"""The web app (publication/serve) on a free port of 127.0.0.1, in a thread, over the
real project (its content, catalogues and fonts) with a store of the test's own; and a
real Redis server, started in a temporary folder and stopped after."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from publication.model import Project
from publication.serve.app import Settings, create_app, settings_for
from publication.serve.commands import server_options
from tests.projects import REPO

REDIS_SERVER = Path("/usr/bin/redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(store: Path, broker: str | None = None, password: str | None = None,
            rate: float = 50.0, burst: int = 500, **limits: Any,
            ) -> Iterator[tuple[str, Settings]]:
    """The app serving the repository's project into `store` as `serve` runs it; yields
    its URL. `limits`: other Settings (max_queued, login_burst...)."""
    settings = settings_for(Project(REPO), store, broker, 2, 5, password)
    settings.rate, settings.burst = rate, burst
    for name, value in limits.items():
        assert hasattr(settings, name), name
        setattr(settings, name, value)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings),
                                           **server_options("127.0.0.1", port)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", settings
    finally:
        server.should_exit = True
        thread.join(10)
        settings.queue.close()


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A real redis-server on a free port, its files in `folder`; yields its URL."""
    if not REDIS_SERVER.exists():
        raise AssertionError("redis-server is missing: 'make test' installs Debian's")
    port = free_port()
    process = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            assert process.poll() is None and time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def celery_worker(broker: str, store: Path, max_tasks: int = 5,
                  concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """`make_pdf.py worker` as its own process (as on another machine), stopped after."""
    import sys

    process = subprocess.Popen(
        [sys.executable, str(REPO / "make_pdf.py"), "worker", "--broker", broker, "--store",
         str(store), "--max-tasks", str(max_tasks), "--concurrency", str(concurrency)],
        cwd=REPO, stdout=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
