"""Making targets (publication/build/pool.py, pipeline.py): batches, early stops, the
poster headline search."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import weasyprint

from publication.build.builder import build, plan
from publication.build.pipeline import Job, Worker
from publication.build.pool import batches
from publication.kinds import KINDS, PAPERS
from publication.model import BuildOptions, FitHint, Project, Selection, Target
from tests.projects import make_project
from tests.translating import replace_in, start_catalog

LOCALES = ("ar", "de", "en", "es", "fr", "he")
SECONDS = {"leaflet": 3.0, "poster": 2.0, "petition": 1.5, "letter": 0.5}  # made up


def _targets() -> list[Target]:
    return [Target("c", locale, kind, size) for locale in LOCALES for kind in SECONDS
            for size in ("a4", "letter")]


def _seconds(target: Target) -> float:
    return SECONDS[target.kind] * (2 if target.locale in ("ar", "he") else 1)


@pytest.mark.parametrize(("jobs", "count", "same"), [
    (2, 6, lambda t: t.locale),                # 6 locales >= 2 per worker: one per locale
    (3, 6, lambda t: t.locale),
    (4, 24, lambda t: (t.locale, t.kind)),     # too few locales: one per locale and kind
    (16, 48, lambda t: t),                     # too few of those too: one per target
])
def test_batches_keep_what_shares_caches_together(
    jobs: int, count: int, same: Callable[[Target], object],
) -> None:
    queue = sorted(_targets(), key=_seconds, reverse=True)
    work = batches(queue, jobs, _seconds)
    assert len(work) == count
    assert sorted(str(t) for batch in work for t in batch) == sorted(map(str, queue)), \
        "each target once"
    assert all(len({same(t) for t in batch}) == 1 for batch in work)
    sizes = [sum(map(_seconds, batch)) for batch in work]
    assert sizes == sorted(sizes, reverse=True), "the largest batches first"
    for batch in work:
        assert [_seconds(t) for t in batch] == sorted(map(_seconds, batch), reverse=True)


def test_parallel_fail_fast_starts_nothing_after_a_failure(tmp_path: Path,
                                                           fonts_dir: Path) -> None:
    project = make_project(tmp_path / "project", fonts_dir)
    start_catalog(project, "de", {"title": "Testkampagne",
                                  "letter.salutation": "Sehr geehrte Damen"})
    replace_in(project.po("de"), '"Sehr geehrte Damen"', '"Sehr geehrte <b>Damen"')
    targets = plan(project, Selection(locales=("en", "de")))
    report = build(project, targets, BuildOptions(jobs=2, fail_fast=True))
    assert report.failed, "the broken German catalogue fails its outputs"
    assert len(report.outcomes) < len(targets), "batches not started were cancelled"
    assert all(o.target.locale == "de" for o in report.failed)
    for outcome in report.outcomes:
        if outcome.status == "built":
            assert outcome.path.is_file()


def test_workers_start_from_what_the_build_did_once(tmp_path: Path, fonts_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The tagging self-test and what every target shares (campaign, catalogue, font
    # checks) are done once before the workers are forked; a failure there is still
    # each target's own.
    from publication.tagging import selftest

    project = make_project(tmp_path / "project", fonts_dir)
    runs = tmp_path / "self-tests"
    real = selftest._problems

    def counted() -> list[str]:
        with runs.open("a") as fileobj:
            fileobj.write(f"{os.getpid()}\n")
        return real()

    monkeypatch.setattr(selftest, "_problems", counted)
    selftest.run_self_test.cache_clear()
    targets = plan(project, Selection(kinds=("poster",)))
    assert len(targets) == 2
    try:
        report = build(project, targets, BuildOptions(jobs=2, print_files=False))
        assert report.ok, [o.messages for o in report.failed]
        assert runs.read_text().split() == [str(os.getpid())], "once, in the build"
        selftest.run_self_test.cache_clear()
        monkeypatch.setattr(selftest, "_problems", lambda: ["a changed WeasyPrint"])
        report = build(project, targets, BuildOptions(jobs=2, force=True, print_files=False))
    finally:
        selftest.run_self_test.cache_clear()
    assert len(report.failed) == 2
    assert all("a changed WeasyPrint" in " ".join(o.messages) for o in report.failed)


@pytest.mark.parametrize("jobs", [1, 2])
def test_no_copy_of_the_fonts_is_left_behind(tmp_path: Path, fonts_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    # WeasyPrint copies the @font-face fonts into a temporary folder that it deletes only
    # when its font configuration is collected; a worker process never collects it.
    project = make_project(tmp_path / "project", fonts_dir)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    report = build(project, plan(project, Selection(kinds=("poster",))),
                   BuildOptions(jobs=jobs, print_files=False))
    assert report.ok, [o.messages for o in report.failed]
    assert not list(temporary.glob("weasyprint-*"))


# A ladder of headline sizes longer than the poster's own (one size for every locale,
# give or take a step), so that the search has steps to skip.
LADDER = (160.0, 140.0, 120.0, 100.0, 90.0, 80.0, 72.0, 68.0, 66.0)


def long_headline_poster(tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
                         ) -> tuple[Project, Target]:
    """A German A3 poster whose headline does not fit at the first sizes of LADDER."""
    monkeypatch.setitem(KINDS, "poster", dataclasses.replace(KINDS["poster"],
                                                             headline_steps_a3=LADDER))
    project = make_project(tmp_path / "project", fonts_dir)
    start_catalog(project, "de", {"headline": "Lasst den Gefangenen sofort und ohne jede "
                                              "Bedingung frei"})
    return project, Target("fixture", "de", "poster", "a3")


def counting_worker(project: Project, target: Target, layouts: list[str],
                    monkeypatch: pytest.MonkeyPatch, layout_key: str = "",
                    ) -> tuple[Worker, Job]:
    """A worker whose layouts are recorded in `layouts`, and the target's job."""
    worker = Worker(project, layout_key)
    real_layout = worker.typesetter.layout

    def counted(html: str) -> weasyprint.Document:
        layouts.append(html)
        return real_layout(html)

    monkeypatch.setattr(worker.typesetter, "layout", counted)
    return worker, worker.job(target, target.path(project.output), BuildOptions())


