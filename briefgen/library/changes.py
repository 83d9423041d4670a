"""What a refresh of the source index must do, and doing it.

A warm refresh must not cost a Python loop over every record. Each folder's row
in the index holds a signature of its files' names, mtimes and sizes
(:meth:`files.Folder.signature`); a folder whose signature is unchanged is skipped
whole, and only the files of the others are compared with their rows. A file
whose stat changed is hashed; only a file whose content changed is parsed again.
A folder holding a file modified within :data:`RACY_NS` of the check gets no
signature, so that file is hashed again next time (it may change again within
the same mtime tick without its stat changing).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import InputError
from briefgen.library.files import Folder, SourceFile
from briefgen.library.keys import title_key, url_key
from briefgen.models import SourceRecord
from briefgen.readers import read_record

RACY_NS = 2_000_000_000

# One parsed file: id, added, record JSON, search texts, error JSON, url key, title key.
Parsed = tuple[Any, ...]


@dataclass
class Plan:
    """Files to parse (with hash and rowid), rows whose stat alone changed, rows of files
    that are gone, and the folder signatures to store (None: compare file by file)."""

    stale: list[tuple[SourceFile, str, int | None]] = field(default_factory=list)
    touched: list[tuple[int, int, int, int]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    folders: list[tuple[str, str | None]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stale or self.touched or self.removed or self.folders or self.gone)


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parsed(record: SourceRecord) -> Parsed:
    """What the index keeps of a valid record."""
    texts = (record.title, record.summary or "", record.text,
             "\n".join(quote.text for quote in record.quotes))
    added = record.added.isoformat() if record.added else None
    date = record.date.isoformat() if record.date else None
    return (record.id, added, record.model_dump_json(), texts, None,
            url_key(record.url) if record.url else None, title_key(record.title, date))


def parse(path: str) -> Parsed:
    """One file → what the index keeps of it (an error as JSON). Runs in workers too."""
    try:
        record = read_record(Path(path))
    except InputError as err:
        return None, None, None, None, json.dumps(
            {"message": err.message, "line": err.line, "field": err.field}), None, None
    except OSError as err:
        return None, None, None, None, json.dumps(
            {"message": f"cannot read the file: {err.strerror or err}", "line": None,
             "field": None}), None, None
    return parsed(record)


def plan(db: sqlite3.Connection, folders: list[Folder], now: int) -> Plan:
    """Compare the folders with the index: only changed folders are looked at file by file."""
    stored = dict(db.execute("SELECT path, signature FROM folders"))
    result = Plan()
    for folder in folders:
        signature = folder.signature()
        if stored.pop(folder.rel, None) == signature:
            continue
        settled = all(now - mtime > RACY_NS for mtime in folder.mtimes)
        result.folders.append((folder.rel, signature if settled else None))
        _compare(db, folder, now, result)
    for rel in stored:                                   # folders no longer there
        result.gone.append(rel)
        result.removed += [rowid for (rowid,) in db.execute(
            "SELECT rowid FROM files WHERE folder = ?", (rel,))]
    return result


def _compare(db: sqlite3.Connection, folder: Folder, now: int, result: Plan) -> None:
    rows = {path: rest for path, *rest in db.execute(
        "SELECT path, rowid, mtime_ns, size, hash, checked_ns FROM files WHERE folder = ?",
        (folder.rel,))}
    prefix = f"{folder.rel}/" if folder.rel else ""
    for name, mtime, size in zip(folder.names, folder.mtimes, folder.sizes):
        row = rows.pop(prefix + name, None)
        if (row is not None and row[3] and row[1] == mtime and row[2] == size
                and row[4] - row[1] > RACY_NS):
            continue                                   # as indexed: no Path made, nothing read
        file = SourceFile(prefix + name, Path(folder.path, name), mtime, size)
        try:
            digest = hash_bytes(file.path.read_bytes())
        except FileNotFoundError:
            continue                                   # gone since the scan: removed below
        except OSError:
            digest = ""                                # unreadable: parse it to record the error
        if row is not None and digest and row[3] == digest:
            result.touched.append((file.mtime_ns, file.size, now, row[0]))
        else:
            result.stale.append((file, digest, row[0] if row is not None else None))
    result.removed += [row[0] for row in rows.values()]


def apply(db: sqlite3.Connection, todo: Plan, parse_all: Callable[[list[Path]], list[Parsed]],
          now: int) -> None:
    """Carry out a plan inside the caller's transaction."""
    affected = _ids(db, todo.removed)
    for rowid in todo.removed:
        db.execute("DELETE FROM files WHERE rowid = ?", (rowid,))
        db.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
    db.executemany("UPDATE files SET mtime_ns = ?, size = ?, checked_ns = ? WHERE rowid = ?",
                   todo.touched)
    affected |= _ids(db, [rowid for _, _, rowid in todo.stale if rowid is not None])
    results = parse_all([file.path for file, _, _ in todo.stale])
    for (file, digest, rowid), result in zip(todo.stale, results):
        store(db, file, digest, now, result, rowid)
        if result[0] is not None:
            affected.add(result[0])
    db.executemany("DELETE FROM folders WHERE path = ?", [(rel,) for rel in todo.gone])
    db.executemany("INSERT INTO folders (path, signature) VALUES (?, ?) ON CONFLICT (path) "
                   "DO UPDATE SET signature = excluded.signature", todo.folders)
    recount_shared(db, affected)


