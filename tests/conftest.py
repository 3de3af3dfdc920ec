"""Shared fixtures: a small project (fixture campaign, real styles and fonts) in a temp folder."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from publication.model import Project
from tests.projects import FIXTURES as FIXTURES  # re-exported: tests/printing.py uses it
from tests.projects import REPO, make_project

# No build of the tests (their subprocesses' either) starts or uses a warm build server:
# tests/test_server.py switches it on where it tests it.
os.environ["MAKE_PDF_SERVER"] = "0"


@pytest.fixture(scope="session")
def fonts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's fonts, copied once per test session (make installs them in fonts/)."""
    if not (REPO / "fonts" / ".installed").exists():
        pytest.fail("fonts/ is not installed: run the tests with 'make test'")
    target = tmp_path_factory.mktemp("fonts") / "fonts"
    shutil.copytree(REPO / "fonts", target)
    return target


@pytest.fixture
def project(tmp_path: Path, fonts_dir: Path) -> Project:
    """A fresh project with the fixture campaign, the real styles and babel.cfg."""
    return make_project(tmp_path / "project", fonts_dir)


@pytest.fixture(autouse=True)
def no_unexpected_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A test that logs a warning from the library or WeasyPrint fails.

    A test that expects warnings reads them from `caplog` and calls `caplog.clear()`.
    """
    caplog.set_level(logging.WARNING)
    yield
    unexpected = [r for r in caplog.records
                  if r.levelno >= logging.WARNING
                  and r.name.startswith(("weasyprint", "publication"))]
    if unexpected:
        messages = "\n".join(f"{r.name}: {r.getMessage()}" for r in unexpected)
        pytest.fail(f"unexpected warnings logged:\n{messages}")
