"""The content interpreter (publication/pdf/content.py): what a page draws, where, in which
colour and font, inside which marked content; read once per page for every check."""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from publication import checks
from publication.model import Project
from publication.pdf import content
from publication.pdf.content import ActualTextStart, Event, MarkedContent, Paint, TextRun
from tests.checking import build_one
from tests.content_sample import sample_pdf

# The events of tests/content_sample.py as the interpreter gave them before it was split
# into one method per operator on pikepdf.Matrix (recorded from that implementation;
# it and this one also gave identical events, floats bit for bit, on the 72 PDFs of a
# full build).
RECORDED = Path(__file__).parent / "fixtures" / "content_sample_events.json"


def _rounded(values: tuple[float, ...] | None) -> list[float] | None:
    return None if values is None else [round(v, 3) for v in values]


def _marks(marked: tuple[MarkedContent, ...]) -> list[list[object]]:
    return [[m.tag, m.mcid, m.actual_text, m.lang] for m in marked]


def summary(event: Event) -> dict[str, object]:
    """An event as the recording has it: floats to 3 decimals, marked content without
    serial numbers."""
    if isinstance(event, TextRun):
        return {"text": event.text, "unmapped": list(event.unmapped), "font": event.font,
                "size": round(event.size, 3), "bold": event.bold, "fill": _rounded(event.fill),
                "alpha": event.alpha, "bbox": _rounded(event.bbox),
                "invisible": event.invisible, "marked": _marks(event.marked),
                "replaced": event.replaced}
    if isinstance(event, Paint):
        return {"paint": event.kind, "bbox": _rounded(event.bbox), "fill": _rounded(event.fill),
                "alpha": event.alpha, "marked": _marks(event.marked),
                "rects": [[_rounded(box), sign] for box, sign in event.rects],
                "even_odd": event.even_odd}
    assert isinstance(event, ActualTextStart)
    return {"actual_text": _marks(event.marked)}


def _sample_events() -> list[Event]:
    with pikepdf.open(io.BytesIO(sample_pdf())) as pdf:
        return content.page_events(pdf.pages[0])


def test_every_operator_gives_the_recorded_events() -> None:
    recorded = json.loads(RECORDED.read_text("utf-8"))
    found = [summary(event) for event in _sample_events()]
    assert len(found) == len(recorded)
    for number, (event, expected) in enumerate(zip(found, recorded, strict=True)):
        assert event == expected, f"event {number}"


def test_what_the_sample_shows() -> None:
    # A few of the recorded events spelled out, so that the recording is not the only
    # statement of what is right.
    events = _sample_events()
    texts = [e for e in events if isinstance(e, TextRun)]
    hello = texts[0]
    assert hello.text == "Hello World" and hello.size == 20.0 and hello.alpha == 0.5  # gs /Font
    assert hello.bbox == (100.0, 696.0, 210.0, 716.0)  # Helvetica: 500/1000 em a glyph
    king = next(e for e in texts if e.text == "King")
    # TJ: -250 thousandths of an em moves right; Tz 50 halves the advance; Ts 5 lifts it.
    assert king.bbox[2] - king.bbox[0] == pytest.approx(((0.5 * 12 + 2) * 4 + 3) * 0.5)
    assert [e.invisible for e in texts if e.text in ("invisible", "clip")] == [True, True]
    rotated = [e for e in texts if e.font == "ABCDEF+Sample-Bold"][1]  # 0 1 -1 0 Tm
    assert rotated.bbox == pytest.approx((391.0, 400.0, 402.5, 412.0))
    cid = next(e for e in texts if e.font == "GHIJKL+SampleCID")
    assert cid.text == "Hib" and cid.unmapped == (12,) and cid.size == 18.0
    starts = [e for e in events if isinstance(e, ActualTextStart)]
    assert [next(m.actual_text for m in s.marked if m.actual_text) for s in starts] == [
        "hello", "note"]  # the nested /ActualText (inner) is replaced by the outer one
    form = [e for e in texts if e.size == 4.0]  # the form's Matrix halves 8 pt
    assert len(form) == 1 and form[0].marked[-1].mcid == 11
    paints = [e for e in events if isinstance(e, Paint)]
    assert [p.kind for p in paints].count("image") == 2  # Do /Im1 and the inline image
    assert sum(1 for p in paints if p.fill == (0.9, 0.9, 0.9)) == content.MAX_FORM_DEPTH
    ring = next(p for p in paints if len(p.rects) == 2)
    assert [sign for _, sign in ring.rects] == [-1, -1]  # negative width, negative height


