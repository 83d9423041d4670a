"""Raw OOXML that python-docx has no API for, behind small named helpers.

Footnotes part, hyperlinks, fields, list numbering, table header rows,
document language and a deterministic zip. The DOCX writer calls these and
otherwise speaks python-docx.
"""
from __future__ import annotations

import io
import zipfile
from html import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_FOOTNOTES_XML = (
    f'<w:footnotes {nsdecls("w", "r")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class Story:
    """A parent for paragraphs that live outside the document body (footnotes)."""

    def __init__(self, part: XmlPart) -> None:
        self.part = part


def add_footnotes_part(document_part) -> XmlPart:
    """The ``/word/footnotes.xml`` part with its two separator notes, related to the document."""
    part = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_CT,
                   parse_xml(_FOOTNOTES_XML), document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


def add_footnote(part: XmlPart, note_id: int, text_style: str, ref_style: str) -> Paragraph:
    """A new normal footnote; returns its paragraph, which starts with the number mark."""
    note = OxmlElement("w:footnote")
    note.set(qn("w:id"), str(note_id))
    p = OxmlElement("w:p")
    note.append(p)
    part.element.append(note)
    paragraph = Paragraph(p, Story(part))
    paragraph._p.get_or_add_pPr().style = text_style
    mark = paragraph.add_run()
    mark._r.get_or_add_rPr().style = ref_style
    mark._r.append(OxmlElement("w:footnoteRef"))
    paragraph.add_run(" ")
    return paragraph


def add_footnote_reference(paragraph: Paragraph, note_id: int, ref_style: str) -> None:
    run = paragraph.add_run()
    run._r.get_or_add_rPr().style = ref_style
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(note_id))
    run._r.append(ref)


def add_hyperlink(paragraph: Paragraph, url: str):
    """A ``w:hyperlink`` to ``url``; the relationship goes on the part that holds the paragraph."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) that Word and LibreOffice update on open."""
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind == "result":
            run.text = placeholder
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def set_numbering(paragraph: Paragraph, num_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = ppr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def style_num_id(style, numbering_part) -> int | None:
    """The ``w:numId`` a list paragraph style numbers with, directly or from the
    style it is based on; None when it has none (or names a list that
    numbering.xml does not define, which Word shows unnumbered too)."""
    seen = set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        ppr = style.element.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            num_id = ppr.numPr.numId.val
            return num_id if num_id and _num(numbering_part, num_id) is not None else None
        style = style.base_style
    return None


def _num(numbering_part, num_id: int):
    try:
        return numbering_part.element.num_having_numId(num_id)
    except KeyError:
        return None


def restarted_num(numbering_part, num_id: int, level: int = 0, start: int = 1) -> int:
    """A new ``w:num`` on the same list definition as ``num_id`` whose ``level``
    counts from ``start`` (every other level from 1)."""
    numbering = numbering_part.element
    abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    for ilvl in range(9):
        num.add_lvlOverride(ilvl=ilvl).add_startOverride(start if ilvl == level else 1)
    return num.numId


def mark_header_row(row) -> None:
    """Repeat the row on each page and tell screen readers it is the header."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def set_table_look(table, first_row: bool, first_column: bool) -> None:
    """Which of the table's edges are headings: a header row, a column of row labels.
    Word, Pandoc and screen readers take the first row as column headings when set."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.insert_element_before(look, "w:tblCaption", "w:tblDescription",
                                               "w:tblPrChange")
    flags = {"firstRow": first_row, "firstColumn": first_column, "lastRow": False,
             "lastColumn": False, "noHBand": False, "noVBand": True}
    for name, on in flags.items():
        look.set(qn(f"w:{name}"), "1" if on else "0")
    # The legacy bit mask Word 2007 reads: 0x20 first row, 0x80 first column, 0x400 no banding.
    mask = 0x20 * first_row + 0x80 * first_column + 0x400
    look.set(qn("w:val"), f"{mask:04X}")


def set_bottom_border(cell) -> None:
    """A line along the bottom of a table cell (a line to sign on)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    tc_pr.insert_element_before(borders, "w:shd", "w:noWrap", "w:tcMar", "w:textDirection",
                                "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
                                "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def keep_row_together(row) -> None:
    """A table row that never breaks across pages (an option and its pros and cons)."""
    row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))


def set_language(styles_element, lang_tag: str) -> None:
    """The document's default proofing language (``en-CA`` / ``fr-CA``)."""
    rpr = styles_element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_language(rpr, lang_tag)


