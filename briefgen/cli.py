"""Command line: parse arguments, call the library, turn errors into messages.

Kept thin and light: heavy modules (python-docx, Markdown) load only when a
command needs them.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path

from briefgen import __version__
from briefgen.errors import BriefgenError, BuildFailed, ChecksFailed, InputErrors
from briefgen.review import command as review

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


def _init(args: argparse.Namespace) -> int:
    from briefgen.workspace import init

    created = init(args.dir)
    if not args.quiet:
        for path in created:
            print(f"created {path}")
        print(f"next: cd {args.dir} && briefgen build")
    return 0


def _build(args: argparse.Namespace) -> int:
    from briefgen.builder import parse_formats, run
    from briefgen.buildlog import and_up_to_date
    from briefgen.cpus import worker_count
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    paths = ws.brief_paths(args.briefs)
    jobs = worker_count(args.jobs, len(paths))
    redlines = review.for_build(ws, paths, args)   # made before the build writes anything
    started = time.perf_counter()
    with _progress(len(paths), args.quiet) as step:
        try:
            report = run(ws, args.briefs, parse_formats(args.format), args.out,
                         check=not args.no_check, jobs=jobs, progress=step,
                         keep_going=args.keep_going or args.jobs is not None,
                         incremental=True, force=args.force)
        except BuildFailed as err:
            review.write(redlines, err.failures)     # those of the notes that were written
            for path, error in err.failures:
                text = str(error)
                if not text.startswith(f"{_relative(path)}:"):    # else the error names the brief
                    text = f"{_relative(path)}: {text}"
                print(f"briefgen: failed: {text}", file=sys.stderr)
            built = len(paths) - len(err.failures) - err.up_to_date
            print(f"briefgen: {built:,} built{and_up_to_date(err.up_to_date)}, "
                  f"{len(err.failures):,} failed in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            return err.exit_code
    redlined = review.write(redlines)
    if not args.quiet:
        for path in report.written + redlined:
            print(f"wrote {_relative(path)}")
        if len(paths) > 1 or report.up_to_date or report.written != report.files:
            print(report.summary(time.perf_counter() - started))
    return 0


@contextlib.contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[], None] | None]:
    """A progress bar on a terminal for batches; nothing otherwise."""
    if quiet or total < 2 or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("building", total=total)
        yield lambda: bar.advance(task)


def _check(args: argparse.Namespace) -> int:
    from briefgen.note.check import ERROR, as_json, check_all, summary
    from briefgen.workspace import Workspace

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


def _templates(args: argparse.Namespace) -> int:
    from briefgen.note import templates
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    if args.action == "list":
        for info in templates.list_templates(ws):
            note = " (overrides the built-in)" if info.overrides else ""
            print(f"{info.name:<28} {info.origin}{note}")
    elif args.action == "show":
        print(templates.text(ws, args.name), end="")
    elif args.action == "eject":
        print(f"wrote {_relative(templates.eject(ws, args.name, args.force))}")
    elif args.action == "reference-docx":
        target = args.path if args.path is not None else ws.templates_dir / templates.REFERENCE
        print(f"wrote {_relative(templates.write_reference_docx(target, args.force))}")
    else:
        problems = templates.check_templates(ws)
        for problem in problems:
            print(f"{problem}", file=sys.stderr)
        if not args.quiet:
            print(f"{len(problems)} problem{'s' * (len(problems) != 1)} in templates")
        return 1 if problems else 0
    return 0


def _digest(args: argparse.Namespace) -> int:
    from briefgen.digest import weekly as digest
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    if args.action == "schedule":
        from briefgen.digest.schedule import schedule

        print(schedule(ws, args.kind or "cron", args.schedule_email, args.at), end="")
        return 0
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()] if args.format else None
    options = digest.Options(week=args.week, since=args.since, until=args.until,
                             catch_up=args.catch_up, max_classification=args.max_classification,
                             formats=formats, out=args.out, email=args.email,
                             send_empty=args.send_empty, skip_invalid=args.skip_invalid)
    results = digest.run(ws, options, report=None if args.quiet else _report_week)
    if not results and not args.quiet:
        print("nothing to do: every week is done")
    return 0


def _report_week(result) -> None:  # noqa: ANN001 - digest.WeekResult, imported lazily
    for path in result.written:
        print(f"wrote {_relative(path)}")
    if not result.written:
        print(f"{result.name}: unchanged ({len(result.files)} files)")
    if result.sent:
        print(f"{result.name}: sent")
    elif result.already_sent:
        print(f"{result.name}: already sent on {result.already_sent}; not sent again")
    elif result.empty_not_sent:
        print(f"{result.name}: no records; not sent (--send-empty sends it)")


def _preview(args: argparse.Namespace) -> int:
    from briefgen.web.preview import Preview
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    try:
        preview = Preview(ws, ws.brief_paths([args.brief])[0], args.port)
    except OSError as err:
        print(f"briefgen: error: cannot listen on 127.0.0.1:{args.port}: {err.strerror}",
              file=sys.stderr)
        return 2
    print(f"previewing {args.brief} at {preview.url} (Ctrl+C to stop)")
    try:
        preview.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _serve(args: argparse.Namespace) -> int:
    from briefgen.web.server import serve

    serve(args.workspace, args.host, args.port, args.auth, tuple(args.allow_host))
    return 0


def _sources(args: argparse.Namespace) -> int:
    from briefgen.library import search as library
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    if args.action in ("add", "import", "list"):      # search and show need no importer
        from briefgen.library import ingest
    if args.action in ("add", "import"):
        fields = {name: getattr(args, name, None) for name in ingest.FIELD_OPTIONS}
        if args.action == "import":
            options = ingest.Options(tags=args.tags, since=ingest.option_date(args.since, "--since"),
                                     fields=fields, format=args.format, timeout=args.timeout)
            report = ingest.import_sources(ws, args.sources, options, args.dry_run)
        else:
            from briefgen.library.add import add_command
            report = add_command(ws, fields, args.id, args.edit, args.dry_run)
        done, problems = report.lines(args.dry_run, counts=args.action == "import")
        for line in problems:
            print(line, file=sys.stderr)
        if not args.quiet:
            print("\n".join(done))
        return 1 if report.rejected else 0
    if args.action == "list":
        filters = library.Filters(tuple(args.tags), tuple(args.kinds),
                                  ingest.option_date(args.since, "--since"),
                                  ingest.option_date(args.until, "--until"), args.classification)
        import shutil

        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        print("\n".join(library.table(library.records(ws, filters), width)))
    elif args.action == "show":
        from briefgen.library.records import record_yaml
        record, path = library.find(ws, args.id)
        print(f"# {_relative(path)}\nid: {record.id}\n{record_yaml(record)}", end="")
    else:
        mark = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("**", "**")
        hits = library.search(ws, " ".join(args.query), args.limit, args.fts, mark)
        for hit in hits:
            print(f"{hit.id}  {hit.title}")
            if hit.passage:
                print(f"    {hit.passage}")
        return 0 if hits else 1
    return 0


def _export(args: argparse.Namespace) -> int:
    from briefgen.disclosure.export import WHAT, export
    from briefgen.workspace import Workspace

    result = export(Workspace(args.workspace), args.kind, args.month, args.out)
    if args.quiet:
        return 0
    if result.path is None:
        print(f"no {WHAT[args.kind]} for {args.month} ({result.period.first} to "
              f"{result.period.last}); nothing written: report \"nothing to report\" on the portal")
    else:
        print(f"wrote {_relative(result.path)} ({result.rows} row{'s' * (result.rows != 1)})")
    return 0


def _new(args: argparse.Namespace) -> int:
    from briefgen.briefs import commands
    from briefgen.errors import InputError
    from briefgen.workspace import Workspace

    ws = Workspace(args.workspace)
    if args.list:
        for name, about in commands.list_types(ws):
            print(f"{name:<16} {about}")
        return 0
    if args.type is None:
        raise InputError("name a note type: briefgen new TYPE [NAME] (briefgen new --list "
                         "shows them)")
    path = commands.new(ws, args.type, args.name, args.lang)
    if not args.quiet:
        print(f"wrote {_relative(path)}")
        print(f"next: fill in the header and the sections, then briefgen build {path.stem}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    from briefgen.briefs import commands
    from briefgen.workspace import Workspace

    source, target = commands.convert(Workspace(args.workspace), args.brief, args.to, args.force)
    if not args.quiet:
        print(f"wrote {_relative(target)} (replaces {_relative(source)})")
    return 0


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


COMMANDS = {"init": _init, "build": _build, "check": _check, "templates": _templates,
            "preview": _preview, "serve": _serve,
            "digest": _digest, "sources": _sources, "export": _export,
            "new": _new, "convert": _convert, "redline": review.run,
            "absorb": lambda args: import_module("briefgen.review.absorb").run(args)}


def main(argv: list[str] | None = None) -> int:
    # briefgen's models use no pydantic plugins; looking for some reads the metadata of
    # every installed package at each start, slower the more packages there are.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
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
        for problem in err.problems if isinstance(err, InputErrors) else []:
            print(f"briefgen: error: {problem}", file=sys.stderr)
        print(f"briefgen: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
