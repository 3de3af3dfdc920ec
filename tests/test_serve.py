"""The web app against hostile and mistaken requests (publication/serve/app.py, forms.py,
sets.py), over HTTP on a real server: errors next to their fields in the page's
language, CSRF, size and rate limits, paths, script injection, bidi controls, and 100
identical requests at once made into one set."""

from __future__ import annotations

import concurrent.futures
import re
import time
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest

from publication.errors import Problem
from publication.kinds import GROUP_KINDS
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
        for control in ("\u202e", "\u2066"):
            response = post(client, url, {"name": f"Gruppe {control}drow", "email": "a@b.de"})
            assert response.status_code == 400
            assert "Steuerzeichen" in error_of(response.text, "name")
        response = post(client, url, {"name": "Gruppe\x07", "email": "a@b.de"})
        assert "Steuerzeichen" in error_of(response.text, "name")
        # A direction mark where group.yaml refuses it too: in an address.
        response = post(client, url, {"name": "Gruppe", "email": "a\u200f@b.de"})
        assert "Steuerzeichen" in error_of(response.text, "email")


OFFERED = {"campaign": ("israel-opt",), "locales": ("de", "ar"), **forms.offered_kinds()}
PICKED = {"campaign": ["israel-opt"], "locales": ["de"], "kinds": ["poster"],
          "sizes": ["a3"]}


def test_the_form_allows_what_group_yaml_allows() -> None:
    """A right-to-left mark in a name is allowed by the imprint rules (running text), so
    the form takes it as a group.yaml does, and the value read back is what was typed."""
    name = "\u0645\u062c\u0645\u0648\u0639\u0629 \u200f(Nord)"
    valid, errors = forms.validate(forms.clean({"name": name, "email": "a@b.de"}), PICKED,
                                   OFFERED)
    assert errors == [] and valid is not None
    assert valid.imprint.name == name
    assert sets.parse_imprint(valid.group_yaml).name == name


def test_line_separators_stay_in_their_field() -> None:
    """YAML reads U+0085, U+2028 and U+2029 as line breaks: written as escapes, each
    value stays on its line, is refused by the imprint rules for what it is, and the
    problem is on the field it is in."""
    for separator in ("\x85", "\u2028", "\u2029"):
        for field in ("name", "meeting", "responsible"):
            values = forms.clean({"name": "Gruppe", "meeting": "Montags", "responsible": "A B",
                                  "email": "a@b.de", field: f"Gruppe{separator}Nord"})
            text, where = forms.group_yaml(values)
            assert text.count("\n") == len(text.splitlines()) == len(where) + 2
            valid, errors = forms.validate(values, PICKED, OFFERED)
            assert valid is None
            assert [(e.field, e.code) for e in errors] == [(field, "controls")], separator


def test_problems_are_put_on_fields_by_their_code() -> None:
    """The form reads a problem's code, not its English words."""
    where = {1: "name", 2: "meeting"}
    reworded = Problem(Path("group.yaml"), 2, "far too much text", "too_long")
    error = forms.field_error(reworded, where, {"meeting": "m" * 95})
    assert (error.field, error.code, dict(error.values)) == \
        ("meeting", "too_long", {"length": 95, "max": 90})
    missing = Problem(Path("group.yaml"), 1, "anything", "required:contact")
    assert forms.field_error(missing, where).code == "contact"
    with pytest.raises(sets.InputError) as caught:
        sets.parse_imprint(forms.group_yaml(forms.clean({"name": "x" * 61}))[0])
    assert sorted(p.code for p in caught.value.problems) == ["required:contact", "too_long"]


def test_one_set_holds_a_limited_number_of_publications(app: tuple[str, Settings]) -> None:
    url, _ = app
    with httpx.Client() as client:
        response = post(client, url, {"name": "Gruppe", "email": "a@b.de",
                                      "locales": ["de", "ar", "en", "fr", "es"],
                                      "kinds": ["leaflet", "poster", "petition"],
                                      "sizes": ["a4", "a3"]})
        assert response.status_code == 400
        assert error_of(response.text, "sizes").startswith(
            f"Das sind 15 Drucksachen; ein Satz hat höchstens {forms.MAX_TARGETS}.")
        assert forms.MAX_TARGETS < 15


