"""One build at a time per output folder (publication/lock.py)."""

from __future__ import annotations

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
from publication.build.lock import LOCK_NAME, BuildLocked, locked
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
