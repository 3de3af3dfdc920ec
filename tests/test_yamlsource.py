"""Hostile and mistaken YAML (publication/source/yamlsource.py): every case is a
`file:line` message, quickly and in little memory, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from make_pdf import main
from publication.errors import InputError, Problem
from publication.model import Project
from publication.source import yamlsource
from publication.source.content import load_campaign
from publication.source.yamlsource import MAX_BYTES, MAX_DEPTH, load_yaml
from tests.projects import REPO

# Each case takes well under a second; tracing its allocations makes it several times
# slower, and a busy machine more, hence the margin (still under the 30 s a user waits).
SECONDS = 20.0
MEGABYTES = 64.0


@contextmanager
def bounded(seconds: float = SECONDS, megabytes: float | None = MEGABYTES) -> Iterator[None]:
    """The block must finish within `seconds` and allocate at most `megabytes` at peak
    (None: not measured; tracing every allocation makes the parser several times slower)."""
    if megabytes is not None:
        tracemalloc.start()
    start = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert megabytes is None or peak < megabytes, f"peak {peak:.0f} MB"


def _problems(tmp_path: Path, text: str | bytes, name: str = "case.yaml") -> list[str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with bounded(), pytest.raises(InputError) as info:
        load_yaml(path)
    return [str(p) for p in info.value.problems]


def _one(tmp_path: Path, text: str | bytes) -> str:
    [problem] = _problems(tmp_path, text)
    return problem


# A billion laughs: nine aliases of nine aliases ... nine levels deep, 9**9 values.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
    for i in range(9))


def test_an_alias_bomb_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    problem = _one(tmp_path, BOMB)
    assert "case.yaml:" in problem and "once the aliases (*name) are expanded" in problem


def test_many_aliases_are_refused(tmp_path: Path) -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * (yamlsource.MAX_ALIASES + 1)) + "]\n"
    assert "case.yaml:2: more than 1000 aliases" in _one(tmp_path, text)


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n"], ids=["list", "map"])
def test_an_alias_inside_itself_is_refused(tmp_path: Path, text: str) -> None:
    assert "case.yaml:1: this value contains an alias (*name) of itself" in _one(tmp_path, text)


@pytest.mark.parametrize("text", [
    "a: " + "[" * 100_000 + "\n",
    "a: " + "{a: " * 50_000 + "\n",
    "- " * 50_000 + "x\n",
    "".join(" " * i + "k:\n" for i in range(200)),
], ids=["flow-lists", "flow-maps", "compact-lists", "block-maps"])
def test_deep_nesting_is_refused(tmp_path: Path, text: str) -> None:
    problem = _one(tmp_path, text)
    assert f"nested more than {MAX_DEPTH} levels deep" in problem
    assert problem.startswith(str(tmp_path / "case.yaml") + ":")


def test_nesting_deepened_by_aliases_is_refused(tmp_path: Path) -> None:
    deep = "[" * 30 + "x" + "]" * 30
    text = f"a: &a {deep}\nb: &b {deep.replace('x', '*a')}\nc: {deep.replace('x', '*b')}\n"
    assert "levels deep once the aliases (*name) are expanded" in _one(tmp_path, text)


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    text = "a: [" + "x," * (yamlsource.MAX_VALUES + 10) + "]\n"
    assert "case.yaml:1: more than 20,000 values in one file" in _one(tmp_path, text)


def test_a_file_too_large_is_refused_unread(tmp_path: Path) -> None:
    text = "# padding\n" * (MAX_BYTES // 10 + 1)
    problem = _one(tmp_path, text)
    assert f"the file is {len(text):,} bytes; a YAML file here is at most" in problem


def test_the_largest_file_allowed_is_read_in_time(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text("a: b\n" + "\n" * (MAX_BYTES - 10), encoding="utf-8")
    with bounded(seconds=5, megabytes=None):
        assert load_yaml(path).data == {"a": "b"}


def test_a_huge_value_is_refused(tmp_path: Path) -> None:
    problem = _one(tmp_path, "title: " + "word " * 10_000 + "\n")
    assert "case.yaml:1: title: a value of 49,999 characters; at most 10,000 are read" in problem


def test_a_5000_digit_number_is_a_message(tmp_path: Path) -> None:
    problem = _one(tmp_path, "rows: " + "9" * 5000 + "\n")
    assert "case.yaml:1: rows: a number of 5000 characters; at most 30" in problem
    assert "put the value in quotes if it is text" in problem
    problem = _one(tmp_path, "rows: 0x_\n")
    assert "case.yaml:1: rows: '0x_' looks like a number but is not one" in problem


@pytest.mark.parametrize("date", ["2016-02-30", "2016-13-45", "2016-11-22 25:00:00"])
def test_an_impossible_date_is_a_message(tmp_path: Path, date: str) -> None:
    problem = _one(tmp_path, f"title: x\ndate: {date}\n")
    assert problem == (f"{tmp_path / 'case.yaml'}:2: date: '{date}' is not a date: write the date "
                       "as YYYY-MM-DD (a real date)")


def test_real_dates_stay_iso_strings(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text("date: 2016-02-29\n", encoding="utf-8")
    assert load_yaml(path).data == {"date": "2016-02-29"}


def test_a_symbolic_link_is_refused(tmp_path: Path, project: Project) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("name: x\n", encoding="utf-8")
    link = project.content / "fixture" / "campaign.yaml"
    link.unlink()
    link.symlink_to(outside)
    with bounded(), pytest.raises(InputError) as info:
        load_campaign(project.content / "fixture")
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith(f"{link}: cannot read: it is a symbolic link (to '{outside}')")
    assert "only a regular file is read" in problem


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "odd.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading must not wait for a writer
    elif kind == "folder":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    result: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(path, result), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "reading waited"
    [error] = result
    assert isinstance(error, InputError)
    assert "not a regular file" in str(error) or "Is a directory" in str(error)


def _catch(path: Path, into: list[BaseException]) -> None:
    try:
        load_yaml(path)
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        into.append(exc)


def test_not_utf8_names_its_line(tmp_path: Path) -> None:
    problem = _one(tmp_path, b"title: ok\nheadline: caf\xe9\n")
    assert "case.yaml:2: not UTF-8 text" in problem and "save the file as UTF-8" in problem


# -- syntax errors: in words, at the line to fix, with what to do -------------------------

SYNTAX = [
    ("a:\n  b: 1\n c: 2\n", 3, "indented by 1 space, which fits no map or list above it"),
    ("a: 1\n  b: 2\n", 2, "this key is indented more than the line above, which already "
                          "has a value"),
    ("title: Note: this\n", 1, "a second ': ' on this line: put the value in quotes"),
    ("a:\n\tb: 1\n", 2, "a tab character: YAML indents with spaces only"),
    ("title: x\njust some text\nother: y\n", 2, "neither 'key: value' nor a list item"),
    ('a: "hello\nb: 2\nc: 3\n', 1, 'the quote " opened on this line is never closed'),
    ("a: x\nb: 'it\nc: 3\n", 2, "the quote ' opened on this line is never closed"),
    ('a: "hello\nb: "x"\nc: 1\n', 1, "the quoted value that starts on this line only ends "
                                     "on line 2"),
    ('a: "x" y\n', 1, "text after the closing quote: put the whole value in quotes"),
    ("a: 'it's'\n", 1, "text after the closing quote"),
    ("a: [1, 2\nb: 3\n", 2, "the [ opened on line 1 is not closed with ]"),
    ("a: *important* note\n", 1, "a value starting with '*' is read as a YAML alias"),
    ("a: @handle\n", 1, "a value cannot start with '@': put the value in quotes"),
    ("a: %(count)s people\n", 1, "a value cannot start with '%'"),
    ("a: *x\n", 1, "names an anchor ('&name') that is not defined above"),
    ('a: "\\q"\n', 1, "an unknown escape after '\\' in a \"...\" value"),
    ("a: 1\n---\nb: 2\n", 2, "a second document starts here ('---')"),
    ("a: b\x07c\n", 1, "the invisible control character U+0007 is not allowed"),
    ("a:\n  b: 1\n  - c\n", 3, "a list item ('- ') among the keys of the map from line 2"),
    ("- a\nb: 1\n", 2, "a 'key: value' line among the items ('- ') of the list from line 1"),
    ("- a\n-b: 1\n", 2, "a list item needs a space after its '-'"),
    ("a: - b\n", 1, "a list item ('- ') cannot follow a key on its line"),
    ("a: >x\n  text\n", 1, "after '>' or '|' (text on the following lines)"),
    ("a: [1, 2]]\n", 1, "a stray ']': delete it"),
]


@pytest.mark.parametrize(("text", "line", "words"), SYNTAX, ids=[s[2][:30] for s in SYNTAX])
def test_syntax_errors_in_words(tmp_path: Path, text: str, line: int, words: str) -> None:
    problem = _one(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'case.yaml'}:{line}: YAML syntax: "), problem
    assert words in problem, problem
    assert "expected <block end>" not in problem and "<scalar>" not in problem


def test_every_mistake_in_a_real_file_is_explained(tmp_path: Path) -> None:
    """Random slips (a character more or less, a line shifted) in the real campaign file:
    each is a message of ours at a line, never PyYAML's words nor a traceback."""
    import random

    text = (REPO / "content" / "israel-opt" / "campaign.yaml").read_text("utf-8")
    rnd = random.Random(7)
    chars = list(":\"'[]{}-#&*!|>%@` \t\n?,\\")
    path = tmp_path / "campaign.yaml"
    start = time.monotonic()
    for _ in range(150):
        mutated = text
        for _ in range(rnd.randint(1, 2)):
            at = rnd.randrange(len(mutated))
            mutated = (mutated[:at] + rnd.choice(chars) + mutated[at:] if rnd.random() < 0.6
                       else mutated[:at] + mutated[at + 1:])
        path.write_text(mutated, encoding="utf-8")
        try:
            load_yaml(path)
        except InputError as exc:
            for problem in exc.problems:
                assert problem.line >= 1, problem
                assert "YAML cannot read this line" not in problem.message, problem
                assert "<block" not in problem.message and "<scalar>" not in problem.message
    assert time.monotonic() - start < 30


