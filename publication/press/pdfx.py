"""Post-processing: finish an imposed file as PDF/X-4 for a print shop, and preflight it.

WeasyPrint's `pdf/x-4` variant writes the PDF/X identification but no output intent
(its layout-time default is plain DeviceCMYK) and paints every CSS colour as
DeviceRGB. `finish` makes the file a print shop can take:

- an output intent (`/GTS_PDFX`) carrying the CMYK ICC profile of the paper's printing
  condition (`kinds.CONDITIONS`: FOGRA39 for ISO sizes, SWOP for US ones; the profiles
  are installed by `make setup`);
- colours in CMYK (colour.py): the campaign's colours as their own CMYK, greys in black
  ink only (rich black for large dark areas), the others through the ICC profile;
  raster images (PNG, JPEG) converted from sRGB to the condition's CMYK with its ICC
  profile (perceptual intent; their transparency kept); anything else still RGB is
  declared sRGB through /DefaultRGB, which PDF/X-4 accepts and the RIP converts;
- no annotations, tags or outlines, and metadata (XMP and Info) that names the file
  as a print-shop file, not for reading, without any PDF/UA claim;
- /ID, /Trapped, PDF 1.6; dates from the content, so builds are reproducible.

`preflight` checks a finished file and returns findings, like the accessibility
checks do for the accessible files.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import uuid
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from PIL import ImageCms

from publication.checks import FileReport
from publication.checks.findings import Finding, error, inspect_pdf
from publication.errors import PublicationError
from publication.kinds import (
    CONDITIONS,
    KINDS,
    OFFICE_SUFFIX,
    PAPERS,
    PRINT_SUFFIX,
    PT_PER_MM,
    PrintingCondition,
)
from publication.pdf.content import Box, Event
from publication.press.colour import Inks, convert_content
from publication.press.impose import LAYOUTS, Imposition, imposed

PDFX_VERSION = "PDF/X-4"
WEASYPRINT_VARIANT = "pdf/x-4"   # untagged, with PDF/X metadata that `finish` replaces
PDF_VERSION = "1.6"
BOX_TOLERANCE_MM = 0.05
PRODUCER = "campaign-publications (WeasyPrint, pikepdf, ReportLab)"


@dataclass(frozen=True)
class PrintMeta:
    """What the print-shop file says about itself."""

    title: str
    subject: str        # says it is for printing, and where the accessible file is
    lang: str
    created: dt.datetime


class PressError(PublicationError):
    """The print-shop file could not be made (a missing ICC profile, an unreadable PDF)."""


def print_meta(title: str, kind: str, size: str, accessible: str, lang: str,
               created: dt.datetime) -> PrintMeta:
    """The print-shop file's title and subject: what it is, and that it is not for reading."""
    return PrintMeta(
        f"{title} - {kind} {size.upper() if len(size) == 2 else size.title()}, print-shop file",
        f"For printing, not for reading: PDF/X-4 for a print shop ({kind}, {size}, 3 mm bleed, "
        f"crop marks), not tagged and not accessible. The accessible file to read or to "
        f"print on an office printer is {accessible}.", lang, created)


def print_file(typeset: bytes, imposition: Imposition, meta: PrintMeta, label: str,
               fonts: Path, areas: Mapping[int, Box] | None = None,
               inks: Inks | None = None, drawn: Mapping[int, Sequence[Event]] | None = None,
               ) -> bytes:
    """The print-shop file: `typeset` pages imposed with marks (the backgrounds reaching
    the edge of the page areas in `areas` run into the bleed: see impose.bleed_fills),
    finished as PDF/X-4 for the imposition's printing condition; `inks`: the campaign's
    colours, sRGB to CMYK (colour.campaign_inks); `drawn`: see impose.imposed."""
    with imposed(typeset, imposition, label, fonts, areas, drawn) as sheets:
        return finish(sheets, meta, imposition.condition, inks or {})


