"""Keep the example briefs shown in docs/note-types.md the same as those in briefs/.

Each ``markdown`` block that follows a line ``File `briefs/NAME.md`:`` (or
``.yaml``) is the Markdown form of that example: briefs/NAME.md itself, or, for the one example kept as YAML,
what ``briefgen convert NAME --to md`` would write. After changing an example:

    python tools/doc_examples.py            # rewrite the blocks
    python tools/doc_examples.py --check    # exit 1 when a block is out of date
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "note-types.md"
BLOCK = re.compile(r"^(?P<head>File `briefs/(?P<name>[\w.-]+)\.(?:md|yaml)`[^\n]*:\n\n```markdown\n)"
                   r"(?P<body>.*?)^```$", re.M | re.S)


def markdown_form(name: str) -> str:
    from briefgen.briefs.write import to_markdown
    from briefgen.readers import read_brief

    briefs = REPO / "briefs"
    if (briefs / f"{name}.md").is_file():
        return (briefs / f"{name}.md").read_text(encoding="utf-8")
    brief = read_brief(briefs / f"{name}.yaml")[0]
    return to_markdown(brief, name, brief.lang or "en")


def updated(text: str) -> str:
    return BLOCK.sub(lambda m: f"{m['head']}{markdown_form(m['name'])}```", text)


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        return 0 if new == text else 1
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
