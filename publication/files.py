"""Safe file writes: a temporary file in the same folder, renamed into place.

A killed or failed build leaves each file either old or new, never half-written;
`remove_leftovers` clears temporary files a killed build left behind. A write that
fails because the disk is full or the folder is read-only raises `WriteFailed`, which
says so in words.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import socket
import tempfile
import time
from pathlib import Path

TMP_PREFIX = ".tmp-"
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
DISK_FULL_WORDS = "the disk is full"  # in a WriteFailed's message, wherever it is shown


class WriteFailed(OSError):
    """A write refused because the disk is full or the folder is read-only.

    Still an OSError (`errno`, `filename`); its message says in words what happened
    and where: 'cannot write output/x.pdf: the disk is full'.
    """

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(error.errno, error.strerror, str(path))
        self.path = path

    @property
    def disk_full(self) -> bool:
        return self.errno in DISK_FULL

    def __str__(self) -> str:
        if self.errno == errno.ENOSPC:
            why = DISK_FULL_WORDS
        elif self.errno in DISK_FULL:
            why = "the disk quota is used up"
        else:
            why = f"the folder is read-only ({self.strerror})"
        return f"cannot write {self.filename}: {why}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and an atomic rename.

    A full disk or a read-only folder is a `WriteFailed` naming `path`; the file is then
    left as it was."""
    try:
        _write(path, data)
    except OSError as exc:
        if exc.errno in DISK_FULL or exc.errno in READ_ONLY:
            raise WriteFailed(path, exc) from exc
        raise


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer (host and process) in the name: `remove_leftovers` keeps a live one's file.
    # (The process id is taken at each write: a forked worker has its own.)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{_host()}.{os.getpid()}-{path.name}.",
                               dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fileobj:
            fileobj.write(data)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files left under `folder` by a killed run; return what was removed.

    A file whose writer is still running (another command writing into the same folder
    without the build's lock, such as `serve` making a group's set) is left to it; so is
    a recent one from another machine sharing the folder (docs/WORKERS.md), whose
    processes this one cannot see."""
    removed = []
    if folder.is_dir():
        for leftover in folder.rglob(f"{TMP_PREFIX}*"):
            if leftover.is_file() and not _writer_alive(leftover):
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed


@functools.cache
def _host() -> str:
    """This machine's name as a temporary file's name holds it."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"

# A temporary file lives for one write; one from another machine older than this is a
# leftover of a writer that died there.
OTHER_HOST_SECONDS = 3600.0


def _writer_alive(path: Path) -> bool:
    """Whether the process that named the temporary file at `path` may still be writing."""
    match = re.match(rf"{re.escape(TMP_PREFIX)}(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)-",
                     path.name)
    if match is None:
        return False  # an older build's: its writer is long gone
    if match["host"] != _host():
        try:
            return time.time() - path.stat().st_mtime < OTHER_HOST_SECONDS
        except OSError:
            return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False  # ours, left by a write that failed
    try:  # Linux: a killed worker not yet reaped is a zombie, no writer
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:
        return False  # no process has that number
    except PermissionError:
        return True  # another user's process
    return True


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fileobj:
        for block in iter(lambda: fileobj.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
