"""How well each PDF reader reads the catalogue's strings: a reader x locale table.

    python tools/readers/table.py OUTPUT_DIR [--json FILE] [--project ROOT]
        [--readers pdfjs,pdfium,poppler] [--locale CODE ...]

OUTPUT_DIR is a build's output folder (output/<campaign>/<locale>/<kind>-<size>.pdf); the
accessible PDFs are read, the print-shop files (*-print.pdf) are not. The catalogues and
content are read from the project ROOT (default: OUTPUT_DIR's parent when it has a
locales/ folder, else this checkout).

The readers
- pdfjs: pdf.js under Node (tools/readers/pdfjs_text.mjs; `npm ci` in tools/readers), the
  text Firefox gives a screen reader: getTextContent({includeMarkedContent: true}) in the
  order of getStructTree().
- pdfium: PDFium through pypdfium2 (Chrome's reader), each page's
  get_textpage().get_text_range().
- poppler: Debian's `pdftotext -enc UTF-8` (poppler-utils), its default reading order.

The strings of a locale: each catalogue entry (locales/<lang>/LC_MESSAGES/messages.po;
for the source language en the msgids of locales/messages.pot) as the build shows it:
- translated entries only (the build shows fuzzy and untranslated ones in English: they
  are listed as skipped);
- inline markup (<em>, <strong>, <a>, <span>) stripped, entities unescaped;
- plural entries (%(count)s): the form the catalogue's Plural-Forms picks for the count the
  content gives the message, the count written as the build writes it (Babel's
  format_decimal, the locale's default numbering system and its digits); the other forms
  are shown nowhere, so not counted;
- an entry with any other placeholder is skipped (here only %(url)s, the QR code's
  alternate text, which is not page text).

Where a string is shown: in those of the locale's PDFs whose tag tree (read with
/ActualText, publication.pdf.structure, the reader of the build's own gate) contains it,
whitespace ignored. A string no PDF shows (news items a leaflet has no room for, the
imprint label of a build without an imprint) is listed as not shown and left out.

The rule for "read exactly", the same for every reader: the string and the reader's text of
a whole PDF are both Unicode NFC, without bidi controls (U+200E/F, U+202A-E, U+2066-9,
U+061C) or soft hyphens, case folded (text-transform: uppercase changes case), a line break
after a hyphen inside a word ("ci-" / "dessus", PDFium's U+FFFE line-end hyphen too) or a
hyphenation hyphen U+2010 at a line end joined, and every other run of whitespace, line
breaks included, made one space. An occurrence (a string in one PDF that shows it) is read
exactly when the string is a substring of that reader's text of that PDF. So a string
broken over lines counts when its words come in order; a word cut in two, words run
together, a missing, changed or moved character (a comma at the wrong end of a clause,
digits or a date reversed, a mirrored quote mark) do not.

The table: per reader and locale, the share of occurrences read exactly (a string read
right in the leaflet but not in the poster counts one of two). The JSON report (--json)
also has the share of strings read exactly in at least one PDF, and per locale and reader
every miss: the string, the PDFs that show it, and the reader's text where it should be.
"""

from __future__ import annotations

import argparse
import difflib
import gettext
import html
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from publication.kinds import NOT_FOR_READING  # noqa: E402

SOURCE_LOCALE = "en"
READERS = ("pdfjs", "pdfium", "poppler")
LABELS = {"pdfjs": "pdf.js (Firefox)", "pdfium": "PDFium (Chrome)",
          "poppler": "poppler pdftotext"}
INSTALL_PDFJS = "cd tools/readers && npm ci"
RULE = ("NFC; bidi controls and soft hyphens removed; case folded; a line break after a "
        "hyphen inside a word, or after a hyphenation hyphen U+2010, joined (PDFium's U+FFFE "
        "too); every other whitespace run, line breaks included, one space. An occurrence "
        "(a string in a PDF whose tag tree shows it, whitespace ignored) is read exactly "
        "when the string is a substring of the reader's text of that PDF.")

# -- normalising ------------------------------------------------------------------------

BIDI_CONTROLS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                               0x061C, 0x00AD])
_LINE_END_HYPHEN = re.compile(r"\u2010[ \t]*(?:\r\n|\r|\n)")
# A word with a hyphen broken after it ("ci-\ndessus"): the break is no space. PDFium
# writes such a hyphen as U+FFFE (its mark for a hyphen that ends a line).
_HYPHEN_BREAK = re.compile(r"(?<=\S)([-\u2011])[ \t]*(?:\r\n|\r|\n)\s*|\uFFFE\s*")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?(?:em|strong|a|span)\b[^>]*>")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

