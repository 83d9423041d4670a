"""How fast ``briefgen check`` is over many briefs and a large library.

Run: ``python bench/check.py [--briefs 100] [--records 10000]``. Makes a
temporary workspace with synthetic records (as bench/digest.py does) and
briefs that each cite eight records and quote each of them verbatim, then
prints the time of a cold check (the source index built on the way), of a
warm check in process and of a warm ``briefgen check`` command.
Target: 100 briefs over 10,000 records in <= 2 s warm.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from digest import make_library  # noqa: E402 - the same synthetic library

from briefgen.note.check import check_all  # noqa: E402
from briefgen.workspace import Workspace  # noqa: E402

TARGET_S = 2.0


def make_briefs(root: Path, count: int, seed: int = 7) -> list[Path]:
    """Briefs citing records by id, each with a verbatim quote of every record it cites."""
    rng = random.Random(seed)
    ws = Workspace(root)
    ids = sorted(ws.records)
    (root / "briefs").mkdir(exist_ok=True)
    paths = []
    for n in range(count):
        cited = rng.sample(ids, 8)
        lines = [f'  The record says "{ws.records[key].quotes[0].text}" [@{key}].' for key in cited]
        path = root / "briefs" / f"brief-{n:03d}.yaml"
        path.write_text(f"subject: Brief {n}\ndate: 2025-04-10\nbackground: |\n"
                        + "\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def timed(call) -> float:  # noqa: ANN001 - any callable
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=100)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="a quick run at a small size (as the tests run it)")
    args = parser.parse_args()
    if args.small:
        args.briefs, args.records, args.runs = 5, 200, 1
    root = Path(tempfile.mkdtemp(prefix="briefgen-check-bench-"))
    try:
        make_library(root, args.records)
        cold = timed(lambda: Workspace(root).records)
        paths = make_briefs(root, args.briefs)
        findings = check_all(Workspace(root), paths)
        errors = [f for f in findings if f.severity == "error"]
        assert not errors, errors[:3]
        warm = [timed(lambda: check_all(Workspace(root), paths)) for _ in range(args.runs)]
        command = [sys.executable, "-m", "briefgen", "-q", "-C", str(root), "check"]
        cli = [timed(lambda: subprocess.run(command, check=True, capture_output=True))
               for _ in range(args.runs)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"briefgen check bench: {args.briefs} briefs x 8 citations and quotes, "
          f"{args.records:,} records")
    print(f"  cold library read (index built)   {cold:7.2f} s")
    print(f"  warm check, in process            {statistics.median(warm):7.2f} s "
          f"({statistics.median(warm) / args.briefs * 1000:.1f} ms a brief)")
    print(f"  warm `briefgen check` command     {statistics.median(cli):7.2f} s")
    verdict = "PASS" if statistics.median(cli) <= TARGET_S else "MISS"
    print(f"  target: <= {TARGET_S:.0f} s warm for the command   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
