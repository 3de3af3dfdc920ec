"""Faults end with one clear sentence and an exit code, never a traceback
(publication/cli/, publication/files.py): a full disk, a read-only folder, Ctrl-C, a
reader that stops reading, and a real bug (its traceback in a crash log)."""

from __future__ import annotations

import errno
import gc
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from make_pdf import main
from publication import cli, files
from publication.build import builder, lock
from publication.build import watch as watching
from publication.cli import EXIT_BUG, EXIT_INTERRUPTED
from publication.files import WriteFailed
from publication.model import Project
from tests.projects import REPO

LETTER = ["build", "--kind", "letter", "--size", "a4", "--jobs", "1"]


def _failing(code: int, when: Callable[[Path], bool] = lambda path: True,
             ) -> Callable[[Path, bytes], None]:
    """A replacement for files._write that fails with `code` for the paths `when` picks."""
    real = files._write

    def write(path: Path, data: bytes) -> None:
        if when(path):
            raise OSError(code, os.strerror(code))
        real(path, data)
    return write


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_write_failures_are_write_failed_and_leave_the_file(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    target = tmp_path / "leaflet-a4.pdf"
    target.write_bytes(b"the old file")
    monkeypatch.setattr(files.os, "fsync", lambda fd: (_ for _ in ()).throw(
        OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(WriteFailed) as info:
        files.write_atomic(target, b"the new file")
    assert isinstance(info.value, OSError) and info.value.disk_full
    assert str(info.value) == f"cannot write {target}: the disk is full"
    assert target.read_bytes() == b"the old file"
    assert sorted(tmp_path.iterdir()) == [target], "no temporary file is left"


def test_a_full_disk_says_what_to_free(project: Project, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str],
                                       caplog: pytest.LogCaptureFixture) -> None:
    assert main(LETTER, root=project.root) == 0
    pdf = project.output / "fixture" / "en" / "letter-a4.pdf"
    before = pdf.read_bytes()
    monkeypatch.setattr(files, "_write", _failing(errno.ENOSPC))
    assert main([*LETTER, "--force"], root=project.root, prog="make_pdf.py") == 1
    err = _err(capsys)
    [line] = err.splitlines()
    assert line.startswith("make_pdf.py: the disk is full: could not write ")
    assert f"; free some space ({project.output}/ holds " in line
    assert " KB: delete the outputs you do not need there" in line
    assert line.endswith("then run the command again")
    assert "please report" not in err
    assert pdf.read_bytes() == before, "the earlier PDF is kept"
    caplog.clear()


def test_a_full_disk_in_the_workers(project: Project, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str],
                                    caplog: pytest.LogCaptureFixture) -> None:
    """Only the PDFs fail (the workers'): the build ends saying what to do."""
    monkeypatch.setattr(files, "_write", _failing(errno.ENOSPC, lambda p: p.suffix == ".pdf"))
    code = main(["build", "--kind", "letter", "--kind", "poster", "--size", "a4", "--size",
                 "a3", "--jobs", "2"], root=project.root)
    assert code == 1
    _err(capsys)
    assert "the disk is full: free some space (" in caplog.text
    assert caplog.text.rstrip().endswith("then build again")
    assert "internal error" not in caplog.text and "please report" not in caplog.text
    assert "letter-a4.pdf: the disk is full" in caplog.text  # each output says it once
    caplog.clear()


def test_a_full_disk_outside_output(project: Project, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(files, "_write", _failing(errno.ENOSPC))
    assert main(["extract"], root=project.root, prog="make_pdf.py") == 1
    assert _err(capsys) == (f"make_pdf.py: the disk is full: could not write {project.pot}; "
                            "free some space on that disk, then run the command again\n")


@pytest.mark.parametrize(("code", "why"), [
    (errno.EROFS, "it is on a read-only disk"),
    (errno.EACCES, "the folder is read-only (Permission denied)"),
])
def test_a_read_only_output_folder(project: Project, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str],
                                   caplog: pytest.LogCaptureFixture, code: int,
                                   why: str) -> None:
    monkeypatch.setattr(files, "_write", _failing(code))
    assert main(LETTER, root=project.root, prog="make_pdf.py") == 1
    [line] = _err(capsys).splitlines()
    assert line.startswith("make_pdf.py: cannot write ")
    assert f": {why}; make " in line and "writable (or work in a copy of the project" in line
    caplog.clear()


def test_a_read_only_disk_before_the_lock(project: Project, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    def read_only(path: Path) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
    monkeypatch.setattr(lock, "_open", read_only)
    assert main(LETTER, root=project.root, prog="make_pdf.py") == 1
    lock_file = project.output / lock.LOCK_NAME
    assert _err(capsys) == (f"make_pdf.py: cannot write {lock_file}: it is on a read-only "
                            f"disk; make {project.output} writable (or work in a copy of the "
                            "project where you can write), then run the command again\n")


# -- Ctrl-C -------------------------------------------------------------------------------

def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_in_a_build(project: Project, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(builder, "build", _interrupt)
    assert main(LETTER, root=project.root, prog="make_pdf.py") == EXIT_INTERRUPTED == 130
    assert _err(capsys) == "make_pdf.py: interrupted; earlier PDFs kept\n"


def test_ctrl_c_in_another_command(project: Project, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from publication.i18n import catalog

    monkeypatch.setattr(catalog, "extract", _interrupt)
    assert main(["extract"], root=project.root, prog="make_pdf.py") == 130
    assert _err(capsys) == "make_pdf.py: interrupted\n"


def test_ctrl_c_while_watching_stops_it(project: Project, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str],
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="make_pdf")
    monkeypatch.setattr(builder, "build", lambda *a, **k: builder.BuildReport())
    monkeypatch.setattr(watching, "watch", _interrupt)
    assert main(["watch", "--kind", "letter"], root=project.root) == 0
    assert "stopped watching" in caplog.text
    _err(capsys)


def test_ctrl_c_in_a_rebuild_while_watching(project: Project,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str],
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="make_pdf")
    builds: list[int] = []

    def build(*args: object, **kwargs: object) -> builder.BuildReport:
        builds.append(1)
        if len(builds) > 1:
            raise KeyboardInterrupt
        return builder.BuildReport()

    def watch(watcher: object, rebuild: Callable[[watching.Change], None]) -> None:
        rebuild(watching.Change(everything=True, paths=(project.content,)))

    monkeypatch.setattr(builder, "build", build)
    monkeypatch.setattr(watching, "watch", watch)
    assert main(["watch", "--kind", "letter"], root=project.root, prog="make_pdf.py") == 130
    assert _err(capsys) == "make_pdf.py: interrupted; earlier PDFs kept\n"
    assert "stopped watching" not in caplog.text


def test_ctrl_c_interrupts_the_build_not_its_workers() -> None:
    """A worker (forked from the build) that is sent SIGINT with the build's process group
    goes on: an idle one would otherwise print a traceback; the build stops them."""
    with cli._ctrl_c_in_this_process_only():
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.1)
            except BaseException:
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


BUILD = ("import sys; from pathlib import Path; from make_pdf import main; "
         "sys.exit(main(['build', '--jobs', '2', '--locale', 'en', '--force'], "
         "root=Path(sys.argv[1]), prog='make_pdf.py'))")


def test_a_real_ctrl_c_with_workers(project: Project) -> None:
    """SIGINT to the whole process group, as a terminal sends it, while the workers are
    busy: the build and its workers stop without a traceback, the PDFs are whole and the
    next build works."""
    assert main(["-q", *LETTER], root=project.root) == 0
    earlier = project.output / "fixture" / "en" / "letter-a4.pdf"
    before = earlier.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", BUILD, str(project.root)], cwd=REPO,
                             start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while f"pid {child.pid}" not in lock.holder(project.output / lock.LOCK_NAME):
            assert child.poll() is None and time.monotonic() < deadline, "never locked"
            time.sleep(0.01)
        time.sleep(1.0)  # the workers are forked and making the first (slowest) targets
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 130, err
    assert err.rstrip().endswith("make_pdf.py: interrupted; earlier PDFs kept"), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert earlier.read_bytes() == before or earlier.read_bytes().startswith(b"%PDF-")
    for path in project.output.rglob("*.pdf"):
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) >= 1
    assert main(["-q", *LETTER], root=project.root) == 0


