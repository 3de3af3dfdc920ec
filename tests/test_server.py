"""The warm build server (publication/cli/server.py, handover.py): a build handed to it makes what a
cold build makes and says what it says; it declines when its code or a file it read
changed, passes Ctrl-C on, ends when idle or asked, and listens only where its user
alone can connect."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from publication.build import lock
from publication.cli import handover, server
from publication.model import Project
from publication.report.proof import LABEL_FONT
from tests.projects import REPO

LETTER = ["build", "--kind", "letter", "--size", "a4", "--jobs", "1"]
# The command itself, as make_pdf.py runs it (its arguments in sys.argv).
COMMAND = ("import sys; from pathlib import Path; sys.path.insert(0, '.'); "
           "from publication.cli import main; root = Path(sys.argv.pop(1)); "
           "sys.exit(main(root=root, prog='make_pdf.py'))")


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private folder for the servers' sockets (short: a socket's path has 108 bytes),
    with the server switched on for this test and its subprocesses."""
    folder = Path(tempfile.mkdtemp(prefix="mps", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv(handover.SWITCH, "1")
    yield folder
    for held in folder.rglob(lock.LOCK_NAME):  # a server a failed test left running
        if (pid := lock.held_by(held)) is not None:
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def serving(project: Project, runtime: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The project's server, started as `handover.start` starts it, and listening."""
    process = _start(project.root)
    yield process
    handover.stop(project.root)
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def _start(root: Path, idle: float = 120) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "publication.cli.server", str(root),
                                str(idle)], cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while not handover.ready(root):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the server never listened"
        time.sleep(0.05)
    return process


def _untimed(text: str) -> str:
    return re.sub(r"\(\d+\.\d s\)", "(time)", text)


def _command(root: Path, argv: list[str], **kwargs: object,
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", COMMAND, str(root), *argv], cwd=REPO,
                          capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]


def test_a_handed_over_build_makes_the_same_files_and_says_the_same(
        project: Project, serving: subprocess.Popen[bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    handed = _command(project.root, [*LETTER, "--force"])
    made = {p.relative_to(project.output): p.read_bytes()
            for p in project.output.rglob("*.pdf")}
    monkeypatch.setenv(handover.SWITCH, "0")
    cold = _command(project.root, [*LETTER, "--force"])
    assert handed.returncode == cold.returncode == 0, handed.stderr + cold.stderr
    assert _untimed(handed.stderr) == _untimed(cold.stderr)
    assert "1 built" in handed.stderr
    assert made == {p.relative_to(project.output): p.read_bytes()
                    for p in project.output.rglob("*.pdf")}
    # A usage error, in the server's child, reaches the terminal as it would.
    monkeypatch.setenv(handover.SWITCH, "1")
    wrong = _command(project.root, ["build", "--jobs", "0"])
    assert wrong.returncode == 2
    assert wrong.stderr == "make_pdf.py: --jobs must be at least 1\n"


def test_a_reader_that_stops_early_or_a_closed_stream_changes_no_exit_code(
        project: Project, serving: subprocess.Popen[bytes]) -> None:
    """`build | head -1` ends 0, as a cold build does; with the standard streams closed
    (`<&- >&- 2>&-`) the build works, cold or handed over (they are /dev/null then, not
    the socket's descriptor)."""
    command = " ".join(shlex.quote(arg) for arg in
                       [sys.executable, "-c", COMMAND, str(project.root), *LETTER, "--force"])
    piped = subprocess.run(["bash", "-c", f"{command} 2>&1 | head -1; "
                            "echo status ${PIPESTATUS[0]}"], cwd=REPO, capture_output=True,
                           text=True, timeout=120)
    assert piped.stdout.splitlines()[-1] == "status 0", piped.stdout + piped.stderr
    letter = project.output / "fixture" / "en" / "letter-a4.pdf"
    for switch in ("1", "0"):
        before = letter.stat().st_mtime_ns
        closed = subprocess.run(["bash", "-c", f"{command} <&- >&- 2>&-"], cwd=REPO,
                                timeout=120, env={**os.environ, handover.SWITCH: switch})
        assert closed.returncode == 0
        assert letter.stat().st_mtime_ns != before


def test_the_build_runs_in_the_server(project: Project, serving: subprocess.Popen[bytes],
                                      capfd: pytest.CaptureFixture[str]) -> None:
    """hand_over returns the exit code only when the server ran the build: its child
    held the output's lock, and wrote to this process's standard streams."""
    code = handover.hand_over(project.root, [*LETTER, "--force"], "make_pdf.py")
    assert code == 0
    err = capfd.readouterr().err
    assert "[1/1] built fixture/en/letter-a4" in err
    assert f"pid {os.getpid()}" not in lock.holder(project.output / lock.LOCK_NAME)


def test_it_reads_the_hyphenation_patterns_before_any_build(
        project: Project, serving: subprocess.Popen[bytes]) -> None:
    """Its builds inherit the patterns (publication.typeset.hyphenation), which it parsed
    and kept a copy of before it listened; none of its builds parses them."""
    from publication.typeset import hyphenation

    path = hyphenation.dictionary("en")
    assert path is not None
    kept = hyphenation.folder(project.output) / f"{path.stem}.marshal"
    assert kept.is_file()
    written = kept.stat().st_mtime_ns
    assert handover.hand_over(project.root, [*LETTER, "--force"], "make_pdf.py") == 0
    assert kept.stat().st_mtime_ns == written


def test_without_a_server_or_switched_off_the_build_is_not_handed_over(
        project: Project, runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert handover.hand_over(project.root, LETTER, "make_pdf.py") is None
    monkeypatch.setenv(handover.SWITCH, "0")
    assert handover.socket_path(project.root) is not None
    assert not handover.ready(project.root)
    assert handover.hand_over(project.root, LETTER, "make_pdf.py") is None


def test_a_changed_file_makes_it_decline_and_end(
        project: Project, serving: subprocess.Popen[bytes]) -> None:
    """The label font it loaded is newer: the build runs cold, the server ends."""
    font = project.fonts / LABEL_FONT
    info = font.stat()
    try:
        os.utime(font, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
        assert handover.hand_over(project.root, LETTER, "make_pdf.py") is None
        serving.wait(timeout=30)
    finally:
        os.utime(font, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert serving.returncode == 0
    assert not handover.ready(project.root)


@contextlib.contextmanager
def _building(project: Project) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A whole build of the project by the command, once its first output is made (the
    others are to come), with that first line; killed if the test leaves it running."""
    client = subprocess.Popen([sys.executable, "-c", COMMAND, str(project.root), "build",
                               "--force", "--jobs", "1"], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert client.stderr is not None
        first = client.stderr.readline()
        assert first.startswith("[1/"), first
        yield client, first
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()


def _rest(client: subprocess.Popen[str]) -> str:
    """What the command still writes on its standard error, once it has ended."""
    assert client.stderr is not None
    rest = client.stderr.read()
    client.wait(timeout=60)
    return rest


def test_loaded_files_are_watched_by_time_and_size(tmp_path: Path) -> None:
    watched = tmp_path / "module.py"
    watched.write_text("x = 1\n")
    loaded = server._loaded_files([str(watched)])
    assert server._changed(loaded) is None
    watched.write_text("x = 22\n")
    assert server._changed(loaded) == str(watched)
    watched.unlink()
    assert server._changed(loaded) == str(watched)


def test_ctrl_c_reaches_the_build_in_the_server(
        project: Project, serving: subprocess.Popen[bytes]) -> None:
    """SIGINT to the command, as the terminal sends it: the build in the server stops as
    a cold one does, and the next build works."""
    with _building(project) as (client, first):
        client.send_signal(signal.SIGINT)
        err = first + _rest(client)
    assert client.returncode == 130, err
    assert err.rstrip().endswith("make_pdf.py: interrupted; earlier PDFs kept"), err
    assert "Traceback" not in err
    assert _command(project.root, ["-q", *LETTER]).returncode == 0


def test_a_server_asked_to_end_stops_listening_and_still_passes_ctrl_c_on(
        project: Project, serving: subprocess.Popen[bytes]) -> None:
    with _building(project) as (client, first):
        serving.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while handover.ready(project.root):  # no new build waits for it
            assert time.monotonic() < deadline, "still listening"
            time.sleep(0.05)
        client.send_signal(signal.SIGINT)
        err = first + _rest(client)
    assert client.returncode == 130, err
    assert serving.wait(timeout=30) == 0


def test_it_ends_when_idle_or_asked(project: Project, runtime: Path) -> None:
    idle = _start(project.root, idle=0.5)
    assert idle.wait(timeout=30) == 0
    assert not handover.ready(project.root)
    assert not any(runtime.rglob("*.sock"))
    asked = _start(project.root)
    assert handover.stop(project.root)
    assert asked.wait(timeout=30) == 0
    assert not handover.stop(project.root)  # none runs now


def test_a_build_from_the_command_line_starts_one(project: Project, runtime: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(handover.SWITCH, "0")
    assert _command(project.root, ["-q", *LETTER]).returncode == 0
    time.sleep(0.5)
    assert not handover.ready(project.root)
    monkeypatch.setenv(handover.SWITCH, "1")
    try:
        assert _command(project.root, ["-q", *LETTER]).returncode == 0
        deadline = time.monotonic() + 60
        while not handover.ready(project.root):
            assert time.monotonic() < deadline, "no server started"
            time.sleep(0.05)
    finally:
        assert handover.stop(project.root)


def test_it_listens_only_where_its_user_alone_can(project: Project, runtime: Path) -> None:
    path = handover.socket_path(project.root)
    assert path is not None
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    process = _start(project.root)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        handover.stop(project.root)
        process.wait(timeout=30)
    path.parent.chmod(0o755)  # a folder others can reach: not used
    assert handover.socket_path(project.root) is None
    assert handover.hand_over(project.root, LETTER, "make_pdf.py") is None


@pytest.mark.parametrize(("argv", "handed"), [
    (["build"], True), (["-q", "build", "--kind", "letter"], True),
    (["build", "--watch"], False), (["build", "--wat"], False), (["watch"], False),
    (["status"], False), ([], False),
])
def test_which_commands_go_to_the_server(argv: list[str], handed: bool) -> None:
    assert handover.is_build(argv) is handed
