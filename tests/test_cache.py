"""Incremental builds: what is skipped, what one change rebuilds (publication/build/cache.py)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from publication.build import cache
from publication.build.builder import BuildReport, build, plan
from publication.kinds import CONDITIONS
from publication.model import BuildOptions, Project, Selection, Target
from tests.projects import REPO, copy_project, make_project
from tests.translating import replace_in, start_catalog

GERMAN = {"title": "Testkampagne", "subtitle": "Ein kurzer Untertitel",
          "petition.title": "Lasst den Gefangenen frei", "letter.salutation": "Sehr geehrte Damen",
          # Only the petition shows its demand (the letter's subject line is its title).
          "petition.demand": "Wir fordern die Freilassung des Gefangenen."}


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
    replace_in(po, '"Wir fordern die Freilassung des Gefangenen."',
               '"Wir fordern: Freiheit für den Gefangenen."')
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
    condition = dataclasses.replace(CONDITIONS["fogra39"], profile=profile)
    monkeypatch.setitem(CONDITIONS, "fogra39", condition)
    printing, plain = BuildOptions(print_files=True), BuildOptions()
    before = (cache.Inputs.take(german, printing).common,
              cache.Inputs.take(german, plain).common)
    profile.write_bytes(b"profile, an update of the Debian package")
    assert cache.Inputs.take(german, printing).common != before[0]
    assert cache.Inputs.take(german, plain).common == before[1]


# -- the pipeline counts by what its code does -----------------------------------------


def test_comments_and_docstrings_are_not_code() -> None:
    code = b'"""A module."""\n\ndef f(x):\n    """Twice x."""\n    return 2 * x  # doubled\n'
    same = (b"# A comment first.\n'''Another docstring.'''\n\n\ndef f(x):\n"
            b"    return (2 *\n            x)\n")
    assert cache.code_digest(code) == cache.code_digest(same)
    assert cache.code_digest(code) != cache.code_digest(code.replace(b"2 * x", b"3 * x"))
    # A string that is not a docstring is code: a message, a default.
    assert cache.code_digest(b"def f():\n    x = 1\n    'text'\n") != \
        cache.code_digest(b"def f():\n    x = 1\n")
    assert cache.code_digest(b"def (:") == cache.code_digest(b"def (:")


def package_copy(folder: Path) -> Path:
    """A copy of the publication package, to edit: the repository's is never touched."""
    copy = folder / "publication"
    shutil.copytree(REPO / "publication", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_pipeline_digest_is_the_same_in_every_process(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    code = ("import sys; from pathlib import Path; from publication.build import cache; "
            f"print(cache.pipeline_digest(Path({str(package)!r})))")
    seen = {subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed,
                                                       "PYTHONPATH": str(REPO)}).stdout.strip()
            for seed in ("1", "2")}
    assert seen == {cache.pipeline_digest(package)}


def test_a_comment_or_docstring_edit_rebuilds_nothing_a_code_change_everything(
    german: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = package_copy(tmp_path)
    monkeypatch.setattr(cache, "PACKAGE", package)
    run(german)  # the copy is the package as it is now, perhaps not as the fixture found it
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "skipped"}
    module = package / "source" / "markup.py"
    text = module.read_text("utf-8")
    assert text.startswith('"""')
    module.write_text("# A new first line.\n" + text.replace('"""', '"""Said otherwise. ', 1)
                      + "\n\n# A comment at the end.\n", "utf-8")
    assert statuses(run(german)) == {"de/petition": "skipped", "de/letter": "skipped"}
    module.write_text(module.read_text("utf-8") + "\nANSWER = 42\n", "utf-8")
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "built"}
    # The templates and schemas count by their bytes.
    schema = package / "source" / "campaign.schema.json"
    schema.write_text(schema.read_text("utf-8") + "\n", "utf-8")
    assert statuses(run(german)) == {"de/petition": "built", "de/letter": "built"}


