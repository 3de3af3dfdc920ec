"""A local group's set: every file one imprint asks for, made by the pipeline's Worker
into the shared output store, keyed by what it is made from.

A `SetSpec` is plain JSON-able data (what a queue carries): the campaign, locales, kinds
and sizes, and the group's details as the text of a group.yaml. It is validated again
where it is made, with the same rules as `build --imprint` (publication.source.imprint),
so a worker trusts nothing it is sent. Its `key` is a digest of that content and of the
project's version: the same details give the same key, and so the same files, at once.

The store holds, for a set with key K (32 hex digits):

- `<campaign>/<locale>/<folder>/<kind>-<size>.pdf` (and `-print.pdf`): the files, where
  `folder` is the group's slug and, from the web app, K's first 12 digits, so that two
  groups of one name never share a folder;
- `.sets/K/progress.json` while it is made, `.sets/K/result.json` once it is made (its
  outcomes, and its files with their sha256), `files.zip`, and the preview PNGs. A set
  is kept only when it was made or failed for a reason that making it again would not
  change (its details, or the gate): any other failure (a crash, a full disk) is
  `.sets/K/failed.json`, shown to the group and made again when asked again;
- a set counts as made only while every file it lists still has the digest it was made
  with: staff's sets (`salted` False) share the group's folder between versions of its
  details, so another version's build may have overwritten them.

Sets expire: `expire` deletes a set made more than RETENTION ago, its group.yaml (names,
addresses) and, when the folder is its own (salted), its files.

Only paths made here from K (checked against KEY_RE) and from validated names are ever
opened: no request path reaches the file system.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import multiprocessing.util
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publication.build import builder
from publication.build.lock import locked
from publication.errors import InputError, PublicationError
from publication.files import sha256_file, write_atomic
from publication.kinds import KINDS
from publication.model import BuildOptions, FitHint, Imprint, Outcome, Project, Selection, Target
from publication.source.imprint import load_imprint

LOG = logging.getLogger(__name__)
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
SETS = ".sets"
IMPRINT_NAME = "group.yaml"  # how a set's imprint is named in messages (file:line)
IMPRINT_LINE = re.compile(rf"{re.escape(IMPRINT_NAME)}:(\d+): (.*)", re.DOTALL)
SET_WAIT = 3600.0  # seconds a worker waits for another one making the same set
RETENTION = 7 * 24 * 3600.0  # seconds a set is kept after it was made (README, "Serving")
RESULT, FAILED, PROGRESS, ZIP = "result.json", "failed.json", "progress.json", "files.zip"


@dataclass(frozen=True)
class SetSpec:
    """What to make: a selection and an imprint (the text of a group.yaml)."""

    campaign: str
    locales: tuple[str, ...]
    kinds: tuple[str, ...]
    sizes: tuple[str, ...]
    group_yaml: str
    version: str              # the project's version (`project_version`)
    salted: bool = True       # the folder: slug-K[:12] (web) or the slug alone (staff)

    @property
    def key(self) -> str:
        data = json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SetSpec:
        """A spec from a queue message; anything malformed is a ValueError."""
        names = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(data, dict) or set(data) != set(names):
            raise ValueError("not a set specification")
        values: dict[str, Any] = {}
        for name in names:
            value = data[name]
            if name in ("locales", "kinds", "sizes"):
                if not isinstance(value, list | tuple) or not all(
                        isinstance(v, str) for v in value):
                    raise ValueError(f"{name}: not a list of names")
                value = tuple(value)
            elif name == "salted":
                if not isinstance(value, bool):
                    raise ValueError("salted: not true or false")
            elif not isinstance(value, str):
                raise ValueError(f"{name}: not text")
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class SetResult:
    """What a set's making gave: each target's status and messages, the files written
    (relative to the store), the previews."""

    key: str
    outcomes: tuple[dict[str, Any], ...]
    files: tuple[str, ...]
    previews: tuple[str, ...]
    problems: tuple[tuple[int, str], ...] = ()  # the imprint's (line, message)
    sha256: tuple[str, ...] = ()  # each file's digest as made, in the order of `files`
    error: str = ""  # why the making stopped (a crash), for a set that is not kept

    @property
    def ok(self) -> bool:
        return not self.problems and not self.error and all(
            o["status"] == "built" for o in self.outcomes)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SetResult:
        data = json.loads(text)
        return cls(data["key"], tuple(data["outcomes"]), tuple(data["files"]),
                   tuple(data["previews"]), tuple(tuple(p) for p in data["problems"]),
                   tuple(data["sha256"]), str(data["error"]))


def set_folder(store: Path, key: str) -> Path:
    """The folder of a set's records; `key` must be one `SetSpec.key` gives."""
    if not KEY_RE.match(key):
        raise ValueError("not a set key")
    return store / SETS / key


