"""One build at a time per output folder: an advisory lock on `output/.lock`.

Two builds writing the same folder at once could interleave a PDF from one with the
check record or cache entry of the other. `locked` takes an exclusive `flock` on
`output/.lock`; a second build waits for it (saying so once, with who holds it) and
stops with `BuildLocked` after `timeout` seconds. The kernel releases the lock when
the holder exits in any way, `kill -9` included, so a stale lock cannot outlive it.
Worker processes forked by the build share the lock while they live.

The lock file is opened without following a symbolic link and never truncated: only a
regular file with no other name (no hard link) is used, and who holds it is written
over its first `RECORD_SIZE` bytes, so that nothing planted at `output/.lock` can make
a build damage a file elsewhere. Anything else there is a `LockFileError`.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import logging
import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from publication.errors import PublicationError, display_path

LOG = logging.getLogger(__name__)

LOCK_NAME = ".lock"
POLL_SECONDS = 0.1
RECORD_SIZE = 512  # bytes of holder information, padded with spaces


class BuildLocked(PublicationError):
    """Another build kept the output folder locked for longer than we were told to wait."""


class LockFileError(PublicationError):
    """What is at `output/.lock` is not a lock file a build may use (a link, a folder...)."""


def holder(path: Path) -> str:
    """Who holds (or last held) the lock at `path`, for messages: 'pid 42, since 10:01:02'."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            info = _holder_record(fd)
        finally:
            os.close(fd)
    except OSError:
        return "another process"
    if info is None:
        return "another process"
    since = f", since {info['started']}" if info.get("started") else ""
    command = f": {info['command']}" if info.get("command") else ""
    return f"pid {info['pid']}{since}{command}"


def held_by(path: Path, wait: float = 2.0) -> int | None:
    """The process id of who holds the lock at `path` now; None when nobody does (a
    record left by a holder that was killed is not believed). A holder writes its record
    just after taking the lock: up to `wait` seconds are given for it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # held
            deadline = time.monotonic() + wait
            while (info := _holder_record(fd)) is None and time.monotonic() < deadline:
                time.sleep(0.01)
            return int(info["pid"]) if info is not None else None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _holder_record(fd: int) -> dict[str, Any] | None:
    """The holder's record in the lock file open at `fd`, if it has one."""
    try:
        info = json.loads(os.pread(fd, RECORD_SIZE, 0).decode("utf-8").strip() or "{}")
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
        return None
    return info


@contextmanager
def locked(folder: Path, timeout: float = 300.0) -> Iterator[Path]:
    """Hold the lock of `folder` while the block runs; yield the lock file's path.

    Waits up to `timeout` seconds (0: do not wait) for another holder, then raises
    BuildLocked naming it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = _open(path)
    try:
        _acquire(fd, path, folder, timeout)
        # Who holds it, for the message of a build that has to wait.
        info = {"pid": os.getpid(),
                "started": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                "command": " ".join([os.path.basename(sys.argv[0]), *sys.argv[1:]])[:200]}
        _record(fd, json.dumps(info))
        try:
            yield path
        finally:
            _record(fd, "")
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open(path: Path) -> int:
    """The lock file, opened for writing: never through a symbolic link, never a file
    with another name too, never anything but a regular file."""
    fix = f"delete {display_path(path)} (a build makes its own) and build again"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP and path.is_symlink():
            raise LockFileError(f"{display_path(path)} is a symbolic link, not the build's "
                                f"lock file: {fix}") from None
        if exc.errno == errno.EISDIR:
            raise LockFileError(f"{display_path(path)} is a folder, not the build's lock "
                                f"file: {fix}") from None
        raise
    info = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file"
    elif info.st_nlink != 1:
        problem = "has another name too (a hard link)"
    if problem:
        os.close(fd)
        raise LockFileError(f"{display_path(path)} {problem}, so it is not the build's "
                            f"lock file: {fix}")
    return fd


def _record(fd: int, text: str) -> None:
    """Write who holds the lock over the file's first RECORD_SIZE bytes (never truncating
    it); best effort: a full disk does not stop the build for it."""
    data = text.encode("utf-8")[:RECORD_SIZE]
    try:
        os.pwrite(fd, data + b" " * (RECORD_SIZE - len(data)), 0)
    except OSError as exc:
        LOG.debug("cannot record the lock's holder: %s", exc)


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
