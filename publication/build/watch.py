"""The translator's preview loop: rebuild what a saved file affects.

A `Watcher` polls file modification times (no extra dependency, and it sees every way
an editor saves: in place, or a new file renamed over the old one). A saved `.po`
affects that locale's outputs; content, templates and styles affect every output.
`watch` runs the loop; `iterations` bounds it so tests need not wait forever, and the
command line stops it cleanly on Ctrl-C.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from publication.build.builder import plan
from publication.i18n.locales import available_locales
from publication.model import SOURCE_LOCALE, Project, Selection, Target

Stamp = tuple[int, int]  # (mtime in ns, size)


@dataclass(frozen=True)
class Change:
    """What changed since the last poll."""

    locales: frozenset[str] = frozenset()  # locales whose catalogue was saved
    everything: bool = False               # content, templates or styles changed
    paths: tuple[Path, ...] = ()

    def __or__(self, other: Change) -> Change:
        return Change(self.locales | other.locales, self.everything or other.everything,
                      tuple(dict.fromkeys(self.paths + other.paths)))


class Watcher:
    """Remembers the files that outputs depend on and reports which changed."""

    def __init__(self, project: Project, locales: Sequence[str] = ()) -> None:
        self.project = project
        self.locales = tuple(locales)  # empty: every locale, including ones started later
        self._stamps = self._scan()

    def watched(self) -> dict[Path, str | None]:
        """Each watched file and the locale it belongs to (None: it affects every locale)."""
        files: dict[Path, str | None] = {}
        codes = self.locales or tuple(available_locales(self.project))
        for code in codes:
            if code != SOURCE_LOCALE:
                files[self.project.po(code)] = code
        for folder, pattern in ((self.project.content, "**/*"), (self.project.styles, "*.css"),
                                (self.project.templates, "*.html")):
            for path in sorted(folder.glob(pattern)):
                if path.is_file() and not path.name.startswith("."):
                    files[path] = None
        return files

    def _scan(self) -> dict[Path, tuple[str | None, Stamp | None]]:
        result: dict[Path, tuple[str | None, Stamp | None]] = {}
        for path, code in self.watched().items():
            try:
                info = path.stat()
                result[path] = (code, (info.st_mtime_ns, info.st_size))
            except FileNotFoundError:
                result[path] = (code, None)
        return result

    def poll(self) -> Change | None:
        """The change since the last call (or since the Watcher was made); None if none."""
        now = self._scan()
        changed = [path for path in now.keys() | self._stamps.keys()
                   if now.get(path, (None, None))[1] != self._stamps.get(path, (None, None))[1]]
        owners = {**self._stamps, **now}
        self._stamps = now
        if not changed:
            return None
        codes = {owners[p][0] for p in changed}
        return Change(frozenset(c for c in codes if c is not None), None in codes,
                      tuple(sorted(changed)))


def targets_for(project: Project, selection: Selection, change: Change) -> list[Target]:
    """The targets of `selection` that `change` affects."""
    if change.everything:
        return plan(project, selection)
    wanted = selection.locales or tuple(available_locales(project))
    locales = tuple(code for code in wanted if code in change.locales)
    if not locales:
        return []
    return plan(project, Selection(selection.campaigns, locales, selection.kinds,
                                   selection.sizes))


def watch(
    watcher: Watcher, rebuild: Callable[[Change], None], *, interval: float = 0.25,
    settle: float = 0.1, iterations: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll every `interval` seconds and call `rebuild` with each change.

    After a change it waits `settle` seconds and polls again, so that an editor that
    writes a file in several steps (Poedit writes the .po and then the .mo) causes one
    rebuild. Runs until interrupted, or for `iterations` polls when given.
    """
    done = 0
    while iterations is None or done < iterations:
        change = watcher.poll()
        if change is not None:
            sleep(settle)
            rebuild(change | (watcher.poll() or Change()))
        done += 1
        if iterations is None or done < iterations:
            sleep(interval)
