"""Live preview over real HTTP on 127.0.0.1: the note, reloads, and errors on the page."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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
