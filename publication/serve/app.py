"""`make_pdf.py serve`: the web app where a local group makes its own set (Starlette).

Pages are `/<locale>/` (the form) and `/<locale>/sets/<key>` (progress, previews, the
download), in any locale with a catalogue, right-to-left ones mirrored (`lang`, `dir`).
A set's files are reached only by its key (32 hex digits, a digest of the details: who
does not know a group's details cannot name its files), and only the files that set's
result lists; no part of a request is used as a path.

Safe to expose on an intranet: bound to 127.0.0.1 unless told otherwise, an optional
shared password (HTTP Basic; wrong ones have a stricter rate limit of their own), CSRF
tokens (a cookie and the same value in the form, SameSite=Strict), a request size
limit, a rate limit per client (checked before anything else, the password too), caps
on the sets waiting to be made (for everyone and per client: 503 when full) and on the
publications one set asks for, sets deleted after `sets.RETENTION`, a strict Content
Security Policy, and no HTTP handling of our own beyond these checks.

Handlers that touch the disk, Redis or the content are plain functions (Starlette runs
them in its thread pool), so that a slow store or broker never stalls the event loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from publication.errors import UsageError
from publication.files import sha256_file
from publication.i18n.catalog import compile_catalog, source_catalog
from publication.i18n.locales import available_locales, locale_info
from publication.i18n.localize import Localizer
from publication.model import SOURCE_LOCALE, Project
from publication.serve import forms, sets
from publication.serve.limits import Admission, RateLimit
from publication.serve.queue import CeleryQueue, LocalQueue
from publication.serve.sets import SetSpec
from publication.serve.text import TEMPLATES, render_text
from publication.source.content import load_campaign

MAX_BODY = 32 * 1024  # bytes of a request body; the form is well under 4 KB
CSRF_COOKIE = "csrf"
STATIC = {"page.css": "text/css", "page.js": "text/javascript"}
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@dataclass
class Settings:
    """How the app runs: the project, the store, the queue and its limits."""

    project: Project
    store: Path
    queue: LocalQueue | CeleryQueue
    password: str | None = None
    rate: float = 2.0        # requests a client may make per second, on average
    burst: int = 60          # and at once
    version: str = ""        # the project's version, part of every set's key
    login_rate: float = 0.1  # wrong passwords a client may send per second, on average
    login_burst: int = 10    # and at once; past it every request of its is refused (429)
    max_queued: int = 32     # sets waiting to be made, of every client together
    max_queued_per_client: int = 4
    retention: float = sets.RETENTION  # seconds a set is kept after it was made
    expired_at: float = field(default=0.0, compare=False)  # when sets were last expired


class Guard:
    """ASGI middleware: password, rate limit, body size limit, security headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limit = RateLimit(settings.rate, settings.burst)
        self.failures = RateLimit(settings.login_rate, settings.login_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        refusal = self._refuse(scope, headers)
        if refusal is not None:
            await _secured(refusal)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise _TooLarge
            return message

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY]
            await send(message)

        try:
            await self.app(scope, limited, send_secured)
        except _TooLarge:
            await _secured(PlainTextResponse("request too large", 413))(scope, receive, send)

    def _refuse(self, scope: Scope, headers: dict[str, str]) -> Response | None:
        client = client_of(scope)
        # The rate limits first: a wrong password costs a token like any request, and
        # one of the client's few tokens for wrong passwords; with none left, even the
        # right password waits, so that guessing it takes years.
        wait = self.limit.allow(client) or self.failures.waiting(client)
        password = self.settings.password
        if not wait and password is not None and not _authorised(
                headers.get("authorization", ""), password):
            wait = self.failures.allow(client)
            if not wait:
                return PlainTextResponse("a password is needed", 401, headers={
                    "WWW-Authenticate": 'Basic realm="campaign publications", charset="UTF-8"'})
        if wait:
            return _too_many(wait)
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return PlainTextResponse("request too large", 413)
        return None


class _TooLarge(Exception):
    pass


def client_of(scope: Scope) -> str:
    """The client's address: the socket's, or a proxy's X-Forwarded-For where uvicorn
    trusts it (from 127.0.0.1 only: README, "Serving")."""
    client = scope.get("client") or ("?", 0)
    return str(client[0])


def _too_many(wait: float) -> Response:
    return PlainTextResponse("too many requests; try again in a moment", 429,
                             headers={"Retry-After": str(int(wait) + 1)})


_SECURITY = [(k.encode(), v.encode()) for k, v in (
    ("content-security-policy", CSP), ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY"),
    ("cache-control", "no-store"))]


def _secured(response: Response) -> Response:
    response.raw_headers.extend(_SECURITY)
    return response


