"""How fast is the weekly digest over a large library? Index build, warm digest, refresh.

Run from anywhere, with briefgen installed:

    python bench/digest.py                    # 10,000 records
    python bench/digest.py --records 100000   # a library of ten years
    python bench/digest.py --small            # 1,000 records, a few seconds (CI)

It makes a workspace of synthetic records in a temp folder (YAML, JSON and
Markdown records, deterministic: the same --records gives the same files), about
190 records added a week over as many weeks as that takes (52 at least), and
measures, several times each (min / median / max):

- cold index build: ``.briefgen/index.sqlite`` from nothing (target >= 2,000 records/s);
- warm digest of one week: ``briefgen digest --week``, in process, index up to date,
  writing Markdown, DOCX and HTML (target <= 1 s), with its CPU time; and, as the
  baseline measured in the same run, the same week's digest in a workspace holding
  only that week's records: the ratio is what the size of the library adds;
- refresh with nothing changed, and after editing 10 records (target <= 0.3 s).

The load average is printed before and after: on a shared machine, compare runs
made at a similar load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefgen.digest.weekly import Options, run
from briefgen.library.index import Index, index_path
from briefgen.workspace import Workspace

TARGET_COLD_PER_S = 2000
TARGET_WARM_S = 1.0
TARGET_REFRESH_S = 0.3
PER_WEEK = 190
FIRST_WEEK = dt.date(2024, 1, 1)      # a Monday: 2024-W01
WEEK = "2024-W26"
TAGS = ["border", "tariffs", "immigration", "fentanyl", "elections", "energy", "defence", "trade"]
KINDS = ["news", "atip", "memo", "report", "statement", "statistic", "web"]
LEVELS = ["UNCLASSIFIED"] * 8 + ["PROTECTED A", "PROTECTED B"]
WORDS = ("officials border cooperation tariff minister department briefing measures "
         "security agreement provinces trade report analysis response review program "
         "federal policy committee release statement funding data ports crossings").split()
SETTINGS = 'department = "Benchmark Department"\n\n[digest]\ntags = ["border", "tariffs", "trade"]\n'


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def record(n: int, rng: random.Random, weeks: int) -> tuple[str, str]:
    """One synthetic record as (file name, text), in one of the three formats."""
    added = FIRST_WEEK + dt.timedelta(days=rng.randrange(weeks * 7))
    data = {
        "kind": rng.choice(KINDS),
        "title": sentence(rng, 8).rstrip("."),
        "publisher": rng.choice(["The Canadian Press", "Global News", "Public Safety Canada",
                                 "Statistics Canada", "CBC News"]),
        "date": (added - dt.timedelta(days=rng.randrange(30))).isoformat(),
        "added": added.isoformat(),
        "classification": rng.choice(LEVELS),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "summary": " ".join(sentence(rng, 14) for _ in range(2)),
        "key_facts": [sentence(rng, 12) for _ in range(3)],
        "quotes": [{"text": sentence(rng, 10), "speaker": "A spokesperson"}],
    }
    text = "\n\n".join(" ".join(sentence(rng, 15) for _ in range(4)) for _ in range(3))
    name = f"rec-{n:05d}"
    if n % 10 == 0:
        return f"{name}.json", json.dumps({**data, "text": text}, indent=2)
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()]
    if n % 10 == 1:
        return f"{name}.md", "---\n" + "\n".join(lines) + "\n---\n" + text + "\n"
    return f"{name}.yaml", "\n".join(lines) + "\ntext: |\n" + "".join(
        f"  {line}\n" for line in text.splitlines())


def make_library(root: Path, count: int, seed: int = 5) -> None:
    """``count`` records in folders of 1,000, about :data:`PER_WEEK` added a week."""
    rng = random.Random(seed)
    weeks = max(52, -(-count // PER_WEEK))
    sources = root / "sources"
    for n in range(count):
        folder = sources / f"batch-{n // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        name, text = record(n, rng, weeks)
        (folder / name).write_text(text, encoding="utf-8")
    (root / "briefgen.toml").write_text(SETTINGS, encoding="utf-8")


def week_only(root: Path, target: Path) -> int:
    """A workspace holding only the records of :data:`WEEK` (the baseline library)."""
    since = dt.date.fromisocalendar(2024, 26, 1)
    until = since + dt.timedelta(days=6)
    (target / "sources").mkdir(parents=True)
    (target / "briefgen.toml").write_text(SETTINGS, encoding="utf-8")
    count = 0
    with Index(index_path(root), root / "sources") as index:
        for _, path in index.added_between(since, until):
            shutil.copy2(path, target / "sources" / path.name)
            count += 1
    return count


def times(call: Callable[[], object], runs: int) -> tuple[list[float], list[float], object]:
    """Wall and CPU seconds of ``runs`` calls after one that warms caches; the last result."""
    result = call()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu, result


def spread(values: list[float]) -> str:
    return (f"{min(values):7.3f} / {statistics.median(values):7.3f} / {max(values):7.3f} s")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def digest_once(root: Path) -> Callable[[], object]:
    def call() -> object:
        shutil.rmtree(root / "out", ignore_errors=True)          # every run writes its files
        (root / ".briefgen" / "state.json").unlink(missing_ok=True)
        return run(Workspace(root), Options(week=WEEK, out=Path("out")))
    return call


def refresh(root: Path) -> Callable[[], object]:
    def call() -> object:
        with Index(index_path(root), root / "sources") as index:
            return index.refresh()
    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000, help="library size (default 10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each step")
    parser.add_argument("--small", action="store_true", help="1,000 records, 2 runs (CI)")
    args = parser.parse_args()
    if args.small:
        args.records, args.runs = 1000, 2
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min), "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as temp:
        root = Path(temp) / "library"
        started = time.perf_counter()
        make_library(root, args.records)
        print(f"made {args.records:,} records in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        result = refresh(root)()
        cold = time.perf_counter() - started
        assert result.parsed == args.records, result
        cold_rate = args.records / cold
        print(f"cold index build        {cold:7.3f} s  {cold_rate:8,.0f} records/s   "
              f"target >= {TARGET_COLD_PER_S:,}/s  {verdict(cold_rate >= TARGET_COLD_PER_S)}")

        base = Path(temp) / "week-only"
        in_week = week_only(root, base)
        base_wall, base_cpu, _ = times(digest_once(base), args.runs)
        wall, cpu, results = times(digest_once(root), args.runs)
        week = results[0]                                         # type: ignore[index]
        assert week.records == in_week, (week.records, in_week)
        ratio = statistics.median(wall) / statistics.median(base_wall)
        print(f"warm digest {WEEK}     {spread(wall)}  (min / median / max; CPU median "
              f"{statistics.median(cpu):.3f} s)  {week.records} records, {len(week.files)} files  "
              f"target <= {TARGET_WARM_S} s  {verdict(statistics.median(wall) <= TARGET_WARM_S)}")
        print(f"  baseline: the same week alone {spread(base_wall)} (CPU median "
              f"{statistics.median(base_cpu):.3f} s);  library of {args.records:,} / week alone "
              f"= {ratio:.2f}x wall, "
              f"{statistics.median(cpu) / statistics.median(base_cpu):.2f}x CPU")

        idle, idle_cpu, result = times(refresh(root), args.runs)
        assert result.parsed == 0, result                         # type: ignore[attr-defined]
        print(f"refresh, nothing changed {spread(idle)}  (CPU median "
              f"{statistics.median(idle_cpu):.3f} s)  target <= {TARGET_REFRESH_S} s  "
              f"{verdict(statistics.median(idle) <= TARGET_REFRESH_S)}")
        rng = random.Random(7)
        files = sorted((root / "sources").rglob("*.yaml"))
        edited = []
        for _ in range(args.runs):
            for path in rng.sample(files, 10):
                path.write_text(path.read_text(encoding="utf-8").replace(
                    'summary: "', 'summary: "Revised. ', 1), encoding="utf-8")
            started = time.perf_counter()
            result = refresh(root)()
            edited.append(time.perf_counter() - started)
            assert result.parsed == 10, result
        print(f"refresh, 10 edited       {spread(edited)}  target <= {TARGET_REFRESH_S} s  "
              f"{verdict(statistics.median(edited) <= TARGET_REFRESH_S)}")
        ok = (cold_rate >= TARGET_COLD_PER_S and statistics.median(wall) <= TARGET_WARM_S
              and statistics.median(edited) <= TARGET_REFRESH_S)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    return 0 if ok or args.small else 1


if __name__ == "__main__":
    raise SystemExit(main())
