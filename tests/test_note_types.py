"""Note types: each built-in type's sections and labels in the DOCX and the HTML, and bad input."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from outputs import W, docx_part, headings, html_page, paragraphs, styled, tables

from briefgen.builder import build
from briefgen.note.citations import find_clusters
from briefgen.note.composer import text_fields
from briefgen.note.notetypes import BUILTIN
from briefgen.note.quotes import quote_found
from briefgen.readers import read_brief
from briefgen.workspace import Workspace, init

REPO = Path(__file__).parent.parent
TYPES = ["briefing-note", "decision-note", "qp-note", "media-lines", "meeting-brief"]
# Each English example brief, by type.
EXAMPLES = {"briefing-note": "border-cooperation", "decision-note": "border-decision",
            "qp-note": "border-qp", "media-lines": "border-media-lines",
            "meeting-brief": "border-meeting"}
# What each type's note must say (English labels), besides the header block.
SECTIONS = {
    "briefing-note": ["Summary", "Background", "Current Status", "Considerations", "Next Steps",
                      "Talking Points", "Consultations"],
    "decision-note": ["Issue", "Background", "Considerations", "Options", "Recommendation",
                      "Minister’s Decision"],
    "qp-note": ["Issue", "Suggested Response", "If pressed on fentanyl", "Background", "Sources"],
    "media-lines": ["Issue", "Key Messages", "Responsive Lines",
                    "Anticipated Questions and Answers", "Background"],
    "meeting-brief": ["Event", "Participants", "Objectives", "Agenda", "Key Messages",
                      "Background", "Logistics"],
}
TITLES = {"briefing-note": "MEMORANDUM TO THE MINISTER", "decision-note": "MEMORANDUM TO THE MINISTER",
          "qp-note": "QUESTION PERIOD NOTE", "media-lines": "MEDIA LINES",
          "meeting-brief": "MEETING BRIEF"}


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace (as ``briefgen init`` makes it), every brief built to md, docx, html."""
    root = tmp_path_factory.mktemp("examples") / "ws"
    init(root)
    build(Workspace(root), [], ["md", "docx", "html"])
    return root


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


# The examples ---------------------------------------------------------------------

def test_examples_cover_every_type_in_both_languages() -> None:
    ws = Workspace(REPO)
    found = {(read_brief(p)[0].type, read_brief(p)[0].lang) for p in ws.brief_paths([])}
    assert found == {(t, lang) for t in TYPES for lang in ("en", "fr")}


@pytest.mark.parametrize("kind", TYPES)
def test_docx_has_the_sections_of_its_type(examples: Path, kind: str) -> None:
    docx = examples / "out" / f"{EXAMPLES[kind]}.docx"
    assert styled(docx, "Title") == [TITLES[kind]]
    assert [h for h in headings(docx) if h in SECTIONS[kind]] == SECTIONS[kind]
    header = tables(docx)[0]
    assert ["Subject:", "Date:", "Tracking no.:"] == [row[0] for row in header
                                                       if row[0] in ("Subject:", "Date:", "Tracking no.:")]


@pytest.mark.parametrize("kind", TYPES)
def test_html_has_the_sections_of_its_type(examples: Path, kind: str) -> None:
    page = html_page(examples / "out" / f"{EXAMPLES[kind]}.html")
    assert not page.problems
    text = page.text
    assert TITLES[kind] in text
    positions = [text.index(section) for section in SECTIONS[kind]]
    assert positions == sorted(positions)
    assert len(page.find("div", **{"class": "marking"})) == 2


