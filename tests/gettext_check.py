"""Helpers for the gettext-compatibility tests: GNU msgfmt and Babel read what we write."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import denormalize, read_po, write_po

from publication.i18n import catalog
from publication.model import Project
from tests.translating import start_catalog

REPO = Path(__file__).resolve().parent.parent


def assert_gettext_reads(path: Path) -> Catalog:
    """`msgfmt -c --check-format` accepts `path` and Babel's `read_po` reads it back.

    A missing msgfmt fails the test: without it nothing would check that GNU gettext
    (Poedit, msgmerge, Weblate) can open the files translators are sent.
    """
    done = run_msgfmt(path)
    assert done.returncode == 0, f"msgfmt -c rejects {path}:\n{done.stderr}"
    locale = None if path.suffix == ".pot" else path.parent.parent.name
    with open(path, "rb") as fileobj:
        return read_po(fileobj, locale=locale, abort_invalid=True)


def run_msgfmt(path: Path) -> subprocess.CompletedProcess[str]:
    """`msgfmt -c --check-format -o /dev/null path`; a missing msgfmt fails the test."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is not installed: apt-get install gettext")
    return subprocess.run([msgfmt, "-c", "--check-format", "-o", os.devnull, str(path)],
                          capture_output=True, text=True, check=False)


def catalogue_files(project: Project) -> list[Path]:
    """The template and every locale's catalogue of a project."""
    return [project.pot, *sorted(project.locales.glob("*/LC_MESSAGES/*.po"))]


def assert_all_gettext_readable(project: Project) -> None:
    """Every catalogue of the project passes `assert_gettext_reads` and reads back through
    our own reader to exactly the bytes on disk (a read-write round trip is stable)."""
    files = catalogue_files(project)
    assert project.pot in files and len(files) > 1, files
    for path in files:
        assert_gettext_reads(path)
        code = None if path.suffix == ".pot" else path.parent.parent.name
        assert catalog._po_bytes(catalog._read(path, code)) == path.read_bytes(), path


def previous_msgids(path: Path) -> dict[str, str]:
    """Each `#| msgid` in a file by the msgctxt of its entry, decoded as gettext would
    (with Babel's `denormalize`), independently of publication.pofile's reader."""
    found: dict[str, str] = {}
    lines = path.read_text("utf-8").split("\n")
    for number, line in enumerate(lines):
        if not line.startswith("#| msgid "):
            continue
        quoted = [line[len("#| msgid "):]]
        after = number + 1
        while lines[after].startswith('#| "'):
            quoted.append(lines[after][len("#| "):])
            after += 1
        while not lines[after].startswith("msgctxt "):
            after += 1
        found[denormalize(lines[after][len("msgctxt "):])] = denormalize("\n".join(quoted))
    return found


def copy_repository(root: Path) -> Project:
    """The repository's content, catalogues, templates and babel.cfg copied to `root`."""
    for name in ("content", "locales"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "publication" / "render" / "templates",
                    root / "publication" / "render" / "templates")
    shutil.copy(REPO / "babel.cfg", root)
    return Project(root)


def start_full_catalog(project: Project, code: str,
                       strings: Mapping[str, str | tuple[str, ...]]) -> Path:
    """`start_catalog`, with each plural translation given as many forms as the
    catalogue's Plural-Forms asks for (the last one repeated): msgfmt -c refuses a
    translated plural entry with an empty form."""
    path = start_catalog(project, code, strings)
    with open(path, "rb") as fileobj:
        cat = read_po(fileobj, locale=code)
    for message in cat:
        if isinstance(message.string, tuple) and message.string[0]:
            given = [form for form in message.string if form]
            message.string = tuple(given + given[-1:] * (cat.num_plurals - len(given)))
    with open(path, "wb") as fileobj:
        write_po(fileobj, cat, width=88)
    return path
