"""Start-up stays light: ``--help`` and ``check`` load neither python-docx, Markdown nor lxml,
and a build loads only what its notes and formats use.

Those only make output files; importing them costs every quick command time.
Each case runs in a fresh interpreter, since the test session has them loaded.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("docx", "markdown", "lxml")
PROBE = f"""
import contextlib, io, json, sys
from briefgen.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
print(json.dumps([code, sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})]))
"""
RECORD = "kind: news\ntitle: Item {n}\ndate: 2024-01-02\ntext: Officials met on day {n}.\n"


def heavy_modules(argv: list[str], cwd: Path) -> tuple[int, list[str]]:
    """``briefgen ARGV``'s exit code and the heavy modules it imported."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return code, modules


@pytest.mark.parametrize("argv", [["--help"], ["check", "note"], ["check", "--json"]])
def test_quick_commands_do_not_import_writers(workspace: Path, argv: list[str]) -> None:
    assert heavy_modules(argv, workspace) == (0, [])


def test_check_with_the_index_does_not_import_writers(workspace: Path) -> None:
    """A library large enough to be read through the SQLite index."""
    for n in range(220):
        (workspace / f"sources/item-{n:03}.yaml").write_text(RECORD.format(n=n), encoding="utf-8")
    assert heavy_modules(["check", "note"], workspace) == (0, [])
    assert (workspace / ".briefgen/index.sqlite").is_file()


MODULES = """
import contextlib, io, json, sys
from briefgen.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps([code, sorted(sys.modules)]))
"""
# What a one-note Markdown + DOCX build has no use for: the web app, importing and
# fetching records, the digest, the disclosure export, PDF and HTML, worker processes,
# the progress bar, and the network (xml.sax.saxutils pulled in urllib, http and ssl).
UNUSED = ("briefgen.web", "briefgen.library.ingest", "briefgen.library.fetch",
          "briefgen.library.formats", "briefgen.library.extract", "briefgen.library.add",
          "briefgen.digest", "briefgen.disclosure.export", "briefgen.writers.pdf",
          "briefgen.writers.html", "briefgen.batch", "feedparser", "bs4", "rich", "starlette",
          "uvicorn", "watchfiles", "babel", "multiprocessing", "concurrent.futures.process",
          "ssl", "http", "urllib.request", "xml.sax", "smtplib", "asyncio")


def imported(argv: list[str], cwd: Path) -> list[str]:
    """Every module ``briefgen ARGV`` imported, run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", MODULES, *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    code, modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0
    return modules


def _unused(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == u or m.startswith(f"{u}.") for u in UNUSED)]


def test_a_one_note_build_imports_only_what_it_uses(workspace: Path) -> None:
    modules = imported(["build", "note"], workspace)
    assert _unused(modules) == []
    assert {"docx", "markdown", "briefgen.writers.docx", "briefgen.note.check"} <= set(modules)
    assert (workspace / "out/note.docx").is_file()


def test_a_batch_loads_worker_processes_only_when_it_has_workers(workspace: Path) -> None:
    """-j 1 builds in this process: nothing of multiprocessing is loaded."""
    for n in range(8):
        (workspace / f"briefs/b{n}.yaml").write_text(
            f"subject: Item {n}\ndate: 2025-01-02\nsummary: Officials met [@news-article].\n")
    modules = imported(["build", "-j", "1", "--format", "md"], workspace)
    assert _unused(modules) == []
    assert "docx" not in modules        # not asked for


def test_a_build_asks_pydantic_for_no_plugins(workspace: Path) -> None:
    """Looking for plugins reads every installed package's metadata at the first model."""
    probe = ("import os\nfrom briefgen.cli import main\nmain(['-q', 'check'])\n"
             "print(os.environ['PYDANTIC_DISABLE_PLUGINS'])")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=workspace, capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.stdout.splitlines()[-1:] == ["__all__"], done.stderr
