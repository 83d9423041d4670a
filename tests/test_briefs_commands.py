"""``briefgen convert`` and ``briefgen new``: every example and every type, both languages."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from briefgen.briefs import sections
from briefgen.builder import build
from briefgen.cli import main
from briefgen.readers import read_brief
from briefgen.workspace import Workspace, init

TYPES = list(sections.ORDER)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples") / "ws"
    init(root)
    return root


def _cli(ws: Path, *args: str) -> int:
    return main(["-C", str(ws), "-q", *args])


def test_every_example_converts_both_ways_to_an_equal_brief_and_the_same_note(
        examples: Path) -> None:
    ws = Workspace(examples)
    paths = ws.brief_paths([])
    originals = {p.stem: read_brief(p)[0] for p in paths}
    target = {".md": "yaml", ".yaml": "md", ".yml": "md"}
    before = build(ws, [], ["md", "docx", "html"], out=Path("out-before"), check=False)
    for path in paths:                          # into the other form ...
        assert _cli(examples, "convert", path.stem, "--to", target[path.suffix]) == 0
    middle = {p.stem: read_brief(p)[0] for p in ws.brief_paths([])}
    assert [p.suffix for p in ws.brief_paths([])] == [
        ".md" if p.suffix != ".md" else ".yaml" for p in paths]
    after = build(ws, [], ["md", "docx", "html"], out=Path("out-after"), check=False)
    for path in ws.brief_paths([]):             # ... and back
        assert _cli(examples, "convert", path.stem, "--to", target[path.suffix]) == 0
    back = {p.stem: read_brief(p)[0] for p in ws.brief_paths([])}
    assert middle == originals
    assert back == originals
    assert len(before) == len(after) == 3 * len(paths)
    for old, new in zip(sorted(before), sorted(after)):
        assert old.name == new.name
        assert old.read_bytes() == new.read_bytes(), old.name


def test_markdown_form_of_a_decision_note(examples: Path) -> None:
    """The options are ### headings with Pros: and Cons: lists; the header is front matter."""
    brief = next(p for p in Workspace(examples).brief_paths([]) if p.stem == "border-decision")
    if brief.suffix != ".md":
        assert _cli(examples, "convert", "border-decision", "--to", "md") == 0
    text = (examples / "briefs" / "border-decision.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntype: decision-note\n")
    assert "\n## Options\n\n### Lead with joint border work\n\nPros:\n\n- Builds on" in text
    assert "\nCons:\n\n- Could be read" in text
    assert "\n## Consultations\n\n- Global Affairs Canada\n- Canada Border Services Agency\n" in text


def test_convert_refuses_to_replace_a_file_unless_told(workspace: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "briefs" / "note.md").write_text("keep me", encoding="utf-8")
    assert main(["-C", str(workspace), "convert", "note.yaml", "--to", "md"]) == 2
    assert capsys.readouterr().err.endswith(
        "briefs/note.md already exists; add --force to replace it\n")
    assert (workspace / "briefs" / "note.md").read_text() == "keep me"
    assert (workspace / "briefs" / "note.yaml").exists()
    assert _cli(workspace, "convert", "note.yaml", "--to", "md", "--force") == 0
    assert not (workspace / "briefs" / "note.yaml").exists()
    assert read_brief(workspace / "briefs" / "note.md")[0].subject == "Border cooperation | test"


def test_convert_refuses_a_brief_the_other_form_would_change(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yaml_brief = workspace / "briefs" / "note.yaml"
    text = yaml_brief.read_text(encoding="utf-8").replace(
        "background: |\n", "background: |\n  ## A heading inside the text\n\n")
    yaml_brief.write_text(text, encoding="utf-8")
    assert main(["-C", str(workspace), "convert", "note", "--to", "md"]) == 2
    err = capsys.readouterr().err
    assert err.endswith("note.yaml: background: cannot convert this brief without changing "
                        "it: in its new form, the section '## Background' is empty; write it, "
                        "or delete the heading\n"), err
    assert yaml_brief.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in (workspace / "briefs").iterdir()) == ["note.yaml"]


# briefgen new -----------------------------------------------------------------

FILL = {
    sections.PROSE: "Canada works with the United States [@news-article].",
    sections.LIST: "- Canada works with the United States [@news-article].\n- Figures are small.",
    sections.OPTIONS: "### Act\n\nPros:\n\n- Fast\n\nCons:\n\n- Costly\n\n"
                      "### Wait\n\nPros:\n\n- Safe\n\nCons:\n\n- Slow",
    sections.PRESSED: "- Canada named a czar [@news-article].",
    sections.QA: "### Did Ottawa expect this?\n\nOfficials prepared [@news-article].",
    sections.PARTICIPANTS: "- **Kirsten Hillman**, Ambassador\n  Visited governors.",
    sections.EVENT: "- Event: A meeting\n- Date: 2025-04-16\n- Location: Ottawa",
}


def _fill(text: str) -> str:
    """What an author does: the subject, and each section's comment replaced by its text."""
    text = text.replace("subject:\n", "subject: Border cooperation\n")
    text = re.sub(r"(\n## .*) …\n", r"\1 fentanyl\n", text)

    def section(match: re.Match[str]) -> str:
        found = sections.match(match[1])
        assert found is not None, match[1]
        return f"## {match[1]}\n\n{FILL[sections.KIND[found[0]]]}\n"

    return re.sub(r"## (.*)\n\n<!-- .* -->\n", section, text)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("note_type", TYPES)
