"""Parallel builds: briefs made in worker processes, one workspace read per worker."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from briefgen.processes import exit_with_parent

# Briefs handed to each worker ahead of the one it is making.
IN_FLIGHT = 4
_workspace: Any = None


def _start(root: Path) -> None:
    """Each worker ends with its parent, and reads the workspace (settings, library) once."""
    global _workspace
    exit_with_parent()
    from briefgen.workspace import Workspace

    _workspace = Workspace(root)


def _one(path: Path, args: tuple[Any, ...]) -> Any:
    from briefgen.builder import make_note

    return make_note(_workspace, path, *args)


def parallel(root: Path, paths: list[Path], args: tuple[Any, ...], jobs: int) -> Iterator[Any]:
    """``make_note`` for every brief in ``jobs`` processes, each result as soon as it is made.

    Only a few briefs per worker are handed out ahead: results wait in memory only
    until the caller has taken them, however long the batch.
    """
    ahead = jobs * IN_FLIGHT
    with ProcessPoolExecutor(min(jobs, len(paths)), initializer=_start,
                             initargs=(root,)) as pool:
        queue = iter(paths)
        running = {pool.submit(_one, path, args) for path in itertools.islice(queue, ahead)}
        try:
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                running |= {pool.submit(_one, path, args)
                            for path in itertools.islice(queue, len(finished))}
                for future in finished:
                    yield future.result()
        finally:            # the caller stopped (an error): what has not started never will
            for future in running:
                future.cancel()
