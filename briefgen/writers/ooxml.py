"""WordprocessingML built with lxml: paragraphs, runs, footnotes, fields, lists, tables.

Each helper appends or sets exactly what Word's schema asks for, in the
schema's child order, so the DOCX writer never searches an element for where
a child goes (python-docx's generic insertion did that for every run). The
markup matches what python-docx writes for the same calls, attribute for
attribute, so a note's bytes do not depend on which of the two built it.
The package around the parts is in :mod:`briefgen.writers.ooxml_package`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "{%s}" % W_NS


def w(name: str) -> str:
    """The Clark name of a ``w:`` element or attribute."""
    return _W + name


P, PPR, PSTYLE, R, RPR, RSTYLE, T = w("p"), w("pPr"), w("pStyle"), w("r"), w("rPr"), w("rStyle"), w("t")
TBL, TR, TC, BODY, SECT_PR = w("tbl"), w("tr"), w("tc"), w("body"), w("sectPr")
VAL, ID = w("val"), w("id")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
R_ID = "{%s}id" % R_NS
EMU_PER_TWIP = 635
_SubElement = etree.SubElement

# Schema order of the properties this writer sets (CT_PPr, CT_TrPr, CT_TcPr, CT_TblPr).
_PPR_ORDER = {w(n): i for i, n in enumerate((
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange"))}
_TRPR_ORDER = {w(n): i for i, n in enumerate((
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
    "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange"))}
_TCPR_ORDER = {w(n): i for i, n in enumerate((
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
    "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel",
    "cellMerge", "tcPrChange"))}
_TBLPR_ORDER = {w(n): i for i, n in enumerate((
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange"))}


def _child(parent: etree._Element, tag: str, order: dict[str, int]) -> etree._Element:
    """``parent``'s ``tag`` child, made where the schema puts it when there is none."""
    found = parent.find(tag)
    if found is not None:
        return found
    rank = order[tag]
    for index, existing in enumerate(parent):
        if order.get(existing.tag, -1) > rank:
            new = parent.makeelement(tag, {})
            parent.insert(index, new)
            return new
    return _SubElement(parent, tag)


def twips(emu: int) -> int:
    """A length in EMU as Word's twentieths of a point, rounded as python-docx rounds."""
    return int(round(emu / float(EMU_PER_TWIP)))


# Paragraphs -------------------------------------------------------------------

def paragraph(parent: etree._Element, style_id: str) -> etree._Element:
    """A new ``w:p`` in paragraph style ``style_id`` at the end of ``parent``."""
    p = _SubElement(parent, P)
    _SubElement(_SubElement(p, PPR), PSTYLE).set(VAL, style_id)
    return p


def first_paragraph(parent: etree._Element) -> etree._Element | None:
    """The first ``w:p`` of a table cell, header or footer."""
    return parent.find(P)


def bare_paragraph(parent: etree._Element) -> etree._Element:
    """A new ``w:p`` with no properties yet (a further paragraph in a table cell)."""
    return _SubElement(parent, P)


def set_style(p: etree._Element, style_id: str) -> None:
    """The paragraph style of ``p`` (a table cell's empty paragraph, say)."""
    if len(p) == 0:
        _SubElement(_SubElement(p, PPR), PSTYLE).set(VAL, style_id)
        return
    ppr = p.find(PPR)
    if ppr is None:
        ppr = etree.Element(PPR)
        p.insert(0, ppr)
    _child(ppr, PSTYLE, _PPR_ORDER).set(VAL, style_id)


def _ppr(p: etree._Element, tag: str) -> etree._Element:
    ppr = p.find(PPR)
    if ppr is None:
        ppr = etree.Element(PPR)
        p.insert(0, ppr)
    return _child(ppr, w(tag), _PPR_ORDER)


def keep_with_next(p: etree._Element) -> None:
    _ppr(p, "keepNext")


def space_before(p: etree._Element, emu: int) -> None:
    _ppr(p, "spacing").set(w("before"), str(twips(emu)))


