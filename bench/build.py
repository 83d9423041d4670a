"""How fast is briefgen? In-process ms per note against a floor, and a cold build next to Pandoc.

Run from anywhere, with briefgen installed (``pip install -e '.[bench]'`` for Pandoc):

    python bench/build.py            # 20 in-process rounds, 7 cold runs
    python bench/build.py --small    # a few seconds: 3 rounds, 2 cold runs
    python bench/build.py --runs 50  # more rounds (cold runs stay at 7 unless --cold-runs)

Everything is measured in this one run, on a temp copy of the example workspace
(``briefgen init``: ten notes, five note types, English and French), so the
repo's out/ is never touched.

In process, each round writes every example note once (composed beforehand;
the reference document is prepared in the warm-up). Per note means the mean
over the ten notes; each figure is the median over the rounds, in wall time and
in CPU time (``time.process_time``). The machine may be shared: CPU time is the
steadier figure, and the verdicts use it.

- ``md+docx``: the Markdown and the DOCX of a composed note;
- ``compose+md+docx``: composing the note from its brief and records as well;
- ``floor``: what any Markdown → DOCX writer has to do for the same note, on the
  same output, in the same rounds: (1) parse the note's Markdown into an element
  tree (``doctree.parse``, which the writers walk), (2) serialise the note's
  ``word/document.xml`` tree with lxml (parsed from the note's DOCX beforehand),
  and (3) zip the same parts (every member of the note's DOCX, deflated, with
  fixed dates, as the writer zips them; the writer itself deflates only the parts
  a note changes, the reference document's own parts once a process);
- ``ratio``: md+docx over the floor.

Targets:

- in process: md+docx <= 12 ms per note and <= 2.5x the floor;
  compose+md+docx <= 20 ms per note;
- cold ``briefgen build`` of one note: <= 3x a cold Pandoc Markdown -> DOCX run.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from lxml import etree

from briefgen.builder import reference_docx
from briefgen.note.composer import Note, compose
from briefgen.workspace import Workspace, init
from briefgen.writers import docx as docx_writer
from briefgen.writers import markdown as md_writer
from briefgen.writers.doctree import parse
from briefgen.writers.ooxml_package import deterministic_zip

BRIEF = "border-cooperation"      # the note of the cold runs
TARGET_NOTE_MS = 12.0             # md+docx, in process
TARGET_FLOOR_RATIO = 2.5          # md+docx over the floor
TARGET_COMPOSED_MS = 20.0         # compose+md+docx, in process
TARGET_COLD_RATIO = 3.0
WARM_UP = 2
SMALL = {"runs": 3, "cold_runs": 2}
# Dependencies whose import cost the start-up section names.
HEAVY = ("docx", "pydantic", "jinja2", "yaml", "markdown")


def ms(ns: int) -> float:
    return ns / 1e6


def summary(samples: Sequence[float]) -> str:
    return f"median {statistics.median(samples):8.2f} ms   min {min(samples):8.2f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


# -- in process ---------------------------------------------------------------------------

class Clock:
    """Wall and CPU time of what runs between two calls, in ms."""

    def __init__(self) -> None:
        self.wall = time.perf_counter_ns()
        self.cpu = time.process_time_ns()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        lapped = ms(wall - self.wall), ms(cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return lapped


class Floor:
    """The floor's inputs for one note: its Markdown, document.xml tree and zip members."""

    def __init__(self, note: Note, docx: bytes) -> None:
        self.markdown = note.body
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            self.members = {name: package.read(name) for name in package.namelist()}
        self.document = etree.fromstring(self.members["word/document.xml"])

    def run(self) -> None:
        parse(self.markdown)
        etree.tostring(self.document, encoding="UTF-8", standalone=True)
        deterministic_zip(self.members)


