"""DOCX writer: the note's element tree → a memo that opens in Word and LibreOffice.

Styles come from a reference.docx (the workspace's ``templates/reference.docx``
or the built-in one); raw OOXML lives in :mod:`briefgen.writers.ooxml`.
"""
from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.shared import Inches, Pt
from docx.styles import BabelFish
from docx.styles.style import StyleFactory
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from briefgen.errors import OutputError, shown_path
from briefgen.note.composer import LANGUAGE_TAGS, Note, language_tag
from briefgen.note.render import builtin_templates
from briefgen.writers import docx_layout as layout
from briefgen.writers import ooxml
from briefgen.writers.doctree import parse, plain_text

log = logging.getLogger("briefgen")
PARAGRAPH_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Body Text",
                    "Compact", "Block Text", "List Bullet", "List Number", "Talking Point",
                    "Footnote Text", "Classification", "Header", "Footer")
CHARACTER_STYLES = ("Footnote Reference", "Hyperlink", "Verbatim Char")
# Styles a reference.docx may lack, and what stands in for them.
OPTIONAL_STYLES = {"Table Heading": "Compact"}
TABLE_STYLES = ("Table", "Memo Header")
# A <div class="..."> in the Markdown gives its list items this paragraph style.
LIST_STYLE_FOR_CLASS = {"talking-points": "Talking Point", "key-messages": "Talking Point"}
# A <div> with one of these classes stays on one page (the minister's decision block).
KEEP_TOGETHER = {"decision", "keep-together"}
# Tables of "Label:" | value rows: the labels are row headers, no row is a header row.
LABEL_TABLES = {"memo-header", "signature-lines"}
CELL_LIST_INDENT = Inches(0.18)                      # pros and cons: a tight list in a cell
SIGNATURE_SPACE = Pt(12)                            # before "Prepared by", after a list too
INLINE = {"strong", "b", "em", "i", "code", "a", "br", "sup", "sub", "span", "img", "u", "small"}
# Characters XML 1.0 cannot hold (C0 controls but tab/newline, lone surrogates,
# U+FFFE/U+FFFF); vertical tab and form feed (Word's line and page breaks in
# pasted text) read as spaces.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE_LIKE = re.compile("[\x0b\x0c\r]")


