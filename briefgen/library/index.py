"""The source index: an SQLite cache of the parsed library at ``.briefgen/index.sqlite``.

Each record file is stored with its path, mtime, size and content hash, the
validated record as JSON, and the error it raised if it is invalid. A refresh
lists every folder and stats every file; a folder whose files' names, mtimes and
sizes are unchanged is skipped whole (:mod:`changes`), and a file is re-read
only when its content hash no longer matches, through :func:`sources.read_record`,
so messages about a bad file are the same as without the index. An FTS5 table
indexes each record's title, summary, text and quotes; the reading side is in
:mod:`queries`.

The index is only a cache: deleting it loses nothing, and one that is damaged
or was made by another version of briefgen is rebuilt with a warning. Where it
cannot be written at all (a read-only share), the library is read directly.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import InputError, shown_path
from briefgen.library import changes
from briefgen.library.files import Folder, SourceFile, scan, scan_folders
from briefgen.library.queries import Hit, Queries, stored
from briefgen.models import SourceRecord
from briefgen.readers import has_control_characters, read_records

__all__ = ["Hit", "Index", "IndexUnavailable", "Problem", "Records", "Refresh", "index_path",
           "library", "open_index", "scan"]

log = logging.getLogger("briefgen")

INDEX_FILE = Path(".briefgen") / "index.sqlite"
SCHEMA_VERSION = 2
# Libraries with at least this many files go through the index for every command;
# smaller ones are read directly (a few milliseconds) unless an index already exists.
INDEX_MIN_FILES = 200
# Parse in worker processes when this many files need reading and there are several cores.
PARALLEL_MIN_FILES = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
    path TEXT PRIMARY KEY,          -- relative to sources/, '' for sources/ itself
    signature TEXT                  -- Folder.signature(); NULL: compare file by file
);
CREATE TABLE IF NOT EXISTS files (
    rowid INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- relative to sources/, '/'-separated
    folder TEXT NOT NULL,           -- the path of its folder
    stem TEXT NOT NULL,             -- the file name without its suffix
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    hash TEXT NOT NULL,
    checked_ns INTEGER NOT NULL,    -- when the row was last checked against the file
    id TEXT,                        -- NULL for an invalid file
    added TEXT,                     -- ISO date (added, else date) or NULL
    record TEXT,                    -- SourceRecord.model_dump_json(); NULL when invalid
    error TEXT,                     -- {"message", "line", "field"} when invalid
    url_key TEXT,                   -- keys.url_key(url), for import duplicates
    title_key TEXT                  -- keys.title_key(title, date)
);
CREATE INDEX IF NOT EXISTS files_folder ON files(folder);
CREATE INDEX IF NOT EXISTS files_added ON files(added);
CREATE INDEX IF NOT EXISTS files_id ON files(id);
CREATE INDEX IF NOT EXISTS files_stem ON files(stem);
CREATE INDEX IF NOT EXISTS files_url ON files(url_key) WHERE url_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_title ON files(title_key) WHERE title_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_errors ON files(path) WHERE error IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(title, summary, text, quotes);
INSERT OR IGNORE INTO meta VALUES ('writes', '0');
INSERT OR IGNORE INTO meta VALUES ('checked', '0');
"""
# Every change to a row of files, by briefgen or not, counts in meta.writes (see _consistent).
_SCHEMA += "".join(
    f"CREATE TRIGGER IF NOT EXISTS files_{event.lower()} AFTER {event} ON files BEGIN "
    "UPDATE meta SET value = value + 1 WHERE key = 'writes'; END;\n"
    for event in ("INSERT", "UPDATE", "DELETE"))
_CHECKED = "UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'writes') WHERE key = 'checked'"


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
            record = self._parsed[key] = stored(self._raw[key], self._index)
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


