"""Regenerate templates/reference.docx, the built-in DOCX styles.

Run ``python tools/make_reference_docx.py`` after changing a style here. The
result is committed; briefgen itself only reads it. Staff restyle their own
copy in Word or LibreOffice instead of running this.

Style names follow Pandoc's reference.docx where one exists, so a Pandoc
reference document restyles briefgen output too.
"""
from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt, RGBColor

FONT = "Arial"
BLACK = RGBColor(0, 0, 0)
DARK_BLUE = RGBColor(0x1F, 0x38, 0x64)   # 11.5:1 on white
LINK_BLUE = RGBColor(0x05, 0x63, 0xC1)   # 5.9:1 on white
BULLETS = "•◦▪•◦▪•◦▪"


def _levels(fmt: str) -> str:
    xml = []
    for ilvl in range(9):
        text = BULLETS[ilvl] if fmt == "bullet" else f"%{ilvl + 1}."
        number = "decimal" if fmt == "decimal" else "bullet"
        if fmt == "decimal" and ilvl % 3 == 1:
            number, text = "lowerLetter", f"%{ilvl + 1}."
        elif fmt == "decimal" and ilvl % 3 == 2:
            number, text = "lowerRoman", f"%{ilvl + 1}."
        left = 360 * (ilvl + 1)
        xml.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{number}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="360"/></w:pPr></w:lvl>')
    return "".join(xml)


def _add_numbering(document: docx.document.Document) -> tuple[int, int]:
    """Nine-level bullet and decimal lists; return their w:num ids."""
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    ids = []
    for abstract_id, fmt in ((90, "bullet"), (91, "decimal")):
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="multilevel"/>{_levels(fmt)}</w:abstractNum>')
        first_num.addprevious(abstract)
        ids.append(numbering.add_num(abstract_id).numId)
    return ids[0], ids[1]


def _font(style, size: float, bold: bool = False, color: RGBColor = BLACK,
          italic: bool = False) -> None:
    style.font.name = FONT
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:cs"), FONT)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = color


def _spacing(style, before: float = 0, after: float = 6, keep: bool = False) -> None:
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if keep:
        fmt.keep_with_next = True


def _paragraph_style(styles, name: str, base: str):
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    return style


def _set_numbering(style, num_id: int) -> None:
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:numPr")):
        ppr.remove(old)
    ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num_id}"/></w:numPr>'))


