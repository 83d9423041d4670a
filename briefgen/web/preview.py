"""Live preview: the HTML rendering of one brief on 127.0.0.1, rebuilt as files change.

A watcher thread (watchfiles) bumps a version number whenever a template,
the brief, a record, the settings or reference.docx changes (templates/ too
when it is created while the preview runs); the page asks for ``/version``
every second and reloads when it moves. A broken template or brief shows its
error on the page instead of the note.

The server answers only requests addressed to it by its loopback name: a web
page elsewhere cannot point a name of its own at 127.0.0.1 (DNS rebinding) and
read a PROTECTED note.
"""
from __future__ import annotations

import html
import logging
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError, InputError
from briefgen.workspace import SETTINGS_FILE, Workspace

log = logging.getLogger("briefgen")

_RELOAD = b"""<script>
(function () {
  var seen = null;
  setInterval(function () {
    fetch("/version").then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { location.reload(); }
      seen = v;
    }).catch(function () {});
  }, 1000);
})();
</script>"""


def render_page(root: Path, brief: Path) -> tuple[int, bytes]:
    """The brief as an HTML page, or an error page that says what to fix."""
    from briefgen.note.composer import compose
    from briefgen.writers import html as html_writer

    try:
        ws = Workspace(root)      # read afresh: records and settings may have changed
        page = html_writer.write(compose(ws, brief))
        status = HTTPStatus.OK
    except BriefgenError as err:
        page = _error_page(str(err))
        status = HTTPStatus.INTERNAL_SERVER_ERROR
    return status, page.replace(b"</body>", _RELOAD + b"</body>", 1)


def _error_page(message: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>briefgen preview: error</title></head><body>"
        "<h1>The note could not be built</h1>"
        f"<pre style=\"white-space:pre-wrap;border:2px solid #a00;padding:1em\">{html.escape(message)}"
        "</pre><p>Fix the file and save it: this page reloads by itself.</p></body></html>"
    ).encode("utf-8")


_INTERNAL = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             b"<title>briefgen preview: error</title></head><body>"
             b"<h1>The preview failed</h1><p>briefgen hit an unexpected error while building "
             b"this page. The console where the preview runs says what it was.</p></body></html>")


class _Server(ThreadingHTTPServer):
    """A client that goes away mid-answer is not news; anything else is one console line."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            log.error("briefgen: preview: %s: %s", type(error).__name__, _one_line(error))


def _one_line(error: BaseException | None) -> str:
    """An exception's message on one console line, whatever it holds."""
    return " ".join(str(error).split())


class Preview:
    """The server and the watcher for one brief."""

    def __init__(self, ws: Workspace, brief: Path, port: int = 8000) -> None:
        if not 0 <= port <= 65535:
            raise InputError(f"--port {port} is not a port number; use 1 to 65535 "
                             "(0 picks a free one)")
        self.ws, self.brief = ws, brief
        self.version = 0
        self.stop = threading.Event()
        self.server = _Server(("127.0.0.1", port), self._handler())

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def hosts(self) -> set[str]:
        """The Host headers a browser sends to this server by its loopback names."""
        names = {f"{name}:{self.port}" for name in ("127.0.0.1", "localhost")}
        return names | ({"127.0.0.1", "localhost"} if self.port == 80 else set())

    def watched(self) -> list[Path]:
        paths = [self.brief, self.ws.sources_dir, self.ws.templates_dir,
                 self.ws.root / SETTINGS_FILE]
        return [p for p in paths if p.exists()]

    def watch(self) -> None:
        """Bump the version on every change; start again when a watched folder appears or
        goes (a templates/ made while the preview runs is watched from then on)."""
        from watchfiles import watch

        while not self.stop.is_set():
            paths = self.watched()
            if not paths:              # everything it watches is gone: look again shortly
                self.stop.wait(0.5)
                continue
            for changes in watch(*paths, stop_event=self.stop, debounce=200, rust_timeout=500,
                                 yield_on_timeout=True):
                if changes:
                    self.version += 1
                if self.watched() != paths:
                    self.version += 1
                    break

    def serve_forever(self) -> None:
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def close(self) -> None:
        """Stop watching and free the port (after ``server.shutdown()`` from another thread)."""
        self.stop.set()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        preview = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                if self.headers.get("Host", "").lower() not in preview.hosts():
                    self._send(HTTPStatus.FORBIDDEN, f"briefgen preview answers only at "
                               f"{preview.url}\n".encode(), "text/plain")
                elif self.path == "/version":
                    self._send(HTTPStatus.OK, str(preview.version).encode(), "text/plain")
                elif self.path in ("/", "/index.html"):
                    self._page()
                else:
                    self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

            def _page(self) -> None:
                try:
                    status, page = render_page(preview.ws.root, preview.brief)
                except Exception as err:  # noqa: BLE001 - a bug: a page and one console line
                    log.error("briefgen: preview: %s while building the page: %s",
                              type(err).__name__, _one_line(err))
                    status, page = HTTPStatus.INTERNAL_SERVER_ERROR, _INTERNAL
                self._send(status, page, "text/html; charset=utf-8")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(body)
                except ConnectionError:   # the browser left (reload, closed tab)
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
