"""Parallel builds: briefs made in worker processes, one workspace read per worker."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from briefgen.processes import exit_with_parent

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


def parallel(root: Path, paths: list[Path], args: tuple[Any, ...], jobs: int,
             progress: Callable[[], None] | None = None) -> list[Any]:
    """``make_note`` for every brief in ``jobs`` processes; results in the briefs' order."""
    results: dict[Path, Any] = {}
    with ProcessPoolExecutor(min(jobs, len(paths)), initializer=_start,
                             initargs=(root,)) as pool:
        futures = {pool.submit(_one, path, args): path for path in paths}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                progress()
    return [results[path] for path in paths]
