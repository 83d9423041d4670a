"""Reading the source index: each question answered by one query on an index of the
``files`` table or the FTS5 table, never by a Python loop over every record.

``tests/test_index.py`` asserts the plans (``EXPLAIN QUERY PLAN``) of the queries a
warm digest, a search and an import make.
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import InputError
from briefgen.models import SourceRecord

# The columns of a hit's passage, best first: quotes, summary, text.
_PASSAGE_COLUMNS = (3, 1, 2)
# Column weights for bm25: a word in the title counts most, then summary, text, quotes.
_WEIGHTS = "10.0, 4.0, 1.0, 2.0"

ADDED_BETWEEN = ("SELECT path, record FROM files WHERE added BETWEEN ? AND ? AND error IS NULL "
                 "ORDER BY added, id, path")
RANKED = f"SELECT rowid FROM search WHERE search MATCH ? ORDER BY bm25(search, {_WEIGHTS}) LIMIT ?"
BY_URL = "SELECT id FROM files WHERE url_key = ? ORDER BY path LIMIT 1"
BY_TITLE = "SELECT id FROM files WHERE title_key = ? ORDER BY path LIMIT 1"
TAKEN = "SELECT 1 FROM files WHERE id = ? UNION ALL SELECT 1 FROM files WHERE stem = ? LIMIT 1"


@dataclass(frozen=True)
class Hit:
    """One search result: the record's id and file, its title and a passage."""

    id: str
    path: str            # relative to sources/
    title: str
    passage: str


def stored(raw: str, index: Path | str) -> SourceRecord:
    """A record as the index holds it; one it cannot hold (changed by hand) is a clear error."""
    try:
        return SourceRecord.model_validate_json(raw)
    except ValueError:          # pydantic's ValidationError included
        raise InputError("the source index holds a record briefgen did not write; delete "
                         "the file and run again (it is rebuilt from sources/)",
                         file=Path(index)) from None


class Queries:
    """The read side of :class:`index.Index` (which provides ``db``, ``path`` and ``sources``)."""

    db: sqlite3.Connection
    path: Path | str
    sources: Path

    def added_between(self, since: dt.date, until: dt.date) -> list[tuple[SourceRecord, Path]]:
        """Valid records whose ``added`` date (default: ``date``) is in [since, until]:
        read through the ``added`` index, so a week costs the same in any library."""
        rows = self.db.execute(ADDED_BETWEEN, (since.isoformat(), until.isoformat())).fetchall()
        return [(stored(record, self.path), self.sources / rel) for rel, record in rows]

    def undated(self) -> list[Path]:
        """Valid records with neither ``added`` nor ``date``: no digest week can hold them."""
        rows = self.db.execute("SELECT path FROM files WHERE added IS NULL AND error IS NULL")
        return sorted((self.sources / rel for (rel,) in rows), key=lambda p: p.parts)

    def search(self, words: str, limit: int = 20, syntax: bool = False) -> list[tuple[str, str]]:
        """Ids and files of the records holding every word (best match first: title, then
        summary, quotes, text). With ``syntax`` the query is FTS5's own (``"a b" OR c*``)."""
        return [(hit.id, hit.path) for hit in self.hits(words, limit, syntax)]

    def hits(self, words: str, limit: int = 20, syntax: bool = False,
             mark: tuple[str, str] = ("[", "]"), tokens: int = 16) -> list[Hit]:
        """:meth:`search` with, for each record, its title and the best passage of its
        quotes, summary or text (``tokens`` words), the matching words between ``mark``.

        The ranking reads only the FTS index; titles and passages are made for the
        ``limit`` best records alone."""
        query = words if syntax else " ".join(f'"{w}"' for w in re.findall(r"\w+", words))
        if not query or limit < 1:
            return []
        columns = ", ".join(f"snippet(search, {column}, ?, ?, '…', ?)"
                            for column in _PASSAGE_COLUMNS)
        try:
            best = [rowid for (rowid,) in self.db.execute(RANKED, (query, limit))]
            found = []
            for rowid in best:
                row = self.db.execute(
                    f"SELECT files.id, files.path, highlight(search, 0, ?, ?), {columns} "
                    "FROM search JOIN files ON files.rowid = search.rowid "
                    "WHERE search MATCH ? AND search.rowid = ?",
                    (*mark, *(*mark, tokens) * len(_PASSAGE_COLUMNS), query, rowid)).fetchone()
                if row is not None:
                    found.append(row)
        except sqlite3.OperationalError as err:
            raise InputError(f"cannot search for {words!r}: {err}") from None
        return [Hit(key, rel, title, next((s for s in passages if mark[0] in s), ""))
                for key, rel, title, *passages in found]

    def valid(self, key: str | None = None) -> list[tuple[SourceRecord, Path]]:
        """Every valid record (or those with id ``key``) and its file, whatever the problems
        of other files (:meth:`library` stops at the first)."""
        where = "" if key is None else " AND id = ?"
        rows = self.db.execute(f"SELECT path, record FROM files WHERE error IS NULL{where}",
                               () if key is None else (key,)).fetchall()
        return [(stored(record, self.path), self.sources / rel) for rel, record in rows]

    def fields(self, *names: str) -> list[tuple[Any, ...]]:
        """``(path, id, *values)`` of every file: the named top-level fields of its record,
        read from the stored JSON without validating it (fast on large libraries).
        An invalid file has None for its id and values."""
        assert all(re.fullmatch(r"\w+", name) for name in names)
        values = "".join(f", json_extract(record, '$.{name}')" for name in names)
        return self.db.execute(f"SELECT path, id{values} FROM files").fetchall()

    # Imports: one indexed lookup per entry ------------------------------------------

    def same_url(self, key: str) -> str | None:
        """The id of a record whose address has this :func:`keys.url_key`."""
        row = self.db.execute(BY_URL, (key,)).fetchone()
        return row[0] if row else None

    def same_title(self, key: str) -> str | None:
        """The id of a record whose title and date have this :func:`keys.title_key`."""
        row = self.db.execute(BY_TITLE, (key,)).fetchone()
        return row[0] if row else None

    def taken(self, key: str) -> bool:
        """Whether a record has this id, or a file this name (without its suffix)."""
        return self.db.execute(TAKEN, (key, key)).fetchone() is not None

    def path_of(self, key: str) -> str | None:
        """The file (relative to sources/) of the record with this id, else of that name."""
        row = self.db.execute(
            "SELECT path FROM files WHERE id = ? UNION ALL SELECT path FROM files WHERE stem = ? "
            "LIMIT 1", (key, key)).fetchone()
        return row[0] if row else None
