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
  outcomes and files), `files.zip`, and the preview PNGs.

Only paths made here from K (checked against KEY_RE) and from validated names are ever
opened: no request path reaches the file system.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publication.build import builder
from publication.build.lock import locked
from publication.errors import InputError, Problem
from publication.files import write_atomic
from publication.model import BuildOptions, FitHint, Imprint, Outcome, Project, Selection, Target
from publication.source.imprint import load_imprint

LOG = logging.getLogger(__name__)
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
SETS = ".sets"
IMPRINT_NAME = "group.yaml"  # how a set's imprint is named in messages (file:line)
SET_WAIT = 3600.0  # seconds a worker waits for another one making the same set


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

    @property
    def ok(self) -> bool:
        return not self.problems and all(o["status"] == "built" for o in self.outcomes)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SetResult:
        data = json.loads(text)
        return cls(data["key"], tuple(data["outcomes"]), tuple(data["files"]),
                   tuple(data["previews"]), tuple(tuple(p) for p in data["problems"]))


def set_folder(store: Path, key: str) -> Path:
    """The folder of a set's records; `key` must be one `SetSpec.key` gives."""
    if not KEY_RE.match(key):
        raise ValueError("not a set key")
    return store / SETS / key


def read_result(store: Path, key: str) -> SetResult | None:
    """The set's result, when it has been made (and its files are still there)."""
    try:
        result = SetResult.from_json((set_folder(store, key) / "result.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all((store / name).is_file() for name in result.files):
        return None
    return result


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
            raise InputError([Problem(Path(IMPRINT_NAME), p.line, p.message)
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
        _WORKERS[key] = Worker(project)
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
        result = _make(root, store, spec, folder, progress)
        write_atomic(folder / "result.json", result.to_json().encode("utf-8"))
        (folder / "progress.json").unlink(missing_ok=True)
        return result


def _make(root: Path, store: Path, spec: SetSpec, folder: Path,
          progress: Callable[[int, int], None] | None) -> SetResult:
    from publication.serve import packing  # PDFium and zip only where sets are made

    key = spec.key
    try:
        imprint = parse_imprint(spec.group_yaml)
    except InputError as exc:
        return SetResult(key, (), (), (), tuple((p.line, p.message) for p in exc.problems))
    name = f"{imprint.slug}-{key[:12]}" if spec.salted else imprint.slug
    imprint = dataclasses.replace(imprint, slug=name)
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
    files = tuple(p.path for o in outcomes if o.status == "built" for p in o.products
                  if p.path.endswith(".pdf"))
    previews = packing.previews(store, folder, outcomes, imprint)
    packing.write_zip(project, folder / "files.zip", files, spec)
    return SetResult(key, tuple(_outcome_json(o, store) for o in outcomes), files, previews)


def _preview_first(target: Target) -> tuple[int, str]:
    """The leaflet and poster first: their previews are shown while the rest is made."""
    return ({"leaflet": 0, "poster": 1}.get(target.kind, 2), str(target))


def _outcome_json(outcome: Outcome, store: Path) -> dict[str, Any]:
    target = outcome.target
    return {"locale": target.locale, "kind": target.kind, "size": target.size,
            "status": outcome.status, "messages": list(outcome.messages),
            "path": os.path.relpath(outcome.path, store)}
