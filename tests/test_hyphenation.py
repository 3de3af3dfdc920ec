"""Hyphenation patterns kept parsed (publication/typeset/hyphenation.py): the same
patterns, words and PDFs as pyphen's own parse; a copy that is stale, broken or cannot be
written costs only the time of parsing again."""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

import pyphen
import pytest

from publication.model import Project
from publication.typeset import hyphenation
from publication.typeset.typesetter import Typesetter
from tests.checking import laid_out

WORDS = ("anticonstitutionnellement", "développement", "manifestation", "organisation")


@pytest.fixture(autouse=True)
def fresh_pyphen(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyphen's cache of parsed dictionaries starts empty in each test, and is put back."""
    monkeypatch.setattr(pyphen, "hdcache", {})


def _positions(hd: pyphen.HyphDict) -> list[list[int]]:
    return [[int(i) for i in hd.positions(word)] for word in WORDS]


def test_a_language_without_patterns_has_no_dictionary(tmp_path: Path) -> None:
    assert hyphenation.dictionary("ar") is None and hyphenation.dictionary("he") is None
    hyphenation.preload(["ar", "he", ""], tmp_path)
    assert pyphen.hdcache == {} and not any(tmp_path.iterdir())


def test_the_kept_copy_gives_the_patterns_pyphen_parses(tmp_path: Path) -> None:
    path = hyphenation.dictionary("fr")
    assert path is not None
    parsed = pyphen.HyphDict(path)
    hyphenation.preload(["fr"], tmp_path)  # parsed, and a copy kept
    assert (tmp_path / "hyph_fr.marshal").is_file()
    pyphen.hdcache.clear()
    hyphenation.preload(["fr-FR"], tmp_path)  # the same dictionary, from the copy
    loaded = pyphen.hdcache[path]
    assert loaded is not parsed and set(vars(loaded)) == hyphenation.ATTRIBUTES
    assert loaded.patterns == parsed.patterns and loaded.maxlen == parsed.maxlen
    assert _positions(loaded) == _positions(parsed)
    # WeasyPrint asks pyphen by language tag and gets the one loaded.
    assert pyphen.Pyphen(lang="fr").hd is loaded


def test_a_copy_of_another_dictionary_file_is_not_used(tmp_path: Path) -> None:
    path = hyphenation.dictionary("fr")
    assert path is not None
    copy = tmp_path / "hyph_fr.marshal"
    key = list(hyphenation._key(path))
    key[3] -= 1  # the file was changed since (another modification time)
    copy.write_bytes(marshal.dumps((tuple(key), {"ab": (0, (1,))}, 2)))
    hyphenation.preload(["fr"], tmp_path)
    assert pyphen.hdcache[path].patterns == pyphen.HyphDict(path).patterns
    assert marshal.loads(copy.read_bytes())[0] == hyphenation._key(path)  # rewritten


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2, 3]),
                                     marshal.dumps(("key", "not a dict", 1))])
def test_a_broken_copy_is_parsed_again(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "hyph_fr.marshal").write_bytes(content)
    hyphenation.preload(["fr"], tmp_path)
    path = hyphenation.dictionary("fr")
    assert path is not None
    assert _positions(pyphen.hdcache[path]) == _positions(pyphen.HyphDict(path))


def test_a_folder_that_cannot_be_written_costs_only_time(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    hyphenation.preload(["fr"], blocked)
    assert pyphen.hdcache and blocked.read_text() == "a file where the folder would be"


def test_a_leaflet_is_the_same_pdf_with_the_kept_patterns(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    worker, html, _ = laid_out(project, "leaflet", "a4")  # laid out once: the patterns kept
    folder = worker.typesetter.hyphenation_folder
    assert (folder / "hyph_en_GB.marshal").is_file()  # the leaflet hyphenates English
    shutil.rmtree(folder)
    pyphen.hdcache.clear()
    parsed = Typesetter(project)  # parses the patterns, as plain WeasyPrint does
    from_parse = parsed.write(parsed.layout(html))
    pyphen.hdcache.clear()

    def no_parse(self: Any, path: Path) -> None:
        raise AssertionError(f"{path.name} parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", no_parse)
    kept = Typesetter(project)  # reads the copy the first one kept
    assert kept.write(kept.layout(html)) == from_parse


def test_a_page_no_stylesheet_hyphenates_reads_no_patterns(project: Project) -> None:
    worker, _, _ = laid_out(project, "poster", "a3")  # its stylesheets say hyphens: manual
    assert pyphen.hdcache == {} and not worker.typesetter.hyphenation_folder.exists()


def test_a_command_that_writes_nothing_keeps_no_copy_but_reads_one(tmp_path: Path) -> None:
    path = hyphenation.dictionary("fr")
    assert path is not None
    hyphenation.preload(["fr"], tmp_path, keep=False)
    assert path in pyphen.hdcache and not any(tmp_path.iterdir())
    pyphen.hdcache.clear()
    hyphenation.preload(["fr"], tmp_path)  # a build keeps one
    copy = tmp_path / "hyph_fr.marshal"
    written = copy.stat().st_mtime_ns
    pyphen.hdcache.clear()
    hyphenation.preload(["fr"], tmp_path, keep=False)  # and the preview reads it
    assert copy.stat().st_mtime_ns == written and pyphen.hdcache[path].patterns


def test_an_unreadable_dictionary_is_left_to_weasyprint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "hyph_xx.dic"  # pyphen lists it, the file is not there
    monkeypatch.setitem(pyphen.LANGUAGES, "xx", gone)
    monkeypatch.setitem(pyphen.LANGUAGES_LOWERCASE, "xx", "xx")
    assert hyphenation.dictionary("xx") == gone
    hyphenation.preload(["xx"], tmp_path)
    assert gone not in pyphen.hdcache
