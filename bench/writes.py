"""How fast does a build write its files, and does its memory stay flat as the batch grows?

Run from anywhere, with briefgen installed:

    python bench/writes.py              # 3,600 files; builds of 1,000 and 5,000 notes at -j 2
    python bench/writes.py --small      # 200 files; builds of 10 and 50 notes (seconds)
    python bench/writes.py --files 3600 --notes 1000 --runs 5

Everything is measured in this one run, in temp folders (the repo's out/ is never touched):

- write: N files (the example notes' MD and DOCX, repeated under N names) written as a
  build writes them (each staged as its note comes in, all made durable at once, moved
  into place), beside the way builds wrote them before, one fsync per file; then the N
  files replaced by new bytes, and written again with the same bytes (nothing is
  rewritten). Each run writes into a folder of its own; a last row writes just after
  as many files were deleted, which on some file systems (ext4 with ``discard``) costs
  seconds of the kernel's own work (``rm -rf out && briefgen build``). Wall and CPU
  seconds, fastest / median / slowest of the runs.
- memory: ``briefgen build -q -j 2 --force`` of M and 5M generated briefs (md + docx,
  checks on), cold: the peak RSS of all its processes at once, sampled from /proc, and
  the ratio of the two (flat: the larger batch holds no more).

Targets: 3,600 files written in <= 1 s; 5,000 notes at -j 2 in <= 200 MB for all
processes, the larger batch within 1.25x the smaller. The disk is shared: run it on an
otherwise idle machine (the load average is printed) and read the ranges.
"""
from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from batch import briefgen_command, measure, write_briefs

from briefgen.builder import Output, OutputFolder, build
from briefgen.workspace import Workspace, init

TARGET_WRITE_S = 1.0
TARGET_FILES = 3600
TARGET_RSS_MB = 200.0
TARGET_NOTES = 5000
FLAT = 1.25


def load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


def seeds(root: Path) -> list[Output]:
    """The example notes, built once: the bytes the N files repeat."""
    build(Workspace(root), None, ["md", "docx"], Path("seed"), check=False)
    return [Output(path, path.read_bytes()) for path in sorted((root / "seed").iterdir())]


def outputs(folder: Path, seed: list[Output], count: int, extra: bytes = b"") -> list[Output]:
    return [Output(folder / f"n{n:05}{seed[n % len(seed)].path.suffix}",
                   seed[n % len(seed)].data + extra) for n in range(count)]


def as_a_build(files: list[Output]) -> None:
    """Staged one by one as they come in, then made durable and moved into place at once."""
    with OutputFolder(files[0].path.parent) as folder:
        for n, output in enumerate(files):
            folder.stage(output, (n, 0))
        folder.commit()


def one_fsync_each(files: list[Output]) -> None:
    """How builds wrote before: each file to a temp name and fsync'ed, then each moved."""
    staged = []
    files[0].path.parent.mkdir(parents=True, exist_ok=True)
    for output in files:
        temp = output.path.with_name(f".{output.path.name}.tmp")
        with open(temp, "wb") as handle:
            handle.write(output.data)
            handle.flush()
            os.fsync(handle.fileno())
        staged.append((temp, output.path))
    for temp, final in staged:
        os.replace(temp, final)


def timed(action: Callable[[], None], prepare: Callable[[], None],
          runs: int) -> list[tuple[float, float]]:
    """(wall, cpu) seconds of each run; ``prepare`` runs before each, untimed."""
    found = []
    for _ in range(runs):
        prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        found.append((time.perf_counter() - wall, time.process_time() - cpu))
    return found


def spread(values: list[float]) -> str:
    return f"{min(values):6.3f} / {statistics.median(values):6.3f} / {max(values):6.3f}"


