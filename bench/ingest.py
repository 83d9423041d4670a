"""How fast do records get in, and how fast are they found again?

Run from anywhere, with briefgen installed:

    python bench/ingest.py                    # a library of 10,000 records
    python bench/ingest.py --records 100000   # 100,000
    python bench/ingest.py --small            # 1,000 records, a few seconds (CI)

It makes a workspace in a temp folder holding ``--records`` records in the end:
generated records (as ``bench/digest.py`` makes them, index built) and, imported
into that library, an RSS feed file and a CSL-JSON file of ``--entries`` entries
each (default 5,000; at most a quarter of the records). Everything is generated
from fixed seeds. It measures, several times each where a run can be repeated:

- import of the RSS feed (``briefgen sources import feed.xml``, in process: parse,
  extract, check for duplicates, validate, write every record) (target >= 3,000
  records/s), then of the CSL-JSON file into that library (same target);
- re-import of the feed: every entry skipped as already in the library (target:
  faster than the first import);
- search over the records: one FTS5 query with ranking and highlighted passages, the
  index up to date (target <= 50 ms per query); and ``briefgen sources search`` as a
  user runs it, a new process each time (start-up, index check, query, printing)
  (target <= 0.3 s).

The load average is printed before and after.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from briefgen.library import ingest
from briefgen.library import search as library
from briefgen.library.index import open_index
from briefgen.workspace import Workspace

TARGET_IMPORT_PER_S = 3000
TARGET_SEARCH_MS = 50
TARGET_COMMAND_S = 0.3
WORDS = ("officials border cooperation tariff minister department briefing measures "
         "security agreement provinces trade report analysis response review program "
         "federal policy committee release statement funding data ports crossings "
         "fentanyl immigration steel aluminum negotiations premier ambassador").split()
PUBLISHERS = ["The Canadian Press", "Global News", "CBC News", "Reuters", "The Globe and Mail"]
QUERIES = ["border", "tariff minister", "fentanyl", "steel aluminum", "ambassador premier",
           "cooperation agreement", "immigration data", "negotiations", "ports crossings",
           "funding program"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:]


def feed(n: int, rng: random.Random) -> bytes:
    """An RSS 2.0 feed of ``n`` entries: HTML summaries, a quotation in every fifth."""
    start = dt.datetime(2025, 1, 1, 8, tzinfo=dt.timezone.utc)
    items = []
    for i in range(n):
        when = format_datetime(start + dt.timedelta(minutes=37 * i))
        summary = f"<p>{sentence(rng, 18)} with {rng.randint(10, 99)} per cent.</p>"
        body = ""
        if i % 5 == 0:
            body = (f"<content:encoded><![CDATA[<p>{sentence(rng, 20)}.</p><p>“{sentence(rng, 12)},” "
                    f"said Minister {rng.choice(['Tremblay', 'Singh', 'Roy'])}.</p>"
                    f"<p>The program costs ${rng.randint(2, 900)} million.</p>]]></content:encoded>")
        items.append(
            f"<item><title>{escape(sentence(rng, 8))} ({i})</title>"
            f"<link>https://news.example.org/2025/story-{i}</link><guid>story-{i}</guid>"
            f"<pubDate>{when}</pubDate><dc:creator>{rng.choice(['Jane Reporter', 'Sam Writer'])}"
            f"</dc:creator><description>{escape(summary)}</description>{body}</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Border Desk</title>'
            '<link>https://news.example.org/</link><language>en-ca</language>'
            + "".join(items) + "</channel></rss>").encode("utf-8")


def csl(n: int, rng: random.Random) -> str:
    """A Zotero-style CSL-JSON export of ``n`` items of several types."""
    types = ["article-newspaper", "report", "webpage", "article-journal", "speech"]
    items = []
    for i in range(n):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 700)
        items.append({
            "id": f"http://zotero.org/users/1/items/ITEM{i:05d}", "type": types[i % len(types)],
            "title": f"{sentence(rng, 9)} ({i})", "container-title": rng.choice(PUBLISHERS),
            "publisher": "Government of Canada",
            "author": [{"family": rng.choice(["Roy", "Singh", "Smith"]), "given": "A."}],
            "issued": {"date-parts": [[day.year, day.month, day.day]]},
            "URL": f"https://library.example.org/items/{i}",
            "abstract": sentence(rng, 30) + ".", "keyword": "border, trade",
        })
    return json.dumps(items)


def timed(call):  # noqa: ANN001, ANN201 - a small helper
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    low, mid, high = (v * scale for v in (min(values), statistics.median(values), max(values)))
    return f"{low:.3f} / {mid:.3f} / {high:.3f} {unit}"


def command(root: Path, *words: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ``briefgen`` command in a new process,
    as a user runs it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "briefgen", "-C", str(root), *words],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def library_of(root: Path, count: int) -> None:
    """``count`` generated records (as bench/digest.py makes them), index built."""
    sys.path.insert(0, str(Path(__file__).parent))
    from digest import make_library  # noqa: PLC0415 - the other bench, beside this one

    make_library(root, count)
    with open_index(root, root / "sources"):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000,
                        help="records in the library in the end (default 10000)")
    parser.add_argument("--entries", type=int, default=5000,
                        help="entries in the feed and in the CSL-JSON file (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the repeatable steps")
    parser.add_argument("--small", action="store_true", help="1,000 records, 1 run (CI)")
    args = parser.parse_args()
    if args.small:
        args.records, args.runs = 1000, 1
    entries = max(1, min(args.entries, args.records // 4))
    rng = random.Random(8)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min), "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as temp:
        root = Path(temp)
        started = time.perf_counter()
        library_of(root, args.records - 2 * entries)
        print(f"made and indexed {args.records - 2 * entries:,} records in "
              f"{time.perf_counter() - started:.1f} s; importing {entries:,} entries a file")
        (root / "feed.xml").write_bytes(feed(entries, rng))
        (root / "zotero.json").write_text(csl(entries, rng), encoding="utf-8")
        ws = Workspace(root)
        options = ingest.Options(today=dt.date(2025, 6, 2))

        def load(source: str) -> ingest.Report:
            return ingest.import_sources(ws, [str(root / source)], options)

        print(f"{'step':<40} {'records':>8} {'seconds':>22} {'records/s':>10}")
        took = {}
        for name, source in (("import RSS feed", "feed.xml"), ("import CSL-JSON", "zotero.json")):
            report, seconds = timed(lambda: load(source))  # noqa: B023
            assert len(report.added) == entries and not report.rejected, report.rejected[:3]
            took[source] = seconds
            print(f"{name:<40} {entries:>8} {seconds:>22.3f} {entries / seconds:>10,.0f}")
        again = []
        for _ in range(args.runs):
            report, seconds = timed(lambda: load("feed.xml"))
            assert len(report.skipped) == entries and not report.added, report.added[:3]
            again.append(seconds)
        print(f"{'re-import the feed (all already there)':<40} {entries:>8} {spread(again):>22} "
              f"{entries / statistics.median(again):>10,.0f}")
        files = sum(1 for _ in (root / "sources").rglob("*.*"))
        assert files == args.records, (files, args.records)

        with open_index(ws.root, ws.sources_dir) as index:
            times = []
            for _ in range(args.runs):
                for query in QUERIES:
                    hits, seconds = timed(lambda: index.hits(query))  # noqa: B023
                    times.append(seconds * 1000)
                    assert hits, query
        time.sleep(2.1)   # files written in the last 2 s are hashed again on every check
        library.search(ws, "border")
        whole, whole_cpu = zip(*(command(root, "sources", "search", *query.split())
                                 for _ in range(args.runs) for query in QUERIES))
        startup, startup_cpu = zip(*(command(root, "--version") for _ in range(args.runs)))
        print(f"\nsearch over {files:,} records, {len(QUERIES)} queries x {args.runs}: "
              f"{spread(times, 'ms')} per query (min / median / max)")
        print(f"briefgen sources search, whole command: {spread(list(whole))} wall, "
              f"{spread(list(whole_cpu))} CPU")
        print(f"start-up alone (briefgen --version):    {spread(list(startup))} wall, "
              f"{spread(list(startup_cpu))} CPU")

        slowest, first = entries / max(took.values()), took["feed.xml"]
        median_again, median_whole = statistics.median(again), statistics.median(whole)
        checks = [
            (f"import >= {TARGET_IMPORT_PER_S:,} records/s", f"{slowest:,.0f}/s",
             slowest >= TARGET_IMPORT_PER_S),
            ("re-import faster than the first import",
             f"{median_again:.3f} s vs {first:.3f} s ({median_again / first:.2f}x)",
             median_again < first),
            (f"search query <= {TARGET_SEARCH_MS} ms", f"median {statistics.median(times):.1f} ms",
             statistics.median(times) <= TARGET_SEARCH_MS),
            (f"whole search command <= {TARGET_COMMAND_S} s", f"median {median_whole:.3f} s",
             median_whole <= TARGET_COMMAND_S),
        ]
        print("\ntargets:")
        for target, figure, ok in checks:
            print(f"  {target:<42} {figure:<34} {'PASS' if ok else 'MISS'}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    return 0 if args.small or all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
