"""The OOXML package around a note's parts, behind small named helpers.

The footnotes part, the list a paragraph style numbers with, the document
language, Word's compatibility mode, application and core properties,
external relationships a reference document may carry, and a deterministic
zip. The prepared reference document calls these once per reference; the
parts' content is built by :mod:`briefgen.writers.ooxml`.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from html import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

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


def add_footnotes_part(document_part) -> XmlPart:
    """The ``/word/footnotes.xml`` part with its two separator notes, related to the document."""
    part = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_CT,
                   parse_xml(_FOOTNOTES_XML), document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


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


def package_members(package) -> dict[str, bytes]:
    """Each zip member's bytes (name → bytes), as python-docx serialises content
    types, relationships and parts."""
    collect = _Collect()
    parts = list(package.iter_parts())
    PackageWriter._write_content_types_stream(collect, parts)
    PackageWriter._write_pkg_rels(collect, package.rels)
    PackageWriter._write_parts(collect, parts)
    return collect.members


def package_bytes(package) -> bytes:
    """The package as a zip with fixed entry dates and order: equal input, equal bytes.
    Zips once (saving through python-docx and re-zipping compresses twice)."""
    return deterministic_zip(package_members(package))


def serialize(element) -> bytes:
    """A part's XML as python-docx writes it: UTF-8, declaration, standalone."""
    return etree.tostring(element, encoding="UTF-8", standalone=True)


def deterministic_zip(members: dict[str, bytes]) -> bytes:
    """Members zipped in a fixed order ([Content_Types].xml first) with fixed dates."""
    return zip_deflated({name: deflated(name, blob) for name, blob in members.items()})


@dataclass(frozen=True)
class Deflated:
    """A zip member compressed once: a part every note shares is not compressed for each."""

    size: int
    crc: int
    data: bytes


def deflated(name: str, blob: bytes) -> Deflated:
    """``blob`` deflated as :mod:`zipfile` deflates it (default level, raw stream)."""
    if len(blob) > _LARGEST:
        raise ValueError(f"{name}: {len(blob)} bytes is more than a DOCX part can be here")
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return Deflated(len(blob), zlib.crc32(blob), compressor.compress(blob) + compressor.flush())


def zip_deflated(members: dict[str, Deflated]) -> bytes:
    """The zip :mod:`zipfile` writes for these members (deflated, dated 1980-01-01,
    mode 0644 from a Unix system, [Content_Types].xml first, then by name), without
    compressing anything again."""
    ordered = ["[Content_Types].xml"] + sorted(n for n in members if n != "[Content_Types].xml")
    chunks, directory, offset = [], [], 0
    for name in ordered:
        member = members[name]
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        fields = (flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, member.crc,
                  len(member.data), member.size, len(encoded))
        chunks += [_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, *fields, 0), encoded, member.data]
        directory += [_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, *fields, 0, 0,
                                    0, 0, _MODE, offset), encoded]
        offset += _LOCAL.size + len(encoded) + len(member.data)
    size = sum(len(chunk) for chunk in directory)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(ordered), len(ordered), size, offset, 0)
    return b"".join(chunks + directory + [end])


# Zip records as zipfile packs them: local file header, central directory entry, end.
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (ZIP_EPOCH[0] - 1980) << 9 | ZIP_EPOCH[1] << 5 | ZIP_EPOCH[2]
_DOS_TIME = ZIP_EPOCH[3] << 11 | ZIP_EPOCH[4] << 5 | ZIP_EPOCH[5] // 2
_VERSION = 20                 # what a deflated member needs to be extracted
_UNIX = 3                     # the same bytes whichever system builds it
_MODE = 0o644 << 16
_UTF8_NAME = 0x800
_LARGEST = int(((1 << 31) - 1) / 1.05)   # beyond it zipfile writes zip64 records
