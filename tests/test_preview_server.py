"""The live preview (publication/preview/server.py, session.py, page.html, preview.js) in
Debian's Chromium through Playwright: pictures of every page, refreshed in place after
each save of the .po (timed from the save to the new picture in the page, 10 saves),
outlines of a message's places, a broken catalogue's errors over the last good pictures,
a half-written file, the page checked with axe-core, and a server that only reads.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publication.model import Project
from publication.preview import server
from publication.preview.session import Session
from tests.browsing import AXE, chromium
from tests.projects import make_project
from tests.translating import start_catalog

GERMAN = {"title": "Testkampagne", "headline": "Freiheit für den Gefangenen",
          "letter.salutation": "Sehr geehrter Herr Minister,"}
SAVES = 10
LIMIT_SECONDS = 1.0
TIMES: dict[str, list[float]] = {}
STARTED: dict[str, tuple[int, int]] = {}  # the project's files before the preview ran


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path,
            ) -> Iterator[tuple[Project, str]]:
    project = make_project(tmp_path_factory.mktemp("preview") / "project", fonts_dir)
    start_catalog(project, "de", GERMAN, fuzzy=frozenset({"title"}))
    STARTED.update(tree(project.root))  # the preview's work is compared with it at the end
    stop = threading.Event()
    listening: list[server.PreviewServer] = []
    ready = threading.Event()

    def started(found: server.PreviewServer) -> None:
        listening.append(found)
        ready.set()

    thread = threading.Thread(target=server.serve, args=(Session(project, "de"), 0, started,
                                                         stop), daemon=True)
    thread.start()
    assert ready.wait(30)
    yield project, listening[0].url
    stop.set()
    thread.join(timeout=20)
    assert not thread.is_alive()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def page(browser: Any, preview: tuple[Project, str]) -> Iterator[Any]:
    # bypass_csp: the test injects axe-core, which the page's own policy would refuse.
    tab = browser.new_page(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    response = tab.goto(preview[1])
    assert response is not None and response.ok
    # Every publication of the locale, each page drawn.
    tab.wait_for_function("""() => {
        const imgs = [...document.querySelectorAll('figure.page img')];
        return document.querySelectorAll('#pages section').length === 8 && imgs.length >= 8
            && imgs.every(i => i.dataset.shown && i.dataset.shown === i.dataset.wanted
                               && i.naturalWidth > 0);
    }""", timeout=120_000)
    yield tab
    tab.close()


def shown_versions(page: Any, kind: str) -> list[str]:
    result: list[str] = page.eval_on_selector_all(
        f"section.kind-{kind} figure.page img", "imgs => imgs.map(i => i.dataset.shown)")
    return result


def save(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def timed_saves(page: Any, project: Project, kinds: tuple[str, ...], old: str,
                variants: list[str]) -> list[float]:
    """Save the .po with each variant in turn; the seconds from each save until each
    publication of `kinds` shows a new picture of the page the message is on (the
    pages that do not change are not drawn again)."""
    times = []
    current = old
    for variant in variants:
        before = {kind: shown_versions(page, kind) for kind in kinds}
        start = time.perf_counter()
        save(project.po("de"), f'msgstr "{current}"', f'msgstr "{variant}"')
        page.wait_for_function("""([kinds, before]) => kinds.every(kind => {
            const sections = [...document.querySelectorAll(`section.kind-${kind}`)];
            let at = 0;
            return sections.length > 0 && sections.every(section => {
                const imgs = [...section.querySelectorAll('figure.page img')];
                const old = before[kind].slice(at, at + imgs.length);
                at += imgs.length;
                return imgs.some((img, i) => img.dataset.shown && img.complete
                                             && img.dataset.shown !== old[i]);
            });
        })""", arg=[list(kinds), before], timeout=30_000, polling=10)
        times.append(time.perf_counter() - start)
        current = variant
    return times


def test_pages_refresh_within_a_second_of_saving(page: Any,
                                                 preview: tuple[Project, str]) -> None:
    project, _ = preview
    old = GERMAN["letter.salutation"]
    variants = [f"Sehr geehrter Herr Minister {n}," for n in range(SAVES)]
    times = timed_saves(page, project, ("letter",), old, variants)
    TIMES["letter.salutation (letter A4 and US Letter)"] = times
    print(f"\nsave to picture, letter.salutation: median {statistics.median(times):.3f} s, "
          f"range {min(times):.3f}-{max(times):.3f} s")
    # The picture shows the new text: the side list has it.
    assert page.locator("#message-list button", has_text=variants[-1]).count() == 1
    assert statistics.median(times) < LIMIT_SECONDS, times


def test_time_for_a_message_on_two_kinds(page: Any, preview: tuple[Project, str]) -> None:
    """The headline is on the poster and the leaflet: four publications laid out again,
    the poster's up to twice (its headline steps). Measured and reported; the one-second
    goal is the letter's test's."""
    project, _ = preview
    old = GERMAN["headline"]
    variants = [f"Freiheit für den Gefangenen {n}" for n in range(3)]
    # An earlier test's last saves may still be laid out (one refresh after another):
    # their pictures are not this one's.
    for _ in range(2):
        page.wait_for_function("() => document.body.dataset.busy === 'false'")
        time.sleep(0.5)
    others = {kind: shown_versions(page, kind) for kind in ("letter", "petition")}
    times = timed_saves(page, project, ("poster", "leaflet"), old, variants)
    TIMES["headline (4 publications)"] = times
    print(f"\nsave to picture, headline: median {statistics.median(times):.3f} s")
    # The new headline is what the page shows, and the publications without it were
    # neither laid out nor drawn again.
    assert page.locator("#message-list button", has_text=variants[-1]).count() == 1
    assert {kind: shown_versions(page, kind) for kind in others} == others
    timed_saves(page, project, ("poster", "leaflet"), variants[-1], [old])  # as it was


def test_a_message_is_outlined_with_its_context_line_state_and_room(page: Any) -> None:
    button = page.locator("#message-list button", has_text="letter.salutation")
    assert button.count() == 1
    text = button.inner_text()
    assert "translated" in text and "line " in text
    assert "left on the page" in text  # its room
    assert page.locator(".mark").count() == 0
    button.hover()
    marks = page.locator("section.kind-letter .mark")
    assert marks.count() == 2  # A4 and US Letter
    page.wait_for_function("""() => [...document.querySelectorAll('section.kind-letter .mark')]
        .every(m => m.getBoundingClientRect().width > 20 && m.getBoundingClientRect().height > 5)
    """, timeout=5_000)
    page.mouse.move(0, 0)
    assert page.locator(".mark").count() == 0
    # By keyboard: focus outlines it, Enter selects it and the outline stays.
    button.focus()
    assert marks.count() == 2
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Tab")  # the next message is outlined too; the selected one stays
    assert button.get_attribute("aria-pressed") == "true"
    assert marks.count() >= 2
    fuzzy = page.locator("#message-list button").filter(
        has=page.locator("span.ctx", has_text=re.compile("^fixture/title$")))
    assert "fuzzy: shown in English" in fuzzy.inner_text()


def test_a_broken_catalogue_shows_its_lines_and_keeps_the_pictures(
        page: Any, preview: tuple[Project, str]) -> None:
    project, _ = preview
    path = project.po("de")
    good = path.read_text("utf-8")
    page.wait_for_function("() => document.body.dataset.busy === 'false'")
    before = {kind: shown_versions(page, kind) for kind in ("letter", "poster")}
    messages = page.inner_text("#message-list")
    path.write_text(good.replace('msgstr "Testkampagne"', 'msgstr "Testkampagne'), "utf-8")
    page.wait_for_selector("#problems:not([hidden])", timeout=10_000)
    problems = page.inner_text("#problem-list")
    assert "messages.po:" in problems
    assert {kind: shown_versions(page, kind) for kind in before} == before
    assert all(page.eval_on_selector_all("figure.page img", "i => i.map(x => x.naturalWidth)"))
    # Half-written, as an editor's save in progress: cut in the middle of an entry.
    path.write_bytes(good.encode("utf-8")[: len(good) // 2])
    time.sleep(0.3)
    path.write_text(good, "utf-8")
    page.wait_for_selector("#problems[hidden]", state="attached", timeout=20_000)
    assert page.locator("#problems").is_hidden()
    # The half-written file may itself parse (an entry cut at its end is no error), so
    # the problems can be hidden before the good file is read again: the page is as it
    # was only when its side list is, which the tests that follow rely on.
    page.wait_for_function("text => document.querySelector('#message-list').innerText === text",
                           arg=messages, timeout=20_000)


def test_the_page_passes_axe_and_says_its_language(page: Any) -> None:
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("[lang=de]").count() > 0  # the translations are marked German
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] \
        == []


def request(url: str, method: str = "GET", path: str = "/", host: str | None = None,
            ) -> tuple[int, bytes]:
    parts = url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(parts[0], int(parts[1]), timeout=10)
    headers = {"Host": host} if host else {}
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def test_the_server_only_reads_and_only_on_loopback(preview: tuple[Project, str]) -> None:
    project, url = preview
    assert url.startswith("http://127.0.0.1:")
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert request(url, method)[0] == 405
    assert request(url, host="attacker.example")[0] == 403
    assert request(url, path="/../../locales/de/LC_MESSAGES/messages.po")[0] == 404
    assert request(url, path="/picture/..%2F..%2Fetc/0.png")[0] == 404
    status, body = request(url, path="/state")
    assert status == 200 and b'"outputs"' in body
    assert not list(project.output.rglob("*.pdf"))
    # The preview wrote nothing anywhere, in every refresh of this module's tests: every
    # file as it was, but the catalogue the tests edited.
    edited = str(project.po("de").relative_to(project.root))
    assert {k: v for k, v in tree(project.root).items() if k != edited} == \
        {k: v for k, v in STARTED.items() if k != edited}
