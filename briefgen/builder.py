"""Build stage: briefs → notes → output files.

Each file goes to a temp file beside its final name as soon as its note is made (memory
does not grow with the batch); at the end they are made durable together and moved
into place as one set, so a failed build leaves the previous outputs as they were.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from briefgen.buildlog import Findings, Report
from briefgen.durable import sync_files, sync_folders
from briefgen.errors import (
    BriefgenError,
    BuildFailed,
    ChecksFailed,
    InputError,
    OutputError,
    shown_path,
)
from briefgen.incremental import (
    Options,
    Plan,
    Sources,
    digest,
    file_digest,
    record_digest,
)
from briefgen.incremental import plan as incremental_plan
from briefgen.processes import alive
from briefgen.workspace import Workspace, builtin_templates

if TYPE_CHECKING:
    from briefgen.note.composer import Note

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
    """One brief's outputs, in memory, with its check findings and what it was made
    from; or why it failed."""

    path: Path
    outputs: list[Output] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    error: BriefgenError | None = None
    sources: Sources | None = None


def make_note(ws: Workspace, path: Path, formats: list[str], out_dir: Path,
              check: bool = True, strict: bool = False) -> NoteResult:
    """One brief, all its formats but PDF (converted in one batch later), then its checks."""
    # Imported here: a build whose notes are all up to date never needs them.
    from briefgen.note.composer import compose
    from briefgen.note.render import templates_used

    try:
        with templates_used() as used:
            note = compose(ws, path)
            made = {fmt: WRITERS[fmt](note, ws) for fmt in formats if fmt != "pdf"}
            if "pdf" in formats:
                made["pdf"] = made.get("docx") or _write_docx(note, ws)   # converted later
            result = NoteResult(path, [Output(out_dir / f"{note.name}.{fmt}", made[fmt],
                                              note if fmt == "pdf" else None)
                                       for fmt in formats])
            if check:
                from briefgen.note.check import ERROR, check_brief, summary
                result.findings = check_brief(ws, path)
                if any(strict or f.severity == ERROR for f in result.findings):
                    result.error = ChecksFailed(result.findings, summary(result.findings, 1))
        result.sources = Sources(note.lang, note.brief.type,
                                 {key: record_digest(ws.records[key]) for key in note.records},
                                 used)
        return result
    except BriefgenError as err:
        return NoteResult(path, error=err)


def make_notes(ws: Workspace, paths: list[Path], formats: list[str], out_dir: Path,
               check: bool = True, jobs: int = 1, strict: bool = False) -> Iterator[NoteResult]:
    """Each brief's result as soon as it is made: in order, or as ``jobs`` worker
    processes finish them."""
    args = (formats, out_dir, check, strict)
    if jobs > 1 and len(paths) > 1:
        from briefgen.batch import parallel
        return parallel(ws.root, paths, args, jobs)
    return (make_note(ws, path, *args) for path in paths)


def _convert_pdfs(ws: Workspace, pending: list[tuple[NoteResult, Output]], soffice: str,
                  check: bool) -> Iterator[tuple[NoteResult, Output]]:
    """The DOCX placeholders of the PDFs become PDFs (one LibreOffice run); when checking,
    a PDF over its page budget is a finding (its real page count replaces the estimate)."""
    from briefgen.pdfs import page_budget
    from briefgen.writers import pdf

    pdfs = pdf.convert([o.data for _, o in pending], [o.note.timestamp for _, o in pending],
                       soffice)
    for (result, old), data in zip(pending, pdfs):
        if check and old.note and "page-budget" not in ws.settings.check.disable:
            result.findings = [f for f in result.findings if f.rule != "page-budget"]
            result.findings += [f for f in [page_budget(ws, old.note, data)] if f is not None]
        yield result, Output(old.path, data, old.note)


@dataclass(frozen=True)
class _Staged:
    """A file written to its temp name, not yet in place (names as text: a batch keeps
    thousands)."""

    temp: str
    final: str
    size: int
    digest: str


def _staged(output: Output) -> _Staged:
    return _Staged(str(_stage(output)), str(output.path), len(output.data), digest(output.data))


def _unwritable(err: OSError) -> OutputError:
    return OutputError(f"cannot write output: {err.strerror or err}", file=err.filename)


def write_atomically(outputs: list[Output]) -> None:
    """Write every file to a temp file beside it, make them all durable, then move them
    all into place; a file that already holds the same bytes is left as it is.

    If anything fails, the files that were already replaced get their old
    contents back and new ones are removed: the output folder is as it was.
    """
    staged: list[_Staged] = []
    try:
        for output in outputs:
            staged.append(_staged(output))
        _commit(staged)
    except OSError as err:
        raise _unwritable(err) from None
    finally:
        for item in staged:
            Path(item.temp).unlink(missing_ok=True)


def _commit(staged: list[_Staged]) -> list[Path]:
    """Durable, then in place: the files whose bytes changed."""
    sync_files([Path(item.temp) for item in staged])
    changed = _swap_in(staged)
    sync_folders({path.parent for path in changed})
    return changed


# A temp file of briefgen's: ``.NAME.briefgen-PID-XXXXXXXX.tmp`` (the pid of the run
# that made it) or ``.NAME.briefgen-PID-old.tmp`` (an old file kept while swapping).
_TEMP_NAME = re.compile(r"\..+\.briefgen-(?P<pid>\d+)-[a-z0-9_]+\.tmp")


def _temp_mark() -> str:
    return f"briefgen-{os.getpid()}-"


def _stage(output: Output) -> Path:
    """The file's bytes under a temp name beside it (made durable later, with the others)."""
    output.path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{output.path.name}.{_temp_mark()}", suffix=".tmp",
                                dir=output.path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(output.data)
    os.chmod(name, 0o644)
    return Path(name)


