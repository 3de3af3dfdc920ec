"""A local group's imprint (publication/imprint.py, make_pdf.py build --imprint)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from make_pdf import main
from publication.errors import InputError
from publication.kinds import KINDS, PAPERS
from publication.model import Project, Selection
from publication.source.imprint import imprint_schema, load_imprint, slugify
from publication.source.schema import schema_text
from tests.conftest import REPO
from tests.pdfread import struct_text
from tests.printing import build_all, module_project
from tests.translating import pdf_text

EXAMPLE = REPO / "examples" / "group.yaml"
GROUP = """\
name: Amnesty-Gruppe Köln-Süd
meeting: Jeden zweiten Dienstag, 19 Uhr
language: de
contact:
  email: koeln@example.org
  web: https://example.org/koeln/
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "group.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_imprint(path)
    return [str(p) for p in caught.value.problems]


def test_example_imprint_loads() -> None:
    imprint = load_imprint(EXAMPLE)
    assert imprint.slug == "amnesty-gruppe-koln-sud"
    assert imprint.lang == "de" and imprint.direction == "ltr"
    assert imprint.contact == ("koeln-sued@example.org", "+49 221 1234567",
                               "example.org/koeln-sued")
    assert [field for field, _, _ in imprint.lines] == [
        "name", "meeting", "contact.email", "contact.phone", "contact.web"]


def test_the_schema_file_is_the_one_the_model_declares() -> None:
    path = REPO / "publication" / "source" / "imprint.schema.json"
    assert path.read_text("utf-8") == schema_text(imprint_schema()), \
        "run: python -m publication.source.schema"


def test_a_malformed_value_says_what_form_is_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, GROUP.replace("koeln@example.org", "koeln at example"))
    assert _problems(path) == [f"{path}:5: contact.email: 'koeln at example' is not in the "
                               "expected form (an e-mail address)"]


def test_slug_from_the_name_or_given() -> None:
    assert slugify("Gruppe Köln-Süd (Innenstadt)") == "gruppe-koln-sud-innenstadt"
    # Any script: transliterated, without anyone writing a slug.
    assert slugify("مجموعة رام الله") == "mjmw-h-rm-llh"
    assert slugify("קבוצת תל אביב") == "kvvtst-tl-vyv"
    assert slugify("Группа Москва") == "gruppa-moskva"
    assert slugify("東京グループ") == "dongjinggurupu"
    # Nothing to transliterate: a short hash of the name, the same every time.
    assert re.fullmatch(r"group-[0-9a-f]{8}", slugify("«»")) and \
        slugify("«»") == slugify("«»") != slugify("»«")
    assert len(slugify("x" * 100)) == 40


def test_unknown_keys_and_too_long_text_are_file_line_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, GROUP.replace("meeting:", "meetings:") + "colour: red\n"
                  "slug: Bad Slug\n")
    problems = _problems(path)
    assert any(p.startswith(f"{path}:2: top level: unknown key 'meetings'") for p in problems)
    assert any(p.startswith(f"{path}:7: top level: unknown key 'colour'") for p in problems)
    assert any(p.startswith(f"{path}:8: slug: 'Bad Slug' is not in the expected form")
               for p in problems), problems
    long_name = "A" * 61
    problems = _problems(_write(tmp_path, GROUP.replace("Amnesty-Gruppe Köln-Süd", long_name)))
    assert problems == [f"{tmp_path / 'group.yaml'}:1: name: too long: 61 characters, "
                        "at most 60 fit"]


def test_contact_must_be_given_and_well_formed(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "name: Gruppe\ncontact: {}\n"))
    assert len(problems) == 1 and ":2: contact:" in problems[0], problems
    problems = _problems(_write(tmp_path, GROUP.replace("koeln@example.org", "koeln at example")
                                .replace("https://example.org/koeln/", "example.org")))
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in problems] == ["5", "6"], problems
    problems = _problems(_write(tmp_path, GROUP.replace("language: de", "language: xx")))
    assert problems[0].endswith(":3: language: 'xx' is not a language code Babel knows "
                                "(use a form like 'de' or 'pt-BR')")
    path = _write(tmp_path, GROUP.replace("Amnesty-Gruppe Köln-Süd", "مجموعة رام الله"))
    assert load_imprint(path).slug == "mjmw-h-rm-llh"  # no slug needed


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir, ("de", "ar"))
    imprint = load_imprint(EXAMPLE)
    build_all(project, Selection(locales=("de", "ar"), kinds=("leaflet", "poster", "petition"),
                                 sizes=("a4", "a3")), imprint)
    return project


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_imprint_on_leaflet_poster_and_petition(built: Project, locale: str) -> None:
    folder = built.output / "fixture" / locale / "amnesty-gruppe-koln-sud"
    for name in ("leaflet-a4.pdf", "leaflet-a4-print.pdf", "poster-a3.pdf",
                 "poster-a3-print.pdf", "petition-a4.pdf"):
        text = pdf_text(folder / name)
        assert "Amnesty-Gruppe Köln-Süd" in text, name
        assert "koeln-sued@example.org" in text and "example.org/koeln-sued" in text, name
    assert not (built.output / "fixture" / locale / "poster-a3.pdf").exists(), \
        "an imprint build writes into the group's folder only"


