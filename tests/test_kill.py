"""A build killed with `kill -9` leaves whole files only, and the next build completes
(publication/files.py, worker processes in publication/build/pool.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from publication import files
from publication.build.builder import build, plan
from publication.files import TMP_PREFIX, remove_leftovers
from publication.kinds import NOT_FOR_READING
from publication.model import BuildOptions, Project, Selection
from tests.projects import REPO

BUILD = ("import sys; from pathlib import Path; from make_pdf import main; "
         "sys.exit(main(['-q', 'build', '--jobs', '2', '--locale', 'en'], root=Path(sys.argv[1])))")


def _start(project: Project) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", BUILD, str(project.root)], cwd=REPO,
                            start_new_session=True, stderr=subprocess.DEVNULL)


def _pdfs(project: Project) -> list[Path]:
    return sorted(p for p in (project.output / "fixture").rglob("*.pdf"))


def _wait_for_some_pdfs(project: Project, child: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        count = len(_pdfs(project))
        if count >= 2:
            return count
        time.sleep(0.01)
    pytest.fail("the build finished (or never wrote a PDF) before it could be killed")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _assert_whole(paths: list[Path]) -> None:
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) >= 1, path


def _next_build_completes(project: Project) -> None:
    report = build(project, plan(project, Selection(locales=("en",))),
                   BuildOptions(jobs=2, print_files=True))
    assert report.ok, [o.messages for o in report.failed]
    assert not list(project.output.rglob(f"{TMP_PREFIX}*")), "leftovers are cleaned"
    _assert_whole(_pdfs(project))
    # The accessible PDFs (the print-shop files and office sheets are made beside them).
    assert len([p for p in _pdfs(project) if not p.name.endswith(NOT_FOR_READING)]) == 8
    index = (project.output / "index.html").read_text("utf-8")
    assert all(p.relative_to(project.output).as_posix() in index for p in _pdfs(project))


@pytest.mark.parametrize("group", [False, True], ids=["build-process", "every-process"])
def test_killed_halfway(project: Project, group: bool) -> None:
    child = _start(project)
    try:
        seen = _wait_for_some_pdfs(project, child)
        workers = _children(child.pid)
        if group:
            os.killpg(child.pid, signal.SIGKILL)
        else:
            os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    # The workers die with the build (they must not go on writing, nor hold the lock).
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and not any(_alive(pid) for pid in workers)
    left = _pdfs(project)
    assert seen <= len(left) < 8 + 4, "killed halfway, not after the end"
    _assert_whole(left)
    _next_build_completes(project)


def test_a_write_killed_before_its_rename_leaves_the_old_file(tmp_path: Path) -> None:
    """Deterministic: the process dies after writing the temporary file, before renaming."""
    target = tmp_path / "leaflet-a4.pdf"
    target.write_bytes(b"the old file")
    code = ("import os, signal, sys; from pathlib import Path; from publication import files\n"
            "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
            "files.write_atomic(Path(sys.argv[1]), b'the new file' * 1000)\n")
    result = subprocess.run([sys.executable, "-c", code, str(target)], cwd=REPO)
    assert result.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"the old file"
    [leftover] = tmp_path.glob(f"{TMP_PREFIX}*")
    assert remove_leftovers(tmp_path) == [leftover]
    assert sorted(tmp_path.iterdir()) == [target]


def test_a_running_writers_temporary_file_is_not_a_leftover(tmp_path: Path) -> None:
    # `serve` makes groups' sets in output/ without the build's lock; a build starting
    # meanwhile must not delete the file a live writer is about to rename.
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        host = files._host()
        live = tmp_path / f"{TMP_PREFIX}{host}.{writer.pid}-leaflet-a4.pdf.abc123"
        gone = tmp_path / f"{TMP_PREFIX}{host}.{dead}-leaflet-a4.pdf.def456"
        old = tmp_path / f"{TMP_PREFIX}leaflet-a4.pdf.ghi789"  # before writers were named
        huge = tmp_path / f"{TMP_PREFIX}{host}.{10 ** 30}-leaflet-a4.pdf.jkl012"
        # Another machine sharing the folder: its processes cannot be seen from here, so
        # a recent file is left to it, an old one is a leftover.
        remote = tmp_path / f"{TMP_PREFIX}other-machine.{writer.pid}-poster-a3.pdf.mno345"
        stale = tmp_path / f"{TMP_PREFIX}other-machine.{writer.pid}-poster-a3.pdf.pqr678"
        for path in (live, gone, old, huge, remote, stale):
            path.write_bytes(b"part of a PDF")
        hours_ago = time.time() - files.OTHER_HOST_SECONDS - 60
        os.utime(stale, (hours_ago, hours_ago))
        assert sorted(remove_leftovers(tmp_path)) == sorted([gone, old, huge, stale])
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, remote.name])
        remote.unlink()
    finally:
        writer.kill()
        writer.wait()
    assert remove_leftovers(tmp_path) == [live], "once its writer has gone, it is a leftover"