def finish(pdf: pikepdf.Pdf, meta: PrintMeta, condition: str, inks: Inks) -> bytes:
    """Turn an open imposed PDF (which this changes) into a PDF/X-4 print-shop file for
    the printing condition `condition` (kinds.CONDITIONS); return its bytes."""
    printing = CONDITIONS[condition]
    profile = _compressed_profile(printing)
    default_rgb = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(
        _srgb_profile(), N=3, Alternate=pikepdf.Name.DeviceRGB)])
    converted: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for owner in content_owners(page.obj, converted):
            _cmyk_content(pdf, owner, default_rgb, printing.profile, inks)
            _cmyk_images(owner, printing.profile, converted)
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    for key in ("/StructTreeRoot", "/MarkInfo", "/Outlines", "/ViewerPreferences",
                "/OutputIntents", "/Metadata", "/PageLabels"):
        if key in pdf.Root:
            del pdf.Root[key]
    pdf.Root.Lang = pikepdf.String(meta.lang)
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(printing.identifier),
        OutputCondition=pikepdf.String(printing.condition),
        RegistryName=pikepdf.String("http://www.color.org"),
        Info=pikepdf.String(printing.condition),
        DestOutputProfile=pdf.make_stream(profile, N=4, Filter=pikepdf.Name.FlateDecode))])
    doc_id = _document_id(meta)
    xmp = pdf.make_stream(_xmp(meta, doc_id).encode("utf-8"),
                          Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    pdf.Root.Metadata = xmp
    date = pdf_date(meta.created)
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String(meta.title), Subject=pikepdf.String(meta.subject),
        Creator=pikepdf.String("campaign-publications"),
        Producer=pikepdf.String(PRODUCER), CreationDate=pikepdf.String(date),
        ModDate=pikepdf.String(date), Trapped=pikepdf.Name("/False"),
        GTS_PDFXVersion=pikepdf.String(PDFX_VERSION)))
    out = io.BytesIO()
    pdf.remove_unreferenced_resources()
    pdf.save(out, force_version=PDF_VERSION, deterministic_id=True,
             compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def _cmyk_images(owner: pikepdf.Object, profile: Path, done: set[tuple[int, int]]) -> None:
    """Convert the sRGB raster images `owner` draws to the printing condition's CMYK
    (each image once: `done` holds the ones converted). An image PDFium or pikepdf
    cannot decode is left as it was, declared sRGB (/DefaultRGB)."""
    resources = owner.get("/Resources")
    xobjects = resources.get("/XObject") if resources is not None else None
    for image in xobjects.values() if xobjects is not None else ():
        if not isinstance(image, pikepdf.Stream) or image.get("/Subtype") != "/Image" \
                or image.objgen in done:
            continue
        done.add(image.objgen)
        if not _is_rgb(image.get("/ColorSpace")) or image.get("/ImageMask"):
            continue
        try:
            picture = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
        except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
            continue
        cmyk = _srgb_to_cmyk(profile).apply(picture)
        image.write(zlib.compress(cmyk.tobytes()), filter=pikepdf.Name.FlateDecode)
        image.ColorSpace = pikepdf.Name.DeviceCMYK
        image.BitsPerComponent = 8
        for key in ("/Decode", "/DecodeParms"):
            if key in image:
                del image[key]


def _is_rgb(space: pikepdf.Object | None) -> bool:
    if space == pikepdf.Name.DeviceRGB:
        return True
    return (isinstance(space, pikepdf.Array) and len(space) == 2
            and space[0] == pikepdf.Name.ICCBased and int(space[1].get("/N", 0)) == 3)


@functools.cache
def _srgb_to_cmyk(profile: Path) -> ImageCms.ImageCmsTransform:
    """The sRGB to CMYK transform of a printing condition's profile (Pillow's ImageCms)."""
    return ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(_srgb_profile())), ImageCms.getOpenProfile(
            str(profile)), "RGB", "CMYK", renderingIntent=ImageCms.Intent.PERCEPTUAL)


def _profile_bytes(printing: PrintingCondition) -> bytes:
    try:
        data = printing.profile.read_bytes()
    except OSError as exc:
        raise PressError(f"the ICC profile for {printing.identifier} is missing "
                         f"({printing.profile}): install the Debian package "
                         f"{printing.package} ('make setup' does)") from exc
    if data[12:20] != b"prtrCMYK":
        raise PressError(f"{printing.profile} is not a CMYK output profile")
    return data


