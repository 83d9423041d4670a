"""``briefgen redline`` and ``build --redline-against``: the command line of redlines.

Light on purpose (the CLI imports it at start-up): the diff loads when used.
"""
from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.review.redline import Redline
    from briefgen.workspace import Workspace

log = logging.getLogger("briefgen")


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser],
               build: argparse.ArgumentParser) -> None:
    """The ``redline`` command, and the ``--redline-against`` option of ``build``."""
    redline = commands.add_parser(
        "redline", parents=parents,
        help="the note with every change since an earlier version as Word tracked changes")
    redline.add_argument("brief", metavar="BRIEF", help="brief file or name")
    redline.add_argument("--against", required=True, metavar="REV|FILE",
                         help="the earlier version: a git revision of the brief (HEAD, HEAD~2, "
                              "a tag), another brief file, or an earlier DOCX")
    redline.add_argument("--author", metavar="NAME", help="who the changes are attributed to (default: "
                         "[review] author in briefgen.toml, else the note's author)")
    redline.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help="output folder (default: out/); writes BRIEF-redline.docx")
    build.add_argument("--redline-against", metavar="REV", default=None,
                       help="also write out/BRIEF-redline.docx: each note's changes since "
                            "git revision REV as tracked changes")


def run(args: argparse.Namespace) -> int:
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    path = ws.brief_paths([args.brief])[0]
    made = _make(ws, path, args.against, args.out, args.author)
    written = write([made])
    if not args.quiet:
        print(f"wrote {_shown(written[0])} ({_summary(made)} since {args.against})")
    return 0


def for_build(ws: Workspace, paths: Sequence[Path], args: argparse.Namespace) -> list[Redline]:
    """``build --redline-against REV``: every brief's redline, made before the build writes
    anything. In a batch, a brief that is new since REV has no earlier version: it is said,
    and skipped; with --keep-going (or -j) so is a brief whose redline cannot be made."""
    revision = getattr(args, "redline_against", None)
    if not revision:
        return []
    from briefgen.errors import BriefgenError
    from briefgen.review.redline import NotAtRevision

    going = args.keep_going or args.jobs is not None
    made = []
    for path in paths:
        try:
            made.append(_make(ws, path, revision, args.out, None))
        except NotAtRevision:
            if len(paths) == 1:
                raise
            log.warning("%s: no redline: new since %s", _shown(path), revision)
        except BriefgenError as err:
            if not going:
                raise
            log.warning("%s: no redline: %s", _shown(path), err)
    return made


def _make(ws: Workspace, path: Path, against: str, out: Path | None,
          author: str | None) -> Redline:
    from briefgen.review.redline import make

    return make(ws, path, against, ws.output_dir(out if out is not None else Path("out")), author)


def write(redlines: list[Redline], failures: Sequence[tuple[Path, object]] = ()) -> list[Path]:
    """The redlines, written atomically (all or none) under the output folder's lock;
    not those of the briefs in ``failures`` (a batch's briefs whose notes failed)."""
    failed = {path for path, _ in failures}
    redlines = [r for r in redlines if r.brief not in failed]
    if not redlines:
        return []
    from briefgen.builder import Output, output_lock, write_atomically

    with output_lock(redlines[0].path.parent):
        write_atomically([Output(r.path, r.data) for r in redlines])
    return [r.path for r in redlines]


def _summary(made: Redline) -> str:
    ins, dels = made.changes.insertions, made.changes.deletions
    if not ins and not dels:
        return "no changes"
    return f"{ins} insertion{'s' * (ins != 1)}, {dels} deletion{'s' * (dels != 1)}"


def _shown(path: Path) -> str:
    from briefgen.errors import shown_path

    return shown_path(path)