def test_decision_note_options_table_and_decision_block(examples: Path) -> None:
    docx = examples / "out" / "border-decision.docx"
    brief = read_brief(Workspace(examples).brief_paths(["border-decision"])[0])[0]
    options = next(t for t in tables(docx) if t[0] == ["Option", "Pros", "Cons"])
    assert len(options) == len(brief.options) + 1
    assert options[1][0] == "1. Lead with joint border work"
    assert options[1][1].startswith("Builds on border security")
    # Pros and cons are real list items, not typed "•" characters.
    cells = [tc for tc in docx_part(docx).iter(f"{W}tc")
             if "".join(t.text or "" for t in tc.iter(f"{W}t")).startswith("Builds on border")]
    items = cells[0].findall(f"{W}p")
    assert len(items) == len(brief.options[0].pros) == 2
    assert all(p.find(f"{W}pPr/{W}numPr") is not None for p in items)
    assert "•" not in "".join(t.text or "" for t in docx_part(docx).iter(f"{W}t"))
    # The header row repeats on each page; no row breaks across pages.
    tbl = next(t for t in docx_part(docx).iter(f"{W}tbl")
               if "Option" in "".join(x.text or "" for x in t.iter(f"{W}t")))
    rows = tbl.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    texts = [text for _, text in paragraphs(docx)]
    # The deputy minister signs under the recommendation, then the minister decides.
    block = texts[texts.index("Recommendation"):]
    assert block[2:11] == ["Deputy Minister:", "", "Date:", "", "Minister’s Decision",
                           "☐ I approve\u2003\u2003\u2003☐ I do not approve", "Signature:", "",
                           "Date:"]
    assert "_" not in "".join(texts), "signature lines are bordered cells, not underscores"
    lines = [tc for tc in docx_part(docx).iter(f"{W}tc")
             if tc.find(f"{W}tcPr/{W}tcBorders/{W}bottom") is not None]
    assert len(lines) == 4 and all(not "".join(tc.itertext()).strip() for tc in lines)
    page = html_page(examples / "out" / "border-decision.html")
    assert "___" not in page.text
    # From the recommendation to the last signature line, the block stays on one page.
    body = docx_part(docx).find(f"{W}body")
    ps = [p for p in body.iter(f"{W}p")]
    start = next(i for i, p in enumerate(ps) if "".join(t.text or "" for t in p.iter(f"{W}t")) == "Recommendation")
    end = max(i for i, p in enumerate(ps) if p.find(f"{W}pPr/{W}keepNext") is not None and i > start)
    assert "".join(t.text or "" for t in ps[end + 1].iter(f"{W}t")) == "" and end - start >= 10
    for p in ps[start:end]:
        assert p.find(f"{W}pPr/{W}keepNext") is not None
    assert "**FOR DECISION**" in (examples / "out" / "border-decision.md").read_text()


def test_decision_note_html_table(examples: Path) -> None:
    page = html_page(examples / "out" / "border-decision.html")
    assert [a.get("scope") for a in page.find("th")][:5] == ["row"] * 5   # header block
    assert "Option Pros Cons" in page.text
    assert re.search("☐ I approve\\s+☐ I do not approve", page.text)


def test_qp_note_key_messages_and_sources(examples: Path) -> None:
    docx = examples / "out" / "border-qp.docx"
    brief = read_brief(Workspace(examples).brief_paths(["border-qp"])[0])[0]
    points = styled(docx, "TalkingPoint")
    assert 3 <= len(brief.key_messages) <= 5
    assert len(points) == len(brief.key_messages) + sum(len(p.lines) for p in brief.if_pressed)
    assert "If pressed on the “reciprocal” tariffs" in headings(docx)
    # A QP card lists its sources, numbered, rather than footnotes.
    md = (examples / "out" / "border-qp.md").read_text(encoding="utf-8")
    assert "[^1]" not in md and "\\[1\\]" in md
    assert re.search(r"^## Sources\n\n1\. Truth Social", md, re.M)
    assert "FOR " not in md          # no purpose line
    page = html_page(examples / "out" / "border-qp.html")
    assert page.find("div", **{"class": "key-messages"})


def test_media_lines_header_and_qa(examples: Path) -> None:
    docx = examples / "out" / "border-media-lines.docx"
    header = dict(tuple(row) for row in tables(docx)[0])
    assert header["Spokesperson:"] == "Media Relations, Public Safety Canada"
    assert header["Approval status:"] == "Approved"
    texts = [text for _, text in paragraphs(docx)]
    # A question is a heading: kept with its answer, and listed in the navigation pane.
    assert "Q: Did Ottawa expect the tariffs?" in headings(docx)
    assert any(t.startswith("A: Officials prepared for all possible outcomes") for t in texts)
    assert len(styled(docx, "TalkingPoint")) == 5       # key messages and responsive lines


