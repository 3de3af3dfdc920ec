"""The web app against hostile and mistaken requests (publication/serve/app.py, forms.py,
sets.py), over HTTP on a real server: errors next to their fields in the page's
language, CSRF, size and rate limits, paths, script injection, bidi controls, and 100
identical requests at once made into one set."""

from __future__ import annotations

import concurrent.futures
import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest

from publication.serve import forms, sets
from publication.serve.app import Settings
from tests.webapp import running

CHOICES = {"campaign": "israel-opt", "locales": ["de"], "kinds": ["leaflet", "poster"],
           "sizes": ["a4", "a3"]}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    with running(tmp_path_factory.mktemp("store")) as served:
        yield served


def form(client: httpx.Client, url: str, locale: str = "de") -> str:
    response = client.get(f"{url}/{locale}/")
    assert response.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', response.text)
    assert token is not None
    return token[1]


def post(client: httpx.Client, url: str, fields: dict[str, Any], locale: str = "de",
         token: str | None = None) -> httpx.Response:
    token = form(client, url, locale) if token is None else token
    return client.post(f"{url}/{locale}/", data={"csrf": token, **CHOICES, **fields})


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">\s*(.*?)\s*</p>', html, re.S)
    assert found is not None, f"no error next to {field}"
    return found[1]


def test_each_error_next_to_its_field_in_the_page_language(app: tuple[str, Settings]) -> None:
    url, _ = app
    with httpx.Client() as client:
        response = post(client, url, {"name": "x" * 70, "email": "not-an-address",
                                      "web": "ftp://example.org", "phone": "call me"})
        assert response.status_code == 400
        html = response.text
        assert '<html lang="de" dir="ltr">' in html
        assert error_of(html, "name") == \
            "Zu lang: 70 Zeichen; höchstens 60 passen in das Feld."
        assert "keine E-Mail-Adresse" in error_of(html, "email")
        assert "https://" in error_of(html, "web")
        assert "Ziffern" in error_of(html, "phone")
        assert 'aria-invalid="true"' in html and 'aria-describedby="name-error"' in html
        # What was typed stays in the form.
        assert 'value="not-an-address"' in html
        # The same in Arabic: a right-to-left page.
        html = post(client, url, {"name": "مجموعة", "email": ""}, "ar").text
        assert '<html lang="ar" dir="rtl">' in html
        assert error_of(html, "email").startswith("اذكروا طريقة واحدة")


def test_the_rules_are_the_imprint_files(app: tuple[str, Settings]) -> None:
    """What the form refuses, a group.yaml with the same values is refused for."""
    values = forms.clean({"name": "x" * 61, "email": "a@b.de"})
    text, _ = forms.group_yaml(values)
    with pytest.raises(sets.InputError) as caught:
        sets.parse_imprint(text)
    assert "at most 60" in str(caught.value.problems[0])


def test_csrf_is_required(app: tuple[str, Settings]) -> None:
    url, _ = app
    with httpx.Client() as client:
        form(client, url)
        response = post(client, url, {"name": "Gruppe", "email": "a@b.de"}, token="forged")
        assert response.status_code == 403
        assert "abgelaufen" in response.text
    with httpx.Client() as other:  # no cookie at all: another site's form
        response = other.post(f"{url}/de/", data={"csrf": "x", **CHOICES, "name": "G"})
        assert response.status_code == 403


