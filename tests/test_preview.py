"""Live preview over real HTTP on 127.0.0.1: the note, reloads, and errors on the page."""
from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.note import limits
from briefgen.web import preview as preview_module
from briefgen.web.preview import Preview
from briefgen.workspace import Workspace


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def wait_for_version(preview: Preview, past: str, seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, version = get(preview.url + "version")
        if version != past:
            return version
        time.sleep(0.1)
    raise AssertionError("the preview did not notice the change")


@pytest.fixture
def preview(workspace: Path) -> Iterator[Preview]:
    (workspace / "templates").mkdir()
    server = Preview(Workspace(workspace), workspace / "briefs/note.yaml", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    time.sleep(0.5)                # let the watcher start before files change
    yield server
    server.server.shutdown()
    thread.join(timeout=10)


def test_serves_the_note_and_reloads_on_change(preview: Preview, workspace: Path) -> None:
    status, page = get(preview.url)
    assert status == 200
    assert "Border cooperation | test" in page and "UNCLASSIFIED" in page
    assert 'fetch("/version")' in page
    _, version = get(preview.url + "version")

    brief = workspace / "briefs/note.yaml"
    brief.write_text(brief.read_text().replace("Border cooperation | test", "Renamed subject"))
    wait_for_version(preview, version)
    assert "Renamed subject" in get(preview.url)[1]


def test_broken_template_shows_its_error_then_recovers(preview: Preview, workspace: Path) -> None:
    _, version = get(preview.url + "version")
    template = workspace / "templates/briefing-note.md.j2"
    template.write_text("line one\n{% if %}\n")
    version = wait_for_version(preview, version)
    status, page = get(preview.url)
    assert status == 500
    assert "briefing-note.md.j2:2: template syntax error" in page
    template.unlink()
    wait_for_version(preview, version)
    assert get(preview.url)[0] == 200


def test_unknown_path_is_404(preview: Preview) -> None:
    assert get(preview.url + "nope")[0] == 404


def _start(workspace: Path) -> tuple[Preview, threading.Thread]:
    server = Preview(Workspace(workspace), workspace / "briefs/note.yaml", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    time.sleep(0.5)
    return server, thread


def _raw(preview: Preview, request: bytes) -> bytes:
    """One request as bytes on the wire, the whole answer back."""
    with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{{port}}", "127.0.0.2:{port}",
                                  "127.0.0.1:1", "localhost.evil.example:{port}", None])
def test_requests_for_another_host_are_refused(preview: Preview, host: str | None) -> None:
    """A page whose own name resolves to 127.0.0.1 (DNS rebinding) gets nothing."""
    header = f"Host: {host.format(port=preview.port)}\r\n" if host else ""
    for path in ("/", "/version"):
        answer = _raw(preview, f"GET {path} HTTP/1.0\r\n{header}\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 403 "), answer[:80]
        assert b"Border cooperation" not in answer and b"UNCLASSIFIED" not in answer


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_requests_by_the_loopback_name_are_answered(preview: Preview, host: str) -> None:
    answer = _raw(preview, f"GET / HTTP/1.0\r\nHost: {host.format(port=preview.port)}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.0 200 ") and b"Border cooperation" in answer


def test_an_unexpected_error_is_a_short_500_page_and_one_log_line(
        preview: Preview, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]) -> None:
    def broken(root: Path, brief: Path) -> tuple[int, bytes]:
        raise RuntimeError("internal detail\n/secret/path")

    monkeypatch.setattr(preview_module, "render_page", broken)
    status, page = get(preview.url)
    assert status == 500
    assert "The preview failed" in page and "secret" not in page and "RuntimeError" not in page
    (record,) = [r for r in caplog.records if "preview" in r.getMessage()]
    assert record.getMessage() == ("briefgen: preview: RuntimeError while building the page: "
                                   "internal detail /secret/path")
    assert get(preview.url + "version")[0] == 200     # the server still answers
    assert "Traceback" not in capfd.readouterr().err


def test_a_client_that_goes_away_leaves_no_traceback(preview: Preview,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    for _ in range(5):
        conn = socket.create_connection(("127.0.0.1", preview.port), timeout=10)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n\r\n".encode())
        conn.close()                        # reset: the answer meets a closed connection
    time.sleep(1)
    assert get(preview.url)[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


@pytest.mark.parametrize("make_folder", [False, True])
def test_an_override_made_while_it_runs_is_used(workspace: Path, make_folder: bool) -> None:
    """With or without templates/ at start, a new override shows on the page."""
    if make_folder:
        (workspace / "templates").mkdir()
    server, thread = _start(workspace)
    try:
        assert ">Summary<" in get(server.url)[1]
        _, version = get(server.url + "version")
        (workspace / "templates").mkdir(exist_ok=True)
        (workspace / "templates/briefing-note.md.j2").write_text(
            '{% extends "builtin/briefing-note.md.j2" %}\n'
            "{% block summary %}## In Short\n\n{{ brief.summary }}\n{% endblock %}\n")
        deadline = time.monotonic() + 15
        while "In Short" not in get(server.url)[1] and time.monotonic() < deadline:
            time.sleep(0.2)
        page = get(server.url)[1]
        assert "In Short" in page and ">Summary<" not in page
        assert wait_for_version(server, version) != version
    finally:
        server.server.shutdown()
        thread.join(timeout=10)


def test_port_out_of_range_is_one_line(workspace: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "briefgen", "preview", "note", "--port", "99999"],
                            cwd=workspace, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("briefgen: error: --port 99999 is not a port number; "
                             "use 1 to 65535 (0 picks a free one)\n")


def test_a_template_that_runs_too_long_is_an_error_page(
        preview: Preview, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "STEPS", 50_000)
    (workspace / "templates/briefing-note.md.j2").write_text(
        "one\n{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\n")
    status, page = get(preview.url)
    assert status == 500
    assert "briefing-note.md.j2:2: the template ran more than 50,000 loop steps" in page