def test_the_letter_is_not_offered_it_is_its_senders_own(app: tuple[str, Settings]) -> None:
    # The letter's sender fills in their own name and address: a group's set has none.
    url, _ = app
    assert "letter" not in forms.offered_kinds()["kinds"]
    with httpx.Client() as client:
        form = client.get(f"{url}/de/")
        assert 'name="kinds" value="letter"' not in form.text
        response = post(client, url, {"name": "Gruppe", "email": "a@b.de", "locales": ["de"],
                                      "kinds": ["letter"], "sizes": ["a4"]})
        assert response.status_code == 400 and error_of(response.text, "kinds")


def test_the_form_offers_each_kind_of_a_groups_set_with_its_label(
        app: tuple[str, Settings]) -> None:
    # The form's labels are the template's; which kinds it shows is GROUP_KINDS alone.
    url, _ = app
    with httpx.Client() as client:
        form = client.get(f"{url}/de/").text
    shown = re.findall(r'name="kinds" value="([^"]+)"[^>]*> <span>([^<]+)</span>', form)
    assert tuple(name for name, _ in shown) == GROUP_KINDS
    assert all(label.strip() for _, label in shown)


def test_password(tmp_path: Path) -> None:
    with running(tmp_path, password="s3cret") as (url, _), httpx.Client() as client:
        assert client.get(f"{url}/de/").status_code == 401
        assert client.get(f"{url}/de/", auth=("x", "wrong")).status_code == 401
        assert client.get(f"{url}/de/", auth=("group", "s3cret")).status_code == 200


