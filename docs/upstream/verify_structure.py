"""What WeasyPrint's PDF/UA output holds for lists, a table broken across pages,
bookmarks and links: the facts patches 0007 to 0010 change.

Run it with a patched WeasyPrint first on the path, as verify.py:

    cp -r .venv/lib/python3.11/site-packages/weasyprint /tmp/wp/
    (cd /tmp/wp && for p in "$OLDPWD"/docs/upstream/0*.patch; do patch -p1 < "$p"; done)
    PYTHONPATH=/tmp/wp .venv/bin/python docs/upstream/verify_structure.py [OUT-PREFIX]

It typesets one document (an ordered list, a bulleted list, a list whose labels are
`li::before`, a figure with a caption, text straight in a `<div>`, a table with a
header broken over two pages, two headings with bookmarks, an internal link) as
"pdf/ua-1" and as "pdf/ua-2", and prints for each:

- 0007: each list item's kids, with the first MCID of each (MCIDs count in drawing
  order, so a Lbl with a higher MCID than its LBody is drawn after the item's text);
- 0008: the Table elements, the pages their rows are on, the TD /Headers that name
  no TH /ID, and the artifacts on each page (with /Subtype);
- 0009: each outline item's and internal link's destination (/Dest, or the GoTo
  action's /D and the structure type /SD points at);
- 0010: /ListNumbering of each L, the element holding the figure's Caption, and
  Spans whose parent, looking through Div and NonStruct, is a grouping element.

`--project`: WeasyPrint 70.0 (unpatched) with the project's tag pass
(`publication.tagging.tags.fix`, with `ua2.fix` for "pdf/ua-2") instead.

With OUT-PREFIX, the PDFs are written to OUT-PREFIX-ua1.pdf and OUT-PREFIX-ua2.pdf
(for tests/verapdf.py). The document uses the project's fonts (fonts/).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pikepdf
import weasyprint

ROOT = Path(__file__).resolve().parents[2]
FONTS = (ROOT / "fonts").as_uri()
ROWS = "".join(f"<tr><td>r{i}</td><td>v{i}</td></tr>" for i in range(16))
GIF = ("data:image/gif;base64,"
       "R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")
HTML = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>
@font-face {{ font-family: NS; src: url({FONTS}/NotoSans-Regular.ttf) }}
@page {{ size: 148mm 90mm; margin: 12mm }}
body {{ font: 9pt NS }}
ul.steps {{ list-style: none }} ul.steps li::before {{ content: "Step: " }}
</style></head><body>
<h1>Lists</h1>
<ol><li>one</li><li>two</li></ol>
<ul><li>dot</li></ul>
<ul class="steps"><li>first</li></ul>
<p><a href="#results">to the results</a></p>
<figure><img src="{GIF}" alt="dot" width="10" height="10"><figcaption>Caption</figcaption></figure>
<div>loose text</div>
<h2 id="results">Results</h2>
<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>{ROWS}</tbody></table>
</body></html>"""

GROUPS = {"/Document", "/DocumentFragment", "/Part", "/Art", "/Sect", "/Aside",
          "/BlockQuote", "/Form", "/Index", "/TOC"}


def kids(element: pikepdf.Dictionary) -> list[object]:
    k = element.get("/K")
    return list(k) if isinstance(k, pikepdf.Array) else ([] if k is None else [k])


