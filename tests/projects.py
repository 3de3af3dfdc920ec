"""Small projects for the tests: the fixture campaign with the real styles and fonts."""

from __future__ import annotations

import shutil
from pathlib import Path

from publication.model import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(root: Path, fonts_dir: Path) -> Project:
    """A project at `root` with the fixture campaign, the real styles and babel.cfg; the
    `project` fixture's, for fixtures of a wider scope too."""
    shutil.copytree(FIXTURES / "project", root)
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copy(REPO / "babel.cfg", root / "babel.cfg")
    # babel.cfg extracts template strings from publication/render/templates, as in the repo.
    shutil.copytree(REPO / "publication" / "render" / "templates",
                    root / "publication" / "render" / "templates")
    (root / "fonts").symlink_to(fonts_dir, target_is_directory=True)
    (root / "locales").mkdir(exist_ok=True)
    (root / "output").mkdir(exist_ok=True)
    return Project(root)


def copy_project(project: Project, root: Path) -> Project:
    """A copy of `project` (its outputs and build records too) at `root`: what a test
    changes in it, no other test sees. The fonts stay a link to the shared copy."""
    shutil.copytree(project.root, root, symlinks=True)
    return Project(root)