def test_oversized_requests_and_fields(app: tuple[str, Settings]) -> None:
    url, _ = app
    with httpx.Client() as client:
        token = form(client, url)
        response = client.post(f"{url}/de/", data={"csrf": token, "name": "x" * 100_000})
        assert response.status_code == 413
        # Chunked, without a length: cut off all the same.
        def chunks() -> Iterator[bytes]:
            for _ in range(100):
                yield b"name=" + b"x" * 1000
        response = client.post(f"{url}/de/", content=chunks(),
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413
        # A long field within the limit: the imprint rule's own message.
        response = post(client, url, {"name": "y" * 5000, "email": "a@b.de"})
        assert response.status_code == 400
        assert "höchstens 60" in error_of(response.text, "name")


def test_paths_from_requests_never_reach_the_file_system(app: tuple[str, Settings]) -> None:
    url, settings = app
    secret = settings.store / "secret.txt"
    secret.write_text("another group's file")
    with httpx.Client() as client:
        for path in ("/../secret.txt", "/static/..%2Fsecret.txt", "/static/../../etc/passwd",
                     "/sets/..%2F..%2Fsecret/files.zip", "/sets/" + "0" * 31 + "/files.zip",
                     "/sets/" + "a" * 32 + "/files.zip", "/sets/" + "a" * 32 + "/group.png",
                     "/de/sets/..%2Fsecret.txt", "/xx/", "/de%2F..%2F/"):
            response = client.get(url + path, follow_redirects=True)
            assert response.status_code == 404, path
            assert "another group" not in response.text
        response = post(client, url, {"name": "G", "email": "a@b.de",
                                      "campaign": "../../etc", "locales": ["../de"],
                                      "kinds": ["leaflet/../x"], "sizes": ["a4"]})
        assert response.status_code == 400
        assert "Bitte aus der Liste wählen." in error_of(response.text, "campaign")
        assert "Bitte aus der Liste wählen." in error_of(response.text, "locales")


def test_script_injection_is_text(app: tuple[str, Settings]) -> None:
    url, _ = app
    with httpx.Client() as client:
        response = post(client, url, {"name": '<script>alert(1)</script>"><img src=x>',
                                      "email": "bad<script>"})
        assert response.status_code == 400
        assert "<script>alert" not in response.text and "<img src=x>" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x&gt;" in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_bidi_controls_are_refused(app: tuple[str, Settings]) -> None:
    url, _ = app
    with httpx.Client() as client:
        for control in ("\u202e", "\u2066", "\u200f"):
            response = post(client, url, {"name": f"Gruppe {control}drow", "email": "a@b.de"})
            assert response.status_code == 400
            assert "Steuerzeichen" in error_of(response.text, "name")
        response = post(client, url, {"name": "Gruppe\x07", "email": "a@b.de"})
        assert "Steuerzeichen" in error_of(response.text, "name")


def test_password(tmp_path: Path) -> None:
    with running(tmp_path, password="s3cret") as (url, _), httpx.Client() as client:
        assert client.get(f"{url}/de/").status_code == 401
        assert client.get(f"{url}/de/", auth=("x", "wrong")).status_code == 401
        assert client.get(f"{url}/de/", auth=("group", "s3cret")).status_code == 200


def test_rate_limit_per_client(tmp_path: Path) -> None:
    with running(tmp_path, rate=1.0, burst=5) as (url, _), httpx.Client() as client:
        codes = [client.get(f"{url}/de/").status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and 429 in codes[5:]
        limited = client.get(f"{url}/de/")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_100_identical_requests_make_one_set(app: tuple[str, Settings]) -> None:
    """Sent together, from one browser session: one set made, every answer the same."""
    url, settings = app
    fields = {"name": "Gruppe Hundert", "email": "hundert@example.org", "language": "de",
              "kinds": ["poster"], "sizes": ["a3"]}
    with httpx.Client(limits=httpx.Limits(max_connections=100)) as client:
        token = form(client, url)
        with concurrent.futures.ThreadPoolExecutor(100) as pool:
            answers = list(pool.map(lambda _: post(client, url, fields, token=token),
                                    range(100)))
        assert {a.status_code for a in answers} == {303}
        locations = {a.headers["location"] for a in answers}
        assert len(locations) == 1
        key = locations.pop().rsplit("/", 1)[1]
        assert list(settings.queue.futures) == [key]  # type: ignore[union-attr]
        result = sets.SetResult.from_json(settings.queue.futures[key].result(300))  # type: ignore[union-attr]
        assert result.ok and [o["kind"] for o in result.outcomes] == ["poster"]
        # Once made: the same details give the same files, at once.
        again = post(client, url, fields)
        assert again.headers["location"].endswith(key)
        page = client.get(url + again.headers["location"])
        assert "Eure Dateien sind fertig." in page.text
        archive = zipfile.ZipFile(BytesIO(client.get(f"{url}/sets/{key}/files.zip").content))
        assert sorted(archive.namelist()) == ["README.txt", "de/poster-a3-print.pdf",
                                              "de/poster-a3.pdf"]
        readme = archive.read("README.txt").decode()
        assert "de/poster-a3-print.pdf: Plakat, A3: für eine Druckerei" in readme
        assert client.get(f"{url}/sets/{key}/poster.png").headers["content-type"] == "image/png"
