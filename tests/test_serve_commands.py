"""`build --imprint A.yaml B.yaml` through the job queue (publication/serve/commands.py):
every file checked before anything is made, then one set per group into
output/<campaign>/<locale>/<slug>/, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from publication.cli import main
from publication.model import Project

GROUP = 'name: "{name}"\ncontact:\n  email: "{slug}@example.org"\nslug: "{slug}"\n'


def test_several_imprints_go_through_the_queue(project: Project, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for slug in ("gruppe-a", "gruppe-b"):
        path = tmp_path / f"{slug}.yaml"
        path.write_text(GROUP.format(name=f"Gruppe {slug[-1].upper()}", slug=slug))
        files.append(str(path))
    argv = ["build", "--imprint", *files, "--locale", "en", "--kind", "poster", "--size",
            "a3", "--jobs", "2"]
    assert main(argv, root=project.root) == 0, capsys.readouterr().err
    for slug in ("gruppe-a", "gruppe-b"):
        folder = project.output / "fixture" / "en" / slug
        assert sorted(p.name for p in folder.iterdir()) == ["poster-a3-print.pdf",
                                                            "poster-a3.pdf"]
    made = (project.output / "fixture" / "en" / "gruppe-a" / "poster-a3.pdf").stat().st_mtime_ns
    assert main(argv, root=project.root) == 0  # the same details: the same files, not remade
    assert (project.output / "fixture" / "en" / "gruppe-a" / "poster-a3.pdf"
            ).stat().st_mtime_ns == made


def test_every_file_is_checked_before_any_set_is_made(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GROUP.format(name="Gruppe", slug="gruppe"))
    bad.write_text('name: "' + "x" * 61 + '"\ncontact:\n  email: "nope"\n')
    assert main(["build", "--imprint", str(good), str(bad), "--locale", "en"],
                root=project.root) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: name: too long: 61 characters, at most 60 fit" in err
    assert f"{bad}:3: contact.email: 'nope' is not in the expected form" in err
    assert not (project.output / "fixture" / "en" / "gruppe").exists()


@pytest.mark.parametrize("flag", ["--force", "--strict", "--html", "--no-print-files",
                                  "--fail-fast"])
def test_options_sets_are_not_made_with_are_refused(
        project: Project, tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for slug in ("gruppe-a", "gruppe-b"):
        path = tmp_path / f"{slug}.yaml"
        path.write_text(GROUP.format(name=slug, slug=slug))
        files.append(str(path))
    assert main(["build", "--imprint", *files, "--locale", "en", flag],
                root=project.root) == 2
    assert flag in capsys.readouterr().err
    assert not (project.output / "fixture").exists()


def test_a_group_edited_and_reverted_gets_its_own_details_again(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every version of a staff group's details writes the same folder: the set of the
    first version, asked again after another one was built, is made again."""
    from tests.pdfread import struct_text

    path, other = tmp_path / "gruppe.yaml", tmp_path / "andere.yaml"
    other.write_text(GROUP.format(name="Andere Gruppe", slug="andere"))
    argv = ["build", "--imprint", str(path), str(other), "--locale", "en", "--kind",
            "poster", "--size", "a3"]
    poster = project.output / "fixture" / "en" / "gruppe" / "poster-a3.pdf"
    for name in ("Gruppe Erst", "Gruppe Zweit", "Gruppe Erst"):
        path.write_text(GROUP.format(name=name, slug="gruppe"))
        assert main(argv, root=project.root) == 0, capsys.readouterr().err
        assert name in struct_text(poster)
