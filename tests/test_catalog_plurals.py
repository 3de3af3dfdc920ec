"""Plural-Forms headers in real catalogues: every rule a translator's tool or Babel
writes is accepted, the file's own rule picks the forms, and a hostile header is one
`file:line` problem for its language only, in bounded time and memory, wherever a
catalogue is read (publication/catalog.py, publication/pofile.py)."""

from __future__ import annotations

import gettext
import logging
import re
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural

from make_pdf import main
from publication.build import cache, watch
from publication.build.builder import build, plan
from publication.errors import InputError
from publication.i18n import catalog, checks
from publication.i18n.plurals import PluralFormsError, parse_plural_forms
from publication.model import BuildOptions, Project, Selection
from publication.report import status
from tests.plurals_data import BABEL_2_18, GNU
from tests.translating import start_catalog

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
SHIPPED = ("ar", "de", "es", "fr", "he")
# (locale, where the rule comes from, header): GNU gettext's (Poedit, Weblate), Babel
# 2.18's and the installed Babel's (2.19: CLDR's "many" for French and Spanish
# millions, Hebrew's dual).
RULES = [
    *[(code, "gnu", GNU[code]) for code in SHIPPED],
    ("he", "gnu-4-forms", GNU["he4"]),
    *[(code, "babel-2.18", BABEL_2_18[code]) for code in SHIPPED],
    *[(code, "babel-installed", get_plural(code).plural_forms) for code in SHIPPED],
]
HOSTILE = {
    "modulo-zero": "nplurals=2; plural=(n%0);",
    "ten-million-forms": "nplurals=10000000; plural=(n != 1);",
    "division-by-zero-in-a-branch": "nplurals=2; plural=(n==2000 ? n/0 : n!=1);",
    "python": "nplurals=2; plural=__import__('os').system('touch /tmp/pwned');",
    "deep-nesting": "nplurals=2; plural=" + "(" * 10000 + "n" + ")" * 10000 + ";",
    "count-no-number": "nplurals=abc; plural=(n != 1);",
    "seven-forms": "nplurals=7; plural=(n % 7);",
    "form-out-of-range": "nplurals=2; plural=n;",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A copy of the real catalogues (and template), the working folder at its root so
    that problems name `locales/xx/LC_MESSAGES/messages.po`."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "locales", root / "locales")
    monkeypatch.chdir(root)
    return Project(root)


def set_plural_forms(path: Path, header: str) -> int:
    """Give a catalogue the Plural-Forms `header`, on one line, and each plural entry as
    many msgstr[N] as it says (the last repeated, or the extra ones dropped), as a
    translator switching rules would; return the header field's line."""
    try:
        nplurals: int | None = parse_plural_forms(header).nplurals
    except PluralFormsError:
        nplurals = None  # a header under test: the entries stay as they are
    lines = path.read_text("utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith('"Plural-Forms:'))
    end = start
    while not lines[end].endswith('\\n"'):
        end += 1
    lines[start:end + 1] = [f'"Plural-Forms: {header}\\n"']
    out: list[str] = []
    forms: list[list[str]] = []  # the msgstr[N] lines (with continuations) of an entry

    def flush() -> None:
        for index in range(len(forms) if nplurals is None else nplurals if forms else 0):
            first, *rest = forms[min(index, len(forms) - 1)]
            out.extend([re.sub(r"^msgstr\[\d+\]", f"msgstr[{index}]", first), *rest])
        forms.clear()

    for line in lines:
        if line.startswith("msgstr["):
            forms.append([line])
        elif forms and line.startswith('"'):
            forms[-1].append(line)
        else:
            flush()
            out.append(line)
    flush()
    path.write_text("\n".join(out), "utf-8")
    return start + 1


def _plural_message(compiled: catalog.CompiledCatalog, path: Path, code: str
                    ) -> tuple[str | None, str, str, tuple[str, ...]]:
    parsed = checks.read_checked(path, code)
    assert parsed.catalog is not None
    message = next(m for m in parsed.catalog if m.id and not isinstance(m.id, str))
    return message.context, message.id[0], message.id[1], tuple(message.string)


# -- every usual rule is accepted ----------------------------------------------------------


def test_the_shipped_catalogues_pass_as_they_are(repo: Project) -> None:
    for code in SHIPPED:
        parsed = checks.read_checked(repo.po(code), code)
        assert [str(p) for p in parsed.problems] == [], code
        assert parsed.plural_rule is not None
        catalog.compile_catalog(repo, code)


@pytest.mark.parametrize("code, source, header", RULES,
                         ids=[f"{c}-{s}" for c, s, _ in RULES])
def test_gnu_and_cldr_rules_old_and_new_are_accepted_and_pick_the_forms(
        repo: Project, caplog: pytest.LogCaptureFixture, code: str, source: str,
        header: str) -> None:
    path = repo.po(code)
    set_plural_forms(path, header)
    rule = parse_plural_forms(header)
    parsed = checks.read_checked(path, code)
    assert [str(p) for p in parsed.problems] == []
    assert parsed.plural_rule == rule
    compiled = catalog.compile_catalog(repo, code, write=True)
    # gettext's way: the file's own rule picks among the file's own msgstr[N].
    context, singular, plural, strings = _plural_message(compiled, path, code)
    assert len(strings) == rule.nplurals
    for n in (0, 1, 2, 3, 10, 11, 20, 99, 100, 101, 1_000_000, 2_000_000):
        assert compiled.translations.plural(n) == rule(n)
        assert compiled.translations.npgettext(context, singular, plural, n) == \
            strings[rule(n)], n
    with open(repo.mo(code), "rb") as fileobj:  # the .mo keeps the file's header
        assert read_mo(fileobj).plural_forms == rule.header
    # A rule other than CLDR's is at most an INFO note (none of these is a WARNING).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_older_rule_is_an_info_note_with_file_and_line(
        repo: Project, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="publication")
    cldr = get_plural("fr")
    if cldr.num_plurals == 2:
        pytest.skip("this Babel's French rule is GNU's")
    line = set_plural_forms(repo.po("fr"), GNU["fr"])
    assert checks.read_checked(repo.po("fr"), "fr").problems == []
    [note] = [r for r in caplog.records if r.name == "publication.i18n.catalog"]
    assert note.levelno == logging.INFO
    assert note.getMessage().startswith(
        f"locales/fr/LC_MESSAGES/messages.po:{line}: header Plural-Forms: "
        "'nplurals=2; plural=(n > 1);' gives 2 and 1000000 the same form, which CLDR's rule "
        f"for fr ('{cldr.plural_forms}'")


def test_the_runtime_form_follows_the_files_expression(repo: Project) -> None:
    set_plural_forms(repo.po("fr"), "nplurals=2; plural=(n > 1);")
    gnu = catalog.compile_catalog(repo, "fr").translations.plural
    assert [gnu(n) for n in (0, 1, 2, 1_000_000)] == [0, 0, 1, 1]
    cldr = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
    set_plural_forms(repo.po("fr"), cldr)
    three = catalog.compile_catalog(repo, "fr").translations.plural
    assert [three(n) for n in (0, 1, 2, 1_000_000, 1_000_001)] == [0, 0, 2, 1, 2]


def test_gettext_never_compiles_the_files_expression(
        repo: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = gettext.c2py

    def spy(plural: str) -> Callable[[int], int]:
        compiled.append(plural)
        return real(plural)

    monkeypatch.setattr(gettext, "c2py", spy)
    for code in SHIPPED:
        catalog.compile_catalog(repo, code, write=True)
    assert set(compiled) == {"0"}


def test_plural_entries_need_the_headers_number_of_forms(repo: Project) -> None:
    path = repo.po("fr")
    set_plural_forms(path, "nplurals=2; plural=(n > 1);")
    text = path.read_text("utf-8")
    line = text.split("\n").index('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"') + 1
    path.write_text(text.replace("nplurals=2; plural=(n > 1);", "nplurals=3; plural=(n == 0 "
                                 "|| n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"), "utf-8")
    problems = [str(p) for p in checks.read_checked(path, "fr").problems]
    assert problems and all("plural message has 2 forms (msgstr[0]..msgstr[1]) but the "
                            "header's Plural-Forms needs 3" in p for p in problems), problems
    assert all(not p.startswith(f"locales/fr/LC_MESSAGES/messages.po:{line}:")
               for p in problems)


# -- a hostile header ----------------------------------------------------------------------


def _bounded(function: Callable[..., T], *args: object) -> T | InputError:
    """Call `function` (an InputError it raises is returned); assert it took under 2 s
    and 50 MB."""
    tracemalloc.start()
    start = time.perf_counter()
    result: T | InputError
    try:
        result = function(*args)
    except InputError as exc:
        result = exc
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seconds < 2.0 and peak < 50_000_000, (seconds, peak)
    return result


@pytest.mark.parametrize("header", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_header_is_one_problem_at_its_line_for_its_locale_only(
        repo: Project, header: str) -> None:
    line = set_plural_forms(repo.po("fr"), header)
    where = f"locales/fr/LC_MESSAGES/messages.po:{line}: header Plural-Forms: "
    # build, watch and compile: compile_catalog
    failed = _bounded(catalog.compile_catalog, repo, "fr")
    assert isinstance(failed, InputError)
    [problem] = [str(p) for p in failed.problems]
    assert problem.startswith(where) and len(problem) < 600, problem
    assert get_plural("fr").plural_forms in problem  # what to write instead
    # status
    item = _bounded(status.locale_status, repo, "fr", [], {})
    assert [str(p) for p in item.problems] == [problem]
    # the cache's view of the catalogue, and update
    raw = repo.po("fr").read_bytes()
    assert _bounded(cache.Catalogue.parse, repo.po("fr"), raw, "fr") is None
    refused = _bounded(catalog.update, repo, ["fr"])
    assert isinstance(refused, InputError) and [str(p) for p in refused.problems] == [problem]
    # every other language still compiles
    for code in SHIPPED:
        if code != "fr":
            catalog.compile_catalog(repo, code)
            assert status.locale_status(repo, code, [], {}).problems == ()


def _header_lines(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")


# Headers our reader and Babel's would read differently: the check must see what Babel
# is about to use, before it allocates nplurals forms for every plural message.
SNEAKY = {
    "a-second-field": ('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"',
                       '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n'
                       '"Plural-Forms: nplurals=10000000; plural=(n%0);\\n"',
                       "written more than once or across lines"),
    "a-field-inside-a-string": ('"Language: fr\\n"',
                                '"Language: fr\\nPlural-Forms: nplurals=10000000; plural=0;\\n"',
                                "nplurals must be from 1 to 6"),
    "a-folded-line": ('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"',
                      '"Plural-Forms: nplurals=2; plural=(n > 1)\\n"\n" + n%0;\\n"',
                      "written more than once or across lines"),
    "a-second-field-that-is-no-number": ('"Plural-Forms: nplurals=2; plural=(n > 1);\\n"',
                                         '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n'
                                         '"Plural-Forms: nplurals=abc; plural=0;\\n"',
                                         "the header entry cannot be read"),
}


@pytest.mark.parametrize("old, new, words", SNEAKY.values(), ids=SNEAKY.keys())
def test_a_header_babel_would_read_differently_is_refused(
        repo: Project, old: str, new: str, words: str) -> None:
    path = repo.po("fr")
    set_plural_forms(path, "nplurals=2; plural=(n > 1);")
    _header_lines(path, old, new)
    failed = _bounded(catalog.compile_catalog, repo, "fr")
    assert isinstance(failed, InputError)
    problems = [str(p) for p in failed.problems]
    assert any(p.startswith("locales/fr/LC_MESSAGES/messages.po:") and words in p
               for p in problems), problems


def test_a_second_header_entry_is_refused(repo: Project) -> None:
    path = repo.po("fr")
    text = path.read_text("utf-8")
    path.write_text(text + '\nmsgid ""\nmsgstr "Plural-Forms: nplurals=10000000; plural=0;\\n"\n',
                    "utf-8")
    failed = _bounded(catalog.compile_catalog, repo, "fr")
    assert isinstance(failed, InputError)
    problems = [str(p) for p in failed.problems]
    second = len(text.split("\n")) + 1
    assert f"locales/fr/LC_MESSAGES/messages.po:{second}: a second header entry" in \
        " ".join(problems), problems
    assert any("written more than once" in p for p in problems), problems


def test_a_hostile_header_fails_its_language_in_compile_build_and_watch(
        project: Project, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project.root)
    start_catalog(project, "de", {"title": "Testkampagne"})
    start_catalog(project, "fr", {"title": "Campagne de test"})
    watcher = watch.Watcher(project)
    line = set_plural_forms(project.po("fr"), HOSTILE["modulo-zero"])
    where = f"locales/fr/LC_MESSAGES/messages.po:{line}: header Plural-Forms: "

    assert main(["compile"], root=project.root) == 1
    out = capsys.readouterr()
    assert "de: compiled" in out.out and where in out.err

    change = watcher.poll()
    assert change is not None and change.locales == {"fr"}
    selection = Selection(kinds=("poster",), sizes=("a3",))
    assert {t.locale for t in watch.targets_for(project, selection, change)} == {"fr"}
    targets = plan(project, Selection(locales=("fr", "de"), kinds=("poster",), sizes=("a3",)))
    report = build(project, targets, BuildOptions(jobs=1))
    outcomes = {o.target.locale: o for o in report.outcomes}
    assert outcomes["de"].status == "built"
    assert outcomes["fr"].status == "failed"
    [message] = outcomes["fr"].messages
    assert message.startswith(where), message
