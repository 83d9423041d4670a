"""How quick does ``briefgen serve`` answer, and how much memory does it hold?

Run from anywhere, with briefgen installed:

    python bench/serve.py                   # 10,000 records
    python bench/serve.py --records 2000    # a smaller library

It makes a workspace in a temp folder (the example briefs and records plus N
generated records) and measures, in process (the app's own time, no network):

- the editor's preview refresh (``POST /briefs/ID/preview``: compose, HTML
  writer, checks) of a note of about two pages (target <= 150 ms, median);
- the library search page (``GET /library?q=...``) over N records, the index
  up to date (target <= 100 ms, median);
- the resident memory of a ``briefgen serve`` process after its first pages,
  idle (target <= 150 MB).
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

from briefgen.note.check import estimate_pages
from briefgen.readers import read_brief
from briefgen.web.app import create_app
from briefgen.web.security import Guard, allowed_hosts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parent.parent
TARGET_PREVIEW_MS, TARGET_SEARCH_MS, TARGET_MEMORY_MB = 150, 100, 150
WORDS = ("officials border cooperation tariff minister department briefing measures security "
         "agreement provinces trade report analysis response review program federal policy "
         "committee release statement funding data ports crossings fentanyl immigration steel "
         "aluminum negotiations premier ambassador").split()
QUERIES = ["border", "tariff minister", "fentanyl", "steel aluminum", "ambassador premier",
           "cooperation agreement", "immigration data", "negotiations", "ports crossings"]
BRIEF = "border-cooperation"
MORE = ("Officials met again on the border and reviewed the shared work on ports and crossings, "
        "as the department reported [@atip-2024-11-briefing-notes-border-cooperation].\n\n")


def workspace(root: Path, records: int) -> None:
    """The examples, N generated records, and the example briefing note grown to ~2 pages."""
    for name in ("briefgen.toml", "sources", "briefs"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
    rng = random.Random(7)
    folder = root / "sources" / "generated"
    folder.mkdir()
    for i in range(records):
        text = " ".join(rng.choice(WORDS) for _ in range(120))
        (folder / f"gen-{i:05d}.yaml").write_text(
            f"kind: news\ntitle: {' '.join(rng.choice(WORDS) for _ in range(8))} ({i})\n"
            f"publisher: Wire\ndate: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            f"tags: [{rng.choice(WORDS)}]\nsummary: {text[:200]}\ntext: {text}\n")
    path = next((root / "briefs").glob(f"{BRIEF}.*"))
    markdown = path.suffix == ".md"
    start = "## Background\n\n" if markdown else "background: |\n  "
    more = MORE if markdown else MORE + "  "       # YAML: the block's indent goes on
    while estimate_pages(read_brief(path)[0]) < 2:
        path.write_text(path.read_text().replace(start, start + more, 1))


def median_ms(call, runs: int) -> float:  # noqa: ANN001 - a request to time
    call()                                  # warm: first-use imports, the index
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def idle_memory_mb(root: Path) -> float:
    """RSS of a real ``briefgen serve`` after it served a brief, the library and a search."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "-C", str(root),
                               "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/library", timeout=60).read()
                break
            except OSError:
                time.sleep(0.1)
        for url in (f"/briefs/{BRIEF}", "/library?q=border", "/briefs"):
            urllib.request.urlopen(base + url, timeout=120).read()
        time.sleep(2)
        status = Path(f"/proc/{server.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure(web: TestClient, root: Path, runs: int) -> tuple[float, float, float]:
    """Median preview and search times (ms), and the note's estimated pages."""
    page = web.get(f"/briefs/{BRIEF}").text
    token = re.search(r'name="csrf-token" content="(\w+)"', page).group(1)
    path = next((root / "briefs").glob(f"{BRIEF}.*"))
    text = path.read_text()
    time.sleep(1)                            # the watcher is up: the snapshot is kept
    preview = median_ms(lambda: web.post(f"/briefs/{BRIEF}/preview",
                                          data={"csrf": token, "text": text}), runs)
    queries = iter(QUERIES * (runs + 1))
    search = median_ms(lambda: web.get("/library", params={"q": next(queries)}), runs)
    return preview, search, estimate_pages(read_brief(path)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args()
    if args.small:
        args.records, args.runs = 200, 2
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        root.mkdir()
        workspace(root, args.records)
        app = create_app(root, Guard(allowed_hosts("testserver", 80)))
        with TestClient(app, headers={"Origin": "http://testserver"}) as web:   # runs the watcher
            preview, search, pages = measure(web, root, args.runs)
        memory = idle_memory_mb(root)
    print(f"preview refresh, {pages:.1f}-page note:  {preview:7.1f} ms  (target <= {TARGET_PREVIEW_MS} ms)")
    print(f"library search page, {args.records} records: {search:7.1f} ms  (target <= {TARGET_SEARCH_MS} ms)")
    print(f"idle memory of briefgen serve:     {memory:7.1f} MB  (target <= {TARGET_MEMORY_MB} MB)")


if __name__ == "__main__":
    main()
