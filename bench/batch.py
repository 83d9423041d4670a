"""How does briefgen do on a batch? 500 briefs with -j 1 and -j 2, next to Pandoc.

Run from anywhere, with briefgen installed (``pip install -e '.[bench]'`` for Pandoc):

    python bench/batch.py                 # 500 briefs; medians of 3 (in process) and 5 (start-up)
    python bench/batch.py --briefs 100    # a quicker batch
    python bench/batch.py --runs 7        # more runs for the in-process and start-up medians

The batch builds and Pandoc run once each: over 500 notes a run is its own average.

Everything is measured in this one run, in a temp copy of the example workspace
(``briefgen init``); the repo's out/ is never touched. Sections:

- batch: ``briefgen build -j 1`` and ``-j 2`` as cold processes (md + docx, checks on)
  over N generated briefs: notes/s, wall time, peak RSS;
- Pandoc: the same N Markdown files to DOCX, one process each, same reference.docx;
- scale: one note with 1x, 10x, 100x the citations and talking points, and a
  cited record of 50 KB, 500 KB and 5 MB of text: time per size and per 10x step;
- start-up: cold ``briefgen --help`` and ``briefgen check BRIEF`` beside ``python -c pass``,
  and whether they import python-docx, Markdown or lxml.

Targets: ``-j 2`` throughput >= 4x Pandoc's; peak RSS <= 300 MB. Run it on an
otherwise idle machine: ``-j 2`` needs both cores (the load average is printed).

Peak RSS is measured two ways. ``largest process`` is the ru_maxrss that wait4
returns for the run, the number ``/usr/bin/time -v`` prints: the largest single
process, the parent or one worker, not their sum. ``tree`` (Linux) is the peak
of the whole process tree's RSS added up, sampled from /proc every 20 ms: the
memory the run holds at once. The target applies to the tree where it is known.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.builder import reference_docx
from briefgen.note.check import ERROR, check_all, check_brief
from briefgen.note.composer import compose
from briefgen.workspace import Workspace, init
from briefgen.writers import docx as docx_writer
from briefgen.writers import markdown as md_writer

TARGET_RATIO = 4.0          # briefgen -j 2 notes/s over Pandoc files/s
TARGET_RSS_MB = 300.0
SCALES = (1, 10, 100)       # x (5 citations, 2 talking points)
TEXT_SIZES = (50_000, 500_000, 5_000_000)
LINEAR = 12.0               # a 10x step that takes up to 12x the time still counts as linear
HEAVY = ("docx", "markdown", "lxml")
SAMPLE_S = 0.02
CHILDREN = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")   # Linux: the tree to sample


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def briefgen_command() -> list[str]:
    """The ``briefgen`` entry point beside this Python, else ``python -m briefgen``."""
    script = Path(sys.executable).with_name("briefgen")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "briefgen"]


# -- the briefs ---------------------------------------------------------------------------

def cited(fact: str, key: str) -> str:
    """A record's key fact as a cited sentence (no quotation marks: no misquote to check)."""
    text = re.sub(r"[“”\"]", "", fact).strip().rstrip(".")
    return f"{text} [@{key}]."


def generated_brief(n: int, ws: Workspace) -> str:
    """A briefing note citing 3 to 6 records, with 2 to 5 talking points."""
    rng = random.Random(n)
    keys = rng.sample(sorted(ws.records), rng.randint(3, 6))
    facts = [(key, fact) for key in keys for fact in ws.records[key].key_facts]

    def pick(count: int) -> list[str]:
        return [cited(f, k) for k, f in rng.sample(facts, min(count, len(facts)))]

    points = "".join(f"  - >-\n    {s}\n" for s in pick(rng.randint(2, 5)))
    return (f"type: briefing-note\ntracking_number: PS-2025-{n:04}\nlang: {rng.choice(['en', 'fr'])}\n"
            f"to: The Minister of Public Safety\nfrom: Deputy Minister of Public Safety\n"
            f"subject: Canada–U.S. border file, item {n}\ndate: 2025-{n % 12 + 1:02}-{n % 28 + 1:02}\n"
            f"purpose: information\nsummary: |\n  {' '.join(pick(2))}\n"
            f"background: |\n  {' '.join(pick(3))}\n\n  {' '.join(pick(2))}\n"
            f"current_status: |\n  {' '.join(pick(2))}\n"
            f"talking_points:\n{points}sources:\n" + "".join(f"  - {k}\n" for k in keys))


