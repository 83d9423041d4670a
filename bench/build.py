"""How fast is briefgen? In-process and cold-CLI timings of the example brief, next to Pandoc.

Run from anywhere, with briefgen installed (``pip install -e '.[bench]'`` for Pandoc):

    python bench/build.py            # 20 warm runs, 7 cold runs
    python bench/build.py --runs 50  # more warm runs (cold runs stay at 7 unless --cold-runs)

Everything is measured in this one run, on a temp copy of the example workspace
(``briefgen init``), so the repo's out/ is never touched. Targets:

- in process, warm: <= 20 ms per note (compose + Markdown + DOCX, library loaded);
- cold ``briefgen build`` of one note: <= 5x a cold Pandoc Markdown -> DOCX run.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from briefgen.builder import reference_docx
from briefgen.note.composer import compose
from briefgen.workspace import Workspace, init
from briefgen.writers import docx as docx_writer
from briefgen.writers import markdown as md_writer

BRIEF = "border-cooperation"
TARGET_IN_PROCESS_MS = 20.0
TARGET_COLD_RATIO = 5.0
WARM_UP = 3
# Dependencies whose import cost the start-up section names.
HEAVY = ("docx", "pydantic", "jinja2", "yaml", "markdown")


def ms(ns: int) -> float:
    return ns / 1e6


def summary(samples: Sequence[float]) -> str:
    return f"median {statistics.median(samples):8.2f} ms   min {min(samples):8.2f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# -- in process ---------------------------------------------------------------------------

def one_note(root: Path, brief: Path) -> dict[str, float]:
    """One full note in process, each stage timed: load, compose, md, docx (ms)."""
    t0 = time.perf_counter_ns()
    ws = Workspace(root)
    ws.records  # noqa: B018 - read the source records now, so "load" owns that cost
    t1 = time.perf_counter_ns()
    note = compose(ws, brief)
    t2 = time.perf_counter_ns()
    md_writer.write(note)
    t3 = time.perf_counter_ns()
    docx_writer.write(note, reference_docx(ws))
    t4 = time.perf_counter_ns()
    return {"load": ms(t1 - t0), "compose": ms(t2 - t1), "md": ms(t3 - t2),
            "docx": ms(t4 - t3), "note": ms(t4 - t1), "total": ms(t4 - t0)}


def bench_in_process(root: Path, runs: int) -> float:
    brief = root / "briefs" / f"{BRIEF}.md"
    for _ in range(WARM_UP):
        one_note(root, brief)
    samples = [one_note(root, brief) for _ in range(runs)]
    print(f"\nIn process, warm ({runs} runs after {WARM_UP} warm-up; fresh Workspace each run)")
    for stage in ("load", "compose", "md", "docx"):
        print(f"  {stage:<8} {summary([s[stage] for s in samples])}")
    notes = [s["note"] for s in samples]
    print(f"  {'per note':<8} {summary(notes)}   (compose + md + docx; the library is loaded once)")
    print(f"  {'+ load':<8} {summary([s['total'] for s in samples])}   (a one-note run, library read too)")
    return statistics.median(notes)


# -- cold processes -----------------------------------------------------------------------

def cold(cmd: Sequence[str], runs: int, cwd: Path | None = None,
         before: Callable[[], None] | None = None) -> list[float]:
    """Wall-clock ms of ``cmd`` as a fresh process, ``runs`` times (plus one untimed run)."""
    samples = []
    for i in range(runs + 1):
        if before:
            before()
        t0 = time.perf_counter_ns()
        done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = ms(time.perf_counter_ns() - t0)
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(map(str, cmd))}\n"
                     f"{done.stderr.decode(errors='replace')}")
        if i:  # the first run only fills the OS file cache
            samples.append(elapsed)
    return samples


def briefgen_command() -> list[str]:
    """The ``briefgen`` entry point beside this Python, else ``python -m briefgen``."""
    script = Path(sys.executable).with_name("briefgen")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "briefgen"]


def bench_cold_cli(root: Path, runs: int) -> float:
    out = root / "out"
    cmd = [*briefgen_command(), "-q", "-C", str(root), "build", BRIEF]
    samples = cold(cmd, runs, cwd=root, before=lambda: shutil.rmtree(out, ignore_errors=True))
    shown = " ".join(cmd).replace(str(root), "WS")
    print(f"\nCold CLI, new process each run ({runs} runs): {shown}")
    print(f"  briefgen build    {summary(samples)}")
    return statistics.median(samples)


def bench_pandoc(root: Path, runs: int, reference: Path) -> float | None:
    try:
        import pypandoc
    except ImportError:
        print("\nPandoc: skipped, pypandoc is missing: the bench extra is needed "
              "(pip install -e '.[bench]')")
        return None
    pandoc = pypandoc.get_pandoc_path()
    source = root / "out" / f"{BRIEF}.md"
    cmd = [pandoc, "-f", "markdown", "-t", "docx", f"--reference-doc={reference}",
           "-o", str(root / "pandoc.docx"), str(source)]
    samples = cold(cmd, runs, cwd=root)
    print(f"\nPandoc {pypandoc.get_pandoc_version()}, cold, same Markdown -> DOCX with the "
          f"same reference.docx ({runs} runs)")
    print(f"  pandoc            {summary(samples)}")
    return statistics.median(samples)


# -- start-up context ---------------------------------------------------------------------

def import_ms(args: Sequence[str]) -> tuple[float, float, dict[str, float]]:
    """``python -X importtime ARGS``: total import ms, briefgen's share, heaviest dependencies.

    Top-level lines' cumulative times add up to the total; briefgen's share is the
    top-level ``briefgen*`` lines (so it includes what briefgen imports).
    """
    done = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True,
                          text=True, check=True)
    total = mine = 0
    deps: dict[str, int] = {}
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)", line)
        if not found:
            continue
        cumulative, nested, name = int(found.group(1)), found.group(2), found.group(3)
        if not nested:
            total += cumulative
            mine += cumulative if name.startswith("briefgen") else 0
        elif name in HEAVY:
            deps[name] = max(deps.get(name, 0), cumulative)
    return total / 1000, mine / 1000, {k: v / 1000 for k, v in deps.items()}


def print_imports(label: str, args: Sequence[str]) -> None:
    total, mine, deps = import_ms(args)
    heaviest = ", ".join(f"{name} {t:.0f}" for name, t in sorted(deps.items(), key=lambda d: -d[1]))
    print(f"  imports, {label}: {total:.1f} ms, {mine:.1f} ms of it briefgen"
          + (f" (incl. {heaviest} ms)" if heaviest else ""))


def bench_startup(runs: int) -> None:
    print(f"\nStart-up context ({runs} runs)")
    print(f"  python -c pass    {summary(cold([sys.executable, '-c', 'pass'], runs))}")
    help_cmd = [*briefgen_command(), "--help"]
    print(f"  briefgen --help   {summary(cold(help_cmd, runs))}")
    print_imports("python -m briefgen --help", ["-m", "briefgen", "--help"])
    print_imports("what a build needs", ["-c", "import briefgen.note.composer, briefgen.workspace, "
                                         "briefgen.writers.markdown, briefgen.writers.docx"])


# -- main ---------------------------------------------------------------------------------

def report(in_process: float, cli: float, pandoc: float | None) -> None:
    print("\nTargets")
    ok = in_process <= TARGET_IN_PROCESS_MS
    print(f"  in process: {in_process:.1f} ms per note vs target {TARGET_IN_PROCESS_MS:.0f} ms "
          f"({in_process / TARGET_IN_PROCESS_MS:.2f}x of target)   {verdict(ok)}")
    if pandoc is None:
        print(f"  cold CLI: {cli:.0f} ms; no Pandoc to compare with   SKIP")
        return
    ratio = cli / pandoc
    print(f"  cold CLI / cold Pandoc: {cli:.0f} / {pandoc:.0f} ms = {ratio:.2f}x "
          f"vs target <= {TARGET_COLD_RATIO:.0f}x   {verdict(ratio <= TARGET_COLD_RATIO)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="warm in-process runs (default 20)")
    parser.add_argument("--cold-runs", type=int, default=7, help="cold process runs (default 7)")
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args(argv)
    if args.small:
        args.runs, args.cold_runs = 3, 2
    print(f"briefgen bench: Python {sys.version.split()[0]} on {sys.platform}, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        root = Path(tmp) / "ws"
        init(root)
        reference = reference_docx(Workspace(root))
        in_process = bench_in_process(root, args.runs)
        cli = bench_cold_cli(root, args.cold_runs)
        pandoc = bench_pandoc(root, args.cold_runs, reference)
        bench_startup(args.cold_runs)
        report(in_process, cli, pandoc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
