"""Pages: library search, a record, the `[@` citation picker, add a record, import."""
from __future__ import annotations

import datetime as dt
import tempfile
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from briefgen.errors import BriefgenError, InputError
from briefgen.library import add as adding
from briefgen.library import ingest
from briefgen.library import search as library
from briefgen.models import SourceRecord
from briefgen.readers import validate
from briefgen.web import drafts
from briefgen.web.drafts import normalised
from briefgen.web.pages import page, site
from briefgen.workspace import Workspace

MARK = ("\ue000", "\ue001")          # private-use characters: never in record text
KINDS = ("news", "atip", "memo", "report", "statement", "statistic", "web", "other")
LIMIT = 50


def marked(text: str) -> Markup:
    """A passage with its matched words in ``<mark>``: escaped first, then marked."""
    return Markup(escape(text).replace(MARK[0], "<mark>").replace(MARK[1], "</mark>"))


def _date(value: str, name: str) -> dt.date | None:
    return ingest.option_date(value or None, name)


def _filters(query: dict[str, str]) -> library.Filters:
    return library.Filters(tuple(t for t in [query.get("tag", "").strip()] if t),
                           tuple(k for k in [query.get("kind", "")] if k in KINDS),
                           _date(query.get("since", ""), "from"),
                           _date(query.get("until", ""), "to"),
                           query.get("classification") or None)


def find(ws: Workspace, query: dict[str, str], fresh_index: bool = False) -> list[dict[str, Any]]:
    """Records matching the words (FTS: "phrases", OR, prefix*) and the filters, best first."""
    words, filters = query.get("q", "").strip(), _filters(query)
    filtered = filters != library.Filters()
    if not words:
        return [{"id": r.id, "title": Markup(escape(r.title)), "passage": ""}
                for r, _ in library.records(ws, filters)[:LIMIT]]
    syntax = any(c in words for c in '"*') or " OR " in words
    hits = library.search(ws, words, LIMIT * (4 if filtered else 1), syntax, MARK,
                          refresh=not fresh_index)
    allowed = library.matching(ws, [h.id for h in hits], filters, refresh=False) \
        if filtered else None
    return [{"id": h.id, "title": marked(h.title), "passage": marked(h.passage)}
            for h in hits if allowed is None or h.id in allowed][:LIMIT]


async def search_page(request: Request) -> Response:
    ws = site(request).workspace()
    query = dict(request.query_params)
    searched = any(query.get(k) for k in ("q", "tag", "kind", "since", "until", "classification"))
    try:
        current = site(request).snapshot.index_current()
        hits = await run_in_threadpool(find, ws, query, current) if searched else []
    except BriefgenError as err:
        return page(request, "library.html", status=400, query=query, hits=[], kinds=KINDS,
                    levels=ws.scale.levels, searched=searched, error=str(err))
    return page(request, "library.html", query=query, hits=hits, kinds=KINDS,
                levels=ws.scale.levels, searched=searched, error="")


async def suggest(request: Request) -> Response:
    """The `[@` picker's list: a button per record, its key in ``data-key``."""
    ws = site(request).workspace()
    words = request.query_params.get("q", "").strip()
    if not words:
        return page(request, "suggest.html", hits=[], words="")
    try:
        hits = await run_in_threadpool(find, ws, {"q": words},
                                       site(request).snapshot.index_current())
    except BriefgenError:
        hits = []
    return page(request, "suggest.html", hits=hits[:10], words=words)


async def record_page(request: Request) -> Response:
    ws = site(request).workspace()
    record, path = library.find(ws, request.path_params["record_id"])
    return page(request, "record.html", record=record, file=path.relative_to(ws.root).as_posix(),
                briefs=drafts.brief_ids(ws))


# Add a record -----------------------------------------------------------------------

FORM_FIELDS = ("kind", "title", "publisher", "author", "date", "url", "classification",
               "language", "tags", "summary", "key_facts", "quotes", "text", "pages")
LINES = ("author", "key_facts", "quotes")