def test_wrong_passwords_are_rate_limited(tmp_path: Path) -> None:
    """Guessing: past a few wrong passwords every request of that client waits, the
    right password too; the general limit is checked before the password."""
    with running(tmp_path, password="s3cret", login_burst=5) as (url, _), \
            httpx.Client() as client:
        codes = [client.get(f"{url}/de/", auth=("x", f"guess{n}")).status_code
                 for n in range(200)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        refused = client.get(f"{url}/de/", auth=("group", "s3cret"))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    with running(tmp_path, password="s3cret", rate=1.0, burst=3) as (url, _), \
            httpx.Client() as client:
        codes = [client.get(f"{url}/de/", auth=("x", "wrong")).status_code for _ in range(6)]
        assert codes[:3] == [401] * 3 and set(codes[3:]) == {429}


def test_rate_limit_per_client(tmp_path: Path) -> None:
    with running(tmp_path, rate=1.0, burst=5) as (url, _), httpx.Client() as client:
        codes = [client.get(f"{url}/de/").status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and 429 in codes[5:]
        limited = client.get(f"{url}/de/")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        # Behind a proxy on this machine, each forwarded client has its own bucket.
        other = client.get(f"{url}/de/", headers={"x-forwarded-for": "10.0.0.9"})
        assert other.status_code == 200


def test_sets_waiting_to_be_made_are_capped(tmp_path: Path) -> None:
    """One client cannot queue more than its share, nor all clients more than the cap:
    503 with Retry-After, the form's work left undone."""
    with running(tmp_path, max_queued=2, max_queued_per_client=1) as (url, settings):
        def post_as(address: str, name: str) -> httpx.Response:
            with httpx.Client(headers={"x-forwarded-for": address}) as client:
                return post(client, url, {"name": name, "email": "a@b.de",
                                          "kinds": ["poster"], "sizes": ["a3"]})
        first = post_as("10.0.0.1", "Gruppe Eins")
        assert first.status_code == 303
        again = post_as("10.0.0.1", "Gruppe Eins")  # the same set: at once, not counted
        assert again.status_code == 303
        own = post_as("10.0.0.1", "Gruppe Zwei")
        assert own.status_code == 503 and own.headers["retry-after"]
        assert post_as("10.0.0.2", "Gruppe Drei").status_code == 303
        full = post_as("10.0.0.3", "Gruppe Vier")
        assert full.status_code == 503
        assert len(settings.queue.futures) == 2  # type: ignore[union-attr]


def _made(settings: Settings) -> set[str]:
    """The sets in the queue's store."""
    folder = settings.queue.store / sets.SETS  # type: ignore[union-attr]
    return {f.name for f in folder.iterdir()} if folder.is_dir() else set()


def test_100_identical_requests_make_one_set(app: tuple[str, Settings]) -> None:
    """Sent together, from one browser session: one set made, every answer the same."""
    url, settings = app
    fields = {"name": "Gruppe Hundert", "email": "hundert@example.org", "language": "de",
              "kinds": ["poster"], "sizes": ["a3"]}
    before = _made(settings)
    with httpx.Client(limits=httpx.Limits(max_connections=100)) as client:
        token = form(client, url)
        with concurrent.futures.ThreadPoolExecutor(100) as pool:
            answers = list(pool.map(lambda _: post(client, url, fields, token=token),
                                    range(100)))
        assert {a.status_code for a in answers} == {303}
        locations = {a.headers["location"] for a in answers}
        assert len(locations) == 1
        key = locations.pop().rsplit("/", 1)[1]
        # Queued once: no other set, and this one either still queued or already made
        # (a finished set's future is dropped, so on a fast machine it may be gone).
        assert set(settings.queue.futures) <= {key}  # type: ignore[union-attr]
        result = settings.queue.wait(key, 300)  # type: ignore[union-attr]
        assert _made(settings) - before == {key}
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


def test_a_set_whose_zip_is_gone_is_not_found(app: tuple[str, Settings]) -> None:
    url, settings = app
    from tests.test_serve_sets import fake_made, spec

    key = spec("Ohne Zip").key
    fake_made(settings.store, key)
    with httpx.Client() as client:
        assert client.get(f"{url}/sets/{key}/files.zip").content == b"PK"
        (sets.set_folder(settings.store, key) / sets.ZIP).unlink()
        response = client.get(f"{url}/sets/{key}/files.zip")
        assert response.status_code == 404


def test_campaign_titles_are_read_once_per_catalogue(app: tuple[str, Settings],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from publication.serve import app as module

    url, _ = app
    loaded: list[Path] = []
    real = module.load_campaign
    monkeypatch.setattr(module, "load_campaign",
                        lambda path: loaded.append(path) or real(path))
    with httpx.Client() as client:
        for _ in range(3):
            assert client.get(f"{url}/he/").status_code == 200
            assert client.get(f"{url}/es/").status_code == 200
    # Each page language's titles read at most once (the module's earlier tests may
    # have read them already), whatever the number of requests.
    assert len(loaded) <= 2 * len(module.Pages(app[1]).campaigns)


def test_a_slow_broker_does_not_stall_other_requests(tmp_path: Path) -> None:
    """Handlers that ask Redis run in threads: while Redis is busy (a script running
    for 1.5 s), the app still answers every other request at once."""
    import redis as redis_client

    from tests.webapp import redis_server

    with redis_server(tmp_path) as broker, \
            running(tmp_path / "store", broker) as (url, _):
        busy = redis_client.Redis.from_url(broker)
        script = ("local t = redis.call('TIME'); local stop = t[1] * 1e6 + t[2] + 1500000 "
                  "while true do local n = redis.call('TIME'); "
                  "if n[1] * 1e6 + n[2] > stop then break end end return 1")
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            blocking = pool.submit(busy.eval, script, 0)
            time.sleep(0.2)
            asking = pool.submit(httpx.get, f"{url}/sets/{'b' * 32}/state", timeout=10)
            time.sleep(0.1)
            start = time.monotonic()
            with httpx.Client() as client:
                assert client.get(f"{url}/static/page.css").status_code == 200
            # Answered while Redis is still busy (the script runs 1.5 s from the start),
            # not after it: a stalled app would answer only once the script ends. (A
            # bound of 0.5 s failed on a loaded machine: 0.52 to 0.58 s.)
            assert not blocking.done()
            assert time.monotonic() - start < 1.0
            assert asking.result().status_code == 200 and blocking.result() == 1
        busy.close()
