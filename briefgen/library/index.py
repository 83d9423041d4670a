"""The source index: an SQLite cache of the parsed library at ``.briefgen/index.sqlite``.

Each record file is stored with its path, mtime, size and content hash, the
validated record as JSON, and the error it raised if it is invalid. A refresh
stats every file and re-reads only those whose mtime or size changed and
whose content hash no longer matches, through :func:`sources.read_record`, so
messages about a bad file are the same as without the index. An FTS5 table
indexes each record's title, summary, text and quotes.

The index is only a cache: deleting it loses nothing, and one that is damaged
or was made by another version of briefgen is rebuilt with a warning. Where it
cannot be written at all (a read-only share), the library is read directly.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import InputError, shown_path
from briefgen.library.files import SourceFile, scan
from briefgen.models import SourceRecord
from briefgen.readers import read_record, read_records

log = logging.getLogger("briefgen")

INDEX_FILE = Path(".briefgen") / "index.sqlite"
SCHEMA_VERSION = 1
# Libraries with at least this many files go through the index for every command;
# smaller ones are read directly (a few milliseconds) unless an index already exists.
INDEX_MIN_FILES = 200
# A file modified this close to the moment it was last checked may change again within
# the same mtime tick without its stat changing: such files are hashed again next time.
RACY_NS = 2_000_000_000
# Parse in worker processes when this many files need reading and there are several cores.
PARALLEL_MIN_FILES = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    rowid INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- relative to sources/, '/'-separated
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    hash TEXT NOT NULL,
    checked_ns INTEGER NOT NULL,    -- when the row was last checked against the file
    id TEXT,                        -- NULL for an invalid file
    added TEXT,                     -- ISO date (added, else date) or NULL
    record TEXT,                    -- SourceRecord.model_dump_json(); NULL when invalid
    error TEXT                      -- {"message", "line", "field"} when invalid
);
CREATE INDEX IF NOT EXISTS files_added ON files(added);
CREATE INDEX IF NOT EXISTS files_id ON files(id);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(title, summary, text, quotes);
"""


# Rows unlike those briefgen writes: wrong types, a record and an error together or neither,
# text that is not JSON, a record whose id is not the row's.
_TAMPERED = """
SELECT COUNT(*) FROM files WHERE
    typeof(path) != 'text' OR typeof(mtime_ns) != 'integer' OR typeof(size) != 'integer'
    OR typeof(hash) != 'text' OR typeof(checked_ns) != 'integer'
    OR NOT CASE WHEN error IS NULL
        THEN typeof(id) = 'text' AND typeof(record) = 'text' AND json_valid(record)
             AND json_extract(record, '$.id') = id
             AND typeof(json_extract(record, '$.title')) = 'text'
             AND (added IS NULL OR typeof(added) = 'text')
        ELSE id IS NULL AND record IS NULL AND typeof(error) = 'text' AND json_valid(error)
             AND typeof(json_extract(error, '$.message')) = 'text' END
"""


def _stored(raw: str, index: Path | str) -> SourceRecord:
    """A record as the index holds it; one it cannot hold (changed by hand) is a clear error."""
    try:
        return SourceRecord.model_validate_json(raw)
    except ValueError:          # pydantic's ValidationError included
        raise InputError("the source index holds a record briefgen did not write; delete "
                         "the file and run again (it is rebuilt from sources/)",
                         file=Path(index)) from None


class IndexUnavailable(Exception):
    """The index cannot be opened or written here; callers read the files directly."""


class Records(Mapping[str, SourceRecord]):
    """Records by id, each validated from its stored JSON the first time it is asked for.

    A build over a library of thousands of records then parses only those it cites.
    """

    def __init__(self, raw: dict[str, str], index: Path | str) -> None:
        self._raw = raw
        self._index = index
        self._parsed: dict[str, SourceRecord] = {}

    def __getitem__(self, key: str) -> SourceRecord:
        record = self._parsed.get(key)
        if record is None:
            record = self._parsed[key] = _stored(self._raw[key], self._index)
        return record

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class Refresh:
    """What one refresh did."""

    files: int = 0
    parsed: int = 0        # read and validated again
    touched: int = 0       # stat changed but not the content
    removed: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Problem:
    """A file the library cannot use: invalid, or an id that another file uses too."""

    path: Path
    error: InputError