def tight_lines(p: etree._Element) -> None:
    """No space after, single line spacing: a list set as compactly as a table cell."""
    spacing = _ppr(p, "spacing")
    spacing.set(w("after"), "0")
    spacing.set(w("line"), "240")
    spacing.set(w("lineRule"), "auto")


def indent(p: etree._Element, left: int, hanging: int | None = None) -> None:
    """Left indent (EMU) and, for a bullet, the hanging first line."""
    ind = _ppr(p, "ind")
    ind.set(w("left"), str(twips(left)))
    if hanging is not None:
        ind.set(w("hanging"), str(twips(hanging)))


def align(p: etree._Element, jc: str) -> None:
    """``left``, ``center`` or ``right``."""
    _ppr(p, "jc").set(VAL, jc)


def set_numbering(p: etree._Element, num_id: int, level: int) -> None:
    num_pr = _ppr(p, "numPr")
    _SubElement(num_pr, w("ilvl")).set(VAL, str(level))
    _SubElement(num_pr, w("numId")).set(VAL, str(num_id))


# Runs -------------------------------------------------------------------------

@dataclass(frozen=True)
class Fmt:
    """Character formatting of a run; :func:`run_properties` turns it into ``w:rPr``."""

    bold: bool = False
    italic: bool = False
    style: str | None = None      # character style id
    superscript: bool = False
    lang: str | None = None       # a passage in another language: its w:lang


def run_properties(fmt: Fmt) -> etree._Element | None:
    """The ``w:rPr`` of ``fmt``, made once and copied into each run; None when plain."""
    if fmt == PLAIN:
        return None
    rpr = etree.Element(RPR, nsmap={"w": W_NS})
    if fmt.style:
        _SubElement(rpr, RSTYLE).set(VAL, fmt.style)
    if fmt.bold:
        _SubElement(rpr, w("b"))
    if fmt.italic:
        _SubElement(rpr, w("i"))
    if fmt.superscript:
        _SubElement(rpr, w("vertAlign")).set(VAL, "superscript")
    if fmt.lang:
        _SubElement(rpr, w("lang")).set(VAL, fmt.lang)
    return rpr


PLAIN = Fmt()


def run(parent: etree._Element, rpr: etree._Element | None = None) -> etree._Element:
    """A new ``w:r`` at the end of ``parent`` (a paragraph or hyperlink), with a copy of ``rpr``."""
    r = _SubElement(parent, R)
    if rpr is not None:
        r.append(rpr.__copy__())
    return r


def add_text(r: etree._Element, text: str) -> None:
    """``text`` as one ``w:t``, its edge spaces kept."""
    t = _SubElement(r, T)
    t.text = text
    if text[:1].isspace() or text[-1:].isspace():
        t.set(XML_SPACE, "preserve")


def add_content(r: etree._Element, text: str) -> None:
    """``text`` with each tab a ``w:tab`` and each line break a ``w:br`` (as pasted
    into Word); the text between as ``w:t``."""
    start = 0
    for index, char in enumerate(text):
        if char in "\t\r\n":
            if index > start:
                add_text(r, text[start:index])
            _SubElement(r, w("tab") if char == "\t" else w("br"))
            start = index + 1
    if start < len(text):
        add_text(r, text[start:])


def add_break(r: etree._Element) -> None:
    _SubElement(r, w("br"))


def text_run(parent: etree._Element, text: str) -> etree._Element:
    """A plain run holding ``text`` (tabs and line breaks as Word's own)."""
    r = _SubElement(parent, R)
    add_content(r, text)
    return r


# Footnotes, links, fields -----------------------------------------------------

def footnote_reference(p: etree._Element, note_id: int, ref_style: str) -> None:
    """The footnote mark in the text: a run styled ``ref_style`` pointing at note ``note_id``."""
    r = _SubElement(p, R)
    _SubElement(_SubElement(r, RPR), RSTYLE).set(VAL, ref_style)
    _SubElement(r, w("footnoteReference")).set(ID, str(note_id))


