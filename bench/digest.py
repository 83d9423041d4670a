"""How fast is the weekly digest over a large library? Index build, warm digest, refresh.

Run from anywhere, with briefgen installed:

    python bench/digest.py                  # 10,000 records
    python bench/digest.py --records 2000   # a smaller library

It makes a workspace of synthetic records in a temp folder (YAML, JSON and
Markdown records over 52 weeks, about 190 a week) and measures:

- cold index build: ``.briefgen/index.sqlite`` from nothing (target >= 2,000 records/s);
- warm digest of one week: ``briefgen digest --week``, in process, index up to date,
  writing Markdown, DOCX (and HTML where briefgen has that writer) (target <= 1 s);
- refresh after touching 10 records: their mtime and content change (target <= 0.3 s).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from briefgen.digest.weekly import Options, run
from briefgen.library.index import Index, index_path
from briefgen.workspace import Workspace

TARGET_COLD_PER_S = 2000
TARGET_WARM_S = 1.0
TARGET_REFRESH_S = 0.3
FIRST_WEEK = dt.date(2024, 1, 1)      # a Monday: 2024-W01
TAGS = ["border", "tariffs", "immigration", "fentanyl", "elections", "energy", "defence", "trade"]
KINDS = ["news", "atip", "memo", "report", "statement", "statistic", "web"]
LEVELS = ["UNCLASSIFIED"] * 8 + ["PROTECTED A", "PROTECTED B"]
WORDS = ("officials border cooperation tariff minister department briefing measures "
         "security agreement provinces trade report analysis response review program "
         "federal policy committee release statement funding data ports crossings").split()


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


def make_library(root: Path, count: int, weeks: int = 52, seed: int = 5) -> None:
    rng = random.Random(seed)
    sources = root / "sources"
    for n in range(count):
        folder = sources / f"batch-{n // 1000:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        name, text = record(n, rng, weeks)
        (folder / name).write_text(text, encoding="utf-8")
    (root / "briefgen.toml").write_text(
        'department = "Benchmark Department"\n\n[digest]\ntags = ["border", "tariffs", "trade"]\n',
        encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="warm digest and refresh runs")
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args()
    if args.small:
        args.records, args.runs = 300, 1
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as temp:
        root = Path(temp)
        started = time.perf_counter()
        make_library(root, args.records)
        print(f"made {args.records:,} records in {time.perf_counter() - started:.1f} s ({root})")
        ws = Workspace(root)

        started = time.perf_counter()
        with Index(index_path(root), ws.sources_dir) as index:
            result = index.refresh()
        cold = time.perf_counter() - started
        assert result.parsed == args.records, result
        cold_rate = args.records / cold
        print(f"cold index build   {cold:8.3f} s   {cold_rate:8,.0f} records/s   "
              f"target >= {TARGET_COLD_PER_S:,}/s   {'PASS' if cold_rate >= TARGET_COLD_PER_S else 'MISS'}")

        week = "2024-W26"
        out = root / "out"
        warm = []
        for n in range(args.runs + 1):
            shutil.rmtree(out, ignore_errors=True)          # every run writes its files
            (root / ".briefgen" / "state.json").unlink(missing_ok=True)
            started = time.perf_counter()
            results = run(Workspace(root), Options(week=week, out=Path("out")))
            if n:                                            # the first run warms caches
                warm.append(time.perf_counter() - started)
        records = results[0].records
        warm_s = statistics.median(warm)
        print(f"warm digest {week} {warm_s:8.3f} s   {records / warm_s:8,.0f} records/s   "
              f"({records} records, {len(results[0].files)} files)   target <= {TARGET_WARM_S} s   "
              f"{'PASS' if warm_s <= TARGET_WARM_S else 'MISS'}")

        rng = random.Random(7)
        files = sorted(ws.sources_dir.rglob("*.yaml"))
        refresh = []
        for _ in range(args.runs):
            touched = rng.sample(files, 10)
            for path in touched:
                path.write_text(path.read_text(encoding="utf-8").replace(
                    "summary: \"", "summary: \"Revised. ", 1), encoding="utf-8")
            started = time.perf_counter()
            with Index(index_path(root), ws.sources_dir) as index:
                result = index.refresh()
            refresh.append(time.perf_counter() - started)
            assert result.parsed == 10, result
        refresh_s = statistics.median(refresh)
        print(f"refresh, 10 edited {refresh_s:8.3f} s   {args.records / refresh_s:8,.0f} records/s scanned   "
              f"target <= {TARGET_REFRESH_S} s   {'PASS' if refresh_s <= TARGET_REFRESH_S else 'MISS'}")
        ok = cold_rate >= TARGET_COLD_PER_S and warm_s <= TARGET_WARM_S and refresh_s <= TARGET_REFRESH_S
    return 0 if ok or args.small else 1     # a small run checks that the bench runs


if __name__ == "__main__":
    raise SystemExit(main())
