"""Markdown briefs: every section form read into the brief, and every mistake one clear line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.readers import read_brief

DECISION = """\
---
type: decision-note
subject: A decision
date: 2025-04-11
---

## Issue

Whether to act [@news-article].

## Options

### Act now

Pros:

- Fast
- Cheap,
  on two lines

Cons:

- Costly

### Wait

**Pros**

- Safe

**Cons**

- Slow

## Recommendation

That you approve option 1.
"""


def _write(ws: Path, text: str, name: str = "bad.md") -> Path:
    path = ws / "briefs" / name
    path.write_text(text, encoding="utf-8")
    return path


def _build(ws: Path, capsys: pytest.CaptureFixture[str], *names: str) -> tuple[int, str]:
    code = main(["-C", str(ws), "build", *names])
    return code, capsys.readouterr().err


# Reading -----------------------------------------------------------------------

def test_decision_note_sections_options_and_lines(workspace: Path) -> None:
    brief, lines = read_brief(_write(workspace, DECISION))
    assert brief.issue == "Whether to act [@news-article].\n"
    assert [(o.title, o.pros, o.cons) for o in brief.options] == [
        ("Act now", ["Fast", "Cheap,\non two lines"], ["Costly"]), ("Wait", ["Safe"], ["Slow"])]
    assert brief.recommendation == "That you approve option 1.\n"
    assert lines[("type",)] == 2
    assert lines[("issue",)] == 7
    assert lines[("options", 0)] == 13
    assert lines[("options", 0, "pros", 1)] == 18
    assert lines[("options", 1, "cons", 0)] == 33


def test_french_headings_any_case_and_accents_and_field_names(workspace: Path) -> None:
    text = ("---\ntype: briefing-note\nlang: fr\nsubject: S\ndate: 2025-04-10\n---\n"
            "## RÉSUMÉ\nUn résumé.\n\n## contexte\nLe contexte.\n\n## current_status\nOù.\n\n"
            "## Points de discussion\n- Un\n- Deux\n\n## Prochaines etapes\nLa suite.\n")
    brief = read_brief(_write(workspace, text))[0]
    assert (brief.summary, brief.background, brief.current_status) == (
        "Un résumé.\n", "Le contexte.\n", "Où.\n")
    assert brief.talking_points == ["Un", "Deux"]
    assert brief.next_steps == "La suite.\n"


def test_qp_media_and_meeting_forms(workspace: Path) -> None:
    text = """---
type: meeting-brief
subject: S
date: 2025-04-10
---
## Event
- Event: Meeting with the Ambassador
- Date: 2025-04-16
- Time: 10:00 to 10:45

## Participants
- **Kirsten Hillman**, Ambassador of Canada to the United States
  Visited dozens of governors.
- Deputy Minister

## Objectives
- Hear the read-out.

## Agenda
1. Tariffs
2. Next steps

## If pressed on fentanyl
- Canada named a czar.

