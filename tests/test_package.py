"""The project as an installable package (pyproject.toml): the wheel carries every
sub-package, template, schema and stylesheet, and its `make-pdf` command builds a PDF."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pikepdf
import pytest

from tests.projects import FIXTURES, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from the checkout as `pip install .` would build it."""
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the sources: building in place would leave build/ and *.egg-info behind.
    source = out / "source"
    inside = shutil.ignore_patterns("__pycache__", ".*_cache", "*.egg-info")
    top = {".venv", "output", "fonts", ".git", ".verapdf", "build"}  # not publication/build

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(inside(folder, names))
        if Path(folder) == REPO:
            skipped |= {n for n in names if n in top or n.startswith(".venv")}
        return skipped

    shutil.copytree(REPO, source, ignore=ignore)
    result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                             "--outdir", str(out), str(source)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deprecat" not in (result.stdout + result.stderr).lower(), result.stderr
    (found,) = out.glob("publication-*.whl")
    return found


def test_the_wheel_holds_every_package_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    source = REPO / "publication"
    wanted = {path.relative_to(REPO).as_posix() for path in source.rglob("*")
              if path.is_file() and "__pycache__" not in path.parts}
    wanted |= {f"publication/render/styles/{sheet.name}"
               for sheet in (REPO / "styles").glob("*.css")}  # the checkout's styles/
    assert wanted <= names, sorted(wanted - names)
    assert any(name.endswith("entry_points.txt") for name in names)


def test_the_installed_command_builds_a_pdf(wheel: Path, tmp_path: Path) -> None:
    """`make-pdf` from the wheel, in a new virtual environment, on a project folder that
    has only content and fonts (the stylesheets and templates come from the package)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies are the locked ones of this environment (no download in a test);
    # a .pth file is not read from there, so the checkout's editable install stays out.
    (Path(purelib) / "locked-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                             "--no-deps", "--no-index", "-q", str(wheel)],
                            capture_output=True, text=True, check=False)
    if "no such option: --python" in result.stderr:  # pip before 22.3
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                                 "--no-index", "-q", "--target", purelib, str(wheel)],
                                capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    shutil.copytree(REPO / "fonts", project / "fonts")
    where = subprocess.run([str(python), "-c", "import publication; print(publication.__file__)"],
                           cwd=project, capture_output=True, text=True, check=True).stdout
    assert where.startswith(purelib), where

    command = venv / "bin" / "make-pdf"
    result = subprocess.run([str(command), "-q", "build", "--kind", "letter", "--size", "a4",
                             "--jobs", "1"], cwd=project, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (pdf,) = (project / "output").rglob("letter-a4.pdf")
    with pikepdf.open(pdf) as document:
        assert document.Root.Lang == "en"
        assert "/StructTreeRoot" in document.Root
    assert not (project / "styles").exists()