def record_fields(form: FormData) -> dict[str, Any]:
    """The form as the fields ``sources add`` takes: lists one item a line, tags by commas."""
    fields: dict[str, Any] = {}
    for name in FORM_FIELDS:
        value = normalised(str(form.get(name, ""))).strip()
        if not value:
            continue
        if name in LINES:
            items = [line.strip() for line in value.split("\n") if line.strip()]
            fields[name] = [{"text": q} for q in items] if name == "quotes" else items
        elif name == "tags":
            fields[name] = [t.strip() for t in value.split(",") if t.strip()]
        else:
            fields[name] = value
    return fields


def field_errors(ws: Workspace, fields: dict[str, Any]) -> dict[str, str]:
    """What the record model says of the form, field by field (as the CLI would word it)."""
    errors = {name: "required" for name in ("kind", "title") if not fields.get(name)}
    if errors:
        return errors
    try:
        validate(SourceRecord, {"id": "new-record", **fields}, Path("form"), {})
    except InputError as err:
        return {(err.field or "title").split(".")[0]: err.message}
    return {}


async def add_page(request: Request) -> Response:
    ws = site(request).workspace()
    if request.method == "GET":
        return page(request, "add.html", values={}, errors={}, kinds=KINDS,
                    levels=ws.scale.levels)
    async with request.form() as form:
        fields = record_fields(form)
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    errors = field_errors(ws, fields)
    if not errors:
        try:
            added = adding.add(ws, fields)
            site(request).snapshot.changed()
            return RedirectResponse(f"/library/records/{added.record.id}", status_code=303)
        except InputError as err:
            errors = {(err.field or "title").split(".")[0]: err.message}
    return page(request, "add.html", status=422, values=values, errors=errors, kinds=KINDS,
                levels=ws.scale.levels)


# Import ---------------------------------------------------------------------------

MAX_UPLOAD = 10 * 1024 * 1024


async def _upload(item: UploadFile, folder: Path) -> str:
    """An uploaded file saved under a safe name of its own (the client's name is not used
    as a path), to be read by the importer like any file."""
    suffix = Path(item.filename or "").suffix.lower()
    suffix = suffix if suffix in (".json", ".html", ".htm", ".md", ".txt", ".xml") else ".txt"
    data = await item.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(f"larger than {MAX_UPLOAD // 1048576} MB",
                         file=Path(item.filename or "upload").name)
    target = folder / f"upload{suffix}"
    target.write_bytes(data)
    return str(target)


async def import_page(request: Request) -> Response:
    if request.method == "GET":
        return page(request, "import.html", done=None, problems=None)
    ws = site(request).workspace()
    with tempfile.TemporaryDirectory(prefix="briefgen-upload-") as folder:
        async with request.form(max_files=1) as form:
            kind, url, item = str(form.get("as", "")), str(form.get("url", "")).strip(), \
                form.get("file")
            sources = [url] if url else []
            names = {}
            if isinstance(item, UploadFile) and item.filename:
                sources.append(await _upload(item, Path(folder)))
                names[sources[-1]] = Path(item.filename).name
        if not sources:
            raise InputError("give a feed address or choose a file to import")
        names[f"{ws.root}/"] = ""
        options = ingest.Options(format=kind if kind in ("feed", "csl", "article") else None)
        try:
            report = await run_in_threadpool(ingest.import_sources, ws, sources, options)
            site(request).snapshot.changed()
        except BriefgenError as err:
            return page(request, "import.html", status=400, done=[],
                        problems=_named([f"briefgen: error: {err}"], names))
    done, problems = (_named(lines, names) for lines in report.lines(counts=True))
    return page(request, "import.html", done=done, problems=problems)


def _named(lines: list[str], names: dict[str, str]) -> list[str]:
    """Report lines naming the uploaded file as the author knows it, not its temporary copy,
    and files by their place in the workspace."""
    for temp, name in names.items():
        lines = [line.replace(temp, name) for line in lines]
    return lines


ROUTES = [
    Route("/library", search_page),
    Route("/library/suggest", suggest),
    Route("/library/records/{record_id}", record_page),
    Route("/library/add", add_page, methods=["GET", "POST"]),
    Route("/library/import", import_page, methods=["GET", "POST"]),
]

