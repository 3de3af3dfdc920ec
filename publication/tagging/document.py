"""Document-level fixes of WeasyPrint's PDF/UA output: metadata, annotations, figure boxes.

Called by `publication.tagging.tags.fix` on the PDF it is fixing:

- `xmp_language`: XMP `dc:title` gets an `xml:lang` alternative in the document's
  language beside WeasyPrint's `x-default` one, and `dc:language` is set (a Bag with
  the catalog's /Lang), so that metadata readers know the title's language.
- `print_links`: link annotations get the Print flag (/F 4): WeasyPrint writes none,
  and PDF/A and PDF/UA-2 ask for it (a printed link looks as on screen).
- `figure_boxes`: a Figure's Layout /BBox is where its content is drawn, in default user
  space (WeasyPrint 70 writes it in CSS pixels from the page's top left). The gate
  (`publication.checks.pdfua`, `pdfua.figure-bbox`) compares the two with the same
  `PdfDocument.drawn_box`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 - the usual name

import pikepdf

from publication.pdf.structure import PdfDocument

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PRINT_FLAG = 4


def xmp_language(pdf: pikepdf.Pdf) -> None:
    """dc:title in the document's language as well as x-default; dc:language set."""
    lang = str(pdf.Root.get("/Lang", "")).strip()
    stream = pdf.Root.get("/Metadata")
    if not lang or not isinstance(stream, pikepdf.Stream):
        return
    packet = stream.read_bytes().decode("utf-8")
    start, end = packet.find("<x:xmpmeta"), packet.rfind("</x:xmpmeta>")
    if start < 0 or end < 0:
        return
    for prefix, uri in (("x", "adobe:ns:meta/"), ("rdf", RDF), ("dc", DC)):
        ET.register_namespace(prefix, uri)
    for prefix, uri in _namespaces(packet[start:end]):
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(packet[start:end + len("</x:xmpmeta>")])
    rdf = root.find(f"{{{RDF}}}RDF")
    if rdf is None:
        return
    changed = False
    for alt in rdf.iterfind(f"{{{RDF}}}Description/{{{DC}}}title/{{{RDF}}}Alt"):
        items = alt.findall(f"{{{RDF}}}li")
        default = next((i for i in items if i.get(XML_LANG) == "x-default"), None)
        if default is not None and not any(i.get(XML_LANG) == lang for i in items):
            item = ET.SubElement(alt, f"{{{RDF}}}li", {XML_LANG: lang})
            item.text = default.text
            changed = True
    if rdf.find(f"{{{RDF}}}Description/{{{DC}}}language") is None:
        description = ET.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
        bag = ET.SubElement(ET.SubElement(description, f"{{{DC}}}language"), f"{{{RDF}}}Bag")
        ET.SubElement(bag, f"{{{RDF}}}li").text = lang
        changed = True
    if changed:
        body = ET.tostring(root, encoding="unicode")
        stream.write((packet[:start] + body + packet[end + len("</x:xmpmeta>"):])
                     .encode("utf-8"))


def _namespaces(xml: str) -> list[tuple[str, str]]:
    """The prefixes the packet declares, so that they are written back unchanged."""
    import re

    return re.findall(r'xmlns:([A-Za-z_][\w.-]*)="([^"]*)"', xml)


def print_links(pdf: pikepdf.Pdf) -> None:
    """The Print flag on every link annotation."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", ()):
            if isinstance(annot, pikepdf.Dictionary) and str(annot.get("/Subtype")) == "/Link":
                annot.F = int(annot.get("/F", 0)) | PRINT_FLAG


def figure_boxes(doc: PdfDocument) -> None:
    """Each Figure's Layout /BBox set to where its content is drawn (user space)."""
    for element in doc.elements:
        if element.role != "Figure":
            continue
        box = doc.drawn_box(element)
        if box is None:
            continue
        bbox = pikepdf.Array([round(value, 3) for value in box])
        attributes = element.obj.get("/A")
        items = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and str(item.get("/O", "")) == "/Layout":
                item.BBox = bbox
                break
        else:
            layout = pikepdf.Dictionary(O=pikepdf.Name.Layout, BBox=bbox)
            if isinstance(attributes, pikepdf.Array):
                attributes.append(layout)
            elif attributes is not None:
                element.obj.A = pikepdf.Array([attributes, layout])
            else:
                element.obj.A = layout
