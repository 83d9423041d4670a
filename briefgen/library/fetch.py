"""Reading a source to import: a file, every importable file of a folder, or the
answer from an http(s) address, fetched within one overall deadline.

A socket timeout bounds each read, not the whole answer: a server that sends a
byte a second would keep a fetch going for hours. :class:`Deadline` shuts the
connection's socket when the time is up, whatever the fetch is waiting for.
"""
from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefgen.errors import InputError

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
CSL_SUFFIXES = (".json",)
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
FETCH_TIMEOUT = 20.0                      # seconds, for the whole answer
MAX_TIMEOUT = 3600.0                      # seconds: an hour is already more than a fetch needs
MAX_DOWNLOAD = 50 * 1024 * 1024           # bytes


@dataclass
class Loaded:
    """The bytes of one source and what is known about them."""

    name: str                       # as shown in messages
    data: bytes
    suffix: str = ""
    content_type: str = ""          # from an HTTP answer
    url: str | None = None          # the address it was fetched from

    def error(self, message: str, line: int | None = None) -> InputError:
        if self.url:
            return InputError(f"{self.name}: {message}")
        return InputError(message, file=Path(self.name), line=line)


def load(source: str, timeout: float = FETCH_TIMEOUT) -> list[Loaded]:
    """A file, every importable file of a folder, or the answer from an http(s) address."""
    if not 0 < timeout <= MAX_TIMEOUT:          # also false for nan
        raise InputError(f"--timeout: {timeout:g} will not do; give seconds, more than 0 "
                         f"and at most {MAX_TIMEOUT:g}")
    if re.match(r"[a-z][a-z0-9+.-]*://", source, re.I):
        return [fetch(source, timeout)]
    path = Path(source)
    if path.is_dir():
        suffixes = FEED_SUFFIXES + CSL_SUFFIXES + ARTICLE_SUFFIXES
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                       and p.suffix.lower() in suffixes)
        if not files:
            raise InputError(f"no files to import (looked for {', '.join(suffixes)})", file=path)
        return [_read_file(p) for p in files]
    return [_read_file(path)]


def _read_file(path: Path) -> Loaded:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", file=path) from None
    return Loaded(str(path), data, path.suffix.lower())


@dataclass
class Deadline:
    """Shuts every socket opened for one fetch once ``seconds`` have passed."""

    seconds: float
    expired: bool = False
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    """Wake a thread blocked reading ``sock``: its read ends at once."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass                            # already closed


def _opener(deadline: Deadline) -> Any:
    """A urllib opener whose connections the deadline watches, following redirects to
    http(s) addresses only (urllib would also follow ftp://)."""
    import http.client
    import urllib.error
    import urllib.request

    def watched(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Watched(base):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                deadline.watch(self.sock)
        return Watched

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):  # noqa: ANN001, ANN201
            return self.do_open(watched(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):  # noqa: ANN001, ANN201
            options = {"context": self._context}
            if hasattr(self, "_check_hostname"):       # Python 3.11
                options["check_hostname"] = self._check_hostname
            return self.do_open(watched(http.client.HTTPSConnection), req, **options)

    class HttpOnly(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
            if not re.match(r"https?://", newurl, re.I):
                raise urllib.error.URLError(f"redirected to {newurl}, which is not http(s)")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(Http, Https, HttpOnly)


def fetch(url: str, timeout: float = FETCH_TIMEOUT) -> Loaded:
    """GET an http(s) address, the whole answer within ``timeout`` seconds; any failure
    is one clear error."""
    import http.client
    import urllib.error
    import urllib.request

    from briefgen import __version__

    if not re.match(r"https?://[^\s/]", url, re.I):
        raise InputError(f"{url}: only http:// and https:// addresses can be imported")
    request = urllib.request.Request(url, headers={
        "User-Agent": f"briefgen/{__version__}",
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                  "application/json;q=0.9, text/html;q=0.8, */*;q=0.5"})
    too_slow = InputError(f"{url}: no complete answer within {timeout:g} s")
    deadline = Deadline(timeout)
    try:
        with _opener(deadline).open(request, timeout=timeout) as response:
            data = response.read(MAX_DOWNLOAD + 1)
            content_type = response.headers.get("Content-Type", "")
            final = response.geturl()
    except urllib.error.HTTPError as err:
        if 300 <= err.code < 400:       # urllib gave up following the redirects
            raise InputError(f"{url}: redirected too many times or in a loop") from None
        raise InputError(f"{url}: the server answered {err.code} {_plain(err.reason)}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if deadline.expired or isinstance(reason, TimeoutError):
            raise too_slow from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise InputError(f"{url}: cannot reach the address: {_plain(text)}") from None
    except (http.client.HTTPException, OSError, ValueError) as err:
        if deadline.expired or isinstance(err, TimeoutError):
            raise too_slow from None
        raise InputError(f"{url}: cannot read the address: {_plain(err)}") from None
    finally:
        deadline.cancel()
    if deadline.expired:                # the shut socket ended the answer early
        raise too_slow
    if len(data) > MAX_DOWNLOAD:
        raise InputError(f"{url}: larger than {MAX_DOWNLOAD // 2**20} MB; save it and import the file")
    suffix = Path(urlsplit(final).path).suffix.lower()
    return Loaded(url, data, suffix, content_type.lower(), final)


def _plain(said: object) -> str:
    """What a server said, as data on one console line: control characters (line breaks,
    terminal escapes) become spaces, and the length is bounded."""
    text = "".join(c if c.isprintable() else " " for c in str(said))
    return " ".join(text.split())[:200]
