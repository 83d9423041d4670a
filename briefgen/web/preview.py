"""Live preview: the HTML rendering of one brief on 127.0.0.1, rebuilt as files change.

A watcher thread (watchfiles) bumps a version number whenever a template,
the brief, a record, the settings or reference.docx changes; the page asks
for ``/version`` every second and reloads when it moves. A broken template or
brief shows its error on the page instead of the note.
"""
from __future__ import annotations

import html
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefgen.errors import BriefgenError
from briefgen.workspace import Workspace

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


class Preview:
    """The server and the watcher for one brief."""

    def __init__(self, ws: Workspace, brief: Path, port: int = 8000) -> None:
        self.ws, self.brief = ws, brief
        self.version = 0
        self.stop = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def watched(self) -> list[Path]:
        paths = [self.brief, self.ws.sources_dir, self.ws.templates_dir,
                 self.ws.root / "briefgen.toml"]
        return [p for p in paths if p.exists()]

    def watch(self) -> None:
        from watchfiles import watch

        for _ in watch(*self.watched(), stop_event=self.stop, debounce=200, rust_timeout=500):
            self.version += 1

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
                if self.path == "/version":
                    self._send(HTTPStatus.OK, str(preview.version).encode(), "text/plain")
                elif self.path in ("/", "/index.html"):
                    status, page = render_page(preview.ws.root, preview.brief)
                    self._send(status, page, "text/html; charset=utf-8")
                else:
                    self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