## Anticipated questions and answers
### Did Ottawa expect the tariffs?
Officials prepared
for all outcomes.
"""
    brief = read_brief(_write(workspace, text))[0]
    assert brief.event is not None
    assert (brief.event.title, brief.event.date, brief.event.time, brief.event.location) == (
        "Meeting with the Ambassador", dt.date(2025, 4, 16), "10:00 to 10:45", None)
    assert [p.model_dump() for p in brief.participants] == [
        {"name": "Kirsten Hillman", "title": "Ambassador of Canada to the United States",
         "bio": "Visited dozens of governors."},
        {"name": "Deputy Minister", "title": None, "bio": None}]
    assert brief.agenda == ["Tariffs", "Next steps"]
    assert [(p.topic, p.lines) for p in brief.if_pressed] == [("fentanyl", ["Canada named a czar."])]
    assert [(q.question, q.answer) for q in brief.qa] == [
        ("Did Ottawa expect the tariffs?", "Officials prepared\nfor all outcomes.")]


def test_comments_are_dropped_and_bom_and_crlf_are_accepted(workspace: Path) -> None:
    text = DECISION.replace("## Issue\n", "## Issue\n<!-- what is decided -->\n<!--\nmore\n-->\n")
    text = text.replace("[@news-article].", "[@news-article]. <!-- briefgen: ignore -->")
    path = workspace / "briefs" / "crlf.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    brief, lines = read_brief(path)
    assert brief.issue == "Whether to act [@news-article].\n"
    assert lines[("recommendation",)] == 39


def test_custom_type_sections_are_its_fields(workspace: Path) -> None:
    text = ("---\ntype: risk-note\nsubject: S\ndate: 2025-04-10\n---\n"
            "## Scenario\nA flood.\n\n## Key risks\n- Power\n- Roads\n")
    brief, lines = read_brief(_write(workspace, text))
    assert brief.fields == {"scenario": "A flood.\n", "key_risks": ["Power", "Roads"]}
    assert lines[("fields", "key_risks", 1)] == 11


def test_a_md_brief_builds_like_its_yaml_twin(workspace: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    yaml_brief = workspace / "briefs" / "note.yaml"
    assert main(["-C", str(workspace), "convert", "note", "--to", "md", "-q"]) == 0
    assert not yaml_brief.exists()
    assert main(["-C", str(workspace), "build", "--format", "md", "--out", "md-out"]) == 0
    assert main(["-C", str(workspace), "convert", "note", "--to", "yaml", "-q"]) == 0
    assert main(["-C", str(workspace), "build", "--format", "md", "--out", "yaml-out"]) == 0
    assert (workspace / "md-out/note.md").read_bytes() == (workspace / "yaml-out/note.md").read_bytes()


# Mistakes: one line with the .md file's line, exit 2, nothing written ----------------

def _edit(old: str, new: str):  # noqa: ANN202 - a change to DECISION
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)
    return change


BAD = [
    (_edit("## Issue", "## Isue"), "bad.md:7: unknown section '## Isue'; did you mean '## Issue'?"),
    (_edit("## Issue", "## Summry"),
     "bad.md:7: unknown section '## Summry'; a decision-note has: Issue, Background, "
     "Considerations, Options, Recommendation, Next Steps, Consultations, Attachments"),
    (_edit("---\n\n## Issue", "---\nA stray line.\n## Issue"),
     "bad.md:6: text before the first section; start each section with a '## ' heading"),
    (_edit("## Recommendation", "## Issue\n\nAgain.\n\n## Recommendation"),
     "bad.md:35: issue: the section '## Issue' is given twice (first on line 7); keep one"),
    (_edit("## Recommendation\n\nThat you", "## Recommendation\n\n- That you"), None),
    (_edit("## Recommendation\n\nThat you approve option 1.\n",
           "## Recommendation\n\nThat you approve option 1.\n\n## Talking points\n\nNot a list.\n"),
     "bad.md:41: prose where a list is expected in 'Talking points': start each item with '- '"),
    (_edit("## Recommendation\n\nThat you approve option 1.\n", ""),
     "bad.md:2: recommendation: a decision-note needs a recommendation; add a "
     "'## Recommendation' section"),
    (_edit("## Recommendation\n\nThat you approve option 1.\n", "## Recommendation\n\n"),
     "bad.md:35: recommendation: the section '## Recommendation' is empty; write it, or "
     "delete the heading"),
    (_edit("Whether to act", "### A sub-heading\n\nWhether to act"),
     "bad.md:9: a '###' heading is deeper than the section '## Issue' allows"),
    (_edit("### Wait", "#### Wait"),
     "bad.md:25: a '####' heading is deeper than the section '## Options' allows"),
    (_edit("## Issue", "# Title\n\n## Issue"), "bad.md:7: a '#' heading: the note's title"),
    (_edit("Pros:\n\n- Fast", "- Fast"),
     "bad.md:15: prose where a list is expected: under the option '### Act now', write 'Pros:'"),
    (_edit("Pros:\n\n- Fast\n- Cheap,\n  on two lines\n\n", "Pros:\n\n"),
     "bad.md:15: 'Pros:' under the option '### Act now' has no items"),
    (_edit("## Issue\n", "## Issue\n<!-- a comment\nleft open\n"),
     "bad.md:8: this comment is never closed: end it with '-->'"),
    (_edit("---\n\n## Issue", "\n## Issue"),
     "bad.md:1: the front matter is not closed: add a '---' line after the header fields"),
    (lambda t: t.replace("---\n", "", 1).replace("---\n", "", 1),
     "bad.md:1: a .md brief starts with YAML front matter between '---' lines"),
    (_edit("type: decision-note\nsubject: A decision\ndate: 2025-04-11\n", "- a list\n"),
     "bad.md:2: expected fields written as 'name: value', found a list"),
    (_edit("subject: A decision", "subject: Le ministre a déclaré : « oui »"),
     "bad.md:3: YAML syntax error: mapping values are not allowed in this context; a value "
     "that contains ': ' must be in quotes"),
    (lambda t: _edit("## Issue", "## Summry")(t).replace("date:", "lang: de\ndate:"),
     "bad.md:8: unknown section '## Summry'; a decision-note has: Issue, Background"),
    (_edit("date: 2025-04-11\n", "date: 2025-04-11\nissue: Twice.\n"),
     "bad.md:8: issue: 'issue' is given both in the front matter (line 5) and as a section"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_mistakes_are_one_line_with_the_md_line(workspace: Path, capsys: pytest.CaptureFixture[str],
                                                change, message: str | None) -> None:
    _write(workspace, change(DECISION))
    code, err = _build(workspace, capsys, "bad")
    if message is None:       # a list is Markdown too: prose sections may hold one
        assert code == 0, err
        return
    assert code == 2, err
    assert err.startswith("briefgen: error: briefs/" + message) or \
        err.startswith(f"briefgen: error: {workspace}/briefs/" + message), err
    assert len(err.strip().splitlines()) == 1
    assert not (workspace / "out").exists()


MEDIA = """---
type: media-lines
subject: S
date: 2025-04-10
---
## Key messages
- One [@news-article].

