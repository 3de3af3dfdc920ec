"""Campaign images checked on loading (publication/source/images.py): readable, inside
the campaign folder, fine enough for their printed size; problems at campaign.yaml:LINE."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PIL import Image

from publication.errors import InputError
from publication.kinds import KINDS, PAPERS, image_width_mm
from publication.model import Project
from publication.source.content import load_campaign
from publication.source.images import MIN_PPI, WARN_PPI

MARK_MM = image_width_mm("mark")


def _with_image(project: Project, src: str, place: str = "mark") -> tuple[Path, int]:
    path = project.content / "fixture" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "images: []", f"images:\n  - id: logo\n    src: {src}\n    alt: The logo\n"
                      f"    place: {place}")
    path.write_text(text, encoding="utf-8")
    return path, text.splitlines().index(f"    src: {src}") + 1


def _png(path: Path, pixels: int) -> None:
    Image.new("RGB", (pixels, pixels), "#ffe000").save(path)


def _problems(project: Project) -> list[str]:
    with pytest.raises(InputError) as info:
        load_campaign(project.content / "fixture")
    return [str(p) for p in info.value.problems]


def test_the_widest_printed_size_counts() -> None:
    widths = [w for k in KINDS.values() for s in (*k.sizes, *k.extra_sizes)
              if (w := k.image_mm("mark", PAPERS[s])) is not None]
    assert max(widths) == MARK_MM and len(widths) >= 4


def test_a_sharp_png_and_an_svg_load(project: Project) -> None:
    folder = project.content / "fixture"
    _png(folder / "logo.png", round(MARK_MM / 25.4 * 300))
    _with_image(project, "logo.png")
    assert load_campaign(folder).images[0].path.name == "logo.png"


def test_a_coarse_png_is_refused_at_its_line(project: Project) -> None:
    folder = project.content / "fixture"
    _png(folder / "logo.png", round(MARK_MM / 25.4 * (MIN_PPI - 20)))
    path, line = _with_image(project, "logo.png")
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{line}: images.1.src: logo.png is ")
    assert f"at least {MIN_PPI} ppi" in problem


def test_a_soft_png_is_a_warning_at_its_line(project: Project,
                                             caplog: pytest.LogCaptureFixture) -> None:
    folder = project.content / "fixture"
    _png(folder / "logo.png", round(MARK_MM / 25.4 * (WARN_PPI - 20)))
    path, line = _with_image(project, "logo.png")
    with caplog.at_level(logging.WARNING):
        load_campaign(folder)
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert record.getMessage().startswith(f"{path}:{line}: ")
    assert f"{WARN_PPI} ppi or more" in record.getMessage()
    caplog.clear()


def test_a_corrupt_or_misnamed_file_is_refused(project: Project) -> None:
    folder = project.content / "fixture"
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    path, line = _with_image(project, "logo.png")
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{line}: ") and "not a readable PNG or JPEG" in problem


def test_a_jpeg_named_png_is_refused(project: Project) -> None:
    folder = project.content / "fixture"
    Image.new("RGB", (600, 600)).save(folder / "logo.png", format="JPEG")
    _with_image(project, "logo.png")
    [problem] = _problems(project)
    assert "is a JPEG file, not PNG" in problem


def test_a_broken_svg_is_refused(project: Project) -> None:
    folder = project.content / "fixture"
    (folder / "mark.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><g>", "utf-8")
    path, line = _with_image(project, "mark.svg")
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{line}: ") and "not a well-formed SVG" in problem


def test_an_svg_without_a_size_is_refused(project: Project) -> None:
    folder = project.content / "fixture"
    (folder / "mark.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    _with_image(project, "mark.svg")
    [problem] = _problems(project)
    assert "neither a viewBox nor a width and height" in problem


def test_a_file_outside_the_campaign_is_refused(project: Project) -> None:
    _png(project.root / "outside.png", 600)
    path, line = _with_image(project, "../../outside.png")
    [problem] = _problems(project)
    assert problem.startswith(f"{path}:{line}: ") and "is not a file in fixture/" in problem