def test_leaflet_imprint_is_on_the_back_panel(built: Project) -> None:
    folder = built.output / "fixture" / "de" / "amnesty-gruppe-koln-sud"
    back = subprocess.run(["pdftotext", "-f", "6", "-l", "6", str(folder / "leaflet-a4.pdf"),
                           "-"], capture_output=True, text=True, check=True).stdout
    assert "Amnesty-Gruppe Köln-Süd" in back


def test_details_in_the_groups_language_on_an_arabic_page(built: Project) -> None:
    path = built.output / "fixture" / "ar" / "amnesty-gruppe-koln-sud" / "poster-a3.pdf"
    tree = struct_text(path)
    assert "Amnesty-Gruppe Köln-Süd" in tree
    with pikepdf.open(path) as pdf:
        langs = {str(obj.get("/Lang")) for obj in pdf.objects
                 if isinstance(obj, pikepdf.Dictionary) and "/Lang" in obj
                 and obj.get("/Type") == "/StructElem"}
    assert "de" in langs, "the group's German text carries its language"


def test_text_that_does_not_fit_its_box_is_an_error_at_its_line(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    # Short enough for the schema (60 characters), but one word wider than the box.
    name = "Menschenrechtsbildungsarbeitsgemeinschaftsgruppe Köln"
    path = _write(tmp_path, GROUP.replace("Amnesty-Gruppe Köln-Süd", name))
    code = main(["-q", "build", "--imprint", str(path), "--kind", "leaflet", "--size", "letter",
                 "--jobs", "1", "--no-print-files"], root=project.root)
    assert code == 1
    failures = [r.getMessage() for r in caplog.records if r.name == "make_pdf"]
    assert any(f"{path}:" in m and "does not fit the imprint box on the leaflet (letter, en)"
               in m for m in failures), failures
    assert not list(project.output.rglob("leaflet-letter.pdf"))
    caplog.clear()


def test_a_groups_build_makes_no_letter_and_refuses_one_asked_for(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # The letter is its sender's own (they fill in their name and address): with a
    # group's details every other kind is built, and the letter is not; asked for, it
    # is refused with the reason, and nothing is built.
    path = _write(tmp_path, GROUP)
    code = main(["-q", "build", "--imprint", str(path), "--size", "a4", "--jobs", "1",
                 "--no-print-files"], root=project.root)
    assert code == 0, capsys.readouterr().err
    built = {p.name for p in project.output.rglob("*.pdf")}
    assert built == {"leaflet-a4.pdf", "petition-a4.pdf"}  # no poster in A4, no letter
    code = main(["-q", "build", "--imprint", str(path), "--kind", "letter"],
                root=project.root)
    err = capsys.readouterr().err
    assert code == 2
    assert "a letter carries no group's details" in err and "without --imprint" in err


def test_cli_refuses_a_bad_imprint_file_with_its_line(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = _write(tmp_path, GROUP + "website: https://example.org\n")
    assert main(["build", "--imprint", str(path), "--kind", "poster"], root=project.root) == 1
    assert f"{path}:7: top level: unknown key 'website'" in capsys.readouterr().err
    assert main(["build", "--imprint", str(tmp_path / "missing.yaml")], root=project.root) == 1
    assert "missing.yaml: cannot read" in capsys.readouterr().err


def test_the_petitions_info_box_grows_for_a_groups_details(built: Project) -> None:
    # The group's lines fit because its box is taller (kinds.SignatureGrid.imprint_info_mm),
    # which costs the page a signature row, not its data-protection notice or its details.
    grid = KINDS["petition"].grid
    assert grid is not None and grid.info_height(True) > grid.info_height(False)
    rows = KINDS["petition"].petition_rows(PAPERS["a4"], imprint=True)
    assert rows == KINDS["petition"].petition_rows(PAPERS["a4"]) - 1
    path = built.output / "fixture" / "de" / "amnesty-gruppe-koln-sud" / "petition-a4.pdf"
    numbers = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert str(rows) in numbers and str(rows + 1) not in numbers
    assert "+49" in numbers and "example.org/koeln-sued" in numbers


def test_a_plain_contact_is_taken_when_it_is_clearly_one(tmp_path: Path) -> None:
    for value, printed in (("x@example.org", "x@example.org"), ("+49 221 123456", "+49 221 123456"),
                           ("https://example.org/koeln/", "example.org/koeln")):
        imprint = load_imprint(_write(tmp_path, f"name: Gruppe\ncontact: {value}\n"))
        assert imprint.contact == (printed,)
        assert [line for _, _, line in imprint.lines] == [1, 2]
    assert _problems(_write(tmp_path, "name: Gruppe\ncontact: ask at the stall\n")) == [
        f"{tmp_path / 'group.yaml'}:2: contact: is the text 'ask at the stall': give at least "
        "one of email:, phone:, web:, each on its own line indented below contact: (see "
        "examples/group.yaml)"]
    assert _problems(_write(tmp_path, "name: Gruppe\ncontact:\n  emial: x@example.org\n")) == [
        f"{tmp_path / 'group.yaml'}:3: contact: unknown key 'emial': did you mean 'email'?"]


def test_bidi_controls_in_an_imprint_are_refused_at_their_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GROUP.replace("koeln@example.org", "koeln@exa\u202emple.org"))
    assert _problems(path) == [
        f"{path}:5: contact.email: contains the invisible direction control character U+202E "
        "(right-to-left override) after 'koeln@exa', which makes the text print in another "
        "order than it reads (a phone number or an address could be shown reversed): delete "
        "it (retype the text around it)"]
    path = _write(tmp_path, GROUP.replace("koeln@example.org", "koeln@\u200fexample.org"))
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:5: contact.email: contains the invisible control "
                              "character U+200F (right-to-left mark)"), problem
    path = _write(tmp_path, GROUP.replace("Amnesty-Gruppe Köln-Süd", "Gruppe \u2067Köln\u2069"))
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:1: name: contains the invisible direction control "
                              "character U+2067"), problem


