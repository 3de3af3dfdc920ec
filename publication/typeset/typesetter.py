"""Stage 5: typeset HTML into a tagged PDF with WeasyPrint.

WeasyPrint reads only files under the project's content, styles and fonts folders
(symbolic links resolved first); every other path and scheme is refused. Its warnings
and errors during a document are collected and turned into build errors.

A `Typesetter` lives as long as its worker process: fonts are loaded once (one
FontConfiguration) and each stylesheet is parsed once. The page's own stylesheets (its
`<link rel="stylesheet">` and `<style>` elements, in order) are handed to WeasyPrint
already parsed; they then cascade as user style sheets rather than author ones, which
gives the same result as long as the stylesheets use no `!important` (a page with one
is laid out from its links, as is).

Only WeasyPrint's root API is used here; what it defines in sub-modules (font and counter
configuration, URL responses) comes through publication.typeset.weasy.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint

from publication.errors import PublicationError
from publication.model import Project
from publication.typeset import hyphenation
from publication.typeset.weasy import (
    CounterStyle,
    FatalURLFetchingError,
    FontConfiguration,
    PathMemo,
    URLFetcherResponse,
    check_features,
    discard_fonts,
    open_arrays,
    remembered_lines,
    remembered_paths,
    remembered_percentages,
)


class TypesetError(PublicationError):
    """WeasyPrint reported an error while laying out or writing a document."""


# The stylesheets of a page's head as the templates write them (publication/render/templates).
_SHEET_RE = re.compile(r'<link rel="stylesheet" href="([^"<>]+)">\n?|<style>([^<]*)</style>')


class ProjectURLFetcher(weasyprint.URLFetcher):
    """Serves `file:` URLs under the project's content, styles and fonts folders only;
    refuses everything else."""

    def __init__(self, project: Project) -> None:
        super().__init__(allowed_protocols=("file",))
        self.project = project
        self.roots = tuple(root.resolve() for root in (project.content, project.styles,
                                                        project.fonts))

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FatalURLFetchingError(f"refused to fetch {url!r}: only project files are read")
        path = self.project.style_file(Path(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise FatalURLFetchingError(
                f"refused to read {path}: outside the project's content, styles and fonts")
        if not path.is_file():
            raise FatalURLFetchingError(f"{path} does not exist")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": mime})


@dataclass
class Typesetter:
    """WeasyPrint set up once per process: URL fetcher and font configuration.
    `read_only`: write nothing into the project (the translators' preview), not even
    the parsed hyphenation patterns it would keep (publication.typeset.hyphenation)."""

    project: Project
    read_only: bool = False

    @functools.cached_property
    def fetcher(self) -> ProjectURLFetcher:
        return ProjectURLFetcher(self.project)

    @functools.cached_property
    def font_config(self) -> FontConfiguration:
        return FontConfiguration()

    @functools.cached_property
    def counter_style(self) -> CounterStyle:
        return CounterStyle()

    @functools.cached_property
    def paths(self) -> PathMemo:
        return {}  # SVG paths drawn (weasy.remembered_paths), for the life of the process

    def close(self) -> None:
        """Let go of the fonts: the temporary copies WeasyPrint made of them are deleted
        (`weasy.discard_fonts`); laying out after this sets WeasyPrint up again."""
        config = self.__dict__.pop("font_config", None)
        self.__dict__.pop("_sheets", None)  # parsed with that configuration
        if config is not None:
            discard_fonts(config)

    @property
    def base_url(self) -> str:
        return self.project.root.as_uri() + "/"

    @property
    def hyphenation_folder(self) -> Path:
        """Where the parsed hyphenation patterns are kept (publication.typeset.hyphenation)."""
        return hyphenation.folder(self.project.output)

    def layout(self, html: str) -> weasyprint.Document:
        """Lay out `html`; the document knows its pages, ready to write."""
        check_features()  # once per process: what the layout is read with must be there
        with _weasyprint_problems() as problems, remembered_lines(), remembered_percentages(), \
                hyphenation.kept(self.hyphenation_folder, keep=not self.read_only):
            try:
                page, sheets = self._parsed_sheets(html)
                document = weasyprint.HTML(
                    string=page, base_url=self.base_url, url_fetcher=self.fetcher,
                ).render(font_config=self.font_config, counter_style=self.counter_style,
                         stylesheets=sheets)
            except FatalURLFetchingError as exc:  # a BaseException: stop it here
                raise TypesetError(str(exc)) from None
        if problems:
            raise TypesetError("; ".join(problems))
        return document

    def _parsed_sheets(self, html: str) -> tuple[str, list[weasyprint.CSS]]:
        """The page without its head's stylesheets, and those stylesheets parsed (from
        this process's cache); the page as it is when one cannot be taken out."""
        head, end, body = html.partition("</head>")
        found = list(_SHEET_RE.finditer(head))
        sheets = []
        for match in found:
            href, text = match.groups()
            sheet = self._sheet(href) if href is not None else self._inline(text)
            if sheet is None:
                return html, []
            sheets.append(sheet)
        return _SHEET_RE.sub("", head) + end + body, sheets

    @functools.cached_property
    def _sheets(self) -> dict[str, weasyprint.CSS | None]:
        return {}  # stylesheet URL or inline text -> parsed, for the life of the process

    def _sheet(self, href: str) -> weasyprint.CSS | None:
        if href not in self._sheets:
            self._sheets[href] = self._fetch_sheet(href)
        return self._sheets[href]

    def _fetch_sheet(self, href: str) -> weasyprint.CSS | None:
        response = self.fetcher.fetch(href)  # refuses what WeasyPrint would be refused
        try:
            text = response.read().decode("utf-8")
        except UnicodeDecodeError:
            return None  # WeasyPrint will find the encoding, or say why not
        finally:
            response.close()
        return None if "!important" in text else self._parse(text, response.url)

    def _inline(self, text: str) -> weasyprint.CSS | None:
        key = f"<style>{text}"
        if key not in self._sheets:
            self._sheets[key] = None if "!important" in text else \
                self._parse(text, self.base_url)
        return self._sheets[key]

    def _parse(self, text: str, base_url: str) -> weasyprint.CSS:
        return weasyprint.CSS(string=text, base_url=base_url, url_fetcher=self.fetcher,
                              font_config=self.font_config, counter_style=self.counter_style)

    def write(self, document: weasyprint.Document, variant: str = "pdf/ua-1") -> bytes:
        """The PDF bytes of a laid-out document in the given PDF variant."""
        with _weasyprint_problems() as problems, remembered_paths(self.paths), open_arrays():
            data = document.write_pdf(pdf_variant=variant, uncompressed_pdf=False)
        if problems:
            raise TypesetError("; ".join(problems))
        assert isinstance(data, bytes)
        return data


@contextmanager
def _weasyprint_problems() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors while the block runs."""
    problems: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            problems.append(record.getMessage())

    handler = _Collect(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield problems
    finally:
        logger.removeHandler(handler)
