"""The command line as a user meets it: init, build, and bad input."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_new_user_journey_init_then_build(tmp_path: Path) -> None:
    result = run("init", "desk", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    desk = tmp_path / "desk"
    assert sorted(p.name for p in desk.iterdir()) == [
        ".gitignore", "briefgen.toml", "briefs", "sources", "templates"]
    result = run("build", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert "wrote out/border-cooperation.docx" in result.stdout
    md = (desk / "out/border-cooperation.md").read_text(encoding="utf-8")
    assert md.startswith("**UNCLASSIFIED**\n\n# MEMORANDUM TO THE MINISTER")
    assert md.rstrip().endswith("**UNCLASSIFIED**")
    assert "[^1]:" in md and "## Talking Points" in md
    assert (desk / "out/border-cooperation.docx").stat().st_size > 10_000


def test_init_refuses_to_overwrite(workspace: Path) -> None:
    result = run("init", ".", cwd=workspace)
    assert result.returncode == 2
    assert "already exists" in result.stderr


def test_build_selected_format_and_folder(workspace: Path) -> None:
    result = run("build", "briefs/note.yaml", "--format", "md", "--out", "drafts", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (workspace / "drafts").iterdir()] == ["note.md"]


def test_version_and_help(tmp_path: Path) -> None:
    assert run("--version", cwd=tmp_path).stdout.startswith("briefgen ")
    assert "build" in run("--help", cwd=tmp_path).stdout
    assert run(cwd=tmp_path).returncode == 2


BAD_INPUT = [
    # (file, text, expected pieces of the one-line message)
    ("sources/news-article.yaml", "kind: news\ntitel: Border talks\n",
     ["sources/news-article.yaml:2", "titel", "did you mean 'title'"]),
    ("sources/news-article.yaml", "kind: news\n", ["news-article.yaml", "title", "required"]),
    ("sources/news-article.yaml", "kind: news\ntitle: [unclosed\n", ["news-article.yaml:3", "YAML syntax"]),
    ("sources/news-article.yaml", "kind: news\ntitle: A\ntitle: B\n", ["news-article.yaml:3", "duplicate key 'title'"]),
    ("sources/copy.yaml", "id: stats\nkind: news\ntitle: Same id\n", ["copy.yaml", "stats.json"]),
    ("sources/evil.yaml", "id: ../evil\nkind: news\ntitle: T\n", ["evil.yaml:1", "not a valid id"]),
    ("sources/a..b.yaml", "kind: news\ntitle: T\n", ["a..b.yaml", "not a valid id"]),
    ("briefs/note.yaml", "subject: S\ndate: 2025-01-01\nsummary: See [@news-artcle].\n",
     ["note.yaml:3", "summary", "@news-artcle", "did you mean 'news-article'"]),
    ("briefs/note.yaml", "", ["note.yaml", "empty"]),
    ("sources/secret.yaml", "kind: memo\ntitle: T\nclassification: PROTECTED B\n", None),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_INPUT)
def test_bad_input_is_one_clear_message(workspace: Path, name: str, text: str,
                                        expected: list[str] | None) -> None:
    if expected is None:  # an UNCLASSIFIED brief citing a PROTECTED B record
        brief = workspace / "briefs/note.yaml"
        brief.write_text("subject: S\ndate: 2025-01-01\nclassification: UNCLASSIFIED\n"
                         "summary: Quiet [@secret].\n", encoding="utf-8")
        expected = ["note.yaml:3", "UNCLASSIFIED", "'secret'", "PROTECTED B"]
    (workspace / name).write_text(text, encoding="utf-8")
    result = run("build", cwd=workspace)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for piece in expected:
        assert piece in result.stderr
    assert not (workspace / "out").exists()


def test_not_utf8_names_file_and_line(workspace: Path) -> None:
    (workspace / "sources/latin.yaml").write_bytes(b"kind: news\ntitle: Caf\xe9\n")
    result = run("build", cwd=workspace)
    assert result.returncode == 2
    assert "latin.yaml:2: not UTF-8" in result.stderr


def test_control_character_is_stripped_with_a_warning(workspace: Path) -> None:
    (workspace / "sources/ctl.md").write_text("---\nkind: memo\ntitle: Ctl\n---\nbad\x0bchar\n")
    brief = workspace / "briefs/note.yaml"
    brief.write_text(brief.read_text().replace("[@stats].\n", "[@stats; @ctl].\n"))
    result = run("build", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "sources/ctl.md:5: warning: removed control character" in result.stderr


def test_debug_shows_the_traceback(workspace: Path) -> None:
    (workspace / "briefs/note.yaml").write_text("")
    result = run("--debug", "build", cwd=workspace)
    assert result.returncode != 0
    assert "Traceback" in result.stderr
