"""A note's page budget, measured on its real PDF (a build converts its PDFs in one run)."""
from __future__ import annotations

from typing import Any

from briefgen.errors import shown_path
from briefgen.note.composer import Note
from briefgen.workspace import Workspace


def page_budget(ws: Workspace, note: Note, data: bytes) -> Any:
    """A page-budget finding (by the note's brief, as findings name it) when the PDF runs
    over the budget of its type, else None."""
    from briefgen.note.check import Finding
    from briefgen.note.positions import layout
    from briefgen.readers import read_text
    from briefgen.writers.pdf import page_count

    budget = ws.settings.check.pages.get(note.brief.type)
    pages = page_count(data)
    if not budget or pages <= budget:
        return None
    span = layout(read_text(note.source)).spans.get(("type",))
    line, col = span.point(0) if span else (1, 1)
    return Finding(shown_path(note.source), line, col, "page-budget",
                   f"{pages} pages in the PDF; a {note.brief.type} should fit on {budget:g}",
                   "type")
