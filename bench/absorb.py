"""How fast is ``briefgen absorb`` on a reviewed two-page note?

Run from anywhere, with briefgen installed:

    python bench/absorb.py            # 20 runs of each measure
    python bench/absorb.py --small    # 3 runs: a few seconds

It makes the example workspace in a temp folder, builds the two-page briefing
note border-cooperation, and edits its DOCX as a reviewer would (a sentence
retyped, a tracked insertion, a comment). Then it measures, in process:

- absorb: read the edited DOCX, rebuild the note from the brief, compare them
  field by field and work out the new brief (target <= 200 ms, median);
- the baseline, in the same run: building the same note (compose + DOCX
  writer), which absorb does once on its way;

and the ``briefgen absorb --dry-run`` command as a user runs it (start-up
included), and how one edit in a paragraph of 10,000 and 100,000 characters
scales (linear: about 10x). CPU time is printed beside wall time: the machine
is shared.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from redline import measure  # noqa: E402 - the same wall and CPU seconds of each run

from briefgen.builder import reference_docx  # noqa: E402
from briefgen.note.composer import compose  # noqa: E402
from briefgen.review.absorb import absorb  # noqa: E402
from briefgen.review.align import transfer  # noqa: E402
from briefgen.workspace import Workspace, init  # noqa: E402
from briefgen.writers import docx as docx_writer  # noqa: E402

TARGET_MS = 200.0
BRIEF = "border-cooperation"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def edited_copy(original: bytes) -> bytes:
    """The note with a sentence retyped, a tracked insertion and a comment."""
    source = zipfile.ZipFile(io.BytesIO(original))
    parts = {name: source.read(name) for name in source.namelist()}
    document = parts["word/document.xml"].decode("utf-8")
    document = document.replace("This note provides information", "This note informs you", 1)
    document = document.replace(
        "<w:t>Officials will monitor", '<w:commentRangeStart w:id="7"/><w:t>Officials will monitor',
        1).replace("</w:t></w:r></w:p>", '</w:t></w:r><w:commentRangeEnd w:id="7"/></w:p>', 1)
    insertion = ('<w:ins w:id="8" w:author="Reviewer" w:date="2025-04-12T00:00:00Z"><w:r>'
                 '<w:t xml:space="preserve"> closely</w:t></w:r></w:ins>')
    document = document.replace("<w:t>Officials will monitor",
                                "<w:t>Officials will monitor</w:t></w:r>" + insertion
                                + "<w:r><w:t xml:space=\"preserve\">", 1)
    parts["word/document.xml"] = document.encode("utf-8")
    parts["word/comments.xml"] = (f'<w:comments {W}><w:comment w:id="7" w:author="Reviewer" '
                                  'w:date="2025-04-12T00:00:00Z"><w:p><w:r><w:t>Say when.</w:t>'
                                  '</w:r></w:p></w:comment></w:comments>').encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def long_paragraph(chars: int) -> tuple[str, str, str]:
    """A paragraph's Markdown, as printed (curly quotes) and as edited in its middle."""
    words = ('the "border" officials said 25 per cent of goods [@record-id] '
             "face tariffs; Canada's reply followed.").split()
    source = " ".join(words[i % len(words)] for i in range(chars // 6))
    printed = source.replace('"', "“").replace("'", "’")
    middle = len(printed) // 2
    return source, printed, printed[:middle] + " an edit " + printed[middle:]


def shown(seconds: list[float]) -> str:
    values = [s * 1000 for s in seconds]
    return (f"{statistics.median(values):7.1f} ms median "
            f"({min(values):.1f}–{max(values):.1f} over {len(values)})")


def runs_wanted() -> int:
    """Timed runs of each measure: ``--runs N``, 3 with ``--small``, else 20."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="3 runs: a quick look")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    return args.runs or (3 if args.small else 20)


def main() -> int:
    runs, load = runs_wanted(), os.getloadavg()
    root = Path(tempfile.mkdtemp(prefix="briefgen-absorb-bench-")) / "ws"
    try:
        init(root)
        ws = Workspace(root)
        path = ws.brief_paths([BRIEF])[0]
        built = docx_writer.write(compose(ws, path), reference_docx(ws))
        edited = root / "edited.docx"
        edited.write_bytes(edited_copy(built))
        result = absorb(ws, edited, None, True, True)
        assert result.after != result.before and result.status == 0, result.lines
        absorb_wall, absorb_cpu = measure(lambda: absorb(ws, edited, None, True, True), runs)
        build_wall, build_cpu = measure(
            lambda: docx_writer.write(compose(ws, path), reference_docx(ws)), runs)
        command = [sys.executable, "-m", "briefgen", "-C", str(root), "absorb", str(edited),
                   "--accept-changes", "--dry-run"]
        scaling = {}
        for chars in (10_000, 100_000):
            texts = long_paragraph(chars)
            scaling[chars] = statistics.median(
                measure(lambda: transfer(*texts), runs // 2 + 1)[1]) * 1000
        cli, _ = measure(lambda: subprocess.run(command, check=True, capture_output=True),
                         max(2, runs // 4))
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    median = statistics.median(absorb_wall) * 1000
    print(f"briefgen absorb bench: {BRIEF} (two pages), one edit, one tracked change, one comment")
    print(f"  load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"({os.cpu_count()} CPUs)")
    print(f"  absorb, in process      wall {shown(absorb_wall)}")
    print(f"                          cpu  {shown(absorb_cpu)}")
    print(f"  baseline: build (docx)  wall {shown(build_wall)}")
    print(f"                          cpu  {shown(build_cpu)}")
    print(f"  absorb / build: {statistics.median(absorb_wall) / statistics.median(build_wall):.2f}x"
          " (wall), "
          f"{statistics.median(absorb_cpu) / statistics.median(build_cpu):.2f}x (cpu)")
    print(f"  `briefgen absorb --dry-run` command  {shown(cli)}")
    print(f"  one edit in a long paragraph (cpu): 10,000 chars {scaling[10_000]:.1f} ms, "
          f"100,000 chars {scaling[100_000]:.1f} ms: "
          f"{scaling[100_000] / max(scaling[10_000], 0.01):.1f}x for 10x the text "
          f"(linear would be 10x; quadratic, 100x)")
    print(f"  target: absorb <= {TARGET_MS:.0f} ms   "
          f"{'PASS' if median <= TARGET_MS else 'MISS'} ({median:.1f} ms)")
    print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
