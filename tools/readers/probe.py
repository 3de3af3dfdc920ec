"""Hard right-to-left strings, typeset and tagged as the build does, and read back by each
reader: how many each reads exactly.

    python tools/readers/probe.py [--keep DIR] [--json FILE]

The strings (PROBE) are what Arabic and Hebrew campaign text holds that readers get wrong:
lam-alef, shadda with tanwin, hamza forms, Arabic-Indic and Latin digits, dates, brackets
and quotation marks, Latin names, a URL, an e-mail address and a phone number inside
right-to-left text, and Hebrew niqqud and geresh. Each is a paragraph of a page set with
the project's shared stylesheet (styles/base.css: its fonts and each language's font
stack), laid out and written by the build's typesetter (publication.typeset) and tagged
by its tag fixes (publication.tagging), as a build's accessible PDF is, one PDF per
language; a phone number, URL and e-mail are isolated left-to-right runs
(`<bdi dir="ltr">`), as the imprint sets them.

Each reader's text of the PDF (tools/readers/table.py: pdf.js in structure order, PDFium,
pdftotext) is compared by the same rule as the reader table: a string counts when it is
a substring of the reader's text, both in `table.normal` form.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import table  # noqa: E402 - this folder's reader table

from publication.model import Project  # noqa: E402
from publication.tagging import tags as tagging  # noqa: E402
from publication.typeset.typesetter import Typesetter  # noqa: E402

# Language -> its strings, each a paragraph of the probe and the text a reader should give
# (the phone number, URL and e-mail isolated in the HTML: `_html`).
PROBE: dict[str, list[str]] = {
    "ar": [
        "لا إله، ولأن الأطفال لا يُلامون",                      # lam-alef, with hamza
        "شكرًا جزيلًا لكلّ من وقّع على العريضة",                  # shadda and tanwin
        "سُئل المسؤولون عن أسئلة الرئيس ومؤسسته",               # hamza on waw, yeh, alef
        "قُتل أكثر من ٢٬٠٠٠ مدني خلال ٥٠ يومًا",                 # Arabic-Indic digits
        "قُتل أكثر من 2,000 مدني خلال 50 يومًا",                 # Latin digits
        "في 22 نوفمبر 2016، نشرت المنظمة تقريرها.",             # a date, a comma after it
        "المحكمة الجنائية الدولية (ICC) في لاهاي",               # brackets, Latin inside
        "قال «لا سلام بلا عدالة» أمس",                           # guillemets
        "وقال فيليب لوثر من Amnesty International في لندن",      # a Latin name
        "للتوقيع: act.example.org/petition أو اتصلوا بنا",       # a URL
        "راسلونا على group@example.org اليوم",                   # an e-mail address
        "اتصلوا على الرقم +49 (0)221 123456 مساءً",              # a phone number
    ],
    "he": [
        "טרגדיות, שפיכות דמים מיותרת ואובדן חיים",               # a clause
        "ב-22 בנובמבר 2016 פורסם הדוח.",                         # a date, a full stop
        "יותר מ-2,000 אזרחים ו-500 ילדים",                       # numbers after a hyphen
        "בית הדין הפלילי הבין-לאומי (ICC) בהאג",                 # brackets, Latin inside
        "אמר „אין שלום בלי צדק” אתמול",                          # quotation marks
        "פיליפ לותר מ-Amnesty International בלונדון",            # a Latin name
        "לחתימה: act.example.org/petition או התקשרו",            # a URL
        "כתבו אל group@example.org היום",                        # an e-mail address
        "התקשרו למספר +49 (0)221 123456 בערב",                   # a phone number
        "שָׁלוֹם עֲלֵיכֶם, בְּרֵאשִׁית",                          # niqqud
        "צ׳רצ׳יל וג׳ורג׳ בתשפ״ד",                                # geresh, gershayim
    ],
}
ISOLATED = ("act.example.org/petition", "group@example.org", "+49 (0)221 123456")


def _html(text: str) -> str:
    for run in ISOLATED:
        text = text.replace(run, f'<bdi dir="ltr">{run}</bdi>')
    return text


def probe_pdf(typesetter: Typesetter, lang: str, strings: list[str]) -> bytes:
    """The accessible PDF of a page with `strings` as paragraphs, as a build writes one."""
    html = (f'<!DOCTYPE html><html lang="{lang}" dir="rtl"><head><meta charset="utf-8">'
            f"<title>Reader probe ({lang})</title>"
            f'<link rel="stylesheet" href="{(typesetter.project.styles / "base.css").as_uri()}">\n'
            "<style>@page { size: A4; margin: 20mm } html { font-size: 11pt }</style>"
            "</head><body>" + "".join(f"<p>{_html(s)}</p>" for s in strings)
            + "</body></html>")
    document = typesetter.layout(html)
    with tagging.recording() as record:
        data = typesetter.write(document)
    return tagging.fix(data, record).data


def measure(folder: Path) -> dict[str, dict[str, object]]:
    """Per locale: the PDF, and per reader the share read exactly and the misses."""
    typesetter = Typesetter(Project(ROOT))
    report: dict[str, dict[str, object]] = {}
    paths = {}
    try:
        for lang, strings in PROBE.items():
            path = folder / f"probe-{lang}.pdf"
            path.write_bytes(probe_pdf(typesetter, lang, strings))
            paths[lang] = path
    finally:
        typesetter.close()
    for reader in table.READERS:
        texts = table.reader_texts(reader, list(paths.values()))
        for lang, path in paths.items():
            wanted = [table.normal(s) for s in PROBE[lang]]
            missed = [{"text": s, "read_as": table.read_as(texts[path], table.normal(s))}
                      for s, w in zip(PROBE[lang], wanted, strict=True) if w not in texts[path]]
            entry = report.setdefault(lang, {"pdf": str(path), "strings": len(wanted)})
            entry[reader] = {"percent": round(100 * (len(wanted) - len(missed)) / len(wanted),
                                              1), "missed": missed}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the probe PDFs into this folder")
    parser.add_argument("--json", type=Path, help="write the report (misses too) here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        report = measure(folder)
    print("Probe strings read exactly, %:")
    print(f"{'reader':18} " + " ".join(f"{lang:>6}" for lang in report))
    for reader in table.READERS:
        print(f"{reader:18} " + " ".join(
            f"{report[lang][reader]['percent']:6.1f}"  # type: ignore[index]
            for lang in report))
    print(f"{'strings':18} " + " ".join(f"{report[lang]['strings']:>6}" for lang in report))
    for lang, entry in report.items():
        for reader in table.READERS:
            for miss in entry[reader]["missed"]:  # type: ignore[index]
                print(f"  {lang} {reader}: {miss['text']}  ->  {miss['read_as']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
