"""Build stage: notes → output files, all made in memory, then written atomically."""
from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import (
    BriefgenError,
    BuildFailed,
    ChecksFailed,
    InputError,
    OutputError,
    shown_path,
)
from briefgen.note.composer import Note, compose
from briefgen.note.render import builtin_templates
from briefgen.processes import alive
from briefgen.workspace import Workspace

log = logging.getLogger("briefgen")
FORMATS = ("md", "docx")
ALL_FORMATS = ("md", "docx", "html", "pdf")


def _write_md(note: Note, ws: Workspace) -> bytes:
    from briefgen.writers import markdown
    return markdown.write(note)


def _write_docx(note: Note, ws: Workspace) -> bytes:
    from briefgen.writers import (
        docx,  # python-docx is heavy: import it only when a DOCX is wanted
    )
    return docx.write(note, reference_docx(ws))


def _write_html(note: Note, ws: Workspace) -> bytes:
    from briefgen.writers import html
    return html.write(note)


def _write_pdf(note: Note, ws: Workspace) -> bytes:
    """One note's PDF; a build converts all its notes in one LibreOffice run instead."""
    from briefgen.writers import pdf
    return pdf.convert([_write_docx(note, ws)], [note.timestamp], pdf.find_soffice())[0]


WRITERS: dict[str, Callable[[Note, Workspace], bytes]] = {
    "md": _write_md, "docx": _write_docx, "html": _write_html, "pdf": _write_pdf}


def reference_docx(ws: Workspace) -> Path:
    """The workspace's templates/reference.docx if there is one, else the built-in."""
    own = ws.templates_dir / "reference.docx"
    return own if own.is_file() else builtin_templates() / "reference.docx"


def parse_formats(text: str) -> list[str]:
    """``md,docx``; ``all`` is every format."""
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    formats = [g for f in formats for g in (ALL_FORMATS if f == "all" else (f,))]
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise InputError(f"unknown format {', '.join(unknown) or repr(text)}; "
                         f"choose from {', '.join(WRITERS)} or all")
    return list(dict.fromkeys(formats))


@dataclass(frozen=True)
class Output:
    path: Path
    data: bytes
    note: Note | None = field(default=None, compare=False, repr=False)


@dataclass
class NoteResult:
    """One brief's outputs, in memory, with its check findings, or why it failed."""

    path: Path
    outputs: list[Output] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    error: BriefgenError | None = None


def make_note(ws: Workspace, path: Path, formats: list[str], out_dir: Path,
              check: bool = True, strict: bool = False) -> NoteResult:
    """One brief, all its formats but PDF (converted in one batch later), then its checks."""
    try:
        note = compose(ws, path)
        made = {fmt: WRITERS[fmt](note, ws) for fmt in formats if fmt != "pdf"}
        if "pdf" in formats:
            made["pdf"] = made.get("docx") or _write_docx(note, ws)   # converted later
        result = NoteResult(path, [Output(out_dir / f"{note.name}.{fmt}", made[fmt], note)
                                   for fmt in formats])
        if check:
            from briefgen.note.check import ERROR, check_brief, summary
            result.findings = check_brief(ws, path)
            if any(strict or f.severity == ERROR for f in result.findings):
                result.error = ChecksFailed(result.findings, summary(result.findings, 1))
        return result
    except BriefgenError as err:
        return NoteResult(path, error=err)


def make_notes(ws: Workspace, paths: list[Path], formats: list[str], out_dir: Path,
               check: bool = True, jobs: int = 1, strict: bool = False,
               progress: Callable[[], None] | None = None) -> list[NoteResult]:
    """Every brief, in ``jobs`` worker processes; then every PDF in one LibreOffice run."""
    soffice = None
    if "pdf" in formats:
        from briefgen.writers import pdf
        soffice = pdf.find_soffice()     # before any work: say what to install
    args = (formats, out_dir, check, strict)
    if jobs > 1 and len(paths) > 1:
        from briefgen.batch import parallel
        results = parallel(ws.root, paths, args, jobs, progress)
    else:
        results = []
        for path in paths:
            results.append(make_note(ws, path, *args))
            if progress:
                progress()
    if soffice:
        _convert_pdfs(ws, [r for r in results if r.error is None], soffice, check)
    return results


def _convert_pdfs(ws: Workspace, results: list[NoteResult], soffice: str, check: bool) -> None:
    """The DOCX placeholders of the PDFs become PDFs; when checking, a PDF over its page
    budget is a finding (its real page count replaces the estimate)."""
    from briefgen.writers import pdf

    pending = [(r, i) for r in results for i, o in enumerate(r.outputs) if o.path.suffix == ".pdf"]
    pdfs = pdf.convert([r.outputs[i].data for r, i in pending],
                       [r.outputs[i].note.timestamp for r, i in pending], soffice)
    for (result, index), data in zip(pending, pdfs):
        old = result.outputs[index]
        result.outputs[index] = Output(old.path, data, old.note)
        if check and "page-budget" not in ws.settings.check.disable:
            measured = page_budgets(ws, [result.outputs[index]])
            result.findings = [f for f in result.findings if f.rule != "page-budget"]
            result.findings += [f for f in measured.values() if f is not None]


