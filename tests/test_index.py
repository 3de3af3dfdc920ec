"""output/index.html and output/manifest.json (publication/index.py), the page opened in a
real headless browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

from publication.build.builder import build, plan
from publication.model import BuildOptions, Project, Selection
from publication.report import index
from publication.report.index import THUMB_PIXELS, draw_thumbnail
from publication.report.memo import STATUS_MEMO, StatusMemo, read_state
from tests.browsing import chromium
from tests.projects import copy_project, make_project
from tests.serving import serve
from tests.translating import replace_in, start_catalog

FRENCH = {"title": "Campagne test", "headline": "Libérez le détenu", "subtitle": "Un sous-titre",
          "petition.title": "Libérez le détenu"}
SELECTION = Selection(kinds=("petition", "poster"), sizes=("a4", "a3"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    """English and a partly translated French, petitions and posters, print files too."""
    project = make_project(tmp_path_factory.mktemp("index") / "project", fonts_dir)
    start_catalog(project, "fr", FRENCH, fuzzy=frozenset({"subtitle"}))
    report = build(project, plan(project, SELECTION), BuildOptions(jobs=2, print_files=True))
    assert report.ok, [o.messages for o in report.failed]
    return project


def manifest(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.output / "manifest.json").read_text("utf-8"))
    return data


def test_the_manifest_lists_every_pdf_with_its_facts(built: Project) -> None:
    files = {f["path"]: f for f in manifest(built)["files"]}
    proofs = {f["path"]: f for f in manifest(built)["proofs"]}
    on_disk = sorted(p.relative_to(built.output).as_posix()
                     for p in (built.output / "fixture").rglob("*.pdf"))
    # 2 locales x (petition, poster + print), and the campaign's proof sheet.
    assert sorted({**files, **proofs}) == on_disk and len(on_disk) == 7
    assert list(proofs) == ["fixture/proof.pdf"]
    for path, facts in proofs.items():
        data = (built.output / path).read_bytes()
        assert (facts["sha256"], facts["bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))
    for path, facts in files.items():
        data = (built.output / path).read_bytes()
        assert facts["sha256"] == hashlib.sha256(data).hexdigest()
        assert facts["bytes"] == len(data)
        with pikepdf.open(built.output / path) as pdf:
            assert facts["pages"] == len(pdf.pages)
        assert (facts["campaign"], facts["locale"]) == tuple(path.split("/")[:2])
        assert facts["kind"] in ("petition", "poster") and facts["size"] in ("a4", "a3")
        assert facts["variant"] == ("print" if path.endswith("-print.pdf") else "accessible")
        assert facts["checks"]["errors"] == 0, facts["checks"]
        expected = "preflight passed" if facts["variant"] == "print" else \
            "passed" if not facts["checks"]["warnings"] else \
            f"passed, {facts['checks']['warnings']} warning(s)"
        assert facts["checks"]["result"] == expected
        with Image.open(built.output / facts["thumbnail"]) as thumbnail:
            assert thumbnail.format == "PNG"
            assert max(thumbnail.size) == THUMB_PIXELS
            # The first page drawn, not a blank square: some of it is dark (text).
            assert thumbnail.convert("L").getextrema()[0] < 100
    locales = manifest(built)["locales"]
    assert locales["en"]["complete"] == 100.0
    assert 0 < locales["fr"]["complete"] < 100 and locales["fr"]["fuzzy"] == 1


def test_a_lost_thumbnail_is_drawn_again_by_the_next_build(built: Project) -> None:
    facts = next(f for f in manifest(built)["files"] if f["variant"] == "accessible")
    thumbnail = built.output / facts["thumbnail"]
    thumbnail.unlink()
    report = build(built, plan(built, SELECTION), BuildOptions(jobs=1, print_files=True))
    assert {o.status for o in report.outcomes} == {"skipped"}
    assert thumbnail.is_file()


def test_an_unreadable_pdf_gets_no_thumbnail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    assert draw_thumbnail(broken, tmp_path / "thumb.png") is False
    assert not (tmp_path / "thumb.png").exists()


def test_a_catalogue_change_alone_refreshes_the_completeness(built: Project) -> None:
    before = manifest(built)["locales"]["fr"]
    # A message no built output shows: nothing is rebuilt, the index still changes.
    start = built.po("fr").read_text("utf-8").index('msgctxt "fixture/letter.closing"')
    closing = built.po("fr").read_text("utf-8")[start:].split("\n")[:3]
    assert closing[-1] == 'msgstr ""', closing
    text = built.po("fr").read_text("utf-8")
    built.po("fr").write_text(text.replace("\n".join(closing),
                                           "\n".join([*closing[:-1], 'msgstr "Cordialement"']),
                                           1), "utf-8")
    report = build(built, plan(built, SELECTION), BuildOptions(jobs=1, print_files=True))
    assert {o.status for o in report.outcomes} == {"skipped"}
    after = manifest(built)["locales"]["fr"]
    assert after["translated"] == before["translated"] + 1


def test_a_failed_target_is_shown_with_its_reason(built: Project, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", Path(built.fonts).resolve())
    start_catalog(project, "fr", FRENCH)
    one = Selection(locales=("fr",), kinds=("petition",), sizes=("a4",))
    assert build(project, plan(project, one), BuildOptions(jobs=1)).ok
    replace_in(project.po("fr"), '"Un sous-titre"', '"Un <i>sous-titre"')
    assert not build(project, plan(project, one), BuildOptions(jobs=1)).ok
    html = (project.output / "index.html").read_text("utf-8")
    assert "Failed in the last build" in html and "messages.po:" in html
    [entry] = manifest(project)["files"]
    assert entry["last_build_failed"] and "messages.po:" in entry["last_build_failed"][0]


@pytest.fixture(scope="module")
def served(built: Project) -> Iterator[str]:
    """The output folder over HTTP on localhost, as a web server would publish it."""
    with serve(built.output) as url:
        yield url


def test_the_index_in_a_browser(built: Project, served: str) -> None:
    files = {f["path"]: f for f in manifest(built)["files"] + manifest(built)["proofs"]}
    with chromium() as browser:
        page = browser.new_page()
        response = page.goto(served + "index.html")
        assert response is not None and response.ok
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.title().startswith("Campaign PDFs")
        # Headings: one h1, and no level skipped on the way down.
        levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6",
                                           "hs => hs.map(h => +h.tagName[1])")
        assert levels.count(1) == 1 and levels[0] == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        # The locale names are marked up in their own language.
        assert page.locator('span[lang="fr"]').first.inner_text().startswith("français")
        # Every picture has alternate text and loads.
        images = page.eval_on_selector_all(
            "img", "is => is.map(i => [i.alt, i.complete && i.naturalWidth > 0])")
        # One thumbnail per output: its accessible PDF's first page (the print-shop
        # file is a link beside it).
        assert len(images) == len([f for f in files.values()
                                   if f.get("variant") == "accessible"])
        assert all(alt.startswith("First page of the ") and ok for alt, ok in images), images
        # A grid per campaign with a caption, header cells for columns and rows: a row
        # per locale.
        assert page.locator("table").count() == page.locator("table > caption").count() == 1
        assert page.locator("tbody th[scope=row]").count() == 2
        # Keyboard: the first Tab reaches the skip link, which moves to the files.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the files"
        page.keyboard.press("Enter")
        # The browser follows the link after the key press returns: wait for it (a loaded
        # machine took longer than reading page.url at once allowed).
        page.wait_for_url(re.compile(r".*#main$"), timeout=5_000)
        page.wait_for_function("document.activeElement.id === 'main'", timeout=5_000)
        # Every link leads somewhere: sections on the page, files with the right bytes.
        hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
        linked = set()
        for href in hrefs:
            if href.startswith("#"):
                assert page.locator(f"[id='{href[1:]}']").count() == 1, href
                continue
            reply = page.request.get(served + href)
            assert reply.ok, href
            assert hashlib.sha256(reply.body()).hexdigest() == files[href]["sha256"]
            linked.add(href)
        assert linked == set(files)
        # Following one link by keyboard, as a person would.
        first_pdf = next(h for h in hrefs if h.endswith(".pdf"))
        page.locator(f"a[href='{first_pdf}']").focus()
        with page.expect_response(served + first_pdf) as reply_info:
            page.keyboard.press("Enter")
        assert reply_info.value.ok
        assert reply_info.value.headers["content-type"] == "application/pdf"


def test_an_index_template_edit_rewrites_the_index_in_a_noop_build(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page's template is an input of the index (not of any PDF): a build with
    nothing to rebuild still writes the page again from the new template."""
    project = copy_project(built, tmp_path / "project")
    page = project.output / "index.html"
    build(project, plan(project, SELECTION), BuildOptions(jobs=1, print_files=True))
    first = page.stat().st_ino
    report = build(project, plan(project, SELECTION), BuildOptions(jobs=1, print_files=True))
    assert {o.status for o in report.outcomes} == {"skipped"}
    assert page.stat().st_ino == first, "nothing changed: the index is not written again"
    template = tmp_path / "index.html.jinja"  # an edited copy: the package's stays as it is
    template.write_text(index.TEMPLATE.read_text("utf-8") + "<!-- the edited template -->\n",
                        "utf-8")
    monkeypatch.setattr(index, "TEMPLATE", template)
    report = build(project, plan(project, SELECTION), BuildOptions(jobs=1, print_files=True))
    assert {o.status for o in report.outcomes} == {"skipped"}
    assert "<!-- the edited template -->" in page.read_text("utf-8")
    # Edited again in the same process (a build server's outlives edits): compiled again.
    template.write_text(template.read_text("utf-8") + "<!-- edited twice -->\n", "utf-8")
    build(project, plan(project, SELECTION), BuildOptions(jobs=1, print_files=True))
    assert "<!-- edited twice -->" in page.read_text("utf-8")


