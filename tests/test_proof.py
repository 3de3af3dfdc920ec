"""The proof sheet (publication/report/proof.py): every kind and locale side by side,
written with the index after a build, read back with PDFium."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from publication.checks import output_pdfs
from publication.kinds import PROOF_NAME, PT_PER_MM
from publication.model import Project, Selection
from publication.report import proof
from publication.report.proof import SHEET_MM
from tests.printing import build_all, module_project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    project = module_project(tmp_path_factory, fonts_dir, ("ar",))
    build_all(project, Selection(kinds=("leaflet", "poster"), sizes=("a4", "a3")))
    return project


def test_one_page_per_kind_with_a_row_per_locale(built: Project) -> None:
    path = built.output / "fixture" / PROOF_NAME
    document = pdfium.PdfDocument(path)
    try:
        assert len(document) == 2, "the leaflet and the poster"
        for number, title in enumerate(("Leaflet", "Poster")):
            page = document[number]
            width, height = (v / PT_PER_MM for v in page.get_size())
            assert (round(width), round(height)) == SHEET_MM
            text = page.get_textpage().get_text_range()
            assert f"fixture: {title}" in text
            assert "English" in text and "Arabic" in text
            # Every page of each locale's file is on the sheet, its text with it.
            assert " ".join(text.split()).count("Free the fixture") >= 2, text[:200]
    finally:
        document.close()
    with pikepdf.open(path) as pdf:
        placed = [len(page.obj.Resources.XObject) - 1 for page in pdf.pages]  # not the labels
        assert placed == [2 * 6, 2 * 1]
        # Tagged: the labels and every placed page a Figure that says what it shows.
        figures = list(pdf.Root.StructTreeRoot.K.K)
        assert len(figures) == sum(placed) + len(placed)
        assert any(str(f.Alt).endswith(": page 1 of 6") for f in figures)
        assert str(pdf.docinfo["/Subject"]).startswith("For reviewing, not for reading")


def test_the_thumbnails_are_the_pages_drawn(built: Project) -> None:
    # The Arabic leaflet's cover, in the second row, is drawn: its campaign colour is there.
    document = pdfium.PdfDocument(built.output / "fixture" / PROOF_NAME)
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    pixels = image.load()
    yellow = sum(1 for x in range(image.width) for y in range(image.height)
                 if (p := pixels[x, y])[0] > 200 and p[1] > 180 and p[2] < 80)
    assert yellow > 0.01 * image.width * image.height


def test_the_proof_is_not_an_accessible_file(built: Project) -> None:
    assert built.output / "fixture" / PROOF_NAME not in output_pdfs(built.output)
    assert not any(p.name.endswith(("-print.pdf", "-office.pdf"))
                   for p in output_pdfs(built.output))


def _proof_files(project: Project) -> list[proof.ProofFile]:
    return [proof.ProofFile("fixture", locale, kind, size,
                            project.output / "fixture" / locale / f"{kind}-{size}.pdf")
            for locale in ("en", "ar") for kind, size in (("leaflet", "a4"), ("poster", "a3"))]


def test_the_placed_pages_kept_give_the_same_bytes(built: Project, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # A build rewrites the proof when one file changed: the placed pages' content without
    # marked content is kept by the digest of what it came from, and the sheet is the
    # one tagging them in place gives.
    files = _proof_files(built)
    expected = proof.proof_sheet("fixture", files, built.fonts)
    folder = tmp_path / "forms"
    first = proof.PlacedForms(folder)
    assert proof.proof_sheet("fixture", files, built.fonts, first) == expected
    kept = sorted(p.name for p in folder.iterdir())
    assert kept and sorted(first.used) == kept, "each form once, by its content"

    def parsed(form: pikepdf.Object) -> bytes:
        raise AssertionError("parsed again")

    monkeypatch.setattr(proof, "unmarked", parsed)
    assert proof.proof_sheet("fixture", files, built.fonts, proof.PlacedForms(folder)) == expected
    monkeypatch.undo()
    # Read as untrusted: a file that is not what was written is made again.
    (folder / kept[0]).write_bytes(b"0" * 64 + b"q Q")
    (folder / kept[1]).write_bytes(b"")
    again = proof.PlacedForms(folder)
    assert proof.proof_sheet("fixture", files, built.fonts, again) == expected
    assert (folder / kept[0]).read_bytes() != b"0" * 64 + b"q Q"
    # What no proof used any more is deleted; other files are left alone.
    (folder / ("0" * 64)).write_bytes(b"old")
    (folder / "notes.txt").write_bytes(b"")
    again.prune()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*kept, "notes.txt"])


def test_the_build_keeps_the_placed_pages_in_the_cache(built: Project) -> None:
    folder = built.output / ".cache" / proof.FORMS_FOLDER
    assert any(folder.iterdir())
    sheet = built.output / "fixture" / PROOF_NAME
    assert sheet.read_bytes() == proof.proof_sheet("fixture", _proof_files(built), built.fonts)