def footnote(footnotes: etree._Element, note_id: int, text_style: str,
             ref_style: str) -> etree._Element:
    """A new normal footnote; returns its paragraph, which starts with the number mark."""
    note = _SubElement(footnotes, w("footnote"))
    note.set(ID, str(note_id))
    p = paragraph(note, text_style)
    mark = _SubElement(p, R)
    _SubElement(_SubElement(mark, RPR), RSTYLE).set(VAL, ref_style)
    _SubElement(mark, w("footnoteRef"))
    add_text(_SubElement(p, R), " ")
    return p


def footnote_paragraph(p: etree._Element, text_style: str) -> etree._Element:
    """A further paragraph in the footnote that holds ``p``."""
    return paragraph(p.getparent(), text_style)


def hyperlink(p: etree._Element, r_id: str) -> etree._Element:
    """A ``w:hyperlink`` to relationship ``r_id``; its runs go inside it."""
    link = _SubElement(p, w("hyperlink"))
    link.set(R_ID, r_id)
    link.set(w("history"), "1")
    return link


def field(p: etree._Element, instruction: str, placeholder: str = "1") -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) that Word and LibreOffice update on open."""
    _SubElement(_SubElement(p, R), w("fldChar")).set(w("fldCharType"), "begin")
    instr = _SubElement(_SubElement(p, R), w("instrText"))
    instr.set(XML_SPACE, "preserve")
    instr.text = f" {instruction} "
    _SubElement(_SubElement(p, R), w("fldChar")).set(w("fldCharType"), "separate")
    text_run(p, placeholder)
    _SubElement(_SubElement(p, R), w("fldChar")).set(w("fldCharType"), "end")


# Lists ------------------------------------------------------------------------

def restart_numbering(numbering: etree._Element, num_id: int, level: int = 0,
                      start: int = 1) -> int:
    """A new ``w:num`` on the same list definition as ``num_id`` whose ``level``
    counts from ``start`` (every other level from 1); returns its id."""
    nums = numbering.findall(w("num"))
    used = {int(num.get(w("numId"))) for num in nums}
    new_id = next(n for n in range(1, len(nums) + 2) if n not in used)
    source = next(num for num in nums if num.get(w("numId")) == str(num_id))
    abstract_id = int(source.find(w("abstractNumId")).get(VAL))
    num = numbering.makeelement(w("num"), {w("numId"): str(new_id)})
    _SubElement(num, w("abstractNumId")).set(VAL, str(abstract_id))
    for ilvl in range(9):
        override = _SubElement(num, w("lvlOverride"))
        override.set(w("ilvl"), str(ilvl))
        _SubElement(override, w("startOverride")).set(VAL, str(start if ilvl == level else 1))
    cleanup = numbering.find(w("numIdMacAtCleanup"))
    if cleanup is None:
        numbering.append(num)
    else:
        cleanup.addprevious(num)
    return new_id


# Tables -----------------------------------------------------------------------

@dataclass
class Table:
    """A new table: its ``w:tbl``, its rows' ``w:tr`` and their cells' ``w:tc``."""

    tbl: etree._Element
    rows: list[etree._Element]
    cells: list[list[etree._Element]]   # row by row, each holding one empty paragraph


def table(parent: etree._Element, rows: int, columns: int, width: int, style_id: str) -> Table:
    """A ``rows`` × ``columns`` table in ``style_id`` across ``width`` EMU, columns of
    equal width."""
    tbl = _SubElement(parent, TBL)
    tbl_pr = _SubElement(tbl, w("tblPr"))
    _SubElement(tbl_pr, w("tblStyle")).set(VAL, style_id)
    _SubElement(tbl_pr, w("tblW"), {w("type"): "auto", w("w"): "0"})
    _SubElement(tbl_pr, w("tblLook"), {
        w("firstColumn"): "1", w("firstRow"): "1", w("lastColumn"): "0", w("lastRow"): "0",
        w("noHBand"): "0", w("noVBand"): "1", w("val"): "04A0"})
    column = str(twips(width // columns))
    grid = _SubElement(tbl, w("tblGrid"))
    for _ in range(columns):
        _SubElement(grid, w("gridCol")).set(w("w"), column)
    tc_pr, tc_w, cell_width = w("tcPr"), w("tcW"), {w("type"): "dxa", w("w"): column}
    made = Table(tbl, [], [])
    for _ in range(rows):
        tr = _SubElement(tbl, TR)
        made.rows.append(tr)
        row = []
        for _ in range(columns):
            tc = _SubElement(tr, TC)
            _SubElement(_SubElement(tc, tc_pr), tc_w, cell_width)
            _SubElement(tc, P)
            row.append(tc)
        made.cells.append(row)
    return made


def _tbl_pr(tbl: etree._Element, tag: str) -> etree._Element:
    return _child(tbl.find(w("tblPr")), w(tag), _TBLPR_ORDER)


def _tr_pr(tr: etree._Element, tag: str) -> etree._Element:
    tr_pr = tr.find(w("trPr"))
    if tr_pr is None:
        tr_pr = etree.Element(w("trPr"))
        tr.find(TC).addprevious(tr_pr)
    return _child(tr_pr, w(tag), _TRPR_ORDER)


def _tc_pr(tc: etree._Element, tag: str) -> etree._Element:
    return _child(tc.find(w("tcPr")), w(tag), _TCPR_ORDER)


def keep_row_together(tr: etree._Element) -> None:
    """A table row that never breaks across pages (an option and its pros and cons)."""
    _tr_pr(tr, "cantSplit")


def mark_header_row(tr: etree._Element) -> None:
    """Repeat the row on each page and tell screen readers it is the header."""
    _tr_pr(tr, "tblHeader")


def row_height_at_least(tr: etree._Element, emu: int) -> None:
    height = _tr_pr(tr, "trHeight")
    height.set(VAL, str(twips(emu)))
    height.set(w("hRule"), "atLeast")


def column_widths(tbl: etree._Element, widths: Sequence[int]) -> None:
    """Fixed column widths (EMU): the grid and every cell, which Word and LibreOffice
    each read."""
    _tbl_pr(tbl, "tblLayout").set(w("type"), "fixed")
    for col, width in zip(tbl.find(w("tblGrid")).findall(w("gridCol")), widths):
        col.set(w("w"), str(twips(width)))
    for tr in tbl.iterfind(TR):
        for tc, width in zip(tr.findall(TC), widths):
            tc_w = tc.find(w("tcPr")).find(w("tcW"))
            tc_w.set(w("type"), "dxa")
            tc_w.set(w("w"), str(twips(width)))


def cell_bottom(tc: etree._Element) -> None:
    """Text at the foot of the cell (on the line to sign on)."""
    _tc_pr(tc, "vAlign").set(VAL, "bottom")


def set_bottom_border(tc: etree._Element) -> None:
    """A line along the bottom of a table cell (a line to sign on)."""
    bottom = _SubElement(_tc_pr(tc, "tcBorders"), w("bottom"))
    for name, value in (("val", "single"), ("sz", "6"), ("space", "0"), ("color", "000000")):
        bottom.set(w(name), value)


def set_table_look(tbl: etree._Element, first_row: bool, first_column: bool) -> None:
    """Which of the table's edges are headings: a header row, a column of row labels.
    Word, Pandoc and screen readers take the first row as column headings when set."""
    look = _tbl_pr(tbl, "tblLook")
    flags = {"firstRow": first_row, "firstColumn": first_column, "lastRow": False,
             "lastColumn": False, "noHBand": False, "noVBand": True}
    for name, on in flags.items():
        look.set(w(name), "1" if on else "0")
    # The legacy bit mask Word 2007 reads: 0x20 first row, 0x80 first column, 0x400 no banding.
    mask = 0x20 * first_row + 0x80 * first_column + 0x400
    look.set(VAL, f"{mask:04X}")
