"""Regenerate docs/img/*.png: page 1 of each example note, as LibreOffice prints it.

Run ``python tools/make_doc_images.py`` after changing a built-in template or an
example brief. Needs LibreOffice (soffice) and poppler-utils (pdftoppm).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from briefgen.builder import build
from briefgen.workspace import Workspace, init

REPO = Path(__file__).resolve().parent.parent
# Example brief → picture name.
PICTURES = {
    "border-cooperation": "briefing-note", "border-decision": "decision-note",
    "border-qp": "qp-note", "border-media-lines": "media-lines",
    "border-meeting": "meeting-brief", "border-qp-fr": "qp-note-fr",
}
RESOLUTION = "50"     # dots per inch: a page is 425 x 550 pixels


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("install poppler-utils (pdftoppm)", file=sys.stderr)
        return 2
    target = REPO / "docs" / "img"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "ws"
        init(root)
        build(Workspace(root), list(PICTURES), ["pdf"])
        for brief, picture in PICTURES.items():
            subprocess.run(["pdftoppm", "-png", "-r", RESOLUTION, "-f", "1", "-l", "1",
                            "-singlefile", str(root / "out" / f"{brief}.pdf"),
                            str(target / picture)], check=True)
            print(f"wrote docs/img/{picture}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
