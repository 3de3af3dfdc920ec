"""Hebrew and Arabic faces that carry their own punctuation and digits.

    python tools/fonts/merge.py FONTS_DIR [--out DIR] [--check-catalogues LOCALES_DIR]

Noto Sans Hebrew has no Latin punctuation and no digits (, . : ; ( ) / quote marks 0-9),
and Noto Sans Arabic lacks a few (/ ( ) % ...). Text set in them falls back to Noto Sans
for those characters, so one line becomes runs of two fonts, and pdf.js (Firefox), which
runs its bidi on each run of one font by itself, reads the runs in the wrong order
(clauses swapped, dates reversed). This script copies Noto Sans's glyphs for those
characters into each face, so that a Hebrew or Arabic line is drawn in one font:

    NotoSansHebrew-{Regular,Bold}.ttf + NotoSans-{Regular,Bold}.ttf
        -> NotoSansHebrewCampaign-{Regular,Bold}.ttf   family "Noto Sans Hebrew Campaign"
    NotoSansArabic-{Regular,Bold}.ttf + NotoSans-{Regular,Bold}.ttf
        -> NotoSansArabicCampaign-{Regular,Bold}.ttf   family "Noto Sans Arabic Campaign"

Regular takes Noto Sans Regular's glyphs, Bold takes Noto Sans Bold's.

What is added: every character of MERGED (ASCII punctuation and symbols, digits, the
Latin-1 and General Punctuation marks, quotes, dashes, guillemets, a few currency and
letterlike signs) that Noto Sans has and the script face has not. A character the script
face has keeps the script face's own glyph (Noto Sans Arabic's digits, comma, colon and
guillemets stay as they are). No letters are added. The set holds everything the
catalogues (locales/he, locales/ar) and the stylesheets (quotes: "\\201E" "\\201D",
"\\00AB" "\\00BB"; the petition's page counter " / ") show as of 2026-12-01, and more;
`--check-catalogues locales` lists any character of a catalogue that the merged face
for its script would still lack (exit 1), letters of other scripts aside.

How:
- Glyph outlines are drawn through a decomposing pen (composites flattened), scaled by
  the target's unitsPerEm over Noto Sans's (1000/1000 for these fonts, so 1), rounded,
  with no TrueType instructions (Noto Sans's refer to its own fpgm); the advance width
  is scaled the same way and the left side bearing is the glyph's xMin. A name that the
  target already uses gets a ".latn" suffix.
- cmap: each added character maps to its glyph in every Unicode subtable.
- GDEF: added glyphs are class 1 (base), so lookups that skip marks see them as bases.
- GPOS is left alone, and the added glyphs take part in no substitution but one: no
  kerning and no mark attachment (a Hebrew point or Arabic haraka on a digit would get
  the shaper's fallback position; the catalogues have none). Noto Sans's `rtlm` is not
  copied: HarfBuzz mirrors ( ) [ ] { } < > « » ‹ › in right-to-left runs by Unicode
  Bidi_Mirroring, which works because the cmap has both of each pair (the script face's
  pair when it has one).
- Mirrored forms of their own (MIRROR_PAIRS): mirroring draws a logical ")" of a
  right-to-left run with the glyph of "(", the glyph a left-to-right "(" uses too. A PDF
  maps each glyph to one Unicode value (ToUnicode), so one of the two uses reads wrong
  in every reader (a Hebrew "(ICC)" read ")ICC(", guillemets swapped in Arabic). Each
  glyph of a pair gets a copy, "<name>.rtl" (the same outline and advance, the same
  GDEF class), and a single substitution under `rtla`, which HarfBuzz applies to every
  right-to-left run and to no other, puts the copy in place after mirroring: the
  original glyph is only ever the character itself, the copy only ever its mirror,
  and each maps to its one logical character.
- Names: family (IDs 1, 16), full name (4), PostScript name (6) and unique ID (3) are the
  new family's; the version (5) and copyright (0) say what was merged from where; the
  trademark, manufacturer, designer, vendor and designer URLs, licence (13) and licence
  URL (14) are kept. Noto is under the SIL Open Font License 1.1 with no Reserved Font
  Name (neither the fonts' name table nor Debian's copyright file declares one), so a
  modified version may keep "Noto" in its name; it is renamed all the same so that it is
  never taken for the upstream font.
- head.created and head.modified are the target's own (no clock is read), DSIG is
  dropped (a modified font's signature is void), OS/2 Unicode ranges and first/last
  character are recomputed, and the bounding boxes and maxp on saving: the same inputs
  give the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import sys
import unicodedata
from pathlib import Path
from typing import Any

from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

SOURCE = "NotoSans"
TARGETS = {"NotoSansHebrew": "Hebrew", "NotoSansArabic": "Arabic"}
STYLES = ("Regular", "Bold")
SUFFIX = "Campaign"


def _range(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


# The characters to take from Noto Sans when the script face lacks them (letters are
# filtered out below: U+00AA, U+00B5, U+00BA are letters and stay out).
MERGED: tuple[int, ...] = tuple(sorted(set(
    _range(0x0020, 0x0040)          # space ! " # $ % & ' ( ) * + , - . / 0-9 : ; < = > ? @
    + _range(0x005B, 0x0060)        # [ \ ] ^ _ `
    + _range(0x007B, 0x007E)        # { | } ~
    + _range(0x00A0, 0x00BF)        # nbsp ¡ ¢ £ ¤ ¥ ¦ § ¨ © « ¬ shy ® ¯ ° ± ² ³ ´ · ¸ ¹ » ¼ ½ ¾ ¿
    + [0x00D7, 0x00F7]              # × ÷
    + _range(0x2000, 0x200A)        # the typographic spaces
    + _range(0x2010, 0x2027)        # hyphens, dashes, quotes „ “ ” ‘ ’ ‚, † ‡ • … ‧
    + [0x202F]                      # narrow no-break space (French, some CLDR formats)
    + _range(0x2030, 0x205E)        # ‰ ′ ″ ‹ › ‼ ⁄ ⁎ ...
    + [0x20AC, 0x2116, 0x2122, 0x2212]  # € № ™ minus
)))


# Bidi_Mirroring_Glyph pairs (Unicode BidiMirroring.txt) of the characters in MERGED
# and in the script faces: each of a pair is the other's mirror.
MIRROR_PAIRS = ("()", "[]", "{}", "<>", "\u00ab\u00bb", "\u2039\u203a", "\u2045\u2046",
                "\u207d\u207e")
RTL_FEATURE = "rtla"


def wanted(code: int) -> bool:
    return not unicodedata.category(chr(code)).startswith(("L", "M", "C"))


def _draw(glyph_set: Any, name: str, scale: float) -> tuple[Any, int]:
    """`name` of `glyph_set` as a new TrueType glyph, composites flattened, scaled."""
    recording = DecomposingRecordingPen(glyph_set)
    glyph_set[name].draw(recording)
    pen = TTGlyphPen(None)
    recording.replay(TransformPen(pen, (scale, 0, 0, scale, 0, 0)) if scale != 1 else pen)
    glyph = pen.glyph()   # with an empty TrueType program: no hinting
    width = glyph_set[name].width
    return glyph, round(width * scale)


def _set_name(font: TTFont, name_id: int, value: str) -> None:
    for record in font["name"].names:
        if record.nameID == name_id:
            record.string = value


def _get_name(font: TTFont, name_id: int) -> str | None:
    record = font["name"].getName(name_id, 3, 1, 0x409)
    return record.toUnicode() if record else None


def merge(target_path: Path, source_path: Path, family: str) -> tuple[TTFont, list[int]]:
    """The target face with the source's glyphs for MERGED characters it lacks."""
    target = TTFont(target_path, recalcBBoxes=True, recalcTimestamp=False)
    source = TTFont(source_path)
    target_cmap = target.getBestCmap()
    source_cmap = source.getBestCmap()
    scale = target["head"].unitsPerEm / source["head"].unitsPerEm
    glyph_set = source.getGlyphSet()
    order = list(target.getGlyphOrder())
    taken = set(order)
    added: dict[str, str] = {}      # source glyph name -> new glyph name
    codes: list[int] = []
    glyf, hmtx = target["glyf"], target["hmtx"]
    for code in MERGED:
        if code in target_cmap or code not in source_cmap or not wanted(code):
            continue
        source_name = source_cmap[code]
        if source_name not in added:
            new = source_name if source_name not in taken else f"{source_name}.latn"
            while new in taken:
                new += "_"
            glyph, advance = _draw(glyph_set, source_name, scale)
            glyf[new] = glyph
            glyph.recalcBounds(glyf)
            hmtx[new] = (advance, getattr(glyph, "xMin", 0))
            order.append(new)
            taken.add(new)
            added[source_name] = new
        codes.append(code)
        for table in target["cmap"].tables:
            if table.isUnicode():
                table.cmap[code] = added[source_name]
    forms = _mirror_copies(target, order, taken)
    target.setGlyphOrder(order)
    glyf.glyphOrder = order
    gdef = target["GDEF"].table if "GDEF" in target else None
    if gdef is not None and gdef.GlyphClassDef is not None:
        classes = gdef.GlyphClassDef.classDefs
        for new in added.values():
            classes[new] = 1
        for name, copy in forms.items():
            if name in classes:
                classes[copy] = classes[name]
    _substitute_in_rtl_runs(target, forms)
    if "DSIG" in target:
        del target["DSIG"]
    _rename(target, source, family)
    os2 = target["OS/2"]
    os2.recalcUnicodeRanges(target)
    os2.updateFirstAndLastCharIndex(target)
    target["maxp"].numGlyphs = len(order)
    return target, codes


