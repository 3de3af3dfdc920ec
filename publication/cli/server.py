"""The warm build server: `build` run in a process that has WeasyPrint loaded already.

A cold `make_pdf.py build --locale de --kind poster` spends more than half of its two
seconds loading modules (WeasyPrint alone half a second, most of it cffi reading
Pango's declarations) and running the tagging self-test, before it lays out a page.
After a build from the command line, the builder starts a server for its project in
the background when none runs: a process that loads those modules, passes the
self-test, and then waits on a Unix socket only its user can open (in a folder of
mode 0700). The next `build` gives it its arguments, folder, environment, umask and
standard streams (their file descriptors, so the output goes straight to the
terminal), and the server forks a child that runs the command as the cold command
would: it reads the content, catalogues, templates, styles, fonts and records afresh.
Ctrl-C reaches the child, and the exit code comes back.

The server keeps nothing from one build to the next but loaded modules. Before each
build it checks that none of their files changed since it loaded them (code edited,
`make setup` upgrading a library); if one did, it declines and ends, and that build
runs cold and starts a fresh server. It ends after 15 minutes without a build.
`MAKE_PDF_SERVER=0` in the environment turns it off: nothing is started or used.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import locale
import os
import select
import signal
import socket
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publication.build import lock
from publication.cli.handover import (
    REQUEST_HEADER,
    SOCKET_NAME,
    STREAMS,
    SWITCH,
    server_folder,
)

IDLE_SECONDS = 15 * 60
_MAX_REQUEST = 1 << 20
# What a build imports (the rest it imports lazily is small).
_WARM = ("publication.build.pool", "publication.build.pipeline", "publication.report.index",
         "publication.report.proof", "publication.report.dashboard", "publication.i18n.missing",
         "publication.source.imprint", "publication.serve.commands")


def serve(root: Path, idle: float = IDLE_SECONDS) -> int:
    """Load the build's modules, then run builds handed over for `root` until `idle`
    seconds pass without one, or a loaded file changes. 0 when it ended so; 1 when it
    could not start (no private folder, or the self-test failed: cold builds say why)."""
    root = root.resolve()
    folder = server_folder(root)
    if folder is None:
        return 1
    try:
        with lock.locked(folder, timeout=0):  # one server per project; its pid, for stop
            return _serve(root, folder / SOCKET_NAME, idle)
    except lock.BuildLocked:
        return 0  # another server of this project starts or runs


def _serve(root: Path, path: Path, idle: float) -> int:
    read = _warm(root)
    if read is None:
        return 1
    loaded = _loaded_files(read)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener.bind(os.fspath(path))
    os.chmod(path, 0o600)
    listener.listen(16)
    listening = _Listening(listener, path, path.stat().st_ino)
    try:
        _loop(listening, root, loaded, idle)
    finally:
        listening.close()
    return 0


@dataclass
class _Listening:
    """The server's socket, and the path it is bound to (removed on closing, unless
    another server has bound it since)."""

    socket: socket.socket
    path: Path
    inode: int

    def close(self) -> None:
        if self.socket.fileno() < 0:
            return
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self.inode:
                self.path.unlink()
        self.socket.close()


def _warm(root: Path) -> list[str] | None:
    """Import what a build imports and pass the tagging self-test, as a build would;
    compile the project's templates and the index's (Jinja checks before each use that
    a template file is unchanged, and compiles it again if not); load Babel's data of
    the project's locales and their hyphenation patterns, and the proof's label font.
    The files read besides modules (to be watched as they are), or None when the
    self-test fails."""
    import gc
    import importlib

    import jinja2

    for name in _WARM:
        importlib.import_module(name)
    from publication import PublicationError
    from publication.i18n.locales import locale_info
    from publication.model import SOURCE_LOCALE, Project
    from publication.press.marks import register_font
    from publication.render.html import environment
    from publication.report.index import page_template
    from publication.report.proof import LABEL_FONT
    from publication.tagging import selftest
    from publication.typeset import hyphenation

    if selftest.run_self_test().problems:
        return None
    project = Project(root)
    templates = environment(project.templates)
    for name in templates.list_templates(extensions=["html"]):
        with contextlib.suppress(jinja2.TemplateError, OSError):  # the build will say
            templates.get_template(name)
    page_template()
    tags = [locale_info(SOURCE_LOCALE).tag]
    with contextlib.suppress(OSError):
        for folder in sorted(project.locales.iterdir()):
            with contextlib.suppress(PublicationError):
                tags.append(locale_info(folder.name).tag)
    # Each language's hyphenation patterns, which a build would read (German's: 0.4 s)
    hyphenation.preload(tags, hyphenation.folder(project.output))
    read = []
    with contextlib.suppress(PublicationError, OSError):
        register_font(project.fonts / LABEL_FONT)
        read.append(os.fspath(project.fonts / LABEL_FONT))
    gc.collect()
    gc.freeze()  # the children share these pages instead of copying them
    return read


def _loaded_files(read: list[str]) -> dict[str, tuple[int, int] | None]:
    """The file of every loaded module, every shared library mapped (Pango, HarfBuzz,
    fontconfig: a system upgrade), and the files `read`, with their modification times
    and sizes."""
    files: dict[str, tuple[int, int] | None] = {name: _stamp(name) for name in read}
    with contextlib.suppress(OSError), \
            open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:  # address perms offset device inode [path]
            fields = line.split(maxsplit=5)
            library = fields[5].strip() if len(fields) == 6 else ""
            if library.startswith("/") and ".so" in library:
                files[library] = _stamp(library)
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if isinstance(name, str):
            files[name] = _stamp(name)
    return files


def _stamp(name: str) -> tuple[int, int] | None:
    try:
        info = os.stat(name)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _changed(loaded: dict[str, tuple[int, int] | None]) -> str | None:
    return next((name for name, stamp in loaded.items() if _stamp(name) != stamp), None)


def _loop(listening: _Listening, root: Path, loaded: dict[str, tuple[int, int] | None],
          idle: float) -> None:
    """Serve until `idle` seconds pass after the last build, SIGTERM, or a request that
    finds a loaded file changed; then stop listening at once (the next build runs cold
    and may start a fresh server) and go on only for the builds still running, passing
    their clients' interrupts on, until they end."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    stop: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
    running: dict[int, socket.socket] = {}  # child pid: its client's connection
    last = time.monotonic()
    while not stop or running:
        if stop:
            listening.close()
        listener = listening.socket
        conns = {conn.fileno(): pid for pid, conn in running.items() if conn.fileno() >= 0}
        timeout = max(0.0, idle - (time.monotonic() - last)) if not running else None
        watched = [wake_read, *conns] + ([listener.fileno()] if listener.fileno() >= 0 else [])
        ready = set(select.select(watched, [], [], timeout)[0])
        if not ready and not running:
            return  # idle long enough
        if wake_read in ready:
            with contextlib.suppress(BlockingIOError, InterruptedError):
                os.read(wake_read, 512)
        if _reap(running):
            last = time.monotonic()
        for fd in ready & conns.keys():  # the client interrupts, or went away
            pid = conns[fd]
            if pid not in running:  # ended and reaped just now: its pid may be reused
                continue
            conn = running[pid]
            try:
                gone = not conn.recv(64)
            except OSError:
                gone = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
            if gone:
                conn.close()
        if listener.fileno() >= 0 and listener.fileno() in ready:
            last = time.monotonic()
            if not _accept(listener, root, loaded, running, (wake_read, wake_write)):
                stop.append(0)


