"""Stage 5: typeset HTML into a tagged PDF with WeasyPrint.

WeasyPrint reads only files under the project's content, styles and fonts folders
(symbolic links resolved first); every other path and scheme is refused. Its warnings
and errors during a document are collected and turned into build errors.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import PublicationError
from .presets import Project


class TypesetError(PublicationError):
    """WeasyPrint reported an error while laying out or writing a document."""


class ProjectURLFetcher(URLFetcher):
    """Serves `file:` URLs under the allowed folders only; refuses everything else."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file",))
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FatalURLFetchingError(f"refused to fetch {url!r}: only project files are read")
        path = Path(unquote(parts.path)).resolve()
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
    """WeasyPrint set up once per process: URL fetcher and font configuration."""

    project: Project

    @functools.cached_property
    def fetcher(self) -> ProjectURLFetcher:
        return ProjectURLFetcher((self.project.content, self.project.styles, self.project.fonts))

    @functools.cached_property
    def font_config(self) -> FontConfiguration:
        return FontConfiguration()

    def layout(self, html: str) -> weasyprint.Document:
        """Lay out `html`; the document knows its pages, ready to write."""
        with _weasyprint_problems() as problems:
            document = weasyprint.HTML(
                string=html, base_url=self.project.root.as_uri() + "/",
                url_fetcher=self.fetcher,
            ).render(font_config=self.font_config)
        if problems:
            raise TypesetError("; ".join(problems))
        return document

    def write(self, document: weasyprint.Document, variant: str = "pdf/ua-1") -> bytes:
        """The PDF bytes of a laid-out document in the given PDF variant."""
        with _weasyprint_problems() as problems:
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