def _read(store: Path, key: str, name: str) -> SetResult | None:
    try:
        return SetResult.from_json((set_folder(store, key) / name).read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_result(store: Path, key: str) -> SetResult | None:
    """The set's result, when it has been made and its files, zip and previews are there
    as they were made (each file with the sha256 the result records)."""
    result = _read(store, key, RESULT)
    if result is None or len(result.sha256) != len(result.files):
        return None
    folder = set_folder(store, key)
    if not all(_digest(store / name) == digest
               for name, digest in zip(result.files, result.sha256, strict=True)):
        return None
    if not all((folder / name).is_file() for name in (ZIP, *result.previews)):
        return None
    return result


def read_failed(store: Path, key: str) -> SetResult | None:
    """The last making of a set that failed in a way that is not kept (see the module)."""
    return _read(store, key, FAILED)


def mark_failed(store: Path, key: str, error: str) -> None:
    """Say that the making of a set stopped (its worker died): the page shows `error`,
    and the next request makes it again."""
    folder = set_folder(store, key)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / FAILED, SetResult(key, (), (), (), error=error).to_json().encode())
    (folder / PROGRESS).unlink(missing_ok=True)


def forget_failure(store: Path, key: str) -> None:
    """Before a set is queued again: its last failure is no longer what it shows."""
    with contextlib.suppress(OSError, ValueError):
        (set_folder(store, key) / FAILED).unlink(missing_ok=True)


_DIGESTS: dict[tuple[str, int, int, int], str] = {}  # (path, inode, size, mtime) -> sha256
_DIGESTS_LOCK = threading.Lock()


def _digest(path: Path) -> str | None:
    """The sha256 of `path` (None: not a file), remembered while the file is unchanged."""
    try:
        info = path.stat()
        if not path.is_file():
            return None
        ident = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
        with _DIGESTS_LOCK:
            known = _DIGESTS.get(ident)
        if known is None:
            known = sha256_file(path)
            with _DIGESTS_LOCK:
                if len(_DIGESTS) > 100_000:
                    _DIGESTS.clear()
                _DIGESTS[ident] = known
        return known
    except OSError:
        return None


def read_progress(store: Path, key: str) -> tuple[int, int] | None:
    """(done, total) of a set being made, if it has started."""
    try:
        data = json.loads((set_folder(store, key) / "progress.json").read_text("utf-8"))
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def parse_imprint(text: str, project_root: Path | None = None) -> Imprint:
    """The imprint a group.yaml text gives, validated exactly as `build --imprint` does
    (it is read from a private temporary file by `load_imprint`); problems name
    IMPRINT_NAME and their line."""
    with tempfile.TemporaryDirectory(prefix="imprint-") as folder:
        path = Path(folder) / IMPRINT_NAME
        path.write_text(text, encoding="utf-8")
        try:
            imprint = load_imprint(path)
        except InputError as exc:
            raise InputError([dataclasses.replace(p, path=Path(IMPRINT_NAME))
                              for p in exc.problems]) from None
    return dataclasses.replace(imprint, source=Path(IMPRINT_NAME))


@dataclass(frozen=True)
class StoreProject(Project):
    """The project, writing into the shared output store instead of its output/."""

    store: Path = Path("output")

    @property
    def output(self) -> Path:
        return self.store


_WORKERS: dict[tuple[Path, Path], Any] = {}


def _worker(project: StoreProject) -> Any:
    """This process's pipeline Worker for `project` (kept warm between sets)."""
    from publication.build.pipeline import Worker

    key = (project.root, project.store)
    if key not in _WORKERS:
        _WORKERS[key] = worker = Worker(project)
        # A queue's worker process ends without collecting it (multiprocessing's os._exit):
        # the fonts' temporary copies are deleted by this finalizer, which it does run.
        multiprocessing.util.Finalize(None, worker.close, exitpriority=10)
    return _WORKERS[key]


def make_set(root: Path, store: Path, spec: SetSpec,
             progress: Callable[[int, int], None] | None = None) -> SetResult:
    """Make a set's files (the accessible and the print-shop ones), its zip and previews,
    once: a second worker given the same set waits for the first and returns its result."""
    key = spec.key
    folder = set_folder(store, key)
    with locked(folder, SET_WAIT):
        done = read_result(store, key)
        if done is not None:
            return done
        (folder / FAILED).unlink(missing_ok=True)
        try:
            result, keep = _make(root, store, spec, folder, progress)
        except Exception as exc:  # said on the set's page; asked again, it is made again
            LOG.exception("set %s failed", key)
            result, keep = SetResult(key, (), (), (), error=f"{type(exc).__name__}: {exc}"), \
                False
        finally:
            (folder / PROGRESS).unlink(missing_ok=True)
        write_atomic(folder / (RESULT if keep else FAILED), result.to_json().encode("utf-8"))
        if keep:
            (folder / FAILED).unlink(missing_ok=True)
        return result


