"""Shared fixtures: a small project (fixture campaign, real styles and fonts) in a temp folder."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from publication.presets import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copy(REPO / "babel.cfg", root / "babel.cfg")
    # babel.cfg extracts template strings from publication/templates, as in the repo.
    shutil.copytree(REPO / "publication" / "templates", root / "publication" / "templates")
    (root / "fonts").symlink_to(fonts_dir, target_is_directory=True)
    (root / "locales").mkdir(exist_ok=True)
    (root / "output").mkdir(exist_ok=True)
    return Project(root)


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
