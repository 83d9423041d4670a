"""The library at a moderate size (2,000 records, real SQLite): what the index answers equals
what the files say, the queries run on indexes (their plans are asserted), and a feed
imported twice is stored once."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.digest.weekly import Options, run
from briefgen.library import ingest, queries
from briefgen.library import search as library
from briefgen.library.index import Index, index_path
from briefgen.readers import read_records
from briefgen.workspace import Workspace

RECORDS = 2000
WORDS = ("border tariff minister ports steel aluminum fentanyl premier ambassador talks "
         "crossings funding data review agreement officials").split()
FIRST = dt.date(2024, 1, 1)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _make(root: Path, count: int = RECORDS) -> None:
    """``count`` records in 20 folders over 40 weeks, each with a rare word of its own."""
    rng = random.Random(3)
    for n in range(count):
        folder = root / "sources" / f"part-{n % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        added = FIRST + dt.timedelta(days=rng.randrange(280))
        data = {"kind": "news", "title": f"{_sentence(rng, 5)} item{n}",
                "added": added.isoformat(), "summary": _sentence(rng, 12),
                "url": f"https://news.example.org/{n}",
                "quotes": [{"text": _sentence(rng, 6)}], "text": _sentence(rng, 40)}
        (folder / f"r{n:04d}.json").write_text(json.dumps(data), encoding="utf-8")
    (root / "briefgen.toml").write_text('department = "Test"\n', encoding="utf-8")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "lib"
    _make(root)
    with _index(root) as index:
        assert index.refresh().parsed == RECORDS
    return root


@pytest.fixture
def lib(made: Path, fresh_copy: Callable[[Path, str], Path]) -> Path:
    """A fresh copy of the 2,000-record library and its index (mtimes kept: up to date)."""
    return fresh_copy(made, "lib")


def _index(root: Path) -> Index:
    return Index(index_path(root), root / "sources")


def _words(record: object) -> set[str]:
    texts = [record.title, record.summary or "", record.text, *(q.text for q in record.quotes)]
    return {w.casefold() for text in texts for w in re.findall(r"\w+", text)}


def test_search_finds_exactly_the_records_holding_every_word(lib: Path) -> None:
    direct, _ = read_records(lib / "sources")
    ws = Workspace(lib)
    for query in ("steel premier", "fentanyl talks data", "item1234", "item77 border"):
        expected = {key for key, record in direct.items()
                    if set(query.split()) <= _words(record)}
        found = {hit.id for hit in library.search(ws, query, limit=RECORDS)}
        assert found == expected
    top = library.search(ws, "item1234", limit=5)
    assert [hit.id for hit in top] == ["r1234"] and "**item1234**" in top[0].title
    assert len(library.search(ws, "border", limit=7)) == 7


def test_search_command_limit(lib: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(lib), "sources", "search", "border", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if not line.startswith(" ")]) == 3
    assert main(["-C", str(lib), "sources", "search", "border", "--limit", "0"]) == 2
    assert "--limit: 0 will not do" in capsys.readouterr().err


def test_digest_holds_exactly_the_weeks_records(lib: Path) -> None:
    direct, _ = read_records(lib / "sources")
    since = dt.date(2024, 3, 11)                     # 2024-W11
    expected = {key for key, record in direct.items()
                if since <= record.added <= since + dt.timedelta(days=6)}
    assert expected
    [week] = run(Workspace(lib), Options(week="2024-W11", formats=["md"], out=Path("out")))
    assert week.records == len(expected)
    text = (lib / "out" / "2024-W11.md").read_text(encoding="utf-8")
    assert {f"r{int(n):04d}" for n in re.findall(r"\bitem(\d+)\b", text)} == expected


def test_refresh_after_edits_equals_a_fresh_read(lib: Path) -> None:
    with _index(lib) as index:
        assert index.refresh().parsed == 0
        sources = lib / "sources"
        edited = sources / "part-03" / "r0003.json"
        data = json.loads(edited.read_text(encoding="utf-8"))
        edited.write_text(json.dumps({**data, "title": "Renamed in place"}), encoding="utf-8")
        (sources / "part-04" / "r0004.json").unlink()
        (sources / "part-05" / "r0005.json").rename(sources / "part-06" / "moved.json")
        shutil.rmtree(sources / "part-07")
        (sources / "new" / "deep").mkdir(parents=True)
        (sources / "new" / "deep" / "fresh.yaml").write_text("kind: memo\ntitle: Fresh\n",
                                                              encoding="utf-8")
        result = index.refresh()
        assert (result.parsed, result.removed) == (3, 2 + RECORDS // 20)
        records, paths = index.library()
        direct, direct_paths = read_records(sources)
        assert dict(records.items()) == direct and paths == direct_paths
        assert records["r0003"].title == "Renamed in place"
        assert index.refresh().parsed == 0


def test_a_warm_refresh_reads_no_unchanged_folder(lib: Path) -> None:
    """Every folder's signature matches: no row of files is read, so no file is hashed."""
    with _index(lib) as index:
        index.refresh()
        read: list[str] = []
        index.db.set_trace_callback(read.append)
        assert index.refresh().parsed == 0
        index.db.set_trace_callback(None)
    assert read == ["SELECT path, signature FROM folders"]


