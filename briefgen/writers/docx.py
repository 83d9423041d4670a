"""DOCX writer: the note's element tree → a memo that opens in Word and LibreOffice.

Styles come from a reference.docx (the workspace's ``templates/reference.docx``
or the built-in one), prepared once per process by
:mod:`briefgen.writers.docx_reference`; this module walks the note's element
tree into paragraphs, lists, tables and footnotes, and raw OOXML lives in
:mod:`briefgen.writers.ooxml`.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, replace
from pathlib import Path

from docx.shared import Inches, Pt
from lxml.etree import _Element

from briefgen.note.composer import LANGUAGE_TAGS, Note, language_tag, note_stamp
from briefgen.writers import docx_layout as layout
from briefgen.writers import ooxml
from briefgen.writers.docx_reference import (  # noqa: F401 - the styles a reference must define
    CHARACTER_STYLES,
    PARAGRAPH_STYLES,
    TABLE_STYLES,
    Draft,
    prepared,
)
from briefgen.writers.doctree import parse, plain_text
from briefgen.writers.ooxml import PLAIN, Fmt

# A <div class="..."> in the Markdown gives its list items this paragraph style.
LIST_STYLE_FOR_CLASS = {"talking-points": "Talking Point", "key-messages": "Talking Point"}
# A <div> with one of these classes stays on one page (the minister's decision block).
KEEP_TOGETHER = {"decision", "keep-together"}
# Tables of "Label:" | value rows: the labels are row headers, no row is a header row.
LABEL_TABLES = {"memo-header", "signature-lines"}
HEADINGS = ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4")
CELL_LIST_INDENT = Inches(0.18)                      # pros and cons: a tight list in a cell
SIGNATURE_SPACE = Pt(12)                            # before "Prepared by", after a list too
AFTER_TABLE = Pt(6)                                 # Word tables have no space below
PROPERTY_LIMIT = 255     # characters of a document property Word keeps (python-docx takes no more)
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
class Ctx:
    """Where a block sits: inside which div classes, and with which paragraph style."""

    classes: frozenset[str] = frozenset()
    style: str = "Body Text"
    level: int = 0


def write(note: Note, reference: Path) -> bytes:
    """The note as DOCX bytes, byte-identical for identical input."""
    draft = prepared(reference).draft()
    _Writer(draft, note).write(parse(note.body))
    return draft.to_bytes(LANGUAGE_TAGS[note.lang])


class _Writer:
    def __init__(self, draft: Draft, note: Note) -> None:
        self.draft, self.note = draft, note
        self.ids = draft.reference.ids
        # The list each list style numbers with (a staff reference.docx may give
        # talking points their own bullets); None for a style without one.
        self.lists = draft.reference.lists
        self.notes: dict[str, etree.Element] = {}
        self.next_note = 1
        self.after_table = False
        self.in_footnote = False          # a link's relationship goes on the footnotes part
        self.made: list[_Element] = []    # body and table cell paragraphs, in order
        self.rprs: dict[Fmt, _Element | None] = {}

    def write(self, root: etree.Element) -> None:
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
            self.inline(self.paragraph(style), el, PLAIN)
        elif tag == "p":   # "{: .talking-points}" under a paragraph makes it a talking point
            own = _special(frozenset(el.get("class", "").split()))
            self.inline(self.paragraph(own or ctx.style), el, PLAIN)
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
                        ooxml.keep_with_next(paragraph)
                if "signature" in classes and len(self.made) > first:   # after a list too
                    ooxml.space_before(self.made[first], SIGNATURE_SPACE)
        elif tag == "blockquote":
            for child in el:
                self.block(child, replace(ctx, style="Block Text"))
        elif tag == "pre":
            self.run(self.paragraph("Compact"), "".join(el.itertext()).rstrip("\n"),
                     Fmt(style=self.ids["Verbatim Char"]), keep_newlines=True)
        elif tag != "hr":
            self.inline(self.paragraph(ctx.style), el, PLAIN)

    def paragraph(self, style: str) -> _Element:
        paragraph = ooxml.paragraph(self.draft.body, self.ids[style])
        self.made.append(paragraph)
        if self.after_table and style not in HEADINGS:
            ooxml.space_before(paragraph, AFTER_TABLE)
        self.after_table = False
        return paragraph

    def list(self, el: etree.Element, ctx: Ctx) -> None:
        ordered = el.tag == "ol"
        style = "List Number" if ordered else _special(ctx.classes) or "List Bullet"
        level = ctx.level if ctx.style in self.lists else 0
        num_id = self.lists[style]
        if ordered and num_id is not None:    # each numbered list counts from its own start
            num_id = ooxml.restart_numbering(self.draft.numbering, num_id, level, _start(el))
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
            self.text(paragraph, li.text.lstrip(), PLAIN)
        numbered_used = False
        for child in li:
            if child.tag in INLINE:
                self.inline_child(paragraph, child, PLAIN)
            elif child.tag == "p" and not numbered_used:
                self.inline(paragraph, child, PLAIN)
                numbered_used = True
            elif child.tag in ("ul", "ol"):
                self.list(child, replace(ctx, level=ctx.level + 1))
            else:
                follow = self.paragraph("Body Text")
                ooxml.indent(follow, Inches(0.25 * (ctx.level + 1)))
                self.inline(follow, child, PLAIN)

    def table(self, el: etree.Element, classes: frozenset[str]) -> None:
        labels = bool(classes & LABEL_TABLES)      # a column of row labels, no header row
        # A label table's empty Markdown head row only stands for "no header row".
        rows = [tr for tr in el.iter("tr") if not (labels and not "".join(tr.itertext()).strip())]
        if not rows:
            return
        columns = max(len(tr) for tr in rows)
        if self.after_table:         # Word would join two tables that touch into one
            self.paragraph("Compact")
        width = self.draft.reference.text_width
        table = ooxml.table(self.draft.body, len(rows), columns, width,
                            self.ids["Memo Header" if labels else "Table"])
        for tr, row, cells in zip(rows, table.rows, table.cells):
            ooxml.keep_row_together(row)
            for j, (tc, cell_el) in enumerate(zip(cells, tr)):
                self.cell(tc, cell_el, heading=j % 2 == 0 if labels else cell_el.tag == "th")
        if labels and columns % 2 == 0:
            layout.label_columns(table.tbl, rows, columns, width,
                                 lines="signature-lines" in classes)
        elif not labels:
            layout.data_columns(table.tbl, rows, columns, width)
        header = not labels and el.find("thead") is not None
        if header:
            ooxml.mark_header_row(table.rows[0])
        ooxml.set_table_look(table.tbl, first_row=header, first_column=labels)
        self.after_table = True

    def cell(self, tc: _Element, cell_el: etree.Element, heading: bool) -> None:
        """A table cell; a column or row heading in the Table Heading style, which a
        tagged PDF marks as a header cell (TH)."""
        paragraph = ooxml.first_paragraph(tc)
        self.made.append(paragraph)
        listing = cell_el.find("ul")
        if listing is not None:      # pros and cons: a real list in the cell
            for index, li in enumerate(listing.findall("li")):
                item = paragraph if index == 0 else ooxml.bare_paragraph(tc)
                if index:
                    self.made.append(item)
                ooxml.set_style(item, self.ids["List Bullet"])
                if self.lists["List Bullet"] is not None:
                    ooxml.set_numbering(item, self.lists["List Bullet"], 0)
                # A narrow column: a tight list, as Compact.
                ooxml.indent(item, CELL_LIST_INDENT, hanging=CELL_LIST_INDENT)
                ooxml.tight_lines(item)
                self.inline(item, li, PLAIN)
            return
        ooxml.set_style(paragraph, self.ids["Table Heading" if heading else "Compact"])
        align = layout.cell_alignment(cell_el)
        if align is not None:
            ooxml.align(paragraph, align)
        self.inline(paragraph, cell_el, Fmt(bold=heading))

    # Inline -----------------------------------------------------------------

    def inline(self, paragraph: _Element, el: etree.Element, fmt: Fmt,
               container: _Element | None = None) -> None:
        self.text(paragraph, el.text, fmt, container)
        for child in el:
            self.inline_child(paragraph, child, fmt, container)

    def inline_child(self, paragraph: _Element, child: etree.Element, fmt: Fmt,
                     container: _Element | None = None) -> None:
        tag = child.tag
        if tag in ("strong", "b"):
            self.inline(paragraph, child, replace(fmt, bold=True), container)
        elif tag in ("em", "i"):
            self.inline(paragraph, child, replace(fmt, italic=True), container)
        elif tag == "code":
            self.text(paragraph, child.text, replace(fmt, style=self.ids["Verbatim Char"]), container)
        elif tag == "br":
            ooxml.add_break(self.run(paragraph, "", fmt, container))
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

    def link(self, paragraph: _Element, a: etree.Element, fmt: Fmt) -> None:
        href = a.get("href", "")
        if not href.startswith(("http://", "https://", "mailto:")):
            self.inline(paragraph, a, fmt)
            return
        container = ooxml.hyperlink(paragraph, self.draft.link(href, self.in_footnote))
        self.inline(paragraph, a, replace(fmt, style=self.ids["Hyperlink"]), container)

    def footnote(self, paragraph: _Element, target: str) -> None:
        li = self.notes.get(target)
        if li is None:
            return
        note_id, self.next_note = self.next_note, self.next_note + 1
        ref_style, text_style = self.ids["Footnote Reference"], self.ids["Footnote Text"]
        ooxml.footnote_reference(paragraph, note_id, ref_style)
        note = ooxml.footnote(self.draft.footnotes, note_id, text_style, ref_style)
        in_footnote, self.in_footnote = self.in_footnote, True
        for index, p in enumerate(li.findall("p") or [li]):
            if index:
                note = ooxml.footnote_paragraph(note, text_style)
            self.inline(note, p, PLAIN)
        self.in_footnote = in_footnote

    def text(self, paragraph: _Element, text: str | None, fmt: Fmt,
             container: _Element | None = None) -> None:
        if text:
            self.run(paragraph, _soft_breaks(text), fmt, container)

    def run(self, paragraph: _Element, text: str, fmt: Fmt, container: _Element | None = None,
            keep_newlines: bool = False) -> _Element:
        try:
            rpr = self.rprs[fmt]
        except KeyError:
            rpr = self.rprs[fmt] = ooxml.run_properties(fmt)
        r = ooxml.run(paragraph if container is None else container, rpr)
        if text:
            text = xml_text(text if keep_newlines else _soft_breaks(text))
            if keep_newlines or "\t" in text:
                ooxml.add_content(r, text)
            else:
                ooxml.add_text(r, text)
        return r

    # Page furniture and metadata --------------------------------------------

    def markings(self) -> None:
        """The marking at the top and bottom of every page; "Page X of Y" below it.

        On the first page the top marking is the body's first paragraph, not a header:
        screen readers skip headers, and a tagged PDF makes them artifacts.
        """
        page, _, rest = self.note.labels["page_x_of_y"].partition("{page}")
        between, _, after = rest.partition("{pages}")
        marking = xml_text(self.note.marking)
        top = ooxml.paragraph(self.draft.body, self.ids["Classification"])
        self.draft.body.insert(0, top)
        ooxml.text_run(top, marking)
        for story in self.draft.reference.stories:
            part = self.draft.part(story.member)
            paragraph = ooxml.first_paragraph(part) if story.reuse else \
                ooxml.paragraph(part, self.ids["Classification"])
            ooxml.text_run(paragraph, marking)
            if story.footer:
                numbers = ooxml.paragraph(part, self.ids["Footer"])
                if page:
                    ooxml.text_run(numbers, xml_text(page))
                ooxml.field(numbers, "PAGE")
                if between:
                    ooxml.text_run(numbers, xml_text(between))
                ooxml.field(numbers, "NUMPAGES")
                if after:
                    ooxml.text_run(numbers, xml_text(after))

    def properties(self) -> None:
        props = self.draft.core
        stamp = self.note.timestamp
        props.title = _property(plain_text(self.note.brief.subject))
        props.author = props.last_modified_by = _property(self.note.author)
        props.created = props.modified = stamp
        props.revision = 1
        # The marking as category and subject: the PDF's /Subject and XMP dc:description.
        props.category = props.subject = _property(self.note.marking)
        props.comments = props.content_status = ""
        # Which brief, and which note of it: briefgen absorb finds the brief by this.
        props.keywords = xml_text(note_stamp(self.note))
        props.identifier = _property(self.note.brief.tracking_number or "")
        props.language = LANGUAGE_TAGS[self.note.lang]


def _property(text: str) -> str:
    """A document property's text: a long subject is the title's first 255 characters
    (the note itself carries all of it)."""
    return xml_text(text)[:PROPERTY_LIMIT]


def _special(classes: frozenset[str]) -> str | None:
    """The paragraph style a class such as ``talking-points`` asks for."""
    return next((LIST_STYLE_FOR_CLASS[c] for c in sorted(classes) if c in LIST_STYLE_FOR_CLASS), None)


def _start(ol: etree.Element) -> int:
    """Where a numbered list starts (``3. …`` in the Markdown starts at 3)."""
    try:
        return max(int(ol.get("start", "1")), 0)
    except ValueError:
        return 1