def struct_kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    return [k for k in kids(element) if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def walk(element: pikepdf.Dictionary):
    yield element
    for kid in struct_kids(element):
        yield from walk(kid)


def first_mcid(element: pikepdf.Dictionary) -> int | None:
    for kid in kids(element):
        if isinstance(kid, int):
            return int(kid)
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found = first_mcid(kid)
            if found is not None:
                return found
    return None


def pages_of(element: pikepdf.Dictionary, numbers: dict) -> set[int]:
    return {numbers[e.Pg.objgen] + 1 for e in walk(element) if "/Pg" in e}


def attribute(element: pikepdf.Dictionary, owner: str, key: str) -> str | None:
    a = element.get("/A")
    for d in (a if isinstance(a, pikepdf.Array) else [a]):
        if isinstance(d, pikepdf.Dictionary) and str(d.get("/O")) == owner and key in d:
            return str(d[key])
    return None


def report(data: bytes) -> None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        elements = list(walk(pdf.Root.StructTreeRoot.K[0]))
        print("  0007 list items (role:first MCID):", [
            [f"{str(k.S)[1:]}:{first_mcid(k)}" for k in struct_kids(e)]
            for e in elements if str(e.S) == "/LI"])
        tables = [e for e in elements if str(e.S) == "/Table"]
        ids = {str(e.ID) for e in elements if "/ID" in e}
        rows = [[(pages_of(tr, numbers).pop()) for g in struct_kids(t)
                 for tr in struct_kids(g) if str(tr.S) == "/TR" and str(g.S) == "/TBody"]
                for t in tables]
        print("  0008 Tables:", len(tables), "| body rows per page:",
              [{p: r.count(p) for p in sorted(set(r))} for r in rows],
              "| THead elements:", sum(str(e.S) == "/THead" for e in elements),
              "| TD Headers naming no TH ID:",
              sum(1 for e in elements if str(e.S) == "/TD"
                  for h in (e.A.get("/Headers", []) if isinstance(e.get("/A"),
                            pikepdf.Dictionary) else []) if str(h) not in ids))
        for i, page in enumerate(pdf.pages):
            found = []
            for op in pikepdf.parse_content_stream(page):
                if str(op.operator) == "BDC" and str(op.operands[0]) == "/Artifact":
                    props = op.operands[1]
                    found.append(f"{props.get('/Type')}/{props.get('/Subtype')}")
            print(f"       page {i + 1} artifacts with properties:",
                  {x: found.count(x) for x in sorted(set(found))} or "none")
        item = pdf.Root.get("/Outlines")
        stack, outlines = [item.First] if item is not None else [], []
        while stack:
            item = stack.pop()
            while item is not None:
                outlines.append(item)
                if "/Next" in item:
                    stack.append(item.Next)
                item = item.get("/First")
        links = [a for p in pdf.pages for a in p.get("/Annots", [])
                 if str(a.get("/Subtype")) == "/Link"]

        def destination(holder: pikepdf.Dictionary) -> str:
            if "/Dest" in holder:
                dest = holder.Dest
                return "Dest " + ("name" if isinstance(dest, pikepdf.String) else "page")
            action = holder.get("/A")
            if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) == "/GoTo":
                sd = action.get("/SD")
                return (f"GoTo D={'name' if isinstance(action.D, pikepdf.String) else 'page'}"
                        f" SD={str(sd[0].S) if sd is not None else None}")
            return "other"
        print("  0009 outline items:", [(str(o.Title), destination(o)) for o in outlines],
              "| internal links:", [destination(a) for a in links
                                     if "/Dest" in a or str(a.A.get("/S")) == "/GoTo"])
        print("  0010 ListNumbering:", [attribute(e, "/List", "/ListNumbering")
                                        for e in elements if str(e.S) == "/L"],
              "| Caption held by:", [str(e.S) for e in elements
                                     if any(str(k.S) == "/Caption" for k in struct_kids(e))])
        loose = []
        for e in elements:
            if str(e.S) != "/Span":
                continue
            parent = e.P
            while str(parent.get("/S")) in ("/Div", "/NonStruct"):
                parent = parent.P
            if str(parent.get("/S")) in GROUPS:
                loose.append(str(parent.S))
        print("       Spans under a grouping element:", loose or "none")


def pdf_bytes(variant: str, project: bool) -> bytes:
    if not project:
        data = weasyprint.HTML(string=HTML).write_pdf(pdf_variant=variant)
        assert isinstance(data, bytes)
        return data
    sys.path.insert(0, str(ROOT))
    from publication.tagging import tags

    document = weasyprint.HTML(string=HTML).render()
    with tags.recording() as record:
        data = document.write_pdf(pdf_variant=variant)
    return tags.fix(data, record, standard=variant[4:]).data


def main(argv: list[str]) -> None:
    project = "--project" in argv
    argv = [a for a in argv if not a.startswith("--")]
    print("WeasyPrint", weasyprint.__version__, "from", Path(weasyprint.__file__).parent,
          "+ project tag pass" if project else "")
    for variant in ("pdf/ua-1", "pdf/ua-2"):
        data = pdf_bytes(variant, project)
        if argv:
            Path(f"{argv[0]}-{variant[4:].replace('-', '')}.pdf").write_bytes(data)
        print(variant)
        report(data)


if __name__ == "__main__":
    main(sys.argv[1:])
