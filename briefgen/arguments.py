"""The command line's arguments: every command, its options and their help.

Apart from cli.py so that the commands' handlers stay readable; light to import
(a command's own modules load only when it runs).
"""
from __future__ import annotations

import argparse
from importlib import import_module
from pathlib import Path

from briefgen import __version__
from briefgen.review import command as review


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the command (``briefgen -q build`` = ``briefgen build -q``)."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("-C", "--workspace", type=Path, metavar="DIR",
                        help="workspace folder (default: the current folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    return common


def parser() -> argparse.ArgumentParser:
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
    build.add_argument("--format", default="md,docx",
                       help="comma-separated: md, docx, html, pdf (LibreOffice), or all "
                            "(default: md,docx)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: out/)")
    build.add_argument("--no-check", action="store_true", help="skip the quality checks")
    build.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help="worker processes, at most one per CPU (default: one per CPU for "
                            "8 briefs or more); with -j a failing brief does not stop the others")
    build.add_argument("-k", "--keep-going", action="store_true",
                       help="write the briefs that succeed; list the ones that fail (exit 1)")
    build.add_argument("--force", action="store_true",
                       help="make every note, even those whose inputs have not changed")

    check = commands.add_parser("check", parents=[_common()],
                                help="check briefs: citations, quotes, figures, markings, style")
    check.add_argument("briefs", nargs="*", metavar="BRIEF",
                       help="brief files or names (default: every brief in briefs/)")
    check.add_argument("--json", action="store_true", help="machine-readable findings")
    check.add_argument("--strict", action="store_true", help="warnings count as problems too")
    _add_templates(commands)
    preview = commands.add_parser("preview", parents=[_common()],
                                  help="serve a brief as a web page that reloads as you edit")
    preview.add_argument("brief", metavar="BRIEF", help="brief file or name")
    preview.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    serve = commands.add_parser("serve", parents=[_common()],
                                help="the workspace in a browser: library, briefs, outputs")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; any other needs --auth)")
    serve.add_argument("--auth", action="store_true",
                       help="require the access token in $BRIEFGEN_SERVE_TOKEN to sign in")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="a host name a reverse proxy forwards (repeatable)")
    _add_digest(commands)
    _add_sources(commands)
    _add_export(commands)
    _add_briefs(commands)
    review.add_parser(commands, [_common()], build)
    import_module("briefgen.review.absorb").add_parser(commands, _common())
    return parser


def _add_export(commands: argparse._SubParsersAction) -> None:
    from briefgen.disclosure.schema import TABLES

    export = commands.add_parser("export", parents=[_common()],
                                 help="the lists to publish on the Open Government Portal")
    lists = export.add_subparsers(dest="action", metavar="LIST", required=True)
    disclosure = lists.add_parser("disclosure", parents=[_common()],
                                  help="briefing note titles or QP notes, as the portal's CSV")
    disclosure.add_argument("--kind", required=True, choices=list(TABLES),
                            help="briefing note titles (monthly) or QP notes (June, December)")
    disclosure.add_argument("--month", required=True, metavar="YYYY-MM",
                            help="the month (for qp-notes: 06 or 12, the end of the sittings)")
    disclosure.add_argument("--out", type=Path, default=None, metavar="FILE",
                            help="default: out/disclosure-KIND-YYYY-MM.csv")


def _add_briefs(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", parents=[_common()],
                              help="start a brief: briefs/NAME.md with every section of a type")
    new.add_argument("type", nargs="?", metavar="TYPE", help="the note type (see --list)")
    new.add_argument("name", nargs="?", metavar="NAME",
                     help="the file name, without .md (default: TYPE-YYYY-MM-DD)")
    new.add_argument("--lang", choices=("en", "fr"), help="the brief's language "
                     "(default: the workspace's)")
    new.add_argument("--list", action="store_true", help="list the note types")
    convert = commands.add_parser("convert", parents=[_common()],
                                  help="rewrite a brief as Markdown or as YAML")
    convert.add_argument("brief", metavar="BRIEF", help="brief file or name")
    convert.add_argument("--to", choices=("md", "yaml"), required=True)
    convert.add_argument("--force", action="store_true",
                         help="replace a file that already has the new name")


