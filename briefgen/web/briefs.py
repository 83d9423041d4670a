"""Pages: the briefs list, "new brief", and the editor (preview, findings, save)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from briefgen.errors import BriefgenError
from briefgen.web import drafts
from briefgen.web.pages import page, problem, site
from briefgen.workspace import Workspace


@dataclass
class Row:
    """One line of the briefs list."""

    id: str
    subject: str = ""
    type: str = ""
    date: str = ""
    lang: str = ""
    marking: str = ""
    errors: int = 0
    warnings: int = 0
    problem: str = ""


def _row(ws: Workspace, path: Path) -> Row:
    from briefgen.readers import read_brief

    row = Row(path.stem)
    try:
        brief, _ = read_brief(path)
    except BriefgenError as err:
        row.problem = str(err)
        return row
    lang = brief.lang or ws.settings.language
    row.subject, row.type, row.date, row.lang = brief.subject, brief.type, str(brief.date), lang
    result = drafts.render(ws, path, path.read_text(encoding="utf-8"))
    row.errors, row.warnings = result.errors, result.warnings
    try:
        level = ws.scale.normalise(brief.classification) if brief.classification \
            else ws.default_level
        row.marking = ws.scale.marking(level, lang)
    except ValueError as err:
        row.problem = str(err)
    return row


async def listing(request: Request) -> Response:
    from briefgen.briefs.commands import list_types

    ws = site(request).workspace()
    rows = await run_in_threadpool(lambda: [_row(ws, p) for p in drafts.brief_paths(ws)])
    return page(request, "briefs.html", rows=rows, types=list_types(ws),
                default_lang=ws.settings.language)


async def new(request: Request) -> Response:
    from briefgen.briefs.commands import new as new_brief

    async with request.form() as form:
        note_type, lang = str(form.get("type", "")), str(form.get("lang", "")) or None
        name = str(form.get("name", "")).strip() or None
    try:
        path = new_brief(site(request).workspace(), note_type, name, lang)
    except BriefgenError as err:
        return problem(request, err)
    return RedirectResponse(f"/briefs/{path.stem}", status_code=303)


async def _editor(request: Request, ws: Workspace, path: Path, text: str, opened: str,
                  status: int = 200, conflict: str | None = None, **extra: object) -> HTMLResponse:
    """The editor page; with ``conflict``, the disk's version shown beside the author's."""
    result = await run_in_threadpool(drafts.render, ws, path, text)
    shown = path.relative_to(ws.root).as_posix()
    return page(request, "editor.html", status=status, brief_id=path.stem, file=shown,
                text=drafts.normalised(text), opened=opened, result=result, conflict=conflict,
                **extra)


async def editor(request: Request) -> Response:
    ws = site(request).workspace()
    path = drafts.brief_file(ws, request.path_params["brief_id"])
    data = path.read_bytes()
    return await _editor(request, ws, path, data.decode("utf-8", "replace"),
                         drafts.fingerprint(data), saved=request.query_params.get("saved") == "1",
                         quote=_quote(ws, request))


def _quote(ws: Workspace, request: Request) -> str:
    """The quote a record's page asked to insert (``?record=ID&quote=N``), cited."""
    from briefgen.library.search import find
    key, number = request.query_params.get("record"), request.query_params.get("quote", "")
    if not key or not number.isdigit():
        return ""
    record, _ = find(ws, key)
    if int(number) >= len(record.quotes):
        return ""
    return drafts.quote_snippet(record, int(number))


async def preview(request: Request) -> Response:
    """The htmx refresh as the author pauses: the preview, and the findings out of band."""
    ws = site(request).workspace()
    path = drafts.brief_file(ws, request.path_params["brief_id"])
    async with request.form() as form:
        text = str(form.get("text", ""))
    result = await run_in_threadpool(drafts.render, ws, path, text)
    return page(request, "preview.html", result=result, oob=True)


async def save(request: Request) -> Response:
    ws = site(request).workspace()
    path = drafts.brief_file(ws, request.path_params["brief_id"])
    async with request.form() as form:
        text, opened = str(form.get("text", "")), str(form.get("opened", ""))
    try:
        drafts.save(path, text, opened)
    except drafts.Conflict as conflict:
        return await _editor(request, ws, path, text, conflict.disk_hash, status=409,
                             conflict=conflict.disk)
    return RedirectResponse(f"/briefs/{path.stem}?saved=1", status_code=303)


async def open_with_quote(request: Request) -> Response:
    """From a record's page: the chosen brief's editor, with the quote ready to insert."""
    ws = site(request).workspace()
    path = drafts.brief_file(ws, request.query_params.get("brief", ""))
    query = urlencode({k: request.query_params.get(k, "") for k in ("record", "quote")})
    return RedirectResponse(f"/briefs/{path.stem}?{query}", status_code=303)


ROUTES = [
    Route("/briefs", listing),
    Route("/briefs/new", new, methods=["POST"]),
    Route("/briefs/open", open_with_quote),
    Route("/briefs/{brief_id}", editor),
    Route("/briefs/{brief_id}/preview", preview, methods=["POST"]),
    Route("/briefs/{brief_id}/save", save, methods=["POST"]),
]
