"""Unattended runs: what the digest has done (``.briefgen/state.json``) and a run lock.

The state file is the memory of the scheduled digest: per week, the content
hash of the digest, the files written and when it was sent. Unlike the index
it is not a cache (losing it could send a week twice), so it is written
atomically and a damaged one stops the run with a message instead of being
replaced.

The lock file (``.briefgen/digest.lock``, created with ``O_EXCL``) keeps two
runs from overlapping. It holds the owner's pid and, where the system tells,
its boot and start time, so a lock left by a process that died, or by one
before a reboot that reused its pid, is taken over.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.builder import Output, write_atomically
from briefgen.errors import BriefgenError, InputError, OutputError, shown_path
from briefgen.processes import alive

STATE_FILE = Path(".briefgen") / "state.json"
LOCK_FILE = Path(".briefgen") / "digest.lock"
STATE_VERSION = 1
# A lock file with no readable owner (its writer died between creating and filling
# it) is stale once it is this old.
UNREADABLE_LOCK_SECONDS = 60


class Locked(BriefgenError):
    """Another run holds the lock: exit status 1, nothing done."""

    exit_code = 1


@dataclass
class WeekState:
    hash: str
    files: list[str]
    written_at: str
    sent_at: str | None = None
    recipients: list[str] = field(default_factory=list)
    empty: bool = False         # no records: not e-mailed unless asked (--send-empty)

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "files": self.files, "written_at": self.written_at,
                "sent_at": self.sent_at, "recipients": self.recipients, "empty": self.empty}


@dataclass
class State:
    """``.briefgen/state.json``: the last week completed and every week produced."""

    path: Path
    last_week: str | None = None
    weeks: dict[str, WeekState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"unknown version {data.get('version')!r}")
            weeks = {name: WeekState(**week) for name, week in data.get("weeks", {}).items()}
            return cls(path, data.get("last_week"), weeks)
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as err:
            raise InputError(
                f"the digest state cannot be read ({err}); it records which weeks were made and "
                "sent: repair it, or delete it to start again from the last complete week "
                "(weeks already e-mailed could then be sent again)", file=path) from None

    def save(self) -> None:
        data = {"version": STATE_VERSION, "last_week": self.last_week,
                "weeks": {name: self.weeks[name].to_json() for name in sorted(self.weeks)}}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomically([Output(self.path, text.encode("utf-8"))])


def now_iso() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


# The lock -------------------------------------------------------------------

def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()[19]


def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "boot": _boot_id(),
            "started": _start_time(os.getpid()), "since": now_iso()}


def _stale(owner: dict[str, Any] | None, path: Path) -> bool:
    if owner is None:
        try:
            return time.time() - path.stat().st_mtime > UNREADABLE_LOCK_SECONDS
        except FileNotFoundError:
            return True
    if owner.get("host") not in (None, socket.gethostname()):
        return False        # another machine's run on a shared folder: cannot tell, so wait
    boot = _boot_id()
    if boot and owner.get("boot") and owner["boot"] != boot:
        return True         # made before the last reboot
    pid = owner.get("pid")
    if not isinstance(pid, int) or not alive(pid):
        return True
    started = owner.get("started")
    return bool(started and _start_time(pid) not in (None, started))


def _read_owner(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):   # a lock file nested too deep is no owner
        return None


@contextlib.contextmanager
def _guard(path: Path) -> Iterator[None]:
    """Serialise stale-lock take-overs between processes (flock where the system has it)."""
    try:
        import fcntl
    except ImportError:      # no flock here: the O_EXCL create below still admits one run
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _create(path: Path) -> int | None:
    """The new lock file, open for writing; None when it is there already."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        if path.parent.is_dir():
            return None
        error: OSError = FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST))
    except OSError as err:          # a read-only workspace
        error = err
    raise OutputError(f"cannot write the digest's lock file {shown_path(path)}: "
                      f"{error.strerror or error}; the digest needs a writable "
                      f"{path.parent.name}/ folder in the workspace") from None


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """Hold ``path`` for the duration of a run; a second run raises :class:`Locked`."""
    me = _owner()
    for _ in range(5):
        fd = _create(path)
        if fd is None:
            owner = _read_owner(path)
            if not _stale(owner, path):
                who = f"pid {owner['pid']}" if owner and "pid" in owner else "another process"
                since = f" since {owner['since']}" if owner and owner.get("since") else ""
                raise Locked(f"another briefgen digest run ({who}{since}) is in progress; "
                             f"try again when it ends (lock file {shown_path(path)})")
            with _guard(path.with_name(path.name + ".guard")):
                if _read_owner(path) == owner:      # nobody took it over meanwhile
                    path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(me, handle)
        break
    else:
        raise Locked(f"cannot take the lock file {shown_path(path)}")
    try:
        yield
    finally:
        if _read_owner(path) == me:
            path.unlink(missing_ok=True)