def set_run_language(rpr, lang_tag: str) -> None:
    """``w:lang`` in run properties, where the schema puts it (before East Asian layout)."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), lang_tag)


WORD_2013 = "15"    # compatibilityMode of Word 2013 and later: no "[Compatibility Mode]"
_WORD_URI = "http://schemas.microsoft.com/office/word"


def set_compatibility_mode(settings_element, mode: str = WORD_2013) -> None:
    """Word's layout mode; python-docx's template says Word 2010 (14)."""
    compat = settings_element.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        settings_element.insert_element_before(compat, *_AFTER_COMPAT)
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), mode)
            return
    setting = OxmlElement("w:compatSetting")
    for name, value in (("w:name", "compatibilityMode"), ("w:uri", _WORD_URI), ("w:val", mode)):
        setting.set(qn(name), value)
    compat.append(setting)         # compatSetting elements close the sequence


_AFTER_COMPAT = ("w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
                 "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                 "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                 "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                 "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
                 "w:listSeparator")
_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>{application}</Application><DocSecurity>0'
    '</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>'
    '<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>')


def set_app_properties(package, application: str) -> None:
    """``docProps/app.xml`` naming the program that wrote the file, and nothing the
    reference document's own program left there (its name, version, template, counts)."""
    blob = _APP_XML.format(application=escape(application, quote=False)).encode("utf-8")
    for rel in package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = blob
            return
    part = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, blob, package)
    package.relate_to(part, RT.EXTENDED_PROPERTIES)


def drop_last_printed(core_properties) -> None:
    """A new note has never been printed; the reference document may say otherwise."""
    element = core_properties._element
    for printed in element.findall(qn("cp:lastPrinted")):
        element.remove(printed)


def drop_thumbnail(package) -> None:
    """A reference document's preview picture shows the template, not this note."""
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def drop_external(package) -> list[str]:
    """The addresses of external relationships a reference document carries (an
    ``attachedTemplate`` on a web server, a linked picture or frame), dropped with
    the markup that uses them: Word may fetch them when a note opens. Hyperlinks
    stay: nothing follows them until someone clicks."""
    dropped = []
    for rels, part in [(package.rels, None), *((p.rels, p) for p in package.iter_parts())]:
        for r_id, rel in list(rels.items()):
            if rel.is_external and rel.reltype != RT.HYPERLINK:
                del rels[r_id]
                dropped.append(rel.target_ref)
                if part is not None:
                    _unlink(part, r_id)
    return dropped


def _unlink(part, r_id: str) -> None:
    """Remove what points at ``r_id``: an ``r:link`` attribute (a linked picture that
    may also be embedded), else the element that holds the reference."""
    from lxml import etree

    xml = getattr(part, "_element", None)
    root = xml if xml is not None else etree.fromstring(
        part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in list(root.iter()):
        for name, value in list(element.attrib.items()):
            if name.startswith(_R) and value == r_id:
                if name == f"{_R}link" or element.getparent() is None:
                    del element.attrib[name]
                else:
                    element.getparent().remove(element)
                break
    if xml is None:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _Collect:
    """A stand-in for python-docx's zip writer that keeps each member's bytes."""

    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def write(self, uri: PackURI, blob: bytes) -> None:
        self.members[uri.membername] = blob


def package_bytes(package) -> bytes:
    """The package as a zip with fixed entry dates and order: equal input, equal bytes.

    Uses python-docx's own serialisation of content types, relationships and
    parts, and zips once (saving through python-docx and re-zipping compresses twice).
    """
    collect = _Collect()
    parts = list(package.iter_parts())
    PackageWriter._write_content_types_stream(collect, parts)
    PackageWriter._write_pkg_rels(collect, package.rels)
    PackageWriter._write_parts(collect, parts)
    return deterministic_zip(collect.members)


def deterministic_zip(members: dict[str, bytes]) -> bytes:
    """Members zipped in a fixed order ([Content_Types].xml first) with fixed dates."""
    ordered = ["[Content_Types].xml"] + sorted(n for n in members if n != "[Content_Types].xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3        # the same bytes whichever system builds it
            info.external_attr = 0o644 << 16
            target.writestr(info, members[name])
    return out.getvalue()


def append_text(r, text: str) -> None:
    """Text into a run as one ``w:t`` (python-docx's ``run.text`` first clears the run)."""
    t = OxmlElement("w:t")
    t.text = text
    if text[:1].isspace() or text[-1:].isspace():
        t.set(qn("xml:space"), "preserve")
    r.append(t)


def add_footnote_paragraph(part: XmlPart, note_id: int, text_style: str) -> Paragraph:
    """A further paragraph in footnote ``note_id``."""
    note = next(n for n in part.element if n.get(qn("w:id")) == str(note_id))
    p = OxmlElement("w:p")
    note.append(p)
    paragraph = Paragraph(p, Story(part))
    paragraph._p.get_or_add_pPr().style = text_style
    return paragraph
