"""Briefs → rows of a portal list: one row per note, its English and French versions joined.

A note's English and French briefs share a tracking number; the row takes
each language's text from the brief in that language and the rest from
either, and the two must agree where both say something.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.disclosure.schema import BRIEFING_TITLES, PURPOSE_ACTIONS, QP_NOTES, Table
from briefgen.errors import InputError, shown_path
from briefgen.models import LANGUAGE_NAMES, LANGUAGES, Brief, Department
from briefgen.note.citations import sub_clusters
from briefgen.readers import Lines

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Brief fields the portal's text columns come from, where the names differ.
_SOURCES = {"reference_number": "tracking_number", "question": "issue",
            "response": "key_messages", "background": "background"}
# What to write when a required column is empty (see schema.problems).
ASKS = {
    "tracking_number": "give the note its tracking_number",
    "reference_number": "give the note its tracking_number (the portal's reference number)",
    "title_en": "give the English title as title_en, or add the English version of this "
                "note (lang: en, same tracking_number)",
    "title_fr": "give the French title as title_fr, or add the French version of this note "
                "(lang: fr, same tracking_number)",
    "originating_sector_en": "give originating_sector_en, or set it for every note under "
                             "[department] in briefgen.toml",
    "originating_sector_fr": "give originating_sector_fr, or set it for every note under "
                             "[department] in briefgen.toml",
    "addressee": "give addressee (M: Minister, D: Deputy head), or set it for every note "
                 "under [department] in briefgen.toml",
    "action_required": "give purpose (information, decision or signature) or "
                       "action_required (I, D or S)",
    "minister": "give minister (the portal's code, such as MPS), or set it for every note "
                "under [department] in briefgen.toml",
    "response_en": "give key_messages: the suggested response",
    "response_fr": "give key_messages: the suggested response",
    "background_en": "give background",
    "background_fr": "give background",
}


@dataclass(frozen=True)
class Entry:
    """One brief read for the export, with its language."""

    path: Path
    brief: Brief
    lines: Lines
    lang: str

    def error(self, message: str, field: str) -> InputError:
        return InputError(message, file=self.path, line=self.lines.get((field,)), field=field)


@dataclass
class Row:
    """One note: its briefs by language and the value of each column."""

    entries: dict[str, Entry]
    values: dict[str, str]

    @property
    def key(self) -> str:
        return next(iter(self.entries.values())).brief.tracking_number or ""

    def entry_for(self, column: str) -> Entry:
        """The brief a column's value comes from: the one in the column's language, if any."""
        lang = column.rpartition("_")[2]
        return self.entries.get(lang) or next(iter(self.entries.values()))


def table_for(brief: Brief) -> Table | None:
    """The list a brief belongs to: QP notes, none for media lines, else briefing titles."""
    if brief.type == "media-lines":
        return None
    return QP_NOTES if brief.type == "qp-note" else BRIEFING_TITLES


def public_text(text: str | None) -> str:
    """Markdown as the portal publishes it: without the citations, which stay internal."""
    return sub_clusters(text or "", lambda cites: "", note_style=True).strip()


def source_field(column: str, entry: Entry) -> str:
    """The brief field a column's value comes from (its title may be the subject)."""
    base, _, lang = column.rpartition("_")
    if column in ("title_en", "title_fr") and lang == entry.lang and not getattr(entry.brief, column):
        return "subject"
    if column == "date_received" and entry.brief.date_received is None:
        return "date"
    return _SOURCES.get(base if lang in LANGUAGES else column, column)


def value(column: str, entry: Entry, department: Department) -> str:
    """What one brief says for a column; empty where it says nothing."""
    brief, base, lang = entry.brief, *column.rpartition("_")[::2]
    if lang in LANGUAGES and base in ("question", "response", "background"):
        if lang != entry.lang:
            return ""
        if base == "response":
            return "\n".join(f"* {public_text(line)}" for line in brief.key_messages)
        return public_text(brief.issue if base == "question" else brief.background)
    if base == "title" and lang in LANGUAGES:
        return getattr(brief, column) or (brief.subject if lang == entry.lang else "")
    if base == "additional_information" and lang in LANGUAGES:
        return public_text(getattr(brief, column))
    return _plain(column, brief, department)


