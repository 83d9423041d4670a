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

from briefgen import arguments
from briefgen.errors import BriefgenError, BuildFailed, ChecksFailed, InputErrors
from briefgen.review import command as review

log = logging.getLogger("briefgen")


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
    parser = arguments.parser()
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
