"""Do text scans stay linear? ``briefgen check`` and ``build`` of a 1 MB brief, and the
import of a 1 MB article, each in shapes that made a scan quadratic before.

Run: ``python bench/scan.py [--size 1000000]``. Works on a temp copy of the example
workspace (``briefgen init``). Each shape is timed at the full size and at a
quarter of it: a linear scan takes about four times as long at four times the size,
a quadratic one sixteen times. Targets:

- a 1 MB brief of prose is checked and built (Markdown) in < 1 s, and a 1 MB
  article of prose imported (dry run) in < 1 s;
- the DOCX of each shape (written from the tree the HTML writer reads too) and
  every hostile shape grow linearly: at most 6x the time for 4x the size (the
  margin is for a busy machine), and so takes seconds at 1 MB, never minutes.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefgen.builder import reference_docx
from briefgen.library import ingest
from briefgen.note.check import check_all
from briefgen.note.composer import compose
from briefgen.workspace import Workspace, init
from briefgen.writers import docx as docx_writer
from briefgen.writers import markdown as md_writer

TARGET_S = 1.0          # prose, 1 MB
TARGET_GROWTH = 6.0     # time at 4x the size, over the time at 1x

# Text of about ``size`` characters, by shape: each once made some scan go over and over it.
SHAPES: dict[str, Callable[[int], str]] = {
    "prose": lambda n: ("Officials met on Tuesday to discuss the border, and agreed to meet "
                        "again. ") * (n // 82),
    "one long word": lambda n: "Officials said " + "a" * n + ", then left.",
    "short sentences": lambda n: "It rose. " * (n // 9),
    "abbreviations": lambda n: "Mr. A. B. went to the U.S. on Nov. 5. " * (n // 38),
    "no sentence end": lambda n: "and a. " * (n // 7),
    "long space run": lambda n: "Word" + " " * n + "end.",
    "backticks": lambda n: "`" * n,
    "digit run": lambda n: "1," * (n // 2),
    "open quotes": lambda n: "\u201c" * n,
    "quotations": lambda n: 'He said "we will act now" today. ' * (n // 34),
    "open brackets": lambda n: "[x " * (n // 3),
}


def brief_text(body: str) -> str:
    """A brief whose background is ``body`` (a literal block, indented)."""
    lines = body.split("\n")
    return ("subject: Scan\ndate: 2025-04-10\nbackground: |\n"
            + "\n".join(f"  {line}" for line in lines) + "\n")


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def brief_time(root: Path, body: str) -> float:
    """Check and Markdown build of one brief holding ``body``."""
    path = root / "briefs" / "scan.yaml"
    path.write_text(brief_text(body), encoding="utf-8")

    def both() -> None:
        ws = Workspace(root)
        check_all(ws, [path])
        md_writer.write(compose(ws, path))

    return timed(both)


def docx_time(root: Path, body: str) -> float:
    """The DOCX of one brief holding ``body`` (its tree is the one HTML is written from)."""
    path = root / "briefs" / "scan.yaml"
    path.write_text(brief_text(body), encoding="utf-8")
    ws = Workspace(root)
    note = compose(ws, path)
    return timed(lambda: docx_writer.write(note, reference_docx(ws)))


def article_time(root: Path, body: str) -> float:
    """A dry-run import of a .txt article holding ``body``."""
    path = root / "scan.txt"
    path.write_text(body, encoding="utf-8")
    return timed(lambda: ingest.import_sources(Workspace(root), [str(path)], dry_run=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters (default 1 MB)")
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args()
    if args.small:
        args.size = 40_000
    root = Path(tempfile.mkdtemp(prefix="briefgen-scan-bench-")) / "ws"
    init(root)
    for other in (root / "briefs").iterdir():
        other.unlink()
    misses = 0
    try:
        print(f"briefgen scan bench: each shape at {args.size:,} characters and at a quarter; "
              f"targets: prose < {TARGET_S:g} s, every shape <= x{TARGET_GROWTH:g} for 4x the size")
        for what, run in (("brief (check + build)", brief_time), ("brief (DOCX)", docx_time),
                          ("article (import)", article_time)):
            for shape, make in SHAPES.items():
                small = run(root, make(args.size // 4))
                full = run(root, make(args.size))
                growth = full / max(small, 1e-3)
                ok = growth <= TARGET_GROWTH and (shape != "prose" or run is docx_time
                                                  or full < TARGET_S)
                misses += not ok
                print(f"  {what:22s} {shape:16s} {full:6.2f} s   x{growth:4.1f} for 4x the size"
                      f"   {'PASS' if ok else 'MISS'}")
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    return 1 if misses and not args.small else 0     # a small run checks that the bench runs


if __name__ == "__main__":
    sys.exit(main())
