"""briefgen absorb: a reviewer's edits of a built note go back into its brief.

Every edited DOCX here starts as real briefgen output and is changed with lxml
the way Word saves a reviewer's work (tests/docx_edit.py).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx_edit import Edited

from briefgen.builder import build
from briefgen.readers import read_brief
from briefgen.review import docxread
from briefgen.review.mapping import canonical
from briefgen.workspace import Workspace, init

EXAMPLES = sorted(p.stem for p in (Path(__file__).parent.parent / "briefs").iterdir()
                  if p.suffix in (".md", ".yaml"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace (every note type, both languages) built to md and docx."""
    root = tmp_path_factory.mktemp("absorb") / "ws"
    init(root)
    build(Workspace(root), None, ["md", "docx"])
    return root


@pytest.fixture
def ws(built: Path, fresh_copy: Callable[[Path, str], Path]) -> Path:
    return fresh_copy(built, "ws")


def brief_file(ws: Path, name: str) -> Path:
    return next(p for p in (ws / "briefs").iterdir() if p.stem == name)


def texts(path: Path) -> list[str]:
    """The note's paragraphs as absorb compares them (footnotes by their text)."""
    note = docxread.read(path)
    return [canonical(p, note.notes) for p in note.paras]


def assert_rebuilt_prints_the_edits(ws: Path, name: str) -> None:
    """Built again from the updated brief, the note reads as the reviewers left it."""
    assert run("build", name, cwd=ws).returncode == 0
    assert texts(ws / f"out/{name}.docx") == texts(ws / "edited.docx")


def absorb(ws: Path, edited: Edited, *options: str) -> subprocess.CompletedProcess[str]:
    return run("absorb", str(edited.save(ws / "edited.docx")), *options, cwd=ws)


