"""A local group's visit, in Chromium through Playwright: the form filled in German and
in Arabic (a right-to-left page), the set made, its previews shown and its zip
downloaded; axe-core on the pages. Run twice: on the in-process pool, and on Celery
with a real Redis (started and stopped here) and a worker in its own process."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browsing import axe_violations, chromium
from tests.webapp import celery_worker, redis_server, running

GROUPS = {
    "de": {"name": "Amnesty-Gruppe Köln-Süd", "meeting": "Jeden zweiten Dienstag, 19 Uhr",
           "language": "de", "email": "koeln-sued@example.org"},
    "ar": {"name": "مجموعة أمنستي في بيروت", "meeting": "كل يوم ثلاثاء، الساعة السابعة",
           "language": "ar", "email": "beirut@example.org"},
}


@pytest.fixture(scope="module", params=["pool", "celery"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        ) -> Iterator[str]:
    store = tmp_path_factory.mktemp("store")
    if request.param == "pool":
        with running(store) as (url, _):
            yield url
        return
    with redis_server(tmp_path_factory.mktemp("redis")) as broker, \
            celery_worker(broker, store), running(store, broker) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_a_group_makes_and_downloads_its_set(app: str, browser: Any, locale: str,
                                             tmp_path: Path) -> None:
    # bypass_csp: axe-core is added to the page as a script of its own.
    context = browser.new_context(accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{app}/{locale}/")
        assert page.locator("html").get_attribute("dir") == ("rtl" if locale == "ar" else "ltr")
        assert axe_violations(page) == []
        page.get_by_role("checkbox", name="A4").check()
        for name, value in GROUPS[locale].items():
            page.locator(f"input#{name}").fill(value)
        # A mistake first: an e-mail address in the wrong form, said next to the field.
        page.locator("input#email").fill("beirut-at-example")
        page.locator("button[type=submit]").click()
        error = page.locator("#email-error")
        assert error.is_visible()
        assert ("keine E-Mail-Adresse" if locale == "de" else "ليس عنوان بريد") in \
            error.inner_text()
        assert page.locator("input#email").get_attribute("aria-invalid") == "true"
        assert axe_violations(page) == []
        page.locator("input#email").fill(GROUPS[locale]["email"])
        page.locator("button[type=submit]").click()
        # The set's page: progress while it is made, then the files.
        ready = "Eure Dateien sind fertig." if locale == "de" else "ملفاتكم جاهزة."
        page.get_by_text(ready).wait_for(timeout=240_000)
        assert page.locator("html").get_attribute("lang") == locale
        for preview in ("leaflet", "poster"):
            image = page.locator(f"img[src$='/{preview}.png']")
            assert image.evaluate("img => img.complete && img.naturalWidth") > 100
        assert axe_violations(page) == []
        with page.expect_download() as caught:
            page.locator("a.download").click()
        path = tmp_path / "set.zip"
        caught.value.save_as(path)
        names = sorted(zipfile.ZipFile(path).namelist())
        assert names == sorted(["README.txt", f"{locale}/leaflet-a4-office.pdf", *(
            f"{locale}/{kind}-{size}{suffix}.pdf" for kind, size in
            (("leaflet", "a4"), ("poster", "a3")) for suffix in ("", "-print"))])
        readme = zipfile.ZipFile(path).read("README.txt").decode()
        assert ("Welche Datei wofür ist" if locale == "de" else "أي ملف لأي غرض") in readme
        # The office sheet is said to be one, at its paper size (not "an accessible PDF").
        office = [line for line in readme.splitlines()
                  if line.startswith(f"{locale}/leaflet-a4-office.pdf: ")]
        assert office and all(", A4: " in line for line in office), office
        assert any(("Bürodrucker: beide Seiten" if locale == "de" else "طابعة مكتبية: وجها")
                   in line for line in office), office
        pdf = zipfile.ZipFile(path).read(f"{locale}/leaflet-a4.pdf")
        assert pdf.startswith(b"%PDF-")
    finally:
        context.close()
