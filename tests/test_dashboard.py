"""output/index.html as the dashboard staff use (publication/report/dashboard.py): a
language x kind grid per campaign with each output's state, completeness, build time and
what the last build did; checked with axe-core in Debian's Chromium through Playwright.

The built project: English, Arabic (right to left, partly translated: its outputs show
some messages in English) and German; petitions, letters and posters (with print-shop
files and HTML previews). A second build adds US Letter letters and breaks the German
salutation's markup: the German A4 letter fails with its earlier file left, the German
US Letter one fails with no file at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publication.build import cache
from publication.build.builder import build, plan
from publication.model import BuildOptions, Outcome, Product, Project, Selection, Target
from publication.report import index, proof
from publication.report.status import kind_messages, locale_status
from tests.browsing import axe_violations, chromium
from tests.projects import copy_project, make_project
from tests.serving import serve
from tests.translating import replace_in, start_catalog

ARABIC = {"title": "حملة الاختبار", "headline": "الحرية للمحتجز",
          "petition.title": "الحرية للمحتجز", "letter.salutation": "السيد الوزير،"}
GERMAN = {"title": "Testkampagne", "headline": "Freiheit", "subtitle": "Ein kurzer Untertitel",
          "petition.title": "Lasst den Gefangenen frei", "letter.salutation": "Sehr geehrte Damen"}
FIRST = Selection(kinds=("petition", "letter", "poster"), sizes=("a4", "a3"))
SECOND = Selection(kinds=("letter",), sizes=("a4", "letter"))
OPTIONS = BuildOptions(jobs=2, print_files=True, write_html=True)
# Set DASHBOARD_SCREENSHOT=path.png to keep the screenshot the tests take.
SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = make_project(tmp_path_factory.mktemp("dashboard") / "project", fonts_dir)
    start_catalog(project, "ar", ARABIC)
    start_catalog(project, "de", GERMAN, fuzzy=frozenset({"headline"}))
    report = build(project, plan(project, FIRST), OPTIONS)
    assert report.ok, [o.messages for o in report.failed]
    assert (project.output / "fixture" / "proof.pdf").is_file(), "index.write makes it"
    replace_in(project.po("de"), '"Sehr geehrte Damen"', '"Sehr geehrte <b>Damen"')
    report = build(project, plan(project, SECOND), OPTIONS)
    LAST.update({str(o.target): o.status for o in report.outcomes})
    OUTCOMES.extend(report.outcomes)
    assert {t: s for t, s in LAST.items() if s != "skipped"} | {
        "fixture/en/letter-a4": "built", "fixture/ar/letter-a4": "built"} == {
        "fixture/en/letter-a4": "built", "fixture/en/letter-letter": "built",
        "fixture/ar/letter-a4": "built", "fixture/ar/letter-letter": "built",
        "fixture/de/letter-a4": "failed", "fixture/de/letter-letter": "failed"}, \
        [(str(o.target), o.messages) for o in report.outcomes]
    return project


# What the second build did to each target: the A4 letters in English and Arabic are
# skipped, unless the package changed between the two builds (someone editing it).
LAST: dict[str, str] = {}
OUTCOMES: list[Outcome] = []


def manifest(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.output / "manifest.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def served(built: Project) -> Iterator[str]:
    """The output folder over HTTP on localhost, as a web server would publish it."""
    with serve(built.output) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, served: str) -> Iterator[Any]:
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    response = tab.goto(served + "index.html")
    assert response is not None and response.ok
    yield tab
    tab.close()


def cell(page: Any, target: str) -> Any:
    """The grid cell of `target` ("de/letter-a4")."""
    locale, name = target.split("/")
    kind, size = name.split("-")
    return page.locator(f"td#output-fixture-{locale}-{kind}-{size}")


# -- accessibility --------------------------------------------------------------------------


def test_axe_finds_no_violations(page: Any, tmp_path: Path) -> None:
    assert axe_violations(page) == []
    # The details hidden in every cell too, opened.
    page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")
    assert axe_violations(page) == []
    page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = false; })")
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if SCREENSHOT:
        shutil.copy(shot, SCREENSHOT)


def test_structure_headings_captions_and_languages(page: Any) -> None:
    assert page.locator("html").get_attribute("lang") == "en"
    levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6",
                                       "hs => hs.map(h => +h.tagName[1])")
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    # The campaign by its title from the content, not by its folder.
    assert page.locator("h2#campaign-fixture").inner_text() == "Fixture campaign"
    table = page.locator("table")
    assert table.count() == 1
    assert table.locator("caption").inner_text().startswith("Fixture campaign")
    # Columns: kinds over their sizes; rows: the locales by their own names.
    assert table.locator("thead th[scope=colgroup]").all_inner_texts() == [
        "Poster", "Petition sheet", "Letter"]
    assert table.locator("thead th[scope=col]").all_inner_texts() == [
        "Language", "A3", "A4", "A4", "US Letter"]
    rows = table.locator("tbody th[scope=row] .own")
    assert rows.all_inner_texts() == ["English", "العربية", "Deutsch"]
    arabic = rows.nth(1)
    assert (arabic.get_attribute("lang"), arabic.get_attribute("dir")) == ("ar", "rtl")
    assert rows.nth(2).get_attribute("lang") == "de"
    assert rows.nth(2).get_attribute("dir") == "ltr"


def test_every_cell_links_its_files_and_shows_its_first_page(
    page: Any, built: Project, served: str,
) -> None:
    files = {f["path"]: f for f in manifest(built)["files"]}
    for target in ("en/petition-a4", "ar/poster-a3", "de/letter-a4"):
        locale, name = target.split("/")
        here = cell(page, target)
        link = here.locator("a.thumb")
        assert link.get_attribute("href") == f"fixture/{locale}/{name}.pdf"
        image = link.locator("img")
        assert image.get_attribute("alt").startswith("First page of the ")
        assert image.evaluate("i => i.complete && i.naturalWidth > 0")
        assert f"fixture/{locale}/{name}.pdf" in files
    # The print-shop file where the kind has one; the HTML preview of a build --html.
    poster = cell(page, "ar/poster-a3")
    assert poster.locator("a", has_text="Print file").get_attribute("href") == \
        "fixture/ar/poster-a3-print.pdf"
    assert poster.locator("a", has_text="HTML").get_attribute("href") == \
        "fixture/ar/poster-a3.html"
    assert cell(page, "en/petition-a4").locator("a", has_text="Print file").count() == 0
    # Every link leads somewhere.
    hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    for href in hrefs:
        if href.startswith("#"):
            assert page.locator(f"[id='{href[1:]}']").count() == 1, href
        else:
            assert page.request.get(served + href).ok, href
    assert "fixture/proof.pdf" in hrefs
    assert set(files) <= set(hrefs)


def test_states_failures_and_fallbacks(page: Any, built: Project) -> None:
    # Failed with the earlier file left: its thumbnail, the state and the reason.
    old = cell(page, "de/letter-a4")
    assert "failed" in (old.get_attribute("class") or "")
    assert old.locator("a.thumb img").count() == 1
    old.locator("summary").click()
    assert "from an earlier one" in old.locator("details").inner_text()
    assert "messages.po:" in old.locator(".reasons").inner_text()
    # Failed before it was ever built: shown all the same, with no file.
    never = cell(page, "de/letter-letter")
    assert never.locator(".nofile").inner_text() == "No file"
    assert never.locator("summary").inner_text().endswith("Failed")
    assert "there is no file" in (never.locator("details").text_content() or "")
    failed = page.locator("section[aria-labelledby=failed] li")
    assert failed.count() == 2
    assert all("messages.po:" in text for text in failed.all_inner_texts())
    # Arabic is partly translated: its outputs show messages in English, counted.
    record = cache.load(built, Target("fixture", "ar", "petition", "a4"))
    assert record is not None
    fallbacks = [w for w in record.warnings if w.endswith("shown in the source language")]
    assert fallbacks
    arabic = cell(page, "ar/petition-a4")
    summary = arabic.locator("summary")
    assert summary.inner_text().endswith(f"{len(fallbacks)} messages in English")
    assert not arabic.locator("details").get_attribute("open")
    # Keyboard: a summary is reached with Tab and opened with Enter.
    summary.focus()
    page.keyboard.press("Enter")
    assert arabic.locator("details").get_attribute("open") is not None
    items = arabic.locator(".fallback-list li")
    assert items.count() == len(fallbacks)
    assert "headline" not in items.all_inner_texts()
    assert any(text.startswith("subtitle: untranslated, line ") for text in items.all_inner_texts())
    assert cell(page, "en/petition-a4").locator("summary").inner_text().endswith("OK")
    # German's headline needs review: shown in English, and said so.
    german = cell(page, "de/poster-a3")
    german.locator("summary").click()
    assert "headline: needs review" in german.locator(".fallback-list").inner_text()
    # The manifest says the same for scripts.
    states = {f["path"]: f for f in manifest(built)["files"]}
    assert states["fixture/ar/petition-a4.pdf"]["state"] == "fallbacks"
    assert states["fixture/ar/petition-a4.pdf"]["fallbacks"] == len(fallbacks)
    assert states["fixture/de/letter-a4.pdf"]["state"] == "failed"
    assert states["fixture/en/petition-a4.pdf"]["state"] == "ok"
    assert sorted(f["target"] for f in manifest(built)["failed"]) == [
        "fixture/de/letter-a4", "fixture/de/letter-letter"]


def test_what_the_last_build_did_and_when_each_output_was_built(
    page: Any, built: Project,
) -> None:
    lead = page.locator(".lead").inner_text()
    counts = [list(LAST.values()).count(s) for s in ("built", "skipped", "failed")]
    assert counts[2] == 2 and counts[0] + counts[1] == 4
    assert "Last build: {} rebuilt, {} unchanged, {} failed.".format(*counts) in lead
    new = page.eval_on_selector_all("td.is-new", "cs => cs.map(c => c.id)")
    assert sorted(new) == sorted(f"output-{t.replace('/', '-')}" for t, s in LAST.items()
                                 if s == "built")
    assert page.locator("td .new").count() == counts[0]
    for target in ("en/petition-a4", "ar/letter-letter"):
        when = cell(page, target).locator("time").get_attribute("datetime")
        pdf = built.output / "fixture" / f"{target}.pdf"
        expected = dt.datetime.fromtimestamp(pdf.stat().st_mtime_ns / 1e9, dt.UTC)
        assert when == expected.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    written = page.locator(".lead time").get_attribute("datetime")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", written)


def test_completeness_per_campaign_and_language(page: Any, built: Project) -> None:
    messages = frozenset().union(*kind_messages(built).values())
    heads = page.locator("tbody th[scope=row]")
    assert "Source language" in heads.nth(0).inner_text()
    for row, code in ((1, "ar"), (2, "de")):
        counts = locale_status(built, code, messages, {}).overall
        text = heads.nth(row).inner_text()
        assert f"{int(counts.percent)}% translated" in text, text
        assert f"{counts.translated} of {counts.total} messages" in text, text
    assert "1 need review" in heads.nth(2).inner_text()


# -- bad records, old campaigns, a manifest free of build times ---------------------------


def test_bad_records_do_not_stop_the_index(built: Project, tmp_path: Path) -> None:
    """Records as index.write may get them: the cache reads its files as untrusted, but
    the index does not count on that."""
    project = copy_project(built, tmp_path / "copy")
    records = cache.records(project)
    petition = next(r for r in records if (r.locale, r.kind) == ("en", "petition"))
    # A campaign removed from the content: its records and files stay behind.
    gone = Target("gone", "en", "petition", "a4")
    gone_pdf = gone.path(project.output)
    gone_pdf.parent.mkdir(parents=True)
    shutil.copy(built.output / petition.products[0].path, gone_pdf)
    removed = dataclasses.replace(petition, target={**petition.target, "campaign": "gone"},
                                  products=(dataclasses.replace(
                                      petition.products[0], path="gone/en/petition-a4.pdf"),))
    # A locale, a kind and a paper that do not exist (records of another version).
    others = [dataclasses.replace(petition, target={**petition.target, field: value})
              for field, value in (("locale", "xx"), ("kind", "flyer"), ("size", "b5"))]
    # A thumbnail that is not a PNG, another one missing, paths out of the folder, a PDF
    # that is gone, times and counts of the wrong kind.
    thumbs = [p.thumbnail for r in records for p in r.products if p.thumbnail]
    (project.output / thumbs[0]).write_bytes(b"not a picture")
    (project.output / thumbs[1]).unlink()
    strange = next(r for r in records if (r.locale, r.kind) == ("ar", "petition"))
    bad = (Product("../../outside.pdf", "0", 1, -5, None, "../../x.png"),
           Product("/etc/hostname", "0", 1, 10**30, None, "/etc/hostname"),
           Product("fixture/ar/none.pdf", "0", 1, 1, None, None))
    odd = next(r for r in records if (r.locale, r.kind) == ("ar", "poster"))
    # Values of the wrong type, as a hand-edited record may hold them.
    odd_product = dataclasses.replace(odd.products[0], mtime_ns=10**30,
                                      pages="six")  # type: ignore[arg-type]
    odder = dataclasses.replace(odd, products=(odd_product, *odd.products[1:]),
                                warnings=None)  # type: ignore[arg-type]
    found = [r for r in records if r not in (strange, odd)] + [
        removed, *others, dataclasses.replace(strange, products=bad), odder]
    index.write(project, found)
    html = (project.output / "index.html").read_text("utf-8")
    assert "gone" not in html and "outside" not in html and "/etc/" not in html
    assert "fixture-xx-" not in html and "flyer" not in html and "petition-b5" not in html
    assert thumbs[0] not in html and thumbs[1] not in html
    assert all(f["campaign"] == "fixture" for f in manifest(project)["files"])
    assert "fixture/ar/none.pdf" not in html
    # Still listed: the output with no usable file, and the one with an impossible time.
    assert 'id="output-fixture-ar-petition-a4"' in html
    poster = html[html.index('id="output-fixture-ar-poster-a3"'):]
    assert "built: unknown" in poster[:poster.index("</td>")]


def test_the_manifest_does_not_depend_on_when_the_page_is_written(
    built: Project, tmp_path: Path,
) -> None:
    project = copy_project(built, tmp_path / "copy")
    before = (project.output / "manifest.json").read_bytes()
    index.write(project, cache.records(project), OUTCOMES)  # the same build, a later time
    # The same but for the folder the catalogue problems and failures name.
    after = (project.output / "manifest.json").read_text("utf-8")
    assert after.replace(str(project.root), str(built.root)).encode("utf-8") == before
    index.write(project, cache.records(project))  # no build: what it did is not known
    html = (project.output / "index.html").read_text("utf-8")
    assert "Last build: not known" in html
    assert 'class="new"' not in html
    # A target that failed before it was ever built has no record: only the build that
    # failed it knows of it.
    assert [f["target"] for f in manifest(project)["failed"]] == ["fixture/de/letter-a4"]


def test_no_proof_sheet_no_link(built: Project, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(built, tmp_path / "copy")
    (project.output / "fixture" / "proof.pdf").unlink()
    monkeypatch.setattr(proof, "write_proofs", lambda *args: [])  # index.write makes none
    index.write(project, cache.records(project))
    assert "proof.pdf" not in (project.output / "index.html").read_text("utf-8")


def test_a_removed_campaign_leaves_the_page_at_the_next_build(
    built: Project, tmp_path: Path,
) -> None:
    project = copy_project(built, tmp_path / "copy")
    records = cache.records(project)
    index.write(project, records)
    assert not index.needs_update(project, records)
    (project.content / "fixture").rename(project.content / "retired")
    (project.content / "retired" / "campaign.yaml").unlink()
    assert index.needs_update(project, records)  # even a build with nothing to do
    index.write(project, records)
    html = (project.output / "index.html").read_text("utf-8")
    assert "Fixture campaign" not in html and "Nothing has been built yet" in html


def test_a_leaflet_cell_links_its_print_file_and_its_office_sheet(tmp_path: Path) -> None:
    # The office sheet is the file a group without a print shop prints: the cell links
    # it beside the print-shop file, and never takes it for the accessible PDF.
    from publication.model import Record
    from publication.report import dashboard

    folder = tmp_path / "output" / "c" / "en"
    folder.mkdir(parents=True)
    names = ("leaflet-a4.pdf", "leaflet-a4-print.pdf", "leaflet-a4-office.pdf")
    for name in names:
        (folder / name).write_bytes(b"%PDF-1.7\n%%EOF\n")
    for order in (names, names[::-1]):
        products = tuple(Product(f"c/en/{name}", "0" * 64, 15, 0, 6) for name in order)
        target = Target("c", "en", "leaflet", "a4")
        record = Record(dataclasses.asdict(target), {}, "", {}, products)
        here = dashboard._cell(tmp_path / "output", ("c", "en", "leaflet", "a4", None), record,
                               None)
        assert (here.pdf, here.print_pdf, here.office_pdf) == (
            "c/en/leaflet-a4.pdf", "c/en/leaflet-a4-print.pdf", "c/en/leaflet-a4-office.pdf")


def test_a_catalogue_folder_that_is_not_a_locale_is_listed_as_not_built(
        built: Project, tmp_path: Path) -> None:
    project = copy_project(built, tmp_path / "copy")
    records = cache.records(project)
    index.write(project, records)
    assert not index.needs_update(project, records)
    folder = project.locales / "dé" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(project.po("de"), folder / "messages.po")
    assert index.needs_update(project, records)  # even a build with nothing to do
    index.write(project, records)
    html = (project.output / "index.html").read_text("utf-8")
    section = html[html.index('<h2 id="not-built">'):]
    section = section[:section.index("</section>")]
    assert "Catalogues not built" in section and "locales/dé/LC_MESSAGES/messages.po" in section
    assert "is not a locale code" in section and "rename the folder" in section
    assert '<a href="#not-built">Catalogues not built</a> (1)' in html