# Digit zero of the CLDR numbering systems a locale of this project may default to.
DIGIT_ZERO = {"latn": 0x30, "arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "beng": 0x9E6}


def normal(text: str) -> str:
    """The form strings and reader text are compared in (the module docstring's rule)."""
    text = _LINE_END_HYPHEN.sub("", unicodedata.normalize("NFC", text))
    text = _HYPHEN_BREAK.sub(lambda m: m.group(1) or "-", text)
    text = text.translate(BIDI_CONTROLS).casefold()
    return _SPACE.sub(" ", text).strip()


def spaceless(text: str) -> str:
    """`normal` with whitespace removed altogether: for 'shown', not for 'read exactly'."""
    return "".join(normal(text).split())


def plain(markup: str) -> str:
    """A catalogue string without its inline markup, as the page shows it."""
    return html.unescape(_TAG.sub("", markup))


# -- the catalogue's strings --------------------------------------------------------------

@dataclass
class Entry:
    """One catalogue string as a locale's PDFs show it (one text per count it is shown with)."""

    context: str
    msgid: str
    texts: tuple[str, ...]
    skipped: str = ""          # why it is not counted, "" when it is
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.context}|{self.msgid}" if self.context else self.msgid

    @property
    def display(self) -> str:
        return " / ".join(self.texts) if self.texts else self.msgid