def page_budgets(ws: Workspace, outputs: Iterable[Output]) -> dict[str, Any]:
    """For each note built as PDF (by its brief, as findings name it): a page-budget
    finding when the PDF runs over the budget of its type, else None."""
    from briefgen.note.check import Finding
    from briefgen.note.positions import layout
    from briefgen.readers import read_text
    from briefgen.writers.pdf import page_count

    measured: dict[str, Any] = {}
    for output in outputs:
        if output.path.suffix != ".pdf" or output.note is None:
            continue
        note = output.note
        shown = shown_path(note.source)
        budget = ws.settings.check.pages.get(note.brief.type)
        pages = page_count(output.data)
        measured[shown] = None
        if budget and pages > budget:
            span = layout(read_text(note.source)).spans.get(("type",))
            line, col = span.point(0) if span else (1, 1)
            measured[shown] = Finding(shown, line, col, "page-budget",
                                      f"{pages} pages in the PDF; a {note.brief.type} should "
                                      f"fit on {budget:g}", "type")
    return measured


def write_atomically(outputs: list[Output]) -> None:
    """Write every file to a temp file beside it, then move them all into place.

    If anything fails, the files that were already replaced get their old
    contents back and new ones are removed: the output folder is as it was.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for output in outputs:
            staged.append((_stage(output), output.path))
        _swap_in(staged)
    except OSError as err:
        raise OutputError(f"cannot write output: {err.strerror or err}",
                          file=err.filename) from None
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


# A temp file of briefgen's: ``.NAME.briefgen-PID-XXXXXXXX.tmp`` (the pid of the run
# that made it) or ``.NAME.briefgen-PID-old.tmp`` (an old file kept while swapping).
_TEMP_NAME = re.compile(r"\..+\.briefgen-(?P<pid>\d+)-[a-z0-9_]+\.tmp")


def _temp_mark() -> str:
    return f"briefgen-{os.getpid()}-"


def _stage(output: Output) -> Path:
    output.path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{output.path.name}.{_temp_mark()}", suffix=".tmp",
                                dir=output.path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(output.data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(name, 0o644)
    return Path(name)


def _keep(path: Path, copy: Path) -> None:
    try:
        os.link(path, copy)
    except OSError:          # a file system without hard links
        shutil.copy2(path, copy)


def _swap_in(staged: list[tuple[Path, Path]]) -> None:
    """Move temp files into place, undoing every move if one fails."""
    undo: list[tuple[Path, Path | None]] = []       # (final, its old contents kept aside)
    try:
        for temp, final in staged:
            backup = None
            if final.exists():   # a second name for the old file: final is never missing
                backup = final.with_name(f".{final.name}.{_temp_mark()}old.tmp")
                backup.unlink(missing_ok=True)
                _keep(final, backup)
            undo.append((final, backup))
            os.replace(temp, final)
    except OSError:
        for final, backup in reversed(undo):
            if backup is not None:
                os.replace(backup, final)    # a no-op where final was never replaced
            else:
                final.unlink(missing_ok=True)
        raise
    finally:
        for _, backup in undo:
            if backup is not None:
                backup.unlink(missing_ok=True)


def build(ws: Workspace, names: list[str] | None = None, formats: Iterable[str] = FORMATS,
          out: Path | None = None, check: bool = True, jobs: int = 1, strict: bool = False,
          progress: Callable[[], None] | None = None, keep_going: bool = False) -> list[Path]:
    """Build the named briefs (default: all of briefs/) into ``out`` (default: out/).

    Each brief is made in memory and checked (input errors are reported as
    such, then the checks of ``briefgen check``). By default any failure
    raises and nothing is written. With ``keep_going`` the briefs that succeed
    are written, and :class:`BuildFailed` lists the ones that failed.
    """
    out_dir = ws.output_dir(out if out is not None else Path("out"))
    paths = ws.brief_paths(names or [])
    results = make_notes(ws, paths, list(formats), out_dir, check, jobs, strict, progress)
    done = [o for r in results if r.error is None for o in r.outputs]
    failed = [r for r in results if r.error is not None]
    if failed and not keep_going:
        raise failed[0].error
    for result in results:
        for finding in result.findings:     # a failed brief's too: its errors are why it failed
            if finding.severity == "error":
                log.error("%s", finding)
            else:
                log.warning("%s", finding)
    if done:
        with output_lock(out_dir):
            remove_stale_temp_files(out_dir)
            write_atomically(done)
    if failed:
        raise BuildFailed([(r.path, r.error) for r in failed], len(results))
    return [o.path for o in done]


def remove_stale_temp_files(out_dir: Path) -> None:
    """The temp files of builds that were killed: only complete files stay.

    Only briefgen's own (``.NAME.briefgen-PID-….tmp``), only in this folder,
    and only those whose run is over: a build running now keeps its files.
    """
    try:
        candidates = list(out_dir.glob(".*.tmp"))
    except OSError:
        return
    for temp in candidates:
        match = _TEMP_NAME.fullmatch(temp.name)
        if match and not alive(int(match["pid"])):
            temp.unlink(missing_ok=True)


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One run at a time writes a folder's notes; another waits (flock where the system has it).

    Each run's files then replace the old ones as one set, never interleaved.
    """
    try:
        import fcntl
    except ImportError:         # no flock: temp names that carry the pid keep runs apart
        yield
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir, os.O_RDONLY)
    except OSError as err:
        raise OutputError(f"cannot write output: {err.strerror or err}", file=err.filename) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s: waiting for another briefgen build writing there to finish",
                        shown_path(out_dir))
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)                # releases the lock