def _keep(path: Path, copy: Path) -> None:
    try:
        os.link(path, copy)
    except OSError:          # a file system without hard links
        shutil.copy2(path, copy)


def _holds(item: _Staged) -> bool:
    """Whether the final file is already there with these bytes."""
    try:
        info = os.stat(item.final)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size == item.size \
        and file_digest(Path(item.final)) == item.digest


def _swap_in(staged: list[_Staged]) -> list[Path]:
    """Move temp files into place, undoing every move if one fails; a file that holds
    the same bytes already is not rewritten. The files replaced or added."""
    undo: list[tuple[Path, Path | None]] = []       # (final, its old contents kept aside)
    try:
        for item in staged:
            if _holds(item):
                continue
            final = Path(item.final)
            backup = None
            if final.exists():   # a second name for the old file: final is never missing
                backup = final.with_name(f".{final.name}.{_temp_mark()}old.tmp")
                backup.unlink(missing_ok=True)
                _keep(final, backup)
            undo.append((final, backup))
            os.replace(item.temp, final)
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
    return [final for final, _ in undo]


class OutputFolder:
    """One build's files: each staged beside its final name as soon as it is made, under
    the folder's lock from the first one on; moved into place as one set by
    :meth:`commit`. Left without a commit, the temp files go, and so does the folder if
    this build made it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._staged: list[tuple[tuple[int, int], _Staged]] = []
        self._made: list[Path] | None = None       # None: nothing staged yet
        self._stack = contextlib.ExitStack()
        self._committed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._stack:
            for _, item in self._staged:
                Path(item.temp).unlink(missing_ok=True)
            if not self._committed:
                for folder in self._made or ():
                    with contextlib.suppress(OSError):
                        folder.rmdir()       # only if empty: someone else's files stay

    def stage(self, output: Output, order: tuple[int, int]) -> str:
        """Write one file to its temp name now; its hash. ``order``: its place in the set."""
        if self._made is None:
            self._made = _missing(self.out_dir)
            self._stack.enter_context(output_lock(self.out_dir))
            remove_stale_temp_files(self.out_dir)
        try:
            item = _staged(output)
        except OSError as err:
            raise _unwritable(err) from None
        self._staged.append((order, item))
        return item.digest

    def commit(self) -> list[Path]:
        """Every staged file in place; the files whose bytes changed."""
        try:
            changed = _commit([item for _, item in sorted(self._staged, key=lambda s: s[0])])
        except OSError as err:
            raise _unwritable(err) from None
        self._committed = True
        return changed


def _missing(folder: Path) -> list[Path]:
    """The folder and its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    return missing