def _mirror_copies(font: TTFont, order: list[str], taken: set[str]) -> dict[str, str]:
    """A copy of the glyph of each character of MIRROR_PAIRS whose pair the cmap has
    whole, appended to `order`: glyph name -> its copy's name."""
    cmap = font.getBestCmap()
    glyf, hmtx = font["glyf"], font["hmtx"]
    forms: dict[str, str] = {}
    for pair in MIRROR_PAIRS:
        if not all(ord(char) in cmap for char in pair):
            continue
        for char in pair:
            name = cmap[ord(char)]
            if name in forms:
                continue
            new = f"{name}.rtl"
            while new in taken:
                new += "_"
            glyf[new] = copy.deepcopy(glyf[name])
            hmtx[new] = hmtx[name]
            order.append(new)
            taken.add(new)
            forms[name] = new
    return forms


def _substitute_in_rtl_runs(font: TTFont, forms: dict[str, str]) -> None:
    """A single substitution of each glyph by its copy, as feature RTL_FEATURE of every
    script and language system of the face's GSUB."""
    if not forms:
        return
    from fontTools.otlLib.builder import buildLookup, buildSingleSubstSubtable
    from fontTools.ttLib.tables import otTables

    gsub = font["GSUB"].table
    lookups = gsub.LookupList
    lookups.Lookup.append(buildLookup([buildSingleSubstSubtable(dict(sorted(forms.items())))]))
    lookups.LookupCount = len(lookups.Lookup)
    feature = otTables.Feature()
    feature.FeatureParams = None
    feature.LookupListIndex = [lookups.LookupCount - 1]
    feature.LookupCount = 1
    record = otTables.FeatureRecord()
    record.FeatureTag = RTL_FEATURE
    record.Feature = feature
    features = gsub.FeatureList
    # Feature records are kept in tag order; the language systems refer to them by index.
    tags = [r.FeatureTag for r in features.FeatureRecord]
    at = sum(1 for tag in tags if tag <= RTL_FEATURE)
    features.FeatureRecord.insert(at, record)
    features.FeatureCount = len(features.FeatureRecord)
    for script in gsub.ScriptList.ScriptRecord:
        systems = [script.Script.DefaultLangSys,
                   *(r.LangSys for r in script.Script.LangSysRecord)]
        for system in filter(None, systems):
            indices = [i + (i >= at) for i in system.FeatureIndex] + [at]
            system.FeatureIndex = sorted(indices)
            system.FeatureCount = len(indices)
            if system.ReqFeatureIndex != 0xFFFF and system.ReqFeatureIndex >= at:
                system.ReqFeatureIndex += 1


