"""The reference document, opened once per process and copied for each note.

python-docx opens the reference.docx, checks its styles and makes what every
note shares: a fresh footnotes part, the header and footer parts that carry
the marking, Word's compatibility mode, the application properties. Each note
then takes lxml copies of the parts it fills (body, footnotes, headers and
footers, numbering, core properties) and every other part's bytes as they
are: opening and parsing the package cost more than writing a whole note.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.part import Part
from docx.opc.rel import Relationships
from docx.oxml import parse_xml
from docx.styles import BabelFish
from docx.styles.style import StyleFactory
from lxml import etree

from briefgen.errors import OutputError, shown_path
from briefgen.note.render import builtin_templates
from briefgen.writers import ooxml_package as package
from briefgen.writers.ooxml import BODY, R_ID, SECT_PR

log = logging.getLogger("briefgen")
PARAGRAPH_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Body Text",
                    "Compact", "Block Text", "List Bullet", "List Number", "Talking Point",
                    "Footnote Text", "Classification", "Header", "Footer")
CHARACTER_STYLES = ("Footnote Reference", "Hyperlink", "Verbatim Char")
# Styles a reference.docx may lack, and what stands in for them.
OPTIONAL_STYLES = {"Table Heading": "Compact"}
TABLE_STYLES = ("Table", "Memo Header")
# The list styles a note numbers with ("Talking Point" may have its own bullets).
LIST_STYLES = ("List Bullet", "List Number", "Talking Point")
# Parts are parsed as python-docx parses them, into plain lxml elements (python-docx's
# element classes make each new element several times slower to create).
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


@dataclass(frozen=True)
class Story:
    """A header or footer that shows the marking; a footer also shows "Page X of Y"."""

    member: str          # its zip member, e.g. word/footer1.xml
    footer: bool
    reuse: bool          # the marking goes in the part's empty first paragraph, else a new one


class Reference:
    """A reference document made ready for notes: style ids, lists, shared parts."""

    def __init__(self, path: Path, document: Document) -> None:
        self.ids = _style_ids(document, path)
        _fresh_footnotes_part(document)
        numbering = document.part.numbering_part
        self.lists = {name: package.style_num_id(document.styles[name], numbering)
                      for name in LIST_STYLES}
        body = document.element.body
        for child in list(body):
            if child.tag != SECT_PR:
                body.remove(child)
        if body.find(SECT_PR) is None:
            raise OutputError("cannot read the reference document: its body has no section "
                              "properties (page size and margins)", file=path)
        section = document.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin
        self.base_rels = list(document.part.rels.values())
        self.stories = self._add_stories(document)
        # What a note's links push after them: the header and footer parts made here.
        self.story_rels = [rel for rel in document.part.rels.values()
                           if rel not in self.base_rels]
        core = document.core_properties
        package.drop_last_printed(core)
        package.set_compatibility_mode(document.settings.element)
        package.set_app_properties(document.part.package, "briefgen")
        package.drop_thumbnail(document.part.package)
        members = package.package_members(document.part.package)
        self.document_member = document.part.partname.membername
        self.rels_member = document.part.partname.rels_uri.membername
        self.base_uri = document.part.partname.baseURI
        self.footnotes_part = document.part.part_related_by(RT.FOOTNOTES).partname
        self.numbering_member = numbering.partname.membername
        self.core_member = _member_of(document, RT.CORE_PROPERTIES)
        self.styles_member = document.part.part_related_by(RT.STYLES).partname.membername
        # The parts a note fills, as plain lxml trees each note copies.
        self.trees = {name: etree.fromstring(members[name], _PARSER)
                       for name in (self.document_member, self.footnotes_part.membername,
                                    self.numbering_member,
                                    *(story.member for story in self.stories))}
        self.core = parse_xml(members[self.core_member])     # python-docx's, for its setters
        self._styles_xml = members[self.styles_member]
        self._styles: dict[str, package.Deflated] = {}
        # Every part compressed once; a note compresses only the parts it changes.
        self.members = {name: package.deflated(name, blob) for name, blob in members.items()}

    def _add_stories(self, document: Document) -> list[Story]:
        """Header and footer parts for the marking on every page, made as the note
        needs them; page 1 shows its top marking in the body, so no first-page header."""
        stories = []
        used: set[str] = set()
        classification = self.ids["Classification"]
        odd_and_even = document.settings.odd_and_even_pages_header_footer
        for index, section in enumerate(document.sections):
            parts = [(section.header, False), (section.footer, True)]
            if index == 0:
                section.different_first_page_header_footer = True
                section.first_page_header.is_linked_to_previous = False
                parts.append((section.first_page_footer, True))
            elif section.different_first_page_header_footer:
                parts += [(section.first_page_header, False), (section.first_page_footer, True)]
            if odd_and_even:
                parts += [(section.even_page_header, False), (section.even_page_footer, True)]
            for story, footer in parts:
                story.is_linked_to_previous = False
                member = story.part.partname.membername
                first = story.paragraphs[0] if story.paragraphs else None
                reuse = (member not in used and first is not None and not first.text
                         and not first.runs)
                if reuse:
                    first._p.get_or_add_pPr().style = classification
                used.add(member)
                stories.append(Story(member, footer, reuse))
        return stories

    def styles(self, lang_tag: str) -> package.Deflated:
        """styles.xml whose default proofing language is ``lang_tag`` (made once a language)."""
        found = self._styles.get(lang_tag)
        if found is None:
            styles = parse_xml(self._styles_xml)
            package.set_language(styles, lang_tag)
            found = package.deflated(self.styles_member, package.serialize(styles))
            self._styles[lang_tag] = found
        return found

    def draft(self) -> Draft:
        return Draft(self)


class Draft:
    """One note's copy of the parts it fills; :meth:`to_bytes` zips the package."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self._parts: dict[str, etree._Element] = {}
        self.document = self.part(reference.document_member)
        self.body = self.document.find(BODY)
        self.sect_pr = self.body.find(SECT_PR)      # the body's only child
        self.body.remove(self.sect_pr)          # back at the end of the body when zipped
        self.footnotes = self.part(reference.footnotes_part.membername)
        self.links = Relationships(reference.base_uri)
        for rel in reference.base_rels:
            target = rel.target_ref if rel.is_external else rel.target_part
            self.links.add_relationship(rel.reltype, target, rel.rId, rel.is_external)
        self.footnote_links = Relationships(reference.footnotes_part.baseURI)
        self._core = reference.core.__copy__()
        self.core = CoreProperties(self._core)

    def part(self, member: str) -> etree._Element:
        """This note's copy of a part it changes (made on first use)."""
        root = self._parts.get(member)
        if root is None:
            root = self._parts[member] = self.reference.trees[member].__copy__()
        return root

    @property
    def numbering(self) -> etree._Element:
        return self.part(self.reference.numbering_member)

    def link(self, url: str, in_footnote: bool) -> str:
        """The relationship id of a hyperlink to ``url`` from the body or the footnotes."""
        links = self.footnote_links if in_footnote else self.links
        return links.get_or_add_ext_rel(RT.HYPERLINK, url)

    def to_bytes(self, lang_tag: str) -> bytes:
        """The DOCX package: the reference's parts with this note's in their place."""
        reference = self.reference
        renumbered = {rel.rId: self.links.get_or_add(rel.reltype, rel.target_part).rId
                      for rel in reference.story_rels}
        for ref in self.sect_pr:
            if ref.get(R_ID) in renumbered:
                ref.set(R_ID, renumbered[ref.get(R_ID)])
        self.body.append(self.sect_pr)
        changed = {member: package.serialize(root) for member, root in self._parts.items()}
        changed[reference.rels_member] = self.links.xml
        if len(self.footnote_links):
            changed[reference.footnotes_part.rels_uri.membername] = self.footnote_links.xml
        changed[reference.core_member] = package.serialize(self._core)
        members = dict(reference.members)
        members.update((name, package.deflated(name, blob)) for name, blob in changed.items())
        members[reference.styles_member] = reference.styles(lang_tag)
        return package.zip_deflated(members)