## Anticipated questions and answers
### Why?
Because.
"""


@pytest.mark.parametrize("old, new, message", [
    ("Because.", "- Because.", "bad.md:11: qa.0.answer: a list where prose is expected: "
                               "write the answer as a paragraph"),
    ("### Why?\nBecause.\n", "### Why?\n", "bad.md:10: qa.0.answer: the question '### Why?' "
                                          "has no answer"),
    ("### Why?", "Why?", "bad.md:10: text where a question is expected: start each with a "
                         "'### ' heading"),
    ("## Key messages", "## If pressed on …", "bad.md:6: if_pressed: name the topic in the "
                                              "heading: '## If pressed on …'\n"),
    ("### Why?", "###", "bad.md:10: an empty heading; write the text of a question after "
                        "the '### '\n"),
    ("### Why?", "### ", "bad.md:10: an empty heading; write the text of a question after "
                         "the '### '\n"),
    ("## Key messages", "## If pressed on", "bad.md:6: if_pressed: name the topic in the "
                                            "heading: '## If pressed on …'\n"),
])
def test_structured_section_mistakes(workspace: Path, capsys: pytest.CaptureFixture[str],
                                     old: str, new: str, message: str) -> None:
    _write(workspace, MEDIA.replace(old, new))
    code, err = _build(workspace, capsys, "bad")
    assert (code, err.startswith(f"briefgen: error: {workspace}/briefs/{message}")
            or err.startswith(f"briefgen: error: briefs/{message}")) == (2, True), err


def test_event_lines_must_be_labelled(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(workspace, "---\ntype: meeting-brief\nsubject: S\ndate: 2025-04-10\n---\n"
                      "## Objectives\n- Agree.\n\n## Event\n- Title: T\n- When: tomorrow\n")
    code, err = _build(workspace, capsys, "bad")
    assert code == 2
    assert err.endswith("bad.md:11: event: write each line of '## Event' as 'Date: YYYY-MM-DD' "
                        "(or Event, Time, Location)\n"), err


@pytest.mark.parametrize("name, text, line", [
    ("deep.md", "---\ntype: briefing-note\nsubject: S\ndate: 2025-04-10\n---\n## Summary\n\n"
     + "".join("  " * i + "- x\n" for i in range(500)), 6),
    ("deep.md", "---\ntype: briefing-note\nsubject: S\ndate: 2025-04-10\n---\n## Summary\n\n"
     + "- " * 1000 + "x\n", 6),
    ("deep.yaml", 'subject: S\ndate: 2025-04-10\nsummary: "' + "> " * 30 + "- " * 30 + 'x"\n', 3),
])
def test_lists_nested_past_the_limit_are_one_line(workspace: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  name: str, text: str, line: int) -> None:
    _write(workspace, text, name)
    code, err = _build(workspace, capsys, name.split(".")[0])
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.endswith(f"{name}:{line}: summary: a line nests lists or quotes more than 40 "
                        "levels deep; flatten it\n"), err
    assert not (workspace / "out").exists()


def test_not_utf8_names_the_line(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "briefs" / "bad.md").write_bytes(DECISION.encode("utf-8").replace(
        b"Whether", b"Wh\xe9ther"))
    code, err = _build(workspace, capsys, "bad")
    assert code == 2
    assert err.endswith("bad.md:9: not UTF-8 text (byte 0xe9); save the file as UTF-8\n"), err


def test_two_briefs_with_one_id(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(workspace, DECISION, "note.md")
    code, err = _build(workspace, capsys)
    assert code == 2
    assert err.endswith("briefs/note.yaml:1: brief id 'note' is also used by "
                        f"{workspace}/briefs/note.md; rename or delete one\n") or \
        err.endswith("briefs/note.yaml:1: brief id 'note' is also used by briefs/note.md; "
                     "rename or delete one\n"), err
    assert not (workspace / "out").exists()


def test_preview_serves_a_md_brief_and_reloads_on_change(workspace: Path) -> None:
    import threading
    import time
    import urllib.request

    from briefgen.web.preview import Preview
    from briefgen.workspace import Workspace

    assert main(["-C", str(workspace), "-q", "convert", "note", "--to", "md"]) == 0
    brief = workspace / "briefs" / "note.md"
    server = Preview(Workspace(workspace), brief, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def get(path: str = "") -> str:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            return response.read().decode("utf-8")

    try:
        time.sleep(0.5)            # let the watcher start before the file changes
        assert "Border cooperation | test" in get()
        version = get("version")
        brief.write_text(brief.read_text(encoding="utf-8").replace(
            "## Summary\n\n", "## Summary\n\nA new first line.\n"), encoding="utf-8")
        deadline = time.monotonic() + 15
        while get("version") == version and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "A new first line." in get()
    finally:
        server.server.shutdown()
        thread.join(timeout=10)


def test_check_points_at_the_md_line_and_column(workspace: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _write(workspace, "---\ntype: briefing-note\nsubject: S\ndate: 2025-04-10\n---\n"
                      "## Summary\n\nCanada is fine.\nIt spent $1.3 billion on the border.\n\n"
                      "## Talking points\n\n- First point [@nope].\n- Second point\n"
                      "  was written by officials.\n<!-- briefgen: ignore[passive-voice] -->\n"
                      "- Third point was written.\n", "c.md")
    assert main(["-C", str(workspace), "check", "c"]) == 1
    out = capsys.readouterr().out.splitlines()
    shown = [line.split("briefs/", 1)[1] for line in out[:-1]]
    assert shown == [
        "c.md:9:10: warning[uncited-figure]: '$1.3 billion' has no citation in its sentence",
        "c.md:13:15: error[unknown-citation]: citation of unknown record '@nope'",
        "c.md:15:3: warning[passive-voice]: 'was written' is passive; say who does what",
    ]
