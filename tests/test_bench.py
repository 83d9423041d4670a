"""Every benchmark still runs: ``python bench/X.py --small`` exits 0 and prints its targets.

The benches print figures, not verdicts a test could trust on a shared machine,
so nothing here asserts on time; it only keeps them from rotting. A new
bench/*.py is picked up without an edit here.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"
SCRIPTS = sorted(path.name for path in BENCH.glob("*.py"))


def test_there_are_benches() -> None:
    assert "year.py" in SCRIPTS and "build.py" in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_runs_small(script: str, tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}       # whatever a bench leaves behind goes too
    done = subprocess.run([sys.executable, str(BENCH / script), "--small"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, f"{script} --small failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert "target" in done.stdout.lower(), done.stdout[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
