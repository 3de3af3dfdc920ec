"""Two clean builds of the same sources give the same bytes, whatever the job count, the
time zone or the folder; SOURCE_DATE_EPOCH sets the dates (publication/build.py,
render.publication_time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from publication.build.builder import build, plan
from publication.model import BuildOptions, Project, Selection
from tests.projects import make_project
from tests.translating import start_catalog

ARABIC = {"title": "حملة الاختبار", "headline": "الحرية للمحتجز", "subtitle": "عنوان فرعي قصير"}
SELECTION = Selection(locales=("en", "ar"), kinds=("leaflet", "poster"), sizes=("a4", "a3"))
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test change TZ; the process's zone is restored afterwards."""
    yield
    monkeypatch.undo()
    time.tzset()


def _build(root: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch, jobs: int,
           tz: str) -> Project:
    project = make_project(root, fonts_dir)
    start_catalog(project, "ar", ARABIC)
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    report = build(project, plan(project, SELECTION),
                   BuildOptions(jobs=jobs, force=True, print_files=True))
    assert report.ok, [o.messages for o in report.failed]
    return project


def _files(project: Project) -> dict[str, bytes]:
    return {p.relative_to(project.output).as_posix(): p.read_bytes()
            for p in sorted(project.output.rglob("*.pdf"))}


def test_same_bytes_whatever_the_jobs_zone_and_folder(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch, zone: None,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _build(tmp_path / "a" / "project", fonts_dir, monkeypatch, 1, "UTC")
    second = _build(tmp_path / "elsewhere" / "copy", fonts_dir, monkeypatch, 2,
                    "Pacific/Kiritimati")
    files = _files(first)
    # 2 locales x 2 kinds, accessible and print; the leaflets' office sheets; the proof.
    assert len(files) == 11, sorted(files)
    assert _files(second) == files
    manifest = (first.output / "manifest.json").read_bytes()
    assert (second.output / "manifest.json").read_bytes() == manifest
    # Without SOURCE_DATE_EPOCH, the dates are the content's (fixture: 2020-03-04).
    with pikepdf.open(first.output / "fixture" / "ar" / "poster-a3.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20200304")
        ids = pdf.trailer.ID
        assert bytes(ids[0]) == bytes(ids[1])


def test_source_date_epoch_sets_every_date(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch, zone: None,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = _build(tmp_path / "project", fonts_dir, monkeypatch, 1, "America/New_York")
    before = _files(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    # Not forced: the environment is one of each output's inputs.
    report = build(project, plan(project, SELECTION), BuildOptions(jobs=1, print_files=True))
    assert {o.status for o in report.outcomes} == {"built"}
    after = _files(project)
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in after)
    for path in (p for p in project.output.rglob("*.pdf")):
        with pikepdf.open(path) as pdf:
            assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320"), path
            assert str(pdf.docinfo["/ModDate"]).startswith("D:20231114221320"), path
            meta = pdf.open_metadata()
            assert meta["xmp:CreateDate"].startswith("2023-11-14T22:13:20"), path
            assert meta["xmp:ModifyDate"].startswith("2023-11-14T22:13:20"), path
