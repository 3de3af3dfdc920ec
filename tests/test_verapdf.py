"""veraPDF, the reference PDF/UA validator, on every accessible PDF (tests/verapdf.py).

The fixture campaign and the real campaign are each built once for the module, in a temporary
folder; the print-shop files (*-print.pdf) are PDF/X, not PDF/UA, and are left out. Without
Java or without veraPDF set up (tools/verapdf/setup.sh, `make verapdf`) these tests fail.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pikepdf
import pytest

from publication.build.builder import build, plan
from publication.model import BuildOptions, Project, Selection
from tests import verapdf
from tests.printing import build_all, module_project
from tests.projects import REPO

# veraPDF's results, or why it could not run: module fixtures keep either, so that a missing
# set-up fails each test (pytest.fail in the test, never a skip, nor an error in a fixture).
Validation = list[verapdf.Result] | verapdf.VeraPDFUnavailable


def _attempt(paths: Sequence[Path], flavour: str = "ua1") -> Validation:
    try:
        return verapdf.validate(paths, flavour)
    except verapdf.VeraPDFUnavailable as error:
        return error


def _results(validation: Validation) -> list[verapdf.Result]:
    """The results; the test fails, naming the set-up step, when veraPDF could not run."""
    if isinstance(validation, verapdf.VeraPDFUnavailable):
        pytest.fail(str(validation), pytrace=False)
    return validation


def _validate(paths: Sequence[Path], flavour: str = "ua1") -> list[verapdf.Result]:
    return _results(_attempt(paths, flavour))


def _assert_compliant(results: list[verapdf.Result]) -> None:
    bad = [r for r in results if not r.compliant]
    assert not bad, (f"veraPDF: {len(bad)} of {len(results)} accessible PDFs are not "
                     f"{verapdf.FLAVOURS[results[0].flavour]}:\n{verapdf.report(bad)}")


@pytest.fixture(scope="module")
def fixture_output(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Path:
    """The fixture campaign built (print-shop files too) into a fresh copy of its project."""
    project = module_project(tmp_path_factory, fonts_dir)
    build_all(project, Selection())
    return project.output


@pytest.fixture(scope="module")
def fixture_results(fixture_output: Path) -> Validation:
    return _attempt(verapdf.accessible_pdfs(fixture_output))


def _real_project(root: Path, fonts_dir: Path) -> Project:
    """A copy of the repository's own project (content, locales, styles when it has its own,
    fonts), with an empty output folder: the real build, away from the checkout's output/."""
    root.mkdir(parents=True)
    for name in ("content", "locales", "styles"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.mo"))
    if (REPO / "babel.cfg").is_file():
        shutil.copy(REPO / "babel.cfg", root / "babel.cfg")
    (root / "fonts").symlink_to(fonts_dir, target_is_directory=True)
    (root / "output").mkdir()
    return Project(root)


@pytest.fixture(scope="module")
def real_output(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Path:
    """Every default target of the real campaign, built as `make pdf` builds them (the
    accessible files; their print-shop companions are not needed here)."""
    project = _real_project(tmp_path_factory.mktemp("real") / "project", fonts_dir)
    report = build(project, plan(project, Selection()), BuildOptions(jobs=2))
    assert report.ok, [(str(o.target), o.messages) for o in report.failed]
    return project.output


def test_every_accessible_fixture_pdf_passes_verapdf(
    fixture_output: Path, fixture_results: Validation,
) -> None:
    results = _results(fixture_results)
    assert list(fixture_output.rglob("*-print.pdf")), "the print-shop files were built"
    assert results, "the fixture campaign has accessible PDFs"
    assert not any("-print" in r.file.name for r in results)
    _assert_compliant(results)


def test_every_accessible_pdf_of_the_real_build_passes_verapdf(real_output: Path) -> None:
    paths = verapdf.accessible_pdfs(real_output)
    locales = {p.parent.name for p in paths}
    assert len(locales) > 1 and len(paths) >= 8 * len(locales), (locales, len(paths))
    _assert_compliant(_validate(paths))


def _without_mark_info(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/MarkInfo"]


def _without_struct_tree(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/StructTreeRoot"]


def _without_pdfua_id(pdf: pikepdf.Pdf) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        del meta["pdfuaid:part"]


BREAKAGES: dict[str, tuple[Callable[[pikepdf.Pdf], None], str]] = {
    # what is taken out of a good PDF, and the PDF/UA-1 rule veraPDF must report for it
    "no-markinfo": (_without_mark_info, "6.2-1"),
    "no-structtreeroot": (_without_struct_tree, "7.1-11"),
    "no-pdfuaid": (_without_pdfua_id, "5-1"),
}


@pytest.fixture(scope="module")
def broken_results(
    fixture_output: Path, tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Validation]:
    """Copies of one good fixture PDF (veraPDF passes it: the test above), each with one
    PDF/UA requirement taken out, and a file that is no PDF at all: one JVM start."""
    good = verapdf.accessible_pdfs(fixture_output)[0]
    folder = tmp_path_factory.mktemp("broken")
    paths = []
    for name, (change, _rule) in BREAKAGES.items():
        with pikepdf.open(good) as pdf:
            change(pdf)
            pdf.save(folder / f"{name}.pdf")
        paths.append(folder / f"{name}.pdf")
    (folder / "not-a-pdf.pdf").write_bytes(b"%PDF-1.7\nthis is not a PDF\n")
    paths.append(folder / "not-a-pdf.pdf")
    validation = _attempt(paths)
    if isinstance(validation, verapdf.VeraPDFUnavailable):
        return {path.stem: validation for path in paths}
    return {path.stem: [result] for path, result in zip(paths, validation, strict=True)}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_verapdf_fails_a_pdf_with_a_requirement_taken_out(
    broken_results: dict[str, Validation], name: str,
) -> None:
    [result] = _results(broken_results[name])
    expected = BREAKAGES[name][1]
    assert not result.compliant and result.error is None, verapdf.report([result])
    assert result.rules, f"{result.file}: non-compliant without a rule id"
    assert expected in result.rules, (f"veraPDF did not report rule {expected}; it reported:\n"
                                      f"{verapdf.report([result])}")
    assert all(f.count >= 1 and f.description for f in result.failed), result.failed


def test_verapdf_reports_a_file_it_cannot_read(
    broken_results: dict[str, Validation],
) -> None:
    [result] = _results(broken_results["not-a-pdf"])
    assert not result.compliant
    assert result.error, result
    assert "not readable by veraPDF" in verapdf.report([result])


def test_pdf_ua_2_flavour_runs(fixture_output: Path) -> None:
    """PDF/UA-2 is not claimed yet (the files say pdfuaid:part 1): only that the flavour runs
    and answers with rule ids."""
    [result] = _validate(verapdf.accessible_pdfs(fixture_output)[:1], "ua2")
    assert result.flavour == "ua2" and result.error is None, result
    assert result.compliant or result.rules


def test_unknown_flavour_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown flavour"):
        verapdf.validate([Path("x.pdf")], "ua3")


def test_missing_set_up_names_the_set_up_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verapdf, "HOME", tmp_path / ".verapdf")
    with pytest.raises(verapdf.VeraPDFUnavailable, match="tools/verapdf/setup.sh"):
        verapdf.validate([Path("x.pdf")])


def test_missing_java_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(verapdf.VeraPDFUnavailable, match="java is not on PATH.*jdk-headless"):
        verapdf.validate([Path("x.pdf")])
