"""A brief's redline: its note now, with every change since an earlier version
as Word tracked changes. The earlier version is a git revision of the brief, another
brief file or an earlier DOCX; an earlier brief is built with today's records and
templates, so the redline shows what the brief's text changed."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError, InputError, shown_path
from briefgen.note.composer import Note, compose
from briefgen.review.package import OLE_MAGIC, Changes, Package, redline
from briefgen.workspace import BRIEF_SUFFIXES, Workspace

SUFFIX = "-redline.docx"


class NotAtRevision(InputError):
    """The brief's file is not in that revision: it is newer, or was renamed."""


@dataclass(frozen=True)
class Redline:
    """A redline made in memory: where it goes, its bytes, what it holds."""

    brief: Path
    path: Path
    data: bytes
    changes: Changes
    against: str


def make(ws: Workspace, brief: Path, against: str, out_dir: Path,
         author: str | None = None) -> Redline:
    """The redline of ``brief`` against ``against`` (a revision, brief file or DOCX)."""
    note = compose(ws, brief)
    new = Package(_docx(ws, note), brief)
    old = Package(*_earlier(ws, brief, against))
    who = author or ws.settings.review.author or note.author
    when = dt.datetime.combine(note.brief.date, dt.time()).strftime("%Y-%m-%dT%H:%M:%SZ")
    data, changes = redline(old, new, who, when)
    return Redline(brief, out_dir / f"{note.name}{SUFFIX}", data, changes, against)


def _docx(ws: Workspace, note: Note) -> bytes:
    from briefgen.builder import reference_docx
    from briefgen.writers import docx

    return docx.write(note, reference_docx(ws))


def _earlier(ws: Workspace, brief: Path, against: str) -> tuple[bytes, Path | str]:
    """The earlier note as DOCX bytes, and what to call it in messages."""
    given = Path(against)
    for candidate in (given, ws.root / given):
        if candidate.is_file():
            return _from_file(ws, brief, candidate)
    text = _git_show(brief, against)
    with tempfile.TemporaryDirectory(prefix="briefgen-redline-") as folder:
        earlier = Path(folder) / brief.name
        earlier.write_bytes(text)
        try:
            return _docx(ws, compose(ws, earlier)), brief
        except BriefgenError as err:
            raise InputError(f"the version at {against} does not build with today's records "
                             f"and templates: {err.message}", file=brief, line=err.line,
                             field=err.field) from None


def _from_file(ws: Workspace, brief: Path, path: Path) -> tuple[bytes, Path]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read the earlier version: {err.strerror or err}",
                         file=path) from None
    if path.suffix.lower() == ".docx" or data[:2] == b"PK" or data[:8] == OLE_MAGIC:
        return data, path
    if path.suffix.lower() not in BRIEF_SUFFIXES:
        raise InputError("--against takes a git revision, a brief (.md, .yaml) or a DOCX "
                         "file", file=path)
    if path.resolve() == brief.resolve():
        raise InputError("--against names the brief itself; give an earlier version "
                         "(a git revision such as HEAD, another brief file or a DOCX)",
                         file=path)
    return _docx(ws, compose(ws, path)), path


def _git_show(brief: Path, revision: str) -> bytes:
    """The brief's file as it was at ``revision`` (``git show REV:./NAME`` beside it)."""
    git = shutil.which("git")
    shown = shown_path(brief)
    if git is None:
        raise InputError(f"--against {revision}: not a file, and git is not installed to "
                         "read it as a revision; install git or give an earlier brief or "
                         "DOCX file")
    if revision.startswith("-") or not revision.strip():
        raise InputError(f"--against {revision!r}: not a file nor a git revision")
    run = subprocess.run([git, "-C", str(brief.parent), "show", f"{revision}:./{brief.name}"],
                         capture_output=True, check=False)
    if run.returncode == 0:
        return run.stdout
    said = run.stderr.decode("utf-8", "replace")
    if "not a git repository" in said:
        raise InputError(f"--against {revision}: not a file, and the folder "
                         f"{shown_path(brief.parent)}/ is not in a git repository; give an "
                         "earlier brief or DOCX file")
    if "exists on disk, but not in" in said or "does not exist in" in said:
        raise NotAtRevision(f"{shown} did not exist at {revision}; give a later revision, or "
                         "an earlier brief or DOCX file")
    if "invalid object name" in said or "unknown revision" in said or "bad revision" in said:
        raise InputError(f"--against {revision}: no such file, nor a revision in the git "
                         f"history of {shown}")
    first = next((line for line in said.splitlines() if line.strip()), "git show failed")
    raise InputError(f"--against {revision}: not a file, and git cannot read it as a "
                     f"revision of {shown}: {first.removeprefix('fatal: ')}")