def _separate_items(style) -> None:
    """Turn off "don't add space between paragraphs of the same style"."""
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:contextualSpacing")):
        ppr.remove(old)
    ppr.insert_element_before(
        parse_xml(f'<w:contextualSpacing {nsdecls("w")} w:val="0"/>'),
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")


def _slim(document: docx.document.Document) -> None:
    """Drop what python-docx's template carries but a reference document should not:
    its preview picture (of another document), Word 2010's duplicate
    stylesWithEffects part and an empty bibliography store."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    unwanted = {RT.THUMBNAIL, RT.CUSTOM_XML,
                "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"}
    for source in (document.part.package, document.part):
        for r_id, rel in list(source.rels.items()):
            if rel.reltype in unwanted:
                del source.rels[r_id]


def _defaults(document: docx.document.Document) -> None:
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in rpr_default.findall(qn("w:lang")) + rpr_default.findall(qn("w:rFonts")):
        rpr_default.remove(child)
    rfonts = rpr_default.get_or_add_rFonts()     # before the size, as the schema orders them
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    rpr_default.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="en-CA" w:eastAsia="en-CA" w:bidi="ar-SA"/>'))


def _page(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    section.header_distance = section.footer_distance = Inches(0.5)
    # The marking heads page 1 as body text (headers are artifacts to screen readers):
    # the body starts where that header line would have ended.
    section.top_margin = Inches(0.75)


def _table_style(styles, name: str, base: str):
    style = styles.add_style(name, WD_STYLE_TYPE.TABLE)
    style.base_style = styles[base]
    return style


KEEP_TABLE_STYLES = {"Normal Table", "Table Grid"}
_THEME_COLOUR = ("w:themeColor", "w:themeShade", "w:themeTint")


def _readable_colours(document: docx.document.Document) -> None:
    """python-docx's theme colours (light blue, red, grey) fall below WCAG AA's 4.5:1
    on white: every style that uses one gets black or our dark blue instead."""
    for colour in document.styles.element.iter(qn("w:color")):
        if colour.get(qn("w:themeColor")) is None:
            continue
        for attr in _THEME_COLOUR:
            colour.attrib.pop(qn(attr), None)
        if colour.get(qn("w:val")) != "000000":
            colour.set(qn("w:val"), str(DARK_BLUE))


def _drop_unused_table_styles(document: docx.document.Document) -> None:
    """The default template's hundred coloured table styles: 300 KB parsed for every note."""
    for style in list(document.styles.element.style_lst):
        if style.type == WD_STYLE_TYPE.TABLE and style.name_val not in KEEP_TABLE_STYLES:
            document.styles.element.remove(style)


def build() -> docx.document.Document:
    document = docx.Document()
    _drop_unused_table_styles(document)
    _defaults(document)
    _page(document)
    styles = document.styles
    bullet_num, number_num = _add_numbering(document)

    _font(styles["Normal"], 11)
    _spacing(styles["Normal"], after=6)
    for name, size, before in (("Heading 1", 12, 12), ("Heading 2", 11, 10), ("Heading 3", 11, 8), ("Heading 4", 11, 6)):
        _font(styles[name], size, bold=True, color=BLACK if name == "Heading 1" else DARK_BLUE,
              italic=name == "Heading 4")
        _spacing(styles[name], before=before, after=4, keep=True)
    title = styles["Title"]
    _font(title, 14, bold=True)
    for border in title.element.get_or_add_pPr().findall(qn("w:pBdr")):
        title.element.get_or_add_pPr().remove(border)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, after=12)
    _font(styles["Subtitle"], 11, bold=True, color=DARK_BLUE)

    body = _paragraph_style(styles, "Body Text", "Normal")
    _spacing(body, after=6)
    compact = _paragraph_style(styles, "Compact", "Normal")
    _spacing(compact, after=0)
    compact.paragraph_format.line_spacing = 1.0     # table cells: single-spaced
    # LibreOffice tags a cell whose paragraph has this style as a header cell (TH).
    _paragraph_style(styles, "Table Heading", "Compact").font.bold = True
    block = _paragraph_style(styles, "Block Text", "Normal")
    block.paragraph_format.left_indent = Inches(0.5)
    block.font.italic = True
    _spacing(_paragraph_style(styles, "Signature Block", "Normal"), after=0)

    _set_numbering(styles["List Bullet"], bullet_num)
    _set_numbering(styles["List Number"], number_num)
    for name in ("List Bullet", "List Number"):
        _spacing(styles[name], after=3)
    talking = _paragraph_style(styles, "Talking Point", "List Bullet")
    _spacing(talking, after=6)
    _separate_items(talking)    # List Bullet packs items together; talking points breathe
    talking.font.color.rgb = DARK_BLUE

    note_text = _paragraph_style(styles, "Footnote Text", "Normal")
    note_text.font.size = Pt(9)
    _spacing(note_text, after=0)
    note_ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    note_ref.font.superscript = True
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = LINK_BLUE
    link.font.underline = True
    code = styles.add_style("Verbatim Char", WD_STYLE_TYPE.CHARACTER)
    code.font.name = "Courier New"

    marking = _paragraph_style(styles, "Classification", "Normal")
    _font(marking, 10, bold=True)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(marking, after=0)
    for name in ("Header", "Footer"):
        _font(styles[name], 9)
    styles["Footer"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _table_style(styles, "Table", "Table Grid")
    _table_style(styles, "Memo Header", "Normal Table")

    _readable_colours(document)
    _slim(document)
    document.core_properties.author = "briefgen"
    document.core_properties.title = "briefgen reference document"
    document.core_properties.comments = ""
    return document


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "templates" / "reference.docx"
    doc = build()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from briefgen.writers.ooxml_package import (  # fixed zip dates: a rerun changes no byte
        package_bytes,
        set_app_properties,
        set_compatibility_mode,
    )

    set_compatibility_mode(doc.settings.element)
    set_app_properties(doc.part.package, "briefgen")
    target.write_bytes(package_bytes(doc.part.package))
    print(f"wrote {target}")
