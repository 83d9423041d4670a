"""How fast does a one-note ``briefgen build`` start, next to a cold Pandoc? And what does it import?

Run from anywhere, with briefgen installed (``pip install -e '.[bench]'`` for Pandoc):

    python bench/startup.py             # 15 runs of each command
    python bench/startup.py --small     # 3 runs (what the tests run)

In a temp copy of the example workspace (``briefgen init``) it measures, as fresh
processes, alternating so that both see the same machine:

- ``briefgen -q build border-cooperation`` (Markdown + DOCX, checks on);
- Pandoc on the Markdown note briefgen wrote, to DOCX with the same reference.docx;
- ``python -c pass``, the floor of any Python command.

Each gets wall time and CPU time (user + system, from wait4); the ratio is of the
medians. briefgen's modules are byte-compiled first, as an installed package is
(an editable install run with PYTHONDONTWRITEBYTECODE would compile them on every
start). Then ``python -X importtime`` of the same build: the import time, the
slowest imports and whether any module the build has no use for takes over 30 ms.
Targets: cold build <= 3x cold Pandoc; no unused module over 30 ms.
"""
from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import briefgen
from briefgen.builder import reference_docx
from briefgen.workspace import Workspace, init

BRIEF = "border-cooperation"
TARGET_RATIO = 3.0
TARGET_UNUSED_MS = 30.0
# Modules a one-note Markdown + DOCX build has no use for (tests/test_startup.py too).
UNUSED = ("briefgen.web", "briefgen.library.ingest", "briefgen.library.fetch",
          "briefgen.library.formats", "briefgen.library.extract", "briefgen.digest",
          "briefgen.disclosure.export", "briefgen.writers.pdf", "briefgen.writers.html",
          "briefgen.batch", "feedparser", "bs4", "rich", "starlette", "uvicorn", "babel",
          "multiprocessing", "concurrent", "ssl", "http", "urllib.request", "xml.sax", "asyncio")
SHOWN = 12


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``cmd`` as a fresh process; stop the bench if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{error[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def briefgen_command() -> list[str]:
    """The ``briefgen`` entry point beside this Python, else ``python -m briefgen``."""
    script = Path(sys.executable).with_name("briefgen")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "briefgen"]


def pandoc_path() -> str | None:
    try:
        import pypandoc
        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return None


def line(name: str, samples: list[tuple[float, float]]) -> tuple[float, float]:
    wall = statistics.median(s[0] for s in samples) * 1000
    cpu = statistics.median(s[1] for s in samples) * 1000
    print(f"  {name:<16} wall median {wall:7.1f} ms  min {min(s[0] for s in samples) * 1000:7.1f}"
          f"   CPU median {cpu:7.1f} ms  min {min(s[1] for s in samples) * 1000:7.1f}")
    return wall, cpu


def importtime(root: Path, env: dict[str, str]) -> list[tuple[str, int, float]]:
    """``python -X importtime`` of the build: (module, depth, cumulative ms) in import order."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "briefgen", "-q", "build",
                           BRIEF], cwd=root, env=env, capture_output=True, text=True, check=True)
    found = []
    for text in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)", text)
        if match:
            found.append((match[3], len(match[2]) // 2, int(match[1]) / 1000))
    return found


def unused(name: str) -> bool:
    return any(name == u or name.startswith(f"{u}.") for u in UNUSED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--small", action="store_true", help="3 runs: a quick run")
    args = parser.parse_args(argv)
    runs = 3 if args.small else args.runs
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compileall.compile_dir(Path(briefgen.__file__).parent, quiet=1)
    print(f"briefgen start-up bench: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{runs} runs each; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="briefgen-startup-") as tmp:
        root = Path(tmp) / "ws"
        init(root)
        build = [*briefgen_command(), "-q", "build", BRIEF]
        run(build, root, env)                     # fills the file cache; writes out/*.md
        pandoc = pandoc_path()
        pandoc_cmd = [pandoc or "", "-f", "markdown", "-t", "docx",
                      f"--reference-doc={reference_docx(Workspace(root))}",
                      "-o", str(root / "pandoc.docx"), str(root / "out" / f"{BRIEF}.md")]
        samples: dict[str, list[tuple[float, float]]] = {"python": [], "briefgen": [], "pandoc": []}
        for _ in range(runs):
            shutil.rmtree(root / "out", ignore_errors=True)
            samples["briefgen"].append(run(build, root, env))
            if pandoc:
                samples["pandoc"].append(run(pandoc_cmd, root, env))
            samples["python"].append(run([sys.executable, "-c", "pass"], root, env))
        print(f"\nCold processes (`{' '.join(build[-3:])}`, md + docx, checks on)")
        line("python -c pass", samples["python"])
        ours = line("briefgen build", samples["briefgen"])
        theirs = line("pandoc", samples["pandoc"]) if pandoc else None
        if not pandoc:
            print("  pandoc: skipped, pypandoc-binary is missing (pip install -e '.[bench]')")
        modules = importtime(root, env)
    total = sum(ms for _, depth, ms in modules if depth == 0)
    print(f"\nImports of the build (python -X importtime, one run): {total:.0f} ms; slowest, cumulative:")
    for name, depth, ms in sorted((m for m in modules if m[1] <= 1), key=lambda m: -m[2])[:SHOWN]:
        print(f"  {ms:7.1f} ms  {'  ' * depth}{name}")
    heavy_unused = [(name, ms) for name, _, ms in modules if ms > TARGET_UNUSED_MS and unused(name)]
    print(f"\nTargets (load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    if theirs:
        ratio, cpu_ratio = ours[0] / theirs[0], ours[1] / max(theirs[1], 1e-3)
        print(f"  cold build / cold Pandoc: {ours[0]:.0f} / {theirs[0]:.0f} ms = {ratio:.2f}x wall "
              f"(CPU {cpu_ratio:.1f}x) vs target <= {TARGET_RATIO:g}x   "
              f"{'PASS' if ratio <= TARGET_RATIO else 'MISS'}")
    else:
        print("  cold build / cold Pandoc: no Pandoc to compare with   SKIP")
    shown = ", ".join(f"{name} {ms:.0f} ms" for name, ms in heavy_unused) or "none"
    print(f"  unused modules over {TARGET_UNUSED_MS:.0f} ms: {shown}   "
          f"{'PASS' if not heavy_unused else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
