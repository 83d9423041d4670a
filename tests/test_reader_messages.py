"""Messages that once misled: an unreadable folder taken as an empty one, UTF-16 called
binary, odd entries in sources/ skipped without a word, a blank level taken as the
lowest, bidirectional overrides passed on, one warning printed three times."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.errors import InputError
from briefgen.readers import read_brief, read_record

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str, cwd: Path, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    """The command; ``as_nobody`` drops root's right to read any folder (as a user has none)."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] \
        if as_nobody and os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def shared_workspace() -> Iterator[Path]:
    """The fixture workspace where another user can reach it (pytest's tmp folder is private)."""
    top = Path(tempfile.mkdtemp(prefix="briefgen-perm-"))
    root = top / "ws"
    shutil.copytree(FIXTURES / "workspace", root)
    for path in [top, *top.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    try:
        yield root
    finally:
        for path in [top, *top.rglob("*")]:
            path.chmod(0o777)
        shutil.rmtree(top)


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="as root, needs setpriv to run as a user without rights")
@pytest.mark.parametrize(("folder", "args"), [
    ("sources", ["build"]), ("sources", ["check"]), ("briefs", ["build"]),
    ("sources", ["sources", "list"]), ("briefs", ["build", "note"]),
    ("briefs", ["convert", "note", "--to", "md"]),
    ("briefs", ["export", "disclosure", "--kind", "briefing-titles", "--month", "2025-04"]),
    ("briefs", ["new", "briefing-note", "fresh"])])
def test_an_unreadable_folder_is_named(shared_workspace: Path, folder: str, args: list[str]) -> None:
    (shared_workspace / folder).chmod(0o000)
    result = run(*args, cwd=shared_workspace, as_nobody=True)
    assert result.returncode == 2, result.stderr
    assert f"{folder}: cannot read the folder: Permission denied" in result.stderr
    assert "unknown" not in result.stderr and "no briefs" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="as root, needs setpriv to run as a user without rights")
@pytest.mark.parametrize("args", [["templates", "list"], ["templates", "eject", "qp-note"],
                                  ["templates", "show", "qp-note"]])
def test_an_unreadable_templates_folder_is_named(shared_workspace: Path, args: list[str]) -> None:
    (shared_workspace / "templates").mkdir(mode=0o000)
    result = run(*args, cwd=shared_workspace, as_nobody=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "briefgen: error: templates: cannot read the templates folder: " \
                            "Permission denied\n"


def test_export_with_two_briefs_of_one_id_is_an_error(workspace: Path) -> None:
    """Not "nothing to report": the briefs are there, they cannot be told apart."""
    shutil.copy(workspace / "briefs" / "note.yaml", workspace / "briefs" / "note.md")
    result = run("export", "disclosure", "--kind", "briefing-titles", "--month", "2025-04",
                 cwd=workspace)
    assert result.returncode == 2, result.stdout
    assert "brief id 'note' is also used by" in result.stderr
    assert "nothing to report" not in result.stdout + result.stderr


def test_utf16_record_says_so(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    path.write_bytes("kind: news\ntitle: T\n".encode("utf-16"))
    with pytest.raises(InputError) as caught:
        read_record(path)
    assert caught.value.message == "UTF-16 text; save the file as UTF-8"


def test_a_utf16_article_is_imported(workspace: Path, tmp_path: Path) -> None:
    article = tmp_path / "note.txt"
    article.write_bytes("Title: Réunion à Ottawa\n\nLes agents se sont réunis.\n".encode("utf-16"))
    result = run("sources", "import", str(article), cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "added sources/reunion-a-ottawa.yaml: Réunion à Ottawa" in result.stdout


@pytest.mark.parametrize("args", [["build", "--format", "md"], ["sources", "list"]])
def test_odd_entries_in_sources_are_named(workspace: Path, args: list[str]) -> None:
    sources = workspace / "sources"
    (sources / "folder.yaml").mkdir()
    (sources / "dangling.yaml").symlink_to(sources / "missing.yaml")
    (sources / "loop.yaml").symlink_to(sources / "loop.yaml")
    result = run(*args, cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert ("sources/folder.yaml: warning: a folder, not a record file (the files in it are "
            "read)") in result.stderr
    for name in ("dangling", "loop"):
        assert (f"sources/{name}.yaml: warning: a link to nothing (its target is missing, or "
                "links back to itself); not read") in result.stderr


@pytest.mark.parametrize("reader", [read_brief, read_record])
def test_a_blank_classification_is_an_error(tmp_path: Path, reader) -> None:  # noqa: ANN001
    path = tmp_path / "x.yaml"
    path.write_text("kind: news\ntitle: T\nsubject: S\nclassification:\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        reader(path)
    assert (caught.value.line, caught.value.field) == (4, "classification")
    assert caught.value.message.startswith("the field is empty; give the level")


def test_bidirectional_overrides_are_stripped_and_warned_once(workspace: Path) -> None:
    brief = workspace / "briefs/note.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("prepared_by: An Analyst", "prepared_by: An\x00 \u202eAnalyst"),
                     encoding="utf-8")
    record = workspace / "sources/news-article.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "title: Border talks continue", 'title: "Border \\u2066talks\\u2069 continue"'),
        encoding="utf-8")
    result = run("build", "--format", "md", cwd=workspace)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "removed control" in line]
    assert warnings == [
        "briefs/note.yaml:26: warning: removed control character(s) such as U+0000",
        "sources/news-article.yaml:2: warning: title: removed control character(s) such as U+2066"]
    note = (workspace / "out/note.md").read_text(encoding="utf-8")
    assert "An Analyst" in note and "Border talks continue" in note
    assert not any(c in note for c in "\u202e\u2066\u2069\x00")