def test_new_then_edit_then_build(workspace: Path, note_type: str, lang: str) -> None:
    assert _cli(workspace, "new", note_type, "fresh", "--lang", lang) == 0
    path = workspace / "briefs" / "fresh.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"---\ntype: {note_type}\nlang: {lang}\n")
    assert f"\ndate: {dt.date.today().isoformat()}\n" in text
    headings = re.findall(r"^## (.*)$", text, re.M)
    assert [sections.match(h)[0] for h in headings] == list(sections.ORDER[note_type])  # type: ignore[index]
    assert all(re.search(rf"## {re.escape(h)}\n\n<!-- .+ -->\n", text) for h in headings)
    assert re.search(r"^# contact:\n#   name: .+\n#   title: .+\n#   phone: .+\n---\n", text, re.M)
    text = re.sub(r"^# (contact:|  )", r"\1", text, flags=re.M)      # as the comment says
    path.write_text(_fill(text), encoding="utf-8")
    assert _cli(workspace, "build", "fresh", "--format", "md") == 0
    note = (workspace / "out" / "fresh.md").read_text(encoding="utf-8")
    assert re.search(r"\*\*(Contact|Personne-ressource)\u00a0?:\*\* .+, .+, 613-555-0142", note)
    assert "Border cooperation" in note
    assert "<!--" not in note
    assert "Canada works with the United States" in note or "Canada named a czar" in note


def test_new_refuses_an_existing_name_and_lists_types(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(workspace), "new", "qp-note", "note"]) == 2
    assert capsys.readouterr().err.endswith(
        "briefs/note.yaml already exists; choose another name\n")
    (workspace / "templates").mkdir()
    (workspace / "templates" / "risk-note.md.j2").write_text("{{ brief.fields.scenario }}\n")
    (workspace / "templates" / "risk-note.schema.yaml").write_text(
        "required: [scenario]\noptional: [owner]\n")
    assert main(["-C", str(workspace), "new", "--list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listing] == [*TYPES, "risk-note"]
    assert listing[-1].endswith("custom: templates/risk-note.md.j2")
    assert _cli(workspace, "new", "risk-note", "risk") == 0
    text = (workspace / "briefs" / "risk.md").read_text(encoding="utf-8")
    assert "## scenario\n\n<!-- required -->\n\n## owner\n\n<!-- optional -->\n" in text
    (workspace / "briefs" / "risk.md").write_text(
        text.replace("subject:\n", "subject: S\n").replace("<!-- required -->", "A flood.")
        .replace("## owner\n\n<!-- optional -->\n", ""), encoding="utf-8")
    assert _cli(workspace, "build", "risk", "--format", "md") == 0
    assert "\n\nA flood.\n\n" in (workspace / "out" / "risk.md").read_text(encoding="utf-8")
    assert main(["-C", str(workspace), "new", "risk-notes"]) == 2
    assert "unknown note type 'risk-notes'" in capsys.readouterr().err



@pytest.mark.parametrize("args, message", [
    (["convert", "note", "--to", "yaml"], "briefs/note.yaml: the brief is already YAML"),
    (["new", "qp-note", "Bad/Name"], "'Bad/Name' is not a valid id: use lowercase letters"),
    (["new"], "name a note type: briefgen new TYPE [NAME] (briefgen new --list shows them)"),
    (["new", "qp-note", "a" * 300], "a name of 300 characters is too long; keep it to 100"),
    (["new", "qp-note", "fresh.md"], "give the name without '.md': briefgen new qp-note fresh"),
    (["new", "qp-note", "fresh.yaml"], "give the name without '.yaml': briefgen new qp-note fresh"),
    (["convert", "../briefgen.toml", "--to", "md"],
     "briefgen.toml: not a brief: convert takes a .md, .yaml or .yml file"),
])
def test_command_mistakes_are_one_line(workspace: Path, capsys: pytest.CaptureFixture[str],
                                       args: list[str], message: str) -> None:
    before = sorted(p.name for p in (workspace / "briefs").iterdir())
    assert main(["-C", str(workspace), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in (workspace / "briefs").iterdir()) == before


@pytest.mark.parametrize("text, warned", [
    ("subject: S  # a note to self\ndate: 2025-04-10\n", True),
    ("# about this brief\nsubject: S\ndate: 2025-04-10\n", True),
    ("subject: 'S #1'\ndate: 2025-04-10\nsummary: |\n  Point # 2 is text.\n", False),
])
def test_convert_says_when_comments_are_not_carried_over(
        workspace: Path, caplog: pytest.LogCaptureFixture, text: str, warned: bool) -> None:
    (workspace / "briefs" / "note.yaml").write_text(text, encoding="utf-8")
    assert main(["-C", str(workspace), "convert", "note", "--to", "md"]) == 0
    shown = [r.getMessage() for r in caplog.records]
    assert any("note.yaml: warning: its comments are not carried over to" in m
               for m in shown) is warned, shown
    assert (workspace / "briefs" / "note.md").is_file()
