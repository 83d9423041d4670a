"""A TestClient for ``briefgen serve`` over a workspace, sending what a browser sends."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

from briefgen.web.app import create_app
from briefgen.web.security import Guard, allowed_hosts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ORIGIN = "http://testserver"


def client(root: Path, token: str | None = None) -> TestClient:
    """Requests carry this server's Origin, like a browser's form posts."""
    app = create_app(root, Guard(allowed_hosts("testserver", 80), token))
    return TestClient(app, raise_server_exceptions=False, headers={"Origin": ORIGIN},
                      follow_redirects=False)


def csrf(web: TestClient, url: str = "/briefs") -> str:
    """The form token of this client's session, read from a page as a browser would."""
    page = web.get(url)
    return re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text).group(1)
