"""Safe file writes: a temporary file in the same folder, renamed into place.

A killed or failed build leaves each file either old or new, never half-written;
`remove_leftovers` clears temporary files a killed build left behind. A write that
fails because the disk is full or the folder is read-only raises `WriteFailed`, which
says so in words.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
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
    # The writer's process id in the name: `remove_leftovers` keeps a live writer's file.
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-{path.name}.",
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
    without the build's lock, such as `serve` making a group's set) is left to it."""
    removed = []
    if folder.is_dir():
        for leftover in folder.rglob(f"{TMP_PREFIX}*"):
            if leftover.is_file() and not _writer_alive(leftover.name):
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed


def _writer_alive(name: str) -> bool:
    """Whether the process that named a temporary file `name` is still running."""
    match = re.match(rf"{re.escape(TMP_PREFIX)}(\d+)-", name)
    if match is None:
        return False  # an older build's: its writer is long gone
    pid = int(match[1])
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