@dataclass(frozen=True)
class Hit:
    """One search result: the record's id and file, its title and a passage."""

    id: str
    path: str            # relative to sources/
    title: str
    passage: str


@dataclass
class _Row:
    rowid: int
    mtime_ns: int
    size: int
    hash: str
    checked_ns: int


def _fingerprint() -> str:
    """Changes whenever the readers or models change: their results are what is cached."""
    digest = hashlib.blake2b(str(SCHEMA_VERSION).encode(), digest_size=8)
    here = Path(__file__).parent.parent
    for name in ("models.py", "readers.py", "yamllimits.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _parse(path: str) -> tuple[str | None, str | None, str | None, tuple[str, ...] | None, str | None]:
    """One file → (id, added, record JSON, search texts, error JSON). Runs in workers too."""
    try:
        record = read_record(Path(path))
    except InputError as err:
        return None, None, None, None, json.dumps(
            {"message": err.message, "line": err.line, "field": err.field})
    except OSError as err:
        return None, None, None, None, json.dumps(
            {"message": f"cannot read the file: {err.strerror or err}", "line": None, "field": None})
    texts = (record.title, record.summary or "", record.text,
             "\n".join(quote.text for quote in record.quotes))
    added = record.added.isoformat() if record.added else None
    return record.id, added, record.model_dump_json(), texts, None


def _error(data: str, path: Path) -> InputError:
    info = json.loads(data)
    return InputError(info["message"], file=path, line=info.get("line"), field=info.get("field"))


@dataclass
class Index:
    """The index of one workspace's ``sources/`` folder. Use as a context manager."""

    path: Path | str          # the SQLite file, or ":memory:"
    sources: Path
    _db: sqlite3.Connection | None = field(default=None, init=False, repr=False)

    # Opening ------------------------------------------------------------------

    def __enter__(self) -> Index:
        if self._db is None:
            self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None, "the index is not open"
        return self._db

    def open(self) -> None:
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise IndexUnavailable(f"cannot create {Path(self.path).parent}: {err}") from None
        self._connect()
        try:
            tables = {name for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            found = dict(self.db.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
        except sqlite3.OperationalError as err:
            if _busy(err):
                raise IndexUnavailable(f"the source index is busy: {err}") from None
            self._rebuild(f"it cannot be read ({err})")
        except sqlite3.DatabaseError as err:
            self._rebuild(f"it is damaged ({err})")
        else:
            if not tables:
                self._create()
            elif found.get("schema") != _fingerprint():
                self._rebuild("it was made by another version of briefgen")
            elif not self._consistent():
                self._rebuild("its rows were changed outside briefgen")
        try:
            self.db.execute("PRAGMA synchronous = NORMAL")   # a cache: no fsync per change
        except sqlite3.Error as err:
            raise IndexUnavailable(f"cannot use {self.path}: {err}") from None

    def _consistent(self) -> bool:
        """Whether every row holds what briefgen writes (one query; a tampered row would
        otherwise surface later as a crash)."""
        try:
            bad = self.db.execute(_TAMPERED).fetchone()[0]
        except sqlite3.DatabaseError:
            return False
        return bad == 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self) -> None:
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as err:
            raise IndexUnavailable(f"cannot open {self.path}: {err}") from None

    def _create(self) -> None:
        try:
            # One transaction: another process sees either no tables or the whole schema.
            self.db.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}\nINSERT OR REPLACE INTO meta "
                                  f"VALUES ('schema', '{_fingerprint()}');\nCOMMIT;")
        except sqlite3.Error as err:
            raise IndexUnavailable(f"cannot write {self.path}: {err}") from None

    def _rebuild(self, why: str) -> None:
        """Start again from an empty index (it is only a cache)."""
        if self.path != ":memory:":
            log.warning("%s: warning: rebuilding the source index: %s",
                        shown_path(Path(self.path)), why)
        self.close()
        if self.path != ":memory:":
            for suffix in ("", "-journal", "-wal", "-shm"):
                try:
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                except OSError as err:
                    raise IndexUnavailable(f"cannot remove {self.path}: {err}") from None
        self._connect()
        self._create()

    def _transaction(self) -> Any:
        db = self.db

        class _Tx:
            def __enter__(self) -> None:
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind: Any, *rest: Any) -> None:
                db.execute("COMMIT" if kind is None else "ROLLBACK")

        return _Tx()

    # Refreshing ---------------------------------------------------------------

    def refresh(self, files: list[SourceFile] | None = None) -> Refresh:
        """Bring the index up to date with the files; a damaged index is rebuilt once."""
        started = time.perf_counter()
        files = scan(self.sources) if files is None else files
        try:
            result = self._refresh(files)
        except sqlite3.Error as err:
            if isinstance(err, sqlite3.OperationalError) and _busy(err):
                raise IndexUnavailable(f"the source index is busy: {err}") from None
            self._rebuild(f"it cannot be used ({err})")
            try:
                result = self._refresh(files)
            except sqlite3.Error as again:
                raise IndexUnavailable(f"cannot write {self.path}: {again}") from None
        result.seconds = time.perf_counter() - started
        return result

    def _plan(self, files: list[SourceFile], now: int) -> tuple[
            list[tuple[SourceFile, str, int | None]], list[tuple[int, int, int, int]], list[int]]:
        """What a refresh must do: files to parse (with hash and rowid), rows whose stat
        alone changed, rows of files that are gone."""
        rows = {path: _Row(*rest) for path, *rest in self.db.execute(
            "SELECT path, rowid, mtime_ns, size, hash, checked_ns FROM files")}
        stale: list[tuple[SourceFile, str, int | None]] = []
        touched: list[tuple[int, int, int, int]] = []
        for file in files:
            row = rows.pop(file.rel, None)
            if (row is not None and row.hash and row.mtime_ns == file.mtime_ns
                    and row.size == file.size and row.checked_ns - row.mtime_ns > RACY_NS):
                continue
            try:
                digest = _hash(file.path.read_bytes())
            except FileNotFoundError:
                continue                               # gone since the scan: removed below
            except OSError:
                digest = ""                            # unreadable: parse it to record the error
            if row is not None and digest and row.hash == digest:
                touched.append((file.mtime_ns, file.size, now, row.rowid))
            else:
                stale.append((file, digest, row.rowid if row is not None else None))
        return stale, touched, [row.rowid for row in rows.values()]

    def _refresh(self, files: list[SourceFile]) -> Refresh:
        now = time.time_ns()
        result = Refresh(files=len(files))
        if not any(self._plan(files, now)):
            return result                              # nothing changed: no write lock taken
        with self._transaction():                      # plan again: another run may have done it
            stale, touched, removed = self._plan(files, now)
            parsed = self._parse_all([file.path for file, _, _ in stale])
            for rowid in removed:                      # files no longer there
                self.db.execute("DELETE FROM files WHERE rowid = ?", (rowid,))
                self.db.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
            self.db.executemany(
                "UPDATE files SET mtime_ns = ?, size = ?, checked_ns = ? WHERE rowid = ?", touched)
            for (file, digest, rowid), (key, added, record, texts, error) in zip(stale, parsed):
                values = (file.mtime_ns, file.size, digest, now, key, added, record, error)
                if rowid is None:
                    rowid = self.db.execute(
                        "INSERT INTO files (mtime_ns, size, hash, checked_ns, id, added, record, "
                        "error, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*values, file.rel)).lastrowid
                else:
                    self.db.execute(
                        "UPDATE files SET mtime_ns = ?, size = ?, hash = ?, checked_ns = ?, id = ?, "
                        "added = ?, record = ?, error = ? WHERE rowid = ?", (*values, rowid))
                    self.db.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
                if texts is not None:
                    self.db.execute("INSERT INTO search (rowid, title, summary, text, quotes) "
                                    "VALUES (?, ?, ?, ?, ?)", (rowid, *texts))
        result.parsed, result.touched, result.removed = len(stale), len(touched), len(removed)
        return result

    @staticmethod
    def _parse_all(paths: list[Path]) -> list[tuple[Any, ...]]:
        names = [str(path) for path in paths]
        workers = min(os.cpu_count() or 1, 8)
        if len(names) >= PARALLEL_MIN_FILES and workers > 1:
            try:
                from concurrent.futures import (
                    ProcessPoolExecutor,  # only for a large cold build
                )
                with ProcessPoolExecutor(max_workers=workers) as pool:
                    return list(pool.map(_parse, names, chunksize=64))
            except (OSError, RuntimeError) as err:     # no worker processes here: read serially
                log.debug("parallel parse unavailable: %s", err)
        return [_parse(name) for name in names]

    # Reading ------------------------------------------------------------------

    def library(self) -> tuple[Records, dict[str, Path]]:
        """Every record by id and its file: the first problem is an error, as without the index."""
        raw: dict[str, str] = {}
        origin: dict[str, Path] = {}
        rows = self.db.execute("SELECT path, id, record, error FROM files").fetchall()
        rows.sort(key=lambda row: row[0].split("/"))
        for rel, key, record, error in rows:
            path = self.sources / rel
            if error is not None:
                raise _error(error, path)
            if key in raw:
                raise InputError(f"record id {key!r} is also used by {shown_path(origin[key])}",
                                 file=path, field="id")
            raw[key] = record
            origin[key] = path
        return Records(raw, self.path), origin

    def problems(self) -> list[Problem]:
        """Every invalid file, and every file whose id another file uses too, in path order."""
        found: list[tuple[list[str], Problem]] = []
        for rel, error in self.db.execute("SELECT path, error FROM files WHERE error IS NOT NULL"):
            found.append((rel.split("/"), Problem(self.sources / rel, _error(error, self.sources / rel))))
        shared = self.db.execute(
            "SELECT id, path FROM files WHERE id IN "
            "(SELECT id FROM files WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1)").fetchall()
        by_id: dict[str, list[str]] = {}
        for key, rel in sorted(shared, key=lambda row: row[1].split("/")):
            by_id.setdefault(key, []).append(rel)
        for key, rels in by_id.items():
            for rel in rels:
                others = ", ".join(shown_path(self.sources / r) for r in rels if r != rel)
                error = InputError(f"record id {key!r} is also used by {others}",
                                   file=self.sources / rel, field="id")
                found.append((rel.split("/"), Problem(self.sources / rel, error)))
        return [problem for _, problem in sorted(found, key=lambda item: item[0])]

    def added_between(self, since: dt.date, until: dt.date) -> list[tuple[SourceRecord, Path]]:
        """Valid records whose ``added`` date (default: ``date``) is in [since, until]."""
        rows = self.db.execute(
            "SELECT path, record FROM files WHERE error IS NULL AND added BETWEEN ? AND ? "
            "ORDER BY added, id, path", (since.isoformat(), until.isoformat())).fetchall()
        return [(_stored(record, self.path), self.sources / rel) for rel, record in rows]

    def undated(self) -> list[Path]:
        """Valid records with neither ``added`` nor ``date``: no digest week can hold them."""
        rows = self.db.execute("SELECT path FROM files WHERE error IS NULL AND added IS NULL")
        return sorted((self.sources / rel for (rel,) in rows), key=lambda p: p.parts)

    def search(self, words: str, limit: int = 20, syntax: bool = False) -> list[tuple[str, str]]:
        """Ids and files of the records holding every word (best match first: title, then
        summary, quotes, text). With ``syntax`` the query is FTS5's own (``"a b" OR c*``)."""
        return [(hit.id, hit.path) for hit in self.hits(words, limit, syntax)]

    def hits(self, words: str, limit: int = 20, syntax: bool = False,
             mark: tuple[str, str] = ("[", "]"), tokens: int = 16) -> list[Hit]:
        """:meth:`search` with, for each record, its title and the best passage of its
        quotes, summary or text (``tokens`` words), the matching words between ``mark``."""
        query = words if syntax else " ".join(f'"{w}"' for w in re.findall(r"\w+", words))
        if not query:
            return []
        columns = ", ".join(f"snippet(search, {column}, ?, ?, '…', ?)" for column in (3, 1, 2))
        try:
            rows = self.db.execute(
                f"SELECT files.id, files.path, highlight(search, 0, ?, ?), {columns} "
                "FROM search JOIN files ON files.rowid = search.rowid "
                "WHERE search MATCH ? ORDER BY bm25(search, 10.0, 4.0, 1.0, 2.0) LIMIT ?",
                (*mark, *(*mark, tokens) * 3, query, limit)).fetchall()
        except sqlite3.OperationalError as err:
            raise InputError(f"cannot search for {words!r}: {err}") from None
        return [Hit(key, rel, title, next((s for s in passages if mark[0] in s), ""))
                for key, rel, title, *passages in rows]

    def valid(self, key: str | None = None) -> list[tuple[SourceRecord, Path]]:
        """Every valid record (or those with id ``key``) and its file, whatever the problems
        of other files (:meth:`library` stops at the first)."""
        where = "" if key is None else " AND id = ?"
        rows = self.db.execute(f"SELECT path, record FROM files WHERE error IS NULL{where}",
                               () if key is None else (key,)).fetchall()
        return [(_stored(record, self.path), self.sources / rel) for rel, record in rows]

    def fields(self, *names: str) -> list[tuple[Any, ...]]:
        """``(path, id, *values)`` of every file: the named top-level fields of its record,
        read from the stored JSON without validating it (fast on large libraries).
        An invalid file has None for its id and values."""
        assert all(re.fullmatch(r"\w+", name) for name in names)
        values = "".join(f", json_extract(record, '$.{name}')" for name in names)
        return self.db.execute(f"SELECT path, id{values} FROM files").fetchall()


def _busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def index_path(root: Path) -> Path:
    return root / INDEX_FILE


def open_index(root: Path, sources: Path, files: list[SourceFile] | None = None) -> Index:
    """The workspace's index, opened and up to date; in memory where the file cannot be used."""
    index = Index(index_path(root), sources)
    try:
        index.open()
        index.refresh(files)
    except IndexUnavailable as err:
        index.close()
        log.warning("warning: working without the source index (%s); reading every file", err)
        index = Index(":memory:", sources)
        index.open()
        index.refresh(files)
    return index


def library(root: Path, sources: Path, use_index: bool | None = None
            ) -> tuple[Mapping[str, SourceRecord], dict[str, Path]]:
    """The workspace's records by id and the file of each, through the index when it helps.

    ``use_index`` None: when the library is large or an index already exists.
    Errors are those of :func:`sources.read_records`, with or without the index.
    """
    files = scan(sources)
    if use_index is None:
        use_index = len(files) >= INDEX_MIN_FILES or index_path(root).exists()
    if not use_index:
        return read_records(sources)
    try:
        index = Index(index_path(root), sources)
        with index:
            index.refresh(files)
            return index.library()
    except IndexUnavailable as err:
        log.warning("warning: reading the source files without the index: %s", err)
        return read_records(sources)