@functools.cache
def _compressed_profile(printing: PrintingCondition) -> bytes:
    """The printing condition's ICC profile, compressed once per process (as the file's
    save would compress it, zlib's default level: 15 ms of each print-shop file)."""
    return zlib.compress(_profile_bytes(printing))


@functools.cache
def _srgb_profile() -> bytes:
    from publication.typeset.weasy import srgb_profile  # WeasyPrint's file, through the adapter

    return srgb_profile()


def _cmyk_content(pdf: pikepdf.Pdf, owner: pikepdf.Object, default_rgb: pikepdf.Array,
                  profile: Path, inks: Inks) -> None:
    """Rewrite rg/RG as k/K in one page or form XObject; declare /DefaultRGB on it."""
    resources = owner.get("/Resources")
    if resources is None:
        resources = owner.Resources = pikepdf.Dictionary()
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace.DefaultRGB = default_rgb
    operations, changed = convert_content(list(pikepdf.parse_content_stream(owner)),
                                          profile, inks)
    if changed:
        content = pikepdf.unparse_content_stream(operations)  # type: ignore[arg-type]
        if isinstance(owner, pikepdf.Stream):
            owner.write(content)
        else:
            owner.Contents = pdf.make_stream(content)


def _document_id(meta: PrintMeta) -> str:
    digest = hashlib.sha256(f"{meta.title}\n{meta.lang}\n{meta.created}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def pdf_date(when: dt.datetime) -> str:
    when = when.astimezone(dt.UTC)
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


def plain_metadata(pdf: pikepdf.Pdf, meta: PrintMeta) -> None:
    """The metadata of a file that is neither accessible nor PDF/X (an office sheet, a
    proof sheet): title, subject, language and dates, in the document information and in
    XMP, without any PDF/UA or PDF/X claim; the same `meta` gives the same bytes."""
    date = pdf_date(meta.created)
    pdf.Root.Lang = pikepdf.String(meta.lang)
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String(meta.title), Subject=pikepdf.String(meta.subject),
        Creator=pikepdf.String("campaign-publications"),
        Producer=pikepdf.String(PRODUCER), CreationDate=pikepdf.String(date),
        ModDate=pikepdf.String(date)))
    when = meta.created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    xmp = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title)}</rdf:li></rdf:Alt>
   </dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}</rdf:li>
   </rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{escape(meta.lang)}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
   <xmp:CreatorTool>campaign-publications</xmp:CreatorTool>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    pdf.Root.Metadata = pdf.make_stream(xmp.encode("utf-8"), Type=pikepdf.Name.Metadata,
                                        Subtype=pikepdf.Name.XML)