def _add_sources(commands: argparse._SubParsersAction) -> None:
    sources = commands.add_parser("sources", parents=[_common()],
                                  help="add, import, list, show and search source records")
    actions = sources.add_subparsers(dest="action", metavar="ACTION", required=True)
    fields = argparse.ArgumentParser(add_help=False)     # record fields: add, and import's defaults
    fields.add_argument("--kind", help="news, atip, memo, report, statement, statistic, web or other")
    for name in ("title", "publisher", "date", "url", "classification", "language"):
        fields.add_argument(f"--{name}")
    fields.add_argument("--author", action="append", default=[], help="(repeatable)")
    fields.add_argument("--tag", dest="tags", action="append", default=[], help="(repeatable)")
    fields.add_argument("--dry-run", action="store_true", help="say what would be added; write nothing")
    add = actions.add_parser("add", parents=[_common(), fields],
                             help="a new record from options, or written in $EDITOR (--edit)")
    for name in ("summary", "text", "atip-number", "accessed", "id"):
        add.add_argument(f"--{name}")
    add.add_argument("--pages", type=int)
    add.add_argument("--quote", dest="quotes", action="append", default=[], help="(repeatable)")
    add.add_argument("--fact", dest="key_facts", action="append", default=[], help="(repeatable)")
    add.add_argument("--edit", action="store_true", help="write the record in $EDITOR, prefilled")
    load = actions.add_parser("import", parents=[_common(), fields],
                              help="records from an RSS/Atom feed, a CSL-JSON file or articles")
    load.add_argument("sources", nargs="+", metavar="SOURCE",
                      help="a file, a folder of files, or an http(s) address")
    load.add_argument("--since", metavar="DATE", help="leave out entries published before DATE")
    load.add_argument("--as", dest="format", choices=("feed", "csl", "article"),
                      help="the kind of source (default: from its type, name and content)")
    load.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for an address")
    listing = actions.add_parser("list", parents=[_common()], help="the records, newest first")
    listing.add_argument("--tag", dest="tags", action="append", default=[], help="(repeatable)")
    listing.add_argument("--kind", dest="kinds", action="append", default=[], help="(repeatable)")
    listing.add_argument("--since", metavar="DATE", help="published (else added) on or after DATE")
    listing.add_argument("--until", metavar="DATE", help="published (else added) on or before DATE")
    listing.add_argument("--classification", metavar="LEVEL")
    show = actions.add_parser("show", parents=[_common()], help="print one record")
    show.add_argument("id")
    search = actions.add_parser("search", parents=[_common()],
                                help="full-text search of titles, summaries, text and quotes")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=20, metavar="N",
                        help="print the N best records at most (default 20)")
    search.add_argument("--fts", action="store_true", help='FTS5 query syntax: "a phrase", OR, prefix*')


def _add_digest(commands: argparse._SubParsersAction) -> None:
    digest = commands.add_parser("digest", parents=[_common()],
                                 help="the weekly digest of the records added to the library")
    digest.add_argument("--week", metavar="YYYY-Www", help="an ISO week, e.g. 2024-W50 "
                        "(default: the last complete week)")
    digest.add_argument("--since", metavar="DATE", help="first day (YYYY-MM-DD), instead of --week")
    digest.add_argument("--until", metavar="DATE", help="last day (default: yesterday)")
    digest.add_argument("--catch-up", action="store_true",
                        help="every week missed since the last successful run")
    digest.add_argument("--max-classification", metavar="LEVEL",
                        help="leave out records above this level (their count is shown)")
    digest.add_argument("--email", action="store_true", help="send it as set in [smtp]")
    digest.add_argument("--send-empty", action="store_true",
                        help="with --email, send a week with no records too (default: not sent)")
    digest.add_argument("--format", default=None,
                        help="comma-separated (default: [digest] formats, else md,docx,html)")
    digest.add_argument("--out", type=Path, default=None, help="output folder (default: out/digests)")
    digest.add_argument("--skip-invalid", action="store_true",
                        help="make the digest without invalid records, and list them")
    actions = digest.add_subparsers(dest="action", metavar="ACTION")
    schedule = actions.add_parser("schedule", parents=[_common()],
                                  help="print a crontab line or systemd units for this workspace")
    kind = schedule.add_mutually_exclusive_group()
    kind.add_argument("--cron", dest="kind", action="store_const", const="cron", help="(default)")
    kind.add_argument("--systemd", dest="kind", action="store_const", const="systemd")
    mail = schedule.add_mutually_exclusive_group()
    mail.add_argument("--email", dest="schedule_email", action="store_const", const=True,
                      help="send by e-mail (default: when [smtp] has a host)")
    mail.add_argument("--no-email", dest="schedule_email", action="store_const", const=False)
    schedule.add_argument("--at", default="07:00", metavar="HH:MM", help="time on Mondays")


def _add_templates(commands: argparse._SubParsersAction) -> None:
    templates = commands.add_parser("templates", parents=[_common()],
                                    help="list, show, eject and check templates")
    actions = templates.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[_common()], help="every template and where it comes from")
    show = actions.add_parser("show", parents=[_common()], help="print a template")
    show.add_argument("name")
    eject = actions.add_parser("eject", parents=[_common()],
                               help="copy a built-in template into templates/ to edit it")
    eject.add_argument("name")
    eject.add_argument("--force", action="store_true", help="replace an existing copy")
    actions.add_parser("check", parents=[_common()],
                       help="compile every template and render every brief")
    reference = actions.add_parser("reference-docx", parents=[_common()],
                                   help="write the built-in reference.docx to restyle")
    reference.add_argument("path", nargs="?", type=Path, default=None,
                           help="where (default: templates/reference.docx)")
    reference.add_argument("--force", action="store_true", help="replace an existing file")
