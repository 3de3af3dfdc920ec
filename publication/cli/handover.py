"""The client side of the warm build server (`server.py`): a `build` handing itself
over to it, starting it, stopping it.

Loaded by every command (`publication.cli.main`), so it imports nothing but the
standard library and the build's lock file (`publication.build.lock`): a build handed
over has nothing else to load. `MAKE_PDF_SERVER=0` in
the environment turns the server off: nothing is started or used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from publication.build import lock

SWITCH = "MAKE_PDF_SERVER"  # "0": neither start nor use a server
REQUEST_HEADER = struct.Struct("!I")  # a request: its length, then JSON
STREAMS = (0, 1, 2)  # standard input, output and error: handed over with a request
SOCKET_NAME = "server.sock"
PACKAGES = Path(__file__).resolve().parents[2]  # the folder this `publication` is in


def enabled() -> bool:
    """Whether builds may start and use a server: not with MAKE_PDF_SERVER=0, and only
    where the server can tell who connects (Linux's SO_PEERCRED)."""
    return hasattr(socket, "SO_PEERCRED") and hasattr(socket, "send_fds") and \
        os.environ.get(SWITCH, "1").strip().lower() not in ("0", "no", "off", "false")


def server_folder(root: Path) -> Path | None:
    """The folder of the server of the project at `root` (for this Python): its socket
    (`socket_path`) and its lock (`publication.build.lock`, which names its pid), in a
    folder only this user can open; None when no such folder can be had."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    key = f"{root.resolve()}\0{PACKAGES}\0{sys.executable}\0{sys.version}"
    folder = base / f"make-pdf-{os.getuid()}" / \
        hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    for private in (folder.parent, folder):
        try:
            private.mkdir(mode=0o700, exist_ok=True)
            info = private.lstat()
        except OSError:
            return None
        if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                or info.st_mode & 0o077):  # not ours alone: never listen or connect there
            return None
    # sun_path holds 108 bytes
    return folder if len(os.fsencode(folder / SOCKET_NAME)) < 100 else None


def socket_path(root: Path) -> Path | None:
    """Where the server of the project at `root` listens (`server_folder`)."""
    folder = server_folder(root)
    return folder / SOCKET_NAME if folder is not None else None


def is_build(argv: list[str]) -> bool:
    """Whether `argv` is a build that may go to the server: the command `build` (after
    any top-level option), not watching."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    # argparse takes `--wat` and `--watc` for `--watch` too
    return command == "build" and not any(arg.startswith("--wat") for arg in argv)


def hand_over(root: Path, argv: list[str], prog: str) -> int | None:
    """Run `prog argv` (a build) in the project's server: its exit code, or None when
    no server takes it (then the caller builds itself)."""
    path = socket_path(root) if enabled() else None
    if path is None or not _streams_open():
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(5)
        conn.connect(os.fspath(path))
        _send_request(conn, root, argv, prog)
        replies = conn.makefile("rb")
        started = _reply(replies)
    except (OSError, ValueError):
        conn.close()
        return None
    if "pid" not in started:  # declined (its code changed): build cold
        conn.close()
        return None
    conn.settimeout(None)
    with conn, _forwarding_interrupts(conn):
        while True:
            try:
                reply = _reply(replies)
            except (OSError, ValueError):
                reply = {}
            if "exit" in reply:
                return int(reply["exit"])
            if not reply:  # the server died: its build stops (it gets SIGINT), waited for
                _wait_gone(int(started["pid"]))
                print(f"{prog}: the build server stopped before the build ended; run the "
                      f"command again (with {SWITCH}=0 it builds without the server)",
                      file=sys.stderr)
                return 1


def _streams_open() -> bool:
    """Whether standard input, output and error are all open: a closed one would be
    the socket's descriptor, handed over as a stream."""
    try:
        for fd in STREAMS:
            os.fstat(fd)
    except OSError:
        return False
    return True


def _wait_gone(pid: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.05)


def _send_request(conn: socket.socket, root: Path, argv: list[str], prog: str) -> None:
    mask = os.umask(0)
    os.umask(mask)
    request = {"root": os.fspath(root.resolve()), "argv": argv, "prog": prog,
               "cwd": os.getcwd(), "env": dict(os.environ), "umask": mask,
               "encodings": [_encoding(stream) for stream in (sys.stdin, sys.stdout,
                                                              sys.stderr)]}
    data = json.dumps(request, ensure_ascii=False).encode("utf-8", "surrogateescape")
    message = REQUEST_HEADER.pack(len(data)) + data
    sent = socket.send_fds(conn, [message], list(STREAMS))
    conn.sendall(message[sent:])


def _encoding(stream: Any) -> tuple[str, str]:
    return (getattr(stream, "encoding", None) or "utf-8",
            getattr(stream, "errors", None) or "strict")


def _reply(replies: Any) -> dict[str, Any]:
    line = replies.readline(4096)
    if not line:
        return {}
    value = json.loads(line)
    if not isinstance(value, dict):
        raise ValueError("not a reply")
    return value


@contextlib.contextmanager
def _forwarding_interrupts(conn: socket.socket) -> Iterator[None]:
    """Ctrl-C (and a closed terminal, or `kill`) interrupts the build in the server."""
    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(b"interrupt\n")

    caught = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.signal(number, forward) for number in caught}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def start(root: Path) -> None:
    """Start the project's server in the background, unless one runs or it is off."""
    path = socket_path(root) if enabled() else None
    if path is None or _answers(path):
        return
    with contextlib.suppress(OSError):
        subprocess.Popen([sys.executable, "-m", "publication.cli.server", os.fspath(root)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, cwd=PACKAGES, start_new_session=True,
                         close_fds=True)


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(os.fspath(path))
        except OSError:
            return False
    return True


def stop(root: Path, wait: float = 10.0) -> bool:
    """End the project's server (the builds it runs finish first); whether one ran."""
    folder = server_folder(root)
    if folder is None:
        return False
    path = folder / lock.LOCK_NAME
    pid = lock.held_by(path)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait  # it ends when it lets go of the lock
    while lock.held_by(path, wait=0) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def ready(root: Path) -> bool:
    """Whether the project's server is listening."""
    path = socket_path(root) if enabled() else None
    return path is not None and _answers(path)

