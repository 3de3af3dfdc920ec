"""End to end: plan and build outputs (publication/build.py, make_pdf.py build)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from make_pdf import main
from publication.build import cache
from publication.build.builder import build, plan
from publication.errors import UsageError
from publication.i18n import catalog
from publication.model import BuildOptions, Project, Selection, Target
from tests.pdfread import catalog_facts, fonts, page_size_mm, struct_text
from tests.translating import start_catalog

ARABIC = {
    "title": "حملة الاختبار",
    "headline": "الحرية للمحتجز",
    "urging": "نحث الجميع على التحرك الآن.",
    "petition.title": "أطلقوا سراح المحتجز",
}


def _translate(project: Project, code: str, strings: dict[str, str]) -> None:
    """Start a catalogue for `code` and translate the messages named by place."""
    catalog.write_pot(project, catalog.extract(project))
    start_catalog(project, code, strings)


def _build(project: Project, **selection: tuple[str, ...]) -> list[Path]:
    targets = plan(project, Selection(**selection))
    report = build(project, targets, BuildOptions(jobs=1))
    assert report.ok, [o.messages for o in report.failed]
    return [o.path for o in report.outcomes]


def test_plan_covers_every_kind_in_its_default_sizes(project: Project) -> None:
    targets = plan(project, Selection())
    assert {(t.kind, t.size) for t in targets} == {
        ("leaflet", "a4"), ("leaflet", "letter"), ("poster", "a3"), ("poster", "tabloid"),
        ("petition", "a4"), ("petition", "letter"), ("letter", "a4"), ("letter", "letter")}
    assert {t.locale for t in targets} == {"en"}


def test_plan_refuses_unknown_names(project: Project) -> None:
    with pytest.raises(UsageError, match="no catalogue for locale 'it'"):
        plan(project, Selection(locales=("it",)))
    with pytest.raises(UsageError, match="not a locale code"):
        plan(project, Selection(locales=("../etc",)))
    with pytest.raises(UsageError, match="no campaign"):
        plan(project, Selection(campaigns=("nope",)))


def test_a2_poster_only_on_request(project: Project) -> None:
    targets = plan(project, Selection(kinds=("poster",), sizes=("a2",)))
    assert [(t.kind, t.size) for t in targets] == [("poster", "a2")]


def test_english_outputs_are_tagged_pdf_ua(project: Project) -> None:
    paths = _build(project, kinds=("leaflet", "petition"), sizes=("a4",))
    leaflet, petition = paths
    assert leaflet == Target("fixture", "en", "leaflet", "a4").path(project.output)
    facts = catalog_facts(leaflet)
    assert facts["lang"] == "en"
    assert facts["title"] == "Fixture campaign"
    assert facts["display_doc_title"] and facts["marked"] and facts["has_struct_tree"]
    assert facts["pdfua_part"] == "1"
    assert facts["pages"] == 6, "a tri-fold leaflet is six panels"
    assert facts["outlines"] >= 1, "bookmarks come from headings"
    assert page_size_mm(leaflet) == (99.0, 210.0)
    for font in fonts(leaflet):
        assert font["name"].split("+")[-1].startswith("Noto-Sans"), font
        assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font
    tree = struct_text(petition)
    assert "Table" in tree and "TH" in tree, "the petition is a table with header cells"
    assert "Release the detainee" in tree


def test_rtl_locale_builds_with_lang_and_mirrored_direction(project: Project) -> None:
    _translate(project, "ar", ARABIC)
    [poster] = _build(project, locales=("ar",), kinds=("poster",), sizes=("a3",))
    facts = catalog_facts(poster)
    assert facts["lang"] == "ar"
    assert facts["title"] == ARABIC["title"]
    assert facts["pages"] == 1
    names = {f["name"].split("+")[-1] for f in fonts(poster)}
    assert any(name.startswith("Noto-Sans-Arabic") for name in names), names
    html_path = project.output / "fixture" / "ar"
    assert not list(html_path.glob("*.html")), "HTML is written only with --html"


def test_cli_build_writes_html_beside_pdf_and_exits_zero(project: Project) -> None:
    code = main(["-q", "build", "--kind", "letter", "--size", "a4", "--html", "--jobs", "1"],
                root=project.root)
    assert code == 0
    folder = project.output / "fixture" / "en"
    html = (folder / "letter-a4.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html
    assert (folder / "letter-a4.pdf").stat().st_size > 1000


def test_cli_usage_errors_exit_two(project: Project) -> None:
    assert main(["build", "--locale", "xx_INVALID"], root=project.root) == 2
    assert main(["build", "--kind", "flyer"], root=project.root) == 2


def test_content_error_fails_the_build_with_file_and_line(
    project: Project, caplog: pytest.LogCaptureFixture,
) -> None:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index("  rows: 5") + 1
    path.write_text(text.replace("rows: 5", "rows: -1"), encoding="utf-8")
    assert main(["-q", "build", "--kind", "petition", "--jobs", "1"], root=project.root) == 1
    failures = [r.getMessage() for r in caplog.records if r.name == "make_pdf"]
    assert any(f"campaign.yaml:{line}: petition.rows: -1 is too small: write a whole number "
               "from 1 to 60" in m
               for m in failures), failures
    caplog.clear()


def test_summary_says_shared_reasons_once() -> None:
    from publication.build.builder import BuildReport, summarize
    from publication.model import Outcome

    reasons = ("locales/fr/LC_MESSAGES/messages.po:12: msgstr has placeholder(s) %(x)s",)
    report = BuildReport([
        Outcome(Target("c", "fr", "poster", size), "failed", Path(f"{size}.pdf"),
                messages=reasons) for size in ("a3", "tabloid")])
    lines = list(summarize(report))
    assert lines == ["2 failed", "FAILED c/fr/poster-a3, c/fr/poster-tabloid:",
                     f"  {reasons[0]}"]


def test_the_outputs_of_a_campaign_removed_from_the_content_are_removed(
    project: Project, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="publication.build.builder")
    shutil.copytree(project.content / "fixture", project.content / "second")
    letters = Selection(kinds=("letter",), sizes=("a4",), locales=("en",))
    assert build(project, plan(project, letters), BuildOptions(jobs=1)).ok
    second = [project.output / "second", project.output / ".cache" / "second",
              project.output / ".check" / "second", project.output / ".thumbs" / "second"]
    assert all(folder.is_dir() for folder in second)
    # A record is untrusted: one naming a campaign outside output/ removes nothing there.
    outside = project.root / "keep"
    outside.mkdir()
    forged = project.output / ".cache" / "fixture" / "en" / "letter-a4.json"
    record = json.loads(forged.read_text(encoding="utf-8"))
    evil = project.output / ".cache" / "evil.json"
    evil.write_text(json.dumps({**record, "target": {**record["target"], "campaign": "../keep"}}),
                    encoding="utf-8")
    shutil.rmtree(project.content / "second")
    assert build(project, plan(project, letters), BuildOptions(jobs=1)).ok
    assert not any(folder.exists() for folder in second)
    assert "removed the outputs of campaign second" in caplog.text
    assert outside.is_dir() and (project.output / "fixture" / "en" / "letter-a4.pdf").is_file()
    assert {r.campaign for r in cache.records(project)} == {"fixture"}
    index = (project.output / "index.html").read_text(encoding="utf-8")
    assert "second/en/letter-a4.pdf" not in index
    caplog.clear()