def _authorised(header: str, password: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        _, _, given = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    return hmac.compare_digest(given.encode(), password.encode())


def create_app(settings: Settings) -> Starlette:
    """The app; `settings.queue` makes the sets."""
    pages = Pages(settings)
    routes = [
        Route("/", pages.root),
        Route("/static/{name}", pages.static),
        Route("/{locale}/", pages.form, methods=["GET", "POST"]),
        Route("/{locale}/sets/{key}", pages.set_page),
        Route("/sets/{key}/state", pages.state),
        Route("/sets/{key}/files.zip", pages.download),
        Route("/sets/{key}/{preview}.png", pages.preview),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(Guard, settings=settings)
    return app


class Pages:
    """The handlers, over one project and store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.project = settings.project
        self.locales = available_locales(self.project)
        self.campaigns = self.project.campaigns()
        self.admission = Admission(settings.max_queued, settings.max_queued_per_client)
        self.titles: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.expire()

    # -- what may be asked for --------------------------------------------------------

    def _locale(self, request: Request) -> str | None:
        code = str(request.path_params.get("locale", ""))
        return code if code in self.locales else None

    def _key(self, request: Request) -> str | None:
        key = str(request.path_params.get("key", ""))
        return key if sets.KEY_RE.match(key) else None

    def offered(self) -> dict[str, tuple[str, ...]]:
        return {"campaign": tuple(self.campaigns), "locales": tuple(self.locales),
                **forms.offered_kinds()}

    # -- pages ------------------------------------------------------------------------

    def root(self, request: Request) -> Response:
        wanted = [part.split(";")[0].strip().replace("-", "_")
                  for part in request.headers.get("accept-language", "").split(",")]
        code = next((c for w in wanted for c in (w, w.split("_")[0]) if c in self.locales),
                    SOURCE_LOCALE)
        return RedirectResponse(f"/{code}/", 303)

    def static(self, request: Request) -> Response:
        name = str(request.path_params["name"])
        if name not in STATIC:
            return PlainTextResponse("not found", 404)
        return FileResponse(TEMPLATES / name, media_type=STATIC[name])

    async def form(self, request: Request) -> Response:
        code = self._locale(request)
        if code is None:
            return PlainTextResponse("no such page", 404)
        if request.method == "GET":
            return await run_in_threadpool(self._form_page, request, code, forms.clean({}),
                                           {}, [])
        try:
            data = await request.form(max_files=0, max_fields=64, max_part_size=MAX_BODY)
        except _TooLarge:  # the Guard's answer: 413
            raise
        except Exception:  # malformed form data: said, never a traceback
            return PlainTextResponse("the form could not be read", 400)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = str(data.get("csrf", ""))
        values = forms.clean({k: str(data.get(k, "")) for k in forms.FIELD_NAMES})
        choices = {name: [str(v) for v in data.getlist(name)] for name in self.offered()}
        if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
            return await run_in_threadpool(self._form_page, request, code, values, choices,
                                           [forms.FieldError("form", "csrf")], 403)
        return await run_in_threadpool(self._submit, request, code, values, choices)

    def _submit(self, request: Request, code: str, values: dict[str, str],
                choices: dict[str, list[str]]) -> Response:
        valid, errors = forms.validate(values, choices, self.offered())
        if valid is None:
            return self._form_page(request, code, values, choices, errors, 400)
        spec = SetSpec(valid.campaign, valid.locales, valid.kinds, valid.sizes,
                       valid.group_yaml, self.settings.version)
        queue = self.settings.queue
        self.expire()
        if queue.state(spec.key).state != "done":
            refused = self.admission.admit(
                spec.key, client_of(request.scope),
                lambda key: queue.state(key).state in ("queued", "running"),
                lambda: queue.submit(spec))
            if refused is not None:
                return PlainTextResponse(
                    "too many sets are being made now; please try again in a few minutes"
                    if refused == "busy" else
                    "your earlier sets are still being made; please wait until they are "
                    "done", 503, headers={"Retry-After": "60"})
        return RedirectResponse(f"/{code}/sets/{spec.key}", 303)

    def expire(self) -> None:
        """Delete the sets past their retention, at most once an hour."""
        now = time.time()
        with _EXPIRING:
            if now - self.settings.expired_at < EXPIRE_EVERY:
                return
            self.settings.expired_at = now
        sets.expire(self.settings.store, self.settings.retention)

    def _form_page(self, request: Request, code: str, values: dict[str, str],
                   choices: dict[str, list[str]], errors: list[forms.FieldError],
                   status: int = 200) -> Response:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        picked = {name: choices.get(name) or list(default)
                  for name, default in self._defaults(code).items()}
        html = render_text(
            self.project, code, "form.html", values=values, picked=picked, errors=errors,
            by_field={e.field: e for e in errors}, csrf=token, campaigns=self._titles(code),
            locales=[locale_info(c) for c in self.locales], offered=self.offered(),
            page_locales=self._page_locales())
        response = Response(html, status, media_type="text/html; charset=utf-8")
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                            path="/", secure=request.url.scheme == "https")
        return response

    def _defaults(self, code: str) -> dict[str, tuple[str, ...]]:
        return {"campaign": tuple(self.campaigns[:1]), "locales": (code,),
                **forms.default_choices()}

    def _page_locales(self) -> list[tuple[str, str]]:
        return [(c, locale_info(c).name) for c in self.locales]

    def _titles(self, code: str) -> list[tuple[str, str]]:
        """Each campaign's name, its title in the page's language; kept while the
        content and the catalogue are unchanged (by their digest)."""
        sources = [self.project.content / name / "campaign.yaml" for name in self.campaigns]
        if code != SOURCE_LOCALE:
            sources.append(self.project.po(code))
        digest = hashlib.sha256()
        for path in sources:
            try:
                digest.update(sha256_file(path).encode())
            except OSError:
                digest.update(b"-")
        cache = (code, digest.hexdigest())
        found = self.titles.get(cache)
        if found is not None:
            return found
        titles = []
        for name in self.campaigns:
            try:
                catalog = source_catalog() if code == SOURCE_LOCALE else \
                    compile_catalog(self.project, code)
                campaign = load_campaign(self.project.content / name)
                title = str(Localizer(catalog, locale_info(code)).text(
                    campaign.title).striptags())
            except Exception:  # a broken catalogue or content: the folder's name
                title = name
            titles.append((name, title))
        if len(self.titles) > 4 * len(self.locales):  # old digests
            self.titles.clear()
        self.titles[cache] = titles
        return titles

    def set_page(self, request: Request) -> Response:
        code, key = self._locale(request), self._key(request)
        if code is None or key is None:
            return PlainTextResponse("no such page", 404)
        state = self.settings.queue.state(key)
        result = sets.read_result(self.settings.store, key)
        if result is None and state.state == "unknown":
            return PlainTextResponse("no such set", 404)
        where = forms.group_yaml({})[1]
        if result is not None:
            where = _lines_of(self.settings.store, key) or where
        errors = forms.build_errors([m for o in (result.outcomes if result else ())
                                     for m in o["messages"]], where) if result else []
        html = render_text(self.project, code, "set.html", key=key, state=state,
                           result=result, errors=errors, page_locales=self._page_locales())
        return Response(html, media_type="text/html; charset=utf-8")

    def state(self, request: Request) -> Response:
        key = self._key(request)
        if key is None:
            return PlainTextResponse("not found", 404)
        state = self.settings.queue.state(key)
        result = sets.read_result(self.settings.store, key)
        return JSONResponse({"state": state.state, "done": state.done, "total": state.total,
                             "previews": list(result.previews) if result else []})

    def download(self, request: Request) -> Response:
        key = self._key(request)
        result = sets.read_result(self.settings.store, key) if key else None
        if key is None or result is None:
            return PlainTextResponse("not found", 404)
        return _file(sets.set_folder(self.settings.store, key) / sets.ZIP,
                     "application/zip", "publications.zip")

    def preview(self, request: Request) -> Response:
        key = self._key(request)
        name = f"{request.path_params['preview']}.png"
        result = sets.read_result(self.settings.store, key) if key else None
        if key is None or result is None or name not in result.previews:
            return PlainTextResponse("not found", 404)
        return _file(sets.set_folder(self.settings.store, key) / name, "image/png")


def _file(path: Path, media_type: str, filename: str | None = None) -> Response:
    """A set's file, opened here: one deleted since its result was read (an expired set)
    is a 404, not an error while the response is sent."""
    try:
        content = path.read_bytes()
    except OSError:
        return PlainTextResponse("not found", 404)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename \
        else None
    return Response(content, media_type=media_type, headers=headers)


EXPIRE_EVERY = 3600.0  # seconds between looks for sets past their retention
_EXPIRING = threading.Lock()


def _lines_of(store: Path, key: str) -> dict[int, str] | None:
    """Which form field each line of a set's group.yaml holds (for a build's errors)."""
    try:
        text = (sets.set_folder(store, key) / sets.IMPRINT_NAME).read_text("utf-8")
    except OSError:
        return None
    return forms.fields_by_line(text)


def settings_for(project: Project, store: Path, broker: str | None, jobs: int,
                 max_tasks: int, password: str | None) -> Settings:
    """The app's settings; the queue is started here."""
    from publication.serve.queue import open_queue

    if not project.campaigns():
        raise UsageError(f"no campaign in {project.content}: nothing to serve")
    version = project_version(project)
    queue = open_queue(project.root, store, broker, jobs, max_tasks)
    return Settings(project, store, queue, password, version=version)


def project_version(project: Project) -> str:
    """What a set's files depend on besides its request: the pipeline's code, libraries,
    styles, fonts, content and catalogues (publication.build.cache.Inputs)."""
    from publication.build import cache
    from publication.model import BuildOptions

    inputs = cache.Inputs.take(sets.StoreProject(project.root, project.output),
                               BuildOptions(print_files=True))
    parts = [inputs.layout_key, *(inputs.content(c) for c in project.campaigns()),
             *(inputs.po_digest(code) for code in available_locales(project))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]