def bench_writes(root: Path, count: int, runs: int) -> float:
    """The median wall time of writing ``count`` files as a build does.

    Each run writes into a folder of its own: deleting thousands of files just before
    costs the file system seconds of its own work while the next files are created
    (seen on ext4 mounted with ``discard``), which the last row shows apart."""
    seed = seeds(root)
    folders = (root / f"out{n}" for n in itertools.count())
    files: list[Output] = []

    def new(extra: bytes = b"") -> Callable[[], None]:
        def prepare() -> None:
            files[:] = outputs(next(folders), seed, count, extra)
        return prepare

    def filled(extra: bytes) -> Callable[[], None]:
        def prepare() -> None:
            new()()
            as_a_build(files)
            files[:] = outputs(files[0].path.parent, seed, count, extra)
        return prepare

    def after_deleting() -> None:
        new()()
        as_a_build(files)
        shutil.rmtree(files[0].path.parent)
        new()()

    fresh = outputs(root, seed, count)
    size = sum(len(o.data) for o in fresh) / 2**20
    print(f"\nWrite: {count:,} files ({size:.0f} MB) into one folder; wall and CPU seconds, "
          f"fastest / median / slowest of {runs} ({load()})")
    rows = {
        "as a build, new folder": timed(lambda: as_a_build(files), new(), runs),
        "one fsync per file, new folder": timed(lambda: one_fsync_each(files), new(), runs),
        "as a build, every file replaced": timed(lambda: as_a_build(files), filled(b"\n"), runs),
        "as a build, nothing changed": timed(lambda: as_a_build(files), filled(b""), runs),
        "as a build, new folder, just after deleting as many":
            timed(lambda: as_a_build(files), after_deleting, runs),
    }
    for label, found in rows.items():
        print(f"  {label:<51} wall {spread([w for w, _ in found])}   "
              f"cpu {spread([c for _, c in found])}")
    base = statistics.median(w for w, _ in rows["one fsync per file, new folder"])
    ours = statistics.median(w for w, _ in rows["as a build, new folder"])
    print(f"  one fsync per file / as a build: {base / ours:.1f}x ({load()})")
    return max(ours, statistics.median(w for w, _ in rows["as a build, every file replaced"]))


def bench_memory(root: Path, counts: tuple[int, int]) -> dict[int, float]:
    """Peak RSS of every process of a cold ``build -j 2`` at two batch sizes."""
    print(f"\nMemory: briefgen build -q -j 2 --force, md + docx, checks on, cold; "
          f"peak RSS of all processes ({load()})")
    peaks = {}
    for count in counts:
        write_briefs(root, count)
        shutil.rmtree(root / "out", ignore_errors=True)
        run = measure([*briefgen_command(), "-q", "build", "-j", "2", "--force"], root)
        made = len(list((root / "out").glob("*.docx")))
        if made != count:
            sys.exit(f"the build of {count} briefs wrote {made} DOCX files")
        peaks[count] = run.tree_mb if run.tree_mb is not None else run.largest_mb
        what = "all processes" if run.tree_mb is not None else "largest process (no /proc)"
        print(f"  {count:>6,} notes   peak {peaks[count]:6.1f} MB ({what})   "
              f"wall {run.seconds:6.1f} s   {load()}")
    return peaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=TARGET_FILES, help="files to write")
    parser.add_argument("--notes", type=int, default=TARGET_NOTES // 5,
                        help="the smaller batch of the memory section; the larger is 5x")
    parser.add_argument("--runs", type=int, default=3, help="runs of each way of writing")
    parser.add_argument("--small", action="store_true", help="a few seconds: 200 files, 10 notes")
    args = parser.parse_args(argv)
    if args.small:
        args.files, args.notes, args.runs = 200, 10, 2
    print(f"briefgen write bench: Python {sys.version.split()[0]} on {sys.platform}, "
          f"{os.cpu_count()} CPUs, {load()}")
    with tempfile.TemporaryDirectory(prefix="briefgen-writes-") as tmp:
        root = Path(tmp) / "ws"
        init(root)
        seconds = bench_writes(root, args.files, args.runs)
        peaks = bench_memory(root, (args.notes, args.notes * 5))
    small, large = peaks[args.notes], peaks[args.notes * 5]
    scaled = seconds * TARGET_FILES / args.files
    print(f"\nTargets ({load()})")
    print(f"  writing {args.files:,} files: {seconds:.3f} s (median), {scaled:.3f} s per "
          f"{TARGET_FILES:,} vs target <= {TARGET_WRITE_S:g} s   "
          f"{'PASS' if scaled <= TARGET_WRITE_S else 'MISS'}")
    print(f"  peak RSS, {args.notes * 5:,} notes at -j 2: {large:.1f} MB vs target <= "
          f"{TARGET_RSS_MB:g} MB{'' if args.notes * 5 >= TARGET_NOTES else ' (a smaller batch)'}"
          f"   {'PASS' if large <= TARGET_RSS_MB else 'MISS'}")
    print(f"  flat: {args.notes * 5:,} notes / {args.notes:,} notes = {large / small:.2f}x vs "
          f"target <= {FLAT}x   {'PASS' if large <= small * FLAT else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
