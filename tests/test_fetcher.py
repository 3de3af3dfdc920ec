"""Nothing the build reads comes from outside the project (publication/typeset/typesetter.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from publication.model import Project
from publication.typeset.typesetter import ProjectURLFetcher, TypesetError, Typesetter
from publication.typeset.weasy import FatalURLFetchingError


@pytest.fixture
def fetcher(project: Project) -> ProjectURLFetcher:
    return Typesetter(project).fetcher


def test_project_files_are_served(project: Project, fetcher: ProjectURLFetcher) -> None:
    css = project.styles / "base.css"
    response = fetcher.fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    assert response.content_type == "text/css"
    font = next(project.fonts.glob("*.ttf"))
    assert fetcher.fetch(font.as_uri()).read() == font.read_bytes()


@pytest.mark.parametrize("url", [
    "http://example.org/style.css",
    "https://example.org/font.ttf",
    "ftp://example.org/x.css",
    "data:text/css,body{color:red}",
    "file://fileserver/share/styles/base.css",
    "file:///etc/passwd",
    "javascript:alert(1)",
])
def test_other_schemes_and_paths_are_refused(fetcher: ProjectURLFetcher, url: str) -> None:
    with pytest.raises(FatalURLFetchingError, match="refused"):
        fetcher.fetch(url)


def test_climbing_out_of_an_allowed_folder_is_refused(project: Project,
                                                      fetcher: ProjectURLFetcher) -> None:
    secret = project.root / "secret.txt"  # in the project, but not in an allowed folder
    secret.write_text("not for WeasyPrint", "utf-8")
    styles = project.styles.as_uri()
    for url in (f"{styles}/../secret.txt", f"{styles}/%2e%2e/secret.txt",
                (project.root / "locales").as_uri() + "/x.po", secret.as_uri()):
        with pytest.raises(FatalURLFetchingError, match="outside the project's content"):
            fetcher.fetch(url)


def test_symbolic_links_are_resolved_first(project: Project, tmp_path: Path,
                                           fetcher: ProjectURLFetcher) -> None:
    outside = tmp_path / "outside.css"
    outside.write_text("body { color: red }", "utf-8")
    (project.styles / "linked.css").symlink_to(outside)
    (project.content / "fixture" / "escape").symlink_to(tmp_path, target_is_directory=True)
    for link in (project.styles / "linked.css",
                 project.content / "fixture" / "escape" / "outside.css"):
        with pytest.raises(FatalURLFetchingError, match="outside the project's content"):
            fetcher.fetch(link.as_uri())


def test_a_link_inside_the_project_is_followed(project: Project,
                                               fetcher: ProjectURLFetcher) -> None:
    # fonts/ itself is a symbolic link (see conftest): what it points to is allowed.
    assert project.fonts.is_symlink()
    font = next(project.fonts.glob("*.ttf"))
    assert fetcher.fetch(font.as_uri()).read()[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO")


@pytest.mark.parametrize(("head", "body"), [
    ("", '<img src="file:///etc/hostname" alt="x">'),
    ("", '<img src="http://127.0.0.1:9/x.png" alt="x">'),
    ("", '<link rel="stylesheet" href="https://example.org/evil.css">'),
    ('<link rel="stylesheet" href="https://example.org/evil.css">\n', ""),
    ("<style>@import url(file:///etc/hostname);</style>", ""),
])
def test_a_document_asking_for_outside_files_fails(project: Project, head: str,
                                                    body: str) -> None:
    html = (f'<!DOCTYPE html><html lang="en"><head><title>t</title>{head}</head>'
            f"<body><p>Text</p>{body}</body></html>")
    with pytest.raises(TypesetError, match="refused"):
        Typesetter(project).layout(html)
