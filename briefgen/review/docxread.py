"""A DOCX as ``absorb`` reads it: paragraphs in order, footnotes, tracked changes, comments.

Only what mapping a note back to its brief needs: each paragraph's style and
text (a footnote reference stands in the text as one private-use character),
its bold and italic runs, and the table cell it sits in. Tracked changes are
read as accepted (insertions kept, deletions dropped) and listed apart, so the
caller decides whether to take them.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from briefgen.errors import InputError
from briefgen.review.package import OLE_MAGIC

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
MARK = 0xF0000                 # footnote n stands in the text as chr(MARK + n) (plane 15,
_STAND_INS = re.compile("[\U000f0000-\U0010ffff]")     # never text in a note: dropped)
MAX_PART = 64 * 1024 * 1024        # a part larger than this is not a note
MAX_NOTES = 0xFFFF                 # footnote references a note may hold (one plane of marks)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_REMOVED = {f"{{{W}}}del", f"{{{W}}}moveFrom"}
CHANGE_KINDS = {"ins": "inserted", "del": "deleted", "moveTo": "moved here",
                "moveFrom": "moved away"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Para:
    style: str                                      # its style's name, in lower case
    text: str = ""                                  # footnote references as chr(MARK + i)
    runs: list[tuple[str, bool, bool]] = field(default_factory=list)   # text, bold, italic
    cell: tuple[int, int, int] | None = None        # (table, row, column) when in a table


@dataclass(frozen=True)
class Change:
    kind: str
    author: str
    date: str
    text: str


@dataclass(frozen=True)
class Comment:
    author: str
    date: str
    anchor: str
    text: str


@dataclass
class Docx:
    paras: list[Para]
    notes: list[str]          # footnote texts; MARK + i in a paragraph refers to notes[i]
    keywords: str
    changes: list[Change]
    comments: list[Comment]


def read(path: Path) -> Docx:
    """The DOCX at ``path``; a file that is not one is a clear error."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", file=path) from None
    return parse(data, path)


