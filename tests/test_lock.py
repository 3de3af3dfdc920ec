"""One build at a time per output folder (publication/build/lock.py), and a lock file
nothing planted can turn against a file elsewhere."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from make_pdf import main
from publication.build.builder import build, plan
from publication.build.lock import (
    LOCK_NAME,
    RECORD_SIZE,
    BuildLocked,
    LockFileError,
    holder,
    locked,
)
from publication.model import BuildOptions, Project, Selection

LETTER = Selection(kinds=("letter",), sizes=("a4",))


def test_a_second_build_stops_with_the_reason(project: Project,
                                              capsys: pytest.CaptureFixture[str],
                                              caplog: pytest.LogCaptureFixture) -> None:
    with locked(project.output):
        with pytest.raises(BuildLocked, match=rf"another build \(pid {os.getpid()}, since "):
            build(project, plan(project, LETTER), BuildOptions(wait=0.2))
        code = main(["build", "--kind", "letter", "--size", "a4", "--wait", "0.2"],
                    root=project.root)
    assert code == 1
    err = capsys.readouterr().err
    assert f"is writing {project.output} and still held {project.output / LOCK_NAME} after " \
        "0.2 s" in err, err
    assert "give --wait more seconds" in err
    assert "waiting for another build" in caplog.text
    caplog.clear()
    assert not list(project.output.rglob("*.pdf")), "nothing was written while locked"


def test_a_second_build_waits_for_the_first(project: Project,
                                            caplog: pytest.LogCaptureFixture) -> None:
    release = threading.Event()

    def hold() -> None:
        with locked(project.output):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    threading.Timer(0.5, release.set).start()
    start = time.monotonic()
    report = build(project, plan(project, LETTER), BuildOptions(wait=30))
    holder.join()
    assert report.ok and time.monotonic() - start >= 0.4
    assert [o.status for o in report.outcomes] == ["built"]
    assert "waiting for another build" in caplog.text
    caplog.clear()


def test_a_killed_holder_leaves_no_stale_lock(project: Project) -> None:
    code = ("import sys, time; from pathlib import Path\n"
            "from publication.build.lock import locked\n"
            "with locked(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(project.output)],
                             stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(BuildLocked, match=f"pid {child.pid}"), locked(project.output, 0):
            pass
        os.kill(child.pid, signal.SIGKILL)
        child.wait(5)
        with locked(project.output, timeout=2) as path:
            assert path == project.output / LOCK_NAME
    finally:
        child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()


def test_a_symbolic_link_at_the_lock_is_refused_and_its_target_untouched(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    project.output.mkdir(parents=True, exist_ok=True)
    (project.output / LOCK_NAME).symlink_to(precious)
    refused = r"\.lock is a symbolic link, not the build's lock file: delete .*\.lock \(a build"
    with pytest.raises(LockFileError, match=refused), locked(project.output, 0):
        pass
    assert precious.read_text(encoding="utf-8") == "keep me"
    code = main(["build", "--kind", "letter", "--size", "a4", "--jobs", "1"], root=project.root)
    assert code == 1
    assert "is a symbolic link, not the build's lock file" in capsys.readouterr().err
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert not list(project.output.rglob("*.pdf"))


def test_a_hard_link_at_the_lock_is_refused_and_its_target_untouched(
    project: Project, tmp_path: Path,
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    project.output.mkdir(parents=True, exist_ok=True)
    os.link(precious, project.output / LOCK_NAME)
    with pytest.raises(LockFileError, match="has another name too"), \
            locked(project.output, 0):
        pass
    assert precious.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_something_else_at_the_lock_is_refused(project: Project, kind: str) -> None:
    project.output.mkdir(parents=True, exist_ok=True)
    path = project.output / LOCK_NAME
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    message = "is a folder" if kind == "folder" else "is not a regular file"
    start = time.monotonic()
    with pytest.raises(LockFileError, match=message), locked(project.output, 0):
        pass
    assert time.monotonic() - start < 5, "opening it must not wait"


def test_the_lock_file_is_never_truncated(project: Project) -> None:
    """Who holds it is written over its first bytes; a longer file keeps its length."""
    project.output.mkdir(parents=True, exist_ok=True)
    path = project.output / LOCK_NAME
    path.write_bytes(b"x" * (RECORD_SIZE + 100))
    with locked(project.output, 0):
        assert path.stat().st_size == RECORD_SIZE + 100
        assert f"pid {os.getpid()}" in holder(path)
        flags = fcntl.fcntl(_lock_fd(path), fcntl.F_GETFD)
        assert flags & fcntl.FD_CLOEXEC, "a program the build starts does not inherit it"
    assert path.stat().st_size == RECORD_SIZE + 100
    assert path.read_bytes()[:RECORD_SIZE].strip() == b""
    assert holder(path) == "another process"


def _lock_fd(path: Path) -> int:
    """The descriptor this process holds `path` open with."""
    for entry in Path("/proc/self/fd").iterdir():
        try:
            if Path(os.readlink(entry)) == path:
                return int(entry.name)
        except OSError:
            continue
    raise AssertionError(f"{path} is not open")
