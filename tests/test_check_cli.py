"""`python make_pdf.py check`: reports, JSON, exit codes, the build's record."""

from __future__ import annotations

import json
import logging

import pikepdf
import pytest

from make_pdf import main
from publication.checks.expectations import find_sidecar
from publication.model import Project


@pytest.fixture
def built(project: Project) -> Project:
    assert main(["-q", "build", "--kind", "letter", "--kind", "poster", "--size", "a4",
                 "--size", "a3", "--jobs", "1"], root=project.root) == 0
    return project


def test_check_every_output_passes(built: Project, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["check"], root=built.root) == 0
    out = capsys.readouterr().out
    assert out.strip() == "2 file(s) checked: 0 error(s), 0 warning(s)"


def test_json_report(built: Project, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["check", "--json"], root=built.root) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == report["warnings"] == 0
    assert [f["expectations"] for f in report["files"]] == [True, True]


def test_a_changed_file_loses_its_record(built: Project,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    letter = built.output / "fixture" / "en" / "letter-a4.pdf"
    assert find_sidecar(letter) == built.output / ".check" / "fixture" / "en" / \
        "letter-a4.pdf.json"
    letter.write_bytes(letter.read_bytes() + b"\n% edited\n")
    capsys.readouterr()
    assert main(["check", str(letter)], root=built.root) == 0
    out = capsys.readouterr().out
    assert "warning [expectations.stale]" in out and "1 warning(s)" in out
    assert main(["check", "--strict", str(letter)], root=built.root) == 1


def test_errors_fail_and_json_lists_them(built: Project,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    poster = built.output / "fixture" / "en" / "poster-a3.pdf"
    # Untag the document: drop the structure tree from the catalogue.
    with pikepdf.open(poster, allow_overwriting_input=True) as pdf:
        del pdf.Root["/StructTreeRoot"]
        pdf.save(poster)
    capsys.readouterr()
    assert main(["check", "--json", str(poster)], root=built.root) == 1
    report = json.loads(capsys.readouterr().out)
    checks = {f["check"] for f in report["files"][0]["findings"]}
    assert "pdfua.tagged" in checks and report["errors"] >= 1
    finding = report["files"][0]["findings"][0]
    assert set(finding) == {"severity", "check", "file", "page", "message", "advice"}


def test_usage_errors(project: Project) -> None:
    assert main(["check"], root=project.root) == 2  # nothing built yet
    assert main(["check", "no-such.pdf"], root=project.root) == 2


def test_the_build_reports_the_gate(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="make_pdf")
    assert main(["build", "--kind", "letter", "--size", "a4", "--jobs", "1"],
                root=project.root) == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "make_pdf"]
    assert "accessibility and preflight checks: 1 PDF(s), 0 error(s), 0 warning(s)" in lines


def test_print_shop_files_are_not_in_the_default_set(built: Project,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    poster = built.output / "fixture" / "en" / "poster-a3.pdf"
    (poster.parent / "poster-a3-print.pdf").write_bytes(b"%PDF-1.6 imposed, not accessible")
    capsys.readouterr()
    assert main(["check"], root=built.root) == 0
    assert capsys.readouterr().out.startswith("2 file(s) checked")
