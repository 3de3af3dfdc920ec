"""The cache's records on disk (`output/.cache/...json`), read as untrusted input.

A record that is not exactly what `model.Record` holds (a `null` or a wrong type
anywhere, a product or thumbnail path that is absolute, has `..` or leads out of
output/) is no record, and its target is built again (publication.build.cache). Each
file is parsed once per process for the same text.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import types
import typing
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, Union, get_args, get_origin

from publication.model import CACHE_FOLDER, RECORD_FORMAT, Project, Record, Target

LOG = logging.getLogger(__name__)


def record_path(project: Project, target: Target) -> Path:
    relative = target.path(project.output).relative_to(project.output)
    return project.output / CACHE_FOLDER / relative.with_suffix(".json")


def load(project: Project, target: Target) -> Record | None:
    """The target's record; None when there is none or it cannot be used."""
    record = _read_record(record_path(project, target), _Output(project.output))
    if record is not None and record.target != dataclasses.asdict(target):
        LOG.debug("%s: the record of another target; not used", record_path(project, target))
        return None
    return record


def records(project: Project) -> list[Record]:
    """Every usable record under the output folder, in path order."""
    folder = project.output / CACHE_FOLDER
    found = []
    output = _Output(project.output)
    for path in sorted(folder.rglob("*.json")) if folder.is_dir() else ():
        record = _read_record(path, output)
        if record is None:
            continue
        owner = Target(**typing.cast(dict[str, Any], record.target))  # checked on reading
        if record_path(project, owner) != path:
            LOG.debug("%s: the record of %s, in another's place; not used", path, owner)
            continue
        found.append(record)
    return found


# (record file, output folder) -> its text when last read and what it was read as: a
# build reads each record twice (is it stale? then for the index), a watcher many times.
_READ: dict[tuple[Path, Path], tuple[str, Record | None]] = {}


def _read_record(path: Path, output: _Output) -> Record | None:
    """The record in `path`, or None (and a debug line saying why) when it cannot be read
    or is not exactly a Record with its files inside `output`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        LOG.debug("%s: unreadable record, not used: %s", path, exc)
        return None
    known = _READ.get((path, output.folder))
    if known is not None and known[0] == text:
        return known[1]
    record = _parse_record(path, text, output)
    _READ[(path, output.folder)] = (text, record)
    return record


def _parse_record(path: Path, text: str, output: _Output) -> Record | None:
    try:
        problem = _record_problem(json.loads(text), output)
        if problem is None:
            return Record.from_json(text)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    LOG.debug("%s: not a usable record (%s); its target is built again", path, problem)
    return None


def _record_problem(data: Any, output: _Output) -> str | None:
    """What is wrong with a record's JSON `data` (None: nothing)."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("version") != RECORD_FORMAT:
        return "another format version"
    problem = (_mismatch({k: v for k, v in data.items() if k != "version"}, Record, "record")
               or _mismatch(data["target"], Target, "target"))
    if problem:
        return problem
    for product in data["products"]:
        for key in ("path", "thumbnail"):
            if product.get(key) is not None and not output.holds(product[key]):
                return f"products: {key} {product[key]!r} is not a file inside {output.folder}"
    return None


def _mismatch(value: Any, hint: Any, where: str) -> str | None:
    """How JSON `value` is not a `hint` (a dataclass or a type of their fields), or None."""
    scalar = _SCALARS.get(hint)
    if scalar is not None:
        return None if scalar(value) else f"{where}: {_shown(value)} is not {_type_name(hint)}"
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if any(_mismatch(value, arg, where) is None for arg in args):
            return None
        return f"{where}: {_shown(value)} is not {' or '.join(_type_name(a) for a in args)}"
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return f"{where}: {_shown(value)} is not an object"
        hints = _hints(typing.cast(type, hint))
        required = {f.name for f in dataclasses.fields(hint)
                    if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING}
        if unknown := sorted(set(value) - set(hints)):
            return f"{where}: unknown {', '.join(unknown)}"
        if missing := sorted(required - set(value)):
            return f"{where}: no {', '.join(missing)}"
        return next((p for key, item in value.items()
                     if (p := _mismatch(item, hints[key], f"{where}.{key}"))), None)
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where}: {_shown(value)} is not an object"
        if args[1] is str and all(type(item) is str for item in value.values()):
            return None  # the common case, quickly: a record holds many messages
        return next((p for key, item in value.items()
                     if (p := _mismatch(item, args[1], f"{where}.{key}"))), None)
    if origin is tuple:
        if not isinstance(value, list):
            return f"{where}: {_shown(value)} is not a list"
        kinds = [args[0]] * len(value) if args[-1] is Ellipsis else list(args)
        if len(kinds) != len(value):
            return f"{where}: {len(value)} items, not {len(kinds)}"
        return next((p for index, (item, kind) in enumerate(zip(value, kinds, strict=True))
                     if (p := _mismatch(item, kind, f"{where}.{index}"))), None)
    return f"{where}: no check for {hint}"


_SCALARS: dict[Any, Callable[[Any], bool]] = {
    type(None): lambda value: value is None,
    str: lambda value: type(value) is str,
    bool: lambda value: type(value) is bool,
    int: lambda value: type(value) is int,
    float: lambda value: type(value) in (int, float) and math.isfinite(value),
}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _type_name(hint: Any) -> str:
    return "null" if hint is type(None) else getattr(hint, "__name__", str(hint))


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Output:
    """The output folder, to check that paths in records stay inside it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder.resolve()
        self._folders: dict[PurePosixPath, bool] = {}  # a record's folders, seen once

    def holds(self, relative: str) -> bool:
        """`relative` names a file inside the folder: not an absolute path, no `..`, no
        symbolic link that leads out of it."""
        path = PurePosixPath(relative)
        if (not relative or "\0" in relative or "\\" in relative or path.is_absolute()
                or ".." in path.parts or path.name in ("", ".")):
            return False
        try:  # a loop of links is RuntimeError in Python 3.11
            if path.parent not in self._folders:
                folder = (self.root / path.parent).resolve()
                self._folders[path.parent] = folder.is_relative_to(self.root)
            if not self._folders[path.parent]:
                return False
            file = self.root / path
            return not file.is_symlink() or file.resolve().is_relative_to(self.root)
        except (OSError, RuntimeError):
            return False
