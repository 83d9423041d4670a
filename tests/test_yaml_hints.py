"""YAML's traps in prose end in one line that says what to do (briefs, front matter, records)."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cli import main

QUOTE = ("a value that contains ': ' must be in quotes (\"…\"), or written as a block: "
         "'summary: |' and the text on the next lines, indented")
CITATION = ("a citation at the start of a value or inside a [...] list reads as YAML: put the "
            "value in quotes, or write it as a block ('{key}: |' and the text indented on the "
            "next lines); write a list one '- ' item a line")
HEADER = "type: decision-note\nsubject: S\ndate: 2025-04-11\n"


@pytest.mark.parametrize("body, message", [
    ("summary: Le ministre a déclaré : « oui »\n",
     f"4: YAML syntax error: mapping values are not allowed in this context; {QUOTE}"),
    ("options:\n  - title: Act\n    cons: [Costs $38 million [@atip-note, p. 4]]\n",
     "6: YAML syntax error: found character that cannot start any token; "
     + CITATION.format(key="cons")),
    ("summary: [@stats] says so\n",
     "4: YAML syntax error: found character that cannot start any token; "
     + CITATION.format(key="summary")),
    ("summary: @stats says so\n",
     "4: YAML syntax error: found character that cannot start any token; "
     + CITATION.format(key="summary")),
    ("summary: \"Le ministre a dit\nissue: x\n",
     "6: YAML syntax error: found unexpected end of stream; the quotation mark on line 4 is "
     "never closed: close it, or write the text as a block ('summary: |') without quotes"),
    ("summary: \"Quoted\" and more\n",
     "4: YAML syntax error: did not find expected key; a value that starts with a quotation "
     "mark must end with it: quote the whole value, or write it as a block ('summary: |')"),
])
@pytest.mark.parametrize("form", ["yaml", "md"])
def test_yaml_traps_give_their_hint(workspace: Path, capsys: pytest.CaptureFixture[str],
                                    body: str, message: str, form: str) -> None:
    if form == "yaml":
        text, line_shift = HEADER + body, 0
    else:       # the same YAML as front matter: the lines count from the file's first
        text, line_shift = f"---\n{HEADER}{body}---\n## Issue\nWhy.\n", 1
    line, rest = message.split(":", 1)
    (workspace / "briefs" / f"bad.{form}").write_text(text, encoding="utf-8")
    code = main(["-C", str(workspace), "build", "bad"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.endswith(f"briefs/bad.{form}:{int(line) + line_shift}:{rest}\n"), err
    assert len(err.splitlines()) == 1
    assert not (workspace / "out").exists()


def test_a_md_record_front_matter_gets_the_hint(workspace: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "sources" / "said.md").write_text(
        "---\nkind: statement\ntitle: Le ministre a déclaré : « oui »\n---\nText.\n",
        encoding="utf-8")
    code = main(["-C", str(workspace), "build"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.endswith("sources/said.md:3: YAML syntax error: mapping values are not allowed "
                        "in this context; a value that contains ': ' must be in quotes (\"…\"), "
                        "or written as a block: 'title: |' and the text on the next lines, "
                        "indented\n"), err