def _soft_breaks(text: str) -> str:
    """A line break inside a Markdown paragraph, with the spaces around it (a list
    item's continuation lines are indented), reads as one space. Line by line, not
    by a pattern: ``[ \\t]*\\n`` went over a long run of spaces once per space."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    inner = [line.strip(" \t") for line in lines[1:-1]]
    return " ".join([lines[0].rstrip(" \t"), *inner, lines[-1].lstrip(" \t")])


def xml_text(text: str) -> str:
    """``text`` with what an XML document cannot carry removed."""
    return _NOT_XML.sub("", _SPACE_LIKE.sub(" ", text))


@dataclass(frozen=True)
class Fmt:
    bold: bool = False
    italic: bool = False
    style: str | None = None      # character style id
    superscript: bool = False
    lang: str | None = None       # a passage in another language: its w:lang


@dataclass(frozen=True)
class Ctx:
    """Where a block sits: inside which div classes, and with which paragraph style."""

    classes: frozenset[str] = frozenset()
    style: str = "Body Text"
    level: int = 0


@lru_cache(maxsize=4)
def _reference_bytes(path: Path, mtime: float) -> bytes:
    """The reference document without external relationships (said once per file)."""
    data = path.read_bytes()
    package = docx.Document(io.BytesIO(data)).part.package
    dropped = ooxml.drop_external(package)
    if not dropped:
        return data
    log.warning("%s: warning: left out %d external link(s) Word could fetch when a note "
                "opens: %s", shown_path(path), len(dropped), ", ".join(sorted(set(dropped))))
    return ooxml.package_bytes(package)


def write(note: Note, reference: Path) -> bytes:
    """The note as DOCX bytes, byte-identical for identical input."""
    try:
        document = docx.Document(io.BytesIO(_reference_bytes(reference, reference.stat().st_mtime)))
    except Exception as err:  # python-docx raises several types for a damaged package
        raise OutputError(f"cannot read the reference document: {err}", file=reference) from None
    _Writer(document, note, reference).write(parse(note.body))
    ooxml.drop_thumbnail(document.part.package)
    return ooxml.package_bytes(document.part.package)


class _Writer:
    def __init__(self, document: Document, note: Note, reference: Path) -> None:
        self.doc, self.note = document, note
        self.ids = _style_ids(document, reference)
        self.footnotes = _fresh_footnotes_part(document)
        self.numbering = document.part.numbering_part
        # The list each list style numbers with (a staff reference.docx may give
        # talking points their own bullets); None for a style without one.
        self.lists = {name: ooxml.style_num_id(document.styles[name], self.numbering)
                      for name in ("List Bullet", "List Number", *LIST_STYLE_FOR_CLASS.values())}
        self.notes: dict[str, etree.Element] = {}
        self.next_note = 1
        self.after_table = False
        self.made: list[Paragraph] = []     # body and table cell paragraphs, in order

    def write(self, root: etree.Element) -> None:
        body = self.doc.element.body
        for child in list(body):
            if child.tag != ooxml.qn("w:sectPr"):
                body.remove(child)
        for div in root.iter("div"):
            if "footnote" in div.get("class", "").split():
                self.notes = {li.get("id", ""): li for li in div.iter("li")}
        for child in root:
            self.block(child, Ctx())
        self.markings()
        self.properties()

    # Blocks -----------------------------------------------------------------

    def block(self, el: etree.Element, ctx: Ctx) -> None:
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = int(tag[1])
            style = "Title" if level == 1 else f"Heading {min(level - 1, 4)}"
            self.inline(self.paragraph(style), el, Fmt())
        elif tag == "p":   # "{: .talking-points}" under a paragraph makes it a talking point
            own = _special(frozenset(el.get("class", "").split()))
            self.inline(self.paragraph(own or ctx.style), el, Fmt())
        elif tag in ("ul", "ol"):
            self.list(el, ctx)
        elif tag == "table":
            self.table(el, ctx.classes)
        elif tag == "div":
            classes = frozenset(el.get("class", "").split())
            if "footnote" not in classes:
                first = len(self.made)
                for child in el:
                    self.block(child, replace(ctx, classes=ctx.classes | classes))
                if classes & KEEP_TOGETHER:
                    for paragraph in self.made[first:-1]:
                        paragraph.paragraph_format.keep_with_next = True
                if "signature" in classes and len(self.made) > first:   # after a list too
                    self.made[first].paragraph_format.space_before = SIGNATURE_SPACE
        elif tag == "blockquote":
            for child in el:
                self.block(child, replace(ctx, style="Block Text"))
        elif tag == "pre":
            self.run(self.paragraph("Compact"), "".join(el.itertext()).rstrip("\n"),
                     Fmt(style=self.ids["Verbatim Char"]), keep_newlines=True)
        elif tag != "hr":
            self.inline(self.paragraph(ctx.style), el, Fmt())

    def paragraph(self, style: str) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        paragraph._p.get_or_add_pPr().style = self.ids[style]
        self.made.append(paragraph)
        if self.after_table and style not in ("Title", "Heading 1", "Heading 2", "Heading 3",
                                               "Heading 4"):
            paragraph.paragraph_format.space_before = Pt(6)   # Word tables have no space below
        self.after_table = False
        return paragraph

    def list(self, el: etree.Element, ctx: Ctx) -> None:
        ordered = el.tag == "ol"
        style = "List Number" if ordered else _special(ctx.classes) or "List Bullet"
        level = ctx.level if ctx.style in self.lists else 0
        num_id = self.lists[style]
        if ordered and num_id is not None:    # each numbered list counts from its own start
            num_id = ooxml.restarted_num(self.numbering, num_id, level, _start(el))
        for li in el.findall("li"):
            own = None if ordered else _special(frozenset(li.get("class", "").split()))
            if own and own != style:          # "- point" + "{: .talking-points}" on the item
                self.list_item(li, replace(ctx, style=own, level=level), self.lists[own])
            else:
                self.list_item(li, replace(ctx, style=style, level=level), num_id)

    def list_item(self, li: etree.Element, ctx: Ctx, num_id: int | None) -> None:
        paragraph = self.paragraph(ctx.style)
        if num_id is not None:
            ooxml.set_numbering(paragraph, num_id, min(ctx.level, 8))
        if li.text and li.text.strip():
            self.text(paragraph, li.text.lstrip(), Fmt())
        numbered_used = False
        for child in li:
            if child.tag in INLINE:
                self.inline_child(paragraph, child, Fmt())
            elif child.tag == "p" and not numbered_used:
                self.inline(paragraph, child, Fmt())
                numbered_used = True
            elif child.tag in ("ul", "ol"):
                self.list(child, replace(ctx, level=ctx.level + 1))
            else:
                follow = self.paragraph("Body Text")
                follow.paragraph_format.left_indent = Inches(0.25 * (ctx.level + 1))
                self.inline(follow, child, Fmt())

    def table(self, el: etree.Element, classes: frozenset[str]) -> None:
        labels = bool(classes & LABEL_TABLES)      # a column of row labels, no header row
        # A label table's empty Markdown head row only stands for "no header row".
        rows = [tr for tr in el.iter("tr") if not (labels and not "".join(tr.itertext()).strip())]
        if not rows:
            return
        columns = max(len(tr) for tr in rows)
        if self.after_table:         # Word would join two tables that touch into one
            self.paragraph("Compact")
        table = self.doc.add_table(rows=len(rows), cols=columns)
        table._tbl.tblPr.style = self.ids["Memo Header" if labels else "Table"]
        for i, tr in enumerate(rows):
            ooxml.keep_row_together(table.rows[i])
            for j, cell_el in enumerate(tr):
                self.cell(table.cell(i, j), cell_el,
                          heading=j % 2 == 0 if labels else cell_el.tag == "th")
        section = self.doc.sections[-1]
        text_width = section.page_width - section.left_margin - section.right_margin
        if labels and columns % 2 == 0:
            layout.label_columns(table, rows, text_width, lines="signature-lines" in classes)
        elif not labels:
            layout.data_columns(table, rows, text_width)
        header = not labels and el.find("thead") is not None
        if header:
            ooxml.mark_header_row(table.rows[0])
        ooxml.set_table_look(table, first_row=header, first_column=labels)
        self.after_table = True

    def cell(self, cell, cell_el: etree.Element, heading: bool) -> None:
        """A table cell; a column or row heading in the Table Heading style, which a
        tagged PDF marks as a header cell (TH)."""
        paragraph = cell.paragraphs[0]
        self.made.append(paragraph)
        listing = cell_el.find("ul")
        if listing is not None:      # pros and cons: a real list in the cell
            for index, li in enumerate(listing.findall("li")):
                item = paragraph if index == 0 else cell.add_paragraph()
                if index:
                    self.made.append(item)
                item._p.get_or_add_pPr().style = self.ids["List Bullet"]
                if self.lists["List Bullet"] is not None:
                    ooxml.set_numbering(item, self.lists["List Bullet"], 0)
                fmt = item.paragraph_format        # a narrow column: a tight list, as Compact
                fmt.left_indent, fmt.first_line_indent = CELL_LIST_INDENT, -CELL_LIST_INDENT
                fmt.space_after, fmt.line_spacing = Pt(0), 1.0
                self.inline(item, li, Fmt())
            return
        paragraph._p.get_or_add_pPr().style = self.ids["Table Heading" if heading else "Compact"]
        align = layout.cell_alignment(cell_el)
        if align is not None:
            paragraph.paragraph_format.alignment = align
        self.inline(paragraph, cell_el, Fmt(bold=heading))

    # Inline -----------------------------------------------------------------

    def inline(self, paragraph: Paragraph, el: etree.Element, fmt: Fmt, container=None) -> None:
        self.text(paragraph, el.text, fmt, container)
        for child in el:
            self.inline_child(paragraph, child, fmt, container)

    def inline_child(self, paragraph: Paragraph, child: etree.Element, fmt: Fmt, container=None) -> None:
        tag = child.tag
        if tag in ("strong", "b"):
            self.inline(paragraph, child, replace(fmt, bold=True), container)
        elif tag in ("em", "i"):
            self.inline(paragraph, child, replace(fmt, italic=True), container)
        elif tag == "code":
            self.text(paragraph, child.text, replace(fmt, style=self.ids["Verbatim Char"]), container)
        elif tag == "br":
            self.run(paragraph, "", fmt, container).add_break()
        elif tag == "a" and "footnote-backref" in child.get("class", ""):
            pass
        elif tag == "a":
            self.link(paragraph, child, fmt)
        elif tag == "sup" and child.find("a") is not None and "footnote-ref" in child.find("a").get("class", ""):
            self.footnote(paragraph, child.find("a").get("href", "").lstrip("#"))
        elif tag == "sup":
            self.inline(paragraph, child, replace(fmt, superscript=True), container)
        elif tag == "img":
            self.text(paragraph, child.get("alt", ""), fmt, container)
        elif tag == "span" and child.get("lang"):
            self.inline(paragraph, child, replace(fmt, lang=language_tag(child.get("lang", ""))),
                        container)
        else:
            self.inline(paragraph, child, fmt, container)
        self.text(paragraph, child.tail, fmt, container)

    def link(self, paragraph: Paragraph, a: etree.Element, fmt: Fmt) -> None:
        href = a.get("href", "")
        if not href.startswith(("http://", "https://", "mailto:")):
            self.inline(paragraph, a, fmt)
            return
        container = ooxml.add_hyperlink(paragraph, href)
        self.inline(paragraph, a, replace(fmt, style=self.ids["Hyperlink"]), container)

    def footnote(self, paragraph: Paragraph, target: str) -> None:
        li = self.notes.get(target)
        if li is None:
            return
        note_id, self.next_note = self.next_note, self.next_note + 1
        ref_style = self.ids["Footnote Reference"]
        ooxml.add_footnote_reference(paragraph, note_id, ref_style)
        note = ooxml.add_footnote(self.footnotes, note_id, self.ids["Footnote Text"], ref_style)
        for index, p in enumerate(li.findall("p") or [li]):
            if index:
                note = ooxml.add_footnote_paragraph(self.footnotes, note_id, self.ids["Footnote Text"])
            self.inline(note, p, Fmt())

    def text(self, paragraph: Paragraph, text: str | None, fmt: Fmt, container=None) -> None:
        if text:
            self.run(paragraph, _soft_breaks(text), fmt, container)

    def run(self, paragraph: Paragraph, text: str, fmt: Fmt, container=None,
            keep_newlines: bool = False) -> Run:
        if container is None:
            run = paragraph.add_run()
        else:
            r = OxmlElement("w:r")
            container.append(r)
            run = Run(r, paragraph)
        if text:
            text = xml_text(text if keep_newlines else _soft_breaks(text))
            if keep_newlines or "\t" in text:
                run.text = text
            else:
                ooxml.append_text(run._r, text)
        if fmt.bold:
            run.bold = True
        if fmt.italic:
            run.italic = True
        if fmt.superscript:
            run.font.superscript = True
        if fmt.style:
            run._r.get_or_add_rPr().style = fmt.style
        if fmt.lang:
            ooxml.set_run_language(run._r.get_or_add_rPr(), fmt.lang)
        return run

    # Page furniture and metadata --------------------------------------------

    def markings(self) -> None:
        """The marking at the top and bottom of every page; "Page X of Y" below it.

        On the first page the top marking is the body's first paragraph, not a header:
        screen readers skip headers, and a tagged PDF makes them artifacts.
        """
        page, _, rest = self.note.labels["page_x_of_y"].partition("{page}")
        between, _, after = rest.partition("{pages}")
        self.body_marking()
        for index, section in enumerate(self.doc.sections):
            parts = [(section.header, False), (section.footer, True)]
            if index == 0:
                section.different_first_page_header_footer = True
                section.first_page_header.is_linked_to_previous = False
                parts.append((section.first_page_footer, True))
            elif section.different_first_page_header_footer:
                parts += [(section.first_page_header, False), (section.first_page_footer, True)]
            if self.doc.settings.odd_and_even_pages_header_footer:
                parts += [(section.even_page_header, False), (section.even_page_footer, True)]
            for part, is_footer in parts:
                part.is_linked_to_previous = False
                marking = self.story_paragraph(part, "Classification")
                marking.add_run(xml_text(self.note.marking))
                if is_footer:
                    numbers = part.add_paragraph()
                    numbers._p.get_or_add_pPr().style = self.ids["Footer"]
                    if page:
                        numbers.add_run(xml_text(page))
                    ooxml.add_field(numbers, "PAGE")
                    if between:
                        numbers.add_run(xml_text(between))
                    ooxml.add_field(numbers, "NUMPAGES")
                    if after:
                        numbers.add_run(xml_text(after))

    def body_marking(self) -> None:
        """The marking as the first paragraph of the body, where page 1's header would show it."""
        body = self.doc.element.body
        marking = self.doc.add_paragraph()
        marking._p.get_or_add_pPr().style = self.ids["Classification"]
        marking.add_run(xml_text(self.note.marking))
        body.remove(marking._p)
        body.insert(0, marking._p)

    def story_paragraph(self, story, style: str) -> Paragraph:
        """The header/footer's empty first paragraph, or a new one after what is there (a logo)."""
        first = story.paragraphs[0] if story.paragraphs else None
        paragraph = first if first is not None and not first.text and not first.runs else story.add_paragraph()
        paragraph._p.get_or_add_pPr().style = self.ids[style]
        return paragraph

    def properties(self) -> None:
        props = self.doc.core_properties
        stamp = self.note.timestamp
        props.title = xml_text(plain_text(self.note.brief.subject))
        props.author = props.last_modified_by = xml_text(self.note.author)
        props.created = props.modified = stamp
        ooxml.drop_last_printed(props)
        props.revision = 1
        # The marking as category and subject: the PDF's /Subject and XMP dc:description.
        props.category = props.subject = xml_text(self.note.marking)
        props.keywords = props.comments = props.content_status = ""
        props.identifier = xml_text(self.note.brief.tracking_number or "")
        props.language = LANGUAGE_TAGS[self.note.lang]
        ooxml.set_language(self.doc.styles.element, LANGUAGE_TAGS[self.note.lang])
        ooxml.set_compatibility_mode(self.doc.settings.element)
        ooxml.set_app_properties(self.doc.part.package, "briefgen")


def _special(classes: frozenset[str]) -> str | None:
    """The paragraph style a class such as ``talking-points`` asks for."""
    return next((LIST_STYLE_FOR_CLASS[c] for c in sorted(classes) if c in LIST_STYLE_FOR_CLASS), None)


def _start(ol: etree.Element) -> int:
    """Where a numbered list starts (``3. …`` in the Markdown starts at 3)."""
    try:
        return max(int(ol.get("start", "1")), 0)
    except ValueError:
        return 1


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


def _fresh_footnotes_part(document: Document):
    """Drop any footnotes a reference document brought along, then add an empty part."""
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype == RT.FOOTNOTES:
            document.part.drop_rel(r_id)
    return ooxml.add_footnotes_part(document.part)