def prepared(path: Path) -> Reference:
    """The reference document at ``path``, prepared once while the file stays the same."""
    try:
        stat = path.stat()
    except OSError as err:
        raise OutputError(f"cannot read the reference document: {err}", file=path) from None
    return _prepared(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _prepared(path: Path, mtime_ns: int, size: int) -> Reference:
    """Keyed by the file's time and size as well as its path: an edited
    reference.docx in a workspace is read again."""
    try:
        document = docx.Document(io.BytesIO(path.read_bytes()))
        dropped = package.drop_external(document.part.package)
    except Exception as err:  # python-docx raises several types for a damaged package
        raise OutputError(f"cannot read the reference document: {err}", file=path) from None
    if dropped:
        log.warning("%s: warning: left out %d external link(s) Word could fetch when a note "
                    "opens: %s", shown_path(path), len(dropped), ", ".join(sorted(set(dropped))))
    return Reference(path, document)


def _member_of(document: Document, reltype: str) -> str:
    return document.part.package.part_related_by(reltype).partname.membername


def _style_ids(document: Document, reference: Path) -> dict[str, str]:
    """Style name → id; a reference.docx missing a style the writer uses is a clear error."""
    ids = {}
    wanted = [(n, WD_STYLE_TYPE.PARAGRAPH) for n in PARAGRAPH_STYLES]
    wanted += [(n, WD_STYLE_TYPE.CHARACTER) for n in CHARACTER_STYLES]
    wanted += [(n, WD_STYLE_TYPE.TABLE) for n in TABLE_STYLES]
    # One pass over the styles: python-docx's lookup by name scans them all each time.
    by_name = {BabelFish.internal2ui(s.name_val): s for s in document.styles.element.style_lst}
    for name, kind in wanted:
        try:
            style = StyleFactory(by_name[name])
        except KeyError:
            raise OutputError(f"the reference document has no {kind.name.lower()} style "
                              f"{name!r}; add it, or start again from a copy of the "
                              f"built-in {builtin_templates() / 'reference.docx'}",
                              file=reference) from None
        if style.type != kind:
            raise OutputError(f"the reference document's style {name!r} is a "
                              f"{style.type.name.lower()} style; briefgen needs a "
                              f"{kind.name.lower()} style of that name", file=reference)
        ids[name] = style.style_id
    for name, stand_in in OPTIONAL_STYLES.items():
        style = by_name.get(name)
        ok = style is not None and StyleFactory(style).type == WD_STYLE_TYPE.PARAGRAPH
        ids[name] = StyleFactory(style).style_id if ok else ids[stand_in]
    return ids


def _fresh_footnotes_part(document: Document) -> Part:
    """Drop any footnotes a reference document brought along, then add an empty part."""
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype == RT.FOOTNOTES:
            document.part.drop_rel(r_id)
    return package.add_footnotes_part(document.part)