def test_each_page_is_interpreted_once_for_every_check(monkeypatch: pytest.MonkeyPatch,
                                                       ) -> None:
    # Every family reads pages (pdfua, reading order, languages, fonts, fit, contrast):
    # they share one interpretation per page, and each content stream is parsed once.
    calls: list[int] = []
    parse = pikepdf.parse_content_stream
    interpret = content.page_events

    def counted_parse(owner: object, operators: str = "") -> object:
        calls.append(0)
        return parse(owner, operators)  # type: ignore[arg-type]

    def counted_events(page: pikepdf.Page, fonts: object = None,
                       instructions: object = None) -> list[Event]:
        calls.append(1)
        return interpret(page, fonts, instructions)  # type: ignore[arg-type]

    monkeypatch.setattr(pikepdf, "parse_content_stream", counted_parse)
    monkeypatch.setattr("publication.pdf.structure.page_events", counted_events)
    data = sample_pdf()
    findings = checks.check_bytes(data, "sample.pdf", None)
    assert findings  # untagged content, fonts and more: every family read the page
    # The page once, the form /Fm1 once and the recursive /Fm2 at each depth.
    assert calls.count(1) == 1
    assert calls.count(0) == 2 + content.MAX_FORM_DEPTH


def test_instructions_parsed_already_give_the_same_events() -> None:
    # The tag fixes parse every page's instructions (all of them) and hand them to the
    # reader they check figures with: what it reads must be what it would parse itself.
    with pikepdf.open(io.BytesIO(sample_pdf())) as pdf:
        page = pdf.pages[0]
        parsed = list(pikepdf.parse_content_stream(page))
        own = [summary(e) for e in content.page_events(page)]
        assert [summary(e) for e in content.page_events(page, None, parsed)] == own
        assert own and content.page_events(page, None, []) == []  # what is given is read


def _words(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """pdftotext's words of a page (from 1): text and box, y measured up from the bottom."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out)[1])  # type: ignore[index]
    return [(word, float(x0), height - float(y1), float(x1), height - float(y0))
            for x0, y0, x1, y1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"([^<]*)</word>", out)]


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def test_text_runs_are_where_poppler_finds_the_words(project: Project) -> None:
    path, outcome = build_one(project, "en", "leaflet", "a4")
    assert outcome.status == "built"  # type: ignore[attr-defined]
    with pikepdf.open(path) as pdf:
        pages = [[e for e in content.page_events(page)
                  if isinstance(e, TextRun) and not e.invisible and e.text.strip()]
                 for page in pdf.pages]
    found = 0
    for number, runs in enumerate(pages, start=1):
        found += _compare(runs, [w for w in _words(path, number) if w[0].strip()])
    assert found > 100


def _compare(runs: list[TextRun], words: list[tuple[str, float, float, float, float]]) -> int:
    for word, x0, y0, x1, y1 in words:
        # The runs of the word's line that it overlaps (a word can span runs: a quotation
        # mark the stylesheet adds, a bold part) cover it and hold its text.
        middle = (y0 + y1) / 2
        over = sorted((r for r in runs if r.bbox[1] <= middle <= r.bbox[3]
                       and r.bbox[0] < x1 - 0.5 and r.bbox[2] > x0 + 0.5),
                      key=lambda r: r.bbox[0])
        assert over, word
        assert over[0].bbox[0] - 0.5 <= x0 and x1 <= over[-1].bbox[2] + 0.5, word
        assert _plain(word) in _plain("".join(r.text for r in over)), word
    # A run begins where a word begins (or where the run before it on its line ends: a
    # word can span runs), and ends where a word ends or the next run begins.
    for run in runs:
        line = [w for w in words if run.bbox[1] <= (w[2] + w[4]) / 2 <= run.bbox[3]]
        others = [r for r in runs if r is not run and r.bbox[1] == run.bbox[1]]
        starts = [w[1] for w in line] + [r.bbox[2] for r in others]
        ends = [w[3] for w in line] + [r.bbox[0] for r in others]
        assert min(abs(run.bbox[0] - x) for x in starts) < 0.5, run.text
        if run.text.rstrip() == run.text:
            assert min(abs(run.bbox[2] - x) for x in ends) < 0.5, run.text
    return len(words)
