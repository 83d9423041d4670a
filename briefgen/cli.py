"""Command line: parse arguments, call the library, turn errors into messages.

Kept thin and light: heavy modules (python-docx, Markdown) load only when a
command needs them.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import BriefgenError, ChecksFailed

log = logging.getLogger("briefgen")


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the command (``briefgen -q build`` = ``briefgen build -q``)."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("-C", "--workspace", type=Path, metavar="DIR",
                        help="workspace folder (default: the current folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen", description="Cited ministerial briefing notes from source records.",
        parents=[_common()])
    parser.set_defaults(workspace=Path("."), quiet=False, debug=False)
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", parents=[_common()], help="create a new workspace with examples")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), help="where (default: here)")

    build = commands.add_parser("build", parents=[_common()], help="build briefing notes from briefs/")
    build.add_argument("briefs", nargs="*", metavar="BRIEF",
                       help="brief files or names (default: every brief in briefs/)")
    build.add_argument("--format", default="md,docx", help="comma-separated: md,docx (default both)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: out/)")
    build.add_argument("--no-check", action="store_true", help="skip the quality checks")

    check = commands.add_parser("check", parents=[_common()],
                                help="check briefs: citations, quotes, figures, markings, style")
    check.add_argument("briefs", nargs="*", metavar="BRIEF",
                       help="brief files or names (default: every brief in briefs/)")
    check.add_argument("--json", action="store_true", help="machine-readable findings")
    check.add_argument("--strict", action="store_true", help="warnings count as problems too")
    return parser


def _init(args: argparse.Namespace) -> int:
    from .workspace import init

    created = init(args.dir)
    if not args.quiet:
        for path in created:
            print(f"created {path}")
        print(f"next: cd {args.dir} && briefgen build")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .builder import build, parse_formats
    from .workspace import Workspace

    ws = Workspace(args.workspace)
    written = build(ws, args.briefs, parse_formats(args.format), args.out, check=not args.no_check)
    if not args.quiet:
        for path in written:
            print(f"wrote {_relative(path)}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .check import ERROR, as_json, check_all, summary
    from .workspace import Workspace

    ws = Workspace(args.workspace)
    paths = ws.brief_paths(args.briefs)
    findings = check_all(ws, paths)
    if args.json:
        print(as_json(findings))
    else:
        for finding in findings:
            print(finding)
        if not args.quiet:
            print(summary(findings, len(paths)))
    failing = [f for f in findings if args.strict or f.severity == ERROR]
    return 1 if failing else 0


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


COMMANDS = {"init": _init, "build": _build, "check": _check}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(message)s",
                        level=logging.ERROR if args.quiet else logging.WARNING)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except ChecksFailed as err:
        for finding in err.findings:
            print(finding, file=sys.stderr)
        print(f"briefgen: build stopped: {err}", file=sys.stderr)
        return err.exit_code
    except BriefgenError as err:
        if args.debug:
            raise
        print(f"briefgen: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
