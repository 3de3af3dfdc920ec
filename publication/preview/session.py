"""The preview's warm state: every publication of one locale as page pictures, with
each message's place, state and room, remade after each save.

A `Session` keeps one pipeline `Worker` (content, templates, parsed stylesheets and
fonts stay loaded) and the last good pictures. After a save it reads the catalogue
again; a catalogue with problems leaves every picture as it was and shows the problems
(`messages.po:LINE: ...`), and so does a file caught half-written. Otherwise only the
publications whose shown messages changed are laid out again (as a build lays them
out, publication.preview.layouts), and of those only the pages whose boxes moved are
written and drawn again (PDFium): in the drawing processes once they are started
(`start_painters`: one per core, each laying out the same publications every time,
publication.preview.drawing), else here. Nothing is written to disk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from publication.build.builder import plan
from publication.build.pipeline import Worker
from publication.errors import InputError, display_path
from publication.i18n.catalog import CompiledCatalog, compile_catalog
from publication.kinds import KINDS, PAPERS
from publication.model import MessageKey, Project, Selection, Target
from publication.preview.drawing import Made, Painters, make
from publication.preview.layouts import TargetLayout, job_for

LOG = logging.getLogger(__name__)


@dataclass
class Picture:
    """One page drawn: its PNG and the version it was drawn at."""

    png: bytes
    version: int
    fingerprint: str


@dataclass
class Output:
    """One publication of the locale as the page shows it."""

    target: Target
    laid: TargetLayout
    pictures: list[Picture]
    page_sizes: list[tuple[float, float]]  # CSS px

    @property
    def ident(self) -> str:
        return f"{self.target.campaign}-{self.target.kind}-{self.target.size}"


@dataclass
class Session:
    """The preview of locale `code`: call `refresh` after each save."""

    project: Project
    code: str
    worker: Worker = field(init=False)
    outputs: dict[str, Output] = field(default_factory=dict)
    catalog: CompiledCatalog | None = None
    errors: list[str] = field(default_factory=list)
    version: int = 0
    busy: bool = True
    changed: threading.Condition = field(default_factory=threading.Condition)
    painters: Painters | None = None  # the drawing processes, once started

    def __post_init__(self) -> None:
        self.worker = Worker(self.project, read_only=True)

    def start_painters(self, count: int | None = None) -> None:
        """Lay out and draw in drawing processes from now on (`close` ends them)."""
        self.close()
        self.painters = Painters(self.project, count)

    def _restart_painters(self) -> None:
        if self.painters is not None:
            self.start_painters(self.painters.count)

    def close(self) -> None:
        if self.painters is not None:
            self.painters.close()
            self.painters = None

    def targets(self) -> list[Target]:
        """The locale's publications, quickest first (the first pictures come soonest)."""
        found = plan(self.project, Selection(locales=(self.code,)))
        return sorted(found, key=lambda t: (KINDS[t.kind].seconds, t.kind, t.size))

    def reload(self) -> None:
        """Content, templates or styles changed: a new worker reads them again. The
        outputs are cleared under the lock the HTTP threads read them with."""
        worker = Worker(self.project, read_only=True)
        self._restart_painters()  # their workers read the old content too
        with self.changed:
            self.worker = worker
            self.outputs.clear()
            self.version += 1
            self.changed.notify_all()

    def refresh(self, on_output: Callable[[], None] | None = None) -> None:
        """Read the catalogue and remake what changed; never raises (problems are
        shown in the page, and the last good pictures stay)."""
        try:
            self._refresh()
        except Exception as exc:  # a bug or a file in an editor's hands: the server lives
            LOG.debug("preview refresh failed", exc_info=True)
            self._publish(errors=[f"could not update the preview: {type(exc).__name__}: {exc}"])
        finally:
            self._publish(busy=False)

    def _refresh(self) -> None:
        try:
            catalog = compile_catalog(self.project, self.code)
        except InputError as exc:
            self._publish(errors=[str(p) for p in exc.problems])
            return
        except OSError as exc:  # renamed away mid-save: the next poll sees the new file
            self._publish(errors=[f"{display_path(self.project.po(self.code))}: cannot be "
                                  f"read now ({exc.strerror}); waiting for the next save"])
            return
        self._publish(busy=True, catalog=catalog, errors=[])
        todo = []
        for slot, target in enumerate(self.targets()):
            old = self.outputs.get(str(target))
            if old is None or not self._same(old, job_for(self.worker, target, catalog)):
                todo.append((slot, target, old))
        problems = []
        for target, old, made in self._make_all(todo):
            if made.laid is None:
                problems.append(made.problem)
                continue
            if made.laid.problem:
                problems.append(made.laid.problem)
            self._publish(output=self._output(target, made, old))
        self._publish(errors=problems)

    def _make_all(self, todo: list[tuple[int, Target, Output | None]],
                  ) -> Iterator[tuple[Target, Output | None, Made]]:
        """Each target laid out and drawn, as each is done: in its drawing process (the
        same one for a target every time: `slot`), or here. Drawing processes that
        stopped are started again, and what one had is made here."""
        def hint(old: Output | None) -> float | None:
            return old.laid.headline_pt if old else None

        def prints(old: Output | None) -> tuple[str, ...]:
            return tuple(p.fingerprint for p in old.pictures) if old else ()

        if self.painters is None or not self.painters.parallel or len(todo) < 2:
            for _, target, old in todo:
                yield target, old, make(self.worker, target, self.code, hint(old), prints(old))
            return
        futures = {self.painters.submit(slot, target, self.code, hint(old), prints(old)):
                   (target, old) for slot, target, old in todo}
        broken = False
        for future in as_completed(futures):
            target, old = futures[future]
            try:
                made = future.result()
            except BrokenProcessPool:
                LOG.debug("a drawing process stopped", exc_info=True)
                broken = True
                made = make(self.worker, target, self.code, hint(old), prints(old))
            yield target, old, made
        if broken:
            self._restart_painters()

    def _same(self, old: Output, job: Any) -> bool:
        """Whether every message the output shows is shown as before."""
        from publication.i18n.localize import Localizer
        from publication.preview.places import shown_messages

        now = shown_messages(job.campaign, Localizer(job.catalog, job.info), old.laid.used)
        return now == old.laid.shown

    def _output(self, target: Target, made: Made, old: Output | None) -> Output:
        """The output's pictures: those of pages whose boxes did not move are kept."""
        assert made.laid is not None
        pictures = list((old.pictures if old else [])[:len(made.prints)])
        version = self.version + 1
        drawn = dict(made.pictures)
        for number, mark in enumerate(made.prints):
            if number in drawn:
                picture = Picture(drawn[number], version, mark)
                if number < len(pictures):
                    pictures[number] = picture
                else:
                    pictures.append(picture)
        return Output(target, made.laid, pictures, list(made.page_sizes))

    def _publish(self, *, output: Output | None = None, errors: list[str] | None = None,
                 catalog: CompiledCatalog | None = None, busy: bool | None = None) -> None:
        with self.changed:
            if output is not None:
                self.outputs[str(output.target)] = output
            if errors is not None:
                self.errors = errors
            if catalog is not None:
                self.catalog = catalog
            if busy is not None:
                self.busy = busy
            self.version += 1
            self.changed.notify_all()

    def wait(self, after: int, timeout: float) -> None:
        """Return when the version is past `after`, or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.version <= after and (left := deadline - time.monotonic()) > 0:
                self.changed.wait(left)

    def picture(self, ident: str, page: int) -> bytes | None:
        with self.changed:
            for output in self.outputs.values():
                if output.ident == ident and 0 <= page < len(output.pictures):
                    return output.pictures[page].png
        return None

    def state(self) -> dict[str, Any]:
        """What the page shows, as JSON: the outputs, the messages, the problems."""
        with self.changed:
            outputs = sorted(self.outputs.values(),
                             key=lambda o: (list(KINDS).index(o.target.kind), o.target.size))
            catalog = self.catalog
            messages: dict[MessageKey, dict[str, Any]] = {}
            for output in outputs:
                for key, placement in output.laid.placements.items():
                    entry = catalog.entry(key[0], key[1]) if catalog else None
                    item = messages.setdefault(key, {
                        "context": key[0], "msgid": key[1],
                        "line": entry.line if entry else 0,
                        "state": entry.state if entry else "untranslated",
                        "text": output.laid.shown.get(key, key[1]),
                        "rooms": [], "places": []})
                    if placement.room is not None:
                        item["rooms"].append(placement.room.describe())
                    width_height = output.page_sizes
                    item["places"] += [
                        {"output": output.ident, "page": r.page,
                         "x": r.x / width_height[r.page][0], "y": r.y / width_height[r.page][1],
                         "w": r.width / width_height[r.page][0],
                         "h": r.height / width_height[r.page][1]}
                        for r in placement.rects]
            return {
                "version": self.version, "busy": self.busy, "errors": list(self.errors),
                "locale": self.code,
                "catalog": display_path(self.project.po(self.code)),
                "outputs": [{"id": o.ident, "kind": o.target.kind,
                             "title": f"{KINDS[o.target.kind].title}, "
                                      f"{PAPERS[o.target.size].title}",
                             "pages": [{"version": p.version,
                                        "ratio": o.page_sizes[i][1] / o.page_sizes[i][0]}
                                       for i, p in enumerate(o.pictures)]}
                            for o in outputs],
                "messages": sorted(messages.values(),
                                   key=lambda m: (m["line"] or 10**9, m["context"] or "")),
            }