# -- what a message echoes ----------------------------------------------------------------

def test_control_characters_in_echoed_values_are_escaped(tmp_path: Path) -> None:
    problem = _one(tmp_path, '"\\e[31mred": 1\n"\\e[31mred": 2\n')
    assert "\x1b" not in problem and "key '\\x1b[31mred' is given twice" in problem
    problem = _one(tmp_path, "\u202eabc: 1\n\u202eabc: 2\n")
    assert "\u202e" not in problem and "'\\u202eabc'" in problem


def test_long_echoed_values_are_cut(tmp_path: Path) -> None:
    key = "k" * 500
    problem = _one(tmp_path, f"{key}: 1\n{key}: 2\n")
    assert f"key '{'k' * 60}…' is given twice" in problem
    assert len(problem) < len(str(tmp_path)) + 140


def test_a_problem_never_prints_control_characters(tmp_path: Path) -> None:
    shown = str(Problem(tmp_path / "a\x1b[2Jb.yaml", 3, "bad \x07 value \u2066x"))
    assert shown.endswith("a\\x1b[2Jb.yaml:3: bad \\x07 value \\u2066x")


# -- through the command line: before the build's lock is taken ---------------------------

def test_an_imprint_alias_bomb_is_a_message_in_bounded_memory(project: Project,
                                                               tmp_path: Path) -> None:
    """The real command in a process whose address space is capped at 1 GiB."""
    bomb = tmp_path / "group.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    code = ("import resource, sys; from pathlib import Path\n"
            "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "from make_pdf import main\n"
            "sys.exit(main(['build', '--imprint', sys.argv[2]], root=Path(sys.argv[1])))\n")
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code, str(project.root), str(bomb)],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 30
    assert result.returncode == 1, result.stderr
    assert f"{bomb}:" in result.stderr and "aliases (*name) are expanded" in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_a_bad_date_in_the_content_fails_the_build_with_its_line(
    project: Project, caplog: pytest.LogCaptureFixture,
) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text("utf-8")
    lines = text.splitlines()
    [number] = [i for i, line in enumerate(lines, 1) if line.startswith("date:")]
    lines[number - 1] = "date: 2016-02-30"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["build", "--kind", "letter", "--size", "a4", "--jobs", "1"],
                root=project.root) == 1
    assert f"campaign.yaml:{number}: date: '2016-02-30' is not a date" in caplog.text
    assert "Traceback" not in caplog.text
