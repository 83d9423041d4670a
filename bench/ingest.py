"""How fast do records get in, and how fast are they found again?

Run from anywhere, with briefgen installed:

    python bench/ingest.py                  # 5,000-entry feed, 5,000-item CSL-JSON
    python bench/ingest.py --records 1000   # smaller files

It makes a workspace in a temp folder and measures:

- import of an RSS feed file of N entries (``briefgen sources import feed.xml``, in
  process: parse, extract, validate, write every record) (target >= 1,000 records/s);
- import of a CSL-JSON file of N items into that library (same target);
- re-import of the feed: every entry skipped as a duplicate;
- search over the 2N records: one FTS5 query with ranking and highlighted passages,
  the index up to date (target <= 50 ms per query); and ``briefgen sources search``
  as the command runs it (open the index, check every file is unchanged, query).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from briefgen.library import ingest
from briefgen.library import search as library
from briefgen.library.index import open_index
from briefgen.workspace import Workspace

TARGET_IMPORT_PER_S = 1000
TARGET_SEARCH_MS = 50
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="entries per file (default 5000)")
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args()
    if args.small:
        args.records = 200
    rng = random.Random(8)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "sources").mkdir()
        (root / "feed.xml").write_bytes(feed(args.records, rng))
        (root / "zotero.json").write_text(csl(args.records, rng), encoding="utf-8")
        ws = Workspace(root)
        day = dt.date(2025, 6, 2)
        print(f"{'step':<44} {'records':>8} {'seconds':>8} {'records/s':>10}")
        rates = []
        for name, source in (("import RSS feed", "feed.xml"), ("import CSL-JSON", "zotero.json"),
                             ("re-import the feed (all duplicates)", "feed.xml")):
            report, seconds = timed(lambda: ingest.import_sources(  # noqa: B023
                ws, [str(root / source)], ingest.Options(today=day)))
            count = len(report.added) + len(report.skipped)
            rate = count / seconds
            if report.added:
                rates.append(rate)
            print(f"{name:<44} {count:>8} {seconds:>8.2f} {rate:>10.0f}")
            assert not report.rejected, report.rejected[:3]
        files = sum(1 for _ in (root / "sources").iterdir())

        with open_index(ws.root, ws.sources_dir) as index:
            times = []
            for _ in range(5):
                for query in QUERIES:
                    hits, seconds = timed(lambda: index.hits(query))  # noqa: B023
                    times.append(seconds * 1000)
                    assert hits, query
        time.sleep(2.1)   # files written in the last 2 s are hashed again on every check
        library.search(ws, "border")
        _, command = timed(lambda: [library.search(ws, q) for q in QUERIES])
        command_ms = command * 1000 / len(QUERIES)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"\nsearch over {files} records: {statistics.mean(times):.2f} ms per query "
              f"(median {statistics.median(times):.2f}, p95 {p95:.2f}); "
              f"as the command runs it, with the index check: {command_ms:.1f} ms")
        slowest = min(rates)
        print(f"\ntargets: import >= {TARGET_IMPORT_PER_S} records/s: {slowest:.0f} "
              f"({'ok' if slowest >= TARGET_IMPORT_PER_S else 'MISSED'}); "
              f"search <= {TARGET_SEARCH_MS} ms: {statistics.mean(times):.2f} "
              f"({'ok' if statistics.mean(times) <= TARGET_SEARCH_MS else 'MISSED'})")


if __name__ == "__main__":
    main()
