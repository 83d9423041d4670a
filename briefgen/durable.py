"""Making many written files durable at once, before they are moved into place.

One fsync after another costs a disk flush per file (seconds for a few thousand
notes). Where Linux has ``syncfs``, one call flushes the folder's file system;
elsewhere the files are flushed from a pool of threads, which the file system
serves together.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

# Threads that flush files at once where there is no syncfs.
FSYNC_THREADS = 16


def sync_files(paths: list[Path]) -> None:
    """Every file's data on disk: one syncfs per folder for many files, else an fsync each."""
    if not paths:
        return
    folders = {path.parent for path in paths}
    syncfs = _syncfs()
    if syncfs is not None and len(folders) < len(paths):
        for folder in folders:
            _sync_whole(syncfs, folder)
        return
    if len(paths) == 1:
        _fsync(paths[0])
        return
    with ThreadPoolExecutor(min(FSYNC_THREADS, len(paths))) as pool:
        list(pool.map(_fsync, paths))


def sync_folders(folders: Iterable[Path]) -> None:
    """Names moved into these folders survive a crash (where folders can be flushed)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:         # a file system that cannot flush a folder (EINVAL)
            pass
        finally:
            os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_whole(syncfs: Callable[[int], int], folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            import ctypes

            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def _syncfs() -> Callable[[int], int] | None:
    """libc's syncfs (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