def _reap(running: dict[int, socket.socket]) -> int:
    """Report each build that ended to its client; how many did."""
    ended = 0
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            running.clear()
            break
        if pid == 0:
            break
        conn = running.pop(pid, None)
        if conn is not None:
            ended += 1
            code = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"exit": code if code >= 0 else 128 - code}).encode()
                             + b"\n")
            conn.close()
    return ended


def _accept(listener: socket.socket, root: Path, loaded: dict[str, tuple[int, int] | None],
            running: dict[int, socket.socket], wake: tuple[int, int]) -> bool:
    """Take one request; False when the server must end (a loaded file changed)."""
    try:
        conn, _ = listener.accept()
    except OSError:
        return True
    fds: list[int] = []
    try:
        conn.settimeout(2)
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                  struct.calcsize("3i")))[1]
        request, fds = _read_request(conn)
        if uid != os.getuid() or Path(request["root"]) != root:
            raise ValueError("not this project's user or project")
        changed = _changed(loaded)
        if changed is not None:
            conn.sendall(json.dumps({"declined": f"{changed} changed"}).encode() + b"\n")
            conn.close()
            return False
        if _hung_up(conn):  # the client gave up waiting and builds itself
            raise ValueError("the client went away")
        pid = os.fork()
        if pid == 0:
            _child(request, fds, client=conn, close=(listener, *running.values()), wake=wake)
        running[pid] = conn
        conn.settimeout(None)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:  # gone after all: no one waits for that build
            os.kill(pid, signal.SIGINT)
    except (OSError, ValueError, KeyError, TypeError):
        conn.close()
    finally:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
    return True


