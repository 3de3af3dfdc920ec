"""The one report of messages shown in English (publication/i18n/missing.py)."""

from __future__ import annotations

from pathlib import Path

from publication.i18n.localize import Fallback
from publication.i18n.missing import (
    Missing,
    in_report,
    is_fallback,
    parse_warning,
    report_lines,
    sorted_missing,
    summary_lines,
)
from publication.model import Outcome, Target

PO = "locales/de/LC_MESSAGES/messages.po"


def test_a_fallback_warning_reads_back() -> None:
    warning = Fallback("news.black-friday-report.title", "x", "fuzzy", 21).describe(PO)
    assert parse_warning(warning) == (PO, 21, "fuzzy", "news.black-friday-report.title")
    assert parse_warning(Fallback("title", "x", "untranslated", 0).describe(PO)) == \
        (PO, 0, "untranslated", "title")
    assert is_fallback(warning)
    assert not is_fallback("fixture/de/poster-a3.pdf, page 1: contrast 3.9:1 is too low")


def test_each_message_once_sorted_by_line_with_its_kinds() -> None:
    found = [(30, "b", "fuzzy", ["poster"]), (12, "a", "untranslated", ["letter"]),
             (30, "b", "fuzzy", ["leaflet"]), (0, "z", "untranslated", ["poster"]),
             (12, "a", "untranslated", ["letter"])]
    missing = sorted_missing(found)
    assert missing == [Missing(12, "a", "untranslated", ("letter",)),
                       Missing(30, "b", "fuzzy", ("leaflet", "poster")),
                       Missing(0, "z", "untranslated", ("poster",))]
    lines = report_lines("de", PO, missing)
    assert lines == [
        "de: 3 message(s) shown in English (untranslated or fuzzy):",
        f"{PO}:12 a: untranslated — shown in English on: letter",
        f"{PO}:30 b: fuzzy — shown in English on: leaflet, poster",
        f"{PO} (no entry yet: run 'python make_pdf.py update') z: untranslated — shown in "
        "English on: poster"]
    assert all(in_report(line) for line in lines)
    assert not in_report("3 built, 1 skipped")
    assert report_lines("de", PO, []) == []


def test_a_build_summary_gathers_built_and_skipped_outcomes_not_failed_ones() -> None:
    def outcome(kind: str, size: str, status: str, *fallbacks: Fallback) -> Outcome:
        return Outcome(Target("c", "de", kind, size), status, Path("x.pdf"),
                       messages=tuple(f.describe(PO) for f in fallbacks) + ("a check note",))

    title = Fallback("title", "T", "untranslated", 9)
    head = Fallback("headline", "H", "fuzzy", 5)
    lines = summary_lines([outcome("poster", "a3", "built", title, head),
                           outcome("poster", "tabloid", "skipped", title, head),
                           outcome("leaflet", "a4", "built", title),
                           outcome("letter", "a4", "failed", Fallback("x", "X", "fuzzy", 1))])
    assert lines == ["de: 2 message(s) shown in English (untranslated or fuzzy):",
                     f"{PO}:5 headline: fuzzy — shown in English on: poster",
                     f"{PO}:9 title: untranslated — shown in English on: leaflet, poster"]
