"""What the index keeps in output/.cache from build to build, so that a build after a
translator's edit redoes only what that edit changed: each file a JSON object under a
`key` (a digest of what it is made from), read as untrusted (anything but exactly what
was written is made again), written atomically, and never needed (a read-only output
folder only means the work is done again)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publication.errors import Problem
from publication.files import write_atomic
from publication.model import CACHE_FOLDER, SOURCE_LOCALE, MessageKey, Project

if TYPE_CHECKING:
    from publication.report.status import Counts, LocaleStatus

LOG = logging.getLogger(__name__)
STATUS_MEMO = "status.state"  # each catalogue's counts (StatusMemo)


def read_state(project: Project, name: str, key: str) -> dict[str, Any] | None:
    """The object kept in output/.cache/`name` under `key`; None when there is none, it
    cannot be read, or it was kept under another key (`key` "": nothing is kept)."""
    if not key:
        return None
    try:
        state = json.loads((project.output / CACHE_FOLDER / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return state if isinstance(state, dict) and state.get("key") == key else None


def write_state(project: Project, name: str, key: str, values: dict[str, Any]) -> None:
    """Keep `values` in output/.cache/`name` under `key` (`key` "": nothing is kept)."""
    if not key:
        return
    path = project.output / CACHE_FOLDER / name
    try:
        write_atomic(path, json.dumps({"key": key, **values}, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:  # a read-only output folder: made again next time
        LOG.debug("%s not written: %s", path, exc)



@dataclass
class StatusMemo:
    """`status.locale_status` of each catalogue, kept in output/.cache/status.state by a
    digest of what it is made from: `key` (the pipeline's code, the libraries and the
    content, `cache.Inputs.status_key`: what the messages counted come from), the
    catalogue's bytes and the messages counted. After a translator's edit, the index
    reads only the catalogue that changed. The file is read as untrusted: an entry that
    is not exactly what `save` writes is counted again. `key` "": nothing is kept."""

    project: Project
    key: str
    known: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        state = read_state(self.project, STATUS_MEMO, self.key)
        if state is not None and isinstance(state.get("entries"), dict):
            self.known = state["entries"]

    def locale_status(self, code: str, messages: Iterable[MessageKey],
                      per_kind: dict[str, frozenset[MessageKey]]) -> LocaleStatus:
        """`status.locale_status(project, code, messages, per_kind)`, from the memo when
        it has it."""
        from publication.report.status import locale_status

        messages = list(messages)
        entry = self._entry(code, messages, per_kind)
        if entry is not None and (found := _restored(self.known.get(entry), code,
                                                     self.project.po(code))) is not None:
            self.kept[entry] = self.known[entry]
            return found
        result = locale_status(self.project, code, messages, per_kind)
        if entry is not None and (plain := _plain_status(result,
                                                         self.project.po(code))) is not None:
            self.kept[entry] = plain
        return result

    def _entry(self, code: str, messages: list[MessageKey],
               per_kind: dict[str, frozenset[MessageKey]]) -> str | None:
        """The digest an entry is kept by; None: not kept (no key, the source locale, a
        catalogue that cannot be read: its problem is found again)."""
        from publication.i18n.pofile import read_po_file

        if not self.key or code == SOURCE_LOCALE:
            return None
        try:
            raw = read_po_file(self.project.po(code))
        except OSError:
            return None
        made_from = {"key": self.key, "code": code,
                     "catalogue": hashlib.sha256(raw).hexdigest(),
                     "messages": [list(key) for key in messages],
                     "kinds": [[name, sorted([k[0] or "", k[0] is None, k[1]] for k in keys)]
                               for name, keys in per_kind.items()]}
        return hashlib.sha256(json.dumps(made_from, ensure_ascii=False).encode("utf-8")
                              ).hexdigest()

    def save(self) -> None:
        """Keep what this build counted (and only that) for the next one."""
        if self.kept != self.known:
            write_state(self.project, STATUS_MEMO, self.key, {"entries": self.kept})


def _plain_status(status: LocaleStatus, po: Path) -> dict[str, Any] | None:
    """A locale's status as the memo keeps it; None when it names another file."""
    if status.path != po or any(p.path != po for p in status.problems):
        return None
    return {"locale": status.locale, "language": status.language,
            "overall": _plain_counts(status.overall),
            "kinds": [[name, _plain_counts(counts)] for name, counts in status.kinds.items()],
            "problems": [[p.line, p.message, p.code] for p in status.problems],
            "missing": [[m.line, m.context, m.state, list(m.kinds)] for m in status.missing]}


def _plain_counts(counts: Counts) -> list[int]:
    return [counts.translated, counts.fuzzy, counts.untranslated]


def _restored(value: object, code: str, po: Path) -> LocaleStatus | None:
    """The status `_plain_status` wrote, or None when `value` is not exactly that."""
    from publication.i18n.missing import Missing
    from publication.report.status import Counts, LocaleStatus

    def counts(item: object) -> Counts | None:
        if isinstance(item, list) and len(item) == 3 and all(_count(n) for n in item):
            return Counts(*item)
        return None

    if not isinstance(value, dict) or set(value) != {"locale", "language", "overall",
                                                     "kinds", "problems", "missing"}:
        return None
    overall, kinds, problems, missing = (value["overall"], value["kinds"], value["problems"],
                                         value["missing"])
    if value["locale"] != code or not isinstance(value["language"], str) \
            or counts(overall) is None or not isinstance(kinds, list) \
            or not isinstance(problems, list) or not isinstance(missing, list):
        return None
    per_kind: dict[str, Counts] = {}
    for item in kinds:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and (found := counts(item[1])) is not None):
            return None
        per_kind[item[0]] = found
    if not all(isinstance(p, list) and len(p) == 3 and _count(p[0])
               and isinstance(p[1], str) and isinstance(p[2], str) for p in problems):
        return None
    if not all(isinstance(m, list) and len(m) == 4 and _count(m[0]) and isinstance(m[1], str)
               and isinstance(m[2], str) and isinstance(m[3], list)
               and all(isinstance(k, str) for k in m[3]) for m in missing):
        return None
    return LocaleStatus(code, value["language"], po, Counts(*overall), per_kind,
                        tuple(Problem(po, line, message, kind) for line, message, kind in problems),
                        tuple(Missing(line, context, state, tuple(on))
                              for line, context, state, on in missing))


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