def write_briefs(root: Path, count: int) -> None:
    """``count`` briefs in place of the examples: four in five generated briefing notes,
    one in five an example brief (every note type, English and French) renamed."""
    ws = Workspace(root)
    examples = [(p.read_text(encoding="utf-8"), p.suffix) for p in ws.brief_paths([])]
    for path in ws.brief_paths([]):
        path.unlink()
    for n in range(count):
        text, suffix = (generated_brief(n, ws), ".yaml") if n % 5 else examples[n // 5 % len(examples)]
        text = re.sub(r"(?m)^subject: (.*)$", rf"subject: \1 ({n})", text, count=1)
        (root / "briefs" / f"b{n:04}{suffix}").write_text(text, encoding="utf-8")
    errors = [f for f in check_all(ws, ws.brief_paths([])) if f.severity == ERROR]
    if errors:
        sys.exit(f"generated briefs fail the checks: {errors[0]} (and {len(errors) - 1} more)")


# -- processes: wall time and peak memory -------------------------------------------------

@dataclass
class Run:
    seconds: float
    cpu_seconds: float         # user + system, every process of the run
    largest_mb: float          # one process (wait4's ru_maxrss): the parent or a worker
    tree_mb: float | None      # the whole tree at once, sampled


class TreeSampler(threading.Thread):
    """Polls /proc: the largest sum of RSS over ``pid`` and its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.done.wait(SAMPLE_S):
            self.peak = max(self.peak, sum(self.rss_pages(p) for p in self.tree()) * page)

    def tree(self) -> set[int]:
        found, todo = set(), [self.pid]
        while todo:
            pid = todo.pop()
            found.add(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo += [int(child) for child in task.read_text().split()]
                except OSError:      # the process just ended
                    pass
        return found

    @staticmethod
    def rss_pages(pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return 0


def measure(cmd: Sequence[str], cwd: Path) -> Run:
    """Run ``cmd`` once as a fresh process; stop the bench if it fails."""
    t0 = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid) if CHILDREN.exists() else None
    if sampler:
        sampler.start()
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)   # the usage /usr/bin/time -v reports
    seconds = time.perf_counter() - t0
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if sampler:
        sampler.done.set()
        sampler.join()
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(map(str, cmd))}\n{stderr[-3000:]}")
    largest = usage.ru_maxrss / 1024   # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, largest, sampler.peak / 2**20 if sampler and sampler.peak else None)


def mb(value: float | None) -> str:
    return f"{value:6.1f} MB" if value is not None else "     n/a"


# -- the batch, and Pandoc ----------------------------------------------------------------

def bench_builds(root: Path, count: int) -> dict[int, Run]:
    """``briefgen build -j N`` of every brief, cold, into an empty out/: N = 1, 2."""
    print(f"\nBatch: briefgen build of {count} briefs, md + docx, checks on, cold process "
          f"(load average before: {os.getloadavg()[0]:.2f})")
    runs = {}
    for jobs in (1, 2):
        shutil.rmtree(root / "out", ignore_errors=True)
        runs[jobs] = run = measure([*briefgen_command(), "-q", "build", "-j", str(jobs)], root)
        made = len(list((root / "out").glob("*.docx")))
        if made != count:
            sys.exit(f"-j {jobs} wrote {made} DOCX files, not {count}")
        print(f"  -j {jobs}   {count / run.seconds:7.1f} notes/s   wall {run.seconds:6.2f} s   "
              f"CPU {run.cpu_seconds:6.2f} s = {run.cpu_seconds / run.seconds:.2f} cores busy")
        print(f"          peak RSS: all processes {mb(run.tree_mb)}, largest process "
              f"{mb(run.largest_mb)}")
    return runs


def bench_pandoc(root: Path, reference: Path) -> float | None:
    """Pandoc on every .md that briefgen wrote, one process after another: files/s."""
    try:
        import pypandoc
    except ImportError:
        print("\nPandoc: skipped, pypandoc is missing (pip install -e '.[bench]')")
        return None
    pandoc = pypandoc.get_pandoc_path()
    sources = sorted((root / "out").glob("*.md"))
    target = root / "pandoc"
    target.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    for source in sources:
        subprocess.run([pandoc, "-f", "markdown", "-t", "docx", f"--reference-doc={reference}",
                        "-o", str(target / f"{source.stem}.docx"), str(source)], check=True)
    seconds = time.perf_counter() - t0
    print(f"\nPandoc {pypandoc.get_pandoc_version()}: the same {len(sources)} Markdown files -> "
          f"DOCX, one process each, same reference.docx")
    print(f"  pandoc {len(sources) / seconds:9.1f} files/s   wall {seconds:6.2f} s")
    return len(sources) / seconds


# -- scale inside one note ----------------------------------------------------------------

def scaled_brief(k: int, ws: Workspace) -> str:
    """5k citations: 3k in the background, one in each of 2k talking points."""
    facts = [(key, f) for key in sorted(ws.records) for f in ws.records[key].key_facts]
    cite = [cited(f, key) for key, f in facts]
    background = "\n\n".join("  " + cite[i % len(cite)] for i in range(3 * k))
    points = "".join(f"  - >-\n    {cite[(i * 7) % len(cite)]}\n" for i in range(2 * k))
    return (f"type: briefing-note\ntracking_number: PS-2025-9{k:03}\nto: The Minister\n"
            f"from: Deputy Minister\nsubject: Scale test {k}x\ndate: 2025-04-10\n"
            f"purpose: information\nsummary: A note {k} times the usual size.\n"
            f"background: |\n{background}\ntalking_points:\n{points}")


def big_record(size: int) -> str:
    """A memo of ``size`` bytes of text; its last sentence is quoted by the brief."""
    para = ("Officials reviewed the border arrangements and reported on the results of "
            "the review to the deputy minister. ")
    body = "\n\n".join([para * 8] * (size // (len(para) * 8 + 2) + 1))[:size - 60]
    return (f"---\nkind: memo\ntitle: A long memo ({size // 1000} KB)\ndate: 2025-01-10\n---\n"
            f"{body}\n\nThe final review was completed in March.\n")


def text_brief(size: int) -> str:
    return ("type: briefing-note\nto: The Minister\nfrom: Deputy Minister\n"
            f"subject: Long record {size // 1000} KB\ndate: 2025-04-10\npurpose: information\n"
            "summary: The memo says \"The final review was completed in March\" [@long-memo].\n"
            "talking_points:\n  - The review is complete [@long-memo].\n")


def time_note(root: Path, brief: Path, runs: int) -> dict[str, float]:
    """Median ms of each stage over ``runs``: load, compose, md, docx, check."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        t = [time.perf_counter()]
        ws = Workspace(root)
        ws.records  # noqa: B018 - the library is read now, so "load" owns that cost
        t.append(time.perf_counter())
        note = compose(ws, brief)
        t.append(time.perf_counter())
        md_writer.write(note)
        t.append(time.perf_counter())
        docx_writer.write(note, reference_docx(ws))
        t.append(time.perf_counter())
        check_brief(ws, brief)
        t.append(time.perf_counter())
        for stage, a, b in zip(("load", "compose", "md", "docx", "check"), t, t[1:]):
            samples.setdefault(stage, []).append((b - a) * 1000)
    stages = {stage: statistics.median(values) for stage, values in samples.items()}
    stages["note"] = stages["compose"] + stages["md"] + stages["docx"]
    return stages


def print_scale(label: str, sizes: Sequence[str], timings: list[dict[str, float]]) -> float:
    """One row per size; returns the largest 10x step of compose + md + docx."""
    print(f"  {label:<22} {'compose':>8} {'md':>7} {'docx':>8} {'= note':>8} {'x step':>7}"
          f" {'check':>8} {'x step':>7} {'load':>8}")
    steps = [1.0] + [t["note"] / before["note"] for before, t in zip(timings, timings[1:])]
    checks = [1.0] + [t["check"] / before["check"] for before, t in zip(timings, timings[1:])]
    for i, (size, t) in enumerate(zip(sizes, timings)):
        note, check = (f"{steps[i]:6.1f}x", f"{checks[i]:6.1f}x") if i else ("", "")
        print(f"  {size:<22} {t['compose']:8.1f} {t['md']:7.1f} {t['docx']:8.1f} {t['note']:8.1f} "
              f"{note:>7} {t['check']:8.1f} {check:>7} {t['load']:8.1f}")
    return max(steps[1:])


def bench_scale(root: Path, runs: int) -> None:
    print(f"\nScale inside one note, in process, ms (median of {runs}; 'x step' = time / the "
          "previous size's time, 10x the input each step)")
    ws, timings = Workspace(root), []
    time_note(root, root / "briefs" / "b0001.yaml", 3)   # warm-up: templates compiled, caches filled
    for k in SCALES:
        brief = root / "scale" / f"scale-{k}.yaml"
        brief.parent.mkdir(exist_ok=True)
        brief.write_text(scaled_brief(k, ws), encoding="utf-8")
        timings.append(time_note(root, brief, runs))
    largest = print_scale("citations, points", [f"{5 * k} cit., {2 * k} points" for k in SCALES],
                          timings)
    timings = []
    for size in TEXT_SIZES:
        copy = root.parent / f"text-{size}"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("out", "pandoc", "briefs"))
        (copy / "sources" / "long-memo.md").write_text(big_record(size), encoding="utf-8")
        brief = copy / "text.yaml"
        brief.write_text(text_brief(size), encoding="utf-8")
        timings.append(time_note(copy, brief, runs))
    largest = max(largest, print_scale("record text", [f"{size // 1000:,} KB" for size in TEXT_SIZES],
                                       timings))
    print(f"  largest step of compose + md + docx: {largest:.1f}x for 10x the input "
          f"({'at most linear' if largest <= LINEAR else 'faster than linear'}: <= {LINEAR:g}x)")