def _fingerprint() -> str:
    """Changes whenever the readers or models change: their results are what is cached."""
    digest = hashlib.blake2b(str(SCHEMA_VERSION).encode(), digest_size=8)
    here = Path(__file__).parent.parent
    for name in ("models.py", "readers.py", "yamllimits.py", "library/keys.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


def _error(data: str, path: Path) -> InputError:
    info = json.loads(data)
    return InputError(info["message"], file=path, line=info.get("line"), field=info.get("field"))


@dataclass
class Index(Queries):
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
            elif not {"meta", "folders", "files", "search"} <= tables:
                self._rebuild("a table is missing from it")
            elif found.get("writes") != found.get("checked") and not self._consistent():
                self._rebuild("its rows were changed outside briefgen")
        try:
            self.db.execute("PRAGMA synchronous = NORMAL")   # a cache: no fsync per change
        except sqlite3.Error as err:
            raise IndexUnavailable(f"cannot use {self.path}: {err}") from None

    def _consistent(self) -> bool:
        """Whether every row holds what briefgen writes (one query; a tampered row would
        otherwise surface later as a crash).

        It reads the whole table, so it runs only when someone else wrote to it: triggers
        count every change to ``files`` in ``meta.writes``, and each of briefgen's write
        transactions ends by setting ``meta.checked`` to that count."""
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
                if kind is None:
                    db.execute(_CHECKED)
                db.execute("COMMIT" if kind is None else "ROLLBACK")

        return _Tx()

    # Refreshing ---------------------------------------------------------------

    def refresh(self, folders: list[Folder] | None = None) -> Refresh:
        """Bring the index up to date with the files; a damaged index is rebuilt once."""
        started = time.perf_counter()
        folders = scan_folders(self.sources) if folders is None else folders
        try:
            result = self._refresh(folders)
        except sqlite3.Error as err:
            if isinstance(err, sqlite3.OperationalError) and _busy(err):
                raise IndexUnavailable(f"the source index is busy: {err}") from None
            self._rebuild(f"it cannot be used ({err})")
            try:
                result = self._refresh(folders)
            except sqlite3.Error as again:
                raise IndexUnavailable(f"cannot write {self.path}: {again}") from None
        result.seconds = time.perf_counter() - started
        return result

    def _refresh(self, folders: list[Folder]) -> Refresh:
        now = time.time_ns()
        result = Refresh(files=sum(len(folder.names) for folder in folders))
        if not changes.plan(self.db, folders, now):
            return result                              # nothing changed: no write lock taken
        with self._transaction():                      # plan again: another run may have done it
            todo = changes.plan(self.db, folders, now)
            changes.apply(self.db, todo, self._parse_all, now)
        result.parsed, result.touched, result.removed = (
            len(todo.stale), len(todo.touched), len(todo.removed))
        return result

    def add_written(self, written: list[tuple[Path, bytes, SourceRecord]]) -> None:
        """Index files briefgen has just written from records it holds (an import), without
        reading them again: a re-import then finds them at once. A record with control
        characters (which reading removes) is left to the next refresh."""
        now = time.time_ns()
        with self._transaction():
            ids = []
            for path, data, record in written:
                rel = path.relative_to(self.sources).as_posix()
                if has_control_characters(record.model_dump()) or self.db.execute(
                        "SELECT 1 FROM files WHERE path = ?", (rel,)).fetchone():
                    continue
                stat = path.stat()
                changes.store(self.db, SourceFile(rel, path, stat.st_mtime_ns, stat.st_size),
                              changes.hash_bytes(data), now, changes.parsed(record))
                self.db.execute("INSERT INTO folders VALUES (?, NULL) ON CONFLICT (path) "
                                "DO UPDATE SET signature = NULL", (rel.rpartition("/")[0],))
                ids.append(record.id)
            changes.recount_shared(self.db, ids)

    @staticmethod
    def _parse_all(paths: list[Path]) -> list[changes.Parsed]:
        names = [str(path) for path in paths]
        workers = min(os.cpu_count() or 1, 8)
        if len(names) >= PARALLEL_MIN_FILES and workers > 1:
            try:
                from concurrent.futures import (
                    ProcessPoolExecutor,  # only for a large cold build
                )
                with ProcessPoolExecutor(max_workers=workers) as pool:
                    return list(pool.map(changes.parse, names, chunksize=64))
            except (OSError, RuntimeError) as err:     # no worker processes here: read serially
                log.debug("parallel parse unavailable: %s", err)
        return [changes.parse(name) for name in names]

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
        ids = changes.shared_ids(self.db)
        shared = self.db.execute(f"SELECT id, path FROM files WHERE id IN ({','.join('?' * len(ids))})",
                                 ids).fetchall() if ids else []
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


def _busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def index_path(root: Path) -> Path:
    return root / INDEX_FILE


def open_index(root: Path, sources: Path, folders: list[Folder] | None = None) -> Index:
    """The workspace's index, opened and up to date; in memory where the file cannot be used."""
    index = Index(index_path(root), sources)
    try:
        index.open()
        index.refresh(folders)
    except IndexUnavailable as err:
        index.close()
        log.warning("warning: working without the source index (%s); reading every file", err)
        index = Index(":memory:", sources)
        index.open()
        index.refresh(folders)
    return index


def library(root: Path, sources: Path, use_index: bool | None = None
            ) -> tuple[Mapping[str, SourceRecord], dict[str, Path]]:
    """The workspace's records by id and the file of each, through the index when it helps.

    ``use_index`` None: when the library is large or an index already exists.
    Errors are those of :func:`sources.read_records`, with or without the index.
    """
    folders = scan_folders(sources)
    if use_index is None:
        count = sum(len(folder.names) for folder in folders)
        use_index = count >= INDEX_MIN_FILES or index_path(root).exists()
    if not use_index:
        return read_records(sources)
    try:
        index = Index(index_path(root), sources)
        with index:
            index.refresh(folders)
            return index.library()
    except IndexUnavailable as err:
        log.warning("warning: reading the source files without the index: %s", err)
        return read_records(sources)
