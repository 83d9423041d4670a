"""What every request passes before a page sees it: Host, session, sign-in, Origin, CSRF, size.

One ASGI middleware, so no route can forget a check:

* the ``Host`` header must be one the server answers to (a DNS-rebinding page
  that resolves its own name to 127.0.0.1 is refused);
* every visitor gets a random session id in an ``HttpOnly``, ``SameSite=Strict``
  cookie; the CSRF token is an HMAC of it under a per-process secret;
* with ``--auth``, a session must have signed in with the access token;
* every request but GET/HEAD must come from this origin (``Origin``, else
  ``Referer``) and carry the CSRF token (form field ``csrf`` or header
  ``X-CSRF-Token``), and its body is bounded by ``max_body`` bytes.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "briefgen_session"
SAFE_METHODS = ("GET", "HEAD")
OPEN_PATHS = ("/login", "/static/")     # reachable before signing in
MAX_BODY = 10 * 1024 * 1024
_SID = re.compile(r"[A-Za-z0-9_-]{43}")
HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'; object-src 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass
class Guard:
    """The server's secrets and rules: allowed host names, the access token, live sessions."""

    hosts: frozenset[str]
    token: str | None = None
    max_body: int = MAX_BODY
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    signed_in: set[str] = field(default_factory=set)

    def csrf(self, sid: str) -> str:
        return hmac.new(self.secret, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()

    def host_allowed(self, host: str) -> bool:
        return host.lower() in self.hosts

    def sign_in(self, offered: str) -> str | None:
        """A fresh session id when ``offered`` is the access token, else None."""
        if self.token is None or not hmac.compare_digest(offered.encode(), self.token.encode()):
            return None
        sid = secrets.token_urlsafe(32)
        self.signed_in.add(sid)
        return sid


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Host header values the server answers to: its bind address (and ``localhost`` for
    a loopback bind), with and without the port, plus names a reverse proxy forwards."""
    names = {host, *extra}
    if host in ("127.0.0.1", "::1", "localhost"):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return frozenset(v.lower() for n in names for v in (n, f"{n}:{port}"))


def session_of(scope: Scope) -> str:
    return scope["state"]["sid"]


class SecurityMiddleware:
    """The checks above, in that order; a refusal is a short plain-text response."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not self.guard.host_allowed(request.headers.get("host", "")):
            await _refuse(400, "unknown Host header: this server does not answer to that name",
                          scope, receive, send)
            return
        sid = request.cookies.get(COOKIE) or ""
        fresh = not _SID.fullmatch(sid)
        sid = secrets.token_urlsafe(32) if fresh else sid
        scope.setdefault("state", {})["sid"] = sid
        scope["state"]["csrf"] = self.guard.csrf(sid)
        send = _with_headers(send, sid if fresh else None, scope.get("scheme") == "https")
        if self.guard.token is not None and sid not in self.guard.signed_in \
                and not _is_open(scope["path"]):
            response: Response = (RedirectResponse("/login", status_code=303)
                                  if scope["method"] in SAFE_METHODS
                                  else PlainTextResponse("sign in first", status_code=403))
            await response(scope, receive, send)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        await self._unsafe(scope, receive, send, request)

    async def _unsafe(self, scope: Scope, receive: Receive, send: Send, request: Request) -> None:
        """A state-changing request: same origin, bounded body, right CSRF token."""
        if not self._same_origin(request):
            await _refuse(403, "cross-origin request refused", scope, receive, send)
            return
        body = await _read_body(receive, self.guard.max_body)
        if body is None:
            await _refuse(413, f"request too large (limit {self.guard.max_body // 1048576} MB)",
                          scope, receive, send)
            return
        replay = _replay(body)
        token = request.headers.get("x-csrf-token") or await _form_token(scope, replay())
        if not hmac.compare_digest(token.encode(), scope["state"]["csrf"].encode()):
            await _refuse(403, "missing or stale form token: reload the page and try again",
                          scope, receive, send)
            return
        await self.app(scope, replay(), send)

    def _same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin") or request.headers.get("referer") or ""
        netloc = urlsplit(origin).netloc.lower()
        return bool(netloc) and netloc == request.headers.get("host", "").lower() \
            and self.guard.host_allowed(netloc)


def _is_open(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes ``limit`` bytes (read no further)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Callable[[], Receive]:
    """A fresh ``receive`` that hands the buffered body over again, each time it is made."""
    def make() -> Receive:
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return receive
    return make


async def _form_token(scope: Scope, receive: Receive) -> str:
    kind = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    try:
        async with Request(scope, receive).form() as form:
            value = form.get("csrf")
    except Exception:  # noqa: BLE001 - a malformed body is just a request without a token
        return ""
    return value if isinstance(value, str) else ""


def _with_headers(send: Send, new_sid: str | None, secure: bool) -> Send:
    """``send`` adding the security headers, and the sign-in cookie when it is new."""
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {k.lower() for k, _ in headers}
            headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()
                        if k.encode() not in present]
            if new_sid is not None and b"set-cookie" not in present:
                headers.append((b"set-cookie", cookie(new_sid, secure).encode()))
            message["headers"] = headers
        await send(message)
    return wrapped


def cookie(sid: str, secure: bool, max_age: int | None = None) -> str:
    jar: SimpleCookie = SimpleCookie()
    jar[COOKIE] = sid
    morsel = jar[COOKIE]
    morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "Strict"
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString()


async def _refuse(status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse(message, status_code=status)(scope, receive, send)
