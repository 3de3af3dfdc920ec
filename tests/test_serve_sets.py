"""A group's set in the store and in the queues (publication/serve/sets.py, queue.py): a
set counts as made only while its files are as made, a set that failed for a passing
reason is made again, old sets expire, and a queue's wait ends with a result or a
PublicationError, never a hang or a crash."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import time
from pathlib import Path

import pytest

from publication.errors import PublicationError
from publication.files import sha256_file
from publication.model import Project
from publication.serve import sets
from publication.serve.queue import CeleryQueue, LocalQueue
from publication.serve.sets import SetResult, SetSpec
from tests.webapp import redis_server

GROUP = 'name: "Gruppe Test"\ncontact:\n  email: "test@example.org"\n'


def spec(name: str = "Gruppe Test", salted: bool = True) -> SetSpec:
    return SetSpec("fixture", ("en",), ("poster",), ("a3",),
                   GROUP.replace("Gruppe Test", name), "v1", salted)


def fake_made(store: Path, key: str, own: bool = True) -> str:
    """A set's records as `make_set` writes them, for a file of our own; its path."""
    name = f"fixture/en/{sets.set_slug('gruppe', key, own)}/poster-a3.pdf"
    (store / name).parent.mkdir(parents=True, exist_ok=True)
    (store / name).write_bytes(b"%PDF-1.7 as made")
    folder = sets.set_folder(store, key)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sets.ZIP).write_bytes(b"PK")
    (folder / sets.IMPRINT_NAME).write_text(GROUP)
    outcome = {"locale": "en", "kind": "poster", "size": "a3", "status": "built",
               "messages": [], "path": name}
    result = SetResult(key, (outcome,), (name,), (), sha256=(sha256_file(store / name),))
    (folder / sets.RESULT).write_text(result.to_json())
    return name


def test_a_set_whose_files_changed_is_not_made(tmp_path: Path) -> None:
    """Staff's sets share the group's folder between versions of its details: a file
    another version wrote over is not this set's, so the set is made again."""
    key = spec(salted=False).key
    name = fake_made(tmp_path, key, own=False)
    assert sets.read_result(tmp_path, key) is not None
    (tmp_path / name).write_bytes(b"%PDF-1.7 another version's details")
    assert sets.read_result(tmp_path, key) is None
    (tmp_path / name).write_bytes(b"%PDF-1.7 as made")
    assert sets.read_result(tmp_path, key) is not None
    (sets.set_folder(tmp_path, key) / sets.ZIP).unlink()  # the zip is part of the set
    assert sets.read_result(tmp_path, key) is None


def test_old_sets_expire_with_the_groups_details(tmp_path: Path) -> None:
    old, new, staff = spec("Alt").key, spec("Neu").key, spec("Stab", salted=False).key
    old_file, new_file, staff_file = (fake_made(tmp_path, old), fake_made(tmp_path, new),
                                      fake_made(tmp_path, staff, own=False))
    week_ago = time.time() - sets.RETENTION - 60
    for key in (old, staff):
        for path in sets.set_folder(tmp_path, key).iterdir():
            os.utime(path, (week_ago, week_ago))
    assert sets.expire(tmp_path) == 2
    assert not sets.set_folder(tmp_path, old).exists()
    assert not (tmp_path / old_file).parent.exists()  # its own folder, emptied
    assert not sets.set_folder(tmp_path, staff).exists()
    assert (tmp_path / staff_file).exists()  # output/<campaign>/<locale>/<slug>/ stays
    assert sets.read_result(tmp_path, new) is not None and (tmp_path / new_file).exists()


def test_a_set_that_failed_for_a_passing_reason_is_made_again(
        project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "store"
    item = spec()
    blocked = store / "fixture" / "en" / sets.set_slug("gruppe-test", item.key, True)
    blocked.parent.mkdir(parents=True)
    blocked.write_text("a file where the set's folder goes: it cannot be written")
    failed = sets.make_set(project.root, store, item)
    assert not failed.ok and failed.outcomes
    assert sets.read_result(store, item.key) is None  # not kept
    assert sets.read_failed(store, item.key) is not None  # but shown
    blocked.unlink()
    made = sets.make_set(project.root, store, item)
    assert made.ok and sets.read_result(store, item.key) == made
    assert sets.read_failed(store, item.key) is None
    caplog.clear()


def _grandchildren() -> list[int]:
    """The processes started by this process's children (the pool's fork server starts
    the worker processes)."""
    def children(pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found += [int(p) for p in text.split()]
        return found
    return [g for c in children(os.getpid()) for g in children(c)]


def test_a_worker_that_dies_is_an_error_and_the_set_can_be_made_again(
        project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "store"
    queue = LocalQueue(project.root, store, jobs=1)
    try:
        item = spec()
        queue.submit(item)
        deadline = time.monotonic() + 120
        while sets.read_progress(store, item.key) is None:  # in the worker now
            assert time.monotonic() < deadline
            time.sleep(0.05)
        workers = _grandchildren()
        assert workers
        for pid in workers:  # as the kernel's out-of-memory killer would
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(PublicationError, match="worker process ended"):
            queue.wait(item.key, 60)
        deadline = time.monotonic() + 10
        while queue.state(item.key).state != "failed":
            assert time.monotonic() < deadline, queue.state(item.key)
            time.sleep(0.05)
        assert not queue.futures  # a finished set's future is not kept
        queue.submit(item)  # asked again: made again, in a new pool
        assert queue.state(item.key).state in ("queued", "running")
        assert queue.wait(item.key, 120).ok
        assert queue.state(item.key).state == "done"
    finally:
        queue.close()
    caplog.clear()


def test_celery_wait_ends_with_the_result_or_an_error(tmp_path: Path) -> None:
    """No worker runs: a set already in the store is returned at once (no task was
    sent for it), a failed task and a set never queued are PublicationErrors."""
    with redis_server(tmp_path) as broker:
        store = tmp_path / "store"
        queue = CeleryQueue(broker, store)
        try:
            made = spec()
            fake_made(store, made.key)
            queue.submit(made)
            assert queue.wait(made.key, 10) == sets.read_result(store, made.key)
            broken = spec("Kaputt")
            queue.app.backend.mark_as_failure(broken.key, ValueError("the worker broke"))
            with pytest.raises(PublicationError, match="the worker broke"):
                queue.wait(broken.key, 10)
            with pytest.raises(PublicationError, match="not queued"):
                queue.wait(spec("Nie").key, 10)
        finally:
            queue.close()


def _make_one_set(root: Path, store: Path, temporary: str) -> None:
    tempfile.tempdir = temporary  # where WeasyPrint copies the fonts, in this process
    result = sets.make_set(root, store, spec())
    if result.error:
        raise SystemExit(f"the set failed: {result.error}")


def test_a_set_worker_process_leaves_no_copy_of_the_fonts(project: Project,
                                                          tmp_path: Path) -> None:
    """A queue's worker process keeps its pipeline Worker warm between sets and ends
    without collecting it: the fonts' temporary copies are deleted as it ends."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    child = multiprocessing.get_context("fork").Process(
        target=_make_one_set, args=(project.root, tmp_path / "store", str(temporary)))
    child.start()
    child.join(180)
    assert child.exitcode == 0
    assert not list(temporary.glob("weasyprint-*"))
