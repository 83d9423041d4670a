"""Build: golden Markdown, determinism, atomic output, output paths."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import briefgen
from briefgen.builder import Output, build, write_atomically
from briefgen.cli import main
from briefgen.errors import BriefgenError, OutputError
from briefgen.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_markdown_equals_golden_file(workspace: Path) -> None:
    build(Workspace(workspace), ["note"], ["md"])
    expected = (FIXTURES / "expected" / "note.md").read_text(encoding="utf-8")
    assert (workspace / "out/note.md").read_text(encoding="utf-8") == expected


def test_two_builds_are_byte_identical(workspace: Path) -> None:
    ws = Workspace(workspace)
    build(ws, [], ["md", "docx"])
    first = _snapshot(workspace / "out")
    os.utime(workspace / "briefs/note.yaml")  # a newer mtime must not matter
    build(Workspace(workspace), [], ["md", "docx"], Path("again"))
    assert first == _snapshot(workspace / "again")
    assert set(first) == {"note.md", "note.docx"}


def test_source_date_epoch_is_honoured(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(Workspace(workspace), [], ["docx"])
    plain = (workspace / "out/note.docx").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(Workspace(workspace), [], ["docx"], Path("epoch"))
    assert (workspace / "epoch/note.docx").read_bytes() != plain


@pytest.mark.parametrize("damage", [
    ("briefs/note.yaml", "summary: [@no-such-record]\n", "a"),
    ("sources/stats.json", "{not json", "w"),
    ("sources/news-article.yaml", "titel: typo\n", "a"),
])
def test_error_leaves_out_untouched(workspace: Path, damage: tuple[str, str, str]) -> None:
    (workspace / "briefs/second.yaml").write_text(
        "subject: Second\ndate: 2025-01-01\nsummary: Fine [@atip-note].\n", encoding="utf-8")
    build(Workspace(workspace), [], ["md", "docx"])
    before = _snapshot(workspace / "out")
    path, text, mode = damage
    with open(workspace / path, mode, encoding="utf-8") as handle:
        handle.write(text)
    with pytest.raises(BriefgenError):
        build(Workspace(workspace), [], ["md", "docx"])
    assert _snapshot(workspace / "out") == before


def test_failed_write_replaces_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_bytes(b"old a")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    outputs = [Output(tmp_path / "a.md", b"new a"), Output(blocked / "b.md", b"new b")]
    with pytest.raises(OutputError):
        write_atomically(outputs)
    assert (tmp_path / "a.md").read_bytes() == b"old a"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_output_folder_cannot_leave_the_workspace(workspace: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="outside the workspace"):
        build(Workspace(workspace), [], ["md"], Path("../elsewhere"))
    assert not (tmp_path / "elsewhere").exists()


def test_library_api_mirrors_cli(workspace: Path) -> None:
    written = briefgen.build("note", formats=("md",), workspace=workspace)
    assert written == [workspace / "out/note.md"]


def test_sources_list_mode(workspace: Path) -> None:
    settings = workspace / "briefgen.toml"
    settings.write_text(settings.read_text().replace('"footnotes"', '"sources-list"'))
    build(Workspace(workspace), ["note"], ["md"])
    text = (workspace / "out/note.md").read_text(encoding="utf-8")
    assert "Officials met on the border \\[1\\]." in text
    assert "small \\[2, p. 3\\]." in text
    assert "cooperation \\[3, p. 4; 1\\]." in text
    assert "[^" not in text
    sources = text.split("## Sources\n\n")[1]
    assert sources.startswith("1. The Daily Record, “Border talks continue”, 13 December 2024.")
    assert "\n4. Some Branch, “Internal memo on" in sources  # listed, never cited: still numbered


def test_link_in_sources_cannot_read_outside(workspace: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("kind: memo\ntitle: Not yours\n")
    (workspace / "sources/leak.yaml").symlink_to(secret)
    with pytest.raises(BriefgenError, match="outside sources/"):
        build(Workspace(workspace), ["note"], ["md"])


def test_link_in_templates_cannot_read_outside(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "evil.md.j2"
    outside.write_text("stolen\n")
    (workspace / "templates").mkdir()
    (workspace / "templates/briefing-note.md.j2").symlink_to(outside)
    with pytest.raises(BriefgenError, match="links outside"):
        build(Workspace(workspace), ["note"], ["md"])


@pytest.mark.parametrize("out, inputs", [
    (".", "sources"), ("sources", "sources"), ("briefs/drafts", "briefs"),
    ("templates", "templates"), (".briefgen", ".briefgen"), ("out/../sources/..", "sources"),
    ("linked", "sources"),
])
def test_outputs_never_go_among_the_inputs(workspace: Path, out: str, inputs: str) -> None:
    (workspace / "linked").symlink_to(workspace / "sources")
    (workspace / ".draft.tmp").write_text("someone's")
    before = _snapshot(workspace)
    with pytest.raises(OutputError, match=f"would mix outputs with the workspace's {inputs}/"):
        build(Workspace(workspace), [], ["md"], Path(out))
    assert _snapshot(workspace) == before


def test_a_too_long_output_folder_is_one_line(workspace: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(workspace), "build", "--out", "x" * 5000]) == 2
    assert capsys.readouterr().err == \
        f"briefgen: error: output folder '{'x' * 80}': File name too long\n"


def test_a_looping_input_folder_does_not_stop_the_output_check(workspace: Path) -> None:
    (workspace / "templates").symlink_to("templates")
    assert Workspace(workspace).output_dir(Path("out")) == workspace / "out"


def test_an_output_folder_that_links_to_itself_is_one_line(workspace: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "loop").symlink_to("loop")
    assert main(["-C", str(workspace), "build", "--out", "loop/x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefgen: error: output folder 'loop/x'") and err.count("\n") == 1
    assert "is a loop of symbolic links" in err or "Too many levels of symbolic links" in err