def store(db: sqlite3.Connection, file: SourceFile, digest: str, now: int, result: Parsed,
          rowid: int | None = None) -> int:
    """Write one file's row and its search entry; returns its rowid."""
    key, added, record, texts, error, url, title = result
    stem = file.rel.rpartition("/")[2].rpartition(".")[0]
    folder = file.rel.rpartition("/")[0]
    values = (file.mtime_ns, file.size, digest, now, key, added, record, error, url, title, stem)
    if rowid is None:
        rowid = db.execute(
            "INSERT INTO files (mtime_ns, size, hash, checked_ns, id, added, record, error, "
            "url_key, title_key, stem, folder, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, folder, file.rel)).lastrowid
    else:
        db.execute("UPDATE files SET mtime_ns = ?, size = ?, hash = ?, checked_ns = ?, id = ?, "
                   "added = ?, record = ?, error = ?, url_key = ?, title_key = ?, stem = ? "
                   "WHERE rowid = ?", (*values, rowid))
        db.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
    if texts is not None:
        db.execute("INSERT INTO search (rowid, title, summary, text, quotes) VALUES (?, ?, ?, ?, ?)",
                   (rowid, *texts))
    return rowid


def _ids(db: sqlite3.Connection, rowids: list[int]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(rowids), 500):
        chunk = rowids[start:start + 500]
        found.update(key for (key,) in db.execute(
            f"SELECT id FROM files WHERE id IS NOT NULL AND rowid IN ({','.join('?' * len(chunk))})",
            chunk))
    return found


def shared_ids(db: sqlite3.Connection) -> list[str]:
    """Ids that more than one file uses, as the last refresh left them (kept in ``meta``
    so a warm command need not group every row)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'shared'").fetchone()
    return json.loads(row[0]) if row else []


def recount_shared(db: sqlite3.Connection, affected: Iterable[str] | None = None) -> None:
    """Update the ids used by several files: only ``affected`` can have changed (all when None)."""
    if affected is None:
        shared = {key for (key,) in db.execute(
            "SELECT id FROM files WHERE id IS NOT NULL GROUP BY id HAVING COUNT(*) > 1")}
    else:
        affected = sorted(set(affected))
        shared = set(shared_ids(db)) - set(affected)
        for start in range(0, len(affected), 500):
            chunk = affected[start:start + 500]
            shared.update(key for (key,) in db.execute(
                f"SELECT id FROM files WHERE id IN ({','.join('?' * len(chunk))}) "
                "GROUP BY id HAVING COUNT(*) > 1", chunk))
    db.execute("INSERT OR REPLACE INTO meta VALUES ('shared', ?)", (json.dumps(sorted(shared)),))
