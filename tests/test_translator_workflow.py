"""The translator's workflow end to end: status, init a new language, build, refused
catalogues, fuzzy entries, watch (make_pdf.py, publication/status.py, publication/watch.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from make_pdf import main
from publication.build.watch import Change, Watcher, targets_for, watch
from publication.i18n import catalog, checks
from publication.model import Project, Selection
from publication.report import status
from tests.pdfread import catalog_facts, struct_text
from tests.translating import ctx, entry_line, pdf_text, replace_in, start_catalog

REPO = Path(__file__).resolve().parent.parent
PETITION = ["--kind", "petition", "--size", "a4", "--jobs", "1"]
FRENCH: dict[str, str | tuple[str, ...]] = {
    "title": "Campagne de test",
    "petition.title": "Libérez le détenu",
    "petition.demand": "Nous demandons la libération du détenu.",
    "petition.privacy": "Vos données servent uniquement à cette pétition.",
}


def _pdf(project: Project, code: str) -> Path:
    return project.output / "fixture" / code / "petition-a4.pdf"


def _log(caplog: pytest.LogCaptureFixture) -> str:
    text = "\n".join(r.getMessage() for r in caplog.records)
    caplog.clear()
    return text


# -- status --------------------------------------------------------------------------------


def test_status_counts_each_locale_overall_and_per_kind(project: Project) -> None:
    start_catalog(project, "de", {"headline": "Befreit", "petition.title": "Freilassung",
                                  "letter.closing": "Hochachtungsvoll"},
                  fuzzy=frozenset({"petition.title"}))
    per_kind = status.kind_messages(project)
    assert ("petition.table.name", "Name") in per_kind["petition"]
    assert ("petition.table.name", "Name") not in per_kind["poster"]
    assert (ctx("headline"), "Free the fixture") in per_kind["poster"]
    # What some kind shows (a template string for a field this campaign leaves out, such
    # as the petition's data controller, is not counted).
    total = len(frozenset().union(*per_kind.values()))
    assert total <= len(catalog.template_messages(project))
    en, de = status.status(project)
    assert (en.locale, en.complete, en.overall.total) == ("en", 100.0, total)
    assert de.overall == status.Counts(translated=2, fuzzy=1, untranslated=total - 3)
    # The letter's subject line is the petition's title.
    expected = {"leaflet": (1, 0), "poster": (1, 0), "petition": (0, 1), "letter": (1, 1)}
    for kind, (translated, fuzzy) in expected.items():
        counts = de.kinds[kind]
        assert (counts.translated, counts.fuzzy) == (translated, fuzzy), kind
        assert counts.total == len(per_kind[kind])
    assert de.problems == ()


def test_status_command_table_json_and_min_complete(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    start_catalog(project, "fr", FRENCH)
    assert main(["status"], root=project.root) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["LOCALE", "LANGUAGE", "PUBLICATION", "TRANSLATED",
                                             "FUZZY", "UNTRANSLATED", "COMPLETE"]
    assert "fr      French" in table and "petition" in table

    assert main(["status", "--json"], root=project.root) == 0
    data = json.loads(capsys.readouterr().out)
    fr = next(item for item in data["locales"] if item["locale"] == "fr")
    assert fr["translated"] == len(FRENCH)
    assert fr["kinds"]["petition"]["translated"] == len(FRENCH)
    percent = fr["complete"]
    assert 0 < percent < 100

    assert main(["status", "--min-complete", str(int(percent))], root=project.root) == 0
    assert main(["status", "--min-complete", str(percent + 1)], root=project.root) == 1
    assert "fr: is " in capsys.readouterr().err
    assert main(["status", "--locale", "en", "--min-complete", "100"], root=project.root) == 0
    assert main(["status", "--min-complete", "101"], root=project.root) == 2

    # A catalogue that cannot be built fails any minimum, and the table says why.
    replace_in(project.po("fr"), 'msgstr "Campagne de test"', 'msgstr "Campagne de test')
    assert main(["status", "--min-complete", "0"], root=project.root) == 1
    out = capsys.readouterr()
    assert f"messages.po:{entry_line(project.po('fr'), 'title')}: " in out.out
    assert "fr: has 1 problem(s)" in out.err


def test_real_catalogues_are_complete_and_up_to_date(tmp_path: Path) -> None:
    """A fresh clone: six complete locales, and a template that matches the content."""
    root = tmp_path / "repo"
    for name in ("content", "locales"):
        shutil.copytree(REPO / name, root / name)
    for package in ("render", "serve"):  # babel.cfg extracts both packages' templates
        shutil.copytree(REPO / "publication" / package / "templates",
                        root / "publication" / package / "templates")
    shutil.copy(REPO / "babel.cfg", root)
    project = Project(root)
    statuses = status.status(project)
    assert [s.locale for s in statuses] == ["en", "ar", "de", "es", "fr", "he"]
    assert {s.locale: (s.complete, [str(p) for p in s.problems]) for s in statuses} == \
        {s.locale: (100.0, []) for s in statuses}
    # The template has the messages of the content and templates (line numbers in its
    # comments may lag behind an edit; that changes nothing for translators), and every
    # catalogue has exactly the template's messages.
    fresh = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
             for m in catalog.extract(project) if m.id}
    assert set(catalog.template_messages(project)) == fresh, \
        "locales/messages.pot is out of date: run 'python make_pdf.py extract' and 'update'"
    for item in statuses[1:]:
        parsed = checks.read_checked(project.po(item.locale), item.locale)
        assert parsed.catalog is not None
        assert set(catalog.entry_states(parsed.catalog)) == fresh, item.locale


# -- a new language ------------------------------------------------------------------------


def test_init_italian_then_build_gives_a_tagged_italian_pdf_with_english_fallback(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    assert main(["extract"], root=project.root) == 0
    assert main(["init", "it"], root=project.root) == 0
    po = project.po("it")
    with open(po, "rb") as fileobj:  # what Poedit does: fill in some translations, save
        cat = read_po(fileobj, locale="it")
    for msgid, context, string in (("Fixture campaign", ctx("title"), "Campagna di prova"),
                                   ("Release the detainee", ctx("petition.title"),
                                    "Liberate il detenuto")):
        message = cat.get(msgid, context=context)
        assert message is not None
        message.string = string
    with open(po, "wb") as fileobj:
        write_po(fileobj, cat)
    assert main(["build", "--locale", "it", *PETITION], root=project.root) == 0
    log = _log(caplog)
    pdf = _pdf(project, "it")
    facts = catalog_facts(pdf)
    assert facts["lang"] == "it"
    assert facts["has_struct_tree"] and facts["marked"]
    assert str(facts["pdfua_part"]) == "1"
    assert facts["title"] == "Campagna di prova"
    text = pdf_text(pdf)
    assert "Liberate il detenuto" in text
    # Untranslated messages show in English, and the build says which and where.
    assert "Your details are used only for this petition." in text
    line = entry_line(po, "petition.privacy", "msgid")
    assert (f"locales/it/LC_MESSAGES/messages.po:{line} fixture/petition.privacy: untranslated — "
            "shown in English on: petition") in log
    assert "untranslated message 'fixture/petition.privacy'" not in log  # not once per PDF


def test_init_refuses_unknown_locales_with_a_clear_error(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract"], root=project.root) == 0
    assert main(["init", "qq"], root=project.root) == 2
    assert "'qq' is not a language code Babel knows" in capsys.readouterr().err
    assert main(["init", "../../tmp/x"], root=project.root) == 2
    assert "is not a locale code" in capsys.readouterr().err
    assert sorted(p.name for p in project.locales.iterdir()) == ["messages.pot"]


# -- untrusted catalogues ------------------------------------------------------------------


BREAKAGES = [
    # (what, context, old text in the .po, new text, part of the message)
    ("broken entry", "petition.title", 'msgstr "Libérez le détenu"', 'msgstr "Libérez le détenu',
     "not closed"),
    ("smuggled image", "petition.demand", 'msgstr "Nous demandons',
     'msgstr "<img src=\\"https://evil.example/x.png\\"> Nous demandons', "tag <img>"),
    ("foreign placeholder", "petition.privacy", 'msgstr "Vos données',
     'msgstr "%(email)s Vos données', "placeholder %(email)s is not in the source"),
]


def test_bad_catalogue_is_refused_at_its_line_and_the_earlier_pdf_stays(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    po = start_catalog(project, "fr", FRENCH)
    start_catalog(project, "de", {"petition.title": "Lasst den Gefangenen frei"})
    assert main(["build", "--locale", "fr", "--locale", "de", *PETITION],
                root=project.root) == 0
    earlier = _pdf(project, "fr").read_bytes()
    good = po.read_text("utf-8")
    _log(caplog)
    for what, context, old, new, message in BREAKAGES:
        po.write_text(good, "utf-8")
        replace_in(po, old, new)
        _pdf(project, "de").unlink()
        assert main(["build", "--locale", "fr", "--locale", "de", *PETITION],
                    root=project.root) == 1, what
        log = _log(caplog)
        assert f"messages.po:{entry_line(po, context)}: " in log, (what, log)
        assert message in log, (what, log)
        assert "FAILED fixture/fr/petition-a4" in log
        assert "FAILED fixture/de" not in log
        assert _pdf(project, "fr").read_bytes() == earlier, what
        assert "Lasst den Gefangenen frei" in pdf_text(_pdf(project, "de")), what


def test_fuzzy_entry_never_reaches_the_pdf(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    po = start_catalog(project, "fr", {**FRENCH, "petition.title": "TITRE FLOU"},
                       fuzzy=frozenset({"petition.title"}))
    assert main(["build", "--locale", "fr", *PETITION], root=project.root) == 0
    log = _log(caplog)
    pdf = _pdf(project, "fr")
    for text in (pdf_text(pdf), struct_text(pdf), pdf.read_bytes().decode("latin-1")):
        assert "TITRE FLOU" not in text
    assert "Release the detainee" in pdf_text(pdf)
    assert "Nous demandons la libération du détenu." in pdf_text(pdf)
    line = entry_line(po, "petition.title", "msgid")
    assert (f"messages.po:{line} fixture/petition.title: fuzzy — shown in English on: "
            "petition") in log
    # --strict refuses to publish a fallback at all, and leaves the earlier file.
    before = pdf.read_bytes()
    assert main(["build", "--locale", "fr", "--strict", "--force", *PETITION],
                root=project.root) == 1
    assert f"messages.po:{line}: fuzzy message 'fixture/petition.title'" in _log(caplog)
    assert pdf.read_bytes() == before


# -- watch ---------------------------------------------------------------------------------


def test_watcher_reports_which_locale_a_saved_file_affects(project: Project) -> None:
    fr = start_catalog(project, "fr", FRENCH)
    start_catalog(project, "de", {})
    watcher = Watcher(project)
    assert watcher.poll() is None
    os.utime(fr, ns=(time.time_ns(), time.time_ns() + 10**9))
    change = watcher.poll()
    assert change == Change(frozenset({"fr"}), False, (fr,))
    assert watcher.poll() is None
    selection = Selection(kinds=("petition",), sizes=("a4",))
    assert [str(t) for t in targets_for(project, selection, change)] == ["fixture/fr/petition-a4"]
    # Only the locales asked for are rebuilt.
    assert targets_for(project, Selection(locales=("de",)), change) == []

    css = project.styles / "base.css"
    css.write_text(css.read_text("utf-8") + "\n", "utf-8")
    change = watcher.poll()
    assert change is not None and change.everything and change.locales == frozenset()
    assert {t.locale for t in targets_for(project, selection, change)} == {"en", "de", "fr"}

    # A locale started while watching is picked up too.
    it = start_catalog(project, "it", {})
    assert watcher.poll() == Change(frozenset({"it"}), False, (it,))


def test_watch_loop_rebuilds_once_per_save_and_stops(project: Project) -> None:
    fr = start_catalog(project, "fr", FRENCH)
    watcher = Watcher(project, ("fr",))
    rebuilt: list[Change] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the "editor" saves during the first interval
        sleeps.append(seconds)
        if len(sleeps) == 1:
            fr.write_text(fr.read_text("utf-8").replace("Campagne", "Campagne!"), "utf-8")

    watch(watcher, rebuilt.append, interval=0.5, settle=0.2, iterations=3, sleep=sleep)
    assert rebuilt == [Change(frozenset({"fr"}), False, (fr,))]
    assert sleeps == [0.5, 0.2, 0.5]  # poll, save seen -> settle, poll; no sleep after


def test_watch_command_rebuilds_after_a_save_and_stops_on_ctrl_c(project: Project) -> None:
    po = start_catalog(project, "fr", FRENCH)
    argv = ["watch", "--locale", "fr", *PETITION]
    code = ("import sys; from pathlib import Path; from make_pdf import main; "
            f"sys.exit(main({argv!r}, root=Path({str(project.root)!r})))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    seen: list[str] = []

    def wait_for(text: str, count: int = 1) -> None:
        deadline = time.monotonic() + 60
        while sum(text in line for line in seen) < count:
            assert time.monotonic() < deadline, seen
            line = proc.stderr.readline()  # type: ignore[union-attr]
            assert line, seen
            seen.append(line)

    try:
        wait_for("watching for changes")
        assert "Libérez le détenu" in pdf_text(_pdf(project, "fr"))
        replace_in(po, 'msgstr "Libérez le détenu"', 'msgstr "Libérez-le maintenant"')
        wait_for("watching for changes", 2)
        assert any("saved: " in line and "messages.po" in line for line in seen), seen
        assert "Libérez-le maintenant" in pdf_text(_pdf(project, "fr"))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        rest = proc.stderr.read()
        assert "stopped watching" in rest and "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- one report of what is shown in English ----------------------------------------------


def test_build_reports_each_fallback_once_per_locale_sorted_and_again_when_skipped(
        project: Project, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    po = start_catalog(project, "fr", {**FRENCH, "headline": "Libérez-le"},
                       fuzzy=frozenset({"headline"}))
    build = ["build", "--locale", "fr", "--kind", "poster", "--kind", "petition", "--jobs", "1",
             "--no-print-files"]
    assert main(build, root=project.root) == 0
    log = _log(caplog)
    report = [row for row in log.splitlines() if "— shown in English on:" in row]
    lines = [int(row.split(":")[1].split()[0]) for row in report]
    assert lines == sorted(lines) and len(set(report)) == len(report), report
    headline = entry_line(po, "headline", "msgid")
    # The poster is made in two sizes, the petition in two: each message is said once.
    assert (f"locales/fr/LC_MESSAGES/messages.po:{headline} fixture/headline: fuzzy — shown in "
            "English on: poster") in report
    assert any(row.endswith(" fixture/quote.text: untranslated — shown in English on: poster")
               for row in report), report
    # A message on both kinds built is said once, naming both.
    assert any(row.endswith(" common.qr.prompt: untranslated — shown in English on: poster")
               for row in report), report
    assert f"fr: {len(report)} message(s) shown in English (untranslated or fuzzy):" in log
    # Nothing to build: the same report, from the records.
    assert main(build, root=project.root) == 0
    assert [row for row in _log(caplog).splitlines() if "— shown in English on:" in row] == report
    # `status --list` says the same for these kinds, without building.
    assert main(["status", "--locale", "fr", "--list"], root=project.root) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("fr: ")
    for row in report:
        where, _, kinds = row.partition(" — shown in English on: ")
        [full] = [r for r in listed if r.startswith(where + " — ")]
        assert set(kinds.split(", ")) <= set(full.split(" on: ")[1].split(", ")), (row, full)
    assert main(["status", "--locale", "fr", "--list", "--json"], root=project.root) == 0
    data = json.loads(capsys.readouterr().out)
    [fr] = data["locales"]
    assert {"line": headline, "context": ctx("headline"), "state": "fuzzy",
            "kinds": ["leaflet", "poster"]} in fr["missing"]
    assert len(fr["missing"]) == len(listed) - 1
    assert [m["line"] for m in fr["missing"]] == sorted(m["line"] for m in fr["missing"])


def test_status_counts_only_what_some_kind_shows(project: Project) -> None:
    campaign = project.content / "fixture" / "campaign.yaml"
    replace_in(campaign, "show_on: [leaflet]", "show_on: []")
    assert main(["extract"], root=project.root) == 0
    assert (ctx("news.a-news-item.title"), "A news item") not in \
        catalog.template_messages(project)
    start_catalog(project, "fr", FRENCH)
    [en, fr] = status.status(project, ["en", "fr"])
    assert en.overall.total == len(frozenset().union(*status.kind_messages(project).values()))
    assert not any(m.context.startswith(ctx("news.")) for m in fr.missing)
