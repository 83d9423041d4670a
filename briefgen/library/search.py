"""Finding records again: ``briefgen sources list``, ``show`` and ``search``.

All three read the library through the source index (``.briefgen/index.sqlite``),
so they stay fast on a library of thousands of records. Files that cannot be
read are reported as warnings; the others are still listed and searched.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import InputError
from briefgen.library.index import Hit, Index, index_path, open_index
from briefgen.models import SourceRecord
from briefgen.workspace import Workspace

log = logging.getLogger("briefgen")


@dataclass
class Filters:
    """``sources list`` options: a record must match every one that is given."""

    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    since: dt.date | None = None      # on the published date, else the date added
    until: dt.date | None = None
    classification: str | None = None

    def match(self, record: SourceRecord, level: str) -> bool:
        when = record.date or record.added
        return ((not self.tags or any(tag in record.tags for tag in self.tags))
                and (not self.kinds or record.kind in self.kinds)
                and (self.since is None or (when is not None and when >= self.since))
                and (self.until is None or (when is not None and when <= self.until))
                and (self.classification is None or level == self.classification))


@contextmanager
def _index(ws: Workspace, refresh: bool = True) -> Iterator[Index]:
    """The index, brought up to date unless the caller knows no file changed since the
    last refresh (``briefgen serve`` watches the folder): skips checking every file."""
    if not ws.sources_dir.is_dir():
        raise InputError("no sources/ folder: add a record first (briefgen sources add)",
                         file=ws.root)
    if not refresh and index_path(ws.root).is_file():
        with Index(index_path(ws.root), ws.sources_dir) as index:
            yield index
        return
    with open_index(ws.root, ws.sources_dir) as index:
        for problem in index.problems():
            log.warning("warning: %s (left out)", problem.error)
        yield index


def records(ws: Workspace, filters: Filters | None = None) -> list[tuple[SourceRecord, Path]]:
    """The records matching ``filters``, newest first (by published date, else date added)."""
    filters = filters or Filters()
    if filters.classification:
        filters.classification = _level(ws, filters.classification)
    with _index(ws) as index:
        found = [(record, path) for record, path in index.valid()
                 if filters.match(record, _level_of(ws, record))]
    found.sort(key=lambda item: item[0].id)
    found.sort(key=lambda item: item[0].date or item[0].added or dt.date.min, reverse=True)
    return found


def matching(ws: Workspace, ids: list[str], filters: Filters, refresh: bool = True) -> set[str]:
    """Those of ``ids`` whose record matches ``filters``: one indexed lookup per id, so
    filtering a page of search hits costs the same in any library."""
    if filters.classification:
        filters.classification = _level(ws, filters.classification)
    with _index(ws, refresh) as index:
        return {record.id for key in dict.fromkeys(ids) for record, _ in index.valid(key)
                if filters.match(record, _level_of(ws, record))}


def _level_of(ws: Workspace, record: SourceRecord) -> str:
    if not record.classification:
        return ws.default_level
    try:
        return ws.scale.normalise(record.classification)
    except ValueError:
        return record.classification       # the build reports an unknown level


def _level(ws: Workspace, level: str) -> str:
    try:
        return ws.scale.normalise(level)
    except ValueError as err:
        raise InputError(f"--classification: {err}") from None


def table(found: list[tuple[SourceRecord, Path]], width: int | None = None) -> list[str]:
    """One line per record: id, kind, date, title (cut to ``width`` characters if given)."""
    if not found:
        return []
    rows = [(record.id, record.kind, (record.date or record.added or "").__str__(), record.title)
            for record, _ in found]
    widths = [max(len(row[i]) for row in [("ID", "KIND", "DATE", ""), *rows]) for i in range(3)]
    lines = []
    for row in [("ID", "KIND", "DATE", "TITLE"), *rows]:
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3]
        if width and len(line) > width:
            line = line[: width - 1] + "…"
        lines.append(line)
    return lines


def find(ws: Workspace, key: str) -> tuple[SourceRecord, Path]:
    """One record by id; an unknown id is an error that suggests the closest ones."""
    with _index(ws) as index:
        found = index.valid(key)
        ids = [] if found else [row[1] for row in index.fields() if row[1] is not None]
    if not found:
        close = difflib.get_close_matches(key, ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"no record {key!r} in the library{hint}")
    return found[0]


def search(ws: Workspace, query: str, limit: int = 20, syntax: bool = False,
           mark: tuple[str, str] = ("**", "**"), refresh: bool = True) -> list[Hit]:
    """Records holding every word of ``query`` (title, summary, text, quotes), best first,
    each with a passage in which the words are marked; ``limit`` of them at most."""
    if limit < 1:
        raise InputError(f"--limit: {limit} will not do; give the number of records to print, "
                         "1 or more")
    with _index(ws, refresh) as index:
        hits = index.hits(query, limit, syntax, mark)
    return [dataclasses.replace(hit, passage=_one_line(hit.passage)) for hit in hits]


def _one_line(passage: str) -> str:
    """A passage on one line: its lines (separate quotes, paragraphs) joined by " / "."""
    return " / ".join(" ".join(line.split()) for line in passage.splitlines() if line.strip())