def _rename(target: TTFont, source: TTFont, family: str) -> None:
    style = _get_name(target, 2) or "Regular"
    postscript = family.replace(" ", "") + "-" + style.replace(" ", "")
    version = _get_name(target, 5) or ""
    _set_name(target, 1, family)
    _set_name(target, 16, family)
    _set_name(target, 4, f"{family} {style}")
    _set_name(target, 6, postscript)
    _set_name(target, 3, f"{version.split(';')[0].replace('Version ', '')};{SUFFIX};"
                          f"{postscript}")
    _set_name(target, 5, f"{version.split(';')[0]}; punctuation and digits merged from "
                         f"{_get_name(source, 4)} {(_get_name(source, 5) or '').split(';')[0]}"
                         " (tools/fonts/merge.py)")
    _set_name(target, 0, f"{_get_name(target, 0)} Punctuation and digits from "
                         f"{_get_name(source, 4)}: {_get_name(source, 0)}")


def build(fonts: Path, out: Path) -> list[tuple[Path, list[int]]]:
    """Every merged face from `fonts` into `out`; the files written and what each got."""
    written = []
    out.mkdir(parents=True, exist_ok=True)
    for stem, script in TARGETS.items():
        for style in STYLES:
            target = fonts / f"{stem}-{style}.ttf"
            source = fonts / f"{SOURCE}-{style}.ttf"
            for path in (target, source):
                if not path.is_file():
                    raise SystemExit(f"merge.py: {path} is missing")
            font, codes = merge(target, source, f"Noto Sans {script} {SUFFIX}")
            path = out / f"{stem}{SUFFIX}-{style}.ttf"
            partial = path.with_name(path.name + ".partial")
            font.save(partial, reorderTables=True)
            partial.replace(path)
            written.append((path, codes))
    return written