def content_counts(project: Path) -> dict[tuple[str, str], set[int]]:
    """(singular, plural) -> the counts the content gives it, from every campaign.yaml."""
    import yaml

    counts: dict[tuple[str, str], set[int]] = {}

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("count"), int) and "one" in node and "other" in node:
                key = (" ".join(str(node["one"]).split()), " ".join(str(node["other"]).split()))
                counts.setdefault(key, set()).add(node["count"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for path in sorted((project / "content").glob("*/campaign.yaml")):
        visit(yaml.safe_load(path.read_text("utf-8")))
    return counts


def format_count(count: int, locale: str) -> str:
    """A count written as the build writes it: Babel's separators, the locale's digits."""
    from babel import Locale
    from babel.numbers import format_decimal

    system = Locale.parse(locale).default_numbering_system
    if system not in DIGIT_ZERO:
        raise SystemExit(f"{locale}: numbering system {system!r} is not known to table.py")
    text = format_decimal(count, locale=locale, numbering_system="default")
    zero = DIGIT_ZERO[system]
    return text.translate({0x30 + i: zero + i for i in range(10)})


def _forms(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple of its forms ('' for a missing one)."""
    items = value if isinstance(value, (tuple, list)) else (value,)
    return tuple(str(item) if item else "" for item in items)


def catalogue(project: Path, locale: str) -> list[Entry]:
    """The entries of `locale`'s catalogue (the .pot's msgids for the source language)."""
    from babel.messages.pofile import read_po

    path = (project / "locales" / "messages.pot" if locale == SOURCE_LOCALE
            else project / "locales" / locale / "LC_MESSAGES" / "messages.po")
    if not path.is_file():
        raise SystemExit(f"{path}: no catalogue for {locale}"
                         + (" (run `make_pdf.py extract`)" if locale == SOURCE_LOCALE else ""))
    with path.open("rb") as fileobj:
        cat = read_po(fileobj, locale=None if locale == SOURCE_LOCALE else locale)
    plural_of = gettext.c2py(cat.plural_expr) if locale != SOURCE_LOCALE else (
        lambda n: int(n != 1))
    counts = content_counts(project)
    entries = []
    for message in cat:
        if not message.id:
            continue
        ids = _forms(message.id)
        forms = ids if locale == SOURCE_LOCALE else _forms(message.string)
        entry = Entry(message.context or "", ids[0], (), line=message.lineno or 0)
        entries.append(entry)
        if message.fuzzy or not all(forms):
            entry.skipped = "fuzzy" if message.fuzzy else "untranslated"
            continue
        names = {name for form in forms for name in _PLACEHOLDER.findall(form)}
        if names - {"count"}:
            entry.skipped = ("placeholder " + ", ".join(f"%({n})s" for n in sorted(names))
                             + ": not page text the build fills from the catalogue alone")
            continue
        if len(ids) == 1:
            if names:
                entry.skipped = "%(count)s in a message without plural forms"
            else:
                entry.texts = (plain(forms[0]),)
            continue
        shown = counts.get((" ".join(ids[0].split()), " ".join(ids[1].split())), set())
        if not shown:
            entry.skipped = "plural message no content gives a count"
            continue
        texts = []
        for count in sorted(shown):
            form = forms[min(plural_of(count), len(forms) - 1)]
            texts.append(plain(form.replace("%(count)s", format_count(count, locale))
                               .replace("%(count)d", format_count(count, locale))))
        entry.texts = tuple(texts)
    return entries


# -- the readers ------------------------------------------------------------------------

class ReaderMissing(RuntimeError):
    """A reader that cannot run here, with how to install it."""


def pdfjs_pages(paths: list[Path]) -> dict[Path, list[str]]:
    """Each PDF's pages as pdf.js reads them in Firefox (one Node process for all)."""
    node = shutil.which("node")
    if node is None:
        raise ReaderMissing("pdf.js: `node` is not installed (Debian: apt-get install nodejs "
                            f"npm), then `{INSTALL_PDFJS}`")
    if not (HERE / "node_modules" / "pdfjs-dist" / "package.json").is_file():
        raise ReaderMissing(f"pdf.js: tools/readers/node_modules has no pdfjs-dist: run "
                            f"`{INSTALL_PDFJS}`")
    result: dict[Path, list[str]] = {}
    for start in range(0, len(paths), 16):  # bounded memory and command line
        chunk = paths[start:start + 16]
        # Absolute paths: Node runs in tools/readers (for its node_modules).
        done = subprocess.run([node, str(HERE / "pdfjs_text.mjs"),
                               *(str(p.resolve()) for p in chunk)],
                              cwd=HERE, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            hint = (f" (install its optional dependency @napi-rs/canvas: `{INSTALL_PDFJS}`)"
                    if "DOMMatrix" in done.stderr else "")
            raise ReaderMissing(f"pdf.js failed{hint}: {done.stderr.strip()[-2000:]}")
        data = json.loads(done.stdout)
        result.update({path: data[str(path.resolve())] for path in chunk})
    return result


def pdfium_pages(path: Path) -> list[str]:
    """Each page's text as PDFium reads it (Chrome's viewer, copy and find)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for page in doc:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        doc.close()


def poppler_pages(path: Path) -> list[str]:
    """Each page's text as poppler's pdftotext reads it (default, reading-order mode)."""
    if shutil.which("pdftotext") is None:
        raise ReaderMissing("poppler: pdftotext is not installed (Debian: poppler-utils)")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout.split("\f")


def tags_text(path: Path) -> str:
    """The whole document's text through the tag tree, as the build's gate reads it:
    /ActualText of an element or of marked content replaces what it covers. Used only
    to tell which PDFs show a string (WeasyPrint draws no space at a line end, so words
    at line ends run together here: compare it with whitespace ignored)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from publication.pdf.structure import PdfDocument

    with PdfDocument.open(path) as doc:
        return "\n".join(doc.read_text(e) for e in doc.elements if e.parent is None)


# -- measuring --------------------------------------------------------------------------

@dataclass
class Measure:
    """One reader on one locale."""

    strings_read: int = 0
    strings: int = 0
    read: int = 0
    occurrences: int = 0
    missed: list[dict[str, object]] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return round(100 * self.read / self.occurrences, 1) if self.occurrences else None

    @property
    def strings_percent(self) -> float | None:
        return round(100 * self.strings_read / self.strings, 1) if self.strings else None


def accessible_pdfs(output: Path) -> dict[str, list[Path]]:
    """locale -> its accessible PDFs, from output/<campaign>/<locale>/<kind>-<size>.pdf:
    not the files for printing (print-shop files, office sheets) or reviewing (proofs)."""
    found: dict[str, list[Path]] = {}
    for pdf in sorted(output.glob("*/*/*.pdf")):
        if pdf.name.endswith(NOT_FOR_READING) or pdf.parent.parent.name.startswith("."):
            continue
        found.setdefault(pdf.parent.name, []).append(pdf)
    return found


def read_as(haystack: str, needle: str) -> str:
    """The reader's text where `needle` should be: around their longest common piece."""
    match = difflib.SequenceMatcher(None, haystack, needle, autojunk=False).find_longest_match(
        0, len(haystack), 0, len(needle))
    if match.size == 0:
        return ""
    start = max(0, match.a - match.b - 10)
    return haystack[start:match.a - match.b + len(needle) + 10]


def reader_texts(reader: str, paths: list[Path]) -> dict[Path, str]:
    """Each PDF's whole text as `reader` reads it, in the compared form."""
    if reader == "pdfjs":
        pages = pdfjs_pages(paths)
    else:
        read = {"pdfium": pdfium_pages, "poppler": poppler_pages}[reader]
        pages = {path: read(path) for path in paths}
    return {path: normal("\n".join(pages[path])) for path in paths}


def measure(output: Path, project: Path, readers: Iterable[str] = READERS,
            locales: Iterable[str] | None = None) -> dict[str, Any]:
    """Every reader on every locale's PDFs under `output`: the JSON report as a dict."""
    readers = list(readers)
    pdfs = accessible_pdfs(output)
    wanted = list(locales) if locales else sorted(pdfs)
    missing_locales = [code for code in wanted if code not in pdfs]
    if missing_locales:
        raise SystemExit(f"{output}: no PDFs for {', '.join(missing_locales)}")
    every_pdf = [p for code in wanted for p in pdfs[code]]
    reference = {path: spaceless(tags_text(path)) for path in every_pdf}
    texts = {reader: reader_texts(reader, every_pdf) for reader in readers}

    def name(path: Path) -> str:
        return path.relative_to(output).as_posix()

    report: dict[str, Any] = {"rule": RULE, "output": str(output), "readers": readers,
                              "locales": {}}
    for code in wanted:
        entries = catalogue(project, code)
        measures = {r: Measure() for r in readers}
        not_shown, skipped, shown = [], [], 0
        for entry in entries:
            if entry.skipped:
                skipped.append({"context": entry.context, "msgid": entry.msgid,
                                "why": entry.skipped})
                continue
            needles = [normal(t) for t in entry.texts]
            showing = [p for p in pdfs[code]
                       if any(spaceless(t) in reference[p] for t in entry.texts)]
            if not showing:
                not_shown.append({"context": entry.context, "text": entry.display})
                continue
            shown += 1
            for reader in readers:
                m = measures[reader]
                hits = [p for p in showing if any(n in texts[reader][p] for n in needles)]
                m.strings += 1
                m.strings_read += bool(hits)
                m.occurrences += len(showing)
                m.read += len(hits)
                misses = [p for p in showing if p not in hits]
                if misses:
                    m.missed.append({
                        "context": entry.context, "text": entry.display,
                        "missed_in": [name(p) for p in misses],
                        "read_in": [name(p) for p in hits],
                        "read_as": {name(p): read_as(texts[reader][p], needles[0])
                                    for p in misses[:2]}})
        report["locales"][code] = {
            "pdfs": [name(p) for p in pdfs[code]], "strings": shown,
            "occurrences": next(iter(measures.values())).occurrences if measures else 0,
            "skipped": skipped, "not_shown": not_shown,
            "readers": {r: {"percent": m.percent, "read": m.read, "of": m.occurrences,
                            "strings_percent": m.strings_percent,
                            "strings_read": m.strings_read, "strings_of": m.strings,
                            "missed": m.missed}
                        for r, m in measures.items()}}
    report["table"] = {r: {c: report["locales"][c]["readers"][r]["percent"] for c in wanted}
                       for r in readers}
    report["table_strings"] = {
        r: {c: report["locales"][c]["readers"][r]["strings_percent"] for c in wanted}
        for r in readers}
    return report


def format_table(report: dict[str, Any], key: str = "table") -> str:
    """A reader x locale table as text: `table` (occurrences read exactly, %) or
    `table_strings` (strings read exactly in at least one PDF, %)."""
    locales = list(report["locales"])
    rows = [["reader", *locales]]
    for reader, row in report[key].items():
        rows.append([LABELS.get(reader, reader),
                     *("-" if row[c] is None else f"{row[c]:.1f}" for c in locales)])
    what = "occurrences" if key == "table" else "strings"
    rows.append([what, *(str(report["locales"][c][what]) for c in locales)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                       for i, cell in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_report(report: dict[str, Any]) -> str:
    """Both tables and what was left out, for the terminal."""
    parts = ["Occurrences (a string in a PDF that shows it) read exactly, %:",
             format_table(report, "table"), "",
             "Strings read exactly in at least one PDF, %:",
             format_table(report, "table_strings")]
    for code, data in report["locales"].items():
        if data["not_shown"]:
            parts.append(f"{code}: shown in no PDF, left out: "
                         + ", ".join(str(s["context"]) for s in data["not_shown"]))
        if data["skipped"]:
            parts.append(f"{code}: skipped: " + ", ".join(
                f"{s['context']} ({s['why'].split(':')[0]})" for s in data["skipped"]))
    return "\n".join(parts)


def project_root(output: Path) -> Path:
    parent = output.resolve().parent
    return parent if (parent / "locales").is_dir() else REPO


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="a build's output folder")
    parser.add_argument("--json", type=Path, help="write the full report (misses too) here")
    parser.add_argument("--project", type=Path, help="the project root (catalogues, content)")
    parser.add_argument("--readers", default=",".join(READERS),
                        help=f"comma-separated, from {', '.join(READERS)}")
    parser.add_argument("--locale", action="append", help="only this locale (repeatable)")
    args = parser.parse_args(argv)
    readers = [r for r in args.readers.split(",") if r]
    unknown = set(readers) - set(READERS)
    if unknown:
        parser.error(f"unknown reader(s): {', '.join(sorted(unknown))}")
    try:
        report = measure(args.output, args.project or project_root(args.output), readers,
                         args.locale)
    except ReaderMissing as exc:
        print(f"table.py: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
