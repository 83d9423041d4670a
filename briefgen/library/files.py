"""Which files under ``sources/`` are records: one walk, in the order the readers read
them, that names what it cannot use (an unreadable folder, a link to nothing)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from briefgen.readers import (
    RECORD_SUFFIXES,
    not_a_record,
    stay_inside,
    unreadable_folder,
)


@dataclass(frozen=True)
class SourceFile:
    rel: str              # relative to sources/, '/'-separated
    path: Path
    mtime_ns: int
    size: int


def scan(sources: Path) -> list[SourceFile]:
    """Every record file under ``sources``, in the order :func:`sources.read_records` reads them.

    Hidden files and folders are skipped; symlinked folders are not followed.
    """
    found: list[tuple[tuple[str, ...], SourceFile]] = []

    def walk(folder: Path, prefix: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as entries:
                children = list(entries)
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as err:
            unreadable_folder(err)
            return
        for entry in children:
            if entry.name.startswith("."):
                continue
            parts = (*prefix, entry.name)
            named_like_a_record = os.path.splitext(entry.name)[1].lower() in RECORD_SUFFIXES
            try:
                if entry.is_dir(follow_symlinks=False):
                    if named_like_a_record:
                        not_a_record(Path(entry.path), folder=True)
                    walk(Path(entry.path), parts)
                    continue
                if not named_like_a_record:
                    continue
                if not entry.is_file():
                    not_a_record(Path(entry.path), folder=False)
                    continue
                if entry.is_symlink():
                    stay_inside(Path(entry.path), sources)
                stat = entry.stat()
            except OSError:
                if named_like_a_record:
                    not_a_record(Path(entry.path), folder=False)      # a link that loops
                continue
            found.append((parts, SourceFile("/".join(parts), Path(entry.path),
                                            stat.st_mtime_ns, stat.st_size)))

    walk(sources, ())
    found.sort(key=lambda item: item[0])
    return [item[1] for item in found]
