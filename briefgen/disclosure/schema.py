"""The portal's two proactive-disclosure lists, column by column.

Written out here from the Open Government Portal's table definitions
(``briefingt.yaml`` and ``qpnotes.yaml`` in open-data/ckanext-canada) so that
briefgen needs nothing from the network or from that project at run time.
tests/test_disclosure_schema.py compares every column with copies of those
files (tests/fixtures/disclosure/): a column changed or added upstream fails a test.
The minister codes, which change with every cabinet, are package data
(``ministers.json``, taken from the portal's ``choices/minister.json``).

This module imports nothing from briefgen: the models use its code lists.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Codes → (English, French) labels, as the portal lists them (its short forms).
ADDRESSEES: dict[str, tuple[str, str]] = {
    "M": ("Minister", "Ministre"),
    "D": ("Deputy head or equivalent", "Administrateurs généraux ou équivalent"),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "I": ("For Information", "Pour Information"),
    "D": ("For Decision", "Décision attendue"),
    "S": ("For Signature", "Pour Signature"),
}
# A brief's purpose line → its action_required code.
PURPOSE_ACTIONS = {"information": "I", "decision": "D", "signature": "S"}


@cache
def ministers() -> dict[str, tuple[str, str]]:
    """Minister codes → (English, French) titles; read once, when a code is first checked."""
    data = json.loads((Path(__file__).parent / "ministers.json").read_text(encoding="utf-8"))
    return {code: (titles["en"], titles["fr"]) for code, titles in data.items()}


@dataclass(frozen=True)
class Column:
    """One column of a portal list, with the rules its schema sets on the values."""

    id: str
    type: str = "text"                 # the schema's datastore_type: text or date
    required: bool = False
    choices: str | None = None         # "addressee", "action" or "minister": see codes()
    max_chars: int | None = None
    no_comma: bool = False             # the table's trigger refuses a comma
    both_with: str | None = None       # this and that column: both languages or neither


@dataclass(frozen=True)
class Table:
    """A list the portal takes as one CSV file."""

    kind: str                          # the name on briefgen's command line
    resource: str                      # the portal's resource name
    columns: tuple[Column, ...]
    both_since: dt.date | None = None  # date_received from which both_with applies

    @property
    def ids(self) -> list[str]:
        return [column.id for column in self.columns]


def codes(choices: str) -> dict[str, tuple[str, str]]:
    """The codes a column takes, with their English and French labels."""
    return {"addressee": ADDRESSEES, "action": ACTIONS}.get(choices) or ministers()


def _pair(name: str, required: bool = True) -> tuple[Column, Column]:
    """A text in English and in French."""
    return Column(f"{name}_en", required=required), Column(f"{name}_fr", required=required)


BRIEFING_TITLES = Table(
    "briefing-titles", "briefingt",         # Briefing Note Titles and Numbers
    (Column("tracking_number", required=True, no_comma=True),
     *_pair("title"),
     *_pair("originating_sector"),
     Column("addressee", required=True, choices="addressee"),
     Column("date_received", type="date", required=True),
     Column("action_required", required=True, choices="action"),
     Column("additional_information_en", both_with="additional_information_fr"),
     Column("additional_information_fr", both_with="additional_information_en")),
    both_since=dt.date(2026, 2, 1))

QP_NOTES = Table(
    "qp-notes", "qpnotes",                  # Question Period Notes
    (Column("reference_number", required=True, no_comma=True),
     *_pair("title"),
     Column("minister", required=True, choices="minister"),
     *_pair("question", required=False),
     Column("date_received", type="date", required=True),
     *_pair("response"),
     *_pair("background"),
     *_pair("additional_information", required=False)))

TABLES = {table.kind: table for table in (BRIEFING_TITLES, QP_NOTES)}


def problems(table: Table, row: dict[str, str], asks: dict[str, str] | None = None
             ) -> list[tuple[str, str]]:
    """Each (column, message) where a row breaks the table's rules; empty when it is valid.

    ``asks`` says, for a required column left empty, what to write and where.
    """
    found = []
    for column in table.columns:
        value = row.get(column.id, "")
        message = _problem(table, column, value, row, (asks or {}).get(column.id))
        if message:
            found.append((column.id, message))
    return found


def _problem(table: Table, column: Column, value: str, row: dict[str, str],
             ask: str | None) -> str | None:
    if not value:
        other = column.both_with
        if other and row.get(other) and _pairs_apply(table, row):
            return (f"{other} is given but {column.id} is not; the portal takes additional "
                    f"information in both languages or neither (notes received from "
                    f"{table.both_since})")
        if not column.required:
            return None
        return f"required by the portal ({table.resource}.{column.id}): {ask or 'give it a value'}"
    if column.type == "date" and not _is_date(value):
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if column.choices and value not in codes(column.choices):
        return f"{value!r} is not a code the portal takes; codes: {', '.join(codes(column.choices))}"
    if column.max_chars is not None and len(value) > column.max_chars:
        return f"{len(value)} characters; the portal takes {column.max_chars} at most"
    if column.no_comma and "," in value:
        return f"{value!r} has a comma, which the portal does not allow in a {column.id}"
    return None


def _pairs_apply(table: Table, row: dict[str, str]) -> bool:
    if table.both_since is None:
        return True
    received = row.get("date_received", "")
    return _is_date(received) and dt.date.fromisoformat(received) >= table.both_since


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and dt.date.fromisoformat(value) is not None
    except ValueError:
        return False