# The round trip ---------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_unedited_note_changes_nothing_and_rebuilds_byte_identical(ws: Path, name: str) -> None:
    brief = brief_file(ws, name)
    before = brief.read_bytes()
    outputs = {p.name: p.read_bytes() for p in (ws / "out").glob(f"{name}.*")}
    result = run("absorb", f"out/{name}.docx", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert "nothing to change" in result.stdout
    assert brief.read_bytes() == before
    assert not brief.with_name(brief.name + ".bak").exists()
    assert run("build", name, cwd=ws).returncode == 0
    assert {p.name: p.read_bytes() for p in (ws / "out").glob(f"{name}.*")} == outputs


def test_round_trip_holds_in_the_other_form_of_every_brief(ws: Path) -> None:
    """The same, in process, with each example converted to the other form (.md ↔ YAML)."""
    from briefgen.briefs.commands import convert
    from briefgen.review.absorb import absorb as absorb_docx

    workspace = Workspace(ws)
    for name in EXAMPLES:
        convert(workspace, name, "yaml" if brief_file(ws, name).suffix == ".md" else "md")
    build(workspace, None, ["md", "docx"])
    outputs = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    briefs = {p.name: p.read_bytes() for p in (ws / "briefs").iterdir()}
    for name in EXAMPLES:
        result = absorb_docx(workspace, ws / f"out/{name}.docx", None, False, False)
        assert (result.after, result.status) == (result.before, 0), (name, result.lines)
    assert {p.name: p.read_bytes() for p in (ws / "briefs").iterdir()} == briefs
    build(Workspace(ws), None, ["md", "docx"])
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == outputs


# Text edits -------------------------------------------------------------------------

def test_text_edit_changes_only_that_section(ws: Path) -> None:
    brief = ws / "briefs/border-cooperation.md"
    before = brief.read_text(encoding="utf-8")
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("This note provides information", "This note informs you")
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "changed: summary" in result.stdout
    after = brief.read_text(encoding="utf-8")
    assert after == before.replace("This note provides information", "This note informs you")
    assert_rebuilt_prints_the_edits(ws, "border-cooperation")


def test_header_cell_edit_goes_to_its_field(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation-fr.docx")
    edited.cell("Objet\u00a0:", "Coopération frontalière et droits de douane")
    edited.cell("Date\u00a0:", "11 avril 2025")
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ws / "briefs/border-cooperation-fr.yaml").read_text(encoding="utf-8")
    assert "\nsubject: Coopération frontalière et droits de douane\n" in text
    assert "\ndate: 2025-04-11\n" in text


def test_yaml_list_item_edit_keeps_the_rest_of_the_file(ws: Path) -> None:
    brief = ws / "briefs/border-cooperation-fr.yaml"
    before = brief.read_text(encoding="utf-8").splitlines()
    edited = Edited(ws / "out/border-cooperation-fr.docx")
    edited.retype("coopèrent étroitement", "travaillent étroitement ensemble")
    assert absorb(ws, edited).returncode == 0
    after = brief.read_text(encoding="utf-8").splitlines()
    changed = [line for line in after if line not in before]
    assert changed and all("ensemble" in line or line.strip().startswith(("[", ":", "détachons",
                                                                          "agents"))
                           for line in changed), changed
    assert len(after) - len(before) in (-1, 0, 1)
    point = read_brief(brief)[0].talking_points[0]
    assert point.startswith("Le Canada et les États-Unis travaillent étroitement ensemble à la")
    assert point.endswith("[@atip-mcguinty-talking-points-border-cooperation].")


def test_paragraphs_and_items_added_and_removed(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.add_paragraph_after("Officials will monitor", "A second paragraph of next steps.")
    edited.delete_paragraph("Less than 1 per cent of the fentanyl")
    edited.add_paragraph_after("Canada Border Services Agency", "Department of Finance Canada")
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    brief = read_brief(ws / "briefs/border-cooperation.md")[0]
    assert brief.next_steps.rstrip().endswith("keep\nyou informed.\n\nA second paragraph of "
                                              "next steps.")
    assert len(brief.talking_points) == 3
    assert brief.consultations[-1] == "Department of Finance Canada"
    assert_rebuilt_prints_the_edits(ws, "border-cooperation")


def test_edits_in_qp_note_lines_and_signature(ws: Path) -> None:
    edited = Edited(ws / "out/border-qp.docx")
    edited.retype("Canada has appointed a fentanyl czar.", "Canada has appointed a czar.")
    edited.retype(" Policy analyst", " Senior policy analyst")
    assert absorb(ws, edited).returncode == 0
    text = (ws / "briefs/border-qp.md").read_text(encoding="utf-8")
    assert "- Canada has appointed a czar. The latest annual U.S. report" in text
    assert "\nprepared_by: Senior policy analyst, Canada–U.S. Border Policy Directorate\n" in text


# Footnotes --------------------------------------------------------------------------

def test_edited_sentence_keeps_its_citation(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("Canada now faces 25 per cent tariffs", "Canada still faces 25 per cent tariffs")
    assert absorb(ws, edited).returncode == 0
    text = (ws / "briefs/border-cooperation.md").read_text(encoding="utf-8")
    assert ("Canada still faces 25 per cent tariffs on its goods and on steel, aluminum and\n"
            "vehicles [@globalnews-2025-04-border-cooperation-documents].") in text


def test_deleted_sentence_takes_its_citation_and_is_reported(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.delete_with_footnote(" U.S. Customs and Border Protection figures show that less than "
                                "1 per cent of fentanyl and illegal immigration entering the "
                                "U.S. comes from Canada.")
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("note: summary: the citation [@cbp-northern-border-fentanyl-migration] is gone with "
            "the footnote the reviewers deleted" in result.stdout)
    summary = read_brief(ws / "briefs/border-cooperation.md")[0].summary
    assert summary.rstrip().endswith("vehicles [@globalnews-2025-04-border-cooperation-documents].")


def test_figure_that_lost_its_footnote_is_flagged_by_check(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.drop_footnote("Canada now faces 25 per cent tariffs on its goods and on steel, "
                         "aluminum and vehicles.")
    result = absorb(ws, edited)
    assert ("note: summary: the citation [@globalnews-2025-04-border-cooperation-documents] is "
            "gone with the footnote") in result.stdout
    assert "aluminum and\nvehicles. U.S. Customs and" in read_brief(
        ws / "briefs/border-cooperation.md")[0].summary
    check = run("check", "border-cooperation", cwd=ws)
    assert "warning[uncited-figure]: '25 per cent' has no citation in its sentence" \
        in check.stdout + check.stderr


def test_footnote_written_by_a_reviewer_is_reported_not_absorbed(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.add_footnote("monitor U.S. tariff", "Department of Finance, tariff tracker, 2025.")
    result = absorb(ws, edited)
    assert result.returncode == 1
    assert ("not absorbed: next_steps: a footnote briefgen did not write was left out: "
            "“Department of Finance, tariff tracker, 2025.”") in result.stdout


# Tracked changes and comments -------------------------------------------------------

def tracked(ws: Path) -> Edited:
    edited = Edited(ws / "out/border-cooperation-fr.docx")
    edited.track_delete("fait le point sur")
    edited.track_insert("La présente note ", "résume")
    return edited


def test_pending_tracked_changes_are_listed_and_nothing_changes(ws: Path) -> None:
    brief = ws / "briefs/border-cooperation-fr.yaml"
    before = brief.read_bytes()
    result = absorb(ws, tracked(ws))
    assert result.returncode == 1
    assert "tracked change: inserted by Reviewer DG on 2025-04-12: “résume”" in result.stdout
    assert "tracked change: deleted by Reviewer DG on 2025-04-12: “fait le point sur”" \
        in result.stdout
    assert "run again with --accept-changes" in result.stdout
    assert brief.read_bytes() == before
    assert not list((ws / "briefs").glob("*.bak"))


def test_accept_changes_applies_them(ws: Path) -> None:
    result = absorb(ws, tracked(ws), "--accept-changes")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ws / "briefs/border-cooperation-fr.yaml").read_text(encoding="utf-8")
    assert "  La présente note résume la coopération frontalière Canada–États-Unis\n" in text


def test_accepted_deletion_of_a_whole_talking_point(ws: Path) -> None:
    edited = Edited(ws / "out/border-qp.docx")
    edited.track_delete_paragraph("We have acted on shared concerns.")
    report = absorb(ws, edited, "--accept-changes").stdout.splitlines()
    assert "changed: key_messages: 3 → 2 items" in report
    assert [m[:20] for m in read_brief(ws / "briefs/border-qp.md")[0].key_messages] == [
        "Canada and the Unite", "Less than 1 per cent"]


def test_comments_are_listed_and_kept_on_request(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.comment("25 per cent tariffs", "Check the figure against the latest order.")
    listed = ("comment by Reviewer DG on 2025-04-12 on “25 per cent tariffs”: Check the figure "
              "against the latest order.")
    assert listed in absorb(ws, edited).stdout.splitlines()
    assert "review" not in (ws / "briefs/border-cooperation.md").read_text(encoding="utf-8")
    result = absorb(ws, edited, "--keep-comments")
    assert result.returncode == 0, result.stdout + result.stderr
    brief = read_brief(ws / "briefs/border-cooperation.md")[0]
    assert brief.review == ["Reviewer DG, 2025-04-12, on “25 per cent tariffs”: Check the "
                            "figure against the latest order."]
    assert run("check", "border-cooperation", cwd=ws).returncode == 0
    assert run("build", "border-cooperation", cwd=ws).returncode == 0
    assert "latest order" not in (ws / "out/border-cooperation.md").read_text(encoding="utf-8")


def test_comments_kept_in_a_yaml_brief_too(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation-fr.docx")
    edited.comment("Le Canada et les États-Unis", "D'accord.")
    assert absorb(ws, edited, "--keep-comments").returncode == 0
    brief = read_brief(ws / "briefs/border-cooperation-fr.yaml")[0]
    assert brief.review == ["Reviewer DG, 2025-04-12, on “Le Canada et les États-Unis”: "
                            "D'accord."]
    assert run("build", "border-cooperation-fr", cwd=ws).returncode == 0


# Nothing lost -----------------------------------------------------------------------

def test_dry_run_prints_the_diff_and_changes_nothing(ws: Path) -> None:
    brief = ws / "briefs/border-cooperation.md"
    before = brief.read_bytes()
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("This note provides information", "This note informs you")
    result = absorb(ws, edited, "--dry-run")
    assert result.returncode == 0
    assert result.stdout.startswith("--- a/briefs/border-cooperation.md\n"
                                    "+++ b/briefs/border-cooperation.md\n")
    assert "-This note provides information on" in result.stdout
    assert "+This note informs you on" in result.stdout
    assert brief.read_bytes() == before
    assert not list((ws / "briefs").glob("*.bak"))


def test_backup_outside_git(ws: Path) -> None:
    brief = ws / "briefs/border-cooperation.md"
    before = brief.read_bytes()
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("This note provides information", "This note informs you")
    result = absorb(ws, edited)
    assert "previous version: briefs/border-cooperation.md.bak" in result.stdout
    assert (ws / "briefs/border-cooperation.md.bak").read_bytes() == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_previous_version_in_git(ws: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=ws, check=True)
    subprocess.run([*git, "add", "briefs"], cwd=ws, check=True)
    subprocess.run([*git, "commit", "-qm", "briefs"], cwd=ws, check=True)
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("This note provides information", "This note informs you")
    result = absorb(ws, edited)
    assert "previous version: git diff -- briefs/border-cooperation.md" in result.stdout
    assert not list((ws / "briefs").glob("*.bak"))
    diff = subprocess.run(["git", "diff", "--stat"], cwd=ws, capture_output=True, text=True)
    assert "briefs/border-cooperation.md | 2 +-" in diff.stdout


# Custom note types ------------------------------------------------------------------

CUSTOM = """{% extends "builtin/base.md.j2" %}
{% import "builtin/_macros.md.j2" as m %}
{% block body %}
{{ m.section("Scenario", brief.fields.scenario) }}
{{ m.list_section("Indicators", brief.fields.indicators) }}
{% endblock %}
"""


def test_custom_type_fields(ws: Path) -> None:
    (ws / "templates").mkdir(exist_ok=True)
    (ws / "templates/scenario-note.md.j2").write_text(CUSTOM, encoding="utf-8")
    (ws / "briefs/scenario.md").write_text(
        "---\ntype: scenario-note\nsubject: Scenarios\ndate: 2025-04-10\n---\n\n"
        "## Scenario\n\nTariffs stay in place.\n\n## Indicators\n\n- Orders signed\n"
        "- Border wait times\n", encoding="utf-8")
    assert run("build", "scenario", cwd=ws).returncode == 0
    edited = Edited(ws / "out/scenario.docx")
    edited.retype("Tariffs stay in place.", "Tariffs stay in place all year.")
    edited.retype("Border wait times", "Border wait times at the main crossings")
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (ws / "briefs/scenario.md").read_text(encoding="utf-8").endswith(
        "## Scenario\n\nTariffs stay in place all year.\n\n## Indicators\n\n- Orders signed\n"
        "- Border wait times at the main crossings\n")


def test_form_that_does_not_map_is_left_to_do_by_hand(workspace: Path) -> None:
    assert run("build", "note", cwd=workspace).returncode == 0
    edited = Edited(workspace / "out/note.docx")
    edited.retype("nested under it", "nested under it, edited")
    before = (workspace / "briefs/note.yaml").read_bytes()
    result = absorb(workspace, edited)
    assert result.returncode == 1
    assert "not absorbed: background: edited in the DOCX, but its form does not map" \
        in result.stdout
    assert (workspace / "briefs/note.yaml").read_bytes() == before


# Bad input: one line, exit 2, nothing changed --------------------------------------

def _refused(ws: Path, path: Path, message: str, *options: str) -> None:
    before = {p.name: p.read_bytes() for p in (ws / "briefs").iterdir()}
    result = run("absorb", str(path), *options, cwd=ws)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr, result.stderr
    assert {p.name: p.read_bytes() for p in (ws / "briefs").iterdir()} == before


def test_not_a_docx(ws: Path) -> None:
    (ws / "notes.docx").write_text("just text\n", encoding="utf-8")
    _refused(ws, ws / "notes.docx", "notes.docx: not a DOCX (a damaged or foreign file")


def test_truncated_docx(ws: Path) -> None:
    data = (ws / "out/border-qp.docx").read_bytes()
    (ws / "cut.docx").write_bytes(data[: len(data) // 2])
    _refused(ws, ws / "cut.docx", "cut.docx: not a DOCX")


def test_password_protected_docx(ws: Path) -> None:
    (ws / "locked.docx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    _refused(ws, ws / "locked.docx", "locked.docx: the document is password-protected")


def test_docx_briefgen_did_not_make(ws: Path) -> None:
    docx.Document().save(str(ws / "other.docx"))
    _refused(ws, ws / "other.docx", "other.docx: not a note briefgen built")


def test_docx_of_another_brief(ws: Path) -> None:
    _refused(ws, ws / "out/border-qp.docx",
             "this DOCX was built from the brief 'border-qp', not from "
             "briefs/border-cooperation.md", "--brief", "border-cooperation")


def test_brief_changed_since_the_docx_was_built(ws: Path) -> None:
    brief = ws / "briefs/border-qp.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("Members may ask",
                                                               "Members might ask"),
                     encoding="utf-8")
    _refused(ws, ws / "out/border-qp.docx", "has changed since this DOCX was built")


def test_headings_deleted(ws: Path) -> None:
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.delete_paragraph("Current Status")
    edited.retype("Background", "Context")
    edited.save(ws / "edited.docx")
    _refused(ws, ws / "edited.docx",
             "the DOCX no longer has the note's structure, nothing absorbed: the section "
             "'Background' is missing (its heading was deleted or retyped); the section "
             "'Current Status' is missing")


def test_zip_without_a_document(ws: Path) -> None:
    with zipfile.ZipFile(ws / "empty.docx", "w") as package:
        package.writestr("hello.txt", "hi")
    _refused(ws, ws / "empty.docx", "empty.docx: not a DOCX: it has no word/document.xml")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_note_saved_again_by_libreoffice(ws: Path, tmp_path: Path) -> None:
    """LibreOffice rewrites the whole package (styles, runs, properties) when it saves."""
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("This note provides information", "This note informs you")
    edited.comment("25 per cent tariffs", "Check the figure.")
    edited.save(tmp_path / "edited.docx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "lo-out"),
                    str(tmp_path / "edited.docx")], capture_output=True, timeout=180, check=True)
    result = run("absorb", str(tmp_path / "lo-out/edited.docx"), cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "changed: summary" in result.stdout
    assert "on “25 per cent tariffs”: Check the figure." in result.stdout
    text = (ws / "briefs/border-cooperation.md").read_text(encoding="utf-8")
    assert "This note informs you on Canada–U.S. border cooperation" in text


def test_comments_and_markers_in_a_section_stay(ws: Path) -> None:
    brief = ws / "briefs/border-cooperation.md"
    text = brief.read_text(encoding="utf-8").replace(
        "\nCanadian and American border security",
        "\n<!-- briefgen: ignore[long-sentence] -->\nCanadian and American border security")
    brief.write_text(text, encoding="utf-8")
    assert run("build", "border-cooperation", cwd=ws).returncode == 0
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.retype("has been “tightly integrated” since", "has been “closely integrated” since")
    edited.retype("A late-January 2024 briefing note", "A January 2024 briefing note")
    assert absorb(ws, edited).returncode == 0
    assert brief.read_text(encoding="utf-8") == text.replace(
        "A late-January 2024 briefing note", "A January 2024 briefing note").replace(
        '"tightly integrated" since', '"closely integrated" since')


def test_questions_answers_and_the_header_of_media_lines(ws: Path) -> None:
    edited = Edited(ws / "out/border-media-lines.docx")
    edited.retype("Did Ottawa expect", "Did Ottawa foresee")
    edited.retype("Canada appointed a fentanyl czar", "Canada named a fentanyl czar")
    edited.cell("Approval status:", "Pending approval")
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    brief = read_brief(ws / "briefs/border-media-lines.md")[0]
    assert brief.qa[0].question == "Did Ottawa foresee the tariffs?"
    assert brief.qa[1].answer.startswith("Canada named a fentanyl czar and spent $1.3 billion")
    assert brief.approval_status == "pending"
    assert_rebuilt_prints_the_edits(ws, "border-media-lines")


OPTIONS = """---
type: briefing-note
subject: Options
date: 2025-04-10
---

## Summary

Two ways to go.

## Options

### Act now

Pros:

- Fast
- Visible

Cons:

- Costly
"""


def test_options_of_a_briefing_note(ws: Path) -> None:
    (ws / "briefs/choice.md").write_text(OPTIONS, encoding="utf-8")
    assert run("build", "choice", cwd=ws).returncode == 0
    edited = Edited(ws / "out/choice.docx")
    edited.retype("Act now", "Act this week")
    edited.retype("Visible", "Visible to the public")
    edited.add_paragraph_after("Costly", "Hard to undo")
    assert absorb(ws, edited).stdout.splitlines()[-1].startswith("updated briefs/choice.md")
    assert (ws / "briefs/choice.md").read_text(encoding="utf-8") == OPTIONS.replace(
        "### Act now", "### Act this week").replace("- Visible", "- Visible to the public") \
        + "- Hard to undo\n"


def test_comments_are_kept_once(ws: Path) -> None:
    brief = ws / "briefs/border-qp.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("\n---\n", "\nreview: []\n---\n", 1),
                     encoding="utf-8")
    assert run("build", "border-qp", cwd=ws).returncode == 0
    edited = Edited(ws / "out/border-qp.docx")
    edited.comment("Members may ask", "Add the date.")
    for _ in range(2):
        assert absorb(ws, edited, "--keep-comments").returncode == 0
    assert read_brief(brief)[0].review == ["Reviewer DG, 2025-04-12, on “Members may ask”: "
                                           "Add the date."]


def test_footnote_copied_into_a_new_paragraph_keeps_its_citation(ws: Path) -> None:
    note = docxread.read(ws / "out/border-cooperation.docx")
    first = note.notes[0]             # the summary's first citation, in full
    edited = Edited(ws / "out/border-cooperation.docx")
    edited.add_paragraph_after("Officials will monitor", "Officials said so again in 2025.")
    edited.add_footnote("Officials said so again in 2025.", first)
    result = absorb(ws, edited)
    assert result.returncode == 0, result.stdout + result.stderr
    assert read_brief(ws / "briefs/border-cooperation.md")[0].next_steps.endswith(
        "\n\nOfficials said so again in 2025.[@atip-2024-11-briefing-notes-border-cooperation]\n")


def test_redline_edited_by_a_reviewer(ws: Path) -> None:
    brief = ws / "briefs/border-qp.md"
    (ws / "earlier.md").write_text(brief.read_text(encoding="utf-8"), encoding="utf-8")
    brief.write_text(brief.read_text(encoding="utf-8").replace("Members may ask",
                                                               "Members will ask"),
                     encoding="utf-8")
    assert run("redline", "border-qp", "--against", "earlier.md", cwd=ws).returncode == 0
    edited = Edited(ws / "out/border-qp-redline.docx")
    edited.retype("Canada has appointed a fentanyl czar.", "Canada has appointed a czar.")
    assert absorb(ws, edited).returncode == 1           # the redline's own changes: pending
    result = absorb(ws, edited, "--accept-changes")
    assert result.returncode == 0, result.stdout + result.stderr
    text = brief.read_text(encoding="utf-8")
    assert "Members will ask" in text and "Canada has appointed a czar." in text
