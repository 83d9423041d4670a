"""How many CPUs this process may really use: its affinity and its cgroup's CPU quota.

``os.cpu_count()`` is the machine's count; under ``taskset``, a container or a
systemd slice a build may be allowed far fewer, and one worker per machine CPU
would then only add processes that wait for each other.
"""
from __future__ import annotations

import logging
import math
import os
from pathlib import Path

from briefgen.errors import InputError

log = logging.getLogger("briefgen")
# A batch this large is worth starting worker processes for, when -j is not given.
PARALLEL_FROM = 8
CGROUP_ROOT = Path("/sys/fs/cgroup")
OWN_CGROUPS = Path("/proc/self/cgroup")


def usable_cpus(root: Path | None = None, own: str | None = None) -> int:
    """The CPUs of this process's affinity, at most its cgroup's quota rounded up; at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):       # no sched_getaffinity (macOS, Windows)
        cpus = os.cpu_count() or 1
    quota = cgroup_quota(root, own)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    return max(1, cpus)


def cgroup_quota(root: Path | None = None, own: str | None = None) -> float | None:
    """The smallest CPU quota (in CPUs) of this process's cgroup and its parents; None: none.

    ``root`` is where cgroups are mounted (default /sys/fs/cgroup) and ``own`` the
    text of /proc/self/cgroup (read when not given). cgroup v2 has
    ``cpu.max`` ("max 100000" or "200000 100000"); v1 has ``cpu.cfs_quota_us`` (-1:
    none) and ``cpu.cfs_period_us``. In a container the cgroup is usually mounted as
    the root itself, so the root's own files count too.
    """
    root = CGROUP_ROOT if root is None else root
    if own is None:
        try:
            own = OWN_CGROUPS.read_text(encoding="utf-8")
        except OSError:
            return None
    limits: list[float | None] = []
    for line in own.splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and not controllers:                       # cgroup v2
            limits += [_v2(folder) for folder in _folders(root, path)]
        elif "cpu" in controllers.split(","):                          # cgroup v1
            for mount in {controllers, "cpu", "cpu,cpuacct"}:
                limits += [_v1(folder) for folder in _folders(root / mount, path)]
    found = [limit for limit in limits if limit is not None]
    return min(found) if found else None


def _folders(top: Path, path: str) -> list[Path]:
    """The cgroup's folder under ``top`` and each parent up to ``top``."""
    parts = [part for part in path.strip().split("/") if part and part != ".."]
    return [top.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]


def _v2(folder: Path) -> float | None:
    try:
        quota, period = (folder / "cpu.max").read_text(encoding="ascii").split()[:2]
        return None if quota == "max" else _ratio(int(quota), int(period))
    except (OSError, ValueError):
        return None


def _v1(folder: Path) -> float | None:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text(encoding="ascii"))
        period = int((folder / "cpu.cfs_period_us").read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return None if quota < 0 else _ratio(quota, period)


def _ratio(quota: int, period: int) -> float | None:
    return quota / period if quota > 0 and period > 0 else None


def worker_count(asked: int | None, briefs: int) -> int:
    """``-j N``, at most one process per usable CPU; by default one per CPU for a large batch.

    1 means no worker processes: the build runs in this one.
    """
    cpus = usable_cpus()
    if asked is None:
        return cpus if briefs >= PARALLEL_FROM else 1
    if asked < 1:
        raise InputError(f"-j {asked}: give 1 or more worker processes")
    if asked > cpus:
        log.warning("warning: -j %d is more than the %d CPUs this run may use; using %d",
                    asked, cpus, cpus)
        return cpus
    return asked