def _xmp(meta: PrintMeta, doc_id: str) -> str:
    """The XMP packet: PDF/X-4 identification, title, description, dates, ids."""
    when = meta.created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    title, subject = escape(meta.title), escape(meta.subject)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt>
   </dc:description>
   <dc:language><rdf:Bag><rdf:li>{escape(meta.lang)}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmp:CreatorTool>campaign-publications</xmp:CreatorTool>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
   <xmpMM:DocumentID>uuid:{doc_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{doc_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


# --- preflight -----------------------------------------------------------------------


@dataclass(frozen=True)
class PressExpectations:
    """What a print-shop file must be: its sides' trim size and orientation, its bleed,
    its printing condition (kinds.CONDITIONS)."""

    trim_mm: tuple[float, float]
    sides: int
    bleed_mm: float
    condition: str


def expect(imposition: Imposition) -> PressExpectations:
    """What preflight should find in a file made with `imposition`."""
    return PressExpectations(imposition.trim, len(imposition.sides), imposition.bleed,
                             imposition.condition)


def expect_for_name(filename: str) -> PressExpectations | None:
    """The expectations for a file named like the build names them (leaflet-a4-print.pdf)."""
    match = re.fullmatch(r"(?P<kind>[a-z]+)-(?P<size>[a-z0-9]+)-print\.pdf", filename)
    kind = KINDS.get(match["kind"]) if match else None
    if match is None or kind is None or kind.print_layout is None or match["size"] not in PAPERS:
        return None
    return expect(LAYOUTS[kind.print_layout](PAPERS[match["size"]], False))


def is_print_file(path: Path, data: bytes) -> bool:
    """Whether a PDF is a print-shop file: named like one, or identified as PDF/X."""
    return path.name.endswith(PRINT_SUFFIX) or b"GTS_PDFXVersion" in data


def preflight_file(path: Path, label: str) -> FileReport | None:
    """The preflight of a print-shop file (or the checks of an office sheet) on disk; None
    when `path` is neither, or cannot be read (checks.check_file then says so)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if path.name.endswith(OFFICE_SUFFIX):  # an office sheet: its own checks
        from publication.press.office import office_report  # office.py imports this module

        return office_report(path, label, data)
    if not is_print_file(path, data):
        return None
    expected = expect_for_name(path.name)
    return FileReport(label, tuple(preflight(data, label, expected)), expected is not None)


def preflight(data: bytes, name: str, expected: PressExpectations | None = None) -> list[Finding]:
    """Every PDF/X-4 problem this project can make or see: identification, output
    intent, boxes, colours, fonts, annotations, accessibility claims."""
    return inspect_pdf(data, name, "press.unreadable", lambda pdf: (
        _identification(pdf, name) + _output_intent(pdf, name, expected)
        + _boxes(pdf, name, expected) + _content(pdf, name)))


def _identification(pdf: pikepdf.Pdf, name: str) -> list[Finding]:
    findings = []
    meta = pdf.open_metadata()
    version = meta.get("pdfxid:GTS_PDFXVersion")
    if version != PDFX_VERSION:
        findings.append(error("press.pdfx-version", name, 0,
                              f"identified as {version or 'nothing'}, not {PDFX_VERSION}",
                              "finish the file with publication.press.finish"))
    if meta.get("pdfuaid:part") or "/StructTreeRoot" in pdf.Root:
        findings.append(error("press.pdfua-claim", name, 0,
                              "a print-shop file claims PDF/UA or carries tags",
                              "the accessible file is the one to read; drop the claim"))
    info = pdf.trailer.get("/Info")
    if info is None or str(info.get("/Trapped", "")) not in ("/True", "/False"):
        findings.append(error("press.trapped", name, 0, "/Trapped is not True or False",
                              "set it in the document information"))
    if "/ID" not in pdf.trailer:
        findings.append(error("press.id", name, 0, "no /ID in the trailer", "save with an ID"))
    return findings


def _output_intent(pdf: pikepdf.Pdf, name: str, expected: PressExpectations | None,
                   ) -> list[Finding]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if len(intents) != 1:
        return [error("press.output-intent", name, 0,
                      f"{len(intents)} PDF/X output intents instead of one",
                      "add the printing condition's output intent")]
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    findings = []
    if profile is None or int(profile.get("/N", 0)) != 4 or \
            profile.read_bytes()[12:20] != b"prtrCMYK":
        findings.append(error("press.output-profile", name, 0,
                              "the output intent carries no CMYK printer ICC profile",
                              "embed the profile of the printing condition"))
    identifier = str(intent.get("/OutputConditionIdentifier", ""))
    if not identifier:
        findings.append(error("press.output-condition", name, 0,
                              "the output intent names no printing condition",
                              "set /OutputConditionIdentifier"))
    if expected is None or findings or profile is None:
        return findings
    printing = CONDITIONS[expected.condition]
    if identifier != printing.identifier:
        findings.append(error("press.output-condition", name, 0,
                              f"the output intent is for {identifier}, not {printing.identifier} "
                              "as this paper size is printed",
                              f"finish the file for the {expected.condition} condition"))
    described = profile_description(profile.read_bytes())
    if described != printing.description:
        findings.append(error("press.output-profile", name, 0,
                              f"the output intent's profile is {described!r}, not "
                              f"{printing.description!r}, the profile of {printing.identifier}",
                              f"embed {printing.profile.name}"))
    return findings


def profile_description(data: bytes) -> str:
    """An ICC profile's description ('desc' tag), '' when it has none readable."""
    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data))).strip()
    except (OSError, ImageCms.PyCMSError):
        return ""


