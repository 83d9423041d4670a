"""Incremental builds: after each kind of change, exactly the notes that depend on it are
made again, the result is byte-identical to a clean build, and a file whose bytes did not
change is never rewritten (same inode, same mtime)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.builder import Report, build, run
from briefgen.cli import main
from briefgen.errors import BuildFailed
from briefgen.note.render import builtin_templates
from briefgen.workspace import Workspace, init

FORMATS = ["md", "docx"]
Files = dict[str, tuple[bytes, int, int]]           # name → (bytes, inode, mtime_ns)
BRIEFS = {"border-cooperation", "border-cooperation-fr", "border-decision", "border-decision-fr",
          "border-media-lines", "border-media-lines-fr", "border-meeting", "border-meeting-fr",
          "border-qp", "border-qp-fr"}
FRENCH = {name for name in BRIEFS if name.endswith("-fr")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace (every type, both languages), built incrementally once."""
    root = tmp_path_factory.mktemp("incremental") / "ws"
    init(root)
    assert _notes(run(Workspace(root), None, FORMATS, incremental=True)) == BRIEFS
    return root


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    """A copy of the built workspace (a workspace that moves keeps its build record)."""
    root = tmp_path / "ws"
    shutil.copytree(built, root, symlinks=True)
    return root


def _files(folder: Path) -> Files:
    return {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())}


def _notes(report: Report) -> set[str]:
    return {path.stem for path in report.files}


def _again(root: Path, **options: object) -> Report:
    return run(Workspace(root), None, FORMATS, incremental=True, **options)


def _clean(root: Path) -> dict[str, bytes]:
    """Every note built from scratch into a folder of its own."""
    shutil.rmtree(root / "clean", ignore_errors=True)
    build(Workspace(root), None, FORMATS, Path("clean"))
    return {name: data for name, (data, _, _) in _files(root / "clean").items()}


def _assert_incremental(root: Path, before: Files, report: Report, made: set[str]) -> None:
    """Exactly ``made`` was made again; out/ is what a clean build makes; every file
    whose bytes are the same is the same file, untouched."""
    after = _files(root / "out")
    assert _notes(report) == made
    assert report.made == len(made) and report.up_to_date == len(BRIEFS) - len(made)
    assert {name: data for name, (data, _, _) in after.items()} == _clean(root)
    changed = {name for name, (data, _, _) in after.items() if before.get(name, (b"",))[0] != data}
    assert {path.name for path in report.written} == changed
    for name in set(after) - changed:
        assert after[name][1:] == before[name][1:], f"{name} was rewritten with the same bytes"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _brief(root: Path) -> None:
    _edit(root / "briefs/border-qp.md", "subject: ", "subject: Revised, ")


def _record(root: Path) -> None:
    _edit(root / "sources/cp-2024-12-13-us-election-memos.yaml", "title: ", "title: Revised, ")


def _uncited_record(root: Path) -> None:
    _edit(root / "sources/gac-memo-us-election-outcomes.yaml", "title: ", "title: Revised, ")


def _record_comment(root: Path) -> None:
    """A change to the file that does not change the record: nothing to make."""
    with (root / "sources/cp-2024-12-13-us-election-memos.yaml").open("a") as handle:
        handle.write("# checked again in May\n")


def _template(root: Path) -> None:
    text = (builtin_templates() / "qp-note.md.j2").read_text(encoding="utf-8")
    (root / "templates/qp-note.md.j2").write_text(text + "\nPrepared for Question Period.\n",
                                                  encoding="utf-8")


