"""Start-up stays light: ``--help`` and ``check`` load neither python-docx, Markdown nor lxml.

Those only make output files; importing them costs every quick command time.
Each case runs in a fresh interpreter, since the test session has them loaded.
"""
from __future__ import annotations

import json
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
