"""How fast ``briefgen redline`` is on a 2-page note.

Run: ``python bench/redline.py [--small] [--runs N]``. Copies the example
workspace, edits the 2-page border-cooperation brief (prose, a talking point,
footnotes changed, removed and added, the memo header, the marking) and times,
several times each:

- the diff alone: two DOCX notes in memory → the redline DOCX;
- a whole redline in process: both notes composed and written, then diffed;
- the ``briefgen redline`` command (a new process: start-up included);
- as a baseline in the same run, building the note itself (compose + DOCX).

When python-redlines and its Docxodus engine are installed it times that
engine on the same two DOCX files too, for comparison. Wall and CPU times are
printed with their range and the load average. Target: a redline of a 2-page
note in <= 1 s.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from redlines import edited  # noqa: E402 - the edits the tests make

from briefgen.builder import reference_docx  # noqa: E402
from briefgen.note.composer import compose  # noqa: E402
from briefgen.review.package import Package, redline  # noqa: E402
from briefgen.review.redline import make  # noqa: E402
from briefgen.workspace import Workspace, init  # noqa: E402
from briefgen.writers import docx  # noqa: E402

TARGET_S = 1.0
BRIEF = "briefs/border-cooperation.md"


def measure(call: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run (after one warm-up run)."""
    call()
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def commands(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system of the child) of a command, run ``runs`` times."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall.append(time.perf_counter() - w0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def line(label: str, wall: list[float], cpu: list[float] | None = None) -> str:
    text = (f"  {label:<38} median {statistics.median(wall) * 1000:7.1f} ms  "
            f"(range {min(wall) * 1000:.1f}-{max(wall) * 1000:.1f})")
    if cpu:
        text += f"  cpu {statistics.median(cpu) * 1000:.1f} ms"
    return text


def docxodus(old: bytes, new: bytes, runs: int) -> list[float] | None:
    """python-redlines' Docxodus engine on the same files, when it is installed."""
    try:
        from python_redlines import DocxodusEngine
    except ImportError:
        return None
    engine = DocxodusEngine()
    wall, _ = measure(lambda: engine.run_redline("bench", original=old, modified=new), runs)
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a few runs: seconds in all")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each (default 10)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.small else 10)
    load_before = os.getloadavg()
    root = Path(tempfile.mkdtemp(prefix="briefgen-redline-bench-")) / "ws"
    try:
        init(root)
        brief = root / BRIEF
        (root / "earlier.md").write_text(brief.read_text(encoding="utf-8"), encoding="utf-8")
        brief.write_text(edited(brief.read_text(encoding="utf-8")), encoding="utf-8")
        ws = Workspace(root)
        reference = reference_docx(ws)
        old = docx.write(compose(ws, root / "earlier.md"), reference)
        new = docx.write(compose(ws, brief), reference)
        out = root / "out"

        def diff() -> None:
            redline(Package(old, "old"), Package(new, "new"), "bench", "2025-04-10T00:00:00Z")

        results = {
            "diff of two DOCX notes": measure(diff, runs),
            "whole redline in process": measure(lambda: make(ws, brief, "earlier.md", out), runs),
            "baseline: build the note (DOCX)": measure(
                lambda: docx.write(compose(ws, brief), reference), runs),
        }
        command = [sys.executable, "-m", "briefgen", "-q", "-C", str(root)]
        cli = commands([*command, "redline", "border-cooperation", "--against", "earlier.md"],
                       max(2, runs // 3))
        cli_build = commands([*command, "build", "border-cooperation", "--no-check"],
                             max(2, runs // 3))
        engine = docxodus(old, new, max(2, runs // 3)) if not args.small else None
        made = make(ws, brief, "earlier.md", out)
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    print(f"briefgen redline bench: the 2-page example note, {made.changes.insertions} "
          f"insertions and {made.changes.deletions} deletions; {runs} runs each")
    for label, (wall, cpu) in results.items():
        print(line(label, wall, cpu))
    print(line("`briefgen redline` command", *cli))
    print(line("baseline: `briefgen build` of the note", *cli_build))
    whole = statistics.median(results["whole redline in process"][0])
    base = statistics.median(results["baseline: build the note (DOCX)"][0])
    print(f"  whole redline / building the note: {whole / base:.1f}x "
          "(two notes are built, then diffed)")
    if engine is not None:
        print(line("python-redlines (Docxodus), diff only", engine))
        ours = statistics.median(results["diff of two DOCX notes"][0])
        print(f"  Docxodus / briefgen diff: {statistics.median(engine) / ours:.0f}x")
    command_cpu = statistics.median(cli[1])
    verdict = "PASS" if command_cpu <= TARGET_S and whole <= TARGET_S else "MISS"
    print(f"  target: a redline of a 2-page note <= {TARGET_S:.0f} s: in process {whole:.2f} s "
          f"wall, command {command_cpu:.2f} s CPU (start-up included)   {verdict}")
    print(f"  (the command's wall time, {statistics.median(cli[0]):.2f} s, waits for a CPU "
          "when the load is above the CPU count)")
    print(f"  load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
