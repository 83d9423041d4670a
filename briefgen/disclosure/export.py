"""``briefgen export disclosure``: a month's list for the Open Government Portal, as CSV.

Reads every brief, keeps the notes of the list and period asked for, joins
their English and French versions into rows, checks every row against the
portal's rules and writes the CSV only when all of them pass: UTF-8 with a
byte order mark (as the portal's own files), the schema's column names as the
header, rows by tracking number, lines ending in CRLF.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.disclosure import rows as rowing
from briefgen.disclosure.schema import TABLES, Table, problems
from briefgen.errors import BriefgenError, InputError, InputErrors, NoBriefs, OutputError, shown_path
from briefgen.readers import read_brief
from briefgen.workspace import Workspace

WHAT = {"briefing-titles": "briefing notes", "qp-notes": "QP notes"}


@dataclass(frozen=True)
class Period:
    """The days whose notes a list holds: a month, or for QP notes the sittings ending in it."""

    month: str              # YYYY-MM, as asked
    first: dt.date
    last: dt.date

    def holds(self, entries: list[rowing.Entry]) -> bool:
        return any(self.first <= (e.brief.date_received or e.brief.date) <= self.last
                   for e in entries)


@dataclass(frozen=True)
class Result:
    path: Path | None       # None: no notes in the period, nothing written
    rows: int
    period: Period


def period(kind: str, month: str) -> Period:
    """``--month``: a real month; for QP notes, June or December (the Act's two periods)."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", month)     # ASCII: it names the file
    number = int(match[2]) if match else 0
    if not match or not 1 <= number <= 12 or int(match[1]) < 1:
        raise InputError(f"--month {month} is not a month; write it as YYYY-MM, e.g. 2025-04")
    year = int(match[1])
    if kind == "qp-notes":
        if number not in (6, 12):
            raise InputError(f"--month {month}: QP notes are published for the sittings that "
                             f"end in June and December; use --month {year}-06 or {year}-12")
        return Period(month, dt.date(year, number - 5, 1), dt.date(year, number, 30 + (number == 12)))
    last = calendar.monthrange(year, number)[1]
    return Period(month, dt.date(year, number, 1), dt.date(year, number, last))


def output_path(ws: Workspace, kind: str, month: str, out: Path | None) -> Path:
    """``--out`` inside the workspace, in a folder that exists; default out/disclosure-….csv."""
    if out is None:
        return ws.inside(Path("out") / f"disclosure-{kind}-{month}.csv", "output file")
    path = ws.inside(out, "output file")
    if path.is_dir():
        raise OutputError(f"{shown_path(path)} is a folder; give --out a file name, such as "
                          f"{shown_path(path / f'disclosure-{kind}-{month}.csv')}")
    if out.suffix.lower() != ".csv":
        raise OutputError(f"--out {out} is not a .csv file; give a file name ending in .csv, "
                          f"such as disclosure-{kind}-{month}.csv")   # never a brief or settings
    if not path.parent.is_dir():
        raise OutputError(f"the folder {shown_path(path.parent)} does not exist; create it, "
                          "or give --out a file in a folder that exists")
    return path


def export(ws: Workspace, kind: str, month: str, out: Path | None = None) -> Result:
    """Check every row of the period's list, then write it; on any problem write nothing."""
    table = TABLES[kind]
    when = period(kind, month)
    path = output_path(ws, kind, month, out)
    entries, found = _entries(ws, table)
    rows, joined = rowing.join(table, entries, ws.settings.department)
    found += [error for concerned, error in joined if when.holds(concerned)]
    rows = sorted((row for row in rows if when.holds(list(row.entries.values()))),
                  key=lambda row: (row.key, [e.path for e in row.entries.values()]))
    for row in rows:
        found += _check(table, row)
    if found:
        raise InputErrors(found, f"the {kind} list for {month}")
    if not rows:
        return Result(None, 0, when)
    from briefgen.builder import Output, write_atomically

    write_atomically([Output(path, to_csv(table, [row.values for row in rows]))])
    return Result(path, len(rows), when)


def _entries(ws: Workspace, table: Table) -> tuple[list[rowing.Entry], list[BriefgenError]]:
    """Every brief that belongs to the list; the briefs that cannot be read, as errors."""
    try:
        paths = ws.brief_paths([])
    except NoBriefs:
        return [], []                    # no briefs at all: nothing to publish
    entries: list[rowing.Entry] = []
    errors: list[BriefgenError] = []
    for path in paths:
        try:
            brief, lines = read_brief(path)
        except BriefgenError as err:
            errors.append(err)
            continue
        if rowing.table_for(brief) is table:
            entries.append(rowing.Entry(path, brief, lines, brief.lang or ws.settings.language))
    return entries, errors


def _check(table: Table, row: rowing.Row) -> list[BriefgenError]:
    """The row against the portal's rules, each problem at the brief and field to change."""
    missing = list(rowing.missing_versions(table, row))
    absent = {lang for lang in ("en", "fr") if lang not in row.entries} if missing else set()
    found: list[BriefgenError] = list(missing)
    for column, message in problems(table, row.values, rowing.ASKS):
        if column[-2:] in absent:
            continue                      # the missing version says it
        entry = row.entry_for(column)
        found.append(entry.error(message, rowing.source_field(column, entry)))
    return found


def to_csv(table: Table, rows: list[dict[str, str]]) -> bytes:
    """The portal's CSV: its column names, then one line per row; UTF-8 with a BOM, CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.ids)
    writer.writerows([row[column] for column in table.ids] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
