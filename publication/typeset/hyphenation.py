"""Hyphenation dictionaries read from a cache, not parsed in every process.

WeasyPrint hyphenates `hyphens: auto` text (the leaflet's paragraphs) with pyphen, which
parses a language's `hyph_*.dic` the first time a process asks for it and keeps it in
`pyphen.hdcache`, keyed by the file's path. The parse is slow: German's 66,441 patterns
took 0.41 s, English 0.04 s, Spanish and French 0.02 s and 0.01 s (measured 2026-12-04),
in every build, every worker process and every build the build server forks.

While `kept` is in force (`Typesetter.layout` lays out inside it), a dictionary pyphen
is asked for is read from a copy of its parsed patterns kept in
`output/.cache/.hyphenation/` (Python's `marshal`: strings, integers and tuples only;
0.03 s for German), made the first time; `preload` reads the ones a process will need
before it is asked (the build server, for the project's languages). The copy belongs to
one dictionary file (its path, size and modification time), one pyphen and one Python;
anything else, or a copy that cannot be read, is parsed again and the copy rewritten.
(`marshal` is no parser for untrusted data: the copies are the builder's own files in
its output folder, as its records are, never a translator's or a group's input.)
The patterns are the same, so are the PDFs (tests/test_hyphenation.py). A German
one-string rebuild (11 PDFs, the leaflets among them) went from 2.4 s to 2.0 s.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyphen

from publication.files import write_atomic
from publication.model import CACHE_FOLDER
from publication.typeset.weasy import swapped

LOG = logging.getLogger(__name__)

FOLDER = ".hyphenation"  # in output/.cache
# pyphen's parser, which `kept` stands in for while it is in force.
PARSER = pyphen.HyphDict
FORMAT = 1
# What pyphen 0.18 keeps of a parsed dictionary (HyphDict.__init__).
ATTRIBUTES = frozenset({"patterns", "cache", "maxlen"})
# A copy larger than this is not read (German's is 2.7 MB).
MAX_BYTES = 64 * 1024 * 1024


def folder(output: Path) -> Path:
    """Where the copies of an output folder's builds are kept."""
    return output / CACHE_FOLDER / FOLDER


@contextlib.contextmanager
def kept(folder: Path, keep: bool = True) -> Iterator[None]:
    """While the block runs, a dictionary pyphen parses (`Pyphen` finds none in its
    cache, and calls `HyphDict`, looked up in its module, at every call) is read from its
    copy in `folder` instead; one parsed is kept there, unless `keep` is false (a command
    that writes nothing). It swaps what pyphen's module holds, as the WeasyPrint adapter
    does: one document at a time in a process. A pyphen whose `Pyphen` no longer calls
    it is left alone: only speed is lost."""
    code = getattr(pyphen.Pyphen.__init__, "__code__", None)
    if "HyphDict" not in getattr(code, "co_names", ()):
        yield
        return
    with swapped(lambda path: _load(Path(path), folder, keep), (pyphen, "HyphDict")):
        yield


def dictionary(lang: str) -> Path | None:
    """The dictionary file pyphen reads for the language tag `lang`, as WeasyPrint asks
    for it (`pyphen.language_fallback`); None when pyphen has none (Arabic, Hebrew)."""
    name = pyphen.language_fallback(lang) if lang else None
    path = pyphen.LANGUAGES.get(name) if name else None
    return path if isinstance(path, Path) else None


def preload(langs: Iterable[str], folder: Path, keep: bool = True) -> None:
    """Have pyphen's dictionary of each language tag in `langs` parsed, from the copy in
    `folder` (output/.cache/.hyphenation) when it has a good one; one parsed is kept
    there, unless `keep` is false (a command that writes nothing)."""
    for lang in langs:
        path = dictionary(lang)
        if path is not None and path not in pyphen.hdcache:
            try:
                pyphen.hdcache[path] = _load(path, folder, keep)
            except OSError as exc:  # the dictionary unreadable: WeasyPrint will say so
                LOG.debug("hyphenation patterns of %s not read: %s", path.name, exc)


def _key(path: Path) -> tuple[Any, ...]:
    stat = path.stat()
    return (FORMAT, str(path.resolve()), stat.st_size, stat.st_mtime_ns, pyphen.__version__,
            sys.version)


def _copy(path: Path, folder: Path) -> Path:
    return folder / f"{path.stem}.marshal"


def _load(path: Path, folder: Path, keep: bool) -> pyphen.HyphDict:
    copy = _copy(path, folder)
    key = _key(path)
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        if copy.stat().st_size <= MAX_BYTES:
            stored = marshal.loads(copy.read_bytes())
            if isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key and \
                    isinstance(stored[1], dict) and isinstance(stored[2], int):
                found: pyphen.HyphDict = PARSER.__new__(PARSER)
                found.patterns, found.cache, found.maxlen = stored[1], {}, stored[2]
                return found
    parsed = PARSER(path)
    if keep and set(vars(parsed)) == ATTRIBUTES:
        try:
            data = marshal.dumps((key, parsed.patterns, parsed.maxlen))
        except ValueError:  # patterns with nonstandard hyphenation (pyphen.DataInt)
            return parsed
        try:
            write_atomic(copy, data)
        except OSError as exc:  # a read-only output folder: parsed again next time
            LOG.debug("hyphenation patterns of %s not kept: %s", path.name, exc)
    return parsed