def test_the_messages_each_kind_shows_are_rendered_once_for_the_same_code_and_content(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The index's completeness figures need the messages each campaign's kinds show,
    # found by rendering every kind; a translator's rebuild changes neither the code nor
    # the content, so they come from output/.cache/kinds.state instead.
    from publication.report import status

    project = make_project(tmp_path / "project", fonts_dir)
    expected = status.kind_messages(project)  # one campaign: the same as its own
    renders: list[str] = []
    real = status.campaign_kind_messages

    def counted(project: Project, slug: str) -> dict[str, frozenset[tuple[str | None, str]]]:
        renders.append(slug)
        return real(project, slug)

    monkeypatch.setattr(status, "campaign_kind_messages", counted)
    first = index._shown(project, "key-1")[0]
    assert (renders, index._shown(project, "key-1")[0]) == (["fixture"], first)
    assert first["fixture"] == expected
    index._shown(project, "key-2")  # other code or content: rendered again
    assert len(renders) == 2
    memo = project.output / ".cache" / index.KINDS_MEMO
    for broken in ('{"key": "key-2", "campaigns": {"fixture": {"poster": [[1, 2]]}}}', "[",
                   '{"key": "key-2"}'):
        memo.write_text(broken, encoding="utf-8")  # untrusted: anything else is made again
        assert index._shown(project, "key-2")[0] == first
    assert len(renders) == 5
    index._shown(project, "")  # no key: nothing is kept or trusted
    assert len(renders) == 6


def test_each_catalogues_counts_are_kept_until_it_changes(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After a translator's edit the index counts only the catalogue that changed: the
    # others' status comes from output/.cache/status.state, as it was counted.
    from publication.report import status

    project = make_project(tmp_path / "project", fonts_dir)
    po = start_catalog(project, "fr", FRENCH, fuzzy=frozenset({"subtitle"}))
    per_kind = status.kind_messages(project)
    messages = sorted({k for keys in per_kind.values() for k in keys},
                      key=lambda k: (k[0] or "", k[1]))
    expected = status.locale_status(project, "fr", messages, per_kind)
    assert expected.missing and not expected.problems
    memo = StatusMemo(project, "key-1")
    assert memo.locale_status("fr", messages, per_kind) == expected
    memo.save()
    counted: list[str] = []
    real = status.locale_status

    def counting(project: Project, code: str, *args: Any) -> status.LocaleStatus:
        counted.append(code)
        return real(project, code, *args)

    monkeypatch.setattr(status, "locale_status", counting)
    again = StatusMemo(project, "key-1")
    assert again.locale_status("fr", messages, per_kind) == expected
    assert again.locale_status("en", messages, per_kind).complete == 100.0
    assert counted == ["en"], "the source locale reads no catalogue: never kept"
    assert again.locale_status("fr", messages[:2], per_kind) != expected  # other messages
    assert StatusMemo(project, "key-2").locale_status("fr", messages, per_kind) \
        == expected  # other code, libraries or content: counted again
    assert counted == ["en", "fr", "fr"]
    # A changed catalogue is counted again; a refused one's problems are kept too.
    replace_in(po, "Language: fr", "Language: de")
    memo = StatusMemo(project, "key-1")
    refused = memo.locale_status("fr", messages, per_kind)
    assert refused.problems and counted[-1] == "fr" and len(counted) == 4
    memo.save()
    kept = StatusMemo(project, "key-1").locale_status("fr", messages, per_kind)
    assert kept == refused and [str(p) for p in kept.problems] == \
        [str(p) for p in refused.problems] and len(counted) == 4
    # Read as untrusted: anything but what was written is counted again.
    path = project.output / ".cache" / STATUS_MEMO
    state = json.loads(path.read_text("utf-8"))
    [entry] = state["entries"].values()
    for broken in ({**entry, "overall": [1, -1, 0]}, {**entry, "locale": "de"},
                   {**entry, "problems": [["1", "x", ""]]}, {**entry, "extra": 1}, [entry]):
        path.write_text(json.dumps({**state, "entries": dict.fromkeys(state["entries"],
                                                                       broken)}), "utf-8")
        assert StatusMemo(project, "key-1").locale_status(
            "fr", messages, per_kind) == refused
    assert len(counted) == 9
    assert StatusMemo(project, "").locale_status("fr", messages, per_kind) == refused
    assert len(counted) == 10, "no key: nothing is kept or trusted"


def test_the_campaign_titles_are_kept_with_the_kinds_messages(
    tmp_path: Path, fonts_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from publication.report import dashboard

    project = make_project(tmp_path / "project", fonts_dir)
    expected = dashboard.campaign_title(project, "fixture")

    def kept_titles(key: str) -> dict[str, str]:
        state = read_state(project, index.KINDS_MEMO, key)
        return index._read_titles(state.get("titles")) if state else {}

    assert kept_titles("key-1") == {}
    assert index._shown(project, "key-1")[1] == {"fixture": expected}
    assert kept_titles("key-1") == {"fixture": expected}
    assert kept_titles("key-2") == {} and kept_titles("") == {}

    def unread(project: Project, slug: str) -> str:
        raise AssertionError("read again")

    selection = plan(project, Selection(kinds=("poster",), sizes=("a3",)))
    build(project, selection, BuildOptions(jobs=1, print_files=False))
    monkeypatch.setattr(dashboard, "campaign_title", unread)
    build(project, selection, BuildOptions(jobs=1, print_files=False, force=True))
    assert expected in (project.output / "index.html").read_text("utf-8")
