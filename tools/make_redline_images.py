"""Regenerate docs/img/redline-*.png: a redline as LibreOffice prints it.

Run ``python tools/make_redline_images.py`` after changing the redline or the
example brief. Edits the example briefing note as the tests do (tests/redlines.py),
makes its redline against the original, converts it to PDF with LibreOffice
(which prints tracked changes as they show on screen: insertions underlined,
deletions struck through, a bar in the margin) and crops two parts of it.
Needs LibreOffice (soffice) and poppler-utils (pdftoppm).
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from redlines import edited  # noqa: E402 - the edits the tests make

from briefgen.review.redline import make  # noqa: E402
from briefgen.workspace import Workspace, init  # noqa: E402
from briefgen.writers import pdf  # noqa: E402

RESOLUTION = 80       # dots per inch: a Letter page is 680 x 880 pixels
# picture → (page, x, y, width, height) in pixels at RESOLUTION
CROPS = {"redline-header": (1, 40, 20, 600, 430), "redline-footnotes": (1, 40, 495, 620, 310),
         "redline-talking-points": (2, 40, 225, 600, 615)}


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("install poppler-utils (pdftoppm)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "ws"
        init(root)
        brief = root / "briefs" / "border-cooperation.md"
        (root / "sent.md").write_text(brief.read_text(encoding="utf-8"), encoding="utf-8")
        brief.write_text(edited(brief.read_text(encoding="utf-8")), encoding="utf-8")
        ws = Workspace(root)
        made = make(ws, brief, "sent.md", root / "out", "Director, Border Policy")
        note = pdf.convert([made.data], [dt.datetime(2025, 4, 10)], pdf.find_soffice())[0]
        (Path(temp) / "redline.pdf").write_bytes(note)
        for picture, (page, x, y, width, height) in CROPS.items():
            subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l",
                            str(page), "-x", str(x), "-y", str(y), "-W", str(width), "-H",
                            str(height), "-singlefile", str(Path(temp) / "redline.pdf"),
                            str(REPO / "docs" / "img" / picture)], check=True)
            print(f"wrote docs/img/{picture}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