def test_meeting_brief_event_participants_agenda(examples: Path) -> None:
    docx = examples / "out" / "border-meeting.docx"
    event = dict(tuple(row) for row in tables(docx)[1])
    assert event == {"Event:": "Meeting with Ambassador Kirsten Hillman", "Date:": "16 April 2025",
                     "Time:": "10:00 to 10:45",
                     "Location:": "Minister’s boardroom, Ottawa (Ambassador by video link)"}
    texts = [text for _, text in paragraphs(docx)]
    assert any(t.startswith("Kirsten Hillman, Ambassador of Canada to the United States")
               for t in texts)
    numbered = styled(docx, "ListNumber")
    assert numbered[0].startswith("The tariffs and the reasons")
    page = html_page(examples / "out" / "border-meeting.html")
    assert "Kirsten Hillman, Ambassador of Canada to the United States" in page.text
    assert page.find("ol")


def test_example_quotes_are_verbatim_in_the_cited_records() -> None:
    """Every quotation in every text of the examples (new fields too) is in a record it cites."""
    ws = Workspace(REPO)
    quote = re.compile(r'"([^"]{2,}?)"|“([^”]{2,}?)”|«\s*([^»]+?)\s*»')
    checked = 0
    for path in ws.brief_paths([]):
        brief = read_brief(path)[0]
        for loc, text in text_fields(brief):
            keys = [c.key for _, _, cites in find_clusters(text) for c in cites]
            for match in quote.finditer(text):
                words = next(g for g in match.groups() if g)
                if not keys or path.stem.endswith("-fr") and not words.isascii():
                    continue           # a title in quotes, or French words in « »
                checked += 1
                assert any(quote_found(words, ws.records[k]) for k in keys), (path.name, loc, words)
    assert checked >= 20


def test_example_workspace_builds_clean(examples: Path) -> None:
    result = run("check", "--strict", cwd=examples)
    assert result.returncode == 0, result.stdout


# Bad input: one clear message, exit 2, nothing written ---------------------------------

def _brief(ws: Path, text: str, name: str = "bad") -> None:
    (ws / "briefs" / f"{name}.yaml").write_text(text, encoding="utf-8")


DECISION = """type: decision-note
subject: A decision
date: 2025-04-11
issue: Whether to act [@news-article].
options:
  - title: Act
    pros: [Fast]
    cons: [Costly]
recommendation: That you approve option 1.
"""


@pytest.mark.parametrize("change, message", [
    (lambda t: re.sub(r"options:\n(  .*\n|    .*\n)*", "", t),
     "briefs/bad.yaml:1: options: a decision-note needs options: at least one, each with a "
     "title, pros and cons"),
    (lambda t: t.replace("recommendation: That you approve option 1.\n", ""),
     "briefs/bad.yaml:1: recommendation: a decision-note needs a recommendation"),
    (lambda t: t.replace("    cons: [Costly]\n", ""),
     "briefs/bad.yaml:6: options.0.cons: each option of a decision-note needs pros and cons; "
     "option 1 ('Act') has no cons"),
    (lambda t: t + "purpose: information\n",
     "briefs/bad.yaml:10: purpose: a decision-note is for decision or signature; set purpose "
     "to decision or leave it out"),
    (lambda t: t + "lang: de\n",
     "briefs/bad.yaml:10: lang: unsupported language 'de'; supported languages: en (English), "
     "fr (French)"),
    (lambda t: t.replace("type: decision-note", "type: decison-note"),
     "briefs/bad.yaml:1: type: unknown note type 'decison-note'; did you mean 'decision-note'? "
     "known types: briefing-note, decision-note, qp-note, media-lines, meeting-brief "
     "(a custom type needs templates/decison-note.md.j2)"),
    (lambda t: t.replace("type: decision-note", "type: citation"),
     "briefs/bad.yaml:1: type: 'citation' is not a note type; known types: briefing-note"),
])
def test_bad_input_is_one_clear_message(workspace: Path, change, message: str) -> None:
    _brief(workspace, change(DECISION))
    result = run("build", cwd=workspace)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"briefgen: error: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (workspace / "out").exists()


def test_a_good_decision_note_builds(workspace: Path) -> None:
    _brief(workspace, DECISION)
    assert run("build", "bad", cwd=workspace).returncode == 0
    assert "☐ I approve" in (workspace / "out/bad.md").read_text(encoding="utf-8")


