"""The source index: a real SQLite file that caches the library and never changes what it says."""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from briefgen.errors import InputError
from briefgen.library import index as index_module
from briefgen.library.index import Index, index_path, library, scan
from briefgen.readers import read_records
from briefgen.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def library_ws(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/digest: eight records in YAML, JSON and Markdown."""
    target = tmp_path / "lib"
    shutil.copytree(FIXTURES / "digest", target)
    return target


def _index(root: Path) -> Index:
    return Index(index_path(root), root / "sources")


def _error_text(call) -> str:
    with pytest.raises(InputError) as caught:
        call()
    return str(caught.value)


@pytest.mark.parametrize("fixture", ["digest", "workspace"])
def test_records_through_the_index_equal_a_direct_read(tmp_path: Path, fixture: str) -> None:
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    direct, direct_paths = read_records(root / "sources")
    for _ in range(2):   # cold, then warm from the cache
        records, paths = library(root, root / "sources", use_index=True)
        assert dict(records.items()) == direct
        assert list(records) == list(direct)
        assert paths == direct_paths
    assert index_path(root).is_file()


def test_refresh_rereads_only_what_changed(library_ws: Path) -> None:
    sources = library_ws / "sources"
    with _index(library_ws) as index:
        first = index.refresh()
        assert (first.files, first.parsed) == (8, 8)
        assert index.refresh().parsed == 0

        news = sources / "tariffs-news.yaml"
        stat = news.stat()
        os.utime(news, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        touched = index.refresh()
        assert (touched.parsed, touched.touched) == (0, 1)       # same content: hash matches

        news.write_text(news.read_text(encoding="utf-8").replace("Talks resume", "Talks end"),
                        encoding="utf-8")
        assert index.refresh().parsed == 1
        assert "Talks end next week." in index.library()[0]["tariffs-news"].key_facts

        (sources / "old-report.yaml").unlink()
        shutil.copy(news, sources / "nested.yaml")
        (sources / "deeper").mkdir()
        shutil.copy(sources / "border-atip.yaml", sources / "deeper" / "copy.yaml")
        result = index.refresh()
        assert (result.removed, result.parsed) == (1, 2)
        assert "old-report" not in index.library()[0]


def test_a_change_within_the_same_mtime_tick_is_seen(library_ws: Path) -> None:
    """Same size, same mtime, new content, written just after indexing: hashed again."""
    path = library_ws / "sources" / "election-news.yaml"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")     # saved just now
    with _index(library_ws) as index:
        index.refresh()
        stat = path.stat()
        path.write_text(path.read_text(encoding="utf-8").replace("adviser was", "adviser WAS"),
                        encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert path.stat().st_size == stat.st_size
        assert index.refresh().parsed == 1
        assert index.library()[0]["election-news"].summary == "A border adviser WAS named."


@pytest.mark.parametrize("damage", [
    ("sources/tariffs-news.yaml", "titel: typo\n"),
    ("sources/crossings.json", "{not json"),
    ("sources/border-memo.md", "no front matter\n"),
    ("sources/zz-date.yaml", "kind: news\ntitle: T\ndate: 2024-02-30\n"),
])
def test_read_errors_are_identical_with_the_index(library_ws: Path, damage: tuple[str, str]) -> None:
    name, text = damage
    path = library_ws / name
    if name.endswith("tariffs-news.yaml"):
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    else:
        path.write_text(text, encoding="utf-8")
    expected = _error_text(lambda: read_records(library_ws / "sources"))
    for _ in range(2):   # freshly parsed, then the error as stored in the index
        assert _error_text(lambda: library(library_ws, library_ws / "sources", use_index=True)) == expected


def test_duplicate_ids_are_identical_with_the_index(library_ws: Path) -> None:
    (library_ws / "sources" / "again.yaml").write_text(
        "id: tariffs-news\nkind: news\ntitle: Twice\n", encoding="utf-8")
    expected = _error_text(lambda: read_records(library_ws / "sources"))
    assert "also used by" in expected
    assert _error_text(lambda: library(library_ws, library_ws / "sources", use_index=True)) == expected


def test_problems_name_every_invalid_file(library_ws: Path) -> None:
    sources = library_ws / "sources"
    (sources / "bad-one.yaml").write_text("kind: news\n", encoding="utf-8")
    (sources / "bad-two.json").write_text("[1, 2]", encoding="utf-8")
    (sources / "twin.yaml").write_text("id: old-report\nkind: news\ntitle: T\n", encoding="utf-8")
    with _index(library_ws) as index:
        index.refresh()
        problems = index.problems()
    named = [p.path.name for p in problems]
    assert named == ["bad-one.yaml", "bad-two.json", "old-report.yaml", "twin.yaml"]
    assert "title: required field is missing" in str(problems[0].error)
    assert "expected fields written as" in str(problems[1].error)
    assert "also used by" in str(problems[3].error)


def test_a_corrupt_index_is_rebuilt_with_a_warning(library_ws: Path, caplog) -> None:
    library(library_ws, library_ws / "sources", use_index=True)
    index_path(library_ws).write_bytes(b"this is not a database" * 200)
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        records, _ = library(library_ws, library_ws / "sources", use_index=True)
    assert len(records) == 8
    assert "rebuilding the source index" in caplog.text and "damaged" in caplog.text
    with sqlite3.connect(index_path(library_ws)) as db:
        assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 8


def test_an_old_schema_is_rebuilt_with_a_warning(library_ws: Path, caplog) -> None:
    library(library_ws, library_ws / "sources", use_index=True)
    with sqlite3.connect(index_path(library_ws)) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
        db.execute("UPDATE files SET record = NULL, error = NULL")   # what an old version left
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        records, _ = library(library_ws, library_ws / "sources", use_index=True)
    assert "another version of briefgen" in caplog.text
    assert records["tariffs-news"].title == "Tariff threat prompts talks"


def test_a_table_missing_from_the_index_is_rebuilt(library_ws: Path, caplog) -> None:
    library(library_ws, library_ws / "sources", use_index=True)
    with sqlite3.connect(index_path(library_ws)) as db:
        db.execute("DROP TABLE files")
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        records, _ = library(library_ws, library_ws / "sources", use_index=True)
    assert len(records) == 8 and "rebuilding the source index" in caplog.text


TAMPERING = [
    "UPDATE files SET record = 'garbage' WHERE id = 'tariffs-news'",
    "UPDATE files SET mtime_ns = 'abc'",
    "UPDATE files SET error = '{x', id = NULL, record = NULL WHERE id = 'tariffs-news'",
    "UPDATE files SET record = NULL WHERE id = 'tariffs-news'",
    "UPDATE files SET record = json_set(record, '$.id', 'other') WHERE id = 'tariffs-news'",
    "UPDATE files SET record = '{\"id\": \"tariffs-news\"}' WHERE id = 'tariffs-news'",
    "UPDATE files SET error = '5', id = NULL, record = NULL WHERE id = 'tariffs-news'",
]


@pytest.mark.parametrize("change", TAMPERING)
def test_tampered_rows_are_rebuilt_with_a_warning(library_ws: Path, caplog, change: str) -> None:
    library(library_ws, library_ws / "sources", use_index=True)
    with sqlite3.connect(index_path(library_ws)) as db:
        db.execute(change)
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        records, _ = library(library_ws, library_ws / "sources", use_index=True)
        assert records["tariffs-news"].title == "Tariff threat prompts talks"
        assert {key: records[key] for key in records} == read_records(library_ws / "sources")[0]
    assert "rebuilding the source index: its rows were changed outside briefgen" in caplog.text


def test_a_stored_record_that_does_not_validate_is_a_clear_error(library_ws: Path) -> None:
    library(library_ws, library_ws / "sources", use_index=True)
    with sqlite3.connect(index_path(library_ws)) as db:
        db.execute("UPDATE files SET record = json_set(record, '$.kind', 'nonsense') "
                   "WHERE id = 'tariffs-news'")
    records, _ = library(library_ws, library_ws / "sources", use_index=True)
    message = _error_text(lambda: records["tariffs-news"])
    assert message.endswith("index.sqlite: the source index holds a record briefgen did not "
                            "write; delete the file and run again (it is rebuilt from sources/)")


def test_deleting_the_index_loses_nothing(library_ws: Path) -> None:
    first, _ = library(library_ws, library_ws / "sources", use_index=True)
    first = dict(first.items())
    shutil.rmtree(library_ws / ".briefgen")
    again, _ = library(library_ws, library_ws / "sources", use_index=True)
    assert dict(again.items()) == first


def test_an_unwritable_index_falls_back_to_reading_files(library_ws: Path, caplog) -> None:
    (library_ws / ".briefgen").write_text("a file where the folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        records, _ = library(library_ws, library_ws / "sources", use_index=True)
    assert len(records) == 8 and "without the index" in caplog.text


def test_full_text_search(library_ws: Path) -> None:
    with _index(library_ws) as index:
        index.refresh()
        assert [key for key, _ in index.search("staffing")] == ["border-atip"]
        assert {key for key, _ in index.search("crossings")} == {"border-memo", "crossings"}
        assert [key for key, _ in index.search("crossings")][0] == "crossings"     # in its title
        assert index.search("nothing-like-this") == []
        assert [key for key, _ in index.search("Staffing, small PORTS")] == ["border-atip"]
        assert [key for key, _ in index.search("staff*", syntax=True)] == ["border-atip"]
        with pytest.raises(InputError, match="cannot search"):
            index.search('"unbalanced', syntax=True)


def test_added_between_and_undated(library_ws: Path) -> None:
    import datetime as dt

    (library_ws / "sources" / "no-dates.yaml").write_text("kind: news\ntitle: T\n", encoding="utf-8")
    with _index(library_ws) as index:
        index.refresh()
        week = index.added_between(dt.date(2024, 12, 9), dt.date(2024, 12, 15))
        assert sorted(r.id for r, _ in week) == ["border-atip", "border-memo", "crossings",
                                                  "energy-statement", "tariffs-news",
                                                  "threat-assessment"]
        assert [p.name for p in index.undated()] == ["no-dates.yaml"]


def test_scan_skips_hidden_files_and_other_suffixes(library_ws: Path) -> None:
    sources = library_ws / "sources"
    (sources / ".hidden.yaml").write_text("kind: news\n", encoding="utf-8")
    (sources / ".git").mkdir()
    (sources / ".git" / "x.yaml").write_text("kind: news\n", encoding="utf-8")
    (sources / "notes.txt").write_text("not a record", encoding="utf-8")
    assert len(scan(sources)) == 8
    assert [f.rel for f in scan(sources)] == sorted(f.rel for f in scan(sources))


def test_workspace_uses_the_index_for_a_large_library(library_ws: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(Workspace(library_ws).records) == 8
    assert not index_path(library_ws).exists()          # small: read directly
    monkeypatch.setattr(index_module, "INDEX_MIN_FILES", 5)
    ws = Workspace(library_ws)
    assert ws.records["crossings"].kind == "statistic"
    assert str(ws.record_path("crossings")) == "sources/crossings.json"
    assert index_path(library_ws).is_file()
    monkeypatch.setattr(index_module, "INDEX_MIN_FILES", 10_000)
    assert len(Workspace(library_ws).records) == 8     # an index that exists stays in use


def test_builds_are_the_same_through_the_index(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.builder import build

    build(Workspace(workspace), ["note"], ["md"], Path("direct"))
    monkeypatch.setattr(index_module, "INDEX_MIN_FILES", 1)
    build(Workspace(workspace), ["note"], ["md"], Path("indexed"))
    assert index_path(workspace).is_file()
    assert (workspace / "direct/note.md").read_bytes() == (workspace / "indexed/note.md").read_bytes()


def test_parallel_parse_gives_the_same_index(library_ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "PARALLEL_MIN_FILES", 1)
    records, _ = library(library_ws, library_ws / "sources", use_index=True)
    direct, _ = read_records(library_ws / "sources")
    assert dict(records.items()) == direct


def test_two_processes_refreshing_at_once(library_ws: Path) -> None:
    """Two runs that start together (a build and the digest): both succeed, one index."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from briefgen.library.index import library; "
            "r, _ = library(Path(sys.argv[1]), Path(sys.argv[1]) / 'sources', use_index=True); "
            "print(len(r))")
    for n in range(30):
        (library_ws / "sources" / f"extra-{n}.yaml").write_text(
            f"kind: news\ntitle: Extra {n}\nadded: 2024-12-10\n", encoding="utf-8")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(library_ws)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [out for out, _ in results] == ["38\n"] * 3
    assert all("rebuilding" not in err and "without the index" not in err for _, err in results)
    with sqlite3.connect(index_path(library_ws)) as db:
        assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 38
        assert db.execute("SELECT COUNT(*) FROM search").fetchone()[0] == 38


def test_link_out_of_sources_is_refused_through_the_index_too(tmp_path: Path) -> None:
    sources = tmp_path / "ws" / "sources"
    sources.mkdir(parents=True)
    (sources / "ok.yaml").write_text("kind: memo\ntitle: Fine\n")
    secret = tmp_path / "secret.yaml"
    secret.write_text("kind: memo\ntitle: Not yours\n")
    (sources / "leak.yaml").symlink_to(secret)
    with pytest.raises(InputError, match="outside sources/"):
        library(tmp_path / "ws", sources, use_index=True)
