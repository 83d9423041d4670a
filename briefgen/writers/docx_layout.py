"""Table geometry for the DOCX writer: column widths, lines to sign on, cell alignment.

Pure functions over python-docx tables and the element tree's rows, so the
writer itself only decides what a table is (data, header block, signature lines).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Length, Pt
from docx.table import Table

from briefgen.writers import ooxml

# A label column fits its longest label on one line ("État de l’approbation :"):
# about 5.6 pt a character of bold 11 pt Arial, plus the cell margins.
LABEL_CHAR, CELL_PADDING = Pt(5.6), Inches(0.15)
LABEL_MIN = Inches(1.5)          # the header block's labels line up with the signature lines'
SIGNATURE_ROW = Pt(20)           # room to sign on, above the cell's bottom border
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT}


def data_columns(table: Table, rows: list[etree.Element], text_width: Length) -> None:
    """Columns as wide as their text asks (by the square root of its length, so that
    short option titles leave their room to the pros and cons), across the page."""
    lengths = [sum(len("".join(tr[i].itertext())) for tr in rows if len(tr) > i)
               for i in range(len(table.columns))]
    weights = [max(n, 1) ** 0.5 for n in lengths]
    _widths(table, [int(text_width * weight / sum(weights)) for weight in weights])


def label_columns(table: Table, rows: list[etree.Element], text_width: Length,
                  lines: bool) -> None:
    """Label | value pairs: each label column as wide as its longest label (the first
    at least LABEL_MIN); the values share the rest, as text or as lines to sign on."""
    labels = []
    for index in range(0, len(table.columns), 2):
        longest = max(len("".join(tr[index].itertext()).strip()) for tr in rows if len(tr) > index)
        fit = LABEL_CHAR * longest + CELL_PADDING
        labels.append(min(max(LABEL_MIN, fit) if index == 0 else fit, text_width // 3))
    value = (text_width - sum(labels)) // len(labels)
    _widths(table, [width for label in labels for width in (label, value)])
    if lines:
        for row in table.rows:
            row.height, row.height_rule = SIGNATURE_ROW, WD_ROW_HEIGHT_RULE.AT_LEAST
            for index, cell in enumerate(row.cells):
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
                if index % 2:
                    ooxml.set_bottom_border(cell)


def _widths(table: Table, widths: list[int]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width


def cell_alignment(cell: etree.Element) -> WD_ALIGN_PARAGRAPH | None:
    """A pipe-table column's alignment (``|--:|``), as Python-Markdown marks it."""
    align = cell.get("align")
    if not align:
        match = re.search(r"text-align:\s*(\w+)", cell.get("style", ""))
        align = match.group(1) if match else None
    return _ALIGN.get(align or "")
