"""Build stage: notes → output files, all made in memory, then written atomically."""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import ChecksFailed, InputError, OutputError
from .note import Note, compose
from .render import builtin_templates
from .workspace import Workspace

log = logging.getLogger("briefgen")
FORMATS = ("md", "docx")


def _write_md(note: Note, ws: Workspace) -> bytes:
    from .writers import markdown
    return markdown.write(note)


def _write_docx(note: Note, ws: Workspace) -> bytes:
    from .writers import docx  # python-docx is heavy: import it only when a DOCX is wanted
    return docx.write(note, reference_docx(ws))


WRITERS: dict[str, Callable[[Note, Workspace], bytes]] = {"md": _write_md, "docx": _write_docx}


def reference_docx(ws: Workspace) -> Path:
    """The workspace's templates/reference.docx if there is one, else the built-in."""
    own = ws.templates_dir / "reference.docx"
    return own if own.is_file() else builtin_templates() / "reference.docx"


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise InputError(f"unknown format {', '.join(unknown) or repr(text)}; "
                         f"choose from {', '.join(WRITERS)}")
    return list(dict.fromkeys(formats))


@dataclass(frozen=True)
class Output:
    path: Path
    data: bytes


def render_outputs(ws: Workspace, briefs: Iterable[Path], formats: Iterable[str],
                   out_dir: Path) -> list[Output]:
    """Every requested file, in memory. Nothing touches the disk here."""
    outputs = []
    for path in briefs:
        note = compose(ws, path)
        for fmt in formats:
            outputs.append(Output(out_dir / f"{note.name}.{fmt}", WRITERS[fmt](note, ws)))
    return outputs


def write_atomically(outputs: list[Output]) -> None:
    """Write each file to a temp file beside it, then move them all into place.

    If any temp file cannot be written, none of the outputs is replaced.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for output in outputs:
            output.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{output.path.name}.", suffix=".tmp",
                                        dir=output.path.parent)
            staged.append((temp, output.path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(output.data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as err:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise OutputError(f"cannot write output: {err}") from None
    for temp, final in staged:
        os.chmod(temp, 0o644)
        os.replace(temp, final)


def run_checks(ws: Workspace, paths: list[Path], strict: bool = False) -> None:
    """The quality gates: warnings are logged; errors (or, with ``strict``, warnings) stop."""
    from .check import ERROR, check_all, summary

    findings = check_all(ws, paths)
    failing = [f for f in findings if strict or f.severity == ERROR]
    if failing:
        raise ChecksFailed(findings, summary(findings, len(paths)))
    for finding in findings:
        log.warning("%s", finding)


def build(ws: Workspace, names: list[str] | None = None, formats: Iterable[str] = FORMATS,
          out: Path | None = None, check: bool = True) -> list[Path]:
    """Build the named briefs (default: all of briefs/) into ``out`` (default: out/).

    The checks of ``briefgen check`` run once the notes are made (so input
    errors are reported as such first): a check error stops the build.
    """
    out_dir = ws.inside(out if out is not None else Path("out"), "output folder")
    paths = ws.brief_paths(names or [])
    outputs = render_outputs(ws, paths, list(formats), out_dir)
    if check:
        run_checks(ws, paths)
    write_atomically(outputs)
    return [o.path for o in outputs]