def test_custom_type_without_its_template(workspace: Path) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates/scenario-note.schema.yaml").write_text("required: [scenario]\n")
    _brief(workspace, "type: scenario-note\nsubject: S\ndate: 2025-01-01\n"
                      "fields: {scenario: x}\n")
    result = run("build", cwd=workspace)
    assert result.returncode == 2
    assert result.stderr == (
        "briefgen: error: briefs/bad.yaml:1: type: no template for the note type 'scenario-note': "
        "templates/scenario-note.schema.yaml is there but templates/scenario-note.md.j2 is not; "
        "add it\n")
    assert not (workspace / "out").exists()


def test_custom_type_is_listed_among_known_types(workspace: Path) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates/scenario-note.md.j2").write_text('{% extends "builtin/base.md.j2" %}\n')
    _brief(workspace, "type: nope\nsubject: S\ndate: 2025-01-01\n")
    result = run("build", cwd=workspace)
    assert "known types: briefing-note, decision-note, qp-note, media-lines, meeting-brief, " \
           "scenario-note" in result.stderr


QP = """type: qp-note
subject: Border
date: 2025-04-14
issue: What is the Government doing [@news-article]?
key_messages:
{messages}
background: The border is long [@news-article].
"""


def test_qp_note_with_nine_key_messages_warns_over_budget(workspace: Path) -> None:
    _brief(workspace, QP.format(messages="\n".join(f"  - Line {n} [@news-article]." for n in range(9))))
    result = run("build", "bad", "--format", "md", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "briefs/bad.yaml:5:1: warning[page-budget]: 9 key messages: over budget; a qp-note " \
           "holds 3 to 5 to fit on 1 page" in result.stderr
    assert (workspace / "out/bad.md").read_text(encoding="utf-8").count("- Line") == 9


def test_qp_note_needs_key_messages(workspace: Path) -> None:
    _brief(workspace, QP.format(messages="  []"))
    result = run("build", "bad", cwd=workspace)
    assert result.returncode == 2
    assert "briefs/bad.yaml:5: key_messages: a qp-note needs key_messages: 3 to 5 lines" in result.stderr


def test_qp_note_needs_a_background(workspace: Path) -> None:
    _brief(workspace, QP.format(messages="  - A.\n  - B.\n  - C.").replace(
        "background: The border is long [@news-article].\n", ""))
    result = run("build", "bad", cwd=workspace)
    assert result.returncode == 2
    assert "briefs/bad.yaml:1: background: a qp-note needs background: what the minister should " \
           "know (published with the note)" in result.stderr


def test_qp_note_with_two_key_messages_warns(workspace: Path) -> None:
    _brief(workspace, QP.format(messages="  - One [@news-article].\n  - Two."))
    result = run("build", "bad", "--format", "md", cwd=workspace)
    warning = "warning[talking-points-count]: 2 key messages; a qp-note holds 3 to 5"
    assert result.stderr.count(warning) == 1, result.stderr         # once, not per stage
    checked = run("check", "bad", "--json", cwd=workspace)
    assert [(f["line"], f["rule"]) for f in json.loads(checked.stdout)] == [
        (5, "talking-points-count")]
    assert checked.stderr == ""
    assert run("check", "bad", "--strict", cwd=workspace).returncode == 1


def test_a_field_the_type_does_not_print_is_a_warning(workspace: Path) -> None:
    _brief(workspace, QP.format(messages="  - A.\n  - B.\n  - C.") + "logistics: By bus.\n")
    result = run("build", "bad", "--format", "md", cwd=workspace)
    assert result.returncode == 0
    warning = "briefs/bad.yaml:10: warning: logistics: a qp-note does not print this field; it " \
              "is left out"
    assert result.stderr.count(warning) == 1, result.stderr      # once, though read twice


def test_header_fields_print_in_every_type(workspace: Path) -> None:
    (workspace / "briefs/note.yaml").write_text(
        (workspace / "briefs/note.yaml").read_text() + "spokesperson: A. Spokesperson\n")
    result = run("build", "note", "--format", "md", cwd=workspace)
    assert "left out" not in result.stderr
    assert "A. Spokesperson" in (workspace / "out/note.md").read_text(encoding="utf-8")


def test_disabled_rule_silences_the_key_message_warning(workspace: Path) -> None:
    with open(workspace / "briefgen.toml", "a", encoding="utf-8") as handle:
        handle.write('\n[check]\ndisable = ["page-budget"]\n')
    _brief(workspace, QP.format(messages="\n".join(f"  - Line {n}." for n in range(9))))
    assert "page-budget" not in run("build", "bad", "--format", "md", cwd=workspace).stderr


def test_meeting_brief_needs_an_event(workspace: Path) -> None:
    _brief(workspace, "type: meeting-brief\nsubject: M\ndate: 2025-01-01\nobjectives: [Agree]\n")
    result = run("build", cwd=workspace)
    assert result.returncode == 2
    assert "briefs/bad.yaml:1: event: a meeting-brief needs an event: title, date" in result.stderr


def test_every_builtin_type_has_a_template_and_a_page_budget() -> None:
    ws = Workspace(REPO)
    for name in BUILTIN:
        assert (REPO / "templates" / f"{name}.md.j2").is_file()
        assert name in ws.settings.check.pages
    assert list(BUILTIN) == TYPES


def test_each_type_template_extends_the_base() -> None:
    for name in TYPES:
        text = (REPO / "templates" / f"{name}.md.j2").read_text(encoding="utf-8")
        assert '{% extends "builtin/base.md.j2" %}' in text
        assert "{% block body %}" in text


def test_docs_show_the_example_briefs_as_they_are() -> None:
    """Every example, in its Markdown form (``python tools/doc_examples.py`` rewrites them)."""
    sys.path.insert(0, str(REPO / "tools"))
    import doc_examples

    doc = (REPO / "docs" / "note-types.md").read_text(encoding="utf-8")
    shown = [m["name"] for m in doc_examples.BLOCK.finditer(doc)]
    assert sorted(shown) == sorted(p.stem for p in Workspace(REPO).brief_paths([]))
    assert doc_examples.updated(doc) == doc, "run python tools/doc_examples.py"
    pictures = re.findall(r"!\[[^\]]+\]\((img/[^)]+)\)", doc)
    assert len(pictures) == 6
    for picture in pictures:
        data = (REPO / "docs" / picture).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < 100_000


# The contact block ------------------------------------------------------------------

CONTACT = ('contact:\n  name: Jane Doe\n  title: "Senior Analyst, Border Policy"\n'
           "  phone: 613-555-0142\n")


@pytest.fixture(scope="module")
def with_contact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example, English and French, with a contact, built to md and docx."""
    root = tmp_path_factory.mktemp("contact") / "ws"
    init(root)
    for brief in (root / "briefs").iterdir():
        text = brief.read_text(encoding="utf-8")
        if brief.suffix == ".md":          # into the front matter, before its closing ---
            end = text.index("\n---\n", 3) + 1
            text = text[:end] + CONTACT + text[end:]
        else:
            text += CONTACT
        brief.write_text(text, encoding="utf-8")
    build(Workspace(root), [], ["md", "docx"], check=False)
    return root


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize(("suffix", "label"), [("", "Contact:"), ("-fr", "Personne-ressource\u00a0:")])
def test_every_type_ends_with_the_contact_block(with_contact: Path, kind: str, suffix: str,
                                               label: str) -> None:
    name = EXAMPLES[kind] + suffix
    md = (with_contact / "out" / f"{name}.md").read_text(encoding="utf-8")
    line = f"**{label}** Jane Doe, Senior Analyst, Border Policy, 613-555-0142"
    assert f'<div class="contact" markdown="1">\n\n{line}\n\n</div>' in md
    signed = "**Préparé par\u00a0:**" if suffix else "**Prepared by:**"
    assert md.index(signed) < md.index(line)         # after the signature block
    texts = [text for _, text in paragraphs(with_contact / "out" / f"{name}.docx")]
    assert line.replace("**", "") in texts


def test_contact_needs_a_name(workspace: Path) -> None:
    _brief(workspace, "subject: S\ndate: 2025-01-02\ncontact:\n  phone: 613-555-0142\n")
    result = run("build", "bad", "--format", "md", cwd=workspace)
    assert result.returncode == 2
    assert "briefs/bad.yaml:3: contact.name: required field is missing" in result.stderr


def test_signature_block_has_space_after_a_list(examples: Path) -> None:
    docx = examples / "out" / "border-decision.docx"
    prepared = next(p for p in docx_part(docx).iter(f"{W}p")
                    if "".join(t.text or "" for t in p.iter(f"{W}t")).startswith("Prepared by:"))
    spacing = prepared.find(f"{W}pPr/{W}spacing")
    assert spacing is not None and int(spacing.get(f"{W}before")) >= 240     # 12 pt
