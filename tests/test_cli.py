"""The command line's arguments (publication/cli/): global options anywhere, help for
every option, `watch` with its own usage, and messages that point the right way."""

from __future__ import annotations

import argparse
import logging

import pytest

from make_pdf import main
from publication.cli.parser import command_line
from publication.model import Project


def test_every_option_and_argument_has_help() -> None:
    line = command_line("make_pdf.py")
    missing = []
    for name, sub in {"": line.parser, **line.commands}.items():
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, missing


@pytest.mark.parametrize("command", ["build", "watch", "status", "extract", "check", "compile",
                                     "update", "init"])
def test_quiet_is_accepted_after_the_command_too(command: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"], prog="make_pdf.py") == 0
    usage = capsys.readouterr().out
    assert usage.startswith(f"usage: make_pdf.py {command} ")
    assert "-q, --quiet" in usage


def test_build_q_is_quiet(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="make_pdf")
    assert main(["build", "--kind", "letter", "--size", "a4", "-q"], root=project.root) == 0
    assert caplog.text == ""
    assert main(["build", "-q", "--kind", "letter", "--size", "a4"], root=project.root) == 0
    assert caplog.text == ""
    assert main(["build", "--kind", "letter", "--size", "a4"], root=project.root) == 0
    assert "nothing built" in caplog.text or "1 skipped" in caplog.text
    caplog.clear()


def test_status_q_after_the_command(project: Project,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "-q"], root=project.root) == 0
    assert main(["status", "-q"], root=project.root) == 0
    assert "LOCALE" in capsys.readouterr().out
    assert main(["-q", "status", "--json", "-q"], root=project.root) == 0


def test_watch_has_its_own_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "--help"], prog="make_pdf.py") == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: make_pdf.py watch ")
    assert "rebuild what each saved file affects" in " ".join(out.split())
    assert "--watch" not in out and "--imprint" not in out
    assert main(["watch", "--imprint", "x.yaml"], prog="make_pdf.py") == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: make_pdf.py watch ")
    assert "make_pdf.py watch: error: unrecognized arguments: --imprint x.yaml" in err


def test_build_help_names_its_selection_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--help"], prog="make_pdf.py") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--campaign NAME only this campaign, a folder in content/" in out
    assert "--locale CODE only this locale" in out


@pytest.mark.parametrize("command", ["update", "compile"])
def test_the_source_language_has_no_catalogue_to_update(
    project: Project, capsys: pytest.CaptureFixture[str], command: str,
) -> None:
    assert main([command, "--locale", "en"], root=project.root, prog="make_pdf.py") == 2
    err = capsys.readouterr().err
    assert err.startswith("make_pdf.py: 'en' is the source language: the content and "
                          f"templates are written in it, so it has no catalogue to {command}")
    assert "init" not in err, "init refuses the source language: it is no way out"
    assert main(["init", "en"], root=project.root, prog="make_pdf.py") == 2
    assert "'en' is the source language" in capsys.readouterr().err


def test_a_missing_catalogue_still_points_to_init(project: Project,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["update", "--locale", "fr"], root=project.root) == 2
    assert "no catalogue for fr; start one with 'init'" in capsys.readouterr().err


def test_messages_escape_control_characters(project: Project,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "a\x1b[2Jb.pdf"], root=project.root, prog="make_pdf.py") == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "no such file: a\\x1b[2Jb.pdf" in err
