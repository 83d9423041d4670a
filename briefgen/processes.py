"""Processes: who is alive, and workers that die with their parent.

Shared by the build (stale temp files, worker processes) and the digest (its run lock).
"""
from __future__ import annotations

import os
import threading
import time

# How often a worker looks whether its parent is still there (seconds).
PARENT_POLL_SECONDS = 0.25


def alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True         # someone else's process: alive
    except OSError:
        return False
    return True


def exit_with_parent() -> None:
    """In a worker: end this process as soon as the process that started it is gone.

    A worker whose parent was killed (SIGKILL, SIGTERM) would otherwise wait for
    work forever, holding the caller's pipes open. A daemon thread watches the
    parent id, which changes when the parent dies (the worker is adopted); it
    works on every system with ``os.getppid`` and whatever the worker is doing.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)           # no clean-up to run: a worker writes no files

    threading.Thread(target=watch, name="briefgen-parent-watch", daemon=True).start()
