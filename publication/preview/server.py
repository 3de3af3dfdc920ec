"""`make_pdf.py preview`: a read-only web page on 127.0.0.1 that shows one locale's
publications as pictures and refreshes them as the catalogue is saved.

The standard library's threading HTTP server is enough: one person's browser on the
same machine. It binds the loopback address only, answers GET and HEAD only (every
other method: 405), serves its own page, script and stylesheet from the package, the
state as JSON and the page pictures from memory, never a file by a name from a
request, and refuses a request whose Host is not the loopback address it listens on
(a web page elsewhere cannot reach it through a DNS name pointed at 127.0.0.1). The
state is long-polled: `/state?after=N` answers when there is something newer than N.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, urlsplit

from publication.build.watch import Watcher
from publication.i18n.locales import locale_info
from publication.preview.session import Session

LOG = logging.getLogger(__name__)
HOST = "127.0.0.1"
POLL_SECONDS = 0.05       # how often the catalogue's time stamp is looked at
SETTLE_SECONDS = 0.03     # after a change, for an editor's second write
LONG_POLL_SECONDS = 20.0
ASSETS = {"/": ("page.html", "text/html; charset=utf-8"),
          "/preview.js": ("preview.js", "text/javascript; charset=utf-8"),
          "/preview.css": ("preview.css", "text/css; charset=utf-8")}
_PICTURE = re.compile(r"/picture/([A-Za-z0-9_.-]+)/(\d{1,4})\.png")


def _asset(name: str) -> bytes:
    return (files("publication.preview") / name).read_bytes()


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server with the session it shows."""

    daemon_threads = True

    def __init__(self, session: Session, port: int = 0) -> None:
        self.session = session
        info = locale_info(session.code)
        page = _asset("page.html").decode("utf-8")
        self.assets = {path: (_asset(name) if name != "page.html" else page.replace(
            "{{locale}}", info.code).replace("{{language}}", info.english_name).encode(),
            kind) for path, (name, kind) in ASSETS.items()}
        super().__init__((HOST, port), PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away (a closed tab, a reload during a long poll) is no
        error; anything else is logged, and the server goes on."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            LOG.debug("preview: request from %s failed", client_address, exc_info=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        LOG.debug("preview: " + format, *args)

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"read only\n", "text/plain",
                   {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _answer(self, body: bool) -> None:
        host = self.headers.get("Host", "")
        if host not in (f"{HOST}:{self.server.port}", f"localhost:{self.server.port}"):
            self._send(HTTPStatus.FORBIDDEN, b"wrong host\n", "text/plain", send=body)
            return
        parts = urlsplit(self.path)
        session = self.server.session
        if parts.path in self.server.assets:
            data, kind = self.server.assets[parts.path]
            self._send(HTTPStatus.OK, data, kind, send=body)
        elif parts.path == "/state":
            after = parse_qs(parts.query).get("after", ["-1"])[0]
            session.wait(int(after) if after.lstrip("-").isdigit() else -1, LONG_POLL_SECONDS)
            data = json.dumps(session.state(), ensure_ascii=False).encode("utf-8")
            self._send(HTTPStatus.OK, data, "application/json", send=body)
        elif (match := _PICTURE.fullmatch(parts.path)) is not None:
            png = session.picture(match.group(1), int(match.group(2)))
            if png is None:
                self._send(HTTPStatus.NOT_FOUND, b"no such page\n", "text/plain", send=body)
            else:  # the URL carries the version: a picture never changes under its URL
                self._send(HTTPStatus.OK, png, "image/png",
                           {"Cache-Control": "max-age=3600, immutable"}, send=body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", send=body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str,
              headers: dict[str, str] | None = None, send: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy",
                         "default-src 'self'; img-src 'self'; frame-ancestors 'none'")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Cache-Control" not in (headers or {}):
            self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send:
            self.wfile.write(data)


def watch_catalogue(session: Session, stop: threading.Event,
                    poll: float = POLL_SECONDS) -> None:
    """Refresh the session after each save of its catalogue (or of the content,
    templates and styles, which need a fresh worker), until `stop` is set."""
    watcher = Watcher(session.project, (session.code,))
    session.refresh()
    while not stop.wait(poll):
        try:
            change = watcher.poll()
            if change is None:
                continue
            time.sleep(SETTLE_SECONDS)
            again = watcher.poll()
            everything = change.everything or (again is not None and again.everything)
        except OSError:  # a folder renamed under us: look again next time
            continue
        if everything:
            session.reload()
        session.refresh()


def serve(session: Session, port: int = 0,
          ready: Callable[[PreviewServer], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Serve the preview until `stop` is set (or Ctrl-C); `ready` is called with the
    server once it listens (the command line prints its address)."""
    stop = stop or threading.Event()
    session.start_painters()  # one drawing process per core
    server = PreviewServer(session, port)
    watcher = threading.Thread(target=watch_catalogue, args=(session, stop), daemon=True,
                               name="preview-watch")
    http = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                            daemon=True, name="preview-http")
    http.start()
    if ready is not None:
        ready(server)
    watcher.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        watcher.join(timeout=10)
        session.close()
