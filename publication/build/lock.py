"""One build at a time per output folder: an advisory lock on `output/.lock`.

Two builds writing the same folder at once could interleave a PDF from one with the
check record or cache entry of the other. `locked` takes an exclusive `flock` on
`output/.lock`; a second build waits for it (saying so once, with who holds it) and
stops with `BuildLocked` after `timeout` seconds. The kernel releases the lock when
the holder exits in any way, `kill -9` included, so a stale lock cannot outlive it.
Worker processes forked by the build share the lock while they live.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publication.errors import PublicationError, display_path

LOG = logging.getLogger(__name__)

LOCK_NAME = ".lock"
POLL_SECONDS = 0.1


class BuildLocked(PublicationError):
    """Another build kept the output folder locked for longer than we were told to wait."""


def holder(path: Path) -> str:
    """Who holds (or last held) the lock at `path`, for messages: 'pid 42, since 10:01:02'."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    if not isinstance(info, dict) or "pid" not in info:
        return "another process"
    since = f", since {info['started']}" if info.get("started") else ""
    command = f": {info['command']}" if info.get("command") else ""
    return f"pid {info['pid']}{since}{command}"


@contextmanager
def locked(folder: Path, timeout: float = 300.0) -> Iterator[Path]:
    """Hold the lock of `folder` while the block runs; yield the lock file's path.

    Waits up to `timeout` seconds (0: do not wait) for another holder, then raises
    BuildLocked naming it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _acquire(fd, path, folder, timeout)
        # Who holds it, for the message of a build that has to wait.
        info = {"pid": os.getpid(),
                "started": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                "command": " ".join([os.path.basename(sys.argv[0]), *sys.argv[1:]])[:200]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, folder: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if waiting:
                LOG.warning("%s is free now; building", display_path(folder))
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise BuildLocked(
                f"another build ({holder(path)}) is writing {display_path(folder)} and still "
                f"held {display_path(path)} after {timeout:g} s; wait for it to finish (or "
                "stop it) and build again, or give --wait more seconds")
        if not waiting:
            waiting = True
            LOG.warning("waiting for another build (%s) writing %s; up to %g s", holder(path),
                        display_path(folder), timeout)
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
