"""Pages: templates (list, eject, edit with a preview on a brief, check, reference.docx)
and the weekly digest (shown as it would be sent; "send now" where SMTP is set)."""
from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from briefgen.builder import Output, write_atomically
from briefgen.errors import BriefgenError, InputError
from briefgen.note import templates
from briefgen.web import drafts
from briefgen.web.pages import page, site
from briefgen.workspace import Workspace

MAX_DOCX = 10 * 1024 * 1024


class TrialWorkspace(Workspace):
    """The workspace with another templates folder: an edited template tried on a brief
    before it is saved."""

    def __init__(self, root: Path, templates_dir: Path) -> None:
        self._trial = templates_dir
        super().__init__(root)

    @property
    def templates_dir(self) -> Path:
        return self._trial


def _own(ws: Workspace, name: str) -> Path:
    """A workspace template to edit: a text template in templates/, found by name."""
    info = templates.find(ws, name)
    if info.origin != "workspace" or info.name == templates.REFERENCE:
        raise InputError(f"{info.name!r} is not a text template in templates/; copy it there "
                         "first")
    return info.path


async def listing(request: Request) -> Response:
    ws = site(request).workspace()
    return page(request, "templates.html", items=templates.list_templates(ws), problems=None)


async def eject(request: Request) -> Response:
    ws = site(request).workspace()
    async with request.form() as form:
        name = str(form.get("name", ""))
    target = templates.eject(ws, name)
    site(request).snapshot.changed()
    return RedirectResponse(f"/templates/edit/{target.name}", status_code=303)


async def check(request: Request) -> Response:
    ws = site(request).workspace()
    problems = [str(p) for p in await run_in_threadpool(templates.check_templates, ws)]
    return page(request, "templates.html", items=templates.list_templates(ws), problems=problems)


def _trial(ws: Workspace, name: str, text: str, brief_id: str) -> drafts.Result:
    """The brief rendered with ``text`` in place of the template ``name``."""
    brief = drafts.brief_file(ws, brief_id)
    with tempfile.TemporaryDirectory(prefix="briefgen-templates-") as folder:
        trial = Path(folder) / "templates"
        if ws.templates_dir.is_dir():
            shutil.copytree(ws.templates_dir, trial)
        trial.mkdir(exist_ok=True)
        (trial / name).write_text(drafts.normalised(text), encoding="utf-8")
        return drafts.render(TrialWorkspace(ws.root, trial), brief, brief.read_text("utf-8"))


async def edit(request: Request) -> Response:
    ws = site(request).workspace()
    path = _own(ws, request.path_params["name"])
    briefs = drafts.brief_ids(ws)
    if request.method == "GET":
        data = path.read_bytes()
        text, opened, chosen = data.decode("utf-8", "replace"), drafts.fingerprint(data), \
            request.query_params.get("brief") or (briefs[0] if briefs else "")
        conflict = None
    else:
        async with request.form() as form:
            text, opened = str(form.get("text", "")), str(form.get("opened", ""))
            chosen, saving = str(form.get("brief", "")), form.get("save") is not None
        conflict = None
        if saving:
            try:
                opened = drafts.save(path, text, opened)
                site(request).snapshot.changed()
            except drafts.Conflict as clash:
                conflict, opened = clash.disk, clash.disk_hash
    result = await run_in_threadpool(_trial, ws, path.name, text, chosen) if chosen \
        else drafts.Result()
    return page(request, "template_edit.html", status=409 if conflict else 200, template=path.name,
                text=drafts.normalised(text), opened=opened, briefs=briefs, chosen=chosen,
                result=result, conflict=conflict)


def check_docx(data: bytes) -> None:
    """Refuse what is not a Word document (it is opened as a zip, never run)."""
    where = Path("templates") / templates.REFERENCE
    if len(data) > MAX_DOCX:
        raise InputError(f"larger than {MAX_DOCX // 1048576} MB", file=where)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InputError("not a Word document (a .docx is a zip file)", file=where) from None
    if not {"word/document.xml", "word/styles.xml"} <= names:
        raise InputError("not a Word document: it has no word/document.xml and "
                         "word/styles.xml", file=where)


async def reference(request: Request) -> Response:
    ws = site(request).workspace()
    async with request.form(max_files=1) as form:
        item = form.get("file")
        data = await item.read(MAX_DOCX + 1) if isinstance(item, UploadFile) else b""
    check_docx(data)
    write_atomically([Output(ws.templates_dir / templates.REFERENCE, data)])
    site(request).snapshot.changed()
    return RedirectResponse("/templates", status_code=303)


# Digest ------------------------------------------------------------------------------

def digest_html(ws: Workspace, week: str | None) -> tuple[str, str]:
    """The chosen week's digest (default: the last complete week) as HTML, and its name."""
    from briefgen.digest import weekly
    from briefgen.library.index import open_index
    from briefgen.writers import html as html_writer

    settings = ws.settings.digest
    period = weekly.choose_period(weekly.today_in(settings.timezone), week or None)
    ceiling = ws.scale.normalise(settings.max_classification) \
        if settings.max_classification else None
    with open_index(ws.root, ws.sources_dir) as index:
        selection = weekly.select(ws, index, period, ceiling)
    return html_writer.write(weekly.compose(ws, selection)).decode("utf-8"), period.name


async def digest(request: Request) -> Response:
    ws = site(request).workspace()
    week = request.query_params.get("week", "").strip()
    try:
        html, name = await run_in_threadpool(digest_html, ws, week)
    except BriefgenError as err:
        html, name, error = "", week, str(err)
    else:
        error = ""
    return page(request, "digest.html", status=400 if error else 200, html=html, week=name,
                error=error, smtp=bool(ws.settings.smtp.host), sent=False)


async def send(request: Request) -> Response:
    """"Send now": the CLI's ``digest --week W --email``, which never sends a week twice."""
    from briefgen.digest import weekly

    ws = site(request).workspace()
    async with request.form() as form:
        week = str(form.get("week", ""))
    if not ws.settings.smtp.host:
        raise InputError("sending needs [smtp] host in briefgen.toml")
    results = weekly.run(ws, weekly.Options(week=week, email=True))
    html, name = digest_html(ws, week)
    return page(request, "digest.html", html=html, week=name, error="", smtp=True,
                sent=bool(results and (results[0].sent or results[0].already_sent)))


ROUTES = [
    Route("/templates", listing),
    Route("/templates/eject", eject, methods=["POST"]),
    Route("/templates/check", check, methods=["POST"]),
    Route("/templates/reference", reference, methods=["POST"]),
    Route("/templates/edit/{name}", edit, methods=["GET", "POST"]),
    Route("/digest", digest),
    Route("/digest/send", send, methods=["POST"]),
]