def run(ws: Workspace, names: list[str] | None = None, formats: Iterable[str] = FORMATS,
        out: Path | None = None, check: bool = True, jobs: int = 1, strict: bool = False,
        progress: Callable[[], None] | None = None, keep_going: bool = False,
        incremental: bool = False, force: bool = False) -> Report:
    """Build the named briefs (default: all of briefs/) into ``out`` (default: out/).

    Each brief is made and checked (input errors are reported as such, then
    the checks of ``briefgen check``). By default any failure raises and
    nothing is written. With ``keep_going`` the briefs that succeed are
    written, and :class:`BuildFailed` lists the ones that failed. With
    ``incremental`` only the notes whose inputs or outputs changed since the
    last such build are made (every note with ``force``), and the build is
    recorded for the next (:mod:`briefgen.incremental`).
    """
    out_dir = ws.output_dir(out if out is not None else Path("out"))
    paths = ws.brief_paths(names or [])
    formats = list(formats)
    soffice = None
    if "pdf" in formats:
        from briefgen.writers import pdf
        soffice = pdf.find_soffice()     # before any work: say what to install
    plan = incremental_plan(ws, paths, out_dir, Options(tuple(formats), check, strict), force) \
        if incremental else None
    order = {path: index for index, path in enumerate(paths)}
    findings = Findings(keep_going, hold=soffice is not None)
    for path, warnings in (plan.fresh.items() if plan else ()):
        findings.add(order[path], warnings, False)
        if progress:
            progress()
    made: dict[Path, _Made] = {}          # a few names and hashes a note, not its files
    failed: list[NoteResult] = []
    with OutputFolder(out_dir) as folder:
        pdfs: list[tuple[NoteResult, Output]] = []
        for result in make_notes(ws, plan.stale if plan else paths, formats, out_dir, check,
                                 jobs, strict):
            index = order[result.path]
            # Said before its files are staged, which may wait for another build to finish.
            findings.add(index, result.findings, result.error is not None)
            if result.error is None:
                hashes = {}
                for place, output in enumerate(result.outputs):
                    if soffice and output.path.suffix == ".pdf":
                        pdfs.append((result, output))
                    else:
                        hashes[output.path.name] = folder.stage(output, (index, place))
                made[result.path] = _Made(result.outputs[0].path.stem, plan and plan.entry(
                    result.path, result.sources, hashes, [str(f) for f in result.findings]))
            else:
                failed.append(result)
            if progress:
                progress()
        for result, output in _convert_pdfs(ws, pdfs, soffice, check) if soffice and pdfs else ():
            staged = folder.stage(output, (order[result.path], formats.index("pdf")))
            entry = made[result.path].entry
            if entry is not None:
                entry["outputs"][output.path.name] = staged
                entry["warnings"] = [str(f) for f in result.findings]
            findings.add(order[result.path], result.findings, False)
        failed.sort(key=lambda r: order[r.path])
        if failed and not keep_going:
            raise failed[0].error
        findings.hold = False
        findings.flush()
        report = Report(out_dir, [out_dir / f"{made[path].name}.{fmt}" for path in paths
                                  if path in made for fmt in formats],
                        folder.commit() if made else [], len(made),
                        len(plan.fresh) if plan else 0)
        if plan is not None and made:
            _record(plan, made, None if names else paths)
    if failed:
        raise BuildFailed([(r.path, r.error) for r in failed], len(paths), report.up_to_date)
    return report


@dataclass
class _Made:
    """A note made and staged: its name, and its manifest entry (incremental builds)."""

    name: str
    entry: dict[str, Any] | None


def _record(plan: Plan, made: dict[Path, _Made], paths: list[Path] | None) -> None:
    """The notes just made, in the manifest for the next build (under the folder's lock)."""
    data = plan.updated({path: note.entry for path, note in made.items() if note.entry},
                        paths)
    if data is None:
        return
    try:
        write_atomically([Output(plan.path, data)])
    except OutputError as err:
        log.warning("%s: warning: cannot record the build, so the next one makes these notes "
                    "again: %s", shown_path(plan.path), err.message)


def build(ws: Workspace, *args: Any, **kwargs: Any) -> list[Path]:
    """:func:`run`'s build; the files of the notes it made, in the briefs' order."""
    return run(ws, *args, **kwargs).files


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
