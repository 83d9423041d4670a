"""``briefgen absorb EDITED.docx``: reviewers' edits of a note back into its brief.

The brief is found from the DOCX's properties (``briefgen NAME#HASH`` in its
keywords, written by the DOCX writer). The note is rebuilt from the brief as it
is now; when that is not the note the reviewers received (the hash differs)
nothing is absorbed, since the difference would undo the analyst's own changes.
Otherwise the two notes are compared field by field and only the fields whose
printed text differs are changed in the brief (:mod:`briefgen.review.mapping`).
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from briefgen.errors import InputError, OutputError, shown_path

if TYPE_CHECKING:                 # lxml loads only when absorb runs
    from briefgen.review.docxread import Change, Comment
    from briefgen.workspace import Workspace

# What the DOCX writer puts in the keywords (Word keeps it; LibreOffice may turn punctuation
# in keywords into spaces).
_STAMP = re.compile(r"briefgen[\s:;,]+(\S(?:.*\S)?)#([0-9a-f]{16})")
EXIT_PENDING = 1        # tracked changes pending, or edits left to make by hand


def add_parser(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    absorb = commands.add_parser("absorb", parents=[common],
                                 help="bring reviewers' edits of a note's DOCX back into its brief")
    absorb.add_argument("docx", type=Path, metavar="EDITED.docx", help="the edited note")
    absorb.add_argument("--brief", metavar="BRIEF",
                        help="the brief it was built from (default: the one it names)")
    absorb.add_argument("--accept-changes", action="store_true",
                        help="take tracked changes still pending (insertions in, deletions out)")
    absorb.add_argument("--keep-comments", action="store_true",
                        help="keep the reviewers' comments in the brief's review field")
    absorb.add_argument("--dry-run", action="store_true",
                        help="print the change to the brief as a diff; change nothing")


@dataclass
class Result:
    path: Path                 # the brief
    before: str
    after: str
    lines: list[str]           # the report
    status: int


def run(args: argparse.Namespace) -> int:
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    result = absorb(ws, args.docx, args.brief, args.accept_changes, args.keep_comments)
    shown = shown_path(result.path)
    if args.dry_run:
        diff = difflib.unified_diff(result.before.splitlines(keepends=True),
                                    result.after.splitlines(keepends=True),
                                    f"a/{shown}", f"b/{shown}")
        print("".join(diff), end="")
    elif result.after != result.before:
        kept = keep_previous(ws.root, result.path)
        _write(result.path, _as_file(result.after, result.path.read_bytes()))
        result.lines.append(f"updated {shown}; previous version: {kept}")
    if result.after == result.before and result.status == 0:
        result.lines.append(f"{shown}: nothing to change")
    for line in result.lines:
        print(line)
    return result.status


def absorb(ws: Workspace, docx_path: Path, brief: str | None, accept: bool,
           keep_comments: bool) -> Result:
    """What absorbing ``docx_path`` would do to its brief (nothing written)."""
    from briefgen.builder import reference_docx
    from briefgen.note.composer import compose, note_stamp
    from briefgen.readers import read_text
    from briefgen.review import docxread
    from briefgen.review.briefedit import BriefText
    from briefgen.review.mapping import Mapper
    from briefgen.writers import docx as docx_writer

    edited = docxread.read(docx_path)
    stamp = _STAMP.fullmatch(edited.keywords.strip())
    if stamp is None:
        raise InputError("not a note briefgen built (its properties name no brief); absorb "
                         "reads a DOCX made by briefgen build and edited since", file=docx_path)
    name, digest = stamp[1], stamp[2]
    path = ws.brief_paths([brief or name])[0]
    if path.stem != name:
        raise InputError(f"this DOCX was built from the brief {name!r}, not from "
                         f"{shown_path(path)}", file=docx_path)
    note = compose(ws, path)
    if note_stamp(note).rpartition("#")[2] != digest:
        raise InputError(f"{shown_path(path)} (or a record or template it uses) has changed "
                         "since this DOCX was built, so the two notes cannot be compared "
                         "field by field; absorb the edits into the version that was sent, or "
                         "make them by hand", file=docx_path)
    lines = [_change(c) for c in edited.changes]
    lines += [_comment(c) for c in edited.comments]
    text = read_text(path)
    if edited.changes and not accept:
        lines.append(f"not absorbed: {len(edited.changes)} tracked change(s) still pending; "
                     "accept or reject them in Word, or run again with --accept-changes")
        return Result(path, text, text, lines, EXIT_PENDING)
    rebuilt = docxread.parse(docx_writer.write(note, reference_docx(ws)), path)
    data = note.brief.model_dump(by_alias=True)
    out = Mapper(data, note.lang, note.labels, rebuilt, edited).run()
    if out.unmapped:
        raise InputError("the DOCX no longer has the note's structure, nothing absorbed: "
                         + "; ".join(out.unmapped), file=docx_path)
    editor = BriefText(text, path.suffix.lower() == ".md", data)
    for loc, value in out.sets.items():
        editor.set(loc, value)
    for loc, items in out.lists.items():
        editor.set_list(loc, items)
    if keep_comments:
        editor.add_review([_kept(c) for c in edited.comments])
    lines += [f"changed: {field}" for field in out.done]
    lines += [f"note: {line}" for line in out.notes]
    lines += [f"not absorbed: {line}" for line in out.by_hand]
    after = editor.result()
    if after != text:
        _check(after, path)
    return Result(path, text, after, lines, EXIT_PENDING if out.by_hand else 0)


def _change(change: Change) -> str:
    return f"tracked change: {change.kind} by {change.author or 'unknown'}" \
           f"{' on ' + change.date[:10] if change.date else ''}: “{change.text}”"


def _comment(comment: Comment) -> str:
    return f"comment by {comment.author or 'unknown'}" \
           f"{' on ' + comment.date[:10] if comment.date else ''} on “{comment.anchor}”: " \
           f"{comment.text}"


def _kept(comment: Comment) -> str:
    return f"{comment.author or 'unknown'}, {comment.date[:10] or 'undated'}, on " \
           f"“{comment.anchor}”: {comment.text}"


def _check(text: str, path: Path) -> None:
    """The new brief must read back; if it does not, nothing is written."""
    from briefgen.readers import read_brief

    folder = Path(tempfile.mkdtemp(prefix=".absorb-", dir=path.parent))
    try:
        trial = folder / path.name
        trial.write_text(text, encoding="utf-8")
        read_brief(trial)
    except InputError as err:
        raise OutputError(f"absorbing would leave the brief unreadable ({err.message}); "
                          "nothing changed: make the edits by hand", file=path,
                          field=err.field) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def keep_previous(root: Path, path: Path) -> str:
    """Where the brief's previous version stays: in git when the file is tracked and
    unchanged there, else in BRIEF.bak (written first, atomically)."""
    relative = path.relative_to(root)
    git = shutil.which("git")
    if git:
        run = [git, "-C", str(root)]
        tracked = subprocess.run([*run, "ls-files", "--error-unmatch", "--", str(relative)],
                                 capture_output=True, check=False)
        clean = subprocess.run([*run, "status", "--porcelain", "--", str(relative)],
                               capture_output=True, text=True, check=False)
        if tracked.returncode == 0 and clean.returncode == 0 and not clean.stdout.strip():
            return f"git diff -- {relative} (or git show HEAD:{relative.as_posix()})"
    backup = path.with_name(path.name + ".bak")
    _write(backup, path.read_bytes())
    return shown_path(backup)


def _as_file(text: str, raw: bytes) -> bytes:
    """The new text with the file's own line ends and byte-order mark, as it had them."""
    if b"\r\n" in raw:
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + text.encode("utf-8")


def _write(target: Path, data: bytes) -> None:
    """Through a temp file beside the target: a reader sees the old file or the new one."""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise OutputError(f"cannot write the file: {err.strerror or err}", file=target) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as err:
        raise OutputError(f"cannot write the file: {err.strerror or err}", file=target) from None
    finally:
        Path(temp).unlink(missing_ok=True)
