"""``-j`` auto counts the CPUs a build may use: its affinity and its cgroup's quota."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import briefgen.batch as batch
import briefgen.cpus as cpus
from briefgen.cli import main

BRIEF = "subject: Item {n}\ndate: 2025-01-0{d}\nsummary: Officials met [@news-article].\n"
# Builds in a fresh interpreter; prints whether worker processes were started.
PROBE = """
import json, sys
from briefgen.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, "concurrent.futures.process" in sys.modules]))
"""


def _briefs(ws: Path, count: int) -> None:
    for n in range(count):
        (ws / f"briefs/b{n:03}.yaml").write_text(BRIEF.format(n=n, d=n % 9 + 1))


def _cgroup(root: Path, path: str, name: str, text: str) -> None:
    folder = root.joinpath(*path.strip("/").split("/")) if path.strip("/") else root
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_v2_quota_is_read_from_cpu_max(tmp_path: Path) -> None:
    _cgroup(tmp_path, "/", "cpu.max", "200000 100000\n")
    assert cpus.cgroup_quota(tmp_path, "0::/\n") == 2.0


def test_v2_no_quota(tmp_path: Path) -> None:
    _cgroup(tmp_path, "/", "cpu.max", "max 100000\n")
    assert cpus.cgroup_quota(tmp_path, "0::/\n") is None


def test_v2_a_parent_cgroup_limits_its_children(tmp_path: Path) -> None:
    _cgroup(tmp_path, "/build.slice", "cpu.max", "150000 100000\n")
    _cgroup(tmp_path, "/build.slice/job", "cpu.max", "max 100000\n")
    assert cpus.cgroup_quota(tmp_path, "0::/build.slice/job\n") == 1.5
    assert cpus.usable_cpus(tmp_path, "0::/build.slice/job\n") == min(2, _affinity())


def test_v1_quota_and_period(tmp_path: Path) -> None:
    own = "4:memory:/x\n2:cpu,cpuacct:/docker/abc\n"
    _cgroup(tmp_path / "cpu,cpuacct", "/docker/abc", "cpu.cfs_quota_us", "50000\n")
    _cgroup(tmp_path / "cpu,cpuacct", "/docker/abc", "cpu.cfs_period_us", "100000\n")
    assert cpus.cgroup_quota(tmp_path, own) == 0.5
    assert cpus.usable_cpus(tmp_path, own) == 1


def test_v1_minus_one_is_no_quota(tmp_path: Path) -> None:
    _cgroup(tmp_path / "cpu", "/", "cpu.cfs_quota_us", "-1\n")
    _cgroup(tmp_path / "cpu", "/", "cpu.cfs_period_us", "100000\n")
    assert cpus.cgroup_quota(tmp_path, "1:cpu:/\n") is None


def test_unreadable_or_garbled_files_are_no_quota(tmp_path: Path) -> None:
    _cgroup(tmp_path, "/", "cpu.max", "lots\n")
    assert cpus.cgroup_quota(tmp_path, "0::/\n") is None
    assert cpus.cgroup_quota(tmp_path / "missing", "0::/\n") is None
    assert cpus.usable_cpus(tmp_path / "missing", "0::/\n") == _affinity()


def _affinity() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def test_a_quota_of_one_cpu_builds_without_worker_processes(
        workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nine briefs would use one worker per CPU; a one-CPU quota makes it one process."""
    _briefs(workspace, 8)
    _cgroup(tmp_path / "cg", "/", "cpu.max", "100000 100000\n")
    (tmp_path / "own").write_text("0::/\n")
    monkeypatch.setattr(cpus, "CGROUP_ROOT", tmp_path / "cg")
    monkeypatch.setattr(cpus, "OWN_CGROUPS", tmp_path / "own")
    started: list[int] = []

    def counted(workers: int, **kwargs: Any) -> Any:
        started.append(workers)
        raise AssertionError("no worker processes with one CPU")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", counted)
    assert main(["-C", str(workspace), "-q", "build"]) == 0
    assert started == []
    assert len(list((workspace / "out").glob("*.docx"))) == 9


@pytest.mark.skipif(not shutil.which("taskset") or not hasattr(os, "sched_getaffinity"),
                    reason="taskset (util-linux) is not installed")
def test_taskset_one_cpu_builds_in_one_process(workspace: Path) -> None:
    _briefs(workspace, 8)
    done = subprocess.run(["taskset", "-c", str(min(os.sched_getaffinity(0))), sys.executable,
                           "-c", PROBE, "-C", str(workspace), "-q", "build", "--format", "md"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [0, False]
    assert len(list((workspace / "out").glob("*.md"))) == 9
    if cpus.usable_cpus() > 1:          # the same build, free to use every CPU, starts workers
        done = subprocess.run([sys.executable, "-c", PROBE, "-C", str(workspace), "-q", "build",
                               "--format", "md", "--force"], capture_output=True, text=True,
                              timeout=300)
        assert json.loads(done.stdout.splitlines()[-1]) == [0, True], done.stderr