def bench_in_process(root: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU ms per note of each stage, md+docx, compose+md+docx, the floor
    and (CPU only) the ratio of md+docx to the floor."""
    ws = Workspace(root)
    ws.records  # noqa: B018 - the library is read once, before the rounds
    reference = reference_docx(ws)
    briefs = sorted(p for p in (root / "briefs").iterdir() if p.suffix in (".md", ".yaml"))
    notes = [compose(ws, brief) for brief in briefs]
    floors = [Floor(note, docx_writer.write(note, reference)) for note in notes]
    stages = ("compose", "md", "docx", "floor")
    per_note: dict[str, list[tuple[float, float]]] = {stage: [] for stage in stages}
    for index in range(WARM_UP + runs):
        spent = {stage: [0.0, 0.0] for stage in stages}

        def add(stage: str, lap: tuple[float, float]) -> None:
            spent[stage][0] += lap[0] / len(notes)
            spent[stage][1] += lap[1] / len(notes)

        for brief, note, floor in zip(briefs, notes, floors):
            clock = Clock()
            compose(ws, brief)
            add("compose", clock.lap())
            md_writer.write(note)
            add("md", clock.lap())
            docx_writer.write(note, reference)
            add("docx", clock.lap())
            floor.run()
            add("floor", clock.lap())
        if index >= WARM_UP:
            for stage in stages:
                per_note[stage].append((spent[stage][0], spent[stage][1]))
    per_note["md+docx"] = [(m[0] + d[0], m[1] + d[1])
                           for m, d in zip(per_note["md"], per_note["docx"])]
    per_note["compose+md+docx"] = [(c[0] + n[0], c[1] + n[1])
                                   for c, n in zip(per_note["compose"], per_note["md+docx"])]
    print(f"\nIn process, per note ({len(notes)} example notes; {runs} rounds after {WARM_UP} "
          "warm-up; median and min of the rounds)")
    print(f"  {'':<16} {'wall':>34}   {'CPU':>34}")
    for stage in ("compose", "md", "docx", "md+docx", "compose+md+docx", "floor"):
        wall = [w for w, _ in per_note[stage]]
        cpu = [c for _, c in per_note[stage]]
        print(f"  {stage:<16} {summary(wall)}   {summary(cpu)}")
    ratios = [n[1] / f[1] for n, f in zip(per_note["md+docx"], per_note["floor"])]
    print(f"  {'ratio':<16} md+docx / floor, CPU: median {statistics.median(ratios):.2f}x, "
          f"range {min(ratios):.2f}-{max(ratios):.2f}x")
    medians = {stage: (statistics.median(w for w, _ in samples),
                       statistics.median(c for _, c in samples))
               for stage, samples in per_note.items()}
    medians["ratio"] = (0.0, statistics.median(ratios))
    return medians


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

def report(in_process: dict[str, tuple[float, float]], cli: float, pandoc: float | None) -> None:
    print("\nTargets (in process: CPU time per note; wall time in brackets)")
    wall, cpu = in_process["md+docx"]
    print(f"  md+docx: {cpu:.1f} ms ({wall:.1f} ms) vs target <= {TARGET_NOTE_MS:.0f} ms   "
          f"{verdict(cpu <= TARGET_NOTE_MS)}")
    ratio = in_process["ratio"][1]
    floor_wall, floor_cpu = in_process["floor"]
    print(f"  md+docx / floor: {cpu:.1f} / {floor_cpu:.1f} ms = {ratio:.2f}x "
          f"(floor {floor_wall:.1f} ms wall) vs target <= {TARGET_FLOOR_RATIO}x   "
          f"{verdict(ratio <= TARGET_FLOOR_RATIO)}")
    wall, cpu = in_process["compose+md+docx"]
    print(f"  compose+md+docx: {cpu:.1f} ms ({wall:.1f} ms) vs target <= "
          f"{TARGET_COMPOSED_MS:.0f} ms   {verdict(cpu <= TARGET_COMPOSED_MS)}")
    if pandoc is None:
        print(f"  cold CLI: {cli:.0f} ms; no Pandoc to compare with   SKIP")
        return
    ratio = cli / pandoc
    print(f"  cold CLI / cold Pandoc: {cli:.0f} / {pandoc:.0f} ms = {ratio:.2f}x "
          f"vs target <= {TARGET_COLD_RATIO:.0f}x   {verdict(ratio <= TARGET_COLD_RATIO)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="in-process rounds (default 20)")
    parser.add_argument("--cold-runs", type=int, default=7, help="cold process runs (default 7)")
    parser.add_argument("--small", action="store_true",
                        help=f"a quick run: {SMALL['runs']} rounds, {SMALL['cold_runs']} cold runs")
    args = parser.parse_args(argv)
    if args.small:
        args.runs, args.cold_runs = SMALL["runs"], SMALL["cold_runs"]
    print(f"briefgen bench: Python {sys.version.split()[0]} on {sys.platform}; {load()}")
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        root = Path(tmp) / "ws"
        init(root)
        reference = reference_docx(Workspace(root))
        in_process = bench_in_process(root, args.runs)
        cli = bench_cold_cli(root, args.cold_runs)
        pandoc = bench_pandoc(root, args.cold_runs, reference)
        bench_startup(args.cold_runs)
        report(in_process, cli, pandoc)
    print(f"\nAfter the run: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
