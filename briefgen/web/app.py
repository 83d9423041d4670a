"""The ``briefgen serve`` application: Starlette routes over one workspace.

The web layer stays thin: every page calls the same library functions the
CLI does and shows their results or their one-line errors. Pages are Jinja
templates under ``web/templates`` rendered with autoescaping in their own
environment (the note templates' sandbox is a different one, untouched).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from briefgen.errors import BriefgenError
from briefgen.web import admin, briefs, i18n, library, outputs
from briefgen.web.pages import HERE, Site, page, page_templates, problem, site
from briefgen.web.security import COOKIE, Guard, SecurityMiddleware, cookie, session_of
from briefgen.workspace import Workspace

log = logging.getLogger("briefgen")
FAILED_SIGN_IN_DELAY = 1.0          # seconds


async def home(request: Request) -> Response:
    return RedirectResponse("/briefs", status_code=303)


async def login(request: Request) -> Response:
    guard = site(request).guard
    if request.method == "GET":
        return page(request, "login.html", failed=False)
    async with request.form() as form:
        sid = guard.sign_in(str(form.get("token", "")))
    if sid is None:
        await asyncio.sleep(FAILED_SIGN_IN_DELAY)    # slows guessing; other requests go on
        return page(request, "login.html", status=403, failed=True)
    response = RedirectResponse("/briefs", status_code=303)
    response.headers["set-cookie"] = cookie(sid, request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    site(request).guard.signed_in.discard(session_of(request.scope))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


async def set_lang(request: Request) -> Response:
    async with request.form() as form:
        lang = str(form.get("lang", "en"))
        back = str(form.get("back", "/"))
    response = RedirectResponse(back if back.startswith("/") and not back.startswith("//")
                                else "/", status_code=303)
    response.set_cookie("lang", lang if lang in i18n.LANGS else "en", max_age=31536000,
                        path="/", httponly=True, samesite="strict")
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    key = "not_found" if status == 404 else "refused"
    return page(request, "error.html", status=status, heading=key)


async def _server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: logged on the server, a plain apology in the browser."""
    if isinstance(exc, BriefgenError):
        return problem(request, exc)
    log.error("error: %s %s failed; the traceback follows", request.method, request.url.path,
              exc_info=exc)
    return page(request, "error.html", status=500, heading="problem", detail="internal")


def create_app(root: Path, guard: Guard) -> SecurityMiddleware:
    """The whole application, wrapped in the security checks."""
    routes = [Route("/", home), Route("/login", login, methods=["GET", "POST"]),
              Route("/logout", logout, methods=["POST"]), Route("/lang", set_lang, methods=["POST"]),
              *briefs.ROUTES, *library.ROUTES, *outputs.ROUTES, *admin.ROUTES,
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    Workspace(root)                     # a broken briefgen.toml stops the start, not a page
    shared = Site(root.resolve(), guard, page_templates())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        shared.snapshot.start()
        yield
        shared.snapshot.stop.set()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        HTTPException: _http_error, BriefgenError: _server_error, Exception: _server_error})
    app.state.site = shared
    return SecurityMiddleware(app, guard)