def _plain(column: str, brief: Brief, department: Department) -> str:
    if column in ("tracking_number", "reference_number"):
        return brief.tracking_number or ""
    if column == "date_received":
        return (brief.date_received or brief.date).isoformat()
    if column == "action_required":
        return brief.action_required or PURPOSE_ACTIONS[brief.purpose or _type_purpose(brief.type)]
    found: Any = getattr(brief, column) or getattr(department, column, None)
    return found or ""


def _type_purpose(name: str) -> str:
    from briefgen.note.notetypes import BUILTIN  # templates and Jinja: only when needed

    kind = BUILTIN.get(name)
    return kind.purpose if kind and kind.purpose else "information"


Problem = tuple[list[Entry], InputError]     # the briefs it concerns, and the error


def join(table: Table, entries: list[Entry], department: Department
         ) -> tuple[list[Row], list[Problem]]:
    """Rows by tracking number, and problems: a number used twice, versions that disagree."""
    groups: dict[str, dict[str, Entry]] = {}
    problems: list[Problem] = []
    for entry in entries:
        key = entry.brief.tracking_number or f"\0{entry.path}"
        group = groups.setdefault(key, {})
        twin = next(iter(group.values()), None)
        if twin is not None and (entry.lang in group or twin.brief.type != entry.brief.type):
            other = group.get(entry.lang, twin)
            problems.append(([entry, other], entry.error(
                f"tracking number {key!r} is also used by {shown_path(other.path)}; only the "
                "English and French versions of one note share a number", "tracking_number")))
            continue
        group[entry.lang] = entry
    rows = []
    for group in groups.values():
        row = Row(dict(sorted(group.items())), {})
        for column in table.ids:
            row.values[column] = _agree(row, column, department, problems)
        rows.append(row)
    return rows, problems


def _agree(row: Row, column: str, department: Department, problems: list[Problem]) -> str:
    """The column's value; an error when the two versions give different ones."""
    given = [(entry, value(column, entry, department)) for entry in row.entries.values()]
    given = [(entry, text) for entry, text in given if text]
    if not given:
        return ""
    chosen = next(((e, t) for e, t in given if e.lang == column[-2:]), given[0])
    for entry, text in given:
        if text != chosen[1]:
            problems.append((list(row.entries.values()), entry.error(
                f"{text!r} here but {chosen[1]!r} in {shown_path(chosen[0].path)}; the English "
                "and French versions of a note must agree", source_field(column, entry))))
    return chosen[1]


def missing_versions(table: Table, row: Row) -> Iterator[InputError]:
    """A QP note is published in both languages at once: its other version must exist."""
    if table is not QP_NOTES:
        return
    for lang in LANGUAGES:
        if lang not in row.entries:
            entry = next(iter(row.entries.values()))
            yield entry.error(
                f"this QP note has no {LANGUAGE_NAMES[lang]} version: add a qp-note with "
                f"lang: {lang} and tracking_number: {row.key or '…'}; the portal publishes "
                "both in one row", "tracking_number" if row.key else "lang")


def formula_cells(brief: Brief, lang: str) -> Iterator[tuple[str, str]]:
    """Texts of a brief the export publishes that a spreadsheet would run as a formula."""
    table = table_for(brief)
    if table is None:
        return
    entry = Entry(Path(), brief, {}, lang)
    for column in table.ids:
        if column in ("date_received", "response_en", "response_fr"):
            continue                     # a date; a list of "* " lines
        text = value(column, entry, Department())
        if text.startswith(FORMULA_STARTS):
            yield source_field(column, entry), text
