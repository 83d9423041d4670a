"""Table geometry for the DOCX writer: column widths, lines to sign on, cell alignment.

Pure functions over a table's ``w:tbl`` element and the element tree's rows, so
the writer itself only decides what a table is (data, header block, signature lines).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from docx.shared import Inches, Pt
from lxml.etree import _Element

from briefgen.writers import ooxml

# A label column fits its longest label on one line ("État de l’approbation :"):
# about 5.6 pt a character of bold 11 pt Arial, plus the cell margins.
LABEL_CHAR, CELL_PADDING = Pt(5.6), Inches(0.15)
LABEL_MIN = Inches(1.5)          # the header block's labels line up with the signature lines'
SIGNATURE_ROW = Pt(20)           # room to sign on, above the cell's bottom border
_ALIGN = ("left", "center", "right")        # Word's w:jc values of the same names


def data_columns(tbl: _Element, rows: list[etree.Element], columns: int, text_width: int) -> None:
    """Columns as wide as their text asks (by the square root of its length, so that
    short option titles leave their room to the pros and cons), across the page."""
    lengths = [sum(len("".join(tr[i].itertext())) for tr in rows if len(tr) > i)
               for i in range(columns)]
    weights = [max(n, 1) ** 0.5 for n in lengths]
    ooxml.column_widths(tbl, [int(text_width * weight / sum(weights)) for weight in weights])


def label_columns(tbl: _Element, rows: list[etree.Element], columns: int, text_width: int,
                  lines: bool) -> None:
    """Label | value pairs: each label column as wide as its longest label (the first
    at least LABEL_MIN); the values share the rest, as text or as lines to sign on."""
    labels = []
    for index in range(0, columns, 2):
        longest = max(len("".join(tr[index].itertext()).strip()) for tr in rows if len(tr) > index)
        fit = LABEL_CHAR * longest + CELL_PADDING
        labels.append(min(max(LABEL_MIN, fit) if index == 0 else fit, text_width // 3))
    value = (text_width - sum(labels)) // len(labels)
    ooxml.column_widths(tbl, [width for label in labels for width in (label, value)])
    if lines:
        for tr in tbl.iterfind(ooxml.TR):
            ooxml.row_height_at_least(tr, SIGNATURE_ROW)
            for index, tc in enumerate(tr.iterfind(ooxml.TC)):
                ooxml.cell_bottom(tc)
                if index % 2:
                    ooxml.set_bottom_border(tc)


def cell_alignment(cell: etree.Element) -> str | None:
    """A pipe-table column's alignment (``|--:|``), as Python-Markdown marks it."""
    align = cell.get("align")
    if not align:
        match = re.search(r"text-align:\s*(\w+)", cell.get("style", ""))
        align = match.group(1) if match else None
    return align if align in _ALIGN else None
