"""Which files under ``sources/`` are records: one walk, in the order the readers read
them, that names what it cannot use (an unreadable folder, a link to nothing).

The walk is the fixed cost of every command on a large library (one ``stat`` per
file), so it keeps per-file work small: each folder is listed through its own
descriptor (``stat`` of a name, not of a whole path) and gives plain lists of names,
modification times and sizes; :class:`SourceFile` objects are made only on request.
"""
from __future__ import annotations

import hashlib
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from briefgen.readers import (
    RECORD_SUFFIXES,
    not_a_record,
    stay_inside,
    unreadable_folder,
)


class SourceFile(NamedTuple):
    rel: str              # relative to sources/, '/'-separated
    path: Path
    mtime_ns: int
    size: int


@dataclass
class Folder:
    """The record files directly in one folder, by name in sorted order."""

    rel: str                              # relative to sources/, '' for sources/ itself
    path: str                             # the folder on disk
    names: list[str] = field(default_factory=list)
    mtimes: array = field(default_factory=lambda: array("q"))
    sizes: array = field(default_factory=lambda: array("q"))

    def signature(self) -> str:
        """Changes whenever a file in the folder is added, removed, renamed, resized or
        modified: a digest of every name, mtime and size (no per-file Python work)."""
        digest = hashlib.blake2b("\0".join(self.names).encode("utf-8", "surrogateescape"),
                                 digest_size=16)
        digest.update(self.mtimes.tobytes())
        digest.update(self.sizes.tobytes())
        return digest.hexdigest()

    def files(self) -> list[SourceFile]:
        prefix = f"{self.rel}/" if self.rel else ""
        return [SourceFile(prefix + name, Path(self.path, name), mtime, size)
                for name, mtime, size in zip(self.names, self.mtimes, self.sizes)]


# Where the system can, list and stat through each folder's descriptor (the entries' stat
# then looks up one name, not the whole path).
_BY_DESCRIPTOR = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def scan_folders(sources: Path) -> list[Folder]:
    """Every folder under ``sources`` and the record files directly in it.

    Hidden files and folders are skipped; symlinked folders are not followed.
    """
    found: list[Folder] = []

    def walk(path: str, rel: str) -> None:
        fd = None
        try:
            if _BY_DESCRIPTOR:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            with os.scandir(path if fd is None else fd) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            return _close(fd)
        except OSError as err:
            _close(fd)
            return unreadable_folder(err)
        folder = Folder(rel, path)
        found.append(folder)
        subfolders: list[str] = []
        try:
            for entry in children:
                name = entry.name
                if name[0] == ".":
                    continue
                named_like_a_record = name[name.rfind("."):].lower() in RECORD_SUFFIXES
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if named_like_a_record:
                            not_a_record(Path(path, name), folder=True)
                        subfolders.append(name)
                        continue
                    if not named_like_a_record:
                        continue
                    if not entry.is_file():
                        not_a_record(Path(path, name), folder=False)
                        continue
                    if entry.is_symlink():
                        stay_inside(Path(path, name), sources)
                    stat = entry.stat()
                except OSError:
                    if named_like_a_record:
                        not_a_record(Path(path, name), folder=False)      # a link that loops
                    continue
                folder.names.append(name)
                folder.mtimes.append(stat.st_mtime_ns)
                folder.sizes.append(stat.st_size)
        finally:
            _close(fd)
        for name in subfolders:
            walk(os.path.join(path, name), f"{rel}/{name}" if rel else name)

    walk(str(sources), "")
    return found


def scan(sources: Path) -> list[SourceFile]:
    """Every record file under ``sources``, in the order :func:`sources.read_records` reads them."""
    files = [file for folder in scan_folders(sources) for file in folder.files()]
    files.sort(key=lambda file: file.rel.split("/"))
    return files