def test_a_ctrl_c_python_drops_still_interrupts(capsys: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C whose KeyboardInterrupt is raised inside a weakref callback (an import's
    module lock has one: seen once in test_a_real_ctrl_c_with_workers) is dropped by
    Python with a traceback on stderr; the command still ends as interrupted, quietly."""

    class Thing:
        pass

    def callback(ref: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside the callback

    went_on = False
    with pytest.raises(KeyboardInterrupt), cli._ctrl_c_in_this_process_only():
        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing
        gc.collect()
        went_on = ref() is None  # Python dropped the interrupt and went on
    assert went_on
    assert "KeyboardInterrupt" not in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- a reader that stops reading ----------------------------------------------------------

STATUS = ("import sys; from pathlib import Path; from make_pdf import main\n"
          "from publication.report import status\n"
          "rows = ['row %d' % i for i in range(int(sys.argv[2]))]\n"
          "status.format_table = lambda statuses: rows\n"
          "sys.exit(main(['status'], root=Path(sys.argv[1])))\n")


def test_a_closed_pipe_is_quiet(project: Project) -> None:
    assert main(["-q", "extract"], root=project.root) == 0
    read, write = os.pipe()
    os.close(read)  # nobody reads: the first write fails
    try:
        result = subprocess.run([sys.executable, "-c", STATUS, str(project.root), "10"],
                                cwd=REPO, stdout=write, stderr=subprocess.PIPE, text=True,
                                timeout=60)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


def test_status_piped_into_head(project: Project) -> None:
    assert main(["-q", "extract"], root=project.root) == 0
    command = (f"{sys.executable} -c \"$0\" {project.root} 200000 | head -1; "
               "exit ${PIPESTATUS[0]}")
    result = subprocess.run(["bash", "-c", command, STATUS], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout == "row 0\n"
    assert (result.returncode, result.stderr) == (0, "")


def test_a_broken_pipe_elsewhere_is_not_taken_for_the_reader(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
    read, write = os.pipe()
    try:
        with os.fdopen(write, "w") as stdout:  # read: stdout still has a reader
            monkeypatch.setattr(sys, "stdout", stdout)
            monkeypatch.setattr(builder, "plan", broken)
            assert main(LETTER, root=project.root) == EXIT_BUG
    finally:
        os.close(read)
    assert "internal error (BrokenPipeError: " in _err(capsys)


# -- a real bug ---------------------------------------------------------------------------

def _bug(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_a_bug_is_reported_with_its_crash_log(project: Project,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(builder, "plan", _bug)
    assert main(LETTER, root=project.root, prog="make_pdf.py") == EXIT_BUG
    err = _err(capsys)
    [log] = (project.output / ".log").glob("crash-*.txt")
    assert err == (f"make_pdf.py: internal error (RuntimeError: boom); this is a bug, please "
                   f"report it with the file {log}, which holds the details\n")
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom" in text
    assert "in _bug" in text


def test_a_crash_log_goes_elsewhere_when_output_cannot_take_it(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    (project.output / ".log").write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(builder, "plan", _bug)
    assert main(LETTER, root=project.root) == EXIT_BUG
    err = _err(capsys)
    name = err.rsplit("with the file ", 1)[1].split(", which")[0]
    log = Path(name)
    try:
        assert log.parent == Path(tempfile.gettempdir()) and log.name.startswith("make-pdf-")
        assert "RuntimeError: boom" in log.read_text("utf-8")
    finally:
        log.unlink()


def test_an_unexpected_os_error_is_a_bug(project: Project, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "/nowhere")
    monkeypatch.setattr(builder, "plan", missing)
    assert main(LETTER, root=project.root) == EXIT_BUG
    assert "internal error (FileNotFoundError: " in _err(capsys)
