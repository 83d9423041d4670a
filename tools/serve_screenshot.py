"""Take docs/img/serve-editor.png: the brief editor of ``briefgen serve`` on an example brief.

Runs the app on 127.0.0.1 over a copy of the example workspace and photographs
the editor in Debian's chromium (Playwright). After changing the editor's look:

    python tools/serve_screenshot.py
"""
from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from briefgen.briefs.commands import convert
from briefgen.web.app import create_app
from briefgen.web.security import Guard, allowed_hosts
from briefgen.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "docs" / "img" / "serve-editor.png"
BRIEF = "border-qp"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        root.mkdir()
        for name in ("briefgen.toml", "sources", "briefs"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
        if not (root / "briefs" / f"{BRIEF}.md").exists():
            convert(Workspace(root), BRIEF, "md")      # the editor shows the Markdown form
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(
            create_app(root, Guard(allowed_hosts("127.0.0.1", port))), host="127.0.0.1",
            port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-CA")
            page.goto(f"http://127.0.0.1:{port}/briefs/{BRIEF}")
            text = page.locator("#text")
            text.fill(text.input_value().replace('further "reciprocal" tariffs',
                                                 'further "mutual" tariffs'))
            page.locator("#findings li.error").first.wait_for()
            page.frame_locator("#preview iframe").locator("h1").first.wait_for()
            page.screenshot(path=str(TARGET))
            browser.close()
        server.should_exit = True
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