def _mm(box: pikepdf.Object) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) / PT_PER_MM for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _boxes(pdf: pikepdf.Pdf, name: str, expected: PressExpectations | None) -> list[Finding]:
    findings = []
    if expected is not None and len(pdf.pages) != expected.sides:
        findings.append(error("press.sides", name, 0,
                              f"{len(pdf.pages)} sheet sides instead of {expected.sides}",
                              "check the imposition"))
    for number, page in enumerate(pdf.pages, start=1):
        obj = page.obj
        if "/TrimBox" not in obj or "/BleedBox" not in obj:
            findings.append(error("press.boxes", name, number, "no TrimBox or BleedBox",
                                  "set both on every page"))
            continue
        media, trim, bleed = _mm(page.mediabox), _mm(obj.TrimBox), _mm(obj.BleedBox)
        if not all(m <= b + BOX_TOLERANCE_MM for m, b in zip(media[:2], bleed[:2], strict=True)) \
                or not all(b <= m + BOX_TOLERANCE_MM
                           for m, b in zip(media[2:], bleed[2:], strict=True)):
            findings.append(error("press.boxes", name, number, "BleedBox outside the MediaBox",
                                  "make the media bigger"))
        if expected is None:
            continue
        size = (trim[2] - trim[0], trim[3] - trim[1])
        if any(abs(a - b) > 0.2 for a, b in zip(size, expected.trim_mm, strict=True)):
            findings.append(error("press.trim", name, number,
                                  f"trim is {size[0]:.1f} x {size[1]:.1f} mm, not "
                                  f"{expected.trim_mm[0]:g} x {expected.trim_mm[1]:g} mm",
                                  "check the paper size of the imposition"))
        margins = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2],
                   bleed[3] - trim[3])
        if any(abs(m - expected.bleed_mm) > BOX_TOLERANCE_MM for m in margins):
            findings.append(error("press.bleed", name, number,
                                  "bleed is " + " / ".join(f"{m:.2f}" for m in margins)
                                  + f" mm, not {expected.bleed_mm:g} mm on every side",
                                  "set the BleedBox 3 mm beyond the TrimBox"))
    return findings


def _content(pdf: pikepdf.Pdf, name: str) -> list[Finding]:
    findings = []
    for number, page in enumerate(pdf.pages, start=1):
        if "/Annots" in page.obj and len(page.obj.Annots):
            findings.append(error("press.annotations", name, number,
                                  f"{len(page.obj.Annots)} annotation(s) on the sheet",
                                  "remove links and other annotations"))
        rgb = 0
        for owner in content_owners(page.obj):
            spaces = owner.get("/Resources", pikepdf.Dictionary()).get("/ColorSpace")
            if spaces is None or "/DefaultRGB" not in spaces:  # else RGB is declared sRGB
                rgb += len(pikepdf.parse_content_stream(owner, "rg RG"))
        if rgb:
            findings.append(error("press.rgb", name, number,
                                  f"{rgb} DeviceRGB colour(s) without /DefaultRGB",
                                  "convert colours to CMYK"))
    for font in _fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in
                                         ("/FontFile", "/FontFile2", "/FontFile3")):
            findings.append(error("press.font-embedding", name, 0,
                                  f"font {font.get('/BaseFont', '?')} is not embedded",
                                  "embed every font"))
    return findings


def content_owners(page: pikepdf.Object, seen: set[tuple[int, int]] | None = None,
                   ) -> Iterator[pikepdf.Object]:
    """A page and every form XObject it draws, nested ones too, each once (`seen` holds
    the ones already given, across pages when shared): what has a content stream and
    resources of its own."""
    seen = set() if seen is None else seen
    pending = [page]
    while pending:
        owner = pending.pop()
        if owner.is_indirect:
            if owner.objgen in seen:
                continue
            seen.add(owner.objgen)
        yield owner
        resources = owner.get("/Resources")
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is not None:
            pending.extend(x for x in xobjects.values() if x.get("/Subtype") == "/Form")


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every simple or CID font dictionary (descendants of Type0 fonts, not the Type0)."""
    found = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            if obj.get("/Subtype") == "/Type0" or obj.get("/Subtype") == "/Type3":
                continue
            found.append(obj)
    return found
