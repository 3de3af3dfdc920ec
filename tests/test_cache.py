"""Incremental builds: what is skipped, what one change rebuilds (publication/cache.py)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from publication.build import cache
from publication.build.builder import BuildReport, build, plan
from publication.kinds import CONDITIONS, DEFAULT_CONDITION
from publication.model import BuildOptions, Project, Selection, Target
from tests.projects import REPO, copy_project, make_project
from tests.translating import replace_in, start_catalog

GERMAN = {"title": "Testkampagne", "subtitle": "Ein kurzer Untertitel",
          "petition.title": "Lasst den Gefangenen frei", "letter.salutation": "Sehr geehrte Damen"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    """A project with a German catalogue, its petition and letter built once; tests get
    copies of it (`german`), so that no test sees another's edits."""
    project = make_project(tmp_path_factory.mktemp("cache") / "project", fonts_dir)
    start_catalog(project, "de", GERMAN)
    assert statuses(run(project)) == {"de/petition": "built", "de/letter": "built"}
    return project


@pytest.fixture
def german(built: Project, tmp_path: Path) -> Project:
    """A copy of the built project, for this test alone."""
    return copy_project(built, tmp_path / "project")


def run(project: Project, *, force: bool = False, write_html: bool = False,
        fail_fast: bool = False) -> BuildReport:
    targets = plan(project, Selection(locales=("de",), kinds=("petition", "letter"),
                                      sizes=("a4",)))
    report = build(project, targets, BuildOptions(jobs=1, force=force, write_html=write_html,
                                                  fail_fast=fail_fast))
    assert report.ok, [o.messages for o in report.failed]
    return report


def statuses(report: BuildReport) -> dict[str, str]:
    return {f"{o.target.locale}/{o.target.kind}": o.status for o in report.outcomes}


def pdf(project: Project, kind: str) -> Path:
    return Target("fixture", "de", kind, "a4").path(project.output)


def test_nothing_changed_nothing_built(german: Project) -> None:
    before = {kind: pdf(german, kind).stat().st_mtime_ns for kind in ("petition", "letter")}
    report = run(german)
    assert statuses(report) == {"de/petition": "skipped", "de/letter": "skipped"}
    assert {kind: pdf(german, kind).stat().st_mtime_ns for kind in before} == before
    # A skipped output still reports what its last build found.
    assert all(o.pages == 1 and o.checks is not None for o in report.outcomes
               if o.target.kind == "letter")


def test_force_rebuilds_everything(german: Project) -> None:
    assert statuses(run(german, force=True)) == {"de/petition": "built", "de/letter": "built"}


def test_one_string_rebuilds_only_the_outputs_that_show_it(german: Project) -> None:
    po = german.po("de")
    replace_in(po, '"Lasst den Gefangenen frei"', '"Freiheit für den Gefangenen"')
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "skipped"}
    replace_in(po, '"Sehr geehrte Damen"', '"Sehr geehrte Damen und Herren"')
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "built"}
    replace_in(po, '"Testkampagne"', '"Die Testkampagne"')  # the title: both show it
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "built"}


def test_catalogue_edits_no_output_shows_rebuild_nothing(german: Project) -> None:
    po = german.po("de")
    text, count = re.subn(r"PO-Revision-Date: [^\\]*", "PO-Revision-Date: 2031-01-01 10:00+0000",
                          po.read_text("utf-8"))
    assert count == 1
    po.write_text(text + '\n#~ msgctxt "gone"\n#~ msgid "An old message"\n#~ msgstr "Alt"\n',
                  "utf-8")
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "skipped"}
    # The record now has the new file's digest: the next check needs no parsing.
    record = cache.load(german, Target("fixture", "de", "letter", "a4"))
    assert record is not None
    assert record.inputs["catalogue"] == cache.sha256_bytes(po.read_bytes())


def test_content_styles_and_fonts_are_inputs(german: Project) -> None:
    css = german.styles / "letter.css"
    css.write_text(css.read_text("utf-8") + "\n/* a comment */\n", "utf-8")
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "built"}
    campaign = german.content / "fixture" / "campaign.yaml"
    campaign.write_text(campaign.read_text("utf-8") + "\n# a comment\n", "utf-8")
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "built"}


def test_options_that_change_files_are_inputs(german: Project) -> None:
    assert statuses(run(german, write_html=True)) == {"de/petition": "built",
                                                       "de/letter": "built"}
    assert pdf(german, "letter").with_suffix(".html").is_file()
    assert statuses(run(german, write_html=True)) == {"de/petition": "skipped",
                                                       "de/letter": "skipped"}
    # --jobs and --fail-fast do not change any file.
    assert statuses(run(german, fail_fast=True)) == {"de/petition": "built",
                                                      "de/letter": "built"}
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "skipped"}


def test_a_missing_or_changed_output_is_rebuilt(german: Project) -> None:
    pdf(german, "letter").unlink()
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "built"}
    with open(pdf(german, "petition"), "ab") as fileobj:
        fileobj.write(b"%% appended by someone\n")
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "skipped"}


def test_a_failed_target_keeps_its_old_file_and_is_retried(german: Project) -> None:
    letter = pdf(german, "letter")
    good = letter.read_bytes()
    po = german.po("de")
    replace_in(po, '"Sehr geehrte Damen"', '"Sehr geehrte <b>Damen"')  # bad markup
    targets = plan(german, Selection(locales=("de",), kinds=("letter",), sizes=("a4",)))
    report = build(german, targets, BuildOptions(jobs=1))
    [failed] = report.failed
    assert any("messages.po:" in message for message in failed.messages), failed.messages
    assert letter.read_bytes() == good, "a failed build must leave the earlier PDF"
    record = cache.load(german, targets[0])
    assert record is not None and record.failed
    report = build(german, targets, BuildOptions(jobs=1))
    assert [o.status for o in report.outcomes] == ["failed"], "tried again, not skipped"
    replace_in(po, '"Sehr geehrte <b>Damen"', '"Sehr geehrte Damen"')
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "built"}


def test_a_noop_build_does_not_load_weasyprint(german: Project) -> None:
    """What keeps a build with nothing to do fast: no WeasyPrint, no PDF libraries."""
    code = ("import sys; from pathlib import Path; from make_pdf import main; "
            f"rc = main(['-q', 'build', '--locale', 'de', '--kind', 'petition', '--kind', "
            f"'letter', '--size', 'a4', '--no-print-files'], root=Path({str(german.root)!r})); "
            "heavy = sorted(m for m in ('weasyprint', 'pikepdf', 'reportlab') "
            "if m in sys.modules); print(rc, heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.stdout.split("\n")[-2] == "0 []", result.stdout + result.stderr


def test_the_print_profile_is_an_input_of_print_builds(german: Project, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "cmyk.icc"
    profile.write_bytes(b"profile, first version")
    condition = dataclasses.replace(CONDITIONS[DEFAULT_CONDITION], profile=profile)
    monkeypatch.setitem(CONDITIONS, DEFAULT_CONDITION, condition)
    printing, plain = BuildOptions(print_files=True), BuildOptions()
    before = (cache.Inputs.take(german, printing).common,
              cache.Inputs.take(german, plain).common)
    profile.write_bytes(b"profile, an update of the Debian package")
    assert cache.Inputs.take(german, printing).common != before[0]
    assert cache.Inputs.take(german, plain).common == before[1]