def test_module_digests_are_kept_between_builds(german: Project, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A build parses only the modules whose bytes it has not seen; a memo it cannot
    use (another Python, nonsense) is only a slower build."""
    package = package_copy(tmp_path)
    memo = german.output / ".cache" / cache.PIPELINE_MEMO
    digest = cache.pipeline_digest(package, memo)
    parsed: list[bytes] = []
    monkeypatch.setattr(cache, "_BEHAVIOUR", {})
    monkeypatch.setattr(cache, "code_digest", lambda source: parsed.append(source) or "x")
    assert cache.pipeline_digest(package, memo) == digest and parsed == []
    for nonsense in ("null", "[]", '{"python": 1}', '{"modules": {"a": 1}}', "{"):
        memo.write_text(nonsense, "utf-8")
        monkeypatch.setattr(cache, "_BEHAVIOUR", {})
        parsed.clear()
        assert cache.pipeline_digest(package, memo) != digest  # parsed again, as "x"
        assert parsed


# -- records are untrusted input -------------------------------------------------------


def forge(project: Project, target: Target, change: Callable[[dict[str, Any]], Any]) -> None:
    path = cache.record_path(project, target)
    data = json.loads(path.read_text("utf-8"))
    replaced = change(data)
    path.write_text(json.dumps(data if replaced is None else replaced), "utf-8")


LETTER = Target("fixture", "de", "letter", "a4")
FORGERIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "not a record": lambda r: [r],
    "null": lambda r: "null",
    "inputs null": lambda r: r.update(inputs=None),
    "messages a list": lambda r: r.update(messages=[]),
    "a message digest a number": lambda r: r["messages"].update(x=1),
    "products null": lambda r: r.update(products=None),
    "a product null": lambda r: r["products"].append(None),
    "a product path null": lambda r: r["products"][0].update(path=None),
    "a product with a field too many": lambda r: r["products"][0].update(owner="me"),
    "a product without its size": lambda r: r["products"][0].pop("size"),
    "pages as text": lambda r: r.update(pages="1"),
    "pages true": lambda r: r.update(pages=True),
    "checks of one number": lambda r: r.update(checks=[1]),
    "seconds not a number": lambda r: r.update(seconds=float("nan")),
    "warnings null": lambda r: r.update(warnings=None),
    "target null": lambda r: r.update(target=None),
    "target without a kind": lambda r: r["target"].pop("kind"),
    "another target's record": lambda r: r["target"].update(kind="petition"),
    "a field too many": lambda r: r.update(owner="me"),
    "another version": lambda r: r.update(version=99),
    "absolute product path": lambda r: r["products"][0].update(path="/etc/passwd"),
    "product path with ..": lambda r: r["products"][0].update(path="fixture/../../x.pdf"),
    "product path the output folder": lambda r: r["products"][0].update(path="."),
    "thumbnail path with ..": lambda r: r["products"][0].update(
        thumbnail="../../../../outside/x.png"),
    "thumbnail path through a link out": lambda r: r["products"][0].update(
        thumbnail="link/x.png"),
    "thumbnail path in a loop of links": lambda r: r["products"][0].update(
        thumbnail="loop/x.png"),
}


def test_a_forged_record_is_no_record(german: Project, tmp_path: Path,
                                      caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "elsewhere").mkdir()
    (german.output / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (german.output / "loop").symlink_to(german.output / "loop")
    path = cache.record_path(german, LETTER)
    good = path.read_text("utf-8")
    inputs = cache.Inputs.take(german, BuildOptions(jobs=1))
    assert cache.load(german, LETTER) is not None
    caplog.set_level(logging.DEBUG, logger="publication.build")  # cache and records
    for name, change in FORGERIES.items():
        path.write_text(good, "utf-8")
        forge(german, LETTER, change)
        caplog.clear()
        assert cache.load(german, LETTER) is None, name
        assert cache.stale(german, LETTER, inputs)[0] == "not built before", name
        assert any(str(path) in r.getMessage() for r in caplog.records), name
        assert [r.kind for r in cache.records(german)] in (["petition"], ["letter"]), name
    path.write_text("{", "utf-8")
    assert cache.load(german, LETTER) is None


def test_a_forged_thumbnail_path_writes_nothing_outside_the_output(built: Project,
                                                                   tmp_path: Path) -> None:
    project = copy_project(built, tmp_path / "a" / "b" / "project")
    run(project)  # up to date with the package as it is now
    thumbnail = "../../../../outside/x.png"  # from output/: tmp_path/outside/x.png
    forge(project, LETTER, lambda r: r["products"][0].update(thumbnail=thumbnail))
    around = sorted(p for p in tmp_path.rglob("*") if project.root not in p.parents)
    assert statuses(run(project)) == {"de/petition": "skipped", "de/letter": "built"}
    assert sorted(p for p in tmp_path.rglob("*") if project.root not in p.parents) == around
    assert not (tmp_path / "outside").exists()
    record = cache.load(project, LETTER)
    assert record is not None and record.products[0].thumbnail == ".thumbs/fixture/de/letter-a4.png"