def parse(data: bytes, path: Path) -> Docx:
    if data.startswith(OLE_MAGIC):
        raise InputError("the document is password-protected (or an old .doc file); save an "
                         "unprotected copy as .docx in Word and absorb that", file=path)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = {info.filename: info for info in package.infolist()}
        if "word/document.xml" not in parts:
            raise InputError("not a DOCX: it has no word/document.xml", file=path)

        def xml(name: str) -> etree._Element | None:
            if name not in parts:
                return None
            if parts[name].file_size > MAX_PART:
                raise InputError(f"{name} is over {MAX_PART // 2**20} MB; not a note", file=path)
            return etree.fromstring(package.read(name), _PARSER)

        document, footnotes, comments, core, styles = (
            xml("word/document.xml"), xml("word/footnotes.xml"), xml("word/comments.xml"),
            xml("docProps/core.xml"), xml("word/styles.xml"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError) as err:
        raise InputError(f"not a DOCX (a damaged or foreign file: {err})", file=path) from None
    except etree.XMLSyntaxError as err:
        raise InputError(f"a damaged DOCX: {err}", file=path) from None
    assert document is not None
    keywords = "" if core is None else (core.findtext(f"{{{CP}}}keywords") or "")
    note_text = _footnotes(footnotes)
    reader = _Body(note_text, _style_names(styles))
    body = document.find(w("body"))
    try:
        if body is not None:
            reader.block(body)
    except InputError as err:
        err.file = path
        raise
    return Docx(reader.paras, reader.notes, keywords, _changes(document),
                _comments(document, comments))


def _style_names(root: etree._Element | None) -> dict[str, str]:
    """Style id → name in lower case ("Heading1" → "heading 1"): a paragraph is known by
    its style's name, which Word keeps whatever id a reference document gives it."""
    names = {}
    for style in [] if root is None else root.iter(w("style")):
        name = style.find(w("name"))
        if name is not None:
            names[style.get(w("styleId"), "")] = name.get(w("val"), "").casefold()
    return names


def _footnotes(root: etree._Element | None) -> dict[str, str]:
    if root is None:
        return {}
    found = {}
    for note in root.iter(w("footnote")):
        if note.get(w("type")) in (None, "normal"):
            paras = [_plain(p) for p in note.iter(w("p"))]
            found[note.get(w("id"), "")] = "\n".join(p for p in paras if p).strip()
    return found


def _plain(el: etree._Element) -> str:
    """Text as accepted: deleted text and footnote marks left out."""
    out = []
    for node in el.iter(w("t"), w("tab"), w("br")):
        if any(a.tag in _REMOVED for a in node.iterancestors()):
            continue
        tag = etree.QName(node).localname
        out.append(node.text or "" if tag == "t" else "\t" if tag == "tab" else "\n")
    return "".join(out)


class _Body:
    """Walks the body in order: paragraphs, and paragraphs in table cells."""

    def __init__(self, note_text: dict[str, str], styles: dict[str, str]) -> None:
        self.note_text, self.styles = note_text, styles
        self.paras: list[Para] = []
        self.notes: list[str] = []
        self.tables = 0
        self.carry: Para | None = None

    def block(self, parent: etree._Element, cell: tuple[int, int, int] | None = None) -> None:
        for child in parent:
            if child.tag == w("p"):
                self.paragraph(child, cell)
            elif child.tag == w("tbl"):
                self.table(child)
            elif child.tag in (w("sdt"), w("customXml"), w("ins"), w("moveTo")):
                self.block(child.find(w("sdtContent")) if child.tag == w("sdt") else child, cell)

    def table(self, tbl: etree._Element) -> None:
        index, self.tables = self.tables, self.tables + 1
        for r, tr in enumerate(tbl.iter(w("tr"))):
            for c, tc in enumerate(tr.findall(w("tc"))):
                self.block(tc, (index, r, c))

    def paragraph(self, p: etree._Element, cell: tuple[int, int, int] | None) -> None:
        ppr = p.find(w("pPr"))
        style = "" if ppr is None or ppr.find(w("pStyle")) is None else \
            ppr.find(w("pStyle")).get(w("val"), "")
        para = Para(self.styles.get(style, style.casefold()), cell=cell)
        for r in p.iter(w("r")):
            if any(a.tag in _REMOVED for a in r.iterancestors()):
                continue
            rpr = r.find(w("rPr"))
            bold, italic = _on(rpr, "b"), _on(rpr, "i")
            for node in r:
                if node.tag == w("t"):
                    self.add(para, _STAND_INS.sub("", node.text or ""), bold, italic)
                elif node.tag == w("tab"):
                    self.add(para, "\t", bold, italic)
                elif node.tag in (w("br"), w("cr")):
                    self.add(para, "\n", bold, italic)
                elif node.tag == w("noBreakHyphen"):
                    self.add(para, "-", bold, italic)
                elif node.tag == w("footnoteReference"):
                    if len(self.notes) == MAX_NOTES:
                        raise InputError(f"more than {MAX_NOTES:,} footnote references; not a "
                                         "note")
                    self.notes.append(self.note_text.get(node.get(w("id"), ""), ""))
                    self.add(para, chr(MARK + len(self.notes) - 1), False, False)
        if self.carry is not None:        # the paragraph before lost its mark: one paragraph
            para.text, para.runs = self.carry.text + para.text, self.carry.runs + para.runs
            self.carry = None
        mark = None if ppr is None else ppr.find(w("rPr"))
        if mark is not None and (mark.find(w("del")) is not None
                                 or mark.find(w("moveFrom")) is not None):
            self.carry = para if para.text else None    # a deleted paragraph mark joins it on
        else:
            self.paras.append(para)

    @staticmethod
    def add(para: Para, text: str, bold: bool, italic: bool) -> None:
        para.text += text
        plain = not is_mark(text[:1]) and not (para.runs and is_mark(para.runs[-1][0][-1:]))
        if para.runs and para.runs[-1][1:] == (bold, italic) and plain:
            para.runs[-1] = (para.runs[-1][0] + text, bold, italic)
        else:
            para.runs.append((text, bold, italic))


def is_mark(char: str) -> bool:
    """A footnote reference's stand-in character."""
    return char != "" and MARK <= ord(char) < MARK + 0x10000


def _on(rpr: etree._Element | None, tag: str) -> bool:
    el = None if rpr is None else rpr.find(w(tag))
    return el is not None and el.get(w("val"), "true") not in ("0", "false", "off")


def _changes(document: etree._Element) -> list[Change]:
    """Tracked insertions, deletions and moves still pending, in document order."""
    found = []
    for el in document.iter(*(w(k) for k in CHANGE_KINDS)):
        parent = el.getparent()
        mark = parent is not None and parent.tag == w("rPr") and \
            parent.getparent() is not None and parent.getparent().tag == w("pPr")
        text = "¶" if mark else "".join(t.text or "" for t in el.iter(w("t"), w("delText")))
        if text:              # a paragraph mark's change splits or joins paragraphs: "¶"
            kind = CHANGE_KINDS[etree.QName(el).localname]
            found.append(Change(kind, el.get(w("author"), ""), el.get(w("date"), ""), text))
    return found


def _comments(document: etree._Element, part: etree._Element | None) -> list[Comment]:
    """Each comment with the text it is anchored to (its commentRangeStart…End)."""
    if part is None:
        return []
    anchors: dict[str, list[str]] = {}
    open_ids: set[str] = set()
    last = None
    for el in document.iter(w("commentRangeStart"), w("commentRangeEnd"), w("t")):
        if el.tag == w("commentRangeStart"):
            open_ids.add(el.get(w("id"), ""))
            anchors.setdefault(el.get(w("id"), ""), [])
        elif el.tag == w("commentRangeEnd"):
            open_ids.discard(el.get(w("id"), ""))
        elif el.tag == w("t") and open_ids:
            paragraph = next(el.iterancestors(w("p")), None)
            for ident in open_ids:            # a space where an anchor spans paragraphs
                anchors[ident].append(" " * (paragraph is not last) + (el.text or ""))
            last = paragraph
    found = []
    for comment in part.iter(w("comment")):
        ident = comment.get(w("id"), "")
        text = "\n".join(_plain(p) for p in comment.iter(w("p"))).strip()
        found.append(Comment(comment.get(w("author"), ""), comment.get(w("date"), ""),
                             " ".join("".join(anchors.get(ident, [])).split()), text))
    return found