def test_a_poster_headline_search_from_the_last_size_finds_the_same_size(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, target = long_headline_poster(tmp_path, fonts_dir, monkeypatch)
    layouts: list[str] = []
    worker, job = counting_worker(project, target, layouts, monkeypatch)
    paper = PAPERS["a3"]
    _, _, size, _ = worker._fit(job)
    kind = KINDS["poster"]
    steps = kind.headline_steps(paper)
    assert steps.index(size) >= 2, "the test needs a headline that does not fit at once"
    assert len(layouts) == steps.index(size) + 1, "from the top: one layout per step"
    for hint in (0.0, *steps):
        layouts.clear()
        _, _, found, _ = worker._fit(job, FitHint(hint))
        assert found == size, f"started at {hint} pt"
        if hint == size:
            assert len(layouts) == 2, "the size itself and the step above"


def test_a_layout_known_too_tall_is_not_laid_out_again(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The digests of the layouts that did not fit come back from the build; given
    # them, the next build lays out only the size that fits, unless anything a layout
    # depends on (the layout key, standing for code, libraries, styles and fonts) or
    # the HTML itself changed.
    project, target = long_headline_poster(tmp_path, fonts_dir, monkeypatch)
    layouts: list[str] = []

    def worker_with(key: str) -> tuple[Worker, Job]:
        return counting_worker(project, target, layouts, monkeypatch, key)

    worker, job = worker_with("key-1")
    _, first, size, too_tall = worker._fit(job)
    steps = KINDS["poster"].headline_steps(PAPERS["a3"])
    assert len(too_tall) == steps.index(size) >= 2  # every step above the one that fits
    layouts.clear()
    _, again, found, known = worker._fit(job, FitHint(size, frozenset(too_tall)))
    assert (found, len(layouts)) == (size, 1), "only the size that fits is laid out"
    assert known == (too_tall[-1],), "the step above is still known to be too tall"
    assert len(again.pages) == len(first.pages) == 1
    layouts.clear()
    worker, job = worker_with("key-2")  # new code, styles or fonts: nothing is trusted
    _, _, found, _ = worker._fit(job, FitHint(size, frozenset(too_tall)))
    assert (found, len(layouts)) == (size, 2)
