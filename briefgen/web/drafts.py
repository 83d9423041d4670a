"""Briefs as the web editor sees them: found by id, previewed and checked before they are
saved, and saved only over the version the author opened.

The preview and the checks run the library's own ``compose`` and ``check_brief``
on the editor's text, written to a private temporary folder under the brief's
name: what the page shows is what ``briefgen build`` would make of that text.
"""
from __future__ import annotations

import hashlib
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.builder import Output, write_atomically
from briefgen.errors import BriefgenError, InputError
from briefgen.models import SourceRecord, check_id
from briefgen.workspace import BRIEF_SUFFIXES, Workspace


def brief_file(ws: Workspace, brief_id: str) -> Path:
    """The file of the brief ``brief_id`` in briefs/: an id, never a path from the request."""
    try:
        check_id(brief_id)
    except ValueError:
        raise InputError(f"no brief {brief_id!r}") from None
    for suffix in BRIEF_SUFFIXES:
        path = ws.briefs_dir / f"{brief_id}{suffix}"
        if path.is_file():
            return ws.inside(path, "brief")
    raise InputError(f"no brief {brief_id!r} in briefs/")


def brief_paths(ws: Workspace) -> list[Path]:
    """Every brief file in briefs/, by name."""
    if not ws.briefs_dir.is_dir():
        return []
    return sorted(p for p in ws.briefs_dir.iterdir()
                  if p.suffix in BRIEF_SUFFIXES and not p.name.startswith(".") and p.is_file())


def brief_ids(ws: Workspace) -> list[str]:
    return [path.stem for path in brief_paths(ws)]


def quote_snippet(record: SourceRecord, number: int) -> str:
    """A record's quote as a brief writes it: in quotation marks, cited, page given."""
    quote = record.quotes[number]
    where = f", p. {quote.page}" if quote.page not in (None, "") else ""
    return f"“{quote.text}” [@{record.id}{where}]"


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalised(text: str) -> str:
    """Form text as the file holds it: browsers send a textarea's lines ending in CRLF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Finding:
    """One line under the editor: a check finding, or the error that stops the note."""

    line: int
    col: int
    severity: str
    rule: str
    message: str


@dataclass
class Result:
    """The editor's text as a note (HTML) and its findings."""

    html: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


def render(ws: Workspace, path: Path, text: str) -> Result:
    """``text`` as the brief ``path`` would be built and checked."""
    from briefgen.note.check import check_brief
    from briefgen.note.composer import compose
    from briefgen.writers import html as html_writer

    with tempfile.TemporaryDirectory(prefix="briefgen-draft-") as folder:
        draft = Path(folder) / path.name
        draft.write_text(normalised(text), encoding="utf-8")
        result = Result()
        try:
            result.html = html_writer.write(compose(ws, draft)).decode("utf-8")
        except BriefgenError as err:
            result.findings.append(_stopping(err))
        try:
            result.findings += [Finding(f.line, f.col, f.severity, f.rule, f.message)
                                for f in check_brief(ws, draft)]
        except BriefgenError as err:
            if not result.findings:
                result.findings.append(_stopping(err))
    return result


def _stopping(err: BriefgenError) -> Finding:
    field_name = f"{err.field}: " if err.field else ""
    return Finding(err.line or 1, 1, "error", "input", f"{field_name}{err.message}")


class Conflict(Exception):
    """The file changed on disk since the editor opened it; nothing was written."""

    def __init__(self, disk: str, disk_hash: str) -> None:
        super().__init__("changed on disk")
        self.disk, self.disk_hash = disk, disk_hash


_SAVE_LOCK = threading.Lock()


def save(path: Path, text: str, opened_hash: str) -> str:
    """Write ``text`` atomically unless the file is no longer the one opened (its hash
    differs): then raise :class:`Conflict` with the disk's version. Returns the new hash."""
    data = normalised(text).encode("utf-8")
    with _SAVE_LOCK:
        current = path.read_bytes() if path.exists() else b""
        if fingerprint(current) != opened_hash:
            raise Conflict(current.decode("utf-8", "replace"), fingerprint(current))
        write_atomically([Output(path, data)])
    return fingerprint(data)