def _hung_up(conn: socket.socket) -> bool:
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN | select.POLLHUP)
    for _, events in poller.poll(0):
        if events & select.POLLHUP:
            return True
        if events & select.POLLIN:
            return not conn.recv(1, socket.MSG_PEEK)
    return False


def _read_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 65536, len(STREAMS))
    try:
        if len(fds) != len(STREAMS) or len(data) < REQUEST_HEADER.size:
            raise ValueError("no streams")
        (size,) = REQUEST_HEADER.unpack_from(data)
        if size > _MAX_REQUEST:
            raise ValueError("too long")
        data = data[REQUEST_HEADER.size:]
        while len(data) < size:
            more = conn.recv(size - len(data))
            if not more:
                raise ValueError("cut short")
            data += more
        request = json.loads(data.decode("utf-8", "surrogateescape"))
        if not isinstance(request, dict):
            raise ValueError("not a request")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return request, fds


def _child(request: dict[str, Any], fds: list[int], client: socket.socket,
           close: tuple[socket.socket, ...], wake: tuple[int, int]) -> None:
    """The forked child: become the client's command, run it, end with its exit code."""
    code = 70
    prog = str(request.get("prog", "make-pdf"))
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # Linux: interrupted when the server dies (its client then stops waiting for it).
        from publication.build.pool import PR_SET_PDEATHSIG

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGINT)
        for other in (client, *close):
            other.close()
        for fd in wake:
            os.close(fd)
        for target, fd in zip(STREAMS, fds, strict=True):
            os.dup2(fd, target)
        for fd in set(fds) - set(STREAMS):
            os.close(fd)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        time.tzset()  # the client's TZ, for the times a build writes
        tempfile.tempdir = None  # the client's TMPDIR (the self-test chose the server's)
        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_CTYPE, "")
        os.umask(int(request["umask"]))
        _rewrap_streams(request["encodings"])
        os.chdir(request["cwd"])
        argv = [str(arg) for arg in request["argv"]]
        sys.argv = [prog, *argv]
        from publication.cli.runner import run

        code = run(argv, Path(request["root"]), prog, whole_command=True, start_server=False)
    except KeyboardInterrupt:  # before the command took Ctrl-C over
        _say(f"{prog}: interrupted")
        code = 130
    except BaseException as exc:  # noqa: BLE001 - nothing may escape into the server's loop
        _say(f"{prog}: the build server could not run the build ({type(exc).__name__}: "
             f"{exc}); run the command again with {SWITCH}=0 to build without it")
        code = 70
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a reader gone: the code stands
                stream.flush()
        os._exit(code)


def _say(message: str) -> None:
    with contextlib.suppress(Exception):
        print(message, file=sys.stderr, flush=True)


def _rewrap_streams(encodings: list[list[str]]) -> None:
    """Standard streams on the client's descriptors, as Python would have made them
    there: its encodings, and line buffering on a terminal."""
    (in_enc, in_err), (out_enc, out_err), (err_enc, err_err) = encodings
    sys.stdin = open(0, encoding=in_enc, errors=in_err, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1 if os.isatty(1) else -1,  # noqa: SIM115
                      encoding=out_enc, errors=out_err, closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding=err_enc, errors=err_err,  # noqa: SIM115
                      closefd=False)


def _main(argv: list[str]) -> int:
    """`python -m publication.cli.server ROOT [IDLE_SECONDS]`, as `start` runs it."""
    idle = float(argv[1]) if len(argv) > 1 else IDLE_SECONDS
    return serve(Path(argv[0]), idle)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