def _plan(index: Index, sql: str, *args: object) -> str:
    return " | ".join(row[3] for row in index.db.execute(f"EXPLAIN QUERY PLAN {sql}", args))


def test_query_plans_use_the_indexes(lib: Path) -> None:
    with _index(lib) as index:
        index.refresh()
        index.db.execute("ANALYZE")            # the plans hold with statistics too
        week = _plan(index, queries.ADDED_BETWEEN, "2024-03-11", "2024-03-17")
        assert "USING INDEX files_added (added>? AND added<?)" in week and "SCAN files" not in week
        ranked = _plan(index, queries.RANKED, '"border"', 20)
        assert "VIRTUAL TABLE INDEX" in ranked and "SCAN files" not in ranked
        assert "INDEX files_url (url_key=?)" in _plan(index, queries.BY_URL, "x")
        assert "INDEX files_title (title_key=?)" in _plan(index, queries.BY_TITLE, "x")
        taken = _plan(index, queries.TAKEN, "x", "x")
        assert "INDEX files_id (id=?)" in taken and "INDEX files_stem (stem=?)" in taken
        errors = _plan(index, "SELECT path, error FROM files WHERE error IS NOT NULL")
        assert "INDEX files_errors" in errors
        folder = _plan(index, "SELECT path FROM files WHERE folder = ?", "part-01")
        assert "INDEX files_folder (folder=?)" in folder


def _feed(count: int) -> str:
    items = "".join(
        f"<item><title>Feed story {n}</title><link>https://feed.example.org/s/{n}?utm_source=rss"
        f"</link><pubDate>Mon, 03 Mar 2025 08:{n % 60:02d}:00 GMT</pubDate>"
        f"<description>Story {n} on border talks.</description></item>" for n in range(count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
            f"<link>https://feed.example.org/</link>{items}</channel></rss>")


def test_reimport_adds_nothing_and_says_so(lib: Path) -> None:
    (lib / "feed.xml").write_text(_feed(150), encoding="utf-8")
    ws = Workspace(lib)
    options = ingest.Options(today=dt.date(2025, 3, 5))
    first = ingest.import_sources(ws, [str(lib / "feed.xml")], options)
    assert len(first.added) == 150 and not first.skipped
    before = sorted(p.name for p in (lib / "sources").iterdir())
    again = ingest.import_sources(ws, [str(lib / "feed.xml")], options)
    assert not again.added and len(again.skipped) == 150
    ids = {added.record.id for added in first.added}
    assert all(why.startswith("already in the library as ") and why.split(" as ")[1] in ids
               for _, why in again.skipped)
    assert sorted(p.name for p in (lib / "sources").iterdir()) == before
    # the same feed again by another address spelling, and a record already in the library
    assert main(["-C", str(lib), "sources", "add", "--kind", "news", "--title", "Other",
                 "--url", "http://www.news.example.org/17/"]) == 2


def test_imported_records_are_indexed_as_a_fresh_read_would(lib: Path) -> None:
    (lib / "feed.xml").write_text(_feed(40), encoding="utf-8")
    ws = Workspace(lib)
    ingest.import_sources(ws, [str(lib / "feed.xml")], ingest.Options(today=dt.date(2025, 3, 5)))

    def rows(root: Path) -> list[tuple[object, ...]]:
        with sqlite3.connect(index_path(root)) as db:
            return db.execute("SELECT path, folder, stem, size, hash, id, added, record, error, "
                              "url_key, title_key FROM files ORDER BY path").fetchall()

    def texts(root: Path) -> list[tuple[object, ...]]:
        with sqlite3.connect(index_path(root)) as db:
            return db.execute("SELECT files.path, search.title, search.summary, search.text, "
                              "search.quotes FROM search JOIN files ON files.rowid = "
                              "search.rowid ORDER BY files.path").fetchall()

    written = rows(lib), texts(lib)
    fresh = lib.parent / "fresh"
    shutil.copytree(lib, fresh)
    index_path(fresh).unlink()
    with _index(fresh) as index:
        index.refresh()
    assert (rows(fresh), texts(fresh)) == written
    # and the files a refresh finds unchanged are not read again
    os.utime(lib / "sources", None)
    with _index(lib) as index:
        assert index.refresh().parsed == 0
