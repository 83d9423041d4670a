"""What every page shares: the site's state, the interface language, page rendering."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from briefgen.errors import BriefgenError
from briefgen.web import i18n
from briefgen.web.security import Guard
from briefgen.web.snapshot import Snapshot
from briefgen.workspace import Workspace

HERE = Path(__file__).parent


@dataclass
class Site:
    """What the routes share: the workspace folder, the page templates, running jobs."""

    root: Path
    guard: Guard
    pages: jinja2.Environment
    jobs: dict[str, Any] = field(default_factory=dict)
    snapshot: Snapshot = field(init=False)

    def __post_init__(self) -> None:
        self.snapshot = Snapshot(self.root)

    def workspace(self) -> Workspace:
        """The workspace as it is on disk now (the CLI or an editor may change it)."""
        return self.snapshot.workspace()


def site(request: Request) -> Site:
    return request.app.state.site


def lang_of(request: Request) -> str:
    return i18n.pick(request.cookies.get("lang"), request.headers.get("accept-language"))


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of the interface in the request's language, with its CSRF token."""
    lang = lang_of(request)
    html = site(request).pages.get_template(name).render(
        t=i18n.translator(lang), lang=lang, csrf=request.scope["state"]["csrf"],
        path=request.url.path, signed_in=site(request).guard.token is not None, **context)
    return HTMLResponse(html, status_code=status)


def problem(request: Request, err: BriefgenError | str, status: int = 400) -> HTMLResponse:
    """A user's mistake (a bad file, a bad field): its one-line message, never a traceback."""
    return page(request, "problem.html", status=status, message=str(err))


def page_templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