def catalogue_gaps(locales: Path, out: Path) -> dict[str, list[str]]:
    """Characters of the he and ar catalogues (translations, markup and placeholders
    aside) that the merged face of their script lacks, letters of other scripts aside."""
    import html
    import re

    from babel.messages.pofile import read_po

    faces = {"he": "NotoSansHebrew", "ar": "NotoSansArabic"}
    gaps: dict[str, list[str]] = {}
    for code, stem in faces.items():
        po = locales / code / "LC_MESSAGES" / "messages.po"
        if not po.is_file():
            continue
        with po.open("rb") as fileobj:
            cat = read_po(fileobj, locale=code)
        text = []
        for message in cat:
            strings = message.string if isinstance(message.string, (tuple, list)) else (
                message.string,)
            for string in map(str, filter(None, strings)):
                if message.id and string:
                    plain = re.sub(r"</?(?:em|strong|a|span)\b[^>]*>", "", string)
                    text.append(html.unescape(re.sub(r"%\(\w+\)[sd]", "", plain)))
        chars = set("".join(text))
        for style in STYLES:
            cmap = TTFont(out / f"{stem}{SUFFIX}-{style}.ttf").getBestCmap()
            lacking = sorted(c for c in chars if ord(c) not in cmap
                             and not unicodedata.category(c).startswith(("L", "C"))
                             and c not in "\n\t")
            if lacking:
                gaps[f"{code} {style}"] = lacking
    return gaps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("fonts", type=Path, help="folder with the Noto fonts (fonts/)")
    parser.add_argument("--out", type=Path, help="where to write (default: the same folder)")
    parser.add_argument("--check-catalogues", type=Path, metavar="LOCALES",
                        help="list catalogue characters the merged faces still lack")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    out = args.out or args.fonts
    for path, codes in build(args.fonts, out):
        if not args.quiet:
            print(f"{path}: {len(codes)} characters added: "
                  + "".join(chr(c) for c in codes if chr(c).isprintable() and c > 0x20))
    if args.check_catalogues:
        gaps = catalogue_gaps(args.check_catalogues, out)
        for face, chars in gaps.items():
            print(f"{face}: the catalogue has characters the merged face lacks: "
                  + " ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in chars),
                  file=sys.stderr)
        if gaps:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
