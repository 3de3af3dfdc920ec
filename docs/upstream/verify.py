"""What WeasyPrint's own PDF/UA-1 output holds for a document that needs every fix.

Run it with a patched WeasyPrint first on the path, to see what the patches change:

    cp -r .venv/lib/python3.11/site-packages/weasyprint /tmp/wp/
    (cd /tmp/wp && for p in "$OLDPWD"/docs/upstream/0*.patch; do patch -p1 < "$p"; done)
    PYTHONPATH=/tmp/wp .venv/bin/python docs/upstream/verify.py [out.pdf]
    .venv/bin/python docs/upstream/verify.py --project   # 70.0 with the project's tag pass

It prints the facts the patches are about (ActualText, Lang, Scope, IDTree,
pagination artifacts, multi-character ToUnicode entries) and the project's gate
findings (publication.checks, without expectations). With all six patches, the
output matches what the project's tag pass makes of WeasyPrint 70.0's output, and the
gate is clean. The document uses the project's fonts (fonts/, `make setup`).
verify_structure.py does the same for patches 0007 to 0010 (lists, a table broken
across pages, destinations, PDF/UA-2 structure types).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pikepdf
import weasyprint

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from publication.checks import check_bytes  # noqa: E402
from publication.pdf.content import parse_cmap  # noqa: E402
from publication.pdf.structure import PdfDocument  # noqa: E402

FONTS = (ROOT / "fonts").as_uri()
HTML = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>
@font-face {{ font-family: NS; src: url({FONTS}/NotoSans-Regular.ttf) }}
@font-face {{ font-family: NSA; src: url({FONTS}/NotoSansArabic-Regular.ttf) }}
@font-face {{ font-family: NSH; src: url({FONTS}/NotoSansHebrew-Regular.ttf) }}
@page {{ size: 148mm 90mm; margin: 12mm; @bottom-center {{ content: counter(page) }} }}
body {{ font: 9pt NS, NSA, NSH }}</style></head><body>
<p>Sign <span lang="de">bitte</span>: <span dir="rtl" lang="he">שלום עולם</span>,
<a href="https://example.org/">here</a>,
<a href="https://example.org/ar" lang="ar">لا للإفلات</a>.</p>
<p lang="ar" dir="rtl">لا عدالة بلا محاسبة</p>
<table><thead><tr><th>Name</th><th scope="row">Row</th></tr></thead>
<tbody><tr><td>Ada</td><td>x</td></tr></tbody></table>
</body></html>"""


def pdf_bytes(project: bool) -> bytes:
    if not project:
        data = weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/ua-1")
        assert isinstance(data, bytes)
        return data
    from publication.tagging import tags

    document = weasyprint.HTML(string=HTML).render()
    with tags.recording() as record:
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    return tags.fix(data, record).data


def main(argv: list[str]) -> None:
    project = "--project" in argv
    data = pdf_bytes(project)
    out = [a for a in argv if not a.startswith("--")]
    if out:
        Path(out[0]).write_bytes(data)
    print("WeasyPrint", weasyprint.__version__, "from", Path(weasyprint.__file__).parent,
          "+ project tag pass" if project else "")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        doc = PdfDocument(pdf, "verify")
        print("ActualText:", [(e.role, e.actual_text) for e in doc.elements if e.actual_text])
        print("Lang:", [(e.role, e.lang, doc.read_text(e)) for e in doc.elements if e.lang])
        print("TH Scope:", [(doc.read_text(e), str(e.attributes("/Table").get("/Scope")))
                            for e in doc.elements if e.role == "TH"])
        print("IDTree:", isinstance(doc.tree_root, pikepdf.Dictionary)
              and "/IDTree" in doc.tree_root)
        artifacts = [dict(i.operands[1]) for i in pikepdf.parse_content_stream(doc.pages[0])
                     if str(i.operator) == "BDC" and str(i.operands[0]) == "/Artifact"]
        print("Artifacts with properties:", [{str(k): str(v) for k, v in a.items()}
                                             for a in artifacts])
        owners = doc.parent_tree.get(int(doc.pages[0].obj.StructParents))
        outside = [o for o in owners or () if isinstance(o, pikepdf.Dictionary)
                   and o.objgen not in doc.by_objgen]
        print("MCIDs owned by elements outside the tree:", len(outside))
        for font in doc.pages[0].obj.Resources.Font.values():
            clusters = {k: v for k, v in parse_cmap(font.ToUnicode.read_bytes()).items()
                        if len(v) > 1}
            if clusters:
                print("ToUnicode clusters:", clusters)
    findings = check_bytes(data, "verify.pdf", None)
    print("gate:", sorted({(f.severity, f.check) for f in findings}) or "clean")


if __name__ == "__main__":
    main(sys.argv[1:])