# Every field as long as the schema allows, or nearly: more than the poster's band holds.
LONGEST = """\
name: Amnesty International Gruppe Köln-Innenstadt und Umgebung
meeting: Jeden zweiten und vierten Dienstag im Monat, 19:30 Uhr, im Bürgerhaus Stollwerck, Raum 3
language: de
contact:
  email: amnesty.koeln.innenstadt@example-mail.org
  phone: +49 (0)221 123 456 78 90
  web: https://www.amnesty-koeln-innenstadt.example.org/a
responsible: Verantwortlich im Sinne des Presserechts Maria Musterfrau, Musterstr. 1, Köln
"""


def _failures(project: Project, path: Path, kind: str, size: str,
              caplog: pytest.LogCaptureFixture) -> str:
    """What a build of one kind and size with the imprint file `path` says, failing."""
    code = main(["-q", "build", "--imprint", str(path), "--kind", kind, "--size", size,
                 "--jobs", "1", "--no-print-files"], root=project.root)
    assert code == 1
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "make_pdf")


def test_lines_the_band_has_no_room_for_are_errors_at_their_lines(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    # WeasyPrint leaves lines past the band's greatest height out of the layout: they
    # are named, at their lines, before the gate finds the text missing.
    path = _write(tmp_path, LONGEST)
    failures = _failures(project, path, "poster", "a3", caplog)
    assert f"{path}:8: responsible: 'Verantwortlich" in failures, failures
    assert "does not fit the imprint box on the poster (a3, en): the box is full" in failures
    assert "reading-order" not in failures
    caplog.clear()


def test_details_that_push_the_leaflet_past_its_panels_are_named(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    path = _write(tmp_path, LONGEST)
    failures = _failures(project, path, "leaflet", "a4", caplog)
    assert (f"{path}:2: the group's details do not fit on the leaflet (a4, en): with them "
            "the content runs") in failures, failures
    assert "without them it fits; shorten the longest: meeting (88 characters)" in failures
    assert "longest panel's text" not in failures
    caplog.clear()
