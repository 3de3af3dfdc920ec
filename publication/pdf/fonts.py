"""The fonts of a PDF as the content interpreter (publication/pdf/content.py) reads them:
for each font dictionary its character codes, their Unicode values (ToUnicode CMap or
encoding), widths, ascent and descent, and whether it is bold and embedded.
"""

from __future__ import annotations

import re
import struct

import pikepdf
from fontTools import agl

# What a character code shows: its Unicode text (None when the font gives none), its
# width as a fraction of the font size, and whether word spacing applies to it.
Glyph = tuple[str | None, float, bool]
UNMAPPED = ("", "\ufffd", "\x00")  # values that say no more than a missing one


class FontInfo:
    """Codes, Unicode values, widths and facts of one font dictionary."""

    def __init__(self, font: pikepdf.Object) -> None:
        self.font = font
        self.subtype = str(font.get("/Subtype", ""))
        self.name = str(font.get("/BaseFont", "")).lstrip("/") or "(unnamed)"
        self.composite = self.subtype == "/Type0"
        descendant = font.DescendantFonts[0] if self.composite and "/DescendantFonts" in font \
            else None
        self.descendant = descendant
        descriptor = (descendant if descendant is not None else font).get("/FontDescriptor")
        self.descriptor = descriptor
        self.to_unicode = parse_cmap(font.ToUnicode.read_bytes()) if isinstance(
            font.get("/ToUnicode"), pikepdf.Stream) else {}
        self.two_byte = self.composite  # Identity-H/V and the CMaps we meet use 2-byte codes
        self.widths: dict[int, float] = {}
        self.default_width = 1000.0 if self.composite else 0.0
        if descendant is not None:
            self.default_width = float(descendant.get("/DW", 1000))
            widths = descendant.get("/W")
            if isinstance(widths, pikepdf.Array):
                self._cid_widths(widths)
        elif "/Widths" in font:
            first = int(font.get("/FirstChar", 0))
            for i, w in enumerate(font.Widths):
                self.widths[first + i] = float(w)
            if descriptor is not None:
                self.default_width = float(descriptor.get("/MissingWidth", 0))
        if not self.widths and not self.composite:
            self.default_width = 500.0  # standard 14 fonts carry no widths: a fair average
        self.encoding = self._simple_encoding()
        ascent = float(descriptor.get("/Ascent", 800)) if descriptor is not None else 800.0
        descent = float(descriptor.get("/Descent", -200)) if descriptor is not None else -200.0
        self.ascent = ascent / 1000 if ascent else 0.8
        self.descent = descent / 1000 if descent else -0.2
        weight = float(descriptor.get("/FontWeight", 0)) if descriptor is not None else 0.0
        flags = int(descriptor.get("/Flags", 0)) if descriptor is not None else 0
        self.bold = (weight >= 600 or bool(flags & (1 << 18))
                     or re.search(r"bold|black|heavy|semibold", self.name, re.I) is not None)
        self._glyphs: dict[int, Glyph] = {}

    @property
    def embedded(self) -> bool:
        if self.subtype == "/Type3":
            return True
        d = self.descriptor
        return d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def _cid_widths(self, array: pikepdf.Array) -> None:
        items = list(array)
        i = 0
        while i < len(items):
            first = int(items[i])
            if isinstance(items[i + 1], pikepdf.Array):
                for j, w in enumerate(items[i + 1]):
                    self.widths[first + j] = float(w)
                i += 2
            else:
                last, width = int(items[i + 1]), float(items[i + 2])
                for cid in range(first, last + 1):
                    self.widths[cid] = width
                i += 3

    def _simple_encoding(self) -> dict[int, str]:
        if self.composite:
            return {}
        encoding = self.font.get("/Encoding")
        base = "/StandardEncoding"
        differences: list[object] = []
        if isinstance(encoding, pikepdf.Name):
            base = str(encoding)
        elif isinstance(encoding, pikepdf.Dictionary):
            base = str(encoding.get("/BaseEncoding", "/StandardEncoding"))
            differences = list(encoding.get("/Differences", ()))
        table = dict(_BASE_ENCODINGS.get(base, _BASE_ENCODINGS["/StandardEncoding"]))
        code = 0
        for item in differences:
            if isinstance(item, pikepdf.Name):
                table[code] = agl.toUnicode(str(item)[1:])
                code += 1
            else:
                code = int(item)  # type: ignore[call-overload]
        return table

    def codes(self, data: bytes) -> tuple[int, ...] | bytes:
        """The character codes of a string shown in this font (a last odd byte of a
        two-byte string is no code)."""
        if self.two_byte:
            return struct.unpack(f">{len(data) // 2}H", data[:len(data) // 2 * 2])
        return data

    def unicode(self, code: int) -> str | None:
        """The Unicode text of a code, or None when the font gives no way to know it."""
        if code in self.to_unicode:
            return self.to_unicode[code]
        if not self.composite and self.subtype != "/Type3":
            text = self.encoding.get(code)
            return text or None
        return None

    def width(self, code: int) -> float:
        return self.widths.get(code, self.default_width) / 1000.0

    def glyph(self, code: int) -> Glyph:
        """What `code` shows (see `Glyph`), looked up once per font."""
        found = self._glyphs.get(code)
        if found is None:
            value = self.unicode(code)
            found = self._glyphs[code] = (None if value is None or value in UNMAPPED else value,
                                          self.width(code), not self.two_byte and code == 32)
        return found


def _base_encodings() -> dict[str, dict[int, str]]:
    def decode(codec: str) -> dict[int, str]:
        table = {}
        for code in range(32, 256):
            try:
                table[code] = bytes([code]).decode(codec)
            except UnicodeDecodeError:
                continue
        return table

    win = decode("cp1252")
    mac = decode("mac_roman")
    standard = {code: chr(code) for code in range(32, 127)}
    standard.update({0x27: "\u2019", 0x60: "\u2018"})
    return {"/WinAnsiEncoding": win, "/MacRomanEncoding": mac, "/StandardEncoding": standard,
            "/PDFDocEncoding": win}


_BASE_ENCODINGS = _base_encodings()
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def _hex(token: bytes) -> int:
    return int(re.sub(rb"\s", b"", token) or b"0", 16)


def _utf16(token: bytes) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", token).decode("ascii"))
    return raw.decode("utf-16-be", errors="replace")


def parse_cmap(data: bytes) -> dict[int, str]:
    """The code -> Unicode table of a ToUnicode CMap (bfchar and bfrange sections)."""
    table: dict[int, str] = {}
    for section in re.finditer(rb"beginbfchar(.*?)endbfchar", data, re.S):
        tokens = _HEX.findall(section.group(1))
        for src, dst in zip(tokens[0::2], tokens[1::2], strict=False):
            table[_hex(src)] = _utf16(dst)
    for section in re.finditer(rb"beginbfrange(.*?)endbfrange", data, re.S):
        body = section.group(1)
        for match in re.finditer(rb"<([0-9A-Fa-f\s]+)>\s*<([0-9A-Fa-f\s]+)>\s*"
                                 rb"(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", body):
            low, high, dst = _hex(match.group(1)), _hex(match.group(2)), match.group(3)
            if dst.startswith(b"["):
                for i, item in enumerate(_HEX.findall(dst)):
                    table[low + i] = _utf16(item)
            else:
                raw = bytes.fromhex(re.sub(rb"[\s<>]", b"", dst).decode("ascii"))
                for i in range(high - low + 1):
                    value = raw[:-2] + (int.from_bytes(raw[-2:], "big") + i).to_bytes(2, "big") \
                        if len(raw) >= 2 else raw
                    table[low + i] = value.decode("utf-16-be", errors="replace")
    return table


def cmap_bytes(table: dict[int, str], two_byte: bool) -> bytes:
    """A ToUnicode CMap with one bfchar entry per code."""
    width = 4 if two_byte else 2
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", f"<{'0' * width}> <{'F' * width}>", "endcodespacerange",
    ]
    items = sorted(table.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for code, text in chunk:
            lines.append(f"<{code:0{width}X}> <{text.encode('utf-16-be').hex().upper()}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")

class FontTable:
    """FontInfo per font dictionary of one PDF, built once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, int], FontInfo] = {}

    def get(self, font: pikepdf.Object) -> FontInfo:
        key = font.objgen
        if key == (0, 0):  # a direct object: key it by identity for this page
            key = (-1, id(font))
        if key not in self.cache:
            self.cache[key] = FontInfo(font)
        return self.cache[key]
