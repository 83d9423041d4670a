"""Build stage: notes → output files, all made in memory, then written atomically."""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ChecksFailed, InputError, OutputError, shown_path
from .note import Note, compose
from .render import builtin_templates
from .workspace import Workspace

log = logging.getLogger("briefgen")
FORMATS = ("md", "docx")
ALL_FORMATS = ("md", "docx", "html", "pdf")


def _write_md(note: Note, ws: Workspace) -> bytes:
    from .writers import markdown
    return markdown.write(note)


def _write_docx(note: Note, ws: Workspace) -> bytes:
    from .writers import docx  # python-docx is heavy: import it only when a DOCX is wanted
    return docx.write(note, reference_docx(ws))


def _write_html(note: Note, ws: Workspace) -> bytes:
    from .writers import html
    return html.write(note)


def _write_pdf(note: Note, ws: Workspace) -> bytes:
    """One note's PDF; a build converts all its notes in one LibreOffice run instead."""
    from . import pdf
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


def render_outputs(ws: Workspace, briefs: Iterable[Path], formats: Iterable[str],
                   out_dir: Path) -> list[Output]:
    """Every requested file, in memory. Nothing touches the disk here (but LibreOffice's
    temp folder: the PDFs of all the notes come from one LibreOffice run)."""
    formats = list(formats)
    soffice = None
    if "pdf" in formats:
        from . import pdf
        soffice = pdf.find_soffice()     # before any work: say what to install
    per_note: list[list[Output]] = []
    for path in briefs:
        note = compose(ws, path)
        made = {fmt: WRITERS[fmt](note, ws) for fmt in formats if fmt != "pdf"}
        if soffice:
            made["pdf"] = made.get("docx") or _write_docx(note, ws)   # converted below
        per_note.append([Output(out_dir / f"{note.name}.{fmt}", made[fmt], note)
                         for fmt in formats])
    if soffice:
        pending = [o for outputs in per_note for o in outputs if o.path.suffix == ".pdf"]
        pdfs = pdf.convert([o.data for o in pending], [o.note.timestamp for o in pending], soffice)
        converted = {id(o): Output(o.path, data, o.note) for o, data in zip(pending, pdfs)}
        per_note = [[converted.get(id(o), o) for o in outputs] for outputs in per_note]
    return [o for outputs in per_note for o in outputs]


def page_budgets(ws: Workspace, outputs: Iterable[Output]) -> dict[str, Any]:
    """For each note built as PDF (by its brief, as findings name it): a page-budget
    finding when the PDF runs over the budget of its type, else None."""
    from .check import Finding, layout
    from .pdf import page_count
    from .sources import read_text

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


def run_checks(ws: Workspace, paths: list[Path], strict: bool = False,
               measured: dict[str, Any] | None = None) -> None:
    """The quality gates: warnings are logged; errors (or, with ``strict``, warnings) stop.

    ``measured`` (from :func:`page_budgets`): the page counts of real PDFs replace
    the estimated ones for those briefs.
    """
    from .check import ERROR, check_all, summary

    findings = check_all(ws, paths)
    if measured:
        findings = [f for f in findings if not (f.rule == "page-budget" and f.file in measured)]
        if "page-budget" not in ws.settings.check.disable:
            findings = sorted(findings + [f for f in measured.values() if f is not None])
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
        run_checks(ws, paths, measured=page_budgets(ws, outputs))
    write_atomically(outputs)
    return [o.path for o in outputs]