# -- start-up -----------------------------------------------------------------------------

def cold_ms(cmd: Sequence[str], cwd: Path, runs: int) -> float:
    """Median wall ms of ``cmd`` as a fresh process (after one untimed run)."""
    samples = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if i:
            samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def heavy_imports(argv: Sequence[str], cwd: Path) -> list[str]:
    """The python-docx, Markdown and lxml modules that ``briefgen ARGV`` imports."""
    code = ("import contextlib, io, json, sys\nfrom briefgen.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(sys.argv[1:])\n    except SystemExit:\n        pass\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=cwd, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_startup(root: Path, runs: int) -> bool:
    print(f"\nStart-up, cold, median of {runs} runs")
    base = cold_ms([sys.executable, "-c", "pass"], root, runs)
    print(f"  python -c pass            {base:7.1f} ms")
    clean = True
    for argv in (["--help"], ["check", "b0000"]):
        took = cold_ms([*briefgen_command(), *argv], root, runs)
        heavy = heavy_imports(argv, root)
        clean = clean and not heavy
        shown = ", ".join(heavy) or "none of " + ", ".join(HEAVY)
        print(f"  briefgen {' '.join(argv):<16} {took:7.1f} ms  (+{took - base:5.1f} ms)   "
              f"imports {shown}")
    return clean


# -- main ---------------------------------------------------------------------------------

def report(builds: dict[int, Run], count: int, pandoc: float | None, clean: bool) -> None:
    print("\nTargets")
    rate = count / builds[2].seconds
    if pandoc is None:
        print(f"  -j 2: {rate:.1f} notes/s; no Pandoc to compare with   SKIP")
    else:
        ratio = rate / pandoc
        print(f"  -j 2 / Pandoc: {rate:.1f} / {pandoc:.1f} per s = {ratio:.2f}x "
              f"vs target >= {TARGET_RATIO:.0f}x   {verdict(ratio >= TARGET_RATIO)}")
    for jobs, run in builds.items():
        peak, what = ((run.tree_mb, "all processes") if run.tree_mb is not None
                      else (run.largest_mb, "largest process; no /proc to add them up"))
        print(f"  -j {jobs} peak RSS ({what}): {peak:.1f} MB vs target <= {TARGET_RSS_MB:.0f} MB"
              f"   {verdict(peak <= TARGET_RSS_MB)}")
    print(f"  --help and check import no {', '.join(HEAVY)}   {verdict(clean)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=500, help="briefs in the batch (default 500)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs per in-process size (default 3) and per start-up command "
                             "(at least 5)")
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args(argv)
    if args.small:
        args.briefs, args.runs = 10, 1
    print(f"briefgen batch bench: Python {sys.version.split()[0]} on {sys.platform}, "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="briefgen-batch-") as tmp:
        root = Path(tmp) / "ws"
        init(root)
        write_briefs(root, args.briefs)
        builds = bench_builds(root, args.briefs)
        pandoc = bench_pandoc(root, reference_docx(Workspace(root)))
        bench_scale(root, args.runs)
        clean = bench_startup(root, max(args.runs, 5))
        report(builds, args.briefs, pandoc, clean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
