"""Hostile and mistaken input, end to end (issue 12): each problem is one message naming
its file and line, and costs only its own language or output; the others still build."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from make_pdf import main
from publication.model import Project, context_place
from publication.report import status
from tests.translating import entry_line, replace_in, start_catalog

GOOD = {"title": "Testkampagne", "headline": "Befreit den Häftling"}
POSTER = ["build", "--kind", "poster", "--size", "a3", "--jobs", "1"]


def _messages(caplog: pytest.LogCaptureFixture) -> str:
    text = caplog.text
    caplog.clear()  # the expected warnings (the folder name) are read, not failures
    return text


def test_broken_catalogues_cost_only_their_language(
    project: Project, caplog: pytest.LogCaptureFixture,
) -> None:
    de = start_catalog(project, "de", GOOD)
    assert main(POSTER + ["--locale", "de"], root=project.root) == 0
    earlier = (project.output / "fixture" / "de" / "poster-a3.pdf").read_bytes()
    fr = start_catalog(project, "fr", {"title": "Campagne", "headline": "Libérez"})
    es = start_catalog(project, "es", {"title": "Campaña", "headline": "Liberad"})
    it = start_catalog(project, "it", {"title": "Campagna", "headline": "Liberate"})
    start_catalog(project, "he", {"title": "קמפיין"})
    # A placeholder width (a hang in WeasyPrint), a zero-width space (a misleading gate
    # message), a huge data: link, and a folder whose name is no locale code.
    lines = fr.read_text("utf-8").split("\n")
    lines[entry_line(fr, "facts.protest-days", "msgstr[0]") - 1] = \
        'msgstr[0] "%(count)20000000s jour"'
    fr.write_text("\n".join(lines), "utf-8")
    replace_in(es, 'msgstr "Liberad"', 'msgstr "Libe\u200brad"')
    replace_in(it, 'msgstr "Liberate"',
               'msgstr "Liberate <a href=\\"data:text/html,' + "A" * 1000 + '\\">x</a>"')
    replace_in(de, 'msgstr "Befreit den Häftling"', 'msgstr "Befreit <em>den</em> Häftling"')
    odd = project.locales / "dé" / "LC_MESSAGES"
    odd.mkdir(parents=True)
    shutil.copy(de, odd / "messages.po")
    started = time.monotonic()
    assert main(POSTER, root=project.root) == 1
    assert time.monotonic() - started < 60
    text = _messages(caplog)
    po = "locales/{}/LC_MESSAGES/messages.po:{}"
    line = entry_line(fr, "facts.protest-days", "msgstr[0]")
    assert (f"{po.format('fr', line)}: 'fixture/facts.protest-days' msgstr[0]: placeholder "
            "'%(count)20000000s' has a width or precision") in text, text
    assert (f"{po.format('es', entry_line(es, 'headline'))}: contains the invisible control "
            "character U+200B (zero-width space) after 'Libe'") in text, text
    assert (f"{po.format('it', entry_line(it, 'headline'))}: 'fixture/headline' msgstr: the link "
            "address 'data:text/html,AAAAAAAAAAAAAAAAAAAAAAAAA…' is 1,015 characters long; at "
            "most 300 are allowed") in text, text
    assert "A" * 100 not in text  # the link is never echoed whole
    assert ("locales/dé/LC_MESSAGES/messages.po: the folder name 'dé' is not a locale code "
            "Babel knows, so its catalogue is not built; rename the folder") in text, text
    assert "<em> is not in the source string, so it may not be used" in text  # de's mistake
    assert "reading-order" not in text and "Traceback" not in text
    # One message per problem, and the other languages built; de's earlier PDF is kept.
    assert text.count("'%(count)20000000s'") == 1 and text.count("U+200B") == 1
    for code in ("en", "he"):
        assert (project.output / "fixture" / code / "poster-a3.pdf").is_file(), code
    for code in ("fr", "es", "it"):
        assert not (project.output / "fixture" / code / "poster-a3.pdf").exists(), code
    assert (project.output / "fixture" / "de" / "poster-a3.pdf").read_bytes() == earlier


def test_status_counts_one_campaign(
    project: Project, capsys: pytest.CaptureFixture[str],
) -> None:
    start_catalog(project, "fr", {"title": "Campagne"})
    second = project.content / "second"
    shutil.copytree(project.content / "fixture", second)
    path = second / "campaign.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Fixture campaign",
                                                    "title: Second campaign"), "utf-8")
    assert main(["extract"], root=project.root) == 0
    assert main(["update"], root=project.root) == 0
    capsys.readouterr()

    def overall(*options: str) -> dict[str, int]:
        assert main(["status", "--json", "--locale", "fr", *options], root=project.root) == 0
        [fr] = json.loads(capsys.readouterr().out)["locales"]
        return {state: fr[state] for state in ("translated", "fuzzy", "untranslated")}

    both, first, other = overall(), overall("--campaign", "fixture"), \
        overall("--campaign", "second")
    # Each campaign's publications show 52 messages. Its content's messages are its own
    # (their contexts name it), even where the texts are the same; the templates'
    # messages are shared. Only the first campaign's title is translated, and the
    # second's is not pre-filled from it, although the rest of its text is the same.
    shown = frozenset().union(*status.kind_messages(project).values())
    shared = sum(1 for context, _ in shown if context_place(context)[0] is None)
    assert sum(first.values()) == sum(other.values()) == 52
    assert sum(both.values()) == 2 * 52 - shared
    assert first["translated"] == both["translated"] == 1 and other["translated"] == 0
    assert other["fuzzy"] == 0
    assert main(["status", "--campaign", "nope"], root=project.root) == 2
    assert "no campaign 'nope' in content/ (have: fixture, second)" in capsys.readouterr().err
