"""Batch builds: parallel workers, a failing brief among many, crash safety."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import briefgen.builder as builder
from briefgen.builder import build
from briefgen.errors import BuildFailed, OutputError
from briefgen.workspace import Workspace

BRIEF = "subject: Note {n}\ndate: 2025-01-0{d}\nsummary: Officials met [@news-article].\n" \
        "talking_points:\n  - Point {n} [@stats].\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _briefs(ws: Path, count: int) -> None:
    for n in range(count):
        (ws / f"briefs/b{n:03}.yaml").write_text(BRIEF.format(n=n, d=n % 9 + 1))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_parallel_equals_serial(workspace: Path) -> None:
    _briefs(workspace, 6)
    ws = Workspace(workspace)
    build(ws, [], ["md", "docx"], Path("serial"), jobs=1)
    build(ws, [], ["md", "docx"], Path("parallel"), jobs=2)
    assert _snapshot(workspace / "serial") == _snapshot(workspace / "parallel")
    assert len(_snapshot(workspace / "serial")) == 14


def test_one_failing_brief_does_not_stop_the_others(workspace: Path) -> None:
    _briefs(workspace, 4)
    (workspace / "briefs/b002.yaml").write_text("subject: Bad\ndate: 2025-01-01\nsummary: See [@nope].\n")
    result = run("build", "-j", "2", cwd=workspace)
    assert result.returncode == 1
    assert "briefgen: failed: briefs/b002.yaml:3: summary: citation of unknown record" \
        in result.stderr
    assert "4 built, 1 failed" in result.stderr
    built = sorted(p.name for p in (workspace / "out").iterdir())
    assert "b002.docx" not in built and "b003.docx" in built and "note.docx" in built


def test_keep_going_in_process(workspace: Path) -> None:
    _briefs(workspace, 2)
    (workspace / "briefs/b001.yaml").write_text("subject: Bad\n")
    with pytest.raises(BuildFailed) as err:
        build(Workspace(workspace), [], ["md"], keep_going=True)
    assert [p.name for p, _ in err.value.failures] == ["b001.yaml"]
    assert "date: required field is missing" in str(err.value.failures[0][1])
    assert (workspace / "out/b000.md").exists()


def test_without_keep_going_nothing_is_written(workspace: Path) -> None:
    _briefs(workspace, 2)
    (workspace / "briefs/b001.yaml").write_text("subject: Bad\n")
    result = run("build", cwd=workspace)
    assert result.returncode == 2
    assert not (workspace / "out").exists()


@pytest.mark.parametrize("fail_at", [0, 1, 3])
def test_failure_while_writing_leaves_out_as_it_was(workspace: Path, fail_at: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _briefs(workspace, 2)
    build(Workspace(workspace), [], ["md", "docx"])
    (workspace / "out/extra.txt").write_text("mine")
    before = _snapshot(workspace / "out")
    (workspace / "briefs/b000.yaml").write_text(BRIEF.format(n="changed", d=1))
    (workspace / "briefs/b009.yaml").write_text(BRIEF.format(n=9, d=9))
    real, calls = os.replace, []

    def flaky(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == fail_at + 1 and str(dst).endswith((".md", ".docx")):
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(builder.os, "replace", flaky)
    with pytest.raises(OutputError, match="No space left"):
        build(Workspace(workspace), [], ["md", "docx"])
    monkeypatch.setattr(builder.os, "replace", real)
    assert _snapshot(workspace / "out") == before


def test_killed_build_leaves_only_complete_files(workspace: Path) -> None:
    _briefs(workspace, 40)
    process = subprocess.Popen([sys.executable, "-m", "briefgen", "build", "-j", "2", "-q"],
                               cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    out = workspace / "out"
    for path in out.iterdir() if out.exists() else []:
        if path.name.endswith(".tmp"):
            continue
        if path.suffix == ".docx":
            assert zipfile.ZipFile(path).testzip() is None
        else:
            assert path.read_text(encoding="utf-8").rstrip().endswith("**UNCLASSIFIED**")
    assert run("build", "-q", cwd=workspace).returncode == 0
    assert not list(out.glob(".*.tmp"))
    assert len(list(out.glob("*.docx"))) == 41


def test_a_large_note_builds(workspace: Path) -> None:
    """500 citations, 200 talking points and a 5 MB record in one note (timings: bench/batch.py)."""
    (workspace / "sources/huge.yaml").write_text(
        "kind: report\ntitle: Huge\ntext: |\n" + "  words and more words\n" * 250_000)
    summary = " ".join(f"Claim {n} [@news-article, p. {n}]." for n in range(1, 301))
    points = "".join(f"  - Point {n} [@stats; @huge].\n" for n in range(200))
    (workspace / "briefs/big.yaml").write_text(
        f"subject: Big\ndate: 2025-01-01\nsummary: |\n  {summary}\ntalking_points:\n{points}")
    build(Workspace(workspace), ["big"], ["md", "docx"], check=False)
    with zipfile.ZipFile(workspace / "out/big.docx") as package:
        notes = len(re.findall(r'<w:footnote w:id="[1-9]', package.read("word/footnotes.xml").decode()))
    assert notes == 500


def test_check_error_in_a_parallel_build_is_reported_like_a_serial_one(workspace: Path) -> None:
    _briefs(workspace, 8)                      # 9 briefs: built in worker processes by default
    (workspace / "briefs/b004.yaml").write_text(
        "subject: Misquote\ndate: 2025-01-01\n"
        "summary: 'A spokesperson said \"We will stop working together\" [@news-article].'\n")
    result = run("build", cwd=workspace)
    assert result.returncode == 1
    assert "b004.yaml:3:" in result.stderr and "error[misquote]" in result.stderr
    assert not (workspace / "out").exists()
