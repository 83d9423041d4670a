"""briefgen: cited ministerial briefing notes from structured source records."""
from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

__all__ = ["__version__", "build"]


def build(brief_path: str | Path, formats: tuple[str, ...] = ("md", "docx"),
          out: str | Path | None = None, workspace: str | Path = ".") -> list[Path]:
    """Build one brief of a workspace; returns the files written. Mirrors ``briefgen build``."""
    from briefgen.builder import build as _build
    from briefgen.workspace import Workspace

    ws = Workspace(Path(workspace))
    return _build(ws, [str(brief_path)], formats, Path(out) if out is not None else None)
