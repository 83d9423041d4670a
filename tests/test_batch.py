"""Batch builds: parallel workers, a failing brief among many, crash safety."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

import briefgen.batch as batch
import briefgen.builder as builder
from briefgen.builder import build
from briefgen.cli import main
from briefgen.errors import BuildFailed, OutputError
from briefgen.workspace import Workspace

KILLPOINT = Path(__file__).parent / "killpoint.py"
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


def _stopped_at(what: str, count: int, args: list[str], cwd: Path, marker: Path,
               go: Path, **popen: Any) -> subprocess.Popen[bytes]:
    """``briefgen ARGS`` paused at a point of the build (tests/killpoint.py), once it is there."""
    process = subprocess.Popen([sys.executable, str(KILLPOINT), what, str(count), str(marker),
                                str(go), "--", *args], cwd=cwd, **popen)
    for _ in range(6000):           # up to ten minutes on a busy machine
        if marker.exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), f"the build ended (status {process.poll()}) before the point"
    return process


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("what, count", [("stage", 3), ("replace", 0), ("replace", 5)])
def test_build_killed_while_writing_leaves_old_or_new_files(
        workspace: Path, tmp_path: Path, what: str, count: int) -> None:
    _briefs(workspace, 12)
    build(Workspace(workspace), [], ["md", "docx"])
    out = workspace / "out"
    old = _snapshot(out)
    for n in range(12):
        (workspace / f"briefs/b{n:03}.yaml").write_text(BRIEF.format(n=f"new {n}", d=n % 9 + 1))
    build(Workspace(workspace), [], ["md", "docx"], Path("expected"))
    new = _snapshot(workspace / "expected")
    process = _stopped_at(what, count, ["build", "-q", "-j", "2"], workspace,
                          tmp_path / "there", tmp_path / "never")
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = {name: data for name, data in _snapshot(out).items() if not name.endswith(".tmp")}
    assert set(left) == set(new)
    assert all(data in (old[name], new[name]) for name, data in left.items())
    replaced = [name for name, data in left.items() if data != old[name]]
    assert len(replaced) == (count if what == "replace" else 0)
    temps = _temp_files(out)
    kept_aside = [name for name in temps if name.endswith("-old.tmp")]   # old files, while moving
    assert len(temps) - len(kept_aside) == (count if what == "stage" else 26 - count)
    assert len(kept_aside) == (0 if what == "stage" else count + 1)
    assert run("build", "-q", cwd=workspace).returncode == 0
    assert _snapshot(out) == new and not _temp_files(out)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_when_the_build_is_killed(workspace: Path, tmp_path: Path, sig: int) -> None:
    _briefs(workspace, 4)
    marker = tmp_path / "there"
    process = _stopped_at("note", 0, ["build", "-j", "2"], workspace, marker, tmp_path / "never",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    workers = [int(pid) for pid in marker.read_text().split()]
    assert process.pid not in workers                 # paused in a worker, not in the build
    process.send_signal(sig)
    process.wait()
    # The pipe ends only when every process that holds it (the workers too) has ended.
    reader = threading.Thread(target=process.stdout.read, daemon=True)
    reader.start()
    reader.join(timeout=120)
    try:
        assert not reader.is_alive(), "the workers outlived the build, holding its pipe"
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_two_builds_at_once_both_write_everything(workspace: Path, tmp_path: Path) -> None:
    """The larger build is stopped after staging its first file while a small one runs."""
    _briefs(workspace, 12)
    build(Workspace(workspace), [], ["md", "docx"], Path("expected"))
    go, errors = tmp_path / "go", tmp_path / "second.err"
    larger = _stopped_at("stage", 1, ["build", "-q", "-j", "2"], workspace, tmp_path / "there", go)
    with errors.open("wb") as stderr:
        smaller = subprocess.Popen([sys.executable, "-m", "briefgen", "build", "note"],
                                   cwd=workspace, stdout=subprocess.DEVNULL, stderr=stderr)
        for _ in range(6000):        # it either waits for the larger one, or finishes
            if smaller.poll() is not None or b"waiting for another" in errors.read_bytes():
                break
            time.sleep(0.1)
        go.touch()
        assert (larger.wait(timeout=600), smaller.wait(timeout=600)) == (0, 0)
    assert errors.read_text().endswith(
        "\nout: waiting for another briefgen build writing there to finish\n")
    assert _snapshot(workspace / "out") == _snapshot(workspace / "expected")


def test_only_own_temp_files_of_ended_runs_are_removed(workspace: Path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead, living = int(ended.stdout), os.getpid()
    out = workspace / "out"
    (out / "sub").mkdir(parents=True)
    kept = [".draft.tmp", f".note.md.briefgen-{living}-abcd1234.tmp",
            f"sub/.note.md.briefgen-{dead}-abcd1234.tmp"]
    for name in kept + [f".note.md.briefgen-{dead}-abcd1234.tmp",
                        f".note.docx.briefgen-{dead}-old.tmp"]:
        (out / name).write_text("partial")
    (workspace / ".mine.tmp").write_text("someone's")
    build(Workspace(workspace), [], ["md"])
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.tmp")) == sorted(kept)
    assert (workspace / ".mine.tmp").exists()


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_must_be_one_or_more(workspace: Path, capsys: pytest.CaptureFixture[str],
                                  jobs: str) -> None:
    assert main(["-C", str(workspace), "build", "-j", jobs]) == 2
    assert capsys.readouterr().err == \
        f"briefgen: error: -j {jobs}: give 1 or more worker processes\n"
    assert not (workspace / "out").exists()


def test_jobs_are_capped_at_the_usable_cpus(workspace: Path, caplog: pytest.LogCaptureFixture,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _briefs(workspace, 3)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    started: list[int] = []
    real = batch.ProcessPoolExecutor

    def counted(workers: int, **kwargs: Any) -> Any:
        started.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", counted)
    assert main(["-C", str(workspace), "-q", "build", "-j", "100000"]) == 0
    assert started == [2]
    assert "warning: -j 100000 is more than the 2 CPUs this run may use; using 2" \
        in caplog.messages
    assert len(list((workspace / "out").glob("*.docx"))) == 4


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


def test_files_are_written_under_temp_names_as_notes_are_made(workspace: Path,
                                                             tmp_path: Path) -> None:
    """While the fifth note is made, the first four are on disk already (not in memory),
    under temp names: nothing is in place until every note is made."""
    _briefs(workspace, 6)
    process = _stopped_at("note", 4, ["build", "-q", "-j", "1"], workspace, tmp_path / "there",
                          tmp_path / "never")
    try:
        out = workspace / "out"
        staged = sorted(re.sub(r"^\.(.+)\.briefgen-\d+-\w+\.tmp$", r"\1", p.name)
                        for p in out.iterdir())
        assert staged == [f"b00{n}.{ext}" for n in range(4) for ext in ("docx", "md")]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert run("build", "-q", cwd=workspace).returncode == 0
    assert not _temp_files(workspace / "out") and len(_snapshot(workspace / "out")) == 14


def test_a_failing_brief_after_others_leaves_the_previous_outputs(workspace: Path) -> None:
    _briefs(workspace, 3)
    build(Workspace(workspace), [], ["md", "docx"])
    before = _snapshot(workspace / "out")
    for n in range(2):
        (workspace / f"briefs/b00{n}.yaml").write_text(BRIEF.format(n=f"new {n}", d=1))
    (workspace / "briefs/b002.yaml").write_text(
        "subject: Bad\ndate: 2025-01-01\nsummary: See [@x].\n")
    result = run("build", cwd=workspace)
    assert result.returncode == 2 and "citation of unknown record" in result.stderr
    assert _snapshot(workspace / "out") == before


def test_files_flushed_one_by_one_where_there_is_no_syncfs(workspace: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import briefgen.durable as durable

    _briefs(workspace, 3)
    build(Workspace(workspace), [], ["md", "docx"], Path("expected"))
    monkeypatch.setattr(durable, "_syncfs", lambda: None)
    synced: list[Path] = []
    real = durable._fsync
    monkeypatch.setattr(durable, "_fsync", lambda path: (synced.append(path), real(path)))
    build(Workspace(workspace), [], ["md", "docx"])
    assert _snapshot(workspace / "out") == _snapshot(workspace / "expected")
    assert len(synced) == 8 and all(p.name.endswith(".tmp") for p in synced)
