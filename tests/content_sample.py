"""A one-page PDF that uses every operator publication/pdf/content.py interprets, and some
it must skip: for the interpreter's tests (tests/test_pdf_content.py)."""

from __future__ import annotations

import io

import pikepdf

TO_UNICODE = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar
<0001> <0048>
<000A> <0069>
endbfchar
1 beginbfrange
<0010> <0012> <0061>
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""

CONTENT = b"""
q 1 0 0 1 10 20 cm
0.2 g 0 0 100 50 re f
1 0 0 rg 10 10 m 50 10 l 50 40 l h S
0 0 1 RG 0 0 m 10 10 20 20 30 0 c 40 40 50 50 v 60 60 70 70 y f*
0.7071 0.7071 -0.7071 0.7071 0 0 cm 5 5 20 20 re B
Q
q 300 300 -10 10 re 310 300 10 -10 re f Q
q 0 0 10 10 re n 5 5 m 6 6 l W n Q
/CS1 cs 0.1 0.2 0.3 0.4 sc 200 200 10 10 re f
/CS2 cs 0.5 scn 210 200 10 10 re b*
/CS3 cs 0.5 0.5 0.5 scn 215 200 10 10 re b
/P0 cs /Pat1 scn 220 200 10 10 re f
/DeviceCMYK cs 230 200 10 10 re f
/DeviceRGB cs 235 200 10 10 re f
0 0 0 1 k 240 200 10 10 re F
0.5 0.5 0.5 RG 1 w 0 0 m 5 5 l s
/GS1 gs
BT 100 700 Td (Hello World) Tj ET
BT /F1 12 Tf 14 TL 2 Tc 3 Tw 50 Tz 5 Ts 100 650 TD (A B) Tj T* (second) ' 1 2 (third) "
[(Ki) -250 (ng)] TJ 3 Tr (invisible) Tj 7 Tr (clip) Tj 0 Tr 0 Ts 100 Tz 0 Tc 0 Tw ET
BT /F2 10 Tf 1 0 0 1 300 500 Tm <41422043c5> Tj 0 1 -1 0 400 400 Tm (AB) Tj ET
/Span <</MCID 3>> BDC BT /F3 9 Tf 2 0 0 2 50 50 Tm <0001000A000C0011> Tj ET EMC
/Span /Pr1 BDC BT /F2 10 Tf 10 10 Td (AB) Tj
/Span <</MCID 8 /Lang (not a tag!)>> BDC (C) Tj EMC
/Span <</ActualText (inner)>> BDC (D) Tj EMC ET EMC
/P <</MCID 9>> BDC /Note <</ActualText (note)>> BDC BT /F2 10 Tf 20 20 Td (E) Tj ET EMC EMC
/Artifact BMC /Im1 Do EMC EMC
q 20 0 0 10 500 500 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q
/Sh1 sh
/Fm1 Do
/Fm2 Do
BT /F4 10 Tf (ab) Tj ET
/Missing Do
BT /NoFont 10 Tf (zz) Tj ET
BT (nofont) Tj ET
"""

FORM = b"""/Span <</MCID 11>> BDC 0 0 1 rg 0 0 40 40 re f
BT /F2 8 Tf 2 2 Td (AB) Tj ET EMC"""

RECURSIVE_FORM = b"0.9 g 0 0 1 1 re f /Fm2 Do"


def sample_pdf() -> bytes:
    """The sample: one US Letter page."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(612, 792))
    helvetica = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding))
    truetype = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType,
        BaseFont=pikepdf.Name("/ABCDEF+Sample-Bold"), FirstChar=32,
        Widths=pikepdf.Array([250] + [600] * 40),
        Encoding=pikepdf.Dictionary(BaseEncoding=pikepdf.Name.WinAnsiEncoding,
                                    Differences=pikepdf.Array([65, pikepdf.Name.Aring,
                                                               pikepdf.Name.bullet])),
        FontDescriptor=pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/ABCDEF+Sample-Bold"),
            FontWeight=700, Ascent=900, Descent=-250, MissingWidth=333, Flags=32,
            FontFile2=pdf.make_stream(b"")))))
    cid = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/GHIJKL+SampleCID"), DW=900,
        W=pikepdf.Array([1, pikepdf.Array([500, 600]), 10, 20, 700]),
        FontDescriptor=pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/GHIJKL+SampleCID"),
            Ascent=1000, Descent=-300, Flags=4, FontFile2=pdf.make_stream(b"")))))
    type0 = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/GHIJKL+SampleCID"), Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=pikepdf.Array([cid]), ToUnicode=pdf.make_stream(TO_UNICODE)))
    type3 = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3, FontBBox=[0, 0, 1000, 1000],
        FontMatrix=[0.001, 0, 0, 0.001, 0, 0], FirstChar=97, LastChar=98,
        Widths=pikepdf.Array([500, 500]), CharProcs=pikepdf.Dictionary(),
        Encoding=pikepdf.Dictionary(Differences=pikepdf.Array([97, pikepdf.Name("/g1"),
                                                               pikepdf.Name("/g2")]))))
    image = pdf.make_stream(b"\x80", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                            Width=1, Height=1, BitsPerComponent=8,
                            ColorSpace=pikepdf.Name.DeviceGray)
    fonts = pikepdf.Dictionary(F1=helvetica, F2=truetype, F3=type0, F4=type3)
    form = pdf.make_stream(FORM, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=[0, 0, 100, 100], Matrix=[0.5, 0, 0, 0.5, 400, 100],
                           Resources=pikepdf.Dictionary(Font=fonts))
    recursive = pdf.make_stream(RECURSIVE_FORM, Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Form, BBox=[0, 0, 1, 1],
                                Matrix=[2, 0, 0, 2, 1, 1])
    recursive.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm2=recursive))
    icc = pdf.make_stream(b"", N=4)
    shading = pdf.make_indirect(pikepdf.Dictionary(
        ShadingType=2, ColorSpace=pikepdf.Name.DeviceRGB, Coords=[0, 0, 1, 1],
        Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0], C1=[1, 1, 1],
                                    N=1)))
    page.obj.Resources = pikepdf.Dictionary(
        Font=fonts,
        ExtGState=pikepdf.Dictionary(GS1=pikepdf.Dictionary(
            Type=pikepdf.Name.ExtGState, ca=0.5, Font=pikepdf.Array([helvetica, 20]))),
        ColorSpace=pikepdf.Dictionary(
            CS1=pikepdf.Array([pikepdf.Name.ICCBased, icc]),
            CS2=pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(b"", N=1)]),
            CS3=pikepdf.Array([pikepdf.Name.Lab, pikepdf.Dictionary(WhitePoint=[1, 1, 1])]),
            P0=pikepdf.Array([pikepdf.Name.Pattern])),
        Properties=pikepdf.Dictionary(Pr1=pikepdf.Dictionary(
            MCID=7, ActualText=pikepdf.String("hello"), Lang=pikepdf.String("de"))),
        XObject=pikepdf.Dictionary(Im1=image, Fm1=form, Fm2=recursive),
        Shading=pikepdf.Dictionary(Sh1=shading))
    page.obj.Contents = pdf.make_stream(CONTENT)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
