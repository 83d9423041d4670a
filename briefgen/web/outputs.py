"""Pages: build and download one brief in a format; build every brief with progress.

Builds go through ``builder.build``, as ``briefgen build`` does: the files land
in out/ atomically and the page shows the errors in the words the CLI prints.
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from briefgen.errors import BriefgenError, BuildFailed, ChecksFailed, OutputError
from briefgen.web import drafts
from briefgen.web.pages import page, site
from briefgen.workspace import Workspace

KEEP_JOBS = 20
MEDIA = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
         "pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def cli_lines(err: BriefgenError, root: Path) -> list[str]:
    """An error as ``briefgen build`` prints it on stderr."""
    if isinstance(err, ChecksFailed):
        return [str(f) for f in err.findings] + [f"briefgen: build stopped: {err}"]
    if isinstance(err, BuildFailed):
        return [f"briefgen: failed: {_relative(path, root)}: {error}"
                for path, error in err.failures] + [f"briefgen: {err}"]
    return [f"briefgen: error: {err}"]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def pdf_missing() -> str:
    """Why PDF cannot be built here, or "" when LibreOffice is installed."""
    from briefgen.writers import pdf

    try:
        pdf.find_soffice()
    except OutputError as err:
        return str(err)
    return ""


def _page(request: Request, ws: Workspace, status: int = 200, **extra: object) -> Response:
    return page(request, "outputs.html", status=status, briefs=drafts.brief_ids(ws),
                no_pdf=pdf_missing(), formats=tuple(MEDIA), **extra)


async def listing(request: Request) -> Response:
    return _page(request, site(request).workspace())


async def build_one(request: Request) -> Response:
    """Build one brief in one format into out/, and send the file as a download."""
    from briefgen.builder import build

    ws = site(request).workspace()
    path = drafts.brief_file(ws, request.path_params["brief_id"])
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        return _page(request, ws, status=404, lines=[f"briefgen: error: unknown format {fmt!r}"])
    try:
        written = await run_in_threadpool(build, ws, [str(path)], [fmt])
    except BriefgenError as err:
        return _page(request, ws, status=422, lines=cli_lines(err, ws.root), failed=path.stem)
    target = written[0]
    return Response(target.read_bytes(), media_type=MEDIA[fmt], headers={
        "content-disposition": f'attachment; filename="{target.name}"'})


@dataclass
class Job:
    """A "build every brief" run: how far it is and what it printed."""

    total: int
    done: int = 0
    lines: list[str] = field(default_factory=list)
    finished: bool = False

    def step(self) -> None:
        self.done += 1


def _run(ws: Workspace, job: Job, formats: list[str]) -> None:
    from briefgen.builder import build

    try:
        written = build(ws, None, formats, progress=job.step, keep_going=True)
        job.lines = [f"wrote {_relative(p, ws.root)}" for p in written]
    except BriefgenError as err:
        job.lines = cli_lines(err, ws.root)
    except Exception:  # noqa: BLE001 - the server log has it; the page says it failed
        job.lines = ["briefgen: error: the build stopped unexpectedly; the server log says why"]
    job.done, job.finished = job.total, True


async def build_all(request: Request) -> Response:
    from briefgen.builder import parse_formats

    ws = site(request).workspace()
    async with request.form() as form:
        chosen = ",".join(str(v) for v in form.getlist("format")) or "md,docx"
    try:
        formats = parse_formats(chosen)
        total = len(ws.brief_paths([]))
    except BriefgenError as err:
        return _page(request, ws, status=422, lines=cli_lines(err, ws.root))
    key = secrets.token_urlsafe(12)
    jobs = site(request).jobs
    for old in list(jobs)[:-KEEP_JOBS]:          # finished runs are kept for a while only
        if jobs[old].finished:
            del jobs[old]
    job = jobs[key] = Job(total)
    threading.Thread(target=_run, args=(ws, job, formats), daemon=True).start()
    return RedirectResponse(f"/outputs/jobs/{key}", status_code=303)


async def job_page(request: Request) -> Response:
    job = site(request).jobs.get(request.path_params["job_id"])
    if job is None:
        return page(request, "error.html", status=404, heading="not_found")
    name = "job.html" if request.headers.get("hx-request") else "job_page.html"
    return page(request, name, job=job, key=request.path_params["job_id"])


ROUTES = [
    Route("/outputs", listing),
    Route("/outputs/all", build_all, methods=["POST"]),
    Route("/outputs/jobs/{job_id}", job_page),
    Route("/outputs/{brief_id}/{fmt}", build_one, methods=["POST"]),
]