def set_slug(slug: str, key: str, salted: bool) -> str:
    """The folder a set's files go in: the group's slug, and from the web app (salted)
    the key's first 12 digits, so that two groups of one name never share a folder."""
    return f"{slug}-{key[:12]}" if salted else slug


def _own_folder(name: str, key: str) -> bool:
    """Whether the file `name` (relative to the store) is in a folder of this set's own."""
    return Path(name).parent.name.endswith(f"-{key[:12]}")


def expire(store: Path, retention: float = RETENTION, now: float | None = None) -> int:
    """Delete the sets made (or last tried) more than `retention` seconds ago: their
    records, group.yaml and zip, and their files when the folder is the set's own (a
    staff set's files stay in output/). A set being made is left alone. The number
    deleted."""
    now = time.time() if now is None else now
    deleted = 0
    try:
        folders = [f for f in (store / SETS).iterdir() if KEY_RE.match(f.name)]
    except OSError:
        return 0
    for folder in folders:
        try:
            stamps = [(folder / n).stat().st_mtime for n in (RESULT, FAILED, PROGRESS,
                                                           IMPRINT_NAME)
                      if (folder / n).exists()]
            if now - max(stamps, default=folder.stat().st_mtime) <= retention:
                continue
            with locked(folder, 0):
                result = _read(store, folder.name, RESULT)
                for name in result.files if result else ():
                    if _own_folder(name, folder.name):
                        (store / name).unlink(missing_ok=True)
                        with contextlib.suppress(OSError):
                            (store / name).parent.rmdir()  # only once it is empty
                shutil.rmtree(folder)
            deleted += 1
        except (OSError, PublicationError) as exc:  # being made, or gone meanwhile
            LOG.debug("set %s not expired: %s", folder.name, exc)
    return deleted


def _make(root: Path, store: Path, spec: SetSpec, folder: Path,
          progress: Callable[[int, int], None] | None) -> tuple[SetResult, bool]:
    """The set's result, and whether to keep it (see the module)."""
    from publication.serve import packing  # PDFium and zip only where sets are made

    key = spec.key
    try:
        imprint = parse_imprint(spec.group_yaml)
    except InputError as exc:
        return SetResult(key, (), (), (), tuple((p.line, p.message) for p in exc.problems)), \
            True
    imprint = dataclasses.replace(imprint, slug=set_slug(imprint.slug, key, spec.salted))
    project = StoreProject(root, store)
    targets = builder.plan(project, Selection((spec.campaign,), spec.locales, spec.kinds,
                                              spec.sizes), imprint)
    options = BuildOptions(jobs=1, print_files=True, imprint=imprint)
    worker = _worker(project)
    outcomes: list[Outcome] = []

    def tell(done: int) -> None:
        write_atomic(folder / "progress.json",
                     json.dumps({"done": done, "total": len(targets)}).encode())
        if progress:
            progress(done, len(targets))

    write_atomic(folder / IMPRINT_NAME, spec.group_yaml.encode("utf-8"))
    tell(0)
    start = time.perf_counter()
    for target in sorted(targets, key=_preview_first):
        outcomes.append(worker.make(target, FitHint(), options))
        tell(len(outcomes))
    LOG.info("set %s: %d files in %.1f s", key, len(outcomes), time.perf_counter() - start)
    made = [p for o in outcomes if o.status == "built" for p in o.products
            if p.path.endswith(".pdf")]
    files = tuple(p.path for p in made)
    previews = packing.previews(folder, outcomes, imprint)
    packing.write_zip(project, folder / ZIP, files, spec)
    result = SetResult(key, tuple(_outcome_json(o, store) for o in outcomes), files, previews,
                       sha256=tuple(p.sha256 for p in made))
    return result, all(_repeatable(o) for o in outcomes)


def _repeatable(outcome: Outcome) -> bool:
    """Whether making the target again would give the same outcome: it was built, the gate
    refused it, or its details do not fit (every message at a line of the imprint)."""
    return outcome.status == "built" or outcome.checks is not None or (
        bool(outcome.messages) and all(IMPRINT_LINE.match(m) for m in outcome.messages))


def _preview_first(target: Target) -> tuple[int, str]:
    """The kinds with a preview first (kinds.Kind.preview_foot), in KINDS order: their
    previews are shown while the rest is made."""
    kinds = sorted(KINDS.values(), key=lambda k: k.preview_foot is None)
    return ([k.name for k in kinds].index(target.kind), str(target))


def _outcome_json(outcome: Outcome, store: Path) -> dict[str, Any]:
    target = outcome.target
    return {"locale": target.locale, "kind": target.kind, "size": target.size,
            "status": outcome.status, "messages": list(outcome.messages),
            "path": os.path.relpath(outcome.path, store)}