def _reference(root: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    document = Document(str(builtin_templates() / "reference.docx"))
    document.styles["Normal"].font.size = Pt(13)
    document.save(str(root / "templates/reference.docx"))


def _settings(root: Path) -> None:
    _edit(root / "briefgen.toml", 'name = "Public Safety Canada"', 'name = "Safety Canada"')


def _labels(root: Path) -> None:
    with (root / "briefgen.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[labels.fr]\nbackground = "Historique"\n')


def _mail_settings(root: Path) -> None:
    with (root / "briefgen.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[smtp]\nhost = "mail.example.org"\n')


CHANGES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "brief": (_brief, {"border-qp"}),
    "record": (_record, {"border-decision", "border-decision-fr", "border-meeting",
                         "border-meeting-fr"}),
    "uncited record": (_uncited_record, set()),
    "record file, same record": (_record_comment, set()),
    "workspace template": (_template, {"border-qp", "border-qp-fr"}),
    "reference.docx": (_reference, BRIEFS),
    "settings": (_settings, BRIEFS),
    "labels": (_labels, FRENCH),
    "mail settings": (_mail_settings, set()),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_makes_exactly_the_notes_that_depend_on_it(ws: Path, change: str) -> None:
    before = _files(ws / "out")
    edit, made = CHANGES[change]
    edit(ws)
    _assert_incremental(ws, before, _again(ws), made)
    again = _files(ws / "out")
    assert _again(ws).made == 0 and _files(ws / "out") == again


def test_reference_docx_rewrites_only_the_docx(ws: Path) -> None:
    before = _files(ws / "out")
    _reference(ws)
    report = _again(ws)
    assert {path.suffix for path in report.written} == {".docx"}
    assert all(_files(ws / "out")[name] == before[name] for name in before if name.endswith(".md"))


def test_workspace_template_in_worker_processes(ws: Path) -> None:
    """Worker processes say which templates each note loaded, as the build itself does."""
    before = _files(ws / "out")
    _template(ws)
    _assert_incremental(ws, before, _again(ws, jobs=2), {"border-qp", "border-qp-fr"})
    (ws / "templates/qp-note.md.j2").unlink()         # back to the built-in
    before = _files(ws / "out")
    _assert_incremental(ws, before, _again(ws, jobs=2), {"border-qp", "border-qp-fr"})
    assert _again(ws, jobs=2).made == 0


def test_an_override_of_a_shared_template_makes_every_note_that_uses_it(ws: Path) -> None:
    text = (builtin_templates() / "citation.md.j2").read_text(encoding="utf-8")
    (ws / "templates/citation.md.j2").write_text(text + "\n", encoding="utf-8")
    before = _files(ws / "out")
    _assert_incremental(ws, before, _again(ws), BRIEFS)


def test_nothing_changed_nothing_made_nothing_written(ws: Path) -> None:
    before = _files(ws / "out")
    report = _again(ws)
    assert (report.made, report.up_to_date, report.written, report.files) == (0, 10, [], [])
    assert _files(ws / "out") == before


def test_force_makes_every_note_and_rewrites_nothing(ws: Path) -> None:
    before = _files(ws / "out")
    report = _again(ws, force=True)
    assert _notes(report) == BRIEFS and report.written == []
    assert _files(ws / "out") == before


@pytest.mark.parametrize("damage", ["delete", "edit"])
def test_a_deleted_or_edited_output_is_made_again(ws: Path, damage: str) -> None:
    target = ws / "out/border-meeting-fr.docx"
    if damage == "delete":
        target.unlink()
    else:
        target.write_bytes(target.read_bytes()[:-1] + b"!")
    before = _files(ws / "out")
    _assert_incremental(ws, before, _again(ws), {"border-meeting-fr"})


def test_a_record_added_for_a_brief_that_failed(ws: Path) -> None:
    _edit(ws / "briefs/border-qp.md", "subject: ", "sources: [new-record]\nsubject: ")
    with pytest.raises(BuildFailed) as failed:
        _again(ws, keep_going=True)
    assert [path.name for path, _ in failed.value.failures] == ["border-qp.md"]
    assert failed.value.up_to_date == 9
    before = _files(ws / "out")
    (ws / "sources/new-record.yaml").write_text("kind: memo\ntitle: A new record\n")
    _assert_incremental(ws, before, _again(ws), {"border-qp"})


def test_a_removed_record_fails_the_briefs_that_cite_it(ws: Path) -> None:
    (ws / "sources/cp-2024-12-13-us-election-memos.yaml").unlink()
    with pytest.raises(BuildFailed) as failed:
        _again(ws, keep_going=True)
    assert {path.stem for path, _ in failed.value.failures} == \
        {"border-decision", "border-decision-fr", "border-meeting", "border-meeting-fr"}
    assert failed.value.up_to_date == 6


def test_a_deleted_brief_keeps_its_outputs_and_nothing_else_is_made(ws: Path) -> None:
    (ws / "briefs/border-qp.md").unlink()
    before = _files(ws / "out")
    report = _again(ws)
    assert (report.made, report.up_to_date) == (0, 9)
    assert _files(ws / "out") == before               # as a full build: outputs are kept


def test_another_output_folder_or_format_has_a_record_of_its_own(ws: Path) -> None:
    assert _notes(run(Workspace(ws), None, FORMATS, Path("elsewhere"), incremental=True)) == BRIEFS
    assert _notes(run(Workspace(ws), None, ["html"], incremental=True)) == BRIEFS
    assert _again(ws).made == 0                        # out/'s md and docx are still right
    assert run(Workspace(ws), None, ["html"], incremental=True).made == 0
    _brief(ws)
    assert _notes(run(Workspace(ws), None, FORMATS, Path("elsewhere"), incremental=True)) == \
        {"border-qp"}


def test_named_briefs_keep_the_record_of_the_others(ws: Path) -> None:
    _brief(ws)
    _record(ws)
    assert _notes(run(Workspace(ws), ["border-qp"], FORMATS, incremental=True)) == {"border-qp"}
    assert _notes(_again(ws)) == {"border-decision", "border-decision-fr", "border-meeting",
                                  "border-meeting-fr"}


def test_source_date_epoch_makes_every_note(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    before = _files(ws / "out")
    _assert_incremental(ws, before, _again(ws), BRIEFS)


def test_a_damaged_build_record_makes_every_note(ws: Path) -> None:
    for manifest in (ws / ".briefgen/builds").iterdir():
        manifest.write_text('{"briefgen": 1, "notes": [')
    assert _notes(_again(ws)) == BRIEFS
    assert _again(ws).made == 0


def test_the_command_line_says_what_it_made(ws: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws)
    _brief(ws)
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote out/border-qp.md\nwrote out/border-qp.docx\n"
                          "built 1 note (2 files written), 9 up to date in ")
    assert out.endswith(" s → out/\n")
    assert main(["build", "--force", "border-qp"]) == 0
    assert capsys.readouterr().out.startswith("built 1 note (0 files written) in ")


def test_warnings_of_notes_up_to_date_are_printed_again(ws: Path) -> None:
    """A warning is not fixed by building again: each build prints it."""
    first = subprocess.run([sys.executable, "-m", "briefgen", "build", "--force"], cwd=ws,
                           capture_output=True, text=True, timeout=300)
    again = subprocess.run([sys.executable, "-m", "briefgen", "build"], cwd=ws,
                           capture_output=True, text=True, timeout=300)
    assert (first.returncode, again.returncode) == (0, 0)
    assert again.stdout.startswith("built 0 notes (0 files written), 10 up to date in ")
    assert again.stdout.endswith(" s → out/\n")
    assert again.stderr == first.stderr


def test_pdf_notes_up_to_date(ws: Path) -> None:
    """PDFs come from one LibreOffice run at the end of a build: recorded like the others."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed")
    briefs, formats = ["border-qp", "border-meeting"], ["md", "pdf"]
    first = run(Workspace(ws), briefs, formats, incremental=True)
    assert _notes(first) == {"border-qp", "border-meeting"}
    meeting = _files(ws / "out")["border-meeting.pdf"]
    _brief(ws)
    again = run(Workspace(ws), briefs, formats, incremental=True)
    assert (_notes(again), again.up_to_date) == ({"border-qp"}, 1)
    assert "border-qp.md" in {path.name for path in again.written}
    assert run(Workspace(ws), briefs, formats, incremental=True).made == 0
    assert _files(ws / "out")["border-meeting.pdf"] == meeting
